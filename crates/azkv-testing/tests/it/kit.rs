//! TestVault: ready clients, the clock, faults, several vaults.

use azkv_core::StatusCode;
use azkv_testing::{FaultConfig, TestVault, TestVaultOptions};
use std::time::Duration;

#[tokio::test]
async fn three_lines_to_a_working_client() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.secret_client();
    client.set_secret("greeting", "hello", None).await.unwrap();
    assert_eq!(
        client
            .get_secret("greeting", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "hello"
    );
}

#[tokio::test]
async fn the_clock_moves_purges_and_token_renewal_along() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.secret_client();
    client.set_secret("old", "x", None).await.unwrap();
    client
        .begin_delete_secret("old", None)
        .await
        .unwrap()
        .await
        .unwrap();
    vault.advance_clock(Duration::from_secs(91 * 86_400));
    // The client's cached token expired with the jump; it gets a new one by itself.
    let err = client.get_deleted_secret("old", None).await.unwrap_err();
    assert_eq!(err.code(), Some("SecretNotFound"));
    assert!(client.set_secret("old", "fresh", None).await.is_ok());
}

#[tokio::test]
async fn faults_are_injected_and_retried_through() {
    let faults = FaultConfig {
        throttle: 0.3,
        retry_after: Duration::from_millis(50),
        seed: 3,
        ..Default::default()
    };
    let vault = TestVault::start_with(TestVaultOptions {
        faults: Some(faults),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut options = vault.secret_client_options();
    options.client_options.retry.max_retries = 10;
    let client =
        azkv_secrets::SecretClient::new(&vault.vault_url(), vault.credential(), Some(options))
            .unwrap();
    for i in 0..20 {
        client
            .set_secret(&format!("s{i}"), "v", None)
            .await
            .unwrap();
    }
    let stats = vault.fault_stats();
    assert!(stats.throttled > 0);
    assert_eq!(stats.early_retries, 0);
}

#[tokio::test]
async fn extra_vaults_are_separate() {
    let vault = TestVault::start_with(TestVaultOptions {
        extra_vaults: vec!["staging".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let staging = vault
        .secret_client_for(&vault.vault_url_of("staging").unwrap())
        .unwrap();
    staging.set_secret("only-here", "x", None).await.unwrap();
    let err = vault
        .secret_client()
        .get_secret("only-here", None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
}
