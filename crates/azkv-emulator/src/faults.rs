//! Fault injection: throttling (429 with `Retry-After`), 503s, dropped connections and slow
//! answers at given rates, drawn from a seeded generator so a sequential run repeats exactly.
//!
//! Faults apply to data-plane requests that carried a valid token, before the request is
//! processed: a faulted request changes nothing. The emulator also watches for retries of
//! throttled requests (by `x-ms-client-request-id`) and counts those that came back sooner than
//! asked; `GET /_emulator/faults` reports the counters.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Rates of each fault, from 0 to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// Rate of `429 Too Many Requests`.
    pub throttle: f64,
    /// Rate of `503 Service Unavailable`.
    pub unavailable: f64,
    /// Rate of connections closed without an answer.
    pub drop: f64,
    /// Rate of answers delayed by `slow_delay`.
    pub slow: f64,
    /// Delay of slow answers. Default 200 ms.
    pub slow_delay: Duration,
    /// Wait asked for by 429 and 503 answers. Default 1 s; sent as `Retry-After` (whole seconds,
    /// rounded up) and, when under a second or fractional, also as `x-ms-retry-after-ms`.
    pub retry_after: Duration,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            throttle: 0.0,
            unavailable: 0.0,
            drop: 0.0,
            slow: 0.0,
            slow_delay: Duration::from_millis(200),
            retry_after: Duration::from_secs(1),
            seed: 1,
        }
    }
}

impl FaultConfig {
    /// Parses `429=0.1,503=0.05,drop=0.02,slow=0.01,slow-ms=200,retry-after-ms=500,seed=7`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut config = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("fault setting {part} needs KEY=VALUE"))?;
            let rate = || -> Result<f64, String> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| format!("fault rate {key}={value} must be from 0 to 1"))
            };
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{key}={value} must be a whole number"))
            };
            match key {
                "429" => config.throttle = rate()?,
                "503" => config.unavailable = rate()?,
                "drop" => config.drop = rate()?,
                "slow" => config.slow = rate()?,
                "slow-ms" => config.slow_delay = Duration::from_millis(number()?),
                "retry-after-ms" => config.retry_after = Duration::from_millis(number()?),
                "seed" => config.seed = number()?,
                other => return Err(format!("unknown fault setting {other}")),
            }
        }
        if config.throttle + config.unavailable + config.drop + config.slow > 1.0 {
            return Err("fault rates add up to more than 1".to_owned());
        }
        Ok(config)
    }
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing: serve it.
    None,
    /// Answer 429.
    Throttle,
    /// Answer 503.
    Unavailable,
    /// Close the connection without answering.
    Drop,
    /// Serve it after a delay.
    Slow,
}

/// Counters of injected faults and observed retries.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct FaultStats {
    /// 429s answered.
    pub throttled: u64,
    /// 503s answered.
    pub unavailable: u64,
    /// Connections dropped.
    pub dropped: u64,
    /// Answers delayed.
    pub slowed: u64,
    /// Retries of 429/503 answers seen (same client request id).
    pub retries: u64,
    /// Of those, retries that came sooner than the `Retry-After` asked.
    pub early_retries: u64,
}

/// The injector: configuration, generator and bookkeeping.
#[derive(Debug)]
pub struct Faults {
    config: FaultConfig,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    rng: u64,
    stats: FaultStats,
    /// Client request ids answered 429/503, with when.
    pending: HashMap<String, Instant>,
}

/// SplitMix64: small, fast and good enough to draw fault decisions.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Faults {
    /// An injector for `config`.
    pub fn new(config: FaultConfig) -> Self {
        let rng = config.seed;
        Self {
            config,
            state: Mutex::new(State {
                rng,
                ..State::default()
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Decides the fate of a request carrying `client_request_id`, and notes retries.
    pub fn decide(&self, client_request_id: Option<&str>) -> Fault {
        let c = &self.config;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(id) = client_request_id {
            if let Some(at) = state.pending.remove(id) {
                let waited = at.elapsed();
                state.stats.retries += 1;
                // A little slack for timer granularity.
                let early = waited + Duration::from_millis(5) < c.retry_after;
                if early {
                    state.stats.early_retries += 1;
                }
                tracing::info!(
                    client_request_id = id,
                    waited_ms = waited.as_millis() as u64,
                    asked_ms = c.retry_after.as_millis() as u64,
                    early,
                    "retry of a throttled request"
                );
            }
        }
        if c.throttle + c.unavailable + c.drop + c.slow <= 0.0 {
            return Fault::None;
        }
        let draw = (next(&mut state.rng) >> 11) as f64 / (1u64 << 53) as f64;
        let fault = if draw < c.throttle {
            Fault::Throttle
        } else if draw < c.throttle + c.unavailable {
            Fault::Unavailable
        } else if draw < c.throttle + c.unavailable + c.drop {
            Fault::Drop
        } else if draw < c.throttle + c.unavailable + c.drop + c.slow {
            Fault::Slow
        } else {
            Fault::None
        };
        match fault {
            Fault::Throttle => state.stats.throttled += 1,
            Fault::Unavailable => state.stats.unavailable += 1,
            Fault::Drop => state.stats.dropped += 1,
            Fault::Slow => state.stats.slowed += 1,
            Fault::None => {}
        }
        if matches!(fault, Fault::Throttle | Fault::Unavailable) {
            if let Some(id) = client_request_id {
                if state.pending.len() > 100_000 {
                    state.pending.clear();
                }
                state.pending.insert(id.to_owned(), Instant::now());
            }
        }
        if fault != Fault::None {
            tracing::info!(
                ?fault,
                client_request_id = client_request_id.unwrap_or(""),
                "injected fault"
            );
        }
        fault
    }

    /// The counters so far.
    pub fn stats(&self) -> FaultStats {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stats
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_settings_and_refuses_bad_ones() {
        let c = FaultConfig::parse(
            "429=0.1,503=0.05,drop=0.02,slow=0.01,slow-ms=50,retry-after-ms=300,seed=9",
        )
        .unwrap();
        assert_eq!(
            (c.throttle, c.unavailable, c.drop, c.slow),
            (0.1, 0.05, 0.02, 0.01)
        );
        assert_eq!(c.retry_after, Duration::from_millis(300));
        assert_eq!(c.seed, 9);
        for bad in ["429", "429=2", "bogus=1", "429=0.6,503=0.6", "seed=x"] {
            assert!(FaultConfig::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_are_honoured_and_seeded_runs_repeat() {
        let config = FaultConfig {
            throttle: 0.1,
            unavailable: 0.05,
            drop: 0.02,
            seed: 42,
            ..Default::default()
        };
        let run = || {
            let faults = Faults::new(config.clone());
            (0..20_000).map(|_| faults.decide(None)).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let count = |f: Fault| a.iter().filter(|x| **x == f).count() as f64 / 20_000.0;
        assert!((count(Fault::Throttle) - 0.1).abs() < 0.01);
        assert!((count(Fault::Unavailable) - 0.05).abs() < 0.01);
        assert!((count(Fault::Drop) - 0.02).abs() < 0.005);
    }

    #[test]
    fn early_retries_are_counted() {
        let faults = Faults::new(FaultConfig {
            throttle: 1.0,
            retry_after: Duration::from_secs(60),
            ..Default::default()
        });
        assert_eq!(faults.decide(Some("a")), Fault::Throttle);
        faults.decide(Some("a"));
        let stats = faults.stats();
        assert_eq!((stats.retries, stats.early_retries), (1, 1));
    }
}
