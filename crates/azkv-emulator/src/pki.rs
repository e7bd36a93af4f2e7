//! Just enough DER for certificates: reading X.509 certificates (validity, public key),
//! private keys as PKCS#8, PEM, and PKCS#12 files (reading: unencrypted, PBES2 with
//! PBKDF2 and AES or 3DES, and the legacy SHA-1/3DES scheme; writing: unencrypted bags with a
//! SHA-256 MAC, as a vault hands out a certificate's secret).

use crate::crypto::{Curve, KeyMaterial};
use crate::error::{ApiError, ApiResult};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use base64::Engine;
use hmac::Mac;
use sha1::Digest;

// Tags.
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const CONTEXT_0: u8 = 0xa0;

// Object identifiers, as DER content bytes.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_K256: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
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
const OID_PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
const OID_PBKDF2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
const OID_PBE_SHA1_3DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
const OID_HMAC_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07];
const OID_HMAC_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];
const OID_HMAC_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0a];
const OID_HMAC_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0b];
const OID_AES128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
const OID_AES192_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16];
const OID_AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
const OID_DES_EDE3_CBC: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];

fn corrupt(what: &str) -> ApiError {
    ApiError::bad_parameter(format!("The {what} is not valid DER."))
}

/// A cursor over DER elements.
struct Der<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Der<'a> {
    fn new(data: &'a [u8], what: &'static str) -> Self {
        Self { rest: data, what }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element: its tag, its content, and the whole element.
    fn next_element(&mut self) -> ApiResult<(u8, &'a [u8], &'a [u8])> {
        let err = || corrupt(self.what);
        let (&tag, after) = self.rest.split_first().ok_or_else(err)?;
        let (&first, after) = after.split_first().ok_or_else(err)?;
        let (len, after) = if first < 0x80 {
            (first as usize, after)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || after.len() < n {
                return Err(err());
            }
            let len = after[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, &after[n..])
        };
        if after.len() < len {
            return Err(err());
        }
        let header = self.rest.len() - after.len();
        let whole = &self.rest[..header + len];
        let content = &after[..len];
        self.rest = &after[len..];
        Ok((tag, content, whole))
    }

    fn expect(&mut self, tag: u8) -> ApiResult<&'a [u8]> {
        let (t, content, _) = self.next_element()?;
        if t == tag {
            Ok(content)
        } else {
            Err(corrupt(self.what))
        }
    }

    fn sequence(&mut self) -> ApiResult<Der<'a>> {
        let what = self.what;
        self.expect(SEQUENCE).map(|c| Der::new(c, what))
    }

    fn integer_bytes(&mut self) -> ApiResult<&'a [u8]> {
        let v = self.expect(INTEGER)?;
        Ok(match v {
            [0, rest @ ..] if !rest.is_empty() => rest,
            other => other,
        })
    }

    fn small_integer(&mut self) -> ApiResult<u64> {
        let bytes = self.integer_bytes()?;
        if bytes.len() > 8 {
            return Err(corrupt(self.what));
        }
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
}

fn length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        vec![len as u8]
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        let mut out = vec![0x80 | bytes.len() as u8];
        out.extend(bytes);
        out
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(length(content.len()));
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let start = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        &bytes[start.min(bytes.len())..]
    };
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    tlv(INTEGER, &content)
}

fn unb64(value: &str) -> Vec<u8> {
    B64.decode(value).unwrap_or_default()
}

fn curve_oid(crv: Curve) -> &'static [u8] {
    match crv {
        Curve::P256 => OID_P256,
        Curve::P384 => OID_P384,
        Curve::P521 => OID_P521,
        Curve::P256K => OID_K256,
    }
}

/// The key as PKCS#8 `PrivateKeyInfo` DER.
pub fn pkcs8_der(key: &KeyMaterial) -> ApiResult<Vec<u8>> {
    match key {
        KeyMaterial::Rsa { n, e, d, p, q } => {
            let private = rsa::RsaPrivateKey::from_components(
                rsa::BigUint::from_bytes_be(&unb64(n)),
                rsa::BigUint::from_bytes_be(&unb64(e)),
                rsa::BigUint::from_bytes_be(&unb64(d)),
                vec![
                    rsa::BigUint::from_bytes_be(&unb64(p)),
                    rsa::BigUint::from_bytes_be(&unb64(q)),
                ],
            )
            .map_err(|_| ApiError::bad_parameter("The RSA key is not consistent."))?;
            use rsa::traits::PrivateKeyParts;
            let one = rsa::BigUint::from(1u8);
            let (pp, qq) = (unb64(p), unb64(q));
            let pb = rsa::BigUint::from_bytes_be(&pp);
            let qb = rsa::BigUint::from_bytes_be(&qq);
            let db = private.d().clone();
            let dp = (&db % (&pb - &one)).to_bytes_be();
            let dq = (&db % (&qb - &one)).to_bytes_be();
            let qi = private
                .crt_coefficient()
                .map(|c| c.to_bytes_be())
                .unwrap_or_default();
            let rsa_key = seq(&[
                &uint(&[0]),
                &uint(&unb64(n)),
                &uint(&unb64(e)),
                &uint(&unb64(d)),
                &uint(&pp),
                &uint(&qq),
                &uint(&dp),
                &uint(&dq),
                &uint(&qi),
            ]);
            Ok(seq(&[
                &uint(&[0]),
                &seq(&[&tlv(OID, OID_RSA), &tlv(NULL, &[])]),
                &tlv(OCTET_STRING, &rsa_key),
            ]))
        }
        KeyMaterial::Ec { crv, x, y, d } => {
            let mut point = vec![4u8];
            point.extend(unb64(x));
            point.extend(unb64(y));
            let mut bits = vec![0u8];
            bits.extend(point);
            let ec_key = seq(&[
                &uint(&[1]),
                &tlv(OCTET_STRING, &unb64(d)),
                &tlv(0xa1, &tlv(BIT_STRING, &bits)),
            ]);
            Ok(seq(&[
                &uint(&[0]),
                &seq(&[&tlv(OID, OID_EC), &tlv(OID, curve_oid(*crv))]),
                &tlv(OCTET_STRING, &ec_key),
            ]))
        }
        KeyMaterial::Oct { .. } => Err(ApiError::bad_parameter(
            "A symmetric key cannot back a certificate.",
        )),
    }
}

/// Reads a PKCS#8 `PrivateKeyInfo` (RSA or EC), or a bare PKCS#1 RSA / SEC1 EC key.
pub fn key_from_der(der: &[u8], hint: Option<&str>) -> ApiResult<KeyMaterial> {
    let what = "private key";
    match hint {
        Some("RSA PRIVATE KEY") => return rsa_from_pkcs1(der),
        Some("EC PRIVATE KEY") => return ec_from_sec1(der, None),
        _ => {}
    }
    let mut info = Der::new(der, what).sequence()?;
    info.small_integer()?;
    let mut alg = info.sequence()?;
    let oid = alg.expect(OID)?;
    let params = if alg.is_empty() {
        None
    } else {
        Some(alg.next_element()?)
    };
    let inner = info.expect(OCTET_STRING)?;
    if oid == OID_RSA {
        rsa_from_pkcs1(inner)
    } else if oid == OID_EC {
        let curve = match params {
            Some((OID, c, _)) => Some(c),
            _ => None,
        };
        ec_from_sec1(inner, curve)
    } else {
        Err(ApiError::bad_parameter(
            "The private key type is not supported; use RSA or EC.",
        ))
    }
}

fn rsa_from_pkcs1(der: &[u8]) -> ApiResult<KeyMaterial> {
    let mut k = Der::new(der, "RSA private key").sequence()?;
    k.small_integer()?;
    let n = k.integer_bytes()?;
    let e = k.integer_bytes()?;
    let d = k.integer_bytes()?;
    let p = k.integer_bytes()?;
    let q = k.integer_bytes()?;
    let jwk = serde_json::json!({
        "kty": "RSA", "n": B64.encode(n), "e": B64.encode(e), "d": B64.encode(d),
        "p": B64.encode(p), "q": B64.encode(q)
    });
    KeyMaterial::from_jwk(&jwk)
}

fn ec_from_sec1(der: &[u8], curve: Option<&[u8]>) -> ApiResult<KeyMaterial> {
    let mut k = Der::new(der, "EC private key").sequence()?;
    k.small_integer()?;
    let d = k.expect(OCTET_STRING)?;
    let mut curve = curve.map(<[u8]>::to_vec);
    while !k.is_empty() {
        let (tag, content, _) = k.next_element()?;
        if tag == CONTEXT_0 {
            if let Ok(oid) = Der::new(content, "EC parameters").expect(OID) {
                curve = Some(oid.to_vec());
            }
        }
    }
    let crv = match curve.as_deref() {
        Some(OID_P256) => "P-256",
        Some(OID_P384) => "P-384",
        Some(OID_P521) => "P-521",
        Some(OID_K256) => "P-256K",
        _ => {
            return Err(ApiError::bad_parameter(
                "The EC key's curve is missing or not supported.",
            ))
        }
    };
    KeyMaterial::from_jwk(&serde_json::json!({ "kty": "EC", "crv": crv, "d": B64.encode(d) }))
}

/// What the emulator needs from a certificate.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// The RSA modulus or EC point of the subject public key.
    pub public_key: Vec<u8>,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_time(tag: u8, text: &[u8]) -> ApiResult<i64> {
    let s = std::str::from_utf8(text).map_err(|_| corrupt("certificate"))?;
    let digits = s.trim_end_matches('Z');
    let num = |a: usize, b: usize| -> ApiResult<i64> {
        digits
            .get(a..b)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| corrupt("certificate"))
    };
    let (year, off) = match tag {
        UTC_TIME => {
            let yy = num(0, 2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        _ => (num(0, 4)?, 4),
    };
    let days = days_from_civil(year, num(off, off + 2)?, num(off + 2, off + 4)?);
    Ok(days * 86_400
        + num(off + 4, off + 6)? * 3_600
        + num(off + 6, off + 8)? * 60
        + num(off + 8, off + 10)?)
}

/// Reads an X.509 certificate's validity and public key.
pub fn cert_info(der: &[u8]) -> ApiResult<CertInfo> {
    let mut cert = Der::new(der, "certificate").sequence()?;
    let mut tbs = cert.sequence()?;
    if tbs.peek_tag() == Some(CONTEXT_0) {
        tbs.next_element()?;
    }
    tbs.expect(INTEGER)?; // serial
    tbs.sequence()?; // signature algorithm
    tbs.sequence()?; // issuer
    let mut validity = tbs.sequence()?;
    let (t1, nb, _) = validity.next_element()?;
    let (t2, na, _) = validity.next_element()?;
    if !matches!(t1, UTC_TIME | GENERALIZED_TIME) || !matches!(t2, UTC_TIME | GENERALIZED_TIME) {
        return Err(corrupt("certificate"));
    }
    tbs.sequence()?; // subject
    let mut spki = tbs.sequence()?;
    let mut alg = spki.sequence()?;
    let oid = alg.expect(OID)?;
    let bits = spki.expect(BIT_STRING)?;
    let key = bits.get(1..).ok_or_else(|| corrupt("certificate"))?;
    let public_key = if oid == OID_RSA {
        let mut k = Der::new(key, "certificate").sequence()?;
        k.integer_bytes()?.to_vec()
    } else {
        key.to_vec()
    };
    Ok(CertInfo {
        not_before: parse_time(t1, nb)?,
        not_after: parse_time(t2, na)?,
        public_key,
    })
}

/// The public key of `key` in the form [`cert_info`] reports it.
pub fn public_key_of(key: &KeyMaterial) -> Vec<u8> {
    match key {
        KeyMaterial::Rsa { n, .. } => unb64(n),
        KeyMaterial::Ec { x, y, .. } => {
            let mut point = vec![4u8];
            point.extend(unb64(x));
            point.extend(unb64(y));
            point
        }
        KeyMaterial::Oct { .. } => Vec::new(),
    }
}

/// `x5t`: base64url SHA-1 of the certificate.
pub fn thumbprint(der: &[u8]) -> String {
    B64.encode(sha1::Sha1::digest(der))
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A PEM file: the private key (PKCS#8) then the certificates.
pub fn write_pem(key: &KeyMaterial, certs: &[Vec<u8>]) -> ApiResult<String> {
    let mut out = pem_block("PRIVATE KEY", &pkcs8_der(key)?);
    for cert in certs {
        out.push_str(&pem_block("CERTIFICATE", cert));
    }
    Ok(out)
}

/// Reads a PEM file with a private key and certificates.
pub fn read_pem(text: &str) -> ApiResult<(KeyMaterial, Vec<Vec<u8>>)> {
    let mut key = None;
    let mut certs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end = after.find("-----").ok_or_else(|| corrupt("PEM file"))?;
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let body_start = label_end + 5;
        let end = after.find(&end_marker).ok_or_else(|| corrupt("PEM file"))?;
        let body: String = after
            .get(body_start..end)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = STANDARD
            .decode(body)
            .map_err(|_| ApiError::bad_parameter("The PEM file has a block that is not base64."))?;
        match label {
            "CERTIFICATE" => certs.push(der),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                key = Some(key_from_der(&der, Some(label))?)
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(ApiError::bad_parameter(
                    "Encrypted PEM private keys are not supported; import a PKCS#12 file with a password.",
                ))
            }
            _ => {}
        }
        rest = &after[end + end_marker.len()..];
    }
    let key = key.ok_or_else(|| ApiError::bad_parameter("The PEM file has no private key."))?;
    if certs.is_empty() {
        return Err(ApiError::bad_parameter("The PEM file has no certificate."));
    }
    Ok((key, certs))
}

/// The PKCS#12 key-derivation function (RFC 7292 appendix B) with hash `D` (block `v`).
fn pkcs12_kdf<D: Digest>(
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u64,
    len: usize,
    v: usize,
) -> Vec<u8> {
    let u = <D as Digest>::output_size();
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let n = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(n).collect()
    };
    let mut i: Vec<u8> = fill(salt);
    i.extend(fill(password));
    let d = vec![id; v];
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut a = D::new()
            .chain_update(&d)
            .chain_update(&i)
            .finalize()
            .to_vec();
        for _ in 1..iterations {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a[..u.min(len - out.len())]);
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out
}

/// A password as PKCS#12 wants it for its KDF: BMPString with a terminating zero.
fn bmp(password: &str) -> Vec<u8> {
    let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.extend([0, 0]);
    out
}

fn bad_pfx() -> ApiError {
    ApiError::bad_parameter(
        "The specified PKCS#12 content cannot be read: it is corrupt, or the password is wrong.",
    )
}

fn mac_matches(content: &[u8], password: &str, mac_data: &[u8]) -> ApiResult<bool> {
    let mut m = Der::new(mac_data, "PKCS#12 MAC").sequence()?;
    let mut digest_info = m.sequence()?;
    let mut alg = digest_info.sequence()?;
    let oid = alg.expect(OID)?;
    let expected = digest_info.expect(OCTET_STRING)?;
    let salt = m.expect(OCTET_STRING)?;
    let iterations = if m.is_empty() { 1 } else { m.small_integer()? };
    if iterations == 0 || iterations > 10_000_000 {
        return Err(bad_pfx());
    }
    // OpenSSL tries both an empty BMP password and none when the password is empty.
    let candidates: Vec<Vec<u8>> = if password.is_empty() {
        vec![bmp(""), Vec::new()]
    } else {
        vec![bmp(password)]
    };
    macro_rules! check {
        ($hash:ty, $v:expr) => {{
            candidates.iter().any(|pw| {
                let key = pkcs12_kdf::<$hash>(
                    pw,
                    salt,
                    3,
                    iterations,
                    <$hash as Digest>::output_size(),
                    $v,
                );
                let mut mac = match <hmac::Hmac<$hash> as Mac>::new_from_slice(&key) {
                    Ok(mac) => mac,
                    Err(_) => return false,
                };
                mac.update(content);
                mac.verify_slice(expected).is_ok()
            })
        }};
    }
    Ok(match oid {
        OID_SHA1 => check!(sha1::Sha1, 64),
        OID_SHA256 => check!(sha2::Sha256, 64),
        OID_SHA384 => check!(sha2::Sha384, 128),
        OID_SHA512 => check!(sha2::Sha512, 128),
        _ => {
            return Err(ApiError::bad_parameter(
                "The PKCS#12 MAC algorithm is not supported.",
            ))
        }
    })
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> ApiResult<Vec<u8>>
where
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher + cbc::cipher::KeyInit,
{
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, KeyIvInit};
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| bad_pfx())?
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .map_err(|_| bad_pfx())
}

/// Decrypts PKCS#12 content encrypted with algorithm `alg` (an AlgorithmIdentifier's content).
fn decrypt(alg: &[u8], data: &[u8], password: &str) -> ApiResult<Vec<u8>> {
    let mut alg = Der::new(alg, "PKCS#12 encryption");
    let oid = alg.expect(OID)?;
    if oid == OID_PBE_SHA1_3DES {
        let mut params = alg.sequence()?;
        let salt = params.expect(OCTET_STRING)?;
        let iterations = params.small_integer()?;
        if iterations == 0 || iterations > 10_000_000 {
            return Err(bad_pfx());
        }
        let pw = bmp(password);
        let key = pkcs12_kdf::<sha1::Sha1>(&pw, salt, 1, iterations, 24, 64);
        let iv = pkcs12_kdf::<sha1::Sha1>(&pw, salt, 2, iterations, 8, 64);
        return cbc_decrypt::<des::TdesEde3>(&key, &iv, data);
    }
    if oid != OID_PBES2 {
        return Err(ApiError::bad_parameter(
            "The PKCS#12 file uses an encryption scheme this emulator does not read (use AES, as current tools do).",
        ));
    }
    let mut params = alg.sequence()?;
    let mut kdf = params.sequence()?;
    if kdf.expect(OID)? != OID_PBKDF2 {
        return Err(ApiError::bad_parameter(
            "Only PBKDF2 is supported in PBES2.",
        ));
    }
    let mut kdf_params = kdf.sequence()?;
    let salt = kdf_params.expect(OCTET_STRING)?;
    let iterations = kdf_params.small_integer()?;
    if iterations == 0 || iterations > 10_000_000 {
        return Err(bad_pfx());
    }
    let mut prf = OID_HMAC_SHA1;
    while !kdf_params.is_empty() {
        let (tag, content, _) = kdf_params.next_element()?;
        if tag == SEQUENCE {
            prf = Der::new(content, "PBKDF2 PRF").expect(OID)?;
        }
    }
    let mut scheme = params.sequence()?;
    let cipher = scheme.expect(OID)?;
    let iv = scheme.expect(OCTET_STRING)?;
    let key_len = match cipher {
        OID_AES128_CBC => 16,
        OID_AES192_CBC => 24,
        OID_AES256_CBC | OID_DES_EDE3_CBC => {
            if cipher == OID_DES_EDE3_CBC {
                24
            } else {
                32
            }
        }
        _ => {
            return Err(ApiError::bad_parameter(
                "The PBES2 cipher is not supported.",
            ))
        }
    };
    let mut key = vec![0u8; key_len];
    let pw = password.as_bytes();
    let rounds = iterations as u32;
    match prf {
        OID_HMAC_SHA1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, salt, rounds, &mut key),
        OID_HMAC_SHA256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, salt, rounds, &mut key),
        OID_HMAC_SHA384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(pw, salt, rounds, &mut key),
        OID_HMAC_SHA512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(pw, salt, rounds, &mut key),
        _ => return Err(ApiError::bad_parameter("The PBKDF2 PRF is not supported.")),
    }
    match cipher {
        OID_AES128_CBC => cbc_decrypt::<aes::Aes128>(&key, iv, data),
        OID_AES192_CBC => cbc_decrypt::<aes::Aes192>(&key, iv, data),
        OID_AES256_CBC => cbc_decrypt::<aes::Aes256>(&key, iv, data),
        _ => cbc_decrypt::<des::TdesEde3>(&key, iv, data),
    }
}

fn read_bags(
    safe_contents: &[u8],
    password: &str,
    key: &mut Option<KeyMaterial>,
    certs: &mut Vec<Vec<u8>>,
) -> ApiResult<()> {
    let mut bags = Der::new(safe_contents, "PKCS#12 bags").sequence()?;
    while !bags.is_empty() {
        let mut bag = bags.sequence()?;
        let oid = bag.expect(OID)?;
        let value = bag.expect(CONTEXT_0)?;
        if oid == OID_KEY_BAG {
            *key = Some(key_from_der(value, None)?);
        } else if oid == OID_SHROUDED_KEY_BAG {
            let mut info = Der::new(value, "PKCS#12 key").sequence()?;
            let alg = info.expect(SEQUENCE)?;
            let data = info.expect(OCTET_STRING)?;
            let der = decrypt(alg, data, password)?;
            *key = Some(key_from_der(&der, None)?);
        } else if oid == OID_CERT_BAG {
            let mut cert_bag = Der::new(value, "PKCS#12 certificate").sequence()?;
            if cert_bag.expect(OID)? == OID_X509_CERT {
                let inner = cert_bag.expect(CONTEXT_0)?;
                certs.push(
                    Der::new(inner, "PKCS#12 certificate")
                        .expect(OCTET_STRING)?
                        .to_vec(),
                );
            }
        }
    }
    Ok(())
}

/// Reads a PKCS#12 file: its private key and certificates (leaf first, as stored).
pub fn read_pfx(bytes: &[u8], password: &str) -> ApiResult<(KeyMaterial, Vec<Vec<u8>>)> {
    let mut pfx = Der::new(bytes, "PKCS#12 file")
        .sequence()
        .map_err(|_| bad_pfx())?;
    if pfx.small_integer().map_err(|_| bad_pfx())? != 3 {
        return Err(bad_pfx());
    }
    let mut auth_safe = pfx.sequence().map_err(|_| bad_pfx())?;
    if auth_safe.expect(OID)? != OID_DATA {
        return Err(ApiError::bad_parameter(
            "Public-key protected PKCS#12 files are not supported.",
        ));
    }
    let wrapped = auth_safe.expect(CONTEXT_0)?;
    let content = Der::new(wrapped, "PKCS#12 file").expect(OCTET_STRING)?;
    if !pfx.is_empty() {
        let (_, _, mac_data) = pfx.next_element()?;
        if !mac_matches(content, password, mac_data)? {
            return Err(bad_pfx());
        }
    }
    let mut key = None;
    let mut certs = Vec::new();
    let mut infos = Der::new(content, "PKCS#12 file").sequence()?;
    while !infos.is_empty() {
        let mut info = infos.sequence()?;
        let oid = info.expect(OID)?;
        let inner = info.expect(CONTEXT_0)?;
        if oid == OID_DATA {
            let data = Der::new(inner, "PKCS#12 file").expect(OCTET_STRING)?;
            read_bags(data, password, &mut key, &mut certs)?;
        } else if oid == OID_ENCRYPTED_DATA {
            let mut encrypted = Der::new(inner, "PKCS#12 file").sequence()?;
            encrypted.small_integer()?;
            let mut eci = encrypted.sequence()?;
            eci.expect(OID)?;
            let alg = eci.expect(SEQUENCE)?;
            let (tag, data, _) = eci.next_element()?;
            let ciphertext = match tag {
                0x80 => data.to_vec(),
                0xa0 => {
                    let mut parts = Der::new(data, "PKCS#12 file");
                    let mut out = Vec::new();
                    while !parts.is_empty() {
                        out.extend_from_slice(parts.expect(OCTET_STRING)?);
                    }
                    out
                }
                _ => return Err(bad_pfx()),
            };
            let plain = decrypt(alg, &ciphertext, password)?;
            read_bags(&plain, password, &mut key, &mut certs)?;
        }
    }
    let key = key.ok_or_else(|| ApiError::bad_parameter("The PKCS#12 file has no private key."))?;
    if certs.is_empty() {
        return Err(ApiError::bad_parameter(
            "The PKCS#12 file has no certificate.",
        ));
    }
    Ok((key, certs))
}

/// Writes a PKCS#12 file without a password: the key and certificates in plain bags, with a
/// SHA-256 MAC keyed by the empty password.
pub fn write_pfx(key: &KeyMaterial, certs: &[Vec<u8>]) -> ApiResult<Vec<u8>> {
    let mut bags = vec![seq(&[
        &tlv(OID, OID_KEY_BAG),
        &tlv(CONTEXT_0, &pkcs8_der(key)?),
    ])];
    for cert in certs {
        let cert_bag = seq(&[
            &tlv(OID, OID_X509_CERT),
            &tlv(CONTEXT_0, &tlv(OCTET_STRING, cert)),
        ]);
        bags.push(seq(&[&tlv(OID, OID_CERT_BAG), &tlv(CONTEXT_0, &cert_bag)]));
    }
    let refs: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
    let safe_contents = seq(&refs);
    let data_info = seq(&[
        &tlv(OID, OID_DATA),
        &tlv(CONTEXT_0, &tlv(OCTET_STRING, &safe_contents)),
    ]);
    let auth_safe = seq(&[&data_info]);
    let mut salt = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
    let iterations = 2048u64;
    let mac_key = pkcs12_kdf::<sha2::Sha256>(&bmp(""), &salt, 3, iterations, 32, 64);
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&mac_key)
        .map_err(|_| ApiError::bad_parameter("MAC key"))?;
    mac.update(&auth_safe);
    let digest = mac.finalize().into_bytes();
    let mac_data = seq(&[
        &seq(&[
            &seq(&[&tlv(OID, OID_SHA256), &tlv(NULL, &[])]),
            &tlv(OCTET_STRING, &digest),
        ]),
        &tlv(OCTET_STRING, &salt),
        &uint(&iterations.to_be_bytes()),
    ]);
    Ok(seq(&[
        &uint(&[3]),
        &seq(&[
            &tlv(OID, OID_DATA),
            &tlv(CONTEXT_0, &tlv(OCTET_STRING, &auth_safe)),
        ]),
        &mac_data,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pfx_and_pem_round_trip() {
        let key = KeyMaterial::generate("EC", None, None, Some("P-256")).unwrap();
        let der = pkcs8_der(&key).unwrap();
        let again = key_from_der(&der, None).unwrap();
        assert_eq!(public_key_of(&again), public_key_of(&key));
        let fake_cert = vec![0x30, 0x00];
        let pfx = write_pfx(&key, std::slice::from_ref(&fake_cert)).unwrap();
        let (k, certs) = read_pfx(&pfx, "").unwrap();
        assert_eq!(public_key_of(&k), public_key_of(&key));
        assert_eq!(certs, vec![fake_cert.clone()]);
        assert!(
            read_pfx(&pfx, "wrong").is_err(),
            "a wrong password fails the MAC"
        );
        let mut corrupt = pfx.clone();
        let last = corrupt.len() - 40;
        corrupt[last] ^= 1;
        assert!(read_pfx(&corrupt, "").is_err());
        assert!(read_pfx(b"not der", "").is_err());
        let pem = write_pem(&key, &[fake_cert]).unwrap();
        let (k, certs) = read_pem(&pem).unwrap();
        assert_eq!(public_key_of(&k), public_key_of(&key));
        assert_eq!(certs.len(), 1);
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time(UTC_TIME, b"700101000000Z").unwrap(), 0);
        assert_eq!(
            parse_time(GENERALIZED_TIME, b"20000229000000Z").unwrap(),
            951_782_400
        );
        assert!(parse_time(UTC_TIME, b"7001").is_err());
    }
}
