//! Error responses become typed errors.

use crate::server::{json, with_header, TestServer};
use crate::support::{fast_retry, pipeline};
use azkv_core::{Context, ErrorKind, Method, Request, StatusCode};

#[tokio::test]
async fn error_body_becomes_http_error_kind() {
    let server = TestServer::start(|_, _| {
        with_header(
            json(404, r#"{"error":{"code":"SecretNotFound","message":"A secret with (name/id) db was not found in this key vault."}}"#),
            "x-ms-request-id",
            "req-123",
        )
    })
    .await;
    let pipeline = pipeline(fast_retry(0), None);
    let mut request = Request::new(Method::GET, server.url("/secrets/db?api-version=7.5"));
    let err = pipeline
        .send(&Context::new(), &mut request)
        .await
        .unwrap()
        .into_model::<serde_json::Value>()
        .unwrap_err();
    match err.kind() {
        ErrorKind::Http {
            status,
            code,
            message,
            request_id,
        } => {
            assert_eq!(*status, StatusCode::NOT_FOUND);
            assert_eq!(code.as_deref(), Some("SecretNotFound"));
            assert!(message.as_deref().unwrap().contains("was not found"));
            assert_eq!(request_id.as_deref(), Some("req-123"));
        }
        other => panic!("unexpected kind {other:?}"),
    }
    assert_eq!(err.code(), Some("SecretNotFound"));
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.request_id(), Some("req-123"));
}

#[tokio::test]
async fn non_json_error_body_still_gives_status() {
    let server = TestServer::start(|_, _| json(502, "<html>bad gateway</html>")).await;
    let pipeline = pipeline(fast_retry(0), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let err = pipeline
        .send(&Context::new(), &mut request)
        .await
        .unwrap()
        .into_model::<serde_json::Value>()
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(err.code(), None);
}

#[tokio::test]
async fn undecodable_success_body_is_deserialize_error() {
    let server = TestServer::start(|_, _| json(200, "{not json")).await;
    let pipeline = pipeline(fast_retry(0), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let err = pipeline
        .send(&Context::new(), &mut request)
        .await
        .unwrap()
        .into_model::<serde_json::Value>()
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Deserialize);
}

#[test]
fn public_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let pipeline = pipeline(fast_retry(0), None);
    let ctx = Context::new();
    let mut request = Request::new(
        Method::GET,
        azkv_core::Url::parse("http://127.0.0.1:1/").unwrap(),
    );
    let future = pipeline.send(&ctx, &mut request);
    assert_send(&future);
}
