//! [`WorkloadIdentityCredential`]: Kubernetes workload identity federation, exchanging the
//! service account token in `AZURE_FEDERATED_TOKEN_FILE` for an access token.

use crate::authority::{
    check_tenant, client_credentials, resolve_tenant, token_pipeline, AuthorityHost, ClientProof,
};
use crate::env_vars::EnvVars;
use crate::token_cache::TokenCache;
use async_trait::async_trait;
use azkv_core::{
    AccessToken, ClientOptions, Error, ErrorKind, Pipeline, Result, TokenCredential,
    TokenRequestOptions,
};
use std::fmt;
use std::path::PathBuf;

/// Options of [`WorkloadIdentityCredential`]; unset fields come from the environment.
#[derive(Clone, Debug, Default)]
pub struct WorkloadIdentityCredentialOptions {
    /// Tenant; default `AZURE_TENANT_ID`.
    pub tenant_id: Option<String>,
    /// Client id; default `AZURE_CLIENT_ID`.
    pub client_id: Option<String>,
    /// File holding the federated token; default `AZURE_FEDERATED_TOKEN_FILE`.
    pub token_file_path: Option<PathBuf>,
    /// Authority; default `AZURE_AUTHORITY_HOST` or the public cloud.
    pub authority_host: Option<AuthorityHost>,
    /// Other tenants a service may ask tokens for; `"*"` any.
    pub additionally_allowed_tenants: Vec<String>,
    /// Retry, transport and logging of token requests.
    pub client_options: ClientOptions,
    /// Where unset fields are read from; default the process environment.
    pub env: EnvVars,
}

/// Workload identity federation (Azure Kubernetes Service and other OIDC issuers). The token
/// file is read on every token request, as the platform rotates it.
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::WorkloadIdentityCredential;
///
/// # fn main() -> azkv_core::Result<()> {
/// // Reads AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE.
/// let credential = WorkloadIdentityCredential::new(None)?;
/// # Ok(()) }
/// ```
pub struct WorkloadIdentityCredential {
    tenant_id: String,
    client_id: String,
    token_file: PathBuf,
    authority_host: AuthorityHost,
    allowed: Vec<String>,
    pipeline: Pipeline,
    cache: TokenCache,
}

impl fmt::Debug for WorkloadIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkloadIdentityCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("token_file", &self.token_file)
            .finish_non_exhaustive()
    }
}

impl WorkloadIdentityCredential {
    /// A credential from `options`, completed from the environment.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CredentialUnavailable`] naming the missing settings;
    /// [`ErrorKind::InvalidInput`] for an invalid tenant or authority.
    pub fn new(options: Option<WorkloadIdentityCredentialOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        let env = &options.env;
        let tenant_id = options
            .tenant_id
            .clone()
            .or_else(|| env.get("AZURE_TENANT_ID"));
        let client_id = options
            .client_id
            .clone()
            .or_else(|| env.get("AZURE_CLIENT_ID"));
        let token_file = options
            .token_file_path
            .clone()
            .or_else(|| env.get("AZURE_FEDERATED_TOKEN_FILE").map(PathBuf::from));
        let (Some(tenant_id), Some(client_id), Some(token_file)) =
            (tenant_id, client_id, token_file)
        else {
            return Err(Error::new(
                ErrorKind::CredentialUnavailable,
                "WorkloadIdentityCredential: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (or the options)",
            ));
        };
        check_tenant(&tenant_id)?;
        let authority_host = match (&options.authority_host, env.get("AZURE_AUTHORITY_HOST")) {
            (Some(host), _) => host.clone(),
            (None, Some(host)) => AuthorityHost::custom(&host)?,
            (None, None) => AuthorityHost::default(),
        };
        Ok(Self {
            tenant_id,
            client_id,
            token_file,
            authority_host,
            allowed: options.additionally_allowed_tenants.clone(),
            pipeline: token_pipeline(&options.client_options)?,
            cache: TokenCache::default(),
        })
    }
}

#[async_trait]
impl TokenCredential for WorkloadIdentityCredential {
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
        let tenant = resolve_tenant(
            "WorkloadIdentityCredential",
            &self.tenant_id,
            options.tenant_id.as_deref(),
            &self.allowed,
        )?;
        self.cache
            .token(&tenant, scopes, options.bypasses_cache(), || async {
                let assertion = tokio::fs::read_to_string(&self.token_file)
                    .await
                    .map_err(|e| {
                        Error::with_source(
                            ErrorKind::Credential,
                            format!(
                                "WorkloadIdentityCredential: cannot read the token file {}",
                                self.token_file.display()
                            ),
                            e,
                        )
                    })?;
                client_credentials(
                    &self.pipeline,
                    &self.authority_host,
                    &tenant,
                    &self.client_id,
                    ClientProof::Assertion(assertion.trim()),
                    scopes,
                    options.claims.as_deref(),
                    "WorkloadIdentityCredential",
                )
                .await
            })
            .await
    }
}
