//! Options of [`CertificateClient`](crate::CertificateClient) and its operations.

use crate::models::{AdministratorContact, CertificatePolicy};
use azkv_core::{ClientOptions, PollerOptions, Sensitive};
use std::collections::BTreeMap;
use std::time::Duration;

/// The newest stable API version this crate knows.
pub const DEFAULT_API_VERSION: &str = crate::generated::API_VERSION;

/// Options of [`CertificateClient`](crate::CertificateClient).
#[derive(Clone, Debug)]
pub struct CertificateClientOptions {
    /// Retry, transport, policies, API version (default [`DEFAULT_API_VERSION`]).
    pub client_options: ClientOptions,
    /// Refuse a challenge whose resource is not the vault's domain. Default on; turn off only
    /// for vaults outside Key Vault's domains, such as a local emulator.
    pub verify_challenge_resource: bool,
    /// Send tokens over plain HTTP to loopback hosts. Default off.
    pub allow_http_loopback: bool,
    /// How create, delete and recover pollers wait. Default: every second, ten minutes at most.
    pub poller: PollerOptions,
}

impl Default for CertificateClientOptions {
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

/// Options of [`CertificateClient::begin_create_certificate`](crate::CertificateClient::begin_create_certificate)
/// and [`merge_certificate`](crate::CertificateClient::merge_certificate).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateCertificateOptions {
    /// Whether the certificate can be used; default enabled.
    pub enabled: Option<bool>,
    /// Tags (at most 15).
    pub tags: Option<BTreeMap<String, String>>,
}

/// Options of [`CertificateClient::import_certificate`](crate::CertificateClient::import_certificate).
#[derive(Clone, Debug, Default)]
pub struct ImportCertificateOptions {
    /// The PKCS#12 file's password.
    pub password: Option<Sensitive<String>>,
    /// A policy for the imported certificate (its content type, for instance).
    pub policy: Option<CertificatePolicy>,
    /// Whether the certificate can be used; default enabled.
    pub enabled: Option<bool>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// Options of [`CertificateClient::update_certificate_properties`](crate::CertificateClient::update_certificate_properties).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateCertificatePropertiesOptions {
    /// The version; default the latest.
    pub version: Option<String>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// Replace the tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// Options of the list operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListCertificatesOptions {
    /// Include certificates whose creation is still pending.
    pub include_pending: Option<bool>,
    /// Items per page, 1 to 25.
    pub max_page_size: Option<u32>,
    /// Resume from a page's continuation token.
    pub continuation_token: Option<String>,
}

/// Options of [`CertificateClient::create_issuer`](crate::CertificateClient::create_issuer)
/// and [`update_issuer`](crate::CertificateClient::update_issuer).
#[derive(Clone, Debug, Default)]
pub struct IssuerOptions {
    /// The account at the provider.
    pub account_id: Option<String>,
    /// The account's password (write-only).
    pub password: Option<Sensitive<String>>,
    /// The organization id at the provider.
    pub organization_id: Option<String>,
    /// Administrators.
    pub admin_contacts: Option<Vec<AdministratorContact>>,
    /// Whether the issuer can be used.
    pub enabled: Option<bool>,
}
