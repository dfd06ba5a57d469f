//! Engine behaviour on real files: windowing, archives, limits, links.

use std::io::Write;
use std::path::Path;

use oversight_detect::{Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, Window};
use oversight_model::{Category, Rule, ScanReport, Severity};
use oversight_scan::{NoProgress, ScanOptions, ScannerBuilder};

#[path = "it/manifest.rs"]
mod manifest;

static MARK: Rule = Rule {
    id: "integrity.test-mark",
    category: Category::Integrity,
    default_severity: Severity::Low,
    summary: "integrity.test-mark",
    help: "test only",
};
static HEAD: Rule = Rule {
    id: "integrity.test-head",
    category: Category::Integrity,
    default_severity: Severity::Info,
    summary: "test head",
    help: "test only",
};
static MARK_RULES: [&Rule; 2] = [&MARK, &HEAD];

/// Reports every occurrence of `MARKER` and `é€` (a non-ASCII pattern) with
/// its position, and every file whose head starts with `#!`.
struct Marks;

impl Detector for Marks {
    fn name(&self) -> &'static str {
        "marks"
    }
    fn rules(&self) -> &'static [&'static Rule] {
        &MARK_RULES
    }
    fn patterns(&self) -> Vec<Pattern> {
        vec![
            Pattern::new("MARKER", Scope::Text),
            Pattern::new("é€", Scope::Text),
        ]
    }
    fn check_head(&self, _file: &FileInfo<'_>, head: &[u8], sink: &mut dyn Sink) {
        if head.starts_with(b"#!") {
            sink.emit(Emit::file(&HEAD, "shebang", b"#!".to_vec()));
        }
    }
    fn on_hits(
        &self,
        _file: &FileInfo<'_>,
        window: &Window<'_>,
        hits: &[Hit],
        sink: &mut dyn Sink,
    ) {
        for hit in hits {
            let context = window.line_around(hit.start, 64).1.to_vec();
            sink.emit(Emit::at(
                &MARK,
                window.line_col(hit.start),
                format!("mark {}", hit.pattern),
                context,
            ));
        }
    }
}

fn scan_with(target: &Path, options: ScanOptions) -> ScanReport {
    ScannerBuilder::new()
        .detectors([Box::new(Marks) as Box<dyn Detector>])
        .options(options)
        .build()
        .unwrap()
        .scan(target, &NoProgress)
        .unwrap()
}

fn scan(target: &Path) -> ScanReport {
    scan_with(target, ScanOptions::default())
}

fn rule_paths(report: &ScanReport) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.id.to_owned(), f.location.path.to_string()))
        .collect()
}

#[test]
fn large_file_windows_find_exactly_what_the_reference_finds() {
    // 30 MiB of multi-byte text with markers straddling every window boundary.
    let mut content = Vec::new();
    let line = "naïve text — with ünïcödé, no mark here\n".as_bytes();
    while content.len() < 30 << 20 {
        content.extend_from_slice(line);
    }
    let window = 8 << 20;
    let margin = 64 << 10;
    for base in [
        window - margin,
        window - 2 * margin,
        2 * (window - 2 * margin) - 3,
        3 * (window - 2 * margin) + margin - 2,
    ] {
        for delta in [0usize, 1, 2, 5, 7] {
            let at = base + delta * 13;
            content[at..at + 6].copy_from_slice(b"MARKER");
        }
    }
    content.extend_from_slice("tail é€ end MARKER".as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    fs_err::write(&path, &content).unwrap();

    let report = scan(&path);
    if let Some(f) = report.findings.iter().find(|f| f.location.line.is_none()) {
        panic!("unexpected {}: {}", f.rule.id, f.message);
    }
    let mut got: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.location.line.unwrap(), f.location.column.unwrap()))
        .collect();
    got.sort();
    let mut want: Vec<_> = oversight_detect::reference::run_detector(&Marks, "big.txt", &content)
        .into_iter()
        .map(|e| e.line_col.unwrap())
        .collect();
    want.sort();
    assert_eq!(got.len(), 22);
    assert_eq!(got, want);
    assert_eq!(report.coverage.text.files, 1);
    assert_eq!(report.coverage.text.bytes, content.len() as u64);
}

#[test]
fn a_file_over_the_time_budget_is_a_coverage_finding_and_not_a_hang() {
    // Three windows of text with a marker in the last one; no time at all is
    // allowed, so analysis stops after the first window.
    let mut content = vec![b'x'; 20 << 20];
    content.extend_from_slice(b"\nMARKER\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.txt");
    fs_err::write(&path, &content).unwrap();
    let options = ScanOptions {
        max_file_time: std::time::Duration::ZERO,
        ..ScanOptions::default()
    };
    let report = scan_with(&path, options);
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    assert!(ids.contains(&"coverage.time-budget"), "{ids:?}");
    assert!(!report.passed());
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule.id == "coverage.time-budget")
        .unwrap();
    assert!(finding.message.contains("slow.txt"), "{}", finding.message);
    // The marker sits beyond the budget: it was not analysed, and says so.
    assert!(!ids.contains(&"integrity.test-mark"), "{ids:?}");

    // With the default budget the same file is analysed to the end.
    let report = scan(&path);
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id).collect();
    assert!(!ids.contains(&"coverage.time-budget"), "{ids:?}");
    assert!(ids.contains(&"integrity.test-mark"), "{ids:?}");
}

#[test]
fn hidden_ignored_and_nested_archive_members_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs_err::create_dir_all(root.join("node_modules/pkg")).unwrap();
    fs_err::write(root.join(".gitignore"), "node_modules/\n*.log\n").unwrap();
    fs_err::write(root.join("node_modules/pkg/index.js"), "MARKER\n").unwrap();
    fs_err::write(root.join(".hidden.log"), "x MARKER\n").unwrap();

    // a zip holding a tar.gz holding a script
    let mut tar_gz = Vec::new();
    {
        let enc = flate2::write::GzEncoder::new(&mut tar_gz, flate2::Compression::default());
        let mut tar = tar::Builder::new(enc);
        let body = b"#!/bin/sh\necho MARKER\n";
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o755);
        header.set_cksum();
        tar.append_data(&mut header, "bin/run.sh", &body[..])
            .unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    let mut zip_bytes = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut zip_bytes);
        zip.start_file("inner.tar.gz", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&tar_gz).unwrap();
        zip.finish().unwrap();
    }
    fs_err::write(root.join("delivery.zip"), zip_bytes.into_inner()).unwrap();

    let report = scan(root);
    let got = rule_paths(&report);
    assert!(
        got.contains(&(
            "integrity.test-mark".into(),
            "node_modules/pkg/index.js".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&("integrity.test-mark".into(), ".hidden.log".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "integrity.test-mark".into(),
            "delivery.zip!/inner.tar.gz!/bin/run.sh".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "integrity.test-head".into(),
            "delivery.zip!/inner.tar.gz!/bin/run.sh".into()
        )),
        "{got:?}"
    );
    assert_eq!(report.coverage.archives, 2);
    // inner.tar.gz and bin/run.sh
    assert_eq!(report.coverage.archive_members.files, 2);
    assert_eq!(report.coverage.not_fully_scanned, 0);
}

#[test]
fn archives_nested_past_the_depth_limit_are_coverage_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut inner = b"MARKER".to_vec();
    for level in 0..4 {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&inner).unwrap();
        inner = enc.finish().unwrap();
        let _ = level;
    }
    let path = dir.path().join("deep.gz");
    fs_err::write(&path, inner).unwrap();
    let options = ScanOptions {
        max_depth: 2,
        ..ScanOptions::default()
    };
    let report = scan_with(&path, options);
    let got = rule_paths(&report);
    assert_eq!(
        got,
        [(
            "coverage.limit-depth".to_owned(),
            "deep.gz!/deep!/deep.decompressed".to_owned()
        )],
        "{got:?}"
    );
    assert!(!report.passed());
    assert_eq!(report.coverage.not_fully_scanned, 1);
}

#[test]
fn fingerprints_are_stable_across_runs_and_edits_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    fs_err::write(&path, "one\nMARKER here\n").unwrap();
    let first = scan(dir.path()).findings[0].fingerprint.clone();
    assert_eq!(scan(dir.path()).findings[0].fingerprint, first);
    fs_err::write(&path, "added line\none\nMARKER here\n").unwrap();
    let moved = scan(dir.path());
    assert_eq!(moved.findings[0].location.line, Some(3));
    assert_eq!(moved.findings[0].fingerprint, first);
    fs_err::write(&path, "one\nMARKER changed\n").unwrap();
    assert_ne!(scan(dir.path()).findings[0].fingerprint, first);
}

#[test]
fn severity_overrides_apply_and_unknown_rules_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("a.txt"), "MARKER").unwrap();
    let mut options = ScanOptions::default();
    options
        .severity
        .insert("integrity.test-mark".into(), Severity::Critical);
    let report = scan_with(dir.path(), options);
    assert_eq!(report.findings[0].severity, Severity::Critical);
    assert!(!report.passed());

    let mut options = ScanOptions::default();
    options
        .severity
        .insert("no.such-rule".into(), Severity::Low);
    let err = ScannerBuilder::new()
        .detectors([Box::new(Marks) as Box<dyn Detector>])
        .options(options)
        .build()
        .err()
        .unwrap();
    assert!(err.to_string().contains("no.such-rule"));
}

#[cfg(unix)]
#[test]
fn fifos_are_reported_and_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let report = scan(dir.path());
    assert_eq!(
        rule_paths(&report),
        [("integrity.special-file".to_owned(), "pipe".to_owned())]
    );
}

#[test]
fn missing_target_is_an_error_naming_it() {
    let err = ScannerBuilder::new()
        .build()
        .unwrap()
        .scan(Path::new("/no/such/delivery"), &NoProgress)
        .unwrap_err();
    assert_eq!(err.to_string(), "Target `/no/such/delivery` does not exist");
}

/// An absurd thread count (100,000 once kept a five-file scan busy for
/// minutes) or none at all is refused with the machine's cores named.
#[test]
fn absurd_thread_counts_are_refused() {
    for threads in [0, 100_000] {
        let err = ScannerBuilder::new()
            .detectors([Box::new(Marks) as Box<dyn Detector>])
            .options(ScanOptions {
                threads: Some(threads),
                ..ScanOptions::default()
            })
            .build()
            .err()
            .expect("refused");
        let text = err.to_string();
        assert!(
            text.contains(&format!("{threads} worker threads")) && text.contains("cores"),
            "{text}"
        );
    }
    let ok = ScannerBuilder::new()
        .detectors([Box::new(Marks) as Box<dyn Detector>])
        .options(ScanOptions {
            threads: Some(oversight_scan::max_threads()),
            ..ScanOptions::default()
        })
        .build();
    assert!(ok.is_ok());
}

/// A single file named as the target is held to `max_file_bytes` like the
/// files of a directory (a 10 GB sparse file used to be read to its end).
#[test]
fn a_single_file_over_the_size_limit_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![b'x'; 4096]).unwrap();
    let report = scan_with(
        &big,
        ScanOptions {
            max_file_bytes: 1024,
            ..ScanOptions::default()
        },
    );
    assert_eq!(
        rule_paths(&report),
        [("coverage.file-too-large".to_owned(), "big.bin".to_owned())]
    );
    assert_eq!(
        report.coverage.binary.files + report.coverage.text.files,
        0,
        "{:?}",
        report.coverage
    );
}
