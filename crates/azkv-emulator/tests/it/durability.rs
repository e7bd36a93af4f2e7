//! With `--data-dir`, every acknowledged write survives the process being killed (SIGKILL) at
//! random moments, and tokens issued before a restart stay valid after it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WRITES: usize = 1000;
const KILLS: usize = 5;
const WRITERS: usize = 4;

struct Running {
    child: Child,
    vault: String,
    http: reqwest::Client,
}

fn start(dir: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azkv-emulator"))
        .args(["--port", "0", "--data-dir"])
        .arg(dir)
        .arg("--ca-cert-out")
        .arg(dir.join("ca.pem"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let pem = std::fs::read(ready["ca_cert"].as_str().unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Running {
        child,
        vault: ready["vault_url"].as_str().unwrap().to_owned(),
        http,
    }
}

fn kill_hard(running: &mut Running) {
    Command::new("kill")
        .args(["-9", &running.child.id().to_string()])
        .status()
        .unwrap();
    running.child.wait().unwrap();
}

async fn token(running: &Running) -> String {
    let url = format!(
        "{}{}/oauth2/v2.0/token",
        running.vault,
        azkv_emulator::DEFAULT_TENANT
    );
    let response = running
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=durability&client_secret=s&scope=https%3A%2F%2Fvault.azure.net%2F.default")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir: PathBuf = std::env::temp_dir().join(format!("azkv-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let first = start(&dir);
    // Issued once: the signing key is stored, so it stays valid across every restart.
    let token = Arc::new(token(&first).await);
    let current = Arc::new(Mutex::new((first.vault.clone(), first.http.clone())));
    let running = Arc::new(Mutex::new(first));
    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(Mutex::new(vec![false; WRITES]));

    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (current, next, acknowledged, token) = (
            current.clone(),
            next.clone(),
            acknowledged.clone(),
            token.clone(),
        );
        writers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= WRITES {
                    return;
                }
                // Retry until acknowledged: a write cut by a kill may or may not have landed.
                loop {
                    let (vault, http) = current.lock().unwrap().clone();
                    let result = http
                        .put(format!("{vault}secrets/item-{i}?api-version=7.5"))
                        .bearer_auth(token.as_str())
                        .header("content-type", "application/json")
                        .body(format!("{{\"value\":\"value-{i}\"}}"))
                        .send()
                        .await;
                    if let Ok(response) = result {
                        if response.status().is_success() {
                            acknowledged.lock().unwrap()[i] = true;
                            break;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }

    // Kill at pseudo-random moments while the writers run, restarting on the same directory.
    let mut seed = 0x5eed_u64;
    for kill in 0..KILLS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(20 + seed % 80)).await;
        let restarted = {
            let mut guard = running.lock().unwrap();
            kill_hard(&mut guard);
            let restarted = start(&dir);
            *current.lock().unwrap() = (restarted.vault.clone(), restarted.http.clone());
            restarted
        };
        *running.lock().unwrap() = restarted;
        println!(
            "kill {} done after about {} writes",
            kill + 1,
            next.load(Ordering::SeqCst).min(WRITES)
        );
    }
    for writer in writers {
        writer.await.unwrap();
    }

    // One more restart, then every acknowledged write must be there with its value.
    {
        let mut guard = running.lock().unwrap();
        kill_hard(&mut guard);
        *guard = start(&dir);
    }
    let (vault, http) = {
        let guard = running.lock().unwrap();
        (guard.vault.clone(), guard.http.clone())
    };
    let acked: Vec<usize> = acknowledged
        .lock()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, a)| **a)
        .map(|(i, _)| i)
        .collect();
    let mut present = 0;
    for &i in &acked {
        let response = http
            .get(format!("{vault}secrets/item-{i}?api-version=7.5"))
            .bearer_auth(token.as_str())
            .send()
            .await
            .unwrap();
        if response.status().is_success() {
            let body: serde_json::Value =
                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            if body["value"] == format!("value-{i}") {
                present += 1;
            }
        }
    }
    println!(
        "acknowledged {}, present {present}, lost {}",
        acked.len(),
        acked.len() - present
    );
    assert_eq!(acked.len(), WRITES);
    assert_eq!(present, acked.len(), "acknowledged writes were lost");
    kill_hard(&mut running.lock().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn access_policies_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("azkv-policies-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || azkv_emulator::EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..Default::default()
    };
    let first = azkv_emulator::Emulator::start(config()).await.unwrap();
    let policy = azkv_emulator::AccessPolicy {
        object_id: first.object_id_of("reader"),
        secrets: vec!["get".into()],
        ..Default::default()
    };
    assert!(first.set_access_policies("emulator", Some(vec![policy])));
    first.shutdown().await;

    let h = crate::support::start_with(config()).await;
    let reader = h.emulator.issue_token("reader", false).unwrap();
    let url = h.url("/secrets/x?api-version=7.5");
    let denied = h
        .send(
            reqwest::Method::PUT,
            &url,
            Some(serde_json::json!({ "value": "v" })),
            Some(&reader),
        )
        .await;
    assert_eq!(denied.status, reqwest::StatusCode::FORBIDDEN);
    let other = h.emulator.issue_token("someone-else", false).unwrap();
    assert_eq!(
        h.send(reqwest::Method::GET, &url, None, Some(&other))
            .await
            .status,
        reqwest::StatusCode::FORBIDDEN
    );
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}
