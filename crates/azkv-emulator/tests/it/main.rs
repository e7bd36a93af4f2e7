//! Integration tests of the emulator over real sockets, with reqwest as a plain HTTPS client
//! (deliberately not the azkv SDK: the emulator must stand on its own).

// Test helpers outside #[test] functions may panic: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod bad_input;
mod binary;
mod clock;
mod durability;
mod identity;
mod secrets;
mod support;
mod vaults;
