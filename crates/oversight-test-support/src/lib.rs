//! What the test suites share, so that each finds its inputs and services
//! the same way and fails with a message, never silently, when one is
//! missing.
//!
//! * [`corpora`] and [`corpus`]: the real-data corpora (`../shared/corpora`
//!   beside the repository, or `$OVERSIGHT_CORPORA`, which `scripts/test`
//!   sets, fetching them when they are missing).
//! * [`postgres`]: the PostgreSQL server the suite runs against
//!   (`$OVERSIGHT_TEST_POSTGRES`, a private cluster `scripts/test` starts)
//!   and a database per test that is dropped when the test ends, failed or
//!   not.
//! * [`s3`]: the S3-compatible server (`$OVERSIGHT_TEST_S3`, s3s-fs, which
//!   `scripts/test` starts) and a bucket per test.

use std::path::{Path, PathBuf};

pub mod postgres;
pub mod s3;
pub mod ssh;

/// The variable naming the corpora directory.
pub const CORPORA_VAR: &str = "OVERSIGHT_CORPORA";

/// The corpora directory: `$OVERSIGHT_CORPORA`, or `../shared/corpora`
/// beside the repository.
///
/// # Panics
/// When the directory does not exist: a test that needs real data fails,
/// naming what is missing and how to get it.
pub fn corpora() -> PathBuf {
    shared_dir(
        CORPORA_VAR,
        "corpora",
        "the real-data corpora are missing; run the tests with `scripts/test`, which fetches them, or set",
    )
}

/// `$var`, or `../shared/<name>` beside the repository; panics with `what`
/// when it is not a directory.
fn shared_dir(var: &str, name: &str, what: &str) -> PathBuf {
    let dir = match std::env::var_os(var) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared")
            .join(name),
    };
    assert!(
        dir.is_dir(),
        "{} is not a directory: {what} {var} to a copy of shared/{name}",
        dir.display()
    );
    dir
}

/// `rel` inside the corpora (e.g. `gitleaks/testdata/archives`).
///
/// # Panics
/// When it does not exist, naming the corpus and the path.
pub fn corpus(rel: &str) -> PathBuf {
    let path = corpora().join(rel);
    let name = rel.split('/').next().unwrap_or(rel);
    assert!(
        path.exists(),
        "{} is missing from the corpus `{name}`; `scripts/corpora` fetches it at its pinned commit",
        path.display()
    );
    path
}

/// The variable naming the official schemas directory (SARIF, CycloneDX,
/// SPDX, OpenVEX, OSV).
pub const SCHEMAS_VAR: &str = "OVERSIGHT_SCHEMAS";

/// The official schemas: `$OVERSIGHT_SCHEMAS`, or `../shared/schemas`
/// beside the repository.
///
/// # Panics
/// When the directory does not exist, naming it.
pub fn schemas() -> PathBuf {
    shared_dir(
        SCHEMAS_VAR,
        "schemas",
        "the official schemas are missing; set",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A missing corpus fails the test that needs it, saying how to get it.
    #[test]
    fn a_missing_directory_fails_with_a_message() {
        let panic = std::panic::catch_unwind(|| {
            shared_dir(
                "OVERSIGHT_TEST_SUPPORT_UNSET_VARIABLE",
                "no-such-corpus",
                "run the tests with `scripts/test`, or set",
            )
        })
        .expect_err("a missing directory panics");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            message.contains("no-such-corpus is not a directory")
                && message.contains("scripts/test")
                && message.contains("OVERSIGHT_TEST_SUPPORT_UNSET_VARIABLE"),
            "{message}"
        );
    }

    #[test]
    fn the_corpora_and_schemas_beside_the_repository_are_found() {
        assert!(corpus("trojan-source").is_dir());
        assert!(schemas().join("sarif-schema-2.1.0.json").is_file());
    }
}
