//! README's numbers, each written here from what the product derives it from: when a constant or
//! a default changes, or README does, this test names the sentence that no longer holds.
//! (Measured figures — latencies, sizes, ratios — are `make bench`'s and BENCHMARKS.md's;
//! behaviour is held by the other suites.)

use passwordapi::Config;
use passwordapi::admission::RefusalMemory;
use passwordapi::generate::passphrase::{eff_words, preset_bits};
use passwordapi::generate::{self, GenerateRequest, GenerationPlan, Preset};
use passwordapi::http::{accounts, request};
use passwordapi::keys::{self, KeyCache};
use passwordapi::store::dynamodb::{REGISTER_TTL_DAYS, USAGE_TTL_DAYS};

/// README's phrases, each formed from the code's value.
fn phrases() -> Vec<String> {
    let config = Config::default();
    let (anonymous, free, team) = (config.anonymous, config.free, config.team);
    let default = GenerationPlan::new(&GenerateRequest::default(), 1).unwrap();
    let hibp = passwordapi::evaluate::hibp::HibpClient::TIMEOUT.as_secs_f64();
    let range_bytes = passwordapi::evaluate::hibp::MAX_BODY_BYTES;
    let range_lines = passwordapi::evaluate::breach::MAX_RANGE_LINES;
    let (lengths, words) = (generate::LENGTH_RANGE, generate::WORDS_RANGE);
    let model = passwordapi::evaluate::breach_model::guesses;
    let reference_passwords = include_str!("../shared/data/strength/zxcvbn-4.4.2.tsv")
        .lines()
        .skip(1)
        .count();
    let usernames = GenerationPlan::new(
        &GenerateRequest {
            mode: Some(generate::Mode::Username),
            username_digits: Some(3),
            ..Default::default()
        },
        1,
    )
    .unwrap();
    let username_words = usernames.charset_size();
    let digits = generate::username::DIGITS_RANGE;
    let sync = passwordapi::evaluate::sync::Settings::LAMBDA;
    let mut claims = vec![
        // The breach sync.
        format!(
            "each run a slice of at most {} minutes",
            sync.budget.as_secs() / 60
        ),
        format!(
            "chunks of {} prefixes, {} at once",
            sync.chunk, sync.concurrency
        ),
        format!(
            "is tried {} times in all (again after {} ms, then {} ms)",
            passwordapi::evaluate::mirror::ATTEMPTS,
            passwordapi::evaluate::mirror::FIRST_BACKOFF.as_millis(),
            2 * passwordapi::evaluate::mirror::FIRST_BACKOFF.as_millis()
        ),
        format!("claims a lease ({} minutes", sync.lease.as_secs() / 60),
        format!(
            "retry list (at most {}:",
            thousands(passwordapi::evaluate::sync::MAX_RETRY as u64)
        ),
        format!(
            "the first pass writes {}",
            thousands(u64::from(passwordapi::evaluate::sync::PREFIXES))
        ),
        format!(
            "| `BREACH_SYNC_BUDGET_SECONDS` | {} |",
            config.sync_budget.as_secs()
        ),
        // Known sites.
        format!(
            "(`quirks/password-rules.json`, MIT, {} sites,",
            passwordapi::generate::sites::domains().count()
        ),
        // Usernames.
        format!("hyphenated words\n  ({})", thousands(username_words)),
        format!("`username_digits` ({}–{})", digits.start(), digits.end()),
        format!("`{} × 10^digits` usernames", username_words),
        format!(
            "e.g. {:.2} bits for `Shaky042`",
            generate::reported_bits(usernames.entropy_bits())
        ),
        // The strength model.
        format!(
            "`s = {}` (the largest published exponent",
            passwordapi::evaluate::breach_model::EXPONENT
        ),
        format!(
            "`C` = {}, HaveIBeenPwned's count",
            thousands(passwordapi::evaluate::breach_model::TOP_COUNT as u64)
        ),
        format!("9,545,824 times, at rank {:.1}", model(9_545_824)),
        format!("seen once at\n≈ {:.0} × 10⁸", model(1) / 1e8),
        format!(
            "at most {} steps per\n  start position",
            passwordapi::evaluate::model::dictionary::WALK_BUDGET
        ),
        format!(
            "output on {} synthetic",
            thousands(reference_passwords as u64)
        ),
        format!(
            "`dictionaries`\nat most {} of the languages",
            passwordapi::evaluate::MAX_DICTIONARIES
        ),
        format!(
            "so a request names at most\n{} languages",
            passwordapi::evaluate::MAX_DICTIONARIES
        ),
        // The seed plans.
        format!(
            "{} a\n  day, `count` ≤ {}",
            anonymous.daily, anonymous.max_count
        ),
        format!("registered key: {}, ≤ {})", free.daily, free.max_count),
        format!("`team` ({}, ≤ {})", team.daily, team.max_count),
        // Generation.
        format!(
            "\"entropy_bits\":{:.2}",
            generate::reported_bits(default.entropy_bits())
        ),
        format!("dod {:.1} bits", preset_bits(Preset::Dod)),
        format!("at least {} bits", generate::QUANTUM_BITS),
        format!("int {}–{}", lengths.start(), lengths.end()),
        format!("int {}–{}", words.start(), words.end()),
        format!("EFF large list: {}", eff_words().len()),
        format!(
            "longer than {} characters",
            generate::site_rules::MAX_RULES_CHARS
        ),
        // Keys.
        format!(
            "{}-character secret ({} bits from the CSPRNG)",
            keys::SECRET_LEN,
            (keys::SECRET_LEN as f64 * 62f64.log2()).round()
        ),
        format!(
            "retried within {}\n  minutes",
            keys::RECOVERY_WINDOW_MS / 60_000
        ),
        format!(
            "({} keys, {} minutes)",
            KeyCache::CAPACITY,
            KeyCache::TTL.as_secs() / 60
        ),
        format!("at most {} s", RefusalMemory::HOLD_MS / 1000),
        format!(
            "({} days, today included, and the whole month)",
            accounts::HISTORY_DAYS
        ),
        format!("({USAGE_TTL_DAYS} days after the month)"),
        format!("({REGISTER_TTL_DAYS} days after)"),
        // Plans and the audit trail.
        format!("returns the newest {}", accounts::EVENTS_LIMIT),
        format!(
            "never a secret; kept {} days",
            passwordapi::store::EVENT_TTL_DAYS
        ),
        format!(
            "| `PLANS_REFRESH_SECONDS` | {} |",
            Config::default().plans_refresh.as_secs()
        ),
        // Limits of what a request may send or a source may answer.
        format!("a body over {} KiB", request::MAX_BODY_BYTES / 1024),
        format!("slower than {hibp} s"),
        format!(
            "over {} KiB or {},{:03} lines",
            range_bytes / 1024,
            range_lines / 1000,
            range_lines % 1000
        ),
    ];
    // The passphrase lists of other languages.
    for language in generate::passphrase::Language::ALL {
        claims.push(format!(
            "| `{}` | {} |",
            language.code(),
            thousands(language.words().len() as u64)
        ));
    }
    claims
}

/// The deployment's numbers: functions, and what they reserve at the template's default.
fn deployment_phrases() -> Vec<String> {
    // The API's functions and the breach sync.
    let functions = passwordapi::http::registry::functions().len() + 1;
    let words = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let template: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(integration_tests::root().join("template.yaml")).unwrap(),
    )
    .unwrap();
    let reserved = template["Parameters"]["ReservedConcurrency"]["Default"]
        .as_u64()
        .unwrap() as usize;
    let resources = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .count();
    assert_eq!(
        resources, functions,
        "one template function per registry function, and the breach sync"
    );
    let word = words[functions];
    vec![
        format!("the {word} functions (`provided.al2023`"),
        format!(
            "the {word} reserve {} and the account must keep 10 unreserved: on an account whose quota is below {}",
            functions * reserved,
            functions * reserved + 10
        ),
        format!("({word} functions reserve {word} times this;"),
    ]
}

#[test]
fn every_number_readme_gives_is_the_products() {
    let text = std::fs::read_to_string(integration_tests::root().join("README.md")).unwrap();
    let template =
        std::fs::read_to_string(integration_tests::root().join("template.yaml")).unwrap();
    // The template's parameter description folds its lines: compare words, not line breaks.
    let folded = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let (text, template) = (folded(&text), folded(&template));
    let missing: Vec<String> = phrases()
        .into_iter()
        .chain(deployment_phrases())
        .map(|p| folded(&p))
        .filter(|phrase| !text.contains(phrase.as_str()) && !template.contains(phrase.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README does not say these (the code's values): {missing:#?}"
    );
    // The history the usage endpoint shows is within what the table keeps.
    const { assert!(USAGE_TTL_DAYS > accounts::HISTORY_DAYS) };
}

/// `n` with commas between thousands, as README writes numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
