//! [`RawResponse`] (status, headers and body as bytes) and [`Response<T>`] (the same with the
//! body decoded into a model).
//!
//! `Debug` of either shows the body's length, never its content.

use crate::error::{Error, Result};
use crate::REQUEST_ID_HEADER;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;

/// An HTTP response whose body has been read into memory.
#[derive(Clone)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl RawResponse {
    /// Creates a response.
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers,
            body: body.into(),
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The `x-ms-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.header(REQUEST_ID_HEADER)
    }

    /// Decodes the JSON body.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Deserialize`](crate::ErrorKind::Deserialize) when the body does not decode
    /// as `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.body)?)
    }

    /// Returns `self` when the status is a success (2xx), else the error the body describes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](crate::ErrorKind::Http) for any status outside 2xx.
    pub fn success(self) -> Result<Self> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(Error::from_response(&self))
        }
    }

    /// Decodes the body into `T` and keeps status and headers: the usual last step of an operation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](crate::ErrorKind::Http) for a status outside 2xx;
    /// [`ErrorKind::Deserialize`](crate::ErrorKind::Deserialize) when the body does not decode.
    pub fn into_model<T: DeserializeOwned>(self) -> Result<Response<T>> {
        let raw = self.success()?;
        let model = raw.json()?;
        Ok(Response::new(raw.status, raw.headers, model))
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// A successful response with its body decoded into `T`.
///
/// # Examples
///
/// ```
/// use azkv_core::{HeaderMap, Response, StatusCode};
///
/// let response = Response::new(StatusCode::OK, HeaderMap::new(), 42_u32);
/// assert_eq!(*response.model(), 42);
/// assert_eq!(response.into_model(), 42);
/// ```
#[derive(Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    model: T,
}

impl<T> Response<T> {
    /// Creates a response.
    pub fn new(status: StatusCode, headers: HeaderMap, model: T) -> Self {
        Self {
            status,
            headers,
            model,
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `x-ms-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
    }

    /// The decoded model.
    pub fn model(&self) -> &T {
        &self.model
    }

    /// Takes the decoded model.
    pub fn into_model(self) -> T {
        self.model
    }

    /// Maps the model, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            model: f(self.model),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}
