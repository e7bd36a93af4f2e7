//! azkv-identity against a real token endpoint: the emulator's, over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The scripted HTTP server of azkv-core's tests, shared rather than copied.
#[allow(dead_code)]
#[path = "../../../azkv-core/tests/it/server.rs"]
mod server;

#[path = "../../../azkv-core/tests/it/capture.rs"]
mod capture;

#[path = "../../../azkv-core/tests/it/fuzz_harness.rs"]
mod fuzz_harness;

mod fuzz;

mod certificate;
mod chain;
mod endpoints;
mod redaction;

use azkv_core::{
    ClientOptions, ErrorKind, ReqwestTransport, TokenCredential, TokenRequestOptions,
    TransportOptions,
};
use azkv_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use azkv_identity::{AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions};
use std::sync::Arc;

const SCOPE: &str = "https://vault.azure.net/.default";

async fn emulator() -> RunningEmulator {
    let mut config = EmulatorConfig::default();
    config.clients.insert("app".into(), "right-secret".into());
    Emulator::start(config).await.unwrap()
}

fn options(emulator: &RunningEmulator) -> ClientSecretCredentialOptions {
    let transport = ReqwestTransport::new(&TransportOptions {
        additional_root_certificates: vec![emulator.ca_cert_pem().unwrap().as_bytes().to_vec()],
        ..Default::default()
    })
    .unwrap();
    ClientSecretCredentialOptions {
        authority_host: AuthorityHost::custom(emulator.authority_host()).unwrap(),
        client_options: ClientOptions {
            transport: Some(Arc::new(transport)),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn client_secret_credential_gets_a_token() {
    let emulator = emulator().await;
    let credential = ClientSecretCredential::new(
        emulator.tenant_id(),
        "app",
        "right-secret".into(),
        Some(options(&emulator)),
    )
    .unwrap();
    let token = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    assert_eq!(token.token.expose().split('.').count(), 3);
    assert!(token.expires_on > std::time::SystemTime::now());
    // A second request is answered from the cache: the same token.
    let again = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    assert_eq!(again.token, token.token);
    assert!(!format!("{credential:?}").contains("right-secret"));
}

#[tokio::test]
async fn wrong_secret_is_a_credential_error_without_the_secret() {
    let emulator = emulator().await;
    let credential = ClientSecretCredential::new(
        emulator.tenant_id(),
        "app",
        "wrong-secret".into(),
        Some(options(&emulator)),
    )
    .unwrap();
    let err = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Credential);
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("invalid_client"), "{shown}");
    assert!(!shown.contains("wrong-secret"), "{shown}");
}

#[tokio::test]
async fn other_tenants_need_to_be_allowed() {
    let emulator = emulator().await;
    let credential = ClientSecretCredential::new(
        emulator.tenant_id(),
        "app",
        "right-secret".into(),
        Some(options(&emulator)),
    )
    .unwrap();
    let other = TokenRequestOptions {
        tenant_id: Some("other-tenant".into()),
        claims: None,
        ..Default::default()
    };
    let err = credential.get_token(&[SCOPE], &other).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Credential);
    assert!(
        err.to_string().contains("additionally_allowed_tenants"),
        "{err}"
    );
    let mut allowed = options(&emulator);
    allowed.additionally_allowed_tenants = vec!["*".into()];
    let credential = ClientSecretCredential::new(
        emulator.tenant_id(),
        "app",
        "right-secret".into(),
        Some(allowed),
    )
    .unwrap();
    // Allowed, the request reaches the authority, which knows no such tenant.
    let err = credential.get_token(&[SCOPE], &other).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Credential);
    assert!(err.to_string().contains("AADSTS90002"), "{err}");
}

#[test]
fn bad_arguments_are_invalid_input() {
    for (tenant, client, secret) in [("a/b", "c", "s"), ("t", "", "s"), ("t", "c", "")] {
        let err = ClientSecretCredential::new(tenant, client, secret.into(), None).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    }
}
