//! Password and passphrase generation: a request is validated into a [`Policy`] (every check happens
//! before any randomness is drawn), whose space of outputs is counted exactly and sampled uniformly.

pub mod charset;
pub mod count;
pub mod passphrase;
pub mod presets;
pub mod profession;
pub mod random;

use charset::{AMBIGUOUS, Charset, Group, LOWERCASE, NUMBERS, SYMBOLS, UPPERCASE};
use count::Counts;
use num_bigint::BigUint;
use passphrase::Phrase;
pub use presets::{Composition, Preset};
pub use profession::Profession;
use rand::Rng;
use std::sync::Arc;

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

/// Password or passphrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Random characters.
    #[default]
    Password,
    /// Random words.
    Passphrase,
}

impl Mode {
    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Password => "password",
            Mode::Passphrase => "passphrase",
        }
    }
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
/// (a password must read as what it is): controls (Cc), format characters (Cf: zero-width,
/// bidirectional, tag characters), private-use (Co) and unassigned (Cn) code points, combining
/// marks (Mn, Me: they attach to the character before), separators (Zs, Zl, Zp), and the blanks
/// that Unicode assigns as symbols or letters: U+2800 (braille blank), U+3164 and U+FFA0 (Hangul
/// fillers), U+115F and U+1160 (Hangul choseong and jungseong fillers).
pub fn is_invisible(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    matches!(
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
    ) || matches!(
        c,
        '\u{2800}' | '\u{3164}' | '\u{FFA0}' | '\u{115F}' | '\u{1160}'
    )
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
pub struct Policy {
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
    Themed(Themed),
    Phrase(Phrase),
}

impl Policy {
    /// Validates `request`; `max_count` is the caller's tier maximum for `count`.
    pub fn new(request: &GenerateRequest, max_count: u32) -> Result<Policy, GenerateError> {
        let count = request.count.unwrap_or(1);
        if count == 0 {
            return invalid("count", "count must be at least 1");
        }
        if count > max_count {
            return invalid(
                "count",
                format!("count {count} is above this tier's maximum of {max_count}"),
            );
        }
        let mode = request.mode.unwrap_or_default();
        let target = target_entropy(request)?;
        let space = match mode {
            Mode::Password => password_space(request, target)?,
            Mode::Passphrase => Space::Phrase(phrase_space(request, target)?),
        };
        Ok(Policy {
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

    /// `log2` of [`Policy::output_count`].
    pub fn entropy_bits(&self) -> f64 {
        count::log2(&self.space.count())
    }

    /// Password length in characters (password mode).
    pub fn length(&self) -> Option<u32> {
        match &self.space {
            Space::Chars(c) => Some(c.length()),
            Space::Themed(t) => Some(t.length),
            Space::Phrase(_) => None,
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
            Space::Themed(t) => u64::from(t.pool_size),
            Space::Phrase(p) => p.vocabulary.len() as u64,
        }
    }

    /// The pool's make-up, e.g. `lower+upper+numbers+symbols`.
    pub fn character_pool(&self) -> String {
        let names = |groups: &[Group]| groups.iter().map(|g| g.name).collect::<Vec<_>>().join("+");
        match &self.space {
            Space::Chars(c) => names(c.groups()),
            Space::Themed(t) => format!("{}+{}_word", names(&t.groups), t.profession.name()),
            Space::Phrase(p) => match p.theme {
                Some(theme) => format!("eff_large_wordlist+{}", theme.name()),
                None => "eff_large_wordlist".to_string(),
            },
        }
    }
}

impl Space {
    fn count(&self) -> BigUint {
        match self {
            Space::Chars(c) => c.count().clone(),
            Space::Themed(t) => t.total.clone(),
            Space::Phrase(p) => p.count(),
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        match self {
            Space::Chars(c) => c.sample(rng),
            Space::Themed(t) => t.sample(rng),
            Space::Phrase(p) => p.sample(rng),
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

fn reject_params(present: &[(&'static str, bool)], mode: Mode) -> Result<(), GenerateError> {
    match present.iter().find(|(_, sent)| *sent) {
        Some((param, _)) => {
            let other = if mode == Mode::Password {
                "passphrase"
            } else {
                "password"
            };
            invalid(param, format!("{param} applies only to mode={other}"))
        }
        None => Ok(()),
    }
}

/// One character class as requested.
struct ClassRequest<'a> {
    name: &'static str,
    toggle: &'static str,
    min_param: &'static str,
    chars: &'a str,
    enabled: Option<bool>,
    min: Option<u32>,
}

fn password_space(
    request: &GenerateRequest,
    target: Option<(f64, &'static str)>,
) -> Result<Space, GenerateError> {
    let r = request;
    reject_params(
        &[
            ("words", r.words.is_some()),
            ("separator", r.separator.is_some()),
            ("capitalize", r.capitalize.is_some()),
            ("include_number", r.include_number.is_some()),
        ],
        Mode::Password,
    )?;
    let mut length = r.length.unwrap_or(DEFAULT_LENGTH);
    if !LENGTH_RANGE.contains(&length) {
        return invalid(
            "length",
            format!(
                "length must be between {} and {}",
                LENGTH_RANGE.start(),
                LENGTH_RANGE.end()
            ),
        );
    }
    let symbol_set = r.symbol_set.as_deref().unwrap_or(SYMBOLS);
    if let Some(bad) = symbol_set
        .chars()
        .find(|&c| c.is_alphanumeric() || is_invisible(c))
    {
        return invalid(
            "symbol_set",
            format!(
                "symbol_set may contain only visible symbols: no letters, digits, spaces, combining marks, control or invisible characters (found U+{:04X})",
                u32::from(bad)
            ),
        );
    }
    let composition = r
        .compliance
        .map_or(Composition::AllFour, Preset::composition);
    let default_min = u32::from(composition != Composition::None);
    let classes = [
        ClassRequest {
            name: "lower",
            toggle: "lowercase",
            min_param: "min_lowercase",
            chars: LOWERCASE,
            enabled: r.lowercase,
            min: r.min_lowercase,
        },
        ClassRequest {
            name: "upper",
            toggle: "uppercase",
            min_param: "min_uppercase",
            chars: UPPERCASE,
            enabled: r.uppercase,
            min: r.min_uppercase,
        },
        ClassRequest {
            name: "numbers",
            toggle: "numbers",
            min_param: "min_numbers",
            chars: NUMBERS,
            enabled: r.numbers,
            min: r.min_numbers,
        },
        ClassRequest {
            name: "symbols",
            toggle: "symbols",
            min_param: "min_symbols",
            chars: symbol_set,
            enabled: r.symbols,
            min: r.min_symbols,
        },
    ];
    let exclude = r.exclude.as_deref().unwrap_or("");
    let avoid = r.avoid_ambiguous.unwrap_or(false);
    let preset_name = r.compliance.map_or("", Preset::name);

    // (group, enabled) per class, in pool order.
    let mut resolved: Vec<(Group, bool)> = Vec::with_capacity(4);
    for class in &classes {
        let enabled = class.enabled.unwrap_or(true);
        if let Some(min) = class.min {
            if min > *LENGTH_RANGE.end() {
                return invalid(
                    class.min_param,
                    format!("{} must be at most {}", class.min_param, LENGTH_RANGE.end()),
                );
            }
            if !enabled && min > 0 {
                return invalid(
                    class.min_param,
                    format!("{} is {min} but {} is false", class.min_param, class.toggle),
                );
            }
        }
        // Classes the preset itself requires (none without a preset).
        let required = r.compliance.is_some()
            && match composition {
                Composition::AllFour => true,
                Composition::LetterAndDigit => class.name == "numbers",
                Composition::None => false,
            };
        if required && !enabled {
            return invalid(
                class.toggle,
                format!("compliance={preset_name} requires {}", class.toggle),
            );
        }
        let mut chars: Vec<char> = Vec::new();
        for c in class.chars.chars() {
            let removed = exclude.contains(c) || (avoid && AMBIGUOUS.contains(c));
            if !removed && !chars.contains(&c) {
                chars.push(c);
            }
        }
        let mut min = if enabled {
            class.min.unwrap_or(default_min)
        } else {
            0
        };
        if required {
            min = min.max(1);
        }
        if enabled && chars.is_empty() && min > 0 {
            let param = if class.name == "symbols" && symbol_set.is_empty() {
                "symbol_set"
            } else {
                "exclude"
            };
            return invalid(
                param,
                format!(
                    "every {} character is excluded but {} needs at least {min}",
                    class.toggle, class.min_param
                ),
            );
        }
        resolved.push((
            Group {
                name: class.name,
                chars,
                min,
            },
            enabled,
        ));
    }
    if composition == Composition::LetterAndDigit {
        let (lower, upper) = (&resolved[0], &resolved[1]);
        let lower_ok = lower.1 && !lower.0.chars.is_empty();
        let upper_ok = upper.1 && !upper.0.chars.is_empty();
        if !lower_ok && !upper_ok {
            return invalid(
                "lowercase",
                format!("compliance={preset_name} requires letters"),
            );
        }
        if lower.0.min == 0 && upper.0.min == 0 {
            // "At least one letter" is one constraint over both cases: count it as one group.
            let (upper, _) = resolved.remove(1);
            let lower = &mut resolved[0].0;
            let mut chars = if lower_ok {
                lower.chars.clone()
            } else {
                Vec::new()
            };
            if upper_ok {
                chars.extend(upper.chars);
            }
            *lower = Group {
                name: "letters",
                chars,
                min: 1,
            };
            resolved[0].1 = true;
        }
    }
    let groups: Vec<Group> = resolved
        .into_iter()
        .filter(|(g, enabled)| *enabled && !g.chars.is_empty())
        .map(|(g, _)| g)
        .collect();
    if groups.is_empty() {
        let all_off = classes.iter().all(|c| c.enabled == Some(false));
        return if all_off {
            invalid(
                "lowercase",
                "at least one of lowercase, uppercase, numbers and symbols must be true",
            )
        } else {
            invalid("exclude", "exclude removes every character from the pool")
        };
    }
    if let Some(preset) = r.compliance {
        length = length.max(preset.min_length());
    }
    let required: u32 = groups.iter().map(|g| g.min).sum();
    if required > length {
        return invalid(
            "length",
            format!(
                "length {length} is shorter than the class minimums, which add up to {required}"
            ),
        );
    }
    let sizes = charset::sizes(&groups);
    if r.profession.is_none() && target.is_none() {
        return Ok(Space::Chars(Charset::shared(groups, length)));
    }
    // Every length this request may need, counted once: up to the longest that a target could
    // ask for (a lower bound on the count gives it), and a themed word's length beyond that.
    let word_room = if r.profession.is_some() {
        profession::MAX_WORD_CHARS
    } else {
        0
    };
    let longest = target.map_or(length, |(goal, _)| {
        length.max(reaching_length(&sizes, goal).saturating_add(word_room))
    });
    let counts = Arc::new(Counts::new(&sizes, longest.min(*LENGTH_RANGE.end())));
    let top = counts.max_length();
    let goal = target.map_or(0.0, |(goal, _)| goal);
    match r.profession {
        None => {
            let length = raise(length, top, target, "characters", |l| {
                counts.log2_total_against(l, goal)
            })?;
            let set = Charset::with_counts(groups, length, &counts);
            Ok(Space::Chars(Arc::new(set)))
        }
        Some(profession) => {
            let pool: Vec<char> = groups
                .iter()
                .flat_map(|g| g.chars.iter().copied())
                .collect();
            let words = WordsByLength::new(
                profession
                    .words()
                    .filter(|w| w.chars().all(|c| pool.contains(&c))),
            );
            if !words.fits(length, required) {
                return invalid(
                    "profession",
                    format!(
                        "no {} word fits in {length} characters with this pool and these minimums",
                        profession.name()
                    ),
                );
            }
            let length = raise(length, top, target, "characters", |l| {
                words.log2_total_against(&counts, l, goal)
            })?;
            Ok(Space::Themed(Themed::new(
                profession, &words, groups, length, &counts,
            )))
        }
    }
}

/// The shortest length whose count surely reaches `goal` bits, from the lower bound
/// `N(l) ≥ Π s_i^{m_i} · pool^{l − Σ m_i}` (the minimums in fixed places, anything elsewhere),
/// plus one character against rounding. The search for the exact shortest stays below it.
fn reaching_length(sizes: &[count::GroupSize], goal: f64) -> u32 {
    let pool: u32 = sizes.iter().map(|g| g.size).sum();
    let required: u32 = sizes.iter().map(|g| g.min).sum();
    let fixed: f64 = sizes
        .iter()
        .map(|g| f64::from(g.min) * f64::from(g.size).log2())
        .sum();
    let per_char = f64::from(pool).log2();
    if per_char <= 0.0 {
        return u32::MAX;
    }
    let rest = ((goal - fixed) / per_char).ceil().max(0.0);
    if rest >= f64::from(u32::MAX) {
        return u32::MAX;
    }
    required.saturating_add(rest as u32).saturating_add(1)
}

fn phrase_space(
    request: &GenerateRequest,
    target: Option<(f64, &'static str)>,
) -> Result<Phrase, GenerateError> {
    let r = request;
    reject_params(
        &[
            ("length", r.length.is_some()),
            ("uppercase", r.uppercase.is_some()),
            ("lowercase", r.lowercase.is_some()),
            ("numbers", r.numbers.is_some()),
            ("symbols", r.symbols.is_some()),
            ("min_uppercase", r.min_uppercase.is_some()),
            ("min_lowercase", r.min_lowercase.is_some()),
            ("min_numbers", r.min_numbers.is_some()),
            ("min_symbols", r.min_symbols.is_some()),
            ("exclude", r.exclude.is_some()),
            ("avoid_ambiguous", r.avoid_ambiguous.is_some()),
            ("symbol_set", r.symbol_set.is_some()),
        ],
        Mode::Passphrase,
    )?;
    let words = r.words.unwrap_or(DEFAULT_WORDS);
    if !WORDS_RANGE.contains(&words) {
        return invalid(
            "words",
            format!(
                "words must be between {} and {}",
                WORDS_RANGE.start(),
                WORDS_RANGE.end()
            ),
        );
    }
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
    let vocabulary = passphrase::vocabulary(r.profession, separator.contains('-'));
    let shape = |words: u32| Phrase {
        vocabulary,
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
    let words = raise(words, *WORDS_RANGE.end(), target, "words", |n| {
        count::log2(&shape(n).count())
    })?;
    Ok(shape(words))
}

/// A profession's words that fit the pool, grouped by length: the count of a themed password
/// depends on a word only through its length, so each length is counted once.
#[derive(Clone, Debug, Default)]
struct WordsByLength(std::collections::BTreeMap<u32, Vec<&'static str>>);

impl WordsByLength {
    fn new(words: impl Iterator<Item = &'static str>) -> WordsByLength {
        let mut by_len = WordsByLength::default();
        for w in words {
            by_len.0.entry(w.len() as u32).or_default().push(w);
        }
        by_len
    }

    /// Whether some word leaves room for `required` characters in `length`.
    fn fits(&self, length: u32, required: u32) -> bool {
        self.0.keys().any(|&l| l + required <= length)
    }

    /// (word length, words) of the words that leave room for the minimums in `length`.
    fn buckets<'a>(
        &'a self,
        counts: &'a Counts,
        length: u32,
    ) -> impl Iterator<Item = (u32, &'a [&'static str])> + 'a {
        self.0
            .range(..=length)
            .filter(move |(l, _)| counts.possible(0, length - **l))
            .map(|(&l, words)| (l, words.as_slice()))
    }

    /// Draws (word, position, rest) of one bucket: words × positions × strings of the rest.
    fn weight(rest_count: &BigUint, words: &[&str], rest: u32) -> BigUint {
        rest_count * (rest + 1) * words.len()
    }

    /// `log2` of every (word, position, rest) draw of `length` characters, deciding exactly when
    /// within [`count::CLOSE_CALL_BITS`] of `goal` (as [`Counts::log2_total_against`]).
    fn log2_total_against(&self, counts: &Counts, length: u32, goal: f64) -> f64 {
        let logs: Vec<f64> = self
            .buckets(counts, length)
            .map(|(l, words)| {
                let rest = length - l;
                counts.log2_suffix(0, rest) + (f64::from(rest + 1) * words.len() as f64).log2()
            })
            .collect();
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let approx = top + logs.iter().map(|x| (x - top).exp2()).sum::<f64>().log2();
        if (approx - goal).abs() >= count::CLOSE_CALL_BITS {
            return approx;
        }
        let exact: BigUint = self
            .buckets(counts, length)
            .map(|(l, words)| WordsByLength::weight(&counts.total(length - l), words, length - l))
            .sum();
        count::log2(&exact)
    }
}

/// Password mode with a profession: one themed word at a uniform position, the rest random.
///
/// Each (word, position, rest) draw is equally likely and `total` counts those draws. Two draws can
/// spell the same string only when the random part itself spells a themed word; that overlap is not
/// subtracted (for 18 characters it is under 0.003 bits).
#[derive(Clone, Debug)]
struct Themed {
    profession: Profession,
    length: u32,
    groups: Vec<Group>,
    pool_size: u32,
    /// (words of one length, sampler for the rest, weight = words × positions × rest count).
    buckets: Vec<(Vec<&'static str>, Charset, BigUint)>,
    total: BigUint,
}

impl Themed {
    fn new(
        profession: Profession,
        words: &WordsByLength,
        groups: Vec<Group>,
        length: u32,
        counts: &Arc<Counts>,
    ) -> Themed {
        let mut buckets = Vec::new();
        let mut total = BigUint::default();
        for (l, words) in words.buckets(counts, length) {
            let rest = Charset::with_counts(groups.clone(), length - l, counts);
            let weight = WordsByLength::weight(rest.count(), words, length - l);
            total += &weight;
            buckets.push((words.to_vec(), rest, weight));
        }
        let pool_size = groups.iter().map(|g| g.chars.len() as u32).sum();
        Themed {
            profession,
            length,
            groups,
            pool_size,
            buckets,
            total,
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        let mut pick = random::below_big(rng, &self.total);
        let mut chosen = &self.buckets[0];
        for bucket in &self.buckets {
            chosen = bucket;
            if pick < bucket.2 {
                break;
            }
            pick -= &bucket.2;
        }
        let (words, rest, _) = chosen;
        let word = words[random::below(rng, words.len() as u32) as usize];
        let random_part: Vec<char> = rest.sample(rng).chars().collect();
        let at = random::below(rng, random_part.len() as u32 + 1) as usize;
        let mut out: String = random_part[..at].iter().collect();
        out.push_str(word);
        out.extend(&random_part[at..]);
        out
    }
}
