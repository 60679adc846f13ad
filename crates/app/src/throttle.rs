//! Sign-in throttling, in place of a lockout: failed sign-ins are counted per login name, per
//! client address and per pair of both; past a few free failures each further attempt must wait
//! a delay that doubles with every failure, up to a cap. While a delay runs the answer is 429
//! `auth.throttled` with `Retry-After`, the password is not tried and nothing is audited.
//!
//! - The keys are the login name *as typed* (normalised), never whether an account exists: an
//!   unknown login and a real one are throttled alike, so the answers do not tell them apart.
//! - The name alone has a low cap ([`ThrottleConfig::login_max_delay_ms`], 30 s by default):
//!   whoever guesses another's password from many addresses slows that account's sign-in by at
//!   most the cap, and can never keep it locked. The pair and the address have long caps, so one
//!   address guessing is slowed to a crawl.
//! - The client address is the connection's peer; `X-Forwarded-For` is read only when the
//!   peer is one of [`ThrottleConfig::trusted_proxies`] (its last address not a proxy of ours).
//!
//! The counts live in this process (like the session cache): an instance behind a load balancer
//! throttles what reaches it. A success clears the name's and the pair's counts.
//!
//! Anonymous certificate look-ups (`/api/public/certificates/…`, `/v/{number}`, `/verify`) are
//! limited per client address too ([`Throttle::lookup`]): a bucket of
//! [`ThrottleConfig::lookup_burst`] look-ups refilled at [`ThrottleConfig::lookup_per_minute`],
//! so that nobody walks the number space, while a person checking a few certificates never
//! notices. Over it the answer is 429 `lookup.throttled` with `Retry-After`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// How sign-ins are throttled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures of a login name (from anywhere) before delays start.
    pub login_free: u32,
    /// Failures of a login name from one address before delays start.
    pub pair_free: u32,
    /// Failures from one address (any names) before delays start.
    pub address_free: u32,
    /// The first delay; each further failure doubles it.
    pub base_delay_ms: i64,
    /// The cap of a login name's delay: the longest anyone can hold another's sign-in back.
    pub login_max_delay_ms: i64,
    /// The cap of a pair's and an address's delay.
    pub max_delay_ms: i64,
    /// Counts untouched this long are forgotten.
    pub forget_ms: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Public certificate look-ups an address may make at once.
    pub lookup_burst: u32,
    /// Public certificate look-ups an address regains per minute.
    pub lookup_per_minute: u32,
    /// Sign-ins with unknown logins from one address are audited in one line per this window.
    pub unknown_login_window_ms: i64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            login_free: 5,
            pair_free: 3,
            address_free: 20,
            base_delay_ms: 1_000,
            login_max_delay_ms: 30_000,
            max_delay_ms: 15 * 60_000,
            forget_ms: 60 * 60_000,
            trusted_proxies: Vec::new(),
            lookup_burst: 30,
            lookup_per_minute: 30,
            unknown_login_window_ms: 60_000,
        }
    }
}

/// The most keys kept; past it, forgotten keys are dropped, then all (a flood of names must
/// not exhaust memory).
const MAX_KEYS: usize = 200_000;

#[derive(Clone, Copy, Debug, Default)]
struct Count {
    failures: u32,
    until_ms: i64,
    last_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(Option<IpAddr>),
    Pair(String, Option<IpAddr>),
}

/// Look-ups an address has left, in thousandths (refilled continuously), and when last taken.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    milli: i64,
    last_ms: i64,
}

/// Unknown logins from an address since its last audit line.
#[derive(Clone, Copy, Debug)]
struct Unknown {
    written_ms: i64,
    held: u64,
}

/// The counts of failed sign-ins, the public look-ups per address, and the unknown logins not
/// yet audited.
#[derive(Debug, Default)]
pub struct Throttle {
    config: ThrottleConfig,
    counts: Mutex<HashMap<Key, Count>>,
    lookups: Mutex<HashMap<Option<IpAddr>, Bucket>>,
    unknown: Mutex<HashMap<Option<IpAddr>, Unknown>>,
}

/// The normalised login name, as the store matches it (case and surrounding space aside).
fn name(login: &str) -> String {
    login.trim().to_lowercase()
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Self {
        Self {
            config,
            counts: Mutex::new(HashMap::new()),
            lookups: Mutex::new(HashMap::new()),
            unknown: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a sign-in with an unknown login from `address`: `Some(n)` when an audit line is
    /// due — the first from the address, and then the first after each window — for `n`
    /// attempts (this one and those held since the last line); `None` while a window runs.
    /// So the trail has at most one line per address and window, however many names are
    /// tried. (Attempts held at the end of a window are written with the address's next one.)
    pub fn unknown_login(&self, address: Option<IpAddr>, now_ms: i64) -> Option<u64> {
        let Ok(mut unknown) = self.unknown.lock() else {
            return Some(1);
        };
        let window = self.config.unknown_login_window_ms;
        if unknown.len() >= MAX_KEYS {
            // Past its window an address with nothing held is the same as a new one.
            unknown.retain(|_, u| u.held > 0 || now_ms.saturating_sub(u.written_ms) < window);
            if unknown.len() >= MAX_KEYS {
                unknown.clear();
            }
        }
        match unknown.get_mut(&address) {
            Some(u) if now_ms.saturating_sub(u.written_ms) < window => {
                u.held = u.held.saturating_add(1);
                None
            }
            Some(u) => {
                let n = u.held.saturating_add(1);
                *u = Unknown {
                    written_ms: now_ms,
                    held: 0,
                };
                Some(n)
            }
            None => {
                unknown.insert(
                    address,
                    Unknown {
                        written_ms: now_ms,
                        held: 0,
                    },
                );
                Some(1)
            }
        }
    }

    /// Takes one public look-up for `address`: `Ok` if it may be made now, else the
    /// milliseconds until one is regained.
    pub fn lookup(&self, address: Option<IpAddr>, now_ms: i64) -> Result<(), i64> {
        let full = i64::from(self.config.lookup_burst).saturating_mul(1000);
        // Thousandths regained per millisecond × 60 000: per_minute look-ups a minute.
        let per_minute = i64::from(self.config.lookup_per_minute.max(1));
        let Ok(mut buckets) = self.lookups.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_KEYS {
            // Full buckets carry nothing worth keeping; past that, start afresh.
            buckets.retain(|_, b| {
                b.milli + now_ms.saturating_sub(b.last_ms).saturating_mul(per_minute) / 60 < full
            });
            if buckets.len() >= MAX_KEYS {
                buckets.clear();
            }
        }
        let b = buckets.entry(address).or_insert(Bucket {
            milli: full,
            last_ms: now_ms,
        });
        let regained = now_ms
            .saturating_sub(b.last_ms)
            .max(0)
            .saturating_mul(per_minute)
            / 60;
        b.milli = b.milli.saturating_add(regained).min(full);
        b.last_ms = now_ms;
        if b.milli >= 1000 {
            b.milli -= 1000;
            Ok(())
        } else {
            // (1000 - milli) thousandths at per_minute/60 thousandths per ms.
            Err(((1000 - b.milli).saturating_mul(60) + per_minute - 1) / per_minute)
        }
    }

    pub fn config(&self) -> &ThrottleConfig {
        &self.config
    }

    fn keys(login: &str, address: Option<IpAddr>) -> [Key; 3] {
        let n = name(login);
        [
            Key::Login(n.clone()),
            Key::Address(address),
            Key::Pair(n, address),
        ]
    }

    /// The milliseconds to wait before `login` may be tried from `address`; `None` if now.
    pub fn wait_ms(&self, login: &str, address: Option<IpAddr>, now_ms: i64) -> Option<i64> {
        let counts = self.counts.lock().ok()?;
        Self::keys(login, address)
            .iter()
            .filter_map(|k| counts.get(k))
            .map(|c| c.until_ms.saturating_sub(now_ms))
            .filter(|&w| w > 0)
            .max()
    }

    fn delay(&self, key: &Key, failures: u32) -> i64 {
        let (free, cap) = match key {
            Key::Login(_) => (self.config.login_free, self.config.login_max_delay_ms),
            Key::Pair(..) => (self.config.pair_free, self.config.max_delay_ms),
            Key::Address(_) => (self.config.address_free, self.config.max_delay_ms),
        };
        if failures < free {
            return 0;
        }
        let doublings = (failures - free).min(30);
        self.config
            .base_delay_ms
            .saturating_mul(1_i64 << doublings)
            .min(cap)
    }

    /// Counts a failed sign-in.
    pub fn failed(&self, login: &str, address: Option<IpAddr>, now_ms: i64) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        if counts.len() >= MAX_KEYS {
            let forget = self.config.forget_ms;
            counts.retain(|_, c| now_ms.saturating_sub(c.last_ms) < forget);
            if counts.len() >= MAX_KEYS {
                counts.clear();
            }
        }
        for key in Self::keys(login, address) {
            let delay_of = |failures| self.delay(&key, failures);
            let c = counts.entry(key.clone()).or_default();
            if now_ms.saturating_sub(c.last_ms) >= self.config.forget_ms {
                *c = Count::default();
            }
            c.failures = c.failures.saturating_add(1);
            c.last_ms = now_ms;
            c.until_ms = now_ms.saturating_add(delay_of(c.failures));
        }
    }

    /// A sign-in succeeded: the name's and the pair's counts are cleared (the address keeps
    /// its own, so that one right password does not reset a guesser's count).
    pub fn succeeded(&self, login: &str, address: Option<IpAddr>) {
        if let Ok(mut counts) = self.counts.lock() {
            let [by_login, _, pair] = Self::keys(login, address);
            counts.remove(&by_login);
            counts.remove(&pair);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn delays_grow_and_a_name_is_never_held_longer_than_its_cap() {
        let t = Throttle::new(ThrottleConfig::default());
        let mut now = 0;
        // One address guesses: free failures, then 1 s, 2 s, 4 s … for the pair.
        for _ in 0..3 {
            assert_eq!(t.wait_ms("Zhang", ip("10.0.0.1"), now), None);
            t.failed("zhang", ip("10.0.0.1"), now);
        }
        assert_eq!(t.wait_ms("zhang", ip("10.0.0.1"), now), Some(1_000));
        now += 1_000;
        t.failed("zhang", ip("10.0.0.1"), now);
        assert_eq!(t.wait_ms("zhang", ip("10.0.0.1"), now), Some(2_000));
        // Another address is held back by the name's count only (capped at 30 s).
        let mut worst = 0;
        for i in 0..40 {
            let addr = ip(&format!("10.1.0.{i}"));
            now += 60_000;
            t.failed(" ZHANG ", addr, now);
            worst = worst.max(t.wait_ms("zhang", ip("192.168.1.9"), now).unwrap_or(0));
        }
        assert_eq!(worst, 30_000);
        // The owner succeeds after the wait: the name's count is cleared.
        now += 30_000;
        assert_eq!(t.wait_ms("zhang", ip("192.168.1.9"), now), None);
        t.succeeded("zhang", ip("192.168.1.9"));
        assert_eq!(t.wait_ms("zhang", ip("192.168.1.9"), now), None);
    }

    #[test]
    fn an_address_guessing_many_names_is_throttled() {
        let t = Throttle::new(ThrottleConfig::default());
        for i in 0..20 {
            t.failed(&format!("user{i}"), ip("10.0.0.7"), 0);
        }
        assert_eq!(t.wait_ms("someone-else", ip("10.0.0.7"), 0), Some(1_000));
        assert_eq!(t.wait_ms("someone-else", ip("10.0.0.8"), 0), None);
    }

    #[test]
    fn public_look_ups_are_limited_per_address_and_regained_over_time() {
        let t = Throttle::new(ThrottleConfig {
            lookup_burst: 3,
            lookup_per_minute: 60,
            ..ThrottleConfig::default()
        });
        for _ in 0..3 {
            assert_eq!(t.lookup(ip("10.0.0.7"), 0), Ok(()));
        }
        // One a second is regained: the fourth must wait a second.
        assert_eq!(t.lookup(ip("10.0.0.7"), 0), Err(1_000));
        assert_eq!(t.lookup(ip("10.0.0.8"), 0), Ok(()));
        assert_eq!(t.lookup(ip("10.0.0.7"), 1_000), Ok(()));
        assert_eq!(t.lookup(ip("10.0.0.7"), 1_000), Err(1_000));
    }

    #[test]
    fn unknown_logins_are_audited_once_per_address_and_window_with_their_count() {
        let t = Throttle::new(ThrottleConfig::default());
        let a = ip("10.0.0.7");
        assert_eq!(t.unknown_login(a, 0), Some(1));
        for s in 1..=9 {
            assert_eq!(t.unknown_login(a, s * 1_000), None);
        }
        assert_eq!(t.unknown_login(ip("10.0.0.8"), 5_000), Some(1));
        // The window past: this attempt and the nine held.
        assert_eq!(t.unknown_login(a, 60_000), Some(10));
        assert_eq!(t.unknown_login(a, 61_000), None);
    }
}
