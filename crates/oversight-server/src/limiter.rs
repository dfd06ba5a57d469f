//! The login rate limit. Failed attempts are counted per account name and
//! per client address in a one-minute window; a key over its limit is
//! refused before any password is hashed. Hashing itself (argon2id, tens of
//! milliseconds of CPU) runs on blocking threads, at most
//! [`LoginLimiter::hashing_slots`] at once: a flood of guesses waits for a
//! slot briefly and is then refused, and requests that hash nothing keep
//! their cores.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const WINDOW: Duration = Duration::from_secs(60);
/// Keys kept at most; the oldest windows go first.
const MAX_KEYS: usize = 100_000;
/// How long a login waits for a hashing slot before it is refused.
const SLOT_WAIT: Duration = Duration::from_secs(2);
/// Failures one client address may make per minute, as a multiple of an
/// account's: an office behind one address has many accounts.
const CLIENT_FACTOR: u32 = 10;

/// What a login attempt is counted under.
pub struct LoginKeys {
    name: String,
    client: String,
}

impl LoginKeys {
    /// The keys of an attempt on account `name` from `client`.
    pub fn new(name: &str, client: &str) -> LoginKeys {
        LoginKeys {
            name: format!("name:{name}"),
            client: format!("client:{client}"),
        }
    }
}

/// Failure counts per key, and the hashing slots.
pub struct LoginLimiter {
    per_minute: u32,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
    hashing: std::sync::Arc<Semaphore>,
}

/// Whether an attempt may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// It may.
    Open,
    /// It is refused, the first time in this window for its key: worth a
    /// line in the access log.
    FirstRefusal,
    /// It is refused again: a flood is logged once per key and minute,
    /// not once per request.
    Refused,
}

impl LoginLimiter {
    /// A limit of `per_minute` failures per account (ten times that per
    /// client address), hashing on at most half the cores at once.
    pub fn new(per_minute: u32) -> LoginLimiter {
        LoginLimiter {
            per_minute,
            failures: Mutex::new(HashMap::new()),
            hashing: std::sync::Arc::new(Semaphore::new(Self::hashing_slots())),
        }
    }

    /// Passwords hashed at once: half the cores, at least one.
    pub fn hashing_slots() -> usize {
        std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
    }

    /// Whether the account or the client has used up its failures.
    pub fn check(&self, keys: &LoginKeys) -> Limit {
        let mut failures = self.failures.lock().expect("no panic holds the lock");
        let limits = [
            (&keys.name, self.per_minute),
            (&keys.client, self.per_minute.saturating_mul(CLIENT_FACTOR)),
        ];
        let mut result = Limit::Open;
        for (key, limit) in limits {
            if let Some((start, n)) = failures.get_mut(key.as_str())
                && start.elapsed() < WINDOW
                && *n >= limit
            {
                // Counted on past the limit: the first refusal is `limit`.
                *n = n.saturating_add(1);
                result = if *n == limit + 1 && result == Limit::Open {
                    Limit::FirstRefusal
                } else {
                    Limit::Refused
                };
            }
        }
        result
    }

    /// A hashing slot, or `None` when every slot stayed busy for a while.
    pub async fn hashing_slot(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(
            SLOT_WAIT,
            std::sync::Arc::clone(&self.hashing).acquire_owned(),
        )
        .await
        .ok()?
        .ok()
    }

    /// Counts a failure for the account and the client.
    pub fn failed(&self, keys: &LoginKeys) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("no panic holds the lock");
        if failures.len() > MAX_KEYS {
            failures.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        for k in [&keys.name, &keys.client] {
            let entry = failures.entry(k.clone()).or_insert((now, 0));
            if now.duration_since(entry.0) >= WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    /// Forgets the account's failures (after a successful login).
    pub fn succeeded(&self, keys: &LoginKeys) {
        let mut failures = self.failures.lock().expect("no panic holds the lock");
        failures.remove(&keys.name);
    }
}
