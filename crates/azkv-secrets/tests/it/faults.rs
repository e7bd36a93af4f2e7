//! Under injected faults (429 with Retry-After, 503, dropped connections) a mixed workload
//! completes with no failed operation, no lost write and no duplicated version.

use crate::support::vault_with;
use azkv_core::policies::RetryOptions;
use azkv_emulator::{EmulatorConfig, FaultConfig};
use azkv_secrets::{
    GetSecretOptions, ListSecretsOptions, SecretClientOptions, UpdateSecretPropertiesOptions,
};
use futures_util::TryStreamExt;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

const WORKERS: usize = 16;
const OPS_PER_WORKER: usize = 125;
const NAMES_PER_WORKER: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_workload_survives_faults_without_loss_or_duplicates() {
    let faults = FaultConfig {
        throttle: 0.10,
        unavailable: 0.05,
        drop: 0.02,
        retry_after: Duration::from_millis(200),
        seed: 7,
        ..Default::default()
    };
    let v = vault_with(EmulatorConfig {
        faults: Some(faults),
        ..Default::default()
    })
    .await;
    let retry = RetryOptions {
        max_retries: 10,
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(500),
        ..Default::default()
    };
    let client = crate::support::client_with(
        &v.emulator,
        &v.emulator.vault_url(),
        v.transport.clone(),
        |o: &mut SecretClientOptions| {
            o.client_options.retry = retry.clone();
        },
    );

    let mut tasks = Vec::new();
    for worker in 0..WORKERS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            // name -> (acknowledged sets, last value, last version)
            let mut acked: HashMap<String, (usize, String, String)> = HashMap::new();
            let mut failures = Vec::new();
            for i in 0..OPS_PER_WORKER {
                let name = format!("w{worker}-n{}", i % NAMES_PER_WORKER);
                let known = acked.get(&name).cloned();
                let outcome: azkv_core::Result<()> = async {
                    match (i % 10, known) {
                        (0..=3, _) | (_, None) => {
                            let value = format!("value-{worker}-{i}");
                            let secret = client.set_secret(&name, &value, None).await?.into_model();
                            let entry = acked.entry(name.clone()).or_insert((
                                0,
                                String::new(),
                                String::new(),
                            ));
                            entry.0 += 1;
                            entry.1 = value;
                            entry.2 = secret.properties.version.unwrap_or_default();
                        }
                        (4..=6, Some((_, value, _))) => {
                            let got = client.get_secret(&name, None).await?.into_model();
                            assert_eq!(got.value.expose(), &value, "latest value of {name}");
                        }
                        (7, Some(_)) => {
                            let tags = BTreeMap::from([("step".to_owned(), i.to_string())]);
                            let options = UpdateSecretPropertiesOptions {
                                tags: Some(tags),
                                ..Default::default()
                            };
                            client
                                .update_secret_properties(&name, Some(options))
                                .await?;
                        }
                        (8, Some((_, value, version))) => {
                            let options = GetSecretOptions {
                                version: Some(version),
                                ..Default::default()
                            };
                            assert_eq!(
                                client
                                    .get_secret(&name, Some(options))
                                    .await?
                                    .into_model()
                                    .value
                                    .expose(),
                                &value
                            );
                        }
                        _ => {
                            let options = ListSecretsOptions {
                                max_page_size: Some(5),
                                ..Default::default()
                            };
                            client
                                .list_secret_properties(Some(options))
                                .into_pages()
                                .next()
                                .await
                                .transpose()?;
                        }
                    }
                    Ok(())
                }
                .await;
                if let Err(err) = outcome {
                    failures.push(format!("{name} op {i}: {err}"));
                }
            }
            (acked, failures)
        }));
    }
    let mut all_acked = HashMap::new();
    let mut failures = Vec::new();
    for task in tasks {
        let (acked, failed) = task.await.unwrap();
        all_acked.extend(acked);
        failures.extend(failed);
    }
    let stats = v.emulator.fault_stats();
    println!(
        "faults injected: {stats:?}; operations: {}",
        WORKERS * OPS_PER_WORKER
    );
    assert!(
        failures.is_empty(),
        "{} failed operations: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(
        stats.throttled > 100 && stats.unavailable > 40 && stats.dropped > 10,
        "{stats:?}"
    );
    assert!(stats.retries > 0);
    assert_eq!(stats.early_retries, 0, "every retry honoured Retry-After");

    // No write lost or duplicated: each name has exactly as many versions as acknowledged sets.
    let check = crate::support::client_with(
        &v.emulator,
        &v.emulator.vault_url(),
        v.transport.clone(),
        |o: &mut SecretClientOptions| {
            o.client_options.retry = RetryOptions {
                max_retries: 20,
                initial_delay: Duration::from_millis(10),
                ..Default::default()
            };
        },
    );
    for (name, (sets, value, _)) in &all_acked {
        let versions: Vec<_> = check
            .list_secret_versions(name, None)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(versions.len(), *sets, "versions of {name}");
        assert_eq!(
            check
                .get_secret(name, None)
                .await
                .unwrap()
                .into_model()
                .value
                .expose(),
            value
        );
    }
}
