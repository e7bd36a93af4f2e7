//! Long-running operations: success, failure and timeout, in both built-in styles.

use crate::server::{json, with_header, Reply, TestServer};
use crate::support::{fast_retry, pipeline};
use azkv_core::{Context, ErrorKind, Method, PollStatus, Poller, PollerOptions, Request};
use serde::Deserialize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

#[derive(Debug, Deserialize, PartialEq)]
struct Vault {
    name: String,
    properties: Props,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Props {
    #[serde(rename = "provisioningState")]
    provisioning_state: String,
}

fn quick() -> PollerOptions {
    PollerOptions {
        interval: Duration::from_millis(20),
        timeout: Duration::from_secs(10),
    }
}

/// An ARM server: PUT answers 201 with Azure-AsyncOperation; the operation reports
/// `InProgress` `polls_before_end` times, then `end`.
async fn arm_server(polls_before_end: usize, end: &'static str) -> TestServer {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let shared = base.clone();
    let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = TestServer::start(move |req, _| {
        let base = shared.get().unwrap();
        if req.method == "PUT" {
            return with_header(
                json(
                    201,
                    r#"{"name":"v1","properties":{"provisioningState":"RegisteringDns"}}"#,
                ),
                "azure-asyncoperation",
                &format!("{base}/operations/op1?api-version=2026-02-01"),
            );
        }
        if req.target.starts_with("/operations/") {
            let n = polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return if n < polls_before_end {
                with_header(json(200, r#"{"status":"InProgress"}"#), "retry-after", "0")
            } else if end == "Succeeded" {
                json(200, r#"{"status":"Succeeded"}"#)
            } else {
                json(
                    200,
                    r#"{"status":"Failed","error":{"code":"VaultCreateFailed","message":"quota"}}"#,
                )
            };
        }
        json(
            200,
            r#"{"name":"v1","properties":{"provisioningState":"Succeeded"}}"#,
        )
    })
    .await;
    base.set(server.base.clone()).unwrap();
    server
}

async fn start_put(server: &TestServer, options: PollerOptions) -> Poller<Vault> {
    let pipeline = pipeline(fast_retry(0), None);
    let url = server.url("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v1?api-version=2026-02-01");
    let mut request = Request::new(Method::PUT, url.clone());
    request.set_body(&b"{}"[..]);
    let initial = pipeline.send(&Context::new(), &mut request).await.unwrap();
    Poller::arm(pipeline, Context::new(), Method::PUT, url, initial, options).unwrap()
}

#[tokio::test]
async fn arm_poller_reaches_success_and_fetches_the_resource() {
    let server = arm_server(2, "Succeeded").await;
    let poller = start_put(&server, quick()).await;
    assert_eq!(poller.status(), PollStatus::InProgress);
    let vault = poller.await.unwrap();
    assert_eq!(vault.name, "v1");
    assert_eq!(vault.properties.provisioning_state, "Succeeded");
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets
            .iter()
            .filter(|t| t.starts_with("/operations/"))
            .count(),
        3
    );
    assert!(targets.last().unwrap().starts_with("/subscriptions/"));
}

#[tokio::test]
async fn arm_poller_reports_failure_with_code() {
    let server = arm_server(1, "Failed").await;
    let err = start_put(&server, quick()).await.await.unwrap_err();
    match err.kind() {
        ErrorKind::OperationFailed { code, message } => {
            assert_eq!(code.as_deref(), Some("VaultCreateFailed"));
            assert_eq!(message.as_deref(), Some("quota"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn arm_poller_times_out() {
    let server = arm_server(usize::MAX, "Succeeded").await;
    let options = PollerOptions {
        interval: Duration::from_millis(20),
        timeout: Duration::from_millis(200),
    };
    let err = start_put(&server, options).await.await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout);
}

#[tokio::test]
async fn arm_poller_resumes_from_its_token() {
    let server = arm_server(1, "Succeeded").await;
    let mut poller = start_put(&server, quick()).await;
    assert_eq!(poller.poll().await.unwrap(), PollStatus::InProgress);
    let token = poller.continuation_token();
    let resumed: Poller<Vault> = Poller::resume(
        pipeline(fast_retry(0), None),
        Context::new(),
        &token,
        quick(),
    )
    .unwrap();
    assert_eq!(resumed.await.unwrap().name, "v1");
}

#[tokio::test]
async fn key_vault_entity_poller_waits_for_the_entity() {
    let server = TestServer::start(|_, i| {
        if i < 3 {
            json(
                404,
                r#"{"error":{"code":"SecretNotFound","message":"not yet"}}"#,
            )
        } else {
            json(
                200,
                r#"{"name":"deleted-one","properties":{"provisioningState":"x"}}"#,
            )
        }
    })
    .await;
    let poller: Poller<serde_json::Value> = Poller::key_vault_entity(
        pipeline(fast_retry(0), None),
        Context::new(),
        server.url("/deletedsecrets/a?api-version=7.5"),
        None,
        quick(),
    );
    let value = poller.await.unwrap();
    assert_eq!(value["name"], "deleted-one");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn key_vault_entity_poller_fails_on_other_errors() {
    let server =
        TestServer::start(|_, _| json(500, r#"{"error":{"code":"InternalError","message":"x"}}"#))
            .await;
    let poller: Poller<serde_json::Value> = Poller::key_vault_entity(
        pipeline(fast_retry(0), None),
        Context::new(),
        server.url("/deletedsecrets/a?api-version=7.5"),
        None,
        quick(),
    );
    let err = poller.await.unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
}

#[tokio::test]
async fn arm_status_url_on_another_host_is_refused() {
    let server = TestServer::start(|_, _| {
        with_header(
            json(201, "{}"),
            "azure-asyncoperation",
            "https://evil.example/op",
        )
    })
    .await;
    let pipeline = pipeline(fast_retry(0), None);
    let url = server.url("/v?api-version=1");
    let mut request = Request::new(Method::PUT, url.clone());
    let initial = pipeline.send(&Context::new(), &mut request).await.unwrap();
    let err = Poller::<Vault>::arm(pipeline, Context::new(), Method::PUT, url, initial, quick())
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Deserialize);
    let _ = Reply::Drop;
}
