//! The records of the acceptance gate: deliveries, the findings recorded for
//! them, the decision taken, waivers and evidence documents.
//!
//! Like the register's records, they are edge types: what the columns need
//! for listing and status queries, plus a canonical JSON `document` whose
//! shape the register crate owns. Rows are only ever inserted; nothing here
//! is updated or deleted, so the evidence of a past review cannot change.

/// A delivery that went through `oversight review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The review's id (`rev-…`), also the decision's id.
    pub id: String,
    /// The engagement it was delivered under; the engagement must exist.
    pub engagement_id: String,
    /// RFC 3339 time the delivery was recorded.
    pub recorded_at: String,
    /// SHA-256 (hex) of the delivery's canonical manifest: what was delivered.
    pub content_digest: String,
    /// Number of files in the manifest (archive members included).
    pub file_count: i64,
    /// Sum of their sizes in bytes.
    pub total_bytes: i64,
    /// Everything else (target, tool and rule-set versions, advisory
    /// snapshot, policy, evidence-store digests) as canonical JSON.
    pub document: String,
}

/// One finding as recorded for a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRecord {
    /// 0-based position in the delivery's sorted findings.
    pub ordinal: i64,
    /// The finding's fingerprint (hex).
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Category (`secret`, `vulnerability`, …).
    pub category: String,
    /// Severity after the reviewer's overrides.
    pub severity: String,
    /// Path inside the delivery, empty for delivery-wide findings.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<i64>,
    /// The (already redacted) message.
    pub message: String,
    /// SHA-256 (hex) of the file the finding is in, when known.
    pub content_sha256: Option<String>,
    /// What the policy made of it: `blocking`, `waived` or `noted`.
    pub disposition: String,
    /// The waiver that applied, when `waived`.
    pub waiver_id: Option<String>,
}

/// The decision taken on a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// `accepted`, `rejected` or `accepted-with-waivers`.
    pub outcome: String,
    /// Who reviewed.
    pub reviewer: String,
    /// RFC 3339 time of the decision.
    pub decided_at: String,
    /// Reasons, policy name and version, as canonical JSON.
    pub document: String,
}

/// A delivery, its findings and its decision: recorded together or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    /// The delivery.
    pub delivery: DeliveryRecord,
    /// Its findings.
    pub findings: Vec<FindingRecord>,
    /// The decision.
    pub decision: DecisionRecord,
}

/// An organisation-held waiver of one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRecord {
    /// The waiver's id (`wvr-…`).
    pub id: String,
    /// The engagement it applies to; the engagement must exist.
    pub engagement_id: String,
    /// The finding fingerprint it waives.
    pub fingerprint: String,
    /// SHA-256 (hex) of the offending file when waived; the waiver stops
    /// applying when the content changes.
    pub content_sha256: Option<String>,
    /// Why.
    pub reason: String,
    /// Who asked for it.
    pub requester: String,
    /// Who approved it (never the requester).
    pub approver: String,
    /// Last day it applies, `YYYY-MM-DD`.
    pub expires: String,
    /// RFC 3339 time it was granted.
    pub granted_at: String,
}

/// Someone who may approve waivers, with the SSH public key their
/// approvals are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproverRecord {
    /// The name approvals give (`--approver`).
    pub name: String,
    /// The public key, in OpenSSH format (`ssh-ed25519 AAAA… comment`).
    pub public_key: String,
    /// Its SHA-256 fingerprint (`SHA256:…`).
    pub fingerprint: String,
    /// Who registered it.
    pub added_by: String,
    /// RFC 3339 time of the registration.
    pub added_at: String,
}

/// The revocation of a waiver before it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRevocation {
    /// The waiver revoked.
    pub waiver_id: String,
    /// Its engagement.
    pub engagement_id: String,
    /// Why.
    pub reason: String,
    /// Who revoked it.
    pub revoked_by: String,
    /// RFC 3339 time of the revocation.
    pub revoked_at: String,
}

/// An evidence document (pentest report, certificate, attestation) kept for
/// an engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// The document's id (`evd-…`).
    pub id: String,
    /// The engagement; the engagement must exist.
    pub engagement_id: String,
    /// Kind, as the engagement's assurance terms name it (`pentest-report`).
    pub kind: String,
    /// Original file name.
    pub name: String,
    /// SHA-256 (hex) of the content in the evidence store.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Last day it is valid, `YYYY-MM-DD`, when it expires.
    pub expires: Option<String>,
    /// Who added it.
    pub added_by: String,
    /// RFC 3339 time it was added.
    pub added_at: String,
}

/// The latest review of one engagement, for status views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestReview {
    /// The engagement.
    pub engagement_id: String,
    /// The delivery.
    pub delivery_id: String,
    /// Its decision's outcome.
    pub outcome: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// When the last accepted delivery (this one or an earlier one) was recorded.
    pub last_accepted_at: Option<String>,
    /// Blocking findings of this delivery, per category.
    pub blocking: Vec<(String, i64)>,
}

/// The rule of findings for components no complete advisory source covers.
pub const UNCHECKED_VULNERABILITY_RULE: &str = "coverage.advisories-missing";

/// The key under which [`blocking_summary`] counts them.
pub const UNCHECKED_VULNERABILITY: &str = "unchecked-vulnerability";

/// Blocking findings per category, as the `decisions.blocking` column keeps
/// them: `category=count` pairs joined by `;`, sorted by category.
pub fn blocking_summary(findings: &[FindingRecord]) -> String {
    let mut counts = std::collections::BTreeMap::<&str, i64>::new();
    for f in findings.iter().filter(|f| f.disposition == "blocking") {
        *counts.entry(f.category.as_str()).or_default() += 1;
    }
    // Components left unchecked for known vulnerabilities (no complete
    // advisory source), blocking or not: the vulnerability factor is not
    // met by a review that could not look.
    let unchecked = findings
        .iter()
        .filter(|f| f.rule == UNCHECKED_VULNERABILITY_RULE)
        .count();
    if unchecked > 0 {
        counts.insert(
            UNCHECKED_VULNERABILITY,
            i64::try_from(unchecked).unwrap_or(i64::MAX),
        );
    }
    counts
        .iter()
        .map(|(category, n)| format!("{category}={n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads [`blocking_summary`]'s text back; malformed pairs are skipped.
pub fn parse_blocking_summary(text: &str) -> Vec<(String, i64)> {
    text.split(';')
        .filter_map(|pair| {
            let (category, n) = pair.split_once('=')?;
            Some((category.to_owned(), n.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_summary_round_trips() {
        let f = |category: &str, disposition: &str| FindingRecord {
            ordinal: 0,
            fingerprint: String::new(),
            rule: String::new(),
            category: category.into(),
            severity: "high".into(),
            path: String::new(),
            line: None,
            message: String::new(),
            content_sha256: None,
            disposition: disposition.into(),
            waiver_id: None,
        };
        let findings = [
            f("secret", "blocking"),
            f("malicious", "blocking"),
            f("secret", "blocking"),
            f("license", "noted"),
            f("vulnerability", "waived"),
        ];
        let text = blocking_summary(&findings);
        assert_eq!(text, "malicious=1;secret=2");
        assert_eq!(
            parse_blocking_summary(&text),
            vec![("malicious".to_owned(), 1), ("secret".to_owned(), 2)]
        );
        assert!(parse_blocking_summary("").is_empty());
    }
}
