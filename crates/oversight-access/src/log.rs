//! The access log's writer: group commit. Every request that must be logged
//! waits until its event is committed (nothing it was told is recorded is
//! lost), but the events of requests that arrive together are written in
//! one transaction, so under load the log costs one commit per batch
//! rather than one per request.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::error::{AccessError, db};
use crate::secret;
use crate::store::AccessEvent;

/// Events written in one transaction at most.
const BATCH: usize = 256;

/// One event waiting to be written, and who waits for it.
struct Pending {
    event: AccessEvent,
    done: oneshot::Sender<Result<(), String>>,
}

/// The sending side; the writer task ends when every sender is dropped,
/// after writing what it was sent.
#[derive(Debug, Clone)]
pub(crate) struct LogWriter {
    queue: mpsc::Sender<Pending>,
}

impl LogWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(pool: AnyPool) -> LogWriter {
        let (queue, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(write_batches(pool, receiver));
        LogWriter { queue }
    }

    /// Appends `event` and returns once it is committed.
    pub(crate) async fn append(&self, event: AccessEvent) -> Result<(), AccessError> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send(Pending { event, done })
            .await
            .map_err(|_| AccessError::LogWrite("the writer has stopped".into()))?;
        committed
            .await
            .map_err(|_| AccessError::LogWrite("the writer stopped before committing".into()))?
            .map_err(AccessError::LogWrite)
    }
}

async fn write_batches(pool: AnyPool, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        let result = write(&pool, batch.iter().map(|p| &p.event))
            .await
            .map_err(|e| e.to_string());
        for pending in batch.drain(..) {
            // A waiter that went away (its request was dropped) needs no answer.
            let _ = pending.done.send(result.clone());
        }
    }
}

async fn write(
    pool: &AnyPool,
    events: impl Iterator<Item = &AccessEvent>,
) -> Result<(), AccessError> {
    let mut tx = pool.begin().await.map_err(db("writing the access log"))?;
    for event in events {
        insert(event)
            .execute(&mut *tx)
            .await
            .map_err(db("writing the access log"))?;
    }
    tx.commit().await.map_err(db("writing the access log"))
}

fn insert(event: &AccessEvent) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(
        "INSERT INTO access_log (id, at, actor, kind, method, path, status, token_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(secret::id("acc"))
    .bind(&event.at)
    .bind(&event.actor)
    .bind(&event.kind)
    .bind(&event.method)
    .bind(&event.path)
    .bind(event.status)
    .bind(&event.token_id)
    .bind(&event.detail)
}
