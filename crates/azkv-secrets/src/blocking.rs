//! [`SecretClient`]: the secrets client for programs without an async runtime.
//!
//! Same methods, options and models as [`crate::SecretClient`]; operations return their
//! results, lists return iterators and delete/recover return pollers you `wait()` on. Each
//! client owns a small current-thread runtime (shared by its clones); it can be used from any
//! thread that is not running async code. Called inside an async runtime, every method
//! returns [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext)
//! rather than blocking the runtime.
//!
//! # Examples
//!
//! ```no_run
//! use azkv_secrets::blocking::SecretClient;
//! # use std::sync::Arc;
//!
//! # fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
//! let client = SecretClient::new("https://myvault.vault.azure.net/", credential, None)?;
//! client.set_secret("db-password", "correct horse", None)?;
//! for properties in client.list_secret_properties(None) {
//!     println!("{}", properties?.name);
//! }
//! let deleted = client.begin_delete_secret("db-password", None)?.wait()?;
//! # Ok(()) }
//! ```

use crate::options::*;
use crate::{DeletedSecret, KeyVaultSecret, SecretProperties};
use azkv_core::blocking::{Iter, Poller, Runtime};
use azkv_core::{Response, Result, TokenCredential, Url};
use std::sync::Arc;

/// A blocking client for the secrets of one vault. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SecretClient {
    inner: crate::SecretClient,
    runtime: Runtime,
}

impl SecretClient {
    /// A client for the vault at `vault_url`; see [`crate::SecretClient::new`].
    ///
    /// # Errors
    ///
    /// As [`crate::SecretClient::new`], or when the runtime cannot start.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<SecretClientOptions>,
    ) -> Result<Self> {
        Ok(Self {
            inner: crate::SecretClient::new(vault_url, credential, options)?,
            runtime: Runtime::new()?,
        })
    }

    /// Wraps an async client.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn from_async(inner: crate::SecretClient) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: Runtime::new()?,
        })
    }

    /// The vault's URL.
    pub fn vault_url(&self) -> &Url {
        self.inner.vault_url()
    }

    /// See [`crate::SecretClient::set_secret`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn set_secret(
        &self,
        name: &str,
        value: &str,
        options: Option<SetSecretOptions>,
    ) -> Result<Response<KeyVaultSecret>> {
        self.runtime
            .block_on(self.inner.set_secret(name, value, options))?
    }

    /// See [`crate::SecretClient::get_secret`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn get_secret(
        &self,
        name: &str,
        options: Option<GetSecretOptions>,
    ) -> Result<Response<KeyVaultSecret>> {
        self.runtime
            .block_on(self.inner.get_secret(name, options))?
    }

    /// See [`crate::SecretClient::update_secret_properties`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn update_secret_properties(
        &self,
        name: &str,
        options: Option<UpdateSecretPropertiesOptions>,
    ) -> Result<Response<SecretProperties>> {
        self.runtime
            .block_on(self.inner.update_secret_properties(name, options))?
    }

    /// See [`crate::SecretClient::list_secret_properties`]; an iterator instead of a stream.
    pub fn list_secret_properties(
        &self,
        options: Option<ListSecretsOptions>,
    ) -> Iter<SecretProperties> {
        Iter::new(
            self.inner.list_secret_properties(options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::SecretClient::list_secret_versions`]; an iterator instead of a stream.
    pub fn list_secret_versions(
        &self,
        name: &str,
        options: Option<ListSecretsOptions>,
    ) -> Iter<SecretProperties> {
        Iter::new(
            self.inner.list_secret_versions(name, options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::SecretClient::list_deleted_secrets`]; an iterator instead of a stream.
    pub fn list_deleted_secrets(&self, options: Option<ListSecretsOptions>) -> Iter<DeletedSecret> {
        Iter::new(
            self.inner.list_deleted_secrets(options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::SecretClient::begin_delete_secret`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_delete_secret(
        &self,
        name: &str,
        options: Option<DeleteSecretOptions>,
    ) -> Result<Poller<DeletedSecret>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_delete_secret(name, options))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::SecretClient::get_deleted_secret`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn get_deleted_secret(
        &self,
        name: &str,
        options: Option<GetDeletedSecretOptions>,
    ) -> Result<Response<DeletedSecret>> {
        self.runtime
            .block_on(self.inner.get_deleted_secret(name, options))?
    }

    /// See [`crate::SecretClient::begin_recover_deleted_secret`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_recover_deleted_secret(
        &self,
        name: &str,
        options: Option<RecoverDeletedSecretOptions>,
    ) -> Result<Poller<SecretProperties>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_recover_deleted_secret(name, options))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::SecretClient::purge_deleted_secret`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn purge_deleted_secret(
        &self,
        name: &str,
        options: Option<PurgeDeletedSecretOptions>,
    ) -> Result<Response<()>> {
        self.runtime
            .block_on(self.inner.purge_deleted_secret(name, options))?
    }

    /// See [`crate::SecretClient::backup_secret`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn backup_secret(
        &self,
        name: &str,
        options: Option<BackupSecretOptions>,
    ) -> Result<Response<Vec<u8>>> {
        self.runtime
            .block_on(self.inner.backup_secret(name, options))?
    }

    /// See [`crate::SecretClient::restore_secret_backup`].
    ///
    /// # Errors
    ///
    /// As the async method, or [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn restore_secret_backup(
        &self,
        backup: &[u8],
        options: Option<RestoreSecretBackupOptions>,
    ) -> Result<Response<SecretProperties>> {
        self.runtime
            .block_on(self.inner.restore_secret_backup(backup, options))?
    }
}
