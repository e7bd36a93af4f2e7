//! The Azure Key Vault keys client: [`KeyClient`] and [`CryptographyClient`].
//!
//! - create and import: [`KeyClient::create_rsa_key`], [`KeyClient::create_ec_key`],
//!   [`KeyClient::create_oct_key`], [`KeyClient::create_key`], [`KeyClient::import_key`]
//! - read and change: [`KeyClient::get_key`], [`KeyClient::update_key_properties`]
//! - list: [`KeyClient::list_properties_of_keys`],
//!   [`KeyClient::list_properties_of_key_versions`], [`KeyClient::list_deleted_keys`]
//! - soft-delete: [`KeyClient::begin_delete_key`], [`KeyClient::begin_recover_deleted_key`]
//!   (awaitable [`Poller`](azkv_core::Poller)s), [`KeyClient::get_deleted_key`],
//!   [`KeyClient::purge_deleted_key`]
//! - move and renew: [`KeyClient::backup_key`], [`KeyClient::restore_key_backup`],
//!   [`KeyClient::rotate_key`], [`KeyClient::get_key_rotation_policy`],
//!   [`KeyClient::update_key_rotation_policy`], [`KeyClient::get_random_bytes`]
//! - cryptography: [`CryptographyClient`] (encrypt, decrypt, sign, verify, wrap, unwrap;
//!   local where the key allows)
//!
//! Models: [`JsonWebKey`] (bytes, not base64; private fields are
//! [`Sensitive`](azkv_core::Sensitive)), [`KeyVaultKey`], [`KeyProperties`], [`DeletedKey`],
//! [`KeyRotationPolicy`], [`KeyIdentifier`], and the algorithm enums.
//!
//! Cargo features:
//! - `local-crypto` (default): RustCrypto-based local operations and conversions between
//!   [`JsonWebKey`] and `rsa`, `p256`, `p384`, `p521` and `k256` key types. Without it, every
//!   operation goes to the vault.
//! - `blocking`: [`blocking::KeyClient`] and [`blocking::CryptographyClient`].
//!
//! # Examples
//!
//! ```no_run
//! use azkv_keys::{CryptographyClient, KeyClient, EncryptionAlgorithm};
//! # use std::sync::Arc;
//!
//! # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
//! let keys = KeyClient::new("https://myvault.vault.azure.net/", credential, None)?;
//! let key = keys.create_rsa_key("data-key", None).await?.into_model();
//! let crypto = keys.get_cryptography_client(key.name(), None)?;
//! let sealed = crypto.encrypt(EncryptionAlgorithm::RsaOaep256, b"hello", None).await?; // local
//! let opened = crypto.decrypt(EncryptionAlgorithm::RsaOaep256, &sealed.ciphertext, None).await?; // vault
//! assert_eq!(opened.plaintext.expose(), b"hello");
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
mod crypto;
#[allow(missing_docs)]
mod generated;
#[cfg(feature = "local-crypto")]
mod local;
mod models;
mod options;

pub use client::KeyClient;
pub use crypto::{digest_of, CryptographyClient};
pub use models::{
    DecryptResult, DeletedKey, DeletionRecoveryLevel, EncryptResult, EncryptionAlgorithm,
    JsonWebKey, KeyCurveName, KeyIdentifier, KeyOperation, KeyProperties,
    KeyRotationLifetimeAction, KeyRotationPolicy, KeyRotationPolicyAction, KeyType, KeyVaultKey,
    KeyWrapAlgorithm, SignResult, SignatureAlgorithm, UnwrapResult, VerifyResult, WrapResult,
};
pub use options::{
    CreateKeyOptions, DecryptOptions, EncryptOptions, GetKeyOptions, ImportKeyOptions,
    KeyClientOptions, ListKeysOptions, UpdateKeyPropertiesOptions, DEFAULT_API_VERSION,
};
