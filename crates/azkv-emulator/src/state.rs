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
    ) -> Self {
        let faults = config.faults.clone().map(crate::faults::Faults::new);
        Self {
            faults,
            config,
            clock: Clock::default(),
            issuer,
            sealer,
            main_url,
            store: Mutex::new(store),
        }
    }

    /// Locks the store. Handlers never hold it across an await.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked left the store as it was between statements; keep serving.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
