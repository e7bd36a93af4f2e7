//! `cargo xtask codegen [--check]`: turns the OpenAPI specs in `specs/` into Rust wire models
//! and operation constants in each client crate's `src/generated/mod.rs`.
//!
//! What it writes, per spec: a struct per object definition (properties as `Option` unless
//! required, `#[serde(rename)]` to the wire name, `allOf` parents flattened in), an enum per
//! string enumeration with an `UnknownValue(String)` arm so new service values never break
//! decoding, and an `Operation` constant per operation. Fields that carry secrets are typed
//! `azkv_core::Sensitive`. Doc comments are our own fixed phrases, never the spec's prose.
//! The output is formatted by rustfmt and depends only on the input: `--check` regenerates in
//! memory and fails naming every stale file.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One generated file.
struct Target {
    /// Spec, relative to `specs/`.
    spec: &'static str,
    /// Output file, relative to the repository root.
    out: &'static str,
    /// What the file is about, for its header.
    subject: &'static str,
    /// `(definition, property)` pairs whose values are secret.
    sensitive: &'static [(&'static str, &'static str)],
}

const TARGETS: &[Target] = &[
    Target {
        spec: "keyvault/data-plane/Secrets/stable/2026-04-01/secrets.json",
        out: "crates/azkv-secrets/src/generated/mod.rs",
        subject: "the Key Vault secrets API",
        sensitive: &[
            ("SecretBundle", "value"),
            ("DeletedSecretBundle", "value"),
            ("SecretSetParameters", "value"),
        ],
    },
    Target {
        spec: "keyvault/data-plane/Keys/stable/2026-04-01/keys.json",
        out: "crates/azkv-keys/src/generated/mod.rs",
        subject: "the Key Vault keys API",
        sensitive: &[
            ("JsonWebKey", "d"),
            ("JsonWebKey", "dp"),
            ("JsonWebKey", "dq"),
            ("JsonWebKey", "qi"),
            ("JsonWebKey", "p"),
            ("JsonWebKey", "q"),
            ("JsonWebKey", "k"),
            ("JsonWebKey", "t"),
            ("KeyOperationResult", "value"),
            ("KeyOperationsParameters", "value"),
        ],
    },
    Target {
        spec: "keyvault/data-plane/Certificates/stable/2026-04-01/certificates.json",
        out: "crates/azkv-certificates/src/generated/mod.rs",
        subject: "the Key Vault certificates API",
        sensitive: &[
            ("CertificateImportParameters", "value"),
            ("CertificateImportParameters", "pwd"),
            ("IssuerCredentials", "pwd"),
        ],
    },
    Target {
        spec:
            "keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2026-02-01/openapi.json",
        out: "crates/azkv-mgmt/src/generated/mod.rs",
        subject: "the Microsoft.KeyVault resource provider",
        sensitive: &[("SecretProperties", "value")],
    },
];

/// Runs the generator; with `check`, compares instead of writing.
pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let mut stale = Vec::new();
    for target in TARGETS {
        let spec_path = root.join("specs").join(target.spec);
        let text = std::fs::read_to_string(&spec_path).map_err(|e| {
            format!(
                "cannot read {}: {e}; run `cargo xtask specs-import` first",
                spec_path.display()
            )
        })?;
        let spec: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;
        let external = external_definitions(&spec, &spec_path)?;
        let code = rustfmt(&generate(&spec, target, external)?)?;
        let out = root.join(target.out);
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current == code {
            continue;
        }
        if check {
            stale.push(target.out);
        } else {
            if let Some(parent) = out.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(&out, code)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            println!("wrote {}", target.out);
        }
    }
    if stale.is_empty() {
        if check {
            println!("generated code is up to date");
        }
        Ok(())
    } else {
        Err(format!(
            "generated code is stale: {}; run `cargo xtask codegen` and commit the result",
            stale.join(", ")
        ))
    }
}

fn rustfmt(code: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin
            .write_all(code.as_bytes())
            .map_err(|e| format!("cannot feed rustfmt: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

/// Converts `camelCase`, `PascalCase`, `kebab-case` or `a+b` to `snake_case`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if !out.is_empty() && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower))
            {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    match out.as_str() {
        "type" | "ref" | "self" | "match" | "move" | "use" | "mod" | "fn" | "in" | "impl"
        | "enum" | "struct" => format!("{out}_"),
        _ if out.starts_with(|c: char| c.is_ascii_digit()) => format!("n{out}"),
        _ => out,
    }
}

/// Converts any name to `PascalCase`; all-capital words become `Abc` (`PFX` → `Pfx`).
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let all_caps = word.len() > 1 && word.chars().all(|c| !c.is_ascii_lowercase());
        for (i, c) in word.chars().enumerate() {
            if i == 0 {
                out.push(c.to_ascii_uppercase());
            } else if all_caps {
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

fn screaming(name: &str) -> String {
    snake(name).trim_end_matches('_').to_ascii_uppercase()
}

struct Gen<'a> {
    spec: &'a Value,
    target: &'a Target,
    /// Enums found inline on properties: name → values (wire value, variant).
    enums: BTreeMap<String, Vec<(String, String)>>,
    /// Definitions of other files the spec refers to (`common-types`), by name.
    external: Map<String, Value>,
}

/// Whether a `$ref` points into another file.
fn is_external(reference: &str) -> bool {
    !reference.starts_with('#')
}

/// The definitions of every other file `spec` (at `spec_path`) refers to, and of the files
/// those refer to in turn.
fn external_definitions(spec: &Value, spec_path: &Path) -> Result<Map<String, Value>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut pending: Vec<(Value, PathBuf)> = vec![(spec.clone(), spec_path.to_path_buf())];
    let mut out = Map::new();
    while let Some((doc, path)) = pending.pop() {
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        for reference in refs {
            let Some((file, _)) = reference.split_once('#') else {
                continue;
            };
            if file.is_empty() {
                continue;
            }
            let Some(dir) = path.parent() else { continue };
            let target = normalize(&dir.join(file));
            if files.contains(&target) {
                continue;
            }
            let text = std::fs::read_to_string(&target)
                .map_err(|e| format!("cannot read {}: {e}", target.display()))?;
            let value: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", target.display()))?;
            if let Some(defs) = value["definitions"].as_object() {
                for (k, v) in defs {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            files.push(target.clone());
            pending.push((value, target));
        }
    }
    Ok(out)
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn ref_name(reference: &str) -> Option<&str> {
    reference
        .rsplit('/')
        .next()
        .filter(|_| reference.contains("#/definitions/"))
}

fn enum_values(schema: &Value) -> Vec<(String, String)> {
    let named: BTreeMap<String, String> = schema["x-ms-enum"]["values"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| {
                    Some((v["value"].as_str()?.to_owned(), pascal(v["name"].as_str()?)))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    schema["enum"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|value| {
                    let variant = named.get(value).cloned().unwrap_or_else(|| pascal(value));
                    seen.insert(variant.clone())
                        .then(|| (value.to_owned(), variant))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl<'a> Gen<'a> {
    fn definitions(&self) -> &'a Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.spec["definitions"]
            .as_object()
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// The Rust type of a property schema, inside definition `owner`.
    fn rust_type(&mut self, owner: &str, schema: &Value) -> String {
        let unknown_here = schema["$ref"]
            .as_str()
            .and_then(ref_name)
            .is_some_and(|name| !self.definitions().contains_key(name));
        if schema["$ref"].as_str().is_some_and(is_external) || unknown_here {
            // Types of shared files (such as `systemData`) stay untyped JSON.
            return "serde_json::Value".to_owned();
        }
        if let Some(name) = schema["$ref"].as_str().and_then(ref_name) {
            // A named scalar (`Azure.Core.uuid`: a string) is that scalar.
            if let Some(def) = self.definitions().get(name) {
                let scalar = def["type"].as_str().is_some_and(|t| t != "object");
                if scalar && def.get("enum").is_none() {
                    return self.rust_type(owner, def);
                }
            }
            let ty = pascal(name);
            return if name == owner {
                format!("Box<{ty}>")
            } else {
                ty
            };
        }
        if schema.get("enum").is_some() {
            if let Some(name) = schema["x-ms-enum"]["name"].as_str() {
                let name = pascal(name);
                if !self.definitions().contains_key(&name) {
                    self.enums
                        .entry(name.clone())
                        .or_insert_with(|| enum_values(schema));
                }
                return name;
            }
            return "String".to_owned();
        }
        match schema["type"].as_str() {
            Some("string") => "String".to_owned(),
            Some("boolean") => "bool".to_owned(),
            Some("number") => "f64".to_owned(),
            Some("integer") => match schema["format"].as_str() {
                Some("int32") => "i32".to_owned(),
                _ => "i64".to_owned(),
            },
            Some("array") => format!("Vec<{}>", self.rust_type(owner, &schema["items"])),
            Some("object") | None if schema.get("additionalProperties").is_some() => {
                let inner = &schema["additionalProperties"];
                if inner.is_object() && !inner.as_object().is_some_and(Map::is_empty) {
                    format!("BTreeMap<String, {}>", self.rust_type(owner, inner))
                } else {
                    "BTreeMap<String, serde_json::Value>".to_owned()
                }
            }
            _ => "serde_json::Value".to_owned(),
        }
    }

    /// Properties of a definition with `allOf` parents first, and its required names.
    fn properties(&self, schema: &Value) -> (Vec<(String, Value)>, BTreeSet<String>) {
        let mut props = Vec::new();
        let mut required: BTreeSet<String> = schema["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(parents) = schema["allOf"].as_array() {
            for parent in parents {
                let reference = parent["$ref"].as_str();
                let parent_schema = match reference.and_then(ref_name) {
                    Some(name) if reference.is_some_and(is_external) => {
                        self.external.get(name).cloned().unwrap_or(Value::Null)
                    }
                    Some(name) => self
                        .definitions()
                        .get(name)
                        .or_else(|| self.external.get(name))
                        .cloned()
                        .unwrap_or(Value::Null),
                    None => parent.clone(),
                };
                let (p, r) = self.properties(&parent_schema);
                props.extend(p);
                required.extend(r);
            }
        }
        if let Some(own) = schema["properties"].as_object() {
            for (name, prop) in own {
                props.retain(|(n, _)| n != name);
                props.push((name.clone(), prop.clone()));
            }
        }
        (props, required)
    }

    fn is_sensitive(&self, definition: &str, property: &str) -> bool {
        self.target
            .sensitive
            .iter()
            .any(|(d, p)| *d == definition && *p == property)
    }

    fn write_struct(&mut self, out: &mut String, name: &str, schema: &Value) {
        let (props, required) = self.properties(schema);
        let mut fields = String::new();
        let mut all_optional = true;
        let mut used = BTreeSet::new();
        for (wire, prop) in &props {
            let mut field = snake(prop["x-ms-client-name"].as_str().unwrap_or(wire));
            while !used.insert(field.clone()) {
                field.push('_');
            }
            let mut ty = self.rust_type(name, prop);
            if self.is_sensitive(name, wire) {
                ty = format!("Sensitive<{ty}>");
            }
            let _ = writeln!(fields, "    /// Wire field `{wire}`.");
            if required.contains(wire) {
                all_optional = false;
                let _ = writeln!(fields, "    #[serde(rename = \"{wire}\")]");
                let _ = writeln!(fields, "    pub {field}: {ty},");
            } else {
                let _ = writeln!(fields, "    #[serde(rename = \"{wire}\", default, skip_serializing_if = \"Option::is_none\")]");
                let _ = writeln!(fields, "    pub {field}: Option<{ty}>,");
            }
        }
        let default = if all_optional { ", Default" } else { "" };
        let _ = writeln!(out, "/// Wire model of `{name}`.");
        let _ = writeln!(
            out,
            "#[derive(Clone, Debug, PartialEq{default}, Serialize, Deserialize)]"
        );
        let _ = writeln!(out, "pub struct {} {{\n{fields}}}\n", pascal(name));
    }

    fn write_enum(out: &mut String, name: &str, values: &[(String, String)]) {
        let _ = writeln!(out, "/// Wire values of `{name}`; a value this version does not know is kept in `UnknownValue`.");
        let _ = writeln!(
            out,
            "#[derive(Clone, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum {name} {{"
        );
        for (value, variant) in values {
            let _ = writeln!(out, "    /// Wire value `{value}`.\n    {variant},");
        }
        let _ = writeln!(
            out,
            "    /// A value this version does not know.\n    UnknownValue(String),\n}}\n"
        );
        let _ = writeln!(out, "impl {name} {{\n    /// The wire value.\n    pub fn as_str(&self) -> &str {{\n        match self {{");
        for (value, variant) in values {
            let _ = writeln!(out, "            Self::{variant} => \"{value}\",");
        }
        let _ = writeln!(
            out,
            "            Self::UnknownValue(value) => value,\n        }}\n    }}\n}}\n"
        );
        let _ = writeln!(out, "impl From<&str> for {name} {{\n    fn from(value: &str) -> Self {{\n        match value {{");
        for (value, variant) in values {
            let _ = writeln!(out, "            \"{value}\" => Self::{variant},");
        }
        let _ = writeln!(
            out,
            "            other => Self::UnknownValue(other.to_owned()),\n        }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            out,
            "impl std::fmt::Display for {name} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.write_str(self.as_str())\n    }}\n}}\n"
        );
        let _ = writeln!(
            out,
            "impl Serialize for {name} {{\n    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n        serializer.serialize_str(self.as_str())\n    }}\n}}\n"
        );
        let _ = writeln!(
            out,
            "impl<'de> Deserialize<'de> for {name} {{\n    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        let value = String::deserialize(deserializer)?;\n        Ok(Self::from(value.as_str()))\n    }}\n}}\n"
        );
    }

    fn write_operations(&self, out: &mut String) {
        let mut ops = Vec::new();
        if let Some(paths) = self.spec["paths"].as_object() {
            for (path, methods) in paths {
                let Some(methods) = methods.as_object() else {
                    continue;
                };
                for (method, op) in methods {
                    if let Some(id) = op["operationId"].as_str() {
                        ops.push((id.to_owned(), method.to_ascii_uppercase(), path.clone()));
                    }
                }
            }
        }
        ops.sort();
        for (id, method, path) in ops {
            // `Group_Action` ids keep their group: `Vaults_Get` → `VAULTS_GET`.
            let const_name = id.split('_').map(screaming).collect::<Vec<_>>().join("_");
            let _ = writeln!(out, "/// Operation `{id}`: `{method} {path}`.");
            let _ = writeln!(
                out,
                "pub const {}: ApiOperation = ApiOperation {{ id: \"{id}\", method: \"{method}\", path: \"{path}\" }};\n",
                const_name
            );
        }
    }
}

fn generate(spec: &Value, target: &Target, external: Map<String, Value>) -> Result<String, String> {
    let mut gen = Gen {
        spec,
        target,
        enums: BTreeMap::new(),
        external,
    };
    let version = spec["info"]["version"]
        .as_str()
        .ok_or("spec has no info.version")?;
    let mut body = String::new();
    let definitions = gen.definitions().clone();
    for (name, schema) in &definitions {
        if schema.get("enum").is_some() {
            let values = enum_values(schema);
            gen.enums.insert(pascal(name), values);
        } else if schema["type"].as_str().is_none_or(|t| t == "object") {
            gen.write_struct(&mut body, name, schema);
        }
    }
    let mut enums = String::new();
    for (name, values) in &gen.enums.clone() {
        Gen::write_enum(&mut enums, name, values);
    }
    let mut ops = String::new();
    gen.write_operations(&mut ops);
    let uses_sensitive = !target.sensitive.is_empty();
    let uses_map = body.contains("BTreeMap<");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Wire models and operations of {}, version `{version}`.",
        target.subject
    );
    let _ = writeln!(out, "//!");
    let _ = writeln!(
        out,
        "//! Generated by `cargo xtask codegen` from `specs/{}`: do not edit.",
        target.spec
    );
    let _ = writeln!(out, "#![allow(dead_code)]\n");
    if uses_sensitive {
        let _ = writeln!(out, "use azkv_core::Sensitive;");
    }
    let _ = writeln!(out, "use serde::{{Deserialize, Serialize}};");
    if uses_map {
        let _ = writeln!(out, "use std::collections::BTreeMap;");
    }
    let _ = writeln!(out, "\n/// The API version these models describe.\npub const API_VERSION: &str = \"{version}\";\n");
    let _ = writeln!(
        out,
        "/// One operation of the API: its id, HTTP method and path template.\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub struct ApiOperation {{\n    /// The operation id.\n    pub id: &'static str,\n    /// The HTTP method.\n    pub method: &'static str,\n    /// The path template, with `{{name}}` placeholders.\n    pub path: &'static str,\n}}\n"
    );
    out.push_str(&ops);
    out.push_str(&body);
    out.push_str(&enums);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("contentType"), "content_type");
        assert_eq!(snake("NotBefore"), "not_before");
        assert_eq!(snake("secret-name"), "secret_name");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("innerError"), "inner_error");
        assert_eq!(snake("x509Thumbprint"), "x509_thumbprint");
        assert_eq!(snake("KVCertificate"), "kv_certificate");
        assert_eq!(pascal("Recoverable+Purgeable"), "RecoverablePurgeable");
        assert_eq!(pascal("application/x-pkcs12"), "ApplicationXPkcs12");
        assert_eq!(screaming("GetSecret"), "GET_SECRET");
        assert_eq!(pascal("PFX"), "Pfx");
        assert_eq!(pascal("RSA-HSM"), "RsaHsm");
        assert_eq!(pascal("P-256K"), "P256k");
    }

    #[test]
    fn generates_structs_enums_and_operations() {
        let spec = serde_json::json!({
            "info": { "version": "1.0" },
            "paths": { "/things/{name}": { "get": { "operationId": "GetThing" } } },
            "definitions": {
                "Base": { "type": "object", "properties": { "id": { "type": "string" } } },
                "Thing": { "allOf": [ { "$ref": "#/definitions/Base" } ], "required": ["value"],
                    "properties": { "value": { "type": "string" }, "level": { "$ref": "#/definitions/Level" },
                        "next": { "$ref": "#/definitions/Thing" }, "tags": { "type": "object", "additionalProperties": { "type": "string" } } } },
                "Level": { "type": "string", "enum": ["a+b", "c"] }
            }
        });
        let target = Target {
            spec: "x.json",
            out: "x.rs",
            subject: "things",
            sensitive: &[("Thing", "value")],
        };
        let code = generate(&spec, &target, Map::new()).unwrap();
        assert!(code.contains("pub value: Sensitive<String>,"), "{code}");
        assert!(code.contains("pub id: Option<String>,"));
        assert!(code.contains("pub next: Option<Box<Thing>>,"));
        assert!(code.contains("pub tags: Option<BTreeMap<String, String>>,"));
        assert!(code.contains("UnknownValue(String)"));
        assert!(
            code.contains("    AB,") || code.contains("    Ab,"),
            "{code}"
        );
        assert!(code.contains("pub const GET_THING: ApiOperation"));
        assert!(!code.contains("description"));
    }
}
