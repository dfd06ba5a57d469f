//! The requirement catalogue as an OSCAL catalog.

use oversight_register::{Catalogue, Factor};
use serde::{Deserialize, Serialize};

use crate::common::{Metadata, OSCAL_VERSION, Part, Property, stable_uuid};

/// The top-level document: `{"catalog": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDocument {
    /// The catalog.
    pub catalog: Catalog,
}

/// An OSCAL catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Stable UUID.
    pub uuid: String,
    /// Metadata.
    pub metadata: Metadata,
    /// One group per A.8.30 factor that has requirements.
    pub groups: Vec<Group>,
}

/// A group of controls: one A.8.30 factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The factor's name.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Properties (the ISO control).
    pub props: Vec<Property>,
    /// Its requirements.
    pub controls: Vec<Control>,
}

/// A requirement as a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Control {
    /// The requirement id, as an OSCAL token (lower case).
    pub id: String,
    /// Its class (`oversight-requirement`).
    pub class: String,
    /// Its title.
    pub title: String,
    /// Label (the id as written), verification method, SSDF tasks, ISO control.
    pub props: Vec<Property>,
    /// Its statement.
    pub parts: Vec<Part>,
}

/// The control id of requirement `id` (`OSD-SEC-01` → `osd-sec-01`).
pub fn control_id(id: &str) -> String {
    id.to_ascii_lowercase()
}

fn factor_title(factor: Factor) -> String {
    let name = factor.as_str().replace('-', " ");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => name,
    }
}

/// The catalogue as an OSCAL catalog. `last_modified` is the time the
/// caller states (RFC 3339), so that the document is a function of its
/// inputs.
pub fn catalog(catalogue: &Catalogue, last_modified: &str) -> CatalogDocument {
    let mut groups = Vec::new();
    for &factor in Factor::ALL {
        let controls: Vec<Control> = catalogue
            .iter()
            .filter(|r| r.factor == factor)
            .map(|r| {
                let id = control_id(&r.id);
                let mut props = vec![
                    Property {
                        name: "label".to_owned(),
                        value: r.id.clone(),
                        ns: None,
                    },
                    Property::oversight("verification", r.verification.as_str()),
                    Property::oversight("iso27001-2022-control", "A.8.30"),
                ];
                props.extend(
                    r.ssdf
                        .iter()
                        .map(|t| Property::oversight("nist-ssdf-task", t.clone())),
                );
                Control {
                    parts: vec![Part {
                        id: format!("{id}_smt"),
                        name: "statement".to_owned(),
                        prose: r.text.clone(),
                    }],
                    id,
                    class: "oversight-requirement".to_owned(),
                    title: r.title.clone(),
                    props,
                }
            })
            .collect();
        if controls.is_empty() {
            continue;
        }
        groups.push(Group {
            id: factor.as_str().to_owned(),
            title: factor_title(factor),
            props: vec![Property::oversight("iso27001-2022-control", "A.8.30")],
            controls,
        });
    }
    CatalogDocument {
        catalog: Catalog {
            uuid: stable_uuid("catalog", "oversight-requirements"),
            metadata: Metadata {
                title: "Oversight requirement catalogue for outsourced development (ISO/IEC 27001:2022 A.8.30)".to_owned(),
                last_modified: last_modified.to_owned(),
                version: format!("{} requirements", catalogue.len()),
                oscal_version: OSCAL_VERSION.to_owned(),
            },
            groups,
        },
    }
}
