//! The evidence store and staging area end to end, on a local directory and
//! in memory. No test needs the network.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;
use async_trait::async_trait;
use futures::stream::BoxStream;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use oversight_evidence::{
    BlobProblem, CommitSummary, Digest, EvidenceError, EvidenceStore, Staging, UploadOptions,
};

/// Deterministic bytes that do not compress or repeat in small blocks.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

/// Uploads split into 1 MiB parts above 1 MiB, so a 50 MiB blob takes the
/// multipart path with many parts.
fn small_parts() -> UploadOptions {
    UploadOptions {
        multipart_threshold: 1 << 20,
        part_size: 1 << 20,
        parts_in_flight: 3,
        concurrency: 4,
    }
}

fn local_store() -> Result<(tempfile::TempDir, EvidenceStore)> {
    let dir = tempfile::tempdir()?;
    let store = EvidenceStore::open(dir.path().join("evidence").to_str().expect("UTF-8 path"))?;
    Ok((dir, store))
}

#[tokio::test]
async fn bytes_round_trip_on_a_local_directory_and_in_memory() -> Result<()> {
    let (_dir, local) = local_store()?;
    for store in [local, EvidenceStore::open("memory://")?] {
        let stored = store.put_bytes(b"pentest report, v1").await?;
        assert_eq!(stored.digest, Digest::of(b"pentest report, v1"));
        assert_eq!(stored.size, 18);
        assert!(!stored.already_present);
        assert!(store.contains(&stored.digest).await?);
        assert!(!store.contains(&Digest::of(b"other")).await?);
        assert_eq!(&store.get(&stored.digest).await?[..], b"pentest report, v1");
        let empty = store.put_bytes(b"").await?;
        assert_eq!(&store.get(&empty.digest).await?[..], b"");
    }
    Ok(())
}

#[tokio::test]
async fn a_local_blob_lives_at_sha256_fan_out_path() -> Result<()> {
    let (dir, store) = local_store()?;
    let stored = store.put_bytes(b"certificate").await?;
    let hex = stored.digest.to_hex();
    let on_disk = dir
        .path()
        .join("evidence/sha256")
        .join(&hex[..2])
        .join(&hex[2..]);
    assert_eq!(std::fs::read(&on_disk)?, b"certificate");
    assert_eq!(
        store
            .local_path(&stored.digest)
            .map(std::fs::canonicalize)
            .transpose()?,
        Some(std::fs::canonicalize(&on_disk)?)
    );
    assert!(store.describe().starts_with("local directory "));
    Ok(())
}

#[tokio::test]
async fn the_same_bytes_twice_make_one_object_and_the_second_put_says_so() -> Result<()> {
    let (_dir, store) = local_store()?;
    let first = store.put_bytes(b"same content").await?;
    let second = store.put_bytes(b"same content").await?;
    assert!(!first.already_present);
    assert!(second.already_present);
    assert_eq!(first.digest, second.digest);
    let report = store.verify_all().await?;
    assert_eq!((report.blobs, report.bytes), (1, 12));
    assert!(report.problems.is_empty());

    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), b"same content")?;
    assert!(store.put_file(file.path()).await?.already_present);
    Ok(())
}

#[tokio::test]
async fn a_blob_overwritten_on_disk_is_reported_tampered_and_never_returned() -> Result<()> {
    let (dir, store) = local_store()?;
    let stored = store.put_bytes(b"original evidence").await?;
    let path = store.local_path(&stored.digest).expect("a local store");
    // Same size, so the change is only visible by hashing.
    std::fs::write(&path, b"modified evidence")?;

    match store.get(&stored.digest).await {
        Err(EvidenceError::Tampered { digest, actual, .. }) => {
            assert_eq!(digest, stored.digest);
            assert_eq!(actual, Digest::of(b"modified evidence"));
        }
        other => panic!("expected Tampered, got {other:?}"),
    }
    let message = store.get(&stored.digest).await.unwrap_err().to_string();
    assert!(message.contains(&stored.digest.to_hex()), "{message}");

    let destination = dir.path().join("restored");
    let error = store.get_to_file(&stored.digest, &destination).await;
    assert!(
        matches!(error, Err(EvidenceError::Tampered { .. })),
        "{error:?}"
    );
    assert!(
        !destination.exists(),
        "altered content never reaches the destination"
    );

    let problems = store.verify(&[stored.digest]).await?;
    assert_eq!(
        problems,
        vec![BlobProblem::Tampered {
            digest: stored.digest,
            actual: Digest::of(b"modified evidence"),
        }]
    );
    assert_eq!(store.verify_all().await?.problems, problems);
    Ok(())
}

#[tokio::test]
async fn verify_reports_missing_and_stray_blobs() -> Result<()> {
    let (dir, store) = local_store()?;
    let kept = store.put_bytes(b"kept").await?.digest;
    let missing = Digest::of(b"never stored");
    assert_eq!(
        store.verify(&[kept, missing]).await?,
        vec![BlobProblem::Missing { digest: missing }]
    );
    assert!(matches!(
        store.get(&missing).await,
        Err(EvidenceError::Missing { digest, .. }) if digest == missing
    ));
    std::fs::create_dir_all(dir.path().join("evidence/sha256/zz"))?;
    std::fs::write(dir.path().join("evidence/sha256/zz/not-a-digest"), b"?")?;
    let report = store.verify_all().await?;
    assert_eq!(report.blobs, 1);
    assert_eq!(
        report.problems,
        vec![BlobProblem::Stray {
            key: "sha256/zz/not-a-digest".to_owned()
        }]
    );
    Ok(())
}

#[tokio::test]
async fn get_to_file_streams_a_verified_blob() -> Result<()> {
    let (dir, store) = local_store()?;
    let bytes = content(3 << 20, 7);
    let digest = store.put_bytes(&bytes).await?.digest;
    let destination = dir.path().join("out/restored.bin");
    std::fs::create_dir_all(destination.parent().expect("has a parent"))?;
    assert_eq!(
        store.get_to_file(&digest, &destination).await?,
        bytes.len() as u64
    );
    assert_eq!(std::fs::read(&destination)?, bytes);

    let memory = EvidenceStore::in_memory();
    memory.put_bytes(&bytes).await?;
    let from_memory = dir.path().join("from-memory.bin");
    memory.get_to_file(&digest, &from_memory).await?;
    assert_eq!(std::fs::read(&from_memory)?, bytes);
    Ok(())
}

#[tokio::test]
async fn a_50_mib_file_is_uploaded_in_parts_and_reads_back_intact() -> Result<()> {
    let bytes = content(50 << 20, 50);
    let digest = Digest::of(&bytes);
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), &bytes)?;

    let counting = Arc::new(Counting::default());
    let store = EvidenceStore::from_object_store(counting.clone(), "counting memory")
        .with_upload_options(small_parts());
    let stored = store.put_file(file.path()).await?;
    assert_eq!((stored.digest, stored.size), (digest, bytes.len() as u64));
    assert_eq!(counting.multipart.load(Ordering::SeqCst), 1);
    assert_eq!(counting.parts.load(Ordering::SeqCst), 50);
    assert_eq!(counting.puts.load(Ordering::SeqCst), 0);
    assert!(store.get(&digest).await? == bytes);
    assert!(store.put_file(file.path()).await?.already_present);
    assert_eq!(
        counting.multipart.load(Ordering::SeqCst),
        1,
        "nothing sent again"
    );

    let (_dir, local) = local_store()?;
    let local = local.with_upload_options(small_parts());
    assert!(!local.put_file(file.path()).await?.already_present);
    let on_disk = local.local_path(&digest).expect("a local store");
    assert_eq!(std::fs::metadata(on_disk)?.len(), bytes.len() as u64);
    assert!(local.verify(&[digest]).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_50_mib_blob_is_staged_in_chunks_and_committed() -> Result<()> {
    let bytes = content(50 << 20, 51);
    let digest = Digest::of(&bytes);
    let staging = Staging::new()?;
    let mut writer = staging.writer();
    // The engine's windows are 8 MiB; odd sizes check the buffering.
    for chunk in bytes.chunks((8 << 20) - 4093) {
        writer.write_all(chunk)?;
    }
    assert_eq!(writer.finish()?, (digest, bytes.len() as u64));

    let counting = Arc::new(Counting::default());
    let remote = EvidenceStore::from_object_store(counting.clone(), "counting memory")
        .with_upload_options(small_parts());
    let summary = staging.commit(&remote).await?;
    assert_eq!(summary.uploaded_bytes, bytes.len() as u64);
    assert_eq!(counting.multipart.load(Ordering::SeqCst), 1);
    assert!(remote.get(&digest).await? == bytes);

    let (_dir, local) = local_store()?;
    let summary = staging.commit(&local).await?;
    assert_eq!((summary.uploaded, summary.already_present), (1, 0));
    assert!(local.get(&digest).await? == bytes);
    Ok(())
}

#[tokio::test]
async fn staging_beside_a_local_store_links_instead_of_copying() -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;

    let (dir, store) = local_store()?;
    let staging = Staging::new_in(dir.path())?;
    let large = content(600 << 10, 3);
    let mut writer = staging.writer();
    writer.write_all(&large)?;
    let (digest, _) = writer.finish()?;
    let mut writer = staging.writer();
    writer.write_all(b"linked, not copied")?;
    let (small, _) = writer.finish()?;
    staging.commit(&store).await?;
    let staged = std::fs::metadata(staging.blob_path(&digest).expect("staged"))?;
    let stored = std::fs::metadata(store.local_path(&digest).expect("a local store"))?;
    assert_eq!(staged.ino(), stored.ino());
    // The small blob went into a pack, linked as well.
    let pack = single_pack(dir.path().join("evidence"))?;
    let staged_pack = std::fs::metadata(staging.path().join("packs/0.pack"))?;
    assert_eq!(std::fs::metadata(pack)?.ino(), staged_pack.ino());
    drop(staging);
    assert!(store.get(&digest).await? == large);
    assert_eq!(&store.get(&small).await?[..], b"linked, not copied");
    Ok(())
}

/// The one pack of the local store at `root`.
fn single_pack(root: std::path::PathBuf) -> Result<std::path::PathBuf> {
    let packs: Vec<_> = std::fs::read_dir(root.join("packs"))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    let pack: Vec<_> = packs
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "pack"))
        .collect();
    assert_eq!((packs.len(), pack.len()), (2, 1), "{packs:?}");
    Ok(pack[0].clone())
}

#[tokio::test]
async fn a_truncated_blob_is_replaced_when_the_same_content_is_stored_again() -> Result<()> {
    let (dir, store) = local_store()?;
    let stored = store.put_bytes(b"complete evidence").await?;
    let path = store.local_path(&stored.digest).expect("a local store");
    std::fs::write(&path, b"complete")?;
    assert!(!store.put_bytes(b"complete evidence").await?.already_present);
    assert!(store.verify(&[stored.digest]).await?.is_empty());

    // Altered again, then staged: the good copy goes into a pack, which
    // readers find first; the altered loose copy stays visible to audits.
    std::fs::write(&path, b"complete")?;
    let staging = Staging::new_in(dir.path())?;
    let mut writer = staging.writer();
    writer.write_all(b"complete evidence")?;
    writer.finish()?;
    assert_eq!(staging.commit(&store).await?.uploaded, 1);
    assert_eq!(&store.get(&stored.digest).await?[..], b"complete evidence");
    assert!(store.verify(&[stored.digest]).await?.is_empty());
    let report = store.verify_all().await?;
    assert_eq!(
        report.problems,
        vec![BlobProblem::Tampered {
            digest: stored.digest,
            actual: Digest::of(b"complete"),
        }]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_threads_stage_blobs_at_once_and_one_commit_stores_each_once() -> Result<()> {
    let staging = Staging::new()?;
    let threads = 8;
    let per_thread = 40;
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let staging = &staging;
            scope.spawn(move || {
                for i in 0..per_thread {
                    // Half the blobs are shared by every thread.
                    let seed = if i % 2 == 0 { i } else { thread * 1000 + i };
                    let bytes = content(1000 + seed as usize * 37, seed);
                    let mut writer = staging.writer();
                    for chunk in bytes.chunks(333) {
                        writer.write_all(chunk).expect("staging write");
                    }
                    let (digest, size) = writer.finish().expect("finish");
                    assert_eq!((digest, size), (Digest::of(&bytes), bytes.len() as u64));
                }
            });
        }
    });
    let shared = per_thread / 2;
    let distinct = shared + threads * (per_thread - shared);
    assert_eq!(staging.blobs().len() as u64, distinct);

    let (_dir, store) = local_store()?;
    store.put_bytes(&content(1000, 0)).await?;
    let summary = staging.commit(&store).await?;
    assert_eq!(summary.uploaded + summary.already_present, distinct);
    assert_eq!(summary.already_present, 1);
    let total: u64 = staging.blobs().iter().map(|(_, size)| size).sum();
    assert_eq!(
        summary.uploaded_bytes + summary.already_present_bytes,
        total
    );

    let again = staging.commit(&store).await?;
    assert_eq!(
        again,
        CommitSummary {
            uploaded: 0,
            uploaded_bytes: 0,
            already_present: distinct,
            already_present_bytes: total,
        }
    );
    let report = store.verify_all().await?;
    assert_eq!((report.blobs, report.bytes), (distinct, total));
    assert!(report.problems.is_empty());
    Ok(())
}

/// Files in the writers' temporary folder of a staging area.
fn partial_files(staging: &Staging) -> usize {
    std::fs::read_dir(staging.path().join("partial"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn staging_for_a_local_store_renames_blobs_straight_into_it() -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;

    let (dir, store) = local_store()?;
    let small = b"fn main() {}\n".to_vec();
    let large = content(600 << 10, 7);
    let staging = Staging::for_store(&store).await?;
    let mut writers = Vec::new();
    for bytes in [&small, &large] {
        let mut writer = staging.writer();
        for chunk in bytes.chunks(100_000) {
            writer.write_all(chunk)?;
        }
        writers.push(writer);
    }
    // The small file is still in memory; the large one spilled to a file.
    assert_eq!(partial_files(&staging), 1);
    let digests: Vec<Digest> = writers
        .into_iter()
        .map(|w| w.finish().map(|(digest, _)| digest))
        .collect::<std::io::Result<_>>()?;
    let stored = store.local_path(&digests[1]).expect("a local store");
    assert_eq!(
        std::fs::read(&stored)?,
        large,
        "in the store before any commit"
    );
    assert_eq!(staging.blob_path(&digests[1]), Some(stored));
    // The small one is packed, readable, and in the store only once committed.
    assert_eq!(staging.blob_path(&digests[0]), None);
    assert_eq!(staging.read(&digests[0])?, Some(small.clone()));
    assert!(!store.local_path(&digests[0]).expect("local").exists());
    assert_eq!(partial_files(&staging), 0);
    let summary = staging.commit(&store).await?;
    assert_eq!((summary.uploaded, summary.already_present), (2, 0));
    assert_eq!(summary.uploaded_bytes, (small.len() + large.len()) as u64);
    assert_eq!(&store.get(&digests[0]).await?[..], &small[..]);
    let pack = single_pack(dir.path().join("evidence"))?;

    // A resubmission writes nothing: the blobs are found in the store, the
    // small one in its pack, even by a store opened anew (another process).
    let inode = std::fs::metadata(store.local_path(&digests[1]).expect("local"))?.ino();
    let reopened = EvidenceStore::open(dir.path().join("evidence").to_str().expect("UTF-8"))?;
    let again = Staging::for_store(&reopened).await?;
    for bytes in [&small, &large] {
        let mut writer = again.prehashed_writer();
        writer.write_all(bytes)?;
        writer.finish_as(Digest::of(bytes))?;
    }
    assert_eq!(again.read(&digests[0])?, Some(small.clone()));
    let summary = again.commit(&reopened).await?;
    assert_eq!((summary.uploaded, summary.already_present), (0, 2));
    assert_eq!(
        std::fs::metadata(store.local_path(&digests[1]).expect("local"))?.ino(),
        inode
    );
    assert_eq!(single_pack(dir.path().join("evidence"))?, pack);
    let staging_dir = again.path().to_owned();
    drop((staging, again));
    assert!(!staging_dir.exists(), "only the temporary folder goes");
    let report = store.verify_all().await?;
    assert_eq!(report.blobs, 2);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    Ok(())
}

/// Every file under `root`, relative, sorted.
fn files_under(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("readable").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("under root");
                found.push(relative.display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_of_many_small_files_creates_one_pack_and_its_index() -> Result<()> {
    let (dir, store) = local_store()?;
    let staging = Staging::for_store(&store).await?;
    let blobs: Vec<Vec<u8>> = (0..600u64)
        .map(|i| content(10 + (i as usize * 131) % 9000, i))
        .collect();
    std::thread::scope(|scope| {
        for half in blobs.chunks(300) {
            let staging = &staging;
            scope.spawn(move || {
                for bytes in half {
                    let mut writer = staging.writer();
                    writer.write_all(bytes).expect("staging write");
                    writer.finish().expect("finish");
                }
            });
        }
    });
    let summary = staging.commit(&store).await?;
    assert_eq!(summary.uploaded, 600);
    let root = dir.path().join("evidence");
    let files = files_under(&root);
    assert!(
        files.iter().all(|f| f.starts_with("packs/")
            || f.starts_with(".oversight-staging-")
            || f == ".oversight-packs.lock"),
        "{files:?}"
    );
    assert_eq!(files.iter().filter(|f| f.starts_with("packs/")).count(), 2);
    for bytes in &blobs {
        assert!(store.get(&Digest::of(bytes)).await? == *bytes);
    }
    let report = store.verify_all().await?;
    assert_eq!(report.blobs, 600);
    assert_eq!(
        report.bytes,
        blobs.iter().map(|b| b.len() as u64).sum::<u64>()
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    Ok(())
}

/// A local store holding three packed blobs; returns the store's root,
/// the pack and index files, and the blobs.
async fn packed_store(
    dir: &tempfile::TempDir,
) -> Result<(
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
    Vec<Vec<u8>>,
)> {
    let root = dir.path().join("evidence");
    let store = EvidenceStore::open(root.to_str().expect("UTF-8"))?;
    let staging = Staging::for_store(&store).await?;
    let blobs = vec![b"alpha".to_vec(), b"beta beta".to_vec(), b"gamma".to_vec()];
    for bytes in &blobs {
        let mut writer = staging.writer();
        writer.write_all(bytes)?;
        writer.finish()?;
    }
    staging.commit(&store).await?;
    let pack = single_pack(root.clone())?;
    let index = pack.with_extension("idx");
    Ok((root, pack, index, blobs))
}

#[tokio::test]
async fn an_altered_pack_is_found_blob_by_blob() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (root, pack, _, blobs) = packed_store(&dir).await?;
    // "beta beta" starts at 5: change its first byte.
    let mut bytes = std::fs::read(&pack)?;
    bytes[5] = b'B';
    std::fs::write(&pack, &bytes)?;
    let store = EvidenceStore::open(root.to_str().expect("UTF-8"))?;
    let altered = Digest::of(&blobs[1]);
    let error = store.get(&altered).await.unwrap_err();
    assert!(matches!(error, EvidenceError::Tampered { .. }), "{error}");
    assert!(store.get(&Digest::of(&blobs[0])).await? == blobs[0]);
    let report = store.verify_all().await?;
    assert_eq!(report.blobs, 3);
    assert_eq!(
        report.problems,
        vec![BlobProblem::Tampered {
            digest: altered,
            actual: Digest::of(b"Beta beta"),
        }]
    );
    assert_eq!(store.verify(&[altered]).await?, report.problems);
    Ok(())
}

#[tokio::test]
async fn a_forged_missing_or_orphan_pack_is_reported_by_verify_all() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (root, pack, index, blobs) = packed_store(&dir).await?;
    let key = |path: &std::path::Path| {
        format!(
            "packs/{}",
            path.file_name().expect("a file").to_string_lossy()
        )
    };
    let location = root.to_str().expect("UTF-8").to_owned();

    // An index edited to point elsewhere no longer hashes to its name: it is
    // not trusted, and its blobs are not found.
    let original = std::fs::read(&index)?;
    let mut forged = original.clone();
    *forged.last_mut().expect("entries") ^= 1;
    std::fs::write(&index, &forged)?;
    let store = EvidenceStore::open(&location)?;
    let error = store.get(&Digest::of(&blobs[0])).await.unwrap_err();
    assert!(matches!(error, EvidenceError::Missing { .. }), "{error}");
    let problems = store.verify_all().await?.problems;
    assert!(
        matches!(&problems[..], [BlobProblem::Pack { key: k, reason }]
            if *k == key(&index) && reason.contains("altered")),
        "{problems:?}"
    );

    // A truncated pack.
    std::fs::write(&index, &original)?;
    let bytes = std::fs::read(&pack)?;
    std::fs::write(&pack, &bytes[..bytes.len() - 1])?;
    let report = EvidenceStore::open(&location)?.verify_all().await?;
    assert_eq!(report.blobs, 2, "the blobs still whole are read");
    assert!(
        matches!(&report.problems[..], [BlobProblem::Pack { key: k, reason }]
            if *k == key(&pack) && reason.contains("holds 18 bytes where its index describes 19")),
        "{:?}",
        report.problems
    );

    // A pack without its index (a review stopped before it), and an index
    // without its pack.
    std::fs::remove_file(&index)?;
    let problems = EvidenceStore::open(&location)?.verify_all().await?.problems;
    assert!(
        matches!(&problems[..], [BlobProblem::Pack { key: k, reason }]
            if *k == key(&pack) && reason.contains("has no index")),
        "{problems:?}"
    );
    std::fs::write(&index, &original)?;
    std::fs::remove_file(&pack)?;
    let store = EvidenceStore::open(&location)?;
    let problems = store.verify_all().await?.problems;
    assert!(
        matches!(&problems[..], [BlobProblem::Pack { key: k, reason }]
            if *k == key(&pack) && reason.contains("is missing, with the 3 blobs")),
        "{problems:?}"
    );
    let error = store.get(&Digest::of(&blobs[2])).await.unwrap_err();
    assert!(matches!(error, EvidenceError::Missing { .. }), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_pack_written_by_another_process_is_found_on_a_miss() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("evidence");
    let reader = EvidenceStore::open(root.to_str().expect("UTF-8"))?;
    assert!(
        !reader.contains(&Digest::of(b"later")).await?,
        "packs read: none"
    );
    let (_, _, _, blobs) = packed_store(&dir).await?;
    assert!(reader.get(&Digest::of(&blobs[1])).await? == blobs[1]);
    Ok(())
}

#[tokio::test]
async fn staging_for_a_remote_store_uploads_one_pack_of_what_the_store_lacks() -> Result<()> {
    let counting = Arc::new(Counting::default());
    let remote = EvidenceStore::from_object_store(counting.clone(), "counting memory");
    let first: Vec<Vec<u8>> = (0..50u64).map(|i| content(100 + i as usize, i)).collect();
    let staging = Staging::for_store(&remote).await?;
    for bytes in &first {
        let mut writer = staging.writer();
        writer.write_all(bytes)?;
        writer.finish()?;
    }
    let summary = staging.commit(&remote).await?;
    assert_eq!((summary.uploaded, summary.already_present), (50, 0));
    assert_eq!(
        counting.puts.load(Ordering::SeqCst),
        2,
        "a pack and its index"
    );

    // Half known, half new: only the new half is packed and sent.
    let second: Vec<Vec<u8>> = (25..75u64).map(|i| content(100 + i as usize, i)).collect();
    let staging = Staging::for_store(&remote).await?;
    for bytes in &second {
        let mut writer = staging.writer();
        writer.write_all(bytes)?;
        writer.finish()?;
    }
    let summary = staging.commit(&remote).await?;
    assert_eq!((summary.uploaded, summary.already_present), (25, 25));
    assert_eq!(counting.puts.load(Ordering::SeqCst), 4);
    let report = remote.verify_all().await?;
    assert_eq!(report.blobs, 75);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    for bytes in first.iter().chain(&second) {
        assert!(remote.get(&Digest::of(bytes)).await? == *bytes);
    }
    Ok(())
}

#[tokio::test]
async fn staging_for_a_local_store_replaces_an_altered_blob() -> Result<()> {
    let (_dir, store) = local_store()?;
    let stored = store.put_bytes(b"complete evidence").await?;
    let path = store.local_path(&stored.digest).expect("a local store");
    std::fs::write(&path, b"complete")?;
    let staging = Staging::for_store(&store).await?;
    let mut writer = staging.writer();
    writer.write_all(b"complete evidence")?;
    writer.finish()?;
    assert_eq!(staging.commit(&store).await?.uploaded, 1);
    assert_eq!(&store.get(&stored.digest).await?[..], b"complete evidence");
    Ok(())
}

#[tokio::test]
async fn staging_for_a_remote_store_keeps_blobs_until_commit() -> Result<()> {
    let store = EvidenceStore::open("memory://")?;
    let staging = Staging::for_store(&store).await?;
    let mut writer = staging.prehashed_writer();
    writer.write_all(b"remote evidence")?;
    let (digest, _) = writer.finish_as(Digest::of(b"remote evidence"))?;
    assert!(!store.contains(&digest).await?);
    assert_eq!(staging.commit(&store).await?.uploaded, 1);
    assert_eq!(&store.get(&digest).await?[..], b"remote evidence");
    Ok(())
}

#[test]
fn a_prehashed_writer_needs_the_digest_and_a_hashing_writer_checks_it() -> Result<()> {
    let staging = Staging::new()?;
    let mut prehashed = staging.prehashed_writer();
    prehashed.write_all(b"bytes")?;
    assert!(prehashed.finish().is_err());
    let mut hashing = staging.writer();
    hashing.write_all(b"bytes")?;
    let error = hashing.finish_as(Digest::of(b"other")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&Digest::of(b"bytes").to_string()),
        "{error}"
    );
    assert!(staging.blobs().is_empty());
    assert_eq!(partial_files(&staging), 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_threads_stage_into_a_local_store_at_once() -> Result<()> {
    let (_dir, store) = local_store()?;
    let staging = Staging::for_store(&store).await?;
    std::thread::scope(|scope| {
        for thread in 0..6u64 {
            let staging = &staging;
            scope.spawn(move || {
                for i in 0..30u64 {
                    let seed = if i % 2 == 0 { i } else { thread * 1000 + i };
                    let bytes = content(500 + seed as usize * 97, seed);
                    let mut writer = staging.prehashed_writer();
                    writer.write_all(&bytes).expect("staging write");
                    writer.finish_as(Digest::of(&bytes)).expect("finish");
                }
            });
        }
    });
    let distinct = 15 + 6 * 15;
    assert_eq!(staging.blobs().len(), distinct);
    let summary = staging.commit(&store).await?;
    assert_eq!(summary.uploaded, distinct as u64);
    let report = store.verify_all().await?;
    assert_eq!(report.blobs, distinct as u64);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    Ok(())
}

#[test]
fn open_rejects_unknown_schemes_naming_the_location_without_credentials() {
    for (location, shown) in [
        ("gs://bucket/evidence", "gs://bucket/evidence"),
        (
            "https://user:not-a-real-secret@storage.example/x?sig=abc",
            "https://storage.example/x",
        ),
        ("ftp://host/dir", "ftp://host/dir"),
    ] {
        let error = EvidenceStore::open(location).unwrap_err();
        assert!(
            matches!(&error, EvidenceError::UnsupportedScheme { location, .. } if location == shown),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(shown), "{message}");
        assert!(!message.contains("not-a-real-secret"), "{message}");
        assert!(!message.contains("sig=abc"), "{message}");
    }
    assert!(matches!(
        EvidenceStore::open(""),
        Err(EvidenceError::InvalidLocation { .. })
    ));
    assert!(matches!(
        EvidenceStore::open("s3:///no-bucket"),
        Err(EvidenceError::InvalidLocation { .. })
    ));
}

#[test]
fn an_s3_url_opens_without_contacting_a_server() {
    let store = EvidenceStore::open("s3://evidence-bucket/oversight/prod").unwrap();
    assert!(
        store
            .describe()
            .starts_with("s3://evidence-bucket/oversight/prod"),
        "{}",
        store.describe()
    );
    let error = EvidenceStore::open("s3://AKIAEXAMPLE:not-a-real-secret@bucket/p").unwrap_err();
    assert!(!error.to_string().contains("not-a-real-secret"));
}

#[test]
fn a_file_url_opens_and_creates_the_directory() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("a/b/evidence");
    let url = url::Url::from_file_path(&target).expect("absolute path");
    let store = EvidenceStore::open(url.as_str())?;
    assert!(target.is_dir());
    assert!(store.describe().ends_with("evidence"));
    Ok(())
}

/// An in-memory store that counts the requests that write.
#[derive(Debug, Default)]
struct Counting {
    inner: InMemory,
    puts: AtomicUsize,
    multipart: AtomicUsize,
    parts: Arc<AtomicUsize>,
}

impl std::fmt::Display for Counting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Counting({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for Counting {
    async fn put_opts(
        &self,
        location: &ObjectPath,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.puts.fetch_add(1, Ordering::SeqCst);
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &ObjectPath,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.multipart.fetch_add(1, Ordering::SeqCst);
        let upload = self.inner.put_multipart_opts(location, opts).await?;
        Ok(Box::new(CountingUpload {
            upload,
            parts: Arc::clone(&self.parts),
        }))
    }

    async fn get_opts(
        &self,
        location: &ObjectPath,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<ObjectPath>>,
    ) -> BoxStream<'static, object_store::Result<ObjectPath>> {
        self.inner.delete_stream(locations)
    }

    fn list(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

#[derive(Debug)]
struct CountingUpload {
    upload: Box<dyn MultipartUpload>,
    parts: Arc<AtomicUsize>,
}

#[async_trait]
impl MultipartUpload for CountingUpload {
    fn put_part(&mut self, data: PutPayload) -> object_store::UploadPart {
        self.parts.fetch_add(1, Ordering::SeqCst);
        self.upload.put_part(data)
    }

    async fn complete(&mut self) -> object_store::Result<PutResult> {
        self.upload.complete().await
    }

    async fn abort(&mut self) -> object_store::Result<()> {
        self.upload.abort().await
    }
}
