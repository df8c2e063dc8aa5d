//! Who is calling, and whether a metered request may proceed: the credential resolved to a
//! [`Caller`] (anonymous by keyed address, or a verified key), and admission as one conditional
//! write on the caller's day. Plain domain code: the HTTP layer maps a [`Refusal`] to its answer.

use crate::cache::TtlCache;
use crate::config::Config;
use crate::keys::{KeyCache, Token, VerifiedKey};
use crate::pepper::Pepper;
use crate::quota::{Clock, RateLimit, client_bucket};
use crate::store::{Account, Meter, Metered, Meterer, Store, StoreError};
use crate::tier::Tier;
use std::net::IpAddr;
use std::time::Duration;

/// What the caller presented.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// No key: identified by the source address from the request context.
    Anonymous {
        /// Client address, when API Gateway supplied one.
        ip: Option<IpAddr>,
    },
    /// A well-formed API key (checksum valid, not yet looked up).
    ApiKey(Token),
}

impl std::fmt::Debug for Credential {
    // Keys never reach logs, even through Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Anonymous { ip } => f.debug_struct("Anonymous").field("ip", ip).finish(),
            Credential::ApiKey(_) => f.write_str("ApiKey(..)"),
        }
    }
}

/// An identified caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// No key: counted by the keyed hash of its address bucket ([`client_bucket`]).
    Anonymous {
        /// `Pepper::ip` of the bucket.
        ip_hash: String,
    },
    /// A key verified against its account (now, or earlier in this container).
    Key {
        /// The key.
        token: Token,
        /// What its verification established.
        verified: VerifiedKey,
    },
}

impl Caller {
    /// The caller's tier.
    pub fn tier(&self) -> Tier {
        match self {
            Caller::Anonymous { .. } => Tier::Anonymous,
            Caller::Key { verified, .. } => verified.tier,
        }
    }

    /// The version of the caller's key (none for an anonymous caller).
    pub fn key_version(&self) -> Option<u64> {
        match self {
            Caller::Anonymous { .. } => None,
            Caller::Key { verified, .. } => Some(verified.key_version),
        }
    }

    /// Whose counter the caller's requests go to.
    pub fn who(&self) -> Meterer {
        match self {
            Caller::Anonymous { ip_hash } => Meterer::Ip(ip_hash.clone()),
            Caller::Key { verified, .. } => Meterer::Account(verified.account_id.clone()),
        }
    }
}

/// Why a caller is not served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The key matches no account, or not its current version.
    KeyNotFound,
    /// The day is full: `limit` is the tier's, `rate` the day's window (with the hard limit).
    OverLimit {
        /// The caller's tier.
        tier: Tier,
        /// The tier's daily limit.
        limit: u32,
        /// The day's window.
        rate: RateLimit,
    },
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Store(e)
    }
}

/// What identification and admission read: the configuration, the store, the pepper, the
/// container's verified keys and the clock.
pub struct Gate<'a> {
    /// Tiers and their limits.
    pub config: &'a Config,
    /// Accounts and counters.
    pub store: &'a dyn Store,
    /// Key of the address hashes.
    pub pepper: &'a Pepper,
    /// Keys verified in this container.
    pub keys: &'a KeyCache,
    /// Today.
    pub clock: &'a Clock,
    /// Callers this container refused for their limit, refused again without a store call.
    pub refusals: &'a RefusalMemory,
}

/// The callers this container refused for a full day, so that a repeat is refused before any
/// validation, counting or estimate, and without a database call: a caller over its limit then
/// costs a lookup, not the work of a served request.
///
/// An entry holds until the day's reset and at most [`RefusalMemory::HOLD_MS`], for the caller
/// as identified then (the same key version, or the same address) and only while the limit it
/// was refused under still applies: a different tier or tier limit is a miss, and a change of
/// the hard limit through this container forgets it ([`RefusalMemory::forget`]). A change made
/// elsewhere (an operator, another function) reaches it within the hold.
pub struct RefusalMemory {
    entries: TtlCache<(Meterer, Option<u64>), Remembered>,
}

/// One refusal: what it answered, and under which limit.
#[derive(Clone)]
struct Remembered {
    until_ms: i64,
    tier: Tier,
    limit: u32,
    rate: RateLimit,
}

impl RefusalMemory {
    /// The longest a refusal is repeated from memory.
    pub const HOLD_MS: i64 = 60_000;
    /// Callers held at most (the oldest goes first).
    pub const CAPACITY: usize = 4096;

    /// An empty memory.
    pub fn new() -> RefusalMemory {
        RefusalMemory {
            // The real-time bound backs the clock's: an entry never outlives the hold.
            entries: TtlCache::new(Self::CAPACITY, Duration::from_millis(Self::HOLD_MS as u64)),
        }
    }

    fn index(caller: &Caller) -> (Meterer, Option<u64>) {
        (caller.who(), caller.key_version())
    }

    fn remember(&self, caller: &Caller, refusal: &Refusal, now_ms: i64) {
        if let Refusal::OverLimit { tier, limit, rate } = refusal {
            let until_ms = rate.reset_at_ms.min(now_ms + Self::HOLD_MS);
            let entry = Remembered {
                until_ms,
                tier: *tier,
                limit: *limit,
                rate: *rate,
            };
            self.entries.put(Self::index(caller), entry);
        }
    }

    fn recall(&self, caller: &Caller, limit: u32, now_ms: i64) -> Option<Refusal> {
        let entry = self.entries.get(&Self::index(caller))?;
        let same_limit = entry.tier == caller.tier() && entry.limit == limit;
        if now_ms >= entry.until_ms || !same_limit {
            self.entries.remove(&Self::index(caller));
            return None;
        }
        Some(Refusal::OverLimit {
            tier: entry.tier,
            limit: entry.limit,
            rate: entry.rate,
        })
    }

    /// Forgets the refusals of `who` (every key version): its limit changed.
    pub fn forget(&self, who: &Meterer) {
        self.entries.retain(|(meterer, _), _| meterer != who);
    }
}

impl Default for RefusalMemory {
    fn default() -> Self {
        RefusalMemory::new()
    }
}

impl Gate<'_> {
    /// Resolves a credential to a caller: anonymous callers by the keyed hash of their address
    /// bucket; keys from the container's cache, or by one account read and an argon2
    /// verification.
    pub async fn identify(&self, credential: &Credential) -> Result<Caller, Refusal> {
        let token = match credential {
            Credential::Anonymous { ip } => {
                let ip_hash = self.pepper.ip(&client_bucket(*ip));
                return Ok(Caller::Anonymous { ip_hash });
            }
            Credential::ApiKey(token) => token,
        };
        let verified = match self.keys.get(token) {
            Some(verified) => verified,
            None => verified_key(&self.current_account(token, None).await?),
        };
        Ok(Caller::Key {
            token: token.clone(),
            verified,
        })
    }

    /// `token`'s account as stored now (one read). The key is checked against it with argon2
    /// unless it was already verified against this very key version (`verified_version`); the
    /// container's cache follows the outcome.
    pub async fn current_account(
        &self,
        token: &Token,
        verified_version: Option<u64>,
    ) -> Result<Account, Refusal> {
        match self.store.account(&token.account_id).await? {
            Some(account) if Some(account.key_version) == verified_version => Ok(account),
            Some(account) if token.verify(&account.key_hash) => {
                self.keys.put(token, verified_key(&account));
                Ok(account)
            }
            _ => {
                self.keys.remove(token);
                Err(Refusal::KeyNotFound)
            }
        }
    }

    /// The caller's window today, without counting (one read); `None` when the store cannot say.
    pub async fn peek(&self, caller: &Caller) -> Option<RateLimit> {
        let day = self.clock.today();
        let (used, hard_limit) = self.store.peek(&caller.who(), day).await.ok()?;
        let limit = self.config.limits(caller.tier()).daily_limit;
        Some(RateLimit::for_day(day, limit, hard_limit, used))
    }

    /// A refusal this container gave `caller` for its limit and still holds
    /// ([`RefusalMemory`]): the first step of a metered request, before any validation, with no
    /// store call.
    pub fn refused_recently(&self, caller: &Caller) -> Result<(), Refusal> {
        let limit = self.config.limits(caller.tier()).daily_limit;
        match self.refusals.recall(caller, limit, self.clock.now_ms()) {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    /// The metering step, run after validation so that rejected requests never count: one
    /// conditional write on a warm path. A refusal for the limit is remembered
    /// ([`Gate::refused_recently`]).
    pub async fn admit(&self, caller: &Caller) -> Result<RateLimit, Refusal> {
        let admitted = self.meter(caller).await;
        if let Err(refusal) = &admitted {
            self.refusals.remember(caller, refusal, self.clock.now_ms());
        }
        admitted
    }

    async fn meter(&self, caller: &Caller) -> Result<RateLimit, Refusal> {
        let day = self.clock.today();
        let tier = caller.tier();
        let limit = self.config.limits(tier).daily_limit;
        let mut key_version = caller.key_version();
        for _ in 0..2 {
            let meter = Meter {
                who: caller.who(),
                day,
                limit,
                key_version,
            };
            match self.store.meter(&meter).await? {
                Metered::Admitted { used, hard_limit } => {
                    return Ok(RateLimit::for_day(day, limit, hard_limit, used));
                }
                Metered::Full { used, hard_limit } => {
                    let rate = RateLimit::for_day(day, limit, hard_limit, used);
                    return Err(Refusal::OverLimit { tier, limit, rate });
                }
                Metered::Unverified => {
                    // A new day, or the key was regenerated: check the key against the account
                    // as it is now, then open the day for its current version.
                    let Caller::Key { token, .. } = caller else {
                        return Err(Refusal::KeyNotFound);
                    };
                    let account = self.current_account(token, key_version).await?;
                    if !self
                        .store
                        .open_day(&account.id, day, account.key_version, account.hard_limit)
                        .await?
                    {
                        self.keys.remove(token);
                        return Err(Refusal::KeyNotFound);
                    }
                    key_version = Some(account.key_version);
                }
            }
        }
        Err(Refusal::KeyNotFound)
    }
}

fn verified_key(account: &Account) -> VerifiedKey {
    VerifiedKey {
        account_id: account.id.clone(),
        key_version: account.key_version,
        tier: account.tier,
    }
}
