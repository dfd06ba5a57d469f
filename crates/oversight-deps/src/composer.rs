//! `composer.lock`: `packages` (runtime) and `packages-dev` (development);
//! and `vendor/composer/installed.json`, the list of what Composer installed
//! into a vendored `vendor/` directory (a list in Composer 1, `{"packages":
//! […], "dev": …}` in Composer 2), with the same package entries.
//!
//! The lock does not say which packages `composer.json` requires, so
//! directness is unknown. Platform requirements (`php`, `ext-*`, `lib-*`,
//! `composer-*-api`) are not packages and are not edges. Path repositories
//! (`dist.type = "path"`) are the project's own code and are left out.

use std::collections::{BTreeMap, HashMap};

use oversight_model::DependencyScope;
use serde::Deserialize;
use serde_json::Value;

use crate::collect::{Entry, Out, dep_key, hex_hash};
use crate::lines::{self, JsonLines};
use crate::npm::license_of;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Option<Vec<Package>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    dist: Option<Dist>,
    #[serde(default)]
    require: BTreeMap<String, Value>,
    #[serde(default)]
    license: Option<Value>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(rename = "type")]
    kind: Option<String>,
    shasum: Option<String>,
}

fn is_platform(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "php"
        || n.starts_with("php-")
        || n == "hhvm"
        || n.starts_with("ext-")
        || n.starts_with("lib-")
        || n == "composer"
        || n.starts_with("composer-")
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let lock: Lock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    let json_lines = JsonLines::new(text, "name");
    let dev = lock.packages_dev.unwrap_or_default();
    let mut versions: HashMap<String, (&str, &str)> = HashMap::new();
    for p in lock.packages.iter().chain(&dev) {
        versions.insert(
            p.name.to_ascii_lowercase(),
            (p.name.as_str(), p.version.as_deref().unwrap_or("")),
        );
    }
    let sections = [
        (&lock.packages, DependencyScope::Runtime),
        (&dev, DependencyScope::Development),
    ];
    for (packages, scope) in sections {
        for p in packages {
            let dist_kind = p.dist.as_ref().and_then(|d| d.kind.as_deref());
            if dist_kind == Some("path") {
                continue;
            }
            let line = json_lines.field("name", &p.name);
            let version = p.version.clone().unwrap_or_default();
            if version.is_empty() {
                out.unversioned(line, &p.name, "the entry has no version");
            }
            let depends_on = p
                .require
                .keys()
                .filter(|r| !is_platform(r))
                .map(|r| match versions.get(&r.to_ascii_lowercase()) {
                    Some((n, v)) => dep_key(n, v),
                    None => r.clone(),
                })
                .collect();
            let shasum = p.dist.as_ref().and_then(|d| d.shasum.as_deref());
            out.add(
                Entry::new(&p.name, version)
                    .scope(scope)
                    .line(line)
                    .license(license_of(p.license.as_ref()))
                    .hash(shasum.and_then(|s| hex_hash("sha1", s)))
                    .depends_on(depends_on),
            );
        }
    }
}

/// `vendor/composer/installed.json`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V2 {
        packages: Vec<Package>,
        #[serde(default, rename = "dev-package-names")]
        dev_package_names: Vec<String>,
    },
    V1(Vec<Package>),
}

pub(crate) fn parse_installed(text: &str, out: &mut Out) {
    let installed: Installed = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    let (packages, dev) = match installed {
        Installed::V2 {
            packages,
            dev_package_names,
        } => (packages, dev_package_names),
        Installed::V1(packages) => (packages, Vec::new()),
    };
    let json_lines = JsonLines::new(text, "name");
    for p in &packages {
        if p.dist.as_ref().and_then(|d| d.kind.as_deref()) == Some("path") {
            continue;
        }
        let line = json_lines.field("name", &p.name);
        let version = p.version.clone().unwrap_or_default();
        if version.is_empty() {
            out.unversioned(line, &p.name, "the entry has no version");
        }
        let scope = if dev.contains(&p.name) {
            DependencyScope::Development
        } else {
            DependencyScope::Unknown
        };
        let shasum = p.dist.as_ref().and_then(|d| d.shasum.as_deref());
        out.add(
            Entry::new(&p.name, version)
                .scope(scope)
                .line(line)
                .license(license_of(p.license.as_ref()))
                .hash(shasum.and_then(|s| hex_hash("sha1", s)))
                .depends_on(
                    p.require
                        .keys()
                        .filter(|r| !is_platform(r))
                        .cloned()
                        .collect(),
                ),
        );
    }
}
