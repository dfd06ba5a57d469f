//! Package names normalised per ecosystem, so that lookups find an
//! advisory however the lockfile spells the name.

use oversight_model::Ecosystem;

/// The lookup key of a package name.
///
/// * PyPI: PEP 503 (lowercase; runs of `-`, `_`, `.` become one `-`).
/// * Packagist, NuGet: lowercase (both registries are case-insensitive).
/// * crates.io, npm, Go, Maven (`group:artifact`), RubyGems, Pub, Hex,
///   ConanCenter: as written, trimmed (their registries are
///   case-sensitive, or the advisory databases spell names exactly).
pub fn normalize(ecosystem: Ecosystem, name: &str) -> String {
    let name = name.trim();
    match ecosystem {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.extend(c.to_lowercase());
                    in_sep = false;
                }
            }
            out
        }
        Ecosystem::Packagist | Ecosystem::NuGet => name.to_lowercase(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_and_case_insensitive_registries() {
        assert_eq!(
            normalize(Ecosystem::PyPI, "Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(
            normalize(Ecosystem::PyPI, "zope..interface"),
            "zope-interface"
        );
        assert_eq!(normalize(Ecosystem::PyPI, "a-_-b"), "a-b");
        assert_eq!(
            normalize(Ecosystem::NuGet, "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(
            normalize(Ecosystem::Packagist, "Symfony/HTTP-Kernel"),
            "symfony/http-kernel"
        );
        assert_eq!(normalize(Ecosystem::CratesIo, "serde_json"), "serde_json");
        assert_eq!(normalize(Ecosystem::Npm, "@Babel/core"), "@Babel/core");
    }
}
