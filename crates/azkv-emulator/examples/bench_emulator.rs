//! Emulator throughput: get-secret and set-secret requests/s over HTTPS keep-alive, from a
//! concurrent reqwest load client, beside the same client against a minimal hyper server that
//! answers a fixed body over the same TLS stack (the ceiling). Run it through
//! `cargo xtask bench emulator` (release mode).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use azkv_emulator::{Emulator, EmulatorConfig};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::PrivateKeyDer;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 32;
const RUN: Duration = Duration::from_secs(3);
const WARMUP: Duration = Duration::from_millis(500);
const BODY: &str = r#"{"value":"bench-value","id":"https://127.0.0.1/secrets/bench/0123456789abcdef0123456789abcdef","attributes":{"enabled":true,"created":1700000000,"updated":1700000000,"recoveryLevel":"Recoverable+Purgeable","recoverableDays":90}}"#;

/// A minimal HTTPS server answering every request with `BODY`.
async fn ceiling_server() -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let mut params = params;
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let cert = params.self_signed(&key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = hyper::service::service_fn(|_req| async {
                    let mut response =
                        http::Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
                    response.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, std::convert::Infallible>(response)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, cert.pem())
}

/// Runs `CONCURRENCY` workers sending `make()` requests for `RUN` after a warm-up; returns
/// requests per second.
async fn load(
    client: &reqwest::Client,
    make: impl Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> f64 {
    let make = Arc::new(make);
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let (client, make, counting, stop, done) = (
            client.clone(),
            make.clone(),
            counting.clone(),
            stop.clone(),
            done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = worker as u64 * 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let response = make(&client, n).send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "status {}",
                    response.status()
                );
                response.bytes().await.expect("body");
                if counting.load(Ordering::Relaxed) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(WARMUP).await;
    counting.store(true, Ordering::Relaxed);
    let start = Instant::now();
    tokio::time::sleep(RUN).await;
    let count = done.load(Ordering::Relaxed);
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    count as f64 / elapsed.as_secs_f64()
}

fn client_trusting(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap()
}

#[tokio::main]
async fn main() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let token = emulator.issue_token("bench", false).unwrap();
    let base = emulator.vault_url();
    let client = client_trusting(emulator.ca_cert_pem().unwrap());
    let put = client
        .put(format!("{base}secrets/bench?api-version=7.5"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"value":"bench-value"}"#)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());

    let (get_url, set_url) = (
        format!("{base}secrets/bench?api-version=7.5"),
        format!("{base}secrets/bench-set?api-version=7.5"),
    );
    let get_token = token.clone();
    let get_rps = load(&client, move |c, _| c.get(&get_url).bearer_auth(&get_token)).await;
    let set_token = token.clone();
    let set_rps = load(&client, move |c, n| {
        c.put(&set_url)
            .bearer_auth(&set_token)
            .header("content-type", "application/json")
            .body(format!(r#"{{"value":"value-{n}"}}"#))
    })
    .await;

    let health_url = format!("{base}_emulator/health");
    let health_rps = load(&client, move |c, _| c.get(&health_url)).await;

    let (ceiling_url, ceiling_pem) = ceiling_server().await;
    let ceiling_client = client_trusting(&ceiling_pem);
    let ceiling_get = format!("{ceiling_url}/secrets/bench?api-version=7.5");
    let ceiling_rps = load(&ceiling_client, move |c, _| {
        c.get(&ceiling_get).bearer_auth("x")
    })
    .await;

    println!(
        "emulator bench: {CONCURRENCY} concurrent HTTPS keep-alive clients, {}s per run",
        RUN.as_secs()
    );
    println!("  emulator get-secret      {get_rps:>10.0} req/s");
    println!("  emulator set-secret      {set_rps:>10.0} req/s");
    println!("  emulator health (no auth, no store) {health_rps:>7.0} req/s");
    println!("  ceiling (fixed body)     {ceiling_rps:>10.0} req/s");
    println!(
        "  ratio get/ceiling        {:>10.2}  (target >= 0.50)",
        get_rps / ceiling_rps
    );
    println!("  ratio set/ceiling        {:>10.2}", set_rps / ceiling_rps);
    emulator.shutdown().await;
}
