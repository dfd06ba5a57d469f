//! gitleaks' own config and test data.

use crate::util::{gitleaks, ids_lines, scan};

fn gitleaks_detector() -> oversight_secrets::SecretsDetector {
    oversight_secrets::load(&gitleaks().join("config/gitleaks.toml"))
        .expect("gitleaks.toml loads unchanged")
}

#[test]
fn gitleaks_default_config_loads_with_222_rules() {
    assert_eq!(gitleaks_detector().rule_count(), 222);
}

/// What gitleaks' documented semantics report with `gitleaks.toml` on the
/// text files of its test data (git objects, archives and compressed files
/// excluded; symlinks not followed). Written from reading the files:
///
/// * `AKIALALEMEL33243OLIA` matches `aws-access-token` (`[A-Z2-7]{16}` after
///   `AKIA`, word-bounded by quotes), entropy 3.08 > 3, not `…EXAMPLE`;
///   `generic-api-key` also matches `awsToken := "…"` but the same secret's
///   entropy 3.08 is not above 3.5;
/// * `DB_PASSWORD=8ae31cacf141669ddfb5da` matches `generic-api-key`, entropy
///   3.54 > 3.5, no stopword, not only letters;
/// * the OpenSSH key matches `private-key` from its `-----BEGIN` line;
/// * `allowlist_rule_regex.toml` holds the AWS key between quotes (gitleaks'
///   global path allowlist covers only files named `gitleaks.toml`);
/// * the expected git logs quote the AWS key in diff lines.
const EXPECTED: &[(&str, &str, u32)] = &[
    ("archives/files/.env.prod", "secret.generic-api-key", 4),
    ("archives/files/api.go", "secret.aws-access-token", 20),
    ("archives/files/main.go", "secret.aws-access-token", 20),
    (
        "config/valid/allowlist_rule_regex.toml",
        "secret.aws-access-token",
        9,
    ),
    (
        "expected/git/small-branch-foo.txt",
        "secret.aws-access-token",
        15,
    ),
    ("expected/git/small.txt", "secret.aws-access-token", 15),
    ("expected/git/small.txt", "secret.aws-access-token", 44),
    ("repos/nogit/.env.prod", "secret.generic-api-key", 4),
    ("repos/nogit/api.go", "secret.aws-access-token", 20),
    ("repos/nogit/main.go", "secret.aws-access-token", 20),
    (
        "repos/small/api/ignoreCommit.go",
        "secret.aws-access-token",
        20,
    ),
    (
        "repos/small/api/ignoreGlobal.go",
        "secret.aws-access-token",
        20,
    ),
    ("repos/staged/api/api.go", "secret.aws-access-token", 6),
    ("repos/staged/api/api.go", "secret.aws-access-token", 7),
    (
        "repos/symlinks/source_file/id_ed25519",
        "secret.private-key",
        1,
    ),
];

/// Every finding of the detector over the text files of the test data.
fn testdata_findings() -> Vec<(String, String, u32)> {
    let d = gitleaks_detector();
    let root = gitleaks().join("testdata");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable test data") {
            let p = entry.expect("readable entry").path();
            let ft = std::fs::symlink_metadata(&p).expect("metadata").file_type();
            if ft.is_symlink() {
                continue;
            }
            if ft.is_dir() {
                if !p.ends_with("dotGit") {
                    stack.push(p);
                }
                continue;
            }
            let content = std::fs::read(&p).expect("readable file");
            let rel = p
                .strip_prefix(&root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            for (id, line) in ids_lines(&scan(&d, &rel, &content)) {
                out.push((rel.clone(), id, line));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn gitleaks_testdata_findings_match_documented_semantics() {
    let expected: Vec<(String, String, u32)> = EXPECTED
        .iter()
        .map(|(f, r, l)| ((*f).to_owned(), (*r).to_owned(), *l))
        .collect();
    assert_eq!(testdata_findings(), expected);
}

#[test]
fn gitleaks_findings_never_show_the_secret() {
    let d = gitleaks_detector();
    let content = std::fs::read(gitleaks().join("testdata/repos/nogit/.env.prod")).unwrap();
    let found = scan(&d, ".env.prod", &content);
    assert_eq!(found.len(), 1);
    for e in found {
        let text = format!("{} {:?} {:?}", e.message, e.evidence, e.key);
        assert!(!text.contains("8ae31cacf141669ddfb5da"), "{text}");
        assert_eq!(e.key.len(), 32);
        assert!(e.evidence.as_ref().unwrap().redacted);
        assert!(
            e.evidence
                .unwrap()
                .snippet
                .starts_with("DB_PASSWORD=…[sha256:")
        );
    }
}

/// Each invalid config of gitleaks' test data is rejected, naming the rule
/// (when the problem is in a rule) and the line.
#[test]
fn gitleaks_invalid_configs_are_rejected_with_rule_and_line() {
    let cases: &[(&str, Option<&str>, usize, &str)] = &[
        ("allowlist_global_empty.toml", None, 2, "at least one check"),
        ("allowlist_global_old_and_new.toml", None, 1, "deprecated"),
        ("allowlist_global_regextarget.toml", None, 1, "mtach"),
        (
            "allowlist_global_target_rule_id.toml",
            None,
            5,
            "github-pat",
        ),
        (
            "allowlist_rule_empty.toml",
            Some("example"),
            4,
            "at least one check",
        ),
        (
            "allowlist_rule_old_and_new.toml",
            Some("example"),
            4,
            "deprecated",
        ),
        (
            "allowlist_rule_regextarget.toml",
            Some("example"),
            4,
            "mtach",
        ),
        ("extend_invalid_base.toml", None, 3, "extend"),
        ("extend_invalid_ruleid.toml", None, 1, "useDefault"),
        (
            "rule_bad_entropy_group.toml",
            Some("discord-api-key"),
            7,
            "secret group 5",
        ),
        ("rule_missing_id.toml", None, 5, "|id| is missing"),
        (
            "rule_no_regex_or_path.toml",
            Some("discord-api-key"),
            4,
            "no effect",
        ),
    ];
    for (file, rule, line, needle) in cases {
        let path = gitleaks().join("testdata/config/invalid").join(file);
        let err = oversight_secrets::load(&path).expect_err(file);
        let text = err.to_string();
        assert_eq!(err.rule(), *rule, "{file}: {text}");
        assert_eq!(err.line(), Some(*line), "{file}: {text}");
        assert!(text.contains(needle), "{file}: {text}");
        assert!(text.contains(file), "{file}: {text}");
    }
}

#[test]
fn gitleaks_valid_configs_without_extend_load() {
    let dir = gitleaks().join("testdata/config/valid");
    let mut loaded = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let result = oversight_secrets::from_gitleaks_toml(&text, &path.display().to_string());
        if text.contains("[extend]") {
            assert!(result.is_err(), "{}", path.display());
        } else {
            result.unwrap_or_else(|e| panic!("{e}"));
            loaded += 1;
        }
    }
    assert!(loaded >= 10, "{loaded}");
}

#[test]
fn unknown_key_in_a_rule_names_rule_and_line() {
    let text = r#"title = "t"

[[rules]]
id = "first"
regex = '''a+'''

[[rules]]
id = "second"
regex = '''b+'''
secretgroup = 0
entropie = 3
"#;
    let err = oversight_secrets::from_gitleaks_toml(text, "custom.toml").unwrap_err();
    assert_eq!(err.rule(), Some("second"), "{err}");
    assert_eq!(err.line(), Some(11), "{err}");
    assert!(err.to_string().contains("entropie"), "{err}");
}

#[test]
fn path_only_rules_match_file_names() {
    let d = gitleaks_detector();
    let found = scan(&d, "certs/client.p12", b"\x30\x82\x00binary");
    assert_eq!(
        ids_lines(&found),
        vec![("secret.pkcs12-file".to_owned(), 0)]
    );
    assert!(scan(&d, "certs/client.pem.txt", b"nothing").is_empty());
}
