//! Why an evidence operation failed. Every message names the blob (digest),
//! the file or the store, and the reason.

use std::io;
use std::path::PathBuf;

use crate::Digest;

/// An evidence store or staging operation failed.
///
/// Store names in messages are [`EvidenceStore::describe`] strings, which
/// never hold credentials.
///
/// [`EvidenceStore::describe`]: crate::EvidenceStore::describe
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The location's scheme is not one the store knows.
    #[error(
        "Evidence store location `{location}` has the unsupported scheme `{scheme}`: expected a directory path, file://, s3:// or memory://"
    )]
    UnsupportedScheme {
        /// The location, with any user name, password and query removed.
        location: String,
        /// The scheme found.
        scheme: String,
    },

    /// The location has a known scheme but cannot be used.
    #[error("Evidence store location `{location}` cannot be used: {reason}")]
    InvalidLocation {
        /// The location, with any user name, password and query removed.
        location: String,
        /// Why.
        reason: String,
    },

    /// The store's client could not be configured (e.g. S3 settings from
    /// the `AWS_*` variables).
    #[error("Evidence store `{store}` cannot be configured")]
    Configure {
        /// The store.
        store: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },

    /// The blob is not in the store.
    #[error("Evidence blob sha256:{digest} is missing from {store}")]
    Missing {
        /// The blob.
        digest: Digest,
        /// The store.
        store: String,
    },

    /// The blob's content no longer hashes to its name: it was changed (or
    /// damaged) after it was stored. Its content is never returned.
    #[error(
        "Evidence blob sha256:{digest} in {store} was altered: its content hashes to sha256:{actual}"
    )]
    Tampered {
        /// The name the blob is stored under.
        digest: Digest,
        /// What its content hashes to now.
        actual: Digest,
        /// The store.
        store: String,
    },

    /// The store failed while working on a blob.
    #[error("Evidence store {store} failed to {action} blob sha256:{digest}")]
    Store {
        /// What was being done (`read`, `upload`, `check`).
        action: &'static str,
        /// The blob.
        digest: Digest,
        /// The store.
        store: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },

    /// The store failed while working on a pack of small blobs or its
    /// index (`packs/<name>.pack`, `packs/<name>.idx`).
    #[error("Evidence store {store} failed to {action} {key}")]
    Pack {
        /// What was being done (`read`, `upload`).
        action: &'static str,
        /// The pack's or index's key.
        key: String,
        /// The store.
        store: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },

    /// The store's blobs could not be listed.
    #[error("Evidence store {store} failed to list its blobs")]
    List {
        /// The store.
        store: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },

    /// A local file could not be read or written.
    #[error("Cannot {action} {}", path.display())]
    File {
        /// What was being done (`read`, `create`, `write`, `rename`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },

    /// A file changed while it was being stored: what was uploaded is not
    /// what was hashed first, so the upload was abandoned.
    #[error(
        "{} changed while it was stored as sha256:{expected}: its content now hashes to sha256:{actual}",
        path.display()
    )]
    FileChanged {
        /// The file.
        path: PathBuf,
        /// The digest it had when first hashed.
        expected: Digest,
        /// The digest of what was read for the upload.
        actual: Digest,
    },
}

/// The store's result type.
pub type Result<T, E = EvidenceError> = std::result::Result<T, E>;
