//! Credentials: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or (generate only) an `apiKey`
//! body field. No credential means the anonymous plan; a credential that is sent but wrong is always
//! an error, never a fall-back to anonymous.

use super::error::{ApiError, ErrorCode};
use super::request::Call;
use crate::keys::{self, Kind, Token};
use lambda_http::http::header::AUTHORIZATION;

pub use crate::admission::Credential;

/// Extracts the caller's credential; `body_key` is the `apiKey` body field where the route allows it.
pub fn credential(call: &Call, body_key: Option<String>) -> Result<Credential, ApiError> {
    let invalid_header = |message: &str| ApiError::new(ErrorCode::InvalidAuthHeader, message);
    let mut tokens: Vec<String> = Vec::new();

    let mut authorization = call.headers.get_all(AUTHORIZATION).iter();
    if let Some(value) = authorization.next() {
        if authorization.next().is_some() {
            return Err(invalid_header("send one Authorization header"));
        }
        let value = value
            .to_str()
            .map_err(|_| invalid_header("the Authorization header is not ASCII"))?;
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty() && !token.contains(char::is_whitespace))
            .ok_or_else(|| {
                invalid_header("the Authorization header must be \"Bearer <api key>\"")
            })?;
        tokens.push(token.to_string());
    }
    let mut api_key_header = call.headers.get_all("x-api-key").iter();
    if let Some(value) = api_key_header.next() {
        if api_key_header.next().is_some() {
            return Err(invalid_header("send one X-API-Key header"));
        }
        let value = value.to_str().map_err(|_| invalid_api_key())?;
        tokens.push(value.trim().to_string());
    }
    tokens.extend(body_key);

    let Some(first) = tokens.first() else {
        return Ok(Credential::Anonymous { ip: call.source_ip });
    };
    if tokens.iter().any(|t| t != first) {
        return Err(invalid_header("the request carries different API keys"));
    }
    Token::parse(Kind::ApiKey, first)
        .map(Credential::ApiKey)
        .ok_or_else(invalid_api_key)
}

fn invalid_api_key() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidApiKey,
        format!(
            "not an API key: keys are {} followed by {} letters and digits",
            keys::KEY_PREFIX,
            keys::ID_LEN + keys::SECRET_LEN + keys::CHECK_LEN
        ),
    )
}
