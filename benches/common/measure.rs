//! Measurement shared by the benchmark load clients (azkv, the official crates, raw reqwest):
//! a counting allocator, process CPU time and peak memory from /proc, and a concurrent load
//! loop that records every request's latency. Included by path from each client, so every
//! client measures the same way.

// Each client uses a different part of this file.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts allocations made through the global allocator.
pub struct CountingAlloc;

pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// User plus system CPU time of this process, from /proc/self/stat (clock ticks of 10 ms).
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Peak resident memory of this process in KiB (VmHWM).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// What a run measured.
pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latencies_us: Vec<u64>,
    pub cpu: Duration,
    pub allocations: u64,
}

impl Outcome {
    fn percentile(&self, p: f64) -> u64 {
        if self.latencies_us.is_empty() {
            return 0;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }

    /// One JSON line with every figure.
    pub fn json(&self, client: &str, op: &str, concurrency: usize) -> String {
        let n = self.requests.max(1) as f64;
        format!(
            "{{\"client\":\"{client}\",\"op\":\"{op}\",\"concurrency\":{concurrency},\"requests\":{},\"errors\":{},\"seconds\":{:.3},\"rps\":{:.1},\"p50_us\":{},\"p99_us\":{},\"cpu_us_per_request\":{:.1},\"allocations_per_request\":{:.1},\"peak_rss_kib\":{}}}",
            self.requests,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9),
            self.percentile(0.50),
            self.percentile(0.99),
            self.cpu.as_micros() as f64 / n,
            self.allocations as f64 / n,
            peak_rss_kib(),
        )
    }
}

/// Runs `concurrency` workers calling `call(n)` until `limit` is reached: a duration (after a
/// short warm-up that is not counted) or a number of requests.
pub async fn run<F, Fut>(concurrency: usize, limit: Limit, call: F) -> Outcome
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let call = Arc::new(call);
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(100_000)));
    let budget = match limit {
        Limit::Requests(n) => n,
        Limit::Duration(_) => u64::MAX,
    };
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (call, counting, stop, issued, errors, latencies) = (
            call.clone(),
            counting.clone(),
            stop.clone(),
            issued.clone(),
            errors.clone(),
            latencies.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut local = Vec::new();
            let mut n = worker as u64 * 10_000_000;
            while !stop.load(Ordering::Relaxed) {
                let counted = counting.load(Ordering::Relaxed);
                if counted && issued.fetch_add(1, Ordering::Relaxed) >= budget {
                    break;
                }
                n += 1;
                let start = Instant::now();
                let result = call(n).await;
                if counted {
                    local.push(start.elapsed().as_micros() as u64);
                    if let Err(e) = result {
                        if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                            eprintln!("request failed: {e}");
                        }
                    }
                }
            }
            if let Ok(mut all) = latencies.lock() {
                all.extend(local);
            }
        }));
    }
    // Warm-up: connections, tokens, caches.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cpu_before = cpu_time();
    let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
    let start = Instant::now();
    counting.store(true, Ordering::Relaxed);
    if let Limit::Duration(d) = limit {
        tokio::time::sleep(d).await;
        stop.store(true, Ordering::Relaxed);
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
    let latencies_us = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    Outcome {
        requests: latencies_us.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        elapsed,
        latencies_us,
        cpu,
        allocations,
    }
}

/// How long a run lasts.
#[derive(Clone, Copy)]
pub enum Limit {
    Duration(Duration),
    Requests(u64),
}

/// Command-line settings every load client takes.
pub struct Args {
    pub vault: String,
    pub authority: String,
    pub tenant: String,
    pub ca: String,
    pub op: String,
    pub concurrency: usize,
    pub limit: Limit,
    pub mode: String,
}

impl Args {
    pub fn parse() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let get = |name: &str| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1))
                .cloned()
                .unwrap_or_default()
        };
        let limit = match get("--requests").parse::<u64>() {
            Ok(n) => Limit::Requests(n),
            Err(_) => Limit::Duration(Duration::from_secs_f64(
                get("--seconds").parse().unwrap_or(3.0),
            )),
        };
        Self {
            vault: get("--vault"),
            authority: get("--authority"),
            tenant: get("--tenant"),
            ca: get("--ca"),
            op: get("--op"),
            concurrency: get("--concurrency").parse().unwrap_or(1),
            limit,
            mode: get("--mode"),
        }
    }
}
