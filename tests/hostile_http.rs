//! Hostile input, endpoint by endpoint: malformed JSON, wrong types, huge numbers, negative, zero
//! and overflowing counts, NUL and control characters, invalid UTF-8, oversized bodies, unknown
//! methods and paths, header tricks, long and unicode passwords, emails with tricks. Each gets a
//! clear answer: the expected status and stable code, a message, no-store — never a 5xx.

use integration_tests::{
    COSTLY_MAX_COUNT, Event, body_json, costly_requests, header, memory_app, serve, thread_cpu,
    unregistered_key,
};
use lambda_http::Body;
use lambda_http::http::Response;
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::{App, registry};
use serde_json::{Value, json};

struct Api {
    app: std::sync::Arc<App>,
    breaches: RangeCache<HibpClient>,
}

impl Api {
    fn new() -> Api {
        Api::with(Config::default())
    }

    fn with(config: Config) -> Api {
        Api {
            app: memory_app(config),
            // Nothing listens there: breach checks are "unavailable" at once.
            breaches: RangeCache::new(HibpClient::new("http://127.0.0.1:9")),
        }
    }

    /// An API whose anonymous tier allows the hostile-cost corpus's counts, `daily_limit` a day.
    fn costly(daily_limit: u32) -> Api {
        Api::with(Config {
            anonymous: integration_tests::plan("anonymous", daily_limit, COSTLY_MAX_COUNT),
            ..Config::default()
        })
    }

    /// The handler CPU of one POST, and its status.
    /// (The test's own making of the event, which grows with the body, is not counted.)
    async fn cpu_of(&self, path: &str, body: &str) -> (std::time::Duration, u16) {
        let request = Event::post(path, body).request();
        let start = thread_cpu();
        let response = serve(&self.app, &self.breaches, request).await;
        let cpu = thread_cpu() - start;
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        (cpu, response.status().as_u16())
    }

    async fn send(&self, event: Event) -> Response<Body> {
        let response = serve(&self.app, &self.breaches, event.request()).await;
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        response
    }

    /// Sends `event` and checks the answer is `status` with `code` (`None`: a success).
    async fn expect(&self, event: Event, status: u16, code: Option<&str>) -> Value {
        let described = event.to_json().to_string();
        let response = self.send(event).await;
        let json = match response.body() {
            Body::Text(t) if t.starts_with('{') => body_json(&response),
            _ => Value::Null,
        };
        assert_eq!(
            (response.status().as_u16(), json["error"].as_str()),
            (status, code),
            "{described} -> {json}"
        );
        if code.is_some() {
            assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        json
    }
}

fn post(path: &str, body: &str) -> Event {
    Event::post(path, body)
}

fn generate_event(body: Value) -> Event {
    post("/v1/generate", &body.to_string())
}

const BAD_PARAM: Option<&str> = Some("INVALID_PARAMETER");
const BAD_JSON: Option<&str> = Some("INVALID_JSON_BODY");

#[tokio::test]
async fn malformed_and_mistyped_json() {
    let api = Api::new();
    for body in [
        "{",
        "{\"length\": }",
        "{'length': 18}",
        "[]",
        "null",
        "\"length\"",
        "18",
        "{\"length\": 18,}",
        "{\"length\": 1e309}",
        "{\"length\": 18, \"length\": 19}",
        // Whitespace alone is not a JSON document (nor is Unicode whitespace): not an empty body.
        " ",
        "\r\n\t",
        "\u{a0}",
        " \u{2028}\u{3000}\n",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ] {
        api.expect(post("/v1/generate", body), 400, BAD_JSON).await;
        api.expect(post("/v1/evaluate", body), 400, BAD_JSON).await;
        api.expect(post("/v1/keys/register", body), 400, BAD_JSON)
            .await;
    }
    for (body, param) in [
        (json!({"length": "18"}), "length"),
        (json!({"length": 18.5}), "length"),
        (json!({"length": true}), "length"),
        (json!({"length": [18]}), "length"),
        (json!({"uppercase": "false"}), "uppercase"),
        (json!({"uppercase": 0}), "uppercase"),
        (json!({"exclude": ["a"]}), "exclude"),
        (json!({"min_entropy": "100"}), "min_entropy"),
        (json!({"mode": "PASSPHRASE"}), "mode"),
        (json!({"compliance": {"name": "pci"}}), "compliance"),
    ] {
        let json = api.expect(generate_event(body), 400, BAD_PARAM).await;
        assert_eq!(json["param"], param);
    }
    let json = api
        .expect(
            post("/v1/evaluate", r#"{"password": {"x": 1}}"#),
            400,
            BAD_PARAM,
        )
        .await;
    assert_eq!(json["param"], "password");
}

#[tokio::test]
async fn huge_negative_zero_and_overflowing_numbers() {
    let api = Api::new();
    for body in [
        json!({"count": 0}),
        json!({"count": -1}),
        json!({"count": 11}),
        json!({"count": 4_294_967_296u64}),
        json!({"count": 18_446_744_073_709_551_615u64}),
        json!({"count": -9_223_372_036_854_775_808i64}),
        json!({"length": 3}),
        json!({"length": 257}),
        json!({"length": 1e30}),
        json!({"words": 2, "mode": "passphrase"}),
        json!({"words": 21, "mode": "passphrase"}),
        json!({"min_numbers": 4_294_967_295u32}),
        json!({"min_entropy": 1e300}),
        json!({"min_entropy": -5}),
    ] {
        api.expect(generate_event(body), 400, BAD_PARAM).await;
    }
    let raw = r#"{"count": 123456789012345678901234567890}"#;
    api.expect(post("/v1/generate", raw), 400, BAD_PARAM).await;
    for query in [
        "count=-1",
        "count=0x10",
        "count=%2B1",
        "count=1e2",
        "count=",
        "length=18&length=19",
        "length=%00",
        "length=18%00",
    ] {
        let event = Event::new("GET", "/v1/generate").query(query);
        api.expect(event, 400, BAD_PARAM).await;
    }
}

#[tokio::test]
async fn nul_and_control_characters() {
    let api = Api::new();
    for body in [
        json!({"symbol_set": "!\u{0}"}),
        json!({"symbol_set": "\u{7}"}),
        json!({"symbol_set": "\u{202e}!"}),
        json!({"symbol_set": "!\u{200b}"}),
        json!({"mode": "passphrase", "separator": "\u{feff}"}),
        json!({"mode": "passphrase", "separator": "\u{0}"}),
        json!({"mode": "passphrase", "separator": "\n"}),
        json!({"mode": "passphrase", "separator": "\u{1b}[2J"}),
    ] {
        api.expect(generate_event(body), 400, BAD_PARAM).await;
    }
    // Excluding a character that is not in the pool is harmless.
    api.expect(generate_event(json!({"exclude": "\u{0}\u{7f}"})), 200, None)
        .await;
    // A password may contain anything; it is evaluated, not echoed.
    for password in [
        "a\u{0}b",
        "\u{0}",
        "\u{7}\u{1b}[31m",
        "line\nbreak\r\n",
        "\u{202e}evil",
    ] {
        let body = json!({"password": password}).to_string();
        let json = api.expect(post("/v1/evaluate", &body), 200, None).await;
        assert!(!json.to_string().contains(password));
    }
    api.expect(
        post("/v1/keys/register", r#"{"email": "a\u0000@example.com"}"#),
        400,
        Some("INVALID_EMAIL"),
    )
    .await;
}

#[tokio::test]
async fn bytes_that_are_not_utf8_and_oversized_bodies() {
    let api = Api::new();
    for path in [
        "/v1/generate",
        "/v1/evaluate",
        "/v1/keys/register",
        "/v1/keys/regenerate",
    ] {
        for bytes in [
            &b"\xff\xfe"[..],
            b"{\"length\": \"\xc3\x28\"}",
            b"\x00\x00\x00",
        ] {
            let event = Event::new("POST", path).binary_body(bytes);
            api.expect(event, 400, BAD_JSON).await;
        }
        let big = format!("{{\"x\": \"{}\"}}", "a".repeat(16 * 1024));
        api.expect(post(path, &big), 413, Some("PAYLOAD_TOO_LARGE"))
            .await;
        let exact = format!("{{\"length\": 18{}}}", " ".repeat(16 * 1024 - 14));
        assert_eq!(exact.len(), 16 * 1024);
        assert_ne!(
            api.send(post(path, &exact)).await.status(),
            413,
            "{path}: 16 KiB is allowed"
        );
    }
}

#[tokio::test]
async fn unknown_methods_and_paths() {
    let api = Api::new();
    // Every endpoint of the registry, every method it does not answer.
    for endpoint in &registry::ENDPOINTS {
        let route = endpoint.route;
        let allow = route.allow().join(", ");
        let answered: Vec<&str> = route.methods.iter().map(|m| m.as_str()).collect();
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "BREW"] {
            if answered.contains(&method) {
                // Its handler answers (the dispatcher found it in the table): never a 404 or
                // a server error, whatever it makes of an empty request.
                let status = api.send(Event::new(method, route.path)).await.status();
                assert!(
                    status != 404 && !status.is_server_error(),
                    "{method} {}: {status}",
                    route.path
                );
                continue;
            }
            let response = api.send(Event::new(method, route.path)).await;
            assert_eq!(response.status(), 405, "{method} {}", route.path);
            assert_eq!(header(&response, "allow"), Some(allow.as_str()));
            assert_eq!(body_json(&response)["error"], "METHOD_NOT_ALLOWED");
        }
    }
    // API Gateway routes one trailing slash as none, and so do the functions.
    api.expect(Event::new("GET", "/v1/generate/"), 200, None)
        .await;
    api.expect(
        Event::new("GET", "/v1/keys/usage/"),
        401,
        Some("MISSING_AUTH_HEADER"),
    )
    .await;
    for path in [
        "/index.htm",
        "/v1",
        "/v1/generate//",
        "/v1/GENERATE",
        "/v2/generate",
        "/v1/generate/../keys/usage",
        "/%00",
    ] {
        api.expect(Event::new("GET", path), 404, Some("NOT_FOUND"))
            .await;
    }
}

#[tokio::test]
async fn options_is_a_cors_preflight_on_every_route() {
    let api = Api::new();
    for endpoint in &registry::ENDPOINTS {
        let (path, allow) = (endpoint.route.path, endpoint.route.allow().join(", "));
        let allow = allow.as_str();
        let event = Event::new("OPTIONS", path)
            .header("Origin", "https://app.example.com")
            .header("Access-Control-Request-Method", "POST");
        let response = api.send(event).await;
        assert_eq!(response.status(), 204, "{path}");
        assert_eq!(header(&response, "allow"), Some(allow));
        assert!(matches!(response.body(), Body::Empty));
        // The function grants no origin itself: only API Gateway does, for AllowedOrigins.
        for name in [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-headers",
        ] {
            assert_eq!(header(&response, name), None, "{path} {name}");
        }
    }
    // Not a route: still 404.
    api.expect(Event::new("OPTIONS", "/v1/nowhere"), 404, Some("NOT_FOUND"))
        .await;
}

#[tokio::test]
async fn header_tricks() {
    let api = Api::new();
    let key = unregistered_key();
    let cases: Vec<(Event, u16, Option<&str>)> = vec![
        // Spoofed client addresses are ignored: the IP comes from the request context.
        (
            generate_event(json!({})).header("X-Forwarded-For", "127.0.0.1"),
            200,
            None,
        ),
        (
            generate_event(json!({})).header("X-Real-IP", "10.0.0.1"),
            200,
            None,
        ),
        // Any case of the header names and the scheme.
        (
            generate_event(json!({})).header("AUTHORIZATION", &format!("bearer {key}")),
            401,
            Some("API_KEY_NOT_FOUND"),
        ),
        (
            generate_event(json!({})).header("x-api-key", &key),
            401,
            Some("API_KEY_NOT_FOUND"),
        ),
        (
            generate_event(json!({})).header("Authorization", &format!("BEARER   {key}")),
            401,
            Some("API_KEY_NOT_FOUND"),
        ),
        // Two Authorization headers (API Gateway joins them with a comma), or two ways at once.
        (
            generate_event(json!({}))
                .header("Authorization", &format!("Bearer {key}"))
                .header("Authorization", &format!("Bearer {key}")),
            401,
            Some("INVALID_AUTH_HEADER"),
        ),
        (
            generate_event(json!({}))
                .header("Authorization", &format!("Bearer {key}"))
                .header("X-API-Key", &unregistered_key()),
            401,
            Some("INVALID_AUTH_HEADER"),
        ),
        (
            generate_event(json!({})).header("Authorization", "Basic dXNlcjpwYXNz"),
            401,
            Some("INVALID_AUTH_HEADER"),
        ),
        (
            generate_event(json!({})).header("Authorization", "Bearer"),
            401,
            Some("INVALID_AUTH_HEADER"),
        ),
        (
            generate_event(json!({})).header("Authorization", &format!("Bearer {key} extra")),
            401,
            Some("INVALID_AUTH_HEADER"),
        ),
        (
            generate_event(json!({})).header("Authorization", "Bearer pwa_live_\u{e9}"),
            401,
            Some("INVALID_AUTH_HEADER"),
        ),
        (
            generate_event(json!({})).header("X-API-Key", "pwa_live_../../etc/passwd"),
            401,
            Some("INVALID_API_KEY"),
        ),
        (
            generate_event(json!({})).header("X-API-Key", &key.replace("pwa_live_", "pwa_regen_")),
            401,
            Some("INVALID_API_KEY"),
        ),
        (
            generate_event(json!({})).header("X-API-Key", &"pwa_live_a".repeat(1000)),
            401,
            Some("INVALID_API_KEY"),
        ),
        // A key in the query string is refused rather than logged by every proxy on the way.
        (
            Event::new("GET", "/v1/generate").query(&format!("apiKey={key}")),
            400,
            Some("UNKNOWN_PARAMETER"),
        ),
    ];
    for (event, status, code) in cases {
        let json = api.expect(event, status, code).await;
        if status == 200 {
            assert_eq!(json["tier"], "anonymous");
        }
    }
}

#[tokio::test]
async fn long_and_unicode_passwords() {
    let api = Api::new();
    for (password, status, code) in [
        ("🔐".repeat(128), 200, None),
        ("é".repeat(128), 200, None),
        ("e\u{301}".repeat(64), 200, None),
        ("👩‍👩‍👧‍👦".repeat(18), 200, None),
        ("🔐".repeat(129), 400, Some("PASSWORD_TOO_LONG")),
        ("x".repeat(5000), 400, Some("PASSWORD_TOO_LONG")),
        (String::new(), 400, Some("PASSWORD_EMPTY")),
    ] {
        let body = json!({"password": password, "user_inputs": ["🔐", "", "é"]}).to_string();
        let url = post("/v1/evaluate", &body).query("hibp=false");
        api.expect(url, status, code).await;
    }
}

#[tokio::test]
async fn emails_with_tricks() {
    let api = Api::new();
    let register = |email: &str| post("/v1/keys/register", &json!({"email": email}).to_string());
    for email in [
        "",
        " ",
        "plain",
        "@example.com",
        "you@",
        "you@example",
        "you@example.com.",
        "you@example..com",
        ".you@example.com",
        "you.@example.com",
        "yo..u@example.com",
        "you@-example.com",
        "you@example-.com",
        "yöu@example.com",
        "you@exämple.com",
        "you@example.com\u{0}",
        "you@example.com\nBcc: victim@example.com",
        "\"you\"@example.com",
        "you@[127.0.0.1]",
        "you@127.0.0.1",
        "<script>@example.com",
        "you@example.com@example.com",
    ] {
        api.expect(register(email), 400, Some("INVALID_EMAIL"))
            .await;
    }
    let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(63));
    api.expect(register(&long), 201, None).await;
    let too_long = format!("{}@{}.com", "a".repeat(65), "b".repeat(10));
    api.expect(register(&too_long), 400, Some("INVALID_EMAIL"))
        .await;
    // Case and surrounding space are normalised away; plus-addressing is kept.
    api.expect(register("  Mixed.Case+Tag@Example.COM "), 201, None)
        .await;
    api.expect(
        register("mixed.case+tag@example.com"),
        400,
        Some("EMAIL_ALREADY_EXISTS"),
    )
    .await;
    api.expect(register("mixed.case@example.com"), 201, None)
        .await;
    api.expect(register("user@xn--bcher-kva.example"), 201, None)
        .await;
}

/// Every request of the hostile-cost corpus, accepted or refused, costs at most
/// [`integration_tests::cost_bound`] times the plain request that returns as much (the same
/// `count` of 256-character passwords, or of 20-word passphrases; a password as long scored
/// against the same user inputs), measured in the same run: 50× for generate, 5× for evaluate.
/// The work beyond producing the output is bounded (a debug-build form of the release bound that
/// `make bench` reports), and no request is answered with a server error.
#[tokio::test(flavor = "current_thread")]
async fn no_request_costs_more_than_a_bounded_multiple_of_its_output() {
    let api = Api::costly(u32::MAX);
    let cpu_of = async |path: &str, body: &str| api.cpu_of(path, body).await;
    // What every request of the process shares (zxcvbn's dictionaries, the breach client) is
    // init, not the cost of a request.
    cpu_of("/v1/generate", "{}").await;
    cpu_of("/v1/evaluate", r#"{"password":"Tr0ub4dor&3"}"#).await;
    let mut over = Vec::new();
    for (path, body) in costly_requests() {
        let request: Value = serde_json::from_str(&body).unwrap();
        // The first run: a later identical request may reuse what it counted.
        let (cpu, status) = cpu_of(path, &body).await;
        let preview: String = body.chars().take(120).collect();
        assert!(status < 500, "{path} {preview}: {status}");
        let plain = integration_tests::plain_counterpart(path, &request);
        let mut runs = Vec::new();
        for _ in 0..5 {
            runs.push(cpu_of(path, &plain.to_string()).await.0);
        }
        runs.sort();
        let baseline = runs[runs.len() / 2];
        let ratio = cpu.as_secs_f64() / baseline.as_secs_f64();
        eprintln!(
            "{path} {:>9.3} ms ({ratio:.1}× plain) {status} {preview}",
            cpu.as_secs_f64() * 1e3
        );
        let bound = integration_tests::cost_bound(path);
        if ratio > bound {
            over.push(format!(
                "{preview}: {cpu:?} against {baseline:?} (bound {bound}×)"
            ));
        }
    }
    assert!(
        over.is_empty(),
        "over the bound of their plain request: {over:#?}"
    );
}

/// A caller over its limit costs a lookup, not the work of a served request: once refused, every
/// request of the hostile-cost corpus is refused again (429) for at most twice the CPU of a
/// refused plain request — before any validation, counting or estimate.
#[tokio::test(flavor = "current_thread")]
async fn a_refused_costly_request_costs_no_more_than_a_refused_plain_one() {
    let api = Api::costly(1);
    let cpu_of = async |path: &str, body: &str| api.cpu_of(path, body).await;
    // Warm the shared tables, use the day's one request, then be refused once.
    cpu_of("/v1/evaluate", r#"{"password":"Tr0ub4dor&3"}"#).await;
    assert_eq!(cpu_of("/v1/generate", "{}").await.1, 429);
    let median = async |path: &str, body: &str| {
        let mut runs = Vec::new();
        for _ in 0..9 {
            let (cpu, status) = cpu_of(path, body).await;
            assert_eq!(status, 429, "{path} {body}");
            runs.push(cpu);
        }
        runs.sort();
        runs[runs.len() / 2]
    };
    let mut over = Vec::new();
    for (path, body) in costly_requests() {
        let request: Value = serde_json::from_str(&body).unwrap();
        let plain = integration_tests::plain_counterpart(path, &request).to_string();
        let (baseline, cpu) = (median(path, &plain).await, median(path, &body).await);
        let preview: String = body.chars().take(100).collect();
        let ratio = cpu.as_secs_f64() / baseline.as_secs_f64();
        eprintln!(
            "refused {path} {:>7.3} ms ({ratio:.1}× its refused plain request) {preview}",
            cpu.as_secs_f64() * 1e3
        );
        if ratio > 2.0 {
            over.push(format!("{path} {preview}: {cpu:?} against {baseline:?}"));
        }
    }
    assert!(over.is_empty(), "refused requests over 2×: {over:#?}");
}
