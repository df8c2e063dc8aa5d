//! Guesses per match and the search for the sequence of matches that needs the fewest guesses
//! (zxcvbn's `most_guessable_match_sequence`), in `f64` like the reference.

use super::data::{Graph, KEYPAD, QWERTY};
use super::dictionary::lower;
use super::{Match, Model, Pattern};

const MIN_GUESSES_BEFORE_GROWING_SEQUENCE: f64 = 10_000.0;
const MIN_SUBMATCH_GUESSES_SINGLE_CHAR: f64 = 10.0;
const MIN_SUBMATCH_GUESSES_MULTI_CHAR: f64 = 50.0;
const MIN_YEAR_SPACE: f64 = 20.0;

/// `n` choose `k`, computed as zxcvbn computes it.
pub fn n_c_k(mut n: f64, k: f64) -> f64 {
    if k > n {
        return 0.0;
    }
    if k == 0.0 {
        return 1.0;
    }
    let mut r = 1.0;
    let mut d = 1.0;
    while d <= k {
        r *= n;
        r /= d;
        n -= 1.0;
        d += 1.0;
    }
    r
}

/// Bruteforce guesses for a character: 10 (zxcvbn), or with `classes` the size of its class
/// (digits 10, letters 26, other ASCII 33, anything else 100).
fn bruteforce_per_char(c: char, classes: bool) -> f64 {
    match c {
        _ if !classes => 10.0,
        '0'..='9' => 10.0,
        'a'..='z' | 'A'..='Z' => 26.0,
        c if c.is_ascii() => 33.0,
        _ => 100.0,
    }
}

/// Bruteforce guesses for `len` characters whose guesses multiply to `product`: at least one
/// more than the floor of a match of that length, so any other match over them wins.
fn bruteforce_floor(product: f64, len: usize) -> f64 {
    product.min(f64::MAX).max(if len == 1 {
        MIN_SUBMATCH_GUESSES_SINGLE_CHAR + 1.0
    } else {
        MIN_SUBMATCH_GUESSES_MULTI_CHAR + 1.0
    })
}

fn factorial(n: usize) -> f64 {
    (2..=n).fold(1.0, |f, i| f * i as f64)
}

/// The guesses for one match of `password`, at least the floor for a part of a longer password.
pub fn guesses(m: &Match, password: &[char], model: &Model) -> f64 {
    let len = m.j - m.i + 1;
    let token = &password[m.i..=m.j];
    let floor = if len == password.len() {
        1.0
    } else if len == 1 {
        MIN_SUBMATCH_GUESSES_SINGLE_CHAR
    } else {
        MIN_SUBMATCH_GUESSES_MULTI_CHAR
    };
    let guesses = match &m.pattern {
        Pattern::Bruteforce => bruteforce_floor(
            token
                .iter()
                .map(|&c| bruteforce_per_char(c, model.class_bruteforce))
                .product(),
            len,
        ),
        Pattern::Dictionary {
            rank,
            reversed,
            subs,
            ..
        } => {
            f64::from(*rank)
                * uppercase_variations(token)
                * l33t_variations(token, subs)
                * if *reversed { 2.0 } else { 1.0 }
        }
        Pattern::Spatial {
            graph,
            turns,
            shifted,
        } => spatial_guesses(graph, len, *turns, *shifted),
        Pattern::Repeat {
            base_guesses,
            count,
            ..
        } => base_guesses * count,
        Pattern::Sequence { ascending } => {
            let first = token[0];
            let base = if "aAzZ019".contains(first) {
                4.0
            } else if first.is_ascii_digit() {
                10.0
            } else {
                26.0
            };
            base * if *ascending { 1.0 } else { 2.0 } * len as f64
        }
        Pattern::Year(year) => f64::from((year - model.reference_year).abs()).max(MIN_YEAR_SPACE),
        Pattern::Date { year, separator } => {
            let space = f64::from((year - model.reference_year).abs()).max(MIN_YEAR_SPACE);
            space * 365.0 * if *separator { 4.0 } else { 1.0 }
        }
    };
    guesses.max(floor)
}

/// zxcvbn's uppercase variations: 1 for no capitals, 2 for the first, the last or all letters
/// capitalised, else the ways to capitalise as many letters. zxcvbn 4.4.2 reads "all capitals" as
/// no lowercase letter (`RAIDERS1` is 2); the Rust crate's 0 there is a bug not kept.
fn uppercase_variations(token: &[char]) -> f64 {
    let upper = |c: &char| c.is_ascii_uppercase();
    let lower_ascii = |c: &char| c.is_ascii_lowercase();
    if !token.iter().any(upper) || token.iter().all(|&c| lower(c) == c) {
        return 1.0;
    }
    let n = token.len();
    let start_upper = upper(&token[0]) && n > 1 && !token[1..].iter().any(upper);
    let end_upper = upper(&token[n - 1]) && n > 1 && !token[..n - 1].iter().any(upper);
    let all_upper = !token.iter().any(lower_ascii);
    if start_upper || end_upper || all_upper {
        return 2.0;
    }
    let u = token.iter().filter(|c| upper(c)).count() as f64;
    let l = token.iter().filter(|c| lower_ascii(c)).count() as f64;
    let mut variations = 0.0;
    let mut i = 1.0;
    while i <= u.min(l) {
        variations += n_c_k(u + l, i);
        i += 1.0;
    }
    variations
}

/// zxcvbn's l33t variations: for each substitution, the ways to choose which of the letter's
/// places were substituted (2 when all or none of them were).
fn l33t_variations(token: &[char], subs: &[(char, char)]) -> f64 {
    let mut variations = 1.0;
    for &(subbed, unsubbed) in subs {
        let s = token.iter().filter(|&&c| lower(c) == subbed).count() as f64;
        let u = token.iter().filter(|&&c| lower(c) == unsubbed).count() as f64;
        if s == 0.0 || u == 0.0 {
            variations *= 2.0;
        } else {
            let mut possibilities = 0.0;
            let mut i = 1.0;
            while i <= u.min(s) {
                possibilities += n_c_k(u + s, i);
                i += 1.0;
            }
            variations *= possibilities;
        }
    }
    variations
}

/// zxcvbn's guesses for a spatial pattern of `len` keys: every pattern of that length or shorter
/// with as many turns or fewer, times the ways to shift as many of its keys.
pub fn spatial_guesses(graph: &Graph, len: usize, turns: usize, shifted: usize) -> f64 {
    // zxcvbn scores every full keyboard by qwerty's figures and every keypad by the keypad's.
    let reference = if graph.is_keypad() { &KEYPAD } else { &QWERTY };
    let (s, d) = (reference.starting_positions, reference.average_degree);
    let mut guesses = 0.0;
    for i in 2..=len {
        for j in 1..=turns.min(i - 1) {
            guesses += n_c_k((i - 1) as f64, (j - 1) as f64) * s * d.powi(j as i32);
        }
    }
    if shifted > 0 {
        let unshifted = len - shifted;
        if unshifted == 0 {
            guesses *= 2.0;
        } else {
            let variations: f64 = (1..=shifted.min(unshifted))
                .map(|i| n_c_k(len as f64, i as f64))
                .sum();
            guesses *= variations;
        }
    }
    guesses
}

/// The result of the search: the fewest guesses and the sequence of matches that needs them.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The guesses.
    pub guesses: f64,
    /// The matches, covering the password from start to end.
    pub sequence: Vec<Match>,
}

/// zxcvbn's search: for every end `k` and sequence length `l`, the match ending at `k` that
/// makes the fewest guesses `l! · Π guesses + 10000^(l-1)`; unmatched stretches are bruteforce.
///
/// Bounded, and exact: a sequence of `l` matches costs at least `10000^(l-1)`, so once a search
/// up to three matches has found a sequence of `U` guesses, no sequence longer than
/// `log10(U)/4 + 1` can win, and the search runs again only up to that length (`U ≤ 10^n + 1`,
/// bruteforce of the whole password, so never beyond `n/4 + 2`).
pub fn most_guessable(password: &[char], mut matches: Vec<Match>, model: &Model) -> Analysis {
    let n = password.len();
    if n == 0 {
        return Analysis {
            guesses: 1.0,
            sequence: Vec::new(),
        };
    }
    for m in &mut matches {
        m.guesses = guesses(m, password, model);
    }
    // Of the matches over the same characters only the one with the fewest guesses can be on a
    // best path (the first of equals, as the search would keep it): the rest are dropped, which
    // keeps the search's work to one match per span however many dictionaries agree.
    // Sorted by span, the cheapest first (a stable sort: the first of equals stays first).
    matches.sort_by(|a, b| {
        (a.i, a.j)
            .cmp(&(b.i, b.j))
            .then(a.guesses.total_cmp(&b.guesses))
    });
    matches.dedup_by(|later, kept| (later.i, later.j) == (kept.i, kept.j));
    // By end; each end's matches come by start, as the search takes them.
    let mut by_end: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, m) in matches.iter().enumerate() {
        by_end[m.j].push(k);
    }
    // Bruteforce guesses of every span from running products: 10 per character as powers of
    // ten (exact, as zxcvbn computes them), by class as products.
    let by_length: Vec<f64> = (0..=n)
        .map(|len| bruteforce_floor(10f64.powi(len as i32), len))
        .collect();
    let mut running = vec![1.0];
    if model.class_bruteforce {
        for &c in password {
            running.push(running.last().unwrap() * bruteforce_per_char(c, true));
        }
    }
    let bruteforce = |i: usize, j: usize| {
        if model.class_bruteforce {
            bruteforce_floor(running[j + 1] / running[i], j - i + 1)
        } else {
            by_length[j - i + 1]
        }
    };
    let first = search(n, &matches, &by_end, &bruteforce, 3);
    let max_l = ((first.0.log10() / 4.0).floor() as usize + 2).min(n / 4 + 2);
    let (total, cells) = if max_l <= 3 {
        first
    } else {
        search(n, &matches, &by_end, &bruteforce, max_l)
    };
    let mut sequence = Vec::new();
    let mut k = n;
    // Unwind: `cells` is the path from the end back to the start.
    for &(start, source) in &cells {
        sequence.push(match source {
            Some(index) => matches[index].clone(),
            None => {
                let mut m = Match::new(start, k - 1, Pattern::Bruteforce);
                m.guesses = bruteforce(start, k - 1);
                m
            }
        });
        k = start;
    }
    sequence.reverse();
    Analysis {
        guesses: total,
        sequence,
    }
}

/// The search up to `max_l` matches: the fewest guesses, and the path from the end (each match's
/// start, and its index in `matches`, or `None` for bruteforce).
fn search(
    n: usize,
    matches: &[Match],
    by_end: &[Vec<usize>],
    bruteforce: &dyn Fn(usize, usize) -> f64,
    max_l: usize,
) -> (f64, Vec<(usize, Option<usize>)>) {
    let width = max_l + 1;
    let factorial: Vec<f64> = (0..=max_l).map(factorial).collect();
    let growth: Vec<f64> = (0..=max_l)
        .map(|l| MIN_GUESSES_BEFORE_GROWING_SEQUENCE.powi(l as i32 - 1))
        .collect();
    // Per end and length (`end * width + l`): g (infinite when none), pi, and the last match's
    // start and source.
    let mut g = vec![f64::INFINITY; n * width];
    // The fewest guesses at each end by length `l` or fewer: one comparison decides an update.
    let mut low = vec![f64::INFINITY; n * width];
    let mut pi = vec![0.0; n * width];
    let mut last: Vec<(usize, Option<usize>)> = vec![(0, None); n * width];
    let mut update = |start: usize, end: usize, guesses: f64, source: Option<usize>, l: usize| {
        if l > max_l {
            return;
        }
        let mut p = guesses;
        if l > 1 {
            // After a sequence of `l - 1` ending just before; bruteforce never follows bruteforce.
            let before = (start - 1) * width + l - 1;
            if !g[before].is_finite() || (source.is_none() && last[before].1.is_none()) {
                return;
            }
            p *= pi[before];
        }
        let candidate = factorial[l] * p + growth[l];
        if low[end * width + l] <= candidate {
            return;
        }
        for cell in &mut low[end * width + l..(end + 1) * width] {
            *cell = cell.min(candidate);
        }
        g[end * width + l] = candidate;
        pi[end * width + l] = p;
        last[end * width + l] = (start, source);
    };
    for (k, ending) in by_end.iter().enumerate() {
        for &index in ending {
            let m = &matches[index];
            if m.i > 0 {
                for l in 1..max_l {
                    update(m.i, k, m.guesses, Some(index), l + 1);
                }
            } else {
                update(0, k, m.guesses, Some(index), 1);
            }
        }
        update(0, k, bruteforce(0, k), None, 1);
        for i in 1..=k {
            let guesses = bruteforce(i, k);
            for l in 1..max_l {
                update(i, k, guesses, None, l + 1);
            }
        }
    }
    // The length with the fewest guesses at the end, then back to the start.
    let (mut l, total) = (1..=max_l)
        .map(|l| (l, g[(n - 1) * width + l]))
        .fold((0, f64::INFINITY), |b, c| if c.1 < b.1 { c } else { b });
    let mut path = Vec::with_capacity(l);
    let mut k = n;
    while k > 0 {
        let (start, source) = last[(k - 1) * width + l];
        path.push((start, source));
        k = start;
        l -= 1;
    }
    (total, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_choose_k() {
        assert_eq!(n_c_k(5.0, 2.0), 10.0);
        assert_eq!(n_c_k(2.0, 5.0), 0.0);
        assert_eq!(n_c_k(7.0, 0.0), 1.0);
        assert_eq!(factorial(5), 120.0);
    }

    #[test]
    fn uppercase_variations_follow_zxcvbn_4_4_2() {
        let v = |s: &str| uppercase_variations(&s.chars().collect::<Vec<_>>());
        assert_eq!(v("raiders"), 1.0);
        assert_eq!(v("Raiders"), 2.0);
        assert_eq!(v("raiderS"), 2.0);
        assert_eq!(v("RAIDERS"), 2.0);
        assert_eq!(v("RAIDERS1"), 2.0);
        // Two capitals among seven letters: C(7,1) + C(7,2).
        assert_eq!(v("RaIders"), 28.0);
    }
}
