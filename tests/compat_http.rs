//! The drop-in routes for clients of PassGeni, TinyFn, Bunny and Bastion, in process: every request
//! each service's page documents, sent as its client sends it (only the base URL and the key
//! changed), and its answer held to what the page promises — status, fields, types, defaults,
//! error shapes, headers.

use integration_tests::range_server::{Behaviour, RangeServer};
use integration_tests::{Event, body_json, header, memory_app, serve};
use lambda_http::Body;
use lambda_http::http::Response;
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::App;
use serde_json::{Value, json};
use std::sync::Arc;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

struct Api {
    app: Arc<App>,
    breaches: RangeCache<HibpClient>,
    _range: RangeServer,
}

impl Api {
    fn new(config: Config) -> Api {
        let range = RangeServer::start(&[("hunter2", 65_744)], &[], Behaviour::Normal);
        Api {
            app: memory_app(Config {
                hibp_api_url: range.url(),
                ..config
            }),
            breaches: RangeCache::new(HibpClient::new(&range.url())),
            _range: range,
        }
    }

    async fn send(&self, event: Event) -> Response<Body> {
        let response = serve(&self.app, &self.breaches, event.request()).await;
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        response
    }

    /// A registered key, as `POST /v1/keys/register` gives it (and its regeneration token).
    async fn register(&self, email: &str) -> (String, String) {
        let body = json!({"email": email}).to_string();
        let response = self.send(Event::post("/v1/keys/register", &body)).await;
        let json = body_json(&response);
        assert_eq!(response.status(), 201, "{json}");
        (
            json["api_key"].as_str().unwrap().to_owned(),
            json["regen_token"].as_str().unwrap().to_owned(),
        )
    }
}

fn json_post(path: &str, body: &str) -> Event {
    Event::post(path, body).header("content-type", "application/json")
}

fn only_from(password: &str, sets: &[&str]) -> bool {
    password.chars().all(|c| sets.iter().any(|s| s.contains(c)))
}

fn assert_rate_limit_headers(response: &Response<Body>, limit: &str) {
    assert_eq!(header(response, "x-ratelimit-limit"), Some(limit));
    assert!(header(response, "x-ratelimit-remaining").is_some());
    // Unix milliseconds, as PassGeni documents (midnight UTC).
    let reset: i64 = header(response, "x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(reset % 86_400_000, 0, "{reset}");
}

// PassGeni: POST /api/v1/generate.

const PASSGENI: &str = "/api/v1/generate";

fn assert_passgeni_body(json: &Value, count: usize, length: usize) {
    let passwords = json["passwords"].as_array().unwrap();
    assert_eq!(passwords.len(), count, "{json}");
    assert_eq!(json["count"], count);
    assert!(
        passwords
            .iter()
            .all(|p| p.as_str().unwrap().chars().count() == length)
    );
    assert_eq!(json["length"], length);
    assert!(json["entropy"].is_u64(), "{json}");
    assert!(json["quantum"].is_boolean());
    assert!(["free", "team"].contains(&json["tier"].as_str().unwrap()));
    let generated = json["generated"].as_str().unwrap();
    assert!(humantime::parse_rfc3339(generated).is_ok(), "{generated}");
    let audit = &json["audit"];
    assert!(audit["entropySource"].is_string() && audit["characterPool"].is_string());
    assert_eq!(
        (&audit["clientSide"], &audit["serverContact"]),
        (&json!(false), &json!(true))
    );
}

#[tokio::test]
async fn passgeni_smallest_request_and_its_javascript_example() {
    let api = Api::new(Config::default());
    // curl -X POST …/api/v1/generate -H "Content-Type: application/json" -d '{}'
    let response = api.send(json_post(PASSGENI, "{}")).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_rate_limit_headers(&response, "50");
    // "Returns 1 password, 18 chars."
    assert_passgeni_body(&json, 1, 18);
    assert_eq!(
        (
            &json["compliance"],
            &json["mode"],
            &json["quantum"],
            &json["tier"]
        ),
        (
            &Value::Null,
            &json!("password"),
            &json!(false),
            &json!("free")
        )
    );
    // The default profession, developer, embeds one of its words.
    assert_eq!(
        json["audit"]["characterPool"],
        "lower+upper+numbers+symbols+developer_word"
    );

    // The JavaScript example: apiKey in the body, profession, length 20, count 5, compliance hipaa.
    let (key, _) = api.register("passgeni@example.com").await;
    let body = json!({"apiKey": key, "profession": "developer", "length": 20, "count": 5, "compliance": "hipaa"});
    let response = api.send(json_post(PASSGENI, &body.to_string())).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_rate_limit_headers(&response, "100");
    assert_passgeni_body(&json, 5, 20);
    assert_eq!(
        (&json["compliance"], &json["tier"]),
        (&json!("hipaa"), &json!("free"))
    );
    for p in json["passwords"].as_array().unwrap() {
        let p = p.as_str().unwrap();
        for set in [LOWER, UPPER, DIGITS] {
            assert!(p.chars().any(|c| set.contains(c)), "{p}");
        }
    }

    // The authentication examples: a key with count 10, and anonymous with count 1.
    let body = json!({"apiKey": key, "count": 10}).to_string();
    let json = body_json(&api.send(json_post(PASSGENI, &body)).await);
    assert_passgeni_body(&json, 10, 18);
    let json = body_json(&api.send(json_post(PASSGENI, r#"{"count": 1}"#)).await);
    assert_passgeni_body(&json, 1, 18);
}

#[tokio::test]
async fn passgeni_modes_and_presets_for_every_caller() {
    let api = Api::new(Config::default());
    // Presets and passphrases need no paid plan here.
    let json = body_json(
        &api.send(json_post(PASSGENI, r#"{"compliance": "dod"}"#))
            .await,
    );
    assert_eq!(json["compliance"], "dod");
    let response = api
        .send(json_post(
            PASSGENI,
            r#"{"mode": "passphrase", "length": 20}"#,
        ))
        .await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_eq!(json["mode"], "passphrase");
    let phrase = json["passwords"][0].as_str().unwrap();
    assert_eq!(
        json["length"],
        phrase.chars().count(),
        "a passphrase's characters"
    );
    // quantum: the post-quantum margin, 256 bits or more.
    let json = body_json(&api.send(json_post(PASSGENI, r#"{"quantum": true}"#)).await);
    assert!(json["entropy"].as_u64().unwrap() >= 256, "{json}");
    assert_eq!(json["quantum"], true);
}

#[tokio::test]
async fn passgeni_errors_as_documented() {
    let api = Api::new(Config {
        anonymous: passwordapi::plan::Plan {
            daily: 2,
            ..Config::default().anonymous
        },
        ..Config::default()
    });
    // 400: "Check that length and count are numbers, not strings."
    for body in [
        r#"{"length": "20"}"#,
        r#"{"count": "5"}"#,
        r#"{"length": 7}"#,
        r#"{"length": 33}"#,
        // PassGeni has two modes; the native API's usernames are not one of them.
        r#"{"mode": "username"}"#,
    ] {
        let response = api.send(json_post(PASSGENI, body)).await;
        let json = body_json(&response);
        assert_eq!(response.status(), 400, "{body} -> {json}");
        assert_eq!(json["error"], "INVALID_PARAMETER");
        // The rate-limit headers come with every response whose caller is known.
        assert_rate_limit_headers(&response, "2");
    }
    // 405: "Use POST. GET is not accepted on this endpoint."
    let response = api.send(Event::new("GET", PASSGENI)).await;
    assert_eq!(response.status(), 405);
    assert_eq!(header(&response, "allow"), Some("POST, OPTIONS"));
    // 429: {"error": "Rate limit exceeded", "limit": 50, "resetAt": "…"}.
    for _ in 0..2 {
        assert_eq!(api.send(json_post(PASSGENI, "{}")).await.status(), 200);
    }
    let response = api.send(json_post(PASSGENI, "{}")).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 429, "{json}");
    assert_eq!(json["error"], "Rate limit exceeded");
    assert_eq!(json["limit"], 2);
    let reset = json["resetAt"].as_str().unwrap();
    assert!(reset.ends_with("T00:00:00.000Z"), "{reset}");
    assert!(header(&response, "retry-after").is_some());
    assert_rate_limit_headers(&response, "2");
}

// TinyFn: GET /v1/generate/password.

const TINYFN: &str = "/v1/generate/password";

async fn tinyfn(api: &Api, key: &str, query: &str) -> Value {
    let response = api
        .send(
            Event::new("GET", TINYFN)
                .query(query)
                .header("X-API-Key", key),
        )
        .await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{query} -> {json}");
    assert_rate_limit_headers(&response, "100");
    let password = json["password"].as_str().unwrap();
    assert_eq!(json["length"], password.chars().count());
    assert!(json["entropy_bits"].is_f64() || json["entropy_bits"].is_u64());
    assert!(
        ["very_weak", "weak", "fair", "strong", "very_strong"]
            .contains(&json["strength"].as_str().unwrap())
    );
    json
}

#[tokio::test]
async fn tinyfn_documented_requests() {
    let api = Api::new(Config::default());
    let (key, _) = api.register("tinyfn@example.com").await;
    // GET …/v1/generate/password?length=16 with X-API-Key.
    let json = tinyfn(&api, &key, "length=16").await;
    assert_eq!(json["length"], 16);
    assert_eq!(json["strength"], "strong");
    // Alphanumeric only.
    let json = tinyfn(&api, &key, "length=20&symbols=false").await;
    assert!(only_from(
        json["password"].as_str().unwrap(),
        &[LOWER, UPPER, DIGITS]
    ));
    assert_eq!(json["length"], 20);
    // PIN code.
    let json = tinyfn(
        &api,
        &key,
        "length=6&uppercase=false&lowercase=false&symbols=false",
    )
    .await;
    let pin = json["password"].as_str().unwrap();
    assert!(pin.len() == 6 && only_from(pin, &[DIGITS]), "{pin}");
    // log2(10^6), truncated to 2 decimals.
    assert_eq!(json["entropy_bits"], 19.93);
    // The JavaScript (length=12), Python (params length=14, ten calls) and shell (length=20)
    // examples read `password`.
    assert_eq!(tinyfn(&api, &key, "length=12").await["length"], 12);
    for _ in 0..10 {
        assert_eq!(tinyfn(&api, &key, "length=14").await["length"], 14);
    }
    // Defaults: 16 characters, every class, exclude.
    let json = tinyfn(&api, &key, "").await;
    assert_eq!(json["length"], 16);
    let json = tinyfn(&api, &key, "exclude=abc").await;
    assert!(!json["password"].as_str().unwrap().contains(['a', 'b', 'c']));
    // Out of range, a wrong type, an unknown parameter, a wrong method: the native errors.
    for query in ["length=129", "length=3", "symbols=maybe", "count=2"] {
        let response = api
            .send(
                Event::new("GET", TINYFN)
                    .query(query)
                    .header("X-API-Key", &key),
            )
            .await;
        assert_eq!(response.status(), 400, "{query}");
    }
    let response = api
        .send(json_post(TINYFN, "{}").header("X-API-Key", &key))
        .await;
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn tinyfn_mcp_url_is_the_mcp_server() {
    let api = Api::new(Config::default());
    let (key, _) = api.register("tinyfn-mcp@example.com").await;
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "claude-desktop", "version": "1"}}});
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    for (message, version) in [(initialize, None), (list, Some("2025-11-25"))] {
        // The URL TinyFn's page gives, with its trailing slash, and the key in X-API-Key.
        let mut event = json_post("/mcp/generate/", &message.to_string())
            .header("accept", "application/json, text/event-stream")
            .header("X-API-Key", &key);
        if let Some(v) = version {
            event = event.header("mcp-protocol-version", v);
        }
        let response = api.send(event).await;
        let json = body_json(&response);
        assert_eq!(response.status(), 200, "{json}");
        if message_is_list(&json) {
            let names: Vec<&str> = json["result"]["tools"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap())
                .collect();
            assert!(names.contains(&"generate_password"), "{names:?}");
        } else {
            assert_eq!(json["result"]["serverInfo"]["name"], "passwordapi");
        }
    }
}

fn message_is_list(json: &Value) -> bool {
    json["result"]["tools"].is_array()
}

// Bunny: POST /api/v1/random-password/generate.

const BUNNY: &str = "/api/v1/random-password/generate";

#[tokio::test]
async fn bunny_documented_request_defaults_and_formula() {
    let api = Api::new(Config::default());
    let (key, _) = api.register("bunny@example.com").await;
    let bunny = |body: &str| json_post(BUNNY, body).header("X-API-Key", &key);
    // The cURL example: every class.
    let body =
        r#"{"length": 16, "uppercase": true, "lowercase": true, "numbers": true, "symbols": true}"#;
    let response = api.send(bunny(body)).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_rate_limit_headers(&response, "100");
    assert_eq!(json["password"].as_str().unwrap().chars().count(), 16);
    assert_eq!(
        (&json["length"], &json["charset_size"]),
        (&json!(16), &json!(94))
    );
    // Bunny's formula: floor(log2(94) × 16) = floor(104.87…) = 104, an integer; the exact count
    // (one of each class) is smaller.
    assert_eq!(json["entropy_bits"], 104);
    let exact = json["entropy_bits_exact"].as_f64().unwrap();
    assert!(exact < 104.88 && exact > 100.0, "{exact}");
    // No class named: lower case and digits, length 16.
    let json = body_json(&api.send(bunny("{}")).await);
    let p = json["password"].as_str().unwrap();
    assert!(p.len() == 16 && only_from(p, &[LOWER, DIGITS]), "{p}");
    assert_eq!(
        (&json["charset_size"], &json["entropy_bits"]),
        (&json!(36), &json!(82))
    );
    // Naming one class: the others take their documented defaults (symbols off).
    let json = body_json(&api.send(bunny(r#"{"uppercase": true}"#)).await);
    assert_eq!(json["charset_size"], 62);
    let json = body_json(&api.send(bunny(r#"{"symbols": true, "length": 256}"#)).await);
    assert_eq!(
        (&json["charset_size"], &json["length"]),
        (&json!(94), &json!(256))
    );
}

#[tokio::test]
async fn bunny_errors_are_its_detail_bodies() {
    let api = Api::new(Config {
        free: passwordapi::plan::Plan {
            daily: 1,
            ..Config::default().free
        },
        ..Config::default()
    });
    // 401 without a key.
    let response = api.send(json_post(BUNNY, "{}")).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 401);
    assert_eq!(json["detail"], "Missing API key. Include X-API-Key header.");
    let (key, _) = api.register("bunny-errors@example.com").await;
    let bunny = |body: &str| json_post(BUNNY, body).header("X-API-Key", &key);
    // 422 for invalid parameters.
    for (body, detail) in [
        (r#"{"length": 3}"#, "length must be between 4 and 256"),
        (r#"{"length": 257}"#, "length must be between 4 and 256"),
        (r#"{"length": "16"}"#, ""),
        (
            r#"{"uppercase": false, "lowercase": false, "numbers": false}"#,
            "",
        ),
        (r#"{"colour": "blue"}"#, ""),
        ("not json", ""),
    ] {
        let response = api.send(bunny(body)).await;
        let json = body_json(&response);
        assert_eq!(response.status(), 422, "{body} -> {json}");
        let text = json["detail"].as_str().unwrap();
        assert!(
            !text.is_empty() && text.contains(detail),
            "{body} -> {text}"
        );
    }
    // 429 once the day's quota is used.
    assert_eq!(api.send(bunny("{}")).await.status(), 200);
    let response = api.send(bunny("{}")).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 429, "{json}");
    let detail = json["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("Rate limit exceeded. Try again in "),
        "{detail}"
    );
    // A wrong method.
    let response = api
        .send(Event::new("GET", BUNNY).header("X-API-Key", &key))
        .await;
    assert_eq!(response.status(), 405);
    assert!(body_json(&response)["detail"].is_string());
}

// Bastion: our native paths.

#[tokio::test]
async fn bastion_documented_requests_run_as_written() {
    let api = Api::new(Config::default());
    // Register, then evaluate hunter2 with the key as a Bearer token.
    let (key, regen) = api.register("you@example.com").await;
    let bearer = format!("Bearer {key}");
    let evaluate = |query: &str, password: &str| {
        json_post("/v1/evaluate", &json!({"password": password}).to_string())
            .query(query)
            .header("Authorization", &bearer)
    };
    let json = body_json(&api.send(evaluate("", "hunter2")).await);
    for field in [
        "score",
        "strength",
        "entropy_bits",
        "crack_times",
        "breached",
        "breach_count",
        "warning",
        "suggestions",
    ] {
        assert!(json.get(field).is_some(), "{field}: {json}");
    }
    assert_eq!(
        (&json["breached"], &json["breach_count"]),
        (&json!(true), &json!(65_744))
    );
    for scenario in [
        "online_throttled",
        "online_unthrottled",
        "offline_slow_hash",
        "offline_fast_hash",
    ] {
        assert!(json["crack_times"][scenario].is_string(), "{scenario}");
    }
    // The code example, and the same with hibp=false: breached and breach_count null.
    let json = body_json(&api.send(evaluate("", "correct-horse-battery-staple")).await);
    assert_eq!(json["breached"], false);
    let json = body_json(
        &api.send(evaluate("hibp=false", "correct-horse-battery-staple"))
            .await,
    );
    assert_eq!(
        (&json["breached"], &json["breach_count"]),
        (&Value::Null, &Value::Null)
    );
    // Usage: tier, usage, limit, hard_limit, reset_at.
    let response = api
        .send(Event::new("GET", "/v1/keys/usage").header("Authorization", &bearer))
        .await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_eq!(
        (&json["usage"], &json["limit"], &json["hard_limit"]),
        (&json!(3), &json!(100), &Value::Null)
    );
    assert!(json["tier"].is_string() && json["reset_at"].is_i64());
    // Regenerate: a new key and token; the old key is refused at once.
    let body = json!({"email": "you@example.com", "regen_token": regen}).to_string();
    let response = api.send(json_post("/v1/keys/regenerate", &body)).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert!(json["api_key"].as_str().unwrap() != key && json["regen_token"].is_string());
    let response = api.send(evaluate("", "hunter2")).await;
    assert_eq!(response.status(), 401);
    assert_eq!(body_json(&response)["error"], "API_KEY_NOT_FOUND");
    // Its error codes: a missing header where a key is required.
    let response = api.send(Event::new("GET", "/v1/keys/usage")).await;
    assert_eq!(body_json(&response)["error"], "MISSING_AUTH_HEADER");
}
