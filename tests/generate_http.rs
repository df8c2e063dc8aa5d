//! `/v1/generate` through the real API Gateway v2 event path, for every parameter of the contract
//! and every error case.

use integration_tests::{Event, body_json, body_text, header, memory_app, unregistered_key};
use lambda_http::Body;
use lambda_http::http::Response;
use passwordapi::Config;
use passwordapi::http::dispatch;
use serde_json::{Value, json};

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
const SYMBOLS: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

async fn send(event: Event) -> Response<Body> {
    let app = memory_app(Config::default());
    let response = dispatch::generate(&app, event.request()).await.unwrap();
    // Every response, success or error, is uncacheable.
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    response
}

async fn ok(body: Value) -> Value {
    let response = send(Event::post("/v1/generate", &body.to_string())).await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{body} -> {json}");
    // Metered: the anonymous tier's daily limit, counted on a fresh store.
    assert_eq!(header(&response, "x-ratelimit-limit"), Some("50"));
    assert_eq!(header(&response, "x-ratelimit-remaining"), Some("49"));
    assert!(header(&response, "x-ratelimit-reset").is_some());
    assert_eq!(
        header(&response, "content-type"),
        Some("application/json; charset=utf-8")
    );
    json
}

async fn error(event: Event) -> (u16, Value) {
    let response = send(event).await;
    assert_eq!(
        header(&response, "content-type"),
        Some("application/json; charset=utf-8")
    );
    let json = body_json(&response);
    assert!(
        json["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{json}"
    );
    (response.status().as_u16(), json)
}

async fn bad_param(body: Value, code: &str, param: &str) {
    let (status, json) = error(Event::post("/v1/generate", &body.to_string())).await;
    assert_eq!(
        (status, json["error"].as_str(), json["param"].as_str()),
        (400, Some(code), Some(param)),
        "{body} -> {json}"
    );
}

fn passwords(json: &Value) -> Vec<String> {
    json["passwords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

fn count_in(s: &str, set: &str) -> usize {
    s.chars().filter(|c| set.contains(*c)).count()
}

/// Σ over subsets S of required classes of (−1)^|S| (pool − size(S))^L: the number of strings of
/// length L containing every class at least once, computed here independently of the service.
fn log2_all_classes(sizes: &[f64], length: i32) -> f64 {
    let pool: f64 = sizes.iter().sum();
    let mut total = 0.0;
    for mask in 0u32..(1 << sizes.len()) {
        let removed: f64 = (0..sizes.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| sizes[i])
            .sum();
        let sign = if mask.count_ones() % 2 == 0 {
            1.0
        } else {
            -1.0
        };
        total += sign * (pool - removed).powi(length);
    }
    total.log2()
}

fn assert_entropy(json: &Value, exact: f64) {
    let reported = json["entropy_bits"].as_f64().unwrap();
    assert!(
        reported <= exact && exact - reported < 0.01,
        "reported {reported}, exact {exact}"
    );
    assert_eq!(json["entropy"].as_u64().unwrap(), exact.floor() as u64);
}

#[tokio::test]
async fn empty_request_gives_one_18_character_password_with_all_classes() {
    for body in ["{}", ""] {
        let response = send(Event::post("/v1/generate", body)).await;
        assert_eq!(response.status(), 200, "{body:?}");
        let json = body_json(&response);
        let p = json["password"].as_str().unwrap();
        assert_eq!(json["passwords"], json!([p]));
        assert_eq!(p.chars().count(), 18);
        for set in [LOWER, UPPER, DIGITS, SYMBOLS] {
            assert!(count_in(p, set) >= 1, "{p}");
        }
        assert_eq!(
            (
                json["count"].as_u64(),
                json["length"].as_u64(),
                json["charset_size"].as_u64()
            ),
            (Some(1), Some(18), Some(94))
        );
        assert_eq!(
            (json["mode"].as_str(), json["tier"].as_str()),
            (Some("password"), Some("anonymous"))
        );
        assert_eq!(
            (json["compliance"].clone(), json["quantum"].clone()),
            (Value::Null, json!(false))
        );
        assert_entropy(&json, log2_all_classes(&[26.0, 26.0, 10.0, 32.0], 18));
        assert_eq!(json["strength"], "strong");
        let generated = json["generated"].as_str().unwrap();
        assert!(
            generated.len() == 24 && generated.ends_with('Z') && generated.as_bytes()[10] == b'T',
            "{generated}"
        );
        let audit = &json["audit"];
        assert_eq!(audit["character_pool"], "lower+upper+numbers+symbols");
        assert_eq!(
            (
                audit["client_side"].clone(),
                audit["server_contact"].clone(),
                audit["policy"].clone()
            ),
            (json!(false), json!(true), Value::Null)
        );
        assert!(audit["entropy_source"].as_str().unwrap().contains("CSPRNG"));
    }
}

#[tokio::test]
async fn get_takes_the_same_parameters_from_the_query_string() {
    let response = send(
        Event::new("GET", "/v1/generate").query("length=30&count=3&symbols=false&exclude=%41%42"),
    )
    .await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    let list = passwords(&json);
    assert_eq!(list.len(), 3);
    for p in &list {
        assert_eq!(p.chars().count(), 30);
        assert_eq!(count_in(p, SYMBOLS), 0);
        assert!(!p.contains('A') && !p.contains('B'));
    }
    assert_eq!(json["charset_size"], 60);
    // Query values follow the same rules as JSON ones.
    for (query, param) in [
        ("length=abc", "length"),
        ("count=-1", "count"),
        ("uppercase=yes", "uppercase"),
        ("length=5&length=6", "length"),
    ] {
        let (status, json) = error(Event::new("GET", "/v1/generate").query(query)).await;
        assert_eq!(
            (status, json["param"].as_str()),
            (400, Some(param)),
            "{query}"
        );
    }
    let (status, json) =
        error(Event::new("GET", "/v1/generate").query("apiKey=pwa_live_abc")).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("UNKNOWN_PARAMETER")),
        "keys never travel in URLs"
    );
}

#[tokio::test]
async fn length_bounds_and_types() {
    assert_eq!(
        ok(json!({"length": 4})).await["password"]
            .as_str()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        ok(json!({"length": 256})).await["password"]
            .as_str()
            .unwrap()
            .len(),
        256
    );
    bad_param(json!({"length": 3}), "INVALID_PARAMETER", "length").await;
    bad_param(json!({"length": 257}), "INVALID_PARAMETER", "length").await;
    bad_param(json!({"length": "18"}), "INVALID_PARAMETER", "length").await;
    bad_param(json!({"length": 18.5}), "INVALID_PARAMETER", "length").await;
    bad_param(json!({"length": 1e300}), "INVALID_PARAMETER", "length").await;
    bad_param(json!({"length": -5}), "INVALID_PARAMETER", "length").await;
}

#[tokio::test]
async fn count_is_bounded_by_the_tier() {
    let json = ok(json!({"count": 10})).await;
    let list = passwords(&json);
    assert_eq!((list.len(), json["count"].as_u64()), (10, Some(10)));
    assert_eq!(json["password"].as_str().unwrap(), list[0]);
    let distinct: std::collections::HashSet<_> = list.iter().collect();
    assert_eq!(distinct.len(), 10);
    bad_param(json!({"count": 11}), "INVALID_PARAMETER", "count").await;
    bad_param(json!({"count": 0}), "INVALID_PARAMETER", "count").await;
    bad_param(json!({"count": "2"}), "INVALID_PARAMETER", "count").await;
}

#[tokio::test]
async fn classes_and_minimums() {
    let json = ok(json!({"uppercase": false, "symbols": false, "count": 5})).await;
    for p in passwords(&json) {
        assert_eq!(count_in(&p, UPPER) + count_in(&p, SYMBOLS), 0, "{p}");
        assert!(count_in(&p, LOWER) >= 1 && count_in(&p, DIGITS) >= 1);
    }
    assert_eq!(
        (
            json["charset_size"].as_u64(),
            json["audit"]["character_pool"].as_str()
        ),
        (Some(36), Some("lower+numbers"))
    );
    assert_entropy(&json, log2_all_classes(&[26.0, 10.0], 18));

    let json = ok(json!({"length": 12, "min_numbers": 6, "min_symbols": 3, "count": 10})).await;
    for p in passwords(&json) {
        assert!(
            count_in(&p, DIGITS) >= 6 && count_in(&p, SYMBOLS) >= 3,
            "{p}"
        );
    }
    // Minimum 0 removes the requirement but keeps the class in the pool.
    let json =
        ok(json!({"min_symbols": 0, "min_numbers": 0, "min_uppercase": 0, "min_lowercase": 0}))
            .await;
    assert_entropy(&json, 18.0 * 94f64.log2());

    bad_param(
        json!({"lowercase": false, "uppercase": false, "numbers": false, "symbols": false}),
        "INVALID_PARAMETER",
        "lowercase",
    )
    .await;
    bad_param(
        json!({"numbers": false, "min_numbers": 2}),
        "INVALID_PARAMETER",
        "min_numbers",
    )
    .await;
    bad_param(
        json!({"length": 8, "min_numbers": 5, "min_symbols": 4}),
        "INVALID_PARAMETER",
        "length",
    )
    .await;
    bad_param(json!({"min_upper": 1}), "UNKNOWN_PARAMETER", "min_upper").await;
    bad_param(
        json!({"uppercase": "false"}),
        "INVALID_PARAMETER",
        "uppercase",
    )
    .await;
}

#[tokio::test]
async fn exclude_avoid_ambiguous_and_symbol_set() {
    let json = ok(json!({"exclude": "abc012!", "count": 10})).await;
    for p in passwords(&json) {
        assert!(!p.contains(['a', 'b', 'c', '0', '1', '2', '!']), "{p}");
    }
    assert_eq!(json["charset_size"], 87);
    assert_entropy(&json, log2_all_classes(&[23.0, 26.0, 7.0, 31.0], 18));

    let json = ok(json!({"avoid_ambiguous": true, "count": 10})).await;
    for p in passwords(&json) {
        assert!(
            !p.contains(['I', 'l', '1', '|', 'O', '0', 'o', '`', '\'', '"']),
            "{p}"
        );
    }
    assert_eq!(json["charset_size"], 84);

    let json = ok(json!({"symbol_set": "!@#", "count": 10})).await;
    for p in passwords(&json) {
        assert_eq!(count_in(&p, SYMBOLS), count_in(&p, "!@#"), "{p}");
    }
    assert_eq!(json["charset_size"], 65);

    // Emptying a class that has a minimum is an error; with minimum 0 the class just disappears.
    bad_param(json!({"exclude": DIGITS}), "INVALID_PARAMETER", "exclude").await;
    let json = ok(json!({"exclude": DIGITS, "min_numbers": 0})).await;
    assert_eq!(count_in(json["password"].as_str().unwrap(), DIGITS), 0);
    assert_eq!(json["audit"]["character_pool"], "lower+upper+symbols");
    bad_param(
        json!({"symbol_set": "abc"}),
        "INVALID_PARAMETER",
        "symbol_set",
    )
    .await;
    bad_param(json!({"symbol_set": ""}), "INVALID_PARAMETER", "symbol_set").await;
    bad_param(json!({"exclude": 5}), "INVALID_PARAMETER", "exclude").await;
}

#[tokio::test]
async fn min_entropy_and_quantum_raise_the_length_to_the_smallest_sufficient() {
    let json = ok(json!({"min_entropy": 200})).await;
    let length = json["length"].as_u64().unwrap() as i32;
    let sizes = [26.0, 26.0, 10.0, 32.0];
    assert!(
        log2_all_classes(&sizes, length) >= 200.0 && log2_all_classes(&sizes, length - 1) < 200.0,
        "{length}"
    );
    assert_eq!(json["password"].as_str().unwrap().len() as i32, length);

    let json = ok(json!({"quantum": true})).await;
    let length = json["length"].as_u64().unwrap() as i32;
    assert!(json["entropy_bits"].as_f64().unwrap() >= 256.0);
    assert!(log2_all_classes(&sizes, length - 1) < 256.0);
    assert_eq!(
        (json["quantum"].clone(), json["strength"].clone()),
        (json!(true), json!("very_strong"))
    );

    // Already strong enough: the requested length stands.
    assert_eq!(
        ok(json!({"length": 30, "min_entropy": 50})).await["length"],
        30
    );
    bad_param(json!({"numbers": false, "lowercase": false, "uppercase": false, "symbol_set": "!", "min_entropy": 1}), "INVALID_PARAMETER", "min_entropy").await;
    bad_param(
        json!({"min_entropy": -1}),
        "INVALID_PARAMETER",
        "min_entropy",
    )
    .await;
    bad_param(
        json!({"min_entropy": "80"}),
        "INVALID_PARAMETER",
        "min_entropy",
    )
    .await;
}

/// Whether `password` meets `rules` as 1Password's parser reads them, checked here on the
/// parser's own output: the length bounds, only allowed or required characters, a character of
/// each required set, no run of identical characters longer than `max-repeating` and none of
/// steps by one through a-z, A-Z or 0-9 longer than `max-sequential` (`max-consecutive`: both).
/// The two new properties are read here by a pattern, not by the product's code.
fn meets_rules(password: &str, rules: &str) -> bool {
    let limit = |name: &str| -> Option<usize> {
        rules.split(';').find_map(|rule| {
            let (key, value) = rule.split_once(':')?;
            (key.trim() == name).then(|| value.trim().parse().unwrap())
        })
    };
    let (max_repeating, max_sequential) = (limit("max-repeating"), limit("max-sequential"));
    let parsed_text: String = rules
        .split(';')
        .filter(|r| {
            !r.trim().starts_with("max-repeating") && !r.trim().starts_with("max-sequential")
        })
        .collect::<Vec<_>>()
        .join(";");
    let rules = password_rules_parser::parse_password_rules(&parsed_text, true).unwrap();
    let chars: Vec<char> = password.chars().collect();
    let set = |classes: &[password_rules_parser::CharacterClass]| -> Vec<char> {
        classes.iter().flat_map(|c| c.chars()).collect()
    };
    let mut allowed = set(&rules.allowed);
    for required in &rules.required {
        allowed.extend(set(required));
    }
    let longest_run = chars
        .chunk_by(|a, b| a == b)
        .map(<[char]>::len)
        .max()
        .unwrap_or(0);
    let ranges = [
        "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "0123456789",
    ];
    let steps = |a: char, b: char, by: i32| {
        ranges.iter().any(|r| match (r.find(a), r.find(b)) {
            (Some(i), Some(j)) => j as i32 - i as i32 == by,
            _ => false,
        })
    };
    let longest_sequence = [1, -1]
        .iter()
        .map(|&by| {
            chars
                .chunk_by(|&a, &b| steps(a, b, by))
                .map(<[char]>::len)
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    let consecutive = rules.max_consecutive.map(|k| k as usize);
    let within =
        |longest: usize, limits: [Option<usize>; 2]| limits.iter().flatten().all(|&k| longest <= k);
    rules.min_length.is_none_or(|m| chars.len() >= m as usize)
        && rules.max_length.is_none_or(|m| chars.len() <= m as usize)
        && chars.iter().all(|c| allowed.contains(c))
        && rules
            .required
            .iter()
            .all(|r| chars.iter().any(|c| set(r).contains(c)))
        && within(longest_run, [max_repeating, consecutive])
        && within(longest_sequence, [max_sequential, consecutive])
}

#[tokio::test]
async fn passwordrules_give_passwords_the_site_accepts_with_the_exact_entropy() {
    let rules = "minlength: 12; maxlength: 16; required: upper; required: digit; allowed: lower; max-consecutive: 2";
    let json = ok(json!({"passwordrules": rules, "count": 10})).await;
    assert_eq!(json["length"], 16, "18 clamped to maxlength");
    assert_eq!(json["charset_size"], 62);
    assert_eq!(json["audit"]["character_pool"], "passwordrules");
    assert_eq!(
        json["audit"]["policy"],
        format!("the site's passwordrules: {rules}")
    );
    for p in passwords(&json) {
        assert!(meets_rules(&p, rules), "{p}");
    }

    // Without max-consecutive the count is inclusion–exclusion over the two required sets.
    let json = ok(
        json!({"passwordrules": "required: upper; required: digit; allowed: lower", "length": 12}),
    )
    .await;
    let n = |base: f64| base.powi(12);
    assert_entropy(&json, (n(62.0) - n(36.0) - n(52.0) + n(26.0)).log2());
    // max-repeating: 1 over 36 characters: 36 · 35^(L−1).
    let json =
        ok(json!({"passwordrules": "allowed: lower, digit; max-repeating: 1", "length": 20})).await;
    assert_entropy(&json, 36f64.log2() + 19.0 * 35f64.log2());
    for p in passwords(&json) {
        assert!(
            meets_rules(&p, "allowed: lower, digit; max-repeating: 1"),
            "{p}"
        );
    }
    // Limits on sequences (and max-consecutive, both): the count of the strings over a small
    // alphabet that keep them, enumerated here, and every password within them.
    for rules in [
        "allowed: [abcz1]; max-sequential: 1",
        "required: [9]; allowed: [78ab]; max-sequential: 2; max-repeating: 1",
        "allowed: [cba]; max-consecutive: 2",
    ] {
        let json = ok(json!({"passwordrules": rules, "length": 6, "count": 10})).await;
        let alphabet: Vec<char> = {
            let class = rules.split('[').skip(1).flat_map(|c| c.split(']').next());
            class.flat_map(str::chars).collect()
        };
        let mut kept = 0u64;
        for code in 0..alphabet.len().pow(6) {
            let mut x = code;
            let p: String = (0..6)
                .map(|_| {
                    let c = alphabet[x % alphabet.len()];
                    x /= alphabet.len();
                    c
                })
                .collect();
            kept += u64::from(meets_rules(&p, rules));
        }
        assert_entropy(&json, (kept as f64).log2());
        for p in passwords(&json) {
            assert!(meets_rules(&p, rules), "{p} breaks {rules}");
        }
    }
    // Under a sequence limit the length stops at 32; without one it does not.
    bad_param(
        json!({"passwordrules": "max-sequential: 3", "length": 33}),
        "INVALID_PARAMETER",
        "length",
    )
    .await;
    ok(json!({"passwordrules": "max-repeating: 3", "length": 200})).await;
    // Wide spaces in the properties read beside the parser: read, not a server error.
    let wide = "max-repeating:\u{3000}2;\u{3000}max-sequential: 2; minlength: 9";
    for p in passwords(&ok(json!({"passwordrules": wide, "count": 10})).await) {
        assert!(
            meets_rules(&p, "max-repeating: 2; max-sequential: 2; minlength: 9"),
            "{p}"
        );
    }

    // The query string takes them too; min_entropy raises the length within maxlength.
    let response =
        send(Event::new("GET", "/v1/generate").query(
            "passwordrules=allowed%3A%20digit%3B%20maxlength%3A%2064&min_entropy=100&length=8",
        ))
        .await;
    let json = body_json(&response);
    assert_eq!(response.status(), 200, "{json}");
    // 10^30 < 2^100 < 10^31: thirty digits are not enough, thirty-one are.
    assert_eq!(json["length"], 31);
    assert!(json["entropy_bits"].as_f64().unwrap() >= 100.0);

    for (body, param) in [
        (
            json!({"passwordrules": "required: upper; nonsense"}),
            "passwordrules",
        ),
        (json!({"passwordrules": ""}), "passwordrules"),
        (json!({"passwordrules": "x".repeat(1025)}), "passwordrules"),
        (json!({"passwordrules": 12}), "passwordrules"),
        (
            json!({"passwordrules": "minlength: 20", "length": 12}),
            "length",
        ),
        (
            json!({"passwordrules": "required: upper", "uppercase": false}),
            "uppercase",
        ),
        (
            json!({"passwordrules": "required: upper", "mode": "passphrase"}),
            "passwordrules",
        ),
        (
            json!({"passwordrules": "required: digit", "exclude": "0123456789"}),
            "exclude",
        ),
    ] {
        bad_param(body, "INVALID_PARAMETER", param).await;
    }
}

#[tokio::test]
async fn compliance_presets() {
    for (preset, min_length, all_four) in [
        ("hipaa", 12, true),
        ("pci", 12, false),
        ("soc2", 15, false),
        ("iso", 12, true),
        ("nist", 15, false),
        ("dod", 15, true),
    ] {
        let json = ok(json!({"compliance": preset, "length": 4, "count": 10})).await;
        assert_eq!(json["length"], min_length, "{preset}");
        assert_eq!(json["compliance"], preset);
        assert!(json["audit"]["policy"].as_str().unwrap().len() > 20);
        for p in passwords(&json) {
            assert_eq!(p.chars().count(), min_length);
            if all_four {
                assert!(
                    [LOWER, UPPER, DIGITS, SYMBOLS]
                        .iter()
                        .all(|set| count_in(&p, set) >= 1),
                    "{preset}: {p}"
                );
            }
            if preset == "pci" {
                assert!(
                    count_in(&p, DIGITS) >= 1 && count_in(&p, LOWER) + count_in(&p, UPPER) >= 1,
                    "{p}"
                );
            }
        }
    }
    // A longer requested length is kept.
    assert_eq!(
        ok(json!({"compliance": "nist", "length": 20})).await["length"],
        20
    );
    // NIST and SOC 2 impose no composition rules: every 15-character string over the pool counts.
    assert_entropy(
        &ok(json!({"compliance": "nist", "length": 15})).await,
        15.0 * 94f64.log2(),
    );
    // PCI's "a letter" is one constraint over both cases.
    let json = ok(json!({"compliance": "pci", "length": 12, "min_lowercase": 0, "min_uppercase": 0, "min_symbols": 0})).await;
    assert_eq!(json["audit"]["character_pool"], "letters+numbers+symbols");
    assert_entropy(&json, {
        // letters ≥ 1, digits ≥ 1, symbols free, 12 characters over 94.
        let p = |b: f64| b.powi(12);
        (p(94.0) - p(42.0) - p(84.0) + p(32.0)).log2()
    });
    bad_param(
        json!({"compliance": "dod", "symbols": false}),
        "INVALID_PARAMETER",
        "symbols",
    )
    .await;
    bad_param(
        json!({"compliance": "pci", "numbers": false}),
        "INVALID_PARAMETER",
        "numbers",
    )
    .await;
    bad_param(
        json!({"compliance": "gdpr"}),
        "INVALID_PARAMETER",
        "compliance",
    )
    .await;
}

#[tokio::test]
async fn a_known_sites_rules() {
    let apple = passwordapi::generate::sites::lookup("apple.com").unwrap();
    for site in ["apple.com", "WWW.apple.com."] {
        let json = ok(json!({"site": site, "count": 5})).await;
        assert_eq!(
            json["audit"]["policy"],
            format!(
                "apple.com's passwordrules (Apple's password-manager-resources): {}",
                apple.rules
            )
        );
        assert_eq!(json["audit"]["character_pool"], "passwordrules");
        for p in passwords(&json) {
            assert_eq!(p.chars().count(), 18, "{p}");
            for class in [LOWER, UPPER, DIGITS] {
                assert!(count_in(&p, class) >= 1, "{p}");
            }
        }
    }
    let response = send(Event::new("GET", "/v1/generate").query("site=apple.com&length=63")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response)["length"], 63);
    for (body, param) in [
        (json!({"site": "example.org"}), "site"),
        (json!({"site": "https://apple.com/"}), "site"),
        (
            json!({"site": "apple.com", "passwordrules": "minlength: 8"}),
            "site",
        ),
        (json!({"site": "apple.com", "length": 64}), "length"),
        (json!({"site": "apple.com", "symbols": false}), "symbols"),
        (json!({"site": "apple.com", "mode": "passphrase"}), "site"),
        (json!({"site": 7}), "site"),
    ] {
        bad_param(body, "INVALID_PARAMETER", param).await;
    }
}

#[tokio::test]
async fn usernames() {
    let words = passwordapi::generate::passphrase::vocabulary(None, true);
    let json = ok(json!({"mode": "username"})).await;
    let name = json["password"].as_str().unwrap();
    assert!(words.contains(&name), "{name}");
    assert_eq!(
        (
            json["mode"].as_str(),
            json["words"].clone(),
            json["length"].clone(),
            json["charset_size"].as_u64()
        ),
        (Some("username"), Value::Null, Value::Null, Some(7772))
    );
    assert_entropy(&json, 7772f64.log2());
    assert_eq!(json["audit"]["character_pool"], "eff_large_wordlist");

    let json =
        ok(json!({"mode": "username", "username_digits": 4, "capitalize": true, "count": 10}))
            .await;
    assert_entropy(&json, 7772f64.log2() + 4.0 * 10f64.log2());
    assert_eq!(
        json["audit"]["character_pool"],
        "eff_large_wordlist+numbers"
    );
    for name in passwords(&json) {
        let (word, digits) = name.split_at(name.len() - 4);
        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{name}");
        assert!(word.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
        assert!(words.contains(&word.to_lowercase().as_str()), "{name}");
    }
    // The query string too.
    let response =
        send(Event::new("GET", "/v1/generate").query("mode=username&username_digits=8")).await;
    assert_eq!(response.status(), 200);
    let json = body_json(&response);
    assert_entropy(&json, 7772f64.log2() + 8.0 * 10f64.log2());

    for (body, param) in [
        (
            json!({"mode": "username", "username_digits": 9}),
            "username_digits",
        ),
        (
            json!({"mode": "username", "username_digits": -1}),
            "username_digits",
        ),
        (json!({"mode": "username", "length": 12}), "length"),
        (json!({"mode": "username", "separator": "-"}), "separator"),
        (
            json!({"mode": "username", "compliance": "nist"}),
            "compliance",
        ),
        (
            json!({"mode": "username", "passwordrules": "required: upper"}),
            "passwordrules",
        ),
        (json!({"username_digits": 2}), "username_digits"),
        (
            json!({"mode": "passphrase", "username_digits": 2}),
            "username_digits",
        ),
    ] {
        bad_param(body, "INVALID_PARAMETER", param).await;
    }
}

#[tokio::test]
async fn passphrases() {
    let json = ok(json!({"mode": "passphrase"})).await;
    let phrase = json["password"].as_str().unwrap();
    let words: Vec<&str> = phrase.split('-').collect();
    assert_eq!(words.len(), 6, "{phrase}");
    let eff = passwordapi::generate::passphrase::eff_words();
    assert!(words.iter().all(|w| eff.contains(w)), "{phrase}");
    assert_eq!(
        (
            json["mode"].as_str(),
            json["words"].as_u64(),
            json["length"].clone()
        ),
        (Some("passphrase"), Some(6), Value::Null)
    );
    // With a hyphen separator the four hyphenated EFF words are left out, so every phrase reads back one way.
    assert_eq!(json["charset_size"], 7772);
    assert_entropy(&json, 6.0 * 7772f64.log2());
    assert_eq!(json["audit"]["character_pool"], "eff_large_wordlist");

    let json = ok(json!({"mode": "passphrase", "words": 4, "separator": " ", "capitalize": true, "include_number": true, "count": 10})).await;
    assert_eq!(json["charset_size"], 7776);
    assert_entropy(&json, 4.0 * 7776f64.log2() + 40f64.log2());
    for p in passwords(&json) {
        let words: Vec<&str> = p.split(' ').collect();
        assert_eq!(words.len(), 4, "{p}");
        assert!(
            words
                .iter()
                .all(|w| w.chars().next().unwrap().is_ascii_uppercase()),
            "{p}"
        );
        assert_eq!(count_in(&p, DIGITS), 1, "{p}");
    }
    let json = ok(json!({"mode": "passphrase", "separator": "", "capitalize": true})).await;
    assert_eq!(
        json["password"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_uppercase)
            .count(),
        6
    );

    let json = ok(json!({"mode": "passphrase", "min_entropy": 100})).await;
    assert_eq!(json["words"], 8, "7 words give 89.9 bits, 8 give 102.8");
    let json = ok(json!({"mode": "passphrase", "quantum": true})).await;
    assert_eq!(json["words"], 20);
    bad_param(
        json!({"mode": "passphrase", "words": 2}),
        "INVALID_PARAMETER",
        "words",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "words": 21}),
        "INVALID_PARAMETER",
        "words",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "separator": "----"}),
        "INVALID_PARAMETER",
        "separator",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "separator": "x"}),
        "INVALID_PARAMETER",
        "separator",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "separator": ""}),
        "INVALID_PARAMETER",
        "separator",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "length": 20}),
        "INVALID_PARAMETER",
        "length",
    )
    .await;
    bad_param(json!({"words": 5}), "INVALID_PARAMETER", "words").await;
    bad_param(json!({"mode": "pin"}), "INVALID_PARAMETER", "mode").await;
}

#[tokio::test]
async fn passphrase_presets_force_what_they_require() {
    let json = ok(json!({"mode": "passphrase", "compliance": "dod", "words": 3})).await;
    let p = json["password"].as_str().unwrap();
    // A dod password (15 characters of four classes) has 98.0 bits; a 3-word passphrase ~42: the
    // words are raised until the passphrase has at least as much (capitalized words carry none).
    let words = json["words"].as_u64().unwrap() as usize;
    assert!(words > 4, "{json}");
    assert!(
        p.chars().count() >= 15
            && count_in(p, DIGITS) == 1
            && count_in(p, UPPER) == words
            && p.contains('-'),
        "{p}"
    );
    // Every preset: a passphrase reaches the exact entropy of the preset's own minimum password,
    // and with one word fewer it would not.
    for (preset, length) in [
        ("nist", 15),
        ("pci", 12),
        ("dod", 15),
        ("hipaa", 12),
        ("soc2", 15),
        ("iso", 12),
    ] {
        let password = ok(json!({"compliance": preset, "length": length})).await;
        let phrase = ok(json!({"mode": "passphrase", "compliance": preset, "words": 3})).await;
        let (goal, bits) = (
            password["entropy_bits"].as_f64().unwrap(),
            phrase["entropy_bits"].as_f64().unwrap(),
        );
        assert!(bits >= goal, "{preset}: {bits} bits against {goal}");
        let words = phrase["words"].as_u64().unwrap();
        let fewer = json!({"mode": "passphrase", "words": words - 1, "capitalize": phrase["password"].as_str().unwrap().starts_with(|c: char| c.is_uppercase()),
                           "include_number": count_in(phrase["password"].as_str().unwrap(), DIGITS) > 0});
        let fewer = ok(fewer).await["entropy_bits"].as_f64().unwrap();
        assert!(
            words == 3 || fewer < goal,
            "{preset}: {} words would do ({fewer} bits)",
            words - 1
        );
    }
    // A higher min_entropy still wins.
    let json = ok(json!({"mode": "passphrase", "compliance": "pci", "min_entropy": 150})).await;
    assert!(json["entropy_bits"].as_f64().unwrap() >= 150.0);
    bad_param(
        json!({"mode": "passphrase", "compliance": "hipaa", "capitalize": false}),
        "INVALID_PARAMETER",
        "capitalize",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "compliance": "pci", "include_number": false}),
        "INVALID_PARAMETER",
        "include_number",
    )
    .await;
    bad_param(
        json!({"mode": "passphrase", "compliance": "iso", "separator": " "}),
        "INVALID_PARAMETER",
        "separator",
    )
    .await;
}

#[tokio::test]
async fn professions() {
    let theme: Vec<&str> = passwordapi::generate::Profession::Developer
        .words()
        .collect();
    let json = ok(json!({"mode": "passphrase", "profession": "developer", "count": 10})).await;
    let vocabulary = json["charset_size"].as_u64().unwrap();
    assert!(vocabulary > 7772, "{vocabulary}");
    assert_eq!(
        json["audit"]["character_pool"],
        "eff_large_wordlist+developer"
    );
    assert_entropy(&json, 6.0 * (vocabulary as f64).log2());

    let json = ok(json!({"profession": "developer", "length": 20, "count": 10})).await;
    assert_eq!(
        json["audit"]["character_pool"],
        "lower+upper+numbers+symbols+developer_word"
    );
    for p in passwords(&json) {
        assert_eq!(p.chars().count(), 20);
        assert!(
            theme.iter().any(|w| p.contains(w)),
            "{p} embeds no developer word"
        );
    }
    // Themed passwords have less entropy than fully random ones of the same length, but more than the
    // random part alone.
    let bits = json["entropy_bits"].as_f64().unwrap();
    assert!(
        bits < 20.0 * 94f64.log2() && bits > 10.0 * 94f64.log2(),
        "{bits}"
    );
    bad_param(
        json!({"profession": "astronaut"}),
        "INVALID_PARAMETER",
        "profession",
    )
    .await;
    bad_param(
        json!({"profession": "doctor", "lowercase": false}),
        "INVALID_PARAMETER",
        "profession",
    )
    .await;
}

/// Only characters that show as themselves: each invisible kind is refused in `symbol_set` and
/// in `separator` (where the plain space stays allowed).
#[tokio::test]
async fn symbol_sets_and_separators_refuse_invisible_characters() {
    let invisible = [
        '\u{2800}',  // braille pattern blank (So)
        '\u{E0020}', // tag space (Cf)
        '\u{E007F}', // cancel tag (Cf)
        '\u{FE0F}',  // variation selector-16 (Mn)
        '\u{034F}',  // combining grapheme joiner (Mn)
        '\u{0301}',  // combining acute accent (Mn)
        '\u{20DD}',  // combining enclosing circle (Me)
        '\u{200B}',  // zero width space (Cf)
        '\u{202E}',  // right-to-left override (Cf)
        '\u{E000}',  // private use (Co)
        '\u{0378}',  // unassigned (Cn)
        '\u{0007}',  // bell (Cc)
        '\u{00A0}',  // no-break space (Zs)
        '\u{3000}',  // ideographic space (Zs)
        '\u{2028}',  // line separator (Zl)
        '\u{2029}',  // paragraph separator (Zp)
        '\u{3164}',  // Hangul filler (Lo)
        '\u{FFA0}',  // halfwidth Hangul filler (Lo)
        '\u{115F}',  // Hangul choseong filler (Lo)
        '\u{1160}',  // Hangul jungseong filler (Lo)
    ];
    for c in invisible {
        let set: String = ['!', c].iter().collect();
        bad_param(
            json!({"symbol_set": set}),
            "INVALID_PARAMETER",
            "symbol_set",
        )
        .await;
        let six: String = std::iter::repeat_n(c, 6).collect();
        bad_param(
            json!({"symbol_set": six}),
            "INVALID_PARAMETER",
            "symbol_set",
        )
        .await;
        let separator: String = ['-', c].iter().collect();
        bad_param(
            json!({"mode": "passphrase", "separator": separator}),
            "INVALID_PARAMETER",
            "separator",
        )
        .await;
    }
    // Visible symbols from anywhere in Unicode stay allowed, and the space as a separator.
    let json = ok(json!({"symbol_set": "€£¥→★♠", "min_symbols": 2, "length": 12})).await;
    assert_eq!(json["charset_size"], 62 + 6);
    ok(json!({"mode": "passphrase", "separator": " "})).await;
    ok(json!({"mode": "passphrase", "separator": "·"})).await;
    bad_param(
        json!({"symbol_set": "! "}),
        "INVALID_PARAMETER",
        "symbol_set",
    )
    .await;
}

#[tokio::test]
async fn csv_format() {
    let response = send(Event::post(
        "/v1/generate",
        r#"{"format": "csv", "count": 5, "symbol_set": ",\"", "min_symbols": 8, "length": 12}"#,
    ))
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type"),
        Some("text/csv; charset=utf-8; header=present")
    );
    let text = body_text(&response);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("password"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 5);
    for row in rows {
        // Every field is quoted (RFC 4180), quotes doubled.
        assert!(row.starts_with('"') && row.ends_with('"'), "{row}");
        let inner = row[1..row.len() - 1].replace("\"\"", "\"");
        assert_eq!(inner.chars().count(), 12, "{row}");
    }
    bad_param(json!({"format": "xml"}), "INVALID_PARAMETER", "format").await;
}

/// Rows as Python's `csv` module reads them (a standard, independent CSV reader).
fn python_csv(text: &str) -> Vec<Vec<String>> {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, io, json, sys; \
             print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline='')))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// CSV passwords come back exactly through a standard reader; the spreadsheet form marks the ones
/// a spreadsheet would take for formulas.
#[tokio::test]
async fn csv_round_trips_through_pythons_csv_module_and_the_spreadsheet_form_defuses_formulas() {
    let tricky = [
        "=1+1", "+cmd", "-2", "@SUM(A1)", "a\"b,c", "\"", ",", "'x", " pad ",
    ];
    let text: String = std::iter::once("password".to_owned())
        .chain(
            tricky
                .iter()
                .map(|t| passwordapi::http::response::csv_field(t)),
        )
        .map(|row| row + "\r\n")
        .collect();
    let rows = python_csv(&text);
    let expected: Vec<Vec<String>> = std::iter::once("password")
        .chain(tricky)
        .map(|t| vec![t.to_owned()])
        .collect();
    assert_eq!(rows, expected);

    let symbols = "=+-@\",";
    // Only symbols: each row begins like a formula with probability 2/3.
    let request = |format: &str| json!({"format": format, "count": 10, "length": 6, "symbol_set": symbols, "lowercase": false, "uppercase": false, "numbers": false});
    let response = send(Event::post("/v1/generate", &request("csv").to_string())).await;
    let rows = python_csv(&body_text(&response));
    assert_eq!(rows[0], vec!["password"]);
    assert_eq!(rows.len(), 11);
    let mut formulas = 0;
    for row in &rows[1..] {
        assert_eq!(row.len(), 1, "{row:?}");
        assert_eq!(row[0].chars().count(), 6, "{row:?}");
        assert_eq!(count_in(&row[0], symbols), 6, "{row:?}");
        formulas += usize::from(row[0].starts_with(['=', '+', '-', '@']));
    }
    assert!(formulas > 0, "some rows begin like a formula");

    let response = send(Event::post(
        "/v1/generate",
        &request("csv_spreadsheet").to_string(),
    ))
    .await;
    assert_eq!(response.status(), 200);
    let rows = python_csv(&body_text(&response));
    for row in &rows[1..] {
        assert!(!row[0].starts_with(['=', '+', '-', '@']), "{row:?}");
        let password = row[0].strip_prefix('\'').unwrap_or(&row[0]);
        assert_eq!(password.chars().count(), 6, "{row:?}");
    }

    // The look-alikes spreadsheets normalise to = + - @ are guarded too: with only those as
    // symbols, every row begins with one, so every row gets the apostrophe.
    let lookalikes = "\u{FF1D}\u{FF0B}\u{FF0D}\u{FF20}\u{2212}\u{FE62}\u{FE63}";
    let request = json!({"format": "csv_spreadsheet", "count": 10, "length": 4, "symbol_set": lookalikes,
                         "lowercase": false, "uppercase": false, "numbers": false});
    let response = send(Event::post("/v1/generate", &request.to_string())).await;
    assert_eq!(response.status(), 200, "{}", body_text(&response));
    let rows = python_csv(&body_text(&response));
    assert_eq!(rows.len(), 11);
    for row in &rows[1..] {
        let password = row[0].strip_prefix('\'').expect("a guarded cell");
        assert_eq!(count_in(password, lookalikes), 4, "{row:?}");
    }
    // Tab and carriage return cannot begin a generated password (refused as symbols), but the
    // guard holds them too.
    for value in ["\tx", "\rx", "\u{2212}1"] {
        assert!(passwordapi::http::response::spreadsheet_field(value).starts_with("\"'"));
    }
}

#[tokio::test]
async fn malformed_bodies() {
    for body in ["{", "[1,2]", "\"text\"", "null", "{\"length\": }"] {
        let (status, json) = error(Event::post("/v1/generate", body)).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("INVALID_JSON_BODY")),
            "{body}"
        );
    }
    let (status, json) =
        error(Event::new("POST", "/v1/generate").binary_body(&[0x7b, 0xff, 0xfe, 0x7d])).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("INVALID_JSON_BODY"))
    );
    let big = format!("{{\"exclude\": \"{}\"}}", "a".repeat(17 * 1024));
    let (status, json) = error(Event::post("/v1/generate", &big)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    // A JSON body just under the cap is accepted.
    let fits = format!("{{\"exclude\": \"{}\"}}", "a".repeat(16 * 1024 - 20));
    assert_eq!(send(Event::post("/v1/generate", &fits)).await.status(), 200);
    let (status, json) = error(Event::post("/v1/generate", "{}").query("length=5")).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("UNKNOWN_PARAMETER"))
    );
}

#[tokio::test]
async fn methods_and_paths() {
    for method in ["PUT", "DELETE", "PATCH", "HEAD"] {
        let (status, json) = error(Event::new(method, "/v1/generate")).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (405, Some("METHOD_NOT_ALLOWED")),
            "{method}"
        );
        let response = send(Event::new(method, "/v1/generate")).await;
        assert_eq!(header(&response, "allow"), Some("GET, POST, OPTIONS"));
    }
    let (status, json) = error(Event::new("GET", "/v1/nothing")).await;
    assert_eq!((status, json["error"].as_str()), (404, Some("NOT_FOUND")));
}

#[tokio::test]
async fn credentials_are_parsed_and_never_ignored() {
    let key = unregistered_key();
    let cases = [
        (
            Event::post("/v1/generate", "{}").header("Authorization", "Basic dXNlcjpwYXNz"),
            "INVALID_AUTH_HEADER",
        ),
        (
            Event::post("/v1/generate", "{}").header("Authorization", "Bearer"),
            "INVALID_AUTH_HEADER",
        ),
        (
            Event::post("/v1/generate", "{}").header("Authorization", "Bearer not-a-key"),
            "INVALID_API_KEY",
        ),
        (
            Event::post("/v1/generate", "{}").header("X-API-Key", "sk_live_123"),
            "INVALID_API_KEY",
        ),
        (
            Event::post("/v1/generate", r#"{"apiKey": "nope"}"#),
            "INVALID_API_KEY",
        ),
        (
            Event::post("/v1/generate", "{}")
                .header("Authorization", "Bearer pwa_live_aaaa")
                .header("X-API-Key", "pwa_live_bbbb"),
            "INVALID_AUTH_HEADER",
        ),
        (
            Event::post("/v1/generate", "{}").header("authorization", &format!("bearer {key}")),
            "API_KEY_NOT_FOUND",
        ),
        (
            Event::post("/v1/generate", "{}").header("X-API-KEY", &key),
            "API_KEY_NOT_FOUND",
        ),
        (
            Event::post("/v1/generate", &json!({"apiKey": key}).to_string()),
            "API_KEY_NOT_FOUND",
        ),
    ];
    for (event, code) in cases {
        let described = event.to_json()["headers"].to_string();
        let (status, json) = error(event).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (401, Some(code)),
            "{described}"
        );
    }
    bad_param(json!({"apiKey": 5}), "INVALID_PARAMETER", "apiKey").await;
    // A forwarded-for header is not a credential and changes nothing.
    let response =
        send(Event::post("/v1/generate", "{}").header("X-Forwarded-For", "198.51.100.1")).await;
    assert_eq!(body_json(&response)["tier"], "anonymous");
}

/// Anonymous callers are counted per IPv4 address or IPv6 /64; an IPv4-mapped IPv6 address is its
/// IPv4 address (fixture event `events/generate-ipv6.json`, its source address varied).
#[tokio::test]
async fn anonymous_callers_are_counted_per_ipv6_64_and_mapped_addresses_as_ipv4() {
    let path = format!(
        "{}/../events/generate-ipv6.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let app = memory_app(Config {
        anonymous: integration_tests::plan("anonymous", 2, 10),
        ..Config::default()
    });
    let from = async |ip: &str| {
        let mut event = fixture.clone();
        event["requestContext"]["http"]["sourceIp"] = json!(ip);
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        dispatch::generate(&app, request)
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        fixture["requestContext"]["http"]["sourceIp"],
        "2001:db8:4a7f:12::5"
    );
    assert_eq!(from("2001:db8:4a7f:12::5").await, 200);
    assert_eq!(from("2001:db8:4a7f:12:ffff:1:2:3").await, 200);
    assert_eq!(
        from("2001:db8:4a7f:12::6").await,
        429,
        "same /64, same counter"
    );
    assert_eq!(from("2001:db8:4a7f:13::5").await, 200, "another /64");
    assert_eq!(from("203.0.113.50").await, 200);
    assert_eq!(from("::ffff:203.0.113.50").await, 200);
    assert_eq!(
        from("203.0.113.50").await,
        429,
        "mapped and plain IPv4 share"
    );
}

#[tokio::test]
async fn sample_events_in_the_repository_are_served() {
    // The drop-in routes' events too (Bunny's carries a placeholder key: its 401).
    for (file, status) in [
        ("generate.json", 200),
        ("generate-get.json", 200),
        ("generate-ipv6.json", 200),
        ("passgeni.json", 200),
        ("tinyfn.json", 200),
        ("bunny.json", 401),
    ] {
        let path = format!("{}/../events/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let request = lambda_http::request::from_str(&text).unwrap();
        let app = memory_app(Config::default());
        let response = dispatch::generate(&app, request).await.unwrap();
        assert_eq!(
            response.status(),
            status,
            "{file}: {}",
            body_text(&response)
        );
    }
}

/// `language` picks the passphrase's list, by POST and by GET: every word of the phrase from the
/// shipped list (read here from the file), the entropy `words × log2(V)`, the pool named; an
/// unknown code, or `language` outside passphrase mode, is a 400 naming `language`.
#[tokio::test]
async fn passphrases_in_other_languages() {
    let lists = [
        ("de", include_str!("../shared/data/words/de.txt")),
        ("fr", include_str!("../shared/data/words/fr.txt")),
        ("es", include_str!("../shared/data/words/es.txt")),
        ("it", include_str!("../shared/data/words/it.txt")),
        ("nl", include_str!("../shared/data/words/nl.txt")),
        ("pt", include_str!("../shared/data/words/pt.txt")),
    ];
    for (code, text) in lists {
        let words: std::collections::HashSet<&str> = text.lines().collect();
        let json = ok(
            json!({"mode": "passphrase", "language": code, "words": 5, "separator": "_",
                            "capitalize": true, "count": 10}),
        )
        .await;
        assert_entropy(&json, 5.0 * (words.len() as f64).log2());
        assert_eq!(json["audit"]["character_pool"], format!("wordlist_{code}"));
        for phrase in passwords(&json) {
            for word in phrase.split('_') {
                let lower = word.to_lowercase();
                assert!(words.contains(lower.as_str()), "{code}: {word} in {phrase}");
                assert!(word.starts_with(|c: char| c.is_uppercase()), "{phrase}");
            }
        }
        let response = send(
            Event::new("GET", "/v1/generate").query(&format!("mode=passphrase&language={code}")),
        )
        .await;
        assert_eq!(response.status(), 200, "{code}");
    }
    bad_param(
        json!({"mode": "passphrase", "language": "xx"}),
        "INVALID_PARAMETER",
        "language",
    )
    .await;
    bad_param(json!({"language": "de"}), "INVALID_PARAMETER", "language").await;
    bad_param(
        json!({"mode": "passphrase", "language": "fr", "profession": "legal"}),
        "INVALID_PARAMETER",
        "profession",
    )
    .await;
}
