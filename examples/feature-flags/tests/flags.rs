//! The feature-flag store, tested against a local vault from the azkv test kit.

#![allow(clippy::unwrap_used)]

use azkv_testing::{FaultConfig, TestVault, TestVaultOptions};
use feature_flags::FlagStore;
use std::time::Duration;

#[tokio::test]
async fn flags_default_to_off_and_can_be_turned_on() {
    let vault = TestVault::start().await.unwrap();
    let flags = FlagStore::new(vault.secret_client());
    assert!(!flags.is_on("new-checkout").await.unwrap());
    flags.set("new-checkout", true).await.unwrap();
    assert!(flags.is_on("new-checkout").await.unwrap());
    flags.set("new-checkout", false).await.unwrap();
    assert!(!flags.is_on("new-checkout").await.unwrap());
}

#[tokio::test]
async fn all_lists_only_flags() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.secret_client();
    client
        .set_secret("db-password", "not a flag", None)
        .await
        .unwrap();
    let flags = FlagStore::new(client);
    flags.set("a", true).await.unwrap();
    flags.set("b", false).await.unwrap();
    let all = flags.all().await.unwrap();
    assert_eq!(
        all.into_iter().collect::<Vec<_>>(),
        [("a".to_owned(), true), ("b".to_owned(), false)]
    );
}

#[tokio::test]
async fn removed_flags_are_gone_and_can_be_set_again() {
    let vault = TestVault::start().await.unwrap();
    let flags = FlagStore::new(vault.secret_client());
    flags.set("temp", true).await.unwrap();
    flags.remove("temp").await.unwrap();
    assert!(!flags.is_on("temp").await.unwrap());
    flags.remove("never-set").await.unwrap();
    flags.set("temp", true).await.unwrap();
    assert!(flags.is_on("temp").await.unwrap());
}

#[tokio::test]
async fn flags_work_through_a_throttling_vault() {
    let faults = FaultConfig {
        throttle: 0.2,
        unavailable: 0.1,
        retry_after: Duration::from_millis(20),
        seed: 11,
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
    options.client_options.retry.initial_delay = Duration::from_millis(10);
    let client =
        azkv_secrets::SecretClient::new(&vault.vault_url(), vault.credential(), Some(options))
            .unwrap();
    let flags = FlagStore::new(client);
    for i in 0..10 {
        flags.set(&format!("f{i}"), i % 2 == 0).await.unwrap();
    }
    assert_eq!(
        flags
            .all()
            .await
            .unwrap()
            .values()
            .filter(|on| **on)
            .count(),
        5
    );
    assert!(vault.fault_stats().throttled > 0);
}
