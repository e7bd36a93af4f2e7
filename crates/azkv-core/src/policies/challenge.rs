//! [`ChallengePolicy`]: Key Vault challenge authentication.
//!
//! Key Vault names the tenant and scope to use in a `401` challenge instead of letting the
//! client assume them. The flow, per vault authority (host and port):
//!
//! 1. With no cached challenge, the request goes out without its body. The expected `401`
//!    carries `WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource=...`
//!    (or `scope=...`).
//! 2. The challenge is verified: its authority is an absolute HTTPS URL without userinfo or
//!    backslashes and names a tenant; its resource host matches the vault's host (unless
//!    [`ChallengePolicyOptions::verify_challenge_resource`] is off). Only then is it cached.
//! 3. A token is requested for that tenant and scope, and the request is resent with its body.
//! 4. Later requests reuse the cached challenge, re-verified against each request's host.
//!    A later `401` carrying a challenge is answered once: with the claims of a continuous
//!    access evaluation challenge, or with a freshly requested token when the challenge is the
//!    same (the token itself was refused); a `401` without a challenge clears the cached entry.

use super::bearer::{refuse_insecure, set_bearer};
use super::token_cache::TokenCache;
use super::www_authenticate::{parse_www_authenticate, AuthChallenge};
use crate::{
    Context, Error, ErrorKind, Next, Policy, RawResponse, Request, Result, TokenCredential,
    TokenRequestOptions,
};
use async_trait::async_trait;
use base64::Engine;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use url::Url;

/// Options of [`ChallengePolicy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengePolicyOptions {
    /// Refuse a challenge whose resource host is not the vault's host or a parent domain of it.
    /// Default on. Turn off only for vaults outside the Key Vault domains, such as a local
    /// emulator.
    pub verify_challenge_resource: bool,
    /// Allow tokens over plain HTTP to loopback hosts (an emulator started with `--http`).
    /// Default off.
    pub allow_http_loopback: bool,
}

impl Default for ChallengePolicyOptions {
    fn default() -> Self {
        Self {
            verify_challenge_resource: true,
            allow_http_loopback: false,
        }
    }
}

/// A challenge that passed verification.
#[derive(Clone, Debug, PartialEq, Eq)]
struct VerifiedChallenge {
    tenant_id: String,
    scope: String,
    /// The resource's host, re-checked against each request.
    resource_host: String,
}

/// Key Vault challenge authentication; see the module docs for the flow.
///
/// # Examples
///
/// ```
/// # use azkv_core::{AccessToken, TokenCredential, TokenRequestOptions};
/// # #[derive(Debug)] struct Fixed;
/// # #[async_trait::async_trait] impl TokenCredential for Fixed {
/// #   async fn get_token(&self, _: &[&str], _: &TokenRequestOptions) -> azkv_core::Result<AccessToken> { Ok(AccessToken::new("t", std::time::SystemTime::now())) } }
/// use azkv_core::policies::{ChallengePolicy, ChallengePolicyOptions};
/// use std::sync::Arc;
///
/// let policy = ChallengePolicy::new(Arc::new(Fixed), ChallengePolicyOptions::default());
/// ```
pub struct ChallengePolicy {
    credential: Arc<dyn TokenCredential>,
    options: ChallengePolicyOptions,
    challenges: Mutex<HashMap<String, Arc<VerifiedChallenge>>>,
    tokens: TokenCache,
}

impl fmt::Debug for ChallengePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChallengePolicy")
            .field("credential", &self.credential)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl ChallengePolicy {
    /// A policy getting tokens from `credential`.
    pub fn new(credential: Arc<dyn TokenCredential>, options: ChallengePolicyOptions) -> Self {
        Self {
            credential,
            options,
            challenges: Mutex::new(HashMap::new()),
            tokens: TokenCache::default(),
        }
    }

    fn cached(&self, key: &str) -> Option<Arc<VerifiedChallenge>> {
        self.challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn store(&self, key: &str, challenge: Arc<VerifiedChallenge>) {
        self.challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), challenge);
    }

    fn forget(&self, key: &str) {
        self.challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    fn check_resource(&self, challenge: &VerifiedChallenge, url: &Url) -> Result<()> {
        if !self.options.verify_challenge_resource {
            return Ok(());
        }
        let host = url.host_str().unwrap_or_default();
        let resource = challenge.resource_host.as_str();
        // Equal, or a subdomain: compared without allocating, as this runs on every request.
        let subdomain = host
            .len()
            .checked_sub(resource.len() + 1)
            .and_then(|dot| Some((host.get(dot..dot + 1)?, host.get(dot + 1..)?)))
            .is_some_and(|(dot, tail)| dot == "." && tail.eq_ignore_ascii_case(resource));
        if host.eq_ignore_ascii_case(resource) || subdomain {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Challenge,
                format!(
                    "challenge resource host {resource} does not match the vault host {host}; \
                     set verify_challenge_resource to false only for vaults outside Key Vault's domains"
                ),
            ))
        }
    }

    async fn authorize(
        &self,
        request: &mut Request,
        challenge: &VerifiedChallenge,
        claims: Option<String>,
        refresh: bool,
    ) -> Result<()> {
        let options = TokenRequestOptions {
            tenant_id: Some(challenge.tenant_id.clone()),
            claims,
            refresh,
        };
        let header = self
            .tokens
            .header(&self.credential, &[challenge.scope.as_str()], &options)
            .await?;
        set_bearer(request, header);
        Ok(())
    }

    /// Sends an authorized request, answering at most one further challenge.
    async fn send_authorized(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
        key: &str,
        challenge: Arc<VerifiedChallenge>,
    ) -> Result<RawResponse> {
        let body = request.body().clone();
        self.authorize(request, &challenge, None, false).await?;
        let response = next.send(ctx, request).await?;
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(raw) = bearer_challenge(&response) else {
            // The service no longer accepts what we cached.
            self.forget(key);
            return Ok(response);
        };
        let claims = decode_claims(raw.param("claims"));
        let renewed = verify_challenge(&raw, self.options.allow_http_loopback)?;
        self.check_resource(&renewed, request.url())?;
        // The same challenge again means the token itself was refused (expired early, revoked):
        // ask once for a new token rather than a cached one.
        let refresh = claims.is_none() && renewed == *challenge;
        self.store(key, Arc::new(renewed.clone()));
        request.set_body(body);
        self.authorize(request, &renewed, claims, refresh).await?;
        let response = next.send(ctx, request).await?;
        if refresh && response.status() == http::StatusCode::UNAUTHORIZED {
            // Refused again: the next request starts over with a fresh challenge.
            self.forget(key);
        }
        Ok(response)
    }
}

fn authority_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or_default()
    )
}

fn bearer_challenge(response: &RawResponse) -> Option<AuthChallenge> {
    response
        .headers()
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse_www_authenticate)
        .find(|c| c.scheme.eq_ignore_ascii_case("bearer"))
}

fn decode_claims(claims: Option<&str>) -> Option<String> {
    let claims = claims?.trim();
    if claims.is_empty() {
        return None;
    }
    let padded = claims.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(padded)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(padded))
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn refuse(reason: &str) -> Error {
    Error::new(
        ErrorKind::Challenge,
        format!("refused authentication challenge: {reason}"),
    )
}

/// Checks a raw challenge and turns it into tenant and scope.
fn verify_challenge(
    challenge: &AuthChallenge,
    allow_http_loopback: bool,
) -> Result<VerifiedChallenge> {
    let authority = challenge
        .param("authorization")
        .or_else(|| challenge.param("authorization_uri"))
        .ok_or_else(|| refuse("no authorization URI"))?;
    if authority.contains('\\') {
        return Err(refuse("authorization URI contains a backslash"));
    }
    let authority_url =
        Url::parse(authority).map_err(|_| refuse("authorization URI is not a URL"))?;
    if !authority_url.username().is_empty() || authority_url.password().is_some() {
        return Err(refuse("authorization URI contains user information"));
    }
    if !super::may_send_token(&authority_url, allow_http_loopback) {
        return Err(refuse("authorization URI is not HTTPS"));
    }
    let tenant_id = authority_url
        .path_segments()
        .and_then(|mut s| s.find(|seg| !seg.is_empty()))
        .ok_or_else(|| refuse("authorization URI names no tenant"))?
        .to_owned();
    let scope = match challenge.param("scope").filter(|s| !s.is_empty()) {
        Some(scope) => scope.to_owned(),
        None => {
            let resource = challenge
                .param("resource")
                .filter(|r| !r.is_empty())
                .ok_or_else(|| refuse("no resource or scope"))?;
            format!("{}/.default", resource.trim_end_matches('/'))
        }
    };
    let resource_url = Url::parse(&scope).map_err(|_| refuse("scope is not a URL"))?;
    let resource_host = resource_url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| refuse("scope names no host"))?
        .to_ascii_lowercase();
    Ok(VerifiedChallenge {
        tenant_id,
        scope,
        resource_host,
    })
}

#[async_trait]
impl Policy for ChallengePolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse> {
        refuse_insecure(request, self.options.allow_http_loopback)?;
        let key = authority_key(request.url());
        if let Some(challenge) = self.cached(&key) {
            if let Err(err) = self.check_resource(&challenge, request.url()) {
                self.forget(&key);
                return Err(err);
            }
            return self
                .send_authorized(ctx, request, next, &key, challenge)
                .await;
        }
        // First request to this vault: send without the body to learn the challenge.
        let body = request.take_body();
        let response = next.send(ctx, request).await?;
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(raw) = bearer_challenge(&response) else {
            return Ok(response);
        };
        let challenge = Arc::new(verify_challenge(&raw, self.options.allow_http_loopback)?);
        self.check_resource(&challenge, request.url())?;
        self.store(&key, challenge.clone());
        request.set_body(body);
        self.send_authorized(ctx, request, next, &key, challenge)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(header: &str) -> AuthChallenge {
        parse_www_authenticate(header).remove(0)
    }

    #[test]
    fn resource_becomes_default_scope_and_tenant_is_read() {
        let c = verify_challenge(
            &challenge(r#"Bearer authorization="https://login.microsoftonline.com/tenant-a", resource="https://vault.azure.net""#),
            false,
        )
        .unwrap();
        assert_eq!(c.tenant_id, "tenant-a");
        assert_eq!(c.scope, "https://vault.azure.net/.default");
        assert_eq!(c.resource_host, "vault.azure.net");
    }

    #[test]
    fn unsafe_authorities_are_refused() {
        for header in [
            r#"Bearer authorization="https://login.microsoftonline.com\evil.com/t", resource="https://vault.azure.net""#,
            r#"Bearer authorization="https://user:pw@login.microsoftonline.com/t", resource="https://vault.azure.net""#,
            r#"Bearer authorization="http://login.microsoftonline.com/t", resource="https://vault.azure.net""#,
            r#"Bearer authorization="https://login.microsoftonline.com/", resource="https://vault.azure.net""#,
            r#"Bearer authorization="not a url", resource="https://vault.azure.net""#,
            r#"Bearer resource="https://vault.azure.net""#,
            r#"Bearer authorization="https://login.microsoftonline.com/t""#,
        ] {
            let err = verify_challenge(&challenge(header), false).unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::Challenge, "{header}");
        }
    }

    #[test]
    fn claims_decode_with_or_without_padding() {
        assert_eq!(
            decode_claims(Some("eyJhIjoxfQ==")).as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(
            decode_claims(Some("eyJhIjoxfQ")).as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(decode_claims(Some("!!")), None);
        assert_eq!(decode_claims(Some("")), None);
    }
}
