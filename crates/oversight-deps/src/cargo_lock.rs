//! `Cargo.lock`, versions 1 to 4.
//!
//! Packages without a `source` are the workspace's own crates (members and
//! path dependencies): they are the project, not components, and what they
//! depend on is direct. Checksums come from the package (v2+) or from the
//! `[metadata]` table (v1).

use std::collections::{BTreeMap, HashMap};

use oversight_model::Directness;
use serde::Deserialize;

use crate::collect::{Entry, Out, dep_key, hex_hash};
use crate::lines;

#[derive(Deserialize)]
struct Lock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<Package>,
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let lock: Lock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(
                lines::toml_error_line(text, &e),
                lines::first_line(e.message()),
            );
            return;
        }
    };
    match &lock.version {
        None => {}
        Some(toml::Value::Integer(3 | 4)) => {}
        Some(v) => out.unknown_version(v.to_string()),
    }
    let header_lines = lines::header_lines(text, "[[package]]");
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in lock.package.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    // Resolves a dependency string (`name`, `name version`,
    // `name version (source)`) to a package index.
    let resolve = |dep: &str| -> Option<usize> {
        let mut parts = dep.split_whitespace();
        let name = parts.next()?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        let candidates = by_name.get(name)?;
        candidates.iter().copied().find(|&i| {
            let p = &lock.package[i];
            version.is_none_or(|v| p.version == v)
                && source.is_none_or(|s| p.source.as_deref() == Some(s))
        })
    };
    let mut direct = vec![false; lock.package.len()];
    for p in lock.package.iter().filter(|p| p.source.is_none()) {
        for d in &p.dependencies {
            if let Some(i) = resolve(d) {
                direct[i] = true;
            }
        }
    }
    for (i, p) in lock.package.iter().enumerate() {
        let Some(source) = &p.source else { continue };
        let checksum = p.checksum.clone().or_else(|| {
            let key = format!("checksum {} {} ({source})", p.name, p.version);
            lock.metadata
                .get(&key)
                .and_then(|v| v.as_str().map(str::to_owned))
        });
        let depends_on = p
            .dependencies
            .iter()
            .map(|d| match resolve(d) {
                Some(j) => dep_key(&lock.package[j].name, &lock.package[j].version),
                None => d.split_whitespace().next().unwrap_or(d).to_owned(),
            })
            .collect();
        let mut entry = Entry::new(&p.name, &p.version)
            .directness(if direct[i] {
                Directness::Direct
            } else {
                Directness::Transitive
            })
            .line(header_lines.get(i).copied())
            .hash(checksum.as_deref().and_then(|c| hex_hash("sha256", c)))
            .depends_on(depends_on);
        if let Some(url) = source.strip_prefix("git+") {
            entry.qualifiers.push(("vcs_url", format!("git+{url}")));
        } else if !source.contains("github.com/rust-lang/crates.io-index")
            && !source.starts_with("sparse+https://index.crates.io")
        {
            let url = source
                .strip_prefix("registry+")
                .or_else(|| source.strip_prefix("sparse+"))
                .unwrap_or(source);
            entry.qualifiers.push(("repository_url", url.to_owned()));
        }
        out.add(entry);
    }
}
