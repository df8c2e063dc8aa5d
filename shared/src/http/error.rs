//! API errors: a stable code, a status, a message for people, and the parameter at fault.

use crate::evaluate::EvaluateError;
use crate::generate::GenerateError;
use crate::store::StoreError;
use lambda_http::http::StatusCode;

/// Declares [`ErrorCode`] from one table: variant, stable code, status.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal, $status:ident;)*) => {
        /// Every stable error code the API answers with, and its status: the one list that
        /// openapi.yaml's `Error.error` enum and README's table are checked against.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as the API writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// Its HTTP status.
            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }
        }
    };
}

error_codes! {
    /// A value out of range, of the wrong type, or a constraint that cannot be met.
    InvalidParameter = "INVALID_PARAMETER", BAD_REQUEST;
    /// A parameter the endpoint does not know.
    UnknownParameter = "UNKNOWN_PARAMETER", BAD_REQUEST;
    /// A body that is not a JSON object, or not UTF-8.
    InvalidJsonBody = "INVALID_JSON_BODY", BAD_REQUEST;
    /// Evaluate: an empty or missing password.
    PasswordEmpty = "PASSWORD_EMPTY", BAD_REQUEST;
    /// Evaluate: a password over the length evaluated.
    PasswordTooLong = "PASSWORD_TOO_LONG", BAD_REQUEST;
    /// Register, regenerate: not a valid email address.
    InvalidEmail = "INVALID_EMAIL", BAD_REQUEST;
    /// Register: the email has a key.
    EmailAlreadyExists = "EMAIL_ALREADY_EXISTS", BAD_REQUEST;
    /// Usage: a hard limit below today's usage.
    HardLimitTooLow = "HARD_LIMIT_TOO_LOW", BAD_REQUEST;
    /// `Authorization` not `Bearer <token>`, or a key sent in more than one way.
    InvalidAuthHeader = "INVALID_AUTH_HEADER", UNAUTHORIZED;
    /// A key is required and none was sent.
    MissingAuthHeader = "MISSING_AUTH_HEADER", UNAUTHORIZED;
    /// Not an API key (prefix, length, alphabet, checksum).
    InvalidApiKey = "INVALID_API_KEY", UNAUTHORIZED;
    /// A well-formed key that matches no account (or was regenerated).
    ApiKeyNotFound = "API_KEY_NOT_FOUND", UNAUTHORIZED;
    /// An operator revoked the key (and its regeneration token).
    ApiKeyRevoked = "API_KEY_REVOKED", UNAUTHORIZED;
    /// The key's expiry, as an operator set it, passed.
    ApiKeyExpired = "API_KEY_EXPIRED", UNAUTHORIZED;
    /// Regenerate: the email and token do not match a key.
    InvalidRegenToken = "INVALID_REGEN_TOKEN", UNAUTHORIZED;
    /// MCP: a request the transport refuses (an unsupported `MCP-Protocol-Version`, a body that
    /// is JSON but not a JSON-RPC message, a missing `Mcp-Method` header...).
    InvalidMcpRequest = "INVALID_MCP_REQUEST", BAD_REQUEST;
    /// MCP: the client does not accept `application/json` and `text/event-stream`.
    NotAcceptable = "NOT_ACCEPTABLE", NOT_ACCEPTABLE;
    /// MCP: a body that is not `application/json`.
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED_MEDIA_TYPE;
    /// MCP: a browser `Origin` the deployment does not allow (DNS-rebinding protection).
    OriginNotAllowed = "ORIGIN_NOT_ALLOWED", FORBIDDEN;
    /// No route for the path.
    NotFound = "NOT_FOUND", NOT_FOUND;
    /// A known path with a wrong method.
    MethodNotAllowed = "METHOD_NOT_ALLOWED", METHOD_NOT_ALLOWED;
    /// A body over the limit.
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", PAYLOAD_TOO_LARGE;
    /// A key's daily limit, or the per-address registration limit.
    RateLimitExceeded = "RATE_LIMIT_EXCEEDED", TOO_MANY_REQUESTS;
    /// The anonymous daily limit.
    DemoLimitExceeded = "DEMO_LIMIT_EXCEEDED", TOO_MANY_REQUESTS;
    /// The key's own hard limit.
    HardLimitExceeded = "HARD_LIMIT_EXCEEDED", TOO_MANY_REQUESTS;
    /// The plan's (or the key's) monthly limit: until the first of next month, UTC.
    MonthlyLimitExceeded = "MONTHLY_LIMIT_EXCEEDED", TOO_MANY_REQUESTS;
    /// The database is unreachable or throttles.
    ServiceUnavailable = "SERVICE_UNAVAILABLE", SERVICE_UNAVAILABLE;
    /// A bug: the handler failed.
    InternalError = "INTERNAL_ERROR", INTERNAL_SERVER_ERROR;
}

/// An error response: `{"error": code, "message": …, "param": …}` with `status`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// The request parameter at fault, for parameter errors.
    pub param: Option<String>,
    /// Extra response headers (e.g. `Allow`).
    pub headers: Vec<(&'static str, String)>,
    /// Extra body fields (e.g. `limit` and `reset_at` on 429).
    pub fields: Vec<(&'static str, serde_json::Value)>,
}

impl ApiError {
    /// An error without a parameter, with its code's status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status: code.status(),
            code,
            message: message.into(),
            param: None,
            headers: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// 400 `INVALID_PARAMETER` naming `param`.
    pub fn invalid_parameter(param: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            param: Some(param.into()),
            ..ApiError::new(ErrorCode::InvalidParameter, message)
        }
    }

    /// 400 `UNKNOWN_PARAMETER` naming `param`.
    pub fn unknown_parameter(param: &str) -> ApiError {
        ApiError {
            param: Some(param.to_string()),
            ..ApiError::new(
                ErrorCode::UnknownParameter,
                format!("unknown parameter {param:?}"),
            )
        }
    }

    /// 400 `INVALID_JSON_BODY`.
    pub fn invalid_json(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidJsonBody, message)
    }

    /// 404 `NOT_FOUND`.
    pub fn not_found(path: &str) -> ApiError {
        ApiError::new(ErrorCode::NotFound, format!("no route for {path:?}"))
    }

    /// 405 `METHOD_NOT_ALLOWED` with an `Allow` header.
    pub fn method_not_allowed(method: &str, allow: &[&str]) -> ApiError {
        let allow = allow.join(", ");
        ApiError {
            headers: vec![("allow", allow.clone())],
            ..ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("{method} is not allowed here; use {allow}"),
            )
        }
    }

    /// 500 `INTERNAL_ERROR`: a bug, logged where it happened.
    pub fn internal() -> ApiError {
        ApiError::new(ErrorCode::InternalError, "internal error")
    }

    /// The error's JSON body: `{error, message}`, `param` for a parameter at fault, and its extra
    /// fields (`limit` and `reset_at` on 429).
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({"error": self.code.as_str(), "message": self.message});
        if let Some(param) = &self.param {
            body["param"] = serde_json::json!(param);
        }
        for (name, value) in &self.fields {
            body[*name] = value.clone();
        }
        body
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    pub fn payload_too_large(limit: usize) -> ApiError {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes"),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        tracing::error!(error = %e, "store unavailable");
        ApiError {
            headers: vec![("retry-after", "5".to_owned())],
            ..ApiError::new(
                ErrorCode::ServiceUnavailable,
                "the service is temporarily unavailable; retry shortly",
            )
        }
    }
}

impl From<EvaluateError> for ApiError {
    fn from(e: EvaluateError) -> ApiError {
        let code = match e {
            EvaluateError::Empty => ErrorCode::PasswordEmpty,
            EvaluateError::TooLong(_) => ErrorCode::PasswordTooLong,
        };
        ApiError {
            param: Some("password".to_owned()),
            ..ApiError::new(code, e.to_string())
        }
    }
}

impl From<GenerateError> for ApiError {
    fn from(e: GenerateError) -> ApiError {
        ApiError::invalid_parameter(e.param, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_upper_snake_case_and_errors() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{s}"
            );
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert_eq!(ApiError::new(*code, "m").status, code.status());
        }
    }
}
