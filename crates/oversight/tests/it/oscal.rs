//! `oversight export --oscal` end to end: an engagement with no review (an
//! explicit empty result), then with reviews and a waiver; every document
//! valid against NIST's OSCAL 1.0.6 schemas, the same UUIDs in a second
//! export. On the embedded SQLite and on PostgreSQL.

use std::path::Path;

use serde_json::Value;

use crate::util::{corpora, oversight};

fn run(home: &Path, database: Option<&str>, args: &[&str]) -> (i32, String) {
    let mut cmd = oversight();
    cmd.args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("OVERSIGHT_ACTOR", "alice@example.org");
    if let Some(url) = database {
        cmd.env("OVERSIGHT_DATABASE", url);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn validate(dir: &Path) -> Vec<String> {
    let schemas = corpora().join("oscal-schemas/json/schema");
    let mut problems = Vec::new();
    for (file, schema) in [
        (
            "assessment-results.json",
            "oscal_assessment-results_schema.json",
        ),
        ("poam.json", "oscal_poam_schema.json"),
        ("catalog.json", "oscal_catalog_schema.json"),
    ] {
        let schema: Value =
            serde_json::from_slice(&fs_err::read(schemas.join(schema)).unwrap()).unwrap();
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&schema)
            .unwrap();
        let document: Value =
            serde_json::from_slice(&fs_err::read(dir.join(file)).unwrap()).unwrap();
        problems.extend(
            validator
                .iter_errors(&document)
                .map(|e| format!("{file}: {e} at {}", e.instance_path)),
        );
    }
    problems
}

fn uuids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k.ends_with("uuid") {
                    out.push(v.as_str().unwrap_or("").to_owned());
                } else {
                    uuids(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| uuids(i, out)),
        _ => {}
    }
}

fn read(dir: &Path, file: &str) -> Value {
    serde_json::from_slice(&fs_err::read(dir.join(file)).unwrap()).unwrap()
}

fn oscal_story(database: Option<String>) {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = database.as_deref();
    let (code, out) = run(h, db, &["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    let empty = h.join("oscal-empty");
    let (code, out) = run(
        h,
        db,
        &[
            "export",
            "--oscal",
            "--engagement",
            "acme-portal",
            "-o",
            empty.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}");
    let problems = validate(&empty);
    assert!(problems.is_empty(), "{problems:#?}");
    let results = read(&empty, "assessment-results.json");
    assert_eq!(
        results["assessment-results"]["results"][0]["title"],
        "No review recorded"
    );

    // Two reviews of a real delivery (prometheus' build files and licence).
    let target = h.join("delivery");
    fs_err::create_dir_all(&target).unwrap();
    for name in ["go.mod", "go.sum", "LICENSE"] {
        fs_err::copy(
            corpora()
                .join("real-lockfiles/prometheus__prometheus")
                .join(name),
            target.join(name),
        )
        .unwrap();
    }
    let policy = h.join("policy.toml");
    fs_err::write(
        &policy,
        "schema = 1\nname = \"oscal-test\"\nversion = \"1\"\n",
    )
    .unwrap();
    for _ in 0..2 {
        let (code, out) = run(
            h,
            db,
            &[
                "review",
                target.to_str().unwrap(),
                "--engagement",
                "acme-portal",
                "--policy",
                policy.to_str().unwrap(),
                "--no-progress",
            ],
        );
        assert!(code == 0 || code == 1, "{out}");
    }
    let one = h.join("oscal-1");
    let two = h.join("oscal-2");
    for dir in [&one, &two] {
        let (code, out) = run(
            h,
            db,
            &[
                "export",
                "--oscal",
                "--engagement",
                "acme-portal",
                "-o",
                dir.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("2 review(s) as results"), "{out}");
    }
    let problems = validate(&one);
    assert!(problems.is_empty(), "{problems:#?}");
    let results = read(&one, "assessment-results.json");
    let list = results["assessment-results"]["results"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|r| {
        r["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["value"] == "A.8.30")
    }));
    for file in [
        "assessment-plan.json",
        "assessment-results.json",
        "poam.json",
        "catalog.json",
    ] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        uuids(&read(&one, file), &mut a);
        uuids(&read(&two, file), &mut b);
        assert!(!a.is_empty());
        assert_eq!(a, b, "{file}: UUIDs differ between two exports");
    }
    // An unknown engagement is a clear error.
    let (code, out) = run(
        h,
        db,
        &[
            "export",
            "--oscal",
            "--engagement",
            "nobody",
            "-o",
            h.join("x").to_str().unwrap(),
        ],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("nobody"), "{out}");
}

#[test]
fn oscal_export_on_embedded_sqlite() {
    oscal_story(None);
}

#[test]
fn oscal_export_on_postgres() {
    let db = oversight_test_support::postgres::TempDatabase::new("oversight_oscal");
    oscal_story(Some(db.url()));
}
