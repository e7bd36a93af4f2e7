//! [`CertificateClient`] for programs without an async runtime: the same operations,
//! returning results; lists are iterators and pollers are waited on with `wait()`. Inside an
//! async runtime every method returns
//! [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).

use crate::models::*;
use crate::options::*;
use azkv_core::blocking::{Iter, Poller, Runtime};
use azkv_core::{Response, Result, TokenCredential};
use std::sync::Arc;

/// A blocking [`crate::CertificateClient`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CertificateClient {
    inner: crate::CertificateClient,
    runtime: Runtime,
}

macro_rules! blocking {
    ($($(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $out:ty;)*) => {
        $(
            $(#[$doc])*
            ///
            /// # Errors
            ///
            /// As the async method, or
            /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
            pub fn $name(&self $(, $arg: $ty)*) -> Result<$out> {
                self.runtime.block_on(self.inner.$name($($arg),*))?
            }
        )*
    };
}

impl CertificateClient {
    /// See [`crate::CertificateClient::new`].
    ///
    /// # Errors
    ///
    /// As the async constructor, or when the runtime cannot start.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<CertificateClientOptions>,
    ) -> Result<Self> {
        Self::from_async(crate::CertificateClient::new(
            vault_url, credential, options,
        )?)
    }

    /// Wraps an async client.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn from_async(inner: crate::CertificateClient) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: Runtime::new()?,
        })
    }

    blocking! {
        /// See [`crate::CertificateClient::get_certificate`].
        fn get_certificate(&self, name: &str) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::import_certificate`].
        fn import_certificate(&self, name: &str, certificate: &[u8], options: Option<ImportCertificateOptions>) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::get_certificate_policy`].
        fn get_certificate_policy(&self, name: &str) -> Response<CertificatePolicy>;
        /// See [`crate::CertificateClient::get_certificate_operation`].
        fn get_certificate_operation(&self, name: &str) -> Response<CertificateOperation>;
        /// See [`crate::CertificateClient::purge_deleted_certificate`].
        fn purge_deleted_certificate(&self, name: &str) -> Response<()>;
    }

    /// See [`crate::CertificateClient::begin_create_certificate`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_create_certificate(
        &self,
        name: &str,
        policy: &CertificatePolicy,
        options: Option<CreateCertificateOptions>,
    ) -> Result<Poller<KeyVaultCertificate>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_create_certificate(name, policy, options))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::CertificateClient::begin_delete_certificate`]; `wait()` on the poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_delete_certificate(&self, name: &str) -> Result<Poller<DeletedCertificate>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_delete_certificate(name))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::CertificateClient::list_properties_of_certificates`].
    pub fn list_properties_of_certificates(
        &self,
        options: Option<ListCertificatesOptions>,
    ) -> Iter<CertificateProperties> {
        Iter::new(
            self.inner.list_properties_of_certificates(options),
            self.runtime.clone(),
        )
    }
}
