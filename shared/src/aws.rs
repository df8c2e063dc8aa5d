//! The AWS SDK configuration every client of the functions shares, and the pepper read from
//! Secrets Manager at start-up.

use crate::config::ConfigError;
use crate::pepper::Pepper;
use std::time::Duration;

/// SDK configuration: the platform's region and credentials, two attempts, and short timeouts (a
/// request must answer within the function's budget). With `endpoint` (DynamoDB Local, a local
/// Secrets Manager), that endpoint, and a placeholder region and credentials unless the
/// environment names real ones: local servers accept any.
pub async fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(500))
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
