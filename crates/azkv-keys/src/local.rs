//! Cryptography on a [`JsonWebKey`] in this process, with RustCrypto: RSA (PKCS#1 v1.5,
//! OAEP, PSS), ECDSA on P-256, P-256K, P-384 and P-521, AES-CBC and AES key wrap.
//!
//! AES-GCM is deliberately absent: with a key in a vault, nonce handling belongs to the
//! service. Every function checks the algorithm against the key type and the input sizes
//! against the algorithm, returning [`ErrorKind::InvalidInput`](azkv_core::ErrorKind) rather
//! than producing garbage.

use crate::models::{
    EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyType, KeyWrapAlgorithm, SignatureAlgorithm,
};
use azkv_core::{Error, Result, Sensitive};
use rand_core::OsRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};

fn invalid(what: &str, problem: &str) -> Error {
    Error::invalid_input(what, problem)
}

fn is_rsa(jwk: &JsonWebKey) -> bool {
    matches!(jwk.kty, Some(KeyType::Rsa | KeyType::RsaHsm))
}

fn is_ec(jwk: &JsonWebKey) -> bool {
    matches!(jwk.kty, Some(KeyType::Ec | KeyType::EcHsm))
}

fn is_oct(jwk: &JsonWebKey) -> bool {
    matches!(jwk.kty, Some(KeyType::Oct | KeyType::OctHsm))
}

impl TryFrom<&JsonWebKey> for RsaPublicKey {
    type Error = Error;

    fn try_from(jwk: &JsonWebKey) -> Result<Self> {
        if !is_rsa(jwk) {
            return Err(invalid("key", "is not an RSA key"));
        }
        let n = jwk
            .n
            .as_deref()
            .ok_or_else(|| invalid("key", "has no modulus (n)"))?;
        let e = jwk
            .e
            .as_deref()
            .ok_or_else(|| invalid("key", "has no public exponent (e)"))?;
        RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
            .map_err(|_| invalid("key", "is not a valid RSA public key"))
    }
}

impl TryFrom<&JsonWebKey> for RsaPrivateKey {
    type Error = Error;

    fn try_from(jwk: &JsonWebKey) -> Result<Self> {
        let public = RsaPublicKey::try_from(jwk)?;
        let big = |v: &Option<Sensitive<Vec<u8>>>, name: &str| {
            v.as_ref()
                .map(|v| BigUint::from_bytes_be(v.expose()))
                .ok_or_else(|| invalid("key", &format!("has no private field {name}")))
        };
        let d = big(&jwk.d, "d")?;
        if jwk.p.is_none() || jwk.q.is_none() {
            return Err(invalid(
                "key",
                "needs the primes p and q for private operations",
            ));
        }
        let primes = vec![big(&jwk.p, "p")?, big(&jwk.q, "q")?];
        let mut key =
            RsaPrivateKey::from_components(public.n().clone(), public.e().clone(), d, primes)
                .map_err(|_| invalid("key", "has inconsistent RSA private fields"))?;
        key.validate()
            .map_err(|_| invalid("key", "has inconsistent RSA private fields"))?;
        key.precompute()
            .map_err(|_| invalid("key", "has inconsistent RSA private fields"))?;
        Ok(key)
    }
}

impl From<&RsaPublicKey> for JsonWebKey {
    fn from(key: &RsaPublicKey) -> Self {
        JsonWebKey {
            kty: Some(KeyType::Rsa),
            n: Some(key.n().to_bytes_be()),
            e: Some(key.e().to_bytes_be()),
            ..Default::default()
        }
    }
}

impl From<&RsaPrivateKey> for JsonWebKey {
    fn from(key: &RsaPrivateKey) -> Self {
        let secret = |v: BigUint| Some(Sensitive::new(v.to_bytes_be()));
        let primes = key.primes();
        let mut jwk = JsonWebKey::from(&RsaPublicKey::from(key));
        jwk.d = secret(key.d().clone());
        if let [p, q] = primes {
            jwk.p = secret(p.clone());
            jwk.q = secret(q.clone());
            let one = BigUint::from(1u8);
            jwk.dp = secret(key.d() % (p - &one));
            jwk.dq = secret(key.d() % (q - &one));
            jwk.qi = key
                .crt_coefficient()
                .map(|c| Sensitive::new(c.to_bytes_be()));
        }
        jwk
    }
}

macro_rules! ec_conversions {
    ($module:ident, $curve:expr, $len:expr) => {
        impl TryFrom<&JsonWebKey> for $module::PublicKey {
            type Error = Error;

            fn try_from(jwk: &JsonWebKey) -> Result<Self> {
                let (x, y) = ec_point(jwk, $curve, $len)?;
                let mut sec1 = Vec::with_capacity(1 + 2 * $len);
                sec1.push(4);
                sec1.extend_from_slice(x);
                sec1.extend_from_slice(y);
                $module::PublicKey::from_sec1_bytes(&sec1)
                    .map_err(|_| invalid("key", "is not a point on its curve"))
            }
        }

        impl TryFrom<&JsonWebKey> for $module::SecretKey {
            type Error = Error;

            fn try_from(jwk: &JsonWebKey) -> Result<Self> {
                ec_point(jwk, $curve, $len)?;
                let d = jwk
                    .d
                    .as_ref()
                    .ok_or_else(|| invalid("key", "has no private scalar (d)"))?;
                if d.expose().len() != $len {
                    return Err(invalid("key", "has a private scalar of the wrong length"));
                }
                let secret = $module::SecretKey::from_slice(d.expose())
                    .map_err(|_| invalid("key", "has an invalid private scalar"))?;
                if $module::PublicKey::try_from(jwk)? != secret.public_key() {
                    return Err(invalid(
                        "key",
                        "has a public point that does not match its private scalar",
                    ));
                }
                Ok(secret)
            }
        }

        impl From<&$module::PublicKey> for JsonWebKey {
            fn from(key: &$module::PublicKey) -> Self {
                use $module::elliptic_curve::sec1::ToEncodedPoint;
                let point = key.to_encoded_point(false);
                JsonWebKey {
                    kty: Some(KeyType::Ec),
                    crv: Some($curve),
                    x: point.x().map(|x| x.to_vec()),
                    y: point.y().map(|y| y.to_vec()),
                    ..Default::default()
                }
            }
        }

        impl From<&$module::SecretKey> for JsonWebKey {
            fn from(key: &$module::SecretKey) -> Self {
                let mut jwk = JsonWebKey::from(&key.public_key());
                jwk.d = Some(Sensitive::new(key.to_bytes().to_vec()));
                jwk
            }
        }
    };
}

fn ec_point(jwk: &JsonWebKey, curve: KeyCurveName, len: usize) -> Result<(&[u8], &[u8])> {
    if !is_ec(jwk) {
        return Err(invalid("key", "is not an EC key"));
    }
    if jwk.crv.as_ref() != Some(&curve) {
        return Err(invalid("key", &format!("is not on curve {curve}")));
    }
    match (jwk.x.as_deref(), jwk.y.as_deref()) {
        (Some(x), Some(y)) if x.len() == len && y.len() == len => Ok((x, y)),
        _ => Err(invalid(
            "key",
            &format!("needs x and y of {len} bytes for {curve}"),
        )),
    }
}

ec_conversions!(p256, KeyCurveName::P256, 32);
ec_conversions!(p384, KeyCurveName::P384, 48);
ec_conversions!(p521, KeyCurveName::P521, 66);
ec_conversions!(k256, KeyCurveName::P256K, 32);

/// The digest length an algorithm signs, and the curve it needs (ECDSA).
fn signature_shape(alg: &SignatureAlgorithm) -> Option<(usize, Option<KeyCurveName>)> {
    use SignatureAlgorithm as S;
    Some(match alg {
        S::Rs256 | S::Ps256 => (32, None),
        S::Rs384 | S::Ps384 => (48, None),
        S::Rs512 | S::Ps512 => (64, None),
        S::Es256 => (32, Some(KeyCurveName::P256)),
        S::Es256K => (32, Some(KeyCurveName::P256K)),
        S::Es384 => (48, Some(KeyCurveName::P384)),
        S::Es512 => (64, Some(KeyCurveName::P521)),
        _ => return None,
    })
}

fn check_signature_input(
    jwk: &JsonWebKey,
    alg: &SignatureAlgorithm,
    digest: &[u8],
) -> Result<Option<KeyCurveName>> {
    let (len, curve) = signature_shape(alg).ok_or_else(|| {
        invalid(
            "algorithm",
            &format!("{alg} is not a supported signature algorithm"),
        )
    })?;
    match &curve {
        None if !is_rsa(jwk) => {
            return Err(invalid("algorithm", &format!("{alg} needs an RSA key")))
        }
        Some(c) if !is_ec(jwk) || jwk.crv.as_ref() != Some(c) => {
            return Err(invalid(
                "algorithm",
                &format!("{alg} needs an EC key on curve {c}"),
            ))
        }
        _ => {}
    }
    if digest.len() != len {
        return Err(invalid(
            "digest",
            &format!("must be {len} bytes for {alg}, not {}", digest.len()),
        ));
    }
    Ok(curve)
}

macro_rules! ec_verify {
    ($module:ident, $jwk:expr, $digest:expr, $sig:expr) => {{
        use $module::ecdsa::signature::hazmat::PrehashVerifier;
        use $module::elliptic_curve::sec1::ToEncodedPoint;
        let point = $module::PublicKey::try_from($jwk)?.to_encoded_point(false);
        let key = $module::ecdsa::VerifyingKey::from_sec1_bytes(point.as_bytes())
            .map_err(|_| invalid("key", "is not a point on its curve"))?;
        match $module::ecdsa::Signature::from_slice($sig) {
            Ok(sig) => {
                let sig = sig.normalize_s().unwrap_or(sig);
                key.verify_prehash($digest, &sig).is_ok()
            }
            Err(_) => false,
        }
    }};
}

macro_rules! ec_sign {
    ($module:ident, $jwk:expr, $digest:expr) => {{
        use $module::ecdsa::signature::hazmat::RandomizedPrehashSigner;
        let secret = $module::SecretKey::try_from($jwk)?;
        let key = $module::ecdsa::SigningKey::from_slice(&secret.to_bytes())
            .map_err(|_| invalid("key", "has an invalid private scalar"))?;
        let sig: $module::ecdsa::Signature = key
            .sign_prehash_with_rng(&mut OsRng, $digest)
            .map_err(|_| invalid("digest", "cannot be signed"))?;
        sig.to_bytes().to_vec()
    }};
}

/// Verifies `signature` over `digest` with the key's public half.
pub(crate) fn verify(
    jwk: &JsonWebKey,
    alg: &SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool> {
    use SignatureAlgorithm as S;
    match check_signature_input(jwk, alg, digest)? {
        Some(KeyCurveName::P256) => Ok(ec_verify!(p256, jwk, digest, signature)),
        Some(KeyCurveName::P384) => Ok(ec_verify!(p384, jwk, digest, signature)),
        Some(KeyCurveName::P521) => Ok(ec_verify!(p521, jwk, digest, signature)),
        Some(_) => Ok(ec_verify!(k256, jwk, digest, signature)),
        None => {
            let key = RsaPublicKey::try_from(jwk)?;
            let result = match alg {
                S::Rs256 => key.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature),
                S::Rs384 => key.verify(Pkcs1v15Sign::new::<sha2::Sha384>(), digest, signature),
                S::Rs512 => key.verify(Pkcs1v15Sign::new::<sha2::Sha512>(), digest, signature),
                S::Ps256 => key.verify(Pss::new::<sha2::Sha256>(), digest, signature),
                S::Ps384 => key.verify(Pss::new::<sha2::Sha384>(), digest, signature),
                _ => key.verify(Pss::new::<sha2::Sha512>(), digest, signature),
            };
            Ok(result.is_ok())
        }
    }
}

/// Signs `digest` with the key's private half.
pub(crate) fn sign(jwk: &JsonWebKey, alg: &SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>> {
    use SignatureAlgorithm as S;
    Ok(match check_signature_input(jwk, alg, digest)? {
        Some(KeyCurveName::P256) => ec_sign!(p256, jwk, digest),
        Some(KeyCurveName::P384) => ec_sign!(p384, jwk, digest),
        Some(KeyCurveName::P521) => ec_sign!(p521, jwk, digest),
        Some(_) => ec_sign!(k256, jwk, digest),
        None => {
            let key = RsaPrivateKey::try_from(jwk)?;
            let result = match alg {
                S::Rs256 => key.sign(Pkcs1v15Sign::new::<sha2::Sha256>(), digest),
                S::Rs384 => key.sign(Pkcs1v15Sign::new::<sha2::Sha384>(), digest),
                S::Rs512 => key.sign(Pkcs1v15Sign::new::<sha2::Sha512>(), digest),
                S::Ps256 => key.sign_with_rng(&mut OsRng, Pss::new::<sha2::Sha256>(), digest),
                S::Ps384 => key.sign_with_rng(&mut OsRng, Pss::new::<sha2::Sha384>(), digest),
                _ => key.sign_with_rng(&mut OsRng, Pss::new::<sha2::Sha512>(), digest),
            };
            result.map_err(|_| invalid("digest", "cannot be signed with this key"))?
        }
    })
}

/// RSA encryption padding by wire name.
enum RsaPadding {
    Pkcs1,
    OaepSha1,
    OaepSha256,
}

fn rsa_padding(alg: &str) -> Option<RsaPadding> {
    match alg {
        "RSA1_5" => Some(RsaPadding::Pkcs1),
        "RSA-OAEP" => Some(RsaPadding::OaepSha1),
        "RSA-OAEP-256" => Some(RsaPadding::OaepSha256),
        _ => None,
    }
}

fn rsa_encrypt(jwk: &JsonWebKey, padding: RsaPadding, data: &[u8]) -> Result<Vec<u8>> {
    let key = RsaPublicKey::try_from(jwk)?;
    match padding {
        RsaPadding::Pkcs1 => key.encrypt(&mut OsRng, Pkcs1v15Encrypt, data),
        RsaPadding::OaepSha1 => key.encrypt(&mut OsRng, Oaep::new::<sha1::Sha1>(), data),
        RsaPadding::OaepSha256 => key.encrypt(&mut OsRng, Oaep::new::<sha2::Sha256>(), data),
    }
    .map_err(|_| invalid("plaintext", "is too long for this key and algorithm"))
}

fn rsa_decrypt(jwk: &JsonWebKey, padding: RsaPadding, data: &[u8]) -> Result<Vec<u8>> {
    let key = RsaPrivateKey::try_from(jwk)?;
    match padding {
        RsaPadding::Pkcs1 => key.decrypt(Pkcs1v15Encrypt, data),
        RsaPadding::OaepSha1 => key.decrypt(Oaep::new::<sha1::Sha1>(), data),
        RsaPadding::OaepSha256 => key.decrypt(Oaep::new::<sha2::Sha256>(), data),
    }
    .map_err(|_| invalid("ciphertext", "is not valid for this key and algorithm"))
}

/// The AES key of an oct JWK, checked against the length an `A128*`/`A192*`/`A256*`
/// algorithm needs.
fn aes_key<'k>(jwk: &'k JsonWebKey, alg: &str) -> Result<&'k [u8]> {
    if !is_oct(jwk) {
        return Err(invalid(
            "algorithm",
            &format!("{alg} needs a symmetric (oct) key"),
        ));
    }
    let k = jwk
        .k
        .as_ref()
        .map(|k| k.expose().as_slice())
        .ok_or_else(|| invalid("key", "has no symmetric key bytes (k)"))?;
    let want = match alg.get(1..4) {
        Some("128") => 16,
        Some("192") => 24,
        Some("256") => 32,
        _ => {
            return Err(invalid(
                "algorithm",
                &format!("{alg} is not an AES algorithm"),
            ))
        }
    };
    if k.len() != want {
        return Err(invalid(
            "key",
            &format!(
                "{alg} needs a {}-bit key; this key has {} bits",
                want * 8,
                k.len() * 8
            ),
        ));
    }
    Ok(k)
}

fn aes_cbc(key: &[u8], data: &[u8], iv: &[u8], pad: bool, encrypt: bool) -> Result<Vec<u8>> {
    use cbc::cipher::block_padding::{NoPadding, Pkcs7};
    use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
    if iv.len() != 16 {
        return Err(invalid("iv", "must be 16 bytes for AES-CBC"));
    }
    if !pad && data.len() % 16 != 0 {
        return Err(invalid(
            "data",
            "must be a multiple of 16 bytes for AES-CBC without padding",
        ));
    }
    let failed = || invalid("ciphertext", "is not valid for this key (bad padding)");
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

/// Whether `alg` can be computed here at all (AES-GCM never is).
pub(crate) fn encryption_is_local(alg: &EncryptionAlgorithm) -> bool {
    let a = alg.as_str();
    rsa_padding(a).is_some() || (a.starts_with('A') && a.contains("CBC"))
}

/// Encrypts; returns the ciphertext and, for AES-CBC, the iv used (random when none given).
pub(crate) fn encrypt(
    jwk: &JsonWebKey,
    alg: &EncryptionAlgorithm,
    data: &[u8],
    iv: Option<&[u8]>,
) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    let a = alg.as_str();
    if let Some(padding) = rsa_padding(a) {
        if !is_rsa(jwk) {
            return Err(invalid("algorithm", &format!("{a} needs an RSA key")));
        }
        return Ok((rsa_encrypt(jwk, padding, data)?, None));
    }
    if !encryption_is_local(alg) {
        return Err(invalid(
            "algorithm",
            &format!("{a} is not performed locally"),
        ));
    }
    let key = aes_key(jwk, a)?;
    let iv = match iv {
        Some(iv) => iv.to_vec(),
        None => {
            let mut iv = vec![0u8; 16];
            rand_core::RngCore::fill_bytes(&mut OsRng, &mut iv);
            iv
        }
    };
    let out = aes_cbc(key, data, &iv, a.ends_with("PAD"), true)?;
    Ok((out, Some(iv)))
}

/// Decrypts with the key's private (or symmetric) half.
pub(crate) fn decrypt(
    jwk: &JsonWebKey,
    alg: &EncryptionAlgorithm,
    data: &[u8],
    iv: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let a = alg.as_str();
    if let Some(padding) = rsa_padding(a) {
        if !is_rsa(jwk) {
            return Err(invalid("algorithm", &format!("{a} needs an RSA key")));
        }
        return rsa_decrypt(jwk, padding, data);
    }
    if !encryption_is_local(alg) {
        return Err(invalid(
            "algorithm",
            &format!("{a} is not performed locally"),
        ));
    }
    let key = aes_key(jwk, a)?;
    let iv = iv.ok_or_else(|| invalid("iv", "is required to decrypt AES-CBC"))?;
    aes_cbc(key, data, iv, a.ends_with("PAD"), false)
}

/// Wraps `key` with the JWK.
pub(crate) fn wrap(jwk: &JsonWebKey, alg: &KeyWrapAlgorithm, key: &[u8]) -> Result<Vec<u8>> {
    let a = alg.as_str();
    if let Some(padding) = rsa_padding(a) {
        if !is_rsa(jwk) {
            return Err(invalid("algorithm", &format!("{a} needs an RSA key")));
        }
        return rsa_encrypt(jwk, padding, key);
    }
    let kek = aes_key(jwk, a)?;
    if key.len() < 16 || key.len() % 8 != 0 {
        return Err(invalid(
            "key to wrap",
            "must be at least 16 bytes, a multiple of 8",
        ));
    }
    let failed = |_| invalid("key to wrap", "cannot be wrapped");
    match kek.len() {
        16 => aes_kw::KekAes128::try_from(kek)
            .map_err(failed)?
            .wrap_vec(key),
        24 => aes_kw::KekAes192::try_from(kek)
            .map_err(failed)?
            .wrap_vec(key),
        _ => aes_kw::KekAes256::try_from(kek)
            .map_err(failed)?
            .wrap_vec(key),
    }
    .map_err(failed)
}

/// Unwraps `wrapped` with the JWK's private (or symmetric) half.
pub(crate) fn unwrap(jwk: &JsonWebKey, alg: &KeyWrapAlgorithm, wrapped: &[u8]) -> Result<Vec<u8>> {
    let a = alg.as_str();
    if let Some(padding) = rsa_padding(a) {
        if !is_rsa(jwk) {
            return Err(invalid("algorithm", &format!("{a} needs an RSA key")));
        }
        return rsa_decrypt(jwk, padding, wrapped);
    }
    let kek = aes_key(jwk, a)?;
    let failed = |_| invalid("encrypted key", "failed the integrity check for this key");
    match kek.len() {
        16 => aes_kw::KekAes128::try_from(kek)
            .map_err(failed)?
            .unwrap_vec(wrapped),
        24 => aes_kw::KekAes192::try_from(kek)
            .map_err(failed)?
            .unwrap_vec(wrapped),
        _ => aes_kw::KekAes256::try_from(kek)
            .map_err(failed)?
            .unwrap_vec(wrapped),
    }
    .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa_jwk() -> JsonWebKey {
        let key = RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
        JsonWebKey::from(&key)
    }

    #[test]
    fn rsa_round_trips_through_the_jwk() {
        let jwk = rsa_jwk();
        let public = jwk.public_key();
        for alg in [
            EncryptionAlgorithm::Rsa15,
            EncryptionAlgorithm::RsaOaep,
            EncryptionAlgorithm::RsaOaep256,
        ] {
            let (ct, iv) = encrypt(&public, &alg, b"secret", None).unwrap();
            assert!(iv.is_none());
            assert_eq!(decrypt(&jwk, &alg, &ct, None).unwrap(), b"secret");
            let mut tampered = ct.clone();
            tampered[10] ^= 1;
            assert!(decrypt(&jwk, &alg, &tampered, None)
                .map(|p| p != b"secret")
                .unwrap_or(true));
        }
        for alg in [
            SignatureAlgorithm::Rs256,
            SignatureAlgorithm::Ps384,
            SignatureAlgorithm::Rs512,
        ] {
            let digest = crate::crypto::digest_of(&alg, b"data").unwrap();
            let sig = sign(&jwk, &alg, &digest).unwrap();
            assert!(verify(&public, &alg, &digest, &sig).unwrap());
            assert!(!verify(
                &public,
                &alg,
                &crate::crypto::digest_of(&alg, b"other").unwrap(),
                &sig
            )
            .unwrap());
        }
        // A public key cannot do private operations.
        assert!(sign(&public, &SignatureAlgorithm::Rs256, &[0; 32]).is_err());
        let back = RsaPrivateKey::try_from(&jwk).unwrap();
        assert_eq!(JsonWebKey::from(&back).n, jwk.n);
    }

    #[test]
    fn ec_keys_convert_and_sign() {
        let secret = p384::SecretKey::random(&mut OsRng);
        let jwk = JsonWebKey::from(&secret);
        assert_eq!(jwk.x.as_ref().unwrap().len(), 48);
        let digest = crate::crypto::digest_of(&SignatureAlgorithm::Es384, b"m").unwrap();
        let sig = sign(&jwk, &SignatureAlgorithm::Es384, &digest).unwrap();
        assert_eq!(sig.len(), 96);
        assert!(verify(&jwk.public_key(), &SignatureAlgorithm::Es384, &digest, &sig).unwrap());
        // Wrong curve for the algorithm, wrong digest length.
        assert!(verify(&jwk, &SignatureAlgorithm::Es256, &[0; 32], &sig).is_err());
        assert!(verify(&jwk, &SignatureAlgorithm::Es384, &[0; 32], &sig).is_err());
        // A public point that does not match the scalar.
        let mut mismatched = jwk.clone();
        mismatched.x = JsonWebKey::from(&p384::SecretKey::random(&mut OsRng)).x;
        assert!(p384::SecretKey::try_from(&mismatched).is_err());
    }

    #[test]
    fn aes_cbc_and_key_wrap() {
        let jwk = JsonWebKey {
            kty: Some(KeyType::Oct),
            k: Some(Sensitive::new(vec![3; 16])),
            ..Default::default()
        };
        let (ct, iv) = encrypt(&jwk, &EncryptionAlgorithm::A128Cbcpad, b"hello", None).unwrap();
        assert_eq!(
            decrypt(&jwk, &EncryptionAlgorithm::A128Cbcpad, &ct, iv.as_deref()).unwrap(),
            b"hello"
        );
        assert!(encrypt(&jwk, &EncryptionAlgorithm::A128Gcm, b"x", None).is_err());
        assert!(encrypt(&jwk, &EncryptionAlgorithm::A256Cbcpad, b"x", None).is_err());
        assert!(encrypt(
            &jwk,
            &EncryptionAlgorithm::A128Cbc,
            b"not-16",
            Some(&[0; 16])
        )
        .is_err());
        let wrapped = wrap(&jwk, &KeyWrapAlgorithm::A128Kw, &[9; 32]).unwrap();
        assert_eq!(
            unwrap(&jwk, &KeyWrapAlgorithm::A128Kw, &wrapped).unwrap(),
            vec![9; 32]
        );
        let mut bad = wrapped;
        bad[0] ^= 1;
        assert!(unwrap(&jwk, &KeyWrapAlgorithm::A128Kw, &bad).is_err());
    }
}
