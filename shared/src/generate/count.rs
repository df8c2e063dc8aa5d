//! Exact counting of the strings a character policy admits.
//!
//! A policy is a list of disjoint character groups, each with a minimum number of occurrences. The
//! number of valid strings of length `L` is
//! `N(L) = Σ over compositions (c_1..c_k), c_i ≥ m_i, Σc_i = L, of L!/(Π c_i!) · Π s_i^c_i`.
//! Two independent methods compute it: inclusion–exclusion over the violated minimums (fast when the
//! minimums are small, the usual case) and a dynamic programme over groups (always applicable, and the
//! source of the weights used to sample a composition). Tests check each against the other and
//! against brute-force enumeration.

use num_bigint::BigUint;
use num_traits::{One, Zero};

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
        Counts::new(groups, length).total(length).clone()
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

/// Exact counts for every length up to a bound, from one table: `rows[j][l]` is the number of
/// strings of length `l` over groups `j..` meeting their minimums (`rows[k]` is the empty suffix: 1
/// for `l = 0`). Every length of a policy, and the composition weights of its sampler, read the same
/// table, so nothing is counted twice.
///
/// Row `j` is the binomial convolution `rows[j][l] = Σ_{c ≥ m_j} C(l, c) s_j^c rows[j+1][l − c]`,
/// computed as the full convolution (a triangle of multiply-by-`s_j`-and-add steps, no big
/// products) minus its terms below the minimum, or directly when the minimum is so large that
/// few terms remain. The last row is the closed form `s^l` for `l ≥ m`. Cost: about `k · L² / 2`
/// small steps for `k` groups and lengths up to `L` (≈ 3 ms for 4 groups and 256 characters,
/// release build: `make bench`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    rows: Vec<Vec<BigUint>>,
}

impl Counts {
    /// The table of `groups` for every length `0..=max_length`.
    pub fn new(groups: &[GroupSize], max_length: u32) -> Counts {
        let len = max_length as usize + 1;
        let mut rows = vec![Vec::new(); groups.len() + 1];
        let mut empty = vec![BigUint::zero(); len];
        empty[0] = BigUint::one();
        rows[groups.len()] = empty;
        for j in (0..groups.len()).rev() {
            let group = groups[j];
            rows[j] = if j + 1 == groups.len() {
                // One group: s^l once the minimum is met.
                let mut row = powers(group.size, max_length);
                row.iter_mut()
                    .take(group.min as usize)
                    .for_each(|v| *v = BigUint::zero());
                row.truncate(len);
                row
            } else {
                convolve(group, &rows[j + 1])
            };
        }
        Counts { rows }
    }

    /// Largest length counted.
    pub fn max_length(&self) -> u32 {
        (self.rows[0].len() - 1) as u32
    }

    /// Valid strings of `length` characters (`length ≤ max_length`).
    pub fn total(&self, length: u32) -> &BigUint {
        &self.rows[0][length as usize]
    }

    /// Strings of `length` over groups `from..` meeting their minimums.
    pub fn suffix(&self, from: usize, length: u32) -> &BigUint {
        &self.rows[from][length as usize]
    }
}

/// `row[l] = Σ_{c ≥ m} C(l, c) s^c next[l − c]` for every `l` of `next`.
fn convolve(group: GroupSize, next: &[BigUint]) -> Vec<BigUint> {
    let len = next.len();
    let (s, m) = (group.size, group.min as usize);
    // Terms per length: below the minimum (subtracted from the full sum) or from it (summed directly).
    let below: usize = (0..len).map(|l| m.min(l + 1)).sum();
    let above: usize = (m..len).map(|l| l - m + 1).sum();
    // The full convolution's steps cost about a tenth of a big product each.
    let by_difference = below + len * len / 20 < above;
    let powers = powers(s, (len - 1) as u32);
    // Σ over c in `range` of C(l, c) s^c next[l − c], the binomial advanced incrementally.
    let partial = |l: usize, range: std::ops::Range<usize>| {
        let mut sum = BigUint::zero();
        let first = range.start;
        let mut choose = binomial(l as u32, first as u32);
        for c in range {
            if c > first {
                choose *= (l - c + 1) as u32;
                choose /= c as u32;
            }
            if !next[l - c].is_zero() {
                sum += &choose * &powers[c] * &next[l - c];
            }
        }
        sum
    };
    if !by_difference {
        return (0..len)
            .map(|l| {
                if l < m {
                    BigUint::zero()
                } else {
                    partial(l, m..l + 1)
                }
            })
            .collect();
    }
    // Full convolution by the triangle S_i(l + 1) = s · S_i(l) + S_{i+1}(l), S_i(0) = next[i]:
    // S_0(l) = Σ_c C(l, c) s^c next[l − c].
    let mut full = Vec::with_capacity(len);
    let mut triangle = next.to_vec();
    for l in 0..len {
        full.push(triangle[0].clone());
        for i in 0..len - l - 1 {
            let (head, tail) = triangle.split_at_mut(i + 1);
            head[i] *= s;
            head[i] += &tail[0];
        }
    }
    full.into_iter()
        .enumerate()
        .map(|(l, total)| total - partial(l, 0..m.min(l + 1)))
        .collect()
}

/// `table[j][l]`: the number of strings of length `l` over groups `j..` meeting their minimums
/// (`table[k]` is the empty suffix: 1 for `l = 0`). Row 0, column `length` is `N(length)`.
#[cfg(test)]
fn suffix_counts(groups: &[GroupSize], length: u32) -> Vec<Vec<BigUint>> {
    Counts::new(groups, length).rows
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
    let bits = n.bits();
    if bits == 0 {
        return f64::NEG_INFINITY;
    }
    // Keep the top 64 bits as a float mantissa and add back the shifted-out exponent.
    let shift = bits.saturating_sub(64);
    let top = (n >> shift).to_u64_digits().first().copied().unwrap_or(0);
    (top as f64).log2() + shift as f64
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
