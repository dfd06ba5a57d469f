//! The JSON report: the wire form of the findings model, `oversight.findings/1.x`.
//!
//! Every type here mirrors one object of `FINDINGS.md`, field for field and in the
//! same order; serde writes struct fields in declaration order, so the written
//! document has a stable key order. Counts are plain structs rather than maps so
//! that every severity and category is always present, even at zero.

use oversight_model::{
    Category, Component, CoverageSummary, DependencyScope, Directness, Evidence, Finding, GitFacts,
    KindCount, LicenceMatch, Person, SCHEMA_VERSION, ScanReport, Severity,
};
use serde::Serialize;

/// The name of the tool in every output format.
pub(crate) const TOOL_NAME: &str = "oversight";

/// Converts `report` into the JSON findings model (`FINDINGS.md`).
///
/// The returned `Value` holds exactly what [`write()`](crate::write()) prints for
/// [`Format::Json`](crate::Format::Json); only the order of keys inside objects
/// may differ, as `serde_json` maps sort their keys unless its
/// `preserve_order` feature is on.
///
/// # Panics
///
/// Never: the wire types hold only strings, numbers and string-keyed objects.
#[must_use]
pub fn to_json(report: &ScanReport) -> serde_json::Value {
    serde_json::to_value(JsonReport::from_report(report))
        .expect("the JSON wire types are plain data with string keys")
}

/// The top-level object.
#[derive(Debug, Serialize)]
pub(crate) struct JsonReport<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    target: &'a str,
    target_kind: &'a str,
    result: &'static str,
    fail_on: &'static str,
    elapsed_ms: u64,
    summary: Summary,
    coverage: Coverage,
    git: Option<Git<'a>>,
    findings: Vec<JsonFinding<'a>>,
    components: Vec<JsonComponent<'a>>,
}

impl<'a> JsonReport<'a> {
    pub(crate) fn from_report(report: &'a ScanReport) -> Self {
        JsonReport {
            schema: SCHEMA_VERSION,
            tool: Tool {
                name: TOOL_NAME,
                version: report.tool_version,
            },
            target: &report.target,
            target_kind: report.target_kind,
            result: verdict(report),
            fail_on: report.fail_on.as_str(),
            elapsed_ms: u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
            summary: Summary::from_report(report),
            coverage: Coverage::from_summary(&report.coverage),
            git: report.git.as_ref().map(Git::from_facts),
            findings: report
                .findings
                .iter()
                .map(JsonFinding::from_finding)
                .collect(),
            components: report
                .components
                .iter()
                .map(JsonComponent::from_component)
                .collect(),
        }
    }
}

/// One third-party component of the inventory.
#[derive(Debug, Serialize)]
struct JsonComponent<'a> {
    ecosystem: &'static str,
    name: &'a str,
    version: &'a str,
    purl: &'a str,
    direct: Option<bool>,
    scope: &'static str,
    source: String,
    line: Option<u32>,
    license: Option<&'a str>,
    hashes: Vec<String>,
    depends_on: &'a [String],
}

impl<'a> JsonComponent<'a> {
    fn from_component(c: &'a Component) -> Self {
        JsonComponent {
            ecosystem: c.ecosystem.osv_name(),
            name: &c.name,
            version: &c.version,
            purl: &c.purl,
            direct: match c.directness {
                Directness::Direct => Some(true),
                Directness::Transitive => Some(false),
                Directness::Unknown => None,
            },
            scope: match c.scope {
                DependencyScope::Runtime => "runtime",
                DependencyScope::Development => "development",
                DependencyScope::Optional => "optional",
                DependencyScope::Unknown => "unknown",
            },
            source: c.source.to_string(),
            line: c.line,
            license: c.license.as_deref(),
            hashes: c
                .hashes
                .iter()
                .map(|h| format!("{}:{}", h.algorithm, h.hex))
                .collect(),
            depends_on: &c.depends_on,
        }
    }
}

/// `"pass"` or `"fail"`.
pub(crate) fn verdict(report: &ScanReport) -> &'static str {
    if report.passed() { "pass" } else { "fail" }
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Debug, Serialize)]
struct Summary {
    total: u64,
    blocking: u64,
    baseline_suppressed: u64,
    by_severity: SeverityCounts,
    by_category: CategoryCounts,
}

impl Summary {
    fn from_report(report: &ScanReport) -> Self {
        let mut by_severity = SeverityCounts::default();
        let mut by_category = CategoryCounts::default();
        for finding in &report.findings {
            *by_severity.slot(finding.severity) += 1;
            *by_category.slot(finding.category()) += 1;
        }
        Summary {
            total: report.findings.len() as u64,
            blocking: report.blocking().count() as u64,
            baseline_suppressed: report.baseline_suppressed,
            by_severity,
            by_category,
        }
    }
}

/// Findings per severity, most severe first.
#[derive(Debug, Default, Serialize)]
struct SeverityCounts {
    critical: u64,
    high: u64,
    medium: u64,
    low: u64,
    info: u64,
}

impl SeverityCounts {
    fn slot(&mut self, severity: Severity) -> &mut u64 {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }
}

/// Findings per category, in the order of `Category::ALL`. The exhaustive match
/// in `slot` makes a new category a compile error here until it is added.
#[derive(Debug, Default, Serialize)]
struct CategoryCounts {
    malicious: u64,
    secret: u64,
    license: u64,
    vulnerability: u64,
    coverage: u64,
    integrity: u64,
    privacy: u64,
    policy: u64,
}

impl CategoryCounts {
    fn slot(&mut self, category: Category) -> &mut u64 {
        match category {
            Category::Malicious => &mut self.malicious,
            Category::Secret => &mut self.secret,
            Category::License => &mut self.license,
            Category::Vulnerability => &mut self.vulnerability,
            Category::Coverage => &mut self.coverage,
            Category::Integrity => &mut self.integrity,
            Category::Privacy => &mut self.privacy,
            Category::Policy => &mut self.policy,
        }
    }
}

/// The coverage summary; also used as the SARIF run's `coverage` property.
#[derive(Debug, Serialize)]
pub(crate) struct Coverage {
    text: Count,
    binary: Count,
    archive_members: Count,
    archives: u64,
    not_fully_scanned: u64,
    special_entries: u64,
    total_files: u64,
    total_bytes: u64,
}

impl Coverage {
    pub(crate) fn from_summary(summary: &CoverageSummary) -> Self {
        Coverage {
            text: Count::from(summary.text),
            binary: Count::from(summary.binary),
            archive_members: Count::from(summary.archive_members),
            archives: summary.archives,
            not_fully_scanned: summary.not_fully_scanned,
            special_entries: summary.special_entries,
            total_files: summary.total_files(),
            total_bytes: summary.total_bytes(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Count {
    files: u64,
    bytes: u64,
}

impl From<KindCount> for Count {
    fn from(count: KindCount) -> Self {
        Count {
            files: count.files,
            bytes: count.bytes,
        }
    }
}

#[derive(Debug, Serialize)]
struct Git<'a> {
    rev: &'a str,
    commit: &'a str,
    commit_count: u64,
    authors: Vec<JsonPerson<'a>>,
    committers: Vec<JsonPerson<'a>>,
    signed_commits: u64,
    unsigned_commit_ids: &'a [String],
}

impl<'a> Git<'a> {
    fn from_facts(facts: &'a GitFacts) -> Self {
        Git {
            rev: &facts.rev,
            commit: &facts.commit,
            commit_count: facts.commit_count,
            authors: facts.authors.iter().map(JsonPerson::from_person).collect(),
            committers: facts
                .committers
                .iter()
                .map(JsonPerson::from_person)
                .collect(),
            signed_commits: facts.signed_commits,
            unsigned_commit_ids: &facts.unsigned_commit_ids,
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonPerson<'a> {
    name: &'a str,
    email: &'a str,
    commits: u64,
}

impl<'a> JsonPerson<'a> {
    fn from_person(person: &'a Person) -> Self {
        JsonPerson {
            name: &person.name,
            email: &person.email,
            commits: person.commits,
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    category: &'static str,
    severity: &'static str,
    path: String,
    path_segments: &'a [String],
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
    evidence: Option<JsonEvidence<'a>>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<JsonLicence<'a>>,
}

impl<'a> JsonFinding<'a> {
    fn from_finding(finding: &'a Finding) -> Self {
        JsonFinding {
            rule: finding.rule.id,
            category: finding.category().as_str(),
            severity: finding.severity.as_str(),
            path: finding.location.path.to_string(),
            path_segments: finding.location.path.segments(),
            line: finding.location.line,
            column: finding.location.column,
            message: &finding.message,
            evidence: finding.evidence.as_ref().map(JsonEvidence::from_evidence),
            fingerprint: finding.fingerprint.as_str(),
            license: finding.licence.as_ref().map(JsonLicence::from_licence),
        }
    }
}

/// A licence finding's licence as data (added in 1.2): the SPDX expression,
/// how it was stated, its region and its coverage.
#[derive(Debug, Serialize)]
pub(crate) struct JsonLicence<'a> {
    expression: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    rule_coverage: f64,
    region_coverage: f64,
}

impl<'a> JsonLicence<'a> {
    pub(crate) fn from_licence(licence: &'a LicenceMatch) -> Self {
        JsonLicence {
            expression: &licence.expression,
            kind: licence.kind.as_str(),
            start_line: licence.lines.map(|(start, _)| start),
            end_line: licence.lines.map(|(_, end)| end),
            rule_coverage: licence.rule_coverage.value(),
            region_coverage: licence.region_coverage.value(),
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonEvidence<'a> {
    snippet: &'a str,
    redacted: bool,
}

impl<'a> JsonEvidence<'a> {
    fn from_evidence(evidence: &'a Evidence) -> Self {
        JsonEvidence {
            snippet: &evidence.snippet,
            redacted: evidence.redacted,
        }
    }
}
