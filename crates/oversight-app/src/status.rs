//! The status board as a typed document (`oversight.status/1`): what
//! `oversight status --format json` prints and the server's
//! `/api/v1/status` returns.

use oversight_register::status::StatusReport;
use serde::{Deserialize, Serialize};

/// One factor of one engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorDocument {
    /// The A.8.30 factor.
    pub factor: String,
    /// Its state.
    pub state: String,
    /// Why.
    pub note: String,
}

/// One engagement's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementStatusDocument {
    /// The engagement.
    pub id: String,
    /// Its supplier.
    pub supplier: String,
    /// Its lifecycle status.
    pub status: String,
    /// The last review's outcome.
    pub last_outcome: Option<String>,
    /// Each factor.
    pub factors: Vec<FactorDocument>,
}

/// Something due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDocument {
    /// The engagement.
    pub engagement: String,
    /// What is due.
    pub what: String,
    /// When.
    pub date: Option<String>,
    /// Whether it is overdue.
    pub overdue: bool,
}

/// The status board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDocument {
    /// `oversight.status/1`.
    pub schema: String,
    /// The day it describes.
    pub today: String,
    /// Every engagement.
    pub engagements: Vec<EngagementStatusDocument>,
    /// What is due.
    pub due: Vec<DueDocument>,
}

impl StatusDocument {
    /// The document of `report`.
    pub fn of(report: &StatusReport) -> StatusDocument {
        StatusDocument {
            schema: "oversight.status/1".to_owned(),
            today: report.today.to_string(),
            engagements: report
                .rows
                .iter()
                .map(|r| EngagementStatusDocument {
                    id: r.engagement.clone(),
                    supplier: r.supplier.clone(),
                    status: r.status.as_str().to_owned(),
                    last_outcome: r.last_outcome.clone(),
                    factors: r
                        .factors
                        .iter()
                        .map(|f| FactorDocument {
                            factor: f.factor.as_str().to_owned(),
                            state: f.state.as_str().to_owned(),
                            note: f.note.clone(),
                        })
                        .collect(),
                })
                .collect(),
            due: report
                .due
                .iter()
                .map(|d| DueDocument {
                    engagement: d.engagement.clone(),
                    what: d.what.clone(),
                    date: d.date.map(|d| d.to_string()),
                    overdue: d.overdue,
                })
                .collect(),
        }
    }
}
