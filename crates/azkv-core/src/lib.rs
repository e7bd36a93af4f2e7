//! The HTTP pipeline, errors, paging and long-running operations shared by every azkv client.
//!
//! Client crates (`azkv-secrets`, `azkv-keys`, `azkv-certificates`, `azkv-mgmt`) build a
//! [`Request`], hand it to a [`Pipeline`] and decode the [`RawResponse`] into a typed
//! [`Response<T>`]. The pipeline runs policies in a fixed, documented order (see [`Pipeline`]):
//! user agent, client request id, your per-call policies, retry, your per-try policies,
//! authentication, logging and finally the [`Transport`].
//!
//! Contents:
//! - requests and responses: [`Request`], [`RawResponse`], [`Response`], [`Context`]
//! - the pipeline: [`Pipeline`], [`Policy`], [`Next`], [`ClientOptions`]
//! - policies: [`policies`] (retry, authentication, logging, telemetry, request id)
//! - transport: [`Transport`], [`ReqwestTransport`], [`TransportOptions`]
//! - credentials: [`TokenCredential`], [`AccessToken`], [`TokenRequestOptions`]
//! - results: [`Error`], [`ErrorKind`], [`Result`]
//! - lists and long-running operations: [`Pager`], [`Page`], [`Poller`], [`PollStatus`]
//! - secrets in memory: [`Sensitive`]
//! - clouds: [`CloudConfiguration`]
//!
//! Cargo features:
//! - `blocking` (off by default): [`blocking`], the runtime, iterator and poller that the client
//!   crates' blocking clients are built on.
//!
//! # Examples
//!
//! Sending one request through a pipeline with no authentication:
//!
//! ```no_run
//! use azkv_core::{ClientOptions, Context, Method, Pipeline, Request, Url};
//!
//! # async fn run() -> azkv_core::Result<()> {
//! let pipeline = Pipeline::new("my-crate", "0.1.0", &ClientOptions::default(), None)?;
//! let url = Url::parse("https://example.com/status").expect("valid url");
//! let mut request = Request::new(Method::GET, url);
//! let response = pipeline.send(&Context::new(), &mut request).await?;
//! println!("status {}", response.status());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod cloud;
mod context;
mod credential;
mod error;
mod options;
mod pager;
mod pipeline;
pub mod policies;
mod poller;
mod request;
mod response;
mod sensitive;
mod transport;
pub mod vault;

pub use bytes::Bytes;
pub use cloud::CloudConfiguration;
pub use context::Context;
pub use credential::{AccessToken, TokenCredential, TokenRequestOptions};
pub use error::{Error, ErrorKind, Result};
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
pub use options::ClientOptions;
pub use pager::{Page, PageStream, Pager};
pub use pipeline::{Next, Pipeline, Policy};
pub use poller::{PollOperation, PollStatus, Poller, PollerOptions};
pub use request::Request;
pub use response::{RawResponse, Response};
pub use sensitive::Sensitive;
pub use transport::{ReqwestTransport, Transport, TransportOptions};
pub use url::Url;

/// Header carrying the id the service assigned to a request.
pub const REQUEST_ID_HEADER: &str = "x-ms-request-id";
/// Header carrying the id the client assigned to a request.
pub const CLIENT_REQUEST_ID_HEADER: &str = "x-ms-client-request-id";
