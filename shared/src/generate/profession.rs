//! Themed vocabularies, written for this project (each ≥ 200 lowercase words of 3–12 letters).

/// Longest themed word, in characters.
pub const MAX_WORD_CHARS: u32 = 12;

/// A themed vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profession {
    /// Software terms.
    Developer,
    /// Medical terms.
    Doctor,
    /// Finance terms.
    Finance,
    /// Visual design terms.
    Designer,
    /// Legal terms.
    Legal,
    /// Teaching terms.
    Educator,
}

impl Profession {
    /// Every profession, in declaration order.
    pub const ALL: [Profession; 6] = [
        Profession::Developer,
        Profession::Doctor,
        Profession::Finance,
        Profession::Designer,
        Profession::Legal,
        Profession::Educator,
    ];

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Profession::Developer => "developer",
            Profession::Doctor => "doctor",
            Profession::Finance => "finance",
            Profession::Designer => "designer",
            Profession::Legal => "legal",
            Profession::Educator => "educator",
        }
    }

    /// Parses an API name.
    pub fn parse(name: &str) -> Option<Profession> {
        Profession::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The themed words.
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        let text = match self {
            Profession::Developer => include_str!("words/developer.txt"),
            Profession::Doctor => include_str!("words/doctor.txt"),
            Profession::Finance => include_str!("words/finance.txt"),
            Profession::Designer => include_str!("words/designer.txt"),
            Profession::Legal => include_str!("words/legal.txt"),
            Profession::Educator => include_str!("words/educator.txt"),
        };
        text.split_ascii_whitespace()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_list_has_at_least_200_distinct_clean_words() {
        for p in Profession::ALL {
            let words: Vec<&str> = p.words().collect();
            let distinct: HashSet<&str> = words.iter().copied().collect();
            assert_eq!(words.len(), distinct.len(), "{} has duplicates", p.name());
            assert!(words.len() >= 200, "{} has {}", p.name(), words.len());
            for w in words {
                assert!(
                    (3..=MAX_WORD_CHARS as usize).contains(&w.len())
                        && w.bytes().all(|b| b.is_ascii_lowercase()),
                    "{w}"
                );
            }
            assert_eq!(Profession::parse(p.name()), Some(p));
        }
    }
}
