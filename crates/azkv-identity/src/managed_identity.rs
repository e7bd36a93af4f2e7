//! [`ManagedIdentityCredential`]: the identity Azure gives a VM, container, App Service or
//! Functions app, through the Instance Metadata Service (IMDS) or the App Service endpoint.

use crate::env_vars::EnvVars;
use crate::token_cache::TokenCache;
use async_trait::async_trait;
use azkv_core::{
    AccessToken, ClientOptions, Context, Error, ErrorKind, Method, Pipeline, Request,
    ReqwestTransport, Result, Sensitive, TokenCredential, TokenRequestOptions, TransportOptions,
    Url,
};
use serde::Deserialize;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default IMDS token endpoint.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// Which managed identity to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManagedIdentityId {
    /// The system-assigned identity.
    #[default]
    SystemAssigned,
    /// A user-assigned identity by client id.
    ClientId(String),
    /// A user-assigned identity by object (principal) id.
    ObjectId(String),
    /// A user-assigned identity by Azure resource id.
    ResourceId(String),
}

/// Where the managed identity endpoint is.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ManagedIdentitySource {
    /// The Instance Metadata Service at this token URL.
    Imds(Url),
    /// The App Service / Functions endpoint (`IDENTITY_ENDPOINT`) and its secret header value
    /// (`IDENTITY_HEADER`).
    AppService(Url, Sensitive<String>),
}

/// Options of [`ManagedIdentityCredential`].
#[derive(Clone, Debug, Default)]
pub struct ManagedIdentityCredentialOptions {
    /// Which identity; default system-assigned.
    pub id: ManagedIdentityId,
    /// The endpoint; default from the environment (`IDENTITY_ENDPOINT` and `IDENTITY_HEADER`
    /// for App Service, else IMDS, at `AZURE_POD_IDENTITY_AUTHORITY_HOST` when set).
    pub source: Option<ManagedIdentitySource>,
    /// Probe IMDS with a short timeout first, answering "unavailable" at once off Azure.
    /// `DefaultAzureCredential` turns this on.
    pub probe: bool,
    /// Retry, transport and logging.
    pub client_options: ClientOptions,
    /// Where unset settings are read from; default the process environment.
    pub env: EnvVars,
}

/// A managed identity: no secret in your configuration; Azure hands out the tokens.
///
/// # Examples
///
/// ```no_run
/// use azkv_identity::{ManagedIdentityCredential, ManagedIdentityCredentialOptions, ManagedIdentityId};
///
/// # fn main() -> azkv_core::Result<()> {
/// let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
///     id: ManagedIdentityId::ClientId("00000000-0000-0000-0000-000000000001".into()),
///     ..Default::default()
/// }))?;
/// # Ok(()) }
/// ```
pub struct ManagedIdentityCredential {
    id: ManagedIdentityId,
    source: ManagedIdentitySource,
    pipeline: Pipeline,
    probe: Option<Pipeline>,
    probed: AtomicBool,
    cache: TokenCache,
}

impl fmt::Debug for ManagedIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            ManagedIdentitySource::Imds(url) => format!("IMDS {url}"),
            ManagedIdentitySource::AppService(url, _) => format!("App Service {url}"),
        };
        f.debug_struct("ManagedIdentityCredential")
            .field("id", &self.id)
            .field("source", &source)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    expires_on: Option<serde_json::Value>,
    expires_in: Option<serde_json::Value>,
}

fn number(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn unavailable(message: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::CredentialUnavailable,
        format!("ManagedIdentityCredential: {}", message.into()),
    )
}

impl ManagedIdentityCredential {
    /// A credential from `options`, completed from the environment.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when an endpoint variable is not a URL.
    pub fn new(options: Option<ManagedIdentityCredentialOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        let env = &options.env;
        let source = match options.source.clone() {
            Some(source) => source,
            None => match (env.get("IDENTITY_ENDPOINT"), env.get("IDENTITY_HEADER")) {
                (Some(endpoint), Some(header)) => ManagedIdentitySource::AppService(
                    Url::parse(&endpoint)
                        .map_err(|_| Error::invalid_input("IDENTITY_ENDPOINT", "not a URL"))?,
                    Sensitive::new(header),
                ),
                _ => {
                    let url = match env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") {
                        Some(host) => format!(
                            "{}/metadata/identity/oauth2/token",
                            host.trim_end_matches('/')
                        ),
                        None => IMDS_ENDPOINT.to_owned(),
                    };
                    ManagedIdentitySource::Imds(Url::parse(&url).map_err(|_| {
                        Error::invalid_input("AZURE_POD_IDENTITY_AUTHORITY_HOST", "not a URL")
                    })?)
                }
            },
        };
        let pipeline = Pipeline::new(
            "azkv-identity",
            env!("CARGO_PKG_VERSION"),
            &options.client_options,
            None,
        )?;
        let probe = if options.probe && matches!(source, ManagedIdentitySource::Imds(_)) {
            let transport = match &options.client_options.transport {
                Some(t) => t.clone(),
                None => Arc::new(ReqwestTransport::new(&TransportOptions {
                    connect_timeout: Duration::from_secs(1),
                    timeout: Duration::from_secs(2),
                    ..Default::default()
                })?),
            };
            let probe_options = ClientOptions {
                retry: azkv_core::policies::RetryOptions::none(),
                transport: Some(transport),
                ..Default::default()
            };
            Some(Pipeline::new(
                "azkv-identity",
                env!("CARGO_PKG_VERSION"),
                &probe_options,
                None,
            )?)
        } else {
            None
        };
        Ok(Self {
            id: options.id,
            source,
            pipeline,
            probe,
            probed: AtomicBool::new(false),
            cache: TokenCache::default(),
        })
    }

    fn request(&self, resource: &str, with_metadata_header: bool) -> Result<Request> {
        let (mut url, api_version, resource_id_key) = match &self.source {
            ManagedIdentitySource::Imds(url) => (url.clone(), "2018-02-01", "msi_res_id"),
            ManagedIdentitySource::AppService(url, _) => (url.clone(), "2019-08-01", "mi_res_id"),
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("api-version", api_version)
                .append_pair("resource", resource);
            match &self.id {
                ManagedIdentityId::SystemAssigned => {}
                ManagedIdentityId::ClientId(id) => {
                    q.append_pair("client_id", id);
                }
                ManagedIdentityId::ObjectId(id) => {
                    q.append_pair("object_id", id);
                }
                ManagedIdentityId::ResourceId(id) => {
                    q.append_pair(resource_id_key, id);
                }
            }
        }
        let mut request = Request::new(Method::GET, url);
        match &self.source {
            ManagedIdentitySource::Imds(_) if with_metadata_header => {
                request.insert_header("metadata", "true")?
            }
            ManagedIdentitySource::Imds(_) => {}
            ManagedIdentitySource::AppService(_, secret) => {
                let mut value =
                    azkv_core::HeaderValue::from_str(secret.expose()).map_err(|_| {
                        Error::invalid_input("IDENTITY_HEADER", "not a valid header value")
                    })?;
                value.set_sensitive(true);
                request.headers_mut().insert("x-identity-header", value);
            }
        }
        Ok(request)
    }

    async fn probe(&self, resource: &str) -> Result<()> {
        let Some(probe) = &self.probe else {
            return Ok(());
        };
        if self.probed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let mut request = self.request(resource, false)?;
        match probe.send(&Context::for_operation("managed identity probe"), &mut request).await {
            // Any answer means an endpoint is there.
            Ok(_) => {
                self.probed.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(err) => Err(Error::with_source(
                ErrorKind::CredentialUnavailable,
                "ManagedIdentityCredential: no managed identity endpoint answered (not running on Azure?)",
                err,
            )),
        }
    }
}

#[async_trait]
impl TokenCredential for ManagedIdentityCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        let [scope] = scopes else {
            return Err(Error::invalid_input(
                "scopes",
                "managed identity takes exactly one scope",
            ));
        };
        self.cache
            .token("", scopes, false, || self.fetch(scope))
            .await
    }
}

impl ManagedIdentityCredential {
    async fn fetch(&self, scope: &str) -> Result<AccessToken> {
        let resource = scope.trim_end_matches("/.default");
        self.probe(resource).await?;
        // IMDS answers 404 and 410 while it starts; retry those a few times.
        let mut delay = Duration::from_millis(500);
        let mut attempts = 0;
        let response = loop {
            let mut request = self.request(resource, true)?;
            let response = self
                .pipeline
                .send(
                    &Context::for_operation("managed identity token"),
                    &mut request,
                )
                .await
                .map_err(|e| match e.kind() {
                    ErrorKind::Connection => Error::with_source(
                        ErrorKind::CredentialUnavailable,
                        "ManagedIdentityCredential: the managed identity endpoint is unreachable",
                        e,
                    ),
                    _ => Error::with_source(
                        ErrorKind::Credential,
                        "ManagedIdentityCredential: token request failed",
                        e,
                    ),
                })?;
            let status = response.status().as_u16();
            if matches!(status, 404 | 410) && attempts < 3 {
                attempts += 1;
                tokio::time::sleep(delay).await;
                delay *= 2;
                continue;
            }
            break response;
        };
        let status = response.status().as_u16();
        if status == 400 && matches!(self.source, ManagedIdentitySource::Imds(_)) {
            return Err(unavailable(
                "IMDS has no identity for this request (400); is a managed identity assigned?",
            ));
        }
        if !response.status().is_success() {
            return Err(Error::new(
                ErrorKind::Credential,
                format!("ManagedIdentityCredential: the endpoint answered {status}"),
            ));
        }
        let body: TokenBody = response.json().map_err(|e| {
            Error::with_source(
                ErrorKind::Credential,
                "ManagedIdentityCredential: unreadable token response",
                e,
            )
        })?;
        let now = SystemTime::now();
        let expires_on = match (
            body.expires_on.as_ref().and_then(number),
            body.expires_in.as_ref().and_then(number),
        ) {
            (Some(on), _) => UNIX_EPOCH + Duration::from_secs(on),
            (None, Some(secs)) => now + Duration::from_secs(secs),
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::Credential,
                    "ManagedIdentityCredential: token response has no expiry",
                ))
            }
        };
        let mut token = AccessToken::new(body.access_token, expires_on);
        // Refresh halfway through long lifetimes, as the managed identity guidance suggests.
        if let Ok(left) = expires_on.duration_since(now) {
            if left > Duration::from_secs(7200) {
                token.refresh_on = Some(now + left / 2);
            }
        }
        Ok(token)
    }
}
