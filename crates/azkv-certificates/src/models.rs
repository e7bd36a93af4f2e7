//! The public models of the certificates client, converted from the generated wire models:
//! [`KeyVaultCertificate`], [`CertificateProperties`], [`CertificatePolicy`] (flat, with the
//! service's defaults), [`CertificateOperation`], [`DeletedCertificate`],
//! [`CertificateIssuer`], [`CertificateContact`], and [`X509Info`] for reading the
//! certificates themselves.

use crate::generated as wire;
use azkv_core::vault::{decode_base64url, from_unix, to_unix, ObjectId};
use azkv_core::{Error, ErrorKind, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;
use std::time::SystemTime;

pub use wire::{
    CertificatePolicyAction, DeletionRecoveryLevel, JsonWebKeyCurveName as KeyCurveName,
    JsonWebKeyType as KeyType, KeyUsageType,
};

/// How a certificate's secret holds it with its private key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateContentType {
    /// PKCS#12 (`application/x-pkcs12`), base64 in the secret. The service's default.
    Pkcs12,
    /// PEM (`application/x-pem-file`): the private key and the certificate chain.
    Pem,
    /// A value this version does not know.
    UnknownValue(String),
}

impl CertificateContentType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pkcs12 => "application/x-pkcs12",
            Self::Pem => "application/x-pem-file",
            Self::UnknownValue(v) => v,
        }
    }
}

impl From<&str> for CertificateContentType {
    fn from(value: &str) -> Self {
        match value {
            "application/x-pkcs12" => Self::Pkcs12,
            "application/x-pem-file" => Self::Pem,
            other => Self::UnknownValue(other.to_owned()),
        }
    }
}

/// When the service acts on a certificate's lifetime.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LifetimeAction {
    /// Renew, or email the contacts.
    pub action: CertificatePolicyAction,
    /// At this percentage of the lifetime (1 to 99).
    pub lifetime_percentage: Option<i32>,
    /// This many days before expiry.
    pub days_before_expiry: Option<i32>,
}

impl LifetimeAction {
    /// `action` at `percentage` of the certificate's lifetime.
    pub fn at_percentage(action: CertificatePolicyAction, percentage: i32) -> Self {
        Self {
            action,
            lifetime_percentage: Some(percentage),
            days_before_expiry: None,
        }
    }

    /// `action` `days` before expiry.
    pub fn days_before_expiry(action: CertificatePolicyAction, days: i32) -> Self {
        Self {
            action,
            lifetime_percentage: None,
            days_before_expiry: Some(days),
        }
    }
}

/// How certificates of a name are made: issuer, subject and names, key, format, validity
/// and lifetime actions. Fields left `None` take the service's defaults (RSA 2048, PKCS#12,
/// 12 months, renewal at 80% of the lifetime).
///
/// # Examples
///
/// ```
/// use azkv_certificates::{CertificateContentType, CertificatePolicy, KeyCurveName, KeyType};
///
/// let mut policy = CertificatePolicy::new("Self", "CN=api.contoso.com");
/// policy.san_dns_names = vec!["api.contoso.com".into(), "www.contoso.com".into()];
/// policy.key_type = Some(KeyType::Ec);
/// policy.key_curve_name = Some(KeyCurveName::P256);
/// policy.content_type = Some(CertificateContentType::Pem);
/// policy.validity_in_months = Some(6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificatePolicy {
    /// `Self` (self-signed), `Unknown` (you merge a certificate signed elsewhere), or the
    /// name of an issuer set with [`CertificateClient::create_issuer`](crate::CertificateClient::create_issuer).
    pub issuer_name: Option<String>,
    /// Subject, such as `CN=contoso.com, O=Contoso`.
    pub subject: Option<String>,
    /// DNS names.
    pub san_dns_names: Vec<String>,
    /// Email addresses.
    pub san_emails: Vec<String>,
    /// User principal names.
    pub san_upns: Vec<String>,
    /// IP addresses.
    pub san_ip_addresses: Vec<String>,
    /// URIs.
    pub san_uris: Vec<String>,
    /// Key type (RSA or EC, `-HSM` for HSM-protected keys).
    pub key_type: Option<KeyType>,
    /// RSA key size.
    pub key_size: Option<u32>,
    /// EC curve.
    pub key_curve_name: Option<KeyCurveName>,
    /// Whether the private key can be exported (through the secret).
    pub exportable: Option<bool>,
    /// Whether renewals keep the same key.
    pub reuse_key: Option<bool>,
    /// The secret's format.
    pub content_type: Option<CertificateContentType>,
    /// Validity of issued certificates, in months.
    pub validity_in_months: Option<u32>,
    /// Extended key usages, as OIDs.
    pub enhanced_key_usage: Vec<String>,
    /// Key usages.
    pub key_usage: Vec<KeyUsageType>,
    /// Lifetime actions.
    pub lifetime_actions: Vec<LifetimeAction>,
    /// Certificate type the issuer should use.
    pub certificate_type: Option<String>,
    /// Whether the issuer should publish to certificate transparency logs.
    pub certificate_transparency: Option<bool>,
    /// Whether the policy is enabled.
    pub enabled: Option<bool>,
    /// Created (read-only).
    pub created_on: Option<SystemTime>,
    /// Last updated (read-only).
    pub updated_on: Option<SystemTime>,
}

impl CertificatePolicy {
    /// A policy with `issuer_name` and `subject`; everything else default.
    pub fn new(issuer_name: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            issuer_name: Some(issuer_name.into()),
            subject: Some(subject.into()),
            ..Default::default()
        }
    }

    /// The policy other SDKs call the default: self-signed, subject `CN=DefaultPolicy`,
    /// everything else the service's defaults.
    pub fn default_policy() -> Self {
        Self::new("Self", "CN=DefaultPolicy")
    }
}

fn non_empty(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

impl From<&CertificatePolicy> for wire::CertificatePolicy {
    fn from(p: &CertificatePolicy) -> Self {
        let sans_given = !(p.san_dns_names.is_empty()
            && p.san_emails.is_empty()
            && p.san_upns.is_empty()
            && p.san_ip_addresses.is_empty()
            && p.san_uris.is_empty());
        let key_given = p.key_type.is_some()
            || p.key_size.is_some()
            || p.key_curve_name.is_some()
            || p.exportable.is_some()
            || p.reuse_key.is_some();
        Self {
            attributes: p.enabled.map(|enabled| wire::CertificateAttributes {
                enabled: Some(enabled),
                ..Default::default()
            }),
            id: None,
            issuer_parameters: (p.issuer_name.is_some()
                || p.certificate_type.is_some()
                || p.certificate_transparency.is_some())
            .then(|| wire::IssuerParameters {
                certificate_transparency: p.certificate_transparency,
                certificate_type: p.certificate_type.clone(),
                name: p.issuer_name.clone(),
            }),
            key_properties: key_given.then(|| wire::KeyProperties {
                curve: p.key_curve_name.clone(),
                exportable: p.exportable,
                key_size: p.key_size.map(|s| s as i32),
                key_type: p.key_type.clone(),
                reuse_key: p.reuse_key,
            }),
            lifetime_actions: (!p.lifetime_actions.is_empty()).then(|| {
                p.lifetime_actions
                    .iter()
                    .map(|a| wire::LifetimeAction {
                        action: Some(wire::Action {
                            action_type: Some(a.action.clone()),
                        }),
                        trigger: Some(wire::Trigger {
                            days_before_expiry: a.days_before_expiry,
                            lifetime_percentage: a.lifetime_percentage,
                        }),
                    })
                    .collect()
            }),
            platform_managed: None,
            secret_properties: p.content_type.as_ref().map(|c| wire::SecretProperties {
                content_type: Some(c.as_str().to_owned()),
            }),
            x509_certificate_properties: Some(wire::X509CertificateProperties {
                ekus: non_empty(&p.enhanced_key_usage),
                key_usage: (!p.key_usage.is_empty()).then(|| p.key_usage.clone()),
                subject_alternative_names: sans_given.then(|| wire::SubjectAlternativeNames {
                    dns_names: non_empty(&p.san_dns_names),
                    emails: non_empty(&p.san_emails),
                    ip_addresses: non_empty(&p.san_ip_addresses),
                    upns: non_empty(&p.san_upns),
                    uris: non_empty(&p.san_uris),
                }),
                subject: p.subject.clone(),
                validity_in_months: p.validity_in_months.map(|m| m as i32),
            }),
        }
    }
}

impl From<wire::CertificatePolicy> for CertificatePolicy {
    fn from(w: wire::CertificatePolicy) -> Self {
        let issuer = w.issuer_parameters.unwrap_or_default();
        let key = w.key_properties.unwrap_or_default();
        let x509 = w.x509_certificate_properties.unwrap_or_default();
        let sans = x509.subject_alternative_names.unwrap_or_default();
        let attributes = w.attributes.unwrap_or_default();
        Self {
            issuer_name: issuer.name,
            subject: x509.subject,
            san_dns_names: sans.dns_names.unwrap_or_default(),
            san_emails: sans.emails.unwrap_or_default(),
            san_upns: sans.upns.unwrap_or_default(),
            san_ip_addresses: sans.ip_addresses.unwrap_or_default(),
            san_uris: sans.uris.unwrap_or_default(),
            key_type: key.key_type,
            key_size: key.key_size.and_then(|s| u32::try_from(s).ok()),
            key_curve_name: key.curve,
            exportable: key.exportable,
            reuse_key: key.reuse_key,
            content_type: w
                .secret_properties
                .and_then(|s| s.content_type)
                .map(|c| CertificateContentType::from(c.as_str())),
            validity_in_months: x509.validity_in_months.and_then(|m| u32::try_from(m).ok()),
            enhanced_key_usage: x509.ekus.unwrap_or_default(),
            key_usage: x509.key_usage.unwrap_or_default(),
            lifetime_actions: w
                .lifetime_actions
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    let trigger = a.trigger.unwrap_or_default();
                    Some(LifetimeAction {
                        action: a.action?.action_type?,
                        lifetime_percentage: trigger.lifetime_percentage,
                        days_before_expiry: trigger.days_before_expiry,
                    })
                })
                .collect(),
            certificate_type: issuer.certificate_type,
            certificate_transparency: issuer.certificate_transparency,
            enabled: attributes.enabled,
            created_on: attributes.created.map(from_unix),
            updated_on: attributes.updated.map(from_unix),
        }
    }
}

/// A certificate's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificateProperties {
    /// The certificate id.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// The vault's URL.
    pub vault_url: Option<String>,
    /// SHA-1 thumbprint of the certificate (`x5t`).
    pub x509_thumbprint: Vec<u8>,
    /// Whether the certificate can be used.
    pub enabled: Option<bool>,
    /// Not valid before.
    pub not_before: Option<SystemTime>,
    /// Not valid after.
    pub expires_on: Option<SystemTime>,
    /// Created.
    pub created_on: Option<SystemTime>,
    /// Last updated.
    pub updated_on: Option<SystemTime>,
    /// What deleting it means.
    pub recovery_level: Option<DeletionRecoveryLevel>,
    /// Days a deleted certificate is kept.
    pub recoverable_days: Option<i32>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

impl CertificateProperties {
    pub(crate) fn from_parts(
        id: Option<String>,
        x5t: Option<String>,
        attributes: Option<wire::CertificateAttributes>,
        tags: Option<BTreeMap<String, String>>,
    ) -> Self {
        let parsed = id.as_deref().and_then(|id| {
            ObjectId::parse(id, "certificates", "deletedcertificates", "certificate id").ok()
        });
        let a = attributes.unwrap_or_default();
        Self {
            name: parsed.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            version: parsed.as_ref().and_then(|p| p.version.clone()),
            vault_url: parsed.map(|p| p.vault_url),
            id,
            x509_thumbprint: x5t
                .and_then(|t| decode_base64url("x5t", &t).ok())
                .unwrap_or_default(),
            enabled: a.enabled,
            not_before: a.not_before.map(from_unix),
            expires_on: a.expires.map(from_unix),
            created_on: a.created.map(from_unix),
            updated_on: a.updated.map(from_unix),
            recovery_level: a.recovery_level,
            recoverable_days: a.recoverable_days,
            tags: tags.unwrap_or_default(),
        }
    }
}

impl From<wire::CertificateItem> for CertificateProperties {
    fn from(i: wire::CertificateItem) -> Self {
        Self::from_parts(i.id, i.x509_thumbprint, i.attributes, i.tags)
    }
}

/// A certificate: its DER bytes, properties, policy, and the ids of its key and secret.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct KeyVaultCertificate {
    /// Metadata.
    pub properties: CertificateProperties,
    /// The certificate, DER.
    pub cer: Vec<u8>,
    /// The key id: sign and decrypt with it through `azkv-keys`.
    pub key_id: Option<String>,
    /// The secret id: the certificate with its private key, as `content_type` says.
    pub secret_id: Option<String>,
    /// The secret's format.
    pub content_type: Option<CertificateContentType>,
    /// The policy, when the response carried it.
    pub policy: Option<CertificatePolicy>,
}

impl KeyVaultCertificate {
    /// The certificate's name.
    pub fn name(&self) -> &str {
        &self.properties.name
    }

    /// The certificate's id.
    pub fn id(&self) -> Option<&str> {
        self.properties.id.as_deref()
    }

    /// The parsed certificate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Deserialize`] when the bytes are not an X.509 certificate.
    pub fn x509(&self) -> Result<X509Info> {
        X509Info::from_der(&self.cer)
    }
}

fn decode_cer(cer: Option<String>) -> Result<Vec<u8>> {
    cer.map(|c| {
        STANDARD
            .decode(c.trim())
            .or_else(|_| decode_base64url("cer", &c))
            .map_err(|_| {
                Error::new(
                    ErrorKind::Deserialize,
                    "the certificate (cer) is not base64",
                )
            })
    })
    .transpose()
    .map(Option::unwrap_or_default)
}

impl TryFrom<wire::CertificateBundle> for KeyVaultCertificate {
    type Error = Error;

    fn try_from(b: wire::CertificateBundle) -> Result<Self> {
        Ok(Self {
            properties: CertificateProperties::from_parts(
                b.id,
                b.x509_thumbprint,
                b.attributes,
                b.tags,
            ),
            cer: decode_cer(b.cer)?,
            key_id: b.kid,
            secret_id: b.sid,
            content_type: b
                .content_type
                .map(|c| CertificateContentType::from(c.as_str())),
            policy: b.policy.map(CertificatePolicy::from),
        })
    }
}

/// A deleted certificate, recoverable until its scheduled purge date.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeletedCertificate {
    /// The certificate as it was (no `cer` in list results).
    pub certificate: KeyVaultCertificate,
    /// The id to recover it by.
    pub recovery_id: Option<String>,
    /// When it was deleted.
    pub deleted_on: Option<SystemTime>,
    /// When it will be purged.
    pub scheduled_purge_date: Option<SystemTime>,
}

impl DeletedCertificate {
    /// The certificate's name.
    pub fn name(&self) -> &str {
        self.certificate.name()
    }
}

impl TryFrom<wire::DeletedCertificateBundle> for DeletedCertificate {
    type Error = Error;

    fn try_from(b: wire::DeletedCertificateBundle) -> Result<Self> {
        let certificate = KeyVaultCertificate::try_from(wire::CertificateBundle {
            attributes: b.attributes,
            cer: b.cer,
            content_type: b.content_type,
            id: b.id,
            kid: b.kid,
            policy: b.policy,
            preserve_cert_order: b.preserve_cert_order,
            sid: b.sid,
            tags: b.tags,
            x509_thumbprint: b.x509_thumbprint,
        })?;
        Ok(Self {
            certificate,
            recovery_id: b.recovery_id,
            deleted_on: b.deleted_date.map(from_unix),
            scheduled_purge_date: b.scheduled_purge_date.map(from_unix),
        })
    }
}

impl From<wire::DeletedCertificateItem> for DeletedCertificate {
    fn from(i: wire::DeletedCertificateItem) -> Self {
        Self {
            certificate: KeyVaultCertificate {
                properties: CertificateProperties::from_parts(
                    i.id,
                    i.x509_thumbprint,
                    i.attributes,
                    i.tags,
                ),
                ..Default::default()
            },
            recovery_id: i.recovery_id,
            deleted_on: i.deleted_date.map(from_unix),
            scheduled_purge_date: i.scheduled_purge_date.map(from_unix),
        }
    }
}

/// The state of a certificate's creation.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificateOperation {
    /// The operation's id.
    pub id: Option<String>,
    /// The issuer.
    pub issuer_name: Option<String>,
    /// The certificate signing request, DER: what a CA outside Key Vault signs.
    pub csr: Vec<u8>,
    /// Whether cancellation was asked for.
    pub cancellation_requested: bool,
    /// `inProgress`, `completed`, `cancelled` or `failed`.
    pub status: Option<String>,
    /// Details of the status.
    pub status_details: Option<String>,
    /// The certificate id, once created.
    pub target: Option<String>,
    /// The failure's code and message, when it failed.
    pub error: Option<(Option<String>, Option<String>)>,
}

impl TryFrom<wire::CertificateOperation> for CertificateOperation {
    type Error = Error;

    fn try_from(o: wire::CertificateOperation) -> Result<Self> {
        Ok(Self {
            id: o.id,
            issuer_name: o.issuer_parameters.and_then(|i| i.name),
            csr: decode_cer(o.csr)?,
            cancellation_requested: o.cancellation_requested.unwrap_or(false),
            status: o.status,
            status_details: o.status_details,
            target: o.target,
            error: o.error.map(|e| (e.code, e.message)),
        })
    }
}

/// An administrator at a certificate issuer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AdministratorContact {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

impl AdministratorContact {
    /// A contact with an email address.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Default::default()
        }
    }
}

/// A certificate issuer a vault can order certificates from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificateIssuer {
    /// The issuer's id.
    pub id: Option<String>,
    /// Its name in the vault.
    pub name: String,
    /// The provider, such as `DigiCert`.
    pub provider: Option<String>,
    /// The account at the provider (the password is write-only).
    pub account_id: Option<String>,
    /// The organization id at the provider.
    pub organization_id: Option<String>,
    /// Administrators.
    pub admin_contacts: Vec<AdministratorContact>,
    /// Whether the issuer can be used.
    pub enabled: Option<bool>,
    /// Created.
    pub created_on: Option<SystemTime>,
    /// Last updated.
    pub updated_on: Option<SystemTime>,
}

fn last_segment(id: &Option<String>) -> String {
    id.as_deref()
        .and_then(|id| id.rsplit('/').next())
        .unwrap_or_default()
        .to_owned()
}

impl From<wire::IssuerBundle> for CertificateIssuer {
    fn from(b: wire::IssuerBundle) -> Self {
        let org = b.organization_details.unwrap_or_default();
        let attributes = b.attributes.unwrap_or_default();
        Self {
            name: last_segment(&b.id),
            id: b.id,
            provider: b.provider,
            account_id: b.credentials.and_then(|c| c.account_id),
            organization_id: org.id,
            admin_contacts: org
                .admin_details
                .unwrap_or_default()
                .into_iter()
                .map(|a| AdministratorContact {
                    first_name: a.first_name,
                    last_name: a.last_name,
                    email: a.email_address,
                    phone: a.phone,
                })
                .collect(),
            enabled: attributes.enabled,
            created_on: attributes.created.map(from_unix),
            updated_on: attributes.updated.map(from_unix),
        }
    }
}

/// An issuer as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IssuerProperties {
    /// The issuer's id.
    pub id: Option<String>,
    /// Its name in the vault.
    pub name: String,
    /// The provider.
    pub provider: Option<String>,
}

impl From<wire::CertificateIssuerItem> for IssuerProperties {
    fn from(i: wire::CertificateIssuerItem) -> Self {
        Self {
            name: last_segment(&i.id),
            id: i.id,
            provider: i.provider,
        }
    }
}

/// Someone the vault emails about certificate lifetimes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificateContact {
    /// Email address.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

impl CertificateContact {
    /// A contact with an email address and a name.
    pub fn new(email: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            name: Some(name.into()),
            phone: None,
        }
    }
}

pub(crate) fn contacts_from(c: wire::Contacts) -> Vec<CertificateContact> {
    c.contact_list
        .unwrap_or_default()
        .into_iter()
        .map(|c| CertificateContact {
            email: c.email_address,
            name: c.name,
            phone: c.phone,
        })
        .collect()
}

pub(crate) fn attributes(enabled: Option<bool>) -> Option<wire::CertificateAttributes> {
    enabled.map(|enabled| wire::CertificateAttributes {
        enabled: Some(enabled),
        ..Default::default()
    })
}

/// The public key of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKeyInfo {
    /// RSA, with its modulus size in bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// Elliptic curve, with the curve's OID.
    Ec {
        /// Curve OID, such as `1.2.840.10045.3.1.7` (P-256).
        curve: String,
    },
    /// Another algorithm, by OID.
    Other(String),
}

/// What an X.509 certificate says, read with RustCrypto's `x509-cert`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct X509Info {
    /// Subject, RFC 4514 style (`CN=contoso.com,O=Contoso`).
    pub subject: String,
    /// Issuer, RFC 4514 style.
    pub issuer: String,
    /// Serial number, big-endian.
    pub serial_number: Vec<u8>,
    /// Not valid before.
    pub not_before: SystemTime,
    /// Not valid after.
    pub not_after: SystemTime,
    /// SHA-1 thumbprint (what Key Vault calls `x5t`).
    pub sha1_thumbprint: Vec<u8>,
    /// SHA-256 thumbprint.
    pub sha256_thumbprint: Vec<u8>,
    /// DNS names of the subject alternative names.
    pub dns_names: Vec<String>,
    /// Email addresses of the subject alternative names.
    pub emails: Vec<String>,
    /// Extended key usages, as OIDs.
    pub extended_key_usages: Vec<String>,
    /// The public key.
    pub public_key: PublicKeyInfo,
    /// The SubjectPublicKeyInfo, DER: compare with a key's to check they match.
    pub public_key_der: Vec<u8>,
}

impl X509Info {
    /// Parses a DER certificate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Deserialize`] when `der` is not an X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        use sha1::Digest as _;
        use x509_cert::der::{Decode, Encode};
        let bad = |what: &str| {
            Error::new(
                ErrorKind::Deserialize,
                format!("not an X.509 certificate: {what}"),
            )
        };
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| bad(&e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        let mut dns_names = Vec::new();
        let mut emails = Vec::new();
        let mut ekus = Vec::new();
        for ext in tbs.extensions.iter().flatten() {
            let value = ext.extn_value.as_bytes();
            match ext.extn_id.to_string().as_str() {
                "2.5.29.17" => {
                    if let Ok(names) = x509_cert::ext::pkix::SubjectAltName::from_der(value) {
                        for name in names.0 {
                            match name {
                                x509_cert::ext::pkix::name::GeneralName::DnsName(d) => {
                                    dns_names.push(d.to_string())
                                }
                                x509_cert::ext::pkix::name::GeneralName::Rfc822Name(e) => {
                                    emails.push(e.to_string())
                                }
                                _ => {}
                            }
                        }
                    }
                }
                "2.5.29.37" => {
                    if let Ok(list) = x509_cert::ext::pkix::ExtendedKeyUsage::from_der(value) {
                        ekus.extend(list.0.iter().map(ToString::to_string));
                    }
                }
                _ => {}
            }
        }
        let spki = &tbs.subject_public_key_info;
        let public_key = match spki.algorithm.oid.to_string().as_str() {
            "1.2.840.113549.1.1.1" => {
                // RSAPublicKey ::= SEQUENCE { modulus INTEGER, ... }: count the modulus bits.
                let bytes = spki.subject_public_key.raw_bytes();
                let bits = rsa_modulus_bits(bytes).ok_or_else(|| bad("RSA key"))?;
                PublicKeyInfo::Rsa { bits }
            }
            "1.2.840.10045.2.1" => PublicKeyInfo::Ec {
                curve: spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<x509_cert::der::asn1::ObjectIdentifier>().ok())
                    .map(|o| o.to_string())
                    .unwrap_or_default(),
            },
            other => PublicKeyInfo::Other(other.to_owned()),
        };
        let time = |t: &x509_cert::time::Time| -> SystemTime { t.to_system_time() };
        Ok(Self {
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            serial_number: tbs.serial_number.as_bytes().to_vec(),
            not_before: time(&tbs.validity.not_before),
            not_after: time(&tbs.validity.not_after),
            sha1_thumbprint: sha1::Sha1::digest(der).to_vec(),
            sha256_thumbprint: sha2::Sha256::digest(der).to_vec(),
            dns_names,
            emails,
            extended_key_usages: ekus,
            public_key,
            public_key_der: spki.to_der().map_err(|e| bad(&e.to_string()))?,
        })
    }

    /// Parses every `CERTIFICATE` block of a PEM text (a chain, or a certificate secret).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Deserialize`] for a block that is not base64 or not a certificate.
    pub fn from_pem(pem: &str) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        let mut rest = pem;
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let after = &rest[start + 27..];
            let end = after.find("-----END CERTIFICATE-----").ok_or_else(|| {
                Error::new(ErrorKind::Deserialize, "unterminated PEM certificate")
            })?;
            let body: String = after[..end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let der = STANDARD
                .decode(body)
                .map_err(|_| Error::new(ErrorKind::Deserialize, "PEM certificate is not base64"))?;
            out.push(Self::from_der(&der)?);
            rest = &after[end..];
        }
        Ok(out)
    }

    /// Whether `when` (default now) is inside the validity period.
    pub fn is_valid_at(&self, when: Option<SystemTime>) -> bool {
        let when = when.unwrap_or_else(SystemTime::now);
        to_unix(self.not_before) <= to_unix(when) && to_unix(when) <= to_unix(self.not_after)
    }
}

fn rsa_modulus_bits(bytes: &[u8]) -> Option<usize> {
    // SEQUENCE header, then INTEGER header, then the modulus (maybe with a leading 0).
    let mut i = 0;
    let read_len = |b: &[u8], i: &mut usize| -> Option<usize> {
        let first = *b.get(*i)? as usize;
        *i += 1;
        if first < 0x80 {
            return Some(first);
        }
        let n = first & 0x7f;
        let mut len = 0usize;
        for _ in 0..n {
            len = (len << 8) | *b.get(*i)? as usize;
            *i += 1;
        }
        Some(len)
    };
    if *bytes.get(i)? != 0x30 {
        return None;
    }
    i += 1;
    read_len(bytes, &mut i)?;
    if *bytes.get(i)? != 0x02 {
        return None;
    }
    i += 1;
    let len = read_len(bytes, &mut i)?;
    let modulus = bytes.get(i..i + len)?;
    let first = modulus.iter().position(|b| *b != 0)?;
    let top = modulus[first];
    Some((modulus.len() - first - 1) * 8 + (8 - top.leading_zeros() as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip_through_the_wire() {
        let mut policy = CertificatePolicy::new("Self", "CN=a");
        policy.san_dns_names = vec!["a.example".into()];
        policy.key_type = Some(KeyType::Ec);
        policy.key_curve_name = Some(KeyCurveName::P384);
        policy.content_type = Some(CertificateContentType::Pem);
        policy.validity_in_months = Some(3);
        policy.lifetime_actions = vec![LifetimeAction::days_before_expiry(
            CertificatePolicyAction::EmailContacts,
            10,
        )];
        let wire = wire::CertificatePolicy::from(&policy);
        let json = serde_json::to_value(&wire).unwrap();
        assert_eq!(json["key_props"]["crv"], "P-384");
        assert_eq!(
            json["secret_props"]["contentType"],
            "application/x-pem-file"
        );
        assert_eq!(json["x509_props"]["sans"]["dns_names"][0], "a.example");
        assert_eq!(CertificatePolicy::from(wire), policy);
    }

    #[test]
    fn spec_examples_parse() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/keyvault/data-plane/Certificates/stable/2026-04-01/examples/"
        );
        let mut parsed = 0;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
            let Some(body) = doc.pointer("/responses/200/body") else {
                continue;
            };
            if body.get("cer").is_none() || body.get("recoveryId").is_some() {
                continue;
            }
            let bundle: wire::CertificateBundle = serde_json::from_value(body.clone()).unwrap();
            let cert = KeyVaultCertificate::try_from(bundle).unwrap();
            assert!(!cert.cer.is_empty());
            if cert.cer.len() < 64 {
                // An example shortened by its authors: a typed error, not a panic.
                assert_eq!(cert.x509().unwrap_err().kind(), &ErrorKind::Deserialize);
                continue;
            }
            let info = cert.x509().unwrap();
            assert_eq!(
                info.sha1_thumbprint,
                cert.properties.x509_thumbprint,
                "{:?}",
                entry.path()
            );
            parsed += 1;
        }
        assert!(parsed > 0);
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert_eq!(
            X509Info::from_der(b"nope").unwrap_err().kind(),
            &ErrorKind::Deserialize
        );
        assert!(
            X509Info::from_pem("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----")
                .is_err()
        );
    }
}
