//! The HaveIBeenPwned Pwned Passwords range API as a [`BreachSource`]: `GET {base}/range/{prefix}`
//! with `Add-Padding: true` (so the response size does not hint at the prefix), a User-Agent naming
//! the product, and a short overall timeout so a slow source costs at most [`HibpClient::TIMEOUT`].
//!
//! A source is trusted with nothing: only `https://` (plain `http://` only to a loopback host, for
//! tests and local mirrors), no redirects followed, and a range of at most [`MAX_BODY_BYTES`] and
//! [`MAX_RANGE_LINES`](super::breach::MAX_RANGE_LINES) lines (a real padded range is ~40 KB, 800–1,000 lines), so that 256 cached
//! ranges stay within ~25 MB whatever a mirror sends.

use super::breach::{BreachError, BreachSource, Origin, Provenance, Range, Sourced};
use std::time::Duration;

/// The product's User-Agent, as the range API asks of its clients.
pub const USER_AGENT: &str = concat!("passwordapi/", env!("CARGO_PKG_VERSION"), " (self-hosted)");

/// Largest range body read (a padded range is ~40 KB).
pub const MAX_BODY_BYTES: usize = 96 * 1024;

/// Whether `base_url` may be asked: `https://`, or `http://` to a loopback host.
pub fn allowed_base_url(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    // The parsed host: domains lower-cased, IPv6 addresses in brackets.
    match (url.scheme(), url.host_str()) {
        ("https", Some(_)) => true,
        ("http", Some(host)) => {
            host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

/// A range API client, built once per process. Its HTTP client (rustls, with the platform's root
/// certificates: ~4 ms of CPU, `make bench`) is made on the first breach check, not during init:
/// the first check opens a TLS connection anyway, and a cold start that only serves `hibp=false`
/// or cached ranges never pays for it.
#[derive(Debug)]
pub struct HibpClient {
    base_url: String,
    http: std::sync::OnceLock<reqwest::Client>,
}

impl HibpClient {
    /// Whole-request deadline: connection, request and body.
    pub const TIMEOUT: Duration = Duration::from_millis(1500);

    /// A client for the range API at `base_url` (no trailing slash).
    pub fn new(base_url: &str) -> HibpClient {
        HibpClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: std::sync::OnceLock::new(),
        }
    }

    /// The range API's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn http(&self) -> Result<&reqwest::Client, BreachError> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let http = crate::net::client_builder()
            .user_agent(USER_AGENT)
            .timeout(Self::TIMEOUT)
            .connect_timeout(Duration::from_millis(1000))
            .build()
            .map_err(|e| BreachError::Unreachable(format!("HTTP client: {e}")))?;
        Ok(self.http.get_or_init(|| http))
    }

    async fn fetch(&self, prefix: &str) -> Result<String, BreachError> {
        match self.request(prefix, true, None).await? {
            Fetched::Range { body, .. } => Ok(body),
            Fetched::NotModified => Err(BreachError::BadResponse("status 304".into())),
        }
    }

    /// `prefix`'s range for the mirror: without padding (every range is fetched, so no padding
    /// hides which), and with `If-None-Match: etag` when a copy is held, which an unchanged
    /// range answers with 304 and no body.
    pub async fn fetch_for_mirror(
        &self,
        prefix: &str,
        etag: Option<&str>,
    ) -> Result<Fetched, BreachError> {
        self.request(prefix, false, etag).await
    }

    async fn request(
        &self,
        prefix: &str,
        padding: bool,
        etag: Option<&str>,
    ) -> Result<Fetched, BreachError> {
        if !allowed_base_url(&self.base_url) {
            return Err(BreachError::Unreachable(
                "the breach source must be https:// (http:// only on loopback)".into(),
            ));
        }
        let unreachable = |e: reqwest::Error| {
            // Without the URL: it carries the prefix, which is not for the logs either.
            BreachError::Unreachable(e.without_url().to_string())
        };
        let mut request = self
            .http()?
            .get(format!("{}/range/{prefix}", self.base_url));
        if padding {
            request = request.header("Add-Padding", "true");
        }
        if let Some(etag) = etag {
            request = request.header("If-None-Match", etag);
        }
        let mut response = request.send().await.map_err(unreachable)?;
        if etag.is_some() && response.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !response.status().is_success() {
            return Err(BreachError::BadResponse(format!(
                "status {}",
                response.status().as_u16()
            )));
        }
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(BreachError::BadResponse("range body too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body)
            .map_err(|_| BreachError::BadResponse("range body not UTF-8".into()))?;
        Ok(Fetched::Range { body, etag })
    }
}

/// A range fetched for the mirror.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// The held copy is current (304).
    NotModified,
    /// The range's body and its `ETag`, if the upstream sent one.
    Range {
        /// As served.
        body: String,
        /// The upstream's `ETag`.
        etag: Option<String>,
    },
}

impl BreachSource for HibpClient {
    async fn range(&self, prefix: &str) -> Result<Sourced, BreachError> {
        Ok(Sourced {
            range: Range::parse(&self.fetch(prefix).await?)?,
            provenance: Provenance {
                origin: Origin::Upstream,
                fetched_at: Some(std::time::SystemTime::now()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://api.pwnedpasswords.com",
            "https://mirror.example.com:8443",
            "http://127.0.0.1:9",
            "http://127.8.9.10",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(allowed_base_url(ok), "{ok}");
        }
        for bad in [
            "http://api.pwnedpasswords.com",
            "http://10.0.0.1:80",
            "http://127.0.0.1.example.com",
            "http://localhost.example.com",
            "http://[::2]:80",
            "ftp://127.0.0.1",
            "127.0.0.1",
        ] {
            assert!(!allowed_base_url(bad), "{bad}");
        }
    }
}
