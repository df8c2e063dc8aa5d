//! Password and passphrase generation: a request is validated into a [`GenerationPlan`] (every check happens
//! before any randomness is drawn), whose space of outputs is counted exactly and sampled uniformly.

pub mod charset;
pub mod count;
pub mod passphrase;
mod password;
pub mod presets;
pub mod profession;
pub mod random;
pub mod site_rules;
pub mod sites;
mod themed;
pub mod username;

/// Goodness of fit for the samplers' uniformity tests.
#[cfg(test)]
pub(crate) mod stats {
    /// Upper critical value of chi-square with `df` degrees of freedom at z standard deviations
    /// (Wilson–Hilferty); z = 5 puts a false failure near 3e-7.
    pub fn chi_square_critical(df: f64, z: f64) -> f64 {
        let a = 2.0 / (9.0 * df);
        df * (1.0 - a + z * a.sqrt()).powi(3)
    }

    /// Pearson's statistic.
    pub fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
        observed
            .iter()
            .zip(expected)
            .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
            .sum()
    }
}

use charset::{Charset, Group};
use num_bigint::BigUint;
use passphrase::Phrase;
pub use presets::{Composition, Preset};
pub use profession::Profession;
use rand::Rng;
use std::sync::Arc;
use themed::Themed;

/// Shortest and longest password (`length`).
pub const LENGTH_RANGE: std::ops::RangeInclusive<u32> = 4..=256;
/// Default password length.
pub const DEFAULT_LENGTH: u32 = 18;
/// Fewest and most passphrase words (`words`).
pub const WORDS_RANGE: std::ops::RangeInclusive<u32> = 3..=20;
/// Default passphrase words.
pub const DEFAULT_WORDS: u32 = 6;
/// Entropy `quantum` asks for: Grover's search halves the effective bits, so 256 keeps 128.
pub const QUANTUM_BITS: f64 = 256.0;
/// Longest passphrase separator, in characters.
pub const MAX_SEPARATOR_CHARS: usize = 3;

/// Password, passphrase or username.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Random characters.
    #[default]
    Password,
    /// Random words.
    Passphrase,
    /// A random word and digits.
    Username,
}

impl Mode {
    /// Every mode, in the API's order.
    pub const ALL: [Mode; 3] = [Mode::Password, Mode::Passphrase, Mode::Username];
    /// The API names, in order.
    pub const NAMES: [&'static str; 3] = ["password", "passphrase", "username"];

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Password => "password",
            Mode::Passphrase => "passphrase",
            Mode::Username => "username",
        }
    }

    /// The mode called `name`.
    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// `value` of `param` within `range`, or the refusal that names the range.
pub fn within(
    param: &'static str,
    value: u32,
    range: &std::ops::RangeInclusive<u32>,
) -> Result<u32, GenerateError> {
    if range.contains(&value) {
        return Ok(value);
    }
    invalid(
        param,
        format!(
            "{param} must be between {} and {}",
            range.start(),
            range.end()
        ),
    )
}

/// Entropy as responses report it: truncated to two decimals, never rounded up, so that the
/// figure never overstates the strength.
pub fn reported_bits(bits: f64) -> f64 {
    (bits * 100.0).floor() / 100.0
}

/// Response format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON body.
    #[default]
    Json,
    /// `text/csv` (RFC 4180, every field quoted), header `password`: exact for CSV readers.
    Csv,
    /// `text/csv` for spreadsheets: as [`Format::Csv`], but a password that a spreadsheet would
    /// take for a formula (it begins with `=`, `+`, `-` or `@`) is written after an apostrophe.
    CsvSpreadsheet,
}

/// A generate request as the caller sent it: `None` means "not sent".
#[derive(Clone, Debug, Default)]
#[allow(missing_docs)]
pub struct GenerateRequest {
    pub length: Option<u32>,
    pub count: Option<u32>,
    pub uppercase: Option<bool>,
    pub lowercase: Option<bool>,
    pub numbers: Option<bool>,
    pub symbols: Option<bool>,
    pub min_uppercase: Option<u32>,
    pub min_lowercase: Option<u32>,
    pub min_numbers: Option<u32>,
    pub min_symbols: Option<u32>,
    pub exclude: Option<String>,
    pub avoid_ambiguous: Option<bool>,
    pub symbol_set: Option<String>,
    pub min_entropy: Option<f64>,
    pub compliance: Option<Preset>,
    pub quantum: Option<bool>,
    pub mode: Option<Mode>,
    pub words: Option<u32>,
    pub separator: Option<String>,
    pub capitalize: Option<bool>,
    pub include_number: Option<bool>,
    pub profession: Option<Profession>,
    pub format: Option<Format>,
    pub passwordrules: Option<String>,
    pub username_digits: Option<u32>,
    pub site: Option<String>,
    pub language: Option<passphrase::Language>,
}

impl GenerateRequest {
    /// Whether each parameter that shapes a password's characters was sent (refused in the
    /// modes that draw words): `length`, the classes, `exclude`, `avoid_ambiguous`,
    /// `symbol_set`, `passwordrules` and `site`.
    fn character_params(&self) -> Vec<(&'static str, bool)> {
        let mut params = vec![("length", self.length.is_some())];
        params.extend(self.class_params());
        params.extend([
            ("exclude", self.exclude.is_some()),
            ("avoid_ambiguous", self.avoid_ambiguous.is_some()),
            ("symbol_set", self.symbol_set.is_some()),
            ("passwordrules", self.passwordrules.is_some()),
            ("site", self.site.is_some()),
        ]);
        params
    }

    /// Whether each parameter that shapes the character classes was sent: the four toggles and
    /// their minimums (refused where something else chooses the characters).
    fn class_params(&self) -> [(&'static str, bool); 8] {
        [
            ("uppercase", self.uppercase.is_some()),
            ("lowercase", self.lowercase.is_some()),
            ("numbers", self.numbers.is_some()),
            ("symbols", self.symbols.is_some()),
            ("min_uppercase", self.min_uppercase.is_some()),
            ("min_lowercase", self.min_lowercase.is_some()),
            ("min_numbers", self.min_numbers.is_some()),
            ("min_symbols", self.min_symbols.is_some()),
        ]
    }
}

/// A request parameter that cannot be honoured.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct GenerateError {
    /// The parameter at fault.
    pub param: &'static str,
    /// What is wrong with it, for people.
    pub message: String,
}

fn invalid<T>(param: &'static str, message: impl Into<String>) -> Result<T, GenerateError> {
    Err(GenerateError {
        param,
        message: message.into(),
    })
}

/// Characters that do not show as themselves, refused in a caller's `symbol_set` and `separator`
/// (a password must read as what it is), by three rules:
/// - the general categories that draw no glyph of their own: controls (Cc), format characters
///   (Cf: zero-width, bidirectional, tag characters), private-use (Co), surrogate (Cs) and
///   unassigned (Cn) code points, combining marks (Mn, Me: they attach to the character before)
///   and separators (Zs, Zl, Zp);
/// - Unicode's `Default_Ignorable_Code_Point`: what a renderer shows as nothing when it cannot
///   show it (Hangul fillers, variation selectors, the Khmer inherent vowels, …), whatever its
///   category;
/// - the symbols whose assigned glyph is blank: U+2800 BRAILLE PATTERN BLANK and U+1D159 MUSICAL
///   SYMBOL NULL NOTEHEAD (category So, not default-ignorable). A test walks every code point and
///   checks these rules against an independent copy of the Unicode data and the character names
///   (every `… FILLER`, `… PATTERN BLANK`, `NULL NOTEHEAD`).
pub fn is_invisible(c: char) -> bool {
    use icu_properties::{CodePointSetData, props::DefaultIgnorableCodePoint};
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::PrivateUse
                | G::Unassigned
                | G::Surrogate
                | G::NonspacingMark
                | G::EnclosingMark
                | G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
        )
        || matches!(c, '\u{2800}' | '\u{1D159}')
}

/// Strength label from entropy bits.
pub fn strength(bits: f64) -> &'static str {
    match bits {
        b if b < 28.0 => "very_weak",
        b if b < 36.0 => "weak",
        b if b < 60.0 => "fair",
        b if b < 128.0 => "strong",
        _ => "very_strong",
    }
}

/// A validated request: what to generate, how many, and the exact size of its output space.
#[derive(Clone, Debug)]
pub struct GenerationPlan {
    /// Password or passphrase.
    pub mode: Mode,
    /// Outputs to return.
    pub count: u32,
    /// Response format.
    pub format: Format,
    /// Preset applied, if any.
    pub compliance: Option<Preset>,
    /// Whether the post-quantum margin was requested.
    pub quantum: bool,
    space: Space,
}

#[derive(Clone, Debug)]
enum Space {
    Chars(Arc<Charset>),
    Rules(Arc<site_rules::SiteSpace>),
    Themed(Themed),
    Phrase(Phrase),
    Username(username::Username),
}

/// `count` (1 when absent) if it is at least 1 and at most the caller's `max_count`.
pub fn check_count(count: Option<u32>, max_count: u32) -> Result<u32, GenerateError> {
    let count = count.unwrap_or(1);
    if count == 0 {
        return invalid("count", "count must be at least 1");
    }
    if count > max_count {
        return invalid(
            "count",
            format!("count {count} is above this plan's maximum of {max_count}"),
        );
    }
    Ok(count)
}

impl GenerationPlan {
    /// Validates `request`; `max_count` is the caller's plan maximum for `count`.
    pub fn new(request: &GenerateRequest, max_count: u32) -> Result<GenerationPlan, GenerateError> {
        let count = check_count(request.count, max_count)?;
        let mode = request.mode.unwrap_or_default();
        let target = target_entropy(request)?;
        let space = match mode {
            Mode::Password => password::space(request, target)?,
            Mode::Passphrase => Space::Phrase(passphrase::phrase_space(request, target)?),
            Mode::Username => Space::Username(username::username_space(request)?),
        };
        Ok(GenerationPlan {
            mode,
            count,
            format: request.format.unwrap_or_default(),
            compliance: request.compliance,
            quantum: request.quantum.unwrap_or(false),
            space,
        })
    }

    /// Draws `count` outputs, each uniform over the policy's output space.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<String> {
        (0..self.count).map(|_| self.space.sample(rng)).collect()
    }

    /// Exact number of distinct outputs.
    pub fn output_count(&self) -> BigUint {
        self.space.count()
    }

    /// `log2` of [`GenerationPlan::output_count`].
    pub fn entropy_bits(&self) -> f64 {
        count::log2(&self.space.count())
    }

    /// Password length in characters (password mode).
    pub fn length(&self) -> Option<u32> {
        match &self.space {
            Space::Chars(c) => Some(c.length()),
            Space::Rules(s) => Some(s.length() as u32),
            Space::Themed(t) => Some(t.length),
            Space::Phrase(_) | Space::Username(_) => None,
        }
    }

    /// Passphrase words (passphrase mode).
    pub fn words(&self) -> Option<u32> {
        match &self.space {
            Space::Phrase(p) => Some(p.words),
            _ => None,
        }
    }

    /// Distinct symbols drawn from: characters in the pool, or words in the vocabulary.
    pub fn charset_size(&self) -> u64 {
        match &self.space {
            Space::Chars(c) => u64::from(c.pool_size()),
            Space::Rules(s) => s.size() as u64,
            Space::Themed(t) => u64::from(t.pool_size),
            Space::Phrase(p) => p.vocabulary.len() as u64,
            Space::Username(u) => u.vocabulary.len() as u64,
        }
    }

    /// The site's `passwordrules` the passwords follow, as sent.
    pub fn passwordrules(&self) -> Option<&str> {
        match &self.space {
            Space::Rules(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The known site whose rules the passwords follow, when the request named one.
    pub fn site(&self) -> Option<&'static str> {
        match &self.space {
            Space::Rules(s) => s.site,
            _ => None,
        }
    }

    /// The pool's make-up, e.g. `lower+upper+numbers+symbols` (`passwordrules` for a site's).
    pub fn character_pool(&self) -> String {
        let names = |groups: &[Group]| groups.iter().map(|g| g.name).collect::<Vec<_>>().join("+");
        match &self.space {
            Space::Chars(c) => names(c.groups()),
            Space::Rules(_) => "passwordrules".to_string(),
            Space::Themed(t) => format!("{}+{}_word", names(&t.groups), t.profession.name()),
            Space::Phrase(p) => match p.theme {
                Some(theme) => format!("eff_large_wordlist+{}", theme.name()),
                None => p.language.pool(),
            },
            Space::Username(u) if u.digits > 0 => "eff_large_wordlist+numbers".to_string(),
            Space::Username(_) => "eff_large_wordlist".to_string(),
        }
    }
}

impl Space {
    fn count(&self) -> BigUint {
        match self {
            Space::Chars(c) => c.count().clone(),
            Space::Rules(s) => s.count(),
            Space::Themed(t) => t.total.clone(),
            Space::Phrase(p) => p.count(),
            Space::Username(u) => u.count(),
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        match self {
            Space::Chars(c) => c.sample(rng),
            Space::Rules(s) => s.sample(rng),
            Space::Themed(t) => t.sample(rng),
            Space::Phrase(p) => p.sample(rng),
            Space::Username(u) => u.sample(rng),
        }
    }
}

/// `min_entropy`, raised to [`QUANTUM_BITS`] by `quantum`; with the parameter to blame if unreachable.
fn target_entropy(request: &GenerateRequest) -> Result<Option<(f64, &'static str)>, GenerateError> {
    let mut target = None;
    if let Some(bits) = request.min_entropy {
        if !bits.is_finite() || bits < 0.0 {
            return invalid(
                "min_entropy",
                "min_entropy must be a non-negative number of bits",
            );
        }
        target = Some((bits, "min_entropy"));
    }
    if request.quantum == Some(true) && target.is_none_or(|(bits, _)| bits < QUANTUM_BITS) {
        target = Some((QUANTUM_BITS, "quantum"));
    }
    Ok(target)
}

/// The smallest `n` in `from..=to` whose `bits(n)` reaches the target (`bits` is non-decreasing).
fn raise(
    from: u32,
    to: u32,
    target: Option<(f64, &'static str)>,
    what: &str,
    bits: impl Fn(u32) -> f64,
) -> Result<u32, GenerateError> {
    let Some((goal, param)) = target else {
        return Ok(from);
    };
    if bits(from) >= goal {
        return Ok(from);
    }
    if bits(to) < goal {
        return invalid(
            param,
            format!("{goal} bits of entropy cannot be reached within {to} {what} for this request"),
        );
    }
    let (mut lo, mut hi) = (from, to); // bits(lo) < goal <= bits(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if bits(mid) >= goal {
            hi = mid
        } else {
            lo = mid
        }
    }
    Ok(hi)
}

/// Refuses the first of the `present` parameters that was sent: it does not apply to `mode`.
fn reject_params(present: &[(&'static str, bool)], mode: Mode) -> Result<(), GenerateError> {
    match present.iter().find(|(_, sent)| *sent) {
        Some((param, _)) => invalid(
            param,
            format!("{param} does not apply to mode={}", mode.name()),
        ),
        None => Ok(()),
    }
}

/// Request validation at the domain level: each refusal names its parameter, and accepted requests
/// get the space they ask for (the HTTP suites check the same through events).
#[cfg(test)]
mod tests {
    use super::*;

    fn policy(request: GenerateRequest) -> Result<GenerationPlan, GenerateError> {
        GenerationPlan::new(&request, 10)
    }

    fn refused(request: GenerateRequest) -> &'static str {
        policy(request).expect_err("refused").param
    }

    #[test]
    fn password_requests_are_refused_naming_the_parameter() {
        let r = GenerateRequest::default;
        for (request, param) in [
            (
                GenerateRequest {
                    length: Some(3),
                    ..r()
                },
                "length",
            ),
            (
                GenerateRequest {
                    length: Some(257),
                    ..r()
                },
                "length",
            ),
            (
                GenerateRequest {
                    count: Some(0),
                    ..r()
                },
                "count",
            ),
            (
                GenerateRequest {
                    count: Some(11),
                    ..r()
                },
                "count",
            ),
            (
                GenerateRequest {
                    symbol_set: Some("!a".into()),
                    ..r()
                },
                "symbol_set",
            ),
            (
                GenerateRequest {
                    symbol_set: Some("!\u{2800}".into()),
                    ..r()
                },
                "symbol_set",
            ),
            (
                GenerateRequest {
                    min_lowercase: Some(257),
                    ..r()
                },
                "min_lowercase",
            ),
            (
                GenerateRequest {
                    lowercase: Some(false),
                    min_lowercase: Some(2),
                    ..r()
                },
                "min_lowercase",
            ),
            (
                GenerateRequest {
                    compliance: Some(Preset::Pci),
                    numbers: Some(false),
                    ..r()
                },
                "numbers",
            ),
            (
                GenerateRequest {
                    lowercase: Some(false),
                    uppercase: Some(false),
                    numbers: Some(false),
                    symbols: Some(false),
                    ..r()
                },
                "lowercase",
            ),
            (
                GenerateRequest {
                    exclude: Some(charset::NUMBERS.into()),
                    ..r()
                },
                "exclude",
            ),
            (
                GenerateRequest {
                    length: Some(8),
                    min_symbols: Some(8),
                    ..r()
                },
                "length",
            ),
            (
                GenerateRequest {
                    length: Some(4),
                    profession: Some(Profession::Developer),
                    ..r()
                },
                "profession",
            ),
            (
                GenerateRequest {
                    words: Some(5),
                    ..r()
                },
                "words",
            ),
            (
                GenerateRequest {
                    min_entropy: Some(5000.0),
                    ..r()
                },
                "min_entropy",
            ),
        ] {
            assert_eq!(refused(request.clone()), param, "{request:?}");
        }
    }

    #[test]
    fn passphrase_requests_are_refused_naming_the_parameter() {
        let r = || GenerateRequest {
            mode: Some(Mode::Passphrase),
            ..GenerateRequest::default()
        };
        for (request, param) in [
            (
                GenerateRequest {
                    words: Some(2),
                    ..r()
                },
                "words",
            ),
            (
                GenerateRequest {
                    words: Some(21),
                    ..r()
                },
                "words",
            ),
            (
                GenerateRequest {
                    separator: Some("a".into()),
                    ..r()
                },
                "separator",
            ),
            (
                GenerateRequest {
                    separator: Some("----".into()),
                    ..r()
                },
                "separator",
            ),
            (
                GenerateRequest {
                    separator: Some("\u{00A0}".into()),
                    ..r()
                },
                "separator",
            ),
            (
                GenerateRequest {
                    separator: Some(String::new()),
                    ..r()
                },
                "separator",
            ),
            (
                GenerateRequest {
                    length: Some(20),
                    ..r()
                },
                "length",
            ),
        ] {
            assert_eq!(refused(request.clone()), param, "{request:?}");
        }
    }

    #[test]
    fn accepted_requests_get_the_space_they_ask_for() {
        let default = policy(GenerateRequest::default()).unwrap();
        assert_eq!((default.length(), default.charset_size()), (Some(18), 94));
        assert_eq!(default.character_pool(), "lower+upper+numbers+symbols");

        let pci = policy(GenerateRequest {
            compliance: Some(Preset::Pci),
            length: Some(4),
            ..GenerateRequest::default()
        })
        .unwrap();
        assert_eq!(pci.length(), Some(Preset::Pci.min_length()));

        // min_entropy raises the length to the shortest that reaches it.
        let goal = 200.0;
        let raised = policy(GenerateRequest {
            min_entropy: Some(goal),
            ..GenerateRequest::default()
        })
        .unwrap();
        let length = raised.length().unwrap();
        assert!(raised.entropy_bits() >= goal);
        let shorter = policy(GenerateRequest {
            length: Some(length - 1),
            ..GenerateRequest::default()
        })
        .unwrap();
        assert!(shorter.entropy_bits() < goal);

        let phrase = policy(GenerateRequest {
            mode: Some(Mode::Passphrase),
            separator: Some(" ".into()),
            ..GenerateRequest::default()
        })
        .unwrap();
        assert_eq!(phrase.words(), Some(DEFAULT_WORDS));
        assert_eq!(phrase.charset_size(), 7776);
    }
}
