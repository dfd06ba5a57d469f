//! The Open Threat Model format (OTM 0.x, JSON or YAML).
//!
//! Threats and mitigations are defined once at the top level; components
//! and data flows name the threats that apply to them (`threats[].threat`)
//! with a state and the mitigations that apply (`mitigations[].mitigation`).
//! One normalised threat is made per application (`<threat>@<element>`),
//! and a defined threat no element names is kept as a threat of no element.
//!
//! Severity comes from `risk`: impact (0-100) times likelihood (0-100, 100
//! when absent), scaled to 0-100: 75 and above critical, 50 high, 25 medium,
//! below low. A mitigation's verification is its `[verify: …]` tags (in its
//! name or description) or its `oversight-verify` attribute (one tag's
//! text or a list of them).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Problem;
use crate::model::{
    Element, ElementKind, Flow, Mitigation, Severity, Stride, Threat, ThreatModel, ThreatStatus,
};
use crate::trace::ThreatTrace;
use crate::verification::{Verification, tags};

/// The attribute a mitigation may name its verification in.
pub const VERIFY_ATTRIBUTE: &str = "oversight-verify";

/// The attribute an exported threat or mitigation keeps its Oversight id
/// in, so that a model exported from another format reads back with the
/// same ids (an OTM threat applied once is otherwise `<threat>@<element>`).
pub const ID_ATTRIBUTE: &str = "oversight-id";

fn kept_id(attributes: Option<&Map<String, Value>>) -> Option<String> {
    attributes?.get(ID_ATTRIBUTE)?.as_str().map(str::to_owned)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Otm {
    otm_version: String,
    project: OtmProject,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trust_zones: Option<Vec<OtmTrustZone>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    components: Option<Vec<OtmComponent>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dataflows: Option<Vec<OtmDataflow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threats: Option<Vec<OtmThreat>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mitigations: Option<Vec<OtmMitigation>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmProject {
    name: String,
    id: String,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtmParent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trust_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    component: Option<String>,
}

impl OtmParent {
    fn id(&self) -> Option<String> {
        self.component.clone().or_else(|| self.trust_zone.clone())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmTrustZone {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<OtmParent>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmComponent {
    id: String,
    name: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<OtmParent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threats: Option<Vec<OtmThreatInstance>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmDataflow {
    id: String,
    name: String,
    source: String,
    destination: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threats: Option<Vec<OtmThreatInstance>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmThreatInstance {
    threat: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mitigations: Option<Vec<Option<OtmMitigationInstance>>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmMitigationInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mitigation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtmThreat {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    risk: Option<OtmRisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attributes: Option<Map<String, Value>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtmRisk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    likelihood: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    impact: Option<f64>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtmMitigation {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    risk_reduction: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attributes: Option<Map<String, Value>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// Whether a parsed document is an OTM model of a version Oversight reads.
pub(crate) fn detect(doc: &Value) -> Option<Result<(), Problem>> {
    let version = doc.as_object()?.get("otmVersion")?;
    match version.as_str() {
        Some(v) if v.starts_with("0.") => Some(Ok(())),
        Some(v) => Some(Err(Problem::UnsupportedVersion(format!(
            "OTM version {v}; Oversight reads OTM 0.x"
        )))),
        None => Some(Err(Problem::Schema {
            path: "otmVersion".into(),
            message: "must be a string such as \"0.2.0\"".into(),
        })),
    }
}

fn severity(risk: Option<&OtmRisk>) -> Severity {
    let Some(risk) = risk else {
        return Severity::High;
    };
    let impact = risk.impact.unwrap_or(100.0).clamp(0.0, 100.0);
    let likelihood = risk.likelihood.unwrap_or(100.0).clamp(0.0, 100.0);
    let score = impact * likelihood / 100.0;
    if score >= 75.0 {
        Severity::Critical
    } else if score >= 50.0 {
        Severity::High
    } else if score >= 25.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

fn representative_impact(s: Severity) -> f64 {
    match s {
        Severity::Low => 10.0,
        Severity::Medium => 40.0,
        Severity::High => 60.0,
        Severity::Critical => 90.0,
    }
}

fn parse_state(s: Option<&str>) -> Option<ThreatStatus> {
    match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "exposed" | "open" | "partly-mitigated" | "required") => {
            Some(ThreatStatus::Open)
        }
        Some("mitigated" | "implemented") => Some(ThreatStatus::Mitigated),
        Some("accepted") => Some(ThreatStatus::Accepted),
        Some("transferred") => Some(ThreatStatus::Transferred),
        Some("not-applicable" | "na" | "n/a") => Some(ThreatStatus::NotApplicable),
        Some(_) => None,
    }
}

fn state_name(s: ThreatStatus) -> &'static str {
    match s {
        ThreatStatus::Open => "exposed",
        ThreatStatus::Mitigated => "mitigated",
        ThreatStatus::Accepted => "accepted",
        ThreatStatus::Transferred => "transferred",
        ThreatStatus::NotApplicable => "not-applicable",
    }
}

fn mitigation_verification(m: &OtmMitigation) -> Result<Vec<Verification>, String> {
    let mut found = tags(&m.name)?;
    found.extend(tags(m.description.as_deref().unwrap_or_default())?);
    match m.attributes.as_ref().and_then(|a| a.get(VERIFY_ATTRIBUTE)) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => found.push(Verification::parse(s)?),
        Some(Value::Array(items)) => {
            for item in items {
                let text = item
                    .as_str()
                    .ok_or_else(|| format!("attribute `{VERIFY_ATTRIBUTE}` must hold strings"))?;
                found.push(Verification::parse(text)?);
            }
        }
        Some(_) => {
            return Err(format!(
                "attribute `{VERIFY_ATTRIBUTE}` must be a string or a list of strings"
            ));
        }
    }
    found.dedup();
    Ok(found)
}

pub(crate) fn normalise(doc: &Otm) -> Result<ThreatModel, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut model = ThreatModel {
        format: crate::SourceFormat::Otm,
        title: doc.project.name.clone(),
        elements: Vec::new(),
        flows: Vec::new(),
        threats: Vec::new(),
    };
    for z in doc.trust_zones.iter().flatten() {
        model.elements.push(Element {
            id: z.id.clone(),
            name: z.name.clone(),
            kind: ElementKind::TrustBoundary,
            parent: z.parent.as_ref().and_then(OtmParent::id),
            out_of_scope: false,
        });
    }
    for c in doc.components.iter().flatten() {
        let kind = match c.kind.as_deref().unwrap_or_default() {
            k if k.contains("database") || k.contains("store") || k.contains("storage") => {
                ElementKind::Store
            }
            k if k.contains("client") || k.contains("actor") || k.contains("user") => {
                ElementKind::Actor
            }
            _ => ElementKind::Process,
        };
        model.elements.push(Element {
            id: c.id.clone(),
            name: c.name.clone(),
            kind,
            parent: c.parent.as_ref().and_then(OtmParent::id),
            out_of_scope: false,
        });
    }
    for f in doc.dataflows.iter().flatten() {
        model.elements.push(Element {
            id: f.id.clone(),
            name: f.name.clone(),
            kind: ElementKind::DataFlow,
            parent: None,
            out_of_scope: false,
        });
        model.flows.push(Flow {
            id: f.id.clone(),
            source: Some(f.source.clone()),
            target: Some(f.destination.clone()),
        });
    }
    let definitions: Vec<&OtmThreat> = doc.threats.iter().flatten().collect();
    let mitigations: Vec<&OtmMitigation> = doc.mitigations.iter().flatten().collect();
    let mut seen = std::collections::BTreeSet::new();
    for m in &mitigations {
        if !seen.insert(m.id.as_str()) {
            problems.push(Problem::DuplicateId {
                kind: "mitigation",
                id: m.id.clone(),
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in &definitions {
        if !seen.insert(t.id.as_str()) {
            problems.push(Problem::DuplicateId {
                kind: "threat",
                id: t.id.clone(),
            });
        }
    }
    let applications = doc
        .components
        .iter()
        .flatten()
        .map(|c| ("component", c.id.as_str(), c.threats.as_ref()))
        .chain(
            doc.dataflows
                .iter()
                .flatten()
                .map(|f| ("dataflow", f.id.as_str(), f.threats.as_ref())),
        );
    let mut applied = std::collections::BTreeSet::new();
    for (what, element, instances) in applications {
        for instance in instances.into_iter().flatten() {
            let Some(def) = definitions.iter().find(|t| t.id == instance.threat) else {
                problems.push(Problem::UnknownReference {
                    from: format!("{what} `{element}`"),
                    kind: "threat",
                    id: instance.threat.clone(),
                });
                continue;
            };
            applied.insert(def.id.as_str());
            let id = match kept_id(def.attributes.as_ref()) {
                Some(kept) if applications_of(doc, &def.id) == 1 => kept,
                _ => format!("{}@{element}", def.id),
            };
            let Some(status) = parse_state(instance.state.as_deref()) else {
                problems.push(Problem::Schema {
                    path: format!("{what} `{element}` threats `{}` state", def.id),
                    message: format!(
                        "state `{}` is not one Oversight knows (exposed, mitigated, accepted, transferred, not-applicable)",
                        instance.state.as_deref().unwrap_or_default()
                    ),
                });
                continue;
            };
            let mut threat_mitigations = Vec::new();
            for m in instance.mitigations.iter().flatten().flatten() {
                let Some(mid) = &m.mitigation else { continue };
                let Some(def_m) = mitigations.iter().find(|d| &d.id == mid) else {
                    problems.push(Problem::UnknownReference {
                        from: format!("{what} `{element}` threat `{}`", def.id),
                        kind: "mitigation",
                        id: mid.clone(),
                    });
                    continue;
                };
                match mitigation_verification(def_m) {
                    Ok(verification) => threat_mitigations.push(Mitigation {
                        id: kept_id(def_m.attributes.as_ref()).unwrap_or_else(|| def_m.id.clone()),
                        text: mitigation_text(def_m),
                        verification,
                    }),
                    Err(message) => problems.push(Problem::Verification {
                        from: format!("threat `{id}` mitigation `{mid}`"),
                        message,
                    }),
                }
            }
            model.threats.push(threat(
                def,
                id,
                Some(element.to_owned()),
                status,
                threat_mitigations,
            ));
        }
    }
    for def in definitions
        .iter()
        .filter(|d| !applied.contains(d.id.as_str()))
    {
        model.threats.push(threat(
            def,
            def.id.clone(),
            None,
            ThreatStatus::Open,
            Vec::new(),
        ));
    }
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(problems)
    }
}

fn applications_of(doc: &Otm, threat: &str) -> usize {
    let count = |instances: Option<&Vec<OtmThreatInstance>>| {
        instances
            .into_iter()
            .flatten()
            .filter(|i| i.threat == threat)
            .count()
    };
    doc.components
        .iter()
        .flatten()
        .map(|c| count(c.threats.as_ref()))
        .sum::<usize>()
        + doc
            .dataflows
            .iter()
            .flatten()
            .map(|f| count(f.threats.as_ref()))
            .sum::<usize>()
}

fn mitigation_text(m: &OtmMitigation) -> String {
    match m.description.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => format!("{}: {d}", m.name),
        _ => m.name.clone(),
    }
}

fn threat(
    def: &OtmThreat,
    id: String,
    element: Option<String>,
    status: ThreatStatus,
    mitigations: Vec<Mitigation>,
) -> Threat {
    let categories: Vec<&str> = def
        .categories
        .iter()
        .flatten()
        .flatten()
        .map(String::as_str)
        .collect();
    Threat {
        id,
        title: def.name.clone(),
        description: def.description.clone().unwrap_or_default(),
        element,
        category: categories.join(", "),
        stride: categories.iter().find_map(|c| Stride::parse(c)),
        severity: severity(def.risk.as_ref()),
        status,
        mitigations,
    }
}

/// The source document with each threat application's verification state
/// in its threat instance (`oversight` beside `threat` and `state`).
pub(crate) fn annotate(mut doc: Otm, model: &ThreatModel, traces: Option<&[ThreatTrace]>) -> Otm {
    let mark = |element: &str, instances: &mut Option<Vec<OtmThreatInstance>>| {
        for instance in instances.iter_mut().flatten() {
            let id = format!("{}@{element}", instance.threat);
            if let Some(t) = model.threats.iter().find(|t| t.id == id)
                && let Some(state) = crate::export::state_of(t, traces)
            {
                instance.extra.insert(
                    "oversight".into(),
                    serde_json::to_value(state).expect("a state serialises"),
                );
            }
        }
    };
    for c in doc.components.iter_mut().flatten() {
        let id = c.id.clone();
        mark(&id, &mut c.threats);
    }
    for f in doc.dataflows.iter_mut().flatten() {
        let id = f.id.clone();
        mark(&id, &mut f.threats);
    }
    doc
}

/// A new OTM document for a model read from another format.
pub(crate) fn generate(model: &ThreatModel, traces: Option<&[ThreatTrace]>) -> Otm {
    let instances = |element: &str| -> Option<Vec<OtmThreatInstance>> {
        let list: Vec<OtmThreatInstance> = model
            .threats
            .iter()
            .filter(|t| t.element.as_deref() == Some(element))
            .map(|t| {
                let mut extra = Map::new();
                if let Some(state) = crate::export::state_of(t, traces) {
                    extra.insert(
                        "oversight".into(),
                        serde_json::to_value(state).expect("a state serialises"),
                    );
                }
                OtmThreatInstance {
                    threat: t.id.clone(),
                    state: Some(state_name(t.status).to_owned()),
                    mitigations: Some(
                        t.mitigations
                            .iter()
                            .map(|m| {
                                Some(OtmMitigationInstance {
                                    mitigation: Some(mitigation_id(t, m)),
                                    state: Some("required".to_owned()),
                                    extra: Map::new(),
                                })
                            })
                            .collect(),
                    ),
                    extra,
                }
            })
            .collect();
        Some(list)
    };
    // OTM names threats by definition; a generated document defines one
    // threat per normalised threat, under the normalised id, so a second
    // import gives `<id>@<element>`. To keep ids stable across the round
    // trip, definitions are named by the part before the element.
    let mut zones = Vec::new();
    let mut components = Vec::new();
    let mut dataflows = Vec::new();
    let mut first_zone: Option<String> = None;
    for e in &model.elements {
        if e.kind == ElementKind::TrustBoundary {
            first_zone.get_or_insert_with(|| e.id.clone());
        }
    }
    for e in &model.elements {
        let parent = |e: &Element| {
            e.parent.as_ref().map(|p| {
                if model
                    .element(p)
                    .is_some_and(|p| p.kind == ElementKind::TrustBoundary)
                {
                    OtmParent {
                        trust_zone: Some(p.clone()),
                        component: None,
                    }
                } else {
                    OtmParent {
                        trust_zone: None,
                        component: Some(p.clone()),
                    }
                }
            })
        };
        match e.kind {
            ElementKind::TrustBoundary => {
                let mut extra = Map::new();
                extra.insert("risk".into(), serde_json::json!({ "trustRating": 50 }));
                zones.push(OtmTrustZone {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    parent: parent(e),
                    extra,
                });
            }
            ElementKind::DataFlow => {
                let flow = model.flows.iter().find(|f| f.id == e.id);
                let (Some(source), Some(destination)) = (
                    flow.and_then(|f| f.source.clone()),
                    flow.and_then(|f| f.target.clone()),
                ) else {
                    // OTM requires both ends; a loose diagram edge carries
                    // its threats on a component of its own.
                    components.push(OtmComponent {
                        id: e.id.clone(),
                        name: e.name.clone(),
                        kind: Some("data-flow".to_owned()),
                        parent: Some(OtmParent {
                            trust_zone: Some(
                                first_zone
                                    .clone()
                                    .unwrap_or_else(|| "oversight-zone".to_owned()),
                            ),
                            component: None,
                        }),
                        threats: instances(&e.id),
                        extra: Map::new(),
                    });
                    continue;
                };
                dataflows.push(OtmDataflow {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    source,
                    destination,
                    threats: instances(&e.id),
                    extra: Map::new(),
                });
            }
            kind => {
                let kind = match kind {
                    ElementKind::Actor => "actor",
                    ElementKind::Store => "database",
                    _ => "process",
                };
                components.push(OtmComponent {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    kind: Some(kind.to_owned()),
                    parent: Some(parent(e).unwrap_or_else(|| {
                        OtmParent {
                            trust_zone: Some(
                                first_zone
                                    .clone()
                                    .unwrap_or_else(|| "oversight-zone".to_owned()),
                            ),
                            component: None,
                        }
                    })),
                    threats: instances(&e.id),
                    extra: Map::new(),
                });
            }
        }
    }
    let needs_zone = first_zone.is_none()
        && components.iter().any(|c| {
            c.parent.as_ref().and_then(|p| p.trust_zone.as_deref()) == Some("oversight-zone")
        });
    if needs_zone {
        let mut extra = Map::new();
        extra.insert("risk".into(), serde_json::json!({ "trustRating": 50 }));
        zones.push(OtmTrustZone {
            id: "oversight-zone".to_owned(),
            name: "Unzoned elements".to_owned(),
            parent: None,
            extra,
        });
    }
    let mut threats = Vec::new();
    let mut mitigations: Vec<OtmMitigation> = Vec::new();
    for t in &model.threats {
        threats.push(OtmThreat {
            id: t.id.clone(),
            name: t.title.clone(),
            description: Some(t.description.clone()),
            categories: Some(if t.category.is_empty() {
                t.stride
                    .map(|s| Some(s.title().to_owned()))
                    .into_iter()
                    .collect()
            } else {
                t.category.split(", ").map(|c| Some(c.to_owned())).collect()
            }),
            risk: Some(OtmRisk {
                likelihood: Some(100.0),
                impact: Some(representative_impact(t.severity)),
                extra: Map::new(),
            }),
            attributes: Some(
                std::iter::once((ID_ATTRIBUTE.to_owned(), Value::from(t.id.clone()))).collect(),
            ),
            extra: Map::new(),
        });
        for m in &t.mitigations {
            let id = mitigation_id(t, m);
            if mitigations.iter().any(|x| x.id == id) {
                continue;
            }
            let mut attributes = Map::new();
            attributes.insert(ID_ATTRIBUTE.into(), Value::from(m.id.clone()));
            if !m.verification.is_empty() && tags(&m.text).ok().as_deref() != Some(&m.verification)
            {
                attributes.insert(
                    VERIFY_ATTRIBUTE.into(),
                    Value::Array(
                        m.verification
                            .iter()
                            .map(|v| Value::from(v.tag()))
                            .collect(),
                    ),
                );
            }
            mitigations.push(OtmMitigation {
                id,
                name: m.text.clone(),
                description: None,
                risk_reduction: Some(100.0),
                attributes: Some(attributes),
                extra: Map::new(),
            });
        }
    }
    let mut project_extra = Map::new();
    project_extra.insert(
        "description".into(),
        Value::from(format!(
            "Exported by Oversight from a {} model",
            model.format
        )),
    );
    Otm {
        otm_version: "0.2.0".to_owned(),
        project: OtmProject {
            name: model.title.clone(),
            id: slug(&model.title),
            extra: project_extra,
        },
        trust_zones: Some(zones),
        components: Some(components),
        dataflows: Some(dataflows),
        threats: Some(threats),
        mitigations: Some(mitigations),
        extra: Map::new(),
    }
}

/// The id a generated OTM document gives a mitigation: its own id when the
/// model came from OTM (ids are global there), else `<threat>/<id>`.
fn mitigation_id(t: &Threat, m: &Mitigation) -> String {
    if m.id.starts_with('m') && m.id[1..].chars().all(|c| c.is_ascii_digit()) {
        format!("{}/{}", t.id, m.id)
    } else {
        m.id.clone()
    }
}

fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "threat-model".to_owned()
    } else {
        s
    }
}
