//! Tests of [`evaluate`]: thresholds, waivers, deliverables, JUnit reports
//! and the advisory database, each asserting the exact outcome and reasons.

use oversight_model::{Category, DeliveryPath, Location, Rule};

use super::*;

static SECRET: Rule = Rule {
    id: "secret.test-token",
    category: Category::Secret,
    default_severity: Severity::High,
    summary: "a test token",
    help: "",
};
static BUILD_SCRIPT: Rule = Rule {
    id: "malicious.build-script",
    category: Category::Malicious,
    default_severity: Severity::Medium,
    summary: "a build script",
    help: "",
};
static KNOWN: Rule = Rule {
    id: "vulnerability.known",
    category: Category::Vulnerability,
    default_severity: Severity::Medium,
    summary: "a known vulnerability",
    help: "",
};
static LICENCE: Rule = Rule {
    id: "license.detected",
    category: Category::License,
    default_severity: Severity::Info,
    summary: "a licence",
    help: "",
};

const NOW: &str = "2026-06-01T12:00:00Z";

fn finding(rule: &'static Rule, severity: Severity, path: &str, line: u32) -> Finding {
    let p = DeliveryPath::root(path);
    Finding {
        rule,
        severity,
        location: Location {
            path: p.clone(),
            line: Some(line),
            column: None,
        },
        message: "found".into(),
        evidence: None,
        fingerprint: Fingerprint::compute(rule.id, &p, format!("{line}").as_bytes(), 0),
        licence: None,
    }
}

fn file(path: &str, hash: Option<char>) -> DeliveredFile {
    DeliveredFile {
        path: path.into(),
        sha256: hash.map(|c| c.to_string().repeat(64)),
    }
}

fn waiver(id: &str, f: &Finding, content: Option<char>, expires: &str) -> Waiver {
    Waiver {
        id: id.into(),
        fingerprint: f.fingerprint.as_str().into(),
        content_sha256: content.map(|c| c.to_string().repeat(64)),
        expires: expires.parse().expect("a date"),
        granted_at: "2026-05-01T09:00:00Z".parse().expect("a time"),
        approver: "bob".into(),
        reason: "test fixture".into(),
    }
}

fn policy(body: &str) -> Policy {
    Policy::parse(
        &format!("schema = 1\nname = \"t\"\nversion = \"7\"\n{body}"),
        "t.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(
    policy: &Policy,
    findings: &[Finding],
    files: &[DeliveredFile],
    waivers: &[Waiver],
) -> Decision {
    let read = |_: &str| None;
    evaluate(
        policy,
        &Input {
            findings,
            files,
            read: &read,
            components: &[],
            commit: None,
            advisories: &[],
            waivers,
            now: NOW.parse().expect("a time"),
        },
    )
}

/// `(kind, message)` of every reason.
fn reasons(d: &Decision) -> Vec<(ReasonKind, String)> {
    d.reasons
        .iter()
        .map(|r| (r.kind, r.message.clone()))
        .collect()
}

#[test]
fn thresholds_decide_per_category() {
    let p = policy(
        "[thresholds]\ndefault = \"critical\"\nsecret = \"low\"\nvulnerability = \"high\"\nlicense = \"never\"\n",
    );
    let low_secret = finding(&SECRET, Severity::Low, "a.env", 1);
    let medium_vuln = finding(&KNOWN, Severity::Medium, "Cargo.lock", 10);
    let high_vuln = finding(&KNOWN, Severity::High, "Cargo.lock", 20);
    let critical_licence = finding(&LICENCE, Severity::Critical, "LICENSE", 1);
    let high_malicious = finding(&BUILD_SCRIPT, Severity::High, "build.rs", 1);
    let files = [file("a.env", Some('a')), file("Cargo.lock", Some('b'))];

    let d = run(
        &p,
        &[
            medium_vuln.clone(),
            critical_licence.clone(),
            high_malicious.clone(),
        ],
        &files,
        &[],
    );
    assert_eq!(d.outcome, Outcome::Accepted, "{:?}", d.reasons);
    assert!(d.reasons.is_empty());
    assert_eq!(
        (d.policy_name.as_str(), d.policy_version.as_str()),
        ("t", "7")
    );
    assert_eq!(d.policy_sha256, p.sha256());

    let d = run(
        &p,
        &[low_secret.clone(), medium_vuln, high_vuln.clone()],
        &files,
        &[],
    );
    assert_eq!(d.outcome, Outcome::Rejected);
    assert_eq!(
        reasons(&d),
        [
            (
                ReasonKind::BlockingFinding,
                "1 high vulnerability.known finding (vulnerability blocks at high and above): Cargo.lock:20".to_owned()
            ),
            (
                ReasonKind::BlockingFinding,
                "1 low secret.test-token finding (secret blocks at low and above): a.env:1".to_owned()
            ),
        ]
    );
    assert_eq!(
        d.reasons[0].fingerprints,
        std::slice::from_ref(&high_vuln.fingerprint)
    );
    assert_eq!(
        d.reasons[1].fingerprints,
        std::slice::from_ref(&low_secret.fingerprint)
    );
    let blocking: Vec<&Fingerprint> = d.blocking_fingerprints().collect();
    assert_eq!(blocking, [&high_vuln.fingerprint, &low_secret.fingerprint]);
}

#[test]
fn blocking_findings_are_grouped_by_rule_and_severity() {
    let p = policy("");
    let many: Vec<Finding> = (1..=7)
        .map(|line| finding(&SECRET, Severity::High, "keys.txt", line))
        .collect();
    let d = run(&p, &many, &[], &[]);
    assert_eq!(
        reasons(&d),
        [(
            ReasonKind::BlockingFinding,
            "7 high secret.test-token findings (secret blocks at high and above): keys.txt:1, keys.txt:2, keys.txt:3, keys.txt:4, keys.txt:5, and 2 more".to_owned()
        )]
    );
    assert_eq!(d.reasons[0].fingerprints.len(), 7);
}

#[test]
fn a_waiver_bound_to_the_current_content_lifts_a_blocking_finding() {
    let p = Policy::default_policy();
    let secret = finding(&SECRET, Severity::High, "config.env", 3);
    let files = [file("config.env", Some('1'))];
    let w = waiver("wvr-1", &secret, Some('1'), "2026-06-01");
    let d = run(
        &p,
        std::slice::from_ref(&secret),
        &files,
        std::slice::from_ref(&w),
    );
    // The default policy wants an advisory database; this test gives none.
    let d = Decision {
        reasons: d
            .reasons
            .into_iter()
            .filter(|r| r.kind != ReasonKind::StaleAdvisoryDatabase)
            .collect(),
        ..d
    };
    assert_eq!(
        reasons(&d),
        [(
            ReasonKind::WaivedFinding,
            "high secret.test-token at config.env:3: waived by wvr-1 until 2026-06-01 (approved by bob: test fixture)".to_owned()
        )]
    );
    assert_eq!(d.waived, [(secret.fingerprint.clone(), "wvr-1".to_owned())]);

    let p = policy("");
    let d = run(&p, std::slice::from_ref(&secret), &files, &[w]);
    assert_eq!(d.outcome, Outcome::AcceptedWithWaivers);
}

#[test]
fn waivers_that_do_not_apply_are_noted_and_the_finding_blocks() {
    let p = policy("[waivers]\nmax_days = 60\nnot_waivable = [\"malicious\"]\n");
    let secret = finding(&SECRET, Severity::High, "config.env", 3);
    let other = finding(&SECRET, Severity::High, "config.env", 4);
    let script = finding(&BUILD_SCRIPT, Severity::High, "build.rs", 1);
    let files = [file("config.env", Some('2')), file("build.rs", Some('3'))];
    let cases = [
        (
            waiver("wvr-expired", &secret, Some('2'), "2026-05-31"),
            &secret,
            "it expired on 2026-05-31",
        ),
        (
            waiver("wvr-changed", &secret, Some('1'), "2026-06-30"),
            &secret,
            "it was granted for config.env content sha256:111111111111, and the file is now sha256:222222222222",
        ),
        (
            waiver("wvr-unbound", &secret, None, "2026-06-30"),
            &secret,
            "it was granted for config.env content unhashed, and the file is now sha256:222222222222",
        ),
        (
            waiver("wvr-long", &secret, Some('2'), "2026-07-01"),
            &secret,
            "it was granted on 2026-05-01 for 61 days, and the policy allows at most 60",
        ),
        (
            waiver("wvr-malicious", &script, Some('3'), "2026-06-30"),
            &script,
            "the policy allows no waiver of malicious findings",
        ),
    ];
    for (w, f, why) in cases {
        let d = run(
            &p,
            std::slice::from_ref(f),
            &files,
            std::slice::from_ref(&w),
        );
        assert_eq!(d.outcome, Outcome::Rejected, "{}", w.id);
        assert!(d.waived.is_empty());
        assert_eq!(d.reasons.len(), 2, "{:?}", d.reasons);
        assert_eq!(d.reasons[0].kind, ReasonKind::BlockingFinding);
        assert_eq!(
            (d.reasons[1].kind, d.reasons[1].message.as_str()),
            (
                ReasonKind::WaiverNotApplied,
                format!(
                    "Waiver {} does not lift high {} at {}:{}: {why}",
                    w.id,
                    f.rule.id,
                    f.location.path,
                    f.location.line.expect("a line")
                )
                .as_str()
            )
        );
        assert_eq!(
            d.reasons[1].fingerprints,
            std::slice::from_ref(&f.fingerprint)
        );
    }

    // A waiver of another fingerprint is not this finding's: nothing noted.
    let w = waiver("wvr-other", &other, Some('2'), "2026-06-30");
    let d = run(&p, std::slice::from_ref(&secret), &files, &[w]);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert_eq!(d.reasons.len(), 1);
    assert_eq!(d.reasons[0].kind, ReasonKind::BlockingFinding);

    // The last day of a waiver still counts; 60 days is within max_days.
    let w = waiver("wvr-ok", &secret, Some('2'), "2026-06-30");
    let d = run(&p, std::slice::from_ref(&secret), &files, &[w]);
    assert_eq!(d.outcome, Outcome::AcceptedWithWaivers, "{:?}", d.reasons);
}

#[test]
fn a_finding_outside_any_hashed_file_binds_to_no_content() {
    let p = policy("");
    // A finding in git history is not a delivered file.
    let history = finding(&SECRET, Severity::High, "0a1b2c3d:old/keys.txt", 1);
    let d = run(
        &p,
        std::slice::from_ref(&history),
        &[file("src/main.rs", Some('9'))],
        &[waiver("wvr-1", &history, None, "2026-06-30")],
    );
    assert_eq!(d.outcome, Outcome::AcceptedWithWaivers, "{:?}", d.reasons);
    // Bound to a hash while the finding has no hashed file: no longer applies.
    let d = run(
        &p,
        std::slice::from_ref(&history),
        &[file("0a1b2c3d:old/keys.txt", None)],
        &[waiver("wvr-2", &history, Some('9'), "2026-06-30")],
    );
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        d.reasons[1]
            .message
            .ends_with("and the file is now unhashed"),
        "{:?}",
        d.reasons
    );
}

#[test]
fn findings_below_threshold_need_no_waiver() {
    let p = policy("");
    let low = finding(&SECRET, Severity::Medium, "a.env", 1);
    let d = run(
        &p,
        std::slice::from_ref(&low),
        &[],
        &[waiver("wvr-1", &low, None, "2020-01-01")],
    );
    assert_eq!(d.outcome, Outcome::Accepted);
    assert!(
        d.reasons.is_empty(),
        "an unneeded expired waiver is not noted"
    );
    assert!(d.waived.is_empty());
}

fn with_files(
    p: &Policy,
    files: &[DeliveredFile],
    contents: &[(&str, &str)],
    advisories: &[AdvisorySnapshot],
) -> Decision {
    let read = |path: &str| {
        contents
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, c)| c.as_bytes().to_vec())
    };
    evaluate(
        p,
        &Input {
            findings: &[],
            files,
            read: &read,
            components: &[],
            commit: None,
            advisories,
            waivers: &[],
            now: NOW.parse().expect("a time"),
        },
    )
}

const PASSING: &str =
    r#"<testsuite name="core"><testcase name="a"/><testcase name="b"/></testsuite>"#;

#[test]
fn deliverables_are_found_by_glob() {
    let p = policy(
        "[[deliverables]]\nkind = \"license\"\n[[deliverables]]\nkind = \"sbom\"\n[[deliverables]]\nkind = \"security-policy\"\n[[deliverables]]\nkind = \"path\"\npaths = [\"docs/threat-model*.pdf\"]\ndescription = \"threat model acknowledgement\"\n",
    );
    let all = [
        file("release.zip", Some('1')),
        file("release.zip!/LICENSE.md", Some('2')),
        file("release.zip!/meta/app.cdx.json", Some('3')),
        file(".github/SECURITY.md", Some('4')),
        file("docs/threat-model-v2.pdf", Some('5')),
    ];
    let mit = std::fs::read_to_string(oversight_test_support::corpus(
        "spdx-license-list/license-list-data/text/MIT.txt",
    ))
    .expect("MIT");
    let security = "Report vulnerabilities to security@supplier.example within 24 hours.";
    let contents = [
        ("release.zip!/LICENSE.md", mit.as_str()),
        (
            "release.zip!/meta/app.cdx.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": []}"#,
        ),
        (".github/SECURITY.md", security),
        (
            "docs/threat-model-v2.pdf",
            "%PDF-1.7 signed acknowledgement",
        ),
        ("SECURITY.md", security),
    ];
    let d = with_files(&p, &all, &contents, &[]);
    assert_eq!(d.outcome, Outcome::Accepted, "{:?}", d.reasons);

    let partial = [
        file("vendor/lib/LICENSE", Some('1')),
        file("docs/old/threat-model.pdf", Some('2')),
        file("meta/app.json", Some('3')),
        file("SECURITY.md", Some('4')),
    ];
    let d = with_files(&p, &partial, &contents, &[]);
    assert_eq!(d.outcome, Outcome::Rejected);
    let blocking: Vec<_> = reasons(&d)
        .into_iter()
        .filter(|(k, _)| k.blocks())
        .collect();
    assert_eq!(
        blocking,
        [
            (
                ReasonKind::MissingDeliverable,
                "Required deliverable missing: license (no file matches LICENSE*, LICENCE*, COPYING*)".to_owned()
            ),
            (
                ReasonKind::MissingDeliverable,
                "Required deliverable missing: sbom (no file matches **/*.cdx.json, **/bom.json, **/*.spdx.json, **/sbom*.json)".to_owned()
            ),
            (
                ReasonKind::MissingDeliverable,
                "Required deliverable missing: threat model acknowledgement (no file matches docs/threat-model*.pdf)".to_owned()
            ),
        ]
    );
}

#[test]
fn every_junit_report_must_show_a_passing_run() {
    let p = policy("[[deliverables]]\nkind = \"junit\"\n");
    let files = [
        file("reports/TEST-core.xml", Some('1')),
        file("reports/TEST-web.xml", Some('2')),
        file("reports/TEST-empty.xml", Some('3')),
        file("reports/TEST-broken.xml", Some('4')),
        file("reports/junit-missing.xml", Some('5')),
    ];
    let contents = [
        ("reports/TEST-core.xml", PASSING),
        (
            "reports/TEST-web.xml",
            r#"<testsuites><testsuite><testcase name="a"><failure/></testcase><testcase name="b"><error/></testcase><testcase name="c"/></testsuite></testsuites>"#,
        ),
        ("reports/TEST-empty.xml", "<testsuites/>"),
        ("reports/TEST-broken.xml", "<testsuite><testcase>"),
    ];
    let d = with_files(&p, &files, &contents, &[]);
    assert_eq!(d.outcome, Outcome::Rejected);
    let messages: Vec<String> = d.reasons.iter().map(|r| r.message.clone()).collect();
    assert_eq!(
        d.reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::FailingTestReport)
            .count(),
        4
    );
    assert_eq!(
        messages[0],
        "Test report reports/TEST-web.xml (junit): 3 tests, 1 failed, 1 errored"
    );
    assert_eq!(
        messages[1],
        "Test report reports/TEST-empty.xml (junit): holds no test case"
    );
    assert!(
        messages[2].starts_with("Test report reports/TEST-broken.xml (junit): is not a JUnit XML report: Not well-formed XML:"),
        "{messages:?}"
    );
    assert_eq!(
        messages[3],
        "Test report reports/junit-missing.xml (junit): could not be read back"
    );

    let d = with_files(&p, &files[..1], &contents, &[]);
    assert_eq!(d.outcome, Outcome::Accepted, "{:?}", d.reasons);
    let d = with_files(&p, &[file("src/main.rs", None)], &contents, &[]);
    assert_eq!(reasons(&d)[0].0, ReasonKind::MissingDeliverable);
}

#[test]
fn a_real_failing_junit_report_rejects() {
    let path = oversight_test_support::corpus("gitleaks/testdata/expected/report/junit_simple.xml");
    let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let p = policy("[[deliverables]]\nkind = \"junit\"\npaths = [\"**/junit_*.xml\"]\n");
    let d = with_files(
        &p,
        &[file("report/junit_simple.xml", Some('1'))],
        &[("report/junit_simple.xml", &xml)],
        &[],
    );
    assert_eq!(
        reasons(&d),
        [(
            ReasonKind::FailingTestReport,
            "Test report report/junit_simple.xml (junit): 2 tests, 2 failed, 0 errored".to_owned()
        )]
    );
}

#[test]
fn the_advisory_database_must_be_recent() {
    let p = policy("max_advisory_age_days = 7\n");
    // Every source was imported just now; what counts is its data's age.
    let snapshot = |source: &str, at: &str| AdvisorySnapshot {
        source: source.into(),
        imported_at: NOW.parse().expect("a time"),
        data_as_of: Some(at.parse().expect("a time")),
    };
    let d = with_files(&p, &[], &[], &[]);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert_eq!(
        reasons(&d),
        [(
            ReasonKind::StaleAdvisoryDatabase,
            "No advisory database was used; the policy requires one imported at most 7 days before the review (`oversight db import` or `db update`)".to_owned()
        )]
    );

    // Exactly 7 days old is allowed; a second more is not.
    let d = with_files(&p, &[], &[], &[snapshot("rustsec", "2026-05-25T12:00:00Z")]);
    assert_eq!(d.outcome, Outcome::Accepted, "{:?}", d.reasons);
    let d = with_files(
        &p,
        &[],
        &[],
        &[
            snapshot("rustsec", "2026-05-25T11:59:59Z"),
            snapshot("osv:PyPI", "2026-05-31T00:00:00Z"),
            snapshot("osv:npm", "2026-05-01T00:00:00Z"),
        ],
    );
    assert_eq!(
        reasons(&d),
        [
            (
                ReasonKind::StaleAdvisoryDatabase,
                "Advisory source rustsec: its newest record was modified 7 days ago (2026-05-25T11:59:59Z, imported 2026-06-01T12:00:00Z); the policy allows data at most 7 days old".to_owned()
            ),
            (
                ReasonKind::StaleAdvisoryDatabase,
                "Advisory source osv:npm: its newest record was modified 31 days ago (2026-05-01T00:00:00Z, imported 2026-06-01T12:00:00Z); the policy allows data at most 7 days old".to_owned()
            ),
        ]
    );

    // A two-year-old snapshot imported today is two years old; one whose
    // records carry no date cannot be called fresh.
    let d = with_files(&p, &[], &[], &[snapshot("old", "2024-06-01T00:00:00Z")]);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        reasons(&d)[0].1.contains("modified 730 days ago"),
        "{:?}",
        reasons(&d)
    );
    let undated = AdvisorySnapshot {
        source: "undated".into(),
        imported_at: NOW.parse().expect("a time"),
        data_as_of: None,
    };
    let d = with_files(&p, &[], &[], &[undated]);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        reasons(&d)[0].1.contains("carries no modified date"),
        "{:?}",
        reasons(&d)
    );

    // Without the key, nothing is checked.
    let d = with_files(&policy(""), &[], &[], &[]);
    assert_eq!(d.outcome, Outcome::Accepted);
}

#[test]
fn rendered_lines_mark_each_reason() {
    let p = policy("[[deliverables]]\nkind = \"notice\"\n");
    let secret = finding(&SECRET, Severity::High, "config.env", 3);
    let waived = finding(&SECRET, Severity::Critical, "old.env", 1);
    let files = [file("config.env", Some('1')), file("old.env", Some('2'))];
    let d = run(
        &p,
        &[secret.clone(), waived.clone()],
        &files,
        &[
            waiver("wvr-old", &secret, Some('1'), "2026-01-01"),
            waiver("wvr-ok", &waived, Some('2'), "2026-12-01"),
        ],
    );
    assert_eq!(
        render_lines(&d),
        [
            "rejected (policy t, version 7): 2 blocking reasons, 1 waived finding",
            "  BLOCK   1 high secret.test-token finding (secret blocks at high and above): config.env:3",
            "  BLOCK   Required deliverable missing: notice (no file matches NOTICE*)",
            "  WAIVED  critical secret.test-token at old.env:1: waived by wvr-ok until 2026-12-01 (approved by bob: test fixture)",
            "  NOTE    Waiver wvr-old does not lift high secret.test-token at config.env:3: it expired on 2026-01-01",
        ]
    );
}

/// Deliverables are checked by content: a delivery of empty files named as
/// the strict example policy wants them is rejected, each file named with
/// what is wrong.
#[test]
fn empty_or_garbage_deliverables_do_not_satisfy_the_policy() {
    let p = policy(
        "[[deliverables]]\nkind = \"license\"\n[[deliverables]]\nkind = \"notice\"\n\
         [[deliverables]]\nkind = \"security-policy\"\n[[deliverables]]\nkind = \"sbom\"\n\
         [[deliverables]]\nkind = \"path\"\npaths = [\"docs/ack.pdf\"]\n",
    );
    let names = [
        "LICENSE",
        "NOTICE",
        "SECURITY.md",
        "sbom.cdx.json",
        "docs/ack.pdf",
    ];
    let files: Vec<DeliveredFile> = names.iter().map(|n| file(n, Some('0'))).collect();
    let empty: Vec<(&str, &str)> = names.iter().map(|n| (*n, "")).collect();
    let d = with_files(&p, &files, &empty, &[]);
    assert_eq!(d.outcome, Outcome::Rejected);
    let invalid: Vec<String> = reasons(&d)
        .into_iter()
        .filter(|(k, _)| *k == ReasonKind::InvalidDeliverable)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(invalid.len(), 5, "{invalid:#?}");
    assert!(
        invalid.iter().all(|m| m.contains("is empty (0 bytes)")),
        "{invalid:#?}"
    );

    // Garbage of the right names.
    let garbage = [
        (
            "LICENSE",
            "Copyright (c) 2026 Acme. All rights reserved, or something.",
        ),
        ("NOTICE", "\u{1}\u{2}\u{3}"),
        ("SECURITY.md", "TODO"),
        ("sbom.cdx.json", "{\"hello\": \"world\"}"),
        ("docs/ack.pdf", "not a pdf at all"),
    ];
    let d = with_files(&p, &files, &garbage, &[]);
    let messages: Vec<String> = reasons(&d).into_iter().map(|(_, m)| m).collect();
    let expect = [
        "LICENSE holds no recognised licence text",
        "NOTICE is not a text document",
        "SECURITY.md holds 1 word(s)",
        "sbom.cdx.json is not a CycloneDX or SPDX JSON SBOM",
        "docs/ack.pdf is named .pdf but is not a PDF document",
    ];
    for e in expect {
        assert!(messages.iter().any(|m| m.contains(e)), "{e}: {messages:#?}");
    }
}

/// Real licence texts and a real SBOM pass, and the review says what was
/// found; a licence the policy denies does not.
#[test]
fn real_deliverables_pass_and_say_what_they_hold() {
    let texts = oversight_test_support::corpus("spdx-license-list/license-list-data/text");
    let mit = std::fs::read_to_string(texts.join("MIT.txt")).expect("MIT");
    let gpl = std::fs::read_to_string(texts.join("GPL-3.0-only.txt")).expect("GPL");
    let sbom_path = oversight_test_support::corpus(
        "lockfile-fixtures/osv-scanner-head/cmd/osv-scanner/scan/source/testdata/sbom-insecure/alpine-zlib-16.cdx.json",
    );
    let p = policy(
        "[license]\nallow = [\"MIT\"]\ndeny-categories = [\"strong-copyleft\"]\n\
         [[deliverables]]\nkind = \"license\"\n[[deliverables]]\nkind = \"sbom\"\nmax_differences = 1000\n",
    );
    let sbom = std::fs::read_to_string(&sbom_path).expect("sbom");
    let files = [file("LICENSE", Some('1')), file("bom.cdx.json", Some('2'))];
    let d = with_files(
        &p,
        &files,
        &[("LICENSE", &mit), ("bom.cdx.json", &sbom)],
        &[],
    );
    let messages: Vec<String> = reasons(&d).into_iter().map(|(_, m)| m).collect();
    assert_eq!(d.outcome, Outcome::Accepted, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("LICENSE: holds MIT, allowed by the policy")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("bom.cdx.json: CycloneDX")),
        "{messages:#?}"
    );
    let d = with_files(
        &p,
        &files,
        &[("LICENSE", &gpl), ("bom.cdx.json", &sbom)],
        &[],
    );
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        reasons(&d)
            .iter()
            .any(|(k, m)| *k == ReasonKind::InvalidDeliverable
                && m.contains("GPL-3.0")
                && m.contains("does not allow")),
        "{:#?}",
        reasons(&d)
    );
}

/// A JUnit report whose tests were all skipped is not a test run.
#[test]
fn a_junit_report_of_skipped_tests_does_not_pass() {
    let p = policy("[[deliverables]]\nkind = \"junit\"\nmax_skipped = 1\n");
    let skipped = r#"<testsuite name="s" tests="3" skipped="3"><testcase name="a"><skipped/></testcase><testcase name="b"><skipped/></testcase><testcase name="c"><skipped/></testcase></testsuite>"#;
    let d = with_files(
        &p,
        &[file("junit.xml", Some('1'))],
        &[("junit.xml", skipped)],
        &[],
    );
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        reasons(&d)[0]
            .1
            .contains("0 ran, and the policy requires at least 1 (min_tests)"),
        "{:?}",
        reasons(&d)
    );
}

/// The supplier's SAST results: gitleaks' own SARIF output (one result at
/// SARIF's default level, warning; no revision named).
#[test]
fn sast_results_are_checked_for_tool_revision_and_open_results() {
    let path =
        oversight_test_support::corpus("gitleaks/testdata/expected/report/sarif_simple.sarif");
    let sarif = std::fs::read_to_string(&path).expect("sarif");
    let files = [file("reports/gitleaks.sarif", Some('1'))];
    let contents = [("reports/gitleaks.sarif", sarif.as_str())];
    let message = |d: &Decision| {
        reasons(d)
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join("\n")
    };

    // The delivery is no git revision: the results cannot be tied to it.
    let p = policy("[[deliverables]]\nkind = \"sast\"\n");
    let d = with_files(&p, &files, &contents, &[]);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        message(&d).contains("the delivery is not a git revision"),
        "{}",
        message(&d)
    );

    // Without that requirement, a warning does not block at `error`…
    let p = policy("[[deliverables]]\nkind = \"sast\"\nrequire_revision = false\n");
    let d = with_files(&p, &files, &contents, &[]);
    assert_eq!(d.outcome, Outcome::Accepted, "{}", message(&d));
    assert!(
        message(&d)
            .contains("SARIF from gitleaks v8.0.0, 1 open result(s), none at error or above"),
        "{}",
        message(&d)
    );
    // … but does at `warning`, naming the rule.
    let p = policy(
        "[[deliverables]]\nkind = \"sast\"\nrequire_revision = false\nmax_level = \"warning\"\n",
    );
    let d = with_files(&p, &files, &contents, &[]);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        message(&d).contains("1 open result(s) at warning or above"),
        "{}",
        message(&d)
    );

    // Results of another revision than the one delivered.
    let mut value: serde_json::Value = serde_json::from_str(&sarif).expect("json");
    value["runs"][0]["versionControlProvenance"] =
        serde_json::json!([{"repositoryUri": "https://example.org/r", "revisionId": "1111111"}]);
    let other = value.to_string();
    let p = policy("[[deliverables]]\nkind = \"sast\"\n");
    let d = evaluate(
        &p,
        &Input {
            findings: &[],
            files: &files,
            read: &|_| Some(other.clone().into_bytes()),
            components: &[],
            commit: Some("2222222"),
            advisories: &[],
            waivers: &[],
            now: NOW.parse().expect("a time"),
        },
    );
    assert!(
        message(&d)
            .contains("was not run on the delivered revision 2222222 (gitleaks names 1111111)"),
        "{}",
        message(&d)
    );
    // A tool without a version is refused.
    value["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .expect("driver")
        .remove("semanticVersion");
    let unversioned = value.to_string();
    let p = policy("[[deliverables]]\nkind = \"sast\"\nrequire_revision = false\n");
    let d = with_files(&p, &files, &[("reports/gitleaks.sarif", &unversioned)], &[]);
    assert!(
        message(&d).contains("without its version"),
        "{}",
        message(&d)
    );
}

/// Coverage reports in both formats people deliver, against the minimum.
#[test]
fn coverage_reports_reach_the_minimum() {
    let p = policy("[[deliverables]]\nkind = \"coverage\"\nmin_line_coverage = 80\n");
    let cobertura = r#"<?xml version="1.0" ?><coverage version="7.4" timestamp="1" lines-valid="200" lines-covered="150" line-rate="0.75" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0"><packages/></coverage>"#;
    let d = with_files(
        &p,
        &[file("coverage.xml", Some('1'))],
        &[("coverage.xml", cobertura)],
        &[],
    );
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        reasons(&d)[0]
            .1
            .contains("75.0 % of lines covered; the policy requires 80 %"),
        "{:?}",
        reasons(&d)
    );
    let lcov = "TN:\nSF:src/a.rs\nDA:1,1\nLF:10\nLH:9\nend_of_record\nSF:src/b.rs\nLF:10\nLH:8\nend_of_record\n";
    let d = with_files(
        &p,
        &[file("lcov.info", Some('1'))],
        &[("lcov.info", lcov)],
        &[],
    );
    assert_eq!(d.outcome, Outcome::Accepted, "{:?}", reasons(&d));
    assert!(
        reasons(&d)[0]
            .1
            .contains("LCOV report, 85.0 % of lines covered"),
        "{:?}",
        reasons(&d)
    );
    let d = with_files(
        &p,
        &[file("lcov.info", Some('1'))],
        &[("lcov.info", "hello")],
        &[],
    );
    assert!(
        reasons(&d)[0]
            .1
            .contains("neither a Cobertura XML nor an LCOV report"),
        "{:?}",
        reasons(&d)
    );
}
