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
