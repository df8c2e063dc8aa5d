//! The AWS SDK configuration every client of the functions shares, and the pepper read from
//! Secrets Manager at start-up.

use crate::config::ConfigError;
use crate::pepper::Pepper;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use std::sync::Mutex;
use std::time::Duration;

/// The SDK's loader with the one HTTP client (below): every SDK client of the functions and of
/// the admin tool starts from it. With `connect_timeout`, the connector for it (the functions'
/// settings) is built now, during init, not in the first request: building it loads the root
/// certificates (~4 ms of CPU).
pub fn loader(connect_timeout: Option<Duration>) -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http_client(connect_timeout))
}

/// The SDK's HTTP client: [`crate::net`]'s (reqwest, HTTP/1.1, rustls with ring), the stack the
/// breach check uses, instead of the SDK's own, which would add a second HTTP stack, HTTP/2 and a
/// second TLS provider to every binary.
/// Requests are small and whole (no streaming body); the SDK keeps its retries and its operation
/// timeouts, the connection's come from its settings.
fn http_client(connect_timeout: Option<Duration>) -> SharedHttpClient {
    let client = Reqwest::default();
    if let Some(timeout) = connect_timeout {
        client.connector((Some(timeout), None));
    }
    SharedHttpClient::new(client)
}

/// One reqwest client per distinct connector settings (the SDK asks per operation; a process has
/// one or two).
#[derive(Debug, Default)]
struct Reqwest {
    clients: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

/// A connector's connect and read timeouts.
type Timeouts = (Option<Duration>, Option<Duration>);

impl HttpClient for Reqwest {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.connector((settings.connect_timeout(), settings.read_timeout()))
    }
}

impl Reqwest {
    /// The connector for `key`, built on first use.
    fn connector(&self, key: Timeouts) -> SharedHttpConnector {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, connector)) = clients.iter().find(|(k, _)| *k == key) {
            return connector.clone();
        }
        let mut builder = crate::net::client_builder();
        if let Some(t) = key.0 {
            builder = builder.connect_timeout(t);
        }
        if let Some(t) = key.1 {
            builder = builder.read_timeout(t);
        }
        let connector = SharedHttpConnector::new(Connector(builder.build()));
        clients.push((key, connector.clone()));
        connector
    }
}

/// One reqwest client as the SDK's connector (or why it could not be built: every request then
/// fails with that reason, as the SDK reports any connector error).
#[derive(Debug)]
struct Connector(Result<reqwest::Client, reqwest::Error>);

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = match &self.0 {
            Ok(client) => client.clone(),
            Err(e) => {
                let e = ConnectorError::other(format!("HTTP client: {e}").into(), None);
                return HttpConnectorFuture::ready(Err(e));
            }
        };
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            let Some(body) = body.bytes().map(bytes::Bytes::copy_from_slice) else {
                let e = "a streaming request body (the SDK's requests here are whole)";
                return Err(ConnectorError::user(e.into()));
            };
            let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))
                .map_err(|e| ConnectorError::user(e.into()))?;
            // The SDK retries a timeout and a transport failure (a refused, reset or closed
            // connection); a request it could not build is the caller's.
            let failed = |e: reqwest::Error| match (e.is_timeout(), e.is_builder()) {
                (true, _) => ConnectorError::timeout(e.without_url().into()),
                (_, true) => ConnectorError::user(e.without_url().into()),
                _ => ConnectorError::io(e.without_url().into()),
            };
            let response = client.execute(request).await.map_err(failed)?;
            let mut out = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                out = out.header(name, value);
            }
            let body = response.bytes().await.map_err(failed)?;
            let out = out
                .body(SdkBody::from(body))
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            HttpResponse::try_from(out).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// The mirror's bucket as `config` names it (`MIRROR_BUCKET`, at `MIRROR_ENDPOINT` or S3 in
/// `AWS_REGION`), its requests signed with `credentials` — those of an SDK configuration the
/// caller already built — or else with the credentials the SDK finds ([`sdk_config`]'s, so a
/// local endpoint without credentials in the environment gets the placeholder ones), and timed
/// out after `timeout`; `None` when no bucket is named.
pub async fn mirror_bucket(
    config: &crate::Config,
    credentials: Option<SharedCredentialsProvider>,
    timeout: Duration,
) -> Option<crate::evaluate::bucket::Bucket> {
    let name = config.mirror_bucket.as_deref()?;
    let credentials = match credentials {
        Some(credentials) => credentials,
        None => sdk_config(config.mirror_endpoint.as_deref())
            .await
            .credentials_provider()
            .unwrap_or_else(|| crate::evaluate::bucket::Bucket::static_credentials("", "")),
    };
    let endpoint = config
        .mirror_endpoint
        .clone()
        .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", config.region));
    Some(crate::evaluate::bucket::Bucket::new(
        &endpoint,
        name,
        &config.region,
        credentials,
        timeout,
    ))
}

/// The breach source of `mode` (`BREACH_SOURCE`, resolved), its mirror's bucket (`config`'s)
/// reached as [`mirror_bucket`] builds it with `credentials`.
pub async fn breaches(
    config: &crate::Config,
    mode: crate::evaluate::sources::BreachMode,
    credentials: Option<SharedCredentialsProvider>,
) -> crate::evaluate::sources::Breaches {
    use crate::evaluate::{hibp::HibpClient, mirror::Mirror, sources::Breaches};
    let mirror = match mode.reads_mirror() {
        true => mirror_bucket(config, credentials, HibpClient::TIMEOUT)
            .await
            .map(Mirror::new),
        false => None,
    };
    Breaches::new(mode, mirror, &config.hibp_api_url)
}

/// SDK configuration: the platform's region and credentials, two attempts, and short timeouts (a
/// request must answer within the function's budget). With `endpoint` (DynamoDB Local, a local
/// Secrets Manager), that endpoint, and a placeholder region and credentials unless the
/// environment names real ones: local servers accept any.
pub async fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    const CONNECT: Duration = Duration::from_millis(500);
    let mut loader = loader(Some(CONNECT))
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT)
                .operation_attempt_timeout(Duration::from_millis(1000))
                .operation_timeout(Duration::from_millis(2500))
                .build(),
        );
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
        if std::env::var_os("AWS_REGION").is_none() {
            loader = loader.region(aws_config::Region::new("us-east-1"));
        }
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "local", "local", None, None, "local",
            ));
        }
    }
    loader.load().await
}

/// The pepper held by the secret `arn` (its `SecretString`), read once at start-up with
/// `secretsmanager:GetSecretValue`: never in the function's configuration, where anyone allowed
/// `lambda:GetFunctionConfiguration` could read it, and a rotated value takes effect at the next
/// cold start. Errors name the variable, never the value.
pub async fn pepper_from_secret(arn: &str, endpoint: Option<&str>) -> Result<Pepper, ConfigError> {
    let client = aws_sdk_secretsmanager::Client::new(&sdk_config(endpoint).await);
    let failed = |why: String| ConfigError {
        name: "EMAIL_PEPPER_SECRET_ARN",
        value: why,
    };
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            failed(format!(
                "GetSecretValue failed: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
            ))
        })?;
    let secret = out
        .secret_string()
        .ok_or_else(|| failed("the secret has no SecretString".to_owned()))?;
    Pepper::new(secret.as_bytes()).ok_or_else(|| {
        failed(format!(
            "the secret holds {} bytes, fewer than {}",
            secret.len(),
            Pepper::MIN_BYTES
        ))
    })
}
