//! Helpers: running a detector over a file the way the engine would.

use oversight_detect::reference::run_detector;
use oversight_detect::{Detector, Emit};

/// The gitleaks corpus, outside this repository.
pub fn gitleaks() -> std::path::PathBuf {
    oversight_test_support::corpus("gitleaks")
}

/// Runs `detector` over `content` as the file `path`.
pub fn scan(detector: &dyn Detector, path: &str, content: &[u8]) -> Vec<Emit> {
    run_detector(detector, path, content)
}

/// `(rule id, line)` of each finding.
pub fn ids_lines(emits: &[Emit]) -> Vec<(String, u32)> {
    emits
        .iter()
        .map(|e| (e.rule.id.to_owned(), e.line_col.map_or(0, |(l, _)| l)))
        .collect()
}
