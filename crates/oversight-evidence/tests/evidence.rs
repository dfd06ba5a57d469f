//! The evidence store and staging area end to end, on a local directory,
//! on S3-compatible storage and in memory. The S3 server is s3s-fs on
//! loopback, which `scripts/test` starts (`$OVERSIGHT_TEST_S3`); a test that
//! runs on S3 fails, naming what to start, when it is not there. Tests that
//! alter objects do it on the server's disk, behind the client's back.

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
use oversight_test_support::s3::TempBucket;

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

/// Uploads in parts above 5 MiB, in 5 MiB parts: the smallest S3 accepts
/// (s3s-fs refuses a smaller part that is not the last, as S3 does).
fn s3_parts() -> UploadOptions {
    UploadOptions {
        multipart_threshold: 5 << 20,
        part_size: 5 << 20,
        parts_in_flight: 2,
        concurrency: 4,
    }
}

/// Where a store under test keeps its objects.
enum Place {
    Local(tempfile::TempDir),
    S3(TempBucket),
}

/// A store under test, on a local directory or in a bucket of the S3 test
/// server (under a prefix, as a deployment would use), with the directory
/// its objects are files in.
struct Backend {
    store: EvidenceStore,
    place: Place,
}

impl Backend {
    fn local() -> Result<Backend> {
        let (dir, store) = local_store()?;
        Ok(Backend {
            store,
            place: Place::Local(dir),
        })
    }

    fn s3() -> Result<Backend> {
        let bucket = TempBucket::new("evidence");
        let store = open_s3(&bucket.url("/team/evidence"))?;
        Ok(Backend {
            store,
            place: Place::S3(bucket),
        })
    }

    /// A local store and an S3 one.
    fn both() -> Result<[Backend; 2]> {
        Ok([Backend::local()?, Backend::s3()?])
    }

    fn location(&self) -> String {
        match &self.place {
            Place::Local(dir) => dir.path().join("evidence").display().to_string(),
            Place::S3(bucket) => bucket.url("/team/evidence"),
        }
    }

    /// The same store, opened anew (another process).
    fn reopen(&self) -> Result<EvidenceStore> {
        match &self.place {
            Place::Local(_) => Ok(EvidenceStore::open(&self.location())?),
            Place::S3(_) => open_s3(&self.location()),
        }
    }

    /// The directory holding the store's objects as files.
    fn root(&self) -> std::path::PathBuf {
        match &self.place {
            Place::Local(dir) => dir.path().join("evidence"),
            Place::S3(bucket) => bucket.dir().join("team/evidence"),
        }
    }

    /// The file holding object `key` (`sha256/…`, `packs/…`).
    fn file(&self, key: &str) -> std::path::PathBuf {
        self.root().join(key)
    }

    /// The file holding the loose blob `digest`.
    fn blob_file(&self, digest: &Digest) -> std::path::PathBuf {
        let hex = digest.to_hex();
        self.file(&format!("sha256/{}/{}", &hex[..2], &hex[2..]))
    }

    /// Every object's key under `packs/`, sorted.
    fn pack_keys(&self) -> Vec<String> {
        let packs = self.root().join("packs");
        if !packs.is_dir() {
            return Vec::new();
        }
        files_under(&packs)
            .into_iter()
            .map(|f| format!("packs/{f}"))
            .collect()
    }

    /// The one pack of the store (and no other pack or index but its own).
    fn single_pack(&self) -> Result<std::path::PathBuf> {
        single_pack(self.root())
    }

    fn name(&self) -> &'static str {
        match self.place {
            Place::Local(_) => "local",
            Place::S3(_) => "S3",
        }
    }
}

fn open_s3(location: &str) -> Result<EvidenceStore> {
    let settings = oversight_test_support::s3::settings();
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(EvidenceStore::open_with(location, &settings)?)
}

#[tokio::test]
async fn bytes_round_trip_on_a_local_directory_s3_and_in_memory() -> Result<()> {
    let [local, s3] = Backend::both()?;
    for store in [local.store, s3.store, EvidenceStore::open("memory://")?] {
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
    for backend in Backend::both()? {
        let store = &backend.store;
        let first = store.put_bytes(b"same content").await?;
        let second = store.put_bytes(b"same content").await?;
        assert!(!first.already_present);
        assert!(second.already_present, "{}", backend.name());
        assert_eq!(first.digest, second.digest);
        let report = store.verify_all().await?;
        assert_eq!((report.blobs, report.bytes), (1, 12));
        assert!(report.problems.is_empty());
        assert_eq!(
            std::fs::read(backend.blob_file(&first.digest))?,
            b"same content"
        );

        let file = tempfile::NamedTempFile::new()?;
        std::fs::write(file.path(), b"same content")?;
        assert!(store.put_file(file.path()).await?.already_present);
    }
    Ok(())
}

#[tokio::test]
async fn a_blob_overwritten_on_disk_is_reported_tampered_and_never_returned() -> Result<()> {
    for backend in Backend::both()? {
        blob_overwritten_on_disk(&backend).await?;
    }
    Ok(())
}

async fn blob_overwritten_on_disk(backend: &Backend) -> Result<()> {
    let store = &backend.store;
    let dir = tempfile::tempdir()?;
    let stored = store.put_bytes(b"original evidence").await?;
    let path = backend.blob_file(&stored.digest);
    // Same size, so the change is only visible by hashing.
    std::fs::write(&path, b"modified evidence")?;

    match store.get(&stored.digest).await {
        Err(EvidenceError::Tampered { digest, actual, .. }) => {
            assert_eq!(digest, stored.digest);
            assert_eq!(actual, Digest::of(b"modified evidence"));
        }
        other => panic!("{}: expected Tampered, got {other:?}", backend.name()),
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
    for backend in Backend::both()? {
        missing_and_stray(&backend).await?;
    }
    Ok(())
}

async fn missing_and_stray(backend: &Backend) -> Result<()> {
    let store = &backend.store;
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
    std::fs::create_dir_all(backend.file("sha256/zz"))?;
    std::fs::write(backend.file("sha256/zz/not-a-digest"), b"?")?;
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
    let dir = tempfile::tempdir()?;
    let bytes = content(3 << 20, 7);
    for backend in Backend::both()? {
        let store = &backend.store;
        let digest = store.put_bytes(&bytes).await?.digest;
        let destination = dir
            .path()
            .join("out")
            .join(backend.name())
            .join("restored.bin");
        std::fs::create_dir_all(destination.parent().expect("has a parent"))?;
        assert_eq!(
            store.get_to_file(&digest, &destination).await?,
            bytes.len() as u64
        );
        assert_eq!(std::fs::read(&destination)?, bytes);
    }
    let digest = Digest::of(&bytes);

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

    // On S3, in parts of 5 MiB (the smallest S3 takes): the server says
    // the object was assembled from 10 parts.
    let s3 = Backend::s3()?;
    let store = s3.reopen()?.with_upload_options(s3_parts());
    assert!(!store.put_file(file.path()).await?.already_present);
    assert!(store.put_file(file.path()).await?.already_present);
    assert_eq!(
        std::fs::metadata(s3.blob_file(&digest))?.len(),
        bytes.len() as u64
    );
    let e_tag = s3_head(&s3, &format!("team/evidence/{}", digest.store_key()))
        .await?
        .e_tag
        .unwrap_or_default();
    assert!(e_tag.trim_matches('"').ends_with("-10"), "ETag {e_tag}");
    assert!(store.get(&digest).await? == bytes);
    assert!(store.verify(&[digest]).await?.is_empty());
    let restored = tempfile::NamedTempFile::new()?;
    store.get_to_file(&digest, restored.path()).await?;
    assert!(std::fs::read(restored.path())? == bytes);
    Ok(())
}

/// What the S3 test server says of object `key` of the backend's bucket,
/// asked directly (not through the evidence store).
async fn s3_head(backend: &Backend, key: &str) -> Result<ObjectMeta> {
    use object_store::ObjectStoreExt as _;
    let Place::S3(bucket) = &backend.place else {
        anyhow::bail!("not an S3 backend");
    };
    let mut builder = object_store::aws::AmazonS3Builder::new().with_bucket_name(bucket.name());
    for (key, value) in oversight_test_support::s3::settings() {
        builder = builder.with_config(key.parse()?, value);
    }
    Ok(builder.build()?.head(&ObjectPath::from(key)).await?)
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

    let s3 = Backend::s3()?;
    let store = s3.reopen()?.with_upload_options(s3_parts());
    let summary = staging.commit(&store).await?;
    assert_eq!((summary.uploaded, summary.already_present), (1, 0));
    assert!(store.get(&digest).await? == bytes);
    let again = staging.commit(&store).await?;
    assert_eq!((again.uploaded, again.already_present), (0, 1));
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
    for backend in Backend::both()? {
        truncated_blob_replaced(&backend).await?;
    }
    Ok(())
}

async fn truncated_blob_replaced(backend: &Backend) -> Result<()> {
    let store = &backend.store;
    let dir = tempfile::tempdir()?;
    let stored = store.put_bytes(b"complete evidence").await?;
    let path = backend.blob_file(&stored.digest);
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
    assert_eq!(staging.commit(store).await?.uploaded, 1);
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
    for backend in Backend::both()? {
        many_threads_stage(&backend).await?;
    }
    Ok(())
}

/// A staging area commits to one store: one per backend.
async fn many_threads_stage(backend: &Backend) -> Result<()> {
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

    let store = &backend.store;
    store.put_bytes(&content(1000, 0)).await?;
    let summary = staging.commit(store).await?;
    assert_eq!(summary.uploaded + summary.already_present, distinct);
    assert_eq!(summary.already_present, 1);
    let total: u64 = staging.blobs().iter().map(|(_, size)| size).sum();
    assert_eq!(
        summary.uploaded_bytes + summary.already_present_bytes,
        total
    );

    let again = staging.commit(store).await?;
    assert_eq!(
        again,
        CommitSummary {
            uploaded: 0,
            uploaded_bytes: 0,
            already_present: distinct,
            already_present_bytes: total,
        },
        "{}",
        backend.name()
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

/// Three blobs packed into the backend's store by a review; returns the
/// pack and index files, and the blobs.
async fn packed_store(
    backend: &Backend,
) -> Result<(std::path::PathBuf, std::path::PathBuf, Vec<Vec<u8>>)> {
    let store = backend.reopen()?;
    let staging = Staging::for_store(&store).await?;
    let blobs = vec![b"alpha".to_vec(), b"beta beta".to_vec(), b"gamma".to_vec()];
    for bytes in &blobs {
        let mut writer = staging.writer();
        writer.write_all(bytes)?;
        writer.finish()?;
    }
    staging.commit(&store).await?;
    let pack = backend.single_pack()?;
    let index = pack.with_extension("idx");
    Ok((pack, index, blobs))
}

#[tokio::test]
async fn an_altered_pack_is_found_blob_by_blob() -> Result<()> {
    for backend in Backend::both()? {
        altered_pack(&backend).await?;
    }
    Ok(())
}

async fn altered_pack(backend: &Backend) -> Result<()> {
    let (pack, _, blobs) = packed_store(backend).await?;
    // "beta beta" starts at 5: change its first byte.
    let mut bytes = std::fs::read(&pack)?;
    bytes[5] = b'B';
    std::fs::write(&pack, &bytes)?;
    let store = backend.reopen()?;
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
    for backend in Backend::both()? {
        forged_missing_or_orphan_pack(&backend).await?;
    }
    Ok(())
}

async fn forged_missing_or_orphan_pack(backend: &Backend) -> Result<()> {
    let (pack, index, blobs) = packed_store(backend).await?;
    let key = |path: &std::path::Path| {
        format!(
            "packs/{}",
            path.file_name().expect("a file").to_string_lossy()
        )
    };
    // An index edited to point elsewhere no longer hashes to its name: it is
    // not trusted, and its blobs are not found.
    let original = std::fs::read(&index)?;
    let mut forged = original.clone();
    *forged.last_mut().expect("entries") ^= 1;
    std::fs::write(&index, &forged)?;
    let store = backend.reopen()?;
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
    let report = backend.reopen()?.verify_all().await?;
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
    let problems = backend.reopen()?.verify_all().await?.problems;
    assert!(
        matches!(&problems[..], [BlobProblem::Pack { key: k, reason }]
            if *k == key(&pack) && reason.contains("has no index")),
        "{problems:?}"
    );
    std::fs::write(&index, &original)?;
    std::fs::remove_file(&pack)?;
    let store = backend.reopen()?;
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
    for backend in Backend::both()? {
        let reader = &backend.store;
        assert!(
            !reader.contains(&Digest::of(b"later")).await?,
            "packs read: none"
        );
        let (_, _, blobs) = packed_store(&backend).await?;
        assert!(reader.get(&Digest::of(&blobs[1])).await? == blobs[1]);
    }
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

    // The same on S3: two packs and their indexes, nothing loose.
    let s3 = Backend::s3()?;
    for blobs in [&first, &second] {
        let staging = Staging::for_store(&s3.store).await?;
        for bytes in blobs {
            let mut writer = staging.writer();
            writer.write_all(bytes)?;
            writer.finish()?;
        }
        staging.commit(&s3.store).await?;
    }
    assert_eq!(s3.pack_keys().len(), 4, "{:?}", s3.pack_keys());
    assert!(!s3.root().join("sha256").exists());
    let report = s3.reopen()?.verify_all().await?;
    assert_eq!(report.blobs, 75);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let reader = s3.reopen()?;
    for bytes in first.iter().chain(&second) {
        assert!(reader.get(&Digest::of(bytes)).await? == *bytes);
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
    let s3 = Backend::s3()?;
    for store in [EvidenceStore::open("memory://")?, s3.reopen()?] {
        let staging = Staging::for_store(&store).await?;
        let mut writer = staging.prehashed_writer();
        writer.write_all(b"remote evidence")?;
        let (digest, _) = writer.finish_as(Digest::of(b"remote evidence"))?;
        assert!(!store.contains(&digest).await?);
        assert_eq!(staging.commit(&store).await?.uploaded, 1);
        assert_eq!(&store.get(&digest).await?[..], b"remote evidence");
    }
    assert_eq!(s3.pack_keys().len(), 2, "{:?}", s3.pack_keys());
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

/// Sets the modification time of the file at `path` to `ago` before now:
/// the age the store sees (s3s-fs gives a file's as `LastModified`).
fn make_old(path: &std::path::Path, ago: std::time::Duration) -> Result<()> {
    let file = std::fs::File::options().write(true).open(path)?;
    file.set_modified(std::time::SystemTime::now() - ago)?;
    Ok(())
}

/// Stages `blobs` for `store` and commits them: one pack. Returns its
/// pack and index keys.
async fn commit_pack(backend: &Backend, blobs: &[Vec<u8>]) -> Result<Vec<String>> {
    let before = backend.pack_keys();
    let staging = Staging::for_store(&backend.store).await?;
    for bytes in blobs {
        let mut writer = staging.writer();
        writer.write_all(bytes)?;
        writer.finish()?;
    }
    staging.commit(&backend.store).await?;
    let new: Vec<String> = backend
        .pack_keys()
        .into_iter()
        .filter(|key| !before.contains(key))
        .collect();
    assert_eq!(new.len(), 2, "{new:?}");
    Ok(new)
}

#[tokio::test]
async fn garbage_collection_removes_old_unreferenced_blobs_and_packs_only() -> Result<()> {
    use std::collections::{BTreeSet, HashSet};
    use std::time::Duration;

    use oversight_evidence::GcOptions;

    let day = Duration::from_secs(24 * 3600);
    for backend in Backend::both()? {
        let name = backend.name();
        let store = &backend.store;
        let blob = |seed: u64| content(2000 + seed as usize, seed);
        // Loose: referenced, unreferenced and old, unreferenced and young.
        let kept = store.put_bytes(&blob(1)).await?.digest;
        let old = store.put_bytes(&blob(2)).await?.digest;
        let young = store.put_bytes(&blob(3)).await?.digest;
        // Packs: one holding a referenced blob and an unreferenced one, one
        // of unreferenced blobs only, old, and one young; a pack without
        // its index (a review killed between the two), old.
        let mixed = commit_pack(&backend, &[blob(10), blob(11)]).await?;
        let unreferenced = commit_pack(&backend, &[blob(20), blob(21)]).await?;
        let _recent = commit_pack(&backend, &[blob(30)]).await?;
        let orphan = Digest::of(b"an orphan pack");
        let orphan_key = format!("packs/{orphan}.pack");
        std::fs::write(backend.file(&orphan_key), b"orphan")?;
        for key in mixed.iter().chain(&unreferenced).chain([&orphan_key]) {
            make_old(&backend.file(key), 2 * day)?;
        }
        for digest in [kept, old] {
            make_old(&backend.blob_file(&digest), 2 * day)?;
        }
        let referenced: HashSet<Digest> = [kept, Digest::of(&blob(10))].into();
        let files_before = files_under(&backend.root());

        let options = GcOptions {
            grace: day,
            dry_run: true,
        };
        let dry = store.collect_garbage(&referenced, options).await?;
        assert!(dry.dry_run);
        assert_eq!(
            files_under(&backend.root()),
            files_before,
            "{name}: dry run"
        );
        assert_eq!(
            dry.removed_blobs.keys().copied().collect::<Vec<_>>(),
            vec![old],
            "{name}"
        );
        let pack_name = |key: &str| -> Digest {
            key.trim_start_matches("packs/")
                .split('.')
                .next()
                .expect("a name")
                .parse()
                .expect("a digest")
        };
        let expected: BTreeSet<Digest> = [pack_name(&unreferenced[0]), orphan].into();
        assert_eq!(
            dry.removed_packs.keys().copied().collect::<BTreeSet<_>>(),
            expected,
            "{name}"
        );
        assert_eq!(dry.removed_packs[&orphan], (0, 6));
        assert_eq!(dry.removed_packs[&pack_name(&unreferenced[0])].0, 2);
        assert_eq!(
            (dry.kept_referenced, dry.kept_young, dry.kept_in_packs),
            (2, 2, 1),
            "{name}: {dry:?}"
        );
        assert!(dry.left_alone.is_empty(), "{:?}", dry.left_alone);

        let report = store
            .collect_garbage(
                &referenced,
                GcOptions {
                    dry_run: false,
                    ..options
                },
            )
            .await?;
        assert_eq!(
            (
                &report.removed_blobs,
                &report.removed_packs,
                report.removed_bytes
            ),
            (&dry.removed_blobs, &dry.removed_packs, dry.removed_bytes),
            "{name}: the dry run said what goes"
        );
        assert!(!backend.blob_file(&old).exists());
        for key in unreferenced.iter().chain([&orphan_key]) {
            assert!(!backend.file(key).exists(), "{name}: {key}");
        }
        for key in &mixed {
            assert!(backend.file(key).exists(), "{name}: {key}");
        }
        // What went is gone for this store and for one opened anew; what
        // stayed reads back verified.
        for reader in [store, &backend.reopen()?] {
            for gone in [old, Digest::of(&blob(20)), Digest::of(&blob(21))] {
                assert!(
                    matches!(reader.get(&gone).await, Err(EvidenceError::Missing { .. })),
                    "{name}"
                );
            }
            for (digest, bytes) in [
                (kept, blob(1)),
                (young, blob(3)),
                (Digest::of(&blob(10)), blob(10)),
                (Digest::of(&blob(11)), blob(11)),
                (Digest::of(&blob(30)), blob(30)),
            ] {
                assert!(reader.get(&digest).await? == bytes, "{name}");
            }
        }
        let audit = store.verify_all().await?;
        assert!(audit.problems.is_empty(), "{name}: {:?}", audit.problems);
        assert_eq!(audit.blobs, 5);

        // Nothing left to remove; with no grace, the young ones go too.
        let again = store.collect_garbage(&referenced, options).await?;
        assert_eq!(again.removed_count(), 0, "{name}: {again:?}");
        let now = store
            .collect_garbage(
                &referenced,
                GcOptions {
                    grace: Duration::ZERO,
                    dry_run: false,
                },
            )
            .await?;
        assert_eq!(
            now.removed_blobs.keys().copied().collect::<Vec<_>>(),
            vec![young]
        );
        assert_eq!(now.removed_packs.len(), 1, "{name}: the recent pack");
        assert_eq!(
            store.verify_all().await?.held,
            [kept, Digest::of(&blob(10)), Digest::of(&blob(11))].into()
        );
    }
    Ok(())
}

/// A review in flight has stored its blobs (large ones renamed straight
/// into a local store while the scan runs, the rest committed) but not yet
/// recorded them: no record names them, and garbage collection with its
/// grace period leaves every one of them, on both backends.
#[tokio::test]
async fn garbage_collection_leaves_the_blobs_of_a_review_in_flight() -> Result<()> {
    use oversight_evidence::GcOptions;

    for backend in Backend::both()? {
        let name = backend.name();
        let staging = Staging::for_store(&backend.store).await?;
        let blobs = [content(600 << 10, 40), content(3000, 41), content(10, 42)];
        let mut digests = Vec::new();
        for bytes in &blobs {
            let mut writer = staging.writer();
            writer.write_all(bytes)?;
            digests.push(writer.finish()?.0);
        }
        let nobody = std::collections::HashSet::new();
        // While the scan runs (a local store holds the large blob already)…
        let report = backend
            .store
            .collect_garbage(&nobody, GcOptions::default())
            .await?;
        assert_eq!(report.removed_count(), 0, "{name}: {report:?}");
        // …and after the commit, before the review is recorded.
        staging.commit(&backend.store).await?;
        let report = backend
            .store
            .collect_garbage(&nobody, GcOptions::default())
            .await?;
        assert_eq!(report.removed_count(), 0, "{name}: {report:?}");
        assert_eq!(report.kept_young, 2, "{name}: the large blob and the pack");
        for (digest, bytes) in digests.iter().zip(&blobs) {
            assert!(backend.store.get(digest).await? == *bytes, "{name}");
        }
    }
    Ok(())
}
