//! Review jobs. An upload becomes a job row (committed before the request
//! is answered) and a worker reviews it in the background, acting as the
//! account that submitted it. At start-up, jobs a killed server left queued
//! or running are queued again: a review records all or nothing, so
//! running it again loses and duplicates nothing.
//!
//! The queue is in-process here (embedded mode); [`JobQueue`] is the seam a
//! shared queue replaces for scale-out.

use std::path::PathBuf;

use oversight_register::Register;
use serde::Serialize;
use sqlx::{AnyPool, Row as _};
use tokio::sync::mpsc;

/// A review job, as the submitter polls it.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// The delivery's id (the job's).
    pub id: String,
    /// The engagement.
    pub engagement: String,
    /// The supplier.
    pub supplier: String,
    /// Who submitted it.
    pub submitter: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// Its size.
    pub bytes: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The recorded review, when done.
    pub review: Option<String>,
    /// `accepted`, `accepted-with-waivers` or `rejected`, when done.
    pub outcome: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Submitted at.
    pub created_at: String,
    /// Last changed at.
    pub updated_at: String,
    #[serde(skip)]
    staged: String,
}

/// Where jobs wait for a worker.
pub trait JobQueue: Send + Sync {
    /// Hands job `id` to a worker.
    fn enqueue(&self, id: String);
}

/// The in-process queue of embedded mode.
struct Channel(mpsc::UnboundedSender<String>);

impl JobQueue for Channel {
    fn enqueue(&self, id: String) {
        // A closed channel means the server is shutting down; the job
        // stays queued in the database and is picked up at the next start.
        let _ = self.0.send(id);
    }
}

/// The job table and the queue.
#[derive(Clone)]
pub struct Jobs {
    pool: AnyPool,
    queue: std::sync::Arc<dyn JobQueue>,
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

fn job_of(row: &sqlx::any::AnyRow) -> Job {
    Job {
        id: row.get("id"),
        engagement: row.get("engagement"),
        supplier: row.get("supplier"),
        submitter: row.get("submitter"),
        file_name: row.get("file_name"),
        bytes: row.get("bytes"),
        status: row.get("status"),
        review: row.get("review"),
        outcome: row.get("outcome"),
        error: row.get("error"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        staged: row.get("staged"),
    }
}

/// What a worker needs to review a job.
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
}

impl Jobs {
    /// The job table on `pool` (created when missing), and a queue whose
    /// `workers` review jobs with `context`.
    pub async fn start(
        pool: AnyPool,
        workers: usize,
        context: WorkerContext,
    ) -> Result<Jobs, sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS server_jobs (
                id TEXT PRIMARY KEY, engagement TEXT NOT NULL, supplier TEXT NOT NULL,
                submitter TEXT NOT NULL, file_name TEXT NOT NULL, bytes BIGINT NOT NULL,
                staged TEXT NOT NULL, status TEXT NOT NULL, review TEXT, outcome TEXT,
                error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        // Reads by engagement (lists), by supplier (quota) and by status
        // (recovery) never scan the table.
        for index in [
            "CREATE INDEX IF NOT EXISTS server_jobs_engagement ON server_jobs (engagement, created_at)",
            "CREATE INDEX IF NOT EXISTS server_jobs_supplier ON server_jobs (supplier, created_at)",
            "CREATE INDEX IF NOT EXISTS server_jobs_status ON server_jobs (status)",
        ] {
            sqlx::query(index).execute(&pool).await?;
        }
        let (tx, rx) = mpsc::unbounded_channel::<String>();
        let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
        let jobs = Jobs {
            pool: pool.clone(),
            queue: std::sync::Arc::new(Channel(tx)),
        };
        for _ in 0..workers.max(1) {
            let rx = std::sync::Arc::clone(&rx);
            let jobs = jobs.clone();
            let context = context.clone();
            tokio::spawn(async move {
                loop {
                    let next = rx.lock().await.recv().await;
                    let Some(id) = next else { break };
                    jobs.run(&id, &context).await;
                }
            });
        }
        // What a killed server left behind runs again.
        let pending = sqlx::query(
            "SELECT id FROM server_jobs WHERE status IN ('queued', 'running') ORDER BY created_at",
        )
        .fetch_all(&pool)
        .await?;
        for row in pending {
            jobs.queue.enqueue(row.get("id"));
        }
        Ok(jobs)
    }

    /// Records a new job for a staged upload and queues it.
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
    ) -> Result<Job, sqlx::Error> {
        let at = now();
        sqlx::query(
            "INSERT INTO server_jobs (id, engagement, supplier, submitter, file_name, bytes, staged, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9)",
        )
        .bind(id)
        .bind(engagement)
        .bind(supplier)
        .bind(submitter)
        .bind(file_name)
        .bind(bytes)
        .bind(staged.display().to_string())
        .bind(&at)
        .bind(&at)
        .execute(&self.pool)
        .await?;
        self.queue.enqueue(id.to_owned());
        self.job(id).await?.ok_or_else(|| sqlx::Error::RowNotFound)
    }

    /// Job `id`.
    pub async fn job(&self, id: &str) -> Result<Option<Job>, sqlx::Error> {
        let row = sqlx::query("SELECT * FROM server_jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(job_of))
    }

    /// The jobs of `engagement`, newest first.
    pub async fn of_engagement(
        &self,
        engagement: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Job>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT * FROM server_jobs WHERE engagement = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(engagement)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(job_of).collect())
    }

    /// Bytes `supplier` uploaded since `since`.
    pub async fn uploaded_since(&self, supplier: &str, since: &str) -> Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS n FROM server_jobs WHERE supplier = $1 AND created_at >= $2",
        )
        .bind(supplier)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        row.try_get::<i64, _>("n")
    }

    async fn set(
        &self,
        id: &str,
        status: &str,
        review: Option<&str>,
        outcome: Option<&str>,
        error: Option<&str>,
    ) {
        let result = sqlx::query(
            "UPDATE server_jobs SET status = $1, review = $2, outcome = $3, error = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(review)
        .bind(outcome)
        .bind(error)
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await;
        if let Err(e) = result {
            tracing::error!(job = id, error = %e, "cannot update the job");
        }
    }

    async fn run(&self, id: &str, context: &WorkerContext) {
        let job = match self.job(id).await {
            Ok(Some(job)) if job.status == "queued" || job.status == "running" => job,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(job = id, error = %e, "cannot read the job");
                return;
            }
        };
        self.set(id, "running", None, None, None).await;
        tracing::info!(job = id, engagement = %job.engagement, "review started");
        let register = context.register.acting_as(&job.submitter);
        let request = match job.engagement.parse() {
            Ok(engagement) => oversight_app::review::ReviewRequest {
                engagement,
                target: PathBuf::from(&job.staged),
                policy: None,
                read: oversight_app::scan::ReadOptions {
                    advisories: context.advisories.clone(),
                    ..Default::default()
                },
                evidence: context.evidence.clone(),
            },
            Err(e) => {
                self.set(id, "failed", None, None, Some(&e.to_string()))
                    .await;
                return;
            }
        };
        // The scan is CPU-bound: it runs on a blocking thread. Its database
        // and store calls stay on the server's runtime (`Handle::block_on`):
        // a connection the pool opened under a short-lived runtime of its
        // own would die with it and fail whoever used it next.
        let runtime = tokio::runtime::Handle::current();
        let result = tokio::task::spawn_blocking(move || {
            runtime
                .block_on(oversight_app::review::review(
                    &register,
                    &request,
                    &oversight_app::scan::NoProgress,
                ))
                .map(|r| (r.id.clone(), r.decision.outcome.as_str().to_owned()))
                .map_err(|e| e.to_string())
        })
        .await;
        match result {
            Ok(Ok((review, outcome))) => {
                tracing::info!(job = id, review = %review, outcome = %outcome, "review recorded");
                self.set(id, "done", Some(&review), Some(&outcome), None)
                    .await;
                context
                    .webhooks
                    .notify(&ended(&job, Some(review), Some(outcome), None));
                // The delivered files are in the evidence store now.
                if let Some(dir) = std::path::Path::new(&job.staged).parent() {
                    let _ = fs_err::remove_dir_all(dir);
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(job = id, error = %e, "review failed");
                self.set(id, "failed", None, None, Some(&e)).await;
                context.webhooks.notify(&ended(&job, None, None, Some(e)));
            }
            Err(e) => {
                tracing::error!(job = id, error = %e, "review panicked");
                self.set(
                    id,
                    "failed",
                    None,
                    None,
                    Some("the review stopped unexpectedly"),
                )
                .await;
                context.webhooks.notify(&ended(
                    &job,
                    None,
                    None,
                    Some("the review stopped unexpectedly".into()),
                ));
            }
        }
    }
}

/// The webhook event of a job that ended.
fn ended(
    job: &Job,
    review: Option<String>,
    outcome: Option<String>,
    error: Option<String>,
) -> crate::webhooks::DeliveryEvent {
    crate::webhooks::DeliveryEvent {
        event: if error.is_none() {
            "delivery.reviewed"
        } else {
            "delivery.failed"
        },
        delivery: job.id.clone(),
        engagement: job.engagement.clone(),
        status: if error.is_none() { "done" } else { "failed" }.to_owned(),
        review,
        outcome,
        error,
        at: now(),
    }
}
