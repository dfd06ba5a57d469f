//! VEX: statements of whether a vulnerability affects a product.

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
