//! Character classes and uniform sampling of strings that meet per-group minimums.
//!
//! [`Charset`] holds disjoint groups of characters with minimums. Sampling is exactly uniform over
//! every string of the requested length that meets all minimums:
//! - when a valid string takes few draws (at most 512 characters on average), draw characters
//!   uniformly from the whole pool and reject strings that miss a minimum (uniform on the accepted set);
//! - otherwise draw the class composition with its exact weight `C(l, c) · s^c · N_rest(l − c)`,
//!   arrange the class labels by a uniform shuffle, and draw each character uniformly within its class.
//!   Each class count is drawn from a floating-point proposal and accepted with the exact ratio of
//!   its true weight to the proposal ([`Composition`]): exact, yet no big-integer work per draw.
//!
//! Both are uniform: the second gives each string probability
//! `[multinomial · Π s^c / N] · [1 / multinomial] · [1 / Π s^c] = 1 / N`.

use super::count::{self, Counts, GroupSize};
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

/// Rejection sampling is used while a valid string costs at most this many character draws on
/// average (`length × all / valid`); beyond, the composition is drawn by its exact weight. This
/// bounds the draws of a 256-character password at 512 instead of 64 × 256.
const REJECTION_DRAWS: u32 = 512;

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
    /// Draw the composition by exact weights from the policy's table of counts.
    Composition(Composition),
}

impl Charset {
    /// Builds the sampler for `groups` (disjoint, non-empty) and `length`.
    /// The count is zero when the minimums exceed the length.
    pub fn new(groups: Vec<Group>, length: u32) -> Self {
        let sizes = sizes(&groups);
        if count::few_exclusions(&sizes) {
            let count = count::count_inclusion_exclusion(&sizes, length);
            Charset::build(groups, length, count, || {
                Arc::new(Counts::new(&sizes, length))
            })
        } else {
            Charset::with_counts(groups, length, &Arc::new(Counts::new(&sizes, length)))
        }
    }

    /// [`Charset::new`] reading its counts from `counts`, the table of the same groups up to at
    /// least `length` (several lengths of one policy share one table).
    pub fn with_counts(groups: Vec<Group>, length: u32, counts: &Arc<Counts>) -> Self {
        let count = counts.total(length);
        Charset::build(groups, length, count, || Arc::clone(counts))
    }

    fn build(
        groups: Vec<Group>,
        length: u32,
        count: BigUint,
        counts: impl FnOnce() -> Arc<Counts>,
    ) -> Self {
        let pool_size: u32 = groups.iter().map(|g| g.chars.len() as u32).sum();
        let all = BigUint::from(pool_size).pow(length);
        // Rejection while a string takes at most REJECTION_DRAWS character draws on average.
        let strategy = if &count * REJECTION_DRAWS >= all * length.max(1) {
            let pool = groups
                .iter()
                .enumerate()
                .flat_map(|(i, g)| g.chars.iter().map(move |&c| (c, i)))
                .collect();
            Strategy::Rejection { pool }
        } else {
            Strategy::Composition(Composition::new(&groups, length, counts()))
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
            Strategy::Composition(plan) => self.sample_composition(plan, rng),
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

    fn sample_composition<R: Rng + ?Sized>(&self, plan: &Composition, rng: &mut R) -> String {
        let mut labels = Vec::with_capacity(self.length as usize);
        let mut remaining = self.length;
        let last = self.groups.len() - 1;
        for j in 0..last {
            let chosen = plan.draw(j, remaining, rng);
            labels.extend(std::iter::repeat_n(j, chosen as usize));
            remaining -= chosen;
        }
        // The last group takes the rest: the draws above only leave counts it can meet.
        labels.extend(std::iter::repeat_n(last, remaining as usize));
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

/// Exact sampling of class counts, one class at a time, without big-integer work per draw.
///
/// Class `j` with `r` positions left takes `c` of them with probability `w(c) / W`, where
/// `w(c) = C(r, c) · s_j^c · N_{j+1}(r − c)` and `W = N_j(r)`, all exact in [`Counts`]. A draw takes
/// `c` from the proposal `q(c) = ⌊2^52 · p(c)⌋ + 1` (zero where `w(c) = 0`), `p` being `w / W` in
/// floating point, and accepts it with probability `w(c) · (2^52 − 2^32) / (W · q(c))`. Because
/// `p` is within `2^-20` of `w / W` (it is within ~1e-10: sums of 257 logarithms),
/// `q(c) ≥ (1 − 2^-20) · 2^52 · w(c) / W`, so the ratio is at most 1 and every accepted `c` has
/// probability exactly proportional to `w(c)`. The ratio is compared in floating point when it is
/// clearly above or below the uniform draw, and exactly in big integers in the ~1e-6 of cases that
/// are close. Almost every proposal is accepted (`1 − 2^-19`).
#[derive(Debug)]
pub struct Composition {
    counts: Arc<Counts>,
    sizes: Vec<u32>,
    mins: Vec<u32>,
    /// `log2 l!`.
    log_factorials: Vec<f64>,
    /// Proposals by (class, positions left), made on first use.
    proposals: std::sync::Mutex<std::collections::HashMap<(usize, u32), Arc<Proposal>>>,
}

/// The proposal of one (class, positions left): its first count, `p(c)`, and cumulative `q`.
#[derive(Debug)]
struct Proposal {
    first: u32,
    p: Vec<f64>,
    cumulative: Vec<u64>,
}

impl Proposal {
    /// Entry `i`: its class count, proposal weight `q` (zero where the true weight is zero), and
    /// the acceptance ratio `p · (2^52 − 2^32) / q` in floating point.
    fn entry(&self, i: usize) -> (u32, u64, f64) {
        let below = if i == 0 { 0 } else { self.cumulative[i - 1] };
        let q = self.cumulative[i] - below;
        let ratio = self.p[i] * SCALE_LESS_ERROR as f64 / q as f64;
        (self.first + i as u32, q, ratio)
    }
}

/// `2^52 − 2^32`: `2^52 · (1 − 2^-20)`, the proposal's scale less its error allowance.
const SCALE_LESS_ERROR: u64 = (1 << 52) - (1 << 32);
/// Relative margin within which the acceptance test is decided exactly.
const EXACT_MARGIN: f64 = 1e-6;
/// Proposals kept per policy (each at most 257 entries).
const PROPOSALS_KEPT: usize = 1024;

impl Clone for Composition {
    fn clone(&self) -> Self {
        Composition {
            counts: Arc::clone(&self.counts),
            sizes: self.sizes.clone(),
            mins: self.mins.clone(),
            log_factorials: self.log_factorials.clone(),
            proposals: Default::default(),
        }
    }
}

impl Composition {
    fn new(groups: &[Group], length: u32, counts: Arc<Counts>) -> Composition {
        Composition {
            counts,
            sizes: groups.iter().map(|g| g.chars.len() as u32).collect(),
            mins: groups.iter().map(|g| g.min).collect(),
            log_factorials: count::log2_factorials(length),
            proposals: Default::default(),
        }
    }

    fn proposal(&self, j: usize, left: u32) -> Arc<Proposal> {
        let mut kept = self.proposals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = kept.get(&(j, left)) {
            return Arc::clone(p);
        }
        let lf = &self.log_factorials;
        let log_size = f64::from(self.sizes[j]).log2();
        let log_total = self.counts.log2_suffix(j, left);
        let mut first = None;
        let (mut p, mut cumulative) = (Vec::new(), Vec::new());
        let mut running = 0u64;
        for c in self.mins[j].min(left + 1)..=left {
            let rest = (left - c) as usize;
            if !self.counts.possible(j + 1, left - c) {
                if first.is_some() {
                    p.push(0.0);
                    cumulative.push(running);
                }
                continue;
            }
            let (c_us, left_us) = (c as usize, left as usize);
            let log_weight = lf[left_us] - lf[c_us] - lf[rest]
                + f64::from(c) * log_size
                + self.counts.log2_suffix(j + 1, rest as u32);
            let share = (log_weight - log_total).exp2();
            if first.is_none() {
                first = Some(c);
            }
            p.push(share);
            // ⌊2^52 · p⌋ + 1, so that every possible count can be proposed.
            running += (share * (1u64 << 52) as f64).floor() as u64 + 1;
            cumulative.push(running);
        }
        let proposal = Arc::new(Proposal {
            first: first.unwrap_or(left),
            p,
            cumulative,
        });
        if kept.len() >= PROPOSALS_KEPT {
            kept.clear();
        }
        kept.insert((j, left), Arc::clone(&proposal));
        proposal
    }

    /// Draws how many of `left` positions class `j` takes.
    fn draw<R: Rng + ?Sized>(&self, j: usize, left: u32, rng: &mut R) -> u32 {
        let proposal = self.proposal(j, left);
        let total = *proposal
            .cumulative
            .last()
            .expect("a non-empty set has a count");
        loop {
            let x = random::below_u64(rng, total);
            let i = proposal.cumulative.partition_point(|&q| q <= x);
            let (c, q, ratio) = proposal.entry(i);
            if q == 0 {
                continue;
            }
            let u = rng.next_u64();
            let uniform = u as f64 / 2f64.powi(64);
            if uniform < ratio * (1.0 - EXACT_MARGIN) {
                return c;
            }
            // (u = 0 is below even a ratio that underflowed to zero.)
            if uniform >= ratio * (1.0 + EXACT_MARGIN) && u != 0 {
                continue;
            }
            if self.accept_exactly(j, left, c, q, u) {
                return c;
            }
        }
    }

    /// `u / 2^64 < w(c) · (2^52 − 2^32) / (W · q)`, in integers:
    /// `u · W · q · c! · (l − c)! < l! · s^c · N_{j+1}(l − c) · (2^52 − 2^32) · 2^64`.
    fn accept_exactly(&self, j: usize, left: u32, c: u32, q: u64, u: u64) -> bool {
        let factorial = |n: u32| -> BigUint { (1..=n).product() };
        let lhs =
            BigUint::from(u) * self.counts.suffix(j, left) * q * factorial(c) * factorial(left - c);
        let rhs = (factorial(left)
            * BigUint::from(self.sizes[j]).pow(c)
            * self.counts.suffix(j + 1, left - c)
            * SCALE_LESS_ERROR)
            << 64u32;
        lhs < rhs
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
    use crate::generate::stats::{chi_square, chi_square_critical};
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
            Strategy::Composition(_)
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

    /// README's claim: the common "fill the required characters, then shuffle" method is not
    /// uniform over the valid strings, and a chi-square test on the number of digits sees it,
    /// while the same test accepts this generator. At least 2 digits in 3 characters over
    /// {a, b, 0, 1}: of the 32 valid strings, 8 are all digits (1/4); filling two digits and one
    /// character from the whole pool makes it 1/2.
    #[test]
    fn fill_then_shuffle_is_not_uniform_and_the_test_tells_it_from_this_generator() {
        let groups = vec![group("lower", "ab", 0), group("numbers", "01", 2)];
        let set = Charset::new(groups, 3);
        let pool: Vec<char> = "ab01".chars().collect();
        let digits: Vec<char> = "01".chars().collect();
        let fill_then_shuffle = |rng: &mut StdRng| -> String {
            let mut chars = vec![
                digits[random::below(rng, 2) as usize],
                digits[random::below(rng, 2) as usize],
                pool[random::below(rng, 4) as usize],
            ];
            random::shuffle(rng, &mut chars);
            chars.into_iter().collect()
        };
        // Valid strings by number of digits: 2 digits: 3 positions · 2² digit choices · 2 letters.
        let expected_share = [24.0 / 32.0, 8.0 / 32.0];
        let draws = 20_000u64;
        let statistic = |sample: &mut dyn FnMut() -> String| {
            let mut observed = [0u64; 2];
            for _ in 0..draws {
                let s = sample();
                let n = s.chars().filter(|c| c.is_ascii_digit()).count();
                assert!(n >= 2, "{s}");
                observed[n - 2] += 1;
            }
            let expected: Vec<f64> = expected_share.iter().map(|p| p * draws as f64).collect();
            chi_square(&observed, &expected)
        };
        let critical = chi_square_critical(1.0, 5.0);
        let mut rng = StdRng::seed_from_u64(17);
        let naive = statistic(&mut || fill_then_shuffle(&mut rng));
        assert!(
            naive > critical,
            "fill then shuffle looked uniform: {naive}"
        );
        let mut rng = StdRng::seed_from_u64(17);
        let ours = statistic(&mut || set.sample(&mut rng));
        assert!(ours < critical, "this generator failed: {ours}");
    }

    fn composition_of(set: &Charset) -> &Composition {
        match &set.strategy {
            Strategy::Composition(plan) => plan,
            Strategy::Rejection { .. } => panic!("a heavy policy samples compositions"),
        }
    }

    /// The first class's count in long, heavily constrained strings (the floating-point proposal
    /// spans hundreds of orders of magnitude there) against its exact distribution.
    #[test]
    fn long_compositions_follow_exact_probabilities() {
        let groups = vec![
            group("numbers", "0", 20),
            group("symbols", "!?", 30),
            group("lower", LOWERCASE, 0),
        ];
        let length = 200;
        let set = Charset::new(groups.clone(), length);
        let plan = composition_of(&set);
        let counts = &plan.counts;
        let total = counts.total(length);
        let probability = |c: u32| {
            let weight = count::binomial(length, c) * counts.suffix(1, length - c);
            (count::log2(&weight) - count::log2(&total)).exp2()
        };
        let draws = 60_000u64;
        let mut rng = StdRng::seed_from_u64(5);
        let mut observed: HashMap<u32, u64> = HashMap::new();
        for _ in 0..draws {
            let zeros = set.sample(&mut rng).chars().filter(|&c| c == '0').count() as u32;
            assert!(zeros >= 20);
            *observed.entry(zeros).or_default() += 1;
        }
        // Bins of at least 5 expected draws; the tail pooled into one.
        let (mut obs, mut exp) = (Vec::new(), Vec::new());
        let (mut tail_obs, mut tail_exp) = (0u64, 0f64);
        for c in 20..=length - 30 {
            let e = probability(c) * draws as f64;
            let o = observed.get(&c).copied().unwrap_or(0);
            if e >= 5.0 {
                obs.push(o);
                exp.push(e);
            } else {
                tail_obs += o;
                tail_exp += e;
            }
        }
        obs.push(tail_obs);
        exp.push(tail_exp.max(1e-9));
        let stat = chi_square(&obs, &exp);
        let df = (obs.len() - 1) as f64;
        assert!(
            stat < chi_square_critical(df, 5.0),
            "chi-square {stat} over {df} df"
        );
    }

    /// The exact acceptance test agrees with the real-number comparison it stands for.
    #[test]
    fn the_exact_acceptance_test_matches_the_ratio() {
        let groups = vec![group("numbers", "01", 12), group("lower", LOWERCASE, 0)];
        let set = Charset::new(groups, 40);
        let plan = composition_of(&set);
        let mut rng = StdRng::seed_from_u64(9);
        let proposal = plan.proposal(0, 40);
        let mut decided = (0, 0);
        for i in 0..proposal.p.len() {
            let (c, q, ratio) = proposal.entry(i);
            if q == 0 {
                continue;
            }
            assert!(
                ratio <= 1.0 + 1e-9,
                "the proposal covers the weight: {ratio}"
            );
            for _ in 0..200 {
                let u = rng.next_u64();
                let uniform = u as f64 / 2f64.powi(64);
                if (uniform - ratio).abs() > 1e-9 * ratio.max(1e-300) {
                    let exact = plan.accept_exactly(0, 40, c, q, u);
                    assert_eq!(exact, uniform < ratio, "c={c} q={q} u={u}");
                    if exact {
                        decided.0 += 1
                    } else {
                        decided.1 += 1
                    }
                }
            }
        }
        assert!(decided.0 > 0 && decided.1 > 0, "{decided:?}");
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
