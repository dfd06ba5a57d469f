//! The S3-compatible server the suite runs against (`s3s-fs`, which
//! `scripts/test` installs and starts), and one bucket per test.
//!
//! s3s-fs keeps bucket `b` as the directory `<root>/b` and object `k` as
//! the file `<root>/b/k`: a bucket is created by creating its directory,
//! and a test alters an object behind the client's back by writing that
//! file.
//!
//! A test that needs the server and finds it unset fails, naming what to
//! run: tests never skip silently.

use std::path::{Path, PathBuf};

/// The variable naming the server's endpoint (`http://127.0.0.1:PORT`).
pub const SERVER_VAR: &str = "OVERSIGHT_TEST_S3";
/// The variable naming the server's data directory.
pub const ROOT_VAR: &str = "OVERSIGHT_TEST_S3_ROOT";
/// The variable holding the access key the server accepts.
pub const ACCESS_KEY_VAR: &str = "OVERSIGHT_TEST_S3_ACCESS_KEY";
/// The variable holding the secret key the server accepts.
pub const SECRET_KEY_VAR: &str = "OVERSIGHT_TEST_S3_SECRET_KEY";

/// The region the tests name (s3s-fs accepts any).
pub const REGION: &str = "us-east-1";

fn required(var: &str) -> String {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{var} is not set: this test needs the S3-compatible server that `scripts/test` starts (s3s-fs); run the tests with `scripts/test`, or start `s3s-fs --host 127.0.0.1 --port PORT --access-key KEY --secret-key SECRET ROOT` and set {SERVER_VAR}=http://127.0.0.1:PORT, {ROOT_VAR}=ROOT, {ACCESS_KEY_VAR} and {SECRET_KEY_VAR}"
        ),
    }
}

/// The server's endpoint, e.g. `http://127.0.0.1:41234`.
///
/// # Panics
/// When `$OVERSIGHT_TEST_S3` is unset, saying how to start the server.
pub fn endpoint() -> String {
    required(SERVER_VAR)
}

/// The server's data directory.
///
/// # Panics
/// When `$OVERSIGHT_TEST_S3_ROOT` is unset or not a directory.
pub fn root() -> PathBuf {
    let root = PathBuf::from(required(ROOT_VAR));
    assert!(
        root.is_dir(),
        "{ROOT_VAR}={} is not a directory (the S3 server's data directory)",
        root.display()
    );
    root
}

/// The S3 settings of a client of the test server, as `object_store`
/// configuration keys (`aws_endpoint`, …) with their values.
///
/// # Panics
/// When the server's variables are unset.
pub fn settings() -> Vec<(&'static str, String)> {
    vec![
        ("aws_endpoint", endpoint()),
        ("aws_access_key_id", required(ACCESS_KEY_VAR)),
        ("aws_secret_access_key", required(SECRET_KEY_VAR)),
        ("aws_region", REGION.to_owned()),
        ("aws_allow_http", "true".to_owned()),
    ]
}

/// The same settings as the `AWS_*` environment variables a child process
/// (the `oversight` CLI) reads.
///
/// # Panics
/// When the server's variables are unset.
pub fn env() -> Vec<(String, String)> {
    settings()
        .into_iter()
        .map(|(key, value)| (key.to_ascii_uppercase(), value))
        .collect()
}

/// A bucket created for one test and removed, with everything in it, when
/// this value is dropped, also when the test panics.
#[derive(Debug)]
pub struct TempBucket {
    name: String,
    dir: PathBuf,
}

impl TempBucket {
    /// Creates a bucket named `<prefix>-<pid>-<n>-<nanos>` (lower case,
    /// digits and dashes, as S3 wants).
    ///
    /// # Panics
    /// When the server's variables are unset or the directory cannot be
    /// created.
    pub fn new(prefix: &str) -> TempBucket {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let prefix: String = prefix
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let name = format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = root().join(&name);
        std::fs::create_dir(&dir).unwrap_or_else(|e| {
            panic!("cannot create the bucket directory {}: {e}", dir.display())
        });
        TempBucket { name, dir }
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `s3://<bucket>` followed by `path` (e.g. `/team/evidence`, or empty).
    pub fn url(&self, path: &str) -> String {
        format!("s3://{}{path}", self.name)
    }

    /// The directory the server keeps the bucket in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file the server keeps object `key` in.
    pub fn object_file(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }
}

impl Drop for TempBucket {
    fn drop(&mut self) {
        // Never panic in drop; the run's temporary server root goes away
        // with the run anyway.
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("could not remove test bucket {}: {e}", self.dir.display());
        }
    }
}

#[cfg(test)]
mod tests {
    /// A missing server fails the test that needs it, saying how to get it.
    #[test]
    fn a_missing_variable_fails_with_a_message() {
        let panic =
            std::panic::catch_unwind(|| super::required("OVERSIGHT_TEST_S3_UNSET_VARIABLE"))
                .expect_err("an unset variable panics");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            message.contains("OVERSIGHT_TEST_S3_UNSET_VARIABLE is not set")
                && message.contains("scripts/test")
                && message.contains("s3s-fs"),
            "{message}"
        );
    }
}
