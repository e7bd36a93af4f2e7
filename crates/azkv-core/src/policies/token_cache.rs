//! A per-policy token cache: one token per (scopes, tenant), refreshed a few minutes before it
//! expires, with at most one refresh in flight at a time.

use crate::{AccessToken, Error, ErrorKind, Result, TokenCredential, TokenRequestOptions};
use http::HeaderValue;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Tokens are refreshed this long before they expire.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(300);

#[derive(Clone, Debug)]
struct Entry {
    scopes: Vec<String>,
    tenant_id: Option<String>,
    token: AccessToken,
    /// `Bearer <token>`, built once: cloning it costs no allocation.
    header: HeaderValue,
}

/// The `Authorization` header value of `token`, marked sensitive.
fn bearer_header(token: &AccessToken) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.token.expose()))
        .map_err(|_| Error::new(ErrorKind::Credential, "token is not valid in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

impl Entry {
    fn is_for(&self, scopes: &[&str], tenant_id: Option<&str>) -> bool {
        self.tenant_id.as_deref() == tenant_id
            && self.scopes.len() == scopes.len()
            && self.scopes.iter().zip(scopes).all(|(a, b)| a == b)
    }
}

/// A client meets few tenants and scopes: a short list, searched without allocating.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<Vec<Entry>>,
    // Held while a token is fetched, so concurrent callers wait for one refresh.
    refresh: tokio::sync::Mutex<()>,
}

impl TokenCache {
    /// The cached header, when its token is fresh.
    fn fresh(&self, scopes: &[&str], tenant_id: Option<&str>) -> Option<HeaderValue> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|e| e.is_for(scopes, tenant_id))
            .filter(|e| !e.token.needs_refresh(REFRESH_MARGIN, SystemTime::now()))
            .map(|e| e.header.clone())
    }

    fn cached(
        &self,
        scopes: &[&str],
        tenant_id: Option<&str>,
    ) -> Option<(AccessToken, HeaderValue)> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|e| e.is_for(scopes, tenant_id))
            .map(|e| (e.token.clone(), e.header.clone()))
    }

    fn store(
        &self,
        scopes: &[&str],
        tenant_id: Option<&str>,
        token: AccessToken,
    ) -> Result<HeaderValue> {
        let header = bearer_header(&token)?;
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        match tokens.iter_mut().find(|e| e.is_for(scopes, tenant_id)) {
            Some(entry) => {
                entry.token = token;
                entry.header = header.clone();
            }
            None => tokens.push(Entry {
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                tenant_id: tenant_id.map(str::to_owned),
                token,
                header: header.clone(),
            }),
        }
        Ok(header)
    }

    /// The `Authorization` header for `scopes` and `options.tenant_id`. A request with claims
    /// or `refresh` always asks the credential (the service rejected the cached token) and
    /// caches the answer.
    pub(crate) async fn header(
        &self,
        credential: &Arc<dyn TokenCredential>,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<HeaderValue> {
        let tenant_id = options.tenant_id.as_deref();
        if !options.bypasses_cache() {
            if let Some(header) = self.fresh(scopes, tenant_id) {
                return Ok(header);
            }
        }
        let _refreshing = self.refresh.lock().await;
        if !options.bypasses_cache() {
            if let Some(header) = self.fresh(scopes, tenant_id) {
                return Ok(header);
            }
        }
        let current = self.cached(scopes, tenant_id);
        match credential.get_token(scopes, options).await {
            Ok(token) => self.store(scopes, tenant_id, token),
            // A failed early refresh is not fatal while the old token still works.
            Err(err) => match current {
                Some((token, header))
                    if !options.bypasses_cache()
                        && !token.expires_within(Duration::from_secs(30), SystemTime::now()) =>
                {
                    tracing::debug!(error = %err, "token refresh failed; using the cached token");
                    Ok(header)
                }
                _ => Err(err),
            },
        }
    }
}
