//! The DynamoDB [`Store`]: one table (`TABLE_NAME`), partition key `pk` and sort key `sk` (strings),
//! TTL on `expires_at` (Unix seconds).
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | account | `ACCOUNT#<id>` | `ACCOUNT` | `email_hash`, `key_hash`, `regen_hash`, `key_version`, `tier`, `hard_limit`?, `created_at` |
//! | email claim | `EMAIL#<hmac>` | `EMAIL` | `account_id` |
//! | usage day | `USAGE#ACCOUNT#<id>` or `USAGE#IP#<hmac>` | `DAY#<yyyy-mm-dd>` | `used`, `key_version` (accounts), `hard_limit`?, `expires_at` (+31 days) |
//! | registrations | `REGISTER#<ip hmac>` | `DAY#<yyyy-mm-dd>` | `used`, `expires_at` (+2 days) |
//!
//! A warm metered request is one `UpdateItem` on its usage day: `ADD used 1` on condition that
//! there is room and — for accounts — that the day was opened for the caller's key version. A
//! regeneration moves the account and today's and tomorrow's usage days to the next version in one
//! transaction, so an old key fails on its very next request, even across midnight.

use super::{
    Account, HardLimitError, Meter, Metered, Meterer, RegisterError, Rotation, Store, StoreError,
    day_hard_limit, stored_hard_limit,
};
use crate::quota::Day;
use crate::tier::Tier;
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

type Item = HashMap<String, AttributeValue>;

/// Usage days are kept this long past their end (the usage history shows 30 days).
pub const USAGE_TTL_DAYS: i64 = 31;
/// Registration counters are kept this long past their end.
pub const REGISTER_TTL_DAYS: i64 = 2;

/// The DynamoDB store.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
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

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(pk: String, sk: String) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

fn day_sk(day: Day) -> String {
    format!("DAY#{}", day.iso())
}

fn usage_pk(who: &Meterer) -> String {
    match who {
        Meterer::Account(id) => format!("USAGE#ACCOUNT#{id}"),
        Meterer::Ip(hash) => format!("USAGE#IP#{hash}"),
    }
}

fn account_key(id: &str) -> Item {
    key(format!("ACCOUNT#{id}"), "ACCOUNT".to_owned())
}

fn usage_key(who: &Meterer, day: Day) -> Item {
    key(usage_pk(who), day_sk(day))
}

fn expires(day: Day, keep_days: i64) -> AttributeValue {
    n(day.reset_at_ms() / 1000 + keep_days * 86_400)
}

/// The assignments that open an account's usage day, or carry it to another key version:
/// `key_version` as `version` says, `used` from 0 unless counted already, the expiry, and the
/// account's hard limit unless the day has its own. Returned with the values they name (set
/// them before any other value: setting replaces).
fn open_day_set(version: &str, day: Day) -> (String, Item) {
    let set =
        format!("key_version = {version}, used = if_not_exists(used, :zero), expires_at = :exp");
    let values = HashMap::from([
        (":zero".to_owned(), n(0)),
        (":exp".to_owned(), expires(day, USAGE_TTL_DAYS)),
    ]);
    (set, values)
}

/// [`open_day_set`], giving the day `hard_limit` unless it has its own.
fn open_day_with_limit(version: &str, day: Day, hard_limit: Option<u32>) -> (String, Item) {
    let (mut set, mut values) = open_day_set(version, day);
    set.push_str(", hard_limit = if_not_exists(hard_limit, :h)");
    values.insert(":h".to_owned(), n(stored_hard_limit(hard_limit)));
    (set, values)
}

fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().ok(),
        _ => None,
    }
}

fn string(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    }
}

fn unavailable<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError(DisplayErrorContext(&e).to_string())
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

    fn update(
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
}

fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError(format!("request could not be built: {e}")))
}

#[async_trait]
impl Store for DynamoStore {
    async fn meter(&self, meter: &Meter) -> Result<Metered, StoreError> {
        if meter.limit == 0 && meter.key_version.is_none() {
            // Closed: the condition below would admit a day's first request.
            let (used, hard_limit) = self.peek(&meter.who, meter.day).await?;
            return Ok(Metered::Full { used, hard_limit });
        }
        let mut request = self
            .update(usage_key(&meter.who, meter.day))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(meter.limit))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if self.consumed.is_some() {
            request = request
                .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total);
        }
        request = match meter.key_version {
            None => request
                .update_expression("ADD used :one SET expires_at = :exp")
                .condition_expression("attribute_not_exists(used) OR used < :limit")
                .expression_attribute_values(":exp", expires(meter.day, USAGE_TTL_DAYS)),
            Some(version) => request
                .update_expression("ADD used :one")
                .condition_expression(
                    "key_version = :v AND used < :limit \
                     AND (attribute_not_exists(hard_limit) OR used < hard_limit)",
                )
                .expression_attribute_values(":v", n(version)),
        };
        match request.send().await {
            Ok(out) => {
                self.record(out.consumed_capacity());
                let item = out.attributes().cloned().unwrap_or_default();
                Ok(Metered::Admitted {
                    used: number(&item, "used").unwrap_or(0),
                    hard_limit: day_hard_limit(number(&item, "hard_limit")),
                })
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => {
                    let Some(old) = c.item() else {
                        return Ok(Metered::Unverified);
                    };
                    if meter.key_version.is_some()
                        && number::<u64>(old, "key_version") != meter.key_version
                    {
                        return Ok(Metered::Unverified);
                    }
                    Ok(Metered::Full {
                        used: number(old, "used").unwrap_or(0),
                        hard_limit: day_hard_limit(number(old, "hard_limit")),
                    })
                }
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn peek(&self, who: &Meterer, day: Day) -> Result<(u32, Option<u32>), StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(usage_key(who, day)))
            .projection_expression("used, hard_limit")
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item().map_or((0, None), |item| {
            (
                number(item, "used").unwrap_or(0),
                day_hard_limit(number(item, "hard_limit")),
            )
        }))
    }

    async fn open_day(
        &self,
        account_id: &str,
        day: Day,
        key_version: u64,
        hard_limit: Option<u32>,
    ) -> Result<bool, StoreError> {
        let (set, values) = open_day_with_limit("if_not_exists(key_version, :v)", day, hard_limit);
        let request = self
            .update(usage_key(&Meterer::Account(account_id.to_owned()), day))
            .update_expression(format!("SET {set}"))
            .condition_expression("attribute_not_exists(pk) OR key_version = :v")
            .set_expression_attribute_values(Some(values))
            .expression_attribute_values(":v", n(key_version));
        match request.send().await {
            Ok(_) => Ok(true),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(unavailable(e)),
            },
        }
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
        let Some(item) = out.item() else {
            return Ok(None);
        };
        let field = |name: &str| {
            string(item, name).ok_or_else(|| StoreError(format!("account item lacks {name}")))
        };
        Ok(Some(Account {
            id: id.to_owned(),
            email_hash: field("email_hash")?,
            key_hash: field("key_hash")?,
            regen_hash: field("regen_hash")?,
            key_version: number(item, "key_version").unwrap_or(0),
            tier: Tier::parse(&field("tier")?).unwrap_or(Tier::Free),
            hard_limit: number(item, "hard_limit"),
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
        }))
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
            .expression_attribute_values(":exp", expires(day, REGISTER_TTL_DAYS))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(unavailable(e)),
            },
        }
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

    async fn register(&self, account: &Account) -> Result<(), RegisterError> {
        let claim_email = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(
                    key(format!("EMAIL#{}", account.email_hash), "EMAIL".to_owned())
                        .into_iter()
                        .chain([("account_id".to_owned(), s(&account.id))])
                        .collect(),
                ))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        let mut item = account_key(&account.id);
        item.extend([
            ("email_hash".to_owned(), s(&account.email_hash)),
            ("key_hash".to_owned(), s(&account.key_hash)),
            ("regen_hash".to_owned(), s(&account.regen_hash)),
            ("key_version".to_owned(), n(account.key_version)),
            ("tier".to_owned(), s(account.tier.name())),
            ("created_at".to_owned(), n(crate::quota::now_ms())),
        ]);
        if let Some(h) = account.hard_limit {
            item.insert("hard_limit".to_owned(), n(h));
        }
        let create_account = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(claim_email).build())
            .transact_items(TransactWriteItem::builder().put(create_account).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match failed_conditions(&e).as_deref() {
                Some([0, ..]) => Err(RegisterError::EmailExists),
                _ => Err(unavailable(e).into()),
            },
        }
    }

    async fn rotate(
        &self,
        account: &Account,
        key_hash: &str,
        regen_hash: &str,
        rotation: &Rotation,
        day: Day,
    ) -> Result<bool, StoreError> {
        let next = account.key_version + 1;
        let update_account = built(
            self.transact_update(account_key(&account.id))
                .update_expression(
                    "SET key_hash = :k, regen_hash = :r, key_version = :next, \
                     spent_regen_hash = :spent, rotated_at = :at, rotation_nonce = :nonce",
                )
                .condition_expression("key_version = :from")
                .expression_attribute_values(":k", s(key_hash))
                .expression_attribute_values(":r", s(regen_hash))
                .expression_attribute_values(":spent", s(&rotation.spent_regen_hash))
                .expression_attribute_values(":at", n(rotation.at_ms))
                .expression_attribute_values(":nonce", s(&rotation.nonce))
                .expression_attribute_values(":next", n(next))
                .expression_attribute_values(":from", n(account.key_version))
                .build(),
        )?;
        // Today's and tomorrow's counters move to the new version too: the old key can neither
        // meter today nor open tomorrow, even racing this call across midnight.
        let mut moves = Vec::new();
        for d in [day, day.next()] {
            let (set, values) = open_day_with_limit(":next", d, account.hard_limit);
            let usage = self
                .transact_update(usage_key(&Meterer::Account(account.id.clone()), d))
                .update_expression(format!("SET {set}"))
                .set_expression_attribute_values(Some(values))
                .expression_attribute_values(":next", n(next));
            moves.push(built(usage.build())?);
        }
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update_account).build());
        for update in moves {
            request = request.transact_items(TransactWriteItem::builder().update(update).build());
        }
        let result = request.send().await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if failed_conditions(&e).is_some_and(|f| f == [0]) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn set_hard_limit(
        &self,
        account_id: &str,
        key_version: u64,
        hard_limit: Option<u32>,
        day: Day,
    ) -> Result<(), HardLimitError> {
        let account = self
            .transact_update(account_key(account_id))
            .condition_expression("key_version = :v")
            .expression_attribute_values(":v", n(key_version));
        let account = match hard_limit {
            Some(h) => account
                .update_expression("SET hard_limit = :h")
                .expression_attribute_values(":h", n(h)),
            None => account.update_expression("REMOVE hard_limit"),
        };
        // Today (not below its usage) and tomorrow, which a regeneration opens in advance: each
        // day stores the limit, so that what usage reports is what metering enforces.
        let day_update = |d: Day| {
            let (open, values) = open_day_set("if_not_exists(key_version, :v)", d);
            self.transact_update(usage_key(&Meterer::Account(account_id.to_owned()), d))
                .set_expression_attribute_values(Some(values))
                .expression_attribute_values(":v", n(key_version))
                .update_expression(format!("SET hard_limit = :h, {open}"))
                .expression_attribute_values(":h", n(stored_hard_limit(hard_limit)))
        };
        let today = match hard_limit {
            Some(h) => day_update(day)
                .condition_expression("attribute_not_exists(used) OR used <= :h")
                .expression_attribute_values(":h", n(h)),
            None => day_update(day),
        };
        let mut request = self.client.transact_write_items().transact_items(
            TransactWriteItem::builder()
                .update(built(account.build())?)
                .build(),
        );
        for update in [today, day_update(day.next())] {
            request = request.transact_items(
                TransactWriteItem::builder()
                    .update(built(update.build())?)
                    .build(),
            );
        }
        let result = request.send().await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match failed_conditions(&e).as_deref() {
                Some([0, ..]) => Err(HardLimitError::KeyChanged),
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
            .expression_attribute_values(":from", s(day_sk(from)))
            .expression_attribute_values(":to", s(day_sk(to)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let mut days = Vec::new();
        let mut day = from;
        let items = out.items();
        // Items come sorted by sk; map each back to its day.
        for item in items {
            let Some(sk) = string(item, "sk") else {
                continue;
            };
            while day <= to && day_sk(day) < sk {
                day = day.next();
            }
            let used: u32 = number(item, "used").unwrap_or(0);
            if day_sk(day) == sk && used > 0 {
                days.push((day, used));
            }
        }
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_expiry() {
        let day = Day::from_unix_ms(1_795_435_200_000);
        assert_eq!(day_sk(day), "DAY#2026-11-23");
        assert_eq!(usage_pk(&Meterer::Ip("ab".into())), "USAGE#IP#ab");
        assert_eq!(expires(day, 31), n(1_795_478_400 + 31 * 86_400));
        assert_eq!(super::super::effective_limit(100, Some(20)), 20);
    }
}
