//! 200 concurrent clients setting, getting and deleting overlapping names: no 5xx, no
//! deadlock, and a final state made only of acknowledged writes. Runs for
//! `AZKV_CONCURRENCY_SECONDS` (default 30).

use crate::support::start;
use reqwest::{Method, StatusCode};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;
const NAMES: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_clients_on_overlapping_names() {
    let seconds = std::env::var("AZKV_CONCURRENCY_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30.0);
    let h = Arc::new(start().await);
    let acked: Arc<Mutex<HashMap<usize, HashSet<String>>>> = Arc::new(Mutex::new(HashMap::new()));
    let counts = Arc::new(Mutex::new(HashMap::<u16, u64>::new()));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (h, acked, counts) = (h.clone(), acked.clone(), counts.clone());
        tasks.push(tokio::spawn(async move {
            let mut step = client as u64 * 7919;
            while Instant::now() < deadline {
                step = step
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let name = (step >> 33) as usize % NAMES;
                let answer = match (step >> 20) % 10 {
                    0..=5 => {
                        let value = format!("c{client}-{step}");
                        let answer = h
                            .call(
                                Method::PUT,
                                &format!("/secrets/n{name}"),
                                Some(serde_json::json!({ "value": value })),
                            )
                            .await;
                        if answer.status == StatusCode::OK {
                            acked.lock().unwrap().entry(name).or_default().insert(value);
                        } else if answer.status == StatusCode::CONFLICT {
                            // Deleted (or being deleted): purge so the name can be used again.
                            let purge = h
                                .call(Method::DELETE, &format!("/deletedsecrets/n{name}"), None)
                                .await;
                            assert!(purge.status.as_u16() < 500, "{}", purge.status);
                        }
                        answer
                    }
                    6..=8 => {
                        h.call(Method::GET, &format!("/secrets/n{name}"), None)
                            .await
                    }
                    _ => {
                        h.call(Method::DELETE, &format!("/secrets/n{name}"), None)
                            .await
                    }
                };
                assert!(
                    answer.status.as_u16() < 500,
                    "{}: {:?}",
                    answer.status,
                    answer.body
                );
                *counts
                    .lock()
                    .unwrap()
                    .entry(answer.status.as_u16())
                    .or_default() += 1;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let counts = counts.lock().unwrap().clone();
    println!("answers by status: {counts:?}");
    assert!(counts.get(&200).copied().unwrap_or(0) > 1000);
    // Every secret that exists holds a value some client was told it stored.
    let acked = acked.lock().unwrap().clone();
    for name in 0..NAMES {
        let answer = h
            .call(Method::GET, &format!("/secrets/n{name}"), None)
            .await;
        match answer.status {
            StatusCode::OK => {
                let value = answer.body["value"].as_str().unwrap().to_owned();
                assert!(
                    acked
                        .get(&name)
                        .is_some_and(|values| values.contains(&value)),
                    "n{name} holds {value}, never acknowledged"
                );
            }
            StatusCode::NOT_FOUND => {}
            other => panic!("n{name}: {other}"),
        }
    }
}
