//! A credential's own token cache, keyed by tenant and scopes.

use azkv_core::AccessToken;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Tokens are reused until this long before they expire.
const MARGIN: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<HashMap<(String, Vec<String>), AccessToken>>,
}

impl TokenCache {
    pub(crate) fn get(&self, tenant: &str, scopes: &[&str]) -> Option<AccessToken> {
        let key = (
            tenant.to_owned(),
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        );
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .filter(|t| !t.needs_refresh(MARGIN, SystemTime::now()))
            .cloned()
    }

    pub(crate) fn put(&self, tenant: &str, scopes: &[&str], token: AccessToken) {
        let key = (
            tenant.to_owned(),
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        );
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, token);
    }
}
