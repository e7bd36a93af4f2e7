//! [`DefaultAzureCredential`] and [`ChainedTokenCredential`]: several credentials tried in
//! order.
//!
//! `DefaultAzureCredential` tries environment → workload identity → managed identity → Azure
//! CLI. A credential that is not set up here (`ErrorKind::CredentialUnavailable`) passes to the
//! next; any other failure stops the chain, since a configured credential that fails should be
//! fixed, not silently replaced. The credential that worked is used directly afterwards. When
//! every link fails, one error lists why each did.
//!
//! `AZURE_TOKEN_CREDENTIALS` narrows the chain as in the other Azure SDKs: `dev` (Azure CLI
//! only), `prod` (environment, workload identity, managed identity), or one credential's name.

use crate::azure_cli::{AzureCliCredential, AzureCliCredentialOptions};
use crate::env_vars::EnvVars;
use crate::environment::{EnvironmentCredential, EnvironmentCredentialOptions};
use crate::managed_identity::{
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, ManagedIdentityId,
};
use crate::workload::{WorkloadIdentityCredential, WorkloadIdentityCredentialOptions};
use async_trait::async_trait;
use azkv_core::{
    AccessToken, ClientOptions, Error, ErrorKind, Result, TokenCredential, TokenRequestOptions,
};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Options of [`DefaultAzureCredential`].
#[derive(Clone, Debug, Default)]
pub struct DefaultAzureCredentialOptions {
    /// Skip [`EnvironmentCredential`].
    pub exclude_environment_credential: bool,
    /// Skip [`WorkloadIdentityCredential`].
    pub exclude_workload_identity_credential: bool,
    /// Skip [`ManagedIdentityCredential`].
    pub exclude_managed_identity_credential: bool,
    /// Skip [`AzureCliCredential`].
    pub exclude_azure_cli_credential: bool,
    /// A user-assigned managed identity's client id; default `AZURE_CLIENT_ID`.
    pub managed_identity_client_id: Option<String>,
    /// Tenant for the Azure CLI and workload identity; default `AZURE_TENANT_ID`.
    pub tenant_id: Option<String>,
    /// Other tenants a service may ask tokens for; `"*"` any.
    pub additionally_allowed_tenants: Vec<String>,
    /// Retry, transport and logging of token requests.
    pub client_options: ClientOptions,
    /// Where variables are read from; default the process environment.
    pub env: EnvVars,
    /// How long the Azure CLI may take. Default 10 s.
    pub azure_cli_timeout: Option<std::time::Duration>,
    /// The Azure CLI program. Default `az` on `PATH`.
    pub azure_cli_program: Option<std::path::PathBuf>,
}

struct Link {
    name: &'static str,
    credential: std::result::Result<Arc<dyn TokenCredential>, (ErrorKind, String)>,
}

/// Credentials tried in order; see the module docs.
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::DefaultAzureCredential;
///
/// # fn main() -> azkv_core::Result<()> {
/// let credential = DefaultAzureCredential::new(None)?;
/// # Ok(()) }
/// ```
pub struct DefaultAzureCredential {
    chain: Chain,
}

/// Any credentials tried in order. Unlike [`DefaultAzureCredential`] every failure passes to
/// the next credential.
///
/// # Examples
///
/// ```
/// use azkv_identity::{ChainedTokenCredential, StaticTokenCredential};
/// use azkv_core::AccessToken;
/// use std::sync::Arc;
/// use std::time::SystemTime;
///
/// let chain = ChainedTokenCredential::new(vec![
///     Arc::new(StaticTokenCredential::new(AccessToken::new("t", SystemTime::now()))),
/// ]);
/// ```
pub struct ChainedTokenCredential {
    chain: Chain,
}

struct Chain {
    owner: &'static str,
    links: Vec<Link>,
    stop_on_failure: bool,
    chosen: AtomicUsize,
}

const NONE_CHOSEN: usize = usize::MAX;

impl Chain {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        let chosen = self.chosen.load(Ordering::Relaxed);
        if let Some(Link {
            credential: Ok(credential),
            ..
        }) = self.links.get(chosen)
        {
            return credential.get_token(scopes, options).await;
        }
        let mut reasons = Vec::new();
        for (index, link) in self.links.iter().enumerate() {
            let result = match &link.credential {
                Ok(credential) => credential.get_token(scopes, options).await,
                Err((kind, message)) => Err(Error::new(kind.clone(), message.clone())),
            };
            match result {
                Ok(token) => {
                    self.chosen.store(index, Ordering::Relaxed);
                    tracing::debug!(credential = link.name, "{} chose a credential", self.owner);
                    return Ok(token);
                }
                Err(err) => {
                    let stop =
                        self.stop_on_failure && err.kind() != &ErrorKind::CredentialUnavailable;
                    reasons.push(format!("{}: {err}", link.name));
                    if stop {
                        break;
                    }
                }
            }
        }
        if reasons.is_empty() {
            reasons.push("no credential in the chain".to_owned());
        }
        Err(Error::new(
            ErrorKind::Credential,
            format!(
                "{} could not get a token: {}",
                self.owner,
                reasons.join("; ")
            ),
        ))
    }

    fn names(&self) -> Vec<&'static str> {
        self.links.iter().map(|l| l.name).collect()
    }
}

fn link<T: TokenCredential + 'static>(name: &'static str, built: Result<T>) -> Link {
    Link {
        name,
        credential: built
            .map(|c| Arc::new(c) as Arc<dyn TokenCredential>)
            .map_err(|e| (e.kind().clone(), e.to_string())),
    }
}

impl DefaultAzureCredential {
    /// The default chain, configured by `options` and the environment.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `AZURE_TOKEN_CREDENTIALS` names no known credential.
    pub fn new(options: Option<DefaultAzureCredentialOptions>) -> Result<Self> {
        let o = options.unwrap_or_default();
        let env = o.env.clone();
        let (mut env_on, mut workload_on, mut mi_on, mut cli_on) = (
            !o.exclude_environment_credential,
            !o.exclude_workload_identity_credential,
            !o.exclude_managed_identity_credential,
            !o.exclude_azure_cli_credential,
        );
        if let Some(selection) = env.get("AZURE_TOKEN_CREDENTIALS") {
            let (e, w, m, c) =
                match selection.trim().to_ascii_lowercase().as_str() {
                    "dev" => (false, false, false, true),
                    "prod" => (true, true, true, false),
                    "environmentcredential" => (true, false, false, false),
                    "workloadidentitycredential" => (false, true, false, false),
                    "managedidentitycredential" => (false, false, true, false),
                    "azureclicredential" => (false, false, false, true),
                    _ => return Err(Error::invalid_input(
                        "AZURE_TOKEN_CREDENTIALS",
                        "must be dev, prod, or a credential name such as ManagedIdentityCredential",
                    )),
                };
            env_on &= e;
            workload_on &= w;
            mi_on &= m;
            cli_on &= c;
        }
        let mut links = Vec::new();
        if env_on {
            let credential = EnvironmentCredential::new(Some(EnvironmentCredentialOptions {
                client_options: o.client_options.clone(),
                env: env.clone(),
            }));
            links.push(link("EnvironmentCredential", Ok(credential)));
        }
        if workload_on {
            links.push(link(
                "WorkloadIdentityCredential",
                WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                    tenant_id: o.tenant_id.clone(),
                    additionally_allowed_tenants: o.additionally_allowed_tenants.clone(),
                    client_options: o.client_options.clone(),
                    env: env.clone(),
                    ..Default::default()
                })),
            ));
        }
        if mi_on {
            let id = match o
                .managed_identity_client_id
                .clone()
                .or_else(|| env.get("AZURE_CLIENT_ID"))
            {
                Some(id) => ManagedIdentityId::ClientId(id),
                None => ManagedIdentityId::SystemAssigned,
            };
            links.push(link(
                "ManagedIdentityCredential",
                ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    id,
                    probe: true,
                    client_options: o.client_options.clone(),
                    env: env.clone(),
                    ..Default::default()
                })),
            ));
        }
        if cli_on {
            links.push(link(
                "AzureCliCredential",
                AzureCliCredential::new(Some({
                    let defaults = AzureCliCredentialOptions::default();
                    AzureCliCredentialOptions {
                        tenant_id: o.tenant_id.clone().or_else(|| env.get("AZURE_TENANT_ID")),
                        additionally_allowed_tenants: o.additionally_allowed_tenants.clone(),
                        timeout: o.azure_cli_timeout.unwrap_or(defaults.timeout),
                        program: o.azure_cli_program.clone().unwrap_or(defaults.program),
                    }
                })),
            ));
        }
        Ok(Self {
            chain: Chain {
                owner: "DefaultAzureCredential",
                links,
                stop_on_failure: true,
                chosen: AtomicUsize::new(NONE_CHOSEN),
            },
        })
    }
}

impl ChainedTokenCredential {
    /// A chain of `credentials`, tried in order.
    pub fn new(credentials: Vec<Arc<dyn TokenCredential>>) -> Self {
        Self {
            chain: Chain {
                owner: "ChainedTokenCredential",
                links: credentials
                    .into_iter()
                    .map(|c| Link {
                        name: "credential",
                        credential: Ok(c),
                    })
                    .collect(),
                stop_on_failure: false,
                chosen: AtomicUsize::new(NONE_CHOSEN),
            },
        }
    }
}

impl fmt::Debug for DefaultAzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultAzureCredential")
            .field("chain", &self.chain.names())
            .finish()
    }
}

impl fmt::Debug for ChainedTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainedTokenCredential")
            .field("links", &self.chain.links.len())
            .finish()
    }
}

#[async_trait]
impl TokenCredential for DefaultAzureCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        self.chain.get_token(scopes, options).await
    }
}

#[async_trait]
impl TokenCredential for ChainedTokenCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        self.chain.get_token(scopes, options).await
    }
}
