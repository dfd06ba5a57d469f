//! `package-lock.json` / `npm-shrinkwrap.json` / `node_modules/.package-lock.json`,
//! lockfile versions 1 to 3.
//!
//! Versions 2 and 3 list every installed package under `packages`, keyed by
//! its `node_modules/…` path; the root (`""`) and workspace members (keys
//! outside `node_modules`) are the project, and what they declare is direct.
//! Dependencies are resolved the way Node resolves them: the nearest
//! `node_modules` up the path. Version 1 nests `dependencies` and does not
//! say which are direct.

use std::collections::BTreeMap;

use oversight_model::{DependencyScope, Directness};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::collect::{Entry, Out, dep_key, sri_hashes};
use crate::lines::{self, JsonLines};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<Value>,
    packages: Option<BTreeMap<String, Package>>,
    dependencies: Option<BTreeMap<String, V1Dep>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    link: bool,
    dev: bool,
    optional: bool,
    #[serde(rename = "devOptional")]
    dev_optional: bool,
    license: Option<Value>,
    dependencies: BTreeMap<String, IgnoredAny>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, IgnoredAny>,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, IgnoredAny>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct V1Dep {
    version: Option<String>,
    integrity: Option<String>,
    dev: bool,
    optional: bool,
    requires: BTreeMap<String, IgnoredAny>,
    dependencies: BTreeMap<String, V1Dep>,
}

pub(crate) fn parse_lock(text: &str, out: &mut Out) {
    let lock: Lock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    match lock.lockfile_version.as_ref().and_then(Value::as_u64) {
        Some(1..=3) => {}
        None if lock.lockfile_version.is_none() => {}
        _ => {
            let v = lock
                .lockfile_version
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default();
            out.unknown_version(v);
        }
    }
    if let Some(packages) = &lock.packages {
        parse_packages(text, packages, out);
    } else if let Some(deps) = &lock.dependencies {
        let mut stack = Vec::new();
        parse_v1(deps, &mut stack, out);
    }
}

/// A declared licence as package manifests write it: a string, an object
/// with `type`, or a list of either (alternatives).
pub(crate) fn license_of(value: Option<&Value>) -> Option<String> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    }
    match value? {
        Value::Array(items) => {
            let all: Vec<String> = items
                .iter()
                .filter_map(one)
                .filter(|s| !s.is_empty())
                .collect();
            match all.len() {
                0 => None,
                1 => all.into_iter().next(),
                _ => Some(
                    all.iter()
                        .map(|s| {
                            if s.contains(' ') {
                                format!("({s})")
                            } else {
                                s.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" OR "),
                ),
            }
        }
        v => one(v).filter(|s| !s.is_empty()),
    }
}

/// The package name a `packages` key installs (`node_modules/@a/b` → `@a/b`).
fn name_from_key(key: &str) -> &str {
    match key.rfind("node_modules/") {
        Some(i) => &key[i + "node_modules/".len()..],
        None => key,
    }
}

/// The location whose `node_modules` is searched next, going up.
fn parent(from: &str) -> Option<&str> {
    if from.is_empty() {
        return None;
    }
    match from.rfind("/node_modules/") {
        Some(i) => Some(&from[..i]),
        None => Some(""),
    }
}

/// Packages by their `packages` key, hashed: resolution looks keys up tens
/// of thousands of times in a large lock.
type Index<'a> = std::collections::HashMap<&'a str, &'a Package>;

fn resolve<'a>(packages: &Index<'a>, from: &str, dep: &str) -> Option<(&'a str, &'a Package)> {
    let mut candidate = String::with_capacity(from.len() + dep.len() + 14);
    let mut at = Some(from);
    while let Some(loc) = at {
        candidate.clear();
        if !loc.is_empty() {
            candidate.push_str(loc);
            candidate.push('/');
        }
        candidate.push_str("node_modules/");
        candidate.push_str(dep);
        if let Some((k, p)) = packages.get_key_value(candidate.as_str()) {
            return Some((k, p));
        }
        at = parent(loc);
    }
    None
}

fn is_local(p: &Package) -> bool {
    p.link
        || p.resolved
            .as_deref()
            .is_some_and(|r| r.starts_with("file:") || r.starts_with("link:"))
}

fn parse_packages(text: &str, packages: &BTreeMap<String, Package>, out: &mut Out) {
    let json_lines = JsonLines::new(text, "node_modules/");
    let index: Index<'_> = packages.iter().map(|(k, p)| (k.as_str(), p)).collect();
    // The project: the root and workspace members (not under node_modules).
    let mut direct: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (key, p) in packages
        .iter()
        .filter(|(k, _)| !k.contains("node_modules/"))
    {
        let declared = p
            .dependencies
            .keys()
            .chain(p.dev_dependencies.keys())
            .chain(p.optional_dependencies.keys())
            .chain(p.peer_dependencies.keys());
        for dep in declared {
            if let Some((k, _)) = resolve(&index, key, dep) {
                direct.insert(k);
            }
        }
    }
    for (key, p) in packages {
        if !key.contains("node_modules/") || is_local(p) {
            continue;
        }
        let name = p
            .name
            .clone()
            .unwrap_or_else(|| name_from_key(key).to_owned());
        let line = json_lines.object(key);
        let version = p.version.clone().unwrap_or_default();
        if version.is_empty() {
            let detail = match &p.resolved {
                Some(r) => format!("installed from `{r}`"),
                None => "the entry has no version".to_owned(),
            };
            out.unversioned(line, &name, detail);
        }
        let scope = if p.dev || p.dev_optional {
            DependencyScope::Development
        } else if p.optional {
            DependencyScope::Optional
        } else {
            DependencyScope::Runtime
        };
        let depends_on = p
            .dependencies
            .keys()
            .chain(p.optional_dependencies.keys())
            .map(|d| match resolve(&index, key, d) {
                Some((k, dp)) => dep_key(
                    dp.name.as_deref().unwrap_or(name_from_key(k)),
                    dp.version.as_deref().unwrap_or(""),
                ),
                None => d.clone(),
            })
            .chain(p.peer_dependencies.keys().filter_map(|d| {
                let (k, dp) = resolve(&index, key, d)?;
                Some(dep_key(
                    dp.name.as_deref().unwrap_or(name_from_key(k)),
                    dp.version.as_deref().unwrap_or(""),
                ))
            }))
            .collect();
        let mut entry = Entry::new(name, version)
            .directness(if direct.contains(key.as_str()) {
                Directness::Direct
            } else {
                Directness::Transitive
            })
            .scope(scope)
            .line(line)
            .license(license_of(p.license.as_ref()))
            .depends_on(depends_on);
        entry.hashes = p.integrity.as_deref().map(sri_hashes).unwrap_or_default();
        out.add(entry);
    }
}

/// Name and version of a v1 entry: `npm:real@1.0.0` aliases name the real
/// package; `file:` versions are local.
fn v1_identity(key: &str, version: &str) -> (String, String) {
    if let Some(alias) = version.strip_prefix("npm:") {
        let at = alias[1..].find('@').map(|i| i + 1);
        if let Some(i) = at {
            return (alias[..i].to_owned(), alias[i + 1..].to_owned());
        }
    }
    (key.to_owned(), version.to_owned())
}

fn is_exact_version(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_digit()) && !v.contains(['/', ':', ' '])
}

fn parse_v1<'a>(
    deps: &'a BTreeMap<String, V1Dep>,
    stack: &mut Vec<&'a BTreeMap<String, V1Dep>>,
    out: &mut Out,
) {
    stack.push(deps);
    for (key, d) in deps {
        let raw = d.version.clone().unwrap_or_default();
        if raw.starts_with("file:") || raw.starts_with("link:") {
            continue;
        }
        let (name, mut version) = v1_identity(key, &raw);
        if !is_exact_version(&version) {
            let detail = if raw.is_empty() {
                "the entry has no version".to_owned()
            } else {
                format!("installed from `{raw}`")
            };
            out.unversioned(None, &name, detail);
            version.clear();
        }
        let depends_on = d
            .requires
            .keys()
            .map(|r| {
                // The nearest definition: the entry's own nested
                // dependencies, then each enclosing level.
                let found = d
                    .dependencies
                    .get(r)
                    .or_else(|| stack.iter().rev().find_map(|level| level.get(r)));
                match found.and_then(|f| f.version.as_deref()) {
                    Some(v) => {
                        let (n, v) = v1_identity(r, v);
                        if is_exact_version(&v) {
                            dep_key(&n, &v)
                        } else {
                            n
                        }
                    }
                    None => r.clone(),
                }
            })
            .collect();
        let scope = if d.dev {
            DependencyScope::Development
        } else if d.optional {
            DependencyScope::Optional
        } else {
            DependencyScope::Runtime
        };
        let mut entry = Entry::new(name, version)
            .scope(scope)
            .depends_on(depends_on);
        entry.hashes = d.integrity.as_deref().map(sri_hashes).unwrap_or_default();
        out.add(entry);
        if !d.dependencies.is_empty() {
            parse_v1(&d.dependencies, stack, out);
        }
    }
    stack.pop();
}
