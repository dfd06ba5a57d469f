//! Waiver requests: a reviewer asks, a different account with the approver
//! role approves or denies. Pending requests are the server's workflow
//! state; the granted waiver itself goes to the register's ledger.
//!
//! [`ask`], [`approve`] and [`deny`] are the use cases the API and the
//! pages both call: the register checks the request (reason, expiry, the
//! finding recorded, the agreed policy's limits) when it is asked, and
//! again with four eyes when it is approved.

use oversight_access::Action;
use serde::Serialize;
use sqlx::{AnyPool, Row as _};

use crate::problem::Problem;
use crate::scoped::{Allowed, Scoped};

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

    /// Every pending request, oldest first.
    pub async fn pending(&self) -> Result<Vec<WaiverRequest>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT * FROM server_waiver_requests WHERE status = 'pending' ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(of).collect())
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

fn db(e: sqlx::Error) -> Problem {
    Problem::internal(&e)
}

/// Asks for a waiver of finding `fingerprint` of the engagement `allowed`
/// (already checked for [`Action::RequestWaiver`]) until `expires`: the
/// register checks it now against the recorded finding and the agreed
/// policy's limits, so a request no approver could grant is refused here.
pub async fn ask(
    scoped: &Scoped,
    allowed: &Allowed,
    fingerprint: &str,
    reason: &str,
    expires: jiff::civil::Date,
) -> Result<WaiverRequest, Problem> {
    if reason.trim().is_empty() {
        return Err(Problem::bad_request("A waiver request needs a reason"));
    }
    let engagement = allowed.engagement.id.as_str().to_owned();
    scoped
        .register_for(allowed)
        .check_waiver_request(&oversight_register::WaiverRequest {
            engagement: engagement.clone(),
            fingerprint: fingerprint.to_owned(),
            reason: reason.to_owned(),
            expires,
            approver: String::new(),
            approval: None,
        })
        .await?;
    let request = WaiverRequest {
        id: oversight_access::secret::id("wrq"),
        engagement,
        fingerprint: fingerprint.to_owned(),
        reason: reason.to_owned(),
        expires: expires.to_string(),
        requester: scoped.principal().name.clone(),
        status: "pending".to_owned(),
        decided_by: None,
        waiver: None,
        created_at: jiff::Timestamp::now().to_string(),
    };
    scoped
        .state()
        .requests()
        .create(&request)
        .await
        .map_err(db)?;
    Ok(request)
}

/// Pending request `id`, after the caller's right to decide it is checked.
pub async fn pending(scoped: &Scoped, id: &str) -> Result<(Allowed, WaiverRequest), Problem> {
    let not_found = || Problem::not_found(format!("Waiver request {id}"));
    let request = scoped
        .state()
        .requests()
        .get(id)
        .await
        .map_err(db)?
        .ok_or_else(not_found)?;
    let allowed = scoped
        .engagement(&request.engagement, Action::ApproveWaiver)
        .await
        .map_err(|p| if p.status == 404 { not_found() } else { p })?;
    if request.status != "pending" {
        return Err(Problem::conflict(format!(
            "Waiver request {id} is already {}",
            request.status
        )));
    }
    Ok((allowed, request))
}

/// Approves request `id` as the caller: the register grants the waiver
/// (four eyes: the caller is not the requester) and records it in the
/// ledger; the request is marked approved.
pub async fn approve(scoped: &Scoped, id: &str) -> Result<oversight_store::WaiverRecord, Problem> {
    let (allowed, request) = pending(scoped, id).await?;
    let me = &scoped.principal().name;
    if oversight_register::approval::fold_name(me)
        == oversight_register::approval::fold_name(&request.requester)
    {
        return Err(Problem::forbidden(format!(
            "You asked for waiver request {id} yourself: another account with the approver role must approve it (four eyes)"
        )));
    }
    let expires: jiff::civil::Date = request
        .expires
        .parse()
        .map_err(|_| Problem::internal(&format!("waiver request {id} has an unreadable expiry")))?;
    let waiver = scoped
        .register_for(&allowed)
        .waive_as_approver(
            &oversight_register::WaiverRequest {
                engagement: request.engagement.clone(),
                fingerprint: request.fingerprint.clone(),
                reason: request.reason.clone(),
                expires,
                approver: me.clone(),
                approval: None,
            },
            &request.requester,
            id,
        )
        .await?;
    if !scoped
        .state()
        .requests()
        .decide(id, "approved", me, Some(&waiver.id))
        .await
        .map_err(db)?
    {
        return Err(Problem::conflict(format!(
            "Waiver request {id} was decided meanwhile"
        )));
    }
    Ok(waiver)
}

/// Denies request `id` as the caller.
pub async fn deny(scoped: &Scoped, id: &str) -> Result<(), Problem> {
    pending(scoped, id).await?;
    if !scoped
        .state()
        .requests()
        .decide(id, "denied", &scoped.principal().name, None)
        .await
        .map_err(db)?
    {
        return Err(Problem::conflict(format!(
            "Waiver request {id} was decided meanwhile"
        )));
    }
    Ok(())
}
