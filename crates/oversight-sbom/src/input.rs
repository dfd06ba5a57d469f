//! What the writers are given, and the merged package list both writers emit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oversight_model::{Component, DependencyScope as Scope, Directness, Ecosystem};

use crate::ids::{self, Unique};
use crate::purl;
use crate::vex::{Justification, VexStatus};

/// Everything one SBOM is written from.
#[derive(Debug, Clone)]
pub struct SbomInput<'a> {
    /// The delivery the SBOM describes: its root component/package.
    pub delivery: Delivery,
    /// The tool that wrote the document (Oversight and its version).
    pub tool: Tool,
    /// Creation time, RFC 3339 in UTC with seconds (`2025-01-31T12:00:00Z`).
    /// Passed in so that the same input gives the same bytes.
    pub timestamp: String,
    /// Seed of the CycloneDX serial number and the SPDX document namespace:
    /// documents with different seeds are different documents. A scan id or
    /// the delivery's digest plus the timestamp serve well.
    pub seed: String,
    /// The delivery's component inventory, one entry per lockfile record.
    pub components: &'a [Component],
    /// Known vulnerabilities of the components, written as CycloneDX
    /// `vulnerabilities[]`; empty for a plain SBOM.
    pub vulnerabilities: &'a [SbomVulnerability],
}

/// The delivery, as the root of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Name of the delivery or scan target (`acme-portal`, `release-2.3.zip`).
    pub name: String,
    /// Its version or release label, when the reviewer knows one.
    pub version: Option<String>,
}

/// The writing tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// Tool name (`oversight`).
    pub name: String,
    /// Tool version.
    pub version: String,
}

/// One vulnerability affecting components of the delivery, for SBOMs that
/// carry vulnerability data (CycloneDX VEX/VDR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomVulnerability {
    /// Main identifier (`GHSA-…`, `RUSTSEC-…`, `CVE-…`).
    pub id: String,
    /// Other identifiers of the same vulnerability.
    pub aliases: Vec<String>,
    /// Database the identifier comes from (`OSV`, `GitHub Advisories`).
    pub source_name: Option<String>,
    /// Where the advisory can be read.
    pub source_url: Option<String>,
    /// Short description.
    pub description: Option<String>,
    /// Purls of the affected components, as in [`Component::purl`]; matched
    /// ignoring qualifiers.
    pub affects: Vec<String>,
    /// The reviewer's or supplier's assessment, when there is one.
    pub analysis: Option<Analysis>,
}

/// An impact assessment of one vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The VEX status.
    pub status: VexStatus,
    /// Why a `not_affected` component is not affected.
    pub justification: Option<Justification>,
    /// Free-text detail.
    pub detail: Option<String>,
}

/// One package of the written documents: all inventory records of the same
/// (ecosystem, name, version) merged.
#[derive(Debug)]
pub(crate) struct Package<'a> {
    pub(crate) ecosystem: Ecosystem,
    pub(crate) name: &'a str,
    pub(crate) version: &'a str,
    pub(crate) purl: String,
    pub(crate) bom_ref: String,
    pub(crate) spdx_id: String,
    pub(crate) directness: Directness,
    pub(crate) scope: Scope,
    /// (path, line) of every record, sorted.
    pub(crate) occurrences: Vec<(String, Option<u32>)>,
    /// (CycloneDX algorithm name, lowercase hex), well-formed only, sorted.
    pub(crate) hashes: Vec<(&'static str, String)>,
    pub(crate) license: Option<&'a str>,
    /// Indices of the packages this one depends on, sorted.
    pub(crate) depends_on: Vec<usize>,
}

/// The packages and the delivery's own edges.
#[derive(Debug)]
pub(crate) struct Inventory<'a> {
    pub(crate) packages: Vec<Package<'a>>,
    /// Packages the delivery depends on directly: the direct ones, and any
    /// package no other package depends on (the delivery ships it, so the
    /// graph must reach it).
    pub(crate) roots: Vec<usize>,
}

/// How strongly a scope says "shipped": the merged scope of a package is the
/// strongest any of its records gives.
fn scope_rank(scope: Scope) -> u8 {
    match scope {
        Scope::Runtime => 0,
        Scope::Unknown => 1,
        Scope::Optional => 2,
        Scope::Development => 3,
    }
}

fn directness_rank(directness: Directness) -> u8 {
    match directness {
        Directness::Direct => 0,
        Directness::Transitive => 1,
        Directness::Unknown => 2,
    }
}

/// Hex digest length per CycloneDX algorithm name.
fn hash_len(algorithm: &str) -> Option<usize> {
    match algorithm {
        "MD5" => Some(32),
        "SHA-1" => Some(40),
        "SHA-256" => Some(64),
        "SHA-384" => Some(96),
        "SHA-512" => Some(128),
        _ => None,
    }
}

/// Splits a dependency reference `name@version` (or `name`); a leading `@`
/// belongs to a scoped npm name.
fn split_dep(dep: &str) -> (&str, Option<&str>) {
    match dep.rfind('@') {
        Some(i) if i > 0 => (&dep[..i], Some(&dep[i + 1..]).filter(|v| !v.is_empty())),
        _ => (dep, None),
    }
}

/// A name as the ecosystem compares it, so that a dependency written
/// `typing-extensions` finds the package recorded as `Typing_Extensions`.
fn fold_name(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::PyPI => purl::pep503(name),
        Ecosystem::Npm | Ecosystem::NuGet | Ecosystem::Packagist | Ecosystem::Hex => {
            name.to_lowercase()
        }
        _ => name.to_owned(),
    }
}

/// Name and (name, version) lookup of packages among one set of records.
struct Lookup<'a> {
    ecosystem: Ecosystem,
    by_key: HashMap<(String, &'a str), usize>,
    by_name: HashMap<String, BTreeSet<usize>>,
}

impl<'a> Lookup<'a> {
    fn new(ecosystem: Ecosystem) -> Self {
        Lookup {
            ecosystem,
            by_key: HashMap::new(),
            by_name: HashMap::new(),
        }
    }

    fn add(&mut self, name: &str, version: &'a str, index: usize) {
        let name = fold_name(self.ecosystem, name);
        self.by_key.insert((name.clone(), version), index);
        self.by_name.entry(name).or_default().insert(index);
    }

    fn resolve(&self, dep: &str) -> Option<usize> {
        let (name, version) = split_dep(dep);
        let name = fold_name(self.ecosystem, name);
        match version {
            Some(version) => self.by_key.get(&(name, version)).copied(),
            None => {
                // A bare name resolves only when it is unambiguous.
                let candidates = self.by_name.get(&name)?;
                (candidates.len() == 1).then(|| *candidates.first().expect("one candidate"))
            }
        }
    }
}

impl<'a> Inventory<'a> {
    pub(crate) fn build(components: &'a [Component]) -> Self {
        let mut groups: BTreeMap<(Ecosystem, &str, &str), Vec<&Component>> = BTreeMap::new();
        for c in components {
            groups
                .entry((c.ecosystem, c.name.as_str(), c.version.as_str()))
                .or_default()
                .push(c);
        }
        let mut refs = Unique::default();
        // The delivery's own bom-ref is never a package's.
        refs.claim(crate::cyclonedx::ROOT_REF.to_owned(), "#", "");
        let mut spdx_ids = Unique::default();
        let mut packages = Vec::with_capacity(groups.len());
        let mut index_of: HashMap<(Ecosystem, &str, &str), usize> = HashMap::new();
        for ((ecosystem, name, version), records) in &groups {
            let first = records[0];
            let purl = purl::component_purl(first);
            let bom_ref = refs.claim(
                purl.clone(),
                "#",
                &format!("{ecosystem}\0{name}\0{version}"),
            );
            let id_text = if version.is_empty() {
                format!("Package-{}-{name}", ecosystem.purl_type())
            } else {
                format!("Package-{}-{name}-{version}", ecosystem.purl_type())
            };
            let spdx_id = spdx_ids.claim(ids::spdx_id(&id_text), "-", &purl);
            let mut occurrences: Vec<(String, Option<u32>)> = records
                .iter()
                .map(|r| (r.source.to_string(), r.line))
                .collect();
            occurrences.sort();
            occurrences.dedup();
            let mut hashes: Vec<(&'static str, String)> = records
                .iter()
                .flat_map(|r| &r.hashes)
                .filter_map(|h| {
                    let hex = h.hex.trim().to_ascii_lowercase();
                    let ok = hash_len(h.algorithm) == Some(hex.len())
                        && hex.bytes().all(|b| b.is_ascii_hexdigit());
                    ok.then_some((h.algorithm, hex))
                })
                .collect();
            hashes.sort();
            hashes.dedup();
            let scope = records
                .iter()
                .map(|r| r.scope)
                .min_by_key(|s| scope_rank(*s))
                .unwrap_or(Scope::Unknown);
            let directness = records
                .iter()
                .map(|r| r.directness)
                .min_by_key(|d| directness_rank(*d))
                .unwrap_or(Directness::Unknown);
            let license = records
                .iter()
                .filter_map(|r| r.license.as_deref())
                .find(|l| !l.trim().is_empty());
            index_of.insert((*ecosystem, *name, *version), packages.len());
            packages.push(Package {
                ecosystem: *ecosystem,
                name,
                version,
                purl,
                bom_ref,
                spdx_id,
                directness,
                scope,
                occurrences,
                hashes,
                license,
                depends_on: Vec::new(),
            });
        }

        // Dependency edges resolve first among the records of the same
        // lockfile, then anywhere in the same ecosystem.
        let mut per_source: HashMap<(String, Ecosystem), Lookup> = HashMap::new();
        let mut per_ecosystem: HashMap<Ecosystem, Lookup> = HashMap::new();
        for c in components {
            let index = index_of[&(c.ecosystem, c.name.as_str(), c.version.as_str())];
            per_source
                .entry((c.source.to_string(), c.ecosystem))
                .or_insert_with(|| Lookup::new(c.ecosystem))
                .add(&c.name, &c.version, index);
            per_ecosystem
                .entry(c.ecosystem)
                .or_insert_with(|| Lookup::new(c.ecosystem))
                .add(&c.name, &c.version, index);
        }
        let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); packages.len()];
        for c in components {
            let from = index_of[&(c.ecosystem, c.name.as_str(), c.version.as_str())];
            let local = &per_source[&(c.source.to_string(), c.ecosystem)];
            let global = &per_ecosystem[&c.ecosystem];
            for dep in &c.depends_on {
                let dep = dep.trim();
                let to = local.resolve(dep).or_else(|| global.resolve(dep));
                if let Some(to) = to.filter(|to| *to != from) {
                    edges[from].insert(to);
                }
            }
        }
        let mut has_parent = vec![false; packages.len()];
        for targets in &edges {
            for t in targets {
                has_parent[*t] = true;
            }
        }
        for (package, targets) in packages.iter_mut().zip(edges) {
            package.depends_on = targets.into_iter().collect();
        }
        let roots = packages
            .iter()
            .enumerate()
            .filter(|(i, p)| p.directness == Directness::Direct || !has_parent[*i])
            .map(|(i, _)| i)
            .collect();
        Inventory { packages, roots }
    }

    /// Indices of the packages a vulnerability's `affects` purls name.
    /// `keys` are the packages' [`purl::key`]s, computed once by the caller.
    pub(crate) fn affected(&self, keys: &[Option<purl::PurlKey>], purls: &[String]) -> Vec<usize> {
        let mut out = BTreeSet::new();
        for wanted in purls {
            let wanted_key = purl::key(wanted);
            for (i, p) in self.packages.iter().enumerate() {
                let same = p.purl == *wanted
                    || match (&wanted_key, &keys[i]) {
                        (Some(w), Some(k)) => w == k,
                        _ => false,
                    };
                if same {
                    out.insert(i);
                }
            }
        }
        out.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_model::{ComponentHash, DeliveryPath};

    fn cargo(name: &str, version: &str, deps: &[&str]) -> Component {
        Component {
            ecosystem: Ecosystem::CratesIo,
            name: name.into(),
            version: version.into(),
            purl: format!("pkg:cargo/{name}@{version}"),
            directness: Directness::Transitive,
            scope: Scope::Runtime,
            source: DeliveryPath::root("Cargo.lock"),
            line: None,
            hashes: Vec::new(),
            license: None,
            depends_on: deps.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn python_dependency_names_fold() {
        let mut typing = cargo("Typing_Extensions", "4.16.0", &[]);
        typing.ecosystem = Ecosystem::PyPI;
        typing.purl = "pkg:pypi/typing-extensions@4.16.0".into();
        let mut user = cargo("pydantic", "2.11.0", &["typing-extensions@4.16.0"]);
        user.ecosystem = Ecosystem::PyPI;
        user.purl = "pkg:pypi/pydantic@2.11.0".into();
        let components = [typing, user];
        let inv = Inventory::build(&components);
        assert_eq!(inv.packages[1].name, "pydantic");
        assert_eq!(inv.packages[1].depends_on, [0]);
    }

    #[test]
    fn dependency_references() {
        assert_eq!(
            split_dep("@babel/core@7.24.0"),
            ("@babel/core", Some("7.24.0"))
        );
        assert_eq!(split_dep("@babel/core"), ("@babel/core", None));
        assert_eq!(split_dep("serde@1.0.0"), ("serde", Some("1.0.0")));
        assert_eq!(split_dep("serde"), ("serde", None));
    }

    #[test]
    fn merges_records_and_resolves_edges() {
        // ruff's Cargo.lock holds anstream 0.6.21 and 1.0.0; a bare
        // `anstream` is ambiguous there and must stay unresolved.
        let mut a = cargo("aho-corasick", "1.1.5", &["memchr"]);
        a.directness = Directness::Direct;
        a.hashes.push(ComponentHash {
            algorithm: "SHA-256",
            hex: "c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba".into(),
        });
        a.hashes.push(ComponentHash {
            algorithm: "SHA-256",
            hex: "not-hex".into(),
        });
        let mut again = a.clone();
        again.source = DeliveryPath::root("sub/Cargo.lock");
        again.scope = Scope::Development;
        again.directness = Directness::Transitive;
        let components = vec![
            a,
            again,
            cargo("memchr", "2.8.3", &[]),
            cargo("anstream", "0.6.21", &[]),
            cargo("anstream", "1.0.0", &[]),
            cargo("user", "0.1.0", &["anstream", "anstream@1.0.0"]),
        ];
        let inv = Inventory::build(&components);
        let names: Vec<String> = inv
            .packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            names,
            [
                "aho-corasick@1.1.5",
                "anstream@0.6.21",
                "anstream@1.0.0",
                "memchr@2.8.3",
                "user@0.1.0"
            ]
        );
        let aho = &inv.packages[0];
        assert_eq!(aho.occurrences.len(), 2);
        assert_eq!(aho.hashes.len(), 1);
        assert_eq!(aho.scope, Scope::Runtime);
        assert_eq!(aho.directness, Directness::Direct);
        assert_eq!(aho.depends_on, [3]);
        assert_eq!(inv.packages[4].depends_on, [2]);
        // Roots: the direct aho-corasick, the orphan anstream 0.6.21 and user.
        assert_eq!(inv.roots, [0, 1, 4]);
    }
}
