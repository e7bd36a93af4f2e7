//! KeyClient and CryptographyClient against the emulator over HTTPS: every operation, and
//! cryptography checked across the wire in both directions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod crypto;
mod fuzz;
#[path = "../../../azkv-core/tests/it/fuzz_harness.rs"]
mod fuzz_harness;
mod operations;

use azkv_testing::TestVault;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::Relaxed))
}

pub async fn vault() -> TestVault {
    TestVault::start().await.unwrap()
}
