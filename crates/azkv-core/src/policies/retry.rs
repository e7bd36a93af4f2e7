//! [`RetryPolicy`] and [`RetryOptions`]: resending requests that failed for passing reasons.
//!
//! Retried: statuses 408, 429, 500, 502, 503 and 504, connection failures, and I/O failures or
//! timeouts of idempotent requests. A request that is not idempotent (see
//! [`Request::set_idempotent`](crate::Request::set_idempotent)) and may have reached the service
//! is resent only when the service said to come back (429 or 503). The wait honours
//! `retry-after-ms`, `x-ms-retry-after-ms` and `Retry-After` (seconds or an HTTP date); without
//! them it grows exponentially with jitter. Retries stop at `max_retries` or when the next wait
//! would pass `max_total_elapsed`; the last response or error is then returned as it was.

use super::random::random_u64;
use crate::{Context, ErrorKind, Next, Policy, RawResponse, Request, Result};
use async_trait::async_trait;
use http::{HeaderMap, StatusCode};
use std::time::{Duration, Instant, SystemTime};
use tracing::Instrument;

/// How waits between tries grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RetryMode {
    /// Each wait doubles, up to `max_delay`, with ±20 % jitter.
    #[default]
    Exponential,
    /// Every wait is `initial_delay`, with ±20 % jitter.
    Fixed,
}

/// When and how often to retry.
///
/// # Examples
///
/// ```
/// use azkv_core::policies::RetryOptions;
/// use std::time::Duration;
///
/// let patient = RetryOptions { max_retries: 6, max_delay: Duration::from_secs(30), ..Default::default() };
/// assert_eq!(RetryOptions::none().max_retries, 0);
/// # let _ = patient;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryOptions {
    /// Tries after the first. Default 3.
    pub max_retries: u32,
    /// Wait before the first retry, when the service gives none. Default 800 ms.
    pub initial_delay: Duration,
    /// Longest computed wait. Default 60 s. A service's `Retry-After` is honoured even when longer.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first try. Default 5 min.
    pub max_total_elapsed: Duration,
    /// How waits grow.
    pub mode: RetryMode,
}

impl Default for RetryOptions {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(60),
            max_total_elapsed: Duration::from_secs(300),
            mode: RetryMode::Exponential,
        }
    }
}

impl RetryOptions {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The computed wait before retry number `retry` (0 for the first), with jitter.
    pub fn delay(&self, retry: u32) -> Duration {
        let base = match self.mode {
            RetryMode::Exponential => {
                let factor = 2u32.saturating_pow(retry.min(31));
                self.initial_delay
                    .saturating_mul(factor)
                    .min(self.max_delay)
            }
            RetryMode::Fixed => self.initial_delay,
        };
        // Jitter in [0.8, 1.2).
        let jitter = 0.8 + (random_u64() % 400) as f64 / 1000.0;
        base.mul_f64(jitter)
    }
}

/// Parses how long the service asked to wait: `retry-after-ms`, `x-ms-retry-after-ms` (in
/// milliseconds), then `Retry-After` (seconds or an HTTP date, relative to `now`). A date in the
/// past gives zero; anything unreadable gives `None`.
///
/// # Examples
///
/// ```
/// use azkv_core::{HeaderMap, policies::parse_retry_after};
/// use std::time::{Duration, SystemTime};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "7".parse().expect("header"));
/// assert_eq!(parse_retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(7)));
/// ```
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = header_str(headers, name).and_then(|v| v.trim().parse::<f64>().ok()) {
            if ms.is_finite() && ms >= 0.0 {
                return Some(Duration::from_secs_f64(ms.min(1e12) / 1000.0));
            }
        }
    }
    let value = header_str(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn retriable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The service asked the client to come back: safe to resend even a non-idempotent request,
/// because the service did not act on it.
fn service_said_retry(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503)
}

/// Resends failed tries; see the module docs for the rules.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    options: RetryOptions,
}

impl RetryPolicy {
    /// A retry policy with `options`.
    pub fn new(options: RetryOptions) -> Self {
        Self { options }
    }
}

#[async_trait]
impl Policy for RetryPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse> {
        let start = Instant::now();
        let mut retry = 0u32;
        loop {
            // Each try gets its own copy: later policies may change headers or take the body.
            let mut attempt = request.clone();
            let span = tracing::debug_span!("try", attempt = retry + 1);
            let result = next.send(ctx, &mut attempt).instrument(span).await;
            let wait = match &result {
                Ok(response) if retriable_status(response.status()) => {
                    if !request.is_idempotent() && !service_said_retry(response.status()) {
                        None
                    } else {
                        Some(
                            parse_retry_after(response.headers(), SystemTime::now())
                                .unwrap_or_else(|| self.options.delay(retry)),
                        )
                    }
                }
                Ok(_) => None,
                Err(err) => match err.kind() {
                    ErrorKind::Connection => Some(self.options.delay(retry)),
                    ErrorKind::Io | ErrorKind::Timeout if request.is_idempotent() => {
                        Some(self.options.delay(retry))
                    }
                    _ => None,
                },
            };
            let Some(wait) = wait else { return result };
            if retry >= self.options.max_retries
                || start.elapsed().saturating_add(wait) > self.options.max_total_elapsed
            {
                return result;
            }
            match &result {
                Ok(response) => tracing::debug!(
                    status = response.status().as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "retrying after status"
                ),
                Err(err) => tracing::debug!(
                    error = %err,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after error"
                ),
            }
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_retry_after(
                &headers(&[("x-ms-retry-after-ms", "10"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_millis(10))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(42))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", "soon")]), now),
            None
        );
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after-ms", "-5")]), now),
            None
        );
        assert_eq!(parse_retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn exponential_backoff_is_bounded_with_jitter() {
        let options = RetryOptions {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            ..Default::default()
        };
        for _ in 0..50 {
            let d0 = options.delay(0);
            assert!(
                d0 >= Duration::from_millis(800) && d0 < Duration::from_millis(1200),
                "{d0:?}"
            );
            let d2 = options.delay(2);
            assert!(
                d2 >= Duration::from_millis(3200) && d2 < Duration::from_millis(4800),
                "{d2:?}"
            );
            let d30 = options.delay(40);
            assert!(d30 <= Duration::from_secs(12), "{d30:?}");
        }
    }

    #[test]
    fn fixed_mode_does_not_grow() {
        let options = RetryOptions {
            mode: RetryMode::Fixed,
            initial_delay: Duration::from_millis(100),
            ..Default::default()
        };
        assert!(options.delay(5) < Duration::from_millis(120));
    }
}
