//! Credentials for the azkv clients: every type here implements
//! [`azkv_core::TokenCredential`].
//!
//! | credential | for |
//! |---|---|
//! | [`ClientSecretCredential`] | a service principal with a client secret |
//! | [`StaticTokenCredential`] | a token you already have, or tokens from a closure (tests, custom flows) |
//!
//! Credentials send their requests through the azkv-core pipeline (retry, logging with
//! redaction), cache tokens until shortly before they expire, and never put a secret or a token
//! into logs, `Debug`, `Display` or error messages.
//!
//! This crate has no cargo features.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod authority;
mod client_secret;
mod static_token;
mod token_cache;

pub use authority::AuthorityHost;
pub use client_secret::{ClientSecretCredential, ClientSecretCredentialOptions};
pub use static_token::StaticTokenCredential;
