//! Fuzz targets of azkv-core: the `WWW-Authenticate` parser and the error-body parser must
//! never panic, whatever the bytes. Executions are printed.

use crate::fuzz_harness::fuzz;
use azkv_core::policies::parse_www_authenticate;
use azkv_core::{Error, HeaderMap, RawResponse, StatusCode};

#[test]
fn fuzz_www_authenticate_parser() {
    let samples: &[&[u8]] = &[
        br#"Bearer authorization="https://login.microsoftonline.com/72f988bf", resource="https://vault.azure.net""#,
        br#"Bearer realm="", authorization_uri="https://login.example/t", error="insufficient_claims", claims="eyJhIjoxfQ==""#,
        br#"Bearer authorization="https://login.microsoftonline.com/t", scope="https://vault.azure.net/.default", PoP nonce=abc"#,
        br#"Basic realm="x\"y\\z""#,
    ];
    let runs = fuzz("www-authenticate", 0x1234_5678, samples, |input| {
        let text = String::from_utf8_lossy(input);
        for challenge in parse_www_authenticate(&text) {
            assert!(!challenge.scheme.is_empty());
            let _ = challenge.param("authorization");
        }
    });
    assert!(runs > 1000);
}

#[test]
fn fuzz_error_body_parser() {
    let samples: &[&[u8]] = &[
        br#"{"error":{"code":"SecretNotFound","message":"A secret with (name/id) x was not found."}}"#,
        br#"{"error":{"code":"Forbidden","message":"m","innererror":{"code":"SecretDisabled","innererror":{"code":"Deeper"}}}}"#,
        br#"{"code":"ResourceNotFound","message":"gone"}"#,
        b"<html>502 Bad Gateway</html>",
    ];
    let runs = fuzz("error-body", 0x9abc_def0, samples, |input| {
        let response = RawResponse::new(StatusCode::BAD_REQUEST, HeaderMap::new(), input.to_vec());
        let err = Error::from_response(&response);
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
        let _ = err.to_string();
    });
    assert!(runs > 1000);
}
