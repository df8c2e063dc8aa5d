//! The operator's tool (`passwordapi-admin`) against DynamoDB Local with the local API running
//! (`cargo lambda watch`), each command's effect seen through the HTTP API: plans and limits on
//! the next request, an exact monthly limit under concurrency across two simulated days (two
//! local APIs on one table, their clocks a day apart) and the month after, revoke, reissue,
//! expiry, the usage export against the usage endpoint, the audit trail, and bad input.

use integration_tests::watch::{LocalApi, wait_for};
use integration_tests::{WireResponse, http_with, root};
use passwordapi::quota::{Day, Month, now_ms};
use serde_json::{Value, json};
use std::process::{Command, Output};

/// Runs the tool on `api`'s table (`--local`, with the API's clock).
struct Admin {
    program: std::path::PathBuf,
    dynamo_port: String,
    table: String,
    clock_offset_ms: i64,
    /// More of the environment (the breach commands': the mirror and the range API).
    env: Vec<(&'static str, String)>,
}

impl Admin {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.program)
            .arg("--local")
            .args(args)
            .env("DYNAMODB_PORT", &self.dynamo_port)
            .env("TABLE_NAME", &self.table)
            .env("CLOCK_OFFSET_MS", self.clock_offset_ms.to_string())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env_remove("AWS_ACCESS_KEY_ID")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed, with `--json`: its answer.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Runs a command that must be refused as bad input: exit 2, one line on stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        stderr
    }
}

fn send(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    key: Option<&str>,
) -> WireResponse {
    let headers: Vec<(&str, &str)> = key.map(|k| ("x-api-key", k)).into_iter().collect();
    http_with(port, method, path, body, &headers).unwrap()
}

fn generate(port: u16, key: &str, count: u32) -> WireResponse {
    let body = json!({"count": count, "length": 8}).to_string();
    send(port, "POST", "/v1/generate", Some(&body), Some(key))
}

fn register(port: u16, email: &str) -> (String, String) {
    let body = json!({"email": email}).to_string();
    let r = send(port, "POST", "/v1/keys/register", Some(&body), None);
    assert_eq!(r.status, 201, "{}", r.body);
    let json = r.json();
    (
        json["api_key"].as_str().unwrap().to_owned(),
        json["regen_token"].as_str().unwrap().to_owned(),
    )
}

fn usage(port: u16, key: &str) -> Value {
    let r = send(port, "GET", "/v1/keys/usage", None, Some(key));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// Noon UTC on the `day`th of `month`, as an offset from the system clock.
fn offset_to(month: Month, day: u32) -> i64 {
    Day::from_civil(month.year, month.month, day).start_ms() + 12 * 3_600_000 - now_ms()
}

fn start(first: Option<&LocalApi>, name: &str, offset: i64) -> LocalApi {
    let env = [
        ("CLOCK_OFFSET_MS", offset.to_string()),
        ("PLANS_REFRESH_SECONDS", "1".to_owned()),
    ];
    let api = match first {
        None => LocalApi::start(name, &env),
        Some(first) => LocalApi::beside(first, name, &env),
    };
    for path in [
        "/v1/generate",
        "/v1/keys/register",
        "/v1/keys/usage",
        "/v1/keys/events",
    ] {
        wait_for(api.port, path, &api.log);
    }
    api
}

#[test]
fn the_operators_tool_changes_what_the_api_does_from_the_next_request() {
    let program = integration_tests::admin_tool();
    // Two simulated days of one month (the 10th and 11th of next month), and the month after.
    // One offset for the first day's API and the tool, so their clocks agree.
    let this = Day::from_unix_ms(now_ms()).month().next();
    let offset = offset_to(this, 10);
    let day1 = start(None, "passwordapi-admin", offset);
    let day2 = start(Some(&day1), "passwordapi-admin-day2", offset + 86_400_000);
    let admin = Admin {
        program,
        dynamo_port: day1.dynamo_endpoint.rsplit(':').next().unwrap().to_owned(),
        table: day1.table.clone(),
        clock_offset_ms: offset,
        env: Vec::new(),
    };
    let (a, b) = (day1.port, day2.port);

    // Plans: the seeds, as the table holds them once a function has read them.
    let (key, regen) = register(a, "team@example.com");
    let plans = admin.json(&["plans", "list"]);
    let names: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["anonymous", "free", "team"]);

    // A plan change raises the key's limit and count maximum on its next request (the container
    // holds the key verified on the free plan).
    assert_eq!(generate(a, &key, 200).status, 400);
    let shown = admin.json(&["accounts", "set-plan", &key, "team"]);
    assert_eq!(
        (
            shown["plan"].as_str(),
            shown["limits"]["max_count"].as_u64()
        ),
        (Some("team"), Some(500))
    );
    let r = generate(a, &key, 200);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(r.json()["passwords"].as_array().unwrap().len(), 200);

    // A plan's own limits reach warm functions within the refresh (1 s here).
    let (small, _) = register(a, "small@example.com");
    admin.json(&["plans", "set", "pro", "--daily", "3", "--max-count", "2"]);
    admin.json(&["accounts", "set-plan", &small, "pro"]);
    assert_eq!(generate(a, &small, 3).status, 400);
    assert_eq!(generate(a, &small, 2).status, 200);
    admin.json(&["plans", "set", "pro", "--daily", "2"]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(generate(a, &small, 1).status, 200);
    let over = generate(a, &small, 1);
    assert_eq!(
        (over.status, over.json()["error"].as_str()),
        (429, Some("RATE_LIMIT_EXCEEDED"))
    );

    // A monthly limit of 10: exactly 10 of 30 concurrent requests, half on each day.
    let (metered, _) = register(a, "monthly@example.com");
    let shown = admin.json(&[
        "accounts",
        "set-limits",
        &metered,
        "--monthly",
        "10",
        "--daily",
        "100",
    ]);
    assert_eq!(
        shown["limits"],
        json!({"daily": 100, "monthly": 10, "max_count": 10})
    );
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let tasks: Vec<_> = (0..30)
            .map(|i| {
                let (port, key) = (if i % 2 == 0 { a } else { b }, metered.clone());
                s.spawn(move || generate(port, &key, 1).status)
            })
            .collect();
        tasks.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        20,
        "{statuses:?}"
    );
    let refused = generate(a, &metered, 1);
    let body = refused.json();
    assert_eq!(
        (refused.status, body["error"].as_str()),
        (429, Some("MONTHLY_LIMIT_EXCEEDED"))
    );
    let next_month = this.next().first_day().start_ms();
    assert_eq!(body["reset_at"].as_i64(), Some(next_month));
    assert_eq!(
        refused.header("x-ratelimit-reset"),
        Some(next_month.to_string().as_str())
    );
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        refused
            .header("retry-after")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 86_400 * 10
    );
    let bunny = send(
        b,
        "POST",
        "/api/v1/random-password/generate",
        Some("{}"),
        Some(&metered),
    );
    assert_eq!(bunny.status, 402, "{}", bunny.body);
    assert_eq!(
        bunny.json()["detail"],
        "Monthly quota exceeded. Upgrade your plan."
    );
    let report = usage(a, &metered);
    assert_eq!(report["month"]["usage"], 10);
    assert_eq!(report["month"]["limit"], 10);
    assert_eq!(report["month"]["reset_at"], next_month);

    // The next month admits again.
    let month2 = start(
        Some(&day1),
        "passwordapi-admin-month2",
        offset_to(this.next(), 10),
    );
    assert_eq!(generate(month2.port, &metered, 1).status, 200);
    drop(month2);

    // Anonymous requests: one total per day in the export, never an address.
    for _ in 0..3 {
        assert_eq!(send(a, "GET", "/v1/generate", None, None).status, 200);
    }

    // The export's CSV, read by Python's csv module, sums to what the usage endpoint reports.
    let out = admin.run(&["usage", "export", "--month", &this.iso()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sums = python_csv_sums(&out.stdout);
    for (k, email) in [(&key, "team"), (&small, "small"), (&metered, "monthly")] {
        let report = usage(a, k);
        let id = &k["pwa_live_".len().."pwa_live_".len() + 12];
        assert_eq!(sums[id], report["month"]["usage"], "{email}");
    }
    assert_eq!(sums["anonymous"], 3);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("127.0.0.1"));
    let rows = admin.json(&["usage", "export", "--month", &this.iso()]);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["day"].as_str().unwrap().starts_with(&this.iso()))
    );

    // Revoke: the key and its regeneration token stop at their next request.
    let before = admin.json(&["accounts", "show", &key]);
    assert_eq!(before["usage"]["today"], 1);
    let shown = admin.json(&["accounts", "revoke", &key]);
    assert_eq!(shown["status"], "revoked");
    let r = generate(a, &key, 1);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("API_KEY_REVOKED"))
    );
    let regen_body = json!({"email": "team@example.com", "regen_token": regen}).to_string();
    let r = send(a, "POST", "/v1/keys/regenerate", Some(&regen_body), None);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("API_KEY_REVOKED"))
    );
    assert_eq!(
        send(a, "GET", "/v1/keys/usage", None, Some(&key)).status,
        401
    );

    // Reissue: a new key for the same account and counters; the old one stays refused.
    let reissued = admin.json(&["accounts", "reissue", &key]);
    let new_key = reissued["api_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, key);
    assert!(
        reissued["regen_token"]
            .as_str()
            .unwrap()
            .starts_with("pwa_regen_")
    );
    assert_eq!(generate(a, &new_key, 1).status, 200);
    let r = generate(a, &key, 1);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("API_KEY_NOT_FOUND"))
    );
    let report = usage(a, &new_key);
    assert_eq!(
        (report["usage"].as_u64(), report["plan"].as_str()),
        (Some(2), Some("team"))
    );
    let shown = admin.json(&["accounts", "show", &new_key]);
    assert_eq!(
        (shown["status"].as_str(), shown["key_version"].as_u64()),
        (Some("active"), Some(2))
    );

    // An expiry in the past: refused from the next request; an expiry in the future is shown.
    let future = admin.json(&["accounts", "expire", &small, "--at", "2099-01-01T00:00:00Z"]);
    assert_eq!(future["expires_at"], 4_070_908_800_000_i64);
    assert_eq!(usage(a, &small)["expires_at"], 4_070_908_800_000_i64);
    admin.json(&["accounts", "expire", &small, "--at", "2020-01-01T00:00:00Z"]);
    let r = generate(b, &small, 1);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("API_KEY_EXPIRED"))
    );
    assert_eq!(
        admin.json(&["accounts", "show", &small])["status"],
        "expired"
    );

    // Every change shows in the audit trail with its actor, and to the holder.
    let audit = admin.json(&["audit", &new_key]);
    let trail: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        trail,
        [
            ("reissued", "local-operator"),
            ("revoked", "local-operator"),
            ("plan_changed", "local-operator"),
            ("registered", "self"),
        ]
    );
    assert_eq!(audit[2]["old"], json!({"plan": "free"}));
    assert_eq!(audit[2]["new"], json!({"plan": "team"}));
    let events = send(a, "GET", "/v1/keys/events", None, Some(&new_key));
    assert_eq!(events.status, 200, "{}", events.body);
    assert_eq!(events.header("cache-control"), Some("no-store"));
    assert_eq!(events.json()["events"], audit);
    for secret in [&key, &new_key, &regen] {
        assert!(!events.body.contains(secret.as_str()));
    }
    let accounts = admin.json(&["accounts", "list", "--plan", "team"]);
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["usage_today"], 2);

    // Bad input: exit 2, one line, nothing written.
    let trail_before = admin.json(&["audit", &new_key]);
    let shown_before = admin.json(&["accounts", "show", &new_key]);
    for args in [
        vec!["accounts", "show", "ZZZZZZZZZZZZ"],
        vec!["accounts", "set-plan", &new_key, "gold"],
        vec!["accounts", "set-limits", &new_key, "--daily", "1"],
        vec!["accounts", "set-limits", &new_key, "--monthly", "1"],
        vec!["accounts", "set-limits", &new_key, "--daily", "lots"],
        vec!["accounts", "set-limits", &new_key],
        vec!["accounts", "expire", &new_key, "--at", "tomorrow"],
        vec!["accounts", "expire", &new_key],
        vec!["accounts", "reissue", "pwa_live_short"],
        vec!["plans", "set", "Gold Plan", "--daily", "5"],
        vec!["plans", "set", "gold"],
        vec!["usage", "export", "--month", "2026-13"],
        vec!["usage", "export", "--month", &this.iso(), "--format", "xml"],
        vec!["accounts", "frobnicate", &new_key],
        vec!["accounts", "show", &new_key, "--daily", "3"],
    ] {
        admin.refused(&args);
    }
    let out = Command::new(&admin.program)
        .args(["accounts", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no table named");
    assert_eq!(admin.json(&["audit", &new_key]), trail_before);
    assert_eq!(admin.json(&["accounts", "show", &new_key]), shown_before);
    let plans_after = admin.json(&["plans", "list"]);
    assert!(
        !plans_after
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "gold")
    );

    // `make admin ARGS=…`, as README gives it, on the same table.
    let out = Command::new("make")
        .args(["--no-print-directory", "admin", "ARGS=plans list"])
        .current_dir(root())
        .env("DYNAMODB_PORT", &admin.dynamo_port)
        .env("TABLE_NAME", &admin.table)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("name") && text.contains("pro "), "{text}");

    // The human forms: tables with their columns.
    let out = admin.run(&["accounts", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("account_id"), "{text}");
    assert_eq!(
        text.lines().count(),
        4,
        "a header and three accounts: {text}"
    );
    let out = admin.run(&["audit", &new_key]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("plan: \"free\" → \"team\""), "{text}");
}

/// Sums of the export's `usage` per `account_id`, as Python's csv module reads the CSV.
fn python_csv_sums(csv: &[u8]) -> Value {
    let python = root().join(".venv/bin/python");
    let mut child = Command::new(&python)
        .args([
            "-c",
            "import csv, json, sys\n\
             rows = list(csv.DictReader(sys.stdin))\n\
             assert rows and list(rows[0]) == ['account_id', 'plan', 'day', 'usage'], rows[:1]\n\
             sums = {}\n\
             for r in rows: sums[r['account_id']] = sums.get(r['account_id'], 0) + int(r['usage'])\n\
             print(json.dumps(sums))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| integration_tests::watch::missing(&format!(".venv/bin/python ({e})")));
    use std::io::Write;
    child.stdin.take().unwrap().write_all(csv).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `breach sync` fills `make dev`'s mirror (SeaweedFS, with the placeholder credentials the
/// tool signs with for --local) from the range API stand-in, as the function would: found with
/// its count, then unchanged on a second run; a failing upstream is exit 1 naming the prefixes;
/// `breach status` reports the scheduled pass (none yet); bad prefixes are refused.
#[tokio::test(flavor = "current_thread")]
async fn the_breach_commands_sync_a_slice_and_report_the_sync() {
    use integration_tests::range_server::{Behaviour, RangeServer, sha1_hex};
    use integration_tests::s3::LocalS3;
    use passwordapi::evaluate::breach::{BreachCheck, check};
    use passwordapi::evaluate::bucket::Bucket;
    use passwordapi::evaluate::mirror::Mirror;
    let s3 = LocalS3::start().await;
    let bucket = Bucket::new(
        &s3.endpoint(),
        "passwordapi-mirror",
        "us-east-1",
        Bucket::static_credentials("local", "local"),
        std::time::Duration::from_secs(5),
    );
    bucket.create().await.unwrap();
    let upstream = RangeServer::start(&[("password", 42)], &[], Behaviour::Normal);
    let (_, table) = integration_tests::dynamo::fresh_table("admin-breach").await;
    let mut admin = Admin {
        program: integration_tests::admin_tool(),
        dynamo_port: integration_tests::dynamo::shared().port().to_string(),
        table,
        clock_offset_ms: 0,
        env: vec![
            ("MIRROR_ENDPOINT", s3.endpoint()),
            ("HIBP_API_URL", upstream.url()),
        ],
    };
    let prefix = &sha1_hex("password")[..5];
    // From the prefix to the end of its run of 16.
    let slice = format!("{prefix}-{}F", &prefix[..4]);
    let out = admin.run(&["breach", "sync", "--prefixes", &slice]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    let count = 0xF - u32::from_str_radix(&prefix[4..], 16).unwrap() + 1;
    assert_eq!(
        stdout.trim(),
        format!("{slice}: {count} written, 0 unchanged, 0 failed")
    );
    assert!(
        stderr.contains(&format!("breach sync: {count} of {count} prefixes")),
        "{stderr}"
    );
    let mirror = Mirror::new(bucket);
    assert_eq!(
        check(&mirror, "password").await.check,
        BreachCheck::Checked(42)
    );
    let again = admin.json(&["breach", "sync", "--prefixes", &slice]);
    assert_eq!(
        (again["written"].clone(), again["unchanged"].clone()),
        (json!(0), json!(count))
    );

    let status = admin.json(&["breach", "status"]);
    assert_eq!(status["pass"], Value::Null);
    assert_eq!(status["last_completed"], Value::Null);
    let text = String::from_utf8_lossy(&admin.run(&["breach", "status"]).stdout).into_owned();
    assert!(text.contains("none yet"), "{text}");

    for bad in ["0000", "00000-0000G", "000FF-00000", "x"] {
        let refused = admin.refused(&["breach", "sync", "--prefixes", bad]);
        assert!(refused.contains("--prefixes"), "{refused}");
    }
    admin.refused(&["breach", "sync"]);
    admin.refused(&["breach", "resync"]);

    let failing = RangeServer::start(&[], &[], Behaviour::Failing);
    admin.env[1].1 = failing.url();
    let out = admin.run(&["breach", "sync", "--prefixes", prefix]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{prefix}: ")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 prefixes failed"));
    // The stored range was kept.
    assert_eq!(
        check(&mirror, "password").await.check,
        BreachCheck::Checked(42)
    );
}
