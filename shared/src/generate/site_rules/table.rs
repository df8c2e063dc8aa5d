//! The walk's counts: the ways to finish a string by the characters left, the required sets met
//! so far and the atom of the last block, for every length up to the table's.
//!
//! With `r` characters left, the sets `m` met and a block of atom `b` just ended (its character
//! is `x`): `H(r, m, b)` strings finish it ([`SetsTable::closed`]); `W(r, m, b) = Σ H(r − L, m, b)`
//! over block lengths `L` in `1..=min(run, r)` counts the ways on after one character of `b`
//! (not `x`) opens the next block, with `m` already including `b`'s sets
//! ([`SetsTable::opened`]); and `T(r, m) = Σ_b |b| · W(r, m | sets(b), b)` counts them with no
//! character before ([`SetsTable::strings`]), so `H(r, m, b) = T(r, m) − W(r, m, b)` (the block
//! may not repeat `x`), `H(0, m, b) = [m is every set]`, and `T(r, 0)` is the number of valid
//! strings of `r` characters.
//!
//! Row `r` stores `T(r, m)` for every `m`, then `W(r, m, b)` for the pairs with `m ⊇ sets(b)`,
//! each in as many limbs as `N^r` needs: no allocation per cell, and no cell never read.

use super::alphabet::Alphabet;
#[cfg(test)]
use super::limbs::to_big;
use super::limbs::{Count, MAX_LIMBS, add_product, log2_limbs, subtract};
#[cfg(test)]
use num_bigint::BigUint;

/// The counts by sets met, and their `log2`s for the walk's float path.
#[derive(Clone, Debug)]
pub(super) struct SetsTable {
    masks: usize,
    atoms: usize,
    /// Slot of `W(·, m, b)` in a row, at `m * atoms + b` (`usize::MAX` when `m ⊉ sets(b)`).
    slots: Vec<usize>,
    /// The `(m, b)` pairs with a `W` cell, in slot order.
    pairs: Vec<(usize, usize)>,
    /// Where each row starts in `data`, and its width in limbs.
    rows: Vec<(usize, usize)>,
    data: Vec<u64>,
    /// `log2 W` and `log2 H` of every cell, at `r * pairs + slot − masks`: the walk's floats,
    /// read without touching the limbs.
    log_opened: Vec<f64>,
    log_closed: Vec<f64>,
}

impl SetsTable {
    /// The counts for `alphabet` with runs of at most `run`, up to `max_length` characters.
    pub(super) fn new(alphabet: &Alphabet, max_length: usize, run: usize) -> SetsTable {
        let mut table = SetsTable::laid_out(alphabet, max_length);
        for r in 0..=max_length {
            table.push_row(alphabet, r, run);
        }
        table.compute_logs();
        table
    }

    /// An empty table with its slots and row widths.
    fn laid_out(alphabet: &Alphabet, max_length: usize) -> SetsTable {
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
        let cells = (max_length + 1) * pairs.len();
        SetsTable {
            masks,
            atoms,
            slots,
            pairs,
            rows,
            data: Vec::with_capacity(last_start + per_row * last_width),
            log_opened: Vec::with_capacity(cells),
            log_closed: Vec::with_capacity(cells),
        }
    }

    /// Row `r` from the rows before it.
    fn push_row(&mut self, alphabet: &Alphabet, r: usize, run: usize) {
        let (masks, full) = (self.masks, self.masks - 1);
        let width = self.rows[r].1;
        let mut row = vec![0u64; (masks + self.pairs.len()) * width];
        let (strings, opened) = row.split_at_mut(masks * width);
        if r > 0 {
            // W(r) = W(r − 1) + H(r − 1) − H(r − 1 − run), and H(r') = T(r') − W(r') for
            // r' ≥ 1: three passes over the limbs instead of six.
            for (p, &(m, b)) in self.pairs.iter().enumerate() {
                let w = &mut opened[p * width..(p + 1) * width];
                if r == 1 {
                    w[0] = u64::from(m == full);
                } else {
                    add_product(w, self.strings(r - 1, m), 1);
                }
                if r > run {
                    match r - 1 - run {
                        0 => subtract(w, &[u64::from(m == full)]),
                        old => {
                            add_product(w, self.opened(old, m, b), 1);
                            subtract(w, self.strings(old, m));
                        }
                    }
                }
            }
        }
        for m in 0..masks {
            let t = &mut strings[m * width..(m + 1) * width];
            for (b, (members, sets)) in alphabet.atoms.iter().enumerate() {
                let p = self.slots[(m | *sets as usize) * self.atoms + b] - masks;
                add_product(t, &opened[p * width..(p + 1) * width], members.len() as u64);
            }
        }
        self.data.extend_from_slice(&row);
    }

    /// The `log2` of every `W` and `H` cell.
    fn compute_logs(&mut self) {
        let mut h = Count::default();
        for r in 0..self.rows.len() {
            for i in 0..self.pairs.len() {
                let (m, b) = self.pairs[i];
                let log_opened = log2_limbs(self.opened(r, m, b));
                let log_closed = log2_limbs(self.closed(r, m, b, &mut h));
                self.log_opened.push(log_opened);
                self.log_closed.push(log_closed);
            }
        }
    }

    fn cell(&self, r: usize, slot: usize) -> &[u64] {
        let (start, width) = self.rows[r];
        &self.data[start + slot * width..start + (slot + 1) * width]
    }

    /// `T(r, m)`: the ways to finish `r` characters with `m` met and no character before.
    pub(super) fn strings(&self, r: usize, m: usize) -> &[u64] {
        self.cell(r, m)
    }

    /// `W(r, m, b)`, for `m ⊇ sets(b)`: the ways on once a character of `b` opened a block.
    pub(super) fn opened(&self, r: usize, m: usize, b: usize) -> &[u64] {
        self.cell(r, self.slots[m * self.atoms + b])
    }

    /// `H(r, m, b)`, written into `out`: the ways on once a block of `b` closed.
    pub(super) fn closed<'a>(&self, r: usize, m: usize, b: usize, out: &'a mut Count) -> &'a [u64] {
        let width = self.rows[r].1;
        let out = &mut out[..width];
        if r == 0 {
            out[0] = u64::from(m == self.masks - 1);
        } else {
            out.copy_from_slice(self.strings(r, m));
            subtract(out, self.opened(r, m, b));
        }
        out
    }

    /// Index of `(r, m, b)` in the float tables.
    fn float_at(&self, r: usize, m: usize, b: usize) -> usize {
        r * self.pairs.len() + self.slots[m * self.atoms + b] - self.masks
    }

    /// `log2 W(r, m, b)`.
    pub(super) fn log_opened(&self, r: usize, m: usize, b: usize) -> f64 {
        self.log_opened[self.float_at(r, m, b)]
    }

    /// `log2 H(r, m, b)`.
    pub(super) fn log_closed(&self, r: usize, m: usize, b: usize) -> f64 {
        self.log_closed[self.float_at(r, m, b)]
    }

    /// The number of valid strings of `r` characters.
    #[cfg(test)]
    pub(super) fn total(&self, r: usize) -> BigUint {
        to_big(self.strings(r, 0))
    }

    /// `log2` of the number of valid strings of `r` characters.
    pub(super) fn log_total(&self, r: usize) -> f64 {
        log2_limbs(self.strings(r, 0))
    }

    /// Lengths counted (`0..lengths()`).
    pub(super) fn lengths(&self) -> usize {
        self.rows.len()
    }
}
