//! The one place API Gateway requests become typed requests and domain results become responses.
//!
//! Every endpoint follows the same pipeline: [`request::Call::parse`] (route, method, body) →
//! parameters ([`params::Params`]) → credential ([`auth::credential`]) → [`App::identify`] (tier) →
//! domain validation → [`App::admit`] (metering) → domain work → response. Errors at any step become
//! `{error, message, param}` responses in [`respond`].

pub mod auth;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod params;
pub mod request;
pub mod response;

use crate::config::Config;
use crate::quota::Tier;
use auth::Credential;
use error::ApiError;
use lambda_http::http::Response;
use lambda_http::{Body, Request, RequestExt};
use std::time::Instant;

/// What a function holds for its lifetime: configuration now, clients as they arrive.
#[derive(Clone, Debug)]
pub struct App {
    /// Configuration read at start-up.
    pub config: Config,
}

/// An identified caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The caller's tier.
    pub tier: Tier,
    /// Largest `count` allowed.
    pub max_count: u32,
}

impl App {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<App, crate::config::ConfigError> {
        Ok(App {
            config: Config::from_env()?,
        })
    }

    /// Resolves a credential to a caller. No key registry exists yet, so every well-formed key is
    /// unknown (`API_KEY_NOT_FOUND`) rather than silently treated as anonymous.
    pub fn identify(&self, credential: &Credential) -> Result<Caller, ApiError> {
        match credential {
            Credential::Anonymous { .. } => {
                let tier = Tier::Anonymous;
                Ok(Caller {
                    tier,
                    max_count: tier.limits(&self.config).max_count,
                })
            }
            Credential::ApiKey(_) => Err(ApiError::unauthorized(
                "API_KEY_NOT_FOUND",
                "this API key is not registered",
            )),
        }
    }

    /// The metering step, run after validation so that rejected requests never count. Daily
    /// counters are not kept yet: every validated request is admitted.
    pub fn admit(&self, _caller: &Caller) -> Result<(), ApiError> {
        Ok(())
    }
}

/// Turns an endpoint's result into the response, and logs the request without its content.
pub fn respond(
    request: &Request,
    started: Instant,
    result: Result<Response<Body>, ApiError>,
) -> Response<Body> {
    let response = result.unwrap_or_else(|e| e.to_response());
    tracing::info!(
        method = %request.method(),
        path = request.raw_http_path(),
        status = response.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}
