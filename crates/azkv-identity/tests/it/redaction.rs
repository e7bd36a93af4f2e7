//! Secrets, assertions and tokens reach neither logs at TRACE nor Debug output.

use crate::capture::capture;
use crate::server::{json, TestServer};
use azkv_core::{TokenCredential, TokenRequestOptions};
use azkv_identity::{
    AuthorityHost, ClientCertificate, ClientCertificateCredential,
    ClientCertificateCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
};
use std::path::Path;

#[tokio::test]
async fn nothing_secret_in_trace_logs_or_debug() {
    let capture = capture();
    let server = TestServer::start(|_, _| {
        json(
            200,
            r#"{"token_type":"Bearer","expires_in":3600,"access_token":"SECRET-ACCESS-TOKEN"}"#,
        )
    })
    .await;
    let authority = AuthorityHost::custom(&server.base).unwrap();
    let secret = ClientSecretCredential::new(
        "t",
        "c",
        "SECRET-CLIENT-SECRET".into(),
        Some(ClientSecretCredentialOptions {
            authority_host: authority.clone(),
            ..Default::default()
        }),
    )
    .unwrap();
    let token = secret
        .get_token(
            &["https://vault.azure.net/.default"],
            &TokenRequestOptions::default(),
        )
        .await
        .unwrap();
    let data = |n: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(n),
        )
        .unwrap()
    };
    let mut pem = data("rsa-cert.pem");
    pem.extend(data("rsa-key.pem"));
    let certificate = ClientCertificateCredential::new(
        "t",
        "c",
        ClientCertificate::from_pem(&pem).unwrap(),
        Some(ClientCertificateCredentialOptions {
            authority_host: authority,
            ..Default::default()
        }),
    )
    .unwrap();
    certificate
        .get_token(
            &["https://vault.azure.net/.default"],
            &TokenRequestOptions::default(),
        )
        .await
        .unwrap();
    // The requests really carried the secret and an assertion.
    let requests = server.requests();
    assert!(String::from_utf8_lossy(&requests[0].body).contains("SECRET-CLIENT-SECRET"));
    let body = String::from_utf8_lossy(&requests[1].body).to_string();
    let assertion = body
        .split("client_assertion=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    assert!(assertion.len() > 100);

    let logs = capture.text();
    assert!(logs.contains("token request"), "logging ran");
    for forbidden in [
        "SECRET-CLIENT-SECRET",
        "SECRET-ACCESS-TOKEN",
        assertion.as_str(),
        "PRIVATE KEY",
    ] {
        assert!(!logs.contains(forbidden), "{forbidden} leaked into logs");
        for shown in [
            format!("{secret:?}"),
            format!("{certificate:?}"),
            format!("{token:?}"),
        ] {
            assert!(!shown.contains(forbidden), "{forbidden} in {shown}");
        }
    }
}
