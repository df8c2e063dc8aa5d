//! Bunny's `POST /api/v1/random-password/generate`: `X-API-Key` required, its body fields
//! (`length` 4–256, default 16; the four class toggles, `symbols` off unless asked, lower case
//! and digits when no class is named), its response (`password`, `length`, `charset_size`, and
//! `entropy_bits` by its documented formula, `floor(log2(charset_size) × length)`, with the exact
//! figure beside it in `entropy_bits_exact`), and its `{"detail": …}` errors (422 for invalid
//! parameters).

use super::super::error::{ApiError, ErrorCode};
use super::super::generate;
use super::super::params::Params;
use super::super::request::Call;
use super::super::{App, auth, metered, registry, response};
use super::length_within;
use crate::admission::Credential;
use crate::generate::GenerateRequest;
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::json;
use std::ops::RangeInclusive;

/// The body fields Bunny documents (the registry's form of the route).
pub const PARAMS: &[&str] = registry::BUNNY.forms().body;
/// Bunny's length range (its request table and details; a 422 example says 128).
pub const LENGTH_RANGE: RangeInclusive<u32> = 4..=256;
/// Bunny's default length.
pub const DEFAULT_LENGTH: u32 = 16;
/// Bunny's 401 when no key is sent.
pub const MISSING_KEY: &str = "Missing API key. Include X-API-Key header.";

/// `POST /api/v1/random-password/generate`.
pub async fn serve(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::BUNNY.route)?;
    let credential = auth::credential(&call, None)?;
    if let Credential::Anonymous { .. } = credential {
        return Err(ApiError::new(ErrorCode::MissingAuthHeader, MISSING_KEY));
    }
    let caller = app.identify(&credential).await?;
    let read = || -> Result<GenerateRequest, ApiError> {
        call.no_query()?;
        let p = Params::json(call.json_object(true)?, PARAMS)?;
        let toggles = ["uppercase", "lowercase", "numbers", "symbols"];
        let named = toggles
            .iter()
            .any(|t| p.boolean(t).ok().flatten().is_some());
        // No class named: lower case and digits. Otherwise each toggle's own default.
        let class = |name: &str, default: bool| -> Result<Option<bool>, ApiError> {
            Ok(Some(p.boolean(name)?.unwrap_or(default && named)))
        };
        Ok(GenerateRequest {
            length: Some(length_within(&p, LENGTH_RANGE, DEFAULT_LENGTH)?),
            uppercase: class("uppercase", true)?,
            lowercase: Some(p.boolean("lowercase")?.unwrap_or(true)),
            numbers: Some(p.boolean("numbers")?.unwrap_or(true)),
            symbols: class("symbols", false)?,
            ..GenerateRequest::default()
        })
    };
    let (generation, rate) = generate::run_request(app, &caller, read).await?;
    let plan = &generation.plan;
    let length = plan.length().unwrap_or(0);
    let charset_size = plan.charset_size();
    let body = json!({
        "password": generation.passwords[0],
        "length": length,
        "charset_size": charset_size,
        "entropy_bits": ((charset_size as f64).log2() * f64::from(length)).floor() as u64,
        "entropy_bits_exact": crate::generate::reported_bits(plan.entropy_bits()),
    });
    Ok(metered(response::json_body(StatusCode::OK, &body), &rate))
}

/// `{"detail": message}` with the native status, except that a refused parameter or body is
/// Bunny's 422, a full month its 402 "Monthly quota exceeded. Upgrade your plan.", and a 429
/// says when to try again.
pub fn render_error(error: &ApiError) -> Response<Body> {
    let status = match error.code {
        ErrorCode::InvalidParameter | ErrorCode::UnknownParameter | ErrorCode::InvalidJsonBody => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorCode::MonthlyLimitExceeded => StatusCode::PAYMENT_REQUIRED,
        _ => error.status,
    };
    let retry = error
        .headers
        .iter()
        .find(|(name, _)| *name == "retry-after")
        .map(|(_, v)| v.clone());
    let detail = match (status, retry) {
        (StatusCode::TOO_MANY_REQUESTS, Some(seconds)) => {
            format!("Rate limit exceeded. Try again in {seconds} seconds.")
        }
        (StatusCode::PAYMENT_REQUIRED, _) => {
            "Monthly quota exceeded. Upgrade your plan.".to_owned()
        }
        _ => error.message.clone(),
    };
    let mut body = json!({"detail": detail, "error": error.code.as_str()});
    if let Some(param) = &error.param {
        body["param"] = json!(param);
    }
    let mut response = response::json_body(status, &body);
    response::add_headers(&mut response, &error.headers);
    response
}
