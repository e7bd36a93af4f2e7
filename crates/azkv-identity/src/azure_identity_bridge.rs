//! [`AzureIdentityCredential`] (feature `azure-identity`): any credential of the official
//! `azure_identity` crate, used as an azkv credential.

use async_trait::async_trait;
use azkv_core::{AccessToken, Error, ErrorKind, Result, TokenCredential, TokenRequestOptions};
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// Wraps an `azure_core::credentials::TokenCredential` (such as `azure_identity`'s
/// `DeveloperToolsCredential` or `ManagedIdentityCredential`) for azkv clients.
///
/// The official trait takes no tenant or claims, so a Key Vault challenge naming another tenant
/// is answered with the wrapped credential's own tenant.
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::AzureIdentityCredential;
/// use std::sync::Arc;
///
/// # fn run(official: Arc<dyn azure_core::credentials::TokenCredential>) {
/// let credential = AzureIdentityCredential::new(official);
/// # }
/// ```
pub struct AzureIdentityCredential {
    inner: Arc<dyn azure_core::credentials::TokenCredential>,
}

impl AzureIdentityCredential {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for AzureIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureIdentityCredential")
            .field("inner", &self.inner)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for AzureIdentityCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        let token = self.inner.get_token(scopes, None).await.map_err(|e| {
            Error::with_source(
                ErrorKind::Credential,
                "AzureIdentityCredential: the wrapped credential failed",
                e,
            )
        })?;
        Ok(AccessToken::new(
            token.token.secret(),
            SystemTime::from(token.expires_on),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(Debug)]
    struct Official {
        fail: bool,
    }

    #[async_trait]
    impl azure_core::credentials::TokenCredential for Official {
        async fn get_token(
            &self,
            scopes: &[&str],
            _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            if self.fail {
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "no token here",
                ));
            }
            let expires = azure_core::time::OffsetDateTime::now_utc()
                + azure_core::time::Duration::minutes(30);
            Ok(azure_core::credentials::AccessToken::new(
                format!("official:{}", scopes.join(" ")),
                expires,
            ))
        }
    }

    #[tokio::test]
    async fn maps_tokens_expiry_and_errors() {
        let credential = AzureIdentityCredential::new(Arc::new(Official { fail: false }));
        let token = credential
            .get_token(
                &["https://vault.azure.net/.default"],
                &TokenRequestOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(
            token.token.expose(),
            "official:https://vault.azure.net/.default"
        );
        let left = token.expires_on.duration_since(SystemTime::now()).unwrap();
        assert!(left > Duration::from_secs(29 * 60) && left <= Duration::from_secs(30 * 60));
        let failing = AzureIdentityCredential::new(Arc::new(Official { fail: true }));
        let err = failing
            .get_token(&["x/.default"], &TokenRequestOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Credential);
        assert!(format!("{err:?}").contains("no token here"));
    }
}
