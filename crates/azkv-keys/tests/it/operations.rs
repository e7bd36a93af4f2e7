//! Every KeyClient operation, and bad input.

use crate::{unique, vault};
use azkv_core::ErrorKind;
use azkv_keys::*;
use futures_util::TryStreamExt;
use std::time::{Duration, SystemTime};

#[tokio::test]
async fn create_get_update_list_and_versions() {
    let vault = vault().await;
    let client = vault.key_client().unwrap();
    let name = unique("rsa");
    let options = CreateKeyOptions {
        key_size: Some(3072),
        tags: Some([("team".to_owned(), "keys".to_owned())].into()),
        ..Default::default()
    };
    let rsa = client
        .create_rsa_key(&name, Some(options))
        .await
        .unwrap()
        .into_model();
    assert_eq!(rsa.key_type(), Some(&KeyType::Rsa));
    assert_eq!(rsa.key.n.as_ref().unwrap().len(), 384);
    assert_eq!(rsa.key.e.as_deref(), Some(&[1u8, 0, 1][..]));
    assert!(
        !rsa.key.has_private_key(),
        "private material must not leave the vault"
    );
    assert_eq!(rsa.key_operations().len(), 6);
    assert_eq!(rsa.properties.tags["team"], "keys");
    assert_eq!(rsa.name(), name);

    for (curve, len) in [
        (KeyCurveName::P256, 32),
        (KeyCurveName::P384, 48),
        (KeyCurveName::P521, 66),
        (KeyCurveName::P256K, 32),
    ] {
        let options = CreateKeyOptions {
            curve: Some(curve.clone()),
            hardware_protected: true,
            ..Default::default()
        };
        let ec = client
            .create_ec_key(&unique("ec"), Some(options))
            .await
            .unwrap()
            .into_model();
        assert_eq!(ec.key_type(), Some(&KeyType::EcHsm));
        assert_eq!(ec.key.crv.as_ref(), Some(&curve));
        assert_eq!(ec.key.x.as_ref().unwrap().len(), len);
        assert_eq!(
            ec.key_operations(),
            [KeyOperation::Sign, KeyOperation::Verify]
        );
    }
    let oct = client
        .create_oct_key(
            &unique("oct"),
            Some(CreateKeyOptions {
                key_size: Some(128),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(oct.key_type(), Some(&KeyType::Oct));
    assert!(oct.key.k.is_none());

    let got = client.get_key(&name, None).await.unwrap().into_model();
    assert_eq!(got.id(), rsa.id());
    let expires = SystemTime::now() + Duration::from_secs(86_400);
    let updated = client
        .update_key_properties(
            &name,
            Some(UpdateKeyPropertiesOptions {
                key_operations: Some(vec![KeyOperation::Verify]),
                enabled: Some(false),
                expires_on: Some(expires),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(updated.key_operations(), [KeyOperation::Verify]);
    assert_eq!(updated.properties.enabled, Some(false));
    assert_eq!(
        updated
            .properties
            .expires_on
            .unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        expires
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    );
    let second = client
        .create_rsa_key(&name, None)
        .await
        .unwrap()
        .into_model();
    let old = client
        .get_key(
            &name,
            Some(GetKeyOptions {
                version: rsa.properties.version.clone(),
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(old.key.n, rsa.key.n);
    assert_ne!(second.key.n, rsa.key.n);

    let versions: Vec<_> = client
        .list_properties_of_key_versions(
            &name,
            Some(ListKeysOptions {
                max_page_size: Some(1),
                ..Default::default()
            }),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    let all: Vec<_> = client
        .list_properties_of_keys(Some(ListKeysOptions {
            max_page_size: Some(2),
            ..Default::default()
        }))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 6, "{all:?}");
    assert!(all.iter().any(|k| k.name == name));
}

#[tokio::test]
async fn delete_recover_purge_backup_restore() {
    let vault = vault().await;
    let client = vault.key_client().unwrap();
    let name = unique("life");
    let created = client
        .create_ec_key(&name, None)
        .await
        .unwrap()
        .into_model();
    let backup = client.backup_key(&name).await.unwrap().into_model();
    assert!(!backup.is_empty());

    let deleted = client.begin_delete_key(&name).await.unwrap().await.unwrap();
    assert_eq!(deleted.name(), name);
    assert!(deleted.recovery_id.is_some());
    assert!(deleted.scheduled_purge_date.unwrap() > SystemTime::now());
    assert_eq!(
        client
            .get_deleted_key(&name)
            .await
            .unwrap()
            .into_model()
            .key
            .key
            .x,
        created.key.x
    );
    let listed: Vec<_> = client.list_deleted_keys(None).try_collect().await.unwrap();
    assert_eq!(listed.iter().filter(|d| d.name() == name).count(), 1);
    let err = client.get_key(&name, None).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.code(), Some("KeyNotFound"));

    let recovered = client
        .begin_recover_deleted_key(&name)
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(recovered.key.x, created.key.x);
    assert_eq!(
        client.get_key(&name, None).await.unwrap().into_model().id(),
        created.id()
    );

    client.begin_delete_key(&name).await.unwrap().await.unwrap();
    client.purge_deleted_key(&name).await.unwrap();
    assert!(client.get_deleted_key(&name).await.is_err());
    let restored = client
        .restore_key_backup(&backup)
        .await
        .unwrap()
        .into_model();
    assert_eq!(restored.key.x, created.key.x);
    assert_eq!(restored.id(), created.id());
    // Restoring over an existing key is a conflict.
    let err = client.restore_key_backup(&backup).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    let err = client
        .restore_key_backup(b"not a backup")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn rotation_policy_rotate_and_random_bytes() {
    let vault = vault().await;
    let client = vault.key_client().unwrap();
    let name = unique("rotate");
    let first = client
        .create_rsa_key(&name, None)
        .await
        .unwrap()
        .into_model();
    let default = client
        .get_key_rotation_policy(&name)
        .await
        .unwrap()
        .into_model();
    assert_eq!(
        default.lifetime_actions[0].action,
        KeyRotationPolicyAction::Notify
    );
    let policy = KeyRotationPolicy::new(
        vec![KeyRotationLifetimeAction::after_create(
            KeyRotationPolicyAction::Rotate,
            "P90D",
        )],
        Some("P1Y".into()),
    );
    let stored = client
        .update_key_rotation_policy(&name, &policy)
        .await
        .unwrap()
        .into_model();
    assert_eq!(stored.lifetime_actions, policy.lifetime_actions);
    assert_eq!(stored.expires_in.as_deref(), Some("P1Y"));
    assert!(stored.id.unwrap().ends_with("/rotationpolicy"));
    assert_eq!(
        client
            .get_key_rotation_policy(&name)
            .await
            .unwrap()
            .into_model()
            .expires_in
            .as_deref(),
        Some("P1Y")
    );

    let rotated = client.rotate_key(&name).await.unwrap().into_model();
    assert_ne!(rotated.properties.version, first.properties.version);
    assert_eq!(rotated.key.n.as_ref().unwrap().len(), 256);
    assert_ne!(rotated.key.n, first.key.n);
    let year = rotated
        .properties
        .expires_on
        .unwrap()
        .duration_since(rotated.properties.created_on.unwrap())
        .unwrap();
    assert_eq!(year.as_secs(), 365 * 86_400);

    // Invalid policies: both triggers (refused before sending) and too short an expiry (400).
    let mut action =
        KeyRotationLifetimeAction::after_create(KeyRotationPolicyAction::Rotate, "P30D");
    action.time_before_expiry = Some("P30D".into());
    let both = KeyRotationPolicy::new(vec![action], None);
    assert_eq!(
        client
            .update_key_rotation_policy(&name, &both)
            .await
            .unwrap_err()
            .kind(),
        &ErrorKind::InvalidInput
    );
    let short = KeyRotationPolicy::new(vec![], Some("P7D".into()));
    assert_eq!(
        client
            .update_key_rotation_policy(&name, &short)
            .await
            .unwrap_err()
            .code(),
        Some("BadParameter")
    );

    let a = client.get_random_bytes(32).await.unwrap().into_model();
    let b = client.get_random_bytes(32).await.unwrap().into_model();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    assert_eq!(
        client.get_random_bytes(0).await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn import_rustcrypto_keys() {
    let vault = vault().await;
    let client = vault.key_client().unwrap();
    let private = rsa::RsaPrivateKey::new(&mut rand_core(), 2048).unwrap();
    let mut jwk = JsonWebKey::from(&private);
    jwk.key_ops = vec![KeyOperation::Sign, KeyOperation::Verify];
    let imported = client
        .import_key(&unique("imported"), &jwk, None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(imported.key.n, jwk.n);
    assert_eq!(
        imported.key_operations(),
        [KeyOperation::Sign, KeyOperation::Verify]
    );
    assert!(!imported.key.has_private_key());

    let ec = p256::SecretKey::random(&mut rand_core());
    let jwk = JsonWebKey::from(&ec);
    let options = ImportKeyOptions {
        hardware_protected: Some(true),
        ..Default::default()
    };
    let imported = client
        .import_key(&unique("imported-ec"), &jwk, Some(options))
        .await
        .unwrap()
        .into_model();
    assert_eq!(imported.key_type(), Some(&KeyType::EcHsm));
    assert_eq!(imported.key.x, jwk.x);

    // A public key cannot be imported; the client says so before sending.
    let err = client
        .import_key("x", &jwk.public_key(), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    // Inconsistent material: the emulator refuses with the service's shape.
    let mut broken = jwk.clone();
    broken.x = JsonWebKey::from(&p256::SecretKey::random(&mut rand_core())).x;
    let err = client
        .import_key(&unique("broken"), &broken, None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.code(), Some("BadParameter"));
}

fn rand_core() -> impl rsa::rand_core::CryptoRngCore {
    rsa::rand_core::OsRng
}

#[tokio::test]
async fn bad_input_is_refused_before_sending_or_with_the_service_shape() {
    let vault = vault().await;
    let client = vault.key_client().unwrap();
    for bad in ["", "a_b", "a/b", &"x".repeat(128)] {
        assert_eq!(
            client.get_key(bad, None).await.unwrap_err().kind(),
            &ErrorKind::InvalidInput,
            "{bad}"
        );
    }
    let err = client
        .get_key(
            "k",
            Some(GetKeyOptions {
                version: Some("../x".into()),
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    for (kty, options) in [
        (
            KeyType::Rsa,
            CreateKeyOptions {
                key_size: Some(1024),
                ..Default::default()
            },
        ),
        (
            KeyType::Ec,
            CreateKeyOptions {
                curve: Some(KeyCurveName::from("P-999")),
                ..Default::default()
            },
        ),
        (
            KeyType::Oct,
            CreateKeyOptions {
                key_size: Some(100),
                ..Default::default()
            },
        ),
        (KeyType::from("DSA"), CreateKeyOptions::default()),
    ] {
        let err = client
            .create_key(&unique("bad"), kty.clone(), Some(options))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{kty}");
        assert_eq!(err.code(), Some("BadParameter"), "{kty}");
    }
    let err = client
        .list_properties_of_keys(Some(ListKeysOptions {
            max_page_size: Some(99),
            ..Default::default()
        }))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
}

#[tokio::test]
async fn keys_survive_an_emulator_restart_with_a_data_dir() {
    let dir = std::env::temp_dir().join(format!("azkv-keys-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = || azkv_testing::TestVaultOptions {
        emulator: azkv_testing::EmulatorConfig {
            data_dir: Some(dir.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let first = azkv_testing::TestVault::start_with(options())
        .await
        .unwrap();
    let client = first.key_client().unwrap();
    let kept = client
        .create_ec_key("kept", None)
        .await
        .unwrap()
        .into_model();
    let policy = KeyRotationPolicy::new(vec![], Some("P90D".into()));
    client
        .update_key_rotation_policy("kept", &policy)
        .await
        .unwrap();
    client.create_rsa_key("deleted", None).await.unwrap();
    client
        .begin_delete_key("deleted")
        .await
        .unwrap()
        .await
        .unwrap();
    first.shutdown().await;

    let second = azkv_testing::TestVault::start_with(options())
        .await
        .unwrap();
    let client = second.key_client().unwrap();
    let again = client.get_key("kept", None).await.unwrap().into_model();
    assert_eq!(again.key.x, kept.key.x);
    assert_eq!(again.properties.version, kept.properties.version);
    assert_eq!(
        client
            .get_key_rotation_policy("kept")
            .await
            .unwrap()
            .into_model()
            .expires_in
            .as_deref(),
        Some("P90D")
    );
    assert_eq!(
        client
            .get_deleted_key("deleted")
            .await
            .unwrap()
            .into_model()
            .name(),
        "deleted"
    );
    // The private half survived too: a signature made now verifies with the old public key.
    let crypto = client.get_cryptography_client("kept", None).unwrap();
    let signed = crypto
        .sign_data(SignatureAlgorithm::Es256, b"after restart")
        .await
        .unwrap();
    let offline = CryptographyClient::from_jwk(kept.key.clone());
    assert!(
        offline
            .verify_data(
                SignatureAlgorithm::Es256,
                b"after restart",
                &signed.signature
            )
            .await
            .unwrap()
            .is_valid
    );
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
