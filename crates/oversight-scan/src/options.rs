//! Switches of a scan, each with a safe default.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use oversight_model::Severity;

use crate::ContentTap;

/// Options of a scan. Every limit has a default that keeps a hostile delivery
/// (a zip bomb, a million empty entries) from exhausting the machine; hitting
/// a limit is a `coverage` finding, never a silent skip.
#[derive(Clone)]
pub struct ScanOptions {
    /// Limits applied inside archives.
    pub archive: oversight_archive::Limits,
    /// How many archives deep to open (a member of a member of a zip is depth 2).
    pub max_depth: u32,
    /// Largest plain file to read; larger files are a coverage finding.
    pub max_file_bytes: u64,
    /// Largest git blob to read (git blobs are loaded whole).
    pub max_git_blob_bytes: u64,
    /// Longest time the detectors may spend on one file. A catastrophic
    /// input cannot hang the scan: what remains of the file is reported as a
    /// coverage finding instead.
    pub max_file_time: std::time::Duration,
    /// The git revision to scan; `None` scans HEAD and the work tree.
    pub rev: Option<String>,
    /// Also scan every blob in the repository's history that is not in the
    /// scanned tree (deleted files, other branches, old versions).
    pub history: bool,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Findings at or above this severity fail the scan.
    pub fail_on: Severity,
    /// Severity overrides by rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Record the delivery's manifest in [`ScanReport::manifest`]: every file
    /// read (archive members at every depth, git blobs, history blobs, and
    /// each archive itself) with its size and SHA-256, computed during the
    /// single read pass. Off by default: hashing costs CPU and a plain scan
    /// does not need it. Forced on when [`content_tap`](Self::content_tap)
    /// is set.
    ///
    /// [`ScanReport::manifest`]: oversight_model::ScanReport::manifest
    pub record_manifest: bool,
    /// Receives the bytes of every top-level file as they are read (see
    /// [`ContentTap`] for which files and the contract). Compared by identity.
    pub content_tap: Option<Arc<dyn ContentTap>>,
}

impl ScanOptions {
    /// Whether the scan hashes what it reads.
    pub(crate) fn records_manifest(&self) -> bool {
        self.record_manifest || self.content_tap.is_some()
    }
}

impl fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ScanOptions {
            archive,
            max_depth,
            max_file_bytes,
            max_git_blob_bytes,
            max_file_time,
            rev,
            history,
            threads,
            fail_on,
            severity,
            record_manifest,
            content_tap,
        } = self;
        f.debug_struct("ScanOptions")
            .field("archive", archive)
            .field("max_depth", max_depth)
            .field("max_file_bytes", max_file_bytes)
            .field("max_git_blob_bytes", max_git_blob_bytes)
            .field("max_file_time", max_file_time)
            .field("rev", rev)
            .field("history", history)
            .field("threads", threads)
            .field("fail_on", fail_on)
            .field("severity", severity)
            .field("record_manifest", record_manifest)
            .field("content_tap", &content_tap.as_ref().map(|_| "ContentTap"))
            .finish()
    }
}

impl PartialEq for ScanOptions {
    fn eq(&self, other: &Self) -> bool {
        let ScanOptions {
            archive,
            max_depth,
            max_file_bytes,
            max_git_blob_bytes,
            max_file_time,
            rev,
            history,
            threads,
            fail_on,
            severity,
            record_manifest,
            content_tap,
        } = self;
        let same_tap = match (content_tap, &other.content_tap) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        *archive == other.archive
            && *max_depth == other.max_depth
            && *max_file_bytes == other.max_file_bytes
            && *max_git_blob_bytes == other.max_git_blob_bytes
            && *max_file_time == other.max_file_time
            && *rev == other.rev
            && *history == other.history
            && *threads == other.threads
            && *fail_on == other.fail_on
            && *severity == other.severity
            && *record_manifest == other.record_manifest
            && same_tap
    }
}

impl Eq for ScanOptions {}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            archive: oversight_archive::Limits::default(),
            max_depth: 5,
            max_file_bytes: 8 << 30,
            max_git_blob_bytes: 256 << 20,
            max_file_time: std::time::Duration::from_secs(60),
            rev: None,
            history: false,
            threads: None,
            fail_on: Severity::High,
            severity: BTreeMap::new(),
            record_manifest: false,
            content_tap: None,
        }
    }
}
