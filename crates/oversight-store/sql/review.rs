//! The acceptance gate's tables: inserts inside `Store::record`'s
//! transaction and the reads of [`ReviewStore`]. Rows are only inserted.
//!
//! One source for both backends: `oversight-store-sqlite` and
//! `oversight-store-postgres` each compile this file as their `review`
//! module (`#[path]`), with `Backend` and `Db` naming their store and sqlx
//! database. The SQL is written once in the dialect both accept: `$n`
//! placeholders, numbered in order of first use (SQLite binds `$n` by first
//! appearance), `CAST(… AS TEXT)` rather than `::text`.

use oversight_store::{
    ApproverRecord, DecisionRecord, DeliveryRecord, EvidenceRecord, FindingRecord, LatestReview,
    ReviewRecord, ReviewStore, StoreError, WaiverRecord, WaiverRevocation,
};
use sqlx::{QueryBuilder, Transaction};

use crate::{Backend, Db, db_error};

/// Findings per multi-row INSERT: 12 binds each stays far below the
/// backend's limit on bound parameters.
const FINDINGS_PER_INSERT: usize = 400;

pub(crate) async fn insert_review(
    tx: &mut Transaction<'static, Db>,
    review: &ReviewRecord,
) -> Result<(), StoreError> {
    let d = &review.delivery;
    let result = sqlx::query(
        "INSERT INTO deliveries \
         (id, engagement_id, recorded_at, content_digest, file_count, total_bytes, document) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&d.id)
    .bind(&d.engagement_id)
    .bind(&d.recorded_at)
    .bind(&d.content_digest)
    .bind(d.file_count)
    .bind(d.total_bytes)
    .bind(&d.document)
    .execute(&mut **tx)
    .await;
    check_insert(result, "delivery", &d.id)?;
    let c = &review.decision;
    sqlx::query(
        "INSERT INTO decisions (delivery_id, outcome, reviewer, decided_at, document, blocking) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&d.id)
    .bind(&c.outcome)
    .bind(&c.reviewer)
    .bind(&c.decided_at)
    .bind(&c.document)
    .bind(oversight_store::blocking_summary(&review.findings))
    .execute(&mut **tx)
    .await
    .map_err(db_error(format!(
        "Cannot record the decision on delivery `{}`",
        d.id
    )))?;
    for chunk in review.findings.chunks(FINDINGS_PER_INSERT) {
        let mut insert = QueryBuilder::<Db>::new(
            "INSERT INTO findings (delivery_id, ordinal, fingerprint, rule, category, severity, \
             path, line, message, content_sha256, disposition, waiver_id) ",
        );
        insert.push_values(chunk, |mut row, f| {
            row.push_bind(&d.id)
                .push_bind(f.ordinal)
                .push_bind(&f.fingerprint)
                .push_bind(&f.rule)
                .push_bind(&f.category)
                .push_bind(&f.severity)
                .push_bind(&f.path)
                .push_bind(f.line)
                .push_bind(&f.message)
                .push_bind(&f.content_sha256)
                .push_bind(&f.disposition)
                .push_bind(&f.waiver_id);
        });
        insert
            .build()
            .execute(&mut **tx)
            .await
            .map_err(db_error(format!(
                "Cannot record the findings of delivery `{}`",
                d.id
            )))?;
    }
    Ok(())
}

pub(crate) async fn insert_waiver(
    tx: &mut Transaction<'static, Db>,
    w: &WaiverRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO waivers (id, engagement_id, fingerprint, content_sha256, reason, requester, \
         approver, expires, granted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&w.id)
    .bind(&w.engagement_id)
    .bind(&w.fingerprint)
    .bind(&w.content_sha256)
    .bind(&w.reason)
    .bind(&w.requester)
    .bind(&w.approver)
    .bind(&w.expires)
    .bind(&w.granted_at)
    .execute(&mut **tx)
    .await;
    check_insert(result, "waiver", &w.id)
}

pub(crate) async fn insert_revocation(
    tx: &mut Transaction<'static, Db>,
    r: &WaiverRevocation,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO waiver_revocations (waiver_id, engagement_id, reason, revoked_by, revoked_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&r.waiver_id)
    .bind(&r.engagement_id)
    .bind(&r.reason)
    .bind(&r.revoked_by)
    .bind(&r.revoked_at)
    .execute(&mut **tx)
    .await;
    check_insert(result, "revocation of waiver", &r.waiver_id)
}

pub(crate) async fn insert_approver(
    tx: &mut Transaction<'static, Db>,
    a: &ApproverRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO approvers (name, public_key, fingerprint, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&a.name)
    .bind(&a.public_key)
    .bind(&a.fingerprint)
    .bind(&a.added_by)
    .bind(&a.added_at)
    .execute(&mut **tx)
    .await;
    check_insert(result, "approver", &a.name)
}

pub(crate) async fn insert_evidence(
    tx: &mut Transaction<'static, Db>,
    e: &EvidenceRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO evidence (id, engagement_id, kind, name, sha256, size, expires, added_by, \
         added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(&e.engagement_id)
    .bind(&e.kind)
    .bind(&e.name)
    .bind(&e.sha256)
    .bind(e.size)
    .bind(&e.expires)
    .bind(&e.added_by)
    .bind(&e.added_at)
    .execute(&mut **tx)
    .await;
    check_insert(result, "evidence document", &e.id)
}

fn check_insert<T>(
    result: Result<T, sqlx::Error>,
    what: &'static str,
    id: &str,
) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Err(StoreError::Conflict(format!(
                "The {what} `{id}` already exists; nothing was changed"
            )))
        }
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation()) =>
        {
            Err(StoreError::Conflict(format!(
                "The {what} `{id}` names an engagement that does not exist; nothing was changed"
            )))
        }
        Err(e) => Err(StoreError::other(format!("Cannot record {what} `{id}`"), e)),
    }
}

type DeliveryRow = (String, String, String, String, i64, i64, String);

fn delivery_from_row(row: DeliveryRow) -> DeliveryRecord {
    let (id, engagement_id, recorded_at, content_digest, file_count, total_bytes, document) = row;
    DeliveryRecord {
        id,
        engagement_id,
        recorded_at,
        content_digest,
        file_count,
        total_bytes,
        document,
    }
}

type FindingRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    String,
    Option<String>,
);

fn finding_from_row(row: FindingRow) -> FindingRecord {
    let (
        ordinal,
        fingerprint,
        rule,
        category,
        severity,
        path,
        line,
        message,
        content_sha256,
        disposition,
        waiver_id,
    ) = row;
    FindingRecord {
        ordinal,
        fingerprint,
        rule,
        category,
        severity,
        path,
        line,
        message,
        content_sha256,
        disposition,
        waiver_id,
    }
}

type WaiverRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
);

fn waiver_from_row(row: WaiverRow) -> WaiverRecord {
    let (
        id,
        engagement_id,
        fingerprint,
        content_sha256,
        reason,
        requester,
        approver,
        expires,
        granted_at,
    ) = row;
    WaiverRecord {
        id,
        engagement_id,
        fingerprint,
        content_sha256,
        reason,
        requester,
        approver,
        expires,
        granted_at,
    }
}

type EvidenceRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    String,
);

fn evidence_from_row(row: EvidenceRow) -> EvidenceRecord {
    let (id, engagement_id, kind, name, sha256, size, expires, added_by, added_at) = row;
    EvidenceRecord {
        id,
        engagement_id,
        kind,
        name,
        sha256,
        size,
        expires,
        added_by,
        added_at,
    }
}

const DELIVERY_COLUMNS: &str = "d.id, d.engagement_id, d.recorded_at, d.content_digest, d.file_count, d.total_bytes, d.document";

#[async_trait::async_trait]
impl ReviewStore for Backend {
    async fn review(&self, id: &str) -> Result<ReviewRecord, StoreError> {
        let (delivery, decision) = self.decision(id).await?;
        let (findings, _) = self.findings(id, 0, i64::MAX).await?;
        Ok(ReviewRecord {
            delivery,
            findings,
            decision,
        })
    }

    async fn decision(&self, id: &str) -> Result<(DeliveryRecord, DecisionRecord), StoreError> {
        let row: Option<DeliveryRow> = sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE d.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error(format!("Cannot read delivery `{id}`")))?;
        let delivery = delivery_from_row(row.ok_or_else(|| StoreError::NotFound {
            what: "delivery",
            id: id.to_owned(),
        })?);
        let (outcome, reviewer, decided_at, document): (String, String, String, String) =
            sqlx::query_as(
                "SELECT outcome, reviewer, decided_at, document FROM decisions WHERE delivery_id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error(format!("Cannot read the decision on delivery `{id}`")))?
            .ok_or_else(|| StoreError::NotFound {
                what: "decision",
                id: id.to_owned(),
            })?;
        Ok((
            delivery,
            DecisionRecord {
                outcome,
                reviewer,
                decided_at,
                document,
            },
        ))
    }

    async fn findings(
        &self,
        id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<FindingRecord>, i64), StoreError> {
        let findings: Vec<FindingRow> = sqlx::query_as(
            "SELECT ordinal, fingerprint, rule, category, severity, path, line, message, \
             content_sha256, disposition, waiver_id FROM findings WHERE delivery_id = $1 \
             ORDER BY ordinal LIMIT $2 OFFSET $3",
        )
        .bind(id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error(format!(
            "Cannot read the findings of delivery `{id}`"
        )))?;
        let total = if offset == 0 && (findings.len() as i64) < limit {
            findings.len() as i64
        } else {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM findings WHERE delivery_id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error(format!(
                "Cannot count the findings of delivery `{id}`"
            )))?;
            n
        };
        Ok((findings.into_iter().map(finding_from_row).collect(), total))
    }

    async fn deliveries(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<(DeliveryRecord, String)>, StoreError> {
        let rows: Vec<(String, String, String, String, i64, i64, String, String)> =
            sqlx::query_as(&format!(
                "SELECT {DELIVERY_COLUMNS}, c.outcome FROM deliveries d \
                 JOIN decisions c ON c.delivery_id = d.id \
                 WHERE CAST($1 AS TEXT) IS NULL OR d.engagement_id = $1 ORDER BY d.recorded_at, d.id"
            ))
            .bind(engagement)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("Cannot list deliveries"))?;
        Ok(rows
            .into_iter()
            .map(|(a, b, c, d, e, f, g, outcome)| {
                (delivery_from_row((a, b, c, d, e, f, g)), outcome)
            })
            .collect())
    }

    async fn latest_reviews(&self) -> Result<Vec<LatestReview>, StoreError> {
        // One pass over deliveries and decisions: the newest delivery of each
        // engagement, and when its newest non-rejected one was recorded.
        let rows: Vec<(String, String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT engagement_id, id, outcome, recorded_at, last_accepted, blocking FROM ( \
               SELECT d.engagement_id, d.id, c.outcome, d.recorded_at, c.blocking, \
                 MAX(CASE WHEN c.outcome <> 'rejected' THEN d.recorded_at END) \
                   OVER (PARTITION BY d.engagement_id) AS last_accepted, \
                 ROW_NUMBER() OVER (PARTITION BY d.engagement_id \
                   ORDER BY d.recorded_at DESC, d.id DESC) AS newest \
               FROM deliveries d JOIN decisions c ON c.delivery_id = d.id) t \
             WHERE newest = 1 ORDER BY engagement_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot read the latest reviews"))?;
        Ok(rows
            .into_iter()
            .map(
                |(engagement_id, delivery_id, outcome, recorded_at, last_accepted_at, blocking)| {
                    LatestReview {
                        blocking: oversight_store::parse_blocking_summary(&blocking),
                        engagement_id,
                        delivery_id,
                        outcome,
                        recorded_at,
                        last_accepted_at,
                    }
                },
            )
            .collect())
    }

    async fn waivers(&self, engagement: Option<&str>) -> Result<Vec<WaiverRecord>, StoreError> {
        let rows: Vec<WaiverRow> = sqlx::query_as(
            "SELECT id, engagement_id, fingerprint, content_sha256, reason, requester, approver, \
             expires, granted_at FROM waivers WHERE CAST($1 AS TEXT) IS NULL OR engagement_id = $1 \
             ORDER BY granted_at, id",
        )
        .bind(engagement)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list waivers"))?;
        Ok(rows.into_iter().map(waiver_from_row).collect())
    }

    async fn approvers(&self) -> Result<Vec<ApproverRecord>, StoreError> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT name, public_key, fingerprint, added_by, added_at FROM approvers ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list approvers"))?;
        Ok(rows
            .into_iter()
            .map(
                |(name, public_key, fingerprint, added_by, added_at)| ApproverRecord {
                    name,
                    public_key,
                    fingerprint,
                    added_by,
                    added_at,
                },
            )
            .collect())
    }

    async fn waiver_revocations(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<WaiverRevocation>, StoreError> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT waiver_id, engagement_id, reason, revoked_by, revoked_at FROM waiver_revocations \
             WHERE CAST($1 AS TEXT) IS NULL OR engagement_id = $1 ORDER BY revoked_at, waiver_id",
        )
        .bind(engagement)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list waiver revocations"))?;
        Ok(rows
            .into_iter()
            .map(
                |(waiver_id, engagement_id, reason, revoked_by, revoked_at)| WaiverRevocation {
                    waiver_id,
                    engagement_id,
                    reason,
                    revoked_by,
                    revoked_at,
                },
            )
            .collect())
    }

    async fn evidence(&self, engagement: Option<&str>) -> Result<Vec<EvidenceRecord>, StoreError> {
        let rows: Vec<EvidenceRow> = sqlx::query_as(
            "SELECT id, engagement_id, kind, name, sha256, size, expires, added_by, added_at \
             FROM evidence WHERE CAST($1 AS TEXT) IS NULL OR engagement_id = $1 ORDER BY added_at, id",
        )
        .bind(engagement)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list evidence documents"))?;
        Ok(rows.into_iter().map(evidence_from_row).collect())
    }
}
