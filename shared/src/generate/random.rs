//! Unbiased sampling from a cryptographically secure generator.
//!
//! Every draw the generator makes goes through these functions so that the "no modulo bias" property
//! is proved in one place: integers below `n` use Lemire's multiply-and-reject method, big integers
//! use bit-masking with rejection.

use num_bigint::BigUint;
use rand::Rng;
use rand::rngs::ThreadRng;

/// Name of the entropy source, reported in responses (`audit.entropy_source`).
pub const ENTROPY_SOURCE: &str = "ChaCha12 (rand ThreadRng) seeded from the operating system CSPRNG (getrandom) and reseeded after every 64 KiB of output";

/// The CSPRNG a request draws from: rand's `ThreadRng`, ChaCha12 seeded with 256 bits from the
/// operating system and reseeded from it after every 64 KiB of output.
///
/// A `getrandom` call per request would cost 0.4 µs, more than generating a password (0.16 µs,
/// `make bench`). The Lambda runtimes this ships on (`provided.al2023`) do not snapshot or fork an
/// execution environment, the two cases in which a generator's state could be replayed.
pub fn request_rng() -> ThreadRng {
    rand::rng()
}

/// A uniform integer in `0..n` (Lemire, "Fast Random Integer Generation in an Interval", 2019).
///
/// # Panics
/// If `n` is zero: callers only sample from non-empty sets.
pub fn below<R: Rng + ?Sized>(rng: &mut R, n: u32) -> u32 {
    assert!(n > 0, "cannot sample from an empty range");
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        // Reject the low products that would make some outputs one draw more likely.
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

/// A uniform integer in `0..n` for 64-bit `n` (Lemire's method on 128-bit products).
///
/// # Panics
/// If `n` is zero.
pub fn below_u64<R: Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    assert!(n > 0, "cannot sample from an empty range");
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// A uniform big integer in `0..n`, by drawing `bits(n)` random bits and rejecting values `>= n`
/// (fewer than two draws expected).
///
/// # Panics
/// If `n` is zero.
pub fn below_big<R: Rng + ?Sized>(rng: &mut R, n: &BigUint) -> BigUint {
    assert!(n.bits() > 0, "cannot sample from an empty range");
    let bits = n.bits();
    let bytes = bits.div_ceil(8) as usize;
    let mut buf = vec![0u8; bytes];
    loop {
        rng.fill_bytes(&mut buf);
        // Little-endian: the last byte holds the most significant bits; clear those above `bits`.
        let excess = (bytes as u64 * 8 - bits) as u32;
        if let Some(top) = buf.last_mut() {
            *top &= 0xff >> excess;
        }
        let candidate = BigUint::from_bytes_le(&buf);
        if &candidate < n {
            return candidate;
        }
    }
}

/// Shuffles `items` uniformly (Fisher–Yates).
pub fn shuffle<T, R: Rng + ?Sized>(rng: &mut R, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, (i + 1) as u32) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generator that replays fixed words, to drive the rejection branches deterministically.
    struct Replay(Vec<u32>);
    impl rand::TryRng for Replay {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(self.0.remove(0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.0.remove(0)))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                *b = self.0.remove(0) as u8;
            }
            Ok(())
        }
    }

    #[test]
    fn below_rejects_the_biased_zone() {
        // n = 3: 2^32 mod 3 = 1, so the draw whose low product is 0 must be rejected.
        // x = 0 gives m = 0 (low 0 < threshold 1): rejected; next x = u32::MAX gives 2.
        let mut rng = Replay(vec![0, u32::MAX]);
        assert_eq!(below(&mut rng, 3), 2);
        assert!(rng.0.is_empty(), "the first draw had to be rejected");
    }

    #[test]
    fn below_big_masks_and_rejects() {
        // n = 5 (3 bits): byte 0b1111_1111 masks to 7 >= 5 (rejected), then 0b0000_0100 -> 4.
        let mut rng = Replay(vec![0xff, 0x04]);
        assert_eq!(
            below_big(&mut rng, &BigUint::from(5u32)),
            BigUint::from(4u32)
        );
    }

    #[test]
    fn request_rng_streams_differ() {
        let (mut a, mut b) = (request_rng(), request_rng());
        assert_ne!(a.next_u64(), b.next_u64());
    }
}
