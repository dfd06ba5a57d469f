//! The licence and copyright facts of a report, gathered for summaries and
//! attribution notices.
//!
//! Per-file facts come from the findings of the `license` category: the
//! licence from the finding's typed `licence` field, or, for findings that
//! carry none (a report recorded before it existed), from the message, which
//! names the licence first between backticks (``Licence `MIT` (licence
//! text, …)``); the holder after `Copyright held by` (see
//! `oversight-licenses`' detector; the end-to-end tests of `oversight notice`
//! pin both). Per-component licences come from the inventory.

use std::collections::BTreeMap;

use oversight_model::{Component, Finding, LicenceKind, ScanReport};

/// What the findings say about one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Licence expressions found in the file (tags, notices, texts), in
    /// order, each once. Declarations that are no SPDX expression are
    /// prefixed `unknown: `.
    pub licences: Vec<String>,
    /// Copyright holders, each once, with the years when stated.
    pub holders: Vec<(String, String)>,
}

/// Licences and holders of a whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenceFacts {
    /// Per file (the delivery path as displayed), sorted by path.
    pub files: BTreeMap<String, FileFacts>,
    /// Per distinct licence expression (components' declared ones too):
    /// how many files and how many components carry it.
    pub licences: BTreeMap<String, (usize, usize)>,
    /// Per distinct holder: how many files name it.
    pub holders: BTreeMap<String, usize>,
    /// Components that declare no licence.
    pub components_without_licence: usize,
}

/// The licence of a `license.detected`, `license.denied` or
/// `license.unknown` finding about a file, `unknown: …` when it is not an
/// SPDX expression; `None` for other findings and for component findings.
pub fn finding_licence(f: &Finding) -> Option<String> {
    if let Some(licence) = &f.licence {
        if licence.kind == LicenceKind::Metadata {
            return None;
        }
        return match f.rule.id {
            "license.detected" | "license.denied" => Some(licence.expression.clone()),
            "license.unknown" => Some(format!("unknown: {}", licence.expression)),
            _ => None,
        };
    }
    let shown = f.message.strip_prefix("Licence `")?;
    let (licence, rest) = shown.split_once('`')?;
    match f.rule.id {
        "license.detected" | "license.denied" => Some(licence.to_owned()),
        "license.unknown" if rest.starts_with(" cannot be mapped") => {
            Some(format!("unknown: {licence}"))
        }
        _ => None,
    }
}

/// The holder and years of a `license.copyright` finding.
pub fn finding_holder(f: &Finding) -> Option<(String, String)> {
    if f.rule.id != "license.copyright" {
        return None;
    }
    let statement = f.message.strip_prefix("Copyright held by ")?;
    Some(match statement.rsplit_once(", years ") {
        Some((holder, years)) => (holder.to_owned(), years.to_owned()),
        None => (statement.to_owned(), String::new()),
    })
}

/// Gathers the licence and copyright facts of a report.
pub fn licence_facts(report: &ScanReport) -> LicenceFacts {
    let mut facts = LicenceFacts::default();
    for f in &report.findings {
        let path = f.location.path.to_string();
        if let Some(licence) = finding_licence(f) {
            let file = facts.files.entry(path).or_default();
            if !file.licences.contains(&licence) {
                file.licences.push(licence);
            }
        } else if let Some(holder) = finding_holder(f) {
            let file = facts.files.entry(path).or_default();
            if !file.holders.iter().any(|(h, _)| *h == holder.0) {
                file.holders.push(holder);
            }
        }
    }
    for file in facts.files.values() {
        for licence in &file.licences {
            facts.licences.entry(licence.clone()).or_default().0 += 1;
        }
        for (holder, _) in &file.holders {
            *facts.holders.entry(holder.clone()).or_default() += 1;
        }
    }
    for c in &report.components {
        match component_licence(c) {
            Some(licence) => facts.licences.entry(licence).or_default().1 += 1,
            None => facts.components_without_licence += 1,
        }
    }
    facts
}

/// A component's declared licence, as the summary groups it.
pub fn component_licence(c: &Component) -> Option<String> {
    c.license
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
}
