//! The drop-in routes as each service's clients call them: every curl line, shell script and
//! code example of the four pages (`tests/compat/documented.{sh,mjs,py}`), run by curl, Node.js and
//! Python's `requests` against the local API (`cargo lambda watch`, DynamoDB Local, a breach range
//! server) with only the base URL and the key changed. The scripts check each answer against what
//! the page promises and fail on the first that differs.

use integration_tests::watch::{LocalApi, missing, request_lines, run_client as run, wait_for};
use integration_tests::{http, root};
use std::path::Path;
use std::process::Command;

#[test]
fn every_documented_request_of_the_four_services_runs_with_only_the_base_url_changed() {
    let python = root().join(".venv/bin/python");
    let tools = ["curl", "jq", "node"]
        .iter()
        .all(|t| Command::new(t).arg("--version").output().is_ok());
    let requests = Command::new(&python)
        .args(["-c", "import requests"])
        .status()
        .is_ok_and(|s| s.success());
    if !tools || !requests {
        missing("curl, jq, node or .venv's requests");
    }
    let mut api = LocalApi::start("passwordapi-compat", &[]);
    let base = format!("http://127.0.0.1:{}", api.port);
    for path in [
        "/api/v1/generate",
        "/v1/generate/password",
        "/api/v1/random-password/generate",
        "/mcp/generate",
        "/v1/keys/register",
    ] {
        wait_for(api.port, path, &api.log);
    }
    // The key each page's examples use.
    let registered = http(
        api.port,
        "POST",
        "/v1/keys/register",
        Some(r#"{"email": "clients@example.com"}"#),
    )
    .unwrap()
    .json();
    let key = registered["api_key"].as_str().unwrap().to_owned();

    run(
        "curl lines and shell script",
        Path::new("bash"),
        &[
            "tests/compat/documented.sh",
            &base,
            &key,
            "shell@example.com",
        ],
    );
    run(
        "javascript examples",
        Path::new("node"),
        &[
            "tests/compat/documented.mjs",
            &base,
            &key,
            "node@example.com",
        ],
    );
    run(
        "python example",
        &python,
        &["tests/compat/documented.py", &base, &key],
    );

    let log = api.stop();
    assert!(!log.contains(&key), "an API key reached the logs");
    assert!(!log.contains("hunter2"), "a password reached the logs");
    // Each route answered and logged under its registry route (TinyFn's `/mcp/generate/` as the
    // route `/mcp/generate`: the path as sent is never logged), one line per request.
    let routes: std::collections::BTreeSet<String> = request_lines(&log)
        .iter()
        .filter_map(|l| l["fields"]["route"].as_str().map(str::to_owned))
        .collect();
    for route in [
        "/api/v1/generate",
        "/v1/generate/password",
        "/api/v1/random-password/generate",
        "/mcp/generate",
        "/v1/evaluate",
    ] {
        assert!(routes.contains(route), "{route} not in {routes:?}");
    }
}
