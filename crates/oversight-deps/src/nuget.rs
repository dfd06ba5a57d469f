//! NuGet `packages.lock.json`, versions 1 and 2.
//!
//! Packages are listed per target framework with their `type`: `Direct`,
//! `Transitive`, `CentralTransitive` (pinned centrally, still transitive) or
//! `Project` (another project of the solution, left out). `contentHash` is
//! the base64 SHA-512 of the package.

use std::collections::{BTreeMap, HashMap};

use oversight_model::Directness;
use serde::Deserialize;

use crate::collect::{Entry, Out, base64_hash, dep_key};
use crate::lines::{self, JsonLines};

#[derive(Deserialize)]
struct Lock {
    version: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, Package>>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(rename = "type")]
    kind: Option<String>,
    resolved: Option<String>,
    #[serde(rename = "contentHash")]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let lock: Lock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    match lock.version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(1 | 2) => {}
        _ => out.unknown_version(
            lock.version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(missing)".to_owned()),
        ),
    }
    let json_lines = JsonLines::new(text, "");
    // A line is only given where the name occurs under one framework.
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    for packages in lock.dependencies.values() {
        for name in packages.keys() {
            *occurrences.entry(name.as_str()).or_default() += 1;
        }
    }
    for packages in lock.dependencies.values() {
        let resolved: HashMap<String, (&str, &str)> = packages
            .iter()
            .map(|(n, p)| {
                (
                    n.to_ascii_lowercase(),
                    (n.as_str(), p.resolved.as_deref().unwrap_or("")),
                )
            })
            .collect();
        for (name, p) in packages {
            let directness = match p.kind.as_deref() {
                Some("Project") => continue,
                Some("Direct") => Directness::Direct,
                Some("Transitive" | "CentralTransitive") => Directness::Transitive,
                _ => Directness::Unknown,
            };
            let line = (occurrences.get(name.as_str()) == Some(&1))
                .then(|| json_lines.object(name))
                .flatten();
            let version = p.resolved.clone().unwrap_or_default();
            if version.is_empty() {
                out.unversioned(line, name, "the entry has no `resolved` version");
            }
            let depends_on = p
                .dependencies
                .keys()
                .map(|d| match resolved.get(&d.to_ascii_lowercase()) {
                    Some((n, v)) => dep_key(n, v),
                    None => d.clone(),
                })
                .collect();
            out.add(
                Entry::new(name, version)
                    .directness(directness)
                    .line(line)
                    .hash(
                        p.content_hash
                            .as_deref()
                            .and_then(|h| base64_hash("sha512", h)),
                    )
                    .depends_on(depends_on),
            );
        }
    }
}

/// A vendored package's `.nuspec` (at the root of a `.nupkg`, or in a
/// `packages/<id>.<version>/` folder): `<id>`, `<version>` and the licence,
/// `<license type="expression">` (an SPDX expression), `<license
/// type="file">` (recorded as `license-file: …`) or the deprecated
/// `<licenseUrl>` (mapped when it is a known licence URL).
pub(crate) fn parse_nuspec(text: &str, out: &mut Out) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(d) => d,
        Err(e) => {
            out.malformed(Some(e.pos().row), e.to_string());
            return;
        }
    };
    let Some(metadata) = doc
        .root_element()
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "metadata")
    else {
        out.malformed(None, "No `<metadata>` element");
        return;
    };
    let child = |name: &str| {
        metadata
            .children()
            .find(|n| n.is_element() && n.tag_name().name() == name)
    };
    let text_of = |name: &str| {
        child(name)
            .and_then(|n| n.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let Some(id) = text_of("id") else {
        out.malformed(None, "No `<id>` in `<metadata>`");
        return;
    };
    let line = child("id").map(|n| doc.text_pos_at(n.range().start).row);
    let version = text_of("version").unwrap_or_default();
    if version.is_empty() {
        out.unversioned(line, &id, "the nuspec has no `<version>`");
    }
    let license = match child("license") {
        Some(l) => {
            let value = l.text().map(str::trim).unwrap_or("").to_owned();
            match l.attribute("type") {
                Some("file") => Some(format!(
                    "{}{value}",
                    oversight_licenses::declared::LICENSE_FILE_PREFIX
                )),
                _ => Some(value),
            }
        }
        // NuGet writes this placeholder URL when a licence expression or
        // file is used; it names no licence.
        None => text_of("licenseUrl").filter(|u| !u.contains("aka.ms/deprecateLicenseUrl")),
    };
    out.add(Entry::new(id, version).line(line).license(license));
}
