//! Exact counting of the strings a character policy admits.
//!
//! A policy is a list of disjoint character groups, each with a minimum number of occurrences. The
//! number of valid strings of length `L` is
//! `N(L) = Σ over compositions (c_1..c_k), c_i ≥ m_i, Σc_i = L, of L!/(Π c_i!) · Π s_i^c_i`.
//! Two independent methods compute it: inclusion–exclusion over the violated minimums (fast when the
//! minimums are small, the usual case) and [`Counts`], which joins two halves of the groups counted in
//! linear time (always applicable), beside its floating-point `log2` table that the composition
//! sampler's proposals read. Tests check each against the other, against the textbook dynamic
//! programme and against brute-force enumeration.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use std::sync::OnceLock;

/// One group of characters as far as counting is concerned: how many characters it has and the least
/// number of them a valid string contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSize {
    /// Number of distinct characters in the group (groups are disjoint).
    pub size: u32,
    /// Minimum occurrences required.
    pub min: u32,
}

/// Inclusion–exclusion is used while it needs at most this many terms (`Π (m_i + 1)`).
const INCLUSION_EXCLUSION_TERMS: u64 = 64;

/// The exact number of strings of `length` characters satisfying every group minimum (the
/// generator reads it from a [`Counts`] table or [`count_inclusion_exclusion`] directly).
#[cfg(test)]
fn count(groups: &[GroupSize], length: u32) -> BigUint {
    if few_exclusions(groups) {
        count_inclusion_exclusion(groups, length)
    } else {
        Counts::new(groups, length).total(length)
    }
}

/// Whether inclusion–exclusion counts one length of `groups` in a few small terms (the usual
/// minimums of 0–2), cheaper than a table of every length.
pub fn few_exclusions(groups: &[GroupSize]) -> bool {
    let terms: u64 = groups
        .iter()
        .map(|g| u64::from(g.min) + 1)
        .try_fold(1u64, |acc, t| acc.checked_mul(t))
        .unwrap_or(u64::MAX);
    terms <= INCLUSION_EXCLUSION_TERMS
}

/// `N(L)` by inclusion–exclusion: `Σ_T (−1)^|T| A_T`, where `A_T` counts strings in which every group in
/// `T` occurs fewer times than its minimum (any number of times for the others).
pub fn count_inclusion_exclusion(groups: &[GroupSize], length: u32) -> BigUint {
    if groups.iter().map(|g| u64::from(g.min)).sum::<u64>() > u64::from(length) {
        return BigUint::zero();
    }
    let total: u32 = groups.iter().map(|g| g.size).sum();
    let constrained: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].min > 0).collect();
    let mut positive = BigUint::zero();
    let mut negative = BigUint::zero();
    for subset in 0u32..(1 << constrained.len()) {
        let members: Vec<GroupSize> = constrained
            .iter()
            .enumerate()
            .filter(|(bit, _)| subset & (1 << bit) != 0)
            .map(|(_, &i)| groups[i])
            .collect();
        let rest = total - members.iter().map(|g| g.size).sum::<u32>();
        let term = violations(&members, length, rest);
        if members.len().is_multiple_of(2) {
            positive += term;
        } else {
            negative += term;
        }
    }
    positive - negative
}

/// `A_T`: strings of `length` where each group in `members` occurs `< min` times and the remaining
/// positions hold any of `rest` other characters.
fn violations(members: &[GroupSize], length: u32, rest: u32) -> BigUint {
    fn go(members: &[GroupSize], remaining: u32, rest: u32) -> BigUint {
        match members.split_first() {
            None => BigUint::from(rest).pow(remaining),
            Some((group, others)) => {
                let mut sum = BigUint::zero();
                for c in 0..group.min.min(remaining + 1) {
                    sum += binomial(remaining, c)
                        * BigUint::from(group.size).pow(c)
                        * go(others, remaining - c, rest);
                }
                sum
            }
        }
    }
    go(members, length, rest)
}

/// Exact and floating-point counts of a policy for every length up to a bound, each computed once.
///
/// `N_j(l)` is the number of strings of length `l` over groups `j..` meeting their minimums.
/// - **Exact** values come from splitting the groups in two halves: `N(l) = Σ_a C(l, a) · H(a) ·
///   T(l − a)`, where the head `H` and tail `T` (at most two groups each for the four classes) are
///   counted for every length in linear time (one group: `s^l`; two groups: the recurrence of
///   `pair_row`). One exact count costs `l + 1` big products, ~0.1 ms at 256 characters; the
///   halves are kept, so each further length costs the same again.
/// - **`log2 N_j(l)`** for every row and length, in floating point (a sum of logarithms and
///   `exp2`, relative error ~1e-12), made on first use: the sampler's proposals and the search for
///   a length that reaches an entropy target read it, and confirm exactly where it is too close to
///   call. ~0.5 ms for four groups and 256 characters (release build: `make bench`).
#[derive(Debug)]
pub struct Counts {
    groups: Vec<GroupSize>,
    max_length: u32,
    /// Exact counts of the first and second half of the groups for every length.
    head: Vec<BigUint>,
    tail: Vec<BigUint>,
    logs: OnceLock<Vec<Vec<f64>>>,
}

impl Counts {
    /// The counts of `groups` for every length `0..=max_length`.
    pub fn new(groups: &[GroupSize], max_length: u32) -> Counts {
        let split = groups.len() / 2;
        Counts {
            groups: groups.to_vec(),
            max_length,
            head: exact_row(&groups[..split], max_length),
            tail: exact_row(&groups[split..], max_length),
            logs: OnceLock::new(),
        }
    }

    /// Largest length counted.
    pub fn max_length(&self) -> u32 {
        self.max_length
    }

    /// Valid strings of `length` characters (`length ≤ max_length`), exactly.
    pub fn total(&self, length: u32) -> BigUint {
        join(&self.head, &self.tail, length)
    }

    /// Strings of `length` over groups `from..` meeting their minimums, exactly (`from = 0`:
    /// [`Counts::total`]).
    pub fn suffix(&self, from: usize, length: u32) -> BigUint {
        if from == 0 {
            return self.total(length);
        }
        entry(&self.groups[from..], length)
    }

    /// Whether any string of `length` over groups `from..` meets their minimums.
    pub fn possible(&self, from: usize, length: u32) -> bool {
        self.groups[from..]
            .iter()
            .map(|g| u64::from(g.min))
            .sum::<u64>()
            <= u64::from(length)
    }

    /// `log2 N_from(length)`, to ~1e-12 relative (`−∞` when no string is valid).
    pub fn log2_suffix(&self, from: usize, length: u32) -> f64 {
        self.logs
            .get_or_init(|| log_rows(&self.groups, self.max_length))[from][length as usize]
    }

    /// `log2 N(length)` to ~1e-12, or exactly (as [`log2`] of [`Counts::total`]) when it is within
    /// `1e-6` bits of `goal`: a comparison with `goal` gives the exact count's answer.
    pub fn log2_total_against(&self, length: u32, goal: f64) -> f64 {
        let approx = self.log2_suffix(0, length);
        if (approx - goal).abs() < CLOSE_CALL_BITS {
            log2(&self.total(length))
        } else {
            approx
        }
    }
}

/// Within this many bits of a target, the floating-point `log2` defers to the exact count.
pub const CLOSE_CALL_BITS: f64 = 1e-6;

/// `Σ_a C(l, a) · head[a] · tail[l − a]`: strings of length `l` over two disjoint sets of groups.
fn join(head: &[BigUint], tail: &[BigUint], l: u32) -> BigUint {
    let l = l as usize;
    let mut sum = BigUint::zero();
    let mut choose = BigUint::one();
    for a in 0..=l {
        if a > 0 {
            choose *= (l - a + 1) as u32;
            choose /= a as u32;
        }
        if !head[a].is_zero() && !tail[l - a].is_zero() {
            sum += &head[a] * &tail[l - a] * &choose;
        }
    }
    sum
}

/// `N(l)` of `groups` for one length.
fn entry(groups: &[GroupSize], l: u32) -> BigUint {
    let split = groups.len() / 2;
    join(
        &exact_row(&groups[..split], l),
        &exact_row(&groups[split..], l),
        l,
    )
}

/// `N(l)` of `groups` for every `l ≤ max`: linear time for up to two groups.
fn exact_row(groups: &[GroupSize], max: u32) -> Vec<BigUint> {
    match groups {
        [] => {
            let mut row = vec![BigUint::zero(); max as usize + 1];
            row[0] = BigUint::one();
            row
        }
        [one] => {
            let mut row = powers(one.size, max);
            row.iter_mut()
                .take(one.min as usize)
                .for_each(|v| *v = BigUint::zero());
            row
        }
        [a, b] => pair_row(*a, *b, max),
        _ => {
            // Not reached by the four character classes (halves of at most two); kept general.
            let split = groups.len() / 2;
            let (head, tail) = (
                exact_row(&groups[..split], max),
                exact_row(&groups[split..], max),
            );
            (0..=max).map(|l| join(&head, &tail, l)).collect()
        }
    }
}

/// Two groups `(a, A)` and `(b, B)`: `F(l) = Σ_{c=A}^{l−B} C(l, c) a^c b^{l−c}` for every `l ≤ max`.
/// Pascal's rule gives `F(l) = (a + b) F(l − 1) + C(l − 1, A − 1) a^A b^{l−A}
/// + C(l − 1, B − 1) a^{l−B} b^B` (each extra term only for a non-zero minimum) above
/// `F(A + B) = C(A + B, A) a^A b^B`, and `F = 0` below.
fn pair_row(first: GroupSize, second: GroupSize, max: u32) -> Vec<BigUint> {
    let (a, b) = (first.size, second.size);
    let (big_a, big_b) = (first.min as usize, second.min as usize);
    let (pa, pb) = (powers(a, max), powers(b, max));
    let max = max as usize;
    let mut row = vec![BigUint::zero(); max + 1];
    let start = big_a + big_b;
    if start > max {
        return row;
    }
    row[start] = binomial(start as u32, big_a as u32) * &pa[big_a] * &pb[big_b];
    // C(l − 1, A − 1) and C(l − 1, B − 1), advanced with l.
    let mut choose_a = binomial(start as u32, big_a.saturating_sub(1) as u32);
    let mut choose_b = binomial(start as u32, big_b.saturating_sub(1) as u32);
    for l in start + 1..=max {
        let mut next = &row[l - 1] * (a + b);
        if big_a > 0 {
            next += &choose_a * &pa[big_a] * &pb[l - big_a];
            choose_a *= l as u32;
            choose_a /= (l + 1 - big_a) as u32;
        }
        if big_b > 0 {
            next += &choose_b * &pa[l - big_b] * &pb[big_b];
            choose_b *= l as u32;
            choose_b /= (l + 1 - big_b) as u32;
        }
        row[l] = next;
    }
    row
}

/// `log2 N_j(l)` for every row `j` (row `k`: the empty suffix) and `l ≤ max`, in floating point:
/// `N_j(l) = Σ_{c ≥ m_j} C(l, c) s_j^c N_{j+1}(l − c)` summed as powers of two relative to its
/// largest term, so nothing overflows or underflows.
fn log_rows(groups: &[GroupSize], max: u32) -> Vec<Vec<f64>> {
    let len = max as usize + 1;
    let lf = &log2_factorials(max);
    let mut rows = vec![Vec::new(); groups.len() + 1];
    let mut empty = vec![f64::NEG_INFINITY; len];
    empty[0] = 0.0;
    rows[groups.len()] = empty;
    let mut terms = Vec::with_capacity(len);
    for j in (0..groups.len()).rev() {
        let (m, log_s) = (groups[j].min as usize, f64::from(groups[j].size).log2());
        let next = &rows[j + 1];
        let row: Vec<f64> = (0..len)
            .map(|l| {
                terms.clear();
                let mut top = f64::NEG_INFINITY;
                for c in m..=l {
                    if next[l - c] == f64::NEG_INFINITY {
                        continue;
                    }
                    let t = lf[l] - lf[c] - lf[l - c] + c as f64 * log_s + next[l - c];
                    top = top.max(t);
                    terms.push(t);
                }
                if terms.is_empty() {
                    return f64::NEG_INFINITY;
                }
                top + terms.iter().map(|t| (t - top).exp2()).sum::<f64>().log2()
            })
            .collect();
        rows[j] = row;
    }
    rows
}

/// `table[j][l]`: the number of strings of length `l` over groups `j..` meeting their minimums
/// (`table[k]` is the empty suffix: 1 for `l = 0`). Row 0, column `length` is `N(length)`.
#[cfg(test)]
fn suffix_counts(groups: &[GroupSize], length: u32) -> Vec<Vec<BigUint>> {
    let counts = Counts::new(groups, length);
    let mut rows: Vec<Vec<BigUint>> = (0..groups.len())
        .map(|j| (0..=length).map(|l| counts.suffix(j, l)).collect())
        .collect();
    rows.push(exact_row(&[], length));
    rows
}

/// The same table by the textbook dynamic programme, one big product per term: the reference the
/// tests hold [`Counts`] against.
#[cfg(test)]
fn suffix_counts_reference(groups: &[GroupSize], length: u32) -> Vec<Vec<BigUint>> {
    let len = length as usize;
    let mut table = vec![vec![BigUint::zero(); len + 1]; groups.len() + 1];
    table[groups.len()][0] = BigUint::one();
    for j in (0..groups.len()).rev() {
        let group = groups[j];
        let powers = powers(group.size, length);
        for l in 0..=len {
            let mut sum = BigUint::zero();
            for c in group.min as usize..=l {
                sum += binomial(l as u32, c as u32) * &powers[c] * &table[j + 1][l - c];
            }
            table[j][l] = sum;
        }
    }
    table
}

/// `log2 n!` for every `n ≤ max`.
pub fn log2_factorials(max: u32) -> Vec<f64> {
    let mut sum = 0.0;
    (0..=max)
        .map(|n| {
            if n > 1 {
                sum += f64::from(n).log2();
            }
            sum
        })
        .collect()
}

/// `[1, base, base², …, base^length]`.
pub fn powers(base: u32, length: u32) -> Vec<BigUint> {
    let mut out = Vec::with_capacity(length as usize + 1);
    let mut p = BigUint::one();
    for _ in 0..=length {
        out.push(p.clone());
        p *= base;
    }
    out
}

/// The binomial coefficient `C(n, k)`.
pub fn binomial(n: u32, k: u32) -> BigUint {
    if k > n {
        return BigUint::zero();
    }
    let k = k.min(n - k);
    let mut out = BigUint::one();
    for i in 0..k {
        out = out * (n - i) / (i + 1);
    }
    out
}

/// `log2(n)` to double precision, for counts far beyond `f64`'s range.
pub fn log2(n: &BigUint) -> f64 {
    // The top two 64-bit digits as a float mantissa (no allocation), the rest as the exponent.
    let mut digits = n.iter_u64_digits();
    let below = digits.len().saturating_sub(2);
    match (digits.next_back(), digits.next_back()) {
        (None, _) => f64::NEG_INFINITY,
        (Some(top), None) => (top as f64).log2(),
        (Some(top), Some(next)) => {
            (top as f64 * 18_446_744_073_709_551_616.0 + next as f64).log2() + (64 * below) as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(size: u32, min: u32) -> GroupSize {
        GroupSize { size, min }
    }

    /// Enumerates every string over the groups' characters and counts those meeting the minimums.
    fn brute_force(groups: &[GroupSize], length: u32) -> u64 {
        let labels: Vec<usize> = groups
            .iter()
            .enumerate()
            .flat_map(|(i, grp)| std::iter::repeat_n(i, grp.size as usize))
            .collect();
        let base = labels.len() as u64;
        let mut valid = 0;
        for code in 0..base.pow(length) {
            let mut tally = vec![0u32; groups.len()];
            let mut x = code;
            for _ in 0..length {
                tally[labels[(x % base) as usize]] += 1;
                x /= base;
            }
            if tally.iter().zip(groups).all(|(t, grp)| *t >= grp.min) {
                valid += 1;
            }
        }
        valid
    }

    #[test]
    fn both_methods_match_brute_force_on_small_policies() {
        let policies: Vec<Vec<GroupSize>> = vec![
            vec![g(2, 1), g(2, 1), g(1, 1), g(2, 1)],
            vec![g(3, 2), g(2, 0), g(1, 1)],
            vec![g(1, 3), g(2, 1)],
            vec![g(4, 0)],
            vec![g(2, 2), g(2, 2), g(1, 2)],
        ];
        for groups in &policies {
            for length in 0..=7 {
                let expected = BigUint::from(brute_force(groups, length));
                assert_eq!(
                    count_inclusion_exclusion(groups, length),
                    expected,
                    "{groups:?} L={length}"
                );
                assert_eq!(
                    suffix_counts(groups, length)[0][length as usize],
                    expected,
                    "{groups:?} L={length}"
                );
            }
        }
    }

    #[test]
    fn methods_agree_on_realistic_policies() {
        let policies = [
            vec![g(26, 1), g(26, 1), g(10, 1), g(32, 1)],
            vec![g(26, 3), g(26, 0), g(10, 5), g(32, 2)],
            vec![g(23, 1), g(24, 1), g(8, 1)],
            vec![g(94, 0)],
        ];
        for groups in &policies {
            for length in [4, 12, 18, 40, 128, 256] {
                assert_eq!(
                    count_inclusion_exclusion(groups, length),
                    suffix_counts(groups, length)[0][length as usize],
                    "{groups:?} L={length}"
                );
            }
        }
    }

    #[test]
    fn the_table_matches_the_textbook_programme() {
        let policies = [
            vec![g(26, 1), g(26, 1), g(10, 1), g(32, 1)],
            vec![g(26, 3), g(26, 0), g(10, 5), g(32, 2)],
            vec![g(26, 60), g(26, 60), g(10, 60), g(32, 60)],
            vec![g(1, 200), g(93, 0)],
            vec![g(10, 0), g(2, 7), g(3, 120)],
            vec![g(94, 0)],
        ];
        for groups in &policies {
            assert_eq!(
                suffix_counts(groups, 256),
                suffix_counts_reference(groups, 256),
                "{groups:?}"
            );
        }
    }

    #[test]
    fn the_floating_point_logs_match_the_exact_counts() {
        let policies = [
            vec![g(26, 60), g(26, 60), g(10, 60), g(32, 60)],
            vec![g(1, 200), g(93, 0)],
            vec![g(10, 0), g(2, 7), g(3, 120)],
            vec![g(1, 250), g(1, 3), g(94, 1)],
        ];
        for groups in &policies {
            let counts = Counts::new(groups, 256);
            let exact = suffix_counts_reference(groups, 256);
            for (j, row) in exact.iter().enumerate().take(groups.len()) {
                for (l, n) in row.iter().enumerate() {
                    let (want, got) = (log2(n), counts.log2_suffix(j, l as u32));
                    assert_eq!(want.is_finite(), got.is_finite(), "{groups:?} j={j} l={l}");
                    assert_eq!(counts.possible(j, l as u32), !n.is_zero());
                    if want.is_finite() {
                        assert!(
                            (want - got).abs() <= 1e-9 * want.max(1.0),
                            "{want} vs {got}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_close_call_against_a_goal_is_decided_exactly() {
        let groups = [g(26, 3), g(26, 3), g(10, 3), g(32, 3)];
        let counts = Counts::new(&groups, 40);
        let exact = log2(&counts.total(40));
        assert_eq!(counts.log2_total_against(40, exact), exact);
        assert_eq!(counts.log2_total_against(40, exact + 1e-9), exact);
        // Far from the goal the floating-point value answers.
        assert_eq!(
            counts.log2_total_against(40, exact - 1.0),
            counts.log2_suffix(0, 40)
        );
    }

    #[test]
    fn known_closed_forms() {
        // One lowercase and one digit in two characters: 2 orders × 26 × 10.
        assert_eq!(count(&[g(26, 1), g(10, 1)], 2), BigUint::from(520u32));
        // Without minimums the count is the plain power.
        assert_eq!(count(&[g(94, 0)], 18), BigUint::from(94u32).pow(18));
        // Default policy, 18 characters: Σ over removed class sets S of (−1)^|S| (94 − size(S))^18.
        let p = |b: u32| BigUint::from(b).pow(18);
        let sizes = [26u32, 26, 10, 32];
        let mut pos = BigUint::zero();
        let mut neg = BigUint::zero();
        for mask in 0u32..16 {
            let removed: u32 = (0..4)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| sizes[i])
                .sum();
            if mask.count_ones() % 2 == 0 {
                pos += p(94 - removed)
            } else {
                neg += p(94 - removed)
            }
        }
        let generic = pos - neg;
        assert_eq!(
            count(&[g(26, 1), g(26, 1), g(10, 1), g(32, 1)], 18),
            generic
        );
    }

    #[test]
    fn impossible_minimums_count_zero() {
        assert!(count(&[g(26, 3), g(10, 3)], 5).is_zero());
    }

    #[test]
    fn log2_is_accurate_for_huge_counts() {
        let n = BigUint::from(94u32).pow(256);
        assert!((log2(&n) - 256.0 * 94f64.log2()).abs() < 1e-9);
        assert_eq!(log2(&BigUint::from(1024u32)), 10.0);
    }
}
