//! The engagement file format and the catalogue.

use std::collections::BTreeSet;

use oversight_register::{Catalogue, format};

fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The examples directory, where the example engagement's policy is.
pub fn examples_dir() -> std::path::PathBuf {
    repo_root().join("examples")
}

pub fn example_text() -> String {
    std::fs::read_to_string(repo_root().join("examples/engagement.toml")).expect("example exists")
}

#[test]
fn example_file_is_complete_and_round_trips() {
    let catalogue = Catalogue::builtin();
    let engagement =
        format::parse_engagement(&example_text(), "example", &catalogue).expect("valid");
    let t = &engagement.terms;
    assert!(
        t.licensing.is_some()
            && t.security.is_some()
            && t.threat_model.is_some()
            && t.acceptance.is_some()
            && t.assurance.is_some()
            && t.testing.is_some()
            && t.escrow.is_some()
            && t.audit.is_some()
            && t.environment.is_some()
            && t.legislation.is_some(),
        "the example agrees every factor"
    );
    let shown = format::render_engagement(&engagement);
    assert_eq!(
        format::parse_engagement(&shown, "shown", &catalogue).expect("valid"),
        engagement
    );
    assert_eq!(
        format::render_engagement(
            &format::parse_engagement(&shown, "s", &catalogue).expect("valid")
        ),
        shown
    );
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let text = example_text().replace(
        "agent = \"Example Escrow Services\"",
        "agent = \"E\"\nagnet = \"typo\"",
    );
    let err = format::parse_engagement(&text, "acme.toml", &Catalogue::builtin())
        .expect_err("unknown key");
    let line = text
        .lines()
        .position(|l| l.starts_with("agnet"))
        .expect("planted")
        + 1;
    let shown = err.to_string();
    assert!(shown.contains("acme.toml"), "{shown}");
    assert!(shown.contains(&format!("line {line}")), "{shown}");
    assert!(shown.contains("agnet"), "{shown}");
}

#[test]
fn invalid_dates_are_named_each_with_key_and_line() {
    let text = example_text()
        .replace(
            "last_verified_deposit = 2025-03-31",
            "last_verified_deposit = 2025-02-30",
        )
        .replace("next_due = 2025-11-05", "next_due = 2025-11-05T10:00:00Z");
    let err =
        format::parse_engagement(&text, "acme.toml", &Catalogue::builtin()).expect_err("bad dates");
    let shown = err.to_string();
    // A day that does not exist is refused either by the TOML parser or by our
    // validation; both name the line.
    let line = text
        .lines()
        .position(|l| l.contains("2025-02-30"))
        .expect("planted")
        + 1;
    assert!(shown.contains(&format!("line {line}")), "{shown}");
    if err.problems.len() > 1 {
        assert!(
            shown.contains("`audit.next_due`: `2025-11-05T10:00:00Z` is not a plain date"),
            "{shown}"
        );
    }
}

#[test]
fn validation_collects_every_problem() {
    let text = r#"
id = "Acme Portal"
supplier = "acme"
system = ""
owner = "o"
status = "finished"
start = 2025-05-01
end = 2025-04-01
[security]
requirements = [{ id = "NOPE-1" }, { id = "OSD-SEC-01", verification = "trust-me" }]
"#;
    let err = format::parse_engagement(text, "x.toml", &Catalogue::builtin()).expect_err("invalid");
    let shown = err.to_string();
    for expected in [
        "line 2: `id`: Invalid engagement id `Acme Portal`",
        "`system`: must not be empty",
        "line 6: `status`: Unknown engagement status `finished`, expected one of: planned, active, suspended, closed",
        "line 8: `end`: ends (2025-04-01) before it starts (2025-05-01)",
        "line 10: `security.requirements.id`: `NOPE-1` is not in the requirement catalogue",
        "`security.requirements.verification`: Unknown verification method `trust-me`",
    ] {
        assert!(
            shown.contains(expected),
            "missing {expected:?} in:\n{shown}"
        );
    }
}

#[test]
fn user_catalogue_files_extend_the_builtin_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("org.toml");
    std::fs::write(
        &path,
        "[[requirement]]\nid = \"ORG-01\"\ntitle = \"Org rule\"\ntext = \"Our own rule.\"\nfactor = \"escrow\"\nssdf = []\nverification = \"evidence-document\"\n",
    )
    .expect("write");
    let mut catalogue = Catalogue::builtin();
    let before = catalogue.len();
    catalogue.load_file(&path).expect("valid");
    assert_eq!(catalogue.len(), before + 1);
    let text = example_text().replace("{ id = \"OSD-SEC-02\" }", "{ id = \"ORG-01\" }");
    format::parse_engagement(&text, "x", &catalogue).expect("user requirement resolves");
    let err = catalogue
        .load_file(&dir.path().join("absent.toml"))
        .expect_err("missing");
    assert!(err.to_string().contains("absent.toml"), "{err}");
}

/// Every SSDF id the built-in catalogue cites is a task in NIST's OSCAL
/// catalogue of SP 800-218.
#[test]
fn catalogue_ssdf_ids_exist_in_the_oscal_catalogue() {
    let path = oversight_test_support::corpus(
        "nist-ssdf/nist.gov/SP800-218/ver1/json/NIST_SP800-218_ver1_catalog.json",
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let mut ids = BTreeSet::new();
    collect_ids(&json, &mut ids);
    assert!(ids.contains("PW.4.1"), "the OSCAL catalogue was read");
    let catalogue = Catalogue::builtin();
    for requirement in catalogue.iter() {
        for ssdf in &requirement.ssdf {
            assert!(
                ids.contains(ssdf.as_str()),
                "{} cites {ssdf}, which is not an SSDF task",
                requirement.id
            );
        }
    }
}

fn collect_ids(value: &serde_json::Value, ids: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let (Some(serde_json::Value::String(id)), Some(serde_json::Value::String(class))) =
                (map.get("id"), map.get("class"))
                && class == "task"
            {
                ids.insert(id.clone());
            }
            map.values().for_each(|v| collect_ids(v, ids));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_ids(v, ids)),
        _ => {}
    }
}

/// A real OpenSSH ed25519 public key (made with `ssh-keygen -t ed25519`).
const SIGNING_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJiOjEGTPhcm4/z7c8voymhdMcx7GENszlCM93hkAGtr dev@supplier";

#[test]
fn signing_keys_and_commit_domains_round_trip_and_bad_ones_are_named() {
    let catalogue = Catalogue::builtin();
    let text = example_text().replace(
        "[environment]\n",
        &format!(
            "[environment]\nsigning_keys = [\"{SIGNING_KEY}\"]\ncommit_domains = [\"Supplier.example\", \"sub.example\"]\n"
        ),
    );
    let engagement = format::parse_engagement(&text, "acme.toml", &catalogue).expect("valid");
    let env = engagement.terms.environment.as_ref().expect("environment");
    assert_eq!(env.signing_keys, [SIGNING_KEY]);
    assert_eq!(env.commit_domains, ["supplier.example", "sub.example"]);
    let shown = format::render_engagement(&engagement);
    assert_eq!(
        format::parse_engagement(&shown, "shown", &catalogue).expect("valid"),
        engagement
    );

    let bad = example_text().replace(
        "[environment]\n",
        "[environment]\nsigning_keys = [\"ssh-ed25519 AAAAnotbase64 x\", \"-----BEGIN PGP PUBLIC KEY BLOCK-----\"]\ncommit_domains = [\"dev@supplier.example\"]\nprovenance_keys = [\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"]\n",
    );
    let err = format::parse_engagement(&bad, "acme.toml", &catalogue).expect_err("bad keys");
    let shown = err.to_string();
    let line = bad
        .lines()
        .position(|l| l.starts_with("signing_keys"))
        .expect("planted")
        + 1;
    for expected in [
        format!("line {line}: `environment.signing_keys[0]`: `ssh-ed25519 AAAAnotbase64 x` is not an OpenSSH public key"),
        "`environment.signing_keys[1]`: `-----BEGIN PGP PUBLIC KEY BLOCK-----` is not an OpenSSH public key".to_owned(),
        "`environment.commit_domains`: `dev@supplier.example` is not an e-mail domain".to_owned(),
        "`environment.provenance_keys[0]`: key `environment.provenance_keys[0]` is not an ed25519 or ECDSA P-256 public key in PEM".to_owned(),
    ] {
        assert!(shown.contains(&expected), "{expected}\n{shown}");
    }
}
