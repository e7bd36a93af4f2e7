//! Retry: which failures are retried, how long it waits, and where it stops.

use crate::server::{json, with_header, Reply, TestServer};
use crate::support::{fast_retry, pipeline};
use azkv_core::{Context, ErrorKind, Method, Request};
use std::time::Duration;

#[tokio::test]
async fn retries_429_and_honours_retry_after_seconds() {
    let server = TestServer::start(|_, i| {
        if i == 0 {
            with_header(json(429, "{}"), "retry-after", "1")
        } else {
            json(200, r#"{"ok":true}"#)
        }
    })
    .await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at.duration_since(requests[0].at);
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
}

#[tokio::test]
async fn retry_after_ms_is_preferred() {
    let server = TestServer::start(|_, i| {
        if i == 0 {
            with_header(
                with_header(json(429, "{}"), "retry-after", "30"),
                "retry-after-ms",
                "200",
            )
        } else {
            json(200, "{}")
        }
    })
    .await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    pipeline.send(&Context::new(), &mut request).await.unwrap();
    let requests = server.requests();
    let waited = requests[1].at.duration_since(requests[0].at);
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(20),
        "{waited:?}"
    );
}

#[tokio::test]
async fn retries_503_then_returns_body() {
    let server = TestServer::start(|_, i| {
        if i < 2 {
            json(503, "{}")
        } else {
            json(200, r#"{"n":3}"#)
        }
    })
    .await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.body().as_ref(), br#"{"n":3}"#);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn retries_dropped_connection_of_idempotent_request() {
    let server = TestServer::start(|_, i| if i == 0 { Reply::Drop } else { json(200, "{}") }).await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn does_not_resend_non_idempotent_request_after_dropped_connection() {
    let server = TestServer::start(|_, i| if i == 0 { Reply::Drop } else { json(200, "{}") }).await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::POST, server.url("/x"));
    request.set_body(&b"{}"[..]);
    let err = pipeline
        .send(&Context::new(), &mut request)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Io);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn non_idempotent_request_is_resent_after_429() {
    let server = TestServer::start(|_, i| {
        if i == 0 {
            json(429, "{}")
        } else {
            json(200, "{}")
        }
    })
    .await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::PUT, server.url("/x"));
    request.set_idempotent(false);
    request.set_body(&b"{\"value\":1}"[..]);
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].body, b"{\"value\":1}");
}

#[tokio::test]
async fn non_idempotent_request_is_not_resent_after_500() {
    let server = TestServer::start(|_, _| json(500, "{}")).await;
    let pipeline = pipeline(fast_retry(3), None);
    let mut request = Request::new(Method::POST, server.url("/x"));
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.status().as_u16(), 500);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_retry_on_client_errors() {
    for status in [400u16, 401, 403, 404, 409] {
        let server = TestServer::start(move |_, _| json(status, "{}")).await;
        let pipeline = pipeline(fast_retry(3), None);
        let mut request = Request::new(Method::GET, server.url("/x"));
        let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(server.requests().len(), 1, "status {status} was retried");
    }
}

#[tokio::test]
async fn stops_at_the_retry_bound() {
    let server = TestServer::start(|_, _| json(503, "{}")).await;
    let pipeline = pipeline(fast_retry(2), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn stops_when_the_wait_would_pass_the_total_time() {
    let server = TestServer::start(|_, _| with_header(json(429, "{}"), "retry-after", "60")).await;
    let mut retry = fast_retry(5);
    retry.max_total_elapsed = Duration::from_secs(5);
    let pipeline = pipeline(retry, None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    let response = pipeline.send(&Context::new(), &mut request).await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported_as_not_sent() {
    // Bind and drop a listener to get a port that refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let pipeline = pipeline(fast_retry(1), None);
    let url = azkv_core::Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap();
    let mut request = Request::new(Method::GET, url);
    let err = pipeline
        .send(&Context::new(), &mut request)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection);
    assert!(err.is_not_sent());
}

#[tokio::test]
async fn same_client_request_id_on_every_try_and_user_agent_set() {
    let server = TestServer::start(|_, i| {
        if i == 0 {
            json(503, "{}")
        } else {
            json(200, "{}")
        }
    })
    .await;
    let pipeline = pipeline(fast_retry(2), None);
    let mut request = Request::new(Method::GET, server.url("/x"));
    pipeline.send(&Context::new(), &mut request).await.unwrap();
    let requests = server.requests();
    let first = requests[0]
        .header("x-ms-client-request-id")
        .unwrap()
        .to_owned();
    assert_eq!(first.len(), 36);
    assert_eq!(
        requests[1].header("x-ms-client-request-id"),
        Some(first.as_str())
    );
    assert!(requests[0]
        .header("user-agent")
        .unwrap()
        .contains("azsdk-rust-azkv-core-tests/0.0.0"));
}

#[derive(Debug, Default)]
struct Counter(std::sync::atomic::AtomicUsize, &'static str);

#[async_trait::async_trait]
impl azkv_core::Policy for Counter {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: azkv_core::Next<'_>,
    ) -> azkv_core::Result<azkv_core::RawResponse> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        request.insert_header(self.1, &n.to_string())?;
        next.send(ctx, request).await
    }
}

#[tokio::test]
async fn per_call_policies_run_once_and_per_try_policies_every_try() {
    let server = TestServer::start(|_, i| {
        if i < 2 {
            json(503, "{}")
        } else {
            json(200, "{}")
        }
    })
    .await;
    let per_call = std::sync::Arc::new(Counter(Default::default(), "x-per-call"));
    let per_try = std::sync::Arc::new(Counter(Default::default(), "x-per-try"));
    let options = azkv_core::ClientOptions {
        retry: fast_retry(3),
        per_call_policies: vec![per_call.clone()],
        per_try_policies: vec![per_try.clone()],
        ..Default::default()
    };
    let pipeline = azkv_core::Pipeline::new("t", "0", &options, None).unwrap();
    let mut request = Request::new(Method::GET, server.url("/x"));
    pipeline.send(&Context::new(), &mut request).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.header("x-per-call") == Some("1")));
    let tries: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-per-try").unwrap().to_owned())
        .collect();
    assert_eq!(tries, ["1", "2", "3"]);
}
