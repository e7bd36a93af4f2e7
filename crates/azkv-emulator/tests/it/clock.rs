//! The controllable clock: deleted secrets are purged when their date passes.

use crate::support::start;
use reqwest::{Method, StatusCode};
use std::time::Duration;

#[tokio::test]
async fn scheduled_purge_happens_when_the_clock_passes_it() {
    let h = start().await;
    h.set("old", "x").await;
    h.call(Method::DELETE, "/secrets/old", None).await;
    h.wait_deleted("old").await;
    h.emulator.advance_clock(Duration::from_secs(89 * 86_400));
    // Tokens issued before the jump have expired; get a fresh one.
    let token = h.emulator.issue_token("test-app", false).unwrap();
    let url = h.url("/deletedsecrets/old?api-version=7.5");
    assert_eq!(
        h.send(Method::GET, &url, None, Some(&token)).await.status,
        StatusCode::OK
    );
    h.emulator.advance_clock(Duration::from_secs(2 * 86_400));
    let token = h.emulator.issue_token("test-app", false).unwrap();
    assert_eq!(
        h.send(Method::GET, &url, None, Some(&token)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn clock_control_endpoint_moves_time() {
    let h = start().await;
    let base = h.emulator.authority_host().to_owned();
    let before = h
        .send(Method::GET, &format!("{base}/_emulator/clock"), None, None)
        .await;
    let now = before.body["now"].as_i64().unwrap();
    let after = h
        .send(
            Method::POST,
            &format!("{base}/_emulator/clock/advance"),
            Some(serde_json::json!({ "seconds": 3600 })),
            None,
        )
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.body["now"].as_i64().unwrap() >= now + 3600);
    assert_eq!(after.body["offset"], 3600);
    assert!((h.emulator.now() - now) >= 3600);
}
