//! Key Vault challenge authentication end to end.

use crate::server::{json, with_header, Recorded, Reply, TestServer};
use crate::support::{challenge_policy, fast_retry, pipeline, CountingCredential};
use azkv_core::{Context, ErrorKind, Method, Request};

const CHALLENGE: &str =
    r#"Bearer authorization="https://login.example.com/tenant-x", resource="https://127.0.0.1""#;

fn vault(challenge: &'static str) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |req, _| match req.header("authorization") {
        None => with_header(
            json(
                401,
                r#"{"error":{"code":"Unauthorized","message":"no token"}}"#,
            ),
            "www-authenticate",
            challenge,
        ),
        Some(_) => json(200, &format!(r#"{{"len":{}}}"#, req.body.len())),
    }
}

fn put(server: &TestServer, body: &str) -> Request {
    let mut request = Request::new(Method::PUT, server.url("/secrets/a?api-version=7.5"));
    request.set_body(body.to_owned());
    request
}

#[tokio::test]
async fn challenge_flow_end_to_end() {
    let server = TestServer::start(vault(CHALLENGE)).await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );

    let response = pipeline
        .send(&Context::new(), &mut put(&server, r#"{"value":"v1"}"#))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // The first request went out without its body and without a token.
    assert!(requests[0].body.is_empty());
    assert_eq!(requests[0].header("content-length"), Some("0"));
    assert!(requests[0].header("authorization").is_none());
    // The resend carries the body and the token for the tenant and scope of the challenge.
    assert_eq!(requests[1].body, br#"{"value":"v1"}"#);
    assert_eq!(requests[1].header("authorization"), Some("Bearer token-1"));
    let seen = credential.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, vec!["https://127.0.0.1/.default".to_owned()]);
    assert_eq!(seen[0].1.tenant_id.as_deref(), Some("tenant-x"));

    // A later request reuses the cached challenge and token: one request, with body.
    pipeline
        .send(&Context::new(), &mut put(&server, r#"{"value":"v2"}"#))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].body, br#"{"value":"v2"}"#);
    assert_eq!(requests[2].header("authorization"), Some("Bearer token-1"));
    assert_eq!(credential.calls(), 1);
}

#[tokio::test]
async fn scope_parameter_wins_over_resource() {
    let server = TestServer::start(vault(
        r#"Bearer authorization_uri="https://login.example.com/tenant-y/", scope="https://127.0.0.1/custom.scope", resource="https://other""#,
    ))
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    pipeline
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap();
    let seen = credential.seen.lock().unwrap().clone();
    assert_eq!(seen[0].0, vec!["https://127.0.0.1/custom.scope".to_owned()]);
    assert_eq!(seen[0].1.tenant_id.as_deref(), Some("tenant-y"));
}

#[tokio::test]
async fn mismatched_resource_is_refused_unless_opted_out() {
    let other = r#"Bearer authorization="https://login.example.com/tenant-x", resource="https://vault.azure.net""#;
    let server = TestServer::start(vault(other)).await;
    let credential = CountingCredential::new();
    let strict = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    let err = strict
        .send(&Context::new(), &mut put(&server, "{\"value\":\"x\"}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Challenge);
    assert_eq!(
        credential.calls(),
        0,
        "no token may be requested for a refused challenge"
    );
    assert_eq!(server.requests().len(), 1);
    // Nothing was cached: the next request probes again and is refused again.
    let err = strict
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Challenge);
    assert_eq!(server.requests().len(), 2);

    let relaxed = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), false)),
    );
    let response = relaxed
        .send(&Context::new(), &mut put(&server, "{\"value\":\"x\"}"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn unsafe_authority_is_refused() {
    let server = TestServer::start(vault(
        r#"Bearer authorization="https://evil.example\@login.example.com/t", resource="https://127.0.0.1""#,
    ))
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    let err = pipeline
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Challenge);
    assert_eq!(credential.calls(), 0);
}

#[tokio::test]
async fn claims_challenge_is_answered_once() {
    // After the first token, the server demands claims once, then accepts the new token.
    let server = TestServer::start(|req, _| match req.header("authorization") {
        None => with_header(json(401, "{}"), "www-authenticate", CHALLENGE),
        Some("Bearer token-1") => with_header(
            json(401, "{}"),
            "www-authenticate",
            r#"Bearer authorization="https://login.example.com/tenant-x", resource="https://127.0.0.1", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ==""#,
        ),
        Some(_) => json(200, &format!(r#"{{"len":{}}}"#, req.body.len())),
    })
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    let response = pipeline
        .send(&Context::new(), &mut put(&server, "{\"value\":\"x\"}"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].header("authorization"), Some("Bearer token-2"));
    assert_eq!(requests[2].body, b"{\"value\":\"x\"}");
    let seen = credential.seen.lock().unwrap().clone();
    assert_eq!(
        seen[1].1.claims.as_deref(),
        Some(r#"{"access_token":{"nbf":{"essential":true}}}"#)
    );
}

#[tokio::test]
async fn endless_claims_challenges_are_not_looped() {
    let server = TestServer::start(|req, _| match req.header("authorization") {
        None => with_header(json(401, "{}"), "www-authenticate", CHALLENGE),
        Some(_) => with_header(
            json(401, "{}"),
            "www-authenticate",
            r#"Bearer authorization="https://login.example.com/tenant-x", resource="https://127.0.0.1", claims="e30=""#,
        ),
    })
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    let response = pipeline
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn unauthorized_without_challenge_clears_the_cache() {
    // Token accepted on request 1; request 2 gets a bare 401; request 3 must probe again.
    let server = TestServer::start(|req, i| match (req.header("authorization"), i) {
        (None, _) => with_header(json(401, "{}"), "www-authenticate", CHALLENGE),
        (Some(_), 2) => json(401, "{}"),
        (Some(_), _) => json(200, "{}"),
    })
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    pipeline
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap();
    let second = pipeline
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap();
    assert_eq!(second.status().as_u16(), 401);
    pipeline
        .send(&Context::new(), &mut put(&server, "{\"a\":1}"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    assert!(requests[3].header("authorization").is_none());
    assert!(requests[3].body.is_empty());
    assert_eq!(requests[4].body, b"{\"a\":1}");
}

#[tokio::test]
async fn tokens_are_not_sent_over_plain_http_unless_allowed() {
    let server = TestServer::start(vault(CHALLENGE)).await;
    let credential = CountingCredential::new();
    let policy = std::sync::Arc::new(azkv_core::policies::ChallengePolicy::new(
        credential.clone(),
        Default::default(),
    ));
    let pipeline = pipeline(fast_retry(0), Some(policy));
    let err = pipeline
        .send(&Context::new(), &mut put(&server, "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn challenge_then_retry_resends_the_body() {
    // 401 challenge, then 503 on the authorized try, then success: the retried try still
    // carries the body (each try works on its own copy of the request).
    let server = TestServer::start(|req, i| match req.header("authorization") {
        None => with_header(json(401, "{}"), "www-authenticate", CHALLENGE),
        Some(_) if i == 1 => json(503, "{}"),
        Some(_) => json(200, "{}"),
    })
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(2),
        Some(challenge_policy(credential.clone(), true)),
    );
    let response = pipeline
        .send(&Context::new(), &mut put(&server, "{\"v\":7}"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let requests = server.requests();
    assert_eq!(requests.last().unwrap().body, b"{\"v\":7}");
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_with_a_fresh_one() {
    // token-1 is refused with the same challenge (as after revocation); token-2 is accepted.
    let server = TestServer::start(|req, _| match req.header("authorization") {
        None | Some("Bearer token-1") => {
            with_header(json(401, "{}"), "www-authenticate", CHALLENGE)
        }
        Some(_) => json(200, "{}"),
    })
    .await;
    let credential = CountingCredential::new();
    let pipeline = pipeline(
        fast_retry(0),
        Some(challenge_policy(credential.clone(), true)),
    );
    let response = pipeline
        .send(&Context::new(), &mut put(&server, "{\"v\":1}"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let seen = credential.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(!seen[0].1.refresh);
    assert!(
        seen[1].1.refresh,
        "the second token request bypasses caches"
    );
    assert_eq!(server.requests().last().unwrap().body, b"{\"v\":1}");
}
