//! The deposit format on real files: deterministic bytes, GNU tar
//! compatibility (long names), and level 2 on real build files.

use std::io::Read as _;
use std::path::Path;

use oversight_escrow::build::{Tree, check_build};
use oversight_escrow::{DepositWriter, ZSTD_LEVEL};

fn write_deposit(
    out: &Path,
    files: &[(String, Vec<u8>)],
    chunk: usize,
) -> oversight_escrow::Written {
    let mut writer = DepositWriter::new(std::fs::File::create(out).unwrap()).unwrap();
    for (path, bytes) in files {
        writer
            .begin(path, path.as_bytes(), bytes.len() as u64)
            .unwrap();
        // Content arrives in odd pieces, as from a store: output must not depend on it.
        for chunk in bytes.chunks(chunk) {
            std::io::Write::write_all(&mut writer, chunk).unwrap();
        }
        writer.end().unwrap();
    }
    writer.finish().unwrap()
}

fn real_files() -> Vec<(String, Vec<u8>)> {
    let ruff = oversight_test_support::corpus("real-lockfiles/astral-sh__ruff");
    let mut files: Vec<(String, Vec<u8>)> = [
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "uv.lock",
        "LICENSE",
    ]
    .iter()
    .map(|n| (format!("source/{n}"), fs_err::read(ruff.join(n)).unwrap()))
    .collect();
    // A name longer than a tar header holds.
    let long = format!("source/{}/deep.txt", "very-long-directory-name".repeat(8));
    files.push((long, b"long\n".to_vec()));
    files
}

#[test]
fn the_same_content_gives_the_same_bytes_and_gnu_tar_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let files = real_files();
    let a = write_deposit(&dir.path().join("a.tar.zst"), &files, 7919);
    let b = write_deposit(&dir.path().join("b.tar.zst"), &files, 1 << 20);
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(
        fs_err::read(dir.path().join("a.tar.zst")).unwrap(),
        fs_err::read(dir.path().join("b.tar.zst")).unwrap()
    );
    assert_eq!(ZSTD_LEVEL, 3);
    // Read back with the tar crate: every member, its bytes, owner 0, mtime 0.
    let file = fs_err::File::open(dir.path().join("a.tar.zst")).unwrap();
    let mut archive = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
    let mut seen = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        assert_eq!(entry.header().mtime().unwrap(), 0);
        assert_eq!(entry.header().uid().unwrap(), 0);
        assert_eq!(entry.header().mode().unwrap(), 0o644);
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let expected = &files.iter().find(|(p, _)| *p == path).unwrap().1;
        assert_eq!(&bytes, expected, "{path}");
        seen.push(path);
    }
    assert_eq!(seen.len(), files.len());
    // And GNU tar lists the long name whole.
    let listing = std::process::Command::new("tar")
        .args(["--zstd", "-tf"])
        .arg(dir.path().join("a.tar.zst"))
        .output()
        .unwrap();
    assert!(listing.status.success());
    assert!(
        String::from_utf8_lossy(&listing.stdout)
            .contains("very-long-directory-namevery-long-directory-name")
    );
}

#[test]
fn a_member_shorter_than_announced_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer =
        DepositWriter::new(std::fs::File::create(dir.path().join("x")).unwrap()).unwrap();
    writer.begin("source/a", b"source/a", 10).unwrap();
    std::io::Write::write_all(&mut writer, b"12345").unwrap();
    let error = writer.end().unwrap_err().to_string();
    assert!(
        error.contains("source/a") && error.contains("5 bytes written, 10 announced"),
        "{error}"
    );
}

#[test]
fn level_2_reads_real_build_files() {
    // ruff's workspace names `crates/*`, which is not here; its
    // Cargo.toml names rust-version, so the toolchain is named.
    let ruff = oversight_test_support::corpus("real-lockfiles/astral-sh__ruff");
    let mut tree = Tree::default();
    for name in ["Cargo.toml", "Cargo.lock", "pyproject.toml"] {
        tree.files.insert(name.to_owned());
        tree.contents
            .insert(name.to_owned(), fs_err::read(ruff.join(name)).unwrap());
    }
    let problems = check_build(&tree);
    let text: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.item, p.reason))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("Cargo.toml: names workspace member `crates/*`")),
        "{text:#?}"
    );
    assert!(
        !text.iter().any(|t| t.contains("needs the rust toolchain")),
        "{text:#?}"
    );
    // pyproject.toml asks for Python, and nothing names its version.
    assert!(
        text.iter()
            .any(|t| t.starts_with("pyproject.toml: needs the python toolchain")),
        "{text:#?}"
    );
    // With the members present, the workspace complaint goes.
    tree.files.insert("crates/ruff/Cargo.toml".to_owned());
    tree.contents.insert(
        "crates/ruff/Cargo.toml".to_owned(),
        b"[package]\nname = \"ruff\"\n".to_vec(),
    );
    let text: Vec<String> = check_build(&tree)
        .iter()
        .map(|p| p.reason.clone())
        .collect();
    assert!(
        !text.iter().any(|t| t.contains("workspace member")),
        "{text:#?}"
    );
}

#[test]
fn several_megabytes_compress_the_same_whatever_the_chunks() {
    // Every real lockfile of the corpora (4.5 MB, several zstd jobs).
    let root = oversight_test_support::corpus("real-lockfiles");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((format!("source/{rel}"), fs_err::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    assert!(files.iter().map(|f| f.1.len()).sum::<usize>() > 4_000_000);
    let dir = tempfile::tempdir().unwrap();
    let a = write_deposit(&dir.path().join("a"), &files, 1);
    let b = write_deposit(&dir.path().join("b"), &files, 3 << 20);
    let c = write_deposit(&dir.path().join("c"), &files, 65536);
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(a.sha256, c.sha256);
}
