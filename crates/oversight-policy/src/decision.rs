//! Evaluating a policy on what a review gathered: the decision and its
//! reasons.
//!
//! [`evaluate`] is pure: the caller scans the delivery, loads the waivers
//! and the advisory snapshot times, and passes them in an [`Input`];
//! nothing here touches files, storage or the clock.
//!
//! The rules, in the order reasons are listed:
//!
//! * a finding whose severity reaches its category's threshold blocks,
//!   unless a waiver lifts it; blocking findings are grouped by rule and
//!   severity (one reason per group, naming count, places and fingerprints);
//! * every required deliverable must match at least one delivered file, and
//!   every JUnit report that matches must parse, hold at least one test case
//!   and no failure or error;
//! * when the policy sets `max_advisory_age_days`, at least one advisory
//!   snapshot must have been used and none may be older than that;
//! * a waiver lifts a blocking finding when its fingerprint is the
//!   finding's, it has not expired (`expires` is today or later, in UTC),
//!   the content hash it was bound to equals the current hash of the
//!   finding's file (both absent when the finding's path is not a delivered
//!   file or its hash is unknown), the category is waivable and the waiver
//!   is not longer than the policy's `max_days`. A waiver of that
//!   fingerprint that does not apply is noted, with why.
//!
//! The outcome is `rejected` if any reason blocks; otherwise
//! `accepted-with-waivers` if a waiver lifted something; otherwise
//! `accepted`. Deliverables and the advisory database cannot be waived.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use oversight_model::{Finding, Fingerprint, Severity};

use crate::policy::{DeliverableKind, Policy};

/// One file of the delivery, as the caller's manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredFile {
    /// Its delivery path (`src/x.js`, `release.zip!/LICENSE`), as findings
    /// display theirs.
    pub path: String,
    /// SHA-256 of its content (hex), when the scan read it whole.
    pub sha256: Option<String>,
}

/// A waiver the organisation holds for the engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Its id (`wvr-…`).
    pub id: String,
    /// The fingerprint of the finding it lifts.
    pub fingerprint: String,
    /// SHA-256 (hex) of the finding's file when the waiver was granted;
    /// `None` when the finding had no hashed file.
    pub content_sha256: Option<String>,
    /// The last day it applies.
    pub expires: Date,
    /// When it was granted (for the policy's `max_days`).
    pub granted_at: Timestamp,
    /// Who approved it.
    pub approver: String,
    /// Why it was granted.
    pub reason: String,
}

/// One advisory source of the snapshot the scan used, and how recent it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisorySnapshot {
    /// The source (`rustsec`, `osv:PyPI`, a directory).
    pub source: String,
    /// When it was imported.
    pub imported_at: Timestamp,
    /// The newest `modified` date of its records: the age of the data,
    /// which is what freshness is measured from (a two-year-old snapshot
    /// imported today is two years old). `None`: no record carries a date.
    pub data_as_of: Option<Timestamp>,
}

/// Everything [`evaluate`] looks at besides the policy.
pub struct Input<'a> {
    /// The scan's findings (after advisory matching, VEX and baselines).
    pub findings: &'a [Finding],
    /// Every file of the delivery, with its hash.
    pub files: &'a [DeliveredFile],
    /// Returns a delivered file's bytes by delivery path (`None`: cannot be
    /// read back); only deliverables that must be parsed are read.
    pub read: &'a dyn Fn(&str) -> Option<Vec<u8>>,
    /// The components the scan inventoried from lockfiles and manifests
    /// (a delivered SBOM must agree with them).
    pub components: &'a [oversight_model::Component],
    /// The delivered revision (a git commit id), when the delivery is one:
    /// SAST results must name it.
    pub commit: Option<&'a str>,
    /// The advisory sources the scan matched against (empty: none).
    pub advisories: &'a [AdvisorySnapshot],
    /// The waivers held for the engagement.
    pub waivers: &'a [Waiver],
    /// The time of the review.
    pub now: Timestamp,
}

/// The outcome of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing blocks.
    Accepted,
    /// Something would have blocked, and waivers lifted every such finding.
    AcceptedWithWaivers,
    /// Something blocks.
    Rejected,
}

impl Outcome {
    /// The name recorded and shown (`accepted-with-waivers`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::AcceptedWithWaivers => "accepted-with-waivers",
            Outcome::Rejected => "rejected",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReasonKind {
    /// Findings at or above their category's threshold, not waived.
    BlockingFinding,
    /// A required deliverable matches no delivered file.
    MissingDeliverable,
    /// A JUnit report is unreadable, malformed, empty or shows failures.
    FailingTestReport,
    /// A required deliverable is present by name but its content does not
    /// satisfy the policy (empty, unparsable, contradicting the delivery,
    /// a licence the policy does not allow).
    InvalidDeliverable,
    /// No advisory snapshot, or one older than the policy allows.
    StaleAdvisoryDatabase,
    /// A finding that would have blocked, lifted by a waiver (information).
    WaivedFinding,
    /// A waiver of a blocking finding that does not apply, and why
    /// (information; the finding itself is a blocking reason).
    WaiverNotApplied,
    /// A required deliverable whose content was checked and passed, with
    /// what was found (information).
    DeliverableChecked,
}

impl ReasonKind {
    /// The name recorded (`blocking-finding`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::BlockingFinding => "blocking-finding",
            ReasonKind::MissingDeliverable => "missing-deliverable",
            ReasonKind::FailingTestReport => "failing-test-report",
            ReasonKind::StaleAdvisoryDatabase => "stale-advisory-database",
            ReasonKind::WaivedFinding => "waived-finding",
            ReasonKind::WaiverNotApplied => "waiver-not-applied",
            ReasonKind::InvalidDeliverable => "invalid-deliverable",
            ReasonKind::DeliverableChecked => "deliverable-checked",
        }
    }

    /// Whether a reason of this kind blocks acceptance.
    pub fn blocks(self) -> bool {
        !matches!(
            self,
            ReasonKind::WaivedFinding
                | ReasonKind::WaiverNotApplied
                | ReasonKind::DeliverableChecked
        )
    }
}

impl fmt::Display for ReasonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// What it is about; [`ReasonKind::blocks`] tells whether it blocks.
    pub kind: ReasonKind,
    /// One sentence naming the rule, file, deliverable or source, and counts.
    pub message: String,
    /// The fingerprints of the findings concerned (empty for deliverables
    /// and the advisory database).
    pub fingerprints: Vec<Fingerprint>,
}

impl Reason {
    /// Whether this reason blocks acceptance.
    pub fn blocks(&self) -> bool {
        self.kind.blocks()
    }
}

/// The decision on a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Accepted, rejected or accepted with waivers.
    pub outcome: Outcome,
    /// Every reason: blocking ones first, then waived findings, then notes.
    pub reasons: Vec<Reason>,
    /// Each finding a waiver lifted, with the waiver's id, in findings order.
    pub waived: Vec<(Fingerprint, String)>,
    /// The policy's name.
    pub policy_name: String,
    /// The policy's version.
    pub policy_version: String,
    /// SHA-256 of the policy's text.
    pub policy_sha256: String,
}

impl Decision {
    /// The fingerprints of the findings that block, in reason order.
    pub fn blocking_fingerprints(&self) -> impl Iterator<Item = &Fingerprint> {
        self.reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::BlockingFinding)
            .flat_map(|r| &r.fingerprints)
    }
}

/// How many places a grouped reason names before "and N more".
const PLACES_SHOWN: usize = 5;

/// Evaluates `policy` on `input`.
pub fn evaluate(policy: &Policy, input: &Input<'_>) -> Decision {
    let today = input.now.to_zoned(TimeZone::UTC).date();
    let hashes: HashMap<&str, Option<&str>> = input
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_deref()))
        .collect();

    // Blocking findings, grouped by (severity, rule), most severe first.
    let mut groups: BTreeMap<(std::cmp::Reverse<Severity>, &str), Vec<&Finding>> = BTreeMap::new();
    let mut waived_reasons = Vec::new();
    let mut notes = Vec::new();
    let mut waived = Vec::new();
    for finding in input.findings {
        if !policy.threshold_of(finding).blocks(finding.severity) {
            continue;
        }
        let path = finding.location.path.to_string();
        let content = hashes.get(path.as_str()).copied().flatten();
        let mut applying: Option<&Waiver> = None;
        let mut refused = Vec::new();
        for waiver in input
            .waivers
            .iter()
            .filter(|w| w.fingerprint == finding.fingerprint.as_str())
        {
            match refusal(policy, finding, waiver, content, today) {
                None if applying.is_none_or(|a| waiver.expires > a.expires) => {
                    applying = Some(waiver);
                }
                None => {}
                Some(why) => refused.push((waiver, why)),
            }
        }
        match applying {
            Some(waiver) => {
                waived.push((finding.fingerprint.clone(), waiver.id.clone()));
                waived_reasons.push(Reason {
                    kind: ReasonKind::WaivedFinding,
                    message: format!(
                        "{} {} at {}: waived by {} until {} (approved by {}: {})",
                        finding.severity,
                        finding.rule.id,
                        place(finding),
                        waiver.id,
                        waiver.expires,
                        waiver.approver,
                        waiver.reason
                    ),
                    fingerprints: vec![finding.fingerprint.clone()],
                });
            }
            None => {
                for (waiver, why) in refused {
                    notes.push(Reason {
                        kind: ReasonKind::WaiverNotApplied,
                        message: format!(
                            "Waiver {} does not lift {} {} at {}: {why}",
                            waiver.id,
                            finding.severity,
                            finding.rule.id,
                            place(finding)
                        ),
                        fingerprints: vec![finding.fingerprint.clone()],
                    });
                }
                groups
                    .entry((std::cmp::Reverse(finding.severity), finding.rule.id))
                    .or_default()
                    .push(finding);
            }
        }
    }

    let mut reasons: Vec<Reason> = groups
        .into_values()
        .map(|findings| blocking_reason(policy, &findings))
        .collect();
    let mut checked = Vec::new();
    check_deliverables(policy, input, &mut reasons, &mut checked);
    check_advisories(policy, input, &mut reasons);
    reasons.append(&mut waived_reasons);
    reasons.append(&mut notes);
    reasons.append(&mut checked);

    let outcome = if reasons.iter().any(Reason::blocks) {
        Outcome::Rejected
    } else if waived.is_empty() {
        Outcome::Accepted
    } else {
        Outcome::AcceptedWithWaivers
    };
    Decision {
        outcome,
        reasons,
        waived,
        policy_name: policy.name().to_owned(),
        policy_version: policy.version().to_owned(),
        policy_sha256: policy.sha256(),
    }
}

/// Why `waiver` (of `finding`'s fingerprint) does not apply, or `None`.
fn refusal(
    policy: &Policy,
    finding: &Finding,
    waiver: &Waiver,
    content: Option<&str>,
    today: Date,
) -> Option<String> {
    if !policy.is_waivable(finding.category()) {
        return Some(format!(
            "the policy allows no waiver of {} findings",
            finding.category()
        ));
    }
    if waiver.expires < today {
        return Some(format!("it expired on {}", waiver.expires));
    }
    if let Some(max_days) = policy.waivers().max_days {
        let granted = waiver.granted_at.to_zoned(TimeZone::UTC).date();
        let days = waiver.expires.duration_since(granted).as_hours() / 24;
        if days > i64::from(max_days) {
            return Some(format!(
                "it was granted on {granted} for {days} days, and the policy allows at most {max_days}"
            ));
        }
    }
    let bound = waiver.content_sha256.as_deref();
    let same = match (bound, content) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    };
    if !same {
        return Some(format!(
            "it was granted for {} content {}, and the file is now {}",
            finding.location.path,
            short_hash(bound),
            short_hash(content)
        ));
    }
    None
}

fn short_hash(hash: Option<&str>) -> String {
    match hash {
        Some(h) => format!("sha256:{}", h.get(..12).unwrap_or(h)),
        None => "unhashed".to_owned(),
    }
}

fn place(finding: &Finding) -> String {
    match finding.location.line {
        Some(line) => format!("{}:{line}", finding.location.path),
        None => finding.location.path.to_string(),
    }
}

/// One reason for findings of the same rule and severity.
fn blocking_reason(policy: &Policy, findings: &[&Finding]) -> Reason {
    let first = findings[0];
    let count = findings.len();
    let mut places: Vec<String> = findings
        .iter()
        .take(PLACES_SHOWN)
        .map(|f| place(f))
        .collect();
    if count > PLACES_SHOWN {
        places.push(format!("and {} more", count - PLACES_SHOWN));
    }
    Reason {
        kind: ReasonKind::BlockingFinding,
        message: format!(
            "{count} {} {} finding{} ({} blocks at {}): {}",
            first.severity,
            first.rule.id,
            if count == 1 { "" } else { "s" },
            first.category(),
            policy.threshold(first.category()),
            places.join(", ")
        ),
        fingerprints: findings.iter().map(|f| f.fingerprint.clone()).collect(),
    }
}

/// Pushes what blocks to `reasons` and what passed to `checked` (notes).
fn check_deliverables(
    policy: &Policy,
    input: &Input<'_>,
    reasons: &mut Vec<Reason>,
    checked: &mut Vec<Reason>,
) {
    for deliverable in policy.deliverables() {
        let found: Vec<&str> = input
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|path| deliverable.matches(path))
            .collect();
        if found.is_empty() {
            reasons.push(Reason {
                kind: ReasonKind::MissingDeliverable,
                message: format!(
                    "Required deliverable missing: {} (no file matches {})",
                    deliverable.label(),
                    deliverable.globs().join(", ")
                ),
                fingerprints: Vec::new(),
            });
            continue;
        }
        // Every matching file must pass (a second, garbage report next to a
        // good one is not ignored).
        for path in found {
            let inspection = match (input.read)(path) {
                None => Err("could not be read back".to_owned()),
                Some(bytes) => crate::deliverables::inspect(
                    policy,
                    deliverable,
                    path,
                    &bytes,
                    input.components,
                    input.commit,
                ),
            };
            let problem = match inspection {
                Ok(found) => {
                    checked.push(Reason {
                        kind: ReasonKind::DeliverableChecked,
                        message: format!("Deliverable {} {path}: {found}", deliverable.label()),
                        fingerprints: Vec::new(),
                    });
                    continue;
                }
                Err(problem) => problem,
            };
            reasons.push(match problem {
                problem if deliverable.kind() == DeliverableKind::Junit => Reason {
                    kind: ReasonKind::FailingTestReport,
                    message: format!("Test report {path} ({}): {problem}", deliverable.label()),
                    fingerprints: Vec::new(),
                },
                problem => Reason {
                    kind: ReasonKind::InvalidDeliverable,
                    message: format!(
                        "Required deliverable {} {path} {problem}",
                        deliverable.label()
                    ),
                    fingerprints: Vec::new(),
                },
            });
        }
    }
}

fn check_advisories(policy: &Policy, input: &Input<'_>, reasons: &mut Vec<Reason>) {
    let Some(days) = policy.max_advisory_age_days() else {
        return;
    };
    if input.advisories.is_empty() {
        reasons.push(Reason {
            kind: ReasonKind::StaleAdvisoryDatabase,
            message: format!(
                "No advisory database was used; the policy requires one imported at most {days} days before the review (`oversight db import` or `db update`)"
            ),
            fingerprints: Vec::new(),
        });
        return;
    }
    let allowed = SignedDuration::from_hours(24 * i64::from(days));
    for snapshot in input.advisories {
        let Some(as_of) = snapshot.data_as_of else {
            reasons.push(Reason {
                kind: ReasonKind::StaleAdvisoryDatabase,
                message: format!(
                    "Advisory source {} carries no modified date, so how recent its data is cannot be told; the policy requires data at most {days} days old",
                    snapshot.source
                ),
                fingerprints: Vec::new(),
            });
            continue;
        };
        let age = input.now.duration_since(as_of);
        if age > allowed {
            reasons.push(Reason {
                kind: ReasonKind::StaleAdvisoryDatabase,
                message: format!(
                    "Advisory source {}: its newest record was modified {} days ago ({as_of}, imported {}); the policy allows data at most {days} days old",
                    snapshot.source,
                    age.as_hours() / 24,
                    snapshot.imported_at
                ),
                fingerprints: Vec::new(),
            });
        }
    }
}

/// The decision as short lines for a terminal: a summary line, then one
/// line per reason marked `BLOCK`, `WAIVED` or `NOTE`.
///
/// ```text
/// rejected (policy portal-acceptance, version 2026-11-28): 2 blocking reasons, 1 waived finding
///   BLOCK   1 high secret.aws-access-key finding (secret blocks at low and above): config.env:3
///   BLOCK   Required deliverable missing: sbom (no file matches **/*.cdx.json, …)
///   WAIVED  medium malicious.build-script at build.rs: waived by wvr-1 until 2026-12-31 (…)
/// ```
pub fn render_lines(decision: &Decision) -> Vec<String> {
    let blocking = decision.reasons.iter().filter(|r| r.blocks()).count();
    let waived = decision.waived.len();
    let mut lines = vec![format!(
        "{} (policy {}, version {}): {blocking} blocking reason{}, {waived} waived finding{}",
        decision.outcome,
        decision.policy_name,
        decision.policy_version,
        if blocking == 1 { "" } else { "s" },
        if waived == 1 { "" } else { "s" },
    )];
    for reason in &decision.reasons {
        let mark = match reason.kind {
            ReasonKind::WaivedFinding => "WAIVED",
            kind if !kind.blocks() => "NOTE",
            _ => "BLOCK",
        };
        lines.push(format!("  {mark:<7} {}", reason.message));
    }
    lines
}

#[cfg(test)]
mod tests;
