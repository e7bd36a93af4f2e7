//! [`TransportPolicy`]: the last policy, which hands the request to a [`Transport`].

use crate::{Context, Next, Policy, RawResponse, Request, Result, Transport};
use async_trait::async_trait;
use std::sync::Arc;

/// Sends the request with its transport; never calls the rest of the chain.
#[derive(Debug, Clone)]
pub struct TransportPolicy {
    transport: Arc<dyn Transport>,
}

impl TransportPolicy {
    /// A policy sending through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self { transport }
    }
}

#[async_trait]
impl Policy for TransportPolicy {
    async fn send(
        &self,
        _ctx: &Context,
        request: &mut Request,
        _next: Next<'_>,
    ) -> Result<RawResponse> {
        self.transport.send(request).await
    }
}
