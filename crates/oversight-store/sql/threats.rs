//! The threat-model tables: inserts inside `Store::record`'s transaction
//! and the reads of [`ThreatStore`]. Rows are only inserted.
//!
//! One source for both backends, compiled into each as its `threats`
//! module (`#[path]`), in the SQL dialect both accept, as `review.rs`.

use oversight_store::{
    StoreError, ThreatModelEventRecord, ThreatModelRecord, ThreatModelVersion, ThreatStore,
};
use sqlx::Transaction;

use crate::{Backend, Db, db_error};

pub(crate) async fn insert_model(
    tx: &mut Transaction<'static, Db>,
    m: &ThreatModelRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO threat_models (engagement_id, version, format, source_name, source_sha256, \
         source, document, threat_count, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&m.engagement_id)
    .bind(m.version)
    .bind(&m.format)
    .bind(&m.source_name)
    .bind(&m.source_sha256)
    .bind(&m.source)
    .bind(&m.document)
    .bind(m.threat_count)
    .bind(&m.imported_by)
    .bind(&m.imported_at)
    .execute(&mut **tx)
    .await;
    check(
        result.map(drop),
        &format!(
            "version {} of the threat model of `{}`",
            m.version, m.engagement_id
        ),
    )
}

pub(crate) async fn insert_event(
    tx: &mut Transaction<'static, Db>,
    e: &ThreatModelEventRecord,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO threat_model_events (id, engagement_id, version, kind, actor, recorded_at, \
         attestation_name, attestation_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&e.id)
    .bind(&e.engagement_id)
    .bind(e.version)
    .bind(&e.kind)
    .bind(&e.actor)
    .bind(&e.recorded_at)
    .bind(&e.attestation_name)
    .bind(&e.attestation_sha256)
    .execute(&mut **tx)
    .await;
    check(
        result.map(drop),
        &format!("threat-model {} `{}`", e.kind, e.id),
    )
}

fn check(result: Result<(), sqlx::Error>, what: &str) -> Result<(), StoreError> {
    match result {
        Ok(()) => Ok(()),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Err(StoreError::Conflict(format!(
                "The {what} already exists (recorded meanwhile by someone else?); nothing was changed"
            )))
        }
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation()) =>
        {
            Err(StoreError::Conflict(format!(
                "The {what} names an engagement or version that does not exist; nothing was changed"
            )))
        }
        Err(e) => Err(StoreError::other(format!("Cannot record the {what}"), e)),
    }
}

type VersionRow = (String, i64, String, String, String, i64, String, String);
type ModelRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
);
type EventTuple = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

#[async_trait::async_trait]
impl ThreatStore for Backend {
    async fn threat_model_versions(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<ThreatModelVersion>, StoreError> {
        let rows: Vec<VersionRow> = sqlx::query_as(
            "SELECT engagement_id, version, format, source_name, source_sha256, threat_count, \
             imported_by, imported_at FROM threat_models \
             WHERE CAST($1 AS TEXT) IS NULL OR engagement_id = $1 ORDER BY engagement_id, version",
        )
        .bind(engagement)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list threat models"))?;
        Ok(rows
            .into_iter()
            .map(|r| ThreatModelVersion {
                engagement_id: r.0,
                version: r.1,
                format: r.2,
                source_name: r.3,
                source_sha256: r.4,
                threat_count: r.5,
                imported_by: r.6,
                imported_at: r.7,
            })
            .collect())
    }

    async fn threat_model(
        &self,
        engagement: &str,
        version: Option<i64>,
    ) -> Result<Option<ThreatModelRecord>, StoreError> {
        let row: Option<ModelRow> = sqlx::query_as(
            "SELECT engagement_id, version, format, source_name, source_sha256, source, document, \
             threat_count, imported_by, imported_at FROM threat_models \
             WHERE engagement_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR version = $2) \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(engagement)
        .bind(version)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error(format!(
            "Cannot read the threat model of `{engagement}`"
        )))?;
        Ok(row.map(|r| ThreatModelRecord {
            engagement_id: r.0,
            version: r.1,
            format: r.2,
            source_name: r.3,
            source_sha256: r.4,
            source: r.5,
            document: r.6,
            threat_count: r.7,
            imported_by: r.8,
            imported_at: r.9,
        }))
    }

    async fn threat_model_events(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<ThreatModelEventRecord>, StoreError> {
        let rows: Vec<EventTuple> = sqlx::query_as(
            "SELECT id, engagement_id, version, kind, actor, recorded_at, attestation_name, \
             attestation_sha256 FROM threat_model_events \
             WHERE CAST($1 AS TEXT) IS NULL OR engagement_id = $1 ORDER BY recorded_at, id",
        )
        .bind(engagement)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list threat-model hand-overs"))?;
        Ok(rows
            .into_iter()
            .map(|r| ThreatModelEventRecord {
                id: r.0,
                engagement_id: r.1,
                version: r.2,
                kind: r.3,
                actor: r.4,
                recorded_at: r.5,
                attestation_name: r.6,
                attestation_sha256: r.7,
            })
            .collect())
    }
}
