//! Package URLs (`pkg:type/namespace/name@version`) for components, built
//! with the `packageurl` crate so that percent-encoding follows the spec.
//!
//! Per ecosystem, the name is split into namespace and name as the purl
//! spec's type definitions say: npm scopes (`@babel/core` →
//! `pkg:npm/%40babel/core`), Maven `group:artifact`, Go module paths
//! (`github.com/x/y` → namespace `github.com/x`, name `y`), Composer
//! `vendor/package`. PyPI names are normalised (lower case, runs of `-_.`
//! as one `-`); the component keeps the name as written.

use oversight_model::Ecosystem;
use packageurl::PackageUrl;

/// PEP 503 normalisation: lower case, runs of `-`, `_` and `.` become `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The package URL of `name` at `version` (no version part when empty),
/// with extra qualifiers.
pub fn build(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    qualifiers: &[(&'static str, String)],
) -> String {
    let (namespace, name): (Option<String>, String) = match ecosystem {
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, n)) => (Some(format!("@{scope}")), n.to_owned()),
            None => (None, name.to_owned()),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g.to_owned()), a.to_owned()),
            None => (None, name.to_owned()),
        },
        Ecosystem::Go | Ecosystem::Packagist => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns.to_owned()), n.to_owned()),
            None => (None, name.to_owned()),
        },
        Ecosystem::PyPI => (None, pep503(name)),
        Ecosystem::Hex | Ecosystem::Pub => (None, name.to_ascii_lowercase()),
        _ => (None, name.to_owned()),
    };
    let ty = ecosystem.purl_type();
    let built = PackageUrl::new(ty, name.as_str()).and_then(|mut p| {
        if let Some(ns) = namespace.as_deref().filter(|ns| !ns.is_empty()) {
            p.with_namespace(ns)?;
        }
        if !version.is_empty() {
            p.with_version(version)?;
        }
        for (k, v) in qualifiers {
            if !v.is_empty() {
                p.add_qualifier(*k, v.as_str())?;
            }
        }
        Ok(p.to_string())
    });
    // Only an empty name or an invalid type makes packageurl fail; neither
    // reaches here, but a purl of the bare type is better than a panic.
    built.unwrap_or_else(|_| format!("pkg:{ty}/{}", name.replace('/', "%2F")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_per_ecosystem() {
        assert_eq!(
            build(Ecosystem::Npm, "@babel/core", "7.0.0", &[]),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            build(Ecosystem::Maven, "org.slf4j:slf4j-api", "2.0.9", &[]),
            "pkg:maven/org.slf4j/slf4j-api@2.0.9"
        );
        assert_eq!(
            build(Ecosystem::Go, "github.com/x/y", "v1.2.3", &[]),
            "pkg:golang/github.com/x/y@v1.2.3"
        );
        assert_eq!(
            build(Ecosystem::PyPI, "Zope.Interface__x", "5.0", &[]),
            "pkg:pypi/zope-interface-x@5.0"
        );
        assert_eq!(
            build(Ecosystem::CratesIo, "serde", "", &[]),
            "pkg:cargo/serde"
        );
        assert_eq!(
            build(Ecosystem::Packagist, "symfony/console", "v6.0.0", &[]),
            "pkg:composer/symfony/console@v6.0.0"
        );
    }

    #[test]
    fn pep503_normalises() {
        assert_eq!(pep503("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(pep503("requests"), "requests");
    }
}
