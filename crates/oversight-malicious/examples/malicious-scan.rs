//! Runs every detector of this crate (the behaviour rules included) over a
//! directory with the reference runner and prints the findings as JSON in
//! the shape of `oversight scan --format json` (`findings[].rule`,
//! `category`, `severity`, `path`, `line`, `message`), paths relative to
//! the directory. For the malicious-code benchmark (`bench/malicious`),
//! where it stands in for the CLI when only these detectors matter.
//!
//! Usage: `cargo run --release -p oversight-malicious --example malicious-scan -- DIR`

use std::path::{Path, PathBuf};

use oversight_detect::reference::run_detector;

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            files(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: malicious-scan DIR")?);
    let detectors = oversight_malicious::detectors();
    let mut paths = Vec::new();
    files(&dir, &mut paths)?;
    paths.sort();
    let mut findings = Vec::new();
    for path in &paths {
        let content = std::fs::read(path)?;
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        for detector in &detectors {
            for emit in run_detector(detector.as_ref(), &rel, &content) {
                findings.push(serde_json::json!({
                    "rule": emit.rule.id,
                    "category": emit.rule.category.as_str(),
                    "severity": emit.rule.default_severity.as_str(),
                    "path": rel,
                    "line": emit.line_col.map(|(l, _)| l),
                    "message": emit.message,
                }));
            }
        }
    }
    let report = serde_json::json!({ "files": paths.len(), "findings": findings });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
