//! [`TestVault`] for plain `#[test]` functions: it runs the emulator on a background runtime
//! and hands out blocking clients.
//!
//! ```no_run
//! #[test]
//! fn stores_a_secret() -> azkv_core::Result<()> {
//!     let vault = azkv_testing::blocking::TestVault::start()?;
//!     let client = vault.secret_client()?;
//!     client.set_secret("name", "value", None)?;
//!     Ok(())
//! }
//! ```

use crate::{FaultStats, TestVaultOptions};
use azkv_core::{Error, ErrorKind, Result};
use std::time::Duration;

/// A test vault for code without an async runtime. Dropping it stops the vault.
#[derive(Debug)]
pub struct TestVault {
    vault: Option<crate::TestVault>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestVault {
    /// Starts a vault with default options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Other`] when the runtime or the emulator cannot start;
    /// [`ErrorKind::BlockingInAsyncContext`] inside an async runtime.
    pub fn start() -> Result<Self> {
        Self::start_with(TestVaultOptions::default())
    }

    /// Starts a vault with `options`.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn start_with(options: TestVaultOptions) -> Result<Self> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::new(
                ErrorKind::BlockingInAsyncContext,
                "blocking::TestVault was started inside an async runtime; use azkv_testing::TestVault there",
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| {
                Error::with_source(
                    ErrorKind::Other,
                    "could not start the test vault's runtime",
                    e,
                )
            })?;
        let vault = runtime.block_on(crate::TestVault::start_with(options))?;
        Ok(Self {
            vault: Some(vault),
            runtime: Some(runtime),
        })
    }

    fn vault(&self) -> Result<&crate::TestVault> {
        self.vault
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::Other, "the test vault is stopped"))
    }

    /// A blocking secret client for the default vault.
    ///
    /// # Errors
    ///
    /// When the client's runtime cannot start.
    pub fn secret_client(&self) -> Result<azkv_secrets::blocking::SecretClient> {
        azkv_secrets::blocking::SecretClient::from_async(self.vault()?.secret_client())
    }

    /// A blocking key client for the default vault.
    ///
    /// # Errors
    ///
    /// When the client's runtime cannot start.
    pub fn key_client(&self) -> Result<azkv_keys::blocking::KeyClient> {
        azkv_keys::blocking::KeyClient::from_async(self.vault()?.key_client()?)
    }

    /// A blocking certificate client for the default vault.
    ///
    /// # Errors
    ///
    /// When the client's runtime cannot start.
    pub fn certificate_client(&self) -> Result<azkv_certificates::blocking::CertificateClient> {
        azkv_certificates::blocking::CertificateClient::from_async(
            self.vault()?.certificate_client()?,
        )
    }

    /// The async test vault, for anything else.
    ///
    /// # Errors
    ///
    /// When the vault was stopped.
    pub fn inner(&self) -> Result<&crate::TestVault> {
        self.vault()
    }

    /// Moves the vault's clock forward.
    ///
    /// # Errors
    ///
    /// When the vault was stopped.
    pub fn advance_clock(&self, by: Duration) -> Result<()> {
        self.vault()?.advance_clock(by);
        Ok(())
    }

    /// Counters of injected faults and of retries.
    ///
    /// # Errors
    ///
    /// When the vault was stopped.
    pub fn fault_stats(&self) -> Result<FaultStats> {
        Ok(self.vault()?.fault_stats())
    }
}

impl Drop for TestVault {
    fn drop(&mut self) {
        let vault = self.vault.take();
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        match vault {
            // Outside any runtime: stop gracefully, letting requests in flight finish.
            Some(vault) if tokio::runtime::Handle::try_current().is_err() => {
                runtime.block_on(vault.shutdown())
            }
            // Inside one, blocking is not allowed: stop at once.
            other => drop(other),
        }
        runtime.shutdown_background();
    }
}
