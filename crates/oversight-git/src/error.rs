//! The one error type of this crate.
//!
//! Every variant names the repository it is about and, where it applies, the
//! revision or object, so that a message read in a log or a report stands on
//! its own. The underlying `gix` error is flattened into a `reason` string: it
//! keeps `gix`'s types out of this crate's public interface.

use std::path::PathBuf;

/// Something went wrong while reading a repository.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path could not be inspected at all.
    #[error("Cannot inspect {path}: {source}")]
    Io {
        /// The path that was given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The path looks like a repository but `gix` could not open it.
    #[error("Cannot open git repository {path}: {reason}")]
    Open {
        /// The path that was given.
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },
    /// A revision did not resolve to a single commit.
    #[error("Cannot resolve revision `{rev}` to a commit in {repo}: {reason}")]
    Resolve {
        /// The repository.
        repo: PathBuf,
        /// The revision as given.
        rev: String,
        /// Why it failed.
        reason: String,
    },
    /// A string that should be an object id is not one.
    #[error("`{oid}` is not a valid object id for {repo}")]
    InvalidOid {
        /// The repository.
        repo: PathBuf,
        /// The string as given.
        oid: String,
    },
    /// An object that history or a tree points to is not in the object database.
    #[error("Object {oid} ({what}) is missing from {repo}")]
    MissingObject {
        /// The repository.
        repo: PathBuf,
        /// The missing object.
        oid: String,
        /// What the object is, such as `parent of commit 1234…` or `tree of src/`.
        what: String,
    },
    /// An object could not be read or decoded.
    #[error("Cannot read object {oid} ({what}) in {repo}: {reason}")]
    Object {
        /// The repository.
        repo: PathBuf,
        /// The object.
        oid: String,
        /// What the object is.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// A blob was asked for, and the object is something else.
    #[error("Object {oid} in {repo} is a {actual}, not a blob")]
    NotABlob {
        /// The repository.
        repo: PathBuf,
        /// The object.
        oid: String,
        /// The kind the object header names.
        actual: String,
    },
    /// A blob is larger than the caller is willing to load.
    #[error("Blob {oid} in {repo} has {size} bytes, over the limit of {max_bytes}")]
    TooLarge {
        /// The repository.
        repo: PathBuf,
        /// The blob.
        oid: String,
        /// Its size according to its header.
        size: u64,
        /// The limit that was given.
        max_bytes: u64,
    },
    /// A tree expands to more entries than this crate lists, which only a
    /// crafted repository (the same subtree referenced over and over) does.
    #[error("The tree of `{rev}` in {repo} has more than {limit} entries")]
    TooManyEntries {
        /// The repository.
        repo: PathBuf,
        /// The revision as given.
        rev: String,
        /// The limit.
        limit: usize,
    },
}

/// Renders a `gix` error with its whole chain on one line.
pub(crate) fn reason(error: &impl std::fmt::Display) -> String {
    format!("{error:#}")
}
