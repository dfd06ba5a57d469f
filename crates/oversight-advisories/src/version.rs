//! Version orderings, one per ecosystem.
//!
//! An advisory range is only meaningful in the ordering of the ecosystem
//! that published it: `1.0.dev1 < 1.0` in PyPI, `1.0-SNAPSHOT < 1.0` in
//! Maven, `1.0.0-alpha < 1.0.0` in npm. [`Scheme`] names an ordering and
//! [`Version`] is a version parsed under one; two versions compare only when
//! they were parsed under the same scheme.
//!
//! Existing crates are used where they exist (`semver`, `pep440_rs`);
//! Maven, RubyGems, NuGet, Composer and the generic dotted ordering are
//! written here from their specifications, each with its own tests.

pub mod composer;
pub mod generic;
pub mod maven;
pub mod nuget;
pub mod ruby;

use std::cmp::Ordering;
use std::str::FromStr;

use oversight_model::Ecosystem;

/// A version ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Semantic Versioning 2.0 (crates.io, npm, Pub, Hex and OSV `SEMVER`
    /// ranges); a leading `v` is accepted and build metadata is ignored.
    Semver,
    /// Go modules: semver with a leading `v`; pseudo-versions are
    /// prereleases and `+incompatible` is build metadata.
    Go,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven `ComparableVersion`.
    Maven,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// NuGet: up to four numeric parts, case-insensitive prerelease labels.
    NuGet,
    /// Composer (Packagist): normalised versions compared as PHP's
    /// `version_compare` does.
    Composer,
    /// Best-effort dotted ordering for ecosystems without a specification
    /// (ConanCenter).
    Generic,
}

impl Scheme {
    /// The ordering of an OSV `ECOSYSTEM` range for this ecosystem.
    pub fn for_ecosystem(ecosystem: Ecosystem) -> Scheme {
        match ecosystem {
            Ecosystem::CratesIo | Ecosystem::Npm | Ecosystem::Pub | Ecosystem::Hex => {
                Scheme::Semver
            }
            Ecosystem::Go => Scheme::Go,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Packagist => Scheme::Composer,
            Ecosystem::ConanCenter => Scheme::Generic,
        }
    }

    /// Parses `text` under this ordering; the error says why it is not a
    /// version of this scheme.
    pub fn parse(self, text: &str) -> Result<Version, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty version".into());
        }
        match self {
            Scheme::Semver | Scheme::Go => parse_semver(text).map(Version::Semver),
            Scheme::Pep440 => pep440_rs::Version::from_str(text)
                .map(Version::Pep440)
                .map_err(|e| format!("not a PEP 440 version: {e}")),
            Scheme::Maven => Ok(Version::Maven(maven::MavenVersion::parse(text))),
            Scheme::RubyGems => ruby::GemVersion::parse(text).map(Version::RubyGems),
            Scheme::NuGet => nuget::NuGetVersion::parse(text).map(Version::NuGet),
            Scheme::Composer => composer::ComposerVersion::parse(text).map(Version::Composer),
            Scheme::Generic => generic::GenericVersion::parse(text).map(Version::Generic),
        }
    }

    /// Compares two version strings under this ordering.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, String> {
        let a = self.parse(a)?;
        let b = self.parse(b)?;
        a.compare(&b)
            .ok_or_else(|| "versions of different schemes".into())
    }
}

/// A version parsed under one [`Scheme`].
#[derive(Debug, Clone)]
pub enum Version {
    /// Semver and Go.
    Semver(semver::Version),
    /// PyPI.
    Pep440(pep440_rs::Version),
    /// Maven.
    Maven(maven::MavenVersion),
    /// RubyGems.
    RubyGems(ruby::GemVersion),
    /// NuGet.
    NuGet(nuget::NuGetVersion),
    /// Packagist.
    Composer(composer::ComposerVersion),
    /// ConanCenter and others.
    Generic(generic::GenericVersion),
}

impl Version {
    /// Orders two versions of the same scheme; `None` when the schemes differ.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => a.cmp(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::RubyGems(a), Version::RubyGems(b)) => a.cmp(b),
            (Version::NuGet(a), Version::NuGet(b)) => a.cmp(b),
            (Version::Composer(a), Version::Composer(b)) => a.cmp(b),
            (Version::Generic(a), Version::Generic(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

/// Strict semver 2.0 with two tolerances seen in real advisories and
/// lockfiles: a leading `v` (Go, some npm ranges) and a missing minor or
/// patch (`1.2` = `1.2.0`). Build metadata is cleared because semver
/// precedence ignores it (the `semver` crate's `Ord` does not).
pub(crate) fn parse_semver(text: &str) -> Result<semver::Version, String> {
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let mut v = match semver::Version::parse(text) {
        Ok(v) => v,
        Err(first) => {
            let core_end = text.find(['-', '+']).unwrap_or(text.len());
            let (core, rest) = text.split_at(core_end);
            let parts = core.split('.').count();
            let padded = match parts {
                1 => format!("{core}.0.0{rest}"),
                2 => format!("{core}.0{rest}"),
                _ => return Err(format!("not a semantic version: {first}")),
            };
            semver::Version::parse(&padded)
                .map_err(|_| format!("not a semantic version: {first}"))?
        }
    };
    v.build = semver::BuildMetadata::EMPTY;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(scheme: Scheme, chain: &[&str]) {
        for pair in chain.windows(2) {
            assert_eq!(
                scheme.compare(pair[0], pair[1]),
                Ok(Ordering::Less),
                "{scheme:?}: {} < {}",
                pair[0],
                pair[1]
            );
            assert_eq!(scheme.compare(pair[1], pair[0]), Ok(Ordering::Greater));
        }
    }

    #[test]
    fn pep440_orders_dev_pre_post_and_epochs() {
        lt(
            Scheme::Pep440,
            &["1.0.dev1", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"],
        );
        lt(Scheme::Pep440, &["2.0", "1!0.1"]);
        lt(Scheme::Pep440, &["1.0", "1.0+local", "1.0.post1"]);
        assert_eq!(Scheme::Pep440.compare("1.0", "1.0.0"), Ok(Ordering::Equal));
        assert_eq!(
            Scheme::Pep440.compare("1.0.0a1", "1.0.0alpha1"),
            Ok(Ordering::Equal)
        );
        assert!(Scheme::Pep440.parse("not a version").is_err());
    }

    #[test]
    fn semver_orders_prereleases_and_ignores_build() {
        lt(
            Scheme::Semver,
            &[
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
            ],
        );
        assert_eq!(
            Scheme::Semver.compare("1.0.0+build.1", "1.0.0"),
            Ok(Ordering::Equal)
        );
        assert_eq!(Scheme::Semver.compare("v1.2", "1.2.0"), Ok(Ordering::Equal));
        assert!(Scheme::Semver.parse("1.2.3.4").is_err());
        assert!(Scheme::Semver.parse("latest").is_err());
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let schemes = [
            Scheme::Semver,
            Scheme::Go,
            Scheme::Pep440,
            Scheme::Maven,
            Scheme::RubyGems,
            Scheme::NuGet,
            Scheme::Composer,
            Scheme::Generic,
        ];
        let inputs = [
            "",
            " ",
            ".",
            "-",
            "..",
            "--",
            "1..",
            "-1",
            "v",
            "V-",
            "1.0-",
            "1.0+",
            "+",
            "ü.1",
            "1.ü",
            "1-ü",
            "1.0.0-é",
            "99999999999999999999999999.1",
            "1.0.0-99999999999999999999999",
            "0x10",
            "1_000",
            "1.0\n2.0",
            "1.0\u{0}",
            "1!",
            "!1",
            "1.0.post",
            "1.0-SNAPSHOT-",
            "1a-b.c_d+e",
            "\u{202e}1.0",
        ];
        for scheme in schemes {
            for a in inputs {
                for b in ["1.0", "1.0.0-alpha", a] {
                    let _ = scheme.compare(a, b);
                }
            }
        }
    }

    #[test]
    fn go_pseudo_versions_are_prereleases() {
        lt(
            Scheme::Go,
            &[
                "v0.0.0-20190101000000-abcdef123456",
                "v0.0.0-20210101000000-abcdef123456",
                "v0.1.0",
                "v1.2.3",
                "v1.2.4-0.20210101000000-abcdef123456",
                "v1.2.4",
            ],
        );
        assert_eq!(
            Scheme::Go.compare("v2.0.0+incompatible", "2.0.0"),
            Ok(Ordering::Equal)
        );
    }
}
