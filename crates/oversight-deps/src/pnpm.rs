//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! The three versions spell package keys differently: `/name/1.0.0_peer@2`
//! (5.x), `/name@1.0.0(peer@2)` (6.x), `name@1.0.0` in `packages` with
//! `name@1.0.0(peer@2)` in `snapshots` (9.x). Keys are normalised to
//! `name@version` without peer suffixes, so one package installed with
//! several peer sets is one component. Importers (or the top-level
//! `dependencies` of a single-project 5.x/6.x lock) are the project: what
//! they name is direct. Scope comes from the `dev`/`optional` flags where
//! the lock has them (5.x, 6.x), otherwise from what the importers'
//! `dependencies`, `optionalDependencies` and `devDependencies` reach.

use std::collections::{BTreeMap, HashMap, VecDeque};

use oversight_model::{DependencyScope, Directness};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::collect::{Entry, Out, dep_key, sri_hashes, stronger_scope};
use crate::yarn::{null_default, split_descriptor, yaml_malformed, yaml_options};

#[derive(Deserialize)]
#[serde(untagged)]
enum DepRef {
    Plain(String),
    Full { version: String },
}

impl DepRef {
    fn version(&self) -> &str {
        match self {
            DepRef::Plain(v) | DepRef::Full { version: v } => v,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Importer {
    #[serde(deserialize_with = "null_default")]
    dependencies: BTreeMap<String, DepRef>,
    #[serde(rename = "optionalDependencies", deserialize_with = "null_default")]
    optional_dependencies: BTreeMap<String, DepRef>,
    #[serde(rename = "devDependencies", deserialize_with = "null_default")]
    dev_dependencies: BTreeMap<String, DepRef>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resolution {
    integrity: Option<String>,
    directory: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Package {
    resolution: Resolution,
    name: Option<String>,
    version: Option<String>,
    #[serde(deserialize_with = "null_default")]
    dependencies: BTreeMap<String, String>,
    #[serde(rename = "optionalDependencies", deserialize_with = "null_default")]
    optional_dependencies: BTreeMap<String, String>,
    dev: Option<bool>,
    optional: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Snapshot {
    #[serde(deserialize_with = "null_default")]
    dependencies: BTreeMap<String, String>,
    #[serde(rename = "optionalDependencies", deserialize_with = "null_default")]
    optional_dependencies: BTreeMap<String, String>,
}

/// What an entry written as `key:` with no value holds.
static EMPTY_PACKAGE: Package = Package {
    resolution: Resolution {
        integrity: None,
        directory: None,
        kind: None,
    },
    name: None,
    version: None,
    dependencies: BTreeMap::new(),
    optional_dependencies: BTreeMap::new(),
    dev: None,
    optional: None,
};

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<String>,
    importers: Option<BTreeMap<String, Importer>>,
    #[serde(default, deserialize_with = "null_default")]
    dependencies: BTreeMap<String, DepRef>,
    #[serde(
        default,
        rename = "optionalDependencies",
        deserialize_with = "null_default"
    )]
    optional_dependencies: BTreeMap<String, DepRef>,
    #[serde(default, rename = "devDependencies", deserialize_with = "null_default")]
    dev_dependencies: BTreeMap<String, DepRef>,
    packages: Option<HashMap<Spanned<String>, Option<Package>>>,
    snapshots: Option<HashMap<String, Option<Snapshot>>>,
}

/// The normalised `name@version` of a 5.x key (`/@a/b/1.0.0_peer@1`,
/// `registry.example/a/1.0.0`).
fn key_v5(key: &str) -> Option<String> {
    let path = match key.strip_prefix('/') {
        Some(p) => p,
        // Without the leading slash, the first segment is a registry host.
        None => key.split_once('/').map(|(_, p)| p)?,
    };
    let segments: Vec<&str> = path.split('/').collect();
    let (name, rest) = if segments.first()?.starts_with('@') {
        (
            format!("{}/{}", segments[0], segments.get(1)?),
            &segments[2..],
        )
    } else {
        (segments[0].to_owned(), &segments[1..])
    };
    let [version] = rest else { return None };
    let version = version.split('_').next().unwrap_or(version);
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| format!("{name}@{version}"))
}

/// The normalised `name@version` of a 6.x or 9.x key (`/a@1.0.0(peer@1)`).
fn key_v6(key: &str) -> Option<String> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next().unwrap_or(key);
    let (name, version) = split_descriptor(key)?;
    (!version.is_empty()).then(|| format!("{name}@{version}"))
}

struct Syntax {
    v5: bool,
}

impl Syntax {
    fn key(&self, key: &str) -> Option<String> {
        if self.v5 { key_v5(key) } else { key_v6(key) }
    }

    /// The normalised key a dependency reference points to; `None` for
    /// local (`link:`, `file:`) references.
    fn reference(&self, dep: &str, value: &str) -> Option<String> {
        if value.starts_with("link:") || value.starts_with("file:") {
            return None;
        }
        if self.v5 {
            if value.starts_with('/') {
                return key_v5(value);
            }
            let version = value.split('_').next().unwrap_or(value);
            return Some(format!("{dep}@{version}"));
        }
        let bare = value.strip_prefix('/').unwrap_or(value);
        let bare = bare.split('(').next().unwrap_or(bare);
        if value.starts_with('/') || split_descriptor(bare).is_some() {
            return key_v6(bare);
        }
        Some(format!("{dep}@{bare}"))
    }
}

fn scope_of(p: &Package) -> Option<DependencyScope> {
    match (p.dev, p.optional) {
        (Some(true), _) => Some(DependencyScope::Development),
        (_, Some(true)) => Some(DependencyScope::Optional),
        (Some(false), _) => Some(DependencyScope::Runtime),
        _ => None,
    }
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let lock: Lock = match serde_saphyr::from_str_with_options(text, yaml_options(text.len())) {
        Ok(l) => l,
        Err(e) => {
            yaml_malformed(out, &e);
            return;
        }
    };
    let version = lock.lockfile_version.clone().unwrap_or_default();
    let major: u32 = version
        .split(['.', '-'])
        .next()
        .and_then(|m| m.trim_matches('\'').parse().ok())
        .unwrap_or(0);
    let has_packages = lock.packages.as_ref().is_some_and(|p| !p.is_empty());
    if lock.lockfile_version.is_none() {
        if has_packages {
            out.unknown_version("(missing)");
        }
    } else if !matches!(major, 5 | 6 | 7 | 9) {
        out.unknown_version(version);
    }
    let syntax = Syntax {
        v5: major < 6 && major != 0,
    };

    // Packages by normalised key, in file order.
    let mut packages: Vec<(u32, String, String, &Package)> = Vec::new();
    for (k, p) in lock.packages.iter().flatten() {
        let line = k.referenced.line() as u32;
        let p = p.as_ref().unwrap_or(&EMPTY_PACKAGE);
        if k.value.starts_with("file:")
            || k.value.contains("@file:")
            || k.value.contains("@link:")
            || p.resolution.directory.is_some()
            || p.resolution.kind.as_deref() == Some("directory")
        {
            continue;
        }
        let key = match (&p.name, &p.version) {
            (Some(n), Some(v)) => Some(format!("{n}@{v}")),
            _ => syntax.key(&k.value),
        };
        match key {
            Some(norm) => packages.push((line, k.value.clone(), norm, p)),
            None => out.bad_entry(
                Some(line),
                k.value.clone(),
                "not a `name@version` package key",
            ),
        }
    }
    packages.sort_by_key(|(line, _, _, _)| *line);

    // Dependency edges by normalised key: from snapshots (9.x) or packages.
    let mut edges: HashMap<String, Vec<String>> = HashMap::new();
    let mut add_edges =
        |from: String, deps: &BTreeMap<String, String>, opt: &BTreeMap<String, String>| {
            let list = edges.entry(from).or_default();
            for (d, v) in deps.iter().chain(opt) {
                if let Some(r) = syntax.reference(d, v)
                    && !list.contains(&r)
                {
                    list.push(r);
                }
            }
        };
    for (_, raw, norm, p) in &packages {
        let _ = raw;
        add_edges(norm.clone(), &p.dependencies, &p.optional_dependencies);
    }
    for (k, s) in lock.snapshots.iter().flatten() {
        if let (Some(norm), Some(s)) = (key_v6(k), s) {
            add_edges(norm, &s.dependencies, &s.optional_dependencies);
        }
    }

    // Direct dependencies and reachability from the importers.
    let root = Importer {
        dependencies: lock.dependencies,
        optional_dependencies: lock.optional_dependencies,
        dev_dependencies: lock.dev_dependencies,
    };
    let single_project = !(root.dependencies.is_empty()
        && root.dev_dependencies.is_empty()
        && root.optional_dependencies.is_empty());
    let importers: Vec<&Importer> = match &lock.importers {
        Some(i) => i.values().collect(),
        None => vec![&root],
    };
    let mut direct = std::collections::HashSet::new();
    let mut reached: HashMap<String, DependencyScope> = HashMap::new();
    let starts = [
        (DependencyScope::Runtime, 0usize),
        (DependencyScope::Optional, 1),
        (DependencyScope::Development, 2),
    ];
    for (scope, which) in starts {
        let mut queue = VecDeque::new();
        for imp in &importers {
            let deps = match which {
                0 => &imp.dependencies,
                1 => &imp.optional_dependencies,
                _ => &imp.dev_dependencies,
            };
            for (d, r) in deps {
                if let Some(k) = syntax.reference(d, r.version()) {
                    direct.insert(k.clone());
                    queue.push_back(k);
                }
            }
        }
        while let Some(k) = queue.pop_front() {
            if reached.contains_key(&k) {
                continue;
            }
            if let Some(next) = edges.get(&k) {
                queue.extend(next.iter().filter(|n| !reached.contains_key(*n)).cloned());
            }
            reached.insert(k, scope);
        }
    }

    for (line, raw, norm, p) in &packages {
        let Some((name, version)) = split_descriptor(norm) else {
            out.bad_entry(Some(*line), raw.clone(), "not a `name@version` package key");
            continue;
        };
        let scope = match (scope_of(p), reached.get(norm)) {
            (Some(s), _) => s,
            (None, Some(s)) => *s,
            (None, None) => DependencyScope::Unknown,
        };
        let depends_on = edges
            .get(norm)
            .map(|list| {
                list.iter()
                    .map(|k| match split_descriptor(k) {
                        Some((n, v)) => dep_key(n, v),
                        None => k.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let directness = if lock.importers.is_none() && !single_project {
            Directness::Unknown
        } else if direct.contains(norm) {
            Directness::Direct
        } else {
            Directness::Transitive
        };
        let mut entry = Entry::new(name, version)
            .directness(directness)
            .scope(stronger_scope(DependencyScope::Unknown, scope))
            .line(Some(*line))
            .depends_on(depends_on);
        entry.hashes = p
            .resolution
            .integrity
            .as_deref()
            .map(sri_hashes)
            .unwrap_or_default();
        out.add(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_each_version() {
        assert_eq!(
            key_v5("/@a/b/1.0.0_peer@1.0.0").as_deref(),
            Some("@a/b@1.0.0")
        );
        assert_eq!(
            key_v5("/string_decoder/1.3.0").as_deref(),
            Some("string_decoder@1.3.0")
        );
        assert_eq!(
            key_v5("registry.npmjs.org/foo/1.1.0").as_deref(),
            Some("foo@1.1.0")
        );
        assert_eq!(key_v5("github.com/kevva/is-positive"), None);
        assert_eq!(key_v5("/foo/bar"), None);
        assert_eq!(key_v6("/a@1.0.0(b@2.0.0)").as_deref(), Some("a@1.0.0"));
        assert_eq!(
            key_v6("@x/y@1.0.0(b@2.0.0)(c@1)").as_deref(),
            Some("@x/y@1.0.0")
        );
        let s = Syntax { v5: false };
        assert_eq!(s.reference("a", "1.0.0(x@1)").as_deref(), Some("a@1.0.0"));
        assert_eq!(
            s.reference("sw", "string-width@4.2.3").as_deref(),
            Some("string-width@4.2.3")
        );
        assert_eq!(s.reference("a", "link:../a"), None);
    }
}
