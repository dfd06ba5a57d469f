//! Switches of a scan, each with a safe default.

use std::collections::BTreeMap;

use oversight_model::Severity;

/// Options of a scan. Every limit has a default that keeps a hostile delivery
/// (a zip bomb, a million empty entries) from exhausting the machine; hitting
/// a limit is a `coverage` finding, never a silent skip.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

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
        }
    }
}
