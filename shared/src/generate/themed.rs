//! Password mode with a profession: one themed word at a uniform position of an otherwise random
//! password, its words grouped by length so that each length is counted once.

use super::charset::{Charset, Group};
use super::count::{self, Counts};
use super::profession::Profession;
use super::random;
use num_bigint::BigUint;
use rand::Rng;
use std::sync::Arc;

/// A profession's words that fit the pool, grouped by length: the count of a themed password
/// depends on a word only through its length, so each length is counted once.
#[derive(Clone, Debug, Default)]
pub(super) struct WordsByLength(std::collections::BTreeMap<u32, Vec<&'static str>>);

impl WordsByLength {
    pub(super) fn new(words: impl Iterator<Item = &'static str>) -> WordsByLength {
        let mut by_len = WordsByLength::default();
        for w in words {
            by_len.0.entry(w.len() as u32).or_default().push(w);
        }
        by_len
    }

    /// Whether some word leaves room for `required` characters in `length`.
    pub(super) fn fits(&self, length: u32, required: u32) -> bool {
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
    pub(super) fn log2_total_against(&self, counts: &Counts, length: u32, goal: f64) -> f64 {
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
pub(super) struct Themed {
    pub(super) profession: Profession,
    pub(super) length: u32,
    pub(super) groups: Vec<Group>,
    pub(super) pool_size: u32,
    /// (words of one length, sampler for the rest, weight = words × positions × rest count).
    buckets: Vec<(Vec<&'static str>, Charset, BigUint)>,
    pub(super) total: BigUint,
}

impl Themed {
    pub(super) fn new(
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

    pub(super) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
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
