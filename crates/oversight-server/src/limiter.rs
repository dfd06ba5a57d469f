//! The login rate limit: failed attempts per account name and per client
//! address in a one-minute window. A refused attempt costs no password
//! hash, so a flood of guesses does not slow other users' logins.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Keys kept at most; the oldest windows go first.
const MAX_KEYS: usize = 100_000;

/// Failure counts per key.
pub struct LoginLimiter {
    per_minute: u32,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginLimiter {
    /// A limit of `per_minute` failures per key.
    pub fn new(per_minute: u32) -> LoginLimiter {
        LoginLimiter {
            per_minute,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether any of `keys` has used up its failures.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let failures = self.failures.lock().expect("no panic holds the lock");
        keys.iter().any(|k| {
            failures.get(k).is_some_and(|(start, n)| {
                now.duration_since(*start) < WINDOW && *n >= self.per_minute
            })
        })
    }

    /// Counts a failure for each of `keys`.
    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("no panic holds the lock");
        if failures.len() > MAX_KEYS {
            failures.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        for k in keys {
            let entry = failures.entry(k.clone()).or_insert((now, 0));
            if now.duration_since(entry.0) >= WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    /// Forgets the failures of `keys` (after a successful login).
    pub fn succeeded(&self, keys: &[String]) {
        let mut failures = self.failures.lock().expect("no panic holds the lock");
        for k in keys {
            failures.remove(k);
        }
    }
}
