//! Licences of the delivery's components, judged after the scan.
//!
//! The detector sees one file at a time and stays pure; what needs the whole
//! inventory runs here, after the pass, as advisory matching does:
//!
//! * [`component_findings`] evaluates the reviewer's [`LicensePolicy`] on each
//!   component's declared licence (`license.denied`, `license.unknown`),
//!   located at the file and line that declare the component;
//! * [`exempt_third_party`] removes `license.foreign-copyright` findings from
//!   files that belong to a declared vendored component: a holder inside
//!   `node_modules/lodash/` is lodash's author, declared with its licence, not
//!   copied code. The ownership check flags holders "outside the expected set
//!   and outside the declared third-party components".

use oversight_model::{
    Component, Finding, Fingerprint, LicenceKind, LicenceMatch, Location, Rule, Severity, Share,
};

use crate::declared::{self, Declared};
use crate::{LicensePolicy, rules};

/// The `license.denied` and `license.unknown` findings of the components'
/// declared licences.
///
/// * A declaration that is not an SPDX expression once normalised is
///   `license.unknown`, with or without a policy (as for files).
/// * With a policy, an expression it does not allow is `license.denied`,
///   and a vendored package that declares no licence at all is
///   `license.unknown` (lockfiles such as `Cargo.lock` record no licences,
///   so their components are not judged on an absent one).
///
/// `severity` gives the reviewer's override for a rule id.
pub fn component_findings(
    components: &[Component],
    policy: Option<&LicensePolicy>,
    severity: &dyn Fn(&str) -> Option<Severity>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in components {
        let name = component_name(c);
        let Some(license) = c
            .license
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        else {
            if policy.is_some() && third_party_root(c).is_some() {
                out.push(finding(
                    &rules::UNKNOWN,
                    severity,
                    c,
                    format!(
                        "Component `{name}` declares no licence in {}: the licence policy cannot be checked",
                        c.source.file_name()
                    ),
                    "no-licence",
                ));
            }
            continue;
        };
        match declared::classify(license) {
            Declared::Expression(text, expression) => {
                let Some(policy) = policy else { continue };
                if let Err(reasons) = policy.evaluate(&expression) {
                    out.push(declared_finding(
                        &rules::DENIED,
                        severity,
                        c,
                        format!(
                            "Component `{name}` is licensed `{text}`, which the licence policy does not allow: {}",
                            reasons.join("; ")
                        ),
                        &text,
                    ));
                }
            }
            Declared::LicenseFile(file) => out.push(declared_finding(
                &rules::UNKNOWN,
                severity,
                c,
                format!(
                    "Component `{name}` declares its licence only in the file `{file}` \
                     of the package: the file's own findings name what it holds"
                ),
                license,
            )),
            Declared::Unknown { text, reason } => out.push(declared_finding(
                &rules::UNKNOWN,
                severity,
                c,
                format!("Component `{name}` declares the licence `{text}`, which cannot be mapped to SPDX: {reason}"),
                &text,
            )),
        }
    }
    out
}

/// Removes the `license.foreign-copyright` findings of files that belong to
/// a declared vendored component, and returns how many it removed.
pub fn exempt_third_party(findings: &mut Vec<Finding>, components: &[Component]) -> usize {
    let mut roots: Vec<String> = components.iter().filter_map(third_party_root).collect();
    if roots.is_empty() {
        return 0;
    }
    roots.sort();
    roots.dedup();
    let before = findings.len();
    findings.retain(|f| {
        if f.rule.id != rules::FOREIGN_COPYRIGHT.id {
            return true;
        }
        let path = f.location.path.to_string();
        !roots.iter().any(|root| path.starts_with(root.as_str()))
    });
    before - findings.len()
}

/// The directory (as a prefix of delivery paths, ending in `/` or `!/`)
/// whose files belong to a vendored component, from the file that declares
/// it. `None` for components that lockfiles and project manifests name:
/// they own no files of the delivery.
///
/// * `node_modules/<name>/package.json`, a vendored crate's `Cargo.toml`, a
///   vendored `composer.json`, `gems/<name>/<name>.gemspec`, a `.nuspec`:
///   the manifest's directory;
/// * `specifications/<name>.gemspec` (Bundler's layout): `gems/<name>/`
///   beside it;
/// * `META-INF/maven/…/pom.xml` inside a jar: the whole jar;
/// * `vendor/composer/installed.json`: the whole `vendor/`;
/// * `<dist>.dist-info/METADATA`: the whole `site-packages` (or
///   `dist-packages`, `_vendor`, `vendor`) directory holding it, since a
///   distribution's import names are not in its metadata; elsewhere only the
///   `.dist-info` directory itself and a sibling named as the distribution.
pub fn third_party_root(c: &Component) -> Option<String> {
    let segments = c.source.segments();
    let inner = c.source.innermost().replace('\\', "/");
    let (dir, file) = match inner.rsplit_once('/') {
        Some((dir, file)) => (dir.to_owned(), file.to_owned()),
        None => (String::new(), inner.clone()),
    };
    let outer = if segments.len() > 1 {
        format!("{}!/", segments[..segments.len() - 1].join("!/"))
    } else {
        String::new()
    };
    let with_outer = |inner_dir: &str| -> Option<String> {
        if inner_dir.is_empty() {
            // The manifest sits at the root of an archive: the archive is the
            // component; at the root of the delivery: the delivery is not.
            return (!outer.is_empty()).then(|| outer.clone());
        }
        Some(format!("{outer}{inner_dir}/"))
    };
    let parent_name = dir.rsplit('/').next().unwrap_or("");
    let lower = file.to_ascii_lowercase();
    if file == "package.json" && dir.split('/').any(|d| d == "node_modules") {
        return with_outer(&dir);
    }
    if file == "Cargo.toml" || file == "composer.json" || lower.ends_with(".nuspec") {
        return with_outer(&dir);
    }
    if lower.ends_with(".gemspec") {
        if parent_name == "specifications" {
            let base = dir.rsplit_once('/').map_or("", |(b, _)| b);
            let stem = file.trim_end_matches(".gemspec");
            let gems = if base.is_empty() {
                format!("gems/{stem}")
            } else {
                format!("{base}/gems/{stem}")
            };
            return with_outer(&gems);
        }
        return with_outer(&dir);
    }
    if file == "installed.json" && parent_name == "composer" {
        // `vendor/composer/installed.json`: Composer owns all of `vendor/`.
        let vendor = dir.rsplit_once('/').map_or("", |(b, _)| b);
        return with_outer(vendor);
    }
    if file == "pom.xml" {
        let at = inner.find("META-INF/maven/")?;
        return with_outer(inner[..at].trim_end_matches('/'));
    }
    if (file == "METADATA" && parent_name.ends_with(".dist-info"))
        || (file == "PKG-INFO" && parent_name.ends_with(".egg-info"))
    {
        let site = dir.rsplit_once('/').map_or("", |(b, _)| b);
        let site_name = site.rsplit('/').next().unwrap_or("");
        if matches!(
            site_name,
            "site-packages" | "dist-packages" | "_vendor" | "vendor" | "vendored"
        ) {
            return with_outer(site);
        }
        // Elsewhere (an egg-info at a project's root is the project itself),
        // only the metadata directory.
        return with_outer(&dir);
    }
    None
}

fn component_name(c: &Component) -> String {
    if c.version.is_empty() {
        c.name.clone()
    } else {
        c.key()
    }
}

fn finding(
    rule: &'static Rule,
    severity: &dyn Fn(&str) -> Option<Severity>,
    c: &Component,
    message: String,
    key: &str,
) -> Finding {
    finding_of(rule, severity, c, message, key, None)
}

/// A finding about a licence the component declares in its metadata, with
/// that licence (`expression`, as written when it is no SPDX expression) as
/// data.
fn declared_finding(
    rule: &'static Rule,
    severity: &dyn Fn(&str) -> Option<Severity>,
    c: &Component,
    message: String,
    expression: &str,
) -> Finding {
    let licence = LicenceMatch {
        expression: expression.to_owned(),
        kind: LicenceKind::Metadata,
        lines: c.line.map(|l| (l, l)),
        rule_coverage: Share::new(1.0),
        region_coverage: Share::new(1.0),
    };
    finding_of(rule, severity, c, message, expression, Some(licence))
}

fn finding_of(
    rule: &'static Rule,
    severity: &dyn Fn(&str) -> Option<Severity>,
    c: &Component,
    message: String,
    key: &str,
    licence: Option<LicenceMatch>,
) -> Finding {
    let content_key = format!("{}@{}:{key}", c.name, c.version);
    Finding {
        rule,
        severity: severity(rule.id).unwrap_or(rule.default_severity),
        location: Location {
            path: c.source.clone(),
            line: c.line,
            column: None,
        },
        message,
        evidence: None,
        fingerprint: Fingerprint::compute(rule.id, &c.source, content_key.as_bytes(), 0),
        licence,
    }
}

#[cfg(test)]
mod tests {
    use oversight_model::{DeliveryPath, DependencyScope, Directness, Ecosystem};

    use super::*;

    fn component(source: DeliveryPath, license: Option<&str>) -> Component {
        Component {
            ecosystem: Ecosystem::Npm,
            name: "left-pad".into(),
            version: "1.3.0".into(),
            purl: "pkg:npm/left-pad@1.3.0".into(),
            directness: Directness::Unknown,
            scope: DependencyScope::Unknown,
            source,
            line: Some(1),
            hashes: Vec::new(),
            license: license.map(str::to_owned),
            depends_on: Vec::new(),
        }
    }

    #[test]
    fn vendored_roots() {
        let root = |p: DeliveryPath| third_party_root(&component(p, None));
        let r = DeliveryPath::root;
        assert_eq!(
            root(r("web/node_modules/@babel/core/package.json")).as_deref(),
            Some("web/node_modules/@babel/core/")
        );
        assert_eq!(
            root(r("vendor/serde/Cargo.toml")).as_deref(),
            Some("vendor/serde/")
        );
        assert_eq!(
            root(r("x/serde-1.0.0.crate").join("serde-1.0.0/Cargo.toml")).as_deref(),
            Some("x/serde-1.0.0.crate!/serde-1.0.0/")
        );
        assert_eq!(
            root(r("lib/site-packages/six-1.16.0.dist-info/METADATA")).as_deref(),
            Some("lib/site-packages/")
        );
        assert_eq!(
            root(r("demo.egg-info/PKG-INFO")).as_deref(),
            Some("demo.egg-info/")
        );
        assert_eq!(
            root(r(
                "vendor/bundle/ruby/3.3.0/specifications/rack-3.0.8.gemspec"
            ))
            .as_deref(),
            Some("vendor/bundle/ruby/3.3.0/gems/rack-3.0.8/")
        );
        assert_eq!(
            root(r("lib/guava.jar").join("META-INF/maven/com.google/guava/pom.xml")).as_deref(),
            Some("lib/guava.jar!/")
        );
        assert_eq!(
            root(r("pkgs/Newtonsoft.Json.13.0.3.nupkg").join("Newtonsoft.Json.nuspec")).as_deref(),
            Some("pkgs/Newtonsoft.Json.13.0.3.nupkg!/")
        );
        assert_eq!(
            root(r("app/vendor/composer/installed.json")).as_deref(),
            Some("app/vendor/")
        );
        assert_eq!(root(r("pom.xml")), None);
        assert_eq!(root(r("Cargo.lock")), None);
        assert_eq!(root(r("package-lock.json")), None);
    }

    #[test]
    fn components_are_judged_by_the_policy() {
        let policy =
            LicensePolicy::parse("deny-categories = [\"strong-copyleft\"]").expect("valid");
        let src = || DeliveryPath::root("node_modules/left-pad/package.json");
        let components = [
            component(src(), Some("MIT")),
            component(src(), Some("GPL-3.0-only")),
            component(src(), Some("BSD License")),
            component(src(), None),
            component(DeliveryPath::root("Cargo.lock"), None),
        ];
        let none = |_: &str| None;
        let found = component_findings(&components, Some(&policy), &none);
        let rules: Vec<&str> = found.iter().map(|f| f.rule.id).collect();
        assert_eq!(
            rules,
            ["license.denied", "license.unknown", "license.unknown"]
        );
        assert!(
            found[0].message.contains("`left-pad@1.3.0`"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("GPL-3.0-only"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].location.line, Some(1));
        let without_policy = component_findings(&components, None, &none);
        assert_eq!(without_policy.len(), 1, "only the unmappable one");
    }
}
