//! `GET|POST /v1/generate`.

use super::error::ApiError;
use super::params::Params;
use super::registry;
use super::request::Call;
use super::response::{self, csv_field};
use super::{App, Caller, auth, metered};
use crate::generate::{
    self, Format, GenerateRequest, GenerationPlan, Mode, Preset, Profession, passphrase::Language,
    random,
};
use crate::quota::RateLimit;
use lambda_http::http::{Method, Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;
use std::time::SystemTime;

/// Parameters of the contract, in the query string (GET) or the JSON body (POST).
pub const PARAMS: &[&str] = &[
    "length",
    "count",
    "uppercase",
    "lowercase",
    "numbers",
    "symbols",
    "min_uppercase",
    "min_lowercase",
    "min_numbers",
    "min_symbols",
    "exclude",
    "avoid_ambiguous",
    "symbol_set",
    "min_entropy",
    "compliance",
    "quantum",
    "mode",
    "words",
    "separator",
    "capitalize",
    "include_number",
    "profession",
    "format",
    "passwordrules",
    "username_digits",
    "site",
    "language",
];

/// Accepted in the POST body only: a key never belongs in a URL.
pub const BODY_ONLY_PARAMS: &[&str] = &["apiKey"];

/// `GET|POST /v1/generate`.
pub async fn serve(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::GENERATE.route)?;
    let params = if call.method == Method::GET {
        Params::query(call.query.clone(), PARAMS)?
    } else {
        call.no_query()?;
        let mut known = PARAMS.to_vec();
        known.extend(BODY_ONLY_PARAMS);
        Params::json(call.json_object(true)?, &known)?
    };
    let body_key = match call.method {
        Method::POST => params.string("apiKey")?,
        _ => None,
    };
    let credential = auth::credential(&call, body_key)?;
    let caller = app.identify(&credential).await?;
    let (generation, rate) = run(app, &caller, &params).await?;
    Ok(metered(generation.render(), &rate))
}

/// Passwords a [`GenerationPlan`] drew, and the plan.
pub struct Generation {
    /// The checked request.
    pub plan: GenerationPlan,
    /// What it drew.
    pub passwords: Vec<String>,
    /// The caller's plan, as the request was admitted under it.
    pub plan_name: String,
}

/// The metered work of a generate request, whatever carried it: refuses a caller this container
/// just refused for its limit (before reading anything), reads `params`, checks the plan (a
/// refusal carries the caller's rate-limit headers), admits the caller (one on its daily
/// counter) and draws the passwords.
pub async fn run(
    app: &App,
    caller: &Caller,
    params: &Params,
) -> Result<(Generation, RateLimit), ApiError> {
    run_request(app, caller, || read_request(params)).await
}

/// [`run`] for a route that reads its own parameters (a compatibility route): `read` runs only
/// once the caller is not known to be over its limit.
pub async fn run_request(
    app: &App,
    caller: &Caller,
    read: impl FnOnce() -> Result<GenerateRequest, ApiError>,
) -> Result<(Generation, RateLimit), ApiError> {
    let gate = app.gate();
    gate.refused_recently(caller)?;
    let request = match read() {
        Ok(request) => request,
        Err(e) => return Err(app.with_quota_headers(caller, e).await),
    };
    let mut limits = gate.limits(caller).await;
    let refreshed;
    let caller = if request.count.is_some_and(|c| c > limits.max_count) {
        // Above the maximum this container knows: confirmed against the account as stored now
        // (an operator may have raised it) before it is refused.
        refreshed = gate.refreshed(caller).await?;
        limits = gate.limits(&refreshed).await;
        &refreshed
    } else {
        caller
    };
    let plan = match GenerationPlan::new(&request, limits.max_count) {
        Ok(plan) => plan,
        Err(e) => return Err(app.with_quota_headers(caller, e.into()).await),
    };
    let count = request.count;
    let admitted = gate
        .admit(caller, |limits| {
            generate::check_count(count, limits.max_count)
                .map(|_| ())
                .map_err(ApiError::from)
        })
        .await?;
    let passwords = plan.generate(&mut random::request_rng());
    let generation = Generation {
        plan,
        passwords,
        plan_name: admitted.plan,
    };
    Ok((generation, admitted.rate))
}

/// Reads every contract parameter with its declared type.
pub fn read_request(p: &Params) -> Result<GenerateRequest, ApiError> {
    Ok(GenerateRequest {
        length: p.whole("length")?,
        count: p.whole("count")?,
        uppercase: p.boolean("uppercase")?,
        lowercase: p.boolean("lowercase")?,
        numbers: p.boolean("numbers")?,
        symbols: p.boolean("symbols")?,
        min_uppercase: p.whole("min_uppercase")?,
        min_lowercase: p.whole("min_lowercase")?,
        min_numbers: p.whole("min_numbers")?,
        min_symbols: p.whole("min_symbols")?,
        exclude: p.string("exclude")?,
        avoid_ambiguous: p.boolean("avoid_ambiguous")?,
        symbol_set: p.string("symbol_set")?,
        min_entropy: p.number("min_entropy")?,
        compliance: p.choice("compliance", &Preset::ALL.map(Preset::name), Preset::parse)?,
        quantum: p.boolean("quantum")?,
        mode: p.choice("mode", &Mode::NAMES, Mode::parse)?,
        words: p.whole("words")?,
        separator: p.string("separator")?,
        capitalize: p.boolean("capitalize")?,
        include_number: p.boolean("include_number")?,
        profession: p.choice(
            "profession",
            &Profession::ALL.map(Profession::name),
            Profession::parse,
        )?,
        format: p.choice("format", &["json", "csv", "csv_spreadsheet"], |f| match f {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "csv_spreadsheet" => Some(Format::CsvSpreadsheet),
            _ => None,
        })?,
        passwordrules: p.string("passwordrules")?,
        username_digits: p.whole("username_digits")?,
        site: p.string("site")?,
        language: p.choice(
            "language",
            &Language::ALL.map(Language::code),
            Language::parse,
        )?,
    })
}

#[derive(Serialize)]
struct Generated<'a> {
    password: &'a str,
    passwords: &'a [String],
    count: u32,
    length: Option<u32>,
    words: Option<u32>,
    mode: &'static str,
    charset_size: u64,
    entropy_bits: f64,
    entropy: u64,
    strength: &'static str,
    compliance: Option<&'static str>,
    quantum: bool,
    tier: &'a str,
    generated: String,
    audit: Audit,
}

/// How and when a generation was made, as every generate response reports it (each in its own
/// shape).
pub struct Stamp {
    /// RFC 3339 with milliseconds, UTC.
    pub generated: String,
    /// The randomness.
    pub entropy_source: &'static str,
    /// The pool's make-up.
    pub character_pool: String,
    /// The standard's clause, or the site's rules, the passwords follow.
    pub policy: Option<String>,
}

impl Stamp {
    /// The stamp of `plan`'s generation, now.
    pub fn of(plan: &GenerationPlan) -> Stamp {
        Stamp {
            generated: timestamp(SystemTime::now()),
            entropy_source: random::ENTROPY_SOURCE,
            character_pool: plan.character_pool(),
            policy: match plan.passwordrules() {
                Some(text) => Some(generate::sites::describe_rules(plan.site(), text)),
                None => plan.compliance.map(|p| p.clause().to_owned()),
            },
        }
    }
}

/// `time` as the responses write it: RFC 3339 with milliseconds (`2026-11-25T00:00:00.000Z`).
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

#[derive(Serialize)]
struct Audit {
    entropy_source: &'static str,
    character_pool: String,
    policy: Option<String>,
    client_side: bool,
    server_contact: bool,
}

impl Generation {
    /// The response: JSON, or CSV when the request asked for it.
    fn render(&self) -> Response<Body> {
        match self.csv() {
            Some(body) => response::with_body(StatusCode::OK, response::CSV, body),
            None => response::json_body(StatusCode::OK, &self.body()),
        }
    }

    /// The CSV document when `format` asked for one (RFC 4180: CRLF line ends, the header row
    /// too).
    pub fn csv(&self) -> Option<String> {
        let field = match self.plan.format {
            Format::Json => return None,
            Format::Csv => csv_field as fn(&str) -> String,
            Format::CsvSpreadsheet => response::spreadsheet_field as fn(&str) -> String,
        };
        let mut body = String::from("password\r\n");
        for p in &self.passwords {
            body.push_str(&field(p));
            body.push_str("\r\n");
        }
        Some(body)
    }

    /// The JSON body (openapi.yaml's `Generated`).
    pub fn body(&self) -> impl Serialize + '_ {
        let plan = &self.plan;
        let bits = plan.entropy_bits();
        let stamp = Stamp::of(plan);
        Generated {
            password: &self.passwords[0],
            passwords: &self.passwords,
            count: plan.count,
            length: plan.length(),
            words: plan.words(),
            mode: plan.mode.name(),
            charset_size: plan.charset_size(),
            entropy_bits: generate::reported_bits(bits),
            entropy: bits.floor() as u64,
            strength: generate::strength(bits),
            compliance: plan.compliance.map(Preset::name),
            quantum: plan.quantum,
            tier: &self.plan_name,
            generated: stamp.generated,
            audit: Audit {
                entropy_source: stamp.entropy_source,
                character_pool: stamp.character_pool,
                policy: stamp.policy,
                client_side: false,
                server_contact: true,
            },
        }
    }
}
