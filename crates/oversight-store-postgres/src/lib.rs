//! The PostgreSQL backend of Oversight's store, for teams sharing one
//! register.
//!
//! Writers serialise on the single `ledger_head` row: every append starts
//! with `SELECT … FOR UPDATE` on it, so a second writer waits until the first
//! commits and then seals onto the new head. The chain never forks.
//! The database itself must exist; [`PgStore::create`] installs the schema in
//! it, [`PgStore::open`] refuses a database without it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[path = "../../oversight-store/sql/review.rs"]
mod review;
#[path = "../../oversight-store/sql/threats.rs"]
mod threats;

/// The store type and sqlx database the shared `review` module is compiled for.
type Backend = PgStore;
type Db = sqlx::Postgres;

use oversight_ledger::{ChainHead, InstanceKey, SealedEvent};
use oversight_store::{
    Change, EngagementHead, EngagementRecord, Entry, EventRow, LedgerStore, RegisterStore, Store,
    StoreError, SupplierRecord, head_from_row,
};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

/// The migrations of this backend, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A register and ledger in one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The URL with any password redacted, for messages.
    shown: String,
}

impl PgStore {
    /// Installs (or upgrades) the schema in the existing database at `url`,
    /// refusing a newer schema version without changing anything.
    pub async fn create(url: &str) -> Result<PgStore, StoreError> {
        let store = PgStore::connect(url).await?;
        if store.has_schema().await? {
            store.check_version().await?;
        }
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database at `url`, refusing one without Oversight's schema
    /// and one with a newer schema version (without changing anything), then
    /// applies any pending migration. A schema already at this version is
    /// not touched, so a role that may only read and append (a review
    /// worker's, see `oversight worker-role`) opens it too.
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        let store = PgStore::connect(url).await?;
        if !store.has_schema().await? {
            return Err(StoreError::NotInitialised {
                database: store.describe(),
            });
        }
        if store.check_version().await? < latest_version() {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// The connection pool, for tests and tools that inspect the database.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let shown = oversight_store::DatabaseUrl::Postgres(url.to_owned()).redacted();
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect(url)
            .await
            .map_err(|e| StoreError::other(format!("Cannot connect to {shown}"), e))?;
        Ok(PgStore { pool, shown })
    }

    async fn has_schema(&self) -> Result<bool, StoreError> {
        let (exists,): (bool,) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::other(format!("Cannot read the schema of {}", self.shown), e))?;
        Ok(exists)
    }

    /// The schema version applied (0 for none), after refusing one newer
    /// than this build's.
    async fn check_version(&self) -> Result<i64, StoreError> {
        let database = self.describe();
        let (found,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| {
                    StoreError::other(format!("Cannot read the schema version of {database}"), e)
                })?;
        let supported = latest_version();
        match found {
            Some(found) if found > supported => Err(StoreError::SchemaTooNew {
                database,
                found,
                supported,
            }),
            found => Ok(found.unwrap_or(0)),
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::other(format!("Cannot migrate {}", self.describe()), e))
    }
}

/// The newest schema version this build knows.
fn latest_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

pub(crate) fn db_error(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let context = context.into();
    move |e| StoreError::other(context, e)
}

type EngagementRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
);

fn engagement_from_row(row: EngagementRow) -> EngagementRecord {
    let (id, supplier_id, system, owner, status, start_date, end_date, document, revision) = row;
    EngagementRecord {
        id,
        supplier_id,
        system,
        owner,
        status,
        start_date,
        end_date,
        document,
        revision,
    }
}

type EventTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

const ENGAGEMENT_COLUMNS: &str =
    "id, supplier_id, system, owner, status, start_date, end_date, document, revision";

#[async_trait::async_trait]
impl RegisterStore for PgStore {
    async fn supplier(&self, id: &str) -> Result<SupplierRecord, StoreError> {
        let row: Option<(String, String, String, i64)> =
            sqlx::query_as("SELECT id, name, document, revision FROM suppliers WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error(format!("Cannot read supplier `{id}`")))?;
        let (id, name, document, revision) = row.ok_or_else(|| StoreError::NotFound {
            what: "supplier",
            id: id.to_owned(),
        })?;
        Ok(SupplierRecord {
            id,
            name,
            document,
            revision,
        })
    }

    async fn suppliers(&self) -> Result<Vec<SupplierRecord>, StoreError> {
        let rows: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT id, name, document, revision FROM suppliers ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .map_err(db_error("Cannot list suppliers"))?;
        Ok(rows
            .into_iter()
            .map(|(id, name, document, revision)| SupplierRecord {
                id,
                name,
                document,
                revision,
            })
            .collect())
    }

    async fn engagement(&self, id: &str) -> Result<EngagementRecord, StoreError> {
        let row: Option<EngagementRow> = sqlx::query_as(&format!(
            "SELECT {ENGAGEMENT_COLUMNS} FROM engagements WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error(format!("Cannot read engagement `{id}`")))?;
        row.map(engagement_from_row)
            .ok_or_else(|| StoreError::NotFound {
                what: "engagement",
                id: id.to_owned(),
            })
    }

    async fn engagements(&self) -> Result<Vec<EngagementRecord>, StoreError> {
        let rows: Vec<EngagementRow> = sqlx::query_as(&format!(
            "SELECT {ENGAGEMENT_COLUMNS} FROM engagements ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list engagements"))?;
        Ok(rows.into_iter().map(engagement_from_row).collect())
    }

    async fn engagement_heads(&self) -> Result<Vec<EngagementHead>, StoreError> {
        let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, supplier_id, system, owner, status, revision FROM engagements ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot list engagements"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, supplier_id, system, owner, status, revision)| EngagementHead {
                    id,
                    supplier_id,
                    system,
                    owner,
                    status,
                    revision,
                },
            )
            .collect())
    }

    async fn instance_key(&self) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM meta WHERE key = 'instance_public_key'")
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error("Cannot read the instance key"))?;
        Ok(row.map(|(v,)| v))
    }
}

#[async_trait::async_trait]
impl LedgerStore for PgStore {
    async fn events(&self) -> Result<Vec<SealedEvent>, StoreError> {
        let rows: Vec<EventTuple> = sqlx::query_as(
            "SELECT seq, kind, subject, actor, recorded_at, payload, prev_hash, hash, signature \
             FROM ledger_events ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("Cannot read the ledger"))?;
        Ok(rows.into_iter().map(event_from_tuple).collect())
    }

    async fn head(&self) -> Result<ChainHead, StoreError> {
        let (seq, hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM ledger_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await
                .map_err(db_error("Cannot read the ledger head"))?;
        head_from_row(seq, &hash)
    }
}

fn event_from_tuple(t: EventTuple) -> SealedEvent {
    let (seq, kind, subject, actor, recorded_at, payload, prev_hash, hash, signature) = t;
    EventRow {
        seq,
        kind,
        subject,
        actor,
        recorded_at,
        payload,
        prev_hash,
        hash,
        signature,
    }
    .into_sealed()
}

#[async_trait::async_trait]
impl Store for PgStore {
    async fn record(
        &self,
        entries: Vec<Entry>,
        key: &InstanceKey,
    ) -> Result<Vec<SealedEvent>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db_error(format!(
            "Cannot start a transaction on {}",
            self.describe()
        )))?;
        let (seq, hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM ledger_head WHERE id = 1 FOR UPDATE")
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error("Cannot read the ledger head"))?;
        let mut head = head_from_row(seq, &hash)?;
        let mut sealed_events = Vec::with_capacity(entries.len());
        for entry in entries {
            if let Some(change) = &entry.change {
                apply(&mut tx, change).await?;
            }
            let sealed = key.seal(&head, entry.event);
            let row = EventRow::from_sealed(&sealed);
            sqlx::query(
                "INSERT INTO ledger_events \
                 (seq, kind, subject, actor, recorded_at, payload, prev_hash, hash, signature) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(row.seq)
            .bind(&row.kind)
            .bind(&row.subject)
            .bind(&row.actor)
            .bind(&row.recorded_at)
            .bind(&row.payload)
            .bind(&row.prev_hash)
            .bind(&row.hash)
            .bind(&row.signature)
            .execute(&mut *tx)
            .await
            .map_err(db_error(format!(
                "Cannot append ledger event #{}",
                sealed.seq
            )))?;
            head = sealed.head();
            sealed_events.push(sealed);
        }
        sqlx::query("UPDATE ledger_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(i64::try_from(head.seq).expect("sequence numbers stay far below i64::MAX"))
            .bind(head.hash.to_hex())
            .execute(&mut *tx)
            .await
            .map_err(db_error("Cannot move the ledger head"))?;
        tx.commit()
            .await
            .map_err(db_error(format!("Cannot commit to {}", self.describe())))?;
        Ok(sealed_events)
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }
}

async fn apply(tx: &mut Transaction<'static, Postgres>, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::PutSupplier {
            record,
            expected_revision,
        } => {
            let query = match expected_revision {
                None => sqlx::query(
                    "INSERT INTO suppliers (id, name, document, revision) VALUES ($1, $2, $3, $4)",
                ),
                Some(_) => sqlx::query(
                    "UPDATE suppliers SET name = $2, document = $3, revision = $4 \
                     WHERE id = $1 AND revision = $5",
                ),
            }
            .bind(&record.id)
            .bind(&record.name)
            .bind(&record.document)
            .bind(record.revision);
            let query = match expected_revision {
                Some(expected) => query.bind(*expected),
                None => query,
            };
            let result = query.execute(&mut **tx).await;
            check_write(result, "supplier", &record.id, *expected_revision)
        }
        Change::PutEngagement {
            record,
            expected_revision,
        } => {
            let query = match expected_revision {
                None => sqlx::query(
                    "INSERT INTO engagements \
                     (id, supplier_id, system, owner, status, start_date, end_date, document, revision) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                ),
                Some(_) => sqlx::query(
                    "UPDATE engagements SET supplier_id = $2, system = $3, owner = $4, status = $5, \
                     start_date = $6, end_date = $7, document = $8, revision = $9 \
                     WHERE id = $1 AND revision = $10",
                ),
            }
            .bind(&record.id)
            .bind(&record.supplier_id)
            .bind(&record.system)
            .bind(&record.owner)
            .bind(&record.status)
            .bind(&record.start_date)
            .bind(&record.end_date)
            .bind(&record.document)
            .bind(record.revision);
            let query = match expected_revision {
                Some(expected) => query.bind(*expected),
                None => query,
            };
            let result = query.execute(&mut **tx).await;
            check_write(result, "engagement", &record.id, *expected_revision)
        }
        Change::RecordReview(review) => review::insert_review(tx, review).await,
        Change::AddWaiver(waiver) => review::insert_waiver(tx, waiver).await,
        Change::RevokeWaiver(revocation) => review::insert_revocation(tx, revocation).await,
        Change::AddApprover(approver) => review::insert_approver(tx, approver).await,
        Change::AddEvidence(evidence) => review::insert_evidence(tx, evidence).await,
        Change::AddThreatModel(model) => threats::insert_model(tx, model).await,
        Change::AddThreatModelEvent(event) => threats::insert_event(tx, event).await,
        Change::SetInstanceKey { public_key } => {
            let result =
                sqlx::query("INSERT INTO meta (key, value) VALUES ('instance_public_key', $1)")
                    .bind(public_key)
                    .execute(&mut **tx)
                    .await;
            match result {
                Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(
                    "The database already has an instance key; it was initialised before".into(),
                )),
                other => other
                    .map(drop)
                    .map_err(db_error("Cannot record the instance key")),
            }
        }
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

fn check_write(
    result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>,
    what: &'static str,
    id: &str,
    expected_revision: Option<i64>,
) -> Result<(), StoreError> {
    match (result, expected_revision) {
        (Ok(done), Some(expected)) if done.rows_affected() == 0 => {
            Err(StoreError::Conflict(format!(
                "The {what} `{id}` was changed by someone else meanwhile (expected revision {expected}); nothing was changed"
            )))
        }
        (Ok(_), _) => Ok(()),
        (Err(e), None) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
            "The {what} `{id}` already exists; nothing was changed"
        ))),
        (Err(e), _)
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation()) =>
        {
            Err(StoreError::Conflict(format!(
                "The {what} `{id}` names a supplier that does not exist; nothing was changed"
            )))
        }
        (Err(e), _) => Err(StoreError::other(format!("Cannot write {what} `{id}`"), e)),
    }
}
