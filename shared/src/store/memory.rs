//! An in-process [`Store`] with the DynamoDB store's semantics: it backs the HTTP tests and the
//! bench's in-process handler figures, and the store suite (tests/store_dynamodb.rs) holds it to
//! the DynamoDB store's behaviour. Each operation holds one lock, as each DynamoDB operation is one
//! conditional write or transaction.

use super::{
    Account, Event, HardLimitError, Meter, Metered, Meterer, RegisterError, Store, StoreError,
    StoredPlans, day_hard_limit, effective_limit, stored_hard_limit,
};
use crate::plan::Plan;
use crate::quota::{Counts, Day, Month};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// One month's counter: the month's count, each day's, and (accounts) the revision and the
/// hard limit it holds.
#[derive(Clone, Debug, Default)]
struct MonthItem {
    used: u32,
    days: BTreeMap<Day, u32>,
    rev: Option<u64>,
    hard_limit: Option<u32>,
}

impl MonthItem {
    fn counts(&self, day: Day) -> (Counts, Option<u32>) {
        let counts = Counts {
            day: self.days.get(&day).copied().unwrap_or(0),
            month: self.used,
        };
        (counts, day_hard_limit(self.hard_limit))
    }

    fn opened(rev: u64, hard_limit: Option<u32>) -> MonthItem {
        MonthItem {
            rev: Some(rev),
            hard_limit: Some(stored_hard_limit(hard_limit)),
            ..MonthItem::default()
        }
    }
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Account>,
    emails: HashMap<String, String>,
    months: HashMap<(Meterer, Month), MonthItem>,
    registrations: HashMap<(String, Day), u32>,
    events: HashMap<String, Vec<Event>>,
    plans: BTreeMap<String, Plan>,
    seeds: BTreeMap<String, Plan>,
}

impl Inner {
    /// Carries `id`'s month counter to `rev` (opening it with `hard_limit` unless it has one).
    fn move_month(&mut self, id: &str, month: Month, rev: u64, hard_limit: Option<u32>) {
        let item = self
            .months
            .entry((Meterer::Account(id.to_owned()), month))
            .or_default();
        item.rev = Some(rev);
        item.hard_limit = item.hard_limit.or(Some(stored_hard_limit(hard_limit)));
    }

    fn record(&mut self, subject: String, event: &Event) {
        self.events.entry(subject).or_default().push(event.clone());
    }
}

/// The in-memory store.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn meter(&self, meter: &Meter) -> Result<Metered, StoreError> {
        let mut inner = self.lock();
        let key = (meter.who.clone(), meter.day.month());
        let item = match (inner.months.get_mut(&key), meter.rev) {
            (None, Some(_)) => return Ok(Metered::Unverified),
            (Some(item), Some(v)) if item.rev != Some(v) => return Ok(Metered::Unverified),
            (Some(item), _) => item,
            (None, None) if meter.daily == 0 || meter.monthly == Some(0) => {
                return Ok(Metered::Full {
                    counts: Counts::default(),
                    hard_limit: None,
                });
            }
            (None, None) => inner.months.entry(key).or_default(),
        };
        let (counts, hard_limit) = item.counts(meter.day);
        if counts.day >= effective_limit(meter.daily, hard_limit)
            || meter.monthly.is_some_and(|m| counts.month >= m)
        {
            return Ok(Metered::Full { counts, hard_limit });
        }
        item.used += 1;
        *item.days.entry(meter.day).or_default() += 1;
        let (counts, hard_limit) = item.counts(meter.day);
        Ok(Metered::Admitted { counts, hard_limit })
    }

    async fn peek(&self, who: &Meterer, day: Day) -> Result<(Counts, Option<u32>), StoreError> {
        let inner = self.lock();
        Ok(inner
            .months
            .get(&(who.clone(), day.month()))
            .map_or((Counts::default(), None), |m| m.counts(day)))
    }

    async fn open_month(
        &self,
        account_id: &str,
        month: Month,
        rev: u64,
        hard_limit: Option<u32>,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let item = inner
            .months
            .entry((Meterer::Account(account_id.to_owned()), month))
            .or_insert_with(|| MonthItem::opened(rev, hard_limit));
        if item.rev != Some(rev) {
            return Ok(false);
        }
        // As in DynamoDB: the account's hard limit, unless the month has its own.
        item.hard_limit = item.hard_limit.or(Some(stored_hard_limit(hard_limit)));
        Ok(true)
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        Ok(self.lock().accounts.get(id).cloned())
    }

    async fn count_registration(
        &self,
        ip_hash: &str,
        day: Day,
        limit: u32,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let count = inner
            .registrations
            .entry((ip_hash.to_owned(), day))
            .or_default();
        if *count >= limit {
            return Ok(false);
        }
        *count += 1;
        Ok(true)
    }

    async fn email_claimed(&self, email_hash: &str) -> Result<bool, StoreError> {
        Ok(self.lock().emails.contains_key(email_hash))
    }

    async fn register(&self, account: &Account, event: &Event) -> Result<(), RegisterError> {
        let mut inner = self.lock();
        if inner.emails.contains_key(&account.email_hash) {
            return Err(RegisterError::EmailExists);
        }
        if inner.accounts.contains_key(&account.id) {
            return Err(StoreError("account id collision".into()).into());
        }
        inner
            .emails
            .insert(account.email_hash.clone(), account.id.clone());
        inner.accounts.insert(account.id.clone(), account.clone());
        inner.record(account.id.clone(), event);
        Ok(())
    }

    async fn update_account(
        &self,
        before: &Account,
        after: &Account,
        day: Day,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let Some(account) = inner.accounts.get_mut(&before.id) else {
            return Ok(false);
        };
        if account.rev != before.rev {
            return Ok(false);
        }
        let next = before.rev + 1;
        *account = Account {
            id: account.id.clone(),
            email_hash: account.email_hash.clone(),
            hard_limit: account.hard_limit,
            created_at: account.created_at,
            rev: next,
            ..after.clone()
        };
        // As in DynamoDB (one transaction, no read): the caller's view of the hard limit.
        for month in [day.month(), day.month().next()] {
            inner.move_month(&before.id, month, next, before.hard_limit);
        }
        inner.record(before.id.clone(), event);
        Ok(true)
    }

    async fn set_hard_limit(
        &self,
        account: &Account,
        hard_limit: Option<u32>,
        day: Day,
        event: &Event,
    ) -> Result<(), HardLimitError> {
        let mut inner = self.lock();
        match inner.accounts.get(&account.id) {
            Some(a) if a.rev == account.rev && a.hard_limit == account.hard_limit => {}
            _ => return Err(HardLimitError::Changed),
        }
        let key = (Meterer::Account(account.id.clone()), day.month());
        let used = inner.months.get(&key).map_or(0, |m| m.counts(day).0.day);
        if hard_limit.is_some_and(|h| h < used) {
            return Err(HardLimitError::BelowUsage);
        }
        if let Some(a) = inner.accounts.get_mut(&account.id) {
            a.hard_limit = hard_limit;
        }
        for month in [day.month(), day.month().next()] {
            let item = inner
                .months
                .entry((Meterer::Account(account.id.clone()), month))
                .or_insert_with(|| MonthItem::opened(account.rev, None));
            item.hard_limit = Some(stored_hard_limit(hard_limit));
        }
        inner.record(account.id.clone(), event);
        Ok(())
    }

    async fn usage(
        &self,
        who: &Meterer,
        from: Day,
        to: Day,
    ) -> Result<Vec<(Day, u32)>, StoreError> {
        let inner = self.lock();
        let mut days: Vec<(Day, u32)> = inner
            .months
            .iter()
            .filter(|((w, _), _)| w == who)
            .flat_map(|(_, item)| item.days.iter().map(|(d, u)| (*d, *u)))
            .filter(|(d, used)| *d >= from && *d <= to && *used > 0)
            .collect();
        days.sort();
        Ok(days)
    }

    async fn events(&self, account_id: &str, limit: usize) -> Result<Vec<Event>, StoreError> {
        let inner = self.lock();
        let mut events = inner.events.get(account_id).cloned().unwrap_or_default();
        // Newest first; among events of one millisecond, the later written first.
        events.reverse();
        events.sort_by_key(|e| std::cmp::Reverse(e.at_ms));
        events.truncate(limit);
        Ok(events)
    }

    async fn plans(&self) -> Result<StoredPlans, StoreError> {
        let inner = self.lock();
        Ok(StoredPlans {
            operator: inner.plans.values().cloned().collect(),
            seeds: inner.seeds.values().cloned().collect(),
        })
    }

    async fn record_seed(&self, plan: &Plan, event: &Event) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.seeds.insert(plan.name.clone(), plan.clone());
        inner.record(format!("PLAN#{}", plan.name), event);
        Ok(())
    }

    async fn put_plan(&self, plan: &Plan, event: &Event) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.plans.insert(plan.name.clone(), plan.clone());
        inner.record(format!("PLAN#{}", plan.name), event);
        Ok(())
    }

    /// No breach sync runs on the in-memory store.
    async fn mirror_completed(&self) -> Result<Option<i64>, StoreError> {
        Ok(None)
    }
}
