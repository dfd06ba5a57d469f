//! The gitleaks rule format: parsing, validation and compilation.
//!
//! A config is parsed in two steps, as the workspace style asks: the raw TOML
//! (with spans, unknown keys rejected) and then validation into compiled
//! [`RuleSet`]s. Every error names the origin, the rule id when there is one,
//! and the line.
//!
//! Semantics follow gitleaks v8 (`config/config.go`, `config/allowlist.go`,
//! `detect/detect.go`):
//!
//! * keys are accepted in gitleaks' camelCase and in the all-lower-case form
//!   viper also accepts (`secretGroup`, `secretgroup`);
//! * `[rules.allowlist]` (old) and `[[rules.allowlists]]` (new) may not both
//!   appear in a rule, nor `[allowlist]` and `[[allowlists]]` globally;
//! * a global allowlist with `targetRules` is added to those rules only;
//! * `condition` is `OR` (default, also `||`) or `AND` (also `&&`);
//!   `regexTarget` is `secret` (default), `match` or `line`;
//! * a rule needs an `id` and a `regex` or a `path`; `secretGroup` may not
//!   exceed the regex's group count; an allowlist must check something.
//!
//! `[extend]` is refused: `useDefault` would need gitleaks' own default rules,
//! which Oversight neither embeds nor fetches, and `path` would make one
//! config read others behind the reviewer's back. Composite rules
//! (`[[rules.required]]`) are refused as not supported yet.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::bytes::{Regex as BytesRegex, RegexBuilder as BytesRegexBuilder};
use serde::Deserialize;
use toml::Spanned;

/// Why a secrets config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("Cannot read secrets config {path}")]
    Read {
        /// The file.
        path: String,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid gitleaks config.
    #[error("{}", describe(origin, rule.as_deref(), *line, message))]
    Invalid {
        /// Where the config came from (a path or `builtin`).
        origin: String,
        /// The gitleaks id of the rule at fault, when there is one.
        rule: Option<String>,
        /// The 1-based line of the problem, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

fn describe(origin: &str, rule: Option<&str>, line: Option<usize>, message: &str) -> String {
    let mut s = origin.to_owned();
    if let Some(line) = line {
        s.push_str(&format!(":{line}"));
    }
    if let Some(rule) = rule {
        s.push_str(&format!(": rule `{rule}`"));
    }
    s.push_str(": ");
    s.push_str(message);
    s
}

impl ConfigError {
    /// The rule the error is about, when there is one.
    pub fn rule(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { rule, .. } => rule.as_deref(),
            ConfigError::Read { .. } => None,
        }
    }

    /// The 1-based line the error is about, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Invalid { line, .. } => *line,
            ConfigError::Read { .. } => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    #[serde(rename = "minVersion", alias = "minversion")]
    _min_version: Option<String>,
    extend: Option<Spanned<RawExtend>>,
    #[serde(default)]
    rules: Vec<RawRule>,
    allowlist: Option<Spanned<RawAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<RawAllowlist>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtend {
    path: Option<String>,
    url: Option<String>,
    #[serde(rename = "useDefault", alias = "usedefault")]
    use_default: Option<bool>,
    #[serde(rename = "disabledRules", alias = "disabledrules", default)]
    _disabled_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<Spanned<String>>,
    description: Option<String>,
    regex: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    #[serde(rename = "secretGroup", alias = "secretgroup")]
    secret_group: Option<Spanned<i64>>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    allowlist: Option<Spanned<RawAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<RawAllowlist>>,
    #[serde(default)]
    required: Vec<Spanned<toml::Value>>,
    #[serde(rename = "skipReport", alias = "skipreport")]
    skip_report: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowlist {
    description: Option<String>,
    condition: Option<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(rename = "regexTarget", alias = "regextarget")]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default, alias = "stopWords", alias = "stopWords")]
    stopwords: Vec<String>,
    #[serde(rename = "targetRules", alias = "targetrules", default)]
    target_rules: Vec<String>,
}

/// A loose view of the file, used only to name the rule an error is in.
#[derive(Deserialize)]
struct LooseConfig {
    #[serde(default)]
    rules: Vec<LooseRule>,
}

#[derive(Deserialize)]
struct LooseRule {
    id: Option<String>,
}

/// What a rule's allowlist regexes are tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegexTarget {
    /// The secret (the default).
    Secret,
    /// The whole regex match.
    Match,
    /// The line(s) of the match.
    Line,
}

/// A compiled allowlist.
#[derive(Debug)]
pub(crate) struct Allowlist {
    pub(crate) and: bool,
    pub(crate) commits: Vec<String>,
    pub(crate) paths: Vec<regex::Regex>,
    pub(crate) target: RegexTarget,
    pub(crate) regexes: Vec<BytesRegex>,
    /// Lower-cased.
    pub(crate) stopwords: Vec<String>,
}

impl Allowlist {
    /// Whether the path of a file is allowed by this allowlist alone (the
    /// file-level check of gitleaks' `checkCommitOrPathAllowed`; we have no
    /// commit).
    pub(crate) fn allows_path(&self, paths: &[&str]) -> bool {
        let path_ok = self.path_matches(paths);
        if self.and {
            if !self.regexes.is_empty() || !self.stopwords.is_empty() {
                return false;
            }
            // Commits never match: there is no commit in a file scan.
            self.commits.is_empty() && (self.paths.is_empty() || path_ok)
        } else {
            path_ok
        }
    }

    fn path_matches(&self, paths: &[&str]) -> bool {
        paths
            .iter()
            .any(|p| !p.is_empty() && self.paths.iter().any(|r| r.is_match(p)))
    }

    /// Whether a finding is allowed (gitleaks' `checkFindingAllowed`).
    pub(crate) fn allows_finding(
        &self,
        secret: &[u8],
        matched: &[u8],
        line: &[u8],
        paths: &[&str],
    ) -> bool {
        let target = match self.target {
            RegexTarget::Secret => secret,
            RegexTarget::Match => matched,
            RegexTarget::Line => line,
        };
        let regex_ok = !target.is_empty() && self.regexes.iter().any(|r| r.is_match(target));
        let stop_ok = self.contains_stopword(secret);
        if self.and {
            let mut checks = Vec::new();
            if !self.commits.is_empty() {
                checks.push(false);
            }
            if !self.paths.is_empty() {
                checks.push(self.path_matches(paths));
            }
            if !self.regexes.is_empty() {
                checks.push(regex_ok);
            }
            if !self.stopwords.is_empty() {
                checks.push(stop_ok);
            }
            checks.iter().all(|c| *c)
        } else {
            regex_ok || stop_ok
        }
    }

    fn contains_stopword(&self, secret: &[u8]) -> bool {
        if secret.is_empty() || self.stopwords.is_empty() {
            return false;
        }
        let lower = String::from_utf8_lossy(secret).to_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// One validated, compiled gitleaks rule.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    /// The gitleaks id as written.
    pub(crate) gitleaks_id: String,
    pub(crate) description: String,
    pub(crate) regex: Option<BytesRegex>,
    pub(crate) path: Option<regex::Regex>,
    /// 0: the first non-empty group.
    pub(crate) secret_group: usize,
    /// 0: no threshold.
    pub(crate) entropy: f64,
    /// Lower-cased.
    pub(crate) keywords: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) allowlists: Vec<Allowlist>,
    pub(crate) skip_report: bool,
    /// Whether a match can span lines (private key blocks), so the rule must
    /// see the whole window rather than the lines around its keyword.
    pub(crate) multiline: bool,
}

impl CompiledRule {
    /// Whether the rule is marked (built-in tag `binary`) as meaningful in
    /// binary files.
    pub(crate) fn binary(&self) -> bool {
        self.tags.iter().any(|t| t == "binary")
    }

    /// Whether the rule is marked critical (tag `critical`), or names a
    /// private key.
    pub(crate) fn critical(&self) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case("critical"))
            || self.gitleaks_id.contains("private-key")
    }
}

/// A validated config: its rules and global allowlists.
#[derive(Debug)]
pub(crate) struct RuleSet {
    pub(crate) title: Option<String>,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) allowlists: Vec<Allowlist>,
}

/// Size limits for compiled regexes: generous for gitleaks' large allowlist
/// alternations, bounded so a hostile config cannot take all memory.
const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// Compiles a Go RE2 pattern for byte input.
///
/// RE2 and the `regex` crate share most syntax. RE2 classes such as `\w`,
/// `\s` and `\b` are ASCII-only; Unicode mode is therefore switched off,
/// which also lets the regex run on invalid UTF-8. Patterns that need
/// Unicode (`\p{L}`) are retried with it on.
pub(crate) fn compile_bytes(pattern: &str) -> Result<BytesRegex, String> {
    let translated = translate_go(pattern);
    let build = |unicode: bool| {
        BytesRegexBuilder::new(&translated)
            .unicode(unicode)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
    };
    match build(false) {
        Ok(r) => Ok(r),
        Err(first) => build(true).map_err(|_| first.to_string()),
    }
}

fn compile_path(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(&translate_go(pattern))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

/// Rewrites the few RE2 constructs the `regex` crate reads differently:
/// `\Q…\E` literal quoting, `\C` (any byte), and a `{` that does not start
/// a repetition (a literal in RE2, an error here).
fn translate_go(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('Q') if !in_class => {
                    let mut literal = String::new();
                    i += 2;
                    while i < chars.len() {
                        if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                            i += 2;
                            break;
                        }
                        literal.push(chars[i]);
                        i += 1;
                    }
                    out.push_str(&regex::escape(&literal));
                    continue;
                }
                Some('C') if !in_class => out.push_str("(?s-u:.)"),
                Some(&other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
            i += 2;
            continue;
        }
        if in_class {
            if c == ']'
                && !(chars.get(i - 1) == Some(&'[')
                    || (chars.get(i - 1) == Some(&'^')
                        && chars.get(i.wrapping_sub(2)) == Some(&'[')))
            {
                in_class = false;
            }
            out.push(c);
        } else if c == '[' {
            in_class = true;
            out.push(c);
            // A leading `]` (after an optional `^`) is a literal member.
            if chars.get(i + 1) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if chars.get(i + 1) == Some(&']') {
                out.push_str("\\]");
                i += 1;
            }
        } else if c == '{' && !is_repetition(&chars[i..]) {
            out.push_str("\\{");
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Whether `s` starts with `{n}`, `{n,}` or `{n,m}`.
fn is_repetition(s: &[char]) -> bool {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if s.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    s.get(i) == Some(&'}')
}

/// Parses and validates a gitleaks config.
pub(crate) fn parse(text: &str, origin: &str) -> Result<RuleSet, ConfigError> {
    let err =
        |rule: Option<String>, span: Option<Range<usize>>, message: String| ConfigError::Invalid {
            origin: origin.to_owned(),
            rule,
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span();
            let rule = span.as_ref().and_then(|s| rule_at(text, s.start));
            return Err(err(rule, span, e.message().trim().to_owned()));
        }
    };

    if let Some(extend) = &raw.extend {
        let span = Some(extend.span());
        let extend = extend.get_ref();
        if extend.use_default == Some(true) {
            return Err(err(
                None,
                span,
                "[extend] useDefault is not supported: Oversight never fetches or embeds \
                 gitleaks' default rules; copy the rules you want into this file"
                    .into(),
            ));
        }
        if extend.path.is_some() || extend.url.is_some() {
            return Err(err(
                None,
                span,
                "[extend] path/url is not supported: a config is one self-contained file".into(),
            ));
        }
    }

    let mut rules = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for raw_rule in raw.rules {
        let id_span = raw_rule.id.as_ref().map(Spanned::span);
        let id = raw_rule
            .id
            .as_ref()
            .map(|s| s.get_ref().trim().to_owned())
            .unwrap_or_default();
        let regex_span = raw_rule.regex.as_ref().map(Spanned::span);
        if id.is_empty() {
            let context = match (&raw_rule.regex, &raw_rule.path, &raw_rule.description) {
                (Some(r), _, _) => format!(", regex: {}", r.get_ref()),
                (None, Some(p), _) => format!(", path: {}", p.get_ref()),
                (None, None, Some(d)) => format!(", description: {d}"),
                _ => String::new(),
            };
            return Err(err(
                None,
                regex_span.or(id_span),
                format!("rule |id| is missing or empty{context}"),
            ));
        }
        let rid = Some(id.clone());
        let regex = match &raw_rule.regex {
            Some(r) if !r.get_ref().is_empty() => Some(
                compile_bytes(r.get_ref())
                    .map_err(|e| err(rid.clone(), Some(r.span()), format!("invalid regex: {e}")))?,
            ),
            _ => None,
        };
        let path = match &raw_rule.path {
            Some(p) if !p.get_ref().is_empty() => Some(compile_path(p.get_ref()).map_err(|e| {
                err(
                    rid.clone(),
                    Some(p.span()),
                    format!("invalid path regex: {e}"),
                )
            })?),
            _ => None,
        };
        if regex.is_none() && path.is_none() {
            return Err(err(
                rid,
                id_span,
                "both |regex| and |path| are empty, this rule will have no effect".into(),
            ));
        }
        let secret_group = match &raw_rule.secret_group {
            None => 0,
            Some(g) => {
                let groups = regex.as_ref().map_or(0, |r| r.captures_len() - 1);
                let value = *g.get_ref();
                if value < 0 || (regex.is_some() && value as usize > groups) {
                    return Err(err(
                        rid,
                        Some(g.span()),
                        format!(
                            "invalid regex secret group {value}, max regex secret group {groups}"
                        ),
                    ));
                }
                value as usize
            }
        };
        if let Some(first) = raw_rule.required.first() {
            return Err(err(
                rid,
                Some(first.span()),
                "composite rules ([[rules.required]]) are not supported yet".into(),
            ));
        }
        if raw_rule.allowlist.is_some() && !raw_rule.allowlists.is_empty() {
            return Err(err(
                rid,
                raw_rule.allowlist.as_ref().map(Spanned::span),
                "[rules.allowlist] is deprecated, it cannot be used alongside [[rules.allowlists]]"
                    .into(),
            ));
        }
        let mut allowlists = Vec::new();
        for a in raw_rule.allowlist.iter().chain(raw_rule.allowlists.iter()) {
            if !a.get_ref().target_rules.is_empty() {
                return Err(err(
                    rid,
                    Some(a.span()),
                    "targetRules is only valid in a global [[allowlists]]".into(),
                ));
            }
            allowlists.push(compile_allowlist(a.get_ref()).map_err(|m| {
                err(
                    rid.clone(),
                    Some(a.span()),
                    format!("[[rules.allowlists]] {m}"),
                )
            })?);
        }
        let multiline = regex.as_ref().is_some_and(|r| {
            let src = r.as_str();
            [
                "-----BEGIN",
                "(?s",
                "[\\s\\S]",
                "\\n",
                "\\r",
                "PuTTY-User-Key-File",
            ]
            .iter()
            .any(|m| src.contains(m))
        });
        let rule = CompiledRule {
            multiline,
            gitleaks_id: id.clone(),
            description: raw_rule.description.unwrap_or_default(),
            regex,
            path,
            secret_group,
            entropy: raw_rule.entropy.unwrap_or(0.0),
            keywords: raw_rule.keywords.iter().map(|k| k.to_lowercase()).collect(),
            tags: raw_rule.tags,
            allowlists,
            skip_report: raw_rule.skip_report.unwrap_or(false),
        };
        // As in gitleaks (a map by id), a later rule with the same id replaces
        // the earlier one.
        match ids.get(&id) {
            Some(&at) => rules[at] = rule,
            None => {
                ids.insert(id, rules.len());
                rules.push(rule);
            }
        }
    }

    if raw.allowlist.is_some() && !raw.allowlists.is_empty() {
        return Err(err(
            None,
            raw.allowlist.as_ref().map(Spanned::span),
            "[allowlist] is deprecated, it cannot be used alongside [[allowlists]]".into(),
        ));
    }
    let mut allowlists = Vec::new();
    for a in raw.allowlist.iter().chain(raw.allowlists.iter()) {
        let compiled = compile_allowlist(a.get_ref())
            .map_err(|m| err(None, Some(a.span()), format!("[[allowlists]] {m}")))?;
        let targets = &a.get_ref().target_rules;
        if targets.is_empty() {
            allowlists.push(compiled);
            continue;
        }
        for target in targets {
            if !ids.contains_key(target) {
                return Err(err(
                    None,
                    Some(a.span()),
                    format!("[[allowlists]] target rule ID '{target}' does not exist"),
                ));
            }
        }
        // One compiled copy per target rule (regexes are cheap to clone).
        for target in targets {
            let at = ids[target];
            rules[at].allowlists.push(
                compile_allowlist(a.get_ref())
                    .map_err(|m| err(None, Some(a.span()), format!("[[allowlists]] {m}")))?,
            );
        }
    }
    let _ = raw.description;
    Ok(RuleSet {
        title: raw.title,
        rules,
        allowlists,
    })
}

fn compile_allowlist(a: &RawAllowlist) -> Result<Allowlist, String> {
    let and = match a.condition.as_deref().map(str::to_uppercase).as_deref() {
        None | Some("") | Some("OR") | Some("||") => false,
        Some("AND") | Some("&&") => true,
        Some(_) => {
            return Err(format!(
                "unknown allowlist |condition| '{}' (expected 'and', 'or')",
                a.condition.as_deref().unwrap_or_default()
            ));
        }
    };
    let target = match a.regex_target.as_deref() {
        None | Some("") | Some("secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(format!(
                "unknown allowlist |regexTarget| '{other}' (expected 'match', 'line')"
            ));
        }
    };
    if a.commits.is_empty() && a.paths.is_empty() && a.regexes.is_empty() && a.stopwords.is_empty()
    {
        return Err(
            "must contain at least one check for: commits, paths, regexes, or stopwords".into(),
        );
    }
    let regexes = a
        .regexes
        .iter()
        .map(|r| compile_bytes(r).map_err(|e| format!("invalid regex `{r}`: {e}")))
        .collect::<Result<_, _>>()?;
    let paths = a
        .paths
        .iter()
        .map(|r| compile_path(r).map_err(|e| format!("invalid path regex `{r}`: {e}")))
        .collect::<Result<_, _>>()?;
    let _ = &a.description;
    Ok(Allowlist {
        and,
        commits: a.commits.iter().map(|c| c.trim().to_lowercase()).collect(),
        paths,
        target,
        regexes,
        stopwords: a.stopwords.iter().map(|s| s.to_lowercase()).collect(),
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The id of the `[[rules]]` table an offset lies in, found by counting
/// `[[rules]]` headers before it and reading ids loosely.
fn rule_at(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let mut index = None;
    let mut count = 0usize;
    let mut in_rule = false;
    for line in before.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            let header: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            if header.starts_with("[[rules]]") {
                count += 1;
                in_rule = true;
                index = Some(count - 1);
            } else if !header.starts_with("[rules.") && !header.starts_with("[[rules.") {
                in_rule = false;
            }
        }
    }
    if !in_rule {
        return None;
    }
    let loose: LooseConfig = toml::from_str(text).ok()?;
    loose.rules.get(index?)?.id.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_rule_and_line() {
        let text = "[[rules]]\nid = \"a\"\nregex = 'x'\n\n[[rules]]\nid = \"b\"\nregex = 'y'\nkeywrods = [\"y\"]\n";
        let e = parse(text, "t.toml").unwrap_err();
        assert_eq!(e.rule(), Some("b"), "{e}");
        assert_eq!(e.line(), Some(8), "{e}");
        assert!(e.to_string().contains("keywrods"), "{e}");
    }

    #[test]
    fn invalid_regex_names_the_rule() {
        let e = parse("[[rules]]\nid = \"bad\"\nregex = '(unclosed'\n", "t.toml").unwrap_err();
        assert_eq!(e.rule(), Some("bad"));
        assert_eq!(e.line(), Some(3));
    }

    #[test]
    fn go_quoting_is_translated() {
        let r = compile_bytes(r"\Qa.b\E+").unwrap();
        assert!(r.is_match(b"a.bbb"));
        assert!(!r.is_match(b"axb"));
        assert!(compile_bytes(r"\z").is_ok());
        let r = compile_bytes(r"\$?{{[^}]+}}").unwrap();
        assert!(r.is_match(b"${{ secrets.X }}"));
        assert!(compile_bytes(r"[]a]{2,}x{3}").unwrap().is_match(b"]axxx"));
    }
}
