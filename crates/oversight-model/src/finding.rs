//! One finding: a rule, a place, a message and a fingerprint to bind waivers to.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::{Category, DeliveryPath, Rule, Severity};

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, possibly inside archives.
    pub path: DeliveryPath,
    /// 1-based line, when the finding is about text.
    pub line: Option<u32>,
    /// 1-based column in Unicode scalar values, when the finding is about text.
    pub column: Option<u32>,
}

impl Location {
    /// A location naming a whole file.
    pub fn file(path: DeliveryPath) -> Self {
        Location {
            path,
            line: None,
            column: None,
        }
    }
}

/// A short excerpt showing why the finding was raised.
///
/// Detectors of secrets put only a redacted form here; `redacted` tells
/// consumers the text is not the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The excerpt, at most a few hundred characters, invisible characters
    /// made visible.
    pub snippet: String,
    /// Whether the excerpt was redacted.
    pub redacted: bool,
}

/// A share from 0 to 1 (a licence match's coverage), kept in ten-thousandths
/// so that findings stay comparable for equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Share(u16);

impl Share {
    /// The share nearest to `value`, clamped to 0..=1 (NaN is 0).
    pub fn new(value: f32) -> Self {
        let clamped = if value.is_nan() {
            0.0
        } else {
            value.clamp(0.0, 1.0)
        };
        Share((clamped * 10_000.0).round() as u16)
    }

    /// The share, 0 to 1.
    pub fn value(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

/// How a licence was stated where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LicenceKind {
    /// A full licence or exception text.
    Text,
    /// A notice that grants the licence ("Licensed under the Apache
    /// License, Version 2.0").
    Notice,
    /// A reference to a licence stated elsewhere ("see LICENSE", a README's
    /// licence section).
    Reference,
    /// An `SPDX-License-Identifier` tag.
    Tag,
    /// Declared in package metadata (a component's declared licence).
    Metadata,
}

impl LicenceKind {
    /// The kind's name: `text`, `notice`, `reference`, `tag`, `metadata`.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceKind::Text => "text",
            LicenceKind::Notice => "notice",
            LicenceKind::Reference => "reference",
            LicenceKind::Tag => "tag",
            LicenceKind::Metadata => "metadata",
        }
    }
}

/// What a licence finding found, as data: the licence, how it was stated,
/// where, and how much of the rule and of the region matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceMatch {
    /// The SPDX expression, or the name as written when it maps to none
    /// (the finding's rule then says it is unknown).
    pub expression: String,
    /// How it was stated.
    pub kind: LicenceKind,
    /// The region: first and last line, 1-based, inclusive; `None` when the
    /// licence is not about lines (a component's metadata).
    pub lines: Option<(u32, u32)>,
    /// The share of the rule (the licence text or notice) the region holds.
    pub rule_coverage: Share,
    /// The share of the region that is the rule.
    pub region_coverage: Share,
}

/// A stable identity for a finding, independent of run, machine and line number.
///
/// It hashes the rule, the delivery path and a detector-chosen content key (the
/// offending text), so it survives unrelated edits above the finding and changes
/// when the offending content changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Computes the fingerprint. `occurrence` separates identical findings in the
    /// same file (0 for the first).
    pub fn compute(rule: &str, path: &DeliveryPath, content_key: &[u8], occurrence: u32) -> Self {
        let mut h = Sha256::new();
        h.update(b"oversight-fingerprint-v1\0");
        h.update(rule.as_bytes());
        h.update(b"\0");
        h.update(path.to_string().as_bytes());
        h.update(b"\0");
        h.update(content_key);
        h.update(b"\0");
        h.update(occurrence.to_le_bytes());
        let digest = h.finalize();
        Fingerprint(hex::encode(&digest[..16]))
    }

    /// The hexadecimal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A finding as reported to the reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that raised it.
    pub rule: &'static Rule,
    /// Severity after the reviewer's overrides.
    pub severity: Severity,
    /// Where it points.
    pub location: Location,
    /// A sentence for a human, naming what was found.
    pub message: String,
    /// An excerpt, possibly redacted.
    pub evidence: Option<Evidence>,
    /// Stable identity for waivers and baselines.
    pub fingerprint: Fingerprint,
    /// For licence findings: the licence as data; `None` for the others.
    pub licence: Option<LicenceMatch>,
}

impl Finding {
    /// The category of the rule that raised this finding.
    pub fn category(&self) -> Category {
        self.rule.category
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_content_not_position() {
        let p = DeliveryPath::root("a.js");
        let a = Fingerprint::compute("malicious.x", &p, b"eval(x)", 0);
        assert_eq!(a, Fingerprint::compute("malicious.x", &p, b"eval(x)", 0));
        assert_ne!(a, Fingerprint::compute("malicious.x", &p, b"eval(y)", 0));
        assert_ne!(a, Fingerprint::compute("malicious.x", &p, b"eval(x)", 1));
        assert_ne!(a, Fingerprint::compute("malicious.y", &p, b"eval(x)", 0));
        assert_eq!(a.as_str().len(), 32);
    }
}
