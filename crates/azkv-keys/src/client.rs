//! [`KeyClient`]: every operation of the Key Vault keys API except the cryptographic ones,
//! which [`CryptographyClient`](crate::CryptographyClient) performs.
//!
//! Names and versions are checked before anything is sent. Lists return a [`Pager`]; delete
//! and recover return a [`Poller`] that completes when the service has settled the change.

use crate::generated as wire;
use crate::models::*;
use crate::options::*;
use azkv_core::vault::{
    check_object_name, check_object_version, decode_base64url, encode_base64url, page_size_query,
    to_unix, VaultEndpoint, VaultEndpointOptions,
};
use azkv_core::{
    Context, Error, Method, Pager, Poller, RawResponse, Request, Response, Result, TokenCredential,
    Url,
};
use std::sync::Arc;
use std::time::SystemTime;

/// A client for the keys of one vault. Cheap to clone; clones share the connection pool and
/// the authentication state.
///
/// # Examples
///
/// ```no_run
/// use azkv_keys::{KeyClient, KeyCurveName, CreateKeyOptions};
/// # use std::sync::Arc;
///
/// # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
/// let client = KeyClient::new("https://myvault.vault.azure.net/", credential, None)?;
/// let options = CreateKeyOptions { curve: Some(KeyCurveName::P256), ..Default::default() };
/// let key = client.create_ec_key("signing", Some(options)).await?.into_model();
/// println!("created {:?}", key.id());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyClient {
    endpoint: VaultEndpoint,
    credential: Arc<dyn TokenCredential>,
    options: Arc<KeyClientOptions>,
}

pub(crate) fn check_name(name: &str) -> Result<()> {
    check_object_name("key name", name)
}

pub(crate) fn check_version(version: &str) -> Result<()> {
    check_object_version("key version", version)
}

fn attributes(
    enabled: Option<bool>,
    not_before: Option<SystemTime>,
    expires_on: Option<SystemTime>,
    exportable: Option<bool>,
) -> Option<wire::KeyAttributes> {
    if enabled.is_none() && not_before.is_none() && expires_on.is_none() && exportable.is_none() {
        return None;
    }
    Some(wire::KeyAttributes {
        enabled,
        not_before: not_before.map(to_unix),
        expires: expires_on.map(to_unix),
        exportable,
        ..Default::default()
    })
}

pub(crate) fn bundle(response: RawResponse) -> Result<Response<KeyVaultKey>> {
    let response = response.into_model::<wire::KeyBundle>()?;
    let status = response.status();
    let headers = response.headers().clone();
    let key = KeyVaultKey::try_from(response.into_model())?;
    Ok(Response::new(status, headers, key))
}

fn optional_version(version: Option<String>) -> Result<String> {
    let version = version.unwrap_or_default();
    if !version.is_empty() {
        check_version(&version)?;
    }
    Ok(version)
}

impl KeyClient {
    /// A client for the vault at `vault_url`, authenticating with `credential`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) when `vault_url` is not
    /// an absolute `https` URL (or `http` to a loopback host with
    /// [`KeyClientOptions::allow_http_loopback`]); any error building the transport.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<KeyClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let endpoint =
            VaultEndpoint::new(vault_url, credential.clone(), endpoint_options(&options))?;
        Ok(Self {
            endpoint,
            credential,
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

    /// A [`CryptographyClient`](crate::CryptographyClient) for key `name` (a version, or the
    /// latest), sharing this client's credential and options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an invalid name or
    /// version.
    pub fn get_cryptography_client(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<crate::CryptographyClient> {
        check_name(name)?;
        let version = optional_version(version.map(str::to_owned))?;
        let mut id = self.endpoint.vault_url().clone();
        id.set_path(&format!("keys/{name}/{version}"));
        crate::CryptographyClient::new(
            id.as_str().trim_end_matches('/'),
            self.credential.clone(),
            Some((*self.options).clone()),
        )
    }

    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url> {
        self.endpoint.url(segments, query)
    }

    async fn send(&self, operation: &'static str, request: &mut Request) -> Result<RawResponse> {
        self.endpoint.send(operation, request).await
    }

    /// Creates a key of `key_type` (a new version when `name` exists).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an invalid name;
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `400 BadParameter` from the service for
    /// a size or curve the key type does not support.
    pub async fn create_key(
        &self,
        name: &str,
        key_type: KeyType,
        options: Option<CreateKeyOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let to_i32 = |v: Option<u32>, what: &str| -> Result<Option<i32>> {
            v.map(|v| i32::try_from(v).map_err(|_| Error::invalid_input(what, "is too large")))
                .transpose()
        };
        let body = wire::KeyCreateParameters {
            kty: key_type,
            key_size: to_i32(options.key_size, "key size")?,
            public_exponent: to_i32(options.public_exponent, "public exponent")?,
            curve: options.curve,
            key_ops: options.key_operations,
            key_attributes: attributes(
                options.enabled,
                options.not_before,
                options.expires_on,
                options.exportable,
            ),
            tags: options.tags,
            release_policy: None,
        };
        let mut request = Request::new(Method::POST, self.url(&["keys", name, "create"], &[])?);
        request.set_json(&body)?;
        // Each create makes a new version: resend only when the service said it did not act.
        request.set_idempotent(false);
        bundle(self.send("KeyClient::create_key", &mut request).await?)
    }

    /// Creates an RSA key (`RSA-HSM` with `hardware_protected`), 2048 bits unless
    /// `key_size` says otherwise.
    ///
    /// # Errors
    ///
    /// As [`create_key`](Self::create_key).
    pub async fn create_rsa_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        let options = options.unwrap_or_default();
        let kty = if options.hardware_protected {
            KeyType::RsaHsm
        } else {
            KeyType::Rsa
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Creates an elliptic-curve key (`EC-HSM` with `hardware_protected`), on P-256 unless
    /// `curve` says otherwise.
    ///
    /// # Errors
    ///
    /// As [`create_key`](Self::create_key).
    pub async fn create_ec_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        let options = options.unwrap_or_default();
        let kty = if options.hardware_protected {
            KeyType::EcHsm
        } else {
            KeyType::Ec
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Creates a symmetric AES key (`oct-HSM` with `hardware_protected`), 256 bits unless
    /// `key_size` says otherwise. Vaults that do not offer symmetric keys answer `400`.
    ///
    /// # Errors
    ///
    /// As [`create_key`](Self::create_key).
    pub async fn create_oct_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        let options = options.unwrap_or_default();
        let kty = if options.hardware_protected {
            KeyType::OctHsm
        } else {
            KeyType::Oct
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Imports `key` (with its private half) as a new version of `name`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) when `key` has no key
    /// type or no private material; `400 BadParameter` from the service for an inconsistent
    /// or unsupported key.
    pub async fn import_key(
        &self,
        name: &str,
        key: &JsonWebKey,
        options: Option<ImportKeyOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        check_name(name)?;
        if key.kty.is_none() {
            return Err(Error::invalid_input("key", "has no key type (kty)"));
        }
        if !key.has_private_key() {
            return Err(Error::invalid_input(
                "key",
                "has no private or symmetric material to import",
            ));
        }
        let options = options.unwrap_or_default();
        let body = wire::KeyImportParameters {
            hsm: options.hardware_protected,
            key: wire::JsonWebKey::from(key),
            key_attributes: attributes(
                options.enabled,
                options.not_before,
                options.expires_on,
                options.exportable,
            ),
            release_policy: None,
            tags: options.tags,
        };
        let mut request = Request::new(Method::PUT, self.url(&["keys", name], &[])?);
        request.set_json(&body)?;
        request.set_idempotent(false);
        bundle(self.send("KeyClient::import_key", &mut request).await?)
    }

    /// Gets the latest version of key `name` (public half only), or the version in `options`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `KeyNotFound` when it does
    /// not exist.
    pub async fn get_key(
        &self,
        name: &str,
        options: Option<GetKeyOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        check_name(name)?;
        let version = optional_version(options.unwrap_or_default().version)?;
        let mut request = Request::new(Method::GET, self.url(&["keys", name, &version], &[])?);
        bundle(self.send("KeyClient::get_key", &mut request).await?)
    }

    /// Changes a version's metadata (operations, enabled, dates, tags); never its material.
    ///
    /// # Errors
    ///
    /// As [`get_key`](Self::get_key).
    pub async fn update_key_properties(
        &self,
        name: &str,
        options: Option<UpdateKeyPropertiesOptions>,
    ) -> Result<Response<KeyVaultKey>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let version = optional_version(options.version)?;
        let body = wire::KeyUpdateParameters {
            key_attributes: attributes(
                options.enabled,
                options.not_before,
                options.expires_on,
                None,
            ),
            key_ops: options.key_operations,
            release_policy: None,
            tags: options.tags,
        };
        let mut request = Request::new(Method::PATCH, self.url(&["keys", name, &version], &[])?);
        request.set_json(&body)?;
        request.set_idempotent(true);
        bundle(
            self.send("KeyClient::update_key_properties", &mut request)
                .await?,
        )
    }

    /// Lists the properties of every key, across pages.
    pub fn list_properties_of_keys(
        &self,
        options: Option<ListKeysOptions>,
    ) -> Pager<KeyProperties> {
        let options = options.unwrap_or_default();
        let url = page_size_query(options.max_page_size).and_then(|q| self.url(&["keys"], &q));
        self.endpoint.pager::<wire::KeyItem, _>(
            "KeyClient::list_properties_of_keys",
            url,
            options.continuation_token,
        )
    }

    /// Lists the properties of every version of key `name`.
    pub fn list_properties_of_key_versions(
        &self,
        name: &str,
        options: Option<ListKeysOptions>,
    ) -> Pager<KeyProperties> {
        let options = options.unwrap_or_default();
        let url = check_name(name)
            .and_then(|()| page_size_query(options.max_page_size))
            .and_then(|q| self.url(&["keys", name, "versions"], &q));
        self.endpoint.pager::<wire::KeyItem, _>(
            "KeyClient::list_properties_of_key_versions",
            url,
            options.continuation_token,
        )
    }

    /// Lists deleted keys that can still be recovered or purged.
    pub fn list_deleted_keys(&self, options: Option<ListKeysOptions>) -> Pager<DeletedKey> {
        let options = options.unwrap_or_default();
        let url =
            page_size_query(options.max_page_size).and_then(|q| self.url(&["deletedkeys"], &q));
        self.endpoint.pager::<wire::DeletedKeyItem, _>(
            "KeyClient::list_deleted_keys",
            url,
            options.continuation_token,
        )
    }

    /// Deletes key `name` (every version). The poller completes when the deleted key can be
    /// read, recovered or purged.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `KeyNotFound`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_keys::KeyClient) -> azkv_core::Result<()> {
    /// let deleted = client.begin_delete_key("signing").await?.await?;
    /// client.purge_deleted_key(deleted.name()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn begin_delete_key(&self, name: &str) -> Result<Poller<DeletedKey>> {
        check_name(name)?;
        let mut request = Request::new(Method::DELETE, self.url(&["keys", name], &[])?);
        let response = self.send("KeyClient::delete_key", &mut request).await?;
        let initial = response
            .into_model::<wire::DeletedKeyBundle>()?
            .into_model();
        if initial.recovery_id.is_none() {
            return Ok(Poller::ready(DeletedKey::try_from(initial)?));
        }
        let url = self.url(&["deletedkeys", name], &[])?;
        let poller = Poller::key_vault_entity(
            self.endpoint.pipeline().clone(),
            Context::for_operation("KeyClient::delete_key"),
            url,
            Some(initial),
            self.options.poller.clone(),
        );
        Ok(poller.try_map(DeletedKey::try_from))
    }

    /// Gets a deleted key.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `KeyNotFound`.
    pub async fn get_deleted_key(&self, name: &str) -> Result<Response<DeletedKey>> {
        check_name(name)?;
        let mut request = Request::new(Method::GET, self.url(&["deletedkeys", name], &[])?);
        let response = self
            .send("KeyClient::get_deleted_key", &mut request)
            .await?
            .into_model::<wire::DeletedKeyBundle>()?;
        let (status, headers) = (response.status(), response.headers().clone());
        Ok(Response::new(
            status,
            headers,
            DeletedKey::try_from(response.into_model())?,
        ))
    }

    /// Recovers a deleted key. The poller completes when the key can be read again.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) with code `KeyNotFound`.
    pub async fn begin_recover_deleted_key(&self, name: &str) -> Result<Poller<KeyVaultKey>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::POST,
            self.url(&["deletedkeys", name, "recover"], &[])?,
        );
        request.set_idempotent(true);
        let response = self
            .send("KeyClient::recover_deleted_key", &mut request)
            .await?;
        let initial = response.into_model::<wire::KeyBundle>()?.into_model();
        let url = self.url(&["keys", name, ""], &[])?;
        let poller = Poller::key_vault_entity(
            self.endpoint.pipeline().clone(),
            Context::for_operation("KeyClient::recover_deleted_key"),
            url,
            Some(initial),
            self.options.poller.clone(),
        );
        Ok(poller.try_map(KeyVaultKey::try_from))
    }

    /// Deletes a deleted key for good.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `KeyNotFound`, or `409` while its
    /// delete is in progress.
    pub async fn purge_deleted_key(&self, name: &str) -> Result<Response<()>> {
        check_name(name)?;
        let mut request = Request::new(Method::DELETE, self.url(&["deletedkeys", name], &[])?);
        let response = self
            .send("KeyClient::purge_deleted_key", &mut request)
            .await?
            .success()?;
        Ok(Response::new(
            response.status(),
            response.headers().clone(),
            (),
        ))
    }

    /// Backs up every version of key `name` into a protected blob only Key Vault can read.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `KeyNotFound`.
    pub async fn backup_key(&self, name: &str) -> Result<Response<Vec<u8>>> {
        check_name(name)?;
        let mut request = Request::new(Method::POST, self.url(&["keys", name, "backup"], &[])?);
        request.set_idempotent(true);
        let response = self
            .send("KeyClient::backup_key", &mut request)
            .await?
            .into_model::<wire::BackupKeyResult>()?;
        let bytes = decode_base64url(
            "backup blob",
            response.model().value.as_deref().unwrap_or_default(),
        )?;
        Ok(response.map(|_| bytes))
    }

    /// Restores a backup made by [`backup_key`](Self::backup_key) into this vault.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an empty backup;
    /// `409` from the service when the name is taken.
    pub async fn restore_key_backup(&self, backup: &[u8]) -> Result<Response<KeyVaultKey>> {
        if backup.is_empty() {
            return Err(Error::invalid_input("backup", "must not be empty"));
        }
        let body = wire::KeyRestoreParameters {
            key_bundle_backup: encode_base64url(backup),
        };
        let mut request = Request::new(Method::POST, self.url(&["keys", "restore"], &[])?);
        request.set_json(&body)?;
        bundle(
            self.send("KeyClient::restore_key_backup", &mut request)
                .await?,
        )
    }

    /// Creates a new version of key `name` with fresh material of the same type, size or
    /// curve, and the same operations.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `KeyNotFound`.
    pub async fn rotate_key(&self, name: &str) -> Result<Response<KeyVaultKey>> {
        check_name(name)?;
        let mut request = Request::new(Method::POST, self.url(&["keys", name, "rotate"], &[])?);
        request.set_idempotent(false);
        bundle(self.send("KeyClient::rotate_key", &mut request).await?)
    }

    /// Gets key `name`'s rotation policy (the service's default when none was set).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `KeyNotFound`.
    pub async fn get_key_rotation_policy(&self, name: &str) -> Result<Response<KeyRotationPolicy>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::GET,
            self.url(&["keys", name, "rotationpolicy"], &[])?,
        );
        Ok(self
            .send("KeyClient::get_key_rotation_policy", &mut request)
            .await?
            .into_model::<wire::KeyRotationPolicy>()?
            .map(KeyRotationPolicy::from))
    }

    /// Replaces key `name`'s rotation policy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an action with
    /// both or neither trigger; `400` from the service for an invalid duration.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: azkv_keys::KeyClient) -> azkv_core::Result<()> {
    /// use azkv_keys::{KeyRotationLifetimeAction, KeyRotationPolicy, KeyRotationPolicyAction};
    ///
    /// let policy = KeyRotationPolicy::new(
    ///     vec![KeyRotationLifetimeAction::after_create(KeyRotationPolicyAction::Rotate, "P90D")],
    ///     Some("P1Y".into()),
    /// );
    /// client.update_key_rotation_policy("signing", &policy).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_key_rotation_policy(
        &self,
        name: &str,
        policy: &KeyRotationPolicy,
    ) -> Result<Response<KeyRotationPolicy>> {
        check_name(name)?;
        for action in &policy.lifetime_actions {
            if action.time_after_create.is_some() == action.time_before_expiry.is_some() {
                return Err(Error::invalid_input(
                    "rotation policy",
                    "each action needs exactly one of time_after_create and time_before_expiry",
                ));
            }
        }
        let mut request = Request::new(
            Method::PUT,
            self.url(&["keys", name, "rotationpolicy"], &[])?,
        );
        request.set_json(&wire::KeyRotationPolicy::from(policy))?;
        request.set_idempotent(true);
        Ok(self
            .send("KeyClient::update_key_rotation_policy", &mut request)
            .await?
            .into_model::<wire::KeyRotationPolicy>()?
            .map(KeyRotationPolicy::from))
    }

    /// Gets `count` (1 to 128) random bytes from the vault's generator.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) outside 1..=128.
    pub async fn get_random_bytes(&self, count: u32) -> Result<Response<Vec<u8>>> {
        if !(1..=128).contains(&count) {
            return Err(Error::invalid_input("count", "must be from 1 to 128"));
        }
        let mut request = Request::new(Method::POST, self.url(&["rng"], &[])?);
        request.set_json(&wire::GetRandomBytesRequest {
            count: count as i32,
        })?;
        request.set_idempotent(true);
        let response = self
            .send("KeyClient::get_random_bytes", &mut request)
            .await?
            .into_model::<wire::RandomBytes>()?;
        let bytes = decode_base64url("random bytes", &response.model().value)?;
        Ok(response.map(|_| bytes))
    }
}

pub(crate) fn endpoint_options(options: &KeyClientOptions) -> VaultEndpointOptions<'_> {
    VaultEndpointOptions {
        component: "azkv-keys",
        component_version: env!("CARGO_PKG_VERSION"),
        client_options: &options.client_options,
        default_api_version: DEFAULT_API_VERSION,
        verify_challenge_resource: options.verify_challenge_resource,
        allow_http_loopback: options.allow_http_loopback,
    }
}
