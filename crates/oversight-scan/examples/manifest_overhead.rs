//! What recording the manifest (and tapping content) costs a scan.
//!
//! ```sh
//! cargo run --release -p oversight-scan --example manifest_overhead -- [TARGET] [--runs N] [--threads N]
//! ```
//!
//! TARGET defaults to `~/.cargo/registry/src`. For two detector sets (none:
//! the engine's read and pattern pass alone, the worst case for the relative
//! overhead; all: the detectors `oversight scan` runs by default, less the
//! licence detector, which would tie this crate's tests to that crate's
//! build) it scans the
//! target once to warm the page cache, then `--runs` times (default 3) in
//! each mode, interleaved, and prints the median wall time and throughput:
//! plain, with the manifest, and with the manifest plus a tap that drops the
//! bytes (the cost of the tap calls themselves). It also prints one core's
//! SHA-256 throughput, the floor of what hashing can cost.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use oversight_detect::Detector;
use oversight_model::DeliveryPath;
use oversight_scan::{ContentTap, NoProgress, ScanOptions, ScannerBuilder, TapWriter};
use sha2::{Digest as _, Sha256};

/// A tap that takes every byte and keeps none.
struct Drop;
struct DropWriter(u64);

impl ContentTap for Drop {
    fn open(&self, _path: &DeliveryPath, _size: Option<u64>) -> Option<Box<dyn TapWriter>> {
        Some(Box::new(DropWriter(0)))
    }
}

impl TapWriter for DropWriter {
    fn write(&mut self, bytes: &[u8]) {
        self.0 += bytes.len() as u64;
    }
    fn finish(self: Box<Self>, sha256: [u8; 32]) {
        std::hint::black_box((self.0, sha256));
    }
    fn abort(self: Box<Self>) {}
}

fn detectors(all: bool) -> Vec<Box<dyn Detector>> {
    if !all {
        return Vec::new();
    }
    let mut detectors = oversight_malicious::detectors();
    detectors.extend(oversight_integrity::detectors());
    detectors.push(Box::new(oversight_deps::DependencyDetector::new()));
    detectors.push(Box::new(
        oversight_secrets::builtin().expect("built-in secret rules"),
    ));
    detectors
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Plain,
    Manifest,
    Tap,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Manifest => "manifest",
            Mode::Tap => "manifest+tap",
        }
    }

    fn options(self, threads: Option<usize>) -> ScanOptions {
        ScanOptions {
            threads,
            record_manifest: self != Mode::Plain,
            content_tap: (self == Mode::Tap).then(|| Arc::new(Drop) as Arc<dyn ContentTap>),
            ..ScanOptions::default()
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let mut target = None;
    let mut runs = 3usize;
    let mut threads = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--threads" => threads = args.next().and_then(|n| n.parse().ok()),
            _ => target = Some(PathBuf::from(arg)),
        }
    }
    let target = target.unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo/registry/src")
    });

    let block = vec![0x5au8; 256 << 20];
    let started = Instant::now();
    std::hint::black_box(Sha256::digest(&block));
    let sha_mbps = block.len() as f64 / 1e6 / started.elapsed().as_secs_f64();
    println!("SHA-256 on one core: {sha_mbps:.0} MB/s");
    println!(
        "target: {}  ({} threads, {runs} runs per mode, median)",
        target.display(),
        threads.unwrap_or_else(rayon::current_num_threads)
    );
    println!(
        "{:<10} {:<13} {:>8} {:>9} {:>8} {:>8} {:>9}",
        "detectors", "mode", "files", "MB", "wall_s", "MB/s", "overhead"
    );
    for all in [false, true] {
        let modes = [Mode::Plain, Mode::Manifest, Mode::Tap];
        let scanners: Vec<_> = modes
            .iter()
            .map(|mode| {
                ScannerBuilder::new()
                    .detectors(detectors(all))
                    .options(mode.options(threads))
                    .build()
                    .expect("scanner")
            })
            .collect();
        // Warm the page cache.
        let warm = scanners[0].scan(&target, &NoProgress).expect("scan");
        let files = warm.coverage.text.files + warm.coverage.binary.files;
        let mb = (warm.coverage.text.bytes + warm.coverage.binary.bytes) as f64 / 1e6;
        let mut times = vec![Vec::new(); modes.len()];
        for _ in 0..runs {
            for (i, scanner) in scanners.iter().enumerate() {
                let started = Instant::now();
                let report = scanner.scan(&target, &NoProgress).expect("scan");
                times[i].push(started.elapsed());
                std::hint::black_box(report.manifest.len());
            }
        }
        let plain = median(times[0].clone()).as_secs_f64();
        for (mode, times) in modes.iter().zip(times) {
            let wall = median(times).as_secs_f64();
            println!(
                "{:<10} {:<13} {:>8} {:>9.1} {:>8.2} {:>8.1} {:>8.1}%",
                if all { "all" } else { "none" },
                mode.name(),
                files,
                mb,
                wall,
                mb / wall,
                (wall / plain - 1.0) * 100.0
            );
        }
    }
}
