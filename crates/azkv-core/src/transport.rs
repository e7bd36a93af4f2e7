//! [`Transport`], the trait at the end of every pipeline, and [`ReqwestTransport`], the default
//! one (reqwest with rustls and the ring provider).

use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::response::RawResponse;
use async_trait::async_trait;
use std::fmt::Debug;
use std::time::Duration;

/// Sends one request over the network and reads the whole response.
#[async_trait]
pub trait Transport: Send + Sync + Debug {
    /// Sends `request` and returns the response, whatever its status.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Connection`] when no connection could be made (nothing sent),
    /// [`ErrorKind::Io`] or [`ErrorKind::Timeout`] when the exchange failed part-way.
    async fn send(&self, request: &Request) -> Result<RawResponse>;
}

/// Options of the default transport.
///
/// # Examples
///
/// Trusting a local emulator's certificate:
///
/// ```no_run
/// use azkv_core::{ReqwestTransport, TransportOptions};
///
/// # fn main() -> azkv_core::Result<()> {
/// let pem = std::fs::read("emulator-ca.pem").expect("read certificate");
/// let transport = ReqwestTransport::new(&TransportOptions {
///     additional_root_certificates: vec![pem],
///     ..Default::default()
/// })?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TransportOptions {
    /// Timeout of one whole request (connect, send and read). Default 100 s.
    pub timeout: Duration,
    /// Timeout of connecting. Default 10 s.
    pub connect_timeout: Duration,
    /// Extra certificate authorities to trust, PEM-encoded, beside the system's.
    pub additional_root_certificates: Vec<Vec<u8>>,
    /// How long an idle pooled connection is kept. Default 90 s.
    pub pool_idle_timeout: Duration,
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(100),
            connect_timeout: Duration::from_secs(10),
            additional_root_certificates: Vec::new(),
            pool_idle_timeout: Duration::from_secs(90),
        }
    }
}

/// The default transport: reqwest over rustls (ring provider), HTTP/1.1 and HTTP/2, one
/// connection pool. Cloning shares the pool.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// Builds a transport.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when a root certificate is not valid PEM;
    /// [`ErrorKind::Other`] when the TLS stack cannot be set up.
    pub fn new(options: &TransportOptions) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .pool_idle_timeout(options.pool_idle_timeout);
        for pem in &options.additional_root_certificates {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidInput,
                    "invalid additional root certificate",
                    e.without_url(),
                )
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(|e| {
            Error::with_source(ErrorKind::Other, "could not build the HTTP client", e)
        })?;
        Ok(Self { client })
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: &Request) -> Result<RawResponse> {
        let mut builder = self
            .client
            .request(request.method().clone(), request.url().clone())
            .headers(request.headers().clone());
        if !request.body().is_empty() {
            builder = builder.body(request.body().clone());
        } else if needs_length(request) {
            builder = builder.header(http::header::CONTENT_LENGTH, "0");
        }
        let response = builder.send().await?;
        // Taken apart rather than borrowed, so the headers move instead of being copied.
        let (parts, body) = http::Response::from(response).into_parts();
        let body = http_body_util::BodyExt::collect(body).await?.to_bytes();
        Ok(RawResponse::new(parts.status, parts.headers, body))
    }
}

/// PUT, POST and PATCH carry `Content-Length: 0` even when empty, as servers expect.
fn needs_length(request: &Request) -> bool {
    matches!(
        *request.method(),
        http::Method::PUT | http::Method::POST | http::Method::PATCH
    )
}
