//! Persistence behind one trait: accounts, email uniqueness, usage counters (a month's counter
//! holds its days), plans and the audit trail.
//!
//! [`dynamodb::DynamoStore`] is the real one (one table, documented in the README); [`memory::MemoryStore`]
//! has the same semantics in process, for the HTTP tests. Every operation that must not over-admit is a
//! single conditional write or one transaction — never read-then-write.

pub mod dynamodb;
pub mod ledger;
pub mod memory;
pub mod operator;

use crate::plan::{Overrides, Plan};
use crate::quota::{Counts, Day, Month};
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
    /// Bumped by every regeneration and reissue: the key's version.
    pub key_version: u64,
    /// Bumped by every change a warm function must see (a regeneration, an operator's change):
    /// metering is conditional on it, so the change is enforced from the next request on.
    pub rev: u64,
    /// The account's plan.
    pub plan: String,
    /// The operator's overrides of the plan's limits.
    pub overrides: Overrides,
    /// Self-imposed daily cap.
    pub hard_limit: Option<u32>,
    /// When an operator revoked the key (Unix milliseconds); a reissue clears it.
    pub revoked_at: Option<i64>,
    /// When the key stops working (Unix milliseconds), as an operator set it.
    pub expires_at: Option<i64>,
    /// When it registered (Unix milliseconds).
    pub created_at: i64,
    /// The last regeneration, for a retry of it.
    pub rotation: Option<Rotation>,
}

/// Whether an account's key works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It does.
    Active,
    /// An operator revoked it.
    Revoked,
    /// Its expiry passed.
    Expired,
}

impl Status {
    /// The name the API and the admin tool give it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Revoked => "revoked",
            Status::Expired => "expired",
        }
    }
}

impl Account {
    /// A new account on `plan`, registered at `now_ms` with key and token hashes.
    pub fn new(
        id: String,
        email_hash: String,
        key_hash: String,
        regen_hash: String,
        plan: &str,
        now_ms: i64,
    ) -> Account {
        Account {
            id,
            email_hash,
            key_hash,
            regen_hash,
            key_version: 1,
            rev: 1,
            plan: plan.to_owned(),
            overrides: Overrides::default(),
            hard_limit: None,
            revoked_at: None,
            expires_at: None,
            created_at: now_ms,
            rotation: None,
        }
    }

    /// Its key's status at `now_ms`.
    pub fn status(&self, now_ms: i64) -> Status {
        if self.revoked_at.is_some() {
            Status::Revoked
        } else if self.expires_at.is_some_and(|at| now_ms >= at) {
            Status::Expired
        } else {
            Status::Active
        }
    }
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
    /// The UTC day (its month is the monthly window).
    pub day: Day,
    /// The caller's daily limit.
    pub daily: u32,
    /// The caller's monthly limit, if any.
    pub monthly: Option<u32>,
    /// For accounts: the account revision the caller's view was read at.
    pub rev: Option<u64>,
}

/// What a metering attempt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metered {
    /// Counted; the counts include this request.
    Admitted {
        /// Requests admitted today and this month, this one included.
        counts: Counts,
        /// The self-imposed daily cap the month's counter holds, if any.
        hard_limit: Option<u32>,
    },
    /// Not counted: the day or the month is full.
    Full {
        /// Requests admitted today and this month.
        counts: Counts,
        /// The self-imposed daily cap, if any.
        hard_limit: Option<u32>,
    },
    /// Not counted: the account's month is not open, or was opened for another revision (the
    /// account changed). The caller re-reads the account and opens the month.
    Unverified,
}

/// What happened to an account (or a plan), as its audit event names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The account was created.
    Registered,
    /// The holder replaced the key with the regeneration token.
    Regenerated,
    /// The holder set or cleared the daily hard limit.
    HardLimitSet,
    /// An operator moved the account to another plan.
    PlanChanged,
    /// An operator overrode (or returned to the plan's) one of the account's limits.
    LimitsChanged,
    /// An operator revoked the key.
    Revoked,
    /// An operator issued a new key and regeneration token.
    Reissued,
    /// An operator set or cleared the key's expiry.
    ExpirySet,
    /// An operator created or changed a plan (a plan's events, not an account's).
    PlanSet,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 9] = [
        EventKind::Registered,
        EventKind::Regenerated,
        EventKind::HardLimitSet,
        EventKind::PlanChanged,
        EventKind::LimitsChanged,
        EventKind::Revoked,
        EventKind::Reissued,
        EventKind::ExpirySet,
        EventKind::PlanSet,
    ];

    /// Its name in the API, the table and the admin tool.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Registered => "registered",
            EventKind::Regenerated => "regenerated",
            EventKind::HardLimitSet => "hard_limit_set",
            EventKind::PlanChanged => "plan_changed",
            EventKind::LimitsChanged => "limits_changed",
            EventKind::Revoked => "revoked",
            EventKind::Reissued => "reissued",
            EventKind::ExpirySet => "expiry_set",
            EventKind::PlanSet => "plan_set",
        }
    }

    /// The kind called `name`.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The actor of the holder's own changes.
pub const SELF_ACTOR: &str = "self";
/// The actor of a seed plan's record: the deployment's configuration.
pub const SEED_ACTOR: &str = "deployment";

/// One change, as the audit trail keeps it (never a secret: no key, token, hash or email).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// When (Unix milliseconds).
    pub at_ms: i64,
    /// What.
    pub kind: EventKind,
    /// Who: [`SELF_ACTOR`], or the operator's AWS principal.
    pub actor: String,
    /// The values it changed, before (a JSON object; empty when there were none).
    pub old: serde_json::Map<String, serde_json::Value>,
    /// And after.
    pub new: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// An event of `kind` by `actor` at `at_ms`, changing nothing yet.
    pub fn new(kind: EventKind, actor: &str, at_ms: i64) -> Event {
        Event {
            at_ms,
            kind,
            actor: actor.to_owned(),
            old: Default::default(),
            new: Default::default(),
        }
    }

    /// Records that `field` was set to `new` (where it had no value before).
    pub fn set(mut self, field: &str, new: impl serde::Serialize) -> Event {
        self.new.insert(field.to_owned(), serde_json::json!(new));
        self
    }

    /// Records that `field` went from `old` to `new`.
    pub fn change(
        mut self,
        field: &str,
        old: impl serde::Serialize,
        new: impl serde::Serialize,
    ) -> Event {
        self.old.insert(field.to_owned(), serde_json::json!(old));
        self.new.insert(field.to_owned(), serde_json::json!(new));
        self
    }
}

/// The plans a table holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredPlans {
    /// The operator's (`plans set`): each in force over the seed of its name.
    pub operator: Vec<Plan>,
    /// The deployment's seeds (its template parameters), as its functions last recorded them.
    pub seeds: Vec<Plan>,
}

/// How long audit events are kept.
pub const EVENT_TTL_DAYS: i64 = 400;

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
    /// The account changed since it was read: read it again and retry.
    #[error("the account changed")]
    Changed,
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
    /// Counts one request if the day and the month have room: atomically, so neither count ever
    /// passes its limit (the day's: the caller's daily limit, or the hard limit when lower). One
    /// conditional write on the month's counter. Accounts also need the month opened for their
    /// current revision ([`Store::open_month`]).
    async fn meter(&self, meter: &Meter) -> Result<Metered, StoreError>;

    /// Today's and this month's counts and the hard limit for `who`, without counting (for the
    /// rate-limit headers of a refused request, and the usage report).
    async fn peek(&self, who: &Meterer, day: Day) -> Result<(Counts, Option<u32>), StoreError>;

    /// Opens an account's month for revision `rev` with the account's `hard_limit` (a month
    /// already open keeps its own), unless it is open for another revision (then `false`).
    async fn open_month(
        &self,
        account_id: &str,
        month: Month,
        rev: u64,
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

    /// Creates an account, claims its email and records `event`: all or nothing.
    async fn register(&self, account: &Account, event: &Event) -> Result<(), RegisterError>;

    /// Writes `after` over `before` (key and token hashes, key version, plan, overrides,
    /// revocation, expiry, rotation) at the next revision if the account is still at
    /// `before.rev`, moving this month's and next month's counters (from `day`) to that revision
    /// and recording `event`, in one transaction; `false` if the account changed meanwhile.
    /// Every change but the hard limit goes this way: a regeneration, and each operator's change.
    async fn update_account(
        &self,
        before: &Account,
        after: &Account,
        day: Day,
        event: &Event,
    ) -> Result<bool, StoreError>;

    /// Sets or clears the account's hard limit if it is still `account.hard_limit` at
    /// `account.rev`: on the account, on this month's counter (unless below today's usage) and on
    /// next month's, with `event`, in one transaction.
    async fn set_hard_limit(
        &self,
        account: &Account,
        hard_limit: Option<u32>,
        day: Day,
        event: &Event,
    ) -> Result<(), HardLimitError>;

    /// Requests admitted per day for `who`, from `from` to `to` inclusive, days with usage only.
    async fn usage(&self, who: &Meterer, from: Day, to: Day)
    -> Result<Vec<(Day, u32)>, StoreError>;

    /// The account's audit events, newest first, at most `limit`.
    async fn events(&self, account_id: &str, limit: usize) -> Result<Vec<Event>, StoreError>;

    /// The plans the table holds (one query): the operator's, and the deployment's seeds as its
    /// functions last recorded them.
    async fn plans(&self) -> Result<StoredPlans, StoreError>;

    /// Creates or replaces an operator's plan, recording `event` under the plan, in one
    /// transaction.
    async fn put_plan(&self, plan: &Plan, event: &Event) -> Result<(), StoreError>;

    /// Records the deployment's seed `plan` (what its configuration says), with `event`, in one
    /// transaction: how the operator's tool knows the seeds in force.
    async fn record_seed(&self, plan: &Plan, event: &Event) -> Result<(), StoreError>;

    /// When the breach sync last completed a pass over every range (Unix ms), if it ever did: one
    /// strongly consistent read of its ledger, at start-up of the functions whose breach source
    /// is `auto`.
    async fn mirror_completed(&self) -> Result<Option<i64>, StoreError>;
}

pub use crate::quota::effective_limit;

/// A month counter's stored hard limit when the account has none. Stored, not absent, so that
/// the counter's limit is always its own once written: a container still holding an older view
/// of the account cannot give the counter that view's limit. (A cap of `u32::MAX` requests is no cap.)
pub const NO_HARD_LIMIT: u32 = u32::MAX;

/// The value a month's counter stores for an account's hard limit.
pub fn stored_hard_limit(hard_limit: Option<u32>) -> u32 {
    hard_limit.unwrap_or(NO_HARD_LIMIT)
}

/// A counter's stored hard limit as the API reports it.
pub fn day_hard_limit(stored: Option<u32>) -> Option<u32> {
    stored.filter(|&h| h != NO_HARD_LIMIT)
}
