//! End-to-end tests: the real binary on real inputs.

mod backup;
mod chaos;
mod escrow;
mod gate;
mod licences;
mod oscal;
mod posture;
mod serve;
mod supply_chain;
mod threats;
mod util;
mod verdict;
mod workers;

use std::io::Write;
use std::time::{Duration, Instant};

use util::{corpora, findings, oversight, rules_at, run_json, snapshot_tree};

#[test]
fn sample_delivery_is_rejected_with_reasons() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/sample-delivery"
    );
    let (code, report) = run_json(&[sample]);
    assert_eq!(code, 1);
    let got = rules_at(&report);
    for (rule, path) in [
        ("malicious.install-script", "package.json"),
        ("malicious.download-and-execute", "package.json"),
        ("integrity.supplier-suppression-file", ".gitleaksignore"),
    ] {
        assert!(
            got.contains(&(rule.to_owned(), path.to_owned())),
            "{rule} at {path} missing from {got:?}"
        );
    }
    assert!(
        got.iter()
            .any(|(r, p)| p == "tools/setup.py" && r.starts_with("malicious.")),
        "setup.py payload not reported: {got:?}"
    );
    assert_eq!(report["result"], "fail");
    assert_eq!(report["schema"], "oversight.findings/1.2");
}

#[test]
fn every_trojan_source_attack_file_is_reported() {
    let corpus = corpora().join("trojan-source");
    let (code, report) = run_json(&[corpus.to_str().unwrap()]);
    assert_eq!(code, 1);
    let bidi: std::collections::BTreeSet<String> = findings(&report)
        .filter(|f| f["rule"] == "malicious.bidi-control")
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    // Every file holding a bidi control character, found independently of the tool.
    let mut expected = std::collections::BTreeSet::new();
    for entry in walkdir(&corpus) {
        let text = fs_err::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&text);
        let is_prose = entry.extension().is_some_and(|e| e == "md");
        if !is_prose && text.chars().any(|c| matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F | 0x061C)) {
            expected.insert(entry.strip_prefix(&corpus).unwrap().to_string_lossy().into_owned());
        }
    }
    assert_eq!(expected.len(), 29);
    assert_eq!(bidi, expected);
    let homoglyphs = findings(&report)
        .filter(|f| f["rule"] == "malicious.mixed-script-identifier")
        .filter(|f| f["path"].as_str().unwrap().contains("omoglyph"))
        .count();
    assert!(homoglyphs >= 10, "homoglyph samples reported: {homoglyphs}");
    let markdown = findings(&report)
        .filter(|f| f["path"].as_str().unwrap().ends_with(".md"))
        .count();
    assert_eq!(markdown, 0, "prose must not be reported");
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/sample-delivery"
    );
    let status = oversight()
        .args(["scan", sample, "--format", "sarif", "--output"])
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let sarif: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&out).unwrap()).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs_err::read_to_string(util::schemas().join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["partialFingerprints"].is_object()));
}

#[test]
fn human_output_has_no_colour_when_piped_and_names_the_verdict() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/sample-delivery"
    );
    let out = oversight().args(["scan", sample]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!stdout.contains('\u{1b}'), "ANSI escape in piped output");
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(stdout.contains("malicious.install-script"), "{stdout}");
}

#[test]
fn clean_delivery_passes_with_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("lib.rs"),
        "pub fn add(a: u32, b: u32) -> u32 { a + b }\n",
    )
    .unwrap();
    let (code, report) = run_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(report["result"], "pass");
    assert_eq!(report["coverage"]["text"]["files"], 1);
}

#[test]
fn missing_target_gets_one_line_and_exit_two() {
    let out = oversight()
        .args(["scan", "/no/such/delivery.zip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/no/such/delivery.zip"), "{stderr}");
}

#[test]
fn unknown_configuration_key_is_rejected_with_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("oversight.toml");
    fs_err::write(&config, "fail_on = \"high\"\n\n[limits]\nmax_depht = 3\n").unwrap();
    let out = oversight()
        .args(["scan", dir.path().to_str().unwrap(), "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("max_depht") && stderr.contains("line 4"),
        "{stderr}"
    );
}

#[test]
fn configuration_inside_the_delivery_is_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    // A supplier's attempt to lower the bar: neither file is ever read as configuration.
    fs_err::write(
        dir.path().join("oversight.toml"),
        "fail_on = \"critical\"\n",
    )
    .unwrap();
    fs_err::create_dir_all(dir.path().join(".config/oversight")).unwrap();
    fs_err::write(
        dir.path().join(".config/oversight/config.toml"),
        "fail_on = \"critical\"\n",
    )
    .unwrap();
    fs_err::write(
        dir.path().join(".gitleaks.toml"),
        "[allowlist]\npaths = ['.*']\n",
    )
    .unwrap();
    fs_err::write(
        dir.path().join("index.js"),
        "eval(atob('ZG9jdW1lbnQud3JpdGUoJ2hpJyk='))\n",
    )
    .unwrap();
    let (code, report) = run_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert!(rules_at(&report).contains(&(
        "integrity.supplier-suppression-file".into(),
        ".gitleaks.toml".into()
    )));
}

/// Each hostile input ends quickly with a coverage or integrity finding, exit 1,
/// and nothing written next to it.
fn assert_hostile(path: &std::path::Path, rule: &str) {
    let dir = path.parent().unwrap();
    let before = snapshot_tree(dir);
    let started = Instant::now();
    let (code, report) = run_json(&[path.to_str().unwrap()]);
    let took = started.elapsed();
    // Generous for a debug build sharing 2 cores with the other tests; an
    // input the limits failed to stop (the zip bomb expands to 1 TB) would
    // take hours.
    assert!(
        took < Duration::from_secs(120),
        "{} took {took:?}",
        path.display()
    );
    assert_eq!(code, 1, "{report:#}");
    let rules: Vec<String> = findings(&report)
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    assert!(rules.iter().any(|r| r == rule), "{rule} not in {rules:?}");
    assert_eq!(
        snapshot_tree(dir),
        before,
        "the scan wrote next to the delivery"
    );
}

#[test]
fn recursive_zip_bomb() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("42.zip");
    fs_err::write(&path, util::zip_bomb()).unwrap();
    assert_hostile(&path, "coverage.limit-ratio");
}

#[test]
fn zip_slip_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slip.zip");
    fs_err::write(&path, util::zip_of(&[("../../etc/x", b"owned")])).unwrap();
    assert_hostile(&path, "integrity.archive-path-traversal");
}

#[test]
fn tar_with_symlink_to_etc_passwd() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("link.tar");
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "passwd", "/etc/passwd")
        .unwrap();
    fs_err::write(&path, builder.into_inner().unwrap()).unwrap();
    assert_hostile(&path, "integrity.archive-link-outside");
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("delivery");
    fs_err::create_dir(&root).unwrap();
    std::os::unix::fs::symlink("b", root.join("a")).unwrap();
    std::os::unix::fs::symlink("a", root.join("b")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self")).unwrap();
    let started = Instant::now();
    let (code, report) = run_json(&[root.to_str().unwrap()]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(code, 1);
    assert!(
        findings(&report).any(|f| f["rule"] == "coverage.symlink-unresolvable"),
        "{report:#}"
    );
}

#[test]
fn tar_with_a_million_empty_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.tar.gz");
    let file = fs_err::File::create(&path).unwrap();
    let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut header = tar::Header::new_ustar();
    header.set_size(0);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    for i in 0..1_000_000u32 {
        header.set_path(format!("e/{i}")).unwrap();
        header.set_cksum();
        enc.write_all(header.as_bytes()).unwrap();
    }
    enc.write_all(&[0u8; 1024]).unwrap();
    enc.finish().unwrap();
    assert_hostile(&path, "coverage.limit-entries");
}

#[test]
fn truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&b"function main() { return 42; }\n".repeat(5000))
        .unwrap();
    let gz = enc.finish().unwrap();
    let path = dir.path().join("app.js.gz");
    fs_err::write(&path, &gz[..gz.len() / 2]).unwrap();
    assert_hostile(&path, "coverage.archive-corrupt");
}

#[test]
fn encrypted_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.zip");
    fs_err::write(&path, util::encrypted_zip()).unwrap();
    assert_hostile(&path, "coverage.archive-encrypted");
}

/// Every regular file under `dir`, recursively.
fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

#[test]
fn bare_repository_is_read_through_git_with_history_facts() {
    let repo = corpora().join("gitleaks/testdata/repos/small/dotGit");
    let (code, report) = run_json(&[repo.to_str().unwrap()]);
    assert!(code == 0 || code == 1, "{report:#}");
    assert_eq!(report["target_kind"], "git");
    assert_eq!(report["git"]["commit_count"], 7);
    assert_eq!(report["git"]["signed_commits"], 4);
    // the tree at HEAD has 5 files (see `git ls-tree -r HEAD`), read from the object database
    assert_eq!(
        report["coverage"]["text"]["files"], 5,
        "{:#}",
        report["coverage"]
    );
    assert!(findings(&report).all(|f| !f["path"].as_str().unwrap().starts_with("objects/")));
}

#[test]
fn work_tree_scan_reads_committed_files_missing_from_disk_and_honours_rev() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| util::git(root, args);
    git(&["init", "-q", "-b", "main"]);
    fs_err::write(root.join("index.js"), "console.log('v1')\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v1"]);
    git(&["tag", "v1"]);
    // a hidden payload committed at HEAD, then removed from the work tree only
    fs_err::write(
        root.join("loader.js"),
        "eval(atob('Y29uc29sZS5sb2coJ3B3bmVkJyk='))\n",
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v2"]);
    fs_err::remove_file(root.join("loader.js")).unwrap();

    let (code, report) = run_json(&[root.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["git"]["commit_count"], 2);
    assert_eq!(report["git"]["authors"][0]["email"], "dev@supplier.example");
    let got = rules_at(&report);
    assert!(
        got.contains(&("malicious.decode-and-execute".into(), "loader.js".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "integrity.worktree-differs-from-head".into(),
            "loader.js".into()
        )),
        "{got:?}"
    );
    assert!(got.iter().all(|(_, p)| !p.starts_with(".git")), "{got:?}");

    let (code, report) = run_json(&[root.to_str().unwrap(), "--rev", "v1"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["git"]["commit_count"], 1);

    let out = oversight()
        .args(["scan", root.to_str().unwrap(), "--rev", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rev"));
}

#[test]
fn rev_on_a_plain_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = oversight()
        .args(["scan", dir.path().to_str().unwrap(), "--rev", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
}

#[test]
fn real_archives_from_the_gitleaks_corpus_are_opened_recursively() {
    let nested = corpora().join("gitleaks/testdata/archives/nested.tar.gz");
    let (_, report) = run_json(&[nested.to_str().unwrap()]);
    assert_eq!(report["target_kind"], "archive");
    assert!(
        report["coverage"]["archives"].as_u64().unwrap() >= 2,
        "{:#}",
        report["coverage"]
    );
    assert!(
        report["coverage"]["archive_members"]["files"]
            .as_u64()
            .unwrap()
            >= 5,
        "{:#}",
        report["coverage"]
    );
}

#[test]
fn formats_that_cannot_be_opened_are_coverage_gaps() {
    let seven = corpora().join("gitleaks/testdata/archives/files.7z");
    let (code, report) = run_json(&[seven.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert!(rules_at(&report).contains(&(
        "coverage.archive-format-unsupported".into(),
        "files.7z".into()
    )));
}

#[test]
fn history_scan_finds_content_deleted_before_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| util::git(root, args);
    git(&["init", "-q", "-b", "main"]);
    fs_err::write(
        root.join("payload.py"),
        "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n",
    )
    .unwrap();
    fs_err::write(root.join("app.py"), "print('app')\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "add"]);
    git(&["rm", "-q", "payload.py"]);
    git(&["commit", "-q", "-m", "clean up before delivery"]);

    let (code, report) = run_json(&[root.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");

    let (code, report) = run_json(&[root.to_str().unwrap(), "--history"]);
    assert_eq!(code, 1, "{report:#}");
    let finding = findings(&report)
        .find(|f| f["rule"] == "malicious.decode-and-execute")
        .unwrap_or_else(|| panic!("{report:#}"));
    let path = finding["path"].as_str().unwrap();
    assert!(
        path.ends_with(":payload.py") && path.len() == "payload.py".len() + 13,
        "{path}"
    );
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("history only")
            && message.contains("Supplier Dev <dev@supplier.example>")
            && message.contains("2023-11-14"),
        "{message}"
    );

    let plain = tempfile::tempdir().unwrap();
    let out = oversight()
        .args(["scan", plain.path().to_str().unwrap(), "--history"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let delivery = dir.path().join("delivery");
    fs_err::create_dir(&delivery).unwrap();
    fs_err::write(
        delivery.join("a.js"),
        "eval(atob('Y29uc29sZS5sb2coMSk='))\n",
    )
    .unwrap();
    let baseline = dir.path().join("baseline.json");
    let status = oversight()
        .args([
            "scan",
            delivery.to_str().unwrap(),
            "--format",
            "json",
            "--output",
        ])
        .arg(&baseline)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));

    let (code, report) = run_json(&[
        delivery.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert!(report["summary"]["baseline_suppressed"].as_u64().unwrap() >= 1);

    fs_err::write(delivery.join("b.js"), "eval(atob('YWxlcnQoMik='))\n").unwrap();
    let (code, report) = run_json(&[
        delivery.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(findings(&report).all(|f| f["path"] == "b.js"), "{report:#}");

    let out = oversight()
        .args([
            "scan",
            delivery.to_str().unwrap(),
            "--baseline",
            "/no/such.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The register commands end to end: init with the example, apply twice
/// (idempotent), show round-trips, the ledger verifies, and a row edited
/// behind the tool's back is named.
fn register_story(database: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = oversight();
        cmd.args(args)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("OVERSIGHT_ACTOR", "reviewer@example.org");
        if let Some(url) = database {
            cmd.env("OVERSIGHT_DATABASE", url);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("created engagement `acme-portal`"), "{out}");
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/engagement.toml"
    );
    let (code, out) = run(&["engagement", "apply", example]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged"), "{out}");
    let (code, shown) = run(&["engagement", "show", "acme-portal", "--format", "toml"]);
    assert_eq!(code, 0, "{shown}");
    let edited = dir.path().join("edited.toml");
    fs_err::write(
        &edited,
        shown.replace("status = \"active\"", "status = \"suspended\""),
    )
    .unwrap();
    let (code, out) = run(&["engagement", "apply", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("updated engagement `acme-portal`: status"),
        "{out}"
    );
    let (code, out) = run(&["engagement", "list"]);
    assert!(code == 0 && out.contains("suspended"), "{out}");
    let (code, out) = run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("4 events"), "{out}");
    let (code, out) = run(&["engagement", "show", "no-such-engagement"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no-such-engagement"), "{out}");
}

#[test]
fn register_story_on_embedded_sqlite() {
    register_story(None);
}

#[test]
fn register_story_on_postgres() {
    let db = oversight_test_support::postgres::TempDatabase::new("oversight_cli");
    register_story(Some(&db.url()));
}

/// The AWS key ids written in a file (AKIA + 16 upper-case letters or digits).
fn aws_key_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    for (i, _) in text.match_indices("AKIA") {
        let tail = &bytes[i..(i + 20).min(bytes.len())];
        if tail.len() == 20
            && tail[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            keys.push(String::from_utf8_lossy(tail).into_owned());
        }
    }
    keys
}

#[test]
fn secrets_are_found_and_never_printed_in_any_format() {
    let tree = corpora().join("gitleaks/testdata/repos/nogit");
    let planted = aws_key_ids(&fs_err::read_to_string(tree.join("api.go")).unwrap());
    assert!(!planted.is_empty());
    for format in ["human", "json", "sarif"] {
        let out = oversight()
            .args(["scan", tree.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains("aws-access-key-id"), "{format}: {text}");
        for key in &planted {
            assert!(
                !text.contains(key.as_str()),
                "{format} output leaks {}…",
                &key[..4]
            );
            assert!(
                !text.contains(&key[4..]),
                "{format} output leaks the tail of a key"
            );
        }
    }
    let (_, report) = run_json(&[tree.to_str().unwrap()]);
    let aws: Vec<_> = findings(&report)
        .filter(|f| f["rule"] == "secret.aws-access-key-id")
        .collect();
    assert!(
        aws.iter().all(|f| f["evidence"]["redacted"] == true),
        "{aws:#?}"
    );
}

#[test]
fn gitleaks_rule_files_load_unchanged() {
    let config = corpora().join("gitleaks/config/gitleaks.toml");
    let tree = corpora().join("gitleaks/testdata/repos/nogit");
    let (code, report) = run_json(&[
        tree.to_str().unwrap(),
        "--secrets-config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        rules_at(&report).contains(&("secret.aws-access-token".into(), "api.go".into())),
        "{:?}",
        rules_at(&report)
    );

    let (code, report) = run_json(&[tree.to_str().unwrap(), "--no-secrets"]);
    assert!(
        findings(&report).all(|f| !f["rule"].as_str().unwrap().starts_with("secret.")),
        "{report:#} {code}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("rules.toml");
    fs_err::write(
        &bad,
        "[[rules]]\nid = \"mine\"\nregex = '''x'''\nkeywords = [\"x\"]\nsevrity = \"high\"\n",
    )
    .unwrap();
    let out = oversight()
        .args(["scan", tree.to_str().unwrap(), "--secrets-config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sevrity") && stderr.contains("mine"),
        "{stderr}"
    );
}

#[test]
fn licence_policy_and_ownership_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let delivery = dir.path().join("delivery");
    fs_err::create_dir_all(delivery.join("src")).unwrap();
    let mit = corpora().join("spdx-license-list/license-list-data/text/MIT.txt");
    fs_err::copy(&mit, delivery.join("LICENSE")).unwrap();
    fs_err::write(
        delivery.join("src/lib.rs"),
        "// SPDX-License-Identifier: MIT\n// Copyright (c) 2024 Acme GmbH\npub fn a() {}\n",
    )
    .unwrap();
    fs_err::write(
        delivery.join("src/copied.c"),
        "/* SPDX-License-Identifier: GPL-3.0-only\n * Copyright (C) 2019-2021 Other Client Corp. All rights reserved.\n */\nint f(void) { return 0; }\n",
    )
    .unwrap();
    let policy = dir.path().join("licences.toml");
    fs_err::write(
        &policy,
        "allow-categories = [\"permissive\"]\ndeny-categories = [\"strong-copyleft\"]\n",
    )
    .unwrap();

    let (code, report) = run_json(&[
        delivery.to_str().unwrap(),
        "--license-policy",
        policy.to_str().unwrap(),
        "--expected-holders",
        "Acme GmbH",
    ]);
    assert_eq!(code, 1, "{report:#}");
    let got = rules_at(&report);
    assert!(
        got.contains(&("license.denied".into(), "src/copied.c".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("license.foreign-copyright".into(), "src/copied.c".into())),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(r, p)| r == "license.denied" && p != "src/copied.c"),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(r, p)| r == "license.foreign-copyright" && p == "src/lib.rs"),
        "{got:?}"
    );
    assert!(
        got.contains(&("license.detected".into(), "LICENSE".into()))
            || got
                .iter()
                .any(|(r, p)| p == "LICENSE" && r.starts_with("license.")),
        "{got:?}"
    );

    fs_err::write(&policy, "deny = [\"NOT-A-LICENSE\"]\n").unwrap();
    let out = oversight()
        .args(["scan", delivery.to_str().unwrap(), "--license-policy"])
        .arg(&policy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT-A-LICENSE"));
}

/// A delivery whose fifty members each trip the same limit for the same
/// cause gives one finding with the count and the first places, not fifty,
/// in every output format.
#[test]
fn identical_findings_of_one_cause_are_grouped() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.zip");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 3 * 1024 * 1024]).unwrap();
    let member = gz.finish().unwrap();
    let mut zip = zip::ZipWriter::new(fs_err::File::create(&bomb).unwrap());
    for i in 0..50 {
        zip.start_file(
            format!("m/{i:02}.gz"),
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        zip.write_all(&member).unwrap();
    }
    zip.finish().unwrap();
    for format in ["json", "sarif", "human"] {
        let out = oversight()
            .args([
                "scan",
                bomb.to_str().unwrap(),
                "--no-progress",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        if format == "human" {
            // The table wraps and shortens long messages.
            assert!(
                text.contains("1 finding (1 high)") && text.contains("[50"),
                "{text}"
            );
            continue;
        }
        assert_eq!(
            text.matches("50 findings of this rule with this cause, grouped")
                .count(),
            1,
            "{format}: {text}"
        );
        assert!(
            text.contains("m/00.gz"),
            "{format}: the first place is named"
        );
        if format == "json" {
            let report: serde_json::Value = serde_json::from_str(&text).unwrap();
            let ratio = util::findings(&report)
                .filter(|f| f["rule"] == "coverage.limit-ratio")
                .count();
            assert_eq!(ratio, 1, "{text}");
        }
    }
}
