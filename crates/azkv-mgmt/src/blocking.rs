//! [`VaultsClient`] for programs without an async runtime: the same operations, returning
//! results; lists are iterators and long-running operations are pollers you `wait()` on.
//! Called inside an async runtime, every method returns
//! [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).

use crate::{
    AccessPolicyEntry, AccessPolicyUpdateKind, CheckNameAvailabilityResult, DeletedVault, Vault,
    VaultCreateOrUpdateParameters, VaultPatchParameters, VaultResource, VaultsClientOptions,
};
use azkv_core::blocking::{Iter, Poller, Runtime};
use azkv_core::{Response, Result, TokenCredential};
use std::sync::Arc;

/// A blocking [`crate::VaultsClient`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct VaultsClient {
    inner: crate::VaultsClient,
    runtime: Runtime,
}

impl VaultsClient {
    /// See [`crate::VaultsClient::new`].
    ///
    /// # Errors
    ///
    /// As the async constructor, or when the runtime cannot start.
    pub fn new(
        subscription_id: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<VaultsClientOptions>,
    ) -> Result<Self> {
        Ok(Self {
            inner: crate::VaultsClient::new(subscription_id, credential, options)?,
            runtime: Runtime::new()?,
        })
    }

    azkv_core::blocking_methods! {
        /// See [`crate::VaultsClient::update`].
        fn update(&self, resource_group: &str, name: &str, parameters: &VaultPatchParameters) -> Response<Vault>;
        /// See [`crate::VaultsClient::get`].
        fn get(&self, resource_group: &str, name: &str) -> Response<Vault>;
        /// See [`crate::VaultsClient::delete`].
        fn delete(&self, resource_group: &str, name: &str) -> Response<()>;
        /// See [`crate::VaultsClient::update_access_policy`].
        fn update_access_policy(&self, resource_group: &str, name: &str, kind: AccessPolicyUpdateKind, entries: Vec<AccessPolicyEntry>) -> Response<Vec<AccessPolicyEntry>>;
        /// See [`crate::VaultsClient::check_name_availability`].
        fn check_name_availability(&self, name: &str) -> Response<CheckNameAvailabilityResult>;
        /// See [`crate::VaultsClient::get_deleted`].
        fn get_deleted(&self, name: &str, location: &str) -> Response<DeletedVault>;
    }

    /// See [`crate::VaultsClient::begin_create_or_update`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_create_or_update(
        &self,
        resource_group: &str,
        name: &str,
        parameters: &VaultCreateOrUpdateParameters,
    ) -> Result<Poller<Vault>> {
        let poller = self.runtime.block_on(self.inner.begin_create_or_update(
            resource_group,
            name,
            parameters,
        ))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::VaultsClient::begin_recover_deleted`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_recover_deleted(
        &self,
        resource_group: &str,
        name: &str,
        parameters: &VaultCreateOrUpdateParameters,
    ) -> Result<Poller<Vault>> {
        let poller = self.runtime.block_on(self.inner.begin_recover_deleted(
            resource_group,
            name,
            parameters,
        ))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::VaultsClient::begin_purge_deleted`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_purge_deleted(&self, name: &str, location: &str) -> Result<Poller<()>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_purge_deleted(name, location))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::VaultsClient::list_by_resource_group`].
    pub fn list_by_resource_group(&self, resource_group: &str, top: Option<u32>) -> Iter<Vault> {
        Iter::new(
            self.inner.list_by_resource_group(resource_group, top),
            self.runtime.clone(),
        )
    }

    /// See [`crate::VaultsClient::list_by_subscription`].
    pub fn list_by_subscription(&self, top: Option<u32>) -> Iter<Vault> {
        Iter::new(self.inner.list_by_subscription(top), self.runtime.clone())
    }

    /// See [`crate::VaultsClient::list`].
    pub fn list(&self, top: Option<u32>) -> Iter<VaultResource> {
        Iter::new(self.inner.list(top), self.runtime.clone())
    }

    /// See [`crate::VaultsClient::list_deleted`].
    pub fn list_deleted(&self) -> Iter<DeletedVault> {
        Iter::new(self.inner.list_deleted(), self.runtime.clone())
    }
}
