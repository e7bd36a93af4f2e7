//! Key material and the cryptography the keys API performs with it: generation, JWK import,
//! encrypt/decrypt, sign/verify and wrap/unwrap, all computed for real with RustCrypto.
//!
//! Every failure is an [`ApiError`] in the service's shape (`400 BadParameter` for input the
//! key cannot be used with); nothing here panics on client input.

use crate::error::{ApiError, ApiResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Elliptic curves the keys API knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
    /// secp256k1.
    P256K,
}

impl Curve {
    /// Parses a JWK `crv`.
    pub fn parse(crv: &str) -> Option<Self> {
        match crv {
            "P-256" => Some(Self::P256),
            "P-384" => Some(Self::P384),
            "P-521" => Some(Self::P521),
            "P-256K" | "SECP256K1" => Some(Self::P256K),
            _ => None,
        }
    }

    /// The JWK name.
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::P256K => "P-256K",
        }
    }

    /// Bytes of a coordinate or scalar.
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 | Self::P256K => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }
}

/// Private key material, base64url fields as in a JWK. `Debug` shows only the key type.
#[derive(Clone, Serialize, Deserialize)]
pub enum KeyMaterial {
    /// RSA: modulus, public and private exponents, primes.
    Rsa {
        /// Modulus.
        n: String,
        /// Public exponent.
        e: String,
        /// Private exponent.
        d: String,
        /// First prime.
        p: String,
        /// Second prime.
        q: String,
    },
    /// Elliptic curve: the curve, public point and private scalar.
    Ec {
        /// The curve.
        crv: Curve,
        /// X coordinate.
        x: String,
        /// Y coordinate.
        y: String,
        /// Private scalar.
        d: String,
    },
    /// Symmetric (AES) key.
    Oct {
        /// The key bytes.
        k: String,
    },
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyMaterial({})", self.kty())
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_parameter(message)
}

fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

fn unb64(field: &str, value: &str) -> ApiResult<Vec<u8>> {
    B64.decode(value.trim_end_matches('='))
        .map_err(|_| bad(format!("The JWK field '{field}' is not valid base64url.")))
}

/// The output of an encryption.
#[derive(Debug, Default)]
pub struct Encrypted {
    /// Ciphertext.
    pub value: Vec<u8>,
    /// Initialisation vector, when the algorithm has one.
    pub iv: Option<Vec<u8>>,
    /// Authentication tag (GCM).
    pub tag: Option<Vec<u8>>,
}

/// Inputs of a symmetric operation besides the data.
#[derive(Debug, Default)]
pub struct SymmetricParams {
    /// Initialisation vector.
    pub iv: Option<Vec<u8>>,
    /// Additional authenticated data (GCM).
    pub aad: Option<Vec<u8>>,
    /// Authentication tag (GCM decrypt).
    pub tag: Option<Vec<u8>>,
}

fn rsa_private(n: &str, e: &str, d: &str, p: &str, q: &str) -> ApiResult<RsaPrivateKey> {
    let big = |f: &str, v: &str| unb64(f, v).map(|b| BigUint::from_bytes_be(&b));
    let mut key = RsaPrivateKey::from_components(
        big("n", n)?,
        big("e", e)?,
        big("d", d)?,
        vec![big("p", p)?, big("q", q)?],
    )
    .map_err(|_| bad("The RSA key parameters are not consistent."))?;
    key.validate()
        .map_err(|_| bad("The RSA key parameters are not consistent."))?;
    key.precompute()
        .map_err(|_| bad("The RSA key parameters are not consistent."))?;
    Ok(key)
}

fn digest_len(alg: &str) -> Option<usize> {
    Some(match alg {
        "RS256" | "PS256" | "ES256" | "ES256K" => 32,
        "RS384" | "PS384" | "ES384" => 48,
        "RS512" | "PS512" | "ES512" => 64,
        _ => return None,
    })
}

fn curve_of_alg(alg: &str) -> Option<Curve> {
    Some(match alg {
        "ES256" => Curve::P256,
        "ES256K" => Curve::P256K,
        "ES384" => Curve::P384,
        "ES512" => Curve::P521,
        _ => return None,
    })
}

fn unsupported(alg: &str, kty: &str) -> ApiError {
    bad(format!(
        "Algorithm {alg} is not supported for a key of type {kty}."
    ))
}

macro_rules! ec_sign {
    ($module:ident, $d:expr, $digest:expr) => {{
        use $module::ecdsa::signature::hazmat::RandomizedPrehashSigner;
        let key = $module::ecdsa::SigningKey::from_slice($d)
            .map_err(|_| bad("The EC private key is not valid for its curve."))?;
        let sig: $module::ecdsa::Signature = key
            .sign_prehash_with_rng(&mut OsRng, $digest)
            .map_err(|_| bad("The digest cannot be signed."))?;
        sig.to_bytes().to_vec()
    }};
}

macro_rules! ec_verify {
    ($module:ident, $sec1:expr, $digest:expr, $sig:expr) => {{
        use $module::ecdsa::signature::hazmat::PrehashVerifier;
        let key = $module::ecdsa::VerifyingKey::from_sec1_bytes($sec1)
            .map_err(|_| bad("The EC public key is not a point on its curve."))?;
        match $module::ecdsa::Signature::from_slice($sig) {
            // Signatures from other libraries may carry a high S; both forms are valid ECDSA.
            Ok(sig) => {
                let sig = sig.normalize_s().unwrap_or(sig);
                key.verify_prehash($digest, &sig).is_ok()
            }
            Err(_) => false,
        }
    }};
}

fn ec_public_from_private(crv: Curve, d: &[u8]) -> ApiResult<(Vec<u8>, Vec<u8>)> {
    let invalid = || bad("The EC private key is not valid for its curve.");
    let point = match crv {
        Curve::P256 => p256::ecdsa::SigningKey::from_slice(d)
            .map_err(|_| invalid())?
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
        Curve::P384 => p384::ecdsa::SigningKey::from_slice(d)
            .map_err(|_| invalid())?
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
        Curve::P521 => p521::ecdsa::VerifyingKey::from(
            &p521::ecdsa::SigningKey::from_slice(d).map_err(|_| invalid())?,
        )
        .to_encoded_point(false)
        .as_bytes()
        .to_vec(),
        Curve::P256K => k256::ecdsa::SigningKey::from_slice(d)
            .map_err(|_| invalid())?
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
    };
    let len = crv.field_len();
    if point.len() != 1 + 2 * len {
        return Err(invalid());
    }
    Ok((point[1..1 + len].to_vec(), point[1 + len..].to_vec()))
}

fn aes_gcm_encrypt(key: &[u8], plaintext: &[u8], aad: &[u8]) -> ApiResult<Encrypted> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let payload = Payload {
        msg: plaintext,
        aad,
    };
    let sealed = match key.len() {
        16 => aes_gcm::Aes128Gcm::new_from_slice(key)
            .map_err(|_| bad("bad key"))?
            .encrypt((&nonce).into(), payload),
        24 => aes_gcm::AesGcm::<aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
            .map_err(|_| bad("bad key"))?
            .encrypt((&nonce).into(), payload),
        _ => aes_gcm::Aes256Gcm::new_from_slice(key)
            .map_err(|_| bad("bad key"))?
            .encrypt((&nonce).into(), payload),
    }
    .map_err(|_| bad("The data could not be encrypted."))?;
    let (ct, tag) = sealed.split_at(sealed.len() - 16);
    Ok(Encrypted {
        value: ct.to_vec(),
        iv: Some(nonce.to_vec()),
        tag: Some(tag.to_vec()),
    })
}

fn aes_gcm_decrypt(key: &[u8], ct: &[u8], params: &SymmetricParams) -> ApiResult<Vec<u8>> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let iv = params
        .iv
        .as_deref()
        .filter(|iv| iv.len() == 12)
        .ok_or_else(|| bad("AES-GCM decryption needs the 12-byte iv returned by encrypt."))?;
    let tag = params
        .tag
        .as_deref()
        .filter(|t| t.len() == 16)
        .ok_or_else(|| bad("AES-GCM decryption needs the 16-byte authentication tag."))?;
    let mut sealed = ct.to_vec();
    sealed.extend_from_slice(tag);
    let payload = Payload {
        msg: &sealed,
        aad: params.aad.as_deref().unwrap_or_default(),
    };
    let nonce = aes_gcm::Nonce::from_slice(iv);
    match key.len() {
        16 => aes_gcm::Aes128Gcm::new_from_slice(key)
            .map_err(|_| bad("bad key"))?
            .decrypt(nonce, payload),
        24 => aes_gcm::AesGcm::<aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
            .map_err(|_| bad("bad key"))?
            .decrypt(nonce, payload),
        _ => aes_gcm::Aes256Gcm::new_from_slice(key)
            .map_err(|_| bad("bad key"))?
            .decrypt(nonce, payload),
    }
    .map_err(|_| bad("The ciphertext or its authentication tag is not valid for this key."))
}

fn aes_cbc(
    key: &[u8],
    data: &[u8],
    iv: Option<&[u8]>,
    pad: bool,
    encrypt: bool,
) -> ApiResult<Vec<u8>> {
    use cbc::cipher::block_padding::{NoPadding, Pkcs7};
    use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
    let iv = iv
        .filter(|iv| iv.len() == 16)
        .ok_or_else(|| bad("AES-CBC needs a 16-byte iv."))?;
    if !pad && data.len() % 16 != 0 {
        return Err(bad(
            "Without padding, AES-CBC data must be a multiple of 16 bytes.",
        ));
    }
    let failed = || bad("The data could not be decrypted with this key.");
    macro_rules! run {
        ($aes:ty) => {{
            if encrypt {
                let c = cbc::Encryptor::<$aes>::new_from_slices(key, iv).map_err(|_| failed())?;
                if pad {
                    c.encrypt_padded_vec_mut::<Pkcs7>(data)
                } else {
                    c.encrypt_padded_vec_mut::<NoPadding>(data)
                }
            } else {
                let c = cbc::Decryptor::<$aes>::new_from_slices(key, iv).map_err(|_| failed())?;
                if pad {
                    c.decrypt_padded_vec_mut::<Pkcs7>(data)
                        .map_err(|_| failed())?
                } else {
                    c.decrypt_padded_vec_mut::<NoPadding>(data)
                        .map_err(|_| failed())?
                }
            }
        }};
    }
    Ok(match key.len() {
        16 => run!(aes::Aes128),
        24 => run!(aes::Aes192),
        _ => run!(aes::Aes256),
    })
}

/// The AES key length an `A128*`/`A192*`/`A256*` algorithm needs, with the rest of its name.
fn aes_alg(alg: &str) -> Option<(usize, &str)> {
    let rest = alg.strip_prefix('A')?;
    let (bits, mode) = rest.split_at(rest.len().min(3));
    let len = match bits {
        "128" => 16,
        "192" => 24,
        "256" => 32,
        _ => return None,
    };
    Some((len, mode))
}

impl KeyMaterial {
    /// `RSA`, `EC` or `oct`.
    pub fn kty(&self) -> &'static str {
        match self {
            Self::Rsa { .. } => "RSA",
            Self::Ec { .. } => "EC",
            Self::Oct { .. } => "oct",
        }
    }

    /// Generates a key. `size` is RSA bits (2048, 3072, 4096) or AES bits (128, 192, 256).
    pub fn generate(
        kty: &str,
        size: Option<u32>,
        exponent: Option<u32>,
        crv: Option<&str>,
    ) -> ApiResult<Self> {
        match kty.trim_end_matches("-HSM") {
            "RSA" => {
                let bits = size.unwrap_or(2048);
                if !matches!(bits, 2048 | 3072 | 4096) {
                    return Err(bad(format!(
                        "The key size {bits} is not supported for RSA keys; use 2048, 3072 or 4096."
                    )));
                }
                let exp = exponent.unwrap_or(65537);
                if exp != 65537 && exp != 3 {
                    return Err(bad(format!(
                        "The public exponent {exp} is not supported; use 65537."
                    )));
                }
                let key =
                    RsaPrivateKey::new_with_exp(&mut OsRng, bits as usize, &BigUint::from(exp))
                        .map_err(|_| {
                            ApiError::new(
                                http::StatusCode::INTERNAL_SERVER_ERROR,
                                "InternalError",
                                "The key could not be generated.",
                            )
                        })?;
                Ok(Self::from_rsa(&key))
            }
            "EC" => {
                if size.is_some() {
                    return Err(bad(
                        "A key size is not valid for EC keys; choose a curve instead.",
                    ));
                }
                let crv = match crv {
                    None => Curve::P256,
                    Some(c) => Curve::parse(c)
                        .ok_or_else(|| bad(format!("The curve {c} is not supported.")))?,
                };
                let mut d = vec![0u8; crv.field_len()];
                // Draw scalars until one is valid (the chance of a retry is negligible).
                for _ in 0..64 {
                    OsRng.fill_bytes(&mut d);
                    if crv == Curve::P521 {
                        d[0] &= 0x01;
                    }
                    if let Ok((x, y)) = ec_public_from_private(crv, &d) {
                        return Ok(Self::Ec {
                            crv,
                            x: b64(&x),
                            y: b64(&y),
                            d: b64(&d),
                        });
                    }
                }
                Err(bad("The key could not be generated."))
            }
            "oct" => {
                let bits = size.unwrap_or(256);
                if !matches!(bits, 128 | 192 | 256) {
                    return Err(bad(format!(
                        "The key size {bits} is not supported for oct keys; use 128, 192 or 256."
                    )));
                }
                let mut k = vec![0u8; bits as usize / 8];
                OsRng.fill_bytes(&mut k);
                Ok(Self::Oct { k: b64(&k) })
            }
            other => Err(bad(format!("The key type {other} is not supported."))),
        }
    }

    fn from_rsa(key: &RsaPrivateKey) -> Self {
        let primes = key.primes();
        let prime = |i: usize| {
            primes
                .get(i)
                .map(|p| b64(&p.to_bytes_be()))
                .unwrap_or_default()
        };
        Self::Rsa {
            n: b64(&key.n().to_bytes_be()),
            e: b64(&key.e().to_bytes_be()),
            d: b64(&key.d().to_bytes_be()),
            p: prime(0),
            q: prime(1),
        }
    }

    /// Reads a private JWK (the `key` of an import request), checking that it is complete
    /// and consistent.
    pub fn from_jwk(jwk: &Value) -> ApiResult<Self> {
        let obj = jwk
            .as_object()
            .ok_or_else(|| bad("The key must be a JSON Web Key object."))?;
        let field = |name: &str| -> ApiResult<Option<&str>> {
            match obj.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(bad(format!("The JWK field '{name}' must be a string."))),
            }
        };
        let need = |name: &str| -> ApiResult<&str> {
            field(name)?.ok_or_else(|| bad(format!("The JWK is missing the '{name}' field.")))
        };
        let kty = need("kty")?;
        match kty.trim_end_matches("-HSM") {
            "RSA" => {
                let (n, e, d) = (need("n")?, need("e")?, need("d")?);
                let (p, q) = (need("p")?, need("q")?);
                let key = rsa_private(n, e, d, p, q)?;
                if !matches!(key.size() * 8, 2048 | 3072 | 4096) {
                    return Err(bad(format!(
                        "The RSA key has {} bits; only 2048, 3072 and 4096 are supported.",
                        key.size() * 8
                    )));
                }
                Ok(Self::from_rsa(&key))
            }
            "EC" => {
                let crv_name = need("crv")?;
                let crv = Curve::parse(crv_name)
                    .ok_or_else(|| bad(format!("The curve {crv_name} is not supported.")))?;
                let d = unb64("d", need("d")?)?;
                if d.len() != crv.field_len() {
                    return Err(bad(format!(
                        "The private scalar must be {} bytes for {}.",
                        crv.field_len(),
                        crv.name()
                    )));
                }
                let (x, y) = ec_public_from_private(crv, &d)?;
                for (name, computed) in [("x", &x), ("y", &y)] {
                    if let Some(given) = field(name)? {
                        if &unb64(name, given)? != computed {
                            return Err(bad("The public point does not match the private scalar."));
                        }
                    }
                }
                Ok(Self::Ec {
                    crv,
                    x: b64(&x),
                    y: b64(&y),
                    d: b64(&d),
                })
            }
            "oct" => {
                let k = unb64("k", need("k")?)?;
                if !matches!(k.len(), 16 | 24 | 32) {
                    return Err(bad(format!(
                        "An oct key must be 128, 192 or 256 bits, not {}.",
                        k.len() * 8
                    )));
                }
                Ok(Self::Oct { k: b64(&k) })
            }
            other => Err(bad(format!("The key type {other} is not supported."))),
        }
    }

    /// The public half as JWK fields (`n`/`e` or `crv`/`x`/`y`; nothing for oct).
    pub fn public_fields(&self, out: &mut Map<String, Value>) {
        match self {
            Self::Rsa { n, e, .. } => {
                out.insert("n".into(), Value::String(n.clone()));
                out.insert("e".into(), Value::String(e.clone()));
            }
            Self::Ec { crv, x, y, .. } => {
                out.insert("crv".into(), Value::String(crv.name().into()));
                out.insert("x".into(), Value::String(x.clone()));
                out.insert("y".into(), Value::String(y.clone()));
            }
            Self::Oct { .. } => {}
        }
    }

    /// Size in bits (RSA, oct) or the curve (EC): what a rotation keeps.
    pub fn shape(&self) -> (Option<u32>, Option<&'static str>) {
        match self {
            Self::Rsa { n, .. } => (
                Some(unb64("n", n).map(|b| b.len() as u32 * 8).unwrap_or(2048)),
                None,
            ),
            Self::Ec { crv, .. } => (None, Some(crv.name())),
            Self::Oct { k } => (
                Some(unb64("k", k).map(|b| b.len() as u32 * 8).unwrap_or(256)),
                None,
            ),
        }
    }

    fn rsa(&self) -> Option<ApiResult<RsaPrivateKey>> {
        match self {
            Self::Rsa { n, e, d, p, q } => Some(rsa_private(n, e, d, p, q)),
            _ => None,
        }
    }

    fn oct(&self) -> Option<ApiResult<Vec<u8>>> {
        match self {
            Self::Oct { k } => Some(unb64("k", k)),
            _ => None,
        }
    }

    fn aes_key_for(&self, alg: &str) -> ApiResult<(Vec<u8>, String)> {
        let k = self.oct().ok_or_else(|| unsupported(alg, self.kty()))??;
        let (len, mode) = aes_alg(alg).ok_or_else(|| unsupported(alg, self.kty()))?;
        if k.len() != len {
            return Err(bad(format!(
                "Algorithm {alg} needs a {}-bit key; this key has {} bits.",
                len * 8,
                k.len() * 8
            )));
        }
        Ok((k, mode.to_owned()))
    }

    /// Encrypts `plaintext` with `alg`.
    pub fn encrypt(
        &self,
        alg: &str,
        plaintext: &[u8],
        params: &SymmetricParams,
    ) -> ApiResult<Encrypted> {
        if let Some(key) = self.rsa() {
            let public = RsaPublicKey::from(&key?);
            let value = match alg {
                "RSA1_5" => public.encrypt(&mut OsRng, Pkcs1v15Encrypt, plaintext),
                "RSA-OAEP" => public.encrypt(&mut OsRng, Oaep::new::<sha1::Sha1>(), plaintext),
                "RSA-OAEP-256" => {
                    public.encrypt(&mut OsRng, Oaep::new::<sha2::Sha256>(), plaintext)
                }
                _ => return Err(unsupported(alg, "RSA")),
            }
            .map_err(|_| bad("The plaintext is too long for this key and algorithm."))?;
            return Ok(Encrypted {
                value,
                ..Default::default()
            });
        }
        let (k, mode) = self.aes_key_for(alg)?;
        match mode.as_str() {
            "GCM" => aes_gcm_encrypt(&k, plaintext, params.aad.as_deref().unwrap_or_default()),
            "CBC" | "CBCPAD" => {
                let iv = params.iv.clone();
                let value = aes_cbc(&k, plaintext, iv.as_deref(), mode == "CBCPAD", true)?;
                Ok(Encrypted {
                    value,
                    iv,
                    tag: None,
                })
            }
            _ => Err(unsupported(alg, "oct")),
        }
    }

    /// Decrypts `ciphertext` with `alg`.
    pub fn decrypt(
        &self,
        alg: &str,
        ciphertext: &[u8],
        params: &SymmetricParams,
    ) -> ApiResult<Vec<u8>> {
        if let Some(key) = self.rsa() {
            let key = key?;
            let failed = |_| bad("The ciphertext is not valid for this key and algorithm.");
            return match alg {
                "RSA1_5" => key.decrypt(Pkcs1v15Encrypt, ciphertext).map_err(failed),
                "RSA-OAEP" => key
                    .decrypt(Oaep::new::<sha1::Sha1>(), ciphertext)
                    .map_err(failed),
                "RSA-OAEP-256" => key
                    .decrypt(Oaep::new::<sha2::Sha256>(), ciphertext)
                    .map_err(failed),
                _ => Err(unsupported(alg, "RSA")),
            };
        }
        let (k, mode) = self.aes_key_for(alg)?;
        match mode.as_str() {
            "GCM" => aes_gcm_decrypt(&k, ciphertext, params),
            "CBC" | "CBCPAD" => aes_cbc(
                &k,
                ciphertext,
                params.iv.as_deref(),
                mode == "CBCPAD",
                false,
            ),
            _ => Err(unsupported(alg, "oct")),
        }
    }

    /// Wraps (encrypts) a key with `alg`: RSA algorithms, or `A128KW`/`A192KW`/`A256KW`.
    pub fn wrap(&self, alg: &str, key: &[u8]) -> ApiResult<Vec<u8>> {
        if matches!(self, Self::Rsa { .. }) {
            return self
                .encrypt(alg, key, &SymmetricParams::default())
                .map(|e| e.value);
        }
        let (k, mode) = self.aes_key_for(alg)?;
        if mode != "KW" {
            return Err(unsupported(alg, "oct"));
        }
        if key.len() < 16 || key.len() % 8 != 0 {
            return Err(bad(
                "AES key wrap needs a key of at least 16 bytes, a multiple of 8.",
            ));
        }
        let failed = |_| bad("The key could not be wrapped.");
        match k.len() {
            16 => aes_kw::KekAes128::try_from(k.as_slice())
                .map_err(failed)?
                .wrap_vec(key),
            24 => aes_kw::KekAes192::try_from(k.as_slice())
                .map_err(failed)?
                .wrap_vec(key),
            _ => aes_kw::KekAes256::try_from(k.as_slice())
                .map_err(failed)?
                .wrap_vec(key),
        }
        .map_err(failed)
    }

    /// Unwraps a key wrapped with `alg`.
    pub fn unwrap(&self, alg: &str, wrapped: &[u8]) -> ApiResult<Vec<u8>> {
        if matches!(self, Self::Rsa { .. }) {
            return self.decrypt(alg, wrapped, &SymmetricParams::default());
        }
        let (k, mode) = self.aes_key_for(alg)?;
        if mode != "KW" {
            return Err(unsupported(alg, "oct"));
        }
        let failed = |_| bad("The wrapped key is not valid for this key (integrity check failed).");
        match k.len() {
            16 => aes_kw::KekAes128::try_from(k.as_slice())
                .map_err(failed)?
                .unwrap_vec(wrapped),
            24 => aes_kw::KekAes192::try_from(k.as_slice())
                .map_err(failed)?
                .unwrap_vec(wrapped),
            _ => aes_kw::KekAes256::try_from(k.as_slice())
                .map_err(failed)?
                .unwrap_vec(wrapped),
        }
        .map_err(failed)
    }

    fn check_digest(alg: &str, digest: &[u8]) -> ApiResult<()> {
        let want = digest_len(alg)
            .ok_or_else(|| bad(format!("The algorithm {alg} is not a signature algorithm.")))?;
        if digest.len() != want {
            return Err(bad(format!(
                "Algorithm {alg} signs a {want}-byte digest; the digest given has {} bytes.",
                digest.len()
            )));
        }
        Ok(())
    }

    /// Signs `digest` with `alg`.
    pub fn sign(&self, alg: &str, digest: &[u8]) -> ApiResult<Vec<u8>> {
        Self::check_digest(alg, digest)?;
        match self {
            Self::Rsa { n, e, d, p, q } => {
                let key = rsa_private(n, e, d, p, q)?;
                let failed = |_| bad("The digest could not be signed with this key.");
                match alg {
                    "RS256" => key.sign(Pkcs1v15Sign::new::<sha2::Sha256>(), digest),
                    "RS384" => key.sign(Pkcs1v15Sign::new::<sha2::Sha384>(), digest),
                    "RS512" => key.sign(Pkcs1v15Sign::new::<sha2::Sha512>(), digest),
                    "PS256" => key.sign_with_rng(&mut OsRng, Pss::new::<sha2::Sha256>(), digest),
                    "PS384" => key.sign_with_rng(&mut OsRng, Pss::new::<sha2::Sha384>(), digest),
                    "PS512" => key.sign_with_rng(&mut OsRng, Pss::new::<sha2::Sha512>(), digest),
                    _ => return Err(unsupported(alg, "RSA")),
                }
                .map_err(failed)
            }
            Self::Ec { crv, d, .. } => {
                if curve_of_alg(alg) != Some(*crv) {
                    return Err(bad(format!(
                        "Algorithm {alg} cannot be used with a key on curve {}.",
                        crv.name()
                    )));
                }
                let d = unb64("d", d)?;
                Ok(match crv {
                    Curve::P256 => ec_sign!(p256, &d, digest),
                    Curve::P384 => ec_sign!(p384, &d, digest),
                    Curve::P521 => ec_sign!(p521, &d, digest),
                    Curve::P256K => ec_sign!(k256, &d, digest),
                })
            }
            Self::Oct { .. } => Err(unsupported(alg, "oct")),
        }
    }

    /// Whether `signature` is valid for `digest` under `alg`.
    pub fn verify(&self, alg: &str, digest: &[u8], signature: &[u8]) -> ApiResult<bool> {
        Self::check_digest(alg, digest)?;
        match self {
            Self::Rsa { n, e, .. } => {
                let big = |f: &str, v: &str| unb64(f, v).map(|b| BigUint::from_bytes_be(&b));
                let key = RsaPublicKey::new(big("n", n)?, big("e", e)?)
                    .map_err(|_| bad("The RSA public key is not valid."))?;
                let result = match alg {
                    "RS256" => key.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature),
                    "RS384" => key.verify(Pkcs1v15Sign::new::<sha2::Sha384>(), digest, signature),
                    "RS512" => key.verify(Pkcs1v15Sign::new::<sha2::Sha512>(), digest, signature),
                    "PS256" => key.verify(Pss::new::<sha2::Sha256>(), digest, signature),
                    "PS384" => key.verify(Pss::new::<sha2::Sha384>(), digest, signature),
                    "PS512" => key.verify(Pss::new::<sha2::Sha512>(), digest, signature),
                    _ => return Err(unsupported(alg, "RSA")),
                };
                Ok(result.is_ok())
            }
            Self::Ec { crv, x, y, .. } => {
                if curve_of_alg(alg) != Some(*crv) {
                    return Err(bad(format!(
                        "Algorithm {alg} cannot be used with a key on curve {}.",
                        crv.name()
                    )));
                }
                let mut sec1 = vec![4u8];
                sec1.extend(unb64("x", x)?);
                sec1.extend(unb64("y", y)?);
                Ok(match crv {
                    Curve::P256 => ec_verify!(p256, &sec1, digest, signature),
                    Curve::P384 => ec_verify!(p384, &sec1, digest, signature),
                    Curve::P521 => ec_verify!(p521, &sec1, digest, signature),
                    Curve::P256K => ec_verify!(k256, &sec1, digest, signature),
                })
            }
            Self::Oct { .. } => Err(unsupported(alg, "oct")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn every_signature_algorithm_round_trips_and_rejects_tampering() {
        let cases = [
            ("RSA", None, "RS256"),
            ("RSA", None, "PS512"),
            ("EC", Some("P-256"), "ES256"),
            ("EC", Some("P-256K"), "ES256K"),
            ("EC", Some("P-384"), "ES384"),
            ("EC", Some("P-521"), "ES512"),
        ];
        for (kty, crv, alg) in cases {
            let key = KeyMaterial::generate(kty, None, None, crv).unwrap();
            let digest = match digest_len(alg).unwrap() {
                32 => sha2::Sha256::digest(b"data").to_vec(),
                48 => sha2::Sha384::digest(b"data").to_vec(),
                _ => sha2::Sha512::digest(b"data").to_vec(),
            };
            let mut sig = key.sign(alg, &digest).unwrap();
            assert!(key.verify(alg, &digest, &sig).unwrap(), "{alg}");
            sig[5] ^= 1;
            assert!(!key.verify(alg, &digest, &sig).unwrap(), "{alg} tampered");
            assert!(key.sign(alg, &digest[1..]).is_err(), "{alg} short digest");
        }
    }

    #[test]
    fn symmetric_algorithms_round_trip() {
        let key = KeyMaterial::generate("oct", Some(256), None, None).unwrap();
        let params = SymmetricParams {
            iv: Some(vec![7; 16]),
            aad: Some(b"aad".to_vec()),
            tag: None,
        };
        for alg in ["A256GCM", "A256CBC", "A256CBCPAD"] {
            let data = [9u8; 32];
            let out = key.encrypt(alg, &data, &params).unwrap();
            let back = SymmetricParams {
                iv: out.iv.clone(),
                aad: params.aad.clone(),
                tag: out.tag.clone(),
            };
            assert_eq!(key.decrypt(alg, &out.value, &back).unwrap(), data, "{alg}");
        }
        assert!(key.encrypt("A128GCM", b"x", &params).is_err());
        let wrapped = key.wrap("A256KW", &[1; 32]).unwrap();
        assert_eq!(key.unwrap("A256KW", &wrapped).unwrap(), vec![1; 32]);
        let mut bad = wrapped.clone();
        bad[3] ^= 1;
        assert!(key.unwrap("A256KW", &bad).is_err());
    }

    #[test]
    fn malformed_jwks_are_refused() {
        for jwk in [
            serde_json::json!("x"),
            serde_json::json!({"kty": "RSA", "n": "AQAB"}),
            serde_json::json!({"kty": "EC", "crv": "P-999", "d": "AA"}),
            serde_json::json!({"kty": "EC", "crv": "P-256", "d": "!!"}),
            serde_json::json!({"kty": "oct", "k": "AAAA"}),
            serde_json::json!({"kty": "XYZ"}),
        ] {
            assert!(KeyMaterial::from_jwk(&jwk).is_err(), "{jwk}");
        }
    }
}
