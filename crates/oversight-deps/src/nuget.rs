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
