//! CertificateClient against the emulator: every operation; issued certificates checked as
//! X.509; the private key from the secret matches; the key signs through the keys API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use azkv_certificates::*;
use azkv_core::ErrorKind;
use azkv_keys::{CryptographyClient, SignatureAlgorithm};
use azkv_testing::TestVault;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::TryStreamExt;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use std::time::{Duration, SystemTime};

fn status(err: &azkv_core::Error) -> Option<u16> {
    err.status().map(|s| s.as_u16())
}

fn pem_block(pem: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let start = pem.find(&begin).unwrap() + begin.len();
    let end = pem[start..].find("-----END").unwrap() + start;
    let body: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(body).unwrap()
}

#[tokio::test]
async fn self_signed_certificates_are_real_x509_with_matching_keys() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.certificate_client().unwrap();
    let mut policy = CertificatePolicy::new("Self", "CN=api.example, O=azkv tests");
    policy.san_dns_names = vec!["api.example".into(), "www.api.example".into()];
    policy.san_emails = vec!["pki@api.example".into()];
    policy.key_type = Some(KeyType::Rsa);
    policy.key_size = Some(3072);
    policy.content_type = Some(CertificateContentType::Pem);
    policy.validity_in_months = Some(6);
    policy.enhanced_key_usage = vec!["1.3.6.1.5.5.7.3.1".into(), "1.3.6.1.5.5.7.3.3".into()];
    let created = client
        .begin_create_certificate("api-tls", &policy, None)
        .await
        .unwrap()
        .await
        .unwrap();
    let x509 = created.x509().unwrap();
    assert!(x509.subject.contains("CN=api.example"), "{}", x509.subject);
    assert_eq!(x509.subject, x509.issuer, "self-signed");
    assert_eq!(x509.dns_names, ["api.example", "www.api.example"]);
    assert_eq!(x509.emails, ["pki@api.example"]);
    assert_eq!(x509.public_key, PublicKeyInfo::Rsa { bits: 3072 });
    assert_eq!(
        x509.extended_key_usages,
        ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.3"]
    );
    let days = x509
        .not_after
        .duration_since(x509.not_before)
        .unwrap()
        .as_secs()
        / 86_400;
    assert!((175..=185).contains(&days), "{days} days");
    assert!(x509.is_valid_at(None));
    assert_eq!(x509.sha1_thumbprint, created.properties.x509_thumbprint);
    assert_eq!(
        created.policy.as_ref().unwrap().san_dns_names,
        policy.san_dns_names
    );
    assert_eq!(created.content_type, Some(CertificateContentType::Pem));

    // The secret holds the private key, and it is the certificate's.
    let secrets = vault.secret_client();
    let pem = secrets
        .get_secret("api-tls", None)
        .await
        .unwrap()
        .into_model();
    let private =
        rsa::RsaPrivateKey::from_pkcs8_der(&pem_block(pem.value.expose(), "PRIVATE KEY")).unwrap();
    let public_der = rsa::RsaPublicKey::from(&private)
        .to_public_key_der()
        .unwrap();
    assert_eq!(public_der.as_bytes(), x509.public_key_der.as_slice());
    assert_eq!(pem_block(pem.value.expose(), "CERTIFICATE"), created.cer);

    // The key signs through the keys API; the certificate's public key verifies.
    let crypto = CryptographyClient::new(
        created.key_id.as_deref().unwrap(),
        vault.credential(),
        Some(vault.key_client_options()),
    )
    .unwrap();
    let signed = crypto
        .sign_data(SignatureAlgorithm::Rs256, b"release manifest")
        .await
        .unwrap();
    let public = rsa::RsaPublicKey::from_public_key_der(&x509.public_key_der).unwrap();
    let digest = azkv_keys::digest_of(&SignatureAlgorithm::Rs256, b"release manifest").unwrap();
    public
        .verify(
            rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            &digest,
            &signed.signature,
        )
        .unwrap();

    // Versions, listing, properties, policy.
    let second = client
        .begin_create_certificate("api-tls", &policy, None)
        .await
        .unwrap()
        .await
        .unwrap();
    assert_ne!(second.properties.version, created.properties.version);
    let versions: Vec<_> = client
        .list_properties_of_certificate_versions("api-tls", None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    let old = client
        .get_certificate_version("api-tls", created.properties.version.as_deref().unwrap())
        .await
        .unwrap()
        .into_model();
    assert_eq!(old.cer, created.cer);
    let updated = client
        .update_certificate_properties(
            "api-tls",
            Some(UpdateCertificatePropertiesOptions {
                enabled: Some(false),
                tags: Some([("team".to_owned(), "pki".to_owned())].into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(updated.properties.enabled, Some(false));
    assert_eq!(updated.properties.tags["team"], "pki");
    let mut change = CertificatePolicy::default();
    change.validity_in_months = Some(24);
    let changed = client
        .update_certificate_policy("api-tls", &change)
        .await
        .unwrap()
        .into_model();
    assert_eq!(changed.validity_in_months, Some(24));
    assert_eq!(
        changed.subject.as_deref(),
        Some("CN=api.example, O=azkv tests"),
        "unset fields stay"
    );
    let all: Vec<_> = client
        .list_properties_of_certificates(None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn default_policy_gives_a_pkcs12_secret() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.certificate_client().unwrap();
    let created = client
        .begin_create_certificate("default", &CertificatePolicy::default_policy(), None)
        .await
        .unwrap()
        .await
        .unwrap();
    let x509 = created.x509().unwrap();
    assert_eq!(x509.subject, "CN=DefaultPolicy");
    assert_eq!(x509.public_key, PublicKeyInfo::Rsa { bits: 2048 });
    let secret = vault
        .secret_client()
        .get_secret("default", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(
        secret.properties.content_type.as_deref(),
        Some("application/x-pkcs12")
    );
    let pfx = STANDARD.decode(secret.value.expose()).unwrap();
    // It imports back (as another certificate) without a password: a well-formed PKCS#12.
    let again = client
        .import_certificate("from-pfx", &pfx, None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(again.cer, created.cer);
}

/// A public key taken from a signing request, for rcgen to certify.
struct CsrKey(Vec<u8>);

impl rcgen::PublicKeyData for CsrKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

fn sign_request(csr: &[u8], ca: &rcgen::Issuer<'_, rcgen::KeyPair>) -> Vec<u8> {
    use x509_cert::der::Decode;
    let request = x509_cert::request::CertReq::from_der(csr).unwrap();
    let key = CsrKey(
        request
            .info
            .public_key
            .subject_public_key
            .raw_bytes()
            .to_vec(),
    );
    let mut params = rcgen::CertificateParams::new(vec!["merged.example".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "merged.example");
    params.signed_by(&key, ca).unwrap().der().to_vec()
}

#[tokio::test]
async fn unknown_issuer_pending_then_merge() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.certificate_client().unwrap();
    let mut policy = CertificatePolicy::new("Unknown", "CN=merged.example");
    policy.key_type = Some(KeyType::Ec);
    policy.key_curve_name = Some(KeyCurveName::P256);
    let poller = client
        .begin_create_certificate("merged", &policy, None)
        .await
        .unwrap();
    let op = client
        .get_certificate_operation("merged")
        .await
        .unwrap()
        .into_model();
    assert_eq!(op.status.as_deref(), Some("inProgress"));
    assert_eq!(op.issuer_name.as_deref(), Some("Unknown"));
    assert!(!op.csr.is_empty());
    let listed: Vec<_> = client
        .list_properties_of_certificates(Some(ListCertificatesOptions {
            include_pending: Some(true),
            ..Default::default()
        }))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        listed.len(),
        1,
        "a pending certificate is listed with includePending"
    );

    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "azkv test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::Issuer::new(ca_params, ca_key);

    // A certificate for another key does not merge.
    let other = rcgen::KeyPair::generate().unwrap();
    let wrong = rcgen::CertificateParams::new(vec!["merged.example".to_owned()])
        .unwrap()
        .signed_by(&other, &ca)
        .unwrap();
    let err = client
        .merge_certificate("merged", &[wrong.der().to_vec()], None)
        .await
        .unwrap_err();
    assert_eq!(
        (status(&err), err.code()),
        (Some(400), Some("BadParameter"))
    );

    let signed = sign_request(&op.csr, &ca);
    let merged = client
        .merge_certificate("merged", std::slice::from_ref(&signed), None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(merged.cer, signed);
    assert_eq!(merged.x509().unwrap().issuer, "CN=azkv test CA");
    let done = poller.await.unwrap();
    assert_eq!(done.cer, signed);
    assert_eq!(
        client
            .get_certificate_operation("merged")
            .await
            .unwrap()
            .into_model()
            .status
            .as_deref(),
        Some("completed")
    );
}

#[tokio::test]
async fn cancelling_and_deleting_a_pending_operation() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.certificate_client().unwrap();
    let poller = client
        .begin_create_certificate(
            "cancelled",
            &CertificatePolicy::new("Unknown", "CN=c"),
            None,
        )
        .await
        .unwrap();
    let op = client
        .cancel_certificate_operation("cancelled")
        .await
        .unwrap()
        .into_model();
    assert!(op.cancellation_requested);
    assert_eq!(op.status.as_deref(), Some("cancelled"));
    let err = poller.await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::OperationFailed { .. }),
        "{err:?}"
    );
    client
        .delete_certificate_operation("cancelled")
        .await
        .unwrap();
    assert_eq!(
        status(
            &client
                .get_certificate_operation("cancelled")
                .await
                .unwrap_err()
        ),
        Some(404)
    );
}

#[tokio::test]
async fn import_pem_and_pfx_and_bad_input() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.certificate_client().unwrap();
    // Make a PEM certificate with the emulator, then import it elsewhere under a new name.
    let mut policy = CertificatePolicy::new("Self", "CN=pem.example");
    policy.content_type = Some(CertificateContentType::Pem);
    let made = client
        .begin_create_certificate("made", &policy, None)
        .await
        .unwrap()
        .await
        .unwrap();
    let pem = vault
        .secret_client()
        .get_secret("made", None)
        .await
        .unwrap()
        .into_model();
    let imported = client
        .import_certificate("imported-pem", pem.value.expose().as_bytes(), None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(imported.cer, made.cer);
    assert_eq!(imported.content_type, Some(CertificateContentType::Pem));
    assert_eq!(
        imported
            .properties
            .expires_on
            .map(|t| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()),
        Some(
            made.x509()
                .unwrap()
                .not_after
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        )
    );

    // Corrupt PKCS#12 and a wrong password: the service's 400.
    let made_pfx = client
        .begin_create_certificate("made-pfx", &CertificatePolicy::default_policy(), None)
        .await
        .unwrap()
        .await
        .unwrap();
    let pfx = STANDARD
        .decode(
            vault
                .secret_client()
                .get_secret("made-pfx", None)
                .await
                .unwrap()
                .into_model()
                .value
                .expose(),
        )
        .unwrap();
    let err = client
        .import_certificate(
            "wrong-password",
            &pfx,
            Some(ImportCertificateOptions {
                password: Some("not-it".to_owned().into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (status(&err), err.code()),
        (Some(400), Some("BadParameter"))
    );
    let mut corrupt = pfx.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0xff;
    assert_eq!(
        status(
            &client
                .import_certificate("corrupt", &corrupt, None)
                .await
                .unwrap_err()
        ),
        Some(400)
    );
    assert_eq!(
        client
            .import_certificate("empty", b"", None)
            .await
            .unwrap_err()
            .kind(),
        &ErrorKind::InvalidInput
    );
    let ok = client
        .import_certificate("right", &pfx, None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(ok.cer, made_pfx.cer);

    // Invalid policies.
    for (kty, size, months) in [
        (KeyType::Oct, None, None),
        (KeyType::Rsa, Some(1024), None),
        (KeyType::Rsa, None, Some(0)),
    ] {
        let mut bad = CertificatePolicy::new("Self", "CN=bad");
        bad.key_type = Some(kty);
        bad.key_size = size;
        bad.validity_in_months = months;
        let err = client
            .begin_create_certificate("bad", &bad, None)
            .await
            .unwrap_err();
        assert_eq!(
            (status(&err), err.code()),
            (Some(400), Some("BadParameter"))
        );
    }
    assert_eq!(
        client.get_certificate("a_b").await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn lifecycle_issuers_and_contacts() {
    let vault = TestVault::start().await.unwrap();
    let client = vault.certificate_client().unwrap();
    let created = client
        .begin_create_certificate("life", &CertificatePolicy::default_policy(), None)
        .await
        .unwrap()
        .await
        .unwrap();
    let backup = client
        .backup_certificate("life")
        .await
        .unwrap()
        .into_model();
    let deleted = client
        .begin_delete_certificate("life")
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(deleted.name(), "life");
    assert!(
        deleted.scheduled_purge_date.unwrap() > SystemTime::now() + Duration::from_secs(86_400)
    );
    // The key and secret went with it.
    assert_eq!(
        status(
            &vault
                .secret_client()
                .get_secret("life", None)
                .await
                .unwrap_err()
        ),
        Some(404)
    );
    let listed: Vec<_> = client
        .list_deleted_certificates(None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        client
            .get_deleted_certificate("life")
            .await
            .unwrap()
            .into_model()
            .certificate
            .cer,
        created.cer
    );
    let recovered = client
        .begin_recover_deleted_certificate("life")
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(recovered.cer, created.cer);
    assert!(vault.secret_client().get_secret("life", None).await.is_ok());
    client
        .begin_delete_certificate("life")
        .await
        .unwrap()
        .await
        .unwrap();
    client.purge_deleted_certificate("life").await.unwrap();
    let restored = client
        .restore_certificate_backup(&backup)
        .await
        .unwrap()
        .into_model();
    assert_eq!(restored.cer, created.cer);
    assert_eq!(
        status(
            &client
                .restore_certificate_backup(&backup)
                .await
                .unwrap_err()
        ),
        Some(409)
    );

    let options = IssuerOptions {
        account_id: Some("acct".into()),
        password: Some("issuer-password".to_owned().into()),
        organization_id: Some("org".into()),
        admin_contacts: Some(vec![AdministratorContact::new("admin@example.com")]),
        enabled: Some(true),
    };
    let issuer = client
        .create_issuer("ca-one", "Test", Some(options))
        .await
        .unwrap()
        .into_model();
    assert_eq!(
        (
            issuer.name.as_str(),
            issuer.provider.as_deref(),
            issuer.account_id.as_deref()
        ),
        ("ca-one", Some("Test"), Some("acct"))
    );
    let updated = client
        .update_issuer(
            "ca-one",
            None,
            Some(IssuerOptions {
                account_id: Some("acct-2".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    assert_eq!(updated.account_id.as_deref(), Some("acct-2"));
    assert_eq!(
        updated.admin_contacts[0].email.as_deref(),
        Some("admin@example.com")
    );
    let issuers: Vec<_> = client
        .list_properties_of_issuers()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(issuers.len(), 1);
    client.delete_issuer("ca-one").await.unwrap();
    assert_eq!(
        status(&client.get_issuer("ca-one").await.unwrap_err()),
        Some(404)
    );

    assert_eq!(status(&client.get_contacts().await.unwrap_err()), Some(404));
    let set = client
        .set_contacts(&[CertificateContact::new("pki@example.com", "PKI")])
        .await
        .unwrap()
        .into_model();
    assert_eq!(set[0].email.as_deref(), Some("pki@example.com"));
    assert_eq!(
        client.get_contacts().await.unwrap().into_model()[0]
            .name
            .as_deref(),
        Some("PKI")
    );
    client.delete_contacts().await.unwrap();
    assert_eq!(status(&client.get_contacts().await.unwrap_err()), Some(404));
    let err = client
        .set_contacts(&[CertificateContact::new("not-an-email", "x")])
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
}

#[tokio::test]
async fn certificates_survive_an_emulator_restart_with_a_data_dir() {
    let dir = std::env::temp_dir().join(format!("azkv-certs-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = || azkv_testing::TestVaultOptions {
        emulator: azkv_testing::EmulatorConfig {
            data_dir: Some(dir.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let first = TestVault::start_with(options()).await.unwrap();
    let created = first
        .certificate_client()
        .unwrap()
        .begin_create_certificate("kept", &CertificatePolicy::default_policy(), None)
        .await
        .unwrap()
        .await
        .unwrap();
    first.shutdown().await;

    let second = TestVault::start_with(options()).await.unwrap();
    let again = second
        .certificate_client()
        .unwrap()
        .get_certificate("kept")
        .await
        .unwrap()
        .into_model();
    assert_eq!(again.cer, created.cer);
    assert_eq!(
        again.policy.unwrap().subject.as_deref(),
        Some("CN=DefaultPolicy")
    );
    // Its secret and key came back too.
    let secret = second
        .secret_client()
        .get_secret("kept", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(
        secret.properties.content_type.as_deref(),
        Some("application/x-pkcs12")
    );
    let key = second
        .key_client()
        .unwrap()
        .get_key("kept", None)
        .await
        .unwrap()
        .into_model();
    assert_eq!(key.properties.version, created.properties.version);
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
