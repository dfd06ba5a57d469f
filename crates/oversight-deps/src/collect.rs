//! What every parser writes into: components deduplicated by
//! (name, version) with merged facts, and the problems met on the way.

use std::borrow::Cow;
use std::collections::HashMap;

use oversight_model::{
    Component, ComponentHash, DeliveryPath, DependencyScope, Directness, Ecosystem,
};

use crate::{Format, Parsed, Problem, purl};

/// A component as a parser sees it, before deduplication.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub version: String,
    pub directness: Directness,
    pub scope: DependencyScope,
    pub line: Option<u32>,
    pub hashes: Vec<ComponentHash>,
    pub license: Option<String>,
    pub depends_on: Vec<String>,
    /// Package-URL qualifiers beyond type, name and version.
    pub qualifiers: Vec<(&'static str, String)>,
}

impl Entry {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Entry {
            name: name.into(),
            version: version.into(),
            directness: Directness::Unknown,
            scope: DependencyScope::Unknown,
            line: None,
            hashes: Vec::new(),
            license: None,
            depends_on: Vec::new(),
            qualifiers: Vec::new(),
        }
    }

    pub fn directness(mut self, d: Directness) -> Self {
        self.directness = d;
        self
    }

    pub fn scope(mut self, s: DependencyScope) -> Self {
        self.scope = s;
        self
    }

    pub fn line(mut self, line: Option<u32>) -> Self {
        self.line = line;
        self
    }

    /// The declared licence, normalised to an SPDX expression where the
    /// declaration can be mapped without guessing (see
    /// `oversight_licenses::declared`), otherwise as written.
    pub fn license(mut self, license: Option<String>) -> Self {
        self.license = license
            .map(|l| oversight_licenses::declared::normalise(&l))
            .filter(|l| !l.is_empty());
        self
    }

    pub fn depends_on(mut self, deps: Vec<String>) -> Self {
        self.depends_on = deps;
        self
    }

    pub fn hash(mut self, hash: Option<ComponentHash>) -> Self {
        self.hashes.extend(hash);
        self
    }
}

/// How much a scope says about shipping: merged entries keep the strongest.
fn scope_rank(s: DependencyScope) -> u8 {
    match s {
        DependencyScope::Runtime => 3,
        DependencyScope::Optional => 2,
        DependencyScope::Development => 1,
        DependencyScope::Unknown => 0,
    }
}

fn directness_rank(d: Directness) -> u8 {
    match d {
        Directness::Direct => 2,
        Directness::Transitive => 1,
        Directness::Unknown => 0,
    }
}

/// The stronger of two scopes (runtime over optional over development).
pub(crate) fn stronger_scope(a: DependencyScope, b: DependencyScope) -> DependencyScope {
    if scope_rank(b) > scope_rank(a) { b } else { a }
}

pub(crate) struct Out {
    pub source: DeliveryPath,
    pub file: String,
    pub format: Format,
    pub ecosystem: Ecosystem,
    components: Vec<Component>,
    index: HashMap<(String, String), usize>,
    pub problems: Vec<Problem>,
    bad_entries: usize,
}

/// Skipped entries listed one by one; beyond this a file is mostly not
/// what its name says, and one summary stands for the rest.
const MAX_BAD_ENTRIES: usize = 50;

impl Out {
    pub fn new(path: &DeliveryPath, format: Format) -> Self {
        Out {
            source: path.clone(),
            file: path.to_string(),
            format,
            ecosystem: ecosystem_of(format),
            components: Vec::new(),
            index: HashMap::new(),
            problems: Vec::new(),
            bad_entries: 0,
        }
    }

    /// The text of the file: a BOM removed; invalid UTF-8 is a problem and
    /// is read lossily so that the rest of the file still counts.
    pub fn decode<'a>(&mut self, content: &'a [u8]) -> Option<Cow<'a, str>> {
        let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
        match std::str::from_utf8(content) {
            Ok(text) => Some(Cow::Borrowed(text)),
            Err(e) => {
                let line = crate::lines::line_at(content, e.valid_up_to());
                self.malformed(
                    Some(line),
                    format!(
                        "Not valid UTF-8 at byte {}; read with replacement characters",
                        e.valid_up_to()
                    ),
                );
                Some(String::from_utf8_lossy(content))
            }
        }
    }

    pub fn malformed(&mut self, line: Option<u32>, reason: impl Into<String>) {
        self.problems.push(Problem::Malformed {
            file: self.file.clone(),
            format: self.format,
            line,
            reason: reason.into(),
        });
    }

    pub fn unknown_version(&mut self, version: impl Into<String>) {
        self.problems.push(Problem::UnknownVersion {
            file: self.file.clone(),
            format: self.format,
            version: version.into(),
        });
    }

    pub fn bad_entry(
        &mut self,
        line: Option<u32>,
        entry: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.bad_entries += 1;
        if self.bad_entries > MAX_BAD_ENTRIES {
            return;
        }
        self.problems.push(Problem::BadEntry {
            file: self.file.clone(),
            line,
            entry: crate::lines::clip(&entry.into(), 200),
            reason: reason.into(),
        });
    }

    pub fn unversioned(&mut self, line: Option<u32>, name: &str, detail: impl Into<String>) {
        self.problems.push(Problem::Unversioned {
            file: self.file.clone(),
            line,
            name: name.to_owned(),
            detail: crate::lines::clip(&detail.into(), 200),
        });
    }

    pub fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Adds a component, or merges it into the one of the same name and
    /// version already recorded.
    pub fn add(&mut self, entry: Entry) {
        if entry.name.is_empty() {
            return;
        }
        let key = (entry.name.clone(), entry.version.clone());
        if let Some(&i) = self.index.get(&key) {
            let c = &mut self.components[i];
            if directness_rank(entry.directness) > directness_rank(c.directness) {
                c.directness = entry.directness;
            }
            c.scope = stronger_scope(c.scope, entry.scope);
            c.line = match (c.line, entry.line) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            for h in entry.hashes {
                if !c.hashes.contains(&h) {
                    c.hashes.push(h);
                }
            }
            if c.license.is_none() {
                c.license = entry.license;
            }
            for d in entry.depends_on {
                if !c.depends_on.contains(&d) {
                    c.depends_on.push(d);
                }
            }
            return;
        }
        let purl = purl::build(
            self.ecosystem,
            &entry.name,
            &entry.version,
            &entry.qualifiers,
        );
        let mut depends_on: Vec<String> = Vec::with_capacity(entry.depends_on.len());
        for d in entry.depends_on {
            if !depends_on.contains(&d) {
                depends_on.push(d);
            }
        }
        let mut hashes: Vec<ComponentHash> = Vec::with_capacity(entry.hashes.len());
        for h in entry.hashes {
            if !hashes.contains(&h) {
                hashes.push(h);
            }
        }
        self.index.insert(key, self.components.len());
        self.components.push(Component {
            ecosystem: self.ecosystem,
            name: entry.name,
            version: entry.version,
            purl,
            directness: entry.directness,
            scope: entry.scope,
            source: self.source.clone(),
            line: entry.line,
            hashes,
            license: entry.license,
            depends_on,
        });
    }

    pub fn finish(mut self) -> Parsed {
        // A file of which no entry could be read is not what its name says.
        let malformed = self
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Malformed { .. }));
        if self.components.is_empty() && self.bad_entries > 0 && !malformed {
            let first = self.problems.iter().find_map(|p| match p {
                Problem::BadEntry { line, .. } => Some(*line),
                _ => None,
            });
            self.problems.insert(
                0,
                Problem::Malformed {
                    file: self.file.clone(),
                    format: self.format,
                    line: first.flatten(),
                    reason: format!(
                        "None of its entries could be read ({} skipped)",
                        self.bad_entries
                    ),
                },
            );
        }
        if self.bad_entries > MAX_BAD_ENTRIES {
            let more = self.bad_entries - MAX_BAD_ENTRIES;
            self.problems.push(Problem::BadEntry {
                file: self.file.clone(),
                line: None,
                entry: format!("{more} more entries"),
                reason: format!("more than {MAX_BAD_ENTRIES} entries could not be read; only the first are listed"),
            });
        }
        Parsed {
            components: self.components,
            problems: self.problems,
        }
    }
}

fn ecosystem_of(format: Format) -> Ecosystem {
    match format {
        Format::CargoLock | Format::VendoredCargoToml => Ecosystem::CratesIo,
        Format::NpmLock | Format::YarnLock | Format::PnpmLock | Format::NodeModulesPackage => {
            Ecosystem::Npm
        }
        Format::Requirements
        | Format::PoetryLock
        | Format::PipfileLock
        | Format::UvLock
        | Format::PdmLock
        | Format::PythonMetadata => Ecosystem::PyPI,
        Format::GoMod | Format::GoSum => Ecosystem::Go,
        Format::ComposerLock | Format::ComposerInstalled => Ecosystem::Packagist,
        Format::GemfileLock | Format::Gemspec => Ecosystem::RubyGems,
        Format::PomXml | Format::GradleLockfile => Ecosystem::Maven,
        Format::NugetLock | Format::Nuspec => Ecosystem::NuGet,
        Format::PubspecLock => Ecosystem::Pub,
        Format::MixLock => Ecosystem::Hex,
        Format::ConanLock => Ecosystem::ConanCenter,
    }
}

/// A hash from an algorithm name as lockfiles spell it and a hex digest;
/// `None` when the digest is not hex of the algorithm's length.
pub(crate) fn hex_hash(algorithm: &str, hex: &str) -> Option<ComponentHash> {
    const ALGORITHMS: [(&str, &str, &str, usize); 5] = [
        ("sha1", "sha-1", "SHA-1", 40),
        ("sha256", "sha-256", "SHA-256", 64),
        ("sha384", "sha-384", "SHA-384", 96),
        ("sha512", "sha-512", "SHA-512", 128),
        ("md5", "md-5", "MD5", 32),
    ];
    let (_, _, name, len) = ALGORITHMS.iter().copied().find(|(a, b, _, _)| {
        algorithm.eq_ignore_ascii_case(a) || algorithm.eq_ignore_ascii_case(b)
    })?;
    let hex = hex.trim();
    (hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| ComponentHash {
        algorithm: name,
        hex: hex.to_ascii_lowercase(),
    })
}

/// A hash from a Subresource-Integrity string (`sha512-<base64>`), the form
/// npm, yarn and pnpm record. Several space-separated values give several.
pub(crate) fn sri_hashes(integrity: &str) -> Vec<ComponentHash> {
    use base64::Engine;
    integrity
        .split_whitespace()
        .filter_map(|one| {
            let (alg, b64) = one.split_once('-')?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            hex_hash(alg, &to_hex(&bytes))
        })
        .collect()
}

/// A hash from base64 of the raw digest (NuGet `contentHash`).
pub(crate) fn base64_hash(algorithm: &str, b64: &str) -> Option<ComponentHash> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    hex_hash(algorithm, &to_hex(&bytes))
}

fn to_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// `name@version`, or `name` when the version is unknown.
pub(crate) fn dep_key(name: &str, version: &str) -> String {
    if version.is_empty() {
        name.to_owned()
    } else {
        format!("{name}@{version}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_decodes_to_hex() {
        // sha1 of the empty string, base64.
        let h = sri_hashes("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
        assert_eq!(h[0].algorithm, "SHA-1");
        assert_eq!(h[0].hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert!(sri_hashes("sha512-notbase64!").is_empty());
    }

    #[test]
    fn hex_hash_checks_length() {
        assert!(hex_hash("sha256", "123").is_none());
        assert!(hex_hash("sha256", &"A".repeat(64)).is_some());
    }
}
