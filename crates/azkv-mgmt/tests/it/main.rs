//! VaultsClient against the emulator's management plane: every operation, the data plane of
//! the vaults it creates, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use azkv_core::ErrorKind;
use azkv_mgmt::*;
use azkv_secrets::SecretClient;
use azkv_testing::TestVault;
use futures_util::TryStreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};

const SUB: &str = "5b1c6b2e-0000-4000-8000-00000000a001";

fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}{}x{}",
        std::process::id() % 10_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn params(vault: &TestVault, policies: Vec<AccessPolicyEntry>) -> VaultCreateOrUpdateParameters {
    let properties = VaultProperties::new(vault.emulator().tenant_id(), Sku::standard())
        .with_access_policies(policies);
    VaultCreateOrUpdateParameters::new("westeurope", properties)
        .with_tags([("env".to_owned(), "test".to_owned())].into())
}

fn secrets_at(vault: &TestVault, uri: &str) -> SecretClient {
    SecretClient::new(uri, vault.credential(), Some(vault.secret_client_options())).unwrap()
}

fn me(
    vault: &TestVault,
    secrets: impl IntoIterator<Item = SecretPermissions>,
) -> AccessPolicyEntry {
    AccessPolicyEntry::new(
        vault.emulator().tenant_id(),
        vault.emulator().object_id_of("azkv-testing"),
        Permissions::default().with_secrets(secrets),
    )
}

fn status(err: &azkv_core::Error) -> Option<u16> {
    err.status().map(|s| s.as_u16())
}

#[tokio::test]
async fn create_use_delete_recover_and_purge_a_vault() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.vaults_client(SUB).unwrap();
    let name = unique("life");
    assert_eq!(
        client
            .check_name_availability(&name)
            .await
            .unwrap()
            .into_model()
            .name_available,
        Some(true)
    );

    // Created with no access policy for us.
    let created = client
        .begin_create_or_update("rg-one", &name, &params(&vault, vec![]))
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(created.name.as_deref(), Some(name.as_str()));
    assert_eq!(
        created.properties.provisioning_state,
        Some(VaultProvisioningState::Succeeded)
    );
    assert_eq!(created.properties.enable_soft_delete, Some(true));
    assert_eq!(created.properties.soft_delete_retention_in_days, Some(90));
    assert_eq!(created.tags.as_ref().unwrap()["env"], "test");
    let uri = created.properties.vault_uri.clone().unwrap();
    let secrets = secrets_at(&vault, &uri);
    let err = secrets.set_secret("s", "v", None).await.unwrap_err();
    assert_eq!(status(&err), Some(403), "no policy yet: {err}");

    // Add get/set/list for us: the data plane opens.
    let entries = client
        .update_access_policy(
            "rg-one",
            &name,
            AccessPolicyUpdateKind::Add,
            vec![me(
                &vault,
                [
                    SecretPermissions::Get,
                    SecretPermissions::Set,
                    SecretPermissions::List,
                ],
            )],
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(entries.len(), 1);
    secrets.set_secret("s", "v1", None).await.unwrap();
    assert_eq!(
        secrets
            .get_secret("s", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "v1"
    );
    // Remove get: reading is refused again, writing still works.
    client
        .update_access_policy(
            "rg-one",
            &name,
            AccessPolicyUpdateKind::Remove,
            vec![me(&vault, [SecretPermissions::Get])],
        )
        .await
        .unwrap();
    assert_eq!(
        status(&secrets.get_secret("s", None).await.unwrap_err()),
        Some(403)
    );
    secrets.set_secret("s", "v2", None).await.unwrap();
    // Replace with everything.
    client
        .update_access_policy(
            "rg-one",
            &name,
            AccessPolicyUpdateKind::Replace,
            vec![me(&vault, [SecretPermissions::All])],
        )
        .await
        .unwrap();
    assert_eq!(
        secrets
            .get_secret("s", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "v2"
    );

    // PATCH keeps what it does not name.
    let patch = VaultPatchParameters {
        tags: Some([("env".to_owned(), "patched".to_owned())].into()),
        properties: Some(VaultPatchProperties {
            soft_delete_retention_in_days: Some(30),
            ..Default::default()
        }),
    };
    let updated = client
        .update("rg-one", &name, &patch)
        .await
        .unwrap()
        .into_model();
    assert_eq!(updated.tags.as_ref().unwrap()["env"], "patched");
    assert_eq!(updated.properties.soft_delete_retention_in_days, Some(30));
    assert_eq!(
        updated.properties.access_policies.as_ref().unwrap().len(),
        1
    );
    assert_eq!(
        client
            .get("rg-one", &name)
            .await
            .unwrap()
            .into_model()
            .properties
            .vault_uri
            .as_deref(),
        Some(uri.as_str())
    );

    // Soft delete: gone from the data plane and the vault list, present in deleted vaults.
    client.delete("rg-one", &name).await.unwrap();
    assert_eq!(
        status(&client.get("rg-one", &name).await.unwrap_err()),
        Some(404)
    );
    assert!(secrets.get_secret("s", None).await.is_err());
    let deleted: Vec<DeletedVault> = client.list_deleted().try_collect().await.unwrap();
    let mine = deleted
        .iter()
        .find(|d| d.name.as_deref() == Some(name.as_str()))
        .unwrap();
    assert_eq!(
        mine.properties.as_ref().unwrap().location.as_deref(),
        Some("westeurope")
    );
    let got = client
        .get_deleted(&name, "westeurope")
        .await
        .unwrap()
        .into_model();
    assert!(got.properties.unwrap().vault_id.unwrap().ends_with(&name));
    assert_eq!(
        client
            .check_name_availability(&name)
            .await
            .unwrap()
            .into_model()
            .name_available,
        Some(false)
    );
    let err = client
        .begin_create_or_update("rg-one", &name, &params(&vault, vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ConflictError"));

    // Recover brings the secrets back.
    let recovered = client
        .begin_recover_deleted("rg-one", &name, &params(&vault, vec![]))
        .await
        .unwrap()
        .await
        .unwrap();
    let uri = recovered.properties.vault_uri.unwrap();
    assert_eq!(
        secrets_at(&vault, &uri)
            .get_secret("s", None)
            .await
            .unwrap()
            .into_model()
            .value
            .expose(),
        "v2"
    );

    // Purge frees the name.
    client.delete("rg-one", &name).await.unwrap();
    client
        .begin_purge_deleted(&name, "westeurope")
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(
        status(&client.get_deleted(&name, "westeurope").await.unwrap_err()),
        Some(404)
    );
    let check = client
        .check_name_availability(&name)
        .await
        .unwrap()
        .into_model();
    assert_eq!(check.name_available, Some(true));
}

#[tokio::test]
async fn lists_page_and_filter_by_group() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.vaults_client(SUB).unwrap();
    let other_sub = vault
        .vaults_client("5b1c6b2e-0000-4000-8000-00000000b002")
        .unwrap();
    let names: Vec<String> = (0..3).map(|_| unique("list")).collect();
    for (i, name) in names.iter().enumerate() {
        let rg = if i == 0 { "rg-a" } else { "rg-b" };
        client
            .begin_create_or_update(rg, name, &params(&vault, vec![]))
            .await
            .unwrap()
            .await
            .unwrap();
    }
    other_sub
        .begin_create_or_update("rg-a", &unique("elsewhere"), &params(&vault, vec![]))
        .await
        .unwrap()
        .await
        .unwrap();
    let all: Vec<Vault> = client
        .list_by_subscription(Some(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let b: Vec<Vault> = client
        .list_by_resource_group("rg-b", Some(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(b.len(), 2);
    let resources: Vec<VaultResource> = client.list(Some(2)).try_collect().await.unwrap();
    assert_eq!(resources.len(), 3);
    assert!(resources
        .iter()
        .all(|r| r.resource_type == "Microsoft.KeyVault/vaults"));
    // Names are global: another subscription cannot take one.
    let err = other_sub
        .begin_create_or_update("rg-x", &names[0], &params(&vault, vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VaultAlreadyExists"));
    // A PUT on the same vault updates it.
    let again = client
        .begin_create_or_update("rg-a", &names[0], &params(&vault, vec![]))
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(again.name.as_deref(), Some(names[0].as_str()));
}

#[tokio::test]
async fn rbac_vaults_ignore_access_policies() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.vaults_client(SUB).unwrap();
    let name = unique("rbac");
    let mut p = params(&vault, vec![]);
    p.properties = p.properties.with_rbac_authorization(true);
    let created = client
        .begin_create_or_update("rg", &name, &p)
        .await
        .unwrap()
        .await
        .unwrap();
    let secrets = secrets_at(&vault, created.properties.vault_uri.as_deref().unwrap());
    secrets.set_secret("open", "yes", None).await.unwrap();
}

#[tokio::test]
async fn bad_input_gets_typed_errors_and_arm_shapes() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.vaults_client(SUB).unwrap();
    // Refused before sending.
    for bad in ["ab", "1vault", "bad--name", "trailing-", "under_score"] {
        let err = client.get("rg", bad).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidInput, "{bad}");
    }
    assert_eq!(
        client.get("rg/x", "vault-ok").await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
    assert!(VaultsClient::new("", vault.credential(), None).is_err());
    // Resource Manager's answers.
    let err = client.get("rg", "missing-vault").await.unwrap_err();
    assert_eq!(
        (status(&err), err.code()),
        (Some(404), Some("ResourceNotFound"))
    );
    let err = client
        .update("rg", "missing-vault", &VaultPatchParameters::default())
        .await
        .unwrap_err();
    assert_eq!(
        (status(&err), err.code()),
        (Some(404), Some("ResourceNotFound"))
    );
    let mut no_tenant = params(&vault, vec![]);
    no_tenant.properties.tenant_id = String::new();
    let err = client
        .begin_create_or_update("rg", &unique("nt"), &no_tenant)
        .await
        .unwrap_err();
    assert_eq!((status(&err), err.code()), (Some(400), Some("BadRequest")));
    assert!(err.to_string().contains("tenantId"), "{err}");
    let mut bad_retention = params(&vault, vec![]);
    bad_retention.properties = bad_retention.properties.with_soft_delete_retention_days(3);
    let err = client
        .begin_create_or_update("rg", &unique("br"), &bad_retention)
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
    let check = client
        .check_name_availability("x")
        .await
        .unwrap()
        .into_model();
    assert_eq!(
        (check.name_available, check.reason),
        (Some(false), Some(Reason::AccountNameInvalid))
    );
    // An unknown api-version.
    let mut options = vault.vaults_client_options().unwrap();
    options.client_options.api_version = Some("1999-01-01".into());
    let old = VaultsClient::new(SUB, vault.credential(), Some(options)).unwrap();
    let err = old.get("rg", "any-vault").await.unwrap_err();
    assert_eq!(
        (status(&err), err.code()),
        (Some(400), Some("NoRegisteredProviderFound"))
    );
    // A missing sku, which the typed client cannot even express: sent raw.
    let token = vault.emulator().issue_token("azkv-testing", true).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(vault.emulator().ca_cert_pem().unwrap().as_bytes())
                .unwrap(),
        )
        .build()
        .unwrap();
    let url = format!(
        "{}subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/{}?api-version=2023-07-01",
        vault.emulator().management_url(),
        unique("nosku")
    );
    let response = http
        .put(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::json!({"location": "westeurope", "properties": {"tenantId": vault.emulator().tenant_id()}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("sku"));
    // A data-plane token is not a management token.
    let data_token = vault.emulator().issue_token("azkv-testing", false).unwrap();
    let response = http
        .get(&url)
        .bearer_auth(&data_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn vaults_and_their_objects_survive_a_restart_with_a_data_dir() {
    let dir = std::env::temp_dir().join(format!("azkv-mgmt-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = || azkv_testing::TestVaultOptions {
        emulator: azkv_testing::EmulatorConfig {
            data_dir: Some(dir.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let first = TestVault::start_with(options()).await.unwrap();
    let client = first.vaults_client(SUB).unwrap();
    let all = [SecretPermissions::All];
    let kept = client
        .begin_create_or_update(
            "rg",
            "kept-vault",
            &params(&first, vec![me(&first, all.clone())]),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    secrets_at(&first, kept.properties.vault_uri.as_deref().unwrap())
        .set_secret("s", "kept", None)
        .await
        .unwrap();
    let gone = client
        .begin_create_or_update(
            "rg",
            "gone-vault",
            &params(&first, vec![me(&first, all.clone())]),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    secrets_at(&first, gone.properties.vault_uri.as_deref().unwrap())
        .set_secret("s", "in-deleted-vault", None)
        .await
        .unwrap();
    client.delete("rg", "gone-vault").await.unwrap();
    first.shutdown().await;

    let second = TestVault::start_with(options()).await.unwrap();
    let client = second.vaults_client(SUB).unwrap();
    let again = client.get("rg", "kept-vault").await.unwrap().into_model();
    assert_eq!(again.properties.access_policies.as_ref().unwrap().len(), 1);
    let uri = again.properties.vault_uri.unwrap();
    let value = secrets_at(&second, &uri)
        .get_secret("s", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(value.value.expose(), "kept");
    let deleted: Vec<DeletedVault> = client.list_deleted().try_collect().await.unwrap();
    assert_eq!(deleted.len(), 1);
    let recovered = client
        .begin_recover_deleted("rg", "gone-vault", &params(&second, vec![]))
        .await
        .unwrap()
        .await
        .unwrap();
    let value = secrets_at(&second, recovered.properties.vault_uri.as_deref().unwrap())
        .get_secret("s", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(value.value.expose(), "in-deleted-vault");
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
