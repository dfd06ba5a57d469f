//! Browser sessions, stored in the register's database (hashed ids), so
//! that a restart or a second instance keeps them and a logout ends them.

use async_trait::async_trait;
use sha2::Digest as _;
use sqlx::{AnyPool, Row as _};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// Sessions in table `access_sessions`.
#[derive(Debug, Clone)]
pub struct DbSessions {
    pool: AnyPool,
}

fn key(id: &Id) -> String {
    hex::encode(sha2::Sha256::digest(id.to_string().as_bytes()))
}

impl DbSessions {
    /// The session table on `pool`, created when missing.
    pub async fn new(pool: AnyPool) -> std::result::Result<DbSessions, sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS access_sessions (
                id_sha256 TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at BIGINT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        Ok(DbSessions { pool })
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessions {
    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
        let k = key(&record.id);
        sqlx::query("DELETE FROM access_sessions WHERE id_sha256 = $1")
            .bind(&k)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO access_sessions (id_sha256, data, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(&k)
        .bind(data)
        .bind(record.expiry_date.unix_timestamp())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row = sqlx::query("SELECT data, expires_at FROM access_sessions WHERE id_sha256 = $1")
            .bind(key(id))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let expires: i64 = row.get("expires_at");
        if expires <= jiff::Timestamp::now().as_second() {
            return Ok(None);
        }
        let data: String = row.get("data");
        serde_json::from_str(&data)
            .map(Some)
            .map_err(|e| Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM access_sessions WHERE id_sha256 = $1")
            .bind(key(id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
