//! A per-policy token cache: one token per (scopes, tenant), refreshed a few minutes before it
//! expires, with at most one refresh in flight at a time.

use crate::{AccessToken, Result, TokenCredential, TokenRequestOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Tokens are refreshed this long before they expire.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(300);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    scopes: Vec<String>,
    tenant_id: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<HashMap<Key, AccessToken>>,
    // Held while a token is fetched, so concurrent callers wait for one refresh.
    refresh: tokio::sync::Mutex<()>,
}

impl TokenCache {
    fn cached(&self, key: &Key) -> Option<AccessToken> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// A token for `scopes` and `options.tenant_id`. A request with claims or `refresh` always
    /// asks the credential (the service rejected the cached token) and caches the answer.
    pub(crate) async fn token(
        &self,
        credential: &Arc<dyn TokenCredential>,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        let key = Key {
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            tenant_id: options.tenant_id.clone(),
        };
        if !options.bypasses_cache() {
            if let Some(token) = self.cached(&key) {
                if !token.needs_refresh(REFRESH_MARGIN, SystemTime::now()) {
                    return Ok(token);
                }
            }
        }
        let _refreshing = self.refresh.lock().await;
        let current = self.cached(&key);
        if !options.bypasses_cache() {
            if let Some(token) = &current {
                if !token.needs_refresh(REFRESH_MARGIN, SystemTime::now()) {
                    return Ok(token.clone());
                }
            }
        }
        match credential.get_token(scopes, options).await {
            Ok(token) => {
                self.tokens
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, token.clone());
                Ok(token)
            }
            // A failed early refresh is not fatal while the old token still works.
            Err(err) => match current {
                Some(token)
                    if !options.bypasses_cache()
                        && !token.expires_within(Duration::from_secs(30), SystemTime::now()) =>
                {
                    tracing::debug!(error = %err, "token refresh failed; using the cached token");
                    Ok(token)
                }
                _ => Err(err),
            },
        }
    }
}
