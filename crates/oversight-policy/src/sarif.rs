//! The supplier's static-analysis results, delivered as SARIF 2.1.0: read
//! with typed structs (only what the check needs), checked for the tool, its
//! version, the revision analysed, and open results at or above the
//! policy's level.

use serde::Deserialize;

use crate::policy::{DeliverableLimits, SarifLevel};

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    runs: Vec<Run>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(default)]
    results: Option<Vec<SarifResult>>,
    #[serde(default)]
    version_control_provenance: Vec<Provenance>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Driver,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    semantic_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Provenance {
    #[serde(default)]
    revision_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    #[serde(default)]
    rule_id: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    suppressions: Vec<Suppression>,
    #[serde(default)]
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Suppression {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    text: Option<String>,
}

impl SarifResult {
    /// Open: a failing result (`kind` absent or `fail`) that no accepted
    /// suppression covers.
    fn is_open(&self) -> bool {
        let failing = matches!(self.kind.as_deref(), None | Some("fail"));
        let suppressed = self
            .suppressions
            .iter()
            .any(|s| matches!(s.status.as_deref(), None | Some("accepted")));
        failing && !suppressed
    }

    /// SARIF's default level is `warning`; `none` has no level.
    fn level(&self) -> Option<SarifLevel> {
        match self.level.as_deref() {
            None => Some(SarifLevel::Warning),
            Some(text) => SarifLevel::parse(text),
        }
    }
}

/// Inspects SARIF `bytes` against `limits` and the delivered `commit`.
pub(crate) fn inspect(
    limits: DeliverableLimits,
    bytes: &[u8],
    commit: Option<&str>,
) -> Result<String, String> {
    let log: Log = serde_json::from_slice(bytes).map_err(|e| format!("is not a SARIF log: {e}"))?;
    if log.version.as_deref() != Some("2.1.0") {
        return Err(format!(
            "is SARIF version {}, not 2.1.0",
            log.version.as_deref().unwrap_or("(none)")
        ));
    }
    if log.runs.is_empty() {
        return Err("holds no run".to_owned());
    }
    let mut tools = Vec::new();
    let mut blocking = Vec::new();
    let mut open = 0;
    for run in &log.runs {
        let driver = &run.tool.driver;
        let Some(version) = driver.semantic_version.as_ref().or(driver.version.as_ref()) else {
            return Err(format!(
                "names the tool `{}` without its version",
                driver.name
            ));
        };
        tools.push(format!("{} {version}", driver.name));
        let revisions: Vec<&str> = run
            .version_control_provenance
            .iter()
            .filter_map(|p| p.revision_id.as_deref())
            .collect();
        if limits.require_revision {
            match commit {
                None => {
                    return Err(
                        "cannot be tied to the delivery: the delivery is not a git revision (deliver the repository, or set require_revision = false)"
                            .to_owned(),
                    );
                }
                Some(commit) if !revisions.iter().any(|r| r.eq_ignore_ascii_case(commit)) => {
                    return Err(format!(
                        "was not run on the delivered revision {commit} ({} names {})",
                        driver.name,
                        if revisions.is_empty() {
                            "no revision".to_owned()
                        } else {
                            revisions.join(", ")
                        }
                    ));
                }
                Some(_) => {}
            }
        }
        let Some(results) = &run.results else {
            return Err(format!(
                "has a run of {} without `results`: the analysis did not complete",
                driver.name
            ));
        };
        for result in results.iter().filter(|r| r.is_open()) {
            open += 1;
            if result.level().is_some_and(|l| l >= limits.max_level) {
                blocking.push(format!(
                    "{} {}: {}",
                    result.level().map_or("none", SarifLevel::as_str),
                    result.rule_id.as_deref().unwrap_or("(no rule)"),
                    result
                        .message
                        .as_ref()
                        .and_then(|m| m.text.as_deref())
                        .unwrap_or("")
                        .chars()
                        .take(120)
                        .collect::<String>()
                ));
            }
        }
    }
    let summary = format!("SARIF from {}, {open} open result(s)", tools.join(", "));
    if blocking.is_empty() {
        Ok(format!(
            "{summary}, none at {} or above",
            limits.max_level.as_str()
        ))
    } else {
        Err(format!(
            "holds {} open result(s) at {} or above ({summary}): {}",
            blocking.len(),
            limits.max_level.as_str(),
            blocking
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ))
    }
}
