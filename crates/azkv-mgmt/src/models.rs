//! Builders for the resource provider's models, for the common cases.

use crate::generated::*;
use std::collections::BTreeMap;

impl Sku {
    /// The standard tier (software-protected keys).
    pub fn standard() -> Self {
        Self {
            family: SkuFamily::A,
            name: SkuName::Standard,
        }
    }

    /// The premium tier (adds HSM-protected keys).
    pub fn premium() -> Self {
        Self {
            family: SkuFamily::A,
            name: SkuName::Premium,
        }
    }
}

impl Permissions {
    /// These secrets permissions.
    pub fn with_secrets(
        mut self,
        permissions: impl IntoIterator<Item = SecretPermissions>,
    ) -> Self {
        self.secrets = Some(permissions.into_iter().collect());
        self
    }

    /// These keys permissions.
    pub fn with_keys(mut self, permissions: impl IntoIterator<Item = KeyPermissions>) -> Self {
        self.keys = Some(permissions.into_iter().collect());
        self
    }

    /// These certificates permissions.
    pub fn with_certificates(
        mut self,
        permissions: impl IntoIterator<Item = CertificatePermissions>,
    ) -> Self {
        self.certificates = Some(permissions.into_iter().collect());
        self
    }
}

impl AccessPolicyEntry {
    /// An entry giving `object_id` (a user, group or service principal of `tenant_id`)
    /// `permissions`.
    pub fn new(
        tenant_id: impl Into<String>,
        object_id: impl Into<String>,
        permissions: Permissions,
    ) -> Self {
        Self {
            application_id: None,
            object_id: object_id.into(),
            permissions,
            tenant_id: tenant_id.into(),
        }
    }
}

impl VaultProperties {
    /// Properties of a new vault in `tenant_id` with `sku`; everything else takes the
    /// service's defaults (soft delete on, 90 days' retention, access policies).
    pub fn new(tenant_id: impl Into<String>, sku: Sku) -> Self {
        Self {
            access_policies: None,
            create_mode: None,
            enable_purge_protection: None,
            enable_rbac_authorization: None,
            enable_soft_delete: None,
            enabled_for_deployment: None,
            enabled_for_disk_encryption: None,
            enabled_for_template_deployment: None,
            hsm_pool_resource_id: None,
            network_acls: None,
            private_endpoint_connections: None,
            provisioning_state: None,
            public_network_access: None,
            sku,
            soft_delete_retention_in_days: None,
            tenant_id: tenant_id.into(),
            vault_uri: None,
        }
    }

    /// These access policies (ignored by the data plane when RBAC authorization is on).
    pub fn with_access_policies(mut self, policies: Vec<AccessPolicyEntry>) -> Self {
        self.access_policies = Some(policies);
        self
    }

    /// Authorize data-plane calls with Azure RBAC instead of access policies.
    pub fn with_rbac_authorization(mut self, enabled: bool) -> Self {
        self.enable_rbac_authorization = Some(enabled);
        self
    }

    /// Days (7 to 90) a deleted vault, and deleted objects in it, are kept.
    pub fn with_soft_delete_retention_days(mut self, days: i32) -> Self {
        self.soft_delete_retention_in_days = Some(days);
        self
    }

    /// Forbid purging deleted vaults and objects before their retention ends.
    pub fn with_purge_protection(mut self) -> Self {
        self.enable_purge_protection = Some(true);
        self
    }
}

impl VaultCreateOrUpdateParameters {
    /// A vault in `location` with `properties`.
    pub fn new(location: impl Into<String>, properties: VaultProperties) -> Self {
        Self {
            location: location.into(),
            properties,
            tags: None,
        }
    }

    /// With these tags.
    pub fn with_tags(mut self, tags: BTreeMap<String, String>) -> Self {
        self.tags = Some(tags);
        self
    }
}
