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

use std::path::{Path, PathBuf};

pub mod postgres;
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
    let dir = match std::env::var_os(CORPORA_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    assert!(
        dir.is_dir(),
        "the real-data corpora are missing: {} is not a directory. Run the tests with \
         `scripts/test`, which fetches them, or set {CORPORA_VAR} to a copy of shared/corpora",
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
    let dir = match std::env::var_os(SCHEMAS_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas"),
    };
    assert!(
        dir.is_dir(),
        "the official schemas are missing: {} is not a directory; set {SCHEMAS_VAR} to a copy \
         of shared/schemas",
        dir.display()
    );
    dir
}
