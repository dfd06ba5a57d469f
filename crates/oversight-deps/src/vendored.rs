//! Vendored components: packages copied into the delivery rather than
//! named by a lockfile. `node_modules/<name>/package.json`, Python
//! `*.dist-info/METADATA` (and `*.egg-info/PKG-INFO`), and the `Cargo.toml`
//! of crates under `vendor/`, `third_party/`, `third-party/` or inside a
//! `.crate` archive. A project's own root `Cargo.toml` is the project, not a
//! component, and is not read.

use oversight_model::DeliveryPath;
use serde::Deserialize;
use serde_json::Value;

use crate::collect::{Entry, Out};
use crate::lines;

fn parts(path: &DeliveryPath) -> Vec<&str> {
    path.innermost().split(['/', '\\']).collect()
}

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
pub(crate) fn is_node_modules_package(path: &DeliveryPath) -> bool {
    let p = parts(path);
    let n = p.len();
    (n >= 3
        && p[n - 3] == "node_modules"
        && !p[n - 2].starts_with('@')
        && !p[n - 2].starts_with('.'))
        || (n >= 4 && p[n - 4] == "node_modules" && p[n - 3].starts_with('@'))
}

/// `<dist>.dist-info/METADATA` or `<dist>.egg-info/PKG-INFO`.
pub(crate) fn is_python_metadata(path: &DeliveryPath) -> bool {
    let p = parts(path);
    let n = p.len();
    if n < 2 {
        return false;
    }
    match p[n - 1] {
        "METADATA" => p[n - 2].ends_with(".dist-info"),
        "PKG-INFO" => p[n - 2].ends_with(".egg-info"),
        _ => false,
    }
}

/// A `Cargo.toml` that belongs to a vendored crate, not to the project.
pub(crate) fn is_vendored_crate(path: &DeliveryPath) -> bool {
    let segments = path.segments();
    let in_crate_archive = segments[..segments.len() - 1]
        .iter()
        .any(|s| s.to_ascii_lowercase().ends_with(".crate"));
    let p = parts(path);
    in_crate_archive
        || p[..p.len() - 1]
            .iter()
            .any(|d| matches!(*d, "vendor" | "third_party" | "third-party"))
}

pub(crate) fn parse_package_json(text: &str, out: &mut Out) {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    let name = v.get("name").and_then(Value::as_str).unwrap_or("").trim();
    let version = v
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    if name.is_empty() {
        out.bad_entry(
            Some(1),
            out.source.innermost().to_owned(),
            "the package.json has no `name`",
        );
        return;
    }
    if version.is_empty() {
        out.unversioned(Some(1), name, "the package.json has no `version`");
    }
    let license = crate::npm::license_of(v.get("license"))
        .or_else(|| crate::npm::license_of(v.get("licenses")));
    let mut entry = Entry::new(name, version).line(Some(1)).license(license);
    entry.depends_on = v
        .get("dependencies")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    out.add(entry);
}

/// SPDX identifiers of the common trove licence classifiers.
fn classifier_spdx(classifier: &str) -> Option<&'static str> {
    let last = classifier.rsplit("::").next()?.trim();
    Some(match last {
        "MIT License" => "MIT",
        "MIT No Attribution License (MIT-0)" => "MIT-0",
        "Apache Software License" => "Apache-2.0",
        "BSD License" => return None,
        "ISC License (ISCL)" => "ISC",
        "Mozilla Public License 2.0 (MPL 2.0)" => "MPL-2.0",
        "GNU General Public License v2 (GPLv2)" => "GPL-2.0-only",
        "GNU General Public License v2 or later (GPLv2+)" => "GPL-2.0-or-later",
        "GNU General Public License v3 (GPLv3)" => "GPL-3.0-only",
        "GNU General Public License v3 or later (GPLv3+)" => "GPL-3.0-or-later",
        "GNU Lesser General Public License v2 (LGPLv2)" => "LGPL-2.0-only",
        "GNU Lesser General Public License v2 or later (LGPLv2+)" => "LGPL-2.0-or-later",
        "GNU Lesser General Public License v3 (LGPLv3)" => "LGPL-3.0-only",
        "GNU Lesser General Public License v3 or later (LGPLv3+)" => "LGPL-3.0-or-later",
        "GNU Affero General Public License v3" => "AGPL-3.0-only",
        "GNU Affero General Public License v3 or later (AGPLv3+)" => "AGPL-3.0-or-later",
        "Python Software Foundation License" => "PSF-2.0",
        "The Unlicense (Unlicense)" => "Unlicense",
        "Zope Public License" => "ZPL-2.1",
        "Eclipse Public License 2.0 (EPL-2.0)" => "EPL-2.0",
        "Boost Software License 1.0 (BSL-1.0)" => "BSL-1.0",
        "Universal Permissive License (UPL)" => "UPL-1.0",
        "zlib/libpng License" => "Zlib",
        _ => return None,
    })
}

pub(crate) fn parse_python_metadata(text: &str, out: &mut Out) {
    let mut headers: Vec<(String, String, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((
                k.trim().to_ascii_lowercase(),
                v.trim().to_owned(),
                i as u32 + 1,
            ));
        }
    }
    let get = |k: &str| headers.iter().find(|h| h.0 == k);
    let (Some(name), Some(version)) = (get("name"), get("version")) else {
        out.malformed(None, "No `Name` and `Version` headers");
        return;
    };
    let license_field = get("license")
        .map(|h| h.1.trim())
        .filter(|l| !l.is_empty() && !l.contains('\n') && l.len() <= 100 && *l != "UNKNOWN");
    let classifiers: Vec<String> = headers
        .iter()
        .filter(|h| h.0 == "classifier" && h.1.starts_with("License ::"))
        .map(|h| {
            classifier_spdx(&h.1)
                .map(str::to_owned)
                .unwrap_or_else(|| h.1.rsplit("::").next().unwrap_or("").trim().to_owned())
        })
        .filter(|s| !s.is_empty() && s != "OSI Approved")
        .collect();
    let license = get("license-expression")
        .map(|h| h.1.clone())
        .or_else(|| license_field.map(str::to_owned))
        .or_else(|| (!classifiers.is_empty()).then(|| classifiers.join(" OR ")));
    out.add(
        Entry::new(&name.1, &version.1)
            .line(Some(name.2))
            .license(license),
    );
}

#[derive(Deserialize)]
struct Manifest {
    package: Option<ManifestPackage>,
}

#[derive(Deserialize)]
struct ManifestPackage {
    name: String,
    version: Option<toml::Value>,
    license: Option<toml::Value>,
}

pub(crate) fn parse_cargo_toml(text: &str, out: &mut Out) {
    let m: Manifest = match toml::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            out.malformed(
                lines::toml_error_line(text, &e),
                lines::first_line(e.message()),
            );
            return;
        }
    };
    // A workspace manifest without [package] names no crate.
    let Some(p) = m.package else { return };
    let line = lines::header_lines(text, "[package]").first().copied();
    let version = match &p.version {
        Some(toml::Value::String(v)) => v.clone(),
        _ => {
            out.unversioned(
                line,
                &p.name,
                "the version is inherited from a workspace or missing",
            );
            String::new()
        }
    };
    let license = match &p.license {
        Some(toml::Value::String(l)) => Some(l.clone()),
        _ => None,
    };
    out.add(Entry::new(p.name, version).line(line).license(license));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_paths() {
        let np = |s: &str| is_node_modules_package(&DeliveryPath::root(s));
        assert!(np("node_modules/lodash/package.json"));
        assert!(np("a/node_modules/@babel/core/package.json"));
        assert!(!np("node_modules/lodash/lib/package.json"));
        assert!(!np("package.json"));
        let vc = |p: &DeliveryPath| is_vendored_crate(p);
        assert!(vc(&DeliveryPath::root("vendor/serde/Cargo.toml")));
        assert!(vc(
            &DeliveryPath::root("x/serde-1.0.0.crate").join("serde-1.0.0/Cargo.toml")
        ));
        assert!(!vc(&DeliveryPath::root("Cargo.toml")));
        assert!(!vc(&DeliveryPath::root("crates/a/Cargo.toml")));
        assert!(is_python_metadata(&DeliveryPath::root(
            "site-packages/six-1.16.0.dist-info/METADATA"
        )));
        assert!(!is_python_metadata(&DeliveryPath::root("METADATA")));
    }
}
