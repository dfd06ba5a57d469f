//! A database to test against, for each backend, and raw SQL access to it
//! for tampering.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use oversight_store::DatabaseUrl;
use sqlx::Connection;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that does not exist yet (SQLite) or is empty (PostgreSQL).
pub struct TestDb {
    pub url: DatabaseUrl,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

fn admin_url() -> String {
    std::env::var("OVERSIGHT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn url_for(db: &str) -> String {
    let admin = admin_url();
    let base = admin.rsplit_once('/').expect("admin URL has a database").0;
    format!("{base}/{db}")
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub async fn new(kind: Kind) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match kind {
            Kind::Sqlite => TestDb {
                url: DatabaseUrl::Sqlite(dir.path().join("oversight.db")),
                dir,
                pg_name: None,
            },
            Kind::Postgres => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("clock after 1970")
                    .subsec_nanos();
                let name = format!(
                    "oversight_test_{}_{}_{nanos}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                let mut admin = sqlx::PgConnection::connect(&admin_url())
                    .await
                    .expect("the PostgreSQL test server is up (see tests/it.rs)");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                TestDb {
                    url: DatabaseUrl::Postgres(url_for(&name)),
                    dir,
                    pg_name: Some(name),
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

    pub async fn drop_db(self) {
        if let Some(name) = &self.pg_name {
            let mut admin = sqlx::PgConnection::connect(&admin_url())
                .await
                .expect("connect");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop test database");
        }
    }
}
