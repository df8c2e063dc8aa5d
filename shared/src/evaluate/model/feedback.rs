//! zxcvbn's feedback: a warning and suggestions from the longest match of a weak password.

use std::fmt;

use super::dictionary::{Kind, lower};
use super::{Match, Pattern};

/// A warning about what makes the password weak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Rows of keys.
    StraightRowsOfKeysAreEasyToGuess,
    /// Keyboard patterns with turns.
    ShortKeyboardPatternsAreEasyToGuess,
    /// One character repeated.
    RepeatsLikeAaaAreEasyToGuess,
    /// A run of characters repeated.
    RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
    /// `abc`, `6543`.
    SequencesLikeAbcOr6543AreEasyToGuess,
    /// 19xx, 20xx.
    RecentYearsAreEasyToGuess,
    /// Dates.
    DatesAreOftenEasyToGuess,
    /// Among the ten most common passwords.
    ThisIsATop10Password,
    /// Among the hundred most common.
    ThisIsATop100Password,
    /// A common password.
    ThisIsACommonPassword,
    /// A common password, altered.
    ThisIsSimilarToACommonlyUsedPassword,
    /// One word.
    AWordByItselfIsEasyToGuess,
    /// One name.
    NamesAndSurnamesByThemselvesAreEasyToGuess,
    /// Names among other things.
    CommonNamesAndSurnamesAreEasyToGuess,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Warning::StraightRowsOfKeysAreEasyToGuess => "Straight rows of keys are easy to guess.",
            Warning::ShortKeyboardPatternsAreEasyToGuess => {
                "Short keyboard patterns are easy to guess."
            }
            Warning::RepeatsLikeAaaAreEasyToGuess => "Repeats like \"aaa\" are easy to guess.",
            Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
                "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\"."
            }
            Warning::SequencesLikeAbcOr6543AreEasyToGuess => {
                "Sequences like abc or 6543 are easy to guess."
            }
            Warning::RecentYearsAreEasyToGuess => "Recent years are easy to guess.",
            Warning::DatesAreOftenEasyToGuess => "Dates are often easy to guess.",
            Warning::ThisIsATop10Password => "This is a top-10 common password.",
            Warning::ThisIsATop100Password => "This is a top-100 common password.",
            Warning::ThisIsACommonPassword => "This is a very common password.",
            Warning::ThisIsSimilarToACommonlyUsedPassword => {
                "This is similar to a commonly used password."
            }
            Warning::AWordByItselfIsEasyToGuess => "A word by itself is easy to guess.",
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => {
                "Names and surnames by themselves are easy to guess."
            }
            Warning::CommonNamesAndSurnamesAreEasyToGuess => {
                "Common names and surnames are easy to guess."
            }
        })
    }
}

/// A suggestion to make the password stronger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suggestion {
    /// Words.
    UseAFewWordsAvoidCommonPhrases,
    /// Symbols are not needed.
    NoNeedForSymbolsDigitsOrUppercaseLetters,
    /// More words.
    AddAnotherWordOrTwo,
    /// Capitalising the first letter.
    CapitalizationDoesntHelpVeryMuch,
    /// Capitalising every letter.
    AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase,
    /// Reversing.
    ReversedWordsArentMuchHarderToGuess,
    /// l33t.
    PredictableSubstitutionsDontHelpVeryMuch,
    /// Keyboard patterns.
    UseALongerKeyboardPatternWithMoreTurns,
    /// Repeats.
    AvoidRepeatedWordsAndCharacters,
    /// Sequences.
    AvoidSequences,
    /// Years.
    AvoidRecentYears,
    /// Personal years.
    AvoidYearsThatAreAssociatedWithYou,
    /// Personal dates.
    AvoidDatesAndYearsThatAreAssociatedWithYou,
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Suggestion::UseAFewWordsAvoidCommonPhrases => "Use a few words, avoid common phrases.",
            Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
                "No need for symbols, digits, or uppercase letters."
            }
            Suggestion::AddAnotherWordOrTwo => {
                "Add another word or two. Uncommon words are better."
            }
            Suggestion::CapitalizationDoesntHelpVeryMuch => {
                "Capitalization doesn't help very much."
            }
            Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
                "All-uppercase is almost as easy to guess as all-lowercase."
            }
            Suggestion::ReversedWordsArentMuchHarderToGuess => {
                "Reversed words aren't much harder to guess."
            }
            Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
                "Predictable substitutions like '@' instead of 'a' don't help very much."
            }
            Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
                "Use a longer keyboard pattern with more turns."
            }
            Suggestion::AvoidRepeatedWordsAndCharacters => "Avoid repeated words and characters.",
            Suggestion::AvoidSequences => "Avoid sequences.",
            Suggestion::AvoidRecentYears => "Avoid recent years.",
            Suggestion::AvoidYearsThatAreAssociatedWithYou => {
                "Avoid years that are associated with you."
            }
            Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
                "Avoid dates and years that are associated with you."
            }
        })
    }
}

impl Warning {
    /// Its key in zxcvbn-ts's translations.
    pub fn key(self) -> &'static str {
        match self {
            Warning::StraightRowsOfKeysAreEasyToGuess => "straightRow",
            Warning::ShortKeyboardPatternsAreEasyToGuess => "keyPattern",
            Warning::RepeatsLikeAaaAreEasyToGuess => "simpleRepeat",
            Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => "extendedRepeat",
            Warning::SequencesLikeAbcOr6543AreEasyToGuess => "sequences",
            Warning::RecentYearsAreEasyToGuess => "recentYears",
            Warning::DatesAreOftenEasyToGuess => "dates",
            Warning::ThisIsATop10Password => "topTen",
            Warning::ThisIsATop100Password => "topHundred",
            Warning::ThisIsACommonPassword => "common",
            Warning::ThisIsSimilarToACommonlyUsedPassword => "similarToCommon",
            Warning::AWordByItselfIsEasyToGuess => "wordByItself",
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => "namesByThemselves",
            Warning::CommonNamesAndSurnamesAreEasyToGuess => "commonNames",
        }
    }
}

impl Suggestion {
    /// Its key in zxcvbn-ts's translations.
    pub fn key(self) -> &'static str {
        match self {
            Suggestion::UseAFewWordsAvoidCommonPhrases => "useWords",
            Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => "noNeed",
            Suggestion::AddAnotherWordOrTwo => "anotherWord",
            Suggestion::CapitalizationDoesntHelpVeryMuch => "capitalization",
            Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => "allUppercase",
            Suggestion::ReversedWordsArentMuchHarderToGuess => "reverseWords",
            Suggestion::PredictableSubstitutionsDontHelpVeryMuch => "l33t",
            Suggestion::UseALongerKeyboardPatternWithMoreTurns => "longerKeyboardPattern",
            Suggestion::AvoidRepeatedWordsAndCharacters => "repeated",
            Suggestion::AvoidSequences => "sequences",
            Suggestion::AvoidRecentYears => "recentYears",
            Suggestion::AvoidYearsThatAreAssociatedWithYou => "associatedYears",
            Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => "dates",
        }
    }
}

/// One locale's texts (zxcvbn-ts's translations): warnings, suggestions and crack-time units,
/// each by key.
#[derive(Debug, PartialEq, Eq)]
pub struct Translation {
    /// The locale's code (`en`, `de`, …).
    pub locale: &'static str,
    /// Warnings by key.
    pub warnings: &'static [(&'static str, &'static str)],
    /// Suggestions by key.
    pub suggestions: &'static [(&'static str, &'static str)],
    /// Crack-time units by key (`{base}` is the count).
    pub time: &'static [(&'static str, &'static str)],
}

include!("../../../data/strength/translations.rs");

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> &'static str {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, text)| text)
}

impl Translation {
    /// The locale called `code`.
    pub fn find(code: &str) -> Option<&'static Translation> {
        TRANSLATIONS.iter().find(|t| t.locale == code)
    }

    /// Every locale's code.
    pub fn codes() -> Vec<&'static str> {
        TRANSLATIONS.iter().map(|t| t.locale).collect()
    }

    /// The warning's text.
    pub fn warning(&self, key: &str) -> &'static str {
        lookup(self.warnings, key)
    }

    /// The suggestion's text.
    pub fn suggestion(&self, key: &str) -> &'static str {
        lookup(self.suggestions, key)
    }

    /// A duration in this locale's words: `unit` (`second`, `days`, … or `ltSecond`,
    /// `centuries`) with `count` in place of `{base}`.
    pub fn time(&self, unit: &str, count: u64) -> String {
        lookup(self.time, unit).replace("{base}", &count.to_string())
    }
}

/// The warning (if any) and suggestions for a password of `score` explained by `sequence`.
pub fn feedback(
    score: u8,
    sequence: &[Match],
    password: &[char],
) -> (Option<Warning>, Vec<Suggestion>) {
    use Suggestion as S;
    if sequence.is_empty() {
        return (
            None,
            vec![
                S::UseAFewWordsAvoidCommonPhrases,
                S::NoNeedForSymbolsDigitsOrUppercaseLetters,
            ],
        );
    }
    if score > 2 {
        return (None, Vec::new());
    }
    let mut longest = &sequence[0];
    for m in &sequence[1..] {
        if m.j - m.i > longest.j - longest.i {
            longest = m;
        }
    }
    let (warning, mut suggestions) = of_match(longest, sequence.len() == 1, password);
    suggestions.insert(0, S::AddAnotherWordOrTwo);
    (warning, suggestions)
}

fn of_match(m: &Match, sole: bool, password: &[char]) -> (Option<Warning>, Vec<Suggestion>) {
    use Suggestion as S;
    use Warning as W;
    let token = &password[m.i..=m.j];
    match &m.pattern {
        Pattern::Dictionary {
            kind,
            rank,
            reversed,
            subs,
            ..
        } => {
            let l33t = !subs.is_empty();
            let warning = match kind {
                Kind::Passwords if sole && !l33t && !reversed => Some(match rank {
                    ..=10 => W::ThisIsATop10Password,
                    ..=100 => W::ThisIsATop100Password,
                    _ => W::ThisIsACommonPassword,
                }),
                Kind::Passwords => {
                    (m.guesses.log10() <= 4.0).then_some(W::ThisIsSimilarToACommonlyUsedPassword)
                }
                Kind::Words if sole => Some(W::AWordByItselfIsEasyToGuess),
                Kind::Names if sole => Some(W::NamesAndSurnamesByThemselvesAreEasyToGuess),
                Kind::Names => Some(W::CommonNamesAndSurnamesAreEasyToGuess),
                _ => None,
            };
            let mut suggestions = Vec::new();
            let upper = |c: &char| c.is_ascii_uppercase();
            let n = token.len();
            if upper(&token[0]) && n > 1 && !token[1..].iter().any(upper) {
                suggestions.push(S::CapitalizationDoesntHelpVeryMuch);
            } else if !token.iter().any(char::is_ascii_lowercase)
                && token.iter().any(|&c| lower(c) != c)
            {
                suggestions.push(S::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase);
            }
            if *reversed && n >= 4 {
                suggestions.push(S::ReversedWordsArentMuchHarderToGuess);
            }
            if l33t {
                suggestions.push(S::PredictableSubstitutionsDontHelpVeryMuch);
            }
            (warning, suggestions)
        }
        Pattern::Spatial { turns, .. } => (
            Some(if *turns == 1 {
                W::StraightRowsOfKeysAreEasyToGuess
            } else {
                W::ShortKeyboardPatternsAreEasyToGuess
            }),
            vec![S::UseALongerKeyboardPatternWithMoreTurns],
        ),
        Pattern::Repeat { base_len, .. } => (
            Some(if *base_len == 1 {
                W::RepeatsLikeAaaAreEasyToGuess
            } else {
                W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess
            }),
            vec![S::AvoidRepeatedWordsAndCharacters],
        ),
        Pattern::Sequence { .. } => (
            Some(W::SequencesLikeAbcOr6543AreEasyToGuess),
            vec![S::AvoidSequences],
        ),
        Pattern::Year(_) => (
            Some(W::RecentYearsAreEasyToGuess),
            vec![S::AvoidRecentYears, S::AvoidYearsThatAreAssociatedWithYou],
        ),
        Pattern::Date { .. } => (
            Some(W::DatesAreOftenEasyToGuess),
            vec![S::AvoidDatesAndYearsThatAreAssociatedWithYou],
        ),
        Pattern::Bruteforce => (None, Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_text() {
        use Suggestion as S;
        use Warning as W;
        let warnings = [
            W::StraightRowsOfKeysAreEasyToGuess,
            W::ShortKeyboardPatternsAreEasyToGuess,
            W::RepeatsLikeAaaAreEasyToGuess,
            W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
            W::SequencesLikeAbcOr6543AreEasyToGuess,
            W::RecentYearsAreEasyToGuess,
            W::DatesAreOftenEasyToGuess,
            W::ThisIsATop10Password,
            W::ThisIsATop100Password,
            W::ThisIsACommonPassword,
            W::ThisIsSimilarToACommonlyUsedPassword,
            W::AWordByItselfIsEasyToGuess,
            W::NamesAndSurnamesByThemselvesAreEasyToGuess,
            W::CommonNamesAndSurnamesAreEasyToGuess,
        ];
        let suggestions = [
            S::UseAFewWordsAvoidCommonPhrases,
            S::NoNeedForSymbolsDigitsOrUppercaseLetters,
            S::AddAnotherWordOrTwo,
            S::CapitalizationDoesntHelpVeryMuch,
            S::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase,
            S::ReversedWordsArentMuchHarderToGuess,
            S::PredictableSubstitutionsDontHelpVeryMuch,
            S::UseALongerKeyboardPatternWithMoreTurns,
            S::AvoidRepeatedWordsAndCharacters,
            S::AvoidSequences,
            S::AvoidRecentYears,
            S::AvoidYearsThatAreAssociatedWithYou,
            S::AvoidDatesAndYearsThatAreAssociatedWithYou,
        ];
        assert_eq!(
            Translation::codes(),
            ["en", "de", "fr", "es", "it", "nl", "pt"]
        );
        for t in TRANSLATIONS {
            for w in warnings {
                assert!(!t.warning(w.key()).is_empty(), "{} {w:?}", t.locale);
            }
            for s in suggestions {
                assert!(!t.suggestion(s.key()).is_empty(), "{} {s:?}", t.locale);
            }
            assert!(!t.warning("pwned").is_empty() && !t.suggestion("pwned").is_empty());
            for unit in [
                "ltSecond",
                "second",
                "seconds",
                "minute",
                "minutes",
                "hour",
                "hours",
                "day",
                "days",
                "month",
                "months",
                "year",
                "years",
                "centuries",
            ] {
                assert!(!t.time(unit, 2).is_empty(), "{} {unit}", t.locale);
            }
        }
        let de = Translation::find("de").unwrap();
        assert_eq!(
            de.time("days", 3),
            de.time("days", 3).replace("{base}", "3")
        );
        assert!(de.time("days", 3).contains('3'));
        assert!(Translation::find("xx").is_none());
    }
}
