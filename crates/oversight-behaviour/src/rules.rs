//! The rule files: their format, loading and validation.
//!
//! A rule set is a directory of TOML files. `apis.toml` (optional in a
//! reviewer's directory, always present in the built-in set) names what the
//! code can do: *capabilities* (`exec`, `shell`, `network`, …) as lists of
//! canonical call names per language, and *taints* (`decoded`,
//! `downloaded`, `sensitive-file`, …) with the calls and names that produce
//! them. Every other file holds `[[rule]]` tables: one behaviour each, with
//! its own id, severity, message, class and reference, one condition and
//! positive and negative samples. The format is documented in
//! `rules/README.md` beside the built-in rules.
//!
//! Loading is all or nothing: the first problem in any file is an error
//! naming the file, the rule and the line, and no rule set is returned.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use oversight_model::{Category, Rule, Severity};
use regex::Regex;
use serde::Deserialize;

use crate::lang::Lang;

/// Why a rule set could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// A file or directory could not be read.
    #[error("Cannot read the rule file or directory {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid TOML or does not have the rule-file shape.
    #[error("Rule file {}, line {line}: {reason}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// One rule is invalid.
    #[error("Rule file {}, line {line}, rule `{rule}`: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line where the rule starts.
        line: usize,
        /// The rule id (or `?` when it has none).
        rule: String,
        /// What is wrong.
        reason: String,
    },
}

/// Taint bits every set has because the engine itself produces them.
pub(crate) const DECODED: u32 = 1 << 0;
/// A string assembled from character codes, reversed or joined pieces.
pub(crate) const OBFUSCATED: u32 = 1 << 1;

const BUILTIN_TAINTS: [&str; 2] = ["decoded", "obfuscated"];

/// Where a call happens, as rule conditions name it.
pub(crate) mod context {
    /// Module level: runs on import or require.
    pub(crate) const IMPORT: u32 = 1 << 0;
    /// Runs at install time (setup.py, install command classes, extconf.rb, gemspec, npm scripts).
    pub(crate) const INSTALL: u32 = 1 << 1;
    /// A Go `init()` function.
    pub(crate) const INIT: u32 = 1 << 2;
    /// Names as rule files write them.
    pub(crate) const NAMES: [(&str, u32); 3] =
        [("import", IMPORT), ("install", INSTALL), ("init", INIT)];
}

/// A set of canonical call names for one language: exact names, prefixes
/// (`child_process.*`) and method names on any receiver (`.instance_eval`).
#[derive(Debug, Default, Clone)]
pub(crate) struct NameSet {
    exact: HashSet<String>,
    prefixes: Vec<String>,
}

impl NameSet {
    fn add(&mut self, name: &str) {
        if let Some(prefix) = name.strip_suffix('*') {
            self.prefixes.push(prefix.to_owned());
        } else {
            self.exact.insert(name.to_owned());
        }
    }

    fn extend(&mut self, other: &NameSet) {
        self.exact.extend(other.exact.iter().cloned());
        self.prefixes.extend(other.prefixes.iter().cloned());
    }

    /// Whether `name` (a canonical name, or `.method` for a method on an
    /// unknown receiver) is in the set. A set entry `.m` also matches any
    /// canonical name ending in `.m`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        if self.exact.contains(name) {
            return true;
        }
        if let Some(dot) = name.rfind('.')
            && dot > 0
            && self.exact.contains(&name[dot..])
        {
            return true;
        }
        self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.prefixes.is_empty()
    }
}

/// Names per language; `any` entries apply to every language.
#[derive(Debug, Default, Clone)]
pub(crate) struct LangNames {
    per_lang: HashMap<Lang, NameSet>,
}

impl LangNames {
    pub(crate) fn contains(&self, lang: Lang, name: &str) -> bool {
        self.per_lang.get(&lang).is_some_and(|s| s.contains(name))
    }

    fn is_empty(&self) -> bool {
        self.per_lang.values().all(NameSet::is_empty)
    }
}

/// One way a value becomes tainted: calling one of `calls`, or naming one
/// of `names`, optionally only when an argument's folded text matches.
#[derive(Debug, Clone)]
pub(crate) struct TaintSource {
    pub(crate) bit: u32,
    pub(crate) calls: LangNames,
    pub(crate) names: LangNames,
    pub(crate) arg_text: Option<Regex>,
}

/// What the code can do and where taint comes from (`apis.toml`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Apis {
    pub(crate) capabilities: HashMap<String, LangNames>,
    pub(crate) taint_names: Vec<String>,
    pub(crate) sources: Vec<TaintSource>,
}

impl Apis {
    pub(crate) fn taint_bit(&self, name: &str) -> Option<u32> {
        self.taint_names
            .iter()
            .position(|n| n == name)
            .map(|i| 1u32 << i)
    }

    /// The taint names set in `mask`, comma-separated.
    pub(crate) fn describe(&self, mask: u32) -> String {
        let names: Vec<&str> = self
            .taint_names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, n)| n.as_str())
            .collect();
        names.join(", ")
    }
}

/// What a rule looks for.
#[derive(Debug, Clone)]
pub(crate) enum Condition {
    /// A call to one of `calls`, with conditions on its arguments and place.
    Call {
        calls: LangNames,
        arg_taint: u32,
        arg_text: Option<Regex>,
        context: u32,
    },
    /// A string (literal or folded) whose text matches.
    String {
        pattern: Regex,
        derived_only: bool,
        decoded_only: bool,
        unless: Option<Regex>,
    },
    /// A line of text, in parsed and unparsed files alike.
    Line {
        pattern: Regex,
        unless: Option<Regex>,
    },
}

/// A rule's sample, run by the crate's tests.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The file name the sample is scanned as.
    pub path: String,
    /// Whether the rule must fire on it.
    pub positive: bool,
    /// The sample's content.
    pub code: String,
}

/// One behaviour rule, loaded and validated.
#[derive(Debug, Clone)]
pub struct BehaviourRule {
    /// The rule as findings carry it.
    pub rule: &'static Rule,
    /// The behaviour class (`decode-then-exec`, `exfiltration`, …).
    pub class: String,
    /// The public attack or technique the rule describes.
    pub reference: String,
    /// The message template (`{call}`, `{taint}`, `{text}`).
    pub(crate) message: String,
    /// Languages the rule applies to; empty means all.
    pub(crate) languages: Vec<Lang>,
    /// Path conditions: the rule applies only to files whose delivery path
    /// ends with, or contains, one of these (`.github/workflows/`).
    pub(crate) paths: Vec<String>,
    /// File-level requirement: some call of one of these names occurs in the file.
    pub(crate) file_calls: Option<LangNames>,
    /// File-level requirement on the raw text.
    pub(crate) file_has: Option<Regex>,
    /// File-level exclusion: the rule does not apply when the raw text matches.
    pub(crate) file_lacks: Option<Regex>,
    pub(crate) condition: Condition,
    /// Samples the tests run.
    pub samples: Vec<Sample>,
    /// The file the rule came from.
    pub file: PathBuf,
    /// The line where the rule starts.
    pub line: usize,
}

impl BehaviourRule {
    /// Whether the rule applies to a file of language `lang` at `path`.
    pub(crate) fn applies(&self, lang: Option<Lang>, path: &str) -> bool {
        let lang_ok = match lang {
            Some(l) => self.languages.is_empty() || self.languages.contains(&l),
            None => self.languages.is_empty() && matches!(self.condition, Condition::Line { .. }),
        };
        let path_ok = self.paths.is_empty()
            || self
                .paths
                .iter()
                .any(|p| path.ends_with(p.as_str()) || path.contains(p.as_str()));
        lang_ok && path_ok
    }
}

/// A complete, validated rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) apis: Apis,
    pub(crate) rules: Vec<BehaviourRule>,
    pub(crate) model: &'static [&'static Rule],
}

impl RuleSet {
    /// Every rule, in load order.
    pub fn rules(&self) -> &[BehaviourRule] {
        &self.rules
    }
}

// ---------------------------------------------------------------- raw format

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: Option<String>,
    class: Option<String>,
    severity: Option<String>,
    summary: Option<String>,
    message: Option<String>,
    reference: Option<String>,
    help: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    call: Option<Vec<String>>,
    arg_taint: Option<Vec<String>>,
    arg_text: Option<String>,
    #[serde(default)]
    context: Vec<String>,
    string: Option<String>,
    #[serde(default)]
    derived_only: bool,
    #[serde(default)]
    decoded_only: bool,
    line: Option<String>,
    unless: Option<String>,
    file_calls: Option<Vec<String>>,
    file_has: Option<String>,
    file_lacks: Option<String>,
    #[serde(default)]
    sample: Vec<RawSample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSample {
    path: String,
    expect: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApis {
    #[serde(default)]
    capability: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    source: Vec<toml::Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSource {
    taint: String,
    #[serde(default)]
    calls: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    names: BTreeMap<String, Vec<String>>,
    arg_text: Option<String>,
}

// ------------------------------------------------------------------ loading

/// The text of one rule file and the name it is known by.
pub(crate) struct RuleText<'a> {
    pub(crate) path: PathBuf,
    pub(crate) text: std::borrow::Cow<'a, str>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Builds a rule set from `apis.toml` files and rule files; all or nothing.
pub(crate) fn build(texts: &[RuleText<'_>]) -> Result<RuleSet, RuleError> {
    let mut apis = Apis {
        taint_names: BUILTIN_TAINTS.iter().map(|s| (*s).to_owned()).collect(),
        ..Apis::default()
    };
    // apis.toml first, whatever the order of the files, so that rules can
    // name every capability and taint.
    for file in texts.iter().filter(|f| is_apis(&f.path)) {
        load_apis(file, &mut apis)?;
    }
    let mut rules = Vec::new();
    let mut seen: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for file in texts.iter().filter(|f| !is_apis(&f.path)) {
        let raw: RawRuleFile = toml::from_str(&file.text).map_err(|e| RuleError::Syntax {
            path: file.path.clone(),
            line: e.span().map_or(1, |s| line_of(&file.text, s.start)),
            reason: e.message().to_owned(),
        })?;
        for spanned in raw.rule {
            let line = line_of(&file.text, spanned.span().start);
            let rule = validate(spanned.into_inner(), &apis, &file.path, line)?;
            if let Some((other, other_line)) = seen.get(rule.rule.id) {
                return Err(RuleError::Invalid {
                    path: file.path.clone(),
                    line,
                    rule: rule.rule.id.to_owned(),
                    reason: format!(
                        "the id is already used by the rule at {}, line {other_line}",
                        other.display()
                    ),
                });
            }
            seen.insert(rule.rule.id.to_owned(), (file.path.clone(), line));
            rules.push(rule);
        }
    }
    let mut model: Vec<&'static Rule> = rules.iter().map(|r| r.rule).collect();
    model.push(&crate::PARSE_LIMIT);
    model.push(&crate::INSTALL_HOOK_BEHAVIOUR);
    Ok(RuleSet {
        apis,
        rules,
        model: Box::leak(model.into_boxed_slice()),
    })
}

fn is_apis(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "apis.toml")
}

fn parse_langs(
    keys: impl Iterator<Item = String>,
    err: &dyn Fn(String) -> RuleError,
) -> Result<Vec<Option<Lang>>, RuleError> {
    keys.map(|k| {
        if k == "any" {
            Ok(None)
        } else {
            Lang::from_name(&k).map(Some).ok_or_else(|| {
                err(format!(
                    "unknown language `{k}` (known: any, {})",
                    Lang::names()
                ))
            })
        }
    })
    .collect()
}

fn lang_names(
    table: BTreeMap<String, Vec<String>>,
    err: &dyn Fn(String) -> RuleError,
) -> Result<LangNames, RuleError> {
    let mut out = LangNames::default();
    for (key, names) in table {
        let langs = parse_langs(std::iter::once(key), err)?;
        let targets: Vec<Lang> = match langs[0] {
            Some(l) => vec![l],
            None => Lang::ALL.to_vec(),
        };
        for lang in targets {
            let set = out.per_lang.entry(lang).or_default();
            for name in &names {
                set.add(name);
            }
        }
    }
    Ok(out)
}

fn compile(
    pattern: &str,
    what: &str,
    err: &dyn Fn(String) -> RuleError,
) -> Result<Regex, RuleError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(4 << 20)
        .build()
        .map_err(|e| err(format!("`{what}` is not a valid regular expression: {e}")))
}

fn load_apis(file: &RuleText<'_>, apis: &mut Apis) -> Result<(), RuleError> {
    let raw: RawApis = toml::from_str(&file.text).map_err(|e| RuleError::Syntax {
        path: file.path.clone(),
        line: e.span().map_or(1, |s| line_of(&file.text, s.start)),
        reason: e.message().to_owned(),
    })?;
    let at = |name: &str| {
        let line = file
            .text
            .find(&format!(".{name}]"))
            .map_or(1, |o| line_of(&file.text, o));
        let path = file.path.clone();
        let name = name.to_owned();
        move |reason: String| RuleError::Invalid {
            path: path.clone(),
            line,
            rule: name.clone(),
            reason,
        }
    };
    for (name, table) in raw.capability {
        let err = at(&name);
        let names = lang_names(table, &err)?;
        match apis.capabilities.get_mut(&name) {
            Some(existing) => {
                for (lang, set) in names.per_lang {
                    existing.per_lang.entry(lang).or_default().extend(&set);
                }
            }
            None => {
                apis.capabilities.insert(name, names);
            }
        }
    }
    for spanned in raw.source {
        let line = line_of(&file.text, spanned.span().start);
        let raw = spanned.into_inner();
        let name = raw.taint.clone();
        let path = file.path.clone();
        let err = |reason: String| RuleError::Invalid {
            path: path.clone(),
            line,
            rule: format!("source of {name}"),
            reason,
        };
        let bit = match apis.taint_bit(&name) {
            Some(bit) => bit,
            None if apis.taint_names.len() < 32 => {
                apis.taint_names.push(name.clone());
                1 << (apis.taint_names.len() - 1)
            }
            None => return Err(err("more than 32 taints are defined".to_owned())),
        };
        let calls = lang_names(raw.calls, &err)?;
        let names = lang_names(raw.names, &err)?;
        if calls.is_empty() && names.is_empty() {
            return Err(err("a source needs `calls` or `names`".to_owned()));
        }
        let arg_text = raw
            .arg_text
            .as_deref()
            .map(|p| compile(p, "arg-text", &err))
            .transpose()?;
        apis.sources.push(TaintSource {
            bit,
            calls,
            names,
            arg_text,
        });
    }
    Ok(())
}

/// Resolves `@capability` references and plain names into per-language sets.
fn resolve_calls(
    names: &[String],
    apis: &Apis,
    err: &dyn Fn(String) -> RuleError,
) -> Result<LangNames, RuleError> {
    let mut out = LangNames::default();
    for name in names {
        if let Some(cap) = name.strip_prefix('@') {
            let Some(set) = apis.capabilities.get(cap) else {
                let mut known: Vec<&str> = apis.capabilities.keys().map(String::as_str).collect();
                known.sort_unstable();
                return Err(err(format!(
                    "unknown capability `@{cap}` (known: {})",
                    known.join(", ")
                )));
            };
            for (lang, s) in &set.per_lang {
                out.per_lang.entry(*lang).or_default().extend(s);
            }
        } else {
            for lang in Lang::ALL {
                out.per_lang.entry(lang).or_default().add(name);
            }
        }
    }
    Ok(out)
}

fn validate(
    raw: RawRule,
    apis: &Apis,
    path: &Path,
    line: usize,
) -> Result<BehaviourRule, RuleError> {
    let id = raw.id.clone().unwrap_or_else(|| "?".to_owned());
    let err = |reason: String| RuleError::Invalid {
        path: path.to_path_buf(),
        line,
        rule: id.clone(),
        reason,
    };
    let Some(rid) = raw.id else {
        return Err(err("the rule has no `id`".to_owned()));
    };
    let valid_id = rid.strip_prefix("malicious.").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !valid_id {
        return Err(err(
            "the id must be `malicious.` followed by lowercase kebab-case".to_owned(),
        ));
    }
    let required = |v: Option<String>, key: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| err(format!("`{key}` is missing or empty")))
    };
    let class = required(raw.class, "class")?;
    let summary = required(raw.summary, "summary")?;
    let message = required(raw.message, "message")?;
    let reference = required(raw.reference, "reference")?;
    let severity = match required(raw.severity, "severity")?.as_str() {
        "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        other => {
            return Err(err(format!(
                "unknown severity `{other}` (info, low, medium, high, critical)"
            )));
        }
    };
    let languages: Vec<Lang> = parse_langs(raw.languages.into_iter(), &err)?
        .into_iter()
        .flatten()
        .collect();
    let kinds = usize::from(raw.call.is_some())
        + usize::from(raw.string.is_some())
        + usize::from(raw.line.is_some());
    if kinds != 1 {
        return Err(err(
            "a rule needs exactly one of `call`, `string` or `line`".to_owned(),
        ));
    }
    let condition = if let Some(calls) = raw.call {
        let calls = resolve_calls(&calls, apis, &err)?;
        let mut arg_taint = 0;
        for t in raw.arg_taint.unwrap_or_default() {
            arg_taint |= apis.taint_bit(&t).ok_or_else(|| {
                err(format!(
                    "unknown taint `{t}` (known: {})",
                    apis.taint_names.join(", ")
                ))
            })?;
        }
        let mut ctx = 0;
        for c in &raw.context {
            ctx |= context::NAMES
                .iter()
                .find(|(n, _)| n == c)
                .map(|(_, b)| *b)
                .ok_or_else(|| err(format!("unknown context `{c}` (import, install, init)")))?;
        }
        Condition::Call {
            calls,
            arg_taint,
            arg_text: raw
                .arg_text
                .as_deref()
                .map(|p| compile(p, "arg-text", &err))
                .transpose()?,
            context: ctx,
        }
    } else {
        if raw.arg_taint.is_some() || raw.arg_text.is_some() || !raw.context.is_empty() {
            return Err(err(
                "`arg-taint`, `arg-text` and `context` apply only to `call` rules".to_owned(),
            ));
        }
        if let Some(s) = raw.string {
            Condition::String {
                pattern: compile(&s, "string", &err)?,
                derived_only: raw.derived_only,
                decoded_only: raw.decoded_only,
                unless: raw
                    .unless
                    .as_deref()
                    .map(|p| compile(p, "unless", &err))
                    .transpose()?,
            }
        } else {
            let line_re = raw.line.expect("exactly one kind is present");
            Condition::Line {
                pattern: compile(&line_re, "line", &err)?,
                unless: raw
                    .unless
                    .as_deref()
                    .map(|p| compile(p, "unless", &err))
                    .transpose()?,
            }
        }
    };
    let file_calls = raw
        .file_calls
        .as_deref()
        .map(|c| resolve_calls(c, apis, &err))
        .transpose()?;
    let file_has = raw
        .file_has
        .as_deref()
        .map(|p| compile(p, "file-has", &err))
        .transpose()?;
    let file_lacks = raw
        .file_lacks
        .as_deref()
        .map(|p| compile(p, "file-lacks", &err))
        .transpose()?;
    let mut samples = Vec::new();
    for s in raw.sample {
        let positive = match s.expect.as_str() {
            "positive" => true,
            "negative" => false,
            other => {
                return Err(err(format!(
                    "sample `{}`: `expect` is `{other}`, not `positive` or `negative`",
                    s.path
                )));
            }
        };
        samples.push(Sample {
            path: s.path,
            positive,
            code: s.code,
        });
    }
    let help = raw
        .help
        .unwrap_or_else(|| format!("Reference: {reference}."));
    let rule: &'static Rule = Box::leak(Box::new(Rule {
        id: leak(rid),
        category: Category::Malicious,
        default_severity: severity,
        summary: leak(summary),
        help: leak(help),
    }));
    Ok(BehaviourRule {
        rule,
        class,
        reference,
        message,
        languages,
        paths: raw.paths,
        file_calls,
        file_has,
        file_lacks,
        condition,
        samples,
        file: path.to_path_buf(),
        line,
    })
}
