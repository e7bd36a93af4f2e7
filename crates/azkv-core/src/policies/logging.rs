//! [`LoggingPolicy`]: `tracing` events for each try, with allow-listed headers and query keys.
//!
//! Events: `debug` when a request is sent (method, URL) and when its response arrives (status,
//! duration, request id); `trace` adds the allow-listed headers. Bodies are never logged. A
//! header or query parameter not on the allow-list is logged as `REDACTED`; `Authorization` can
//! never be allowed.

use crate::{Context, Next, Policy, RawResponse, Request, Result};
use async_trait::async_trait;
use http::HeaderMap;
use std::time::Instant;
use url::Url;

const REDACTED: &str = "REDACTED";

const DEFAULT_HEADERS: &[&str] = &[
    "accept",
    "azure-asyncoperation",
    "cache-control",
    "connection",
    "content-length",
    "content-type",
    "date",
    "etag",
    "expires",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "last-modified",
    "location",
    "pragma",
    "retry-after",
    "retry-after-ms",
    "server",
    "traceparent",
    "transfer-encoding",
    "user-agent",
    "www-authenticate",
    "x-ms-client-request-id",
    "x-ms-keyvault-network-info",
    "x-ms-keyvault-region",
    "x-ms-keyvault-service-version",
    "x-ms-request-id",
    "x-ms-retry-after-ms",
    "x-ms-return-client-request-id",
];

const DEFAULT_QUERY: &[&str] = &["api-version", "maxresults", "$top", "includePending"];

/// Which headers and query parameters may appear in logs.
///
/// # Examples
///
/// ```
/// use azkv_core::policies::LoggingOptions;
///
/// let mut options = LoggingOptions::default();
/// options.allowed_header_names.push("x-my-trace".into());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggingOptions {
    /// Header names (lowercase) whose values may be logged. `authorization` is ignored here.
    pub allowed_header_names: Vec<String>,
    /// Query parameter names whose values may be logged.
    pub allowed_query_params: Vec<String>,
}

impl Default for LoggingOptions {
    fn default() -> Self {
        Self {
            allowed_header_names: DEFAULT_HEADERS.iter().map(|s| (*s).to_owned()).collect(),
            allowed_query_params: DEFAULT_QUERY.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// Logs each try through `tracing`; see the module docs.
#[derive(Clone, Debug)]
pub struct LoggingPolicy {
    options: LoggingOptions,
}

impl LoggingPolicy {
    /// A logging policy with `options`.
    pub fn new(options: LoggingOptions) -> Self {
        Self { options }
    }

    fn headers(&self, headers: &HeaderMap) -> String {
        let mut out = String::new();
        for (name, value) in headers {
            let name = name.as_str();
            let allowed = name != "authorization"
                && self
                    .options
                    .allowed_header_names
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(name));
            let shown = if allowed && !value.is_sensitive() {
                value.to_str().unwrap_or(REDACTED)
            } else {
                REDACTED
            };
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push_str(": ");
            out.push_str(shown);
        }
        out
    }
}

/// The URL as it may be logged: no user information, query values not on `allowed` replaced
/// by `REDACTED`.
pub(crate) fn redacted_url(url: &Url, allowed: &[String]) -> String {
    let mut shown = url.clone();
    // Both fail only for URLs that cannot carry user information, which then have none to drop.
    if shown.set_username("").is_err() || shown.set_password(None).is_err() {
        tracing::trace!("URL without user information");
    }
    shown.set_fragment(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let keep = allowed.iter().any(|a| a.as_str() == k);
                (
                    k.into_owned(),
                    if keep {
                        v.into_owned()
                    } else {
                        REDACTED.to_owned()
                    },
                )
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

#[async_trait]
impl Policy for LoggingPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse> {
        // Building the redacted URL and header lists costs allocations: only when someone listens.
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return next.send(ctx, request).await;
        }
        let url = redacted_url(request.url(), &self.options.allowed_query_params);
        tracing::debug!(method = %request.method(), url = %url, operation = ctx.operation().unwrap_or(""), "sending request");
        if tracing::enabled!(tracing::Level::TRACE) {
            tracing::trace!(headers = %self.headers(request.headers()), "request headers");
        }
        let start = Instant::now();
        let result = next.send(ctx, request).await;
        let elapsed_ms = start.elapsed().as_millis() as u64;
        match &result {
            Ok(response) => {
                tracing::debug!(
                    status = response.status().as_u16(),
                    elapsed_ms,
                    request_id = response.request_id().unwrap_or(""),
                    "received response"
                );
                if tracing::enabled!(tracing::Level::TRACE) {
                    tracing::trace!(headers = %self.headers(response.headers()), "response headers");
                }
            }
            Err(err) => tracing::debug!(error = %err, elapsed_ms, "request failed"),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_query_is_redacted_except_allowed() {
        let url = Url::parse(
            "https://u:p@v.vault.azure.net/secrets?api-version=7.5&sig=abc&$skiptoken=xyz",
        )
        .unwrap();
        let shown = redacted_url(&url, &LoggingOptions::default().allowed_query_params);
        assert!(shown.contains("api-version=7.5"));
        assert!(!shown.contains("abc"));
        assert!(!shown.contains("xyz"));
        assert!(!shown.contains("u:p"));
    }

    #[test]
    fn authorization_is_never_logged() {
        let mut options = LoggingOptions::default();
        options.allowed_header_names.push("authorization".into());
        let policy = LoggingPolicy::new(options);
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer secret-token".parse().unwrap());
        headers.insert("x-custom", "custom-value".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let shown = policy.headers(&headers);
        assert!(!shown.contains("secret-token"));
        assert!(!shown.contains("custom-value"));
        assert!(shown.contains("application/json"));
    }
}
