//! The job queue and the worker pool on both databases: claims in order,
//! leases that fence late workers, retries, deaths, cancellation, many
//! claimers at once, and reviews recorded once whatever crashes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oversight_jobs::{
    AfterFailure, JobStatus, NewJob, NoEvents, PoolOptions, Queue, QueueSettings, ReviewContext,
    WhileQueued, WorkerPool, review_id_for,
};
use oversight_register::{PolicyFiles, Register};
use oversight_store::DatabaseUrl;

const SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const POLICY: &str = include_str!("../../../examples/policy.toml");

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A database for one test: a SQLite file or a PostgreSQL database of its
/// own (`OVERSIGHT_TEST_POSTGRES`; a missing server fails the test).
struct Db {
    url: String,
    _dir: tempfile::TempDir,
    _pg: Option<oversight_test_support::postgres::TempDatabase>,
}

impl Db {
    fn new(backend: Backend) -> Db {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match backend {
            Backend::Sqlite => Db {
                url: format!("sqlite://{}", dir.path().join("o.db").display()),
                _dir: dir,
                _pg: None,
            },
            Backend::Postgres => {
                let pg = oversight_test_support::postgres::TempDatabase::new("jobs");
                Db {
                    url: pg.url(),
                    _dir: dir,
                    _pg: Some(pg),
                }
            }
        }
    }

    fn dir(&self) -> &Path {
        self._dir.path()
    }

    async fn queue(&self, settings: QueueSettings) -> Queue {
        let url = if self.url.starts_with("sqlite://") {
            format!("{}?mode=rwc", self.url)
        } else {
            self.url.clone()
        };
        Queue::connect(&url, settings).await.expect("the job table")
    }

    async fn register(&self) -> Register {
        let parsed = DatabaseUrl::parse(&self.url, "test").expect("a database URL");
        let register = Register::init(&parsed, &self.dir().join("instance.key"), "setup")
            .await
            .expect("init");
        let supplier =
            oversight_register::format::parse_supplier(SUPPLIER, "test").expect("supplier");
        register
            .supplier_add(&supplier)
            .await
            .expect("supplier add");
        register
            .engagement_apply_str(
                ENGAGEMENT,
                "test",
                &PolicyFiles::Given(&[("policy.toml", POLICY)]),
            )
            .await
            .expect("engagement apply");
        register
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn new_job<'a>(id: &'a str, staged: &'a Path, priority: i64) -> NewJob<'a> {
    NewJob {
        id,
        engagement: "acme-portal",
        supplier: "acme-dev",
        submitter: "acme-ci",
        file_name: "delivery.tar.gz",
        bytes: 1,
        staged,
        blob: None,
        priority,
        idempotency_key: None,
    }
}

fn quick(lease_ms: u64, max_attempts: i64) -> QueueSettings {
    QueueSettings {
        lease: Duration::from_millis(lease_ms),
        max_attempts,
        backoff: Duration::ZERO,
        backoff_max: Duration::ZERO,
    }
}

#[test]
fn claims_follow_priority_then_age_and_a_lost_lease_fences_the_late_worker() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let q = db.queue(quick(800, 3)).await;
            let staged = Path::new("/nonexistent/delivery.tar.gz");
            for (id, priority) in [("dly-a", 0), ("dly-b", 5), ("dly-c", 0)] {
                q.submit(&new_job(id, staged, priority))
                    .await
                    .expect("submit");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // The organisation moves the youngest up, past the others.
            assert_eq!(
                q.set_priority("dly-c", 9).await.expect("prioritise"),
                WhileQueued::Changed
            );
            assert_eq!(
                q.job("dly-c").await.expect("read").expect("there").priority,
                9
            );
            let order: Vec<String> = [
                q.claim("w1").await.expect("claim"),
                q.claim("w1").await.expect("claim"),
                q.claim("w1").await.expect("claim"),
            ]
            .into_iter()
            .map(|c| c.expect("a job").job.id)
            .collect();
            assert_eq!(order, ["dly-c", "dly-b", "dly-a"], "{backend:?}");
            assert_eq!(
                q.set_priority("dly-c", 0).await.expect("prioritise"),
                WhileQueued::Not(JobStatus::Running),
                "{backend:?}: a running job keeps its place"
            );
            assert!(
                q.claim("w1").await.expect("claim").is_none(),
                "{backend:?}: every job is held"
            );

            // w1 holds dly-a but stops renewing; its lease runs out and w2
            // takes it, as attempt 2.
            let mut held = q.job("dly-a").await.expect("read").expect("there");
            assert_eq!(held.status, JobStatus::Running);
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let taken = q.claim("w2").await.expect("claim");
            let taken = taken.expect("an expired lease makes the job claimable");
            assert!(["dly-a", "dly-b", "dly-c"].contains(&taken.job.id.as_str()));
            assert_eq!(taken.attempt, 2, "{backend:?}");
            held = q.job(&taken.job.id).await.expect("read").expect("there");
            let late = oversight_jobs::Claim {
                job: held.clone(),
                worker: "w1".into(),
                attempt: 1,
            };
            // The late worker changes nothing: not its heartbeat, not its end.
            assert!(!q.heartbeat(&late).await.expect("heartbeat"), "{backend:?}");
            assert!(
                !q.complete(&late, "rev-late", "accepted")
                    .await
                    .expect("complete"),
                "{backend:?}"
            );
            assert_eq!(
                q.fail(&late, "late", true).await.expect("fail"),
                AfterFailure::LostClaim
            );
            assert!(q.heartbeat(&taken).await.expect("heartbeat"), "{backend:?}");
            assert!(
                q.complete(&taken, "rev-1", "rejected")
                    .await
                    .expect("complete")
            );
            let done = q.job(&taken.job.id).await.expect("read").expect("there");
            assert_eq!(done.status, JobStatus::Done);
            assert_eq!(done.review.as_deref(), Some("rev-1"));
            assert_eq!(done.outcome.as_deref(), Some("rejected"));
        });
    }
}

#[test]
fn failures_are_retried_then_dead_and_only_a_queued_job_is_cancelled() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let q = db.queue(quick(60_000, 2)).await;
            let staged = Path::new("/nonexistent/delivery.tar.gz");
            for id in ["dly-retry", "dly-refused", "dly-cancel", "dly-release"] {
                q.submit(&new_job(id, staged, 0)).await.expect("submit");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // A transient failure is retried; the second ends the job dead
            // with its reason.
            let c = q.claim("w").await.expect("claim").expect("a job");
            assert_eq!(c.job.id, "dly-retry");
            assert_eq!(
                q.fail(&c, "the evidence store is unreachable", true)
                    .await
                    .expect("fail"),
                AfterFailure::Retrying(Duration::ZERO)
            );
            let c = q.claim("w").await.expect("claim").expect("a job");
            assert_eq!(
                (c.job.id.as_str(), c.attempt),
                ("dly-retry", 2),
                "{backend:?}"
            );
            assert_eq!(
                q.fail(&c, "the evidence store is unreachable", true)
                    .await
                    .expect("fail"),
                AfterFailure::Ended(JobStatus::Dead)
            );
            let dead = q.job("dly-retry").await.expect("read").expect("there");
            assert_eq!(dead.status, JobStatus::Dead);
            assert_eq!(
                dead.error.as_deref(),
                Some("the evidence store is unreachable")
            );
            assert_eq!(dead.attempts, 2);

            // A failure retrying cannot fix ends the job at once.
            let c = q.claim("w").await.expect("claim").expect("a job");
            assert_eq!(c.job.id, "dly-refused");
            assert_eq!(
                q.fail(&c, "engagement `acme-portal` has ended", false)
                    .await
                    .expect("fail"),
                AfterFailure::Ended(JobStatus::Failed)
            );

            // Cancelled while queued; not once running or ended.
            assert_eq!(
                q.cancel("dly-cancel").await.expect("cancel"),
                WhileQueued::Changed
            );
            assert_eq!(
                q.cancel("dly-cancel").await.expect("cancel"),
                WhileQueued::Not(JobStatus::Cancelled)
            );
            assert_eq!(
                q.cancel("dly-retry").await.expect("cancel"),
                WhileQueued::Not(JobStatus::Dead)
            );
            assert_eq!(
                q.cancel("dly-none").await.expect("cancel"),
                WhileQueued::NotFound
            );

            // A stopping worker gives its job back without spending an attempt.
            let c = q.claim("w").await.expect("claim").expect("a job");
            assert_eq!(
                c.job.id, "dly-release",
                "{backend:?}: a cancelled job is never claimed"
            );
            assert_eq!(
                q.cancel("dly-release").await.expect("cancel"),
                WhileQueued::Not(JobStatus::Running)
            );
            assert!(q.release(&c).await.expect("release"));
            let again = q
                .claim("w2")
                .await
                .expect("claim")
                .expect("the released job");
            assert_eq!((again.job.id.as_str(), again.attempt), ("dly-release", 1));
            let depth = q.depth().await.expect("depth");
            assert_eq!(
                (depth.queued, depth.running, depth.dead),
                (0, 1, 1),
                "{backend:?}"
            );
        });
    }
}

#[test]
fn a_delivery_that_stops_its_worker_every_time_ends_dead() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let q = db.queue(quick(300, 2)).await;
            q.submit(&new_job("dly-poison", Path::new("/x/delivery.tar.gz"), 0))
                .await
                .expect("submit");
            for worker in ["w1", "w2"] {
                // Claimed, then its worker dies (no heartbeat, no end).
                let c = q
                    .claim(worker)
                    .await
                    .expect("claim")
                    .expect("the poison job");
                assert_eq!(c.job.id, "dly-poison");
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            assert!(q.claim("w3").await.expect("claim").is_none(), "{backend:?}");
            let job = q.job("dly-poison").await.expect("read").expect("there");
            assert_eq!(job.status, JobStatus::Dead, "{backend:?}");
            let error = job.error.expect("a reason");
            assert!(
                error.contains("2 attempts") && error.contains("w2"),
                "{error}"
            );
        });
    }
}

#[test]
fn many_claimers_at_once_take_each_job_exactly_once() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let settings = quick(60_000, 3);
            let q = db.queue(settings).await;
            let staged = Path::new("/x/delivery.tar.gz");
            let ids: Vec<String> = (0..60).map(|i| format!("dly-{i:03}")).collect();
            for id in &ids {
                q.submit(&new_job(id, staged, 0)).await.expect("submit");
            }
            // Four "replicas" (pools of their own), three claimers each.
            let mut tasks = Vec::new();
            for replica in 0..4 {
                let q = db.queue(settings).await;
                for worker in 0..3 {
                    let q = q.clone();
                    tasks.push(tokio::spawn(async move {
                        let name = format!("r{replica}/w{worker}");
                        let mut taken = Vec::new();
                        while let Some(c) = q.claim(&name).await.expect("claim") {
                            assert!(
                                q.complete(&c, &format!("rev-{}", c.job.id), "accepted")
                                    .await
                                    .expect("complete")
                            );
                            taken.push(c.job.id);
                        }
                        taken
                    }));
                }
            }
            let mut all = Vec::new();
            for task in tasks {
                all.extend(task.await.expect("a claimer"));
            }
            let distinct: BTreeSet<&String> = all.iter().collect();
            assert_eq!(
                all.len(),
                60,
                "{backend:?}: some job was taken twice or never"
            );
            assert_eq!(distinct.len(), 60, "{backend:?}");
            for id in &ids {
                assert_eq!(
                    q.job(id).await.expect("read").expect("there").status,
                    JobStatus::Done
                );
            }
        });
    }
}

/// The example delivery as the tar.gz a supplier's CI uploads.
fn sample_delivery(dir: &Path, id: &str) -> PathBuf {
    let staged = dir.join("staging").join(id);
    fs_err::create_dir_all(&staged).expect("staging");
    let path = staged.join("delivery.tar.gz");
    let file = fs_err::File::create(&path).expect("create");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(
        "sample",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/sample-delivery"
        ),
    )
    .expect("pack the sample delivery");
    tar.into_inner().expect("tar").finish().expect("gzip");
    path
}

fn context(db: &Db, register: &Register) -> ReviewContext {
    ReviewContext {
        register: register.acting_as("test-worker"),
        evidence: db.dir().join("evidence").display().to_string(),
        advisories: Some(db.dir().join("advisories")),
        scratch: db.dir().join("scratch"),
    }
}

async fn wait_final(q: &Queue, id: &str) -> oversight_jobs::Job {
    for _ in 0..600 {
        let job = q.job(id).await.expect("read").expect("there");
        if job.status.is_final() {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} did not end in 60 s");
}

#[test]
fn workers_review_each_delivery_once_even_after_a_crash_after_recording() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let register = db.register().await;
            let q = db.queue(quick(500, 3)).await;

            // A worker recorded the review of dly-crashed, then died before
            // it could end the job: the job is still `running` under its
            // lease.
            let crashed = sample_delivery(db.dir(), "dly-crashed");
            q.submit(&new_job("dly-crashed", &crashed, 0))
                .await
                .expect("submit");
            let c = q
                .claim("dead-worker")
                .await
                .expect("claim")
                .expect("the job");
            let first = oversight_app::review::review(
                &register.acting_as("acme-ci"),
                &oversight_app::review::ReviewRequest {
                    engagement: "acme-portal".parse().expect("an id"),
                    target: crashed.clone(),
                    policy: None,
                    read: oversight_app::scan::ReadOptions {
                        advisories: Some(db.dir().join("advisories")),
                        ..Default::default()
                    },
                    evidence: db.dir().join("evidence").display().to_string(),
                    id: Some(review_id_for(&c.job.id)),
                },
                &oversight_app::scan::NoProgress,
            )
            .await
            .expect("the first attempt's review");

            // Two more deliveries, uploaded to the evidence store only (a
            // worker on another machine cannot see the server's staging).
            let mut ids = vec!["dly-crashed".to_owned()];
            for id in ["dly-one", "dly-two"] {
                let path = sample_delivery(db.dir(), id);
                let store = oversight_evidence::EvidenceStore::open(
                    &db.dir().join("evidence").display().to_string(),
                )
                .expect("the store");
                let blob = store.put_file(&path).await.expect("put").digest.to_string();
                let elsewhere = db.dir().join("elsewhere").join(id).join("delivery.tar.gz");
                q.submit(&NewJob {
                    blob: Some(&blob),
                    ..new_job(id, &elsewhere, 0)
                })
                .await
                .expect("submit");
                ids.push(id.to_owned());
            }

            let pool = WorkerPool::start(
                q.clone(),
                &PoolOptions {
                    workers: 2,
                    name: "test".into(),
                    poll: Duration::from_millis(100),
                },
                context(&db, &register),
                Arc::new(NoEvents),
            );
            let mut outcomes = Vec::new();
            for id in &ids {
                let job = wait_final(&q, id).await;
                assert_eq!(
                    job.status,
                    JobStatus::Done,
                    "{backend:?} {id}: {:?}",
                    job.error
                );
                assert_eq!(job.review.as_deref(), Some(review_id_for(id).as_str()));
                outcomes.push(job.outcome.expect("an outcome"));
            }
            assert_eq!(pool.stop(Duration::from_secs(5)).await.released, 0);

            // The crashed attempt's review is the one the job ended with,
            // recorded once; each delivery has exactly one review.
            assert_eq!(outcomes[0], first.decision.outcome.as_str());
            let recorded = register
                .deliveries("acme-portal")
                .await
                .expect("deliveries");
            let recorded: Vec<&str> = recorded.iter().map(|(d, _)| d.id.as_str()).collect();
            let expected: BTreeSet<String> = ids.iter().map(|id| review_id_for(id)).collect();
            assert_eq!(recorded.len(), 3, "{backend:?}: {recorded:?}");
            assert_eq!(
                recorded
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<BTreeSet<_>>(),
                expected
            );
            // The same content gives the same decision on every worker.
            assert!(outcomes.iter().all(|o| o == &outcomes[0]), "{outcomes:?}");
            let verified = register.ledger_verify().await.expect("the ledger verifies");
            assert!(verified.events >= 6, "{verified:?}");
        });
    }
}

#[test]
fn a_delivery_that_cannot_be_fetched_ends_dead_with_its_reason_and_the_pool_goes_on() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let register = db.register().await;
            let q = db.queue(quick(5_000, 2)).await;
            // Its blob was never stored: every attempt fails to fetch it.
            let missing = "sha256:".to_owned() + &"ab".repeat(32);
            let nowhere = db.dir().join("nowhere").join("delivery.tar.gz");
            q.submit(&NewJob {
                blob: Some(&missing),
                ..new_job("dly-lost", &nowhere, 9)
            })
            .await
            .expect("submit");
            // Neither staged nor stored: no attempt can help.
            q.submit(&new_job("dly-unstaged", &nowhere, 9))
                .await
                .expect("submit");
            let good = sample_delivery(db.dir(), "dly-good");
            q.submit(&new_job("dly-good", &good, 0))
                .await
                .expect("submit");

            let pool = WorkerPool::start(
                q.clone(),
                &PoolOptions {
                    workers: 1,
                    name: "test".into(),
                    poll: Duration::from_millis(100),
                },
                context(&db, &register),
                Arc::new(NoEvents),
            );
            let lost = wait_final(&q, "dly-lost").await;
            assert_eq!(lost.status, JobStatus::Dead, "{backend:?}");
            assert_eq!(lost.attempts, 2);
            let reason = lost.error.expect("a reason");
            assert!(reason.contains("dly-lost"), "{reason}");
            let unstaged = wait_final(&q, "dly-unstaged").await;
            assert_eq!(unstaged.status, JobStatus::Failed, "{backend:?}");
            assert_eq!(unstaged.attempts, 1);
            assert!(
                unstaged
                    .error
                    .expect("a reason")
                    .contains("not staged here")
            );
            let good = wait_final(&q, "dly-good").await;
            assert_eq!(
                good.status,
                JobStatus::Done,
                "{backend:?}: {:?}",
                good.error
            );
            pool.stop(Duration::from_secs(5)).await;
        });
    }
}

#[test]
fn a_submission_sent_again_with_its_key_is_the_same_delivery() {
    for backend in BACKENDS {
        let db = Db::new(backend);
        runtime().block_on(async {
            let q = db.queue(quick(60_000, 3)).await;
            let staged = Path::new("/x/delivery.tar.gz");
            let keyed = |id: &'static str, supplier: &'static str| NewJob {
                supplier,
                idempotency_key: Some("ci-run-4711"),
                ..new_job(id, staged, 0)
            };
            let first = q.submit(&keyed("dly-1", "acme-dev")).await.expect("submit");
            let again = q.submit(&keyed("dly-2", "acme-dev")).await.expect("submit");
            assert_eq!(
                again.id, first.id,
                "{backend:?}: the key names the first job"
            );
            assert!(q.job("dly-2").await.expect("read").is_none());
            // Another supplier's key is its own; no key never clashes.
            let other = q.submit(&keyed("dly-3", "globex")).await.expect("submit");
            assert_eq!(other.id, "dly-3");
            q.submit(&new_job("dly-4", staged, 0))
                .await
                .expect("submit");
            q.submit(&new_job("dly-5", staged, 0))
                .await
                .expect("submit");
            assert_eq!(q.depth().await.expect("depth").queued, 4, "{backend:?}");
            assert_eq!(
                q.by_key("acme-dev", "ci-run-4711")
                    .await
                    .expect("read")
                    .map(|j| j.id),
                Some("dly-1".to_owned())
            );
        });
    }
}
