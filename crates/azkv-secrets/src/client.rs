//! [`SecretClient`]: every operation of the Key Vault secrets API.
//!
//! Names and versions are checked before anything is sent. Lists return a [`Pager`] (nothing
//! is sent until it is polled); delete and recover return a [`Poller`] that completes when the
//! service has settled the change.

use crate::generated as wire;
use crate::models::{to_unix, DeletedSecret, KeyVaultSecret, SecretProperties};
use crate::options::*;
use azkv_core::vault::{
    check_object_name, check_object_version, page_size_query, VaultEndpoint, VaultEndpointOptions,
};
use azkv_core::{
    Context, Error, ErrorKind, Method, Pager, Poller, RawResponse, Request, Response, Result,
    Sensitive, TokenCredential, Url,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::Arc;

/// A client for the secrets of one vault. Cheap to clone; clones share the connection pool
/// and the authentication state.
///
/// # Examples
///
/// ```no_run
/// use azkv_secrets::SecretClient;
/// # use std::sync::Arc;
///
/// # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
/// let client = SecretClient::new("https://myvault.vault.azure.net/", credential, None)?;
/// client.set_secret("db-password", "correct horse", None).await?;
/// let secret = client.get_secret("db-password", None).await?.into_model();
/// assert_eq!(secret.value.expose(), "correct horse");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SecretClient {
    endpoint: VaultEndpoint,
    options: Arc<SecretClientOptions>,
}

fn check_name(name: &str) -> Result<()> {
    check_object_name("secret name", name)
}

fn check_version(version: &str) -> Result<()> {
    check_object_version("secret version", version)
}

fn attributes(
    enabled: Option<bool>,
    not_before: Option<std::time::SystemTime>,
    expires_on: Option<std::time::SystemTime>,
) -> Option<wire::SecretAttributes> {
    if enabled.is_none() && not_before.is_none() && expires_on.is_none() {
        return None;
    }
    Some(wire::SecretAttributes {
        enabled,
        not_before: not_before.map(to_unix),
        expires: expires_on.map(to_unix),
        ..Default::default()
    })
}

/// How often `set_secret` resends after a connection failure (each time after checking that
/// the vault did not store the value).
const SET_RESEND_ATTEMPTS: u32 = 3;

impl SecretClient {
    /// The latest version of `name` when it holds `value` and was created at or after `since`
    /// (less a minute of clock skew): the sign that an interrupted `set_secret` did land.
    async fn stored_since(
        &self,
        name: &str,
        value: &str,
        since: std::time::SystemTime,
    ) -> Option<Response<KeyVaultSecret>> {
        let latest = self.get_secret(name, None).await.ok()?;
        let secret = latest.model();
        let skew = std::time::Duration::from_secs(60);
        let recent = secret
            .properties
            .created_on
            .is_some_and(|c| c + skew >= since);
        (recent && secret.value.expose() == value).then_some(latest)
    }

    /// A client for the vault at `vault_url`, authenticating with `credential`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) when `vault_url` is not
    /// an absolute `https` URL (or `http` to a loopback host with
    /// [`SecretClientOptions::allow_http_loopback`]); any error building the transport.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<SecretClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let endpoint = VaultEndpoint::new(
            vault_url,
            credential,
            VaultEndpointOptions {
                component: "azkv-secrets",
                component_version: env!("CARGO_PKG_VERSION"),
                client_options: &options.client_options,
                default_api_version: DEFAULT_API_VERSION,
                verify_challenge_resource: options.verify_challenge_resource,
                allow_http_loopback: options.allow_http_loopback,
            },
        )?;
        Ok(Self {
            endpoint,
            options: Arc::new(options),
        })
    }

    /// The vault's URL.
    pub fn vault_url(&self) -> &Url {
        self.endpoint.vault_url()
    }

    /// The API version requests use.
    pub fn api_version(&self) -> &str {
        self.endpoint.api_version()
    }

    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url> {
        self.endpoint.url(segments, query)
    }

    async fn send(&self, operation: &'static str, request: &mut Request) -> Result<RawResponse> {
        self.endpoint.send(operation, request).await
    }

    /// Creates a new version of secret `name` with `value` (creating the secret if needed).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an invalid name,
    /// before sending; [`ErrorKind::Http`](azkv_core::ErrorKind::Http) from the service, such
    /// as `409 Conflict` while a deleted secret of that name is not purged.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_secrets::SecretClient) -> azkv_core::Result<()> {
    /// use azkv_secrets::SetSecretOptions;
    ///
    /// let options = SetSecretOptions { content_type: Some("text/plain".into()), ..Default::default() };
    /// let secret = client.set_secret("api-key", "s3cr3t", Some(options)).await?.into_model();
    /// println!("created version {:?}", secret.properties.version);
    /// # Ok(()) }
    /// ```
    pub async fn set_secret(
        &self,
        name: &str,
        value: &str,
        options: Option<SetSecretOptions>,
    ) -> Result<Response<KeyVaultSecret>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let body = wire::SecretSetParameters {
            value: Sensitive::new(value.to_owned()),
            content_type: options.content_type,
            tags: options.tags,
            secret_attributes: attributes(options.enabled, options.not_before, options.expires_on),
        };
        let mut request = Request::new(Method::PUT, self.url(&["secrets", name], &[])?);
        request.set_json(&body)?;
        // Each PUT makes a new version: the pipeline resends it only when the service said it
        // did not act (429, 503). When the connection fails mid-request, the vault may or may
        // not have stored it, so look before resending: never lose the write, never store it
        // twice.
        request.set_idempotent(false);
        let started = std::time::SystemTime::now();
        let mut attempts = 0;
        let response = loop {
            match self
                .send("SecretClient::set_secret", &mut request.clone())
                .await
            {
                Err(err)
                    if matches!(err.kind(), ErrorKind::Io | ErrorKind::Timeout)
                        && attempts < SET_RESEND_ATTEMPTS =>
                {
                    attempts += 1;
                    tracing::debug!(error = %err, attempt = attempts, "set_secret may not have reached the vault; checking before resending");
                    if let Some(stored) = self.stored_since(name, value, started).await {
                        return Ok(stored);
                    }
                }
                other => break other?,
            }
        };
        Ok(response
            .into_model::<wire::SecretBundle>()?
            .map(KeyVaultSecret::from))
    }

    /// Gets the latest version of secret `name`, or the version in `options`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an invalid name or
    /// version; [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `SecretNotFound`
    /// when it does not exist, `403` when it is disabled.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_secrets::SecretClient) -> azkv_core::Result<()> {
    /// use azkv_secrets::GetSecretOptions;
    ///
    /// let latest = client.get_secret("api-key", None).await?.into_model();
    /// let old = client
    ///     .get_secret("api-key", Some(GetSecretOptions { version: Some("4387e9f3d6e14c459867679a90fd0f79".into()), ..Default::default() }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_secret(
        &self,
        name: &str,
        options: Option<GetSecretOptions>,
    ) -> Result<Response<KeyVaultSecret>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let version = options.version.unwrap_or_default();
        if !version.is_empty() {
            check_version(&version)?;
        }
        let query: Vec<(&str, String)> = options
            .out_content_type
            .map(|c| ("outContentType", c.as_str().to_owned()))
            .into_iter()
            .collect();
        let mut request =
            Request::new(Method::GET, self.url(&["secrets", name, &version], &query)?);
        let response = self.send("SecretClient::get_secret", &mut request).await?;
        Ok(response
            .into_model::<wire::SecretBundle>()?
            .map(KeyVaultSecret::from))
    }

    /// Changes a version's metadata (content type, tags, enabled, dates); never its value.
    ///
    /// # Errors
    ///
    /// As [`get_secret`](Self::get_secret).
    pub async fn update_secret_properties(
        &self,
        name: &str,
        options: Option<UpdateSecretPropertiesOptions>,
    ) -> Result<Response<SecretProperties>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let version = options.version.unwrap_or_default();
        if !version.is_empty() {
            check_version(&version)?;
        }
        let body = wire::SecretUpdateParameters {
            content_type: options.content_type,
            tags: options.tags,
            secret_attributes: attributes(options.enabled, options.not_before, options.expires_on),
        };
        let mut request = Request::new(Method::PATCH, self.url(&["secrets", name, &version], &[])?);
        request.set_json(&body)?;
        // Setting the same properties twice has the same effect.
        request.set_idempotent(true);
        let response = self
            .send("SecretClient::update_secret_properties", &mut request)
            .await?;
        Ok(response
            .into_model::<wire::SecretBundle>()?
            .map(SecretProperties::from))
    }

    /// Lists the properties of every secret (no values), across pages.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_secrets::SecretClient) -> azkv_core::Result<()> {
    /// let mut secrets = client.list_secret_properties(None);
    /// while let Some(properties) = secrets.next().await {
    ///     println!("{}", properties?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_secret_properties(
        &self,
        options: Option<ListSecretsOptions>,
    ) -> Pager<SecretProperties> {
        let options = options.unwrap_or_default();
        let url = page_size_query(options.max_page_size).and_then(|q| self.url(&["secrets"], &q));
        self.endpoint.pager::<wire::SecretItem, _>(
            "SecretClient::list_secret_properties",
            url,
            options.continuation_token,
        )
    }

    /// Lists the properties of every version of secret `name`.
    pub fn list_secret_versions(
        &self,
        name: &str,
        options: Option<ListSecretsOptions>,
    ) -> Pager<SecretProperties> {
        let options = options.unwrap_or_default();
        let url = check_name(name)
            .and_then(|()| page_size_query(options.max_page_size))
            .and_then(|q| self.url(&["secrets", name, "versions"], &q));
        self.endpoint.pager::<wire::SecretItem, _>(
            "SecretClient::list_secret_versions",
            url,
            options.continuation_token,
        )
    }

    /// Lists deleted secrets that can still be recovered or purged.
    pub fn list_deleted_secrets(
        &self,
        options: Option<ListSecretsOptions>,
    ) -> Pager<DeletedSecret> {
        let options = options.unwrap_or_default();
        let url =
            page_size_query(options.max_page_size).and_then(|q| self.url(&["deletedsecrets"], &q));
        self.endpoint.pager::<wire::DeletedSecretItem, _>(
            "SecretClient::list_deleted_secrets",
            url,
            options.continuation_token,
        )
    }

    /// Deletes secret `name` (every version). The poller completes when the deleted secret
    /// can be read, recovered or purged; it is already complete in vaults without soft-delete.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `SecretNotFound` when there is
    /// no such secret.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_secrets::SecretClient) -> azkv_core::Result<()> {
    /// let deleted = client.begin_delete_secret("api-key", None).await?.await?;
    /// println!("purged on {:?} unless recovered", deleted.scheduled_purge_date);
    /// # Ok(()) }
    /// ```
    pub async fn begin_delete_secret(
        &self,
        name: &str,
        _options: Option<DeleteSecretOptions>,
    ) -> Result<Poller<DeletedSecret>> {
        check_name(name)?;
        let mut request = Request::new(Method::DELETE, self.url(&["secrets", name], &[])?);
        let response = self
            .send("SecretClient::delete_secret", &mut request)
            .await?;
        let initial = response
            .into_model::<wire::DeletedSecretBundle>()?
            .into_model();
        if initial.recovery_id.is_none() {
            return Ok(Poller::ready(DeletedSecret::from(initial)));
        }
        let url = self.url(&["deletedsecrets", name], &[])?;
        Ok(Poller::key_vault_entity(
            self.endpoint.pipeline().clone(),
            Context::for_operation("SecretClient::delete_secret"),
            url,
            Some(initial),
            self.options.poller.clone(),
        )
        .map(DeletedSecret::from))
    }

    /// Gets a deleted secret.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `SecretNotFound` when there is
    /// no such deleted secret.
    pub async fn get_deleted_secret(
        &self,
        name: &str,
        _options: Option<GetDeletedSecretOptions>,
    ) -> Result<Response<DeletedSecret>> {
        check_name(name)?;
        let mut request = Request::new(Method::GET, self.url(&["deletedsecrets", name], &[])?);
        let response = self
            .send("SecretClient::get_deleted_secret", &mut request)
            .await?;
        Ok(response
            .into_model::<wire::DeletedSecretBundle>()?
            .map(DeletedSecret::from))
    }

    /// Recovers a deleted secret. The poller completes when the secret can be read again.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `SecretNotFound` when there is
    /// no such deleted secret.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_secrets::SecretClient) -> azkv_core::Result<()> {
    /// let properties = client.begin_recover_deleted_secret("api-key", None).await?.await?;
    /// # Ok(()) }
    /// ```
    pub async fn begin_recover_deleted_secret(
        &self,
        name: &str,
        _options: Option<RecoverDeletedSecretOptions>,
    ) -> Result<Poller<SecretProperties>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::POST,
            self.url(&["deletedsecrets", name, "recover"], &[])?,
        );
        // Recovering twice fails the second time without harm: safe to resend.
        request.set_idempotent(true);
        let response = self
            .send("SecretClient::recover_deleted_secret", &mut request)
            .await?;
        let initial = response.into_model::<wire::SecretBundle>()?.into_model();
        let url = self.url(&["secrets", name, ""], &[])?;
        Ok(Poller::key_vault_entity(
            self.endpoint.pipeline().clone(),
            Context::for_operation("SecretClient::recover_deleted_secret"),
            url,
            Some(initial),
            self.options.poller.clone(),
        )
        .map(SecretProperties::from))
    }

    /// Deletes a deleted secret for good.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `SecretNotFound` when there is
    /// no such deleted secret, `409` while its delete is still in progress.
    pub async fn purge_deleted_secret(
        &self,
        name: &str,
        _options: Option<PurgeDeletedSecretOptions>,
    ) -> Result<Response<()>> {
        check_name(name)?;
        let mut request = Request::new(Method::DELETE, self.url(&["deletedsecrets", name], &[])?);
        let response = self
            .send("SecretClient::purge_deleted_secret", &mut request)
            .await?
            .success()?;
        Ok(Response::new(
            response.status(),
            response.headers().clone(),
            (),
        ))
    }

    /// Backs up every version of secret `name` into a protected blob that only Key Vault can
    /// read, for [`restore_secret_backup`](Self::restore_secret_backup).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `SecretNotFound` when there is
    /// no such secret; [`ErrorKind::Deserialize`](azkv_core::ErrorKind::Deserialize) when the
    /// blob is not base64url.
    pub async fn backup_secret(
        &self,
        name: &str,
        _options: Option<BackupSecretOptions>,
    ) -> Result<Response<Vec<u8>>> {
        check_name(name)?;
        let mut request = Request::new(Method::POST, self.url(&["secrets", name, "backup"], &[])?);
        request.set_idempotent(true);
        let response = self
            .send("SecretClient::backup_secret", &mut request)
            .await?;
        let blob = response.into_model::<wire::BackupSecretResult>()?;
        let text = blob.model().value.clone().unwrap_or_default();
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .ok()
            .ok_or_else(|| {
                Error::new(
                    azkv_core::ErrorKind::Deserialize,
                    "backup blob is not base64url",
                )
            })?;
        Ok(blob.map(|_| bytes))
    }

    /// Restores a backup made by [`backup_secret`](Self::backup_secret), into this vault.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an empty backup;
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `409` when the name is taken.
    pub async fn restore_secret_backup(
        &self,
        backup: &[u8],
        _options: Option<RestoreSecretBackupOptions>,
    ) -> Result<Response<SecretProperties>> {
        if backup.is_empty() {
            return Err(Error::invalid_input("backup", "must not be empty"));
        }
        let body = wire::SecretRestoreParameters {
            secret_bundle_backup: URL_SAFE_NO_PAD.encode(backup),
        };
        let mut request = Request::new(Method::POST, self.url(&["secrets", "restore"], &[])?);
        request.set_json(&body)?;
        let response = self
            .send("SecretClient::restore_secret_backup", &mut request)
            .await?;
        Ok(response
            .into_model::<wire::SecretBundle>()?
            .map(SecretProperties::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_sending() {
        for bad in ["", "a_b", "a/b", "a b", "..", &"x".repeat(128)] {
            assert_eq!(
                check_name(bad).unwrap_err().kind(),
                &azkv_core::ErrorKind::InvalidInput,
                "{bad}"
            );
        }
        assert!(check_name("db-password-1").is_ok());
        assert!(check_version("../x").is_err());
    }
}
