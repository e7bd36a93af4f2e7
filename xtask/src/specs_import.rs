//! `cargo xtask specs-import`: copies the Key Vault OpenAPI specs (and their example payloads,
//! our test vectors) into `specs/`, dropping every prose field so that no upstream wording
//! enters the repository. Output is pretty-printed JSON with sorted keys: deterministic.

use serde_json::Value;
use std::fs;
use std::path::Path;

/// Spec files to import, relative to the specs root.
pub const SPECS: &[&str] = &[
    "keyvault/data-plane/Secrets/stable/2026-04-01/secrets.json",
    "keyvault/data-plane/Keys/stable/2026-04-01/keys.json",
    "keyvault/data-plane/Certificates/stable/2026-04-01/certificates.json",
    "keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2026-02-01/openapi.json",
    "common-types/resource-management/v5/types.json",
    "common-types/resource-management/v5/managedidentity.json",
];

/// Keys whose values are prose.
const PROSE: &[&str] = &[
    "description",
    "summary",
    "title",
    "x-ms-examples",
    "externalDocs",
];

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in PROSE {
                map.remove(*key);
            }
            // x-ms-enum value lists carry a description per value.
            for v in map.values_mut() {
                strip(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn copy_json(from: &Path, to: &Path) -> Result<(), String> {
    let text =
        fs::read_to_string(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let mut value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", from.display()))?;
    strip(&mut value);
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut out = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    out.push('\n');
    fs::write(to, out).map_err(|e| format!("cannot write {}: {e}", to.display()))
}

/// Imports from `from` (the shared specs folder) into `to` (the repository's `specs/`).
pub fn run(from: &Path, to: &Path) -> Result<(), String> {
    let mut count = 0;
    for spec in SPECS {
        let source = from.join(spec);
        copy_json(&source, &to.join(spec))?;
        count += 1;
        let examples = source.parent().map(|p| p.join("examples"));
        if let Some(examples) = examples.filter(|p| p.is_dir()) {
            let mut entries: Vec<_> = fs::read_dir(&examples)
                .map_err(|e| format!("cannot list {}: {e}", examples.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            entries.sort();
            for example in entries {
                let Some(name) = example.file_name() else {
                    continue;
                };
                let Some(spec_dir) = Path::new(spec).parent() else {
                    continue;
                };
                copy_json(&example, &to.join(spec_dir).join("examples").join(name))?;
                count += 1;
            }
        }
    }
    println!("imported {count} files into {}", to.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_removed_everywhere() {
        let mut v: Value = serde_json::json!({
            "description": "d", "title": "t",
            "definitions": { "A": { "description": "x", "properties": { "b": { "summary": "s", "type": "string" } } } },
            "x-ms-enum": { "values": [ { "name": "N", "value": "v", "description": "long" } ] }
        });
        strip(&mut v);
        let text = v.to_string();
        for word in ["\"description\"", "\"title\"", "\"summary\""] {
            assert!(!text.contains(word), "{text}");
        }
        assert!(text.contains("\"type\":\"string\""));
        assert!(text.contains("\"value\":\"v\""));
    }
}
