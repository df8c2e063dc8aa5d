//! Choosing an index in proportion to exact weights: from their shares as floats, and only when
//! a draw lands within a close call of a boundary, from the exact integers.

use num_bigint::BigUint;
use num_traits::Zero;
use rand::Rng;

/// Index `i` with probability `weight_i / Σ weight`, from the weights' shares as floats (in
/// order, read only as far as the draw needs) and, when the draw is within `close_call` of a
/// boundary, their exact values.
pub(super) fn choose<R: Rng + ?Sized>(
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
pub(super) fn choose_exactly<R: Rng + ?Sized>(
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
