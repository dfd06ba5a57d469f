//! Engagements and the terms agreed with the supplier for each A.8.30 factor.
//!
//! Each factor is one optional section of [`Terms`]: `None` means "not
//! agreed", which the status view will show as such.

use jiff::civil::Date;

use crate::id::{EngagementId, SupplierId};
use crate::names::named_enum;

named_enum!(
    /// Where an engagement is in its life.
    EngagementStatus, "engagement status" {
        /// Agreed or being negotiated; no delivery expected yet.
        Planned => "planned",
        /// Deliveries are expected and reviewed.
        Active => "active",
        /// Paused, e.g. pending an audit finding.
        Suspended => "suspended",
        /// Finished; kept for the record.
        Closed => "closed",
    }
);

named_enum!(
    /// How the organisation verifies that a requirement is met.
    VerificationMethod, "verification method" {
        /// Oversight checks every delivery automatically.
        AutomatedCheck => "automated-check",
        /// The supplier provides a document (report, certificate) to review.
        EvidenceDocument => "evidence-document",
        /// The supplier attests in writing that it complies.
        SupplierAttestation => "supplier-attestation",
    }
);

named_enum!(
    /// How often something recurs.
    Frequency, "frequency" {
        /// With every delivery.
        PerDelivery => "per-delivery",
        /// Every month.
        Monthly => "monthly",
        /// Every three months.
        Quarterly => "quarterly",
        /// Every six months.
        HalfYearly => "half-yearly",
        /// Every year.
        Yearly => "yearly",
        /// Once, for the whole engagement.
        Once => "once",
    }
);

named_enum!(
    /// The factors of ISO/IEC 27001:2022 A.8.30 that agreed terms address.
    Factor, "A.8.30 factor" {
        /// Licensing, code ownership and intellectual property.
        LicensingIp => "licensing-ip",
        /// Contractual requirements for secure design, coding and testing.
        SecurityRequirements => "security-requirements",
        /// The organisation's threat model handed to the supplier.
        ThreatModel => "threat-model",
        /// Acceptance testing of deliverables.
        AcceptanceTesting => "acceptance-testing",
        /// Evidence of security and privacy capabilities.
        Assurance => "assurance",
        /// Testing for malicious content.
        MaliciousContent => "malicious-content",
        /// Testing for known vulnerabilities.
        VulnerabilityTesting => "vulnerability-testing",
        /// Source code escrow.
        Escrow => "escrow",
        /// The right to audit the supplier's process and controls.
        RightToAudit => "right-to-audit",
        /// Security of the supplier's development environment.
        DevelopmentEnvironment => "development-environment",
        /// Compliance with legislation, e.g. data protection.
        Legislation => "legislation",
    }
);

/// An outsourced development: one supplier building one system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    /// Stable id.
    pub id: EngagementId,
    /// The supplier doing the work.
    pub supplier: SupplierId,
    /// The system being built.
    pub system: String,
    /// Who in the organisation owns the engagement.
    pub owner: String,
    /// Lifecycle status.
    pub status: EngagementStatus,
    /// First day of the engagement.
    pub start: Option<Date>,
    /// Last day of the engagement.
    pub end: Option<Date>,
    /// What was agreed, per A.8.30 factor.
    pub terms: Terms,
}

impl Engagement {
    /// Why the engagement accepts no delivery on `today`: it is closed, or
    /// its end date has passed. `None` when it accepts deliveries.
    pub fn refuses_deliveries(&self, today: Date) -> Option<String> {
        if self.status == EngagementStatus::Closed {
            return Some(format!(
                "Engagement `{}` is closed; it accepts no delivery (re-open it in the engagement file to review one)",
                self.id
            ));
        }
        match self.end {
            Some(end) if end < today => Some(format!(
                "Engagement `{}` ended on {end}; it accepts no delivery after its end date (extend `end` in the engagement file to review one)",
                self.id
            )),
            _ => None,
        }
    }
}

/// The agreed terms, one section per factor; `None` means not agreed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    /// Licensing and intellectual property.
    pub licensing: Option<Licensing>,
    /// Contractual security requirements from the catalogue.
    pub security: Option<SecurityRequirements>,
    /// The threat model handed over.
    pub threat_model: Option<ThreatModel>,
    /// Acceptance criteria.
    pub acceptance: Option<Acceptance>,
    /// Assurance evidence required from the supplier.
    pub assurance: Option<Assurance>,
    /// Malicious-content and vulnerability testing.
    pub testing: Option<Testing>,
    /// Source code escrow.
    pub escrow: Option<Escrow>,
    /// Right to audit.
    pub audit: Option<RightToAudit>,
    /// Development-environment requirements.
    pub environment: Option<DevelopmentEnvironment>,
    /// Applicable legislation.
    pub legislation: Option<Legislation>,
}

/// Licensing and intellectual property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licensing {
    /// Who owns the code delivered.
    pub code_owner: String,
    /// Copyright holders expected in the delivered code; others are flagged.
    pub expected_copyright_holders: Vec<String>,
    /// Reference to the licence policy (allowed and denied licences).
    pub licence_policy: String,
}

/// Contractual security requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRequirements {
    /// Requirements from the catalogue and how each is verified.
    pub requirements: Vec<AgreedRequirement>,
}

/// One catalogue requirement agreed for an engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedRequirement {
    /// The catalogue id, e.g. `OSD-SEC-01`.
    pub id: String,
    /// How it is verified for this engagement.
    pub verification: VerificationMethod,
}

/// The organisation's threat model, handed to the supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatModel {
    /// Document or file reference.
    pub reference: String,
    /// When it was handed over.
    pub handed_over: Option<Date>,
    /// Whether the supplier acknowledged it.
    pub acknowledged: bool,
}

/// Acceptance criteria.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// The policy file as the engagement file names it (relative to the
    /// engagement file's directory).
    pub policy: String,
    /// The agreed policy by content, as the register holds it: `None` only
    /// in an engagement file that has not been applied yet (the register
    /// reads the named file when it is applied).
    pub agreed: Option<AgreedPolicy>,
}

/// The acceptance policy an engagement agreed, by content. Every change is
/// an `engagement.updated` event in the ledger naming the old and new digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedPolicy {
    /// SHA-256 of `text`, lower-case hex.
    pub sha256: String,
    /// The policy file's text.
    pub text: String,
}

impl AgreedPolicy {
    /// The policy `text`, with its digest.
    pub fn new(text: String) -> AgreedPolicy {
        use sha2::Digest as _;
        let sha256 = hex::encode(sha2::Sha256::digest(text.as_bytes()));
        AgreedPolicy { sha256, text }
    }
}

/// Assurance evidence required from the supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assurance {
    /// Each kind of evidence required.
    pub evidence: Vec<EvidenceRequirement>,
}

/// One kind of assurance evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRequirement {
    /// E.g. `pentest-report`, `iso27001-certificate`, `soc2-type2-report`.
    pub kind: String,
    /// How often it must be provided.
    pub frequency: Frequency,
    /// When the evidence currently held expires.
    pub expires: Option<Date>,
}

/// Malicious-content and vulnerability testing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Testing {
    /// Every delivery is scanned for malicious content by the organisation.
    pub malicious_content_scan: bool,
    /// Every delivery is scanned for known vulnerabilities by the organisation.
    pub vulnerability_scan: bool,
    /// The supplier runs static analysis and reports the results.
    pub supplier_sast: bool,
    /// How often an independent penetration test is required.
    pub penetration_test: Option<Frequency>,
}

/// Source code escrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escrow {
    /// The escrow agent.
    pub agent: String,
    /// How often the supplier deposits.
    pub deposit_frequency: Frequency,
    /// When the deposit is released to the organisation.
    pub release_conditions: Vec<String>,
    /// Last deposit whose contents were verified.
    pub last_verified_deposit: Option<Date>,
}

/// The right to audit the supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightToAudit {
    /// The contract clause granting it.
    pub clause: String,
    /// When the last audit took place.
    pub last_audit: Option<Date>,
    /// When the next audit is due.
    pub next_due: Option<Date>,
    /// Open findings of past audits.
    pub findings: Vec<String>,
}

/// Requirements on the supplier's development environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevelopmentEnvironment {
    /// What the environment must satisfy.
    pub checklist: Vec<String>,
    /// When the supplier last attested to the checklist.
    pub last_attestation: Option<Date>,
    /// OpenSSH public keys (validated) the supplier signs commits with.
    pub signing_keys: Vec<String>,
    /// E-mail domains (lower case) of the supplier and its declared
    /// sub-suppliers: commits by anyone else are reported.
    pub commit_domains: Vec<String>,
    /// PEM public keys (ed25519 or ECDSA P-256, validated) that sign the
    /// provenance (DSSE envelopes) delivered with artefacts.
    pub provenance_keys: Vec<String>,
}

/// Applicable legislation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legislation {
    /// Laws and regulations, e.g. `GDPR`.
    pub laws: Vec<String>,
    /// Whether a data processing agreement is signed.
    pub dpa_signed: bool,
    /// Categories of personal data the system processes.
    pub personal_data_categories: Vec<String>,
}
