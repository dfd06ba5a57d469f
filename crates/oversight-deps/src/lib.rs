//! The component inventory of a delivery: every common lockfile, manifest and
//! vendored package's metadata parsed into [`oversight_model::Component`]s.
//!
//! A supplier's delivery says what it is built from in many dialects
//! (`Cargo.lock`, `package-lock.json`, `yarn.lock`, `go.mod`, `pom.xml`, a
//! `*.dist-info/METADATA` of a vendored Python package …). This crate reads
//! them all into one vocabulary so that the SBOM, the advisory matcher and the
//! licence policy never see a file format.
//!
//! * [`format_of`] / [`recognises`] decide from the path alone whether a file
//!   is one this crate parses (the engine then hands it over whole);
//! * [`parse`] turns its bytes into a [`Parsed`]: components plus
//!   [`Problem`]s, because broken input is data, never a panic;
//! * [`DependencyDetector`] plugs both into the scan engine: components go to
//!   [`oversight_detect::Sink::component`], problems become findings of the
//!   rules in [`rules`].
//!
//! ```
//! use oversight_deps::parse;
//! use oversight_model::{DeliveryPath, Directness};
//!
//! let lock = b"# yarn lockfile v1\n\nleft-pad@^1.3.0:\n  version \"1.3.0\"\n";
//! let parsed = parse(&DeliveryPath::root("web/yarn.lock"), lock).unwrap();
//! assert_eq!(parsed.components[0].purl, "pkg:npm/left-pad@1.3.0");
//! assert_eq!(parsed.components[0].line, Some(3));
//! assert_eq!(parsed.components[0].directness, Directness::Unknown);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cargo_lock;
mod collect;
mod composer;
mod conan;
mod detector;
mod gemspec;
mod go;
mod gradle;
mod lines;
mod maven;
mod mix;
mod npm;
mod nuget;
mod pnpm;
mod pub_dart;
pub mod purl;
mod python;
mod ruby;
pub mod rules;
mod vendored;
mod yarn;

use std::fmt;

use oversight_model::{Component, DeliveryPath, Rule};

pub use detector::{DependencyDetector, WHOLE_FILE_LIMIT};
pub use rules::ALL as RULES;

/// A file format this crate parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `Cargo.lock`, versions 1 to 4.
    CargoLock,
    /// `package-lock.json`, `npm-shrinkwrap.json` and `node_modules/.package-lock.json`, versions 1 to 3.
    NpmLock,
    /// `yarn.lock`, classic (v1) and berry (YAML with `__metadata`).
    YarnLock,
    /// `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
    PnpmLock,
    /// pip requirements files (`requirements*.txt`, `*-requirements.txt`, `constraints*.txt`).
    Requirements,
    /// `poetry.lock`.
    PoetryLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `uv.lock`.
    UvLock,
    /// `pdm.lock`.
    PdmLock,
    /// `go.mod`.
    GoMod,
    /// `go.sum`.
    GoSum,
    /// `composer.lock`.
    ComposerLock,
    /// `Gemfile.lock` and `gems.locked`.
    GemfileLock,
    /// `pom.xml`.
    PomXml,
    /// Gradle dependency locks (`gradle.lockfile`, `*.lockfile`).
    GradleLockfile,
    /// NuGet `packages.lock.json`.
    NugetLock,
    /// `pubspec.lock`.
    PubspecLock,
    /// `mix.lock`.
    MixLock,
    /// `conan.lock`, versions 0.1 to 0.5.
    ConanLock,
    /// A vendored npm package's `node_modules/<name>/package.json`.
    NodeModulesPackage,
    /// A vendored Python distribution's `*.dist-info/METADATA` or `*.egg-info/PKG-INFO`.
    PythonMetadata,
    /// A vendored crate's `Cargo.toml` (under `vendor/`, `third_party/`, `third-party/` or in a `.crate`).
    VendoredCargoToml,
    /// Composer's `vendor/composer/installed.json`: what was installed into `vendor/`.
    ComposerInstalled,
    /// A vendored gem's `*.gemspec` (under `specifications/`, `gems/`, `vendor/`, `third_party/`).
    Gemspec,
    /// A vendored NuGet package's `*.nuspec` (in a `.nupkg`, or under `packages/`, `vendor/`, `third_party/`).
    Nuspec,
}

impl Format {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::CargoLock => "Cargo.lock",
            Format::NpmLock => "package-lock.json",
            Format::YarnLock => "yarn.lock",
            Format::PnpmLock => "pnpm-lock.yaml",
            Format::Requirements => "requirements file",
            Format::PoetryLock => "poetry.lock",
            Format::PipfileLock => "Pipfile.lock",
            Format::UvLock => "uv.lock",
            Format::PdmLock => "pdm.lock",
            Format::GoMod => "go.mod",
            Format::GoSum => "go.sum",
            Format::ComposerLock => "composer.lock",
            Format::GemfileLock => "Gemfile.lock",
            Format::PomXml => "pom.xml",
            Format::GradleLockfile => "Gradle lockfile",
            Format::NugetLock => "NuGet packages.lock.json",
            Format::PubspecLock => "pubspec.lock",
            Format::MixLock => "mix.lock",
            Format::ConanLock => "conan.lock",
            Format::NodeModulesPackage => "vendored package.json",
            Format::PythonMetadata => "Python package metadata",
            Format::VendoredCargoToml => "vendored Cargo.toml",
            Format::ComposerInstalled => "Composer installed.json",
            Format::Gemspec => "gemspec",
            Format::Nuspec => "nuspec",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one file yields: its components and what could not be read cleanly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Components in file order, each (ecosystem, name, version) once.
    pub components: Vec<Component>,
    /// Everything that kept the inventory from being complete and exact.
    pub problems: Vec<Problem>,
}

/// Something in a file that keeps its inventory from being complete and
/// exact. Each becomes one finding; nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The file could not be parsed at all (or stopped being parseable).
    #[error("Cannot parse {file} as {format}{}: {reason}", at(*.line))]
    Malformed {
        /// The file.
        file: String,
        /// The format it was read as.
        format: Format,
        /// 1-based line of the error, when the parser says.
        line: Option<u32>,
        /// The parser's error.
        reason: String,
    },
    /// A lockfile version this parser does not know; read best-effort.
    #[error(
        "Unknown {format} version `{version}` in {file}: read as the closest known version, components may be missing"
    )]
    UnknownVersion {
        /// The file.
        file: String,
        /// The format.
        format: Format,
        /// The version as written.
        version: String,
    },
    /// One entry of an otherwise readable file could not be read.
    #[error("Entry `{entry}` of {file}{} skipped: {reason}", at(*.line))]
    BadEntry {
        /// The file.
        file: String,
        /// 1-based line, when known.
        line: Option<u32>,
        /// The entry as written (key, line or name).
        entry: String,
        /// Why it could not be read.
        reason: String,
    },
    /// A dependency recorded without an exact version (a range, a URL, a git
    /// commit, a version managed elsewhere).
    #[error("No exact version for `{name}` in {file}{}: {detail}", at(*.line))]
    Unversioned {
        /// The file.
        file: String,
        /// 1-based line, when known.
        line: Option<u32>,
        /// The dependency's name.
        name: String,
        /// What the file says instead of a version.
        detail: String,
    },
    /// A `${property}` of a pom.xml that the file does not define.
    #[error("Unresolved property `${{{property}}}` in the version of `{name}` in {file}{}", at(*.line))]
    UnresolvedProperty {
        /// The file.
        file: String,
        /// 1-based line, when known.
        line: Option<u32>,
        /// The dependency (`group:artifact`).
        name: String,
        /// The property name.
        property: String,
    },
    /// The file includes another one (`-r other.txt`), read where it is scanned.
    #[error(
        "Requirements file {file}{} includes `{target}` ({option}): its components are listed only if that file is part of the delivery",
        at(*.line)
    )]
    Include {
        /// The file.
        file: String,
        /// 1-based line.
        line: Option<u32>,
        /// The option (`-r`, `-c`, `--requirement` …).
        option: String,
        /// The included path as written.
        target: String,
    },
}

fn at(line: Option<u32>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

impl Problem {
    /// The rule the finding for this problem belongs to.
    pub fn rule(&self) -> &'static Rule {
        match self {
            Problem::Malformed { .. } => &rules::LOCKFILE_MALFORMED,
            Problem::UnknownVersion { .. } => &rules::LOCKFILE_VERSION_UNKNOWN,
            Problem::BadEntry { .. } => &rules::LOCKFILE_ENTRY_SKIPPED,
            Problem::Unversioned { .. } => &rules::DEPENDENCY_UNVERSIONED,
            Problem::UnresolvedProperty { .. } => &rules::UNRESOLVED_PROPERTY,
            Problem::Include { .. } => &rules::REQUIREMENTS_INCLUDE,
        }
    }

    /// 1-based line the problem is about, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            Problem::Malformed { line, .. }
            | Problem::BadEntry { line, .. }
            | Problem::Unversioned { line, .. }
            | Problem::UnresolvedProperty { line, .. }
            | Problem::Include { line, .. } => *line,
            Problem::UnknownVersion { .. } => None,
        }
    }

    /// The content the finding's fingerprint binds to: what is wrong, never
    /// where, so that edits elsewhere keep the fingerprint.
    pub fn key(&self) -> String {
        match self {
            Problem::Malformed { format, reason, .. } => format!("{format}:{reason}"),
            Problem::UnknownVersion {
                format, version, ..
            } => format!("{format}:{version}"),
            Problem::BadEntry { entry, .. } => entry.clone(),
            Problem::Unversioned { name, detail, .. } => format!("{name}:{detail}"),
            Problem::UnresolvedProperty { name, property, .. } => format!("{name}:{property}"),
            Problem::Include { option, target, .. } => format!("{option} {target}"),
        }
    }
}

/// The format of the file at `path`, decided from its name (and, for
/// vendored package metadata, its directory) alone.
pub fn format_of(path: &DeliveryPath) -> Option<Format> {
    format_named(path.file_name(), path)
}

fn format_named(name: &str, path: &DeliveryPath) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let format = match name {
        "Cargo.lock" => Format::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" | ".package-lock.json" => Format::NpmLock,
        "yarn.lock" => Format::YarnLock,
        "pnpm-lock.yaml" => Format::PnpmLock,
        "poetry.lock" => Format::PoetryLock,
        "Pipfile.lock" => Format::PipfileLock,
        "uv.lock" => Format::UvLock,
        "pdm.lock" => Format::PdmLock,
        "go.mod" => Format::GoMod,
        "go.sum" => Format::GoSum,
        "composer.lock" => Format::ComposerLock,
        "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
        "pom.xml" => Format::PomXml,
        "packages.lock.json" => Format::NugetLock,
        "pubspec.lock" => Format::PubspecLock,
        "mix.lock" => Format::MixLock,
        "conan.lock" => Format::ConanLock,
        "package.json" if vendored::is_node_modules_package(path) => Format::NodeModulesPackage,
        "METADATA" | "PKG-INFO" if vendored::is_python_metadata(path) => Format::PythonMetadata,
        "Cargo.toml" if vendored::is_vendored_crate(path) => Format::VendoredCargoToml,
        "installed.json" if vendored::is_composer_installed(path) => Format::ComposerInstalled,
        _ if lower.ends_with(".gemspec") && vendored::is_vendored_gemspec(path) => Format::Gemspec,
        _ if lower.ends_with(".nuspec") && vendored::is_vendored_nuspec(path) => Format::Nuspec,
        _ if lower.ends_with(".lockfile") => Format::GradleLockfile,
        _ if python::is_requirements_name(&lower) => Format::Requirements,
        _ => return None,
    };
    Some(format)
}

/// Whether this crate parses the file `file_name` at `path` (the engine asks
/// for such files whole). `file_name` is the path's last component.
pub fn recognises(file_name: &str, path: &DeliveryPath) -> bool {
    format_named(file_name, path).is_some()
}

/// Parses `content` as the file at `path`; `None` when the name is not one
/// this crate knows.
pub fn parse(path: &DeliveryPath, content: &[u8]) -> Option<Parsed> {
    format_of(path).map(|format| parse_as(format, path, content))
}

/// Parses `content` as `format`, whatever the file is called (for tests and
/// for callers that know better than the file name).
pub fn parse_as(format: Format, path: &DeliveryPath, content: &[u8]) -> Parsed {
    let mut out = collect::Out::new(path, format);
    let Some(text) = out.decode(content) else {
        return out.finish();
    };
    if text.trim().is_empty() {
        // An empty file lists nothing; there is nothing to miss.
        return out.finish();
    }
    match format {
        Format::CargoLock => cargo_lock::parse(&text, &mut out),
        Format::NpmLock => npm::parse_lock(&text, &mut out),
        Format::YarnLock => yarn::parse(&text, &mut out),
        Format::PnpmLock => pnpm::parse(&text, &mut out),
        Format::Requirements => python::parse_requirements(&text, &mut out),
        Format::PoetryLock => python::parse_poetry(&text, &mut out),
        Format::PipfileLock => python::parse_pipfile(&text, &mut out),
        Format::UvLock => python::parse_uv(&text, &mut out),
        Format::PdmLock => python::parse_pdm(&text, &mut out),
        Format::GoMod => go::parse_mod(&text, &mut out),
        Format::GoSum => go::parse_sum(&text, &mut out),
        Format::ComposerLock => composer::parse(&text, &mut out),
        Format::GemfileLock => ruby::parse(&text, &mut out),
        Format::PomXml => maven::parse(&text, &mut out),
        Format::GradleLockfile => gradle::parse(&text, &mut out),
        Format::NugetLock => nuget::parse(&text, &mut out),
        Format::PubspecLock => pub_dart::parse(&text, &mut out),
        Format::MixLock => mix::parse(&text, &mut out),
        Format::ConanLock => conan::parse(&text, &mut out),
        Format::NodeModulesPackage => vendored::parse_package_json(&text, &mut out),
        Format::PythonMetadata => vendored::parse_python_metadata(&text, &mut out),
        Format::VendoredCargoToml => vendored::parse_cargo_toml(&text, &mut out),
        Format::ComposerInstalled => composer::parse_installed(&text, &mut out),
        Format::Gemspec => gemspec::parse(&text, &mut out),
        Format::Nuspec => nuget::parse_nuspec(&text, &mut out),
    }
    out.finish()
}
