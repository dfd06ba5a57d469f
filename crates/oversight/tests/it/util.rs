//! Helpers of the end-to-end tests: running the binary, reading its JSON, and
//! building hostile inputs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real-world test corpora.
pub fn corpora() -> PathBuf {
    oversight_test_support::corpora()
}

/// The official schemas.
pub fn schemas() -> PathBuf {
    oversight_test_support::schemas()
}

/// The binary under test, with no user configuration and no colour.
pub fn oversight() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("oversight"));
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-oversight-test-config")
        .env(
            "OVERSIGHT_ADVISORIES",
            "/nonexistent-oversight-test-advisories",
        )
        .env("NO_COLOR", "1");
    cmd
}

/// Runs `oversight scan ARGS --format json` and parses the report.
pub fn run_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = oversight()
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The findings of a JSON report.
pub fn findings(report: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    report["findings"].as_array().into_iter().flatten()
}

/// (rule, path) of every finding.
pub fn rules_at(report: &serde_json::Value) -> Vec<(String, String)> {
    findings(report)
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Names and sizes of everything under `dir`, to prove a scan wrote nothing.
pub fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = fs_err::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.extend(snapshot_tree(&path));
        }
        out.insert(path, meta.len());
    }
    out
}

/// A zip holding the given members, stored with deflate.
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut cursor);
    for (name, body) in members {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap();
    cursor.into_inner()
}

/// A 42.zip-style bomb: 16 copies of a zip, nested, around 256 MiB of zeros.
pub fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 256 << 20];
    let mut layer = zip_of(&[("0.dat", &zeros)]);
    for level in 0..3 {
        let name_bodies: Vec<(String, Vec<u8>)> = (0..16)
            .map(|i| (format!("lib{level}_{i}.zip"), layer.clone()))
            .collect();
        let refs: Vec<(&str, &[u8])> = name_bodies
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        layer = zip_of(&refs);
    }
    layer
}

/// A zip whose only member is encrypted (AES-256).
pub fn encrypted_zip() -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut cursor);
    let options = zip::write::SimpleFileOptions::default()
        .with_aes_encryption(zip::AesMode::Aes256, "not-the-password");
    zip.start_file("payload.js", options).unwrap();
    zip.write_all(b"console.log('hidden')").unwrap();
    zip.finish().unwrap();
    cursor.into_inner()
}

/// Runs `git ARGS` in `dir` as a fixed supplier identity at a fixed date,
/// ignoring the machine's git configuration.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Supplier Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@supplier.example")
        .env("GIT_COMMITTER_NAME", "Supplier CI")
        .env("GIT_COMMITTER_EMAIL", "ci@supplier.example")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .status()
        .expect("git is installed");
    assert!(status.success(), "git {args:?}");
}

/// Grants a waiver as a person would: `approver` (a real SSH key) is
/// registered once, the requester prints the approval text
/// (`waive … --print-approval`), the approver signs it with `ssh-keygen -Y
/// sign`, and the requester passes the signature (`--approval`). `run`
/// runs the binary as the requester (stdout then stderr); `waive` is the
/// `waive …` command line. Returns the last run's exit code and output.
pub fn signed_waive(
    run: &dyn Fn(&[&str]) -> (i32, String),
    approver: &oversight_test_support::ssh::SshApprover,
    approver_name: &str,
    waive: &[&str],
) -> (i32, String) {
    let key = approver.public_key_file();
    let (_, listed) = run(&["approver", "list"]);
    if !listed
        .lines()
        .any(|l| l.split_whitespace().next() == Some(approver_name))
    {
        let (code, out) = run(&[
            "approver",
            "add",
            approver_name,
            "--ssh-key",
            key.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}");
    }
    let mut ask = waive.to_vec();
    ask.push("--print-approval");
    let (code, out) = run(&ask);
    if code != 0 {
        return (code, out);
    }
    let text = out
        .split_once("Save the text above")
        .map_or(out.as_str(), |(text, _)| text)
        .to_owned();
    let sig = approver.sign_file(&text, "oversight-waiver");
    let mut grant = waive.to_vec();
    grant.extend(["--approval", sig.to_str().unwrap()]);
    run(&grant)
}
