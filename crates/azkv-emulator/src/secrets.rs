//! The secrets data plane: set, get, update, list, versions, delete, deleted, recover, purge,
//! backup and restore, with the service's validation, status codes and error bodies.

use crate::api_version::has_recoverable_days;
use crate::error::{ApiError, ApiResult};
use crate::http::{empty_response, ok, Req, Response};
use crate::state::State;
use crate::store::{new_version, Deleted, Secret, SecretVersion, Tags, Vault};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::Instant;

/// Largest secret value, in bytes.
pub const MAX_VALUE_BYTES: usize = 25 * 1024;
const MAX_TAGS: usize = 15;
const MAX_PAGE: usize = 25;

/// Context of one data-plane call.
pub struct Call<'a> {
    /// Shared state.
    pub state: &'a State,
    /// The request.
    pub req: &'a Req,
    /// The accepted api-version.
    pub api_version: &'a str,
    /// Lowercased name of the vault addressed.
    pub vault: &'a str,
}

/// Routes a secrets request; `None` when the path is not a secrets path.
pub fn route(call: &Call<'_>) -> Option<ApiResult<Response>> {
    let segments = call.req.segments();
    let method = call.req.method.as_str();
    let result = match (method, segments.as_slice()) {
        ("GET", ["secrets"]) | ("GET", ["secrets", ""]) => list(call),
        ("POST", ["secrets", "restore"]) => restore(call),
        ("PUT", ["secrets", name]) => set(call, name),
        ("GET", ["secrets", name]) | ("GET", ["secrets", name, ""]) => get(call, name, None),
        ("PATCH", ["secrets", name]) | ("PATCH", ["secrets", name, ""]) => update(call, name, None),
        ("DELETE", ["secrets", name]) => delete(call, name),
        ("GET", ["secrets", name, "versions"]) => list_versions(call, name),
        ("POST", ["secrets", name, "backup"]) => backup(call, name),
        ("GET", ["secrets", name, version]) => get(call, name, Some(version)),
        ("PATCH", ["secrets", name, version]) => update(call, name, Some(version)),
        ("GET", ["deletedsecrets"]) | ("GET", ["deletedsecrets", ""]) => list_deleted(call),
        ("GET", ["deletedsecrets", name]) => get_deleted(call, name),
        ("DELETE", ["deletedsecrets", name]) => purge(call, name),
        ("POST", ["deletedsecrets", name, "recover"]) => recover(call, name),
        (_, ["secrets", ..]) | (_, ["deletedsecrets", ..]) => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on this path."),
        )),
        _ => return None,
    };
    Some(result)
}

/// The secrets permission an access policy must grant for this request, when it is a
/// secrets request.
pub fn permission(req: &Req) -> Option<&'static str> {
    let segments = req.segments();
    Some(match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["secrets"]) | ("GET", ["secrets", ""]) | ("GET", ["secrets", _, "versions"]) => {
            "list"
        }
        ("GET", ["deletedsecrets"])
        | ("GET", ["deletedsecrets", ""])
        | ("GET", ["deletedsecrets", _]) => "list",
        ("POST", ["secrets", "restore"]) => "restore",
        ("PUT", ["secrets", _]) | ("PATCH", ["secrets", ..]) => "set",
        ("GET", ["secrets", ..]) => "get",
        ("DELETE", ["secrets", _]) => "delete",
        ("POST", ["secrets", _, "backup"]) => "backup",
        ("DELETE", ["deletedsecrets", _]) => "purge",
        ("POST", ["deletedsecrets", _, "recover"]) => "recover",
        _ => return None,
    })
}

/// Checks an object name as the service does: 1 to 127 characters of `0-9a-zA-Z-`.
pub fn check_name(name: &str) -> ApiResult<()> {
    let valid = !name.is_empty()
        && name.len() <= 127
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(())
    } else {
        let shown: String = name.chars().take(130).collect();
        Err(ApiError::bad_parameter(format!(
            "The request URI contains an invalid name: {shown}"
        )))
    }
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(
        "SecretNotFound",
        format!("A secret with (name/id) {name} was not found in this key vault."),
    )
}

fn deleted_not_found(name: &str) -> ApiError {
    ApiError::not_found(
        "SecretNotFound",
        format!("Deleted Secret not found: {name}"),
    )
}

fn being_deleted(name: &str) -> ApiError {
    ApiError::conflict(format!("Secret {name} is currently being deleted."))
}

fn attributes(call: &Call<'_>, days: i64, v: &SecretVersion) -> Value {
    attributes_of(call, days, v.enabled, v.nbf, v.exp, v.created, v.updated)
}

/// The `attributes` object of any versioned object.
pub(crate) fn attributes_of(
    call: &Call<'_>,
    days: i64,
    enabled: bool,
    nbf: Option<i64>,
    exp: Option<i64>,
    created: i64,
    updated: i64,
) -> Value {
    let mut a = Map::new();
    a.insert("enabled".into(), json!(enabled));
    if let Some(nbf) = nbf {
        a.insert("nbf".into(), json!(nbf));
    }
    if let Some(exp) = exp {
        a.insert("exp".into(), json!(exp));
    }
    a.insert("created".into(), json!(created));
    a.insert("updated".into(), json!(updated));
    a.insert("recoveryLevel".into(), json!("Recoverable+Purgeable"));
    if has_recoverable_days(call.api_version) {
        a.insert("recoverableDays".into(), json!(days));
    }
    Value::Object(a)
}

pub(crate) fn base<'a>(call: &Call<'a>) -> &'a str {
    call.req.base_url.trim_end_matches('/')
}

/// The bundle of a version; `with_value` adds the value.
fn bundle(
    call: &Call<'_>,
    days: i64,
    secret: &Secret,
    v: &SecretVersion,
    with_value: bool,
) -> Value {
    let mut b = Map::new();
    if with_value {
        b.insert("value".into(), json!(v.value));
    }
    b.insert(
        "id".into(),
        json!(format!(
            "{}/secrets/{}/{}",
            base(call),
            secret.name,
            v.version
        )),
    );
    if let Some(ct) = &v.content_type {
        b.insert("contentType".into(), json!(ct));
    }
    b.insert("attributes".into(), attributes(call, days, v));
    if let Some(tags) = &v.tags {
        b.insert("tags".into(), json!(tags));
    }
    if let Some(kid) = &v.managed_key_id {
        b.insert("kid".into(), json!(kid));
        b.insert("managed".into(), json!(true));
    }
    Value::Object(b)
}

/// A list item: the bundle's id (with the version when `versioned`), attributes, tags and
/// content type.
fn item(call: &Call<'_>, days: i64, secret: &Secret, v: &SecretVersion, versioned: bool) -> Value {
    let mut b = Map::new();
    let id = if versioned {
        format!("{}/secrets/{}/{}", base(call), secret.name, v.version)
    } else {
        format!("{}/secrets/{}", base(call), secret.name)
    };
    b.insert("id".into(), json!(id));
    if let Some(ct) = &v.content_type {
        b.insert("contentType".into(), json!(ct));
    }
    b.insert("attributes".into(), attributes(call, days, v));
    if let Some(tags) = &v.tags {
        b.insert("tags".into(), json!(tags));
    }
    Value::Object(b)
}

fn add_deleted_fields(call: &Call<'_>, value: &mut Value, deleted: &Deleted<Secret>) {
    if let Value::Object(map) = value {
        map.insert(
            "recoveryId".into(),
            json!(format!(
                "{}/deletedsecrets/{}",
                base(call),
                deleted.object.name
            )),
        );
        map.insert("deletedDate".into(), json!(deleted.deleted_date));
        map.insert(
            "scheduledPurgeDate".into(),
            json!(deleted.scheduled_purge_date),
        );
    }
}

/// Settable attributes; read-only ones a client echoes back (`created`, ...) are ignored.
#[derive(Deserialize)]
pub(crate) struct AttributesIn {
    pub(crate) enabled: Option<bool>,
    pub(crate) nbf: Option<i64>,
    pub(crate) exp: Option<i64>,
}

#[derive(Deserialize)]
struct SetIn {
    value: Option<Value>,
    #[serde(rename = "contentType")]
    content_type: Option<String>,
    tags: Option<Tags>,
    attributes: Option<AttributesIn>,
}

#[derive(Deserialize)]
struct UpdateIn {
    #[serde(rename = "contentType")]
    content_type: Option<String>,
    tags: Option<Tags>,
    attributes: Option<AttributesIn>,
}

pub(crate) fn check_tags(tags: &Option<Tags>) -> ApiResult<()> {
    if let Some(tags) = tags {
        if tags.len() > MAX_TAGS {
            return Err(ApiError::bad_parameter(format!(
                "An object may have at most {MAX_TAGS} tags."
            )));
        }
        for (k, v) in tags {
            if k.is_empty() || k.len() > 512 || v.len() > 256 {
                return Err(ApiError::bad_parameter(
                    "Tag names must have 1 to 512 characters and tag values at most 256.",
                ));
            }
        }
    }
    Ok(())
}

fn check_content_type(ct: &Option<String>) -> ApiResult<()> {
    match ct {
        Some(ct) if ct.len() > 255 => Err(ApiError::bad_parameter(
            "The content type may have at most 255 characters.",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn check_dates(nbf: Option<i64>, exp: Option<i64>) -> ApiResult<()> {
    match (nbf, exp) {
        (Some(nbf), Some(exp)) if exp < nbf => Err(ApiError::bad_parameter(
            "The expiry date must be later than the not-before date.",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn with_vault<T>(
    call: &Call<'_>,
    f: impl FnOnce(&mut Vault, i64) -> ApiResult<T>,
) -> ApiResult<T> {
    let now = call.state.clock.now();
    let mut store = call.state.lock();
    let vault = store
        .vaults
        .get_mut(call.vault)
        .ok_or_else(|| ApiError::not_found("VaultNotFound", "The vault does not exist."))?;
    for key in vault.purge_expired(now) {
        call.state.persist_secret(call.vault, vault, &key)?;
    }
    for key in vault.purge_expired_keys(now) {
        call.state.persist_key(call.vault, vault, &key)?;
    }
    for key in vault.purge_expired_certificates(now) {
        call.state.persist_certificate(call.vault, vault, &key)?;
    }
    f(vault, now)
}

fn set(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: SetIn = call.req.json()?;
    let value = match input.value {
        Some(Value::String(v)) => v,
        Some(_) => {
            return Err(ApiError::bad_parameter(
                "The secret value must be a string.",
            ))
        }
        None => return Err(ApiError::bad_parameter("The secret value is required.")),
    };
    if value.len() > MAX_VALUE_BYTES {
        return Err(ApiError::bad_parameter(format!(
            "The secret value is {} bytes; the largest allowed is {MAX_VALUE_BYTES}.",
            value.len()
        )));
    }
    check_tags(&input.tags)?;
    check_content_type(&input.content_type)?;
    let attrs = input.attributes;
    let (enabled, nbf, exp) = match &attrs {
        Some(a) => (a.enabled.unwrap_or(true), a.nbf, a.exp),
        None => (true, None, None),
    };
    check_dates(nbf, exp)?;
    with_vault(call, |vault, now| {
        let key = name.to_ascii_lowercase();
        if let Some(deleted) = vault.deleted_secrets.get(&key) {
            return Err(if deleted.in_progress() {
                being_deleted(name)
            } else {
                ApiError::conflict(format!(
                    "Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."
                ))
            });
        }
        let version = SecretVersion {
            version: new_version(),
            value,
            content_type: input.content_type,
            tags: input.tags,
            enabled,
            nbf,
            exp,
            created: now,
            updated: now,
            managed_key_id: None,
        };
        let days = vault.retention_days;
        let secret = vault.secrets.entry(key.clone()).or_insert_with(|| Secret {
            name: name.to_owned(),
            versions: Vec::new(),
        });
        secret.versions.push(version);
        let Some(latest) = secret.latest() else {
            return Err(not_found(name));
        };
        let body = bundle(call, days, secret, latest, true);
        call.state.persist_secret(call.vault, vault, &key)?;
        ok(&body)
    })
}

fn get(call: &Call<'_>, name: &str, version: Option<&str>) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let secret = vault
            .secrets
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let v = match version {
            Some(version) => secret.version(version),
            None => secret.latest(),
        }
        .ok_or_else(|| not_found(name))?;
        if !v.enabled {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "Operation get is not allowed on a disabled secret.",
            )
            .with_inner("SecretDisabled"));
        }
        ok(&bundle(call, vault.retention_days, secret, v, true))
    })
}

fn update(call: &Call<'_>, name: &str, version: Option<&str>) -> ApiResult<Response> {
    check_name(name)?;
    let input: UpdateIn = call.req.json()?;
    check_tags(&input.tags)?;
    check_content_type(&input.content_type)?;
    with_vault(call, |vault, now| {
        let secret = vault
            .secrets
            .get_mut(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let version_id = match version {
            Some(v) => v.to_owned(),
            None => secret
                .latest()
                .map(|v| v.version.clone())
                .ok_or_else(|| not_found(name))?,
        };
        let v = secret
            .version_mut(&version_id)
            .ok_or_else(|| not_found(name))?;
        let mut nbf = v.nbf;
        let mut exp = v.exp;
        if let Some(a) = &input.attributes {
            if a.nbf.is_some() {
                nbf = a.nbf;
            }
            if a.exp.is_some() {
                exp = a.exp;
            }
        }
        check_dates(nbf, exp)?;
        if let Some(a) = input.attributes {
            if let Some(enabled) = a.enabled {
                v.enabled = enabled;
            }
        }
        v.nbf = nbf;
        v.exp = exp;
        if input.content_type.is_some() {
            v.content_type = input.content_type;
        }
        if input.tags.is_some() {
            v.tags = input.tags;
        }
        v.updated = now;
        let secret = vault
            .secrets
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let v = secret.version(&version_id).ok_or_else(|| not_found(name))?;
        let body = bundle(call, vault.retention_days, secret, v, false);
        call.state
            .persist_secret(call.vault, vault, &name.to_ascii_lowercase())?;
        ok(&body)
    })
}

fn page_size(call: &Call<'_>) -> ApiResult<usize> {
    match call.req.query("maxresults") {
        None | Some("") => Ok(MAX_PAGE),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_parameter(format!(
                "maxresults must be a whole number from 1 to {MAX_PAGE}."
            ))),
        },
    }
}

fn skip_token(call: &Call<'_>) -> ApiResult<Option<String>> {
    match call.req.query("$skiptoken") {
        None | Some("") => Ok(None),
        Some(t) => B64
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| ApiError::bad_parameter("The $skiptoken is not valid.")),
    }
}

/// A page of `items`, whose keys are ordered, starting after the skip token.
pub(crate) fn page(
    call: &Call<'_>,
    path: &str,
    keyed: Vec<(String, Value)>,
) -> ApiResult<Response> {
    let size = page_size(call)?;
    let after = skip_token(call)?;
    let mut rest = keyed
        .into_iter()
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k.as_str() > a.as_str()))
        .peekable();
    let mut values = Vec::new();
    let mut last = None;
    while values.len() < size {
        match rest.next() {
            Some((k, v)) => {
                values.push(v);
                last = Some(k);
            }
            None => break,
        }
    }
    let next_link = match (rest.peek(), last) {
        (Some(_), Some(last)) => Value::String(format!(
            "{}/{path}?api-version={}&$skiptoken={}&maxresults={size}",
            base(call),
            call.api_version,
            B64.encode(last)
        )),
        _ => Value::Null,
    };
    ok(&json!({ "value": values, "nextLink": next_link }))
}

fn list(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let items = vault
            .secrets
            .iter()
            .filter_map(|(k, s)| {
                s.latest()
                    .map(|v| (k.clone(), item(call, vault.retention_days, s, v, false)))
            })
            .collect();
        page(call, "secrets", items)
    })
}

fn list_versions(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let secret = vault
            .secrets
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        // Keys: creation index, zero-padded so they order as text.
        let items = secret
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    format!("{i:010}"),
                    item(call, vault.retention_days, secret, v, true),
                )
            })
            .collect();
        page(call, &format!("secrets/{}/versions", secret.name), items)
    })
}

fn delete(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let delay = call.state.config.delete_delay;
    with_vault(call, |vault, now| {
        let key = name.to_ascii_lowercase();
        let secret = vault.secrets.remove(&key).ok_or_else(|| not_found(name))?;
        let deleted = Deleted {
            object: secret,
            deleted_date: now,
            scheduled_purge_date: now + vault.retention_days * 86_400,
            settles_at: Instant::now() + delay,
        };
        let mut body = match deleted.object.latest() {
            Some(v) => bundle(call, vault.retention_days, &deleted.object, v, false),
            None => json!({}),
        };
        add_deleted_fields(call, &mut body, &deleted);
        vault.deleted_secrets.insert(key.clone(), deleted);
        call.state.persist_secret(call.vault, vault, &key)?;
        ok(&body)
    })
}

fn deleted_body(call: &Call<'_>, days: i64, deleted: &Deleted<Secret>, versioned: bool) -> Value {
    let mut body = match deleted.object.latest() {
        Some(v) if versioned => bundle(call, days, &deleted.object, v, false),
        Some(v) => item(call, days, &deleted.object, v, false),
        None => json!({}),
    };
    add_deleted_fields(call, &mut body, deleted);
    body
}

fn get_deleted(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let deleted = vault
            .deleted_secrets
            .get(&name.to_ascii_lowercase())
            .filter(|d| !d.in_progress())
            .ok_or_else(|| deleted_not_found(name))?;
        ok(&deleted_body(call, vault.retention_days, deleted, true))
    })
}

fn list_deleted(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let items = vault
            .deleted_secrets
            .iter()
            .filter(|(_, d)| !d.in_progress())
            .map(|(k, d)| {
                (
                    k.clone(),
                    deleted_body(call, vault.retention_days, d, false),
                )
            })
            .collect();
        page(call, "deletedsecrets", items)
    })
}

fn settled_deleted<'v>(vault: &'v Vault, name: &str) -> ApiResult<&'v Deleted<Secret>> {
    match vault.deleted_secrets.get(&name.to_ascii_lowercase()) {
        None => Err(deleted_not_found(name)),
        Some(d) if d.in_progress() => Err(being_deleted(name)),
        Some(d) => Ok(d),
    }
}

fn purge(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        settled_deleted(vault, name)?;
        let key = name.to_ascii_lowercase();
        vault.deleted_secrets.remove(&key);
        call.state.persist_secret(call.vault, vault, &key)?;
        Ok(empty_response(StatusCode::NO_CONTENT))
    })
}

fn recover(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        settled_deleted(vault, name)?;
        let key = name.to_ascii_lowercase();
        let Some(deleted) = vault.deleted_secrets.remove(&key) else {
            return Err(deleted_not_found(name));
        };
        let secret = deleted.object;
        let body = match secret.latest() {
            Some(v) => bundle(call, vault.retention_days, &secret, v, false),
            None => json!({}),
        };
        vault.secrets.insert(key.clone(), secret);
        call.state.persist_secret(call.vault, vault, &key)?;
        ok(&body)
    })
}

fn backup(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let secret = vault
            .secrets
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let blob = call.state.sealer.seal("secret", secret).ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "The backup could not be made.",
            )
        })?;
        ok(&json!({ "value": blob }))
    })
}

#[derive(Deserialize)]
struct RestoreIn {
    value: Option<String>,
}

fn restore(call: &Call<'_>) -> ApiResult<Response> {
    let input: RestoreIn = call.req.json()?;
    let blob = input
        .value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_parameter("The backup blob is required."))?;
    let secret: Secret = call.state.sealer.open("secret", &blob).ok_or_else(|| {
        ApiError::bad_parameter("The backup blob is corrupt or was not made by this emulator.")
    })?;
    with_vault(call, |vault, _| {
        let key = secret.name.to_ascii_lowercase();
        if vault.secrets.contains_key(&key) || vault.deleted_secrets.contains_key(&key) {
            return Err(ApiError::conflict(format!(
                "Secret {} already exists in this vault, or is deleted and not yet purged.",
                secret.name
            )));
        }
        let body = match secret.latest() {
            Some(v) => bundle(call, vault.retention_days, &secret, v, false),
            None => json!({}),
        };
        vault.secrets.insert(key.clone(), secret);
        call.state.persist_secret(call.vault, vault, &key)?;
        ok(&body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_service_rules() {
        for ok in ["a", "A-1", &"x".repeat(127)] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a_b", "a.b", "a b", "é", "%41", &"x".repeat(128)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
