//! Writing a model back to Threat Dragon or OTM with what a delivery proved.
//!
//! A model read from the same format is written back as it was read (every
//! field kept), with an `oversight` object added to each threat (Threat
//! Dragon) or threat application (OTM); a model from another format gets a
//! new document. The tools ignore fields they do not know, so the file
//! still opens in them, and reading it back gives the same threats.

use serde::{Deserialize, Serialize};

use crate::error::{Problem, ThreatModelError};
use crate::model::{SourceFormat, Threat, ThreatModel};
use crate::trace::{MitigationState, ThreatState, ThreatTrace};

/// The format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// OWASP Threat Dragon v2 JSON.
    ThreatDragon,
    /// OTM JSON.
    Otm,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "threat-dragon" => Ok(ExportFormat::ThreatDragon),
            "otm" => Ok(ExportFormat::Otm),
            other => Err(format!(
                "unknown export format `{other}` (expected threat-dragon or otm)"
            )),
        }
    }
}

/// What an export says about one threat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedState {
    /// `mitigated`, `unmitigated` or `not-traced`; `not-reviewed` when the
    /// export names no review.
    pub state: String,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Each mitigation: requirement id, verification and state.
    pub mitigations: Vec<ExportedMitigation>,
}

/// What an export says about one mitigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedMitigation {
    /// The mitigation's id in its threat.
    pub id: String,
    /// The engagement requirement (`TM-…`).
    pub requirement: String,
    /// The verification tags (`rule secret.`).
    pub verification: Vec<String>,
    /// `verified`, `not-verified`, `no-method`, or `not-reviewed`.
    pub state: String,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

pub(crate) fn state_of(threat: &Threat, traces: Option<&[ThreatTrace]>) -> Option<ExportedState> {
    let trace = traces.and_then(|t| t.iter().find(|t| t.threat == threat.id));
    let mitigations = threat
        .mitigations
        .iter()
        .map(|m| {
            let row = trace.and_then(|t| t.mitigations.iter().find(|r| r.id == m.id));
            ExportedMitigation {
                id: m.id.clone(),
                requirement: m.requirement_id(threat),
                verification: m
                    .verification
                    .iter()
                    .map(crate::Verification::tag)
                    .collect(),
                state: row
                    .map_or("not-reviewed", |r| match r.state {
                        MitigationState::Verified => "verified",
                        MitigationState::NotVerified => "not-verified",
                        MitigationState::NoMethod => "no-method",
                    })
                    .to_owned(),
                reason: row.map(|r| r.reason.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Some(ExportedState {
        state: trace
            .map_or("not-reviewed", |t| match t.state {
                ThreatState::Mitigated => "mitigated",
                ThreatState::Unmitigated => "unmitigated",
                ThreatState::NotTraced => "not-traced",
            })
            .to_owned(),
        reason: trace.map(|t| t.reason.clone()).unwrap_or_default(),
        mitigations,
    })
}

/// Writes `model` as `format`, pretty JSON. `source` is the text the model
/// was imported from (kept by the register): when it is of the same format,
/// it is written back with the states added. `traces` are a review's rows.
///
/// # Errors
/// The source no longer reads as its format (it was read before, so only a
/// damaged record gives this).
pub fn export(
    model: &ThreatModel,
    source: Option<&str>,
    format: ExportFormat,
    traces: Option<&[ThreatTrace]>,
) -> Result<String, ThreatModelError> {
    let reread = |text: &str| crate::parse_document(text, "the recorded source");
    let text = match (format, model.format, source) {
        (ExportFormat::ThreatDragon, SourceFormat::ThreatDragon, Some(text)) => {
            let doc: crate::threat_dragon::TdModel =
                crate::typed("the recorded source", reread(text)?)?;
            to_text(&crate::threat_dragon::annotate(doc, model, traces))
        }
        (ExportFormat::ThreatDragon, _, _) => {
            to_text(&crate::threat_dragon::generate(model, traces))
        }
        (ExportFormat::Otm, SourceFormat::Otm, Some(text)) => {
            let doc: crate::otm::Otm = crate::typed("the recorded source", reread(text)?)?;
            to_text(&crate::otm::annotate(doc, model, traces))
        }
        (ExportFormat::Otm, _, _) => to_text(&crate::otm::generate(model, traces)),
    };
    text.map_err(|e| {
        ThreatModelError::one(
            "the export",
            Problem::Schema {
                path: String::new(),
                message: e.to_string(),
            },
        )
    })
}

fn to_text<T: Serialize>(doc: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(doc)?;
    text.push('\n');
    Ok(text)
}
