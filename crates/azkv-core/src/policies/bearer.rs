//! [`BearerTokenPolicy`]: bearer authentication for fixed scopes, as Azure Resource Manager uses.

use super::token_cache::TokenCache;
use crate::{
    Context, Error, ErrorKind, Next, Policy, RawResponse, Request, Result, TokenCredential,
    TokenRequestOptions,
};
use async_trait::async_trait;
use http::HeaderValue;
use std::fmt;
use std::sync::Arc;

/// Adds `Authorization: Bearer <token>` for fixed scopes. Tokens are cached and refreshed five
/// minutes before they expire, with one refresh in flight however many requests wait for it.
/// A token is never sent over plain HTTP, except to a loopback host when allowed.
///
/// # Examples
///
/// ```
/// # use azkv_core::{AccessToken, TokenCredential, TokenRequestOptions};
/// # #[derive(Debug)] struct Fixed;
/// # #[async_trait::async_trait] impl TokenCredential for Fixed {
/// #   async fn get_token(&self, _: &[&str], _: &TokenRequestOptions) -> azkv_core::Result<AccessToken> { Ok(AccessToken::new("t", std::time::SystemTime::now())) } }
/// use azkv_core::policies::BearerTokenPolicy;
/// use std::sync::Arc;
///
/// let policy = BearerTokenPolicy::new(Arc::new(Fixed), vec!["https://management.azure.com/.default".into()], false);
/// ```
pub struct BearerTokenPolicy {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    allow_http_loopback: bool,
    cache: TokenCache,
}

impl BearerTokenPolicy {
    /// A policy getting tokens for `scopes` from `credential`. `allow_http_loopback` lets tokens
    /// go over plain HTTP to loopback hosts (a local emulator started with `--http`).
    pub fn new(
        credential: Arc<dyn TokenCredential>,
        scopes: Vec<String>,
        allow_http_loopback: bool,
    ) -> Self {
        Self {
            credential,
            scopes,
            allow_http_loopback,
            cache: TokenCache::default(),
        }
    }
}

impl fmt::Debug for BearerTokenPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerTokenPolicy")
            .field("credential", &self.credential)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

pub(crate) fn set_bearer(request: &mut Request, header: HeaderValue) {
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, header);
}

pub(crate) fn refuse_insecure(request: &Request, allow_http_loopback: bool) -> Result<()> {
    if super::may_send_token(request.url(), allow_http_loopback) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidInput,
            "refusing to send a token over plain HTTP; use HTTPS (or allow loopback HTTP for a local emulator)",
        ))
    }
}

#[async_trait]
impl Policy for BearerTokenPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse> {
        refuse_insecure(request, self.allow_http_loopback)?;
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        let header = self
            .cache
            .header(&self.credential, &scopes, &TokenRequestOptions::default())
            .await?;
        set_bearer(request, header);
        next.send(ctx, request).await
    }
}
