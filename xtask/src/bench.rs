//! `cargo xtask bench [PART]`: builds and runs benchmarks in release mode and prints figures
//! and ratios. Benchmarks are example programs of the crates they measure, so xtask itself
//! depends on no azkv crate.
//!
//! | part | program | what it prints |
//! |---|---|---|
//! | `emulator` | `azkv-emulator` example `bench_emulator` | get/set-secret requests/s over HTTPS keep-alive, against a minimal hyper server's requests/s (the ceiling), and the ratio |

use std::path::Path;
use std::process::Command;

const PARTS: &[(&str, &str, &str)] = &[("emulator", "azkv-emulator", "bench_emulator")];

/// Runs the named parts, or all of them.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let selected: Vec<&(&str, &str, &str)> = if args.is_empty() {
        PARTS.iter().collect()
    } else {
        args.iter()
            .map(|a| {
                PARTS
                    .iter()
                    .find(|(name, _, _)| name == a)
                    .ok_or_else(|| format!("unknown bench part {a}; known: {}", names()))
            })
            .collect::<Result<_, _>>()?
    };
    for (name, package, example) in selected {
        println!("== bench {name}");
        let status = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "run",
                "--quiet",
                "--release",
                "-p",
                package,
                "--example",
                example,
            ])
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("bench {name} failed"));
        }
    }
    Ok(())
}

fn names() -> String {
    PARTS
        .iter()
        .map(|(n, _, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}
