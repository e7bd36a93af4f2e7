//! Load client of `cargo xtask bench` for azkv's `SecretClient` (`--mode azkv`) and for a raw
//! reqwest request with a fixed bearer token (`--mode raw`, the ceiling for any client).
//! Prints one JSON line of figures. Not meant to be run by hand.

// The counting allocator needs `unsafe impl GlobalAlloc`; nothing else here is unsafe.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../benches/common/measure.rs"]
mod measure;

use azkv_core::{
    ClientOptions, ReqwestTransport, TokenCredential, TokenRequestOptions, TransportOptions,
};
use azkv_identity::{AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions};
use azkv_secrets::{SecretClient, SecretClientOptions};
use measure::{run, Args};
use std::sync::Arc;

#[global_allocator]
static GLOBAL: measure::CountingAlloc = measure::CountingAlloc;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let ca = std::fs::read(&args.ca).expect("read CA");
    let transport = Arc::new(
        ReqwestTransport::new(&TransportOptions {
            additional_root_certificates: vec![ca.clone()],
            ..Default::default()
        })
        .unwrap(),
    );
    let client_options = ClientOptions {
        transport: Some(transport),
        ..Default::default()
    };
    let credential = Arc::new(
        ClientSecretCredential::new(
            &args.tenant,
            "bench-client",
            "bench-secret".into(),
            Some(ClientSecretCredentialOptions {
                authority_host: AuthorityHost::custom(&args.authority).unwrap(),
                client_options: client_options.clone(),
                ..Default::default()
            }),
        )
        .unwrap(),
    );
    let outcome = match args.mode.as_str() {
        "raw" => {
            let token = credential
                .get_token(
                    &["https://vault.azure.net/.default"],
                    &TokenRequestOptions::default(),
                )
                .await
                .unwrap()
                .token
                .expose()
                .clone();
            let http = reqwest::Client::builder()
                .use_rustls_tls()
                .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
                .build()
                .unwrap();
            let base = args.vault.trim_end_matches('/').to_owned();
            let set = args.op == "set";
            run(args.concurrency, args.limit, move |n| {
                let (http, token, base) = (http.clone(), token.clone(), base.clone());
                async move {
                    let request = if set {
                        http.put(format!("{base}/secrets/bench-set?api-version=2026-04-01"))
                            .header("content-type", "application/json")
                            .body(format!("{{\"value\":\"value-{n}\"}}"))
                    } else {
                        http.get(format!("{base}/secrets/bench?api-version=2026-04-01"))
                    };
                    let response = request
                        .bearer_auth(&token)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    let status = response.status();
                    let body = response.bytes().await.map_err(|e| e.to_string())?;
                    if !status.is_success() {
                        return Err(format!("status {status}"));
                    }
                    let value: serde_json::Value =
                        serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                    if value.get("value").is_none() {
                        return Err("no value".into());
                    }
                    Ok(())
                }
            })
            .await
        }
        _ => {
            let client = SecretClient::new(
                &args.vault,
                credential,
                Some(SecretClientOptions {
                    client_options,
                    verify_challenge_resource: false,
                    ..Default::default()
                }),
            )
            .unwrap();
            client
                .set_secret("bench", "bench-value", None)
                .await
                .unwrap();
            let set = args.op == "set";
            run(args.concurrency, args.limit, move |n| {
                let client = client.clone();
                async move {
                    let result = if set {
                        client
                            .set_secret("bench-set", &format!("value-{n}"), None)
                            .await
                    } else {
                        client.get_secret("bench", None).await
                    };
                    result.map(|_| ()).map_err(|e| e.to_string())
                }
            })
            .await
        }
    };
    let name = if args.mode == "raw" {
        "raw-reqwest"
    } else {
        "azkv"
    };
    println!("{}", outcome.json(name, &args.op, args.concurrency));
}
