//! [`Pipeline`], [`Policy`] and [`Next`]: how a request travels from a client to the transport.
//!
//! A pipeline is an ordered list of policies composed at runtime from [`ClientOptions`]. Each
//! policy may change the request, call the rest of the chain through [`Next`] (zero, one or
//! several times) and change the response. The order is fixed and documented on [`Pipeline`].

use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::options::ClientOptions;
use crate::policies::{
    LoggingPolicy, RequestIdPolicy, RetryPolicy, TransportPolicy, UserAgentPolicy,
};
use crate::request::Request;
use crate::response::RawResponse;
use async_trait::async_trait;
use std::fmt::Debug;
use std::sync::Arc;

/// One step of the pipeline.
///
/// # Examples
///
/// A policy that adds a header to every try:
///
/// ```
/// use azkv_core::{Context, Next, Policy, RawResponse, Request, Result};
///
/// #[derive(Debug)]
/// struct Tag;
///
/// #[async_trait::async_trait]
/// impl Policy for Tag {
///     async fn send(&self, ctx: &Context, request: &mut Request, next: Next<'_>) -> Result<RawResponse> {
///         request.insert_header("x-app-tag", "billing")?;
///         next.send(ctx, request).await
///     }
/// }
/// ```
#[async_trait]
pub trait Policy: Send + Sync + Debug {
    /// Handles `request`, normally by passing it on with `next.send(ctx, request)`.
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse>;
}

/// The rest of the pipeline after the current policy. It is `Copy`, so a policy can send
/// through it more than once (retry does).
#[derive(Clone, Copy, Debug)]
pub struct Next<'a> {
    rest: &'a [Arc<dyn Policy>],
}

impl<'a> Next<'a> {
    /// A chain made of `policies`; the last one should send (a transport policy).
    pub fn new(policies: &'a [Arc<dyn Policy>]) -> Self {
        Self { rest: policies }
    }

    /// Sends `request` through the rest of the chain.
    ///
    /// # Errors
    ///
    /// Whatever the rest of the chain returns; [`ErrorKind::Other`] when the chain is empty
    /// (no transport at its end).
    pub async fn send(self, ctx: &Context, request: &mut Request) -> Result<RawResponse> {
        match self.rest.split_first() {
            Some((policy, rest)) => policy.send(ctx, request, Next { rest }).await,
            None => Err(Error::new(
                ErrorKind::Other,
                "pipeline ended without a transport",
            )),
        }
    }
}

/// The ordered policies every request of a client passes through.
///
/// Order: user agent → client request id → [`ClientOptions::per_call_policies`] → retry →
/// [`ClientOptions::per_try_policies`] → authentication (when given) → logging → transport.
/// Per-call policies run once per operation; per-try policies run once per attempt, inside the
/// retry loop, so they see every resend.
///
/// # Examples
///
/// ```
/// use azkv_core::{ClientOptions, Pipeline};
///
/// # fn main() -> azkv_core::Result<()> {
/// let pipeline = Pipeline::new("azkv-secrets", "0.1.0", &ClientOptions::default(), None)?;
/// assert!(format!("{pipeline:?}").contains("RetryPolicy"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Pipeline {
    policies: Arc<[Arc<dyn Policy>]>,
}

impl Pipeline {
    /// Builds the pipeline of a client crate named `crate_name` at `crate_version`, with an
    /// optional authentication policy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Other`] when the default transport cannot be built (for example an invalid
    /// root certificate in the transport options).
    pub fn new(
        crate_name: &str,
        crate_version: &str,
        options: &ClientOptions,
        auth: Option<Arc<dyn Policy>>,
    ) -> Result<Self> {
        let transport = match &options.transport {
            Some(t) => t.clone(),
            None => Arc::new(crate::transport::ReqwestTransport::new(&Default::default())?),
        };
        let mut policies: Vec<Arc<dyn Policy>> = Vec::with_capacity(
            6 + options.per_call_policies.len() + options.per_try_policies.len(),
        );
        policies.push(Arc::new(UserAgentPolicy::new(
            crate_name,
            crate_version,
            options.application_id.as_deref(),
        )));
        policies.push(Arc::new(RequestIdPolicy));
        policies.extend(options.per_call_policies.iter().cloned());
        policies.push(Arc::new(RetryPolicy::new(options.retry.clone())));
        policies.extend(options.per_try_policies.iter().cloned());
        policies.extend(auth);
        policies.push(Arc::new(LoggingPolicy::new(options.logging.clone())));
        policies.push(Arc::new(TransportPolicy::new(transport)));
        Ok(Self {
            policies: policies.into(),
        })
    }

    /// A pipeline of exactly `policies`, in order; the last should be a transport policy.
    pub fn from_policies(policies: Vec<Arc<dyn Policy>>) -> Self {
        Self {
            policies: policies.into(),
        }
    }

    /// The policies, in order.
    pub fn policies(&self) -> &[Arc<dyn Policy>] {
        &self.policies
    }

    /// Sends `request` through every policy and returns the response, whatever its status.
    ///
    /// # Errors
    ///
    /// Any error of a policy or the transport; error statuses are returned as responses.
    pub async fn send(&self, ctx: &Context, request: &mut Request) -> Result<RawResponse> {
        Next::new(&self.policies).send(ctx, request).await
    }
}
