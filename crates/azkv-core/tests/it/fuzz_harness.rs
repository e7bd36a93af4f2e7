//! A bounded mutation fuzzer for stable Rust (cargo-fuzz needs nightly, which this toolchain
//! does not have): inputs mutated from real samples (bit flips, inserted special bytes,
//! deletions, duplications, splices with other samples), for `AZKV_FUZZ_SECONDS` seconds per
//! target (default 2). Shared with other crates' tests by path.

use std::time::{Duration, Instant};

/// A small xorshift generator: repeatable from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Mutates `input`: flips, inserts, deletes, duplicates and splices bytes.
pub fn mutate(rng: &mut Rng, input: &[u8], samples: &[&[u8]]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(out.len() + 1);
                let interesting = [
                    b'"', b'\\', b',', b'=', b' ', b'{', b'}', b'[', b':', 0, 0xff, 0xc3,
                ];
                out.insert(i, interesting[rng.below(interesting.len())]);
            }
            2 if !out.is_empty() => {
                let i = rng.below(out.len());
                let n = rng.below(8).min(out.len() - i);
                out.drain(i..i + n);
            }
            3 if !out.is_empty() => {
                let i = rng.below(out.len());
                let n = rng.below(16).min(out.len() - i);
                let chunk = out[i..i + n].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, chunk);
            }
            4 => {
                let other = samples[rng.below(samples.len())];
                let cut = rng.below(out.len() + 1);
                let from = rng.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => out.truncate(rng.below(out.len() + 1)),
        }
    }
    out
}

pub fn budget() -> Duration {
    let secs = std::env::var("AZKV_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs)
}

/// Runs `target` on mutated samples until the budget is spent; returns executions.
pub fn fuzz(name: &str, seed: u64, samples: &[&[u8]], mut target: impl FnMut(&[u8])) -> u64 {
    let mut rng = Rng(seed);
    let deadline = Instant::now() + budget();
    let mut corpus: Vec<Vec<u8>> = samples.iter().map(|s| s.to_vec()).collect();
    let mut runs = 0u64;
    while Instant::now() < deadline {
        for _ in 0..256 {
            let base = corpus[rng.below(corpus.len())].clone();
            let input = mutate(&mut rng, &base, samples);
            target(&input);
            runs += 1;
            if corpus.len() < 512 && rng.below(16) == 0 {
                corpus.push(input);
            }
        }
    }
    println!("fuzz {name}: {runs} executions, no panic");
    runs
}
