//! Property tests (proptest): the generator honours every policy it accepts, and no request — any
//! bytes, any JSON — makes a handler panic or answer 5xx.
//!
//! CI runs a bounded number of cases; for a longer run: `PROPTEST_CASES=20000 cargo test -p
//! integration-tests --test properties --release`.

use integration_tests::{Event, body_json, memory_app};
use passwordapi::Config;
use passwordapi::generate::charset::AMBIGUOUS;
use passwordapi::generate::{GenerateRequest, GenerationPlan, Mode, Preset, random};
use passwordapi::http::{dispatch, generate};
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
        let Ok(policy) = GenerationPlan::new(&request, 10) else { return Ok(()); };
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
                        "/v1/generate" => dispatch::generate(&app, request).await,
                        "/v1/evaluate" => dispatch::evaluate(&app, &breaches, request).await,
                        "/v1/keys/register" => dispatch::register(&app, request).await,
                        _ => dispatch::regenerate(&app, request).await,
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
        let response = runtime.block_on(dispatch::generate(&app, event.request())).unwrap();
        let status = response.status().as_u16();
        prop_assert!(status == 200 || status == 400, "{}", status);
        if status == 200 && response.headers().get("content-type").is_some_and(|t| t == "application/json; charset=utf-8") {
            prop_assert!(body_json(&response)["passwords"].as_array().is_some_and(|p| !p.is_empty()));
        }
    }
}

/// Every character that draws no visible glyph is refused in `symbol_set` and `separator`: the
/// whole Unicode range walked against an independent copy of the data (regex's tables: the
/// general categories without a glyph of their own, Default_Ignorable_Code_Point) and the
/// character names (every `… FILLER` that is not punctuation, `… PATTERN BLANK`, `NULL
/// NOTEHEAD`); and the visible
/// symbols a caller may want are not.
#[test]
fn every_character_that_draws_no_glyph_is_refused_by_rule() {
    use passwordapi::generate::is_invisible;
    let no_glyph = regex::Regex::new(
        r"^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Mn}\p{Me}\p{Zs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]$",
    )
    .unwrap();
    // Fillers that are letters or symbols hold a place and draw nothing (the Hangul fillers);
    // the scripts' gap and line fillers are punctuation with a glyph of their own.
    let punctuation = regex::Regex::new(r"^\p{P}$").unwrap();
    let named_blank = |c: char| {
        unicode_names2::name(c).is_some_and(|name| {
            let name = name.to_string();
            let filler =
                name.ends_with(" FILLER") && !punctuation.is_match(c.encode_utf8(&mut [0u8; 4]));
            filler || name.ends_with("PATTERN BLANK") || name.ends_with("NULL NOTEHEAD")
        })
    };
    let (mut walked, mut blanks, mut missed) = (0u32, Vec::new(), Vec::new());
    let mut buffer = [0u8; 4];
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let by_category = no_glyph.is_match(c.encode_utf8(&mut buffer));
        let blank = named_blank(c);
        if blank {
            blanks.push(c);
        }
        if by_category || blank {
            walked += 1;
            if !is_invisible(c) {
                missed.push(format!("U+{:04X}", c as u32));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "drawn as nothing, yet accepted: {missed:?}"
    );
    // The Hangul fillers, braille blank and null notehead are among them; Cn and Co dominate.
    for c in [
        '\u{115F}',
        '\u{1160}',
        '\u{3164}',
        '\u{FFA0}',
        '\u{2800}',
        '\u{1D159}',
    ] {
        assert!(blanks.contains(&c), "U+{:04X} by name", c as u32);
    }
    assert!(walked > 900_000, "{walked}");
    for visible in SYMBOLS
        .chars()
        .chain("€£¥©®°±§¶•→←↑↓★☆♠♣♥♦✓✗∞≈≠≤≥÷×".chars())
    {
        assert!(!is_invisible(visible), "{visible} is visible");
    }
}

/// U+1D159 (a blank glyph) as a symbol or a separator, through the API: refused, naming the
/// parameter.
#[tokio::test]
async fn a_blank_symbol_is_refused_as_a_symbol_and_as_a_separator() {
    let app = memory_app(Config::default());
    for (body, param) in [
        (json!({"symbol_set": "!\u{1D159}"}), "symbol_set"),
        (
            json!({"mode": "passphrase", "separator": "\u{1D159}"}),
            "separator",
        ),
        (
            json!({"mode": "passphrase", "separator": "-\u{FE0F}"}),
            "separator",
        ),
        (json!({"symbol_set": "#\u{3164}"}), "symbol_set"),
    ] {
        let response = dispatch::generate(
            &app,
            Event::post("/v1/generate", &body.to_string()).request(),
        )
        .await
        .unwrap();
        let json = body_json(&response);
        assert_eq!(
            (response.status().as_u16(), json["param"].as_str()),
            (400, Some(param)),
            "{body} -> {json}"
        );
    }
}
