//! Generation from a site's `passwordrules`: uniform over every string of the chosen length that the
//! rules allow, `max-repeating`, `max-sequential` and `max-consecutive` (both) included, with the
//! exact count. Under a limit on sequences the counts and one of the two proposals are
//! [`sequences`]'; the rest of this outline is the repeat limit's.
//!
//! The allowed characters are split into atoms, the characters that belong to the same required
//! sets ([`alphabet`]). A string is a sequence of blocks (maximal runs of one character, each 1 to
//! `max-consecutive` long), each block's character unlike the one before. The count of every length
//! is inclusion–exclusion over the required sets a string misses, each term a count under the run
//! limit alone ([`counts`]), in fixed-width exact integers ([`limbs`]). A password is drawn
//! forward, block by block, each choice weighted by the exact number of strings that can follow it
//! ([`sampler`]); the weights are read as floats, and a draw within [`CLOSE_CALL`] of a boundary is
//! settled with the exact integers, so every choice is exact while the integers are almost never
//! touched. Two ways to meet the sets:
//! - propose and reject: draw a string that keeps the run limit and keep it if it meets every
//!   set, while at least [`MIN_ACCEPTANCE`] of them do (long strings);
//! - walk: [`table`] counts the ways to finish by the characters left, the sets met so far and
//!   the atom of the last block (which character it was does not change the count: atoms are
//!   symmetric), and the walk chooses each block's atom, length and character from it.
//!
//! Cost: `2^sets` run-limit counts of `length` steps each; a proposal is a draw or two per
//! character; the walk's table is `length × 3^sets` fixed-width steps at most, and it is only
//! built where few strings meet the sets, which bounds the length it needs.
//!
//! This file reads a request into a [`SiteSpace`]: the rules, the alphabet they leave, the length.

pub mod alphabet;
mod choice;
mod counts;
mod limbs;
mod sampler;
mod sequences;
mod table;
#[cfg(test)]
mod tests;

pub use alphabet::{Alphabet, AlphabetError, MAX_ALPHABET};
pub use sampler::SiteSpace;
pub use sequences::{MAX_SEQUENCE_LENGTH, longest_runs};

use super::charset::AMBIGUOUS;
use super::{DEFAULT_LENGTH, GenerateError, GenerateRequest, LENGTH_RANGE, invalid, raise};
use password_rules_parser::PasswordRules;
use std::ops::RangeInclusive;
use std::sync::Arc;

/// Most distinct required sets counted (2^sets states per length). Sites name up to five
/// (ubisoft.com: lower, upper, digit, `-` and some symbols; the others at most four).
pub const MAX_REQUIRED_SETS: usize = 5;
/// Longest `passwordrules` text read.
pub const MAX_RULES_CHARS: usize = 1024;
/// A draw within this distance of a boundary between choices is settled with exact integers (the
/// float boundaries are within ~1e-10 of the exact ones).
pub const CLOSE_CALL: f64 = 1.0 / (1u64 << 24) as f64;
/// Proposing strings that keep only the run limit and rejecting those that miss a set is chosen
/// while at least this share of them meets every set: a proposal costs ~16 ns a character, a
/// step of the walk through unmet sets ~55 ns (release, `make bench`), so the two meet near 1/4.
pub const MIN_ACCEPTANCE: f64 = 0.25;

/// `passwordrules` that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("passwordrules is not valid: {0}")]
pub struct RulesError(pub String);

/// A site's rules: what 1Password's parser reads, and the two limits it does not read yet
/// (password-manager-resources split `max-consecutive` into them).
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// As the parser reads them (`max-repeating` and `max-sequential` taken out).
    pub parsed: PasswordRules,
    /// `max-repeating: N`: at most N identical characters back to back (the lowest if repeated).
    pub max_repeating: Option<u32>,
    /// `max-sequential: N`: at most N characters stepping by +1 or by −1 through `a-z`, `A-Z`
    /// or `0-9` back to back.
    pub max_sequential: Option<u32>,
}

impl std::ops::Deref for Rules {
    type Target = PasswordRules;
    fn deref(&self) -> &PasswordRules {
        &self.parsed
    }
}

impl Rules {
    /// Most identical characters back to back: `max-repeating` or `max-consecutive`, the lower.
    pub fn repeat_limit(&self) -> Option<u32> {
        lower(self.max_repeating, self.parsed.max_consecutive)
    }

    /// Most characters of a sequence back to back: `max-sequential` or `max-consecutive`.
    pub fn sequence_limit(&self) -> Option<u32> {
        lower(self.max_sequential, self.parsed.max_consecutive)
    }
}

fn lower(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The two properties read beside the parser.
const OWN_PROPERTIES: [&str; 2] = ["max-repeating", "max-sequential"];

/// Reads `passwordrules` with 1Password's parser (ASCII printable allowed when the rules name no
/// characters, as the format says), at most [`MAX_RULES_CHARS`] characters. `max-repeating` and
/// `max-sequential` are read here and each is blanked out (to a `minlength:` without a number,
/// which sets nothing, and spaces: the parser's positions stay those of the text) before the
/// parser reads the rest; `max-consecutive` means both.
pub fn parse(text: &str) -> Result<Rules, RulesError> {
    if text.chars().count() > MAX_RULES_CHARS {
        return Err(RulesError(format!(
            "it is longer than {MAX_RULES_CHARS} characters"
        )));
    }
    let text = text.trim();
    let mut limits = [None::<u32>; 2];
    let mut blanks = Vec::new();
    for (start, end) in rule_spans(text) {
        let rule = &text[start..end];
        let lead = rule.len() - rule.trim_start().len();
        let body = rule.trim_start();
        let Some(which) = OWN_PROPERTIES.iter().position(|name| {
            body.len() >= name.len()
                && body.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        }) else {
            continue;
        };
        let after = &body[OWN_PROPERTIES[which].len()..];
        let at = |offset: usize| place(text, start + lead + OWN_PROPERTIES[which].len() + offset);
        let value = after.trim_start();
        let Some(value) = value.strip_prefix(':') else {
            // `max-repeatingly: 2` is no property of either.
            if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            return Err(RulesError(format!(
                "at {} expected \":\"",
                at(after.len() - after.trim_start().len())
            )));
        };
        let number = value.trim();
        if !number.is_empty() {
            let offset = after.len() - value.trim_start().len();
            let n: u32 = match number.parse() {
                Ok(n) if number.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => {
                    return Err(RulesError(format!(
                        "at {} expected a number from 0 to {} or the end of the rule",
                        at(offset),
                        u32::MAX
                    )));
                }
            };
            limits[which] = lower(limits[which], Some(n));
        }
        // Blanked to a rule that sets nothing, character for character, newlines kept.
        let lead_chars = rule[..lead].chars().count();
        let blank: String = rule
            .chars()
            .enumerate()
            .map(|(i, c)| match (i.checked_sub(lead_chars), c) {
                (_, '\n') => '\n',
                (Some(j), _) if j < "minlength:".len() => "minlength:".as_bytes()[j] as char,
                _ => ' ',
            })
            .collect();
        blanks.push((start..end, blank));
    }
    // From the last rule back, so that a blank of fewer bytes moves no rule still to blank.
    let mut rest = text.to_owned();
    for (range, blank) in blanks.into_iter().rev() {
        rest.replace_range(range, &blank);
    }
    let parsed = password_rules_parser::parse_password_rules(&rest, true)
        .map_err(|e| RulesError(explain(&e)))?;
    Ok(Rules {
        parsed,
        max_repeating: limits[0],
        max_sequential: limits[1],
    })
}

/// The byte ranges of the rules in `text`: between semicolons outside custom classes
/// (`[...]`, where `]]` is a `]` and the class's end).
fn rule_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let (mut start, mut in_class) = (0, false);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], in_class) {
            (b'[', false) => in_class = true,
            (b']', true) => {
                in_class = false;
                if bytes.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            (b';', false) => {
                spans.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    spans.push((start, bytes.len()));
    spans
}

/// "character 12" or "line 2, character 3" for a byte offset, as the parser says where.
fn place(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    match line {
        1 => format!("character {column}"),
        line => format!("line {line}, character {column}"),
    }
}

/// Where the parser stopped and what it expected there, in one line a person can act on (the
/// rules text itself is not repeated: it is the caller's).
fn explain(e: &password_rules_parser::error::PasswordRulesError) -> String {
    use password_rules_parser::error::Expected;
    let Some(furthest) = e.expectations.iter().max_by_key(|x| x.index) else {
        return "it could not be read".to_owned();
    };
    let mut expected: Vec<String> = Vec::new();
    for x in e.expectations.iter().filter(|x| x.index == furthest.index) {
        let what = match x.expected {
            Expected::Eof => "the end".to_owned(),
            other => other.to_string(),
        };
        if !expected.contains(&what) {
            // The two properties read beside the parser are expected wherever it expects one.
            let property = what == "\"max-consecutive\"";
            expected.push(what);
            if property {
                expected.extend(OWN_PROPERTIES.iter().map(|p| format!("\"{p}\"")));
            }
        }
    }
    let place = match furthest.line {
        1 => format!("character {}", furthest.column),
        line => format!("line {line}, character {}", furthest.column),
    };
    let list = match expected.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("one of {} or {last}", rest.join(", ")),
        _ => expected.concat(),
    };
    format!("at {place} expected {list}")
}

/// The password space of a request with `passwordrules`: the rules' characters less `exclude` and
/// (with `avoid_ambiguous`) the look-alikes, at the requested length (default 18, within the
/// rules' `minlength`/`maxlength` and 4–256), raised to reach `target` bits if one is asked;
/// `site` is the known site the rules were looked up for, if any.
pub(super) fn space(
    r: &GenerateRequest,
    text: &str,
    site: Option<&'static str>,
    target: Option<(f64, &'static str)>,
) -> Result<Arc<SiteSpace>, GenerateError> {
    refuse_character_choosers(r)?;
    let rules = parse(text).map_err(|e| GenerateError {
        param: "passwordrules",
        message: e.to_string(),
    })?;
    let alphabet = alphabet_of(r, &rules)?;
    let mut lengths = lengths_allowed(&rules)?;
    let run = match rules.repeat_limit() {
        Some(0) => return invalid("passwordrules", "max-repeating: 0 allows no password"),
        Some(k) => k as usize,
        None => *lengths.end(),
    };
    let sequence = match rules.sequence_limit() {
        Some(0) => return invalid("passwordrules", "max-sequential: 0 allows no password"),
        Some(k) if (k as usize) < *lengths.end() => {
            lengths = sequence_lengths(r, lengths)?;
            Some(k as usize)
        }
        _ => None,
    };
    let length = requested_length(r, &lengths)?;
    // Counting every length up to the longest allowed serves a min_entropy search in one table.
    let counted = if target.is_some() {
        *lengths.end()
    } else {
        length
    };
    let mut space = SiteSpace::new(&alphabet, counted, run, sequence);
    let length = raise(length as u32, counted as u32, target, "characters", |l| {
        space.log2_count_at(l as usize)
    })? as usize;
    if space.log2_count_at(length) < 0.0 {
        let param = if r.length.is_some() {
            "length"
        } else {
            "passwordrules"
        };
        return invalid(
            param,
            format!("no password of {length} characters meets these passwordrules"),
        );
    }
    space = space.with_length(length);
    space.text = text.to_owned();
    space.site = site;
    Ok(Arc::new(space))
}

/// Refuses the parameters that choose characters: the rules do that.
fn refuse_character_choosers(r: &GenerateRequest) -> Result<(), GenerateError> {
    let choosers = [
        &r.class_params()[..],
        &[
            ("symbol_set", r.symbol_set.is_some()),
            ("compliance", r.compliance.is_some()),
            ("profession", r.profession.is_some()),
        ],
    ]
    .concat();
    match choosers.iter().find(|(_, sent)| *sent) {
        Some((param, _)) => invalid(
            param,
            format!(
                "{param} cannot be combined with passwordrules: the rules say which characters to use"
            ),
        ),
        None => Ok(()),
    }
}

/// The rules' characters less `exclude` and (with `avoid_ambiguous`) the look-alikes; each
/// refusal names the parameter that caused it.
fn alphabet_of(r: &GenerateRequest, rules: &PasswordRules) -> Result<Alphabet, GenerateError> {
    let exclude = r.exclude.as_deref().unwrap_or("");
    let avoid = r.avoid_ambiguous.unwrap_or(false);
    let keep = |c: char| !(exclude.contains(c) || avoid && AMBIGUOUS.contains(c));
    // What removed the characters, when they run out.
    let remover = if r.exclude.is_some() {
        "exclude"
    } else {
        "avoid_ambiguous"
    };
    Alphabet::of(rules, keep).or_else(|e| match e {
        AlphabetError::TooManySets(n) => invalid(
            "passwordrules",
            format!(
                "passwordrules names {n} required sets; at most {MAX_REQUIRED_SETS} are supported"
            ),
        ),
        AlphabetError::Empty => invalid(
            remover,
            format!("{remover} removes every character passwordrules allows"),
        ),
        AlphabetError::EmptySet(i) => invalid(
            remover,
            format!("{remover} removes every character of passwordrules' required set {i}"),
        ),
        AlphabetError::TooLarge(n) => invalid(
            "passwordrules",
            format!("passwordrules allow {n} characters; at most {MAX_ALPHABET} are supported"),
        ),
    })
}

/// The lengths the rules allow within [`LENGTH_RANGE`].
fn lengths_allowed(rules: &PasswordRules) -> Result<RangeInclusive<usize>, GenerateError> {
    let shortest = rules
        .min_length
        .map_or(0, |l| l as usize)
        .max(*LENGTH_RANGE.start() as usize);
    let longest = rules
        .max_length
        .map_or(usize::MAX, |l| l as usize)
        .min(*LENGTH_RANGE.end() as usize);
    if shortest > longest {
        return invalid(
            "passwordrules",
            format!(
                "passwordrules allow no length from {} to {} characters",
                LENGTH_RANGE.start(),
                LENGTH_RANGE.end()
            ),
        );
    }
    Ok(shortest..=longest)
}

/// The lengths allowed under a limit on sequences: at most [`MAX_SEQUENCE_LENGTH`].
fn sequence_lengths(
    r: &GenerateRequest,
    lengths: RangeInclusive<usize>,
) -> Result<RangeInclusive<usize>, GenerateError> {
    let why = "(counting sequences exactly costs the square of the length)";
    if r.length.is_some_and(|l| l as usize > MAX_SEQUENCE_LENGTH) {
        return invalid(
            "length",
            format!(
                "length must be at most {MAX_SEQUENCE_LENGTH} with max-sequential or max-consecutive {why}"
            ),
        );
    }
    if *lengths.start() > MAX_SEQUENCE_LENGTH {
        return invalid(
            "passwordrules",
            format!(
                "passwordrules' minlength is above {MAX_SEQUENCE_LENGTH}, the longest password generated with max-sequential or max-consecutive {why}"
            ),
        );
    }
    Ok(*lengths.start()..=(*lengths.end()).min(MAX_SEQUENCE_LENGTH))
}

/// `length` within what the rules allow; without one, the default length clamped to it.
fn requested_length(
    r: &GenerateRequest,
    lengths: &RangeInclusive<usize>,
) -> Result<usize, GenerateError> {
    let (shortest, longest) = (*lengths.start(), *lengths.end());
    match r.length {
        Some(length) if !lengths.contains(&(length as usize)) => invalid(
            "length",
            format!("length must be between {shortest} and {longest} for these passwordrules"),
        ),
        Some(length) => Ok(length as usize),
        None => Ok((DEFAULT_LENGTH as usize).clamp(shortest, longest)),
    }
}
