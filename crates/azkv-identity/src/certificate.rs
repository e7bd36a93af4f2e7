//! [`ClientCertificate`] (a certificate and its private key, from PEM or PKCS#12, without
//! OpenSSL) and [`ClientCertificateCredential`], which proves the application's identity with a
//! JWT assertion signed by that key.
//!
//! The assertion's header carries `x5t#S256` (the SHA-256 thumbprint of the certificate) and,
//! with [`ClientCertificateCredentialOptions::send_certificate_chain`], `x5c` (the chain, for
//! subject name and issuer authentication). RSA keys sign with PS256, P-256 keys with ES256 and
//! P-384 keys with ES384.

use crate::authority::{
    check_tenant, client_credentials, token_pipeline, AuthorityHost, ClientProof,
};
use crate::der::{self, Der};
use crate::token_cache::TokenCache;
use async_trait::async_trait;
use azkv_core::{
    AccessToken, ClientOptions, Error, ErrorKind, Pipeline, Result, TokenCredential,
    TokenRequestOptions,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

enum SigningKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair, &'static str),
}

/// A certificate chain and the private key of its first certificate. `Debug` shows the
/// thumbprint only.
pub struct ClientCertificate {
    key: SigningKey,
    chain: Vec<Vec<u8>>,
    thumbprint: String,
    rng: SystemRandom,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.thumbprint)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

// OIDs (DER content) used to turn SEC1 EC keys into PKCS#8.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// Wraps a SEC1 `ECPrivateKey` into PKCS#8, reading the curve from its parameters.
fn sec1_to_pkcs8(sec1: &[u8]) -> Result<Vec<u8>> {
    let mut outer = Der::new(sec1);
    let mut key = Der::new(outer.expect(der::SEQUENCE, "EC key")?);
    key.small_int("EC key version")?;
    key.expect(der::OCTET_STRING, "EC key")?;
    let mut curve = None;
    while !key.is_empty() {
        let (tag, content) = key.read()?;
        if tag == der::CONTEXT_0 {
            curve = Some(Der::new(content).expect(der::OID, "EC curve")?.to_vec());
        }
    }
    let curve =
        curve.ok_or_else(|| Error::invalid_input("certificate", "EC key names no curve"))?;
    let mut algorithm = der::encode(der::OID, OID_EC_PUBLIC_KEY);
    algorithm.extend(der::encode(der::OID, &curve));
    let mut body = der::encode(der::INTEGER, &[0]);
    body.extend(der::encode(der::SEQUENCE, &algorithm));
    body.extend(der::encode(der::OCTET_STRING, sec1));
    Ok(der::encode(der::SEQUENCE, &body))
}

fn load_key(pkcs8: &[u8]) -> Result<SigningKey> {
    if let Ok(key) = RsaKeyPair::from_pkcs8(pkcs8) {
        return Ok(SigningKey::Rsa(key));
    }
    let rng = SystemRandom::new();
    if let Ok(key) =
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
    {
        return Ok(SigningKey::Ecdsa(key, "ES256"));
    }
    if let Ok(key) =
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8, &rng)
    {
        return Ok(SigningKey::Ecdsa(key, "ES384"));
    }
    Err(Error::invalid_input(
        "certificate",
        "the private key is not an RSA (2048 bits or more), P-256 or P-384 key",
    ))
}

impl ClientCertificate {
    fn new(key: SigningKey, chain: Vec<Vec<u8>>) -> Result<Self> {
        let leaf = chain
            .first()
            .ok_or_else(|| Error::invalid_input("certificate", "no certificate found"))?;
        let thumbprint = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, leaf));
        Ok(Self {
            key,
            chain,
            thumbprint,
            rng: SystemRandom::new(),
        })
    }

    /// Reads PEM text holding the certificate (first) and any chain certificates, and the
    /// private key (PKCS#8, PKCS#1 RSA or SEC1 EC), in any order.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming what is missing or unsupported.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let chain: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| Error::invalid_input("certificate", "unreadable PEM certificate"))?
            .into_iter()
            .map(|c| c.to_vec())
            .collect();
        let key = PrivateKeyDer::from_pem_slice(pem)
            .map_err(|_| Error::invalid_input("certificate", "the PEM holds no private key"))?;
        let key = match key {
            PrivateKeyDer::Pkcs8(k) => load_key(k.secret_pkcs8_der())?,
            PrivateKeyDer::Pkcs1(k) => SigningKey::Rsa(
                RsaKeyPair::from_der(k.secret_pkcs1_der())
                    .map_err(|_| Error::invalid_input("certificate", "unusable RSA private key"))?,
            ),
            PrivateKeyDer::Sec1(k) => load_key(&sec1_to_pkcs8(k.secret_sec1_der())?)?,
            _ => {
                return Err(Error::invalid_input(
                    "certificate",
                    "unsupported private key format",
                ))
            }
        };
        Self::new(key, chain)
    }

    /// Reads a PKCS#12 (`.pfx`) file's bytes, opened with `password` (empty for none).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a wrong password, a damaged file or an unsupported
    /// protection scheme.
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self> {
        let contents = crate::pkcs12::parse(data, password)?;
        Self::new(load_key(&contents.key)?, contents.certificates)
    }

    /// Reads a PEM or PKCS#12 file, telling them apart by content.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the file cannot be read or parsed.
    pub fn from_file(path: &Path, password: Option<&str>) -> Result<Self> {
        let data = std::fs::read(path).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidInput,
                format!("invalid certificate: cannot read {}", path.display()),
                e,
            )
        })?;
        if data.windows(11).any(|w| w == b"-----BEGIN ") {
            Self::from_pem(&data)
        } else {
            Self::from_pkcs12(&data, password.unwrap_or(""))
        }
    }

    /// The base64url SHA-256 thumbprint of the certificate (`x5t#S256`).
    pub fn thumbprint_sha256(&self) -> &str {
        &self.thumbprint
    }

    /// The certificate chain, DER, the key's certificate first.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// A signed client assertion for `client_id` at `audience` (the token endpoint).
    pub(crate) fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        send_chain: bool,
    ) -> Result<String> {
        let alg = match &self.key {
            SigningKey::Rsa(_) => "PS256",
            SigningKey::Ecdsa(_, alg) => alg,
        };
        let mut header =
            serde_json::json!({ "alg": alg, "typ": "JWT", "x5t#S256": self.thumbprint });
        if send_chain {
            header["x5c"] = self.chain.iter().map(|c| STANDARD.encode(c)).collect();
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut jti = [0u8; 16];
        self.rng.fill(&mut jti).map_err(|_| {
            Error::new(
                ErrorKind::Credential,
                "ClientCertificateCredential: no randomness",
            )
        })?;
        let claims = serde_json::json!({
            "aud": audience, "iss": client_id, "sub": client_id,
            "jti": URL_SAFE_NO_PAD.encode(jti), "nbf": now, "iat": now, "exp": now + 600,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let failed = || {
            Error::new(
                ErrorKind::Credential,
                "ClientCertificateCredential: signing failed",
            )
        };
        let sig = match &self.key {
            SigningKey::Rsa(key) => {
                let mut sig = vec![0u8; key.public().modulus_len()];
                key.sign(
                    &signature::RSA_PSS_SHA256,
                    &self.rng,
                    input.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| failed())?;
                sig
            }
            SigningKey::Ecdsa(key, _) => key
                .sign(&self.rng, input.as_bytes())
                .map_err(|_| failed())?
                .as_ref()
                .to_vec(),
        };
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }
}

/// Options of [`ClientCertificateCredential`].
#[derive(Clone, Debug, Default)]
pub struct ClientCertificateCredentialOptions {
    /// Where tokens come from. Default: the Azure public cloud.
    pub authority_host: AuthorityHost,
    /// Send the certificate chain (`x5c`) for subject name and issuer authentication.
    pub send_certificate_chain: bool,
    /// Tenants other than the credential's own that a service may ask tokens for; `"*"` any.
    pub additionally_allowed_tenants: Vec<String>,
    /// Retry, transport and logging of token requests.
    pub client_options: ClientOptions,
}

/// A service principal authenticating with a certificate.
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::{ClientCertificate, ClientCertificateCredential};
/// use std::path::Path;
///
/// # fn main() -> azkv_core::Result<()> {
/// let certificate = ClientCertificate::from_file(Path::new("app.pem"), None)?;
/// let credential = ClientCertificateCredential::new("<tenant>", "<client id>", certificate, None)?;
/// # Ok(()) }
/// ```
pub struct ClientCertificateCredential {
    tenant_id: String,
    client_id: String,
    certificate: ClientCertificate,
    options: ClientCertificateCredentialOptions,
    pipeline: Pipeline,
    cache: TokenCache,
}

impl fmt::Debug for ClientCertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificateCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

impl ClientCertificateCredential {
    /// A credential for `client_id` in `tenant_id` proving itself with `certificate`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an invalid tenant or an empty client id.
    pub fn new(
        tenant_id: &str,
        client_id: &str,
        certificate: ClientCertificate,
        options: Option<ClientCertificateCredentialOptions>,
    ) -> Result<Self> {
        check_tenant(tenant_id)?;
        if client_id.is_empty() {
            return Err(Error::invalid_input("client id", "must not be empty"));
        }
        let options = options.unwrap_or_default();
        Ok(Self {
            tenant_id: tenant_id.to_owned(),
            client_id: client_id.to_owned(),
            certificate,
            pipeline: token_pipeline(&options.client_options)?,
            options,
            cache: TokenCache::default(),
        })
    }
}

#[async_trait]
impl TokenCredential for ClientCertificateCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        if scopes.is_empty() {
            return Err(Error::invalid_input(
                "scopes",
                "at least one scope is needed",
            ));
        }
        let tenant = crate::authority::resolve_tenant(
            "ClientCertificateCredential",
            &self.tenant_id,
            options.tenant_id.as_deref(),
            &self.options.additionally_allowed_tenants,
        )?;
        self.cache
            .token(&tenant, scopes, options.bypasses_cache(), || async {
                let url = self.options.authority_host.token_endpoint(&tenant)?;
                let assertion = self.certificate.assertion(
                    &self.client_id,
                    url.as_str(),
                    self.options.send_certificate_chain,
                )?;
                client_credentials(
                    &self.pipeline,
                    &self.options.authority_host,
                    &tenant,
                    &self.client_id,
                    ClientProof::Assertion(&assertion),
                    scopes,
                    options.claims.as_deref(),
                    "ClientCertificateCredential",
                )
                .await
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(name),
        )
        .unwrap()
    }

    fn joined(a: &str, b: &str) -> Vec<u8> {
        let mut out = data(a);
        out.extend(data(b));
        out
    }

    #[test]
    fn every_fixture_format_loads_to_the_same_certificate() {
        let pem = ClientCertificate::from_pem(&joined("rsa-cert.pem", "rsa-key.pem")).unwrap();
        let pkcs1 =
            ClientCertificate::from_pem(&joined("rsa-key-pkcs1.pem", "rsa-cert.pem")).unwrap();
        let aes = ClientCertificate::from_pkcs12(&data("rsa-aes.pfx"), "fixture-password").unwrap();
        let legacy =
            ClientCertificate::from_pkcs12(&data("rsa-legacy.pfx"), "fixture-password").unwrap();
        let nopass = ClientCertificate::from_pkcs12(&data("rsa-nopass.pfx"), "").unwrap();
        for other in [&pkcs1, &aes, &legacy, &nopass] {
            assert_eq!(other.thumbprint_sha256(), pem.thumbprint_sha256());
        }
        let ec = ClientCertificate::from_pem(&joined("ec-cert.pem", "ec-key.pem")).unwrap();
        assert!(matches!(ec.key, SigningKey::Ecdsa(_, "ES256")));
    }

    #[test]
    fn wrong_password_and_missing_parts_are_invalid_input() {
        let err = ClientCertificate::from_pkcs12(&data("rsa-aes.pfx"), "wrong").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput);
        assert!(err.to_string().contains("password"));
        let err = ClientCertificate::from_pkcs12(&data("rsa-legacy.pfx"), "wrong").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput);
        assert!(ClientCertificate::from_pem(&data("rsa-cert.pem")).is_err());
        assert!(ClientCertificate::from_pem(&data("rsa-key.pem")).is_err());
        assert!(!format!(
            "{:?}",
            ClientCertificate::from_pem(&joined("rsa-cert.pem", "rsa-key.pem")).unwrap()
        )
        .contains("PRIVATE"));
    }

    #[test]
    fn assertions_are_signed_jwts_with_thumbprint_and_optional_chain() {
        let cert = ClientCertificate::from_pem(&joined("rsa-cert.pem", "rsa-key.pem")).unwrap();
        let jwt = cert
            .assertion("app", "https://login.example/t/oauth2/v2.0/token", true)
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["x5t#S256"], cert.thumbprint_sha256());
        assert_eq!(header["x5c"][0], STANDARD.encode(&cert.chain()[0]));
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["sub"], "app");
        assert_eq!(claims["aud"], "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 256);
    }
}
