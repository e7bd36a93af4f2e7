//! EnvironmentCredential and DefaultAzureCredential.

use crate::server::{json, TestServer};
use azkv_core::{ErrorKind, TokenCredential, TokenRequestOptions};
use azkv_identity::{
    DefaultAzureCredential, DefaultAzureCredentialOptions, EnvVars, EnvironmentCredential,
    EnvironmentCredentialOptions,
};
use std::path::Path;

const SCOPE: &str = "https://vault.azure.net/.default";

fn token() -> crate::server::Reply {
    json(
        200,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"env-token"}"#,
    )
}

#[tokio::test]
async fn environment_credential_with_secret_and_with_certificate() {
    let server = TestServer::start(|_, _| token()).await;
    let base = server.base.clone();
    let secret = EnvironmentCredential::new(Some(EnvironmentCredentialOptions {
        env: EnvVars::from_pairs([
            ("AZURE_TENANT_ID", "t1"),
            ("AZURE_CLIENT_ID", "c1"),
            ("AZURE_CLIENT_SECRET", "s1"),
            ("AZURE_AUTHORITY_HOST", base.as_str()),
        ]),
        ..Default::default()
    }));
    assert_eq!(
        secret
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap()
            .token
            .expose(),
        "env-token"
    );
    assert_eq!(server.requests()[0].target, "/t1/oauth2/v2.0/token");

    let pfx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rsa-aes.pfx");
    let certificate = EnvironmentCredential::new(Some(EnvironmentCredentialOptions {
        env: EnvVars::from_pairs([
            ("AZURE_TENANT_ID", "t2"),
            ("AZURE_CLIENT_ID", "c2"),
            ("AZURE_CLIENT_CERTIFICATE_PATH", pfx.to_str().unwrap()),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "fixture-password"),
            ("AZURE_AUTHORITY_HOST", base.as_str()),
        ]),
        ..Default::default()
    }));
    certificate
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&server.requests()[1].body).to_string();
    assert!(body.contains("client_assertion="));

    let nothing = EnvironmentCredential::new(Some(EnvironmentCredentialOptions {
        env: EnvVars::from_pairs(Vec::<(String, String)>::new()),
        ..Default::default()
    }));
    let err = nothing
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::CredentialUnavailable);
}

#[tokio::test]
async fn default_chain_uses_the_first_configured_credential() {
    let server = TestServer::start(|_, _| token()).await;
    let base = server.base.clone();
    let credential = DefaultAzureCredential::new(Some(DefaultAzureCredentialOptions {
        env: EnvVars::from_pairs([
            ("AZURE_TENANT_ID", "t1"),
            ("AZURE_CLIENT_ID", "c1"),
            ("AZURE_CLIENT_SECRET", "s1"),
            ("AZURE_AUTHORITY_HOST", base.as_str()),
        ]),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(
        credential
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap()
            .token
            .expose(),
        "env-token"
    );
}

#[tokio::test]
async fn default_chain_lists_why_each_link_failed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let imds_host = format!("http://127.0.0.1:{port}");
    let credential = DefaultAzureCredential::new(Some(DefaultAzureCredentialOptions {
        env: EnvVars::from_pairs([("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds_host.as_str())]),
        // Hermetic: no real `az` runs, whatever this machine has.
        azure_cli_program: Some("/nonexistent/az".into()),
        ..Default::default()
    }))
    .unwrap();
    let err = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Credential);
    let text = err.to_string();
    for name in [
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
        "AzureCliCredential",
    ] {
        assert!(text.contains(name), "{name} missing from: {text}");
    }
}

#[tokio::test]
async fn token_credentials_selection_and_exclusions() {
    let only_cli = DefaultAzureCredential::new(Some(DefaultAzureCredentialOptions {
        env: EnvVars::from_pairs([("AZURE_TOKEN_CREDENTIALS", "dev")]),
        ..Default::default()
    }))
    .unwrap();
    let shown = format!("{only_cli:?}");
    assert!(
        shown.contains("AzureCliCredential") && !shown.contains("EnvironmentCredential"),
        "{shown}"
    );
    let excluded = DefaultAzureCredential::new(Some(DefaultAzureCredentialOptions {
        exclude_azure_cli_credential: true,
        exclude_managed_identity_credential: true,
        env: EnvVars::from_pairs(Vec::<(String, String)>::new()),
        ..Default::default()
    }))
    .unwrap();
    let shown = format!("{excluded:?}");
    assert!(
        !shown.contains("AzureCliCredential") && !shown.contains("ManagedIdentityCredential"),
        "{shown}"
    );
    let bad = DefaultAzureCredential::new(Some(DefaultAzureCredentialOptions {
        env: EnvVars::from_pairs([("AZURE_TOKEN_CREDENTIALS", "bogus")]),
        ..Default::default()
    }))
    .unwrap_err();
    assert_eq!(bad.kind(), &ErrorKind::InvalidInput);
}
