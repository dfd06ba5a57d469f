//! Reading a policy file: TOML with spans, validated key by key.
//!
//! The document is parsed into `toml`'s spanned tree (`DeTable`) and walked
//! by hand rather than deserialised with serde, so that one pass reports
//! every problem (unknown keys, wrong types, bad severities, globs, licence
//! ids) with its dotted key and line instead of stopping at the first. A
//! policy of a newer schema is refused with that one problem: its other keys
//! may well be valid there.
//!
//! The `[license]` section is validated by `oversight-licenses`' own parser
//! (the same one `--license-policy` files go through), fed one key or list
//! entry at a time so each bad entry is named with its own line.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use globset::{GlobBuilder, GlobSetBuilder};
use oversight_licenses::LicensePolicy;
use oversight_model::{Category, Severity};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{
    Deliverable, DeliverableKind, GitPolicy, POLICY_SCHEMA, Policy, Threshold, WaiverRules,
};

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line (for a missing key, the line of the table that lacks it).
    pub line: usize,
    /// The dotted key, e.g. `thresholds.secret` or `deliverables[2].paths`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// A policy file that is not valid: every problem found, in line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin} is not a valid acceptance policy:\n{}", problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct PolicyError {
    /// The file name, or another description of where the text came from.
    pub origin: String,
    /// Every problem, sorted by line.
    pub problems: Vec<Problem>,
}

const TOP_LEVEL_KEYS: &[&str] = &[
    "schema",
    "name",
    "version",
    "max_advisory_age_days",
    "expected_holders",
    "thresholds",
    "license",
    "deliverables",
    "waivers",
    "threats",
    "git",
];
const DELIVERABLE_KEYS: &[&str] = &[
    "kind",
    "paths",
    "description",
    "min_tests",
    "max_skipped",
    "max_differences",
    "max_level",
    "require_revision",
    "min_line_coverage",
];
const WAIVER_KEYS: &[&str] = &["max_days", "not_waivable"];
const THREAT_KEYS: &[&str] = &["block_at"];
const GIT_KEYS: &[&str] = &[
    "require_signed",
    "min_signed_ratio",
    "forbid_unknown_authors",
    "forbid_rewrites",
];

type Value<'i> = Spanned<DeValue<'i>>;

struct Reader<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

pub(super) fn parse(text: &str, origin: &str) -> Result<Policy, PolicyError> {
    let mut reader = Reader {
        text,
        problems: Vec::new(),
    };
    let policy = reader.policy();
    match policy {
        Some(policy) if reader.problems.is_empty() => Ok(policy),
        _ => {
            let mut problems = reader.problems;
            problems.sort_by_key(|p| p.line);
            Err(PolicyError {
                origin: origin.to_owned(),
                problems,
            })
        }
    }
}

impl Reader<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn problem(&mut self, span: &Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            line: self.line(span),
            key: key.into(),
            message: message.into(),
        });
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        path: &str,
        known: &[&str],
    ) {
        self.problem(
            &key.span(),
            path,
            format!("unknown key; expected one of: {}", known.join(", ")),
        );
    }

    fn wrong_type(&mut self, value: &Value<'_>, key: &str, expected: &str) {
        self.problem(
            &value.span(),
            key,
            format!("expected {expected}, found {}", value.get_ref().type_str()),
        );
    }

    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => {
                self.problem(&value.span(), key, "must not be empty");
                None
            }
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(value, key, "a string");
                None
            }
        }
    }

    fn integer(&mut self, value: &Value<'_>, key: &str, range: Range<i64>) -> Option<i64> {
        let DeValue::Integer(i) = value.get_ref() else {
            self.wrong_type(value, key, "an integer");
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.problem(
                    &value.span(),
                    key,
                    format!(
                        "must be between {} and {}, not {i}",
                        range.start,
                        range.end - 1
                    ),
                );
                None
            }
        }
    }

    fn strings(&mut self, value: &Value<'_>, key: &str) -> Vec<Spanned<String>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, key, "an array of strings");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.string(item, key).map(|s| Spanned::new(item.span(), s)))
            .collect()
    }

    fn table<'v, 'i>(&mut self, value: &'v Value<'i>, key: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.wrong_type(value, key, "a table");
                None
            }
        }
    }

    fn policy(&mut self) -> Option<Policy> {
        let (document, errors) = DeTable::parse_recoverable(self.text);
        if !errors.is_empty() {
            for e in errors {
                let span = e.span().unwrap_or(0..0);
                let key = self.key_on_line_of(&span);
                self.problem(&span, key, e.message().trim().to_owned());
            }
            return None;
        }
        let document = document.get_ref();
        let whole = 0..0;

        // The schema first: a newer file is refused on that ground alone.
        match document.get("schema") {
            None => self.problem(
                &whole,
                "schema",
                format!("missing; this Oversight reads `schema = {POLICY_SCHEMA}`"),
            ),
            Some(value) => match self.integer(value, "schema", i64::MIN..i64::MAX) {
                Some(n) if n < 1 => self.problem(
                    &value.span(),
                    "schema",
                    format!("{n} is not a policy schema; this Oversight reads `schema = {POLICY_SCHEMA}`"),
                ),
                Some(n) if n > POLICY_SCHEMA => {
                    self.problems.clear();
                    self.problem(
                        &value.span(),
                        "schema",
                        format!(
                            "schema {n} is newer than this Oversight reads ({POLICY_SCHEMA}): upgrade Oversight to use this policy"
                        ),
                    );
                    return None;
                }
                _ => {}
            },
        }

        let mut name = None;
        let mut version = None;
        let mut thresholds = BTreeMap::new();
        let mut license = None;
        let mut expected_holders = None;
        let mut deliverables = Vec::new();
        let mut max_advisory_age_days = None;
        let mut waivers = WaiverRules::default();
        let mut threats_block_at = Threshold::AtLeast(Severity::High);
        let mut git = GitPolicy::default();
        for (key, value) in document {
            match key.get_ref().as_ref() {
                "schema" => {}
                "name" => name = self.string(value, "name"),
                "version" => version = self.string(value, "version"),
                "max_advisory_age_days" => {
                    max_advisory_age_days = self
                        .integer(value, "max_advisory_age_days", 1..36_501)
                        .and_then(|n| u32::try_from(n).ok());
                }
                "expected_holders" => {
                    let holders = self.strings(value, "expected_holders");
                    if holders.is_empty() && matches!(value.get_ref(), DeValue::Array(_)) {
                        // An empty list would switch the ownership check off.
                        self.problem(
                            &value.span(),
                            "expected_holders",
                            "empty; leave it out to use the engagement's expected holders",
                        );
                    }
                    expected_holders = Some(holders.into_iter().map(Spanned::into_inner).collect());
                }
                "thresholds" => thresholds = self.thresholds(value),
                "license" => license = self.license(value),
                "deliverables" => deliverables = self.deliverables(value),
                "waivers" => waivers = self.waivers(value),
                "threats" => {
                    if let Some(t) = self.threats(value) {
                        threats_block_at = t;
                    }
                }
                "git" => git = self.git(value),
                other => self.unknown_key(key, other, TOP_LEVEL_KEYS),
            }
        }
        for (present, key) in [(name.is_some(), "name"), (version.is_some(), "version")] {
            if !present && !document.contains_key(key) {
                self.problem(&whole, key, "missing");
            }
        }
        Some(Policy {
            name: name?,
            version: version?,
            thresholds,
            license,
            expected_holders,
            deliverables,
            max_advisory_age_days,
            waivers,
            threats_block_at,
            git,
            text: self.text.to_owned(),
        })
    }

    /// For a syntax error: the key written on the error's line, if any.
    fn key_on_line_of(&self, span: &Range<usize>) -> String {
        let start = span.start.min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = self.text[line_start..].lines().next().unwrap_or("");
        line.split_once('=')
            .map_or("", |(key, _)| key)
            .trim()
            .trim_matches(['"', '\''])
            .to_owned()
    }

    fn thresholds(&mut self, value: &Value<'_>) -> BTreeMap<Category, Threshold> {
        let mut thresholds = BTreeMap::new();
        let Some(table) = self.table(value, "thresholds") else {
            return thresholds;
        };
        let mut default = Threshold::AtLeast(Severity::High);
        for (key, value) in table {
            let dotted = format!("thresholds.{}", key.get_ref());
            let category = match key.get_ref().as_ref() {
                "default" => None,
                name => match name.parse::<Category>() {
                    Ok(category) => Some(category),
                    Err(_) => {
                        let mut known = vec!["default"];
                        known.extend(Category::ALL.map(Category::as_str));
                        self.unknown_key(key, &dotted, &known);
                        continue;
                    }
                },
            };
            let Some(text) = self.string(value, &dotted) else {
                continue;
            };
            let threshold = if text == "never" {
                Threshold::Never
            } else if let Ok(severity) = text.parse::<Severity>() {
                Threshold::AtLeast(severity)
            } else {
                self.problem(
                    &value.span(),
                    &dotted,
                    format!(
                        "`{text}` is not a severity (info, low, medium, high, critical) or `never`"
                    ),
                );
                continue;
            };
            match category {
                Some(category) => {
                    thresholds.insert(category, threshold);
                }
                None => default = threshold,
            }
        }
        for category in Category::ALL {
            thresholds.entry(category).or_insert(default);
        }
        thresholds
    }

    /// Hands each key (and each entry of a list) of `[license]` to the
    /// licence crate's parser, then parses the section as a whole.
    fn license(&mut self, value: &Value<'_>) -> Option<LicensePolicy> {
        let table = self.table(value, "license")?;
        let before = self.problems.len();
        let mut section = String::new();
        for (key, value) in table {
            let quoted = toml::Value::String(key.get_ref().to_string()).to_string();
            let source = &self.text[value.span()];
            let dotted = format!("license.{}", key.get_ref());
            // The key with an empty list first, so that an unknown key is
            // named once rather than once per entry.
            if !self.licence_fragment(&format!("{quoted} = []"), &key.span(), &dotted) {
                continue;
            }
            match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        let fragment = format!("{quoted} = [{}]", &self.text[item.span()]);
                        self.licence_fragment(&fragment, &item.span(), &dotted);
                    }
                }
                // A `[license.allow]` header's text is no value: let the
                // licence parser name the type it got.
                DeValue::Table(_) => {
                    self.licence_fragment(&format!("{quoted} = {{}}"), &value.span(), &dotted);
                }
                _ => {
                    self.licence_fragment(&format!("{quoted} = {source}"), &value.span(), &dotted);
                }
            }
            section.push_str(&format!("{quoted} = {source}\n"));
        }
        if self.problems.len() > before {
            return None;
        }
        match LicensePolicy::parse(&section) {
            Ok(policy) => Some(policy),
            Err(e) => {
                self.problem(&value.span(), "license", licence_message(e));
                None
            }
        }
    }

    /// Parses one `key = value` fragment of `[license]` with the licence
    /// crate; a problem is reported at `span`. Returns whether it was valid.
    fn licence_fragment(&mut self, fragment: &str, span: &Range<usize>, key: &str) -> bool {
        match LicensePolicy::parse(fragment) {
            Ok(_) => true,
            Err(e) => {
                self.problem(span, key, licence_message(e));
                false
            }
        }
    }

    fn deliverables(&mut self, value: &Value<'_>) -> Vec<Deliverable> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(
                value,
                "deliverables",
                "an array of tables (`[[deliverables]]`)",
            );
            return Vec::new();
        };
        let mut deliverables = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let prefix = format!("deliverables[{}]", index + 1);
            let Some(table) = self.table(item, &prefix) else {
                continue;
            };
            if let Some(deliverable) = self.deliverable(item.span(), table, &prefix) {
                deliverables.push(deliverable);
            }
        }
        deliverables
    }

    fn deliverable(
        &mut self,
        span: Range<usize>,
        table: &DeTable<'_>,
        prefix: &str,
    ) -> Option<Deliverable> {
        let mut kind = None;
        let mut kind_span = span.clone();
        let mut paths = None;
        let mut description = None;
        let mut limits = crate::policy::DeliverableLimits::default();
        let mut valid = true;
        for (key, value) in table {
            let dotted = format!("{prefix}.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "kind" => {
                    kind_span = value.span();
                    let Some(text) = self.string(value, &dotted) else {
                        valid = false;
                        continue;
                    };
                    kind = DeliverableKind::ALL
                        .into_iter()
                        .find(|k| k.as_str() == text);
                    if kind.is_none() {
                        let known: Vec<&str> =
                            DeliverableKind::ALL.map(DeliverableKind::as_str).to_vec();
                        self.problem(
                            &value.span(),
                            &dotted,
                            format!("`{text}` is not a deliverable kind ({})", known.join(", ")),
                        );
                        valid = false;
                    }
                }
                "paths" => {
                    let list = self.strings(value, &dotted);
                    if list.is_empty() && matches!(value.get_ref(), DeValue::Array(_)) {
                        self.problem(
                            &value.span(),
                            &dotted,
                            "empty; leave `paths` out to use the kind's default paths",
                        );
                        valid = false;
                    }
                    paths = Some(list);
                }
                "description" => description = self.string(value, &dotted),
                "min_tests" => {
                    limits.min_tests = self
                        .integer(value, &dotted, 0..1_000_000_000)
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(limits.min_tests);
                }
                "max_skipped" => {
                    limits.max_skipped = self
                        .integer(value, &dotted, 0..1_000_000_000)
                        .and_then(|n| u64::try_from(n).ok());
                }
                "max_level" => {
                    if let Some(text) = self.string(value, &dotted) {
                        match crate::policy::SarifLevel::parse(&text) {
                            Some(level) => limits.max_level = level,
                            None => {
                                self.problem(
                                    &value.span(),
                                    &dotted,
                                    format!("`{text}` is not a SARIF level (error, warning, note)"),
                                );
                                valid = false;
                            }
                        }
                    }
                }
                "require_revision" => match value.get_ref() {
                    DeValue::Boolean(b) => limits.require_revision = *b,
                    _ => {
                        self.wrong_type(value, &dotted, "true or false");
                        valid = false;
                    }
                },
                "min_line_coverage" => {
                    let percent = match value.get_ref() {
                        DeValue::Integer(i) => i.as_str().parse::<f64>().ok(),
                        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
                        _ => None,
                    };
                    match percent {
                        Some(p) if (0.0..=100.0).contains(&p) => limits.min_line_coverage = p,
                        _ => {
                            self.problem(&value.span(), &dotted, "a percentage from 0 to 100");
                            valid = false;
                        }
                    }
                }
                "max_differences" => {
                    limits.max_differences = self
                        .integer(value, &dotted, 0..1_000_000_000)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0);
                }
                other => {
                    self.unknown_key(key, &format!("{prefix}.{other}"), DELIVERABLE_KEYS);
                    valid = false;
                }
            }
        }
        let Some(kind) = kind else {
            if !table.contains_key("kind") {
                self.problem(&span, format!("{prefix}.kind"), "missing");
            }
            return None;
        };
        let (globs, case_insensitive): (Vec<Spanned<String>>, bool) = match paths {
            Some(paths) => (paths, false),
            None if kind == DeliverableKind::Path => {
                self.problem(
                    &kind_span,
                    format!("{prefix}.paths"),
                    "a deliverable of kind `path` needs `paths`",
                );
                return None;
            }
            None => (
                kind.default_globs()
                    .iter()
                    .map(|g| Spanned::new(kind_span.clone(), (*g).to_owned()))
                    .collect(),
                true,
            ),
        };
        let mut set = GlobSetBuilder::new();
        for glob in &globs {
            let built = GlobBuilder::new(glob.get_ref())
                .literal_separator(true)
                .backslash_escape(true)
                .case_insensitive(case_insensitive)
                .build();
            match built {
                Ok(g) => {
                    set.add(g);
                }
                Err(e) => {
                    self.problem(
                        &glob.span(),
                        format!("{prefix}.paths"),
                        format!("`{}` is not a valid glob: {}", glob.get_ref(), e.kind()),
                    );
                    valid = false;
                }
            }
        }
        if !valid {
            return None;
        }
        let matcher = set
            .build()
            .map_err(|e| self.problem(&span, format!("{prefix}.paths"), e.to_string()))
            .ok()?;
        Some(Deliverable {
            kind,
            globs: globs.into_iter().map(Spanned::into_inner).collect(),
            description,
            matcher,
            limits,
        })
    }

    /// `[threats]`: `block_at`, the lowest severity of an unmitigated
    /// threat of the engagement's threat model that blocks (`never` turns
    /// the blocking off; the traceability is still recorded).
    fn threats(&mut self, value: &Value<'_>) -> Option<Threshold> {
        let table = self.table(value, "threats")?;
        let mut found = None;
        for (key, value) in table {
            let dotted = format!("threats.{}", key.get_ref());
            if key.get_ref().as_ref() != "block_at" {
                self.unknown_key(key, &dotted, THREAT_KEYS);
                continue;
            }
            let Some(text) = self.string(value, &dotted) else {
                continue;
            };
            match text.as_str() {
                "never" => found = Some(Threshold::Never),
                "low" | "medium" | "high" | "critical" => {
                    found = text.parse::<Severity>().ok().map(Threshold::AtLeast);
                }
                _ => self.problem(
                    &value.span(),
                    &dotted,
                    format!(
                        "`{text}` is not a threat severity (low, medium, high, critical) or `never`"
                    ),
                ),
            }
        }
        found
    }

    /// `[git]`: what the git posture of a delivery must show.
    fn git(&mut self, value: &Value<'_>) -> GitPolicy {
        let mut git = GitPolicy::default();
        let Some(table) = self.table(value, "git") else {
            return git;
        };
        let mut require_signed = None;
        for (key, value) in table {
            let dotted = format!("git.{}", key.get_ref());
            let flag = |reader: &mut Self| match value.get_ref() {
                DeValue::Boolean(b) => Some(*b),
                _ => {
                    reader.wrong_type(value, &dotted, "true or false");
                    None
                }
            };
            match key.get_ref().as_ref() {
                "require_signed" => require_signed = flag(self),
                "forbid_unknown_authors" => {
                    git.forbid_unknown_authors = flag(self).unwrap_or(false);
                }
                "forbid_rewrites" => git.forbid_rewrites = flag(self).unwrap_or(false),
                "min_signed_ratio" => {
                    let ratio = match value.get_ref() {
                        DeValue::Integer(i) => i.as_str().parse::<f64>().ok(),
                        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
                        _ => None,
                    };
                    match ratio {
                        Some(r) if (0.0..=1.0).contains(&r) => git.min_signed_ratio = Some(r),
                        _ => self.problem(
                            &value.span(),
                            &dotted,
                            "a share of commits from 0.0 to 1.0 (1.0: every commit)",
                        ),
                    }
                }
                _ => self.unknown_key(key, &dotted, GIT_KEYS),
            }
        }
        if require_signed == Some(true) {
            if git.min_signed_ratio.is_some_and(|r| r < 1.0) {
                self.problem(
                    &value.span(),
                    "git.require_signed",
                    "contradicts git.min_signed_ratio below 1.0; give one of them",
                );
            }
            git.min_signed_ratio = Some(1.0);
        }
        git
    }

    fn waivers(&mut self, value: &Value<'_>) -> WaiverRules {
        let mut rules = WaiverRules::default();
        let Some(table) = self.table(value, "waivers") else {
            return rules;
        };
        for (key, value) in table {
            let dotted = format!("waivers.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "max_days" => {
                    rules.max_days = self
                        .integer(value, &dotted, 1..3_651)
                        .and_then(|n| u32::try_from(n).ok());
                }
                "not_waivable" => {
                    for entry in self.strings(value, &dotted) {
                        match entry.get_ref().parse::<Category>() {
                            Ok(category) if !rules.not_waivable.contains(&category) => {
                                rules.not_waivable.push(category);
                            }
                            Ok(_) => {}
                            Err(e) => self.problem(&entry.span(), &dotted, e.to_string()),
                        }
                    }
                }
                _ => self.unknown_key(key, &dotted, WAIVER_KEYS),
            }
        }
        rules
    }
}

/// The message of a licence-policy error, without its file and line (the
/// line is the policy file's, reported by the caller).
fn licence_message(error: oversight_licenses::Error) -> String {
    match error {
        oversight_licenses::Error::Policy { message, .. } => message,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "schema = 1\nname = \"t\"\nversion = \"1\"\n";

    fn problems(text: &str) -> Vec<(usize, String)> {
        let err = parse(text, "p.toml").expect_err("invalid policy");
        err.problems.into_iter().map(|p| (p.line, p.key)).collect()
    }

    fn pairs(expected: &[(usize, &str)]) -> Vec<(usize, String)> {
        expected
            .iter()
            .map(|(l, k)| (*l, (*k).to_owned()))
            .collect()
    }

    #[test]
    fn every_problem_is_named_with_key_and_line() {
        let text = format!(
            "{HEAD}colour = \"blue\"\nmax_advisory_age_days = \"7\"\n[thresholds]\nsecret = \"loud\"\nweather = \"high\"\nmalicious = 3\n[[deliverables]]\nkind = \"cake\"\n[[deliverables]]\nkind = \"path\"\npaths = [\"a/[\", \"ok/*\"]\n[[deliverables]]\ndescription = \"no kind\"\n[[deliverables]]\nkind = \"path\"\n[[deliverables]]\nkind = \"sbom\"\nformat = \"cyclonedx\"\n[waivers]\nnot_waivable = [\"malicious\", \"everything\"]\nmax_days = 0\n"
        );
        let expected = pairs(&[
            (4, "colour"),
            (5, "max_advisory_age_days"),
            (7, "thresholds.secret"),
            (8, "thresholds.weather"),
            (9, "thresholds.malicious"),
            (11, "deliverables[1].kind"),
            (14, "deliverables[2].paths"),
            (15, "deliverables[3].kind"),
            (18, "deliverables[4].paths"),
            (21, "deliverables[5].format"),
            (23, "waivers.not_waivable"),
            (24, "waivers.max_days"),
        ]);
        assert_eq!(problems(&text), expected);
        let err = parse(&text, "p.toml").expect_err("invalid");
        let shown = err.to_string();
        for needle in [
            "p.toml is not a valid acceptance policy:",
            "line 4: `colour`: unknown key; expected one of: schema, name,",
            "line 5: `max_advisory_age_days`: expected an integer, found string",
            "line 7: `thresholds.secret`: `loud` is not a severity (info, low, medium, high, critical) or `never`",
            "line 9: `thresholds.malicious`: expected a string, found integer",
            "line 11: `deliverables[1].kind`: `cake` is not a deliverable kind (sbom, license,",
            "line 14: `deliverables[2].paths`: `a/[` is not a valid glob: unclosed character class",
            "line 15: `deliverables[3].kind`: missing",
            "line 18: `deliverables[4].paths`: a deliverable of kind `path` needs `paths`",
            "line 23: `waivers.not_waivable`: Unknown category `everything`",
            "line 24: `waivers.max_days`: must be between 1 and 3650, not 0",
        ] {
            assert!(shown.contains(needle), "{needle:?} not in:\n{shown}");
        }
    }

    #[test]
    fn required_keys_and_types() {
        assert_eq!(
            problems("schema = 1\nversion = 3\n"),
            pairs(&[(1, "name"), (2, "version")])
        );
        assert_eq!(
            problems("name = \"x\"\nversion = \"1\"\n"),
            pairs(&[(1, "schema")])
        );
        assert_eq!(
            problems(&format!(
                "{HEAD}expected_holders = \"Acme\"\n[[thresholds]]\n"
            )),
            pairs(&[(4, "expected_holders"), (5, "thresholds")])
        );
        assert_eq!(
            problems(&format!(
                "{HEAD}expected_holders = []\n[[deliverables]]\nkind = 1\nextra = 2\n"
            )),
            pairs(&[
                (4, "expected_holders"),
                (6, "deliverables[1].kind"),
                (7, "deliverables[1].extra")
            ])
        );
    }

    #[test]
    fn a_newer_schema_is_refused_on_that_ground_alone() {
        let err = parse(
            "schema = 2\nname = \"x\"\nversion = \"1\"\n[gates]\nnew = true\n",
            "p.toml",
        )
        .expect_err("newer schema");
        assert_eq!(
            err.problems,
            [Problem {
                line: 1,
                key: "schema".into(),
                message: "schema 2 is newer than this Oversight reads (1): upgrade Oversight to use this policy".into()
            }]
        );
        let err = parse(&HEAD.replace("schema = 1", "schema = 0"), "p.toml").expect_err("schema 0");
        assert_eq!(
            err.problems,
            [Problem {
                line: 1,
                key: "schema".into(),
                message: "0 is not a policy schema; this Oversight reads `schema = 1`".into()
            }]
        );
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let err =
            parse(&format!("{HEAD}[thresholds]\nsecret = \"low\n"), "p.toml").expect_err("syntax");
        assert_eq!(err.problems[0].line, 5, "{err}");
        assert_eq!(err.problems[0].key, "secret", "{err}");
    }

    #[test]
    fn licence_problems_name_each_entry_with_its_line() {
        let text = format!(
            "{HEAD}[license]\nallow = [\n  \"MIT\",\n  \"NOT-A-LICENCE\",\n  \"Apache-2.0\",\n  \"ALSO-BAD\",\n]\ndeny-categories = [\"copyleft-ish\"]\nallowed = [\"MIT\", \"X\"]\ndeny = \"GPL-3.0-only\"\n"
        );
        let err = parse(&text, "p.toml").expect_err("bad licences");
        let found: Vec<(usize, &str, &str)> = err
            .problems
            .iter()
            .map(|p| (p.line, p.key.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(found.len(), 5, "{err}");
        assert_eq!((found[0].0, found[0].1), (7, "license.allow"), "{err}");
        assert!(
            found[0]
                .2
                .contains("`NOT-A-LICENCE` is not an SPDX licence identifier"),
            "{err}"
        );
        assert_eq!((found[1].0, found[1].1), (9, "license.allow"), "{err}");
        assert!(found[1].2.contains("ALSO-BAD"), "{err}");
        assert_eq!(
            (found[2].0, found[2].1),
            (11, "license.deny-categories"),
            "{err}"
        );
        assert!(found[2].2.contains("copyleft-ish"), "{err}");
        assert_eq!((found[3].0, found[3].1), (12, "license.allowed"), "{err}");
        assert!(found[3].2.contains("unknown field `allowed`"), "{err}");
        assert_eq!((found[4].0, found[4].1), (13, "license.deny"), "{err}");
        assert!(found[4].2.contains("invalid type"), "{err}");

        let err = parse(
            &format!("{HEAD}[license]\n[license.allow]\nmit = true\n"),
            "p.toml",
        )
        .expect_err("a table is no list");
        assert_eq!(
            (err.problems[0].line, err.problems[0].key.as_str()),
            (5, "license.allow"),
            "{err}"
        );
        assert!(
            err.problems[0].message.contains("invalid type: map"),
            "{err}"
        );
    }

    #[test]
    fn threats_block_at() {
        let policy = parse(HEAD, "p.toml").expect("valid");
        assert_eq!(
            policy.threat_threshold(),
            Threshold::AtLeast(Severity::High)
        );
        let policy = parse(
            &format!("{HEAD}[threats]\nblock_at = \"medium\"\n"),
            "p.toml",
        )
        .expect("valid");
        assert_eq!(
            policy.threat_threshold(),
            Threshold::AtLeast(Severity::Medium)
        );
        let policy = parse(
            &format!("{HEAD}[threats]\nblock_at = \"never\"\n"),
            "p.toml",
        )
        .expect("valid");
        assert_eq!(policy.threat_threshold(), Threshold::Never);
        assert_eq!(
            problems(&format!("{HEAD}[threats]\nblock_at = \"info\"\nwhen = 1\n")),
            pairs(&[(5, "threats.block_at"), (6, "threats.when")])
        );
    }

    #[test]
    fn git_posture_keys() {
        let policy = parse(HEAD, "p.toml").expect("valid");
        assert_eq!(policy.git(), &GitPolicy::default());
        let policy = parse(
            &format!("{HEAD}[git]\nrequire_signed = true\nforbid_unknown_authors = true\nforbid_rewrites = true\n"),
            "p.toml",
        )
        .expect("valid");
        assert_eq!(
            policy.git(),
            &GitPolicy {
                min_signed_ratio: Some(1.0),
                forbid_unknown_authors: true,
                forbid_rewrites: true,
            }
        );
        let policy =
            parse(&format!("{HEAD}[git]\nmin_signed_ratio = 0.9\n"), "p.toml").expect("valid");
        assert_eq!(policy.git().min_signed_ratio, Some(0.9));
        assert_eq!(
            problems(&format!(
                "{HEAD}[git]\nmin_signed_ratio = 2\nforbid_rewrites = \"yes\"\nsigned = 1\n"
            )),
            pairs(&[
                (5, "git.min_signed_ratio"),
                (6, "git.forbid_rewrites"),
                (7, "git.signed")
            ])
        );
    }
}
