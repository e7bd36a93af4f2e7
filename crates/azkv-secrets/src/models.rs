//! The public models of the secrets client: [`KeyVaultSecret`], [`SecretProperties`],
//! [`DeletedSecret`] and [`SecretIdentifier`], converted from the generated wire models.
//!
//! A secret's value is a [`Sensitive`]: `Debug` never shows it; read it with `expose()`.

use crate::generated as wire;
use azkv_core::vault::ObjectId;
use azkv_core::{Result, Sensitive};
use std::collections::BTreeMap;
use std::time::SystemTime;

pub use wire::DeletionRecoveryLevel;

pub(crate) use azkv_core::vault::{from_unix, to_unix};

/// The parts of a secret id: `https://{vault}/secrets/{name}[/{version}]` (or
/// `/deletedsecrets/{name}`).
///
/// # Examples
///
/// ```
/// use azkv_secrets::SecretIdentifier;
///
/// # fn main() -> azkv_core::Result<()> {
/// let id = SecretIdentifier::parse("https://myvault.vault.azure.net/secrets/db-password/4387e9f3d6e14c459867679a90fd0f79")?;
/// assert_eq!(id.vault_url, "https://myvault.vault.azure.net/");
/// assert_eq!(id.name, "db-password");
/// assert_eq!(id.version.as_deref(), Some("4387e9f3d6e14c459867679a90fd0f79"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretIdentifier {
    /// The vault's URL, ending with `/`.
    pub vault_url: String,
    /// The secret's name.
    pub name: String,
    /// The version, when the id names one.
    pub version: Option<String>,
}

impl SecretIdentifier {
    /// Parses a secret id.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) when `id` is not a
    /// secret id.
    pub fn parse(id: &str) -> Result<Self> {
        let ObjectId {
            vault_url,
            name,
            version,
        } = ObjectId::parse(id, "secrets", "deletedsecrets", "secret id")?;
        Ok(Self {
            vault_url,
            name,
            version,
        })
    }
}

/// A secret's metadata: everything but its value.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct SecretProperties {
    /// The full id, `https://{vault}/secrets/{name}/{version}` (list items may omit the version).
    pub id: Option<String>,
    /// The name.
    pub name: String,
    /// The version, when known.
    pub version: Option<String>,
    /// The vault's URL.
    pub vault_url: Option<String>,
    /// Content type, such as `text/plain`.
    pub content_type: Option<String>,
    /// Whether the secret can be read.
    pub enabled: Option<bool>,
    /// Not valid before this time.
    pub not_before: Option<SystemTime>,
    /// Not valid after this time.
    pub expires_on: Option<SystemTime>,
    /// When this version was created.
    pub created_on: Option<SystemTime>,
    /// When this version was last updated.
    pub updated_on: Option<SystemTime>,
    /// How a deleted secret can be recovered.
    pub recovery_level: Option<DeletionRecoveryLevel>,
    /// Days a deleted secret is kept.
    pub recoverable_days: Option<i32>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// For a secret backing a certificate: the id of its key.
    pub key_id: Option<String>,
    /// Whether Key Vault manages this secret's lifetime (a certificate's secret).
    pub managed: bool,
}

impl SecretProperties {
    fn from_parts(
        id: Option<String>,
        content_type: Option<String>,
        attributes: Option<wire::SecretAttributes>,
        tags: Option<BTreeMap<String, String>>,
        key_id: Option<String>,
        managed: Option<bool>,
    ) -> Self {
        let parsed = id
            .as_deref()
            .and_then(|id| SecretIdentifier::parse(id).ok());
        let attributes = attributes.unwrap_or_default();
        Self {
            name: parsed.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            version: parsed.as_ref().and_then(|p| p.version.clone()),
            vault_url: parsed.map(|p| p.vault_url),
            id,
            content_type,
            enabled: attributes.enabled,
            not_before: attributes.not_before.map(from_unix),
            expires_on: attributes.expires.map(from_unix),
            created_on: attributes.created.map(from_unix),
            updated_on: attributes.updated.map(from_unix),
            recovery_level: attributes.recovery_level,
            recoverable_days: attributes.recoverable_days,
            tags: tags.unwrap_or_default(),
            key_id,
            managed: managed.unwrap_or(false),
        }
    }
}

/// A secret: its value and its properties. `Debug` does not show the value.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct KeyVaultSecret {
    /// The value; read it with `expose()`.
    pub value: Sensitive<String>,
    /// Everything else.
    pub properties: SecretProperties,
}

impl KeyVaultSecret {
    /// The secret's name.
    pub fn name(&self) -> &str {
        &self.properties.name
    }
}

/// A deleted secret, recoverable until its scheduled purge date.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct DeletedSecret {
    /// The secret's properties as they were when deleted.
    pub properties: SecretProperties,
    /// The id to recover it with, `https://{vault}/deletedsecrets/{name}`.
    pub recovery_id: Option<String>,
    /// When it was deleted.
    pub deleted_on: Option<SystemTime>,
    /// When it will be purged.
    pub scheduled_purge_date: Option<SystemTime>,
}

impl DeletedSecret {
    /// The secret's name.
    pub fn name(&self) -> &str {
        &self.properties.name
    }
}

impl From<wire::SecretBundle> for KeyVaultSecret {
    fn from(b: wire::SecretBundle) -> Self {
        Self {
            value: b.value.unwrap_or_default(),
            properties: SecretProperties::from_parts(
                b.id,
                b.content_type,
                b.attributes,
                b.tags,
                b.kid,
                b.managed,
            ),
        }
    }
}

impl From<wire::SecretBundle> for SecretProperties {
    fn from(b: wire::SecretBundle) -> Self {
        SecretProperties::from_parts(b.id, b.content_type, b.attributes, b.tags, b.kid, b.managed)
    }
}

impl From<wire::SecretItem> for SecretProperties {
    fn from(i: wire::SecretItem) -> Self {
        SecretProperties::from_parts(i.id, i.content_type, i.attributes, i.tags, None, i.managed)
    }
}

impl DeletedSecret {
    /// Completes `properties` (a deleted item's id may be missing) and adds the deletion fields.
    fn from_parts(
        mut properties: SecretProperties,
        recovery_id: Option<String>,
        deleted_date: Option<i64>,
        scheduled_purge_date: Option<i64>,
    ) -> Self {
        if properties.name.is_empty() {
            if let Some(parsed) = recovery_id
                .as_deref()
                .and_then(|r| SecretIdentifier::parse(r).ok())
            {
                properties.name = parsed.name;
                properties.vault_url = Some(parsed.vault_url);
            }
        }
        Self {
            properties,
            recovery_id,
            deleted_on: deleted_date.map(from_unix),
            scheduled_purge_date: scheduled_purge_date.map(from_unix),
        }
    }
}

impl From<wire::DeletedSecretBundle> for DeletedSecret {
    fn from(b: wire::DeletedSecretBundle) -> Self {
        let properties = SecretProperties::from_parts(
            b.id,
            b.content_type,
            b.attributes,
            b.tags,
            b.kid,
            b.managed,
        );
        Self::from_parts(
            properties,
            b.recovery_id,
            b.deleted_date,
            b.scheduled_purge_date,
        )
    }
}

impl From<wire::DeletedSecretItem> for DeletedSecret {
    fn from(i: wire::DeletedSecretItem) -> Self {
        let properties = SecretProperties::from_parts(
            i.id,
            i.content_type,
            i.attributes,
            i.tags,
            None,
            i.managed,
        );
        Self::from_parts(
            properties,
            i.recovery_id,
            i.deleted_date,
            i.scheduled_purge_date,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;

    /// Decodes `body` as `W` and encodes it again: equal JSON means nothing was lost.
    fn round_trip<W: DeserializeOwned + Serialize>(body: &Value) -> W {
        let wire: W = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(&serde_json::to_value(&wire).unwrap(), body, "lost data");
        wire
    }

    fn check_secret(secret: &KeyVaultSecret, body: &Value) {
        assert_eq!(secret.properties.id.as_deref(), body["id"].as_str());
        assert_eq!(
            secret.value.expose().as_str(),
            body["value"].as_str().unwrap_or("")
        );
        assert!(!secret.properties.name.is_empty());
        assert_eq!(
            secret.properties.enabled,
            body["attributes"]["enabled"].as_bool()
        );
    }

    /// Every example payload of the secrets spec (responses and request bodies) decodes into
    /// the wire models without loss, and into the public models with the right fields.
    #[test]
    fn every_spec_example_decodes_without_loss() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../specs/keyvault/data-plane/Secrets/stable/2026-04-01/examples");
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        let mut bodies = 0;
        for path in &entries {
            let example: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            let operation = example["operationId"].as_str().unwrap();
            if let Some(request) = example["parameters"].get("parameters") {
                match operation {
                    "SetSecret" => {
                        let p: wire::SecretSetParameters = round_trip(request);
                        assert_eq!(Some(p.value.expose().as_str()), request["value"].as_str());
                    }
                    "UpdateSecret" => drop(round_trip::<wire::SecretUpdateParameters>(request)),
                    "RestoreSecret" => drop(round_trip::<wire::SecretRestoreParameters>(request)),
                    other => panic!("unexpected request body for {other}"),
                }
                bodies += 1;
            }
            for response in example["responses"].as_object().unwrap().values() {
                let Some(body) = response.get("body") else {
                    continue;
                };
                bodies += 1;
                match operation {
                    "SetSecret"
                    | "GetSecret"
                    | "UpdateSecret"
                    | "RecoverDeletedSecret"
                    | "RestoreSecret" => {
                        let secret = KeyVaultSecret::from(round_trip::<wire::SecretBundle>(body));
                        check_secret(&secret, body);
                    }
                    "DeleteSecret" | "GetDeletedSecret" => {
                        let deleted =
                            DeletedSecret::from(round_trip::<wire::DeletedSecretBundle>(body));
                        assert_eq!(deleted.recovery_id.as_deref(), body["recoveryId"].as_str());
                        assert_eq!(
                            deleted.deleted_on.map(to_unix),
                            body["deletedDate"].as_i64()
                        );
                        assert_eq!(
                            deleted.scheduled_purge_date.map(to_unix),
                            body["scheduledPurgeDate"].as_i64()
                        );
                        assert!(!deleted.name().is_empty());
                    }
                    "GetSecrets" | "GetSecretVersions" => {
                        let list: wire::SecretListResult = round_trip(body);
                        let items = list.value.unwrap_or_default();
                        assert_eq!(items.len(), body["value"].as_array().unwrap().len());
                        for (item, raw) in items.into_iter().zip(body["value"].as_array().unwrap())
                        {
                            let properties = SecretProperties::from(item);
                            assert_eq!(properties.id.as_deref(), raw["id"].as_str());
                            assert!(!properties.name.is_empty());
                        }
                    }
                    "GetDeletedSecrets" => {
                        let list: wire::DeletedSecretListResult = round_trip(body);
                        for item in list.value.unwrap_or_default() {
                            assert!(!DeletedSecret::from(item).name().is_empty());
                        }
                    }
                    "BackupSecret" => {
                        let backup: wire::BackupSecretResult = round_trip(body);
                        assert!(backup.value.is_some());
                    }
                    other => panic!("no check for {other}"),
                }
            }
        }
        assert_eq!(entries.len(), 12);
        assert!(bodies >= 14, "only {bodies} bodies checked");
    }

    #[test]
    fn identifiers() {
        let id = SecretIdentifier::parse("https://v.vault.azure.net/secrets/n").unwrap();
        assert_eq!((id.name.as_str(), id.version), ("n", None));
        let id = SecretIdentifier::parse("https://127.0.0.1:8443/deletedsecrets/n").unwrap();
        assert_eq!(id.vault_url, "https://127.0.0.1:8443/");
        for bad in [
            "nope",
            "https://v/keys/n",
            "https://v/secrets/",
            "https://v/secrets/a/b/c",
        ] {
            assert!(SecretIdentifier::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unix_round_trip() {
        for secs in [0, 1_700_000_000, -86_400] {
            assert_eq!(to_unix(from_unix(secs)), secs);
        }
    }

    #[test]
    fn debug_of_a_secret_hides_its_value() {
        let secret = KeyVaultSecret {
            value: Sensitive::new("hunter2-value".into()),
            ..Default::default()
        };
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
