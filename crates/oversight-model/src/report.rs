//! The outcome of one scan, as every output format renders it.

use crate::Component;
use std::time::Duration;

use crate::{CoverageSummary, Finding, GitFacts, ManifestEntry, Rule, Severity, SpecialEntry};

/// Everything a scan produced, ready to be rendered or recorded.
#[derive(Debug, Clone)]
pub struct ScanReport {
    /// The target as the reviewer named it.
    pub target: String,
    /// What kind of target it was (`directory`, `file`, `archive`, `git`).
    pub target_kind: &'static str,
    /// Findings, sorted by path, line, column and rule.
    pub findings: Vec<Finding>,
    /// How much was read.
    pub coverage: CoverageSummary,
    /// Third-party components recorded by lockfiles, manifests and vendored
    /// package metadata, sorted by ecosystem, name, version and source.
    pub components: Vec<Component>,
    /// Every file read, with its size and SHA-256, sorted by path; empty
    /// unless the scan was asked to record it (it costs a hash per byte).
    pub manifest: Vec<ManifestEntry>,
    /// Every symbolic link and special file of a delivered directory, sorted
    /// by path; empty unless the manifest is recorded.
    pub special_entries: Vec<SpecialEntry>,
    /// Repository facts, when the target was a git repository.
    pub git: Option<GitFacts>,
    /// Every rule the scan could raise (for SARIF `tool.driver.rules`).
    pub rules: Vec<&'static Rule>,
    /// Findings at or above this severity make the scan fail.
    pub fail_on: Severity,
    /// Findings left out because the reviewer's baseline already holds their
    /// fingerprint.
    pub baseline_suppressed: u64,
    /// Wall time of the scan.
    pub elapsed: Duration,
    /// Version of the tool that produced the report.
    pub tool_version: &'static str,
}

impl ScanReport {
    /// Findings at or above the failure threshold.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.severity >= self.fail_on)
    }

    /// Whether the delivery passes the threshold.
    pub fn passed(&self) -> bool {
        self.blocking().next().is_none()
    }
}
