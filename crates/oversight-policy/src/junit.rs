//! JUnit XML test reports: how many tests ran, failed and errored.
//!
//! There is no single JUnit schema: Maven Surefire, Gradle, pytest, Go's
//! go-junit-report, Jest and gitleaks each write a variant. What they share
//! is a `<testsuites>` or `<testsuite>` root, `<testcase>` elements (possibly
//! in nested suites), and `<failure>`, `<error>` and `<skipped>` children of
//! a test case. Counts are taken from the test cases themselves; the
//! `failures` and `errors` attributes of the outermost suites are also read
//! and the larger count wins, so a report that declares a failure it does
//! not detail (or a `<error>` at suite level, for a failed set-up) still
//! fails. Nothing from the report is trusted to say it passed.

/// The counts of one JUnit report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JunitSummary {
    /// `<testcase>` elements.
    pub tests: u64,
    /// Failed test cases, or the declared count when larger.
    pub failures: u64,
    /// Test cases (or suites) that errored, or the declared count when larger.
    pub errors: u64,
    /// Skipped test cases.
    pub skipped: u64,
}

impl JunitSummary {
    /// Whether the report shows a passing run: at least one test case, no
    /// failure and no error.
    pub fn passed(&self) -> bool {
        self.tests > 0 && self.failures == 0 && self.errors == 0
    }
}

/// Why bytes are not a JUnit report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JunitError {
    /// The bytes are not UTF-8 text.
    #[error("Not UTF-8 text")]
    NotUtf8,
    /// The text is not well-formed XML (or declares a DTD, which is refused).
    #[error("Not well-formed XML: {0}")]
    Xml(String),
    /// The XML's root is not a test suite.
    #[error("The root element is <{0}>, not <testsuites> or <testsuite>")]
    NotJunit(String),
    /// A count attribute is not a number.
    #[error("Attribute {attribute}=\"{value}\" of <{element}> is not a count")]
    BadCount {
        /// The element.
        element: String,
        /// The attribute (`failures`, `errors`).
        attribute: &'static str,
        /// What it held.
        value: String,
    },
}

/// Reads a JUnit XML report and counts its test cases.
///
/// ```
/// use oversight_policy::junit_summary;
/// let report = br#"<testsuite name="core"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>"#;
/// let summary = junit_summary(report).unwrap();
/// assert_eq!((summary.tests, summary.failures), (2, 1));
/// assert!(!summary.passed());
/// ```
pub fn junit_summary(bytes: &[u8]) -> Result<JunitSummary, JunitError> {
    let text = std::str::from_utf8(bytes).map_err(|_| JunitError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document = roxmltree::Document::parse(text).map_err(|e| JunitError::Xml(e.to_string()))?;
    let root = document.root_element();
    let root_name = root.tag_name().name();
    if !matches!(root_name, "testsuites" | "testsuite") {
        return Err(JunitError::NotJunit(root_name.to_owned()));
    }

    let mut counted = JunitSummary::default();
    for node in root.descendants().filter(roxmltree::Node::is_element) {
        match node.tag_name().name() {
            "testcase" => {
                counted.tests += 1;
                let has = |tag: &str| node.children().any(|c| c.has_tag_name(tag));
                if has("failure") {
                    counted.failures += 1;
                } else if has("error") {
                    counted.errors += 1;
                } else if has("skipped") {
                    counted.skipped += 1;
                }
            }
            // A failure or error outside any test case: the suite itself
            // failed (set-up, collection).
            "failure" | "error" if node.parent_element().is_some_and(is_suite) => {
                counted.errors += 1;
            }
            _ => {}
        }
    }

    // Declared counts: the root's own attributes, and the sum over the
    // outermost suites (a `<testsuites>` root often carries none).
    let outermost: Vec<roxmltree::Node<'_, '_>> = if root_name == "testsuite" {
        vec![root]
    } else {
        root.children().filter(|n| is_suite(*n)).collect()
    };
    let mut declared = [0u64; 2];
    for (slot, attribute) in declared.iter_mut().zip(["failures", "errors"]) {
        let mut sum = 0u64;
        for suite in &outermost {
            sum = sum.saturating_add(count(*suite, attribute)?);
        }
        *slot = sum.max(count(root, attribute)?);
    }
    Ok(JunitSummary {
        failures: counted.failures.max(declared[0]),
        errors: counted.errors.max(declared[1]),
        ..counted
    })
}

fn is_suite(node: roxmltree::Node<'_, '_>) -> bool {
    node.has_tag_name("testsuite")
}

/// A count attribute; absent or empty is 0.
fn count(node: roxmltree::Node<'_, '_>, attribute: &'static str) -> Result<u64, JunitError> {
    match node.attribute(attribute).map(str::trim) {
        None | Some("") => Ok(0),
        Some(value) => value.parse().map_err(|_| JunitError::BadCount {
            element: node.tag_name().name().to_owned(),
            attribute,
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(xml: &str) -> JunitSummary {
        junit_summary(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_passing_report_with_nested_suites_and_skips() {
        let s = summary(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4">
  <testsuite name="a"><testcase name="x"/><testcase name="y"><skipped/></testcase></testsuite>
  <testsuite name="b"><testsuite name="b.inner"><testcase name="z"/><testcase name="w"></testcase></testsuite></testsuite>
</testsuites>"#,
        );
        assert_eq!(
            s,
            JunitSummary {
                tests: 4,
                failures: 0,
                errors: 0,
                skipped: 1
            }
        );
        assert!(s.passed());
    }

    #[test]
    fn failures_and_errors_fail() {
        let s = summary(
            r#"<testsuite name="core" tests="3"><testcase name="a"/><testcase name="b"><failure message="boom"/></testcase><testcase name="c"><error type="Panic"/></testcase></testsuite>"#,
        );
        assert_eq!((s.tests, s.failures, s.errors), (3, 1, 1));
        assert!(!s.passed());
    }

    #[test]
    fn declared_counts_and_suite_level_errors_are_not_ignored() {
        // Declares a failure it does not detail.
        let s = summary(r#"<testsuite failures="2" errors=""><testcase name="a"/></testsuite>"#);
        assert_eq!((s.tests, s.failures, s.errors), (1, 2, 0));
        // A set-up error at suite level.
        let s = summary(
            r#"<testsuites><testsuite name="a"><error message="fixture"/><testcase name="x"/></testsuite></testsuites>"#,
        );
        assert_eq!((s.tests, s.failures, s.errors), (1, 0, 1));
        // Declared on the outermost suites of a `<testsuites>` root.
        let s = summary(
            r#"<testsuites><testsuite errors="1"><testcase name="x"/></testsuite><testsuite errors="2"/></testsuites>"#,
        );
        assert_eq!(s.errors, 3);
    }

    #[test]
    fn an_empty_report_does_not_pass() {
        let s = summary("<testsuites/>");
        assert_eq!(s, JunitSummary::default());
        assert!(!s.passed());
        assert!(
            !summary(r#"<testsuite tests="5"/>"#).passed(),
            "declared tests are not tests"
        );
    }

    #[test]
    fn malformed_reports_are_errors() {
        assert_eq!(
            junit_summary(b"<html><body/></html>"),
            Err(JunitError::NotJunit("html".into()))
        );
        assert!(matches!(
            junit_summary(b"<testsuite><testcase>"),
            Err(JunitError::Xml(_))
        ));
        assert_eq!(junit_summary(b"\xff\xfe<"), Err(JunitError::NotUtf8));
        assert_eq!(
            junit_summary(br#"<testsuite failures="many"/>"#),
            Err(JunitError::BadCount {
                element: "testsuite".into(),
                attribute: "failures",
                value: "many".into()
            })
        );
        let dtd = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite><testcase name="&a;"/></testsuite>"#;
        assert!(
            matches!(junit_summary(dtd), Err(JunitError::Xml(_))),
            "DTDs are refused"
        );
        assert!(summary("\u{feff}<testsuite><testcase name=\"a\"/></testsuite>").passed());
    }

    /// Real reports written by gitleaks (`shared/corpora/gitleaks`): its
    /// JUnit output lists one failed test case per leak.
    #[test]
    fn real_gitleaks_reports() {
        let dir = oversight_test_support::corpus("gitleaks/testdata/expected/report");
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let simple = junit_summary(&read("junit_simple.xml")).expect("a JUnit report");
        assert_eq!(
            simple,
            JunitSummary {
                tests: 2,
                failures: 2,
                errors: 0,
                skipped: 0
            }
        );
        assert!(!simple.passed());
        let empty = junit_summary(&read("junit_empty.xml")).expect("a JUnit report");
        assert_eq!(empty, JunitSummary::default());
        assert!(!empty.passed());
    }
}
