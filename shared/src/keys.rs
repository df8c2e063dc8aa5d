//! API keys and regeneration tokens: their format, hashing, and the keyed hashes of emails and IPs.
//!
//! A token is `<prefix><account id: 12><secret: 22><checksum: 6>`, all base62 after the prefix:
//! the account id makes lookup O(1), the secret carries 131 bits from the CSPRNG, and the checksum
//! (CRC-32 of everything before it) lets a mistyped or forged token be refused without a database
//! call. Secrets are stored only as argon2id PHC strings; emails and IPs only as HMAC-SHA256 under
//! the server's pepper.

pub use crate::pepper::Pepper;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use hmac::Mac;
use rand::{Rng, RngExt};
use sha2::Sha256;

/// Prefix of every API key.
pub const KEY_PREFIX: &str = "pwa_live_";
/// Prefix of every regeneration token.
pub const REGEN_PREFIX: &str = "pwa_regen_";
/// Characters of the account id.
pub const ID_LEN: usize = 12;
/// Characters of the secret (22 base62 characters: 130.9 bits).
pub const SECRET_LEN: usize = 22;
/// Characters of the checksum.
pub const CHECK_LEN: usize = 6;
/// argon2id memory (KiB), passes and lanes for new hashes of secrets. A secret of 131 random bits
/// cannot be brute-forced from a leaked hash whatever the hash costs, so the memory-hard cost that
/// protects human passwords buys nothing here; these parameters keep argon2id (and its PHC format)
/// at ~0.2 ms of CPU per verification (release build, `make bench`) instead of ~20–35 ms for the
/// crate's defaults (19 MiB, 2 passes). Stored hashes carry their own parameters and verify as
/// they were made.
pub const HASH_PARAMS: (u32, u32, u32) = (512, 1, 1);
const BODY_LEN: usize = ID_LEN + SECRET_LEN + CHECK_LEN;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Which kind of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `pwa_live_…`: authenticates requests.
    ApiKey,
    /// `pwa_regen_…`: with the email, replaces the API key.
    Regen,
}

impl Kind {
    /// The token prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::ApiKey => KEY_PREFIX,
            Kind::Regen => REGEN_PREFIX,
        }
    }
}

/// A parsed, checksum-valid token. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// Kind of token.
    pub kind: Kind,
    /// The account the token belongs to.
    pub account_id: String,
    secret: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("kind", &self.kind)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Parses `text` as a token of `kind`: prefix, length, alphabet and checksum.
    pub fn parse(kind: Kind, text: &str) -> Option<Token> {
        let body = text.strip_prefix(kind.prefix())?;
        if body.len() != BODY_LEN || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let (signed, check) = text.split_at(text.len() - CHECK_LEN);
        if check != checksum(signed) {
            return None;
        }
        Some(Token {
            kind,
            account_id: body[..ID_LEN].to_owned(),
            secret: body[ID_LEN..ID_LEN + SECRET_LEN].to_owned(),
        })
    }

    /// A new token of `kind` for `account_id`, with a fresh secret.
    pub fn issue(kind: Kind, account_id: &str, rng: &mut impl Rng) -> Token {
        Token {
            kind,
            account_id: account_id.to_owned(),
            secret: base62(rng, SECRET_LEN),
        }
    }

    /// The token as the caller sends it.
    pub fn reveal(&self) -> String {
        let signed = format!("{}{}{}", self.kind.prefix(), self.account_id, self.secret);
        let check = checksum(&signed);
        signed + &check
    }

    /// The argon2id PHC string of the secret, for storage ([`HASH_PARAMS`]).
    pub fn hash(&self) -> String {
        HASHES.with(|n| n.set(n.get() + 1));
        let (m, t, p) = HASH_PARAMS;
        // Only fails for out-of-range parameters, which these are not (a unit test hashes).
        let Ok(params) = argon2::Params::new(m, t, p, None) else {
            return String::new();
        };
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(self.secret.as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    }

    /// The key and regen token that a regeneration with this (regen) token issues, as a
    /// function of the rotation's random `nonce`, the account's new `version` and the caller's
    /// idempotency key: so that the same request, retried while the rotation is recoverable,
    /// gets the same answer (see [`RECOVERY_WINDOW_MS`]). Each secret is 22 base62 characters
    /// drawn without bias from HMAC-SHA256 under the pepper: unpredictable without both the
    /// pepper and this token's secret.
    pub fn successors(
        &self,
        pepper: &Pepper,
        nonce: &str,
        version: u64,
        idempotency_key: &str,
    ) -> (Token, Token) {
        let derive = |kind: Kind| Token {
            kind,
            account_id: self.account_id.clone(),
            secret: base62_secret(
                pepper,
                &[
                    kind.prefix().as_bytes(),
                    self.account_id.as_bytes(),
                    self.secret.as_bytes(),
                    nonce.as_bytes(),
                    version.to_string().as_bytes(),
                    idempotency_key.as_bytes(),
                ],
            ),
        };
        (derive(Kind::ApiKey), derive(Kind::Regen))
    }

    /// Whether the secret matches a stored PHC string, with the parameters the string carries
    /// (argon2 compares in constant time).
    pub fn verify(&self, phc: &str) -> bool {
        HASHES.with(|n| n.set(n.get() + 1));
        argon2::Argon2::default()
            .verify_password(self.secret.as_bytes(), phc)
            .is_ok()
    }
}

thread_local! {
    static HASHES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// argon2 runs (hashes and verifications) on this thread so far: what tests of the request paths
/// read to see that a path runs none.
pub fn argon2_runs_on_this_thread() -> u64 {
    HASHES.with(|n| n.get())
}

/// A new random account id.
pub fn new_account_id(rng: &mut impl Rng) -> String {
    base62(rng, ID_LEN)
}

/// A new random nonce for a regeneration (22 base62 characters, 131 bits).
pub fn new_nonce(rng: &mut impl Rng) -> String {
    base62(rng, SECRET_LEN)
}

fn base62(rng: &mut impl Rng, len: usize) -> String {
    (0..len)
        .map(|_| BASE62[rng.random_range(0..BASE62.len())] as char)
        .collect()
}

fn checksum(signed: &str) -> String {
    let mut crc = crc32(signed.as_bytes());
    let mut out = [b'0'; CHECK_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(crc % 62) as usize];
        crc /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// [`SECRET_LEN`] base62 characters from HMAC-SHA256 under the pepper of `parts` (each
/// length-prefixed) and a block counter, by rejection of bytes ≥ 248 (= 4 × 62): unbiased.
fn base62_secret(pepper: &Pepper, parts: &[&[u8]]) -> String {
    let mut out = String::with_capacity(SECRET_LEN);
    for block in 0u32.. {
        let mut mac = pepper.mac();
        mac.update(b"secret\0");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.update(&block.to_be_bytes());
        for byte in mac.finalize().into_bytes() {
            if byte < 248 {
                out.push(BASE62[usize::from(byte % 62)] as char);
                if out.len() == SECRET_LEN {
                    return out;
                }
            }
        }
    }
    unreachable!("a 32-bit block counter outlasts 22 characters")
}

/// How long after a regeneration the same request (email, the regen token it spent, and the same
/// `Idempotency-Key` header, which it must have sent) gets the same new key and token again: a
/// client whose answer was lost (timeout, dropped connection) recovers its account by retrying.
/// Ten minutes; a spent token fails after that, or once the new token has been used.
pub const RECOVERY_WINDOW_MS: i64 = 10 * 60 * 1000;

/// A key verified against its account: what metering needs, without argon2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedKey {
    /// The account.
    pub account_id: String,
    /// The key version it was verified against.
    pub key_version: u64,
    /// The account's revision then: metering is conditional on it.
    pub rev: u64,
    /// The account's plan then.
    pub plan: String,
    /// The account's overrides of its plan's limits then.
    pub overrides: crate::plan::Overrides,
    /// When the key expires (Unix milliseconds), as the account said then.
    pub expires_at: Option<i64>,
}

/// Keys verified in this container, so a warm request needs no argon2: bounded, short-lived, and
/// indexed by SHA-256 of the whole token (the token itself is not kept). A cached entry only says
/// "this token matched version v of an account at revision r"; metering is conditional on r
/// still being current, so a regeneration, or any operator's change, reaches a cached key at once.
pub struct KeyCache {
    entries: crate::cache::TtlCache<[u8; 32], VerifiedKey>,
}

impl KeyCache {
    /// Keys held at most.
    pub const CAPACITY: usize = 1024;
    /// How long a verification is reused (metering checks the account's revision on every request).
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(300);

    /// An empty cache with the default bounds.
    pub fn new() -> KeyCache {
        KeyCache::with_limits(Self::CAPACITY, Self::TTL)
    }

    /// An empty cache of `capacity` keys, each kept for `ttl`.
    pub fn with_limits(capacity: usize, ttl: std::time::Duration) -> KeyCache {
        KeyCache {
            entries: crate::cache::TtlCache::new(capacity, ttl),
        }
    }

    fn index(token: &Token) -> [u8; 32] {
        use sha2::Digest;
        Sha256::digest(token.reveal().as_bytes()).into()
    }

    /// The cached verification of `token`, if fresh.
    pub fn get(&self, token: &Token) -> Option<VerifiedKey> {
        self.entries.get(&Self::index(token))
    }

    /// Remembers that `token` verified as `key`.
    pub fn put(&self, token: &Token, key: VerifiedKey) {
        self.entries.put(Self::index(token), key);
    }

    /// Forgets `token`.
    pub fn remove(&self, token: &Token) {
        self.entries.remove(&Self::index(token));
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache::new()
    }
}

/// Compares two stored hashes in constant time.
pub fn same_hash(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Normalises an email (ASCII whitespace trimmed, lower-cased) and checks it: ASCII only (internationalised
/// domains in their `xn--` form), one `@`, a dot-atom local part of at most 64 characters, a domain
/// of at least two labels without a trailing dot, 254 characters in all. Plus-addressing is kept
/// as it is: whether `a+b@x` reaches `a@x` is the mail provider's business.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase();
    if email.is_empty() || email.len() > 254 || !email.is_ascii() {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let atom = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(atom));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    (local_ok && domain_ok).then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn tokens_round_trip_and_carry_their_account() {
        let mut rng = StdRng::seed_from_u64(1);
        let id = new_account_id(&mut rng);
        for kind in [Kind::ApiKey, Kind::Regen] {
            let token = Token::issue(kind, &id, &mut rng);
            let text = token.reveal();
            assert!(text.starts_with(kind.prefix()));
            assert_eq!(text.len(), kind.prefix().len() + BODY_LEN);
            assert_eq!(Token::parse(kind, &text), Some(token.clone()));
            assert_eq!(Token::parse(kind, &text).unwrap().account_id, id);
            assert!(!format!("{token:?}").contains(&token.secret));
        }
    }

    #[test]
    fn malformed_tokens_are_refused_without_a_lookup() {
        let mut rng = StdRng::seed_from_u64(2);
        let text = Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng).reveal();
        assert!(Token::parse(Kind::Regen, &text).is_none(), "wrong kind");
        let mut flipped = text.clone().into_bytes();
        let i = KEY_PREFIX.len() + 15;
        flipped[i] = if flipped[i] == b'a' { b'b' } else { b'a' };
        assert!(Token::parse(Kind::ApiKey, &String::from_utf8(flipped).unwrap()).is_none());
        for bad in [
            "",
            "pwa_live_",
            &text[..text.len() - 1],
            &format!("{text}0"),
            &text.replace("pwa_live_", "pwa_test_"),
        ] {
            assert!(Token::parse(Kind::ApiKey, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn secrets_hash_with_argon2id_and_verify() {
        let mut rng = StdRng::seed_from_u64(3);
        let token = Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng);
        let phc = token.hash();
        assert!(phc.starts_with("$argon2id$v=19$m=512,t=1,p=1$"), "{phc}");
        assert!(!phc.contains(&token.secret));
        assert!(token.verify(&phc));
        let other = Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng);
        assert!(!other.verify(&phc));
        assert!(!token.verify("not a phc string"));
    }

    #[test]
    fn successors_are_reproducible_and_depend_on_every_input() {
        let pepper = Pepper::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let mut rng = StdRng::seed_from_u64(5);
        let regen = Token::issue(Kind::Regen, "abcdefABCDEF", &mut rng);
        let (key, next) = regen.successors(&pepper, "nonce", 2, "");
        assert_eq!((key.kind, next.kind), (Kind::ApiKey, Kind::Regen));
        assert_eq!(key.account_id, "abcdefABCDEF");
        assert!(Token::parse(Kind::ApiKey, &key.reveal()).is_some());
        assert_eq!(key.secret.len(), SECRET_LEN);
        assert_ne!(key.secret, next.secret);
        assert_eq!(
            regen.successors(&pepper, "nonce", 2, ""),
            (key.clone(), next)
        );
        let other = Pepper::new(b"another pepper of 32 bytes......").unwrap();
        let other_token = Token::issue(Kind::Regen, "abcdefABCDEF", &mut rng);
        for (changed, _) in [
            regen.successors(&pepper, "nonce2", 2, ""),
            regen.successors(&pepper, "nonce", 3, ""),
            regen.successors(&pepper, "nonce", 2, "retry-1"),
            regen.successors(&other, "nonce", 2, ""),
            other_token.successors(&pepper, "nonce", 2, ""),
        ] {
            assert_ne!(changed.secret, key.secret);
        }
    }

    #[test]
    fn hashes_made_with_the_old_default_parameters_still_verify() {
        let mut rng = StdRng::seed_from_u64(4);
        let token = Token::issue(Kind::Regen, "abcdefABCDEF", &mut rng);
        let old = argon2::Argon2::default()
            .hash_password(token.secret.as_bytes())
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
        assert!(token.verify(&old));
        let other = Token::issue(Kind::Regen, "abcdefABCDEF", &mut rng);
        assert!(!other.verify(&old));
    }

    #[test]
    fn peppered_hashes_separate_domains_and_peppers() {
        let a = Pepper::new(&[7; 32]).unwrap();
        let b = Pepper::new(&[8; 32]).unwrap();
        assert!(Pepper::new(&[1; 31]).is_none());
        assert_eq!(a.email("x@example.com"), a.email("x@example.com"));
        assert_ne!(a.email("x@example.com"), b.email("x@example.com"));
        assert_ne!(a.email("203.0.113.7"), a.ip("203.0.113.7"));
        assert_eq!(a.ip("203.0.113.7").len(), 64);
        assert!(same_hash(&a.ip("1"), &a.ip("1")));
        assert!(!same_hash(&a.ip("1"), &a.ip("2")));
    }

    #[test]
    fn the_key_cache_is_bounded_and_expires() {
        let mut rng = StdRng::seed_from_u64(4);
        let verified = |v| VerifiedKey {
            account_id: "abcdefABCDEF".into(),
            key_version: v,
            rev: v,
            plan: crate::plan::FREE.into(),
            overrides: Default::default(),
            expires_at: None,
        };
        let cache = KeyCache::with_limits(2, std::time::Duration::from_secs(60));
        let tokens: Vec<Token> = (0..3)
            .map(|_| Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng))
            .collect();
        cache.put(&tokens[0], verified(1));
        assert_eq!(cache.get(&tokens[0]), Some(verified(1)));
        assert_eq!(cache.get(&tokens[1]), None);
        cache.put(&tokens[1], verified(1));
        cache.put(&tokens[2], verified(1));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(&tokens[0]), None, "the oldest went");
        cache.remove(&tokens[2]);
        assert_eq!(cache.get(&tokens[2]), None);
        let expiring = KeyCache::with_limits(2, std::time::Duration::ZERO);
        expiring.put(&tokens[0], verified(1));
        assert_eq!(expiring.get(&tokens[0]), None);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  You+News@Example.COM ").as_deref(),
            Some("you+news@example.com")
        );
        assert_eq!(
            normalize_email("a.b@xn--bcher-kva.example").as_deref(),
            Some("a.b@xn--bcher-kva.example")
        );
        for bad in [
            "",
            "you",
            "you@",
            "@example.com",
            "you@example",
            "you@example.com.",
            "you@@example.com",
            "y@u@example.com",
            "you.@example.com",
            "y..u@example.com",
            "you@-example.com",
            "you@exa mple.com",
            "yöu@example.com",
            "you@bücher.de",
            "you@example.c",
            "you@1.2.3.4",
            "you\u{0}@example.com",
            "\u{a0}you@example.com",
            "you@example.com\u{2003}",
            &format!("{}@example.com", "a".repeat(65)),
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
    }
}
