//! What an operator does to a deployment, through its table: the commands of the admin tool
//! (`passwordapi-admin`) as plain functions. Each change is one transaction with its audit event
//! (by the operator's principal), on condition that the account is as it was read: a change
//! racing another is read again and retried, never lost or half-written. Bad input is an
//! [`OperatorError::BadInput`] and writes nothing.

use crate::config::Config;
use crate::keys::{self, Kind, Token};
use crate::plan::{self, Limits, Plan, Plans};
use crate::quota::{Clock, Counts, Day, Month};
use crate::store::dynamodb::DynamoStore;
use crate::store::{Account, Event, EventKind, Meterer, Status, Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Why a command did nothing.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The command's input is wrong (an unknown account or plan, a limit below usage, …):
    /// nothing was written.
    #[error("{0}")]
    BadInput(String),
    /// The table could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn bad(message: impl Into<String>) -> OperatorError {
    OperatorError::BadInput(message.into())
}

/// A limit as a command sets it: unchanged, back to the plan's, or a number.
pub type Setting = Option<Option<u32>>;

/// An account as `accounts show` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountView {
    /// Its id (inside its keys).
    pub account_id: String,
    /// Its plan.
    pub plan: String,
    /// `active`, `revoked` or `expired`.
    pub status: &'static str,
    /// When its key expires (Unix ms).
    pub expires_at: Option<i64>,
    /// The limits in force: its plan's with its overrides.
    pub limits: LimitsView,
    /// Its usage.
    pub usage: UsageView,
    /// The holder's own daily cap.
    pub hard_limit: Option<u32>,
    /// When it registered (Unix ms).
    pub created_at: i64,
    /// Its key's version (1, then one more per regeneration or reissue).
    pub key_version: u64,
}

/// Limits as the tool shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LimitsView {
    /// Requests per UTC day.
    pub daily: u32,
    /// Requests per calendar month (none: unlimited).
    pub monthly: Option<u32>,
    /// Largest `count` of one generate request.
    pub max_count: u32,
}

impl From<Limits> for LimitsView {
    fn from(l: Limits) -> LimitsView {
        LimitsView {
            daily: l.daily,
            monthly: l.monthly,
            max_count: l.max_count,
        }
    }
}

/// Today's and this month's admitted requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UsageView {
    /// Today (UTC).
    pub today: u32,
    /// This calendar month.
    pub month: u32,
}

/// One line of `accounts list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRow {
    /// Its id.
    pub account_id: String,
    /// Its plan.
    pub plan: String,
    /// `active`, `revoked` or `expired`.
    pub status: &'static str,
    /// Requests admitted today.
    pub usage_today: u32,
}

/// One line of `plans list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanRow {
    /// Its name.
    pub name: String,
    /// Requests per UTC day.
    pub daily: u32,
    /// Requests per month (none: unlimited).
    pub monthly: Option<u32>,
    /// Largest `count`.
    pub max_count: u32,
    /// `template` (a seed: the deployment's parameters) or `operator` (`plans set`, which
    /// overrides a seed of its name).
    pub source: &'static str,
}

impl From<&Plan> for PlanRow {
    fn from(p: &Plan) -> PlanRow {
        PlanRow {
            name: p.name.clone(),
            daily: p.daily,
            monthly: p.monthly,
            max_count: p.max_count,
            source: "operator",
        }
    }
}

/// One line of `usage export`: an account's (or every anonymous caller's) requests on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    /// The account, or `anonymous` for every caller without a key together.
    pub account_id: String,
    /// Its plan now.
    pub plan: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Requests admitted that day.
    pub usage: u32,
}

/// What `accounts reissue` gives, for delivery out of band.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reissued {
    /// The account.
    pub account_id: String,
    /// Its new key.
    pub api_key: String,
    /// Its new regeneration token.
    pub regen_token: String,
}

/// One line of `audit`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    /// When (Unix ms).
    pub at: i64,
    /// What.
    pub event: &'static str,
    /// Who.
    pub actor: String,
    /// The values before.
    pub old: serde_json::Map<String, serde_json::Value>,
    /// And after.
    pub new: serde_json::Map<String, serde_json::Value>,
}

impl From<Event> for EventRow {
    fn from(e: Event) -> EventRow {
        EventRow {
            at: e.at_ms,
            event: e.kind.name(),
            actor: e.actor,
            old: e.old,
            new: e.new,
        }
    }
}

/// The account id `text` names: an API key or regeneration token (the id is inside), or the id.
pub fn account_id(text: &str) -> Result<String, OperatorError> {
    let text = text.trim();
    if let Some(token) =
        Token::parse(Kind::ApiKey, text).or_else(|| Token::parse(Kind::Regen, text))
    {
        return Ok(token.account_id);
    }
    if text.len() == keys::ID_LEN && text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(text.to_owned());
    }
    if text.starts_with(keys::KEY_PREFIX) || text.starts_with(keys::REGEN_PREFIX) {
        return Err(bad("not a valid key: check that it was copied whole"));
    }
    Err(bad(format!(
        "not an API key or an account id ({} letters and digits): {text:?}",
        keys::ID_LEN
    )))
}

/// The commands, on one table, as one operator.
pub struct Operator {
    store: DynamoStore,
    actor: String,
    clock: Clock,
    seeds: [Plan; 3],
}

impl Operator {
    /// Commands on `store` by `actor` (recorded in every event), with `config`'s seed plans for
    /// plans the table does not hold yet and its clock offset.
    pub fn new(store: DynamoStore, actor: impl Into<String>, config: &Config) -> Operator {
        let clock = Clock::default();
        clock.shift(config.clock_offset_ms);
        Operator {
            store,
            actor: actor.into(),
            clock,
            seeds: config.seeds(),
        }
    }

    fn today(&self) -> Day {
        self.clock.today()
    }

    fn event(&self, kind: EventKind) -> Event {
        Event::new(kind, &self.actor, self.clock.now_ms())
    }

    /// The account `text` names.
    pub async fn account(&self, text: &str) -> Result<Account, OperatorError> {
        let id = account_id(text)?;
        self.store
            .account(&id)
            .await?
            .ok_or_else(|| bad(format!("no account {id}")))
    }

    /// The plans in force: the operator's over the seeds (the deployment's, as its functions
    /// recorded them; this tool's configuration's before any function ran), and which are the
    /// operator's.
    async fn stored_plans(&self) -> Result<(Plans, Vec<String>), OperatorError> {
        let stored = self.store.plans().await?;
        let seeds = Plans::new(&self.seeds, stored.seeds);
        let seeds: Vec<Plan> = seeds.all().cloned().collect();
        let operator = stored.operator.iter().map(|p| p.name.clone()).collect();
        Ok((Plans::new(&seeds, stored.operator), operator))
    }

    /// The plans in force.
    pub async fn plans(&self) -> Result<Plans, OperatorError> {
        Ok(self.stored_plans().await?.0)
    }

    /// `accounts show`.
    pub async fn show(&self, text: &str) -> Result<AccountView, OperatorError> {
        let account = self.account(text).await?;
        let plans = self.plans().await?;
        let (counts, _) = self
            .store
            .peek(&Meterer::Account(account.id.clone()), self.today())
            .await?;
        Ok(self.view(&account, &plans, counts))
    }

    fn view(&self, account: &Account, plans: &Plans, counts: Counts) -> AccountView {
        AccountView {
            account_id: account.id.clone(),
            plan: account.plan.clone(),
            status: account.status(self.clock.now_ms()).name(),
            expires_at: account.expires_at,
            limits: limits(plans, account).into(),
            usage: UsageView {
                today: counts.day,
                month: counts.month,
            },
            hard_limit: account.hard_limit,
            created_at: account.created_at,
            key_version: account.key_version,
        }
    }

    /// `accounts list [--plan P]`.
    pub async fn list(&self, plan: Option<&str>) -> Result<Vec<AccountRow>, OperatorError> {
        if let Some(name) = plan {
            self.known_plan(name).await?;
        }
        let today = self.today();
        let usage: HashMap<String, u32> = self
            .store
            .month_usage(today.month())
            .await?
            .into_iter()
            .filter_map(|(who, days)| match who {
                Meterer::Account(id) => {
                    let used = days
                        .iter()
                        .find(|(d, _)| *d == today)
                        .map_or(0, |(_, u)| *u);
                    Some((id, used))
                }
                Meterer::Ip(_) => None,
            })
            .collect();
        let now = self.clock.now_ms();
        Ok(self
            .store
            .all_accounts()
            .await?
            .into_iter()
            .filter(|a| plan.is_none_or(|p| a.plan == p))
            .map(|a| AccountRow {
                usage_today: usage.get(&a.id).copied().unwrap_or(0),
                status: a.status(now).name(),
                account_id: a.id,
                plan: a.plan,
            })
            .collect())
    }

    async fn known_plan(&self, name: &str) -> Result<Plan, OperatorError> {
        self.plans()
            .await?
            .get(name)
            .cloned()
            .ok_or_else(|| bad(format!("no plan {name:?} (plans list shows them)")))
    }

    /// Applies `change` to the account `text` names: read, change, write on condition that it
    /// is unchanged since the read (else again); the account as written.
    async fn change(
        &self,
        text: &str,
        change: impl Fn(&Account, &Plans, Counts) -> Result<(Account, Event), OperatorError>,
    ) -> Result<Account, OperatorError> {
        for _ in 0..5 {
            let before = self.account(text).await?;
            let plans = self.plans().await?;
            let (counts, _) = self
                .store
                .peek(&Meterer::Account(before.id.clone()), self.today())
                .await?;
            let (after, event) = change(&before, &plans, counts)?;
            if self
                .store
                .update_account(&before, &after, self.today(), &event)
                .await?
            {
                return Ok(Account {
                    rev: before.rev + 1,
                    ..after
                });
            }
        }
        Err(StoreError("the account kept changing; try again".to_owned()).into())
    }

    /// `accounts set-plan <id> <plan>`.
    pub async fn set_plan(&self, text: &str, name: &str) -> Result<AccountView, OperatorError> {
        self.known_plan(name).await?;
        let account = self
            .change(text, |a, _, _| {
                if a.plan == name {
                    return Err(bad(format!("{} is on plan {name} already", a.id)));
                }
                let event = self
                    .event(EventKind::PlanChanged)
                    .change("plan", &a.plan, name);
                Ok((
                    Account {
                        plan: name.to_owned(),
                        ..a.clone()
                    },
                    event,
                ))
            })
            .await?;
        self.show(&account.id).await
    }

    /// `accounts set-limits <id> [--daily N|none] [--monthly N|none] [--max-count N|none]`:
    /// `none` returns to the plan's. A daily or monthly limit below what the day or the month
    /// has admitted already is refused.
    pub async fn set_limits(
        &self,
        text: &str,
        daily: Setting,
        monthly: Setting,
        max_count: Setting,
    ) -> Result<AccountView, OperatorError> {
        if daily.is_none() && monthly.is_none() && max_count.is_none() {
            return Err(bad(
                "nothing to set: give --daily, --monthly or --max-count",
            ));
        }
        if max_count == Some(Some(0)) {
            return Err(bad("--max-count must be at least 1"));
        }
        let account = self
            .change(text, |a, plans, counts| {
                let mut overrides = a.overrides;
                let mut event = self.event(EventKind::LimitsChanged);
                for (field, slot, setting) in [
                    ("daily", &mut overrides.daily, daily),
                    ("monthly", &mut overrides.monthly, monthly),
                    ("max_count", &mut overrides.max_count, max_count),
                ] {
                    if let Some(value) = setting {
                        event = event.change(field, *slot, value);
                        *slot = value;
                    }
                }
                let after = Account {
                    overrides,
                    ..a.clone()
                };
                let limits = limits(plans, &after);
                if limits.daily < counts.day {
                    return Err(bad(format!(
                        "a daily limit of {} is below today's usage ({})",
                        limits.daily, counts.day
                    )));
                }
                if let Some(m) = limits.monthly.filter(|m| *m < counts.month) {
                    return Err(bad(format!(
                        "a monthly limit of {m} is below this month's usage ({})",
                        counts.month
                    )));
                }
                if overrides == a.overrides {
                    return Err(bad("the limits are so already"));
                }
                Ok((after, event))
            })
            .await?;
        self.show(&account.id).await
    }

    /// `accounts expire <id> (--at <Unix ms> | --never)`.
    pub async fn expire(&self, text: &str, at: Option<i64>) -> Result<AccountView, OperatorError> {
        let account = self
            .change(text, |a, _, _| {
                if a.expires_at == at {
                    return Err(bad("the expiry is so already"));
                }
                let event = self
                    .event(EventKind::ExpirySet)
                    .change("expires_at", a.expires_at, at);
                Ok((
                    Account {
                        expires_at: at,
                        ..a.clone()
                    },
                    event,
                ))
            })
            .await?;
        self.show(&account.id).await
    }

    /// `accounts revoke <id>`: the key and its regeneration token stop at their next request.
    pub async fn revoke(&self, text: &str) -> Result<AccountView, OperatorError> {
        let now = self.clock.now_ms();
        let account = self
            .change(text, |a, _, _| {
                if a.revoked_at.is_some() {
                    return Err(bad(format!("{} is revoked already", a.id)));
                }
                let event = self.event(EventKind::Revoked).change(
                    "status",
                    a.status(now).name(),
                    Status::Revoked.name(),
                );
                Ok((
                    Account {
                        revoked_at: Some(now),
                        ..a.clone()
                    },
                    event,
                ))
            })
            .await?;
        self.show(&account.id).await
    }

    /// `accounts reissue <id>`: a new key and regeneration token for the same account (its plan,
    /// limits and counters), the old ones refused from their next request; a revoked account
    /// is active again. The secrets are in the answer only.
    pub async fn reissue(&self, text: &str) -> Result<Reissued, OperatorError> {
        let id = account_id(text)?;
        let (key, regen) = {
            let mut rng = crate::generate::random::request_rng();
            (
                Token::issue(Kind::ApiKey, &id, &mut rng),
                Token::issue(Kind::Regen, &id, &mut rng),
            )
        };
        let (key_hash, regen_hash) = (key.hash(), regen.hash());
        let now = self.clock.now_ms();
        self.change(&id, |a, _, _| {
            let mut event = self.event(EventKind::Reissued).change(
                "key_version",
                a.key_version,
                a.key_version + 1,
            );
            if a.revoked_at.is_some() {
                event = event.change("status", a.status(now).name(), Status::Active.name());
            }
            let after = Account {
                key_hash: key_hash.clone(),
                regen_hash: regen_hash.clone(),
                key_version: a.key_version + 1,
                revoked_at: None,
                rotation: None,
                ..a.clone()
            };
            Ok((after, event))
        })
        .await?;
        Ok(Reissued {
            account_id: id,
            api_key: key.reveal(),
            regen_token: regen.reveal(),
        })
    }

    /// `plans list`.
    pub async fn plans_list(&self) -> Result<Vec<PlanRow>, OperatorError> {
        let (plans, operator) = self.stored_plans().await?;
        Ok(plans
            .all()
            .map(|p| PlanRow {
                source: if operator.contains(&p.name) {
                    "operator"
                } else {
                    "template"
                },
                ..PlanRow::from(p)
            })
            .collect())
    }

    /// `plans set <name> --daily N [--monthly N|none] [--max-count N]`: a new plan, or new limits
    /// for one (what is not given stays; a new plan's `count` maximum is the free plan's).
    pub async fn plans_set(
        &self,
        name: &str,
        daily: u32,
        monthly: Setting,
        max_count: Option<u32>,
    ) -> Result<PlanRow, OperatorError> {
        if !plan::valid_name(name) {
            return Err(bad(format!(
                "{name:?} cannot name a plan: 1 to {} of a-z, 0-9, - and _, starting with a letter or digit",
                plan::NAME_MAX
            )));
        }
        if max_count == Some(0) {
            return Err(bad("--max-count must be at least 1"));
        }
        let plans = self.plans().await?;
        let current = plans.get(name);
        let plan = Plan {
            name: name.to_owned(),
            daily,
            monthly: monthly.unwrap_or_else(|| current.and_then(|p| p.monthly)),
            max_count: max_count
                .or(current.map(|p| p.max_count))
                .or(plans.get(plan::FREE).map(|p| p.max_count))
                .unwrap_or(1),
        };
        let mut event = self.event(EventKind::PlanSet);
        event.new.insert("plan".to_owned(), plan.to_json());
        if let Some(current) = current {
            event.old.insert("plan".to_owned(), current.to_json());
        }
        self.store.put_plan(&plan, &event).await?;
        Ok(PlanRow::from(&plan))
    }

    /// `usage export --month YYYY-MM`: one row per account and day with usage, by account and
    /// day, and one `anonymous` row per day for every caller without a key together (never an
    /// address).
    pub async fn export(&self, month: Month) -> Result<Vec<UsageRow>, OperatorError> {
        let plans: HashMap<String, String> = self
            .store
            .all_accounts()
            .await?
            .into_iter()
            .map(|a| (a.id, a.plan))
            .collect();
        let mut accounts: BTreeMap<(String, Day), u32> = BTreeMap::new();
        let mut anonymous: BTreeMap<Day, u32> = BTreeMap::new();
        for (who, days) in self.store.month_usage(month).await? {
            for (day, used) in days {
                match &who {
                    Meterer::Account(id) => *accounts.entry((id.clone(), day)).or_default() += used,
                    Meterer::Ip(_) => *anonymous.entry(day).or_default() += used,
                }
            }
        }
        let mut rows: Vec<UsageRow> = accounts
            .into_iter()
            .map(|((id, day), usage)| UsageRow {
                plan: plans.get(&id).cloned().unwrap_or_default(),
                account_id: id,
                day: day.iso(),
                usage,
            })
            .collect();
        rows.extend(anonymous.into_iter().map(|(day, usage)| UsageRow {
            account_id: plan::ANONYMOUS.to_owned(),
            plan: plan::ANONYMOUS.to_owned(),
            day: day.iso(),
            usage,
        }));
        Ok(rows)
    }

    /// `audit <id>`: the account's events, newest first (all that are kept: 400 days).
    pub async fn audit(&self, text: &str) -> Result<Vec<EventRow>, OperatorError> {
        let account = self.account(text).await?;
        Ok(self
            .store
            .events(&account.id, usize::MAX)
            .await?
            .into_iter()
            .map(EventRow::from)
            .collect())
    }
}

/// An account's limits under `plans` (an unknown plan: the free plan's, as the functions do).
fn limits(plans: &Plans, account: &Account) -> Limits {
    plans
        .limits_or_free(&account.plan, &account.overrides)
        .unwrap_or(Limits {
            daily: 0,
            monthly: None,
            max_count: 1,
        })
}

/// Parses an RFC 3339 time (`2027-01-31T00:00:00Z`, an offset, fractions of a second) into Unix
/// milliseconds.
pub fn parse_time(text: &str) -> Result<i64, OperatorError> {
    let err = || {
        bad(format!(
            "not an RFC 3339 time (like 2027-01-31T00:00:00Z): {text:?}"
        ))
    };
    let (date, rest) = text.trim().split_once(['T', 't']).ok_or_else(err)?;
    let mut parts = date.splitn(3, '-');
    let mut next = |len: usize| -> Result<u32, OperatorError> {
        let p = parts.next().ok_or_else(err)?;
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        p.parse().map_err(|_| err())
    };
    let (y, m, d) = (next(4)?, next(2)?, next(2)?);
    let month = Month::parse(&format!("{y:04}-{m:02}")).ok_or_else(err)?;
    if d == 0 || d > month.days().count() as u32 {
        return Err(err());
    }
    let (clock, offset_s) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-']).ok_or_else(err)?;
        let (c, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, mi) = off[1..].split_once(':').ok_or_else(err)?;
        let (h, mi): (i64, i64) = (
            h.parse().map_err(|_| err())?,
            mi.parse().map_err(|_| err())?,
        );
        if h > 23 || mi > 59 || off[1..].len() != 5 {
            return Err(err());
        }
        (c, sign * (h * 3600 + mi * 60))
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, f),
        Some(_) => return Err(err()),
        None => (clock, ""),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    if fields.len() != 3
        || fields
            .iter()
            .any(|f| f.len() != 2 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err());
    }
    let (h, mi, s): (i64, i64, i64) = (
        fields[0].parse().map_err(|_| err())?,
        fields[1].parse().map_err(|_| err())?,
        fields[2].parse().map_err(|_| err())?,
    );
    if h > 23 || mi > 59 || s > 60 {
        return Err(err());
    }
    let ms: i64 = format!("{:0<3}", &fraction[..fraction.len().min(3)])
        .parse()
        .unwrap_or(0);
    let day = Day::from_civil(i64::from(y), m, d);
    Ok(day.start_ms() + (h * 3600 + mi * 60 + s - offset_s) * 1000 + ms)
}

/// A Unix millisecond time as RFC 3339 (UTC, milliseconds).
pub fn format_time(ms: i64) -> String {
    let day = Day::from_unix_ms(ms);
    let in_day = ms - day.start_ms();
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        day.iso(),
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// The actor's name for events when it is not an AWS principal (a local table).
pub const LOCAL_ACTOR: &str = "local-operator";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_rfc_3339_and_format_back() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_time("2026-12-02T10:00:00Z").unwrap(),
            1_796_205_600_000
        );
        assert_eq!(
            parse_time("2026-12-02T11:00:00+01:00").unwrap(),
            1_796_205_600_000
        );
        assert_eq!(
            parse_time("2026-12-02T09:30:00.25-00:30").unwrap(),
            1_796_205_600_250
        );
        assert_eq!(format_time(1_796_205_600_250), "2026-12-02T10:00:00.250Z");
        for bad in [
            "",
            "2026-12-02",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-12-02T25:00:00Z",
            "2026-12-02T10:00Z",
            "2026-12-02T10:00:00",
            "2026-12-02T10:00:00+1:00",
            "tomorrow",
            "2026-12-02T10:00:00.Z",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accounts_are_named_by_key_token_or_id() {
        let mut rng = rand::rng();
        let key = Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng);
        let regen = Token::issue(Kind::Regen, "abcdefABCDEF", &mut rng);
        assert_eq!(account_id(&key.reveal()).unwrap(), "abcdefABCDEF");
        assert_eq!(account_id(&regen.reveal()).unwrap(), "abcdefABCDEF");
        assert_eq!(account_id(" abcdefABCDEF ").unwrap(), "abcdefABCDEF");
        let truncated = &key.reveal()[..30];
        for bad in ["", "abc", "abcdefABCDE!", truncated] {
            assert!(
                matches!(account_id(bad), Err(OperatorError::BadInput(_))),
                "{bad}"
            );
        }
    }
}
