//! The deploy rehearsal: every function as `make build-arm64` (`sam build`) builds it for AWS
//! Lambda — arm64, release — booted under qemu-user against the Lambda Runtime API stand-in
//! (`integration_tests::runtime_api`), with DynamoDB Local, a breach range server and a pepper
//! behind it, and sent real API Gateway v2 events of its routes: a key registered by one
//! function is used by the others. No bootstrap may need a glibc symbol newer than
//! provided.al2023's 2.34.
//!
//! It needs the artifacts, so it is `#[ignore]`d alone: `make test` builds them with
//! `make build-arm64`, then runs it with `--ignored`.

use integration_tests::Event;
use integration_tests::dynamo::{LocalDynamo, create_table};
use integration_tests::range_server::{Behaviour, RangeServer};
use integration_tests::runtime_api::{run_payloads, run_through};
use integration_tests::s3::LocalS3;
use integration_tests::{TEST_PEPPER, root};
use passwordapi::http::dispatch;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

/// Where Debian's `libc6-arm64-cross` puts the arm64 loader and libc.
const SYSROOT: &str = "/usr/aarch64-linux-gnu";
/// provided.al2023's glibc.
const NEWEST_GLIBC: (u32, u32) = (2, 34);

/// `function`'s bootstrap as `sam build` left it (the template resource that builds it).
fn artifact(function: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let template: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let resource = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(function))
        .map(|(name, _)| name.as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no template resource builds {function}"));
    root()
        .join(".aws-sam/build")
        .join(resource)
        .join("bootstrap")
}

/// The first 16 lines of the estimator's dictionary `pack`, as the binary holds them.
fn dictionary_start(pack: &str) -> String {
    let path = root().join(format!("shared/data/strength/{pack}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let start: Vec<&str> = text.split_inclusive('\n').take(16).collect();
    start.concat()
}

/// The glibc symbol versions `binary` needs.
fn glibc_versions(binary: &PathBuf) -> Vec<(u32, u32)> {
    let out = Command::new("readelf")
        .args(["-V", "-W"])
        .arg(binary)
        .output()
        .expect("readelf (binutils) runs");
    assert!(out.status.success(), "readelf {binary:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let version = regex::Regex::new(r"GLIBC_(\d+)\.(\d+)").unwrap();
    version
        .captures_iter(&text)
        .map(|c| (c[1].parse().unwrap(), c[2].parse().unwrap()))
        .collect()
}

/// Sends `events` to `function`'s arm64 bootstrap, one after another; each answer's status must
/// be the one paired with its event. Returns the answers' bodies.
fn serve(function: &str, env: &[(&str, String)], events: Vec<(Event, u16)>) -> Vec<Value> {
    let bootstrap = artifact(function);
    let launcher = ["qemu-aarch64", "-L", SYSROOT];
    let expected: Vec<u16> = events.iter().map(|(_, status)| *status).collect();
    let mut pending = events.into_iter().map(|(event, _)| event);
    let run = run_through(&launcher, &bootstrap, env, |_| pending.next());
    assert_eq!(
        run.responses.len(),
        expected.len(),
        "{function}: every event answered"
    );
    run.responses
        .iter()
        .zip(&expected)
        .enumerate()
        .map(|(i, (response, status))| {
            assert_eq!(
                response["statusCode"].as_u64(),
                Some(u64::from(*status)),
                "{function}, event {i}: {response}"
            );
            let body = response["body"].as_str().unwrap_or_default();
            serde_json::from_str(body).unwrap_or(Value::Null)
        })
        .collect()
}

#[test]
#[ignore = "needs make build-arm64's artifacts: make test builds them, then runs this"]
fn every_arm64_function_serves_its_routes_under_qemu() {
    let functions = passwordapi::http::registry::functions()
        .into_iter()
        .chain([passwordapi::schedule::FUNCTION]);
    for function in functions {
        let bootstrap = artifact(function);
        assert!(bootstrap.is_file(), "{bootstrap:?}: run make build-arm64");
        let newest = glibc_versions(&bootstrap)
            .into_iter()
            .max()
            .unwrap_or((0, 0));
        assert!(
            newest <= NEWEST_GLIBC,
            "{function} needs GLIBC_{}.{}, newer than provided.al2023's",
            newest.0,
            newest.1
        );
        let packed = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&bootstrap)
            .output()
            .unwrap()
            .stdout
            .len();
        println!(
            "{function}: {:.2} MB, {:.2} MB compressed",
            std::fs::metadata(&bootstrap).unwrap().len() as f64 / 1e6,
            packed as f64 / 1e6
        );
        // README: evaluate's zipped bootstrap, its dictionaries inside, is at most 6 MB.
        if function == "evaluate" {
            assert!(packed <= 6_000_000, "evaluate: {packed} bytes compressed");
        }
        // Each binary links only its own handlers: the estimator's dictionaries (~2 MB
        // compressed) are in the functions that estimate, and in no other.
        // (Read as text: invalid bytes become U+FFFD, and the dictionaries, which are text,
        // are kept whole.)
        let binary = std::fs::read(&bootstrap).unwrap();
        let binary = String::from_utf8_lossy(&binary);
        let estimates = dispatch::estimates(dispatch::handlers_of(function));
        for pack in ["common", "de"] {
            let linked = binary.contains(&dictionary_start(pack));
            assert!(
                linked == estimates,
                "{function}: the {pack} dictionary {}",
                match estimates {
                    true => "is missing",
                    false => "is linked in, though the function estimates nothing",
                }
            );
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dynamo = runtime.block_on(LocalDynamo::start());
    runtime.block_on(create_table(&dynamo.client(), "rehearsal"));
    let ranges = RangeServer::start(&[("password", 9_545_824)], &[], Behaviour::Normal);
    let env = [
        ("TABLE_NAME", "rehearsal".to_owned()),
        ("DYNAMODB_ENDPOINT", dynamo.endpoint()),
        ("EMAIL_PEPPER", TEST_PEPPER.to_owned()),
        ("HIBP_API_URL", ranges.url()),
    ];
    let post = |path: &str, body: Value| Event::post(path, &body.to_string());
    let keyed = |event: Event, key: &str| event.header("Authorization", &format!("Bearer {key}"));

    let registered = serve(
        "register",
        &env,
        vec![(
            post("/v1/keys/register", json!({"email": "arm64@example.com"})),
            201,
        )],
    );
    let key = registered[0]["api_key"].as_str().unwrap().to_owned();
    let regen = registered[0]["regen_token"].as_str().unwrap().to_owned();

    let generated = serve(
        "generate",
        &env,
        vec![
            (
                keyed(post("/v1/generate", json!({"length": 24})), &key),
                200,
            ),
            (
                Event::new("GET", "/v1/generate").query("mode=passphrase"),
                200,
            ),
            (post("/api/v1/generate", json!({"length": 16})), 200),
            (Event::new("GET", "/v1/generate/password"), 200),
            (post("/api/v1/random-password/generate", json!({})), 401),
            // A path the function does not serve: its 404, not a pass.
            (Event::new("GET", "/v1/nowhere"), 404),
        ],
    );
    assert_eq!(
        generated[0]["password"].as_str().unwrap().chars().count(),
        24
    );
    assert_eq!(generated[0]["tier"], "free");

    let evaluated = serve(
        "evaluate",
        &env,
        vec![
            (
                keyed(post("/v1/evaluate", json!({"password": "password"})), &key),
                200,
            ),
            (Event::new("DELETE", "/v1/evaluate"), 405),
        ],
    );
    assert_eq!(evaluated[0]["breach_count"], 9_545_824);

    let usage = serve(
        "usage",
        &env,
        vec![
            (keyed(Event::new("GET", "/v1/keys/usage"), &key), 200),
            (Event::new("GET", "/v1/keys/usage"), 401),
        ],
    );
    assert_eq!(usage[0]["usage"], 2, "the keyed generate and evaluate");

    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "rehearsal", "version": "1"}}});
    let mcp = serve(
        "mcp",
        &env,
        vec![
            (
                post("/mcp", initialize)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream"),
                200,
            ),
            (
                Event::mcp_call("generate_password", json!({"length": 20})),
                200,
            ),
        ],
    );
    assert_eq!(mcp[0]["result"]["serverInfo"]["name"], "passwordapi");
    let password = &mcp[1]["result"]["structuredContent"]["password"];
    assert_eq!(password.as_str().map(|p| p.chars().count()), Some(20));

    serve(
        "console",
        &env,
        vec![
            (Event::new("GET", "/"), 200),
            (Event::new("GET", "/openapi.yaml"), 200),
            (Event::new("GET", "/v1/generate"), 404),
        ],
    );

    let regenerated = serve(
        "regenerate",
        &env,
        vec![(
            post(
                "/v1/keys/regenerate",
                json!({"email": "arm64@example.com", "regen_token": regen}),
            )
            .header("Idempotency-Key", "rehearsal-1"),
            200,
        )],
    );
    assert!(
        regenerated[0]["api_key"]
            .as_str()
            .unwrap()
            .starts_with("pwa_live_")
    );

    // The breach sync, as its schedules invoke it: with no pass in progress the frequent event
    // does nothing; the weekly one begins a pass and, in a one-second budget, syncs its first
    // chunk of ranges from the range API stand-in into a real S3-compatible server.
    let s3 = runtime.block_on(LocalS3::start());
    let bucket = s3.bucket("rehearsal-mirror");
    runtime.block_on(bucket.create()).unwrap();
    let mut sync_env = env.to_vec();
    sync_env.extend([
        ("MIRROR_BUCKET", "rehearsal-mirror".to_owned()),
        ("MIRROR_ENDPOINT", s3.endpoint()),
        (
            "AWS_ACCESS_KEY_ID",
            integration_tests::s3::DEV_KEY.to_owned(),
        ),
        (
            "AWS_SECRET_ACCESS_KEY",
            integration_tests::s3::DEV_KEY.to_owned(),
        ),
        ("BREACH_SYNC_BUDGET_SECONDS", "1".to_owned()),
    ]);
    let mut events = vec![json!({}), json!({"start": true})].into_iter();
    let launcher = ["qemu-aarch64", "-L", SYSROOT];
    let sync = artifact(passwordapi::schedule::FUNCTION);
    let run = run_payloads(&launcher, &sync, &sync_env, |_| events.next());
    assert_eq!(run.responses[0]["outcome"], "idle", "{}", run.responses[0]);
    let started = &run.responses[1];
    assert_eq!(started["outcome"], "paused", "{started}");
    let synced = started["synced"].as_u64().unwrap();
    assert!(synced >= 512 && synced % 512 == 0, "{started}");
    assert_eq!(started["pass"]["walked"].as_u64(), Some(synced));
    let mirror = passwordapi::evaluate::mirror::Mirror::new(bucket);
    for prefix in ["00000", "001FF"] {
        let stored = runtime.block_on(mirror.stored(prefix)).unwrap();
        assert!(stored.is_some(), "{prefix} synced");
    }
}
