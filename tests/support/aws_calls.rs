//! Every AWS call the functions make in the test suites, recorded from the wire: an SDK
//! interceptor on the test clients reads each request as it is sent (service, action, table and
//! the partition keys it touches, a transaction by each of its items as IAM checks them) and
//! notes it under the function being served ([`as_function`], which `serve` sets). Records go to
//! `target/aws-calls/`, one file per test process; `tests/permissions.rs` then holds
//! `template.yaml`'s grants to exactly what was called, so a deployment never meets AccessDenied
//! and carries no unused grant.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

tokio::task_local! {
    static FUNCTION: &'static str;
}

thread_local! {
    /// The functions being served on this thread by a current-thread runtime (a test's own):
    /// what a task the function spawned (rmcp runs each MCP request in one) is doing, since a
    /// task-local does not cross `tokio::spawn`.
    static SERVING: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `work` as the function `function` serves it: its AWS calls are recorded as that
/// function's, including those of tasks it spawns on a current-thread runtime.
pub async fn as_function<F: std::future::Future>(function: &'static str, work: F) -> F::Output {
    use tokio::runtime::{Handle, RuntimeFlavor};
    let on_this_thread = Handle::current().runtime_flavor() == RuntimeFlavor::CurrentThread;
    if on_this_thread {
        SERVING.with(|s| s.borrow_mut().push(function));
    }
    let output = FUNCTION.scope(function, work).await;
    if on_this_thread {
        SERVING.with(|s| {
            let mut serving = s.borrow_mut();
            if let Some(i) = serving.iter().rposition(|f| *f == function) {
                serving.remove(i);
            }
        });
    }
    output
}

/// The function a call belongs to: its task's, else the one function this thread serves
/// (`ambiguous` when it serves several at once, which the permissions check refuses).
fn current_function() -> Option<&'static str> {
    if let Ok(function) = FUNCTION.try_with(|f| *f) {
        return Some(function);
    }
    SERVING.with(|s| {
        let serving = s.borrow();
        let first = *serving.first()?;
        Some(if serving.iter().all(|f| *f == first) {
            first
        } else {
            "ambiguous"
        })
    })
}

/// Where the records go.
pub fn dir() -> PathBuf {
    crate::root().join("target/aws-calls")
}

/// One call as IAM authorises it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AwsCall {
    /// The function that made it.
    pub function: String,
    /// `dynamodb`.
    pub service: String,
    /// The IAM action, e.g. `UpdateItem` (a transaction's items each count as theirs).
    pub action: String,
    /// The table.
    pub table: String,
    /// The partition key's prefix: the key up to its last `#` (`USAGE#IP#`, `ACCOUNT#`).
    pub key_prefix: String,
}

impl AwsCall {
    fn to_json(&self) -> Value {
        json!({"function": self.function, "service": self.service, "action": self.action,
               "table": self.table, "key_prefix": self.key_prefix})
    }

    fn from_json(line: &Value) -> Option<AwsCall> {
        let field = |name: &str| line[name].as_str().map(str::to_owned);
        Some(AwsCall {
            function: field("function")?,
            service: field("service")?,
            action: field("action")?,
            table: field("table")?,
            key_prefix: field("key_prefix")?,
        })
    }
}

/// Every call recorded so far, by every test process.
pub fn recorded() -> Vec<AwsCall> {
    let mut calls = Vec::new();
    for entry in std::fs::read_dir(dir()).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let value: Value = serde_json::from_str(line).expect("a recorded call");
            calls.push(AwsCall::from_json(&value).expect("a recorded call's fields"));
        }
    }
    calls.sort();
    calls.dedup();
    calls
}

/// The key prefix of a partition key value.
fn prefix(pk: &str) -> String {
    match pk.rfind('#') {
        Some(i) => pk[..=i].to_owned(),
        None => pk.to_owned(),
    }
}

/// The calls in one DynamoDB request: `(action, table, partition key)`.
fn dynamodb_calls(action: &str, body: &Value) -> Vec<(String, String, String)> {
    let table = |v: &Value| v["TableName"].as_str().unwrap_or_default().to_owned();
    let pk = |v: &Value| {
        v["Key"]["pk"]["S"]
            .as_str()
            .or(v["Item"]["pk"]["S"].as_str())
            .or(v["ExpressionAttributeValues"][":pk"]["S"].as_str())
            .unwrap_or("?")
            .to_owned()
    };
    if action == "TransactWriteItems" {
        let items = body["TransactItems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        return items
            .iter()
            .filter_map(|item| {
                let (kind, inner) = item.as_object()?.iter().next()?;
                let action = match kind.as_str() {
                    "Put" => "PutItem",
                    "Update" => "UpdateItem",
                    "Delete" => "DeleteItem",
                    "ConditionCheck" => "ConditionCheckItem",
                    other => other,
                };
                Some((action.to_owned(), table(inner), pk(inner)))
            })
            .collect();
    }
    vec![(action.to_owned(), table(body), pk(body))]
}

/// The interceptor the test clients carry.
#[derive(Debug)]
pub struct Recorder;

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "aws-calls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(function) = current_function() else {
            return Ok(());
        };
        let request = context.request();
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let Some(("DynamoDB_20120810", action)) = target.split_once('.') else {
            return Ok(());
        };
        let body: Value = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        let lines: String = dynamodb_calls(action, &body)
            .into_iter()
            .map(|(action, table, pk)| {
                let call = AwsCall {
                    function: function.to_owned(),
                    service: "dynamodb".to_owned(),
                    action,
                    table,
                    key_prefix: prefix(&pk),
                };
                call.to_json().to_string() + "\n"
            })
            .collect();
        append(&lines)?;
        Ok(())
    }
}

/// Adds recorded lines to this test process's file.
fn append(lines: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir())?;
    let file = dir().join(format!(
        "{}-{}.jsonl",
        std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_default(),
        std::process::id()
    ));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?
        .write_all(lines.as_bytes())
}

/// Records an S3 request of the mirror (its method and URL, path-style
/// `<endpoint>/<bucket>/<key>`) as the IAM action that authorises it, under the function being
/// served: `GetObject` (GET and HEAD of an object), `PutObject`, `CreateBucket`. The key is kept up
/// to its last `/` (`ranges/`).
pub fn record_s3(method: &str, url: &str) {
    let Some(function) = current_function() else {
        return;
    };
    let path = url.splitn(4, '/').nth(3).unwrap_or_default();
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let action = match (method, key.is_empty()) {
        ("GET" | "HEAD", false) => "GetObject",
        ("PUT", false) => "PutObject",
        ("PUT", true) => "CreateBucket",
        _ => "Unknown",
    };
    let call = AwsCall {
        function: function.to_owned(),
        service: "s3".to_owned(),
        action: action.to_owned(),
        table: bucket.to_owned(),
        key_prefix: key.rfind('/').map_or("", |i| &key[..=i]).to_owned(),
    };
    append(&(call.to_json().to_string() + "\n")).expect("record an S3 call");
}
