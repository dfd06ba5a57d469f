//! CycloneDX 1.6 JSON.
//!
//! Written from serde structs for the subset Oversight emits rather than with
//! the `cyclonedx-bom` crate: its current release (0.8.1) models spec
//! versions 1.3 to 1.5 only, so it cannot write `specVersion: 1.6` (nor the
//! 1.6 `evidence.occurrences[].line` and `metadata.tools.components`).

use serde::Serialize;

use oversight_model::{DependencyScope as Scope, Directness, Ecosystem};

use crate::ids;
use crate::input::{Inventory, Package, SbomInput};
use crate::license::{self, Declared};
use crate::purl;

/// The bom-ref of the delivery's root component; purls start with `pkg:`, so
/// it cannot collide with a package's.
pub(crate) const ROOT_REF: &str = "delivery";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    dependencies: Vec<Dependency<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools<'a>,
    component: RootComponent<'a>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: [ToolComponent<'a>; 1],
}

#[derive(Serialize)]
struct ToolComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct RootComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<License>,
    purl: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property<'a>>,
}

#[derive(Serialize)]
struct Hash<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum License {
    Expression { expression: String },
    Named { license: NamedLicense },
}

#[derive(Serialize)]
struct NamedLicense {
    name: String,
}

#[derive(Serialize)]
struct Evidence<'a> {
    occurrences: Vec<Occurrence<'a>>,
}

#[derive(Serialize)]
struct Occurrence<'a> {
    location: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Serialize)]
struct Property<'a> {
    name: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<VulnAnalysis<'a>>,
    affects: Vec<Affects<'a>>,
}

#[derive(Serialize, Default)]
struct Source<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Reference<'a> {
    id: &'a str,
    source: Source<'a>,
}

#[derive(Serialize)]
struct VulnAnalysis<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

#[derive(Serialize)]
struct Affects<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
}

fn scope(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::Runtime => Some("required"),
        Scope::Optional => Some("optional"),
        Scope::Development => Some("excluded"),
        // CycloneDX's default is `required`; saying nothing is more honest.
        Scope::Unknown => None,
    }
}

pub(crate) fn directness_name(directness: Directness) -> &'static str {
    match directness {
        Directness::Direct => "direct",
        Directness::Transitive => "transitive",
        Directness::Unknown => "unknown",
    }
}

pub(crate) fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Runtime => "runtime",
        Scope::Development => "development",
        Scope::Optional => "optional",
        Scope::Unknown => "unknown",
    }
}

/// CycloneDX `group` and `name`: the Maven group and the npm scope go into
/// `group`, as the CycloneDX ecosystem tools write them.
fn group_and_name<'a>(package: &Package<'a>) -> (Option<&'a str>, &'a str) {
    match package.ecosystem {
        Ecosystem::Maven | Ecosystem::Npm => purl::split_name(package.ecosystem, package.name),
        _ => (None, package.name),
    }
}

fn component<'a>(package: &'a Package<'a>) -> Component<'a> {
    let (group, name) = group_and_name(package);
    let licenses = match package.license.and_then(license::classify) {
        Some(Declared::Expression(expression)) => vec![License::Expression { expression }],
        Some(Declared::Name(name)) => vec![License::Named {
            license: NamedLicense { name },
        }],
        None => Vec::new(),
    };
    let mut properties = vec![
        Property {
            name: "oversight:directness",
            value: directness_name(package.directness),
        },
        Property {
            name: "oversight:ecosystem",
            value: package.ecosystem.osv_name(),
        },
    ];
    for (path, _) in &package.occurrences {
        properties.push(Property {
            name: "oversight:source",
            value: path,
        });
    }
    properties.dedup_by(|a, b| a.name == b.name && a.value == b.value);
    Component {
        kind: "library",
        bom_ref: &package.bom_ref,
        group,
        name,
        version: package.version,
        scope: scope(package.scope),
        hashes: package
            .hashes
            .iter()
            .map(|(alg, hex)| Hash { alg, content: hex })
            .collect(),
        licenses,
        purl: &package.purl,
        evidence: (!package.occurrences.is_empty()).then(|| Evidence {
            occurrences: package
                .occurrences
                .iter()
                .map(|(location, line)| Occurrence {
                    location,
                    line: *line,
                })
                .collect(),
        }),
        properties,
    }
}

/// Writes a CycloneDX 1.6 JSON SBOM: one `library` component per distinct
/// (ecosystem, name, version) with its purl as bom-ref, the delivery as
/// `metadata.component`, the dependency graph, and the input's
/// vulnerabilities. Output is sorted and depends only on the input.
pub fn cyclonedx_json(input: &SbomInput<'_>) -> String {
    let inventory = Inventory::build(input.components);
    let components = inventory.packages.iter().map(component).collect();
    let mut dependencies = vec![Dependency {
        reference: ROOT_REF,
        depends_on: inventory
            .roots
            .iter()
            .map(|i| inventory.packages[*i].bom_ref.as_str())
            .collect(),
    }];
    for package in &inventory.packages {
        dependencies.push(Dependency {
            reference: &package.bom_ref,
            depends_on: package
                .depends_on
                .iter()
                .map(|i| inventory.packages[*i].bom_ref.as_str())
                .collect(),
        });
    }
    let keys: Vec<_> = if input.vulnerabilities.is_empty() {
        Vec::new()
    } else {
        inventory
            .packages
            .iter()
            .map(|p| purl::key(&p.purl))
            .collect()
    };
    let mut vulnerabilities: Vec<Vulnerability> = input
        .vulnerabilities
        .iter()
        .filter_map(|v| {
            let affects: Vec<Affects> = inventory
                .affected(&keys, &v.affects)
                .into_iter()
                .map(|i| Affects {
                    reference: &inventory.packages[i].bom_ref,
                })
                .collect();
            // A vulnerability of no listed component would dangle.
            if affects.is_empty() {
                return None;
            }
            let source = || Source {
                name: v.source_name.as_deref(),
                url: v.source_url.as_deref(),
            };
            let mut aliases: Vec<&str> = v
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|a| *a != v.id)
                .collect();
            aliases.sort_unstable();
            aliases.dedup();
            Some(Vulnerability {
                id: &v.id,
                source: (v.source_name.is_some() || v.source_url.is_some()).then(source),
                references: aliases
                    .into_iter()
                    .map(|id| Reference {
                        id,
                        source: Source::default(),
                    })
                    .collect(),
                description: v.description.as_deref(),
                analysis: v.analysis.as_ref().map(|a| VulnAnalysis {
                    state: a.status.cyclonedx_state(),
                    justification: a.justification.map(|j| j.cyclonedx_name()),
                    detail: a.detail.as_deref(),
                }),
                affects,
            })
        })
        .collect();
    vulnerabilities.sort_by(|a, b| a.id.cmp(b.id));
    let bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{}", ids::uuid_from_seed(&input.seed)),
        version: 1,
        metadata: Metadata {
            timestamp: &input.timestamp,
            tools: Tools {
                components: [ToolComponent {
                    kind: "application",
                    name: &input.tool.name,
                    version: &input.tool.version,
                }],
            },
            component: RootComponent {
                kind: "application",
                bom_ref: ROOT_REF,
                name: &input.delivery.name,
                version: input.delivery.version.as_deref(),
            },
        },
        components,
        dependencies,
        vulnerabilities,
    };
    serde_json::to_string_pretty(&bom).expect("serialising plain structs cannot fail")
}
