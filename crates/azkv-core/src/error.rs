//! [`Error`], [`ErrorKind`] and [`Result`]: the one error type of every azkv crate.
//!
//! Errors are split by where they failed, which also tells whether the request may have reached
//! the service: see each [`ErrorKind`] variant. Service error bodies (Key Vault and Azure Resource
//! Manager share one shape) are parsed by one function, [`Error::from_response`].
//! Messages never contain URLs with their query, tokens or secret values.

use crate::response::RawResponse;
use crate::REQUEST_ID_HEADER;
use http::StatusCode;
use serde::Deserialize;
use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// The result type of every azkv operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, and whether the request may have reached the service.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with an error status. The request reached the service.
    Http {
        /// HTTP status of the response.
        status: StatusCode,
        /// Service error code, such as `SecretNotFound` (the innermost code the body names).
        code: Option<String>,
        /// Service error message.
        message: Option<String>,
        /// The `x-ms-request-id` the service assigned, for support cases.
        request_id: Option<String>,
    },
    /// A credential could not produce a token. The request was not sent with a token.
    Credential,
    /// A credential is not set up in this environment (no variables, no endpoint, no tool),
    /// so a chain of credentials may try the next one. The request was not sent.
    CredentialUnavailable,
    /// The service's authentication challenge was refused (its resource does not match the
    /// vault, or its authority is unsafe). Only a request without a body was sent.
    Challenge,
    /// No connection could be made. The request was not sent.
    Connection,
    /// The connection failed while sending or receiving. The request may have been sent.
    Io,
    /// A response body could not be decoded. The request reached the service.
    Deserialize,
    /// An argument was invalid. Nothing was sent.
    InvalidInput,
    /// The operation did not finish in time. The request may have been sent.
    Timeout,
    /// A long-running operation finished in failure or was cancelled.
    OperationFailed {
        /// Error code the operation reported, when any.
        code: Option<String>,
        /// Error message the operation reported, when any.
        message: Option<String>,
    },
    /// A blocking client was called from inside an async runtime, where blocking would stall
    /// it. Nothing was sent; call the async client instead.
    BlockingInAsyncContext,
    /// Any other failure, such as a misconfigured pipeline.
    Other,
}

/// The error of every azkv operation: an [`ErrorKind`], a short message and an optional cause.
///
/// # Examples
///
/// ```
/// use azkv_core::{Error, ErrorKind};
///
/// let err = Error::invalid_input("name", "must not be empty");
/// assert_eq!(err.kind(), &ErrorKind::InvalidInput);
/// assert_eq!(err.to_string(), "invalid name: must not be empty");
/// ```
pub struct Error {
    kind: ErrorKind,
    message: Cow<'static, str>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Error {
    /// Creates an error of `kind` with `message` (lowercase, no final period).
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Creates an error of `kind` with `message` caused by `source`.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<Cow<'static, str>>,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// An [`ErrorKind::InvalidInput`] error naming the argument that was wrong.
    pub fn invalid_input(argument: &str, problem: &str) -> Self {
        Self::new(
            ErrorKind::InvalidInput,
            format!("invalid {argument}: {problem}"),
        )
    }

    /// Turns an error response into an [`ErrorKind::Http`] error, parsing the Key Vault or
    /// Azure Resource Manager error body (`{"error":{"code":...,"message":...}}`) when present.
    pub fn from_response(response: &RawResponse) -> Self {
        let status = response.status();
        let request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (code, message) = parse_error_body(response.body());
        let mut text = format!("service answered {}", status.as_u16());
        if let Some(code) = &code {
            text.push_str(": ");
            text.push_str(code);
        }
        if let Some(message) = &message {
            text.push_str(": ");
            text.push_str(message);
        }
        Self::new(
            ErrorKind::Http {
                status,
                code,
                message,
                request_id,
            },
            text,
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The HTTP status, for [`ErrorKind::Http`] errors.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.kind {
            ErrorKind::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The service error code, for [`ErrorKind::Http`] and [`ErrorKind::OperationFailed`] errors.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Http { code, .. } | ErrorKind::OperationFailed { code, .. } => {
                code.as_deref()
            }
            _ => None,
        }
    }

    /// The `x-ms-request-id` of the failed response, for [`ErrorKind::Http`] errors.
    pub fn request_id(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the request certainly did not reach the service.
    pub fn is_not_sent(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Connection
                | ErrorKind::InvalidInput
                | ErrorKind::Credential
                | ErrorKind::CredentialUnavailable
        )
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<reqwest::Error> for Error {
    fn from(err: reqwest::Error) -> Self {
        // Drop the URL: its query may carry secrets (SAS tokens, skip tokens).
        let err = err.without_url();
        let (kind, message) = if err.is_connect() {
            (ErrorKind::Connection, "could not connect")
        } else if err.is_timeout() {
            (ErrorKind::Timeout, "request timed out")
        } else if err.is_builder() {
            (ErrorKind::InvalidInput, "could not build the request")
        } else {
            (ErrorKind::Io, "connection failed during the request")
        };
        Self::with_source(kind, message, err)
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        // serde_json messages name positions and types, never the input text.
        Self::with_source(ErrorKind::Deserialize, "could not decode the body", err)
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: Option<ErrorBody>,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innererror", alias = "innerError")]
    inner: Option<Box<ErrorBody>>,
}

/// Parses a service error body into its (innermost) code and its message. Never fails: a body
/// that is not an error document gives `(None, None)`.
pub(crate) fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(body) else {
        return (None, None);
    };
    match envelope.error {
        Some(error) => {
            let message = error.message.clone();
            let mut code = error.code.clone();
            let mut inner = error.inner;
            // Key Vault puts the precise reason in the innermost error (e.g. a disabled secret).
            while let Some(next) = inner {
                if next.code.is_some() {
                    code = next.code.clone();
                }
                inner = next.inner;
            }
            (code, message)
        }
        None => (envelope.code, envelope.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_vault_error_body() {
        let body = br#"{"error":{"code":"SecretNotFound","message":"A secret with (name/id) x was not found in this key vault."}}"#;
        let (code, message) = parse_error_body(body);
        assert_eq!(code.as_deref(), Some("SecretNotFound"));
        assert!(message.unwrap().contains("was not found"));
    }

    #[test]
    fn parses_inner_error_code() {
        let body = br#"{"error":{"code":"Forbidden","message":"m","innererror":{"code":"SecretDisabled"}}}"#;
        assert_eq!(parse_error_body(body).0.as_deref(), Some("SecretDisabled"));
    }

    #[test]
    fn parses_flat_arm_error() {
        let body = br#"{"code":"ResourceNotFound","message":"gone"}"#;
        assert_eq!(
            parse_error_body(body).0.as_deref(),
            Some("ResourceNotFound")
        );
    }

    #[test]
    fn garbage_body_gives_nothing() {
        for body in [&b""[..], b"<html>", b"{\"error\":12}", b"[1,2]"] {
            assert_eq!(parse_error_body(body), (None, None));
        }
    }

    #[test]
    fn display_names_argument() {
        let err = Error::invalid_input("secret name", "must not be empty");
        assert_eq!(err.to_string(), "invalid secret name: must not be empty");
        assert!(err.is_not_sent());
    }
}
