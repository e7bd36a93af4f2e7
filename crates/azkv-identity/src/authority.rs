//! [`AuthorityHost`]: where tokens come from (a Microsoft Entra ID cloud, or any URL such as a
//! local emulator's), and how token requests are sent.

use azkv_core::{ClientOptions, Context, Error, ErrorKind, Method, Pipeline, Request, Result, Url};
use serde::Deserialize;
use std::time::{Duration, SystemTime};

/// The authority host of a credential.
///
/// # Examples
///
/// ```
/// use azkv_identity::AuthorityHost;
///
/// # fn main() -> azkv_core::Result<()> {
/// let emulator = AuthorityHost::custom("https://127.0.0.1:8443")?;
/// assert_eq!(emulator.url().as_str(), "https://127.0.0.1:8443/");
/// assert_eq!(AuthorityHost::azure_public().url().host_str(), Some("login.microsoftonline.com"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityHost(Url);

impl AuthorityHost {
    /// `https://login.microsoftonline.com/`.
    pub fn azure_public() -> Self {
        Self(azkv_core::CloudConfiguration::azure_public().authority_host)
    }

    /// Any authority host URL.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `url` is not an absolute `https` URL (plain `http` is
    /// accepted only for loopback hosts).
    pub fn custom(url: &str) -> Result<Self> {
        let mut parsed =
            Url::parse(url).map_err(|_| Error::invalid_input("authority host", "not a URL"))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(Error::invalid_input("authority host", "must use https"));
        }
        if !parsed.path().ends_with('/') {
            let path = format!("{}/", parsed.path());
            parsed.set_path(&path);
        }
        Ok(Self(parsed))
    }

    /// The URL, ending with `/`.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The v2.0 token endpoint of `tenant_id`.
    pub(crate) fn token_endpoint(&self, tenant_id: &str) -> Result<Url> {
        self.0
            .join(&format!("{tenant_id}/oauth2/v2.0/token"))
            .map_err(|_| Error::invalid_input("tenant id", "cannot form a token URL"))
    }
}

impl Default for AuthorityHost {
    fn default() -> Self {
        Self::azure_public()
    }
}

/// Checks a tenant id: letters, digits, `-` and `.` only, so it cannot change the token URL.
pub(crate) fn check_tenant(tenant_id: &str) -> Result<()> {
    if !tenant_id.is_empty()
        && tenant_id.len() <= 256
        && tenant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "tenant id",
            "must be letters, digits, '-' or '.'",
        ))
    }
}

/// The tenant a token is requested from: the credential's own, or a requested one the
/// credential allows (`additionally_allowed_tenants`, `"*"` for any).
pub(crate) fn resolve_tenant(
    who: &str,
    own: &str,
    requested: Option<&str>,
    allowed: &[String],
) -> Result<String> {
    match requested {
        None => Ok(own.to_owned()),
        Some(t) if t.eq_ignore_ascii_case(own) => Ok(own.to_owned()),
        Some(t) if allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(t)) => {
            check_tenant(t)?;
            Ok(t.to_owned())
        }
        Some(t) => Err(Error::new(
            ErrorKind::Credential,
            format!("{who}: tenant {t} is not the credential's tenant; add it to additionally_allowed_tenants to allow it"),
        )),
    }
}

/// A pipeline for token requests: retry and logging, no authentication.
pub(crate) fn token_pipeline(options: &ClientOptions) -> Result<Pipeline> {
    Pipeline::new("azkv-identity", env!("CARGO_PKG_VERSION"), options, None)
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: serde_json::Value,
    refresh_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TokenError {
    error: Option<String>,
    error_codes: Option<Vec<u64>>,
}

fn seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// How a confidential client proves itself in a client-credentials request.
pub(crate) enum ClientProof<'a> {
    /// A client secret.
    Secret(&'a str),
    /// A signed (or federated) JWT assertion.
    Assertion(&'a str),
}

/// Requests a token with the client-credentials grant at `authority` for `tenant`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn client_credentials(
    pipeline: &Pipeline,
    authority: &AuthorityHost,
    tenant: &str,
    client_id: &str,
    proof: ClientProof<'_>,
    scopes: &[&str],
    claims: Option<&str>,
    who: &str,
) -> Result<azkv_core::AccessToken> {
    let scope = scopes.join(" ");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("scope", scope.as_str()),
    ];
    match proof {
        ClientProof::Secret(secret) => form.push(("client_secret", secret)),
        ClientProof::Assertion(assertion) => {
            form.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
            form.push(("client_assertion", assertion));
        }
    }
    if let Some(claims) = claims {
        form.push(("claims", claims));
    }
    request_token(pipeline, authority.token_endpoint(tenant)?, &form, who).await
}

/// Posts a token request form and decodes the answer. `who` names the credential in errors.
pub(crate) async fn request_token(
    pipeline: &Pipeline,
    url: Url,
    form: &[(&str, &str)],
    who: &str,
) -> Result<azkv_core::AccessToken> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter())
        .finish();
    let mut request = Request::new(Method::POST, url);
    request.insert_header("content-type", "application/x-www-form-urlencoded")?;
    request.set_body(body);
    let response = pipeline
        .send(&Context::for_operation("token request"), &mut request)
        .await
        .map_err(|e| {
            Error::with_source(
                ErrorKind::Credential,
                format!("{who}: token request failed"),
                e,
            )
        })?;
    if !response.status().is_success() {
        // Only the error code and its AADSTS numbers: descriptions may echo request details.
        let detail = response
            .json::<TokenError>()
            .ok()
            .map(|e| {
                let codes = e
                    .error_codes
                    .unwrap_or_default()
                    .iter()
                    .map(|c| format!("AADSTS{c}"))
                    .collect::<Vec<_>>()
                    .join(",");
                format!("{} {codes}", e.error.unwrap_or_default())
            })
            .unwrap_or_default();
        return Err(Error::new(
            ErrorKind::Credential,
            format!(
                "{who}: the authority refused the token request ({}): {}",
                response.status().as_u16(),
                detail.trim()
            ),
        ));
    }
    let token: TokenResponse = response.json().map_err(|e| {
        Error::with_source(
            ErrorKind::Credential,
            format!("{who}: unreadable token response"),
            e,
        )
    })?;
    let now = SystemTime::now();
    let lifetime = seconds(&token.expires_in).ok_or_else(|| {
        Error::new(
            ErrorKind::Credential,
            format!("{who}: token response has no expires_in"),
        )
    })?;
    let mut access =
        azkv_core::AccessToken::new(token.access_token, now + Duration::from_secs(lifetime));
    access.refresh_on = token
        .refresh_in
        .as_ref()
        .and_then(seconds)
        .map(|s| now + Duration::from_secs(s));
    Ok(access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_must_be_https_except_loopback() {
        assert!(AuthorityHost::custom("http://login.example.com").is_err());
        assert!(AuthorityHost::custom("http://127.0.0.1:9").is_ok());
        assert!(AuthorityHost::custom("not a url").is_err());
        let a = AuthorityHost::custom("https://login.example.com/base").unwrap();
        assert_eq!(
            a.token_endpoint("t1").unwrap().as_str(),
            "https://login.example.com/base/t1/oauth2/v2.0/token"
        );
    }

    #[test]
    fn tenants_cannot_change_the_path() {
        for bad in ["", "a/b", "a?b", "..%2f", "a b"] {
            assert!(check_tenant(bad).is_err(), "{bad}");
        }
        assert!(check_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47").is_ok());
        assert!(check_tenant("contoso.onmicrosoft.com").is_ok());
    }
}
