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
    /// The supplier's development environment as the delivery shows it: the
    /// git posture and the provenance delivered with artefacts (absent when
    /// the delivery is not a repository and carries no provenance, and in
    /// reviews recorded before).
    #[serde(default, skip_serializing_if = "PostureSection::is_empty")]
    pub posture: PostureSection,
}

/// What a review learned of the supplier's development environment from the
/// delivery itself: who wrote and signed the history, and what the delivered
/// provenance attests. Counts and ids only, in the order they were read, so
/// that the same delivery gives the same section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostureSection {
    /// The git posture of the delivered commit, when the delivery is a
    /// repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitPostureRecord>,
    /// Every provenance document delivered (DSSE envelopes, one record per
    /// envelope; Sigstore bundles), in delivery order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceRecord>,
}

impl PostureSection {
    /// Nothing to record: no repository, no provenance.
    pub fn is_empty(&self) -> bool {
        self.git.is_none() && self.provenance.is_empty()
    }

    /// Provenance documents whose signature verified with a key of the terms.
    pub fn provenance_verified(&self) -> usize {
        self.provenance.iter().filter(|p| p.verified).count()
    }
}

/// Whether the history was rewritten since the last accepted delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RewriteCheck {
    /// No earlier accepted delivery of the engagement was a repository
    /// (or the posture could not be read).
    NotChecked,
    /// The previously delivered commit is an ancestor of this one.
    No,
    /// It is not: the history was rewritten (or the commit is gone).
    Yes,
}

impl RewriteCheck {
    /// `not-checked`, `no` or `yes`.
    pub fn as_str(self) -> &'static str {
        match self {
            RewriteCheck::NotChecked => "not-checked",
            RewriteCheck::No => "no",
            RewriteCheck::Yes => "yes",
        }
    }
}

/// The git posture of a delivered commit, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitPostureRecord {
    /// The delivered commit.
    pub commit: String,
    /// Why the posture could not be read (then every count is 0 and a
    /// coverage finding was raised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    /// Commits examined: every commit reachable from the delivered one.
    pub commits: usize,
    /// Commits carrying a signature of any kind.
    pub signed: usize,
    /// Commits whose SSH signature verified with a registered key.
    pub verified: usize,
    /// Commits whose SSH signature verified, by a key not registered.
    #[serde(default)]
    pub unregistered_key: usize,
    /// Commits whose signature does not verify.
    #[serde(default)]
    pub invalid: usize,
    /// Commits with an OpenPGP or X.509 signature (not verified).
    #[serde(default)]
    pub unsupported: usize,
    /// Signing keys the terms register.
    pub keys_registered: usize,
    /// Declared e-mail domains checked against (empty: authors were not
    /// checked).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Commits with an author or committer outside the declared domains.
    #[serde(default)]
    pub unknown_author_commits: usize,
    /// Those e-mails, sorted, each once.
    #[serde(default)]
    pub unknown_identities: Vec<String>,
    /// Whether the history was rewritten since the last accepted delivery.
    pub rewritten: RewriteCheck,
    /// The previously accepted commit it was checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_commit: Option<String>,
}

/// One provenance document delivered with artefacts, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceRecord {
    /// The delivered file.
    pub file: String,
    /// The envelope's position in the file (1 for a single document).
    pub envelope: usize,
    /// `dsse` or `sigstore-bundle`.
    pub kind: String,
    /// Whether a signature verified with a key of the terms (a Sigstore
    /// bundle never is, yet).
    pub verified: bool,
    /// The key whose signature verified (`environment.provenance_keys[N]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// The builder, as stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder: Option<String>,
    /// The source revision, as stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_revision: Option<String>,
    /// The artefacts it is about (read only from a verified statement).
    #[serde(default)]
    pub subjects: Vec<SubjectRecord>,
    /// Why it was not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_verified: Option<String>,
}

/// An artefact a verified provenance statement names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRecord {
    /// Its name in the statement.
    pub name: String,
    /// The SHA-256 the statement gives (absent when it gives none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The SHA-256 of the delivered file it was matched to (absent when
    /// not delivered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_sha256: Option<String>,
    /// Whether the artefact is as stated (digest and source revision).
    pub matches: bool,
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
    /// The git posture and delivered provenance, as in the delivery
    /// document (absent when there was neither, and in events recorded
    /// before).
    #[serde(default, skip_serializing_if = "PostureSection::is_empty")]
    pub posture: PostureSection,
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

/// The blob review `review` kept as `role` (`manifest`, `facts`, `report`,
/// `sbom`, `policy`), read from `evidence` and checked against its digest
/// (a blob altered in the store is refused, never returned).
///
/// # Errors
///
/// [`crate::AppError`] if the review, its document or the blob cannot be
/// read, or the role is not one a review keeps.
pub async fn evidence_blob(
    register: &oversight_register::Register,
    evidence: &oversight_evidence::EvidenceStore,
    review: &str,
    role: &str,
) -> Result<Vec<u8>> {
    // The delivery's document only (kept once read), not its findings.
    let decided = register.review_decision(review).await?;
    let document = delivery_document(review, &decided.0.document)?;
    let Some((_, digest)) = document
        .evidence
        .blobs()
        .into_iter()
        .find(|(r, _)| *r == role)
    else {
        return Err(crate::AppError::Corrupt {
            what: format!("the `{role}` of review {review}"),
            reason: "a review keeps no such blob".to_owned(),
        });
    };
    crate::review::get(evidence, digest).await
}
