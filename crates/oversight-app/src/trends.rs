//! Trends of an engagement or of the organisation, read from the register:
//! findings by category over the latest deliveries, time to acceptance
//! (days from an engagement's first delivery to its first accepted one),
//! and the waivers in force with their expiry. The web pages and the
//! evidence pack's `index.html` draw them with the same charts.

use std::collections::BTreeMap;

use oversight_register::Register;
use oversight_web::charts::{Bar, Chart, ChartText};

use crate::error::Result;

/// How many of the latest deliveries the findings chart shows.
pub const DELIVERIES_SHOWN: usize = 12;

/// One delivery's findings counted by category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Its engagement.
    pub engagement: String,
    /// The review.
    pub review: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The decision's outcome.
    pub outcome: String,
    /// Findings per category.
    pub by_category: BTreeMap<String, u64>,
}

/// How long an engagement took to an accepted delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// The engagement.
    pub engagement: String,
    /// The day of its first delivery.
    pub first_delivery: String,
    /// The day of its first accepted delivery, if any.
    pub accepted: Option<String>,
    /// Days from the first delivery to the first accepted one, or to
    /// today when none is accepted yet.
    pub days: i64,
}

/// A waiver in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenWaiver {
    /// The waiver.
    pub id: String,
    /// Its engagement.
    pub engagement: String,
    /// Its last day.
    pub expires: String,
    /// Days left from today (negative: expired, not revoked).
    pub days_left: i64,
}

/// The trends of an engagement or of the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trends {
    /// The latest deliveries, oldest first, at most [`DELIVERIES_SHOWN`].
    pub deliveries: Vec<DeliveryCounts>,
    /// Per engagement with a delivery.
    pub acceptance: Vec<Acceptance>,
    /// Waivers in force, soonest expiry first (empty when the reader may
    /// not see waivers).
    pub waivers: Vec<OpenWaiver>,
    /// Whether the reader may see waivers (their chart is drawn).
    pub waivers_read: bool,
}

fn day(rfc3339: &str) -> Option<jiff::civil::Date> {
    rfc3339
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

fn days_between(from: jiff::civil::Date, to: jiff::civil::Date) -> i64 {
    to.since(from).map_or(0, |s| i64::from(s.get_days()))
}

/// Whether `outcome` accepts the delivery.
pub fn accepts(outcome: &str) -> bool {
    outcome == "accepted" || outcome == "accepted-with-waivers"
}

impl Trends {
    /// The trends of `engagements` on `today`, with their waivers when
    /// `waivers` (the reader may see them).
    pub async fn of(
        register: &Register,
        engagements: &[String],
        today: jiff::civil::Date,
        waivers: bool,
    ) -> Result<Trends> {
        let mut trends = Trends {
            waivers_read: waivers,
            ..Trends::default()
        };
        let mut all = Vec::new();
        for id in engagements {
            let deliveries = register.deliveries(id).await?;
            if let Some((first, _)) = deliveries.first() {
                let accepted = deliveries.iter().find(|(_, o)| accepts(o));
                let start = day(&first.recorded_at).unwrap_or(today);
                let end = accepted
                    .and_then(|(d, _)| day(&d.recorded_at))
                    .unwrap_or(today);
                trends.acceptance.push(Acceptance {
                    engagement: id.clone(),
                    first_delivery: start.to_string(),
                    accepted: accepted
                        .and_then(|(d, _)| day(&d.recorded_at).map(|d| d.to_string())),
                    days: days_between(start, end),
                });
            }
            all.extend(deliveries);
            if waivers {
                for w in register
                    .waivers_in_force(id, jiff::Timestamp::now())
                    .await?
                {
                    let days_left = w
                        .expires
                        .parse::<jiff::civil::Date>()
                        .map_or(0, |e| days_between(today, e));
                    trends.waivers.push(OpenWaiver {
                        id: w.id,
                        engagement: w.engagement_id,
                        expires: w.expires,
                        days_left,
                    });
                }
            }
        }
        all.sort_by(|a, b| a.0.recorded_at.cmp(&b.0.recorded_at));
        let skip = all.len().saturating_sub(DELIVERIES_SHOWN);
        for (delivery, outcome) in all.into_iter().skip(skip) {
            let review = register.review(&delivery.id).await?;
            let mut by_category = BTreeMap::new();
            for f in &review.findings {
                *by_category.entry(f.category.clone()).or_insert(0) += 1;
            }
            trends.deliveries.push(DeliveryCounts {
                engagement: delivery.engagement_id,
                review: delivery.id,
                recorded_at: delivery.recorded_at,
                outcome,
                by_category,
            });
        }
        trends
            .waivers
            .sort_by(|a, b| a.days_left.cmp(&b.days_left).then(a.id.cmp(&b.id)));
        Ok(trends)
    }

    /// The charts, their ids prefixed with `prefix`; `several` when the
    /// trends span engagements (bars then name theirs).
    pub fn charts(&self, prefix: &str, several: bool) -> Vec<Chart> {
        let categories: Vec<String> = self
            .deliveries
            .iter()
            .flat_map(|d| d.by_category.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let findings: Vec<Bar> = self
            .deliveries
            .iter()
            .map(|d| {
                let short: String = d.review.chars().take(14).collect();
                let when = day(&d.recorded_at)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                Bar {
                    label: if several {
                        format!("{} {short}", d.engagement)
                    } else {
                        format!("{when} {short}")
                    },
                    values: categories
                        .iter()
                        .map(|c| d.by_category.get(c).copied().unwrap_or(0))
                        .collect(),
                    note: format!(
                        "{} findings, {}",
                        d.by_category.values().sum::<u64>(),
                        d.outcome
                    ),
                }
            })
            .collect();
        let series = if categories.is_empty() {
            vec!["findings".to_owned()]
        } else {
            categories
        };
        let acceptance: Vec<Bar> = self
            .acceptance
            .iter()
            .map(|a| Bar {
                label: a.engagement.clone(),
                values: if a.accepted.is_some() {
                    vec![a.days.max(0) as u64, 0]
                } else {
                    vec![0, a.days.max(0) as u64]
                },
                note: match &a.accepted {
                    Some(day) => format!("{} days, accepted {day}", a.days),
                    None => format!("{} days so far, not accepted", a.days),
                },
            })
            .collect();
        let waivers: Vec<Bar> = self
            .waivers
            .iter()
            .map(|w| Bar {
                label: if several {
                    format!("{} {}", w.engagement, w.id)
                } else {
                    w.id.clone()
                },
                values: vec![w.days_left.max(0) as u64],
                note: if w.days_left < 0 {
                    format!("expired {}", w.expires)
                } else {
                    format!("{} days left, until {}", w.days_left, w.expires)
                },
            })
            .collect();
        let text =
            |id: &str, title: &str, desc: String, empty: &str, row: &str, unit: &str| ChartText {
                id: format!("{prefix}-{id}"),
                title: title.to_owned(),
                desc,
                empty: empty.to_owned(),
                row_heading: row.to_owned(),
                unit: unit.to_owned(),
            };
        let mut charts = vec![
            Chart::bars(
                &text(
                    "findings",
                    "Findings by category over the latest deliveries",
                    format!(
                        "One bar per delivery, oldest first (the latest {}), split by finding category; the table below gives the same numbers.",
                        self.deliveries.len()
                    ),
                    "No delivery reviewed yet.",
                    "Delivery",
                    "findings",
                ),
                &series,
                &findings,
            ),
            Chart::bars(
                &text(
                    "acceptance",
                    "Time to acceptance",
                    "Days from each engagement's first delivery to its first accepted one, or to today when none is accepted yet.".to_owned(),
                    "No delivery yet.",
                    "Engagement",
                    "days",
                ),
                &["accepted after".to_owned(), "not accepted yet".to_owned()],
                &acceptance,
            ),
        ];
        if self.waivers_read {
            charts.push(Chart::bars(
                &text(
                    "waivers",
                    "Open waivers and their expiry",
                    "Days left before each waiver in force expires, soonest first.".to_owned(),
                    "No waiver in force.",
                    "Waiver",
                    "days",
                ),
                &["days left".to_owned()],
                &waivers,
            ));
        }
        charts
    }
}
