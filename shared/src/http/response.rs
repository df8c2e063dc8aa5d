//! Responses: JSON or CSV bodies with the headers every response carries.

use super::error::ApiError;
use lambda_http::Body;
use lambda_http::http::{Response, StatusCode};
use serde::Serialize;

/// JSON content type.
pub const JSON: &str = "application/json; charset=utf-8";
/// CSV content type.
pub const CSV: &str = "text/csv; charset=utf-8; header=present";

/// A response without a body, with the headers every response carries
/// (`Cache-Control: no-store`: passwords and keys must never sit in a cache).
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        "cache-control",
        "no-store".parse().expect("static header value"),
    );
    headers.insert(
        "x-content-type-options",
        "nosniff".parse().expect("static header value"),
    );
    response
}

/// A response with `content_type` and the headers every response carries.
pub fn with_body(status: StatusCode, content_type: &str, body: String) -> Response<Body> {
    let mut response = empty(status);
    *response.body_mut() = Body::Text(body);
    response.headers_mut().insert(
        "content-type",
        content_type.parse().expect("static header value"),
    );
    response
}

/// A JSON response.
pub fn json_body(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    match serde_json::to_string(body) {
        Ok(text) => with_body(status, JSON, text),
        Err(e) => {
            tracing::error!(error = %e, "response did not serialise");
            internal_error()
        }
    }
}

fn internal_error() -> Response<Body> {
    ApiError::internal().to_response()
}

impl ApiError {
    /// The error as a JSON response.
    pub fn to_response(&self) -> Response<Body> {
        let mut response = with_body(self.status, JSON, self.body().to_string());
        add_headers(&mut response, &self.headers);
        response
    }
}

/// Adds `headers` to `response`.
pub fn add_headers(response: &mut Response<Body>, headers: &[(&'static str, String)]) {
    for (name, value) in headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(*name, value);
        }
    }
}

/// One CSV field as RFC 4180 writes it: always quoted, quotes doubled. Any CSV reader gives back
/// exactly `value`.
pub fn csv_field(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// Characters that make a spreadsheet read a cell as a formula when they begin it: OWASP's list
/// (`=`, `+`, `-`, `@`, tab, carriage return) and the look-alikes some spreadsheets normalise to
/// them (full-width `＝ ＋ － ＠`, the minus sign `−`, the small `﹢ ﹣`).
pub const FORMULA_STARTS: [char; 13] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '\u{2212}',
    '\u{FE62}', '\u{FE63}',
];

/// [`csv_field`] for a spreadsheet: a value that begins with one of [`FORMULA_STARTS`] gets a
/// leading apostrophe, which marks the cell as text (and is part of the field for a CSV reader).
pub fn spreadsheet_field(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        csv_field(&format!("'{value}"))
    } else {
        csv_field(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_always_quoted() {
        assert_eq!(csv_field("abc"), "\"abc\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_field("=1+1"), "\"=1+1\"");
        assert_eq!(spreadsheet_field("=1+1"), "\"'=1+1\"");
        assert_eq!(spreadsheet_field("-\"x"), "\"'-\"\"x\"");
        assert_eq!(spreadsheet_field("a=1"), "\"a=1\"");
    }
}
