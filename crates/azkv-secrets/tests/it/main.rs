//! SecretClient against the emulator over HTTPS: every operation, paging, pollers, errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod faults;
mod operations;
mod support;
