//! `oversight threats import|list|handover|acknowledge|export`: a thin
//! layer over `oversight_app::threats`.

use anyhow::Context as _;

use crate::args::ThreatsCommand;
use crate::register::{block_on, open};
use crate::term::out;

pub(crate) fn threats(command: ThreatsCommand) -> anyhow::Result<u8> {
    match command {
        ThreatsCommand::Import {
            file,
            engagement,
            register,
        } => {
            let imported = block_on(async {
                let r = open(&register).await?;
                Ok::<_, anyhow::Error>(
                    oversight_app::threats::import(&r, &engagement, &file).await?,
                )
            })??;
            if imported.unchanged {
                out!(
                    "{} is version {} of the threat model of {engagement} already; nothing recorded.",
                    file.display(),
                    imported.version
                );
            } else {
                out!(
                    "Imported {} ({}, SHA-256 {}) as version {} of the threat model of {engagement}: {} threats, {} mitigations as requirements.",
                    file.display(),
                    imported.model.format,
                    imported.sha256,
                    imported.version,
                    imported.model.threats.len(),
                    imported.requirements.len()
                );
            }
            let unverifiable = imported
                .model
                .mitigations()
                .filter(|(_, m)| m.verification.is_empty())
                .count();
            if unverifiable > 0 {
                out!(
                    "{unverifiable} mitigation(s) say not how a delivery shows them ([verify: rule|deliverable|attestation …]); their threats count as unmitigated in reviews."
                );
            }
            Ok(0)
        }
        ThreatsCommand::List {
            engagement,
            register,
        } => {
            let listing = block_on(async {
                let r = open(&register).await?;
                Ok::<_, anyhow::Error>(oversight_app::threats::list(&r, &engagement).await?)
            })??;
            let Some(current) = &listing.current else {
                out!("Engagement {engagement} has no threat model.");
                return Ok(0);
            };
            out!(
                "Threat model of {engagement}: version {} ({}, {}, SHA-256 {}, imported {}), {} threats.",
                current.version,
                current.model.format,
                current.source_name,
                current.source_sha256,
                current.imported_at,
                current.model.threats.len()
            );
            let requirements: std::collections::HashMap<(&str, &str), &str> = current
                .model
                .mitigations()
                .zip(&listing.requirements)
                .map(|((t, m), r)| ((t.id.as_str(), m.id.as_str()), r.id.as_str()))
                .collect();
            for t in &current.model.threats {
                let element = t
                    .element
                    .as_deref()
                    .and_then(|e| current.model.element(e))
                    .map_or("(no element)", |e| e.name.as_str());
                out!(
                    "  {} [{}, {}, {}] {} — on {}",
                    t.id,
                    t.severity,
                    t.stride.map_or(t.category.as_str(), |s| s.as_str()),
                    t.status,
                    t.title,
                    element.replace('\n', " ")
                );
                for m in &t.mitigations {
                    let requirement = requirements
                        .get(&(t.id.as_str(), m.id.as_str()))
                        .copied()
                        .unwrap_or("?");
                    let last = listing.last_verified.get(requirement).map_or_else(
                        || "never reviewed".to_owned(),
                        |l| {
                            format!(
                                "last {} in {} ({}): {}",
                                match l.state {
                                    oversight_threats::trace::MitigationState::Verified =>
                                        "verified",
                                    oversight_threats::trace::MitigationState::NotVerified =>
                                        "NOT verified",
                                    oversight_threats::trace::MitigationState::NoMethod =>
                                        "not checkable",
                                },
                                l.review,
                                l.at.get(..10).unwrap_or(&l.at),
                                l.reason
                            )
                        },
                    );
                    out!(
                        "      {requirement} {}: verified by {}; {last}",
                        m.id,
                        oversight_app::threats::verification_summary(&m.verification)
                    );
                }
            }
            for v in &listing.versions {
                out!(
                    "Version {}: {} ({}), {} threats, imported {} by {}",
                    v.version,
                    v.source_name,
                    v.format,
                    v.threat_count,
                    v.imported_at,
                    v.imported_by
                );
            }
            for e in &listing.events {
                out!(
                    "{} of version {} by {} at {}{}",
                    if e.kind == "handover" {
                        "Hand-over"
                    } else {
                        "Acknowledgement"
                    },
                    e.version,
                    e.actor,
                    e.recorded_at,
                    e.attestation_name
                        .as_deref()
                        .map(|n| format!(" (attested: {n})"))
                        .unwrap_or_default()
                );
            }
            Ok(0)
        }
        ThreatsCommand::Handover {
            engagement,
            register,
        } => {
            let record = block_on(async {
                let r = open(&register).await?;
                Ok::<_, anyhow::Error>(r.threat_model_handover(&engagement).await?)
            })??;
            out!(
                "Handed version {} of the threat model of {engagement} over to the supplier ({}).",
                record.version,
                record.id
            );
            Ok(0)
        }
        ThreatsCommand::Acknowledge {
            engagement,
            attestation,
            evidence,
            register,
        } => {
            let location = oversight_app::paths::evidence_location(evidence.as_deref())?;
            let record = block_on(async {
                let r = open(&register).await?;
                Ok::<_, anyhow::Error>(
                    oversight_app::threats::acknowledge(
                        &r,
                        &location,
                        &engagement,
                        attestation.as_deref(),
                    )
                    .await?,
                )
            })??;
            out!(
                "{} acknowledged version {} of the threat model of {engagement} ({}).",
                record.actor,
                record.version,
                record.id
            );
            Ok(0)
        }
        ThreatsCommand::Export {
            engagement,
            format,
            review,
            output,
            register,
        } => {
            let format: oversight_threats::ExportFormat =
                format.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let text = block_on(async {
                let r = open(&register).await?;
                Ok::<_, anyhow::Error>(
                    oversight_app::threats::export(&r, &engagement, format, review.as_deref())
                        .await?,
                )
            })??;
            fs_err::write(&output, text)
                .with_context(|| format!("Cannot write {}", output.display()))?;
            out!("Wrote {}.", output.display());
            Ok(0)
        }
    }
}
