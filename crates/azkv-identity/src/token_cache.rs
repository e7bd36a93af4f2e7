//! A credential's own token cache, keyed by tenant and scopes: tokens are reused until five
//! minutes before they expire (or their suggested refresh time), one fetch runs at a time
//! however many callers wait, and a failed refresh falls back to a token that still works.

use azkv_core::{AccessToken, Result};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Tokens are reused until this long before they expire.
const MARGIN: Duration = Duration::from_secs(300);
/// A cached token is still handed out after a failed refresh while it has this long left.
const STILL_USABLE: Duration = Duration::from_secs(30);

type Key = (String, Vec<String>);

#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<HashMap<Key, AccessToken>>,
    fetching: tokio::sync::Mutex<()>,
}

fn key(tenant: &str, scopes: &[&str]) -> Key {
    (
        tenant.to_owned(),
        scopes.iter().map(|s| (*s).to_owned()).collect(),
    )
}

impl TokenCache {
    fn cached(&self, key: &Key) -> Option<AccessToken> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// A cached token for `tenant` and `scopes`, or the one `fetch` gets. With `bypass` (a
    /// claims challenge) the cache is not read, but the new token is stored.
    pub(crate) async fn token<F, Fut>(
        &self,
        tenant: &str,
        scopes: &[&str],
        bypass: bool,
        fetch: F,
    ) -> Result<AccessToken>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken>>,
    {
        let key = key(tenant, scopes);
        let fresh = |t: &AccessToken| !t.needs_refresh(MARGIN, SystemTime::now());
        if !bypass {
            if let Some(token) = self.cached(&key).filter(fresh) {
                return Ok(token);
            }
        }
        let _one_at_a_time = self.fetching.lock().await;
        let current = self.cached(&key);
        if !bypass {
            if let Some(token) = current.clone().filter(fresh) {
                return Ok(token);
            }
        }
        match fetch().await {
            Ok(token) => {
                self.tokens
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, token.clone());
                Ok(token)
            }
            Err(err) => match current {
                Some(token)
                    if !bypass && !token.expires_within(STILL_USABLE, SystemTime::now()) =>
                {
                    tracing::debug!(error = %err, "token refresh failed; the cached token still works");
                    Ok(token)
                }
                _ => Err(err),
            },
        }
    }
}
