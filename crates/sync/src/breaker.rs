//! A circuit breaker per host: after five failures in a row (no answer, or a 5xx), a host is left alone for
//! a minute, then two, doubling up to an hour; when the rest is over one request probes it, and a success
//! closes the breaker. It spares a struggling server (and the owner's laptop) the requests of every source
//! that lives on it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FAILURES_TO_OPEN: u32 = 5;
const FIRST_REST: Duration = Duration::from_secs(60);
const LONGEST_REST: Duration = Duration::from_secs(3600);

#[derive(Debug, Default)]
struct Host {
    failures: u32,
    rests: u32,
    resting_until: Option<Instant>,
    probing: bool,
}

#[derive(Debug, Default)]
pub struct Breakers {
    hosts: Mutex<HashMap<String, Host>>,
}

impl Breakers {
    /// `Err(remaining rest)` when the host is resting; otherwise the request may go (as the probe, if the
    /// rest just ended; other requests wait for the probe's result).
    pub fn admit(&self, host: &str, now: Instant) -> Result<(), Duration> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let Some(h) = hosts.get_mut(host) else { return Ok(()) };
        match h.resting_until {
            Some(until) if now < until => Err(until - now),
            Some(_) if h.probing => Err(Duration::from_secs(1)),
            Some(_) => {
                h.probing = true;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Records how a request to `host` went.
    pub fn record(&self, host: &str, ok: bool, now: Instant) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if ok {
            hosts.remove(host);
            return;
        }
        let h = hosts.entry(host.to_string()).or_default();
        h.failures += 1;
        if h.probing || h.failures >= FAILURES_TO_OPEN {
            let rest = FIRST_REST.saturating_mul(1 << h.rests.min(6)).min(LONGEST_REST);
            h.rests += 1;
            h.resting_until = Some(now + rest);
            h.probing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_in_a_row_rest_the_host_and_one_probe_decides() {
        let b = Breakers::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            b.record("h", false, t0);
            assert!(b.admit("h", t0).is_ok());
        }
        b.record("h", false, t0);
        assert_eq!(b.admit("h", t0), Err(Duration::from_secs(60)));
        assert!(b.admit("other", t0).is_ok(), "other hosts are not affected");
        let later = t0 + Duration::from_secs(61);
        assert!(b.admit("h", later).is_ok(), "the probe goes");
        assert!(b.admit("h", later).is_err(), "the rest wait for it");
        b.record("h", false, later);
        assert_eq!(b.admit("h", later), Err(Duration::from_secs(120)), "a failed probe doubles the rest");
        let much_later = later + Duration::from_secs(121);
        assert!(b.admit("h", much_later).is_ok());
        b.record("h", true, much_later);
        assert!(b.admit("h", much_later).is_ok());
        b.record("h", false, much_later);
        assert!(b.admit("h", much_later).is_ok(), "a success starts the count again");
    }
}
