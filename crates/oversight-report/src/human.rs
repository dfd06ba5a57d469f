//! The human format: a findings table, the coverage summary, repository facts
//! and a verdict line, readable in 100 columns.
//!
//! Every piece of text that comes from the delivery (paths, messages, snippets,
//! names in commits) goes through `text::sanitize_*` first, so a hostile file
//! name cannot drive the reviewer's terminal. Colour is applied only when
//! [`HumanOptions::color`] says so; the caller decides from the terminal and
//! `NO_COLOR`, this module never looks at the environment.
//!
//! The report is built in a `String`, which cannot fail to take a write; hence
//! the `let _ = writeln!(..)` lines.

use std::fmt::Write as _;

use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table};
use oversight_model::{Finding, GitFacts, KindCount, Person, ScanReport, Severity};

use crate::text::{human_bytes, plural, sanitize_block, sanitize_line, truncate};

/// Switches of the human format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Whether to write ANSI colour and bold codes.
    pub color: bool,
    /// Show at most this many findings (the most severe); `None` shows all.
    pub max_findings: Option<usize>,
    /// List only findings at or above this severity (the rest are counted in
    /// the heading). `Info` lists everything.
    pub min_severity: Severity,
}

/// The width the output is laid out for.
const WIDTH: u16 = 100;
/// Longest message shown in the table before it is cut with `…`.
const MAX_MESSAGE_CHARS: usize = 160;
/// Longest snippet line shown in the table before it is cut with `…`.
const MAX_SNIPPET_LINE_CHARS: usize = 80;
/// Most snippet lines shown per finding.
const MAX_SNIPPET_LINES: usize = 3;
/// Most authors or committers listed.
const MAX_PEOPLE: usize = 5;
/// Only a header rule: no borders, no column lines, columns separated by padding.
const TABLE_PRESET: &str = "     ──            ";

/// Renders the whole human report.
pub(crate) fn render(report: &ScanReport, options: &HumanOptions) -> String {
    let paint = Painter {
        enabled: options.color,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} scanned {} \"{}\" in {:.2} s",
        paint.bold("oversight"),
        sanitize_line(report.tool_version),
        report.target_kind,
        sanitize_line(&report.target),
        report.elapsed.as_secs_f64(),
    );
    out.push('\n');
    render_findings(&mut out, report, options, paint);
    render_licences(&mut out, report, paint);
    out.push('\n');
    render_coverage(&mut out, report, paint);
    if let Some(git) = &report.git {
        out.push('\n');
        render_git(&mut out, git, paint);
    }
    out.push('\n');
    let blocking = report.blocking().count() as u64;
    let threshold = report.fail_on;
    let verdict = if blocking == 0 {
        paint.paint(&format!("PASS: no finding at or above {threshold}"), "1;32")
    } else {
        paint.paint(
            &format!(
                "FAIL: {} at or above {threshold}",
                plural(blocking, "finding", "findings")
            ),
            "1;31",
        )
    };
    let _ = writeln!(out, "{verdict}");
    out
}

fn render_findings(out: &mut String, report: &ScanReport, options: &HumanOptions, paint: Painter) {
    if report.findings.is_empty() {
        let _ = writeln!(out, "{}", paint.bold("No findings"));
        return;
    }
    let mut counts = Vec::new();
    for severity in Severity::ALL.into_iter().rev() {
        let count = report
            .findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count();
        if count > 0 {
            counts.push(format!("{count} {severity}"));
        }
    }
    let heading = format!(
        "{} ({})",
        plural(report.findings.len() as u64, "finding", "findings"),
        counts.join(", ")
    );
    let _ = writeln!(out, "{}", paint.bold(&heading));

    let mut findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity >= options.min_severity)
        .collect();
    let unlisted = report.findings.len() - findings.len();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.rule.id.cmp(b.rule.id))
    });
    let shown = options
        .max_findings
        .unwrap_or(findings.len())
        .min(findings.len());

    let mut table = Table::new();
    table
        .load_preset(TABLE_PRESET)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH)
        .set_header(["SEVERITY", "RULE", "LOCATION AND MESSAGE"]);
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    for finding in &findings[..shown] {
        table.add_row([
            severity_cell(finding.severity),
            Cell::new(sanitize_line(finding.rule.id)),
            Cell::new(format!("{}\n{}", location(finding), message(finding))),
        ]);
    }
    // Severities and rule ids are short and must stay whole; the last column
    // takes what is left and wraps.
    table.set_constraints([
        ColumnConstraint::ContentWidth,
        ColumnConstraint::ContentWidth,
    ]);
    for line in table.lines() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if unlisted > 0 {
        let _ = writeln!(
            out,
            "… {} below {} not listed (use --verbose or --format json)",
            plural(unlisted as u64, "finding", "findings"),
            options.min_severity
        );
    }
    if shown < findings.len() {
        let hidden = (findings.len() - shown) as u64;
        let _ = writeln!(
            out,
            "… {} not shown",
            plural(hidden, "more finding", "more findings")
        );
    }
}

fn severity_cell(severity: Severity) -> Cell {
    let cell = Cell::new(severity.as_str());
    match severity {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => cell.fg(Color::Red),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Low => cell.fg(Color::Cyan),
        Severity::Info => cell.add_attribute(Attribute::Dim),
    }
}

/// `path:line:column`, with as much of the position as is known.
fn location(finding: &Finding) -> String {
    let mut place = sanitize_line(&finding.location.path.to_string()).into_owned();
    for position in [finding.location.line, finding.location.column]
        .into_iter()
        .map_while(|position| position)
    {
        let _ = write!(place, ":{position}");
    }
    place
}

/// The message, then up to three lines of the snippet, each prefixed with `›`.
fn message(finding: &Finding) -> String {
    let mut text = truncate(&sanitize_line(&finding.message), MAX_MESSAGE_CHARS).into_owned();
    if let Some(evidence) = &finding.evidence {
        let snippet = sanitize_block(&evidence.snippet);
        let lines: Vec<&str> = snippet.lines().collect();
        for line in lines.iter().take(MAX_SNIPPET_LINES) {
            let _ = write!(text, "\n› {}", truncate(line, MAX_SNIPPET_LINE_CHARS));
        }
        if lines.len() > MAX_SNIPPET_LINES {
            text.push_str("\n› …");
        }
        if evidence.redacted {
            text.push_str("\n  (redacted)");
        }
    }
    text
}

/// Most licences and holders listed in the summary.
const MAX_SUMMARY_ROWS: usize = 12;

/// Distinct licences (with how many files and components carry each) and
/// distinct copyright holders; nothing when the scan found neither.
fn render_licences(out: &mut String, report: &ScanReport, paint: Painter) {
    let facts = crate::licences::licence_facts(report);
    if facts.licences.is_empty() && facts.holders.is_empty() {
        return;
    }
    out.push('\n');
    let _ = writeln!(out, "{}", paint.bold("Licences and copyright"));
    let mut licences: Vec<(&String, &(usize, usize))> = facts.licences.iter().collect();
    licences.sort_by(|a, b| (b.1.0 + b.1.1).cmp(&(a.1.0 + a.1.1)).then(a.0.cmp(b.0)));
    let width = licences
        .iter()
        .take(MAX_SUMMARY_ROWS)
        .map(|(l, _)| l.chars().count().min(40))
        .max()
        .unwrap_or(0);
    for (licence, (files, components)) in licences.iter().take(MAX_SUMMARY_ROWS) {
        let mut counts = Vec::new();
        if *files > 0 {
            counts.push(plural(*files as u64, "file", "files"));
        }
        if *components > 0 {
            counts.push(plural(*components as u64, "component", "components"));
        }
        let _ = writeln!(
            out,
            "  {:<width$}  {}",
            truncate(&sanitize_line(licence), 40),
            counts.join(", ")
        );
    }
    if licences.len() > MAX_SUMMARY_ROWS {
        let _ = writeln!(
            out,
            "  … and {} more licences",
            licences.len() - MAX_SUMMARY_ROWS
        );
    }
    if facts.components_without_licence > 0 {
        let _ = writeln!(
            out,
            "  {} declare no licence",
            plural(
                facts.components_without_licence as u64,
                "component",
                "components"
            )
        );
    }
    if !facts.holders.is_empty() {
        let mut holders: Vec<(&String, &usize)> = facts.holders.iter().collect();
        holders.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = holders
            .iter()
            .take(MAX_SUMMARY_ROWS)
            .map(|(h, n)| format!("{} ({n})", truncate(&sanitize_line(h), 50)))
            .collect();
        let more = holders.len().saturating_sub(MAX_SUMMARY_ROWS);
        let _ = writeln!(
            out,
            "  {}: {}{}",
            plural(
                holders.len() as u64,
                "copyright holder",
                "copyright holders"
            ),
            shown.join(", "),
            if more > 0 {
                format!(", … and {more} more")
            } else {
                String::new()
            }
        );
    }
}

fn render_coverage(out: &mut String, report: &ScanReport, paint: Painter) {
    let coverage = &report.coverage;
    let _ = writeln!(out, "{}", paint.bold("Coverage"));
    let total = KindCount {
        files: coverage.total_files(),
        bytes: coverage.total_bytes(),
    };
    let counts = [
        ("text files", coverage.text),
        ("binary files", coverage.binary),
        ("archive members", coverage.archive_members),
        ("total", total),
    ];
    let files_width = counts
        .iter()
        .map(|(_, count)| count.files.to_string().len())
        .max()
        .unwrap_or(1);
    for (label, count) in counts {
        let _ = writeln!(
            out,
            "  {label:<19}{:>files_width$}  {}",
            count.files,
            human_bytes(count.bytes)
        );
    }
    let _ = writeln!(out, "  {:<19}{}", "archives opened", coverage.archives);
    let gaps = format!("{:<19}{}", "not fully scanned", coverage.not_fully_scanned);
    if coverage.not_fully_scanned > 0 {
        let _ = writeln!(
            out,
            "  {}  (each has a coverage finding)",
            paint.paint(&gaps, "33")
        );
    } else {
        let _ = writeln!(out, "  {gaps}");
    }
    let _ = writeln!(
        out,
        "  {:<19}{}",
        "special entries", coverage.special_entries
    );
}

fn render_git(out: &mut String, git: &GitFacts, paint: Painter) {
    let _ = writeln!(out, "{}", paint.bold("Git"));
    let _ = writeln!(
        out,
        "  {:<12}{} = {}",
        "revision",
        sanitize_line(&git.rev),
        sanitize_line(&git.commit)
    );
    let unsigned = git.commit_count.saturating_sub(git.signed_commits);
    let _ = writeln!(
        out,
        "  {:<12}{}, {} signed, {} unsigned",
        "commits", git.commit_count, git.signed_commits, unsigned
    );
    render_people(out, "authors", &git.authors);
    render_people(out, "committers", &git.committers);
}

fn render_people(out: &mut String, label: &str, people: &[Person]) {
    for (index, person) in people.iter().take(MAX_PEOPLE).enumerate() {
        let label = if index == 0 { label } else { "" };
        let _ = writeln!(
            out,
            "  {label:<12}{} <{}> ({})",
            truncate(&sanitize_line(&person.name), 40),
            truncate(&sanitize_line(&person.email), 40),
            plural(person.commits, "commit", "commits"),
        );
    }
    if people.len() > MAX_PEOPLE {
        let _ = writeln!(out, "  {:<12}… and {} more", "", people.len() - MAX_PEOPLE);
    }
}

/// Wraps text in ANSI SGR codes when colour is on.
#[derive(Debug, Clone, Copy)]
struct Painter {
    enabled: bool,
}

impl Painter {
    fn paint(self, text: &str, sgr: &str) -> String {
        if self.enabled {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint(text, "1")
    }
}
