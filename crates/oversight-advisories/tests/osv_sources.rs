//! OSV sources other than the two corpora: osv.dev-style zips, GHSA-style
//! records merged with RustSec by alias, and one record per ecosystem
//! ordering. The OSV records here are written by the tests; each expected
//! value follows from the record next to it.

use std::io::Write;
use std::path::{Path, PathBuf};

use oversight_advisories::{AdvisorySeverity, Database, Outcome, SourceKind};
use oversight_model::Ecosystem;

fn corpus(rel: &str) -> PathBuf {
    oversight_test_support::corpora().join(rel)
}

fn ids(outcomes: &[Outcome]) -> Vec<&str> {
    outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Affected(_)))
        .map(Outcome::id)
        .collect()
}

#[test]
fn zip_and_directory_of_the_same_records_agree() {
    let work = tempfile::tempdir().unwrap();
    let src = corpus("rustsec-advisory-db/osv/crates");
    let zip_path = work.path().join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let mut names: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in &names {
        zip.start_file(
            name.to_string_lossy(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&std::fs::read(src.join(name)).unwrap())
            .unwrap();
    }
    zip.start_file("BROKEN-1.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"{\"id\": ").unwrap();
    zip.finish().unwrap();

    let mut db = Database::open(work.path().join("index")).unwrap();
    let from_zip = db.import(&zip_path).unwrap();
    assert_eq!(from_zip.snapshot.kind, SourceKind::OsvZip);
    assert_eq!(from_zip.imported, 1206);
    assert_eq!(from_zip.failed.len(), 1);
    assert_eq!(from_zip.failed[0].path, "BROKEN-1.json");

    // The same files without the broken one, as a directory: same advisories.
    let mut other = Database::open(work.path().join("index2")).unwrap();
    let from_dir = other.import(&src).unwrap();
    assert_eq!(from_dir.imported, 1206);
    assert_ne!(
        from_dir.snapshot.digest, from_zip.snapshot.digest,
        "the broken member is part of the zip's content"
    );
    for v in ["1.6.0", "1.6.1", "0.6.13"] {
        assert_eq!(
            ids(&db.match_component(Ecosystem::CratesIo, "smallvec", v)),
            ids(&other.match_component(Ecosystem::CratesIo, "smallvec", v)),
            "{v}"
        );
    }
}

fn write_records(dir: &Path, records: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, json) in records {
        std::fs::write(dir.join(name), json).unwrap();
    }
}

#[test]
fn ghsa_and_rustsec_records_merge_by_alias() {
    let work = tempfile::tempdir().unwrap();
    let ghsa = work.path().join("ghsa");
    write_records(
        &ghsa,
        &[
            // Names RUSTSEC-2021-0003's GHSA id: same vulnerability.
            (
                "GHSA-43w2-9j62-hq99.json",
                r#"{"id":"GHSA-43w2-9j62-hq99","aliases":["CVE-2021-25900"],"summary":"Buffer overflow in SmallVec::insert_many",
                "database_specific":{"severity":"CRITICAL"},
                "affected":[{"package":{"ecosystem":"crates.io","name":"smallvec"},
                  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0.6.3"},{"fixed":"0.6.14"},{"introduced":"1.0.0"},{"fixed":"1.6.1"}]}]}]}"#,
            ),
            // Shares only the CVE with the others: a different advisory.
            (
                "GHSA-zzzz-zzzz-zzzz.json",
                r#"{"id":"GHSA-zzzz-zzzz-zzzz","aliases":["CVE-2021-25900"],"summary":"Another report",
                "affected":[{"package":{"ecosystem":"crates.io","name":"smallvec"},
                  "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.6.1"}]}]}]}"#,
            ),
        ],
    );
    let mut db = Database::open(work.path().join("index")).unwrap();
    db.import(&corpus("rustsec-advisory-db")).unwrap();
    db.import(&ghsa).unwrap();
    let outcomes = db.match_component(Ecosystem::CratesIo, "smallvec", "1.6.0");
    let merged = outcomes
        .iter()
        .find_map(|o| match o {
            Outcome::Affected(m) if m.ids.contains(&"GHSA-43w2-9j62-hq99".to_owned()) => Some(m),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        merged.id, "RUSTSEC-2021-0003",
        "the database record's id is primary"
    );
    assert_eq!(
        merged.ids,
        ["RUSTSEC-2021-0003", "CVE-2021-25900", "GHSA-43w2-9j62-hq99"]
    );
    assert_eq!(
        merged.fixed,
        [">= 0.6.14, < 1.0.0", ">= 1.6.1", "0.6.14", "1.6.1"]
    );
    assert_eq!(
        merged.snapshot,
        db.snapshots()[0].digest,
        "primary record's snapshot"
    );
    assert!(ids(&outcomes).contains(&"GHSA-zzzz-zzzz-zzzz"));
    assert_eq!(
        ids(&outcomes)
            .iter()
            .filter(|i| i.starts_with("GHSA-43w2"))
            .count(),
        0,
        "merged, not listed twice"
    );
    // At 1.6.1 none of the three records is affected.
    assert!(
        db.match_component(Ecosystem::CratesIo, "smallvec", "1.6.1")
            .iter()
            .all(|o| {
                !matches!(o, Outcome::Affected(m) if m.ids.iter().any(|i| i == "CVE-2021-25900"))
            })
    );
}

#[test]
fn every_ecosystem_ordering_through_the_database() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("osv");
    let rec = |id: &str, eco: &str, name: &str, kind: &str, events: &str| {
        format!(
            r#"{{"id":"{id}","summary":"{id}","affected":[{{"package":{{"ecosystem":"{eco}","name":"{name}"}},"ranges":[{{"type":"{kind}","events":[{events}]}}]}}]}}"#
        )
    };
    let records = [
        (
            "go.json",
            rec(
                "GO-1",
                "Go",
                "github.com/x/y",
                "SEMVER",
                r#"{"introduced":"0"},{"fixed":"1.2.3"}"#,
            ),
        ),
        (
            "npm.json",
            rec(
                "NPM-1",
                "npm",
                "@scope/pkg",
                "SEMVER",
                r#"{"introduced":"0"},{"fixed":"1.0.0"}"#,
            ),
        ),
        (
            "maven.json",
            rec(
                "MVN-1",
                "Maven",
                "org.apache.logging.log4j:log4j-core",
                "ECOSYSTEM",
                r#"{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}"#,
            ),
        ),
        (
            "nuget.json",
            rec(
                "NUGET-1",
                "NuGet",
                "Newtonsoft.Json",
                "ECOSYSTEM",
                r#"{"introduced":"0"},{"fixed":"13.0.1"}"#,
            ),
        ),
        (
            "ruby.json",
            rec(
                "GEM-1",
                "RubyGems",
                "rack",
                "ECOSYSTEM",
                r#"{"introduced":"2.0.0"},{"last_affected":"2.2.3"}"#,
            ),
        ),
        (
            "php.json",
            rec(
                "PHP-1",
                "Packagist",
                "symfony/http-kernel",
                "ECOSYSTEM",
                r#"{"introduced":"5.0.0"},{"fixed":"5.4.20"}"#,
            ),
        ),
        (
            "pub.json",
            rec(
                "PUB-1",
                "Pub",
                "http",
                "ECOSYSTEM",
                r#"{"introduced":"0"},{"fixed":"0.13.3"}"#,
            ),
        ),
        (
            "hex.json",
            rec(
                "HEX-1",
                "Hex",
                "plug",
                "ECOSYSTEM",
                r#"{"introduced":"1.0.0"},{"fixed":"1.3.5"}"#,
            ),
        ),
        (
            "conan.json",
            rec(
                "CONAN-1",
                "ConanCenter",
                "zlib",
                "ECOSYSTEM",
                r#"{"introduced":"0"},{"fixed":"1.2.12"}"#,
            ),
        ),
        (
            "debian.json",
            rec(
                "DEB-1",
                "Debian:12",
                "zlib",
                "ECOSYSTEM",
                r#"{"introduced":"0"}"#,
            ),
        ),
    ];
    write_records(
        &src,
        &records
            .iter()
            .map(|(n, j)| (*n, j.as_str()))
            .collect::<Vec<_>>(),
    );
    let mut db = Database::open(work.path().join("index")).unwrap();
    let report = db.import(&src).unwrap();
    assert_eq!(report.imported, 9);
    assert_eq!(
        report.skipped.len(),
        1,
        "Debian is not an ecosystem of components"
    );
    let check = |eco: Ecosystem, name: &str, version: &str, affected: bool| {
        let got = db.match_component(eco, name, version);
        assert_eq!(
            got.iter().any(|o| matches!(o, Outcome::Affected(_))),
            affected,
            "{eco} {name} {version}: {got:?}"
        );
        assert!(
            got.iter().all(|o| !matches!(o, Outcome::Undecidable(_))),
            "{eco} {name} {version}: {got:?}"
        );
    };
    check(Ecosystem::Go, "github.com/x/y", "v1.2.2", true);
    check(
        Ecosystem::Go,
        "github.com/x/y",
        "v0.0.0-20210101000000-abcdef123456",
        true,
    );
    check(Ecosystem::Go, "github.com/x/y", "v1.2.3", false);
    check(
        Ecosystem::Go,
        "github.com/x/y",
        "v1.2.4-0.20230101000000-abcdef123456",
        false,
    );
    check(Ecosystem::Npm, "@scope/pkg", "1.0.0-alpha", true);
    check(Ecosystem::Npm, "@scope/pkg", "1.0.0", false);
    check(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.14.1",
        true,
    );
    check(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.0-beta9",
        true,
    );
    check(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.0-alpha1",
        false,
    );
    check(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.15.0",
        false,
    );
    check(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.15.0-rc1",
        true,
    );
    check(Ecosystem::NuGet, "newtonsoft.json", "12.0.3", true);
    check(Ecosystem::NuGet, "NEWTONSOFT.JSON", "13.0.1", false);
    check(Ecosystem::RubyGems, "rack", "2.2.3", true);
    check(Ecosystem::RubyGems, "rack", "2.2.3.1", false);
    check(Ecosystem::RubyGems, "rack", "1.6.13", false);
    check(Ecosystem::Packagist, "Symfony/HTTP-Kernel", "v5.4.19", true);
    check(Ecosystem::Packagist, "symfony/http-kernel", "5.4.20", false);
    check(Ecosystem::Pub, "http", "0.13.2", true);
    check(Ecosystem::Hex, "plug", "1.3.4", true);
    check(Ecosystem::Hex, "plug", "1.3.5", false);
    check(Ecosystem::ConanCenter, "zlib", "1.2.11", true);
    check(Ecosystem::ConanCenter, "zlib", "1.2.13", false);
    let m = db
        .match_component(
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
        )
        .into_iter()
        .find_map(|o| match o {
            Outcome::Affected(m) => Some(m),
            Outcome::Undecidable(_) => None,
        })
        .unwrap();
    assert_eq!(m.fixed, ["2.15.0"]);
    assert_eq!(m.severity, AdvisorySeverity::Unknown);
}

#[test]
fn nothing_to_import_and_missing_paths_are_errors() {
    let work = tempfile::tempdir().unwrap();
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("README.md"), "not an advisory").unwrap();
    let mut db = Database::open(work.path().join("index")).unwrap();
    let err = db.import(&empty).unwrap_err().to_string();
    assert!(err.starts_with("No advisory file"), "{err}");
    assert!(db.import(&work.path().join("missing")).is_err());
    assert!(
        db.import(&empty.join("README.md"))
            .unwrap_err()
            .to_string()
            .contains("zip")
    );
    assert!(db.snapshots().is_empty(), "a failed import records nothing");
}

#[test]
fn a_damaged_index_is_reported_not_trusted() {
    let work = tempfile::tempdir().unwrap();
    let index = work.path().join("index");
    let mut db = Database::open(&index).unwrap();
    db.import(&corpus("pypa-advisory-db/vulns/django")).unwrap();
    let data = std::fs::read_dir(&index)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".bin"))
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&data).unwrap();
    let keep = bytes.len() / 2;
    bytes.truncate(keep);
    std::fs::write(&data, bytes).unwrap();
    let err = Database::open(&index).unwrap_err().to_string();
    assert!(err.contains("unusable"), "{err}");
    std::fs::write(index.join("manifest.json"), "{").unwrap();
    assert!(Database::open(&index).is_err());
}
