//! The SARIF 2.1.0 log, shaped for GitHub code scanning.
//!
//! The wire types cover the small part of SARIF that Oversight fills; they are
//! written by hand rather than taken from `serde-sarif`, whose build script
//! generates the whole schema (and pulls a code generator into the build) to
//! spare us a dozen structs. The integration tests validate the output against
//! the official OASIS schema.
//!
//! Mapping decisions, also listed in `FINDINGS.md`:
//!
//! - Levels: critical and high → `error`, medium → `warning`, low and info → `note`.
//! - A rule's `security-severity` (the only severity GitHub reads) follows the
//!   most severe finding of that rule in this report, so the reviewer's severity
//!   overrides reach GitHub; without findings it follows the rule's default.
//!   `defaultConfiguration.level` always follows the rule's default.
//! - A file inside an archive cannot be named by a URI that GitHub resolves, so
//!   its `artifactLocation.uri` is the outermost archive, the full
//!   `outer.zip!/inner/x.js` path goes into `properties.deliveryPath` and the
//!   message, and no `region` is written (a line of the member is not a line of
//!   the archive).

use std::collections::HashMap;
use std::fmt::Write as _;

use oversight_model::{Finding, Rule, ScanReport, Severity};
use serde::Serialize;

use crate::json::{Coverage, JsonLicence, TOOL_NAME, verdict};

/// The `$schema` written into every SARIF log.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `tool.driver.informationUri` of every SARIF log: where the findings model
/// is described.
pub const INFORMATION_URI: &str = "urn:oversight:findings";

/// Converts `report` into a SARIF 2.1.0 log with one run.
///
/// The returned `Value` holds exactly what [`write()`](crate::write()) prints for
/// [`Format::Sarif`](crate::Format::Sarif), up to the order of keys.
///
/// # Panics
///
/// Never: the wire types hold only strings, numbers and string-keyed objects.
#[must_use]
pub fn to_sarif(report: &ScanReport) -> serde_json::Value {
    serde_json::to_value(SarifLog::from_report(report))
        .expect("the SARIF wire types are plain data with string keys")
}

/// The top-level object.
#[derive(Debug, Serialize)]
pub(crate) struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

impl<'a> SarifLog<'a> {
    pub(crate) fn from_report(report: &'a ScanReport) -> Self {
        let rules = RuleTable::new(report);
        let results = report
            .findings
            .iter()
            .map(|finding| SarifResult::from_finding(finding, &rules))
            .collect();
        let run = Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    semantic_version: report.tool_version,
                    information_uri: INFORMATION_URI,
                    rules: rules.descriptors(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                schema: oversight_model::SCHEMA_VERSION,
                target: &report.target,
                target_kind: report.target_kind,
                result: verdict(report),
                fail_on: report.fail_on.as_str(),
                coverage: Coverage::from_summary(&report.coverage),
            },
        };
        SarifLog {
            schema: SARIF_SCHEMA_URI,
            version: "2.1.0",
            runs: [run],
        }
    }
}

/// The rules of the run: those the report declares, then any that only a finding
/// names, each once, with the most severe finding of each.
struct RuleTable {
    rules: Vec<(&'static Rule, Option<Severity>)>,
    index_by_id: HashMap<&'static str, usize>,
}

impl RuleTable {
    fn new(report: &ScanReport) -> Self {
        let mut table = RuleTable {
            rules: Vec::new(),
            index_by_id: HashMap::new(),
        };
        let declared = report.rules.iter().copied();
        for rule in declared.chain(report.findings.iter().map(|f| f.rule)) {
            if !table.index_by_id.contains_key(rule.id) {
                table.index_by_id.insert(rule.id, table.rules.len());
                table.rules.push((rule, None));
            }
        }
        for finding in &report.findings {
            let index = table.index(finding.rule);
            let most_severe = &mut table.rules[index].1;
            *most_severe = (*most_severe).max(Some(finding.severity));
        }
        table
    }

    fn index(&self, rule: &Rule) -> usize {
        self.index_by_id[rule.id]
    }

    fn descriptors(&self) -> Vec<ReportingDescriptor> {
        self.rules
            .iter()
            .map(|&(rule, most_severe)| ReportingDescriptor::from_rule(rule, most_severe))
            .collect()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    schema: &'static str,
    target: &'a str,
    target_kind: &'a str,
    result: &'static str,
    fail_on: &'static str,
    coverage: Coverage,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Text<'static>,
    full_description: Text<'static>,
    help: Text<'static>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

impl ReportingDescriptor {
    fn from_rule(rule: &'static Rule, most_severe: Option<Severity>) -> Self {
        let category = rule.category.as_str();
        ReportingDescriptor {
            id: rule.id,
            name: crate::text::pascal_case(rule.id),
            short_description: Text { text: rule.summary },
            full_description: Text { text: rule.help },
            help: Text { text: rule.help },
            default_configuration: Configuration {
                level: level(rule.default_severity),
            },
            properties: RuleProperties {
                category,
                security_severity: security_severity(most_severe.unwrap_or(rule.default_severity)),
                tags: ["security", category],
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Debug, Serialize)]
struct RuleProperties {
    category: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    tags: [&'static str; 2],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: OwnedText,
    locations: [Location; 1],
    partial_fingerprints: PartialFingerprints<'a>,
    properties: ResultProperties<'a>,
}

impl<'a> SarifResult<'a> {
    fn from_finding(finding: &'a Finding, rules: &RuleTable) -> Self {
        let path = &finding.location.path;
        let in_archive = path.depth() > 0;
        let delivery_path = path.to_string();
        let text = if in_archive {
            let mut place = delivery_path.clone();
            for position in [finding.location.line, finding.location.column]
                .into_iter()
                .map_while(|position| position)
            {
                let _ = write!(place, ":{position}");
            }
            format!("{} (in {place})", finding.message)
        } else {
            finding.message.clone()
        };
        let region = match finding.location.line {
            Some(start_line) if !in_archive => Some(Region {
                start_line,
                start_column: finding.location.column,
            }),
            _ => None,
        };
        SarifResult {
            rule_id: finding.rule.id,
            rule_index: rules.index(finding.rule),
            level: level(finding.severity),
            message: OwnedText { text },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: relative_uri(&path.segments()[0]),
                    },
                    region,
                },
            }],
            partial_fingerprints: PartialFingerprints {
                oversight_v1: finding.fingerprint.as_str(),
            },
            properties: ResultProperties {
                severity: finding.severity.as_str(),
                category: finding.category().as_str(),
                delivery_path,
                line: finding.location.line,
                column: finding.location.column,
                license: finding.licence.as_ref().map(JsonLicence::from_licence),
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Debug, Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Debug, Serialize)]
struct PartialFingerprints<'a> {
    /// The `/v1` suffix follows SARIF's convention for versioned fingerprints.
    #[serde(rename = "oversightFingerprint/v1")]
    oversight_v1: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: &'static str,
    category: &'static str,
    delivery_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    /// A licence finding's licence, as in the JSON report.
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<JsonLicence<'a>>,
}

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity`: a score in 0.0–10.0 written as a string, which
/// GitHub buckets as critical (≥ 9.0), high (≥ 7.0), medium (≥ 4.0) and low.
/// Info findings carry none.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.0"),
        Severity::High => Some("7.5"),
        Severity::Medium => Some("5.0"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

/// A relative URI reference for a path relative to the delivery root.
///
/// Every byte outside RFC 3986's unreserved set and `/` is percent-encoded, so a
/// space, a `%`, a `#`, a `?`, a colon (which would otherwise read as a scheme),
/// a backslash or a non-ASCII letter all survive as data.
fn relative_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(relative_uri("src/a b.js"), "src/a%20b.js");
        assert_eq!(relative_uri("c:d/ä#1?%"), "c%3Ad/%C3%A4%231%3F%25");
        assert_eq!(relative_uri("vendor.zip"), "vendor.zip");
    }
}
