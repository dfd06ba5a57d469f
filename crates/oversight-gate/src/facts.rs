//! What a delivery held, in the terms a reviewer compares deliveries by:
//! files and their hashes, components, licences, copyright holders,
//! compiled binaries and findings. Kept as a JSON blob beside each review so
//! `oversight review --diff` can compare any two reviews without rescanning.

use std::collections::BTreeMap;

use oversight_model::{ManifestEntry, ScanReport};
use serde::{Deserialize, Serialize};

/// The schema name written into every facts blob.
pub const FACTS_SCHEMA: &str = "oversight.delivery-facts/1";

/// A delivery's facts. Every collection is sorted, so equal deliveries give
/// byte-identical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFacts {
    /// [`FACTS_SCHEMA`].
    pub schema: String,
    /// Path → SHA-256 (hex; empty when the file was not read to its end).
    pub files: BTreeMap<String, String>,
    /// `ecosystem:name` → versions recorded (sorted, distinct).
    pub components: BTreeMap<String, Vec<String>>,
    /// Licence expressions found in files and declared by components.
    pub licences: Vec<String>,
    /// Copyright holders found.
    pub holders: Vec<String>,
    /// Paths of compiled artefacts (executables, libraries, bytecode).
    pub binaries: Vec<String>,
    /// Finding fingerprint → `rule path` (for naming what appeared or went).
    pub findings: BTreeMap<String, String>,
}

impl DeliveryFacts {
    /// The facts of `report`, whose manifest must have been recorded.
    pub fn of(report: &ScanReport) -> DeliveryFacts {
        let files = report
            .manifest
            .iter()
            .map(|e: &ManifestEntry| (e.path.to_string(), e.sha256_hex().unwrap_or_default()))
            .collect();
        let mut components: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut licences = Vec::new();
        for c in &report.components {
            let versions = components
                .entry(format!("{}:{}", c.ecosystem, c.name))
                .or_default();
            if !versions.contains(&c.version) {
                versions.push(c.version.clone());
            }
            if let Some(l) = &c.license {
                licences.push(l.clone());
            }
        }
        for versions in components.values_mut() {
            versions.sort();
        }
        let mut holders = Vec::new();
        let mut binaries = Vec::new();
        let mut findings = BTreeMap::new();
        for f in &report.findings {
            match f.rule.id {
                "license.detected" | "license.denied" => {
                    if let Some(expr) = between_backticks(&f.message) {
                        licences.push(expr.to_owned());
                    }
                }
                "license.copyright" | "license.foreign-copyright" => {
                    if let Some(holder) = holder_of(&f.message) {
                        holders.push(holder.to_owned());
                    }
                }
                "malicious.compiled-artifact" | "malicious.compiled-bytecode" => {
                    binaries.push(f.location.path.to_string());
                }
                _ => {}
            }
            findings.insert(
                f.fingerprint.as_str().to_owned(),
                format!("{} {}", f.rule.id, f.location.path),
            );
        }
        for list in [&mut licences, &mut holders, &mut binaries] {
            list.sort();
            list.dedup();
        }
        DeliveryFacts {
            schema: FACTS_SCHEMA.to_owned(),
            files,
            components,
            licences,
            holders,
            binaries,
            findings,
        }
    }

    /// Canonical JSON (sorted keys, no whitespace).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("facts serialise")
    }

    /// Reads a facts blob back.
    pub fn from_json(bytes: &[u8]) -> Result<DeliveryFacts, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// The first `…`-quoted part of a message: licence messages name the
/// expression that way (`Licence `MIT` (LICENSE)`).
fn between_backticks(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// The holder in `Copyright held by HOLDER[, years …]`.
fn holder_of(message: &str) -> Option<&str> {
    let rest = message.split_once("held by ")?.1;
    Some(rest.split_once(", years ").map_or(rest, |(h, _)| h).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_and_holder_are_read_from_the_detectors_messages() {
        assert_eq!(
            between_backticks("Licence `MIT OR Apache-2.0` (LICENSE)"),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            holder_of("Copyright held by Acme GmbH, years 2019-2024"),
            Some("Acme GmbH")
        );
        assert_eq!(
            holder_of("Copyright held by Example Org Ltd"),
            Some("Example Org Ltd")
        );
        assert_eq!(holder_of("something else"), None);
    }
}
