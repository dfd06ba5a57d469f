//! Evaluating a policy on a finished scan: the decision and its reasons.
//!
//! Pure: the caller gathers the inputs (findings, manifest, waivers held by
//! the organisation, advisory snapshot times, a way to read a delivered
//! file for deliverable checks) and gets a [`Decision`] back.

use jiff::Timestamp;
use jiff::civil::Date;
use oversight_model::{Finding, Severity};
use oversight_store::WaiverRecord;

use crate::manifest::Manifest;
use crate::policy::{DeliverableKind, Policy};

/// The outcome of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing blocks.
    Accepted,
    /// Something would block, and every such finding is waived.
    AcceptedWithWaivers,
    /// Something blocks.
    Rejected,
}

impl Outcome {
    /// The name recorded and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::AcceptedWithWaivers => "accepted-with-waivers",
            Outcome::Rejected => "rejected",
        }
    }
}

/// What the policy made of one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Below its category's threshold.
    Noted,
    /// At or above it, not waived.
    Blocking,
    /// At or above it, lifted by this waiver.
    Waived(String),
}

impl Disposition {
    /// The name recorded.
    pub fn as_str(&self) -> &'static str {
        match self {
            Disposition::Noted => "noted",
            Disposition::Blocking => "blocking",
            Disposition::Waived(_) => "waived",
        }
    }
}

/// Why the decision is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// `blocking-finding`, `missing-deliverable`, `failing-test-report`,
    /// `advisory-database`, `waived`, `waiver-not-applied`.
    pub kind: &'static str,
    /// Whether it blocks acceptance.
    pub blocks: bool,
    /// A sentence naming the file, rule or count.
    pub message: String,
}

/// The decision on a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// Every reason, blocking ones first.
    pub reasons: Vec<Reason>,
    /// One disposition per finding, in the findings' order.
    pub dispositions: Vec<Disposition>,
}

/// When an advisory source was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisorySnapshot {
    /// The source (`rustsec`, `osv:PyPI`, a path).
    pub source: String,
    /// When it was imported.
    pub imported_at: Timestamp,
}

/// Everything [`evaluate`] looks at besides the policy.
pub struct Inputs<'a> {
    /// The scan's findings (after advisory matching and baselines).
    pub findings: &'a [Finding],
    /// The delivery's manifest.
    pub manifest: &'a Manifest,
    /// Waivers the organisation holds for the engagement.
    pub waivers: &'a [WaiverRecord],
    /// Advisory snapshots the scan matched against.
    pub advisories: &'a [AdvisorySnapshot],
    /// Reads a delivered file by manifest path (`None`: not available).
    pub read: &'a dyn Fn(&str) -> Option<Vec<u8>>,
    /// The time of the review.
    pub now: Timestamp,
}

/// Whether `path` is deliverable `d`: as it stands, or, for a member of an
/// archive at the delivery's top level (`release.zip!/LICENSE`), as if the
/// archive were unpacked.
fn is_deliverable(d: &crate::policy::Deliverable, path: &str) -> bool {
    d.matches(path)
        || path
            .split_once("!/")
            .is_some_and(|(outer, rest)| !outer.contains('/') && d.matches(rest))
}

/// Evaluates `policy` on `inputs`.
pub fn evaluate(policy: &Policy, inputs: &Inputs<'_>) -> Decision {
    let today: Date = inputs.now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut reasons = Vec::new();
    let mut dispositions = Vec::with_capacity(inputs.findings.len());
    let mut waived_any = false;
    for f in inputs.findings {
        let blocks = policy
            .threshold(f.category())
            .is_some_and(|t| f.severity >= t);
        let path = f.location.path.to_string();
        let content = inputs.manifest.sha256_of(&path);
        let candidates: Vec<&WaiverRecord> = inputs
            .waivers
            .iter()
            .filter(|w| w.fingerprint == f.fingerprint.as_str())
            .collect();
        let applying = candidates.iter().find(|w| {
            w.expires.parse::<Date>().is_ok_and(|d| d >= today)
                && w.content_sha256.as_deref() == content
                && !policy.not_waivable.contains(&f.category())
        });
        let disposition = match (blocks, applying) {
            (false, _) => Disposition::Noted,
            (true, Some(w)) => {
                waived_any = true;
                reasons.push(Reason {
                    kind: "waived",
                    blocks: false,
                    message: format!(
                        "{} {} at {}: waived by {} until {} ({}, approved by {})",
                        f.severity,
                        f.rule.id,
                        where_(f),
                        w.id,
                        w.expires,
                        w.reason,
                        w.approver
                    ),
                });
                Disposition::Waived(w.id.clone())
            }
            (true, None) => {
                for w in &candidates {
                    let why = if policy.not_waivable.contains(&f.category()) {
                        format!("the policy allows no waiver of {} findings", f.category())
                    } else if w.expires.parse::<Date>().is_ok_and(|d| d < today) {
                        format!("it expired on {}", w.expires)
                    } else {
                        "the file's content changed since it was granted".to_owned()
                    };
                    reasons.push(Reason {
                        kind: "waiver-not-applied",
                        blocks: false,
                        message: format!(
                            "Waiver {} of {} at {} does not apply: {why}",
                            w.id,
                            f.rule.id,
                            where_(f)
                        ),
                    });
                }
                reasons.push(Reason {
                    kind: "blocking-finding",
                    blocks: true,
                    message: format!(
                        "{} {} at {}: {} [{}]",
                        f.severity,
                        f.rule.id,
                        where_(f),
                        f.message,
                        f.fingerprint.as_str()
                    ),
                });
                Disposition::Blocking
            }
        };
        dispositions.push(disposition);
    }
    check_deliverables(policy, inputs, &mut reasons);
    if let Some(days) = policy.max_advisory_age_days {
        if inputs.advisories.is_empty() {
            reasons.push(Reason {
                kind: "advisory-database",
                blocks: true,
                message: format!(
                    "The policy requires an advisory database at most {days} days old, and none was used (`oversight db import` or `db update`)"
                ),
            });
        }
        for s in inputs.advisories {
            let age = inputs.now.duration_since(s.imported_at).as_secs_f64() / 86_400.0;
            if age > f64::from(days) {
                reasons.push(Reason {
                    kind: "advisory-database",
                    blocks: true,
                    message: format!(
                        "Advisory source {} was imported {:.0} days ago ({}); the policy allows {days}",
                        s.source, age.floor(), s.imported_at
                    ),
                });
            }
        }
    }
    reasons.sort_by_key(|r| !r.blocks);
    let blocked = reasons.iter().any(|r| r.blocks);
    let outcome = if blocked {
        Outcome::Rejected
    } else if waived_any {
        Outcome::AcceptedWithWaivers
    } else {
        Outcome::Accepted
    };
    Decision {
        outcome,
        reasons,
        dispositions,
    }
}

fn where_(f: &Finding) -> String {
    match f.location.line {
        Some(line) => format!("{}:{line}", f.location.path),
        None => f.location.path.to_string(),
    }
}

fn check_deliverables(policy: &Policy, inputs: &Inputs<'_>, reasons: &mut Vec<Reason>) {
    for d in &policy.deliverables {
        let found: Vec<&str> = inputs
            .manifest
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| is_deliverable(d, p))
            .collect();
        let name = d
            .description
            .clone()
            .unwrap_or_else(|| d.kind.as_str().to_owned());
        if found.is_empty() {
            reasons.push(Reason {
                kind: "missing-deliverable",
                blocks: true,
                message: format!(
                    "Required deliverable missing: {name} (looked for {})",
                    d.globs.join(", ")
                ),
            });
            continue;
        }
        if d.kind == DeliverableKind::Junit {
            for path in found {
                match (inputs.read)(path) {
                    None => reasons.push(Reason {
                        kind: "failing-test-report",
                        blocks: true,
                        message: format!(
                            "Test report {path} could not be read back from the evidence store (reports inside archives cannot be verified yet)"
                        ),
                    }),
                    Some(bytes) => match junit_summary(&bytes) {
                        Ok(s) if s.tests > 0 && s.failures == 0 && s.errors == 0 => {}
                        Ok(s) => reasons.push(Reason {
                            kind: "failing-test-report",
                            blocks: true,
                            message: format!(
                                "Test report {path}: {} tests, {} failures, {} errors",
                                s.tests, s.failures, s.errors
                            ),
                        }),
                        Err(why) => reasons.push(Reason {
                            kind: "failing-test-report",
                            blocks: true,
                            message: format!("Test report {path} is not a JUnit XML report: {why}"),
                        }),
                    },
                }
            }
        }
    }
}

/// Counts of a JUnit XML report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JunitSummary {
    /// Test cases.
    pub tests: u64,
    /// Failed test cases.
    pub failures: u64,
    /// Test cases that errored.
    pub errors: u64,
    /// Skipped test cases.
    pub skipped: u64,
}

/// Counts the test cases of a JUnit XML report (`<testsuites>` or
/// `<testsuite>` root), from the `<testcase>` elements themselves rather
/// than the suite attributes, which tools fill in inconsistently.
pub fn junit_summary(bytes: &[u8]) -> Result<JunitSummary, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 ({e})"))?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if !matches!(root.tag_name().name(), "testsuites" | "testsuite") {
        return Err(format!(
            "the root element is <{}>, not <testsuites> or <testsuite>",
            root.tag_name().name()
        ));
    }
    let mut s = JunitSummary::default();
    for case in root.descendants().filter(|n| n.has_tag_name("testcase")) {
        s.tests += 1;
        let has = |tag: &str| case.children().any(|c| c.has_tag_name(tag));
        if has("failure") {
            s.failures += 1;
        } else if has("error") {
            s.errors += 1;
        } else if has("skipped") {
            s.skipped += 1;
        }
    }
    Ok(s)
}

/// The severity label of a blocking threshold, for messages.
pub fn threshold_label(threshold: Option<Severity>) -> String {
    threshold.map_or_else(|| "never".to_owned(), |s| format!("{s} and above"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_model::{Category, DeliveryPath, Fingerprint, Location, ManifestEntry, Rule};

    static SECRET: Rule = Rule {
        id: "secret.test-token",
        category: Category::Secret,
        default_severity: Severity::High,
        summary: "a test token",
        help: "",
    };
    static BINARY: Rule = Rule {
        id: "malicious.compiled-artifact",
        category: Category::Malicious,
        default_severity: Severity::Medium,
        summary: "a binary",
        help: "",
    };
    static INFO: Rule = Rule {
        id: "license.detected",
        category: Category::License,
        default_severity: Severity::Info,
        summary: "a licence",
        help: "",
    };

    fn finding(rule: &'static Rule, path: &str) -> Finding {
        let p = DeliveryPath::root(path);
        Finding {
            rule,
            severity: rule.default_severity,
            location: Location {
                path: p.clone(),
                line: Some(3),
                column: None,
            },
            message: "found".into(),
            evidence: None,
            fingerprint: Fingerprint::compute(rule.id, &p, b"key", 0),
        }
    }

    fn manifest(files: &[(&str, u8)]) -> Manifest {
        let entries: Vec<ManifestEntry> = files
            .iter()
            .map(|(p, b)| ManifestEntry {
                path: DeliveryPath::root(*p),
                size: 1,
                sha256: Some([*b; 32]),
            })
            .collect();
        Manifest::of(&entries)
    }

    fn waiver(f: &Finding, content: u8, expires: &str) -> WaiverRecord {
        WaiverRecord {
            id: "wvr-1".into(),
            engagement_id: "e".into(),
            fingerprint: f.fingerprint.as_str().into(),
            content_sha256: Some(format!("{content:02x}").repeat(32)),
            reason: "rotated test key".into(),
            requester: "alice".into(),
            approver: "bob".into(),
            expires: expires.into(),
            granted_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn run(
        policy: &Policy,
        findings: &[Finding],
        manifest: &Manifest,
        waivers: &[WaiverRecord],
    ) -> Decision {
        let read = |_: &str| None;
        evaluate(
            policy,
            &Inputs {
                findings,
                manifest,
                waivers,
                advisories: &[],
                read: &read,
                now: "2026-06-01T12:00:00Z".parse().unwrap(),
            },
        )
    }

    #[test]
    fn thresholds_waivers_and_content_binding() {
        let policy = Policy::default_policy();
        let secret = finding(&SECRET, "config.env");
        let info = finding(&INFO, "LICENSE");
        let m = manifest(&[("config.env", 1), ("LICENSE", 2)]);
        let d = run(&policy, &[secret.clone(), info.clone()], &m, &[]);
        assert_eq!(d.outcome, Outcome::Rejected);
        assert_eq!(d.dispositions, [Disposition::Blocking, Disposition::Noted]);
        assert!(
            d.reasons[0]
                .message
                .starts_with("high secret.test-token at config.env:3"),
            "{:?}",
            d.reasons
        );

        let d = run(
            &policy,
            &[secret.clone(), info.clone()],
            &m,
            &[waiver(&secret, 1, "2026-12-31")],
        );
        assert_eq!(d.outcome, Outcome::AcceptedWithWaivers, "{:?}", d.reasons);
        assert_eq!(d.dispositions[0], Disposition::Waived("wvr-1".into()));

        // The file changed since the waiver: it no longer applies.
        let changed = manifest(&[("config.env", 9), ("LICENSE", 2)]);
        let d = run(
            &policy,
            std::slice::from_ref(&secret),
            &changed,
            &[waiver(&secret, 1, "2026-12-31")],
        );
        assert_eq!(d.outcome, Outcome::Rejected);
        assert!(
            d.reasons
                .iter()
                .any(|r| r.kind == "waiver-not-applied" && r.message.contains("content changed"))
        );

        // Expired yesterday.
        let d = run(
            &policy,
            std::slice::from_ref(&secret),
            &m,
            &[waiver(&secret, 1, "2026-05-31")],
        );
        assert_eq!(d.outcome, Outcome::Rejected);
        assert!(
            d.reasons
                .iter()
                .any(|r| r.message.contains("expired on 2026-05-31"))
        );

        // Malicious findings are not waivable under the default policy.
        let binary = finding(&BINARY, "tool.exe");
        let m = manifest(&[("tool.exe", 7)]);
        let d = run(
            &policy,
            std::slice::from_ref(&binary),
            &m,
            &[waiver(&binary, 7, "2026-12-31")],
        );
        assert_eq!(d.outcome, Outcome::Rejected);
        assert!(
            d.reasons
                .iter()
                .any(|r| r.message.contains("no waiver of malicious"))
        );

        let d = run(&policy, &[info], &manifest(&[("LICENSE", 2)]), &[]);
        assert_eq!(d.outcome, Outcome::Accepted);
        assert!(d.reasons.is_empty());
    }

    #[test]
    fn deliverables_junit_and_advisory_age() {
        let policy = Policy::parse(
            "schema = 1\nname = \"p\"\nversion = \"1\"\nmax_advisory_age_days = 7\n[[deliverables]]\nkind = \"license\"\n[[deliverables]]\nkind = \"junit\"\n[[deliverables]]\nkind = \"sbom\"\n",
            "p.toml",
        )
        .unwrap();
        let m = manifest(&[("release.zip!/LICENSE", 1), ("reports/TEST-core.xml", 2)]);
        let failing = br#"<testsuite name="core" tests="2"><testcase name="a"/><testcase name="b"><failure message="boom"/></testcase></testsuite>"#;
        let read = |p: &str| (p == "reports/TEST-core.xml").then(|| failing.to_vec());
        let d = evaluate(
            &policy,
            &Inputs {
                findings: &[],
                manifest: &m,
                waivers: &[],
                advisories: &[AdvisorySnapshot {
                    source: "rustsec".into(),
                    imported_at: "2026-05-01T00:00:00Z".parse().unwrap(),
                }],
                read: &read,
                now: "2026-06-01T12:00:00Z".parse().unwrap(),
            },
        );
        assert_eq!(d.outcome, Outcome::Rejected);
        let kinds: Vec<&str> = d.reasons.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                "failing-test-report",
                "missing-deliverable",
                "advisory-database"
            ],
            "{:?}",
            d.reasons
        );
        assert!(
            d.reasons[0]
                .message
                .contains("2 tests, 1 failures, 0 errors")
        );
        assert!(d.reasons[1].message.contains("sbom"));
        assert!(d.reasons[2].message.contains("imported 31 days ago"));
    }

    #[test]
    fn junit_reports_are_counted_from_their_test_cases() {
        let passing = br#"<?xml version="1.0"?><testsuites><testsuite name="a"><testcase name="x"/><testcase name="y"><skipped/></testcase></testsuite><testsuite name="b"><testcase name="z"/></testsuite></testsuites>"#;
        assert_eq!(
            junit_summary(passing).unwrap(),
            JunitSummary {
                tests: 3,
                failures: 0,
                errors: 0,
                skipped: 1
            }
        );
        let errored =
            br#"<testsuite><testcase name="x"><error type="Panic"/></testcase></testsuite>"#;
        assert_eq!(junit_summary(errored).unwrap().errors, 1);
        assert!(
            junit_summary(b"<html></html>")
                .unwrap_err()
                .contains("<html>")
        );
        assert!(junit_summary(b"<testsuite><testcase>").is_err());
        assert_eq!(junit_summary(b"<testsuite/>").unwrap().tests, 0);
    }
}
