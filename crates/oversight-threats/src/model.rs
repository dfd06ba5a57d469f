//! The normalised threat model every format is read into.
//!
//! Threats, the elements they apply to and the data flows between elements,
//! whatever tool wrote the source. Documents of this shape are what the
//! register stores (canonical JSON), so field names are part of the record
//! format: rename nothing.

use serde::{Deserialize, Serialize};

use crate::verification::Verification;

/// The format a threat model was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// OWASP Threat Dragon, version 2 JSON.
    ThreatDragon,
    /// Open Threat Model, JSON or YAML.
    Otm,
    /// Threagile YAML.
    Threagile,
}

impl SourceFormat {
    /// The name used on the command line and in records.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::ThreatDragon => "threat-dragon",
            SourceFormat::Otm => "otm",
            SourceFormat::Threagile => "threagile",
        }
    }
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A threat model in Oversight's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatModel {
    /// The format it was read from.
    pub format: SourceFormat,
    /// The model's title.
    pub title: String,
    /// Every element (actor, process, store, data flow, trust boundary), in
    /// the source's order.
    pub elements: Vec<Element>,
    /// The data flows between elements.
    pub flows: Vec<Flow>,
    /// Every threat, in the source's order.
    pub threats: Vec<Threat>,
}

impl ThreatModel {
    /// The element `id`, if the model has it.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }

    /// Every mitigation with its threat, in order.
    pub fn mitigations(&self) -> impl Iterator<Item = (&Threat, &Mitigation)> {
        self.threats
            .iter()
            .flat_map(|t| t.mitigations.iter().map(move |m| (t, m)))
    }
}

/// What kind of thing an element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementKind {
    /// An actor or external entity.
    Actor,
    /// A process, service or application.
    Process,
    /// A data store.
    Store,
    /// A data flow (also listed in [`ThreatModel::flows`]).
    DataFlow,
    /// A trust boundary or trust zone.
    TrustBoundary,
}

/// One element of the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The source's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: ElementKind,
    /// The element or trust zone it sits in, when the source says.
    pub parent: Option<String>,
    /// Declared out of scope by the modeller: its threats are listed but
    /// not traced into deliveries.
    pub out_of_scope: bool,
}

/// A data flow between two elements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The flow's element id.
    pub id: String,
    /// Where it starts (`None`: a loose end in a diagram).
    pub source: Option<String>,
    /// Where it ends (`None`: a loose end in a diagram).
    pub target: Option<String>,
}

/// STRIDE, the threat categories most models use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    /// Pretending to be someone or something else.
    Spoofing,
    /// Changing data or code.
    Tampering,
    /// Denying an action without the other party being able to prove it.
    Repudiation,
    /// Exposing information to someone not allowed to see it.
    InformationDisclosure,
    /// Denying or degrading service.
    DenialOfService,
    /// Gaining capabilities without authorisation.
    ElevationOfPrivilege,
}

impl Stride {
    /// Every category, in STRIDE order.
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    /// The name as Threat Dragon writes it (`Information disclosure`).
    pub fn title(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    /// The name as Threagile and this crate's records write it
    /// (`information-disclosure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information-disclosure",
            Stride::DenialOfService => "denial-of-service",
            Stride::ElevationOfPrivilege => "elevation-of-privilege",
        }
    }

    /// Reads any of the spellings tools use (`Information disclosure`,
    /// `information-disclosure`, `InformationDisclosure`), ignoring case.
    pub fn parse(text: &str) -> Option<Stride> {
        let folded: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Stride::ALL.into_iter().find(|s| {
            let name: String = s.as_str().chars().filter(|c| *c != '-').collect();
            name == folded
        })
    }
}

/// How bad a threat is, on one scale for every format.
///
/// Threat Dragon writes Low, Medium, High (and Critical); Threagile low,
/// medium, elevated, high, critical (elevated is read as high: between two
/// levels, the worse one); OTM gives likelihood and impact from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The capitalised name Threat Dragon writes.
    pub fn title(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// Reads a severity name, ignoring case; `elevated` is high.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" | "elevated" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the modeller says about a threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreatStatus {
    /// Not yet countered (Threat Dragon Open; Threagile unchecked,
    /// in-discussion, in-progress; OTM exposed).
    Open,
    /// Countered by its mitigations (Threat Dragon Mitigated, Avoided,
    /// Eliminated; Threagile mitigated; OTM mitigated).
    Mitigated,
    /// The organisation accepted the risk.
    Accepted,
    /// The risk was transferred (insurance, a third party).
    Transferred,
    /// Does not apply (Threat Dragon NA; Threagile false-positive).
    NotApplicable,
}

impl ThreatStatus {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ThreatStatus::Open => "open",
            ThreatStatus::Mitigated => "mitigated",
            ThreatStatus::Accepted => "accepted",
            ThreatStatus::Transferred => "transferred",
            ThreatStatus::NotApplicable => "not-applicable",
        }
    }

    /// Whether a delivery must show this threat countered: open and
    /// mitigated threats are; accepted, transferred and inapplicable ones
    /// are a decision of the organisation, not of the delivery.
    pub fn needs_mitigation(self) -> bool {
        matches!(self, ThreatStatus::Open | ThreatStatus::Mitigated)
    }
}

impl std::fmt::Display for ThreatStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One threat against one element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threat {
    /// Unique in the model. Threat Dragon's threat id; for OTM
    /// `<threat>@<element>` (one OTM threat can apply to several elements);
    /// Threagile's risk id (`<category>@<asset>`).
    pub id: String,
    /// Short title.
    pub title: String,
    /// Longer description, possibly empty.
    pub description: String,
    /// The element it applies to (`None`: an OTM threat no element names).
    pub element: Option<String>,
    /// The category as the source writes it (`Information disclosure`).
    pub category: String,
    /// The STRIDE category, when the source's category is one.
    pub stride: Option<Stride>,
    /// How bad it is.
    pub severity: Severity,
    /// What the modeller says.
    pub status: ThreatStatus,
    /// The mitigations, each a requirement of the engagement.
    pub mitigations: Vec<Mitigation>,
}

/// One mitigation of one threat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mitigation {
    /// Unique within its threat (OTM's mitigation id; `m1`, `m2`… for the
    /// paragraphs of a Threat Dragon or Threagile mitigation text).
    pub id: String,
    /// The mitigation's text.
    pub text: String,
    /// How a delivery shows it (all must hold); empty when the model does
    /// not say.
    pub verification: Vec<Verification>,
}

impl Mitigation {
    /// The stable id of the requirement this mitigation becomes for the
    /// engagement: `TM-` and 10 hex digits of SHA-256 over the threat's id
    /// and the mitigation's id, so it survives re-imports of the model
    /// (and new versions that keep the ids) and differs between threats.
    pub fn requirement_id(&self, threat: &Threat) -> String {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        hash.update(threat.id.as_bytes());
        hash.update([0]);
        hash.update(self.id.as_bytes());
        let digest = hex::encode(hash.finalize());
        format!("TM-{}", &digest[..10])
    }
}
