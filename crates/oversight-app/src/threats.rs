//! Threat-model use cases: import a model for an engagement, list it, hand
//! it over, record the supplier's acknowledgement, export it with a
//! review's verification state; and, for the review, trace the model into
//! a delivery (the traceability matrix and the `policy.threat-unmitigated`
//! findings).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use oversight_model::{
    Category, DeliveryPath, Finding, Fingerprint, Location, Rule, ScanReport, Severity,
};
use oversight_policy::{Decision, Policy, ReasonKind, THREAT_UNMITIGATED_RULE, Threshold};
use oversight_register::Register;
use oversight_register::threats::{AcknowledgementFile, StoredThreatModel, ThreatImport};
use oversight_store::{EvidenceRecord, ThreatModelEventRecord, ThreatModelVersion};
use oversight_threats::trace::{DeliveryFacts, OpenFinding, ThreatState, ThreatTrace};
use oversight_threats::{ExportFormat, Verification};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Result};

/// The rule of a threat a delivery did not show mitigated.
pub static THREAT_UNMITIGATED: Rule = Rule {
    id: THREAT_UNMITIGATED_RULE,
    category: Category::Policy,
    default_severity: Severity::High,
    summary: "A threat of the engagement's threat model was not shown mitigated by this delivery",
    help: "Each mitigation of the threat model names how a delivery shows it ([verify: rule …], \
           [verify: deliverable …], [verify: attestation …]). Fix what the reason names, add the \
           verification to the model and import it again, or waive the finding with a reason. \
           `[threats] block_at` in the acceptance policy sets the severity that blocks.",
};

/// The traceability matrix a review records (in its delivery document,
/// hence in the evidence pack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traceability {
    /// The model version traced.
    pub model_version: i64,
    /// SHA-256 of the model file.
    pub model_sha256: String,
    /// The lowest severity that blocks (`high`, …, or `never`).
    pub block_at: String,
    /// One row per threat.
    pub threats: Vec<ThreatTrace>,
}

impl Traceability {
    /// Rows in each state: (mitigated, unmitigated, not traced).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.threats.iter().filter(|t| t.state == s).count();
        (
            n(ThreatState::Mitigated),
            n(ThreatState::Unmitigated),
            n(ThreatState::NotTraced),
        )
    }
}

fn severity(s: oversight_threats::Severity) -> Severity {
    match s {
        oversight_threats::Severity::Low => Severity::Low,
        oversight_threats::Severity::Medium => Severity::Medium,
        oversight_threats::Severity::High => Severity::High,
        oversight_threats::Severity::Critical => Severity::Critical,
    }
}

fn threshold_name(t: Threshold) -> String {
    match t {
        Threshold::AtLeast(s) => s.to_string(),
        Threshold::Never => "never".to_owned(),
    }
}

/// What the review found, as the threat trace needs it. `first` is the
/// decision on the scan's own findings: it says which were waived and
/// which required deliverables passed.
pub fn delivery_facts(
    policy: &Policy,
    report: &ScanReport,
    first: &Decision,
    evidence: &[EvidenceRecord],
    today: jiff::civil::Date,
) -> DeliveryFacts {
    let waived: BTreeSet<&str> = first.waived.iter().map(|(f, _)| f.as_str()).collect();
    let mut facts = DeliveryFacts {
        rules_run: report.rules.iter().map(|r| r.id.to_owned()).collect(),
        ..DeliveryFacts::default()
    };
    for f in &report.findings {
        if waived.contains(f.fingerprint.as_str()) {
            continue;
        }
        let open = OpenFinding {
            rule: f.rule.id.to_owned(),
            fingerprint: f.fingerprint.as_str().to_owned(),
            path: f.location.path.to_string(),
        };
        if f.category() == Category::Coverage {
            facts.coverage_gaps.push(open);
        } else {
            facts.open_findings.push(open);
        }
    }
    // A required deliverable passed when no blocking reason names it. The
    // reasons are the policy crate's own sentences, each naming the
    // deliverable by its label; a verification may name the deliverable by
    // kind, label or any of its globs.
    for d in policy.deliverables() {
        let failed = first.reasons.iter().any(|r| {
            matches!(
                r.kind,
                ReasonKind::MissingDeliverable
                    | ReasonKind::InvalidDeliverable
                    | ReasonKind::FailingTestReport
            ) && r.message.contains(d.label())
        });
        let names = std::iter::once(d.kind().as_str().to_owned())
            .chain(std::iter::once(d.label().to_owned()))
            .chain(d.globs().iter().cloned());
        for name in names {
            let entry = facts.deliverables.entry(name).or_insert(true);
            *entry = *entry && !failed;
        }
    }
    for e in evidence {
        let current = e
            .expires
            .as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .is_none_or(|d| d >= today);
        if current {
            facts.attestations.insert(e.kind.clone());
        }
    }
    facts
}

/// Traces the engagement's model (version `version`, the current one when
/// `None`) into the delivery: the matrix,
/// and one `policy.threat-unmitigated` finding per unmitigated threat
/// (severity the threat's; whether it blocks is `[threats] block_at`).
/// `None` when the engagement has no model.
///
/// # Errors
/// The register fails or holds a model that no longer reads.
pub async fn trace_review(
    register: &Register,
    engagement: &str,
    version: Option<i64>,
    policy: &Policy,
    facts: &DeliveryFacts,
) -> Result<Option<(Traceability, Vec<Finding>)>> {
    let Some(stored) = register.threat_model(engagement, version).await? else {
        return Ok(None);
    };
    let rows = oversight_threats::trace::trace(&stored.model, facts);
    let place = DeliveryPath::root(format!("threat-model-v{}", stored.version));
    let findings = rows
        .iter()
        .filter(|t| t.state == ThreatState::Unmitigated)
        .map(|t| Finding {
            rule: &THREAT_UNMITIGATED,
            severity: severity(t.severity),
            location: Location::file(place.clone()),
            message: format!(
                "Threat {} ({}, {}) not shown mitigated: {}",
                t.threat, t.title, t.severity, t.reason
            ),
            evidence: None,
            // The threat's id, not the model version: a waiver follows the
            // threat across deliveries and model versions.
            fingerprint: Fingerprint::compute(
                THREAT_UNMITIGATED_RULE,
                &DeliveryPath::root("threat-model"),
                t.threat.as_bytes(),
                0,
            ),
            licence: None,
        })
        .collect();
    Ok(Some((
        Traceability {
            model_version: stored.version,
            model_sha256: stored.source_sha256,
            block_at: threshold_name(policy.threat_threshold()),
            threats: rows,
        },
        findings,
    )))
}

/// What `threats list` shows.
#[derive(Debug, Clone)]
pub struct ThreatListing {
    /// The current version, with its model.
    pub current: Option<StoredThreatModel>,
    /// Every version.
    pub versions: Vec<ThreatModelVersion>,
    /// Hand-overs and acknowledgements.
    pub events: Vec<ThreatModelEventRecord>,
    /// The current model's mitigations as requirements.
    pub requirements: Vec<oversight_register::Requirement>,
    /// How each requirement was last verified: by requirement id, the
    /// newest review that traced it.
    pub last_verified: BTreeMap<String, LastVerified>,
}

/// The newest review that traced a requirement, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastVerified {
    /// The review.
    pub review: String,
    /// When it was recorded.
    pub at: String,
    /// The mitigation's state in it.
    pub state: oversight_threats::trace::MitigationState,
    /// Why.
    pub reason: String,
}

/// Reads `file` and imports it for `engagement`.
///
/// # Errors
/// The file cannot be read; the register refuses the model (naming the file
/// and every problem) or fails. Nothing is recorded then.
pub async fn import(register: &Register, engagement: &str, file: &Path) -> Result<ThreatImport> {
    let bytes = fs_err::read(file).map_err(|source| AppError::Read {
        path: file.to_owned(),
        source: std::io::Error::new(source.kind(), source.to_string()),
    })?;
    Ok(register
        .threat_model_import(engagement, &bytes, &file.display().to_string())
        .await?)
}

/// The engagement's model, its versions, hand-overs and requirements.
///
/// # Errors
/// The register fails.
pub async fn list(register: &Register, engagement: &str) -> Result<ThreatListing> {
    let current = register.threat_model(engagement, None).await?;
    let requirements = current
        .as_ref()
        .map(|c| {
            oversight_register::threats::requirements(
                &c.model,
                &format!("threat model v{} ({})", c.version, c.source_name),
            )
        })
        .unwrap_or_default();
    // Newest review first; each requirement keeps the first row found.
    let mut last_verified = BTreeMap::new();
    let deliveries = register
        .store()
        .deliveries(Some(engagement))
        .await
        .map_err(oversight_register::RegisterError::from)?;
    for (delivery, _) in deliveries.iter().rev() {
        if last_verified.len() == requirements.len() {
            break;
        }
        let document = crate::record::delivery_document(&delivery.id, &delivery.document)?;
        for row in document.threats.iter().flat_map(|t| &t.threats) {
            for m in &row.mitigations {
                last_verified
                    .entry(m.requirement.clone())
                    .or_insert_with(|| LastVerified {
                        review: delivery.id.clone(),
                        at: delivery.recorded_at.clone(),
                        state: m.state,
                        reason: m.reason.clone(),
                    });
            }
        }
    }
    Ok(ThreatListing {
        current,
        versions: register.threat_model_versions(engagement).await?,
        events: register.threat_model_events(engagement).await?,
        requirements,
        last_verified,
    })
}

/// Records the supplier's acknowledgement, with the attested file when one
/// is given: the file goes to the evidence store at `location` first (an
/// interrupted acknowledgement leaves at most a blob nobody refers to).
///
/// # Errors
/// The file cannot be read or stored; the register refuses (nothing handed
/// over, already acknowledged, the file does not name the version's digest).
pub async fn acknowledge(
    register: &Register,
    location: &str,
    engagement: &str,
    attestation: Option<&Path>,
) -> Result<ThreatModelEventRecord> {
    let file = match attestation {
        None => None,
        Some(path) => {
            let bytes = fs_err::read(path).map_err(|source| AppError::Read {
                path: path.to_owned(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            })?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            // Checked before anything is stored.
            Some((
                bytes,
                AcknowledgementFile {
                    name,
                    sha256: crate::review::sha256_hex(b""),
                    text,
                },
            ))
        }
    };
    let file = match file {
        None => None,
        Some((bytes, mut ack)) => {
            let store = oversight_evidence::EvidenceStore::open(location)?;
            ack.sha256 = crate::review::put(&store, &bytes).await?;
            Some(ack)
        }
    };
    Ok(register
        .threat_model_acknowledge(engagement, file.as_ref())
        .await?)
}

/// The engagement's current model written as `format`, with the
/// verification state of review `review` when one is named.
///
/// # Errors
/// The engagement has no model; the review is not of this engagement or
/// traced no model; the register fails.
pub async fn export(
    register: &Register,
    engagement: &str,
    format: ExportFormat,
    review: Option<&str>,
) -> Result<String> {
    let traceability = match review {
        None => None,
        Some(id) => {
            let record = register
                .store()
                .review(id)
                .await
                .map_err(|e| AppError::Refused(format!("Review `{id}` cannot be read: {e}")))?;
            if record.delivery.engagement_id != engagement {
                return Err(AppError::Refused(format!(
                    "Review `{id}` is of engagement `{}`, not `{engagement}`",
                    record.delivery.engagement_id
                )));
            }
            let document = crate::record::delivery_document(id, &record.delivery.document)?;
            Some(document.threats.ok_or_else(|| {
                AppError::Refused(format!(
                    "Review `{id}` traced no threat model (the engagement had none then)"
                ))
            })?)
        }
    };
    let version = traceability.as_ref().map(|t| t.model_version);
    let stored = register
        .threat_model(engagement, version)
        .await?
        .ok_or_else(|| {
            AppError::Refused(format!(
                "Engagement `{engagement}` has no threat model; import one with `oversight threats import`"
            ))
        })?;
    oversight_threats::export(
        &stored.model,
        Some(&stored.source),
        format,
        traceability.as_ref().map(|t| t.threats.as_slice()),
    )
    .map_err(|e| AppError::Corrupt {
        what: format!("The stored threat model of `{engagement}`"),
        reason: e.to_string(),
    })
}

/// Verification kinds a model names, for messages (`rule secret.`).
pub fn verification_summary(v: &[Verification]) -> String {
    if v.is_empty() {
        return "(not stated)".to_owned();
    }
    v.iter()
        .map(Verification::tag)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Threats by state, for human output.
pub fn by_state(t: &Traceability) -> BTreeMap<&'static str, Vec<&ThreatTrace>> {
    let mut map: BTreeMap<&'static str, Vec<&ThreatTrace>> = BTreeMap::new();
    for row in &t.threats {
        map.entry(row.state.as_str()).or_default().push(row);
    }
    map
}

/// A decision with the threat model traced in.
pub struct Traced {
    /// The decision on the scan's findings and the threat findings.
    pub decision: Decision,
    /// The scan's findings followed by the threat findings.
    pub findings: Vec<Finding>,
    /// The matrix, when a model was traced.
    pub traceability: Option<Traceability>,
}

/// What tracing the threat model into one review needs.
pub struct ThreatReview<'a> {
    /// The register.
    pub register: &'a Register,
    /// The engagement.
    pub engagement: &'a str,
    /// The model version to trace (the current one when `None`).
    pub version: Option<i64>,
    /// The engagement's evidence documents (as of the review).
    pub evidence_documents: &'a [EvidenceRecord],
    /// The review's day.
    pub today: jiff::civil::Date,
    /// The policy.
    pub policy: &'a Policy,
    /// The scan.
    pub report: &'a ScanReport,
}

impl ThreatReview<'_> {
    /// Takes `first` (the decision on the scan's own findings) and, when
    /// the engagement has a model, traces it and decides again (`decide`)
    /// with the threat findings. Review and replay share it.
    ///
    /// # Errors
    /// The register fails.
    pub async fn decide(
        &self,
        first: Decision,
        decide: &dyn Fn(&[Finding]) -> Decision,
    ) -> Result<Traced> {
        let facts = delivery_facts(
            self.policy,
            self.report,
            &first,
            self.evidence_documents,
            self.today,
        );
        let mut findings = self.report.findings.clone();
        let traced = trace_review(
            self.register,
            self.engagement,
            self.version,
            self.policy,
            &facts,
        )
        .await?;
        match traced {
            Some((traceability, extra)) => {
                findings.extend(extra);
                Ok(Traced {
                    decision: decide(&findings),
                    findings,
                    traceability: Some(traceability),
                })
            }
            None => Ok(Traced {
                decision: first,
                findings,
                traceability: None,
            }),
        }
    }
}
