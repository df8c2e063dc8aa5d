//! `POST /mcp`: the MCP server, on the official Rust SDK's Streamable HTTP transport (`rmcp`),
//! stateless: every POST is answered on its own with a JSON response, no session is kept.
//!
//! The request goes through the same pipeline as every endpoint first ([`super::handle`]: route,
//! method, body bound, the one log line), then: the browser `Origin` is checked against the
//! deployment's allowed origins (DNS-rebinding protection), the caller is identified from the HTTP
//! headers exactly as REST does (a wrong key is the same 401), and the request is handed to
//! rmcp with the caller attached. A `tools/call` runs the REST endpoint's own work
//! ([`tools::ToolName::call`]), so it is metered, bounded and refused as REST is; a refusal becomes a
//! tool result with `isError` carrying the REST error body. The HTTP response carries the usual
//! headers and, after a metered call, the caller's `X-RateLimit-*`.

pub mod conformance;
pub mod tools;

use super::error::{ApiError, ErrorCode};
use super::request::{Call, MAX_BODY_BYTES, Route};
use super::{App, Caller, auth, response};
use crate::evaluate::breach::BreachSource;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lambda_http::http::{self, HeaderMap, Response};
use lambda_http::{Body, Request};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
    Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{RoleServer, ServerHandler};
use std::sync::{Arc, Mutex};
use tools::ToolName;

/// What the MCP server says of itself in `initialize` and `server/discover`.
const INSTRUCTIONS: &str = "Password tools: generate_password draws passwords or passphrases \
uniformly with their exact entropy (also from a site's passwordrules); evaluate_password scores a password (zxcvbn) and checks it \
against HaveIBeenPwned by k-anonymity; check_policy adds a verdict against a compliance preset \
(nist, pci, dod, hipaa, soc2, iso) or a site's passwordrules; get_usage reports an API key's daily \
usage. Send the API \
key in the Authorization: Bearer or X-API-Key header; without one, calls use the anonymous \
per-address quota. A refused call returns isError with the API's error code and message.";

/// The MCP server of one function: the rmcp service over this app and breach source.
pub struct McpServer<B: BreachSource + 'static> {
    app: Arc<App>,
    service: StreamableHttpService<Tools<B>, NeverSessionManager>,
}

impl<B: BreachSource + 'static> McpServer<B> {
    /// A server answering from `app`, checking breaches with `breaches`.
    pub fn new(app: Arc<App>, breaches: B) -> McpServer<B> {
        let tools = Tools {
            app: Arc::clone(&app),
            breaches: Arc::new(breaches),
            // Built once: the transport asks for a tool's schema on every 2026-07-28 request.
            list: ToolName::ALL
                .into_iter()
                .map(ToolName::tool)
                .chain(
                    app.config
                        .mcp_conformance_tools
                        .then(conformance::tools)
                        .into_iter()
                        .flatten(),
                )
                .collect(),
            conformance: app.config.mcp_conformance_tools,
        };
        let config = StreamableHttpServerConfig::default()
            // Stateless: nothing outlives the request (a Lambda container may serve the next
            // request of the same client, or may not).
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_sse_keep_alive(None)
            .with_sse_retry(None)
            // API Gateway's host is the deployment's own; the browser Origin is checked before
            // rmcp sees the request, against the deployment's allowed origins.
            .disable_allowed_hosts()
            .disable_allowed_origins()
            .with_max_request_body_bytes(MAX_BODY_BYTES);
        let service = StreamableHttpService::new(
            move || Ok(tools.clone()),
            Arc::new(NeverSessionManager::default()),
            config,
        );
        McpServer { app, service }
    }

    /// The app it answers from.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// `POST /mcp` (and TinyFn's `/mcp/generate`): one JSON-RPC message over Streamable HTTP.
    pub async fn serve(
        &self,
        request: &Request,
        route: &Route,
    ) -> Result<Response<Body>, ApiError> {
        let call = Call::parse(request, route)?;
        check_origin(&self.app.config.allowed_origins, &call.headers)?;
        let caller = self.app.identify(&auth::credential(&call, None)?).await?;
        let outcome = Arc::new(Mutex::new(None));
        let body = Bytes::copy_from_slice(call.body().as_bytes());
        let mut forwarded = http::Request::new(Full::new(body));
        *forwarded.method_mut() = request.method().clone();
        *forwarded.uri_mut() = request.uri().clone();
        *forwarded.headers_mut() = call.headers;
        forwarded.extensions_mut().insert(Invocation {
            caller,
            outcome: Arc::clone(&outcome),
        });
        let sent_json = is_json(forwarded.headers());
        let answer = self.service.handle(forwarded).await;
        let (parts, body) = answer.into_parts();
        let bytes = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        if !is_json(&parts.headers) && !parts.status.is_success() {
            return Err(transport_error(parts.status, &bytes, sent_json));
        }
        let mut response = response::empty(parts.status);
        for name in [http::header::CONTENT_TYPE, http::header::ALLOW] {
            if let Some(value) = parts.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        if !bytes.is_empty() {
            *response.body_mut() = match String::from_utf8(Vec::from(bytes)) {
                Ok(text) => Body::Text(text),
                Err(e) => Body::Binary(e.into_bytes()),
            };
        }
        let outcome = outcome.lock().map(|mut o| o.take()).unwrap_or_default();
        if let Some(outcome) = outcome {
            super::note_tool(outcome.tool.as_str(), outcome.error);
            response::add_headers(&mut response, &outcome.headers);
        }
        Ok(response)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The SDK refuses a request the transport cannot take with a plain-text answer; it becomes the
/// API's JSON error with a stable code, the SDK's words as the message. The SDK answers 415 for
/// a JSON body it cannot read as a JSON-RPC message too: that is a bad body, 400.
fn transport_error(status: http::StatusCode, body: &[u8], sent_json: bool) -> ApiError {
    let message: String = String::from_utf8_lossy(body)
        .trim()
        .chars()
        .take(300)
        .collect();
    let code = match status {
        http::StatusCode::NOT_ACCEPTABLE => ErrorCode::NotAcceptable,
        http::StatusCode::UNSUPPORTED_MEDIA_TYPE if !sent_json => ErrorCode::UnsupportedMediaType,
        http::StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::InvalidJsonBody,
        s if s.is_client_error() => ErrorCode::InvalidMcpRequest,
        _ => {
            tracing::error!(status = status.as_u16(), "the MCP transport failed");
            return ApiError::internal();
        }
    };
    let message = if message.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("bad request")
            .to_owned()
    } else {
        message
    };
    ApiError::new(code, message)
}

/// Refuses a request whose `Origin` is not one of `allowed` (the deployment's CORS origins, `*`
/// for any). Browsers send `Origin` on every POST, so a page on another site, or one that reached
/// a local server by DNS rebinding, is refused; agents and other non-browser clients send none.
fn check_origin(allowed: &[String], headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(http::header::ORIGIN) else {
        return Ok(());
    };
    if super::cors::allows(allowed, origin.to_str().unwrap_or_default()) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::OriginNotAllowed,
        "requests from this web origin are not allowed (set ALLOWED_ORIGINS to allow it)",
    ))
}

/// What the HTTP layer hands a tool call: the caller, and where the call leaves its outcome.
#[derive(Clone)]
struct Invocation {
    caller: Caller,
    outcome: Arc<Mutex<Option<Outcome>>>,
}

/// A tool call's outcome, for the response headers and the log line.
struct Outcome {
    tool: ToolName,
    error: Option<ErrorCode>,
    /// The caller's `X-RateLimit-*` headers, when the call was metered or refused by its quota.
    headers: Vec<(&'static str, String)>,
}

/// The rmcp server handler: the tools, over the function's app and breach source.
struct Tools<B> {
    app: Arc<App>,
    breaches: Arc<B>,
    /// The tools as `tools/list` describes them, in [`ToolName::ALL`] order (then the conformance
    /// suite's, when served).
    list: Arc<[Tool]>,
    /// Whether the conformance suite's test tools are served (`MCP_CONFORMANCE_TOOLS`).
    conformance: bool,
}

impl<B> Clone for Tools<B> {
    fn clone(&self) -> Self {
        Tools {
            app: Arc::clone(&self.app),
            breaches: Arc::clone(&self.breaches),
            list: Arc::clone(&self.list),
            conformance: self.conformance,
        }
    }
}

impl<B: BreachSource + 'static> ServerHandler for Tools<B> {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "passwordapi",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.list.to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.list.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if self.conformance
            && let Some(result) = conformance::call(&request.name)
        {
            return Ok(result.into());
        }
        let Some(name) = ToolName::parse(&request.name) else {
            // The spec's answer to an unknown tool: a protocol error, not a tool result.
            return Err(ErrorData::invalid_params(
                format!("unknown tool {:?}", request.name.as_ref()),
                None,
            ));
        };
        let Some(invocation) = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Invocation>())
        else {
            tracing::error!("a tool call arrived without its HTTP request");
            return Err(ErrorData::internal_error("internal error", None));
        };
        let arguments = request.arguments.unwrap_or_default();
        let result = name
            .call(&self.app, &*self.breaches, &invocation.caller, arguments)
            .await;
        let (result, outcome) = match result {
            Ok((value, text, rate)) => {
                // The text copy: the JSON itself, or the CSV document asked for.
                let mut result = CallToolResult::structured(value);
                if let Some(text) = text {
                    result.content = vec![ContentBlock::text(text)];
                }
                let outcome = Outcome {
                    tool: name,
                    error: None,
                    headers: rate.map(|r| r.headers().to_vec()).unwrap_or_default(),
                };
                (result, outcome)
            }
            Err(error) => {
                // The caller's window, when the refusal knew it (Retry-After belongs to a 429,
                // and this answer is a 200).
                let headers = error
                    .headers
                    .iter()
                    .filter(|(n, _)| n.starts_with("x-ratelimit-"))
                    .cloned()
                    .collect();
                let outcome = Outcome {
                    tool: name,
                    error: Some(error.code),
                    headers,
                };
                (CallToolResult::structured_error(error.body()), outcome)
            }
        };
        if let Ok(mut slot) = invocation.outcome.lock() {
            *slot = Some(outcome);
        }
        Ok(result.into())
    }
}
