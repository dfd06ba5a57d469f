//! Parses a file, evaluates it and matches the facts against the rules.

use std::collections::HashSet;
use std::time::Instant;

use oversight_detect::{Emit, visible_snippet};
use regex::RegexSet;
use tree_sitter::Parser;

use crate::eval::{self, CallFact, Facts, HOLE, StringFact};
use crate::hooks::HookSite;
use crate::lang::Lang;
use crate::rules::{Condition, DECODED, RuleSet, context};

/// How many times a decoded payload is parsed again.
const MAX_NESTING: usize = 2;

/// Precompiled parts of a rule set.
#[derive(Debug)]
pub(crate) struct Matcher {
    /// The string rules' patterns, to test each string once.
    strings: RegexSet,
    /// Index into the rule set of each pattern of `strings`.
    string_rules: Vec<usize>,
}

impl Matcher {
    pub(crate) fn new(set: &RuleSet) -> Matcher {
        let mut patterns = Vec::new();
        let mut string_rules = Vec::new();
        for (i, r) in set.rules.iter().enumerate() {
            if let Condition::String { pattern, .. } = &r.condition {
                patterns.push(pattern.as_str().to_owned());
                string_rules.push(i);
            }
        }
        let strings = RegexSet::new(&patterns)
            .expect("each pattern compiled alone when the rules were loaded");
        Matcher {
            strings,
            string_rules,
        }
    }

    /// Every finding of the rule set on one file; `hook` is the install
    /// hook that runs it, when the cross-file pass found one.
    #[expect(
        clippy::too_many_arguments,
        reason = "one file's path, name, language, content, budget and hook"
    )]
    pub(crate) fn check(
        &self,
        set: &RuleSet,
        path: &str,
        file_name: &str,
        lang: Option<Lang>,
        content: &[u8],
        deadline: Instant,
        hook: Option<&HookSite>,
    ) -> Vec<Emit> {
        let mut facts = Facts::default();
        let lower_name = file_name.to_ascii_lowercase();
        let mut file_ctx = 0;
        if matches!(
            lower_name.as_str(),
            "setup.py" | "extconf.rb" | "mkrf_conf.rb"
        ) || lower_name.ends_with(".gemspec")
            // The scripts npm lifecycle hooks conventionally run.
            || ["preinstall.", "postinstall."]
                .iter()
                .any(|p| lower_name.starts_with(p) && (lower_name.ends_with(".js") || lower_name.ends_with(".cjs") || lower_name.ends_with(".mjs")))
        {
            file_ctx |= context::INSTALL;
        }
        if hook.is_some() {
            file_ctx |= context::INSTALL;
        }
        if let Some(lang) = lang {
            analyse_source(
                set, lang, file_name, content, file_ctx, deadline, 0, &mut facts, None,
            );
        }
        if lower_name == "package.json" {
            npm_scripts(set, content, deadline, &mut facts);
        }
        let mut out = Out::new(content);
        // package.json's facts are those of its shell scripts.
        let effective = lang.or((lower_name == "package.json").then_some(Lang::Shell));
        self.match_facts(set, path, effective, content, &facts, &mut out);
        if let Some((line, reason)) = &facts.incomplete {
            out.emit(
                &crate::PARSE_LIMIT,
                *line,
                1,
                format!("The behaviour analysis of `{path}` is incomplete from line {line}: {reason}; the line rules still ran"),
            );
        }
        if let Some(hook) = hook {
            mark_install_time(&mut out, hook);
        }
        out.emits
    }

    fn match_facts(
        &self,
        set: &RuleSet,
        path: &str,
        lang: Option<Lang>,
        content: &[u8],
        facts: &Facts,
        out: &mut Out<'_>,
    ) {
        let applicable: Vec<bool> = set.rules.iter().map(|r| r.applies(lang, path)).collect();
        let text = String::from_utf8_lossy(content);
        for (i, rule) in set.rules.iter().enumerate() {
            if !applicable[i] {
                continue;
            }
            if let Some(re) = &rule.file_has
                && !re.is_match(&text)
            {
                continue;
            }
            if let Some(re) = &rule.file_lacks
                && re.is_match(&text)
            {
                continue;
            }
            if let Some(calls) = &rule.file_calls {
                let Some(l) = lang else { continue };
                if !facts.calls.iter().any(|c| calls.contains(l, &c.name)) {
                    continue;
                }
            }
            match &rule.condition {
                Condition::Call {
                    calls,
                    arg_taint,
                    arg_text,
                    context,
                } => {
                    let Some(l) = lang else { continue };
                    for call in &facts.calls {
                        if !calls.contains(l, &call.name) {
                            continue;
                        }
                        if *context != 0 && call.ctx & context == 0 {
                            continue;
                        }
                        let tainted: Vec<&eval::Value> = if *arg_taint == 0 {
                            Vec::new()
                        } else {
                            call.args
                                .iter()
                                .filter(|a| a.taint & arg_taint != 0)
                                .collect()
                        };
                        if *arg_taint != 0 && tainted.is_empty() {
                            continue;
                        }
                        let matched_text = match arg_text {
                            None => None,
                            Some(re) => match call
                                .args
                                .iter()
                                .find_map(|a| a.flat_text().filter(|t| re.is_match(t)))
                            {
                                Some(t) => Some(t),
                                None => continue,
                            },
                        };
                        let taint = tainted.iter().fold(0, |m, a| m | a.taint) & arg_taint;
                        let mut origins: Vec<u32> = tainted
                            .iter()
                            .flat_map(|a| a.origins.iter().copied())
                            .collect();
                        origins.sort_unstable();
                        origins.dedup();
                        let message = render(
                            &rule.message,
                            call,
                            &set.apis.describe(taint),
                            matched_text.as_deref(),
                            &origins,
                        );
                        out.emit(rule.rule, call.line, call.col, message.clone());
                        for o in origins.iter().filter(|o| **o != call.line) {
                            out.emit(
                                rule.rule,
                                *o,
                                1,
                                format!("{message} (this line is where the data comes from; it is used at line {})", call.line),
                            );
                        }
                    }
                }
                Condition::String {
                    derived_only,
                    decoded_only,
                    unless,
                    ..
                } => {
                    for s in &facts.strings {
                        if (*derived_only && !s.derived) || (*decoded_only && !s.hidden) {
                            continue;
                        }
                        if !self.string_matches(i, s)
                            || unless.as_ref().is_some_and(|u| u.is_match(&s.text))
                        {
                            continue;
                        }
                        let message = render_string(&rule.message, s);
                        out.emit(rule.rule, s.line, s.col, message);
                    }
                }
                Condition::Line { pattern, unless } => {
                    for (n, line) in text.lines().enumerate() {
                        if line.len() > 4096 {
                            continue;
                        }
                        if let Some(m) = pattern.find(line)
                            && !unless.as_ref().is_some_and(|u| u.is_match(line))
                        {
                            let excerpt = visible_snippet(m.as_str().as_bytes(), 80);
                            let message = rule.message.replace("{text}", &excerpt);
                            out.emit(
                                rule.rule,
                                u32::try_from(n + 1).unwrap_or(u32::MAX),
                                u32::try_from(m.start() + 1).unwrap_or(1),
                                message,
                            );
                        }
                    }
                }
            }
        }
    }

    fn string_matches(&self, rule_index: usize, s: &StringFact) -> bool {
        // One RegexSet pass per string would be faster for many rules; the
        // set is small enough that a per-rule position lookup suffices.
        let Some(pos) = self.string_rules.iter().position(|r| *r == rule_index) else {
            return false;
        };
        let text = s.text.replace(HOLE, " ");
        self.strings.matches(&text).matched(pos)
    }
}

/// Findings in a file an install hook runs: each names the hook, and each
/// line with a `malicious` finding of medium or above gets a high
/// `malicious.install-hook-behaviour` finding (the behaviour runs on every
/// install).
fn mark_install_time(out: &mut Out<'_>, hook: &HookSite) {
    let mut raised = Vec::new();
    for emit in &mut out.emits {
        if emit.rule.category != oversight_model::Category::Malicious {
            continue;
        }
        // The install-time rules already weigh the install context.
        if emit.rule.default_severity == oversight_model::Severity::Medium
            && !emit.rule.id.starts_with("malicious.install-time-")
            && let Some((line, col)) = emit.line_col
        {
            raised.push((line, col, emit.rule.id, emit.message.clone()));
        }
        emit.message = format!("{} (this file runs at install time: {hook})", emit.message);
    }
    for (line, col, rule, message) in raised {
        out.emit(
            &crate::INSTALL_HOOK_BEHAVIOUR,
            line,
            col,
            format!(
                "This file runs on every install ({hook}), so this `{rule}` finding is raised to high: {message}"
            ),
        );
    }
}

/// Collects emits, one per rule and line.
struct Out<'a> {
    content: &'a [u8],
    line_starts: Vec<usize>,
    seen: HashSet<(&'static str, u32)>,
    emits: Vec<Emit>,
}

impl<'a> Out<'a> {
    fn new(content: &'a [u8]) -> Out<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_lines(content));
        Out {
            content,
            line_starts,
            seen: HashSet::new(),
            emits: Vec::new(),
        }
    }

    fn line_bytes(&self, line: u32) -> &'a [u8] {
        let i = (line as usize).saturating_sub(1);
        let start = self
            .line_starts
            .get(i)
            .copied()
            .unwrap_or(self.content.len());
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.content.len(), |e| e.saturating_sub(1));
        let end = end.min(start + 512).min(self.content.len());
        &self.content[start.min(end)..end]
    }

    fn emit(&mut self, rule: &'static oversight_model::Rule, line: u32, col: u32, message: String) {
        if !self.seen.insert((rule.id, line)) || self.emits.len() > 500 {
            return;
        }
        let bytes = self.line_bytes(line);
        let mut key = rule.id.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(bytes.trim_ascii());
        self.emits.push(
            Emit::at(rule, (line, col), message, key).with_snippet(visible_snippet(bytes, 160)),
        );
    }
}

fn memchr_lines(content: &[u8]) -> impl Iterator<Item = usize> + '_ {
    content
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

fn short(text: &str) -> String {
    visible_snippet(text.replace(HOLE, "…").as_bytes(), 80)
}

fn render(
    template: &str,
    call: &CallFact,
    taint: &str,
    text: Option<&str>,
    origins: &[u32],
) -> String {
    let from = if origins.is_empty() {
        "this line".to_owned()
    } else {
        let lines: Vec<String> = origins.iter().map(u32::to_string).collect();
        format!("line {}", lines.join(", "))
    };
    template
        .replace("{call}", &call.name)
        .replace("{taint}", taint)
        .replace("{text}", &text.map(short).unwrap_or_default())
        .replace("{from}", &from)
}

fn render_string(template: &str, s: &StringFact) -> String {
    template
        .replace("{text}", &short(&s.text))
        .replace("{call}", "")
        .replace("{taint}", "")
        .replace("{from}", "")
}

/// Parses `content` as `lang` and adds what the evaluator finds to `facts`.
/// A decoded payload that is executed is parsed again (bounded) and its
/// facts are placed on the line of the executor.
#[expect(
    clippy::too_many_arguments,
    reason = "the recursion carries the whole context of one file"
)]
fn analyse_source(
    set: &RuleSet,
    lang: Lang,
    file_name: &str,
    content: &[u8],
    file_ctx: u32,
    deadline: Instant,
    nesting: usize,
    facts: &mut Facts,
    at_line: Option<u32>,
) {
    let Some(grammar) = lang.grammar(file_name) else {
        return;
    };
    let mut parser = Parser::new();
    if parser.set_language(&grammar).is_err() {
        facts.incomplete.get_or_insert((
            1,
            format!("the {} grammar could not be loaded", lang.name()),
        ));
        return;
    }
    let len = content.len();
    let mut timed_out = |_: &tree_sitter::ParseState| Instant::now() > deadline;
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut timed_out);
    let tree = parser.parse_with_options(
        &mut |i, _| if i < len { &content[i..] } else { &[] },
        None,
        Some(options),
    );
    let Some(tree) = tree else {
        facts.incomplete.get_or_insert((
            at_line.unwrap_or(1),
            "parsing ran out of its time budget".to_owned(),
        ));
        return;
    };
    let root = tree.root_node();
    let mut found = eval::evaluate(lang, content, root, &set.apis, file_ctx, deadline);
    if nesting == 0 && root.has_error() && found.incomplete.is_none() {
        let (line, errors) = first_error(root);
        // A few recovered errors are normal (newer syntax than the grammar);
        // many mean that much of the file was not understood.
        if errors * 20 > root.descendant_count().max(1) {
            found.incomplete = Some((
                line,
                format!(
                    "the {} grammar could not parse much of the file (first error here)",
                    lang.name()
                ),
            ));
        }
    }
    if let Some(line) = at_line {
        for c in &mut found.calls {
            c.line = line;
            // The payload's own lines mean nothing in this file.
            for a in &mut c.args {
                if !a.origins.is_empty() {
                    a.origins = vec![line];
                }
            }
        }
        for s in &mut found.strings {
            s.line = line;
            s.derived = true;
            s.hidden = true;
        }
        found.incomplete = None;
    }
    // Decoded payloads that reach an executor are code: read them too.
    let mut nested = Vec::new();
    if nesting < MAX_NESTING {
        let exec = set.apis.capabilities.get("exec");
        for c in &found.calls {
            if !exec.is_some_and(|e| e.contains(lang, &c.name)) {
                continue;
            }
            for a in &c.args {
                if a.taint & DECODED != 0
                    && let Some(t) = a
                        .text
                        .as_deref()
                        .filter(|t| t.len() >= 8 && !t.contains(HOLE))
                {
                    nested.push((t.to_owned(), c.line));
                }
            }
        }
    }
    facts.calls.append(&mut found.calls);
    facts.strings.append(&mut found.strings);
    if facts.incomplete.is_none() {
        facts.incomplete = found.incomplete;
    }
    for (code, line) in nested {
        analyse_source(
            set,
            lang,
            file_name,
            code.as_bytes(),
            file_ctx,
            deadline,
            nesting + 1,
            facts,
            Some(line),
        );
    }
}

/// The line of the first grammar error and the number of error nodes.
fn first_error(root: tree_sitter::Node<'_>) -> (u32, usize) {
    let mut cursor = root.walk();
    let mut first = None;
    let mut count = 0;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if !n.has_error() {
            continue;
        }
        if n.is_error() || n.is_missing() {
            count += 1;
            let line = u32::try_from(n.start_position().row + 1).unwrap_or(u32::MAX);
            first = Some(first.map_or(line, |f: u32| f.min(line)));
            continue;
        }
        stack.extend(n.children(&mut cursor));
    }
    (first.unwrap_or(1), count)
}

/// npm lifecycle scripts run at install time: each is read as shell code.
fn npm_scripts(set: &RuleSet, content: &[u8], deadline: Instant, facts: &mut Facts) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(content) else {
        return;
    };
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    let text = String::from_utf8_lossy(content);
    for hook in [
        "preinstall",
        "install",
        "postinstall",
        "prepare",
        "preuninstall",
        "postuninstall",
        "prepublish",
    ] {
        let Some(script) = scripts.get(hook).and_then(|s| s.as_str()) else {
            continue;
        };
        let needle = format!("\"{hook}\"");
        let line = text.find(&needle).map_or(1, |o| {
            u32::try_from(text[..o].matches('\n').count() + 1).unwrap_or(1)
        });
        let mut found = Facts::default();
        analyse_source(
            set,
            Lang::Shell,
            "script.sh",
            script.as_bytes(),
            context::INSTALL,
            deadline,
            0,
            &mut found,
            Some(line),
        );
        for c in &mut found.calls {
            c.ctx |= context::INSTALL;
        }
        facts.calls.append(&mut found.calls);
        facts.strings.append(&mut found.strings);
    }
}
