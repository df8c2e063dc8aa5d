//! Objects of an S3 bucket (or an S3-compatible server) read and written over the one HTTP stack
//! ([`crate::net`]), each request signed with SigV4: the breach mirror's storage. Path-style
//! addresses (`<endpoint>/<bucket>/<key>`), which S3 and local servers both answer.

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};

/// Why a request to the bucket did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// No credentials to sign with.
    #[error("no credentials: {0}")]
    Credentials(String),
    /// The request could not be signed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The server could not be reached, or did not answer in time.
    #[error("transport: {0}")]
    Transport(String),
    /// The server answered with an error status.
    #[error("status {status}: {code}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// S3's error code, when the body names one.
        code: String,
    },
}

/// An object as read: its body and its user metadata (`x-amz-meta-*`, names without the prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// The body.
    pub body: Vec<u8>,
    /// User metadata, by name (lower case).
    pub metadata: Vec<(String, String)>,
}

impl Object {
    /// The user metadata `name`, if set.
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Told of each request before it is sent: its method and URL (the tests record what each
/// function calls, to hold template.yaml's grants to it).
#[derive(Clone)]
pub struct Observer(pub std::sync::Arc<ObserverFn>);

/// An [`Observer`]'s function: `(method, url)`.
pub type ObserverFn = dyn Fn(&str, &str) + Send + Sync;

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// One bucket: where it is, and the credentials its requests are signed with.
#[derive(Clone, Debug)]
pub struct Bucket {
    client: reqwest::Client,
    endpoint: String,
    name: String,
    region: String,
    credentials: SharedCredentialsProvider,
    observer: Option<Observer>,
}

impl Bucket {
    /// The bucket `name` at `endpoint` (e.g. `https://s3.eu-west-1.amazonaws.com`) in `region`,
    /// its requests timed out after `timeout`.
    pub fn new(
        endpoint: &str,
        name: &str,
        region: &str,
        credentials: SharedCredentialsProvider,
        timeout: Duration,
    ) -> Bucket {
        let client = crate::net::client_builder()
            .timeout(timeout)
            .build()
            .expect("an HTTP client");
        Bucket {
            client,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            name: name.to_owned(),
            region: region.to_owned(),
            credentials,
            observer: None,
        }
    }

    /// This bucket, its requests told to `observer` before they are sent.
    pub fn observed(mut self, observer: Observer) -> Bucket {
        self.observer = Some(observer);
        self
    }

    /// Fixed credentials (the operator's tool and the tests; functions use the SDK's provider).
    pub fn static_credentials(access_key: &str, secret_key: &str) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(Credentials::new(
            access_key, secret_key, None, None, "static",
        ))
    }

    fn url(&self, key: Option<&str>) -> String {
        match key {
            Some(key) => format!("{}/{}/{}", self.endpoint, self.name, key),
            None => format!("{}/{}", self.endpoint, self.name),
        }
    }

    /// The object `key`, or `None` when the bucket has none.
    pub async fn get(&self, key: &str) -> Result<Option<Object>, BucketError> {
        let response = self
            .send("GET", &self.url(Some(key)), &[], Vec::new())
            .await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = checked(response).await?;
        let metadata = metadata_of(&response);
        let body = response
            .bytes()
            .await
            .map_err(|e| BucketError::Transport(e.to_string()))?;
        Ok(Some(Object {
            body: body.to_vec(),
            metadata,
        }))
    }

    /// The user metadata of the object `key` (a `HEAD`: no body), or `None` when there is none.
    pub async fn metadata(&self, key: &str) -> Result<Option<Vec<(String, String)>>, BucketError> {
        let response = self
            .send("HEAD", &self.url(Some(key)), &[], Vec::new())
            .await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(metadata_of(&checked(response).await?)))
    }

    /// Writes `body` as `key` with the user `metadata`, replacing any object there whole.
    pub async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        metadata: &[(&str, &str)],
    ) -> Result<(), BucketError> {
        let headers: Vec<(String, String)> = metadata
            .iter()
            .map(|(n, v)| (format!("x-amz-meta-{n}"), (*v).to_owned()))
            .collect();
        let response = self
            .send("PUT", &self.url(Some(key)), &headers, body)
            .await?;
        checked(response).await.map(drop)
    }

    /// Creates the bucket (local servers; the stack creates the deployed one).
    pub async fn create(&self) -> Result<(), BucketError> {
        let response = self.send("PUT", &self.url(None), &[], Vec::new()).await?;
        checked(response).await.map(drop)
    }

    async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<reqwest::Response, BucketError> {
        if let Some(observer) = &self.observer {
            (observer.0)(method, url);
        }
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| BucketError::Credentials(e.to_string()))?;
        let identity = credentials.into();
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| BucketError::Signing(e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| BucketError::Signing(e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| BucketError::Signing(e.to_string()))?
            .into_parts();
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let mut request = request
            .body(body)
            .map_err(|e| BucketError::Signing(e.to_string()))?;
        instructions.apply_to_request_http1x(&mut request);
        let request =
            reqwest::Request::try_from(request).map_err(|e| BucketError::Signing(e.to_string()))?;
        self.client
            .execute(request)
            .await
            .map_err(|e| BucketError::Transport(e.to_string()))
    }
}

/// A response's user metadata (`x-amz-meta-*`), names without the prefix.
fn metadata_of(response: &reqwest::Response) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let name = name.as_str().strip_prefix("x-amz-meta-")?;
            Some((name.to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

/// The response when its status is a success; else its status and S3's error code.
async fn checked(response: reqwest::Response) -> Result<reqwest::Response, BucketError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let code = text
        .split("<Code>")
        .nth(1)
        .and_then(|rest| rest.split("</Code>").next())
        .unwrap_or("")
        .to_owned();
    Err(BucketError::Status { status, code })
}
