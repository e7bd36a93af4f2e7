//! Options of [`SecretClient`](crate::SecretClient) and of each of its operations. All are
//! plain data with `Default`; build them with `..Default::default()`.

use azkv_core::{ClientOptions, PollerOptions};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// The newest stable API version this crate knows.
pub const DEFAULT_API_VERSION: &str = crate::generated::API_VERSION;

/// Options of [`SecretClient`](crate::SecretClient).
#[derive(Clone, Debug)]
pub struct SecretClientOptions {
    /// Retry, transport, policies, API version (default [`DEFAULT_API_VERSION`]).
    pub client_options: ClientOptions,
    /// Refuse a challenge whose resource is not the vault's domain. Default on; turn off only
    /// for vaults outside Key Vault's domains, such as a local emulator.
    pub verify_challenge_resource: bool,
    /// Send tokens over plain HTTP to loopback hosts (an emulator started with `--http`).
    /// Default off.
    pub allow_http_loopback: bool,
    /// How delete and recover pollers wait. Default: every second, for at most ten minutes.
    pub poller: PollerOptions,
}

impl Default for SecretClientOptions {
    fn default() -> Self {
        Self {
            client_options: ClientOptions::default(),
            verify_challenge_resource: true,
            allow_http_loopback: false,
            poller: PollerOptions {
                interval: Duration::from_secs(1),
                timeout: Duration::from_secs(600),
            },
        }
    }
}

/// Options of [`SecretClient::set_secret`](crate::SecretClient::set_secret).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetSecretOptions {
    /// Content type, such as `text/plain`.
    pub content_type: Option<String>,
    /// Tags (at most 15).
    pub tags: Option<BTreeMap<String, String>>,
    /// Whether the new version can be read; default enabled.
    pub enabled: Option<bool>,
    /// Not valid before.
    pub not_before: Option<SystemTime>,
    /// Not valid after.
    pub expires_on: Option<SystemTime>,
}

/// The format a certificate's secret is returned in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretContentType {
    /// PKCS#12 (`application/x-pkcs12`).
    Pkcs12,
    /// PEM (`application/x-pem-file`).
    Pem,
}

impl SecretContentType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SecretContentType::Pkcs12 => "application/x-pkcs12",
            SecretContentType::Pem => "application/x-pem-file",
        }
    }
}

/// Options of [`SecretClient::get_secret`](crate::SecretClient::get_secret).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetSecretOptions {
    /// A version; the latest when `None`.
    pub version: Option<String>,
    /// For a certificate's secret: convert it to this format (API 2025-07-01 and later).
    pub out_content_type: Option<SecretContentType>,
}

/// Options of [`SecretClient::update_secret_properties`](crate::SecretClient::update_secret_properties).
/// Fields left `None` are not changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateSecretPropertiesOptions {
    /// A version; the latest when `None`.
    pub version: Option<String>,
    /// New content type.
    pub content_type: Option<String>,
    /// New tags (replace the old ones).
    pub tags: Option<BTreeMap<String, String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// New not-before time.
    pub not_before: Option<SystemTime>,
    /// New expiry time.
    pub expires_on: Option<SystemTime>,
}

/// Options of the list operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListSecretsOptions {
    /// Items per page (1 to 25); the service's default when `None`.
    pub max_page_size: Option<u32>,
    /// Continue from a page's continuation token.
    pub continuation_token: Option<String>,
}

/// Options of operations that take nothing beyond their arguments (delete, recover, purge,
/// backup, restore, get deleted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretOperationOptions {}

/// Options of [`SecretClient::begin_delete_secret`](crate::SecretClient::begin_delete_secret).
pub type DeleteSecretOptions = SecretOperationOptions;
/// Options of [`SecretClient::get_deleted_secret`](crate::SecretClient::get_deleted_secret).
pub type GetDeletedSecretOptions = SecretOperationOptions;
/// Options of [`SecretClient::begin_recover_deleted_secret`](crate::SecretClient::begin_recover_deleted_secret).
pub type RecoverDeletedSecretOptions = SecretOperationOptions;
/// Options of [`SecretClient::purge_deleted_secret`](crate::SecretClient::purge_deleted_secret).
pub type PurgeDeletedSecretOptions = SecretOperationOptions;
/// Options of [`SecretClient::backup_secret`](crate::SecretClient::backup_secret).
pub type BackupSecretOptions = SecretOperationOptions;
/// Options of [`SecretClient::restore_secret_backup`](crate::SecretClient::restore_secret_backup).
pub type RestoreSecretBackupOptions = SecretOperationOptions;
