//! The internal advisory model every source format is converted to, and the
//! form stored in the index.

use serde::{Deserialize, Serialize};

/// How serious a vulnerability is, from its CVSS base score or, failing
/// that, from the severity word its database gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AdvisorySeverity {
    /// No rating in the advisory (and not informational).
    Unknown,
    /// An informational advisory (unmaintained, unsound, notice): cargo
    /// audit reports these as warnings, not vulnerabilities.
    Informational,
    /// CVSS score 0.0: rated and found without impact.
    None,
    /// CVSS 0.1–3.9, or `LOW`.
    Low,
    /// CVSS 4.0–6.9, or `MODERATE`/`MEDIUM`.
    Medium,
    /// CVSS 7.0–8.9, or `HIGH`.
    High,
    /// CVSS 9.0–10.0, or `CRITICAL`.
    Critical,
}

impl AdvisorySeverity {
    /// The level of a CVSS base score (0.0–10.0).
    pub fn from_score(score: f64) -> AdvisorySeverity {
        if score >= 9.0 {
            AdvisorySeverity::Critical
        } else if score >= 7.0 {
            AdvisorySeverity::High
        } else if score >= 4.0 {
            AdvisorySeverity::Medium
        } else if score > 0.0 {
            AdvisorySeverity::Low
        } else {
            AdvisorySeverity::None
        }
    }

    /// Parses a database's severity word (GHSA's `CRITICAL`, `HIGH`,
    /// `MODERATE`, `LOW`, and `MEDIUM`), case-insensitively.
    pub fn from_word(word: &str) -> Option<AdvisorySeverity> {
        Some(match word.trim().to_ascii_uppercase().as_str() {
            "CRITICAL" => AdvisorySeverity::Critical,
            "HIGH" => AdvisorySeverity::High,
            "MODERATE" | "MEDIUM" => AdvisorySeverity::Medium,
            "LOW" => AdvisorySeverity::Low,
            _ => return None,
        })
    }

    /// The finding severity this maps to. An unrated vulnerability is
    /// `Medium` ("should be explained by the supplier"): the absence of a
    /// rating is no evidence of low impact.
    pub fn finding_severity(self) -> oversight_model::Severity {
        use oversight_model::Severity;
        match self {
            AdvisorySeverity::Critical => Severity::Critical,
            AdvisorySeverity::High => Severity::High,
            AdvisorySeverity::Medium | AdvisorySeverity::Unknown => Severity::Medium,
            AdvisorySeverity::Low => Severity::Low,
            AdvisorySeverity::None | AdvisorySeverity::Informational => Severity::Info,
        }
    }

    /// Lowercase name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            AdvisorySeverity::Unknown => "unknown",
            AdvisorySeverity::Informational => "informational",
            AdvisorySeverity::None => "none",
            AdvisorySeverity::Low => "low",
            AdvisorySeverity::Medium => "medium",
            AdvisorySeverity::High => "high",
            AdvisorySeverity::Critical => "critical",
        }
    }
}

/// A severity with the evidence it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Rating {
    pub level: AdvisorySeverity,
    /// CVSS base score when a vector was parsed.
    pub score: Option<f64>,
    /// The CVSS vector the score was computed from.
    pub vector: Option<String>,
}

/// One advisory record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// Withdrawn advisories are kept in the index (so counts are whole)
    /// and never matched.
    pub withdrawn: bool,
    /// RustSec `informational` kind (`unmaintained`, `unsound`, `notice`).
    pub informational: Option<String>,
    pub rating: Rating,
    /// First advisory URL.
    pub url: Option<String>,
    pub affected: Vec<Affected>,
    /// When the record was last modified (OSV `modified`; RustSec's
    /// advisory `date`), as written: how recent the snapshot's data is.
    #[serde(default)]
    pub modified: Option<String>,
}

/// One affected package of an advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Affected {
    /// OSV ecosystem name (`crates.io`, `PyPI`).
    pub ecosystem: String,
    /// Package name as the advisory spells it.
    pub name: String,
    pub ranges: Vec<Range>,
    /// Explicit affected versions.
    pub versions: Vec<String>,
    /// RustSec native `[versions]`: semver requirements.
    pub requirements: Option<Requirements>,
    /// Affected functions (RustSec `[affected] functions`), informative.
    pub functions: Vec<String>,
}

/// RustSec's `[versions]`: a version is affected iff it is in none of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Requirements {
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
}

/// An OSV range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Range {
    pub kind: RangeKind,
    pub events: Vec<Event>,
}

/// OSV range type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RangeKind {
    Semver,
    Ecosystem,
    Git,
    Other(String),
}

/// OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bands() {
        assert_eq!(
            AdvisorySeverity::from_score(9.8),
            AdvisorySeverity::Critical
        );
        assert_eq!(
            AdvisorySeverity::from_score(9.0),
            AdvisorySeverity::Critical
        );
        assert_eq!(AdvisorySeverity::from_score(8.9), AdvisorySeverity::High);
        assert_eq!(AdvisorySeverity::from_score(7.0), AdvisorySeverity::High);
        assert_eq!(AdvisorySeverity::from_score(6.9), AdvisorySeverity::Medium);
        assert_eq!(AdvisorySeverity::from_score(4.0), AdvisorySeverity::Medium);
        assert_eq!(AdvisorySeverity::from_score(0.1), AdvisorySeverity::Low);
        assert_eq!(AdvisorySeverity::from_score(0.0), AdvisorySeverity::None);
        assert_eq!(
            AdvisorySeverity::from_word("moderate"),
            Some(AdvisorySeverity::Medium)
        );
        assert_eq!(AdvisorySeverity::from_word("whatever"), None);
    }
}
