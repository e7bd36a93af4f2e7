//! The `azkv-emulator` binary: ready line on stdout, clean stop on SIGTERM and SIGINT, flag errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn start(extra: &[&str]) -> (std::process::Child, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!(
        "azkv-emulator-bin-test-{}-{}",
        std::process::id(),
        extra.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_azkv-emulator"))
        .args(["--port", "0", "--vault", "extra", "--ca-cert-out"])
        .arg(&ca)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    (child, ready)
}

fn stop_with(child: &mut std::process::Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            return;
        }
        assert!(Instant::now() < deadline, "did not stop after {signal}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn prints_one_ready_line_and_stops_on_sigterm() {
    let (mut child, ready) = start(&[]);
    assert_eq!(ready["event"], "ready");
    let vault = ready["vault_url"].as_str().unwrap();
    assert!(vault.starts_with("https://127.0.0.1:"));
    assert_eq!(ready["management_url"], vault);
    assert!(ready["authority_host"]
        .as_str()
        .unwrap()
        .starts_with("https://127.0.0.1:"));
    assert_eq!(ready["tenant_id"], azkv_emulator::DEFAULT_TENANT);
    assert!(ready["vaults"]["extra"]
        .as_str()
        .unwrap()
        .starts_with("https://127.0.0.1:"));
    let ca = std::fs::read_to_string(ready["ca_cert"].as_str().unwrap()).unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    stop_with(&mut child, "-TERM");
}

#[test]
fn plain_http_and_sigint() {
    let (mut child, ready) = start(&["--http"]);
    assert!(ready["vault_url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert!(ready["ca_cert"].is_null());
    stop_with(&mut child, "-INT");
}

#[test]
fn bad_flags_exit_with_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_azkv-emulator"))
        .args(["--port", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port"));
    let help = Command::new(env!("CARGO_BIN_EXE_azkv-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--vault NAME"));
}

#[tokio::test]
async fn trace_logs_hold_no_secret_value_or_token() {
    let dir = std::env::temp_dir().join(format!("azkv-emulator-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = std::fs::File::create(dir.join("stderr.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_azkv-emulator"))
        .args([
            "--port",
            "0",
            "--http",
            "--faults",
            "429=0.2,retry-after-ms=10,seed=3",
        ])
        .env("AZKV_EMULATOR_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base = ready["vault_url"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let token = client_secret_token(&http, &base, "CLIENT-SECRET-XYZ").await;
    for _ in 0..10 {
        let put = http
            .put(format!("{base}secrets/logged?api-version=7.5"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"value":"SECRET-VALUE-XYZ"}"#)
            .send()
            .await
            .unwrap();
        assert!(put.status().is_success() || put.status().as_u16() == 429);
    }
    stop_with(&mut child, "-TERM");
    let logs = std::fs::read_to_string(dir.join("stderr.log")).unwrap();
    assert!(logs.contains("request"), "trace logging ran");
    for forbidden in ["SECRET-VALUE-XYZ", "CLIENT-SECRET-XYZ", token.as_str()] {
        assert!(
            !logs.contains(forbidden),
            "{forbidden} in the emulator's logs"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn listens_on_loopback_unless_told_otherwise() {
    assert!(azkv_emulator::EmulatorConfig::default().host.is_loopback());
    let Ok(azkv_emulator::Command::Run(config)) = azkv_emulator::parse_args(&[]) else {
        panic!("defaults parse")
    };
    assert!(config.host.is_loopback());
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azkv-emulator"))
        .args(["--port", "0", "--http", "--faults", "slow=1,slow-ms=700"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base = ready["vault_url"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let token = client_secret_token(&http, &base, "s").await;
    // Every data-plane answer is delayed 700 ms; stop the emulator while one is on its way.
    let request = http
        .put(format!("{base}secrets/in-flight?api-version=7.5"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"value":"v"}"#)
        .send();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopper = tokio::task::spawn_blocking(move || stop_with(&mut child, "-TERM"));
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    stopper.await.unwrap();
}

/// A token from the emulator at `base` for client `app` with `secret`.
async fn client_secret_token(http: &reqwest::Client, base: &str, secret: &str) -> String {
    let body = format!(
        "grant_type=client_credentials&client_id=app&client_secret={secret}&scope=https%3A%2F%2Fvault.azure.net%2F.default"
    );
    let response = http
        .post(format!(
            "{base}{}/oauth2/v2.0/token",
            azkv_emulator::DEFAULT_TENANT
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}
