//! The manifest and the content tap: hashes of exactly the bytes read, on the
//! single read pass; the tap sees top-level files only.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use oversight_detect::{Detector, FileInfo, Sink};
use oversight_model::{DeliveryPath, ManifestEntry, ScanReport};
use oversight_scan::{ContentTap, NoProgress, ScanOptions, ScannerBuilder, TapWriter};
use sha2::{Digest as _, Sha256};

use super::{Marks, scan_with};

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn manifest_options() -> ScanOptions {
    ScanOptions {
        record_manifest: true,
        ..ScanOptions::default()
    }
}

/// The manifest as `path → (size, sha256)`; panics on a duplicate path.
fn entries(report: &ScanReport) -> BTreeMap<String, (u64, Option<[u8; 32]>)> {
    let mut map = BTreeMap::new();
    for e in &report.manifest {
        let old = map.insert(e.path.to_string(), (e.size, e.sha256));
        assert!(old.is_none(), "`{}` twice in the manifest", e.path);
    }
    map
}

/// Deterministic bytes that repeat nowhere near a window's length, so a hash
/// over misplaced or duplicated windows would differ.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Text lines (so the text automaton runs) with a counter in each.
fn text(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(format!("line {i} — naïve text, MARKER-free\n").as_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(enc);
    for (name, body) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, *body).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut bytes);
    for (name, body) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap();
    bytes.into_inner()
}

/// Asks for `.json` files whole (up to 16 MiB), as the dependency detector
/// asks for lockfiles.
struct Whole;

impl Detector for Whole {
    fn name(&self) -> &'static str {
        "whole"
    }
    fn rules(&self) -> &'static [&'static oversight_model::Rule] {
        &[]
    }
    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        (file.path.extension().as_deref() == Some("json")).then_some(16 << 20)
    }
    fn check_whole(&self, _file: &FileInfo<'_>, _content: &[u8], _sink: &mut dyn Sink) {}
}

fn scan_full(target: &Path, options: ScanOptions) -> ScanReport {
    ScannerBuilder::new()
        .detectors([
            Box::new(Marks) as Box<dyn Detector>,
            Box::new(Whole) as Box<dyn Detector>,
        ])
        .options(options)
        .build()
        .unwrap()
        .scan(target, &NoProgress)
        .unwrap()
}

/// What a tap saw of one file.
#[derive(Debug, Default)]
struct Tapped {
    declared: Option<u64>,
    bytes: Vec<u8>,
    largest_write: usize,
    /// `Some(Some(hash))` finished, `Some(None)` aborted, `None` still open.
    end: Option<Option<[u8; 32]>>,
}

/// Keeps everything it is given, by path.
#[derive(Default)]
struct RecordingTap {
    files: Arc<Mutex<BTreeMap<String, Tapped>>>,
    opened: Mutex<Vec<String>>,
}

struct RecordingWriter {
    path: String,
    files: Arc<Mutex<BTreeMap<String, Tapped>>>,
}

impl ContentTap for RecordingTap {
    fn open(&self, path: &DeliveryPath, size: Option<u64>) -> Option<Box<dyn TapWriter>> {
        let key = path.to_string();
        self.opened.lock().unwrap().push(key.clone());
        self.files.lock().unwrap().insert(
            key.clone(),
            Tapped {
                declared: size,
                ..Tapped::default()
            },
        );
        Some(Box::new(RecordingWriter {
            path: key,
            files: Arc::clone(&self.files),
        }))
    }
}

impl TapWriter for RecordingWriter {
    fn write(&mut self, bytes: &[u8]) {
        let mut files = self.files.lock().unwrap();
        let file = files.get_mut(&self.path).unwrap();
        assert!(file.end.is_none(), "write after the end of `{}`", self.path);
        file.bytes.extend_from_slice(bytes);
        file.largest_write = file.largest_write.max(bytes.len());
    }
    fn finish(self: Box<Self>, sha256: [u8; 32]) {
        let mut files = self.files.lock().unwrap();
        let file = files.get_mut(&self.path).unwrap();
        assert!(file.end.is_none(), "`{}` ended twice", self.path);
        file.end = Some(Some(sha256));
    }
    fn abort(self: Box<Self>) {
        let mut files = self.files.lock().unwrap();
        let file = files.get_mut(&self.path).unwrap();
        assert!(file.end.is_none(), "`{}` ended twice", self.path);
        file.end = Some(None);
    }
}

#[test]
fn without_the_option_no_manifest_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("a.txt"), "hello").unwrap();
    let report = scan_with(dir.path(), ScanOptions::default());
    assert!(report.manifest.is_empty());
}

#[test]
fn manifest_hashes_every_file_and_member_exactly_across_windows_and_whole_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Small text, empty, binary across two window slides (8 MiB windows that
    // overlap by 128 KiB), text just over a window plus the overlap, a file
    // read whole by a detector and larger than a window, a plain tar.
    let small = b"#!/bin/sh\necho hello\n".to_vec();
    let big_binary = pseudo_random((16 << 20) + (300 << 10) + 7, 1);
    let big_text = text((8 << 20) + (200 << 10) + 3);
    let whole_json = text((9 << 20) + 11);
    let member_big = pseudo_random((8 << 20) + (200 << 10) + 1, 2);
    let member_small = b"console.log('MARKER');\n".to_vec();
    let inner = tar_gz(&[("src/x.js", &member_small), ("data/big.bin", &member_big)]);
    let outer = zip(&[("inner.tar.gz", &inner), ("README.md", b"# readme\n")]);
    let plain_tar = {
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(small.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "run.sh", &small[..]).unwrap();
        tar.into_inner().unwrap()
    };
    let gz_text = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&big_text).unwrap();
        enc.finish().unwrap()
    };
    fs_err::create_dir_all(root.join("sub")).unwrap();
    let files: Vec<(&str, &[u8])> = vec![
        ("run.sh", &small),
        ("empty", b""),
        ("sub/big.bin", &big_binary),
        ("sub/big.txt", &big_text),
        ("package.json", &whole_json),
        ("delivery.zip", &outer),
        ("plain.tar", &plain_tar),
        ("log.txt.gz", &gz_text),
    ];
    for (name, body) in &files {
        fs_err::write(root.join(name), body).unwrap();
    }

    let report = scan_full(root, manifest_options());
    let got = entries(&report);
    let mut want: BTreeMap<String, (u64, Option<[u8; 32]>)> = files
        .iter()
        .map(|(name, body)| ((*name).to_owned(), (body.len() as u64, Some(sha(body)))))
        .collect();
    for (path, body) in [
        ("delivery.zip!/inner.tar.gz", &inner[..]),
        ("delivery.zip!/README.md", b"# readme\n"),
        ("delivery.zip!/inner.tar.gz!/src/x.js", &member_small),
        ("delivery.zip!/inner.tar.gz!/data/big.bin", &member_big),
        ("plain.tar!/run.sh", &small),
        ("log.txt.gz!/log.txt", &big_text),
    ] {
        want.insert(path.to_owned(), (body.len() as u64, Some(sha(body))));
    }
    assert_eq!(got, want);
    // Sorted by path, and the scan itself is unchanged.
    assert!(report.manifest.windows(2).all(|w| w[0].path < w[1].path));
    assert_eq!(report.coverage.not_fully_scanned, 0);
    let sh = report
        .manifest
        .iter()
        .find(|e| e.path.to_string() == "run.sh")
        .unwrap();
    assert_eq!(sh.sha256_hex().unwrap(), hex(&sha(&small)));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_tap_receives_exactly_the_top_level_files_and_nothing_of_members() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let big = pseudo_random((8 << 20) + (200 << 10) + 5, 3);
    let archive = tar_gz(&[("a/b.txt", b"member MARKER\n"), ("big.bin", &big)]);
    let zipped = zip(&[("nested.tar.gz", &archive)]);
    fs_err::write(root.join("big.bin"), &big).unwrap();
    fs_err::write(root.join("pkg.tgz"), &archive).unwrap();
    fs_err::write(root.join("drop.zip"), &zipped).unwrap();
    fs_err::write(root.join("note.txt"), "MARKER\n").unwrap();

    let tap = Arc::new(RecordingTap::default());
    let options = ScanOptions {
        content_tap: Some(tap.clone() as Arc<dyn ContentTap>),
        ..ScanOptions::default()
    };
    // The tap forces the manifest on.
    let report = scan_full(root, options);
    assert_eq!(report.manifest.len(), 4 + 2 + 3);
    let opened = tap.opened.lock().unwrap().clone();
    let mut sorted = opened.clone();
    sorted.sort();
    assert_eq!(sorted, ["big.bin", "drop.zip", "note.txt", "pkg.tgz"]);
    let files = tap.files.lock().unwrap();
    for (name, body) in [
        ("big.bin", &big[..]),
        ("pkg.tgz", &archive),
        ("drop.zip", &zipped),
        ("note.txt", b"MARKER\n"),
    ] {
        let tapped = &files[name];
        assert!(tapped.bytes == body, "`{name}`: tapped bytes differ");
        assert_eq!(tapped.end, Some(Some(sha(body))), "{name}");
        assert_eq!(tapped.declared, Some(body.len() as u64), "{name}");
        assert!(tapped.largest_write <= 8 << 20, "{name}");
        let entry = report
            .manifest
            .iter()
            .find(|e| e.path.to_string() == name)
            .unwrap();
        assert_eq!(entry.sha256, Some(sha(body)));
    }
}

#[test]
fn a_file_over_the_size_limit_has_no_hash_and_its_tap_is_aborted() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("huge.bin"), vec![7u8; 4096]).unwrap();
    fs_err::write(dir.path().join("ok.txt"), "fine\n").unwrap();
    let tap = Arc::new(RecordingTap::default());
    let options = ScanOptions {
        max_file_bytes: 1024,
        content_tap: Some(tap.clone() as Arc<dyn ContentTap>),
        ..ScanOptions::default()
    };
    let report = scan_with(dir.path(), options);
    assert_eq!(
        report.manifest,
        [
            ManifestEntry {
                path: DeliveryPath::root("huge.bin"),
                size: 4096,
                sha256: None,
            },
            ManifestEntry {
                path: DeliveryPath::root("ok.txt"),
                size: 5,
                sha256: Some(sha(b"fine\n")),
            },
        ]
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule.id == oversight_scan::rules::FILE_TOO_LARGE.id
                && f.location.path.to_string() == "huge.bin"),
        "the limit is a finding"
    );
    let files = tap.files.lock().unwrap();
    assert_eq!(files["huge.bin"].end, Some(None));
    assert!(files["huge.bin"].bytes.is_empty());
    assert_eq!(files["ok.txt"].end, Some(Some(sha(b"fine\n"))));
}

#[test]
fn a_file_cut_short_by_the_time_budget_has_no_hash_and_its_tap_is_aborted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.txt");
    fs_err::write(&path, text(20 << 20)).unwrap();
    let tap = Arc::new(RecordingTap::default());
    let options = ScanOptions {
        max_file_time: std::time::Duration::ZERO,
        content_tap: Some(tap.clone() as Arc<dyn ContentTap>),
        ..ScanOptions::default()
    };
    let report = scan_with(&path, options);
    assert_eq!(report.manifest.len(), 1);
    assert_eq!(report.manifest[0].sha256, None);
    assert_eq!(report.manifest[0].size, 20 << 20);
    assert_eq!(tap.files.lock().unwrap()["slow.txt"].end, Some(None));
}

#[test]
fn a_corrupt_member_has_no_hash_but_its_archive_does() {
    let dir = tempfile::tempdir().unwrap();
    let body = text(200_000);
    let mut gz = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&body).unwrap();
        enc.finish().unwrap()
    };
    let cut = gz.len() / 2;
    gz.truncate(cut);
    let outer = zip(&[("data.txt.gz", &gz)]);
    fs_err::write(dir.path().join("d.zip"), &outer).unwrap();
    let report = scan_with(dir.path(), manifest_options());
    let got = entries(&report);
    assert_eq!(got["d.zip"], (outer.len() as u64, Some(sha(&outer))));
    assert_eq!(got["d.zip!/data.txt.gz"], (gz.len() as u64, Some(sha(&gz))));
    assert_eq!(got["d.zip!/data.txt.gz!/data.txt"].1, None);
    assert!(report.coverage.not_fully_scanned >= 1);
}

#[test]
fn gitleaks_archive_corpus_members_hash_like_the_files_they_hold() {
    let root = oversight_test_support::corpus("gitleaks/testdata/archives");
    let report = scan_with(&root, manifest_options());
    let got = entries(&report);
    // Every top-level file: the hash of its bytes on disk.
    let mut top = 0;
    for e in report.manifest.iter().filter(|e| e.path.depth() == 0) {
        let bytes = fs_err::read(root.join(e.path.innermost())).unwrap();
        assert_eq!(e.sha256, Some(sha(&bytes)), "{}", e.path);
        assert_eq!(e.size, bytes.len() as u64);
        top += 1;
    }
    assert_eq!(top, 13);
    // Members at every depth: the hash of the loose file of the same name.
    let loose = |name: &str| -> (u64, Option<[u8; 32]>) {
        let bytes = fs_err::read(root.join("files").join(name)).unwrap();
        (bytes.len() as u64, Some(sha(&bytes)))
    };
    for (path, name) in [
        ("files.tar!/files/api.go", "api.go"),
        ("files.zip!/files/.env.prod", ".env.prod"),
        ("files.tar.xz!/files/main.go", "main.go"),
        ("files.tar.zst!/files/.gitleaksignore", ".gitleaksignore"),
        ("files/main.go.gz!/main.go", "main.go"),
        ("nested.tar.gz!/archives/files.zip!/files/api.go", "api.go"),
        ("nested.tar.gz!/archives/files.7z", "../files.7z"),
        ("nested.tar.gz!/archives/files.tar", "../files.tar"),
        (
            "nested.tar.gz!/archives/files/main.go.zst!/main.go",
            "main.go",
        ),
    ] {
        assert_eq!(got.get(path), Some(&loose(name)), "{path}");
    }
}

/// Runs `git` in `dir` with no user or system configuration and a fixed
/// identity and date; returns its standard output.
fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .stdin(Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn git_text(dir: &Path, args: &[&str]) -> String {
    String::from_utf8(git(dir, args)).unwrap().trim().to_owned()
}

/// A work tree with two commits: `a.txt` changed in the second, a 9 MiB blob
/// and a tar.gz committed in the first.
fn repository() -> (tempfile::TempDir, PathBuf, Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    fs_err::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    let big = pseudo_random((9 << 20) + 13, 4);
    let archive = tar_gz(&[("lib/m.js", b"module MARKER\n")]);
    fs_err::write(work.join("a.txt"), "first\n").unwrap();
    fs_err::write(work.join("big.bin"), &big).unwrap();
    fs_err::write(work.join("pkg.tgz"), &archive).unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "first"]);
    fs_err::write(work.join("a.txt"), "second\n").unwrap();
    git(&work, &["commit", "-q", "-am", "second"]);
    (dir, work, big, archive)
}

#[test]
fn git_tree_blobs_members_and_history_blobs_are_in_the_manifest_and_only_tree_blobs_tapped() {
    let (_dir, work, big, archive) = repository();
    let first = git_text(&work, &["rev-parse", "HEAD~1"]);
    let tap = Arc::new(RecordingTap::default());
    let options = ScanOptions {
        rev: Some("HEAD".into()),
        history: true,
        content_tap: Some(tap.clone() as Arc<dyn ContentTap>),
        ..ScanOptions::default()
    };
    let report = scan_with(&work, options);
    let got = entries(&report);
    let blob = |spec: &str| {
        let bytes = git(&work, &["cat-file", "blob", spec]);
        (bytes.len() as u64, Some(sha(&bytes)))
    };
    let old = format!("{}:a.txt", &first[..12]);
    let want: BTreeMap<String, (u64, Option<[u8; 32]>)> = [
        ("a.txt".to_owned(), blob("HEAD:a.txt")),
        ("big.bin".to_owned(), (big.len() as u64, Some(sha(&big)))),
        (
            "pkg.tgz".to_owned(),
            (archive.len() as u64, Some(sha(&archive))),
        ),
        (
            "pkg.tgz!/lib/m.js".to_owned(),
            (14, Some(sha(b"module MARKER\n"))),
        ),
        (old.clone(), blob(&format!("{first}:a.txt"))),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    assert_eq!(got[&old].1, Some(sha(b"first\n")));

    let files = tap.files.lock().unwrap();
    assert_eq!(
        files.keys().map(String::as_str).collect::<Vec<_>>(),
        ["a.txt", "big.bin", "pkg.tgz"]
    );
    assert!(files["big.bin"].bytes == big, "tapped bytes differ");
    assert_eq!(files["big.bin"].end, Some(Some(sha(&big))));
    assert_eq!(files["pkg.tgz"].end, Some(Some(sha(&archive))));
    assert_eq!(files["a.txt"].bytes, b"second\n");
}

#[test]
fn a_work_tree_file_that_differs_from_head_has_an_entry_for_each_version() {
    let (_dir, work, _, _) = repository();
    fs_err::write(work.join("a.txt"), "edited, uncommitted\n").unwrap();
    let report = scan_with(&work, manifest_options());
    let a: Vec<(u64, Option<[u8; 32]>)> = report
        .manifest
        .iter()
        .filter(|e| e.path.to_string() == "a.txt")
        .map(|e| (e.size, e.sha256))
        .collect();
    let mut want = vec![
        (7, Some(sha(b"second\n"))),
        (20, Some(sha(b"edited, uncommitted\n"))),
    ];
    want.sort();
    assert_eq!(a, want);
    // `.git` is read through git, never as files.
    assert!(
        report
            .manifest
            .iter()
            .all(|e| !e.path.to_string().starts_with(".git/"))
    );
}

#[test]
fn gitleaks_bare_repository_blobs_hash_like_git_cat_file() {
    let repo = oversight_test_support::corpus("gitleaks/testdata/repos/small/dotGit");
    let options = ScanOptions {
        history: true,
        ..manifest_options()
    };
    let report = scan_with(&repo, options);
    assert!(report.manifest.len() > 5, "{:?}", report.manifest);
    for e in &report.manifest {
        assert_eq!(e.path.depth(), 0, "{}", e.path);
        let name = e.path.innermost();
        // Tree blobs are `path`, history blobs `<commit>:<path>`.
        let spec = if name.contains(':') {
            let (commit, path) = name.split_once(':').unwrap();
            format!("{commit}:{path}")
        } else {
            format!("HEAD:{name}")
        };
        let output = Command::new("git")
            .args([
                "--git-dir",
                repo.to_str().unwrap(),
                "cat-file",
                "blob",
                &spec,
            ])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(output.status.success(), "{spec}");
        assert_eq!(e.sha256, Some(sha(&output.stdout)), "{spec}");
        assert_eq!(e.size, output.stdout.len() as u64, "{spec}");
    }
}
