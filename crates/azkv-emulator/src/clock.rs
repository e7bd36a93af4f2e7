//! [`Clock`]: the emulator's notion of "now", which tests can move forward.
//!
//! Everything time-dependent (token expiry, `nbf`/`exp`, deletion and scheduled purge dates)
//! reads this clock, so advancing it makes time pass without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time plus an offset that only grows.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    /// A clock already moved forward by `offset_secs`.
    pub fn with_offset(offset_secs: i64) -> Self {
        Self {
            offset_secs: AtomicI64::new(offset_secs.max(0)),
        }
    }

    /// Seconds since the Unix epoch, as the emulator sees them.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real.saturating_add(self.offset_secs.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `secs` seconds and returns the new time.
    pub fn advance(&self, secs: u64) -> i64 {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        self.offset_secs.fetch_add(secs, Ordering::SeqCst);
        self.now()
    }

    /// How far the clock has been moved, in seconds.
    pub fn offset(&self) -> i64 {
        self.offset_secs.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        let after = clock.advance(86_400);
        assert!(after - before >= 86_400);
        assert_eq!(clock.offset(), 86_400);
    }
}
