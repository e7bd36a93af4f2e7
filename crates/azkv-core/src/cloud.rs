//! [`CloudConfiguration`]: the endpoints of an Azure cloud (public, China, US Government, custom).

use url::Url;

/// Endpoints and audiences of one Azure cloud.
///
/// # Examples
///
/// ```
/// use azkv_core::CloudConfiguration;
///
/// let cloud = CloudConfiguration::azure_china();
/// assert_eq!(cloud.key_vault_dns_suffix, "vault.azure.cn");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudConfiguration {
    /// Microsoft Entra ID authority host, such as `https://login.microsoftonline.com/`.
    pub authority_host: Url,
    /// Azure Resource Manager endpoint, such as `https://management.azure.com/`.
    pub resource_manager_endpoint: Url,
    /// Audience of Azure Resource Manager tokens.
    pub resource_manager_audience: String,
    /// DNS suffix of Key Vault vaults, such as `vault.azure.net`.
    pub key_vault_dns_suffix: String,
}

// Only called with the constant URLs below, which the unit tests parse.
#[allow(clippy::expect_used)]
fn url(s: &str) -> Url {
    Url::parse(s).expect("constant cloud URL is valid")
}

impl CloudConfiguration {
    /// Azure public cloud.
    pub fn azure_public() -> Self {
        Self {
            authority_host: url("https://login.microsoftonline.com/"),
            resource_manager_endpoint: url("https://management.azure.com/"),
            resource_manager_audience: "https://management.azure.com".to_owned(),
            key_vault_dns_suffix: "vault.azure.net".to_owned(),
        }
    }

    /// Azure operated by 21Vianet (China).
    pub fn azure_china() -> Self {
        Self {
            authority_host: url("https://login.chinacloudapi.cn/"),
            resource_manager_endpoint: url("https://management.chinacloudapi.cn/"),
            resource_manager_audience: "https://management.chinacloudapi.cn".to_owned(),
            key_vault_dns_suffix: "vault.azure.cn".to_owned(),
        }
    }

    /// Azure US Government.
    pub fn azure_us_government() -> Self {
        Self {
            authority_host: url("https://login.microsoftonline.us/"),
            resource_manager_endpoint: url("https://management.usgovcloudapi.net/"),
            resource_manager_audience: "https://management.usgovcloudapi.net".to_owned(),
            key_vault_dns_suffix: "vault.usgovcloudapi.net".to_owned(),
        }
    }

    /// A cloud of your own, such as the azkv emulator's endpoints.
    pub fn custom(
        authority_host: Url,
        resource_manager_endpoint: Url,
        resource_manager_audience: impl Into<String>,
        key_vault_dns_suffix: impl Into<String>,
    ) -> Self {
        Self {
            authority_host,
            resource_manager_endpoint,
            resource_manager_audience: resource_manager_audience.into(),
            key_vault_dns_suffix: key_vault_dns_suffix.into(),
        }
    }

    /// The scope for Azure Resource Manager tokens (`<audience>/.default`).
    pub fn resource_manager_scope(&self) -> String {
        format!(
            "{}/.default",
            self.resource_manager_audience.trim_end_matches('/')
        )
    }
}

impl Default for CloudConfiguration {
    fn default() -> Self {
        Self::azure_public()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_clouds_build() {
        for cloud in [
            CloudConfiguration::azure_public(),
            CloudConfiguration::azure_china(),
            CloudConfiguration::azure_us_government(),
        ] {
            assert_eq!(cloud.authority_host.scheme(), "https");
            assert!(cloud.resource_manager_scope().ends_with("/.default"));
        }
    }
}
