//! `POST /v1/keys/register`, `POST /v1/keys/regenerate`, `GET|PUT /v1/keys/usage`,
//! `GET /v1/keys/events`.

use super::error::{ApiError, ErrorCode};
use super::params::Params;
use super::registry;
use super::request::Call;
use super::response;
use super::{App, Caller, auth, too_many};
use crate::admission::Refusal;
use crate::keys::{self, Kind, Token};
use crate::plan;
use crate::quota::{Day, RateLimit, Windows, client_bucket};
use crate::store::{
    Account, Event, EventKind, HardLimitError, Meterer, RegisterError, Rotation, SELF_ACTOR, Status,
};
use lambda_http::http::{Method, Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;
use serde_json::Value;

/// Days of history `GET /v1/keys/usage` returns, today included.
pub const HISTORY_DAYS: i64 = 30;

/// Register's body parameters.
pub const REGISTER_PARAMS: &[&str] = &["email"];
/// Regenerate's body parameters.
pub const REGENERATE_PARAMS: &[&str] = &["email", "regen_token"];
/// `PUT /v1/keys/usage` body parameters.
pub const USAGE_PARAMS: &[&str] = &["hard_limit"];

fn email(params: &Params) -> Result<String, ApiError> {
    let invalid = |message: &str| ApiError {
        param: Some("email".to_owned()),
        ..ApiError::new(ErrorCode::InvalidEmail, message)
    };
    let raw = params
        .string("email")
        .map_err(|_| invalid("email must be a string"))?
        .ok_or_else(|| invalid("email is required"))?;
    keys::normalize_email(&raw).ok_or_else(|| invalid("not a valid email address"))
}

#[derive(Serialize)]
struct Registered {
    api_key: String,
    regen_token: String,
    plan: &'static str,
    tier: &'static str,
    limit: u32,
}

pub async fn serve_register(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::REGISTER.route)?;
    call.no_query()?;
    let params = Params::json(call.json_object(false)?, REGISTER_PARAMS)?;
    let email = email(&params)?;
    // The cheap checks first, in this order: the attempt counts against the address whatever
    // becomes of it, then a claimed email is refused; only then are secrets made and hashed.
    let ip = client_bucket(call.source_ip);
    let day = app.clock.today();
    let ip_limit = app.config.register_daily_limit_per_ip;
    if !app
        .store
        .count_registration(&app.pepper.ip(&ip), day, ip_limit)
        .await?
    {
        let rate = RateLimit::for_day(day, ip_limit, None, ip_limit);
        let message = if ip_limit == 0 {
            "registration is closed on this deployment".to_owned()
        } else {
            format!("at most {ip_limit} registration attempts per address per day")
        };
        return Err(too_many(ErrorCode::RateLimitExceeded, message, rate));
    }
    let email_hash = app.pepper.email(&email);
    let email_exists = || ApiError {
        param: Some("email".to_owned()),
        ..ApiError::new(
            ErrorCode::EmailAlreadyExists,
            "this email already has a key; use /v1/keys/regenerate to replace it",
        )
    };
    if app.store.email_claimed(&email_hash).await? {
        return Err(email_exists());
    }
    let (id, key, regen) = {
        let mut rng = crate::generate::random::request_rng();
        let id = keys::new_account_id(&mut rng);
        let key = Token::issue(Kind::ApiKey, &id, &mut rng);
        let regen = Token::issue(Kind::Regen, &id, &mut rng);
        (id, key, regen)
    };
    let now = app.clock.now_ms();
    let account = Account::new(id, email_hash, key.hash(), regen.hash(), plan::FREE, now);
    let event = Event::new(EventKind::Registered, SELF_ACTOR, now).set("plan", plan::FREE);
    match app.store.register(&account, &event).await {
        Ok(()) => {}
        Err(RegisterError::EmailExists) => return Err(email_exists()),
        Err(RegisterError::Store(e)) => return Err(e.into()),
    }
    let body = Registered {
        api_key: key.reveal(),
        regen_token: regen.reveal(),
        plan: plan::FREE,
        tier: plan::FREE,
        limit: app
            .gate()
            .limits_of(plan::FREE, &Default::default())
            .await
            .daily,
    };
    Ok(response::json_body(StatusCode::CREATED, &body))
}

#[derive(Serialize)]
struct Regenerated {
    api_key: String,
    regen_token: String,
}

fn invalid_regen() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRegenToken,
        "the email and regeneration token do not match a key",
    )
}

pub async fn serve_regenerate(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::REGENERATE.route)?;
    call.no_query()?;
    let params = Params::json(call.json_object(false)?, REGENERATE_PARAMS)?;
    let email = email(&params)?;
    let token = params
        .string("regen_token")?
        .and_then(|t| Token::parse(Kind::Regen, t.trim()))
        .ok_or_else(invalid_regen)?;
    let idempotency_key = idempotency_key(&call)?;
    let mut account = app
        .store
        .account(&token.account_id)
        .await?
        .ok_or_else(invalid_regen)?;
    let now = app.clock.now_ms();
    // Both checks always run, so timing does not tell which one failed.
    let email_matches = keys::same_hash(&app.pepper.email(&email), &account.email_hash);
    let token_matches = token.verify(&account.regen_hash);
    if !email_matches {
        return Err(invalid_regen());
    }
    if !token_matches {
        return recover(app, &account, &token, &idempotency_key, now);
    }
    usable(&account, now)?;
    let nonce = keys::new_nonce(&mut crate::generate::random::request_rng());
    let (key, regen) = token.successors(
        &app.pepper,
        &nonce,
        account.key_version + 1,
        &idempotency_key,
    );
    let rotation = Rotation {
        spent_regen_hash: account.regen_hash.clone(),
        at_ms: now,
        nonce,
    };
    for _ in 0..3 {
        let after = Account {
            key_hash: key.hash(),
            regen_hash: regen.hash(),
            key_version: account.key_version + 1,
            rotation: Some(rotation.clone()),
            ..account.clone()
        };
        let event = Event::new(EventKind::Regenerated, SELF_ACTOR, now).change(
            "key_version",
            account.key_version,
            after.key_version,
        );
        let day = Day::from_unix_ms(now);
        if app
            .store
            .update_account(&account, &after, day, &event)
            .await?
        {
            return Ok(regenerated(&key, &regen));
        }
        let current = app
            .store
            .account(&token.account_id)
            .await?
            .ok_or_else(invalid_regen)?;
        if current.key_version != account.key_version {
            // A concurrent regeneration with the same token won: the same request retried (its
            // answer is this one's), or another, which spent the token.
            return recover(app, &current, &token, &idempotency_key, now);
        }
        // Something else changed (an operator's change): the token is still the account's.
        usable(&current, now)?;
        account = current;
    }
    Err(ApiError::from(crate::store::StoreError(
        "the account kept changing".to_owned(),
    )))
}

/// Refuses an account whose key an operator revoked or let expire: its regeneration token
/// stops with it.
fn usable(account: &Account, now: i64) -> Result<(), ApiError> {
    match account.status(now) {
        Status::Active => Ok(()),
        Status::Revoked => Err(Refusal::KeyRevoked.into()),
        Status::Expired => Err(Refusal::KeyExpired.into()),
    }
}

fn regenerated(key: &Token, regen: &Token) -> Response<Body> {
    let body = Regenerated {
        api_key: key.reveal(),
        regen_token: regen.reveal(),
    };
    response::json_body(StatusCode::OK, &body)
}

/// A retry of the account's last regeneration, within [`keys::RECOVERY_WINDOW_MS`] and before
/// the new token was used: the same new key and token again, nothing written. The spent token
/// must match, and the idempotency key too, since the answer is derived from both.
///
/// Only a request that carries an `Idempotency-Key` is ever replayed: without one, the spent
/// token and the email alone would hand whoever holds them the new key and token (and with
/// them the account), so a regeneration without one answers once and never again.
fn recover(
    app: &App,
    account: &Account,
    token: &Token,
    idempotency_key: &str,
    now: i64,
) -> Result<Response<Body>, ApiError> {
    if idempotency_key.is_empty() {
        return Err(invalid_regen());
    }
    let Some(rotation) = &account.rotation else {
        return Err(invalid_regen());
    };
    if now - rotation.at_ms > keys::RECOVERY_WINDOW_MS || !token.verify(&rotation.spent_regen_hash)
    {
        return Err(invalid_regen());
    }
    let (key, regen) = token.successors(
        &app.pepper,
        &rotation.nonce,
        account.key_version,
        idempotency_key,
    );
    // The regen token it issued is still the account's (not used since), and so is the key.
    if !(regen.verify(&account.regen_hash) && key.verify(&account.key_hash)) {
        return Err(invalid_regen());
    }
    usable(account, now)?;
    Ok(regenerated(&key, &regen))
}

/// The optional `Idempotency-Key` header: at most 255 visible ASCII characters.
fn idempotency_key(call: &Call) -> Result<String, ApiError> {
    let Some(value) = call.headers.get("idempotency-key") else {
        return Ok(String::new());
    };
    match value.to_str() {
        Ok(v) if !v.is_empty() && v.len() <= 255 && v.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(v.to_owned())
        }
        _ => Err(ApiError {
            param: Some("Idempotency-Key".to_owned()),
            ..ApiError::new(
                ErrorCode::InvalidParameter,
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
        }),
    }
}

#[derive(Serialize)]
struct UsageBody {
    plan: String,
    tier: String,
    usage: u32,
    limit: u32,
    remaining: u32,
    hard_limit: Option<u32>,
    reset_at: i64,
    month: MonthBody,
    expires_at: Option<i64>,
    history: Vec<HistoryDay>,
}

#[derive(Serialize)]
struct MonthBody {
    month: String,
    usage: u32,
    limit: Option<u32>,
    remaining: Option<u32>,
    reset_at: i64,
}

#[derive(Serialize)]
struct HistoryDay {
    day: String,
    usage: u32,
}

pub async fn serve_usage(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::USAGE.route)?;
    call.no_query()?;
    let hard_limit = if call.method == Method::PUT {
        let params = Params::json(call.json_object(false)?, USAGE_PARAMS)?;
        Some(read_hard_limit(&params)?)
    } else {
        None
    };
    let caller = app.identify(&auth::credential(&call, None)?).await?;
    let body = usage_report(app, &caller, hard_limit).await?;
    Ok(response::json_body(StatusCode::OK, &body))
}

fn key_required() -> ApiError {
    ApiError::new(
        ErrorCode::MissingAuthHeader,
        "this needs an API key: Authorization: Bearer <key>",
    )
}

/// The key's usage (openapi.yaml's `UsageBody`), after setting its hard limit when `hard_limit`
/// is `Some` (`Some(None)` clears it). Never metered; an anonymous caller is refused.
pub async fn usage_report(
    app: &App,
    caller: &Caller,
    hard_limit: Option<Option<u32>>,
) -> Result<impl Serialize + use<>, ApiError> {
    let Caller::Key { token, verified } = caller else {
        return Err(key_required());
    };
    let gate = app.gate();
    // A key replaced, revoked or expired since this container cached it is refused here too.
    let mut account = gate
        .current_account(token, Some(verified.key_version))
        .await?;
    let day = app.clock.today();
    if let Some(hard_limit) = hard_limit {
        account = set_hard_limit(app, token, account, hard_limit, day).await?;
    }
    let who = Meterer::Account(account.id.clone());
    // One query: the history's 30 days and the whole month (a 31st's month began 30 days
    // before; a day counted by a container whose clock is ahead still counts for the month).
    let month = day.month();
    let first = month.first_day().min(day.minus(HISTORY_DAYS - 1));
    let mut history = app.store.usage(&who, first, month.last_day()).await?;
    let count = |days: std::ops::RangeInclusive<Day>| {
        history
            .iter()
            .filter(|(d, _)| days.contains(d))
            .map(|(_, u)| *u)
            .sum::<u32>()
    };
    let counts = crate::quota::Counts {
        day: count(day..=day),
        month: count(month.first_day()..=month.last_day()),
    };
    history.retain(|(d, _)| (day.minus(HISTORY_DAYS - 1)..=day).contains(d));
    let limits = gate.limits_of(&account.plan, &account.overrides).await;
    let windows = Windows::new(
        day,
        limits.daily,
        limits.monthly,
        account.hard_limit,
        counts,
    );
    Ok(UsageBody {
        plan: account.plan.clone(),
        tier: account.plan,
        usage: counts.day,
        limit: windows.day.limit,
        remaining: windows.day.remaining(),
        hard_limit: account.hard_limit,
        reset_at: windows.day.reset_at_ms,
        month: MonthBody {
            month: month.iso(),
            usage: counts.month,
            limit: limits.monthly,
            remaining: windows.month.map(|m| m.remaining()),
            reset_at: month.reset_at_ms(),
        },
        expires_at: account.expires_at,
        history: history
            .into_iter()
            .map(|(d, usage)| HistoryDay {
                day: d.iso(),
                usage,
            })
            .collect(),
    })
}

/// Sets the account's hard limit (one transaction with its audit event), reading the account
/// again should another change land between the read and the write; the account as it is then.
async fn set_hard_limit(
    app: &App,
    token: &Token,
    mut account: Account,
    hard_limit: Option<u32>,
    day: Day,
) -> Result<Account, ApiError> {
    for _ in 0..3 {
        let event = Event::new(EventKind::HardLimitSet, SELF_ACTOR, app.clock.now_ms()).change(
            "hard_limit",
            account.hard_limit,
            hard_limit,
        );
        match app
            .store
            .set_hard_limit(&account, hard_limit, day, &event)
            .await
        {
            Ok(()) => {
                // The limit a remembered refusal was given under no longer holds.
                app.refusals.forget(&Meterer::Account(account.id.clone()));
                return Ok(Account {
                    hard_limit,
                    ..account
                });
            }
            Err(HardLimitError::BelowUsage) => {
                return Err(ApiError {
                    param: Some("hard_limit".to_owned()),
                    ..ApiError::new(
                        ErrorCode::HardLimitTooLow,
                        "hard_limit is below today's usage",
                    )
                });
            }
            Err(HardLimitError::Changed) => {
                account = app
                    .gate()
                    .current_account(token, Some(account.key_version))
                    .await?;
            }
            Err(HardLimitError::Store(e)) => return Err(e.into()),
        }
    }
    Err(crate::store::StoreError("the account kept changing".to_owned()).into())
}

/// Most events `GET /v1/keys/events` returns.
pub const EVENTS_LIMIT: usize = 100;

#[derive(Serialize)]
struct EventsBody {
    events: Vec<EventBody>,
}

/// One audit event as the API shows it.
#[derive(Serialize)]
pub struct EventBody {
    at: i64,
    event: &'static str,
    actor: String,
    old: serde_json::Map<String, Value>,
    new: serde_json::Map<String, Value>,
}

impl From<Event> for EventBody {
    fn from(e: Event) -> EventBody {
        EventBody {
            at: e.at_ms,
            event: e.kind.name(),
            actor: e.actor,
            old: e.old,
            new: e.new,
        }
    }
}

pub async fn serve_events(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::EVENTS.route)?;
    call.no_query()?;
    let caller = app.identify(&auth::credential(&call, None)?).await?;
    let Caller::Key { token, verified } = &caller else {
        return Err(key_required());
    };
    let account = app
        .gate()
        .current_account(token, Some(verified.key_version))
        .await?;
    let events = app.store.events(&account.id, EVENTS_LIMIT).await?;
    let body = EventsBody {
        events: events.into_iter().map(EventBody::from).collect(),
    };
    Ok(response::json_body(StatusCode::OK, &body))
}

/// `hard_limit`: present, and a whole number or null.
fn read_hard_limit(params: &Params) -> Result<Option<u32>, ApiError> {
    let Params::Json(map) = params else {
        return Err(ApiError::invalid_parameter(
            "hard_limit",
            "hard_limit is required",
        ));
    };
    match map.get("hard_limit") {
        None => Err(ApiError::invalid_parameter(
            "hard_limit",
            "hard_limit is required (a whole number, or null to clear it)",
        )),
        Some(Value::Null) => Ok(None),
        Some(_) => params.whole("hard_limit"),
    }
}
