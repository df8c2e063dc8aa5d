//! The console in a real browser (`tests/console/browser.py`: Debian's Chromium driven by
//! Playwright for Python, axe-core from npm) against the local API (`cargo lambda watch`,
//! DynamoDB Local, a breach range server). Screenshots land in `target/console/`.

use integration_tests::root;
use integration_tests::watch::{LocalApi, missing, run_client, wait_for};
use std::path::Path;
use std::process::Command;

#[test]
fn a_person_uses_the_console_in_a_browser() {
    let python = root().join(".venv/bin/python");
    let axe = root().join("target/console-node/node_modules/axe-core/axe.min.js");
    let playwright = Command::new(&python)
        .args(["-c", "import playwright"])
        .status()
        .is_ok_and(|s| s.success());
    if !playwright || !axe.is_file() || !Path::new("/usr/bin/chromium").is_file() {
        missing("Chromium, Playwright (.venv) or axe-core (target/console-node)");
    }
    let mut api = LocalApi::start("passwordapi-console", &[]);
    for path in [
        "/",
        "/v1/generate",
        "/v1/evaluate",
        "/v1/keys/register",
        "/v1/keys/usage",
    ] {
        wait_for(api.port, path, &api.log);
    }
    let base = format!("http://127.0.0.1:{}", api.port);
    let out = root().join("target/console");
    run_client(
        "the console in Chromium",
        &python,
        &[
            "tests/console/browser.py",
            &base,
            axe.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let log = api.stop();
    assert!(!log.contains("pwa_live_"), "an API key reached the logs");
    for shot in ["console-desktop.png", "console-375-dark.png"] {
        assert!(out.join(shot).is_file(), "{shot}");
    }
}
