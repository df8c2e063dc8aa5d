//! Strength estimation: the owned zxcvbn model ([`super::model`]) over the whole password, for
//! every accepted length (no chunking: the model's cost is bounded by construction).

use super::model::{self, Kind, Model, Pattern, Suggestion, Warning, dictionary};

/// An estimate of the guesses an attacker needs, with feedback.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// `log10` of the guesses.
    pub guesses_log10: f64,
    /// The guesses as an integer (rounded), below 2^53.
    pub exact_guesses: Option<u64>,
    /// The warning, if there is one.
    pub warning: Option<Warning>,
    /// Suggestions (empty when none).
    pub suggestions: Vec<Suggestion>,
    /// What the model matched.
    pub patterns: Option<Patterns>,
}

/// What the model matched in the password.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patterns {
    /// One word of its dictionaries (not the user's inputs), as it is, capitalised,
    /// l33t-substituted or reversed, covers the whole password.
    pub whole_dictionary_word: bool,
    /// The user inputs found in the password (l33t and reversed included).
    pub user_input_words: Vec<String>,
}

impl Patterns {
    fn of(sequence: &[model::Match], chars: usize) -> Patterns {
        let mut patterns = Patterns::default();
        for m in sequence {
            let Pattern::Dictionary { kind, word, .. } = &m.pattern else {
                continue;
            };
            if *kind == Kind::UserInputs {
                patterns.user_input_words.push(word.clone());
            } else if m.i == 0 && m.j + 1 == chars {
                patterns.whole_dictionary_word = true;
            }
        }
        patterns
    }
}

/// zxcvbn's score, 0–4, from the guesses (its thresholds 10^3, 10^6, 10^8, 10^10, plus 5).
pub fn score_of(guesses: f64) -> u8 {
    [1e3, 1e6, 1e8, 1e10]
        .iter()
        .take_while(|&&limit| guesses >= limit + 5.0)
        .count() as u8
}

impl Estimate {
    /// zxcvbn's score, 0–4.
    pub fn score(&self) -> u8 {
        score_of(match self.exact_guesses {
            Some(g) => g as f64,
            None => 10f64.powf(self.guesses_log10),
        })
    }
}

/// `guesses` as an integer (rounded) while `f64` holds every integer that large (below 2^53).
pub fn exact(guesses: f64) -> Option<u64> {
    (guesses < 2f64.powi(53)).then(|| guesses.round() as u64)
}

/// Estimates `password` (non-empty) with `user_inputs` as extra dictionary words and the
/// `languages` packs beside the default ones.
pub fn estimate(password: &str, user_inputs: &[&str], languages: &[&str]) -> Estimate {
    let inputs = dictionary::user_input_text(user_inputs);
    estimate_with(password, &Model::new(&inputs, languages))
}

/// Estimates `password` with `model`.
pub fn estimate_with(password: &str, model: &Model) -> Estimate {
    let chars: Vec<char> = password.chars().collect();
    let analysis = model::analyse(&chars, model);
    let guesses = analysis.guesses.max(1.0);
    let score = score_of(guesses);
    let (warning, suggestions) = model::feedback::feedback(score, &analysis.sequence, &chars);
    Estimate {
        guesses_log10: guesses.log10(),
        exact_guesses: exact(guesses),
        warning,
        suggestions,
        patterns: Some(Patterns::of(&analysis.sequence, chars.len())),
    }
}

/// The smallest period of `chars` when it repeats at least twice (KMP failure function, O(n)).
pub(crate) fn period(chars: &[char]) -> Option<usize> {
    let mut border = vec![0usize; chars.len()];
    for i in 1..chars.len() {
        let mut k = border[i - 1];
        while k > 0 && chars[i] != chars[k] {
            k = border[k - 1];
        }
        if chars[i] == chars[k] {
            k += 1;
        }
        border[i] = k;
    }
    let period = chars.len() - border.last().copied().unwrap_or(0);
    (period * 2 <= chars.len()).then_some(period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt, SeedableRng, rngs::StdRng};

    const PRINTABLE: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    fn random_text(rng: &mut impl Rng, len: usize) -> String {
        let pool: Vec<char> = PRINTABLE.chars().collect();
        (0..len)
            .map(|_| pool[rng.random_range(0..pool.len())])
            .collect()
    }

    #[test]
    fn the_two_faults_of_the_embedded_crate_are_gone() {
        // Digits were read as l33t, which chunked the password and lost its dictionary match.
        assert!(estimate("123456789", &[], &[]).exact_guesses.unwrap() <= 10);
        assert!(estimate("12345678", &[], &[]).exact_guesses.unwrap() <= 10);
        // An all-capitals word with a digit: zxcvbn 4.4.2 gives 3,303 (the crate gave 2).
        let g = estimate("RAIDERS1", &[], &[]).exact_guesses.unwrap() as f64;
        assert!((3303.0 / 2.0..=3303.0 * 2.0).contains(&g), "{g}");
    }

    #[test]
    fn a_language_pack_finds_its_words() {
        // A German word, unknown to the common and English lists, is a dictionary match with `de`.
        let word = "kennwortsicherheit";
        let de = super::model::data::pack("de").unwrap();
        let (german, english) = (estimate(word, &[], &["de"]), estimate(word, &[], &[]));
        let found = ["schmetterling", "eichhörnchen", "straßenbahn"]
            .into_iter()
            .find(|w| de.find(w).is_some())
            .expect("a German word in the pack");
        let with = estimate(found, &[], &["de"]);
        let without = estimate(found, &[], &[]);
        assert!(with.guesses_log10 < without.guesses_log10 - 2.0, "{found}");
        assert!(german.guesses_log10 <= english.guesses_log10);
    }

    #[test]
    fn common_passwords_get_zxcvbns_feedback() {
        let e = estimate("password", &[], &[]);
        assert_eq!(e.exact_guesses, Some(3));
        assert_eq!(e.score(), 0);
        assert_eq!(e.warning, Some(Warning::ThisIsATop10Password));
        assert_eq!(e.suggestions, [Suggestion::AddAnotherWordOrTwo]);
        let e = estimate("Tr0ub4dor&3", &[], &[]);
        assert!(e.score() >= 2, "{e:?}");
        let e = estimate("correcthorsebatterystaple", &[], &[]);
        assert_eq!(e.score(), 4);
        assert_eq!(e.warning, None);
        assert!(e.suggestions.is_empty());
    }

    #[test]
    fn score_thresholds_match_zxcvbn() {
        let at = |g: u64| Estimate {
            guesses_log10: (g as f64).log10(),
            exact_guesses: Some(g),
            warning: None,
            suggestions: vec![],
            patterns: None,
        };
        let cases = [
            (1004, 0),
            (1005, 1),
            (1_000_004, 1),
            (1_000_005, 2),
            (100_000_005, 3),
            (10_000_000_004, 3),
            (10_000_000_005, 4),
        ];
        for (g, score) in cases {
            assert_eq!(at(g).score(), score, "{g}");
        }
        let big = Estimate {
            guesses_log10: 40.0,
            exact_guesses: None,
            ..at(1)
        };
        assert_eq!(big.score(), 4);
    }

    #[test]
    fn long_inputs_are_scored_past_zxcvbns_cap() {
        let mut rng = StdRng::seed_from_u64(7);
        let p = random_text(&mut rng, 128);
        let e = estimate(&p, &[], &[]);
        // zxcvbn stops at u64::MAX (log10 19.27); every random character here adds about one digit.
        assert!(e.guesses_log10 > 100.0, "{}", e.guesses_log10);
        assert_eq!(e.score(), 4);
        assert_eq!(e.warning, None);
        assert!(e.suggestions.is_empty());
    }

    #[test]
    fn long_repeats_stay_weak() {
        for base in ["password", "Password1", "abc", "qwerty123"] {
            let p = base.repeat(128 / base.len());
            let e = estimate(&p, &[], &[]);
            assert!(
                e.score() <= 2,
                "{p}: log10 {} score {}",
                e.guesses_log10,
                e.score()
            );
            assert!(e.warning.is_some(), "{p}");
        }
    }

    #[test]
    fn periods() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(period(&chars("abcabcab")), Some(3));
        assert_eq!(period(&chars("aaaa")), Some(1));
        assert_eq!(period(&chars("abcab")), None);
        assert_eq!(period(&chars("abcd")), None);
    }

    #[test]
    fn user_inputs_count_anywhere_in_a_long_password() {
        let p = "Alexandria-Kowalski-1987-Alexandria";
        let with = estimate(p, &["alexandria", "kowalski"], &[]);
        let without = estimate(p, &[], &[]);
        assert!(with.guesses_log10 < without.guesses_log10);
    }

    #[test]
    fn appending_random_characters_never_lowers_the_score() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..6 {
            let mut p = random_text(&mut rng, 4);
            let mut last = estimate(&p, &[], &[]);
            while p.chars().count() < 128 {
                p.push_str(&random_text(&mut rng, 1));
                let next = estimate(&p, &[], &[]);
                assert!(next.score() >= last.score(), "{p}");
                last = next;
            }
            assert!(last.guesses_log10 > 100.0);
        }
    }
}
