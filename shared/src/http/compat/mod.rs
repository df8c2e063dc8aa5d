//! Drop-in routes for the hosted services passwordapi replaces, so that their clients work by
//! changing the base URL and the key. Each reads its service's documented request into a
//! [`GenerateRequest`](crate::generate::GenerateRequest), runs it through the same policy, quota
//! and generator as `/v1/generate` ([`generate::run_request`](super::generate::run_request)), and
//! writes the answer, and its refusals, as that service documents them. README's "Moving from …"
//! sections list every difference a client could notice.

pub mod bunny;
pub mod passgeni;
pub mod tinyfn;

use super::error::ApiError;
use super::params::Params;
use std::ops::RangeInclusive;
use std::time::{Duration, SystemTime};

/// `length` within a service's documented range, `default` when not sent.
fn length_within(
    params: &Params,
    range: RangeInclusive<u32>,
    default: u32,
) -> Result<u32, ApiError> {
    let length = params.whole("length")?.unwrap_or(default);
    Ok(crate::generate::within("length", length, &range)?)
}

/// A Unix time in milliseconds as the responses write times (`2026-11-25T00:00:00.000Z`).
fn rfc3339_ms(ms: i64) -> String {
    super::generate::timestamp(SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64))
}
