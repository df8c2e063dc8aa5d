//! PassGeni's `POST /api/v1/generate`: its body fields (`apiKey`, `profession`, `length` 8–32,
//! `count`, `compliance`, `mode`, `quantum`), its defaults (`{}`: one 18-character password,
//! profession `developer`), its response (`passwords`, `entropy`, `tier` `free`/`team`, a
//! camelCase `audit`), its rate-limit headers, and its 429 body (`error`, `limit`, `resetAt`).

use super::super::error::ApiError;
use super::super::generate::{self, Generation, Stamp};
use super::super::params::Params;
use super::super::request::Call;
use super::super::{App, auth, metered, registry, response};
use super::{length_within, rfc3339_ms};
use crate::generate::{DEFAULT_LENGTH, GenerateRequest, Mode, Preset, Profession};
use crate::plan;
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;
use serde_json::json;
use std::ops::RangeInclusive;

/// The body fields PassGeni documents (the registry's form of the route).
pub const PARAMS: &[&str] = registry::PASSGENI.forms().body;
/// PassGeni's `length` range (presets and `quantum` may raise it further).
pub const LENGTH_RANGE: RangeInclusive<u32> = 8..=32;
/// PassGeni's default profession: every password embeds one of its words.
pub const DEFAULT_PROFESSION: Profession = Profession::Developer;

/// `POST /api/v1/generate`.
pub async fn serve(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::PASSGENI.route)?;
    call.no_query()?;
    let params = Params::json(call.json_object(true)?, PARAMS)?;
    let credential = auth::credential(&call, params.string("apiKey")?)?;
    let caller = app.identify(&credential).await?;
    let (generation, rate) = generate::run_request(app, &caller, || read(&params)).await?;
    let body = body(&generation);
    Ok(metered(response::json_body(StatusCode::OK, &body), &rate))
}

/// PassGeni's fields as a generate request. `length` is a password's: a passphrase ignores it.
fn read(p: &Params) -> Result<GenerateRequest, ApiError> {
    // PassGeni's two modes: the drop-in route stays as the service documents it.
    let mode = p.choice("mode", &["password", "passphrase"], |m| {
        Mode::parse(m).filter(|m| *m != Mode::Username)
    })?;
    let length = length_within(p, LENGTH_RANGE, DEFAULT_LENGTH)?;
    let profession = p.choice(
        "profession",
        &Profession::ALL.map(Profession::name),
        Profession::parse,
    )?;
    Ok(GenerateRequest {
        length: (mode != Some(Mode::Passphrase)).then_some(length),
        count: p.whole("count")?,
        compliance: p.choice("compliance", &Preset::ALL.map(Preset::name), Preset::parse)?,
        quantum: p.boolean("quantum")?,
        mode,
        profession: Some(profession.unwrap_or(DEFAULT_PROFESSION)),
        ..GenerateRequest::default()
    })
}

#[derive(Serialize)]
struct Generated<'a> {
    passwords: &'a [String],
    count: u32,
    entropy: u64,
    length: usize,
    compliance: Option<&'static str>,
    mode: &'static str,
    quantum: bool,
    tier: &'static str,
    generated: String,
    audit: Audit,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Audit {
    entropy_source: &'static str,
    character_pool: String,
    client_side: bool,
    server_contact: bool,
}

fn body(generation: &Generation) -> Generated<'_> {
    let plan = &generation.plan;
    let stamp = Stamp::of(plan);
    Generated {
        passwords: &generation.passwords,
        count: plan.count,
        entropy: plan.entropy_bits().floor() as u64,
        // A password's characters (a passphrase's too: PassGeni has no word count).
        length: generation.passwords[0].chars().count(),
        compliance: plan.compliance.map(Preset::name),
        mode: plan.mode.name(),
        quantum: plan.quantum,
        // PassGeni's two plans: its free tier (anonymous callers and free keys), or a paid
        // plan (team, or any plan an operator added).
        tier: if [plan::ANONYMOUS, plan::FREE].contains(&generation.plan_name.as_str()) {
            "free"
        } else {
            "team"
        },
        generated: stamp.generated,
        audit: Audit {
            entropy_source: stamp.entropy_source,
            character_pool: stamp.character_pool,
            client_side: false,
            server_contact: true,
        },
    }
}

/// The native error body, except 429: PassGeni's `{"error": "Rate limit exceeded", "limit",
/// "resetAt"}` (with the native `code` and `message` beside them).
pub fn render_error(error: &ApiError) -> Response<Body> {
    if error.status != StatusCode::TOO_MANY_REQUESTS {
        return error.to_response();
    }
    let field = |name: &str| {
        error
            .fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = json!({
        "error": "Rate limit exceeded",
        "code": error.code.as_str(),
        "message": error.message,
    });
    if let Some(limit) = field("limit") {
        body["limit"] = limit;
    }
    if let Some(reset) = field("reset_at").and_then(|v| v.as_i64()) {
        body["resetAt"] = json!(rfc3339_ms(reset));
    }
    let mut response = response::json_body(error.status, &body);
    response::add_headers(&mut response, &error.headers);
    response
}
