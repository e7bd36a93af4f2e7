//! `cargo xtask bench [PART...]`: builds and runs the benchmarks and prints figures and ratios.
//! xtask depends on no azkv crate: every measured program is built and run as its own process.
//!
//! | part | what it measures |
//! |---|---|
//! | `emulator` | the emulator's get/set-secret requests/s over HTTPS keep-alive against a minimal hyper server (the ceiling) |
//! | `crypto` | local verify (RSA-2048 PS256, P-256 ES256) and RSA-OAEP-256 encrypt by `CryptographyClient` versus the same operations sent to the emulator: operations/s and the ratio |
//! | `clients` | azkv's `SecretClient`, the official `azure_security_keyvault_secrets` client and raw reqwest against one emulator: requests/s and latency at 1, 8 and 64 concurrent tasks, then CPU time, allocations and peak memory per request over 10,000 get-secret calls, each client in its own process |
//! | `compile` | cold `cargo build --release` of two equivalent small programs (get one secret with a client-secret credential), azkv and official, each in its own temporary project and target directory: wall time, crates compiled, binary size |
//!
//! With no part named, all run. The official crates are built only here, in temporary
//! projects outside the workspace.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const PARTS: &[&str] = &["emulator", "crypto", "clients", "compile"];
const CONCURRENCY: &[usize] = &[1, 8, 64];
const CLIENTS: &[&str] = &["azkv", "official", "raw-reqwest"];

/// Runs the named parts, or all of them.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let selected: Vec<&str> = if args.is_empty() {
        PARTS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for part in &selected {
        if !PARTS.contains(part) {
            return Err(format!(
                "unknown bench part {part}; known: {}",
                PARTS.join(", ")
            ));
        }
    }
    let work = std::env::temp_dir().join(format!("azkv-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let mut report = Report::default();
    for part in selected {
        println!("== bench {part}");
        match part {
            "emulator" => cargo(
                root,
                &[
                    "run",
                    "--quiet",
                    "--release",
                    "-p",
                    "azkv-emulator",
                    "--example",
                    "bench_emulator",
                ],
                None,
            )?,
            "crypto" => cargo(
                root,
                &[
                    "run",
                    "--quiet",
                    "--release",
                    "-p",
                    "azkv-keys",
                    "--example",
                    "bench_crypto",
                ],
                None,
            )?,
            "clients" => clients(root, &work, &mut report)?,
            _ => compile(root, &work, &mut report)?,
        }
    }
    report.print();
    if !report.throughput.is_empty() {
        let svg = report.chart();
        let path = root.join("docs/performance.svg");
        std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("chart written to docs/performance.svg");
    }
    if let Err(err) = std::fs::remove_dir_all(&work) {
        eprintln!("could not remove {}: {err}", work.display());
    }
    Ok(())
}

fn cargo(dir: &Path, args: &[&str], target_dir: Option<&Path>) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(dir).args(args);
    if let Some(target) = target_dir {
        command.env("CARGO_TARGET_DIR", target);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed", args.join(" ")))
    }
}

/// The workspace's target directory.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Copies `from` into `to`, recursively, skipping `target/`.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&path, &dest)?;
            }
        } else {
            std::fs::copy(&path, &dest)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Copies the bench projects into `work/benches`, pointing azkv-small at this repository.
fn stage(root: &Path, work: &Path) -> Result<PathBuf, String> {
    let benches = work.join("benches");
    if !benches.exists() {
        copy_dir(&root.join("benches"), &benches)?;
        let manifest = benches.join("azkv-small/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
        let crates = root.join("crates");
        let text = text.replace("../../crates", &crates.display().to_string());
        std::fs::write(&manifest, text).map_err(|e| e.to_string())?;
    }
    Ok(benches)
}

#[derive(Default)]
struct Report {
    /// (op, concurrency, client) → figures.
    throughput: BTreeMap<(String, usize, String), Value>,
    /// client → figures of the cost run.
    cost: BTreeMap<String, Value>,
    /// program → (seconds, crates, bytes).
    compile: BTreeMap<String, (f64, usize, u64)>,
}

struct Emulator {
    child: Child,
    ready: Value,
    ca: PathBuf,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // It may have exited already; either way it must not outlive the bench.
        if self.child.kill().is_ok() && self.child.wait().is_err() {
            eprintln!("could not reap the emulator");
        }
    }
}

fn start_emulator(binary: &Path, work: &Path) -> Result<Emulator, String> {
    let ca = work.join("bench-ca.pem");
    let mut child = Command::new(binary)
        .args(["--port", "0", "--ca-cert-out"])
        .arg(&ca)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
    let stdout = child.stdout.take().ok_or("no emulator stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let ready: Value =
        serde_json::from_str(&line).map_err(|e| format!("bad ready line {line}: {e}"))?;
    Ok(Emulator { child, ready, ca })
}

fn run_client(
    program: &Path,
    extra: &[&str],
    emulator: &Emulator,
    args: &[String],
) -> Result<Value, String> {
    let text = |k: &str| emulator.ready[k].as_str().unwrap_or("").to_owned();
    let output = Command::new(program)
        .args(extra)
        .args([
            "--vault",
            &text("vault_url"),
            "--authority",
            &text("authority_host"),
            "--tenant",
            &text("tenant_id"),
        ])
        .arg("--ca")
        .arg(&emulator.ca)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or("");
    serde_json::from_str(line).map_err(|_| {
        format!(
            "{} printed no result: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn clients(root: &Path, work: &Path, report: &mut Report) -> Result<(), String> {
    cargo(
        root,
        &[
            "build",
            "--quiet",
            "--release",
            "-p",
            "azkv-emulator",
            "--bin",
            "azkv-emulator",
            "-p",
            "azkv-secrets",
            "--example",
            "bench_client",
        ],
        None,
    )?;
    let benches = stage(root, work)?;
    // The official load client keeps its own target directory between runs.
    let peer_target = target_dir(root).join("bench-peer");
    cargo(
        &benches.join("peer"),
        &["build", "--quiet", "--release", "--bin", "load"],
        Some(&peer_target),
    )?;
    let release = target_dir(root).join("release");
    let azkv = release.join("examples/bench_client");
    let official = peer_target.join("release/load");
    let emulator = start_emulator(&release.join("azkv-emulator"), work)?;
    let program = |client: &str| -> (PathBuf, Vec<&'static str>) {
        match client {
            "azkv" => (azkv.clone(), vec!["--mode", "azkv"]),
            "raw-reqwest" => (azkv.clone(), vec!["--mode", "raw"]),
            _ => (official.clone(), vec![]),
        }
    };
    for op in ["get", "set"] {
        for &concurrency in CONCURRENCY {
            for client in CLIENTS {
                let (path, extra) = program(client);
                let args = vec![
                    "--op".to_owned(),
                    op.to_owned(),
                    "--concurrency".to_owned(),
                    concurrency.to_string(),
                    "--seconds".to_owned(),
                    "3".to_owned(),
                ];
                let result = run_client(&path, &extra, &emulator, &args)?;
                println!("{result}");
                report
                    .throughput
                    .insert((op.to_owned(), concurrency, (*client).to_owned()), result);
            }
        }
    }
    for client in CLIENTS {
        let (path, extra) = program(client);
        let args = vec![
            "--op".to_owned(),
            "get".to_owned(),
            "--concurrency".to_owned(),
            "8".to_owned(),
            "--requests".to_owned(),
            "10000".to_owned(),
        ];
        let result = run_client(&path, &extra, &emulator, &args)?;
        println!("{result}");
        report.cost.insert((*client).to_owned(), result);
    }
    Ok(())
}

fn compile(root: &Path, work: &Path, report: &mut Report) -> Result<(), String> {
    let benches = stage(root, work)?;
    for (name, dir) in [("azkv", "azkv-small"), ("official", "peer")] {
        let project = benches.join(dir);
        let target = work.join(format!("compile-{name}"));
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .map_err(|e| format!("cannot clear {}: {e}", target.display()))?;
        }
        println!("cold release build of the {name} program...");
        let start = Instant::now();
        let output = Command::new(env!("CARGO"))
            .current_dir(&project)
            .args(["build", "--release", "--bin", "get_one"])
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let seconds = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("building the {name} program failed:\n{stderr}"));
        }
        let crates = stderr
            .lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .count();
        let size = std::fs::metadata(target.join("release/get_one"))
            .map(|m| m.len())
            .unwrap_or(0);
        println!("{name}: {seconds:.1} s, {crates} crates, {size} bytes");
        report
            .compile
            .insert(name.to_owned(), (seconds, crates, size));
        std::fs::remove_dir_all(&target)
            .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    }
    Ok(())
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(0.0)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "-".to_owned()
    }
}

impl Report {
    fn print(&self) {
        if !self.throughput.is_empty() {
            println!("\n## Throughput (requests/s, p50/p99 latency in µs)\n");
            println!("| op | tasks | azkv | official | raw reqwest | azkv/official | azkv/raw |");
            println!("|---|---|---|---|---|---|---|");
            for op in ["get", "set"] {
                for &c in CONCURRENCY {
                    let get =
                        |client: &str| self.throughput.get(&(op.to_owned(), c, client.to_owned()));
                    let (Some(a), Some(o), Some(r)) =
                        (get("azkv"), get("official"), get("raw-reqwest"))
                    else {
                        continue;
                    };
                    let cell = |v: &Value| {
                        format!(
                            "{:.0} ({}/{})",
                            num(v, "rps"),
                            num(v, "p50_us"),
                            num(v, "p99_us")
                        )
                    };
                    println!(
                        "| {op} | {c} | {} | {} | {} | {} | {} |",
                        cell(a),
                        cell(o),
                        cell(r),
                        ratio(num(a, "rps"), num(o, "rps")),
                        ratio(num(a, "rps"), num(r, "rps"))
                    );
                }
            }
        }
        if let (Some(a), Some(o), Some(r)) = (
            self.cost.get("azkv"),
            self.cost.get("official"),
            self.cost.get("raw-reqwest"),
        ) {
            println!("\n## Client cost per request (10,000 get-secret calls, 8 tasks, one process per client)\n");
            println!("| figure | azkv | official | raw reqwest | azkv/official | azkv/raw |");
            println!("|---|---|---|---|---|---|");
            for (label, key) in [
                ("CPU µs (user+sys)", "cpu_us_per_request"),
                ("allocations", "allocations_per_request"),
                ("peak RSS KiB", "peak_rss_kib"),
            ] {
                println!(
                    "| {label} | {:.1} | {:.1} | {:.1} | {} | {} |",
                    num(a, key),
                    num(o, key),
                    num(r, key),
                    ratio(num(a, key), num(o, key)),
                    ratio(num(a, key), num(r, key))
                );
            }
        }
        if let (Some(a), Some(o)) = (self.compile.get("azkv"), self.compile.get("official")) {
            println!("\n## Compile cost (cold `cargo build --release`, get one secret)\n");
            println!("| figure | azkv | official | azkv/official |");
            println!("|---|---|---|---|");
            println!(
                "| wall time s | {:.1} | {:.1} | {} |",
                a.0,
                o.0,
                ratio(a.0, o.0)
            );
            println!(
                "| crates compiled | {} | {} | {} |",
                a.1,
                o.1,
                ratio(a.1 as f64, o.1 as f64)
            );
            println!(
                "| binary bytes | {} | {} | {} |",
                a.2,
                o.2,
                ratio(a.2 as f64, o.2 as f64)
            );
        }
    }

    /// An SVG line chart of get-secret throughput by concurrency for the three clients.
    fn chart(&self) -> String {
        let (w, h, left, bottom, top, right) = (640.0, 360.0, 70.0, 50.0, 40.0, 150.0);
        let max = self
            .throughput
            .values()
            .map(|v| num(v, "rps"))
            .fold(1.0, f64::max)
            * 1.1;
        let x = |i: usize| left + (w - left - right) * i as f64 / (CONCURRENCY.len() - 1) as f64;
        let y = |rps: f64| h - bottom - (h - bottom - top) * rps / max;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"24\" font-size=\"15\">get-secret requests/s by concurrent tasks</text>\n"
        );
        for i in 0..=4 {
            let value = max * i as f64 / 4.0;
            let yy = y(value);
            svg.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value:.0}</text>\n",
                w - right,
                left - 6.0,
                yy + 4.0
            ));
        }
        for (i, c) in CONCURRENCY.iter().enumerate() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{c}</text>\n",
                x(i),
                h - bottom + 18.0
            ));
        }
        for (n, (client, color)) in CLIENTS
            .iter()
            .zip(["#1f77b4", "#d62728", "#7f7f7f"])
            .enumerate()
        {
            let points: Vec<String> = CONCURRENCY
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    self.throughput
                        .get(&("get".to_owned(), *c, (*client).to_owned()))
                        .map(|v| format!("{:.1},{:.1}", x(i), y(num(v, "rps"))))
                })
                .collect();
            svg.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" points=\"{}\"/>\n",
                points.join(" ")
            ));
            let ly = top + 20.0 * n as f64;
            svg.push_str(&format!(
                "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{color}\" stroke-width=\"2.5\"/><text x=\"{:.1}\" y=\"{:.1}\">{client}</text>\n",
                w - right + 15.0,
                w - right + 40.0,
                w - right + 46.0,
                ly + 4.0
            ));
        }
        svg.push_str(&format!("<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">concurrent tasks</text>\n</svg>\n", (left + w - right) / 2.0, h - 10.0));
        svg
    }
}
