//! Generation from a site's `passwordrules`: uniform over every string of the chosen length that the
//! rules allow, `max-consecutive` included, with the exact count.
//!
//! The allowed characters are split into atoms, the characters that belong to the same required
//! sets. A string is a sequence of blocks (maximal runs of one character, each 1 to `max-consecutive`
//! long), each block's character unlike the one before. The count of every length is
//! inclusion–exclusion over the required sets a string misses, each term a count under the run
//! limit alone ([`totals`]). A password is drawn forward, block by block, each choice weighted by
//! the exact number of strings that can follow it; the weights are read as floats, and a draw
//! within [`CLOSE_CALL`] of a boundary is settled with the exact integers, so every choice is
//! exact while the integers are almost never touched. Two ways to meet the sets:
//! - propose and reject: draw a string that keeps the run limit and keep it if it meets every
//!   set, while at least [`MIN_ACCEPTANCE`] of them do (long strings);
//! - walk: [`Table`] counts the ways to finish by the characters left, the sets met so far and
//!   the atom of the last block (which character it was does not change the count: atoms are
//!   symmetric), and the walk chooses each block's atom, length and character from it.
//!
//! Cost: `2^sets` run-limit counts of `length` steps each; a proposal is a draw or two per
//! character; the walk's table is `length × 3^sets` fixed-width steps at most, and it is only
//! built where few strings meet the sets, which bounds the length it needs.

use super::charset::AMBIGUOUS;
use super::random::below;
use super::{DEFAULT_LENGTH, GenerateError, GenerateRequest, LENGTH_RANGE, invalid, raise};
use num_bigint::BigUint;
use num_traits::Zero;
use password_rules_parser::{CharacterClass, PasswordRules};
use rand::Rng;
use std::sync::Arc;

/// Most required sets counted (2^sets states per length). Sites name up to four (upper, lower,
/// digit, special).
pub const MAX_REQUIRED_SETS: usize = 4;
/// Longest `passwordrules` text read.
pub const MAX_RULES_CHARS: usize = 1024;
/// A draw within this distance of a boundary between choices is settled with exact integers (the
/// float boundaries are within ~1e-10 of the exact ones).
pub const CLOSE_CALL: f64 = 1.0 / (1u64 << 24) as f64;

/// `passwordrules` that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("passwordrules is not valid: {0}")]
pub struct RulesError(pub String);

/// Reads `passwordrules` with 1Password's parser (ASCII printable allowed when the rules name no
/// characters, as the format says), at most [`MAX_RULES_CHARS`] characters.
pub fn parse(text: &str) -> Result<PasswordRules, RulesError> {
    if text.chars().count() > MAX_RULES_CHARS {
        return Err(RulesError(format!(
            "it is longer than {MAX_RULES_CHARS} characters"
        )));
    }
    password_rules_parser::parse_password_rules(text, true)
        .map_err(|e| RulesError(e.to_string().lines().next().unwrap_or("").to_owned()))
}

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
/// at most, and [`MAX_LIMBS`] is sized for `95^256`.
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
        if rules.required.len() > MAX_REQUIRED_SETS {
            return Err(AlphabetError::TooManySets(rules.required.len()));
        }
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
        let sets: Vec<Vec<char>> = rules
            .required
            .iter()
            .map(|set| {
                set.iter()
                    .flat_map(CharacterClass::chars)
                    .filter(|&c| keep(c))
                    .collect()
            })
            .collect();
        if let Some(i) = sets.iter().position(Vec::is_empty) {
            return Err(AlphabetError::EmptySet(i + 1));
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

/// Most 64-bit limbs a count takes: `95^256 < 2^1682` fits in 27 (an alphabet has at most
/// [`MAX_ALPHABET`] characters, and lengths stop at 256), and one more limb absorbs the rounding
/// of the widths' floating-point estimate. A test checks `MAX_ALPHABET^256` against it.
const MAX_LIMBS: usize = 28;

/// A count as little-endian limbs, on the stack.
type Count = [u64; MAX_LIMBS];

fn to_big(limbs: &[u64]) -> BigUint {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// `log2` from the top two non-zero limbs (`−∞` for zero).
fn log2_limbs(limbs: &[u64]) -> f64 {
    match limbs.iter().rposition(|&l| l != 0) {
        None => f64::NEG_INFINITY,
        Some(0) => (limbs[0] as f64).log2(),
        Some(top) => {
            let mantissa = limbs[top] as f64 * 18_446_744_073_709_551_616.0 + limbs[top - 1] as f64;
            mantissa.log2() + (64 * (top - 1)) as f64
        }
    }
}

/// `acc += value × factor`, `value` no longer than `acc`. The widths make overflow impossible
/// (every count is below `N^r`, which its row's width holds); a carry out would be a wrong
/// count, so it is checked in release builds too (a panic, never a silently biased draw).
fn add_product(acc: &mut [u64], value: &[u64], factor: u64) {
    let mut carry = 0u128;
    for (i, a) in acc.iter_mut().enumerate() {
        let v = value.get(i).copied().unwrap_or(0);
        let sum = u128::from(*a) + u128::from(v) * u128::from(factor) + carry;
        *a = sum as u64;
        carry = sum >> 64;
    }
    assert_eq!(carry, 0, "count overflow");
}

/// `acc −= value`, `value` no longer than `acc` (the table only takes parts from their sum; a
/// borrow out, checked in release builds too, would be a wrong count).
fn subtract(acc: &mut [u64], value: &[u64]) {
    let mut borrow = false;
    for (i, a) in acc.iter_mut().enumerate() {
        let v = value.get(i).copied().unwrap_or(0);
        let (d, b1) = a.overflowing_sub(v);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *a = d;
        borrow = b1 || b2;
    }
    assert!(!borrow, "count underflow");
}

/// The ways to finish a string, counted from its end for every length up to the table's.
///
/// With `r` characters left, the sets `m` met and a block of atom `b` just ended (its character
/// is `x`): `H(r, m, b)` strings finish it; `W(r, m, b) = Σ H(r − L, m, b)` over block lengths
/// `L` in `1..=min(run, r)` counts the ways on after one character of `b` (not `x`) opens the next
/// block (with `m` already including `b`'s sets); and `T(r, m) = Σ_b |b| · W(r, m | sets(b), b)`
/// counts them with no character before, so `H(r, m, b) = T(r, m) − W(r, m, b)` (the block may
/// not repeat `x`), `H(0, m, b) = [m is every set]`, and `T(r, 0)` is the number of valid strings
/// of `r` characters.
///
/// Row `r` stores `T(r, m)` for every `m`, then `W(r, m, b)` for the pairs with `m ⊇ sets(b)`,
/// each in as many limbs as `N^r` needs: no allocation per cell, and no cell never read.
#[derive(Clone, Debug)]
struct Table {
    masks: usize,
    atoms: usize,
    /// Slot of `W(·, m, b)` in a row, at `m * atoms + b` (`usize::MAX` when `m ⊉ sets(b)`).
    slots: Vec<usize>,
    /// Where each row starts in `data`, and its width in limbs.
    rows: Vec<(usize, usize)>,
    data: Vec<u64>,
    /// `log2 W` and `log2 H` of every cell, at `r * per_row + slot − masks`: the walk's floats,
    /// read without touching the limbs.
    log_w: Vec<f64>,
    log_h: Vec<f64>,
}

impl Table {
    fn new(alphabet: &Alphabet, max_length: usize, run: usize) -> Table {
        let masks = 1usize << alphabet.sets;
        let atoms = alphabet.atoms.len();
        let sets = |b: usize| alphabet.atoms[b].1 as usize;
        let mut slots = vec![usize::MAX; masks * atoms];
        let mut pairs = Vec::new();
        for m in 0..masks {
            for b in (0..atoms).filter(|&b| m & sets(b) == sets(b)) {
                slots[m * atoms + b] = masks + pairs.len();
                pairs.push((m, b));
            }
        }
        let per_row = masks + pairs.len();
        let bits_per_char = (alphabet.size() as f64).log2();
        let rows: Vec<(usize, usize)> = (0..=max_length)
            .scan(0, |start, r| {
                let width = ((r as f64 * bits_per_char) as usize / 64 + 2).min(MAX_LIMBS);
                let row = (*start, width);
                *start += per_row * width;
                Some(row)
            })
            .collect();
        let (last_start, last_width) = rows[max_length];
        let mut table = Table {
            masks,
            atoms,
            slots,
            rows,
            data: Vec::with_capacity(last_start + per_row * last_width),
            log_w: Vec::with_capacity((max_length + 1) * pairs.len()),
            log_h: Vec::with_capacity((max_length + 1) * pairs.len()),
        };
        let full = masks - 1;
        for r in 0..=max_length {
            let width = table.rows[r].1;
            let mut row = vec![0u64; per_row * width];
            let (ts, ws) = row.split_at_mut(masks * width);
            if r > 0 {
                // W(r) = W(r − 1) + H(r − 1) − H(r − 1 − run), and H(r') = T(r') − W(r') for
                // r' ≥ 1: three passes over the limbs instead of six.
                for (p, &(m, b)) in pairs.iter().enumerate() {
                    let w = &mut ws[p * width..(p + 1) * width];
                    if r == 1 {
                        w[0] = u64::from(m == full);
                    } else {
                        add_product(w, table.t(r - 1, m), 1);
                    }
                    if r > run {
                        match r - 1 - run {
                            0 => subtract(w, &[u64::from(m == full)]),
                            old => {
                                add_product(w, table.w(old, m, b), 1);
                                subtract(w, table.t(old, m));
                            }
                        }
                    }
                }
            }
            for m in 0..masks {
                let t = &mut ts[m * width..(m + 1) * width];
                for (b, (members, _)) in alphabet.atoms.iter().enumerate() {
                    let p = table.slots[(m | sets(b)) * atoms + b] - masks;
                    add_product(t, &ws[p * width..(p + 1) * width], members.len() as u64);
                }
            }
            table.data.extend_from_slice(&row);
        }
        let mut h = Count::default();
        for r in 0..=max_length {
            for &(m, b) in &pairs {
                table.log_w.push(log2_limbs(table.w(r, m, b)));
                let log_h = log2_limbs(table.h(r, m, b, &mut h));
                table.log_h.push(log_h);
            }
        }
        table
    }

    fn cell(&self, r: usize, slot: usize) -> &[u64] {
        let (start, width) = self.rows[r];
        &self.data[start + slot * width..start + (slot + 1) * width]
    }

    /// `T(r, m)`.
    fn t(&self, r: usize, m: usize) -> &[u64] {
        self.cell(r, m)
    }

    /// `W(r, m, b)`, for `m ⊇ sets(b)`.
    fn w(&self, r: usize, m: usize, b: usize) -> &[u64] {
        self.cell(r, self.slots[m * self.atoms + b])
    }

    /// `H(r, m, b)`, written into `out`.
    fn h<'a>(&self, r: usize, m: usize, b: usize, out: &'a mut Count) -> &'a [u64] {
        let width = self.rows[r].1;
        let out = &mut out[..width];
        if r == 0 {
            out[0] = u64::from(m == self.masks - 1);
        } else {
            out.copy_from_slice(self.t(r, m));
            subtract(out, self.w(r, m, b));
        }
        out
    }

    /// Index of `(r, m, b)` in the float tables.
    fn float_at(&self, r: usize, m: usize, b: usize) -> usize {
        let pairs = self.log_w.len() / self.rows.len();
        r * pairs + self.slots[m * self.atoms + b] - self.masks
    }

    fn log_w(&self, r: usize, m: usize, b: usize) -> f64 {
        self.log_w[self.float_at(r, m, b)]
    }

    fn log_h(&self, r: usize, m: usize, b: usize) -> f64 {
        self.log_h[self.float_at(r, m, b)]
    }

    /// The number of valid strings of `r` characters.
    #[cfg(test)]
    fn total(&self, r: usize) -> BigUint {
        to_big(self.t(r, 0))
    }

    fn log_total(&self, r: usize) -> f64 {
        log2_limbs(self.t(r, 0))
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }
}

/// One count per length, each in `width` limbs.
#[derive(Clone, Debug)]
struct Rows {
    width: usize,
    data: Vec<u64>,
}

impl Rows {
    fn new(width: usize, rows: usize) -> Rows {
        Rows {
            width,
            data: Vec::with_capacity(width * rows),
        }
    }

    fn push(&mut self, value: &[u64]) {
        self.data.extend_from_slice(&value[..self.width]);
    }

    fn get(&self, r: usize) -> &[u64] {
        &self.data[r * self.width..(r + 1) * self.width]
    }

    fn len(&self) -> usize {
        self.data.len() / self.width
    }
}

/// Limbs for counts of up to `max_length` characters of `size` kinds.
fn width_for(size: usize, max_length: usize) -> usize {
    let bits = (max_length as f64 * (size as f64).log2()).ceil() as usize;
    (bits / 64 + 2).min(MAX_LIMBS)
}

/// Counts under the run limit alone, for an alphabet of `size` characters: `G(r)`, the ways to
/// go on for `r` characters after a run ended (the next character unlike it), and
/// `V(r) = Σ G(r − L)` over run lengths `L` in `1..=min(run, r)`; `size · V(r)` strings of `r`
/// characters keep the limit.
fn run_only(size: usize, run: usize, max_length: usize, width: usize) -> (Rows, Rows) {
    let mut g = Rows::new(width, max_length + 1);
    let mut v = Rows::new(width, max_length + 1);
    for r in 0..=max_length {
        let mut vr = Count::default();
        let mut gr = Count::default();
        if r == 0 {
            gr[0] = 1;
        } else {
            add_product(&mut vr[..width], v.get(r - 1), 1);
            add_product(&mut vr[..width], g.get(r - 1), 1);
            if r > run {
                subtract(&mut vr[..width], g.get(r - 1 - run));
            }
            add_product(&mut gr[..width], &vr[..width], size as u64 - 1);
        }
        v.push(&vr);
        g.push(&gr);
    }
    (g, v)
}

/// `T(r)`, the strings of `r` characters with a character of every required set and no run
/// longer than `run`, for every `r` up to `max_length` (`T(0)` is 0): by inclusion–exclusion over
/// the sets a string misses, `Σ_S (−1)^|S| · U(N − |∪S|)` where `U(n)` counts the strings over
/// `n` characters that keep the run limit.
fn totals(alphabet: &Alphabet, run: usize, max_length: usize, width: usize) -> Rows {
    // The coefficient of each alphabet size left once the sets in S are taken out.
    let mut coefficients: Vec<(usize, i64)> = Vec::new();
    for missed in 0usize..1 << alphabet.sets {
        let left: usize = alphabet
            .atoms
            .iter()
            .filter(|(_, sets)| *sets as usize & missed == 0)
            .map(|(members, _)| members.len())
            .sum();
        let sign = if missed.count_ones() % 2 == 0 { 1 } else { -1 };
        match coefficients.iter_mut().find(|(size, _)| *size == left) {
            Some((_, c)) => *c += sign,
            None => coefficients.push((left, sign)),
        }
    }
    let mut positive = vec![Count::default(); max_length + 1];
    let mut negative = vec![Count::default(); max_length + 1];
    for &(size, coefficient) in coefficients.iter().filter(|(size, c)| *size > 0 && *c != 0) {
        let (_, v) = run_only(size, run, max_length, width);
        let sum = if coefficient > 0 {
            &mut positive
        } else {
            &mut negative
        };
        for (r, acc) in sum.iter_mut().enumerate().skip(1) {
            add_product(
                &mut acc[..width],
                v.get(r),
                size as u64 * coefficient.unsigned_abs(),
            );
        }
    }
    let mut rows = Rows::new(width, max_length + 1);
    for (mut p, n) in positive.into_iter().zip(&negative) {
        subtract(&mut p[..width], &n[..width]);
        rows.push(&p);
    }
    rows
}

/// Index `i` with probability `weight_i / Σ weight`, from the weights' shares as floats (in
/// order, read only as far as the draw needs) and, when the draw is within `close_call` of a
/// boundary, their exact values.
fn choose<R: Rng + ?Sized>(
    rng: &mut R,
    close_call: f64,
    shares: impl Iterator<Item = f64>,
    exact: impl FnOnce() -> Vec<BigUint>,
) -> usize {
    // The draw is a uniform real in [x, x + 1) / 2^32, read first as its midpoint.
    let x = rng.next_u32();
    let t = (f64::from(x) + 0.5) / 4_294_967_296.0;
    let mut below = 0.0;
    for (i, share) in shares.enumerate() {
        let above = below + share;
        if t < above {
            if t - below > close_call && above - t > close_call {
                return i;
            }
            break;
        }
        below = above;
    }
    choose_exactly(rng, BigUint::from(x), 32, &exact())
}

/// The index whose exact share of the total holds the uniform real whose first `bits` bits are
/// `x`, drawing more of its bits while the interval they leave straddles a boundary.
fn choose_exactly<R: Rng + ?Sized>(
    rng: &mut R,
    mut x: BigUint,
    mut bits: u64,
    weights: &[BigUint],
) -> usize {
    let total: BigUint = weights.iter().sum();
    loop {
        // The real is in [x, x + 1) / 2^bits; its multiple of the total in [low, high) / 2^bits.
        let low = &x * &total;
        let high = &low + &total;
        let mut sum = BigUint::zero();
        for (i, weight) in weights.iter().enumerate() {
            sum += weight;
            let boundary = &sum << bits;
            if low < boundary {
                if high <= boundary {
                    return i;
                }
                break;
            }
        }
        x = (x << 64u32) + rng.next_u64();
        bits += 64;
    }
}

/// Strings of one length that a site's rules allow, counted and sampled.
#[derive(Clone, Debug)]
pub struct SiteSpace {
    /// The rules as the caller sent them.
    pub text: String,
    /// The characters, atom after atom.
    chars: Vec<char>,
    /// Atom of each character.
    atom_of: Vec<usize>,
    /// Where each atom's characters start in `chars` (and the end).
    starts: Vec<usize>,
    /// Each atom's required sets.
    sets: Vec<usize>,
    full: usize,
    run: usize,
    length: usize,
    alphabet: Alphabet,
    /// `T(r)` for every length counted.
    totals: Rows,
    /// `G(r)` under the run limit alone over every character: the ways to finish once every set
    /// is met.
    finish: Rows,
    /// `V(r)` under the run limit alone over every character: `N · V(r)` strings of `r`
    /// characters keep the limit (what a proposal draws from).
    going_on: Rows,
    /// The counts by sets met, for the walk (built when it is the method, up to the length).
    table: Option<Table>,
    /// With every set met and `r` characters left, the shares of the block lengths
    /// `1..=min(run, r)` at `blocks[block_starts[r]..block_starts[r + 1]]`: the sampler's usual
    /// step, read without touching the big counts.
    blocks: Vec<f64>,
    block_starts: Vec<usize>,
    /// Draw strings that only keep the runs short and reject those that miss a required set:
    /// cheaper than the walk when most of them meet every set.
    propose: bool,
    close_call: f64,
}

/// Proposing strings that keep only the run limit and rejecting those that miss a set is chosen
/// while at least this share of them meets every set: a proposal costs ~16 ns a character, a
/// step of the walk through unmet sets ~55 ns (release, `make bench`), so the two meet near 1/4.
pub const MIN_ACCEPTANCE: f64 = 0.25;

impl SiteSpace {
    /// Counts every length up to `max_length` for `alphabet` with runs of at most `run` identical
    /// characters (at least 1). [`SiteSpace::with_length`] then chooses the length and the way
    /// to sample it, before any sample.
    fn new(alphabet: &Alphabet, max_length: usize, run: usize) -> SiteSpace {
        let run = run.clamp(1, max_length.max(1));
        let mut chars = Vec::new();
        let mut atom_of = Vec::new();
        let mut starts = vec![0];
        for (b, (members, _)) in alphabet.atoms.iter().enumerate() {
            chars.extend(members);
            atom_of.extend(std::iter::repeat_n(b, members.len()));
            starts.push(chars.len());
        }
        let full = (1 << alphabet.sets) - 1;
        let width = width_for(chars.len(), max_length);
        let (finish, going_on) = run_only(chars.len(), run, max_length, width);
        let mut blocks = Vec::new();
        let mut block_starts = Vec::with_capacity(max_length + 2);
        for r in 0..=max_length {
            block_starts.push(blocks.len());
            if r > run {
                let log_total = log2_limbs(going_on.get(r));
                blocks
                    .extend((1..=run).map(|l| (log2_limbs(finish.get(r - l)) - log_total).exp2()));
            }
        }
        block_starts.push(blocks.len());
        SiteSpace {
            text: String::new(),
            chars,
            atom_of,
            starts,
            sets: alphabet.atoms.iter().map(|(_, s)| *s as usize).collect(),
            full,
            run,
            length: max_length,
            alphabet: alphabet.clone(),
            totals: totals(alphabet, run, max_length, width),
            finish,
            going_on,
            table: None,
            blocks,
            block_starts,
            propose: false,
            close_call: CLOSE_CALL,
        }
    }

    /// `log2` of the number of valid strings of `length` characters (`length` up to the table's).
    pub fn log2_count_at(&self, length: usize) -> f64 {
        log2_limbs(self.totals.get(length))
    }

    /// Samples `length` characters from now on (at most the table's length).
    pub fn with_length(mut self, length: usize) -> SiteSpace {
        assert!(length < self.totals.len(), "length beyond the counts");
        self.length = length;
        // Strings of `length` that keep the run limit: N characters open the first run, then
        // the ways to go on after it.
        let log_proposed = (self.chars.len() as f64).log2() + log2_limbs(self.going_on.get(length));
        let acceptance = (self.log2_count_at(length) - log_proposed).exp2();
        self.propose = self.full != 0 && length > 0 && acceptance >= MIN_ACCEPTANCE;
        self.table = None;
        if self.full != 0 && !self.propose {
            self.walk_by_table();
        }
        self
    }

    /// Counts by sets met for the walk, up to the length.
    fn walk_by_table(&mut self) {
        self.propose = false;
        if self.table.as_ref().is_none_or(|t| t.rows() <= self.length) {
            self.table = Some(Table::new(&self.alphabet, self.length, self.run));
        }
    }

    /// Characters per string.
    pub fn length(&self) -> usize {
        self.length
    }

    /// Distinct characters.
    pub fn size(&self) -> usize {
        self.chars.len()
    }

    /// The exact number of valid strings of `length` characters.
    #[cfg(test)]
    fn count_at(&self, length: usize) -> BigUint {
        to_big(self.totals.get(length))
    }

    /// The exact number of strings of [`SiteSpace::length`].
    pub fn count(&self) -> BigUint {
        to_big(self.totals.get(self.length))
    }

    /// A uniform string of [`SiteSpace::length`] characters.
    ///
    /// # Panics
    /// If there is none ([`SiteSpace::count`] is zero): callers refuse such rules first.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        assert!(
            self.log2_count_at(self.length) >= 0.0,
            "no string to sample"
        );
        if !self.propose {
            return self.walk(rng, 0).0;
        }
        loop {
            // Uniform over the strings that keep the run limit; those that meet every set are
            // then uniform over the valid ones.
            let (proposal, met) = self.walk(rng, self.full);
            if met == self.full {
                return proposal;
            }
        }
    }

    /// A string drawn run by run from `met` sets met (every set: only the run limit counts),
    /// and the sets its characters meet.
    fn walk<R: Rng + ?Sized>(&self, rng: &mut R, mut met: usize) -> (String, usize) {
        let mut out = String::with_capacity(self.length);
        let mut left = self.length;
        let mut seen = 0usize;
        let mut last: Option<usize> = None;
        while left > 0 {
            let (c, atom) = if met == self.full {
                // Every set is met: any character unlike the last one opens the next block.
                let c = self.other_than(rng, last, 0, self.chars.len());
                if self.run >= left {
                    // No run can grow too long: the rest is free.
                    out.push(self.chars[c]);
                    seen |= self.sets[self.atom_of[c]];
                    for _ in 1..left {
                        let c = below(rng, self.chars.len() as u32) as usize;
                        out.push(self.chars[c]);
                        seen |= self.sets[self.atom_of[c]];
                    }
                    return (out, seen);
                }
                (c, self.atom_of[c])
            } else {
                let table = self.table.as_ref().expect("the walk's counts");
                let previous = last.map(|c| self.atom_of[c]);
                let log_total = match previous {
                    Some(a) => table.log_h(left, met, a),
                    None => table.log_total(left),
                };
                let ways = |b: usize| {
                    let size = self.starts[b + 1] - self.starts[b];
                    size - usize::from(previous == Some(b))
                };
                let atoms = 0..self.sets.len();
                let atom = choose(
                    rng,
                    self.close_call,
                    atoms.clone().map(|b| {
                        let log =
                            (ways(b) as f64).log2() + table.log_w(left, met | self.sets[b], b);
                        (log - log_total).exp2()
                    }),
                    || {
                        atoms
                            .clone()
                            .map(|b| to_big(table.w(left, met | self.sets[b], b)) * ways(b))
                            .collect()
                    },
                );
                met |= self.sets[atom];
                let c = self.other_than(rng, last, self.starts[atom], self.starts[atom + 1]);
                (c, atom)
            };
            // The block's length, weighted by the ways to finish after it.
            let longest = self.run.min(left);
            let block = 1 + if met == self.full {
                let exact = || {
                    (1..=longest)
                        .map(|l| to_big(self.finish.get(left - l)))
                        .collect()
                };
                match &self.blocks[self.block_starts[left]..self.block_starts[left + 1]] {
                    // Runs of one: nothing to choose.
                    [_] => 0,
                    shares => choose(rng, self.close_call, shares.iter().copied(), exact),
                }
            } else {
                let table = self.table.as_ref().expect("the walk's counts");
                let exact = || {
                    (1..=longest)
                        .map(|l| to_big(table.h(left - l, met, atom, &mut Count::default())))
                        .collect()
                };
                let log_total = table.log_w(left, met, atom);
                let shares =
                    (1..=longest).map(|l| (table.log_h(left - l, met, atom) - log_total).exp2());
                choose(rng, self.close_call, shares, exact)
            };
            for _ in 0..block {
                out.push(self.chars[c]);
            }
            left -= block;
            last = Some(c);
            seen |= self.sets[atom];
        }
        (out, seen)
    }

    /// A uniform index in `from..to` other than `last`.
    fn other_than<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        last: Option<usize>,
        from: usize,
        to: usize,
    ) -> usize {
        let skip = last.filter(|l| (from..to).contains(l));
        let i = from + below(rng, (to - from - usize::from(skip.is_some())) as u32) as usize;
        match skip {
            Some(l) if i >= l => i + 1,
            _ => i,
        }
    }
}

/// The password space of a request with `passwordrules`: the rules' characters less `exclude` and
/// (with `avoid_ambiguous`) the look-alikes, at the requested length (default 18, within the
/// rules' `minlength`/`maxlength` and 4–256), raised to reach `target` bits if one is asked.
pub(super) fn space(
    r: &GenerateRequest,
    text: &str,
    target: Option<(f64, &'static str)>,
) -> Result<Arc<SiteSpace>, GenerateError> {
    // Parameters that choose characters: the rules do that.
    let choosers = [
        &r.class_params()[..],
        &[
            ("symbol_set", r.symbol_set.is_some()),
            ("compliance", r.compliance.is_some()),
            ("profession", r.profession.is_some()),
        ],
    ]
    .concat();
    if let Some((param, _)) = choosers.iter().find(|(_, sent)| *sent) {
        return invalid(
            param,
            format!(
                "{param} cannot be combined with passwordrules: the rules say which characters to use"
            ),
        );
    }
    let rules = parse(text).map_err(|e| GenerateError {
        param: "passwordrules",
        message: e.to_string(),
    })?;
    let exclude = r.exclude.as_deref().unwrap_or("");
    let avoid = r.avoid_ambiguous.unwrap_or(false);
    let keep = |c: char| !(exclude.contains(c) || avoid && AMBIGUOUS.contains(c));
    // What removed the characters, when they run out.
    let remover = if r.exclude.is_some() {
        "exclude"
    } else {
        "avoid_ambiguous"
    };
    let alphabet = match Alphabet::of(&rules, keep) {
        Ok(alphabet) => alphabet,
        Err(AlphabetError::TooManySets(n)) => {
            return invalid(
                "passwordrules",
                format!(
                    "passwordrules names {n} required sets; at most {MAX_REQUIRED_SETS} are supported"
                ),
            );
        }
        Err(AlphabetError::Empty) => {
            return invalid(
                remover,
                format!("{remover} removes every character passwordrules allows"),
            );
        }
        Err(AlphabetError::EmptySet(i)) => {
            return invalid(
                remover,
                format!("{remover} removes every character of passwordrules' required set {i}"),
            );
        }
        Err(AlphabetError::TooLarge(n)) => {
            return invalid(
                "passwordrules",
                format!("passwordrules allow {n} characters; at most {MAX_ALPHABET} are supported"),
            );
        }
    };
    let shortest = rules
        .min_length
        .map_or(0, |l| l as usize)
        .max(*LENGTH_RANGE.start() as usize);
    let longest = rules
        .max_length
        .map_or(usize::MAX, |l| l as usize)
        .min(*LENGTH_RANGE.end() as usize);
    if shortest > longest {
        return invalid(
            "passwordrules",
            format!(
                "passwordrules allow no length from {} to {} characters",
                LENGTH_RANGE.start(),
                LENGTH_RANGE.end()
            ),
        );
    }
    let length = match r.length {
        Some(length) if !(shortest..=longest).contains(&(length as usize)) => {
            return invalid(
                "length",
                format!("length must be between {shortest} and {longest} for these passwordrules"),
            );
        }
        Some(length) => length as usize,
        None => (DEFAULT_LENGTH as usize).clamp(shortest, longest),
    };
    let run = match rules.max_consecutive {
        Some(0) => return invalid("passwordrules", "max-consecutive: 0 allows no password"),
        Some(k) => k as usize,
        None => longest,
    };
    // Counting every length up to the longest allowed serves a min_entropy search in one table.
    let counted = if target.is_some() { longest } else { length };
    let mut space = SiteSpace::new(&alphabet, counted, run);
    let length = raise(length as u32, counted as u32, target, "characters", |l| {
        space.log2_count_at(l as usize)
    })? as usize;
    if space.log2_count_at(length) < 0.0 {
        let param = if r.length.is_some() {
            "length"
        } else {
            "passwordrules"
        };
        return invalid(
            param,
            format!("no password of {length} characters meets these passwordrules"),
        );
    }
    space = space.with_length(length);
    space.text = text.to_owned();
    Ok(Arc::new(space))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::breach::BreachCheck;
    use crate::evaluate::policy::{PasswordPolicy, verdict};
    use crate::generate::stats::{chi_square, chi_square_critical};
    use num_traits::{One, ToPrimitive};
    use std::collections::HashMap;

    fn rules(text: &str) -> PasswordRules {
        parse(text).unwrap()
    }

    fn alphabet(text: &str) -> Alphabet {
        Alphabet::of(&rules(text), |_| true).unwrap()
    }

    fn space(text: &str, length: usize) -> SiteSpace {
        let parsed = rules(text);
        let run = parsed.max_consecutive.map_or(length, |k| k as usize);
        SiteSpace::new(&alphabet(text), length, run).with_length(length)
    }

    /// Whether the verdict (the evaluate side's reading of the rules) finds `password` compliant.
    fn compliant(text: &str, password: &str) -> bool {
        let policy = PasswordPolicy::rules(text).unwrap();
        let strength = crate::evaluate::Strength {
            score: 0,
            guesses_log10: 0.0,
            exact_guesses: None,
            warning: None,
            suggestions: vec![],
            patterns: None,
        };
        verdict(&policy, password, &[], &strength, BreachCheck::Skipped).compliant == Some(true)
    }

    /// Every string of `length` over the alphabet, kept when the verdict finds it compliant.
    fn brute_force(text: &str, length: usize) -> Vec<String> {
        let chars: Vec<char> = alphabet(text)
            .atoms
            .iter()
            .flat_map(|(c, _)| c.clone())
            .collect();
        let n = chars.len();
        let mut found = Vec::new();
        let mut digits = vec![0usize; length];
        loop {
            let password: String = digits.iter().map(|&d| chars[d]).collect();
            if compliant(text, &password) {
                found.push(password);
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
                return found;
            }
        }
    }

    /// A second count, from the front: prefixes ending at a block boundary by (length, sets met,
    /// atom of the last character), with a sliding sum over the block lengths.
    fn count_from_the_front(alphabet: &Alphabet, length: usize, run: usize) -> BigUint {
        let k = run.clamp(1, length.max(1));
        let masks = 1usize << alphabet.sets;
        let atoms = alphabet.atoms.len();
        let width = masks * (atoms + 1);
        let mut f = vec![vec![BigUint::zero(); width]; length + 1];
        f[0][atoms] = BigUint::one();
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
                for (a, (members, sets)) in alphabet.atoms.iter().enumerate() {
                    let ways = &total * BigUint::from(members.len()) - &row[a];
                    f[p][(mask | *sets as usize) * (atoms + 1) + a] += ways;
                }
            }
        }
        let full = masks - 1;
        f[length][full * (atoms + 1)..(full + 1) * (atoms + 1)]
            .iter()
            .sum()
    }

    const SMALL_RULES: &[&str] = &[
        "allowed: [abc]",
        "allowed: [abc]; max-consecutive: 1",
        "allowed: [abcd]; max-consecutive: 2",
        "required: [ab]; required: [c]; allowed: [d]; max-consecutive: 2",
        "required: [ab], [c]; allowed: [d]; max-consecutive: 3",
        "required: [ab]; required: [bc]; max-consecutive: 1",
        "required: [a]; required: [b]; required: [c]; allowed: [xy]; max-consecutive: 2",
        "required: [a]; allowed: [b]; max-consecutive: 1",
    ];

    #[test]
    fn counts_agree_with_brute_force_and_with_counting_from_the_front() {
        for text in SMALL_RULES {
            let run = rules(text)
                .max_consecutive
                .map_or(usize::MAX, |k| k as usize);
            let space = space(text, 6);
            let table = Table::new(&alphabet(text), 6, run.min(6));
            for length in 1..=6 {
                let expected = BigUint::from(brute_force(text, length).len());
                // Three counts: inclusion–exclusion, the walk's table, and from the front.
                assert_eq!(space.count_at(length), expected, "{text} at {length}");
                assert_eq!(
                    table.total(length),
                    expected,
                    "{text} at {length}, the table"
                );
                let front = count_from_the_front(&alphabet(text), length, run.min(length));
                assert_eq!(front, expected, "{text} at {length}, from the front");
            }
        }
    }

    #[test]
    fn long_counts_agree_with_counting_from_the_front_and_closed_forms() {
        for (text, length) in [
            (
                "required: upper; required: lower; required: digit; required: special; max-consecutive: 2",
                64,
            ),
            (
                "required: upper, [ab]; required: lower, [cd]; required: digit, [ef]; allowed: special; max-consecutive: 3",
                40,
            ),
            (
                "required: [a]; required: [b]; allowed: ascii-printable; max-consecutive: 1",
                50,
            ),
        ] {
            let run = rules(text).max_consecutive.unwrap() as usize;
            assert_eq!(
                Table::new(&alphabet(text), length, run).total(length),
                space(text, length).count_at(length),
                "{text}"
            );
            assert_eq!(
                space(text, length).count_at(length),
                count_from_the_front(&alphabet(text), length, run),
                "{text}"
            );
        }
        let all = space("allowed: ascii-printable", 20);
        assert_eq!(all.count_at(20), BigUint::from(95u32).pow(20));
        // max-consecutive 1: the first character free, each next one unlike it.
        let unlike = space("allowed: ascii-printable; max-consecutive: 1", 20);
        assert_eq!(
            unlike.count_at(20),
            BigUint::from(95u32) * BigUint::from(94u32).pow(19)
        );
        assert!(
            (unlike.count_at(20).to_f64().unwrap().log2() - unlike.log2_count_at(20)).abs() < 1e-9
        );
    }

    /// Draws `draws_per_string` per valid string and tests the frequencies (chi-square, z = 5).
    fn assert_uniform(text: &str, length: usize, close_call: f64, propose: bool) {
        let valid = brute_force(text, length);
        let mut space = space(text, length);
        space.close_call = close_call;
        if propose {
            space.propose = true;
        } else {
            space.walk_by_table();
        }
        assert_eq!(space.count(), BigUint::from(valid.len()), "{text}");
        let draws_per_string = 200;
        let mut rng = rand::rng();
        let mut seen: HashMap<String, u64> = valid.iter().map(|p| (p.clone(), 0)).collect();
        for _ in 0..valid.len() * draws_per_string {
            let p = space.sample(&mut rng);
            *seen
                .get_mut(&p)
                .unwrap_or_else(|| panic!("{p:?} breaks {text}")) += 1;
        }
        let observed: Vec<u64> = valid.iter().map(|p| seen[p]).collect();
        let expected = vec![draws_per_string as f64; valid.len()];
        let stat = chi_square(&observed, &expected);
        let df = (valid.len() - 1) as f64;
        assert!(
            stat < chi_square_critical(df, 5.0),
            "{text} (propose {propose}): chi-square {stat}, df {df}"
        );
    }

    #[test]
    fn samples_are_uniform_over_the_valid_strings() {
        for (text, length) in [
            (
                "required: [ab]; required: [c]; allowed: [d]; max-consecutive: 2",
                5,
            ),
            ("required: [ab]; required: [bc]; max-consecutive: 1", 6),
            ("allowed: [abcd]; max-consecutive: 2", 5),
            (
                "required: [a]; required: [b]; required: [c]; allowed: [xy]; max-consecutive: 2",
                4,
            ),
            ("required: [a]; allowed: [bc]", 5),
        ] {
            // Both ways: walking through the unmet sets, and proposing and rejecting.
            assert_uniform(text, length, CLOSE_CALL, false);
            assert_uniform(text, length, CLOSE_CALL, true);
        }
    }

    #[test]
    fn exact_choices_alone_are_uniform_too() {
        // Every choice settled by the exact integers (a close call always).
        for (text, length) in [
            (
                "required: [ab]; required: [c]; allowed: [d]; max-consecutive: 2",
                5,
            ),
            ("required: [a]; allowed: [bc]; max-consecutive: 1", 6),
        ] {
            assert_uniform(text, length, 2.0, false);
            assert_uniform(text, length, 2.0, true);
        }
    }

    /// The largest alphabet at the longest length fits the fixed width, with the limb the
    /// widths' rounding needs to spare.
    #[test]
    fn the_largest_count_fits_the_fixed_width() {
        let largest = BigUint::from(MAX_ALPHABET).pow(*LENGTH_RANGE.end());
        assert!(
            largest.bits() <= 64 * (MAX_LIMBS as u64 - 1),
            "{}",
            largest.bits()
        );
        for length in [1, 100, 255, 256] {
            assert!(
                width_for(MAX_ALPHABET, length) * 64
                    >= BigUint::from(MAX_ALPHABET).pow(length as u32).bits() as usize + 64
            );
        }
    }

    /// At the largest alphabet and length the counts are exact, by closed forms: all of
    /// printable ASCII, alone, with no two alike in a row, and with four required sets
    /// (inclusion–exclusion over the sets a string misses), in the totals and the walk's table.
    #[test]
    fn counts_at_the_largest_alphabet_and_length_are_exact() {
        let n = BigUint::from(95u32);
        let length = 256;
        let all = space("allowed: ascii-printable", length);
        assert_eq!(all.size(), MAX_ALPHABET);
        assert_eq!(all.count(), n.pow(256));
        let no_repeat = space("allowed: ascii-printable; max-consecutive: 1", length);
        assert_eq!(no_repeat.count(), &n * BigUint::from(94u32).pow(255));
        // Four single-letter sets in 95 characters: Σ_k (−1)^k C(4, k) (95 − k)^256.
        let text =
            "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable";
        let four = space(text, length);
        let binomial = [1u32, 4, 6, 4, 1];
        let (mut plus, mut minus) = (BigUint::zero(), BigUint::zero());
        for (k, c) in binomial.iter().enumerate() {
            let term = BigUint::from(*c) * BigUint::from(95 - k as u32).pow(256);
            if k % 2 == 0 {
                plus += term
            } else {
                minus += term
            }
        }
        assert_eq!(four.count(), plus - minus);
        let table = Table::new(&alphabet(text), length, length);
        assert_eq!(to_big(table.t(length, 0)), four.count());
    }

    #[test]
    fn an_alphabet_beyond_the_fixed_width_is_refused() {
        let parsed = rules("allowed: ascii-printable");
        let mut wider = parsed.clone();
        wider.allowed.push(CharacterClass::Custom(vec!['\u{e9}']));
        assert_eq!(Alphabet::of(&parsed, |_| true).map(|a| a.size()), Ok(95));
        assert_eq!(
            Alphabet::of(&wider, |_| true),
            Err(AlphabetError::TooLarge(96))
        );
    }

    #[test]
    fn long_strings_propose_and_reject_short_ones_walk() {
        let text =
            "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable";
        // At 256 characters ~75% of the strings hold all four letters; at 8, ~2e-7 do.
        assert!(space(text, 256).propose);
        assert!(!space(text, 8).propose);
        assert!(
            !space("allowed: ascii-printable", 64).propose,
            "no set to miss"
        );
    }

    #[test]
    fn exact_choice_follows_the_weights() {
        let weights: Vec<BigUint> = [1u32, 0, 3, 4].map(BigUint::from).to_vec();
        let mut rng = rand::rng();
        let mut observed = [0u64; 4];
        let draws = 80_000;
        for _ in 0..draws {
            let x = rng.next_u32();
            observed[choose_exactly(&mut rng, BigUint::from(x), 32, &weights)] += 1;
        }
        assert_eq!(observed[1], 0);
        let expected: Vec<f64> = [1.0, 3.0, 4.0]
            .iter()
            .map(|w| w / 8.0 * draws as f64)
            .collect();
        let stat = chi_square(&[observed[0], observed[2], observed[3]], &expected);
        assert!(stat < chi_square_critical(2.0, 5.0), "chi-square {stat}");
    }

    #[test]
    fn long_samples_meet_the_rules_as_the_parser_reads_them() {
        let mut rng = rand::rng();
        for (text, length) in [
            (
                "minlength: 12; required: upper; required: digit; max-consecutive: 2",
                12,
            ),
            (
                "required: upper; required: lower; required: digit; required: [-().&@?'#,/\"+]; max-consecutive: 1",
                256,
            ),
            (
                "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable",
                4,
            ),
            ("allowed: lower, digit; max-consecutive: 3", 100),
            ("required: digit; max-consecutive: 1", 64),
        ] {
            let space = space(text, length);
            for _ in 0..200 {
                let p = space.sample(&mut rng);
                assert_eq!(p.chars().count(), length);
                assert!(compliant(text, &p), "{p:?} breaks {text}");
            }
        }
    }

    fn request(rules: &str) -> GenerateRequest {
        GenerateRequest {
            passwordrules: Some(rules.into()),
            ..GenerateRequest::default()
        }
    }

    fn refused(request: GenerateRequest) -> &'static str {
        crate::generate::GenerationPlan::new(&request, 10)
            .expect_err("refused")
            .param
    }

    #[test]
    fn requests_with_rules_are_refused_naming_the_parameter() {
        let too_long = format!("minlength: 8; {}", "required: upper; ".repeat(70));
        for (request, param) in [
            (request("required: upper; bogus: 3"), "passwordrules"),
            (request(""), "passwordrules"),
            (request(&too_long), "passwordrules"),
            (
                request(
                    "required: upper; required: lower; required: digit; required: special; required: [ab]",
                ),
                "passwordrules",
            ),
            (request("minlength: 300"), "passwordrules"),
            (request("maxlength: 3"), "passwordrules"),
            (request("minlength: 20; maxlength: 10"), "passwordrules"),
            (request("max-consecutive: 0"), "passwordrules"),
            // Only "aaaa…" is made of [a], and max-consecutive forbids it.
            (request("allowed: [a]; max-consecutive: 1"), "passwordrules"),
            (
                GenerateRequest {
                    length: Some(6),
                    ..request("allowed: [a]; max-consecutive: 1")
                },
                "length",
            ),
            (
                GenerateRequest {
                    length: Some(10),
                    ..request("minlength: 12")
                },
                "length",
            ),
            (
                GenerateRequest {
                    length: Some(300),
                    ..request("minlength: 12")
                },
                "length",
            ),
            (
                GenerateRequest {
                    uppercase: Some(true),
                    ..request("required: upper")
                },
                "uppercase",
            ),
            (
                GenerateRequest {
                    compliance: Some(crate::generate::Preset::Pci),
                    ..request("required: upper")
                },
                "compliance",
            ),
            (
                GenerateRequest {
                    exclude: Some("0123456789".into()),
                    ..request("required: digit; allowed: upper")
                },
                "exclude",
            ),
            (
                GenerateRequest {
                    avoid_ambiguous: Some(true),
                    ..request("allowed: [Il1]")
                },
                "avoid_ambiguous",
            ),
            (
                GenerateRequest {
                    mode: Some(crate::generate::Mode::Passphrase),
                    ..request("required: upper")
                },
                "passwordrules",
            ),
            (
                GenerateRequest {
                    min_entropy: Some(100.0),
                    ..request("allowed: digit; maxlength: 8")
                },
                "min_entropy",
            ),
        ] {
            assert_eq!(refused(request.clone()), param, "{request:?}");
        }
    }

    #[test]
    fn rules_set_the_length_and_the_exact_entropy() {
        let policy = |request| crate::generate::GenerationPlan::new(&request, 10).unwrap();
        let default = policy(request(
            "required: upper; required: digit; max-consecutive: 2",
        ));
        assert_eq!(default.length(), Some(18));
        // With no `allowed`, the required sets are the alphabet.
        assert_eq!(default.charset_size(), 36);
        let text = "required: upper; required: digit; max-consecutive: 2";
        let expected = count_from_the_front(&alphabet(text), 18, 2);
        assert_eq!(default.output_count(), expected);
        assert_eq!(default.passwordrules(), Some(text));
        assert_eq!(policy(request("minlength: 20")).length(), Some(20));
        assert_eq!(policy(request("maxlength: 12")).length(), Some(12));
        // 10^16 ≥ 2^50 > 10^15: sixteen digits are the fewest that carry 50 bits.
        let raised = policy(GenerateRequest {
            length: Some(4),
            min_entropy: Some(50.0),
            ..request("allowed: digit")
        });
        assert_eq!(raised.length(), Some(16));
        assert_eq!(raised.output_count(), BigUint::from(10u32).pow(16));
        // exclude and avoid_ambiguous take characters out of the rules' classes.
        let fewer = policy(GenerateRequest {
            exclude: Some("ab".into()),
            avoid_ambiguous: Some(true),
            ..request("allowed: lower")
        });
        assert_eq!(fewer.charset_size(), 26 - 2 - 2); // a, b; l, o
        let p = &fewer.generate(&mut rand::rng())[0];
        assert!(!p.contains(['a', 'b', 'l', 'o']), "{p}");
    }

    #[test]
    fn the_largest_alphabet_counts_and_more_sets_are_refused() {
        let text = "required: upper; required: lower, [ab]; required: digit, [cd]; \
                    required: special, [ef]; max-consecutive: 2";
        let start = std::time::Instant::now();
        let space = space(text, 256);
        assert!(!space.count().is_zero());
        eprintln!(
            "256 characters, 4 sets, {} atoms: {:?}",
            space.sets.len(),
            start.elapsed()
        );
        let five = rules(
            "required: upper; required: lower; required: digit; required: special; required: [ab]",
        );
        assert_eq!(
            Alphabet::of(&five, |_| true),
            Err(AlphabetError::TooManySets(5))
        );
        assert_eq!(
            Alphabet::of(&rules("required: digit; allowed: upper"), |c| !c
                .is_ascii_digit()),
            Err(AlphabetError::EmptySet(1))
        );
        assert_eq!(
            Alphabet::of(&rules("allowed: [ab]"), |_| false),
            Err(AlphabetError::Empty)
        );
    }
}
