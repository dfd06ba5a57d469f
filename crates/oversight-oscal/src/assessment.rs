//! The engagement's assessment: plan, results (one result per review) and
//! plan of action and milestones, from plain inputs the caller gathers
//! from the register (this crate knows no storage).

use std::collections::BTreeMap;

use oversight_register::{Catalogue, Factor};
use serde::{Deserialize, Serialize};

use crate::catalog::control_id;
use crate::common::{Metadata, OSCAL_VERSION, Property, stable_uuid};

/// One finding of a review, as recorded.
#[derive(Debug, Clone)]
pub struct FindingInput {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Category (`secret`, `malicious`, …).
    pub category: String,
    /// Severity.
    pub severity: String,
    /// File.
    pub path: String,
    /// What it says.
    pub message: String,
    /// `blocking`, `waived` or `noted`.
    pub disposition: String,
    /// The waiver that covered it.
    pub waiver: Option<String>,
}

/// One review.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    /// The review id.
    pub id: String,
    /// When the delivery was recorded (RFC 3339).
    pub recorded_at: String,
    /// When it was decided.
    pub decided_at: String,
    /// The decision.
    pub outcome: String,
    /// Who decided.
    pub reviewer: String,
    /// The delivery's content digest.
    pub content_digest: String,
    /// Its findings.
    pub findings: Vec<FindingInput>,
}

/// One waiver.
#[derive(Debug, Clone)]
pub struct WaiverInput {
    /// Its id.
    pub id: String,
    /// The finding it waives.
    pub fingerprint: String,
    /// Why.
    pub reason: String,
    /// Last day it applies.
    pub expires: String,
    /// Who asked.
    pub requester: String,
    /// Who approved.
    pub approver: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// The engagement and what it recorded.
#[derive(Debug, Clone)]
pub struct EngagementInput<'a> {
    /// The engagement id.
    pub id: String,
    /// The system developed.
    pub system: String,
    /// The supplier.
    pub supplier: String,
    /// The requirement ids it agreed (all of the catalogue's when empty).
    pub requirements: Vec<String>,
    /// The catalogue the ids refer to.
    pub catalogue: &'a Catalogue,
    /// Reviews, oldest first.
    pub reviews: Vec<ReviewInput>,
    /// Waivers.
    pub waivers: Vec<WaiverInput>,
    /// The export's time (RFC 3339): the documents' `last-modified`.
    pub now: String,
}

impl EngagementInput<'_> {
    fn requirement_ids(&self) -> Vec<String> {
        if self.requirements.is_empty() {
            self.catalogue.iter().map(|r| r.id.clone()).collect()
        } else {
            self.requirements.clone()
        }
    }

    /// The agreed requirements a finding of `category` bears on.
    fn requirements_of(&self, category: &str) -> Vec<String> {
        let factor = match category {
            "secret" | "malicious" | "integrity" => Factor::MaliciousContent,
            "vulnerability" => Factor::VulnerabilityTesting,
            "license" => Factor::LicensingIp,
            "privacy" => Factor::Legislation,
            _ => Factor::AcceptanceTesting,
        };
        self.requirement_ids()
            .into_iter()
            .filter(|id| self.catalogue.get(id).is_some_and(|r| r.factor == factor))
            .collect()
    }

    fn metadata(&self, what: &str) -> Metadata {
        Metadata {
            title: format!(
                "{what}: {} ({}, supplier {})",
                self.system, self.id, self.supplier
            ),
            last_modified: self.now.clone(),
            version: format!("{} review(s)", self.reviews.len()),
            oscal_version: OSCAL_VERSION.to_owned(),
        }
    }

    fn reviewed_controls(&self) -> ReviewedControls {
        ReviewedControls {
            control_selections: vec![ControlSelection {
                include_controls: self
                    .requirement_ids()
                    .iter()
                    .map(|id| ControlRef {
                        control_id: control_id(id),
                    })
                    .collect(),
            }],
        }
    }
}

/// `{"assessment-plan": …}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssessmentPlanDocument {
    /// The plan.
    #[serde(rename = "assessment-plan")]
    pub assessment_plan: AssessmentPlan,
}

/// What is checked and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentPlan {
    /// Stable UUID.
    pub uuid: String,
    /// Metadata.
    pub metadata: Metadata,
    /// The system's security plan (the engagement's terms).
    pub import_ssp: Href,
    /// The agreed requirements.
    pub reviewed_controls: ReviewedControls,
    /// How each requirement is verified.
    pub terms_and_conditions: TermsAndConditions,
}

/// Terms of the plan: one part per verification method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TermsAndConditions {
    /// Its parts.
    pub parts: Vec<PlanPart>,
}

/// One part of the terms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanPart {
    /// `method`.
    pub name: String,
    /// Its title.
    pub title: String,
    /// What is done.
    pub prose: String,
}

/// A reference to another document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Href {
    /// Where it is.
    pub href: String,
}

/// Controls assessed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReviewedControls {
    /// The selection.
    pub control_selections: Vec<ControlSelection>,
}

/// A selection of controls.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ControlSelection {
    /// The controls.
    pub include_controls: Vec<ControlRef>,
}

/// A control by id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ControlRef {
    /// The control id.
    pub control_id: String,
}

/// `{"assessment-results": …}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssessmentResultsDocument {
    /// The results.
    #[serde(rename = "assessment-results")]
    pub assessment_results: AssessmentResults,
}

/// Every review as a result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentResults {
    /// Stable UUID.
    pub uuid: String,
    /// Metadata.
    pub metadata: Metadata,
    /// The plan.
    pub import_ap: Href,
    /// One per review (one saying so when there is none).
    pub results: Vec<AssessmentResult>,
}

/// One review.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentResult {
    /// Stable UUID (of the review id).
    pub uuid: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// When the delivery was recorded.
    pub start: String,
    /// When it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Decision, reviewer, content digest, A.8.30.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// The agreed requirements.
    pub reviewed_controls: ReviewedControls,
    /// One per recorded finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    /// One per requirement the findings bear on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// A recorded finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Observation {
    /// Stable UUID (review and fingerprint).
    pub uuid: String,
    /// Rule and file.
    pub title: String,
    /// The message.
    pub description: String,
    /// `TEST` (automated checks of the delivery).
    pub methods: Vec<String>,
    /// Fingerprint, rule, category, severity, path, disposition, waiver.
    pub props: Vec<Property>,
    /// When it was collected.
    pub collected: String,
}

/// The state of a requirement in a review.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    /// Stable UUID (review and requirement).
    pub uuid: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// A.8.30 and the factor.
    pub props: Vec<Property>,
    /// The requirement.
    pub target: FindingTarget,
    /// Its observations.
    pub related_observations: Vec<RelatedObservation>,
}

/// What a finding is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FindingTarget {
    /// `objective-id`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The control id.
    pub target_id: String,
    /// Satisfied or not.
    pub status: Status,
}

/// `satisfied` or `not-satisfied`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Status {
    /// The state.
    pub state: String,
}

/// A reference to an observation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RelatedObservation {
    /// Its UUID.
    pub observation_uuid: String,
}

/// `{"plan-of-action-and-milestones": …}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoamDocument {
    /// The POA&M.
    #[serde(rename = "plan-of-action-and-milestones")]
    pub poam: Poam,
}

/// Open findings and waivers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Poam {
    /// Stable UUID.
    pub uuid: String,
    /// Metadata.
    pub metadata: Metadata,
    /// One per open finding of the latest review and per waiver in force.
    pub poam_items: Vec<PoamItem>,
}

/// One item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoamItem {
    /// Stable UUID.
    pub uuid: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Fingerprint, severity, expiry, requirement ids.
    pub props: Vec<Property>,
}

fn a830() -> Property {
    Property::oversight("iso27001-2022-control", "A.8.30")
}

/// The engagement's assessment plan.
pub fn assessment_plan(input: &EngagementInput<'_>) -> AssessmentPlanDocument {
    AssessmentPlanDocument {
        assessment_plan: AssessmentPlan {
            uuid: stable_uuid("assessment-plan", &input.id),
            metadata: input.metadata("Assessment plan"),
            import_ssp: Href {
                href: "engagement.toml".to_owned(),
            },
            reviewed_controls: input.reviewed_controls(),
            terms_and_conditions: TermsAndConditions {
                parts: vec![
                    PlanPart {
                        name: "method".to_owned(),
                        title: "Automated checks of every delivery".to_owned(),
                        prose: "Each delivery is reviewed by Oversight: read once, never built or run, every detector (malicious content, secrets, licences, dependencies and advisories) on the same pass, then the engagement's agreed acceptance policy decides. Requirements verified by automated-check are assessed this way.".to_owned(),
                    },
                    PlanPart {
                        name: "method".to_owned(),
                        title: "Evidence documents and attestations".to_owned(),
                        prose: "Requirements verified by evidence-document or supplier-attestation are assessed from the documents kept for the engagement, with their expiry.".to_owned(),
                    },
                ],
            },
        },
    }
}

/// The engagement's assessment results: one result per review; an
/// engagement with no review gives one result that says so, with no
/// observation and no finding.
pub fn assessment_results(input: &EngagementInput<'_>) -> AssessmentResultsDocument {
    let mut results: Vec<AssessmentResult> = input
        .reviews
        .iter()
        .map(|r| review_result(input, r))
        .collect();
    if results.is_empty() {
        results.push(AssessmentResult {
            uuid: stable_uuid("no-review", &input.id),
            title: "No review recorded".to_owned(),
            description: format!(
                "Engagement {} has no recorded review: nothing has been assessed yet.",
                input.id
            ),
            start: input.now.clone(),
            end: None,
            props: vec![a830()],
            reviewed_controls: input.reviewed_controls(),
            observations: Vec::new(),
            findings: Vec::new(),
        });
    }
    AssessmentResultsDocument {
        assessment_results: AssessmentResults {
            uuid: stable_uuid("assessment-results", &input.id),
            metadata: input.metadata("Assessment results"),
            import_ap: Href {
                href: "assessment-plan.json".to_owned(),
            },
            results,
        },
    }
}

fn review_result(input: &EngagementInput<'_>, review: &ReviewInput) -> AssessmentResult {
    let mut observations = Vec::new();
    let mut by_requirement: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
    for f in &review.findings {
        let uuid = stable_uuid("observation", &format!("{}:{}", review.id, f.fingerprint));
        let mut props = vec![
            Property::oversight("fingerprint", f.fingerprint.clone()),
            Property::oversight("rule", f.rule.clone()),
            Property::oversight("category", f.category.clone()),
            Property::oversight("severity", f.severity.clone()),
            Property::oversight("disposition", f.disposition.clone()),
        ];
        if let Some(w) = &f.waiver {
            props.push(Property::oversight("waiver", w.clone()));
        }
        let mut requirements = input.requirements_of(&f.category);
        if requirements.is_empty() {
            requirements.push("a.8.30".to_owned());
        }
        for id in requirements {
            let entry = by_requirement.entry(id).or_default();
            entry.0 |= f.disposition == "blocking";
            entry.1.push(uuid.clone());
        }
        observations.push(Observation {
            uuid,
            title: format!("{} in {}", f.rule, f.path),
            description: if f.message.is_empty() {
                f.rule.clone()
            } else {
                f.message.clone()
            },
            methods: vec!["TEST".to_owned()],
            props,
            collected: review.recorded_at.clone(),
        });
    }
    let findings = by_requirement
        .into_iter()
        .map(|(id, (blocking, related))| {
            let target = if id == "a.8.30" {
                id.clone()
            } else {
                control_id(&id)
            };
            Finding {
                uuid: stable_uuid("finding", &format!("{}:{id}", review.id)),
                title: format!("{id} in review {}", review.id),
                description: format!(
                    "{} finding(s) of review {} bear on {id}; {}.",
                    related.len(),
                    review.id,
                    if blocking {
                        "at least one blocks acceptance"
                    } else {
                        "none blocks acceptance (noted or waived)"
                    }
                ),
                props: vec![a830()],
                target: FindingTarget {
                    kind: "objective-id".to_owned(),
                    target_id: target,
                    status: Status {
                        state: if blocking {
                            "not-satisfied"
                        } else {
                            "satisfied"
                        }
                        .to_owned(),
                    },
                },
                related_observations: related
                    .into_iter()
                    .map(|observation_uuid| RelatedObservation { observation_uuid })
                    .collect(),
            }
        })
        .collect();
    AssessmentResult {
        uuid: stable_uuid("review", &review.id),
        title: format!("Review {}", review.id),
        description: format!(
            "Delivery {} reviewed by {}: {} ({} finding(s)).",
            review.content_digest,
            review.reviewer,
            review.outcome,
            review.findings.len()
        ),
        start: review.recorded_at.clone(),
        end: Some(review.decided_at.clone()),
        props: vec![
            a830(),
            Property::oversight("decision", review.outcome.clone()),
            Property::oversight("content-digest", review.content_digest.clone()),
        ],
        reviewed_controls: input.reviewed_controls(),
        observations,
        findings,
    }
}

/// The plan of action and milestones: the blocking findings of the latest
/// review, and every waiver not revoked, with its expiry.
pub fn poam(input: &EngagementInput<'_>) -> PoamDocument {
    let mut items = Vec::new();
    if let Some(latest) = input.reviews.last() {
        for f in latest
            .findings
            .iter()
            .filter(|f| f.disposition == "blocking")
        {
            let mut props = vec![
                a830(),
                Property::oversight("fingerprint", f.fingerprint.clone()),
                Property::oversight("severity", f.severity.clone()),
                Property::oversight("review", latest.id.clone()),
            ];
            props.extend(
                input
                    .requirements_of(&f.category)
                    .into_iter()
                    .map(|id| Property::oversight("requirement", id)),
            );
            items.push(PoamItem {
                uuid: stable_uuid("poam-finding", &format!("{}:{}", latest.id, f.fingerprint)),
                title: format!("Open: {} in {}", f.rule, f.path),
                description: format!("{} (blocks acceptance of review {})", f.message, latest.id),
                props,
            });
        }
    }
    for w in input.waivers.iter().filter(|w| w.revoked_at.is_none()) {
        items.push(PoamItem {
            uuid: stable_uuid("poam-waiver", &w.id),
            title: format!("Waiver {} of {}", w.id, w.fingerprint),
            description: format!(
                "{} (asked by {}, approved by {}; applies until {}).",
                w.reason, w.requester, w.approver, w.expires
            ),
            props: vec![
                a830(),
                Property::oversight("fingerprint", w.fingerprint.clone()),
                Property::oversight("waiver-expires", w.expires.clone()),
            ],
        });
    }
    if items.is_empty() {
        // OSCAL wants at least one item: an explicit "nothing open".
        items.push(PoamItem {
            uuid: stable_uuid("poam-none", &input.id),
            title: "No open item".to_owned(),
            description: format!(
                "Engagement {} has no blocking finding in its latest review and no waiver in force.",
                input.id
            ),
            props: vec![a830()],
        });
    }
    PoamDocument {
        poam: Poam {
            uuid: stable_uuid("poam", &input.id),
            metadata: input.metadata("Plan of action and milestones"),
            poam_items: items,
        },
    }
}
