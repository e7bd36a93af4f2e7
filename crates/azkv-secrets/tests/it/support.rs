//! A vault per test: the emulator in-process, and a SecretClient configured for it.

use azkv_core::{ClientOptions, PollerOptions, ReqwestTransport, TransportOptions};
use azkv_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use azkv_identity::{AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions};
use azkv_secrets::{SecretClient, SecretClientOptions};
use std::sync::Arc;
use std::time::Duration;

pub struct Vault {
    pub emulator: RunningEmulator,
    pub client: SecretClient,
    pub transport: Arc<ReqwestTransport>,
}

pub async fn vault() -> Vault {
    vault_with(EmulatorConfig::default()).await
}

pub async fn vault_with(config: EmulatorConfig) -> Vault {
    let emulator = Emulator::start(config).await.unwrap();
    let transport = Arc::new(
        ReqwestTransport::new(&TransportOptions {
            additional_root_certificates: vec![emulator.ca_cert_pem().unwrap().as_bytes().to_vec()],
            ..Default::default()
        })
        .unwrap(),
    );
    let client = client_for(&emulator, &emulator.vault_url(), transport.clone());
    Vault {
        emulator,
        client,
        transport,
    }
}

pub fn client_for(
    emulator: &RunningEmulator,
    url: &str,
    transport: Arc<ReqwestTransport>,
) -> SecretClient {
    client_with(emulator, url, transport, |_| {})
}

/// A client like [`client_for`], with `adjust` applied to its options.
pub fn client_with(
    emulator: &RunningEmulator,
    url: &str,
    transport: Arc<ReqwestTransport>,
    adjust: impl FnOnce(&mut SecretClientOptions),
) -> SecretClient {
    let client_options = ClientOptions {
        transport: Some(transport),
        ..Default::default()
    };
    let credential = ClientSecretCredential::new(
        emulator.tenant_id(),
        "secrets-tests",
        "any-secret".into(),
        Some(ClientSecretCredentialOptions {
            authority_host: AuthorityHost::custom(emulator.authority_host()).unwrap(),
            client_options: client_options.clone(),
            ..Default::default()
        }),
    )
    .unwrap();
    let mut options = SecretClientOptions {
        client_options,
        verify_challenge_resource: false,
        poller: PollerOptions {
            interval: Duration::from_millis(50),
            timeout: Duration::from_secs(20),
        },
        ..Default::default()
    };
    adjust(&mut options);
    SecretClient::new(url, Arc::new(credential), Some(options)).unwrap()
}
