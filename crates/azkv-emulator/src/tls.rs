//! TLS for the emulator: a certificate authority and a server certificate made at start (for
//! `127.0.0.1`, `::1`, `localhost` and `*.localhost`), or a certificate and key from files.
//! Clients trust the CA certificate, which the emulator writes to a PEM file.

use crate::EmulatorError;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

/// What a TLS set-up produced.
pub struct Tls {
    /// The server configuration.
    pub config: Arc<rustls::ServerConfig>,
    /// PEM of the certificate clients should trust.
    pub ca_pem: String,
}

fn tls_error(what: &'static str) -> impl Fn(rcgen::Error) -> EmulatorError {
    move |_| EmulatorError::Tls(what.to_owned())
}

/// Makes a CA and a server certificate signed by it, valid for loopback, `localhost`,
/// `*.localhost` and `NAME.localhost` for each of `vault_names` (strict verifiers such as
/// rustls do not accept a wildcard directly under `localhost`).
pub fn generate(extra_hosts: &[IpAddr], vault_names: &[String]) -> Result<Tls, EmulatorError> {
    let ca_key = KeyPair::generate().map_err(tls_error("could not generate the CA key"))?;
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(tls_error("bad CA parameters"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "azkv-emulator local CA");
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, "azkv");
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(tls_error("could not sign the CA certificate"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(tls_error("could not generate the server key"))?;
    let mut names = vec!["localhost".to_owned(), "*.localhost".to_owned()];
    names.extend(vault_names.iter().map(|n| format!("{n}.localhost")));
    let mut params =
        CertificateParams::new(names).map_err(tls_error("bad server certificate parameters"))?;
    let mut ips = vec![
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    ips.extend(extra_hosts.iter().filter(|ip| !ip.is_unspecified()));
    ips.sort();
    ips.dedup();
    for ip in ips {
        params.subject_alt_names.push(SanType::IpAddress(ip));
    }
    params
        .distinguished_name
        .push(DnType::CommonName, "azkv-emulator");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params
        .signed_by(&server_key, &issuer)
        .map_err(tls_error("could not sign the server certificate"))?;

    let chain = vec![server_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::try_from(server_key.serialize_der())
        .map_err(|e| EmulatorError::Tls(e.to_owned()))?;
    Ok(Tls {
        config: server_config(chain, key)?,
        ca_pem: ca_cert.pem(),
    })
}

/// Loads a certificate chain and key from PEM files; `ca` is the PEM clients should trust
/// (the chain's last certificate when not given).
pub fn from_files(cert: &Path, key: &Path, ca: Option<&Path>) -> Result<Tls, EmulatorError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| EmulatorError::Tls(format!("cannot read {}: {e}", cert.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| EmulatorError::Tls(format!("bad certificate in {}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(EmulatorError::Tls(format!(
            "no certificate in {}",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        EmulatorError::Tls(format!("cannot read the key in {}: {e}", key.display()))
    })?;
    let ca_pem = match ca {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| EmulatorError::Tls(format!("cannot read {}: {e}", path.display())))?,
        None => std::fs::read_to_string(cert)
            .map_err(|e| EmulatorError::Tls(format!("cannot read {}: {e}", cert.display())))?,
    };
    Ok(Tls {
        config: server_config(chain, key)?,
        ca_pem,
    })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, EmulatorError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| EmulatorError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| EmulatorError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Reads every certificate (DER) from a PEM file.
pub fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>, EmulatorError> {
    let certs: Vec<Vec<u8>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| EmulatorError::Tls(format!("cannot read {}: {e}", path.display())))?
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| EmulatorError::Tls(format!("bad certificate in {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(EmulatorError::Tls(format!(
            "no certificate in {}",
            path.display()
        )));
    }
    Ok(certs)
}
