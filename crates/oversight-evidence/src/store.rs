//! [`EvidenceStore`]: content-addressed blobs in a local directory,
//! S3-compatible storage or memory, through the `object_store` crate.
//!
//! Every write is named by the SHA-256 of what was written, and every read
//! is hashed again before anything is returned: a blob changed behind
//! Oversight's back is [`EvidenceError::Tampered`], never content.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use url::Url;

use crate::digest::{Hasher, PREFIX};
use crate::leftovers::{self, Leftovers, PacksLock};
use crate::pack::{self, Entry, PackIndex, PackObject, Packed};
use crate::{Digest, EvidenceError, Result};

/// Size of the buffer used to read local files and local blobs.
const READ_BUFFER: usize = 1 << 20;

/// Where the evidence of reviews is kept: a content-addressed store of
/// blobs, each named `sha256/<2 hex>/<62 hex>` after its content, or kept
/// in a pack (`packs/<name>.pack`, see the `pack` module) with many other
/// small ones. Readers do not see the difference.
///
/// Cheap to share behind an `Arc`; every method takes `&self` and may run
/// concurrently. All methods are async and need a tokio runtime (uploads
/// and local file reads run on tokio's tasks and blocking pool).
pub struct EvidenceStore {
    objects: Arc<dyn ObjectStore>,
    description: String,
    local_root: Option<PathBuf>,
    upload: UploadOptions,
    packs: SharedPackIndex,
}

/// The blobs of every pack read so far, shared with the staging areas of
/// the store; loaded on first use.
#[derive(Clone, Default)]
pub(crate) struct SharedPackIndex {
    index: Arc<RwLock<PackIndex>>,
    loaded: Arc<AtomicBool>,
}

impl SharedPackIndex {
    pub(crate) fn locate(&self, digest: &Digest) -> Option<Packed> {
        self.index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .locate(digest)
    }

    pub(crate) fn add(&self, name: Digest, entries: &[Entry]) {
        self.write().add(name, entries);
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, PackIndex> {
        // Every change is one `add` or `mark_seen`: a panic elsewhere cannot
        // leave the index half-updated.
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn has_seen(&self, name: &Digest) -> bool {
        self.index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .has_seen(name)
    }
}

/// How blobs are uploaded and verified.
///
/// Memory held by uploads is bounded by `concurrency × (parts_in_flight + 1)
/// × part_size` (and by `concurrency × multipart_threshold` for single
/// uploads), whatever the size of the blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOptions {
    /// Files larger than this are uploaded in parts (multipart upload);
    /// smaller ones in one request, read whole into memory.
    pub multipart_threshold: u64,
    /// Size of each part of a multipart upload. S3 needs at least 5 MiB
    /// (except for the last part); the local and memory stores take any size.
    pub part_size: usize,
    /// Parts of one upload sent at the same time.
    pub parts_in_flight: usize,
    /// Blobs uploaded or verified at the same time by
    /// [`Staging::commit`](crate::Staging::commit) and the `verify` methods.
    pub concurrency: usize,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            multipart_threshold: 8 << 20,
            part_size: 8 << 20,
            parts_in_flight: 2,
            concurrency: 8,
        }
    }
}

/// What a put did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// The blob's name.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
    /// Whether the store already held it (nothing was uploaded).
    pub already_present: bool,
}

/// A blob that failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobProblem {
    /// The blob is not in the store.
    Missing {
        /// Its name.
        digest: Digest,
    },
    /// The blob's content hashes to something else than its name.
    Tampered {
        /// Its name.
        digest: Digest,
        /// What its content hashes to.
        actual: Digest,
    },
    /// An object under `sha256/` or `packs/` whose key is not a blob, a
    /// pack or a pack index name (only found by
    /// [`EvidenceStore::verify_all`]).
    Stray {
        /// The object's key.
        key: String,
    },
    /// A pack or its index that cannot be trusted or used: an index that
    /// does not hash to its name or does not describe its pack, a pack
    /// whose size differs from what its index says, a pack without an
    /// index (left by an interrupted review: no record can refer to its
    /// blobs) or an index without its pack (only found by
    /// [`EvidenceStore::verify_all`]).
    Pack {
        /// The object's key.
        key: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for BlobProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobProblem::Missing { digest } => write!(f, "sha256:{digest} is missing"),
            BlobProblem::Tampered { digest, actual } => {
                write!(
                    f,
                    "sha256:{digest} was altered: its content hashes to sha256:{actual}"
                )
            }
            BlobProblem::Stray { key } => write!(f, "{key} is not named after its content"),
            BlobProblem::Pack { key, reason } => write!(f, "{key}: {reason}"),
        }
    }
}

/// The result of [`EvidenceStore::verify_all`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Blobs read and hashed.
    pub blobs: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Every problem found, ordered by digest (strays and packs last, by
    /// key).
    pub problems: Vec<BlobProblem>,
    /// Every blob found, loose or packed, altered or not: what a caller
    /// compares with the blobs its records name.
    pub held: std::collections::BTreeSet<Digest>,
}

impl EvidenceStore {
    /// Opens the store at `location`:
    ///
    /// * a directory path or `file://` URL: a local directory, created if
    ///   missing (the default is `~/.local/share/oversight/evidence`, beside
    ///   the register's SQLite database; `~` is not expanded here);
    /// * `s3://bucket` or `s3://bucket/prefix` (also `s3a://`): S3-compatible
    ///   storage. Region, credentials and endpoint come from the usual `AWS_*`
    ///   environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    ///   `AWS_SESSION_TOKEN`, `AWS_REGION`, or a web identity or container
    ///   role); for MinIO-style servers set `AWS_ENDPOINT`
    ///   (e.g. `http://127.0.0.1:9000`) and, for plain HTTP,
    ///   `AWS_ALLOW_HTTP=true`. Credentials are never accepted in the URL.
    ///   Nothing is contacted until the first operation;
    /// * `memory://`: an empty store in memory, for tests.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::UnsupportedScheme`] for any other scheme,
    /// [`EvidenceError::InvalidLocation`] for a URL that cannot be used,
    /// [`EvidenceError::File`] if the directory cannot be created,
    /// [`EvidenceError::Configure`] if the S3 settings are incomplete.
    pub fn open(location: &str) -> Result<Self> {
        Self::open_with(location, &[])
    }

    /// Opens the store at `location` as [`open`](Self::open) does, with S3
    /// settings given as `object_store` configuration keys and values
    /// (`aws_endpoint`, `aws_access_key_id`, `aws_secret_access_key`,
    /// `aws_region`, `aws_allow_http`, …), which take precedence over the
    /// `AWS_*` environment variables. Ignored for other locations.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); [`EvidenceError::InvalidLocation`] names a
    /// key that is not an S3 setting.
    pub fn open_with(location: &str, settings: &[(&str, &str)]) -> Result<Self> {
        if location.is_empty() {
            return Err(EvidenceError::InvalidLocation {
                location: String::new(),
                reason: "the location is empty".to_owned(),
            });
        }
        let Some(scheme) = scheme_of(location) else {
            return Self::open_directory(Path::new(location));
        };
        let invalid = |reason: String| EvidenceError::InvalidLocation {
            location: redact(location),
            reason,
        };
        let url = Url::parse(location).map_err(|e| invalid(e.to_string()))?;
        match scheme.to_ascii_lowercase().as_str() {
            "file" => {
                let path = url.to_file_path().map_err(|()| {
                    invalid("a file:// URL must be an absolute path on this machine".to_owned())
                })?;
                Self::open_directory(&path)
            }
            "s3" | "s3a" => {
                let mut builder = AmazonS3Builder::from_env();
                for (key, value) in settings {
                    let key: AmazonS3ConfigKey = key.parse().map_err(|_| {
                        invalid(format!("`{key}` is not an S3 setting of object_store"))
                    })?;
                    builder = builder.with_config(key, *value);
                }
                Self::open_s3(&url, builder)
            }
            "memory" => Ok(Self::in_memory()),
            _ => Err(EvidenceError::UnsupportedScheme {
                location: redact(location),
                scheme: scheme.to_owned(),
            }),
        }
    }

    /// An empty store in memory (what `memory://` opens).
    #[must_use]
    pub fn in_memory() -> Self {
        EvidenceStore {
            objects: Arc::new(InMemory::new()),
            description: "memory://".to_owned(),
            local_root: None,
            upload: UploadOptions::default(),
            packs: SharedPackIndex::default(),
        }
    }

    /// A store over any `object_store` backend (another cloud, a wrapper
    /// with retries or metrics), described as `description` in messages and
    /// records; it must not hold credentials.
    #[must_use]
    pub fn from_object_store(
        objects: Arc<dyn ObjectStore>,
        description: impl Into<String>,
    ) -> Self {
        EvidenceStore {
            objects,
            description: description.into(),
            local_root: None,
            upload: UploadOptions::default(),
            packs: SharedPackIndex::default(),
        }
    }

    /// The same store with other upload options.
    #[must_use]
    pub fn with_upload_options(mut self, options: UploadOptions) -> Self {
        self.upload = UploadOptions {
            multipart_threshold: options.multipart_threshold,
            part_size: options.part_size.max(1),
            parts_in_flight: options.parts_in_flight.max(1),
            concurrency: options.concurrency.max(1),
        };
        self
    }

    /// The upload options in force.
    #[must_use]
    pub fn upload_options(&self) -> UploadOptions {
        self.upload
    }

    /// What the store is, for messages and records: `local directory
    /// /path`, `s3://bucket/prefix` (with the endpoint when one is set) or
    /// `memory://`. Never holds credentials.
    #[must_use]
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Where a loose blob lives on disk, for a local directory store
    /// (whether or not the blob is there; a small blob a review stored is
    /// usually in a pack instead).
    #[must_use]
    pub fn local_path(&self, digest: &Digest) -> Option<PathBuf> {
        Some(digest.local_path(self.local_root.as_ref()?))
    }

    /// Removes what reviews that were killed left in a local directory
    /// store: their staging directories, and a pack one of them stored
    /// without its index. Nothing a live review uses is touched; any other
    /// store has no such leftovers. Staging for a local store does this
    /// first.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::File`] if the store's directory cannot be read or a
    /// leftover cannot be removed.
    pub fn remove_leftovers(&self) -> Result<Leftovers> {
        match &self.local_root {
            Some(root) => leftovers::sweep(root)
                .map_err(|e| file_error("remove leftovers of killed reviews from", root, e)),
            None => Ok(Leftovers::default()),
        }
    }

    /// The directory of a local directory store.
    pub(crate) fn local_root(&self) -> Option<&Path> {
        self.local_root.as_deref()
    }

    /// Whether the store holds a blob named `digest` (its content is not
    /// verified: see [`verify`](Self::verify)).
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Store`] if the store cannot be asked.
    pub async fn contains(&self, digest: &Digest) -> Result<bool> {
        Ok(self.stored_size(digest).await?.is_some())
    }

    /// Stores `content`, unless the store already holds it.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Store`] if the store fails.
    pub async fn put_bytes(&self, content: &[u8]) -> Result<Stored> {
        let digest = Digest::of(content);
        let size = content.len() as u64;
        if self.is_present(&digest, size).await? {
            return Ok(Stored {
                digest,
                size,
                already_present: true,
            });
        }
        let payload = PutPayload::from(Bytes::copy_from_slice(content));
        self.objects
            .put(&object_path(&digest), payload)
            .await
            .map_err(|source| self.store_error("upload", digest, source))?;
        Ok(Stored {
            digest,
            size,
            already_present: false,
        })
    }

    /// Stores the file at `path`, unless the store already holds its
    /// content, in bounded memory.
    ///
    /// The file is hashed first (so nothing is uploaded when the store holds
    /// it already, the common case when a delivery is reviewed again), then
    /// uploaded (in parts above [`UploadOptions::multipart_threshold`]) while
    /// it is hashed again: if the two hashes differ, the file changed while
    /// it was stored and the upload is abandoned before it completes.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::File`] if the file cannot be read,
    /// [`EvidenceError::FileChanged`] if it changed while it was stored,
    /// [`EvidenceError::Store`] if the store fails.
    pub async fn put_file(&self, path: &Path) -> Result<Stored> {
        let (digest, size) = hash_file(path.to_owned()).await?;
        let already_present = self.is_present(&digest, size).await?;
        if !already_present {
            self.upload_file(path, digest, size).await?;
        }
        Ok(Stored {
            digest,
            size,
            already_present,
        })
    }

    /// The content of blob `digest`, after checking that it hashes to
    /// `digest`. Holds the whole blob in memory: use
    /// [`get_to_file`](Self::get_to_file) for large ones.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Missing`], [`EvidenceError::Tampered`] (the content
    /// is then not returned), or [`EvidenceError::Store`].
    pub async fn get(&self, digest: &Digest) -> Result<Bytes> {
        let digest = *digest;
        let bytes = match self.read_packed(digest, false).await? {
            Some(bytes) => bytes,
            None => match self.objects.get(&object_path(&digest)).await {
                Ok(result) => result
                    .bytes()
                    .await
                    .map_err(|source| self.read_error(digest, source))?,
                // Packed since the packs were last read, by another process?
                Err(object_store::Error::NotFound { .. }) => self
                    .read_packed(digest, true)
                    .await?
                    .ok_or_else(|| self.missing(digest))?,
                Err(source) => return Err(self.read_error(digest, source)),
            },
        };
        let hashed = bytes.clone();
        let actual = tokio::task::spawn_blocking(move || Digest::of(&hashed))
            .await
            .map_err(|e| self.store_error("read", digest, e.into()))?;
        self.check(digest, actual)?;
        Ok(bytes)
    }

    /// Writes blob `digest` to `destination` (replacing it), streaming, after
    /// checking that it hashes to `digest`; returns its size. The content
    /// goes to a temporary file beside `destination`, renamed only once
    /// verified, so `destination` never holds altered content.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Missing`], [`EvidenceError::Tampered`],
    /// [`EvidenceError::Store`], or [`EvidenceError::File`] if the
    /// destination cannot be written.
    pub async fn get_to_file(&self, digest: &Digest, destination: &Path) -> Result<u64> {
        let directory = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        let temporary =
            tempfile::NamedTempFile::new_in(&directory).map_err(|source| EvidenceError::File {
                action: "create a temporary file in",
                path: directory.clone(),
                source,
            })?;
        let writer = io::BufWriter::with_capacity(READ_BUFFER, temporary);
        let (actual, size, writer) = self
            .stream_blob(*digest, writer, Source::Any)
            .await
            .map_err(|error| match error {
                StreamError::Store(error) => error,
                StreamError::Sink(source) => EvidenceError::File {
                    action: "write",
                    path: destination.to_owned(),
                    source,
                },
            })?;
        self.check(*digest, actual)?;
        let temporary = writer.into_inner().map_err(|e| EvidenceError::File {
            action: "write",
            path: destination.to_owned(),
            source: e.into_error(),
        })?;
        temporary
            .persist(destination)
            .map_err(|e| EvidenceError::File {
                action: "rename a temporary file to",
                path: destination.to_owned(),
                source: e.error,
            })?;
        Ok(size)
    }

    /// The blobs of `blobs` (digest and size), in their order, fetched up
    /// to `concurrency` at once: each blob of at most `whole_up_to` bytes is
    /// read and checked whole ([`Fetched::Whole`]); a larger one is left for
    /// the caller to stream ([`Fetched::Stream`], with
    /// [`get_to_writer`](Self::get_to_writer)). Memory is bounded by
    /// `concurrency × whole_up_to`. Thousands of small files are then read
    /// in parallel instead of one request after another.
    pub fn fetch_in_order<'a>(
        &'a self,
        blobs: Vec<(Digest, u64)>,
        whole_up_to: u64,
        concurrency: usize,
    ) -> impl futures::Stream<Item = Result<Fetched>> + 'a {
        futures::stream::iter(blobs)
            .map(move |(digest, size)| async move {
                if size <= whole_up_to {
                    Ok(Fetched::Whole(self.get(&digest).await?))
                } else {
                    Ok(Fetched::Stream(digest))
                }
            })
            .buffered(concurrency.max(1))
    }

    /// Streams blob `digest` into `sink` in bounded memory and returns its
    /// size and the sink. The bytes reach `sink` before the whole blob has
    /// been hashed: when this returns an error ([`EvidenceError::Tampered`]
    /// included), whatever `sink` received must be thrown away (a caller
    /// writes to a temporary file and keeps it only on success).
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Missing`], [`EvidenceError::Tampered`],
    /// [`EvidenceError::Store`], or [`EvidenceError::File`] (action
    /// `write`, path `sink_name`) if the sink fails.
    pub async fn get_to_writer<W: Write + Send + 'static>(
        &self,
        digest: &Digest,
        sink: W,
        sink_name: &Path,
    ) -> Result<(u64, W)> {
        let (actual, size, sink) =
            self.stream_blob(*digest, sink, Source::Any)
                .await
                .map_err(|error| match error {
                    StreamError::Store(error) => error,
                    StreamError::Sink(source) => EvidenceError::File {
                        action: "write",
                        path: sink_name.to_owned(),
                        source,
                    },
                })?;
        self.check(*digest, actual)?;
        Ok((size, sink))
    }

    /// Reads and hashes each blob of `digests`; returns those that are
    /// missing or altered, ordered by digest. For audits and `oversight
    /// export`: a record is only as good as the evidence it names.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Store`] if the store fails (a missing or altered
    /// blob is a problem in the list, not an error).
    pub async fn verify(&self, digests: &[Digest]) -> Result<Vec<BlobProblem>> {
        let mut problems: Vec<BlobProblem> = futures::stream::iter(digests.iter().copied())
            .map(|digest| self.verify_one(digest, Source::Any))
            .buffer_unordered(self.upload.concurrency)
            .try_filter_map(|outcome| async move { Ok(outcome.1) })
            .try_collect()
            .await?;
        problems.sort_by_key(problem_order);
        problems.dedup();
        Ok(problems)
    }

    /// Reads and hashes every blob the store holds, in bounded memory.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::List`] or [`EvidenceError::Store`] if the store
    /// fails.
    pub async fn verify_all(&self) -> Result<VerifyReport> {
        let prefix = ObjectPath::from(PREFIX);
        let mut checks = self
            .objects
            .list(Some(&prefix))
            .map_err(|source| EvidenceError::List {
                store: self.description.clone(),
                source: Box::new(source),
            })
            .map(|meta| async move {
                let meta = meta?;
                let key = meta.location.to_string();
                match Digest::from_store_key(&key) {
                    Some(digest) => self
                        .verify_one(digest, Source::Loose)
                        .await
                        .map(|(bytes, problem)| (Some(digest), bytes, problem)),
                    None => Ok((None, 0, Some(BlobProblem::Stray { key }))),
                }
            })
            .buffer_unordered(self.upload.concurrency);
        let mut report = VerifyReport::default();
        while let Some(outcome) = checks.next().await {
            let (digest, bytes, problem) = outcome?;
            report.held.extend(digest);
            match problem {
                Some(problem @ BlobProblem::Stray { .. }) => report.problems.push(problem),
                problem => {
                    report.blobs += 1;
                    report.bytes += bytes;
                    report.problems.extend(problem);
                }
            }
        }
        self.verify_packs(&mut report).await?;
        report.problems.sort_by_key(problem_order);
        Ok(report)
    }

    /// The part of [`verify_all`](Self::verify_all) that reads the packs:
    /// every index against its name and its pack, every packed blob
    /// against its digest.
    async fn verify_packs(&self, report: &mut VerifyReport) -> Result<()> {
        let listed = self.list_packs().await?;
        // Per pack name: the pack's size if it is there, whether its index is.
        let mut packs: BTreeMap<Digest, (Option<u64>, bool)> = BTreeMap::new();
        for meta in listed {
            let key = meta.location.to_string();
            match PackObject::from_key(&key) {
                Some(PackObject::Pack(name)) => packs.entry(name).or_default().0 = Some(meta.size),
                Some(PackObject::Index(name)) => packs.entry(name).or_default().1 = true,
                None => report.problems.push(BlobProblem::Stray { key }),
            }
        }
        for (name, (pack_size, has_index)) in packs {
            let pack_key = pack::pack_key(&name);
            let problem = |key: &str, reason: String| BlobProblem::Pack {
                key: key.to_owned(),
                reason,
            };
            if !has_index {
                report.problems.push(problem(
                    &pack_key,
                    "has no index: a review stopped before it finished storing it, so no record can refer to its blobs".to_owned(),
                ));
                continue;
            }
            let index_key = pack::index_key(&name);
            let bytes = self
                .read_object(&ObjectPath::from(index_key.as_str()))
                .await?;
            let (entries, size) = match pack::decode_index(&name, &bytes) {
                Ok(decoded) => decoded,
                Err(reason) => {
                    report.problems.push(problem(&index_key, reason));
                    continue;
                }
            };
            let Some(pack_size) = pack_size else {
                report.problems.push(problem(
                    &pack_key,
                    format!(
                        "is missing, with the {} blobs its index names",
                        entries.len()
                    ),
                ));
                continue;
            };
            if pack_size != size {
                report.problems.push(problem(
                    &pack_key,
                    format!("holds {pack_size} bytes where its index describes {size}"),
                ));
            }
            let location = ObjectPath::from(pack_key);
            let location = &location;
            let mut checks = futures::stream::iter(
                entries
                    .into_iter()
                    .filter(|entry| entry.offset + entry.size <= pack_size),
            )
            .map(|entry| async move {
                let bytes = if entry.size == 0 {
                    Bytes::new()
                } else {
                    self.objects
                        .get_range(location, entry.offset..entry.offset + entry.size)
                        .await
                        .map_err(|source| self.read_error(entry.digest, source))?
                };
                let actual = tokio::task::spawn_blocking(move || Digest::of(&bytes))
                    .await
                    .map_err(|e| self.store_error("read", entry.digest, e.into()))?;
                Ok::<_, EvidenceError>((entry, actual))
            })
            .buffer_unordered(self.upload.concurrency);
            while let Some(checked) = checks.next().await {
                let (entry, actual) = checked?;
                report.held.insert(entry.digest);
                report.blobs += 1;
                report.bytes += entry.size;
                if actual != entry.digest {
                    report.problems.push(BlobProblem::Tampered {
                        digest: entry.digest,
                        actual,
                    });
                }
            }
        }
        Ok(())
    }

    /// Stores the pack written at `path` (`size` bytes, holding `entries`),
    /// then its index, which makes its blobs visible; returns the pack's
    /// name. A local directory store gets a hard link when `path` is on its
    /// file system (no copy).
    ///
    /// Only for files of a private staging directory, as
    /// [`store_staged`](Self::store_staged).
    pub(crate) async fn store_pack(
        &self,
        path: &Path,
        entries: &[Entry],
        size: u64,
    ) -> Result<Digest> {
        let (index, name) = pack::encode_index(entries);
        let pack_location = ObjectPath::from(pack::pack_key(&name));
        let index_location = ObjectPath::from(pack::index_key(&name));
        let fail = |location: &ObjectPath, source| EvidenceError::Pack {
            action: "upload",
            key: location.to_string(),
            store: self.description.clone(),
            source: Box::new(source),
        };
        // Held until the index is stored: a sweep of leftovers must not
        // take the pack for one a dead review left without its index.
        let (linked, _packs_lock) = match &self.local_root {
            Some(root) => {
                let source = path.to_owned();
                let root = root.clone();
                let target = root.join(pack::PACKS).join(format!("{name}.pack"));
                tokio::task::spawn_blocking(move || {
                    let lock = PacksLock::shared(&root)
                        .map_err(|e| file_error("lock the packs of", &root, e))?;
                    Ok::<_, EvidenceError>((hard_link(&source, &target), Some(lock)))
                })
                .await
                .map_err(|e| fail(&pack_location, e.into()))??
            }
            None => (Link::Unsupported, None),
        };
        // `Exists`: a pack of this name is stored already; the name fixes
        // its content.
        if matches!(linked, Link::Unsupported) {
            self.upload_to(path, &pack_location, size, None, &|source| {
                fail(&pack_location, source)
            })
            .await?;
        }
        self.objects
            .put(&index_location, PutPayload::from(index))
            .await
            .map_err(|source| fail(&index_location, source))?;
        self.packs.add(name, entries);
        Ok(name)
    }

    /// Stores a staged file already named `digest`: a hard link into a local
    /// directory store when it is on the same file system (no copy), an
    /// upload otherwise. Returns whether the store already held it.
    ///
    /// Only for files of a private staging directory: a hard link shares the
    /// file, so a file someone else may still write must be copied.
    pub(crate) async fn store_staged(
        &self,
        path: &Path,
        digest: Digest,
        size: u64,
    ) -> Result<bool> {
        let stored = self.stored_size(&digest).await?;
        if stored == Some(size) {
            return Ok(true);
        }
        // A blob of the wrong size was altered: it is replaced by an upload
        // (an atomic rename over it), never linked over.
        if let (None, Some(target)) = (stored, self.local_path(&digest)) {
            let source = path.to_owned();
            let linked = tokio::task::spawn_blocking(move || hard_link(&source, &target))
                .await
                .map_err(|e| self.store_error("upload", digest, e.into()))?;
            match linked {
                Link::Linked => return Ok(false),
                Link::Exists => return Ok(true),
                Link::Unsupported => {}
            }
        }
        self.upload_file(path, digest, size).await?;
        Ok(false)
    }

    /// Opens (creating it) a local directory store.
    fn open_directory(path: &Path) -> Result<Self> {
        fs_err::create_dir_all(path).map_err(|source| EvidenceError::File {
            action: "create the evidence directory",
            path: path.to_owned(),
            source,
        })?;
        let root = fs_err::canonicalize(path).map_err(|source| EvidenceError::File {
            action: "resolve the evidence directory",
            path: path.to_owned(),
            source,
        })?;
        let description = format!("local directory {}", root.display());
        let objects =
            LocalFileSystem::new_with_prefix(&root).map_err(|source| EvidenceError::Configure {
                store: description.clone(),
                source: Box::new(source),
            })?;
        Ok(EvidenceStore {
            objects: Arc::new(objects),
            description,
            local_root: Some(root),
            upload: UploadOptions::default(),
            packs: SharedPackIndex::default(),
        })
    }

    /// Opens an S3 store at `url` (`s3://bucket/prefix`) with the settings
    /// of `builder`. Does not contact the server.
    fn open_s3(url: &Url, builder: AmazonS3Builder) -> Result<Self> {
        let invalid = |reason: &str| EvidenceError::InvalidLocation {
            location: redact(url.as_str()),
            reason: reason.to_owned(),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "credentials are read from the AWS_* environment variables, never from the URL",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "options are read from the AWS_* environment variables, not from the URL",
            ));
        }
        let bucket = url
            .host_str()
            .filter(|bucket| !bucket.is_empty())
            .ok_or_else(|| invalid("the URL names no bucket (s3://bucket/prefix)"))?;
        let prefix = url.path().trim_matches('/');
        let prefix = ObjectPath::parse(prefix)
            .map_err(|e| invalid(&format!("the prefix `{prefix}` is not a valid key: {e}")))?;
        let mut description = format!("s3://{bucket}");
        if !prefix.as_ref().is_empty() {
            description = format!("{description}/{prefix}");
        }
        if let Some(endpoint) = builder.get_config_value(&AmazonS3ConfigKey::Endpoint) {
            description = format!("{description} at {}", redact(&endpoint));
        }
        let s3 = builder
            .with_url(format!("s3://{bucket}"))
            .build()
            .map_err(|source| EvidenceError::Configure {
                store: description.clone(),
                source: Box::new(source),
            })?;
        let objects: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(EvidenceStore {
            objects,
            description,
            local_root: None,
            upload: UploadOptions::default(),
            packs: SharedPackIndex::default(),
        })
    }

    /// The size of the stored blob `digest`, if the store holds it.
    async fn stored_size(&self, digest: &Digest) -> Result<Option<u64>> {
        if let Some(packed) = self.packed(digest, false).await? {
            return Ok(Some(packed.size));
        }
        match self.objects.head(&object_path(digest)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(self.store_error("check", *digest, source)),
        }
    }

    /// Whether the store holds `digest` with the expected size. A blob of
    /// another size can only have been altered (uploads are atomic); it is
    /// then replaced by the content that does hash to its name.
    pub(crate) async fn is_present(&self, digest: &Digest, size: u64) -> Result<bool> {
        Ok(self.stored_size(digest).await? == Some(size))
    }

    /// Uploads the file at `path`, which hashed to `expected` (`size` bytes),
    /// hashing it again as it is read; abandons the upload if it differs.
    async fn upload_file(&self, path: &Path, expected: Digest, size: u64) -> Result<()> {
        let fail = |source| self.store_error("upload", expected, source);
        let actual = self
            .upload_to(path, &object_path(&expected), size, Some(expected), &fail)
            .await?;
        changed(path, expected, actual)
    }

    /// Uploads the file at `path` (`size` bytes) to `location`; returns the
    /// hash of what was read. With `expected`, abandons the upload when that
    /// hash differs (the file changed since it was hashed).
    async fn upload_to(
        &self,
        path: &Path,
        location: &ObjectPath,
        size: u64,
        expected: Option<Digest>,
        fail: &(dyn Fn(object_store::Error) -> EvidenceError + Sync),
    ) -> Result<Digest> {
        if size <= self.upload.multipart_threshold {
            let (content, digest) = read_whole(path.to_owned()).await?;
            if expected.is_some_and(|expected| expected != digest) {
                return Ok(digest);
            }
            self.objects
                .put(location, PutPayload::from(content))
                .await
                .map_err(fail)?;
            return Ok(digest);
        }
        let upload = self.objects.put_multipart(location).await.map_err(fail)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.upload.part_size);
        let read = self.send_parts(path, &mut writer, fail).await;
        match read {
            Ok(digest) if expected.is_none_or(|expected| expected == digest) => {
                writer.finish().await.map_err(fail)?;
                Ok(digest)
            }
            outcome => {
                // Parts already sent are discarded; a failure to discard
                // them matters less than why the upload stopped.
                let _ = writer.abort().await;
                outcome
            }
        }
    }

    /// Reads `path` part by part into `writer`, waiting for the parts in
    /// flight; returns the hash of what was sent.
    async fn send_parts(
        &self,
        path: &Path,
        writer: &mut WriteMultipart,
        fail: &(dyn Fn(object_store::Error) -> EvidenceError + Sync),
    ) -> Result<Digest> {
        let file = fs_err::File::open(path).map_err(|source| file_error("read", path, source))?;
        let mut state = Some((file, Hasher::default()));
        let part_size = self.upload.part_size;
        loop {
            writer
                .wait_for_capacity(self.upload.parts_in_flight)
                .await
                .map_err(fail)?;
            let (mut file, mut hasher) =
                state.take().expect("the file is put back after each part");
            let owned = path.to_owned();
            let (file, hasher, part) = tokio::task::spawn_blocking(move || {
                let mut part = Vec::with_capacity(part_size);
                (&mut file)
                    .take(part_size as u64)
                    .read_to_end(&mut part)
                    .map_err(|source| file_error("read", &owned, source))?;
                hasher.update(&part);
                Ok::<_, EvidenceError>((file, hasher, part))
            })
            .await
            .map_err(|e| fail(e.into()))??;
            if part.is_empty() {
                return Ok(hasher.finish().0);
            }
            writer.put(Bytes::from(part));
            state = Some((file, hasher));
        }
    }

    /// Verifies one blob: its size and its problem, if any.
    async fn verify_one(
        &self,
        digest: Digest,
        which: Source,
    ) -> Result<(u64, Option<BlobProblem>)> {
        match self.stream_blob(digest, io::sink(), which).await {
            Ok((actual, size, _)) if actual == digest => Ok((size, None)),
            Ok((actual, size, _)) => Ok((size, Some(BlobProblem::Tampered { digest, actual }))),
            Err(StreamError::Store(EvidenceError::Missing { .. })) => {
                Ok((0, Some(BlobProblem::Missing { digest })))
            }
            Err(StreamError::Store(error)) => Err(error),
            Err(StreamError::Sink(_)) => unreachable!("io::sink never fails"),
        }
    }

    /// Streams blob `digest` into `sink`, hashing it; returns what it hashes
    /// to, its size and the sink. Memory stays bounded by the read buffer
    /// (local) or the transfer chunks (remote).
    async fn stream_blob<W: Write + Send + 'static>(
        &self,
        digest: Digest,
        sink: W,
        which: Source,
    ) -> Result<(Digest, u64, W), StreamError> {
        let join = |e: tokio::task::JoinError| {
            StreamError::Store(self.store_error("read", digest, e.into()))
        };
        let packed = match which {
            Source::Any => self
                .read_packed(digest, false)
                .await
                .map_err(StreamError::Store)?,
            Source::Loose => None,
        };
        let result = if packed.is_some() {
            None
        } else {
            match self.objects.get(&object_path(&digest)).await {
                Ok(result) => Some(result),
                Err(object_store::Error::NotFound { .. }) if which == Source::Any => None,
                Err(source) => return Err(StreamError::Store(self.read_error(digest, source))),
            }
        };
        let Some(result) = result else {
            let bytes = match packed {
                Some(bytes) => bytes,
                None => self
                    .read_packed(digest, true)
                    .await
                    .map_err(StreamError::Store)?
                    .ok_or_else(|| StreamError::Store(self.missing(digest)))?,
            };
            // A packed blob is small: hashed and written whole.
            let (actual, size, sink) = tokio::task::spawn_blocking(move || {
                let mut sink = sink;
                sink.write_all(&bytes)?;
                sink.flush()?;
                let (actual, size) = {
                    let mut hasher = Hasher::default();
                    hasher.update(&bytes);
                    hasher.finish()
                };
                Ok::<_, io::Error>((actual, size, sink))
            })
            .await
            .map_err(join)?
            .map_err(StreamError::Sink)?;
            return Ok((actual, size, sink));
        };
        match result.payload {
            GetResultPayload::File(file, path) => {
                let (hasher, sink) =
                    tokio::task::spawn_blocking(move || copy_hashing(file, &path, sink))
                        .await
                        .map_err(join)?
                        .map_err(|e| match e {
                            CopyError::Read(source) => {
                                StreamError::Store(self.read_error(digest, source))
                            }
                            CopyError::Write(e) => StreamError::Sink(e),
                        })?;
                let (actual, size) = hasher.finish();
                Ok((actual, size, sink))
            }
            GetResultPayload::Stream(mut stream) => {
                let mut hasher = Hasher::default();
                let mut sink = Some(sink);
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk
                        .map_err(|source| StreamError::Store(self.read_error(digest, source)))?;
                    hasher.update(&chunk);
                    let mut owned = sink.take().expect("the sink is put back after each chunk");
                    let written = tokio::task::spawn_blocking(move || {
                        owned.write_all(&chunk).map(|()| owned)
                    })
                    .await
                    .map_err(join)?
                    .map_err(StreamError::Sink)?;
                    sink = Some(written);
                }
                let (actual, size) = hasher.finish();
                Ok((
                    actual,
                    size,
                    sink.expect("the sink is put back after each chunk"),
                ))
            }
        }
    }

    /// Where blob `digest` is packed, if it is. The packs' indexes are read
    /// on first use; with `refresh`, indexes written since (by another
    /// review) are read too when the blob is not found.
    pub(crate) async fn packed(&self, digest: &Digest, refresh: bool) -> Result<Option<Packed>> {
        let loaded = self.packs.loaded.load(Ordering::Acquire);
        if !loaded || (refresh && self.packs.locate(digest).is_none()) {
            self.refresh_packs().await?;
        }
        Ok(self.packs.locate(digest))
    }

    /// The index of the store's packs, loaded, for a staging area that
    /// checks which blobs are known without waiting.
    pub(crate) async fn pack_index(&self) -> Result<SharedPackIndex> {
        if !self.packs.loaded.load(Ordering::Acquire) {
            self.refresh_packs().await?;
        }
        Ok(self.packs.clone())
    }

    /// Every object under `packs/`.
    pub(crate) async fn list_packs(&self) -> Result<Vec<object_store::ObjectMeta>> {
        self.objects
            .list(Some(&ObjectPath::from(pack::PACKS)))
            .try_collect()
            .await
            .map_err(|source| EvidenceError::List {
                store: self.description.clone(),
                source: Box::new(source),
            })
    }

    /// Reads the index of every pack not read yet. An index that cannot be
    /// trusted is left out (its blobs are not found);
    /// [`verify_all`](Self::verify_all) names it.
    async fn refresh_packs(&self) -> Result<()> {
        let listed = self.list_packs().await?;
        for meta in listed {
            let Some(PackObject::Index(name)) = PackObject::from_key(meta.location.as_ref()) else {
                continue;
            };
            if self.packs.has_seen(&name) {
                continue;
            }
            let bytes = self.read_object(&meta.location).await?;
            match pack::decode_index(&name, &bytes) {
                Ok((entries, _)) => self.packs.add(name, &entries),
                Err(_) => self.packs.write().mark_seen(name),
            }
        }
        self.packs.loaded.store(true, Ordering::Release);
        Ok(())
    }

    /// The bytes of a packed blob, not verified yet, if it is packed.
    async fn read_packed(&self, digest: Digest, refresh: bool) -> Result<Option<Bytes>> {
        let Some(packed) = self.packed(&digest, refresh).await? else {
            return Ok(None);
        };
        if packed.size == 0 {
            return Ok(Some(Bytes::new()));
        }
        let range = packed.offset..packed.offset + packed.size;
        self.objects
            .get_range(&ObjectPath::from(pack::pack_key(&packed.pack)), range)
            .await
            .map(Some)
            .map_err(|source| self.read_error(digest, source))
    }

    /// A whole object (a pack index), unverified.
    pub(crate) async fn read_object(&self, location: &ObjectPath) -> Result<Bytes> {
        let fail = |source| EvidenceError::Pack {
            action: "read",
            key: location.to_string(),
            store: self.description.clone(),
            source: Box::new(source),
        };
        self.objects
            .get(location)
            .await
            .map_err(fail)?
            .bytes()
            .await
            .map_err(fail)
    }

    /// The object store underneath.
    pub(crate) fn objects(&self) -> &dyn ObjectStore {
        self.objects.as_ref()
    }

    /// Forgets the packs read so far (some were removed): they are read
    /// again on next use.
    pub(crate) fn forget_packs(&self) {
        *self.packs.write() = PackIndex::default();
        self.packs.loaded.store(false, Ordering::Release);
    }

    pub(crate) fn list_error(&self, source: object_store::Error) -> EvidenceError {
        EvidenceError::List {
            store: self.description.clone(),
            source: Box::new(source),
        }
    }

    fn missing(&self, digest: Digest) -> EvidenceError {
        EvidenceError::Missing {
            digest,
            store: self.description.clone(),
        }
    }

    fn check(&self, digest: Digest, actual: Digest) -> Result<()> {
        if actual == digest {
            Ok(())
        } else {
            Err(EvidenceError::Tampered {
                digest,
                actual,
                store: self.description.clone(),
            })
        }
    }

    fn read_error(&self, digest: Digest, source: object_store::Error) -> EvidenceError {
        match source {
            object_store::Error::NotFound { .. } => EvidenceError::Missing {
                digest,
                store: self.description.clone(),
            },
            source => self.store_error("read", digest, source),
        }
    }

    pub(crate) fn store_error(
        &self,
        action: &'static str,
        digest: Digest,
        source: object_store::Error,
    ) -> EvidenceError {
        EvidenceError::Store {
            action,
            digest,
            store: self.description.clone(),
            source: Box::new(source),
        }
    }
}

impl fmt::Display for EvidenceStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvidenceStore")
            .field("location", &self.description)
            .field("upload", &self.upload)
            .finish_non_exhaustive()
    }
}

/// Which copy of a blob to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Whichever the store has: packed first, then loose.
    Any,
    /// The loose object `sha256/…` only (auditing every object).
    Loose,
}

/// A blob from [`EvidenceStore::fetch_in_order`].
#[derive(Debug)]
pub enum Fetched {
    /// Its content, checked against its digest.
    Whole(Bytes),
    /// A large blob, to stream with [`EvidenceStore::get_to_writer`].
    Stream(Digest),
}

/// Why streaming a blob out failed: the store, or the sink it went to.
enum StreamError {
    Store(EvidenceError),
    Sink(io::Error),
}

enum CopyError {
    Read(object_store::Error),
    Write(io::Error),
}

/// Copies a local blob to `sink`, hashing it.
fn copy_hashing<W: Write>(
    mut file: std::fs::File,
    path: &Path,
    mut sink: W,
) -> Result<(Hasher, W), CopyError> {
    let mut hasher = Hasher::default();
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(CopyError::Read(object_store::Error::Generic {
                    store: "LocalFileSystem",
                    source: Box::new(file_error("read", path, source)),
                }));
            }
        };
        hasher.update(&buffer[..n]);
        sink.write_all(&buffer[..n]).map_err(CopyError::Write)?;
    }
    sink.flush().map_err(CopyError::Write)?;
    Ok((hasher, sink))
}

/// What [`hard_link`] did.
enum Link {
    Linked,
    Exists,
    /// Not linked (another file system, no hard links): copy instead.
    Unsupported,
}

fn hard_link(source: &Path, target: &Path) -> Link {
    if let Some(parent) = target.parent()
        && std::fs::create_dir_all(parent).is_err()
    {
        return Link::Unsupported;
    }
    match std::fs::hard_link(source, target) {
        Ok(()) => Link::Linked,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Link::Exists,
        Err(_) => Link::Unsupported,
    }
}

fn object_path(digest: &Digest) -> ObjectPath {
    ObjectPath::from(digest.store_key())
}

fn problem_order(problem: &BlobProblem) -> (u8, Option<Digest>, String) {
    match problem {
        BlobProblem::Missing { digest } | BlobProblem::Tampered { digest, .. } => {
            (0, Some(*digest), String::new())
        }
        BlobProblem::Stray { key } | BlobProblem::Pack { key, .. } => (1, None, key.clone()),
    }
}

fn file_error(action: &'static str, path: &Path, source: io::Error) -> EvidenceError {
    EvidenceError::File {
        action,
        path: path.to_owned(),
        source,
    }
}

fn changed(path: &Path, expected: Digest, actual: Digest) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(EvidenceError::FileChanged {
            path: path.to_owned(),
            expected,
            actual,
        })
    }
}

/// Hashes the file at `path` on the blocking pool.
async fn hash_file(path: PathBuf) -> Result<(Digest, u64)> {
    let join_path = path.clone();
    tokio::task::spawn_blocking(move || {
        let file = fs_err::File::open(&path).map_err(|source| file_error("read", &path, source))?;
        let mut reader = io::BufReader::with_capacity(READ_BUFFER, file);
        let mut hasher = Hasher::default();
        loop {
            let buffer = match std::io::BufRead::fill_buf(&mut reader) {
                Ok([]) => return Ok(hasher.finish()),
                Ok(buffer) => buffer,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(file_error("read", &path, source)),
            };
            hasher.update(buffer);
            let n = buffer.len();
            std::io::BufRead::consume(&mut reader, n);
        }
    })
    .await
    .map_err(|e| file_error("read", &join_path, io::Error::other(e)))?
}

/// Reads a (small) file whole on the blocking pool, with its hash.
async fn read_whole(path: PathBuf) -> Result<(Bytes, Digest)> {
    let join_path = path.clone();
    tokio::task::spawn_blocking(move || {
        let content = fs_err::read(&path).map_err(|source| file_error("read", &path, source))?;
        let digest = Digest::of(&content);
        Ok((Bytes::from(content), digest))
    })
    .await
    .map_err(|e| file_error("read", &join_path, io::Error::other(e)))?
}

/// The scheme of `location` if it is a URL (`scheme://…`), `None` for a
/// plain path.
fn scheme_of(location: &str) -> Option<&str> {
    let (scheme, _) = location.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// `location` without user name, password, query or fragment, which may
/// hold credentials.
pub(crate) fn redact(location: &str) -> String {
    if let Ok(mut url) = Url::parse(location) {
        // Setting these fails only for URLs that cannot hold them, which
        // then do not.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.set_query(None);
        url.set_fragment(None);
        return url.to_string();
    }
    let (scheme, rest) = location.split_once("://").unwrap_or(("", location));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    if scheme.is_empty() {
        rest.to_owned()
    } else {
        format!("{scheme}://{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_found_only_in_urls() {
        assert_eq!(scheme_of("s3://bucket/x"), Some("s3"));
        assert_eq!(scheme_of("file:///tmp/x"), Some("file"));
        assert_eq!(scheme_of("/var/lib/oversight"), None);
        assert_eq!(scheme_of("relative/dir"), None);
        assert_eq!(scheme_of("C:\\evidence"), None);
        assert_eq!(scheme_of("://x"), None);
    }

    #[test]
    fn redaction_removes_user_password_and_query() {
        assert_eq!(
            redact("s3://AKIAEXAMPLE:not-a-real-secret@bucket/p?token=abc#f"),
            "s3://bucket/p"
        );
        assert_eq!(redact("gs://user@bucket/x"), "gs://bucket/x");
        assert_eq!(redact("weird://u:p@[bad/x?y"), "weird://[bad/x");
        assert_eq!(redact("/plain/path"), "/plain/path");
    }

    #[test]
    fn s3_location_parses_bucket_and_prefix_without_network() {
        let url = Url::parse("s3://evidence-bucket/team/a").unwrap();
        let builder = AmazonS3Builder::new()
            .with_region("eu-west-1")
            .with_endpoint("http://127.0.0.1:9")
            .with_allow_http(true)
            .with_access_key_id("AKIAEXAMPLE")
            .with_secret_access_key("not-a-real-secret");
        let store = EvidenceStore::open_s3(&url, builder).unwrap();
        assert_eq!(
            store.describe(),
            "s3://evidence-bucket/team/a at http://127.0.0.1:9/"
        );
        assert!(!format!("{store:?}").contains("not-a-real-secret"));
        assert_eq!(store.local_path(&Digest::of(b"x")), None);
    }

    #[test]
    fn s3_location_without_prefix_or_with_credentials() {
        let url = Url::parse("s3://bucket").unwrap();
        let store = EvidenceStore::open_s3(&url, AmazonS3Builder::new()).unwrap();
        assert_eq!(store.describe(), "s3://bucket");
        let url = Url::parse("s3://key:not-a-real-secret@bucket/p").unwrap();
        let error = EvidenceStore::open_s3(&url, AmazonS3Builder::new()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("s3://bucket/p"), "{message}");
        assert!(!message.contains("not-a-real-secret"), "{message}");
    }
}
