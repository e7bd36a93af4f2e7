//! [`Request`]: an HTTP request as it travels through the pipeline.
//!
//! The body is held as [`Bytes`], so policies that must replay it (retry, challenge
//! authentication) clone it cheaply. `Debug` shows the body's length, never its content, and
//! the URL without its query.

use crate::error::{Error, Result};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use std::fmt;
use url::Url;

/// An HTTP request: method, URL, headers and body.
///
/// # Examples
///
/// ```
/// use azkv_core::{Method, Request, Url};
///
/// # fn main() -> azkv_core::Result<()> {
/// let url = Url::parse("https://myvault.vault.azure.net/secrets/db?api-version=2026-04-01").expect("url");
/// let mut request = Request::new(Method::PUT, url);
/// request.set_json(&serde_json::json!({ "value": "s3cret" }))?;
/// assert_eq!(request.header("content-type"), Some("application/json"));
/// assert!(!format!("{request:?}").contains("s3cret"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Bytes,
    idempotent: bool,
}

impl Request {
    /// Creates a request with no headers and an empty body. Its idempotency follows the method
    /// (`GET`, `HEAD`, `PUT`, `DELETE` and `OPTIONS` are idempotent); see
    /// [`set_idempotent`](Self::set_idempotent).
    pub fn new(method: Method, url: Url) -> Self {
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            idempotent,
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL, to change.
    pub fn url_mut(&mut self) -> &mut Url {
        &mut self.url
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// A header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Sets a header, replacing any earlier value.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the name or value is not
    /// a valid HTTP header.
    pub fn insert_header(&mut self, name: &str, value: &str) -> Result<()> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_input("header name", "not a valid HTTP header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_input("header value", "not a valid HTTP header value"))?;
        self.headers.insert(name, value);
        Ok(())
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Replaces the body.
    pub fn set_body(&mut self, body: impl Into<Bytes>) {
        self.body = body.into();
    }

    /// Takes the body out, leaving an empty one.
    pub fn take_body(&mut self) -> Bytes {
        std::mem::take(&mut self.body)
    }

    /// Serializes `value` as the JSON body and sets `Content-Type: application/json`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `value` cannot be
    /// serialized.
    pub fn set_json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let body = serde_json::to_vec(value).map_err(|e| {
            Error::with_source(
                crate::ErrorKind::InvalidInput,
                "could not encode the body",
                e,
            )
        })?;
        self.body = Bytes::from(body);
        self.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(())
    }

    /// Whether sending this request twice has the same effect as sending it once. The retry
    /// policy resends a request that may have reached the service only when this is true.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// Marks the request idempotent or not. Clients mark requests that create a new version
    /// (such as setting a secret) as not idempotent.
    pub fn set_idempotent(&mut self, idempotent: bool) {
        self.idempotent = idempotent;
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field(
                "url",
                &crate::policies::logging::redacted_url(&self.url, &[]),
            )
            .field("body_len", &self.body.len())
            .field("idempotent", &self.idempotent)
            .finish_non_exhaustive()
    }
}
