//! [`EnvironmentCredential`]: a service principal described by the `AZURE_*` variables the
//! other Azure SDKs read.
//!
//! | variables | credential |
//! |---|---|
//! | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` | [`ClientSecretCredential`] |
//! | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_CERTIFICATE_PATH` (PEM or PKCS#12), optional `AZURE_CLIENT_CERTIFICATE_PASSWORD` and `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN` | [`ClientCertificateCredential`] |
//!
//! Both honour `AZURE_AUTHORITY_HOST` and `AZURE_ADDITIONALLY_ALLOWED_TENANTS` (`;`-separated).

use crate::certificate::{
    ClientCertificate, ClientCertificateCredential, ClientCertificateCredentialOptions,
};
use crate::client_secret::{ClientSecretCredential, ClientSecretCredentialOptions};
use crate::env_vars::EnvVars;
use crate::AuthorityHost;
use async_trait::async_trait;
use azkv_core::{
    AccessToken, ClientOptions, Error, ErrorKind, Result, TokenCredential, TokenRequestOptions,
};
use std::path::Path;

/// Options of [`EnvironmentCredential`].
#[derive(Clone, Debug, Default)]
pub struct EnvironmentCredentialOptions {
    /// Retry, transport and logging of token requests.
    pub client_options: ClientOptions,
    /// Where variables are read from; default the process environment.
    pub env: EnvVars,
}

/// A credential configured by environment variables (see the module table).
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::EnvironmentCredential;
///
/// let credential = EnvironmentCredential::new(None);
/// ```
#[derive(Debug)]
pub struct EnvironmentCredential {
    inner: std::result::Result<Box<dyn TokenCredential>, (ErrorKind, String)>,
}

impl EnvironmentCredential {
    /// Reads the variables now. A missing or broken configuration is reported by `get_token`.
    pub fn new(options: Option<EnvironmentCredentialOptions>) -> Self {
        let options = options.unwrap_or_default();
        Self {
            inner: build(&options).map_err(|e| (e.kind().clone(), e.to_string())),
        }
    }
}

fn build(options: &EnvironmentCredentialOptions) -> Result<Box<dyn TokenCredential>> {
    let env = &options.env;
    let (Some(tenant), Some(client)) = (env.get("AZURE_TENANT_ID"), env.get("AZURE_CLIENT_ID"))
    else {
        return Err(Error::new(
            ErrorKind::CredentialUnavailable,
            "EnvironmentCredential: AZURE_TENANT_ID and AZURE_CLIENT_ID are not both set",
        ));
    };
    let authority_host = match env.get("AZURE_AUTHORITY_HOST") {
        Some(host) => AuthorityHost::custom(&host)?,
        None => AuthorityHost::default(),
    };
    let allowed: Vec<String> = env
        .get("AZURE_ADDITIONALLY_ALLOWED_TENANTS")
        .map(|v| {
            v.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(secret) = env.get("AZURE_CLIENT_SECRET") {
        return Ok(Box::new(ClientSecretCredential::new(
            &tenant,
            &client,
            secret.into(),
            Some(ClientSecretCredentialOptions {
                authority_host,
                additionally_allowed_tenants: allowed,
                client_options: options.client_options.clone(),
            }),
        )?));
    }
    if let Some(path) = env.get("AZURE_CLIENT_CERTIFICATE_PATH") {
        let password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD");
        let certificate = ClientCertificate::from_file(Path::new(&path), password.as_deref())
            .map_err(|e| {
                Error::with_source(
                    ErrorKind::Credential,
                    "EnvironmentCredential: cannot load AZURE_CLIENT_CERTIFICATE_PATH",
                    e,
                )
            })?;
        let send_chain = env
            .get("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN")
            .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
        return Ok(Box::new(ClientCertificateCredential::new(
            &tenant,
            &client,
            certificate,
            Some(ClientCertificateCredentialOptions {
                authority_host,
                send_certificate_chain: send_chain,
                additionally_allowed_tenants: allowed,
                client_options: options.client_options.clone(),
            }),
        )?));
    }
    Err(Error::new(
        ErrorKind::CredentialUnavailable,
        "EnvironmentCredential: neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is set",
    ))
}

#[async_trait]
impl TokenCredential for EnvironmentCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        match &self.inner {
            Ok(credential) => credential.get_token(scopes, options).await,
            Err((kind, message)) => Err(Error::new(kind.clone(), message.clone())),
        }
    }
}
