//! [`KeyClient`] and [`CryptographyClient`] for programs without an async runtime.
//!
//! Same methods, options and models as the async clients; lists return iterators and
//! delete/recover return pollers you `wait()` on. Each client owns a small current-thread
//! runtime (shared by its clones). Called inside an async runtime, every method returns
//! [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext) rather
//! than blocking the runtime.
//!
//! # Examples
//!
//! ```no_run
//! use azkv_keys::blocking::KeyClient;
//! use azkv_keys::SignatureAlgorithm;
//! # use std::sync::Arc;
//!
//! # fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
//! let keys = KeyClient::new("https://myvault.vault.azure.net/", credential, None)?;
//! let key = keys.create_ec_key("signing", None)?.into_model();
//! let crypto = keys.get_cryptography_client(key.name(), None)?;
//! let signed = crypto.sign_data(SignatureAlgorithm::Es256, b"payload")?;
//! assert!(crypto.verify_data(SignatureAlgorithm::Es256, b"payload", &signed.signature)?.is_valid);
//! # Ok(()) }
//! ```

use crate::models::*;
use crate::options::*;
use azkv_core::blocking::{Iter, Poller, Runtime};
use azkv_core::{Response, Result, TokenCredential, Url};
use std::sync::Arc;

/// A blocking client for the keys of one vault. Cheap to clone.
#[derive(Clone, Debug)]
pub struct KeyClient {
    inner: crate::KeyClient,
    runtime: Runtime,
}

impl KeyClient {
    /// A client for the vault at `vault_url`; see [`crate::KeyClient::new`].
    ///
    /// # Errors
    ///
    /// As [`crate::KeyClient::new`], or when the runtime cannot start.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<KeyClientOptions>,
    ) -> Result<Self> {
        Self::from_async(crate::KeyClient::new(vault_url, credential, options)?)
    }

    /// Wraps an async client.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn from_async(inner: crate::KeyClient) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: Runtime::new()?,
        })
    }

    /// The vault's URL.
    pub fn vault_url(&self) -> &Url {
        self.inner.vault_url()
    }

    /// A blocking [`CryptographyClient`] for key `name`; see
    /// [`crate::KeyClient::get_cryptography_client`].
    ///
    /// # Errors
    ///
    /// For an invalid name or version.
    pub fn get_cryptography_client(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<CryptographyClient> {
        Ok(CryptographyClient {
            inner: self.inner.get_cryptography_client(name, version)?,
            runtime: self.runtime.clone(),
        })
    }

    azkv_core::blocking_methods! {
        /// See [`crate::KeyClient::create_key`].
        fn create_key(&self, name: &str, key_type: KeyType, options: Option<CreateKeyOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::create_rsa_key`].
        fn create_rsa_key(&self, name: &str, options: Option<CreateKeyOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::create_ec_key`].
        fn create_ec_key(&self, name: &str, options: Option<CreateKeyOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::create_oct_key`].
        fn create_oct_key(&self, name: &str, options: Option<CreateKeyOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::import_key`].
        fn import_key(&self, name: &str, key: &JsonWebKey, options: Option<ImportKeyOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::get_key`].
        fn get_key(&self, name: &str, options: Option<GetKeyOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::update_key_properties`].
        fn update_key_properties(&self, name: &str, options: Option<UpdateKeyPropertiesOptions>) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::get_deleted_key`].
        fn get_deleted_key(&self, name: &str) -> Response<DeletedKey>;
        /// See [`crate::KeyClient::purge_deleted_key`].
        fn purge_deleted_key(&self, name: &str) -> Response<()>;
        /// See [`crate::KeyClient::backup_key`].
        fn backup_key(&self, name: &str) -> Response<Vec<u8>>;
        /// See [`crate::KeyClient::restore_key_backup`].
        fn restore_key_backup(&self, backup: &[u8]) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::rotate_key`].
        fn rotate_key(&self, name: &str) -> Response<KeyVaultKey>;
        /// See [`crate::KeyClient::get_key_rotation_policy`].
        fn get_key_rotation_policy(&self, name: &str) -> Response<KeyRotationPolicy>;
        /// See [`crate::KeyClient::update_key_rotation_policy`].
        fn update_key_rotation_policy(&self, name: &str, policy: &KeyRotationPolicy) -> Response<KeyRotationPolicy>;
        /// See [`crate::KeyClient::get_random_bytes`].
        fn get_random_bytes(&self, count: u32) -> Response<Vec<u8>>;
    }

    /// See [`crate::KeyClient::list_properties_of_keys`]; an iterator instead of a stream.
    pub fn list_properties_of_keys(&self, options: Option<ListKeysOptions>) -> Iter<KeyProperties> {
        Iter::new(
            self.inner.list_properties_of_keys(options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::KeyClient::list_properties_of_key_versions`].
    pub fn list_properties_of_key_versions(
        &self,
        name: &str,
        options: Option<ListKeysOptions>,
    ) -> Iter<KeyProperties> {
        Iter::new(
            self.inner.list_properties_of_key_versions(name, options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::KeyClient::list_deleted_keys`].
    pub fn list_deleted_keys(&self, options: Option<ListKeysOptions>) -> Iter<DeletedKey> {
        Iter::new(self.inner.list_deleted_keys(options), self.runtime.clone())
    }

    /// See [`crate::KeyClient::begin_delete_key`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_delete_key(&self, name: &str) -> Result<Poller<DeletedKey>> {
        let poller = self.runtime.block_on(self.inner.begin_delete_key(name))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::KeyClient::begin_recover_deleted_key`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_recover_deleted_key(&self, name: &str) -> Result<Poller<KeyVaultKey>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_recover_deleted_key(name))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }
}

/// A blocking [`crate::CryptographyClient`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CryptographyClient {
    inner: crate::CryptographyClient,
    runtime: Runtime,
}

impl CryptographyClient {
    /// Wraps an async client.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn from_async(inner: crate::CryptographyClient) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: Runtime::new()?,
        })
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    azkv_core::blocking_methods! {
        /// See [`crate::CryptographyClient::encrypt`].
        fn encrypt(&self, algorithm: EncryptionAlgorithm, plaintext: &[u8], options: Option<EncryptOptions>) -> EncryptResult;
        /// See [`crate::CryptographyClient::decrypt`].
        fn decrypt(&self, algorithm: EncryptionAlgorithm, ciphertext: &[u8], options: Option<DecryptOptions>) -> DecryptResult;
        /// See [`crate::CryptographyClient::sign`].
        fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> SignResult;
        /// See [`crate::CryptographyClient::verify`].
        fn verify(&self, algorithm: SignatureAlgorithm, digest: &[u8], signature: &[u8]) -> VerifyResult;
        /// See [`crate::CryptographyClient::sign_data`].
        fn sign_data(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> SignResult;
        /// See [`crate::CryptographyClient::verify_data`].
        fn verify_data(&self, algorithm: SignatureAlgorithm, data: &[u8], signature: &[u8]) -> VerifyResult;
        /// See [`crate::CryptographyClient::wrap_key`].
        fn wrap_key(&self, algorithm: KeyWrapAlgorithm, key: &[u8]) -> WrapResult;
        /// See [`crate::CryptographyClient::unwrap_key`].
        fn unwrap_key(&self, algorithm: KeyWrapAlgorithm, encrypted_key: &[u8]) -> UnwrapResult;
    }
}
