//! Reads a delivered git repository the way git itself does: through its
//! object database, never by scanning `.git` as files and never by running the
//! `git` binary.
//!
//! A supplier may deliver source code as a git repository rather than as a
//! tree of files. What the customer then receives is a history and the tree of
//! one revision, and a review (ISO 27001 A.8.30) has to look at both: who wrote
//! and signed the commits, and what the tree of the delivered revision holds,
//! including what it *does not* hold (a submodule's content, a blob missing from
//! a shallow clone) and what points outside of it (a symlink to `/etc/passwd`).
//!
//! * [`Repo::open`] opens a work tree root or a bare repository (it never
//!   searches parent directories), [`Repo::resolve`] turns a revision into a
//!   commit id.
//! * [`Repo::facts`] walks the history of a revision and fills
//!   [`oversight_model::GitFacts`].
//! * [`Repo::tree_entries`] lists the tree of a revision; a [`BlobReader`]
//!   loads blobs, one reader per thread.
//! * [`tree_issues`] turns problems of the tree into [`Issue`]s of the
//!   [`RULES`] of this crate, which the engine reports as findings.
//!
//! ```no_run
//! use oversight_git::{EntryKind, Repo};
//! # fn main() -> Result<(), oversight_git::Error> {
//! let repo = Repo::open("delivery".as_ref())?.expect("the delivery is a git repository");
//! let facts = repo.facts("HEAD")?;
//! println!("{} commits, {} signed", facts.commit_count, facts.signed_commits);
//! let entries = repo.tree_entries("HEAD")?;
//! let mut reader = repo.blob_reader();
//! for entry in entries.iter().filter(|e| e.kind == EntryKind::File) {
//!     let _content = reader.read(&entry.oid, 1 << 20)?;
//! }
//! for issue in oversight_git::tree_issues(&repo, &entries) {
//!     println!("{}: {}", issue.rule.id, issue.message);
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod blob;
mod error;
mod facts;
mod history;
mod issues;
mod open;
mod posture;
mod rules;
mod tree;

pub use blob::BlobReader;
pub use error::Error;
pub use history::{HistoryBlob, Introduction};
pub use issues::{Issue, tree_issues};
pub use posture::{
    CommitPosture, GIT_HISTORY_REWRITTEN, GIT_SIGNATURE_INVALID, GIT_SIGNATURE_UNVERIFIED,
    GIT_UNKNOWN_AUTHOR, GIT_UNSIGNED_COMMIT, MAX_COMMIT_ISSUES, POSTURE_RULES, Posture,
    PostureIssue, PostureRequirements, PostureTerms, SignatureState,
};
pub use rules::{
    GIT_BLOB_TOO_LARGE, GIT_OBJECT_MISSING, GIT_SUBMODULE, GIT_SYMLINK_OUTSIDE, RULES,
};
/// The key type of [`PostureTerms::signing_keys`].
pub use ssh_key::PublicKey as SigningKey;
pub use tree::{EntryKind, TreeEntry};

use std::path::{Path, PathBuf};

/// An opened repository. Cheap to clone and shareable between threads; each
/// operation takes its own thread-local view of the repository.
#[derive(Clone)]
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    kind: RepoKind,
    path: PathBuf,
}

/// How the repository was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoKind {
    /// A work tree root with a `.git` directory or `.git` file in it.
    WorkTree {
        /// The work tree root, as given to [`Repo::open`].
        workdir: PathBuf,
    },
    /// A git directory opened directly: a bare repository, or a `.git`
    /// directory delivered on its own.
    Bare,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Repo {
    /// How the repository was delivered.
    pub fn kind(&self) -> &RepoKind {
        &self.kind
    }

    /// The path the repository was opened from, as given to [`Repo::open`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The commit id (hex) that `rev` (`HEAD`, a branch, a tag, a commit id,
    /// `HEAD~3`…) resolves to, after peeling tags.
    pub fn resolve(&self, rev: &str) -> Result<String, Error> {
        let repo = self.local();
        self.resolve_in(&repo, rev).map(|id| id.to_string())
    }

    /// A reader for blobs, meant to live on one thread (for example through
    /// rayon's `map_init`).
    pub fn blob_reader(&self) -> BlobReader {
        BlobReader::new(self.local(), self.path.clone())
    }

    /// A thread-local view of the repository.
    fn local(&self) -> gix::Repository {
        self.inner.to_thread_local()
    }

    fn resolve_in(&self, repo: &gix::Repository, rev: &str) -> Result<gix::ObjectId, Error> {
        let error = |reason: String| Error::Resolve {
            repo: self.path.clone(),
            rev: rev.to_owned(),
            reason,
        };
        let id = repo
            .rev_parse_single(rev)
            .map_err(|e| error(error::reason(&e)))?;
        let object = id.object().map_err(|e| error(error::reason(&e)))?;
        let commit = object
            .peel_to_commit()
            .map_err(|e| error(error::reason(&e)))?;
        Ok(commit.id)
    }
}

/// Hex form of an object id for messages and results.
fn hex(id: &gix::oid) -> String {
    id.to_string()
}

// `Repo` is shared between the scan's worker threads; this fails to compile
// if `gix` is built without its `parallel` feature (which swaps `Arc` for `Rc`).
const _: () = {
    fn shareable<T: Clone + Send + Sync>() {}
    let _ = shareable::<Repo>;
};
