//! Durable state for `--data-dir`: every vault object, the token signing key, the backup key
//! and the clock offset, in one embedded transactional store (redb) at
//! `DIR/azkv-emulator.redb`.
//!
//! Each change is its own write transaction, committed (and synced) before the request is
//! answered, so an acknowledged write survives a crash. The store records its schema version;
//! a directory written by a newer emulator is refused rather than rewritten.

use crate::store::{Certificate, Deleted, Key, Secret};
use crate::EmulatorError;
use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The schema this emulator writes.
pub const SCHEMA_VERSION: u32 = 1;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const SECRETS: TableDefinition<&str, &[u8]> = TableDefinition::new("secrets");
const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
const CERTIFICATES: TableDefinition<&str, &[u8]> = TableDefinition::new("certificates");

/// An object as stored: active, or deleted and waiting for recovery or purge.
#[derive(Serialize, Deserialize)]
enum Record<T> {
    Active(T),
    Deleted {
        // Named for the first kind stored; kept so existing directories stay readable.
        #[serde(rename = "secret")]
        object: T,
        deleted_date: i64,
        scheduled_purge_date: i64,
    },
}

/// Active and deleted objects of one table: (vault, lowercased name, object).
type Objects<T> = (Vec<(String, String, T)>, Vec<(String, String, Deleted<T>)>);

fn read_objects<T: serde::de::DeserializeOwned>(
    txn: &redb::ReadTransaction,
    table: TableDefinition<&str, &[u8]>,
) -> Result<Objects<T>, EmulatorError> {
    let mut active = Vec::new();
    let mut deleted = Vec::new();
    let table = match txn.open_table(table) {
        Ok(table) => table,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok((active, deleted)),
        Err(e) => return Err(store_error("cannot read", e)),
    };
    for item in table.iter().map_err(|e| store_error("cannot read", e))? {
        let (k, v) = item.map_err(|e| store_error("cannot read", e))?;
        let Some((vault, name)) = k
            .value()
            .split_once('/')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        else {
            continue;
        };
        let record: Record<T> =
            serde_json::from_slice(v.value()).map_err(|e| store_error("corrupt record", e))?;
        match record {
            Record::Active(object) => active.push((vault, name, object)),
            Record::Deleted {
                object,
                deleted_date,
                scheduled_purge_date,
            } => deleted.push((
                vault,
                name,
                Deleted {
                    object,
                    deleted_date,
                    scheduled_purge_date,
                    settles_at: Instant::now(),
                },
            )),
        }
    }
    Ok((active, deleted))
}

/// What a data directory held.
#[derive(Default)]
pub struct Loaded {
    /// Token signing key (PKCS#8).
    pub signing_key: Option<Vec<u8>>,
    /// Backup sealing key.
    pub backup_key: Option<Vec<u8>>,
    /// Clock offset in seconds.
    pub clock_offset: i64,
    /// (vault, lowercased name, active secret).
    pub secrets: Vec<(String, String, Secret)>,
    /// (vault, lowercased name, deleted secret).
    pub deleted_secrets: Vec<(String, String, Deleted<Secret>)>,
    /// (vault, lowercased name, active key).
    pub keys: Vec<(String, String, Key)>,
    /// (vault, lowercased name, deleted key).
    pub deleted_keys: Vec<(String, String, Deleted<Key>)>,
    /// (vault, lowercased name, active certificate).
    pub certificates: Vec<(String, String, Certificate)>,
    /// (vault, lowercased name, deleted certificate).
    pub deleted_certificates: Vec<(String, String, Deleted<Certificate>)>,
    /// (vault, access policies) of vaults that have policies.
    pub access_policies: Vec<(String, Vec<crate::access::AccessPolicy>)>,
    /// Management-plane records (`arm-vault:NAME`, `arm-deleted:NAME`) and their JSON.
    pub arm: Vec<(String, Vec<u8>)>,
}

/// The open store.
pub struct Durable {
    db: Database,
}

impl std::fmt::Debug for Durable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Durable")
    }
}

fn store_error(what: &str, err: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::Store(format!("{what}: {err}"))
}

fn key(vault: &str, name: &str) -> String {
    format!("{vault}/{name}")
}

impl Durable {
    /// Opens (or creates) the store in `dir` and reads everything in it.
    pub fn open(dir: &Path) -> Result<(Self, Loaded), EmulatorError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| store_error(&format!("cannot create {}", dir.display()), e))?;
        let path = dir.join("azkv-emulator.redb");
        let db = Database::create(&path)
            .map_err(|e| store_error(&format!("cannot open {}", path.display()), e))?;
        let durable = Self { db };
        let mut loaded = Loaded::default();
        let txn = durable
            .db
            .begin_read()
            .map_err(|e| store_error("cannot read", e))?;
        match txn.open_table(META) {
            Ok(meta) => {
                let get = |name: &str| -> Result<Option<Vec<u8>>, EmulatorError> {
                    Ok(meta
                        .get(name)
                        .map_err(|e| store_error("cannot read", e))?
                        .map(|v| v.value().to_vec()))
                };
                if let Some(version) = get("schema_version")? {
                    let version =
                        u32::from_le_bytes(version.try_into().map_err(|_| {
                            EmulatorError::Store("unreadable schema version".into())
                        })?);
                    if version > SCHEMA_VERSION {
                        return Err(EmulatorError::Store(format!(
                            "{} was written by a newer emulator (schema {version}; this one reads up to {SCHEMA_VERSION}); it was left untouched",
                            path.display()
                        )));
                    }
                }
                for item in meta.iter().map_err(|e| store_error("cannot read", e))? {
                    let (k, v) = item.map_err(|e| store_error("cannot read", e))?;
                    if k.value().starts_with("arm-") {
                        loaded.arm.push((k.value().to_owned(), v.value().to_vec()));
                    }
                    if let Some(vault) = k.value().strip_prefix("policies:") {
                        let policies = serde_json::from_slice(v.value())
                            .map_err(|e| store_error("corrupt access policies", e))?;
                        loaded.access_policies.push((vault.to_owned(), policies));
                    }
                }
                loaded.signing_key = get("signing_key")?;
                loaded.backup_key = get("backup_key")?;
                if let Some(offset) = get("clock_offset")? {
                    loaded.clock_offset = offset.try_into().map(i64::from_le_bytes).unwrap_or(0);
                }
            }
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(store_error("cannot read", e)),
        }
        (loaded.secrets, loaded.deleted_secrets) = read_objects(&txn, SECRETS)?;
        (loaded.keys, loaded.deleted_keys) = read_objects(&txn, KEYS)?;
        (loaded.certificates, loaded.deleted_certificates) = read_objects(&txn, CERTIFICATES)?;
        drop(txn);
        durable.put_meta("schema_version", &SCHEMA_VERSION.to_le_bytes())?;
        Ok((durable, loaded))
    }

    /// Stores one metadata value.
    pub fn put_meta(&self, name: &str, value: &[u8]) -> Result<(), EmulatorError> {
        let txn = self
            .db
            .begin_write()
            .map_err(|e| store_error("cannot write", e))?;
        {
            let mut meta = txn
                .open_table(META)
                .map_err(|e| store_error("cannot write", e))?;
            meta.insert(name, value)
                .map_err(|e| store_error("cannot write", e))?;
        }
        txn.commit().map_err(|e| store_error("cannot commit", e))
    }

    /// Removes one metadata value.
    pub fn remove_meta(&self, name: &str) -> Result<(), EmulatorError> {
        let txn = self
            .db
            .begin_write()
            .map_err(|e| store_error("cannot write", e))?;
        {
            let mut meta = txn
                .open_table(META)
                .map_err(|e| store_error("cannot write", e))?;
            meta.remove(name)
                .map_err(|e| store_error("cannot write", e))?;
        }
        txn.commit().map_err(|e| store_error("cannot commit", e))
    }

    /// Stores a vault's access policies; `None` removes them.
    pub fn save_access_policies(
        &self,
        vault: &str,
        policies: Option<&[crate::access::AccessPolicy]>,
    ) -> Result<(), EmulatorError> {
        let name = format!("policies:{vault}");
        let txn = self
            .db
            .begin_write()
            .map_err(|e| store_error("cannot write", e))?;
        {
            let mut meta = txn
                .open_table(META)
                .map_err(|e| store_error("cannot write", e))?;
            match policies {
                Some(policies) => {
                    let bytes = serde_json::to_vec(policies)
                        .map_err(|e| store_error("cannot encode", e))?;
                    meta.insert(name.as_str(), bytes.as_slice())
                        .map_err(|e| store_error("cannot write", e))?;
                }
                None => {
                    meta.remove(name.as_str())
                        .map_err(|e| store_error("cannot write", e))?;
                }
            }
        }
        txn.commit().map_err(|e| store_error("cannot commit", e))
    }

    /// Stores the state of one secret: active, deleted, or gone (`None`, `None`).
    pub fn save_secret(
        &self,
        vault: &str,
        name: &str,
        active: Option<&Secret>,
        deleted: Option<&Deleted<Secret>>,
    ) -> Result<(), EmulatorError> {
        self.save(SECRETS, vault, name, active, deleted)
    }

    /// Stores the state of one key: active, deleted, or gone (`None`, `None`).
    pub fn save_key(
        &self,
        vault: &str,
        name: &str,
        active: Option<&Key>,
        deleted: Option<&Deleted<Key>>,
    ) -> Result<(), EmulatorError> {
        self.save(KEYS, vault, name, active, deleted)
    }

    /// Stores the state of one certificate: active, deleted, or gone.
    pub fn save_certificate(
        &self,
        vault: &str,
        name: &str,
        active: Option<&Certificate>,
        deleted: Option<&Deleted<Certificate>>,
    ) -> Result<(), EmulatorError> {
        self.save(CERTIFICATES, vault, name, active, deleted)
    }

    fn save<T: Serialize + Clone>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        vault: &str,
        name: &str,
        active: Option<&T>,
        deleted: Option<&Deleted<T>>,
    ) -> Result<(), EmulatorError> {
        let record = match (active, deleted) {
            (Some(object), _) => Some(Record::Active(object.clone())),
            (None, Some(d)) => Some(Record::Deleted {
                object: d.object.clone(),
                deleted_date: d.deleted_date,
                scheduled_purge_date: d.scheduled_purge_date,
            }),
            (None, None) => None,
        };
        let txn = self
            .db
            .begin_write()
            .map_err(|e| store_error("cannot write", e))?;
        {
            let mut table = txn
                .open_table(table)
                .map_err(|e| store_error("cannot write", e))?;
            let k = key(vault, name);
            match record {
                Some(record) => {
                    let bytes =
                        serde_json::to_vec(&record).map_err(|e| store_error("cannot encode", e))?;
                    table
                        .insert(k.as_str(), bytes.as_slice())
                        .map_err(|e| store_error("cannot write", e))?;
                }
                None => {
                    table
                        .remove(k.as_str())
                        .map_err(|e| store_error("cannot write", e))?;
                }
            }
        }
        txn.commit().map_err(|e| store_error("cannot commit", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SecretVersion;

    fn secret() -> Secret {
        Secret {
            name: "Db".into(),
            versions: vec![SecretVersion {
                version: "v1".into(),
                value: "x".into(),
                content_type: None,
                tags: None,
                enabled: true,
                nbf: None,
                exp: None,
                created: 1,
                updated: 1,
                managed_key_id: None,
            }],
        }
    }

    #[test]
    fn round_trips_and_refuses_newer_schemas() {
        let dir = std::env::temp_dir().join(format!("azkv-persist-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let (store, loaded) = Durable::open(&dir).unwrap();
            assert!(loaded.secrets.is_empty());
            store.put_meta("signing_key", b"k").unwrap();
            store.save_secret("v", "db", Some(&secret()), None).unwrap();
            let deleted = Deleted {
                object: secret(),
                deleted_date: 5,
                scheduled_purge_date: 9,
                settles_at: Instant::now(),
            };
            store
                .save_secret("v", "gone", None, Some(&deleted))
                .unwrap();
            store.save_secret("v", "never", None, None).unwrap();
        }
        {
            let (store, loaded) = Durable::open(&dir).unwrap();
            assert_eq!(loaded.signing_key.as_deref(), Some(&b"k"[..]));
            assert_eq!(loaded.secrets.len(), 1);
            assert_eq!(loaded.secrets[0].2.name, "Db");
            assert_eq!(loaded.deleted_secrets[0].2.scheduled_purge_date, 9);
            store
                .put_meta("schema_version", &(SCHEMA_VERSION + 1).to_le_bytes())
                .unwrap();
        }
        let Err(err) = Durable::open(&dir) else {
            panic!("a newer schema must be refused")
        };
        assert!(err.to_string().contains("newer emulator"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
