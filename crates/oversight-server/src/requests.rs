//! Waiver requests: a reviewer asks, a different account with the approver
//! role approves or denies. Pending requests are the server's workflow
//! state; the granted waiver itself goes to the register's ledger.

use serde::Serialize;
use sqlx::{AnyPool, Row as _};

/// A waiver request.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverRequest {
    /// Its id.
    pub id: String,
    /// The engagement.
    pub engagement: String,
    /// The finding.
    pub fingerprint: String,
    /// Why it is acceptable.
    pub reason: String,
    /// Last day it applies.
    pub expires: String,
    /// Who asked.
    pub requester: String,
    /// `pending`, `approved` or `denied`.
    pub status: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The waiver granted.
    pub waiver: Option<String>,
    /// Asked at.
    pub created_at: String,
}

fn of(row: &sqlx::any::AnyRow) -> WaiverRequest {
    WaiverRequest {
        id: row.get("id"),
        engagement: row.get("engagement"),
        fingerprint: row.get("fingerprint"),
        reason: row.get("reason"),
        expires: row.get("expires"),
        requester: row.get("requester"),
        status: row.get("status"),
        decided_by: row.get("decided_by"),
        waiver: row.get("waiver"),
        created_at: row.get("created_at"),
    }
}

/// The waiver-request table.
#[derive(Clone)]
pub struct Requests {
    pool: AnyPool,
}

impl Requests {
    /// The table on `pool`, created when missing.
    pub async fn new(pool: AnyPool) -> Result<Requests, sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS server_waiver_requests (
                id TEXT PRIMARY KEY, engagement TEXT NOT NULL, fingerprint TEXT NOT NULL,
                reason TEXT NOT NULL, expires TEXT NOT NULL, requester TEXT NOT NULL,
                status TEXT NOT NULL, decided_by TEXT, waiver TEXT, created_at TEXT NOT NULL,
                decided_at TEXT)",
        )
        .execute(&pool)
        .await?;
        Ok(Requests { pool })
    }

    /// Records a pending request.
    pub async fn create(&self, request: &WaiverRequest) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO server_waiver_requests (id, engagement, fingerprint, reason, expires, requester, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
        )
        .bind(&request.id)
        .bind(&request.engagement)
        .bind(&request.fingerprint)
        .bind(&request.reason)
        .bind(&request.expires)
        .bind(&request.requester)
        .bind(&request.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Request `id`.
    pub async fn get(&self, id: &str) -> Result<Option<WaiverRequest>, sqlx::Error> {
        let row = sqlx::query("SELECT * FROM server_waiver_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(of))
    }

    /// The requests of `engagement`.
    pub async fn of_engagement(&self, engagement: &str) -> Result<Vec<WaiverRequest>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT * FROM server_waiver_requests WHERE engagement = $1 ORDER BY created_at, id",
        )
        .bind(engagement)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(of).collect())
    }

    /// Decides a pending request; false when it was no longer pending.
    pub async fn decide(
        &self,
        id: &str,
        status: &str,
        by: &str,
        waiver: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE server_waiver_requests SET status = $1, decided_by = $2, waiver = $3, decided_at = $4
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(by)
        .bind(waiver)
        .bind(jiff::Timestamp::now().to_string())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
