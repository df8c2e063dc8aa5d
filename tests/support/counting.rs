//! A [`Store`] that counts the calls reaching the real (DynamoDB) store behind it: what the tests
//! and the bench read to see how many round trips a request costs.

use async_trait::async_trait;
use passwordapi::plan::Plan;
use passwordapi::quota::{Counts, Day, Month};
use passwordapi::store::dynamodb::DynamoStore;
use passwordapi::store::{
    Account, Event as AuditEvent, HardLimitError, Meter, Metered, Meterer, RegisterError, Store,
    StoreError, StoredPlans,
};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the calls that reach the real store.
pub struct Counting {
    /// The store.
    pub inner: DynamoStore,
    calls: AtomicUsize,
}

impl Counting {
    /// Counts the calls to `inner`.
    pub fn new(inner: DynamoStore) -> Counting {
        Counting {
            inner,
            calls: AtomicUsize::new(0),
        }
    }

    /// Calls so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Store for Counting {
    async fn meter(&self, meter: &Meter) -> Result<Metered, StoreError> {
        self.tick();
        self.inner.meter(meter).await
    }
    async fn peek(&self, who: &Meterer, day: Day) -> Result<(Counts, Option<u32>), StoreError> {
        self.tick();
        self.inner.peek(who, day).await
    }
    async fn open_month(
        &self,
        id: &str,
        month: Month,
        rev: u64,
        h: Option<u32>,
    ) -> Result<bool, StoreError> {
        self.tick();
        self.inner.open_month(id, month, rev, h).await
    }
    async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        self.tick();
        self.inner.account(id).await
    }
    async fn count_registration(&self, ip: &str, day: Day, limit: u32) -> Result<bool, StoreError> {
        self.tick();
        self.inner.count_registration(ip, day, limit).await
    }
    async fn email_claimed(&self, email_hash: &str) -> Result<bool, StoreError> {
        self.tick();
        self.inner.email_claimed(email_hash).await
    }
    async fn register(&self, a: &Account, e: &AuditEvent) -> Result<(), RegisterError> {
        self.tick();
        self.inner.register(a, e).await
    }
    async fn update_account(
        &self,
        before: &Account,
        after: &Account,
        day: Day,
        e: &AuditEvent,
    ) -> Result<bool, StoreError> {
        self.tick();
        self.inner.update_account(before, after, day, e).await
    }
    async fn set_hard_limit(
        &self,
        a: &Account,
        h: Option<u32>,
        day: Day,
        e: &AuditEvent,
    ) -> Result<(), HardLimitError> {
        self.tick();
        self.inner.set_hard_limit(a, h, day, e).await
    }
    async fn usage(
        &self,
        who: &Meterer,
        from: Day,
        to: Day,
    ) -> Result<Vec<(Day, u32)>, StoreError> {
        self.tick();
        self.inner.usage(who, from, to).await
    }
    async fn events(&self, id: &str, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        self.tick();
        self.inner.events(id, limit).await
    }
    async fn plans(&self) -> Result<StoredPlans, StoreError> {
        self.tick();
        self.inner.plans().await
    }
    async fn put_plan(&self, plan: &Plan, e: &AuditEvent) -> Result<(), StoreError> {
        self.tick();
        self.inner.put_plan(plan, e).await
    }
    async fn record_seed(&self, plan: &Plan, e: &AuditEvent) -> Result<(), StoreError> {
        self.tick();
        self.inner.record_seed(plan, e).await
    }
    async fn mirror_completed(&self) -> Result<Option<i64>, StoreError> {
        self.tick();
        self.inner.mirror_completed().await
    }
}
