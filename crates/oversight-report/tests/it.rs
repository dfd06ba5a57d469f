//! Integration tests of `oversight-report`: each output format rendered from
//! hand-built reports, checked by property and by snapshot.

use std::io;
use std::time::Duration;

use oversight_model::{
    Category, CoverageSummary, DeliveryPath, Evidence, Finding, Fingerprint, GitFacts, KindCount,
    LicenceKind, LicenceMatch, Location, Person, Rule, SCHEMA_VERSION, ScanReport, Severity, Share,
};
use oversight_report::{Error, Format, HumanOptions};
use serde_json::Value;

static BIDI: Rule = Rule {
    id: "malicious.bidi-control",
    category: Category::Malicious,
    default_severity: Severity::Critical,
    summary: "Bidirectional control characters that make code read differently than it runs.",
    help: "Trojan Source (CVE-2021-42574): remove the characters or ask the supplier why they are there.",
};

static EVAL: Rule = Rule {
    id: "malicious.obfuscated-eval",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Evaluation of decoded or computed code.",
    help: "Ask the supplier for the decoded source and why it is evaluated at run time.",
};

static UNREADABLE: Rule = Rule {
    id: "coverage.archive-unreadable",
    category: Category::Coverage,
    default_severity: Severity::Medium,
    summary: "An archive that could not be opened, so its content was not scanned.",
    help: "Ask for the delivery in a readable form, or accept the gap in writing.",
};

static TOO_DEEP: Rule = Rule {
    id: "coverage.archive-too-deep",
    category: Category::Coverage,
    default_severity: Severity::Low,
    summary: "Archives nested deeper than the limit.",
    help: "Raise the depth limit or unpack the delivery before the review.",
};

static SUPPRESSION: Rule = Rule {
    id: "integrity.scanner-suppression",
    category: Category::Integrity,
    default_severity: Severity::High,
    summary: "A supplier-controlled file that silences a security tool.",
    help: "Suppressions belong to the reviewer, not to the delivery: remove the file or justify each entry.",
};

/// A rule that no report declares, raised by a finding anyway.
static UNDECLARED: Rule = Rule {
    id: "integrity.undeclared",
    category: Category::Integrity,
    default_severity: Severity::Info,
    summary: "A rule missing from the report's rule list.",
    help: "None.",
};

fn finding(
    rule: &'static Rule,
    severity: Severity,
    path: DeliveryPath,
    line: Option<u32>,
    column: Option<u32>,
    message: &str,
    evidence: Option<(&str, bool)>,
) -> Finding {
    let fingerprint = Fingerprint::compute(rule.id, &path, message.as_bytes(), 0);
    Finding {
        rule,
        severity,
        location: Location { path, line, column },
        message: message.to_owned(),
        evidence: evidence.map(|(snippet, redacted)| Evidence {
            snippet: snippet.to_owned(),
            redacted,
        }),
        fingerprint,
        licence: None,
    }
}

fn report(findings: Vec<Finding>) -> ScanReport {
    ScanReport {
        target: "deliveries/acme 2024-05".to_owned(),
        target_kind: "directory",
        findings,
        components: Vec::new(),
        manifest: Vec::new(),
        special_entries: Vec::new(),
        coverage: CoverageSummary {
            text: KindCount {
                files: 12,
                bytes: 48_213,
            },
            binary: KindCount {
                files: 2,
                bytes: 1_572_864,
            },
            archive_members: KindCount {
                files: 5,
                bytes: 9_001,
            },
            archives: 2,
            not_fully_scanned: 1,
            special_entries: 1,
        },
        git: None,
        rules: vec![&BIDI, &EVAL, &UNREADABLE, &TOO_DEEP, &SUPPRESSION],
        fail_on: Severity::High,
        baseline_suppressed: 0,
        elapsed: Duration::from_millis(1234),
        tool_version: "0.3.1",
    }
}

/// Five findings, one per severity, with archive members, spaces, Unicode and
/// control characters in the places a hostile supplier controls.
fn sample() -> ScanReport {
    report(vec![
        finding(
            &BIDI,
            Severity::Critical,
            DeliveryPath::root("vendor.zip").join("lib/x.js"),
            Some(3),
            Some(7),
            "Right-to-left override U+202E reorders the displayed code",
            Some((
                "if (isAdmin) { \u{202E} } \x1b[31mred\x1b[0m\r\u{9b}2J",
                false,
            )),
        ),
        finding(
            &EVAL,
            Severity::High,
            DeliveryPath::root("src/my file.js"),
            Some(10),
            Some(1),
            "eval() of a base64-decoded string",
            Some(("eval(atob(\"ZG9jdW1lbnQ…\"))", true)),
        ),
        finding(
            &UNREADABLE,
            Severity::Medium,
            DeliveryPath::root("vendor.zip")
                .join("inner.tar.gz")
                .join("broken.zip"),
            None,
            None,
            "Archive is truncated: unexpected end of central directory",
            None,
        ),
        finding(
            &SUPPRESSION,
            Severity::Low,
            DeliveryPath::root("docs/ünïcode 文件.semgrepignore"),
            Some(2),
            None,
            "Ignores every finding under src/",
            Some(("src/\nlib/", false)),
        ),
        finding(
            &UNDECLARED,
            Severity::Info,
            DeliveryPath::root("notes#1?.txt"),
            None,
            None,
            "A very long message that goes on and on, naming every single thing that it found, \
             far beyond what fits into one line of a terminal, so the human table must cut it \
             somewhere near the end with an ellipsis to keep the layout readable",
            None,
        ),
    ])
}

fn git_facts() -> GitFacts {
    GitFacts {
        rev: "HEAD".to_owned(),
        commit: "0123456789abcdef0123456789abcdef01234567".to_owned(),
        commit_count: 42,
        authors: vec![
            Person {
                name: "Ada Lovelace".to_owned(),
                email: "ada@example.com".to_owned(),
                commits: 40,
            },
            Person {
                name: "Mallory\x1b]0;pwned\x07".to_owned(),
                email: "mallory@example.com".to_owned(),
                commits: 2,
            },
        ],
        committers: vec![Person {
            name: "Build Bot".to_owned(),
            email: "bot@example.com".to_owned(),
            commits: 42,
        }],
        signed_commits: 3,
        unsigned_commit_ids: vec!["89abcdef0123456789abcdef0123456789abcdef".to_owned()],
    }
}

fn render(report: &ScanReport, format: Format, human: &HumanOptions) -> String {
    let mut out = Vec::new();
    oversight_report::write(report, format, human, &mut out).expect("writing to a Vec works");
    String::from_utf8(out).expect("every format is UTF-8")
}

fn human(report: &ScanReport, color: bool) -> String {
    let options = HumanOptions {
        color,
        max_findings: None,
        min_severity: Severity::Info,
    };
    render(report, Format::Human, &options)
}

fn elapsed_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r#""elapsed_ms": \d+"#, r#""elapsed_ms": "[elapsed]""#),
        (r" in \d+\.\d+ s", " in [elapsed] s"),
    ]
}

// ---------------------------------------------------------------- SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = oversight_test_support::schemas().join("sarif-schema-2.1.0.json");
    let schema_text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&schema_text).expect("the SARIF schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|error| format!("{} at {}", error, error.instance_path))
        .collect()
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("the run has results")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let mut with_git = sample();
    with_git.git = Some(git_facts());
    for report in [sample(), report(Vec::new()), with_git] {
        let log = oversight_report::to_sarif(&report);
        assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
        let written: Value =
            serde_json::from_str(&render(&report, Format::Sarif, &HumanOptions::default()))
                .expect("the written SARIF is JSON");
        assert_eq!(written, log, "write and to_sarif agree");
    }
}

static LICENCE: Rule = Rule {
    id: "license.detected",
    category: Category::License,
    default_severity: Severity::Info,
    summary: "A licence.",
    help: "None.",
};

/// A licence finding carries its licence as data in JSON and in SARIF's
/// result properties, and the SARIF still validates.
#[test]
fn licence_findings_carry_their_licence_as_data() {
    let mut found = finding(
        &LICENCE,
        Severity::Info,
        DeliveryPath::root("README.md"),
        Some(40),
        Some(1),
        "Licence `MIT` (licence text, confidence 0.97; kind text, lines 40\u{2013}60, coverage 0.97)",
        None,
    );
    found.licence = Some(LicenceMatch {
        expression: "MIT".to_owned(),
        kind: LicenceKind::Text,
        lines: Some((40, 60)),
        rule_coverage: Share::new(0.98),
        region_coverage: Share::new(0.951),
    });
    let other = finding(
        &EVAL,
        Severity::High,
        DeliveryPath::root("a.js"),
        Some(1),
        None,
        "eval",
        None,
    );
    let report = report(vec![found, other]);
    let json = oversight_report::to_json(&report);
    let licence = &json["findings"][0]["license"];
    assert_eq!(licence["expression"], "MIT");
    assert_eq!(licence["kind"], "text");
    assert_eq!(
        (licence["start_line"].as_u64(), licence["end_line"].as_u64()),
        (Some(40), Some(60))
    );
    assert_eq!(licence["rule_coverage"].as_f64(), Some(0.98));
    assert_eq!(licence["region_coverage"].as_f64(), Some(0.951));
    assert!(
        json["findings"][1].get("license").is_none(),
        "absent, not null, elsewhere"
    );
    let log = oversight_report::to_sarif(&report);
    assert_eq!(
        schema_errors(&sarif_validator(), &log),
        Vec::<String>::new()
    );
    let results = log["runs"][0]["results"].as_array().expect("results");
    let with = results
        .iter()
        .find(|r| r["ruleId"] == "license.detected")
        .expect("the licence result");
    assert_eq!(with["properties"]["license"]["kind"], "text");
    let facts = oversight_report::licences::licence_facts(&report);
    assert_eq!(facts.files["README.md"].licences, ["MIT"]);
}

#[test]
fn sarif_schema_check_is_live() {
    let validator = sarif_validator();
    let mut log = oversight_report::to_sarif(&sample());
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&validator, &log).is_empty());
}

/// The SARIF schema is draft-04, which knows no `uri-reference` format, so the
/// schema check cannot see a malformed URI; this checks every URI on its own.
#[test]
fn sarif_uris_are_valid_uri_references() {
    let uri_reference = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&serde_json::json!({"type": "string", "format": "uri-reference"}))
        .expect("the format schema compiles");
    assert!(!uri_reference.is_valid(&Value::from("has space/x y")));
    let log = oversight_report::to_sarif(&sample());
    for result in results(&log) {
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri_reference.is_valid(uri), "{uri}");
    }
}

#[test]
fn sarif_has_the_header_github_expects() {
    let log = oversight_report::to_sarif(&sample());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], oversight_report::SARIF_SCHEMA_URI);
    let runs = log["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "oversight");
    assert_eq!(driver["semanticVersion"], "0.3.1");
    assert_eq!(driver["informationUri"], oversight_report::INFORMATION_URI);
    assert_eq!(runs[0]["invocations"][0]["executionSuccessful"], true);
    let coverage = &runs[0]["properties"]["coverage"];
    assert_eq!(coverage["total_files"], 19);
    assert_eq!(coverage["not_fully_scanned"], 1);
}

#[test]
fn sarif_levels_follow_severity() {
    let log = oversight_report::to_sarif(&sample());
    let levels: Vec<(&str, &str)> = results(&log)
        .iter()
        .map(|result| {
            (
                result["properties"]["severity"].as_str().expect("severity"),
                result["level"].as_str().expect("level"),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            ("critical", "error"),
            ("high", "error"),
            ("medium", "warning"),
            ("low", "note"),
            ("info", "note"),
        ]
    );
}

#[test]
fn sarif_results_carry_partial_fingerprints() {
    let report = sample();
    let log = oversight_report::to_sarif(&report);
    for (result, finding) in results(&log).iter().zip(&report.findings) {
        assert_eq!(
            result["partialFingerprints"]["oversightFingerprint/v1"],
            finding.fingerprint.as_str()
        );
    }
}

#[test]
fn sarif_rules_are_complete_and_indexed() {
    let report = sample();
    let log = oversight_report::to_sarif(&report);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules is an array");
    let ids: Vec<&str> = rules
        .iter()
        .map(|rule| rule["id"].as_str().expect("id"))
        .collect();
    // Declared rules in order, then the one only a finding names.
    assert_eq!(
        ids,
        [
            "malicious.bidi-control",
            "malicious.obfuscated-eval",
            "coverage.archive-unreadable",
            "coverage.archive-too-deep",
            "integrity.scanner-suppression",
            "integrity.undeclared",
        ]
    );
    for result in results(&log) {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex");
        let index = usize::try_from(index).expect("a small index");
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }

    let bidi = &rules[0];
    assert_eq!(bidi["name"], "MaliciousBidiControl");
    assert_eq!(bidi["shortDescription"]["text"], BIDI.summary);
    assert_eq!(bidi["fullDescription"]["text"], BIDI.help);
    assert_eq!(bidi["help"]["text"], BIDI.help);
    assert_eq!(bidi["defaultConfiguration"]["level"], "error");
    assert_eq!(bidi["properties"]["category"], "malicious");
    assert_eq!(bidi["properties"]["security-severity"], "9.0");
    assert_eq!(
        bidi["properties"]["tags"],
        serde_json::json!(["security", "malicious"])
    );
    // Severity overrides reach GitHub: the suppression rule (high by default) only
    // raised a low finding here.
    assert_eq!(rules[4]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[4]["properties"]["security-severity"], "3.0");
    // A rule without findings keeps its default; info has no security-severity.
    assert_eq!(rules[3]["properties"]["security-severity"], "3.0");
    assert!(rules[5]["properties"].get("security-severity").is_none());
}

#[test]
fn sarif_locations_are_relative_uris_and_archive_members_name_the_outer_file() {
    let log = oversight_report::to_sarif(&sample());
    let results = results(&log);
    let physical = |i: usize| &results[i]["locations"][0]["physicalLocation"];

    // An archive member: the archive is the artifact, the member is in the
    // message and the properties, and a line of the member is no region.
    assert_eq!(physical(0)["artifactLocation"]["uri"], "vendor.zip");
    assert!(physical(0).get("region").is_none());
    assert_eq!(
        results[0]["properties"]["deliveryPath"],
        "vendor.zip!/lib/x.js"
    );
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .expect("text")
            .ends_with("(in vendor.zip!/lib/x.js:3:7)")
    );

    // A plain file with a position.
    assert_eq!(physical(1)["artifactLocation"]["uri"], "src/my%20file.js");
    assert_eq!(
        physical(1)["region"],
        serde_json::json!({"startLine": 10, "startColumn": 1})
    );
    assert_eq!(
        results[1]["message"]["text"],
        "eval() of a base64-decoded string"
    );

    // Unicode is percent-encoded as UTF-8; a line without a column.
    assert_eq!(
        physical(3)["artifactLocation"]["uri"],
        "docs/%C3%BCn%C3%AFcode%20%E6%96%87%E4%BB%B6.semgrepignore"
    );
    assert_eq!(physical(3)["region"], serde_json::json!({"startLine": 2}));

    // No line: no region; `#` and `?` are data, not fragment and query.
    assert_eq!(physical(4)["artifactLocation"]["uri"], "notes%231%3F.txt");
    assert!(physical(4).get("region").is_none());
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_has_the_schema_and_counts() {
    let json = oversight_report::to_json(&sample());
    assert_eq!(json["schema"], SCHEMA_VERSION);
    assert_eq!(json["tool"]["name"], "oversight");
    assert_eq!(json["tool"]["version"], "0.3.1");
    assert_eq!(json["result"], "fail");
    assert_eq!(json["fail_on"], "high");
    assert_eq!(json["elapsed_ms"], 1234);
    let summary = &json["summary"];
    assert_eq!(summary["total"], 5);
    assert_eq!(summary["blocking"], 2);
    for severity in ["critical", "high", "medium", "low", "info"] {
        assert_eq!(summary["by_severity"][severity], 1, "{severity}");
    }
    assert_eq!(summary["by_category"]["malicious"], 2);
    assert_eq!(summary["by_category"]["coverage"], 1);
    assert_eq!(summary["by_category"]["integrity"], 2);
    assert_eq!(summary["by_category"]["secret"], 0);
    assert_eq!(json["git"], Value::Null);

    let member = &json["findings"][2];
    assert_eq!(member["path"], "vendor.zip!/inner.tar.gz!/broken.zip");
    assert_eq!(
        member["path_segments"],
        serde_json::json!(["vendor.zip", "inner.tar.gz", "broken.zip"])
    );
    assert_eq!(member["line"], Value::Null);
    assert_eq!(member["evidence"], Value::Null);
    assert_eq!(json["findings"][1]["evidence"]["redacted"], true);
}

#[test]
fn json_of_a_clean_repository() {
    let mut clean = report(Vec::new());
    clean.target_kind = "git";
    clean.git = Some(git_facts());
    let json = oversight_report::to_json(&clean);
    assert_eq!(json["result"], "pass");
    assert_eq!(json["git"]["commit_count"], 42);
    assert_eq!(json["git"]["authors"][0]["name"], "Ada Lovelace");
    assert_eq!(
        json["git"]["unsigned_commit_ids"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn json_snapshot() {
    let mut report = sample();
    report.git = Some(git_facts());
    let written = render(&report, Format::Json, &HumanOptions::default());
    let parsed: Value = serde_json::from_str(&written).expect("the written JSON parses");
    assert_eq!(
        parsed,
        oversight_report::to_json(&report),
        "write and to_json agree"
    );
    insta::with_settings!({ filters => elapsed_filters() }, {
        insta::assert_snapshot!(written);
    });
}

#[test]
fn sarif_snapshot() {
    let written = render(&sample(), Format::Sarif, &HumanOptions::default());
    insta::assert_snapshot!(written);
}

// ---------------------------------------------------------------- Human

#[test]
fn human_snapshot() {
    let mut report = sample();
    report.git = Some(git_facts());
    insta::with_settings!({ filters => elapsed_filters() }, {
        insta::assert_snapshot!(human(&report, false));
    });
}

#[test]
fn human_snapshot_of_a_clean_delivery() {
    insta::with_settings!({ filters => elapsed_filters() }, {
        insta::assert_snapshot!(human(&report(Vec::new()), false));
    });
}

#[test]
fn human_has_no_ansi_codes_without_color() {
    let mut report = sample();
    report.git = Some(git_facts());
    let text = human(&report, false);
    assert!(!text.contains('\x1b'), "{text}");
}

#[test]
fn human_has_ansi_codes_with_color() {
    let text = human(&sample(), true);
    assert!(text.contains("\x1b[1;31mFAIL"), "{text}");
    assert!(text.contains("\x1b["), "{text}");
}

#[test]
fn human_strips_control_characters() {
    let mut report = sample();
    report.git = Some(git_facts());
    report.target = "evil\x1b]0;title\x07dir".to_owned();
    let text = human(&report, false);
    let controls: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert_eq!(controls, Vec::<char>::new());
    assert!(text.contains("[31mred[0m2J"), "{text}");
    assert!(!text.contains('\u{202E}'));
}

#[test]
fn human_verdict_line() {
    let text = human(&sample(), false);
    assert_eq!(
        text.lines().last(),
        Some("FAIL: 2 findings at or above high")
    );

    let mut lenient = sample();
    lenient.fail_on = Severity::Critical;
    let text = human(&lenient, false);
    assert_eq!(
        text.lines().last(),
        Some("FAIL: 1 finding at or above critical")
    );

    let only_low = report(
        sample()
            .findings
            .into_iter()
            .filter(|finding| finding.severity < Severity::High)
            .collect(),
    );
    let text = human(&only_low, true);
    assert_eq!(
        text.lines().last(),
        Some("\x1b[1;32mPASS: no finding at or above high\x1b[0m")
    );
}

#[test]
fn human_sorts_by_severity_and_fits_100_columns() {
    let text = human(&sample(), false);
    let order: Vec<usize> = ["critical", "high", "medium", "low", "info"]
        .iter()
        .map(|severity| {
            text.lines()
                .position(|line| line.trim_start().starts_with(severity))
                .expect("every severity has a row")
        })
        .collect();
    assert!(order.is_sorted(), "{order:?}\n{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(text.contains('…'), "long messages are cut");
}

#[test]
fn human_max_findings_keeps_the_most_severe() {
    let options = HumanOptions {
        color: false,
        max_findings: Some(2),
        min_severity: Severity::Info,
    };
    let text = render(&sample(), Format::Human, &options);
    assert!(text.contains("malicious.bidi-control"));
    assert!(text.contains("malicious.obfuscated-eval"));
    assert!(!text.contains("coverage.archive-unreadable"));
    assert!(text.contains("… 3 more findings not shown"), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("FAIL: 2 findings at or above high")
    );
}

// ---------------------------------------------------------------- API

#[test]
fn format_names_parse() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>().ok(), Some(format));
    }
    assert_eq!("SARIF".parse::<Format>().ok(), Some(Format::Sarif));
    let error = "xml".parse::<Format>().expect_err("xml is no format");
    assert_eq!(
        error.to_string(),
        "Unknown report format `xml`, expected one of: human, json, sarif"
    );
}

#[test]
fn writer_failures_are_errors() {
    struct Broken;
    impl io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    for format in Format::ALL {
        let result =
            oversight_report::write(&sample(), format, &HumanOptions::default(), &mut Broken);
        assert!(
            matches!(result, Err(Error::Write { format: f, .. }) if f == format),
            "{format}: {result:?}"
        );
    }
}

static LICENCE_DETECTED: Rule = Rule {
    id: "license.detected",
    category: Category::License,
    default_severity: Severity::Info,
    summary: "A licence was identified in the file",
    help: "None.",
};

static LICENCE_COPYRIGHT: Rule = Rule {
    id: "license.copyright",
    category: Category::License,
    default_severity: Severity::Info,
    summary: "A copyright statement naming a holder",
    help: "None.",
};

#[test]
fn human_report_summarises_licences_and_holders() {
    let at = |p: &str| DeliveryPath::root(p);
    let mut r = report(vec![
        finding(
            &LICENCE_DETECTED,
            Severity::Info,
            at("LICENSE"),
            None,
            None,
            "Licence `MIT` (licence text, confidence 1.00)",
            None,
        ),
        finding(
            &LICENCE_DETECTED,
            Severity::Info,
            at("src/a.rs"),
            Some(1),
            Some(4),
            "Licence `MIT` (SPDX-License-Identifier)",
            None,
        ),
        finding(
            &LICENCE_DETECTED,
            Severity::Info,
            at("src/b.rs"),
            Some(1),
            Some(4),
            "Licence `Apache-2.0` (notice “Licensed under the Apache License”)",
            None,
        ),
        finding(
            &LICENCE_COPYRIGHT,
            Severity::Info,
            at("src/a.rs"),
            Some(2),
            Some(4),
            "Copyright held by Acme GmbH, years 2019-2024",
            None,
        ),
        finding(
            &LICENCE_COPYRIGHT,
            Severity::Info,
            at("src/b.rs"),
            Some(2),
            Some(4),
            "Copyright held by Acme GmbH",
            None,
        ),
    ]);
    r.components.push(oversight_model::Component {
        ecosystem: oversight_model::Ecosystem::CratesIo,
        name: "serde".into(),
        version: "1.0.0".into(),
        purl: "pkg:cargo/serde@1.0.0".into(),
        directness: oversight_model::Directness::Unknown,
        scope: oversight_model::DependencyScope::Unknown,
        source: at("vendor/serde/Cargo.toml"),
        line: Some(1),
        hashes: Vec::new(),
        license: Some("MIT OR Apache-2.0".into()),
        depends_on: Vec::new(),
    });
    let facts = oversight_report::licences::licence_facts(&r);
    assert_eq!(facts.licences["MIT"], (2, 0));
    assert_eq!(facts.licences["MIT OR Apache-2.0"], (0, 1));
    assert_eq!(facts.holders["Acme GmbH"], 2);
    assert_eq!(
        facts.files["src/a.rs"].holders,
        [("Acme GmbH".to_owned(), "2019-2024".to_owned())]
    );
    let text = human(&r, false);
    let summary = text
        .split("Licences and copyright\n")
        .nth(1)
        .expect("summary section")
        .split("\n\n")
        .next()
        .unwrap();
    assert_eq!(
        summary,
        "  MIT                2 files\n  Apache-2.0         1 file\n  MIT OR Apache-2.0  1 component\n  1 copyright holder: Acme GmbH (2)"
    );
}
