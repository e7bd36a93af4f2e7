//! [`VaultsClient`]: the `Microsoft.KeyVault/vaults` operations of Azure Resource Manager.

use crate::generated as wire;
use crate::generated::{
    AccessPolicyEntry, CheckNameAvailabilityResult, CreateMode, DeletedVault, Vault,
    VaultCreateOrUpdateParameters, VaultPatchParameters,
};
use azkv_core::policies::BearerTokenPolicy;
use azkv_core::{
    ClientOptions, CloudConfiguration, Context, Error, Method, Pager, Pipeline, Poller,
    PollerOptions, RawResponse, Request, Response, Result, TokenCredential, Url,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// The resource provider API version requests use unless the options say otherwise.
pub const DEFAULT_API_VERSION: &str = wire::API_VERSION;
/// The version of the generic resources API used by [`VaultsClient::list`].
const RESOURCES_API_VERSION: &str = "2015-11-01";

/// Options of [`VaultsClient`].
#[derive(Clone, Debug)]
pub struct VaultsClientOptions {
    /// Retry, transport, policies and API version (default [`DEFAULT_API_VERSION`]).
    pub client_options: ClientOptions,
    /// The cloud: its Resource Manager endpoint and token audience. Default Azure public.
    pub cloud: CloudConfiguration,
    /// A Resource Manager endpoint other than the cloud's, such as an emulator's
    /// `management_url` (tokens keep the cloud's audience).
    pub endpoint: Option<Url>,
    /// Send tokens over plain HTTP to loopback hosts. Default off.
    pub allow_http_loopback: bool,
    /// How create and purge pollers wait. Default: every 2 seconds, at most 30 minutes.
    pub poller: PollerOptions,
}

impl Default for VaultsClientOptions {
    fn default() -> Self {
        Self {
            client_options: ClientOptions::default(),
            cloud: CloudConfiguration::default(),
            endpoint: None,
            allow_http_loopback: false,
            poller: PollerOptions {
                interval: Duration::from_secs(2),
                timeout: Duration::from_secs(1800),
            },
        }
    }
}

/// What [`VaultsClient::update_access_policy`] does with the entries given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessPolicyUpdateKind {
    /// Add the entries' permissions to the matching entries (or add the entries).
    Add,
    /// Replace the matching entries (or add them).
    Replace,
    /// Remove the entries' permissions from the matching entries (dropping emptied ones).
    Remove,
}

impl AccessPolicyUpdateKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Replace => "replace",
            Self::Remove => "remove",
        }
    }
}

/// A vault as the generic resources list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct VaultResource {
    /// Resource id.
    #[serde(default)]
    pub id: String,
    /// Vault name.
    #[serde(default)]
    pub name: String,
    /// Resource type (`Microsoft.KeyVault/vaults`).
    #[serde(rename = "type", default)]
    pub resource_type: String,
    /// Azure region.
    #[serde(default)]
    pub location: String,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A client for the key vaults of one subscription. Cheap to clone.
#[derive(Clone, Debug)]
pub struct VaultsClient {
    subscription_id: String,
    endpoint: Url,
    pipeline: Pipeline,
    api_version: String,
    poller: PollerOptions,
}

/// Checks a resource group name: 1 to 90 of letters, digits, `-_.()`, not ending in `.`.
fn check_resource_group(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 90
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'));
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "resource group name",
            "must be 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
        ))
    }
}

/// Checks a vault name: 3 to 24 letters, digits and single hyphens, starting with a letter
/// and ending with a letter or digit.
fn check_vault_name(name: &str) -> Result<()> {
    let valid = (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !name.contains("--");
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "vault name",
            "must be 3 to 24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit",
        ))
    }
}

fn check_segment(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.contains(['/', '?', '#']) {
        return Err(Error::invalid_input(
            what,
            "must be a non-empty path segment",
        ));
    }
    Ok(())
}

impl VaultsClient {
    /// A client for `subscription_id`, authenticating with `credential` (a token for the
    /// cloud's Resource Manager audience).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for an empty
    /// subscription id or a non-`https` endpoint; any error building the transport.
    pub fn new(
        subscription_id: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<VaultsClientOptions>,
    ) -> Result<Self> {
        check_segment("subscription id", subscription_id)?;
        let options = options.unwrap_or_default();
        let endpoint = options
            .endpoint
            .clone()
            .unwrap_or_else(|| options.cloud.resource_manager_endpoint.clone());
        if endpoint.scheme() != "https" && !options.allow_http_loopback {
            return Err(Error::invalid_input(
                "endpoint",
                "must use https (plain http needs allow_http_loopback)",
            ));
        }
        let auth = BearerTokenPolicy::new(
            credential,
            vec![options.cloud.resource_manager_scope()],
            options.allow_http_loopback,
        );
        let pipeline = Pipeline::new(
            "azkv-mgmt",
            env!("CARGO_PKG_VERSION"),
            &options.client_options,
            Some(Arc::new(auth)),
        )?;
        let api_version = options
            .client_options
            .api_version
            .clone()
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        Ok(Self {
            subscription_id: subscription_id.to_owned(),
            endpoint,
            pipeline,
            api_version,
            poller: options.poller,
        })
    }

    /// The subscription this client manages.
    pub fn subscription_id(&self) -> &str {
        &self.subscription_id
    }

    fn url(&self, tail: &[&str], query: &[(&str, String)], api_version: &str) -> Result<Url> {
        let mut url = self.endpoint.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| Error::invalid_input("endpoint", "cannot carry a path"))?;
            path.pop_if_empty();
            path.extend(["subscriptions", &self.subscription_id]);
            path.extend(tail);
        }
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", api_version);
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    fn vault_url(&self, resource_group: &str, name: &str, more: &[&str]) -> Result<Url> {
        check_resource_group(resource_group)?;
        check_vault_name(name)?;
        let mut tail = vec![
            "resourceGroups",
            resource_group,
            "providers",
            "Microsoft.KeyVault",
            "vaults",
            name,
        ];
        tail.extend(more);
        self.url(&tail, &[], &self.api_version)
    }

    async fn send(&self, operation: &'static str, request: &mut Request) -> Result<RawResponse> {
        let span = tracing::debug_span!("arm", client = "azkv-mgmt", operation, api_version = %self.api_version);
        self.pipeline
            .send(&Context::for_operation(operation), request)
            .instrument(span)
            .await
    }

    fn top_query(top: Option<u32>) -> Result<Vec<(&'static str, String)>> {
        match top {
            None => Ok(Vec::new()),
            Some(n) if (1..=1000).contains(&n) => Ok(vec![("$top", n.to_string())]),
            Some(_) => Err(Error::invalid_input("top", "must be from 1 to 1000")),
        }
    }

    fn pager<W, T>(&self, operation: &'static str, url: Result<Url>) -> Pager<T>
    where
        W: serde::de::DeserializeOwned + Send + 'static,
        T: From<W> + Send + 'static,
    {
        match url {
            Ok(url) => Pager::from_next_link(
                self.pipeline.clone(),
                Context::for_operation(operation),
                url,
                None,
                T::from,
            ),
            Err(err) => Pager::failed(err),
        }
    }

    async fn put_vault(
        &self,
        operation: &'static str,
        resource_group: &str,
        name: &str,
        body: &VaultCreateOrUpdateParameters,
    ) -> Result<Poller<Vault>> {
        let url = self.vault_url(resource_group, name, &[])?;
        let mut request = Request::new(Method::PUT, url.clone());
        request.set_json(body)?;
        // A PUT states the whole resource: sending it twice has the same effect.
        request.set_idempotent(true);
        let initial = self.send(operation, &mut request).await?;
        Poller::arm(
            self.pipeline.clone(),
            Context::for_operation(operation),
            Method::PUT,
            url,
            initial,
            self.poller.clone(),
        )
    }

    /// Creates vault `name` in `resource_group`, or replaces its settings. The poller
    /// completes when provisioning has, with the vault (its `vault_uri` is then usable).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for invalid names;
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) from Resource Manager, such as `409
    /// VaultAlreadyExists` when another subscription or group has the name, or `409
    /// ConflictError` when a deleted vault of that name waits to be recovered or purged.
    pub async fn begin_create_or_update(
        &self,
        resource_group: &str,
        name: &str,
        parameters: &VaultCreateOrUpdateParameters,
    ) -> Result<Poller<Vault>> {
        self.put_vault(
            "VaultsClient::create_or_update",
            resource_group,
            name,
            parameters,
        )
        .await
    }

    /// Recovers a soft-deleted vault (with its objects) into `resource_group`:
    /// `parameters` is sent with `createMode: recover`.
    ///
    /// # Errors
    ///
    /// As [`begin_create_or_update`](Self::begin_create_or_update); `404` when no deleted
    /// vault has the name.
    pub async fn begin_recover_deleted(
        &self,
        resource_group: &str,
        name: &str,
        parameters: &VaultCreateOrUpdateParameters,
    ) -> Result<Poller<Vault>> {
        let mut body = parameters.clone();
        body.properties.create_mode = Some(CreateMode::Recover);
        self.put_vault("VaultsClient::recover_deleted", resource_group, name, &body)
            .await
    }

    /// Changes some settings or tags of vault `name`; what `parameters` leaves out stays.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `404 ResourceNotFound`.
    pub async fn update(
        &self,
        resource_group: &str,
        name: &str,
        parameters: &VaultPatchParameters,
    ) -> Result<Response<Vault>> {
        let mut request = Request::new(Method::PATCH, self.vault_url(resource_group, name, &[])?);
        request.set_json(parameters)?;
        request.set_idempotent(true);
        self.send("VaultsClient::update", &mut request)
            .await?
            .into_model()
    }

    /// Gets vault `name`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `404 ResourceNotFound`.
    pub async fn get(&self, resource_group: &str, name: &str) -> Result<Response<Vault>> {
        let mut request = Request::new(Method::GET, self.vault_url(resource_group, name, &[])?);
        self.send("VaultsClient::get", &mut request)
            .await?
            .into_model()
    }

    /// Deletes vault `name`. With soft delete (the default) it then shows in
    /// [`list_deleted`](Self::list_deleted) until recovered or purged.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) from Resource Manager. Deleting a
    /// vault that does not exist succeeds (`204`).
    pub async fn delete(&self, resource_group: &str, name: &str) -> Result<Response<()>> {
        let mut request = Request::new(Method::DELETE, self.vault_url(resource_group, name, &[])?);
        request.set_idempotent(true);
        let response = self
            .send("VaultsClient::delete", &mut request)
            .await?
            .success()?;
        Ok(Response::new(
            response.status(),
            response.headers().clone(),
            (),
        ))
    }

    /// Lists the vaults of `resource_group`, `top` per page.
    pub fn list_by_resource_group(&self, resource_group: &str, top: Option<u32>) -> Pager<Vault> {
        let url = check_resource_group(resource_group)
            .and_then(|()| Self::top_query(top))
            .and_then(|q| {
                self.url(
                    &[
                        "resourceGroups",
                        resource_group,
                        "providers",
                        "Microsoft.KeyVault",
                        "vaults",
                    ],
                    &q,
                    &self.api_version,
                )
            });
        self.pager::<Vault, Vault>("VaultsClient::list_by_resource_group", url)
    }

    /// Lists the vaults of the subscription, `top` per page.
    pub fn list_by_subscription(&self, top: Option<u32>) -> Pager<Vault> {
        let url = Self::top_query(top).and_then(|q| {
            self.url(
                &["providers", "Microsoft.KeyVault", "vaults"],
                &q,
                &self.api_version,
            )
        });
        self.pager::<Vault, Vault>("VaultsClient::list_by_subscription", url)
    }

    /// Lists the subscription's vaults through the generic resources API (id, name,
    /// location and tags only), `top` per page.
    pub fn list(&self, top: Option<u32>) -> Pager<VaultResource> {
        let url = Self::top_query(top).and_then(|mut q| {
            q.insert(
                0,
                (
                    "$filter",
                    "resourceType eq 'Microsoft.KeyVault/vaults'".to_owned(),
                ),
            );
            self.url(&["resources"], &q, RESOURCES_API_VERSION)
        });
        self.pager::<VaultResource, VaultResource>("VaultsClient::list", url)
    }

    /// Adds, replaces or removes access policy entries of vault `name`; returns the vault's
    /// entries afterwards.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](azkv_core::ErrorKind::InvalidInput) for no entries;
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `404` for an unknown vault.
    pub async fn update_access_policy(
        &self,
        resource_group: &str,
        name: &str,
        kind: AccessPolicyUpdateKind,
        entries: Vec<AccessPolicyEntry>,
    ) -> Result<Response<Vec<AccessPolicyEntry>>> {
        if entries.is_empty() {
            return Err(Error::invalid_input("access policies", "must not be empty"));
        }
        let url = self.vault_url(resource_group, name, &["accessPolicies", kind.as_str()])?;
        let mut request = Request::new(Method::PUT, url);
        request.set_json(&wire::VaultAccessPolicyParameters {
            id: None,
            location: None,
            name: None,
            properties: wire::VaultAccessPolicyProperties {
                access_policies: entries,
            },
            type_: None,
        })?;
        request.set_idempotent(true);
        Ok(self
            .send("VaultsClient::update_access_policy", &mut request)
            .await?
            .into_model::<wire::VaultAccessPolicyParameters>()?
            .map(|p| p.properties.access_policies))
    }

    /// Whether `name` can be used for a new vault (names are unique across Azure, and stay
    /// taken while a deleted vault has them).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) from Resource Manager.
    pub async fn check_name_availability(
        &self,
        name: &str,
    ) -> Result<Response<CheckNameAvailabilityResult>> {
        let url = self.url(
            &["providers", "Microsoft.KeyVault", "checkNameAvailability"],
            &[],
            &self.api_version,
        )?;
        let mut request = Request::new(Method::POST, url);
        request.set_json(&wire::VaultCheckNameAvailabilityParameters {
            name: name.to_owned(),
            type_: "Microsoft.KeyVault/vaults".to_owned(),
        })?;
        request.set_idempotent(true);
        self.send("VaultsClient::check_name_availability", &mut request)
            .await?
            .into_model()
    }

    /// Lists the subscription's deleted vaults.
    pub fn list_deleted(&self) -> Pager<DeletedVault> {
        let url = self.url(
            &["providers", "Microsoft.KeyVault", "deletedVaults"],
            &[],
            &self.api_version,
        );
        self.pager::<DeletedVault, DeletedVault>("VaultsClient::list_deleted", url)
    }

    fn deleted_url(&self, name: &str, location: &str, more: &[&str]) -> Result<Url> {
        check_vault_name(name)?;
        check_segment("location", location)?;
        let mut tail = vec![
            "providers",
            "Microsoft.KeyVault",
            "locations",
            location,
            "deletedVaults",
            name,
        ];
        tail.extend(more);
        self.url(&tail, &[], &self.api_version)
    }

    /// Gets deleted vault `name` of `location`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `404` when there is none.
    pub async fn get_deleted(&self, name: &str, location: &str) -> Result<Response<DeletedVault>> {
        let mut request = Request::new(Method::GET, self.deleted_url(name, location, &[])?);
        self.send("VaultsClient::get_deleted", &mut request)
            .await?
            .into_model()
    }

    /// Purges deleted vault `name` for good; the poller completes when its name is free.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`](azkv_core::ErrorKind::Http) `404` when there is none, `409` under
    /// purge protection.
    pub async fn begin_purge_deleted(&self, name: &str, location: &str) -> Result<Poller<()>> {
        let url = self.deleted_url(name, location, &["purge"])?;
        let mut request = Request::new(Method::POST, url.clone());
        request.set_idempotent(true);
        let initial = self
            .send("VaultsClient::purge_deleted", &mut request)
            .await?;
        let poller: Poller<serde_json::Value> = Poller::arm(
            self.pipeline.clone(),
            Context::for_operation("VaultsClient::purge_deleted"),
            Method::POST,
            url,
            initial,
            self.poller.clone(),
        )?;
        Ok(poller.map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_sending() {
        for bad in ["ab", "1abc", "abc-", "a--b", "a_b", &"a".repeat(25)] {
            assert!(check_vault_name(bad).is_err(), "{bad}");
        }
        assert!(check_vault_name("my-vault-1").is_ok());
        for bad in ["", "a/b", "rg.", &"r".repeat(91)] {
            assert!(check_resource_group(bad).is_err(), "{bad}");
        }
        assert!(check_resource_group("my_rg-(1).x").is_ok());
    }
}
