//! The DynamoDB [`Store`]: one table (`TABLE_NAME`), partition key `pk` and sort key `sk` (strings),
//! TTL on `expires_at` (Unix seconds).
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | account | `ACCOUNT#<id>` | `ACCOUNT` | `email_hash`, `key_hash`, `regen_hash`, `key_version`, `rev`, `plan`, `daily_limit`?, `monthly_limit`?, `max_count`?, `hard_limit`?, `revoked_at`?, `key_expires_at`?, `created_at`, the last rotation's `spent_regen_hash`?, `rotated_at`?, `rotation_nonce`? |
//! | email claim | `EMAIL#<hmac>` | `EMAIL` | `account_id` |
//! | usage month | `USAGE#ACCOUNT#<id>` or `USAGE#IP#<hmac>` | `MONTH#<yyyy-mm>` | `used` (the month's), `d01`…`d31` (each day's), `rev` (accounts), `hard_limit`, `expires_at` (+400 days) |
//! | registrations | `REGISTER#<ip hmac>` | `DAY#<yyyy-mm-dd>` | `used`, `expires_at` (+2 days) |
//! | audit event | `EVENTS#ACCOUNT#<id>` or `EVENTS#PLAN#<name>` | `<Unix ms, 13 digits>#<8 hex>` | `at`, `event`, `actor`, `old`, `new` (JSON objects), `expires_at` (+400 days) |
//! | plan | `PLAN` | `<name>` (an operator's) or `SEED#<name>` (the deployment's seed, as recorded) | `daily`, `monthly`?, `max_count`, `updated_at` |
//!
//! A warm metered request is one `UpdateItem` on its month's counter: `ADD used 1, dNN 1` on
//! condition that the day and the month have room and — for accounts — that the month was
//! opened for the caller's view of the account (`rev`). The counter stays well under 1 KB (31
//! day counts at most), so the write costs one write unit. Every change to an account moves the
//! account and this month's and next month's counters to the next revision in one transaction
//! with its audit event, so a warm function holding an older view fails its very next request,
//! reads the account again, and enforces the change from there — even across a month's end.

use super::{
    Account, EVENT_TTL_DAYS, Event, EventKind, HardLimitError, Meter, Metered, Meterer,
    RegisterError, Rotation, Store, StoreError, StoredPlans, day_hard_limit, stored_hard_limit,
};
use crate::plan::{Overrides, Plan};
use crate::quota::{Counts, Day, Month};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};
use std::collections::HashMap;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// Month counters are kept this long past the month's end: the usage history shows 30 days, and
/// an operator exports past months for billing.
pub const USAGE_TTL_DAYS: i64 = 400;
/// Registration counters are kept this long past their end.
pub const REGISTER_TTL_DAYS: i64 = 2;

/// The DynamoDB store.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: String,
    /// When set, metering writes ask for their consumed capacity and add it here (thousandths of
    /// a write capacity unit): for benchmarks.
    consumed: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// Builds a client from the Lambda environment: region and credentials as the SDK finds them,
/// `endpoint` (`DYNAMODB_ENDPOINT`) for a local DynamoDB, a short timeout and one retry so an
/// unreachable database turns into a 503 within the function's time.
pub async fn client(endpoint: Option<&str>) -> Client {
    Client::new(&crate::aws::sdk_config(endpoint).await)
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn key(pk: String, sk: String) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

/// The breach sync's ledger item (`store::ledger`).
pub(crate) fn sync_key() -> Item {
    key("MIRROR".to_owned(), "SYNC".to_owned())
}

fn day_sk(day: Day) -> String {
    format!("DAY#{}", day.iso())
}

pub(crate) fn month_sk(month: Month) -> String {
    format!("MONTH#{}", month.iso())
}

/// The attribute of a month's counter holding `day`'s count: `d01` … `d31`.
pub(crate) fn day_attribute(day: Day) -> String {
    format!("d{:02}", day.of_month())
}

pub(crate) fn usage_pk(who: &Meterer) -> String {
    match who {
        Meterer::Account(id) => format!("USAGE#ACCOUNT#{id}"),
        Meterer::Ip(hash) => format!("USAGE#IP#{hash}"),
    }
}

pub(crate) fn account_key(id: &str) -> Item {
    key(format!("ACCOUNT#{id}"), "ACCOUNT".to_owned())
}

fn usage_key(who: &Meterer, month: Month) -> Item {
    key(usage_pk(who), month_sk(month))
}

fn month_expires(month: Month) -> AttributeValue {
    n(month.reset_at_ms() / 1000 + USAGE_TTL_DAYS * 86_400)
}

fn day_expires(day: Day, keep_days: i64) -> AttributeValue {
    n(day.reset_at_ms() / 1000 + keep_days * 86_400)
}

/// The assignments that open an account's month counter, or carry it to another revision: `rev`
/// as `version` says, `used` from 0 unless counted already, and the expiry. Returned with the
/// values they name (set them before any other value: setting replaces).
fn open_month_base(version: &str, month: Month) -> (String, Item) {
    let set = format!("rev = {version}, used = if_not_exists(used, :zero), expires_at = :exp");
    let values = HashMap::from([
        (":zero".to_owned(), n(0)),
        (":exp".to_owned(), month_expires(month)),
    ]);
    (set, values)
}

/// [`open_month_base`], giving the counter the account's `hard_limit` unless it has its own.
fn open_month_set(version: &str, month: Month, hard_limit: Option<u32>) -> (String, Item) {
    let (mut set, mut values) = open_month_base(version, month);
    set.push_str(", hard_limit = if_not_exists(hard_limit, :h)");
    values.insert(":h".to_owned(), n(stored_hard_limit(hard_limit)));
    (set, values)
}

/// The condition that an account is at revision `rev` (an account written before revisions
/// existed has none: revision 0), with `:from` its value.
fn at_rev(rev: u64) -> &'static str {
    if rev == 0 {
        "attribute_not_exists(rev) OR rev = :from"
    } else {
        "rev = :from"
    }
}

pub(crate) fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().ok(),
        _ => None,
    }
}

pub(crate) fn string(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    }
}

pub(crate) fn unavailable<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError(DisplayErrorContext(&e).to_string())
}

/// A conditional `UpdateItem`'s answer: `Some` when it was applied, `None` when its condition
/// failed, the error otherwise.
pub(crate) fn applied<O, R>(
    result: Result<O, SdkError<UpdateItemError, R>>,
) -> Result<Option<O>, StoreError>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e) => match e.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(None),
            _ => Err(unavailable(e)),
        },
    }
}

/// The indexes of the transaction items whose condition failed.
fn failed_conditions<R>(e: &SdkError<TransactWriteItemsError, R>) -> Option<Vec<usize>> {
    match e.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(t) => Some(
            t.cancellation_reasons()
                .iter()
                .enumerate()
                .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(i, _)| i)
                .collect(),
        ),
        _ => None,
    }
}

/// A month counter's counts for `day` and its hard limit.
fn counts(item: &Item, day: Day) -> (Counts, Option<u32>) {
    let counts = Counts {
        day: number(item, &day_attribute(day)).unwrap_or(0),
        month: number(item, "used").unwrap_or(0),
    };
    (counts, day_hard_limit(number(item, "hard_limit")))
}

/// An account item as read.
pub(crate) fn account_from(id: &str, item: &Item) -> Result<Account, StoreError> {
    let field = |name: &str| {
        string(item, name).ok_or_else(|| StoreError(format!("account item lacks {name}")))
    };
    Ok(Account {
        id: id.to_owned(),
        email_hash: field("email_hash")?,
        key_hash: field("key_hash")?,
        regen_hash: field("regen_hash")?,
        key_version: number(item, "key_version").unwrap_or(0),
        rev: number(item, "rev").unwrap_or(0),
        // An account written before plans has its tier's name, which is its plan's.
        plan: string(item, "plan")
            .or_else(|| string(item, "tier"))
            .unwrap_or_else(|| crate::plan::FREE.to_owned()),
        overrides: Overrides {
            daily: number(item, "daily_limit"),
            monthly: number(item, "monthly_limit"),
            max_count: number(item, "max_count"),
        },
        hard_limit: number(item, "hard_limit"),
        revoked_at: number(item, "revoked_at"),
        expires_at: number(item, "key_expires_at"),
        created_at: number(item, "created_at").unwrap_or(0),
        rotation: match (
            string(item, "spent_regen_hash"),
            number(item, "rotated_at"),
            string(item, "rotation_nonce"),
        ) {
            (Some(spent_regen_hash), Some(at_ms), Some(nonce)) => Some(Rotation {
                spent_regen_hash,
                at_ms,
                nonce,
            }),
            _ => None,
        },
    })
}

/// The event's partition: an account's, or a plan's.
fn events_pk(subject: &EventSubject) -> String {
    match subject {
        EventSubject::Account(id) => format!("EVENTS#ACCOUNT#{id}"),
        EventSubject::Plan(name) => format!("EVENTS#PLAN#{name}"),
    }
}

/// Whose audit trail an event joins.
pub(crate) enum EventSubject<'a> {
    Account(&'a str),
    Plan(&'a str),
}

fn json_text(map: &serde_json::Map<String, serde_json::Value>) -> String {
    serde_json::Value::Object(map.clone()).to_string()
}

fn json_map(item: &Item, name: &str) -> serde_json::Map<String, serde_json::Value> {
    string(item, name)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub(crate) fn event_from(item: &Item) -> Option<Event> {
    Some(Event {
        at_ms: number(item, "at")?,
        kind: EventKind::parse(&string(item, "event")?)?,
        actor: string(item, "actor")?,
        old: json_map(item, "old"),
        new: json_map(item, "new"),
    })
}

/// The sort key prefix of a seed plan's record (an operator's plan is its bare name).
const SEED_PREFIX: &str = "SEED#";

fn plan_from(name: &str, item: &Item) -> Option<Plan> {
    Some(Plan {
        name: name.to_owned(),
        daily: number(item, "daily")?,
        monthly: number(item, "monthly"),
        max_count: number(item, "max_count")?,
    })
}

impl DynamoStore {
    /// The store on `table`.
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            consumed: None,
        }
    }

    /// This store, recording the write capacity its metering writes consume.
    pub fn measuring_capacity(mut self) -> DynamoStore {
        self.consumed = Some(Default::default());
        self
    }

    /// Write capacity units consumed by metering so far (with [`DynamoStore::measuring_capacity`]).
    pub fn consumed_write_units(&self) -> f64 {
        self.consumed.as_ref().map_or(0.0, |c| {
            c.load(std::sync::atomic::Ordering::SeqCst) as f64 / 1000.0
        })
    }

    fn record(&self, capacity: Option<&aws_sdk_dynamodb::types::ConsumedCapacity>) {
        if let (Some(total), Some(units)) =
            (&self.consumed, capacity.and_then(|c| c.capacity_units()))
        {
            total.fetch_add(
                (units * 1000.0).round() as u64,
                std::sync::atomic::Ordering::SeqCst,
            );
        }
    }

    pub(crate) fn update(
        &self,
        key: Item,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
    }

    fn transact_update(&self, key: Item) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder().table_name(&self.table).set_key(Some(key))
    }

    /// The transaction item that records `event` in `subject`'s trail.
    pub(crate) fn put_event(
        &self,
        subject: &EventSubject,
        event: &Event,
    ) -> Result<TransactWriteItem, StoreError> {
        use rand::RngExt;
        let suffix: u32 = rand::rng().random();
        let mut item = key(
            events_pk(subject),
            format!("{:013}#{suffix:08x}", event.at_ms),
        );
        item.extend([
            ("at".to_owned(), n(event.at_ms)),
            ("event".to_owned(), s(event.kind.name())),
            ("actor".to_owned(), s(&event.actor)),
            ("old".to_owned(), s(json_text(&event.old))),
            ("new".to_owned(), s(json_text(&event.new))),
            (
                "expires_at".to_owned(),
                n(event.at_ms / 1000 + EVENT_TTL_DAYS * 86_400),
            ),
        ]);
        self.transact_put(item, Some("attribute_not_exists(pk)"))
    }

    /// A transaction's item that writes `item`, on `condition` if any (`attribute_not_exists(pk)`:
    /// only a new item).
    fn transact_put(
        &self,
        item: Item,
        condition: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned));
        Ok(TransactWriteItem::builder()
            .put(built(put.build())?)
            .build())
    }

    /// The events of `subject`, newest first, at most `limit`.
    pub(crate) async fn query_events(
        &self,
        subject: &EventSubject<'_>,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let mut events = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(events_pk(subject)))
                .scan_index_forward(false)
                .limit(limit.clamp(1, 1000) as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            events.extend(out.items().iter().filter_map(event_from));
            start = out.last_evaluated_key().cloned();
            if start.is_none() || events.len() >= limit {
                events.truncate(limit);
                return Ok(events);
            }
        }
    }

    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>>
    {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
    }
}

/// A transaction's update item.
fn transact_item(
    update: aws_sdk_dynamodb::types::builders::UpdateBuilder,
) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .update(built(update.build())?)
        .build())
}

pub(crate) fn built<T>(
    result: Result<T, aws_sdk_dynamodb::error::BuildError>,
) -> Result<T, StoreError> {
    result.map_err(|e| StoreError(format!("request could not be built: {e}")))
}

#[async_trait]
impl Store for DynamoStore {
    async fn meter(&self, meter: &Meter) -> Result<Metered, StoreError> {
        let month = meter.day.month();
        let mut request = self
            .update(usage_key(&meter.who, month))
            .expression_attribute_names("#d", day_attribute(meter.day))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if self.consumed.is_some() {
            request = request
                .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total);
        }
        // A closed window (a limit of 0) fails a condition that can never hold, so the answer
        // still tells an account's stale view (Unverified) from a full window, in one call.
        let closed = meter.daily == 0 || meter.monthly == Some(0);
        let mut conditions = Vec::new();
        if closed {
            conditions.push("attribute_not_exists(pk) AND attribute_exists(pk)".to_owned());
        } else {
            conditions.push("(attribute_not_exists(#d) OR #d < :daily)".to_owned());
            request = request.expression_attribute_values(":daily", n(meter.daily));
            if let Some(monthly) = meter.monthly {
                conditions.push("(attribute_not_exists(used) OR used < :monthly)".to_owned());
                request = request.expression_attribute_values(":monthly", n(monthly));
            }
        }
        request = match meter.rev {
            None => request
                .update_expression("ADD used :one, #d :one SET expires_at = :exp")
                .expression_attribute_values(":exp", month_expires(month)),
            Some(rev) => {
                if !closed {
                    conditions.push(
                        "(attribute_not_exists(hard_limit) OR (hard_limit > :zero \
                         AND (attribute_not_exists(#d) OR #d < hard_limit)))"
                            .to_owned(),
                    );
                    request = request.expression_attribute_values(":zero", n(0));
                }
                conditions.push("rev = :v".to_owned());
                request
                    .update_expression("ADD used :one, #d :one")
                    .expression_attribute_values(":v", n(rev))
            }
        };
        request = request.condition_expression(conditions.join(" AND "));
        match request.send().await {
            Ok(out) => {
                self.record(out.consumed_capacity());
                let (counts, hard_limit) =
                    counts(&out.attributes().cloned().unwrap_or_default(), meter.day);
                Ok(Metered::Admitted { counts, hard_limit })
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => {
                    let Some(old) = c.item() else {
                        return Ok(match meter.rev {
                            Some(_) => Metered::Unverified,
                            None => Metered::Full {
                                counts: Counts::default(),
                                hard_limit: None,
                            },
                        });
                    };
                    if meter.rev.is_some() && number::<u64>(old, "rev") != meter.rev {
                        return Ok(Metered::Unverified);
                    }
                    let (counts, hard_limit) = counts(old, meter.day);
                    Ok(Metered::Full { counts, hard_limit })
                }
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn peek(&self, who: &Meterer, day: Day) -> Result<(Counts, Option<u32>), StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(usage_key(who, day.month())))
            .projection_expression("used, #d, hard_limit")
            .expression_attribute_names("#d", day_attribute(day))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out
            .item()
            .map_or((Counts::default(), None), |item| counts(item, day)))
    }

    async fn open_month(
        &self,
        account_id: &str,
        month: Month,
        rev: u64,
        hard_limit: Option<u32>,
    ) -> Result<bool, StoreError> {
        let (set, values) = open_month_set("if_not_exists(rev, :v)", month, hard_limit);
        let request = self
            .update(usage_key(&Meterer::Account(account_id.to_owned()), month))
            .update_expression(format!("SET {set}"))
            .condition_expression("attribute_not_exists(pk) OR rev = :v")
            .set_expression_attribute_values(Some(values))
            .expression_attribute_values(":v", n(rev));
        Ok(applied(request.send().await)?.is_some())
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(account_key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        out.item().map(|item| account_from(id, item)).transpose()
    }

    async fn count_registration(
        &self,
        ip_hash: &str,
        day: Day,
        limit: u32,
    ) -> Result<bool, StoreError> {
        if limit == 0 {
            // Closed: `attribute_not_exists(used)` would admit a first attempt.
            return Ok(false);
        }
        let result = self
            .update(key(format!("REGISTER#{ip_hash}"), day_sk(day)))
            .update_expression("ADD used :one SET expires_at = :exp")
            .condition_expression("attribute_not_exists(used) OR used < :limit")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":exp", day_expires(day, REGISTER_TTL_DAYS))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    async fn email_claimed(&self, email_hash: &str) -> Result<bool, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("EMAIL#{email_hash}"), "EMAIL".to_owned())))
            .projection_expression("pk")
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item().is_some())
    }

    async fn register(&self, account: &Account, event: &Event) -> Result<(), RegisterError> {
        let new = Some("attribute_not_exists(pk)");
        let mut claim = key(format!("EMAIL#{}", account.email_hash), "EMAIL".to_owned());
        claim.insert("account_id".to_owned(), s(&account.id));
        let mut item = account_key(&account.id);
        item.extend([
            ("email_hash".to_owned(), s(&account.email_hash)),
            ("key_hash".to_owned(), s(&account.key_hash)),
            ("regen_hash".to_owned(), s(&account.regen_hash)),
            ("key_version".to_owned(), n(account.key_version)),
            ("rev".to_owned(), n(account.rev)),
            ("plan".to_owned(), s(&account.plan)),
            ("created_at".to_owned(), n(account.created_at)),
        ]);
        if let Some(h) = account.hard_limit {
            item.insert("hard_limit".to_owned(), n(h));
        }
        let items = vec![
            self.transact_put(claim, new)?,
            self.transact_put(item, new)?,
            self.put_event(&EventSubject::Account(&account.id), event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(e) => match failed_conditions(&e).as_deref() {
                Some([0, ..]) => Err(RegisterError::EmailExists),
                _ => Err(unavailable(e).into()),
            },
        }
    }

    async fn update_account(
        &self,
        before: &Account,
        after: &Account,
        day: Day,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let next = before.rev + 1;
        let mut set = vec![
            "key_hash = :k",
            "regen_hash = :r",
            "key_version = :kv",
            "rev = :next",
            "#plan = :plan",
        ];
        let mut remove = vec!["tier"];
        let mut values = HashMap::from([
            (":k".to_owned(), s(&after.key_hash)),
            (":r".to_owned(), s(&after.regen_hash)),
            (":kv".to_owned(), n(after.key_version)),
            (":next".to_owned(), n(next)),
            (":plan".to_owned(), s(&after.plan)),
            (":from".to_owned(), n(before.rev)),
        ]);
        let mut optional = |attribute: &'static str,
                            placeholder: &'static str,
                            value: Option<AttributeValue>| match value {
            Some(v) => {
                set.push(placeholder);
                values.insert(placeholder.split(" = ").nth(1).unwrap().to_owned(), v);
            }
            None => remove.push(attribute),
        };
        let o = &after.overrides;
        optional("daily_limit", "daily_limit = :dl", o.daily.map(n));
        optional("monthly_limit", "monthly_limit = :ml", o.monthly.map(n));
        optional("max_count", "max_count = :mc", o.max_count.map(n));
        optional("revoked_at", "revoked_at = :ra", after.revoked_at.map(n));
        optional(
            "key_expires_at",
            "key_expires_at = :ea",
            after.expires_at.map(n),
        );
        let rotation = after.rotation.as_ref();
        optional(
            "spent_regen_hash",
            "spent_regen_hash = :spent",
            rotation.map(|r| s(&r.spent_regen_hash)),
        );
        optional(
            "rotated_at",
            "rotated_at = :at",
            rotation.map(|r| n(r.at_ms)),
        );
        optional(
            "rotation_nonce",
            "rotation_nonce = :nonce",
            rotation.map(|r| s(&r.nonce)),
        );
        let update_account = built(
            self.transact_update(account_key(&before.id))
                .update_expression(format!(
                    "SET {} REMOVE {}",
                    set.join(", "),
                    remove.join(", ")
                ))
                .condition_expression(at_rev(before.rev))
                .expression_attribute_names("#plan", "plan")
                .set_expression_attribute_values(Some(values))
                .build(),
        )?;
        let mut items = vec![TransactWriteItem::builder().update(update_account).build()];
        // This month's and next month's counters move to the new revision too: a view of the
        // account older than this change can neither meter this month nor open the next, even
        // racing this call across the month's end.
        for month in [day.month(), day.month().next()] {
            let (set, values) = open_month_set(":next", month, before.hard_limit);
            let usage = self
                .transact_update(usage_key(&Meterer::Account(before.id.clone()), month))
                .update_expression(format!("SET {set}"))
                .set_expression_attribute_values(Some(values))
                .expression_attribute_values(":next", n(next));
            items.push(transact_item(usage)?);
        }
        items.push(self.put_event(&EventSubject::Account(&before.id), event)?);
        match self.transact(items).await {
            Ok(()) => Ok(true),
            Err(e) if failed_conditions(&e).is_some_and(|f| f == [0]) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn set_hard_limit(
        &self,
        account: &Account,
        hard_limit: Option<u32>,
        day: Day,
        event: &Event,
    ) -> Result<(), HardLimitError> {
        let unchanged = match account.hard_limit {
            Some(_) => "hard_limit = :old",
            None => "attribute_not_exists(hard_limit)",
        };
        let mut update = self
            .transact_update(account_key(&account.id))
            .condition_expression(format!("({}) AND {unchanged}", at_rev(account.rev)))
            .expression_attribute_values(":from", n(account.rev));
        if let Some(old) = account.hard_limit {
            update = update.expression_attribute_values(":old", n(old));
        }
        let update = match hard_limit {
            Some(h) => update
                .update_expression("SET hard_limit = :h")
                .expression_attribute_values(":h", n(h)),
            None => update.update_expression("REMOVE hard_limit"),
        };
        // This month's counter (not below today's usage) and next month's, which a change to the
        // account opens in advance: each counter stores the limit, so that what usage reports is
        // what metering enforces.
        let month_update = |month: Month| {
            let (open, values) = open_month_base("if_not_exists(rev, :v)", month);
            self.transact_update(usage_key(&Meterer::Account(account.id.clone()), month))
                .set_expression_attribute_values(Some(values))
                .expression_attribute_values(":v", n(account.rev))
                .update_expression(format!("SET {open}, hard_limit = :hl"))
                .expression_attribute_values(":hl", n(stored_hard_limit(hard_limit)))
        };
        let this_month = match hard_limit {
            Some(_) => month_update(day.month())
                .condition_expression("attribute_not_exists(#d) OR #d <= :hl")
                .expression_attribute_names("#d", day_attribute(day)),
            None => month_update(day.month()),
        };
        let mut items = vec![transact_item(update)?];
        for u in [this_month, month_update(day.month().next())] {
            items.push(transact_item(u)?);
        }
        items.push(self.put_event(&EventSubject::Account(&account.id), event)?);
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(e) => match failed_conditions(&e).as_deref() {
                Some([0, ..]) => Err(HardLimitError::Changed),
                Some([1, ..]) => Err(HardLimitError::BelowUsage),
                _ => Err(unavailable(e).into()),
            },
        }
    }

    async fn usage(
        &self,
        who: &Meterer,
        from: Day,
        to: Day,
    ) -> Result<Vec<(Day, u32)>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(usage_pk(who)))
            .expression_attribute_values(":from", s(month_sk(from.month())))
            .expression_attribute_values(":to", s(month_sk(to.month())))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let mut days = Vec::new();
        for item in out.items() {
            days.extend(
                month_days(item)
                    .into_iter()
                    .filter(|(d, _)| *d >= from && *d <= to),
            );
        }
        days.sort();
        Ok(days)
    }

    async fn events(&self, account_id: &str, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.query_events(&EventSubject::Account(account_id), limit)
            .await
    }

    async fn plans(&self) -> Result<StoredPlans, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s("PLAN"))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let mut plans = StoredPlans::default();
        for item in out.items() {
            let Some(sk) = string(item, "sk") else {
                continue;
            };
            let (list, name) = match sk.strip_prefix(SEED_PREFIX) {
                Some(name) => (&mut plans.seeds, name),
                None => (&mut plans.operator, sk.as_str()),
            };
            list.extend(plan_from(name, item));
        }
        Ok(plans)
    }

    async fn put_plan(&self, plan: &Plan, event: &Event) -> Result<(), StoreError> {
        let items = vec![
            self.plan_put(plan.name.clone(), plan, event)?,
            self.put_event(&EventSubject::Plan(&plan.name), event)?,
        ];
        self.transact(items).await.map_err(unavailable)
    }

    async fn record_seed(&self, plan: &Plan, event: &Event) -> Result<(), StoreError> {
        let items = vec![
            self.plan_put(format!("{SEED_PREFIX}{}", plan.name), plan, event)?,
            self.put_event(&EventSubject::Plan(&plan.name), event)?,
        ];
        self.transact(items).await.map_err(unavailable)
    }

    async fn mirror_completed(&self) -> Result<Option<i64>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(sync_key()))
            .projection_expression("completed_at")
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item().and_then(|item| number(item, "completed_at")))
    }
}

impl DynamoStore {
    /// The transaction item that writes `plan` under the sort key `sk`.
    fn plan_put(
        &self,
        sk: String,
        plan: &Plan,
        event: &Event,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = key("PLAN".to_owned(), sk);
        item.extend([
            ("daily".to_owned(), n(plan.daily)),
            ("max_count".to_owned(), n(plan.max_count)),
            ("updated_at".to_owned(), n(event.at_ms)),
        ]);
        if let Some(m) = plan.monthly {
            item.insert("monthly".to_owned(), n(m));
        }
        self.transact_put(item, None)
    }
}

/// The days a month counter holds (`MONTH#yyyy-mm`, `dNN`), with their counts above 0.
pub(crate) fn month_days(item: &Item) -> Vec<(Day, u32)> {
    let Some(month) =
        string(item, "sk").and_then(|sk| sk.strip_prefix("MONTH#").and_then(Month::parse))
    else {
        return Vec::new();
    };
    month
        .days()
        .filter_map(|d| Some((d, number::<u32>(item, &day_attribute(d))?)))
        .filter(|(_, used)| *used > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_expiry() {
        let day = Day::from_unix_ms(1_795_435_200_000);
        assert_eq!(day_sk(day), "DAY#2026-11-23");
        assert_eq!(month_sk(day.month()), "MONTH#2026-11");
        assert_eq!(day_attribute(day), "d23");
        assert_eq!(day_attribute(day.month().first_day()), "d01");
        assert_eq!(usage_pk(&Meterer::Ip("ab".into())), "USAGE#IP#ab");
        assert_eq!(
            month_expires(day.month()),
            n(1_796_083_200 + USAGE_TTL_DAYS * 86_400)
        );
        assert_eq!(super::super::effective_limit(100, Some(20)), 20);
    }

    #[test]
    fn a_month_counter_lists_its_days() {
        let item: Item = HashMap::from([
            ("sk".to_owned(), s("MONTH#2026-02")),
            ("used".to_owned(), n(7)),
            ("d01".to_owned(), n(3)),
            ("d28".to_owned(), n(4)),
            ("d09".to_owned(), n(0)),
        ]);
        let days: Vec<(String, u32)> = month_days(&item)
            .into_iter()
            .map(|(d, u)| (d.iso(), u))
            .collect();
        assert_eq!(
            days,
            [("2026-02-01".to_owned(), 3), ("2026-02-28".to_owned(), 4)]
        );
    }
}
