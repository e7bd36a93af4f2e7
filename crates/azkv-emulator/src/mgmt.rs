//! The management plane: the Microsoft.KeyVault resource provider in Azure Resource Manager's
//! shapes. Vaults are created, updated, listed, deleted (softly, when enabled), recovered
//! (`createMode: recover`) and purged here; each vault created here is also a data-plane
//! vault on its own port, its `vaultUri`, where its access policies are enforced.
//!
//! Long-running operations answer with `Azure-AsyncOperation` (and, for purge, `Location`)
//! headers pointing at an operation-status resource that reports `InProgress` until the
//! change settles (`--delete-delay-ms`).

use crate::access::AccessPolicy;
use crate::error::{ApiError, ApiResult};
use crate::http::{empty_response, json_response, Req, Response};
use crate::state::State;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use http::{HeaderValue, StatusCode};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Instant;

const RESOURCE_TYPE: &str = "Microsoft.KeyVault/vaults";
const OLDEST_API: &str = "2015-06-01";

/// A vault as Resource Manager knows it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ArmVault {
    subscription: String,
    resource_group: String,
    name: String,
    location: String,
    tags: Option<Value>,
    /// The stored `properties` (without `vaultUri` and `provisioningState`).
    properties: Map<String, Value>,
    /// When provisioning finishes.
    #[serde(skip, default = "Instant::now")]
    provisioned_at: Instant,
}

/// A deleted vault as stored (its objects stay in their own tables under its name).
#[derive(serde::Serialize, serde::Deserialize)]
struct DeletedRecord {
    vault: ArmVault,
    deletion_date: i64,
    scheduled_purge_date: i64,
}

/// Keeps vault `key`'s management record (active, deleted, or gone) in the data directory.
fn persist(state: &State, arm: &ArmStore, key: &str) -> ApiResult<()> {
    let Some(durable) = &state.durable else {
        return Ok(());
    };
    let failed = |e: crate::EmulatorError| {
        tracing::error!(error = %e, "could not persist a vault");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The change could not be stored durably.",
        )
    };
    let active = format!("arm-vault:{key}");
    let deleted = format!("arm-deleted:{key}");
    match (arm.vaults.get(key), arm.deleted.get(key)) {
        (Some(v), _) => {
            let bytes = serde_json::to_vec(v).unwrap_or_default();
            durable.put_meta(&active, &bytes).map_err(failed)?;
            durable.remove_meta(&deleted).map_err(failed)?;
        }
        (None, Some(d)) => {
            let record = DeletedRecord {
                vault: d.vault.clone(),
                deletion_date: d.deletion_date,
                scheduled_purge_date: d.scheduled_purge_date,
            };
            let bytes = serde_json::to_vec(&record).unwrap_or_default();
            durable.put_meta(&deleted, &bytes).map_err(failed)?;
            durable.remove_meta(&active).map_err(failed)?;
        }
        (None, None) => {
            durable.remove_meta(&active).map_err(failed)?;
            durable.remove_meta(&deleted).map_err(failed)?;
        }
    }
    Ok(())
}

/// Reads stored management records: makes a data vault in `store` for each (so their objects
/// load into them) and returns the names of the deleted ones with their records.
pub fn prepare(records: &[(String, Vec<u8>)], store: &mut crate::store::Store) -> ArmStore {
    let mut arm = ArmStore::default();
    for (key, bytes) in records {
        if let Some(name) = key.strip_prefix("arm-vault:") {
            match serde_json::from_slice::<ArmVault>(bytes) {
                Ok(vault) => {
                    store.vaults.entry(name.to_owned()).or_default();
                    arm.vaults.insert(name.to_owned(), vault);
                }
                Err(e) => {
                    tracing::error!(error = %e, vault = name, "unreadable vault record skipped")
                }
            }
        } else if let Some(name) = key.strip_prefix("arm-deleted:") {
            match serde_json::from_slice::<DeletedRecord>(bytes) {
                Ok(record) => {
                    store.vaults.entry(name.to_owned()).or_default();
                    arm.deleted.insert(
                        name.to_owned(),
                        DeletedArmVault {
                            vault: record.vault,
                            deletion_date: record.deletion_date,
                            scheduled_purge_date: record.scheduled_purge_date,
                            data: crate::store::Vault::new(),
                        },
                    );
                }
                Err(e) => {
                    tracing::error!(error = %e, vault = name, "unreadable deleted vault record skipped")
                }
            }
        }
    }
    arm
}

/// After objects loaded: moves deleted vaults' data out of the serving store.
pub fn finish(arm: &mut ArmStore, store: &mut crate::store::Store) {
    for (name, deleted) in arm.deleted.iter_mut() {
        if let Some(data) = store.vaults.remove(name) {
            deleted.data = data;
        }
    }
}

/// Starts the data-plane listeners of the management plane's vaults (after a restart).
pub fn start_listeners(state: &State) {
    let mut arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let names: Vec<String> = arm.vaults.keys().cloned().collect();
    for name in names {
        if let Err(err) = ensure_listener(state, &mut arm, &name) {
            tracing::error!(vault = %name, error = %err.message(), "could not serve a stored vault");
        }
    }
}

/// A soft-deleted vault, with its data.
#[derive(Debug)]
pub struct DeletedArmVault {
    vault: ArmVault,
    deletion_date: i64,
    scheduled_purge_date: i64,
    data: crate::store::Vault,
}

/// Resource Manager's state.
#[derive(Debug, Default)]
pub struct ArmStore {
    vaults: BTreeMap<String, ArmVault>,
    deleted: BTreeMap<String, DeletedArmVault>,
    /// Operation id → when it completes.
    operations: BTreeMap<String, Instant>,
    /// Vault name → port of its data-plane listener.
    ports: BTreeMap<String, u16>,
}

/// Routes a management request; `None` when the path is not a management path.
pub fn route(state: &State, req: &Req) -> Option<Response> {
    let segments = req.segments();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    if !matches!(l.first(), Some(&"subscriptions")) {
        return None;
    }
    let claims = match state
        .issuer
        .verify(req.header("authorization"), state.clock.now(), true)
    {
        Ok(claims) => claims,
        Err(problem) => return Some(unauthorized(state, problem.message())),
    };
    let _ = claims;
    let api_version = match check_api_version(req.query("api-version")) {
        Ok(v) => v.to_owned(),
        Err(err) => return Some(err.into_response()),
    };
    let s = &segments;
    let m = req.method.as_str();
    let result = match (m, l.as_slice()) {
        (
            "GET",
            ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.keyvault", "vaults"],
        ) => list(state, req, &api_version, s[1], Some(s[3])),
        ("GET", ["subscriptions", _, "providers", "microsoft.keyvault", "vaults"]) => {
            list(state, req, &api_version, s[1], None)
        }
        ("GET", ["subscriptions", _, "resources"]) => resources(state, req, &api_version, s[1]),
        (
            _,
            ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.keyvault", "vaults", _],
        ) => {
            let id = VaultId::new(s[1], s[3], s[7]);
            match m {
                "PUT" => create_or_update(state, req, &api_version, &id),
                "GET" => get(state, req, &id),
                "PATCH" => update(state, req, &id),
                "DELETE" => delete(state, &id),
                _ => Err(method_not_allowed(m)),
            }
        }
        (
            "PUT",
            ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.keyvault", "vaults", _, "accesspolicies", kind],
        ) => {
            let id = VaultId::new(s[1], s[3], s[7]);
            access_policies(state, req, &id, kind)
        }
        (
            "POST",
            ["subscriptions", _, "providers", "microsoft.keyvault", "checknameavailability"],
        ) => check_name_availability(state, req),
        ("GET", ["subscriptions", _, "providers", "microsoft.keyvault", "deletedvaults"]) => {
            list_deleted(state, req, &api_version, s[1])
        }
        (
            "GET",
            ["subscriptions", _, "providers", "microsoft.keyvault", "locations", _, "deletedvaults", _],
        ) => get_deleted(state, req, s[1], s[5], s[7]),
        (
            "POST",
            ["subscriptions", _, "providers", "microsoft.keyvault", "locations", _, "deletedvaults", _, "purge"],
        ) => purge(state, req, &api_version, s[1], s[5], s[7]),
        (
            "GET",
            ["subscriptions", _, "providers", "microsoft.keyvault", "locations", _, "operationresults", _],
        ) => operation_status(state, s[7]),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource path {} is not supported by this emulator.",
                req.path
            ),
        )),
    };
    Some(result.unwrap_or_else(ApiError::into_response))
}

fn method_not_allowed(method: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("The method {method} is not allowed on this resource."),
    )
}

fn unauthorized(state: &State, message: &str) -> Response {
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    )
    .into_response();
    let header = format!(
        "Bearer authorization_uri=\"{}/{}\", error=\"invalid_token\"",
        state.main_url,
        state.issuer.tenant_id()
    );
    if let Ok(value) = HeaderValue::from_str(&header) {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Accepts `YYYY-MM-DD` and `YYYY-MM-DD-preview` versions from the first Microsoft.KeyVault
/// version to today: official clients send only published versions, and each new one keeps
/// the vault shapes this emulator serves.
fn check_api_version(version: Option<&str>) -> ApiResult<&str> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let today = iso8601(now);
    let newest = today.get(..10).unwrap_or("2026-01-01");
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let date = version.strip_suffix("-preview").unwrap_or(version);
    let well_formed = date.len() == 10
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if well_formed && date >= OLDEST_API && date <= newest {
        Ok(version)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'emulator' and API version '{version}' for type 'vaults'. The supported api-versions are dates from '{OLDEST_API}' to '{newest}'."
            ),
        ))
    }
}

struct VaultId<'a> {
    subscription: &'a str,
    resource_group: &'a str,
    name: &'a str,
}

impl<'a> VaultId<'a> {
    fn new(subscription: &'a str, resource_group: &'a str, name: &'a str) -> Self {
        Self {
            subscription,
            resource_group,
            name,
        }
    }
}

fn resource_id(v: &ArmVault) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.KeyVault/vaults/{}",
        v.subscription, v.resource_group, v.name
    )
}

fn not_found(id: &VaultId<'_>) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!(
            "The Resource 'Microsoft.KeyVault/vaults/{}' under resource group '{}' was not found.",
            id.name, id.resource_group
        ),
    )
}

/// Key Vault's vault-name rule: 3 to 24 of letters, digits and single hyphens, starting with
/// a letter and ending with a letter or digit.
fn name_problem(name: &str) -> Option<String> {
    let ok = (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !name.contains("--");
    (!ok).then(|| {
        format!(
            "The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens."
        )
    })
}

/// `secs` (Unix) as an ISO 8601 UTC time.
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

fn vault_uri(state: &State, arm: &ArmStore, name: &str) -> Option<String> {
    let port = arm.ports.get(&name.to_ascii_lowercase())?;
    let (scheme, rest) = state.main_url.split_once("://")?;
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    Some(format!("{scheme}://{host}:{port}/"))
}

fn vault_json(state: &State, arm: &ArmStore, v: &ArmVault) -> Value {
    let mut properties = v.properties.clone();
    if let Some(uri) = vault_uri(state, arm, &v.name) {
        properties.insert("vaultUri".into(), json!(uri));
    }
    let provisioning = if Instant::now() >= v.provisioned_at {
        "Succeeded"
    } else {
        "RegisteringDns"
    };
    properties.insert("provisioningState".into(), json!(provisioning));
    let mut out = json!({
        "id": resource_id(v),
        "name": v.name,
        "type": RESOURCE_TYPE,
        "location": v.location,
        "properties": properties,
    });
    if let Some(tags) = &v.tags {
        out["tags"] = tags.clone();
    }
    out
}

/// A property of a JSON object, `null` when absent (indexing a `Map` would panic).
fn prop<'m>(map: &'m Map<String, Value>, key: &str) -> &'m Value {
    map.get(key).unwrap_or(&Value::Null)
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn body(req: &Req) -> ApiResult<Value> {
    let value: Value = serde_json::from_slice(&req.body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: {e}"),
        )
    })?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            "The request content must be a JSON object.",
        ))
    }
}

const PERMISSION_KINDS: &[&str] = &["keys", "secrets", "certificates", "storage"];

/// Checks one access policy entry and returns it as stored.
fn check_policy(entry: &Value) -> ApiResult<Value> {
    let tenant = entry["tenantId"].as_str().filter(|t| !t.is_empty());
    let object = entry["objectId"].as_str().filter(|t| !t.is_empty());
    let (Some(_), Some(_)) = (tenant, object) else {
        return Err(bad_request(
            "An access policy entry needs tenantId and objectId.",
        ));
    };
    let permissions = entry["permissions"]
        .as_object()
        .ok_or_else(|| bad_request("An access policy entry needs permissions."))?;
    for (kind, list) in permissions {
        if !PERMISSION_KINDS.contains(&kind.as_str()) {
            return Err(bad_request(format!("Unknown permission kind '{kind}'.")));
        }
        let valid = list
            .as_array()
            .is_some_and(|l| l.iter().all(|p| p.as_str().is_some_and(|p| !p.is_empty())));
        if !valid {
            return Err(bad_request(format!(
                "Permissions for {kind} must be a list of names."
            )));
        }
    }
    Ok(entry.clone())
}

/// The data-plane policies of `properties`: `None` (everyone authenticated) with RBAC.
fn data_plane_policies(properties: &Map<String, Value>) -> Option<Vec<AccessPolicy>> {
    if prop(properties, "enableRbacAuthorization").as_bool() == Some(true) {
        return None;
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(
        properties
            .get("accessPolicies")
            .and_then(Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| AccessPolicy {
                        object_id: e["objectId"].as_str().unwrap_or_default().to_owned(),
                        secrets: strings(&e["permissions"]["secrets"]),
                        keys: strings(&e["permissions"]["keys"]),
                        certificates: strings(&e["permissions"]["certificates"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// Checks `properties` of a create (complete) or update (partial) and applies defaults on
/// create.
fn check_properties(input: &Map<String, Value>, create: bool) -> ApiResult<Map<String, Value>> {
    let mut out = input.clone();
    out.remove("vaultUri");
    out.remove("provisioningState");
    out.remove("createMode");
    if create {
        if input
            .get("tenantId")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(bad_request(
                "The property 'tenantId' is required in vault properties.",
            ));
        }
        if !input.get("sku").is_some_and(Value::is_object) {
            return Err(bad_request(
                "The property 'sku' is required in vault properties.",
            ));
        }
        out.entry("enableSoftDelete").or_insert(json!(true));
        out.entry("softDeleteRetentionInDays").or_insert(json!(90));
        out.entry("enableRbacAuthorization").or_insert(json!(false));
        out.entry("accessPolicies").or_insert(json!([]));
        out.entry("publicNetworkAccess").or_insert(json!("Enabled"));
    }
    if let Some(sku) = input.get("sku").filter(|s| !s.is_null()) {
        let name = sku["name"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !matches!(name.as_str(), "standard" | "premium") || sku["family"].as_str() != Some("A") {
            return Err(bad_request(
                "The sku must have family 'A' and name 'standard' or 'premium'.",
            ));
        }
    }
    if let Some(days) = input
        .get("softDeleteRetentionInDays")
        .filter(|d| !d.is_null())
    {
        if !days.as_i64().is_some_and(|d| (7..=90).contains(&d)) {
            return Err(bad_request(
                "softDeleteRetentionInDays must be from 7 to 90.",
            ));
        }
    }
    if input.get("enableSoftDelete") == Some(&json!(false)) && create {
        // Soft delete can no longer be turned off; the service keeps it on.
        out.insert("enableSoftDelete".into(), json!(true));
    }
    if let Some(policies) = input.get("accessPolicies").filter(|p| !p.is_null()) {
        let list = policies
            .as_array()
            .ok_or_else(|| bad_request("accessPolicies must be a list."))?;
        let checked: Vec<Value> = list.iter().map(check_policy).collect::<ApiResult<_>>()?;
        if checked.len() > 1024 {
            return Err(bad_request(
                "A vault may have at most 1024 access policies.",
            ));
        }
        out.insert("accessPolicies".into(), Value::Array(checked));
    }
    Ok(out)
}

/// Applies a vault's data-plane settings (policies, retention) to its data vault.
fn apply_to_data_plane(
    state: &State,
    name: &str,
    properties: &Map<String, Value>,
) -> ApiResult<()> {
    let policies = data_plane_policies(properties);
    let days = prop(properties, "softDeleteRetentionInDays")
        .as_i64()
        .unwrap_or(90);
    {
        let mut store = state.lock();
        let vault = store.vaults.entry(name.to_owned()).or_default();
        vault.access_policies = policies.clone();
        vault.retention_days = days;
    }
    if let Some(durable) = &state.durable {
        durable
            .save_access_policies(name, policies.as_deref())
            .map_err(|e| {
                tracing::error!(error = %e, "could not persist access policies");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    "The change could not be stored durably.",
                )
            })?;
    }
    Ok(())
}

/// A data-plane listener for `name`, unless it has one.
fn ensure_listener(state: &State, arm: &mut ArmStore, name: &str) -> ApiResult<()> {
    if arm.ports.contains_key(name) {
        return Ok(());
    }
    let failed = |what: &str| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            format!("The vault's endpoint could not be started: {what}."),
        )
    };
    let listener =
        std::net::TcpListener::bind((state.config.host, 0)).map_err(|_| failed("no free port"))?;
    listener
        .set_nonblocking(true)
        .map_err(|_| failed("socket setup"))?;
    let port = listener
        .local_addr()
        .map_err(|_| failed("socket address"))?
        .port();
    let spawner = state
        .spawner
        .get()
        .ok_or_else(|| failed("emulator stopping"))?;
    spawner
        .send((listener, name.to_owned()))
        .map_err(|_| failed("emulator stopping"))?;
    arm.ports.insert(name.to_owned(), port);
    Ok(())
}

fn name_taken(state: &State, arm: &ArmStore, name: &str) -> bool {
    let key = name.to_ascii_lowercase();
    arm.vaults.contains_key(&key)
        || arm.deleted.contains_key(&key)
        || (state.lock().vaults.contains_key(&key) && !arm.ports.contains_key(&key))
}

fn new_operation(arm: &mut ArmStore, settles: Instant) -> String {
    let id = crate::store::new_version();
    arm.operations.insert(id.clone(), settles);
    id
}

fn operation_url(
    state: &State,
    subscription: &str,
    location: &str,
    id: &str,
    api_version: &str,
) -> String {
    format!(
        "{}/subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/{location}/operationResults/{id}?api-version={api_version}",
        state.main_url
    )
}

fn with_header(mut response: Response, name: &'static str, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
    response
}

fn create_or_update(
    state: &State,
    req: &Req,
    api_version: &str,
    id: &VaultId<'_>,
) -> ApiResult<Response> {
    if let Some(problem) = name_problem(id.name) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "VaultNameNotValid",
            problem,
        ));
    }
    let input = body(req)?;
    let location = input["location"]
        .as_str()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad_request("The property 'location' is required."))?
        .to_ascii_lowercase();
    let tags = input.get("tags").filter(|t| !t.is_null()).cloned();
    let props_in = input["properties"]
        .as_object()
        .ok_or_else(|| bad_request("The property 'properties' is required."))?;
    let recover = prop(props_in, "createMode")
        .as_str()
        .is_some_and(|m| m.eq_ignore_ascii_case("recover"));
    let key = id.name.to_ascii_lowercase();
    let settles = Instant::now() + state.config.delete_delay;
    let mut arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let existing = arm.vaults.get(&key).cloned();
    let (status, vault) = if recover {
        if existing.is_some() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "VaultAlreadyExists",
                format!(
                    "The vault name '{}' is already in use and is not deleted.",
                    id.name
                ),
            ));
        }
        let deleted = arm.deleted.remove(&key).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "DeletedVaultNotFound",
                format!("No deleted vault named '{}' exists to recover.", id.name),
            )
        })?;
        let mut vault = deleted.vault;
        vault.subscription = id.subscription.to_owned();
        vault.resource_group = id.resource_group.to_owned();
        if let Some(tags) = tags {
            vault.tags = Some(tags);
        }
        vault.provisioned_at = settles;
        state.lock().vaults.insert(key.clone(), deleted.data);
        (StatusCode::OK, vault)
    } else {
        let properties = check_properties(props_in, true)?;
        match existing {
            Some(current)
                if current.subscription.eq_ignore_ascii_case(id.subscription)
                    && current.resource_group.eq_ignore_ascii_case(id.resource_group) =>
            {
                let vault = ArmVault {
                    location,
                    tags,
                    properties,
                    ..current
                };
                (StatusCode::OK, vault)
            }
            Some(_) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "VaultAlreadyExists",
                    format!("The vault name '{}' is already in use.", id.name),
                ))
            }
            None if arm.deleted.contains_key(&key) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "ConflictError",
                    format!("A vault with the same name '{}' already exists in deleted state. You need to either recover or purge existing deleted vault.", id.name),
                ))
            }
            None if name_taken(state, &arm, id.name) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "VaultAlreadyExists",
                    format!("The vault name '{}' is already in use.", id.name),
                ))
            }
            None => (
                StatusCode::CREATED,
                ArmVault {
                    subscription: id.subscription.to_owned(),
                    resource_group: id.resource_group.to_owned(),
                    name: id.name.to_owned(),
                    location,
                    tags,
                    properties,
                    provisioned_at: settles,
                },
            ),
        }
    };
    ensure_listener(state, &mut arm, &key)?;
    apply_to_data_plane(state, &key, &vault.properties)?;
    let op = new_operation(&mut arm, vault.provisioned_at);
    let location = vault.location.clone();
    let body = vault_json(state, &arm, &vault);
    arm.vaults.insert(key.clone(), vault);
    persist(state, &arm, &key)?;
    let url = operation_url(state, id.subscription, &location, &op, api_version);
    Ok(with_header(
        json_response(status, &body),
        "azure-asyncoperation",
        &url,
    ))
}

fn find<'s>(arm: &'s ArmStore, id: &VaultId<'_>) -> ApiResult<&'s ArmVault> {
    arm.vaults
        .get(&id.name.to_ascii_lowercase())
        .filter(|v| {
            v.subscription.eq_ignore_ascii_case(id.subscription)
                && v.resource_group.eq_ignore_ascii_case(id.resource_group)
        })
        .ok_or_else(|| not_found(id))
}

fn get(state: &State, _req: &Req, id: &VaultId<'_>) -> ApiResult<Response> {
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let vault = find(&arm, id)?;
    Ok(json_response(
        StatusCode::OK,
        &vault_json(state, &arm, vault),
    ))
}

fn update(state: &State, req: &Req, id: &VaultId<'_>) -> ApiResult<Response> {
    let input = body(req)?;
    let mut arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut vault = find(&arm, id)?.clone();
    if let Some(tags) = input.get("tags").filter(|t| !t.is_null()) {
        vault.tags = Some(tags.clone());
    }
    if let Some(props) = input.get("properties").filter(|p| !p.is_null()) {
        let props = props
            .as_object()
            .ok_or_else(|| bad_request("properties must be an object."))?;
        let checked = check_properties(props, false)?;
        if checked.get("enableSoftDelete") == Some(&json!(false))
            && vault.properties.get("enableSoftDelete") == Some(&json!(true))
        {
            return Err(bad_request("Soft delete cannot be turned off once on."));
        }
        if checked.get("enablePurgeProtection") == Some(&json!(false))
            && vault.properties.get("enablePurgeProtection") == Some(&json!(true))
        {
            return Err(bad_request(
                "Purge protection cannot be turned off once on.",
            ));
        }
        for (k, v) in checked {
            if !v.is_null() {
                vault.properties.insert(k, v);
            }
        }
    }
    let key = id.name.to_ascii_lowercase();
    apply_to_data_plane(state, &key, &vault.properties)?;
    let body = vault_json(state, &arm, &vault);
    arm.vaults.insert(key.clone(), vault);
    persist(state, &arm, &key)?;
    Ok(json_response(StatusCode::OK, &body))
}

fn delete(state: &State, id: &VaultId<'_>) -> ApiResult<Response> {
    let mut arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if find(&arm, id).is_err() {
        return Ok(empty_response(StatusCode::NO_CONTENT));
    }
    let key = id.name.to_ascii_lowercase();
    let Some(vault) = arm.vaults.remove(&key) else {
        return Ok(empty_response(StatusCode::NO_CONTENT));
    };
    let data = state.lock().vaults.remove(&key).unwrap_or_default();
    let soft = prop(&vault.properties, "enableSoftDelete").as_bool() != Some(false);
    if soft {
        let now = state.clock.now();
        let days = prop(&vault.properties, "softDeleteRetentionInDays")
            .as_i64()
            .unwrap_or(90);
        arm.deleted.insert(
            key.clone(),
            DeletedArmVault {
                vault,
                deletion_date: now,
                scheduled_purge_date: now + days * 86_400,
                data,
            },
        );
    } else {
        purge_data(state, &key, data);
    }
    persist(state, &arm, &key)?;
    Ok(empty_response(StatusCode::OK))
}

fn access_policies(state: &State, req: &Req, id: &VaultId<'_>, kind: &str) -> ApiResult<Response> {
    if !matches!(kind, "add" | "replace" | "remove") {
        return Err(bad_request(format!(
            "The access policy operation '{kind}' is not valid; use add, replace or remove."
        )));
    }
    let input = body(req)?;
    let entries = input["properties"]["accessPolicies"]
        .as_array()
        .ok_or_else(|| bad_request("properties.accessPolicies is required."))?
        .iter()
        .map(check_policy)
        .collect::<ApiResult<Vec<Value>>>()?;
    let mut arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut vault = find(&arm, id)?.clone();
    let mut current: Vec<Value> = prop(&vault.properties, "accessPolicies")
        .as_array()
        .cloned()
        .unwrap_or_default();
    let same = |a: &Value, b: &Value| {
        a["objectId"].as_str().map(str::to_ascii_lowercase)
            == b["objectId"].as_str().map(str::to_ascii_lowercase)
            && a["tenantId"] == b["tenantId"]
            && a["applicationId"] == b["applicationId"]
    };
    for entry in entries {
        let position = current.iter().position(|c| same(c, &entry));
        match (kind, position) {
            ("replace", Some(i)) => current[i] = entry,
            ("add" | "replace", None) => current.push(entry),
            ("add", Some(i)) => {
                for k in PERMISSION_KINDS {
                    let mut merged: Vec<Value> = current[i]["permissions"][*k]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    for p in entry["permissions"][*k]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                    {
                        if !merged.iter().any(|m| {
                            m.as_str().map(str::to_ascii_lowercase)
                                == p.as_str().map(str::to_ascii_lowercase)
                        }) {
                            merged.push(p);
                        }
                    }
                    if !merged.is_empty() {
                        current[i]["permissions"][*k] = Value::Array(merged);
                    }
                }
            }
            ("remove", Some(i)) => {
                for k in PERMISSION_KINDS {
                    let removing: Vec<String> = entry["permissions"][*k]
                        .as_array()
                        .map(|l| {
                            l.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_ascii_lowercase)
                                .collect()
                        })
                        .unwrap_or_default();
                    if let Some(list) = current[i]["permissions"][*k].as_array_mut() {
                        list.retain(|p| {
                            !p.as_str()
                                .is_some_and(|p| removing.contains(&p.to_ascii_lowercase()))
                        });
                    }
                }
                let empty = PERMISSION_KINDS.iter().all(|k| {
                    current[i]["permissions"][*k]
                        .as_array()
                        .is_none_or(Vec::is_empty)
                });
                if empty {
                    current.remove(i);
                }
            }
            _ => {}
        }
    }
    vault
        .properties
        .insert("accessPolicies".into(), Value::Array(current.clone()));
    let key = id.name.to_ascii_lowercase();
    apply_to_data_plane(state, &key, &vault.properties)?;
    let response = json!({
        "id": format!("{}/accessPolicies/{kind}", resource_id(&vault)),
        "name": kind,
        "type": "Microsoft.KeyVault/vaults/accessPolicies",
        "location": vault.location,
        "properties": { "accessPolicies": current },
    });
    arm.vaults.insert(key.clone(), vault);
    persist(state, &arm, &key)?;
    Ok(json_response(StatusCode::OK, &response))
}

fn check_name_availability(state: &State, req: &Req) -> ApiResult<Response> {
    let input = body(req)?;
    let name = input["name"]
        .as_str()
        .ok_or_else(|| bad_request("The property 'name' is required."))?;
    if !input["type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(RESOURCE_TYPE))
    {
        return Err(bad_request(format!(
            "The property 'type' must be '{RESOURCE_TYPE}'."
        )));
    }
    if let Some(problem) = name_problem(name) {
        return Ok(json_response(
            StatusCode::OK,
            &json!({ "nameAvailable": false, "reason": "AccountNameInvalid", "message": problem }),
        ));
    }
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let body = if name_taken(state, &arm, name) {
        json!({ "nameAvailable": false, "reason": "AlreadyExists", "message": format!("The vault name '{name}' is already in use.") })
    } else {
        json!({ "nameAvailable": true })
    };
    Ok(json_response(StatusCode::OK, &body))
}

fn deleted_json(sub: &str, d: &DeletedArmVault) -> Value {
    let location = &d.vault.location;
    json!({
        "id": format!("/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{}", d.vault.name),
        "name": d.vault.name,
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": resource_id(&d.vault),
            "location": location,
            "deletionDate": iso8601(d.deletion_date),
            "scheduledPurgeDate": iso8601(d.scheduled_purge_date),
            "tags": d.vault.tags.clone().unwrap_or(json!({})),
            "purgeProtectionEnabled": prop(&d.vault.properties, "enablePurgeProtection").as_bool().unwrap_or(false),
        }
    })
}

/// One page of `items` (ordered by key) after the skip token, at most `$top`.
fn page(req: &Req, api_version: &str, keyed: Vec<(String, Value)>) -> ApiResult<Response> {
    let top = match req.query("$top") {
        None | Some("") => 25,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| bad_request("$top must be a whole number from 1 to 1000."))?,
    };
    let after = match req.query("$skiptoken") {
        None | Some("") => None,
        Some(t) => Some(
            B64.decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| bad_request("The $skiptoken is not valid."))?,
        ),
    };
    let mut rest = keyed
        .into_iter()
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k.as_str() > a.as_str()))
        .peekable();
    let mut values = Vec::new();
    let mut last = None;
    while values.len() < top {
        match rest.next() {
            Some((k, v)) => {
                values.push(v);
                last = Some(k);
            }
            None => break,
        }
    }
    let mut out = json!({ "value": values });
    if let (Some(_), Some(last)) = (rest.peek(), last) {
        let mut query: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "$skiptoken" && k != "api-version")
            .cloned()
            .collect();
        query.push(("api-version".into(), api_version.to_owned()));
        query.push(("$skiptoken".into(), B64.encode(last)));
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        out["nextLink"] = json!(format!("{}{}?{encoded}", req.base_url, req.path));
    }
    Ok(json_response(StatusCode::OK, &out))
}

fn list(
    state: &State,
    req: &Req,
    api_version: &str,
    sub: &str,
    rg: Option<&str>,
) -> ApiResult<Response> {
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let items = arm
        .vaults
        .iter()
        .filter(|(_, v)| v.subscription.eq_ignore_ascii_case(sub))
        .filter(|(_, v)| rg.is_none_or(|rg| v.resource_group.eq_ignore_ascii_case(rg)))
        .map(|(k, v)| (k.clone(), vault_json(state, &arm, v)))
        .collect();
    page(req, api_version, items)
}

fn resources(state: &State, req: &Req, api_version: &str, sub: &str) -> ApiResult<Response> {
    let filter = req
        .query("$filter")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let wants_vaults = filter.is_empty() || filter.contains("microsoft.keyvault/vaults");
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let items = arm
        .vaults
        .iter()
        .filter(|_| wants_vaults)
        .filter(|(_, v)| v.subscription.eq_ignore_ascii_case(sub))
        .map(|(k, v)| {
            let mut item = json!({ "id": resource_id(v), "name": v.name, "type": RESOURCE_TYPE, "location": v.location });
            if let Some(tags) = &v.tags {
                item["tags"] = tags.clone();
            }
            (k.clone(), item)
        })
        .collect();
    page(req, api_version, items)
}

fn list_deleted(state: &State, req: &Req, api_version: &str, sub: &str) -> ApiResult<Response> {
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let items = arm
        .deleted
        .iter()
        .filter(|(_, d)| d.vault.subscription.eq_ignore_ascii_case(sub))
        .map(|(k, d)| (k.clone(), deleted_json(sub, d)))
        .collect();
    page(req, api_version, items)
}

fn deleted_not_found(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("The Resource 'Microsoft.KeyVault/deletedVaults/{name}' was not found."),
    )
}

fn get_deleted(
    state: &State,
    _req: &Req,
    sub: &str,
    location: &str,
    name: &str,
) -> ApiResult<Response> {
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let deleted = arm
        .deleted
        .get(&name.to_ascii_lowercase())
        .filter(|d| d.vault.subscription.eq_ignore_ascii_case(sub))
        .filter(|d| d.vault.location.eq_ignore_ascii_case(location))
        .ok_or_else(|| deleted_not_found(name))?;
    Ok(json_response(StatusCode::OK, &deleted_json(sub, deleted)))
}

fn purge(
    state: &State,
    _req: &Req,
    api_version: &str,
    sub: &str,
    location: &str,
    name: &str,
) -> ApiResult<Response> {
    let mut arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = name.to_ascii_lowercase();
    let deleted = arm
        .deleted
        .get(&key)
        .filter(|d| d.vault.subscription.eq_ignore_ascii_case(sub))
        .filter(|d| d.vault.location.eq_ignore_ascii_case(location))
        .ok_or_else(|| deleted_not_found(name))?;
    if prop(&deleted.vault.properties, "enablePurgeProtection").as_bool() == Some(true)
        && state.clock.now() < deleted.scheduled_purge_date
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "ConflictError",
            format!("The vault '{name}' has purge protection enabled and cannot be purged before its scheduled purge date."),
        ));
    }
    if let Some(d) = arm.deleted.remove(&key) {
        purge_data(state, &key, d.data);
    }
    persist(state, &arm, &key)?;
    let op = new_operation(&mut arm, Instant::now() + state.config.delete_delay);
    let url = operation_url(state, sub, location, &op, api_version);
    let response = with_header(
        empty_response(StatusCode::ACCEPTED),
        "azure-asyncoperation",
        &url,
    );
    Ok(with_header(response, "location", &url))
}

/// Removes a purged vault's objects from the durable store.
fn purge_data(state: &State, key: &str, data: crate::store::Vault) {
    let Some(durable) = &state.durable else {
        return;
    };
    for name in data.secrets.keys().chain(data.deleted_secrets.keys()) {
        if let Err(e) = durable.save_secret(key, name, None, None) {
            tracing::error!(error = %e, "could not purge a stored secret");
        }
    }
    for name in data.keys.keys().chain(data.deleted_keys.keys()) {
        if let Err(e) = durable.save_key(key, name, None, None) {
            tracing::error!(error = %e, "could not purge a stored key");
        }
    }
    if let Err(e) = durable.save_access_policies(key, None) {
        tracing::error!(error = %e, "could not purge stored access policies");
    }
}

fn operation_status(state: &State, id: &str) -> ApiResult<Response> {
    let arm = state
        .arm
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let settles = arm.operations.get(id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("The operation '{id}' was not found."),
        )
    })?;
    let status = if Instant::now() >= *settles {
        "Succeeded"
    } else {
        "InProgress"
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({ "id": id, "name": id, "status": status }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_names_follow_the_rules() {
        for ok in ["abc", "a-b-c", "Vault1", &format!("a{}", "b".repeat(23))] {
            assert!(name_problem(ok).is_none(), "{ok}");
        }
        for bad in ["ab", "1abc", "abc-", "a--b", "a_b", &"a".repeat(25)] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn api_versions_and_times() {
        assert!(check_api_version(Some("2023-07-01")).is_ok());
        assert!(check_api_version(Some("2024-12-01-preview")).is_ok());
        for bad in [
            None,
            Some("2014-01-01"),
            Some("2099-01-01"),
            Some("7.5"),
            Some(""),
        ] {
            assert!(check_api_version(bad).is_err(), "{bad:?}");
        }
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }
}
