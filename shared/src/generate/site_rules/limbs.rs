//! Exact counts in fixed-width limbs on the stack: no allocation per count, and overflow
//! impossible by construction (every count is below `N^r`, which its width holds) and checked in
//! release builds too.

use num_bigint::BigUint;

/// Most 64-bit limbs a count takes: `95^256 < 2^1682` fits in 27 (an alphabet has at most
/// [`super::MAX_ALPHABET`] characters, and lengths stop at 256), and one more limb absorbs the
/// rounding of the widths' floating-point estimate. A test checks `MAX_ALPHABET^256` against it.
pub(super) const MAX_LIMBS: usize = 28;

/// A count as little-endian limbs, on the stack.
pub(super) type Count = [u64; MAX_LIMBS];

/// The count as a big integer.
pub(super) fn to_big(limbs: &[u64]) -> BigUint {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// `log2` from the top two non-zero limbs (`−∞` for zero).
pub(super) fn log2_limbs(limbs: &[u64]) -> f64 {
    match limbs.iter().rposition(|&l| l != 0) {
        None => f64::NEG_INFINITY,
        Some(0) => (limbs[0] as f64).log2(),
        Some(top) => {
            let mantissa = limbs[top] as f64 * 18_446_744_073_709_551_616.0 + limbs[top - 1] as f64;
            mantissa.log2() + (64 * (top - 1)) as f64
        }
    }
}

/// The count as a float (its top 128 bits, rounded; infinite beyond `f64`'s range): cheaper
/// than `log2_limbs(..).exp2()` where the count fits.
pub(super) fn to_f64(limbs: &[u64]) -> f64 {
    match limbs.iter().rposition(|&l| l != 0) {
        None => 0.0,
        Some(0) => limbs[0] as f64,
        Some(top) => {
            let high = limbs[top] as f64 * 18_446_744_073_709_551_616.0 + limbs[top - 1] as f64;
            high * 2f64.powi(64 * (top as i32 - 1))
        }
    }
}

/// `acc += value × factor`, `value` no longer than `acc`. The widths make overflow impossible
/// (every count is below `N^r`, which its row's width holds); a carry out would be a wrong
/// count, so it is checked in release builds too (a panic, never a silently biased draw).
pub(super) fn add_product(acc: &mut [u64], value: &[u64], factor: u64) {
    let mut carry = 0u128;
    for (i, a) in acc.iter_mut().enumerate() {
        let v = value.get(i).copied().unwrap_or(0);
        let sum = u128::from(*a) + u128::from(v) * u128::from(factor) + carry;
        *a = sum as u64;
        carry = sum >> 64;
    }
    assert_eq!(carry, 0, "count overflow");
}

/// `acc −= value`, `value` no longer than `acc` (the counts only take parts from their sum; a
/// borrow out, checked in release builds too, would be a wrong count).
pub(super) fn subtract(acc: &mut [u64], value: &[u64]) {
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

/// Limbs for counts of up to `max_length` characters of `size` kinds.
pub(super) fn width_for(size: usize, max_length: usize) -> usize {
    let bits = (max_length as f64 * (size as f64).log2()).ceil() as usize;
    (bits / 64 + 2).min(MAX_LIMBS)
}

/// One count per length (index `r`), each in the same `width` limbs.
#[derive(Clone, Debug)]
pub(super) struct ByLength {
    width: usize,
    data: Vec<u64>,
}

impl ByLength {
    /// Room for `lengths` counts of `width` limbs.
    pub(super) fn new(width: usize, lengths: usize) -> ByLength {
        ByLength {
            width,
            data: Vec::with_capacity(width * lengths),
        }
    }

    /// Appends the count of the next length.
    pub(super) fn push(&mut self, value: &[u64]) {
        self.data.extend_from_slice(&value[..self.width]);
    }

    /// The count of length `r`.
    pub(super) fn get(&self, r: usize) -> &[u64] {
        &self.data[r * self.width..(r + 1) * self.width]
    }

    /// Lengths counted.
    pub(super) fn len(&self) -> usize {
        self.data.len() / self.width
    }
}
