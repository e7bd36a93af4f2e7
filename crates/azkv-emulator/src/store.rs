//! The emulator's state: vaults and the objects in them, kept in memory.
//!
//! Objects are keyed by their lowercased name (Key Vault names are case-insensitive) and keep
//! the case they were created with. Versions are kept in creation order; the last is the
//! current one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;

/// Tags of an object.
pub type Tags = BTreeMap<String, String>;

/// One version of a secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretVersion {
    /// 32 lowercase hex characters.
    pub version: String,
    /// The value.
    pub value: String,
    /// Content type, when set.
    pub content_type: Option<String>,
    /// Tags, when set.
    pub tags: Option<Tags>,
    /// Whether the version is enabled.
    pub enabled: bool,
    /// Not before (Unix seconds).
    pub nbf: Option<i64>,
    /// Expires (Unix seconds).
    pub exp: Option<i64>,
    /// Created (Unix seconds).
    pub created: i64,
    /// Updated (Unix seconds).
    pub updated: i64,
    /// The key id when a certificate manages this secret.
    #[serde(default)]
    pub managed_key_id: Option<String>,
}

/// A secret and its versions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Secret {
    /// Name as created.
    pub name: String,
    /// Versions, oldest first.
    pub versions: Vec<SecretVersion>,
}

impl Secret {
    /// The current (most recently created) version.
    pub fn latest(&self) -> Option<&SecretVersion> {
        self.versions.last()
    }

    /// A version by id (case-insensitive).
    pub fn version(&self, version: &str) -> Option<&SecretVersion> {
        self.versions
            .iter()
            .find(|v| v.version.eq_ignore_ascii_case(version))
    }

    /// A version by id, to change.
    pub fn version_mut(&mut self, version: &str) -> Option<&mut SecretVersion> {
        self.versions
            .iter_mut()
            .find(|v| v.version.eq_ignore_ascii_case(version))
    }
}

/// One version of a key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyVersion {
    /// 32 lowercase hex characters.
    pub version: String,
    /// The key type as created or imported (`RSA`, `RSA-HSM`, `EC`, `EC-HSM`, `oct`, `oct-HSM`).
    pub kty: String,
    /// The key material; never returned except sealed in a backup.
    pub material: crate::crypto::KeyMaterial,
    /// Permitted operations.
    pub key_ops: Vec<String>,
    /// Tags, when set.
    pub tags: Option<Tags>,
    /// Whether the version is enabled.
    pub enabled: bool,
    /// Not before (Unix seconds).
    pub nbf: Option<i64>,
    /// Expires (Unix seconds).
    pub exp: Option<i64>,
    /// Created (Unix seconds).
    pub created: i64,
    /// Updated (Unix seconds).
    pub updated: i64,
    /// Whether the private key may be exported (kept as given).
    #[serde(default)]
    pub exportable: Option<bool>,
    /// The release policy, kept as given.
    #[serde(default)]
    pub release_policy: Option<serde_json::Value>,
    /// Whether a certificate manages this key.
    #[serde(default)]
    pub managed: bool,
}

/// A key, its versions and its rotation policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Key {
    /// Name as created.
    pub name: String,
    /// Versions, oldest first.
    pub versions: Vec<KeyVersion>,
    /// The rotation policy, once one was set.
    #[serde(default)]
    pub rotation_policy: Option<serde_json::Value>,
}

impl Key {
    /// The current (most recently created) version.
    pub fn latest(&self) -> Option<&KeyVersion> {
        self.versions.last()
    }

    /// A version by id (case-insensitive).
    pub fn version(&self, version: &str) -> Option<&KeyVersion> {
        self.versions
            .iter()
            .find(|v| v.version.eq_ignore_ascii_case(version))
    }

    /// A version by id, to change.
    pub fn version_mut(&mut self, version: &str) -> Option<&mut KeyVersion> {
        self.versions
            .iter_mut()
            .find(|v| v.version.eq_ignore_ascii_case(version))
    }
}

/// One issued (or imported, or merged) version of a certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CertVersion {
    /// 32 lowercase hex characters; the certificate's key and secret have the same version.
    pub version: String,
    /// The certificate, DER.
    pub cer: Vec<u8>,
    /// Whether the version is enabled.
    pub enabled: bool,
    /// Not before (Unix seconds), from the certificate.
    pub nbf: i64,
    /// Expires (Unix seconds), from the certificate.
    pub exp: i64,
    /// Created (Unix seconds).
    pub created: i64,
    /// Updated (Unix seconds).
    pub updated: i64,
    /// Tags, when set.
    pub tags: Option<Tags>,
}

/// A certificate operation in progress (or finished and not yet deleted).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingOperation {
    /// `inProgress`, `completed`, `cancelled` or `failed`.
    pub status: String,
    /// The issuer's name.
    pub issuer: String,
    /// The certificate signing request, DER.
    pub csr: Vec<u8>,
    /// The key waiting for a merged certificate (issuers other than `Self`).
    pub key: Option<crate::crypto::KeyMaterial>,
    /// Whether cancellation was asked for.
    pub cancellation_requested: bool,
    /// The created certificate's id, once there is one.
    pub target: Option<String>,
    /// Attributes and tags to give the merged version.
    pub tags: Option<Tags>,
    /// Until this time (Unix milliseconds) a completed operation still reports `inProgress`.
    pub settles_at_ms: u128,
}

/// A certificate: its versions, policy and pending operation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Certificate {
    /// Name as created.
    pub name: String,
    /// Versions, oldest first.
    pub versions: Vec<CertVersion>,
    /// The policy (normalized JSON, without `id`).
    pub policy: serde_json::Value,
    /// The latest operation.
    pub pending: Option<PendingOperation>,
}

impl Certificate {
    /// The current version.
    pub fn latest(&self) -> Option<&CertVersion> {
        self.versions.last()
    }

    /// A version by id.
    pub fn version(&self, version: &str) -> Option<&CertVersion> {
        self.versions
            .iter()
            .find(|v| v.version.eq_ignore_ascii_case(version))
    }
}

/// A soft-deleted object.
#[derive(Clone, Debug)]
pub struct Deleted<T> {
    /// The object as it was.
    pub object: T,
    /// Deleted (Unix seconds).
    pub deleted_date: i64,
    /// Purged after (Unix seconds).
    pub scheduled_purge_date: i64,
    /// Until this moment the delete is "in progress": not yet listed, and the name is busy.
    pub settles_at: Instant,
}

impl<T> Deleted<T> {
    /// Whether the delete is still in progress.
    pub fn in_progress(&self) -> bool {
        Instant::now() < self.settles_at
    }
}

/// One vault.
#[derive(Debug)]
pub struct Vault {
    /// Days a deleted object is kept.
    pub retention_days: i64,
    /// Active secrets.
    pub secrets: BTreeMap<String, Secret>,
    /// Deleted secrets.
    pub deleted_secrets: BTreeMap<String, Deleted<Secret>>,
    /// Active keys.
    pub keys: BTreeMap<String, Key>,
    /// Deleted keys.
    pub deleted_keys: BTreeMap<String, Deleted<Key>>,
    /// Active certificates.
    pub certificates: BTreeMap<String, Certificate>,
    /// Deleted certificates.
    pub deleted_certificates: BTreeMap<String, Deleted<Certificate>>,
    /// Certificate issuers by lowercased name (JSON bundles).
    pub issuers: BTreeMap<String, serde_json::Value>,
    /// Certificate contacts.
    pub contacts: Option<serde_json::Value>,
    /// Access policies; `None` lets every authenticated caller do everything (as a vault using
    /// role-based authorisation would for a caller with every role).
    pub access_policies: Option<Vec<crate::access::AccessPolicy>>,
}

impl Vault {
    /// An empty vault.
    pub fn new() -> Self {
        Self {
            retention_days: 90,
            secrets: BTreeMap::new(),
            deleted_secrets: BTreeMap::new(),
            keys: BTreeMap::new(),
            deleted_keys: BTreeMap::new(),
            certificates: BTreeMap::new(),
            deleted_certificates: BTreeMap::new(),
            issuers: BTreeMap::new(),
            contacts: None,
            access_policies: None,
        }
    }

    /// Purges deleted objects whose scheduled purge date has passed at `now`; returns the
    /// purged secrets' keys.
    pub fn purge_expired(&mut self, now: i64) -> Vec<String> {
        purge_from(&mut self.deleted_secrets, now)
    }

    /// As [`purge_expired`](Self::purge_expired), for certificates.
    pub fn purge_expired_certificates(&mut self, now: i64) -> Vec<String> {
        purge_from(&mut self.deleted_certificates, now)
    }

    /// As [`purge_expired`](Self::purge_expired), for keys.
    pub fn purge_expired_keys(&mut self, now: i64) -> Vec<String> {
        purge_from(&mut self.deleted_keys, now)
    }
}

fn purge_from<T>(deleted: &mut BTreeMap<String, Deleted<T>>, now: i64) -> Vec<String> {
    let expired: Vec<String> = deleted
        .iter()
        .filter(|(_, d)| d.scheduled_purge_date <= now)
        .map(|(k, _)| k.clone())
        .collect();
    for key in &expired {
        deleted.remove(key);
    }
    expired
}

impl Default for Vault {
    fn default() -> Self {
        Self::new()
    }
}

/// All vaults, by lowercased name.
#[derive(Debug, Default)]
pub struct Store {
    /// The vaults.
    pub vaults: BTreeMap<String, Vault>,
}

/// A new random version id: 32 lowercase hex characters.
pub fn new_version() -> String {
    let mut bytes = [0u8; 16];
    // SystemRandom failing means the OS has no randomness; fall back to a time-derived id.
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
