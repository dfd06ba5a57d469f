//! Turning what detectors emit into findings, per file.

use std::collections::HashMap;

use oversight_detect::{Emit, Sink};
use oversight_model::{
    Component, CoverageSummary, DeliveryPath, Finding, Fingerprint, Location, ManifestEntry, Rule,
    Severity,
};

use crate::ScanOptions;

/// Findings and coverage gathered by one worker.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) findings: Vec<Finding>,
    pub(crate) coverage: CoverageSummary,
    pub(crate) components: Vec<Component>,
    pub(crate) manifest: Vec<ManifestEntry>,
    pub(crate) special_entries: Vec<oversight_model::SpecialEntry>,
}

impl Collected {
    pub(crate) fn merge(&mut self, other: Collected) {
        self.findings.extend(other.findings);
        self.coverage.merge(&other.coverage);
        self.components.extend(other.components);
        self.manifest.extend(other.manifest);
        self.special_entries.extend(other.special_entries);
    }
}

/// A sink for one file: adds the path, severity and fingerprint to what
/// detectors emit, numbering identical findings in the same file so that each
/// gets its own fingerprint.
pub(crate) struct FileSink<'a> {
    path: &'a DeliveryPath,
    options: &'a ScanOptions,
    out: &'a mut Vec<Finding>,
    components: &'a mut Vec<Component>,
    occurrences: HashMap<(&'static str, Vec<u8>), u32>,
}

impl<'a> FileSink<'a> {
    pub(crate) fn new(
        path: &'a DeliveryPath,
        options: &'a ScanOptions,
        out: &'a mut Vec<Finding>,
        components: &'a mut Vec<Component>,
    ) -> Self {
        FileSink {
            path,
            options,
            out,
            components,
            occurrences: HashMap::new(),
        }
    }
}

impl Sink for FileSink<'_> {
    fn emit(&mut self, emit: Emit) {
        let n = self
            .occurrences
            .entry((emit.rule.id, emit.key.clone()))
            .or_insert(0);
        let occurrence = *n;
        *n += 1;
        self.out.push(Finding {
            rule: emit.rule,
            severity: severity_of(self.options, emit.rule),
            location: Location {
                path: self.path.clone(),
                line: emit.line_col.map(|(l, _)| l),
                column: emit.line_col.map(|(_, c)| c),
            },
            message: emit.message,
            evidence: emit.evidence,
            fingerprint: Fingerprint::compute(emit.rule.id, self.path, &emit.key, occurrence),
            licence: emit.licence,
        });
    }

    fn component(&mut self, component: Component) {
        self.components.push(component);
    }
}

/// The severity of a rule after the reviewer's overrides.
pub(crate) fn severity_of(options: &ScanOptions, rule: &'static Rule) -> Severity {
    options
        .severity
        .get(rule.id)
        .copied()
        .unwrap_or(rule.default_severity)
}

/// A finding raised by the engine itself about a whole file.
pub(crate) fn engine_finding(
    options: &ScanOptions,
    rule: &'static Rule,
    path: &DeliveryPath,
    message: String,
) -> Finding {
    Finding {
        rule,
        severity: severity_of(options, rule),
        location: Location::file(path.clone()),
        fingerprint: Fingerprint::compute(rule.id, path, message.as_bytes(), 0),
        message,
        evidence: None,
        licence: None,
    }
}
