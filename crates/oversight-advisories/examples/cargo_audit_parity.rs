//! Compares this crate's RustSec matching with cargo-audit's on real
//! Cargo.lock files.
//!
//! ```text
//! cargo run -p oversight-advisories --example cargo_audit_parity -- \
//!     [--db ADVISORY_DB] [--cargo-audit PATH_TO_cargo-audit] [LOCKFILE_OR_DIR ...]
//! ```
//!
//! For every lockfile it runs `cargo-audit audit --db DB --no-fetch --file
//! LOCK --json` and compares, per (advisory id, crate, version):
//! cargo-audit's `vulnerabilities` with our non-informational matches, and
//! its `warnings` of kinds unmaintained/unsound/notice with our
//! informational matches (yanked warnings need the crates.io index and
//! have no counterpart here). Lockfiles are parsed minimally: `[[package]]`
//! name, version and source, keeping crates.io registry packages (git and
//! path packages are not what advisories describe). Exit status 1 when any
//! lockfile disagrees. Defaults: the RustSec corpus and every `*.lock`
//! whose content is a Cargo lockfile under `real-lockfiles` and
//! `lockfile-fixtures`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use oversight_advisories::{Database, Outcome};
use oversight_model::Ecosystem;
use serde::Deserialize;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

type Key = (String, String, String);

fn is_crates_io(source: &str) -> bool {
    source == "registry+https://github.com/rust-lang/crates.io-index"
        || source == "sparse+https://index.crates.io/"
}

fn ours(db: &Database, lock: &Lock) -> (BTreeSet<Key>, BTreeSet<Key>, Vec<String>) {
    let (mut vulns, mut warns, mut undecidable) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
    for p in &lock.package {
        if !p.source.as_deref().is_some_and(is_crates_io) {
            continue;
        }
        for o in db.match_component(Ecosystem::CratesIo, &p.name, &p.version) {
            match o {
                Outcome::Affected(m) => {
                    let key = (m.id.clone(), p.name.clone(), p.version.clone());
                    if m.informational.is_some() {
                        warns.insert(key);
                    } else {
                        vulns.insert(key);
                    }
                }
                Outcome::Undecidable(u) => {
                    undecidable.push(format!("{} {}@{}: {}", u.id, p.name, p.version, u.reason))
                }
            }
        }
    }
    (vulns, warns, undecidable)
}

fn key_of(entry: &serde_json::Value) -> Option<Key> {
    Some((
        entry.get("advisory")?.get("id")?.as_str()?.to_owned(),
        entry.get("package")?.get("name")?.as_str()?.to_owned(),
        entry.get("package")?.get("version")?.as_str()?.to_owned(),
    ))
}

fn theirs(
    cargo_audit: &Path,
    db: &Path,
    lock: &Path,
) -> Result<(BTreeSet<Key>, BTreeSet<Key>), String> {
    let out = Command::new(cargo_audit)
        .args(["audit", "--db"])
        .arg(db)
        .args(["--no-fetch", "--json", "--file"])
        .arg(lock)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cargo_audit.display()))?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "no JSON from cargo-audit ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("")
        )
    })?;
    let vulns = json["vulnerabilities"]["list"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(key_of)
        .collect();
    let mut warns = BTreeSet::new();
    for kind in ["unmaintained", "unsound", "notice"] {
        warns.extend(
            json["warnings"][kind]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(key_of),
        );
    }
    Ok((vulns, warns))
}

fn lockfiles(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let p = entry.path();
            let cargo_dir = p
                .components()
                .any(|c| matches!(c.as_os_str().to_str(), Some("cargo" | "cargolock")));
            if entry.file_type().is_file()
                && (p.file_name().is_some_and(|n| n == "Cargo.lock")
                    || (cargo_dir && p.extension().is_some_and(|e| e == "lock")))
            {
                out.push(p.to_owned());
            }
        }
    }
    out
}

/// Version numbers written in a requirement (`>= 1.2.3, < 1.3.0` gives
/// 1.2.3 and 1.3.0), padded to three parts.
fn versions_in(req: &str) -> Vec<semver::Version> {
    req.split(',')
        .filter_map(|c| {
            let v = c.trim().trim_start_matches(['>', '<', '=', '^', '~', ' ']);
            let core_end = v.find('-').unwrap_or(v.len());
            let pad = match v[..core_end].split('.').count() {
                1 => format!("{}.0.0{}", &v[..core_end], &v[core_end..]),
                2 => format!("{}.0{}", &v[..core_end], &v[core_end..]),
                _ => v.to_owned(),
            };
            semver::Version::parse(&pad).ok()
        })
        .collect()
}

/// A lockfile with, for every crate of the advisory database, the versions
/// at, just below and just above every boundary its advisories name, plus
/// a prerelease of each boundary: the cases where an ordering mistake
/// shows.
fn synthetic_lockfile(db: &Path, out: &Path) -> anyhow::Result<usize> {
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for entry in walkdir::WalkDir::new(db.join("crates"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !entry.file_name().to_string_lossy().starts_with("RUSTSEC-") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path())?;
        let Some(front) = text
            .strip_prefix("```toml")
            .and_then(|t| t.split("\n```").next())
        else {
            continue;
        };
        let Ok(value) = toml::from_str::<toml::Table>(front) else {
            continue;
        };
        let Some(name) = value
            .get("advisory")
            .and_then(|a| a.get("package"))
            .and_then(|p| p.as_str())
        else {
            continue;
        };
        let mut reqs: Vec<String> = Vec::new();
        for key in ["patched", "unaffected"] {
            if let Some(list) = value
                .get("versions")
                .and_then(|v| v.get(key))
                .and_then(|l| l.as_array())
            {
                reqs.extend(list.iter().filter_map(|r| r.as_str().map(str::to_owned)));
            }
        }
        pairs.insert((name.to_owned(), "0.0.1".to_owned()));
        pairs.insert((name.to_owned(), "99.0.0".to_owned()));
        for req in reqs {
            for v in versions_in(&req) {
                let mut around = vec![v.clone()];
                let mut up = v.clone();
                up.patch += 1;
                up.pre = semver::Prerelease::EMPTY;
                around.push(up);
                if v.patch > 0 && v.pre.is_empty() {
                    let mut down = v.clone();
                    down.patch -= 1;
                    around.push(down);
                }
                if v.pre.is_empty() {
                    let mut pre = v.clone();
                    pre.pre = semver::Prerelease::new("alpha.1")?;
                    around.push(pre);
                }
                for a in around {
                    pairs.insert((name.to_owned(), a.to_string()));
                }
            }
        }
    }
    let mut lock = String::from("version = 3\n");
    for (name, version) in &pairs {
        lock.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ));
    }
    std::fs::write(out, lock)?;
    Ok(pairs.len())
}

fn main() -> anyhow::Result<()> {
    let corpora = oversight_test_support::corpora();
    let mut db_path = corpora.join("rustsec-advisory-db");
    let mut cargo_audit =
        PathBuf::from(std::env::var_os("CARGO_AUDIT").unwrap_or_else(|| "cargo-audit".into()));
    let mut roots = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        match a.to_str() {
            Some("--db") => db_path = args.next().map(PathBuf::from).unwrap_or(db_path),
            Some("--cargo-audit") => {
                cargo_audit = args.next().map(PathBuf::from).unwrap_or(cargo_audit)
            }
            _ => roots.push(PathBuf::from(a)),
        }
    }
    if roots.is_empty() {
        roots = vec![
            corpora.join("real-lockfiles"),
            corpora.join("lockfile-fixtures"),
        ];
    }
    let version = Command::new(&cargo_audit)
        .args(["audit", "--version"])
        .output();
    match &version {
        Ok(o) => println!("cargo-audit: {}", String::from_utf8_lossy(&o.stdout).trim()),
        Err(e) => anyhow::bail!(
            "cargo-audit not found at {} ({e}); set CARGO_AUDIT or --cargo-audit",
            cargo_audit.display()
        ),
    }
    let index = tempfile::tempdir()?;
    let mut db = Database::open(index.path())?;
    let report = db.import(&db_path)?;
    println!(
        "advisory db: {} ({} advisories, digest {})",
        db_path.display(),
        report.imported,
        report.snapshot.digest
    );
    let (mut agree, mut disagree, mut skipped) = (0, 0, 0);
    let synthetic = index.path().join("synthetic-Cargo.lock");
    let n = synthetic_lockfile(&db_path, &synthetic)?;
    println!("synthetic lockfile: {n} crate versions around every advisory boundary");
    let mut paths = vec![synthetic];
    paths.extend(lockfiles(&roots));
    for lock_path in paths {
        let text = std::fs::read_to_string(&lock_path)?;
        let shown = lock_path
            .strip_prefix(&corpora)
            .unwrap_or(&lock_path)
            .display()
            .to_string();
        let lock: Result<Lock, _> = toml::from_str(&text);
        let audit = theirs(&cargo_audit, &db_path, &lock_path);
        let (lock, (their_vulns, their_warns)) = match (lock, audit) {
            (Ok(l), Ok(t)) => (l, t),
            (l, t) => {
                // Both refusing the file is agreement; one refusing is reported.
                let ours_err = l.as_ref().err().map(|e| e.message().to_owned());
                let theirs_err = t.as_ref().err().cloned();
                println!("SKIP  {shown}: ours: {ours_err:?}; cargo-audit: {theirs_err:?}");
                skipped += 1;
                continue;
            }
        };
        let (our_vulns, our_warns, undecidable) = ours(&db, &lock);
        let ok = our_vulns == their_vulns && our_warns == their_warns;
        println!(
            "{} {shown}: {} packages, vulnerabilities {} (cargo-audit {}), warnings {} (cargo-audit {}), undecidable {}",
            if ok { "OK   " } else { "DIFF " },
            lock.package.len(),
            our_vulns.len(),
            their_vulns.len(),
            our_warns.len(),
            their_warns.len(),
            undecidable.len()
        );
        for u in &undecidable {
            println!("      undecidable: {u}");
        }
        if ok {
            agree += 1;
        } else {
            disagree += 1;
            for k in our_vulns.difference(&their_vulns) {
                println!("      only ours (vulnerability): {k:?}");
            }
            for k in their_vulns.difference(&our_vulns) {
                println!("      only cargo-audit (vulnerability): {k:?}");
            }
            for k in our_warns.difference(&their_warns) {
                println!("      only ours (warning): {k:?}");
            }
            for k in their_warns.difference(&our_warns) {
                println!("      only cargo-audit (warning): {k:?}");
            }
        }
    }
    println!("{agree} lockfiles agree, {disagree} disagree, {skipped} not comparable");
    if disagree > 0 {
        std::process::exit(1);
    }
    Ok(())
}
