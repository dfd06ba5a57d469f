//! A database to test against, for each backend, and raw SQL access to it
//! for tampering.

use std::path::PathBuf;

use oversight_store::DatabaseUrl;
use oversight_test_support::postgres::TempDatabase;
use sqlx::Connection;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that does not exist yet (SQLite) or is empty (PostgreSQL,
/// dropped when this value is dropped, also when the test fails).
pub struct TestDb {
    pub url: DatabaseUrl,
    pub dir: tempfile::TempDir,
    _pg: Option<TempDatabase>,
}

impl TestDb {
    pub async fn new(kind: Kind) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match kind {
            Kind::Sqlite => TestDb {
                url: DatabaseUrl::Sqlite(dir.path().join("oversight.db")),
                dir,
                _pg: None,
            },
            Kind::Postgres => {
                let db = TempDatabase::new("oversight_test");
                TestDb {
                    url: DatabaseUrl::Postgres(db.url()),
                    dir,
                    _pg: Some(db),
                }
            }
        }
    }

    /// A key path outside the database's directory.
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("keys").join("instance.key")
    }

    /// Runs raw SQL against the database, as an attacker with database access would.
    pub async fn execute(&self, sql: &str) {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect(sql);
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect(sql);
            }
        }
    }

    /// Drops the database now (it is dropped anyway when `self` is).
    pub async fn drop_db(self) {
        drop(self);
    }
}
