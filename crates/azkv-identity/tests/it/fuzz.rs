//! Fuzz targets of azkv-identity: certificate loading (PKCS#12 through the DER reader and the
//! decryption schemes, and PEM) must answer bad bytes with an error, never a panic.

use crate::fuzz_harness::fuzz;
use azkv_identity::ClientCertificate;
use std::path::Path;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

#[test]
fn fuzz_pkcs12_reader() {
    let (aes, legacy, nopass) = (
        data("rsa-aes.pfx"),
        data("rsa-legacy.pfx"),
        data("rsa-nopass.pfx"),
    );
    let samples: Vec<&[u8]> = vec![&aes, &legacy, &nopass];
    let runs = fuzz("pkcs12", 0x0bad_cafe, &samples, |input| {
        // Mutated files must fail cleanly (MAC and padding checks catch most changes).
        let _ = ClientCertificate::from_pkcs12(input, "fixture-password");
        let _ = ClientCertificate::from_pkcs12(input, "");
    });
    assert!(runs > 100);
}

#[test]
fn fuzz_pem_reader() {
    let mut rsa = data("rsa-cert.pem");
    rsa.extend(data("rsa-key.pem"));
    let mut ec = data("ec-cert.pem");
    ec.extend(data("ec-key.pem"));
    let pkcs1 = data("rsa-key-pkcs1.pem");
    let samples: Vec<&[u8]> = vec![&rsa, &ec, &pkcs1];
    let runs = fuzz("pem", 0x5eed_f00d, &samples, |input| {
        let _ = ClientCertificate::from_pem(input);
    });
    assert!(runs > 100);
}
