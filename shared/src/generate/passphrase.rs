//! Passphrases: words drawn uniformly from the EFF large wordlist, optionally with a themed vocabulary,
//! or from the word list of another [`Language`].
//!
//! Every phrase reads back as exactly one word sequence, so the number of distinct phrases is
//! `V^n` (times `10·n` with `include_number`) and sampling word by word is uniform over them:
//! - separators contain no letters or digits, so they never occur inside a word;
//! - when the separator contains `-`, the four hyphenated EFF words (`drop-down`, `felt-tip`,
//!   `t-shirt`, `yo-yo`) are left out (otherwise `drop-down-felt-tip` spells two phrases);
//! - an empty separator needs `capitalize`, whose capital letters mark where each word starts;
//! - the appended digit is the only digit in the phrase, so its word and value are recoverable;
//! - the other languages' lists are letters only, lower case, NFC and each word once (as
//!   `shared/data/words/refresh.py` writes them and a test checks), so their sizes are exact and
//!   a capital letter marks every word's start: some lists have words that begin others (French,
//!   Dutch), which the empty separator's need for `capitalize` makes harmless.

use super::profession::Profession;
use super::random;
use super::{
    Composition, DEFAULT_WORDS, GenerateError, GenerateRequest, MAX_SEPARATOR_CHARS, Mode, Preset,
    WORDS_RANGE, count, invalid, is_invisible, raise, reject_params,
};
use num_bigint::BigUint;
use rand::Rng;
use std::sync::OnceLock;

/// The EFF large wordlist (7776 words, CC BY 3.0 US, Electronic Frontier Foundation), via the
/// `diceware_wordlists` crate.
pub fn eff_words() -> &'static [&'static str] {
    &diceware_wordlists::EFF_LONG_WORDLIST
}

/// The language of a passphrase's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// The EFF large wordlist (the default).
    En,
    /// diceware 1.0.1's German list (Uli Fouquet, CC BY 3.0).
    De,
    /// diceware 1.0.1's French list (Tango, for Tails and the Tor Project; CC0).
    Fr,
    /// diceware 1.0.1's Spanish list (victordargallo, CC BY 4.0).
    Es,
    /// diceware 1.0.1's Italian list (victordargallo, CC BY 4.0).
    It,
    /// 7,776 common Dutch words from zxcvbn-ts's Dutch pack (MIT).
    Nl,
    /// diceware 1.0.1's Brazilian Portuguese list (drebs, CC BY 3.0).
    Pt,
}

impl Language {
    /// Every language, in the order the API lists them.
    pub const ALL: [Language; 7] = [
        Language::En,
        Language::De,
        Language::Fr,
        Language::Es,
        Language::It,
        Language::Nl,
        Language::Pt,
    ];

    /// The code requests use.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Es => "es",
            Language::It => "it",
            Language::Nl => "nl",
            Language::Pt => "pt",
        }
    }

    /// The language of `code`.
    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The list's words (each once, sorted).
    pub fn words(self) -> &'static [&'static str] {
        static LISTS: [OnceLock<Vec<&'static str>>; Language::ALL.len()] =
            [const { OnceLock::new() }; Language::ALL.len()];
        let text = match self {
            Language::En => return eff_words(),
            Language::De => include_str!("../../data/words/de.txt"),
            Language::Fr => include_str!("../../data/words/fr.txt"),
            Language::Es => include_str!("../../data/words/es.txt"),
            Language::It => include_str!("../../data/words/it.txt"),
            Language::Nl => include_str!("../../data/words/nl.txt"),
            Language::Pt => include_str!("../../data/words/pt.txt"),
        };
        LISTS[self as usize].get_or_init(|| text.lines().collect())
    }

    /// The list's name in a response's `audit.character_pool`.
    pub fn pool(self) -> String {
        match self {
            Language::En => "eff_large_wordlist".to_owned(),
            other => format!("wordlist_{}", other.code()),
        }
    }
}

/// The vocabulary for a request: EFF words (without hyphenated ones when `hyphen_free`) plus the
/// themed words of `theme`, each word once. Built once per process and combination.
pub fn vocabulary(theme: Option<Profession>, hyphen_free: bool) -> &'static [&'static str] {
    const SLOTS: usize = (Profession::ALL.len() + 1) * 2;
    static CACHE: [OnceLock<Vec<&'static str>>; SLOTS] = [const { OnceLock::new() }; SLOTS];
    let theme_slot = theme.map_or(0, |p| p as usize + 1);
    let slot = theme_slot * 2 + usize::from(hyphen_free);
    CACHE[slot].get_or_init(|| {
        let mut words: Vec<&'static str> = eff_words()
            .iter()
            .copied()
            .filter(|w| !hyphen_free || !w.contains('-'))
            .collect();
        if let Some(theme) = theme {
            words.extend(theme.words());
        }
        words.sort_unstable();
        words.dedup();
        words
    })
}

/// A passphrase shape: the set of phrases it can produce and a uniform sampler over them.
#[derive(Clone, Debug)]
pub struct Phrase {
    /// Words to draw from.
    pub vocabulary: &'static [&'static str],
    /// The themed vocabulary merged in, if any.
    pub theme: Option<Profession>,
    /// The language of the words.
    pub language: Language,
    /// Number of words.
    pub words: u32,
    /// Text between words.
    pub separator: String,
    /// Capitalise the first letter of every word.
    pub capitalize: bool,
    /// Append one digit to one word.
    pub include_number: bool,
}

impl Phrase {
    /// Number of distinct phrases.
    pub fn count(&self) -> BigUint {
        let phrases = BigUint::from(self.vocabulary.len()).pow(self.words);
        if self.include_number {
            phrases * (10 * self.words)
        } else {
            phrases
        }
    }

    /// The fewest characters any phrase of this shape has.
    pub fn min_chars(&self) -> usize {
        let shortest = self
            .vocabulary
            .iter()
            .map(|w| w.chars().count())
            .min()
            .unwrap_or(0);
        let n = self.words as usize;
        shortest * n
            + self.separator.chars().count() * n.saturating_sub(1)
            + usize::from(self.include_number)
    }

    /// Draws one phrase uniformly.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        let n = self.words as usize;
        let digit = self.include_number.then(|| {
            (
                random::below(rng, self.words) as usize,
                random::below(rng, 10),
            )
        });
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push_str(&self.separator);
            }
            push_word(&mut out, random_word(rng, self.vocabulary), self.capitalize);
            if let Some((at, d)) = digit
                && at == i
            {
                out.push(char::from(b'0' + d as u8));
            }
        }
        out
    }
}

/// A uniform word of `vocabulary`.
pub(super) fn random_word<R: Rng + ?Sized>(
    rng: &mut R,
    vocabulary: &[&'static str],
) -> &'static str {
    vocabulary[random::below(rng, vocabulary.len() as u32) as usize]
}

/// Appends `word`, its first letter capitalised when `capitalize`.
pub(super) fn push_word(out: &mut String, word: &str, capitalize: bool) {
    let mut chars = word.chars();
    if capitalize && let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    out.extend(chars);
}

/// The passphrase space of `request`, with its words raised to reach `target` bits if asked.
pub(super) fn phrase_space(
    request: &GenerateRequest,
    target: Option<(f64, &'static str)>,
) -> Result<Phrase, GenerateError> {
    let r = request;
    reject_params(
        &[
            &r.character_params()[..],
            &[("username_digits", r.username_digits.is_some())],
        ]
        .concat(),
        Mode::Passphrase,
    )?;
    let words = super::within("words", r.words.unwrap_or(DEFAULT_WORDS), &WORDS_RANGE)?;
    let separator = r.separator.clone().unwrap_or_else(|| "-".to_string());
    if separator.chars().count() > MAX_SEPARATOR_CHARS {
        return invalid(
            "separator",
            format!("separator may have at most {MAX_SEPARATOR_CHARS} characters"),
        );
    }
    // The plain space is the one separator character that is not visible on its own.
    if let Some(bad) = separator
        .chars()
        .find(|&c| c.is_alphanumeric() || (c != ' ' && is_invisible(c)))
    {
        return invalid(
            "separator",
            format!(
                "separator may contain only visible symbols and the space: no letters, digits, other spaces, combining marks, control or invisible characters (found U+{:04X})",
                u32::from(bad)
            ),
        );
    }
    let mut capitalize = r.capitalize.unwrap_or(false);
    let mut include_number = r.include_number.unwrap_or(false);
    if let Some(preset) = r.compliance {
        let name = preset.name();
        let composition = preset.composition();
        if composition != Composition::None {
            if r.include_number == Some(false) {
                return invalid(
                    "include_number",
                    format!("compliance={name} requires a digit: include_number must be true"),
                );
            }
            include_number = true;
        }
        if composition == Composition::AllFour {
            if r.capitalize == Some(false) {
                return invalid(
                    "capitalize",
                    format!("compliance={name} requires uppercase: capitalize must be true"),
                );
            }
            capitalize = true;
            if !separator.chars().any(|c| !c.is_whitespace()) {
                return invalid(
                    "separator",
                    format!("compliance={name} requires a symbol: use a separator such as \"-\""),
                );
            }
        }
    }
    if separator.is_empty() && !capitalize {
        return invalid(
            "separator",
            "an empty separator needs capitalize=true, so that every passphrase reads back as one word sequence",
        );
    }
    let language = r.language.unwrap_or(Language::En);
    let vocabulary = match (language, r.profession) {
        (Language::En, theme) => vocabulary(theme, separator.contains('-')),
        (_, Some(_)) => {
            return invalid(
                "profession",
                format!(
                    "the themed vocabularies are English: profession cannot be combined with language={}",
                    language.code()
                ),
            );
        }
        (other, None) => other.words(),
    };
    let shape = |words: u32| Phrase {
        vocabulary,
        language,
        theme: r.profession,
        words,
        separator: separator.clone(),
        capitalize,
        include_number,
    };
    let mut words = words;
    if let Some(preset) = r.compliance {
        while shape(words).min_chars() < preset.min_length() as usize {
            if words == *WORDS_RANGE.end() {
                return invalid(
                    "words",
                    format!(
                        "compliance={} needs more than {} words with this separator",
                        preset.name(),
                        WORDS_RANGE.end()
                    ),
                );
            }
            words += 1;
        }
    }
    // A preset asks for as much entropy as its own minimum password has, whichever is more.
    let target = match (target, r.compliance) {
        (Some((bits, param)), Some(preset)) if bits >= preset_bits(preset) => Some((bits, param)),
        (_, Some(preset)) => Some((preset_bits(preset), "compliance")),
        (target, None) => target,
    };
    let words = raise(words, *WORDS_RANGE.end(), target, "words", |n| {
        count::log2(&shape(n).count())
    })?;
    Ok(shape(words))
}

/// The exact entropy of a preset's own minimum password (its minimum length, its classes, the
/// default pool of 94 characters): what a passphrase under the preset reaches at least, so that
/// the preset means the same strength in both modes (dod: 15 characters of four classes, 98.0
/// bits). Computed once per preset.
pub fn preset_bits(preset: Preset) -> f64 {
    static BITS: [OnceLock<f64>; Preset::ALL.len()] =
        [const { OnceLock::new() }; Preset::ALL.len()];
    let slot = Preset::ALL.iter().position(|&p| p == preset).unwrap_or(0);
    *BITS[slot].get_or_init(|| {
        let password = GenerateRequest {
            compliance: Some(preset),
            length: Some(preset.min_length()),
            ..GenerateRequest::default()
        };
        super::GenerationPlan::new(&password, 1).map_or(f64::INFINITY, |p| p.entropy_bits())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashSet;

    #[test]
    fn eff_list_is_the_large_list() {
        let words = eff_words();
        assert_eq!(words.len(), 7776);
        assert_eq!(words.iter().collect::<HashSet<_>>().len(), 7776);
        assert_eq!((words[0], words[7775]), ("abacus", "zoom"));
        let hyphenated: Vec<_> = words.iter().filter(|w| w.contains('-')).collect();
        assert_eq!(
            hyphenated,
            [&"drop-down", &"felt-tip", &"t-shirt", &"yo-yo"]
        );
    }

    #[test]
    fn vocabularies_drop_hyphenated_words_only_when_asked_and_merge_themes() {
        assert_eq!(vocabulary(None, false).len(), 7776);
        assert_eq!(vocabulary(None, true).len(), 7772);
        let themed = vocabulary(Some(Profession::Developer), true);
        let theme_new = Profession::Developer
            .words()
            .filter(|w| !eff_words().contains(w))
            .count();
        assert_eq!(themed.len(), 7772 + theme_new);
    }

    /// For a small vocabulary with words that could run together, the number of distinct phrases
    /// produced equals `count()`: the encoding is one-to-one.
    #[test]
    fn phrases_are_distinct_for_every_shape() {
        let vocabulary: &'static [&'static str] = &["drop", "down", "dropdown", "own", "do"];
        let shapes = [
            ("-", false, false),
            ("", true, false),
            (" ", false, true),
            ("", true, true),
        ];
        for (separator, capitalize, include_number) in shapes {
            let phrase = Phrase {
                vocabulary,
                language: Language::En,
                theme: None,
                words: 3,
                separator: separator.to_string(),
                capitalize,
                include_number,
            };
            let expected: usize = phrase.count().try_into().unwrap();
            let mut rng = StdRng::seed_from_u64(5);
            let mut seen = HashSet::new();
            for _ in 0..expected * 40 {
                seen.insert(phrase.sample(&mut rng));
            }
            assert_eq!(seen.len(), expected, "separator {separator:?}");
        }
    }

    /// Each language's list as README states it: letters only, lower case, NFC (Latin letters
    /// precomposed: no combining mark), each word once, sorted; a capital letter can mark every
    /// word's start.
    #[test]
    fn every_language_list_is_normalised_and_counted_once() {
        let sizes = [7776, 7776, 7775, 8192, 8192, 7776, 7776];
        for (language, size) in Language::ALL.into_iter().zip(sizes) {
            let words = language.words();
            assert_eq!(words.len(), size, "{language:?}");
            assert_eq!(Language::parse(language.code()), Some(language));
            if language == Language::En {
                continue;
            }
            assert!(
                words.windows(2).all(|p| p[0] < p[1]),
                "{language:?}: sorted, once"
            );
            for word in words {
                assert!(
                    word.chars().all(|c| c.is_alphabetic() && c.is_lowercase()),
                    "{language:?}: {word}"
                );
                assert!(
                    !word.chars().any(|c| ('\u{300}'..='\u{36F}').contains(&c)),
                    "{language:?}: {word} is not NFC"
                );
                let first = word.chars().next().unwrap();
                assert!(first.to_uppercase().all(|u| u != first && u.is_uppercase()));
            }
        }
        assert_eq!(Language::parse("EN"), None);
        assert_eq!(Language::parse("pt-br"), None);
    }

    /// A phrase in another language: its words from that list, capitalised and numbered as
    /// asked; the count `V^words`; and the word choice uniform (chi-square over the list cut into
    /// 64 slices, z = 5).
    #[test]
    fn phrases_in_other_languages_are_uniform_over_their_list() {
        use crate::generate::stats::{chi_square, chi_square_critical};
        let mut rng = StdRng::seed_from_u64(11);
        for language in Language::ALL.into_iter().skip(1) {
            let request = GenerateRequest {
                mode: Some(Mode::Passphrase),
                language: Some(language),
                words: Some(4),
                separator: Some(" ".into()),
                ..GenerateRequest::default()
            };
            let phrase = phrase_space(&request, None).unwrap();
            let words = language.words();
            assert_eq!(phrase.count(), BigUint::from(words.len()).pow(4));
            let slices = 64;
            let mut observed = vec![0u64; slices];
            let draws = 16_000;
            for _ in 0..draws / 4 {
                for word in phrase.sample(&mut rng).split(' ') {
                    let at = words.binary_search(&word).expect("a word of the list");
                    observed[at * slices / words.len()] += 1;
                }
            }
            let expected: Vec<f64> = (0..slices)
                .map(|k| {
                    let size = (0..words.len())
                        .filter(|i| i * slices / words.len() == k)
                        .count();
                    draws as f64 * size as f64 / words.len() as f64
                })
                .collect();
            let stat = chi_square(&observed, &expected);
            assert!(
                stat < chi_square_critical((slices - 1) as f64, 5.0),
                "{language:?}: chi-square {stat}"
            );
        }
    }

    #[test]
    fn languages_are_refused_where_they_do_not_apply() {
        let refused = |request: GenerateRequest| {
            crate::generate::GenerationPlan::new(&request, 1)
                .expect_err("refused")
                .param
        };
        let german = Some(Language::De);
        let passphrase = GenerateRequest {
            mode: Some(Mode::Passphrase),
            language: german,
            ..GenerateRequest::default()
        };
        assert_eq!(
            refused(GenerateRequest {
                profession: Some(Profession::Developer),
                ..passphrase.clone()
            }),
            "profession"
        );
        assert_eq!(
            refused(GenerateRequest {
                separator: Some(String::new()),
                ..passphrase.clone()
            }),
            "separator"
        );
        for mode in [Mode::Password, Mode::Username] {
            assert_eq!(
                refused(GenerateRequest {
                    mode: Some(mode),
                    language: german,
                    ..GenerateRequest::default()
                }),
                "language"
            );
        }
        // English with a theme is as before.
        let themed = GenerateRequest {
            language: Some(Language::En),
            profession: Some(Profession::Developer),
            ..passphrase
        };
        assert!(crate::generate::GenerationPlan::new(&themed, 1).is_ok());
    }

    #[test]
    fn sample_shape() {
        let phrase = Phrase {
            vocabulary: vocabulary(None, true),
            language: Language::En,
            theme: None,
            words: 6,
            separator: ".".into(),
            capitalize: true,
            include_number: true,
        };
        let mut rng = StdRng::seed_from_u64(9);
        for _ in 0..200 {
            let s = phrase.sample(&mut rng);
            let parts: Vec<&str> = s.split('.').collect();
            assert_eq!(parts.len(), 6);
            assert!(
                parts
                    .iter()
                    .all(|p| p.chars().next().unwrap().is_ascii_uppercase())
            );
            assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 1);
        }
    }
}
