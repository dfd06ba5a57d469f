//! The typed documents a review records: the delivery document (what was
//! scanned, with what, and where its evidence is), the decision document
//! (the reasons) and the ledger summary. They are stored as canonical JSON
//! and read back into these types, never by string keys.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, Result};

/// The tool that reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolRef {
    /// `oversight`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The built-in secret rule set, by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRuleSet {
    /// `builtin`.
    pub set: String,
    /// SHA-256 of the rule file.
    pub sha256: String,
}

/// The licence data the review used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceData {
    /// The SPDX licence list version.
    pub spdx_license_list: String,
}

/// The rules a review ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSets {
    /// Secret rules.
    pub secrets: SecretRuleSet,
    /// Licence data.
    pub licences: LicenceData,
    /// How many rules the scan had.
    pub rules: usize,
}

/// One advisory snapshot matched against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisoryRef {
    /// Where it came from.
    pub source: String,
    /// The snapshot's digest.
    pub digest: String,
    /// How many advisories it holds.
    pub advisories: usize,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// How recent its data is, when known.
    #[serde(default)]
    pub data_as_of: Option<String>,
}

/// The policy a review evaluated, and whether it was the agreed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// The policy's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// SHA-256 of its text.
    pub sha256: String,
    /// `agreed`, `explicit` or `default`.
    pub source: String,
    /// The digest of the policy the engagement agreed, if any.
    #[serde(default)]
    pub agreed_sha256: Option<String>,
    /// Whether the policy used is not the agreed one.
    pub differs_from_agreed: bool,
}

/// How the delivery was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRef {
    /// The git revision asked for.
    #[serde(default)]
    pub rev: Option<String>,
    /// Whether the git history was scanned.
    #[serde(default)]
    pub history: bool,
    /// The commit scanned.
    #[serde(default)]
    pub git_commit: Option<String>,
}

/// Where the review's evidence is: blob digests in the evidence store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRefs {
    /// The store that holds them.
    pub store: String,
    /// The manifest of the delivered files.
    pub manifest: String,
    /// The facts a later diff compares.
    pub facts: String,
    /// The JSON report.
    pub report: String,
    /// The CycloneDX SBOM.
    pub sbom: String,
    /// The policy's text.
    pub policy: String,
}

impl EvidenceRefs {
    /// Each blob with its role, in a fixed order.
    pub fn blobs(&self) -> [(&'static str, &str); 5] {
        [
            ("manifest", &self.manifest),
            ("facts", &self.facts),
            ("report", &self.report),
            ("sbom", &self.sbom),
            ("policy", &self.policy),
        ]
    }
}

/// What a review recorded about the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDocument {
    /// The target as given.
    pub target: String,
    /// `directory`, `file`, `archive` or `git`.
    pub target_kind: String,
    /// The tool.
    pub tool: ToolRef,
    /// The rules.
    pub rule_sets: RuleSets,
    /// The advisory snapshots.
    #[serde(default)]
    pub advisories: Vec<AdvisoryRef>,
    /// The policy.
    pub policy: PolicyRef,
    /// The copyright holders expected.
    #[serde(default)]
    pub expected_holders: Vec<String>,
    /// How it was read.
    pub scan: ScanRef,
    /// Its evidence.
    pub evidence: EvidenceRefs,
    /// How many components it declares.
    pub components: usize,
    /// The engagement's threat model traced into this delivery (absent when
    /// the engagement had none, and in reviews recorded before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threats: Option<crate::threats::Traceability>,
}

/// One reason of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonRecord {
    /// The reason's kind.
    pub kind: String,
    /// Whether it blocks acceptance.
    pub blocks: bool,
    /// What it says.
    pub message: String,
    /// The findings it is about.
    #[serde(default)]
    pub fingerprints: Vec<String>,
}

impl ReasonRecord {
    /// The record of `reason`.
    pub fn of(reason: &oversight_policy::Reason) -> ReasonRecord {
        ReasonRecord {
            kind: reason.kind.as_str().to_owned(),
            blocks: reason.blocks(),
            message: reason.message.clone(),
            fingerprints: reason
                .fingerprints
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
        }
    }
}

/// What a review recorded about its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionDocument {
    /// Every reason, in order.
    pub reasons: Vec<ReasonRecord>,
    /// The policy.
    pub policy: PolicyRef,
}

/// The `summary` of a `delivery.reviewed` ledger event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    /// The policy.
    pub policy: PolicyRef,
    /// The tool's version.
    pub tool_version: String,
    /// The advisory snapshots.
    pub advisories: Vec<AdvisoryRef>,
    /// The evidence.
    pub evidence: EvidenceRefs,
    /// Blocking reasons.
    pub blocking: usize,
}

/// Canonical JSON of a document, as the register stores it.
pub fn canonical<T: Serialize>(document: &T) -> String {
    let value = serde_json::to_value(document).expect("documents serialise to JSON");
    oversight_ledger::canonical::to_string(&value)
}

/// Reads the delivery document of review `review` back.
pub fn delivery_document(review: &str, text: &str) -> Result<DeliveryDocument> {
    serde_json::from_str(text).map_err(|e| AppError::Corrupt {
        what: format!("The delivery document of review {review}"),
        reason: e.to_string(),
    })
}

/// Reads the decision document of review `review` back.
pub fn decision_document(review: &str, text: &str) -> Result<DecisionDocument> {
    serde_json::from_str(text).map_err(|e| AppError::Corrupt {
        what: format!("The decision document of review {review}"),
        reason: e.to_string(),
    })
}
