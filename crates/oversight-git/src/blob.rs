//! Loading blobs, one reader per thread.
//!
//! A `gix::Repository` keeps per-thread caches and is not `Sync`, so the scan
//! engine gives each worker thread its own [`BlobReader`]. The size limit is
//! checked against the object header first, so an oversized blob is never
//! decompressed into memory.

use crate::{Error, error};
use gix::objs::{Find as _, FindHeader as _};
use std::path::PathBuf;

/// Reads blobs of one repository; create one per thread with
/// [`crate::Repo::blob_reader`].
pub struct BlobReader {
    repo: gix::Repository,
    path: PathBuf,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl BlobReader {
    pub(crate) fn new(repo: gix::Repository, path: PathBuf) -> Self {
        BlobReader { repo, path }
    }

    /// Loads the blob `oid` (hex).
    ///
    /// Fails with [`Error::TooLarge`], without loading the content, when the
    /// object header says the blob has more than `max_bytes` bytes; with
    /// [`Error::MissingObject`] when the object database lacks it; with
    /// [`Error::NotABlob`] when `oid` names another kind of object.
    pub fn read(&mut self, oid: &str, max_bytes: u64) -> Result<Vec<u8>, Error> {
        let id = gix::ObjectId::from_hex(oid.as_bytes()).map_err(|_| Error::InvalidOid {
            repo: self.path.clone(),
            oid: oid.to_owned(),
        })?;
        if id.is_empty_blob() {
            return Ok(Vec::new());
        }
        let missing = || Error::MissingObject {
            repo: self.path.clone(),
            oid: oid.to_owned(),
            what: "blob".to_owned(),
        };
        let object_error = |reason: String| Error::Object {
            repo: self.path.clone(),
            oid: oid.to_owned(),
            what: "blob".to_owned(),
            reason,
        };
        let header = self
            .repo
            .objects
            .try_header(&id)
            .map_err(|e| object_error(error::reason(&e)))?
            .ok_or_else(missing)?;
        if header.kind != gix::objs::Kind::Blob {
            return Err(Error::NotABlob {
                repo: self.path.clone(),
                oid: oid.to_owned(),
                actual: header.kind.to_string(),
            });
        }
        if header.size > max_bytes {
            return Err(Error::TooLarge {
                repo: self.path.clone(),
                oid: oid.to_owned(),
                size: header.size,
                max_bytes,
            });
        }
        let mut buffer = Vec::new();
        let data = self
            .repo
            .objects
            .try_find(&id, &mut buffer)
            .map_err(|e| object_error(error::reason(&e)))?
            .ok_or_else(missing)?;
        Ok(data.data.to_vec())
    }
}

impl BlobReader {
    /// Whether the object database holds `oid`; `false` for an invalid id.
    pub(crate) fn exists(&self, oid: &str) -> bool {
        use gix::objs::Exists as _;
        gix::ObjectId::from_hex(oid.as_bytes())
            .is_ok_and(|id| id.is_empty_blob() || self.repo.objects.exists(&id))
    }
}
