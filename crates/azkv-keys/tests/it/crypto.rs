//! Cryptography across the wire, in both directions, for every algorithm: what the emulator
//! signs verifies locally (our client and RustCrypto directly) and what is encrypted or
//! wrapped locally opens in the emulator.

use crate::{unique, vault};
use azkv_core::ErrorKind;
use azkv_emulator::AccessPolicy;
use azkv_keys::*;
use azkv_testing::TestVault;
use std::time::{Duration, SystemTime};

/// A client whose caller may use keys but not read them: every operation goes to the vault.
fn remote_only(vault: &TestVault, key_id: &str) -> CryptographyClient {
    let policy = AccessPolicy {
        object_id: vault.emulator().object_id_of("azkv-testing"),
        keys: [
            "create",
            "import",
            "encrypt",
            "decrypt",
            "sign",
            "verify",
            "wrapKey",
            "unwrapKey",
        ]
        .map(str::to_owned)
        .to_vec(),
        ..Default::default()
    };
    assert!(vault
        .emulator()
        .set_access_policies("emulator", Some(vec![policy])));
    CryptographyClient::new(key_id, vault.credential(), Some(vault.key_client_options())).unwrap()
}

fn open_policies(vault: &TestVault) {
    assert!(vault.emulator().set_access_policies("emulator", None));
}

#[tokio::test]
async fn signatures_cross_check_for_every_algorithm() {
    let vault = vault().await;
    let keys = vault.key_client().unwrap();
    let rsa = keys
        .create_rsa_key(&unique("sign-rsa"), None)
        .await
        .unwrap()
        .into_model();
    let mut cases: Vec<(KeyVaultKey, SignatureAlgorithm)> = [
        SignatureAlgorithm::Rs256,
        SignatureAlgorithm::Rs384,
        SignatureAlgorithm::Rs512,
        SignatureAlgorithm::Ps256,
        SignatureAlgorithm::Ps384,
        SignatureAlgorithm::Ps512,
    ]
    .into_iter()
    .map(|alg| (rsa.clone(), alg))
    .collect();
    for (curve, alg) in [
        (KeyCurveName::P256, SignatureAlgorithm::Es256),
        (KeyCurveName::P256K, SignatureAlgorithm::Es256K),
        (KeyCurveName::P384, SignatureAlgorithm::Es384),
        (KeyCurveName::P521, SignatureAlgorithm::Es512),
    ] {
        let options = CreateKeyOptions {
            curve: Some(curve),
            ..Default::default()
        };
        let key = keys
            .create_ec_key(&unique("sign-ec"), Some(options))
            .await
            .unwrap()
            .into_model();
        cases.push((key, alg));
    }
    for (key, alg) in &cases {
        let client = CryptographyClient::new(
            key.id().unwrap(),
            vault.credential(),
            Some(vault.key_client_options()),
        )
        .unwrap();
        let data = format!("signed with {alg}");
        // The emulator signs (no private half here)...
        let signed = client
            .sign_data(alg.clone(), data.as_bytes())
            .await
            .unwrap();
        assert_eq!(signed.key_id.as_deref(), key.id());
        // ...and our client verifies locally with the fetched public key...
        let verified = client
            .verify_data(alg.clone(), data.as_bytes(), &signed.signature)
            .await
            .unwrap();
        assert!(verified.is_valid, "{alg} local verify");
        let wrong = client
            .verify_data(alg.clone(), b"other data", &signed.signature)
            .await
            .unwrap();
        assert!(!wrong.is_valid, "{alg} local verify of other data");
        // ...and so does RustCrypto directly.
        let digest = digest_of(alg, data.as_bytes()).unwrap();
        assert!(
            rustcrypto_verify(&key.key, alg, &digest, &signed.signature),
            "{alg} RustCrypto"
        );
    }
    // A local signature made with private material verifies in the emulator, for an
    // imported key of each kind.
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let ec = p256::SecretKey::random(&mut rsa::rand_core::OsRng);
    let mut rng = rsa::rand_core::OsRng;
    let rsa_jwk = JsonWebKey::from(&private);
    let mut signers: Vec<(JsonWebKey, SignatureAlgorithm)> = [
        SignatureAlgorithm::Rs256,
        SignatureAlgorithm::Rs384,
        SignatureAlgorithm::Rs512,
        SignatureAlgorithm::Ps256,
        SignatureAlgorithm::Ps384,
        SignatureAlgorithm::Ps512,
    ]
    .into_iter()
    .map(|alg| (rsa_jwk.clone(), alg))
    .collect();
    signers.push((JsonWebKey::from(&ec), SignatureAlgorithm::Es256));
    signers.push((
        JsonWebKey::from(&k256::SecretKey::random(&mut rng)),
        SignatureAlgorithm::Es256K,
    ));
    signers.push((
        JsonWebKey::from(&p384::SecretKey::random(&mut rng)),
        SignatureAlgorithm::Es384,
    ));
    signers.push((
        JsonWebKey::from(&p521::SecretKey::random(&mut rng)),
        SignatureAlgorithm::Es512,
    ));
    for (jwk, alg) in signers {
        open_policies(&vault);
        let imported = keys
            .import_key(&unique("imported"), &jwk, None)
            .await
            .unwrap()
            .into_model();
        let local = CryptographyClient::from_jwk(jwk.clone());
        let signed = local.sign_data(alg.clone(), b"local").await.unwrap();
        let remote = remote_only(&vault, imported.id().unwrap());
        let verified = remote
            .verify_data(alg.clone(), b"local", &signed.signature)
            .await
            .unwrap();
        assert!(
            verified.is_valid,
            "{alg} remote verify of a local signature"
        );
        let wrong = remote
            .verify_data(alg.clone(), b"nope", &signed.signature)
            .await
            .unwrap();
        assert!(!wrong.is_valid, "{alg}");
    }
}

macro_rules! ecdsa_verify {
    ($module:ident, $jwk:expr, $digest:expr, $signature:expr) => {{
        use $module::ecdsa::signature::hazmat::PrehashVerifier;
        use $module::elliptic_curve::sec1::ToEncodedPoint;
        let point = $module::PublicKey::try_from($jwk)
            .unwrap()
            .to_encoded_point(false);
        let key = $module::ecdsa::VerifyingKey::from_sec1_bytes(point.as_bytes()).unwrap();
        let sig = $module::ecdsa::Signature::from_slice($signature).unwrap();
        key.verify_prehash($digest, &sig).is_ok()
    }};
}

fn rustcrypto_verify(
    jwk: &JsonWebKey,
    alg: &SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    match alg {
        SignatureAlgorithm::Es256 => ecdsa_verify!(p256, jwk, digest, signature),
        SignatureAlgorithm::Es256K => ecdsa_verify!(k256, jwk, digest, signature),
        SignatureAlgorithm::Es384 => ecdsa_verify!(p384, jwk, digest, signature),
        SignatureAlgorithm::Es512 => ecdsa_verify!(p521, jwk, digest, signature),
        _ => {
            let key = rsa::RsaPublicKey::try_from(jwk).unwrap();
            let result = match alg {
                SignatureAlgorithm::Rs256 => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature)
                }
                SignatureAlgorithm::Rs384 => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), digest, signature)
                }
                SignatureAlgorithm::Rs512 => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), digest, signature)
                }
                SignatureAlgorithm::Ps256 => {
                    key.verify(rsa::Pss::new::<sha2::Sha256>(), digest, signature)
                }
                SignatureAlgorithm::Ps384 => {
                    key.verify(rsa::Pss::new::<sha2::Sha384>(), digest, signature)
                }
                _ => key.verify(rsa::Pss::new::<sha2::Sha512>(), digest, signature),
            };
            result.is_ok()
        }
    }
}

#[tokio::test]
async fn rsa_encrypt_and_wrap_locally_open_remotely() {
    let vault = vault().await;
    let keys = vault.key_client().unwrap();
    let key = keys
        .create_rsa_key(&unique("enc-rsa"), None)
        .await
        .unwrap()
        .into_model();
    let local = CryptographyClient::from_jwk(key.key.clone());
    let remote = remote_only(&vault, key.id().unwrap());
    for alg in [
        EncryptionAlgorithm::Rsa15,
        EncryptionAlgorithm::RsaOaep,
        EncryptionAlgorithm::RsaOaep256,
    ] {
        let sealed = local
            .encrypt(alg.clone(), b"plaintext", None)
            .await
            .unwrap();
        let opened = remote
            .decrypt(alg.clone(), &sealed.ciphertext, None)
            .await
            .unwrap();
        assert_eq!(opened.plaintext.expose(), b"plaintext", "{alg}");
        // Tampered ciphertext: an error, never wrong plaintext.
        let mut tampered = sealed.ciphertext.clone();
        tampered[0] ^= 0x80;
        match remote.decrypt(alg.clone(), &tampered, None).await {
            Err(err) => assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{alg}"),
            Ok(opened) => assert_ne!(opened.plaintext.expose(), b"plaintext", "{alg}"),
        }
        // And the other way: the emulator encrypts, the emulator decrypts.
        let sealed = remote
            .encrypt(alg.clone(), b"round trip", None)
            .await
            .unwrap();
        assert_eq!(
            remote
                .decrypt(alg, &sealed.ciphertext, None)
                .await
                .unwrap()
                .plaintext
                .expose(),
            b"round trip"
        );
    }
    for alg in [
        KeyWrapAlgorithm::RsaOaep,
        KeyWrapAlgorithm::RsaOaep256,
        KeyWrapAlgorithm::Rsa15,
    ] {
        let wrapped = local.wrap_key(alg.clone(), &[5; 32]).await.unwrap();
        let unwrapped = remote
            .unwrap_key(alg.clone(), &wrapped.encrypted_key)
            .await
            .unwrap();
        assert_eq!(unwrapped.key.expose(), &[5; 32], "{alg}");
    }
    // Too long for RSA-2048 with OAEP: refused locally, typed.
    let err = local
        .encrypt(EncryptionAlgorithm::RsaOaep256, &[0; 300], None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
}

#[tokio::test]
async fn symmetric_keys_locally_and_remotely() {
    let vault = vault().await;
    let keys = vault.key_client().unwrap();
    for bits in [128usize, 192, 256] {
        let jwk = JsonWebKey::from_json(&format!(
            r#"{{"kty":"oct","k":"{}"}}"#,
            azkv_core::vault::encode_base64url(&vec![bits as u8; bits / 8])
        ))
        .unwrap();
        let imported = keys
            .import_key(&unique("oct"), &jwk, None)
            .await
            .unwrap()
            .into_model();
        let local = CryptographyClient::from_jwk(jwk.clone());
        let remote = CryptographyClient::new(
            imported.id().unwrap(),
            vault.credential(),
            Some(vault.key_client_options()),
        )
        .unwrap();
        let (cbc, cbcpad, kw, gcm) = match bits {
            128 => (
                EncryptionAlgorithm::A128Cbc,
                EncryptionAlgorithm::A128Cbcpad,
                KeyWrapAlgorithm::A128Kw,
                EncryptionAlgorithm::A128Gcm,
            ),
            192 => (
                EncryptionAlgorithm::A192Cbc,
                EncryptionAlgorithm::A192Cbcpad,
                KeyWrapAlgorithm::A192Kw,
                EncryptionAlgorithm::A192Gcm,
            ),
            _ => (
                EncryptionAlgorithm::A256Cbc,
                EncryptionAlgorithm::A256Cbcpad,
                KeyWrapAlgorithm::A256Kw,
                EncryptionAlgorithm::A256Gcm,
            ),
        };
        // CBC (with and without padding): encrypted locally, decrypted in the emulator.
        for (alg, data) in [(cbc, vec![1u8; 32]), (cbcpad, b"odd length".to_vec())] {
            let iv = vec![9u8; 16];
            let sealed = local
                .encrypt(
                    alg.clone(),
                    &data,
                    Some(EncryptOptions {
                        iv: Some(iv.clone()),
                        ..Default::default()
                    }),
                )
                .await
                .unwrap();
            let opened = remote
                .decrypt(
                    alg.clone(),
                    &sealed.ciphertext,
                    Some(DecryptOptions {
                        iv: Some(iv),
                        ..Default::default()
                    }),
                )
                .await
                .unwrap();
            assert_eq!(opened.plaintext.expose(), &data, "{alg}");
        }
        // Key wrap: wrapped locally, unwrapped remotely; tampering is detected.
        let wrapped = local.wrap_key(kw.clone(), &[3; 24]).await.unwrap();
        assert_eq!(
            remote
                .unwrap_key(kw.clone(), &wrapped.encrypted_key)
                .await
                .unwrap()
                .key
                .expose(),
            &[3; 24]
        );
        let mut tampered = wrapped.encrypted_key.clone();
        tampered[4] ^= 1;
        assert_eq!(
            remote
                .unwrap_key(kw.clone(), &tampered)
                .await
                .unwrap_err()
                .code(),
            Some("BadParameter")
        );
        assert_eq!(
            local.unwrap_key(kw, &tampered).await.unwrap_err().kind(),
            &ErrorKind::InvalidInput
        );
        // GCM only in the vault: the local client refuses, the vault round-trips with aad,
        // and a changed tag fails.
        assert_eq!(
            local
                .encrypt(gcm.clone(), b"x", None)
                .await
                .unwrap_err()
                .kind(),
            &ErrorKind::InvalidInput
        );
        let aad = b"header".to_vec();
        let sealed = remote
            .encrypt(
                gcm.clone(),
                b"gcm data",
                Some(EncryptOptions {
                    additional_authenticated_data: Some(aad.clone()),
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        assert_eq!(sealed.iv.as_ref().map(Vec::len), Some(12));
        let tag = sealed.authentication_tag.clone().unwrap();
        let opts = |tag: Vec<u8>| DecryptOptions {
            iv: sealed.iv.clone(),
            additional_authenticated_data: Some(aad.clone()),
            authentication_tag: Some(tag),
        };
        let opened = remote
            .decrypt(gcm.clone(), &sealed.ciphertext, Some(opts(tag.clone())))
            .await
            .unwrap();
        assert_eq!(opened.plaintext.expose(), b"gcm data");
        let mut bad_tag = tag;
        bad_tag[0] ^= 1;
        assert_eq!(
            remote
                .decrypt(gcm, &sealed.ciphertext, Some(opts(bad_tag)))
                .await
                .unwrap_err()
                .code(),
            Some("BadParameter")
        );
    }
}

#[tokio::test]
async fn key_ops_validity_and_bad_input_are_enforced_locally_and_remotely() {
    let vault = vault().await;
    let keys = vault.key_client().unwrap();
    // key_ops: verify only.
    let options = CreateKeyOptions {
        key_operations: Some(vec![KeyOperation::Verify]),
        ..Default::default()
    };
    let key = keys
        .create_rsa_key(&unique("ops"), Some(options))
        .await
        .unwrap()
        .into_model();
    let client = CryptographyClient::new(
        key.id().unwrap(),
        vault.credential(),
        Some(vault.key_client_options()),
    )
    .unwrap();
    let err = client
        .encrypt(EncryptionAlgorithm::RsaOaep, b"x", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput, "local key_ops");
    assert!(err.to_string().contains("key_ops"), "{err}");
    let err = client
        .sign(SignatureAlgorithm::Rs256, &[0; 32])
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(403),
        "remote key_ops"
    );

    // Expired: encrypt and wrap refused locally; verify still works.
    let options = CreateKeyOptions {
        expires_on: Some(SystemTime::now() - Duration::from_secs(60)),
        not_before: Some(SystemTime::now() - Duration::from_secs(120)),
        ..Default::default()
    };
    let expired = keys
        .create_rsa_key(&unique("expired"), Some(options))
        .await
        .unwrap()
        .into_model();
    let client = CryptographyClient::from_key(
        &expired,
        vault.credential(),
        Some(vault.key_client_options()),
    )
    .unwrap();
    let err = client
        .encrypt(EncryptionAlgorithm::RsaOaep, b"x", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    assert!(client
        .wrap_key(KeyWrapAlgorithm::RsaOaep, &[0; 32])
        .await
        .is_err());
    let err = client
        .sign(SignatureAlgorithm::Rs256, &[0; 32])
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(403),
        "the vault refuses to sign with an expired key"
    );
    assert!(
        !client
            .verify(SignatureAlgorithm::Rs256, &[0; 32], &[0; 256])
            .await
            .unwrap()
            .is_valid
    );

    // Disabled: refused locally and remotely.
    let disabled = keys
        .create_ec_key(
            &unique("disabled"),
            Some(CreateKeyOptions {
                enabled: Some(false),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model();
    let client = CryptographyClient::from_key(
        &disabled,
        vault.credential(),
        Some(vault.key_client_options()),
    )
    .unwrap();
    assert!(client
        .verify(SignatureAlgorithm::Es256, &[0; 32], &[0; 64])
        .await
        .unwrap_err()
        .to_string()
        .contains("disabled"));
    assert_eq!(
        client
            .sign(SignatureAlgorithm::Es256, &[0; 32])
            .await
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(403)
    );

    // Digest of the wrong length and an algorithm that does not suit the key.
    let ec = keys
        .create_ec_key(&unique("ec"), None)
        .await
        .unwrap()
        .into_model();
    let client = CryptographyClient::new(
        ec.id().unwrap(),
        vault.credential(),
        Some(vault.key_client_options()),
    )
    .unwrap();
    let err = client
        .sign(SignatureAlgorithm::Es256, &[0; 20])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("BadParameter"), "remote: digest length");
    let err = client
        .verify(SignatureAlgorithm::Es256, &[0; 20], &[0; 64])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput, "local: digest length");
    let err = client
        .verify(SignatureAlgorithm::Rs256, &[0; 32], &[0; 64])
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::InvalidInput,
        "local: RSA algorithm on an EC key"
    );
    let err = client
        .sign(SignatureAlgorithm::Es384, &[0; 48])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("BadParameter"), "remote: wrong curve");
    let remote = remote_only(&vault, ec.id().unwrap());
    let err = remote
        .encrypt(EncryptionAlgorithm::RsaOaep, b"x", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(403),
        "EC keys do not encrypt"
    );
    // A local-only client cannot do what needs the vault.
    let public_only = CryptographyClient::from_jwk(ec.key.clone());
    assert_eq!(
        public_only
            .sign(SignatureAlgorithm::Es256, &[0; 32])
            .await
            .unwrap_err()
            .kind(),
        &ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn the_public_key_is_fetched_once() {
    let vault = vault().await;
    let keys = vault.key_client().unwrap();
    let key = keys
        .create_ec_key(&unique("once"), None)
        .await
        .unwrap()
        .into_model();
    let client = keys.get_cryptography_client(key.name(), None).unwrap();
    let signed = client
        .sign_data(SignatureAlgorithm::Es256, b"x")
        .await
        .unwrap();
    // Delete the key: verification still works from the key fetched before.
    keys.begin_delete_key(key.name())
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(
        client
            .verify_data(SignatureAlgorithm::Es256, b"x", &signed.signature)
            .await
            .unwrap()
            .is_valid
    );
    let clone = client.clone();
    assert!(
        clone
            .verify_data(SignatureAlgorithm::Es256, b"x", &signed.signature)
            .await
            .unwrap()
            .is_valid
    );
}
