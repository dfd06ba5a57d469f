//! Scale-out under faults, with the real binaries on loopback: two server
//! replicas (no reviews of their own) and three `oversight worker`
//! processes on one PostgreSQL database and one S3 bucket (s3s-fs). While
//! deliveries arrive, workers are killed with SIGKILL and restarted, and a
//! replica is killed and restarted. At the end every delivery has exactly
//! one decision, no job is lost, the ledger and the evidence store verify,
//! and each decision equals that of a single-process review of the same
//! content.
//!
//! `OVERSIGHT_CHAOS_DELIVERIES` sets how many deliveries (200 by default).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::serve::{agent, free_port, json_of, serve_with, supplier_token};
use crate::util::oversight;

/// The environment every process of the deployment shares, with the S3
/// server of `scripts/test`.
fn deployment_env(home: &Path, database: &str, evidence: &str) -> Vec<(String, String)> {
    let mut env = deployment_env_on(home, database, evidence);
    env.extend(oversight_test_support::s3::env());
    env
}

/// [`deployment_env`] without the S3 server's settings.
pub(crate) fn deployment_env_on(
    home: &Path,
    database: &str,
    evidence: &str,
) -> Vec<(String, String)> {
    let env: Vec<(String, String)> = vec![
        ("OVERSIGHT_DATABASE".into(), database.into()),
        ("OVERSIGHT_EVIDENCE".into(), evidence.into()),
        (
            "OVERSIGHT_KEY".into(),
            home.join("instance.key").display().to_string(),
        ),
        // Replicas only take deliveries; the workers review them.
        ("OVERSIGHT_WORKERS".into(), "0".into()),
        // A killed worker's job is taken up again after 2 s; a job hit by
        // several kills is not declared dead by them.
        ("OVERSIGHT_JOBS_LEASE_SECONDS".into(), "2".into()),
        ("OVERSIGHT_JOBS_BACKOFF_SECONDS".into(), "0".into()),
        ("OVERSIGHT_JOBS_MAX_ATTEMPTS".into(), "20".into()),
    ];
    env
}

fn worker(home: &Path, env: &[(String, String)], name: &str) -> Child {
    worker_with(home, env, name, &[])
}

/// [`worker`] with more arguments.
pub(crate) fn worker_with(
    home: &Path,
    env: &[(String, String)],
    name: &str,
    more: &[&str],
) -> Child {
    worker_command(home, env, name, more)
        .spawn()
        .expect("a worker process")
}

/// The command of [`worker_with`], not started; its log (stderr) goes to
/// `home/worker-NAME.log`.
pub(crate) fn worker_command(
    home: &Path,
    env: &[(String, String)],
    name: &str,
    more: &[&str],
) -> std::process::Command {
    let mut command = oversight();
    command
        .args(["worker", "-j", "1", "--grace", "1", "--name", name])
        .args(more)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("OVERSIGHT_ADVISORIES", home.join("advisories"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(
            fs_err::File::create(home.join(format!("worker-{name}.log")))
                .map(std::fs::File::from)
                .map_or_else(|_| Stdio::null(), Stdio::from),
        );
    command
}

/// `oversight ARGS` against the deployment in `home`: its exit code and
/// what it printed.
pub(crate) fn run_in(
    home: &Path,
    env: &[(String, String)],
    args: &[&str],
) -> (Option<i32>, String) {
    let out = oversight()
        .args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("oversight runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// A delivery of kind `kind` as a tar.gz: the example delivery (rejected
/// by the example engagement) or a small clean library.
pub(crate) fn delivery(kind: usize) -> Vec<u8> {
    let mut tgz = Vec::new();
    {
        let encoder = flate2::write::GzEncoder::new(&mut tgz, flate2::Compression::fast());
        let mut tar = tar::Builder::new(encoder);
        if kind == 0 {
            tar.append_dir_all(
                ".",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../examples/sample-delivery"
                ),
            )
            .expect("the example delivery");
        } else {
            let text = "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, "src/lib.rs", text.as_bytes())
                .expect("append");
        }
        tar.into_inner().expect("tar").finish().expect("gzip");
    }
    tgz
}

/// The decision a single process takes on `tgz`: `oversight review` of
/// the same file name on an embedded register of its own.
fn single_process_outcome(tgz: &[u8]) -> &'static str {
    let home = tempfile::tempdir().expect("a temporary directory");
    let file = home.path().join("delivery.tar.gz");
    fs_err::write(&file, tgz).expect("write");
    let run = |args: &[&str]| {
        oversight()
            .args(args)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("OVERSIGHT_ADVISORIES", home.path().join("advisories"))
            .output()
            .expect("oversight runs")
    };
    let init = run(&["init", "--example"]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let out = run(&[
        "review",
        file.to_str().expect("a UTF-8 path"),
        "--engagement",
        "acme-portal",
        "--no-progress",
    ]);
    match out.status.code() {
        Some(0) => "accepted",
        Some(1) => "rejected",
        other => panic!(
            "the single-process review failed ({other:?}): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Posts `tgz` to one replica, then the other, until one takes it (a
/// replica may be down); the delivery's id.
/// The client sends `key` with each try: a submission the cut replica
/// recorded before it died is answered, when sent again, with the same
/// delivery.
pub(crate) fn submit(
    bases: &[String; 2],
    first: usize,
    token: &str,
    tgz: &[u8],
    home: &Path,
    key: &str,
) -> String {
    let mut last = String::new();
    for attempt in 0..100 {
        let base = &bases[(first + attempt) % 2];
        let sent = agent()
            .post(&format!("{base}/api/v1/engagements/acme-portal/deliveries"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", "application/gzip")
            .header("Idempotency-Key", key)
            .send(tgz);
        match sent {
            Ok(r) if r.status() == 202 => {
                return json_of(r)["id"].as_str().expect("an id").to_owned();
            }
            Ok(r) => {
                let status = r.status();
                last = format!("{status}: {}", json_of(r));
                assert!(status.as_u16() >= 500, "refused: {last}");
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let logs: String = bases
        .iter()
        .filter_map(|b| b.rsplit(':').next())
        .map(|port| {
            fs_err::read_to_string(home.join(format!("serve-{port}.log"))).unwrap_or_default()
        })
        .collect();
    panic!("no replica took the delivery: {last}\n{logs}");
}

pub(crate) struct Killable(pub(crate) Arc<Mutex<Vec<Child>>>);

impl Drop for Killable {
    fn drop(&mut self) {
        for child in self.0.lock().expect("no panic holds the lock").iter_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn replicas_and_workers_killed_mid_run_lose_nothing_and_decide_each_delivery_once() {
    let count: usize = std::env::var("OVERSIGHT_CHAOS_DELIVERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let pg = oversight_test_support::postgres::TempDatabase::new("chaos");
    let bucket = oversight_test_support::s3::TempBucket::new("chaos");
    let home = tempfile::tempdir().expect("a temporary directory");
    let env = deployment_env(home.path(), &pg.url(), &bucket.url("/evidence"));
    let contents = [delivery(0), delivery(1)];
    let expected = [
        single_process_outcome(&contents[0]),
        single_process_outcome(&contents[1]),
    ];
    // Both are rejected by the example's agreed policy (the clean library
    // lacks the agreed deliverables), for different reasons.
    assert!(expected.iter().all(|o| *o == "rejected"), "{expected:?}");

    // Replica 1 initialises the register; replica 2 shares it.
    let ports = [free_port(), free_port()];
    let first = serve_with(home.path(), ports[0], &env);
    let token = supplier_token(&first.base, first.link.as_deref().expect("a setup link"));
    let second = serve_with(home.path(), ports[1], &env);
    let bases = [first.base.clone(), second.base.clone()];
    let replicas = Arc::new(Mutex::new(vec![second]));
    let workers = Arc::new(Mutex::new(
        (0..3)
            .map(|i| worker(home.path(), &env, &format!("w{i}")))
            .collect::<Vec<_>>(),
    ));
    let _cleanup = Killable(Arc::clone(&workers));

    // The chaos: every 1.5 s a worker is killed (SIGKILL) and restarted;
    // the fourth time, replica 2 too.
    let stop = Arc::new(AtomicBool::new(false));
    let chaos = {
        let (stop, workers, replicas, env) = (
            Arc::clone(&stop),
            Arc::clone(&workers),
            Arc::clone(&replicas),
            env.clone(),
        );
        let home = home.path().to_owned();
        let port = ports[1];
        std::thread::spawn(move || {
            let mut kills = 0;
            let mut round = 0usize;
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1500));
                round += 1;
                let victim = round.wrapping_mul(7) % 3;
                {
                    let mut workers = workers.lock().expect("no panic holds the lock");
                    let _ = workers[victim].kill();
                    let _ = workers[victim].wait();
                    workers[victim] = worker(&home, &env, &format!("w{victim}-{round}"));
                }
                kills += 1;
                if round == 4 {
                    let mut replicas = replicas.lock().expect("no panic holds the lock");
                    // Dropping a served replica kills it (SIGKILL).
                    drop(replicas.pop().expect("replica 2"));
                    std::thread::sleep(Duration::from_secs(1));
                    replicas.push(serve_with(&home, port, &env));
                    kills += 1;
                }
            }
            kills
        })
    };

    let started = Instant::now();
    let mut submitted: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..count {
        let kind = i % 2;
        let key = format!("ci-run-{i}");
        let id = submit(&bases, i % 2, &token, &contents[kind], home.path(), &key);
        assert!(
            submitted.insert(id, kind).is_none(),
            "a delivery id given twice"
        );
    }
    let submitting = started.elapsed();

    // Every job ends; none is lost, dead or failed.
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut reviews = BTreeSet::new();
    for (id, kind) in &submitted {
        let job = loop {
            let r = agent()
                .get(&format!("{}/api/v1/deliveries/{id}", bases[0]))
                .header("Authorization", &format!("Bearer {token}"))
                .call()
                .expect("replica 1 answers");
            assert_eq!(r.status(), 200, "delivery {id}");
            let job = json_of(r);
            if !matches!(job["status"].as_str(), Some("queued" | "running")) {
                break job;
            }
            assert!(
                Instant::now() < deadline,
                "delivery {id} never ended: {job}"
            );
            std::thread::sleep(Duration::from_millis(250));
        };
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!(job["outcome"], expected[*kind], "{job}");
        assert!(reviews.insert(job["review"].as_str().expect("a review").to_owned()));
    }
    stop.store(true, Ordering::SeqCst);
    let kills = chaos.join().expect("the chaos thread");
    let took = started.elapsed();
    eprintln!(
        "chaos: {count} deliveries submitted in {submitting:.1?}, all decided in {took:.1?}, {kills} processes killed"
    );
    assert!(
        kills >= 3,
        "the run ended before the chaos began ({kills} kills)"
    );

    // Exactly one recorded review per delivery, and everything verifies.
    let run = |args: &[&str]| run_in(home.path(), &env, args);
    // A submission cut by a replica's death may have been recorded although
    // its answer never came; sent again with its key, it is the same
    // delivery. Every job the engagement holds is one of ours.
    let mut jobs = Vec::new();
    for page in 1.. {
        let r = agent()
            .get(&format!(
                "{}/api/v1/engagements/acme-portal/deliveries?page={page}&per_page=200",
                bases[0]
            ))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("replica 1 answers");
        let items = json_of(r)["items"].as_array().expect("a list").clone();
        if items.is_empty() {
            break;
        }
        jobs.extend(items);
    }
    assert_eq!(jobs.len(), count, "one job per delivery, none lost");
    let mut all_reviews = BTreeSet::new();
    for job in &jobs {
        assert_eq!(job["status"], "done", "{job}");
        assert!(all_reviews.insert(job["review"].as_str().expect("a review").to_owned()));
    }
    assert_eq!(all_reviews, reviews);
    let (code, listed) = run(&["review", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, Some(0), "{listed}");
    let recorded: Vec<&str> = listed
        .split_whitespace()
        .filter(|w| w.starts_with("rev-"))
        .collect();
    assert_eq!(
        recorded.len(),
        jobs.len(),
        "one review per delivery: {listed}"
    );
    let recorded: BTreeSet<String> = recorded.into_iter().map(str::to_owned).collect();
    assert_eq!(
        recorded, all_reviews,
        "the reviews recorded are the jobs' reviews"
    );
    let (code, out) = run(&["ledger", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["evidence", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    drop(first);
}

/// An S3-compatible server of the test's own (s3s-fs, which `scripts/test`
/// installs), so the test can take it away and bring it back.
struct OwnS3 {
    child: Option<Child>,
    port: u16,
    root: std::path::PathBuf,
}

impl OwnS3 {
    const KEY: &str = "outage-test";
    const SECRET: &str = "outage-test-secret";

    fn start(root: &Path) -> OwnS3 {
        let mut s3 = OwnS3 {
            child: None,
            port: free_port(),
            root: root.to_owned(),
        };
        s3.up();
        s3
    }

    fn up(&mut self) {
        for _ in 0..50 {
            let child = std::process::Command::new("s3s-fs")
                .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
                .args(["--access-key", Self::KEY, "--secret-key", Self::SECRET])
                .arg(&self.root)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("s3s-fs on PATH (scripts/test installs it)");
            self.child = Some(child);
            for _ in 0..50 {
                if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            self.down();
        }
        panic!("s3s-fs did not answer on port {}", self.port);
    }

    fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ACCESS_KEY_ID", Self::KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", Self::SECRET.to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

impl Drop for OwnS3 {
    fn drop(&mut self) {
        self.down();
    }
}

/// The evidence store goes away while a delivery is reviewed: the attempt
/// fails naming the store, nothing of the review is recorded, and once the
/// store is back the job is retried and done, recorded once.
#[test]
fn an_evidence_store_outage_mid_review_is_retried_and_leaves_nothing_half_written() {
    let pg = oversight_test_support::postgres::TempDatabase::new("outage");
    let home = tempfile::tempdir().expect("a temporary directory");
    let root = home.path().join("s3");
    fs_err::create_dir_all(root.join("outage")).expect("the bucket");
    let mut s3 = OwnS3::start(&root);
    let mut env = deployment_env_on(home.path(), &pg.url(), "s3://outage/evidence");
    env.retain(|(k, _)| k != "OVERSIGHT_JOBS_BACKOFF_SECONDS");
    env.push(("OVERSIGHT_JOBS_BACKOFF_SECONDS".into(), "1".into()));
    env.extend(s3.env());
    let served = serve_with(home.path(), free_port(), &env);
    let token = supplier_token(&served.base, served.link.as_deref().expect("a setup link"));
    let bases = [served.base.clone(), served.base.clone()];
    let id = submit(&bases, 0, &token, &delivery(0), home.path(), "outage-1");

    // The store goes away; then a worker starts on the job.
    s3.down();
    let metrics_port = free_port();
    let metrics_at = format!("127.0.0.1:{metrics_port}");
    let mut worker = worker_with(
        home.path(),
        &env,
        "w-outage",
        &["--metrics-listen", &metrics_at],
    );
    let job_of = |id: &str| {
        json_of(
            agent()
                .get(&format!("{}/api/v1/deliveries/{id}", served.base))
                .header("Authorization", &format!("Bearer {token}"))
                .call()
                .expect("the server answers"),
        )
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let failed = loop {
        let job = job_of(&id);
        if job["attempts"].as_i64().unwrap_or(0) >= 1 && job["status"] == "queued" {
            break job;
        }
        assert!(Instant::now() < deadline, "no failed attempt: {job}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Evidence store") && error.contains("s3://outage/evidence"),
        "the error names the store: {failed}"
    );
    let run = |args: &[&str]| run_in(home.path(), &env, args);
    let reviews = |listed: &str| {
        listed
            .split_whitespace()
            .filter(|w| w.starts_with("rev-"))
            .count()
    };
    let (code, listed) = run(&["review", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, Some(0), "{listed}");
    assert_eq!(
        reviews(&listed),
        0,
        "nothing recorded during the outage: {listed}"
    );

    // The store is back: the job is done, recorded once.
    s3.up();
    let deadline = Instant::now() + Duration::from_secs(180);
    let done = loop {
        let job = job_of(&id);
        if job["status"] == "done" {
            break job;
        }
        assert!(
            matches!(job["status"].as_str(), Some("queued" | "running"))
                && Instant::now() < deadline,
            "not retried after the outage: {job}"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(done["attempts"].as_i64().unwrap_or(0) >= 2, "{done}");
    let (code, listed) = run(&["review", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, Some(0), "{listed}");
    assert_eq!(reviews(&listed), 1, "{listed}");
    let (code, out) = run(&["ledger", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["evidence", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    // The worker's own metrics counted the failed attempt and the review.
    let scraped = agent()
        .get(&format!("http://{metrics_at}/metrics"))
        .call()
        .expect("the worker's metrics")
        .into_body()
        .read_to_string()
        .expect("a body");
    let count = |result: &str| {
        scraped
            .lines()
            .find(|l| {
                l.starts_with("oversight_jobs_total{")
                    && l.contains(&format!("result=\"{result}\""))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    assert_eq!(count("done"), 1.0, "{scraped}");
    assert!(count("retried") >= 1.0, "{scraped}");
    let _ = worker.kill();
    let _ = worker.wait();
}
