//! [`TokenCredential`], the trait every credential implements, and [`AccessToken`].
//!
//! Implementations live in `azkv-identity`. The pipeline's authentication policies call
//! [`TokenCredential::get_token`] and cache the result; a credential may cache as well.

use crate::error::Result;
use crate::sensitive::Sensitive;
use async_trait::async_trait;
use std::fmt::Debug;
use std::time::{Duration, SystemTime};

/// An access token and when it expires. The token text is [`Sensitive`].
///
/// # Examples
///
/// ```
/// use azkv_core::AccessToken;
/// use std::time::{Duration, SystemTime};
///
/// let token = AccessToken::new("eyJ0eXAi...", SystemTime::now() + Duration::from_secs(3600));
/// assert!(!format!("{token:?}").contains("eyJ0eXAi"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token.
    pub token: Sensitive<String>,
    /// When the token expires.
    pub expires_on: SystemTime,
    /// When the issuer suggests refreshing it, when it said so.
    pub refresh_on: Option<SystemTime>,
}

impl AccessToken {
    /// A token expiring at `expires_on`.
    pub fn new(token: impl Into<String>, expires_on: SystemTime) -> Self {
        Self {
            token: Sensitive::new(token.into()),
            expires_on,
            refresh_on: None,
        }
    }

    /// Whether the token expires within `margin` of `now` (or already has).
    pub fn expires_within(&self, margin: Duration, now: SystemTime) -> bool {
        match self.expires_on.duration_since(now) {
            Ok(left) => left <= margin,
            Err(_) => true,
        }
    }

    /// Whether the token should be refreshed at `now`: it expires within `margin`, or its
    /// suggested refresh time has passed.
    pub fn needs_refresh(&self, margin: Duration, now: SystemTime) -> bool {
        self.expires_within(margin, now) || self.refresh_on.is_some_and(|r| r <= now)
    }
}

/// Options of one token request beyond its scopes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenRequestOptions {
    /// The tenant to request the token from, when it differs from the credential's own
    /// (Key Vault names it in its challenge).
    pub tenant_id: Option<String>,
    /// Claims the service asked for in a continuous access evaluation (CAE) challenge, as the
    /// decoded JSON text.
    pub claims: Option<String>,
    /// The service refused the token it was given: get a new one instead of a cached one.
    pub refresh: bool,
}

impl TokenRequestOptions {
    /// Whether caches must be skipped for this request (claims or a forced refresh).
    pub fn bypasses_cache(&self) -> bool {
        self.claims.is_some() || self.refresh
    }
}

/// Something that produces access tokens for scopes.
///
/// # Examples
///
/// A credential that hands out a fixed token, for tests:
///
/// ```
/// use azkv_core::{AccessToken, Result, TokenCredential, TokenRequestOptions};
/// use std::time::{Duration, SystemTime};
///
/// #[derive(Debug)]
/// struct Fixed;
///
/// #[async_trait::async_trait]
/// impl TokenCredential for Fixed {
///     async fn get_token(&self, _scopes: &[&str], _options: &TokenRequestOptions) -> Result<AccessToken> {
///         Ok(AccessToken::new("token", SystemTime::now() + Duration::from_secs(3600)))
///     }
/// }
/// ```
#[async_trait]
pub trait TokenCredential: Send + Sync + Debug {
    /// Gets a token for `scopes` (such as `https://vault.azure.net/.default`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Credential`](crate::ErrorKind::Credential) when no token can be had.
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_window() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let token = AccessToken::new("t", now + Duration::from_secs(600));
        assert!(!token.needs_refresh(Duration::from_secs(300), now));
        assert!(token.needs_refresh(Duration::from_secs(300), now + Duration::from_secs(301)));
        assert!(token.needs_refresh(Duration::from_secs(0), now + Duration::from_secs(700)));
        let mut early = token.clone();
        early.refresh_on = Some(now + Duration::from_secs(10));
        assert!(early.needs_refresh(Duration::from_secs(0), now + Duration::from_secs(11)));
    }
}
