//! The emulator's identity provider: the Microsoft identity platform token endpoint
//! (`/{tenant}/oauth2/v2.0/token`, client credentials with a secret or a JWT assertion), its
//! OpenID configuration and keys documents, an IMDS-shaped managed identity endpoint, and the
//! validation of the tokens it issued.
//!
//! Tokens are JWTs signed with ES256 by a key made at start. Claims: `aud`, `iss`, `iat`, `nbf`,
//! `exp`, `tid`, `oid`, `sub`, `appid`. `oid` is derived from the client id, so one client
//! keeps one object id across restarts.

use crate::clock::Clock;
use crate::error::{ApiError, ApiResult};
use crate::http::{json_response, Req, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use http::StatusCode;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Audiences the data plane accepts: the Key Vault resource of each public cloud.
const VAULT_AUDIENCES: &[&str] = &[
    "https://vault.azure.net",
    "https://vault.azure.cn",
    "https://vault.usgovcloudapi.net",
    "https://vault.microsoftazure.de",
];

/// Audiences the management plane accepts.
const MANAGEMENT_AUDIENCES: &[&str] = &[
    "https://management.azure.com",
    "https://management.core.windows.net",
    "https://management.chinacloudapi.cn",
    "https://management.usgovcloudapi.net",
];

/// The object id the managed identity endpoint's system-assigned identity has.
pub const MANAGED_IDENTITY_CLIENT_ID: &str = "5e5a1c1e-0000-4000-8000-000000000001";

/// Claims of an emulator token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Audience (resource).
    pub aud: String,
    /// Issuer.
    pub iss: String,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expires.
    pub exp: i64,
    /// Tenant.
    pub tid: String,
    /// Object id of the caller.
    pub oid: String,
    /// Subject.
    pub sub: String,
    /// Client (application) id.
    pub appid: String,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a well-formed JWT.
    Malformed,
    /// Signature does not verify with the emulator's key.
    BadSignature,
    /// Expired, or not yet valid.
    Expired,
    /// Issued for another resource.
    WrongAudience,
    /// Issued by another tenant.
    WrongTenant,
}

impl TokenProblem {
    /// The message of the 401 answer.
    pub fn message(self) -> &'static str {
        match self {
            TokenProblem::Missing => "AKV10000: Request is missing a Bearer or PoP token.",
            TokenProblem::Malformed => "AKV10000: The token is malformed.",
            TokenProblem::BadSignature => "AKV10032: The token's signature is not valid.",
            TokenProblem::Expired => "AKV10022: The token is expired or not yet valid.",
            TokenProblem::WrongAudience => {
                "AKV10022: The token's audience is not this vault's resource."
            }
            TokenProblem::WrongTenant => "AKV10032: The token was issued by another tenant.",
        }
    }
}

/// Issues and checks tokens.
pub struct Issuer {
    key: EcdsaKeyPair,
    /// The key as PKCS#8, for `--data-dir`.
    pkcs8: Vec<u8>,
    rng: SystemRandom,
    kid: String,
    tenant_id: String,
    authority_host: String,
    token_lifetime_secs: i64,
    clients: HashMap<String, String>,
    client_certificates: HashMap<String, Vec<Vec<u8>>>,
    /// Tokens whose signature already verified, with their claims: checking an ES256
    /// signature costs more than the rest of a request, and clients reuse tokens.
    verified: Mutex<HashMap<String, Claims>>,
}

/// Most tokens kept in the verified cache; it is emptied when full.
const VERIFIED_CACHE: usize = 4096;

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("kid", &self.kid)
            .field("tenant_id", &self.tenant_id)
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

fn sha256_hex(input: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, input.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stable GUID-shaped id derived from `input`.
pub fn derived_guid(input: &str) -> String {
    let h = sha256_hex(input);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `aud` without a trailing slash or a `/.default` scope suffix.
fn normalize_audience(aud: &str) -> String {
    aud.trim_end_matches("/.default")
        .trim_end_matches('/')
        .to_ascii_lowercase()
}

impl Issuer {
    /// A new issuer signing with `signing_key` (PKCS#8), or a fresh key when `None`.
    /// `clients` restricts who may get tokens (client id → secret); empty accepts any client.
    pub fn new(
        tenant_id: String,
        authority_host: String,
        token_lifetime_secs: i64,
        clients: HashMap<String, String>,
        client_certificates: HashMap<String, Vec<Vec<u8>>>,
        signing_key: Option<&[u8]>,
    ) -> Result<Self, crate::EmulatorError> {
        let rng = SystemRandom::new();
        let pkcs8 = match signing_key {
            Some(key) => key.to_vec(),
            None => EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(|_| {
                    crate::EmulatorError::Crypto("could not generate the token signing key")
                })?
                .as_ref()
                .to_vec(),
        };
        let key =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &rng)
                .map_err(|_| {
                    crate::EmulatorError::Crypto("could not load the token signing key")
                })?;
        let kid = sha256_hex(&B64.encode(key.public_key().as_ref()))[..16].to_owned();
        Ok(Self {
            key,
            pkcs8,
            rng,
            kid,
            tenant_id,
            authority_host,
            token_lifetime_secs,
            clients,
            client_certificates,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// Signs `claims` into a JWT.
    pub fn sign(&self, claims: &Claims) -> ApiResult<String> {
        let header = json!({ "typ": "JWT", "alg": "ES256", "kid": self.kid });
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(serde_json::to_vec(claims).unwrap_or_default())
        );
        let sig = self.key.sign(&self.rng, input.as_bytes()).map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "signing failed",
            )
        })?;
        Ok(format!("{input}.{}", B64.encode(sig.as_ref())))
    }

    /// A token for `client_id` and `audience`, issued at `now`.
    pub fn issue(
        &self,
        tenant_id: &str,
        client_id: &str,
        audience: &str,
        now: i64,
    ) -> ApiResult<String> {
        let oid = derived_guid(&format!("oid:{client_id}"));
        self.sign(&Claims {
            aud: audience.to_owned(),
            iss: format!("{}/{tenant_id}/v2.0", self.authority_host),
            iat: now,
            nbf: now - 60,
            exp: now + self.token_lifetime_secs,
            tid: tenant_id.to_owned(),
            oid: oid.clone(),
            sub: oid,
            appid: client_id.to_owned(),
        })
    }

    /// Checks a bearer token for the data plane (`management == false`) or the management
    /// plane, at time `now`.
    pub fn verify(
        &self,
        authorization: Option<&str>,
        now: i64,
        management: bool,
    ) -> Result<Claims, TokenProblem> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        let cached = self
            .verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .cloned();
        let claims = match cached {
            Some(claims) => claims,
            None => {
                let claims = self.verify_signature(token)?;
                let mut cache = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
                if cache.len() >= VERIFIED_CACHE {
                    cache.clear();
                }
                cache.insert(token.to_owned(), claims.clone());
                claims
            }
        };
        if now >= claims.exp || now < claims.nbf {
            return Err(TokenProblem::Expired);
        }
        let aud = normalize_audience(&claims.aud);
        let allowed = if management {
            MANAGEMENT_AUDIENCES
        } else {
            VAULT_AUDIENCES
        };
        if !allowed.iter().any(|a| *a == aud) {
            return Err(TokenProblem::WrongAudience);
        }
        if claims.tid != self.tenant_id {
            return Err(TokenProblem::WrongTenant);
        }
        Ok(claims)
    }

    /// Checks a token's signature and decodes its claims.
    fn verify_signature(&self, token: &str) -> Result<Claims, TokenProblem> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenProblem::Malformed);
        };
        let sig = B64.decode(sig).map_err(|_| TokenProblem::Malformed)?;
        let public = signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            self.key.public_key().as_ref(),
        );
        public
            .verify(format!("{header}.{payload}").as_bytes(), &sig)
            .map_err(|_| TokenProblem::BadSignature)?;
        B64.decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(TokenProblem::Malformed)
    }

    /// The public key as a JWK set.
    fn jwks(&self) -> serde_json::Value {
        let point = self.key.public_key().as_ref();
        // Uncompressed point: 0x04 || x || y.
        let (x, y) = if point.len() == 65 {
            (&point[1..33], &point[33..65])
        } else {
            (&point[..0], &point[..0])
        };
        json!({ "keys": [{ "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid, "x": B64.encode(x), "y": B64.encode(y) }] })
    }

    /// The signing key as PKCS#8.
    pub fn signing_key(&self) -> &[u8] {
        &self.pkcs8
    }

    /// Whether only registered clients get tokens.
    fn restricted(&self) -> bool {
        !self.clients.is_empty() || !self.client_certificates.is_empty()
    }

    /// The tenant tokens are valid for.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
}

fn oauth_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    json_response(
        status,
        &json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}"),
            "error_codes": [code],
            "timestamp": "",
            "trace_id": derived_guid(description),
            "correlation_id": derived_guid(error),
        }),
    )
}

/// Whether a path belongs to the identity endpoints; answers it if so.
pub fn route(issuer: &Issuer, clock: &Clock, req: &Req) -> Option<Response> {
    let segments = req.segments();
    match (req.method.as_str(), segments.as_slice()) {
        ("POST", [tenant, "oauth2", "v2.0", "token"]) => Some(token(issuer, clock, req, tenant)),
        ("GET", [tenant, "v2.0", ".well-known", "openid-configuration"]) => {
            Some(openid(issuer, tenant))
        }
        ("GET", [_, "discovery", "v2.0", "keys"]) | ("GET", [_, "discovery", "keys"]) => {
            Some(json_response(StatusCode::OK, &issuer.jwks()))
        }
        ("GET", ["metadata", "identity", "oauth2", "token"]) => Some(imds(issuer, clock, req)),
        _ => None,
    }
}

fn openid(issuer: &Issuer, tenant: &str) -> Response {
    if tenant != issuer.tenant_id {
        return unknown_tenant(tenant);
    }
    let base = format!("{}/{tenant}", issuer.authority_host);
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": format!("{base}/v2.0"),
            "token_endpoint": format!("{base}/oauth2/v2.0/token"),
            "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
            "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
            "jwks_uri": format!("{base}/discovery/v2.0/keys"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": null,
            "cloud_instance_name": "emulator",
        }),
    )
}

fn unknown_tenant(tenant: &str) -> Response {
    let shown: String = tenant
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .take(64)
        .collect();
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        90002,
        &format!("Tenant '{shown}' not found; this emulator serves one tenant."),
    )
}

fn token(issuer: &Issuer, clock: &Clock, req: &Req, tenant: &str) -> Response {
    if tenant != issuer.tenant_id {
        return unknown_tenant(tenant);
    }
    let form: HashMap<String, String> = form_urlencoded::parse(&req.body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "Only the client_credentials grant is supported by this emulator.",
        );
    }
    let Some(client_id) = field("client_id") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the parameter 'client_id'.",
        );
    };
    let Some(scope) = field("scope") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the parameter 'scope'.",
        );
    };
    let Some(resource) = scope.split_whitespace().find(|s| s.ends_with("/.default")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The scope must be a resource's '/.default' scope.",
        );
    };
    let now = clock.now();
    match (field("client_secret"), field("client_assertion")) {
        (Some(secret), _) => {
            if issuer.restricted() {
                match issuer.clients.get(client_id) {
                    None => {
                        return oauth_error(
                            StatusCode::BAD_REQUEST,
                            "unauthorized_client",
                            700016,
                            "The application was not found in the directory.",
                        )
                    }
                    Some(expected) if expected != secret => {
                        return oauth_error(
                            StatusCode::UNAUTHORIZED,
                            "invalid_client",
                            7000215,
                            "Invalid client secret provided.",
                        )
                    }
                    Some(_) => {}
                }
            }
        }
        (None, Some(assertion)) => {
            if field("client_assertion_type")
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    90014,
                    "The client_assertion_type must be the JWT bearer type.",
                );
            }
            if let Err(problem) = check_assertion(assertion, client_id, now) {
                return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", 700027, problem);
            }
            match issuer.client_certificates.get(client_id) {
                Some(certificates) => {
                    if let Err(problem) = verify_assertion_signature(assertion, certificates) {
                        return oauth_error(
                            StatusCode::UNAUTHORIZED,
                            "invalid_client",
                            700027,
                            problem,
                        );
                    }
                }
                None if issuer.restricted() => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "unauthorized_client",
                        700016,
                        "The application was not found in the directory.",
                    );
                }
                None => {}
            }
        }
        (None, None) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain 'client_secret' or 'client_assertion'.",
            );
        }
    }
    let audience = normalize_audience(resource);
    match issuer.issue(tenant, client_id, &audience, now) {
        Ok(token) => json_response(
            StatusCode::OK,
            &json!({
                "token_type": "Bearer",
                "expires_in": issuer.token_lifetime_secs,
                "ext_expires_in": issuer.token_lifetime_secs,
                "access_token": token,
            }),
        ),
        Err(err) => err.into_response(),
    }
}

/// Checks the shape of a client assertion: a JWT whose `sub` and `iss` name the client and
/// which has not expired. Its signature is not checked: the emulator has no registered
/// certificates.
fn check_assertion(assertion: &str, client_id: &str, now: i64) -> Result<(), &'static str> {
    #[derive(Deserialize)]
    struct AssertionClaims {
        iss: Option<String>,
        sub: Option<String>,
        // Some clients (MSAL for Python) write times with a fraction.
        exp: Option<f64>,
        aud: Option<serde_json::Value>,
    }
    let mut parts = assertion.split('.');
    let (Some(header), Some(payload), Some(_sig)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("The client assertion is not a JWT.");
    };
    let header: serde_json::Value = B64
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or("The client assertion's header is not valid.")?;
    if header
        .get("alg")
        .and_then(|a| a.as_str())
        .is_none_or(|a| a == "none")
    {
        return Err("The client assertion must be signed.");
    }
    let claims: AssertionClaims = B64
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or("The client assertion's payload is not valid.")?;
    if claims.sub.as_deref() != Some(client_id) || claims.iss.as_deref() != Some(client_id) {
        return Err("The client assertion's iss and sub must be the client id.");
    }
    if claims.exp.is_none_or(|exp| exp <= now as f64) {
        return Err("The client assertion has expired.");
    }
    if claims.aud.is_none() {
        return Err("The client assertion has no audience.");
    }
    Ok(())
}

/// Converts a JWS ECDSA signature (r || s) to the DER form X.509 verifiers take.
fn ecdsa_fixed_to_der(sig: &[u8]) -> Option<Vec<u8>> {
    if sig.is_empty() || sig.len() % 2 != 0 || sig.len() > 132 {
        return None;
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    let int = |v: &[u8]| {
        let v = &v[v.iter().take_while(|b| **b == 0).count().min(v.len() - 1)..];
        let mut out = vec![0x02];
        let pad = v[0] & 0x80 != 0;
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
        out
    };
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    Some(out)
}

/// Verifies a client assertion's signature against the client's registered certificates,
/// chosen by the assertion's `x5t#S256` thumbprint (or its `x5c` leaf).
fn verify_assertion_signature(
    assertion: &str,
    certificates: &[Vec<u8>],
) -> Result<(), &'static str> {
    let mut parts = assertion.split('.');
    let (Some(header_b64), Some(payload_b64), Some(sig_b64)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err("The client assertion is not a JWT.");
    };
    let header: serde_json::Value = B64
        .decode(header_b64)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or("The client assertion's header is not valid.")?;
    // The certificate is named by its SHA-256 thumbprint (x5t#S256), its SHA-1 thumbprint (x5t,
    // what MSAL sends with RS256), or its own DER (x5c).
    let sha256 = |der: &[u8]| B64.encode(ring::digest::digest(&ring::digest::SHA256, der));
    let sha1 = |der: &[u8]| {
        B64.encode(ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            der,
        ))
    };
    let named = |der: &[u8]| -> bool {
        if let Some(t) = header.get("x5t#S256").and_then(|v| v.as_str()) {
            return t.trim_end_matches('=') == sha256(der);
        }
        if let Some(t) = header.get("x5t").and_then(|v| v.as_str()) {
            return t.trim_end_matches('=') == sha1(der);
        }
        header["x5c"][0]
            .as_str()
            .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
            .is_some_and(|leaf| leaf == der)
    };
    let certificate = certificates
        .iter()
        .find(|c| named(c))
        .ok_or("The client assertion names no certificate registered for this application.")?;
    let sig = B64
        .decode(sig_b64)
        .map_err(|_| "The client assertion's signature is not base64url.")?;
    let (algorithm, sig): (
        &dyn rustls::pki_types::SignatureVerificationAlgorithm,
        Vec<u8>,
    ) = match header.get("alg").and_then(|a| a.as_str()) {
        Some("RS256") => (webpki::ring::RSA_PKCS1_2048_8192_SHA256, sig),
        Some("PS256") => (webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY, sig),
        Some("ES256") => (
            webpki::ring::ECDSA_P256_SHA256,
            ecdsa_fixed_to_der(&sig).ok_or("Bad ECDSA signature.")?,
        ),
        Some("ES384") => (
            webpki::ring::ECDSA_P384_SHA384,
            ecdsa_fixed_to_der(&sig).ok_or("Bad ECDSA signature.")?,
        ),
        _ => return Err("The client assertion's algorithm is not supported."),
    };
    let der = rustls::pki_types::CertificateDer::from(certificate.as_slice());
    let end_entity = webpki::EndEntityCert::try_from(&der)
        .map_err(|_| "The registered certificate cannot be parsed.")?;
    end_entity
        .verify_signature(
            algorithm,
            format!("{header_b64}.{payload_b64}").as_bytes(),
            &sig,
        )
        .map_err(|_| {
            "The client assertion's signature does not verify with the registered certificate."
        })
}

fn imds(issuer: &Issuer, clock: &Clock, req: &Req) -> Response {
    if !req
        .header("metadata")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "invalid_request", "error_description": "Required metadata header not specified" }),
        );
    }
    let Some(resource) = req.query("resource").filter(|r| !r.is_empty()) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "invalid_request", "error_description": "Required audience parameter not specified" }),
        );
    };
    let client_id = req
        .query("client_id")
        .or_else(|| req.query("object_id"))
        .or_else(|| req.query("msi_res_id"))
        .or_else(|| req.query("mi_res_id"))
        .map(|id| {
            if id.len() == 36 {
                id.to_owned()
            } else {
                derived_guid(&format!("mi:{id}"))
            }
        })
        .unwrap_or_else(|| MANAGED_IDENTITY_CLIENT_ID.to_owned());
    let now = clock.now();
    let audience = normalize_audience(resource);
    match issuer.issue(issuer.tenant_id(), &client_id, &audience, now) {
        Ok(token) => json_response(
            StatusCode::OK,
            &json!({
                "access_token": token,
                "client_id": client_id,
                "expires_in": issuer.token_lifetime_secs.to_string(),
                "expires_on": (now + issuer.token_lifetime_secs).to_string(),
                "ext_expires_in": issuer.token_lifetime_secs.to_string(),
                "not_before": (now - 60).to_string(),
                "resource": resource,
                "token_type": "Bearer",
            }),
        ),
        Err(err) => err.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Issuer {
        Issuer::new(
            "tenant".into(),
            "https://127.0.0.1:1".into(),
            3600,
            HashMap::new(),
            HashMap::new(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn issued_tokens_verify_until_expiry() {
        let issuer = issuer();
        let token = issuer
            .issue("tenant", "app", "https://vault.azure.net", 1000)
            .unwrap();
        let header = format!("Bearer {token}");
        let claims = issuer.verify(Some(&header), 1001, false).unwrap();
        assert_eq!(claims.appid, "app");
        assert_eq!(
            issuer.verify(Some(&header), 1000 + 3600, false),
            Err(TokenProblem::Expired)
        );
        assert_eq!(
            issuer.verify(Some(&header), 1001, true),
            Err(TokenProblem::WrongAudience)
        );
    }

    #[test]
    fn foreign_and_broken_tokens_are_refused() {
        let issuer = issuer();
        let other = Issuer::new(
            "tenant".into(),
            "https://x".into(),
            3600,
            HashMap::new(),
            HashMap::new(),
            None,
        )
        .unwrap();
        let foreign = other
            .issue("tenant", "app", "https://vault.azure.net", 1000)
            .unwrap();
        assert_eq!(
            issuer.verify(Some(&format!("Bearer {foreign}")), 1001, false),
            Err(TokenProblem::BadSignature)
        );
        assert_eq!(issuer.verify(None, 1, false), Err(TokenProblem::Missing));
        assert_eq!(
            issuer.verify(Some("Bearer a.b"), 1, false),
            Err(TokenProblem::Malformed)
        );
        assert_eq!(
            issuer.verify(Some("Bearer a.b.c"), 1, false),
            Err(TokenProblem::Malformed)
        );
        let wrong_tenant = issuer
            .issue("other", "app", "https://vault.azure.net", 1000)
            .unwrap();
        assert_eq!(
            issuer.verify(Some(&format!("Bearer {wrong_tenant}")), 1001, false),
            Err(TokenProblem::WrongTenant)
        );
    }

    #[test]
    fn derived_ids_are_stable_guids() {
        let a = derived_guid("x");
        assert_eq!(a, derived_guid("x"));
        assert_eq!(a.len(), 36);
        assert_ne!(a, derived_guid("y"));
    }
}
