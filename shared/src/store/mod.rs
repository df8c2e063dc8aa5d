//! Persistence behind one trait: accounts, email uniqueness and daily usage counters.
//!
//! [`dynamodb::DynamoStore`] is the real one (one table, documented in the README); [`memory::MemoryStore`]
//! has the same semantics in process, for the HTTP tests. Every operation that must not over-admit is a
//! single conditional write or one transaction — never read-then-write.

pub mod dynamodb;
pub mod memory;

use crate::quota::Day;
use crate::tier::Tier;
use async_trait::async_trait;

/// A registered account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Account id (also inside its tokens).
    pub id: String,
    /// HMAC of the normalised email.
    pub email_hash: String,
    /// argon2id PHC of the API key's secret.
    pub key_hash: String,
    /// argon2id PHC of the regeneration token's secret.
    pub regen_hash: String,
    /// Bumped by every regeneration; metering is conditional on it.
    pub key_version: u64,
    /// `free` or `team`.
    pub tier: Tier,
    /// Self-imposed daily cap.
    pub hard_limit: Option<u32>,
    /// The last regeneration, for a retry of it.
    pub rotation: Option<Rotation>,
}

/// A regeneration, as a retry of the same request needs it to answer the same again
/// ([`crate::keys::RECOVERY_WINDOW_MS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// argon2id PHC of the regeneration token it spent.
    pub spent_regen_hash: String,
    /// When it committed (Unix milliseconds).
    pub at_ms: i64,
    /// Its random nonce (base62), an input of the key and token it issued.
    pub nonce: String,
}

/// Whose counter: an account, or an anonymous client by keyed IP hash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Meterer {
    /// A registered account, by id.
    Account(String),
    /// An anonymous caller, by `Pepper::ip`.
    Ip(String),
}

/// One metering attempt.
#[derive(Clone, Debug)]
pub struct Meter {
    /// Whose counter.
    pub who: Meterer,
    /// The UTC day.
    pub day: Day,
    /// The tier's daily limit.
    pub limit: u32,
    /// For accounts: the key version the caller's key was verified against.
    pub key_version: Option<u64>,
}

/// What a metering attempt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metered {
    /// Counted; `used` includes this request.
    Admitted {
        /// Requests admitted today, this one included.
        used: u32,
        /// The day's self-imposed cap, if any.
        hard_limit: Option<u32>,
    },
    /// Not counted: the day is full.
    Full {
        /// Requests admitted today.
        used: u32,
        /// The day's self-imposed cap, if any.
        hard_limit: Option<u32>,
    },
    /// Not counted: the account's day is not open, or was opened for another key version (the
    /// key was regenerated). The caller re-reads the account and opens the day.
    Unverified,
}

/// Why a registration did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The email already has an account.
    #[error("this email already has a key")]
    EmailExists,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a hard limit was not set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HardLimitError {
    /// Below today's usage.
    #[error("hard limit below today's usage")]
    BelowUsage,
    /// The key was regenerated meanwhile.
    #[error("the key changed")]
    KeyChanged,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The store cannot be reached or throttles: the request may be retried later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

/// Persistence.
#[async_trait]
pub trait Store: Send + Sync {
    /// Counts one request if the day has room: atomically, so the count never passes the limit
    /// (the tier's, or the day's hard limit when lower). Accounts also need the day opened for
    /// their current key version ([`Store::open_day`]).
    async fn meter(&self, meter: &Meter) -> Result<Metered, StoreError>;

    /// Today's count and hard limit for `who`, without counting (for the rate-limit headers of a
    /// refused request).
    async fn peek(&self, who: &Meterer, day: Day) -> Result<(u32, Option<u32>), StoreError>;

    /// Opens an account's day for `key_version` with the account's `hard_limit` (a day already
    /// open keeps its own), unless another version opened it (then `false`).
    async fn open_day(
        &self,
        account_id: &str,
        day: Day,
        key_version: u64,
        hard_limit: Option<u32>,
    ) -> Result<bool, StoreError>;

    /// Reads an account (strongly consistent).
    async fn account(&self, id: &str) -> Result<Option<Account>, StoreError>;

    /// Counts one registration attempt from `ip_hash` on `day` if fewer than `limit` were
    /// counted (so never when `limit` is 0); `false` when the address is at its limit. Every
    /// attempt counts, whatever becomes of it: this runs before any other work of a registration.
    async fn count_registration(
        &self,
        ip_hash: &str,
        day: Day,
        limit: u32,
    ) -> Result<bool, StoreError>;

    /// Whether an account claims `email_hash` (a cheap read before any hashing; [`Store::register`]
    /// decides atomically).
    async fn email_claimed(&self, email_hash: &str) -> Result<bool, StoreError>;

    /// Creates an account and claims its email: all or nothing.
    async fn register(&self, account: &Account) -> Result<(), RegisterError>;

    /// Replaces key and regeneration hashes if the account is still at `account.key_version`,
    /// recording `rotation` and moving the account and today's and tomorrow's counters to the next
    /// version in one transaction (a day opened so gets `account.hard_limit`). `false` if it moved
    /// already (a concurrent regeneration won).
    async fn rotate(
        &self,
        account: &Account,
        key_hash: &str,
        regen_hash: &str,
        rotation: &Rotation,
        day: Day,
    ) -> Result<bool, StoreError>;

    /// Sets or clears the account's hard limit, today's (unless below today's usage) and
    /// tomorrow's (which a regeneration may have opened already), in one transaction.
    async fn set_hard_limit(
        &self,
        account_id: &str,
        key_version: u64,
        hard_limit: Option<u32>,
        day: Day,
    ) -> Result<(), HardLimitError>;

    /// Requests admitted per day for `who`, from `from` to `to` inclusive, days with usage only.
    async fn usage(&self, who: &Meterer, from: Day, to: Day)
    -> Result<Vec<(Day, u32)>, StoreError>;
}

pub use crate::quota::effective_limit;

/// A day's stored hard limit when the account has none. Stored, not absent, so that a day's
/// limit is always its own once written: a container still holding an older view of the account
/// cannot give the day that view's limit. (A cap of `u32::MAX` requests is no cap.)
pub const NO_HARD_LIMIT: u32 = u32::MAX;

/// The value a day stores for an account's hard limit.
pub fn stored_hard_limit(hard_limit: Option<u32>) -> u32 {
    hard_limit.unwrap_or(NO_HARD_LIMIT)
}

/// A day's stored hard limit as the API reports it.
pub fn day_hard_limit(stored: Option<u32>) -> Option<u32> {
    stored.filter(|&h| h != NO_HARD_LIMIT)
}
