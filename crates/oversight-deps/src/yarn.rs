//! `yarn.lock`: classic (v1, yarn's own indented syntax, parsed by hand) and
//! berry (yarn 2+, YAML with a `__metadata` entry).
//!
//! Neither records which packages the project asks for directly (that is in
//! `package.json`), so directness is unknown. Workspace, `link:`, `portal:`
//! and `file:` entries are the project itself and are left out. Berry's
//! `checksum` is a hash of yarn's own zip cache, not of the package, and is
//! not recorded as a component hash.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::collect::{Entry, Out, dep_key, sri_hashes};
use crate::lines;

pub(crate) fn parse(text: &str, out: &mut Out) {
    let berry = text.lines().any(|l| l.starts_with("__metadata:"));
    if berry {
        parse_berry(text, out);
    } else {
        parse_classic(text, out);
    }
}

/// Splits `name@range` (also `@scope/name@range`) at the `@` that ends the name.
pub(crate) fn split_descriptor(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    let name = &spec[..at];
    (!name.is_empty()).then(|| (name, &spec[at + 1..]))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// Splits a header `"a@^1", a@^2:` into its descriptors.
fn header_descriptors(header: &str) -> Vec<String> {
    let header = header.trim_end().strip_suffix(':').unwrap_or(header);
    header
        .split(", ")
        .map(|d| unquote(d).to_owned())
        .filter(|d| !d.is_empty())
        .collect()
}

#[derive(Default)]
struct ClassicEntry {
    line: u32,
    descriptors: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    dependencies: Vec<(String, String)>,
}

fn parse_classic(text: &str, out: &mut Out) {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut in_deps = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim_end();
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            in_deps = false;
            if !content.ends_with(':') {
                out.bad_entry(
                    Some(n),
                    content,
                    "a top-level line that is not an entry header",
                );
                continue;
            }
            entries.push(ClassicEntry {
                line: n,
                descriptors: header_descriptors(content),
                ..ClassicEntry::default()
            });
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            out.bad_entry(Some(n), content, "indented line before the first entry");
            continue;
        };
        if indent <= 2 {
            in_deps = false;
            if let Some(section) = content.strip_suffix(':') {
                in_deps = matches!(section, "dependencies" | "optionalDependencies");
                continue;
            }
            let (key, value) = content.split_once(' ').unwrap_or((content, ""));
            let value = unquote(value).to_owned();
            match key {
                "version" => entry.version = Some(value),
                "resolved" => entry.resolved = Some(value),
                "integrity" => entry.integrity = Some(value),
                _ => {}
            }
        } else if in_deps {
            // `name "range"`, either part possibly quoted.
            let (name, range) = if let Some(rest) = content.strip_prefix('"') {
                match rest.split_once('"') {
                    Some((name, range)) => (name, range),
                    None => (rest, ""),
                }
            } else {
                content.split_once(' ').unwrap_or((content, ""))
            };
            entry
                .dependencies
                .push((name.to_owned(), unquote(range).to_owned()));
        }
    }
    // Descriptor (`name@range`) → (name, version), for dependency edges.
    let mut resolved_by: HashMap<String, (String, String)> = HashMap::new();
    let mut versions_of: HashMap<String, Vec<String>> = HashMap::new();
    let mut identities = Vec::with_capacity(entries.len());
    for e in &entries {
        let identity = e.descriptors.first().map(|d| {
            // A bare name (no range) still names the package.
            let (name, range) = split_descriptor(d).unwrap_or((d.as_str(), ""));
            let name = match range.strip_prefix("npm:").and_then(split_descriptor) {
                Some((real, _)) => real,
                None => name,
            };
            (name.to_owned(), e.version.clone().unwrap_or_default())
        });
        if let Some((name, version)) = &identity {
            for d in &e.descriptors {
                resolved_by.insert(d.clone(), (name.clone(), version.clone()));
            }
            versions_of
                .entry(name.clone())
                .or_default()
                .push(version.clone());
        }
        identities.push(identity);
    }
    for (e, identity) in entries.iter().zip(identities) {
        let Some((name, version)) = identity else {
            let header = e.descriptors.join(", ");
            out.bad_entry(Some(e.line), header, "no package name in the entry header");
            continue;
        };
        let resolved = e.resolved.as_deref().unwrap_or("");
        if resolved.starts_with("file:") || resolved.starts_with("link:") {
            continue;
        }
        if version.is_empty() {
            out.unversioned(Some(e.line), &name, "the entry has no version");
        }
        let depends_on = e
            .dependencies
            .iter()
            .map(|(dn, range)| {
                let key = format!("{dn}@{range}");
                match resolved_by.get(&key) {
                    Some((n, v)) => dep_key(n, v),
                    None => match versions_of.get(dn).map(Vec::as_slice) {
                        Some([only]) => dep_key(dn, only),
                        _ => dn.clone(),
                    },
                }
            })
            .collect();
        let mut entry = Entry::new(name, version)
            .line(Some(e.line))
            .depends_on(depends_on);
        entry.hashes = e.integrity.as_deref().map(sri_hashes).unwrap_or_default();
        out.add(entry);
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BerryEntry {
    version: Option<String>,
    resolution: Option<String>,
    #[serde(deserialize_with = "null_default")]
    dependencies: BTreeMap<String, String>,
    #[serde(rename = "peerDependencies", deserialize_with = "null_default")]
    peer_dependencies: BTreeMap<String, String>,
    #[serde(rename = "cacheKey")]
    cache_key: Option<String>,
}

/// For YAML fields written as `key:` with nothing after: null is the
/// empty value, not an error.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// YAML options for lockfiles: budgets scaled to the input, so a large
/// real lockfile parses and a hostile one stays bounded.
pub(crate) fn yaml_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = budget.max_events.max(len + 1024);
    budget.max_nodes = budget.max_nodes.max(len + 1024);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// A YAML error as a malformed-file problem.
pub(crate) fn yaml_malformed(out: &mut Out, e: &serde_saphyr::Error) {
    let line = e.location().map(|l| l.line() as u32).filter(|&l| l > 0);
    out.malformed(line, lines::first_line(&e.to_string()));
}

fn parse_berry(text: &str, out: &mut Out) {
    let map: HashMap<Spanned<String>, Option<BerryEntry>> =
        match serde_saphyr::from_str_with_options(text, yaml_options(text.len())) {
            Ok(m) => m,
            Err(e) => {
                yaml_malformed(out, &e);
                return;
            }
        };
    let mut entries: Vec<(u32, &str, &BerryEntry)> = Vec::with_capacity(map.len());
    for (k, v) in &map {
        let line = k.referenced.line() as u32;
        if k.value == "__metadata" {
            let version = v
                .as_ref()
                .and_then(|m| m.version.clone())
                .unwrap_or_default();
            let known = version.parse::<u32>().is_ok_and(|v| (3..=10).contains(&v));
            if !known {
                out.unknown_version(version);
            }
            let _ = v.as_ref().map(|m| &m.cache_key);
            continue;
        }
        match v {
            Some(e) => entries.push((line, k.value.as_str(), e)),
            None => out.bad_entry(Some(line), k.value.clone(), "the entry is empty"),
        }
    }
    entries.sort_by_key(|(line, _, _)| *line);
    let mut resolved_by: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut versions_of: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut identities = Vec::with_capacity(entries.len());
    for (_, header, e) in &entries {
        let identity = e
            .resolution
            .as_deref()
            .or_else(|| header.split(", ").next())
            .and_then(split_descriptor)
            .map(|(name, reference)| {
                let protocol = reference.split(':').next().unwrap_or("");
                (name, protocol, e.version.as_deref().unwrap_or(""))
            });
        if let Some((name, _, version)) = identity {
            for d in header.split(", ") {
                resolved_by.insert(unquote(d), (name, version));
            }
            versions_of.entry(name).or_default().push(version);
        }
        identities.push(identity);
    }
    for ((line, header, e), identity) in entries.iter().zip(identities) {
        let Some((name, protocol, version)) = identity else {
            out.bad_entry(Some(*line), *header, "no package name in the resolution");
            continue;
        };
        if matches!(protocol, "workspace" | "link" | "portal" | "file") {
            continue;
        }
        if version.is_empty() {
            out.unversioned(Some(*line), name, "the entry has no version");
        }
        let depends_on = e
            .dependencies
            .iter()
            .chain(&e.peer_dependencies)
            .filter_map(|(dn, range)| {
                let key = format!("{dn}@{range}");
                let npm_key = format!("{dn}@npm:{range}");
                match resolved_by
                    .get(key.as_str())
                    .or_else(|| resolved_by.get(npm_key.as_str()))
                {
                    Some((n, v)) => Some(dep_key(n, v)),
                    None => match versions_of.get(dn.as_str()).map(Vec::as_slice) {
                        Some([only]) => Some(dep_key(dn, only)),
                        // Unresolved peers are provided by whoever installs
                        // this package; they are not edges of the lock.
                        _ if e.peer_dependencies.contains_key(dn) => None,
                        _ => Some(dn.clone()),
                    },
                }
            })
            .collect();
        out.add(
            Entry::new(name, version)
                .line(Some(*line))
                .depends_on(depends_on),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_split_at_the_name() {
        assert_eq!(split_descriptor("@a/b@^1"), Some(("@a/b", "^1")));
        assert_eq!(split_descriptor("b@npm:1.0.0"), Some(("b", "npm:1.0.0")));
        assert_eq!(split_descriptor("b"), None);
        assert_eq!(
            header_descriptors("\"a@^1\", a@^2:"),
            vec!["a@^1".to_owned(), "a@^2".to_owned()]
        );
    }
}
