//! Runs every detector of this crate (the behaviour rules included) over a
//! directory with the reference runner and prints the findings as JSON in
//! the shape of `oversight scan --format json` (`findings[].rule`,
//! `category`, `severity`, `path`, `line`, `message`), paths relative to
//! the directory. For the malicious-code benchmark (`bench/malicious`),
//! where it stands in for the CLI when only these detectors matter.
//!
//! Usage: `cargo run --release -p oversight-malicious --example malicious-scan -- DIR [--skip NAME]`
//! (`--skip behaviour` leaves one detector out, to measure what it costs;
//! `--only behaviour` runs that one alone; `--no-hooks` skips the
//! cross-file pass over install hooks). Files are shared among two
//! worker threads.

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.first()
            .ok_or("usage: malicious-scan DIR [--skip NAME]")?,
    );
    let skip = args
        .iter()
        .position(|a| a == "--skip")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let mut paths = Vec::new();
    files(&dir, &mut paths)?;
    paths.sort();
    // The cross-file pass: the manifests first, so that the files their
    // install hooks run are analysed as install-time code.
    // `--no-hooks` leaves it out (to measure what it adds).
    let no_hooks = args.iter().any(|a| a == "--no-hooks");
    let mut hooks = oversight_malicious::InstallHooks::new();
    for path in paths.iter().filter(|_| !no_hooks) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if oversight_malicious::InstallHooks::is_manifest(&name)
            && let Ok(content) = std::fs::read(path)
        {
            let rel = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy();
            hooks.add_manifest(&rel, &content);
        }
    }
    let behaviour =
        oversight_malicious::Behaviour::builtin()?.with_install_hooks(std::sync::Arc::new(hooks));
    let mut detectors = oversight_malicious::detectors_with(behaviour);
    detectors.retain(|d| Some(d.name()) != skip.as_deref());
    if let Some(only) = &only {
        detectors.retain(|d| d.name() == only);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let findings = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    // Unreadable files (sockets, permissions) are skipped, as a benchmark may.
                    let Ok(content) = std::fs::read(path) else {
                        continue;
                    };
                    let rel = path
                        .strip_prefix(&dir)
                        .unwrap_or(path)
                        .to_string_lossy()
                        .into_owned();
                    let mut local = Vec::new();
                    for detector in &detectors {
                        for emit in run_detector(detector.as_ref(), &rel, &content) {
                            local.push(serde_json::json!({
                                "rule": emit.rule.id,
                                "category": emit.rule.category.as_str(),
                                "severity": emit.rule.default_severity.as_str(),
                                "path": rel,
                                "line": emit.line_col.map(|(l, _)| l),
                                "message": emit.message,
                            }));
                        }
                    }
                    findings.lock().expect("no worker panicked").extend(local);
                }
            });
        }
    });
    let mut findings = findings.into_inner().expect("no worker panicked");
    findings.sort_by(|a, b| {
        (a["path"].as_str(), a["line"].as_u64()).cmp(&(b["path"].as_str(), b["line"].as_u64()))
    });
    let report = serde_json::json!({ "files": paths.len(), "findings": findings });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
