//! The count of strings over an alphabet with no run of more than `r` identical characters and
//! no run of more than `s` characters stepping by +1 (or by −1) through `a-z`, `A-Z` or `0-9`,
//! for every length, exactly.
//!
//! The ways to finish after a character `c` in a state (a repeat of `j`, an ascending or a
//! descending run of `j`, or fresh, which is a run of one of each) with `l` characters left:
//! `W(l, c, R_j) = BR(l, c) + [j < r] W(l − 1, c, R_{j+1})`, where `BR` is every next character
//! but `c` itself: a non-neighbour starts fresh, `c + 1` an ascending run of 2, `c − 1` a
//! descending one; `W(l, c, U_j) = BU(l, c) + [j < s] W(l − 1, c + 1, U_{j+1})` (and `D` alike
//! down the chain). Unrolled, a repeat's ways are a window of `BR` over `l` and a run's a diagonal
//! of `BU` over (`l`, chain position): prefix sums make each O(1), so a length costs O(|alphabet|)
//! exact additions. Characters at the same place in chains of the same length are alike, so the
//! passes run over those kinds; descending ways are the ascending ways of the mirrored kind.
//!
//! [`Runs::sample`] draws a string that keeps both limits forward: after `c` the next character is
//! `c` again, `c + 1`, `c − 1` or any other (fresh), each weighted by its ways to finish (floats,
//! settled exactly near a boundary), and "any other" is drawn from the fresh shares of its
//! length, drawn again when it hits one of the three. [`valid_counts`] adds the required sets by
//! inclusion–exclusion. Cost: `2^sets` passes of `length × kinds` cells of up to
//! `length × log2(alphabet) / 64` limbs (hence [`MAX_SEQUENCE_LENGTH`]); a draw is O(log alphabet)
//! a character.

use super::choice::{choose, choose_exactly};
use super::limbs::{add_product, subtract, to_big, to_f64};
use num_bigint::BigUint;
use rand::Rng;
use std::collections::HashMap;

/// The longest password generated under a sequence limit: counting costs `length² × kinds` exact
/// additions per inclusion–exclusion term (four classes: ~2 ms to 64 characters, release), and
/// the sampler's weights stay within a float's range.
pub const MAX_SEQUENCE_LENGTH: usize = 32;

/// Kind `k`'s first `u` limbs in cells of `w`.
#[inline]
fn slot(v: &[u64], k: usize, w: usize, u: usize) -> &[u64] {
    &v[k * w..k * w + u]
}

/// `out = Σ plus − Σ minus` limb by limb (all as long as `out`), carries and borrows in one pass;
/// a result out of range would be a wrong count, checked in release builds too.
#[inline]
fn combine(out: &mut [u64], plus: &[&[u64]], minus: &[&[u64]]) {
    let mut carry: i128 = 0;
    for (i, o) in out.iter_mut().enumerate() {
        let mut acc = carry;
        for p in plus {
            acc += i128::from(p[i]);
        }
        for m in minus {
            acc -= i128::from(m[i]);
        }
        *o = acc as u64;
        carry = acc >> 64;
    }
    assert_eq!(carry, 0, "count out of range");
}

/// `c` and `d` are in the same range of `a-z`, `A-Z`, `0-9`.
fn same_range(a: char, b: char) -> bool {
    [('a', 'z'), ('A', 'Z'), ('0', '9')]
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&a) && (lo..=hi).contains(&b))
}

/// `b` follows `a` by one step up (`1`), down (`-1`) through a range, or neither (`0`).
fn step(a: char, b: char) -> i32 {
    if !same_range(a, b) {
        return 0;
    }
    match i64::from(u32::from(b)) - i64::from(u32::from(a)) {
        1 => 1,
        -1 => -1,
        _ => 0,
    }
}

/// The runs a string ends in as it grows: of identical characters, and of steps up and down.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RunTracker {
    last: Option<char>,
    repeat: usize,
    up: usize,
    down: usize,
}

impl RunTracker {
    /// Appends `c`: the run of identical characters it ends, and the longer of the two runs of
    /// steps (a repeat is no step).
    pub(super) fn push(&mut self, c: char) -> (usize, usize) {
        let d = self.last.map_or(0, |p| step(p, c));
        self.repeat = if self.last == Some(c) {
            self.repeat + 1
        } else {
            1
        };
        self.up = if d == 1 { self.up + 1 } else { 1 };
        self.down = if d == -1 { self.down + 1 } else { 1 };
        self.last = Some(c);
        (self.repeat, self.up.max(self.down))
    }
}

/// The longest run of identical characters and the longest run stepping by +1 or by −1 through
/// `a-z`, `A-Z` or `0-9` (`abc`, `321`: 3) in `chars`; `(0, 0)` when empty.
pub fn longest_runs(chars: &[char]) -> (usize, usize) {
    let mut runs = RunTracker::default();
    chars.iter().fold((0, 0), |(repeat, sequence), &c| {
        let (r, s) = runs.push(c);
        (repeat.max(r), sequence.max(s))
    })
}

/// Per character (sorted, distinct): how far the chain of +1 steps goes up and down from it.
fn rooms_of(chars: &[char]) -> Vec<(usize, usize)> {
    let n = chars.len();
    let steps = |i: usize| i + 1 < n && step(chars[i], chars[i + 1]) == 1;
    let mut rooms = vec![(0, 0); n];
    for i in (0..n).rev() {
        if steps(i) {
            rooms[i].0 = rooms[i + 1].0 + 1;
        }
    }
    for i in 1..n {
        if steps(i - 1) {
            rooms[i].1 = rooms[i - 1].1 + 1;
        }
    }
    rooms
}

/// Where a string stands after its last character: a repeat of `j` identical characters, an
/// ascending or a descending run of `j` (each at least 2), or none of them (a run of one of
/// each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Run {
    Fresh,
    Repeat(usize),
    Up(usize),
    Down(usize),
}

/// Strings with no repeat longer than `r` and no ascending or descending run longer than `s`
/// over an alphabet, counted for every length, with the ways to finish after any character in
/// any [`Run`] readable in O(1) (exactly, or as a float) and a sampler of such strings.
#[derive(Clone, Debug)]
pub(super) struct Runs {
    chars: Vec<char>,
    /// Kind of each character: characters at the same place in chains of the same length are
    /// alike (the specials, with no neighbour, all one).
    kind: Vec<usize>,
    /// Index of `c + 1` and `c − 1` when they are in the alphabet and in `c`'s range.
    up: Vec<Option<usize>>,
    down: Vec<Option<usize>>,
    /// Each kind's room up and down its chain, its kind by them, its characters, its mirror.
    rooms: Vec<(usize, usize)>,
    /// The kinds up each kind's chain, itself first: `t` steps up is `chain_up[k][t]`.
    chain_up: Vec<Vec<usize>>,
    mult: Vec<u64>,
    mirror: Vec<usize>,
    r: usize,
    s: usize,
    width: usize,
    /// Prefix sums over lengths, `(length, kind)` cells of `width` limbs: `PR` (a repeat's
    /// window) and `QU` (an ascending run's diagonal); and the same as floats.
    pr: Vec<u64>,
    qu: Vec<u64>,
    prf: Vec<f64>,
    quf: Vec<f64>,
    /// Strings of every length.
    pub(super) totals: Vec<Vec<u64>>,
    totals_f: Vec<f64>,
    /// For `l` characters left after the next one: the cumulative shares of each character
    /// opening them fresh, `F(l, kind) / total(l + 1)`, at `[l × chars ..][..chars]`.
    fresh_shares: Vec<f64>,
    /// `F(l, kind)` as floats, at `[l × kinds + kind]`.
    fresh_f: Vec<f64>,
    pub(super) close_call: f64,
}

impl Runs {
    /// `chars` sorted and distinct; `r`, `s` at least 1; `sampler`: ready to sample (else only
    /// the totals are read).
    pub(super) fn new(
        chars: &[char],
        r: usize,
        s: usize,
        max_length: usize,
        width: usize,
        sampler: bool,
    ) -> Runs {
        let char_rooms = rooms_of(chars);
        let mut kind_of: HashMap<(usize, usize), usize> = HashMap::new();
        let mut rooms: Vec<(usize, usize)> = Vec::new();
        let mut mult: Vec<u64> = Vec::new();
        let mut kind = Vec::with_capacity(chars.len());
        for &key in &char_rooms {
            let k = *kind_of.entry(key).or_insert_with(|| {
                rooms.push(key);
                mult.push(0);
                rooms.len() - 1
            });
            mult[k] += 1;
            kind.push(k);
        }
        let up = (0..chars.len())
            .map(|i| (char_rooms[i].0 > 0).then_some(i + 1))
            .collect();
        let down = (0..chars.len())
            .map(|i| (char_rooms[i].1 > 0).then(|| i - 1))
            .collect();
        // A chain read backwards is a chain: the kind at (up, down) room mirrors the one at
        // (down, up), whose descending ways are its ascending ones.
        let mirror = rooms.iter().map(|&(ur, dr)| kind_of[&(dr, ur)]).collect();
        let chain_up = rooms
            .iter()
            .map(|&(ur, dr)| (0..=ur).map(|t| kind_of[&(ur - t, dr + t)]).collect())
            .collect();
        let mut runs = Runs {
            chars: chars.to_vec(),
            kind,
            up,
            down,
            rooms,
            chain_up,
            mult,
            mirror,
            r,
            s,
            width,
            pr: Vec::new(),
            qu: Vec::new(),
            prf: Vec::new(),
            quf: Vec::new(),
            totals: Vec::new(),
            totals_f: Vec::new(),
            fresh_shares: Vec::new(),
            fresh_f: Vec::new(),
            close_call: super::CLOSE_CALL,
        };
        runs.count(max_length, sampler);
        runs
    }

    /// The kind `t` steps up the chain from kind `k`.
    fn along(&self, k: usize, t: usize) -> Option<usize> {
        self.chain_up[k].get(t).copied()
    }

    fn at(&self, l: usize, k: usize) -> usize {
        (l * self.rooms.len() + k) * self.width
    }

    /// `W(l, c, R_j) = BR(l, c) + [j < r] W(l − 1, c, R_{j+1})`, `BR` every next character but
    /// `c` itself (a non-neighbour starts fresh, `c + 1` an ascending run of 2, `c − 1` a
    /// descending one); `W(l, c, U_j) = BU(l, c) + [j < s] W(l − 1, c + 1, U_{j+1})`. Unrolled,
    /// a repeat's ways are a window of `BR` over `l` (prefix sums `PR`) and a run's a diagonal of
    /// `BU` over (`l`, chain position) (`QU`); the descending ways are the mirror's ascending
    /// ones.
    fn count(&mut self, max_length: usize, sampler: bool) {
        let (n, w, r, s) = (self.rooms.len(), self.width, self.r, self.s);
        let up_of: Vec<Option<usize>> = (0..n).map(|k| self.along(k, 1)).collect();
        // One step down is one step up the mirror, mirrored back.
        let down_of: Vec<Option<usize>> = (0..n)
            .map(|k| self.along(self.mirror[k], 1).map(|x| self.mirror[x]))
            .collect();
        // Where an ascending run of 2 can reach: s − 1 steps up.
        let run_end: Vec<Option<usize>> = (0..n).map(|k| self.along(k, s.max(2) - 1)).collect();
        // Limbs a count of l characters needs, so shorter lengths touch fewer.
        let bits = (self.chars.len().max(2) as f64).log2();
        let used = |l: usize| (((l as f64 + 1.0) * bits / 64.0).ceil() as usize + 1).min(w);
        let cells = (max_length + 1) * n * w;
        let (mut pr, mut qu) = (vec![0u64; cells], vec![0u64; cells]);
        // The ways after each kind, for the previous length: fresh, repeat of 2, runs of 2.
        let (mut f, mut r2, mut u2) = (vec![0u64; n * w], vec![0u64; n * w], vec![0u64; n * w]);
        for k in 0..n {
            for v in [&mut f, &mut r2, &mut u2] {
                v[k * w] = 1;
            }
            for p in [&mut pr, &mut qu] {
                p[self.at(0, k)] = 1;
            }
        }
        let mut totals = Vec::with_capacity(max_length + 1);
        let mut one = vec![0u64; w];
        one[0] = 1;
        totals.push(one);
        let zero = vec![0u64; w];
        for l in 1..=max_length {
            let u = used(l);
            let mut total = vec![0u64; w];
            for k in 0..n {
                add_product(&mut total[..u], &f[k * w..k * w + u], self.mult[k]);
            }
            totals.push(total);
            if l == max_length {
                break;
            }
            let total = &totals[l][..u];
            let (pr_before, pr_here) = pr.split_at_mut(self.at(l, 0));
            let (qu_before, qu_here) = qu.split_at_mut(self.at(l, 0));
            for k in 0..n {
                let (up, down) = (up_of[k], down_of[k]);
                // Every next character but `c` itself and its neighbours starts fresh.
                let fresh_up = up.map_or(&zero[..u], |x| slot(&f, x, w, u));
                let fresh_down = down.map_or(&zero[..u], |x| slot(&f, x, w, u));
                let minus = [slot(&f, k, w, u), fresh_up, fresh_down];
                let run_up = up
                    .filter(|_| s >= 2)
                    .map_or(&zero[..u], |x| slot(&u2, x, w, u));
                let run_down = down
                    .filter(|_| s >= 2)
                    .map_or(&zero[..u], |x| slot(&u2, self.mirror[x], w, u));
                let repeat = if r >= 2 {
                    slot(&r2, k, w, u)
                } else {
                    &zero[..u]
                };
                let before = self.at(l - 1, k);
                // PR(l) = PR(l − 1) + BR(l); QU(l, c) = BU(l, c) + QU(l − 1, c + 1).
                let here = k * w;
                combine(
                    &mut pr_here[here..here + u],
                    &[&pr_before[before..before + u], total, run_up, run_down],
                    &minus,
                );
                let diagonal = up.map_or(&zero[..u], |x| {
                    let there = self.at(l - 1, x);
                    &qu_before[there..there + u]
                });
                combine(
                    &mut qu_here[here..here + u],
                    &[total, run_down, repeat, diagonal],
                    &minus,
                );
            }
            // The ways after each kind with l left, from the sums (see `ways`).
            for k in 0..n {
                let here = self.at(l, k);
                let range = |at: usize| at..at + u;
                let window =
                    |back: Option<usize>| back.map_or(&zero[..u], |b| &pr[range(self.at(b, k))]);
                combine(
                    &mut f[k * w..k * w + u],
                    &[&pr[range(here)]],
                    &[window(l.checked_sub(r))],
                );
                if r >= 2 {
                    combine(
                        &mut r2[k * w..k * w + u],
                        &[&pr[range(here)]],
                        &[window(l.checked_sub(r - 1))],
                    );
                }
                if s >= 2 {
                    let t = s - 2;
                    let end = run_end[k]
                        .filter(|_| t < l)
                        .map_or(&zero[..u], |x| &qu[range(self.at(l - t - 1, x))]);
                    combine(&mut u2[k * w..k * w + u], &[&qu[range(here)]], &[end]);
                }
            }
        }
        self.totals = totals;
        if !sampler {
            return;
        }
        let float = |v: &[u64]| -> Vec<f64> { v.chunks(w).map(to_f64).collect() };
        self.prf = float(&pr);
        self.quf = float(&qu);
        self.pr = pr;
        self.qu = qu;
        self.totals_f = self.totals.iter().map(|t| to_f64(t)).collect();
        let size = self.chars.len();
        self.fresh_f = (0..max_length * n)
            .map(|i| self.ways_f(i / n, i % n, Run::Fresh))
            .collect();
        self.fresh_shares = Vec::with_capacity(max_length * size);
        for l in 0..max_length {
            let mut sum = 0.0;
            for c in 0..size {
                sum += self.fresh_f[l * n + self.kind[c]] / self.totals_f[l + 1];
                self.fresh_shares.push(sum);
            }
        }
    }

    /// The two prefix-sum cells whose difference is `W(l, k, run)` (the second absent when the
    /// sum is whole), and whether they are `PR` (else `QU`).
    fn cells(&self, l: usize, k: usize, run: Run) -> (bool, usize, Option<usize>) {
        let repeat = |j: usize| {
            let back = (l + j).checked_sub(self.r + 1);
            (true, self.at(l, k), back.map(|b| self.at(b, k)))
        };
        let ascending = |k: usize, j: usize| {
            let t = self.s - j;
            let end = self.along(k, t + 1).filter(|_| t < l);
            (false, self.at(l, k), end.map(|x| self.at(l - t - 1, x)))
        };
        match run {
            Run::Fresh => repeat(1),
            Run::Repeat(j) => repeat(j),
            Run::Up(j) => ascending(k, j),
            Run::Down(j) => ascending(self.mirror[k], j),
        }
    }

    /// The ways to finish `l` characters after a character of kind `k` in `run`, exactly.
    fn ways(&self, l: usize, k: usize, run: Run) -> BigUint {
        let (repeat, whole, part) = self.cells(l, k, run);
        let sums = if repeat { &self.pr } else { &self.qu };
        let mut out = sums[whole..whole + self.width].to_vec();
        if let Some(p) = part {
            subtract(&mut out, &sums[p..p + self.width]);
        }
        to_big(&out)
    }

    /// [`Runs::ways`] as a float (the difference of two sums that grow with `l`: a relative
    /// error near the float's own).
    fn ways_f(&self, l: usize, k: usize, run: Run) -> f64 {
        let (repeat, whole, part) = self.cells(l, k, run);
        let sums = if repeat { &self.prf } else { &self.quf };
        let w = self.width;
        let whole = sums[whole / w];
        match part {
            Some(p) => (whole - sums[p / w]).max(0.0),
            None => whole,
        }
    }

    /// The run after `c` in `run` when `d` follows it, or `None` if `d` would break a limit.
    fn next(&self, c: usize, run: Run, d: usize) -> Option<Run> {
        let of = |j: Option<usize>| j.unwrap_or(1) + 1;
        let (next, limit) = if d == c {
            let j = of(match run {
                Run::Repeat(j) => Some(j),
                _ => None,
            });
            (Run::Repeat(j), self.r)
        } else if Some(d) == self.up[c] {
            let j = of(match run {
                Run::Up(j) => Some(j),
                _ => None,
            });
            (Run::Up(j), self.s)
        } else if Some(d) == self.down[c] {
            let j = of(match run {
                Run::Down(j) => Some(j),
                _ => None,
            });
            (Run::Down(j), self.s)
        } else {
            return Some(Run::Fresh);
        };
        let j = match next {
            Run::Repeat(j) | Run::Up(j) | Run::Down(j) => j,
            Run::Fresh => 1,
        };
        (j <= limit).then_some(next)
    }

    /// A uniform string of `length` characters (at least 1; at most the counted length) with no
    /// run over the limits, as indices into the sorted characters.
    pub(super) fn sample<R: Rng + ?Sized>(&self, rng: &mut R, length: usize, out: &mut Vec<usize>) {
        out.clear();
        let mut c = self.fresh(rng, length - 1, [None; 3]);
        let mut run = Run::Fresh;
        out.push(c);
        for rest in (0..length - 1).rev() {
            // The next character: `c` again, `c + 1`, `c − 1`, or any other (fresh).
            let specials = [Some(c), self.up[c], self.down[c]];
            let next: [Option<Run>; 3] = specials.map(|d| d.and_then(|d| self.next(c, run, d)));
            if next == [None; 3] {
                // Neither a repeat nor a step may follow: any other character, fresh.
                c = self.fresh(rng, rest, specials);
                run = Run::Fresh;
                out.push(c);
                continue;
            }
            let mut weights = [0.0; 4];
            for i in 0..3 {
                if let (Some(d), Some(nr)) = (specials[i], next[i]) {
                    weights[i] = self.ways_f(rest, self.kind[d], nr);
                }
            }
            let kinds = self.rooms.len();
            let taken: f64 = specials
                .iter()
                .flatten()
                .map(|&d| self.fresh_f[rest * kinds + self.kind[d]])
                .sum();
            weights[3] = (self.totals_f[rest + 1] - taken).max(0.0);
            let sum: f64 = weights.iter().sum();
            let choice = choose(
                rng,
                self.close_call,
                weights.iter().map(|w| w / sum),
                || {
                    let mut exact: Vec<BigUint> = (0..3)
                        .map(|i| match (specials[i], next[i]) {
                            (Some(d), Some(nr)) => self.ways(rest, self.kind[d], nr),
                            _ => BigUint::ZERO,
                        })
                        .collect();
                    let taken: BigUint = specials
                        .iter()
                        .flatten()
                        .map(|&d| self.ways(rest, self.kind[d], Run::Fresh))
                        .sum();
                    exact.push(to_big(&self.totals[rest + 1]) - taken);
                    exact
                },
            );
            (c, run) = match choice {
                3 => (self.fresh(rng, rest, specials), Run::Fresh),
                i => (
                    specials[i].expect("a chosen neighbour"),
                    next[i].expect("allowed"),
                ),
            };
            out.push(c);
        }
    }

    /// A character opening `l` more characters fresh, drawn in proportion to its ways on, other
    /// than `skip` (drawn again when hit: the rest keep their proportions).
    fn fresh<R: Rng + ?Sized>(&self, rng: &mut R, l: usize, skip: [Option<usize>; 3]) -> usize {
        let size = self.chars.len();
        let shares = &self.fresh_shares[l * size..(l + 1) * size];
        loop {
            let x = rng.next_u32();
            let t = (f64::from(x) + 0.5) / 4_294_967_296.0;
            let i = shares.partition_point(|&b| b <= t).min(size - 1);
            let below = if i == 0 { 0.0 } else { shares[i - 1] };
            let d = if t - below > self.close_call && shares[i] - t > self.close_call {
                i
            } else {
                let exact: Vec<BigUint> = (0..size)
                    .map(|c| self.ways(l, self.kind[c], Run::Fresh))
                    .collect();
                choose_exactly(rng, BigUint::from(x), 32, &exact)
            };
            if !skip.contains(&Some(d)) {
                return d;
            }
        }
    }

    /// The sorted characters.
    pub(super) fn chars(&self) -> &[char] {
        &self.chars
    }
}

/// Strings of every length `0..=max_length` over `chars` (sorted, distinct) with no repeat longer
/// than `r` and no ascending or descending run longer than `s` (both at least 1), each in
/// `width` limbs.
pub(super) fn counts(
    chars: &[char],
    r: usize,
    s: usize,
    max_length: usize,
    width: usize,
) -> Vec<Vec<u64>> {
    Runs::new(chars, r, s, max_length, width, false).totals
}

/// The valid strings (every required set met) of every length `full` counts, by
/// inclusion–exclusion over the sets a string misses, each term [`counts`] over the characters
/// left under `full`'s limits; `full` (every character of `alphabet`) is the first term, not
/// counted again.
pub(super) fn valid_counts(alphabet: &super::alphabet::Alphabet, full: &Runs) -> Vec<Vec<u64>> {
    let (r, s, width) = (full.r, full.s, full.width);
    let max_length = full.totals.len() - 1;
    let mut positive = vec![vec![0u64; width]; max_length + 1];
    let mut negative = vec![vec![0u64; width]; max_length + 1];
    // The counts of each chain signature met so far.
    type Term = Vec<Vec<u64>>;
    let mut every = rooms_of(&full.chars);
    every.sort_unstable();
    let mut seen: Vec<(Vec<(usize, usize)>, Term)> = vec![(every, full.totals.clone())];
    for missed in 0usize..1 << alphabet.sets {
        let mut chars: Vec<char> = alphabet
            .atoms
            .iter()
            .filter(|(_, sets)| *sets as usize & missed == 0)
            .flat_map(|(members, _)| members.iter().copied())
            .collect();
        let sum = if missed.count_ones() % 2 == 0 {
            &mut positive
        } else {
            &mut negative
        };
        if chars.is_empty() {
            // Only the empty string misses every character.
            sum[0][0] += 1;
            continue;
        }
        chars.sort_unstable();
        // Alphabets with the same chains (a–z for A–Z) count alike: counted once.
        let mut signature = rooms_of(&chars);
        signature.sort_unstable();
        let at = match seen.iter().position(|(sig, _)| *sig == signature) {
            Some(at) => at,
            None => {
                seen.push((signature, counts(&chars, r, s, max_length, width)));
                seen.len() - 1
            }
        };
        for (acc, t) in sum.iter_mut().zip(&seen[at].1) {
            add_product(acc, t, 1);
        }
    }
    for (p, n) in positive.iter_mut().zip(&negative) {
        subtract(p, n);
    }
    positive
}

#[cfg(test)]
mod tests {
    use super::super::alphabet::Alphabet;
    use super::super::limbs::to_big;
    use super::*;

    fn keeps(w: &[char], r: usize, s: usize) -> bool {
        let (mut rep, mut up, mut down) = (1, 1, 1);
        for p in w.windows(2) {
            let (a, b) = (p[0], p[1]);
            rep = if a == b { rep + 1 } else { 1 };
            let d = i64::from(u32::from(b)) - i64::from(u32::from(a));
            let seq = same_range(a, b);
            up = if seq && d == 1 { up + 1 } else { 1 };
            down = if seq && d == -1 { down + 1 } else { 1 };
            if rep > r || up > s || down > s {
                return false;
            }
        }
        true
    }

    fn brute(chars: &[char], length: usize, r: usize, s: usize) -> u64 {
        let n = chars.len();
        let mut count = 0;
        let mut digits = vec![0; length];
        loop {
            let w: Vec<char> = digits.iter().map(|&d| chars[d]).collect();
            count += u64::from(keeps(&w, r, s));
            let mut k = 0;
            loop {
                if k == length {
                    return count;
                }
                digits[k] += 1;
                if digits[k] < n {
                    break;
                }
                digits[k] = 0;
                k += 1;
            }
        }
    }

    #[test]
    fn counts_agree_with_brute_force() {
        for alphabet in [
            "abc", "abcd", "ab1", "a0123", "abxyz9", "01234", "ABCab!", "z0Aa",
        ] {
            let mut chars: Vec<char> = alphabet.chars().collect();
            chars.sort_unstable();
            for r in 1..=4 {
                for s in 1..=4 {
                    let counted = counts(&chars, r, s, 6, 4);
                    for (length, counted) in counted.iter().enumerate().skip(1) {
                        let expected = brute(&chars, length, r, s);
                        assert_eq!(
                            to_big(counted),
                            expected.into(),
                            "{alphabet} r={r} s={s} length {length}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn valid_counts_agree_with_brute_force() {
        for text in [
            "required: [ab]; required: [1]; allowed: [c0]",
            "required: [abc]; required: [AB]; allowed: [!]",
            "required: [a]; required: [b]; required: [c]",
            "required: [0123]; allowed: [ab]",
        ] {
            let rules = password_rules_parser::parse_password_rules(text, true).unwrap();
            let alphabet = Alphabet::of(&rules, |_| true).unwrap();
            let mut chars: Vec<char> = alphabet.atoms.iter().flat_map(|(m, _)| m.clone()).collect();
            chars.sort_unstable();
            let sets: Vec<Vec<char>> = (0..alphabet.sets)
                .map(|k| {
                    alphabet
                        .atoms
                        .iter()
                        .filter(|(_, m)| m >> k & 1 == 1)
                        .flat_map(|(c, _)| c.clone())
                        .collect()
                })
                .collect();
            for (r, s) in [(1, 1), (1, 2), (2, 1), (2, 2), (3, 3)] {
                let full = Runs::new(&chars, r, s, 5, 4, false);
                let counted = valid_counts(&alphabet, &full);
                for (length, counted) in counted.iter().enumerate().skip(1) {
                    let mut expected = 0u64;
                    let n = chars.len();
                    for code in 0..n.pow(length as u32) {
                        let mut x = code;
                        let w: Vec<char> = (0..length)
                            .map(|_| {
                                let c = chars[x % n];
                                x /= n;
                                c
                            })
                            .collect();
                        if keeps(&w, r, s)
                            && sets.iter().all(|set| w.iter().any(|c| set.contains(c)))
                        {
                            expected += 1;
                        }
                    }
                    assert_eq!(
                        super::super::limbs::to_big(counted),
                        expected.into(),
                        "{text} r={r} s={s} length {length}"
                    );
                }
            }
        }
    }
}
