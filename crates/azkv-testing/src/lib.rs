//! A test kit for applications that use azkv: [`TestVault`] starts a local Key Vault (the azkv
//! emulator) inside your test process and hands out clients and credentials already set up for
//! it — certificate trust, token endpoint and the challenge check — so a test needs no mocks,
//! no network and no Azure subscription.
//!
//! ```no_run
//! # async fn test() -> azkv_core::Result<()> {
//! let vault = azkv_testing::TestVault::start().await?;
//! let client = vault.secret_client();
//! client.set_secret("db-password", "hunter2", None).await?;
//! # Ok(()) }
//! ```
//!
//! It also reaches the emulator's test controls: [`TestVault::advance_clock`] moves time
//! forward (tokens expire, deleted secrets pass their purge date), and
//! [`TestVaultOptions::faults`] injects throttling, 503s and dropped connections.
//!
//! Cargo features:
//! - `blocking` (off by default): [`blocking::TestVault`] for plain `#[test]` functions and the
//!   blocking clients.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "blocking")]
pub mod blocking;

pub use azkv_emulator::{EmulatorConfig, FaultConfig, FaultStats, RunningEmulator};

use azkv_certificates::{CertificateClient, CertificateClientOptions};
use azkv_core::{
    ClientOptions, Error, ErrorKind, ReqwestTransport, Result, TokenCredential, TransportOptions,
};
use azkv_identity::{AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions};
use azkv_keys::{KeyClient, KeyClientOptions};
use azkv_mgmt::{VaultsClient, VaultsClientOptions};
use azkv_secrets::{SecretClient, SecretClientOptions};
use std::sync::Arc;
use std::time::Duration;

/// How a [`TestVault`] starts.
#[derive(Clone, Debug, Default)]
pub struct TestVaultOptions {
    /// Faults to inject into every data-plane request.
    pub faults: Option<FaultConfig>,
    /// Names of more vaults, each on its own port.
    pub extra_vaults: Vec<String>,
    /// The client id the handed-out credential uses. Default `azkv-testing`.
    pub client_id: Option<String>,
    /// Anything else of the emulator's configuration (its `faults` and `vaults` are replaced
    /// by the fields above).
    pub emulator: EmulatorConfig,
}

/// A local Key Vault for one test, with clients ready for it. Dropping it stops the vault.
#[derive(Debug)]
pub struct TestVault {
    emulator: RunningEmulator,
    client_options: ClientOptions,
    credential: Arc<dyn TokenCredential>,
    secret_client: SecretClient,
}

fn start_error(err: azkv_emulator::EmulatorError) -> Error {
    Error::with_source(ErrorKind::Other, "could not start the test vault", err)
}

impl TestVault {
    /// Starts a vault with default options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Other`] when the emulator cannot start (no free port, no TLS).
    pub async fn start() -> Result<Self> {
        Self::start_with(TestVaultOptions::default()).await
    }

    /// Starts a vault with `options`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Other`] when the emulator cannot start.
    pub async fn start_with(options: TestVaultOptions) -> Result<Self> {
        let mut config = options.emulator;
        config.faults = options.faults;
        config.vaults = options.extra_vaults;
        let emulator = azkv_emulator::Emulator::start(config)
            .await
            .map_err(start_error)?;
        let mut transport_options = TransportOptions::default();
        if let Some(pem) = emulator.ca_cert_pem() {
            transport_options
                .additional_root_certificates
                .push(pem.as_bytes().to_vec());
        }
        let client_options = ClientOptions {
            transport: Some(Arc::new(ReqwestTransport::new(&transport_options)?)),
            ..Default::default()
        };
        let credential = ClientSecretCredential::new(
            emulator.tenant_id(),
            options.client_id.as_deref().unwrap_or("azkv-testing"),
            "azkv-testing-secret".into(),
            Some(ClientSecretCredentialOptions {
                authority_host: AuthorityHost::custom(emulator.authority_host())?,
                client_options: client_options.clone(),
                ..Default::default()
            }),
        )?;
        let credential: Arc<dyn TokenCredential> = Arc::new(credential);
        let secret_client = SecretClient::new(
            &emulator.vault_url(),
            credential.clone(),
            Some(secret_options(&client_options)),
        )?;
        Ok(Self {
            emulator,
            client_options,
            credential,
            secret_client,
        })
    }

    /// The default vault's URL.
    pub fn vault_url(&self) -> String {
        self.emulator.vault_url()
    }

    /// The URL of the extra vault `name`.
    pub fn vault_url_of(&self, name: &str) -> Option<String> {
        self.emulator.vault_url_of(name).map(str::to_owned)
    }

    /// A credential that gets tokens from the test vault's token endpoint.
    pub fn credential(&self) -> Arc<dyn TokenCredential> {
        self.credential.clone()
    }

    /// Client options whose transport trusts the test vault's certificate; start from these
    /// when you build clients yourself.
    pub fn client_options(&self) -> ClientOptions {
        self.client_options.clone()
    }

    /// Secret client options for the test vault: its transport, no challenge-resource check
    /// (the emulator is not on a Key Vault domain) and quick pollers.
    pub fn secret_client_options(&self) -> SecretClientOptions {
        secret_options(&self.client_options)
    }

    /// A secret client for the default vault.
    pub fn secret_client(&self) -> SecretClient {
        self.secret_client.clone()
    }

    /// A secret client for the vault at `vault_url`, such as [`vault_url_of`](Self::vault_url_of)
    /// of an extra vault.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `vault_url` is not a URL.
    pub fn secret_client_for(&self, vault_url: &str) -> Result<SecretClient> {
        SecretClient::new(
            vault_url,
            self.credential(),
            Some(self.secret_client_options()),
        )
    }

    /// Key client options for the test vault: its transport, no challenge-resource check and
    /// quick pollers.
    pub fn key_client_options(&self) -> KeyClientOptions {
        let secret = secret_options(&self.client_options);
        KeyClientOptions {
            client_options: secret.client_options,
            verify_challenge_resource: false,
            allow_http_loopback: false,
            poller: secret.poller,
        }
    }

    /// A key client for the default vault.
    ///
    /// # Errors
    ///
    /// Only if the client cannot be built, which does not happen for the test vault's URL.
    pub fn key_client(&self) -> Result<KeyClient> {
        self.key_client_for(&self.vault_url())
    }

    /// A key client for the vault at `vault_url`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `vault_url` is not a URL.
    pub fn key_client_for(&self, vault_url: &str) -> Result<KeyClient> {
        KeyClient::new(
            vault_url,
            self.credential(),
            Some(self.key_client_options()),
        )
    }

    /// Certificate client options for the test vault: its transport, no challenge-resource
    /// check and quick pollers.
    pub fn certificate_client_options(&self) -> CertificateClientOptions {
        let secret = secret_options(&self.client_options);
        CertificateClientOptions {
            client_options: secret.client_options,
            verify_challenge_resource: false,
            allow_http_loopback: false,
            poller: secret.poller,
        }
    }

    /// A certificate client for the default vault.
    ///
    /// # Errors
    ///
    /// Only if the client cannot be built, which does not happen for the test vault's URL.
    pub fn certificate_client(&self) -> Result<CertificateClient> {
        CertificateClient::new(
            &self.vault_url(),
            self.credential(),
            Some(self.certificate_client_options()),
        )
    }

    /// Options for a management client of the emulator's Resource Manager endpoint: its
    /// transport and endpoint, quick pollers.
    ///
    /// # Errors
    ///
    /// Only if the emulator's management URL does not parse, which does not happen.
    pub fn vaults_client_options(&self) -> Result<VaultsClientOptions> {
        let endpoint = azkv_core::Url::parse(&self.emulator.management_url())
            .map_err(|_| Error::invalid_input("management url", "not a URL"))?;
        Ok(VaultsClientOptions {
            client_options: self.client_options.clone(),
            endpoint: Some(endpoint),
            poller: azkv_core::PollerOptions {
                interval: Duration::from_millis(50),
                timeout: Duration::from_secs(30),
            },
            ..Default::default()
        })
    }

    /// A management client for `subscription_id` (any id: the emulator keeps vaults per
    /// subscription). Vaults it creates are data-plane vaults at their `vault_uri`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an empty subscription id.
    pub fn vaults_client(&self, subscription_id: &str) -> Result<VaultsClient> {
        VaultsClient::new(
            subscription_id,
            self.credential(),
            Some(self.vaults_client_options()?),
        )
    }

    /// Moves the vault's clock forward: tokens expire and deleted secrets pass their purge
    /// date without waiting. Clients fetch new tokens by themselves.
    pub fn advance_clock(&self, by: Duration) {
        self.emulator.advance_clock(by);
    }

    /// Counters of injected faults and of retries the vault saw.
    pub fn fault_stats(&self) -> FaultStats {
        self.emulator.fault_stats()
    }

    /// The emulator itself, for anything else.
    pub fn emulator(&self) -> &RunningEmulator {
        &self.emulator
    }

    /// Stops the vault, letting requests in flight finish.
    pub async fn shutdown(self) {
        self.emulator.shutdown().await;
    }
}

fn secret_options(client_options: &ClientOptions) -> SecretClientOptions {
    SecretClientOptions {
        client_options: client_options.clone(),
        verify_challenge_resource: false,
        poller: azkv_core::PollerOptions {
            interval: Duration::from_millis(50),
            timeout: Duration::from_secs(30),
        },
        ..Default::default()
    }
}
