//! OWASP Threat Dragon version 2 JSON.
//!
//! A model is `summary`, `detail.diagrams[].cells[]`: each cell is an actor,
//! process, store, flow or trust boundary (`shape`), and its `data.threats`
//! are the threats against it. The types keep every field they do not
//! interpret (`extra`), so an export of a model read from Threat Dragon is
//! the same document with Oversight's verification added to each threat.
//!
//! Real files are read as the tool writes them: the published schema's
//! `strokeDasharray: null` failures are in cell attributes this crate does
//! not interpret; a threat's id is `id` (what Threat Dragon 2 writes) or
//! `threatId` (what the schema names); a missing or blank severity is read
//! as high (fail closed: an unrated threat is not assumed harmless).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Problem;
use crate::model::{
    Element, ElementKind, Flow, Mitigation, Severity, Stride, Threat, ThreatModel, ThreatStatus,
};
use crate::trace::ThreatTrace;
use crate::verification::{paragraphs, tags};

/// The whole document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TdModel {
    version: String,
    summary: TdSummary,
    detail: TdDetail,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TdSummary {
    title: String,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TdDetail {
    #[serde(default)]
    diagrams: Vec<TdDiagram>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TdDiagram {
    #[serde(default)]
    cells: Vec<TdCell>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TdCell {
    id: String,
    shape: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<TdCellData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<TdEnd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<TdEnd>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TdEnd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cell: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TdCellData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    out_of_scope: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threats: Option<Vec<TdThreat>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TdThreat {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threat_id: Option<String>,
    title: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mitigation: Option<String>,
    /// Oversight's verification state, written by an export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oversight: Option<crate::export::ExportedState>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// Whether a parsed JSON document is a Threat Dragon model, and of which
/// version: `Some(Ok(()))` for version 2, `Some(Err)` for another one.
pub(crate) fn detect(doc: &Value) -> Option<Result<(), Problem>> {
    let object = doc.as_object()?;
    if !(object.contains_key("summary") && object.contains_key("detail")) {
        return None;
    }
    match object.get("version").and_then(Value::as_str) {
        Some(v) if v.starts_with("2.") => Some(Ok(())),
        Some(v) => Some(Err(Problem::UnsupportedVersion(format!(
            "Threat Dragon model version {v}; Oversight reads version 2 models"
        )))),
        None => Some(Err(Problem::UnsupportedVersion(
            "a Threat Dragon version 1 model (no `version`); open it in Threat Dragon 2 and save it to convert it"
                .to_owned(),
        ))),
    }
}

fn element_kind(cell: &TdCell) -> Option<ElementKind> {
    let by_type = cell.data.as_ref().and_then(|d| d.kind.as_deref());
    match (cell.shape.as_str(), by_type) {
        ("actor", _) | (_, Some("tm.Actor")) => Some(ElementKind::Actor),
        ("process", _) | (_, Some("tm.Process")) => Some(ElementKind::Process),
        ("store", _) | (_, Some("tm.Store")) => Some(ElementKind::Store),
        ("flow", _) | (_, Some("tm.Flow")) => Some(ElementKind::DataFlow),
        (shape, _) if shape.starts_with("trust-boundary") => Some(ElementKind::TrustBoundary),
        (_, Some("tm.Boundary")) => Some(ElementKind::TrustBoundary),
        _ => None,
    }
}

pub(crate) fn normalise(doc: &TdModel) -> Result<ThreatModel, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut model = ThreatModel {
        format: crate::SourceFormat::ThreatDragon,
        title: doc.summary.title.clone(),
        elements: Vec::new(),
        flows: Vec::new(),
        threats: Vec::new(),
    };
    for (d, diagram) in doc.detail.diagrams.iter().enumerate() {
        for (c, cell) in diagram.cells.iter().enumerate() {
            let data = cell.data.as_ref();
            let has_threats = data
                .and_then(|d| d.threats.as_ref())
                .is_some_and(|t| !t.is_empty());
            let Some(kind) = element_kind(cell) else {
                if has_threats {
                    problems.push(Problem::Schema {
                        path: format!("detail.diagrams[{d}].cells[{c}].shape"),
                        message: format!(
                            "cell `{}` of shape `{}` holds threats but is not an actor, process, store, flow or trust boundary",
                            cell.id, cell.shape
                        ),
                    });
                }
                continue;
            };
            let name = data
                .and_then(|d| d.name.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| cell.id.clone());
            model.elements.push(Element {
                id: cell.id.clone(),
                name,
                kind,
                parent: None,
                out_of_scope: data.and_then(|d| d.out_of_scope).unwrap_or(false),
            });
            if kind == ElementKind::DataFlow {
                model.flows.push(Flow {
                    id: cell.id.clone(),
                    source: cell.source.as_ref().and_then(|e| e.cell.clone()),
                    target: cell.target.as_ref().and_then(|e| e.cell.clone()),
                });
            }
            for (t, threat) in data
                .and_then(|d| d.threats.as_ref())
                .into_iter()
                .flatten()
                .enumerate()
            {
                let path = format!("detail.diagrams[{d}].cells[{c}].data.threats[{t}]");
                match normalise_threat(threat, &cell.id, t, &path) {
                    Ok(threat) => model.threats.push(threat),
                    Err(p) => problems.extend(p),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(problems)
    }
}

fn normalise_threat(
    t: &TdThreat,
    cell: &str,
    index: usize,
    path: &str,
) -> Result<Threat, Vec<Problem>> {
    let mut problems = Vec::new();
    let id =
        t.id.clone()
            .or_else(|| t.threat_id.clone())
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| format!("{cell}#t{}", index + 1));
    let severity = match t.severity.as_deref().map(str::trim) {
        None | Some("") => Severity::High,
        Some(s) => Severity::parse(s).unwrap_or_else(|| {
            problems.push(Problem::Schema {
                path: format!("{path}.severity"),
                message: format!(
                    "threat `{id}` has severity `{s}` (expected Low, Medium, High or Critical)"
                ),
            });
            Severity::High
        }),
    };
    let status = match t.status.as_deref().map(str::trim) {
        None | Some("") => ThreatStatus::Open,
        Some(s) => parse_status(s).unwrap_or_else(|| {
            problems.push(Problem::Schema {
                path: format!("{path}.status"),
                message: format!(
                    "threat `{id}` has status `{s}` (expected NA, Open, Mitigated, Accepted, Transferred, Avoided or Eliminated)"
                ),
            });
            ThreatStatus::Open
        }),
    };
    let category = t.kind.clone().unwrap_or_default();
    let mut mitigations = Vec::new();
    for (mid, text) in paragraphs(t.mitigation.as_deref().unwrap_or_default()) {
        match tags(&text) {
            Ok(verification) => mitigations.push(Mitigation {
                id: mid,
                text,
                verification,
            }),
            Err(message) => problems.push(Problem::Verification {
                from: format!("threat `{id}` mitigation {mid}"),
                message,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Threat {
        stride: category.split(',').find_map(Stride::parse),
        id,
        title: t.title.clone(),
        description: t.description.clone().unwrap_or_default(),
        element: Some(cell.to_owned()),
        category,
        severity,
        status,
        mitigations,
    })
}

fn parse_status(s: &str) -> Option<ThreatStatus> {
    match s.to_ascii_lowercase().as_str() {
        "open" => Some(ThreatStatus::Open),
        "mitigated" | "avoided" | "eliminated" => Some(ThreatStatus::Mitigated),
        "accepted" => Some(ThreatStatus::Accepted),
        "transferred" => Some(ThreatStatus::Transferred),
        "na" | "n/a" | "notapplicable" | "not applicable" => Some(ThreatStatus::NotApplicable),
        _ => None,
    }
}

fn status_title(s: ThreatStatus) -> &'static str {
    match s {
        ThreatStatus::Open => "Open",
        ThreatStatus::Mitigated => "Mitigated",
        ThreatStatus::Accepted => "Accepted",
        ThreatStatus::Transferred => "Transferred",
        ThreatStatus::NotApplicable => "NA",
    }
}

/// The source document with each threat's verification state added.
pub(crate) fn annotate(
    mut doc: TdModel,
    model: &ThreatModel,
    traces: Option<&[ThreatTrace]>,
) -> TdModel {
    let normalised = model;
    for diagram in &mut doc.detail.diagrams {
        for cell in &mut diagram.cells {
            let cell_id = cell.id.clone();
            let Some(threats) = cell.data.as_mut().and_then(|d| d.threats.as_mut()) else {
                continue;
            };
            for (index, threat) in threats.iter_mut().enumerate() {
                let id = threat
                    .id
                    .clone()
                    .or_else(|| threat.threat_id.clone())
                    .filter(|id| !id.trim().is_empty())
                    .unwrap_or_else(|| format!("{cell_id}#t{}", index + 1));
                if let Some(t) = normalised.threats.iter().find(|t| t.id == id) {
                    threat.oversight = crate::export::state_of(t, traces);
                }
            }
        }
    }
    doc
}

/// A new Threat Dragon document for a model read from another format: one
/// diagram, elements on a grid, flows between them, each threat on its
/// element (threats of no element on a text block of their own).
pub(crate) fn generate(model: &ThreatModel, traces: Option<&[ThreatTrace]>) -> TdModel {
    let mut cells = Vec::new();
    let mut number = 0u64;
    let threats_of = |element: Option<&str>, number: &mut u64| -> Vec<TdThreat> {
        model
            .threats
            .iter()
            .filter(|t| t.element.as_deref() == element)
            .map(|t| {
                *number += 1;
                let mut extra = Map::new();
                extra.insert("modelType".into(), Value::from("STRIDE"));
                extra.insert("number".into(), Value::from(*number));
                TdThreat {
                    id: Some(t.id.clone()),
                    threat_id: None,
                    title: t.title.clone(),
                    kind: Some(if t.category.is_empty() {
                        t.stride.map(|s| s.title().to_owned()).unwrap_or_default()
                    } else {
                        t.category.clone()
                    }),
                    severity: Some(t.severity.title().to_owned()),
                    status: Some(status_title(t.status).to_owned()),
                    description: Some(t.description.clone()),
                    mitigation: Some(
                        t.mitigations
                            .iter()
                            .map(|m| m.text.as_str())
                            .collect::<Vec<_>>()
                            .join("\n\n"),
                    ),
                    oversight: crate::export::state_of(t, traces),
                    extra,
                }
            })
            .collect()
    };
    for (i, e) in model.elements.iter().enumerate() {
        let (shape, kind) = match e.kind {
            ElementKind::Actor => ("actor", "tm.Actor"),
            ElementKind::Process => ("process", "tm.Process"),
            ElementKind::Store => ("store", "tm.Store"),
            ElementKind::DataFlow => ("flow", "tm.Flow"),
            ElementKind::TrustBoundary => ("trust-boundary-box", "tm.Boundary"),
        };
        let threats = threats_of(Some(&e.id), &mut number);
        let mut data_extra = Map::new();
        data_extra.insert("description".into(), Value::from(""));
        data_extra.insert(
            "hasOpenThreats".into(),
            Value::from(threats.iter().any(|t| t.status.as_deref() == Some("Open"))),
        );
        let mut extra = Map::new();
        extra.insert("zIndex".into(), Value::from(i + 1));
        let (source, target) = if e.kind == ElementKind::DataFlow {
            let flow = model.flows.iter().find(|f| f.id == e.id);
            let end = |id: Option<&String>| TdEnd {
                cell: id.cloned(),
                extra: if id.is_some() {
                    Map::new()
                } else {
                    let mut point = Map::new();
                    point.insert("x".into(), Value::from(0));
                    point.insert("y".into(), Value::from(0));
                    point
                },
            };
            (
                Some(end(flow.and_then(|f| f.source.as_ref()))),
                Some(end(flow.and_then(|f| f.target.as_ref()))),
            )
        } else {
            let column = u64::try_from(i % 4).unwrap_or(0);
            let row = u64::try_from(i / 4).unwrap_or(0);
            extra.insert(
                "position".into(),
                serde_json::json!({ "x": 50 + column * 220, "y": 50 + row * 180 }),
            );
            extra.insert(
                "size".into(),
                serde_json::json!({ "width": 160, "height": 80 }),
            );
            (None, None)
        };
        cells.push(TdCell {
            id: e.id.clone(),
            shape: shape.to_owned(),
            data: Some(TdCellData {
                name: Some(e.name.clone()),
                kind: Some(kind.to_owned()),
                out_of_scope: Some(e.out_of_scope),
                threats: Some(threats),
                extra: data_extra,
            }),
            source,
            target,
            extra,
        });
    }
    let loose = threats_of(None, &mut number);
    if !loose.is_empty() {
        let mut extra = Map::new();
        extra.insert("zIndex".into(), Value::from(cells.len() + 1));
        cells.push(TdCell {
            id: "oversight-threats-without-element".to_owned(),
            shape: "process".to_owned(),
            data: Some(TdCellData {
                name: Some("Threats of no element".to_owned()),
                kind: Some("tm.Process".to_owned()),
                out_of_scope: Some(false),
                threats: Some(loose),
                extra: Map::new(),
            }),
            source: None,
            target: None,
            extra,
        });
    }
    let mut diagram_extra = Map::new();
    for (k, v) in [
        ("version", Value::from("2.3.0")),
        ("title", Value::from(model.title.clone())),
        ("description", Value::from("")),
        (
            "thumbnail",
            Value::from("./public/content/images/thumbnail.stride.jpg"),
        ),
        ("diagramType", Value::from("STRIDE")),
        ("id", Value::from(0)),
    ] {
        diagram_extra.insert(k.into(), v);
    }
    let mut detail_extra = Map::new();
    detail_extra.insert("contributors".into(), Value::Array(Vec::new()));
    detail_extra.insert("diagramTop".into(), Value::from(1));
    detail_extra.insert("reviewer".into(), Value::from(""));
    detail_extra.insert("threatTop".into(), Value::from(number));
    let mut summary_extra = Map::new();
    summary_extra.insert(
        "description".into(),
        Value::from(format!(
            "Exported by Oversight from a {} model",
            model.format
        )),
    );
    summary_extra.insert("owner".into(), Value::from(""));
    TdModel {
        version: "2.3.0".to_owned(),
        summary: TdSummary {
            title: model.title.clone(),
            extra: summary_extra,
        },
        detail: TdDetail {
            diagrams: vec![TdDiagram {
                cells,
                extra: diagram_extra,
            }],
            extra: detail_extra,
        },
        extra: Map::new(),
    }
}
