//! The operator's reads of the whole table (the admin tool's lists and exports): scans, which a
//! function never runs. They page through the table, so their cost grows with it: one read unit
//! per 4 KB scanned, eventually consistent.

use super::dynamodb::{
    DynamoStore, Item, account_from, month_days, month_sk, s, string, unavailable,
};
use super::{Account, Meterer, StoreError};
use crate::quota::{Day, Month};

impl DynamoStore {
    /// Every item the filter keeps, all pages.
    async fn scan(&self, filter: &str, values: Item) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression(filter)
                .set_expression_attribute_values(Some(values.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            items.extend(out.items().iter().cloned());
            start = out.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Every account, by id.
    pub async fn all_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let items = self
            .scan(
                "sk = :sk AND begins_with(pk, :pk)",
                Item::from([
                    (":sk".to_owned(), s("ACCOUNT")),
                    (":pk".to_owned(), s("ACCOUNT#")),
                ]),
            )
            .await?;
        let mut accounts = items
            .iter()
            .filter_map(|item| {
                let id = string(item, "pk")?.strip_prefix("ACCOUNT#")?.to_owned();
                Some(account_from(&id, item))
            })
            .collect::<Result<Vec<_>, _>>()?;
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(accounts)
    }

    /// Every counter of `month`: whose, and its days with usage.
    pub async fn month_usage(
        &self,
        month: Month,
    ) -> Result<Vec<(Meterer, Vec<(Day, u32)>)>, StoreError> {
        let items = self
            .scan(
                "sk = :sk AND begins_with(pk, :pk)",
                Item::from([
                    (":sk".to_owned(), s(month_sk(month))),
                    (":pk".to_owned(), s("USAGE#")),
                ]),
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|item| {
                let pk = string(item, "pk")?;
                let who = if let Some(id) = pk.strip_prefix("USAGE#ACCOUNT#") {
                    Meterer::Account(id.to_owned())
                } else {
                    Meterer::Ip(pk.strip_prefix("USAGE#IP#")?.to_owned())
                };
                Some((who, month_days(item)))
            })
            .collect())
    }
}
