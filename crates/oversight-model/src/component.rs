//! Third-party components found in a delivery: what lockfiles, manifests and
//! vendored package metadata say the delivery is built from.
//!
//! Components are facts, not findings: the inventory feeds the SBOM, the
//! advisory matcher and the licence policy, each of which raises its own
//! findings.

use std::fmt;

use crate::DeliveryPath;

/// A package ecosystem, named as OSV names it so that advisory lookups need
/// no translation table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Rust crates (`crates.io`).
    CratesIo,
    /// JavaScript packages (`npm`), also for yarn, pnpm and bun lockfiles.
    Npm,
    /// Python packages (`PyPI`).
    PyPI,
    /// Go modules (`Go`).
    Go,
    /// Java and JVM artefacts (`Maven`), also for Gradle.
    Maven,
    /// PHP packages (`Packagist`).
    Packagist,
    /// Ruby gems (`RubyGems`).
    RubyGems,
    /// .NET packages (`NuGet`).
    NuGet,
    /// Dart and Flutter packages (`Pub`).
    Pub,
    /// Erlang and Elixir packages (`Hex`).
    Hex,
    /// C and C++ packages from Conan (`ConanCenter`).
    ConanCenter,
}

impl Ecosystem {
    /// Every ecosystem.
    pub const ALL: [Ecosystem; 11] = [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::Maven,
        Ecosystem::Packagist,
        Ecosystem::RubyGems,
        Ecosystem::NuGet,
        Ecosystem::Pub,
        Ecosystem::Hex,
        Ecosystem::ConanCenter,
    ];

    /// The ecosystem's name in OSV advisories.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hex => "Hex",
            Ecosystem::ConanCenter => "ConanCenter",
        }
    }

    /// The package-URL type (`pkg:<type>/…`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Packagist => "composer",
            Ecosystem::RubyGems => "gem",
            Ecosystem::NuGet => "nuget",
            Ecosystem::Pub => "pub",
            Ecosystem::Hex => "hex",
            Ecosystem::ConanCenter => "conan",
        }
    }

    /// Parses an OSV ecosystem name; OSV suffixes such as `Debian:12` or
    /// `npm:...` are not ecosystems of this enum and return `None`.
    pub fn from_osv_name(name: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.osv_name() == name)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// Whether the delivery asks for a component itself or gets it through another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Directness {
    /// Named by the project's own manifest.
    Direct,
    /// Pulled in by another component.
    Transitive,
    /// The lockfile does not say (e.g. `requirements.txt`, `go.sum`).
    Unknown,
}

/// What kind of dependency it is, where the lockfile records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Shipped or needed at run time.
    Runtime,
    /// Needed only to develop, build or test.
    Development,
    /// Optional or an extra.
    Optional,
    /// Not recorded.
    Unknown,
}

/// A content hash a lockfile records for a component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentHash {
    /// Algorithm as CycloneDX spells it: `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`, `MD5`.
    pub algorithm: &'static str,
    /// Lowercase hex digest.
    pub hex: String,
}

/// One third-party component at one version, as one file of the delivery
/// records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Component {
    /// The package ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it (`serde`, `@babel/core`, `org.slf4j:slf4j-api`
    /// for Maven as `group:artifact`, `github.com/x/y` for Go).
    pub name: String,
    /// The exact version as written in the lockfile. Empty when a manifest
    /// declares the component without pinning it.
    pub version: String,
    /// Package URL (`pkg:cargo/serde@1.0.0`).
    pub purl: String,
    /// Direct or transitive.
    pub directness: Directness,
    /// Runtime or development.
    pub scope: Scope,
    /// The file that records the component.
    pub source: DeliveryPath,
    /// 1-based line in `source` where the component is recorded, when known.
    pub line: Option<u32>,
    /// Content hashes the lockfile records.
    pub hashes: Vec<ComponentHash>,
    /// Declared licence, as an SPDX expression when it is one, otherwise as written.
    pub license: Option<String>,
    /// Names (with versions where the lockfile says) of the components this
    /// one depends on, as `name@version` or `name`.
    pub depends_on: Vec<String>,
}

impl Component {
    /// `name@version`, the key dependency edges use.
    pub fn key(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}
