//! `cargo xtask bench crypto`: local verify and encrypt versus the same operations done by
//! the emulator over HTTPS (one task, keep-alive), for RSA-2048 and P-256. Prints
//! operations per second and the local/remote ratio.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use azkv_emulator::AccessPolicy;
use azkv_keys::*;
use azkv_testing::TestVault;
use std::time::{Duration, Instant};

const RUN: Duration = Duration::from_secs(2);

async fn rate<F, Fut>(mut op: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // Warm up (connections, token, key fetch), then count for RUN.
    for _ in 0..20 {
        op().await;
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < RUN {
        op().await;
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let vault = TestVault::start().await.unwrap();
    let keys = vault.key_client().unwrap();
    let rsa = keys
        .create_rsa_key("bench-rsa", None)
        .await
        .unwrap()
        .into_model();
    let ec = keys
        .create_ec_key("bench-ec", None)
        .await
        .unwrap()
        .into_model();
    let options = || Some(vault.key_client_options());
    let local_rsa = CryptographyClient::from_key(&rsa, vault.credential(), options()).unwrap();
    let local_ec = CryptographyClient::from_key(&ec, vault.credential(), options()).unwrap();
    let rsa_sig = local_rsa
        .sign_data(SignatureAlgorithm::Ps256, b"bench")
        .await
        .unwrap()
        .signature;
    let ec_sig = local_ec
        .sign_data(SignatureAlgorithm::Es256, b"bench")
        .await
        .unwrap()
        .signature;
    // Remote clients: the caller may use the keys but not read them, so nothing runs locally.
    let policy = AccessPolicy {
        object_id: vault.emulator().object_id_of("azkv-testing"),
        keys: ["encrypt", "verify", "sign"].map(str::to_owned).to_vec(),
        ..Default::default()
    };
    vault
        .emulator()
        .set_access_policies("emulator", Some(vec![policy]));
    let remote_rsa =
        CryptographyClient::new(rsa.id().unwrap(), vault.credential(), options()).unwrap();
    let remote_ec =
        CryptographyClient::new(ec.id().unwrap(), vault.credential(), options()).unwrap();
    let digest = digest_of(&SignatureAlgorithm::Ps256, b"bench").unwrap();

    println!(
        "{:<28} {:>12} {:>12} {:>8}",
        "operation", "local op/s", "remote op/s", "ratio"
    );
    let cases: Vec<(&str, f64, f64)> = vec![
        (
            "verify RSA-2048 PS256",
            rate(|| async {
                assert!(
                    local_rsa
                        .verify(SignatureAlgorithm::Ps256, &digest, &rsa_sig)
                        .await
                        .unwrap()
                        .is_valid
                )
            })
            .await,
            rate(|| async {
                assert!(
                    remote_rsa
                        .verify(SignatureAlgorithm::Ps256, &digest, &rsa_sig)
                        .await
                        .unwrap()
                        .is_valid
                )
            })
            .await,
        ),
        (
            "verify P-256 ES256",
            rate(|| async {
                assert!(
                    local_ec
                        .verify(SignatureAlgorithm::Es256, &digest, &ec_sig)
                        .await
                        .unwrap()
                        .is_valid
                )
            })
            .await,
            rate(|| async {
                assert!(
                    remote_ec
                        .verify(SignatureAlgorithm::Es256, &digest, &ec_sig)
                        .await
                        .unwrap()
                        .is_valid
                )
            })
            .await,
        ),
        (
            "encrypt RSA-2048 OAEP-256",
            rate(|| async {
                local_rsa
                    .encrypt(
                        EncryptionAlgorithm::RsaOaep256,
                        b"32 bytes of content-key material",
                        None,
                    )
                    .await
                    .unwrap();
            })
            .await,
            rate(|| async {
                remote_rsa
                    .encrypt(
                        EncryptionAlgorithm::RsaOaep256,
                        b"32 bytes of content-key material",
                        None,
                    )
                    .await
                    .unwrap();
            })
            .await,
        ),
    ];
    for (name, local, remote) in cases {
        println!(
            "{name:<28} {local:>12.0} {remote:>12.0} {:>7.1}x",
            local / remote
        );
    }
    vault.shutdown().await;
}
