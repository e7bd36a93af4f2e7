//! Credentials for the azkv clients: every type here implements
//! [`azkv_core::TokenCredential`].
//!
//! | credential | for |
//! |---|---|
//! | [`DefaultAzureCredential`] | "just work" in development and in Azure: environment → workload identity → managed identity → Azure CLI |
//! | [`ClientSecretCredential`] | a service principal with a client secret |
//! | [`ClientCertificateCredential`] | a service principal with a certificate (PEM or PKCS#12, no OpenSSL) |
//! | [`ManagedIdentityCredential`] | VMs, containers, App Service and Functions (IMDS or the App Service endpoint) |
//! | [`WorkloadIdentityCredential`] | Kubernetes workload identity federation |
//! | [`AzureCliCredential`] | the account signed in to `az` |
//! | [`EnvironmentCredential`] | a service principal described by `AZURE_*` variables |
//! | [`ChainedTokenCredential`] | your own order of credentials |
//! | [`StaticTokenCredential`] | a token you already have, or tokens from a closure |
//! | `AzureIdentityCredential` (feature `azure-identity`) | any credential of the official `azure_identity` crate |
//!
//! Credentials send token requests through the azkv-core pipeline (retry, logging with
//! redaction), cache tokens until five minutes before they expire, and never put a secret, an
//! assertion or a token into logs, `Debug`, `Display` or error messages. A credential that is
//! not set up in the current environment fails with
//! [`ErrorKind::CredentialUnavailable`](azkv_core::ErrorKind::CredentialUnavailable).
//!
//! Cargo features:
//! - `azure-identity` (off by default): `AzureIdentityCredential`, which uses any credential
//!   of the official `azure_identity` crate with azkv. It needs Rust 1.88, as `azure_core` does.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod authority;
mod azure_cli;
#[cfg(feature = "azure-identity")]
mod azure_identity_bridge;
mod certificate;
mod client_secret;
mod default;
mod der;
mod env_vars;
mod environment;
mod managed_identity;
mod pkcs12;
mod static_token;
mod token_cache;
mod workload;

pub use authority::AuthorityHost;
pub use azure_cli::{AzureCliCredential, AzureCliCredentialOptions};
#[cfg(feature = "azure-identity")]
pub use azure_identity_bridge::AzureIdentityCredential;
pub use certificate::{
    ClientCertificate, ClientCertificateCredential, ClientCertificateCredentialOptions,
};
pub use client_secret::{ClientSecretCredential, ClientSecretCredentialOptions};
pub use default::{ChainedTokenCredential, DefaultAzureCredential, DefaultAzureCredentialOptions};
pub use env_vars::EnvVars;
pub use environment::{EnvironmentCredential, EnvironmentCredentialOptions};
pub use managed_identity::{
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, ManagedIdentityId,
    ManagedIdentitySource, IMDS_ENDPOINT,
};
pub use static_token::StaticTokenCredential;
pub use workload::{WorkloadIdentityCredential, WorkloadIdentityCredentialOptions};
