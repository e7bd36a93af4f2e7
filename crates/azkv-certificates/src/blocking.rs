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

    azkv_core::blocking_methods! {
        /// See [`crate::CertificateClient::get_certificate`].
        fn get_certificate(&self, name: &str) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::get_certificate_version`].
        fn get_certificate_version(&self, name: &str, version: &str) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::update_certificate_properties`].
        fn update_certificate_properties(&self, name: &str, options: Option<UpdateCertificatePropertiesOptions>) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::merge_certificate`].
        fn merge_certificate(&self, name: &str, x509_certificates: &[Vec<u8>], options: Option<CreateCertificateOptions>) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::update_certificate_policy`].
        fn update_certificate_policy(&self, name: &str, policy: &CertificatePolicy) -> Response<CertificatePolicy>;
        /// See [`crate::CertificateClient::cancel_certificate_operation`].
        fn cancel_certificate_operation(&self, name: &str) -> Response<CertificateOperation>;
        /// See [`crate::CertificateClient::delete_certificate_operation`].
        fn delete_certificate_operation(&self, name: &str) -> Response<CertificateOperation>;
        /// See [`crate::CertificateClient::get_deleted_certificate`].
        fn get_deleted_certificate(&self, name: &str) -> Response<DeletedCertificate>;
        /// See [`crate::CertificateClient::backup_certificate`].
        fn backup_certificate(&self, name: &str) -> Response<Vec<u8>>;
        /// See [`crate::CertificateClient::restore_certificate_backup`].
        fn restore_certificate_backup(&self, backup: &[u8]) -> Response<KeyVaultCertificate>;
        /// See [`crate::CertificateClient::create_issuer`].
        fn create_issuer(&self, name: &str, provider: &str, options: Option<IssuerOptions>) -> Response<CertificateIssuer>;
        /// See [`crate::CertificateClient::update_issuer`].
        fn update_issuer(&self, name: &str, provider: Option<&str>, options: Option<IssuerOptions>) -> Response<CertificateIssuer>;
        /// See [`crate::CertificateClient::get_issuer`].
        fn get_issuer(&self, name: &str) -> Response<CertificateIssuer>;
        /// See [`crate::CertificateClient::delete_issuer`].
        fn delete_issuer(&self, name: &str) -> Response<CertificateIssuer>;
        /// See [`crate::CertificateClient::set_contacts`].
        fn set_contacts(&self, contacts: &[CertificateContact]) -> Response<Vec<CertificateContact>>;
        /// See [`crate::CertificateClient::get_contacts`].
        fn get_contacts(&self) -> Response<Vec<CertificateContact>>;
        /// See [`crate::CertificateClient::delete_contacts`].
        fn delete_contacts(&self) -> Response<Vec<CertificateContact>>;
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

    /// See [`crate::CertificateClient::begin_recover_deleted_certificate`]; `wait()` on the
    /// poller.
    ///
    /// # Errors
    ///
    /// As the async method, or
    /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
    pub fn begin_recover_deleted_certificate(
        &self,
        name: &str,
    ) -> Result<Poller<KeyVaultCertificate>> {
        let poller = self
            .runtime
            .block_on(self.inner.begin_recover_deleted_certificate(name))??;
        Ok(Poller::new(poller, self.runtime.clone()))
    }

    /// See [`crate::CertificateClient::list_properties_of_certificate_versions`].
    pub fn list_properties_of_certificate_versions(
        &self,
        name: &str,
        options: Option<ListCertificatesOptions>,
    ) -> Iter<CertificateProperties> {
        Iter::new(
            self.inner
                .list_properties_of_certificate_versions(name, options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::CertificateClient::list_deleted_certificates`].
    pub fn list_deleted_certificates(
        &self,
        options: Option<ListCertificatesOptions>,
    ) -> Iter<DeletedCertificate> {
        Iter::new(
            self.inner.list_deleted_certificates(options),
            self.runtime.clone(),
        )
    }

    /// See [`crate::CertificateClient::list_properties_of_issuers`].
    pub fn list_properties_of_issuers(&self) -> Iter<IssuerProperties> {
        Iter::new(
            self.inner.list_properties_of_issuers(),
            self.runtime.clone(),
        )
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
