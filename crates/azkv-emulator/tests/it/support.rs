//! An emulator per test and a small JSON client for it.

use azkv_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

pub const API: &str = "7.5";

pub struct Harness {
    pub emulator: RunningEmulator,
    pub http: reqwest::Client,
    pub token: String,
}

pub async fn start() -> Harness {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> Harness {
    let emulator = Emulator::start(config).await.unwrap();
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(Duration::from_secs(30));
    if let Some(pem) = emulator.ca_cert_pem() {
        builder =
            builder.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    let http = builder.build().unwrap();
    let token = emulator.issue_token("test-app", false).unwrap();
    Harness {
        emulator,
        http,
        token,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.emulator.vault_url().trim_end_matches('/'),
            path
        )
    }

    /// Sends with the test token and `api-version=7.5` added to the path's query.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = self.url(&format!("{path}{sep}api-version={API}"));
        self.send(method, &url, body, Some(&self.token)).await
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Answer {
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn set(&self, name: &str, value: &str) -> Answer {
        self.call(
            Method::PUT,
            &format!("/secrets/{name}"),
            Some(serde_json::json!({ "value": value })),
        )
        .await
    }

    /// Waits until a just-deleted secret is visible as deleted (the delete is asynchronous).
    pub async fn wait_deleted(&self, name: &str) {
        for _ in 0..100 {
            if self
                .call(Method::GET, &format!("/deletedsecrets/{name}"), None)
                .await
                .status
                == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{name} never showed as deleted");
    }
}
