//! The Azure Key Vault management client: [`VaultsClient`] manages vaults through Azure
//! Resource Manager (the `Microsoft.KeyVault` resource provider).
//!
//! - create or update: [`VaultsClient::begin_create_or_update`] (an awaitable
//!   [`Poller`](azkv_core::Poller) that completes when provisioning has), [`VaultsClient::update`]
//! - read and list: [`VaultsClient::get`], [`VaultsClient::list_by_resource_group`],
//!   [`VaultsClient::list_by_subscription`], [`VaultsClient::list`] (each list a
//!   [`Pager`](azkv_core::Pager))
//! - access: [`VaultsClient::update_access_policy`] (add, replace or remove entries)
//! - names: [`VaultsClient::check_name_availability`]
//! - delete and after: [`VaultsClient::delete`], [`VaultsClient::list_deleted`],
//!   [`VaultsClient::get_deleted`], [`VaultsClient::begin_recover_deleted`],
//!   [`VaultsClient::begin_purge_deleted`]
//!
//! Models are the resource provider's own ([`Vault`], [`VaultProperties`],
//! [`AccessPolicyEntry`], [`Permissions`], [`Sku`]...), with builders for the common cases.
//!
//! # Examples
//!
//! ```no_run
//! use azkv_mgmt::{AccessPolicyEntry, Permissions, SecretPermissions, Sku, VaultCreateOrUpdateParameters, VaultProperties, VaultsClient};
//! # use std::sync::Arc;
//!
//! # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
//! let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
//! let client = VaultsClient::new("00000000-0000-0000-0000-000000000000", credential, None)?;
//! let reader = AccessPolicyEntry::new(
//!     tenant,
//!     "a5c8d7b2-0000-4000-8000-000000000000",
//!     Permissions::default().with_secrets([SecretPermissions::Get, SecretPermissions::List]),
//! );
//! let properties = VaultProperties::new(tenant, Sku::standard()).with_access_policies(vec![reader]);
//! let vault = client
//!     .begin_create_or_update("my-rg", "my-vault", &VaultCreateOrUpdateParameters::new("westeurope", properties))
//!     .await?
//!     .await?;
//! println!("vault URI: {:?}", vault.properties.vault_uri);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
#[allow(missing_docs)]
mod generated;
mod models;

pub use client::{
    AccessPolicyUpdateKind, VaultResource, VaultsClient, VaultsClientOptions, DEFAULT_API_VERSION,
};
pub use generated::{
    AccessPolicyEntry, CertificatePermissions, CheckNameAvailabilityResult, CreateMode,
    DeletedVault, DeletedVaultProperties, KeyPermissions, NetworkRuleSet, Permissions, Reason,
    SecretPermissions, Sku, SkuFamily, SkuName, StoragePermissions, Vault,
    VaultCreateOrUpdateParameters, VaultPatchParameters, VaultPatchProperties, VaultProperties,
    VaultProvisioningState,
};
