//! Several vaults: each on its own port, or chosen by a `NAME.localhost` Host header.

use crate::support::start_with;
use azkv_emulator::EmulatorConfig;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn vaults_are_separate_and_selected_by_port_or_host() {
    let h = start_with(EmulatorConfig {
        vaults: vec!["alpha".into(), "beta".into()],
        ..Default::default()
    })
    .await;
    let alpha = h
        .emulator
        .vault_url_of("alpha")
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let beta = h
        .emulator
        .vault_url_of("beta")
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    assert_ne!(alpha, beta);
    let put = |base: String, value: &'static str| {
        let h = &h;
        async move {
            h.send(
                Method::PUT,
                &format!("{base}/secrets/shared?api-version=7.5"),
                Some(serde_json::json!({ "value": value })),
                Some(&h.token),
            )
            .await
        }
    };
    assert_eq!(put(alpha.clone(), "a").await.status, StatusCode::OK);
    assert_eq!(put(beta.clone(), "b").await.status, StatusCode::OK);
    let get = |base: String| {
        let h = &h;
        async move {
            h.send(
                Method::GET,
                &format!("{base}/secrets/shared?api-version=7.5"),
                None,
                Some(&h.token),
            )
            .await
        }
    };
    assert_eq!(get(alpha.clone()).await.body["value"], "a");
    assert_eq!(get(beta.clone()).await.body["value"], "b");
    assert_eq!(
        get(h.emulator.vault_url().trim_end_matches('/').to_owned())
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The Host header selects a vault on any port, and ids use that host. NAME.localhost is
    // pinned to the loopback address, as clients that pin DNS do.
    let main: std::net::SocketAddr = h
        .emulator
        .authority_host()
        .trim_start_matches("https://")
        .parse()
        .unwrap();
    let pinned = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(
            reqwest::Certificate::from_pem(h.emulator.ca_cert_pem().unwrap().as_bytes()).unwrap(),
        )
        .resolve("beta.localhost", main)
        .build()
        .unwrap();
    let port = main.port();
    let via_host = pinned
        .get(format!(
            "https://beta.localhost:{port}/secrets/shared?api-version=7.5"
        ))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&via_host.bytes().await.unwrap()).unwrap();
    assert_eq!(body["value"], "b");
    assert!(body["id"]
        .as_str()
        .unwrap()
        .starts_with(&format!("https://beta.localhost:{port}/")));
    // An unknown vault name in the Host header (sent to the loopback address directly).
    let unknown = h
        .http
        .get(h.url("/secrets/shared?api-version=7.5"))
        .header("host", format!("nope.localhost:{port}"))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_slice(&unknown.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "VaultNotFound");
}
