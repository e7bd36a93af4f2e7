//! azkv-emulator: a local Azure Key Vault for development and tests.
//!
//! It serves the Key Vault data plane over HTTPS (a certificate made at start, or yours), a
//! Microsoft identity platform token endpoint, an IMDS-shaped managed identity endpoint and
//! test-control endpoints. Official Azure clients work against it changed only in URL,
//! credential authority, certificate trust and their challenge-resource check.
//!
//! Use it from tests with [`Emulator::start`], or run the `azkv-emulator` binary, which prints
//! one JSON line with its URLs when ready. It shares no code with the azkv SDK on purpose: each
//! side checks the other.
//!
//! # Examples
//!
//! ```no_run
//! use azkv_emulator::{Emulator, EmulatorConfig};
//!
//! # async fn run() -> Result<(), azkv_emulator::EmulatorError> {
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! println!("vault at {}, trust {:?}", emulator.vault_url(), emulator.ca_cert_pem());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The crate has no cargo features.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod access;
mod api_version;
mod backup;
mod certs;
mod clock;
mod config;
mod control;
mod crypto;
mod error;
mod faults;
mod http;
mod identity;
mod keys;
mod mgmt;
mod persist;
mod pki;
mod secrets;
mod server;
mod state;
mod store;
mod tls;

pub use access::AccessPolicy;
pub use config::{parse_args, Command, EmulatorConfig, TlsMode, DEFAULT_TENANT, USAGE};
pub use faults::{FaultConfig, FaultStats};
pub use identity::MANAGED_IDENTITY_CLIENT_ID;

use hyper_util::server::graceful::GracefulShutdown;
use server::Role;
use state::State;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A port could not be bound.
    #[error("could not listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error("tls set-up failed: {0}")]
    Tls(String),
    /// A key could not be made.
    #[error("{0}")]
    Crypto(&'static str),
    /// The configuration contradicts itself (for example a policy for a vault that does not
    /// exist).
    #[error("configuration: {0}")]
    Config(String),
    /// The data directory could not be opened, read or written.
    #[error("data directory: {0}")]
    Store(String),
    /// A file could not be written.
    #[error("could not write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

/// A running emulator. Dropping it stops it; [`shutdown`](Self::shutdown) also waits for
/// requests in flight.
#[derive(Debug)]
pub struct RunningEmulator {
    state: Arc<State>,
    main_url: String,
    vaults: BTreeMap<String, String>,
    ca_pem: Option<String>,
    ca_path: Option<PathBuf>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    graceful: Option<Arc<GracefulShutdown>>,
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, EmulatorError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })
}

fn url_of(scheme: &str, addr: SocketAddr) -> String {
    format!("{scheme}://{addr}")
}

impl Emulator {
    /// Starts an emulator with `config` and returns once it accepts connections.
    ///
    /// # Errors
    ///
    /// [`EmulatorError`] when a port cannot be bound, TLS cannot be set up or the CA
    /// certificate cannot be written.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        let tls = match &config.tls {
            TlsMode::Generate { .. } => {
                let mut names = config.vaults.clone();
                names.push(config.default_vault.clone());
                Some(tls::generate(&[config.host], &names)?)
            }
            TlsMode::Files { cert, key, ca } => Some(tls::from_files(cert, key, ca.as_deref())?),
            TlsMode::Disabled => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let main = bind(SocketAddr::new(config.host, config.port)).await?;
        let main_addr = main.local_addr().map_err(|source| EmulatorError::Bind {
            addr: SocketAddr::new(config.host, config.port),
            source,
        })?;
        let main_url = url_of(scheme, main_addr);

        let mut listeners = vec![(main, Role::Main)];
        let mut vaults = BTreeMap::new();
        let mut store = store::Store::default();
        store
            .vaults
            .insert(config.default_vault.clone(), store::Vault::new());
        vaults.insert(config.default_vault.clone(), format!("{main_url}/"));
        for name in &config.vaults {
            let listener = bind(SocketAddr::new(config.host, 0)).await?;
            let addr = listener
                .local_addr()
                .map_err(|source| EmulatorError::Bind {
                    addr: SocketAddr::new(config.host, 0),
                    source,
                })?;
            let url = format!("{}/", url_of(scheme, addr));
            store.vaults.insert(name.clone(), store::Vault::new());
            vaults.insert(name.clone(), url);
            listeners.push((listener, Role::Vault(name.clone())));
        }

        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let ca_path = match (&config.tls, &ca_pem) {
            (
                TlsMode::Generate {
                    ca_cert_out: Some(path),
                },
                Some(pem),
            ) => {
                tokio::fs::write(path, pem)
                    .await
                    .map_err(|source| EmulatorError::Write {
                        path: path.clone(),
                        source,
                    })?;
                Some(path.clone())
            }
            (TlsMode::Files { ca: Some(ca), .. }, _) => Some(ca.clone()),
            (TlsMode::Files { cert, .. }, _) => Some(cert.clone()),
            _ => None,
        };

        let (durable, loaded) = match &config.data_dir {
            Some(dir) => {
                let (durable, loaded) = persist::Durable::open(dir)?;
                (Some(durable), loaded)
            }
            None => (None, persist::Loaded::default()),
        };
        // Vaults made through the management plane first, so their objects load into them.
        let mut arm = mgmt::prepare(&loaded.arm, &mut store);
        for (vault, policies) in loaded.access_policies {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.access_policies = Some(policies);
            }
        }
        // Policies given at start replace stored ones.
        for (vault, policies) in &config.access_policies {
            match store.vaults.get_mut(vault) {
                Some(v) => {
                    if let Some(durable) = &durable {
                        durable.save_access_policies(vault, Some(policies))?;
                    }
                    v.access_policies = Some(policies.clone());
                }
                None => {
                    return Err(EmulatorError::Config(format!(
                        "an access policy names the unknown vault {vault}"
                    )))
                }
            }
        }
        for (vault, key, secret) in loaded.secrets {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.secrets.insert(key, secret);
            }
        }
        for (vault, key, deleted) in loaded.deleted_secrets {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.deleted_secrets.insert(key, deleted);
            }
        }
        for (vault, name, key) in loaded.keys {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.keys.insert(name, key);
            }
        }
        for (vault, name, deleted) in loaded.deleted_keys {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.deleted_keys.insert(name, deleted);
            }
        }
        for (vault, name, cert) in loaded.certificates {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.certificates.insert(name, cert);
            }
        }
        for (vault, name, deleted) in loaded.deleted_certificates {
            if let Some(v) = store.vaults.get_mut(&vault) {
                v.deleted_certificates.insert(name, deleted);
            }
        }
        mgmt::finish(&mut arm, &mut store);
        let issuer = identity::Issuer::new(
            config.tenant_id.clone(),
            main_url.clone(),
            config.token_lifetime.as_secs() as i64,
            config.clients.clone().into_iter().collect(),
            config.client_certificates.clone().into_iter().collect(),
            loaded.signing_key.as_deref(),
        )?;
        let sealer = backup::Sealer::new(loaded.backup_key.as_deref())?;
        if let Some(durable) = &durable {
            // Kept so tokens and backups made before a restart stay valid after it.
            durable.put_meta("signing_key", issuer.signing_key())?;
            durable.put_meta("backup_key", sealer.key_bytes())?;
        }
        let clock = clock::Clock::with_offset(loaded.clock_offset);
        let state = Arc::new(State::new(
            config,
            issuer,
            sealer,
            main_url.clone(),
            store,
            durable,
            clock,
        ));
        let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
        let graceful = Arc::new(GracefulShutdown::new());
        let (stop, stop_rx) = watch::channel(false);
        // Vaults created through the management plane get their listeners here.
        let (spawn_tx, mut spawn_rx) =
            tokio::sync::mpsc::unbounded_channel::<(std::net::TcpListener, String)>();
        let _ = state.spawner.set(spawn_tx);
        *state
            .arm
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = arm;
        // It ends, after the listeners it started, when the emulator stops, so that shutdown
        // holds the only handle on the graceful-shutdown tracker again.
        let spawner = {
            let acceptor = acceptor.clone();
            let state = state.clone();
            let graceful = graceful.clone();
            let stop_rx = stop_rx.clone();
            let mut stopping = stop_rx.clone();
            tokio::spawn(async move {
                let mut started = Vec::new();
                loop {
                    let next = tokio::select! {
                        next = spawn_rx.recv() => next,
                        _ = stopping.changed() => None,
                    };
                    let Some((listener, name)) = next else { break };
                    match TcpListener::from_std(listener) {
                        Ok(listener) => {
                            started.push(tokio::spawn(server::serve(
                                listener,
                                acceptor.clone(),
                                Role::Vault(name),
                                state.clone(),
                                graceful.clone(),
                                stop_rx.clone(),
                            )));
                        }
                        Err(err) => tracing::error!(error = %err, "could not serve a new vault"),
                    }
                }
                drop(graceful);
                for task in started {
                    if let Err(err) = task.await {
                        tracing::debug!(error = %err, "vault listener ended abnormally");
                    }
                }
            })
        };
        let mut tasks: Vec<JoinHandle<()>> = listeners
            .into_iter()
            .map(|(listener, role)| {
                tokio::spawn(server::serve(
                    listener,
                    acceptor.clone(),
                    role,
                    state.clone(),
                    graceful.clone(),
                    stop_rx.clone(),
                ))
            })
            .collect();
        tasks.push(spawner);
        mgmt::start_listeners(&state);
        Ok(RunningEmulator {
            state,
            main_url,
            vaults,
            ca_pem,
            ca_path,
            stop,
            tasks,
            graceful: Some(graceful),
        })
    }
}

impl RunningEmulator {
    /// URL of the default vault (the main port), with a trailing slash.
    pub fn vault_url(&self) -> String {
        format!("{}/", self.main_url)
    }

    /// URL of the vault `name`, when it exists.
    pub fn vault_url_of(&self, name: &str) -> Option<&str> {
        self.vaults
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Every vault and its URL.
    pub fn vaults(&self) -> &BTreeMap<String, String> {
        &self.vaults
    }

    /// URL of the management plane (Azure Resource Manager shapes).
    pub fn management_url(&self) -> String {
        format!("{}/", self.main_url)
    }

    /// Authority host for credentials (`https://127.0.0.1:PORT`).
    pub fn authority_host(&self) -> &str {
        &self.main_url
    }

    /// The tenant of tokens and challenges.
    pub fn tenant_id(&self) -> &str {
        &self.state.config.tenant_id
    }

    /// The token endpoint of the tenant.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.main_url, self.tenant_id())
    }

    /// The IMDS-shaped managed identity endpoint.
    pub fn imds_url(&self) -> String {
        format!("{}/metadata/identity/oauth2/token", self.main_url)
    }

    /// PEM of the certificate to trust, unless serving plain HTTP.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Where the certificate to trust was written, when it was.
    pub fn ca_cert_path(&self) -> Option<&std::path::Path> {
        self.ca_path.as_deref()
    }

    /// The ready line the binary prints.
    pub fn ready_line(&self) -> String {
        serde_json::json!({
            "event": "ready",
            "vault_url": self.vault_url(),
            "management_url": self.management_url(),
            "authority_host": self.authority_host(),
            "tenant_id": self.tenant_id(),
            "token_url": self.token_url(),
            "imds_url": self.imds_url(),
            "ca_cert": self.ca_path.as_ref().map(|p| p.display().to_string()),
            "vaults": self.vaults,
        })
        .to_string()
    }

    /// A token for `client_id`, as the token endpoint would issue it, for the Key Vault
    /// resource (`management == false`) or Azure Resource Manager.
    pub fn issue_token(&self, client_id: &str, management: bool) -> Option<String> {
        let audience = if management {
            "https://management.azure.com"
        } else {
            "https://vault.azure.net"
        };
        self.state
            .issuer
            .issue(
                self.tenant_id(),
                client_id,
                audience,
                self.state.clock.now(),
            )
            .ok()
    }

    /// Moves the emulator's clock forward: tokens expire, deleted objects pass their purge
    /// date, without waiting.
    pub fn advance_clock(&self, by: Duration) {
        control::advance_clock(&self.state, by.as_secs());
    }

    /// Sets the access policies of vault `name`; `None` lets every caller do everything.
    /// Returns whether the vault exists.
    ///
    /// With a data directory they are stored too; a failure to store them is logged.
    pub fn set_access_policies(&self, name: &str, policies: Option<Vec<AccessPolicy>>) -> bool {
        let name = name.to_ascii_lowercase();
        let mut store = self.state.lock();
        let Some(vault) = store.vaults.get_mut(&name) else {
            return false;
        };
        if let Some(durable) = &self.state.durable {
            if let Err(err) = durable.save_access_policies(&name, policies.as_deref()) {
                tracing::error!(error = %err, "could not store access policies");
            }
        }
        vault.access_policies = policies;
        true
    }

    /// The object id (`oid`) of tokens issued to `client_id`, for access policies.
    pub fn object_id_of(&self, client_id: &str) -> String {
        identity::derived_guid(&format!("oid:{client_id}"))
    }

    /// Counters of injected faults and of retries seen (zero without fault injection).
    pub fn fault_stats(&self) -> FaultStats {
        self.state
            .faults
            .as_ref()
            .map(|f| f.stats())
            .unwrap_or_default()
    }

    /// The emulator's current Unix time in seconds.
    pub fn now(&self) -> i64 {
        self.state.clock.now()
    }

    /// Stops accepting connections and waits (at most 10 s) for requests in flight.
    pub async fn shutdown(mut self) {
        self.stop_listening().await;
        if let Some(graceful) = self.graceful.take() {
            match Arc::try_unwrap(graceful) {
                Ok(graceful) => {
                    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
                        .await
                        .is_err()
                    {
                        tracing::warn!("connections still open after 10 s; closing them");
                    }
                }
                Err(_) => tracing::debug!("listeners still hold the shutdown handle"),
            }
        }
    }

    async fn stop_listening(&mut self) {
        self.stop.send_replace(true);
        for task in self.tasks.drain(..) {
            if let Err(err) = task.await {
                tracing::debug!(error = %err, "listener task ended abnormally");
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
