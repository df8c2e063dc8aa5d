//! `POST /v1/evaluate` (`?hibp=false` skips the breach check).

use super::error::ApiError;
use super::params::Params;
use super::registry;
use super::request::Call;
use super::response;
use super::{App, Caller, auth, metered};
use crate::evaluate::breach::{self, BreachCheck, BreachSource};
use crate::evaluate::policy::{self, PasswordPolicy, Verdict};
use crate::evaluate::{
    self, EvaluateError, MAX_USER_INPUT_CHARS, MAX_USER_INPUTS, SCENARIOS, Scenario,
};
use crate::generate::Preset;
use crate::quota::RateLimit;
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;
use serde_json::{Number, Value};

/// Body parameters.
pub const BODY_PARAMS: &[&str] = &[
    "password",
    "user_inputs",
    "dictionaries",
    "locale",
    "policy",
    "mfa",
];

/// Query parameters.
pub const QUERY_PARAMS: &[&str] = &["hibp"];

/// `POST /v1/evaluate`.
pub async fn serve(
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

/// A password's strength and breach status, and its verdict when a policy was asked for.
pub struct Evaluation {
    strength: evaluate::Strength,
    breach: breach::Checked,
    verdict: Option<Verdict>,
}

/// The metered work of an evaluate request, whatever carried it: refuses a caller this container
/// just refused for its limit (before reading anything), reads the password and user
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
    app.gate().refused_recently(caller)?;
    let (assessed, policy) = match assess(params).and_then(|a| Ok((a, read_policy(params)?))) {
        Ok(read) => read,
        Err(e) => return Err(app.with_quota_headers(caller, e).await),
    };
    let Assessed {
        password,
        user_inputs,
        strength,
    } = assessed;
    let rate = app
        .gate()
        .admit(caller, |_| Ok::<(), ApiError>(()))
        .await?
        .rate;
    let breach = if hibp {
        breach::check(breaches, &password).await
    } else {
        breach::Checked::SKIPPED
    };
    let strength = strength.with_breach(breach.check);
    let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
    let verdict = policy.map(|p| policy::verdict(&p, &password, &inputs, &strength, breach.check));
    Ok((
        Evaluation {
            strength,
            breach,
            verdict,
        },
        rate,
    ))
}

/// The password, its user inputs and its estimated strength.
struct Assessed {
    password: String,
    user_inputs: Vec<String>,
    strength: evaluate::Strength,
}

/// Reads the password and user inputs and estimates the strength.
fn assess(params: &Params) -> Result<Assessed, ApiError> {
    let password = params.string("password")?.ok_or(EvaluateError::Empty)?;
    let user_inputs = params
        .strings("user_inputs", MAX_USER_INPUTS, MAX_USER_INPUT_CHARS)?
        .unwrap_or_default();
    let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
    let options = read_options(params)?;
    let strength = evaluate::strength_with(&password, &inputs, &options)?;
    Ok(Assessed {
        password,
        user_inputs,
        strength,
    })
}

/// `dictionaries` (language packs beside the common and English lists; `en` is always on) and
/// `locale` (the texts' language).
pub fn read_options(params: &Params) -> Result<evaluate::Options, ApiError> {
    let languages = evaluate::model::data::LANGUAGES;
    let names = params
        .strings("dictionaries", evaluate::MAX_DICTIONARIES, 8)?
        .unwrap_or_default();
    let mut dictionaries = Vec::new();
    for name in &names {
        match languages.iter().find(|l| **l == name.as_str()) {
            Some(language) => dictionaries.push(*language),
            None => {
                return Err(ApiError::invalid_parameter(
                    "dictionaries",
                    format!(
                        "dictionaries must name languages among: {}",
                        languages.join(", ")
                    ),
                ));
            }
        }
    }
    let locales = evaluate::Translation::codes();
    let locale = params.choice("locale", &locales, evaluate::Translation::find)?;
    Ok(evaluate::Options {
        dictionaries,
        locale,
    })
}

/// `policy`: a preset's name, `{"passwordrules": "..."}` or `{"site": "apple.com"}` (the rules
/// the list of known sites records for it); `mfa` (nist: the password is one of two factors)
/// only with a policy.
pub fn read_policy(params: &Params) -> Result<Option<PasswordPolicy>, ApiError> {
    let mfa = params.boolean("mfa")?;
    let invalid = |message: String| ApiError::invalid_parameter("policy", message);
    let presets = Preset::ALL.map(Preset::name);
    let policy = if params.is_string("policy") {
        let preset = params.choice("policy", &presets, Preset::parse)?;
        preset.map(|preset| PasswordPolicy::Preset {
            preset,
            mfa: mfa.unwrap_or(false),
        })
    } else if let Some(object) = params.object("policy")? {
        match (
            object.len(),
            object.get("passwordrules"),
            object.get("site"),
        ) {
            (1, Some(Value::String(rules)), None) => {
                Some(PasswordPolicy::rules(rules).map_err(|e| invalid(e.to_string()))?)
            }
            (1, None, Some(Value::String(site))) => {
                Some(PasswordPolicy::site(site).map_err(invalid)?)
            }
            _ => {
                return Err(invalid(
                    "policy must be a preset, {\"passwordrules\": \"...\"} or {\"site\": \"a domain\"}"
                        .to_owned(),
                ));
            }
        }
    } else {
        None
    };
    if policy.is_none() && mfa.is_some() {
        return Err(ApiError::invalid_parameter(
            "mfa",
            format!(
                "mfa qualifies a policy verdict: send policy too ({})",
                presets.join(", ")
            ),
        ));
    }
    Ok(policy)
}

#[derive(Serialize)]
struct Evaluated<'a> {
    score: u8,
    strength: &'static str,
    entropy_bits: f64,
    guesses: Number,
    crack_times: PerScenario<String>,
    crack_times_seconds: PerScenario<Value>,
    breached: Option<bool>,
    breach_count: Option<u64>,
    breach_check: &'static str,
    breach_source: Option<&'static str>,
    breach_data_as_of: Option<String>,
    warning: Option<String>,
    suggestions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyBody<'a>>,
}

/// A verdict as the API writes it.
#[derive(Serialize)]
struct PolicyBody<'a> {
    name: &'a str,
    compliant: Option<bool>,
    violations: Vec<FindingBody<'a>>,
    unchecked: Vec<FindingBody<'a>>,
    source: &'a str,
}

#[derive(Serialize)]
struct FindingBody<'a> {
    rule: &'a str,
    message: &'a str,
}

impl<'a> PolicyBody<'a> {
    fn of(verdict: &'a Verdict) -> PolicyBody<'a> {
        let findings = |list: &'a [policy::Finding]| {
            list.iter()
                .map(|f| FindingBody {
                    rule: f.rule,
                    message: &f.message,
                })
                .collect()
        };
        PolicyBody {
            name: &verdict.name,
            compliant: verdict.compliant,
            violations: findings(&verdict.violations),
            unchecked: findings(&verdict.unchecked),
            source: &verdict.source,
        }
    }
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
        let crack_times = PerScenario::new(|s| strength.crack_time_display(s));
        let crack_times_seconds = PerScenario::new(|s| json_number(strength.crack_seconds(s)));
        let guesses = match strength.exact_guesses {
            Some(g) => Number::from(g),
            None => Number::from_f64(strength.guesses().round())
                .unwrap_or_else(|| Number::from(u64::MAX)),
        };
        let (breached, breach_count, breach_check) = match breach.check {
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
            breach_source: breach.provenance.map(|p| p.origin.name()),
            breach_data_as_of: breach
                .provenance
                .and_then(|p| p.fetched_at)
                .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
            warning: strength.warning.clone(),
            suggestions: (!strength.suggestions.is_empty()).then(|| strength.suggestions.clone()),
            policy: self.verdict.as_ref().map(PolicyBody::of),
        }
    }
}

/// A JSON number for a finite float (the estimate keeps guesses far below `f64::MAX`).
fn json_number(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}
