//! Policy verdicts: does a password meet a compliance preset, or a site's `passwordrules`? Each
//! rule has a stable name; a verdict lists the rules broken and those that could not be checked.
//!
//! `nist` is NIST SP 800-63B-4 §3.1.1.2 for a verifier: at least 15 characters (8 when the password
//! is not the only factor), no maximum below 64, no composition rules, and a blocklist —
//! breached passwords (the breach check), dictionary words and common passwords (a zxcvbn
//! dictionary match over the whole password, l33t, capitalised and reversed forms included),
//! repetitive or sequential strings, and context words (`user_inputs`). The other presets are
//! their row of the presets table: a minimum length and required classes.

use super::Strength;
use super::breach::BreachCheck;
use super::estimate::period;
use crate::generate::site_rules::Rules;
use crate::generate::{Composition, Preset};
use password_rules_parser::CharacterClass;

/// NIST's minimum for a password that is the only factor.
pub const NIST_SINGLE_FACTOR_MIN: usize = 15;
/// NIST's minimum for a password used with another factor (`mfa`).
pub const NIST_MFA_MIN: usize = 8;
/// Shortest user input checked as a context word (shorter ones match by chance).
pub const MIN_CONTEXT_WORD: usize = 3;

/// Every rule a verdict may name, with what it checks: the one list README's table is held to.
pub const RULES: &[(&str, &str)] = &[
    (
        "min_length",
        "at least the policy's minimum number of characters",
    ),
    (
        "max_length",
        "passwordrules: at most `maxlength` characters",
    ),
    ("breached", "nist: not in a known breach (HaveIBeenPwned)"),
    (
        "dictionary_word",
        "nist: not one dictionary word or common password (l33t, capitalised or reversed included)",
    ),
    ("repetitive", "nist: not one string repeated (aaaa, abcabc)"),
    ("sequential", "nist: not one sequence (abcd, 2468, zyxw)"),
    (
        "context_word",
        "nist: none of `user_inputs` (3 characters or more) in it",
    ),
    ("requires_upper", "an upper-case letter"),
    ("requires_lower", "a lower-case letter"),
    ("requires_letter", "a letter"),
    ("requires_digit", "a digit"),
    ("requires_symbol", "a symbol (not a letter or digit)"),
    (
        "required",
        "passwordrules: a character of each `required` set",
    ),
    (
        "allowed",
        "passwordrules: only characters of the `allowed` and `required` sets",
    ),
    (
        "max_repeating",
        "passwordrules: no run of more identical characters than `max-repeating` (or `max-consecutive`)",
    ),
    (
        "max_sequential",
        "passwordrules: no run of more characters stepping by +1 or −1 through a-z, A-Z or 0-9 than `max-sequential` (or `max-consecutive`)",
    ),
];

/// The policy a password is judged against.
#[derive(Clone, Debug, PartialEq)]
pub enum PasswordPolicy {
    /// A compliance preset.
    Preset {
        /// Which.
        preset: Preset,
        /// The password is one of two factors (NIST's 8-character floor).
        mfa: bool,
    },
    /// A site's rules in Apple's `passwordrules` format.
    Rules {
        /// As the site wrote them.
        text: String,
        /// As the parser reads them.
        rules: Rules,
        /// The known site they were looked up for (`{"site": …}`), if any.
        site: Option<&'static str>,
    },
}

pub use crate::generate::site_rules::RulesError;

impl PasswordPolicy {
    /// Parses `passwordrules` with 1Password's parser (ASCII printable allowed when the rules name
    /// no characters, as the format says).
    pub fn rules(text: &str) -> Result<PasswordPolicy, RulesError> {
        PasswordPolicy::rules_of(text, None)
    }

    /// The rules the list of known sites records for `site` (a domain), named after it.
    pub fn site(site: &str) -> Result<PasswordPolicy, String> {
        let known = crate::generate::sites::lookup(site).map_err(|e| e.to_string())?;
        PasswordPolicy::rules_of(known.rules, Some(known.domain)).map_err(|e| e.to_string())
    }

    fn rules_of(text: &str, site: Option<&'static str>) -> Result<PasswordPolicy, RulesError> {
        Ok(PasswordPolicy::Rules {
            text: text.to_owned(),
            rules: crate::generate::site_rules::parse(text)?,
            site,
        })
    }

    fn name(&self) -> String {
        match self {
            PasswordPolicy::Preset { preset, .. } => preset.name().to_owned(),
            PasswordPolicy::Rules { .. } => "passwordrules".to_owned(),
        }
    }

    fn source(&self) -> String {
        match self {
            PasswordPolicy::Preset {
                preset: Preset::Nist,
                mfa: true,
            } => "NIST SP 800-63B-4 §3.1.1.2 (a password used with another factor): at least 8 \
                  characters, no composition rules, not on a blocklist of breached, dictionary, \
                  repetitive, sequential and context-specific passwords"
                .to_owned(),
            PasswordPolicy::Preset {
                preset: Preset::Nist,
                mfa: false,
            } => "NIST SP 800-63B-4 §3.1.1.2 (single-factor passwords): at least 15 characters, \
                  no composition rules, not on a blocklist of breached, dictionary, repetitive, \
                  sequential and context-specific passwords"
                .to_owned(),
            PasswordPolicy::Preset { preset, .. } => preset.clause().to_owned(),
            PasswordPolicy::Rules { text, site, .. } => {
                crate::generate::sites::describe_rules(*site, text)
            }
        }
    }
}

/// A rule the password breaks, or that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's stable name (one of [`RULES`]).
    pub rule: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

/// A password's verdict against a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The policy's name (`nist`, ..., `passwordrules`).
    pub name: String,
    /// `Some(true)` when no rule is broken and all were checked; `Some(false)` when one is broken;
    /// `None` (unknown) when none is broken but one could not be checked.
    pub compliant: Option<bool>,
    /// The rules broken.
    pub violations: Vec<Finding>,
    /// The rules that could not be checked (the breach check skipped or unavailable).
    pub unchecked: Vec<Finding>,
    /// Where the rules come from.
    pub source: String,
}

/// Judges `password` (its `strength` already estimated with `user_inputs`) against `policy`.
pub fn verdict(
    policy: &PasswordPolicy,
    password: &str,
    user_inputs: &[&str],
    strength: &Strength,
    breach: BreachCheck,
) -> Verdict {
    let chars: Vec<char> = password.chars().collect();
    let mut violations = Vec::new();
    let mut unchecked = Vec::new();
    let mut violate = |rule: &'static str, message: String| {
        debug_assert!(
            RULES.iter().any(|(n, _)| *n == rule),
            "{rule} is not in RULES"
        );
        violations.push(Finding { rule, message });
    };
    match policy {
        PasswordPolicy::Preset { preset, mfa } => {
            let min = match (preset, mfa) {
                (Preset::Nist, true) => NIST_MFA_MIN,
                (Preset::Nist, false) => NIST_SINGLE_FACTOR_MIN,
                _ => preset.min_length() as usize,
            };
            if chars.len() < min {
                violate(
                    "min_length",
                    format!("{} characters; at least {min} are required", chars.len()),
                );
            }
            composition(preset.composition(), &chars, &mut violate);
            if *preset == Preset::Nist {
                blocklist(&chars, user_inputs, strength, &mut violate);
                match breach {
                    BreachCheck::Checked(0) => {}
                    BreachCheck::Checked(count) => violate(
                        "breached",
                        format!("found in {count} breaches (HaveIBeenPwned)"),
                    ),
                    BreachCheck::Unavailable => unchecked.push(Finding {
                        rule: "breached",
                        message: "the breach check could not reach its source".to_owned(),
                    }),
                    BreachCheck::Skipped => unchecked.push(Finding {
                        rule: "breached",
                        message: "the breach check was skipped (hibp=false)".to_owned(),
                    }),
                }
            }
        }
        PasswordPolicy::Rules { rules, .. } => site_rules(rules, &chars, &mut violate),
    }
    let compliant = if !violations.is_empty() {
        Some(false)
    } else if !unchecked.is_empty() {
        None
    } else {
        Some(true)
    };
    Verdict {
        name: policy.name(),
        compliant,
        violations,
        unchecked,
        source: policy.source(),
    }
}

fn is_symbol(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
}

/// A required class: its rule, its test, and what it is called.
type ClassCheck = (&'static str, fn(&char) -> bool, &'static str);

fn composition(
    composition: Composition,
    chars: &[char],
    violate: &mut impl FnMut(&'static str, String),
) {
    let has = |f: fn(&char) -> bool| chars.iter().any(f);
    let checks: &[ClassCheck] = match composition {
        Composition::None => &[],
        Composition::LetterAndDigit => &[
            ("requires_letter", |c| c.is_alphabetic(), "a letter"),
            ("requires_digit", |c| c.is_ascii_digit(), "a digit"),
        ],
        Composition::AllFour => &[
            (
                "requires_upper",
                |c| c.is_uppercase(),
                "an upper-case letter",
            ),
            (
                "requires_lower",
                |c| c.is_lowercase(),
                "a lower-case letter",
            ),
            ("requires_digit", |c| c.is_ascii_digit(), "a digit"),
            ("requires_symbol", |c| is_symbol(*c), "a symbol"),
        ],
    };
    for (rule, test, what) in checks {
        if !has(*test) {
            violate(rule, format!("no {what}; the policy requires one"));
        }
    }
}

/// NIST's blocklist, on the whole password.
fn blocklist(
    chars: &[char],
    user_inputs: &[&str],
    strength: &Strength,
    violate: &mut impl FnMut(&'static str, String),
) {
    let patterns = strength.patterns.as_ref();
    if patterns.is_some_and(|p| p.whole_dictionary_word) {
        violate(
            "dictionary_word",
            "one dictionary word or common password (l33t, capitals and reversal do not hide it)"
                .to_owned(),
        );
    }
    if chars.len() >= 2 && period(chars).is_some() {
        violate("repetitive", "one string repeated".to_owned());
    }
    if is_sequence(chars) {
        violate("sequential", "one sequence of characters".to_owned());
    }
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let mut words: Vec<String> = user_inputs
        .iter()
        .map(|w| w.to_lowercase())
        .filter(|w| w.chars().count() >= MIN_CONTEXT_WORD && contains_word(&lower, w))
        .collect();
    if let Some(p) = patterns {
        words.extend(
            p.user_input_words
                .iter()
                .filter(|w| w.chars().count() >= MIN_CONTEXT_WORD)
                .cloned(),
        );
    }
    words.sort();
    words.dedup();
    if !words.is_empty() {
        violate(
            "context_word",
            format!("contains {} of the user inputs", words.len()),
        );
    }
}

/// zxcvbn's l33t table: the letters each character may stand for.
const LEET: &[(char, &str)] = &[
    ('4', "a"),
    ('@', "a"),
    ('8', "b"),
    ('(', "c"),
    ('{', "c"),
    ('[', "c"),
    ('<', "c"),
    ('3', "e"),
    ('6', "g"),
    ('9', "g"),
    ('1', "il"),
    ('!', "i"),
    ('|', "il"),
    ('7', "lt"),
    ('0', "o"),
    ('$', "s"),
    ('5', "s"),
    ('+', "t"),
    ('%', "x"),
    ('2', "z"),
];

/// Whether `word` (lower case) appears in `password` (lower case), forwards or reversed, each
/// character as it is or in one of its l33t forms. At most 128 × 128 × 32 comparisons a request.
fn contains_word(password: &[char], word: &str) -> bool {
    let word: Vec<char> = word.chars().collect();
    let stands_for = |p: char, w: char| {
        p == w
            || LEET
                .iter()
                .any(|(l, letters)| *l == p && letters.contains(w))
    };
    let found = |word: &[char]| {
        password
            .windows(word.len())
            .any(|window| window.iter().zip(word).all(|(p, w)| stands_for(*p, *w)))
    };
    let reversed: Vec<char> = word.iter().rev().copied().collect();
    found(&word) || found(&reversed)
}

/// Three or more characters with one step, of 1 to 5 code points, between each and the next
/// (abcd, 13579, zyxw), as zxcvbn's sequences.
fn is_sequence(chars: &[char]) -> bool {
    if chars.len() < 3 {
        return false;
    }
    let step = |i: usize| chars[i + 1] as i64 - chars[i] as i64;
    let first = step(0);
    (1..=5).contains(&first.abs()) && (1..chars.len() - 1).all(|i| step(i) == first)
}

fn class_chars(classes: &[CharacterClass]) -> Option<Vec<char>> {
    // `unicode` allows any character for a verdict (the parser reads it as ASCII printable, which
    // is what a generator should use).
    if classes.contains(&CharacterClass::Unicode) {
        return None;
    }
    Some(classes.iter().flat_map(CharacterClass::chars).collect())
}

fn describe(classes: &[CharacterClass]) -> String {
    classes
        .iter()
        .map(|c| match c {
            CharacterClass::Upper => "upper".to_owned(),
            CharacterClass::Lower => "lower".to_owned(),
            CharacterClass::Digit => "digit".to_owned(),
            CharacterClass::Special => "special".to_owned(),
            CharacterClass::AsciiPrintable => "ascii-printable".to_owned(),
            CharacterClass::Unicode => "unicode".to_owned(),
            CharacterClass::Custom(chars) => format!("[{}]", chars.iter().collect::<String>()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn site_rules(rules: &Rules, chars: &[char], violate: &mut impl FnMut(&'static str, String)) {
    let len = chars.len();
    if let Some(min) = rules.min_length
        && len < min as usize
    {
        violate(
            "min_length",
            format!("{len} characters; at least {min} are required"),
        );
    }
    if let Some(max) = rules.max_length
        && len > max as usize
    {
        violate(
            "max_length",
            format!("{len} characters; at most {max} are accepted"),
        );
    }
    for set in &rules.required {
        let found = match class_chars(set) {
            None => !chars.is_empty(),
            Some(set_chars) => chars.iter().any(|c| set_chars.contains(c)),
        };
        if !found {
            violate("required", format!("no character of {}", describe(set)));
        }
    }
    let mut allowed: Vec<CharacterClass> = rules.allowed.clone();
    allowed.extend(rules.required.iter().flatten().cloned());
    if let Some(allowed_chars) = class_chars(&allowed) {
        let outside = chars.iter().filter(|c| !allowed_chars.contains(c)).count();
        if outside > 0 {
            violate(
                "allowed",
                format!(
                    "{outside} characters outside the allowed ({})",
                    describe(&allowed)
                ),
            );
        }
    }
    let (repeat, sequence) = crate::generate::site_rules::longest_runs(chars);
    if let Some(max) = rules.repeat_limit()
        && repeat > max as usize
    {
        violate(
            "max_repeating",
            format!("a run of {repeat} identical characters; at most {max} are allowed"),
        );
    }
    if let Some(max) = rules.sequence_limit()
        && sequence > max as usize
    {
        violate(
            "max_sequential",
            format!(
                "a sequence of {sequence} characters (like abc or 321); at most {max} are allowed"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::strength;

    fn judge(
        policy: &PasswordPolicy,
        password: &str,
        inputs: &[&str],
        breach: BreachCheck,
    ) -> Verdict {
        let s = strength(password, inputs).unwrap();
        verdict(policy, password, inputs, &s, breach)
    }

    fn nist(mfa: bool) -> PasswordPolicy {
        PasswordPolicy::Preset {
            preset: Preset::Nist,
            mfa,
        }
    }

    fn rules_of(v: &Verdict) -> Vec<&'static str> {
        v.violations.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn nist_blocklist_rules() {
        let ok = BreachCheck::Checked(0);
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("correct horse battery staple", &[], &[]),
            ("aaaaaaaaaaaaaaaa", &[], &["repetitive"]),
            ("abcabcabcabcabcabc", &[], &["repetitive"]),
            ("abcdefghijklmnop", &[], &["sequential"]),
            ("zyxwvutsrqponmlkj", &[], &["sequential"]),
            ("ACEGIKMOQSUWY[]_", &[], &["sequential"]),
            ("P4$$w0rd", &[], &["min_length", "dictionary_word"]),
            ("drowssap", &[], &["min_length", "dictionary_word"]),
            ("Tr0ub4dor&3", &[], &["min_length"]),
            ("alexandra-likes-tea", &["Alexandra"], &["context_word"]),
            ("9-Lantern-al3xandra", &["alexandra"], &["context_word"]),
            ("fourteen chars", &[], &["min_length"]),
            ("fifteen chars!!", &[], &[]),
        ];
        for (password, inputs, expected) in cases {
            let v = judge(&nist(false), password, inputs, ok);
            assert_eq!(rules_of(&v), *expected, "{password}: {v:?}");
            assert_eq!(v.compliant, Some(expected.is_empty()), "{password}");
        }
        // 8 characters are enough with another factor; the blocklist still applies.
        assert_eq!(
            rules_of(&judge(&nist(true), "Kq7#mZ2v", &[], ok)),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules_of(&judge(&nist(true), "Kq7#mZ2", &[], ok)),
            ["min_length"]
        );
        assert_eq!(
            rules_of(&judge(&nist(true), "password", &[], ok)),
            ["dictionary_word"]
        );
        // Long passwords pass (no maximum below 128, the most evaluated).
        let long = "Gx9!tR2#wQ8$zL5%".repeat(4) + "kJ3&mN6*";
        assert_eq!(
            rules_of(&judge(&nist(false), &long, &[], ok)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn nist_breach_rule_and_unknown() {
        let password = "Quokka-Lantern-4412!";
        let breached = judge(&nist(false), password, &[], BreachCheck::Checked(3));
        assert_eq!(rules_of(&breached), ["breached"]);
        assert_eq!(breached.compliant, Some(false));
        for breach in [BreachCheck::Unavailable, BreachCheck::Skipped] {
            let v = judge(&nist(false), password, &[], breach);
            assert_eq!(v.compliant, None, "unknown");
            assert_eq!(v.unchecked[0].rule, "breached");
        }
        // A rule broken decides, whatever could not be checked.
        let v = judge(&nist(false), "short", &[], BreachCheck::Unavailable);
        assert_eq!(v.compliant, Some(false));
    }

    #[test]
    fn presets_are_their_rows() {
        let ok = BreachCheck::Checked(0);
        let preset = |preset| PasswordPolicy::Preset { preset, mfa: false };
        for (p, password, expected) in [
            (Preset::Pci, "abcdefghijk1", &[][..]),
            (Preset::Pci, "abcdefghijkl", &["requires_digit"][..]),
            (
                Preset::Pci,
                "12345678901",
                &["min_length", "requires_letter"][..],
            ),
            (Preset::Dod, "Abcdefghijklm1!", &[][..]),
            (
                Preset::Dod,
                "abcdefghijklmno",
                &["requires_upper", "requires_digit", "requires_symbol"][..],
            ),
            (Preset::Hipaa, "ABCDEFGHIJ1!", &["requires_lower"][..]),
            (Preset::Iso, "Abcdefghij1!", &[][..]),
            (Preset::Soc2, "aaaaaaaaaaaaaaa", &[][..]),
            (Preset::Soc2, "aaaaaaaaaaaaaa", &["min_length"][..]),
        ] {
            let v = judge(&preset(p), password, &[], ok);
            assert_eq!(rules_of(&v), expected, "{} {password}", p.name());
            assert_eq!(v.source, p.clause());
        }
    }

    #[test]
    fn passwordrules_verdicts() {
        let ok = BreachCheck::Skipped;
        let check = |policy: &PasswordPolicy, password: &str, expected: &[&str]| {
            let v = judge(policy, password, &[], ok);
            assert_eq!(rules_of(&v), expected, "{password}");
            // No breach rule: a site's rules are all checked.
            assert_eq!(v.compliant, Some(expected.is_empty()), "{password}");
        };
        let policy = PasswordPolicy::rules(
            "minlength: 12; required: upper; required: digit; max-consecutive: 2",
        )
        .unwrap();
        check(&policy, "ABDCEFHGIJL1", &[]);
        // max-consecutive means both runs.
        check(&policy, "ABCDFHJKMPR1", &["max_sequential"]);
        check(&policy, "ABDCEFHGIJ11", &[]);
        // Required sets are what is allowed when `allowed` names nothing (the format's rule).
        check(&policy, "Abdcefhgijl1", &["allowed"]);
        check(&policy, "ABDCEFHGIJLK", &["required"]);
        check(&policy, "ABDCEEEFHGI1", &["max_repeating"]);
        check(&policy, "AB1", &["min_length"]);
        let policy =
            PasswordPolicy::rules("allowed: lower; required: digit; maxlength: 8").unwrap();
        check(&policy, "abc123", &[]);
        check(&policy, "abc-123xyz", &["max_length", "allowed"]);
        // One of several classes in one required set.
        let policy = PasswordPolicy::rules("required: digit, [!#]").unwrap();
        check(&policy, "!!", &[]);
        check(&policy, "1#", &[]);
        check(&policy, "abc!", &["allowed"]);
        // No characters named: ASCII printable; `unicode` allows anything.
        check(
            &PasswordPolicy::rules("minlength: 4").unwrap(),
            "pässword",
            &["allowed"],
        );
        check(
            &PasswordPolicy::rules("allowed: unicode; minlength: 4").unwrap(),
            "pässword",
            &[],
        );
        // The limits on their own, on the examples of password-manager-resources.
        for (limit, fails) in [
            ("max-repeating", "max_repeating"),
            ("max-sequential", "max_sequential"),
        ] {
            let runs: &[&str] = if limit == "max-repeating" {
                &["aaa"]
            } else {
                &["abc", "123", "321", "cba", "XYZ", "zyx"]
            };
            for run in runs {
                let password = format!("_{run}_");
                check(
                    &PasswordPolicy::rules(&format!("{limit}: 3")).unwrap(),
                    &password,
                    &[],
                );
                check(
                    &PasswordPolicy::rules(&format!("{limit}: 2")).unwrap(),
                    &password,
                    &[fails],
                );
                // max-consecutive is both.
                let both = PasswordPolicy::rules("max-consecutive: 2").unwrap();
                check(&both, &password, &[fails]);
            }
        }
        // Not a sequence: across ranges, or steps other than one.
        let policy = PasswordPolicy::rules("max-sequential: 1").unwrap();
        for password in ["9:;", "Z[\\", "z{|", "ace", "aA", "@AB"[..2].into()] {
            check(&policy, password, &[]);
        }
        // The lowest of a limit given twice, and both beside max-consecutive.
        let policy =
            PasswordPolicy::rules("max-repeating: 4; MAX-REPEATING: 2; max-consecutive: 9")
                .unwrap();
        check(&policy, "xaaay", &["max_repeating"]);
        check(&policy, "abcdefghi", &[]);
        assert!(PasswordPolicy::rules("minlength: twelve").is_err());
        assert!(PasswordPolicy::rules("").is_err());
    }
}
