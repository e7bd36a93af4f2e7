//! placeholder
#[allow(missing_docs)]
mod generated;
