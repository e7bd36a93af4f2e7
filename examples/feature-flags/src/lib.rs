//! An example application: feature flags kept in Azure Key Vault as secrets named
//! `flag-<name>` whose value is `on` or `off`. Its tests (in `tests/`) use only the azkv test
//! kit: a local vault per test, no mocks.

use azkv_core::{ErrorKind, Result};
use azkv_secrets::{SecretClient, SetSecretOptions};
use std::collections::BTreeMap;

/// Feature flags in one vault.
#[derive(Clone, Debug)]
pub struct FlagStore {
    client: SecretClient,
}

const PREFIX: &str = "flag-";

impl FlagStore {
    /// Flags kept through `client`.
    pub fn new(client: SecretClient) -> Self {
        Self { client }
    }

    /// Turns `flag` on or off.
    ///
    /// # Errors
    ///
    /// Any error of the vault, or an invalid flag name.
    pub async fn set(&self, flag: &str, on: bool) -> Result<()> {
        let options = SetSecretOptions {
            content_type: Some("text/x-feature-flag".into()),
            ..Default::default()
        };
        let value = if on { "on" } else { "off" };
        self.client
            .set_secret(&format!("{PREFIX}{flag}"), value, Some(options))
            .await?;
        Ok(())
    }

    /// Whether `flag` is on; a flag never set is off.
    ///
    /// # Errors
    ///
    /// Any error of the vault other than "not found".
    pub async fn is_on(&self, flag: &str) -> Result<bool> {
        match self
            .client
            .get_secret(&format!("{PREFIX}{flag}"), None)
            .await
        {
            Ok(secret) => Ok(secret.into_model().value.expose() == "on"),
            Err(err) if err.code() == Some("SecretNotFound") => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Every flag and whether it is on.
    ///
    /// # Errors
    ///
    /// Any error of the vault.
    pub async fn all(&self) -> Result<BTreeMap<String, bool>> {
        let mut flags = BTreeMap::new();
        let mut secrets = self.client.list_secret_properties(None);
        while let Some(properties) = secrets.next().await {
            let properties = properties?;
            if let Some(flag) = properties.name.strip_prefix(PREFIX) {
                flags.insert(flag.to_owned(), self.is_on(flag).await?);
            }
        }
        Ok(flags)
    }

    /// Removes `flag` for good (delete, then purge).
    ///
    /// # Errors
    ///
    /// Any error of the vault; removing a flag never set is not an error.
    pub async fn remove(&self, flag: &str) -> Result<()> {
        let name = format!("{PREFIX}{flag}");
        match self.client.begin_delete_secret(&name, None).await {
            Ok(poller) => {
                poller.await?;
            }
            Err(err)
                if matches!(err.kind(), ErrorKind::Http { .. })
                    && err.code() == Some("SecretNotFound") =>
            {
                return Ok(())
            }
            Err(err) => return Err(err),
        }
        self.client.purge_deleted_secret(&name, None).await?;
        Ok(())
    }
}
