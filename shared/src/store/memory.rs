//! An in-process [`Store`] with the DynamoDB store's semantics: it backs the HTTP tests and the
//! bench's in-process handler figures, and the store suite (tests/store_dynamodb.rs) holds it to
//! the DynamoDB store's behaviour. Each operation holds one lock, as each DynamoDB operation is one
//! conditional write or transaction.

use super::{
    Account, HardLimitError, Meter, Metered, Meterer, RegisterError, Rotation, Store, StoreError,
    day_hard_limit, effective_limit, stored_hard_limit,
};
use crate::quota::Day;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, Default)]
struct DayItem {
    count: u32,
    key_version: Option<u64>,
    hard_limit: Option<u32>,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Account>,
    emails: HashMap<String, String>,
    days: HashMap<(Meterer, Day), DayItem>,
    registrations: HashMap<(String, Day), u32>,
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
        let key = (meter.who.clone(), meter.day);
        let item = match (inner.days.get_mut(&key), meter.key_version) {
            (None, Some(_)) => return Ok(Metered::Unverified),
            (Some(item), Some(v)) if item.key_version != Some(v) => {
                return Ok(Metered::Unverified);
            }
            (Some(item), _) => item,
            (None, None) => inner.days.entry(key).or_default(),
        };
        let hard_limit = day_hard_limit(item.hard_limit);
        if item.count >= effective_limit(meter.limit, hard_limit) {
            return Ok(Metered::Full {
                used: item.count,
                hard_limit,
            });
        }
        item.count += 1;
        Ok(Metered::Admitted {
            used: item.count,
            hard_limit,
        })
    }

    async fn peek(&self, who: &Meterer, day: Day) -> Result<(u32, Option<u32>), StoreError> {
        let inner = self.lock();
        Ok(inner
            .days
            .get(&(who.clone(), day))
            .map_or((0, None), |d| (d.count, day_hard_limit(d.hard_limit))))
    }

    async fn open_day(
        &self,
        account_id: &str,
        day: Day,
        key_version: u64,
        hard_limit: Option<u32>,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let item = inner
            .days
            .entry((Meterer::Account(account_id.to_owned()), day))
            .or_insert(DayItem {
                count: 0,
                key_version: Some(key_version),
                hard_limit: None,
            });
        if item.key_version != Some(key_version) {
            return Ok(false);
        }
        // As in DynamoDB: the account's hard limit, unless the day has its own.
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

    async fn register(&self, account: &Account) -> Result<(), RegisterError> {
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
        Ok(())
    }

    async fn rotate(
        &self,
        current: &Account,
        key_hash: &str,
        regen_hash: &str,
        rotation: &Rotation,
        day: Day,
    ) -> Result<bool, StoreError> {
        let (account_id, from_version) = (current.id.as_str(), current.key_version);
        let mut inner = self.lock();
        let Some(account) = inner.accounts.get_mut(account_id) else {
            return Ok(false);
        };
        if account.key_version != from_version {
            return Ok(false);
        }
        account.key_version = from_version + 1;
        account.key_hash = key_hash.to_owned();
        account.regen_hash = regen_hash.to_owned();
        account.rotation = Some(rotation.clone());
        // As in DynamoDB (one transaction, no read): the caller's view of the account.
        let hard_limit = current.hard_limit;
        for d in [day, day.next()] {
            let item = inner
                .days
                .entry((Meterer::Account(account_id.to_owned()), d))
                .or_default();
            item.hard_limit = item.hard_limit.or(Some(stored_hard_limit(hard_limit)));
            item.key_version = Some(from_version + 1);
        }
        Ok(true)
    }

    async fn set_hard_limit(
        &self,
        account_id: &str,
        key_version: u64,
        hard_limit: Option<u32>,
        day: Day,
    ) -> Result<(), HardLimitError> {
        let mut inner = self.lock();
        match inner.accounts.get(account_id) {
            Some(a) if a.key_version == key_version => {}
            _ => return Err(HardLimitError::KeyChanged),
        }
        let key = (Meterer::Account(account_id.to_owned()), day);
        let used = inner.days.get(&key).map_or(0, |d| d.count);
        if hard_limit.is_some_and(|h| h < used) {
            return Err(HardLimitError::BelowUsage);
        }
        if let Some(a) = inner.accounts.get_mut(account_id) {
            a.hard_limit = hard_limit;
        }
        for d in [day, day.next()] {
            let item = inner
                .days
                .entry((Meterer::Account(account_id.to_owned()), d))
                .or_insert(DayItem {
                    key_version: Some(key_version),
                    ..DayItem::default()
                });
            item.hard_limit = Some(stored_hard_limit(hard_limit));
        }
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
            .days
            .iter()
            .filter(|((w, d), item)| w == who && *d >= from && *d <= to && item.count > 0)
            .map(|((_, d), item)| (*d, item.count))
            .collect();
        days.sort();
        Ok(days)
    }
}
