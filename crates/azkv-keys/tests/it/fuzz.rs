//! Fuzzing JWK parsing and the conversions to RustCrypto types: random mutations of real keys
//! must parse or fail with a typed error, never panic.

use crate::fuzz_harness::fuzz;
use azkv_keys::JsonWebKey;

fn samples() -> Vec<Vec<u8>> {
    let mut rng = rsa::rand_core::OsRng;
    let rsa = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let mut out = vec![
        JsonWebKey::from(&rsa).to_json().unwrap().into_bytes(),
        JsonWebKey::from(&p256::SecretKey::random(&mut rng))
            .to_json()
            .unwrap()
            .into_bytes(),
        JsonWebKey::from(&p521::SecretKey::random(&mut rng))
            .to_json()
            .unwrap()
            .into_bytes(),
        JsonWebKey::from(&k256::SecretKey::random(&mut rng).public_key())
            .to_json()
            .unwrap()
            .into_bytes(),
        br#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw","key_ops":["wrapKey"]}"#.to_vec(),
    ];
    // The public keys in the specification's examples.
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/keyvault/data-plane/Keys/stable/2026-04-01/examples/"
    );
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
        if let Some(key) = doc.pointer("/responses/200/body/key") {
            out.push(serde_json::to_vec(key).unwrap());
        }
    }
    out
}

#[test]
fn fuzz_jwk_parsing_and_conversions() {
    let samples = samples();
    let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
    let mut parsed = 0u64;
    let runs = fuzz("jwk", 0x6a77_6b21, &refs, |input| {
        let Ok(text) = std::str::from_utf8(input) else {
            return;
        };
        let Ok(jwk) = JsonWebKey::from_json(text) else {
            return;
        };
        parsed += 1;
        // Whatever parsed must serialize again and survive every conversion attempt.
        let again = JsonWebKey::from_json(&jwk.to_json().unwrap()).unwrap();
        assert_eq!(again, jwk);
        let _ = rsa::RsaPublicKey::try_from(&jwk);
        let _ = rsa::RsaPrivateKey::try_from(&jwk);
        let _ = p256::PublicKey::try_from(&jwk);
        let _ = p256::SecretKey::try_from(&jwk);
        let _ = p384::PublicKey::try_from(&jwk);
        let _ = p521::SecretKey::try_from(&jwk);
        let _ = k256::PublicKey::try_from(&jwk);
    });
    println!("jwk: {parsed} of {runs} inputs parsed");
    assert!(runs > 100);
    assert!(parsed > 0);
}
