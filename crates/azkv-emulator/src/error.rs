//! [`ApiError`]: the one error type of the emulator's handlers, written as the service writes
//! its errors (`{"error":{"code":...,"message":...}}`) with the matching status.

use crate::http::{json_response, Response};
use http::StatusCode;
use serde_json::json;

/// An error answered to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Service error code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Inner error code (Key Vault's `innererror.code`), when the service gives one.
    pub inner_code: Option<String>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            inner_code: None,
        }
    }

    /// 400 `BadParameter`.
    pub fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadParameter", message)
    }

    /// 404 with a code such as `SecretNotFound`.
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 409 `Conflict`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Conflict", message)
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Adds an inner error code.
    pub fn with_inner(mut self, code: &str) -> Self {
        self.inner_code = Some(code.to_owned());
        self
    }

    /// The response the client gets.
    pub fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(inner) = &self.inner_code {
            error["innererror"] = json!({ "code": inner });
        }
        json_response(self.status, &json!({ "error": error }))
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
