//! SPDX 2.3 JSON.
//!
//! Written from serde structs: `spdx-rs`, the one Rust model of SPDX 2.x
//! documents, has not been released since 2023, targets SPDX 2.2 and pulls in
//! chrono and nom for features not needed here.

use std::collections::BTreeMap;

use serde::Serialize;

use oversight_model::DependencyScope as Scope;

use crate::cyclonedx::{directness_name, scope_name};
use crate::ids;
use crate::input::{Inventory, Package, SbomInput};
use crate::license::{self, Declared};

const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const ROOT_ID: &str = "SPDXRef-Delivery";
const NOASSERTION: &str = "NOASSERTION";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo<'a>,
    packages: Vec<SpdxPackage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
    relationships: Vec<Relationship<'a>>,
}

#[derive(Serialize)]
struct CreationInfo<'a> {
    created: &'a str,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum<'a>>,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    primary_package_purpose: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum<'a> {
    algorithm: &'static str,
    checksum_value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship<'a> {
    spdx_element_id: &'a str,
    relationship_type: &'static str,
    related_spdx_element: &'a str,
}

/// SPDX checksum algorithm names for the CycloneDX ones the model uses.
fn algorithm(cyclonedx: &str) -> Option<&'static str> {
    match cyclonedx {
        "MD5" => Some("MD5"),
        "SHA-1" => Some("SHA1"),
        "SHA-256" => Some("SHA256"),
        "SHA-384" => Some("SHA384"),
        "SHA-512" => Some("SHA512"),
        _ => None,
    }
}

/// `licenseDeclared` and, for text that is no SPDX expression, the
/// `LicenseRef-` definition it needs.
fn declared(package: &Package<'_>, extracted: &mut BTreeMap<String, ExtractedLicense>) -> String {
    match package.license.and_then(license::classify) {
        None => NOASSERTION.to_owned(),
        Some(Declared::Expression(expression)) => {
            for id in license::license_refs(&expression) {
                extracted
                    .entry(id.clone())
                    .or_insert_with(|| ExtractedLicense {
                        license_id: id.clone(),
                        extracted_text: format!(
                            "Declared by the package metadata as `{expression}`; no text recorded"
                        ),
                        name: id,
                    });
            }
            expression
        }
        Some(Declared::Name(name)) => {
            let id = ids::license_ref(&name);
            extracted
                .entry(id.clone())
                .or_insert_with(|| ExtractedLicense {
                    license_id: id.clone(),
                    extracted_text: name.clone(),
                    name,
                });
            id
        }
    }
}

fn package<'a>(
    package: &'a Package<'a>,
    extracted: &mut BTreeMap<String, ExtractedLicense>,
) -> SpdxPackage<'a> {
    let sources: Vec<String> = package
        .occurrences
        .iter()
        .map(|(path, line)| match line {
            Some(line) => format!("{path}:{line}"),
            None => path.clone(),
        })
        .collect();
    SpdxPackage {
        spdx_id: &package.spdx_id,
        name: package.name,
        version_info: (!package.version.is_empty()).then_some(package.version),
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: package
            .hashes
            .iter()
            .filter_map(|(alg, hex)| {
                Some(Checksum {
                    algorithm: algorithm(alg)?,
                    checksum_value: hex,
                })
            })
            .collect(),
        license_concluded: NOASSERTION,
        license_declared: declared(package, extracted),
        copyright_text: NOASSERTION,
        source_info: (!sources.is_empty()).then(|| format!("Recorded in {}", sources.join(", "))),
        comment: Some(format!(
            "{} dependency, {} scope, ecosystem {}",
            directness_name(package.directness),
            scope_name(package.scope),
            package.ecosystem.osv_name()
        )),
        external_refs: vec![ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: &package.purl,
        }],
        primary_package_purpose: "LIBRARY",
    }
}

/// A namespace segment: the delivery name without characters a URI path
/// would need to escape.
fn uri_segment(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "delivery".into() } else { s }
}

/// Writes an SPDX 2.3 JSON document: the delivery as the described root
/// package, one package per distinct (ecosystem, name, version) with its purl
/// as a `PACKAGE-MANAGER` external reference, and the dependency graph as
/// relationships. The delivery's own edges say the scope where SPDX has a
/// word for it (`DEV_DEPENDENCY_OF`, `OPTIONAL_DEPENDENCY_OF`); every other
/// edge is `DEPENDS_ON`. Output is sorted and depends only on the input.
pub fn spdx_json(input: &SbomInput<'_>) -> String {
    let inventory = Inventory::build(input.components);
    let mut extracted = BTreeMap::new();
    let root = SpdxPackage {
        spdx_id: ROOT_ID,
        name: &input.delivery.name,
        version_info: input.delivery.version.as_deref(),
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: Vec::new(),
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION,
        source_info: None,
        comment: Some("The delivery under review".to_owned()),
        external_refs: Vec::new(),
        primary_package_purpose: "APPLICATION",
    };
    let mut packages = vec![root];
    packages.extend(
        inventory
            .packages
            .iter()
            .map(|p| package(p, &mut extracted)),
    );
    let mut relationships = vec![Relationship {
        spdx_element_id: DOCUMENT_ID,
        relationship_type: "DESCRIBES",
        related_spdx_element: ROOT_ID,
    }];
    for i in &inventory.roots {
        let p = &inventory.packages[*i];
        relationships.push(match p.scope {
            Scope::Development => Relationship {
                spdx_element_id: &p.spdx_id,
                relationship_type: "DEV_DEPENDENCY_OF",
                related_spdx_element: ROOT_ID,
            },
            Scope::Optional => Relationship {
                spdx_element_id: &p.spdx_id,
                relationship_type: "OPTIONAL_DEPENDENCY_OF",
                related_spdx_element: ROOT_ID,
            },
            Scope::Runtime | Scope::Unknown => Relationship {
                spdx_element_id: ROOT_ID,
                relationship_type: "DEPENDS_ON",
                related_spdx_element: &p.spdx_id,
            },
        });
    }
    for p in &inventory.packages {
        for dep in &p.depends_on {
            relationships.push(Relationship {
                spdx_element_id: &p.spdx_id,
                relationship_type: "DEPENDS_ON",
                related_spdx_element: &inventory.packages[*dep].spdx_id,
            });
        }
    }
    let uuid = ids::uuid_from_seed(&input.seed);
    let document = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: format!("SBOM of {}", input.delivery.name),
        document_namespace: format!(
            "https://spdx.org/spdxdocs/{}-{uuid}",
            uri_segment(&input.delivery.name)
        ),
        creation_info: CreationInfo {
            created: &input.timestamp,
            creators: vec![format!("Tool: {}-{}", input.tool.name, input.tool.version)],
        },
        packages,
        has_extracted_licensing_infos: extracted.into_values().collect(),
        relationships,
    };
    serde_json::to_string_pretty(&document).expect("serialising plain structs cannot fail")
}
