//! The certificates data plane: create with a policy (issuer `Self` signs a real X.509
//! certificate; any other issuer leaves a signing request pending until `merge`), import
//! (PKCS#12 or PEM), get, update, list, versions, policy, pending operation, issuers,
//! contacts, delete/recover/purge and backup/restore.
//!
//! As in the service, each certificate version has a key (`kid`, usable through the keys
//! API) and a secret (`sid`) holding the certificate with its private key, as PKCS#12 or PEM
//! per the policy's content type. Certificates are signed with RSA or ECDSA P-256/P-384.

use crate::crypto::KeyMaterial;
use crate::error::{ApiError, ApiResult};
use crate::http::{empty_response, json_response, ok, Req, Response};
use crate::keys::default_ops;
use crate::pki;
use crate::secrets::{attributes_of, base, check_name, check_tags, page, with_vault, Call};
use crate::store::{
    new_version, CertVersion, Certificate, Deleted, Key, KeyVersion, PendingOperation, Secret,
    SecretVersion, Tags, Vault,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Map, Value};
use std::time::Instant;

const PKCS12: &str = "application/x-pkcs12";
const PEM: &str = "application/x-pem-file";

/// Routes a certificates request; `None` when the path is not one.
pub fn route(call: &Call<'_>) -> Option<ApiResult<Response>> {
    let segments = call.req.segments();
    let method = call.req.method.as_str();
    let result = match (method, segments.as_slice()) {
        ("GET", ["certificates"]) | ("GET", ["certificates", ""]) => list(call),
        ("GET", ["certificates", "contacts"]) => get_contacts(call),
        ("PUT", ["certificates", "contacts"]) => set_contacts(call),
        ("DELETE", ["certificates", "contacts"]) => delete_contacts(call),
        ("GET", ["certificates", "issuers"]) | ("GET", ["certificates", "issuers", ""]) => {
            list_issuers(call)
        }
        ("GET", ["certificates", "issuers", name]) => get_issuer(call, name),
        ("PUT", ["certificates", "issuers", name]) => set_issuer(call, name, false),
        ("PATCH", ["certificates", "issuers", name]) => set_issuer(call, name, true),
        ("DELETE", ["certificates", "issuers", name]) => delete_issuer(call, name),
        ("POST", ["certificates", "restore"]) => restore(call),
        ("POST", ["certificates", name, "create"]) => create(call, name),
        ("POST", ["certificates", name, "import"]) => import(call, name),
        ("POST", ["certificates", name, "backup"]) => backup(call, name),
        ("GET", ["certificates", name, "versions"]) => list_versions(call, name),
        ("GET", ["certificates", name, "policy"]) => get_policy(call, name),
        ("PATCH", ["certificates", name, "policy"]) => update_policy(call, name),
        ("GET", ["certificates", name, "pending"]) => get_pending(call, name),
        ("PATCH", ["certificates", name, "pending"]) => cancel_pending(call, name),
        ("DELETE", ["certificates", name, "pending"]) => delete_pending(call, name),
        ("POST", ["certificates", name, "pending", "merge"]) => merge(call, name),
        ("DELETE", ["certificates", name]) => delete(call, name),
        ("GET", ["certificates", name]) | ("GET", ["certificates", name, ""]) => {
            get(call, name, None)
        }
        ("GET", ["certificates", name, version]) => get(call, name, Some(version)),
        ("PATCH", ["certificates", name]) | ("PATCH", ["certificates", name, ""]) => {
            update(call, name, None)
        }
        ("PATCH", ["certificates", name, version]) => update(call, name, Some(version)),
        ("GET", ["deletedcertificates"]) | ("GET", ["deletedcertificates", ""]) => {
            list_deleted(call)
        }
        ("GET", ["deletedcertificates", name]) => get_deleted(call, name),
        ("DELETE", ["deletedcertificates", name]) => purge(call, name),
        ("POST", ["deletedcertificates", name, "recover"]) => recover(call, name),
        (_, ["certificates", ..]) | (_, ["deletedcertificates", ..]) => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on this path."),
        )),
        _ => return None,
    };
    Some(result)
}

/// The certificates permission an access policy must grant, when it is a certificates
/// request.
pub fn permission(req: &Req) -> Option<&'static str> {
    let segments = req.segments();
    Some(match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["certificates"]) | ("GET", ["certificates", ""]) => "list",
        ("GET", ["certificates", "contacts"]) => "getissuers",
        (_, ["certificates", "contacts"]) => "managecontacts",
        ("GET", ["certificates", "issuers", ..]) => "getissuers",
        ("PUT", ["certificates", "issuers", _]) => "setissuers",
        ("PATCH", ["certificates", "issuers", _]) => "setissuers",
        ("DELETE", ["certificates", "issuers", _]) => "deleteissuers",
        ("POST", ["certificates", "restore"]) => "restore",
        ("POST", ["certificates", _, "create"]) => "create",
        ("POST", ["certificates", _, "import"]) => "import",
        ("POST", ["certificates", _, "backup"]) => "backup",
        ("GET", ["certificates", _, "versions"]) => "list",
        ("PATCH", ["certificates", _, "policy"]) => "update",
        (_, ["certificates", _, "pending", ..]) if req.method != http::Method::GET => "update",
        ("GET", ["certificates", ..]) => "get",
        ("PATCH", ["certificates", ..]) => "update",
        ("DELETE", ["certificates", _]) => "delete",
        ("GET", ["deletedcertificates", ..]) => "list",
        ("DELETE", ["deletedcertificates", _]) => "purge",
        ("POST", ["deletedcertificates", _, "recover"]) => "recover",
        _ => return None,
    })
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_parameter(message)
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(
        "CertificateNotFound",
        format!("A certificate with (name/id) {name} was not found in this key vault."),
    )
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn cert_id(call: &Call<'_>, name: &str, version: &str) -> String {
    format!("{}/certificates/{name}/{version}", base(call))
}

fn content_type(policy: &Value) -> &str {
    policy["secret_props"]["contentType"]
        .as_str()
        .unwrap_or(PKCS12)
}

fn policy_json(call: &Call<'_>, cert: &Certificate) -> Value {
    let mut p = cert.policy.clone();
    p["id"] = json!(format!("{}/certificates/{}/policy", base(call), cert.name));
    p
}

fn bundle(
    call: &Call<'_>,
    days: i64,
    cert: &Certificate,
    v: &CertVersion,
    with_policy: bool,
) -> Value {
    let base = base(call);
    let mut b = Map::new();
    b.insert("id".into(), json!(cert_id(call, &cert.name, &v.version)));
    b.insert(
        "kid".into(),
        json!(format!("{base}/keys/{}/{}", cert.name, v.version)),
    );
    b.insert(
        "sid".into(),
        json!(format!("{base}/secrets/{}/{}", cert.name, v.version)),
    );
    b.insert("x5t".into(), json!(pki::thumbprint(&v.cer)));
    b.insert("cer".into(), json!(STANDARD.encode(&v.cer)));
    b.insert("contentType".into(), json!(content_type(&cert.policy)));
    b.insert(
        "attributes".into(),
        attributes_of(
            call,
            days,
            v.enabled,
            Some(v.nbf),
            Some(v.exp),
            v.created,
            v.updated,
        ),
    );
    if let Some(tags) = &v.tags {
        b.insert("tags".into(), json!(tags));
    }
    if with_policy {
        b.insert("policy".into(), policy_json(call, cert));
    }
    Value::Object(b)
}

fn item(call: &Call<'_>, days: i64, cert: &Certificate, v: &CertVersion, versioned: bool) -> Value {
    let id = if versioned {
        cert_id(call, &cert.name, &v.version)
    } else {
        format!("{}/certificates/{}", base(call), cert.name)
    };
    let mut b = json!({
        "id": id,
        "x5t": pki::thumbprint(&v.cer),
        "attributes": attributes_of(call, days, v.enabled, Some(v.nbf), Some(v.exp), v.created, v.updated),
    });
    if let Some(tags) = &v.tags {
        b["tags"] = json!(tags);
    }
    b
}

/// Checks a policy (complete for create, partial for update) and fills the service's
/// defaults into a complete one.
fn check_policy(input: &Value, complete: bool) -> ApiResult<Value> {
    if !input.is_object() {
        return Err(bad("The certificate policy must be an object."));
    }
    let mut p = input.clone();
    if let Some(obj) = p.as_object_mut() {
        obj.remove("id");
    }
    if complete {
        let key = &mut p["key_props"];
        if key.is_null() {
            *key = json!({});
        }
        if key["kty"].is_null() {
            key["kty"] = json!("RSA");
        }
        if key["exportable"].is_null() {
            key["exportable"] = json!(true);
        }
        if key["reuse_key"].is_null() {
            key["reuse_key"] = json!(false);
        }
        let family = key["kty"]
            .as_str()
            .unwrap_or("RSA")
            .trim_end_matches("-HSM")
            .to_owned();
        if family == "RSA" && key["key_size"].is_null() {
            key["key_size"] = json!(2048);
        }
        if family == "EC" && key["crv"].is_null() {
            key["crv"] = json!("P-256");
        }
        if p["secret_props"]["contentType"].is_null() {
            p["secret_props"] = json!({ "contentType": PKCS12 });
        }
        let x509 = &mut p["x509_props"];
        if x509.is_null() {
            *x509 = json!({});
        }
        if x509["validity_months"].is_null() {
            x509["validity_months"] = json!(12);
        }
        if x509["ekus"].is_null() {
            x509["ekus"] = json!(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
        }
        if x509["key_usage"].is_null() {
            x509["key_usage"] = json!(["digitalSignature", "keyEncipherment"]);
        }
        if p["issuer"]["name"].is_null() {
            p["issuer"] = json!({ "name": "Unknown" });
        }
        if p["lifetime_actions"].is_null() {
            p["lifetime_actions"] = json!([{ "trigger": { "lifetime_percentage": 80 }, "action": { "action_type": "AutoRenew" } }]);
        }
        if p["attributes"].is_null() {
            p["attributes"] = json!({ "enabled": true });
        }
    }
    if let Some(kty) = p["key_props"]["kty"].as_str() {
        let family = kty.trim_end_matches("-HSM");
        if !matches!(family, "RSA" | "EC") {
            return Err(bad(format!(
                "The key type {kty} is not valid for a certificate; use RSA or EC."
            )));
        }
        if family == "RSA" {
            if let Some(size) = p["key_props"]["key_size"].as_i64() {
                if !matches!(size, 2048 | 3072 | 4096) {
                    return Err(bad(format!(
                        "The key size {size} is not valid for RSA; use 2048, 3072 or 4096."
                    )));
                }
            }
        } else if let Some(crv) = p["key_props"]["crv"].as_str() {
            if !matches!(crv, "P-256" | "P-384") {
                return Err(bad(format!(
                    "The curve {crv} is not supported for certificates by this emulator; use P-256 or P-384."
                )));
            }
        }
    }
    if let Some(ct) = p["secret_props"]["contentType"].as_str() {
        if ct != PKCS12 && ct != PEM {
            return Err(bad(format!(
                "The content type {ct} is not valid; use {PKCS12} or {PEM}."
            )));
        }
    }
    if let Some(months) = p["x509_props"]
        .get("validity_months")
        .filter(|m| !m.is_null())
    {
        if !months.as_i64().is_some_and(|m| (1..=1200).contains(&m)) {
            return Err(bad(
                "validity_months must be a whole number of months, at least 1.",
            ));
        }
    }
    if complete {
        let subject = p["x509_props"]["subject"].as_str().unwrap_or_default();
        let sans = &p["x509_props"]["sans"];
        let has_sans = ["dns_names", "emails", "upns", "ipAddresses", "uris"]
            .iter()
            .any(|k| sans[*k].as_array().is_some_and(|a| !a.is_empty()));
        if subject.is_empty() && !has_sans {
            return Err(bad(
                "The certificate policy needs a subject or subject alternative names.",
            ));
        }
        if !subject.is_empty() {
            parse_subject(subject)?;
        }
    }
    Ok(p)
}

/// Merges a partial policy into `current`.
fn merge_policy(current: &Value, patch: &Value) -> Value {
    let mut out = current.clone();
    if let (Some(out_obj), Some(patch_obj)) = (out.as_object_mut(), patch.as_object()) {
        for (k, v) in patch_obj {
            if v.is_null() {
                continue;
            }
            match (out_obj.get_mut(k), v) {
                (Some(Value::Object(existing)), Value::Object(new)) => {
                    for (kk, vv) in new {
                        if !vv.is_null() {
                            existing.insert(kk.clone(), vv.clone());
                        }
                    }
                }
                _ => {
                    out_obj.insert(k.clone(), v.clone());
                }
            }
        }
    }
    out
}

fn parse_subject(subject: &str) -> ApiResult<rcgen::DistinguishedName> {
    let mut dn = rcgen::DistinguishedName::new();
    for part in subject
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            ApiError::bad_parameter(format!("The subject part '{part}' is not KEY=value."))
        })?;
        let kind = match k.trim().to_ascii_uppercase().as_str() {
            "CN" => rcgen::DnType::CommonName,
            "O" => rcgen::DnType::OrganizationName,
            "OU" => rcgen::DnType::OrganizationalUnitName,
            "L" => rcgen::DnType::LocalityName,
            "ST" | "S" => rcgen::DnType::StateOrProvinceName,
            "C" => rcgen::DnType::CountryName,
            other => {
                return Err(ApiError::bad_parameter(format!(
                    "The subject attribute '{other}' is not supported."
                )))
            }
        };
        dn.push(kind, v.trim());
    }
    Ok(dn)
}

fn params_of(policy: &Value, now: i64) -> ApiResult<rcgen::CertificateParams> {
    let x509 = &policy["x509_props"];
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = parse_subject(x509["subject"].as_str().unwrap_or_default())?;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let sans = &x509["sans"];
    for dns in strings(&sans["dns_names"]) {
        let name = dns
            .clone()
            .try_into()
            .map_err(|_| bad(format!("The DNS name '{dns}' is not valid.")))?;
        params.subject_alt_names.push(rcgen::SanType::DnsName(name));
    }
    for email in strings(&sans["emails"]) {
        let name = email
            .clone()
            .try_into()
            .map_err(|_| bad(format!("The email '{email}' is not valid.")))?;
        params
            .subject_alt_names
            .push(rcgen::SanType::Rfc822Name(name));
    }
    for uri in strings(&sans["uris"]) {
        let name = uri
            .clone()
            .try_into()
            .map_err(|_| bad(format!("The URI '{uri}' is not valid.")))?;
        params.subject_alt_names.push(rcgen::SanType::URI(name));
    }
    for ip in strings(&sans["ipAddresses"]) {
        let addr = ip
            .parse()
            .map_err(|_| bad(format!("The IP address '{ip}' is not valid.")))?;
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress(addr));
    }
    for eku in strings(&x509["ekus"]) {
        use rcgen::ExtendedKeyUsagePurpose as E;
        params.extended_key_usages.push(match eku.as_str() {
            "1.3.6.1.5.5.7.3.1" => E::ServerAuth,
            "1.3.6.1.5.5.7.3.2" => E::ClientAuth,
            "1.3.6.1.5.5.7.3.3" => E::CodeSigning,
            "1.3.6.1.5.5.7.3.4" => E::EmailProtection,
            "1.3.6.1.5.5.7.3.8" => E::TimeStamping,
            "1.3.6.1.5.5.7.3.9" => E::OcspSigning,
            other => E::Other(
                other
                    .split('.')
                    .map(|n| n.parse::<u64>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| bad(format!("The extended key usage '{other}' is not an OID.")))?,
            ),
        });
    }
    for usage in strings(&x509["key_usage"]) {
        use rcgen::KeyUsagePurpose as K;
        params.key_usages.push(match usage.as_str() {
            "digitalSignature" => K::DigitalSignature,
            "nonRepudiation" => K::ContentCommitment,
            "keyEncipherment" => K::KeyEncipherment,
            "dataEncipherment" => K::DataEncipherment,
            "keyAgreement" => K::KeyAgreement,
            "keyCertSign" => K::KeyCertSign,
            "cRLSign" => K::CrlSign,
            "encipherOnly" => K::EncipherOnly,
            "decipherOnly" => K::DecipherOnly,
            other => return Err(bad(format!("The key usage '{other}' is not valid."))),
        });
    }
    let months = x509["validity_months"].as_i64().unwrap_or(12);
    let start = time::OffsetDateTime::from_unix_timestamp(now - 300)
        .map_err(|_| bad("The clock is out of range."))?;
    let end = time::OffsetDateTime::from_unix_timestamp(now + months * 30 * 86_400)
        .map_err(|_| bad("The validity is out of range."))?;
    params.not_before = start;
    params.not_after = end;
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    Ok(params)
}

fn signing_key(key: &KeyMaterial) -> ApiResult<rcgen::KeyPair> {
    let alg = match key {
        KeyMaterial::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        KeyMaterial::Ec {
            crv: crate::crypto::Curve::P256,
            ..
        } => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyMaterial::Ec {
            crv: crate::crypto::Curve::P384,
            ..
        } => &rcgen::PKCS_ECDSA_P384_SHA384,
        _ => {
            return Err(ApiError::bad_parameter(
                "Certificates are signed with RSA or ECDSA on P-256 or P-384 here.",
            ))
        }
    };
    let der = pki::pkcs8_der(key)?;
    rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der.into(), alg).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            format!("The certificate key could not be used: {e}"),
        )
    })
}

fn generate_key(policy: &Value) -> ApiResult<KeyMaterial> {
    let key = &policy["key_props"];
    let kty = key["kty"].as_str().unwrap_or("RSA");
    let size = key["key_size"].as_u64().map(|s| s as u32);
    let family = kty.trim_end_matches("-HSM");
    KeyMaterial::generate(
        family,
        if family == "RSA" { size } else { None },
        None,
        key["crv"].as_str(),
    )
}

/// What a new version is made of.
struct Issued {
    policy: Value,
    key: KeyMaterial,
    chain: Vec<Vec<u8>>,
    enabled: bool,
    tags: Option<Tags>,
}

/// Stores a new version: the certificate, its key and its secret, all with one version id.
fn add_version(
    call: &Call<'_>,
    vault: &mut Vault,
    name: &str,
    issued: Issued,
    now: i64,
) -> ApiResult<String> {
    let Issued {
        policy,
        key,
        chain,
        enabled,
        tags,
    } = issued;
    let leaf = chain
        .first()
        .cloned()
        .ok_or_else(|| ApiError::bad_parameter("No certificate."))?;
    let info = pki::cert_info(&leaf)?;
    if info.public_key != pki::public_key_of(&key) {
        return Err(ApiError::bad_parameter(
            "The certificate's public key does not match the private key.",
        ));
    }
    let version = new_version();
    let lower = name.to_ascii_lowercase();
    let exportable = policy["key_props"]["exportable"].as_bool();
    let secret_value = if content_type(&policy) == PEM {
        pki::write_pem(&key, &chain)?
    } else {
        STANDARD.encode(pki::write_pfx(&key, &chain)?)
    };
    let base = base(call);
    let kty = policy["key_props"]["kty"]
        .as_str()
        .unwrap_or(key.kty())
        .to_owned();
    let key_version = KeyVersion {
        version: version.clone(),
        kty,
        key_ops: default_ops(key.kty())
            .into_iter()
            .filter(|op| key.kty() != "EC" || op == "sign" || op == "verify")
            .collect(),
        material: key,
        tags: tags.clone(),
        enabled,
        nbf: Some(info.not_before),
        exp: Some(info.not_after),
        created: now,
        updated: now,
        exportable,
        release_policy: None,
        managed: true,
    };
    let secret_version = SecretVersion {
        version: version.clone(),
        value: secret_value,
        content_type: Some(content_type(&policy).to_owned()),
        tags: tags.clone(),
        enabled,
        nbf: Some(info.not_before),
        exp: Some(info.not_after),
        created: now,
        updated: now,
        managed_key_id: Some(format!("{base}/keys/{name}/{version}")),
    };
    vault
        .keys
        .entry(lower.clone())
        .or_insert_with(|| Key {
            name: name.to_owned(),
            versions: Vec::new(),
            rotation_policy: None,
        })
        .versions
        .push(key_version);
    vault
        .secrets
        .entry(lower.clone())
        .or_insert_with(|| Secret {
            name: name.to_owned(),
            versions: Vec::new(),
        })
        .versions
        .push(secret_version);
    let cert = vault
        .certificates
        .entry(lower.clone())
        .or_insert_with(|| Certificate {
            name: name.to_owned(),
            versions: Vec::new(),
            policy: policy.clone(),
            pending: None,
        });
    cert.policy = policy;
    cert.versions.push(CertVersion {
        version: version.clone(),
        cer: leaf,
        enabled,
        nbf: info.not_before,
        exp: info.not_after,
        created: now,
        updated: now,
        tags,
    });
    persist_all(call, vault, &lower)?;
    Ok(version)
}

fn persist_all(call: &Call<'_>, vault: &Vault, key: &str) -> ApiResult<()> {
    call.state.persist_certificate(call.vault, vault, key)?;
    call.state.persist_key(call.vault, vault, key)?;
    call.state.persist_secret(call.vault, vault, key)
}

fn operation_json(call: &Call<'_>, name: &str, op: &PendingOperation) -> Value {
    let status = if op.status == "completed" && now_ms() < op.settles_at_ms {
        "inProgress"
    } else {
        op.status.as_str()
    };
    let details = match status {
        "inProgress" if op.key.is_some() => {
            "Pending certificate created. Please Perform Merge to complete the request."
        }
        "inProgress" => "Pending certificate created. Certificate request is in progress.",
        "completed" => "Certificate created.",
        "cancelled" => "Certificate request cancelled.",
        _ => "",
    };
    let mut out = json!({
        "id": format!("{}/certificates/{name}/pending", base(call)),
        "issuer": { "name": op.issuer },
        "csr": STANDARD.encode(&op.csr),
        "cancellation_requested": op.cancellation_requested,
        "status": status,
        "status_details": details,
        "request_id": crate::store::new_version(),
    });
    if status == "completed" {
        if let Some(target) = &op.target {
            out["target"] = json!(target);
        }
    }
    out
}

fn busy(cert: Option<&Certificate>, name: &str) -> ApiResult<()> {
    let pending = cert.and_then(|c| c.pending.as_ref());
    if pending.is_some_and(|p| p.status == "inProgress") {
        return Err(ApiError::conflict(format!(
            "Certificate {name} has a pending operation; merge, cancel or delete it first."
        )));
    }
    Ok(())
}

fn create(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    let policy_in = input
        .get("policy")
        .filter(|p| !p.is_null())
        .ok_or_else(|| {
            ApiError::bad_parameter("A certificate policy is required to create a certificate.")
        })?;
    let policy = check_policy(policy_in, true)?;
    let tags: Option<Tags> = match input.get("tags").filter(|t| !t.is_null()) {
        Some(t) => Some(
            serde_json::from_value(t.clone())
                .map_err(|_| ApiError::bad_parameter("Tags must be string pairs."))?,
        ),
        None => None,
    };
    check_tags(&tags)?;
    let enabled = input["attributes"]["enabled"].as_bool().unwrap_or(true);
    let issuer = policy["issuer"]["name"]
        .as_str()
        .unwrap_or("Unknown")
        .to_owned();
    // Key generation and signing happen before the store is locked.
    let key = generate_key(&policy)?;
    let now = call.state.clock.now();
    let params = params_of(&policy, now)?;
    let signer = signing_key(&key)?;
    // A signing request carries no serial number.
    let mut request_params = params.clone();
    request_params.serial_number = None;
    let csr = request_params
        .serialize_request(&signer)
        .map_err(|e| {
            ApiError::bad_parameter(format!("The signing request could not be made: {e}"))
        })?
        .der()
        .to_vec();
    let self_signed = issuer.eq_ignore_ascii_case("Self");
    let cer = if self_signed {
        Some(
            params
                .self_signed(&signer)
                .map_err(|e| {
                    ApiError::bad_parameter(format!("The certificate could not be signed: {e}"))
                })?
                .der()
                .to_vec(),
        )
    } else {
        None
    };
    let delay = call.state.config.delete_delay.as_millis();
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        if vault.deleted_certificates.contains_key(&lower) {
            return Err(ApiError::conflict(format!(
                "Certificate {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged."
            )));
        }
        busy(vault.certificates.get(&lower), name)?;
        let mut op = PendingOperation {
            status: "inProgress".into(),
            issuer: issuer.clone(),
            csr: csr.clone(),
            key: None,
            cancellation_requested: false,
            target: None,
            tags: tags.clone(),
            settles_at_ms: 0,
        };
        match cer {
            Some(cer) => {
                let version = add_version(
                    call,
                    vault,
                    name,
                    Issued {
                        policy: policy.clone(),
                        key,
                        chain: vec![cer],
                        enabled,
                        tags,
                    },
                    now,
                )?;
                op.status = "completed".into();
                op.target = Some(cert_id(call, name, &version));
                op.settles_at_ms = now_ms() + delay;
            }
            None => {
                op.key = Some(key);
                let cert = vault
                    .certificates
                    .entry(lower.clone())
                    .or_insert_with(|| Certificate {
                        name: name.to_owned(),
                        versions: Vec::new(),
                        policy: policy.clone(),
                        pending: None,
                    });
                cert.policy = policy.clone();
            }
        }
        let body = operation_json(call, name, &op);
        if let Some(cert) = vault.certificates.get_mut(&lower) {
            cert.pending = Some(op);
        }
        call.state.persist_certificate(call.vault, vault, &lower)?;
        Ok(json_response(StatusCode::ACCEPTED, &body))
    })
}

fn get_pending(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let op = vault
            .certificates
            .get(&name.to_ascii_lowercase())
            .and_then(|c| c.pending.as_ref())
            .ok_or_else(|| {
                ApiError::not_found(
                    "PendingCertificateNotFound",
                    format!("Pending certificate not found: {name}"),
                )
            })?;
        ok(&operation_json(call, name, op))
    })
}

fn cancel_pending(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    if input["cancellation_requested"].as_bool() != Some(true) {
        return Err(ApiError::bad_parameter(
            "Only cancellation_requested: true can be set.",
        ));
    }
    with_vault(call, |vault, _| {
        let lower = name.to_ascii_lowercase();
        let cert = vault
            .certificates
            .get_mut(&lower)
            .ok_or_else(|| not_found(name))?;
        let op = cert.pending.as_mut().ok_or_else(|| {
            ApiError::not_found(
                "PendingCertificateNotFound",
                format!("Pending certificate not found: {name}"),
            )
        })?;
        op.cancellation_requested = true;
        if op.status == "inProgress" {
            op.status = "cancelled".into();
            op.key = None;
        }
        let body = operation_json(call, name, op);
        call.state.persist_certificate(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn delete_pending(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let lower = name.to_ascii_lowercase();
        let cert = vault
            .certificates
            .get_mut(&lower)
            .ok_or_else(|| not_found(name))?;
        let op = cert.pending.take().ok_or_else(|| {
            ApiError::not_found(
                "PendingCertificateNotFound",
                format!("Pending certificate not found: {name}"),
            )
        })?;
        let body = operation_json(call, name, &op);
        if cert.versions.is_empty() {
            vault.certificates.remove(&lower);
        }
        call.state.persist_certificate(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn decode_cert(text: &str) -> ApiResult<Vec<u8>> {
    STANDARD
        .decode(text.trim())
        .or_else(|_| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text.trim().trim_end_matches('='))
        })
        .map_err(|_| ApiError::bad_parameter("A certificate in x5c is not base64."))
}

fn merge(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    let chain = input["x5c"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::bad_parameter("x5c, the certificates to merge, is required."))?
        .iter()
        .map(|c| {
            c.as_str()
                .ok_or_else(|| ApiError::bad_parameter("x5c holds base64 strings."))
                .and_then(decode_cert)
        })
        .collect::<ApiResult<Vec<Vec<u8>>>>()?;
    let leaf_info = pki::cert_info(&chain[0])?;
    let tags: Option<Tags> = input
        .get("tags")
        .filter(|t| !t.is_null())
        .and_then(|t| serde_json::from_value(t.clone()).ok());
    let enabled = input["attributes"]["enabled"].as_bool().unwrap_or(true);
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let cert = vault
            .certificates
            .get(&lower)
            .ok_or_else(|| not_found(name))?;
        let op = cert
            .pending
            .as_ref()
            .filter(|p| p.status == "inProgress" && p.key.is_some())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    format!("Certificate {name} has no pending request waiting for a merge."),
                )
            })?;
        let key = op.key.clone().ok_or_else(|| not_found(name))?;
        if leaf_info.public_key != pki::public_key_of(&key) {
            return Err(ApiError::bad_parameter(
                "Public key from x5c does not match the pending certificate's key.",
            ));
        }
        let tags = tags.or_else(|| op.tags.clone());
        let policy = cert.policy.clone();
        let version = add_version(
            call,
            vault,
            name,
            Issued {
                policy,
                key,
                chain,
                enabled,
                tags,
            },
            now,
        )?;
        let target = cert_id(call, name, &version);
        let cert = vault
            .certificates
            .get_mut(&lower)
            .ok_or_else(|| not_found(name))?;
        if let Some(op) = cert.pending.as_mut() {
            op.status = "completed".into();
            op.key = None;
            op.target = Some(target);
        }
        let cert = vault
            .certificates
            .get(&lower)
            .ok_or_else(|| not_found(name))?;
        let v = cert.latest().ok_or_else(|| not_found(name))?;
        let body = bundle(call, vault.retention_days, cert, v, true);
        call.state.persist_certificate(call.vault, vault, &lower)?;
        Ok(json_response(StatusCode::CREATED, &body))
    })
}

fn import(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    let value = input["value"]
        .as_str()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_parameter("The certificate value is required."))?;
    let password = input["pwd"].as_str().unwrap_or_default();
    let (key, chain, detected) = if value.contains("-----BEGIN") {
        let (k, c) = pki::read_pem(value)?;
        (k, c, PEM)
    } else {
        let bytes = STANDARD.decode(value.trim()).map_err(|_| {
            ApiError::bad_parameter("The certificate value is neither PEM nor base64 PKCS#12.")
        })?;
        let (k, c) = pki::read_pfx(&bytes, password)?;
        (k, c, PKCS12)
    };
    let mut policy_in = input
        .get("policy")
        .filter(|p| !p.is_null())
        .cloned()
        .unwrap_or(json!({}));
    if policy_in["secret_props"]["contentType"].is_null() {
        policy_in["secret_props"] = json!({ "contentType": detected });
    }
    if policy_in["key_props"]["kty"].is_null() {
        policy_in["key_props"]["kty"] = json!(key.kty());
        if let KeyMaterial::Ec { crv, .. } = &key {
            policy_in["key_props"]["crv"] = json!(crv.name());
        }
        if key.kty() == "RSA" {
            policy_in["key_props"]["key_size"] = json!(key.shape().0.unwrap_or(2048));
        }
    }
    if policy_in["x509_props"]["subject"].is_null() {
        policy_in["x509_props"]["subject"] = json!("CN=imported");
    }
    if policy_in["issuer"]["name"].is_null() {
        policy_in["issuer"] = json!({ "name": "Unknown" });
    }
    let policy = check_policy(&policy_in, true)?;
    let tags: Option<Tags> = input
        .get("tags")
        .filter(|t| !t.is_null())
        .and_then(|t| serde_json::from_value(t.clone()).ok());
    check_tags(&tags)?;
    let enabled = input["attributes"]["enabled"].as_bool().unwrap_or(true);
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        if vault.deleted_certificates.contains_key(&lower) {
            return Err(ApiError::conflict(format!(
                "Certificate {name} is deleted and not yet purged; recover or purge it first."
            )));
        }
        busy(vault.certificates.get(&lower), name)?;
        add_version(
            call,
            vault,
            name,
            Issued {
                policy,
                key,
                chain,
                enabled,
                tags,
            },
            now,
        )?;
        let cert = vault
            .certificates
            .get(&lower)
            .ok_or_else(|| not_found(name))?;
        let v = cert.latest().ok_or_else(|| not_found(name))?;
        ok(&bundle(call, vault.retention_days, cert, v, true))
    })
}

fn get(call: &Call<'_>, name: &str, version: Option<&str>) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let cert = vault
            .certificates
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let v = match version {
            Some(version) => cert.version(version),
            None => cert.latest(),
        }
        .ok_or_else(|| not_found(name))?;
        ok(&bundle(call, vault.retention_days, cert, v, true))
    })
}

fn update(call: &Call<'_>, name: &str, version: Option<&str>) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    let tags: Option<Tags> = match input.get("tags").filter(|t| !t.is_null()) {
        Some(t) => Some(
            serde_json::from_value(t.clone())
                .map_err(|_| ApiError::bad_parameter("Tags must be string pairs."))?,
        ),
        None => None,
    };
    check_tags(&tags)?;
    let policy_patch = match input.get("policy").filter(|p| !p.is_null()) {
        Some(p) => Some(check_policy(p, false)?),
        None => None,
    };
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let cert = vault
            .certificates
            .get_mut(&lower)
            .ok_or_else(|| not_found(name))?;
        let id = match version {
            Some(v) => v.to_owned(),
            None => cert
                .latest()
                .map(|v| v.version.clone())
                .ok_or_else(|| not_found(name))?,
        };
        let v = cert
            .versions
            .iter_mut()
            .find(|v| v.version.eq_ignore_ascii_case(&id))
            .ok_or_else(|| not_found(name))?;
        if let Some(enabled) = input["attributes"]["enabled"].as_bool() {
            v.enabled = enabled;
        }
        if tags.is_some() {
            v.tags = tags;
        }
        v.updated = now;
        if let Some(patch) = &policy_patch {
            cert.policy = merge_policy(&cert.policy, patch);
        }
        let cert = vault
            .certificates
            .get(&lower)
            .ok_or_else(|| not_found(name))?;
        let v = cert.version(&id).ok_or_else(|| not_found(name))?;
        let body = bundle(call, vault.retention_days, cert, v, true);
        call.state.persist_certificate(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn get_policy(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let cert = vault
            .certificates
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        ok(&policy_json(call, cert))
    })
}

fn update_policy(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    let patch = check_policy(&input, false)?;
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let cert = vault
            .certificates
            .get_mut(&lower)
            .ok_or_else(|| not_found(name))?;
        let mut merged = merge_policy(&cert.policy, &patch);
        merged["attributes"]["updated"] = json!(now);
        check_policy(&merged, true)?;
        cert.policy = merged;
        let body = policy_json(call, cert);
        call.state.persist_certificate(call.vault, vault, &lower)?;
        ok(&body)
    })
}

fn list(call: &Call<'_>) -> ApiResult<Response> {
    let include_pending = call
        .req
        .query("includePending")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    with_vault(call, |vault, _| {
        let items = vault
            .certificates
            .iter()
            .filter_map(|(k, c)| match c.latest() {
                Some(v) => Some((k.clone(), item(call, vault.retention_days, c, v, false))),
                None if include_pending => Some((
                    k.clone(),
                    json!({ "id": format!("{}/certificates/{}", base(call), c.name), "attributes": { "enabled": true } }),
                )),
                None => None,
            })
            .collect();
        page(call, "certificates", items)
    })
}

fn list_versions(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let cert = vault
            .certificates
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| not_found(name))?;
        let items = cert
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    format!("{i:010}"),
                    item(call, vault.retention_days, cert, v, true),
                )
            })
            .collect();
        page(call, &format!("certificates/{}/versions", cert.name), items)
    })
}

fn add_deleted_fields(call: &Call<'_>, body: &mut Value, d: &Deleted<Certificate>) {
    body["recoveryId"] = json!(format!(
        "{}/deletedcertificates/{}",
        base(call),
        d.object.name
    ));
    body["deletedDate"] = json!(d.deleted_date);
    body["scheduledPurgeDate"] = json!(d.scheduled_purge_date);
}

fn deleted_body(call: &Call<'_>, days: i64, d: &Deleted<Certificate>, full: bool) -> Value {
    let mut body = match d.object.latest() {
        Some(v) if full => bundle(call, days, &d.object, v, true),
        Some(v) => item(call, days, &d.object, v, false),
        None => json!({ "id": format!("{}/certificates/{}", base(call), d.object.name) }),
    };
    add_deleted_fields(call, &mut body, d);
    body
}

fn delete(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    let delay = call.state.config.delete_delay;
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let cert = vault
            .certificates
            .remove(&lower)
            .ok_or_else(|| not_found(name))?;
        let purge_date = now + vault.retention_days * 86_400;
        let settles_at = Instant::now() + delay;
        // The certificate's key and secret go with it.
        if let Some(key) = vault.keys.remove(&lower) {
            vault.deleted_keys.insert(
                lower.clone(),
                Deleted {
                    object: key,
                    deleted_date: now,
                    scheduled_purge_date: purge_date,
                    settles_at,
                },
            );
        }
        if let Some(secret) = vault.secrets.remove(&lower) {
            vault.deleted_secrets.insert(
                lower.clone(),
                Deleted {
                    object: secret,
                    deleted_date: now,
                    scheduled_purge_date: purge_date,
                    settles_at,
                },
            );
        }
        let deleted = Deleted {
            object: cert,
            deleted_date: now,
            scheduled_purge_date: purge_date,
            settles_at,
        };
        let body = deleted_body(call, vault.retention_days, &deleted, true);
        vault.deleted_certificates.insert(lower.clone(), deleted);
        persist_all(call, vault, &lower)?;
        ok(&body)
    })
}

fn deleted_not_found(name: &str) -> ApiError {
    ApiError::not_found(
        "CertificateNotFound",
        format!("Deleted Certificate not found: {name}"),
    )
}

fn get_deleted(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let d = vault
            .deleted_certificates
            .get(&name.to_ascii_lowercase())
            .filter(|d| !d.in_progress())
            .ok_or_else(|| deleted_not_found(name))?;
        ok(&deleted_body(call, vault.retention_days, d, true))
    })
}

fn list_deleted(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let items = vault
            .deleted_certificates
            .iter()
            .filter(|(_, d)| !d.in_progress())
            .map(|(k, d)| {
                (
                    k.clone(),
                    deleted_body(call, vault.retention_days, d, false),
                )
            })
            .collect();
        page(call, "deletedcertificates", items)
    })
}

fn settled(vault: &Vault, name: &str) -> ApiResult<()> {
    match vault.deleted_certificates.get(&name.to_ascii_lowercase()) {
        None => Err(deleted_not_found(name)),
        Some(d) if d.in_progress() => Err(ApiError::conflict(format!(
            "Certificate {name} is currently being deleted."
        ))),
        Some(_) => Ok(()),
    }
}

fn purge(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        settled(vault, name)?;
        let lower = name.to_ascii_lowercase();
        vault.deleted_certificates.remove(&lower);
        vault.deleted_keys.remove(&lower);
        vault.deleted_secrets.remove(&lower);
        persist_all(call, vault, &lower)?;
        Ok(empty_response(StatusCode::NO_CONTENT))
    })
}

fn recover(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        settled(vault, name)?;
        let lower = name.to_ascii_lowercase();
        let Some(d) = vault.deleted_certificates.remove(&lower) else {
            return Err(deleted_not_found(name));
        };
        if let Some(k) = vault.deleted_keys.remove(&lower) {
            vault.keys.insert(lower.clone(), k.object);
        }
        if let Some(s) = vault.deleted_secrets.remove(&lower) {
            vault.secrets.insert(lower.clone(), s.object);
        }
        let cert = d.object;
        let body = match cert.latest() {
            Some(v) => bundle(call, vault.retention_days, &cert, v, true),
            None => json!({}),
        };
        vault.certificates.insert(lower.clone(), cert);
        persist_all(call, vault, &lower)?;
        ok(&body)
    })
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CertBackup {
    certificate: Certificate,
    key: Option<Key>,
    secret: Option<Secret>,
}

fn backup(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let lower = name.to_ascii_lowercase();
        let certificate = vault
            .certificates
            .get(&lower)
            .cloned()
            .ok_or_else(|| not_found(name))?;
        let blob = CertBackup {
            certificate,
            key: vault.keys.get(&lower).cloned(),
            secret: vault.secrets.get(&lower).cloned(),
        };
        let sealed = call
            .state
            .sealer
            .seal("certificate", &blob)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "The backup could not be made.",
                )
            })?;
        ok(&json!({ "value": sealed }))
    })
}

fn restore(call: &Call<'_>) -> ApiResult<Response> {
    let input: Value = call.req.json()?;
    let blob = input["value"]
        .as_str()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_parameter("The backup blob is required."))?;
    let backup: CertBackup = call.state.sealer.open("certificate", blob).ok_or_else(|| {
        ApiError::bad_parameter("The backup blob is corrupt or was not made by this emulator.")
    })?;
    with_vault(call, |vault, _| {
        let lower = backup.certificate.name.to_ascii_lowercase();
        let taken = vault.certificates.contains_key(&lower)
            || vault.deleted_certificates.contains_key(&lower)
            || vault.keys.contains_key(&lower)
            || vault.secrets.contains_key(&lower);
        if taken {
            return Err(ApiError::conflict(format!(
                "Certificate {} already exists in this vault, or is deleted and not yet purged.",
                backup.certificate.name
            )));
        }
        if let Some(k) = backup.key {
            vault.keys.insert(lower.clone(), k);
        }
        if let Some(s) = backup.secret {
            vault.secrets.insert(lower.clone(), s);
        }
        let cert = backup.certificate;
        let body = match cert.latest() {
            Some(v) => bundle(call, vault.retention_days, &cert, v, true),
            None => json!({}),
        };
        vault.certificates.insert(lower.clone(), cert);
        persist_all(call, vault, &lower)?;
        ok(&body)
    })
}

fn issuer_json(call: &Call<'_>, name: &str, stored: &Value) -> Value {
    let mut out = stored.clone();
    out["id"] = json!(format!("{}/certificates/issuers/{name}", base(call)));
    // The password is write-only.
    if let Some(credentials) = out.get_mut("credentials").and_then(Value::as_object_mut) {
        credentials.remove("pwd");
    }
    out
}

fn issuer_not_found(name: &str) -> ApiError {
    ApiError::not_found(
        "CertificateIssuerNotFound",
        format!("Issuer not found: {name}"),
    )
}

fn set_issuer(call: &Call<'_>, name: &str, patch: bool) -> ApiResult<Response> {
    check_name(name)?;
    let input: Value = call.req.json()?;
    if !input.is_object() {
        return Err(ApiError::bad_parameter("The issuer must be an object."));
    }
    if !patch && input["provider"].as_str().is_none_or(str::is_empty) {
        return Err(ApiError::bad_parameter(
            "The issuer's provider is required.",
        ));
    }
    if name.eq_ignore_ascii_case("Self") || name.eq_ignore_ascii_case("Unknown") {
        return Err(ApiError::bad_parameter(format!(
            "The issuer name {name} is reserved."
        )));
    }
    with_vault(call, |vault, now| {
        let lower = name.to_ascii_lowercase();
        let mut stored = match (patch, vault.issuers.get(&lower)) {
            (true, Some(existing)) => merge_policy(existing, &input),
            (true, None) => return Err(issuer_not_found(name)),
            (false, existing) => {
                let mut fresh = input.clone();
                let created = existing
                    .and_then(|e| e["attributes"]["created"].as_i64())
                    .unwrap_or(now);
                fresh["attributes"]["created"] = json!(created);
                fresh
            }
        };
        if stored["attributes"]["enabled"].is_null() {
            stored["attributes"]["enabled"] = json!(true);
        }
        stored["attributes"]["updated"] = json!(now);
        if let Some(obj) = stored.as_object_mut() {
            obj.remove("id");
        }
        let body = issuer_json(call, name, &stored);
        vault.issuers.insert(lower, stored);
        ok(&body)
    })
}

fn get_issuer(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let stored = vault
            .issuers
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| issuer_not_found(name))?;
        ok(&issuer_json(call, name, stored))
    })
}

fn delete_issuer(call: &Call<'_>, name: &str) -> ApiResult<Response> {
    check_name(name)?;
    with_vault(call, |vault, _| {
        let stored = vault
            .issuers
            .remove(&name.to_ascii_lowercase())
            .ok_or_else(|| issuer_not_found(name))?;
        ok(&issuer_json(call, name, &stored))
    })
}

fn list_issuers(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let items = vault
            .issuers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!({ "id": format!("{}/certificates/issuers/{k}", base(call)), "provider": v["provider"] }),
                )
            })
            .collect();
        page(call, "certificates/issuers", items)
    })
}

fn contacts_json(call: &Call<'_>, contacts: &Value) -> Value {
    json!({ "id": format!("{}/certificates/contacts", base(call)), "contacts": contacts })
}

fn set_contacts(call: &Call<'_>) -> ApiResult<Response> {
    let input: Value = call.req.json()?;
    let contacts = input["contacts"]
        .as_array()
        .ok_or_else(|| ApiError::bad_parameter("contacts must be a list."))?;
    for c in contacts {
        if c["email"].as_str().is_none_or(|e| !e.contains('@')) {
            return Err(ApiError::bad_parameter("Each contact needs a valid email."));
        }
    }
    let contacts = Value::Array(contacts.clone());
    with_vault(call, |vault, _| {
        vault.contacts = Some(contacts.clone());
        ok(&contacts_json(call, &contacts))
    })
}

fn get_contacts(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let contacts = vault
            .contacts
            .as_ref()
            .ok_or_else(|| ApiError::not_found("ContactsNotFound", "Contacts not found"))?;
        ok(&contacts_json(call, contacts))
    })
}

fn delete_contacts(call: &Call<'_>) -> ApiResult<Response> {
    with_vault(call, |vault, _| {
        let contacts = vault
            .contacts
            .take()
            .ok_or_else(|| ApiError::not_found("ContactsNotFound", "Contacts not found"))?;
        ok(&contacts_json(call, &contacts))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_get_defaults_and_are_checked() {
        let p = check_policy(
            &json!({"x509_props": {"subject": "CN=a"}, "issuer": {"name": "Self"}}),
            true,
        )
        .unwrap();
        assert_eq!(p["key_props"]["kty"], "RSA");
        assert_eq!(p["key_props"]["key_size"], 2048);
        assert_eq!(p["secret_props"]["contentType"], PKCS12);
        assert_eq!(p["x509_props"]["validity_months"], 12);
        for bad in [
            json!({"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "oct"}}),
            json!({"x509_props": {"subject": "CN=a"}, "key_props": {"kty": "RSA", "key_size": 1024}}),
            json!({"x509_props": {"subject": "CN=a", "validity_months": 0}}),
            json!({"x509_props": {}}),
            json!({"x509_props": {"subject": "XX=a"}}),
            json!({"x509_props": {"subject": "CN=a"}, "secret_props": {"contentType": "text/plain"}}),
        ] {
            assert!(check_policy(&bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn self_signed_certificates_match_their_keys() {
        let policy = check_policy(&json!({"x509_props": {"subject": "CN=test, O=azkv", "sans": {"dns_names": ["a.example"]}}, "key_props": {"kty": "EC", "crv": "P-384"}}), true).unwrap();
        let key = generate_key(&policy).unwrap();
        let params = params_of(&policy, 1_800_000_000).unwrap();
        let cert = params.self_signed(&signing_key(&key).unwrap()).unwrap();
        let info = pki::cert_info(cert.der()).unwrap();
        assert_eq!(info.public_key, pki::public_key_of(&key));
        assert_eq!(info.not_after - info.not_before, 12 * 30 * 86_400 + 300);
    }
}
