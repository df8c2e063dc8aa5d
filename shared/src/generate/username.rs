//! Usernames: a word of the EFF large wordlist, capitalised if asked, followed by
//! `username_digits` random digits.
//!
//! Each username reads back as one (word, digits) pair — the words hold no digit, so the digits
//! are the username's tail — so the number of distinct usernames is `V · 10^d` and drawing the
//! word and each digit uniformly is uniform over them. The four hyphenated EFF words are left
//! out: a username is letters, then digits.

use super::passphrase::{push_word, random_word, vocabulary};
use super::random;
use super::{GenerateError, GenerateRequest, Mode, reject_params, within};
use num_bigint::BigUint;
use rand::Rng;

/// Fewest and most digits after the word (`username_digits`).
pub const DIGITS_RANGE: std::ops::RangeInclusive<u32> = 0..=8;

/// A username shape: the set of usernames it can produce and a uniform sampler over them.
#[derive(Clone, Debug)]
pub struct Username {
    /// Words to draw from.
    pub vocabulary: &'static [&'static str],
    /// Capitalise the word's first letter.
    pub capitalize: bool,
    /// Digits after the word.
    pub digits: u32,
}

impl Username {
    /// Number of distinct usernames.
    pub fn count(&self) -> BigUint {
        BigUint::from(self.vocabulary.len()) * BigUint::from(10u32).pow(self.digits)
    }

    /// Draws one username uniformly.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        let word = random_word(rng, self.vocabulary);
        let mut out = String::with_capacity(word.len() + self.digits as usize);
        push_word(&mut out, word, self.capitalize);
        for _ in 0..self.digits {
            out.push(char::from(b'0' + random::below(rng, 10) as u8));
        }
        out
    }
}

/// The username space of `request`: only `capitalize`, `username_digits`, `count` and `format`
/// apply; every other shaping parameter is refused, naming it.
pub(super) fn username_space(request: &GenerateRequest) -> Result<Username, GenerateError> {
    let r = request;
    reject_params(
        &[
            &r.character_params()[..],
            &[
                ("min_entropy", r.min_entropy.is_some()),
                ("compliance", r.compliance.is_some()),
                ("quantum", r.quantum.is_some()),
                ("words", r.words.is_some()),
                ("separator", r.separator.is_some()),
                ("include_number", r.include_number.is_some()),
                ("profession", r.profession.is_some()),
                ("language", r.language.is_some()),
            ],
        ]
        .concat(),
        Mode::Username,
    )?;
    let digits = within(
        "username_digits",
        r.username_digits.unwrap_or(0),
        &DIGITS_RANGE,
    )?;
    Ok(Username {
        vocabulary: vocabulary(None, true),
        capitalize: r.capitalize.unwrap_or(false),
        digits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::stats::{chi_square, chi_square_critical};
    use crate::generate::{GenerationPlan, count};
    use std::collections::HashMap;

    fn plan(request: GenerateRequest) -> Result<GenerationPlan, GenerateError> {
        GenerationPlan::new(
            &GenerateRequest {
                mode: Some(Mode::Username),
                ..request
            },
            500,
        )
    }

    #[test]
    fn the_entropy_is_words_times_ten_to_the_digits_exactly() {
        for digits in DIGITS_RANGE {
            let p = plan(GenerateRequest {
                username_digits: Some(digits),
                ..Default::default()
            })
            .unwrap();
            let words = vocabulary(None, true).len();
            assert_eq!(words, 7772);
            assert_eq!(
                p.output_count(),
                BigUint::from(words) * BigUint::from(10u64.pow(digits))
            );
            let bits = (words as f64).log2() + f64::from(digits) * 10f64.log2();
            assert!((p.entropy_bits() - bits).abs() < 1e-9, "{digits}");
            assert_eq!(count::log2(&p.output_count()), p.entropy_bits());
        }
    }

    #[test]
    fn each_username_is_a_listed_word_then_its_digits() {
        let words: std::collections::HashSet<&str> =
            vocabulary(None, true).iter().copied().collect();
        let p = plan(GenerateRequest {
            username_digits: Some(3),
            capitalize: Some(true),
            count: Some(500),
            ..Default::default()
        })
        .unwrap();
        for name in p.generate(&mut rand::rng()) {
            let (word, digits) = name.split_at(name.len() - 3);
            assert!(digits.chars().all(|c| c.is_ascii_digit()), "{name}");
            assert!(word.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
            assert!(words.contains(word.to_lowercase().as_str()), "{name}");
            assert!(
                !word.contains(|c: char| c.is_ascii_digit() || c == '-'),
                "{name}"
            );
        }
        let plain = plan(GenerateRequest::default()).unwrap();
        let name = &plain.generate(&mut rand::rng())[0];
        assert!(words.contains(name.as_str()), "{name}");
    }

    /// Chi-square over the first letter of the word (its share in the list) and over the digits.
    #[test]
    fn words_and_digits_are_uniform() {
        let u = Username {
            vocabulary: vocabulary(None, true),
            capitalize: false,
            digits: 2,
        };
        let mut rng = rand::rng();
        let n = 200_000;
        let mut first: HashMap<char, u64> = HashMap::new();
        let mut tens = [0u64; 10];
        for _ in 0..n {
            let name = u.sample(&mut rng);
            *first.entry(name.chars().next().unwrap()).or_default() += 1;
            tens[usize::from(name.as_bytes()[name.len() - 2] - b'0')] += 1;
        }
        let mut share: HashMap<char, f64> = HashMap::new();
        for w in u.vocabulary {
            *share.entry(w.chars().next().unwrap()).or_default() += 1.0;
        }
        let letters: Vec<char> = share.keys().copied().collect();
        let observed: Vec<u64> = letters
            .iter()
            .map(|c| first.get(c).copied().unwrap_or(0))
            .collect();
        let expected: Vec<f64> = letters
            .iter()
            .map(|c| share[c] / u.vocabulary.len() as f64 * n as f64)
            .collect();
        let df = (letters.len() - 1) as f64;
        assert!(chi_square(&observed, &expected) < chi_square_critical(df, 5.0));
        let expected = [n as f64 / 10.0; 10];
        assert!(chi_square(&tens, &expected) < chi_square_critical(9.0, 5.0));
    }

    #[test]
    fn other_shaping_parameters_are_refused_naming_them() {
        let cases = [
            (
                GenerateRequest {
                    username_digits: Some(9),
                    ..Default::default()
                },
                "username_digits",
            ),
            (
                GenerateRequest {
                    length: Some(12),
                    ..Default::default()
                },
                "length",
            ),
            (
                GenerateRequest {
                    words: Some(4),
                    ..Default::default()
                },
                "words",
            ),
            (
                GenerateRequest {
                    min_entropy: Some(40.0),
                    ..Default::default()
                },
                "min_entropy",
            ),
            (
                GenerateRequest {
                    passwordrules: Some("required: upper".into()),
                    ..Default::default()
                },
                "passwordrules",
            ),
        ];
        for (request, param) in cases {
            assert_eq!(plan(request).unwrap_err().param, param);
        }
        let e = plan(GenerateRequest {
            separator: Some("-".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.message, "separator does not apply to mode=username");
        // And username_digits outside username mode.
        for mode in [Mode::Password, Mode::Passphrase] {
            let request = GenerateRequest {
                mode: Some(mode),
                username_digits: Some(2),
                ..Default::default()
            };
            assert_eq!(
                GenerationPlan::new(&request, 10).unwrap_err().param,
                "username_digits"
            );
        }
    }
}
