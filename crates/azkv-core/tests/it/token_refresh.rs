//! Bearer tokens: cached, refreshed before expiry, one refresh in flight.

use crate::server::{json, TestServer};
use crate::support::{fast_retry, pipeline, CountingCredential};
use azkv_core::policies::BearerTokenPolicy;
use azkv_core::{Context, Method, Request};
use std::sync::Arc;
use std::time::Duration;

async fn fifty_concurrent(pipeline: &azkv_core::Pipeline, server: &TestServer) {
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let pipeline = pipeline.clone();
        let url = server.url("/subscriptions/s/resourceGroups?api-version=2021-04-01");
        tasks.push(tokio::spawn(async move {
            let mut request = Request::new(Method::GET, url);
            pipeline
                .send(&Context::new(), &mut request)
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().as_u16(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_request_under_fifty_concurrent_calls() {
    let server = TestServer::start(|_, _| json(200, "{}")).await;
    let credential = CountingCredential::new();
    let policy = Arc::new(BearerTokenPolicy::new(
        credential.clone(),
        vec!["https://management.azure.com/.default".into()],
        true,
    ));
    let pipeline = pipeline(fast_retry(0), Some(policy));
    fifty_concurrent(&pipeline, &server).await;
    assert_eq!(credential.calls(), 1);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer token-1")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_near_expiry_is_refreshed_once_under_fifty_concurrent_calls() {
    let server = TestServer::start(|_, _| json(200, "{}")).await;
    // The first token has 2 minutes left: inside the 5-minute refresh window.
    let credential = CountingCredential::with_lifetimes(vec![
        Duration::from_secs(120),
        Duration::from_secs(3600),
    ]);
    let policy = Arc::new(BearerTokenPolicy::new(
        credential.clone(),
        vec!["https://management.azure.com/.default".into()],
        true,
    ));
    let pipeline = pipeline(fast_retry(0), Some(policy));
    let mut request = Request::new(Method::GET, server.url("/first"));
    pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(credential.calls(), 1);

    fifty_concurrent(&pipeline, &server).await;
    assert_eq!(credential.calls(), 2, "exactly one refresh");
    let requests = server.requests();
    assert_eq!(requests[0].header("authorization"), Some("Bearer token-1"));
    assert!(requests[1..]
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer token-2")));
    assert_eq!(requests.len(), 51);
}
