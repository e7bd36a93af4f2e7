//! Options of [`KeyClient`](crate::KeyClient), [`CryptographyClient`](crate::CryptographyClient)
//! and their operations. All are plain data with `Default`; build them with
//! `..Default::default()`.

use crate::models::{KeyCurveName, KeyOperation};
use azkv_core::{ClientOptions, PollerOptions};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// The newest stable API version this crate knows.
pub const DEFAULT_API_VERSION: &str = crate::generated::API_VERSION;

/// Options of [`KeyClient`](crate::KeyClient) and [`CryptographyClient`](crate::CryptographyClient).
#[derive(Clone, Debug)]
pub struct KeyClientOptions {
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

impl Default for KeyClientOptions {
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

/// Options of the `create_*_key` operations of [`KeyClient`](crate::KeyClient).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateKeyOptions {
    /// RSA: 2048, 3072 or 4096 bits (default 2048). oct: 128, 192 or 256 bits.
    pub key_size: Option<u32>,
    /// RSA public exponent (default 65537).
    pub public_exponent: Option<u32>,
    /// EC curve (default P-256).
    pub curve: Option<KeyCurveName>,
    /// Permitted operations (default: all that suit the key type).
    pub key_operations: Option<Vec<KeyOperation>>,
    /// Create in a hardware security module (`RSA-HSM`, `EC-HSM`, `oct-HSM`).
    pub hardware_protected: bool,
    /// Whether the key can be used; default enabled.
    pub enabled: Option<bool>,
    /// Not valid before.
    pub not_before: Option<SystemTime>,
    /// Not valid after.
    pub expires_on: Option<SystemTime>,
    /// Whether the private key may be exported.
    pub exportable: Option<bool>,
    /// Tags (at most 15).
    pub tags: Option<BTreeMap<String, String>>,
}

/// Options of [`KeyClient::import_key`](crate::KeyClient::import_key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportKeyOptions {
    /// Import into a hardware security module.
    pub hardware_protected: Option<bool>,
    /// Whether the key can be used; default enabled.
    pub enabled: Option<bool>,
    /// Not valid before.
    pub not_before: Option<SystemTime>,
    /// Not valid after.
    pub expires_on: Option<SystemTime>,
    /// Whether the private key may be exported.
    pub exportable: Option<bool>,
    /// Tags (at most 15).
    pub tags: Option<BTreeMap<String, String>>,
}

/// Options of [`KeyClient::get_key`](crate::KeyClient::get_key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetKeyOptions {
    /// A version; default the latest.
    pub version: Option<String>,
}

/// Options of [`KeyClient::update_key_properties`](crate::KeyClient::update_key_properties).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateKeyPropertiesOptions {
    /// The version to change; default the latest.
    pub version: Option<String>,
    /// New permitted operations.
    pub key_operations: Option<Vec<KeyOperation>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// Not valid before.
    pub not_before: Option<SystemTime>,
    /// Not valid after.
    pub expires_on: Option<SystemTime>,
    /// Replace the tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// Options of the list operations of [`KeyClient`](crate::KeyClient).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListKeysOptions {
    /// Items per page, 1 to 25 (the service's default is 25).
    pub max_page_size: Option<u32>,
    /// Resume from a page's continuation token.
    pub continuation_token: Option<String>,
}

/// Options of [`CryptographyClient::encrypt`](crate::CryptographyClient::encrypt).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptOptions {
    /// AES-CBC: the 16-byte initialisation vector (random when not given, for local
    /// encryption; the service requires one).
    pub iv: Option<Vec<u8>>,
    /// AES-GCM: additional authenticated data.
    pub additional_authenticated_data: Option<Vec<u8>>,
}

/// Options of [`CryptographyClient::decrypt`](crate::CryptographyClient::decrypt).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecryptOptions {
    /// AES: the initialisation vector the encryption used.
    pub iv: Option<Vec<u8>>,
    /// AES-GCM: the additional authenticated data given to encrypt.
    pub additional_authenticated_data: Option<Vec<u8>>,
    /// AES-GCM: the authentication tag encrypt returned.
    pub authentication_tag: Option<Vec<u8>>,
}
