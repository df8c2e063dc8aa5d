//! The server secret that keys the hashes of emails and client addresses (`EMAIL_PEPPER`), and
//! the keyed hashes themselves. It depends on nothing of the product: the configuration holds
//! it, keys derive secrets with it, metering hashes addresses with it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt::Write;

/// The server secret that keys the hashes of emails and IPs (`EMAIL_PEPPER`).
#[derive(Clone, PartialEq, Eq)]
pub struct Pepper(Vec<u8>);

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(..)")
    }
}

impl Pepper {
    /// Fewest bytes accepted.
    pub const MIN_BYTES: usize = 32;

    /// A pepper from its bytes, when long enough.
    pub fn new(bytes: &[u8]) -> Option<Pepper> {
        (bytes.len() >= Self::MIN_BYTES).then(|| Pepper(bytes.to_vec()))
    }

    /// HMAC-SHA256 keyed with the pepper, to feed.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }

    fn keyed(&self, domain: &str, value: &str) -> String {
        let mut mac = self.mac();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        // Runs on every anonymous request: one allocation, not one per byte.
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(2 * digest.len());
        for byte in digest {
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }

    /// The stored form of a normalised email.
    pub fn email(&self, normalized: &str) -> String {
        self.keyed("email", normalized)
    }

    /// The stored form of a client IP.
    pub fn ip(&self, ip: &str) -> String {
        self.keyed("ip", ip)
    }
}
