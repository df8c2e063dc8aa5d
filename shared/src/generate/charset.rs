//! Character classes and uniform sampling of strings that meet per-group minimums.
//!
//! [`Charset`] holds disjoint groups of characters with minimums. Sampling is exactly uniform over
//! every string of the requested length that meets all minimums:
//! - when valid strings are at least 1/64 of all strings over the pool, draw characters uniformly
//!   from the whole pool and reject strings that miss a minimum (uniform on the accepted set);
//! - otherwise draw the class composition with its exact weight `C(l, c) · s^c · N_rest(l − c)`,
//!   arrange the class labels by a uniform shuffle, and draw each character uniformly within its class.
//!
//! Both are uniform: the second gives each string probability
//! `[multinomial · Π s^c / N] · [1 / multinomial] · [1 / Π s^c] = 1 / N`.

use super::count::{self, GroupSize};
use super::random;
use crate::cache::TtlCache;
use num_bigint::BigUint;
use rand::Rng;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Lowercase ASCII letters.
pub const LOWERCASE: &str = "abcdefghijklmnopqrstuvwxyz";
/// Uppercase ASCII letters.
pub const UPPERCASE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Decimal digits.
pub const NUMBERS: &str = "0123456789";
/// The default symbols class: every printable ASCII punctuation character (32).
pub const SYMBOLS: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
/// Characters dropped by `avoid_ambiguous`: letters and digits that read alike in common fonts
/// (`I l 1 |`, `O 0 o`) and the quote-like marks `` ` ' " `` that are easy to mistype.
pub const AMBIGUOUS: &str = "Il1|O0o`'\"";

/// A named set of characters with the least number of them every generated string contains.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group {
    /// Pool name used in `audit.character_pool` (e.g. `lower`, `letters`).
    pub name: &'static str,
    /// Distinct characters of the group.
    pub chars: Vec<char>,
    /// Minimum occurrences.
    pub min: u32,
}

/// Disjoint character groups and a string length: the set of valid strings, its exact size, and a
/// sampler that is uniform over it.
#[derive(Clone, Debug)]
pub struct Charset {
    groups: Vec<Group>,
    length: u32,
    count: BigUint,
    strategy: Strategy,
}

#[derive(Clone, Debug)]
enum Strategy {
    /// Draw from the whole pool, reject strings missing a minimum.
    Rejection { pool: Vec<(char, usize)> },
    /// Draw the composition by exact weights; `suffix[j][l]` from [`count::suffix_counts`].
    Composition { suffix: Vec<Vec<BigUint>> },
}

impl Charset {
    /// Builds the sampler for `groups` (disjoint, non-empty) and `length`.
    /// The count is zero when the minimums exceed the length.
    pub fn new(groups: Vec<Group>, length: u32) -> Self {
        let sizes = sizes(&groups);
        let count = count::count(&sizes, length);
        let pool_size: u32 = sizes.iter().map(|g| g.size).sum();
        let all = BigUint::from(pool_size).pow(length);
        let strategy = if &count * 64u32 >= all {
            let pool = groups
                .iter()
                .enumerate()
                .flat_map(|(i, g)| g.chars.iter().map(move |&c| (c, i)))
                .collect();
            Strategy::Rejection { pool }
        } else {
            Strategy::Composition {
                suffix: count::suffix_counts(&sizes, length),
            }
        };
        Charset {
            groups,
            length,
            count,
            strategy,
        }
    }

    /// [`Charset::new`], remembered across requests: a warm container answering the same policy
    /// again skips the exact counting. Bounded (a constrained 256-character policy's weight tables
    /// take ~0.25 MB, so 16 entries stay within a few MB).
    pub fn shared(groups: Vec<Group>, length: u32) -> Arc<Charset> {
        type Memo = TtlCache<(Vec<Group>, u32), Arc<Charset>>;
        static MEMO: LazyLock<Memo> =
            LazyLock::new(|| TtlCache::new(16, Duration::from_secs(3600)));
        let key = (groups, length);
        if let Some(set) = MEMO.get(&key) {
            return set;
        }
        let set = Arc::new(Charset::new(key.0.clone(), length));
        MEMO.put(key, Arc::clone(&set));
        set
    }

    /// Number of valid strings.
    pub fn count(&self) -> &BigUint {
        &self.count
    }

    /// The groups, in pool order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Length of every string drawn.
    pub fn length(&self) -> u32 {
        self.length
    }

    /// Distinct characters across all groups.
    pub fn pool_size(&self) -> u32 {
        self.groups.iter().map(|g| g.chars.len() as u32).sum()
    }

    /// Draws one valid string uniformly. The set must be non-empty (`count() > 0`).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        match &self.strategy {
            Strategy::Rejection { pool } => self.sample_rejection(pool, rng),
            Strategy::Composition { suffix } => self.sample_composition(suffix, rng),
        }
    }

    fn sample_rejection<R: Rng + ?Sized>(&self, pool: &[(char, usize)], rng: &mut R) -> String {
        let mut out = String::with_capacity(self.length as usize);
        // At most four classes (or their merged forms): a tally on the stack.
        let mut storage = [0u32; 8];
        let mut heap = Vec::new();
        let tally: &mut [u32] = if self.groups.len() <= storage.len() {
            &mut storage[..self.groups.len()]
        } else {
            heap.resize(self.groups.len(), 0);
            &mut heap
        };
        loop {
            out.clear();
            tally.iter_mut().for_each(|t| *t = 0);
            for _ in 0..self.length {
                let (c, group) = pool[random::below(rng, pool.len() as u32) as usize];
                out.push(c);
                tally[group] += 1;
            }
            if tally.iter().zip(&self.groups).all(|(t, g)| *t >= g.min) {
                return out;
            }
        }
    }

    fn sample_composition<R: Rng + ?Sized>(&self, suffix: &[Vec<BigUint>], rng: &mut R) -> String {
        let mut labels = Vec::with_capacity(self.length as usize);
        let mut remaining = self.length as usize;
        for (j, group) in self.groups.iter().enumerate() {
            // Weight of using exactly c characters of group j in the remaining positions.
            let size = group.chars.len() as u32;
            let mut pick = random::below_big(rng, &suffix[j][remaining]);
            let mut chosen = remaining;
            for c in group.min as usize..=remaining {
                let weight = count::binomial(remaining as u32, c as u32)
                    * BigUint::from(size).pow(c as u32)
                    * &suffix[j + 1][remaining - c];
                if pick < weight {
                    chosen = c;
                    break;
                }
                pick -= weight;
            }
            labels.extend(std::iter::repeat_n(j, chosen));
            remaining -= chosen;
        }
        random::shuffle(rng, &mut labels);
        labels
            .into_iter()
            .map(|j| {
                let chars = &self.groups[j].chars;
                chars[random::below(rng, chars.len() as u32) as usize]
            })
            .collect()
    }
}

/// Counting view of groups.
pub fn sizes(groups: &[Group]) -> Vec<GroupSize> {
    groups
        .iter()
        .map(|g| GroupSize {
            size: g.chars.len() as u32,
            min: g.min,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashMap;

    fn group(name: &'static str, chars: &str, min: u32) -> Group {
        Group {
            name,
            chars: chars.chars().collect(),
            min,
        }
    }

    fn default_groups() -> Vec<Group> {
        vec![
            group("lower", LOWERCASE, 1),
            group("upper", UPPERCASE, 1),
            group("numbers", NUMBERS, 1),
            group("symbols", SYMBOLS, 1),
        ]
    }

    /// Upper critical value of chi-square with `df` degrees of freedom at z standard deviations
    /// (Wilson–Hilferty); z = 5 puts a false failure near 3e-7.
    fn chi_square_critical(df: f64, z: f64) -> f64 {
        let a = 2.0 / (9.0 * df);
        df * (1.0 - a + z * a.sqrt()).powi(3)
    }

    fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
        observed
            .iter()
            .zip(expected)
            .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
            .sum()
    }

    #[test]
    fn strings_always_meet_their_minimums() {
        let mut rng = StdRng::seed_from_u64(1);
        let groups = vec![
            group("lower", "abc", 2),
            group("numbers", "01", 3),
            group("symbols", "!", 0),
        ];
        for length in [5, 6, 9] {
            let set = Charset::new(groups.clone(), length);
            for _ in 0..500 {
                let s = set.sample(&mut rng);
                assert_eq!(s.chars().count(), length as usize);
                assert!(s.chars().filter(|c| "abc".contains(*c)).count() >= 2, "{s}");
                assert!(s.chars().filter(|c| "01".contains(*c)).count() >= 3, "{s}");
            }
        }
    }

    #[test]
    fn both_strategies_are_used() {
        assert!(matches!(
            Charset::new(default_groups(), 18).strategy,
            Strategy::Rejection { .. }
        ));
        let heavy = vec![group("lower", LOWERCASE, 0), group("numbers", NUMBERS, 12)];
        assert!(matches!(
            Charset::new(heavy, 16).strategy,
            Strategy::Composition { .. }
        ));
    }

    /// Chi-square over every character of ≥ 100k drawn characters of an unconstrained pool.
    #[test]
    fn characters_are_uniform_over_the_pool() {
        let mut rng = StdRng::seed_from_u64(7);
        let pool: String = [LOWERCASE, UPPERCASE, NUMBERS, SYMBOLS].concat();
        let set = Charset::new(vec![group("all", &pool, 0)], 100);
        let mut counts: HashMap<char, u64> = HashMap::new();
        for _ in 0..1500 {
            for c in set.sample(&mut rng).chars() {
                *counts.entry(c).or_default() += 1;
            }
        }
        assert_eq!(counts.len(), 94);
        let observed: Vec<u64> = pool.chars().map(|c| counts[&c]).collect();
        let expected = vec![150_000.0 / 94.0; 94];
        let stat = chi_square(&observed, &expected);
        assert!(stat < chi_square_critical(93.0, 5.0), "chi-square {stat}");
    }

    /// Class compositions of length-5 strings against their exact probabilities, for both strategies.
    #[test]
    fn compositions_follow_exact_probabilities() {
        let cases = [
            // Default-like minimums: rejection sampling.
            vec![
                group("lower", "abcdef", 1),
                group("numbers", "0123", 1),
                group("symbols", "!?", 1),
            ],
            // A heavy minimum on a small class: composition sampling.
            vec![
                group("lower", LOWERCASE, 0),
                group("numbers", "01", 3),
                group("symbols", "!", 1),
            ],
        ];
        for groups in cases {
            let length = 5u32;
            let set = Charset::new(groups.clone(), length);
            let total = count::log2(set.count()).exp2();
            // Enumerate compositions and their exact probabilities.
            let k = groups.len();
            let mut compositions: Vec<Vec<u32>> = Vec::new();
            let mut stack = vec![(Vec::new(), length)];
            while let Some((prefix, left)) = stack.pop() {
                if prefix.len() == k - 1 {
                    let mut full = prefix.clone();
                    full.push(left);
                    if full.iter().zip(&groups).all(|(c, g)| *c >= g.min) {
                        compositions.push(full);
                    }
                    continue;
                }
                for c in 0..=left {
                    let mut next = prefix.clone();
                    next.push(c);
                    stack.push((next, left - c));
                }
            }
            let probability = |comp: &[u32]| {
                let mut ways = 1f64;
                let mut left = length;
                for (c, g) in comp.iter().zip(&groups) {
                    ways *= count::log2(&count::binomial(left, *c)).exp2()
                        * (g.chars.len() as f64).powi(*c as i32);
                    left -= c;
                }
                ways / total
            };
            let probabilities: Vec<f64> = compositions.iter().map(|c| probability(c)).collect();
            assert!((probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);

            let draws = 120_000u64;
            let mut rng = StdRng::seed_from_u64(11);
            let index: HashMap<Vec<u32>, usize> = compositions
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, c)| (c, i))
                .collect();
            let mut observed = vec![0u64; compositions.len()];
            for _ in 0..draws {
                let s = set.sample(&mut rng);
                let comp: Vec<u32> = groups
                    .iter()
                    .map(|g| s.chars().filter(|c| g.chars.contains(c)).count() as u32)
                    .collect();
                observed[index[&comp]] += 1;
            }
            let expected: Vec<f64> = probabilities.iter().map(|p| p * draws as f64).collect();
            let stat = chi_square(&observed, &expected);
            let df = (compositions.len() - 1) as f64;
            assert!(
                stat < chi_square_critical(df, 5.0),
                "chi-square {stat} over {df} df for {groups:?}"
            );
        }
    }

    /// Every valid string of a tiny policy is drawn about equally often (uniform over the valid set,
    /// not merely over compositions), for each strategy.
    #[test]
    fn every_valid_string_is_equally_likely() {
        let cases = [
            // ≥ 2 digits in 3 characters over {a,b,0,1}: 3·2²·2 + 2³ = 32 strings; rejection sampling.
            (
                vec![group("lower", "ab", 0), group("numbers", "01", 2)],
                3,
                32usize,
                true,
            ),
            // ≥ 4 digits in 5 over 8 letters and {0,1}: 5·2⁴·8 + 2⁵ = 672 strings; composition sampling.
            (
                vec![group("lower", "abcdefgh", 0), group("numbers", "01", 4)],
                5,
                672,
                false,
            ),
        ];
        for (groups, length, expected_count, rejection) in cases {
            let set = Charset::new(groups, length);
            assert_eq!(
                matches!(set.strategy, Strategy::Rejection { .. }),
                rejection
            );
            assert_eq!(set.count(), &BigUint::from(expected_count));
            let mut rng = StdRng::seed_from_u64(3);
            let draws = 180 * expected_count as u64;
            let mut counts: HashMap<String, u64> = HashMap::new();
            for _ in 0..draws {
                *counts.entry(set.sample(&mut rng)).or_default() += 1;
            }
            assert_eq!(counts.len(), expected_count, "every valid string appears");
            let observed: Vec<u64> = counts.values().copied().collect();
            let expected = vec![draws as f64 / expected_count as f64; expected_count];
            let stat = chi_square(&observed, &expected);
            assert!(
                stat < chi_square_critical((expected_count - 1) as f64, 5.0),
                "chi-square {stat}"
            );
        }
    }

    #[test]
    fn shared_charsets_are_built_once_per_policy() {
        let a = Charset::shared(default_groups(), 18);
        let b = Charset::shared(default_groups(), 18);
        assert!(Arc::ptr_eq(&a, &b), "the same policy reuses its counting");
        let c = Charset::shared(default_groups(), 19);
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.count(), Charset::new(default_groups(), 19).count());
        assert_eq!(a.count(), Charset::new(default_groups(), 18).count());
    }
}
