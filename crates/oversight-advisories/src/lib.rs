//! Offline vulnerability advisories for a delivery's component inventory.
//!
//! A [`Database`] is a local index of advisory snapshots imported from
//! files the reviewer holds (never fetched implicitly): OSV records (a
//! directory tree of JSON/YAML or an osv.dev `all.zip`), the RustSec
//! advisory-db and the PyPA advisory-database. Each import is recorded as a
//! [`Snapshot`] with a content digest, so a review can state which data it
//! used.
//!
//! [`Database::match_component`] evaluates a component's version against
//! the advisories of its package in the ecosystem's own version ordering
//! ([`version`]) and returns [`Outcome`]s: an [`Outcome::Affected`] match
//! (ids merged across aliases, severity, fixed versions), or an
//! [`Outcome::Undecidable`] when the version or the advisory's ranges
//! cannot be evaluated; that is never silently "not vulnerable".
//!
//! Matching semantics, in short (details in the module docs of
//! [`version`] and in the source of `evaluate.rs`):
//!
//! * OSV `SEMVER` ranges use semver precedence in every ecosystem (a
//!   leading `v` is accepted, for Go); `ECOSYSTEM` ranges use the
//!   ecosystem's ordering; `introduced`/`fixed`/`last_affected`/`limit`
//!   follow the OSV schema's algorithm on sorted events.
//! * `GIT` ranges cannot place a version number among commits: they are
//!   ignored; an entry with only `GIT` ranges and no `versions` list (or
//!   with neither ranges nor versions) is undecidable.
//! * RustSec `patched`/`unaffected` requirements are evaluated as
//!   cargo-audit does (intervals under semver precedence); `[affected] os`
//!   and `arch` are not used to filter (cargo audit without `--target-os`
//!   does not either). Toolchain advisories (`rust/`) are not imported.
//! * Records are merged into one outcome when one names the other (its id
//!   among the other's aliases); the primary id is the database record's
//!   (RUSTSEC, PYSEC, GO, …), else GHSA, else CVE.
//! * Withdrawn advisories are stored and never matched.
//! * The index has one writer at a time: two processes importing into the
//!   same directory at once may lose one of the two snapshots (never
//!   corrupt the index, which is written by rename).
//!
//! ```no_run
//! use oversight_advisories::{Database, Outcome};
//! use oversight_model::Ecosystem;
//!
//! let mut db = Database::open("/home/me/.local/share/oversight/advisories")?;
//! db.import("/data/advisory-db".as_ref())?;
//! for outcome in db.match_component(Ecosystem::CratesIo, "smallvec", "1.6.0") {
//!     if let Outcome::Affected(m) = outcome {
//!         println!("{} {} fixed in {:?}", m.id, m.severity.as_str(), m.fixed);
//!     }
//! }
//! # Ok::<(), oversight_advisories::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod database;
mod evaluate;
pub mod findings;
mod import;
mod model;
pub mod name;
mod osv;
mod outcome;
mod rustsec;
mod store;
pub mod version;

use std::path::PathBuf;

pub use database::{Database, ImportReport, Snapshot, minimum_complete};
pub use import::{FileDiagnostic, MAX_FILE_BYTES, SourceKind};
pub use model::AdvisorySeverity;
pub use outcome::{Match, Outcome, Undecidable};

/// Errors of this crate. Per-file problems of an import are not errors:
/// they are [`FileDiagnostic`]s in the [`ImportReport`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An import stored no advisory: nothing is recorded.
    #[error(
        "No advisory could be imported from {path} ({failed} file(s) failed, {skipped} skipped); nothing was recorded"
    )]
    NothingImported {
        /// The source.
        path: PathBuf,
        /// Files that failed.
        failed: usize,
        /// Files skipped.
        skipped: usize,
    },
    /// A file or directory could not be read or written.
    #[error("Cannot access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A zip source could not be opened as a zip archive.
    #[error("Cannot read the zip archive {path}: {reason}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The source holds no advisory file.
    #[error("No advisory file (OSV *.json/*.yaml, RustSec RUSTSEC-*.md) in {path}")]
    NothingToImport {
        /// The source.
        path: PathBuf,
    },
    /// A file of the index is damaged or of another format version.
    #[error("The advisory index file {path} is unusable: {reason}")]
    Corrupt {
        /// The index file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}
