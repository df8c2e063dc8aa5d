//! Helpers shared by the integration tests: API Gateway HTTP API (v2) events and response reading.

pub mod aws_calls;
pub mod counting;
pub mod dynamo;
pub mod range_server;
pub mod runtime_api;
pub mod s3;
pub mod secrets;
pub mod watch;

use lambda_http::http::Response;
use lambda_http::{Body, Request};
use serde_json::{Value, json};

/// A request as API Gateway HTTP API delivers it, through the same deserialiser the runtime uses.
pub struct Event {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    base64: bool,
    source_ip: String,
}

impl Event {
    /// `method path` with no query, headers or body, from 203.0.113.7.
    pub fn new(method: &str, path: &str) -> Event {
        Event {
            method: method.into(),
            path: path.into(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
            base64: false,
            source_ip: "203.0.113.7".into(),
        }
    }

    /// `POST path` with a body.
    pub fn post(path: &str, body: &str) -> Event {
        Event::new("POST", path).body(body)
    }

    /// An MCP `tools/call` of `tool` with `arguments`, as a client sends it to `/mcp`.
    pub fn mcp_call(tool: &str, arguments: serde_json::Value) -> Event {
        let message = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                         "params": {"name": tool, "arguments": arguments}});
        Event::post("/mcp", &message.to_string())
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
    }

    /// Sets the raw query string.
    pub fn query(mut self, query: &str) -> Event {
        self.query = query.into();
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Event {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a text body.
    pub fn body(mut self, body: &str) -> Event {
        self.body = Some(body.into());
        self
    }

    /// Sets a binary body (base64-encoded in the event, as API Gateway sends non-text payloads).
    pub fn binary_body(mut self, bytes: &[u8]) -> Event {
        self.body = Some(base64(bytes));
        self.base64 = true;
        self
    }

    /// Sets the client address API Gateway reports.
    pub fn source_ip(mut self, ip: &str) -> Event {
        self.source_ip = ip.into();
        self
    }

    /// The event JSON.
    pub fn to_json(&self) -> Value {
        let mut headers = serde_json::Map::new();
        for (name, value) in &self.headers {
            // API Gateway joins repeated headers with commas.
            let key = name.to_ascii_lowercase();
            let joined = match headers.get(&key) {
                Some(Value::String(prev)) => format!("{prev},{value}"),
                _ => value.clone(),
            };
            headers.insert(key, Value::String(joined));
        }
        let mut event = json!({
            "version": "2.0",
            "routeKey": format!("ANY {}", self.path),
            "rawPath": self.path,
            "rawQueryString": self.query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
                "domainPrefix": "abc123",
                "http": {
                    "method": self.method,
                    "path": self.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": self.source_ip,
                    "userAgent": "integration-tests"
                },
                "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                "routeKey": format!("ANY {}", self.path),
                "stage": "$default",
                "time": "23/Nov/2026:12:00:00 +0000",
                "timeEpoch": 1_795_435_200_000u64
            },
            "isBase64Encoded": self.base64
        });
        if let Some(body) = &self.body {
            event["body"] = Value::String(body.clone());
        }
        event
    }

    /// The request the handler receives.
    pub fn request(&self) -> Request {
        lambda_http::request::from_str(&self.to_json().to_string())
            .expect("a valid API Gateway v2 event")
    }
}

/// The workspace root.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// template.yaml, parsed.
pub fn template() -> serde_norway::Value {
    serde_norway::from_str(
        &std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml"),
    )
    .expect("template.yaml parses")
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A pepper for tests (the functions read theirs from `EMAIL_PEPPER`).
pub const TEST_PEPPER: &str = "test-pepper-test-pepper-test-pepper-0123";

/// The default configuration with the test pepper.
pub fn test_config() -> passwordapi::Config {
    passwordapi::Config {
        pepper: passwordapi::keys::Pepper::new(TEST_PEPPER.as_bytes()),
        ..passwordapi::Config::default()
    }
}

/// Serves `request` as the deployed API does: API Gateway's routing (the function the registry
/// names for its path, every other path generate's `$default`), then that function's own
/// dispatcher (`http::dispatch`, the one the binaries run).
pub async fn serve(
    app: &std::sync::Arc<passwordapi::http::App>,
    breaches: &passwordapi::evaluate::breach::RangeCache<passwordapi::evaluate::hibp::HibpClient>,
    request: Request,
) -> Response<Body> {
    use lambda_http::RequestExt;
    use passwordapi::evaluate::breach::RangeCache;
    use passwordapi::evaluate::hibp::HibpClient;
    use passwordapi::http::{dispatch, mcp::McpServer, registry};
    // API Gateway's part: the function that owns the path ($default: generate).
    let function = registry::find(request.raw_http_path()).map_or("generate", |e| e.function);
    // The function's part is the functions' own dispatcher. The MCP server holds its breach
    // source: the caller's, never the configuration's (the real HaveIBeenPwned).
    let mcp = (function == "mcp").then(|| {
        let source = HibpClient::new(breaches.source().base_url());
        McpServer::new(std::sync::Arc::clone(app), RangeCache::new(source))
    });
    let services = dispatch::Services {
        app: Some(&**app),
        breaches: Some(breaches),
        mcp: mcp.as_ref(),
    };
    crate::aws_calls::as_function(function, dispatch::serve(function, &services, request))
        .await
        .unwrap()
}

/// An app on a fresh in-memory store, for HTTP tests that are not about storage.
pub fn memory_app(config: passwordapi::Config) -> std::sync::Arc<passwordapi::http::App> {
    let config = passwordapi::Config {
        pepper: passwordapi::keys::Pepper::new(TEST_PEPPER.as_bytes()),
        ..config
    };
    std::sync::Arc::new(
        passwordapi::http::App::new(
            config,
            std::sync::Arc::new(passwordapi::store::memory::MemoryStore::new()),
        )
        .expect("the config has a pepper"),
    )
}

/// A well-formed API key (valid checksum) that no account has.
pub fn unregistered_key() -> String {
    use passwordapi::keys::{Kind, Token};
    let mut rng = passwordapi::generate::random::request_rng();
    Token::issue(Kind::ApiKey, "unregistered", &mut rng).reveal()
}

/// The body of a response as text.
pub fn body_text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    }
}

/// The body of a response as JSON.
pub fn body_json(response: &Response<Body>) -> Value {
    serde_json::from_str(&body_text(response))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", body_text(response)))
}

/// A response header as text.
pub fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A response read off the wire.
#[derive(Debug)]
pub struct WireResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl WireResponse {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`), for end-to-end tests.
pub fn http(
    port: u16,
    method: &str,
    target: &str,
    body: Option<&str>,
) -> reqwest::Result<WireResponse> {
    http_with(port, method, target, body, &[])
}

/// [`http`] with extra request headers (reqwest's blocking client, one connection per call).
pub fn http_with(
    port: u16,
    method: &str,
    target: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Result<WireResponse> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method token");
    passwordapi::net::install_tls();
    let mut request = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(300))
        .pool_max_idle_per_host(0)
        .build()?
        .request(method, format!("http://127.0.0.1:{port}{target}"))
        .header("content-type", "application/json")
        .body(body.unwrap_or("").to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send()?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_owned(), value)
        })
        .collect();
    let body = response.text()?;
    Ok(WireResponse {
        status,
        headers,
        body,
    })
}

/// CPU time of this thread so far.
pub fn thread_cpu() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is valid on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Five required sets (the most counted) that split the alphabet into 32 atoms: 31 letters, the
/// `i`-th in the sets of `i`'s bits, and the rest of ASCII: the largest count table.
fn thirty_two_atoms() -> String {
    let letters: Vec<char> = ('b'..='z').chain('A'..='H').collect();
    let mut text = String::new();
    for bit in 0..5 {
        let set: String = (1..32usize)
            .filter(|i| i >> bit & 1 == 1)
            .map(|i| letters[i - 1])
            .collect();
        text.push_str(&format!("required: [{set}]; "));
    }
    text + "allowed: ascii-printable;"
}

/// Five required sets of one letter each in 95 characters: met late, if at all.
const SINGLE_LETTER_SETS: &str = "required: [a]; required: [b]; required: [c]; required: [d]; \
                                  required: [e]; allowed: ascii-printable; max-repeating: 2";

/// Five single-letter sets among letters and digits (all in sequences) with no two in a row:
/// few strings that keep the runs meet the sets, and few that meet the sets keep the runs.
const SEQUENCE_SINGLE_LETTER_SETS: &str = "required: [q]; required: [G]; required: [m]; \
    required: [T]; required: [5]; allowed: lower, upper, digit; max-consecutive: 1";

/// The same among the lower-case letters alone: the densest sequences.
const SEQUENCE_SINGLE_LOWER_SETS: &str = "required: [q]; required: [g]; required: [m]; \
    required: [t]; required: [e]; allowed: lower; max-consecutive: 1";

/// The largest `count` the hostile-cost corpus asks for: an app measuring it must allow it.
pub const COSTLY_MAX_COUNT: u32 = 500;

/// The plainest request with the same output as `request` to `path` (a request of the hostile-cost
/// corpus): as many passwords of the longest length, as many 20-word passphrases, or a password
/// as long scored against the same user inputs.
pub fn plain_counterpart(path: &str, request: &Value) -> Value {
    let count = request["count"].as_u64().unwrap_or(1);
    match (path, request["mode"].as_str()) {
        ("/v1/evaluate", _) => {
            let length = request["password"].as_str().unwrap().chars().count();
            let letters: String = "correcthorsebatterystaple"
                .chars()
                .cycle()
                .take(length)
                .collect();
            json!({
                "password": letters,
                "user_inputs": request["user_inputs"],
                "dictionaries": request["dictionaries"],
                "locale": request["locale"],
            })
        }
        (_, Some("passphrase")) => json!({"mode": "passphrase", "words": 20, "count": count}),
        _ => json!({"length": 256, "count": count}),
    }
}

/// How many times its [`plain_counterpart`] a request of the corpus may cost. Release figures
/// (`make bench`): the worst generate is ~5× its plain request (debug ~20×), the worst evaluate
/// ~3×; before the bounds, 9 000× and 8×.
pub fn cost_bound(path: &str) -> f64 {
    if path == "/v1/evaluate" { 5.0 } else { 50.0 }
}

/// Requests built to cost the most work each endpoint can be made to do, accepted or refused:
/// `(path, JSON body)`. The tests bound each against the default request; `make bench` prints the
/// worst of each endpoint against the stated bound.
pub fn costly_requests() -> Vec<(&'static str, String)> {
    let every_min = |n: u32| json!({"min_lowercase": n, "min_uppercase": n, "min_numbers": n, "min_symbols": n});
    let merge = |mut a: Value, b: Value| {
        for (k, v) in b.as_object().unwrap() {
            a[k] = v.clone();
        }
        a
    };
    // 256 distinct visible non-ASCII symbols (arrows, mathematical operators, box drawing).
    let unicode_symbols: String = ('\u{2190}'..='\u{21FF}')
        .chain('\u{2200}'..='\u{228F}')
        .chain('\u{2500}'..='\u{251F}')
        .take(256)
        .collect();
    let generate = [
        merge(
            json!({"profession": "developer", "length": 44, "min_entropy": 1600}),
            every_min(8),
        ),
        merge(
            json!({"profession": "doctor", "length": 40, "quantum": true}),
            every_min(4),
        ),
        merge(json!({"length": 32, "min_entropy": 300}), every_min(5)),
        json!({"length": 256, "count": COSTLY_MAX_COUNT}),
        merge(
            json!({"length": 256, "count": COSTLY_MAX_COUNT}),
            every_min(64),
        ),
        merge(
            json!({"length": 256, "count": COSTLY_MAX_COUNT}),
            every_min(16),
        ),
        merge(
            json!({"length": 4, "min_entropy": 1650, "count": COSTLY_MAX_COUNT}),
            every_min(30),
        ),
        json!({"length": 256, "count": COSTLY_MAX_COUNT, "symbol_set": "!", "min_symbols": 128,
               "min_numbers": 40, "min_uppercase": 40, "exclude": "123456789ABCDEFGHIJKLMNOPQRSTUVWXY"}),
        json!({"profession": "legal", "length": 256, "count": COSTLY_MAX_COUNT,
               "min_numbers": 100, "exclude": "123456789", "compliance": "dod", "quantum": true}),
        json!({"length": 256, "count": COSTLY_MAX_COUNT, "symbol_set": unicode_symbols,
               "min_symbols": 200, "avoid_ambiguous": true, "exclude": "abcdefghijklm".repeat(100)}),
        json!({"mode": "passphrase", "words": 20, "count": COSTLY_MAX_COUNT, "profession": "legal",
               "separator": "-~-", "capitalize": true, "include_number": true, "min_entropy": 300}),
        json!({"mode": "passphrase", "count": COSTLY_MAX_COUNT, "profession": "developer",
               "compliance": "dod", "quantum": true}),
        // passwordrules: the most atoms five required sets can make (32), the longest table, runs
        // of one; single-character sets, met late; and a min_entropy that counts every length
        // before it is refused.
        json!({"length": 256, "count": COSTLY_MAX_COUNT, "passwordrules": thirty_two_atoms() + " max-repeating: 1"}),
        json!({"length": 256, "count": COSTLY_MAX_COUNT, "passwordrules": thirty_two_atoms() + " max-repeating: 2"}),
        json!({"length": 12, "count": COSTLY_MAX_COUNT, "passwordrules": thirty_two_atoms() + " max-repeating: 1"}),
        json!({"length": 256, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        // Around the switch from walking through unmet sets to proposing and rejecting.
        json!({"length": 64, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        json!({"length": 112, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        json!({"length": 120, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        json!({"length": 136, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        json!({"length": 152, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        json!({"length": 168, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS}),
        json!({"length": 5, "count": COSTLY_MAX_COUNT, "min_entropy": 5000, "passwordrules": thirty_two_atoms()}),
        // Limits on sequences: the longest length they allow (32), the most atoms, the tightest
        // limits; five single-letter sets, where neither proposal accepts often (the worst a
        // search over alphabets, sets, limits and lengths found: about 1 in 8, lower case at
        // 28); and a min_entropy that counts every length first.
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": thirty_two_atoms() + " max-consecutive: 1"}),
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": thirty_two_atoms() + " max-consecutive: 2"}),
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": "required: upper; required: lower; required: digit; required: special; max-consecutive: 1"}),
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": "allowed: digit; max-sequential: 1; max-repeating: 1"}),
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": SEQUENCE_SINGLE_LETTER_SETS}),
        json!({"length": 28, "count": COSTLY_MAX_COUNT, "passwordrules": SEQUENCE_SINGLE_LOWER_SETS}),
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": SEQUENCE_SINGLE_LOWER_SETS.replace("max-consecutive: 1", "max-sequential: 1; max-repeating: 2")}),
        json!({"length": 32, "count": COSTLY_MAX_COUNT, "passwordrules": SINGLE_LETTER_SETS.replace("max-repeating: 2", "max-sequential: 1")}),
        json!({"length": 5, "count": COSTLY_MAX_COUNT, "min_entropy": 5000, "passwordrules": thirty_two_atoms() + " max-consecutive: 1"}),
    ];
    // The longest passwords accepted (128 characters), of the kinds slowest for zxcvbn.
    let cycle = |pattern: &str| -> String { pattern.chars().cycle().take(128).collect() };
    // The l33t characters that map to two letters, in no repeating order (a fixed LCG).
    let scramble = |pattern: &str, len: usize| -> String {
        let chars: Vec<char> = pattern.chars().collect();
        let mut x = 12345u64;
        (0..len)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                chars[(x >> 33) as usize % chars.len()]
            })
            .collect()
    };
    let leet = cycle("4@8(3!1|0$5+7%2^6&9*#~=?<>{}[]");
    let inputs: Vec<String> = (0..32)
        .map(|i| {
            "P4$$w0rd!qwerty"
                .chars()
                .cycle()
                .skip(i)
                .take(128)
                .collect()
        })
        .collect();
    let near_misses: Vec<String> = (0..32).map(|_| "a".repeat(63) + "b").collect();
    // The three largest language packs, the most a request may name.
    let all = ["de", "es", "fr"];
    assert_eq!(all.len(), passwordapi::evaluate::MAX_DICTIONARIES);
    let long_rules: String = "required: upper, lower; required: [-!#$%&*+.;=?@^_~]; "
        .repeat(20)
        .chars()
        .take(1024)
        .collect();
    let evaluate = [
        json!({"password": leet, "user_inputs": inputs}),
        json!({"password": cycle("1|!l0O@a4$5"), "user_inputs": inputs}),
        json!({"password": cycle("1!|@4$5+70"), "user_inputs": inputs}),
        json!({"password": cycle("4@8(3!1|0$5+7%2^").chars().take(16).collect::<String>(), "user_inputs": inputs}),
        json!({"password": cycle("1!|@4$5").chars().take(16).collect::<String>(), "user_inputs": inputs}),
        json!({"password": scramble("1|7!+", 128), "user_inputs": inputs}),
        json!({"password": scramble("1|7!+@4", 128), "user_inputs": inputs}),
        json!({"password": scramble("1|7!+@4", 16), "user_inputs": inputs}),
        json!({"password": cycle("qwertyuiop[]asdfghjkl;'zxcvbnm,./"), "user_inputs": inputs}),
        json!({"password": cycle("пароль密码パスワード🔐"), "user_inputs": inputs}),
        // Policy verdicts: the context-word search at its worst (every character a l33t form of
        // the input's, the mismatch at the end, both directions), and the longest passwordrules.
        json!({"password": "4".repeat(128), "user_inputs": near_misses, "policy": "nist"}),
        json!({"password": leet, "user_inputs": inputs, "policy": "nist", "mfa": true}),
        json!({"password": cycle("Ab1!"), "policy": {"passwordrules": long_rules}}),
        // The most language packs: the most matches (words of every language back to back, names,
        // l33t look-alikes that each read as several letters).
        json!({"password": cycle("thepasswordandloveiloveyoumonkeydragonsunshinemasterlifeismynameisjohnsmithjones"), "user_inputs": inputs, "dictionaries": all, "locale": "de"}),
        json!({"password": cycle("1|!l"), "user_inputs": inputs, "dictionaries": all}),
        json!({"password": cycle("il1|"), "user_inputs": inputs, "dictionaries": all}),
        json!({"password": cycle("annamariajo"), "user_inputs": inputs, "dictionaries": all}),
        json!({"password": cycle("7+t1l|"), "user_inputs": inputs, "dictionaries": all}),
    ];
    generate
        .into_iter()
        .map(|b| ("/v1/generate", b.to_string()))
        .chain(
            evaluate
                .into_iter()
                .map(|b| ("/v1/evaluate", b.to_string())),
        )
        .collect()
}

/// The plan `name` with a daily limit and a `count` maximum, no monthly limit.
pub fn plan(name: &str, daily: u32, max_count: u32) -> passwordapi::plan::Plan {
    passwordapi::plan::Plan {
        name: name.to_owned(),
        daily,
        monthly: None,
        max_count,
    }
}

/// The operator's tool (`passwordapi-admin`), built (debug) and its path.
pub fn admin_tool() -> std::path::PathBuf {
    let built = std::process::Command::new("cargo")
        .args(["build", "--quiet", "-p", "passwordapi-admin"])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(built.success());
    root().join("target/debug/passwordapi-admin")
}
