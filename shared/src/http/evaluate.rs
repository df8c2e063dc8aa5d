//! `POST /v1/evaluate` (`?hibp=false` skips the breach check).

use super::error::ApiError;
use super::params::Params;
use super::registry;
use super::request::Call;
use super::response;
use super::{App, Caller, auth, metered};
use crate::evaluate::breach::{self, BreachCheck, BreachSource};
use crate::evaluate::{
    self, EvaluateError, MAX_USER_INPUT_CHARS, MAX_USER_INPUTS, SCENARIOS, Scenario,
};
use crate::quota::RateLimit;
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;
use serde_json::{Number, Value};
use std::convert::Infallible;

/// Body parameters.
pub const BODY_PARAMS: &[&str] = &["password", "user_inputs"];
/// Query parameters.
pub const QUERY_PARAMS: &[&str] = &["hibp"];

/// The Lambda handler; `breaches` is the breach source (with its cache) built once per process.
pub async fn handle(
    app: &App,
    breaches: &impl BreachSource,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    super::handle(request, &registry::EVALUATE.route, async |r| {
        serve(app, breaches, r).await
    })
    .await
}

async fn serve(
    app: &App,
    breaches: &impl BreachSource,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::EVALUATE.route)?;
    let hibp = Params::query(call.query.clone(), QUERY_PARAMS)?
        .boolean("hibp")?
        .unwrap_or(true);
    let params = Params::json(call.json_object(false)?, BODY_PARAMS)?;
    let caller = app.identify(&auth::credential(&call, None)?).await?;
    let (evaluation, rate) = run(app, breaches, &caller, &params, hibp).await?;
    Ok(metered(
        response::json_body(StatusCode::OK, &evaluation.body()),
        &rate,
    ))
}

/// A password's strength and breach status.
pub struct Evaluation {
    strength: evaluate::Strength,
    breach: BreachCheck,
}

/// The metered work of an evaluate request, whatever carried it: reads the password and user
/// inputs from `params` and estimates the strength (a refusal carries the caller's rate-limit
/// headers), admits the caller (one on its daily counter), then asks the breach source when
/// `hibp`.
pub async fn run(
    app: &App,
    breaches: &impl BreachSource,
    caller: &Caller,
    params: &Params,
    hibp: bool,
) -> Result<(Evaluation, RateLimit), ApiError> {
    let (password, strength) = match assess(params) {
        Ok(assessed) => assessed,
        Err(e) => return Err(app.with_quota_headers(caller, e).await),
    };
    let rate = app.gate().admit(caller).await?;
    let breach = if hibp {
        breach::check(breaches, &password).await
    } else {
        BreachCheck::Skipped
    };
    Ok((Evaluation { strength, breach }, rate))
}

/// Reads the password and user inputs and estimates the strength.
fn assess(params: &Params) -> Result<(String, evaluate::Strength), ApiError> {
    let password = params.string("password")?.ok_or(EvaluateError::Empty)?;
    let user_inputs = params
        .strings("user_inputs", MAX_USER_INPUTS, MAX_USER_INPUT_CHARS)?
        .unwrap_or_default();
    let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
    let strength = evaluate::strength(&password, &inputs)?;
    Ok((password, strength))
}

#[derive(Serialize)]
struct Evaluated {
    score: u8,
    strength: &'static str,
    entropy_bits: f64,
    guesses: Number,
    crack_times: PerScenario<String>,
    crack_times_seconds: PerScenario<Value>,
    breached: Option<bool>,
    breach_count: Option<u64>,
    breach_check: &'static str,
    warning: Option<String>,
    suggestions: Option<Vec<String>>,
}

/// One value per attack scenario, in [`SCENARIOS`] order (slowest attacker first).
#[derive(Serialize)]
struct PerScenario<T> {
    online_throttled: T,
    online_unthrottled: T,
    offline_slow_hash: T,
    offline_fast_hash: T,
}

impl<T> PerScenario<T> {
    fn new(f: impl Fn(&Scenario) -> T) -> PerScenario<T> {
        let [a, b, c, d] = &SCENARIOS;
        PerScenario {
            online_throttled: f(a),
            online_unthrottled: f(b),
            offline_slow_hash: f(c),
            offline_fast_hash: f(d),
        }
    }
}

impl Evaluation {
    /// The JSON body (openapi.yaml's `Evaluation`).
    pub fn body(&self) -> impl Serialize + '_ {
        let (strength, breach) = (&self.strength, self.breach);
        let crack_times = PerScenario::new(|s| evaluate::display_time(strength.crack_seconds(s)));
        let crack_times_seconds = PerScenario::new(|s| json_number(strength.crack_seconds(s)));
        let guesses = match strength.exact_guesses {
            Some(g) => Number::from(g),
            None => Number::from_f64(strength.guesses().round())
                .unwrap_or_else(|| Number::from(u64::MAX)),
        };
        let (breached, breach_count, breach_check) = match breach {
            BreachCheck::Checked(count) => (Some(count > 0), Some(count), "ok"),
            BreachCheck::Unavailable => (None, None, "unavailable"),
            BreachCheck::Skipped => (None, None, "skipped"),
        };
        Evaluated {
            score: strength.score,
            strength: strength.label(),
            entropy_bits: (strength.entropy_bits() * 100.0).round() / 100.0,
            guesses,
            crack_times,
            crack_times_seconds,
            breached,
            breach_count,
            breach_check,
            warning: strength.warning.clone(),
            suggestions: (!strength.suggestions.is_empty()).then(|| strength.suggestions.clone()),
        }
    }
}

/// A JSON number for a finite float (the estimate keeps guesses far below `f64::MAX`).
fn json_number(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}
