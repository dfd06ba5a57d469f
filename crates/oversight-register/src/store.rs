//! Choosing a backend by URL. This is the one crate that depends on every
//! backend, so dispatch lives here rather than in `oversight-store`.

use std::sync::Arc;

use oversight_store::{DatabaseUrl, Store, StoreError};
use oversight_store_postgres::PgStore;
use oversight_store_sqlite::SqliteStore;

/// Opens the existing database at `url`. A SQLite file that does not exist
/// is an error: only [`create`] makes new files.
pub async fn open(url: &DatabaseUrl) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        DatabaseUrl::Postgres(url) => Arc::new(PgStore::open(url).await?),
    })
}

/// Creates the database at `url` (a new SQLite file, or the schema in an
/// existing PostgreSQL database). Used by `oversight init`.
pub async fn create(url: &DatabaseUrl) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::create(path).await?),
        DatabaseUrl::Postgres(url) => Arc::new(PgStore::create(url).await?),
    })
}
