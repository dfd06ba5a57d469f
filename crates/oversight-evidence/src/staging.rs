//! [`Staging`]: a private local directory where a delivery's files are
//! spooled, chunk by chunk, while the scan reads them, then committed to an
//! [`EvidenceStore`] in one go.
//!
//! The scan engine reads each file once, on rayon threads, and never holds a
//! large file whole; the store is async and may be remote. Staging sits
//! between them: writers are synchronous, hash as they write, and keep only
//! a small buffer in memory; the upload happens after the scan, concurrently.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use futures::{StreamExt, TryStreamExt};
use tempfile::{NamedTempFile, TempDir};

use crate::digest::Hasher;
use crate::{Digest, EvidenceStore, Result};

/// Buffer of each writer: what a writer holds in memory at most.
const WRITE_BUFFER: usize = 256 << 10;

/// A private temporary directory of blobs named by their SHA-256.
///
/// Cloning is cheap and shares the directory (e.g. one clone held by the
/// scan's content tap, one by the review that commits it). The directory
/// and everything in it are deleted when the last clone and the last writer
/// are dropped.
#[derive(Clone)]
pub struct Staging {
    inner: Arc<Inner>,
}

struct Inner {
    directory: TempDir,
    /// Every finished blob with its size.
    blobs: Mutex<BTreeMap<Digest, u64>>,
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
    /// file system as a local evidence directory (e.g. the evidence
    /// directory itself) and [`commit`](Self::commit) links blobs into the
    /// store instead of copying them.
    ///
    /// # Errors
    ///
    /// The directory cannot be created (the message names `parent`).
    pub fn new_in(parent: impl AsRef<Path>) -> io::Result<Self> {
        let parent = parent.as_ref();
        let directory = tempfile::Builder::new()
            .prefix(".oversight-staging-")
            .tempdir_in(parent)
            .map_err(|e| with_path(e, "create a staging directory in", parent))?;
        let partial = directory.path().join(PARTIAL);
        fs_err::create_dir(&partial)?;
        fs_err::create_dir(directory.path().join(BLOBS))?;
        Ok(Staging {
            inner: Arc::new(Inner {
                directory,
                blobs: Mutex::new(BTreeMap::new()),
            }),
        })
    }

    /// The staging directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.inner.directory.path()
    }

    /// A writer for one more blob. Many writers may be open at once, on any
    /// threads.
    ///
    /// # Errors
    ///
    /// Its temporary file cannot be created (the message names the
    /// directory).
    pub fn writer(&self) -> io::Result<StagedWriter> {
        let partial = self.path().join(PARTIAL);
        let file = NamedTempFile::new_in(&partial)
            .map_err(|e| with_path(e, "create a staging file in", &partial))?;
        Ok(StagedWriter {
            inner: Arc::clone(&self.inner),
            file: BufWriter::with_capacity(WRITE_BUFFER, file),
            hasher: Hasher::default(),
        })
    }

    /// Every finished blob with its size, ordered by digest.
    #[must_use]
    pub fn blobs(&self) -> Vec<(Digest, u64)> {
        self.inner
            .lock()
            .iter()
            .map(|(digest, size)| (*digest, *size))
            .collect()
    }

    /// The file of a finished blob, if it is staged.
    #[must_use]
    pub fn blob_path(&self, digest: &Digest) -> Option<PathBuf> {
        self.inner
            .lock()
            .contains_key(digest)
            .then(|| self.inner.blob_path(digest))
    }

    /// Stores every finished blob the store does not hold yet, several at
    /// once (at most [`UploadOptions::concurrency`]); a local directory
    /// store on the same file system gets hard links, not copies. Staged
    /// blobs stay staged: committing again uploads nothing.
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
        futures::stream::iter(self.blobs())
            .map(|(digest, size)| {
                let path = self.inner.blob_path(&digest);
                async move {
                    let present = store.store_staged(&path, digest, size).await?;
                    Ok::<_, crate::EvidenceError>((size, present))
                }
            })
            .buffer_unordered(concurrency)
            .try_fold(
                CommitSummary::default(),
                |mut summary, (size, present)| async move {
                    if present {
                        summary.already_present += 1;
                        summary.already_present_bytes += size;
                    } else {
                        summary.uploaded += 1;
                        summary.uploaded_bytes += size;
                    }
                    Ok(summary)
                },
            )
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
        self.directory.path().join(BLOBS).join(digest.to_hex())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Digest, u64>> {
        // The map is only ever inserted into; a panic elsewhere cannot leave
        // it half-updated.
        self.blobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Spools one blob to a temporary file of its [`Staging`], hashing it as it
/// goes; holds at most a 256 KiB buffer in memory.
///
/// End it with [`finish`](Self::finish) (the blob is kept) or
/// [`abort`](Self::abort); a writer dropped without either is aborted.
pub struct StagedWriter {
    inner: Arc<Inner>,
    file: BufWriter<NamedTempFile>,
    hasher: Hasher,
}

impl StagedWriter {
    /// Bytes written so far.
    #[must_use]
    pub fn written(&self) -> u64 {
        self.hasher.clone().finish().1
    }

    /// Keeps the blob under its digest; returns the digest and the size.
    /// A blob the staging area already holds is dropped (same content, same
    /// name).
    ///
    /// # Errors
    ///
    /// The file cannot be written or renamed (the message names it).
    pub fn finish(self) -> io::Result<(Digest, u64)> {
        let StagedWriter {
            inner,
            file,
            hasher,
        } = self;
        let partial = file.get_ref().path().to_owned();
        let file = file
            .into_inner()
            .map_err(|e| with_path(e.into_error(), "write", &partial))?;
        let (digest, size) = hasher.finish();
        if inner.lock().contains_key(&digest) {
            // Dropping the temporary file deletes it.
            return Ok((digest, size));
        }
        let target = inner.blob_path(&digest);
        match file.persist_noclobber(&target) {
            // Another writer finished the same content first.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(with_path(e.error, "rename a staging file to", &target)),
            Ok(_) => {}
        }
        inner.lock().insert(digest, size);
        Ok((digest, size))
    }

    /// Deletes what was written: it is not a blob (e.g. the scan did not
    /// read the file to its end).
    pub fn abort(self) {
        drop(self);
    }
}

impl Write for StagedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl fmt::Debug for StagedWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StagedWriter")
            .field("path", &self.file.get_ref().path())
            .field("written", &self.written())
            .finish()
    }
}

/// Folder of the writers' temporary files.
const PARTIAL: &str = "partial";
/// Folder of finished blobs, each named by its hex digest.
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
        let mut first = staging.writer().unwrap();
        first.write_all(b"hello ").unwrap();
        first.write_all(b"world").unwrap();
        assert_eq!(first.written(), 11);
        let (digest, size) = first.finish().unwrap();
        assert_eq!((digest, size), (Digest::of(b"hello world"), 11));
        let mut second = staging.writer().unwrap();
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
        let mut aborted = staging.writer().unwrap();
        aborted.write_all(b"partial").unwrap();
        aborted.abort();
        let mut dropped = staging.writer().unwrap();
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
