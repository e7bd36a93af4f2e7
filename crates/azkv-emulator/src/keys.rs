//! The keys data plane: create, import, get, update, list, versions, delete, deleted, recover,
//! purge, backup, restore, rotate, rotation policy, random bytes, and the key operations
//! (encrypt, decrypt, sign, verify, wrapKey, unwrapKey) computed for real.
//!
//! Private material never leaves the emulator except sealed in a backup. A key's `key_ops`
//! are enforced; a disabled key refuses every operation; outside its `nbf`..`exp` window a key
//! refuses the operations that protect new data (encrypt, wrapKey, sign) and still performs
//! the ones that read data protected earlier (decrypt, unwrapKey, verify).

use crate::crypto::{KeyMaterial, SymmetricParams};
use crate::error::{ApiError, ApiResult};
use crate::http::{empty_response, ok, Response};
use crate::secrets::{
    attributes_of, base, check_dates, check_name, check_tags, page, with_vault, AttributesIn, Call,
};
use crate::store::{new_version, Deleted, Key, KeyVersion, Tags};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use http::StatusCode;
use rand_core::RngCore;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::Instant;

/// Operations a key may permit.
const KNOWN_OPS: &[&str] = &[
    "encrypt",
    "decrypt",
    "sign",
    "verify",
    "wrapKey",
    "unwrapKey",
    "import",
    "export",
];

/// Routes a keys request; `None` when the path is not a keys path.
pub fn route(call: &Call<'_>) -> Option<ApiResult<Response>> {
    let segments = call.req.segments();
    let method = call.req.method.as_str();
    let result = match (method, segments.as_slice()) {
        ("POST", ["rng"]) => random(call),
        ("GET", ["keys"]) | ("GET", ["keys", ""]) => list(call),
        ("POST", ["keys", "restore"]) => restore(call),
        ("POST", ["keys", name, "create"]) => create(call, name),
        ("PUT", ["keys", name]) => import(call, name),
        ("DELETE", ["keys", name]) => delete(call, name),
        ("GET", ["keys", name, "versions"]) => list_versions(call, name),
        ("POST", ["keys", name, "backup"]) => backup(call, name),
        ("POST", ["keys", name, "rotate"]) => rotate(call, name),
        ("GET", ["keys", name, "rotationpolicy"]) => get_policy(call, name),
        ("PUT", ["keys", name, "rotationpolicy"]) => set_policy(call, name),
        ("GET", ["keys", name]) | ("GET", ["keys", name, ""]) => get(call, name, None),
        ("GET", ["keys", name, version]) => get(call, name, Some(version)),
        ("PATCH", ["keys", name]) | ("PATCH", ["keys", name, ""]) => update(call, name, None),
        ("PATCH", ["keys", name, version]) => update(call, name, Some(version)),
        ("POST", ["keys", name, version, op]) => operation(call, name, version, op),
        ("POST", ["keys", name, op]) if Op::parse(op).is_some() => operation(call, name, "", op),
        ("GET", ["deletedkeys"]) | ("GET", ["deletedkeys", ""]) => list_deleted(call),
        ("GET", ["deletedkeys", name]) => get_deleted(call, name),
        ("DELETE", ["deletedkeys", name]) => purge(call, name),
        ("POST", ["deletedkeys", name, "recover"]) => recover(call, name),
        (_, ["keys", ..]) | (_, ["deletedkeys", ..]) | (_, ["rng"]) => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on this path."),
        )),
        _ => return None,
    };
    Some(result)
}

/// The keys permission an access policy must grant for this request, when it is a keys
/// request.
pub fn permission(req: &crate::http::Req) -> Option<&'static str> {
    let segments = req.segments();
    Some(match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["keys"])
        | ("GET", ["keys", ""])
        | ("GET", ["keys", _, "versions"])
        | ("GET", ["deletedkeys", ..]) => "list",
        ("GET", ["keys", _, "rotationpolicy"]) => "getrotationpolicy",
        ("PUT", ["keys", _, "rotationpolicy"]) => "setrotationpolicy",
        ("POST", ["keys", "restore"]) => "restore",
        ("POST", ["keys", _, "create"]) => "create",
        ("PUT", ["keys", _]) => "import",
        ("PATCH", ["keys", ..]) => "update",
        ("GET", ["keys", ..]) => "get",
        ("DELETE", ["keys", _]) => "delete",
        ("POST", ["keys", _, "backup"]) => "backup",
        ("POST", ["keys", _, "rotate"]) => "rotate",
        ("POST", ["keys", _, _, op]) | ("POST", ["keys", _, op]) => Op::parse(op)?.name(),
        ("DELETE", ["deletedkeys", _]) => "purge",
        ("POST", ["deletedkeys", _, "recover"]) => "recover",
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Encrypt,
    Decrypt,
    Sign,
    Verify,
    Wrap,
    Unwrap,
}

impl Op {
    fn parse(segment: &str) -> Option<Self> {
        Some(match segment {
            "encrypt" => Self::Encrypt,
            "decrypt" => Self::Decrypt,
            "sign" => Self::Sign,
            "verify" => Self::Verify,
            "wrapkey" | "wrapKey" => Self::Wrap,
            "unwrapkey" | "unwrapKey" => Self::Unwrap,
            _ => return None,
        })
    }

    /// The `key_ops` value (and access permission) of the operation.
    fn name(self) -> &'static str {
        match self {
            Self::Encrypt => "encrypt",
            Self::Decrypt => "decrypt",
            Self::Sign => "sign",
            Self::Verify => "verify",
            Self::Wrap => "wrapKey",
            Self::Unwrap => "unwrapKey",
        }
    }

    /// Whether the operation protects new data, and so needs the key inside its validity.
    fn protects(self) -> bool {
        matches!(self, Self::Encrypt | Self::Sign | Self::Wrap)
    }
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(
        "KeyNotFound",
        format!("A key with (name/id) {name} was not found in this key vault."),
    )
}

fn deleted_not_found(name: &str) -> ApiError {
    ApiError::not_found("KeyNotFound", format!("Deleted Key not found: {name}"))
}

fn being_deleted(name: &str) -> ApiError {
    ApiError::conflict(format!("Key {name} is currently being deleted."))
}

pub(crate) fn default_ops(kty: &str) -> Vec<String> {
    let ops: &[&str] = match kty {
        "EC" => &["sign", "verify"],
        "oct" => &["encrypt", "decrypt", "wrapKey", "unwrapKey"],
        _ => &[
            "encrypt",
            "decrypt",
            "sign",
            "verify",
            "wrapKey",
            "unwrapKey",
        ],
    };
    ops.iter().map(|s| (*s).to_owned()).collect()
}

fn check_ops(ops: Option<Vec<String>>, kty: &str) -> ApiResult<Vec<String>> {
    let Some(ops) = ops else {
        return Ok(default_ops(kty));
    };
    let mut out: Vec<String> = Vec::new();
    for op in ops {
        let known = KNOWN_OPS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&op))
            .ok_or_else(|| {
                ApiError::bad_parameter(format!("The key operation '{op}' is not valid."))
            })?;
        if !out.iter().any(|o| o == known) {
            out.push((*known).to_owned());
        }
    }
    Ok(out)
}

pub(crate) fn key_id(call: &Call<'_>, key: &Key, v: &KeyVersion) -> String {
    format!("{}/keys/{}/{}", base(call), key.name, v.version)
}

fn jwk(call: &Call<'_>, key: &Key, v: &KeyVersion) -> Value {
    let mut k = Map::new();
    k.insert("kid".into(), json!(key_id(call, key, v)));
    k.insert("kty".into(), json!(v.kty));
    k.insert("key_ops".into(), json!(v.key_ops));
    v.material.public_fields(&mut k);
    Value::Object(k)
}

fn attributes(call: &Call<'_>, days: i64, v: &KeyVersion) -> Value {
    let mut a = attributes_of(call, days, v.enabled, v.nbf, v.exp, v.created, v.updated);
    if let (Some(exportable), Value::Object(map)) = (v.exportable, &mut a) {
        map.insert("exportable".into(), json!(exportable));
    }
    a
}

pub(crate) fn bundle(call: &Call<'_>, days: i64, key: &Key, v: &KeyVersion) -> Value {
    let mut b = Map::new();
    b.insert("key".into(), jwk(call, key, v));
    b.insert("attributes".into(), attributes(call, days, v));
    if let Some(tags) = &v.tags {
        b.insert("tags".into(), json!(tags));
    }
    if let Some(policy) = &v.release_policy {
        b.insert("release_policy".into(), policy.clone());
    }
    if v.managed {
        b.insert("managed".into(), json!(true));
    }
    Value::Object(b)
}

fn item(call: &Call<'_>, days: i64, key: &Key, v: &KeyVersion, versioned: bool) -> Value {
    let mut b = Map::new();
    let kid = if versioned {
        key_id(call, key, v)
    } else {
        format!("{}/keys/{}", base(call), key.name)
    };
    b.insert("kid".into(), json!(kid));
    b.insert("attributes".into(), attributes(call, days, v));
    if let Some(tags) = &v.tags {
        b.insert("tags".into(), json!(tags));
    }
    Value::Object(b)
}

fn add_deleted_fields(call: &Call<'_>, value: &mut Value, deleted: &Deleted<Key>) {
    if let Value::Object(map) = value {
        map.insert(
            "recoveryId".into(),
            json!(format!(
                "{}/deletedkeys/{}",
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

#[derive(Deserialize)]
struct KeyAttributesIn {
    #[serde(flatten)]
    common: AttributesIn,
    exportable: Option<bool>,
}

#[derive(Deserialize)]
struct CreateIn {
    kty: Option<String>,
    key_size: Option<u32>,
    public_exponent: Option<u32>,
    key_ops: Option<Vec<String>>,
    attributes: Option<KeyAttributesIn>,
    tags: Option<Tags>,
    crv: Option<String>,
    release_policy: Option<Value>,
}

#[derive(Deserialize)]
struct ImportIn {
    key: Option<Value>,
    #[serde(rename = "Hsm")]
    hsm: Option<bool>,
    attributes: Option<KeyAttributesIn>,
    tags: Option<Tags>,
    release_policy: Option<Value>,
}

#[derive(Deserialize)]
struct UpdateIn {
    key_ops: Option<Vec<String>>,
    attributes: Option<KeyAttributesIn>,
    tags: Option<Tags>,
    release_policy: Option<Value>,
}

/// Adds `version` to key `name`, creating the key if needed; answers with the new bundle.
fn add_version(call: &Call<'_>, name: &str, version: KeyVersion) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let key = name.to_ascii_lowercase();
        if let Some(deleted) = vault.deleted_keys.get(&key) {
            return Err(if deleted.in_progress() {
                being_deleted(name)
            } else {
                ApiError::conflict(format!(
                    "Key {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged."
                ))
            });
        }
        let days = vault.retention_days;
        let entry = vault.keys.entry(key.clone()).or_insert_with(|| Key {
            name: name.to_owned(),
            versions: Vec::new(),
            rotation_policy: None,
        });
        entry.versions.push(version);
        let Some(latest) = entry.latest() else {
            return Err(not_found(name));
        };
        let body = bundle(call, days, entry, latest);
        call.state.persist_key(call.vault, vault, &key)?;
        ok(&body)
    })
}

fn new_key_version(
    kty: String,
    material: KeyMaterial,
    key_ops: Vec<String>,
    attributes: Option<KeyAttributesIn>,
    tags: Option<Tags>,
    release_policy: Option<Value>,
    now: i64,
) -> ApiResult<KeyVersion> {
    let (enabled, nbf, exp, exportable) = match attributes {
        Some(a) => (
            a.common.enabled.unwrap_or(true),
            a.common.nbf,
            a.common.exp,
            a.exportable,
        ),
        None => (true, None, None, None),
    };
    check_dates(nbf, exp)?;
    Ok(KeyVersion {
        version: new_version(),
        kty,
        material,
        key_ops,
        tags,
        enabled,
        nbf,
        exp,
        created: now,
        updated: now,
        exportable,
        release_policy,
        managed: false,
    })
}

fn create(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: CreateIn = call.req.json()?;
    let kty = input
        .kty
        .ok_or_else(|| ApiError::bad_parameter("The key type (kty) is required."))?;
    let family = kty.trim_end_matches("-HSM");
    if !matches!(family, "RSA" | "EC" | "oct") {
        return Err(ApiError::bad_parameter(format!(
            "The key type {kty} is not supported."
        )));
    }
    check_tags(&input.tags)?;
    let key_ops = check_ops(input.key_ops, family)?;
    // Generate before taking the store lock: RSA generation can take a while.
    let material = KeyMaterial::generate(
        &kty,
        input.key_size,
        input.public_exponent,
        input.crv.as_deref(),
    )?;
    let version = new_key_version(
        kty,
        material,
        key_ops,
        input.attributes,
        input.tags,
        input.release_policy,
        call.state.clock.now(),
    )?;
    add_version(call, name, version)
}

fn import(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: ImportIn = call.req.json()?;
    let jwk = input
        .key
        .ok_or_else(|| ApiError::bad_parameter("The key to import is required."))?;
    check_tags(&input.tags)?;
    let material = KeyMaterial::from_jwk(&jwk)?;
    let family = material.kty();
    let given_kty = jwk.get("kty").and_then(Value::as_str).unwrap_or(family);
    let kty = if input.hsm == Some(true) || given_kty.ends_with("-HSM") {
        format!("{family}-HSM")
    } else {
        family.to_owned()
    };
    let ops = match jwk.get("key_ops") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            serde_json::from_value::<Vec<String>>(value.clone()).map_err(|_| {
                ApiError::bad_parameter("The JWK field 'key_ops' must be a list of strings.")
            })?,
        ),
    };
    let key_ops = check_ops(ops, family)?;
    let version = new_key_version(
        kty,
        material,
        key_ops,
        input.attributes,
        input.tags,
        input.release_policy,
        call.state.clock.now(),
    )?;
    add_version(call, name, version)
}

fn check_version_id(version: &str) -> ApiResult<()> {
    if version.len() > 64 || !version.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::bad_parameter(format!(
            "The key version '{version}' is not valid."
        )));
    }
    Ok(())
}

fn get(call: &Call<'_>, name: &str, version: Option<&str>) -> ApiResult<Response> {
    check_name(name)?;
    if let Some(v) = version {
        check_version_id(v)?;
    }
    with_vault(call, |vault, _| {
        let key = vault
            .keys
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let v = match version {
            Some(version) => key.version(version),
            None => key.latest(),
        }
        .ok_or_else(|| not_found(name))?;
        ok(&bundle(call, vault.retention_days, key, v))
    })
}

fn update(call: &Call<'_>, name: &str, version: Option<&str>) -> ApiResult<Response> {
    check_name(name)?;
    if let Some(v) = version {
        check_version_id(v)?;
    }
    let input: UpdateIn = call.req.json()?;
    check_tags(&input.tags)?;
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let key = vault.keys.get_mut(&lower).ok_or_else(|| not_found(name))?;
        let version_id = match version {
            Some(v) => v.to_owned(),
            None => key
                .latest()
                .map(|v| v.version.clone())
                .ok_or_else(|| not_found(name))?,
        };
        let v = key
            .version_mut(&version_id)
            .ok_or_else(|| not_found(name))?;
        let family = v.material.kty();
        let key_ops = match input.key_ops {
            Some(ops) => Some(check_ops(Some(ops), family)?),
            None => None,
        };
        let (mut nbf, mut exp) = (v.nbf, v.exp);
        if let Some(a) = &input.attributes {
            if a.common.nbf.is_some() {
                nbf = a.common.nbf;
            }
            if a.common.exp.is_some() {
                exp = a.common.exp;
            }
        }
        check_dates(nbf, exp)?;
        if let Some(a) = &input.attributes {
            if let Some(enabled) = a.common.enabled {
                v.enabled = enabled;
            }
        }
        v.nbf = nbf;
        v.exp = exp;
        if let Some(ops) = key_ops {
            v.key_ops = ops;
        }
        if input.tags.is_some() {
            v.tags = input.tags;
        }
        if input.release_policy.is_some() {
            v.release_policy = input.release_policy;
        }
        v.updated = now;
        let key = vault.keys.get(&lower).ok_or_else(|| not_found(name))?;
        let v = key.version(&version_id).ok_or_else(|| not_found(name))?;
        let body = bundle(call, vault.retention_days, key, v);
        call.state.persist_key(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn list(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let items = vault
            .keys
            .iter()
            .filter_map(|(k, key)| {
                key.latest()
                    .map(|v| (k.clone(), item(call, vault.retention_days, key, v, false)))
            })
            .collect();
        page(call, "keys", items)
    })
}

fn list_versions(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let key = vault
            .keys
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let items = key
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    format!("{i:010}"),
                    item(call, vault.retention_days, key, v, true),
                )
            })
            .collect();
        page(call, &format!("keys/{}/versions", key.name), items)
    })
}

fn delete(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let delay = call.state.config.delete_delay;
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let key = vault.keys.remove(&lower).ok_or_else(|| not_found(name))?;
        let deleted = Deleted {
            object: key,
            deleted_date: now,
            scheduled_purge_date: now + vault.retention_days * 86_400,
            settles_at: Instant::now() + delay,
        };
        let body = deleted_body(call, vault.retention_days, &deleted, true);
        vault.deleted_keys.insert(lower.clone(), deleted);
        call.state.persist_key(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn deleted_body(call: &Call<'_>, days: i64, deleted: &Deleted<Key>, full: bool) -> Value {
    let mut body = match deleted.object.latest() {
        Some(v) if full => bundle(call, days, &deleted.object, v),
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
            .deleted_keys
            .get(&name.to_ascii_lowercase())
            .filter(|d| !d.in_progress())
            .ok_or_else(|| deleted_not_found(name))?;
        ok(&deleted_body(call, vault.retention_days, deleted, true))
    })
}

fn list_deleted(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let items = vault
            .deleted_keys
            .iter()
            .filter(|(_, d)| !d.in_progress())
            .map(|(k, d)| {
                (
                    k.clone(),
                    deleted_body(call, vault.retention_days, d, false),
                )
            })
            .collect();
        page(call, "deletedkeys", items)
    })
}

fn settled_deleted(vault: &crate::store::Vault, name: &str) -> ApiResult<()> {
    match vault.deleted_keys.get(&name.to_ascii_lowercase()) {
        None => Err(deleted_not_found(name)),
        Some(d) if d.in_progress() => Err(being_deleted(name)),
        Some(_) => Ok(()),
    }
}

fn purge(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        settled_deleted(vault, name)?;
        let lower = name.to_ascii_lowercase();
        vault.deleted_keys.remove(&lower);
        call.state.persist_key(call.vault, vault, &lower)?;
        Ok(empty_response(StatusCode::NO_CONTENT))
    })
}

fn recover(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        settled_deleted(vault, name)?;
        let lower = name.to_ascii_lowercase();
        let Some(deleted) = vault.deleted_keys.remove(&lower) else {
            return Err(deleted_not_found(name));
        };
        let key = deleted.object;
        let body = match key.latest() {
            Some(v) => bundle(call, vault.retention_days, &key, v),
            None => json!({}),
        };
        vault.keys.insert(lower.clone(), key);
        call.state.persist_key(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn backup(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let key = vault
            .keys
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let blob = call.state.sealer.seal("key", key).ok_or_else(|| {
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
    let key: Key = call.state.sealer.open("key", &blob).ok_or_else(|| {
        ApiError::bad_parameter("The backup blob is corrupt or was not made by this emulator.")
    })?;
    with_vault(call, |vault, _| {
        let lower = key.name.to_ascii_lowercase();
        if vault.keys.contains_key(&lower) || vault.deleted_keys.contains_key(&lower) {
            return Err(ApiError::conflict(format!(
                "Key {} already exists in this vault, or is deleted and not yet purged.",
                key.name
            )));
        }
        let body = match key.latest() {
            Some(v) => bundle(call, vault.retention_days, &key, v),
            None => json!({}),
        };
        vault.keys.insert(lower.clone(), key);
        call.state.persist_key(call.vault, vault, &lower)?;
        ok(&body)
    })
}

/// Seconds in an ISO 8601 duration such as `P90D`, `P1Y2M`, `PT12H` (years 365 days, months
/// 30), or `None` when it is not one.
fn duration_seconds(text: &str) -> Option<i64> {
    let rest = text.strip_prefix('P')?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut read = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut number = String::new();
        let mut allowed = units.iter();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let (_, seconds) = allowed.find(|(u, _)| *u == c)?;
            let n: i64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(*seconds)?)?;
            number.clear();
        }
        number.is_empty().then_some(())
    };
    read(
        date,
        &[
            ('Y', 365 * 86_400),
            ('M', 30 * 86_400),
            ('W', 7 * 86_400),
            ('D', 86_400),
        ],
    )?;
    if let Some(time) = time {
        read(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    Some(total)
}

fn default_policy(call: &Call<'_>, key: &Key) -> Value {
    json!({
        "id": format!("{}/keys/{}/rotationpolicy", base(call), key.name),
        "lifetimeActions": [
            { "trigger": { "timeBeforeExpiry": "P30D" }, "action": { "type": "Notify" } }
        ],
        "attributes": {}
    })
}

fn get_policy(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let key = vault
            .keys
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        match &key.rotation_policy {
            Some(policy) => ok(policy),
            None => ok(&default_policy(call, key)),
        }
    })
}

fn check_policy(policy: &Value) -> ApiResult<(Vec<Value>, Option<String>)> {
    let bad = ApiError::bad_parameter;
    let obj = policy
        .as_object()
        .ok_or_else(|| bad("The rotation policy must be an object."))?;
    let mut actions = Vec::new();
    if let Some(list) = obj.get("lifetimeActions").filter(|v| !v.is_null()) {
        let list = list
            .as_array()
            .ok_or_else(|| bad("lifetimeActions must be a list."))?;
        for action in list {
            let trigger = action.get("trigger").and_then(Value::as_object);
            let after = trigger
                .and_then(|t| t.get("timeAfterCreate"))
                .and_then(Value::as_str);
            let before = trigger
                .and_then(|t| t.get("timeBeforeExpiry"))
                .and_then(Value::as_str);
            match (after, before) {
                (Some(d), None) | (None, Some(d)) if duration_seconds(d).is_some() => {}
                (Some(_), Some(_)) => {
                    return Err(bad(
                        "A lifetime action's trigger has either timeAfterCreate or timeBeforeExpiry, not both.",
                    ))
                }
                _ => {
                    return Err(bad(
                        "A lifetime action's trigger needs timeAfterCreate or timeBeforeExpiry as an ISO 8601 duration.",
                    ))
                }
            }
            let kind = action
                .get("action")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let kind = match kind.to_ascii_lowercase().as_str() {
                "rotate" => "Rotate",
                "notify" => "Notify",
                _ => {
                    return Err(ApiError::bad_parameter(format!(
                        "The lifetime action type '{kind}' is not valid; use Rotate or Notify."
                    )))
                }
            };
            let mut normalised = action.clone();
            normalised["action"] = json!({ "type": kind });
            actions.push(normalised);
        }
    }
    let expiry = match obj
        .get("attributes")
        .and_then(|a| a.get("expiryTime"))
        .filter(|v| !v.is_null())
    {
        None => None,
        Some(Value::String(d)) => {
            let seconds = duration_seconds(d).ok_or_else(|| {
                ApiError::bad_parameter(format!(
                    "The expiryTime '{d}' is not an ISO 8601 duration."
                ))
            })?;
            if seconds < 28 * 86_400 {
                return Err(bad("The expiryTime must be at least 28 days (P28D)."));
            }
            Some(d.clone())
        }
        Some(_) => return Err(bad("The expiryTime must be an ISO 8601 duration string.")),
    };
    Ok((actions, expiry))
}

fn set_policy(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    let (actions, expiry) = check_policy(&input)?;
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let key = vault.keys.get_mut(&lower).ok_or_else(|| not_found(name))?;
        let created = key
            .rotation_policy
            .as_ref()
            .and_then(|p| p.get("attributes")?.get("created")?.as_i64())
            .unwrap_or(now);
        let mut attributes = json!({ "created": created, "updated": now });
        if let Some(expiry) = expiry {
            attributes["expiryTime"] = json!(expiry);
        }
        let policy = json!({
            "id": format!("{}/keys/{}/rotationpolicy", base(call), key.name),
            "lifetimeActions": actions,
            "attributes": attributes,
        });
        key.rotation_policy = Some(policy.clone());
        call.state.persist_key(call.vault, vault, &lower)?;
        ok(&policy)
    })
}

fn rotate(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let (template, policy) = with_vault(call, |vault, _| {
        let key = vault
            .keys
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let latest = key.latest().ok_or_else(|| not_found(name))?;
        Ok((latest.clone(), key.rotation_policy.clone()))
    })?;
    let (size, crv) = template.material.shape();
    let size = if template.material.kty() == "EC" {
        None
    } else {
        size
    };
    let material = KeyMaterial::generate(&template.kty, size, None, crv)?;
    let now = call.state.clock.now();
    let exp = policy
        .as_ref()
        .and_then(|p| {
            p.get("attributes")?
                .get("expiryTime")?
                .as_str()
                .map(str::to_owned)
        })
        .and_then(|d| duration_seconds(&d))
        .map(|seconds| now + seconds);
    let version = KeyVersion {
        version: new_version(),
        kty: template.kty,
        material,
        key_ops: template.key_ops,
        tags: template.tags,
        enabled: true,
        nbf: None,
        exp,
        created: now,
        updated: now,
        exportable: template.exportable,
        release_policy: template.release_policy,
        managed: false,
    };
    add_version(call, name, version)
}

#[derive(Deserialize)]
struct RandomIn {
    count: Option<i64>,
}

fn random(call: &Call<'_>) -> ApiResult<Response> {
    let input: RandomIn = call.req.json()?;
    let count = input
        .count
        .ok_or_else(|| ApiError::bad_parameter("The count of random bytes is required."))?;
    if !(1..=128).contains(&count) {
        return Err(ApiError::bad_parameter(
            "The count of random bytes must be from 1 to 128.",
        ));
    }
    let mut bytes = vec![0u8; count as usize];
    rand_core::OsRng.fill_bytes(&mut bytes);
    ok(&json!({ "value": B64.encode(bytes) }))
}

#[derive(Deserialize)]
struct OperationIn {
    alg: Option<String>,
    value: Option<String>,
    digest: Option<String>,
    iv: Option<String>,
    aad: Option<String>,
    tag: Option<String>,
}

fn decode(field: &str, value: Option<String>) -> ApiResult<Option<Vec<u8>>> {
    value
        .map(|v| {
            B64.decode(v.trim_end_matches('=')).map_err(|_| {
                ApiError::bad_parameter(format!("The field '{field}' is not valid base64url."))
            })
        })
        .transpose()
}

fn forbidden(message: String, inner: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "Forbidden", message).with_inner(inner)
}

fn operation(call: &Call<'_>, name: &str, version: &str, op: &str) -> ApiResult<Response> {
    check_name(name)?;
    let op = Op::parse(op).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("No key operation is named {op}."),
        )
    })?;
    if !version.is_empty() {
        check_version_id(version)?;
    }
    let input: OperationIn = call.req.json()?;
    let alg = input
        .alg
        .ok_or_else(|| ApiError::bad_parameter("The algorithm (alg) is required."))?;
    let value = decode("value", input.value)?
        .ok_or_else(|| ApiError::bad_parameter("The value is required."))?;
    // Copy what the operation needs and leave the store: the cryptography runs unlocked.
    let (kid, v) = with_vault(call, |vault, _| {
        let key = vault
            .keys
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let v = if version.is_empty() {
            key.latest()
        } else {
            key.version(version)
        }
        .ok_or_else(|| not_found(name))?;
        Ok((key_id(call, key, v), v.clone()))
    })?;
    let op_name = op.name();
    if !v.enabled {
        return Err(forbidden(
            format!("Operation {op_name} is not allowed on a disabled key."),
            "KeyDisabled",
        ));
    }
    if !v.key_ops.iter().any(|k| k == op_name) {
        return Err(forbidden(
            format!("Operation {op_name} is not permitted by this key's key_ops."),
            "KeyOperationForbidden",
        ));
    }
    if op.protects() {
        let now = call.state.clock.now();
        if v.nbf.is_some_and(|nbf| now < nbf) {
            return Err(forbidden(
                format!("Operation {op_name} is not allowed before the key's not-before date."),
                "KeyNotYetValid",
            ));
        }
        if v.exp.is_some_and(|exp| now >= exp) {
            return Err(forbidden(
                format!("Operation {op_name} is not allowed on an expired key."),
                "KeyExpired",
            ));
        }
    }
    let params = SymmetricParams {
        iv: decode("iv", input.iv)?,
        aad: decode("aad", input.aad)?,
        tag: decode("tag", input.tag)?,
    };
    let material = &v.material;
    let body = match op {
        Op::Encrypt => {
            let out = material.encrypt(&alg, &value, &params)?;
            let mut body = json!({ "kid": kid, "value": B64.encode(out.value) });
            if let Some(iv) = out.iv {
                body["iv"] = json!(B64.encode(iv));
            }
            if let Some(tag) = out.tag {
                body["tag"] = json!(B64.encode(tag));
            }
            if let Some(aad) = &params.aad {
                body["aad"] = json!(B64.encode(aad));
            }
            body
        }
        Op::Decrypt => {
            json!({ "kid": kid, "value": B64.encode(material.decrypt(&alg, &value, &params)?) })
        }
        Op::Sign => json!({ "kid": kid, "value": B64.encode(material.sign(&alg, &value)?) }),
        Op::Verify => {
            let digest = decode("digest", input.digest)?
                .ok_or_else(|| ApiError::bad_parameter("The digest is required."))?;
            json!({ "value": material.verify(&alg, &digest, &value)? })
        }
        Op::Wrap => json!({ "kid": kid, "value": B64.encode(material.wrap(&alg, &value)?) }),
        Op::Unwrap => {
            json!({ "kid": kid, "value": B64.encode(material.unwrap(&alg, &value)?) })
        }
    };
    ok(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(duration_seconds("P90D"), Some(90 * 86_400));
        assert_eq!(duration_seconds("P1Y2M"), Some(425 * 86_400));
        assert_eq!(duration_seconds("PT1H30M"), Some(5_400));
        assert_eq!(duration_seconds("P1DT1S"), Some(86_401));
        for bad in ["", "P", "90D", "PT", "P1X", "P1D2", "PD"] {
            assert_eq!(duration_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn policies_are_checked() {
        let ok = json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "rotate"}}], "attributes": {"expiryTime": "P1Y"}});
        let (actions, expiry) = check_policy(&ok).unwrap();
        assert_eq!(actions[0]["action"]["type"], "Rotate");
        assert_eq!(expiry.as_deref(), Some("P1Y"));
        for bad in [
            json!({"lifetimeActions": [{"trigger": {}, "action": {"type": "Rotate"}}]}),
            json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P1D", "timeBeforeExpiry": "P1D"}, "action": {"type": "Rotate"}}]}),
            json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P1D"}, "action": {"type": "Explode"}}]}),
            json!({"attributes": {"expiryTime": "P7D"}}),
        ] {
            assert!(check_policy(&bad).is_err(), "{bad}");
        }
    }
}
