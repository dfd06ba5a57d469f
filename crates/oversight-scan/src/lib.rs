//! The engine that reads a delivery once and runs every detector on that pass.
//!
//! A [`Scanner`] is built once from a set of [`Detector`]s and
//! [`ScanOptions`]; it is immutable and can scan many targets. A target is a
//! directory, a single file, an archive, or a git repository (work tree or
//! bare). The engine:
//!
//! 1. **acquires** the target: walks a directory (every file, hidden or
//!    ignored, without following links), or lists the tree of a git revision
//!    through the object database;
//! 2. **reads** each file once, on all cores, in bounded windows: the first
//!    64 KiB go to [`Detector::check_head`]; archives recognised by content are
//!    opened in-process and their members read the same way, recursively to a
//!    depth limit; every window is searched once by a multi-pattern automaton
//!    built from all detectors' patterns;
//! 3. **detects**: each detector sees only the windows where its patterns
//!    occurred, plus whole files it asked for by name;
//! 4. returns a [`ScanReport`]: findings with stable fingerprints, a
//!    coverage summary and, when asked ([`ScanOptions::record_manifest`]),
//!    the manifest of every file read with its SHA-256, hashed on the same
//!    pass; a [`ContentTap`] can receive each top-level file's bytes on that
//!    pass too.
//!
//! **Fail closed.** Anything not fully read (too large, corrupt, encrypted,
//! unreadable, too deep, a link that cannot be resolved) becomes a `coverage`
//! finding. Nothing is skipped silently.
//!
//! **Never execute.** Nothing in the delivery is run, and no file from inside
//! the delivery configures the scan.
//!
//! ```no_run
//! use oversight_scan::{ScanOptions, ScannerBuilder};
//! let scanner = ScannerBuilder::new().options(ScanOptions::default()).build().unwrap();
//! let report = scanner.scan(std::path::Path::new("delivery/"), &oversight_scan::NoProgress).unwrap();
//! println!("{} findings", report.findings.len());
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod collect;
pub mod config;
mod options;
mod patterns;
mod progress;
pub mod rules;
mod scan;
mod tap;
mod walk;

pub use options::ScanOptions;
pub use progress::{NoProgress, Progress};
pub use scan::{BuildError, ScanError, Scanner, ScannerBuilder, max_threads};
pub use tap::{ContentTap, TapWriter};

#[doc(no_inline)]
pub use oversight_detect::Detector;
#[doc(no_inline)]
pub use oversight_model::ScanReport;
