//! Tracing a model into one delivery: per threat, whether its mitigations
//! were verified by what the review found.
//!
//! The review gathers [`DeliveryFacts`] (which rules ran, the findings left
//! open, the coverage gaps, the required deliverables checked, the current
//! attestations); [`trace`] is a pure function of the model and those facts.
//!
//! * A rule mitigation holds when a detector of the review declares a rule
//!   it names (the rule ran), no open coverage gap touches it (what was not
//!   read was not checked), and no finding of that rule is open (waived
//!   findings are closed).
//! * A deliverable mitigation holds when the policy requires that
//!   deliverable and its check passed.
//! * An attestation mitigation holds when a current (unexpired) evidence
//!   document of that kind is kept for the engagement.
//!
//! A threat is mitigated when at least one of its mitigations names how it
//! is verified and every one that does holds. A threat none of whose
//! mitigations says how it is verified is unmitigated: nothing shows it is
//! countered (fail closed).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Severity, ThreatModel, ThreatStatus};
use crate::verification::Verification;

/// A finding the review left open (blocking or noted, not waived).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenFinding {
    /// Its rule id.
    pub rule: String,
    /// Its fingerprint.
    pub fingerprint: String,
    /// The file, for messages.
    pub path: String,
}

/// What a review found that mitigations can be checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFacts {
    /// Every rule id the review's detectors declare.
    pub rules_run: BTreeSet<String>,
    /// Findings left open, coverage findings excluded.
    pub open_findings: Vec<OpenFinding>,
    /// Coverage findings left open (parts of the delivery not fully checked).
    pub coverage_gaps: Vec<OpenFinding>,
    /// Required deliverables by the policy's glob, and whether the check passed.
    pub deliverables: BTreeMap<String, bool>,
    /// Kinds of evidence document current for the engagement.
    pub attestations: BTreeSet<String>,
}

/// The state of one mitigation in one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MitigationState {
    /// Every verification it names holds.
    Verified,
    /// One of its verifications does not hold.
    NotVerified,
    /// It names no verification: Oversight cannot check it.
    NoMethod,
}

/// The state of one threat in one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreatState {
    /// Its mitigations were verified in this delivery.
    Mitigated,
    /// Not shown countered by this delivery.
    Unmitigated,
    /// Not traced: accepted, transferred or not applicable, or its element
    /// is out of scope.
    NotTraced,
}

impl ThreatState {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ThreatState::Mitigated => "mitigated",
            ThreatState::Unmitigated => "unmitigated",
            ThreatState::NotTraced => "not-traced",
        }
    }
}

/// One mitigation's row of the traceability matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MitigationTrace {
    /// The mitigation's id in its threat.
    pub id: String,
    /// The engagement requirement it is (`TM-…`).
    pub requirement: String,
    /// How it is verified.
    pub verification: Vec<Verification>,
    /// Its state.
    pub state: MitigationState,
    /// Why, in words.
    pub reason: String,
}

/// One threat's row of the traceability matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatTrace {
    /// The threat's id.
    pub threat: String,
    /// Its title.
    pub title: String,
    /// The element it applies to.
    pub element: Option<String>,
    /// Its severity.
    pub severity: Severity,
    /// What the modeller says.
    pub status: ThreatStatus,
    /// What this delivery shows.
    pub state: ThreatState,
    /// Why, in words.
    pub reason: String,
    /// Each mitigation.
    pub mitigations: Vec<MitigationTrace>,
}

/// Traces every threat of `model` into the delivery `facts` describe.
pub fn trace(model: &ThreatModel, facts: &DeliveryFacts) -> Vec<ThreatTrace> {
    model
        .threats
        .iter()
        .map(|threat| {
            let mitigations: Vec<MitigationTrace> = threat
                .mitigations
                .iter()
                .map(|m| {
                    let (state, reason) = mitigation_state(&m.verification, facts);
                    MitigationTrace {
                        id: m.id.clone(),
                        requirement: m.requirement_id(threat),
                        verification: m.verification.clone(),
                        state,
                        reason,
                    }
                })
                .collect();
            let out_of_scope = threat
                .element
                .as_deref()
                .and_then(|e| model.element(e))
                .is_some_and(|e| e.out_of_scope);
            let checked: Vec<&MitigationTrace> = mitigations
                .iter()
                .filter(|m| m.state != MitigationState::NoMethod)
                .collect();
            let (state, reason) = if !threat.status.needs_mitigation() {
                (
                    ThreatState::NotTraced,
                    format!("the model marks it {}", threat.status),
                )
            } else if out_of_scope {
                (
                    ThreatState::NotTraced,
                    "its element is out of scope in the model".to_owned(),
                )
            } else if checked.is_empty() {
                (
                    ThreatState::Unmitigated,
                    if mitigations.is_empty() {
                        "no mitigation in the model".to_owned()
                    } else {
                        "no mitigation says how it is verified ([verify: …])".to_owned()
                    },
                )
            } else if let Some(failed) = checked
                .iter()
                .find(|m| m.state == MitigationState::NotVerified)
            {
                (
                    ThreatState::Unmitigated,
                    format!("mitigation {}: {}", failed.id, failed.reason),
                )
            } else {
                (
                    ThreatState::Mitigated,
                    checked
                        .iter()
                        .map(|m| m.reason.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            };
            ThreatTrace {
                threat: threat.id.clone(),
                title: threat.title.clone(),
                element: threat.element.clone(),
                severity: threat.severity,
                status: threat.status,
                state,
                reason,
                mitigations,
            }
        })
        .collect()
}

fn mitigation_state(
    verification: &[Verification],
    facts: &DeliveryFacts,
) -> (MitigationState, String) {
    if verification.is_empty() {
        return (
            MitigationState::NoMethod,
            "names no verification".to_owned(),
        );
    }
    let mut held = Vec::new();
    for v in verification {
        match check(v, facts) {
            Ok(why) => held.push(why),
            Err(why) => return (MitigationState::NotVerified, why),
        }
    }
    (MitigationState::Verified, held.join("; "))
}

fn check(v: &Verification, facts: &DeliveryFacts) -> Result<String, String> {
    match v {
        Verification::Rule(rule) => {
            if !facts.rules_run.iter().any(|r| v.covers_rule(r)) {
                return Err(format!("no rule `{rule}` ran in this review"));
            }
            if let Some(gap) = facts
                .coverage_gaps
                .iter()
                .find(|g| gap_touches(&g.rule, rule))
            {
                return Err(format!(
                    "`{rule}` did not check everything: {} in {}",
                    gap.rule, gap.path
                ));
            }
            let open: Vec<&OpenFinding> = facts
                .open_findings
                .iter()
                .filter(|f| v.covers_rule(&f.rule))
                .collect();
            match open.first() {
                Some(first) => Err(format!(
                    "{} open finding(s) of `{rule}`, first {} in {}",
                    open.len(),
                    first.rule,
                    first.path
                )),
                None => Ok(format!("`{rule}` ran with no open finding")),
            }
        }
        Verification::Deliverable(glob) => match facts.deliverables.get(glob) {
            Some(true) => Ok(format!("deliverable `{glob}` checked")),
            Some(false) => Err(format!("deliverable `{glob}` failed its check")),
            None => Err(format!(
                "deliverable `{glob}` is not required by the acceptance policy, so it was not checked"
            )),
        },
        Verification::Attestation(kind) => {
            if facts.attestations.contains(kind) {
                Ok(format!("current `{kind}` evidence kept"))
            } else {
                Err(format!(
                    "no current `{kind}` evidence kept for the engagement"
                ))
            }
        }
    }
}

/// Whether an open coverage finding of rule `gap` leaves the rule or
/// family `rule` unchecked. Missing advisory sources concern only
/// vulnerabilities and an unfinished behaviour analysis only the malicious
/// rules; any other gap (a file too large, a time budget, an unreadable
/// member) means some content was not read by any rule.
fn gap_touches(gap: &str, rule: &str) -> bool {
    match gap {
        "coverage.advisories-missing" => rule.starts_with("vulnerability"),
        "coverage.behaviour-analysis-incomplete" => rule.starts_with("malicious"),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Element, ElementKind, Mitigation, SourceFormat, Threat};

    fn model(verification: Vec<Verification>) -> ThreatModel {
        ThreatModel {
            format: SourceFormat::Otm,
            title: "t".into(),
            elements: vec![Element {
                id: "app".into(),
                name: "App".into(),
                kind: ElementKind::Process,
                parent: None,
                out_of_scope: false,
            }],
            flows: vec![],
            threats: vec![Threat {
                id: "t1".into(),
                title: "Leaked credentials".into(),
                description: String::new(),
                element: Some("app".into()),
                category: "Information disclosure".into(),
                stride: None,
                severity: Severity::High,
                status: ThreatStatus::Open,
                mitigations: vec![Mitigation {
                    id: "m1".into(),
                    text: "No secrets".into(),
                    verification,
                }],
            }],
        }
    }

    fn facts() -> DeliveryFacts {
        DeliveryFacts {
            rules_run: ["secret.aws-access-token".to_owned()].into(),
            ..DeliveryFacts::default()
        }
    }

    #[test]
    fn a_rule_that_ran_clean_verifies() {
        let t = trace(&model(vec![Verification::Rule("secret.".into())]), &facts());
        assert_eq!(t[0].state, ThreatState::Mitigated, "{t:?}");
    }

    #[test]
    fn an_open_finding_a_gap_or_a_rule_that_did_not_run_does_not() {
        let m = model(vec![Verification::Rule("secret.".into())]);
        let mut f = facts();
        f.open_findings.push(OpenFinding {
            rule: "secret.aws-access-token".into(),
            fingerprint: "x".into(),
            path: "a.env".into(),
        });
        assert_eq!(trace(&m, &f)[0].state, ThreatState::Unmitigated);
        let mut f = facts();
        f.coverage_gaps.push(OpenFinding {
            rule: "coverage.time-budget".into(),
            fingerprint: "x".into(),
            path: "big.bin".into(),
        });
        assert_eq!(trace(&m, &f)[0].state, ThreatState::Unmitigated);
        let f = DeliveryFacts::default();
        let t = trace(&m, &f);
        assert_eq!(t[0].state, ThreatState::Unmitigated);
        assert!(t[0].reason.contains("no rule"), "{}", t[0].reason);
    }

    #[test]
    fn no_method_is_unmitigated_and_accepted_is_not_traced() {
        let mut m = model(vec![]);
        assert_eq!(trace(&m, &facts())[0].state, ThreatState::Unmitigated);
        m.threats[0].status = ThreatStatus::Accepted;
        assert_eq!(trace(&m, &facts())[0].state, ThreatState::NotTraced);
    }

    #[test]
    fn deliverables_and_attestations() {
        let m = model(vec![
            Verification::Deliverable("SECURITY.md".into()),
            Verification::Attestation("security-attestation".into()),
        ]);
        let mut f = facts();
        f.deliverables.insert("SECURITY.md".into(), true);
        assert_eq!(trace(&m, &f)[0].state, ThreatState::Unmitigated);
        f.attestations.insert("security-attestation".into());
        assert_eq!(trace(&m, &f)[0].state, ThreatState::Mitigated);
    }
}
