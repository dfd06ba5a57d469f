//! The login rate limit. Failed attempts are counted per account name and
//! per client address in a one-minute window; a key over its limit is
//! refused before any password is hashed. Hashing itself (argon2id, tens of
//! milliseconds of CPU) runs on blocking threads, at most
//! [`LoginLimiter::hashing_slots`] at once: a flood of guesses waits for a
//! slot briefly and is then refused, and requests that hash nothing keep
//! their cores. One client address has at most two logins waiting or
//! hashing at once, so a flood from it cannot fill the slots that other
//! users' logins need.
//!
//! The failure counts are shared by every replica of the server through
//! the database (`login_failures`): guesses spread over replicas count
//! together. Each replica also keeps them in memory, so a key it has
//! refused once is refused again without a query, and a database that
//! cannot be asked leaves the replica's own counts in force.

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

/// Logins one client address may have waiting for or in hashing at once:
/// a flood from one address never holds more slots than this, so the
/// hashing slots stay free for everyone else's logins.
const IN_FLIGHT_PER_CLIENT: usize = 2;

/// Failure counts per key, and the hashing slots.
pub struct LoginLimiter {
    per_minute: u32,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
    hashing: std::sync::Arc<Semaphore>,
    /// Logins waiting for or in hashing, per client key.
    in_flight: std::sync::Arc<Mutex<HashMap<String, usize>>>,
    shared: Option<SharedFailures>,
}

/// What asking for a hashing slot gave.
pub enum Slot {
    /// The slot, held until this is dropped.
    Granted(SlotGuard),
    /// The client already has as many logins in flight as it may.
    ClientBusy,
    /// Every slot stayed busy for a while.
    Busy,
}

/// A hashing slot and the client's place among its logins in flight.
pub struct SlotGuard {
    _permit: OwnedSemaphorePermit,
    _ticket: ClientTicket,
}

/// One of a client's logins in flight, counted until dropped.
struct ClientTicket {
    in_flight: std::sync::Arc<Mutex<HashMap<String, usize>>>,
    client: String,
}

impl Drop for ClientTicket {
    fn drop(&mut self) {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = in_flight.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                in_flight.remove(&self.client);
            }
        }
    }
}

/// The failure counts in the database, one row per key and window.
struct SharedFailures {
    pool: sqlx::AnyPool,
    table: tokio::sync::OnceCell<()>,
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn window_ms() -> i64 {
    i64::try_from(WINDOW.as_millis()).unwrap_or(i64::MAX)
}

impl SharedFailures {
    async fn ready(&self) -> Result<(), sqlx::Error> {
        self.table
            .get_or_try_init(|| async {
                sqlx::query(
                    "CREATE TABLE IF NOT EXISTS login_failures (
                        key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, failures BIGINT NOT NULL)",
                )
                .execute(&self.pool)
                .await
                .map(|_| ())
            })
            .await
            .map(|_| ())
    }

    /// The failures of `keys` in their current windows.
    async fn counts(&self, keys: [&str; 2]) -> Result<Vec<(String, i64)>, sqlx::Error> {
        use sqlx::Row as _;
        self.ready().await?;
        let rows = sqlx::query(
            "SELECT key, failures FROM login_failures WHERE key IN ($1, $2) AND window_start > $3",
        )
        .bind(keys[0])
        .bind(keys[1])
        .bind(now_ms() - window_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<String, _>("key"), r.get::<i64, _>("failures")))
            .collect())
    }

    /// Counts a failure of `key`, starting a new window when its last one
    /// ended.
    async fn add(&self, key: &str) -> Result<(), sqlx::Error> {
        self.ready().await?;
        let now = now_ms();
        sqlx::query(
            "INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN login_failures.window_start <= $3 THEN 1
                                 ELSE login_failures.failures + 1 END,
                 window_start = CASE WHEN login_failures.window_start <= $3 THEN $2
                                     ELSE login_failures.window_start END",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms())
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    async fn forget(&self, key: &str) -> Result<(), sqlx::Error> {
        self.ready().await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
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
    /// client address), hashing on at most half the cores at once; the
    /// counts are shared with the other replicas through `pool`.
    pub fn new(per_minute: u32, pool: Option<sqlx::AnyPool>) -> LoginLimiter {
        LoginLimiter {
            per_minute,
            failures: Mutex::new(HashMap::new()),
            hashing: std::sync::Arc::new(Semaphore::new(Self::hashing_slots())),
            in_flight: std::sync::Arc::default(),
            shared: pool.map(|pool| SharedFailures {
                pool,
                table: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// Passwords hashed at once: half the cores, at least one.
    pub fn hashing_slots() -> usize {
        std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
    }

    /// Whether the account or the client has used up its failures, here or
    /// on another replica.
    pub async fn check(&self, keys: &LoginKeys) -> Limit {
        let local = self.check_here(keys);
        if local != Limit::Open {
            return local;
        }
        let Some(shared) = &self.shared else {
            return local;
        };
        match shared.counts([&keys.name, &keys.client]).await {
            Ok(counts) => {
                {
                    let now = Instant::now();
                    let mut failures = self.failures.lock().expect("no panic holds the lock");
                    for (key, n) in counts {
                        let n = u32::try_from(n).unwrap_or(u32::MAX);
                        let entry = failures.entry(key).or_insert((now, 0));
                        if now.duration_since(entry.0) >= WINDOW {
                            *entry = (now, 0);
                        }
                        entry.1 = entry.1.max(n);
                    }
                }
                self.check_here(keys)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the shared login failures cannot be read; this replica's own count applies");
                local
            }
        }
    }

    fn check_here(&self, keys: &LoginKeys) -> Limit {
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

    /// A hashing slot for a login of `keys`' client: refused at once when
    /// the client already has [`IN_FLIGHT_PER_CLIENT`] logins waiting or
    /// hashing, and after a while when every slot stayed busy.
    pub async fn hashing_slot(&self, keys: &LoginKeys) -> Slot {
        let ticket = {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = in_flight.entry(keys.client.clone()).or_insert(0);
            if *n >= IN_FLIGHT_PER_CLIENT {
                return Slot::ClientBusy;
            }
            *n += 1;
            ClientTicket {
                in_flight: std::sync::Arc::clone(&self.in_flight),
                client: keys.client.clone(),
            }
        };
        match tokio::time::timeout(
            SLOT_WAIT,
            std::sync::Arc::clone(&self.hashing).acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => Slot::Granted(SlotGuard {
                _permit: permit,
                _ticket: ticket,
            }),
            _ => Slot::Busy,
        }
    }

    /// Counts a failure for the account and the client.
    pub async fn failed(&self, keys: &LoginKeys) {
        {
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
        if let Some(shared) = &self.shared {
            for k in [&keys.name, &keys.client] {
                if let Err(e) = shared.add(k).await {
                    tracing::warn!(error = %e, "a login failure cannot be shared with the other replicas");
                }
            }
        }
    }

    /// Forgets the account's failures (after a successful login).
    pub async fn succeeded(&self, keys: &LoginKeys) {
        self.failures
            .lock()
            .expect("no panic holds the lock")
            .remove(&keys.name);
        if let Some(shared) = &self.shared
            && let Err(e) = shared.forget(&keys.name).await
        {
            tracing::warn!(error = %e, "a login's success cannot be shared with the other replicas");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pool(url: &str) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(url)
            .await
            .expect("the database")
    }

    /// A flood from one address holds at most two places among the logins
    /// waiting for hashing; another address's login gets a slot as soon as
    /// one is free, and the flood's places come back when its logins end.
    #[test]
    fn one_address_cannot_fill_the_hashing_slots() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let limiter = std::sync::Arc::new(LoginLimiter::new(10, None));
            let flood = LoginKeys::new("guess-1", "203.0.113.9");
            let Slot::Granted(first) = limiter.hashing_slot(&flood).await else {
                panic!("the first login gets a slot");
            };
            // The second waits for a slot (or takes one, with more cores).
            let waiting = {
                let limiter = std::sync::Arc::clone(&limiter);
                tokio::spawn(async move {
                    let keys = LoginKeys::new("guess-2", "203.0.113.9");
                    matches!(limiter.hashing_slot(&keys).await, Slot::Granted(_))
                })
            };
            tokio::task::yield_now().await;
            for n in 3..10 {
                let keys = LoginKeys::new(&format!("guess-{n}"), "203.0.113.9");
                assert!(
                    matches!(limiter.hashing_slot(&keys).await, Slot::ClientBusy),
                    "the flood's login {n} is refused at once"
                );
            }
            drop(first);
            assert!(waiting.await.expect("the task"), "the second got a slot");
            let user = LoginKeys::new("alice", "198.51.100.7");
            assert!(matches!(
                limiter.hashing_slot(&user).await,
                Slot::Granted(_)
            ));
            // The flood's logins ended: its places are free again.
            assert!(matches!(
                limiter.hashing_slot(&flood).await,
                Slot::Granted(_)
            ));
        });
    }

    /// Two replicas on one database: guesses spread over both count
    /// together, and a success on one clears the account on all.
    #[test]
    fn failures_on_one_replica_count_on_the_others() {
        let dir = tempfile::tempdir().expect("a directory");
        let pg = oversight_test_support::postgres::TempDatabase::new("limiter");
        let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
        for url in [sqlite, pg.url()] {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let a = LoginLimiter::new(4, Some(pool(&url).await));
                let b = LoginLimiter::new(4, Some(pool(&url).await));
                let victim = LoginKeys::new("victim", "10.0.0.1");
                for i in 0..4 {
                    let replica = if i % 2 == 0 { &a } else { &b };
                    assert_eq!(
                        replica.check(&victim).await,
                        Limit::Open,
                        "{url} attempt {i}"
                    );
                    replica.failed(&victim).await;
                }
                // Each replica saw 2 failures of its own; together they are 4.
                assert_eq!(b.check(&victim).await, Limit::FirstRefusal, "{url}");
                assert_eq!(b.check(&victim).await, Limit::Refused, "{url}");
                let elsewhere = LoginKeys::new("victim", "10.0.0.9");
                assert_eq!(a.check(&elsewhere).await, Limit::FirstRefusal, "{url}");
                // Another account from the same address is not refused.
                let bystander = LoginKeys::new("bystander", "10.0.0.1");
                assert_eq!(a.check(&bystander).await, Limit::Open, "{url}");
                // A success clears the account for a replica that starts now.
                b.succeeded(&victim).await;
                let c = LoginLimiter::new(4, Some(pool(&url).await));
                assert_eq!(c.check(&elsewhere).await, Limit::Open, "{url}");
            });
        }
    }
}
