//! API errors: a stable code, a status, a message for people, and the parameter at fault.

use crate::evaluate::EvaluateError;
use crate::generate::GenerateError;
use crate::store::StoreError;
use lambda_http::http::StatusCode;

/// An error response: `{"error": code, "message": …, "param": …}` with `status`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
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
    /// An error without a parameter.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
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
            ..ApiError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", message)
        }
    }

    /// 400 `UNKNOWN_PARAMETER` naming `param`.
    pub fn unknown_parameter(param: &str) -> ApiError {
        ApiError {
            param: Some(param.to_string()),
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "UNKNOWN_PARAMETER",
                format!("unknown parameter {param:?}"),
            )
        }
    }

    /// 400 `INVALID_JSON_BODY`.
    pub fn invalid_json(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON_BODY", message)
    }

    /// 401 with an authentication code.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 404 `NOT_FOUND`.
    pub fn not_found(path: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("no route for {path:?}"),
        )
    }

    /// 405 `METHOD_NOT_ALLOWED` with an `Allow` header.
    pub fn method_not_allowed(method: &str, allow: &[&str]) -> ApiError {
        let allow = allow.join(", ");
        ApiError {
            headers: vec![("allow", allow.clone())],
            ..ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                format!("{method} is not allowed here; use {allow}"),
            )
        }
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    pub fn payload_too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
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
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "the service is temporarily unavailable; retry shortly",
            )
        }
    }
}

impl From<EvaluateError> for ApiError {
    fn from(e: EvaluateError) -> ApiError {
        let code = match e {
            EvaluateError::Empty => "PASSWORD_EMPTY",
            EvaluateError::TooLong(_) => "PASSWORD_TOO_LONG",
        };
        ApiError {
            param: Some("password".to_owned()),
            ..ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
        }
    }
}

impl From<GenerateError> for ApiError {
    fn from(e: GenerateError) -> ApiError {
        ApiError::invalid_parameter(e.param, e.message)
    }
}
