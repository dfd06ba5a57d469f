//! VEX: statements of whether a vulnerability affects a product, read from
//! OpenVEX 0.2.0 and CycloneDX VEX documents, and written as OpenVEX.

mod cyclonedx;
mod openvex;

use serde_json::Value;

use crate::error::{Error, parse_json};
use crate::purl::{self, PurlKey};
use crate::time::parse_rfc3339;

/// The impact status of a vulnerability on a product, as VEX defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VexStatus {
    /// No remediation needed.
    NotAffected,
    /// Exploitable; act on it.
    Affected,
    /// These versions contain a fix.
    Fixed,
    /// Not known yet.
    UnderInvestigation,
}

impl VexStatus {
    /// The OpenVEX label.
    pub fn openvex_name(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    /// The CycloneDX `analysis.state` that says the same.
    pub fn cyclonedx_state(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "exploitable",
            VexStatus::Fixed => "resolved",
            VexStatus::UnderInvestigation => "in_triage",
        }
    }
}

/// Why a product is not affected: the CISA status justifications that
/// OpenVEX uses as labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Justification {
    /// The vulnerable component is not included.
    ComponentNotPresent,
    /// The component is included but not the vulnerable code.
    VulnerableCodeNotPresent,
    /// The vulnerable code is never executed.
    VulnerableCodeNotInExecutePath,
    /// An attacker cannot reach or control the vulnerable code.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Built-in protections prevent exploitation.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification.
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The OpenVEX label.
    pub fn openvex_name(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Parses an OpenVEX label.
    pub fn from_openvex_name(name: &str) -> Option<Justification> {
        Justification::ALL
            .into_iter()
            .find(|j| j.openvex_name() == name)
    }

    /// The closest CycloneDX `analysis.justification` (CycloneDX has no
    /// "component not present": its nearest is `code_not_present`).
    pub fn cyclonedx_name(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent | Justification::VulnerableCodeNotPresent => {
                "code_not_present"
            }
            Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
            Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
            Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
        }
    }
}

/// One VEX claim, from OpenVEX or CycloneDX, in neutral form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VexStatement {
    /// The vulnerability's name first, then its aliases.
    pub vulnerabilities: Vec<String>,
    /// Identifiers of the products and subcomponents the claim is about:
    /// purls, or other IRIs and CPEs, which never match a purl. A purl without
    /// version stands for every version. Empty means any product (an OpenVEX
    /// statement that leaves the product to its encapsulating document).
    pub products: Vec<String>,
    /// The status.
    pub status: VexStatus,
    /// Machine-readable reason for `not_affected`.
    pub justification: Option<Justification>,
    /// Free-text reason for `not_affected` (CycloneDX `analysis.detail`).
    pub impact_statement: Option<String>,
    /// What to do about an `affected` product (CycloneDX `response` and
    /// `recommendation`).
    pub action_statement: Option<String>,
    /// When the claim was made (the statement's, else the document's time).
    pub timestamp: Option<String>,
    /// The file the statement was read from.
    pub source: String,
}

/// Every VEX statement of the documents loaded, in load order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vex {
    statements: Vec<VexStatement>,
}

impl Vex {
    /// Reads one OpenVEX 0.2.0 or CycloneDX (1.4 to 1.6) VEX document,
    /// rejecting it whole if it breaks its schema: a half-read VEX file could
    /// silence findings it was never meant to.
    pub fn load(path_name: &str, bytes: &[u8]) -> Result<Vex, Error> {
        let doc = parse_json(path_name, bytes)?;
        let statements = if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            cyclonedx::read(path_name, &doc)?
        } else if doc.get("@context").is_some() || doc.get("statements").is_some() {
            openvex::read(path_name, &doc)?
        } else {
            return Err(Error::Unsupported {
                file: path_name.to_owned(),
                reason:
                    "neither an OpenVEX document (`@context`, `statements`) nor a CycloneDX BOM"
                        .into(),
            });
        };
        Ok(Vex { statements })
    }

    /// Adds the statements of another set after this one's (later documents
    /// win ties in [`Vex::status_for`]).
    pub fn extend(&mut self, other: Vex) {
        self.statements.extend(other.statements);
    }

    /// The statements, in load order.
    pub fn statements(&self) -> &[VexStatement] {
        &self.statements
    }

    /// The statement that decides `purl`'s status for a vulnerability known by
    /// any of `vuln_ids`: among statements naming one of the ids
    /// (case-insensitively) and a product matching `purl` (ignoring qualifiers
    /// and subpath; a product purl without version matches every version; no
    /// products matches any), the one with the latest timestamp, later-loaded
    /// on equal or missing timestamps, as OpenVEX orders statements.
    pub fn status_for(&self, vuln_ids: &[String], purl: &str) -> Option<&VexStatement> {
        let wanted = purl::key(purl);
        let mut best: Option<(&VexStatement, Option<(i64, u32)>)> = None;
        for statement in &self.statements {
            let names_vuln = statement
                .vulnerabilities
                .iter()
                .any(|v| vuln_ids.iter().any(|id| id.eq_ignore_ascii_case(v)));
            if !names_vuln || !product_matches(statement, purl, wanted.as_ref()) {
                continue;
            }
            let time = statement.timestamp.as_deref().and_then(parse_rfc3339);
            let better = match &best {
                None => true,
                Some((_, best_time)) => time >= *best_time,
            };
            if better {
                best = Some((statement, time));
            }
        }
        best.map(|(statement, _)| statement)
    }
}

fn product_matches(statement: &VexStatement, purl: &str, wanted: Option<&PurlKey>) -> bool {
    if statement.products.is_empty() {
        return true;
    }
    statement.products.iter().any(|product| {
        if product == purl {
            return true;
        }
        match (wanted, purl::key(product)) {
            (Some(wanted), Some(product)) => {
                product.identity == wanted.identity
                    && (product.version.is_none() || product.version == wanted.version)
            }
            _ => false,
        }
    })
}

/// Writes an OpenVEX 0.2.0 document. `id` is the document's IRI
/// (`https://openvex.dev/docs/<namespace>/<name>`), `timestamp` RFC 3339.
/// Where the schema demands what a statement lacks, a plain sentence says so:
/// an `affected` statement without action gets "No action statement was
/// recorded", a `not_affected` one without justification or impact gets "No
/// justification was recorded". Statement timestamps that are not RFC 3339
/// are left out; duplicate statements are written once.
pub fn openvex_json(
    statements: &[VexStatement],
    author: &str,
    timestamp: &str,
    id: &str,
) -> String {
    openvex::write(statements, author, timestamp, id)
}
