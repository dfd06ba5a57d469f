//! `oversight export --oscal`: an engagement's assessment as OSCAL JSON
//! (`oversight-oscal`), from what the register recorded: the assessment
//! plan, the assessment results (one result per review), the POA&M and the
//! requirement catalogue as a catalog, each a file of `output`.

use std::path::{Path, PathBuf};

use oversight_oscal::{EngagementInput, FindingInput, ReviewInput, WaiverInput};
use oversight_register::{EngagementId, Register};

use crate::error::{AppError, Result};

/// What was written.
#[derive(Debug, Clone)]
pub struct OscalExported {
    /// The files, in the order written.
    pub files: Vec<PathBuf>,
    /// Reviews exported as results.
    pub reviews: usize,
    /// POA&M items.
    pub poam_items: usize,
}

fn write_json<T: serde::Serialize>(dir: &Path, name: &str, document: &T) -> Result<PathBuf> {
    let path = dir.join(name);
    let mut bytes = serde_json::to_vec_pretty(document).expect("OSCAL documents serialise");
    bytes.push(b'\n');
    fs_err::write(&path, bytes).map_err(|source| AppError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Writes the engagement's OSCAL documents into `output` (created when
/// missing). `now` is the export's time (RFC 3339), the documents'
/// `last-modified`; every UUID is stable across exports.
///
/// # Errors
///
/// An unknown engagement, a register that cannot be read, a directory that
/// cannot be written.
pub async fn export(
    register: &Register,
    id: &EngagementId,
    output: &Path,
    now: &str,
) -> Result<OscalExported> {
    let engagement = register.engagement(id).await?;
    let mut reviews = Vec::new();
    for (delivery, _) in register.deliveries(id.as_str()).await? {
        let record = register.review(&delivery.id).await?;
        reviews.push(ReviewInput {
            id: record.delivery.id.clone(),
            recorded_at: record.delivery.recorded_at.clone(),
            decided_at: record.decision.decided_at.clone(),
            outcome: record.decision.outcome.clone(),
            reviewer: record.decision.reviewer.clone(),
            content_digest: record.delivery.content_digest.clone(),
            findings: record
                .findings
                .iter()
                .map(|f| FindingInput {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.clone(),
                    category: f.category.clone(),
                    severity: f.severity.clone(),
                    path: f.path.clone(),
                    message: f.message.clone(),
                    disposition: f.disposition.clone(),
                    waiver: f.waiver_id.clone(),
                })
                .collect(),
        });
    }
    let revocations = register.waiver_revocations(id.as_str()).await?;
    let waivers = register
        .waivers(id.as_str())
        .await?
        .into_iter()
        .map(|w| WaiverInput {
            revoked_at: revocations
                .iter()
                .find(|r| r.waiver_id == w.id)
                .map(|r| r.revoked_at.clone()),
            id: w.id,
            fingerprint: w.fingerprint,
            reason: w.reason,
            expires: w.expires,
            requester: w.requester,
            approver: w.approver,
        })
        .collect();
    let input = EngagementInput {
        id: id.as_str().to_owned(),
        system: engagement.system.clone(),
        supplier: engagement.supplier.to_string(),
        requirements: engagement
            .terms
            .security
            .as_ref()
            .map(|s| s.requirements.iter().map(|r| r.id.clone()).collect())
            .unwrap_or_default(),
        catalogue: register.catalogue(),
        reviews,
        waivers,
        now: now.to_owned(),
    };
    fs_err::create_dir_all(output).map_err(|source| AppError::Write {
        path: output.to_owned(),
        source,
    })?;
    let poam = oversight_oscal::poam(&input);
    let poam_items = poam.poam.poam_items.len();
    let files = vec![
        write_json(
            output,
            "assessment-plan.json",
            &oversight_oscal::assessment_plan(&input),
        )?,
        write_json(
            output,
            "assessment-results.json",
            &oversight_oscal::assessment_results(&input),
        )?,
        write_json(output, "poam.json", &poam)?,
        write_json(
            output,
            "catalog.json",
            &oversight_oscal::catalog(register.catalogue(), now),
        )?,
    ];
    Ok(OscalExported {
        files,
        reviews: input.reviews.len(),
        poam_items,
    })
}
