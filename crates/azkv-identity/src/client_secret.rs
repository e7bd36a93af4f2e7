//! [`ClientSecretCredential`]: a service principal authenticating with a client secret.

use crate::authority::{
    check_tenant, client_credentials, token_pipeline, AuthorityHost, ClientProof,
};
use crate::token_cache::TokenCache;
use async_trait::async_trait;
use azkv_core::{
    AccessToken, ClientOptions, Error, Pipeline, Result, Sensitive, TokenCredential,
    TokenRequestOptions,
};
use std::fmt;

/// Options of [`ClientSecretCredential`].
#[derive(Clone, Debug, Default)]
pub struct ClientSecretCredentialOptions {
    /// Where tokens come from. Default: the Azure public cloud.
    pub authority_host: AuthorityHost,
    /// Tenants other than the credential's own that a service may ask tokens for (Key Vault
    /// names its tenant in its challenge). `"*"` allows any.
    pub additionally_allowed_tenants: Vec<String>,
    /// Retry, transport and logging of token requests.
    pub client_options: ClientOptions,
}

/// A service principal authenticating with a client secret (OAuth 2.0 client credentials).
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::{AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions};
///
/// # fn main() -> azkv_core::Result<()> {
/// let credential = ClientSecretCredential::new(
///     "72f988bf-86f1-41af-91ab-2d7cd011db47",
///     "00000000-0000-0000-0000-000000000001",
///     "client-secret".into(),
///     Some(ClientSecretCredentialOptions {
///         authority_host: AuthorityHost::custom("https://login.microsoftonline.us")?,
///         ..Default::default()
///     }),
/// )?;
/// # Ok(()) }
/// ```
pub struct ClientSecretCredential {
    tenant_id: String,
    client_id: String,
    secret: Sensitive<String>,
    options: ClientSecretCredentialOptions,
    pipeline: Pipeline,
    cache: TokenCache,
}

impl fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "authority_host",
                &self.options.authority_host.url().as_str(),
            )
            .finish_non_exhaustive()
    }
}

impl ClientSecretCredential {
    /// A credential for `client_id` in `tenant_id` with `secret`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an invalid tenant id or an empty client id or secret.
    pub fn new(
        tenant_id: &str,
        client_id: &str,
        secret: Sensitive<String>,
        options: Option<ClientSecretCredentialOptions>,
    ) -> Result<Self> {
        check_tenant(tenant_id)?;
        if client_id.is_empty() {
            return Err(Error::invalid_input("client id", "must not be empty"));
        }
        if secret.expose().is_empty() {
            return Err(Error::invalid_input("client secret", "must not be empty"));
        }
        let options = options.unwrap_or_default();
        let pipeline = token_pipeline(&options.client_options)?;
        Ok(Self {
            tenant_id: tenant_id.to_owned(),
            client_id: client_id.to_owned(),
            secret,
            options,
            pipeline,
            cache: TokenCache::default(),
        })
    }
}

#[async_trait]
impl TokenCredential for ClientSecretCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        if scopes.is_empty() {
            return Err(Error::invalid_input(
                "scopes",
                "at least one scope is needed",
            ));
        }
        let tenant = crate::authority::resolve_tenant(
            "ClientSecretCredential",
            &self.tenant_id,
            options.tenant_id.as_deref(),
            &self.options.additionally_allowed_tenants,
        )?;
        let tenant = tenant.as_str();
        self.cache
            .token(tenant, scopes, options.bypasses_cache(), || {
                client_credentials(
                    &self.pipeline,
                    &self.options.authority_host,
                    tenant,
                    &self.client_id,
                    ClientProof::Secret(self.secret.expose()),
                    scopes,
                    options.claims.as_deref(),
                    "ClientSecretCredential",
                )
            })
            .await
    }
}
