//! The rules' characters as an alphabet of atoms: the characters that belong to the same
//! required sets, which the counts treat alike.

use super::MAX_REQUIRED_SETS;
use password_rules_parser::{CharacterClass, PasswordRules};

/// Why the rules' characters cannot make an alphabet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlphabetError {
    /// More required sets than [`MAX_REQUIRED_SETS`].
    TooManySets(usize),
    /// No character is left once the excluded ones are removed.
    Empty,
    /// This required set (from 1) has no character left once the excluded ones are removed.
    EmptySet(usize),
    /// More characters than [`MAX_ALPHABET`] (the counts' fixed width assumes at most that).
    TooLarge(usize),
}

/// Most characters an alphabet may have: the parser's classes are ASCII, 95 printable characters
/// at most, and the counts' fixed width (`limbs::MAX_LIMBS`) is sized for `95^256`.
pub const MAX_ALPHABET: usize = 95;

/// The alphabet of a site's rules, split into atoms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alphabet {
    /// Each atom's characters and the required sets (bits) they belong to.
    pub atoms: Vec<(Vec<char>, u32)>,
    /// How many required sets there are.
    pub sets: usize,
}

impl Alphabet {
    /// The characters `rules` allow (their `allowed` and `required` classes; `unicode` is read as
    /// ASCII printable, as the parser gives it) that `keep` keeps, grouped by the required sets
    /// they belong to.
    pub fn of(
        rules: &PasswordRules,
        keep: impl Fn(char) -> bool,
    ) -> Result<Alphabet, AlphabetError> {
        let mut chars: Vec<char> = rules
            .allowed
            .iter()
            .chain(rules.required.iter().flatten())
            .flat_map(CharacterClass::chars)
            .filter(|&c| keep(c))
            .collect();
        chars.sort_unstable();
        chars.dedup();
        if chars.is_empty() {
            return Err(AlphabetError::Empty);
        }
        if chars.len() > MAX_ALPHABET {
            return Err(AlphabetError::TooLarge(chars.len()));
        }
        let required: Vec<Vec<char>> = rules
            .required
            .iter()
            .map(|set| {
                let mut chars: Vec<char> = set
                    .iter()
                    .flat_map(CharacterClass::chars)
                    .filter(|&c| keep(c))
                    .collect();
                chars.sort_unstable();
                chars.dedup();
                chars
            })
            .collect();
        if let Some(i) = required.iter().position(Vec::is_empty) {
            return Err(AlphabetError::EmptySet(i + 1));
        }
        // A set required twice is one requirement (`required: upper; required: upper` asks for
        // an upper-case letter, as a verdict reads it).
        let mut sets: Vec<Vec<char>> = Vec::new();
        for set in required {
            if !sets.contains(&set) {
                sets.push(set);
            }
        }
        if sets.len() > MAX_REQUIRED_SETS {
            return Err(AlphabetError::TooManySets(sets.len()));
        }
        let mut atoms: Vec<(Vec<char>, u32)> = Vec::new();
        for c in chars {
            let mask = sets
                .iter()
                .enumerate()
                .filter(|(_, set)| set.contains(&c))
                .fold(0u32, |m, (i, _)| m | 1 << i);
            match atoms.iter_mut().find(|(_, m)| *m == mask) {
                Some((members, _)) => members.push(c),
                None => atoms.push((vec![c], mask)),
            }
        }
        Ok(Alphabet {
            atoms,
            sets: sets.len(),
        })
    }

    /// Characters in all.
    pub fn size(&self) -> usize {
        self.atoms.iter().map(|(c, _)| c.len()).sum()
    }
}
