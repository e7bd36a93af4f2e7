//! Integration tests of the emulator over real sockets, with reqwest as a plain HTTPS client
//! (deliberately not the azkv SDK: the emulator must stand on its own).

// Test helpers outside #[test] functions may panic: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;

#[allow(dead_code)]
#[path = "../../../azkv-core/tests/it/fuzz_harness.rs"]
mod fuzz_harness;

mod bad_input;
mod binary;
mod clock;
mod concurrency;
mod durability;
mod fuzz;
mod identity;
mod secrets;
mod support;
mod vaults;
