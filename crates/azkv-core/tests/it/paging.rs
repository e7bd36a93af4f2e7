//! Paging across `nextLink`.

use crate::server::{json, TestServer};
use crate::support::{fast_retry, pipeline};
use azkv_core::{Context, ErrorKind, Pager};
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    id: u32,
}

/// Serves `/items`: four pages of two items, linked by absolute nextLinks without api-version.
async fn four_pages() -> TestServer {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let shared = base.clone();
    let server = TestServer::start(move |req, _| {
        let base = shared.get().unwrap();
        let page: u32 = req
            .target
            .split("$skiptoken=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let next = if page < 3 {
            format!(r#""{base}/items?$skiptoken={}""#, page + 1)
        } else {
            "null".to_owned()
        };
        json(
            200,
            &format!(
                r#"{{"value":[{{"id":{}}},{{"id":{}}}],"nextLink":{next}}}"#,
                page * 2,
                page * 2 + 1
            ),
        )
    })
    .await;
    base.set(server.base.clone()).unwrap();
    server
}

#[tokio::test]
async fn pages_across_four_pages() {
    let server = four_pages().await;
    let pager: Pager<u32> = Pager::from_next_link(
        pipeline(fast_retry(0), None),
        Context::new(),
        server.url("/items?api-version=7.5&maxresults=2"),
        None,
        |item: Item| item.id,
    );
    let items: Vec<u32> = pager.map(|r| r.unwrap()).collect().await;
    assert_eq!(items, (0..8).collect::<Vec<_>>());
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    // Later pages keep the api-version of the first.
    assert!(requests[3].target.contains("api-version=7.5"));
}

#[tokio::test]
async fn nothing_is_sent_until_polled_and_pages_resume_from_token() {
    let server = four_pages().await;
    let make = |token| {
        Pager::from_next_link(
            pipeline(fast_retry(0), None),
            Context::new(),
            server.url("/items?api-version=7.5"),
            token,
            |item: Item| item.id,
        )
    };
    let pager = make(None);
    assert!(server.requests().is_empty());
    let mut pages = pager.into_pages();
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.items, vec![0, 1]);
    let token = first.continuation_token.unwrap();
    drop(pages);

    let mut resumed = make(Some(token)).into_pages();
    let page = resumed.next().await.unwrap().unwrap();
    assert_eq!(page.items, vec![2, 3]);
}

#[tokio::test]
async fn next_link_to_another_host_is_refused() {
    let server = TestServer::start(|_, _| {
        json(
            200,
            r#"{"value":[{"id":1}],"nextLink":"https://evil.example/items"}"#,
        )
    })
    .await;
    let mut pager = Pager::from_next_link(
        pipeline(fast_retry(0), None),
        Context::new(),
        server.url("/items?api-version=7.5"),
        None,
        |item: Item| item.id,
    );
    assert_eq!(pager.next().await.unwrap().unwrap(), 1);
    let err = pager.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    assert!(pager.next().await.is_none());
}

#[tokio::test]
async fn error_page_ends_the_stream_with_the_error() {
    let server = TestServer::start(|_, _| {
        json(403, r#"{"error":{"code":"Forbidden","message":"no list"}}"#)
    })
    .await;
    let mut pager = Pager::from_next_link(
        pipeline(fast_retry(0), None),
        Context::new(),
        server.url("/items?api-version=7.5"),
        None,
        |item: Item| item.id,
    );
    let err = pager.next().await.unwrap().unwrap_err();
    assert_eq!(err.code(), Some("Forbidden"));
    assert!(pager.next().await.is_none());
}
