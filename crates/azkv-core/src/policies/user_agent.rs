//! [`UserAgentPolicy`]: the `User-Agent` header the Azure SDKs send.

use crate::{Context, Next, Policy, RawResponse, Request, Result};
use async_trait::async_trait;
use http::HeaderValue;

/// Sets `User-Agent: [<application id> ]azsdk-rust-<crate>/<version> (<os>; <arch>)`.
#[derive(Debug, Clone)]
pub struct UserAgentPolicy {
    value: HeaderValue,
}

impl UserAgentPolicy {
    /// The header for `crate_name` (without an `azsdk-rust-` or `azkv-` prefix added twice) at
    /// `crate_version`, with an optional application id (cut to 24 characters; characters not
    /// valid in a header are dropped).
    pub fn new(crate_name: &str, crate_version: &str, application_id: Option<&str>) -> Self {
        let mut text = String::new();
        if let Some(app) = application_id {
            let app: String = app
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(24)
                .collect();
            if !app.is_empty() {
                text.push_str(&app);
                text.push(' ');
            }
        }
        text.push_str(&format!(
            "azsdk-rust-{crate_name}/{crate_version} ({}; {})",
            std::env::consts::OS,
            std::env::consts::ARCH
        ));
        let value = HeaderValue::from_str(&text)
            .unwrap_or_else(|_| HeaderValue::from_static("azsdk-rust-azkv"));
        Self { value }
    }

    /// The header value.
    pub fn value(&self) -> &str {
        self.value.to_str().unwrap_or_default()
    }
}

#[async_trait]
impl Policy for UserAgentPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse> {
        request
            .headers_mut()
            .insert(http::header::USER_AGENT, self.value.clone());
        next.send(ctx, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_id_first_and_cut() {
        let p = UserAgentPolicy::new(
            "azkv-secrets",
            "1.2.3",
            Some("my app id that is far too long for it"),
        );
        assert!(p
            .value()
            .starts_with("myappidthatisfartoolongf azsdk-rust-azkv-secrets/1.2.3 ("));
        let p = UserAgentPolicy::new("azkv-core", "0.1.0", Some("\n\t"));
        assert!(p.value().starts_with("azsdk-rust-azkv-core/0.1.0 ("));
    }
}
