//! Small HTTP helpers shared by the handlers: the request view they receive, JSON responses,
//! query parsing and body limits.

use crate::error::{ApiError, ApiResult};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::Full;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The response type of every handler.
pub type Response = http::Response<Full<Bytes>>;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// A request as handlers see it: already read into memory.
#[derive(Debug)]
pub struct Req {
    /// Method.
    pub method: Method,
    /// Path, percent-decoded segments not yet split.
    pub path: String,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
    /// `scheme://host[:port]` the client addressed, used to build ids.
    pub base_url: String,
}

impl Req {
    /// A query parameter by exact name.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header's text value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The path split into segments; a trailing slash gives a last empty segment.
    pub fn segments(&self) -> Vec<&str> {
        self.path.trim_start_matches('/').split('/').collect()
    }

    /// Decodes the JSON body.
    pub fn json<T: DeserializeOwned>(&self) -> ApiResult<T> {
        if self.body.is_empty() {
            return Err(ApiError::bad_parameter("The request body is empty."));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::bad_parameter(format!(
                "The request body is not valid JSON for this operation (line {}, column {}).",
                e.line(),
                e.column()
            ))
        })
    }
}

/// A JSON response.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = http::Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// An empty response.
pub fn empty_response(status: StatusCode) -> Response {
    let mut response = http::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// 200 with a JSON body.
pub fn ok<T: Serialize>(body: &T) -> ApiResult<Response> {
    Ok(json_response(StatusCode::OK, body))
}

/// Decodes a query string into pairs.
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}
