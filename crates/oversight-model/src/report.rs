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

    /// Groups identical findings inside one delivered archive: more than
    /// [`GROUP_AT`] of one rule, at one severity, with one message, among
    /// the members of one top-level archive (the same cause in many places:
    /// every member of an archive bomb) become the first of them, whose
    /// message gives the count and the first places. Findings in the
    /// delivery's own files are never grouped: each is a place a reviewer
    /// must see. Every output format then shows
    /// one finding with the count rather than ten thousand lines.
    /// Findings keep their order; applying it twice changes nothing more.
    pub fn group_identical(&mut self) {
        self.findings = group_identical(std::mem::take(&mut self.findings));
    }
}

/// How many identical findings are listed one by one before they are
/// grouped.
pub const GROUP_AT: usize = 10;

/// See [`ScanReport::group_identical`].
pub fn group_identical(findings: Vec<Finding>) -> Vec<Finding> {
    use std::collections::HashMap;
    type Key = (&'static str, Severity, String, String);
    // Only members of an archive group, with the other members of the same
    // top-level archive.
    let key = |f: &Finding| -> Option<Key> {
        let path = &f.location.path;
        (path.depth() > 0).then(|| {
            (
                f.rule.id,
                f.severity,
                f.message.clone(),
                path.segments()[0].clone(),
            )
        })
    };
    let mut counts: HashMap<Key, usize> = HashMap::new();
    for f in &findings {
        if let Some(k) = key(f) {
            *counts.entry(k).or_default() += 1;
        }
    }
    if counts.values().all(|&n| n <= GROUP_AT) {
        return findings;
    }
    let mut groups: HashMap<Key, (usize, Vec<String>)> = HashMap::new();
    let mut out = Vec::with_capacity(findings.len());
    let mut firsts = Vec::new();
    for f in findings {
        let Some(k) = key(&f).filter(|k| counts[k] > GROUP_AT) else {
            out.push(Some(f));
            continue;
        };
        let (seen, places) = groups.entry(k).or_default();
        *seen += 1;
        if places.len() < 5 {
            places.push(f.location.path.to_string());
        }
        if *seen == 1 {
            firsts.push(out.len());
            out.push(Some(f));
        }
    }
    for i in firsts {
        let f = out[i].as_mut().expect("kept");
        let (n, places) = &groups[&key(f).expect("a grouped finding is in an archive")];
        f.message = format!(
            "{} [{n} findings of this rule with this cause, grouped; the first at {}{}]",
            f.message,
            places.join(", "),
            if *n > places.len() { ", …" } else { "" }
        );
    }
    out.into_iter().flatten().collect()
}
