//! Comparing a supplier's SBOM with the inventory Oversight derived from the
//! delivery itself.
//!
//! Packages are identified by purl type, namespace and name, normalised the
//! way the ecosystem compares names (PEP 503 for PyPI; case-insensitive for
//! npm, PyPI, NuGet, Composer, Hex and Go; exact for the rest, Maven and
//! Cargo included). A supplier entry without a purl is matched by name alone,
//! case-insensitively. The SBOM's own subject (its root) is not a package of
//! the delivery and is left out.

use std::collections::{BTreeMap, BTreeSet};

use oversight_model::{Component, Ecosystem};

use crate::purl;
use crate::read::SbomEntry;

/// What differs between a supplier SBOM and the derived inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomDiff {
    /// In the delivery, absent from the supplier's SBOM.
    pub missing: Vec<DiffPackage>,
    /// In the supplier's SBOM, not found in the delivery.
    pub extra: Vec<DiffPackage>,
    /// In both, with different version sets.
    pub version_mismatches: Vec<VersionMismatch>,
}

impl SbomDiff {
    /// Whether the SBOM and the inventory agree.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.version_mismatches.is_empty()
    }
}

/// A package on one side only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DiffPackage {
    /// The identity compared (`npm/@babel/core`, or `name:foo` without purl).
    pub identity: String,
    /// The name as that side spells it.
    pub name: String,
    /// The ecosystem, when known.
    pub ecosystem: Option<Ecosystem>,
    /// Every version that side lists, sorted; empty when none is given.
    pub versions: Vec<String>,
    /// One purl of the package, without the version ambiguity resolved.
    pub purl: Option<String>,
}

/// A package in both with different versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VersionMismatch {
    /// The identity compared.
    pub identity: String,
    /// The name as the delivery's inventory spells it.
    pub name: String,
    /// The ecosystem, when known.
    pub ecosystem: Option<Ecosystem>,
    /// Versions the supplier's SBOM lists.
    pub supplied: Vec<String>,
    /// Versions found in the delivery.
    pub derived: Vec<String>,
}

#[derive(Default)]
struct Side {
    name: String,
    ecosystem: Option<Ecosystem>,
    purl: Option<String>,
    /// Versions as written.
    versions: BTreeSet<String>,
    /// Versions normalised for comparison.
    normalized: BTreeSet<String>,
}

impl Side {
    fn add(
        &mut self,
        name: &str,
        ecosystem: Option<Ecosystem>,
        purl: Option<&str>,
        version: Option<(&str, String)>,
    ) {
        if self.name.is_empty() {
            self.name = name.to_owned();
        }
        self.ecosystem = self.ecosystem.or(ecosystem);
        if self.purl.is_none() {
            self.purl = purl.map(str::to_owned);
        }
        if let Some((raw, normalized)) = version {
            self.versions.insert(raw.to_owned());
            self.normalized.insert(normalized);
        }
    }

    fn package(&self, identity: &str) -> DiffPackage {
        DiffPackage {
            identity: identity.to_owned(),
            name: self.name.clone(),
            ecosystem: self.ecosystem,
            versions: self.versions.iter().cloned().collect(),
            purl: self.purl.clone(),
        }
    }
}

fn name_identity(name: &str) -> String {
    format!("name:{}", name.to_lowercase())
}

/// Compares a supplier SBOM's entries with the derived inventory.
pub fn diff(supplied: &[SbomEntry], derived: &[Component]) -> SbomDiff {
    let mut ours: BTreeMap<String, Side> = BTreeMap::new();
    for c in derived {
        let purl_text = purl::component_purl(c);
        let (identity, purl_type) = match purl::key(&purl_text) {
            Some(key) => (key.identity, key.purl_type),
            None => (name_identity(&c.name), String::new()),
        };
        let version = (!c.version.is_empty()).then(|| {
            (
                c.version.as_str(),
                purl::normalize_version(&purl_type, &c.version),
            )
        });
        ours.entry(identity).or_default().add(
            &c.name,
            Some(c.ecosystem),
            Some(&purl_text),
            version,
        );
    }
    // Name-only lookup for supplier entries without a usable purl.
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (identity, side) in &ours {
        by_name
            .entry(side.name.to_lowercase())
            .or_default()
            .push(identity.clone());
    }

    let mut theirs: BTreeMap<String, Side> = BTreeMap::new();
    for e in supplied.iter().filter(|e| !e.root) {
        let key = e.purl.as_deref().and_then(purl::key);
        let purl_version = key.as_ref().and_then(|k| k.version.clone());
        let purl_type = key
            .as_ref()
            .map(|k| k.purl_type.clone())
            .unwrap_or_default();
        let targets: Vec<String> = match key {
            Some(key) => vec![key.identity],
            None => match by_name.get(&e.name.to_lowercase()) {
                Some(identities) => identities.clone(),
                None => vec![name_identity(&e.name)],
            },
        };
        for identity in targets {
            // A name-matched entry is compared by the matched package's rules.
            let ty = match purl_type.as_str() {
                "" if !identity.starts_with("name:") => identity.split('/').next().unwrap_or(""),
                ty => ty,
            };
            // The `version` field when there is one, else the purl's version.
            let version = match (e.version.as_deref(), purl_version.as_deref()) {
                (Some(raw), _) => Some((raw, purl::normalize_version(ty, raw))),
                (None, Some(v)) => Some((v, v.to_owned())),
                (None, None) => None,
            };
            theirs.entry(identity).or_default().add(
                &e.name,
                e.ecosystem,
                e.purl.as_deref(),
                version,
            );
        }
    }

    let mut out = SbomDiff::default();
    for (identity, side) in &ours {
        match theirs.get(identity) {
            None => out.missing.push(side.package(identity)),
            Some(their) => {
                // Nothing to compare when either side gives no version.
                let comparable = !side.normalized.is_empty() && !their.normalized.is_empty();
                if comparable && side.normalized != their.normalized {
                    out.version_mismatches.push(VersionMismatch {
                        identity: identity.clone(),
                        name: side.name.clone(),
                        ecosystem: side.ecosystem,
                        supplied: their.versions.iter().cloned().collect(),
                        derived: side.versions.iter().cloned().collect(),
                    });
                }
            }
        }
    }
    for (identity, side) in &theirs {
        if !ours.contains_key(identity) {
            out.extra.push(side.package(identity));
        }
    }
    out
}
