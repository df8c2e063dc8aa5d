//! No log level lets a secret into the logs: the functions' own subscriber at TRACE, in-process,
//! through every kind of request that carries one (a key pasted into an unknown path, a
//! password, an email, rules text, a tool call), and the `Debug` forms of the types that hold
//! them. The run through `cargo lambda watch` at TRACE (`local_api.rs`) covers the runtime's own
//! logging.

use integration_tests::{Event, memory_app, serve, unregistered_key};
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::params::Params;
use passwordapi::http::registry;
use passwordapi::http::request::Call;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const PASSWORD: &str = "Walrus!Ember-5520-cobalt";
const EMAIL: &str = "logged-nowhere@example.com";
const RULES: &str = "minlength: 19; required: [kqvw]; allowed: lower, digit;";

#[tokio::test(flavor = "current_thread")]
async fn nothing_secret_is_logged_at_trace_level() {
    // SAFETY: the only thread of this test binary that reads the environment is this one, and
    // it sets these before the subscriber reads them.
    unsafe {
        std::env::set_var("AWS_LAMBDA_LOG_LEVEL", "TRACE");
        std::env::set_var("AWS_LAMBDA_LOG_FORMAT", "JSON");
    }
    let capture = Capture::default();
    let writer = capture.clone();
    passwordapi::http::init_logging(move || writer.clone());

    let app = memory_app(Config::default());
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    let key = unregistered_key();
    let bearer = format!("Bearer {key}");
    let requests = [
        Event::new("GET", &format!("/v1/generate/{key}")),
        Event::post(
            "/v1/evaluate",
            &json!({"password": PASSWORD, "user_inputs": [EMAIL]}).to_string(),
        ),
        Event::post("/v1/keys/register", &json!({"email": EMAIL}).to_string()),
        Event::post("/v1/generate", &json!({"passwordrules": RULES}).to_string()),
        Event::post("/v1/generate", "{}").header("Authorization", &bearer),
        Event::mcp_call("evaluate_password", json!({"password": PASSWORD})),
    ];
    for event in requests {
        serve(&app, &breaches, event.request()).await;
    }
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("verbose logging"),
        "TRACE reached the subscriber: {log}"
    );
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let routes: Vec<&str> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "request")
        .filter_map(|l| l["fields"]["route"].as_str())
        .collect();
    assert_eq!(
        routes,
        [
            "unknown",
            "/v1/evaluate",
            "/v1/keys/register",
            "/v1/generate",
            "/v1/generate",
            "/mcp"
        ]
    );
    for secret in [
        &key[..],
        &key[9..],
        PASSWORD,
        EMAIL,
        "[kqvw]",
        "minlength: 19",
    ] {
        assert!(!log.contains(secret), "{secret} reached the log:\n{log}");
    }
}

#[test]
fn the_types_that_hold_secrets_debug_without_them() {
    let key = unregistered_key();
    let body = json!({"password": PASSWORD, "email": EMAIL, "passwordrules": RULES}).to_string();
    let request = Event::post("/v1/evaluate", &body)
        .header("Authorization", &format!("Bearer {key}"))
        .header("X-API-Key", &key)
        .query(&format!("hibp=false&password={PASSWORD}"))
        .request();
    let call = Call::parse(&request, &registry::EVALUATE.route).unwrap();
    let query = Params::query(call.query.clone(), &["hibp", "password"]).unwrap();
    let json = Params::json(
        serde_json::from_str(&body).unwrap(),
        &["password", "email", "passwordrules"],
    )
    .unwrap();
    for shown in [
        format!("{call:?}"),
        format!("{call:#?}"),
        format!("{query:?}"),
        format!("{json:?}"),
    ] {
        for secret in [&key[..], &key[9..], PASSWORD, EMAIL, "[kqvw]"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("password"), "names still show: {shown}");
    }
}
