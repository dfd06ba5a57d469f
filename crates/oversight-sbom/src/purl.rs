//! Package URLs: building them for components that lack one, and reducing
//! them to a package identity that two SBOMs can be compared on.

use oversight_model::{Component, Ecosystem};
use packageurl::PackageUrl;

/// The component's purl, or one built from its ecosystem, name and version
/// when the inventory recorded none (a manifest-only component, for instance).
pub(crate) fn component_purl(component: &Component) -> String {
    if !component.purl.trim().is_empty() {
        return component.purl.trim().to_owned();
    }
    build(component.ecosystem, &component.name, &component.version)
}

/// Builds `pkg:<type>/<namespace>/<name>@<version>`: the one purl builder,
/// the inventory's ([`oversight_deps::purl::build`]), so a component gets
/// the same purl in the scan report and in every SBOM.
pub(crate) fn build(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    oversight_deps::purl::build(ecosystem, name, version, &[])
}

/// Splits an ecosystem name into the purl namespace and name: Maven
/// `group:artifact`, scoped npm `@scope/name`, Go module paths and Composer
/// `vendor/name`.
pub(crate) fn split_name(ecosystem: Ecosystem, name: &str) -> (Option<&str>, &str) {
    let split = match ecosystem {
        Ecosystem::Maven => name.split_once(':'),
        Ecosystem::Npm if name.starts_with('@') => name.split_once('/'),
        Ecosystem::Go | Ecosystem::Packagist => name.rsplit_once('/'),
        _ => None,
    };
    match split {
        Some((namespace, short)) if !namespace.is_empty() && !short.is_empty() => {
            (Some(namespace), short)
        }
        _ => (None, name),
    }
}

/// The ecosystem a purl type stands for.
pub(crate) fn ecosystem_of_type(purl_type: &str) -> Option<Ecosystem> {
    let purl_type = purl_type.to_ascii_lowercase();
    Ecosystem::ALL
        .into_iter()
        .find(|e| e.purl_type() == purl_type)
}

/// A purl reduced to what names the package (type, namespace, name) and the
/// version, normalised so that spellings the ecosystem treats as equal compare
/// equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PurlKey {
    /// `type/namespace/name`, normalised.
    pub(crate) identity: String,
    /// The purl type, lowercase.
    pub(crate) purl_type: String,
    /// The version, normalised for comparison; `None` when the purl has none.
    pub(crate) version: Option<String>,
}

/// Parses a purl into its [`PurlKey`]; `None` when it is not a purl.
pub(crate) fn key(purl: &str) -> Option<PurlKey> {
    let trimmed = purl.trim();
    let parsed: PackageUrl<'static> = trimmed.parse().ok().or_else(|| unencoded_at(trimmed))?;
    let purl_type = parsed.ty().to_ascii_lowercase();
    let insensitive = matches!(
        purl_type.as_str(),
        "npm" | "pypi" | "nuget" | "composer" | "hex" | "golang"
    );
    let fold = |s: &str| {
        if insensitive {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    let mut name = fold(parsed.name());
    if purl_type == "pypi" {
        name = pep503(&name);
    }
    let namespace = parsed.namespace().map(fold).unwrap_or_default();
    let version = parsed
        .version()
        .filter(|v| !v.is_empty())
        .map(|v| normalize_version(&purl_type, v));
    Some(PurlKey {
        identity: format!("{purl_type}/{namespace}/{name}"),
        purl_type,
        version,
    })
}

/// Some tools write scoped npm purls with a raw `@` (`pkg:npm/@babel/core`),
/// which a strict parser reads as a version separator; retry with it encoded.
fn unencoded_at(purl: &str) -> Option<PackageUrl<'static>> {
    let (head, rest) = purl.split_once("/@")?;
    format!("{head}/%40{rest}").parse().ok()
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// Versions compare as written, except where ecosystems or tools disagree on
/// spelling: Go's `v` prefix is dropped by some SBOM generators, and PyPI
/// versions are case-insensitive.
pub(crate) fn normalize_version(purl_type: &str, version: &str) -> String {
    match purl_type {
        "golang" => version.strip_prefix('v').unwrap_or(version).to_owned(),
        "pypi" => version.to_lowercase(),
        _ => version.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_namespaced_purls() {
        assert_eq!(
            build(Ecosystem::Npm, "@babel/core", "7.24.0"),
            "pkg:npm/%40babel/core@7.24.0"
        );
        assert_eq!(
            build(Ecosystem::Maven, "org.slf4j:slf4j-api", "2.0.9"),
            "pkg:maven/org.slf4j/slf4j-api@2.0.9"
        );
        assert_eq!(
            build(Ecosystem::Go, "github.com/prometheus/common", "v0.55.0"),
            "pkg:golang/github.com/prometheus/common@v0.55.0"
        );
        assert_eq!(build(Ecosystem::CratesIo, "serde", ""), "pkg:cargo/serde");
    }

    #[test]
    fn keys_fold_what_the_ecosystem_folds() {
        let a = key("pkg:pypi/Typing_Extensions@4.12.2").unwrap();
        let b = key("pkg:pypi/typing.extensions@4.12.2").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.identity, "pypi//typing-extensions");
        let unencoded = key("pkg:npm/@babel/core@7.24.0").unwrap();
        let encoded = key("pkg:npm/%40babel/core@7.24.0").unwrap();
        assert_eq!(unencoded, encoded);
        assert_eq!(encoded.identity, "npm/@babel/core");
        let maven_a = key("pkg:maven/org.slf4j/slf4j-api@2.0.9").unwrap();
        let maven_b = key("pkg:maven/org.slf4j/SLF4J-api@2.0.9").unwrap();
        assert_ne!(maven_a.identity, maven_b.identity);
        let go = key("pkg:golang/github.com/x/y@v1.2.3").unwrap();
        assert_eq!(go.version.as_deref(), Some("1.2.3"));
        assert!(key("not a purl").is_none());
    }

    #[test]
    fn qualifiers_do_not_change_the_key() {
        assert_eq!(
            key("pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=3.22.0"),
            key("pkg:apk/alpine/zlib@1.2.12-r1")
        );
    }
}
