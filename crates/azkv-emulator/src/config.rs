//! [`EmulatorConfig`]: how an emulator starts, and the command-line flags that fill it.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// The default tenant id of tokens and challenges.
pub const DEFAULT_TENANT: &str = "7a8e3f3c-0e1b-4d55-9d6c-9f0c1c0ffee0";

/// How the emulator serves TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Make a CA and server certificate at start; write the CA PEM to `ca_cert_out` when set.
    Generate {
        /// Where to write the CA certificate PEM.
        ca_cert_out: Option<PathBuf>,
    },
    /// Serve the certificate chain and key in these PEM files.
    Files {
        /// Certificate chain PEM.
        cert: PathBuf,
        /// Private key PEM.
        key: PathBuf,
        /// CA certificate clients should trust (defaults to `cert`).
        ca: Option<PathBuf>,
    },
    /// Plain HTTP.
    Disabled,
}

/// How an emulator starts.
#[derive(Clone, Debug, PartialEq)]
pub struct EmulatorConfig {
    /// Address to listen on. Default `127.0.0.1`.
    pub host: IpAddr,
    /// Main port; 0 picks a free one. Default 0.
    pub port: u16,
    /// TLS. Default: generated certificates, CA not written to a file.
    pub tls: TlsMode,
    /// Tenant of tokens and challenges.
    pub tenant_id: String,
    /// Registered clients (id → secret). With no client registered (here or in
    /// `client_certificates`) any client id and secret are accepted.
    pub clients: BTreeMap<String, String>,
    /// Registered certificate clients (id → DER certificates): their assertions must be signed
    /// by the key of one of these certificates.
    pub client_certificates: BTreeMap<String, Vec<Vec<u8>>>,
    /// Name of the vault on the main port. Default `emulator`.
    pub default_vault: String,
    /// More vaults, each on its own port.
    pub vaults: Vec<String>,
    /// Access policies per vault name, set at start (see `--access-policy`).
    pub access_policies: BTreeMap<String, Vec<crate::access::AccessPolicy>>,
    /// Lifetime of issued tokens. Default 1 h.
    pub token_lifetime: Duration,
    /// How long a delete stays "in progress" (deleted object not yet visible, name busy with
    /// 409). Default 300 ms.
    pub delete_delay: Duration,
    /// Faults to inject into data-plane requests; none by default.
    pub faults: Option<crate::faults::FaultConfig>,
    /// Keep everything in this directory, durably; in memory only when `None`.
    pub data_dir: Option<PathBuf>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: TlsMode::Generate { ca_cert_out: None },
            tenant_id: DEFAULT_TENANT.to_owned(),
            clients: BTreeMap::new(),
            client_certificates: BTreeMap::new(),
            default_vault: "emulator".to_owned(),
            vaults: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            delete_delay: Duration::from_millis(300),
            faults: None,
            data_dir: None,
            access_policies: BTreeMap::new(),
        }
    }
}

/// Usage text of the binary.
pub const USAGE: &str = "\
azkv-emulator: a local Azure Key Vault

Usage: azkv-emulator [options]

Options:
  --host ADDR            address to listen on (default 127.0.0.1)
  --port N               main port; 0 picks a free one (default 8443)
  --http                 plain HTTP instead of HTTPS
  --cert PEM --key PEM   serve this certificate chain and key instead of generated ones
  --ca-cert PEM          with --cert: the CA certificate clients should trust
  --ca-cert-out PATH     where to write the generated CA certificate (default: temp dir)
  --tenant ID            tenant of tokens and challenges
  --client ID=SECRET     accept only registered clients (repeatable)
  --client-cert ID=PEM   register a certificate client; its assertions must be signed
                         by that certificate's key (repeatable)
  --vault NAME           add a vault on its own port (repeatable)
  --token-lifetime SECS  lifetime of issued tokens (default 3600)
  --delete-delay-ms N    how long a delete stays in progress (default 300)
  --access-policy VAULT:CLIENT_ID=PERM[,PERM]
                         restrict VAULT to callers with policies (repeatable);
                         secrets permissions: get,list,set,delete,backup,restore,
                         recover,purge or all; keys permissions prefixed keys:
                         (keys:get,keys:sign,keys:all...)
  --data-dir DIR         keep vaults, objects and keys in DIR (durably); restart with
                         the same DIR to get them back
  --faults SPEC          inject faults, e.g. 429=0.1,503=0.05,drop=0.02,slow=0.01,
                         slow-ms=200,retry-after-ms=1000,seed=7
  -h, --help             this text
  -V, --version          the version

When ready it prints one JSON line: {\"event\":\"ready\",\"vault_url\":...}.
";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Run with this configuration.
    Run(Box<EmulatorConfig>),
    /// Print usage.
    Help,
    /// Print the version.
    Version,
}

fn value<'a>(flag: &str, it: &mut impl Iterator<Item = &'a String>) -> Result<&'a String, String> {
    it.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn valid_vault_name(name: &str) -> bool {
    (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && !name.ends_with('-')
        && !name.contains("--")
}

/// Parses the arguments after the program name.
pub fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut config = EmulatorConfig {
        port: 8443,
        tls: TlsMode::Generate {
            ca_cert_out: Some(std::env::temp_dir().join("azkv-emulator-ca.pem")),
        },
        ..EmulatorConfig::default()
    };
    let mut http = false;
    let mut cert = None;
    let mut key = None;
    let mut ca = None;
    let mut ca_out = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--http" => http = true,
            "--host" => {
                config.host = value(arg, &mut it)?
                    .parse()
                    .map_err(|_| "--host needs an IP address".to_owned())?
            }
            "--port" => {
                config.port = value(arg, &mut it)?
                    .parse()
                    .map_err(|_| "--port needs a number from 0 to 65535".to_owned())?
            }
            "--cert" => cert = Some(PathBuf::from(value(arg, &mut it)?)),
            "--key" => key = Some(PathBuf::from(value(arg, &mut it)?)),
            "--ca-cert" => ca = Some(PathBuf::from(value(arg, &mut it)?)),
            "--ca-cert-out" => ca_out = Some(PathBuf::from(value(arg, &mut it)?)),
            "--tenant" => config.tenant_id = value(arg, &mut it)?.clone(),
            "--client" => {
                let v = value(arg, &mut it)?;
                let (id, secret) = v
                    .split_once('=')
                    .filter(|(id, s)| !id.is_empty() && !s.is_empty())
                    .ok_or_else(|| "--client needs ID=SECRET".to_owned())?;
                config.clients.insert(id.to_owned(), secret.to_owned());
            }
            "--client-cert" => {
                let v = value(arg, &mut it)?;
                let (id, path) = v
                    .split_once('=')
                    .filter(|(id, p)| !id.is_empty() && !p.is_empty())
                    .ok_or_else(|| "--client-cert needs ID=PEM_FILE".to_owned())?;
                let certs = crate::tls::read_certificates(std::path::Path::new(path))
                    .map_err(|e| format!("--client-cert {id}: {e}"))?;
                config
                    .client_certificates
                    .entry(id.to_owned())
                    .or_default()
                    .extend(certs);
            }
            "--vault" => {
                let name = value(arg, &mut it)?.to_ascii_lowercase();
                if !valid_vault_name(&name) {
                    return Err(format!("--vault {name}: a vault name has 3 to 24 letters, digits and single hyphens, starting with a letter"));
                }
                if name == config.default_vault || config.vaults.contains(&name) {
                    return Err(format!("--vault {name} given twice"));
                }
                config.vaults.push(name);
            }
            "--access-policy" => {
                // VAULT:CLIENT_ID=perm,perm
                let v = value(arg, &mut it)?;
                let parsed = v.split_once(':').and_then(|(vault, rest)| {
                    let (client, perms) = rest.split_once('=')?;
                    let perms: Vec<String> = perms
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect();
                    (!vault.is_empty() && !client.is_empty() && !perms.is_empty())
                        .then(|| (vault.to_ascii_lowercase(), client.to_owned(), perms))
                });
                let (vault, client, perms) = parsed.ok_or_else(|| {
                    "--access-policy needs VAULT:CLIENT_ID=PERMISSION[,PERMISSION...]".to_owned()
                })?;
                let object_id = crate::identity::derived_guid(&format!("oid:{client}"));
                config
                    .access_policies
                    .entry(vault)
                    .or_default()
                    .push(access_policy(object_id, perms));
            }
            "--token-lifetime" => {
                let secs: u64 = value(arg, &mut it)?
                    .parse()
                    .map_err(|_| "--token-lifetime needs seconds".to_owned())?;
                config.token_lifetime = Duration::from_secs(secs.max(60));
            }
            "--delete-delay-ms" => {
                let ms: u64 = value(arg, &mut it)?
                    .parse()
                    .map_err(|_| "--delete-delay-ms needs milliseconds".to_owned())?;
                config.delete_delay = Duration::from_millis(ms);
            }
            "--data-dir" => config.data_dir = Some(PathBuf::from(value(arg, &mut it)?)),
            "--faults" => {
                config.faults = Some(crate::faults::FaultConfig::parse(value(arg, &mut it)?)?)
            }
            other => return Err(format!("unknown argument {other}; see --help")),
        }
    }
    config.tls = match (http, cert, key) {
        (true, None, None) => TlsMode::Disabled,
        (true, _, _) => return Err("--http cannot be combined with --cert/--key".to_owned()),
        (false, Some(cert), Some(key)) => TlsMode::Files { cert, key, ca },
        (false, None, None) => TlsMode::Generate {
            ca_cert_out: ca_out.or_else(|| {
                Some(
                    std::env::temp_dir()
                        .join(format!("azkv-emulator-{}-ca.pem", std::process::id())),
                )
            }),
        },
        (false, _, _) => return Err("--cert and --key go together".to_owned()),
    };
    Ok(Command::Run(Box::new(config)))
}

/// A policy from `--access-policy` permissions: `keys:PERM` for keys, `secrets:PERM` or a
/// bare `PERM` for secrets.
fn access_policy(object_id: String, perms: Vec<String>) -> crate::access::AccessPolicy {
    let mut policy = crate::access::AccessPolicy {
        object_id,
        ..Default::default()
    };
    for perm in perms {
        match perm.split_once(':') {
            Some(("keys", p)) => policy.keys.push(p.to_owned()),
            Some(("certificates", p)) => policy.certificates.push(p.to_owned()),
            Some((_, p)) => policy.secrets.push(p.to_owned()),
            None => policy.secrets.push(perm),
        }
    }
    policy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_flags() {
        let Command::Run(config) = parse_args(&args(
            "--port 0 --http --client a=b --vault second --tenant t",
        ))
        .unwrap() else {
            panic!("expected run");
        };
        assert_eq!(config.port, 0);
        assert_eq!(config.tls, TlsMode::Disabled);
        assert_eq!(config.clients.get("a").map(String::as_str), Some("b"));
        assert_eq!(config.vaults, vec!["second".to_owned()]);
        assert_eq!(config.tenant_id, "t");
    }

    #[test]
    fn parses_access_policies() {
        let Command::Run(config) = parse_args(&args("--vault second --access-policy second:app-1=get,list --access-policy emulator:app-2=all")).unwrap() else {
            panic!("expected run");
        };
        let second = &config.access_policies["second"];
        assert_eq!(second[0].secrets, vec!["get".to_owned(), "list".to_owned()]);
        assert_eq!(second[0].object_id.len(), 36);
        assert_eq!(
            config.access_policies["emulator"][0].secrets,
            vec!["all".to_owned()]
        );
        for bad in [
            "--access-policy x",
            "--access-policy v:app",
            "--access-policy v:app=",
            "--access-policy :app=get",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_bad_flags() {
        for bad in [
            "--port x",
            "--client a",
            "--vault x",
            "--vault a_b",
            "--cert c",
            "--bogus",
            "--http --cert a --key b",
            "--port",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse_args(&args("--help")).unwrap(), Command::Help);
    }
}
