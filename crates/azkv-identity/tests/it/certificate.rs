//! ClientCertificateCredential against the emulator, which verifies the assertion's signature
//! against the registered certificate.

use azkv_core::{
    ClientOptions, ErrorKind, ReqwestTransport, TokenCredential, TokenRequestOptions,
    TransportOptions,
};
use azkv_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use azkv_identity::{
    AuthorityHost, ClientCertificate, ClientCertificateCredential,
    ClientCertificateCredentialOptions,
};
use std::path::Path;
use std::sync::Arc;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn pem_pair(cert: &str, key: &str) -> Vec<u8> {
    let mut out = data(cert);
    out.extend(data(key));
    out
}

async fn emulator() -> RunningEmulator {
    let mut config = EmulatorConfig::default();
    let rsa = ClientCertificate::from_pem(&pem_pair("rsa-cert.pem", "rsa-key.pem")).unwrap();
    let ec = ClientCertificate::from_pem(&pem_pair("ec-cert.pem", "ec-key.pem")).unwrap();
    config
        .client_certificates
        .insert("rsa-app".into(), rsa.chain().to_vec());
    config
        .client_certificates
        .insert("ec-app".into(), ec.chain().to_vec());
    Emulator::start(config).await.unwrap()
}

fn options(emulator: &RunningEmulator, send_chain: bool) -> ClientCertificateCredentialOptions {
    let transport = ReqwestTransport::new(&TransportOptions {
        additional_root_certificates: vec![emulator.ca_cert_pem().unwrap().as_bytes().to_vec()],
        ..Default::default()
    })
    .unwrap();
    ClientCertificateCredentialOptions {
        authority_host: AuthorityHost::custom(emulator.authority_host()).unwrap(),
        send_certificate_chain: send_chain,
        client_options: ClientOptions {
            transport: Some(Arc::new(transport)),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn token_for(
    emulator: &RunningEmulator,
    client: &str,
    certificate: ClientCertificate,
    send_chain: bool,
) -> azkv_core::Result<azkv_core::AccessToken> {
    let credential = ClientCertificateCredential::new(
        emulator.tenant_id(),
        client,
        certificate,
        Some(options(emulator, send_chain)),
    )
    .unwrap();
    credential
        .get_token(
            &["https://vault.azure.net/.default"],
            &TokenRequestOptions::default(),
        )
        .await
}

#[tokio::test]
async fn pem_and_pkcs12_certificates_get_tokens() {
    let emulator = emulator().await;
    let formats = [
        ClientCertificate::from_pem(&pem_pair("rsa-cert.pem", "rsa-key.pem")).unwrap(),
        ClientCertificate::from_pem(&pem_pair("rsa-cert.pem", "rsa-key-pkcs1.pem")).unwrap(),
        ClientCertificate::from_pkcs12(&data("rsa-aes.pfx"), "fixture-password").unwrap(),
        ClientCertificate::from_pkcs12(&data("rsa-legacy.pfx"), "fixture-password").unwrap(),
    ];
    for (i, certificate) in formats.into_iter().enumerate() {
        let token = token_for(&emulator, "rsa-app", certificate, i % 2 == 0)
            .await
            .unwrap();
        assert_eq!(token.token.expose().split('.').count(), 3);
    }
    let ec = ClientCertificate::from_pem(&pem_pair("ec-cert.pem", "ec-key.pem")).unwrap();
    token_for(&emulator, "ec-app", ec, false).await.unwrap();
}

#[tokio::test]
async fn a_certificate_not_registered_for_the_app_is_refused() {
    let emulator = emulator().await;
    // The EC certificate signs well, but it is not rsa-app's certificate.
    let ec = ClientCertificate::from_pem(&pem_pair("ec-cert.pem", "ec-key.pem")).unwrap();
    let err = token_for(&emulator, "rsa-app", ec, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Credential);
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert!(err.to_string().contains("ClientCertificateCredential"));
    // An app with no registered certificate is unknown.
    let rsa = ClientCertificate::from_pem(&pem_pair("rsa-cert.pem", "rsa-key.pem")).unwrap();
    let err = token_for(&emulator, "nobody", rsa, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unauthorized_client"), "{err}");
}
