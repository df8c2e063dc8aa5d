//! The breach sync's [`Ledger`] in the table: one item, `pk` `MIRROR`, `sk` `SYNC`, every write
//! a conditional `UpdateItem` on it (see [`crate::evaluate::sync`]).
//!
//! | attribute | meaning |
//! |---|---|
//! | `lease_owner`, `lease_until` | the run holding the lease, until when (Unix ms) |
//! | `pass_started`, `next`, `written`, `unchanged`, `retry` | the pass in progress: when it began, its cursor, its counts, the prefixes to retry (a string set) |
//! | `completed_started`, `completed_at` | the last completed pass: when it began and ended |

use super::dynamodb::{DynamoStore, Item, applied, n, number, string, sync_key, unavailable};
use crate::evaluate::sync::{Completed, Lease, Ledger, LedgerError, Pass, State, Step};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

fn failed(e: impl std::fmt::Display) -> LedgerError {
    LedgerError(e.to_string())
}

/// `Ok(false)` for a failed condition, the error otherwise ([`applied`]).
fn conditional<O>(
    result: Result<O, SdkError<UpdateItemError, impl std::fmt::Debug + Send + Sync + 'static>>,
) -> Result<bool, LedgerError> {
    Ok(applied(result).map_err(failed)?.is_some())
}

fn state_from(item: &Item) -> State {
    let pass = number::<i64>(item, "pass_started").map(|started_ms| Pass {
        started_ms,
        next: number(item, "next").unwrap_or(0),
        retry: match item.get("retry") {
            Some(AttributeValue::Ss(set)) => {
                let mut set = set.clone();
                set.sort();
                set
            }
            _ => Vec::new(),
        },
        written: number(item, "written").unwrap_or(0),
        unchanged: number(item, "unchanged").unwrap_or(0),
    });
    let completed = match (
        number::<i64>(item, "completed_started"),
        number::<i64>(item, "completed_at"),
    ) {
        (Some(started_ms), Some(completed_ms)) => Some(Completed {
            started_ms,
            completed_ms,
        }),
        _ => None,
    };
    let lease = string(item, "lease_owner").map(|owner| Lease {
        owner,
        until_ms: number(item, "lease_until").unwrap_or(0),
    });
    State {
        pass,
        completed,
        lease,
    }
}

#[async_trait]
impl Ledger for DynamoStore {
    async fn state(&self) -> Result<State, LedgerError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(sync_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(unavailable(e)))?;
        Ok(out.item().map(state_from).unwrap_or_default())
    }

    async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<State>, LedgerError> {
        let result = self
            .update(sync_key())
            .update_expression("SET lease_owner = :o, lease_until = :u")
            .condition_expression("attribute_not_exists(lease_until) OR lease_until < :now")
            .expression_attribute_values(":o", AttributeValue::S(owner.to_owned()))
            .expression_attribute_values(":u", n(until_ms))
            .expression_attribute_values(":now", n(now_ms))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let claimed = applied(result).map_err(failed)?;
        Ok(claimed.map(|out| out.attributes().map(state_from).unwrap_or_default()))
    }

    async fn begin(&self, owner: &str, now_ms: i64) -> Result<bool, LedgerError> {
        conditional(
            self.update(sync_key())
                .update_expression(
                    "SET pass_started = :now, #next = :zero, written = :zero, unchanged = :zero \
                     REMOVE retry",
                )
                .condition_expression("lease_owner = :o AND attribute_not_exists(pass_started)")
                .expression_attribute_names("#next", "next")
                .expression_attribute_values(":o", AttributeValue::S(owner.to_owned()))
                .expression_attribute_values(":now", n(now_ms))
                .expression_attribute_values(":zero", n(0))
                .send()
                .await,
        )
    }

    async fn commit(&self, owner: &str, step: &Step, until_ms: i64) -> Result<bool, LedgerError> {
        let mut update =
            "SET #next = :to, lease_until = :u ADD written :w, unchanged :c".to_owned();
        let mut request = self.update(sync_key());
        if !step.failed.is_empty() {
            update.push_str(", retry :failed");
            request = request
                .expression_attribute_values(":failed", AttributeValue::Ss(step.failed.clone()));
        }
        if !step.recovered.is_empty() {
            update.push_str(" DELETE retry :recovered");
            request = request.expression_attribute_values(
                ":recovered",
                AttributeValue::Ss(step.recovered.clone()),
            );
        }
        conditional(
            request
                .update_expression(update)
                .condition_expression(
                    "lease_owner = :o AND #next = :from AND attribute_exists(pass_started)",
                )
                .expression_attribute_names("#next", "next")
                .expression_attribute_values(":o", AttributeValue::S(owner.to_owned()))
                .expression_attribute_values(":from", n(step.from))
                .expression_attribute_values(":to", n(step.to))
                .expression_attribute_values(":u", n(until_ms))
                .expression_attribute_values(":w", n(step.written))
                .expression_attribute_values(":c", n(step.unchanged))
                .send()
                .await,
        )
    }

    async fn complete(&self, owner: &str, now_ms: i64, end: u32) -> Result<bool, LedgerError> {
        conditional(
            self.update(sync_key())
                .update_expression(
                    "SET completed_started = pass_started, completed_at = :now \
                     REMOVE pass_started, #next, written, unchanged",
                )
                .condition_expression(
                    "lease_owner = :o AND #next = :end AND attribute_not_exists(retry)",
                )
                .expression_attribute_names("#next", "next")
                .expression_attribute_values(":o", AttributeValue::S(owner.to_owned()))
                .expression_attribute_values(":end", n(end))
                .expression_attribute_values(":now", n(now_ms))
                .send()
                .await,
        )
    }

    async fn release(&self, owner: &str) -> Result<(), LedgerError> {
        conditional(
            self.update(sync_key())
                .update_expression("SET lease_until = :zero")
                .condition_expression("lease_owner = :o")
                .expression_attribute_values(":o", AttributeValue::S(owner.to_owned()))
                .expression_attribute_values(":zero", n(0))
                .send()
                .await,
        )
        .map(|_| ())
    }
}
