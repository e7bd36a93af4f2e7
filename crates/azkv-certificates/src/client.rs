//! [`CertificateClient`]: every operation of the Key Vault certificates API.

use crate::generated as wire;
use crate::models::*;
use crate::options::*;
use async_trait::async_trait;
use azkv_core::vault::{
    check_object_name, check_object_version, decode_base64url, encode_base64url, page_size_query,
    VaultEndpoint, VaultEndpointOptions,
};
use azkv_core::{
    Context, Error, ErrorKind, Method, Pager, PollOperation, PollStatus, Poller, RawResponse,
    Request, Response, Result, Sensitive, TokenCredential, Url,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::sync::Arc;
use std::time::Duration;

/// A client for the certificates of one vault. Cheap to clone.
///
/// # Examples
///
/// ```no_run
/// use azkv_certificates::{CertificateClient, CertificatePolicy};
/// # use std::sync::Arc;
///
/// # async fn run(credential: Arc<dyn azkv_core::TokenCredential>) -> azkv_core::Result<()> {
/// let client = CertificateClient::new("https://myvault.vault.azure.net/", credential, None)?;
/// let mut policy = CertificatePolicy::new("Self", "CN=api.contoso.com");
/// policy.san_dns_names = vec!["api.contoso.com".into()];
/// let certificate = client.begin_create_certificate("api-tls", &policy, None).await?.await?;
/// let x509 = certificate.x509()?;
/// println!("{} valid until {:?}", x509.subject, x509.not_after);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct CertificateClient {
    endpoint: VaultEndpoint,
    options: Arc<CertificateClientOptions>,
}

fn check_name(name: &str) -> Result<()> {
    check_object_name("certificate name", name)
}

fn bundle(response: RawResponse) -> Result<Response<KeyVaultCertificate>> {
    let response = response.into_model::<wire::CertificateBundle>()?;
    let (status, headers) = (response.status(), response.headers().clone());
    Ok(Response::new(
        status,
        headers,
        KeyVaultCertificate::try_from(response.into_model())?,
    ))
}

fn operation(response: RawResponse) -> Result<Response<CertificateOperation>> {
    let response = response.into_model::<wire::CertificateOperation>()?;
    let (status, headers) = (response.status(), response.headers().clone());
    Ok(Response::new(
        status,
        headers,
        CertificateOperation::try_from(response.into_model())?,
    ))
}

/// Waits for a certificate's pending operation, then reads the certificate.
struct CreateOperation {
    client: CertificateClient,
    name: String,
    last: Option<CertificateOperation>,
}

#[async_trait]
impl PollOperation for CreateOperation {
    type Output = KeyVaultCertificate;

    async fn poll(&mut self) -> Result<(PollStatus, Option<Duration>)> {
        let op = self
            .client
            .get_certificate_operation(&self.name)
            .await?
            .into_model();
        let status = match op.status.as_deref() {
            Some("completed") => PollStatus::Succeeded,
            Some("cancelled") => PollStatus::Canceled,
            Some("failed") => PollStatus::Failed,
            _ => PollStatus::InProgress,
        };
        self.last = Some(op);
        Ok((status, None))
    }

    async fn result(&mut self) -> Result<KeyVaultCertificate> {
        Ok(self.client.get_certificate(&self.name).await?.into_model())
    }

    fn failure(&self) -> Error {
        let (code, message) = self
            .last
            .as_ref()
            .and_then(|op| op.error.clone())
            .unwrap_or((
                None,
                self.last.as_ref().and_then(|op| op.status_details.clone()),
            ));
        Error::new(
            ErrorKind::OperationFailed {
                code,
                message: message.clone(),
            },
            format!(
                "certificate {} was not created: {}",
                self.name,
                message.unwrap_or_else(|| "the operation was cancelled or failed".into())
            ),
        )
    }

    fn continuation_token(&self) -> String {
        self.name.clone()
    }
}

impl CertificateClient {
    /// A client for the vault at `vault_url`, authenticating with `credential`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `vault_url` is not an absolute `https` URL; any error
    /// building the transport.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<CertificateClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let endpoint = VaultEndpoint::new(
            vault_url,
            credential,
            VaultEndpointOptions {
                component: "azkv-certificates",
                component_version: env!("CARGO_PKG_VERSION"),
                client_options: &options.client_options,
                default_api_version: DEFAULT_API_VERSION,
                verify_challenge_resource: options.verify_challenge_resource,
                allow_http_loopback: options.allow_http_loopback,
            },
        )?;
        Ok(Self {
            endpoint,
            options: Arc::new(options),
        })
    }

    /// The vault's URL.
    pub fn vault_url(&self) -> &Url {
        self.endpoint.vault_url()
    }

    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url> {
        self.endpoint.url(segments, query)
    }

    async fn send(&self, op: &'static str, request: &mut Request) -> Result<RawResponse> {
        self.endpoint.send(op, request).await
    }

    /// Starts creating certificate `name` with `policy`. The poller completes with the
    /// certificate when the operation does: at once for `Self`-issued certificates, after
    /// [`merge_certificate`](Self::merge_certificate) for `Unknown` ones.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an invalid name; `400` from the service for an invalid
    /// policy (unknown key type, bad validity); the poller fails with
    /// [`ErrorKind::OperationFailed`] when the operation is cancelled or fails.
    pub async fn begin_create_certificate(
        &self,
        name: &str,
        policy: &CertificatePolicy,
        options: Option<CreateCertificateOptions>,
    ) -> Result<Poller<KeyVaultCertificate>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let body = wire::CertificateCreateParameters {
            certificate_attributes: attributes(options.enabled),
            certificate_policy: Some(wire::CertificatePolicy::from(policy)),
            preserve_cert_order: None,
            tags: options.tags,
        };
        let mut request = Request::new(
            Method::POST,
            self.url(&["certificates", name, "create"], &[])?,
        );
        request.set_json(&body)?;
        request.set_idempotent(false);
        let first = operation(
            self.send("CertificateClient::create_certificate", &mut request)
                .await?,
        )?
        .into_model();
        Ok(Poller::new(
            CreateOperation {
                client: self.clone(),
                name: name.to_owned(),
                last: Some(first),
            },
            self.options.poller.clone(),
        ))
    }

    /// Gets the latest version of certificate `name`, with its policy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404 CertificateNotFound`.
    pub async fn get_certificate(&self, name: &str) -> Result<Response<KeyVaultCertificate>> {
        check_name(name)?;
        let mut request = Request::new(Method::GET, self.url(&["certificates", name, ""], &[])?);
        bundle(
            self.send("CertificateClient::get_certificate", &mut request)
                .await?,
        )
    }

    /// Gets one version of certificate `name`.
    ///
    /// # Errors
    ///
    /// As [`get_certificate`](Self::get_certificate), and for an invalid version.
    pub async fn get_certificate_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Response<KeyVaultCertificate>> {
        check_name(name)?;
        check_object_version("certificate version", version)?;
        let mut request = Request::new(
            Method::GET,
            self.url(&["certificates", name, version], &[])?,
        );
        bundle(
            self.send("CertificateClient::get_certificate_version", &mut request)
                .await?,
        )
    }

    /// Enables, disables or re-tags a version.
    ///
    /// # Errors
    ///
    /// As [`get_certificate`](Self::get_certificate).
    pub async fn update_certificate_properties(
        &self,
        name: &str,
        options: Option<UpdateCertificatePropertiesOptions>,
    ) -> Result<Response<KeyVaultCertificate>> {
        check_name(name)?;
        let options = options.unwrap_or_default();
        let version = options.version.unwrap_or_default();
        if !version.is_empty() {
            check_object_version("certificate version", &version)?;
        }
        let body = wire::CertificateUpdateParameters {
            certificate_attributes: attributes(options.enabled),
            certificate_policy: None,
            tags: options.tags,
        };
        let mut request = Request::new(
            Method::PATCH,
            self.url(&["certificates", name, &version], &[])?,
        );
        request.set_json(&body)?;
        request.set_idempotent(true);
        bundle(
            self.send(
                "CertificateClient::update_certificate_properties",
                &mut request,
            )
            .await?,
        )
    }

    /// Lists the certificates (latest versions), across pages.
    pub fn list_properties_of_certificates(
        &self,
        options: Option<ListCertificatesOptions>,
    ) -> Pager<CertificateProperties> {
        let options = options.unwrap_or_default();
        let url = page_size_query(options.max_page_size).and_then(|mut q| {
            if let Some(p) = options.include_pending {
                q.push(("includePending", p.to_string()));
            }
            self.url(&["certificates"], &q)
        });
        self.endpoint.pager::<wire::CertificateItem, _>(
            "CertificateClient::list_properties_of_certificates",
            url,
            options.continuation_token,
        )
    }

    /// Lists the versions of certificate `name`.
    pub fn list_properties_of_certificate_versions(
        &self,
        name: &str,
        options: Option<ListCertificatesOptions>,
    ) -> Pager<CertificateProperties> {
        let options = options.unwrap_or_default();
        let url = check_name(name)
            .and_then(|()| page_size_query(options.max_page_size))
            .and_then(|q| self.url(&["certificates", name, "versions"], &q));
        self.endpoint.pager::<wire::CertificateItem, _>(
            "CertificateClient::list_properties_of_certificate_versions",
            url,
            options.continuation_token,
        )
    }

    /// Imports a certificate with its private key: `certificate` is a PKCS#12 file (with
    /// `options.password`) or PEM text (private key and certificates).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an empty file; `400` from the service for a corrupt
    /// file, a wrong password, or a key that does not match the certificate.
    pub async fn import_certificate(
        &self,
        name: &str,
        certificate: &[u8],
        options: Option<ImportCertificateOptions>,
    ) -> Result<Response<KeyVaultCertificate>> {
        check_name(name)?;
        if certificate.is_empty() {
            return Err(Error::invalid_input("certificate", "must not be empty"));
        }
        let options = options.unwrap_or_default();
        let pem = certificate.starts_with(b"-----BEGIN")
            || certificate.windows(10).any(|w| w == b"-----BEGIN");
        let value = if pem {
            String::from_utf8(certificate.to_vec())
                .map_err(|_| Error::invalid_input("certificate", "PEM text must be UTF-8"))?
        } else {
            STANDARD.encode(certificate)
        };
        let mut policy = options.policy.unwrap_or_default();
        if policy.content_type.is_none() {
            policy.content_type = Some(if pem {
                CertificateContentType::Pem
            } else {
                CertificateContentType::Pkcs12
            });
        }
        let body = wire::CertificateImportParameters {
            certificate_attributes: attributes(options.enabled),
            certificate_policy: Some(wire::CertificatePolicy::from(&policy)),
            preserve_cert_order: None,
            password: options.password,
            tags: options.tags,
            base64_encoded_certificate: Sensitive::new(value),
        };
        let mut request = Request::new(
            Method::POST,
            self.url(&["certificates", name, "import"], &[])?,
        );
        request.set_json(&body)?;
        request.set_idempotent(false);
        bundle(
            self.send("CertificateClient::import_certificate", &mut request)
                .await?,
        )
    }

    /// Completes a pending creation with `x509_certificates` (DER, leaf first) signed outside
    /// the vault for the pending request's key.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for no certificates; `400` when the leaf's public key does
    /// not match the pending key.
    pub async fn merge_certificate(
        &self,
        name: &str,
        x509_certificates: &[Vec<u8>],
        options: Option<CreateCertificateOptions>,
    ) -> Result<Response<KeyVaultCertificate>> {
        check_name(name)?;
        if x509_certificates.is_empty() {
            return Err(Error::invalid_input("certificates", "must not be empty"));
        }
        let options = options.unwrap_or_default();
        let body = wire::CertificateMergeParameters {
            certificate_attributes: attributes(options.enabled),
            tags: options.tags,
            x509_certificates: x509_certificates
                .iter()
                .map(|c| STANDARD.encode(c))
                .collect(),
        };
        let mut request = Request::new(
            Method::POST,
            self.url(&["certificates", name, "pending", "merge"], &[])?,
        );
        request.set_json(&body)?;
        bundle(
            self.send("CertificateClient::merge_certificate", &mut request)
                .await?,
        )
    }

    /// Gets certificate `name`'s policy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`.
    pub async fn get_certificate_policy(&self, name: &str) -> Result<Response<CertificatePolicy>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::GET,
            self.url(&["certificates", name, "policy"], &[])?,
        );
        Ok(self
            .send("CertificateClient::get_certificate_policy", &mut request)
            .await?
            .into_model::<wire::CertificatePolicy>()?
            .map(CertificatePolicy::from))
    }

    /// Changes certificate `name`'s policy for future versions; what `policy` leaves unset
    /// stays.
    ///
    /// # Errors
    ///
    /// `400` from the service for an invalid policy.
    pub async fn update_certificate_policy(
        &self,
        name: &str,
        policy: &CertificatePolicy,
    ) -> Result<Response<CertificatePolicy>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::PATCH,
            self.url(&["certificates", name, "policy"], &[])?,
        );
        request.set_json(&wire::CertificatePolicy::from(policy))?;
        request.set_idempotent(true);
        Ok(self
            .send("CertificateClient::update_certificate_policy", &mut request)
            .await?
            .into_model::<wire::CertificatePolicy>()?
            .map(CertificatePolicy::from))
    }

    /// Gets the creation operation of certificate `name`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404` when there is none.
    pub async fn get_certificate_operation(
        &self,
        name: &str,
    ) -> Result<Response<CertificateOperation>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::GET,
            self.url(&["certificates", name, "pending"], &[])?,
        );
        operation(
            self.send("CertificateClient::get_certificate_operation", &mut request)
                .await?,
        )
    }

    /// Asks for the creation of certificate `name` to be cancelled.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404` when there is no operation.
    pub async fn cancel_certificate_operation(
        &self,
        name: &str,
    ) -> Result<Response<CertificateOperation>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::PATCH,
            self.url(&["certificates", name, "pending"], &[])?,
        );
        request.set_json(&wire::CertificateOperationUpdateParameter {
            cancellation_requested: true,
        })?;
        request.set_idempotent(true);
        operation(
            self.send(
                "CertificateClient::cancel_certificate_operation",
                &mut request,
            )
            .await?,
        )
    }

    /// Deletes the creation operation of certificate `name` (and a pending request's key).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404` when there is no operation.
    pub async fn delete_certificate_operation(
        &self,
        name: &str,
    ) -> Result<Response<CertificateOperation>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::DELETE,
            self.url(&["certificates", name, "pending"], &[])?,
        );
        operation(
            self.send(
                "CertificateClient::delete_certificate_operation",
                &mut request,
            )
            .await?,
        )
    }

    /// Deletes certificate `name` with its key and secret. The poller completes when the
    /// deleted certificate can be read, recovered or purged.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404 CertificateNotFound`.
    pub async fn begin_delete_certificate(&self, name: &str) -> Result<Poller<DeletedCertificate>> {
        check_name(name)?;
        let mut request = Request::new(Method::DELETE, self.url(&["certificates", name], &[])?);
        let initial = self
            .send("CertificateClient::delete_certificate", &mut request)
            .await?
            .into_model::<wire::DeletedCertificateBundle>()?
            .into_model();
        if initial.recovery_id.is_none() {
            return Ok(Poller::ready(DeletedCertificate::try_from(initial)?));
        }
        let poller = Poller::key_vault_entity(
            self.endpoint.pipeline().clone(),
            Context::for_operation("CertificateClient::delete_certificate"),
            self.url(&["deletedcertificates", name], &[])?,
            Some(initial),
            self.options.poller.clone(),
        );
        Ok(poller.try_map(DeletedCertificate::try_from))
    }

    /// Gets a deleted certificate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`.
    pub async fn get_deleted_certificate(
        &self,
        name: &str,
    ) -> Result<Response<DeletedCertificate>> {
        check_name(name)?;
        let mut request = Request::new(Method::GET, self.url(&["deletedcertificates", name], &[])?);
        let response = self
            .send("CertificateClient::get_deleted_certificate", &mut request)
            .await?
            .into_model::<wire::DeletedCertificateBundle>()?;
        let (status, headers) = (response.status(), response.headers().clone());
        Ok(Response::new(
            status,
            headers,
            DeletedCertificate::try_from(response.into_model())?,
        ))
    }

    /// Lists deleted certificates.
    pub fn list_deleted_certificates(
        &self,
        options: Option<ListCertificatesOptions>,
    ) -> Pager<DeletedCertificate> {
        let options = options.unwrap_or_default();
        let url = page_size_query(options.max_page_size)
            .and_then(|q| self.url(&["deletedcertificates"], &q));
        self.endpoint.pager::<wire::DeletedCertificateItem, _>(
            "CertificateClient::list_deleted_certificates",
            url,
            options.continuation_token,
        )
    }

    /// Recovers a deleted certificate with its key and secret. The poller completes when it
    /// can be read again.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`.
    pub async fn begin_recover_deleted_certificate(
        &self,
        name: &str,
    ) -> Result<Poller<KeyVaultCertificate>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::POST,
            self.url(&["deletedcertificates", name, "recover"], &[])?,
        );
        request.set_idempotent(true);
        let initial = self
            .send(
                "CertificateClient::recover_deleted_certificate",
                &mut request,
            )
            .await?
            .into_model::<wire::CertificateBundle>()?
            .into_model();
        let poller = Poller::key_vault_entity(
            self.endpoint.pipeline().clone(),
            Context::for_operation("CertificateClient::recover_deleted_certificate"),
            self.url(&["certificates", name, ""], &[])?,
            Some(initial),
            self.options.poller.clone(),
        );
        Ok(poller.try_map(KeyVaultCertificate::try_from))
    }

    /// Deletes a deleted certificate for good.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`, or `409` while its delete is in progress.
    pub async fn purge_deleted_certificate(&self, name: &str) -> Result<Response<()>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::DELETE,
            self.url(&["deletedcertificates", name], &[])?,
        );
        let response = self
            .send("CertificateClient::purge_deleted_certificate", &mut request)
            .await?
            .success()?;
        Ok(Response::new(
            response.status(),
            response.headers().clone(),
            (),
        ))
    }

    /// Backs up certificate `name` (with its key and secret) into a blob only Key Vault reads.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`.
    pub async fn backup_certificate(&self, name: &str) -> Result<Response<Vec<u8>>> {
        check_name(name)?;
        let mut request = Request::new(
            Method::POST,
            self.url(&["certificates", name, "backup"], &[])?,
        );
        request.set_idempotent(true);
        let response = self
            .send("CertificateClient::backup_certificate", &mut request)
            .await?
            .into_model::<wire::BackupCertificateResult>()?;
        let bytes = decode_base64url(
            "backup blob",
            response.model().value.as_deref().unwrap_or_default(),
        )?;
        Ok(response.map(|_| bytes))
    }

    /// Restores a backup made by [`backup_certificate`](Self::backup_certificate).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an empty backup; `409` when the name is taken.
    pub async fn restore_certificate_backup(
        &self,
        backup: &[u8],
    ) -> Result<Response<KeyVaultCertificate>> {
        if backup.is_empty() {
            return Err(Error::invalid_input("backup", "must not be empty"));
        }
        let mut request = Request::new(Method::POST, self.url(&["certificates", "restore"], &[])?);
        request.set_json(&wire::CertificateRestoreParameters {
            certificate_bundle_backup: encode_base64url(backup),
        })?;
        bundle(
            self.send(
                "CertificateClient::restore_certificate_backup",
                &mut request,
            )
            .await?,
        )
    }

    fn issuer_body(
        options: IssuerOptions,
    ) -> (
        Option<wire::IssuerCredentials>,
        Option<wire::OrganizationDetails>,
        Option<wire::IssuerAttributes>,
    ) {
        let credentials = (options.account_id.is_some() || options.password.is_some()).then_some(
            wire::IssuerCredentials {
                account_id: options.account_id,
                password: options.password,
            },
        );
        let organization = (options.organization_id.is_some() || options.admin_contacts.is_some())
            .then(|| wire::OrganizationDetails {
                id: options.organization_id,
                admin_details: options.admin_contacts.map(|list| {
                    list.into_iter()
                        .map(|a| wire::AdministratorDetails {
                            email_address: a.email,
                            first_name: a.first_name,
                            last_name: a.last_name,
                            phone: a.phone,
                        })
                        .collect()
                }),
            });
        let attributes = options.enabled.map(|enabled| wire::IssuerAttributes {
            enabled: Some(enabled),
            ..Default::default()
        });
        (credentials, organization, attributes)
    }

    /// Sets issuer `name` with `provider` (creating or replacing it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an invalid name or empty provider.
    pub async fn create_issuer(
        &self,
        name: &str,
        provider: &str,
        options: Option<IssuerOptions>,
    ) -> Result<Response<CertificateIssuer>> {
        check_object_name("issuer name", name)?;
        if provider.is_empty() {
            return Err(Error::invalid_input("provider", "must not be empty"));
        }
        let (credentials, organization_details, attributes) =
            Self::issuer_body(options.unwrap_or_default());
        let mut request = Request::new(
            Method::PUT,
            self.url(&["certificates", "issuers", name], &[])?,
        );
        request.set_json(&wire::CertificateIssuerSetParameters {
            attributes,
            credentials,
            organization_details,
            provider: provider.to_owned(),
        })?;
        request.set_idempotent(true);
        Ok(self
            .send("CertificateClient::create_issuer", &mut request)
            .await?
            .into_model::<wire::IssuerBundle>()?
            .map(CertificateIssuer::from))
    }

    /// Changes issuer `name`; what `options` leaves out stays.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404` for an unknown issuer.
    pub async fn update_issuer(
        &self,
        name: &str,
        provider: Option<&str>,
        options: Option<IssuerOptions>,
    ) -> Result<Response<CertificateIssuer>> {
        check_object_name("issuer name", name)?;
        let (credentials, organization_details, attributes) =
            Self::issuer_body(options.unwrap_or_default());
        let mut request = Request::new(
            Method::PATCH,
            self.url(&["certificates", "issuers", name], &[])?,
        );
        request.set_json(&wire::CertificateIssuerUpdateParameters {
            attributes,
            credentials,
            organization_details,
            provider: provider.map(str::to_owned),
        })?;
        request.set_idempotent(true);
        Ok(self
            .send("CertificateClient::update_issuer", &mut request)
            .await?
            .into_model::<wire::IssuerBundle>()?
            .map(CertificateIssuer::from))
    }

    /// Gets issuer `name`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`.
    pub async fn get_issuer(&self, name: &str) -> Result<Response<CertificateIssuer>> {
        check_object_name("issuer name", name)?;
        let mut request = Request::new(
            Method::GET,
            self.url(&["certificates", "issuers", name], &[])?,
        );
        Ok(self
            .send("CertificateClient::get_issuer", &mut request)
            .await?
            .into_model::<wire::IssuerBundle>()?
            .map(CertificateIssuer::from))
    }

    /// Deletes issuer `name`, returning it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404`.
    pub async fn delete_issuer(&self, name: &str) -> Result<Response<CertificateIssuer>> {
        check_object_name("issuer name", name)?;
        let mut request = Request::new(
            Method::DELETE,
            self.url(&["certificates", "issuers", name], &[])?,
        );
        Ok(self
            .send("CertificateClient::delete_issuer", &mut request)
            .await?
            .into_model::<wire::IssuerBundle>()?
            .map(CertificateIssuer::from))
    }

    /// Lists the vault's issuers.
    pub fn list_properties_of_issuers(&self) -> Pager<IssuerProperties> {
        let url = self.url(&["certificates", "issuers"], &[]);
        self.endpoint.pager::<wire::CertificateIssuerItem, _>(
            "CertificateClient::list_properties_of_issuers",
            url,
            None,
        )
    }

    /// Sets the vault's certificate contacts.
    ///
    /// # Errors
    ///
    /// `400` from the service for a contact without a valid email.
    pub async fn set_contacts(
        &self,
        contacts: &[CertificateContact],
    ) -> Result<Response<Vec<CertificateContact>>> {
        let mut request = Request::new(Method::PUT, self.url(&["certificates", "contacts"], &[])?);
        request.set_json(&wire::Contacts {
            id: None,
            contact_list: Some(
                contacts
                    .iter()
                    .map(|c| wire::Contact {
                        email_address: c.email.clone(),
                        name: c.name.clone(),
                        phone: c.phone.clone(),
                    })
                    .collect(),
            ),
        })?;
        request.set_idempotent(true);
        Ok(self
            .send("CertificateClient::set_contacts", &mut request)
            .await?
            .into_model::<wire::Contacts>()?
            .map(contacts_from))
    }

    /// Gets the vault's certificate contacts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404` when none are set.
    pub async fn get_contacts(&self) -> Result<Response<Vec<CertificateContact>>> {
        let mut request = Request::new(Method::GET, self.url(&["certificates", "contacts"], &[])?);
        Ok(self
            .send("CertificateClient::get_contacts", &mut request)
            .await?
            .into_model::<wire::Contacts>()?
            .map(contacts_from))
    }

    /// Removes the vault's certificate contacts, returning them.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] `404` when none are set.
    pub async fn delete_contacts(&self) -> Result<Response<Vec<CertificateContact>>> {
        let mut request = Request::new(
            Method::DELETE,
            self.url(&["certificates", "contacts"], &[])?,
        );
        Ok(self
            .send("CertificateClient::delete_contacts", &mut request)
            .await?
            .into_model::<wire::Contacts>()?
            .map(contacts_from))
    }
}
