//! Rules, categories and severities: the stable identifiers that waivers,
//! baselines and policies bind to.

use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered so that `High > Medium`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Recorded for the reviewer's information only.
    #[default]
    Info,
    /// Worth a look; never blocks by default.
    Low,
    /// Should be explained by the supplier.
    Medium,
    /// Blocks acceptance by default (`--fail-on high`).
    High,
    /// Blocks acceptance and warrants escalation.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name used in every output format and configuration file.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the known values of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What was being parsed (`severity`, `category`).
    pub what: &'static str,
    /// The rejected input.
    pub input: String,
    /// The accepted names.
    pub expected: &'static [&'static str],
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Unknown {} `{}`, expected one of: {}",
            self.what,
            self.input,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for ParseError {}

impl FromStr for Severity {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseError {
                what: "severity",
                input: s.to_owned(),
                expected: &["info", "low", "medium", "high", "critical"],
            })
    }
}

/// The family a finding belongs to. Policies set thresholds per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Content that attacks the reader, the build or the user.
    Malicious,
    /// A credential or key.
    Secret,
    /// Licensing and intellectual property.
    License,
    /// A known vulnerability in a component.
    Vulnerability,
    /// Something that could not be fully scanned: a gap in assurance.
    Coverage,
    /// The delivery tries to shape its own review, or is not what it claims.
    Integrity,
    /// Personal data.
    Privacy,
    /// A contractual or acceptance-policy requirement is not met.
    Policy,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 8] = [
        Category::Malicious,
        Category::Secret,
        Category::License,
        Category::Vulnerability,
        Category::Coverage,
        Category::Integrity,
        Category::Privacy,
        Category::Policy,
    ];

    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Malicious => "malicious",
            Category::Secret => "secret",
            Category::License => "license",
            Category::Vulnerability => "vulnerability",
            Category::Coverage => "coverage",
            Category::Integrity => "integrity",
            Category::Privacy => "privacy",
            Category::Policy => "policy",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| ParseError {
                what: "category",
                input: s.to_owned(),
                expected: &[
                    "malicious",
                    "secret",
                    "license",
                    "vulnerability",
                    "coverage",
                    "integrity",
                    "privacy",
                    "policy",
                ],
            })
    }
}

/// A kind of finding, declared statically by the detector that raises it.
///
/// The `id` is stable forever (`malicious.bidi-control`): waivers, baselines and
/// SARIF consumers key on it. The default severity is only a default; the
/// reviewer's configuration may override it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable, dotted, kebab-case identifier: `<category>.<name>`.
    pub id: &'static str,
    /// The category of every finding of this rule.
    pub category: Category,
    /// Severity unless the reviewer's configuration overrides it.
    pub default_severity: Severity,
    /// One sentence: what the rule detects.
    pub summary: &'static str,
    /// Why it matters and how to resolve or accept it.
    pub help: &'static str,
}
