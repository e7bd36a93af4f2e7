//! [`VaultEndpoint`]: what every Key Vault data-plane client shares — the vault's URL, a
//! pipeline that answers Key Vault's authentication challenges, the API version, building
//! request URLs, sending with a tracing span, and paging `nextLink` lists.

use crate::policies::{ChallengePolicy, ChallengePolicyOptions};
use crate::{
    ClientOptions, Context, Error, ErrorKind, Pager, Pipeline, RawResponse, Request, Result,
    TokenCredential, Url,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::Arc;
use tracing::Instrument;

/// How a data-plane client sets up its [`VaultEndpoint`].
#[derive(Clone, Copy, Debug)]
pub struct VaultEndpointOptions<'a> {
    /// The client's crate name, for the `User-Agent` (`azkv-keys`).
    pub component: &'static str,
    /// The client's crate version.
    pub component_version: &'static str,
    /// Retry, transport, policies and API version.
    pub client_options: &'a ClientOptions,
    /// The API version when `client_options` sets none.
    pub default_api_version: &'static str,
    /// Refuse a challenge whose resource is not the vault's domain.
    pub verify_challenge_resource: bool,
    /// Send tokens over plain HTTP to loopback hosts.
    pub allow_http_loopback: bool,
}

/// A vault's address and the pipeline to reach it. Cheap to clone.
#[derive(Clone, Debug)]
pub struct VaultEndpoint {
    vault_url: Url,
    pipeline: Pipeline,
    api_version: String,
    component: &'static str,
}

impl VaultEndpoint {
    /// An endpoint for the vault at `vault_url`, authenticating with `credential`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `vault_url` is not an absolute `https` URL (or `http`
    /// to a loopback host with `allow_http_loopback`); any error building the transport.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: VaultEndpointOptions<'_>,
    ) -> Result<Self> {
        let mut url =
            Url::parse(vault_url).map_err(|_| Error::invalid_input("vault url", "not a URL"))?;
        if url.host_str().is_none() || !matches!(url.scheme(), "https" | "http") {
            return Err(Error::invalid_input("vault url", "must be an https URL"));
        }
        if url.scheme() == "http" && !options.allow_http_loopback {
            return Err(Error::invalid_input(
                "vault url",
                "must use https (plain http needs allow_http_loopback and a loopback host)",
            ));
        }
        url.set_path("/");
        url.set_query(None);
        url.set_fragment(None);
        let challenge = ChallengePolicy::new(
            credential,
            ChallengePolicyOptions {
                verify_challenge_resource: options.verify_challenge_resource,
                allow_http_loopback: options.allow_http_loopback,
            },
        );
        let pipeline = Pipeline::new(
            options.component,
            options.component_version,
            options.client_options,
            Some(Arc::new(challenge)),
        )?;
        let api_version = options
            .client_options
            .api_version
            .clone()
            .unwrap_or_else(|| options.default_api_version.to_owned());
        Ok(Self {
            vault_url: url,
            pipeline,
            api_version,
            component: options.component,
        })
    }

    /// The vault's URL (path `/`).
    pub fn vault_url(&self) -> &Url {
        &self.vault_url
    }

    /// The API version requests carry.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The pipeline, for pollers and pagers.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The URL of `segments` under the vault (each percent-encoded as needed), with the API
    /// version and `query`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the vault URL cannot carry a path.
    pub fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url> {
        let mut url = self.vault_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| Error::invalid_input("vault url", "cannot carry a path"))?;
            path.pop_if_empty();
            path.extend(segments);
        }
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", &self.api_version);
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Sends `request` through the pipeline inside a span naming `operation`.
    ///
    /// # Errors
    ///
    /// Whatever the pipeline returns: transport errors, and error statuses as
    /// [`ErrorKind::Http`].
    pub async fn send(
        &self,
        operation: &'static str,
        request: &mut Request,
    ) -> Result<RawResponse> {
        let span = tracing::debug_span!(
            "vault",
            client = self.component,
            operation,
            vault = self.vault_url.host_str().unwrap_or(""),
            api_version = %self.api_version
        );
        self.pipeline
            .send(&Context::for_operation(operation), request)
            .instrument(span)
            .await
    }

    /// A pager over a `nextLink` list starting at `url`, converting each wire item `W`.
    /// When `url` is an error (bad input), the error is the stream's first item and nothing
    /// is sent.
    pub fn pager<W, T>(
        &self,
        operation: &'static str,
        url: Result<Url>,
        token: Option<String>,
    ) -> Pager<T>
    where
        W: serde::de::DeserializeOwned + Send + 'static,
        T: From<W> + Send + 'static,
    {
        match url {
            Ok(url) => Pager::from_next_link(
                self.pipeline.clone(),
                Context::for_operation(operation),
                url,
                token,
                T::from,
            ),
            Err(err) => Pager::failed(err),
        }
    }
}

/// The `maxresults` query of a list, checked to be from 1 to 25 as the service requires.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] outside 1..=25.
pub fn page_size_query(max_page_size: Option<u32>) -> Result<Vec<(&'static str, String)>> {
    match max_page_size {
        None => Ok(Vec::new()),
        Some(n) if (1..=25).contains(&n) => Ok(vec![("maxresults", n.to_string())]),
        Some(_) => Err(Error::invalid_input(
            "max page size",
            "must be from 1 to 25",
        )),
    }
}

/// Decodes a base64url field of a response (padding tolerated).
///
/// # Errors
///
/// [`ErrorKind::Deserialize`] naming `what` when it is not base64url.
pub fn decode_base64url(what: &'static str, text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| Error::new(ErrorKind::Deserialize, format!("{what} is not base64url")))
}

/// Encodes bytes as unpadded base64url, as Key Vault expects.
pub fn encode_base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Checks an object name as the service does (1 to 127 of `0-9a-zA-Z-`); `what` names the
/// argument in the error (`key name`).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] naming the rule broken.
pub fn check_object_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_input(what, "must not be empty"));
    }
    if name.len() > 127 {
        return Err(Error::invalid_input(
            what,
            "must have at most 127 characters",
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::invalid_input(
            what,
            "may contain only letters, digits and '-'",
        ));
    }
    Ok(())
}

/// Checks an object version: letters and digits, at most 64.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`].
pub fn check_object_version(what: &str, version: &str) -> Result<()> {
    if version.is_empty()
        || version.len() > 64
        || !version.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Error::invalid_input(what, "must be letters and digits"));
    }
    Ok(())
}

/// Unix seconds (as Key Vault sends times) to a [`SystemTime`](std::time::SystemTime).
pub fn from_unix(secs: i64) -> std::time::SystemTime {
    use std::time::{Duration, UNIX_EPOCH};
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// A [`SystemTime`](std::time::SystemTime) to Unix seconds, saturating.
pub fn to_unix(time: std::time::SystemTime) -> i64 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The parts of an object id `https://{vault}/{collection}/{name}[/{version}]`, or
/// `https://{vault}/{deleted_collection}/{name}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectId {
    /// The vault's URL, ending with `/`.
    pub vault_url: String,
    /// The object's name.
    pub name: String,
    /// The version, when the id names one.
    pub version: Option<String>,
}

impl ObjectId {
    /// Parses an id of `collection` (`keys`) or `deleted_collection` (`deletedkeys`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming `what` when `id` is not such an id.
    pub fn parse(id: &str, collection: &str, deleted_collection: &str, what: &str) -> Result<Self> {
        // A plain split rather than a URL parser: this runs for every item of every response.
        let bad = || Error::invalid_input(what, "not a Key Vault object id of the right kind");
        let (scheme, rest) = id.split_once("://").ok_or_else(bad)?;
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return Err(bad());
        }
        let (authority, path) = rest.split_once('/').ok_or_else(bad)?;
        if authority.is_empty() || authority.contains(['@', '\\', '?', '#']) {
            return Err(bad());
        }
        let path = path.split(['?', '#']).next().unwrap_or("");
        let mut segments = path.split('/');
        let (kind, name, version, extra) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        );
        let (name, version) = match (kind, name, version, extra) {
            (Some(k), Some(name), None, None) if k == collection || k == deleted_collection => {
                (name, None)
            }
            (Some(k), Some(name), Some(""), None) if k == collection => (name, None),
            (Some(k), Some(name), Some(version), None) if k == collection => {
                (name, Some(version.to_owned()))
            }
            _ => return Err(bad()),
        };
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            vault_url: format!("{scheme}://{authority}/"),
            name: name.to_owned(),
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions_are_checked() {
        for bad in ["", "a_b", "a/b", "a b", "..", &"x".repeat(128)] {
            assert_eq!(
                check_object_name("key name", bad).unwrap_err().kind(),
                &ErrorKind::InvalidInput,
                "{bad}"
            );
        }
        assert!(check_object_name("key name", "db-key-1").is_ok());
        assert!(check_object_version("key version", "../x").is_err());
        assert!(check_object_version("key version", "0123abcd").is_ok());
        assert!(page_size_query(Some(26)).is_err());
        assert_eq!(page_size_query(Some(5)).unwrap()[0].1, "5");
        assert_eq!(decode_base64url("x", "AQI=").unwrap(), vec![1, 2]);
        assert!(decode_base64url("x", "!!").is_err());
    }

    #[test]
    fn object_ids_parse() {
        let id = ObjectId::parse(
            "https://v.vault.azure.net/keys/k1/abc",
            "keys",
            "deletedkeys",
            "key id",
        )
        .unwrap();
        assert_eq!(
            (
                id.vault_url.as_str(),
                id.name.as_str(),
                id.version.as_deref()
            ),
            ("https://v.vault.azure.net/", "k1", Some("abc"))
        );
        assert!(
            ObjectId::parse("https://v/deletedkeys/k1", "keys", "deletedkeys", "key id")
                .unwrap()
                .version
                .is_none()
        );
        for bad in [
            "",
            "v/keys/k",
            "ftp://v/keys/k",
            "https://v/secrets/k",
            "https://u@v/keys/k",
            "https://v/keys/",
            "https://v/keys/k/1/2",
        ] {
            assert!(
                ObjectId::parse(bad, "keys", "deletedkeys", "key id").is_err(),
                "{bad}"
            );
        }
        let t = from_unix(1_700_000_000);
        assert_eq!(to_unix(t), 1_700_000_000);
    }
}
