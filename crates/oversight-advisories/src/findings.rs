//! Turning match outcomes into findings: the evaluate step between the
//! component inventory (detect) and the report.
//!
//! Kept here rather than in the CLI so that the review gate and the server
//! raise exactly the same findings. VEX is passed in as a function so that
//! this crate does not depend on any VEX format.

use std::collections::BTreeSet;

use oversight_model::{
    Category, Component, DeliveryPath, Ecosystem, Finding, Fingerprint, Location, Rule, Severity,
};

use crate::{Database, Match, Outcome, Undecidable};

macro_rules! rule {
    ($name:ident, $id:literal, $cat:ident, $sev:ident, $summary:literal, $help:literal) => {
        #[doc = $summary]
        pub static $name: Rule = Rule {
            id: $id,
            category: Category::$cat,
            default_severity: Severity::$sev,
            summary: $summary,
            help: $help,
        };
    };
}

rule!(
    KNOWN,
    "vulnerability.known",
    Vulnerability,
    High,
    "A component is at a version a published advisory says is vulnerable",
    "Upgrade to a fixed version, or state with a VEX document (`--vex`) why the delivery is not affected. The finding's severity is the advisory's (CVSS base score, else the database's rating; Medium when unrated)."
);
rule!(
    INFORMATIONAL,
    "vulnerability.informational",
    Vulnerability,
    Low,
    "A component has an informational advisory (unmaintained, unsound, notice)",
    "Not a vulnerability by itself, but a supply-chain risk: ask the supplier for a maintained alternative or a justification."
);
rule!(
    NOT_AFFECTED,
    "vulnerability.not-affected",
    Vulnerability,
    Info,
    "A matching advisory is suppressed by a reviewer's VEX statement",
    "Shown so the decision stays visible: the VEX statement's justification is quoted. Remove the statement to see the advisory again."
);
rule!(
    UNDECIDABLE,
    "coverage.vulnerability-undecidable",
    Coverage,
    High,
    "An advisory for a component could not be evaluated against its version",
    "The version is not pinned or not valid in its ecosystem, or the advisory's ranges cannot be ordered. The component is not known to be safe: pin an exact version, or check the advisory by hand and waive."
);
rule!(
    NOT_COVERED,
    "coverage.advisories-missing",
    Coverage,
    High,
    "The delivery has components of an ecosystem for which no advisories were imported",
    "Import an advisory snapshot for that ecosystem (`oversight db import PATH`, e.g. an osv.dev `all.zip`); until then nothing can be said about its known vulnerabilities."
);

/// Every rule of this module.
pub static RULES: &[&Rule] = &[
    &KNOWN,
    &INFORMATIONAL,
    &NOT_AFFECTED,
    &UNDECIDABLE,
    &NOT_COVERED,
];

/// What a VEX document says about one advisory on one component: the
/// advisory does not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The VEX status (`not_affected`, `fixed`).
    pub status: String,
    /// Justification and impact statement, as written.
    pub justification: String,
}

/// Findings for every component: known vulnerabilities, informational
/// advisories, undecidable matches, and ecosystems without advisories.
/// `vex(ids, purl)` returns a suppression when the reviewer's VEX says the
/// advisory does not apply; `severity(rule_id)` returns the reviewer's
/// override of a rule's severity.
pub fn findings(
    db: &Database,
    components: &[Component],
    vex: &dyn Fn(&[String], &str) -> Option<Suppression>,
    severity: &dyn Fn(&str) -> Option<Severity>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut uncovered: BTreeSet<Ecosystem> = BTreeSet::new();
    let mut uncovered_at: Vec<(Ecosystem, DeliveryPath)> = Vec::new();
    for (component, outcomes) in components.iter().zip(db.match_components(components)) {
        // What is known is reported; a source too small to be complete for
        // the ecosystem also leaves the rest unchecked.
        if !db.complete_for(component.ecosystem) && uncovered.insert(component.ecosystem) {
            uncovered_at.push((component.ecosystem, component.source.clone()));
        }
        for outcome in outcomes {
            out.push(match outcome {
                Outcome::Affected(m) => match vex(&m.ids, &component.purl) {
                    Some(s) => suppressed(component, &m, &s, severity),
                    None => affected(component, &m, severity),
                },
                Outcome::Undecidable(u) => undecidable(component, &u, severity),
            });
        }
    }
    for (ecosystem, first) in uncovered_at {
        let count = components
            .iter()
            .filter(|c| c.ecosystem == ecosystem)
            .count();
        let held = db.largest_in_one_source(ecosystem);
        let message = if held == 0 {
            format!(
                "{count} {ecosystem} component(s), first recorded in `{first}`, were not checked: the advisory database holds no {ecosystem} advisories"
            )
        } else {
            format!(
                "{count} {ecosystem} component(s), first recorded in `{first}`, were not fully checked: no imported source is a complete {ecosystem} advisory database (the largest holds {held} {ecosystem} advisories; a complete one holds at least {})",
                crate::database::minimum_complete(ecosystem)
            )
        };
        out.push(finding(
            &NOT_COVERED,
            severity,
            None,
            Location::file(first),
            message,
            ecosystem.osv_name().as_bytes(),
        ));
    }
    out
}

fn affected(c: &Component, m: &Match, severity: &dyn Fn(&str) -> Option<Severity>) -> Finding {
    let rule = if m.informational.is_some() {
        &INFORMATIONAL
    } else {
        &KNOWN
    };
    let mut message = format!(
        "`{}@{}` ({}) is affected by {}",
        c.name,
        c.version,
        c.ecosystem,
        ids_text(&m.ids)
    );
    if let Some(kind) = &m.informational {
        message.push_str(&format!(" [{kind}]"));
    }
    if !m.summary.is_empty() {
        message.push_str(&format!(": {}", m.summary.trim()));
    }
    message.push_str(&match m.fixed.as_slice() {
        [] => "; no fixed version".to_owned(),
        fixed => format!("; fixed in {}", fixed.join(", ")),
    });
    match (m.score, &m.vector) {
        (Some(score), Some(vector)) => message.push_str(&format!("; CVSS {score:.1} ({vector})")),
        _ => message.push_str(&format!("; severity {}", m.severity.as_str())),
    }
    if let Some(url) = &m.url {
        message.push_str(&format!("; {url}"));
    }
    let own = (m.informational.is_none()).then(|| m.severity.finding_severity());
    finding(
        rule,
        severity,
        own,
        location(c),
        message,
        key(&m.id, c).as_bytes(),
    )
}

fn suppressed(
    c: &Component,
    m: &Match,
    s: &Suppression,
    severity: &dyn Fn(&str) -> Option<Severity>,
) -> Finding {
    let message = format!(
        "`{}@{}` ({}) matches {}, marked `{}` by VEX: {}",
        c.name,
        c.version,
        c.ecosystem,
        ids_text(&m.ids),
        s.status,
        s.justification
    );
    finding(
        &NOT_AFFECTED,
        severity,
        None,
        location(c),
        message,
        key(&m.id, c).as_bytes(),
    )
}

fn undecidable(
    c: &Component,
    u: &Undecidable,
    severity: &dyn Fn(&str) -> Option<Severity>,
) -> Finding {
    let shown = if c.version.is_empty() {
        "(no version)"
    } else {
        c.version.as_str()
    };
    let message = format!(
        "`{}` {shown} ({}): {} could not be evaluated: {}",
        c.name,
        c.ecosystem,
        ids_text(&u.ids),
        u.reason
    );
    finding(
        &UNDECIDABLE,
        severity,
        None,
        location(c),
        message,
        key(&u.id, c).as_bytes(),
    )
}

fn ids_text(ids: &[String]) -> String {
    match ids {
        [] => "an advisory".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} ({})", rest.join(", ")),
    }
}

fn key(id: &str, c: &Component) -> String {
    format!("{id}|{}", c.purl)
}

fn location(c: &Component) -> Location {
    Location {
        path: c.source.clone(),
        line: c.line,
        column: None,
    }
}

fn finding(
    rule: &'static Rule,
    severity: &dyn Fn(&str) -> Option<Severity>,
    own: Option<Severity>,
    location: Location,
    message: String,
    key: &[u8],
) -> Finding {
    Finding {
        rule,
        severity: severity(rule.id).or(own).unwrap_or(rule.default_severity),
        fingerprint: Fingerprint::compute(rule.id, &location.path, key, 0),
        location,
        message,
        evidence: None,
        licence: None,
    }
}
