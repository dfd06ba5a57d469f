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
//! some 11,000 files; right after a mass deletion, ext4 took seconds to
//! create that many). So:
//!
//! * a small blob (one that fits the writer's buffer) is kept in memory
//!   until it is finished and, if new, appended to one pack file (see the
//!   `pack` module): a review creates a pack and its index, not thousands of
//!   files;
//! * a larger blob goes through a temporary file, which staging for a local
//!   store ([`Staging::for_store`]) renames straight to its place in the
//!   store: one create and one rename per new blob;
//! * a blob the store holds already costs a lookup in the packs' index or
//!   one `stat`, and is never written again.
//!
//! A blob appears in the store only whole (an atomic rename; a pack only
//! once its index is written, at [`Staging::commit`]); an interrupted
//! review leaves at most blobs no record refers to.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::{StreamExt, TryStreamExt};
use tempfile::{NamedTempFile, TempDir};

use crate::digest::Hasher;
use crate::leftovers::{self, OwnerLock};
use crate::pack::{self, Entry, PackWriter, Packed, with_path};
use crate::store::SharedPackIndex;
use crate::{Digest, EvidenceError, EvidenceStore, Result};

/// What a writer holds in memory at most: a file up to this size is kept in
/// memory until it is finished (then packed), a larger one goes through a
/// buffered temporary file.
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
    /// Tells a sweep that this directory is in use (see `leftovers`).
    _owner: OwnerLock,
    destination: Destination,
    /// Every finished blob.
    blobs: Mutex<BTreeMap<Digest, Kept>>,
    /// The packs of small blobs. Locked after `blobs` when both are needed.
    packs: Mutex<Packs>,
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
        /// The store's packed blobs, to skip those it holds.
        packs: SharedPackIndex,
    },
}

/// The staging's packs: the one being written, those committed before.
#[derive(Default)]
struct Packs {
    writing: Option<PackWriter>,
    /// Files of packs already committed, which stay readable here.
    sealed: Vec<PathBuf>,
}

/// A finished blob.
#[derive(Debug, Clone, Copy)]
struct Kept {
    size: u64,
    /// Renamed into the store by this staging (`Some(false)`), found there
    /// already or packed and committed (`Some(true)`), or staged only
    /// (`None`).
    in_store: Option<bool>,
    place: Place,
}

/// Where a finished blob's bytes are.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// A file of its own, in the staging directory or the store.
    Loose,
    /// In this staging's pack number `pack` (counting sealed ones first).
    Packed { pack: usize, offset: u64 },
    /// In one of the store's packs.
    StorePack(Packed),
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

    /// Staging for `store`. For a local directory store, large blobs are
    /// renamed straight into the store as they are finished, small ones
    /// packed in its directory, and blobs the store holds (loose or packed)
    /// are never written; for any other store, a staging directory in the
    /// system's temporary directory. Either way, staging directories that
    /// killed reviews left there are removed first (see
    /// [`EvidenceStore::remove_leftovers`]).
    ///
    /// # Errors
    ///
    /// The directory cannot be created, or the store's pack indexes cannot
    /// be read (the message names them).
    pub async fn for_store(store: &EvidenceStore) -> Result<Self> {
        let Some(root) = store.local_root() else {
            // Housekeeping only, as below.
            let _ = leftovers::sweep_temporary(&std::env::temp_dir());
            return Self::new().map_err(|source| EvidenceError::File {
                action: "create a staging directory in",
                path: std::env::temp_dir(),
                source,
            });
        };
        // Housekeeping only: what cannot be removed now is left for the
        // next review, and never stops this one.
        let _ = store.remove_leftovers();
        let packs = store.pack_index().await?;
        let destination = Destination::Store {
            root: root.to_owned(),
            fans: Box::new(std::array::from_fn(|_| AtomicBool::new(false))),
            packs,
        };
        Self::create(root, destination).map_err(|source| EvidenceError::File {
            action: "create a staging directory in",
            path: root.to_owned(),
            source,
        })
    }

    fn create(parent: &Path, destination: Destination) -> io::Result<Self> {
        let directory = tempfile::Builder::new()
            .prefix(leftovers::STAGING_PREFIX)
            .tempdir_in(parent)
            .map_err(|e| with_path(e, "create a staging directory in", parent))?;
        let owner = OwnerLock::take(directory.path())
            .map_err(|e| with_path(e, "lock", directory.path()))?;
        fs_err::create_dir(directory.path().join(PARTIAL))?;
        fs_err::create_dir(directory.path().join(PACKS))?;
        if matches!(destination, Destination::Staged) {
            fs_err::create_dir(directory.path().join(BLOBS))?;
        }
        Ok(Staging {
            inner: Arc::new(Inner {
                directory,
                _owner: owner,
                destination,
                blobs: Mutex::new(BTreeMap::new()),
                packs: Mutex::new(Packs::default()),
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

    /// The file of a finished blob that has one of its own (in the staging
    /// directory or in the store); `None` for a packed blob, or one this
    /// staging does not hold. [`read`](Self::read) reads any.
    #[must_use]
    pub fn blob_path(&self, digest: &Digest) -> Option<PathBuf> {
        self.inner
            .lock()
            .get(digest)
            .filter(|kept| matches!(kept.place, Place::Loose))
            .map(|_| self.inner.blob_path(digest))
    }

    /// The content of a finished blob (not verified again), or `None` if
    /// this staging does not hold it.
    ///
    /// # Errors
    ///
    /// The blob's file or pack cannot be read (the message names it).
    pub fn read(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        let Some(kept) = self.inner.lock().get(digest).copied() else {
            return Ok(None);
        };
        let content = match kept.place {
            Place::Loose => {
                let path = self.inner.blob_path(digest);
                fs_err::read(path)?
            }
            Place::Packed { pack, offset } => {
                let mut packs = self.inner.lock_packs();
                match packs.sealed.get(pack) {
                    Some(path) => pack::read_at(path, offset, kept.size)?,
                    None => packs
                        .writing
                        .as_mut()
                        .expect("a packed blob is in a sealed pack or the one being written")
                        .read(offset, kept.size)?,
                }
            }
            Place::StorePack(packed) => {
                let Destination::Store { root, .. } = &self.inner.destination else {
                    unreachable!("only staging for a store finds blobs in its packs")
                };
                let path = root.join(pack::PACKS).join(format!("{}.pack", packed.pack));
                pack::read_at(&path, packed.offset, packed.size)?
            }
        };
        Ok(Some(content))
    }

    /// Stores every finished blob the store does not hold yet: the pack of
    /// small blobs (less those the store holds) with its index, then the
    /// other blobs, several at once (at most
    /// [`UploadOptions::concurrency`]). A local directory store on the same
    /// file system gets hard links, not copies, and blobs already renamed
    /// into `store` by [`for_store`](Self::for_store) staging are only
    /// counted. Committing again uploads nothing.
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
        let (mut summary, sealed) = self.commit_pack(store).await?;
        let concurrency = store.upload_options().concurrency;
        let kept: Vec<(Digest, Kept)> = self.inner.lock().iter().map(|(d, k)| (*d, *k)).collect();
        let mut to_store = Vec::new();
        for (digest, kept) in kept {
            match (kept.place, kept.in_store) {
                // Counted with its pack, just sealed; or finished since.
                (Place::Packed { pack, .. }, _) if Some(pack) == sealed => {}
                (Place::Packed { .. }, None) => {}
                (Place::Packed { .. } | Place::StorePack(_), Some(present)) => {
                    summary.add(kept.size, present);
                }
                (Place::StorePack(_), None) => unreachable!("found in the store's packs"),
                (Place::Loose, _) => {
                    let path = self.inner.blob_path(&digest);
                    match kept.in_store {
                        Some(present) if store.local_path(&digest).as_ref() == Some(&path) => {
                            summary.add(kept.size, present);
                        }
                        _ => to_store.push((digest, kept.size, path)),
                    }
                }
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

    /// Seals the pack being written and stores the blobs of it the store
    /// does not hold; counts them all. Staging for a local store checked
    /// each blob against the store before packing it; any other staging
    /// asks the store now, and packs again what it lacks.
    ///
    /// Returns the count and the number of the pack sealed, if any.
    async fn commit_pack(&self, store: &EvidenceStore) -> Result<(CommitSummary, Option<usize>)> {
        let mut summary = CommitSummary::default();
        let Some((number, path, entries, size)) =
            self.inner
                .seal_pack()
                .map_err(|source| EvidenceError::File {
                    action: "finish the pack in",
                    path: self.path().to_owned(),
                    source,
                })?
        else {
            return Ok((summary, None));
        };
        let mut new = Vec::with_capacity(entries.len());
        if matches!(self.inner.destination, Destination::Store { .. }) {
            new = entries;
        } else {
            let checked: Vec<(Entry, bool)> = futures::stream::iter(entries)
                .map(|entry| async move {
                    let present = store.is_present(&entry.digest, entry.size).await?;
                    Ok::<_, EvidenceError>((entry, present))
                })
                .buffered(store.upload_options().concurrency)
                .try_collect()
                .await?;
            for (entry, present) in checked {
                if present {
                    summary.add(entry.size, true);
                } else {
                    new.push(entry);
                }
            }
        }
        let stored_size: u64 = new.iter().map(|entry| entry.size).sum();
        if !new.is_empty() {
            let (path, entries, size) = if stored_size == size {
                (path, new.clone(), size)
            } else {
                self.inner
                    .repack(&path, &new)
                    .map_err(|source| EvidenceError::File {
                        action: "write a pack in",
                        path: self.path().to_owned(),
                        source,
                    })?
            };
            let (_, name) = pack::encode_index(&entries);
            leftovers::note_pending_pack(self.path(), &name).map_err(|source| {
                EvidenceError::File {
                    action: "write in",
                    path: self.path().to_owned(),
                    source,
                }
            })?;
            store.store_pack(&path, &entries, size).await?;
        }
        for entry in &new {
            summary.add(entry.size, false);
        }
        let mut blobs = self.inner.lock();
        for kept in blobs.values_mut() {
            if matches!(kept.place, Place::Packed { pack, .. } if pack == number) {
                kept.in_store = Some(true);
            }
        }
        Ok((summary, Some(number)))
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

    fn lock(&self) -> MutexGuard<'_, BTreeMap<Digest, Kept>> {
        // The map is only ever inserted into or flagged; a panic elsewhere
        // cannot leave it half-updated.
        self.blobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_packs(&self) -> MutexGuard<'_, Packs> {
        // A pack that failed halfway fails its writer's `finish`; what is
        // recorded stays consistent.
        self.packs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where blob `digest` of `size` bytes goes, or `None` when it is
    /// already kept (by this staging, or by the local store, loose or
    /// packed). Creates the blob's fan-out directory the first time it is
    /// needed for a loose blob (`loose`).
    fn target(&self, digest: &Digest, size: u64, loose: bool) -> io::Result<Option<Target>> {
        if self.lock().contains_key(digest) {
            return Ok(None);
        }
        let path = self.blob_path(digest);
        let Destination::Store { fans, packs, .. } = &self.destination else {
            return Ok(Some(Target {
                path,
                in_store: None,
                replace: false,
            }));
        };
        if let Some(packed) = packs.locate(digest).filter(|packed| packed.size == size) {
            self.keep(*digest, size, Some(true), Place::StorePack(packed));
            return Ok(None);
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() == size => {
                self.keep(*digest, size, Some(true), Place::Loose);
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
                if loose && !fan.load(Ordering::Relaxed) {
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
    fn keep(&self, digest: Digest, size: u64, in_store: Option<bool>, place: Place) {
        self.lock()
            .entry(digest)
            .and_modify(|kept| {
                kept.in_store = match (kept.in_store, in_store) {
                    (Some(before), Some(now)) => Some(before && now),
                    (before, now) => before.or(now),
                }
            })
            .or_insert(Kept {
                size,
                in_store,
                place,
            });
    }

    /// Appends a new small blob to the pack being written, unless another
    /// writer kept the same content meanwhile.
    fn pack(&self, digest: Digest, content: &[u8]) -> io::Result<()> {
        let mut blobs = self.lock();
        if blobs.contains_key(&digest) {
            return Ok(());
        }
        let mut packs = self.lock_packs();
        let pack = packs.sealed.len();
        let writer = match &mut packs.writing {
            Some(writer) => writer,
            writing @ None => {
                let path = self
                    .directory
                    .path()
                    .join(PACKS)
                    .join(format!("{pack}.pack"));
                writing.insert(PackWriter::create(path)?)
            }
        };
        let offset = writer.append(digest, content)?;
        blobs.insert(
            digest,
            Kept {
                size: content.len() as u64,
                in_store: None,
                place: Place::Packed { pack, offset },
            },
        );
        Ok(())
    }

    /// Ends the pack being written, if it holds anything: its file, its
    /// entries and its size. The file stays readable until the staging is
    /// dropped.
    /// Returns its number too.
    #[allow(clippy::type_complexity)]
    fn seal_pack(&self) -> io::Result<Option<(usize, PathBuf, Vec<Entry>, u64)>> {
        let mut packs = self.lock_packs();
        let Some(writer) = packs.writing.take() else {
            return Ok(None);
        };
        if writer.is_empty() {
            return Ok(None);
        }
        let (path, entries, size) = writer.finish()?;
        let number = packs.sealed.len();
        packs.sealed.push(path.clone());
        Ok(Some((number, path, entries, size)))
    }

    /// A pack of only the `entries` of the pack at `from`.
    fn repack(&self, from: &Path, entries: &[Entry]) -> io::Result<(PathBuf, Vec<Entry>, u64)> {
        let path = self.directory.path().join(PACKS).join(format!(
            "{}.repacked",
            from.file_stem().and_then(|s| s.to_str()).unwrap_or("pack")
        ));
        let mut writer = PackWriter::create(path)?;
        for entry in entries {
            let content = pack::read_at(from, entry.offset, entry.size)?;
            writer.append(entry.digest, &content)?;
        }
        writer.finish()
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
/// blob stays in memory until it is finished and is packed only if it is
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
        let small = self.file.is_none();
        let Some(Target {
            path: target,
            in_store,
            replace,
        }) = self.inner.target(&digest, size, !small)?
        else {
            // Known already; dropping a temporary file deletes it.
            return Ok((digest, size));
        };
        if small {
            self.inner.pack(digest, &self.memory)?;
            return Ok((digest, size));
        }
        let Some(file) = self.file else {
            unreachable!("a blob that is not small was spilled to a file")
        };
        let path = file.get_ref().path().to_owned();
        let file = file
            .into_inner()
            .map_err(|e| with_path(e.into_error(), "write", &path))?;
        let persisted = if replace {
            file.persist(&target).map(drop)
        } else {
            file.persist_noclobber(&target).map(drop)
        };
        match persisted {
            // Another writer finished the same content first.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                self.inner
                    .keep(digest, size, in_store.map(|_| true), Place::Loose);
            }
            Err(e) => return Err(with_path(e.error, "rename a staging file to", &target)),
            Ok(()) => self.inner.keep(digest, size, in_store, Place::Loose),
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
/// Folder of the packs of small blobs.
const PACKS: &str = "packs";

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
        assert_eq!(staging.blob_path(&digest), None, "packed");
        assert_eq!(staging.read(&digest).unwrap().unwrap(), b"hello world");
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
