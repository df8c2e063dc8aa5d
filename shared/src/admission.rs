//! Who is calling, and whether a metered request may proceed: the credential resolved to a
//! [`Caller`] (anonymous by keyed address, or a verified key), and admission as one conditional
//! write on the caller's day. Plain domain code: the HTTP layer maps a [`Refusal`] to its answer.

use crate::cache::TtlCache;
use crate::config::Config;
use crate::keys::{KeyCache, Token, VerifiedKey};
use crate::pepper::Pepper;
use crate::plan::{self, Limits, Overrides, Plans};
use crate::quota::{Clock, RateLimit, Window, Windows, client_bucket};
use crate::store::{
    Account, Event, EventKind, Meter, Metered, Meterer, SEED_ACTOR, Status, Store, StoreError,
};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// The caller's plan.
    pub fn plan(&self) -> &str {
        match self {
            Caller::Anonymous { .. } => plan::ANONYMOUS,
            Caller::Key { verified, .. } => &verified.plan,
        }
    }

    /// The caller's overrides of its plan's limits (none for an anonymous caller).
    pub fn overrides(&self) -> Overrides {
        match self {
            Caller::Anonymous { .. } => Overrides::default(),
            Caller::Key { verified, .. } => verified.overrides,
        }
    }

    /// The account revision the caller's view was read at (none for an anonymous caller).
    pub fn rev(&self) -> Option<u64> {
        match self {
            Caller::Anonymous { .. } => None,
            Caller::Key { verified, .. } => Some(verified.rev),
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
    /// An operator revoked the key.
    KeyRevoked,
    /// The key's expiry passed.
    KeyExpired,
    /// The day or the month is full.
    OverLimit {
        /// The caller's plan.
        plan: String,
        /// Which window is full.
        window: Window,
        /// The caller's limits.
        limits: Limits,
        /// The full window (the day's with the hard limit, or the month's).
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

/// The plans in force in this container: the configuration's seeds (the template parameters)
/// under the operator's stored plans, read again when older than the configuration's
/// `plans_refresh` (one query), so an operator's change to a plan reaches every warm function
/// within that time. When the store
/// cannot be read, the plans read last (or the seeds) stay in force.
pub struct PlanBook {
    seeds: Vec<plan::Plan>,
    refresh: Duration,
    read: Mutex<Option<(Instant, Arc<Plans>)>>,
}

impl PlanBook {
    /// A book over `config`'s seeds, not read yet.
    pub fn new(config: &Config) -> PlanBook {
        PlanBook {
            seeds: config.seeds().to_vec(),
            refresh: config.plans_refresh,
            read: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Arc<Plans>)>> {
        self.read.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The plans as last read (the seeds before the first read), without reading. Shared, not
    /// copied: a request looks its caller's plan up in them.
    pub fn last(&self) -> Arc<Plans> {
        self.lock().as_ref().map_or_else(
            || Arc::new(Plans::new(&self.seeds, [])),
            |(_, p)| Arc::clone(p),
        )
    }

    /// The plans in force: as last read while fresh, else read again.
    pub async fn current(&self, store: &dyn Store) -> Arc<Plans> {
        if let Some((at, plans)) = self.lock().as_ref()
            && at.elapsed() < self.refresh
        {
            return Arc::clone(plans);
        }
        self.reread(store).await
    }

    /// Reads the stored plans now. A seed the table has not recorded as this configuration says
    /// is recorded (once per table and configuration: what the operator's tool reads as the
    /// seeds in force), with its event.
    pub async fn reread(&self, store: &dyn Store) -> Arc<Plans> {
        match store.plans().await {
            Ok(stored) => {
                for seed in &self.seeds {
                    let recorded = stored.seeds.iter().find(|p| p.name == seed.name);
                    if recorded == Some(seed) {
                        continue;
                    }
                    let mut event =
                        Event::new(EventKind::PlanSet, SEED_ACTOR, crate::quota::now_ms())
                            .set("plan", seed.to_json());
                    if let Some(old) = recorded {
                        event.old.insert("plan".to_owned(), old.to_json());
                    }
                    if let Err(e) = store.record_seed(seed, &event).await {
                        tracing::warn!(error = %e, plan = %seed.name, "seed plan not recorded");
                    }
                }
                let plans = Arc::new(Plans::new(&self.seeds, stored.operator));
                *self.lock() = Some((Instant::now(), Arc::clone(&plans)));
                plans
            }
            Err(e) => {
                tracing::warn!(error = %e, "plans not read; the last read stay in force");
                self.last()
            }
        }
    }
}

/// What identification and admission read: the configuration, the store, the pepper, the
/// container's verified keys and the clock.
pub struct Gate<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The plans in force.
    pub plans: &'a PlanBook,
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
/// An entry holds until the window's reset and at most [`RefusalMemory::HOLD_MS`], for the caller
/// as identified then (the same key version, or the same address) and only while the limits it
/// was refused under still apply: a different plan or limit is a miss, and a change of the hard
/// limit through this container forgets it ([`RefusalMemory::forget`]). A change made elsewhere
/// (an operator, another function) reaches it within the hold.
pub struct RefusalMemory {
    entries: TtlCache<(Meterer, Option<u64>), Remembered>,
}

/// One refusal: what it answered, and under which limit.
#[derive(Clone)]
struct Remembered {
    until_ms: i64,
    refusal: Refusal,
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
        if let Refusal::OverLimit { rate, .. } = refusal {
            let until_ms = rate.reset_at_ms.min(now_ms + Self::HOLD_MS);
            let entry = Remembered {
                until_ms,
                refusal: refusal.clone(),
            };
            self.entries.put(Self::index(caller), entry);
        }
    }

    fn recall(&self, caller: &Caller, limits: &Limits, now_ms: i64) -> Option<Refusal> {
        let entry = self.entries.get(&Self::index(caller))?;
        let same_limits = matches!(&entry.refusal,
            Refusal::OverLimit { plan, limits: then, .. } if plan == caller.plan() && then == limits);
        if now_ms >= entry.until_ms || !same_limits {
            self.entries.remove(&Self::index(caller));
            return None;
        }
        Some(entry.refusal)
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
    /// verification. A key past the expiry this container knows of is refused here.
    pub async fn identify(&self, credential: &Credential) -> Result<Caller, Refusal> {
        let token = match credential {
            Credential::Anonymous { ip } => {
                let ip_hash = self.pepper.ip(&client_bucket(*ip));
                return Ok(Caller::Anonymous { ip_hash });
            }
            Credential::ApiKey(token) => token,
        };
        let verified = match self.keys.get(token) {
            Some(verified)
                if verified
                    .expires_at
                    .is_some_and(|at| self.clock.now_ms() >= at) =>
            {
                return Err(Refusal::KeyExpired);
            }
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
    /// container's cache follows the outcome. A revoked or expired key is refused.
    pub async fn current_account(
        &self,
        token: &Token,
        verified_version: Option<u64>,
    ) -> Result<Account, Refusal> {
        let account = match self.store.account(&token.account_id).await? {
            Some(account) if Some(account.key_version) == verified_version => account,
            Some(account) if token.verify(&account.key_hash) => account,
            _ => {
                self.keys.remove(token);
                return Err(Refusal::KeyNotFound);
            }
        };
        match account.status(self.clock.now_ms()) {
            Status::Active => {
                self.keys.put(token, verified_key(&account));
                Ok(account)
            }
            status => {
                self.keys.remove(token);
                Err(match status {
                    Status::Revoked => Refusal::KeyRevoked,
                    _ => Refusal::KeyExpired,
                })
            }
        }
    }

    /// `caller` as its account is stored now (one read for a key): for a refusal that rests on
    /// the caller's limits as this container knew them, confirmed before it is given.
    pub async fn refreshed(&self, caller: &Caller) -> Result<Caller, Refusal> {
        match caller {
            Caller::Anonymous { .. } => Ok(caller.clone()),
            Caller::Key { token, verified } => {
                let account = self
                    .current_account(token, Some(verified.key_version))
                    .await?;
                Ok(Caller::Key {
                    token: token.clone(),
                    verified: verified_key(&account),
                })
            }
        }
    }

    /// The limits of a caller on `plan` with `overrides`. A plan this container does not know
    /// yet (an operator just added it) is looked for again at once; one still unknown gets the
    /// `free` plan's limits.
    pub async fn limits_of(&self, name: &str, overrides: &Overrides) -> Limits {
        let plans = self.plans.current(self.store).await;
        if let Some(limits) = plans.limits(name, overrides) {
            return limits;
        }
        let plans = self.plans.reread(self.store).await;
        if plans.get(name).is_none() {
            tracing::warn!(plan = name, "unknown plan: the free plan's limits apply");
        }
        plans
            .limits_or_free(name, overrides)
            .unwrap_or_else(|| self.config.free.limits(overrides))
    }

    /// The caller's limits.
    pub async fn limits(&self, caller: &Caller) -> Limits {
        self.limits_of(caller.plan(), &caller.overrides()).await
    }

    /// The caller's windows now, without counting (one read); `None` when the store cannot say.
    pub async fn windows(&self, caller: &Caller) -> Option<Windows> {
        let day = self.clock.today();
        let (counts, hard_limit) = self.store.peek(&caller.who(), day).await.ok()?;
        let limits = self.limits(caller).await;
        Some(Windows::new(
            day,
            limits.daily,
            limits.monthly,
            hard_limit,
            counts,
        ))
    }

    /// The caller's nearer window now, without counting (one read); `None` when the store cannot
    /// say.
    pub async fn peek(&self, caller: &Caller) -> Option<RateLimit> {
        Some(self.windows(caller).await?.nearer().1)
    }

    /// A refusal this container gave `caller` for its limit and still holds
    /// ([`RefusalMemory`]): the first step of a metered request, before any validation, with no
    /// store call.
    pub fn refused_recently(&self, caller: &Caller) -> Result<(), Refusal> {
        let Some(limits) = self.plans.last().limits(caller.plan(), &caller.overrides()) else {
            return Ok(());
        };
        match self.refusals.recall(caller, &limits, self.clock.now_ms()) {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    /// The metering step, run after validation so that rejected requests never count: one
    /// conditional write on a warm path. `check` is the request's own check against the caller's
    /// limits (a generate request's `count`), run again should metering find that the account
    /// changed since this container read it. A refusal for the limit is remembered
    /// ([`Gate::refused_recently`]).
    pub async fn admit<E: From<Refusal>>(
        &self,
        caller: &Caller,
        check: impl Fn(&Limits) -> Result<(), E>,
    ) -> Result<Admitted, E> {
        let admitted = self.meter(caller, check).await;
        if let Err(Admission::Refused(refusal)) = &admitted {
            self.refusals.remember(caller, refusal, self.clock.now_ms());
        }
        admitted.map_err(|a| match a {
            Admission::Refused(r) => E::from(r),
            Admission::Check(e) => e,
        })
    }

    async fn meter<E>(
        &self,
        caller: &Caller,
        check: impl Fn(&Limits) -> Result<(), E>,
    ) -> Result<Admitted, Admission<E>> {
        let day = self.clock.today();
        let (mut plan, mut rev) = (caller.plan().to_owned(), caller.rev());
        let mut limits = self.limits(caller).await;
        for _ in 0..3 {
            let meter = Meter {
                who: caller.who(),
                day,
                daily: limits.daily,
                monthly: limits.monthly,
                rev,
            };
            match self.store.meter(&meter).await.map_err(Refusal::from)? {
                Metered::Admitted { counts, hard_limit } => {
                    let windows =
                        Windows::new(day, limits.daily, limits.monthly, hard_limit, counts);
                    return Ok(Admitted {
                        rate: windows.nearer().1,
                        plan,
                    });
                }
                Metered::Full { counts, hard_limit } => {
                    let windows =
                        Windows::new(day, limits.daily, limits.monthly, hard_limit, counts);
                    let (window, rate) = match windows.month {
                        Some(month) if month.remaining() == 0 => (Window::Month, month),
                        _ => (Window::Day, windows.day),
                    };
                    return Err(Admission::Refused(Refusal::OverLimit {
                        plan,
                        window,
                        limits,
                        rate,
                    }));
                }
                Metered::Unverified => {
                    // A new month, or the account changed: check the key against the account as
                    // it is now, then open the month for its current revision.
                    let Caller::Key { token, verified } = caller else {
                        return Err(Refusal::KeyNotFound.into());
                    };
                    let account = self
                        .current_account(token, Some(verified.key_version))
                        .await?;
                    (plan, rev) = (account.plan.clone(), Some(account.rev));
                    limits = self.limits_of(&plan, &account.overrides).await;
                    check(&limits).map_err(Admission::Check)?;
                    let month = day.month();
                    if !self
                        .store
                        .open_month(&account.id, month, account.rev, account.hard_limit)
                        .await
                        .map_err(Refusal::from)?
                    {
                        // Changed again since the read: read it again.
                        continue;
                    }
                }
            }
        }
        Err(Refusal::KeyNotFound.into())
    }
}

/// An admitted request: the caller's nearer window (for the headers), and the plan it was
/// admitted under (the account's as metering found it, should it have changed since this
/// container read it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admitted {
    /// The nearer window, this request counted.
    pub rate: RateLimit,
    /// The plan.
    pub plan: String,
}

/// Why a metering step did not admit: a refusal, or the request's own check.
enum Admission<E> {
    Refused(Refusal),
    Check(E),
}

impl<E> From<Refusal> for Admission<E> {
    fn from(r: Refusal) -> Self {
        Admission::Refused(r)
    }
}

fn verified_key(account: &Account) -> VerifiedKey {
    VerifiedKey {
        account_id: account.id.clone(),
        key_version: account.key_version,
        rev: account.rev,
        plan: account.plan.clone(),
        overrides: account.overrides,
        expires_at: account.expires_at,
    }
}
