//! Nothing secret reaches logs or Debug/Display output.

use crate::capture::capture;
use crate::server::{json, with_header, TestServer};
use crate::support::{challenge_policy, fast_retry, pipeline, CountingCredential};
use azkv_core::{AccessToken, Context, Error, Method, Request, Sensitive};
use std::time::SystemTime;

const SECRET_VALUE: &str = "s3cr3t-value-never-logged";

#[tokio::test]
async fn trace_logs_carry_neither_token_nor_secret() {
    let capture = capture();

    let server = TestServer::start(|req, _| match req.header("authorization") {
        None => with_header(
            json(401, "{}"),
            "www-authenticate",
            r#"Bearer authorization="https://login.example.com/t", resource="https://127.0.0.1""#,
        ),
        Some(_) => json(200, &format!(r#"{{"value":"{SECRET_VALUE}","id":"x"}}"#)),
    })
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(fast_retry(1), Some(challenge_policy(credential, true)));
    let mut request = Request::new(
        Method::PUT,
        server.url("/secrets/x?api-version=7.5&sig=query-secret"),
    );
    request
        .set_json(&serde_json::json!({ "value": SECRET_VALUE }))
        .unwrap();
    let response = pipeline
        .send(
            &Context::for_operation("logging-test-operation"),
            &mut request,
        )
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // The exchange really carried both strings.
    let requests = server.requests();
    assert_eq!(requests[1].header("authorization"), Some("Bearer token-1"));
    assert!(String::from_utf8_lossy(&requests[1].body).contains(SECRET_VALUE));

    let logs = capture.text();
    assert!(
        logs.contains("logging-test-operation"),
        "logging ran: {logs}"
    );
    assert!(logs.contains("request headers"));
    assert!(logs.contains("api-version=7.5"));
    for forbidden in ["token-1", SECRET_VALUE, "query-secret"] {
        assert!(!logs.contains(forbidden), "{forbidden} leaked into logs");
    }
    for shown in [
        format!("{request:?}"),
        format!("{response:?}"),
        format!("{:?}", AccessToken::new("token-1", SystemTime::now())),
        format!("{:?}", Sensitive::new(SECRET_VALUE.to_owned())),
    ] {
        assert!(
            !shown.contains("token-1")
                && !shown.contains(SECRET_VALUE)
                && !shown.contains("query-secret"),
            "{shown}"
        );
    }
    let err = Error::from_response(&response);
    assert!(!format!("{err:?}{err}").contains(SECRET_VALUE));
}
