//! Property tests (proptest): the generator honours every policy it accepts, and no request — any
//! bytes, any JSON — makes a handler panic or answer 5xx.
//!
//! CI runs a bounded number of cases; for a longer run: `PROPTEST_CASES=20000 cargo test -p
//! integration-tests --test properties --release`.

use integration_tests::{Event, body_json, memory_app};
use passwordapi::Config;
use passwordapi::generate::charset::AMBIGUOUS;
use passwordapi::generate::{GenerateRequest, Mode, Policy, Preset, random};
use passwordapi::http::{evaluate, generate, keys};
use proptest::prelude::*;
use serde_json::{Value, json};

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";
const SYMBOLS: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

fn small_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::string::string_regex("[a-zA-Z0-9!@#$%^&*()é ]{0,12}").unwrap())
}

prop_compose! {
    fn password_requests()(
        length in prop::option::of(0u32..300),
        count in prop::option::of(0u32..4),
        toggles in prop::array::uniform4(prop::option::of(any::<bool>())),
        minimums in prop::array::uniform4(prop::option::of(0u32..8)),
        exclude in small_text(),
        avoid_ambiguous in prop::option::of(any::<bool>()),
        symbol_set in prop::option::of(prop::string::string_regex("[!@#$%^&*()<>?~-]{0,8}").unwrap()),
        min_entropy in prop::option::of(0.0f64..400.0),
        compliance in prop::option::of(prop::sample::select(Preset::ALL.to_vec())),
        quantum in prop::option::of(any::<bool>()),
    ) -> GenerateRequest {
        GenerateRequest {
            length, count,
            uppercase: toggles[0], lowercase: toggles[1], numbers: toggles[2], symbols: toggles[3],
            min_uppercase: minimums[0], min_lowercase: minimums[1],
            min_numbers: minimums[2], min_symbols: minimums[3],
            exclude, avoid_ambiguous, symbol_set, min_entropy, compliance, quantum,
            ..GenerateRequest::default()
        }
    }
}

fn count_in(password: &str, class: &str) -> u32 {
    password.chars().filter(|c| class.contains(*c)).count() as u32
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(300)
    ))]

    /// Every accepted password policy yields passwords that satisfy it: the length, each class's
    /// minimum, no excluded or disabled character, and the entropy asked for.
    #[test]
    fn generated_passwords_satisfy_their_policy(request in password_requests()) {
        let Ok(policy) = Policy::new(&request, 10) else { return Ok(()); };
        prop_assert_eq!(policy.mode, Mode::Password);
        let length = policy.length().unwrap();
        let symbols = request.symbol_set.clone().unwrap_or_else(|| SYMBOLS.to_owned());
        let excluded: Vec<char> = request.exclude.clone().unwrap_or_default().chars().collect();
        let classes = [
            (UPPER, request.uppercase, request.min_uppercase),
            (LOWER, request.lowercase, request.min_lowercase),
            (DIGITS, request.numbers, request.min_numbers),
            (symbols.as_str(), request.symbols, request.min_symbols),
        ];
        if let Some(bits) = request.min_entropy {
            prop_assert!(policy.entropy_bits() >= bits - 1e-9);
        }
        if request.quantum == Some(true) {
            prop_assert!(policy.entropy_bits() >= 256.0 - 1e-9);
        }
        for password in policy.generate(&mut random::request_rng()) {
            prop_assert_eq!(password.chars().count() as u32, length);
            if let Some(l) = request.length {
                prop_assert!(length >= l);
            }
            for c in password.chars() {
                prop_assert!(!excluded.contains(&c), "excluded {:?} in {:?}", c, password);
                if request.avoid_ambiguous == Some(true) {
                    prop_assert!(!AMBIGUOUS.contains(c), "look-alike {:?} in {:?}", c, password);
                }
            }
            for (class, enabled, minimum) in classes {
                let n = count_in(&password, class);
                if enabled == Some(false) {
                    prop_assert_eq!(n, 0, "disabled {:?} in {:?}", class, password);
                } else if let Some(m) = minimum {
                    prop_assert!(n >= m, "{} < {} of {:?} in {:?}", n, m, class, password);
                }
            }
        }
    }

    /// Any body at all, on every POST endpoint: an answer below 500 with a JSON body and a code.
    #[test]
    fn no_body_makes_a_handler_fail(body in prop::collection::vec(any::<u8>(), 0..200), text in ".{0,200}") {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let app = memory_app(Config::default());
        let breaches = passwordapi::evaluate::breach::RangeCache::new(
            passwordapi::evaluate::hibp::HibpClient::new("http://127.0.0.1:9"),
        );
        for path in ["/v1/generate", "/v1/evaluate", "/v1/keys/register", "/v1/keys/regenerate"] {
            for event in [Event::new("POST", path).binary_body(&body), Event::post(path, &text)] {
                let request = event.request();
                let response = runtime.block_on(async {
                    match path {
                        "/v1/generate" => generate::handle(&app, request).await,
                        "/v1/evaluate" => evaluate::handle(&app, &breaches, request).await,
                        "/v1/keys/register" => keys::register(&app, request).await,
                        _ => keys::regenerate(&app, request).await,
                    }
                }).unwrap();
                prop_assert!(response.status().as_u16() < 500, "{} -> {}", path, response.status());
                if response.status().as_u16() >= 400 {
                    let json = body_json(&response);
                    prop_assert!(json["error"].is_string());
                }
            }
        }
    }

    /// Any JSON object of generate's parameters with values of any type: never a 5xx, and a 200
    /// always carries passwords.
    #[test]
    fn any_generate_parameters_get_an_answer(
        values in prop::collection::vec(
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                (-1e3f64..1e3).prop_map(Value::from),
                ".{0,10}".prop_map(Value::from),
                Just(json!([1, 2])),
                Just(json!({"a": 1})),
            ],
            generate::PARAMS.len(),
        ),
        keep in prop::collection::vec(any::<bool>(), generate::PARAMS.len()),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let app = memory_app(Config::default());
        let mut body = serde_json::Map::new();
        for ((name, value), keep) in generate::PARAMS.iter().zip(values).zip(keep) {
            if keep {
                body.insert((*name).to_owned(), value);
            }
        }
        let event = Event::post("/v1/generate", &Value::Object(body).to_string());
        let response = runtime.block_on(generate::handle(&app, event.request())).unwrap();
        let status = response.status().as_u16();
        prop_assert!(status == 200 || status == 400, "{}", status);
        if status == 200 && response.headers().get("content-type").is_some_and(|t| t == "application/json; charset=utf-8") {
            prop_assert!(body_json(&response)["passwords"].as_array().is_some_and(|p| !p.is_empty()));
        }
    }
}
