//! The counts under the run limit: every string, and the valid ones (every required set met) by
//! inclusion–exclusion over the sets a string misses.

use super::alphabet::Alphabet;
use super::limbs::{ByLength, Count, add_product, subtract};

/// The counts under the run limit alone over an alphabet of `N` characters, for every length.
#[derive(Clone, Debug)]
pub(super) struct RunLimited {
    /// `G(r)`: the ways to go on for `r` characters after a run ended (the next character unlike
    /// it). With every set met, the ways to finish.
    pub after_run: ByLength,
    /// `V(r) = Σ G(r − L)` over run lengths `L` in `1..=min(run, r)`: the ways once a run has
    /// begun; `N · V(r)` strings of `r` characters keep the limit.
    pub from_run_start: ByLength,
}

/// [`RunLimited`] for an alphabet of `size` characters and runs of at most `run`.
pub(super) fn run_limited(size: usize, run: usize, max_length: usize, width: usize) -> RunLimited {
    let mut after_run = ByLength::new(width, max_length + 1);
    let mut from_run_start = ByLength::new(width, max_length + 1);
    for r in 0..=max_length {
        let mut started = Count::default();
        let mut ended = Count::default();
        if r == 0 {
            ended[0] = 1;
        } else {
            add_product(&mut started[..width], from_run_start.get(r - 1), 1);
            add_product(&mut started[..width], after_run.get(r - 1), 1);
            if r > run {
                subtract(&mut started[..width], after_run.get(r - 1 - run));
            }
            add_product(&mut ended[..width], &started[..width], size as u64 - 1);
        }
        from_run_start.push(&started);
        after_run.push(&ended);
    }
    RunLimited {
        after_run,
        from_run_start,
    }
}

/// The inclusion–exclusion terms: for each alphabet size left once some required sets are taken
/// out, the sum of `(−1)^|S|` over the sets `S` that leave it.
fn missed_sets_terms(alphabet: &Alphabet) -> Vec<(usize, i64)> {
    let mut terms: Vec<(usize, i64)> = Vec::new();
    for missed in 0usize..1 << alphabet.sets {
        let left: usize = alphabet
            .atoms
            .iter()
            .filter(|(_, sets)| *sets as usize & missed == 0)
            .map(|(members, _)| members.len())
            .sum();
        let sign = if missed.count_ones() % 2 == 0 { 1 } else { -1 };
        match terms.iter_mut().find(|(size, _)| *size == left) {
            Some((_, c)) => *c += sign,
            None => terms.push((left, sign)),
        }
    }
    terms.retain(|&(size, coefficient)| size > 0 && coefficient != 0);
    terms
}

/// The valid strings of `r` characters (a character of every required set, no run longer than
/// `run`) for every `r` up to `max_length` (none of 0 characters): `Σ_S (−1)^|S| · U(N − |∪S|)`
/// where `U(n)` counts the strings over `n` characters that keep the run limit.
pub(super) fn valid_counts(
    alphabet: &Alphabet,
    run: usize,
    max_length: usize,
    width: usize,
) -> ByLength {
    let mut positive = vec![Count::default(); max_length + 1];
    let mut negative = vec![Count::default(); max_length + 1];
    for (size, coefficient) in missed_sets_terms(alphabet) {
        let counts = run_limited(size, run, max_length, width);
        let sum = if coefficient > 0 {
            &mut positive
        } else {
            &mut negative
        };
        for (r, acc) in sum.iter_mut().enumerate().skip(1) {
            add_product(
                &mut acc[..width],
                counts.from_run_start.get(r),
                size as u64 * coefficient.unsigned_abs(),
            );
        }
    }
    let mut valid = ByLength::new(width, max_length + 1);
    for (mut p, n) in positive.into_iter().zip(&negative) {
        subtract(&mut p[..width], &n[..width]);
        valid.push(&p);
    }
    valid
}
