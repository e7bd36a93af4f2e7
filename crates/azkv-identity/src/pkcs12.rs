//! Reading PKCS#12 (`.pfx`/`.p12`) files without OpenSSL: the private key (PKCS#8) and the
//! certificates, decrypted with the password and checked against the file's MAC.
//!
//! Supported protection: PBES2 (PBKDF2 with HMAC-SHA1/SHA-256/SHA-384/SHA-512, AES-128/192/256-CBC
//! or 3DES-CBC), the legacy PKCS#12 schemes `pbeWithSHAAnd3-KeyTripleDES-CBC` and
//! `pbeWithSHAAnd40BitRC2-CBC`/`128BitRC2-CBC`, and MACs over SHA-1 or SHA-2.

use crate::der::{bad, octet_content, Der, CONTEXT_0, OID, SEQUENCE, SET};
use azkv_core::{Error, ErrorKind, Result};
use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut, InnerIvInit, KeyIvInit};
use ring::{digest, hmac, pbkdf2};
use std::num::NonZeroU32;

// Object identifiers, DER content bytes.
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
const OID_KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01,
];
const OID_SHROUDED_KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
];
const OID_CERT_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03,
];
const OID_X509_CERT: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
const OID_LOCAL_KEY_ID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15];
const OID_PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
const OID_PBKDF2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
const OID_HMAC_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07];
const OID_HMAC_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];
const OID_HMAC_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0a];
const OID_HMAC_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0b];
const OID_AES128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
const OID_AES192_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16];
const OID_AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
const OID_DES_EDE3_CBC: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
const OID_PBE_SHA1_3DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
const OID_PBE_SHA1_RC2_128: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x05];
const OID_PBE_SHA1_RC2_40: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06];
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];

/// What a PKCS#12 file held.
pub(crate) struct Contents {
    /// The private key, PKCS#8 DER.
    pub(crate) key: Vec<u8>,
    /// Certificates, DER; the key's own certificate first.
    pub(crate) certificates: Vec<Vec<u8>>,
}

fn wrong_password() -> Error {
    Error::invalid_input("certificate password", "does not open this PKCS#12 file")
}

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("invalid certificate: unsupported PKCS#12 {what}"),
    )
}

/// The password as PKCS#12's KDF wants it: UTF-16BE with a terminating zero. (An empty
/// password is the terminator alone; some tools use no bytes at all, see [`parse`].)
fn bmp_password(password: &str) -> Vec<u8> {
    let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.extend_from_slice(&[0, 0]);
    out
}

/// A password in both encodings the schemes use.
struct Password<'a> {
    utf8: &'a str,
    bmp: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest_alg(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }

    fn hmac_alg(self) -> hmac::Algorithm {
        match self {
            Hash::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => hmac::HMAC_SHA256,
            Hash::Sha384 => hmac::HMAC_SHA384,
            Hash::Sha512 => hmac::HMAC_SHA512,
        }
    }

    fn pbkdf2_alg(self) -> pbkdf2::Algorithm {
        match self {
            Hash::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            Hash::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
            Hash::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
            Hash::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        }
    }

    /// Block size `v` of RFC 7292's KDF.
    fn block(self) -> usize {
        match self {
            Hash::Sha1 | Hash::Sha256 => 64,
            Hash::Sha384 | Hash::Sha512 => 128,
        }
    }
}

/// RFC 7292 appendix B.2: derives `len` bytes of purpose `id` (1 key, 2 IV, 3 MAC key).
fn pkcs12_kdf(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    iterations: u64,
    id: u8,
    len: usize,
) -> Vec<u8> {
    let v = hash.block();
    let fill = |data: &[u8]| -> Vec<u8> {
        if data.is_empty() {
            return Vec::new();
        }
        let n = v * data.len().div_ceil(v);
        data.iter().cycle().take(n).copied().collect()
    };
    let mut i: Vec<u8> = fill(salt);
    i.extend(fill(password));
    let d = vec![id; v];
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut ctx = digest::Context::new(hash.digest_alg());
        ctx.update(&d);
        ctx.update(&i);
        let mut a = ctx.finish().as_ref().to_vec();
        for _ in 1..iterations.max(1) {
            a = digest::digest(hash.digest_alg(), &a).as_ref().to_vec();
        }
        out.extend_from_slice(&a);
        // I_j += B + 1 for each v-byte block of I, where B is A repeated to v bytes.
        let b: Vec<u8> = a.iter().cycle().take(v).copied().collect();
        for chunk in i.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

fn iterations(n: u64) -> Result<NonZeroU32> {
    u32::try_from(n)
        .ok()
        .and_then(NonZeroU32::new)
        .filter(|n| n.get() <= 10_000_000)
        .ok_or_else(|| bad("iteration count"))
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>>
where
    cbc::Decryptor<C>: KeyIvInit + BlockDecryptMut,
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher,
{
    let decryptor =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| bad("cipher parameters"))?;
    decryptor
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .map_err(|_| wrong_password())
}

fn hash_for_prf(oid: &[u8]) -> Result<Hash> {
    match oid {
        OID_HMAC_SHA1 => Ok(Hash::Sha1),
        OID_HMAC_SHA256 => Ok(Hash::Sha256),
        OID_HMAC_SHA384 => Ok(Hash::Sha384),
        OID_HMAC_SHA512 => Ok(Hash::Sha512),
        _ => Err(unsupported("key derivation hash")),
    }
}

/// Decrypts `data` protected by the algorithm identifier `algorithm` (its content bytes).
fn decrypt(algorithm: &[u8], data: &[u8], password: &Password<'_>) -> Result<Vec<u8>> {
    let mut alg = Der::new(algorithm);
    let oid = alg.expect(OID, "algorithm")?;
    let params = alg.expect(SEQUENCE, "algorithm parameters")?;
    match oid {
        OID_PBES2 => {
            let mut p = Der::new(params);
            let kdf = p.expect(SEQUENCE, "key derivation")?;
            let scheme = p.expect(SEQUENCE, "encryption scheme")?;
            let mut kdf = Der::new(kdf);
            if kdf.expect(OID, "key derivation")? != OID_PBKDF2 {
                return Err(unsupported("key derivation"));
            }
            let mut kp = Der::new(kdf.expect(SEQUENCE, "PBKDF2 parameters")?);
            let salt = kp.octets("salt")?;
            let rounds = iterations(kp.small_int("iterations")?)?;
            let mut hash = Hash::Sha1;
            while !kp.is_empty() {
                let (tag, content) = kp.read()?;
                if tag == SEQUENCE {
                    hash = hash_for_prf(Der::new(content).expect(OID, "prf")?)?;
                }
            }
            let mut scheme = Der::new(scheme);
            let cipher = scheme.expect(OID, "cipher")?;
            let iv = scheme.octets("iv")?;
            let key_len = match cipher {
                OID_AES128_CBC => 16,
                OID_AES192_CBC => 24,
                OID_AES256_CBC => 32,
                OID_DES_EDE3_CBC => 24,
                _ => return Err(unsupported("cipher")),
            };
            let mut key = vec![0u8; key_len];
            pbkdf2::derive(
                hash.pbkdf2_alg(),
                rounds,
                &salt,
                password.utf8.as_bytes(),
                &mut key,
            );
            match cipher {
                OID_AES128_CBC => cbc_decrypt::<aes::Aes128>(&key, &iv, data),
                OID_AES192_CBC => cbc_decrypt::<aes::Aes192>(&key, &iv, data),
                OID_AES256_CBC => cbc_decrypt::<aes::Aes256>(&key, &iv, data),
                _ => cbc_decrypt::<des::TdesEde3>(&key, &iv, data),
            }
        }
        OID_PBE_SHA1_3DES | OID_PBE_SHA1_RC2_40 | OID_PBE_SHA1_RC2_128 => {
            let mut p = Der::new(params);
            let salt = p.octets("salt")?;
            let rounds = p.small_int("iterations")?;
            iterations(rounds)?;
            let pw = &password.bmp;
            let key_len = match oid {
                OID_PBE_SHA1_3DES => 24,
                OID_PBE_SHA1_RC2_40 => 5,
                _ => 16,
            };
            let key = pkcs12_kdf(Hash::Sha1, pw, &salt, rounds, 1, key_len);
            let iv = pkcs12_kdf(Hash::Sha1, pw, &salt, rounds, 2, 8);
            if oid == OID_PBE_SHA1_3DES {
                cbc_decrypt::<des::TdesEde3>(&key, &iv, data)
            } else {
                let cipher = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
                let decryptor = cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                    .map_err(|_| bad("cipher parameters"))?;
                decryptor
                    .decrypt_padded_vec_mut::<Pkcs7>(data)
                    .map_err(|_| wrong_password())
            }
        }
        _ => Err(unsupported("encryption")),
    }
}

/// Checks the file's MAC over `auth_safe` with `password`.
fn check_mac(mac_data: &[u8], auth_safe: &[u8], bmp: &[u8]) -> Result<()> {
    let mut m = Der::new(mac_data);
    let mut digest_info = Der::new(m.expect(SEQUENCE, "MAC")?);
    let mut alg = Der::new(digest_info.expect(SEQUENCE, "MAC algorithm")?);
    let hash = match alg.expect(OID, "MAC algorithm")? {
        OID_SHA1 => Hash::Sha1,
        OID_SHA256 => Hash::Sha256,
        OID_SHA384 => Hash::Sha384,
        OID_SHA512 => Hash::Sha512,
        _ => return Err(unsupported("MAC")),
    };
    let expected = digest_info.octets("MAC value")?;
    let salt = m.octets("MAC salt")?;
    let rounds = if m.is_empty() {
        1
    } else {
        m.small_int("MAC iterations")?
    };
    iterations(rounds)?;
    let key_len = hash.digest_alg().output_len();
    let key = pkcs12_kdf(hash, bmp, &salt, rounds, 3, key_len);
    let key = hmac::Key::new(hash.hmac_alg(), &key);
    hmac::verify(&key, auth_safe, &expected).map_err(|_| wrong_password())
}

struct Bag {
    local_key_id: Option<Vec<u8>>,
    key: Option<Vec<u8>>,
    certificate: Option<Vec<u8>>,
}

fn read_bags(safe_contents: &[u8], password: &Password<'_>, bags: &mut Vec<Bag>) -> Result<()> {
    let mut outer = Der::new(safe_contents);
    let mut list = Der::new(outer.expect(SEQUENCE, "safe contents")?);
    while !list.is_empty() {
        let mut bag = Der::new(list.expect(SEQUENCE, "bag")?);
        let bag_id = bag.expect(OID, "bag type")?;
        let value = bag.expect(CONTEXT_0, "bag value")?;
        let mut local_key_id = None;
        if bag.peek_tag() == Some(SET) {
            let mut attributes = Der::new(bag.expect(SET, "bag attributes")?);
            while !attributes.is_empty() {
                let mut attribute = Der::new(attributes.expect(SEQUENCE, "attribute")?);
                let oid = attribute.expect(OID, "attribute type")?;
                let mut values = Der::new(attribute.expect(SET, "attribute values")?);
                if oid == OID_LOCAL_KEY_ID {
                    local_key_id = Some(values.octets("local key id")?);
                }
            }
        }
        let mut value = Der::new(value);
        match bag_id {
            OID_KEY_BAG => {
                let (tag, content) = value.read()?;
                if tag != SEQUENCE {
                    return Err(bad("key bag"));
                }
                bags.push(Bag {
                    local_key_id,
                    key: Some(crate::der::encode(SEQUENCE, content)),
                    certificate: None,
                });
            }
            OID_SHROUDED_KEY_BAG => {
                let mut info = Der::new(value.expect(SEQUENCE, "encrypted key")?);
                let algorithm = info.expect(SEQUENCE, "key encryption")?;
                let encrypted = info.octets("encrypted key")?;
                let key = decrypt(algorithm, &encrypted, password)?;
                bags.push(Bag {
                    local_key_id,
                    key: Some(key),
                    certificate: None,
                });
            }
            OID_CERT_BAG => {
                let mut cert_bag = Der::new(value.expect(SEQUENCE, "certificate bag")?);
                if cert_bag.expect(OID, "certificate type")? == OID_X509_CERT {
                    let mut holder = Der::new(cert_bag.expect(CONTEXT_0, "certificate")?);
                    bags.push(Bag {
                        local_key_id,
                        key: None,
                        certificate: Some(holder.octets("certificate")?),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads a PKCS#12 file.
pub(crate) fn parse(pfx: &[u8], password: &str) -> Result<Contents> {
    let mut top = Der::new(pfx);
    let mut pfx = Der::new(top.expect(SEQUENCE, "PKCS#12 file")?);
    if pfx.small_int("version")? != 3 {
        return Err(unsupported("version"));
    }
    let mut auth_safe = Der::new(pfx.expect(SEQUENCE, "content")?);
    if auth_safe.expect(OID, "content type")? != OID_DATA {
        return Err(unsupported("public-key integrity mode"));
    }
    let mut holder = Der::new(auth_safe.expect(CONTEXT_0, "content")?);
    let auth_safe_bytes = holder.octets("content")?;
    let mut password = Password {
        utf8: password,
        bmp: bmp_password(password),
    };
    if !pfx.is_empty() {
        let mac = pfx.expect(SEQUENCE, "MAC")?;
        if let Err(err) = check_mac(mac, &auth_safe_bytes, &password.bmp) {
            // An empty password may also have been encoded as no bytes at all.
            if !password.utf8.is_empty() || check_mac(mac, &auth_safe_bytes, &[]).is_err() {
                return Err(err);
            }
            password.bmp = Vec::new();
        }
    }
    let mut bags = Vec::new();
    let mut infos = Der::new(&auth_safe_bytes);
    let mut list = Der::new(infos.expect(SEQUENCE, "authenticated safe")?);
    while !list.is_empty() {
        let mut info = Der::new(list.expect(SEQUENCE, "content info")?);
        let kind = info.expect(OID, "content type")?;
        let mut content = Der::new(info.expect(CONTEXT_0, "content")?);
        match kind {
            OID_DATA => read_bags(&content.octets("safe contents")?, &password, &mut bags)?,
            OID_ENCRYPTED_DATA => {
                let mut data = Der::new(content.expect(SEQUENCE, "encrypted data")?);
                data.small_int("version")?;
                let mut enc = Der::new(data.expect(SEQUENCE, "encrypted content")?);
                enc.expect(OID, "content type")?;
                let algorithm = enc.expect(SEQUENCE, "content encryption")?;
                let (tag, encrypted) = enc.read()?;
                if tag & 0x1f != 0 || tag & 0xc0 != 0x80 {
                    return Err(bad("encrypted content"));
                }
                let encrypted = octet_content(tag, encrypted, "encrypted content")?;
                read_bags(
                    &decrypt(algorithm, &encrypted, &password)?,
                    &password,
                    &mut bags,
                )?;
            }
            _ => return Err(unsupported("content type")),
        }
    }
    let key_bag = bags.iter().find(|b| b.key.is_some()).ok_or_else(|| {
        Error::invalid_input("certificate", "the PKCS#12 file holds no private key")
    })?;
    let key = key_bag.key.clone().unwrap_or_default();
    let key_id = key_bag.local_key_id.clone();
    let mut certificates: Vec<(bool, Vec<u8>)> = bags
        .iter()
        .filter_map(|b| {
            b.certificate
                .clone()
                .map(|c| (key_id.is_some() && b.local_key_id == key_id, c))
        })
        .collect();
    if certificates.is_empty() {
        return Err(Error::invalid_input(
            "certificate",
            "the PKCS#12 file holds no certificate",
        ));
    }
    // The key's own certificate first.
    certificates.sort_by_key(|(own, _)| !*own);
    Ok(Contents {
        key,
        certificates: certificates.into_iter().map(|(_, c)| c).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_matches_a_known_vector() {
        // RFC 7292 style check computed with OpenSSL's PKCS12_key_gen_uni (SHA-1, password
        // "smeg", salt 0x0a58cf64530d823f, 1 iteration, id 1, 24 bytes).
        let pw = bmp_password("smeg");
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let key = pkcs12_kdf(Hash::Sha1, &pw, &salt, 1, 1, 24);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for data in [
            &b""[..],
            b"\x30\x03\x02\x01\x03",
            b"\x30\x80",
            b"not der at all",
        ] {
            assert!(parse(data, "pw").is_err());
        }
    }
}
