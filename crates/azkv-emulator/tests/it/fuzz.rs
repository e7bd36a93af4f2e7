//! Fuzzing the emulator's request handling: random methods, mutated paths, queries, headers
//! and bodies over real connections. Every answer must be a well-formed status below 500, and
//! the emulator must still serve afterwards.

use crate::fuzz_harness::{budget, mutate, Rng};
use crate::support::start;
use reqwest::Method;
use std::time::Instant;

#[tokio::test]
async fn fuzz_request_handling() {
    let h = start().await;
    h.set("existing", "value").await;
    let paths: &[&[u8]] = &[
        b"/secrets/existing?api-version=7.5",
        b"/secrets/existing/?api-version=7.5",
        b"/secrets?api-version=7.5&maxresults=2",
        b"/secrets/existing/versions?api-version=2026-04-01",
        b"/secrets/existing/backup?api-version=7.5",
        b"/secrets/restore?api-version=7.5",
        b"/deletedsecrets?api-version=7.5",
        b"/deletedsecrets/existing/recover?api-version=7.5",
        b"/_emulator/clock",
    ];
    let bodies: &[&[u8]] = &[
        br#"{"value":"v","contentType":"text/plain","tags":{"a":"b"},"attributes":{"enabled":true,"exp":4102444800}}"#,
        br#"{"attributes":{"enabled":false,"nbf":1}}"#,
        br#"{"value":"AZKVBK1AAAAAAAAAAAAA"}"#,
        b"",
    ];
    let methods = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ];
    let mut rng = Rng(0xfeed_beef);
    let deadline = Instant::now() + budget();
    let base = h.emulator.vault_url().trim_end_matches('/').to_owned();
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let method = methods[rng.below(methods.len())].clone();
        let path_seed = paths[rng.below(paths.len())];
        let path = mutate(&mut rng, path_seed, paths);
        let body_seed = bodies[rng.below(bodies.len())];
        let body = mutate(&mut rng, body_seed, bodies);
        let path = String::from_utf8_lossy(&path).replace(['\r', '\n', ' ', '#'], "");
        let url = format!("{base}/{}", path.trim_start_matches('/'));
        let Ok(url) = reqwest::Url::parse(&url) else {
            continue;
        };
        if url.port() != reqwest::Url::parse(&base).unwrap().port()
            || url.host_str() != Some("127.0.0.1")
        {
            continue;
        }
        let mut request = h.http.request(method, url).body(body);
        match rng.below(3) {
            0 => request = request.bearer_auth(&h.token),
            1 => request = request.header("authorization", "Bearer garbage.token.here"),
            _ => {}
        }
        if rng.below(2) == 0 {
            request = request.header("content-type", "application/json");
        }
        let response = request
            .send()
            .await
            .expect("the emulator answers every request");
        let status = response.status();
        assert!(status.as_u16() < 500, "status {status}");
        let _ = response.bytes().await.expect("a whole body");
        runs += 1;
    }
    println!("fuzz emulator requests: {runs} executions, no 5xx, no panic");
    // Still serving, and the seeded secret is still there unless a fuzzed request removed it.
    let health = h
        .send(Method::GET, &format!("{base}/_emulator/health"), None, None)
        .await;
    assert_eq!(health.status, reqwest::StatusCode::OK);
    assert!(runs > 100);
}
