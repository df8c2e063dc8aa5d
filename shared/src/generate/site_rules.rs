//! Exact counting of the strings a site's `passwordrules` allow, `max-consecutive` included: the
//! ground for generating from those rules uniformly with the exact entropy.
//!
//! The allowed characters are split into atoms, the characters that belong to the same required
//! sets. A string is a sequence of blocks (maximal runs of one character, each 1 to
//! `max-consecutive` long), and the next block's character differs from the last one's. Counting
//! prefixes that end at a block boundary by (length, required sets met, atom of the last
//! character), with a sliding sum over the block lengths, costs length × 2^sets × atoms big-integer
//! steps.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use password_rules_parser::{CharacterClass, PasswordRules};

/// Most required sets counted (2^sets states per length). Sites name up to four (upper, lower,
/// digit, special); eight cost ~0.27 s of debug CPU at 256 characters, four ~16 ms.
pub const MAX_REQUIRED_SETS: usize = 4;

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
    /// ASCII printable, as the parser gives it), grouped by the required sets they belong to.
    /// `None` when there are more than [`MAX_REQUIRED_SETS`] required sets.
    pub fn of(rules: &PasswordRules) -> Option<Alphabet> {
        if rules.required.len() > MAX_REQUIRED_SETS {
            return None;
        }
        let mut chars: Vec<char> = rules
            .allowed
            .iter()
            .chain(rules.required.iter().flatten())
            .flat_map(CharacterClass::chars)
            .collect();
        chars.sort_unstable();
        chars.dedup();
        let sets: Vec<Vec<char>> = rules
            .required
            .iter()
            .map(|set| set.iter().flat_map(CharacterClass::chars).collect())
            .collect();
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
        Some(Alphabet {
            atoms,
            sets: sets.len(),
        })
    }

    /// The number of strings of `length` characters of this alphabet with a character of every
    /// required set and no run of more than `max_run` identical characters (`None`: no limit).
    pub fn count(&self, length: usize, max_run: Option<usize>) -> BigUint {
        let k = max_run.unwrap_or(length).clamp(1, length.max(1));
        let masks = 1usize << self.sets;
        let atoms = self.atoms.len();
        // f[p][mask * (atoms + 1) + a]: prefixes of length p ending at a block boundary, meeting
        // `mask`, whose last character is in atom a; a = atoms is the empty prefix.
        let width = masks * (atoms + 1);
        let mut f = vec![vec![BigUint::zero(); width]; length + 1];
        f[0][atoms] = BigUint::one();
        // The sliding sum of f over the block lengths 1..=k before p.
        let mut window = vec![BigUint::zero(); width];
        for p in 1..=length {
            for (w, prev) in window.iter_mut().zip(&f[p - 1]) {
                *w += prev;
            }
            if p > k {
                for (w, old) in window.iter_mut().zip(&f[p - k - 1]) {
                    *w -= old;
                }
            }
            for mask in 0..masks {
                let row = &window[mask * (atoms + 1)..(mask + 1) * (atoms + 1)];
                let total: BigUint = row.iter().sum();
                if total.is_zero() {
                    continue;
                }
                for (a, (members, sets)) in self.atoms.iter().enumerate() {
                    // A block of a character of atom a, unlike the last block's character.
                    let ways = &total * BigUint::from(members.len()) - &row[a];
                    let next = (mask | *sets as usize) * (atoms + 1) + a;
                    f[p][next] += ways;
                }
            }
        }
        let full = masks - 1;
        f[length][full * (atoms + 1)..(full + 1) * (atoms + 1)]
            .iter()
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::breach::BreachCheck;
    use crate::evaluate::policy::{Policy, verdict};

    /// Every string of `length` over the alphabet, counted when the verdict finds it compliant:
    /// an independent reading of the same rules.
    fn brute_force(rules_text: &str, length: usize) -> u64 {
        let policy = Policy::rules(rules_text).unwrap();
        let Policy::Rules { rules, .. } = &policy else {
            unreachable!()
        };
        let alphabet: Vec<char> = Alphabet::of(rules)
            .unwrap()
            .atoms
            .iter()
            .flat_map(|(c, _)| c.clone())
            .collect();
        let n = alphabet.len();
        let mut count = 0;
        let mut digits = vec![0usize; length];
        loop {
            let password: String = digits.iter().map(|&d| alphabet[d]).collect();
            let strength = crate::evaluate::Strength {
                score: 0,
                guesses_log10: 0.0,
                exact_guesses: None,
                warning: None,
                suggestions: vec![],
                patterns: None,
            };
            if verdict(&policy, &password, &[], &strength, BreachCheck::Skipped).compliant
                == Some(true)
            {
                count += 1;
            }
            let mut i = 0;
            while i < length {
                digits[i] += 1;
                if digits[i] < n {
                    break;
                }
                digits[i] = 0;
                i += 1;
            }
            if i == length {
                return count;
            }
        }
    }

    #[test]
    fn counts_agree_with_brute_force_for_short_lengths() {
        for rules in [
            "allowed: [abc]",
            "allowed: [abc]; max-consecutive: 1",
            "allowed: [abcd]; max-consecutive: 2",
            "required: [ab]; required: [c]; allowed: [d]; max-consecutive: 2",
            "required: [ab], [c]; allowed: [d]; max-consecutive: 3",
            "required: [ab]; required: [bc]; max-consecutive: 1",
            "required: [a]; required: [b]; required: [c]; allowed: [xy]; max-consecutive: 2",
        ] {
            let policy = Policy::rules(rules).unwrap();
            let Policy::Rules { rules: parsed, .. } = &policy else {
                unreachable!()
            };
            let alphabet = Alphabet::of(parsed).unwrap();
            for length in 1..=6 {
                let expected = brute_force(rules, length);
                let counted = alphabet.count(length, parsed.max_consecutive.map(|k| k as usize));
                assert_eq!(counted, BigUint::from(expected), "{rules} at {length}");
            }
        }
    }

    #[test]
    fn without_constraints_the_count_is_the_power() {
        let policy = Policy::rules("allowed: ascii-printable").unwrap();
        let Policy::Rules { rules, .. } = &policy else {
            unreachable!()
        };
        let alphabet = Alphabet::of(rules).unwrap();
        assert_eq!(alphabet.count(20, None), BigUint::from(95u32).pow(20));
        // max-consecutive 1: the first character free, each next one unlike it.
        assert_eq!(
            alphabet.count(20, Some(1)),
            BigUint::from(95u32) * BigUint::from(94u32).pow(19)
        );
    }

    #[test]
    fn the_largest_alphabet_counts_and_more_sets_are_refused() {
        let parsed = |text: &str| match Policy::rules(text).unwrap() {
            Policy::Rules { rules, .. } => rules,
            _ => unreachable!(),
        };
        let rules = parsed(
            "required: upper; required: lower, [ab]; required: digit, [cd]; \
             required: special, [ef]; max-consecutive: 2",
        );
        let alphabet = Alphabet::of(&rules).unwrap();
        let start = std::time::Instant::now();
        assert!(alphabet.count(256, Some(2)) > BigUint::zero());
        eprintln!(
            "256 characters, 4 sets, {} atoms: {:?}",
            alphabet.atoms.len(),
            start.elapsed()
        );
        let five = parsed(
            "required: upper; required: lower; required: digit; required: special; required: [ab]",
        );
        assert_eq!(Alphabet::of(&five), None);
    }
}
