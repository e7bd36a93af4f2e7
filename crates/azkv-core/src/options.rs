//! [`ClientOptions`]: what every client's options have in common.

use crate::cloud::CloudConfiguration;
use crate::pipeline::Policy;
use crate::policies::{LoggingOptions, RetryOptions};
use crate::transport::Transport;
use std::sync::Arc;

/// Options shared by every client: retry, transport, extra policies, API version and cloud.
///
/// # Examples
///
/// ```
/// use azkv_core::{ClientOptions, policies::RetryOptions};
///
/// let options = ClientOptions {
///     retry: RetryOptions::none(),
///     application_id: Some("inventory-service".into()),
///     ..Default::default()
/// };
/// assert_eq!(options.retry.max_retries, 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// When and how often to retry.
    pub retry: RetryOptions,
    /// The HTTP stack; by default a [`ReqwestTransport`](crate::ReqwestTransport) per client.
    /// Share one between clients to share its connection pool.
    pub transport: Option<Arc<dyn Transport>>,
    /// Policies run once per operation, before retry.
    pub per_call_policies: Vec<Arc<dyn Policy>>,
    /// Policies run once per attempt, inside the retry loop.
    pub per_try_policies: Vec<Arc<dyn Policy>>,
    /// Which headers and query parameters may be logged.
    pub logging: LoggingOptions,
    /// The service API version; each client defaults to the newest stable one it knows.
    pub api_version: Option<String>,
    /// The Azure cloud (authority host, Resource Manager endpoint and audience).
    pub cloud: CloudConfiguration,
    /// Your application's id, put first in the `User-Agent` header (at most 24 characters).
    pub application_id: Option<String>,
}
