//! The worker pool: tasks that claim jobs from the [`Queue`] and review
//! them through the application layer, acting as the account that
//! submitted each. The server runs one in-process (embedded mode and each
//! replica); `oversight worker` runs one on its own, anywhere the database
//! and the evidence store can be reached.
//!
//! A review is idempotent: its id is derived from the delivery's
//! ([`review_id_for`]), so an attempt after a crash first looks for the
//! review an earlier attempt may have recorded, and two workers that race
//! on one delivery record it once (the second record of the same id is
//! refused whole, ledger event included).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use oversight_register::Register;
use sha2::{Digest as _, Sha256};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::queue::{AfterFailure, Claim, Job, Queue};

/// The review id of delivery `delivery`: the same for every attempt.
#[must_use]
pub fn review_id_for(delivery: &str) -> String {
    let digest = Sha256::digest(format!("oversight delivery {delivery}").as_bytes());
    format!("rev-{}", &hex::encode(digest)[..16])
}

/// What a worker needs to review a job.
#[derive(Clone)]
pub struct ReviewContext {
    /// The register (each review acts as the job's submitter).
    pub register: Register,
    /// The evidence store's location.
    pub evidence: String,
    /// The advisory index.
    pub advisories: Option<PathBuf>,
    /// Where uploads fetched from the evidence store are put while they
    /// are reviewed.
    pub scratch: PathBuf,
}

/// Told of what happens to jobs (webhooks, metrics). Only `ended` must be
/// implemented; the others are for metrics and do nothing by default.
pub trait JobEvents: Send + Sync {
    /// `job` ended (its status is final).
    fn ended(&self, job: &Job);

    /// A worker claimed `job` for attempt `attempt` (1 for the first).
    fn started(&self, _job: &Job, _attempt: i64) {}

    /// The review of `job` produced a decision after `took` (the attempt's
    /// review only, not its wait in the queue).
    fn reviewed(&self, _job: &Job, _took: Duration) {}

    /// An attempt at `job` failed and it will be tried again.
    fn retried(&self, _job: &Job) {}
}

/// No one to tell.
pub struct NoEvents;

impl JobEvents for NoEvents {
    fn ended(&self, _: &Job) {}
}

/// How a pool runs.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Jobs reviewed at the same time.
    pub workers: usize,
    /// The pool's name; worker `i` is `NAME/i` in the job table.
    pub name: String,
    /// How often an idle worker looks for work (it is also woken at once
    /// by jobs submitted in its own process).
    pub poll: Duration,
}

/// Memory set aside for one review when the number of concurrent reviews
/// is chosen by default: a review holds at most one archive member, a
/// file's findings and the behaviour engine's parse of one file (each
/// bounded) at a time per scanning thread.
pub const MEMORY_PER_REVIEW: u64 = 1 << 30;

/// How many reviews to run at once when nobody says: one per core, and no
/// more than the available memory holds at [`MEMORY_PER_REVIEW`] each
/// (`MemAvailable` of `/proc/meminfo`, or of the cgroup's limit when lower);
/// at least one.
#[must_use]
pub fn default_concurrency() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let by_memory = available_memory().map_or(usize::MAX, |bytes| {
        usize::try_from(bytes / MEMORY_PER_REVIEW).unwrap_or(usize::MAX)
    });
    cores.min(by_memory).max(1)
}

/// The memory this process may still use: the system's available memory,
/// or what its cgroup (v2) leaves, whichever is lower.
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = meminfo.lines().find_map(|line| {
        let kib = line
            .strip_prefix("MemAvailable:")?
            .trim()
            .strip_suffix("kB")?;
        kib.trim().parse::<u64>().ok().map(|k| k * 1024)
    })?;
    let read = |name: &str| {
        std::fs::read_to_string(format!("/sys/fs/cgroup/{name}"))
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let cgroup = match (read("memory.max"), read("memory.current")) {
        (Some(max), Some(current)) => Some(max.saturating_sub(current)),
        _ => None,
    };
    Some(cgroup.map_or(available, |left| left.min(available)))
}

/// What stopping the pool did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stopped {
    /// Jobs given back to the queue because they did not finish in time.
    pub released: usize,
}

/// A running pool of workers.
pub struct WorkerPool {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    holding: Arc<Mutex<HashMap<String, Claim>>>,
    queue: Queue,
}

impl WorkerPool {
    /// Starts `options.workers` workers on `queue` (none when it is 0: the
    /// jobs wait for workers elsewhere).
    #[must_use]
    pub fn start(
        queue: Queue,
        options: &PoolOptions,
        context: ReviewContext,
        events: Arc<dyn JobEvents>,
    ) -> WorkerPool {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let holding = Arc::new(Mutex::new(HashMap::new()));
        let tasks = (0..options.workers)
            .map(|i| {
                let worker = Worker {
                    name: format!("{}/{i}", options.name),
                    queue: queue.clone(),
                    context: context.clone(),
                    events: Arc::clone(&events),
                    holding: Arc::clone(&holding),
                };
                let wake = Arc::clone(&wake);
                let stopped = stopped.clone();
                let poll = options.poll;
                tokio::spawn(worker.run(wake, stopped, poll))
            })
            .collect();
        WorkerPool {
            wake,
            stop,
            tasks,
            holding,
            queue,
        }
    }

    /// A job was submitted: an idle worker looks now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops claiming, waits up to `grace` for the reviews in progress,
    /// then gives the unfinished ones back to the queue (another worker
    /// takes them at once, without counting the attempt).
    pub async fn stop(self, grace: Duration) -> Stopped {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + grace;
        for task in &self.tasks {
            while !task.is_finished() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let unfinished: Vec<Claim> = self
            .holding
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|(_, c)| c)
            .collect();
        for task in &self.tasks {
            task.abort();
        }
        let mut released = 0;
        for claim in unfinished {
            match self.queue.release(&claim).await {
                Ok(true) => released += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(job = %claim.job.id, error = %e, "cannot release the job")
                }
            }
        }
        Stopped { released }
    }
}

struct Worker {
    name: String,
    queue: Queue,
    context: ReviewContext,
    events: Arc<dyn JobEvents>,
    holding: Arc<Mutex<HashMap<String, Claim>>>,
}

/// Why an attempt failed, and whether another may succeed.
struct Failure {
    reason: String,
    retriable: bool,
}

impl Worker {
    async fn run(self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>, poll: Duration) {
        loop {
            if *stopped.borrow() {
                break;
            }
            match self.queue.claim(&self.name).await {
                Ok(Some(claim)) => self.work(claim).await,
                Ok(None) => {
                    tokio::select! {
                        () = wake.notified() => {}
                        () = tokio::time::sleep(poll) => {}
                        _ = stopped.changed() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(worker = %self.name, error = %e, "cannot claim a job; trying again");
                    tokio::select! {
                        () = tokio::time::sleep(poll) => {}
                        _ = stopped.changed() => {}
                    }
                }
            }
        }
    }

    fn hold(&self, claim: Option<&Claim>) {
        let mut holding = self.holding.lock().unwrap_or_else(PoisonError::into_inner);
        match claim {
            Some(claim) => holding.insert(self.name.clone(), claim.clone()),
            None => holding.remove(&self.name),
        };
    }

    async fn work(&self, claim: Claim) {
        let id = claim.job.id.clone();
        tracing::info!(job = %id, worker = %self.name, attempt = claim.attempt, engagement = %claim.job.engagement, "review started");
        self.hold(Some(&claim));
        self.events.started(&claim.job, claim.attempt);
        let heartbeat = {
            let queue = self.queue.clone();
            let claim = claim.clone();
            let every = queue.settings().lease / 3;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    match queue.heartbeat(&claim).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = %claim.job.id, "the job's lease was lost");
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(job = %claim.job.id, error = %e, "cannot renew the lease")
                        }
                    }
                }
            })
        };
        let review_id = review_id_for(&id);
        let began = std::time::Instant::now();
        let result = self.review(&claim.job, &review_id).await;
        heartbeat.abort();
        if result.is_ok() {
            self.events.reviewed(&claim.job, began.elapsed());
        }
        // A failure may be a race lost to another worker that recorded the
        // same review: then the review is there, and the job is done.
        let result = match result {
            Err(failure) => self.recorded(&review_id).await.ok_or(failure),
            ok => ok,
        };
        let ended = match result {
            Ok(outcome) => match self.queue.complete(&claim, &review_id, &outcome).await {
                Ok(true) => {
                    tracing::info!(job = %id, review = %review_id, outcome = %outcome, "review recorded");
                    remove_staged(&claim.job);
                    true
                }
                Ok(false) => {
                    tracing::warn!(job = %id, "reviewed, but the lease had been lost: the worker holding it now ends the job");
                    false
                }
                Err(e) => {
                    tracing::error!(job = %id, error = %e, "reviewed, but the job cannot be ended; its lease will run out and the review be found again");
                    false
                }
            },
            Err(failure) => {
                match self
                    .queue
                    .fail(&claim, &failure.reason, failure.retriable)
                    .await
                {
                    Ok(AfterFailure::Retrying(wait)) => {
                        tracing::warn!(job = %id, error = %failure.reason, retry_in = ?wait, "review failed; it will be tried again");
                        self.events.retried(&claim.job);
                        false
                    }
                    Ok(AfterFailure::Ended(status)) => {
                        tracing::warn!(job = %id, error = %failure.reason, status = status.as_str(), "review failed");
                        true
                    }
                    Ok(AfterFailure::LostClaim) => false,
                    Err(e) => {
                        tracing::error!(job = %id, reason = %failure.reason, error = %e, "the review failed, and the failure cannot be recorded; the job's lease will run out and it will be tried again");
                        false
                    }
                }
            }
        };
        self.hold(None);
        if ended {
            match self.queue.job(&id).await {
                Ok(Some(job)) => self.events.ended(&job),
                Ok(None) => {}
                Err(e) => tracing::warn!(job = %id, error = %e, "cannot read the ended job"),
            }
        }
    }

    /// The outcome of review `review_id`, if it is recorded.
    async fn recorded(&self, review_id: &str) -> Option<String> {
        self.context
            .register
            .review_decision(review_id)
            .await
            .ok()
            .map(|decided| decided.1.outcome.clone())
    }

    /// Reviews `job` as review `review_id`; its outcome.
    async fn review(&self, job: &Job, review_id: &str) -> Result<String, Failure> {
        if let Some(outcome) = self.recorded(review_id).await {
            tracing::info!(job = %job.id, review = %review_id, "the review was recorded by an earlier attempt");
            return Ok(outcome);
        }
        let engagement = job.engagement.parse().map_err(|e| Failure {
            reason: format!(
                "Job `{}` names engagement `{}`: {e}",
                job.id, job.engagement
            ),
            retriable: false,
        })?;
        let (target, fetched) = self.delivery(job).await?;
        let register = self.context.register.acting_as(&job.submitter);
        let request = oversight_app::review::ReviewRequest {
            engagement,
            target,
            policy: None,
            read: oversight_app::scan::ReadOptions {
                advisories: self.context.advisories.clone(),
                ..Default::default()
            },
            evidence: self.context.evidence.clone(),
            id: Some(review_id.to_owned()),
        };
        // The scan is CPU-bound: it runs on a blocking thread. Its database
        // and store calls stay on this runtime (`Handle::block_on`): a
        // connection opened under a short-lived runtime of its own would
        // die with it and fail whoever used it next.
        let runtime = tokio::runtime::Handle::current();
        let result = tokio::task::spawn_blocking(move || {
            runtime
                .block_on(oversight_app::review::review(
                    &register,
                    &request,
                    &oversight_app::scan::NoProgress,
                ))
                .map(|r| r.decision.outcome.as_str().to_owned())
                .map_err(|e| Failure {
                    reason: reason(&e),
                    retriable: e.is_transient(),
                })
        })
        .await;
        if let Some(dir) = fetched {
            let _ = fs_err::remove_dir_all(dir);
        }
        match result {
            Ok(result) => result,
            Err(e) => Err(Failure {
                reason: format!(
                    "the review of delivery `{}` stopped unexpectedly: {e}",
                    job.id
                ),
                retriable: true,
            }),
        }
    }

    /// The delivered file: where the server staged it when this worker can
    /// see it, otherwise fetched from the evidence store (with the same
    /// file name, so findings' paths and their fingerprints do not change).
    /// Also the directory to remove afterwards, if it was fetched.
    async fn delivery(&self, job: &Job) -> Result<(PathBuf, Option<PathBuf>), Failure> {
        if job.staged.is_file() {
            return Ok((job.staged.clone(), None));
        }
        let Some(blob) = &job.blob else {
            return Err(Failure {
                reason: format!(
                    "Delivery `{}` is not staged here (`{}`) and was not put in the evidence store",
                    job.id,
                    job.staged.display()
                ),
                retriable: false,
            });
        };
        let digest: oversight_evidence::Digest = blob.parse().map_err(|e| Failure {
            reason: format!("Delivery `{}` names blob `{blob}`: {e}", job.id),
            retriable: false,
        })?;
        let dir = self.context.scratch.join(&job.id);
        let path = dir.join(&job.file_name);
        let fetch =
            async {
                fs_err::create_dir_all(&dir).map_err(|e| Failure {
                    reason: reason(&e),
                    retriable: true,
                })?;
                let store = oversight_evidence::EvidenceStore::open(&self.context.evidence)
                    .map_err(|e| Failure {
                        reason: reason(&e),
                        retriable: false,
                    })?;
                store
                    .get_to_file(&digest, &path)
                    .await
                    .map_err(|e| Failure {
                        retriable: !matches!(e, oversight_evidence::EvidenceError::Tampered { .. }),
                        reason: format!("Delivery `{}`: {}", job.id, reason(&e)),
                    })
            };
        match fetch.await {
            Ok(_) => Ok((path, Some(dir))),
            Err(failure) => {
                let _ = fs_err::remove_dir_all(&dir);
                Err(failure)
            }
        }
    }
}

/// `error` with its causes, as the job's recorded reason: a message such
/// as "Cannot write FILE" says why only in its source ("No space left on
/// device"). A cause already in the text is not repeated.
fn reason(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = e.source();
    }
    text
}

/// The server's staging directory of a reviewed job, when this worker
/// sees it: its files are in the evidence store now.
fn remove_staged(job: &Job) {
    if job.staged.is_file() {
        remove_staged_upload(&job.staged);
    }
}

/// Removes a staged upload (`staging/<delivery>/delivery.*`) with its
/// directory: once it is in the evidence store, or reviewed.
pub fn remove_staged_upload(staged: &Path) {
    if let Some(dir) = staged.parent() {
        let _ = fs_err::remove_dir_all(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_concurrency_is_bounded_by_cores_and_the_memory_read_here() {
        let memory = available_memory().expect("MemAvailable read from /proc/meminfo");
        assert!(memory > 0);
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let n = default_concurrency();
        assert!((1..=cores).contains(&n), "{n} of {cores} cores");
        let by_memory = usize::try_from(memory / MEMORY_PER_REVIEW).unwrap_or(usize::MAX);
        assert!(n <= by_memory.max(1), "{n} reviews in {memory} bytes");
    }
}
