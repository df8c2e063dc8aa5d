//! Cross-origin access, exactly as the deployed API grants it: API Gateway's
//! `CorsConfiguration` (template.yaml) for the origins of `ALLOWED_ORIGINS`, and nothing for any
//! other origin. Deployed, API Gateway answers for it (and ignores these headers); under
//! `cargo lambda watch`, whose own permissive CORS is turned off (it reflected every origin with
//! credentials), the functions add the same headers, so a local API lets no other web page read
//! it unless `ALLOWED_ORIGINS` says so. A test holds these lists to the template's.

use crate::config;
use lambda_http::Request;
use lambda_http::http::header::ORIGIN;
use std::sync::OnceLock;

/// `AllowMethods`.
pub const ALLOW_METHODS: &[&str] = &["GET", "POST", "PUT", "OPTIONS"];
/// `AllowHeaders`.
pub const ALLOW_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "x-api-key",
    "idempotency-key",
    "mcp-protocol-version",
    "mcp-method",
    "mcp-name",
];
/// `ExposeHeaders`.
pub const EXPOSE_HEADERS: &[&str] = &[
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
];
/// `MaxAge`, seconds.
pub const MAX_AGE_S: u32 = 600;

/// The origins this process grants (`ALLOWED_ORIGINS`, read once; `*`: any).
pub fn process_origins() -> &'static [String] {
    static ORIGINS: OnceLock<Vec<String>> = OnceLock::new();
    ORIGINS.get_or_init(|| {
        std::env::var("ALLOWED_ORIGINS")
            .map(|v| config::parse_origins(&v))
            .unwrap_or_default()
    })
}

/// Whether `origin` (as a browser sends it) is one of `allowed` (`*`: any), compared as
/// `ALLOWED_ORIGINS` is read: without a trailing `/`, lower-cased.
pub fn allows(allowed: &[String], origin: &str) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    allowed.iter().any(|a| a == "*" || *a == origin)
}

/// The CORS headers for `request` when its `Origin` is one of `allowed` (none otherwise, and
/// never `Access-Control-Allow-Credentials`): a preflight gets the methods, headers and max age.
pub fn headers(
    allowed: &[String],
    request: &Request,
    preflight: bool,
) -> Vec<(&'static str, String)> {
    let Some(origin) = request.headers().get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Vec::new();
    };
    if !allows(allowed, origin) {
        return Vec::new();
    }
    let mut headers = vec![
        ("access-control-allow-origin", origin.to_owned()),
        ("vary", "origin".to_owned()),
    ];
    if preflight {
        headers.push(("access-control-allow-methods", ALLOW_METHODS.join(",")));
        headers.push(("access-control-allow-headers", ALLOW_HEADERS.join(",")));
        headers.push(("access-control-max-age", MAX_AGE_S.to_string()));
    } else {
        headers.push(("access-control-expose-headers", EXPOSE_HEADERS.join(",")));
    }
    headers
}
