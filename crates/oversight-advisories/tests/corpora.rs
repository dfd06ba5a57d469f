//! Import of the real advisory databases under `shared/corpora` and
//! matches checked against advisories read by hand.
//!
//! Expected counts come from the corpus itself:
//! `find crates -name 'RUSTSEC-*.md' | wc -l` = 1205,
//! `find rust -name '*.md' | wc -l` = 20,
//! `find osv/crates -name '*.json' | wc -l` = 1206,
//! `find vulns -name '*.yaml' | wc -l` = 2661.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use oversight_advisories::{AdvisorySeverity, Database, Outcome, SourceKind};
use oversight_model::Ecosystem;

fn corpus(rel: &str) -> PathBuf {
    oversight_test_support::corpora().join(rel)
}

struct Shared {
    _dir: tempfile::TempDir,
    db: Database,
}

/// One database with both corpora, shared by the read-only tests.
fn shared() -> &'static Database {
    static DB: OnceLock<Shared> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::open(dir.path().join("index")).unwrap();
        db.import(&corpus("rustsec-advisory-db")).unwrap();
        db.import(&corpus("pypa-advisory-db/vulns")).unwrap();
        // Matching must work from a reopened index, not only in memory.
        let db = Database::open(dir.path().join("index")).unwrap();
        Shared { _dir: dir, db }
    })
    .db
}

fn affected_ids(db: &Database, eco: Ecosystem, name: &str, version: &str) -> Vec<String> {
    db.match_component(eco, name, version)
        .into_iter()
        .filter_map(|o| match o {
            Outcome::Affected(m) => Some(m.id),
            Outcome::Undecidable(_) => None,
        })
        .collect()
}

#[test]
fn rustsec_imports_every_crate_advisory() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(dir.path()).unwrap();
    let report = db.import(&corpus("rustsec-advisory-db")).unwrap();
    assert_eq!(report.failed, [], "no file may fail");
    assert_eq!(report.imported, 1205);
    assert_eq!(report.snapshot.kind, SourceKind::RustSec);
    assert_eq!(report.snapshot.advisories, 1205);
    // rust/ toolchain advisories are skipped, each with a reason.
    assert_eq!(report.skipped.len(), 20);
    assert!(
        report
            .skipped
            .iter()
            .all(|s| s.path.starts_with("rust/") && s.reason.contains("toolchain"))
    );
    assert!(report.notes.iter().any(|n| n.starts_with("osv/")));
    // `grep -rh '^informational' crates | wc -l` = 476; `grep -rl '^withdrawn' crates | wc -l` = 13.
    assert_eq!(report.informational, 476);
    assert_eq!(report.withdrawn, 13);
}

#[test]
fn rustsec_osv_twins_import_as_osv() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(dir.path()).unwrap();
    let report = db.import(&corpus("rustsec-advisory-db/osv")).unwrap();
    assert_eq!(report.failed, []);
    assert_eq!(report.imported, 1206);
    assert_eq!(report.snapshot.kind, SourceKind::OsvDirectory);
}

#[test]
fn pypa_imports_every_yaml_advisory() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(dir.path()).unwrap();
    let report = db.import(&corpus("pypa-advisory-db/vulns")).unwrap();
    assert_eq!(report.failed, []);
    assert_eq!(report.skipped, []);
    assert_eq!(report.imported, 2661);
    assert_eq!(db.advisory_count(), 2661);
}

#[test]
fn reimport_gives_the_same_digest_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(dir.path()).unwrap();
    let first = db.import(&corpus("pypa-advisory-db/vulns")).unwrap();
    let second = db.import(&corpus("pypa-advisory-db/vulns")).unwrap();
    assert_eq!(first.snapshot.digest, second.snapshot.digest);
    assert_eq!(first.snapshot.digest.len(), 64);
    assert_eq!(
        db.snapshots().len(),
        1,
        "same source replaced, not duplicated"
    );
    assert_eq!(db.advisory_count(), 2661);
    // Reopened, the index names the same snapshot.
    let reopened = Database::open(dir.path()).unwrap();
    assert_eq!(reopened.snapshots(), db.snapshots());
    assert_eq!(reopened.advisory_count(), 2661);
    // One data file per source: the replaced one is gone.
    let bins = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".bin")
        })
        .count();
    assert_eq!(bins, 1);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_corrupted_file_is_a_diagnostic_and_the_rest_imports() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("vulns");
    copy_tree(
        &corpus("pypa-advisory-db/vulns/django"),
        &src.join("django"),
    );
    copy_tree(
        &corpus("pypa-advisory-db/vulns/jinja2"),
        &src.join("jinja2"),
    );
    let total = walkdir::WalkDir::new(&src)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    std::fs::write(
        src.join("django/PYSEC-2021-9.yaml"),
        "id: PYSEC-2021-9\naffected: [\n  {{{ broken",
    )
    .unwrap();
    std::fs::write(src.join("jinja2/garbage.json"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let mut db = Database::open(work.path().join("index")).unwrap();
    let report = db.import(&src).unwrap();
    let failed: Vec<&str> = report.failed.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(failed, ["django/PYSEC-2021-9.yaml", "jinja2/garbage.json"]);
    assert!(
        report.failed[0].reason.contains("YAML"),
        "{}",
        report.failed[0].reason
    );
    assert_eq!(report.imported, total - 1);
    // The rest matches: Django 2.2.17 is still affected by its other advisories.
    assert!(!affected_ids(&db, Ecosystem::PyPI, "django", "2.2.17").is_empty());
    assert!(
        !affected_ids(&db, Ecosystem::PyPI, "django", "2.2.17")
            .contains(&"PYSEC-2021-9".to_owned())
    );
}

#[test]
fn smallvec_rustsec_2021_0003() {
    // crates/smallvec/RUSTSEC-2021-0003.md: patched [">= 0.6.14, < 1.0.0", ">= 1.6.1"],
    // unaffected ["< 0.6.3"], CVSS 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H (9.8).
    let db = shared();
    let find = |v: &str| {
        db.match_component(Ecosystem::CratesIo, "smallvec", v)
            .into_iter()
            .find_map(|o| match o {
                Outcome::Affected(m) if m.id == "RUSTSEC-2021-0003" => Some(m),
                _ => None,
            })
    };
    let m = find("1.6.0").expect("1.6.0 is below the patched 1.6.1");
    assert_eq!(
        m.ids,
        ["RUSTSEC-2021-0003", "CVE-2021-25900", "GHSA-43w2-9j62-hq99"]
    );
    assert_eq!(m.summary, "Buffer overflow in SmallVec::insert_many");
    assert_eq!(m.fixed, [">= 0.6.14, < 1.0.0", ">= 1.6.1"]);
    assert_eq!(m.severity, AdvisorySeverity::Critical);
    assert_eq!(m.score, Some(9.8));
    assert_eq!(
        m.url.as_deref(),
        Some("https://rustsec.org/advisories/RUSTSEC-2021-0003.html")
    );
    assert_eq!(m.functions, ["smallvec::SmallVec::insert_many"]);
    assert_eq!(m.snapshot, db.snapshots()[0].digest);
    assert!(find("0.6.13").is_some());
    assert!(find("1.6.1").is_none(), "patched");
    assert!(find("0.6.14").is_none(), "patched");
    assert!(find("0.6.2").is_none(), "unaffected");
    assert!(find("1.13.2").is_none());
}

#[test]
fn django_pysec_2021_9() {
    // vulns/django/PYSEC-2021-9.yaml: ECOSYSTEM 2.2 → 2.2.18, 3.0 → 3.0.12, 3.1 → 3.1.6;
    // aliases CVE-2021-3281, GHSA-fvgf-6h6h-3322.
    let db = shared();
    let find = |name: &str, v: &str| {
        db.match_component(Ecosystem::PyPI, name, v)
            .into_iter()
            .find_map(|o| match o {
                Outcome::Affected(m) if m.id == "PYSEC-2021-9" => Some(m),
                _ => None,
            })
    };
    let m = find("django", "2.2.17").expect("2.2.17 < 2.2.18");
    assert_eq!(
        m.ids,
        ["PYSEC-2021-9", "CVE-2021-3281", "GHSA-fvgf-6h6h-3322"]
    );
    assert_eq!(m.fixed, ["2.2.18", "3.0.12", "3.1.6"]);
    assert_eq!(
        m.severity,
        AdvisorySeverity::Unknown,
        "the record has no severity"
    );
    assert!(
        m.summary.starts_with("In Django 2.2 before 2.2.18"),
        "{}",
        m.summary
    );
    assert!(find("Django", "3.1.5").is_some(), "PEP 503 name");
    assert!(
        find("django", "3.1.6rc1").is_some(),
        "a prerelease of the fix is still affected"
    );
    assert!(find("django", "2.2.18").is_none());
    assert!(find("django", "3.0.12").is_none());
    assert!(find("django", "2.1.15").is_none());
    assert!(find("django", "3.2").is_none());
}

#[test]
fn withdrawn_advisories_never_match() {
    // vulns/loguru/PYSEC-2022-15.yaml is withdrawn (and has no ranges).
    let db = shared();
    let outcomes = db.match_component(Ecosystem::PyPI, "loguru", "0.5.3");
    assert!(
        outcomes.iter().all(|o| o.id() != "PYSEC-2022-15"),
        "{outcomes:?}"
    );
}

#[test]
fn versions_only_advisory() {
    // vulns/gratient/PYSEC-2024-1.yaml: versions ["0.5"], no ranges.
    let db = shared();
    assert_eq!(
        affected_ids(db, Ecosystem::PyPI, "gratient", "0.5"),
        ["PYSEC-2024-1"]
    );
    assert_eq!(
        affected_ids(db, Ecosystem::PyPI, "gratient", "0.5.0"),
        ["PYSEC-2024-1"]
    );
    assert!(affected_ids(db, Ecosystem::PyPI, "gratient", "0.6").is_empty());
}

#[test]
fn unparseable_versions_are_undecidable() {
    let db = shared();
    let outcomes = db.match_component(Ecosystem::CratesIo, "smallvec", "not-a-version");
    assert!(!outcomes.is_empty());
    for o in &outcomes {
        match o {
            Outcome::Undecidable(u) => assert!(u.reason.contains("not-a-version"), "{}", u.reason),
            Outcome::Affected(m) => panic!("{m:?}"),
        }
    }
    let outcomes = db.match_component(Ecosystem::PyPI, "django", "");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Undecidable(_)))
    );
    assert!(!outcomes.is_empty());
}

#[test]
fn informational_advisories_are_flagged() {
    // crates/ansi_term/RUSTSEC-2021-0139.md: informational = "unmaintained", patched = [].
    let db = shared();
    let m = db
        .match_component(Ecosystem::CratesIo, "ansi_term", "0.12.1")
        .into_iter()
        .find_map(|o| match o {
            Outcome::Affected(m) if m.id == "RUSTSEC-2021-0139" => Some(m),
            _ => None,
        })
        .unwrap();
    assert_eq!(m.informational.as_deref(), Some("unmaintained"));
    assert_eq!(m.severity, AdvisorySeverity::Informational);
}

#[test]
fn rustsec_native_and_osv_twins_agree() {
    // The osv/ branch is rustsec's own conversion of crates/: both must give
    // the same ids for the same crate versions.
    let dir = tempfile::tempdir().unwrap();
    let mut native = Database::open(dir.path().join("a")).unwrap();
    native.import(&corpus("rustsec-advisory-db")).unwrap();
    let mut twin = Database::open(dir.path().join("b")).unwrap();
    twin.import(&corpus("rustsec-advisory-db/osv")).unwrap();
    let mut compared = 0;
    for (name, versions) in [
        ("smallvec", ["0.6.2", "0.6.13", "1.6.0", "1.6.1"]),
        ("tokio", ["0.1.22", "1.8.0", "1.18.4", "1.38.0"]),
        ("time", ["0.1.43", "0.2.22", "0.2.23", "0.3.0"]),
        ("hyper", ["0.10.0", "0.14.9", "0.14.10", "1.0.0"]),
    ] {
        for v in versions {
            let a = affected_ids(&native, Ecosystem::CratesIo, name, v);
            let b = affected_ids(&twin, Ecosystem::CratesIo, name, v);
            assert_eq!(a, b, "{name} {v}");
            compared += a.len();
        }
    }
    assert!(compared > 5, "the comparison saw real matches");
}
