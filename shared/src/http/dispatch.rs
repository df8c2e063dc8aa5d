//! The one dispatcher: a function's requests served from the registry. The endpoint at the
//! request's path (among the function's; the first of them otherwise, whose route answers 404)
//! picks its handler and how refusals are written; [`super::handle_as`] does the rest (405 with
//! `Allow`, the preflight, the log line). A function's binary names its function and nothing else
//! ([`run`]); the tests' in-process router is this same dispatcher.

use super::error::ApiError;
use super::mcp::McpServer;
use super::registry::{self, Endpoint, Errors, Handler};
use super::{App, accounts, compat, console, evaluate, generate, request};
use crate::evaluate::breach::{BreachSource, RangeCache};
use crate::evaluate::hibp::HibpClient;
use lambda_http::{Body, Request, Response};
use std::convert::Infallible;
use std::sync::Arc;

/// What a function's handlers draw on, each when one of its handlers needs it.
pub struct Services<'a, B: BreachSource + 'static> {
    /// Configuration, store and caches (every handler but the console's).
    pub app: Option<&'a App>,
    /// The breach source (evaluate).
    pub breaches: Option<&'a B>,
    /// The MCP server (mcp).
    pub mcp: Option<&'a McpServer<B>>,
}

/// Serves `request` as `function` does.
pub async fn serve<B: BreachSource + 'static>(
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
        answer(endpoint, services, r).await
    })
    .await
}

/// The endpoint's handler, with what it needs.
async fn answer<B: BreachSource + 'static>(
    endpoint: &Endpoint,
    services: &Services<'_, B>,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    // A handler without what it needs is a wiring bug of this file, never the caller's doing.
    let app = || services.app.ok_or_else(ApiError::internal);
    match endpoint.handler {
        Handler::Generate => generate::serve(app()?, request).await,
        Handler::Evaluate => {
            let breaches = services.breaches.ok_or_else(ApiError::internal)?;
            evaluate::serve(app()?, breaches, request).await
        }
        Handler::Register => accounts::serve_register(app()?, request).await,
        Handler::Regenerate => accounts::serve_regenerate(app()?, request).await,
        Handler::Usage => accounts::serve_usage(app()?, request).await,
        Handler::Events => accounts::serve_events(app()?, request).await,
        Handler::Mcp => {
            let mcp = services.mcp.ok_or_else(ApiError::internal)?;
            mcp.serve(request, &endpoint.route).await
        }
        Handler::PassGeni => compat::passgeni::serve(app()?, request).await,
        Handler::TinyFn => compat::tinyfn::serve(app()?, request).await,
        Handler::Bunny => compat::bunny::serve(app()?, request).await,
        Handler::Console => console::serve_page(request, &endpoint.route),
        Handler::OpenApi => console::serve_contract(request, &endpoint.route),
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

/// The handlers of `function`'s endpoints.
fn handlers(function: &str) -> impl Iterator<Item = Handler> + '_ {
    registry::ENDPOINTS
        .iter()
        .filter(move |e| e.function == function)
        .map(|e| e.handler)
}

/// A function's Lambda entry point: logging, what its handlers need (the app and its
/// configuration, the breach source, the MCP server; none for the console), then every request
/// through [`serve`].
pub async fn run(function: &'static str) -> Result<(), lambda_http::Error> {
    super::init_process();
    if handlers(function).next().is_none() {
        return Err(format!("{function} is not a function of the registry").into());
    }
    let needs = |wanted: &[Handler]| handlers(function).any(|h| wanted.contains(&h));
    // The console reads no table and no secret; every other handler needs the app.
    let app = match handlers(function).any(|h| !matches!(h, Handler::Console | Handler::OpenApi)) {
        true => Some(Arc::new(App::from_env().await?)),
        false => None,
    };
    let breaches_for = |app: &App| RangeCache::new(HibpClient::new(&app.config.hibp_api_url));
    let breaches = match (&app, needs(&[Handler::Evaluate])) {
        (Some(app), true) => Some(breaches_for(app)),
        _ => None,
    };
    let mcp = match (&app, needs(&[Handler::Mcp])) {
        (Some(app), true) => Some(McpServer::new(Arc::clone(app), breaches_for(app))),
        _ => None,
    };
    if needs(&[Handler::Evaluate, Handler::Mcp]) {
        crate::evaluate::warm_up();
    }
    let services = Services {
        app: app.as_deref(),
        breaches: breaches.as_ref(),
        mcp: mcp.as_ref(),
    };
    lambda_http::run(lambda_http::service_fn(|request| {
        serve(function, &services, request)
    }))
    .await
}
