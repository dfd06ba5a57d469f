//! The PostgreSQL server the suite runs against, and one database per test.

use std::process::Command;

/// The variable naming the server: a URL of a database the tests may connect
/// to in order to create and drop their own.
pub const SERVER_VAR: &str = "OVERSIGHT_TEST_POSTGRES";

/// The administrative URL: `$OVERSIGHT_TEST_POSTGRES`, or the machine's
/// server at `postgres://postgres@127.0.0.1:5432/test`.
pub fn admin_url() -> String {
    match std::env::var(SERVER_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    }
}

/// The URL of database `name` on the test server.
pub fn url_for(name: &str) -> String {
    let admin = admin_url();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

/// Runs `sql` on the test server's administrative database with `psql`.
///
/// # Panics
/// When psql is missing or the statement fails, naming the statement.
pub fn psql(sql: &str) {
    let output = Command::new("psql")
        .arg(admin_url())
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("psql (the PostgreSQL client) is needed for `{sql}`: {e}"));
    assert!(
        output.status.success(),
        "`{sql}` failed on {}: {}",
        admin_url(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A database created for one test and dropped when this value is dropped,
/// also when the test panics.
#[derive(Debug)]
pub struct TempDatabase {
    name: String,
}

impl TempDatabase {
    /// Creates a database named `<prefix>_<pid>_<n>_<nanos>`.
    ///
    /// # Panics
    /// When the server cannot be reached or the database not created.
    pub fn new(prefix: &str) -> TempDatabase {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "{prefix}_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        psql(&format!("CREATE DATABASE {name}"));
        TempDatabase { name }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        url_for(&self.name)
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        // Never panic in drop (it may run while unwinding): a failure to drop
        // is reported and the run's private cluster goes away with the run.
        let dropped = Command::new("psql")
            .arg(admin_url())
            .args([
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
        match dropped {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "could not drop test database {}: {}",
                self.name,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("could not drop test database {}: {e}", self.name),
        }
    }
}
