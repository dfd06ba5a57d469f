//! Threat models traced into reviews, end to end with the real binary: a
//! real OTM model whose mitigation is "no secrets", a delivery holding a
//! real leaked key (gitleaks' test data) rejected with the threat
//! unmitigated, a clean delivery accepted with it verified, the export with
//! the verification state, hand-over and acknowledgement with the
//! supplier's identity, the status board, and a refused model changing
//! nothing.

use std::path::Path;

use crate::util::{corpora, oversight};

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn run_as(&self, actor: &str, args: &[&str]) -> (i32, String) {
        let out = oversight()
            .args(args)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("OVERSIGHT_ACTOR", actor)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        self.run_as("alice@example.org", args)
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

const POLICY: &str = r#"
schema = 1
name = "threat-gate"
version = "1"
[thresholds]
default = "high"
secret = "low"
[threats]
block_at = "high"
"#;

/// The OTM example with its mitigation saying how a delivery shows it.
fn model(home: &Home) -> std::path::PathBuf {
    let text = fs_err::read_to_string(
        corpora().join("threat-models/iriusrisk__OpenThreatModel/EXAMPLE.json"),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["mitigations"][0]["name"] =
        "No credentials in the delivered code [verify: rule secret.]".into();
    let path = home.path("model.otm.json");
    fs_err::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

fn delivery(dir: &Path, with_secret: bool) {
    let mit = corpora().join("spdx-license-list/license-list-data/text/MIT.txt");
    fs_err::create_dir_all(dir.join("src")).unwrap();
    fs_err::copy(&mit, dir.join("LICENSE")).unwrap();
    fs_err::write(
        dir.join("src/main.rs"),
        "fn main() {\n    println!(\"hello\");\n}\n",
    )
    .unwrap();
    if with_secret {
        fs_err::copy(
            corpora().join("gitleaks/testdata/repos/nogit/api.go"),
            dir.join("src/api.go"),
        )
        .unwrap();
    }
}

fn review_id(out: &str) -> String {
    let start = out.find("(review ").expect("a review id") + "(review ".len();
    out[start..].split(',').next().unwrap().to_owned()
}

#[test]
fn a_secret_leaves_the_threat_unmitigated_and_a_clean_delivery_verifies_it() {
    let home = Home {
        dir: tempfile::tempdir().unwrap(),
    };
    let (code, out) = home.run(&["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    let policy = home.path("policy.toml");
    fs_err::write(&policy, POLICY).unwrap();
    let model = model(&home);
    let model_arg = model.to_str().unwrap();

    let (code, out) = home.run(&[
        "threats",
        "import",
        model_arg,
        "--engagement",
        "acme-portal",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("as version 1") && out.contains("2 threats"),
        "{out}"
    );
    let (_, ledger_before) = home.run(&["ledger", "verify"]);

    // A model that breaks its own references is refused, naming file and
    // reason, and nothing is recorded.
    let mut broken: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&model).unwrap()).unwrap();
    broken["dataflows"][0]["destination"] = "web-client".into();
    broken["dataflows"][0]["source"] = "web-client".into();
    let broken_path = home.path("broken.otm.json");
    fs_err::write(&broken_path, serde_json::to_string(&broken).unwrap()).unwrap();
    let (code, out) = home.run(&[
        "threats",
        "import",
        broken_path.to_str().unwrap(),
        "--engagement",
        "acme-portal",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("broken.otm.json") && out.contains("to itself"),
        "{out}"
    );
    let (_, ledger_after) = home.run(&["ledger", "verify"]);
    assert_eq!(ledger_before, ledger_after);

    let (code, out) = home.run(&["threats", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("verified by rule secret.") && out.contains("TM-"),
        "{out}"
    );

    let review = |target: &Path| {
        home.run(&[
            "review",
            target.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--policy",
            policy.to_str().unwrap(),
            "--no-progress",
        ])
    };
    // 1. A delivery with a leaked AWS key: rejected, the threat unmitigated.
    let leaky = home.path("leaky");
    delivery(&leaky, true);
    let (code, out) = review(&leaky);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("BLOCKS") && out.contains("policy.threat-unmitigated"),
        "{out}"
    );
    assert!(out.contains("0 mitigated, 2 unmitigated"), "{out}");
    assert!(out.contains("open finding(s) of `secret.`"), "{out}");
    let rejected = review_id(&out);

    // 2. The same delivery without it: accepted, the threat verified.
    let clean = home.path("clean");
    delivery(&clean, false);
    let (code, out) = review(&clean);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 mitigated, 0 unmitigated"), "{out}");
    let accepted = review_id(&out);

    // The modelling tool sees what each delivery proved.
    for (review, state) in [(&rejected, "unmitigated"), (&accepted, "mitigated")] {
        for format in ["otm", "threat-dragon"] {
            let file = home.path(&format!("{review}.{format}.json"));
            let (code, out) = home.run(&[
                "threats",
                "export",
                "--engagement",
                "acme-portal",
                "--format",
                format,
                "--review",
                review,
                "-o",
                file.to_str().unwrap(),
            ]);
            assert_eq!(code, 0, "{out}");
            let text = fs_err::read_to_string(&file).unwrap();
            assert!(
                text.contains(&format!("\"state\": \"{state}\"")),
                "{format}: {text}"
            );
            // The tool's own format, read back as a model, is the same.
            let again = oversight_threats::import(text.as_bytes(), "exported").unwrap();
            assert_eq!(again.model.threats.len(), 2);
        }
    }

    // Both reviews replay identically: the same model version is traced
    // again, with the evidence documents kept by then.
    for id in [&rejected, &accepted] {
        let (code, out) = home.run(&["review", "--replay", id, "--no-progress"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("Result: IDENTICAL"), "{out}");
    }

    // Each requirement shows how it was last verified.
    let (code, out) = home.run(&["threats", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("last verified in {accepted}")),
        "{out}"
    );

    // The evidence pack holds the matrix with the review.
    let pack = home.path("pack");
    let (code, out) = home.run(&[
        "export",
        "--engagement",
        "acme-portal",
        "-o",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let recorded =
        fs_err::read_to_string(pack.join(format!("reviews/{accepted}/review.json"))).unwrap();
    assert!(
        recorded.contains("model_version") && recorded.contains("ran with no open finding"),
        "{recorded}"
    );

    // Hand-over, and the acknowledgement with the supplier's identity.
    let (_, out) = home.run(&["status"]);
    assert!(out.contains("threat model v1 not handed over"), "{out}");
    let (code, out) = home.run(&["threats", "handover", "--engagement", "acme-portal"]);
    assert_eq!(code, 0, "{out}");
    let (_, out) = home.run(&["status"]);
    assert!(
        out.contains("threat model v1 not acknowledged by the supplier"),
        "{out}"
    );
    let (code, out) = home.run(&["threats", "acknowledge", "--engagement", "acme-portal"]);
    assert_eq!(
        code, 2,
        "the organisation cannot acknowledge for the supplier: {out}"
    );
    let (code, out) = home.run_as(
        "dev@acme.example",
        &["threats", "acknowledge", "--engagement", "acme-portal"],
    );
    assert_eq!(code, 0, "{out}");
    let (_, out) = home.run(&["status"]);
    assert!(
        !out.contains("threat model v1"),
        "the threat model factor is ok: {out}"
    );
    let (code, out) = home.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
}
