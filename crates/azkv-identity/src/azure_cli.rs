//! [`AzureCliCredential`]: the account signed in to the Azure CLI (`az login`), for
//! development machines.

use crate::authority::{check_tenant, resolve_tenant};
use crate::token_cache::TokenCache;
use async_trait::async_trait;
use azkv_core::{AccessToken, Error, ErrorKind, Result, TokenCredential, TokenRequestOptions};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Options of [`AzureCliCredential`].
#[derive(Clone, Debug)]
pub struct AzureCliCredentialOptions {
    /// Tenant to ask for; default the CLI's current one.
    pub tenant_id: Option<String>,
    /// Other tenants a service may ask tokens for; `"*"` any.
    pub additionally_allowed_tenants: Vec<String>,
    /// How long `az` may take. Default 10 s.
    pub timeout: Duration,
    /// The program to run. Default `az` on `PATH`.
    pub program: PathBuf,
}

impl Default for AzureCliCredentialOptions {
    fn default() -> Self {
        Self {
            tenant_id: None,
            additionally_allowed_tenants: Vec::new(),
            timeout: Duration::from_secs(10),
            program: PathBuf::from("az"),
        }
    }
}

/// Gets tokens by running `az account get-access-token`.
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::AzureCliCredential;
///
/// # fn main() -> azkv_core::Result<()> {
/// let credential = AzureCliCredential::new(None)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AzureCliCredential {
    options: AzureCliCredentialOptions,
    cache: TokenCache,
}

#[derive(Deserialize)]
struct CliToken {
    #[serde(rename = "accessToken")]
    access_token: String,
    expires_on: Option<u64>,
}

fn unavailable(message: &str) -> Error {
    Error::new(
        ErrorKind::CredentialUnavailable,
        format!("AzureCliCredential: {message}"),
    )
}

/// Scopes and tenants go to a command line: allow only URL-ish characters.
fn check_argument(value: &str, name: &str) -> Result<()> {
    if !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:/".contains(&b))
        && !value.starts_with('-')
    {
        Ok(())
    } else {
        Err(Error::invalid_input(
            name,
            "has characters not allowed on the az command line",
        ))
    }
}

/// The command that runs `program`. On Windows the CLI is `az.cmd`, which only the command
/// interpreter resolves from a bare `az`.
fn cli_command(program: &std::path::Path) -> tokio::process::Command {
    if cfg!(windows) && program == std::path::Path::new("az") {
        let mut command = tokio::process::Command::new("cmd");
        command.args(["/C", "az"]);
        command
    } else {
        tokio::process::Command::new(program)
    }
}

impl AzureCliCredential {
    /// A credential with `options`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an invalid tenant id.
    pub fn new(options: Option<AzureCliCredentialOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        if let Some(tenant) = &options.tenant_id {
            check_tenant(tenant)?;
        }
        Ok(Self {
            options,
            cache: TokenCache::default(),
        })
    }
}

#[async_trait]
impl TokenCredential for AzureCliCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        let [scope] = scopes else {
            return Err(Error::invalid_input(
                "scopes",
                "the Azure CLI takes exactly one scope",
            ));
        };
        check_argument(scope, "scope")?;
        let tenant = match (&self.options.tenant_id, options.tenant_id.as_deref()) {
            (Some(own), requested) => Some(resolve_tenant(
                "AzureCliCredential",
                own,
                requested,
                &self.options.additionally_allowed_tenants,
            )?),
            (None, Some(requested)) => {
                check_tenant(requested)?;
                Some(requested.to_owned())
            }
            (None, None) => None,
        };
        if let Some(tenant) = &tenant {
            check_argument(tenant, "tenant id")?;
        }
        let tenant_key = tenant.clone().unwrap_or_default();
        self.cache
            .token(&tenant_key, scopes, false, || {
                self.run(scope, tenant.as_deref())
            })
            .await
    }
}

impl AzureCliCredential {
    async fn run(&self, scope: &str, tenant: Option<&str>) -> Result<AccessToken> {
        let resource = scope.trim_end_matches("/.default");
        let mut command = cli_command(&self.options.program);
        command.args([
            "account",
            "get-access-token",
            "--output",
            "json",
            "--resource",
            resource,
        ]);
        if let Some(tenant) = tenant {
            command.args(["--tenant", tenant]);
        }
        command
            .kill_on_drop(true)
            .stdin(std::process::Stdio::null());
        let output = match tokio::time::timeout(self.options.timeout, command.output()).await {
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::Credential,
                    format!(
                        "AzureCliCredential: az did not answer within {:?}",
                        self.options.timeout
                    ),
                ))
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(unavailable(
                    "the Azure CLI (az) is not installed or not on PATH",
                ))
            }
            Ok(Err(e)) => {
                return Err(Error::with_source(
                    ErrorKind::Credential,
                    "AzureCliCredential: cannot run az",
                    e,
                ))
            }
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            if stderr.contains("az login") || stderr.contains("az account set") {
                return Err(unavailable(
                    "the Azure CLI is not signed in; run `az login`",
                ));
            }
            let first = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>();
            return Err(Error::new(
                ErrorKind::Credential,
                format!("AzureCliCredential: az failed: {first}"),
            ));
        }
        let token: CliToken = serde_json::from_slice(&output.stdout).map_err(|e| {
            Error::with_source(
                ErrorKind::Credential,
                "AzureCliCredential: unreadable az output",
                e,
            )
        })?;
        let expires_on = match token.expires_on {
            Some(secs) => UNIX_EPOCH + Duration::from_secs(secs),
            // Older CLIs give only a local-time string; assume a short lifetime.
            None => SystemTime::now() + Duration::from_secs(300),
        };
        Ok(AccessToken::new(token.access_token, expires_on))
    }
}
