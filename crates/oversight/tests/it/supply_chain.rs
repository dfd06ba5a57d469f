//! Dependencies end to end: advisory import, vulnerability matching on real
//! lockfiles, VEX, SBOMs validated against the official schemas, SBOM diff.

use std::path::{Path, PathBuf};

use jsonschema::{Draft, Resource};
use serde_json::Value;

use crate::util::{corpora, findings, oversight, schemas};

fn lockfiles() -> PathBuf {
    corpora().join("real-lockfiles")
}

/// An advisory index holding the RustSec and PyPA corpora.
fn advisories(dir: &Path) -> PathBuf {
    let index = dir.join("advisories");
    for source in ["rustsec-advisory-db", "pypa-advisory-db"] {
        let out = oversight()
            .args(["db", "import"])
            .arg(corpora().join(source))
            .arg("--advisories")
            .arg(&index)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    index
}

/// A delivery holding copies of real lockfiles.
fn delivery(dir: &Path, files: &[&str]) -> PathBuf {
    let root = dir.join("delivery");
    for file in files {
        let to = root.join(file.split_once('/').unwrap().1);
        fs_err::create_dir_all(to.parent().unwrap()).unwrap();
        fs_err::copy(lockfiles().join(file), to).unwrap();
    }
    root
}

fn scan(target: &Path, index: &Path, extra: &[&str]) -> (i32, Value) {
    let out = oversight()
        .arg("scan")
        .arg(target)
        .arg("--advisories")
        .arg(index)
        .args(["--no-secrets", "--no-licenses", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

fn with_rule<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    findings(report).filter(|f| f["rule"] == rule).collect()
}

#[test]
fn real_lockfiles_are_inventoried_and_matched_against_imported_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let index = advisories(dir.path());
    let target = delivery(dir.path(), &["astral-sh__ruff/Cargo.lock"]);
    let (code, report) = scan(&target, &index, &[]);

    // 556 [[package]] entries, 51 of them the workspace's own crates (no `source`).
    let components = report["components"].as_array().unwrap();
    assert_eq!(components.len(), 505);
    let crossbeam = components
        .iter()
        .find(|c| c["name"] == "crossbeam-epoch")
        .unwrap();
    assert_eq!(crossbeam["version"], "0.9.18");
    assert_eq!(crossbeam["purl"], "pkg:cargo/crossbeam-epoch@0.9.18");

    // RUSTSEC-2026-0204: patched >= 0.9.20, unaffected < 0.9.0; no CVSS, so Medium.
    let known = with_rule(&report, "vulnerability.known");
    let hit = known
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("RUSTSEC-2026-0204"))
        .expect("crossbeam-epoch 0.9.18 is affected");
    assert_eq!(hit["path"], "Cargo.lock");
    assert_eq!(hit["severity"], "medium");
    assert!(hit["message"].as_str().unwrap().contains(">= 0.9.20"));
    // paste 1.0.15 is unmaintained (RUSTSEC-2024-0436): informational.
    assert!(
        with_rule(&report, "vulnerability.informational")
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("RUSTSEC-2024-0436"))
    );
    // Medium does not reach the default threshold (high).
    assert_eq!(code, 0);
    assert!(with_rule(&report, "coverage.advisories-missing").is_empty());
}

#[test]
fn components_without_advisories_or_versions_are_coverage_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("delivery");
    fs_err::create_dir_all(&target).unwrap();
    fs_err::write(target.join("requirements.txt"), "django\nrequests==2.0.0\n").unwrap();
    fs_err::copy(
        lockfiles().join("rails__rails/Gemfile.lock"),
        target.join("Gemfile.lock"),
    )
    .unwrap();

    // An empty index: nothing can be said about any component.
    let (code, report) = scan(&target, &dir.path().join("empty-index"), &[]);
    assert_eq!(code, 1);
    let missing: Vec<&str> = with_rule(&report, "coverage.advisories-missing")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing.iter().any(|m| m.contains("PyPI")));
    assert!(missing.iter().any(|m| m.contains("RubyGems")));

    // With PyPI advisories, an unpinned django cannot be decided: not "safe".
    let index = advisories(dir.path());
    let (code, report) = scan(&target, &index, &[]);
    assert_eq!(code, 1);
    let undecided = with_rule(&report, "coverage.vulnerability-undecidable");
    assert!(
        undecided.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .starts_with("`django` (no version)")),
        "{undecided:#?}"
    );
    // requests 2.0.0 predates several fixes (e.g. PYSEC-2014-13, fixed in 2.3.0).
    assert!(
        with_rule(&report, "vulnerability.known")
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("PYSEC-2014-13"))
    );
    // No RubyGems advisories were imported: still a gap.
    assert_eq!(with_rule(&report, "coverage.advisories-missing").len(), 1);
}

fn validator(schema: &str) -> jsonschema::Validator {
    let load = |name: &str| -> Value {
        serde_json::from_str(&fs_err::read_to_string(schemas().join(name)).unwrap()).unwrap()
    };
    let draft = if schema.starts_with("openvex") {
        Draft::Draft202012
    } else {
        Draft::Draft7
    };
    jsonschema::options()
        .with_draft(draft)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            Resource::from_contents(load("spdx.schema.json")).unwrap(),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            Resource::from_contents(load("jsf-0.82.schema.json")).unwrap(),
        )
        .build(&load(schema))
        .unwrap()
}

fn assert_valid(schema: &str, document: &Value) {
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .take(10)
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:#?}");
}

#[test]
fn vex_suppresses_with_its_justification_and_openvex_output_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let index = advisories(dir.path());
    let target = delivery(dir.path(), &["astral-sh__ruff/Cargo.lock"]);

    // The statements a reviewer starts from.
    let (_, _) = scan(&target, &index, &[]);
    let out = oversight()
        .arg("scan")
        .arg(&target)
        .arg("--advisories")
        .arg(&index)
        .args(["--no-secrets", "--no-licenses", "--format", "openvex"])
        .output()
        .unwrap();
    let vex: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("openvex-0.2.0.schema.json", &vex);
    let statements = vex["statements"].as_array().unwrap();
    let crossbeam = statements
        .iter()
        .find(|s| s["vulnerability"]["name"] == "RUSTSEC-2026-0204")
        .expect("a statement for the crossbeam-epoch advisory");
    assert_eq!(crossbeam["status"], "under_investigation");

    // The reviewer decides, and passes the decision back.
    let mut decided = vex.clone();
    decided["statements"] = serde_json::json!([{
        "vulnerability": {"name": "RUSTSEC-2026-0204"},
        "products": [{"@id": "pkg:cargo/crossbeam-epoch@0.9.18"}],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "Atomic pointers are never formatted"
    }]);
    let vex_file = dir.path().join("decisions.vex.json");
    fs_err::write(&vex_file, decided.to_string()).unwrap();
    let (_, report) = scan(&target, &index, &["--vex", vex_file.to_str().unwrap()]);
    assert!(
        !with_rule(&report, "vulnerability.known")
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("RUSTSEC-2026-0204"))
    );
    let suppressed = with_rule(&report, "vulnerability.not-affected");
    assert_eq!(suppressed.len(), 1);
    let message = suppressed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("vulnerable_code_not_in_execute_path"),
        "{message}"
    );
    assert!(
        message.contains("Atomic pointers are never formatted"),
        "{message}"
    );
    assert_eq!(suppressed[0]["severity"], "info");

    // A VEX file that is not OpenVEX is refused, naming the file.
    let bad = dir.path().join("bad.vex.json");
    fs_err::write(
        &bad,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": 3}"#,
    )
    .unwrap();
    let out = oversight()
        .arg("scan")
        .arg(&target)
        .arg("--advisories")
        .arg(&index)
        .arg("--vex")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.vex.json"));
}

fn sbom(target: &Path, format: &str) -> Value {
    let out = oversight()
        .args(["sbom", "--format", format])
        .arg(target)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sboms_of_a_multi_ecosystem_delivery_are_valid_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let target = delivery(
        dir.path(),
        &[
            "astral-sh__ruff/Cargo.lock",
            "rails__rails/Gemfile.lock",
            "prometheus__prometheus/go.mod",
            "composer__composer/composer.lock",
        ],
    );
    let cdx = sbom(&target, "cyclonedx");
    assert_valid("bom-1.6.schema.json", &cdx);
    assert_eq!(cdx["specVersion"], "1.6");
    let purls: Vec<&str> = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert!(purls.contains(&"pkg:cargo/crossbeam-epoch@0.9.18"));
    assert!(purls.iter().any(|p| p.starts_with("pkg:gem/rack@")));
    assert!(
        purls
            .iter()
            .any(|p| p.starts_with("pkg:golang/github.com/prometheus/common@"))
    );
    assert!(purls.iter().any(|p| p.starts_with("pkg:composer/")));
    assert!(!cdx["dependencies"].as_array().unwrap().is_empty());

    let spdx = sbom(&target, "spdx");
    assert_valid("spdx-2.3.schema.json", &spdx);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert!(spdx["packages"].as_array().unwrap().len() > purls.len() / 2);
}

#[test]
fn sbom_diff_names_what_the_supplier_left_out_or_got_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let target = delivery(dir.path(), &["astral-sh__ruff/Cargo.lock"]);
    let ours = sbom(&target, "cyclonedx");
    let supplied = dir.path().join("supplied.cdx.json");

    // Their SBOM says exactly what the delivery holds.
    fs_err::write(&supplied, ours.to_string()).unwrap();
    let same = oversight()
        .args(["sbom", "diff"])
        .arg(&supplied)
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );

    // Their SBOM forgets one crate and misstates another's version.
    let mut theirs = ours.clone();
    let components = theirs["components"].as_array_mut().unwrap();
    components.retain(|c| c["name"] != "crossbeam-epoch");
    let paste = components
        .iter_mut()
        .find(|c| c["name"] == "paste")
        .unwrap();
    paste["version"] = "1.0.14".into();
    paste["purl"] = "pkg:cargo/paste@1.0.14".into();
    fs_err::write(&supplied, theirs.to_string()).unwrap();
    let out = oversight()
        .args(["sbom", "diff"])
        .arg(&supplied)
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("missing from the supplied SBOM: pkg:cargo/crossbeam-epoch@0.9.18"),
        "{text}"
    );
    assert!(
        text.contains("version mismatch: paste: supplied 1.0.14, delivered 1.0.15"),
        "{text}"
    );
}

/// Serves `body` for every request on a local port, as an osv.dev mirror.
fn serve(body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{address}")
}

#[test]
fn db_update_downloads_osv_zips_through_a_mirror_and_imports_them() {
    // The RustSec advisories in OSV form, zipped as osv.dev publishes them.
    let osv = corpora().join("rustsec-advisory-db/osv/crates");
    let mut members: Vec<(String, Vec<u8>)> = fs_err::read_dir(&osv)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs_err::read(&p).unwrap(),
            )
        })
        .collect();
    members.sort();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let mirror = serve(crate::util::zip_of(&refs));

    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("advisories");
    let out = oversight()
        .args([
            "db",
            "update",
            "--ecosystem",
            "crates.io",
            "--mirror",
            &mirror,
        ])
        .arg("--advisories")
        .arg(&index)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!("crates.io: {} advisories", members.len())),
        "{stdout}"
    );
    assert!(index.join("downloads/crates.io-all.zip").is_file());

    // The downloaded snapshot matches like the native RustSec import.
    let target = delivery(dir.path(), &["astral-sh__ruff/Cargo.lock"]);
    let (_, report) = scan(&target, &index, &[]);
    assert!(
        with_rule(&report, "vulnerability.known")
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("RUSTSEC-2026-0204"))
    );
    let status = oversight()
        .args(["db", "status", "--advisories"])
        .arg(&index)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("OsvZip"));
}
