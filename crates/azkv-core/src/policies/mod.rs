//! The standard policies of the pipeline, one file each.
//!
//! | policy | file | what it does |
//! |---|---|---|
//! | [`UserAgentPolicy`] | `user_agent.rs` | sets `User-Agent: [app ]azsdk-rust-<crate>/<version> (<rustc>; <os>)` |
//! | [`RequestIdPolicy`] | `request_id.rs` | sets `x-ms-client-request-id` once per operation |
//! | [`RetryPolicy`] | `retry.rs` | resends on 408/429/5xx and connection errors, honouring `Retry-After` |
//! | [`BearerTokenPolicy`] | `bearer.rs` | adds a bearer token for fixed scopes (Azure Resource Manager) |
//! | [`ChallengePolicy`] | `challenge.rs` | Key Vault challenge authentication |
//! | [`LoggingPolicy`] | `logging.rs` | `tracing` events with allow-listed headers and query keys |
//! | [`TransportPolicy`] | `transport.rs` | hands the request to the [`Transport`](crate::Transport) |

mod bearer;
mod challenge;
pub(crate) mod logging;
mod random;
mod request_id;
mod retry;
mod token_cache;
mod transport;
mod user_agent;
mod www_authenticate;

pub use bearer::BearerTokenPolicy;
pub use challenge::{ChallengePolicy, ChallengePolicyOptions};
pub use logging::{LoggingOptions, LoggingPolicy};
pub use request_id::RequestIdPolicy;
pub use retry::{parse_retry_after, RetryMode, RetryOptions, RetryPolicy};
pub use transport::TransportPolicy;
pub use user_agent::UserAgentPolicy;
pub use www_authenticate::{parse_www_authenticate, AuthChallenge};

use url::Url;

/// Whether a token may be sent to `url`: always over HTTPS; over plain HTTP only to a loopback
/// host, and only when `allow_http_loopback` is set.
pub(crate) fn may_send_token(url: &Url, allow_http_loopback: bool) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => allow_http_loopback && is_loopback(url),
        _ => false,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_only_over_https_or_allowed_loopback() {
        let https = Url::parse("https://v.vault.azure.net/").unwrap();
        let http_remote = Url::parse("http://v.vault.azure.net/").unwrap();
        let http_local = Url::parse("http://127.0.0.1:8443/").unwrap();
        assert!(may_send_token(&https, false));
        assert!(!may_send_token(&http_remote, true));
        assert!(!may_send_token(&http_local, false));
        assert!(may_send_token(&http_local, true));
        assert!(may_send_token(
            &Url::parse("http://vault1.localhost:9/").unwrap(),
            true
        ));
    }
}
