//! Strength estimation: zxcvbn, made total and bounded in time for every accepted length.
//!
//! The `zxcvbn` crate is the reference for short passwords, but it scores only the first 100
//! characters, caps guesses at `u64::MAX`, and its cost grows steeply with length on crafted inputs
//! (leet-heavy text of 100 characters takes a quarter of a second). So:
//!
//! - Up to [`EXACT_MAX`] characters, with at most [`EXACT_LEET`] distinct l33t characters, the
//!   password is scored by zxcvbn as it is: the result is zxcvbn's.
//! - Other passwords are cut into chunks of [`CHUNK`] characters, from the start, each ending early
//!   where one more character would bring a sixth distinct l33t character ([`CHUNK_LEET`]), and at
//!   [`CONFLICT_CHUNK`] characters when it holds `1`, `|` or `7` (the last chunk may be shorter). Each chunk costs the cheaper of two explanations, and the costs add up in log space
//!   (an attacker must guess every chunk):
//!   - zxcvbn's guesses for the chunk on its own (never capped: 12 characters stay below 10^13);
//!   - a copy of earlier text at some distance `d` (LZ77-style, overlap allowed), which catches
//!     repeats longer than a chunk: choosing `d` costs `log10(start)`, and the `j`-th chunk that
//!     continues the copy at the same distance costs `log10((j + 1) / j)`, so a run of `k` chunks
//!     costs `log10(k + 1)` in all, like zxcvbn's repeat count.
//! - A password that is one base repeated (`abcabcab…`, the last repeat possibly partial) also costs
//!   the base's estimate plus `log10(length / period)`, zxcvbn's repeat rule; the smaller wins.
//!
//! Why these limits: zxcvbn tries every combination of l33t substitutions that the password's l33t
//! characters allow, and rescans the password for each, so its cost explodes with distinct l33t
//! characters (`4@8(3!1|0$5+…`): measured here (release), 16 characters with 15 of them cost ~3 ms,
//! 12 with 10 ~1 ms, 100 a quarter of a second. The worst arrangements found of 7 distinct cost
//! ~0.75 ms on 16 characters (one call). `1`, `|` and `7` each read as two letters, which doubles
//! the combinations: 12 characters of `1|7!+` cost ~0.35 ms (up to 0.5), 8 of them ~0.13 ms, while
//! 12 of `4@$5+0({[<` cost ~0.1 ms. So a 128-character password costs at most 16 chunks of ~0.13
//! ms, or 11 of ~0.1 ms. Every character is scored, and appending characters changes only the
//! last chunk, so whole chunks only ever add strength. The worst request is in `make bench`.

use zxcvbn::feedback::{Suggestion, Warning};

/// Longest password scored by zxcvbn whole, its result used unchanged.
pub const EXACT_MAX: usize = 16;
/// Characters per chunk beyond [`EXACT_MAX`].
pub const CHUNK: usize = 12;
/// Most distinct l33t characters in a password scored whole.
pub const EXACT_LEET: usize = 7;
/// Most distinct l33t characters in a chunk.
pub const CHUNK_LEET: usize = 5;
/// Characters per chunk holding one of `CONFLICTING` (`1`, `|`, `7`).
pub const CONFLICT_CHUNK: usize = 8;
/// The l33t characters that zxcvbn reads as two different letters.
const CONFLICTING: &str = "1|7";
/// The characters zxcvbn's l33t table reads as letters.
const LEET: &str = "4@8({[<3691!|70$5+%2";

/// An estimate of the guesses an attacker needs, with zxcvbn's feedback.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// `log10` of the guesses.
    pub guesses_log10: f64,
    /// The guesses as an integer, when a single zxcvbn call produced them.
    pub exact_guesses: Option<u64>,
    /// zxcvbn's warning, if it has one.
    pub warning: Option<Warning>,
    /// zxcvbn's suggestions (empty when it has none).
    pub suggestions: Vec<Suggestion>,
    /// What zxcvbn matched, when it read the password whole (not in chunks).
    pub patterns: Option<Patterns>,
}

/// What zxcvbn matched in a password it read whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patterns {
    /// One word of its dictionaries (common passwords, English, names, TV and film), as it is,
    /// capitalised, l33t-substituted or reversed, covers the whole password.
    pub whole_dictionary_word: bool,
    /// The user inputs it found in the password (l33t and reversed included).
    pub user_input_words: Vec<String>,
}

impl Patterns {
    fn of(entropy: &zxcvbn::Entropy, chars: usize) -> Patterns {
        use zxcvbn::matching::patterns::MatchPattern;
        let mut patterns = Patterns::default();
        for m in entropy.sequence() {
            let MatchPattern::Dictionary(word) = &m.pattern else {
                continue;
            };
            // The crate does not export the dictionary type's name, only its variants' Debug.
            if format!("{:?}", word.dictionary_name) == "UserInputs" {
                patterns.user_input_words.push(word.matched_word.clone());
            } else if m.i == 0 && m.j + 1 == chars {
                patterns.whole_dictionary_word = true;
            }
        }
        patterns
    }
}

impl Estimate {
    fn from_zxcvbn(entropy: &zxcvbn::Entropy) -> Estimate {
        let guesses = entropy.guesses().max(1);
        let feedback = entropy.feedback();
        Estimate {
            guesses_log10: (guesses as f64).log10(),
            exact_guesses: Some(guesses),
            warning: feedback.and_then(|f| f.warning()),
            suggestions: feedback
                .map(|f| f.suggestions().to_vec())
                .unwrap_or_default(),
            patterns: None,
        }
    }

    /// zxcvbn's score, 0–4, from the guesses (its thresholds 10^3, 10^6, 10^8, 10^10, plus 5).
    pub fn score(&self) -> u8 {
        let guesses = match self.exact_guesses {
            Some(g) => g as f64,
            None => 10f64.powf(self.guesses_log10),
        };
        [1e3, 1e6, 1e8, 1e10]
            .iter()
            .take_while(|&&limit| guesses >= limit + 5.0)
            .count() as u8
    }
}

/// Estimates `password` (non-empty) with `user_inputs` as extra dictionary words.
pub fn estimate(password: &str, user_inputs: &[&str]) -> Estimate {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() <= EXACT_MAX && distinct_leet(&chars) <= EXACT_LEET {
        let entropy = zxcvbn::zxcvbn(password, user_inputs);
        return Estimate {
            patterns: Some(Patterns::of(&entropy, chars.len())),
            ..Estimate::from_zxcvbn(&entropy)
        };
    }
    let mut chunked = chunked(&chars, user_inputs);
    if let Some(period) = period(&chars) {
        let base: String = chars[..period].iter().collect();
        let base = estimate(&base, user_inputs);
        let repeated = base.guesses_log10 + (chars.len() as f64 / period as f64).log10();
        if repeated < chunked.guesses_log10 {
            chunked = Estimate {
                guesses_log10: repeated,
                exact_guesses: None,
                warning: None,
                suggestions: Vec::new(),
                patterns: None,
            };
            if chunked.score() <= 2 {
                chunked.warning = Some(if period == 1 {
                    Warning::RepeatsLikeAaaAreEasyToGuess
                } else {
                    Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess
                });
                chunked.suggestions = vec![
                    Suggestion::AddAnotherWordOrTwo,
                    Suggestion::AvoidRepeatedWordsAndCharacters,
                ];
            }
        }
    }
    chunked
}

fn chunked(chars: &[char], user_inputs: &[&str]) -> Estimate {
    let mut total = 0.0;
    let mut copies = 0;
    // The distance of the copy the previous chunk continued, and how many chunks it has run.
    let mut run: Option<(usize, u32)> = None;
    // The chunk zxcvbn found weakest, for feedback.
    let mut weakest: Option<(f64, Estimate)> = None;
    for (start, len) in chunks(chars) {
        let chunk = &chars[start..start + len];
        let text: String = chunk.iter().collect();
        let own = Estimate::from_zxcvbn(&zxcvbn::zxcvbn(&text, user_inputs));
        match copy(chars, start, chunk.len(), run) {
            Some((cost, next)) if cost < own.guesses_log10 => {
                total += cost;
                copies += 1;
                run = Some(next);
            }
            _ => {
                total += own.guesses_log10;
                run = None;
                if weakest.as_ref().is_none_or(|(w, _)| own.guesses_log10 < *w) {
                    weakest = Some((own.guesses_log10, own));
                }
            }
        }
    }
    let mut estimate = Estimate {
        guesses_log10: total,
        exact_guesses: None,
        warning: None,
        suggestions: Vec::new(),
        patterns: None,
    };
    if estimate.score() <= 2 {
        if let Some((_, weakest)) = weakest {
            estimate.warning = weakest.warning;
            estimate.suggestions = weakest.suggestions;
        }
        if copies > 0 && estimate.warning.is_none() {
            estimate.warning = Some(Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess);
            estimate.suggestions = vec![
                Suggestion::AddAnotherWordOrTwo,
                Suggestion::AvoidRepeatedWordsAndCharacters,
            ];
        }
        if estimate.suggestions.is_empty() {
            estimate.suggestions = vec![Suggestion::AddAnotherWordOrTwo];
        }
    }
    estimate
}

fn distinct_leet(chars: &[char]) -> usize {
    let mut seen: Vec<char> = chars.iter().copied().filter(|c| is_leet(*c)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

fn is_leet(c: char) -> bool {
    LEET.contains(c)
}

/// (start, length) of each chunk: [`CHUNK`] characters, [`CONFLICT_CHUNK`] when it holds one of
/// [`CONFLICTING`], or fewer where the next character would be the chunk's `CHUNK_LEET + 1`-th
/// distinct l33t character.
fn chunks(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut seen: Vec<char> = Vec::new();
        let mut conflicting = false;
        let mut len = 0;
        while start + len < chars.len() {
            let c = chars[start + len];
            let with_c = conflicting || CONFLICTING.contains(c);
            if len >= if with_c { CONFLICT_CHUNK } else { CHUNK } {
                break;
            }
            conflicting = with_c;
            if is_leet(c) && !seen.contains(&c) {
                if seen.len() == CHUNK_LEET {
                    break;
                }
                seen.push(c);
            }
            len += 1;
        }
        out.push((start, len));
        start += len;
    }
    out
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

/// The cost (`log10` guesses) of explaining `chars[start..start + len]` as a copy of the text `d`
/// characters earlier, with the copy run it makes: continuing the previous chunk's run (`run`:
/// distance and length) is cheapest, else a new run at the nearest distance.
fn copy(
    chars: &[char],
    start: usize,
    len: usize,
    run: Option<(usize, u32)>,
) -> Option<(f64, (usize, u32))> {
    let copies_at = |d: usize| (0..len).all(|i| chars[start + i] == chars[start + i - d]);
    if let Some((d, j)) = run.filter(|&(d, _)| copies_at(d)) {
        let j = f64::from(j);
        return Some((((j + 1.0) / j).log10(), (d, run.map_or(1, |r| r.1) + 1)));
    }
    (1..=start)
        .find(|&d| copies_at(d))
        .map(|d| ((start as f64).log10(), (d, 1)))
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
    fn short_passwords_are_exactly_zxcvbn() {
        for p in [
            "hunter2",
            "password",
            "P@ssw0rd123!",
            "Tr0ub4dor&3",
            "zxcvbn",
            "a",
        ] {
            let reference = zxcvbn::zxcvbn(p, &[]);
            let e = estimate(p, &[]);
            assert_eq!(e.exact_guesses, Some(reference.guesses()), "{p}");
            assert_eq!(e.score(), u8::from(reference.score()), "{p}");
            assert_eq!(e.warning, reference.feedback().and_then(|f| f.warning()));
        }
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
        let e = estimate(&p, &[]);
        // zxcvbn stops at u64::MAX (log10 19.27); every random character here adds about one digit.
        assert!(e.guesses_log10 > 100.0, "{}", e.guesses_log10);
        assert_eq!(e.score(), 4);
        assert_eq!(e.warning, None);
        assert!(e.suggestions.is_empty());
    }

    #[test]
    fn repeats_across_chunks_stay_weak() {
        for base in ["password", "Password1", "abc", "qwerty123"] {
            let p = base.repeat(128 / base.len());
            let e = estimate(&p, &[]);
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
    fn up_to_exact_max_the_result_is_zxcvbns() {
        let p = "correcthorsebatt";
        assert_eq!(p.len(), EXACT_MAX);
        let reference = zxcvbn::zxcvbn(p, &[]);
        assert_eq!(estimate(p, &[]).exact_guesses, Some(reference.guesses()));
        assert_eq!(estimate("correcthorsebattery", &[]).exact_guesses, None);
    }

    #[test]
    fn chunks_hold_at_most_chunk_leet_distinct_l33t_characters() {
        let p: Vec<char> = "4@8({[<3691!|70$5+%2".repeat(7).chars().take(128).collect();
        let cut = chunks(&p);
        assert_eq!(cut.iter().map(|c| c.1).sum::<usize>(), p.len());
        assert!(
            cut.iter()
                .all(|&(s, l)| distinct_leet(&p[s..s + l]) <= CHUNK_LEET)
        );
        assert_eq!(cut[0], (0, CHUNK_LEET));
        let plain: Vec<char> = "correct horse battery staple".chars().collect();
        assert_eq!(chunks(&plain), vec![(0, 12), (12, 12), (24, 4)]);
        // Nine characters, then `1`, which cannot join a chunk of more than eight; the chunk with
        // `1` ends at eight.
        let conflict: Vec<char> = "abcdefghi1abcdefghij".chars().collect();
        assert_eq!(chunks(&conflict), vec![(0, 9), (9, 8), (17, 3)]);
        // A short password with many distinct l33t characters is chunked too.
        let short = "1!|@4$5+70";
        assert_eq!(estimate(short, &[]).exact_guesses, None);
        assert!(estimate("P@ssw0rd123!", &[]).exact_guesses.is_some());
    }

    #[test]
    fn user_inputs_count_in_every_chunk() {
        let p = "Alexandria-Kowalski-1987-Alexandria";
        let with = estimate(p, &["alexandria", "kowalski"]);
        let without = estimate(p, &[]);
        assert!(with.guesses_log10 < without.guesses_log10);
    }

    #[test]
    fn appending_random_characters_never_lowers_the_score_and_every_chunk_adds() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..6 {
            let mut p = random_text(&mut rng, 4);
            let mut last = estimate(&p, &[]);
            let mut at_chunk_end = last.guesses_log10;
            while p.chars().count() < 128 {
                p.push_str(&random_text(&mut rng, 1));
                let next = estimate(&p, &[]);
                assert!(next.score() >= last.score(), "{p}");
                // zxcvbn itself may dip by a digit within a chunk ("…P3<" 10^12 → "…P3<K" 10^11);
                // whole chunks only ever add.
                let chars: Vec<char> = p.chars().collect();
                if chunks(&chars).last().is_some_and(|&(_, len)| len == CHUNK) {
                    assert!(next.guesses_log10 > at_chunk_end, "{p}");
                    at_chunk_end = next.guesses_log10;
                }
                last = next;
            }
            assert!(last.guesses_log10 > 100.0);
        }
    }
}
