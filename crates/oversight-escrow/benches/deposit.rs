//! The deposit's data path on a real tree, against `tar --zstd` on the same
//! files in the same run: every file is put into a local evidence store
//! (not timed, as a review does), then the deposit is written from the
//! store (timed: each blob streamed, checked against its digest, into the
//! deterministic tar.zst, hashed for the signatures), then GNU tar with
//! zstd packs the same directory (timed). Prints both and the ratio.
//!
//! `ESCROW_BENCH_DIR` names the tree (bench/escrow.sh assembles ~1 GB of
//! real crate sources); `BENCH_TMP` where the store and outputs go.

use std::path::{Path, PathBuf};
use std::time::Instant;

use oversight_escrow::DepositWriter;
use oversight_evidence::{Digest, EvidenceStore, Fetched};

fn files(root: &Path) -> Vec<(String, PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable tree") {
            let entry = entry.expect("readable entry");
            let kind = entry.file_type().expect("file type");
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let rel = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .to_string_lossy()
                    .into_owned();
                let size = entry.metadata().expect("metadata").len();
                out.push((format!("source/{rel}"), path, size));
            }
        }
    }
    out.sort();
    out
}

fn main() {
    let Some(tree) = std::env::var_os("ESCROW_BENCH_DIR").map(PathBuf::from) else {
        eprintln!(
            "deposit bench: set ESCROW_BENCH_DIR to a tree of real files (bench/escrow.sh does)"
        );
        return;
    };
    let tmp = PathBuf::from(std::env::var_os("BENCH_TMP").unwrap_or("/tmp/oversight-bench".into()));
    let work = tmp.join("escrow-work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let files = files(&tree);
    let total: u64 = files.iter().map(|f| f.2).sum();
    // As the command line runs it: one runtime thread, the blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = EvidenceStore::open(work.join("evidence").to_str().unwrap()).unwrap();
    let digests: Vec<Digest> = runtime.block_on(async {
        let mut out = Vec::with_capacity(files.len());
        for (_, path, _) in &files {
            out.push(store.put_file(path).await.unwrap().digest);
        }
        out
    });

    let deposit = work.join("deposit.tar.zst");
    let started = Instant::now();
    // The loop of `oversight_app::escrow::write_members`: blobs fetched 16
    // at once (read whole up to 4 MiB, checked), compressed on the blocking
    // pool, larger ones streamed.
    let written = runtime.block_on(async {
        use futures::StreamExt as _;
        let blobs: Vec<(Digest, u64)> =
            digests.iter().zip(&files).map(|(d, f)| (*d, f.2)).collect();
        let (sender, mut received) = tokio::sync::mpsc::channel(16);
        let store = &store;
        let producer = async move {
            let mut fetched = store.fetch_in_order(blobs, 4 << 20, 16);
            while let Some(item) = fetched.next().await {
                if sender.send(item).await.is_err() {
                    break;
                }
            }
        };
        let deposit = &deposit;
        let files = &files;
        let consumer = async move {
            let mut writer = DepositWriter::new(std::fs::File::create(deposit).unwrap()).unwrap();
            for (name, _, size) in files {
                let size = *size;
                let name = name.clone();
                writer = match received.recv().await.unwrap().unwrap() {
                    Fetched::Whole(bytes) => tokio::task::spawn_blocking(move || {
                        let mut writer = writer;
                        writer.begin(&name, name.as_bytes(), size).unwrap();
                        std::io::Write::write_all(&mut writer, &bytes).unwrap();
                        writer.end().unwrap();
                        writer
                    })
                    .await
                    .unwrap(),
                    Fetched::Stream(digest) => {
                        writer.begin(&name, name.as_bytes(), size).unwrap();
                        let (_, mut back) =
                            store.get_to_writer(&digest, writer, deposit).await.unwrap();
                        back.end().unwrap();
                        back
                    }
                };
            }
            writer.finish().unwrap()
        };
        futures::join!(producer, consumer).1
    });
    let deposit_s = started.elapsed().as_secs_f64();

    let tarball = work.join("tar.tar.zst");
    let started = Instant::now();
    let status = std::process::Command::new("tar")
        .arg("--zstd")
        .arg("-cf")
        .arg(&tarball)
        .arg("-C")
        .arg(&tree)
        .arg(".")
        .status()
        .expect("GNU tar runs");
    assert!(status.success());
    let tar_s = started.elapsed().as_secs_f64();
    let tar_size = std::fs::metadata(&tarball).unwrap().len();
    let mb = total as f64 / 1e6;
    println!(
        "escrow deposit: {} files, {:.0} MB in {:.2} s ({:.0} MB/s), deposit {:.0} MB",
        files.len(),
        mb,
        deposit_s,
        mb / deposit_s,
        written.size as f64 / 1e6
    );
    println!(
        "tar --zstd:     same files in {:.2} s ({:.0} MB/s), archive {:.0} MB",
        tar_s,
        mb / tar_s,
        tar_size as f64 / 1e6
    );
    println!(
        "ratio deposit / tar --zstd: {:.2} (target <= 2)",
        deposit_s / tar_s
    );
    let _ = std::fs::remove_dir_all(&work);
}
