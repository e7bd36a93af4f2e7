//! Every SecretClient operation against the emulator.

use crate::support::{client_for, vault, vault_with};
use azkv_core::{ErrorKind, PollStatus, StatusCode};
use azkv_secrets::{
    GetSecretOptions, ListSecretsOptions, SetSecretOptions, UpdateSecretPropertiesOptions,
};
use futures_util::TryStreamExt;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[tokio::test]
async fn set_get_and_get_version() {
    let v = vault().await;
    let expires = UNIX_EPOCH + Duration::from_secs(4_102_444_800);
    let first = v
        .client
        .set_secret(
            "db-password",
            "v1",
            Some(SetSecretOptions {
                content_type: Some("text/plain".into()),
                tags: Some(BTreeMap::from([("env".to_owned(), "test".to_owned())])),
                expires_on: Some(expires),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.request_id().is_some());
    let first = first.into_model();
    assert_eq!(first.value.expose(), "v1");
    assert_eq!(first.name(), "db-password");
    assert_eq!(first.properties.content_type.as_deref(), Some("text/plain"));
    assert_eq!(first.properties.tags["env"], "test");
    assert_eq!(first.properties.expires_on, Some(expires));
    assert_eq!(
        first.properties.vault_url.as_deref(),
        Some(v.emulator.vault_url().as_str())
    );
    assert!(first.properties.created_on.unwrap() <= SystemTime::now() + Duration::from_secs(5));
    let v1 = first.properties.version.clone().unwrap();

    v.client
        .set_secret("db-password", "v2", None)
        .await
        .unwrap();
    let latest = v
        .client
        .get_secret("db-password", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(latest.value.expose(), "v2");
    let old = v
        .client
        .get_secret(
            "db-password",
            Some(GetSecretOptions {
                version: Some(v1.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(old.value.expose(), "v1");
    assert_eq!(old.properties.version.as_deref(), Some(v1.as_str()));
    assert!(!format!("{old:?}").contains("v1\""), "Debug shows no value");
}

#[tokio::test]
async fn missing_secret_is_typed_not_found() {
    let v = vault().await;
    let err = v.client.get_secret("nope", None).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.code(), Some("SecretNotFound"));
    assert!(matches!(err.kind(), ErrorKind::Http { .. }));
    assert!(err.request_id().is_some());
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let v = vault().await;
    let bad_names = ["", "has_underscore", "a/b", "spaced name"];
    for name in bad_names {
        let err = v.client.set_secret(name, "x", None).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput, "{name:?}");
        assert!(err.to_string().contains("secret name"));
        let err = v.client.get_secret(name, None).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    }
    let err = v
        .client
        .get_secret(
            "ok",
            Some(GetSecretOptions {
                version: Some("../../keys".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    let err = v.client.restore_secret_backup(&[], None).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    let mut pager = v.client.list_secret_properties(Some(ListSecretsOptions {
        max_page_size: Some(99),
        ..Default::default()
    }));
    assert_eq!(
        pager.next().await.unwrap().unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
    // Nothing reached the vault: it holds no secret and saw no bad request.
    let all: Vec<_> = v
        .client
        .list_secret_properties(None)
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
}

#[tokio::test]
async fn update_properties() {
    let v = vault().await;
    let set = v
        .client
        .set_secret("upd", "value", None)
        .await
        .unwrap()
        .into_model();
    let updated = v
        .client
        .update_secret_properties(
            "upd",
            Some(UpdateSecretPropertiesOptions {
                version: set.properties.version.clone(),
                content_type: Some("application/json".into()),
                enabled: Some(false),
                tags: Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(updated.enabled, Some(false));
    assert_eq!(updated.content_type.as_deref(), Some("application/json"));
    assert_eq!(updated.tags["k"], "v");
    let err = v.client.get_secret("upd", None).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
    assert_eq!(err.code(), Some("SecretDisabled"));
    v.client
        .update_secret_properties(
            "upd",
            Some(UpdateSecretPropertiesOptions {
                enabled: Some(true),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        v.client
            .get_secret("upd", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "value"
    );
}

#[tokio::test]
async fn list_pages_and_versions() {
    let v = vault().await;
    for i in 0..7 {
        v.client
            .set_secret(&format!("item-{i}"), "x", None)
            .await
            .unwrap();
    }
    for i in 0..4 {
        v.client
            .set_secret("item-0", &format!("again-{i}"), None)
            .await
            .unwrap();
    }
    let small = Some(ListSecretsOptions {
        max_page_size: Some(3),
        ..Default::default()
    });
    let mut pages = v.client.list_secret_properties(small.clone()).into_pages();
    let mut count = 0;
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        count += 1;
        names.extend(page.items.into_iter().map(|p| p.name));
    }
    assert_eq!(count, 3);
    assert_eq!(
        names,
        (0..7).map(|i| format!("item-{i}")).collect::<Vec<_>>()
    );

    let versions: Vec<_> = v
        .client
        .list_secret_versions("item-0", small.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 5);
    assert!(versions
        .iter()
        .all(|p| p.version.is_some() && p.name == "item-0"));

    // A listing resumes from a page's continuation token.
    let mut pages = v.client.list_secret_properties(small).into_pages();
    let token = pages
        .next()
        .await
        .unwrap()
        .unwrap()
        .continuation_token
        .unwrap();
    let resumed: Vec<_> = v
        .client
        .list_secret_properties(Some(ListSecretsOptions {
            max_page_size: Some(3),
            continuation_token: Some(token),
        }))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(resumed.len(), 4);
}

#[tokio::test]
async fn delete_and_recover_pollers_complete() {
    let v = vault().await;
    v.client.set_secret("temp", "keep", None).await.unwrap();
    let mut poller = v.client.begin_delete_secret("temp", None).await.unwrap();
    assert_eq!(poller.status(), PollStatus::InProgress);
    // The emulator holds deletes "in progress" for a moment: the first poll sees 404.
    assert_eq!(poller.poll().await.unwrap(), PollStatus::InProgress);
    let deleted = poller.await.unwrap();
    assert_eq!(deleted.name(), "temp");
    assert!(deleted
        .recovery_id
        .as_deref()
        .unwrap()
        .ends_with("/deletedsecrets/temp"));
    let purge_in = deleted
        .scheduled_purge_date
        .unwrap()
        .duration_since(deleted.deleted_on.unwrap())
        .unwrap();
    assert_eq!(purge_in, Duration::from_secs(90 * 86_400));

    let got = v
        .client
        .get_deleted_secret("temp", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(got.recovery_id, deleted.recovery_id);
    let listed: Vec<_> = v
        .client
        .list_deleted_secrets(None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name(), "temp");

    let recovered = v
        .client
        .begin_recover_deleted_secret("temp", None)
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(recovered.name, "temp");
    assert_eq!(
        v.client
            .get_secret("temp", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "keep"
    );

    v.client
        .begin_delete_secret("temp", None)
        .await
        .unwrap()
        .await
        .unwrap();
    v.client.purge_deleted_secret("temp", None).await.unwrap();
    let err = v.client.get_deleted_secret("temp", None).await.unwrap_err();
    assert_eq!(err.code(), Some("SecretNotFound"));
    assert!(v.client.set_secret("temp", "fresh", None).await.is_ok());
}

#[tokio::test]
async fn deleting_a_missing_secret_is_not_found() {
    let v = vault().await;
    let err = v
        .client
        .begin_delete_secret("ghost", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SecretNotFound"));
}

#[tokio::test]
async fn backup_and_restore_into_another_vault() {
    let v = vault_with(azkv_emulator::EmulatorConfig {
        vaults: vec!["second".into()],
        ..Default::default()
    })
    .await;
    v.client.set_secret("moving", "one", None).await.unwrap();
    v.client.set_secret("moving", "two", None).await.unwrap();
    let backup = v
        .client
        .backup_secret("moving", None)
        .await
        .unwrap()
        .into_model();
    assert!(!backup.is_empty());
    let second = client_for(
        &v.emulator,
        v.emulator.vault_url_of("second").unwrap(),
        v.transport.clone(),
    );
    let restored = second
        .restore_secret_backup(&backup, None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(restored.name, "moving");
    assert_eq!(
        second
            .get_secret("moving", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "two"
    );
    let versions: Vec<_> = second
        .list_secret_versions("moving", None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    let err = v
        .client
        .restore_secret_backup(&backup, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::CONFLICT));
}

#[tokio::test]
async fn older_api_versions_work() {
    let emulator_vault = vault().await;
    for version in ["7.4", "7.6", "2025-07-01"] {
        let client_options = azkv_core::ClientOptions {
            transport: Some(emulator_vault.transport.clone()),
            api_version: Some(version.into()),
            ..Default::default()
        };
        let credential = azkv_identity::StaticTokenCredential::new(azkv_core::AccessToken::new(
            emulator_vault
                .emulator
                .issue_token("static", false)
                .unwrap(),
            SystemTime::now() + Duration::from_secs(600),
        ));
        let client = azkv_secrets::SecretClient::new(
            &emulator_vault.emulator.vault_url(),
            std::sync::Arc::new(credential),
            Some(azkv_secrets::SecretClientOptions {
                client_options,
                verify_challenge_resource: false,
                ..Default::default()
            }),
        )
        .unwrap();
        assert_eq!(client.api_version(), version);
        let secret = client
            .set_secret("versioned", version, None)
            .await
            .unwrap()
            .into_model();
        assert_eq!(secret.value.expose(), version);
        assert_eq!(secret.properties.recoverable_days, Some(90));
    }
}

#[tokio::test]
async fn challenge_resource_is_verified_by_default() {
    let v = vault().await;
    let credential = azkv_identity::StaticTokenCredential::new(azkv_core::AccessToken::new(
        "unused",
        SystemTime::now() + Duration::from_secs(600),
    ));
    let client = azkv_secrets::SecretClient::new(
        &v.emulator.vault_url(),
        std::sync::Arc::new(credential),
        Some(azkv_secrets::SecretClientOptions {
            client_options: azkv_core::ClientOptions {
                transport: Some(v.transport.clone()),
                ..Default::default()
            },
            ..Default::default()
        }),
    )
    .unwrap();
    // The emulator's challenge names https://vault.azure.net, not 127.0.0.1.
    let err = client.get_secret("x", None).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Challenge);
}

#[tokio::test]
async fn public_futures_and_clients_are_send_and_sync() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<azkv_secrets::SecretClient>();
    let v = vault().await;
    let (c, name) = (&v.client, "x");
    assert_send(&c.set_secret(name, "v", None));
    assert_send(&c.get_secret(name, None));
    assert_send(&c.update_secret_properties(name, None));
    assert_send(&c.begin_delete_secret(name, None));
    assert_send(&c.begin_recover_deleted_secret(name, None));
    assert_send(&c.get_deleted_secret(name, None));
    assert_send(&c.purge_deleted_secret(name, None));
    assert_send(&c.backup_secret(name, None));
    assert_send(&c.restore_secret_backup(b"x", None));
    assert_send(&c.list_secret_properties(None));
}
