//! What changed in a delivery since the engagement's last accepted one:
//! files, components and their versions, licences, copyright holders,
//! binaries and findings, and the sensitive changes among them (code that
//! runs at install or build time, CI, new network or exec sites). The
//! question a reviewer asks first when a supplier resubmits; the CLI's
//! `review --diff` and the server's delivery page both answer it here.

use oversight_evidence::EvidenceStore;
use oversight_gate::{DeliveryDiff, DeliveryFacts};
use oversight_malicious::changes::SensitiveChange;
use oversight_register::Register;

use crate::{AppError, Result};

/// A review compared with the engagement's last accepted one before it
/// (the API's document, as it serialises).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SinceAccepted {
    /// The accepted review compared with.
    pub accepted: String,
    /// When it was recorded.
    pub accepted_at: String,
    /// What changed.
    pub diff: DeliveryDiff,
    /// The changes to what decides what runs, each a
    /// `malicious.sensitive-change` for the reviewer.
    pub sensitive: Vec<Sensitive>,
}

/// One change to what decides what runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sensitive {
    /// The delivery path.
    pub path: String,
    /// What changed (`install hook changed`, …).
    pub what: String,
}

impl From<&SensitiveChange> for Sensitive {
    fn from(c: &SensitiveChange) -> Sensitive {
        Sensitive {
            path: c.path.clone(),
            what: c.what.clone(),
        }
    }
}

/// The facts (files, components, licences, holders, binaries, findings)
/// review `review` recorded in the evidence store.
///
/// # Errors
///
/// [`AppError`] if the review, its document or its facts blob cannot be
/// read, or the blob is corrupt.
pub async fn facts_of(
    register: &Register,
    evidence: &EvidenceStore,
    review: &str,
) -> Result<DeliveryFacts> {
    let bytes = crate::record::evidence_blob(register, evidence, review, "facts").await?;
    DeliveryFacts::from_json(&bytes).map_err(|e| AppError::Corrupt {
        what: format!("the facts blob of review {review}"),
        reason: e.to_string(),
    })
}

/// Review `review` of `engagement` against the last review before it that
/// was not rejected; `None` when there is none.
///
/// # Errors
///
/// [`AppError`] if a review or its facts cannot be read.
pub async fn since_accepted(
    register: &Register,
    evidence: &EvidenceStore,
    engagement: &str,
    review: &str,
) -> Result<Option<SinceAccepted>> {
    let deliveries = register.deliveries(engagement).await?;
    let Some(position) = deliveries.iter().position(|(d, _)| d.id == review) else {
        return Ok(None);
    };
    let Some((accepted, _)) = deliveries[..position]
        .iter()
        .rev()
        .find(|(_, outcome)| outcome != "rejected")
    else {
        return Ok(None);
    };
    let diff = DeliveryDiff::between(
        &facts_of(register, evidence, &accepted.id).await?,
        &facts_of(register, evidence, review).await?,
    );
    // A finding is shown as `rule path [fingerprint]`.
    let new_findings: Vec<(&str, &str)> = diff
        .findings
        .added
        .iter()
        .filter_map(|f| {
            let (rule, rest) = f.split_once(' ')?;
            Some((rule, rest.rsplit_once(" [").map_or(rest, |(path, _)| path)))
        })
        .collect();
    let sensitive = oversight_malicious::changes::sensitive_changes(
        &diff.files.added,
        &diff.files_changed,
        &new_findings,
    )
    .iter()
    .map(Sensitive::from)
    .collect();
    Ok(Some(SinceAccepted {
        accepted: accepted.id.clone(),
        accepted_at: accepted.recorded_at.clone(),
        diff,
        sensitive,
    }))
}
