//! The blocking secret client from plain #[test] functions, through every main operation.

use azkv_core::ErrorKind;
use azkv_secrets::{ListSecretsOptions, UpdateSecretPropertiesOptions};
use azkv_testing::blocking::TestVault;

#[test]
fn blocking_client_main_operations() {
    let vault = TestVault::start().unwrap();
    let client = vault.secret_client().unwrap();
    let first = client.set_secret("cfg", "one", None).unwrap().into_model();
    client.set_secret("cfg", "two", None).unwrap();
    assert_eq!(
        client
            .get_secret("cfg", None)
            .unwrap()
            .into_model()
            .value
            .expose(),
        "two"
    );
    let updated = client
        .update_secret_properties(
            "cfg",
            Some(UpdateSecretPropertiesOptions {
                content_type: Some("text/plain".into()),
                ..Default::default()
            }),
        )
        .unwrap()
        .into_model();
    assert_eq!(updated.content_type.as_deref(), Some("text/plain"));
    for i in 0..4 {
        client.set_secret(&format!("more-{i}"), "x", None).unwrap();
    }
    let names: Vec<String> = client
        .list_secret_properties(Some(ListSecretsOptions {
            max_page_size: Some(2),
            ..Default::default()
        }))
        .map(|p| p.unwrap().name)
        .collect();
    assert_eq!(names.len(), 5);
    let versions: Vec<_> = client
        .list_secret_versions("cfg", None)
        .map(|v| v.unwrap())
        .collect();
    assert_eq!(versions.len(), 2);
    assert!(versions
        .iter()
        .any(|v| v.version == first.properties.version));

    let backup = client.backup_secret("cfg", None).unwrap().into_model();
    let deleted = client
        .begin_delete_secret("cfg", None)
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(deleted.name(), "cfg");
    assert_eq!(
        client
            .get_deleted_secret("cfg", None)
            .unwrap()
            .into_model()
            .name(),
        "cfg"
    );
    assert_eq!(client.list_deleted_secrets(None).count(), 1);
    client
        .begin_recover_deleted_secret("cfg", None)
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(
        client
            .get_secret("cfg", None)
            .unwrap()
            .into_model()
            .value
            .expose(),
        "two"
    );
    client
        .begin_delete_secret("cfg", None)
        .unwrap()
        .wait()
        .unwrap();
    client.purge_deleted_secret("cfg", None).unwrap();
    let restored = client
        .restore_secret_backup(&backup, None)
        .unwrap()
        .into_model();
    assert_eq!(restored.name, "cfg");

    let err = client.get_secret("missing", None).unwrap_err();
    assert_eq!(err.code(), Some("SecretNotFound"));
}

#[test]
fn blocking_clients_work_from_several_threads() {
    let vault = TestVault::start().unwrap();
    let client = vault.secret_client().unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let client = client.clone();
            scope.spawn(move || {
                for i in 0..5 {
                    client.set_secret(&format!("t{t}-{i}"), "v", None).unwrap();
                }
            });
        }
    });
    assert_eq!(client.list_secret_properties(None).count(), 20);
}

#[tokio::test]
async fn blocking_calls_inside_a_runtime_are_a_typed_error() {
    let vault = azkv_testing::TestVault::start().await.unwrap();
    let client = azkv_secrets::blocking::SecretClient::from_async(vault.secret_client()).unwrap();
    let err = client.get_secret("x", None).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BlockingInAsyncContext);
    let err = client.set_secret("x", "v", None).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BlockingInAsyncContext);
    assert_eq!(
        client
            .list_secret_properties(None)
            .next()
            .unwrap()
            .unwrap_err()
            .kind(),
        &ErrorKind::BlockingInAsyncContext
    );
    assert_eq!(
        TestVault::start().unwrap_err().kind(),
        &ErrorKind::BlockingInAsyncContext
    );
    drop(client);
}

#[test]
fn blocking_key_and_cryptography_clients() {
    use azkv_keys::{EncryptionAlgorithm, SignatureAlgorithm};
    let vault = TestVault::start().unwrap();
    let keys = vault.key_client().unwrap();
    let key = keys
        .create_rsa_key("blocking-rsa", None)
        .unwrap()
        .into_model();
    let crypto = keys.get_cryptography_client(key.name(), None).unwrap();
    let sealed = crypto
        .encrypt(EncryptionAlgorithm::RsaOaep256, b"blocking", None)
        .unwrap();
    let opened = crypto
        .decrypt(EncryptionAlgorithm::RsaOaep256, &sealed.ciphertext, None)
        .unwrap();
    assert_eq!(opened.plaintext.expose(), b"blocking");
    let signed = crypto.sign_data(SignatureAlgorithm::Rs256, b"doc").unwrap();
    assert!(
        crypto
            .verify_data(SignatureAlgorithm::Rs256, b"doc", &signed.signature)
            .unwrap()
            .is_valid
    );
    assert_eq!(keys.list_properties_of_keys(None).count(), 1);
    let deleted = keys
        .begin_delete_key("blocking-rsa")
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(deleted.name(), "blocking-rsa");
    let recovered = keys
        .begin_recover_deleted_key("blocking-rsa")
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(recovered.key.n, key.key.n);
    // Inside a runtime the blocking client refuses rather than blocking it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime.block_on(async { keys.get_key("blocking-rsa", None).unwrap_err() });
    assert_eq!(err.kind(), &ErrorKind::BlockingInAsyncContext);
}

#[test]
fn blocking_certificate_client() {
    use azkv_certificates::CertificatePolicy;
    let vault = TestVault::start().unwrap();
    let certificates = vault.certificate_client().unwrap();
    let created = certificates
        .begin_create_certificate("blocking-cert", &CertificatePolicy::default_policy(), None)
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(created.x509().unwrap().subject, "CN=DefaultPolicy");
    assert_eq!(
        certificates.list_properties_of_certificates(None).count(),
        1
    );
    let backup = certificates
        .backup_certificate("blocking-cert")
        .unwrap()
        .into_model();
    certificates
        .begin_delete_certificate("blocking-cert")
        .unwrap()
        .wait()
        .unwrap();
    let recovered = certificates
        .begin_recover_deleted_certificate("blocking-cert")
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(recovered.cer, created.cer);
    assert!(!backup.is_empty());
}
