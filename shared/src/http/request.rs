//! From an API Gateway HTTP API request to a [`Call`]: route and method checked, body bounded and
//! decoded, query string parsed, the client's source IP taken from the request context.

use super::error::ApiError;
use lambda_http::http::{HeaderMap, Method};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use serde_json::{Map, Value};
use std::net::IpAddr;

/// Largest accepted body.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A path one function serves and the methods it answers.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// Path as API Gateway routes it, e.g. `/v1/generate`.
    pub path: &'static str,
    /// Methods answered; every other method gets 405 with `Allow`.
    pub methods: &'static [Method],
}

impl Route {
    /// The methods of the `Allow` header: the route's, and `OPTIONS` (CORS preflight).
    pub fn allow(&self) -> Vec<&'static str> {
        let mut allow: Vec<&'static str> = self.methods.iter().map(Method::as_str).collect();
        allow.push("OPTIONS");
        allow
    }

    /// Whether `request` is a preflight (`OPTIONS`) for this route.
    pub fn is_preflight(&self, request: &Request) -> bool {
        request.method() == Method::OPTIONS && path(request) == self.path
    }
}

/// The request's path as API Gateway routed it (the URI's when the event carries none), without
/// a trailing slash: API Gateway routes `/a/` as `/a`, and so do we (a client documented to call
/// `/mcp/generate/` reaches `/mcp/generate`).
pub fn path(request: &Request) -> &str {
    routed(match request.raw_http_path() {
        "" => request.uri().path(),
        raw => raw,
    })
}

/// `path` as routed: without one trailing slash (`/` itself stays).
pub fn routed(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => path,
    }
}

/// A request accepted by its route: method known, body within bounds.
pub struct Call {
    /// The method (one of the route's).
    pub method: Method,
    /// Request headers.
    pub headers: HeaderMap,
    /// Query string pairs, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// The body as text (`None` when empty).
    body: Option<String>,
    /// Client address from the API Gateway request context (never from `X-Forwarded-For`).
    pub source_ip: Option<IpAddr>,
}

impl std::fmt::Debug for Call {
    // Headers carry keys, the query and body passwords, emails and rules: only their shape shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.headers.keys().map(|n| n.as_str()).collect();
        let query_names: Vec<&str> = self.query.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("header_names", &header_names)
            .field("query_names", &query_names)
            .field("body_bytes", &self.body.as_ref().map_or(0, String::len))
            .field("source_ip", &self.source_ip)
            .finish()
    }
}

impl Call {
    /// Refuses a query string on an endpoint that reads none (`UNKNOWN_PARAMETER` naming the
    /// first parameter).
    pub fn no_query(&self) -> Result<(), ApiError> {
        match self.query.first() {
            Some((name, _)) => Err(ApiError::unknown_parameter(name)),
            None => Ok(()),
        }
    }

    /// Checks path, method and body size, and decodes the body as UTF-8.
    pub fn parse(request: &Request, route: &Route) -> Result<Call, ApiError> {
        let path = path(request);
        if path != route.path {
            return Err(ApiError::not_found(path));
        }
        if !route.methods.contains(request.method()) {
            return Err(ApiError::method_not_allowed(
                request.method().as_str(),
                &route.allow(),
            ));
        }
        let bytes: &[u8] = match request.body() {
            Body::Empty => &[],
            Body::Text(text) => text.as_bytes(),
            Body::Binary(bytes) => bytes,
            _ => &[],
        };
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
        }
        let body = match std::str::from_utf8(bytes) {
            // Only zero bytes is no body: whitespace alone is not a JSON document.
            Ok("") => None,
            Ok(text) => Some(text.to_string()),
            Err(_) => return Err(ApiError::invalid_json("the body is not valid UTF-8")),
        };
        let query = request
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let source_ip = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context
                .http
                .source_ip
                .as_deref()
                .and_then(|ip| ip.parse().ok()),
            _ => None,
        };
        Ok(Call {
            method: request.method().clone(),
            headers: request.headers().clone(),
            query,
            body,
            source_ip,
        })
    }

    /// The body as text (`""` when there is none).
    pub fn body(&self) -> &str {
        self.body.as_deref().unwrap_or("")
    }

    /// The body as a JSON object; an empty body is `{}` when `optional`, an error otherwise.
    pub fn json_object(&self, optional: bool) -> Result<Map<String, Value>, ApiError> {
        let Some(text) = &self.body else {
            return if optional {
                Ok(Map::new())
            } else {
                Err(ApiError::invalid_json("a JSON object body is required"))
            };
        };
        match serde_json::from_str::<Value>(text) {
            // serde_json keeps the last of repeated keys; a request that says two things is refused.
            Ok(Value::Object(_)) => serde_json::from_str::<UniqueKeys>(text)
                .map(|object| object.0)
                .map_err(|e| ApiError::invalid_json(format!("the body is not valid: {e}"))),
            Ok(_) => Err(ApiError::invalid_json("the body must be a JSON object")),
            Err(e) => Err(ApiError::invalid_json(format!(
                "the body is not valid JSON ({e})"
            ))),
        }
    }
}

/// A JSON object whose keys are all distinct.
struct UniqueKeys(Map<String, Value>);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = UniqueKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<UniqueKeys, A::Error> {
                let mut map = Map::new();
                while let Some(key) = access.next_key::<String>()? {
                    if map.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("{key:?} appears twice")));
                    }
                    let value = access.next_value()?;
                    map.insert(key, value);
                }
                Ok(UniqueKeys(map))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}
