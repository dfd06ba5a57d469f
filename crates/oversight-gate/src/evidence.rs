//! The evidence store: content-addressed blobs (SHA-256) through the
//! `object_store` crate, a local directory by default and S3-compatible
//! storage for teams; and the staging area that spools a delivery's files
//! while the scan reads them.
//!
//! Every blob lives at `sha256/<2 hex>/<62 hex>` and is re-hashed when read:
//! an object changed behind Oversight's back is reported as
//! [`EvidenceError::Tampered`], never returned.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload, WriteMultipart};
use sha2::{Digest as _, Sha256};

use crate::manifest::hex;

/// Files at or below this size are uploaded in one request.
const SINGLE_PUT_BYTES: u64 = 8 << 20;
/// Part size of multipart uploads.
const PART_BYTES: usize = 8 << 20;

/// Why the evidence store failed. Every message names the blob or location.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The location is not a path, `file://`, `s3://` or `memory://` URL.
    #[error(
        "Evidence store `{location}` is not a directory, file://, s3:// or memory:// location: {reason}"
    )]
    Location {
        /// The location as given (without credentials).
        location: String,
        /// Why.
        reason: String,
    },
    /// The blob is not in the store.
    #[error("Evidence blob sha256:{digest} is missing from {store}")]
    Missing {
        /// The digest.
        digest: String,
        /// The store.
        store: String,
    },
    /// The blob's content does not hash to its name.
    #[error("Evidence blob sha256:{digest} in {store} was altered: its content hashes to {actual}")]
    Tampered {
        /// The digest it is stored under.
        digest: String,
        /// What its content hashes to.
        actual: String,
        /// The store.
        store: String,
    },
    /// The store failed.
    #[error("Evidence store {store}: cannot {action} sha256:{digest}")]
    Store {
        /// The store.
        store: String,
        /// What was being done.
        action: &'static str,
        /// The digest.
        digest: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },
    /// A local file could not be read or written.
    #[error("Cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A content-addressed store of evidence blobs.
#[derive(Clone)]
pub struct EvidenceStore {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    shown: String,
}

impl std::fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceStore")
            .field("location", &self.shown)
            .finish_non_exhaustive()
    }
}

impl EvidenceStore {
    /// Opens the store at `location`: a directory path (created if needed) or
    /// `file://` URL, `s3://bucket/prefix` (credentials, region and endpoint
    /// from the usual `AWS_*` variables, e.g. `AWS_ENDPOINT` and
    /// `AWS_ALLOW_HTTP=true` for MinIO), or `memory://` (tests).
    pub fn open(location: &str) -> Result<EvidenceStore, EvidenceError> {
        let error = |reason: String| EvidenceError::Location {
            location: redact(location),
            reason,
        };
        if location == "memory://" {
            return Ok(EvidenceStore {
                store: Arc::new(object_store::memory::InMemory::new()),
                prefix: ObjectPath::default(),
                shown: "memory://".to_owned(),
            });
        }
        if location.starts_with("s3://") {
            let url = url::Url::parse(location).map_err(|e| error(e.to_string()))?;
            let (store, prefix) = object_store::parse_url_opts(
                &url,
                std::env::vars().filter(|(k, _)| k.starts_with("AWS_")),
            )
            .map_err(|e| error(e.to_string()))?;
            return Ok(EvidenceStore {
                store: Arc::from(store),
                prefix,
                shown: redact(location),
            });
        }
        let dir = match location.strip_prefix("file://") {
            Some(path) => PathBuf::from(path),
            None if location.contains("://") => {
                return Err(error("unknown scheme".to_owned()));
            }
            None => PathBuf::from(location),
        };
        std::fs::create_dir_all(&dir).map_err(|e| error(e.to_string()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(&dir)
            .map_err(|e| error(e.to_string()))?;
        Ok(EvidenceStore {
            store: Arc::new(store),
            prefix: ObjectPath::default(),
            shown: dir.display().to_string(),
        })
    }

    /// Where the store is, without credentials.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    fn path_of(&self, digest: &str) -> ObjectPath {
        let (a, b) = digest.split_at(2.min(digest.len()));
        let mut path = self.prefix.clone();
        for part in ["sha256", a, b] {
            path = path.child(part);
        }
        path
    }

    fn failed(
        &self,
        action: &'static str,
        digest: &str,
    ) -> impl FnOnce(object_store::Error) -> EvidenceError {
        let store = self.shown.clone();
        let digest = digest.to_owned();
        move |source| EvidenceError::Store {
            store,
            action,
            digest,
            source: Box::new(source),
        }
    }

    /// Whether the blob `digest` is stored.
    pub async fn contains(&self, digest: &str) -> Result<bool, EvidenceError> {
        match self.store.head(&self.path_of(digest)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed("look up", digest)(e)),
        }
    }

    /// Stores `bytes`; returns its digest and whether it was new.
    pub async fn put_bytes(&self, bytes: &[u8]) -> Result<(String, bool), EvidenceError> {
        let digest = hex(&Sha256::digest(bytes));
        if self.contains(&digest).await? {
            return Ok((digest, false));
        }
        let new = self
            .put_once(&digest, PutPayload::from(bytes.to_vec()))
            .await?;
        Ok((digest, new))
    }

    /// Writes an object only if it is absent: a blob, once stored, is never
    /// overwritten (a concurrent writer of the same digest wrote the same bytes).
    async fn put_once(&self, digest: &str, payload: PutPayload) -> Result<bool, EvidenceError> {
        let options = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&self.path_of(digest), payload, options)
            .await
        {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            // Stores without conditional writes: fall back to a plain put.
            Err(object_store::Error::NotImplemented) => Err(self.failed("store", digest)(
                object_store::Error::NotImplemented,
            )),
            Err(e) => Err(self.failed("store", digest)(e)),
        }
    }

    /// Stores the file at `path`, whose content must hash to `digest`
    /// (checked while reading); returns whether it was new. Large files go
    /// up in parts, never whole in memory.
    pub async fn put_file(&self, path: &Path, digest: &str) -> Result<bool, EvidenceError> {
        if self.contains(digest).await? {
            return Ok(false);
        }
        let io = |action: &'static str| {
            let path = path.display().to_string();
            move |source| EvidenceError::Io {
                action,
                path,
                source,
            }
        };
        let mut file = std::fs::File::open(path).map_err(io("open"))?;
        let size = file.metadata().map_err(io("read"))?.len();
        let mut hasher = Sha256::new();
        if size <= SINGLE_PUT_BYTES {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes).map_err(io("read"))?;
            hasher.update(&bytes);
            self.check(digest, hasher)?;
            return self.put_once(digest, PutPayload::from(bytes)).await;
        }
        let upload = self
            .store
            .put_multipart(&self.path_of(digest))
            .await
            .map_err(self.failed("start uploading", digest))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buffer = vec![0u8; PART_BYTES];
        loop {
            let n = file.read(&mut buffer).map_err(io("read"))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            writer
                .wait_for_capacity(4)
                .await
                .map_err(self.failed("upload", digest))?;
            writer.write(&buffer[..n]);
        }
        if let Err(e) = self.check(digest, hasher) {
            let _ = writer.abort().await;
            return Err(e);
        }
        writer
            .finish()
            .await
            .map_err(self.failed("upload", digest))?;
        Ok(true)
    }

    fn check(&self, digest: &str, hasher: Sha256) -> Result<(), EvidenceError> {
        let actual = hex(&hasher.finalize());
        if actual == digest {
            Ok(())
        } else {
            Err(EvidenceError::Tampered {
                digest: digest.to_owned(),
                actual,
                store: self.shown.clone(),
            })
        }
    }

    /// The blob `digest`, verified against its name.
    pub async fn get(&self, digest: &str) -> Result<Vec<u8>, EvidenceError> {
        let result = match self.store.get(&self.path_of(digest)).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(EvidenceError::Missing {
                    digest: digest.to_owned(),
                    store: self.shown.clone(),
                });
            }
            Err(e) => return Err(self.failed("read", digest)(e)),
        };
        let bytes = result.bytes().await.map_err(self.failed("read", digest))?;
        let mut hasher = Sha256::new();
        hasher.update(&bytes);
        self.check(digest, hasher)?;
        Ok(bytes.to_vec())
    }

    /// Checks that each blob of `digests` is present and intact; returns
    /// the problems found (empty when all are).
    pub async fn verify(&self, digests: &BTreeSet<String>) -> Vec<EvidenceError> {
        let mut problems = Vec::new();
        for digest in digests {
            if let Err(e) = self.get(digest).await {
                problems.push(e);
            }
        }
        problems
    }
}

/// `s3://key:secret@bucket` never shows its credentials.
fn redact(location: &str) -> String {
    match (location.find("://"), location.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &location[..scheme], &location[at + 1..])
        }
        _ => location.to_owned(),
    }
}

/// A private spool directory that receives a delivery's files while the scan
/// reads them, each stored once under its digest, until [`Staging::commit`]
/// moves them into the evidence store.
pub struct Staging {
    dir: tempfile::TempDir,
    counter: AtomicU64,
    failures: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging")
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

/// One file being spooled.
pub struct StagedWriter {
    file: Option<std::io::BufWriter<std::fs::File>>,
    path: PathBuf,
    staging: Arc<Staging>,
    name: String,
}

/// What [`Staging::commit`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitSummary {
    /// Blobs uploaded.
    pub uploaded: u64,
    /// Bytes uploaded.
    pub uploaded_bytes: u64,
    /// Blobs the store already held.
    pub present: u64,
}

impl Staging {
    /// A new, empty staging area in the process's temporary directory.
    pub fn new() -> Result<Arc<Staging>, EvidenceError> {
        let dir = tempfile::Builder::new()
            .prefix("oversight-staging-")
            .tempdir()
            .map_err(|source| EvidenceError::Io {
                action: "create a staging directory in",
                path: std::env::temp_dir().display().to_string(),
                source,
            })?;
        Ok(Arc::new(Staging {
            dir,
            counter: AtomicU64::new(0),
            failures: Mutex::new(Vec::new()),
        }))
    }

    /// Starts spooling a file; `name` (its delivery path) is only for messages.
    pub fn writer(self: &Arc<Self>, name: &str) -> StagedWriter {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.path().join(format!("incoming-{n}"));
        let file = match std::fs::File::create(&path) {
            Ok(f) => Some(std::io::BufWriter::with_capacity(1 << 20, f)),
            Err(e) => {
                self.fail(format!("cannot spool {name}: {e}"));
                None
            }
        };
        StagedWriter {
            file,
            path,
            staging: Arc::clone(self),
            name: name.to_owned(),
        }
    }

    fn fail(&self, message: String) {
        self.failures
            .lock()
            .expect("no thread panics holding the lock")
            .push(message);
    }

    /// Problems met while spooling (disk full, …); a review must not be
    /// recorded when there are any, since its evidence would be incomplete.
    pub fn failures(&self) -> Vec<String> {
        self.failures
            .lock()
            .expect("no thread panics holding the lock")
            .clone()
    }

    fn blob_path(&self, digest: &str) -> PathBuf {
        self.dir.path().join(digest)
    }

    /// The staged blob `digest`, if staged.
    pub fn read(&self, digest: &str) -> Option<Vec<u8>> {
        std::fs::read(self.blob_path(digest)).ok()
    }

    /// Uploads every staged blob the store does not hold yet.
    pub async fn commit(&self, store: &EvidenceStore) -> Result<CommitSummary, EvidenceError> {
        let mut summary = CommitSummary::default();
        let entries = std::fs::read_dir(self.dir.path()).map_err(|source| EvidenceError::Io {
            action: "list",
            path: self.dir.path().display().to_string(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| EvidenceError::Io {
                action: "list",
                path: self.dir.path().display().to_string(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.len() != 64 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if store.put_file(&entry.path(), &name).await? {
                summary.uploaded += 1;
                summary.uploaded_bytes += size;
            } else {
                summary.present += 1;
            }
        }
        Ok(summary)
    }
}

impl StagedWriter {
    /// The next bytes of the file.
    pub fn write(&mut self, bytes: &[u8]) {
        if let Some(file) = &mut self.file
            && let Err(e) = file.write_all(bytes)
        {
            self.staging
                .fail(format!("cannot spool {}: {e}", self.name));
            self.file = None;
        }
    }

    /// The file is complete and hashes to `sha256`: keep it under that name
    /// (once: a second copy of the same content is dropped).
    pub fn finish(mut self, sha256: &str) {
        let Some(file) = self.file.take() else {
            let _ = std::fs::remove_file(&self.path);
            return;
        };
        let result = file.into_inner().map_err(|e| e.into_error()).and_then(|_| {
            let target = self.staging.blob_path(sha256);
            if target.exists() {
                std::fs::remove_file(&self.path)
            } else {
                std::fs::rename(&self.path, target)
            }
        });
        if let Err(e) = result {
            self.staging.fail(format!("cannot keep {}: {e}", self.name));
        }
    }

    /// The file was not read to its end: drop what was spooled.
    pub fn abort(mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        hex(&Sha256::digest(bytes))
    }

    #[tokio::test]
    async fn blobs_round_trip_once_and_tampering_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open(dir.path().to_str().unwrap()).unwrap();
        let (digest, new) = store.put_bytes(b"manifest").await.unwrap();
        assert!(new);
        assert_eq!(digest, sha(b"manifest"));
        assert!(
            !store.put_bytes(b"manifest").await.unwrap().1,
            "stored once"
        );
        assert_eq!(store.get(&digest).await.unwrap(), b"manifest");
        let on_disk = dir
            .path()
            .join("sha256")
            .join(&digest[..2])
            .join(&digest[2..]);
        assert!(on_disk.is_file(), "{}", on_disk.display());
        std::fs::write(&on_disk, b"forged").unwrap();
        match store.get(&digest).await {
            Err(EvidenceError::Tampered { actual, .. }) => assert_eq!(actual, sha(b"forged")),
            other => panic!("expected tampering, got {other:?}"),
        }
        let missing = sha(b"never stored");
        assert!(matches!(
            store.get(&missing).await,
            Err(EvidenceError::Missing { .. })
        ));
        let problems = store.verify(&[digest, missing].into_iter().collect()).await;
        assert_eq!(problems.len(), 2);
    }

    #[tokio::test]
    async fn staging_spools_dedups_aborts_and_commits() {
        let store = EvidenceStore::open("memory://").unwrap();
        let staging = Staging::new().unwrap();
        let big: Vec<u8> = (0..(SINGLE_PUT_BYTES as usize + 3 * PART_BYTES + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        std::thread::scope(|scope| {
            for (name, bytes) in [
                ("a.txt", b"same".as_slice()),
                ("b.txt", b"same"),
                ("big.bin", &big),
            ] {
                let staging = Arc::clone(&staging);
                scope.spawn(move || {
                    let mut w = staging.writer(name);
                    for chunk in bytes.chunks(1 << 20) {
                        w.write(chunk);
                    }
                    w.finish(&sha(bytes));
                });
            }
            let staging = Arc::clone(&staging);
            scope.spawn(move || {
                let mut w = staging.writer("cut.txt");
                w.write(b"partial");
                w.abort();
            });
        });
        assert!(staging.failures().is_empty());
        assert_eq!(staging.read(&sha(b"same")).unwrap(), b"same");
        assert!(staging.read(&sha(b"partial")).is_none());
        let summary = staging.commit(&store).await.unwrap();
        assert_eq!((summary.uploaded, summary.present), (2, 0));
        assert_eq!(
            store.get(&sha(&big)).await.unwrap(),
            big,
            "multipart upload"
        );
        let again = staging.commit(&store).await.unwrap();
        assert_eq!((again.uploaded, again.present), (0, 2));
    }

    #[test]
    fn locations_are_checked_and_credentials_never_shown() {
        let err = EvidenceStore::open("ftp://example.org/x").unwrap_err();
        assert!(err.to_string().contains("unknown scheme"), "{err}");
        assert_eq!(redact("s3://key:secret@bucket/p"), "s3://***@bucket/p");
        let s3 = EvidenceStore::open("s3://evidence-bucket/oversight").unwrap();
        assert_eq!(s3.describe(), "s3://evidence-bucket/oversight");
        assert_eq!(
            s3.path_of(&"ab".repeat(32)).as_ref(),
            format!("oversight/sha256/ab/{}", "ab".repeat(31))
        );
    }
}
