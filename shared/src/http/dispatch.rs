//! The one dispatcher: a function's requests served from the registry. The endpoint at the
//! request's path (among the function's; the first of them otherwise, whose route answers 404)
//! picks its handler and how refusals are written; [`super::handle_as`] does the rest (405 with
//! `Allow`, the preflight, the log line). A function's binary names its function and nothing else
//! ([`function_main!`](crate::function_main)); the tests' in-process router is this same
//! dispatcher.
//!
//! A binary links only its own handlers: the set of them is a constant, computed from the
//! registry at compile time ([`handlers_of`]) and passed as a const parameter, so a handler
//! outside it is never referenced and the linker drops it (and what only it uses: the MCP SDK from
//! evaluate, the dictionaries from register).

use super::error::ApiError;
use super::mcp::McpServer;
use super::registry::{self, Endpoint, Errors, Handler};
use super::{App, accounts, compat, console, evaluate, generate, request};
use crate::evaluate::breach::{BreachSource, RangeCache};
use crate::evaluate::hibp::HibpClient;
use lambda_http::{Body, Request, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A set of handlers: bit `h as u16` for each [`Handler`] `h`.
pub type HandlerSet = u16;

/// Every handler (the tests' router serves any function).
pub const EVERY_HANDLER: HandlerSet = (1 << Handler::ALL.len()) - 1;

/// The handlers of `function`'s endpoints in the registry (empty for a name it lacks).
pub const fn handlers_of(function: &str) -> HandlerSet {
    let mut set = 0;
    let mut i = 0;
    while i < registry::ENDPOINTS.len() {
        let e = &registry::ENDPOINTS[i];
        if same(e.function.as_bytes(), function.as_bytes()) {
            set |= bit(e.handler);
        }
        i += 1;
    }
    set
}

/// Byte equality, as a constant.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The set holding `handler` alone.
const fn bit(handler: Handler) -> HandlerSet {
    1 << handler as u16
}

/// Whether `set` holds `handler` (a constant where `set` is one).
const fn has(set: HandlerSet, handler: Handler) -> bool {
    set & bit(handler) != 0
}

/// What a function's handlers draw on, each when one of its handlers needs it.
pub struct Services<'a, B: BreachSource + 'static> {
    /// Configuration, store and caches (every handler but the console's).
    pub app: Option<&'a App>,
    /// The breach source (evaluate).
    pub breaches: Option<&'a B>,
    /// The MCP server (mcp).
    pub mcp: Option<&'a McpServer<B>>,
}

/// Serves `request` as `function` does (any function: every handler linked).
pub async fn serve<B: BreachSource + 'static>(
    function: &str,
    services: &Services<'_, B>,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    serve_only::<EVERY_HANDLER, B>(function, services, request).await
}

/// Serves `request` as `function` does, with only the handlers of `HANDLERS` linked (another
/// would be a wiring bug: 500).
async fn serve_only<const HANDLERS: HandlerSet, B: BreachSource + 'static>(
    function: &str,
    services: &Services<'_, B>,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    let endpoint = registry::of_function(function, request::path(&request));
    let render = match endpoint.drop_in.map_or(Errors::Native, |d| d.errors) {
        Errors::Native => ApiError::to_response,
        Errors::PassGeni => compat::passgeni::render_error,
        Errors::Bunny => compat::bunny::render_error,
    };
    super::handle_as(request, &endpoint.route, render, async |r| {
        answer::<HANDLERS, B>(endpoint, services, r).await
    })
    .await
}

/// The answer of a handler: boxed, so that a handler left out of a binary leaves no state of its
/// future behind (an `.await` on each arm would keep every handler's code in every binary).
type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, ApiError>> + Send + 'a>>;

/// The endpoint's handler, with what it needs, if `HANDLERS` holds it.
fn answer<'a, const HANDLERS: HandlerSet, B: BreachSource + 'static>(
    endpoint: &'a Endpoint,
    services: &'a Services<'a, B>,
    request: &'a Request,
) -> Answer<'a> {
    // A handler without what it needs is a wiring bug of this file, never the caller's doing.
    let fail = || -> Answer<'a> { Box::pin(std::future::ready(Err(ApiError::internal()))) };
    match (endpoint.handler, services.app) {
        // The console's two read no table and no secret: no app.
        (Handler::Console, _) if has(HANDLERS, Handler::Console) => Box::pin(std::future::ready(
            console::serve_page(request, &endpoint.route),
        )),
        (Handler::OpenApi, _) if has(HANDLERS, Handler::OpenApi) => Box::pin(std::future::ready(
            console::serve_contract(request, &endpoint.route),
        )),
        (Handler::Generate, Some(app)) if has(HANDLERS, Handler::Generate) => {
            Box::pin(generate::serve(app, request))
        }
        (Handler::Evaluate, Some(app)) if has(HANDLERS, Handler::Evaluate) => {
            match services.breaches {
                Some(breaches) => Box::pin(evaluate::serve(app, breaches, request)),
                None => fail(),
            }
        }
        (Handler::Register, Some(app)) if has(HANDLERS, Handler::Register) => {
            Box::pin(accounts::serve_register(app, request))
        }
        (Handler::Regenerate, Some(app)) if has(HANDLERS, Handler::Regenerate) => {
            Box::pin(accounts::serve_regenerate(app, request))
        }
        (Handler::Usage, Some(app)) if has(HANDLERS, Handler::Usage) => {
            Box::pin(accounts::serve_usage(app, request))
        }
        (Handler::Events, Some(app)) if has(HANDLERS, Handler::Events) => {
            Box::pin(accounts::serve_events(app, request))
        }
        (Handler::Mcp, _) if has(HANDLERS, Handler::Mcp) => match services.mcp {
            Some(mcp) => Box::pin(mcp.serve(request, &endpoint.route)),
            None => fail(),
        },
        (Handler::PassGeni, Some(app)) if has(HANDLERS, Handler::PassGeni) => {
            Box::pin(compat::passgeni::serve(app, request))
        }
        (Handler::TinyFn, Some(app)) if has(HANDLERS, Handler::TinyFn) => {
            Box::pin(compat::tinyfn::serve(app, request))
        }
        (Handler::Bunny, Some(app)) if has(HANDLERS, Handler::Bunny) => {
            Box::pin(compat::bunny::serve(app, request))
        }
        _ => fail(),
    }
}

/// Serves `request` as `function` does, for a function whose handlers need only the app (every
/// one but evaluate, mcp and the console).
async fn serve_with_app(
    function: &str,
    app: &App,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    let services: Services<'_, RangeCache<HibpClient>> = Services {
        app: Some(app),
        breaches: None,
        mcp: None,
    };
    serve(function, &services, request).await
}

/// The generate function: `/v1/generate` and the drop-in routes it serves.
pub async fn generate(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    serve_with_app("generate", app, request).await
}

/// The evaluate function; `breaches` is the breach source (with its cache) built once per
/// process.
pub async fn evaluate<B: BreachSource + 'static>(
    app: &App,
    breaches: &B,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    let services = Services {
        app: Some(app),
        breaches: Some(breaches),
        mcp: None,
    };
    serve("evaluate", &services, request).await
}

/// The register function.
pub async fn register(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    serve_with_app("register", app, request).await
}

/// The regenerate function.
pub async fn regenerate(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    serve_with_app("regenerate", app, request).await
}

/// The usage function (GET reads, PUT sets `hard_limit`).
pub async fn usage(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    serve_with_app("usage", app, request).await
}

/// The mcp function, answering from `server`.
pub async fn mcp<B: BreachSource + 'static>(
    server: &McpServer<B>,
    request: Request,
) -> Result<Response<Body>, Infallible> {
    let services = Services {
        app: Some(server.app()),
        breaches: None,
        mcp: Some(server),
    };
    serve("mcp", &services, request).await
}

/// The console function: the page and the contract.
pub async fn console(request: Request) -> Result<Response<Body>, Infallible> {
    let services: Services<'_, RangeCache<HibpClient>> = Services {
        app: None,
        breaches: None,
        mcp: None,
    };
    serve("console", &services, request).await
}

/// Whether a function of `handlers` estimates passwords and checks breaches (evaluate, MCP).
pub const fn estimates(handlers: HandlerSet) -> bool {
    has(handlers, Handler::Evaluate) || has(handlers, Handler::Mcp)
}

/// A function's Lambda entry point: logging, what its handlers need (the app and its
/// configuration, the breach source, the MCP server; none for the console), then every request
/// through the dispatcher. `HANDLERS` is [`handlers_of`] `function`, as a constant
/// ([`function_main!`](crate::function_main) writes both).
pub async fn run<const HANDLERS: HandlerSet>(
    function: &'static str,
) -> Result<(), lambda_http::Error> {
    super::init_process();
    if HANDLERS == 0 || HANDLERS != handlers_of(function) {
        return Err(format!("{function} is not a function of the registry").into());
    }
    // The console reads no table and no secret; every other handler needs the app.
    let console = bit(Handler::Console) | bit(Handler::OpenApi);
    let app = match HANDLERS & !console != 0 {
        true => Some(Arc::new(App::from_env().await?)),
        false => None,
    };
    // `estimates` is written out at each use, never kept in a variable: a value held across an
    // `.await` lives in the future's state, where the compiler no longer sees it is constant,
    // and the estimator (its dictionaries, ~2 MB compressed) would be linked into every binary.
    let mode = match &app {
        Some(app) if estimates(HANDLERS) => Some(app.breach_mode().await),
        _ => None,
    };
    let breaches = match (&app, mode) {
        (Some(app), Some(mode)) if has(HANDLERS, Handler::Evaluate) => {
            Some(crate::aws::breaches(&app.config, mode, app.credentials.clone()).await)
        }
        _ => None,
    };
    let mcp = match (&app, mode) {
        (Some(app), Some(mode)) if has(HANDLERS, Handler::Mcp) => Some(McpServer::new(
            Arc::clone(app),
            crate::aws::breaches(&app.config, mode, app.credentials.clone()).await,
        )),
        _ => None,
    };
    if estimates(HANDLERS) {
        crate::evaluate::warm_up();
    }
    let services = Services {
        app: app.as_deref(),
        breaches: breaches.as_ref(),
        mcp: mcp.as_ref(),
    };
    lambda_http::run(lambda_http::service_fn(|request| {
        serve_only::<HANDLERS, _>(function, &services, request)
    }))
    .await
}

/// A function's `main`: its name, once. Its binary serves the function's endpoints and links
/// only their handlers.
///
/// ```ignore
/// passwordapi::function_main!("evaluate");
/// ```
#[macro_export]
macro_rules! function_main {
    ($function:literal) => {
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), lambda_http::Error> {
            $crate::http::dispatch::run::<{ $crate::http::dispatch::handlers_of($function) }>(
                $function,
            )
            .await
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each function's binary links exactly the handlers of its endpoints in the registry.
    #[test]
    fn a_functions_handler_set_is_its_endpoints_handlers() {
        for function in registry::functions() {
            let set = handlers_of(function);
            for handler in Handler::ALL {
                let serves = registry::ENDPOINTS
                    .iter()
                    .any(|e| e.function == function && e.handler == handler);
                assert_eq!(has(set, handler), serves, "{function}: {handler:?}");
            }
        }
        assert_eq!(handlers_of("nowhere"), 0);
        assert_eq!(handlers_of("evaluat"), 0);
        assert_eq!(
            handlers_of("console"),
            bit(Handler::Console) | bit(Handler::OpenApi)
        );
        assert_eq!(EVERY_HANDLER.count_ones() as usize, Handler::ALL.len());
    }
}
