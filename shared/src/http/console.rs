//! `GET /` (and `/index.html`): the console, one self-contained page (its CSS and script inline,
//! nothing from any other origin) that calls the API of the origin it is served from; and
//! `GET /openapi.yaml`: the contract it links to.
//!
//! The page is served with a Content-Security-Policy that lets it load nothing and connect
//! nowhere but its own origin: its inline style and script are allowed by their SHA-256 hashes,
//! computed once from the page itself. The endpoints and error codes its reference lists come
//! from the registry and `ErrorCode`, injected as a JSON data block.

use super::error::{ApiError, ErrorCode};
use super::registry::{self, Auth};
use super::request::{self, Call};
use super::response;
use base64::Engine;
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const PAGE: &str = include_str!("console.html");
/// The contract, as the repository holds it.
pub const OPENAPI: &str = include_str!("../../../openapi.yaml");

/// The page with its data block filled in, and the policy that allows exactly its inline code.
pub struct Console {
    /// The HTML.
    pub html: String,
    /// The `Content-Security-Policy` header.
    pub csp: String,
}

/// The console, built once.
pub fn console() -> &'static Console {
    static CONSOLE: OnceLock<Console> = OnceLock::new();
    CONSOLE.get_or_init(|| {
        let endpoints: Vec<_> = registry::ENDPOINTS
            .iter()
            .map(|e| {
                json!({
                    "path": e.route.path,
                    "methods": e.route.methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                    "summary": match (e.metered, e.auth) {
                        (true, Auth::Key) => "Metered; needs a key.",
                        (true, _) => "Metered; a key, or the anonymous daily quota.",
                        (false, Auth::Key) => "Not metered; needs a key.",
                        (false, _) => "Not metered; no key.",
                    },
                })
            })
            .collect();
        let errors: Vec<_> = ErrorCode::ALL
            .iter()
            .map(|c| json!({"code": c.as_str(), "status": c.status().as_u16()}))
            .collect();
        // `</` cannot end the data block early.
        let data = json!({"endpoints": endpoints, "errors": errors})
            .to_string()
            .replace("</", "<\\/");
        // The known sites for the picker: domains are letters, digits, dots and hyphens.
        let sites: String = crate::generate::sites::domains()
            .chain(crate::generate::sites::shared_domains())
            .map(|d| format!("<option value=\"{d}\">"))
            .collect();
        let html = PAGE
            .replace("{{REGISTRY}}", &data)
            .replace("{{SITES}}", &sites);
        let hash = |text: &str| {
            let digest = Sha256::digest(text.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        };
        let style = between(&html, "<style>", "</style>");
        let script = between(&html, "<script>", "</script>");
        let csp = format!(
            "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; \
             img-src 'self' data: blob:; form-action 'none'; base-uri 'none'; \
             frame-ancestors 'none'",
            hash(script),
            hash(style)
        );
        Console { html, csp }
    })
}

/// The text between the first `open` and the `close` after it.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).expect("the page has the block") + open.len();
    let end = start + text[start..].find(close).expect("the block ends");
    &text[start..end]
}

/// `GET /` and `/index.html`: the page, with the policy that allows exactly its inline code.
pub fn serve_page(request: &Request, route: &request::Route) -> Result<Response<Body>, ApiError> {
    no_query(request, route)?;
    let console = console();
    let mut page = response::with_body(
        StatusCode::OK,
        "text/html; charset=utf-8",
        console.html.clone(),
    );
    response::add_headers(
        &mut page,
        &[("content-security-policy", console.csp.clone())],
    );
    Ok(with_page_headers(page))
}

/// `GET /openapi.yaml`: the contract.
pub fn serve_contract(
    request: &Request,
    route: &request::Route,
) -> Result<Response<Body>, ApiError> {
    no_query(request, route)?;
    let contract = response::with_body(
        StatusCode::OK,
        "application/yaml; charset=utf-8",
        OPENAPI.to_owned(),
    );
    Ok(with_page_headers(contract))
}

fn no_query(request: &Request, route: &request::Route) -> Result<(), ApiError> {
    Call::parse(request, route)?.no_query()
}

fn with_page_headers(mut response: Response<Body>) -> Response<Body> {
    response::add_headers(
        &mut response,
        &[
            ("x-content-type-options", "nosniff".to_owned()),
            ("referrer-policy", "no-referrer".to_owned()),
        ],
    );
    response
}
