//! Monitoring: every engagement against every A.8.30 factor, and what is due.
//!
//! [`evaluate`] is a pure function of the register's contents and today's
//! date, so the same register always gives the same view and tests need no
//! clock. [`Register::status`] gathers the inputs with a fixed number of
//! queries, whatever the number of engagements or findings.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;
use oversight_store::{EvidenceRecord, LatestReview, WaiverRecord};

use crate::engagement::{Engagement, EngagementStatus, Factor, Frequency};
use crate::register::{Register, RegisterError};

/// How far ahead something counts as "due soon".
pub const DUE_SOON_DAYS: i64 = 30;
/// How far ahead an expiring waiver is listed.
pub const WAIVER_SOON_DAYS: i64 = 14;
/// How old a development-environment attestation may get.
pub const ATTESTATION_MAX_DAYS: i64 = 365;

/// The state of one factor of one engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FactorState {
    /// Nothing was agreed for this factor.
    NotAgreed,
    /// Agreed, and nothing needs doing.
    Ok,
    /// Agreed, but something is due soon or not yet shown.
    Attention,
    /// Agreed, and the terms are not met (overdue, expired, rejected).
    Failing,
}

impl FactorState {
    /// The name shown in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            FactorState::NotAgreed => "not agreed",
            FactorState::Ok => "ok",
            FactorState::Attention => "attention",
            FactorState::Failing => "failing",
        }
    }
}

/// One factor's state and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorStatus {
    /// The factor.
    pub factor: Factor,
    /// Its state.
    pub state: FactorState,
    /// Why, in a few words (empty when ok or not agreed).
    pub note: String,
}

/// One engagement's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// The engagement id.
    pub engagement: String,
    /// The supplier id.
    pub supplier: String,
    /// Lifecycle status.
    pub status: EngagementStatus,
    /// The latest review's outcome, when any.
    pub last_outcome: Option<String>,
    /// Every factor, in [`Factor::ALL`] order.
    pub factors: Vec<FactorStatus>,
}

/// Something due or overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    /// The engagement.
    pub engagement: String,
    /// What is due (`certificate iso27001-certificate expires`).
    pub what: String,
    /// When, if there is a date.
    pub date: Option<Date>,
    /// Already past.
    pub overdue: bool,
}

/// The monitoring view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The day it was computed for.
    pub today: Date,
    /// One row per engagement, ordered by id.
    pub rows: Vec<StatusRow>,
    /// What is due or overdue, overdue first, then by date.
    pub due: Vec<DueItem>,
}

/// The days a frequency allows between two occurrences (`None`: no recurrence).
fn period_days(frequency: Frequency) -> Option<i64> {
    match frequency {
        Frequency::Monthly => Some(31),
        Frequency::Quarterly => Some(92),
        Frequency::HalfYearly => Some(183),
        Frequency::Yearly => Some(366),
        Frequency::PerDelivery | Frequency::Once => None,
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    (to - from).get_days() as i64
}

/// Computes the monitoring view, with no escrow deposit recorded.
pub fn evaluate(
    engagements: &[Engagement],
    latest: &[LatestReview],
    waivers: &[WaiverRecord],
    evidence: &[EvidenceRecord],
    today: Date,
) -> StatusReport {
    evaluate_with(
        engagements,
        latest,
        waivers,
        evidence,
        &crate::escrow::EscrowInputs::default(),
        today,
    )
}

/// Computes the monitoring view, escrow deposits as the ledger records them.
pub fn evaluate_with(
    engagements: &[Engagement],
    latest: &[LatestReview],
    waivers: &[WaiverRecord],
    evidence: &[EvidenceRecord],
    escrow: &crate::escrow::EscrowInputs,
    today: Date,
) -> StatusReport {
    let latest: HashMap<&str, &LatestReview> = latest
        .iter()
        .map(|l| (l.engagement_id.as_str(), l))
        .collect();
    let mut rows = Vec::with_capacity(engagements.len());
    let mut due = Vec::new();
    // Closed or ended engagements are kept for the record but raise no
    // alarm: what they owe is no longer due.
    let mut finished = std::collections::HashSet::new();
    for e in engagements {
        let id = e.id.as_str();
        let review = latest.get(id).copied();
        let mut factors = Vec::with_capacity(Factor::ALL.len());
        let mut not_due = Vec::new();
        let over = e.refuses_deliveries(today).is_some();
        if over {
            finished.insert(id);
        }
        for &factor in Factor::ALL {
            let sink = if over { &mut not_due } else { &mut due };
            let (state, note) = factor_state(e, factor, review, evidence, escrow, today, sink);
            factors.push(FactorStatus {
                factor,
                state,
                note,
            });
        }
        if let Some(r) = review
            && r.outcome == "rejected"
            && !over
        {
            due.push(DueItem {
                engagement: id.to_owned(),
                what: format!(
                    "delivery {} was rejected and has not been resubmitted",
                    r.delivery_id
                ),
                date: r
                    .recorded_at
                    .parse::<jiff::Timestamp>()
                    .ok()
                    .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()),
                overdue: true,
            });
        }
        rows.push(StatusRow {
            engagement: id.to_owned(),
            supplier: e.supplier.to_string(),
            status: e.status,
            last_outcome: review.map(|r| r.outcome.clone()),
            factors,
        });
    }
    for w in waivers {
        if finished.contains(w.engagement_id.as_str()) {
            continue;
        }
        let Ok(expires) = w.expires.parse::<Date>() else {
            continue;
        };
        let left = days_between(today, expires);
        if (0..=WAIVER_SOON_DAYS).contains(&left) {
            due.push(DueItem {
                engagement: w.engagement_id.clone(),
                what: format!("waiver {} of {} expires", w.id, short(&w.fingerprint)),
                date: Some(expires),
                overdue: false,
            });
        }
    }
    rows.sort_by(|a, b| a.engagement.cmp(&b.engagement));
    due.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.date.cmp(&b.date))
            .then(a.engagement.cmp(&b.engagement))
            .then(a.what.cmp(&b.what))
    });
    StatusReport { today, rows, due }
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

/// A date-bound obligation: failing when past, attention when due soon.
fn deadline(
    engagement: &str,
    what: String,
    date: Date,
    today: Date,
    due: &mut Vec<DueItem>,
) -> (FactorState, String) {
    let left = days_between(today, date);
    if left < 0 {
        due.push(DueItem {
            engagement: engagement.to_owned(),
            what: what.clone(),
            date: Some(date),
            overdue: true,
        });
        (FactorState::Failing, format!("{what} {date} (overdue)"))
    } else if left <= DUE_SOON_DAYS {
        due.push(DueItem {
            engagement: engagement.to_owned(),
            what: what.clone(),
            date: Some(date),
            overdue: false,
        });
        (FactorState::Attention, format!("{what} {date}"))
    } else {
        (FactorState::Ok, String::new())
    }
}

fn worst(states: impl IntoIterator<Item = (FactorState, String)>) -> (FactorState, String) {
    states
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0))
        .unwrap_or((FactorState::Ok, String::new()))
}

fn blocking(review: &LatestReview, category: &str) -> i64 {
    review
        .blocking
        .iter()
        .filter(|(c, _)| c == category)
        .map(|(_, n)| n)
        .sum()
}

/// A factor checked on every delivery: failing when the latest review has
/// blocking findings of `category`, attention when nothing was reviewed yet.
fn per_delivery(review: Option<&LatestReview>, category: &str) -> (FactorState, String) {
    match review {
        None => (FactorState::Attention, "no delivery reviewed yet".into()),
        Some(r) => match blocking(r, category) {
            0 => (FactorState::Ok, String::new()),
            n => (
                FactorState::Failing,
                format!("{n} blocking {category} finding(s) in {}", r.delivery_id),
            ),
        },
    }
}

fn factor_state(
    e: &Engagement,
    factor: Factor,
    review: Option<&LatestReview>,
    evidence: &[EvidenceRecord],
    deposits: &crate::escrow::EscrowInputs,
    today: Date,
    due: &mut Vec<DueItem>,
) -> (FactorState, String) {
    let id = e.id.as_str();
    let t = &e.terms;
    let not_agreed = (FactorState::NotAgreed, String::new());
    match factor {
        Factor::LicensingIp => match &t.licensing {
            None => not_agreed,
            Some(_) => per_delivery(review, "license"),
        },
        Factor::SecurityRequirements => match &t.security {
            Some(s) if !s.requirements.is_empty() => (FactorState::Ok, String::new()),
            _ => not_agreed,
        },
        Factor::ThreatModel => match &t.threat_model {
            None => not_agreed,
            Some(m) if m.handed_over.is_none() => {
                (FactorState::Attention, "not handed over yet".into())
            }
            Some(m) if !m.acknowledged => (
                FactorState::Attention,
                "not acknowledged by the supplier".into(),
            ),
            Some(_) => (FactorState::Ok, String::new()),
        },
        Factor::AcceptanceTesting => match (&t.acceptance, review) {
            (None, _) => not_agreed,
            (Some(_), None) => (FactorState::Attention, "no delivery reviewed yet".into()),
            (Some(_), Some(r)) if r.outcome == "rejected" => (
                FactorState::Failing,
                format!("latest delivery {} rejected", r.delivery_id),
            ),
            (Some(_), Some(_)) => (FactorState::Ok, String::new()),
        },
        Factor::Assurance => match &t.assurance {
            None => not_agreed,
            Some(a) if a.evidence.is_empty() => not_agreed,
            Some(a) => worst(a.evidence.iter().map(|req| {
                // The latest expiry among the terms and the documents kept.
                let kept = evidence
                    .iter()
                    .filter(|d| d.engagement_id == id && d.kind == req.kind)
                    .filter_map(|d| d.expires.as_deref()?.parse::<Date>().ok())
                    .max();
                let has_document = evidence
                    .iter()
                    .any(|d| d.engagement_id == id && d.kind == req.kind);
                match req.expires.into_iter().chain(kept).max() {
                    Some(date) => deadline(id, format!("{} expires", req.kind), date, today, due),
                    None if has_document => (FactorState::Ok, String::new()),
                    None => {
                        due.push(DueItem {
                            engagement: id.to_owned(),
                            what: format!("{} not provided", req.kind),
                            date: None,
                            overdue: true,
                        });
                        (FactorState::Attention, format!("{} not provided", req.kind))
                    }
                }
            })),
        },
        Factor::MaliciousContent => match &t.testing {
            Some(testing) if testing.malicious_content_scan => per_delivery(review, "malicious"),
            _ => not_agreed,
        },
        Factor::VulnerabilityTesting => match &t.testing {
            Some(testing) if testing.vulnerability_scan => {
                match (per_delivery(review, "vulnerability"), review) {
                    ((FactorState::Ok, _), Some(r))
                        if blocking(r, oversight_store::UNCHECKED_VULNERABILITY) > 0 =>
                    {
                        (
                            FactorState::Failing,
                            format!(
                                "{} finding(s) in {}: components not checked against a complete advisory database",
                                blocking(r, oversight_store::UNCHECKED_VULNERABILITY),
                                r.delivery_id
                            ),
                        )
                    }
                    (state, _) => state,
                }
            }
            _ => not_agreed,
        },
        Factor::Escrow => match &t.escrow {
            None => not_agreed,
            Some(escrow) => crate::escrow::escrow_state(
                id,
                escrow,
                period_days(escrow.deposit_frequency),
                deposits,
                today,
                due,
            ),
        },
        Factor::RightToAudit => match &t.audit {
            None => not_agreed,
            Some(audit) => {
                let mut states = Vec::new();
                if let Some(next) = audit.next_due {
                    states.push(deadline(id, "audit due".into(), next, today, due));
                }
                if !audit.findings.is_empty() {
                    states.push((
                        FactorState::Attention,
                        format!("{} open audit finding(s)", audit.findings.len()),
                    ));
                }
                worst(states)
            }
        },
        Factor::DevelopmentEnvironment => match &t.environment {
            None => not_agreed,
            Some(env) => match env.last_attestation {
                None => (FactorState::Attention, "never attested".into()),
                Some(last) => deadline(
                    id,
                    "development-environment attestation renewal".into(),
                    last.saturating_add(ATTESTATION_MAX_DAYS.days()),
                    today,
                    due,
                ),
            },
        },
        Factor::Legislation => match &t.legislation {
            None => not_agreed,
            Some(l) if !l.dpa_signed && !l.personal_data_categories.is_empty() => (
                FactorState::Failing,
                "personal data processed without a signed DPA".into(),
            ),
            Some(_) => (FactorState::Ok, String::new()),
        },
    }
}

impl Register {
    /// The monitoring view of every engagement for `today`.
    pub async fn status(&self, today: Date) -> Result<StatusReport, RegisterError> {
        let records = self.store().engagements().await?;
        let engagements = parse_all(&records, self.catalogue())?;
        let latest = self.store().latest_reviews().await?;
        let waivers = self.store().waivers(None).await?;
        let evidence = self.store().evidence(None).await?;
        let escrow = if engagements.iter().any(|e| e.terms.escrow.is_some()) {
            self.escrow_inputs().await?
        } else {
            crate::escrow::EscrowInputs::default()
        };
        let mut report = evaluate_with(&engagements, &latest, &waivers, &evidence, &escrow, today);
        let threat_models = self.threat_model_states().await?;
        crate::threats::apply_states(&mut report, &threat_models);
        Ok(report)
    }
}

/// Parses the stored engagements on every core: with a thousand
/// engagements, parsing their documents is most of the status view's time.
fn parse_all(
    records: &[oversight_store::EngagementRecord],
    catalogue: &crate::Catalogue,
) -> Result<Vec<Engagement>, RegisterError> {
    let parse = |record: &oversight_store::EngagementRecord| {
        crate::format::parse_engagement(
            &record.document,
            &format!("stored engagement `{}`", record.id),
            catalogue,
        )
        .map_err(|e| RegisterError::Corrupt {
            what: "engagement",
            id: record.id.clone(),
            reason: e.to_string(),
        })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = records.len().div_ceil(threads).max(64);
    std::thread::scope(|scope| {
        let workers: Vec<_> = records
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(parse).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut all = Vec::with_capacity(records.len());
        for worker in workers {
            all.extend(
                worker
                    .join()
                    .expect("parsing an engagement does not panic")?,
            );
        }
        Ok(all)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalogue;

    const EXAMPLE: &str = include_str!("../../../examples/engagement.toml");

    fn example() -> Engagement {
        crate::format::parse_engagement(EXAMPLE, "examples/engagement.toml", &Catalogue::builtin())
            .unwrap()
    }

    fn state(report: &StatusReport, factor: Factor) -> &FactorStatus {
        report.rows[0]
            .factors
            .iter()
            .find(|f| f.factor == factor)
            .unwrap()
    }

    #[test]
    fn the_example_engagement_shows_expired_certificate_and_missing_review() {
        let today: Date = "2025-11-15".parse().unwrap();
        let report = evaluate(&[example()], &[], &[], &[], today);
        // iso27001-certificate expires 2025-11-30: within 30 days.
        let assurance = state(&report, Factor::Assurance);
        assert_eq!(assurance.state, FactorState::Attention, "{assurance:?}");
        assert!(assurance.note.contains("iso27001-certificate"));
        assert_eq!(
            state(&report, Factor::AcceptanceTesting).state,
            FactorState::Attention
        );
        let later: Date = "2025-12-15".parse().unwrap();
        let report = evaluate(&[example()], &[], &[], &[], later);
        assert_eq!(
            state(&report, Factor::Assurance).state,
            FactorState::Failing
        );
        assert!(
            report
                .due
                .iter()
                .any(|d| d.overdue && d.what.contains("iso27001"))
        );
    }

    #[test]
    fn a_review_that_checked_no_vulnerability_does_not_pass_the_factor() {
        let today: Date = "2025-06-01".parse().unwrap();
        let latest = LatestReview {
            engagement_id: "acme-portal".into(),
            delivery_id: "rev-1".into(),
            outcome: "accepted".into(),
            recorded_at: "2025-05-30T10:00:00Z".into(),
            last_accepted_at: Some("2025-05-30T10:00:00Z".into()),
            blocking: vec![(oversight_store::UNCHECKED_VULNERABILITY.into(), 3)],
        };
        let report = evaluate(&[example()], &[latest], &[], &[], today);
        let vulnerability = state(&report, Factor::VulnerabilityTesting);
        assert_eq!(
            vulnerability.state,
            FactorState::Failing,
            "{vulnerability:?}"
        );
        assert!(
            vulnerability
                .note
                .contains("not checked against a complete advisory database")
        );
    }

    #[test]
    fn closed_or_ended_engagements_raise_no_alarm() {
        let latest = LatestReview {
            engagement_id: "acme-portal".into(),
            delivery_id: "rev-1".into(),
            outcome: "rejected".into(),
            recorded_at: "2025-05-30T10:00:00Z".into(),
            last_accepted_at: None,
            blocking: vec![("secret".into(), 2)],
        };
        let today: Date = "2025-12-15".parse().unwrap();
        let open = evaluate(&[example()], std::slice::from_ref(&latest), &[], &[], today);
        assert!(!open.due.is_empty(), "the open engagement owes things");
        let mut closed = example();
        closed.status = EngagementStatus::Closed;
        let report = evaluate(&[closed], std::slice::from_ref(&latest), &[], &[], today);
        assert!(report.due.is_empty(), "{:?}", report.due);
        let ended: Date = "2029-02-01".parse().unwrap();
        let report = evaluate(&[example()], &[latest], &[], &[], ended);
        assert!(report.due.is_empty(), "{:?}", report.due);
    }

    #[test]
    fn a_rejected_delivery_fails_acceptance_and_is_listed_as_due() {
        let today: Date = "2025-06-01".parse().unwrap();
        let latest = LatestReview {
            engagement_id: "acme-portal".into(),
            delivery_id: "rev-1".into(),
            outcome: "rejected".into(),
            recorded_at: "2025-05-30T10:00:00Z".into(),
            last_accepted_at: None,
            blocking: vec![("secret".into(), 2), ("malicious".into(), 1)],
        };
        let report = evaluate(&[example()], &[latest], &[], &[], today);
        assert_eq!(
            state(&report, Factor::AcceptanceTesting).state,
            FactorState::Failing
        );
        let malicious = state(&report, Factor::MaliciousContent);
        assert_eq!(malicious.state, FactorState::Failing);
        assert!(malicious.note.starts_with("1 blocking malicious"));
        assert_eq!(
            state(&report, Factor::VulnerabilityTesting).state,
            FactorState::Ok
        );
        assert!(
            report
                .due
                .iter()
                .any(|d| d.what.contains("rev-1 was rejected"))
        );
    }

    #[test]
    fn an_uploaded_certificate_extends_the_terms_expiry() {
        let today: Date = "2025-12-15".parse().unwrap();
        let kept = EvidenceRecord {
            id: "evd-1".into(),
            engagement_id: "acme-portal".into(),
            kind: "iso27001-certificate".into(),
            name: "cert.pdf".into(),
            sha256: "00".repeat(32),
            size: 10,
            expires: Some("2026-12-01".into()),
            added_by: "jane".into(),
            added_at: "2025-12-01T00:00:00Z".into(),
        };
        let report = evaluate(&[example()], &[], &[], &[kept], today);
        assert!(
            !report.due.iter().any(|d| d.what.contains("iso27001")),
            "{:?}",
            report.due
        );
    }

    #[test]
    fn waivers_expiring_soon_are_due() {
        let today: Date = "2025-06-01".parse().unwrap();
        let waiver = |id: &str, expires: &str| WaiverRecord {
            id: id.into(),
            engagement_id: "acme-portal".into(),
            fingerprint: "ab".repeat(32),
            content_sha256: None,
            reason: "r".into(),
            requester: "a".into(),
            approver: "b".into(),
            expires: expires.into(),
            granted_at: "2025-05-01T00:00:00Z".into(),
        };
        let report = evaluate(
            &[example()],
            &[],
            &[
                waiver("wvr-soon", "2025-06-10"),
                waiver("wvr-later", "2025-09-01"),
            ],
            &[],
            today,
        );
        assert!(report.due.iter().any(|d| d.what.contains("wvr-soon")));
        assert!(!report.due.iter().any(|d| d.what.contains("wvr-later")));
    }
}
