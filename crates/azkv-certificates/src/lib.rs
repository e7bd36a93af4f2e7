//! The Azure Key Vault certificates client: [`CertificateClient`].
//!
//! - create: [`CertificateClient::begin_create_certificate`] (a [`Poller`](azkv_core::Poller)
//!   that completes with the certificate), [`CertificateClient::import_certificate`]
//!   (PKCS#12 or PEM), [`CertificateClient::merge_certificate`] for certificates signed
//!   outside the vault
//! - read and change: [`CertificateClient::get_certificate`],
//!   [`CertificateClient::get_certificate_version`],
//!   [`CertificateClient::update_certificate_properties`], policies, the pending operation
//! - list: certificates, versions, deleted certificates, issuers (each a
//!   [`Pager`](azkv_core::Pager))
//! - soft-delete: [`CertificateClient::begin_delete_certificate`],
//!   [`CertificateClient::begin_recover_deleted_certificate`],
//!   [`CertificateClient::purge_deleted_certificate`]; backup and restore
//! - issuers and contacts
//!
//! Certificates come back as DER; [`KeyVaultCertificate::x509`] and [`X509Info`] read them
//! (subject, issuer, validity, thumbprints, names, key) with RustCrypto's `x509-cert`. The
//! private key is in the certificate's secret (read it with `azkv-secrets` at
//! [`KeyVaultCertificate::secret_id`]) and usable through `azkv-keys` at
//! [`KeyVaultCertificate::key_id`].
//!
//! Cargo features:
//! - `blocking`: [`blocking::CertificateClient`].
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
#[allow(missing_docs)]
mod generated;
mod models;
mod options;

pub use client::CertificateClient;
pub use models::{
    AdministratorContact, CertificateContact, CertificateContentType, CertificateIssuer,
    CertificateOperation, CertificatePolicy, CertificatePolicyAction, CertificateProperties,
    DeletedCertificate, DeletionRecoveryLevel, IssuerProperties, KeyCurveName, KeyType,
    KeyUsageType, KeyVaultCertificate, LifetimeAction, PublicKeyInfo, X509Info,
};
pub use options::{
    CertificateClientOptions, CreateCertificateOptions, ImportCertificateOptions, IssuerOptions,
    ListCertificatesOptions, UpdateCertificatePropertiesOptions, DEFAULT_API_VERSION,
};
