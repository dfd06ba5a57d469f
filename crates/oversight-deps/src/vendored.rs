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

/// `…/vendor/composer/installed.json`.
pub(crate) fn is_composer_installed(path: &DeliveryPath) -> bool {
    let p = parts(path);
    let n = p.len();
    n >= 3 && p[n - 2] == "composer" && p[n - 3] == "vendor"
}

/// Directories whose gemspecs are vendored gems, not the project's own.
fn vendored_gem_dir(dir: &str) -> bool {
    matches!(
        dir,
        "specifications" | "gems" | "vendor" | "third_party" | "third-party"
    )
}

/// A `*.gemspec` of a vendored gem: Bundler's `specifications/`, a
/// `gems/<name>-<version>/` folder, or under `vendor/`/`third_party/`.
pub(crate) fn is_vendored_gemspec(path: &DeliveryPath) -> bool {
    let p = parts(path);
    p[..p.len() - 1].iter().any(|d| vendored_gem_dir(d))
}

/// A `*.nuspec` of a package: at the root of a `.nupkg`, or under
/// `packages/`, `vendor/` or `third_party/`.
pub(crate) fn is_vendored_nuspec(path: &DeliveryPath) -> bool {
    let segments = path.segments();
    let in_nupkg = segments.len() > 1
        && segments[segments.len() - 2]
            .to_ascii_lowercase()
            .ends_with(".nupkg");
    let p = parts(path);
    in_nupkg
        || p[..p.len() - 1]
            .iter()
            .any(|d| matches!(*d, "packages" | "vendor" | "third_party" | "third-party"))
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
    let license = python_license(&headers);
    out.add(
        Entry::new(&name.1, &version.1)
            .line(Some(name.2))
            .license(license),
    );
}

/// The licence of a Python distribution: `License-Expression` (PEP 639),
/// else a one-line `License` field that maps to SPDX, else the licence
/// classifiers (alternatives) when they all map, else what was written.
/// A `License` field holding a whole licence text is not a declaration.
fn python_license(headers: &[(String, String, u32)]) -> Option<String> {
    use oversight_licenses::declared::{self, Declared};
    let get = |k: &str| headers.iter().find(|h| h.0 == k).map(|h| h.1.trim());
    if let Some(expression) = get("license-expression").filter(|e| !e.is_empty()) {
        return Some(expression.to_owned());
    }
    let maps = |v: &str| matches!(declared::classify(v), Declared::Expression(..));
    let field = get("license")
        .filter(|l| !l.is_empty() && !l.contains('\n') && l.len() <= 100 && *l != "UNKNOWN");
    if let Some(field) = field.filter(|f| maps(&declared::normalise(f))) {
        return Some(field.to_owned());
    }
    let mut classifiers: Vec<String> = Vec::new();
    for h in headers
        .iter()
        .filter(|h| h.0 == "classifier" && h.1.starts_with("License ::"))
    {
        let last = h.1.rsplit("::").next().unwrap_or("").trim();
        if last.is_empty() || last == "OSI Approved" {
            continue;
        }
        let mapped = declared::normalise(&h.1);
        let term = if maps(&mapped) {
            mapped
        } else {
            last.to_owned()
        };
        if !classifiers.contains(&term) {
            classifiers.push(term);
        }
    }
    let classified = match classifiers.len() {
        0 => None,
        1 => classifiers.pop(),
        _ => Some(
            classifiers
                .iter()
                .map(|c| {
                    if c.contains(' ') {
                        format!("({c})")
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    };
    match (field, classified) {
        (_, Some(c)) if maps(&declared::normalise(&c)) => Some(c),
        (Some(f), _) => Some(f.to_owned()),
        (None, c) => c,
    }
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
    #[serde(rename = "license-file")]
    license_file: Option<toml::Value>,
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
    // `license-file` alone: the licence is in that file of the crate, which
    // the licence detector reads; the component records where.
    let license = match (&p.license, &p.license_file) {
        (Some(toml::Value::String(l)), _) => Some(l.clone()),
        (_, Some(toml::Value::String(f))) => Some(format!(
            "{}{f}",
            oversight_licenses::declared::LICENSE_FILE_PREFIX
        )),
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
