//! The Azure Key Vault secrets client: [`SecretClient`].
//!
//! - store, read and version secrets: [`SecretClient::set_secret`], [`SecretClient::get_secret`],
//!   [`SecretClient::update_secret_properties`]
//! - list: [`SecretClient::list_secret_properties`], [`SecretClient::list_secret_versions`],
//!   [`SecretClient::list_deleted_secrets`] (each a [`Pager`](azkv_core::Pager))
//! - soft-delete: [`SecretClient::begin_delete_secret`] and
//!   [`SecretClient::begin_recover_deleted_secret`] (each a [`Poller`](azkv_core::Poller)),
//!   [`SecretClient::get_deleted_secret`], [`SecretClient::purge_deleted_secret`]
//! - move between vaults: [`SecretClient::backup_secret`], [`SecretClient::restore_secret_backup`]
//!
//! Models: [`KeyVaultSecret`] (its value is [`Sensitive`](azkv_core::Sensitive): `Debug` never
//! shows it), [`SecretProperties`], [`DeletedSecret`], [`SecretIdentifier`].
//! Errors are [`azkv_core::Error`]; see [`azkv_core::ErrorKind`].
//!
//! Cargo features:
//! - `blocking` (off by default): [`blocking::SecretClient`], the
//!   same operations for programs without an async runtime.
//!
//! # Examples
//!
//! ```no_run
//! use azkv_secrets::{SecretClient, SecretClientOptions};
//! use std::sync::Arc;
//!
//! # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
//! let client = SecretClient::new("https://myvault.vault.azure.net/", credential, None)?;
//! client.set_secret("greeting", "hello", None).await?;
//! let deleted = client.begin_delete_secret("greeting", None).await?.await?;
//! client.purge_deleted_secret(deleted.name(), None).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod generated;
mod models;
mod options;

pub use client::SecretClient;
pub use models::{
    DeletedSecret, DeletionRecoveryLevel, KeyVaultSecret, SecretIdentifier, SecretProperties,
};
pub use options::{
    BackupSecretOptions, DeleteSecretOptions, GetDeletedSecretOptions, GetSecretOptions,
    ListSecretsOptions, PurgeDeletedSecretOptions, RecoverDeletedSecretOptions,
    RestoreSecretBackupOptions, SecretClientOptions, SecretContentType, SecretOperationOptions,
    SetSecretOptions, UpdateSecretPropertiesOptions, DEFAULT_API_VERSION,
};
