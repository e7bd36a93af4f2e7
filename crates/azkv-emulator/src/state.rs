//! [`State`]: everything the handlers share — configuration, clock, token issuer, backup
//! sealer and the store.

use crate::backup::Sealer;
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::identity::Issuer;
use crate::store::Store;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Shared state of a running emulator.
#[derive(Debug)]
pub struct State {
    /// The configuration it started with.
    pub config: EmulatorConfig,
    /// "Now".
    pub clock: Clock,
    /// Issues and checks tokens.
    pub issuer: Issuer,
    /// Seals backups.
    pub sealer: Sealer,
    /// `scheme://host:port` of the main port.
    pub main_url: String,
    /// Fault injection, when configured.
    pub faults: Option<crate::faults::Faults>,
    /// The durable store, with `--data-dir`.
    pub durable: Option<crate::persist::Durable>,
    /// Resource Manager's view: vaults created through the management plane.
    pub arm: Mutex<crate::mgmt::ArmStore>,
    /// Starts serving a vault created through the management plane on its listener.
    pub spawner:
        std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<(std::net::TcpListener, String)>>,
    store: Mutex<Store>,
}

impl State {
    /// Shared state.
    pub fn new(
        config: EmulatorConfig,
        issuer: Issuer,
        sealer: Sealer,
        main_url: String,
        store: Store,
        durable: Option<crate::persist::Durable>,
        clock: Clock,
    ) -> Self {
        let faults = config.faults.clone().map(crate::faults::Faults::new);
        Self {
            faults,
            durable,
            config,
            clock,
            issuer,
            sealer,
            main_url,
            arm: Mutex::new(crate::mgmt::ArmStore::default()),
            spawner: std::sync::OnceLock::new(),
            store: Mutex::new(store),
        }
    }

    /// Locks the store. Handlers never hold it across an await.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked left the store as it was between statements; keep serving.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Makes the current state of secret `key` in `vault` durable (with `--data-dir`); a
    /// request is answered only after this returned.
    pub fn persist_secret(
        &self,
        vault_name: &str,
        vault: &crate::store::Vault,
        key: &str,
    ) -> crate::error::ApiResult<()> {
        self.persist(|d| {
            d.save_secret(
                vault_name,
                key,
                vault.secrets.get(key),
                vault.deleted_secrets.get(key),
            )
        })
    }

    /// As [`persist_secret`](Self::persist_secret), for key `key`.
    pub fn persist_key(
        &self,
        vault_name: &str,
        vault: &crate::store::Vault,
        key: &str,
    ) -> crate::error::ApiResult<()> {
        self.persist(|d| {
            d.save_key(
                vault_name,
                key,
                vault.keys.get(key),
                vault.deleted_keys.get(key),
            )
        })
    }

    /// As [`persist_secret`](Self::persist_secret), for certificate `key`.
    pub fn persist_certificate(
        &self,
        vault_name: &str,
        vault: &crate::store::Vault,
        key: &str,
    ) -> crate::error::ApiResult<()> {
        self.persist(|d| {
            d.save_certificate(
                vault_name,
                key,
                vault.certificates.get(key),
                vault.deleted_certificates.get(key),
            )
        })
    }

    fn persist(
        &self,
        save: impl FnOnce(&crate::persist::Durable) -> Result<(), crate::EmulatorError>,
    ) -> crate::error::ApiResult<()> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        save(durable).map_err(|e| {
            tracing::error!(error = %e, "could not persist a change");
            crate::error::ApiError::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "The change could not be stored durably.",
            )
        })
    }

    /// Makes the clock offset durable.
    pub fn persist_clock(&self) {
        if let Some(durable) = &self.durable {
            if let Err(e) = durable.put_meta("clock_offset", &self.clock.offset().to_le_bytes()) {
                tracing::error!(error = %e, "could not persist the clock offset");
            }
        }
    }
}
