//! The test kit, and the blocking clients it hands out, used as an application would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod blocking;
mod kit;
