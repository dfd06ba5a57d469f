//! Supplier-controlled suppressions: scanner ignore files and inline markers.
//!
//! **What it detects.** Configuration and ignore files of security scanners
//! (`.gitleaksignore`, `.gitleaks.toml`, `osv-scanner.toml`, `.trivyignore`,
//! `.semgrepignore`, `.snyk`, `.secrets.baseline`, …) and inline markers that
//! silence a finding (`gitleaks:allow`, `nosec`, `trufflehog:ignore`,
//! `nosemgrep`, `NOSONAR`, `pragma: allowlist secret`, `checkov:skip=`, …).
//!
//! **Why it matters.** Such files and markers change what the supplier's own
//! tools report. Oversight does not obey them; it reports them so the reviewer
//! can see what the supplier chose to hide from its scanners.
//!
//! **Example.** `aws_key = "AKIA…"  # gitleaks:allow`
//!
//! **How to resolve or accept.** Nothing to fix in most cases: read the
//! suppressed line and check that the reason is sound. Waive the finding by
//! fingerprint when it is.
//!
//! **References.** CWE-693 (protection mechanism failure).

use oversight_detect::{
    Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, Window, visible_snippet,
};
use oversight_model::{Category, Rule, Severity};

/// A scanner's ignore or configuration file inside the delivery.
pub static SUPPRESSION_FILE: Rule = Rule {
    id: "integrity.supplier-suppression-file",
    category: Category::Integrity,
    default_severity: Severity::Low,
    summary: "The delivery contains a security scanner's ignore or configuration file",
    help: "Files such as .gitleaksignore or .trivyignore tell scanners what not to report. \
           Oversight never obeys files from inside a delivery; review what this file suppresses \
           and why, and waive this finding when the reasons are sound.",
};

/// An inline marker that silences a security scanner.
pub static INLINE_SUPPRESSION: Rule = Rule {
    id: "integrity.inline-suppression",
    category: Category::Integrity,
    default_severity: Severity::Low,
    summary: "A source line carries a marker that silences a security scanner",
    help: "Markers such as `gitleaks:allow` or `# nosec` hide a line from the supplier's scanners. \
           Oversight scans the line anyway; check that the suppressed construct is safe.",
};

static RULES: [&Rule; 2] = [&SUPPRESSION_FILE, &INLINE_SUPPRESSION];

/// File names (lower-cased) of scanner ignore and configuration files, with the
/// tool each one configures.
const SUPPRESSION_FILES: &[(&str, &str)] = &[
    (".gitleaksignore", "gitleaks"),
    (".gitleaks.toml", "gitleaks"),
    ("gitleaks.toml", "gitleaks"),
    ("osv-scanner.toml", "osv-scanner"),
    (".trivyignore", "Trivy"),
    (".trivyignore.yaml", "Trivy"),
    ("trivy.yaml", "Trivy"),
    (".semgrepignore", "Semgrep"),
    (".snyk", "Snyk"),
    (".secrets.baseline", "detect-secrets"),
    (".secretlintignore", "secretlint"),
    (".trufflehogignore", "TruffleHog"),
    (".bandit", "Bandit"),
    (".grype.yaml", "Grype"),
    (".checkov.yml", "Checkov"),
    (".checkov.yaml", "Checkov"),
    (".nsprc", "npm audit (better-npm-audit)"),
    ("audit-ci.json", "audit-ci"),
    ("audit-ci.jsonc", "audit-ci"),
    (".auditignore", "audit tools"),
    (
        "dependency-check-suppressions.xml",
        "OWASP Dependency-Check",
    ),
    (".tfsec.yml", "tfsec"),
    (".kics.yaml", "KICS"),
];

/// Inline markers, with the tool each one silences. Matched ASCII
/// case-insensitively; `exact_case` markers are then checked for case.
const MARKERS: &[(&str, &str, bool)] = &[
    ("gitleaks:allow", "gitleaks", false),
    ("trufflehog:ignore", "TruffleHog", false),
    ("nosec", "Bandit/gosec", false),
    ("nosemgrep", "Semgrep", false),
    ("NOSONAR", "SonarQube", true),
    ("pragma: allowlist secret", "detect-secrets", false),
    ("pragma: allowlist nextline secret", "detect-secrets", false),
    ("checkov:skip=", "Checkov", false),
    ("tfsec:ignore", "tfsec", false),
    ("trivy:ignore", "Trivy", false),
    ("kics-scan ignore", "KICS", false),
    ("secretlint-disable", "secretlint", false),
    ("deepcode ignore", "Snyk Code", false),
    ("noinspection security", "IntelliJ inspections", false),
    ("codeql[", "CodeQL", false),
    ("lgtm[", "LGTM/CodeQL", false),
];

/// The detector of scanner suppressions.
#[derive(Debug, Default, Clone, Copy)]
pub struct Suppressions;

impl Detector for Suppressions {
    fn name(&self) -> &'static str {
        "suppressions"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn patterns(&self) -> Vec<Pattern> {
        MARKERS
            .iter()
            .map(|(m, _, _)| Pattern::new(m, Scope::Text))
            .collect()
    }

    fn check_head(&self, file: &FileInfo<'_>, _head: &[u8], sink: &mut dyn Sink) {
        let name = file.file_name().to_ascii_lowercase();
        if let Some((_, tool)) = SUPPRESSION_FILES.iter().find(|(n, _)| *n == name) {
            sink.emit(Emit::file(
                &SUPPRESSION_FILE,
                format!(
                    "{tool} configuration inside the delivery: `{}` (not obeyed)",
                    file.file_name()
                ),
                name.into_bytes(),
            ));
        }
    }

    fn on_hits(
        &self,
        _file: &FileInfo<'_>,
        window: &Window<'_>,
        hits: &[Hit],
        sink: &mut dyn Sink,
    ) {
        let mut last_line_start = None;
        for hit in hits {
            let (marker, tool, exact_case) = MARKERS[hit.pattern];
            let found = window.slice(hit.start, hit.end);
            if exact_case && found != marker.as_bytes() {
                continue;
            }
            if !is_word_bounded(window, hit.start, hit.end, marker) {
                continue;
            }
            let (line_start, line) = window.line_around(hit.start, 200);
            if last_line_start == Some(line_start) {
                continue;
            }
            last_line_start = Some(line_start);
            sink.emit(
                Emit::at(
                    &INLINE_SUPPRESSION,
                    window.line_col(hit.start),
                    format!("`{marker}` marker silences {tool} on this line (not obeyed)"),
                    line.trim_ascii().to_vec(),
                )
                .with_snippet(visible_snippet(line, 160)),
            );
        }
    }
}

/// Markers that end in a letter must not be part of a longer word
/// (`nosecurity` is not `nosec`).
fn is_word_bounded(window: &Window<'_>, start: u64, end: u64, marker: &str) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let before = window
        .slice(start.saturating_sub(1), start)
        .first()
        .copied();
    let after = window.slice(end, end + 1).first().copied();
    let first_ok = !marker.as_bytes()[0].is_ascii_alphanumeric() || !before.is_some_and(is_word);
    let last_ok =
        !marker.as_bytes()[marker.len() - 1].is_ascii_alphanumeric() || !after.is_some_and(is_word);
    first_ok && last_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_detect::reference::run_detector;

    fn rules_of(path: &str, content: &str) -> Vec<(&'static str, Option<(u32, u32)>)> {
        run_detector(&Suppressions, path, content.as_bytes())
            .into_iter()
            .map(|e| (e.rule.id, e.line_col))
            .collect()
    }

    #[test]
    fn ignore_files_are_reported_by_name() {
        assert_eq!(
            rules_of("sub/.gitleaksignore", "abc:def:1\n"),
            [("integrity.supplier-suppression-file", None)]
        );
        assert_eq!(
            rules_of("sub/.TRIVYIGNORE", ""),
            [("integrity.supplier-suppression-file", None)]
        );
        assert!(rules_of("src/main.rs", "fn main() {}\n").is_empty());
    }

    #[test]
    fn inline_markers_are_reported_once_per_line() {
        let src = "x = 1\nkey = 'abc'  # gitleaks:allow nosec\nsubprocess.call(cmd, shell=True)  # nosec B602\n";
        assert_eq!(
            rules_of("a.py", src),
            [
                ("integrity.inline-suppression", Some((2, 16))),
                ("integrity.inline-suppression", Some((3, 37))),
            ]
        );
    }

    #[test]
    fn markers_inside_longer_words_or_wrong_case_are_not_reported() {
        assert!(rules_of("a.py", "nosecurity = 1\nlet nosonar = 2;\n").is_empty());
        assert_eq!(rules_of("a.java", "int x; // NOSONAR\n").len(), 1);
    }
}
