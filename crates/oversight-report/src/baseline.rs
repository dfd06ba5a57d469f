//! Baselines: an earlier JSON report whose findings the reviewer has already
//! seen, so that a new run reports only what is new.
//!
//! The baseline is a file the reviewer supplies. It is never read from inside
//! a delivery (a supplier-provided baseline would let the supplier hide
//! findings). Findings match by fingerprint, which binds to the rule, the path
//! and the offending content (for secrets, the secret's hash), not to line
//! numbers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use oversight_model::ScanReport;

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("Cannot read baseline `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an Oversight JSON report.
    #[error("Baseline `{path}` is not an Oversight JSON report: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The fingerprints of an earlier report.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Reads a report written by `oversight scan --format json`.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|reason| BaselineError::Invalid {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// Parses the text of a JSON report.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let schema = value["schema"].as_str().unwrap_or_default();
        if !schema.starts_with("oversight.findings/") {
            return Err(format!("missing or unknown `schema` field `{schema}`"));
        }
        let findings = value["findings"]
            .as_array()
            .ok_or_else(|| "no `findings` array".to_owned())?;
        let mut fingerprints = HashSet::new();
        for (i, f) in findings.iter().enumerate() {
            let fp = f["fingerprint"]
                .as_str()
                .ok_or_else(|| format!("finding {i} has no `fingerprint`"))?;
            fingerprints.insert(fp.to_owned());
        }
        Ok(Baseline { fingerprints })
    }

    /// How many fingerprints the baseline holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether the baseline holds no fingerprint.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Removes from `report` the findings the baseline already holds and
    /// counts them in `baseline_suppressed`.
    pub fn apply(&self, report: &mut ScanReport) {
        let before = report.findings.len();
        report
            .findings
            .retain(|f| !self.fingerprints.contains(f.fingerprint.as_str()));
        report.baseline_suppressed += (before - report.findings.len()) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_without_schema_or_fingerprints_are_rejected() {
        assert!(Baseline::parse("{}").unwrap_err().contains("schema"));
        let no_fp = r#"{"schema":"oversight.findings/1.1","findings":[{"rule":"x"}]}"#;
        assert!(Baseline::parse(no_fp).unwrap_err().contains("finding 0"));
        let ok = r#"{"schema":"oversight.findings/1.1","findings":[{"fingerprint":"ab"},{"fingerprint":"cd"}]}"#;
        assert_eq!(Baseline::parse(ok).unwrap().len(), 2);
    }
}
