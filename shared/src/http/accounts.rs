//! `POST /v1/keys/register`, `POST /v1/keys/regenerate`, `GET|PUT /v1/keys/usage`.

use super::error::{ApiError, ErrorCode};
use super::params::Params;
use super::registry;
use super::request::Call;
use super::response;
use super::{App, Caller, auth, too_many};
use crate::keys::{self, Kind, Token};
use crate::quota::{Day, RateLimit, client_bucket};
use crate::store::{Account, HardLimitError, Meterer, RegisterError, Rotation};
use crate::tier::Tier;
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
    let account = Account {
        id,
        email_hash,
        key_hash: key.hash(),
        regen_hash: regen.hash(),
        key_version: 1,
        tier: Tier::Free,
        hard_limit: None,
        rotation: None,
    };
    match app.store.register(&account).await {
        Ok(()) => {}
        Err(RegisterError::EmailExists) => return Err(email_exists()),
        Err(RegisterError::Store(e)) => return Err(e.into()),
    }
    let body = Registered {
        api_key: key.reveal(),
        regen_token: regen.reveal(),
        tier: Tier::Free.name(),
        limit: app.config.limits(Tier::Free).daily_limit,
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
    let account = app
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
    if !app
        .store
        .rotate(
            &account,
            &key.hash(),
            &regen.hash(),
            &rotation,
            Day::from_unix_ms(now),
        )
        .await?
    {
        // A concurrent regeneration with the same token won: the same request retried (its
        // answer is this one's), or another, which spent the token.
        let account = app
            .store
            .account(&token.account_id)
            .await?
            .ok_or_else(invalid_regen)?;
        return recover(app, &account, &token, &idempotency_key, now);
    }
    Ok(regenerated(&key, &regen))
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
    tier: &'static str,
    usage: u32,
    limit: u32,
    remaining: u32,
    hard_limit: Option<u32>,
    reset_at: i64,
    history: Vec<HistoryDay>,
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

/// The key's usage (openapi.yaml's `UsageBody`), after setting its hard limit when `hard_limit`
/// is `Some` (`Some(None)` clears it). Never metered; an anonymous caller is refused.
pub async fn usage_report(
    app: &App,
    caller: &Caller,
    hard_limit: Option<Option<u32>>,
) -> Result<impl Serialize + use<>, ApiError> {
    let Caller::Key { token, verified } = caller else {
        return Err(ApiError::new(
            ErrorCode::MissingAuthHeader,
            "this needs an API key: Authorization: Bearer <key>",
        ));
    };
    // A key replaced since this container cached it is refused here too.
    let account = app
        .gate()
        .current_account(token, Some(verified.key_version))
        .await?;
    let day = app.clock.today();
    if let Some(hard_limit) = hard_limit {
        match app
            .store
            .set_hard_limit(&account.id, account.key_version, hard_limit, day)
            .await
        {
            // The limit a remembered refusal was given under no longer holds.
            Ok(()) => app.refusals.forget(&Meterer::Account(account.id.clone())),
            Err(HardLimitError::BelowUsage) => {
                return Err(ApiError {
                    param: Some("hard_limit".to_owned()),
                    ..ApiError::new(
                        ErrorCode::HardLimitTooLow,
                        "hard_limit is below today's usage",
                    )
                });
            }
            Err(HardLimitError::KeyChanged) => return Err(super::key_not_found()),
            Err(HardLimitError::Store(e)) => return Err(e.into()),
        }
    }
    let who = Meterer::Account(account.id.clone());
    let history = app
        .store
        .usage(&who, day.minus(HISTORY_DAYS - 1), day)
        .await?;
    let used = history
        .iter()
        .find(|(d, _)| *d == day)
        .map_or(0, |(_, u)| *u);
    let hard_limit = match hard_limit {
        Some(set) => set,
        None => account.hard_limit,
    };
    let tier_limit = app.config.limits(account.tier).daily_limit;
    let rate = RateLimit::for_day(day, tier_limit, hard_limit, used);
    Ok(UsageBody {
        tier: account.tier.name(),
        usage: used,
        limit: rate.limit,
        remaining: rate.remaining(),
        hard_limit,
        reset_at: rate.reset_at_ms,
        history: history
            .into_iter()
            .map(|(d, usage)| HistoryDay {
                day: d.iso(),
                usage,
            })
            .collect(),
    })
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
