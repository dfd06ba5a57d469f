//! Review jobs as the server uses them: an upload is staged, put in the
//! evidence store (so a worker on another machine can fetch it) and
//! recorded as a job row before the request is answered; workers claim it
//! from the database (`oversight-jobs`). The server runs `workers` of them
//! in-process; with none, `oversight worker` processes do the reviews.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use oversight_jobs::{NewJob, PoolOptions, Queue, QueueSettings, ReviewContext, WorkerPool};
use oversight_register::Register;
use sqlx::AnyPool;

pub use oversight_jobs::{Depth, Job, JobError, JobStatus, WhileQueued};

/// What the in-process workers need.
#[derive(Clone)]
pub struct WorkerContext {
    /// The register, acting as the server (the worker derives the
    /// submitter's).
    pub register: Register,
    /// The evidence store.
    pub evidence: String,
    /// The advisory index.
    pub advisories: Option<PathBuf>,
    /// Hooks told of each job's end.
    pub webhooks: crate::webhooks::Webhooks,
    /// Where uploads fetched from the evidence store go while reviewed.
    pub scratch: PathBuf,
    /// The metrics the workers report to.
    pub metrics: crate::metrics::Metrics,
}

/// Why an upload could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The job table.
    #[error(transparent)]
    Jobs(#[from] JobError),
    /// The evidence store.
    #[error("Delivery `{delivery}` cannot be put in the evidence store: {source}")]
    Evidence {
        /// The delivery.
        delivery: String,
        /// Why.
        source: oversight_evidence::EvidenceError,
    },
}

/// The job table and the in-process workers.
#[derive(Clone)]
pub struct Jobs {
    queue: Queue,
    /// In-process workers: with none, an upload is not kept on this
    /// replica's disk once it is in the evidence store.
    in_process: usize,
    pool: Arc<std::sync::Mutex<Option<WorkerPool>>>,
    evidence: String,
    /// The evidence store, opened at the first upload and kept (its pack
    /// index is read once, not per upload).
    store: Arc<tokio::sync::OnceCell<oversight_evidence::EvidenceStore>>,
}

struct Webhooks(crate::webhooks::Webhooks);

/// Webhooks told of each job's end, for a worker pool (`oversight worker`
/// uses the server's `[[webhooks]]` too).
#[must_use]
pub fn webhook_events(webhooks: crate::webhooks::Webhooks) -> Arc<dyn oversight_jobs::JobEvents> {
    Arc::new(Webhooks(webhooks))
}

impl oversight_jobs::JobEvents for Webhooks {
    fn ended(&self, job: &Job) {
        self.0.notify(&ended(job));
    }
}

impl Jobs {
    /// The job table on `pool` (`postgres`: which database it is on), and
    /// `workers` in-process workers reviewing with `context`.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the job table cannot be created.
    pub async fn start(
        pool: AnyPool,
        postgres: bool,
        settings: QueueSettings,
        workers: usize,
        context: WorkerContext,
    ) -> Result<Jobs, JobError> {
        let queue = Queue::open(pool, postgres, settings).await?;
        let evidence = context.evidence.clone();
        let workers_count = workers;
        let workers = WorkerPool::start(
            queue.clone(),
            &PoolOptions {
                workers,
                name: format!("server-{}", std::process::id()),
                poll: Duration::from_secs(1),
            },
            ReviewContext {
                register: context.register,
                evidence: context.evidence,
                advisories: context.advisories,
                scratch: context.scratch,
            },
            Arc::new(crate::metrics::Fanout(vec![
                webhook_events(context.webhooks),
                Arc::new(context.metrics),
            ])),
        );
        Ok(Jobs {
            queue,
            in_process: workers_count,
            pool: Arc::new(std::sync::Mutex::new(Some(workers))),
            evidence,
            store: Arc::default(),
        })
    }

    /// Puts the staged upload in the evidence store and records its job.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit(
        &self,
        id: &str,
        engagement: &str,
        supplier: &str,
        submitter: &str,
        file_name: &str,
        bytes: i64,
        staged: &std::path::Path,
        idempotency_key: Option<&str>,
    ) -> Result<Job, SubmitError> {
        let evidence_error = |source| SubmitError::Evidence {
            delivery: id.to_owned(),
            source,
        };
        let store = self.evidence_store().await.map_err(evidence_error)?;
        let blob = store.put_file(staged).await.map_err(evidence_error)?;
        let blob = blob.digest.to_string();
        let job = self
            .queue
            .submit(&NewJob {
                id,
                engagement,
                supplier,
                submitter,
                file_name,
                bytes,
                staged,
                blob: Some(&blob),
                priority: 0,
                idempotency_key,
            })
            .await?;
        if self.in_process == 0 {
            // No worker here: the store's copy is the one workers fetch,
            // and this replica keeps nothing.
            oversight_jobs::worker::remove_staged_upload(staged);
        } else if let Some(pool) = &*self
            .pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            pool.wake();
        }
        Ok(job)
    }

    /// Removes from `staging` the uploads of ended jobs (reviewed here or
    /// by a worker elsewhere, which fetched them from the evidence store)
    /// and those of no job older than `abandoned` (an upload cut off by a
    /// crash before its job was recorded). Returns how many.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the job table cannot be read.
    pub async fn sweep_staging(
        &self,
        staging: &std::path::Path,
        abandoned: Duration,
    ) -> Result<usize, JobError> {
        let Ok(entries) = fs_err::read_dir(staging) else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("dly") || !entry.path().is_dir() {
                continue;
            }
            let remove = match self.queue.job(&name).await? {
                Some(job) => job.status.is_final(),
                None => entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|m| m.elapsed().ok())
                    .is_some_and(|age| age > abandoned),
            };
            if remove && fs_err::remove_dir_all(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The evidence store, opened once and shared (its pack index is read
    /// once, and again only for a blob packed since).
    ///
    /// # Errors
    ///
    /// [`oversight_evidence::EvidenceError`] if the store cannot be opened.
    pub async fn evidence_store(
        &self,
    ) -> Result<&oversight_evidence::EvidenceStore, oversight_evidence::EvidenceError> {
        self.store
            .get_or_try_init(|| async { oversight_evidence::EvidenceStore::open(&self.evidence) })
            .await
    }

    /// The job `supplier` submitted under idempotency key `key`.
    pub async fn by_key(&self, supplier: &str, key: &str) -> Result<Option<Job>, JobError> {
        self.queue.by_key(supplier, key).await
    }

    /// Job `id`.
    pub async fn job(&self, id: &str) -> Result<Option<Job>, JobError> {
        self.queue.job(id).await
    }

    /// The jobs of `engagement`, newest first.
    pub async fn of_engagement(
        &self,
        engagement: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Job>, JobError> {
        self.queue.of_engagement(engagement, offset, limit).await
    }

    /// Bytes `supplier` uploaded since `since`.
    pub async fn uploaded_since(&self, supplier: &str, since: &str) -> Result<i64, JobError> {
        self.queue.uploaded_since(supplier, since).await
    }

    /// Cancels job `id` if no worker has taken it.
    pub async fn cancel(&self, id: &str) -> Result<WhileQueued, JobError> {
        self.queue.cancel(id).await
    }

    /// Sets job `id`'s priority if no worker has taken it.
    pub async fn set_priority(&self, id: &str, priority: i64) -> Result<WhileQueued, JobError> {
        self.queue.set_priority(id, priority).await
    }

    /// Jobs by state.
    pub async fn depth(&self) -> Result<Depth, JobError> {
        self.queue.depth().await
    }

    /// Stops the in-process workers: waits up to `grace` for the reviews
    /// in progress, then gives the others back to the queue.
    pub async fn stop(&self, grace: Duration) {
        let pool = self
            .pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(pool) = pool {
            let stopped = pool.stop(grace).await;
            if stopped.released > 0 {
                tracing::info!(
                    released = stopped.released,
                    "unfinished reviews given back to the queue"
                );
            }
        }
    }
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// The webhook event of a job that ended.
fn ended(job: &Job) -> crate::webhooks::DeliveryEvent {
    let done = job.status == JobStatus::Done;
    crate::webhooks::DeliveryEvent {
        event: if done {
            "delivery.reviewed"
        } else {
            "delivery.failed"
        },
        delivery: job.id.clone(),
        engagement: job.engagement.clone(),
        status: job.status.as_str().to_owned(),
        review: job.review.clone(),
        outcome: job.outcome.clone(),
        error: job.error.clone(),
        at: now(),
    }
}
