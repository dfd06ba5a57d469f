//! Threat models for Oversight: read OWASP Threat Dragon v2 JSON, Open
//! Threat Model (OTM, JSON or YAML) and Threagile YAML into one typed
//! [`ThreatModel`], trace it into a delivery, and write it back.
//!
//! * [`import`] detects the format by content, reads it with serde into the
//!   format's own types, normalises it (threats with element, STRIDE
//!   category, [`Severity`], [`ThreatStatus`] and [`Mitigation`]s) and
//!   validates it ([`validate`]: unique ids, defined references, no
//!   containment loop, no data flow to itself). A model that fails is a
//!   [`ThreatModelError`] naming the file and every problem.
//! * A mitigation says how a delivery shows it with `[verify: …]` tags
//!   ([`verification`]): an Oversight rule or rule family, a required
//!   deliverable, or a supplier attestation. Each mitigation is a
//!   requirement of the engagement with a stable id
//!   ([`Mitigation::requirement_id`]).
//! * [`trace::trace`] decides, per threat, whether a delivery verified its
//!   mitigations; [`export::export`] writes the model back to Threat Dragon
//!   or OTM with that state.
//!
//! The crate does no IO and knows nothing of storage or scanning.
//!
//! ```
//! let text = r#"{"otmVersion": "0.2.0", "project": {"name": "Shop", "id": "shop"},
//!   "trustZones": [{"id": "dmz", "name": "DMZ", "risk": {"trustRating": 10}}],
//!   "components": [{"id": "web", "name": "Web", "type": "web-service",
//!     "parent": {"trustZone": "dmz"},
//!     "threats": [{"threat": "leak", "state": "exposed",
//!       "mitigations": [{"mitigation": "no-secrets", "state": "required"}]}]}],
//!   "threats": [{"id": "leak", "name": "Credentials leak", "categories": ["Information disclosure"],
//!     "risk": {"likelihood": 100, "impact": 80}}],
//!   "mitigations": [{"id": "no-secrets", "name": "No secrets in code [verify: rule secret.]",
//!     "riskReduction": 100}]}"#;
//! let imported = oversight_threats::import(text.as_bytes(), "shop.otm.json").unwrap();
//! let threat = &imported.model.threats[0];
//! assert_eq!(threat.id, "leak@web");
//! assert_eq!(threat.severity, oversight_threats::Severity::Critical);
//! assert_eq!(threat.mitigations[0].verification,
//!     vec![oversight_threats::Verification::Rule("secret.".into())]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod export;
mod model;
mod otm;
mod threagile;
mod threat_dragon;
pub mod trace;
pub mod validate;
pub mod verification;

pub use error::{Problem, ThreatModelError};
pub use export::{ExportFormat, export};
pub use model::{
    Element, ElementKind, Flow, Mitigation, Severity, SourceFormat, Stride, Threat, ThreatModel,
    ThreatStatus,
};
pub use otm::{ID_ATTRIBUTE, VERIFY_ATTRIBUTE};
pub use verification::Verification;

use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::Digest;

/// The largest model read: real models are tens of kilobytes.
pub const MAX_MODEL_BYTES: usize = 16 * 1024 * 1024;

/// A model read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The normalised model.
    pub model: ThreatModel,
    /// SHA-256 (hex) of the file's bytes.
    pub sha256: String,
    /// The file's text, kept so an export can write the same document back.
    pub source: String,
}

/// Reads a threat model; `file` names it in errors.
///
/// # Errors
/// The file is not UTF-8, JSON or YAML, not a format Oversight reads, not
/// of its format's shape, or breaks a rule of [`validate`]: every problem
/// found is listed.
pub fn import(bytes: &[u8], file: &str) -> Result<Imported, ThreatModelError> {
    if bytes.len() > MAX_MODEL_BYTES {
        return Err(ThreatModelError::one(
            file,
            Problem::Syntax(format!(
                "{} bytes, more than the {MAX_MODEL_BYTES} a threat model may have",
                bytes.len()
            )),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ThreatModelError::one(file, Problem::Syntax(format!("not UTF-8 text ({e})")))
    })?;
    let doc = parse_document(text, file)?;
    let model = if let Some(version) = threat_dragon::detect(&doc) {
        version.map_err(|p| ThreatModelError::one(file, p))?;
        let typed: threat_dragon::TdModel = typed(file, doc)?;
        threat_dragon::normalise(&typed)
    } else if let Some(version) = otm::detect(&doc) {
        version.map_err(|p| ThreatModelError::one(file, p))?;
        let typed: otm::Otm = typed(file, doc)?;
        otm::normalise(&typed)
    } else if threagile::detect(&doc) {
        // Read again from the text: its maps' order is the threats' order.
        let typed: threagile::Threagile =
            serde_path_to_error::deserialize(serde_yaml_ng::Deserializer::from_str(text))
                .map_err(|e| schema_error(file, e))?;
        threagile::normalise(&typed)
    } else {
        return Err(ThreatModelError::one(file, Problem::UnknownFormat));
    };
    let model = model.map_err(|problems| ThreatModelError {
        file: file.to_owned(),
        problems,
    })?;
    let problems = validate::problems(&model);
    if !problems.is_empty() {
        return Err(ThreatModelError {
            file: file.to_owned(),
            problems,
        });
    }
    Ok(Imported {
        model,
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        source: text.to_owned(),
    })
}

/// JSON when it starts like JSON, YAML otherwise.
pub(crate) fn parse_document(text: &str, file: &str) -> Result<Value, ThreatModelError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| {
            ThreatModelError::one(
                file,
                Problem::Syntax(format!(
                    "invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                )),
            )
        })
    } else {
        serde_yaml_ng::from_str(trimmed).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(" at line {} column {}", l.line(), l.column()))
                .unwrap_or_default();
            ThreatModelError::one(file, Problem::Syntax(format!("invalid YAML{at}: {e}")))
        })
    }
}

/// The document as the format's types, or the path of the first field
/// that does not fit.
pub(crate) fn typed<T: DeserializeOwned>(file: &str, doc: Value) -> Result<T, ThreatModelError> {
    serde_path_to_error::deserialize(doc).map_err(|e| schema_error(file, e))
}

fn schema_error<E: std::fmt::Display>(
    file: &str,
    e: serde_path_to_error::Error<E>,
) -> ThreatModelError {
    let path = e.path().to_string();
    ThreatModelError::one(
        file,
        Problem::Schema {
            path: if path == "." {
                "(document)".to_owned()
            } else {
                path
            },
            message: e.into_inner().to_string(),
        },
    )
}
