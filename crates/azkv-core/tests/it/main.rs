//! Integration tests of azkv-core over real sockets: every test starts its own HTTP server on
//! 127.0.0.1 (see `server.rs`) and sends through a real pipeline and the reqwest transport.

// Test helpers outside #[test] functions may panic: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod capture;
mod challenge;
mod errors;
mod fuzz;
mod fuzz_harness;
mod logging;
mod paging;
mod poller;
mod retry;
mod server;
mod support;
mod token_refresh;
