//! Bad input gets the service's status and error body, never a panic or a hang.

use crate::support::{start, API};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_bad_parameter() {
    let h = start().await;
    let url = h.url(&format!("/secrets/x?api-version={API}"));
    for body in [
        "{",
        "[1,2]",
        "\"just a string\"",
        "{\"value\": 12}",
        "{}",
        "",
    ] {
        let response = h
            .http
            .put(&url)
            .bearer_auth(&h.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: serde_json::Value = response.json_body().await;
        assert_eq!(answer["error"]["code"], "BadParameter", "{body}");
    }
    // The emulator still serves.
    assert_eq!(h.set("x", "fine").await.status, StatusCode::OK);
}

trait JsonBody {
    async fn json_body(self) -> serde_json::Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}

#[tokio::test]
async fn ten_mebibyte_body_is_refused() {
    let h = start().await;
    let url = h.url(&format!("/secrets/big?api-version={API}"));
    let body = format!("{{\"value\":\"{}\"}}", "a".repeat(10 * 1024 * 1024));
    let response = h
        .http
        .put(&url)
        .bearer_auth(&h.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    // The emulator answers 413 as soon as it sees the length; the client may see the answer or
    // a connection closed while it was still sending.
    if let Ok(response) = response {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let answer = response.json_body().await;
        assert_eq!(answer["error"]["code"], "RequestBodyTooLarge");
    }
    assert_eq!(
        h.call(Method::GET, "/secrets/big", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn secret_over_25_kib_is_refused() {
    let h = start().await;
    let at_limit = h.set("limit", &"a".repeat(25 * 1024)).await;
    assert_eq!(at_limit.status, StatusCode::OK);
    let over = h.set("over", &"a".repeat(25 * 1024 + 1)).await;
    assert_eq!(over.status, StatusCode::BAD_REQUEST);
    assert_eq!(over.code(), "BadParameter");
}

#[tokio::test]
async fn unknown_api_versions_are_refused() {
    let h = start().await;
    for version in ["1.0", "7.9", "2030-01-01", "banana", ""] {
        let url = h.url(&format!("/secrets?api-version={version}"));
        let answer = h.send(Method::GET, &url, None, Some(&h.token)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{version}");
        assert_eq!(answer.code(), "BadParameter");
    }
    let answer = h
        .send(Method::GET, &h.url("/secrets"), None, Some(&h.token))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn invalid_names_are_refused() {
    let h = start().await;
    for name in ["a_b", "a.b", "%C3%A9", &"x".repeat(128)] {
        let answer = h.set(name, "x").await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(answer.code(), "BadParameter");
        let answer = h.call(Method::GET, &format!("/secrets/{name}"), None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{name}");
    }
}

#[tokio::test]
async fn bad_attributes_tags_and_page_sizes_are_refused() {
    let h = start().await;
    let too_many: serde_json::Map<String, serde_json::Value> =
        (0..16).map(|i| (format!("t{i}"), json!("v"))).collect();
    let cases = [
        json!({ "value": "x", "tags": too_many }),
        json!({ "value": "x", "attributes": { "nbf": 200, "exp": 100 } }),
        json!({ "value": "x", "attributes": { "enabled": "yes" } }),
        json!({ "value": "x", "contentType": "c".repeat(256) }),
    ];
    for body in cases {
        let answer = h
            .call(Method::PUT, "/secrets/attrs", Some(body.clone()))
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
    }
    for size in ["0", "26", "-1", "x"] {
        let answer = h
            .call(Method::GET, &format!("/secrets?maxresults={size}"), None)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{size}");
    }
    let bad_token = h.call(Method::GET, "/secrets?$skiptoken=%%%", None).await;
    assert_eq!(bad_token.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_paths_and_methods_get_error_bodies() {
    let h = start().await;
    let answer = h.call(Method::GET, "/nothing/here", None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = h.call(Method::POST, "/secrets/x", None).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
}
