//! The job table: one row per delivery, which is also its job, so a
//! delivery never exists without its job nor a job without its delivery.
//!
//! A worker *claims* the most urgent runnable row (highest priority, then
//! oldest) in one statement: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//! claimers on many machines never wait on each other; SQLite serialises
//! writers by itself. A claim is a lease: the worker renews it while it
//! works (heartbeat), and a lease that runs out (a worker killed, a
//! machine gone) makes the row claimable again. Every change a worker makes
//! afterwards is fenced by the claim (worker and attempt number), so a
//! worker that lost its lease changes nothing.
//!
//! A failed attempt is retried after an exponential backoff while attempts
//! remain; then the row is `dead`, with the last reason. A failure that
//! retrying cannot fix (the engagement refuses deliveries) is `failed` at
//! once. Only a `queued` job can be cancelled.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sqlx::{AnyPool, Row as _};

/// Why the job table could not be used.
#[derive(Debug, thiserror::Error)]
#[error("The job table: {doing}: {source}")]
pub struct JobError {
    /// What was being done, naming the job.
    pub doing: String,
    /// The database's error.
    #[source]
    pub source: sqlx::Error,
}

/// A query on the job table, with its bound values.
type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn db(doing: impl Into<String>) -> impl FnOnce(sqlx::Error) -> JobError {
    let doing = doing.into();
    move |source| JobError { doing, source }
}

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker (perhaps for its next attempt's time).
    Queued,
    /// A worker holds its lease.
    Running,
    /// Reviewed; the review is recorded.
    Done,
    /// Refused for a reason retrying cannot change.
    Failed,
    /// Every attempt failed; the last reason is kept.
    Dead,
    /// Cancelled before a worker took it.
    Cancelled,
}

impl JobStatus {
    /// The stored word.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Dead => "dead",
            JobStatus::Cancelled => "cancelled",
        }
    }

    fn parse(word: &str) -> JobStatus {
        match word {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "dead" => JobStatus::Dead,
            "cancelled" => JobStatus::Cancelled,
            // An unknown word is never treated as runnable.
            _ => JobStatus::Failed,
        }
    }

    /// Whether the job will not change any more.
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

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
    /// Where it stands.
    pub status: JobStatus,
    /// The recorded review, when done.
    pub review: Option<String>,
    /// `accepted`, `accepted-with-waivers` or `rejected`, when done.
    pub outcome: Option<String>,
    /// Why it failed, or why its last attempt failed.
    pub error: Option<String>,
    /// Attempts made so far.
    pub attempts: i64,
    /// Attempts allowed before it is dead.
    pub max_attempts: i64,
    /// Higher runs first.
    pub priority: i64,
    /// Submitted at.
    pub created_at: String,
    /// Last changed at.
    pub updated_at: String,
    /// Where the upload was staged by the server that took it.
    #[serde(skip)]
    pub staged: PathBuf,
    /// The upload's blob in the evidence store, for workers elsewhere: the
    /// SHA-256 of the file as received (hex), shown to the submitter as
    /// `sha256`.
    #[serde(rename = "sha256", skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
}

fn job_of(row: &sqlx::any::AnyRow) -> Job {
    Job {
        id: row.get("id"),
        engagement: row.get("engagement"),
        supplier: row.get("supplier"),
        submitter: row.get("submitter"),
        file_name: row.get("file_name"),
        bytes: row.get("bytes"),
        status: JobStatus::parse(&row.get::<String, _>("status")),
        review: row.get("review"),
        outcome: row.get("outcome"),
        error: row.get("error"),
        attempts: row.get("attempts"),
        max_attempts: row.get("max_attempts"),
        priority: row.get("priority"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        staged: PathBuf::from(row.get::<String, _>("staged")),
        blob: row.get("blob"),
    }
}

/// A job to record.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// The delivery's id.
    pub id: &'a str,
    /// The engagement.
    pub engagement: &'a str,
    /// The supplier.
    pub supplier: &'a str,
    /// Who submitted it.
    pub submitter: &'a str,
    /// The uploaded file's name.
    pub file_name: &'a str,
    /// Its size.
    pub bytes: i64,
    /// Where it is staged.
    pub staged: &'a Path,
    /// Its blob in the evidence store, if it was stored there.
    pub blob: Option<&'a str>,
    /// Higher runs first.
    pub priority: i64,
    /// The client's key for this submission (`Idempotency-Key`): the same
    /// key from the same supplier names the same job, so a submission sent
    /// again after a cut connection is not a second delivery.
    pub idempotency_key: Option<&'a str>,
}

/// How claims, retries and deaths are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSettings {
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// Attempts before a job is dead.
    pub max_attempts: i64,
    /// The wait after the first failed attempt; it doubles with each.
    pub backoff: Duration,
    /// The longest wait between attempts.
    pub backoff_max: Duration,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            lease: Duration::from_secs(60),
            max_attempts: 3,
            backoff: Duration::from_secs(10),
            backoff_max: Duration::from_secs(600),
        }
    }
}

impl QueueSettings {
    /// The wait before attempt `attempt + 1`, after `attempt` failed.
    #[must_use]
    pub fn backoff_after(&self, attempt: i64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.backoff
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.backoff_max)
    }
}

/// A job a worker holds, and the fence of everything it does with it.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The job as claimed.
    pub job: Job,
    /// The worker.
    pub worker: String,
    /// The attempt this claim is (1 for the first).
    pub attempt: i64,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Queued again, to run after this wait.
    Retrying(Duration),
    /// No attempt left (or no point in one): the job ended in this state.
    Ended(JobStatus),
    /// The claim had been lost (its lease ran out): nothing was changed.
    LostClaim,
}

/// What a change allowed only before the review starts (cancelling,
/// reprioritising) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhileQueued {
    /// The job was queued and is now changed.
    Changed,
    /// The job is running or ended in this state: nothing was changed.
    Not(JobStatus),
    /// There is no such job.
    NotFound,
}

/// Jobs by state, for metrics and the operator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    /// Waiting for a worker.
    pub queued: i64,
    /// Held by a worker.
    pub running: i64,
    /// Dead (every attempt failed).
    pub dead: i64,
}

/// The job table on a pool.
#[derive(Clone)]
pub struct Queue {
    pool: AnyPool,
    postgres: bool,
    settings: QueueSettings,
    /// Jobs read in a final state: nothing changes a final row, so it is
    /// read once (a delivery's page and API are read far more often than
    /// it is reviewed).
    finals: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Job>>>,
}

/// Final jobs kept at most; past that the cache starts again.
const FINALS_MAX: usize = 4_096;

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("postgres", &self.postgres)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Milliseconds since the epoch (leases and backoffs compare as numbers).
fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Columns added after the first release of the table, with their
/// definitions: an older table gains them when opened.
const ADDED_COLUMNS: [(&str, &str); 8] = [
    ("attempts", "BIGINT NOT NULL DEFAULT 0"),
    ("max_attempts", "BIGINT NOT NULL DEFAULT 3"),
    ("priority", "BIGINT NOT NULL DEFAULT 0"),
    ("run_after", "BIGINT NOT NULL DEFAULT 0"),
    ("lease_until", "BIGINT"),
    ("worker", "TEXT"),
    ("blob", "TEXT"),
    ("idempotency_key", "TEXT"),
];

impl Queue {
    /// Connects to the register's database at `url` (`sqlite://FILE`,
    /// which must exist, or `postgres://…`) and opens the job table there:
    /// what a worker process needs, and nothing of the server's.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the database cannot be reached or the table used.
    pub async fn connect(url: &str, settings: QueueSettings) -> Result<Queue, JobError> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(4)
            .connect(url)
            .await
            .map_err(db("connecting to the register's database"))?;
        // (SQLite: sqlx sets a busy timeout of 5 s, so writers from
        // several processes wait for each other.)
        Queue::open(pool, postgres, settings).await
    }

    /// The job table on `pool` (created, or given its newer columns, when
    /// needed); `postgres` says which database `pool` is on.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be created or altered.
    pub async fn open(
        pool: AnyPool,
        postgres: bool,
        settings: QueueSettings,
    ) -> Result<Queue, JobError> {
        let queue = Queue {
            pool,
            postgres,
            settings,
            finals: std::sync::Arc::default(),
        };
        // A table with every column was made by this version, indexes and
        // all: it is used as it is, without DDL, so a role that may only
        // claim and end jobs (a worker's) opens it too.
        let every_column = ADDED_COLUMNS.map(|(column, _)| column).join(", ");
        let current = sqlx::query(&format!(
            "SELECT id, status, {every_column} FROM server_jobs LIMIT 0"
        ))
        .execute(&queue.pool)
        .await
        .is_ok();
        if !current {
            queue.create().await?;
        }
        Ok(queue)
    }

    /// Creates the table, or gives an older one its newer columns, and
    /// indexes it.
    async fn create(&self) -> Result<(), JobError> {
        let pool = &self.pool;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS server_jobs (
                id TEXT PRIMARY KEY, engagement TEXT NOT NULL, supplier TEXT NOT NULL,
                submitter TEXT NOT NULL, file_name TEXT NOT NULL, bytes BIGINT NOT NULL,
                staged TEXT NOT NULL, status TEXT NOT NULL, review TEXT, outcome TEXT,
                error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        )
        .execute(pool)
        .await
        .map_err(db("creating it"))?;
        for (column, definition) in ADDED_COLUMNS {
            let present = sqlx::query(&format!("SELECT {column} FROM server_jobs LIMIT 0"))
                .execute(pool)
                .await
                .is_ok();
            if !present {
                sqlx::query(&format!(
                    "ALTER TABLE server_jobs ADD COLUMN {column} {definition}"
                ))
                .execute(pool)
                .await
                .map_err(db(format!("adding its column `{column}`")))?;
            }
        }
        // Reads by engagement (lists), by supplier (quota) and claims by
        // state and urgency never scan the table.
        for index in [
            "CREATE INDEX IF NOT EXISTS server_jobs_engagement ON server_jobs (engagement, created_at)",
            "CREATE INDEX IF NOT EXISTS server_jobs_supplier ON server_jobs (supplier, created_at)",
            "CREATE INDEX IF NOT EXISTS server_jobs_status ON server_jobs (status)",
            "CREATE INDEX IF NOT EXISTS server_jobs_claim ON server_jobs (status, priority, created_at)",
            // One job per key and supplier (rows without a key never clash).
            "CREATE UNIQUE INDEX IF NOT EXISTS server_jobs_idempotency ON server_jobs (supplier, idempotency_key)",
        ] {
            sqlx::query(index)
                .execute(pool)
                .await
                .map_err(db("indexing it"))?;
        }
        Ok(())
    }

    /// The timings in force.
    #[must_use]
    pub fn settings(&self) -> QueueSettings {
        self.settings
    }

    /// Records a new job, queued.
    ///
    /// # Errors
    ///
    /// [`JobError`] if it cannot be recorded (an id already used, say).
    pub async fn submit(&self, new: &NewJob<'_>) -> Result<Job, JobError> {
        let at = now();
        let doing = || format!("recording job `{}`", new.id);
        let inserted = sqlx::query(
            "INSERT INTO server_jobs (id, engagement, supplier, submitter, file_name, bytes, staged,
                 status, created_at, updated_at, attempts, max_attempts, priority, run_after, blob,
                 idempotency_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, 0, $10, $11, 0, $12, $13)",
        )
        .bind(new.id)
        .bind(new.engagement)
        .bind(new.supplier)
        .bind(new.submitter)
        .bind(new.file_name)
        .bind(new.bytes)
        .bind(new.staged.display().to_string())
        .bind(&at)
        .bind(&at)
        .bind(self.settings.max_attempts)
        .bind(new.priority)
        .bind(new.blob)
        .bind(new.idempotency_key)
        .execute(&self.pool)
        .await;
        if let Err(source) = inserted {
            // The same key sent at the same time by another request.
            if let Some(key) = new.idempotency_key
                && let Some(job) = self.by_key(new.supplier, key).await?
            {
                return Ok(job);
            }
            return Err(JobError {
                doing: doing(),
                source,
            });
        }
        self.job(new.id).await?.ok_or_else(|| JobError {
            doing: doing(),
            source: sqlx::Error::RowNotFound,
        })
    }

    /// The job `supplier` submitted with idempotency key `key`.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be read.
    pub async fn by_key(&self, supplier: &str, key: &str) -> Result<Option<Job>, JobError> {
        let row =
            sqlx::query("SELECT * FROM server_jobs WHERE supplier = $1 AND idempotency_key = $2")
                .bind(supplier)
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(db(format!(
                    "reading the job of supplier `{supplier}` with key `{key}`"
                )))?;
        Ok(row.as_ref().map(job_of))
    }

    /// Job `id`.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be read.
    pub async fn job(&self, id: &str) -> Result<Option<Job>, JobError> {
        if let Some(job) = self
            .finals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
        {
            return Ok(Some(job.clone()));
        }
        let row = sqlx::query("SELECT * FROM server_jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(format!("reading job `{id}`")))?;
        let job = row.as_ref().map(job_of);
        if let Some(job) = job.as_ref().filter(|j| j.status.is_final()) {
            let mut finals = self
                .finals
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if finals.len() >= FINALS_MAX {
                finals.clear();
            }
            finals.insert(id.to_owned(), job.clone());
        }
        Ok(job)
    }

    /// The jobs of `engagement`, newest first.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be read.
    pub async fn of_engagement(
        &self,
        engagement: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Job>, JobError> {
        let rows = sqlx::query(
            "SELECT * FROM server_jobs WHERE engagement = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(engagement)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(db(format!("listing the jobs of engagement `{engagement}`")))?;
        Ok(rows.iter().map(job_of).collect())
    }

    /// Bytes `supplier` uploaded since `since` (RFC 3339).
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be read.
    pub async fn uploaded_since(&self, supplier: &str, since: &str) -> Result<i64, JobError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS n FROM server_jobs WHERE supplier = $1 AND created_at >= $2",
        )
        .bind(supplier)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db(format!("summing the uploads of supplier `{supplier}`")))?;
        row.try_get::<i64, _>("n")
            .map_err(db(format!("summing the uploads of supplier `{supplier}`")))
    }

    /// Jobs by state.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be read.
    pub async fn depth(&self) -> Result<Depth, JobError> {
        let rows = sqlx::query(
            "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM server_jobs
             WHERE status IN ('queued', 'running', 'dead') GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("counting jobs by state"))?;
        let mut depth = Depth::default();
        for row in rows {
            let n: i64 = row.get("n");
            match row.get::<String, _>("status").as_str() {
                "queued" => depth.queued = n,
                "running" => depth.running = n,
                _ => depth.dead = n,
            }
        }
        Ok(depth)
    }

    /// Ends the jobs whose worker stopped (lease run out) on their last
    /// attempt: a delivery that kills its worker every time ends `dead`
    /// instead of taking worker after worker down. Returns how many.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn bury_abandoned(&self) -> Result<u64, JobError> {
        let done = sqlx::query(
            "UPDATE server_jobs SET status = 'dead', updated_at = $1, lease_until = NULL,
                 error = 'its worker stopped during each of its ' || CAST(attempts AS TEXT)
                     || ' attempts (last: ' || COALESCE(worker, 'unknown') || ')'
             WHERE status = 'running' AND lease_until < $2 AND attempts >= max_attempts",
        )
        .bind(now())
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(db("ending jobs abandoned on their last attempt"))?;
        Ok(done.rows_affected())
    }

    /// Claims the most urgent runnable job for `worker`: a queued one whose
    /// time has come, or a running one whose lease ran out.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn claim(&self, worker: &str) -> Result<Option<Claim>, JobError> {
        self.bury_abandoned().await?;
        let now = now_ms();
        let lock = if self.postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE server_jobs SET status = 'running', attempts = attempts + 1, worker = $1,
                 lease_until = $2, updated_at = $3
             WHERE id = (SELECT id FROM server_jobs
                 WHERE ((status = 'queued' AND run_after <= $4)
                        OR (status = 'running' AND lease_until < $4))
                   AND attempts < max_attempts
                 ORDER BY priority DESC, created_at, id LIMIT 1{lock})
             RETURNING *"
        );
        let row = sqlx::query(&sql)
            .bind(worker)
            .bind(now + millis(self.settings.lease))
            .bind(jiff::Timestamp::now().to_string())
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(format!("claiming a job for worker `{worker}`")))?;
        Ok(row.as_ref().map(job_of).map(|job| Claim {
            attempt: job.attempts,
            worker: worker.to_owned(),
            job,
        }))
    }

    /// Renews `claim`'s lease. `false`: the claim was lost (its lease ran
    /// out and another worker took the job, or it was ended).
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn heartbeat(&self, claim: &Claim) -> Result<bool, JobError> {
        let until = now_ms() + millis(self.settings.lease);
        self.update_claimed(
            claim,
            "lease_until = $4",
            move |q| q.bind(until),
            format!("renewing the lease of job `{}`", claim.job.id),
        )
        .await
    }

    /// Ends `claim`'s job as reviewed. `false`: the claim was lost and
    /// nothing was changed.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn complete(
        &self,
        claim: &Claim,
        review: &str,
        outcome: &str,
    ) -> Result<bool, JobError> {
        let (review, outcome) = (review.to_owned(), outcome.to_owned());
        self.update_claimed(
            claim,
            "status = 'done', review = $4, outcome = $5, error = NULL, lease_until = NULL,
             updated_at = $6",
            move |q| q.bind(review).bind(outcome).bind(now()),
            format!("ending job `{}`", claim.job.id),
        )
        .await
    }

    /// Records that `claim`'s attempt failed with `error`: queued again
    /// after a backoff while attempts remain and `retriable`, otherwise
    /// ended (`dead` when attempts ran out, `failed` when retrying cannot
    /// help).
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn fail(
        &self,
        claim: &Claim,
        error: &str,
        retriable: bool,
    ) -> Result<AfterFailure, JobError> {
        let max = claim.job.max_attempts;
        let (status, wait) = if retriable && claim.attempt < max {
            (
                JobStatus::Queued,
                Some(self.settings.backoff_after(claim.attempt)),
            )
        } else if retriable {
            (JobStatus::Dead, None)
        } else {
            (JobStatus::Failed, None)
        };
        let (word, error, run_after) = (
            status.as_str(),
            error.to_owned(),
            now_ms() + wait.map_or(0, millis),
        );
        let changed = self
            .update_claimed(
                claim,
                "status = $4, error = $5, run_after = $6, lease_until = NULL, worker = NULL,
                 updated_at = $7",
                move |q| q.bind(word).bind(error).bind(run_after).bind(now()),
                format!("recording the failure of job `{}`", claim.job.id),
            )
            .await?;
        Ok(match (changed, wait) {
            (false, _) => AfterFailure::LostClaim,
            (_, Some(wait)) => AfterFailure::Retrying(wait),
            (_, None) => AfterFailure::Ended(status),
        })
    }

    /// Gives `claim`'s job back without counting the attempt (a worker
    /// stopping before it could finish).
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn release(&self, claim: &Claim) -> Result<bool, JobError> {
        self.update_claimed(
            claim,
            "status = 'queued', attempts = attempts - 1, run_after = 0, lease_until = NULL,
             worker = NULL, updated_at = $4",
            move |q| q.bind(now()),
            format!("releasing job `{}`", claim.job.id),
        )
        .await
    }

    /// `UPDATE server_jobs SET {set}` on `claim`'s job, only while the claim
    /// holds: the fence of every change a worker makes (its worker name and
    /// attempt, still running). `$1` to `$3` are the fence's; `bind` binds
    /// `$4` on of `set`. Whether the job was changed.
    async fn update_claimed(
        &self,
        claim: &Claim,
        set: &str,
        bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
        doing: String,
    ) -> Result<bool, JobError> {
        let sql = format!(
            "UPDATE server_jobs SET {set}
             WHERE id = $1 AND worker = $2 AND attempts = $3 AND status = 'running'"
        );
        let fenced = sqlx::query(&sql)
            .bind(&claim.job.id)
            .bind(&claim.worker)
            .bind(claim.attempt);
        let done = bind(fenced).execute(&self.pool).await.map_err(db(doing))?;
        Ok(done.rows_affected() == 1)
    }

    /// Cancels job `id` if no worker has taken it.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn cancel(&self, id: &str) -> Result<WhileQueued, JobError> {
        self.update_queued(
            id,
            "status = 'cancelled', lease_until = NULL",
            |q| q,
            format!("cancelling job `{id}`"),
        )
        .await
    }

    /// Sets job `id`'s priority (higher runs first) if no worker has taken
    /// it.
    ///
    /// # Errors
    ///
    /// [`JobError`] if the table cannot be written.
    pub async fn set_priority(&self, id: &str, priority: i64) -> Result<WhileQueued, JobError> {
        self.update_queued(
            id,
            "priority = $3",
            move |q| q.bind(priority),
            format!("setting the priority of job `{id}`"),
        )
        .await
    }

    /// `UPDATE server_jobs SET {set}` on job `id` only while it is queued
    /// (no worker has taken it). `$1` and `$2` are the job's id and the
    /// time; `bind` binds `$3` on of `set`.
    async fn update_queued(
        &self,
        id: &str,
        set: &str,
        bind: impl for<'q> FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
        doing: String,
    ) -> Result<WhileQueued, JobError> {
        let sql = format!(
            "UPDATE server_jobs SET {set}, updated_at = $2 WHERE id = $1 AND status = 'queued'"
        );
        let query = sqlx::query(&sql).bind(id.to_owned()).bind(now());
        let done = bind(query).execute(&self.pool).await.map_err(db(doing))?;
        if done.rows_affected() == 1 {
            return Ok(WhileQueued::Changed);
        }
        Ok(match self.job(id).await? {
            Some(job) => WhileQueued::Not(job.status),
            None => WhileQueued::NotFound,
        })
    }
}
