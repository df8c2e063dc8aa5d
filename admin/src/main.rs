//! `passwordapi-admin`: the operator's tool. It works on the deployment's table with the
//! operator's AWS credentials (the default chain); there is no admin endpoint. The commands are
//! `passwordapi::operator`'s; this file reads the command line and prints the answers.

mod breach;

use passwordapi::Config;
use passwordapi::operator::{self, Operator, OperatorError, Setting};
use passwordapi::quota::Month;
use passwordapi::store::dynamodb::DynamoStore;
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

const USAGE: &str = "\
usage: passwordapi-admin (--local | --table NAME [--region R] [--endpoint URL]) [--json] COMMAND

  --local              the table `make dev` uses (TABLE_NAME, default passwordapi) on DynamoDB
                       Local at 127.0.0.1:DYNAMODB_PORT (default 8000)
  --table NAME         a deployed table (the stack's TableName output), with the AWS credentials
                       and region of the environment (or --region, --endpoint)
  --json               JSON for scripts instead of tables

commands:
  accounts list [--plan P]
  accounts show <api key | account id>
  accounts set-plan <id> <plan>
  accounts set-limits <id> [--daily N|none] [--monthly N|none] [--max-count N|none]
  accounts expire <id> (--at RFC3339 | --never)
  accounts revoke <id>
  accounts reissue <id>
  plans list
  plans set <name> --daily N [--monthly N|none] [--max-count N]
  usage export --month YYYY-MM [--format csv|json]
  audit <id>
  breach status
  breach sync --prefixes FROM-TO [--bucket NAME]
                       sync those ranges of the breach mirror from HIBP_API_URL (--local: into
                       make dev's mirror; a deployment: its MirrorBucketName output)

Exit status: 0 done, 2 bad input (nothing written), 1 the table could not be reached.
";

/// Why the tool stops.
enum Failure {
    /// Bad input: exit 2.
    Usage(String),
    /// The table failed: exit 1.
    Store(String),
}

impl From<OperatorError> for Failure {
    fn from(e: OperatorError) -> Failure {
        match e {
            OperatorError::BadInput(m) => Failure::Usage(m),
            OperatorError::Store(e) => Failure::Store(e.to_string()),
        }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(args)) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(m)) => {
            eprintln!("passwordapi-admin: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Store(m)) => {
            eprintln!("passwordapi-admin: {m}");
            ExitCode::from(1)
        }
    }
}

/// Where the table is.
struct Target {
    table: String,
    region: Option<String>,
    endpoint: Option<String>,
    local: bool,
}

/// The command line: the global flags, then the command's words and its own flags.
struct Line {
    target: Target,
    json: bool,
    words: Vec<String>,
    flags: BTreeMap<String, String>,
    switches: Vec<String>,
}

/// Flags that take a value, and switches.
const VALUE_FLAGS: [&str; 12] = [
    "--table",
    "--prefixes",
    "--bucket",
    "--region",
    "--endpoint",
    "--plan",
    "--daily",
    "--monthly",
    "--max-count",
    "--at",
    "--month",
    "--format",
];
const SWITCHES: [&str; 4] = ["--local", "--json", "--never", "--help"];

fn parse(args: Vec<String>) -> Result<Line, Failure> {
    let mut words = Vec::new();
    let mut flags = BTreeMap::new();
    let mut switches = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if VALUE_FLAGS.contains(&name.as_str()) {
            let value = match inline {
                Some(v) => v,
                None => args
                    .next()
                    .ok_or_else(|| usage(format!("{name} needs a value")))?,
            };
            if flags.insert(name.clone(), value).is_some() {
                return Err(usage(format!("{name} is given twice")));
            }
        } else if SWITCHES.contains(&name.as_str()) || name == "-h" {
            switches.push(if name == "-h" {
                "--help".to_owned()
            } else {
                name
            });
        } else if name.starts_with("--") {
            return Err(usage(format!(
                "unknown flag {name} (--help lists the flags)"
            )));
        } else {
            words.push(arg);
        }
    }
    if switches.iter().any(|s| s == "--help") || words.is_empty() {
        return Err(usage(USAGE));
    }
    let local = switches.iter().any(|s| s == "--local");
    let target = match (local, flags.remove("--table")) {
        (true, Some(_)) => return Err(usage("--local and --table name two tables: give one")),
        (true, None) => Target {
            table: std::env::var("TABLE_NAME").unwrap_or_else(|_| "passwordapi".to_owned()),
            region: None,
            endpoint: Some(format!(
                "http://127.0.0.1:{}",
                std::env::var("DYNAMODB_PORT").unwrap_or_else(|_| "8000".to_owned())
            )),
            local: true,
        },
        (false, Some(table)) => Target {
            table,
            region: flags.remove("--region"),
            endpoint: flags.remove("--endpoint"),
            local: false,
        },
        (false, None) => {
            return Err(usage(
                "which table? --local (make dev's) or --table NAME (a deployment's)",
            ));
        }
    };
    if local && (flags.contains_key("--region") || flags.contains_key("--endpoint")) {
        return Err(usage(
            "--region and --endpoint go with --table, not --local",
        ));
    }
    let json = switches.iter().any(|s| s == "--json");
    Ok(Line {
        target,
        json,
        words,
        flags,
        switches,
    })
}

impl Line {
    /// The command's words after its name: exactly `n` of them.
    fn args(&self, skip: usize, names: &[&str]) -> Result<Vec<&str>, Failure> {
        let rest: Vec<&str> = self.words[skip..].iter().map(String::as_str).collect();
        if rest.len() != names.len() {
            let command = self.words[..skip].join(" ");
            let want = names
                .iter()
                .map(|n| format!("<{n}>"))
                .collect::<Vec<_>>()
                .join(" ");
            return Err(usage(format!("usage: {command} {want}")));
        }
        Ok(rest)
    }

    /// Refuses any flag the command does not take.
    fn only(&self, allowed: &[&str]) -> Result<(), Failure> {
        let stray = self
            .flags
            .keys()
            .chain(self.switches.iter().filter(|s| *s == "--never"))
            .find(|f| !allowed.contains(&f.as_str()));
        match stray {
            Some(flag) => Err(usage(format!(
                "{flag} does not go with {}",
                self.words.join(" ")
            ))),
            None => Ok(()),
        }
    }

    fn flag(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }
}

/// `N` or `none`.
fn setting(line: &Line, name: &str) -> Result<Setting, Failure> {
    match line.flag(name) {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(n) => Ok(Some(Some(number(name, n)?))),
    }
}

fn number(name: &str, text: &str) -> Result<u32, Failure> {
    text.parse().map_err(|_| {
        usage(format!(
            "{name} takes a whole number from 0 to 4294967295 (or none where allowed), not {text:?}"
        ))
    })
}

async fn run(args: Vec<String>) -> Result<String, Failure> {
    let line = parse(args)?;
    let config = Config::from_env().map_err(|e| usage(e.to_string()))?;
    let words: Vec<&str> = line.words.iter().map(String::as_str).collect();
    // Check the command line before reaching the table.
    if let Some(breach) = breach::command(&line, &words)? {
        let store = DynamoStore::new(client(&line.target).await, line.target.table.clone());
        return breach.run(&line, &config, &store).await;
    }
    let command = command(&line, &words)?;
    let store = DynamoStore::new(client(&line.target).await, line.target.table.clone());
    let actor = if command.changes() {
        actor(&line.target).await?
    } else {
        operator::LOCAL_ACTOR.to_owned()
    };
    let operator = Operator::new(store, actor, &config);
    command.run(&operator, line.json).await
}

/// One command, checked.
enum Command<'a> {
    List(Option<&'a str>),
    Show(&'a str),
    SetPlan(&'a str, &'a str),
    SetLimits(&'a str, Setting, Setting, Setting),
    Expire(&'a str, Option<i64>),
    Revoke(&'a str),
    Reissue(&'a str),
    Plans,
    SetPlanLimits(&'a str, u32, Setting, Option<u32>),
    Export(Month, bool),
    Audit(&'a str),
}

fn command<'a>(line: &'a Line, words: &[&'a str]) -> Result<Command<'a>, Failure> {
    // Named by its first two words only: the rest may be a key.
    let unknown = || {
        let named = words.iter().take(2).copied().collect::<Vec<_>>().join(" ");
        usage(format!(
            "unknown command {named:?} (--help lists the commands)"
        ))
    };
    Ok(match words {
        ["accounts", "list", ..] => {
            line.args(2, &[])?;
            line.only(&["--plan"])?;
            Command::List(line.flag("--plan"))
        }
        ["accounts", "show", ..] => {
            line.only(&[])?;
            Command::Show(line.args(2, &["id"])?[0])
        }
        ["accounts", "set-plan", ..] => {
            line.only(&[])?;
            let a = line.args(2, &["id", "plan"])?;
            Command::SetPlan(a[0], a[1])
        }
        ["accounts", "set-limits", ..] => {
            line.only(&["--daily", "--monthly", "--max-count"])?;
            let a = line.args(2, &["id"])?;
            Command::SetLimits(
                a[0],
                setting(line, "--daily")?,
                setting(line, "--monthly")?,
                setting(line, "--max-count")?,
            )
        }
        ["accounts", "expire", ..] => {
            line.only(&["--at", "--never"])?;
            let a = line.args(2, &["id"])?;
            let never = line.switches.iter().any(|s| s == "--never");
            let at = match (line.flag("--at"), never) {
                (Some(at), false) => Some(operator::parse_time(at)?),
                (None, true) => None,
                _ => {
                    return Err(usage(
                        "accounts expire takes one of --at RFC3339 and --never",
                    ));
                }
            };
            Command::Expire(a[0], at)
        }
        ["accounts", "revoke", ..] => {
            line.only(&[])?;
            Command::Revoke(line.args(2, &["id"])?[0])
        }
        ["accounts", "reissue", ..] => {
            line.only(&[])?;
            Command::Reissue(line.args(2, &["id"])?[0])
        }
        ["plans", "list", ..] => {
            line.only(&[])?;
            line.args(2, &[])?;
            Command::Plans
        }
        ["plans", "set", ..] => {
            line.only(&["--daily", "--monthly", "--max-count"])?;
            let a = line.args(2, &["name"])?;
            let daily = line
                .flag("--daily")
                .ok_or_else(|| usage("plans set needs --daily N"))?;
            let max_count = match line.flag("--max-count") {
                Some(n) => Some(number("--max-count", n)?),
                None => None,
            };
            Command::SetPlanLimits(
                a[0],
                number("--daily", daily)?,
                setting(line, "--monthly")?,
                max_count,
            )
        }
        ["usage", "export", ..] => {
            line.only(&["--month", "--format"])?;
            line.args(2, &[])?;
            let text = line
                .flag("--month")
                .ok_or_else(|| usage("usage export needs --month YYYY-MM"))?;
            let month = Month::parse(text)
                .ok_or_else(|| usage(format!("not a month (YYYY-MM): {text:?}")))?;
            let json = match line.flag("--format") {
                None => line.json,
                Some("csv") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(usage(format!("--format is csv or json, not {other:?}")));
                }
            };
            Command::Export(month, json)
        }
        ["audit", ..] => {
            line.only(&[])?;
            Command::Audit(line.args(1, &["id"])?[0])
        }
        _ => return Err(unknown()),
    })
}

impl Command<'_> {
    /// Whether it writes (and so names its actor).
    fn changes(&self) -> bool {
        matches!(
            self,
            Command::SetPlan(..)
                | Command::SetLimits(..)
                | Command::Expire(..)
                | Command::Revoke(..)
                | Command::Reissue(..)
                | Command::SetPlanLimits(..)
        )
    }

    async fn run(self, op: &Operator, json: bool) -> Result<String, Failure> {
        Ok(match self {
            Command::List(plan) => {
                let rows = op.list(plan).await?;
                render(json, &rows, |r| {
                    table(
                        &["account_id", "plan", "status", "usage_today"],
                        r.iter()
                            .map(|a| {
                                vec![
                                    a.account_id.clone(),
                                    a.plan.clone(),
                                    a.status.to_owned(),
                                    a.usage_today.to_string(),
                                ]
                            })
                            .collect(),
                    )
                })
            }
            Command::Show(id) => render(json, &op.show(id).await?, show),
            Command::SetPlan(id, plan) => render(json, &op.set_plan(id, plan).await?, show),
            Command::SetLimits(id, d, m, c) => {
                render(json, &op.set_limits(id, d, m, c).await?, show)
            }
            Command::Expire(id, at) => render(json, &op.expire(id, at).await?, show),
            Command::Revoke(id) => render(json, &op.revoke(id).await?, show),
            Command::Reissue(id) => render(json, &op.reissue(id).await?, |r| {
                format!(
                    "account_id   {}\napi_key      {}\nregen_token  {}\n\
                     Give both to the holder out of band; they are shown this once. The old key \
                     and token stop at their next request.\n",
                    r.account_id, r.api_key, r.regen_token
                )
            }),
            Command::Plans => render(json, &op.plans_list().await?, |p: &Vec<_>| plans(p)),
            Command::SetPlanLimits(name, daily, monthly, max_count) => {
                let plan = op.plans_set(name, daily, monthly, max_count).await?;
                render(json, &plan, |p| plans(std::slice::from_ref(p)))
            }
            Command::Export(month, as_json) => {
                let rows = op.export(month).await?;
                render(as_json, &rows, |rows| {
                    let mut out = "account_id,plan,day,usage\n".to_owned();
                    for r in rows {
                        out.push_str(&format!(
                            "{},{},{},{}\n",
                            r.account_id, r.plan, r.day, r.usage
                        ));
                    }
                    out
                })
            }
            Command::Audit(id) => render(json, &op.audit(id).await?, |events| {
                table(
                    &["time", "event", "actor", "change"],
                    events
                        .iter()
                        .map(|e| {
                            let change = e
                                .new
                                .iter()
                                .map(|(field, new)| {
                                    let old =
                                        e.old.get(field).map_or("-".to_owned(), |v| v.to_string());
                                    format!("{field}: {old} → {new}")
                                })
                                .collect::<Vec<_>>()
                                .join("; ");
                            vec![
                                operator::format_time(e.at),
                                e.event.to_owned(),
                                e.actor.clone(),
                                change,
                            ]
                        })
                        .collect(),
                )
            }),
        })
    }
}

/// JSON when asked, else the human form.
fn render<T: Serialize + ?Sized>(json: bool, value: &T, human: impl Fn(&T) -> String) -> String {
    if json {
        let mut out = serde_json::to_string_pretty(value).expect("answers serialise");
        out.push('\n');
        out
    } else {
        human(value)
    }
}

fn show(a: &operator::AccountView) -> String {
    let or_none = |v: Option<u32>| v.map_or("none".to_owned(), |v| v.to_string());
    let lines = [
        ("account_id", a.account_id.clone()),
        ("plan", a.plan.clone()),
        ("status", a.status.to_owned()),
        (
            "expires_at",
            a.expires_at
                .map_or("never".to_owned(), operator::format_time),
        ),
        ("daily limit", a.limits.daily.to_string()),
        ("monthly limit", or_none(a.limits.monthly)),
        ("max count", a.limits.max_count.to_string()),
        ("usage today", a.usage.today.to_string()),
        ("usage month", a.usage.month.to_string()),
        ("hard_limit", or_none(a.hard_limit)),
        ("created_at", operator::format_time(a.created_at)),
        ("key_version", a.key_version.to_string()),
    ];
    lines
        .iter()
        .map(|(k, v)| format!("{k:<14} {v}\n"))
        .collect()
}

fn plans(rows: &[operator::PlanRow]) -> String {
    table(
        &["name", "daily", "monthly", "max_count", "source"],
        rows.iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.daily.to_string(),
                    p.monthly.map_or("none".to_owned(), |m| m.to_string()),
                    p.max_count.to_string(),
                    p.source.to_owned(),
                ]
            })
            .collect(),
    )
}

/// Columns padded to their widest cell.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// The DynamoDB client for the target: the environment's credentials and region (placeholders
/// for DynamoDB Local, which accepts any), standard retries.
async fn client(target: &Target) -> aws_sdk_dynamodb::Client {
    let mut loader = passwordapi::aws::loader(None);
    if let Some(region) = &target.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(endpoint) = &target.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if target.local {
        loader = loader
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "local", "local", None, None, "local",
            ));
    }
    aws_sdk_dynamodb::Client::new(&loader.load().await)
}

/// Who the audit trail names: the operator's AWS principal (`sts:GetCallerIdentity`, which
/// needs no permission), or [`operator::LOCAL_ACTOR`] on a local table or endpoint.
async fn actor(target: &Target) -> Result<String, Failure> {
    if target.local || target.endpoint.is_some() {
        return Ok(operator::LOCAL_ACTOR.to_owned());
    }
    let mut loader = passwordapi::aws::loader(None);
    if let Some(region) = &target.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    let sts = aws_sdk_sts::Client::new(&loader.load().await);
    let me = sts.get_caller_identity().send().await.map_err(|e| {
        Failure::Store(format!(
            "cannot tell who you are (sts:GetCallerIdentity): {}",
            aws_sdk_sts::error::DisplayErrorContext(&e)
        ))
    })?;
    me.arn()
        .map(str::to_owned)
        .ok_or_else(|| Failure::Store("sts:GetCallerIdentity named no principal".to_owned()))
}
