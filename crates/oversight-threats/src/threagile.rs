//! Threagile YAML models.
//!
//! Threagile computes most of its risks by running its rules over the
//! model; those are not in the file, and Oversight does not run Threagile.
//! What the file holds are the modeller's own risks,
//! `individual_risk_categories.*.risks_identified`: each becomes a threat
//! with the category's STRIDE value and mitigation text, the risk's
//! severity and its most relevant technical asset (or link, boundary…) as
//! element. Its status comes from `risk_tracking`, matched on Threagile's
//! risk id (`<category>@<asset>…`, `*` matching one part). Unquoted dates
//! (`date: 2020-07-01`) are read as text.

use indexmap::IndexMap as BTreeMap;

use serde::Deserialize;

use crate::error::Problem;
use crate::model::{
    Element, ElementKind, Flow, Mitigation, Severity, Stride, Threat, ThreatModel, ThreatStatus,
};
use crate::verification::{paragraphs, tags};

#[derive(Debug, Deserialize)]
pub(crate) struct Threagile {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    data_assets: Option<BTreeMap<String, DataAsset>>,
    #[serde(default)]
    technical_assets: Option<BTreeMap<String, TechnicalAsset>>,
    #[serde(default)]
    trust_boundaries: Option<BTreeMap<String, TrustBoundary>>,
    #[serde(default)]
    shared_runtimes: Option<BTreeMap<String, SharedRuntime>>,
    #[serde(default)]
    individual_risk_categories: Option<BTreeMap<String, RiskCategory>>,
    #[serde(default)]
    risk_tracking: Option<BTreeMap<String, Tracking>>,
}

#[derive(Debug, Deserialize)]
struct DataAsset {
    id: String,
}

#[derive(Debug, Deserialize)]
struct TechnicalAsset {
    id: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    out_of_scope: Option<bool>,
    #[serde(default)]
    data_assets_processed: Option<Vec<String>>,
    #[serde(default)]
    data_assets_stored: Option<Vec<String>>,
    #[serde(default)]
    communication_links: Option<BTreeMap<String, Link>>,
}

#[derive(Debug, Deserialize)]
struct Link {
    target: String,
    #[serde(default)]
    data_assets_sent: Option<Vec<String>>,
    #[serde(default)]
    data_assets_received: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct TrustBoundary {
    id: String,
    #[serde(default)]
    technical_assets_inside: Option<Vec<String>>,
    #[serde(default)]
    trust_boundaries_nested: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct SharedRuntime {
    id: String,
}

#[derive(Debug, Deserialize)]
struct RiskCategory {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    mitigation: Option<String>,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    stride: Option<String>,
    #[serde(default)]
    risks_identified: Option<BTreeMap<String, Risk>>,
}

#[derive(Debug, Deserialize)]
struct Risk {
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    most_relevant_data_asset: Option<String>,
    #[serde(default)]
    most_relevant_technical_asset: Option<String>,
    #[serde(default)]
    most_relevant_communication_link: Option<String>,
    #[serde(default)]
    most_relevant_trust_boundary: Option<String>,
    #[serde(default)]
    most_relevant_shared_runtime: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Tracking {
    #[serde(default)]
    status: Option<String>,
}

/// Whether a parsed document is a Threagile model.
pub(crate) fn detect(doc: &serde_json::Value) -> bool {
    doc.as_object()
        .is_some_and(|o| o.contains_key("threagile_version"))
}

fn link_id(source: &str, title: &str) -> String {
    // Threagile names a link `<source asset id>><title as an id>`.
    // Runs of characters other than ASCII letters and digits become one `-`.
    let mut id = String::new();
    for c in title.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    format!("{source}>{id}")
}

fn strip_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

fn tracking_matches(pattern: &str, id: &str) -> bool {
    let p: Vec<&str> = pattern.split('@').collect();
    let i: Vec<&str> = id.split('@').collect();
    p.len() == i.len() && p.iter().zip(&i).all(|(p, i)| *p == "*" || p == i)
}

fn parse_status(s: &str) -> Option<ThreatStatus> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "unchecked" | "in-discussion" | "in-progress" => Some(ThreatStatus::Open),
        "mitigated" => Some(ThreatStatus::Mitigated),
        "accepted" => Some(ThreatStatus::Accepted),
        "false-positive" => Some(ThreatStatus::NotApplicable),
        _ => None,
    }
}

pub(crate) fn normalise(doc: &Threagile) -> Result<ThreatModel, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut model = ThreatModel {
        format: crate::SourceFormat::Threagile,
        title: doc.title.clone().unwrap_or_default(),
        elements: Vec::new(),
        flows: Vec::new(),
        threats: Vec::new(),
    };
    let data_assets: std::collections::BTreeSet<&str> = doc
        .data_assets
        .iter()
        .flatten()
        .map(|(_, d)| d.id.as_str())
        .collect();
    let mut parents: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (_, b) in doc.trust_boundaries.iter().flatten() {
        for inside in b.technical_assets_inside.iter().flatten() {
            parents.insert(inside.clone(), b.id.clone());
        }
        for nested in b.trust_boundaries_nested.iter().flatten() {
            parents.insert(nested.clone(), b.id.clone());
        }
    }
    for (title, a) in doc.technical_assets.iter().flatten() {
        let kind = match a.kind.as_deref() {
            Some("external-entity") => ElementKind::Actor,
            Some("datastore") => ElementKind::Store,
            _ => ElementKind::Process,
        };
        model.elements.push(Element {
            id: a.id.clone(),
            name: title.clone(),
            kind,
            parent: parents.get(&a.id).cloned(),
            out_of_scope: a.out_of_scope.unwrap_or(false),
        });
        let used = a
            .data_assets_processed
            .iter()
            .flatten()
            .chain(a.data_assets_stored.iter().flatten());
        for d in used {
            if !data_assets.contains(d.as_str()) {
                problems.push(Problem::UnknownReference {
                    from: format!("technical asset `{}`", a.id),
                    kind: "data asset",
                    id: d.clone(),
                });
            }
        }
    }
    for a in doc.technical_assets.iter().flatten().map(|(_, a)| a) {
        for (link_title, link) in a.communication_links.iter().flatten() {
            let id = link_id(&a.id, link_title);
            model.elements.push(Element {
                id: id.clone(),
                name: link_title.clone(),
                kind: ElementKind::DataFlow,
                parent: None,
                out_of_scope: false,
            });
            model.flows.push(Flow {
                id: id.clone(),
                source: Some(a.id.clone()),
                target: Some(link.target.clone()),
            });
            let sent = link
                .data_assets_sent
                .iter()
                .flatten()
                .chain(link.data_assets_received.iter().flatten());
            for d in sent {
                if !data_assets.contains(d.as_str()) {
                    problems.push(Problem::UnknownReference {
                        from: format!("communication link `{id}`"),
                        kind: "data asset",
                        id: d.clone(),
                    });
                }
            }
        }
    }
    for (title, b) in doc.trust_boundaries.iter().flatten() {
        model.elements.push(Element {
            id: b.id.clone(),
            name: title.clone(),
            kind: ElementKind::TrustBoundary,
            parent: parents.get(&b.id).cloned(),
            out_of_scope: false,
        });
    }
    for (title, r) in doc.shared_runtimes.iter().flatten() {
        model.elements.push(Element {
            id: r.id.clone(),
            name: title.clone(),
            kind: ElementKind::Process,
            parent: None,
            out_of_scope: false,
        });
    }
    let tracking: Vec<(&String, &Tracking)> = doc.risk_tracking.iter().flatten().collect();
    for (_, category) in doc.individual_risk_categories.iter().flatten() {
        let stride = category.stride.as_deref().and_then(Stride::parse);
        if let Some(s) = &category.stride
            && stride.is_none()
        {
            problems.push(Problem::Schema {
                path: format!("individual_risk_categories.{}.stride", category.id),
                message: format!("`{s}` is not a STRIDE category"),
            });
        }
        let mut mitigations = Vec::new();
        let text = category.mitigation.clone().unwrap_or_default();
        for (mid, paragraph) in paragraphs(&text) {
            match tags(&paragraph) {
                Ok(verification) => mitigations.push(Mitigation {
                    id: mid,
                    text: paragraph,
                    verification,
                }),
                Err(message) => problems.push(Problem::Verification {
                    from: format!("risk category `{}` mitigation", category.id),
                    message,
                }),
            }
        }
        // The category's `check` says how to verify the mitigation: its
        // tags apply to the first mitigation.
        match tags(category.check.as_deref().unwrap_or_default()) {
            Ok(extra) if !extra.is_empty() => match mitigations.first_mut() {
                Some(first) => first.verification.extend(extra),
                None => mitigations.push(Mitigation {
                    id: "m1".into(),
                    text: category.check.clone().unwrap_or_default(),
                    verification: extra,
                }),
            },
            Ok(_) => {}
            Err(message) => problems.push(Problem::Verification {
                from: format!("risk category `{}` check", category.id),
                message,
            }),
        }
        for (risk_title, risk) in category.risks_identified.iter().flatten() {
            let parts = [
                &risk.most_relevant_technical_asset,
                &risk.most_relevant_communication_link,
                &risk.most_relevant_trust_boundary,
                &risk.most_relevant_shared_runtime,
                &risk.most_relevant_data_asset,
            ];
            let mut id = category.id.clone();
            for part in parts.into_iter().flatten().filter(|p| !p.is_empty()) {
                id.push('@');
                id.push_str(part);
            }
            let element = [
                &risk.most_relevant_technical_asset,
                &risk.most_relevant_communication_link,
                &risk.most_relevant_trust_boundary,
                &risk.most_relevant_shared_runtime,
            ]
            .into_iter()
            .flatten()
            .find(|p| !p.is_empty())
            .cloned();
            if let Some(d) = &risk.most_relevant_data_asset
                && !d.is_empty()
                && !data_assets.contains(d.as_str())
            {
                problems.push(Problem::UnknownReference {
                    from: format!("risk `{id}`"),
                    kind: "data asset",
                    id: d.clone(),
                });
            }
            let severity = match risk.severity.as_deref() {
                None => Severity::High,
                Some(s) => Severity::parse(s).unwrap_or_else(|| {
                    problems.push(Problem::Schema {
                        path: format!("individual_risk_categories.{}.risks_identified", category.id),
                        message: format!(
                            "risk `{id}` has severity `{s}` (expected low, medium, elevated, high or critical)"
                        ),
                    });
                    Severity::High
                }),
            };
            let status = match tracking
                .iter()
                .find(|(pattern, _)| tracking_matches(pattern, &id))
            {
                None => ThreatStatus::Open,
                Some((pattern, t)) => {
                    let s = t.status.as_deref().unwrap_or_default();
                    parse_status(s).unwrap_or_else(|| {
                        problems.push(Problem::Schema {
                            path: format!("risk_tracking.{pattern}.status"),
                            message: format!("`{s}` is not a Threagile tracking status"),
                        });
                        ThreatStatus::Open
                    })
                }
            };
            model.threats.push(Threat {
                id,
                title: strip_markup(risk_title),
                description: category.description.clone().unwrap_or_default(),
                element,
                category: category.stride.clone().unwrap_or_default(),
                stride,
                severity,
                status,
                mitigations: mitigations.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(problems)
    }
}
