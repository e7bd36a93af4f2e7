//! [`StaticTokenCredential`]: a fixed token, or tokens from a closure.

use async_trait::async_trait;
use azkv_core::{AccessToken, Result, TokenCredential, TokenRequestOptions};
use std::fmt;
use std::sync::Arc;

type TokenFn = dyn Fn(&[&str], &TokenRequestOptions) -> Result<AccessToken> + Send + Sync;

/// Hands out a token you already have, or whatever a closure returns: for tests and for
/// flows azkv does not implement.
///
/// # Examples
///
/// ```
/// use azkv_core::{AccessToken, TokenCredential, TokenRequestOptions};
/// use azkv_identity::StaticTokenCredential;
/// use std::time::{Duration, SystemTime};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> azkv_core::Result<()> {
/// let credential = StaticTokenCredential::from_fn(|scopes, _options| {
///     Ok(AccessToken::new(format!("token-for-{}", scopes.join(" ")), SystemTime::now() + Duration::from_secs(60)))
/// });
/// let token = credential.get_token(&["https://vault.azure.net/.default"], &TokenRequestOptions::default()).await?;
/// assert_eq!(token.token.expose(), "token-for-https://vault.azure.net/.default");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct StaticTokenCredential {
    source: Arc<TokenFn>,
}

impl StaticTokenCredential {
    /// Always hands out `token`.
    pub fn new(token: AccessToken) -> Self {
        Self::from_fn(move |_, _| Ok(token.clone()))
    }

    /// Hands out whatever `f` returns for the requested scopes and options.
    pub fn from_fn(
        f: impl Fn(&[&str], &TokenRequestOptions) -> Result<AccessToken> + Send + Sync + 'static,
    ) -> Self {
        Self {
            source: Arc::new(f),
        }
    }
}

impl fmt::Debug for StaticTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticTokenCredential")
    }
}

#[async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        (self.source)(scopes, options)
    }
}
