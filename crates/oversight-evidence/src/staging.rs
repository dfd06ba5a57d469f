//! [`Staging`]: where a delivery's files are spooled, chunk by chunk, while
//! the scan reads them, then committed to an [`EvidenceStore`] in one go.
//!
//! The scan engine reads each file once, on rayon threads, and never holds a
//! large file whole; the store is async and may be remote. Staging sits
//! between them: writers are synchronous and keep at most a small buffer in
//! memory; the upload happens after the scan, concurrently.
//!
//! A review of a large delivery creates thousands of blobs, and on a local
//! store each file-system metadata operation counts (a 200 MB delivery is
//! some 7,500 files). So a writer keeps a small file in memory and writes it
//! once, only when the blob is new; and staging for a local store
//! ([`Staging::for_store`]) renames finished blobs straight to their place
//! in the store: per new blob one create and one rename, per known blob one
//! `stat`. A blob appears in the store only whole (an atomic rename); an
//! interrupted review leaves at most blobs no record refers to.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures::{StreamExt, TryStreamExt};
use tempfile::{NamedTempFile, TempDir};

use crate::digest::Hasher;
use crate::{Digest, EvidenceStore, Result};

/// What a writer holds in memory at most: a file up to this size is kept in
/// memory until it is finished, a larger one goes through a buffered
/// temporary file.
const WRITE_BUFFER: usize = 256 << 10;

/// A private temporary directory for blobs being written, and where finished
/// blobs go: the staging directory itself, or a local store's directory.
///
/// Cloning is cheap and shares the staging (e.g. one clone held by the scan's
/// content tap, one by the review that commits it). The temporary directory
/// and everything in it are deleted when the last clone and the last writer
/// are dropped; blobs already renamed into a store stay there.
#[derive(Clone)]
pub struct Staging {
    inner: Arc<Inner>,
}

struct Inner {
    directory: TempDir,
    destination: Destination,
    /// Every finished blob.
    blobs: Mutex<BTreeMap<Digest, Kept>>,
}

/// Where finished blobs are kept.
enum Destination {
    /// In the staging directory, until [`Staging::commit`].
    Staged,
    /// Straight in the local directory store rooted here.
    Store {
        root: PathBuf,
        /// Fan-out directories known to exist, so each is created once.
        fans: Box<[AtomicBool; 256]>,
    },
}

/// A finished blob.
#[derive(Debug, Clone, Copy)]
struct Kept {
    size: u64,
    /// Renamed into the store by this staging (`Some(false)`), found there
    /// already (`Some(true)`), or staged only (`None`).
    in_store: Option<bool>,
}

/// What [`Staging::commit`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitSummary {
    /// Blobs the store did not hold, now stored.
    pub uploaded: u64,
    /// Their bytes.
    pub uploaded_bytes: u64,
    /// Blobs the store already held (nothing sent).
    pub already_present: u64,
    /// Their bytes.
    pub already_present_bytes: u64,
}

impl CommitSummary {
    fn add(&mut self, size: u64, already_present: bool) {
        if already_present {
            self.already_present += 1;
            self.already_present_bytes += size;
        } else {
            self.uploaded += 1;
            self.uploaded_bytes += size;
        }
    }
}

impl Staging {
    /// A staging directory in the system's temporary directory.
    ///
    /// # Errors
    ///
    /// The directory cannot be created (the message names it).
    pub fn new() -> io::Result<Self> {
        Self::new_in(std::env::temp_dir())
    }

    /// A staging directory inside `parent`. Choose a `parent` on the same
    /// file system as a local evidence directory and
    /// [`commit`](Self::commit) links blobs into the store instead of
    /// copying them; better still, use [`for_store`](Self::for_store).
    ///
    /// # Errors
    ///
    /// The directory cannot be created (the message names `parent`).
    pub fn new_in(parent: impl AsRef<Path>) -> io::Result<Self> {
        Self::create(parent.as_ref(), Destination::Staged)
    }

    /// Staging for `store`. For a local directory store, finished blobs are
    /// renamed straight into the store (no second copy, no link, nothing
    /// left for [`commit`](Self::commit) to do); for any other store, a
    /// staging directory in the system's temporary directory.
    ///
    /// # Errors
    ///
    /// The directory cannot be created (the message names it).
    pub fn for_store(store: &EvidenceStore) -> io::Result<Self> {
        match store.local_root() {
            Some(root) => Self::create(
                root,
                Destination::Store {
                    root: root.to_owned(),
                    fans: Box::new(std::array::from_fn(|_| AtomicBool::new(false))),
                },
            ),
            None => Self::new(),
        }
    }

    fn create(parent: &Path, destination: Destination) -> io::Result<Self> {
        let directory = tempfile::Builder::new()
            .prefix(".oversight-staging-")
            .tempdir_in(parent)
            .map_err(|e| with_path(e, "create a staging directory in", parent))?;
        fs_err::create_dir(directory.path().join(PARTIAL))?;
        if matches!(destination, Destination::Staged) {
            fs_err::create_dir(directory.path().join(BLOBS))?;
        }
        Ok(Staging {
            inner: Arc::new(Inner {
                directory,
                destination,
                blobs: Mutex::new(BTreeMap::new()),
            }),
        })
    }

    /// The staging directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.inner.directory.path()
    }

    /// A writer for one more blob, which hashes what it is given. Many
    /// writers may be open at once, on any threads.
    #[must_use]
    pub fn writer(&self) -> StagedWriter {
        StagedWriter::new(Arc::clone(&self.inner), Some(Hasher::default()))
    }

    /// A writer for a caller that hashes the bytes itself (e.g. a scan that
    /// hashes every file it reads anyway) and names the digest in
    /// [`StagedWriter::finish_as`]: the bytes are not hashed twice.
    #[must_use]
    pub fn prehashed_writer(&self) -> StagedWriter {
        StagedWriter::new(Arc::clone(&self.inner), None)
    }

    /// Every finished blob with its size, ordered by digest.
    #[must_use]
    pub fn blobs(&self) -> Vec<(Digest, u64)> {
        self.inner
            .lock()
            .iter()
            .map(|(digest, kept)| (*digest, kept.size))
            .collect()
    }

    /// The file of a finished blob (in the staging directory or in the
    /// store), if this staging holds it.
    #[must_use]
    pub fn blob_path(&self, digest: &Digest) -> Option<PathBuf> {
        self.inner
            .lock()
            .contains_key(digest)
            .then(|| self.inner.blob_path(digest))
    }

    /// Stores every finished blob the store does not hold yet, several at
    /// once (at most [`UploadOptions::concurrency`]); a local directory
    /// store on the same file system gets hard links, not copies, and blobs
    /// already renamed into `store` by [`for_store`](Self::for_store) staging
    /// are only counted. Committing again uploads nothing.
    ///
    /// Blobs still being written are not committed: finish every writer
    /// first.
    ///
    /// # Errors
    ///
    /// The first blob that could not be stored; others may have been stored
    /// by then (a later commit skips them).
    ///
    /// [`UploadOptions::concurrency`]: crate::UploadOptions::concurrency
    pub async fn commit(&self, store: &EvidenceStore) -> Result<CommitSummary> {
        let concurrency = store.upload_options().concurrency;
        let kept: Vec<(Digest, Kept)> = self.inner.lock().iter().map(|(d, k)| (*d, *k)).collect();
        let mut summary = CommitSummary::default();
        let mut to_store = Vec::new();
        for (digest, kept) in kept {
            let path = self.inner.blob_path(&digest);
            match kept.in_store {
                Some(present) if store.local_path(&digest).as_ref() == Some(&path) => {
                    summary.add(kept.size, present);
                }
                _ => to_store.push((digest, kept.size, path)),
            }
        }
        futures::stream::iter(to_store)
            .map(|(digest, size, path)| async move {
                let present = store.store_staged(&path, digest, size).await?;
                Ok::<_, crate::EvidenceError>((size, present))
            })
            .buffer_unordered(concurrency)
            .try_fold(summary, |mut summary, (size, present)| async move {
                summary.add(size, present);
                Ok(summary)
            })
            .await
    }
}

impl fmt::Debug for Staging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Staging")
            .field("path", &self.path())
            .field("blobs", &self.inner.lock().len())
            .finish()
    }
}

impl Inner {
    fn blob_path(&self, digest: &Digest) -> PathBuf {
        match &self.destination {
            Destination::Staged => self.directory.path().join(BLOBS).join(digest.to_hex()),
            Destination::Store { root, .. } => digest.local_path(root),
        }
    }

    fn partial(&self) -> PathBuf {
        self.directory.path().join(PARTIAL)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Digest, Kept>> {
        // The map is only ever inserted into; a panic elsewhere cannot leave
        // it half-updated.
        self.blobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where blob `digest` of `size` bytes goes, or `None` when it is
    /// already kept. Checks the store for a local store, creating the
    /// blob's fan-out directory the first time it is needed.
    fn target(&self, digest: &Digest, size: u64) -> io::Result<Option<Target>> {
        if self.lock().contains_key(digest) {
            return Ok(None);
        }
        let path = self.blob_path(digest);
        let Destination::Store { fans, .. } = &self.destination else {
            return Ok(Some(Target {
                path,
                in_store: None,
                replace: false,
            }));
        };
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() == size => {
                self.keep(*digest, size, Some(true));
                return Ok(None);
            }
            // Another size: the stored blob was altered; the new one replaces it.
            Ok(_) => {
                return Ok(Some(Target {
                    path,
                    in_store: Some(false),
                    replace: true,
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let fan = &fans[usize::from(digest.fan())];
                if !fan.load(Ordering::Relaxed) {
                    let dir = path.parent().expect("a blob path has a fan-out directory");
                    fs_err::create_dir_all(dir)?;
                    fan.store(true, Ordering::Relaxed);
                }
            }
            Err(e) => return Err(with_path(e, "look for the stored blob", &path)),
        }
        Ok(Some(Target {
            path,
            in_store: Some(false),
            replace: false,
        }))
    }

    /// Records a finished blob. Two writers of the same content may finish
    /// at once: one renames it into the store, the other finds it there.
    /// Whatever their order, the blob counts as stored by this staging.
    fn keep(&self, digest: Digest, size: u64, in_store: Option<bool>) {
        self.lock()
            .entry(digest)
            .and_modify(|kept| {
                kept.in_store = match (kept.in_store, in_store) {
                    (Some(before), Some(now)) => Some(before && now),
                    (before, now) => before.or(now),
                }
            })
            .or_insert(Kept { size, in_store });
    }
}

/// Where a finished blob goes.
struct Target {
    path: PathBuf,
    /// As [`Kept::in_store`].
    in_store: Option<bool>,
    /// Over an altered blob of the same name.
    replace: bool,
}

/// Spools one blob, keeping at most a 256 KiB buffer in memory: a small
/// blob stays in memory until it is finished and is written only if it is
/// new; a larger one goes to a temporary file as it comes.
///
/// End it with [`finish`](Self::finish) (the blob is kept; for a
/// [`Staging::prehashed_writer`], [`finish_as`](Self::finish_as)) or
/// [`abort`](Self::abort); a writer dropped without either is aborted.
pub struct StagedWriter {
    inner: Arc<Inner>,
    /// The content while it fits in [`WRITE_BUFFER`].
    memory: Vec<u8>,
    /// The content once it outgrew `memory`.
    file: Option<BufWriter<NamedTempFile>>,
    hasher: Option<Hasher>,
    written: u64,
}

impl StagedWriter {
    fn new(inner: Arc<Inner>, hasher: Option<Hasher>) -> Self {
        StagedWriter {
            inner,
            memory: Vec::new(),
            file: None,
            hasher,
            written: 0,
        }
    }

    /// Bytes written so far.
    #[must_use]
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Keeps the blob under the digest of what was written; returns the
    /// digest and the size. A blob already kept is dropped (same content,
    /// same name).
    ///
    /// # Errors
    ///
    /// The file cannot be written or renamed (the message names it), or
    /// this is a [`Staging::prehashed_writer`], which hashes nothing (use
    /// [`finish_as`](Self::finish_as)).
    pub fn finish(mut self) -> io::Result<(Digest, u64)> {
        let Some(hasher) = self.hasher.take() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "A prehashed staging writer needs the digest: use finish_as",
            ));
        };
        let (digest, _) = hasher.finish();
        self.keep(digest)
    }

    /// Keeps the blob under `digest`, the SHA-256 the caller computed over
    /// exactly the bytes written; returns the digest and the size.
    ///
    /// # Errors
    ///
    /// As [`finish`](Self::finish); and, for a writer that hashes, when
    /// `digest` is not the digest of what was written.
    pub fn finish_as(mut self, digest: Digest) -> io::Result<(Digest, u64)> {
        if let Some(hasher) = self.hasher.take() {
            let (actual, _) = hasher.finish();
            if actual != digest {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("The staged content hashes to {actual}, not to {digest}"),
                ));
            }
        }
        self.keep(digest)
    }

    /// Deletes what was written: it is not a blob (e.g. the scan did not
    /// read the file to its end).
    pub fn abort(self) {
        drop(self);
    }

    fn keep(self, digest: Digest) -> io::Result<(Digest, u64)> {
        let size = self.written;
        let Some(Target {
            path: target,
            in_store,
            replace,
        }) = self.inner.target(&digest, size)?
        else {
            // Known already; dropping a temporary file deletes it.
            return Ok((digest, size));
        };
        let file = match self.file {
            Some(file) => {
                let path = file.get_ref().path().to_owned();
                file.into_inner()
                    .map_err(|e| with_path(e.into_error(), "write", &path))?
            }
            None => {
                let mut file = self.inner.temporary_file()?;
                file.write_all(&self.memory)
                    .map_err(|e| with_path(e, "write", file.path()))?;
                file
            }
        };
        let persisted = if replace {
            file.persist(&target).map(drop)
        } else {
            file.persist_noclobber(&target).map(drop)
        };
        match persisted {
            // Another writer finished the same content first.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                self.inner.keep(digest, size, in_store.map(|_| true));
            }
            Err(e) => return Err(with_path(e.error, "rename a staging file to", &target)),
            Ok(()) => self.inner.keep(digest, size, in_store),
        }
        Ok((digest, size))
    }

    fn spill(&mut self) -> io::Result<&mut BufWriter<NamedTempFile>> {
        if self.file.is_none() {
            let mut file = BufWriter::with_capacity(WRITE_BUFFER, self.inner.temporary_file()?);
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        Ok(self.file.as_mut().expect("just set"))
    }
}

impl Inner {
    fn temporary_file(&self) -> io::Result<NamedTempFile> {
        let partial = self.partial();
        NamedTempFile::new_in(&partial)
            .map_err(|e| with_path(e, "create a staging file in", &partial))
    }
}

impl Write for StagedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = if self.file.is_none() && self.memory.len() + buf.len() <= WRITE_BUFFER {
            self.memory.extend_from_slice(buf);
            buf.len()
        } else {
            self.spill()?.write(buf)?
        };
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for StagedWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StagedWriter")
            .field("file", &self.file.as_ref().map(|f| f.get_ref().path()))
            .field("written", &self.written)
            .finish()
    }
}

/// Folder of the writers' temporary files.
const PARTIAL: &str = "partial";
/// Folder of finished blobs, each named by its hex digest, when they are
/// not renamed into a store.
const BLOBS: &str = "blobs";

fn with_path(error: io::Error, action: &str, path: &Path) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("Cannot {action} {}: {error}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_blob_is_named_by_its_digest_and_dedups() {
        let staging = Staging::new().unwrap();
        let mut first = staging.writer();
        first.write_all(b"hello ").unwrap();
        first.write_all(b"world").unwrap();
        assert_eq!(first.written(), 11);
        let (digest, size) = first.finish().unwrap();
        assert_eq!((digest, size), (Digest::of(b"hello world"), 11));
        let mut second = staging.writer();
        second.write_all(b"hello world").unwrap();
        assert_eq!(second.finish().unwrap(), (digest, 11));
        assert_eq!(staging.blobs(), vec![(digest, 11)]);
        let path = staging.blob_path(&digest).unwrap();
        assert_eq!(fs_err::read(path).unwrap(), b"hello world");
        let partial = fs_err::read_dir(staging.path().join(PARTIAL))
            .unwrap()
            .count();
        assert_eq!(partial, 0, "the duplicate's temporary file is deleted");
    }

    #[test]
    fn aborted_and_dropped_writers_leave_nothing() {
        let staging = Staging::new().unwrap();
        let mut aborted = staging.writer();
        aborted.write_all(b"partial").unwrap();
        aborted.abort();
        let mut dropped = staging.writer();
        dropped.write_all(b"partial").unwrap();
        drop(dropped);
        assert!(staging.blobs().is_empty());
        assert_eq!(
            fs_err::read_dir(staging.path().join(PARTIAL))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn the_directory_is_removed_with_the_last_clone() {
        let staging = Staging::new().unwrap();
        let path = staging.path().to_owned();
        let clone = staging.clone();
        drop(staging);
        assert!(path.exists());
        drop(clone);
        assert!(!path.exists());
    }
}
