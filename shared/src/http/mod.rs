//! The one place API Gateway requests become typed requests and domain results become responses.
//!
//! Every endpoint follows the same pipeline: [`request::Call::parse`] (route, method, body) →
//! parameters ([`params::Params`]) → credential ([`auth::credential`]) → [`App::identify`] (the
//! caller and its plan, by [`crate::admission::Gate`]) → domain validation →
//! [`Gate::admit`] (metering) → domain work → response. Errors at any step become
//! `{error, message, param}` responses in [`handle`]; a [`Refusal`] becomes its 401, 429 or 503.

pub mod accounts;
pub mod auth;
pub mod compat;
pub mod console;
pub mod cors;
pub mod dispatch;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod mcp;
pub mod params;
pub mod registry;
pub mod request;
pub mod response;

use crate::config::{Config, ConfigError};
use crate::keys::KeyCache;
use crate::pepper::Pepper;
use crate::quota::{Clock, RateLimit, now_ms};
use crate::store::Store;
use crate::store::dynamodb::DynamoStore;
use auth::Credential;
use error::{ApiError, ErrorCode};
use lambda_http::http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

/// What every function does first: logging as Lambda's advanced logging controls ask (JSON in
/// the template), and an allocator that gives large blocks back.
///
/// argon2 (register, regenerate, and a key's first use in a container) allocates its memory cost
/// per hash: 512 KiB with the keys' parameters, 19 MiB to verify a hash stored earlier with the
/// crate's defaults. glibc's malloc raises its mmap threshold after the first large block is
/// freed and then keeps later ones in per-thread heaps: eight registrations at 19 MiB reached
/// 181 MiB peak RSS in `make bench`, over a 128 MB function. A fixed 1 MiB threshold keeps every
/// large block in its own mapping, returned when freed.
pub fn init_process() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes malloc's own lock and only changes its tuning.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    init_logging(std::io::stdout);
}

/// The log subscriber of `lambda_http::tracing::init_default_subscriber` (level from
/// `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG`, JSON when `AWS_LAMBDA_LOG_FORMAT=JSON`), writing to
/// `writer`, with two differences that keep every secret out of the logs at every level:
/// - below INFO (DEBUG, TRACE) only this crate's own events are kept: the Lambda runtime logs
///   whole events there (bodies and headers: passwords, keys, emails, rules), and the HTTP and
///   AWS clients log what they send and receive. The level is a level, not a list of per-crate
///   directives, so no setting can turn those on;
/// - nothing of the MCP SDK (`rmcp`) is ever logged. It logs three lines per request at INFO,
///   and at other levels its messages and errors, which carry what the caller sent (tool
///   arguments are passwords); our own request line says what happened.
pub fn init_logging<W>(writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::{LevelFilter, filter_fn};
    use tracing_subscriber::prelude::*;
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|l| l.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let safe = filter_fn(|meta| {
        let target = meta.target();
        !target.starts_with("rmcp")
            && (*meta.level() <= tracing::Level::INFO || target.starts_with("passwordapi"))
    });
    let lines = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_writer(writer);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let registry = tracing_subscriber::registry();
    // A second initialisation (tests) keeps the first.
    let _ = if json {
        registry
            .with(lines.json().with_filter(level).with_filter(safe))
            .try_init()
    } else {
        registry
            .with(lines.with_filter(level).with_filter(safe))
            .try_init()
    };
    tracing::debug!(%level, "verbose logging: below INFO, only passwordapi's own events");
}

/// What a function holds for its lifetime: configuration, the store, verified keys.
pub struct App {
    /// Configuration read at start-up.
    pub config: Config,
    /// Accounts and counters.
    pub store: Arc<dyn Store>,
    /// Key of the email and IP hashes.
    pub pepper: Pepper,
    /// Keys verified in this container.
    pub keys: KeyCache,
    /// The day metering and usage count in (the system clock outside tests).
    pub clock: Clock,
    /// Callers refused for their limit, refused again without a store call.
    pub refusals: RefusalMemory,
    /// The plans in force.
    pub plans: PlanBook,
    /// The AWS credentials the table's SDK configuration found ([`App::from_config`]), which the
    /// mirror's bucket signs with too; `None` for an app built on another store.
    pub credentials: Option<SharedCredentialsProvider>,
}

pub use crate::admission::Caller;
use crate::admission::{Gate, PlanBook, Refusal, RefusalMemory};
use crate::quota::Window;
use aws_credential_types::provider::SharedCredentialsProvider;

/// The deployment's table (`TABLE_NAME`, at `DYNAMODB_ENDPOINT` if set), and the AWS
/// credentials its SDK configuration found: the mirror's bucket signs with them too, so that
/// start-up builds one SDK configuration (~2 ms of CPU) for both.
pub async fn table(
    config: &Config,
) -> Result<(DynamoStore, Option<SharedCredentialsProvider>), ConfigError> {
    let table = config
        .table_name
        .clone()
        .ok_or_else(|| ConfigError::missing("TABLE_NAME"))?;
    let sdk = crate::aws::sdk_config(config.dynamodb_endpoint.as_deref()).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    Ok((DynamoStore::new(client, table), sdk.credentials_provider()))
}

impl App {
    /// An app on `store`; the configuration must carry the pepper.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Result<App, ConfigError> {
        let pepper = config
            .pepper
            .clone()
            .ok_or_else(|| ConfigError::missing("EMAIL_PEPPER"))?;
        let clock = Clock::default();
        clock.shift(config.clock_offset_ms);
        Ok(App {
            plans: PlanBook::new(&config),
            config,
            store,
            pepper,
            keys: KeyCache::new(),
            clock,
            refusals: RefusalMemory::new(),
            credentials: None,
        })
    }

    /// Reads the configuration from the environment and starts from it ([`App::from_config`]).
    pub async fn from_env() -> Result<App, ConfigError> {
        App::from_config(Config::from_env()?).await
    }

    /// Reads the pepper from Secrets Manager when the configuration names its secret instead of
    /// holding it (`EMAIL_PEPPER_SECRET_ARN`, as deployed), and connects to DynamoDB
    /// (`TABLE_NAME`, `DYNAMODB_ENDPOINT`).
    pub async fn from_config(mut config: Config) -> Result<App, ConfigError> {
        if config.pepper.is_none()
            && let Some(arn) = &config.pepper_secret_arn
        {
            let endpoint = config.secrets_manager_endpoint.as_deref();
            config.pepper = Some(crate::aws::pepper_from_secret(arn, endpoint).await?);
        }
        let (store, credentials) = table(&config).await?;
        let mut app = App::new(config, Arc::new(store))?;
        app.credentials = credentials;
        Ok(app)
    }

    /// The breach source's mode in force (`BREACH_SOURCE`): `auto` becomes `mirror_then_upstream`
    /// when the breach sync has completed a pass (one read of its ledger; only with a mirror's
    /// bucket configured), `upstream` otherwise — also when the ledger cannot be read.
    pub async fn breach_mode(&self) -> crate::config::BreachMode {
        use crate::config::BreachMode;
        let mode = self.config.breach_source;
        if mode != BreachMode::Auto || self.config.mirror_bucket.is_none() {
            return mode.resolved(false);
        }
        match self.store.mirror_completed().await {
            Ok(completed) => mode.resolved(completed.is_some()),
            Err(e) => {
                tracing::warn!(error = %e, "the breach sync's ledger could not be read: upstream");
                BreachMode::Upstream
            }
        }
    }

    /// Identification and admission ([`Gate`]) over this app's store, keys and clock.
    pub fn gate(&self) -> Gate<'_> {
        Gate {
            config: &self.config,
            plans: &self.plans,
            store: &*self.store,
            pepper: &self.pepper,
            keys: &self.keys,
            clock: &self.clock,
            refusals: &self.refusals,
        }
    }

    /// [`Gate::identify`], and the caller's plan recorded for the request's log line.
    pub async fn identify(&self, credential: &Credential) -> Result<Caller, ApiError> {
        let caller = self.gate().identify(credential).await?;
        // Outside `handle` (direct calls in tests) there is no log line to record it for.
        let _ = NOTE.try_with(|note| note.plan.replace(Some(caller.plan().to_owned())));
        Ok(caller)
    }

    /// Adds the caller's current rate-limit headers to an error refusing a metered request (bad
    /// input, say): best effort, one read; without them when the store cannot say.
    pub async fn with_quota_headers(&self, caller: &Caller, mut error: ApiError) -> ApiError {
        if let Some(rate) = self.gate().peek(caller).await {
            error.headers.extend(rate.headers());
        }
        error
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::KeyNotFound => key_not_found(),
            Refusal::KeyRevoked => ApiError::new(
                ErrorCode::ApiKeyRevoked,
                "this API key was revoked by the deployment's operator",
            ),
            Refusal::KeyExpired => ApiError::new(
                ErrorCode::ApiKeyExpired,
                "this API key has expired; ask the deployment's operator",
            ),
            Refusal::OverLimit {
                plan,
                window,
                limits,
                rate,
            } => over_limit(&plan, window, limits.daily, rate),
            Refusal::Store(e) => e.into(),
        }
    }
}

pub(crate) fn key_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ApiKeyNotFound,
        "this API key is not registered, or was replaced by a regenerated one",
    )
}

/// The 429 for a full window: `daily` is the caller's daily limit, `rate` the full window.
fn over_limit(plan: &str, window: Window, daily: u32, rate: RateLimit) -> ApiError {
    let effective = rate.limit;
    let anonymous = plan == crate::plan::ANONYMOUS;
    let (code, message) = match window {
        Window::Month => (
            ErrorCode::MonthlyLimitExceeded,
            format!(
                "the monthly limit of {effective} requests is reached; it resets on the first of next month (UTC)"
            ),
        ),
        Window::Day if anonymous && effective == 0 => (
            ErrorCode::DemoLimitExceeded,
            "this deployment serves only requests with an API key; register for a free key"
                .to_owned(),
        ),
        Window::Day if anonymous => (
            ErrorCode::DemoLimitExceeded,
            format!(
                "the anonymous limit of {effective} requests per day is reached; register for a free key"
            ),
        ),
        Window::Day if effective < daily => (
            ErrorCode::HardLimitExceeded,
            format!("your own hard limit of {effective} requests per day is reached"),
        ),
        Window::Day => (
            ErrorCode::RateLimitExceeded,
            format!("the daily limit of {effective} requests is reached"),
        ),
    };
    too_many(code, message, rate)
}

/// A 429 with the rate-limit headers, `Retry-After`, and `limit`/`reset_at` in the body.
pub fn too_many(code: ErrorCode, message: String, rate: RateLimit) -> ApiError {
    let mut headers = rate.headers().to_vec();
    headers.push(("retry-after", rate.retry_after_s(now_ms()).to_string()));
    ApiError {
        headers,
        fields: vec![
            ("limit", json!(rate.limit)),
            ("reset_at", json!(rate.reset_at_ms)),
        ],
        ..ApiError::new(code, message)
    }
}

/// Adds the rate-limit headers to a metered response.
pub fn metered(mut response: Response<Body>, rate: &RateLimit) -> Response<Body> {
    response::add_headers(&mut response, &rate.headers());
    response
}

/// What an endpoint learns on the way that the request's log line reports.
#[derive(Default)]
struct LogNote {
    /// The caller's plan, once identified.
    plan: RefCell<Option<String>>,
    /// The MCP tool called (its name, never its arguments).
    tool: Cell<Option<&'static str>>,
    /// The error code of a refused tool call (its HTTP response is a 200).
    tool_error: Cell<Option<ErrorCode>>,
}

tokio::task_local! {
    static NOTE: LogNote;
}

/// Records an MCP tool call for the request's log line.
fn note_tool(tool: &'static str, error: Option<ErrorCode>) {
    let _ = NOTE.try_with(|note| {
        note.tool.set(Some(tool));
        note.tool_error.set(error);
    });
}

/// Runs an endpoint, turns its result into the response, and logs one line per request (inside
/// the runtime's span, which carries the request id): route, method, plan, status, error code,
/// latency, and for MCP the tool called — never a body, header, query value or tool argument. One event and no span of its own: with the JSON
/// log format a span of ours would cost about as much as the rest of the line (`make bench`).
///
/// `OPTIONS` on the route is a CORS preflight: 204 with `Allow` (deployed, API Gateway adds the
/// configured CORS headers to it).
pub async fn handle(
    request: Request,
    route: &request::Route,
    endpoint: impl AsyncFnOnce(&Request) -> Result<Response<Body>, ApiError>,
) -> Result<Response<Body>, Infallible> {
    handle_as(request, route, ApiError::to_response, endpoint).await
}

/// [`handle`] for a route that writes its errors as another service documents them (a
/// compatibility route): `render` turns each refusal, with its headers, into the response.
pub async fn handle_as(
    request: Request,
    route: &request::Route,
    render: fn(&ApiError) -> Response<Body>,
    endpoint: impl AsyncFnOnce(&Request) -> Result<Response<Body>, ApiError>,
) -> Result<Response<Body>, Infallible> {
    let preflight = route.is_preflight(&request);
    let cors = cors::headers(cors::process_origins(), &request, preflight);
    if preflight {
        let mut response = response::empty(StatusCode::NO_CONTENT);
        response::add_headers(&mut response, &[("allow", route.allow().join(", "))]);
        response::add_headers(&mut response, &cors);
        return Ok(response);
    }
    let started = Instant::now();
    let (result, plan, tool, tool_error) = NOTE
        .scope(LogNote::default(), async {
            let result = endpoint(&request).await;
            NOTE.with(|note| {
                (
                    result,
                    note.plan.take(),
                    note.tool.get(),
                    note.tool_error.get(),
                )
            })
        })
        .await;
    let code = result
        .as_ref()
        .err()
        .map(|e| e.code)
        .or(tool_error)
        .map(ErrorCode::as_str);
    let mut response = result.unwrap_or_else(|e| render(&e));
    response::add_headers(&mut response, &cors);
    // The registry's route, never the path as sent: a path can carry what a caller pasted into
    // it (a key in `/v1/generate/pwa_live_…` reaches the function that owns `$default`).
    let logged_route = if request::path(&request) == route.path {
        route.path
    } else {
        "unknown"
    };
    tracing::info!(
        route = logged_route,
        method = request.method().as_str(),
        plan,
        tool,
        status = response.status().as_u16(),
        error = code,
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}
