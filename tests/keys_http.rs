//! Keys and quotas through the HTTP handlers, on Amazon's DynamoDB Local: register → use → usage →
//! hard limit → regenerate → old key refused, the quota codes and headers, the store calls a warm
//! request costs, and 503 when the database is gone.

use integration_tests::counting::Counting;
use integration_tests::dynamo::{LocalDynamo, create_table, fresh_table};
use integration_tests::{Event, body_json, header, test_config};
use lambda_http::Body;
use lambda_http::http::Response;
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::{App, dispatch};
use passwordapi::quota::Day;
use passwordapi::store::Store;
use passwordapi::store::dynamodb::DynamoStore;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

struct Api {
    app: Arc<App>,
    store: Arc<Counting>,
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl Api {
    async fn new(config: Config) -> Api {
        let (client, table) = fresh_table("keys").await;
        let store = Arc::new(Counting::new(DynamoStore::new(
            client.clone(),
            table.clone(),
        )));
        let config = Config {
            pepper: test_config().pepper,
            ..config
        };
        let app = Arc::new(App::new(config, Arc::clone(&store) as Arc<dyn Store>).unwrap());
        Api {
            app,
            store,
            client,
            table,
        }
    }

    async fn send(&self, event: Event) -> Response<Body> {
        // No breach checks here: a source where nothing listens.
        let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
        let response = integration_tests::serve(&self.app, &breaches, event.request()).await;
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        response
    }

    async fn json(&self, event: Event) -> (u16, Value) {
        let response = self.send(event).await;
        (response.status().as_u16(), body_json(&response))
    }

    async fn register(&self, email: &str) -> (String, String) {
        let (status, json) = self
            .json(Event::post(
                "/v1/keys/register",
                &json!({"email": email}).to_string(),
            ))
            .await;
        assert_eq!(status, 201, "{json}");
        (
            json["api_key"].as_str().unwrap().to_owned(),
            json["regen_token"].as_str().unwrap().to_owned(),
        )
    }

    async fn generate(&self, key: &str) -> Response<Body> {
        self.send(
            Event::post("/v1/generate", "{}").header("Authorization", &format!("Bearer {key}")),
        )
        .await
    }

    async fn usage(&self, key: &str) -> (u16, Value) {
        self.json(Event::new("GET", "/v1/keys/usage").header("X-API-Key", key))
            .await
    }
}

fn limits(response: &Response<Body>) -> (u32, u32, i64) {
    let get = |name| {
        header(response, name)
            .unwrap_or_else(|| panic!("{name}"))
            .parse::<i64>()
            .unwrap()
    };
    (
        get("x-ratelimit-limit") as u32,
        get("x-ratelimit-remaining") as u32,
        get("x-ratelimit-reset"),
    )
}

#[tokio::test]
async fn register_use_usage_regenerate_and_the_old_key_is_refused_at_once() {
    let api = Api::new(Config::default()).await;
    let (key, regen) = api.register("  Alice+Test@Example.COM ").await;
    assert!(key.starts_with("pwa_live_") && regen.starts_with("pwa_regen_"));

    for expected_remaining in [99, 98] {
        let response = api.generate(&key).await;
        assert_eq!(response.status(), 200);
        assert_eq!(body_json(&response)["tier"], "free");
        let (limit, remaining, reset) = limits(&response);
        assert_eq!((limit, remaining), (100, expected_remaining));
        assert_eq!(reset, Day::today().reset_at_ms());
    }
    let (status, usage) = api.usage(&key).await;
    assert_eq!(status, 200, "{usage}");
    assert_eq!(
        (
            &usage["tier"],
            &usage["usage"],
            &usage["limit"],
            &usage["remaining"],
            &usage["hard_limit"]
        ),
        (
            &json!("free"),
            &json!(2),
            &json!(100),
            &json!(98),
            &Value::Null
        )
    );
    assert_eq!(
        usage["history"],
        json!([{"day": Day::today().iso(), "usage": 2}])
    );

    // Regenerate: the email is matched after normalisation; the old key fails on its next use.
    let (status, fresh) = api
        .json(Event::post(
            "/v1/keys/regenerate",
            &json!({"email": "alice+test@example.com", "regen_token": regen}).to_string(),
        ))
        .await;
    assert_eq!(status, 200, "{fresh}");
    let new_key = fresh["api_key"].as_str().unwrap();
    assert_ne!(new_key, key);
    let old = api.generate(&key).await;
    assert_eq!(
        (old.status().as_u16(), body_json(&old)["error"].clone()),
        (401, json!("API_KEY_NOT_FOUND"))
    );
    assert_eq!(api.usage(&key).await.0, 401);
    // The old regeneration token is spent too: without an idempotency key nothing replays.
    let (status, json) = api
        .json(Event::post(
            "/v1/keys/regenerate",
            &json!({"email": "alice+test@example.com", "regen_token": regen}).to_string(),
        ))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("INVALID_REGEN_TOKEN"))
    );
    assert_eq!(api.generate(&key).await.status(), 401);
    // Usage carried over to the new key.
    let response = api.generate(new_key).await;
    assert_eq!(limits(&response).1, 97);
    assert_eq!(api.usage(new_key).await.1["usage"], 3);
}

#[tokio::test]
async fn a_warm_metered_request_costs_one_store_call_and_no_argon2() {
    let api = Api::new(Config::default()).await;
    let (key, _) = api.register("warm@example.com").await;
    api.generate(&key).await; // cold: account read + argon2, day opened
    let before = api.store.calls();
    let response = api.generate(&key).await;
    assert_eq!(response.status(), 200);
    // One conditional write, and no account read: the key came from the container's cache, so
    // argon2 did not run either (it only runs after an account read).
    assert_eq!(api.store.calls() - before, 1);
    assert_eq!(api.app.keys.len(), 1);
    // Anonymous callers: one call as well.
    let before = api.store.calls();
    api.send(Event::post("/v1/generate", "{}")).await;
    assert_eq!(api.store.calls() - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_regeneration_racing_requests_with_the_old_key_cuts_it_off_at_once() {
    let api = Arc::new(Api::new(Config::default()).await);
    let (key, regen) = api.register("race@example.com").await;
    assert_eq!(api.generate(&key).await.status(), 200);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let user = {
        let (api, key, done) = (Arc::clone(&api), key.clone(), Arc::clone(&done));
        tokio::spawn(async move {
            // Requests with the old key until a few after the regeneration has returned.
            let mut seen = Vec::new();
            let mut after = 0;
            while after < 5 {
                if done.load(Ordering::SeqCst) {
                    after += 1;
                }
                let started = std::time::Instant::now();
                let status = api.generate(&key).await.status().as_u16();
                seen.push((started, status));
            }
            seen
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let (status, fresh) = api
        .json(Event::post(
            "/v1/keys/regenerate",
            &json!({"email": "race@example.com", "regen_token": regen}).to_string(),
        ))
        .await;
    assert_eq!(status, 200, "{fresh}");
    let regenerated = std::time::Instant::now();
    done.store(true, Ordering::SeqCst);
    let seen = user.await.unwrap();
    assert!(seen.iter().all(|(_, s)| *s == 200 || *s == 401), "{seen:?}");
    for (started, status) in &seen {
        if *started > regenerated {
            assert_eq!(
                *status, 401,
                "a request after the regeneration was admitted"
            );
        }
    }
    assert!(
        seen.iter().any(|(_, s)| *s == 401),
        "the old key was cut off"
    );
    let new_key = fresh["api_key"].as_str().unwrap();
    assert_eq!(api.generate(new_key).await.status(), 200);
    // Every admitted request was counted once.
    let admitted = seen.iter().filter(|(_, s)| *s == 200).count() + 2;
    assert_eq!(api.usage(new_key).await.1["usage"], admitted);
}

#[tokio::test]
async fn hard_limits_are_set_enforced_and_cleared() {
    let api = Api::new(Config::default()).await;
    let (key, _) = api.register("hard@example.com").await;
    for _ in 0..3 {
        api.generate(&key).await;
    }
    let put = |body: Value| {
        Event::new("PUT", "/v1/keys/usage")
            .header("Authorization", &format!("Bearer {key}"))
            .body(&body.to_string())
    };
    let (status, json) = api.json(put(json!({"hard_limit": 2}))).await;
    assert_eq!(
        (status, json["error"].as_str(), json["param"].as_str()),
        (400, Some("HARD_LIMIT_TOO_LOW"), Some("hard_limit"))
    );
    let (status, json) = api.json(put(json!({"hard_limit": 4}))).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(
        (&json["hard_limit"], &json["limit"], &json["remaining"]),
        (&json!(4), &json!(4), &json!(1))
    );
    assert_eq!(limits(&api.generate(&key).await).1, 0);
    let over = api.generate(&key).await;
    let body = body_json(&over);
    assert_eq!(
        (over.status().as_u16(), body["error"].as_str()),
        (429, Some("HARD_LIMIT_EXCEEDED"))
    );
    assert_eq!(
        (&body["limit"], &body["reset_at"]),
        (&json!(4), &json!(Day::today().reset_at_ms()))
    );
    assert!(
        header(&over, "retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(limits(&over), (4, 0, Day::today().reset_at_ms()));
    for bad in [
        json!({}),
        json!({"hard_limit": -1}),
        json!({"hard_limit": "5"}),
        json!({"hard_limit": 5, "x": 1}),
    ] {
        let (status, json) = api.json(put(bad.clone())).await;
        assert_eq!(status, 400, "{bad} -> {json}");
    }
    let (status, json) = api.json(put(json!({"hard_limit": null}))).await;
    assert_eq!(
        (status, &json["hard_limit"], &json["limit"]),
        (200, &Value::Null, &json!(100))
    );
    assert_eq!(api.generate(&key).await.status(), 200);
}

impl Api {
    async fn regenerate(&self, email: &str, regen: &str) -> String {
        let (status, fresh) = self
            .json(Event::post(
                "/v1/keys/regenerate",
                &json!({"email": email, "regen_token": regen}).to_string(),
            ))
            .await;
        assert_eq!(status, 200, "{fresh}");
        fresh["api_key"].as_str().unwrap().to_owned()
    }

    async fn put_hard_limit(&self, key: &str, hard_limit: Value) -> Value {
        let (status, json) = self
            .json(
                Event::new("PUT", "/v1/keys/usage")
                    .header("X-API-Key", key)
                    .body(&json!({ "hard_limit": hard_limit }).to_string()),
            )
            .await;
        assert_eq!(status, 200, "{json}");
        json
    }

    /// Generates until refused: how many were admitted, and the refusal's limit header.
    async fn admitted_until_refused(&self, key: &str, at_most: u32) -> (u32, Option<u32>) {
        for admitted in 0..at_most {
            let response = self.generate(key).await;
            if response.status() == 429 {
                assert_eq!(body_json(&response)["error"], "HARD_LIMIT_EXCEEDED");
                return (admitted, Some(limits(&response).0));
            }
            assert_eq!(response.status(), 200);
        }
        (at_most, None)
    }
}

/// A regeneration opens tomorrow's counter in advance; a hard limit set or cleared afterwards
/// holds tomorrow too, as usage reports it.
#[tokio::test]
async fn a_hard_limit_changed_after_a_regeneration_holds_the_next_day() {
    const DAY_MS: i64 = 86_400_000;
    let api = Api::new(Config::default()).await;
    let (_, regen) = api.register("capped@example.com").await;
    let key = api.regenerate("capped@example.com", &regen).await;
    api.put_hard_limit(&key, json!(3)).await;

    let (other, regen) = api.register("uncapped@example.com").await;
    api.put_hard_limit(&other, json!(12)).await;
    let other = api.regenerate("uncapped@example.com", &regen).await;
    api.put_hard_limit(&other, Value::Null).await;

    api.app.clock.shift(DAY_MS);
    assert_eq!(api.usage(&key).await.1["limit"], 3);
    assert_eq!(api.admitted_until_refused(&key, 10).await, (3, Some(3)));
    assert_eq!(api.usage(&other).await.1["hard_limit"], Value::Null);
    assert_eq!(api.admitted_until_refused(&other, 14).await, (14, None));
    assert_eq!(api.usage(&other).await.1["usage"], 14);
}

#[tokio::test]
async fn the_daily_limit_answers_429_with_its_code_and_headers() {
    let config = Config {
        anonymous: integration_tests::plan("anonymous", 2, 10),
        free: integration_tests::plan("free", 1, 10),
        ..Config::default()
    };
    let api = Api::new(config).await;
    for _ in 0..2 {
        assert_eq!(
            api.send(Event::post("/v1/generate", "{}")).await.status(),
            200
        );
    }
    let over = api.send(Event::post("/v1/generate", "{}")).await;
    assert_eq!(
        (over.status().as_u16(), body_json(&over)["error"].clone()),
        (429, json!("DEMO_LIMIT_EXCEEDED"))
    );
    assert!(header(&over, "retry-after").is_some());
    // Another address has its own counter; X-Forwarded-For changes nothing.
    let other = Event::post("/v1/generate", "{}").source_ip("198.51.100.9");
    assert_eq!(api.send(other).await.status(), 200);
    let spoofed = Event::post("/v1/generate", "{}").header("X-Forwarded-For", "192.0.2.1");
    assert_eq!(api.send(spoofed).await.status(), 429);
    // Bad requests do not count.
    let (key, _) = api.register("limit@example.com").await;
    let bad = Event::post("/v1/generate", r#"{"length": 2}"#).header("X-API-Key", &key);
    let refused = api.send(bad).await;
    assert_eq!(refused.status(), 400);
    // A refused request carries the quota headers too, and did not count.
    assert_eq!(limits(&refused), (1, 1, Day::today().reset_at_ms()));
    assert_eq!(api.generate(&key).await.status(), 200);
    let over = api.generate(&key).await;
    assert_eq!(body_json(&over)["error"], "RATE_LIMIT_EXCEEDED");
}

/// A caller refused for its limit is refused again from the container's memory: the same answer,
/// no store call, before any validation (a bad request is a 429 too); not the usage endpoint.
/// The memory holds at most 60 s, never past the reset, and a hard limit changed through this
/// container forgets it.
#[tokio::test]
async fn a_refused_caller_is_refused_again_without_a_store_call() {
    let api = Api::new(Config {
        free: integration_tests::plan("free", 2, 10),
        ..Config::default()
    })
    .await;
    // Start 90 s before a midnight: the hold then ends at 60 s, and the day at 90 s.
    let now = api.app.clock.now_ms();
    api.app
        .clock
        .shift(Day::from_unix_ms(now).reset_at_ms() - 90_000 - now);
    let (key, _) = api.register("refused@example.com").await;
    for _ in 0..2 {
        assert_eq!(api.generate(&key).await.status(), 200);
    }
    let first = api.generate(&key).await;
    assert_eq!(body_json(&first)["error"], "RATE_LIMIT_EXCEEDED");
    let with_key = |event: Event| event.header("Authorization", &format!("Bearer {key}"));
    for event in [
        with_key(Event::post("/v1/generate", "{}")),
        with_key(Event::post("/v1/generate", r#"{"length": 2}"#)),
        with_key(Event::post("/v1/evaluate", r#"{"password": "hunter2"}"#)),
        with_key(Event::mcp_call(
            "evaluate_password",
            json!({"password": "hunter2"}),
        )),
    ] {
        let before = api.store.calls();
        let again = api.send(event).await;
        assert_eq!(
            api.store.calls(),
            before,
            "a remembered refusal calls the store"
        );
        assert_eq!(limits(&again), limits(&first));
        // MCP answers a tool's refusal as a result (200): headers, but no Retry-After.
        assert_eq!(
            header(&again, "retry-after").is_some(),
            again.status() == 429
        );
        let body = body_json(&again);
        let code = body["error"]
            .as_str()
            .or(body["result"]["structuredContent"]["error"].as_str());
        assert_eq!(code, Some("RATE_LIMIT_EXCEEDED"), "{body}");
    }
    assert_eq!(api.usage(&key).await.0, 200);
    // After 60 s the store is asked again (and refuses again).
    api.app.clock.shift(60_000);
    let before = api.store.calls();
    assert_eq!(api.generate(&key).await.status(), 429);
    assert!(api.store.calls() > before);
    // 30 s later the day is over: served at once, though the hold would last 30 s more.
    api.app.clock.shift(30_001);
    assert_eq!(api.generate(&key).await.status(), 200);

    // A hard limit: refused under it, then raised through this container: served at once.
    assert_eq!(api.put_hard_limit(&key, json!(1)).await["hard_limit"], 1);
    let over = api.generate(&key).await;
    assert_eq!(body_json(&over)["error"], "HARD_LIMIT_EXCEEDED");
    assert_eq!(
        api.put_hard_limit(&key, Value::Null).await["hard_limit"],
        Value::Null
    );
    assert_eq!(api.generate(&key).await.status(), 200);
}

#[tokio::test]
async fn an_operators_plan_change_reaches_a_warm_key_on_its_next_request() {
    let api = Api::new(Config::default()).await;
    let (key, _) = api.register("team@example.com").await;
    let big = |key: &str| {
        Event::post("/v1/generate", r#"{"count": 200, "length": 8}"#).header("X-API-Key", key)
    };
    let (status, json) = api.json(big(&key)).await;
    assert_eq!((status, json["param"].as_str()), (400, Some("count")));
    assert_eq!(api.generate(&key).await.status(), 200);
    // The operator's step (passwordapi-admin accounts set-plan), while this container holds the
    // key verified on the free plan.
    let operator = passwordapi::operator::Operator::new(
        DynamoStore::new(api.client.clone(), api.table.clone()),
        "arn:aws:iam::123456789012:user/ops",
        &Config::default(),
    );
    operator.set_plan(&key, "team").await.unwrap();
    let calls = api.store.calls();
    let response = api.send(big(&key)).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    assert_eq!(
        (
            json["tier"].as_str(),
            json["passwords"].as_array().map(Vec::len)
        ),
        (Some("team"), Some(200))
    );
    assert_eq!(limits(&response).0, 5000);
    // The count above the known maximum read the account, then metering counted on the month
    // the change had moved to the new revision: two calls.
    assert_eq!(api.store.calls() - calls, 2);
    let usage = api.usage(&key).await.1;
    assert_eq!(
        (usage["plan"].as_str(), usage["usage"].as_u64()),
        (Some("team"), Some(2))
    );
    // And back: a lowered maximum holds from the next request too.
    operator.set_plan(&key, "free").await.unwrap();
    let (status, json) = api.json(big(&key)).await;
    assert_eq!((status, json["param"].as_str()), (400, Some("count")));
    let events = api
        .send(Event::new("GET", "/v1/keys/events").header("X-API-Key", &key))
        .await;
    let trail = body_json(&events)["events"].clone();
    assert_eq!(trail[0]["event"], "plan_changed");
    assert_eq!(trail[0]["actor"], "arn:aws:iam::123456789012:user/ops");
    assert_eq!(trail[0]["old"]["plan"], "team");
    assert_eq!(trail[1]["new"]["plan"], "team");
}

#[tokio::test]
async fn registration_errors() {
    let config = Config {
        register_daily_limit_per_ip: 2,
        ..Config::default()
    };
    let api = Api::new(config).await;
    api.register("taken@example.com").await;
    let post = |body: Value| Event::post("/v1/keys/register", &body.to_string());
    let (status, json) = api.json(post(json!({"email": "TAKEN@example.com "}))).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("EMAIL_ALREADY_EXISTS"))
    );
    for bad in [
        json!({}),
        json!({"email": 5}),
        json!({"email": "no-at-sign"}),
        json!({"email": "a@b.c."}),
        json!({"email": "ü@example.com"}),
    ] {
        let (status, json) = api.json(post(bad.clone())).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("INVALID_EMAIL")),
            "{bad}"
        );
    }
    let (status, json) = api
        .json(post(json!({"email": "x@example.com", "tier": "team"})))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("UNKNOWN_PARAMETER"))
    );
    assert_eq!(
        api.json(Event::new("POST", "/v1/keys/register")).await.1["error"],
        "INVALID_JSON_BODY"
    );
    // The duplicate counted as an attempt: the address has used its two.
    let over = api.send(post(json!({"email": "third@example.com"}))).await;
    assert_eq!(
        (over.status().as_u16(), body_json(&over)["error"].clone()),
        (429, json!("RATE_LIMIT_EXCEEDED"))
    );
    assert!(header(&over, "retry-after").is_some());
    // Another address may still register.
    let (status, _) = api
        .json(post(json!({"email": "third@example.com"})).source_ip("198.51.100.4"))
        .await;
    assert_eq!(status, 201);
}

/// Deployed, the pepper is not in the function's configuration: the function reads it from its
/// Secrets Manager secret at start-up (here a local Secrets Manager, moto, over the real protocol).
#[tokio::test]
async fn the_deployed_pepper_is_read_from_secrets_manager_at_start_up() {
    use integration_tests::secrets::LocalSecretsManager;
    use passwordapi::keys::Pepper;
    let secrets = LocalSecretsManager::start().await;
    let value = "Zq8vXk2Lr7TnW4pYc9HsB3dGf6JmA1eU5oRiK0tNxQwEzVbMyCuPlSaDhFgIjO2";
    let arn = secrets.create_secret("passwordapi-pepper", value).await;
    let (_, table) = fresh_table("pepper").await;
    let config = |arn: &str| Config {
        table_name: Some(table.clone()),
        dynamodb_endpoint: Some(integration_tests::dynamo::shared().endpoint()),
        pepper: None,
        pepper_secret_arn: Some(arn.to_owned()),
        secrets_manager_endpoint: Some(secrets.endpoint()),
        ..Config::default()
    };
    let app = App::from_config(config(&arn)).await.unwrap();
    let expected = Pepper::new(value.as_bytes()).unwrap();
    assert_eq!(
        app.pepper.email("you@example.com"),
        expected.email("you@example.com")
    );
    // And it serves: a registration through it.
    let response = dispatch::register(
        &app,
        Event::post("/v1/keys/register", r#"{"email":"pepper@example.com"}"#).request(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);

    // A secret too short to be a pepper, or one that is not there: start-up fails, naming the
    // variable and never the value.
    let short = secrets
        .create_secret("passwordapi-short", "only-sixteen-ch")
        .await;
    let err = App::from_config(config(&short)).await.err().unwrap();
    assert_eq!(err.name, "EMAIL_PEPPER_SECRET_ARN");
    assert!(!err.to_string().contains("only-sixteen"), "{err}");
    let missing = arn.replace("passwordapi-pepper", "nothing-here");
    let err = App::from_config(config(&missing)).await.err().unwrap();
    assert_eq!(err.name, "EMAIL_PEPPER_SECRET_ARN");
    // EMAIL_PEPPER, for local runs, wins: no Secrets Manager call is made.
    let local = Config {
        pepper: test_config().pepper,
        secrets_manager_endpoint: Some("http://127.0.0.1:9".to_owned()),
        ..config(&arn)
    };
    assert!(App::from_config(local).await.is_ok());
}

/// Registration attempts are counted per IPv6 /64 too.
#[tokio::test]
async fn registrations_from_one_ipv6_64_share_a_counter() {
    let api = Api::new(Config {
        register_daily_limit_per_ip: 1,
        ..Config::default()
    })
    .await;
    let from = async |ip: &str, email: &str| {
        let event = Event::post("/v1/keys/register", &json!({"email": email}).to_string());
        api.send(event.source_ip(ip)).await.status().as_u16()
    };
    assert_eq!(from("2001:db8:77::1", "v6a@example.com").await, 201);
    assert_eq!(from("2001:db8:77:0:1234::9", "v6b@example.com").await, 429);
    assert_eq!(from("2001:db8:78::1", "v6b@example.com").await, 201);
}

/// Every attempt counts against the address, refused or not, and a refused one hashes nothing.
#[tokio::test]
async fn every_registration_attempt_counts_and_refusals_run_no_argon2() {
    let api = Api::new(Config {
        register_daily_limit_per_ip: 3,
        ..Config::default()
    })
    .await;
    let post = |email: &str| Event::post("/v1/keys/register", &json!({"email": email}).to_string());
    let before = passwordapi::keys::argon2_runs_on_this_thread();
    api.register("first@example.com").await;
    assert_eq!(passwordapi::keys::argon2_runs_on_this_thread() - before, 2);
    let before = passwordapi::keys::argon2_runs_on_this_thread();
    for _ in 0..2 {
        let (status, json) = api.json(post("first@example.com")).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("EMAIL_ALREADY_EXISTS"))
        );
    }
    let over = api.send(post("second@example.com")).await;
    assert_eq!(
        (over.status().as_u16(), body_json(&over)["error"].clone()),
        (429, json!("RATE_LIMIT_EXCEEDED"))
    );
    assert_eq!(passwordapi::keys::argon2_runs_on_this_thread() - before, 0);
}

/// A regeneration whose answer was lost: the same request, retried within ten minutes and before
/// the new token is used, gets the same new key and token; nothing else does.
#[tokio::test]
async fn a_lost_regeneration_answer_is_recovered_by_retrying_the_same_request() {
    const MINUTE_MS: i64 = 60_000;
    let api = Api::new(Config::default()).await;
    let email = "lost@example.com";
    let (old_key, regen) = api.register(email).await;
    let request = |idempotency: Option<&str>| {
        let event = Event::post(
            "/v1/keys/regenerate",
            &json!({"email": email, "regen_token": regen}).to_string(),
        );
        match idempotency {
            Some(k) => event.header("Idempotency-Key", k),
            None => event,
        }
    };
    let (status, first) = api.json(request(Some("attempt-7f3a"))).await;
    assert_eq!(status, 200, "{first}");
    // The answer never arrived; the client retries the same request minutes later.
    api.app.clock.shift(9 * MINUTE_MS);
    let (status, again) = api.json(request(Some("attempt-7f3a"))).await;
    assert_eq!((status, &again), (200, &first));
    let key = first["api_key"].as_str().unwrap();
    assert_eq!(api.generate(key).await.status(), 200);
    assert_eq!(api.generate(&old_key).await.status(), 401);
    // Not with another idempotency key, nor without one: the answer depends on it.
    for other in [Some("attempt-other"), None] {
        let (status, json) = api.json(request(other)).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (401, Some("INVALID_REGEN_TOKEN"))
        );
    }
    // Not after the window.
    api.app.clock.shift(2 * MINUTE_MS);
    let (status, _) = api.json(request(Some("attempt-7f3a"))).await;
    assert_eq!(status, 401);

    // Once the new token is used, the spent one fails at once, inside the window too.
    let email = "lost2@example.com";
    let (_, spent) = api.register(email).await;
    let body = json!({"email": email, "regen_token": spent}).to_string();
    let with_key = || Event::post("/v1/keys/regenerate", &body).header("Idempotency-Key", "k-1");
    let (_, first) = api.json(with_key()).await;
    let (status, again) = api.json(with_key()).await;
    assert_eq!((status, &again), (200, &first));
    let next = first["regen_token"].as_str().unwrap();
    api.regenerate(email, next).await;
    let (status, _) = api.json(with_key()).await;
    assert_eq!(status, 401);

    let (status, json) = api.json(request(Some("bad key with spaces"))).await;
    assert_eq!(
        (status, json["param"].as_str()),
        (400, Some("Idempotency-Key"))
    );
}

/// The takeover a replay without an idempotency key allowed: the owner regenerates without one;
/// someone holding the spent token and the email asks again. They get nothing — not at once, not
/// minutes later — and the owner's new key and token stay the owner's.
#[tokio::test]
async fn a_stolen_spent_token_recovers_nothing_from_a_regeneration_without_an_idempotency_key() {
    let api = Api::new(Config::default()).await;
    let email = "owner@example.com";
    let (_, stolen) = api.register(email).await;
    let body = json!({"email": email, "regen_token": stolen}).to_string();
    let (status, owners) = api.json(Event::post("/v1/keys/regenerate", &body)).await;
    assert_eq!(status, 200, "{owners}");
    for after_ms in [0, 116_000, 451_000] {
        api.app.clock.shift(after_ms);
        for idempotency in [None, Some("thief-1")] {
            let event = Event::post("/v1/keys/regenerate", &body);
            let event = match idempotency {
                Some(k) => event.header("Idempotency-Key", k),
                None => event,
            };
            let (status, json) = api.json(event).await;
            assert_eq!(
                (status, json["error"].as_str()),
                (401, Some("INVALID_REGEN_TOKEN")),
                "the spent token answered {json}"
            );
        }
    }
    // The owner's new key works and their new token still regenerates.
    let key = owners["api_key"].as_str().unwrap();
    assert_eq!(api.generate(key).await.status(), 200);
    let regen = owners["regen_token"].as_str().unwrap();
    let next = api.regenerate(email, regen).await;
    assert!(next.starts_with("pwa_live_"));
}

/// A limit of 0 closes what it limits, with the usual 429 and headers.
#[tokio::test]
async fn a_limit_of_zero_closes_registration_or_the_anonymous_tier() {
    let closed = Api::new(Config {
        register_daily_limit_per_ip: 0,
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        let response = closed
            .send(Event::post(
                "/v1/keys/register",
                r#"{"email":"a@example.com"}"#,
            ))
            .await;
        let json = body_json(&response);
        assert_eq!(
            (
                response.status().as_u16(),
                json["error"].as_str(),
                &json["limit"]
            ),
            (429, Some("RATE_LIMIT_EXCEEDED"), &json!(0)),
            "{json}"
        );
        assert_eq!(limits(&response).0, 0);
        assert!(json["message"].as_str().unwrap().contains("closed"));
    }

    let keys_only = Api::new(Config {
        anonymous: passwordapi::plan::Plan {
            daily: 0,
            ..Config::default().anonymous
        },
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        let response = keys_only.send(Event::post("/v1/generate", "{}")).await;
        let json = body_json(&response);
        assert_eq!(
            (response.status().as_u16(), json["error"].as_str()),
            (429, Some("DEMO_LIMIT_EXCEEDED")),
            "{json}"
        );
        assert_eq!(limits(&response).0, 0);
        assert!(json["message"].as_str().unwrap().contains("API key"));
        assert!(header(&response, "retry-after").is_some());
    }
    let (key, _) = keys_only.register("keyed@example.com").await;
    assert_eq!(keys_only.generate(&key).await.status(), 200);
}

#[tokio::test]
async fn regeneration_and_usage_errors() {
    let api = Api::new(Config::default()).await;
    let (key, regen) = api.register("owner@example.com").await;
    let regenerate = |body: Value| Event::post("/v1/keys/regenerate", &body.to_string());
    for body in [
        json!({"email": "other@example.com", "regen_token": regen}),
        json!({"email": "owner@example.com", "regen_token": key}),
        json!({"email": "owner@example.com", "regen_token": "pwa_regen_nope"}),
        json!({"email": "owner@example.com"}),
        json!({"email": "owner@example.com", "regen_token": integration_tests::unregistered_key().replace("pwa_live_", "pwa_regen_")}),
    ] {
        let (status, json) = api.json(regenerate(body.clone())).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (401, Some("INVALID_REGEN_TOKEN")),
            "{body}"
        );
    }
    // Nothing changed: the key still works.
    assert_eq!(api.generate(&key).await.status(), 200);

    let (status, json) = api.json(Event::new("GET", "/v1/keys/usage")).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("MISSING_AUTH_HEADER"))
    );
    let unknown = integration_tests::unregistered_key();
    let (status, json) = api.usage(&unknown).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("API_KEY_NOT_FOUND"))
    );
    let (status, json) = api.usage("pwa_live_short").await;
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("INVALID_API_KEY"))
    );
    let (status, json) = api.json(Event::new("DELETE", "/v1/keys/usage")).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (405, Some("METHOD_NOT_ALLOWED"))
    );
    let (status, _) = api.json(Event::new("GET", "/v1/keys/register")).await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn an_unreachable_database_is_a_503_with_retry_after_never_a_500() {
    let mut local = LocalDynamo::start().await;
    let client = local.client();
    create_table(&client, "faults").await;
    let app =
        Arc::new(App::new(test_config(), Arc::new(DynamoStore::new(client, "faults"))).unwrap());
    let register =
        |email: &str| Event::post("/v1/keys/register", &json!({"email": email}).to_string());
    let response = dispatch::register(&app, register("before@example.com").request())
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let key = body_json(&response)["api_key"].as_str().unwrap().to_owned();
    local.stop();
    let requests = [
        (Event::post("/v1/generate", "{}"), "generate"),
        (
            Event::post("/v1/generate", "{}").header("X-API-Key", &key),
            "generate",
        ),
        (register("after@example.com"), "register"),
        (
            Event::new("GET", "/v1/keys/usage").header("X-API-Key", &key),
            "usage",
        ),
    ];
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    for (event, handler) in requests {
        let response = integration_tests::serve(&app, &breaches, event.request()).await;
        let json = body_json(&response);
        assert_eq!(
            (response.status().as_u16(), json["error"].as_str()),
            (503, Some("SERVICE_UNAVAILABLE")),
            "{handler}"
        );
        assert!(header(&response, "retry-after").is_some());
    }
}

/// Each metered function's paths through the table, for the permissions check (tests/
/// permissions.rs reads what the suites recorded): anonymous and keyed callers, a key's first
/// request (account read, day opened) and warm ones, a refused bad request (its quota read), the
/// day full, and MCP's usage tool.
#[tokio::test]
async fn every_metered_function_reads_and_writes_the_table_through_its_paths() {
    let api = Api::new(Config {
        free: integration_tests::plan("free", 4, 10),
        ..Config::default()
    })
    .await;
    let mcp = Event::mcp_call;
    let evaluate = |body: &str| Event::post("/v1/evaluate", body);
    let requests = |key: Option<&str>| {
        let with = |event: Event| match key {
            Some(key) => event.header("Authorization", &format!("Bearer {key}")),
            None => event,
        };
        vec![
            (with(evaluate(r#"{"password": ""}"#)), 400),
            (with(evaluate(r#"{"password": "hunter2"}"#)), 200),
            (
                with(mcp(
                    "evaluate_password",
                    json!({"password": "hunter2", "hibp": false}),
                )),
                200,
            ),
            (with(mcp("generate_password", json!({"length": 2}))), 200),
            (with(mcp("generate_password", json!({}))), 200),
        ]
    };
    for (event, status) in requests(None) {
        assert_eq!(api.send(event).await.status(), status);
    }
    let (key, _) = api.register("tour@example.com").await;
    for (event, status) in requests(Some(&key)) {
        assert_eq!(api.send(event).await.status(), status);
    }
    let usage = api
        .send(mcp("get_usage", json!({})).header("X-API-Key", &key))
        .await;
    assert_eq!(body_json(&usage)["result"]["structuredContent"]["usage"], 3);
    // The fourth keyed request fills the day; the fifth is refused.
    for tool in ["evaluate_password", "evaluate_password"] {
        let event = mcp(tool, json!({"password": "x", "hibp": false})).header("X-API-Key", &key);
        api.send(event).await;
    }
    let over = api
        .send(evaluate(r#"{"password": "x"}"#).header("X-API-Key", &key))
        .await;
    assert_eq!(over.status(), 429);
}

/// Each function that meters or reports limits reads the plans in its own container, and records
/// the deployment's seeds a new table lacks: each is the first of its table here, as it may be
/// deployed.
#[tokio::test]
async fn each_function_reads_the_plans_and_records_the_seeds() {
    use passwordapi::keys::{Kind, Token};
    for first in ["generate", "evaluate", "register", "usage", "mcp"] {
        let api = Api::new(Config::default()).await;
        let event = match first {
            "generate" => Event::post("/v1/generate", "{}"),
            "evaluate" => Event::post("/v1/evaluate", r#"{"password": "x"}"#),
            "register" => Event::post("/v1/keys/register", r#"{"email": "first@example.com"}"#),
            "mcp" => Event::mcp_call("generate_password", json!({})),
            _ => {
                // An account written straight to the table, so that no function read the plans.
                let mut rng = rand::rng();
                let key = Token::issue(Kind::ApiKey, "firstACCOUNT", &mut rng);
                let account = passwordapi::store::Account::new(
                    "firstACCOUNT".to_owned(),
                    "hash-of-first".to_owned(),
                    key.hash(),
                    key.hash(),
                    passwordapi::plan::FREE,
                    0,
                );
                let event = passwordapi::store::Event::new(
                    passwordapi::store::EventKind::Registered,
                    "self",
                    0,
                );
                api.store.register(&account, &event).await.unwrap();
                Event::new("GET", "/v1/keys/usage").header("X-API-Key", &key.reveal())
            }
        };
        let response = api.send(event).await;
        assert!(
            response.status().is_success(),
            "{first}: {}",
            body_json(&response)
        );
        let stored = api.store.inner.plans().await.unwrap();
        assert_eq!(stored.seeds.len(), 3, "{first} recorded the three seeds");
        assert!(stored.operator.is_empty());
    }
}

/// Every command of the operator's tool, in process on the recording client: what it calls is
/// what README's least-privilege policy for operators grants (tests/permissions.rs holds the two
/// together), and each command's answer is its effect.
#[tokio::test]
async fn the_operators_commands_in_process() {
    use passwordapi::operator::{Operator, OperatorError};
    let api = Api::new(Config::default()).await;
    let (key, _) = api.register("ops@example.com").await;
    assert_eq!(api.generate(&key).await.status(), 200);
    let store = DynamoStore::new(api.client.clone(), api.table.clone());
    let op = Operator::new(
        store,
        "arn:aws:iam::123456789012:user/ops",
        &Config::default(),
    );
    integration_tests::aws_calls::as_function("passwordapi-admin", async {
        assert_eq!(op.list(None).await.unwrap().len(), 1);
        let shown = op.show(&key).await.unwrap();
        assert_eq!((shown.usage.today, shown.usage.month), (1, 1));
        op.plans_set("pro", 10, Some(Some(100)), Some(5))
            .await
            .unwrap();
        assert_eq!(op.plans_list().await.unwrap().len(), 4);
        assert_eq!(
            op.set_plan(&key, "pro").await.unwrap().limits.monthly,
            Some(100)
        );
        let limited = op
            .set_limits(&key, None, Some(Some(50)), None)
            .await
            .unwrap();
        assert_eq!(limited.limits.monthly, Some(50));
        assert!(matches!(
            op.set_limits(&key, Some(Some(0)), None, None).await,
            Err(OperatorError::BadInput(_))
        ));
        assert_eq!(
            op.expire(&key, Some(4_070_908_800_000))
                .await
                .unwrap()
                .expires_at,
            Some(4_070_908_800_000)
        );
        assert_eq!(op.revoke(&key).await.unwrap().status, "revoked");
        let reissued = op.reissue(&key).await.unwrap();
        assert_eq!(op.show(&reissued.api_key).await.unwrap().status, "active");
        let month = api.app.clock.today().month();
        let rows = op.export(month).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.usage).sum::<u32>(), 1);
        let trail = op.audit(&reissued.api_key).await.unwrap();
        // Registered, then five changes (the refused one wrote nothing).
        assert_eq!(trail.len(), 6);
        assert!(
            trail[..5]
                .iter()
                .all(|e| e.actor == "arn:aws:iam::123456789012:user/ops")
        );
        assert_eq!(
            (trail[5].event, trail[5].actor.as_str()),
            ("registered", "self")
        );
    })
    .await;
}

/// A monthly limit: the headers report the month once it is nearer than the day; the month's
/// last request is admitted, the next refused with its code, `Retry-After` and `reset_at` (the
/// first of next month); the next month admits again, and the day's own window is back in the
/// headers.
#[tokio::test]
async fn a_monthly_limit_reports_and_refuses_by_the_month() {
    let api = Api::new(Config {
        free: passwordapi::plan::Plan {
            monthly: Some(3),
            ..integration_tests::plan("free", 100, 10)
        },
        ..Config::default()
    })
    .await;
    let (key, _) = api.register("month@example.com").await;
    let month = api.app.clock.today().month();
    for remaining in [2, 1, 0] {
        let response = api.generate(&key).await;
        assert_eq!(response.status(), 200);
        assert_eq!(limits(&response), (3, remaining, month.reset_at_ms()));
    }
    let refused = api.generate(&key).await;
    let body = body_json(&refused);
    assert_eq!(
        (refused.status().as_u16(), body["error"].as_str()),
        (429, Some("MONTHLY_LIMIT_EXCEEDED"))
    );
    assert_eq!(
        (body["limit"].as_u64(), body["reset_at"].as_i64()),
        (Some(3), Some(month.reset_at_ms()))
    );
    let retry: i64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    let now = api.app.clock.now_ms();
    assert_eq!(retry, (month.reset_at_ms() - now + 999) / 1000);
    let usage = api.usage(&key).await.1;
    assert_eq!(
        usage["month"],
        json!({"month": month.iso(), "usage": 3, "limit": 3, "remaining": 0, "reset_at": month.reset_at_ms()})
    );
    assert_eq!(
        (usage["usage"].as_u64(), usage["remaining"].as_u64()),
        (Some(3), Some(97))
    );
    // The first of next month, plus a minute.
    api.app.clock.shift(month.reset_at_ms() + 60_000 - now);
    let response = api.generate(&key).await;
    assert_eq!(response.status(), 200, "{}", body_json(&response));
    assert_eq!(limits(&response), (3, 2, month.next().reset_at_ms()));
}

/// The template parameters stay in force after the table recorded them: a redeployment with
/// another value applies it (and records it, with an event); an operator's plan of the same name
/// overrides the parameter.
#[tokio::test]
async fn template_parameters_apply_until_an_operator_sets_the_plan() {
    let api = Api::new(Config {
        free: integration_tests::plan("free", 2, 10),
        ..Config::default()
    })
    .await;
    let (key, _) = api.register("seeds@example.com").await;
    assert_eq!(limits(&api.generate(&key).await).0, 2);
    // The same table, deployed again with FreeDailyLimit 7.
    let config = Config {
        free: integration_tests::plan("free", 7, 10),
        pepper: test_config().pepper,
        ..Config::default()
    };
    let redeployed = App::new(config, Arc::clone(&api.store) as Arc<dyn Store>).unwrap();
    let generate = || {
        Event::post("/v1/generate", "{}")
            .header("X-API-Key", &key)
            .request()
    };
    let response = dispatch::generate(&redeployed, generate()).await.unwrap();
    assert_eq!(limits(&response).0, 7);
    let stored = api.store.inner.plans().await.unwrap();
    let free = stored.seeds.iter().find(|p| p.name == "free").unwrap();
    assert_eq!(free.daily, 7);
    // The operator's plan wins over the parameter, in every container once it re-reads.
    let operator = passwordapi::operator::Operator::new(
        DynamoStore::new(api.client.clone(), api.table.clone()),
        "ops",
        &Config::default(),
    );
    let rows = operator.plans_list().await.unwrap();
    let free_row = rows.iter().find(|p| p.name == "free").unwrap();
    assert_eq!((free_row.daily, free_row.source), (7, "template"));
    operator.plans_set("free", 3, None, None).await.unwrap();
    redeployed.plans.reread(&*redeployed.store).await;
    let response = dispatch::generate(&redeployed, generate()).await.unwrap();
    assert_eq!(limits(&response).0, 3);
    let rows = operator.plans_list().await.unwrap();
    let free_row = rows.iter().find(|p| p.name == "free").unwrap();
    assert_eq!((free_row.daily, free_row.source), (3, "operator"));
}
