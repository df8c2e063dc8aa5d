//! `POST /v1/evaluate` through the real API Gateway v2 event path, with the breach check going over
//! real HTTP to a local range server with known data.

use integration_tests::range_server::{Behaviour, RangeServer, sha1_hex, unreachable_url};
use integration_tests::{Event, body_json, header, memory_app};
use lambda_http::Body;
use lambda_http::http::Response;
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::{App, dispatch};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const BREACHED: &[(&str, u64)] = &[
    ("password", 9_545_824),
    ("P@ssw0rd", 137_000),
    (STRONG_BUT_BREACHED, 3),
];
/// A password the estimator alone finds strong, in the breach corpus three times.
const STRONG_BUT_BREACHED: &str = "vR2#pL9mZwXq7!";
/// In the range server's data only as a padding row (count 0): not breached.
const PADDED: &str = "padded but clean 7c1e";

fn app() -> std::sync::Arc<App> {
    memory_app(Config::default())
}

struct Api {
    app: std::sync::Arc<App>,
    breaches: RangeCache<HibpClient>,
}

impl Api {
    fn new(hibp_url: &str) -> Api {
        Api {
            app: app(),
            breaches: RangeCache::new(HibpClient::new(hibp_url)),
        }
    }

    async fn send(&self, event: Event) -> Response<Body> {
        let response = dispatch::evaluate(&self.app, &self.breaches, event.request())
            .await
            .unwrap();
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        assert_eq!(
            header(&response, "content-type"),
            Some("application/json; charset=utf-8")
        );
        response
    }

    async fn evaluate(&self, body: Value) -> Value {
        self.evaluate_with_query(body, "").await
    }

    async fn evaluate_with_query(&self, body: Value, query: &str) -> Value {
        let response = self
            .send(Event::post("/v1/evaluate", &body.to_string()).query(query))
            .await;
        let json = body_json(&response);
        assert_eq!(response.status(), 200, "{json}");
        json
    }

    async fn error(&self, event: Event) -> (u16, Value) {
        let response = self.send(event).await;
        let json = body_json(&response);
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
        (response.status().as_u16(), json)
    }
}

fn server() -> RangeServer {
    RangeServer::start(BREACHED, &[PADDED], Behaviour::Normal)
}

#[tokio::test]
async fn a_breach_count_caps_the_guesses_and_the_score_crack_times_and_feedback_follow() {
    let server = server();
    let api = Api::new(&server.url());
    let alone = api
        .evaluate_with_query(json!({"password": STRONG_BUT_BREACHED}), "hibp=false")
        .await;
    assert_eq!(alone["score"], 4, "{alone}");
    assert!(alone["warning"].is_null());
    let checked = api
        .evaluate(json!({"password": STRONG_BUT_BREACHED, "policy": "nist"}))
        .await;
    assert_eq!(checked["breach_count"], 3);
    let cap = passwordapi::evaluate::breach_model::guesses(3);
    assert_eq!(checked["guesses"], cap.round() as u64);
    assert_eq!(checked["score"], 2, "{checked}");
    assert_eq!(
        checked["warning"],
        passwordapi::evaluate::breached_texts(None).0
    );
    let fast = checked["crack_times_seconds"]["offline_fast_hash"]
        .as_f64()
        .unwrap();
    assert!((fast - cap / 1e10).abs() <= cap / 1e10 * 1e-6);
    assert!(
        fast < alone["crack_times_seconds"]["offline_fast_hash"]
            .as_f64()
            .unwrap()
    );
    assert_eq!(checked["policy"]["compliant"], false);
}

#[tokio::test]
async fn a_breached_password_reports_its_count_and_zxcvbns_verdict() {
    let server = server();
    let api = Api::new(&server.url());
    let json = api.evaluate(json!({"password": "password"})).await;
    // zxcvbn 4.4.2: 3 guesses, score 0.
    assert_eq!(json["score"], 0);
    assert_eq!(json["strength"], "Very Weak");
    assert_eq!(json["guesses"], 3);
    let bits = 3f64.log2();
    assert!((json["entropy_bits"].as_f64().unwrap() - bits).abs() <= 0.005);
    assert_eq!(json["breached"], true);
    assert_eq!(json["breach_count"], 9_545_824);
    assert_eq!(json["breach_check"], "ok");
    assert_eq!(json["breach_source"], "upstream");
    let as_of = humantime::parse_rfc3339(json["breach_data_as_of"].as_str().unwrap()).unwrap();
    let age = std::time::SystemTime::now().duration_since(as_of).unwrap();
    assert!(age < Duration::from_secs(5), "fetched now: {as_of:?}");
    let (warning, suggestion) = passwordapi::evaluate::breached_texts(None);
    assert_eq!(json["warning"], warning);
    assert_eq!(json["suggestions"][0], suggestion);
    let seconds = &json["crack_times_seconds"];
    let guesses = 3.0;
    assert_eq!(
        seconds["online_throttled"].as_f64().unwrap(),
        guesses * 36.0
    );
    assert_eq!(
        seconds["online_unthrottled"].as_f64().unwrap(),
        guesses / 10.0
    );
    assert_eq!(
        seconds["offline_slow_hash"].as_f64().unwrap(),
        guesses / 1e4
    );
    assert_eq!(
        seconds["offline_fast_hash"].as_f64().unwrap(),
        guesses / 1e10
    );
    assert_eq!(
        json["crack_times"]["offline_fast_hash"],
        "less than a second"
    );
    for key in [
        "online_throttled",
        "online_unthrottled",
        "offline_slow_hash",
    ] {
        assert!(json["crack_times"][key].is_string(), "{key}");
    }
}

#[tokio::test]
async fn a_clean_password_is_not_breached_even_when_padding_lists_its_suffix() {
    let server = server();
    let api = Api::new(&server.url());
    let json = api.evaluate(json!({"password": PADDED})).await;
    assert_eq!(
        (
            &json["breached"],
            &json["breach_count"],
            &json["breach_check"]
        ),
        (&json!(false), &json!(0), &json!("ok"))
    );
    // The range the server sent did carry the suffix, as a padding row.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn only_a_five_character_prefix_leaves_and_the_request_is_padded_and_named() {
    let server = server();
    let api = Api::new(&server.url());
    for password in [
        "password",
        "P@ssw0rd",
        PADDED,
        "correct horse battery staple",
    ] {
        api.evaluate(json!({"password": password})).await;
        let hash = sha1_hex(password);
        let request = server.requests().pop().unwrap();
        let target = request.split(' ').nth(1).unwrap();
        assert_eq!(target, format!("/range/{}", &hash[..5]));
        assert!(!request.contains(&hash[5..]), "the suffix never leaves");
        let without_agent = request.replace("passwordapi/", "");
        assert!(
            !without_agent.contains(password),
            "the password never leaves"
        );
        let lower = request.to_ascii_lowercase();
        assert!(lower.contains("add-padding: true"), "{request}");
        assert!(lower.contains("user-agent: passwordapi/"), "{request}");
    }
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn ranges_are_cached_across_requests() {
    let server = server();
    let api = Api::new(&server.url());
    let mut fetched = Vec::new();
    for _ in 0..3 {
        let json = api.evaluate(json!({"password": "password"})).await;
        assert_eq!(json["breach_count"], 9_545_824);
        fetched.push(json["breach_data_as_of"].clone());
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    assert_eq!(server.requests().len(), 1);
    // A cached range is as old as its one fetch.
    assert!(
        fetched.iter().all(|f| f == &fetched[0] && f.is_string()),
        "{fetched:?}"
    );
}

async fn assert_unavailable(api: &Api) {
    let json = api.evaluate(json!({"password": "password"})).await;
    assert_eq!(
        (
            &json["breached"],
            &json["breach_count"],
            &json["breach_check"],
            &json["breach_source"],
            &json["breach_data_as_of"]
        ),
        (
            &Value::Null,
            &Value::Null,
            &json!("unavailable"),
            &Value::Null,
            &Value::Null
        )
    );
    // The strength part still answers.
    assert_eq!(json["score"], 0);
}

#[tokio::test]
async fn a_slow_source_is_unavailable_within_the_timeout() {
    let server = RangeServer::start(BREACHED, &[], Behaviour::Slow(Duration::from_secs(4)));
    let api = Api::new(&server.url());
    let started = Instant::now();
    assert_unavailable(&api).await;
    let took = started.elapsed();
    assert!(
        // The deadline, plus room for a loaded machine; the source would take 4 s.
        took >= HibpClient::TIMEOUT && took < Duration::from_millis(3500),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_down_or_failing_source_is_unavailable() {
    assert_unavailable(&Api::new(&unreachable_url())).await;
    let failing = RangeServer::start(BREACHED, &[], Behaviour::Failing);
    let api = Api::new(&failing.url());
    assert_unavailable(&api).await;
    // Failures are not cached: the next request asks again.
    assert_unavailable(&api).await;
    assert_eq!(failing.requests().len(), 2);
}

/// A source is trusted with nothing: a redirect is not followed, and a range past the size or line
/// bounds is refused (a real padded range is ~40 KB, 800–1,000 lines).
#[tokio::test]
async fn a_redirecting_or_oversized_source_is_unavailable() {
    let target = server();
    let redirecting = RangeServer::start(BREACHED, &[], Behaviour::Redirecting(target.port()));
    assert_unavailable(&Api::new(&redirecting.url())).await;
    assert_eq!(redirecting.requests().len(), 1);
    assert!(
        target.requests().is_empty(),
        "the redirect was not followed"
    );
    // 2,500 lines of 38 bytes: within the byte bound, over the line bound.
    let long = RangeServer::start(BREACHED, &[], Behaviour::Oversized(2_500));
    assert_unavailable(&Api::new(&long.url())).await;
    // 3,000 lines: over the byte bound too.
    let large = RangeServer::start(BREACHED, &[], Behaviour::Oversized(3_000));
    assert_unavailable(&Api::new(&large.url())).await;
    // Within both bounds, the same server answers.
    let fine = RangeServer::start(BREACHED, &[], Behaviour::Oversized(1_000));
    let json = Api::new(&fine.url())
        .evaluate(json!({"password": "correct horse battery staple"}))
        .await;
    assert_eq!(json["breach_check"], "ok", "{json}");
}

#[tokio::test]
async fn hibp_false_skips_the_check_without_contacting_the_source() {
    let server = server();
    let api = Api::new(&server.url());
    let json = api
        .evaluate_with_query(json!({"password": "password"}), "hibp=false")
        .await;
    assert_eq!(
        (
            &json["breached"],
            &json["breach_count"],
            &json["breach_check"]
        ),
        (&Value::Null, &Value::Null, &json!("skipped"))
    );
    let json = api
        .evaluate_with_query(json!({"password": "password"}), "hibp=true")
        .await;
    assert_eq!(json["breach_check"], "ok");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_strong_password_has_no_feedback_and_long_ones_are_scored_in_full() {
    let api = Api::new(&unreachable_url());
    let strong = "uT7#kq9!Vx2@Lm4$";
    let json = api
        .evaluate_with_query(json!({"password": strong}), "hibp=false")
        .await;
    assert_eq!(
        (json["score"].as_u64(), json["strength"].as_str()),
        (Some(4), Some("Very Strong"))
    );
    assert_eq!(
        (&json["warning"], &json["suggestions"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(json["crack_times"]["online_throttled"], "centuries");

    // zxcvbn alone stops at 100 characters and at u64::MAX guesses; here 128 random characters
    // score higher than 64, which score higher than 32.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let random: String = (0..128)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (b'!' + (state % 94) as u8) as char
        })
        .collect();
    let mut last = 0.0;
    for n in [32, 64, 100, 128] {
        let p: String = random.chars().take(n).collect();
        let json = api
            .evaluate_with_query(json!({"password": p}), "hibp=false")
            .await;
        let bits = json["entropy_bits"].as_f64().unwrap();
        assert!(bits > last, "{n}: {bits} after {last}");
        last = bits;
    }
    assert!(last > 64.0 * 2.0, "{last}");
}

#[tokio::test]
async fn user_inputs_lower_the_score_of_passwords_made_of_them() {
    let api = Api::new(&unreachable_url());
    let body = |inputs: Value| json!({"password": "kowalski1987alexandria", "user_inputs": inputs});
    let without = api.evaluate_with_query(body(json!([])), "hibp=false").await;
    let with = api
        .evaluate_with_query(
            body(json!(["Alexandria", "Kowalski", "1987"])),
            "hibp=false",
        )
        .await;
    assert!(
        with["entropy_bits"].as_f64() < without["entropy_bits"].as_f64(),
        "{with} vs {without}"
    );
}

#[tokio::test]
async fn length_is_checked_in_unicode_characters() {
    let api = Api::new(&unreachable_url());
    for password in ["é".repeat(128), "🔐".repeat(128), "a".repeat(128)] {
        let json = api
            .evaluate_with_query(json!({"password": password}), "hibp=false")
            .await;
        assert!(json["score"].is_u64());
    }
    for (body, code) in [
        (json!({"password": ""}), "PASSWORD_EMPTY"),
        (json!({}), "PASSWORD_EMPTY"),
        (json!({"password": null}), "PASSWORD_EMPTY"),
        (json!({"password": "é".repeat(129)}), "PASSWORD_TOO_LONG"),
        (json!({"password": "x".repeat(129)}), "PASSWORD_TOO_LONG"),
    ] {
        let (status, json) = api
            .error(Event::post("/v1/evaluate", &body.to_string()))
            .await;
        assert_eq!(
            (status, json["error"].as_str(), json["param"].as_str()),
            (400, Some(code), Some("password")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn adversarial_inputs_stay_fast() {
    let api = Api::new(&unreachable_url());
    // As the function does at start-up: zxcvbn builds its dictionaries on first use.
    passwordapi::evaluate::warm_up();
    let leet = "4@8(3!1|0$5+7%2^6&9*#~=?<>{}[]";
    let corpus: Vec<String> = vec![
        leet.chars().cycle().take(128).collect(),
        leet.chars().cycle().take(100).collect(),
        "qwertyuiop[]asdfghjkl;'zxcvbnm,./"
            .chars()
            .cycle()
            .take(128)
            .collect(),
        "1|!l0O@a4$5".chars().cycle().take(128).collect(),
        "пароль密码パスワード🔐".chars().cycle().take(128).collect(),
        "a".repeat(128),
    ];
    for password in corpus {
        let started = Instant::now();
        api.evaluate_with_query(json!({"password": password}), "hibp=false")
            .await;
        let took = started.elapsed();
        // Measured: ≤ 3.5 ms in release and ≤ 80 ms in debug builds here; zxcvbn alone takes
        // ~250 ms (release) on 100 leet characters. The bound leaves room for a loaded machine.
        assert!(took < Duration::from_millis(400), "{password}: {took:?}");
    }
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let api = Api::new(&unreachable_url());
    let post = |body: &str| Event::post("/v1/evaluate", body);
    let cases: Vec<(Event, u16, &str, Option<&str>)> = vec![
        (
            Event::new("POST", "/v1/evaluate"),
            400,
            "INVALID_JSON_BODY",
            None,
        ),
        (post("[]"), 400, "INVALID_JSON_BODY", None),
        (post("{\"password\": "), 400, "INVALID_JSON_BODY", None),
        (
            post(r#"{"password": 12345678}"#),
            400,
            "INVALID_PARAMETER",
            Some("password"),
        ),
        (
            post(r#"{"password": "x", "user_inputs": "alice"}"#),
            400,
            "INVALID_PARAMETER",
            Some("user_inputs"),
        ),
        (
            post(r#"{"password": "x", "user_inputs": [1]}"#),
            400,
            "INVALID_PARAMETER",
            Some("user_inputs"),
        ),
        (
            post(&json!({"password": "x", "user_inputs": vec!["a"; 33]}).to_string()),
            400,
            "INVALID_PARAMETER",
            Some("user_inputs"),
        ),
        (
            post(r#"{"password": "x", "pasword": "y"}"#),
            400,
            "UNKNOWN_PARAMETER",
            Some("pasword"),
        ),
        (
            post(r#"{"password": "x", "apiKey": "pwa_live_x"}"#),
            400,
            "UNKNOWN_PARAMETER",
            Some("apiKey"),
        ),
        (
            post(r#"{"password": "x"}"#).query("hibp=maybe"),
            400,
            "INVALID_PARAMETER",
            Some("hibp"),
        ),
        (
            post(r#"{"password": "x"}"#).query("hibp=false&hibp=true"),
            400,
            "INVALID_PARAMETER",
            Some("hibp"),
        ),
        (
            post(r#"{"password": "x"}"#).query("password=x"),
            400,
            "UNKNOWN_PARAMETER",
            Some("password"),
        ),
        (
            post(r#"{"password": "x"}"#).header("Authorization", "Basic abc"),
            401,
            "INVALID_AUTH_HEADER",
            None,
        ),
        (
            post(r#"{"password": "x"}"#).header("X-API-Key", "not-a-key"),
            401,
            "INVALID_API_KEY",
            None,
        ),
        (
            post(&"x".repeat(16 * 1024 + 1)),
            413,
            "PAYLOAD_TOO_LARGE",
            None,
        ),
        (
            Event::new("GET", "/v1/evaluate"),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
        (Event::new("POST", "/v1/elsewhere"), 404, "NOT_FOUND", None),
    ];
    for (event, status, code, param) in cases {
        let description = format!("{:?}", event.to_json());
        let (got, json) = api.error(event).await;
        assert_eq!(
            (got, json["error"].as_str(), json["param"].as_str()),
            (status, Some(code), param),
            "{description} -> {json}"
        );
        assert!(!json["message"].as_str().unwrap().contains("12345678"));
    }
    let response = api.send(Event::new("GET", "/v1/evaluate")).await;
    assert_eq!(header(&response, "allow"), Some("POST, OPTIONS"));
}

/// `policy`: verdicts per rule, through HTTP, with the breach check going to the range server.
#[tokio::test]
async fn policy_verdicts_name_each_rule_broken() {
    let ranges = server();
    let api = Api::new(&ranges.url());
    let verdict = async |body: Value| api.evaluate(body).await["policy"].clone();
    let rules = |v: &Value| -> Vec<String> {
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    // A breached password, through the local range server.
    let v = verdict(json!({"password": "password", "policy": "nist"})).await;
    assert_eq!(
        rules(&v),
        ["min_length", "dictionary_word", "breached"],
        "{v}"
    );
    assert_eq!(
        (&v["name"], &v["compliant"]),
        (&json!("nist"), &json!(false))
    );
    assert!(v["source"].as_str().unwrap().contains("800-63B-4"));
    for (body, expected) in [
        (
            json!({"password": "P4$$w0rd-dr4g0n!", "policy": "nist"}),
            vec![],
        ),
        (
            json!({"password": "aaaaaaaaaaaaaaaa", "policy": "nist"}),
            vec!["repetitive"],
        ),
        (
            json!({"password": "abcdefghijklmnop", "policy": "nist"}),
            vec!["sequential"],
        ),
        (
            json!({"password": "acme-corp-2026-rocks", "policy": "nist", "user_inputs": ["ACME"]}),
            vec!["context_word"],
        ),
        (
            json!({"password": "fourteen chars", "policy": "nist"}),
            vec!["min_length"],
        ),
        (
            json!({"password": "fifteen chars!!", "policy": "nist"}),
            vec![],
        ),
        (
            json!({"password": "Kq7#mZ2v", "policy": "nist", "mfa": true}),
            vec![],
        ),
        (
            json!({"password": "Kq7#mZ2v", "policy": "nist"}),
            vec!["min_length"],
        ),
        (json!({"password": "abcdefghijk1", "policy": "pci"}), vec![]),
        (
            json!({"password": "abcdefghijklmno", "policy": "dod"}),
            vec!["requires_upper", "requires_digit", "requires_symbol"],
        ),
        (
            json!({"password": "ABCDEFGHIJKL", "policy": {"passwordrules": "minlength: 12; required: upper; required: digit; max-consecutive: 2"}}),
            vec!["required", "max_sequential"],
        ),
        (
            json!({"password": "AAAB1CBA", "policy": {"passwordrules": "max-repeating: 2; max-sequential: 3"}}),
            vec!["max_repeating"],
        ),
        (
            json!({"password": "AAB1DCBA", "policy": {"passwordrules": "max-repeating: 2; max-sequential: 3"}}),
            vec!["max_sequential"],
        ),
        // A known site's rules (apple.com: 8 to 63 characters, a lower, an upper and a digit).
        (
            json!({"password": "Kq7mZ2vx", "policy": {"site": "apple.com"}}),
            vec![],
        ),
        (
            json!({"password": "kq7mz2vx", "policy": {"site": "www.Apple.com"}}),
            vec!["required"],
        ),
    ] {
        let v = verdict(body.clone()).await;
        assert_eq!(rules(&v), expected, "{body}: {v}");
        assert_eq!(v["compliant"], json!(expected.is_empty()), "{body}");
    }
    // A known site's verdict names the site and quotes its rules.
    let v = verdict(json!({"password": "Kq7mZ2vx", "policy": {"site": "www.apple.com"}})).await;
    let apple = passwordapi::generate::sites::lookup("apple.com").unwrap();
    assert_eq!(
        v["source"],
        format!(
            "apple.com's passwordrules (Apple's password-manager-resources): {}",
            apple.rules
        )
    );
    // The breach check skipped: nothing broken, so compliance is unknown.
    let v = api
        .evaluate_with_query(
            json!({"password": "P4$$w0rd-dr4g0n!", "policy": "nist"}),
            "hibp=false",
        )
        .await["policy"]
        .clone();
    assert_eq!(v["compliant"], Value::Null, "{v}");
    assert_eq!(v["unchecked"][0]["rule"], "breached");
    // No policy, no verdict.
    assert!(
        api.evaluate(json!({"password": "x"}))
            .await
            .get("policy")
            .is_none()
    );
}

#[tokio::test]
async fn invalid_policies_are_400_naming_the_parameter() {
    let api = Api::new(&unreachable_url());
    for (body, param) in [
        (json!({"password": "x", "policy": "gdpr"}), "policy"),
        (json!({"password": "x", "policy": 15}), "policy"),
        (
            json!({"password": "x", "policy": {"passwordrules": "minlength: twelve"}}),
            "policy",
        ),
        (
            json!({"password": "x", "policy": {"passwordrules": ""}}),
            "policy",
        ),
        (
            json!({"password": "x", "policy": {"passwordrules": "minlength: 8", "extra": 1}}),
            "policy",
        ),
        (
            json!({"password": "x", "policy": {"rules": "minlength: 8"}}),
            "policy",
        ),
        (
            json!({"password": "x", "policy": {"passwordrules": "minlength: 8; ".repeat(100)}}),
            "policy",
        ),
        (
            json!({"password": "x", "policy": "nist", "mfa": "yes"}),
            "mfa",
        ),
        (json!({"password": "x", "mfa": true}), "mfa"),
        (
            json!({"password": "x", "policy": {"site": "example.org"}}),
            "policy",
        ),
        (
            json!({"password": "x", "policy": {"site": "apple.com", "passwordrules": "minlength: 8"}}),
            "policy",
        ),
    ] {
        let response = api
            .send(Event::post("/v1/evaluate", &body.to_string()))
            .await;
        let json = body_json(&response);
        assert_eq!(response.status(), 400, "{body}: {json}");
        assert_eq!(json["error"], "INVALID_PARAMETER", "{body}");
        assert_eq!(json["param"], param, "{body}");
    }
}

#[tokio::test]
async fn dictionaries_add_a_languages_words_and_locale_translates_the_texts() {
    let server = server();
    let api = Api::new(&server.url());
    // A German word: a dictionary match only with the German pack.
    let word = "schmetterling";
    let english = api
        .evaluate_with_query(json!({"password": word}), "hibp=false")
        .await;
    let german = api
        .evaluate_with_query(
            json!({"password": word, "dictionaries": ["de"], "locale": "de"}),
            "hibp=false",
        )
        .await;
    assert!(
        german["guesses"].as_f64().unwrap() * 100.0 < english["guesses"].as_f64().unwrap(),
        "{german} {english}"
    );
    let de = passwordapi::evaluate::Translation::find("de").unwrap();
    assert_eq!(german["warning"], de.warning("wordByItself"), "{german}");
    assert!(
        de.suggestions
            .iter()
            .any(|(_, text)| german["suggestions"][0] == *text)
    );
    let shown = german["crack_times"]["online_throttled"].as_str().unwrap();
    assert!(
        de.time.iter().any(|(_, unit)| {
            let (before, after) = unit.split_once("{base}").unwrap_or((unit, ""));
            shown.starts_with(before) && shown.ends_with(after)
        }),
        "{shown}"
    );
    // Without a locale the texts stay zxcvbn's English.
    let untranslated = api
        .evaluate_with_query(
            json!({"password": word, "dictionaries": ["de", "en"]}),
            "hibp=false",
        )
        .await;
    assert_eq!(untranslated["guesses"], german["guesses"]);
    assert_eq!(
        untranslated["warning"],
        "A word by itself is easy to guess."
    );
    for (body, parameter) in [
        (
            json!({"password": "x", "dictionaries": ["xx"]}),
            "dictionaries",
        ),
        (
            json!({"password": "x", "dictionaries": "de"}),
            "dictionaries",
        ),
        (json!({"password": "x", "locale": "klingon"}), "locale"),
        (json!({"password": "x", "locale": 3}), "locale"),
    ] {
        let (status, json) = api
            .error(Event::post("/v1/evaluate", &body.to_string()).query("hibp=false"))
            .await;
        assert_eq!(status, 400, "{json}");
        assert_eq!(json["param"], parameter, "{json}");
    }
}
