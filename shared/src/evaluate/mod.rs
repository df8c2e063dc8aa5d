//! Password evaluation: a zxcvbn strength estimate ([`estimate`]) and a k-anonymous breach check
//! ([`breach`], [`hibp`]). Nothing here logs or keeps the password.

pub mod breach;
pub mod bucket;
pub mod estimate;
pub mod hibp;
pub mod mirror;
pub mod model;
pub mod policy;
pub mod sources;
pub mod sync;

use estimate::Estimate;
pub use model::feedback::Translation;

/// Longest password evaluated, in Unicode characters.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Most `user_inputs` entries.
pub const MAX_USER_INPUTS: usize = 32;
/// Most `dictionaries` (language packs) one request may name: each pack is walked from every
/// position in both directions, and three beside the default two keep the worst request within
/// the 5 ms bound (`make bench`).
pub const MAX_DICTIONARIES: usize = 3;
/// Longest `user_inputs` entry, in Unicode characters.
pub const MAX_USER_INPUT_CHARS: usize = 128;

/// Why a password cannot be evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvaluateError {
    /// No characters.
    #[error("password is empty")]
    Empty,
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    #[error("password has {0} characters; the most evaluated is {max}", max = MAX_PASSWORD_CHARS)]
    TooLong(usize),
}

/// The four attack scenarios of zxcvbn, slowest first.
pub const SCENARIOS: [Scenario; 4] = [
    Scenario {
        name: "online_throttled",
        guesses_per_second: 100.0 / 3600.0,
    },
    Scenario {
        name: "online_unthrottled",
        guesses_per_second: 10.0,
    },
    Scenario {
        name: "offline_slow_hash",
        guesses_per_second: 1e4,
    },
    Scenario {
        name: "offline_fast_hash",
        guesses_per_second: 1e10,
    },
];

/// An attack scenario: how fast an attacker guesses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    /// The API name.
    pub name: &'static str,
    /// Guesses per second.
    pub guesses_per_second: f64,
}

/// The result of evaluating a password's strength.
#[derive(Clone, Debug, PartialEq)]
pub struct Strength {
    /// zxcvbn's score, 0–4.
    pub score: u8,
    /// `log10` of the guesses needed.
    pub guesses_log10: f64,
    /// The guesses as an integer, when they fit one exactly.
    pub exact_guesses: Option<u64>,
    /// zxcvbn's warning, if any.
    pub warning: Option<String>,
    /// zxcvbn's suggestions (empty when none).
    pub suggestions: Vec<String>,
    /// What the model matched.
    pub patterns: Option<estimate::Patterns>,
    /// The locale of the texts (`None`: zxcvbn 4.4.2's English).
    pub locale: Option<&'static Translation>,
}

/// What an estimate may add to the defaults.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Language packs beyond the common and English lists ([`model::data::LANGUAGES`]).
    pub dictionaries: Vec<&'static str>,
    /// The locale of the warning, the suggestions and the crack times.
    pub locale: Option<&'static Translation>,
}

impl Strength {
    /// The label of the score.
    pub fn label(&self) -> &'static str {
        ["Very Weak", "Weak", "Fair", "Strong", "Very Strong"][usize::from(self.score.min(4))]
    }

    /// `log2` of the guesses.
    pub fn entropy_bits(&self) -> f64 {
        self.guesses_log10 * std::f64::consts::LOG2_10
    }

    /// The guesses as a float (may be far beyond `u64`).
    pub fn guesses(&self) -> f64 {
        self.exact_guesses
            .map_or_else(|| 10f64.powf(self.guesses_log10), |g| g as f64)
    }

    /// Seconds to crack in `scenario`.
    pub fn crack_seconds(&self, scenario: &Scenario) -> f64 {
        self.guesses() / scenario.guesses_per_second
    }
}

/// The breach-count model: password frequencies follow Zipf's law, `f(r) = C · r^(-s)` (Wang,
/// Cheng, Wang, Huang and Jian, "Zipf's Law in Passwords", IEEE TIFS 2017, whose fits on fourteen
/// leaks give `s` from 0.46 to 0.91). A password seen `n` times then ranks about
/// `r = (C / n)^(1/s)`: an attacker guessing the breach corpus in order of frequency needs no more
/// than that. We take the largest published exponent, `s = 0.91` (the fewest guesses, the
/// cautious side), and for `C` the count HaveIBeenPwned gives the most common password,
/// `123456`: 37,359,195 (in the same corpus `password` has 9,545,824, rank ≈ 4.5 by the model).
pub mod breach_model {
    /// The Zipf exponent `s`.
    pub const EXPONENT: f64 = 0.91;
    /// `C`: the breach count of the most common password.
    pub const TOP_COUNT: f64 = 37_359_195.0;

    /// The guesses a password seen `count` times needs at most (at least 1).
    pub fn guesses(count: u64) -> f64 {
        (TOP_COUNT / count.max(1) as f64)
            .powf(1.0 / EXPONENT)
            .max(1.0)
    }
}

/// zxcvbn-ts's warning and suggestion for a breached password, in `locale` (zxcvbn 4.4.2 has
/// none: without a locale, zxcvbn-ts's English).
pub fn breached_texts(locale: Option<&'static Translation>) -> (&'static str, &'static str) {
    let t = locale
        .or_else(|| Translation::find("en"))
        .expect("English is shipped");
    (t.warning("pwned"), t.suggestion("pwned"))
}

impl Strength {
    /// The strength once the breach check has run: a password found `n` times needs at most
    /// [`breach_model::guesses`]`(n)` guesses, and its score, crack times and feedback follow (the
    /// warning says it was breached). A skipped or unavailable check, or none found, changes
    /// nothing.
    pub fn with_breach(mut self, breach: breach::BreachCheck) -> Strength {
        let breach::BreachCheck::Checked(count @ 1..) = breach else {
            return self;
        };
        let cap = breach_model::guesses(count);
        if cap < self.guesses() {
            self.guesses_log10 = cap.log10();
            self.exact_guesses = estimate::exact(cap);
            self.score = estimate::score_of(self.guesses());
        }
        let (warning, suggestion) = breached_texts(self.locale);
        self.warning = Some(warning.to_owned());
        self.suggestions.retain(|s| s != suggestion);
        self.suggestions.insert(0, suggestion.to_owned());
        self
    }

    /// The crack time of `scenario` in words, in the strength's locale.
    pub fn crack_time_display(&self, scenario: &Scenario) -> String {
        let seconds = self.crack_seconds(scenario);
        match self.locale {
            None => display_time(seconds),
            Some(t) => {
                let (count, unit) = time_unit(seconds);
                let key = match (unit, count) {
                    ("less than a second", _) => "ltSecond".to_owned(),
                    ("centuries", _) => "centuries".to_owned(),
                    (unit, 1) => unit.to_owned(),
                    (unit, _) => format!("{unit}s"),
                };
                t.time(&key, count)
            }
        }
    }
}

/// Checks the length rules (in Unicode characters) and estimates the password's strength.
pub fn strength(password: &str, user_inputs: &[&str]) -> Result<Strength, EvaluateError> {
    strength_with(password, user_inputs, &Options::default())
}

/// [`strength`] with language packs and a locale.
pub fn strength_with(
    password: &str,
    user_inputs: &[&str],
    options: &Options,
) -> Result<Strength, EvaluateError> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(EvaluateError::Empty);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(EvaluateError::TooLong(chars));
    }
    let estimate = estimate::estimate(password, user_inputs, &options.dictionaries);
    let locale = options.locale;
    Ok(Strength {
        score: estimate.score(),
        guesses_log10: estimate.guesses_log10,
        exact_guesses: estimate.exact_guesses,
        warning: estimate.warning.map(|w| match locale {
            None => w.to_string(),
            Some(t) => t.warning(w.key()).to_owned(),
        }),
        suggestions: estimate
            .suggestions
            .iter()
            .map(|s| match locale {
                None => s.to_string(),
                Some(t) => t.suggestion(s.key()).to_owned(),
            })
            .collect(),
        patterns: estimate.patterns,
        locale,
    })
}

/// Touches the estimator once (its dictionaries lie in the binary: nothing is built) and every
/// page of every shipped pack, so the first request pays no page faults: a request naming three
/// languages otherwise faulted in the pages its binary searches touch (3.3–16 ms of CPU for the
/// first such request in a fresh process, `make bench`).
pub fn warm_up() {
    let _ = Estimate::score(&estimate::estimate("warm-up", &[], &[]));
    let touched: usize = model::data::PACKS.iter().map(|p| p.touch()).sum();
    std::hint::black_box(touched);
}

/// A duration in words, as zxcvbn shows crack times ("less than a second", "3 days", "centuries"):
/// the count is rounded to the nearest unit, like the reference JavaScript implementation.
pub fn display_time(seconds: f64) -> String {
    match time_unit(seconds) {
        (_, unit @ ("less than a second" | "centuries")) => unit.to_owned(),
        (count, unit) => format!("{count} {unit}{}", if count == 1 { "" } else { "s" }),
    }
}

/// A duration as a count of its unit (rounded to the nearest), or "less than a second" or
/// "centuries".
fn time_unit(seconds: f64) -> (u64, &'static str) {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = MINUTE * 60.0;
    const DAY: f64 = HOUR * 24.0;
    const MONTH: f64 = DAY * 31.0;
    const YEAR: f64 = MONTH * 12.0;
    const CENTURY: f64 = YEAR * 100.0;
    let (unit, size) = match seconds {
        s if s < 1.0 => return (0, "less than a second"),
        s if s < MINUTE => ("second", 1.0),
        s if s < HOUR => ("minute", MINUTE),
        s if s < DAY => ("hour", HOUR),
        s if s < MONTH => ("day", DAY),
        s if s < YEAR => ("month", MONTH),
        s if s < CENTURY => ("year", YEAR),
        _ => return (0, "centuries"),
    };
    ((seconds / size).round() as u64, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(strength("", &[]), Err(EvaluateError::Empty));
        assert!(strength(&"é".repeat(128), &[]).is_ok());
        assert_eq!(
            strength(&"é".repeat(129), &[]),
            Err(EvaluateError::TooLong(129))
        );
        assert!(strength(&"a".repeat(128), &[]).is_ok());
    }

    #[test]
    fn the_contracts_example() {
        // One common password: its rank in the list, plus one (zxcvbn's sequence of one match).
        let rank = model::data::pack("common")
            .unwrap()
            .find("password1")
            .unwrap()
            .0;
        let guesses = u64::from(rank) + 1;
        let s = strength("password1", &[]).unwrap();
        assert_eq!(s.exact_guesses, Some(guesses));
        assert_eq!(s.score, 0);
        assert_eq!(s.label(), "Very Weak");
        assert_eq!(
            s.warning.as_deref(),
            Some("This is a very common password.")
        );
        assert!(!s.suggestions.is_empty());
        let bits = (guesses as f64).log2();
        assert!((s.entropy_bits() - bits).abs() < 1e-9);
    }

    #[test]
    fn a_breach_count_caps_the_guesses_by_zipfs_law() {
        use breach::BreachCheck;
        // Zipf's law: the most common password's count is rank 1; a hundredth of it, rank
        // 100^(1/0.91).
        assert_eq!(breach_model::guesses(37_359_195), 1.0);
        let r = breach_model::guesses(373_592);
        assert!((r - 100f64.powf(1.0 / 0.91)).abs() < 0.01 * r, "{r}");
        assert_eq!(breach_model::guesses(u64::MAX), 1.0);
        // Seen once: about 2 × 10^8 guesses.
        assert!((1e8..1e9).contains(&breach_model::guesses(1)));
        let strong = strength("correcthorsebatterystaple", &[]).unwrap();
        assert_eq!(strong.score, 4);
        let breached = strong.clone().with_breach(BreachCheck::Checked(5_000));
        assert!(breached.guesses() <= breach_model::guesses(5_000) + 1.0);
        assert!(breached.score < 4);
        let (warning, suggestion) = breached_texts(None);
        assert_eq!(
            warning,
            "Your password was exposed by a data breach on the Internet."
        );
        assert_eq!(breached.warning.as_deref(), Some(warning));
        assert_eq!(breached.suggestions[0], suggestion);
        let seconds = breached.crack_seconds(&SCENARIOS[3]);
        assert!(seconds < strong.crack_seconds(&SCENARIOS[3]));
        // A weaker estimate than the count implies stays; the warning still says breached.
        let weak = strength("password", &[]).unwrap();
        let still = weak.clone().with_breach(BreachCheck::Checked(1));
        assert_eq!(still.exact_guesses, weak.exact_guesses);
        assert_eq!(still.warning.as_deref(), Some(warning));
        // No count, no change.
        for check in [
            BreachCheck::Checked(0),
            BreachCheck::Skipped,
            BreachCheck::Unavailable,
        ] {
            assert_eq!(strong.clone().with_breach(check), strong);
        }
    }

    #[test]
    fn crack_seconds_follow_the_scenarios() {
        let s = Strength {
            score: 1,
            guesses_log10: 8000f64.log10(),
            exact_guesses: Some(8000),
            warning: None,
            suggestions: vec![],
            patterns: None,
            locale: None,
        };
        let seconds: Vec<f64> = SCENARIOS.iter().map(|sc| s.crack_seconds(sc)).collect();
        assert!((seconds[0] - 288_000.0).abs() < 1e-6);
        assert!((seconds[1] - 800.0).abs() < 1e-9);
        assert!((seconds[2] - 0.8).abs() < 1e-12);
        assert!((seconds[3] - 8e-7).abs() < 1e-15);
        let shown: Vec<String> = seconds.iter().map(|&x| display_time(x)).collect();
        assert_eq!(
            shown,
            [
                "3 days",
                "13 minutes",
                "less than a second",
                "less than a second"
            ]
        );
    }

    #[test]
    fn scenarios_are_the_contracts_four_slowest_first() {
        let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "online_throttled",
                "online_unthrottled",
                "offline_slow_hash",
                "offline_fast_hash"
            ]
        );
        assert!(
            SCENARIOS
                .windows(2)
                .all(|w| w[0].guesses_per_second < w[1].guesses_per_second)
        );
    }

    #[test]
    fn display_time_rounds_like_the_reference() {
        assert_eq!(display_time(0.99), "less than a second");
        assert_eq!(display_time(1.0), "1 second");
        assert_eq!(display_time(1.6), "2 seconds");
        assert_eq!(display_time(59.4), "59 seconds");
        assert_eq!(display_time(89.0), "1 minute");
        assert_eq!(display_time(90.0), "2 minutes");
        assert_eq!(display_time(3600.0 * 23.6), "24 hours");
        assert_eq!(display_time(86400.0 * 30.0), "30 days");
        assert_eq!(display_time(86400.0 * 31.0), "1 month");
        assert_eq!(display_time(86400.0 * 31.0 * 12.0 * 99.0), "99 years");
        assert_eq!(display_time(86400.0 * 31.0 * 12.0 * 100.0), "centuries");
        assert_eq!(display_time(1e300), "centuries");
    }
}
