//! The public models of the keys client: [`JsonWebKey`], [`KeyVaultKey`], [`KeyProperties`],
//! [`DeletedKey`], [`KeyRotationPolicy`], [`KeyIdentifier`] and the results of cryptographic
//! operations, converted from the generated wire models.
//!
//! Key bytes are plain `Vec<u8>` (base64url only on the wire). Private and symmetric key
//! material is [`Sensitive`]: `Debug` never shows it.

use crate::generated as wire;
use azkv_core::vault::{decode_base64url, encode_base64url, from_unix, ObjectId};
use azkv_core::{Error, ErrorKind, Result, Sensitive};
use std::collections::BTreeMap;
use std::time::SystemTime;

pub use wire::{
    DeletionRecoveryLevel, JsonWebKeyCurveName as KeyCurveName,
    JsonWebKeyEncryptionAlgorithm as EncryptionAlgorithm, JsonWebKeyOperation as KeyOperation,
    JsonWebKeySignatureAlgorithm as SignatureAlgorithm, JsonWebKeyType as KeyType,
    KeyRotationPolicyAction,
};

/// Algorithms that wrap (encrypt) a key with another key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyWrapAlgorithm {
    /// RSAES-OAEP with SHA-1 (`RSA-OAEP`).
    RsaOaep,
    /// RSAES-OAEP with SHA-256 (`RSA-OAEP-256`).
    RsaOaep256,
    /// RSAES-PKCS1-v1_5 (`RSA1_5`); for old data only.
    Rsa15,
    /// AES key wrap (RFC 3394) with a 128-bit key (`A128KW`).
    A128Kw,
    /// AES key wrap with a 192-bit key (`A192KW`).
    A192Kw,
    /// AES key wrap with a 256-bit key (`A256KW`).
    A256Kw,
    /// A value this version does not know.
    UnknownValue(String),
}

impl KeyWrapAlgorithm {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::RsaOaep => "RSA-OAEP",
            Self::RsaOaep256 => "RSA-OAEP-256",
            Self::Rsa15 => "RSA1_5",
            Self::A128Kw => "A128KW",
            Self::A192Kw => "A192KW",
            Self::A256Kw => "A256KW",
            Self::UnknownValue(v) => v,
        }
    }
}

impl From<&str> for KeyWrapAlgorithm {
    fn from(value: &str) -> Self {
        match value {
            "RSA-OAEP" => Self::RsaOaep,
            "RSA-OAEP-256" => Self::RsaOaep256,
            "RSA1_5" => Self::Rsa15,
            "A128KW" => Self::A128Kw,
            "A192KW" => Self::A192Kw,
            "A256KW" => Self::A256Kw,
            other => Self::UnknownValue(other.to_owned()),
        }
    }
}

impl std::fmt::Display for KeyWrapAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JSON Web Key as Key Vault uses it (RFC 7517 with Key Vault's key types and curves).
///
/// Keys the vault returns carry only the public half; a key to import, or one built from
/// local material for [`CryptographyClient::from_jwk`](crate::CryptographyClient::from_jwk),
/// may carry the private half.
///
/// # Examples
///
/// ```
/// use azkv_keys::{JsonWebKey, KeyType};
///
/// # fn main() -> azkv_core::Result<()> {
/// let jwk = JsonWebKey::from_json(r#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw","key_ops":["wrapKey","unwrapKey"]}"#)?;
/// assert_eq!(jwk.kty, Some(KeyType::Oct));
/// assert!(format!("{jwk:?}").contains("k: Some(Sensitive(<redacted>))"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct JsonWebKey {
    /// Key id: `https://{vault}/keys/{name}/{version}`.
    pub kid: Option<String>,
    /// Key type.
    pub kty: Option<KeyType>,
    /// Operations the key permits; empty means unrestricted.
    pub key_ops: Vec<KeyOperation>,
    /// RSA modulus.
    pub n: Option<Vec<u8>>,
    /// RSA public exponent.
    pub e: Option<Vec<u8>>,
    /// RSA private exponent, or EC private scalar.
    pub d: Option<Sensitive<Vec<u8>>>,
    /// RSA first prime.
    pub p: Option<Sensitive<Vec<u8>>>,
    /// RSA second prime.
    pub q: Option<Sensitive<Vec<u8>>>,
    /// RSA `d mod (p-1)`.
    pub dp: Option<Sensitive<Vec<u8>>>,
    /// RSA `d mod (q-1)`.
    pub dq: Option<Sensitive<Vec<u8>>>,
    /// RSA `q^-1 mod p`.
    pub qi: Option<Sensitive<Vec<u8>>>,
    /// Symmetric key bytes.
    pub k: Option<Sensitive<Vec<u8>>>,
    /// Elliptic curve.
    pub crv: Option<KeyCurveName>,
    /// EC public point, X coordinate.
    pub x: Option<Vec<u8>>,
    /// EC public point, Y coordinate.
    pub y: Option<Vec<u8>>,
}

fn field(name: &'static str, value: Option<String>) -> Result<Option<Vec<u8>>> {
    value
        .map(|v| {
            decode_base64url(name, &v).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidInput,
                    format!("JWK field '{name}' is not base64url"),
                )
            })
        })
        .transpose()
}

fn secret_field(
    name: &'static str,
    value: Option<Sensitive<String>>,
) -> Result<Option<Sensitive<Vec<u8>>>> {
    Ok(field(name, value.map(Sensitive::into_inner))?.map(Sensitive::new))
}

fn enc(value: &Option<Vec<u8>>) -> Option<String> {
    value.as_deref().map(encode_base64url)
}

fn enc_secret(value: &Option<Sensitive<Vec<u8>>>) -> Option<Sensitive<String>> {
    value
        .as_ref()
        .map(|v| Sensitive::new(encode_base64url(v.expose())))
}

impl TryFrom<wire::JsonWebKey> for JsonWebKey {
    type Error = Error;

    fn try_from(w: wire::JsonWebKey) -> Result<Self> {
        Ok(Self {
            kid: w.kid,
            kty: w.kty,
            key_ops: w
                .key_ops
                .unwrap_or_default()
                .iter()
                .map(|op| KeyOperation::from(op.as_str()))
                .collect(),
            n: field("n", w.n)?,
            e: field("e", w.e)?,
            d: secret_field("d", w.d)?,
            p: secret_field("p", w.p)?,
            q: secret_field("q", w.q)?,
            dp: secret_field("dp", w.dp)?,
            dq: secret_field("dq", w.dq)?,
            qi: secret_field("qi", w.qi)?,
            k: secret_field("k", w.k)?,
            crv: w.crv,
            x: field("x", w.x)?,
            y: field("y", w.y)?,
        })
    }
}

impl From<&JsonWebKey> for wire::JsonWebKey {
    fn from(k: &JsonWebKey) -> Self {
        Self {
            kid: k.kid.clone(),
            kty: k.kty.clone(),
            key_ops: (!k.key_ops.is_empty())
                .then(|| k.key_ops.iter().map(|op| op.as_str().to_owned()).collect()),
            n: enc(&k.n),
            e: enc(&k.e),
            d: enc_secret(&k.d),
            p: enc_secret(&k.p),
            q: enc_secret(&k.q),
            dp: enc_secret(&k.dp),
            dq: enc_secret(&k.dq),
            qi: enc_secret(&k.qi),
            k: enc_secret(&k.k),
            t: None,
            crv: k.crv.clone(),
            x: enc(&k.x),
            y: enc(&k.y),
        }
    }
}

impl JsonWebKey {
    /// Parses a JWK from JSON text.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the text is not a JWK object or a key field is not
    /// base64url.
    pub fn from_json(text: &str) -> Result<Self> {
        let invalid = |why: String| Error::new(ErrorKind::InvalidInput, why);
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not a JSON Web Key: {e}")))?;
        if !value.get("kty").is_some_and(serde_json::Value::is_string) {
            return Err(invalid(
                "not a JSON Web Key: an object with a string 'kty' is required".into(),
            ));
        }
        let wire: wire::JsonWebKey = serde_json::from_value(value)
            .map_err(|e| invalid(format!("not a JSON Web Key: {e}")))?;
        Self::try_from(wire)
    }

    /// The JWK as JSON text (with any private fields it holds).
    ///
    /// # Errors
    ///
    /// Only if serialization fails, which it does not for these types.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&wire::JsonWebKey::from(self))
            .map_err(|e| Error::new(ErrorKind::Other, format!("cannot encode the JWK: {e}")))
    }

    /// Whether the JWK carries private (or symmetric) material.
    pub fn has_private_key(&self) -> bool {
        self.d.is_some() || self.k.is_some()
    }

    /// The same key without private material.
    pub fn public_key(&self) -> Self {
        Self {
            d: None,
            p: None,
            q: None,
            dp: None,
            dq: None,
            qi: None,
            k: None,
            ..self.clone()
        }
    }

    /// Whether `key_ops` permits `op` (an empty list permits everything).
    pub fn permits(&self, op: &KeyOperation) -> bool {
        self.key_ops.is_empty() || self.key_ops.contains(op)
    }
}

/// The parts of a key id: `https://{vault}/keys/{name}[/{version}]` (or
/// `/deletedkeys/{name}`).
///
/// # Examples
///
/// ```
/// use azkv_keys::KeyIdentifier;
///
/// # fn main() -> azkv_core::Result<()> {
/// let id = KeyIdentifier::parse("https://myvault.vault.azure.net/keys/signing/78deebed173b48e48f55abf87ed4cf71")?;
/// assert_eq!(id.name, "signing");
/// assert_eq!(id.version.as_deref(), Some("78deebed173b48e48f55abf87ed4cf71"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyIdentifier {
    /// The vault's URL, ending with `/`.
    pub vault_url: String,
    /// The key's name.
    pub name: String,
    /// The version, when the id names one.
    pub version: Option<String>,
}

impl KeyIdentifier {
    /// Parses a key id.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `id` is not a key id.
    pub fn parse(id: &str) -> Result<Self> {
        let ObjectId {
            vault_url,
            name,
            version,
        } = ObjectId::parse(id, "keys", "deletedkeys", "key id")?;
        Ok(Self {
            vault_url,
            name,
            version,
        })
    }
}

/// A key's metadata.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct KeyProperties {
    /// The key id, with version when the response named one.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// The vault's URL.
    pub vault_url: Option<String>,
    /// Whether the key can be used.
    pub enabled: Option<bool>,
    /// Not valid before.
    pub not_before: Option<SystemTime>,
    /// Not valid after.
    pub expires_on: Option<SystemTime>,
    /// Created.
    pub created_on: Option<SystemTime>,
    /// Last updated.
    pub updated_on: Option<SystemTime>,
    /// What deleting it means (soft-delete, purge protection).
    pub recovery_level: Option<DeletionRecoveryLevel>,
    /// Days a deleted key is kept.
    pub recoverable_days: Option<i32>,
    /// Whether the private key may be exported.
    pub exportable: Option<bool>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Whether a certificate manages this key.
    pub managed: bool,
}

impl KeyProperties {
    fn from_parts(
        id: Option<String>,
        attributes: Option<wire::KeyAttributes>,
        tags: Option<BTreeMap<String, String>>,
        managed: Option<bool>,
    ) -> Self {
        let parsed = id.as_deref().and_then(|id| KeyIdentifier::parse(id).ok());
        let a = attributes.unwrap_or_default();
        Self {
            name: parsed.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            version: parsed.as_ref().and_then(|p| p.version.clone()),
            vault_url: parsed.map(|p| p.vault_url),
            id,
            enabled: a.enabled,
            not_before: a.not_before.map(from_unix),
            expires_on: a.expires.map(from_unix),
            created_on: a.created.map(from_unix),
            updated_on: a.updated.map(from_unix),
            recovery_level: a.recovery_level,
            recoverable_days: a.recoverable_days,
            exportable: a.exportable,
            tags: tags.unwrap_or_default(),
            managed: managed.unwrap_or(false),
        }
    }
}

impl From<wire::KeyItem> for KeyProperties {
    fn from(item: wire::KeyItem) -> Self {
        Self::from_parts(item.kid, item.attributes, item.tags, item.managed)
    }
}

/// A key: its public JWK (with its `kid` and `key_ops`) and its properties.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct KeyVaultKey {
    /// The key.
    pub key: JsonWebKey,
    /// Its metadata.
    pub properties: KeyProperties,
}

impl KeyVaultKey {
    /// The key's id (`kid`).
    pub fn id(&self) -> Option<&str> {
        self.key.kid.as_deref()
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.properties.name
    }

    /// The key type.
    pub fn key_type(&self) -> Option<&KeyType> {
        self.key.kty.as_ref()
    }

    /// The operations the key permits.
    pub fn key_operations(&self) -> &[KeyOperation] {
        &self.key.key_ops
    }
}

impl TryFrom<wire::KeyBundle> for KeyVaultKey {
    type Error = Error;

    fn try_from(b: wire::KeyBundle) -> Result<Self> {
        let key = JsonWebKey::try_from(b.key.unwrap_or_default())?;
        let properties =
            KeyProperties::from_parts(key.kid.clone(), b.attributes, b.tags, b.managed);
        Ok(Self { key, properties })
    }
}

/// A deleted key, recoverable until its scheduled purge date.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct DeletedKey {
    /// The key as it was (its JWK is empty in list results).
    pub key: KeyVaultKey,
    /// The id to recover it by.
    pub recovery_id: Option<String>,
    /// When it was deleted.
    pub deleted_on: Option<SystemTime>,
    /// When it will be purged.
    pub scheduled_purge_date: Option<SystemTime>,
}

impl DeletedKey {
    /// The key's name.
    pub fn name(&self) -> &str {
        self.key.name()
    }

    /// The key's properties.
    pub fn properties(&self) -> &KeyProperties {
        &self.key.properties
    }
}

impl TryFrom<wire::DeletedKeyBundle> for DeletedKey {
    type Error = Error;

    fn try_from(b: wire::DeletedKeyBundle) -> Result<Self> {
        let key = KeyVaultKey::try_from(wire::KeyBundle {
            attributes: b.attributes,
            key: b.key,
            managed: b.managed,
            release_policy: b.release_policy,
            tags: b.tags,
        })?;
        Ok(Self {
            key,
            recovery_id: b.recovery_id,
            deleted_on: b.deleted_date.map(from_unix),
            scheduled_purge_date: b.scheduled_purge_date.map(from_unix),
        })
    }
}

impl From<wire::DeletedKeyItem> for DeletedKey {
    fn from(item: wire::DeletedKeyItem) -> Self {
        Self {
            key: KeyVaultKey {
                key: JsonWebKey {
                    kid: item.kid.clone(),
                    ..Default::default()
                },
                properties: KeyProperties::from_parts(
                    item.kid,
                    item.attributes,
                    item.tags,
                    item.managed,
                ),
            },
            recovery_id: item.recovery_id,
            deleted_on: item.deleted_date.map(from_unix),
            scheduled_purge_date: item.scheduled_purge_date.map(from_unix),
        }
    }
}

/// What a rotation policy does, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyRotationLifetimeAction {
    /// Rotate, or notify.
    pub action: KeyRotationPolicyAction,
    /// ISO 8601 duration after creation, such as `P90D`.
    pub time_after_create: Option<String>,
    /// ISO 8601 duration before expiry, such as `P30D`.
    pub time_before_expiry: Option<String>,
}

impl KeyRotationLifetimeAction {
    /// An action taken `duration` (ISO 8601, such as `P90D`) after the key version's creation.
    pub fn after_create(action: KeyRotationPolicyAction, duration: impl Into<String>) -> Self {
        Self {
            action,
            time_after_create: Some(duration.into()),
            time_before_expiry: None,
        }
    }

    /// An action taken `duration` before the key version expires.
    pub fn before_expiry(action: KeyRotationPolicyAction, duration: impl Into<String>) -> Self {
        Self {
            action,
            time_after_create: None,
            time_before_expiry: Some(duration.into()),
        }
    }
}

/// A key's rotation policy.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct KeyRotationPolicy {
    /// The policy's id (read-only).
    pub id: Option<String>,
    /// Its actions.
    pub lifetime_actions: Vec<KeyRotationLifetimeAction>,
    /// Expiry of new versions, as an ISO 8601 duration (at least `P28D`).
    pub expires_in: Option<String>,
    /// Created (read-only).
    pub created_on: Option<SystemTime>,
    /// Last updated (read-only).
    pub updated_on: Option<SystemTime>,
}

impl KeyRotationPolicy {
    /// A policy with `actions` and an optional expiry for new versions.
    pub fn new(actions: Vec<KeyRotationLifetimeAction>, expires_in: Option<String>) -> Self {
        Self {
            lifetime_actions: actions,
            expires_in,
            ..Default::default()
        }
    }
}

impl From<wire::KeyRotationPolicy> for KeyRotationPolicy {
    fn from(p: wire::KeyRotationPolicy) -> Self {
        let attributes = p.attributes.unwrap_or_default();
        Self {
            id: p.id,
            lifetime_actions: p
                .lifetime_actions
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    let trigger = a.trigger.unwrap_or_default();
                    Some(KeyRotationLifetimeAction {
                        action: a.action?.type_?,
                        time_after_create: trigger.time_after_create,
                        time_before_expiry: trigger.time_before_expiry,
                    })
                })
                .collect(),
            expires_in: attributes.expiry_time,
            created_on: attributes.created.map(from_unix),
            updated_on: attributes.updated.map(from_unix),
        }
    }
}

impl From<&KeyRotationPolicy> for wire::KeyRotationPolicy {
    fn from(p: &KeyRotationPolicy) -> Self {
        Self {
            id: None,
            lifetime_actions: Some(
                p.lifetime_actions
                    .iter()
                    .map(|a| wire::LifetimeActions {
                        action: Some(wire::LifetimeActionsType {
                            type_: Some(a.action.clone()),
                        }),
                        trigger: Some(wire::LifetimeActionsTrigger {
                            time_after_create: a.time_after_create.clone(),
                            time_before_expiry: a.time_before_expiry.clone(),
                        }),
                    })
                    .collect(),
            ),
            attributes: Some(wire::KeyRotationPolicyAttributes {
                expiry_time: p.expires_in.clone(),
                ..Default::default()
            }),
        }
    }
}

/// The result of an encryption.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncryptResult {
    /// The key that encrypted (with version).
    pub key_id: Option<String>,
    /// The algorithm used.
    pub algorithm: EncryptionAlgorithm,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
    /// The initialisation vector (AES).
    pub iv: Option<Vec<u8>>,
    /// The authentication tag (AES-GCM).
    pub authentication_tag: Option<Vec<u8>>,
    /// The additional authenticated data (AES-GCM).
    pub additional_authenticated_data: Option<Vec<u8>>,
}

/// The result of a decryption. The plaintext is [`Sensitive`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecryptResult {
    /// The key that decrypted.
    pub key_id: Option<String>,
    /// The algorithm used.
    pub algorithm: EncryptionAlgorithm,
    /// The plaintext.
    pub plaintext: Sensitive<Vec<u8>>,
}

/// The result of signing a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignResult {
    /// The key that signed.
    pub key_id: Option<String>,
    /// The algorithm used.
    pub algorithm: SignatureAlgorithm,
    /// The signature (for ECDSA, `r || s`).
    pub signature: Vec<u8>,
}

/// The result of verifying a signature.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyResult {
    /// The key that verified.
    pub key_id: Option<String>,
    /// The algorithm used.
    pub algorithm: SignatureAlgorithm,
    /// Whether the signature is valid.
    pub is_valid: bool,
}

/// The result of wrapping a key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WrapResult {
    /// The key that wrapped.
    pub key_id: Option<String>,
    /// The algorithm used.
    pub algorithm: KeyWrapAlgorithm,
    /// The wrapped key.
    pub encrypted_key: Vec<u8>,
}

/// The result of unwrapping a key. The key is [`Sensitive`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnwrapResult {
    /// The key that unwrapped.
    pub key_id: Option<String>,
    /// The algorithm used.
    pub algorithm: KeyWrapAlgorithm,
    /// The unwrapped key.
    pub key: Sensitive<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(path: &str) -> serde_json::Value {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/keyvault/data-plane/Keys/stable/2026-04-01/examples/"
        );
        let text = std::fs::read_to_string(format!("{root}{path}")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn spec_examples_parse_into_typed_keys() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/keyvault/data-plane/Keys/stable/2026-04-01/examples/"
        );
        let mut bundles = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let doc = example(&name);
            let Some(body) = doc.pointer("/responses/200/body") else {
                continue;
            };
            let Some(jwk) = body.get("key") else { continue };
            let wire: wire::JsonWebKey = serde_json::from_value(jwk.clone()).unwrap();
            let key = JsonWebKey::try_from(wire.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Nothing is lost going back to the wire.
            assert_eq!(wire::JsonWebKey::from(&key), wire, "{name}");
            if key
                .kty
                .as_ref()
                .is_some_and(|k| matches!(k, KeyType::Rsa | KeyType::RsaHsm))
            {
                assert!(key.n.as_ref().is_some_and(|n| n.len() >= 256), "{name}");
                assert_eq!(key.e.as_deref(), Some(&[1u8, 0, 1][..]), "{name}");
            }
            let bundle: wire::KeyBundle = serde_json::from_value(body.clone()).unwrap();
            let typed = KeyVaultKey::try_from(bundle).unwrap();
            assert!(!typed.name().is_empty(), "{name}");
            bundles += 1;
        }
        assert!(bundles >= 8, "only {bundles} example bundles");
    }

    #[test]
    fn malformed_jwks_are_typed_errors() {
        for bad in [
            "",
            "[]",
            r#"{"kty":"RSA","n":"!!!"}"#,
            r#"{"kty":"EC","x":7}"#,
            r#"{"kty":"oct","k":"a b"}"#,
        ] {
            let err = JsonWebKey::from_json(bad).unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::InvalidInput, "{bad}");
        }
        let jwk =
            JsonWebKey::from_json(r#"{"kty":"RSA","n":"AQAB","e":"AQAB","d":"c2VjcmV0"}"#).unwrap();
        assert!(jwk.has_private_key());
        assert!(!format!("{jwk:?}").contains("115, 101"));
        assert!(!jwk.public_key().has_private_key());
    }
}
