//! TinyFn's `GET /v1/generate/password`: its query parameters (`length`, the four class toggles,
//! `exclude`), the key in `X-API-Key`, and its response (`password`, `length`, `entropy_bits`,
//! `strength`). Its errors are the native ones (TinyFn documents none).

use super::super::error::ApiError;
use super::super::generate;
use super::super::params::Params;
use super::super::request::Call;
use super::super::{App, auth, metered, registry, response};
use super::length_within;
use crate::generate::{GenerateRequest, strength};
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::json;
use std::ops::RangeInclusive;

/// The query parameters TinyFn documents (the registry's form of the route).
pub const PARAMS: &[&str] = registry::TINYFN.forms().query;
/// TinyFn's table says 8–128; its own PIN example asks for 6, so the floor is the native 4.
pub const LENGTH_RANGE: RangeInclusive<u32> = 4..=128;
/// TinyFn's default length.
pub const DEFAULT_LENGTH: u32 = 16;

/// `GET /v1/generate/password`.
pub async fn serve(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let call = Call::parse(request, &registry::TINYFN.route)?;
    let params = Params::query(call.query.clone(), PARAMS)?;
    let credential = auth::credential(&call, None)?;
    let caller = app.identify(&credential).await?;
    let read = |p: &Params| -> Result<GenerateRequest, ApiError> {
        Ok(GenerateRequest {
            length: Some(length_within(p, LENGTH_RANGE, DEFAULT_LENGTH)?),
            uppercase: p.boolean("uppercase")?,
            lowercase: p.boolean("lowercase")?,
            numbers: p.boolean("numbers")?,
            symbols: p.boolean("symbols")?,
            exclude: p.string("exclude")?,
            ..GenerateRequest::default()
        })
    };
    let (generation, rate) = generate::run_request(app, &caller, || read(&params)).await?;
    let bits = generation.plan.entropy_bits();
    let body = json!({
        "password": generation.passwords[0],
        "length": generation.plan.length(),
        "entropy_bits": crate::generate::reported_bits(bits),
        "strength": strength(bits),
    });
    Ok(metered(response::json_body(StatusCode::OK, &body), &rate))
}
