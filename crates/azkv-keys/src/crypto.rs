//! [`CryptographyClient`]: encrypt, decrypt, sign, verify, wrap and unwrap with one key —
#![cfg_attr(not(feature = "local-crypto"), allow(dead_code))]
//! locally when the key material allows, in the vault otherwise.
//!
//! With the `local-crypto` feature (on by default), a client made from a key id fetches the
//! key's public half once and then verifies, encrypts and wraps in this process; decrypt,
//! sign and unwrap go to the vault, which holds the private half. A client made from a
//! [`JsonWebKey`] that carries private or symmetric material does everything locally. Local
//! operations enforce the key's `key_ops`, its enabled flag and its `nbf`/`exp` window as the
//! service does; AES-GCM is never done locally.

use crate::client::{check_name, check_version, endpoint_options};
use crate::generated as wire;
use crate::models::*;
use crate::options::*;
use azkv_core::vault::{decode_base64url, encode_base64url, VaultEndpoint};
use azkv_core::{
    Error, ErrorKind, Method, Request, Result, Sensitive, StatusCode, TokenCredential,
};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Where the key's material is known.
#[derive(Debug)]
enum KeyState {
    /// Not fetched yet.
    Unfetched,
    /// Known: the JWK and what limits its use.
    Known(Arc<LocalKey>),
    /// The caller may not read the key (`403` on get): everything goes to the vault.
    RemoteOnly,
}

#[derive(Debug)]
struct LocalKey {
    jwk: JsonWebKey,
    enabled: bool,
    not_before: Option<SystemTime>,
    expires_on: Option<SystemTime>,
}

impl LocalKey {
    fn from_vault_key(key: &KeyVaultKey) -> Self {
        Self {
            jwk: key.key.clone(),
            enabled: key.properties.enabled.unwrap_or(true),
            not_before: key.properties.not_before,
            expires_on: key.properties.expires_on,
        }
    }

    /// Whether the "public" operations (encrypt, wrap, verify) can run here: always for
    /// asymmetric keys, only with the key bytes for symmetric ones.
    fn can_use_publicly(&self) -> bool {
        !matches!(self.jwk.kty, Some(KeyType::Oct | KeyType::OctHsm)) || self.jwk.k.is_some()
    }

    /// Refuses `op` as the service would: disabled key, operation not in `key_ops`, or (for
    /// operations that protect new data) outside the validity window.
    fn check(&self, op: KeyOperation, protects: bool) -> Result<()> {
        let refused = |why: String| Err(Error::new(ErrorKind::InvalidInput, why));
        if !self.enabled {
            return refused(format!("operation {op} is not allowed on a disabled key"));
        }
        if !self.jwk.permits(&op) {
            return refused(format!(
                "operation {op} is not permitted by the key's key_ops"
            ));
        }
        if protects {
            let now = SystemTime::now();
            if self.not_before.is_some_and(|nbf| now < nbf) {
                return refused(format!(
                    "operation {op} is not allowed before the key's not-before date"
                ));
            }
            if self.expires_on.is_some_and(|exp| now >= exp) {
                return refused(format!("operation {op} is not allowed on an expired key"));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
struct Remote {
    endpoint: VaultEndpoint,
    name: String,
    version: String,
}

/// Cryptography with one key. Cheap to clone; clones share the fetched key.
///
/// # Examples
///
/// ```no_run
/// use azkv_keys::{CryptographyClient, SignatureAlgorithm};
/// # use std::sync::Arc;
///
/// # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
/// let client = CryptographyClient::new("https://myvault.vault.azure.net/keys/signing", credential, None)?;
/// let signed = client.sign_data(SignatureAlgorithm::Es256, b"release-1.2.3.tar.gz").await?; // in the vault
/// let verified = client.verify_data(SignatureAlgorithm::Es256, b"release-1.2.3.tar.gz", &signed.signature).await?; // locally
/// assert!(verified.is_valid);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct CryptographyClient {
    key_id: String,
    remote: Option<Remote>,
    state: Arc<Mutex<KeyState>>,
}

fn no_local(op: &str) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("{op} cannot be done locally with this key, and the client has no vault to ask"),
    )
}

impl CryptographyClient {
    /// A client for the key `key_id` (`https://{vault}/keys/{name}[/{version}]`) in its vault.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `key_id` is not a key id.
    pub fn new(
        key_id: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<KeyClientOptions>,
    ) -> Result<Self> {
        let id = KeyIdentifier::parse(key_id)?;
        check_name(&id.name)?;
        if let Some(v) = &id.version {
            check_version(v)?;
        }
        let options = options.unwrap_or_default();
        let endpoint = VaultEndpoint::new(&id.vault_url, credential, endpoint_options(&options))?;
        Ok(Self {
            key_id: key_id.to_owned(),
            remote: Some(Remote {
                endpoint,
                name: id.name,
                version: id.version.unwrap_or_default(),
            }),
            state: Arc::new(Mutex::new(KeyState::Unfetched)),
        })
    }

    /// A client for `key`, already fetched: no request is needed before local operations.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the key has no id.
    pub fn from_key(
        key: &KeyVaultKey,
        credential: Arc<dyn TokenCredential>,
        options: Option<KeyClientOptions>,
    ) -> Result<Self> {
        let id = key
            .id()
            .ok_or_else(|| Error::invalid_input("key", "has no id (kid)"))?;
        let client = Self::new(id, credential, options)?;
        client.set_state(KeyState::Known(Arc::new(LocalKey::from_vault_key(key))));
        Ok(client)
    }

    /// A local-only client for `jwk`: public operations always work; decrypt, sign and
    /// unwrap need the JWK's private (or symmetric) material.
    ///
    /// # Examples
    ///
    /// ```
    /// use azkv_keys::{CryptographyClient, JsonWebKey, KeyWrapAlgorithm};
    ///
    /// # async fn run() -> azkv_core::Result<()> {
    /// let jwk = JsonWebKey::from_json(r#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw"}"#)?;
    /// let client = CryptographyClient::from_jwk(jwk);
    /// let wrapped = client.wrap_key(KeyWrapAlgorithm::A128Kw, &[7; 32]).await?;
    /// let unwrapped = client.unwrap_key(KeyWrapAlgorithm::A128Kw, &wrapped.encrypted_key).await?;
    /// assert_eq!(unwrapped.key.expose(), &[7; 32]);
    /// # Ok(()) }
    /// ```
    pub fn from_jwk(jwk: JsonWebKey) -> Self {
        Self {
            key_id: jwk.kid.clone().unwrap_or_default(),
            remote: None,
            state: Arc::new(Mutex::new(KeyState::Known(Arc::new(LocalKey {
                jwk,
                enabled: true,
                not_before: None,
                expires_on: None,
            })))),
        }
    }

    /// The key id this client was made with.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    fn set_state(&self, state: KeyState) {
        if let Ok(mut guard) = self.state.lock() {
            *guard = state;
        }
    }

    /// The key's material, fetching it once when the client has a vault.
    async fn local_key(&self) -> Result<Option<Arc<LocalKey>>> {
        let known = match self.state.lock() {
            Ok(guard) => match &*guard {
                KeyState::Known(key) => return Ok(Some(key.clone())),
                KeyState::RemoteOnly => return Ok(None),
                KeyState::Unfetched => false,
            },
            Err(_) => false,
        };
        let Some(remote) = (!known).then_some(self.remote.as_ref()).flatten() else {
            return Ok(None);
        };
        if !cfg!(feature = "local-crypto") {
            return Ok(None);
        }
        let url = remote
            .endpoint
            .url(&["keys", &remote.name, &remote.version], &[])?;
        let mut request = Request::new(Method::GET, url);
        let response = remote
            .endpoint
            .send("CryptographyClient::get_key", &mut request)
            .await?;
        if response.status() == StatusCode::FORBIDDEN {
            // Allowed to use the key but not to read it: the vault does everything.
            tracing::debug!("key not readable; all operations go to the vault");
            self.set_state(KeyState::RemoteOnly);
            return Ok(None);
        }
        let key = crate::client::bundle(response)?.into_model();
        let local = Arc::new(LocalKey::from_vault_key(&key));
        self.set_state(KeyState::Known(local.clone()));
        Ok(Some(local))
    }

    async fn remote_op(
        &self,
        op: &'static str,
        operation: &'static str,
        body: &impl serde::Serialize,
    ) -> Result<wire::KeyOperationResult> {
        let remote = self.remote.as_ref().ok_or_else(|| no_local(op))?;
        let url = remote
            .endpoint
            .url(&["keys", &remote.name, &remote.version, op], &[])?;
        let mut request = Request::new(Method::POST, url);
        request.set_json(body)?;
        // Every operation here computes without changing state: safe to resend.
        request.set_idempotent(true);
        Ok(remote
            .endpoint
            .send(operation, &mut request)
            .await?
            .into_model::<wire::KeyOperationResult>()?
            .into_model())
    }

    fn result_bytes(result: &wire::KeyOperationResult) -> Result<Vec<u8>> {
        let value = result
            .result
            .as_ref()
            .map(|v| v.expose().as_str())
            .ok_or_else(|| Error::new(ErrorKind::Deserialize, "the vault's answer has no value"))?;
        decode_base64url("result", value)
    }

    fn optional_bytes(what: &'static str, value: Option<&String>) -> Result<Option<Vec<u8>>> {
        value.map(|v| decode_base64url(what, v)).transpose()
    }

    /// Encrypts `plaintext`. RSA and AES-CBC run locally when the key's public half is
    /// known; AES-GCM always runs in the vault.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when a local check refuses (algorithm unsuitable for the
    /// key, plaintext too long, `key_ops`, validity); errors from the vault otherwise.
    pub async fn encrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
        options: Option<EncryptOptions>,
    ) -> Result<EncryptResult> {
        let options = options.unwrap_or_default();
        #[cfg(feature = "local-crypto")]
        if crate::local::encryption_is_local(&algorithm) {
            // A symmetric key fetched from the vault has no bytes here: the vault encrypts.
            if let Some(key) = self.local_key().await?.filter(|k| k.can_use_publicly()) {
                key.check(KeyOperation::Encrypt, true)?;
                let (ciphertext, iv) =
                    crate::local::encrypt(&key.jwk, &algorithm, plaintext, options.iv.as_deref())?;
                return Ok(EncryptResult {
                    key_id: key.jwk.kid.clone(),
                    algorithm,
                    ciphertext,
                    iv,
                    authentication_tag: None,
                    additional_authenticated_data: None,
                });
            }
        }
        let body = wire::KeyOperationsParameters {
            algorithm: algorithm.clone(),
            value: Sensitive::new(encode_base64url(plaintext)),
            iv: options.iv.as_deref().map(encode_base64url),
            aad: options
                .additional_authenticated_data
                .as_deref()
                .map(encode_base64url),
            tag: None,
        };
        let result = self
            .remote_op("encrypt", "CryptographyClient::encrypt", &body)
            .await?;
        Ok(EncryptResult {
            ciphertext: Self::result_bytes(&result)?,
            iv: Self::optional_bytes("iv", result.iv.as_ref())?,
            authentication_tag: Self::optional_bytes("tag", result.authentication_tag.as_ref())?,
            additional_authenticated_data: Self::optional_bytes(
                "aad",
                result.additional_authenticated_data.as_ref(),
            )?,
            key_id: result.kid,
            algorithm,
        })
    }

    /// Decrypts `ciphertext`: locally with private or symmetric material from a JWK, in the
    /// vault otherwise.
    ///
    /// # Errors
    ///
    /// As [`encrypt`](Self::encrypt); a tampered ciphertext is an error, never wrong output.
    pub async fn decrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
        options: Option<DecryptOptions>,
    ) -> Result<DecryptResult> {
        let options = options.unwrap_or_default();
        #[cfg(feature = "local-crypto")]
        if crate::local::encryption_is_local(&algorithm) {
            if let Some(key) = self.local_key().await?.filter(|k| k.jwk.has_private_key()) {
                key.check(KeyOperation::Decrypt, false)?;
                let plaintext =
                    crate::local::decrypt(&key.jwk, &algorithm, ciphertext, options.iv.as_deref())?;
                return Ok(DecryptResult {
                    key_id: key.jwk.kid.clone(),
                    algorithm,
                    plaintext: Sensitive::new(plaintext),
                });
            }
        }
        let body = wire::KeyOperationsParameters {
            algorithm: algorithm.clone(),
            value: Sensitive::new(encode_base64url(ciphertext)),
            iv: options.iv.as_deref().map(encode_base64url),
            aad: options
                .additional_authenticated_data
                .as_deref()
                .map(encode_base64url),
            tag: options.authentication_tag.as_deref().map(encode_base64url),
        };
        let result = self
            .remote_op("decrypt", "CryptographyClient::decrypt", &body)
            .await?;
        Ok(DecryptResult {
            plaintext: Sensitive::new(Self::result_bytes(&result)?),
            key_id: result.kid,
            algorithm,
        })
    }

    /// Signs `digest` (already hashed with the algorithm's hash): locally with a private JWK,
    /// in the vault otherwise.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a digest of the wrong length or an algorithm that
    /// does not suit the key (checked locally when the key is known); errors from the vault.
    pub async fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<SignResult> {
        #[cfg(feature = "local-crypto")]
        if let Some(key) = self.local_key().await? {
            if key.jwk.has_private_key() {
                key.check(KeyOperation::Sign, true)?;
                let signature = crate::local::sign(&key.jwk, &algorithm, digest)?;
                return Ok(SignResult {
                    key_id: key.jwk.kid.clone(),
                    algorithm,
                    signature,
                });
            }
        }
        let body = wire::KeySignParameters {
            algorithm: algorithm.clone(),
            value: encode_base64url(digest),
        };
        let result = self
            .remote_op("sign", "CryptographyClient::sign", &body)
            .await?;
        Ok(SignResult {
            signature: Self::result_bytes(&result)?,
            key_id: result.kid,
            algorithm,
        })
    }

    /// Verifies `signature` over `digest`; locally whenever the key's public half is known.
    ///
    /// # Errors
    ///
    /// As [`sign`](Self::sign). An invalid signature is `Ok` with `is_valid: false`.
    pub async fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        #[cfg(feature = "local-crypto")]
        if let Some(key) = self.local_key().await? {
            key.check(KeyOperation::Verify, false)?;
            let is_valid = crate::local::verify(&key.jwk, &algorithm, digest, signature)?;
            return Ok(VerifyResult {
                key_id: key.jwk.kid.clone(),
                algorithm,
                is_valid,
            });
        }
        let remote = self.remote.as_ref().ok_or_else(|| no_local("verify"))?;
        let url = remote
            .endpoint
            .url(&["keys", &remote.name, &remote.version, "verify"], &[])?;
        let mut request = Request::new(Method::POST, url);
        request.set_json(&wire::KeyVerifyParameters {
            algorithm: algorithm.clone(),
            digest: encode_base64url(digest),
            signature: encode_base64url(signature),
        })?;
        request.set_idempotent(true);
        let result = remote
            .endpoint
            .send("CryptographyClient::verify", &mut request)
            .await?
            .into_model::<wire::KeyVerifyResult>()?
            .into_model();
        Ok(VerifyResult {
            key_id: Some(self.key_id.clone()),
            algorithm,
            is_valid: result.value.unwrap_or(false),
        })
    }

    /// Hashes `data` with the algorithm's hash and signs the digest.
    ///
    /// # Errors
    ///
    /// As [`sign`](Self::sign).
    pub async fn sign_data(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
    ) -> Result<SignResult> {
        let digest = digest_of(&algorithm, data)?;
        self.sign(algorithm, &digest).await
    }

    /// Hashes `data` with the algorithm's hash and verifies `signature` over the digest.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub async fn verify_data(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        let digest = digest_of(&algorithm, data)?;
        self.verify(algorithm, &digest, signature).await
    }

    /// Wraps (encrypts) `key`; locally whenever the wrapping key's public half is known.
    ///
    /// # Errors
    ///
    /// As [`encrypt`](Self::encrypt).
    pub async fn wrap_key(&self, algorithm: KeyWrapAlgorithm, key: &[u8]) -> Result<WrapResult> {
        #[cfg(feature = "local-crypto")]
        if let Some(local) = self.local_key().await?.filter(|k| k.can_use_publicly()) {
            local.check(KeyOperation::WrapKey, true)?;
            let encrypted_key = crate::local::wrap(&local.jwk, &algorithm, key)?;
            return Ok(WrapResult {
                key_id: local.jwk.kid.clone(),
                algorithm,
                encrypted_key,
            });
        }
        let body = wire::KeyOperationsParameters {
            algorithm: EncryptionAlgorithm::from(algorithm.as_str()),
            value: Sensitive::new(encode_base64url(key)),
            iv: None,
            aad: None,
            tag: None,
        };
        let result = self
            .remote_op("wrapkey", "CryptographyClient::wrap_key", &body)
            .await?;
        Ok(WrapResult {
            encrypted_key: Self::result_bytes(&result)?,
            key_id: result.kid,
            algorithm,
        })
    }

    /// Unwraps a key wrapped with this key: locally with private or symmetric material from
    /// a JWK, in the vault otherwise.
    ///
    /// # Errors
    ///
    /// As [`decrypt`](Self::decrypt).
    pub async fn unwrap_key(
        &self,
        algorithm: KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<UnwrapResult> {
        #[cfg(feature = "local-crypto")]
        if let Some(local) = self.local_key().await?.filter(|k| k.jwk.has_private_key()) {
            local.check(KeyOperation::UnwrapKey, false)?;
            let key = crate::local::unwrap(&local.jwk, &algorithm, encrypted_key)?;
            return Ok(UnwrapResult {
                key_id: local.jwk.kid.clone(),
                algorithm,
                key: Sensitive::new(key),
            });
        }
        let body = wire::KeyOperationsParameters {
            algorithm: EncryptionAlgorithm::from(algorithm.as_str()),
            value: Sensitive::new(encode_base64url(encrypted_key)),
            iv: None,
            aad: None,
            tag: None,
        };
        let result = self
            .remote_op("unwrapkey", "CryptographyClient::unwrap_key", &body)
            .await?;
        Ok(UnwrapResult {
            key: Sensitive::new(Self::result_bytes(&result)?),
            key_id: result.kid,
            algorithm,
        })
    }
}

/// Hashes `data` with the hash `algorithm` signs (SHA-256, SHA-384 or SHA-512).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] for an algorithm without a known hash.
pub fn digest_of(algorithm: &SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    use sha2::Digest;
    use SignatureAlgorithm as S;
    match algorithm {
        S::Rs256 | S::Ps256 | S::Es256 | S::Es256K => Ok(sha2::Sha256::digest(data).to_vec()),
        S::Rs384 | S::Ps384 | S::Es384 => Ok(sha2::Sha384::digest(data).to_vec()),
        S::Rs512 | S::Ps512 | S::Es512 => Ok(sha2::Sha512::digest(data).to_vec()),
        other => Err(Error::invalid_input(
            "algorithm",
            &format!("{other} has no hash this client knows"),
        )),
    }
}
