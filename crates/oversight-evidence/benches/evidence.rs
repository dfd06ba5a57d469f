//! Recording a 200 MB delivery as evidence: staging (the scan's tap writing
//! each file, chunk by chunk, from several threads) then committing to a
//! local directory store. Target: everything recorded in under 2 s beyond
//! the scan itself.
//!
//! The delivery is real files: the first 200 MB of `~/.cargo/registry/src`
//! (or `OVERSIGHT_BENCH_DIR`), in sorted order, read into memory before the
//! clock starts (the scan reads them; the evidence path only writes).
//! Variants:
//!
//! * staging for the local store, small blobs packed, large ones renamed
//!   straight into it (what a review with the default local store does);
//! * the same delivery again (a re-review: every blob present);
//! * staging beside the store, commit by hard link (the previous way);
//! * staging in the system temporary directory, commit by copy through
//!   `object_store`'s `LocalFileSystem` (what any other store costs, minus
//!   the network).
//!
//! Run: `cargo bench -p oversight-evidence --bench evidence`.

#![expect(clippy::print_stdout, reason = "a benchmark prints its numbers")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use object_store::local::LocalFileSystem;
use oversight_evidence::{CommitSummary, EvidenceStore, Staging};

const TOTAL_BYTES: u64 = 200 * 1000 * 1000;
/// The engine hands the tap at most one window (8 MiB) at a time.
const CHUNK: usize = 8 << 20;

fn main() -> anyhow::Result<()> {
    let root = std::env::var_os("OVERSIGHT_BENCH_DIR").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cargo/registry/src")
        },
        PathBuf::from,
    );
    let files = delivery(&root)?;
    let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    println!(
        "delivery: {} files, {:.1} MB from {}; {threads} staging threads",
        files.len(),
        bytes as f64 / 1e6,
        root.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;

    let work = tempfile::tempdir()?;
    // 1. Default local store, as `oversight review` stages: straight into it.
    let store = EvidenceStore::open(path_str(&work.path().join("direct")))?;
    let staging = runtime.block_on(Staging::for_store(&store))?;
    let staged = stage(&staging, &files, threads)?;
    let (summary, committed) = timed(|| runtime.block_on(staging.commit(&store)))?;
    report("stage into the store", bytes, staged, committed, summary);
    // 2. Re-review of the same delivery into the same store.
    let again = runtime.block_on(Staging::for_store(&store))?;
    let staged = stage(&again, &files, threads)?;
    let (summary, committed) = timed(|| runtime.block_on(again.commit(&store)))?;
    report("re-review, all present", bytes, staged, committed, summary);
    drop((staging, again));

    // 3. Staging beside a local store, committed by hard links.
    let store = EvidenceStore::open(path_str(&work.path().join("linked")))?;
    let staging = Staging::new_in(work.path().join("linked"))?;
    let staged = stage(&staging, &files, threads)?;
    let (summary, committed) = timed(|| runtime.block_on(staging.commit(&store)))?;
    report(
        "stage + commit, hard links",
        bytes,
        staged,
        committed,
        summary,
    );
    drop(staging);

    // 4. Copy through object_store (no hard links).
    let copied = work.path().join("copied");
    std::fs::create_dir_all(&copied)?;
    let store = EvidenceStore::from_object_store(
        Arc::new(LocalFileSystem::new_with_prefix(&copied)?),
        "local directory (copy)",
    );
    let staging = Staging::new()?;
    let staged = stage(&staging, &files, threads)?;
    let (summary, committed) = timed(|| runtime.block_on(staging.commit(&store)))?;
    report("stage + commit, copies", bytes, staged, committed, summary);

    let (report, verified) = timed(|| runtime.block_on(store.verify_all()))?;
    println!(
        "{:<28} {:>6.2} s  {:>7.0} MB/s  ({} blobs, {} problems)",
        "verify_all",
        verified.as_secs_f64(),
        report.bytes as f64 / 1e6 / verified.as_secs_f64(),
        report.blobs,
        report.problems.len()
    );
    Ok(())
}

/// The first [`TOTAL_BYTES`] of regular files under `root`, sorted by path.
fn delivery(root: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut paths = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries.into_iter().rev() {
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                paths.push(entry.path());
            }
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut total = 0;
    for path in paths {
        if total >= TOTAL_BYTES {
            break;
        }
        let content = std::fs::read(&path)?;
        total += content.len() as u64;
        files.push(content);
    }
    anyhow::ensure!(
        total >= TOTAL_BYTES,
        "{} holds only {total} bytes",
        root.display()
    );
    Ok(files)
}

/// Writes every file through a staged writer, from `threads` threads;
/// returns the time taken.
fn stage(staging: &Staging, files: &[Vec<u8>], threads: usize) -> anyhow::Result<Duration> {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> std::io::Result<()> {
                    while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let mut writer = staging.writer();
                        for chunk in file.chunks(CHUNK) {
                            writer.write_all(chunk)?;
                        }
                        writer.finish()?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|worker| worker.join().expect("staging thread panicked"))
    })?;
    Ok(start.elapsed())
}

fn timed<T, E>(run: impl FnOnce() -> Result<T, E>) -> Result<(T, Duration), E> {
    let start = Instant::now();
    let value = run()?;
    Ok((value, start.elapsed()))
}

fn report(name: &str, bytes: u64, staged: Duration, committed: Duration, summary: CommitSummary) {
    let total = staged + committed;
    println!(
        "{name:<28} {:>6.2} s  {:>7.0} MB/s  (stage {:.2} s, commit {:.2} s; {} stored, {} present)",
        total.as_secs_f64(),
        bytes as f64 / 1e6 / total.as_secs_f64(),
        staged.as_secs_f64(),
        committed.as_secs_f64(),
        summary.uploaded,
        summary.already_present
    );
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}
