//! Escrow deposits in the register: each deposit is one ledger event,
//! `escrow.deposited`, whose payload ([`DepositEvent`]) says which review
//! it holds and the deposit file's digest and size. The ledger is the
//! record: the status view reads deposits from it, not from a date typed
//! into the engagement file.

use serde::{Deserialize, Serialize};

use crate::register::{Register, RegisterError};

/// The ledger event kind of a deposit.
pub const ESCROW_DEPOSITED: &str = "escrow.deposited";

/// The payload of an `escrow.deposited` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositEvent {
    /// The review deposited.
    pub review: String,
    /// The delivery's content digest.
    pub delivery_digest: String,
    /// The deposit's file name.
    pub deposit: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Delivered files in it.
    pub files: usize,
}

/// A deposit as the ledger recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    /// The engagement.
    pub engagement: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Who made it.
    pub actor: String,
    /// The event's payload.
    pub event: DepositEvent,
}

impl Register {
    /// Records a deposit with one `escrow.deposited` event.
    pub async fn record_deposit(
        &self,
        engagement: &str,
        event: &DepositEvent,
    ) -> Result<oversight_ledger::SealedEvent, RegisterError> {
        self.require_engagement(engagement).await?;
        let payload = serde_json::to_value(event).expect("the deposit event serialises");
        self.ledger_append(ESCROW_DEPOSITED, engagement, &payload)
            .await
    }

    /// Every deposit the ledger records (of `engagement`, or of all when
    /// `None`), oldest first. An event whose payload does not read is an
    /// error naming it: the ledger is the record.
    pub async fn deposits(&self, engagement: Option<&str>) -> Result<Vec<Deposit>, RegisterError> {
        deposits_of(&self.store().events().await?, engagement)
    }
}

/// The deposits among `events`.
pub(crate) fn deposits_of(
    events: &[oversight_ledger::SealedEvent],
    engagement: Option<&str>,
) -> Result<Vec<Deposit>, RegisterError> {
    events
        .iter()
        .filter(|e| e.event.kind == ESCROW_DEPOSITED)
        .filter(|e| engagement.is_none_or(|id| e.event.subject == id))
        .map(|e| {
            let event: DepositEvent =
                serde_json::from_str(&e.event.payload).map_err(|why| RegisterError::Corrupt {
                    what: "escrow.deposited event",
                    id: e.seq.to_string(),
                    reason: why.to_string(),
                })?;
            Ok(Deposit {
                engagement: e.event.subject.clone(),
                recorded_at: e.event.timestamp.clone(),
                actor: e.event.actor.clone(),
                event,
            })
        })
        .collect()
}

/// What the status view knows of an engagement's escrow: the ledger's
/// deposits and the latest accepted delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscrowInputs {
    /// Every deposit, oldest first.
    pub deposits: Vec<Deposit>,
    /// Engagement → (delivery id, content digest) of its latest accepted review.
    pub latest_accepted: std::collections::HashMap<String, (String, String)>,
}

/// The escrow factor of one engagement: failing with no deposit in the
/// ledger or a deposit older than the agreed frequency allows; attention
/// when the latest deposit is not of the latest accepted delivery. The
/// date an engagement file states (`last_verified_deposit`) is read for
/// old files but is no evidence: it is only named.
pub(crate) fn escrow_state(
    engagement: &str,
    escrow: &crate::Escrow,
    period_days: Option<i64>,
    inputs: &EscrowInputs,
    today: jiff::civil::Date,
    due: &mut Vec<crate::status::DueItem>,
) -> (crate::status::FactorState, String) {
    use crate::status::{DueItem, FactorState};
    let last = inputs
        .deposits
        .iter()
        .rev()
        .find(|d| d.engagement == engagement);
    let Some(last) = last else {
        let stated = escrow
            .last_verified_deposit
            .map(|d| format!(" (the engagement file states {d}, which the ledger does not record)"))
            .unwrap_or_default();
        due.push(DueItem {
            engagement: engagement.to_owned(),
            what: format!("escrow deposit with {} never made{stated}", escrow.agent),
            date: None,
            overdue: true,
        });
        return (
            FactorState::Failing,
            format!("no deposit in the ledger{stated}"),
        );
    };
    let made: Option<jiff::civil::Date> = last
        .recorded_at
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    let mut states = Vec::new();
    if let (Some(days), Some(made)) = (period_days, made) {
        use jiff::ToSpan as _;
        let next = made.saturating_add(days.days());
        let left = (next - today).get_days();
        let what = format!("escrow deposit with {}", escrow.agent);
        if left < 0 {
            due.push(DueItem {
                engagement: engagement.to_owned(),
                what: what.clone(),
                date: Some(next),
                overdue: true,
            });
            states.push((
                FactorState::Failing,
                format!("last deposit {made} is older than the agreed frequency (due {next})"),
            ));
        } else if left <= crate::status::DUE_SOON_DAYS as i32 {
            due.push(DueItem {
                engagement: engagement.to_owned(),
                what,
                date: Some(next),
                overdue: false,
            });
            states.push((FactorState::Attention, format!("next deposit due {next}")));
        }
    }
    if let Some((delivery, digest)) = inputs.latest_accepted.get(engagement)
        && *digest != last.event.delivery_digest
    {
        due.push(DueItem {
            engagement: engagement.to_owned(),
            what: format!(
                "escrow deposit of the latest accepted delivery {delivery} (last deposit holds {})",
                last.event.review
            ),
            date: None,
            overdue: false,
        });
        states.push((
            FactorState::Attention,
            format!(
                "last deposit ({}) is not of the latest accepted delivery {delivery}",
                last.event.review
            ),
        ));
    }
    states
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0))
        .unwrap_or((FactorState::Ok, String::new()))
}

impl Register {
    /// The status view's escrow inputs: the ledger's deposits and each
    /// engagement's latest accepted delivery (two reads).
    pub async fn escrow_inputs(&self) -> Result<EscrowInputs, RegisterError> {
        let deposits = self.deposits(None).await?;
        let mut latest_accepted = std::collections::HashMap::new();
        for (delivery, outcome) in self.store().deliveries(None).await? {
            if matches!(outcome.as_str(), "accepted" | "accepted-with-waivers") {
                latest_accepted.insert(
                    delivery.engagement_id.clone(),
                    (delivery.id.clone(), delivery.content_digest.clone()),
                );
            }
        }
        Ok(EscrowInputs {
            deposits,
            latest_accepted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::FactorState;

    fn escrow() -> crate::Escrow {
        crate::Escrow {
            agent: "Agent".into(),
            deposit_frequency: crate::Frequency::Quarterly,
            release_conditions: Vec::new(),
            last_verified_deposit: Some("2025-01-31".parse().unwrap()),
        }
    }

    fn deposit(at: &str, digest: &str) -> Deposit {
        Deposit {
            engagement: "e".into(),
            recorded_at: at.into(),
            actor: "alice".into(),
            event: DepositEvent {
                review: "rev-1".into(),
                delivery_digest: digest.into(),
                deposit: "rev-1.tar.zst".into(),
                sha256: "00".into(),
                size: 1,
                files: 1,
            },
        }
    }

    #[test]
    fn the_ledger_decides_not_the_typed_date() {
        let today = "2025-06-01".parse().unwrap();
        let mut due = Vec::new();
        let none = escrow_state(
            "e",
            &escrow(),
            Some(92),
            &EscrowInputs::default(),
            today,
            &mut due,
        );
        assert_eq!(none.0, FactorState::Failing);
        assert!(none.1.contains("no deposit in the ledger") && none.1.contains("2025-01-31"));

        let mut inputs = EscrowInputs {
            deposits: vec![deposit("2025-05-20T10:00:00Z", "aa")],
            ..EscrowInputs::default()
        };
        assert_eq!(
            escrow_state("e", &escrow(), Some(92), &inputs, today, &mut due).0,
            FactorState::Ok
        );
        let late = "2025-09-01".parse().unwrap();
        let overdue = escrow_state("e", &escrow(), Some(92), &inputs, late, &mut due);
        assert_eq!(overdue.0, FactorState::Failing, "{overdue:?}");
        inputs
            .latest_accepted
            .insert("e".into(), ("rev-2".into(), "bb".into()));
        let behind = escrow_state("e", &escrow(), Some(92), &inputs, today, &mut due);
        assert_eq!(behind.0, FactorState::Attention);
        assert!(
            behind
                .1
                .contains("not of the latest accepted delivery rev-2")
        );
    }
}
