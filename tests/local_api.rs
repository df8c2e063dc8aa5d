//! End to end through `cargo lambda watch`: the local API serves every API Gateway path over HTTP,
//! with Amazon's DynamoDB Local and a local breach range server behind it; environment variables
//! reach the functions; the full key flow works; no other web origin is granted access; no log
//! level lets a secret into the logs; the server stops cleanly.
//!
//! Needs cargo-lambda on PATH (or in `.venv/bin`), as `make setup` installs it; without it the
//! test fails, naming it.

use integration_tests::range_server::sha1_hex;
use integration_tests::watch::{LocalApi, request_lines, wait_for};
use integration_tests::{http, http_with};

/// A password only this test sends.
const SECRET_PASSWORD: &str = "Zebra!Quartz-7731-lantern";
/// Rules text only this test sends (rules can say much about a site's users).
const SECRET_RULES: &str = "minlength: 21; required: [xyzq]; allowed: lower, digit;";
/// The one web origin the local API is told to grant (`ALLOWED_ORIGINS`).
const ALLOWED_ORIGIN: &str = "https://app.example";

/// register → use → usage → regenerate → the old key is refused, over HTTP. Returns every secret
/// the flow handled, for the log check.
fn keys_flow(port: u16) -> Vec<String> {
    let registered = http(
        port,
        "POST",
        "/v1/keys/register",
        Some(r#"{"email": "e2e@example.com"}"#),
    )
    .unwrap();
    assert_eq!(registered.status, 201, "{}", registered.body);
    let json = registered.json();
    let key = json["api_key"].as_str().unwrap().to_owned();
    let regen = json["regen_token"].as_str().unwrap().to_owned();
    assert_eq!(
        (&json["tier"], &json["limit"]),
        (&"free".into(), &100.into())
    );

    let bearer = format!("Bearer {key}");
    let used = http_with(
        port,
        "POST",
        "/v1/generate",
        Some("{}"),
        &[("Authorization", &bearer)],
    )
    .unwrap();
    assert_eq!(used.status, 200, "{}", used.body);
    assert_eq!(used.json()["tier"], "free");
    assert_eq!(used.header("x-ratelimit-limit"), Some("100"));
    assert_eq!(used.header("x-ratelimit-remaining"), Some("99"));
    let evaluated = http_with(
        port,
        "POST",
        "/v1/evaluate",
        Some(&format!(r#"{{"password": "{SECRET_PASSWORD}"}}"#)),
        &[("X-API-Key", &key)],
    )
    .unwrap();
    assert_eq!(evaluated.status, 200, "{}", evaluated.body);
    assert_eq!(evaluated.header("x-ratelimit-remaining"), Some("98"));

    let usage = http_with(
        port,
        "GET",
        "/v1/keys/usage",
        None,
        &[("Authorization", &bearer)],
    )
    .unwrap();
    assert_eq!(usage.status, 200, "{}", usage.body);
    assert_eq!(usage.json()["usage"], 2);

    let regenerated = http(
        port,
        "POST",
        "/v1/keys/regenerate",
        Some(&format!(
            r#"{{"email": "e2e@example.com", "regen_token": "{regen}"}}"#
        )),
    )
    .unwrap();
    assert_eq!(regenerated.status, 200, "{}", regenerated.body);
    let new_key = regenerated.json()["api_key"].as_str().unwrap().to_owned();
    let old = http_with(
        port,
        "POST",
        "/v1/generate",
        Some("{}"),
        &[("Authorization", &bearer)],
    )
    .unwrap();
    assert_eq!(
        (old.status, old.json()["error"].as_str()),
        (401, Some("API_KEY_NOT_FOUND"))
    );
    let new = http_with(
        port,
        "GET",
        "/v1/keys/usage",
        None,
        &[("X-API-Key", &new_key)],
    )
    .unwrap();
    assert_eq!(
        (new.status, &new.json()["usage"]),
        (200, &2.into()),
        "usage carried over"
    );
    let new_regen = regenerated.json()["regen_token"]
        .as_str()
        .unwrap()
        .to_owned();
    vec![
        key,
        regen,
        new_key,
        new_regen,
        "e2e@example.com".to_owned(),
        SECRET_PASSWORD.to_owned(),
        // The password's SHA-1 suffix never leaves the function, nor reaches its logs.
        sha1_hex(SECRET_PASSWORD)[5..].to_owned(),
    ]
}

/// The functions' logs: JSON lines with the request id, route, status and latency of every
/// request, and none of the secrets the requests carried.
fn check_logs(log: &str, secrets: &[String]) {
    let lower_log = log.to_ascii_lowercase();
    for secret in secrets {
        assert!(
            !lower_log.contains(&secret.to_ascii_lowercase()),
            "a secret reached the logs"
        );
    }
    let requests = request_lines(log);
    assert!(requests.len() >= 15, "{} request lines", requests.len());
    for line in &requests {
        assert!(line["fields"]["status"].is_u64(), "{line}");
        assert!(line["fields"]["latency_us"].is_u64(), "{line}");
        let route = line["fields"]["route"].as_str().unwrap_or_default();
        assert!(
            route == "unknown"
                || passwordapi::http::registry::ENDPOINTS
                    .iter()
                    .any(|e| e.route.path == route),
            "{line}"
        );
        let request_id = line["spans"][0]["requestId"].as_str().unwrap_or_default();
        assert!(!request_id.is_empty(), "{line}");
    }
    assert!(requests.iter().any(|l| l["fields"]["plan"] == "free"));
    assert!(
        requests
            .iter()
            .any(|l| l["fields"]["error"] == "API_KEY_NOT_FOUND")
    );
}

/// As deployed: no CORS headers for an origin `ALLOWED_ORIGINS` does not name (watch's own CORS,
/// which reflected every origin with credentials, is off), the template's headers for one it
/// names, and never `Access-Control-Allow-Credentials`.
fn check_cors(port: u16) {
    let preflight = |origin: &str| {
        http_with(
            port,
            "OPTIONS",
            "/v1/keys/usage",
            None,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
        )
        .unwrap()
    };
    let get = |origin: &str| {
        http_with(
            port,
            "POST",
            "/v1/generate",
            Some("{}"),
            &[("Origin", origin)],
        )
        .unwrap()
    };
    for response in [
        preflight("https://evil.example"),
        get("https://evil.example"),
    ] {
        for (name, _) in &response.headers {
            assert!(
                !name.starts_with("access-control-"),
                "{name} for another origin"
            );
        }
    }
    let allowed = preflight(ALLOWED_ORIGIN);
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(
        allowed.header("access-control-allow-methods"),
        Some("GET,POST,PUT,OPTIONS")
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .is_some_and(|h| h.contains("authorization"))
    );
    let served = get(ALLOWED_ORIGIN);
    assert_eq!(
        served.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert!(
        served
            .header("access-control-expose-headers")
            .is_some_and(|h| h.contains("x-ratelimit-remaining"))
    );
    for response in [allowed, served] {
        assert_eq!(response.header("access-control-allow-credentials"), None);
    }
}

/// What a careless or hostile caller puts where it does not belong: a key pasted into an unknown
/// path (watch answers it with its own 404; deployed, the function that owns `$default` does,
/// and logs it as route `unknown`: tests/logs.rs), rules text. Returns the secrets.
fn secrets_in_odd_places(port: u16) -> Vec<String> {
    let key = integration_tests::unregistered_key();
    let pasted = http(port, "GET", &format!("/v1/generate/{key}"), None).unwrap();
    assert_eq!(pasted.status, 404, "{}", pasted.body);
    let rules = http(
        port,
        "POST",
        "/v1/generate",
        Some(&serde_json::json!({ "passwordrules": SECRET_RULES }).to_string()),
    )
    .unwrap();
    assert_eq!(rules.status, 200, "{}", rules.body);
    vec![key, "[xyzq]".to_owned(), "minlength: 21".to_owned()]
}

#[test]
fn local_api_serves_every_route_over_http() {
    serves_every_route("passwordapi-e2e", None);
}

/// The same at the most verbose level Lambda's logging controls offer: still no secret.
#[test]
fn no_secret_reaches_the_logs_at_trace_level() {
    serves_every_route("passwordapi-e2e-trace", Some("TRACE"));
}

fn serves_every_route(name: &str, log_level: Option<&str>) {
    let mut env = vec![
        ("ANONYMOUS_MAX_COUNT", "3".to_owned()),
        ("ALLOWED_ORIGINS", ALLOWED_ORIGIN.to_owned()),
    ];
    if let Some(level) = log_level {
        env.push(("AWS_LAMBDA_LOG_LEVEL", level.to_owned()));
    }
    let mut api = LocalApi::start(name, &env);
    let (port, ranges) = (api.port, &api.ranges);
    wait_for(port, "/v1/generate", &api.log);
    let first = http(port, "POST", "/v1/generate", Some("{}")).unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("cache-control"), Some("no-store"));
    let json = first.json();
    assert_eq!(json["password"].as_str().unwrap().chars().count(), 18);
    assert_eq!(json["tier"], "anonymous");

    let phrase = http(
        port,
        "GET",
        "/v1/generate?mode=passphrase&words=5&separator=.",
        None,
    )
    .unwrap();
    assert_eq!(phrase.status, 200, "{}", phrase.body);
    assert_eq!(
        phrase.json()["password"]
            .as_str()
            .unwrap()
            .split('.')
            .count(),
        5
    );

    // ANONYMOUS_MAX_COUNT=3 was set on watch: the function saw it.
    let over = http(port, "POST", "/v1/generate", Some(r#"{"count": 4}"#)).unwrap();
    assert_eq!(
        (over.status, over.json()["param"].as_str()),
        (400, Some("count")),
        "{}",
        over.body
    );

    let csv = http(
        port,
        "POST",
        "/v1/generate",
        Some(r#"{"format": "csv", "count": 3}"#),
    )
    .unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 4);

    let wrong = http(port, "DELETE", "/v1/generate", None).unwrap();
    assert_eq!(
        (wrong.status, wrong.header("allow")),
        (405, Some("GET, POST, OPTIONS"))
    );
    assert_eq!(wrong.json()["error"], "METHOD_NOT_ALLOWED");

    // Evaluate, with the breach check going to the range server named by HIBP_API_URL.
    let evaluated = http(
        port,
        "POST",
        "/v1/evaluate",
        Some(r#"{"password": "password"}"#),
    )
    .unwrap();
    assert_eq!(evaluated.status, 200, "{}", evaluated.body);
    assert_eq!(evaluated.header("cache-control"), Some("no-store"));
    let json = evaluated.json();
    assert_eq!(json["score"], 0);
    assert_eq!(
        (
            &json["breached"],
            &json["breach_count"],
            &json["breach_check"]
        ),
        (&true.into(), &9_545_824.into(), &"ok".into())
    );
    let requests = ranges.requests();
    assert_eq!(requests.len(), 1);
    let hash = sha1_hex("password");
    assert!(requests[0].starts_with(&format!("GET /range/{} ", &hash[..5])));
    assert!(!requests[0].contains(&hash[5..]));

    let skipped = http(
        port,
        "POST",
        "/v1/evaluate?hibp=false",
        Some(r#"{"password": "correct horse battery staple"}"#),
    )
    .unwrap();
    assert_eq!(skipped.json()["breach_check"], "skipped");
    assert_eq!(skipped.json()["score"], 4);
    let empty = http(port, "POST", "/v1/evaluate", Some(r#"{"password": ""}"#)).unwrap();
    assert_eq!(
        (empty.status, empty.json()["error"].as_str()),
        (400, Some("PASSWORD_EMPTY"))
    );
    let wrong = http(port, "GET", "/v1/evaluate", None).unwrap();
    assert_eq!(
        (wrong.status, wrong.header("allow")),
        (405, Some("POST, OPTIONS"))
    );
    assert_eq!(ranges.requests().len(), 1);

    let mut secrets = keys_flow(port);
    check_cors(port);
    secrets.extend(secrets_in_odd_places(port));

    let log = api.stop();
    if log_level.is_some() {
        // The level reached the functions: our own debug events are there.
        assert!(log.lines().count() > request_lines(&log).len(), "{log}");
    }
    check_logs(&log, &secrets);
    assert!(
        http(port, "GET", "/v1/generate", None).is_err(),
        "the local API stopped"
    );
}

/// A tool a test needs and does not find fails the test, naming the tool: no test passes, or
/// skips quietly, without having run.
#[test]
#[should_panic(expected = "a-tool-that-is-not-here is missing: run `make setup` first")]
fn a_missing_tool_fails_the_test_that_needs_it() {
    integration_tests::watch::missing("a-tool-that-is-not-here");
}
