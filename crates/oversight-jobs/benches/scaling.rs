//! Review throughput of the worker pool on PostgreSQL, on real code.
//!
//! `cargo bench -p oversight-jobs --bench scaling` (needs
//! `OVERSIGHT_TEST_POSTGRES`, as the tests do). Deliveries are tar.gz
//! archives of real crate sources from `~/.cargo/registry/src`, in a size
//! mix like a day's CI uploads: most small, some of several MB, a tail of
//! large ones.
//!
//! 1. **Scaling.** The same burst is reviewed by 1, 2 and 4 workers in one
//!    process, each run on a fresh database and evidence store (a store
//!    that already holds the blobs would make later runs cheaper).
//! 2. **A day, scaled down.** Deliveries arrive in CI bursts while 2
//!    workers review them: queue latency (submit to claim, sampled every
//!    50 ms) and time to decision p50/p99, and database and store growth
//!    per delivery; then the extrapolation to 100,000 deliveries a day.
//!
//!    The day's mix has its tail: one delivery of `BENCH_HUGE_MB` (1024)
//!    MB of real crate sources, arriving mid-day, reported on its own.
//!
//! `BENCH_BURST` (24) and `BENCH_DAY` (60) set the sizes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oversight_jobs::{
    NewJob, NoEvents, PoolOptions, Queue, QueueSettings, ReviewContext, WorkerPool,
};
use oversight_register::{PolicyFiles, Register};
use oversight_store::DatabaseUrl;
use sqlx::Row as _;

const SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const POLICY: &str = include_str!("../../../examples/policy.toml");

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn dir_size(path: &Path) -> u64 {
    walk(path).iter().map(|(_, size)| size).sum()
}

fn walk(path: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(path) else {
        return out;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            out.extend(walk(&p));
        } else if meta.is_file() {
            out.push((p, meta.len()));
        }
    }
    out
}

/// Real crates of the registry by size class: small (< 512 KiB), medium
/// (1–10 MiB) and large (10–80 MiB).
fn crates_by_size() -> [Vec<PathBuf>; 3] {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cargo"));
    let mut classes: [Vec<(u64, PathBuf)>; 3] = Default::default();
    for index in std::fs::read_dir(home.join("registry/src"))
        .expect("the crate sources")
        .flatten()
    {
        for krate in std::fs::read_dir(index.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let size = dir_size(&krate.path());
            let class = match size {
                s if s < 512 << 10 => 0,
                s if (1 << 20..10 << 20).contains(&s) => 1,
                s if (10 << 20..80 << 20).contains(&s) => 2,
                _ => continue,
            };
            classes[class].push((size, krate.path()));
        }
    }
    classes.map(|mut c| {
        c.sort();
        c.into_iter().map(|(_, p)| p).collect()
    })
}

/// `n` deliveries: 80 % small, 15 % medium, 5 % large, as tar.gz files.
fn deliveries(dir: &Path, n: usize) -> Vec<(PathBuf, u64)> {
    let classes = crates_by_size();
    let mut out = Vec::new();
    for i in 0..n {
        let class = match i % 20 {
            0 => 2,
            1..=3 => 1,
            _ => 0,
        };
        let pool = &classes[class];
        assert!(
            !pool.is_empty(),
            "no crate of size class {class} in ~/.cargo/registry/src"
        );
        let source = &pool[(i * 7919) % pool.len()];
        let path = dir.join(format!("d{i:04}")).join("delivery.tar.gz");
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        let file = std::fs::File::create(&path).expect("create");
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.follow_symlinks(false);
        tar.append_dir_all("src", source).expect("tar");
        tar.into_inner().expect("tar").finish().expect("gzip");
        let size = std::fs::metadata(&path).expect("size").len();
        out.push((path, size));
    }
    out
}

/// Where the tail's sources come from: `BENCH_HUGE_SOURCES` (directories
/// separated by `:`), or the crate sources, the Python 3.11 site-packages
/// and the global node_modules of this machine, each directory of theirs
/// a member tree.
fn huge_sources() -> Vec<PathBuf> {
    let roots: Vec<PathBuf> = match std::env::var("BENCH_HUGE_SOURCES") {
        Ok(list) => list.split(':').map(PathBuf::from).collect(),
        Err(_) => {
            let home = PathBuf::from(std::env::var("HOME").expect("HOME"));
            let mut roots: Vec<PathBuf> = std::fs::read_dir(home.join(".cargo/registry/src"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            roots.push(home.join(".pyenv/versions/3.11.7/lib/python3.11/site-packages"));
            roots.push(PathBuf::from("/usr/lib/node_modules"));
            roots
        }
    };
    roots
        .iter()
        .flat_map(|root| std::fs::read_dir(root).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect()
}

/// One delivery of at least `mb` MB of real sources (uncompressed, when
/// there are that many), as a tar.gz: the tail of the day's size mix.
/// Returns its path, its size and the sources' size.
fn huge_delivery(dir: &Path, mb: u64) -> (PathBuf, u64, u64) {
    let path = dir.join("huge").join("delivery.tar.gz");
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    let file = std::fs::File::create(&path).expect("create");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.follow_symlinks(false);
    let mut source = 0;
    for (i, tree) in huge_sources().iter().enumerate() {
        if source >= mb << 20 {
            break;
        }
        source += dir_size(tree);
        tar.append_dir_all(format!("src/{i:05}"), tree)
            .expect("tar");
    }
    tar.into_inner().expect("tar").finish().expect("gzip");
    let size = std::fs::metadata(&path).expect("size").len();
    (path, size, source)
}

struct Setup {
    _db: oversight_test_support::postgres::TempDatabase,
    url: String,
    dir: tempfile::TempDir,
    register: Register,
    queue: Queue,
}

async fn setup() -> Setup {
    let db = oversight_test_support::postgres::TempDatabase::new("bench_jobs");
    let url = db.url();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let parsed = DatabaseUrl::parse(&url, "bench").expect("a URL");
    let register = Register::init(&parsed, &dir.path().join("instance.key"), "setup")
        .await
        .expect("init");
    let supplier = oversight_register::format::parse_supplier(SUPPLIER, "bench").expect("supplier");
    register.supplier_add(&supplier).await.expect("supplier");
    register
        .engagement_apply_str(
            ENGAGEMENT,
            "bench",
            &PolicyFiles::Given(&[("policy.toml", POLICY)]),
        )
        .await
        .expect("engagement");
    let queue = Queue::connect(&url, QueueSettings::default())
        .await
        .expect("queue");
    Setup {
        _db: db,
        url,
        dir,
        register,
        queue,
    }
}

fn context(s: &Setup) -> ReviewContext {
    ReviewContext {
        register: s.register.acting_as("bench-worker"),
        evidence: s.dir.path().join("evidence").display().to_string(),
        advisories: Some(s.dir.path().join("advisories")),
        scratch: s.dir.path().join("scratch"),
    }
}

/// Stages a copy of `path` for job `id` (a worker removes what it
/// reviewed) and records the job.
async fn submit(s: &Setup, id: &str, path: &Path, bytes: u64) {
    let staged = s
        .dir
        .path()
        .join("staging")
        .join(id)
        .join("delivery.tar.gz");
    std::fs::create_dir_all(staged.parent().expect("a parent")).expect("mkdir");
    std::fs::copy(path, &staged).expect("stage a copy");
    let path = staged.as_path();
    s.queue
        .submit(&NewJob {
            id,
            engagement: "acme-portal",
            supplier: "acme-dev",
            submitter: "bench",
            file_name: "delivery.tar.gz",
            bytes: bytes as i64,
            staged: path,
            blob: None,
            priority: 0,
            idempotency_key: None,
        })
        .await
        .expect("submit");
}

async fn all_final(s: &Setup, ids: &[String]) -> bool {
    for id in ids {
        let job = s.queue.job(id).await.expect("read").expect("there");
        if !job.status.is_final() {
            return false;
        }
        assert_eq!(job.status.as_str(), "done", "{id}: {:?}", job.error);
    }
    true
}

fn start(s: &Setup, workers: usize) -> WorkerPool {
    WorkerPool::start(
        s.queue.clone(),
        &PoolOptions {
            workers,
            name: format!("bench{workers}"),
            poll: Duration::from_millis(50),
        },
        context(s),
        Arc::new(NoEvents),
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn pg_size(url: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    let row = sqlx::query("SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS n")
        .fetch_one(&pool)
        .await
        .expect("size");
    row.get::<i64, _>("n")
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let work = tempfile::tempdir().expect("a temporary directory");
    let burst_n = env_usize("BENCH_BURST", 24);
    let day_n = env_usize("BENCH_DAY", 60);
    let made = Instant::now();
    let burst = deliveries(&work.path().join("burst"), burst_n);
    let burst_bytes: u64 = burst.iter().map(|(_, b)| b).sum();
    println!(
        "{} deliveries of real crate sources made in {:.1?} ({:.1} MB compressed; largest {:.1} MB)",
        burst.len(),
        made.elapsed(),
        burst_bytes as f64 / 1e6,
        burst.iter().map(|(_, b)| *b).max().unwrap_or(0) as f64 / 1e6
    );
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);

    println!("\n## Scaling: one burst of {burst_n} deliveries ({cores} cores)\n");
    println!("| workers | seconds | deliveries/s | per worker | speed-up |");
    println!("|---|---|---|---|---|");
    let mut base = 0.0;
    for workers in [1, 2, 4] {
        let (secs, rate) = runtime.block_on(async {
            let s = setup().await;
            let mut ids = Vec::new();
            for (i, (path, bytes)) in burst.iter().enumerate() {
                let id = format!("dly-s{workers}-{i:04}");
                submit(&s, &id, path, *bytes).await;
                ids.push(id);
            }
            let started = Instant::now();
            let pool = start(&s, workers);
            while !all_final(&s, &ids).await {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let secs = started.elapsed().as_secs_f64();
            pool.stop(Duration::from_secs(5)).await;
            (secs, ids.len() as f64 / secs)
        });
        if workers == 1 {
            base = rate;
        }
        println!(
            "| {workers} | {secs:.1} | {rate:.2} | {:.2} | {:.2}× |",
            rate / workers as f64,
            rate / base
        );
    }

    println!("\n## A day, scaled down: {day_n} deliveries in CI bursts, 2 workers\n");
    let mut day = deliveries(&work.path().join("day"), day_n);
    let huge_mb = env_usize("BENCH_HUGE_MB", 1024) as u64;
    let huge_at = day_n / 2;
    let mut huge_source = 0;
    if huge_mb > 0 {
        let (path, size, source) = huge_delivery(work.path(), huge_mb);
        huge_source = source;
        day.insert(huge_at, (path, size));
    }
    let huge_id = format!("dly-day-{huge_at:04}");
    let day_bytes: u64 = day.iter().map(|(_, b)| b).sum();
    runtime.block_on(async {
        let s = setup().await;
        let db_before = pg_size(&s.url).await;
        let store = s.dir.path().join("evidence");
        let pool = start(&s, 2);
        let started = Instant::now();
        let mut submitted_at = std::collections::HashMap::new();
        let mut claimed_at = std::collections::HashMap::new();
        let mut claimed_ts = std::collections::HashMap::new();
        let mut ids = Vec::new();
        // Bursts of 10 (a CI pipeline fanning out) every 4 s.
        let mut next = day.iter().enumerate().peekable();
        let mut burst_due = Instant::now();
        loop {
            if Instant::now() >= burst_due {
                for _ in 0..10 {
                    let Some((i, (path, bytes))) = next.next() else { break };
                    let id = format!("dly-day-{i:04}");
                    submit(&s, &id, path, *bytes).await;
                    submitted_at.insert(id.clone(), started.elapsed().as_secs_f64());
                    ids.push(id);
                }
                burst_due += Duration::from_secs(4);
            }
            for id in &ids {
                if !claimed_at.contains_key(id) {
                    let job = s.queue.job(id).await.expect("read").expect("there");
                    if job.status.as_str() != "queued" {
                        claimed_ts.insert(id.clone(), jiff::Timestamp::now());
                        claimed_at.insert(id.clone(), started.elapsed().as_secs_f64());
                    }
                }
            }
            if next.peek().is_none() && claimed_at.len() == ids.len() && all_final(&s, &ids).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let secs = started.elapsed().as_secs_f64();
        pool.stop(Duration::from_secs(5)).await;
        let mut waits: Vec<f64> = ids
            .iter()
            .map(|id| claimed_at[id] - submitted_at[id])
            .collect();
        waits.sort_by(f64::total_cmp);
        let mut decided = Vec::new();
        // Worker-seconds each review kept a worker busy (claim, sampled
        // every 50 ms, to end), the tail's included.
        let mut busy = 0.0;
        for id in &ids {
            let job = s.queue.job(id).await.expect("read").expect("there");
            let created: jiff::Timestamp = job.created_at.parse().expect("a time");
            let updated: jiff::Timestamp = job.updated_at.parse().expect("a time");
            decided.push((updated - created).total(jiff::Unit::Second).expect("seconds"));
            busy += (updated - claimed_ts[id])
                .total(jiff::Unit::Second)
                .expect("seconds")
                .max(0.0);
        }
        let huge = if huge_mb > 0 {
            let job = s.queue.job(&huge_id).await.expect("read").expect("there");
            let created: jiff::Timestamp = job.created_at.parse().expect("a time");
            let updated: jiff::Timestamp = job.updated_at.parse().expect("a time");
            Some((
                job.bytes,
                (updated - created).total(jiff::Unit::Second).expect("seconds"),
                claimed_at[&huge_id] - submitted_at[&huge_id],
            ))
        } else {
            None
        };
        decided.sort_by(f64::total_cmp);
        let db_growth = pg_size(&s.url).await - db_before;
        let store_growth = dir_size(&store);
        let n = ids.len() as f64;
        let rate = n / secs;
        println!("| measure | value |");
        println!("|---|---|");
        println!("| deliveries | {} ({:.1} MB compressed) |", ids.len(), day_bytes as f64 / 1e6);
        println!("| wall time | {secs:.1} s |");
        println!("| throughput (bound by the arrivals: 10 every 4 s) | {rate:.2} deliveries/s |");
        println!("| queue latency p50 / p99 | {:.2} s / {:.2} s |", percentile(&waits, 0.5), percentile(&waits, 0.99));
        println!("| time to decision p50 / p99 | {:.2} s / {:.2} s |", percentile(&decided, 0.5), percentile(&decided, 0.99));
        println!("| database growth | {:.1} kB per delivery |", db_growth as f64 / n / 1e3);
        println!("| evidence store growth | {:.1} kB per delivery |", store_growth as f64 / n / 1e3);
        if let Some((bytes, decided, waited)) = huge {
            println!(
                "| the tail: one delivery of {:.0} MB of sources ({:.0} MB compressed) | waited {waited:.2} s, decided in {decided:.1} s ({:.1} MB/s of sources) |",
                huge_source as f64 / 1e6,
                bytes as f64 / 1e6,
                huge_source as f64 / 1e6 / decided.max(0.001)
            );
        }
        // Capacity from the day's own work (its tail included), not from
        // its rate, which is bound by its arrivals: the worker-seconds a
        // delivery of this mix costs on average.
        let per_delivery = busy / n;
        let per_worker_day = 86_400.0 / per_delivery.max(1e-6);
        println!(
            "| worker time per delivery (mean, tail included) | {per_delivery:.3} s |"
        );
        println!(
            "\nExtrapolation from the day's worker time ({per_delivery:.3} s per delivery on one core; the burst without the tail: {:.3} s): one worker reviews about {:.0} deliveries of this mix a day, so 100,000 a day need {:.0} worker(s) at full use, {:.0} at 50 % use to absorb CI bursts; database {:.1} GB and evidence {:.1} GB a day.",
            1.0 / base,
            per_worker_day,
            (100_000.0 / per_worker_day).ceil(),
            (200_000.0 / per_worker_day).ceil(),
            db_growth as f64 / n * 100_000.0 / 1e9,
            store_growth as f64 / n * 100_000.0 / 1e9,
        );
    });
    // Worker threads of abandoned blocking reviews must not hold the exit.
    std::process::exit(0);
}
