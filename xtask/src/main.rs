//! `cargo xtask`: the project's automation.
//!
//! | command | what it does |
//! |---|---|
//! | `cargo xtask specs-import [--from DIR]` | copies the OpenAPI specs and examples we generate from into `specs/`, without prose |
//! | `cargo xtask codegen [--check]` | writes `src/generated/` of each client crate from `specs/`; `--check` fails when any is stale |
//! | `cargo xtask bench [emulator]` | builds and runs the benchmarks, printing figures and ratios |

mod bench;
mod codegen;
mod specs_import;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The repository root (the parent of `xtask/`).
fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

const USAGE: &str =
    "usage: cargo xtask <specs-import [--from DIR] | codegen [--check] | bench [emulator]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("specs-import") => {
            let from = match args.get(1).map(String::as_str) {
                Some("--from") => match args.get(2) {
                    Some(dir) => PathBuf::from(dir),
                    None => {
                        eprintln!("--from needs a directory");
                        return ExitCode::from(2);
                    }
                },
                None => root().join("../shared/specs"),
                Some(other) => {
                    eprintln!("unknown argument {other}\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            specs_import::run(&from, &root().join("specs"))
        }
        Some("codegen") => match args.get(1).map(String::as_str) {
            None => codegen::run(&root(), false),
            Some("--check") => codegen::run(&root(), true),
            Some(other) => Err(format!("unknown argument {other}\n{USAGE}")),
        },
        Some("bench") => bench::run(&root(), &args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
