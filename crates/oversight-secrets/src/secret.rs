//! The `secret` detector: credentials in a delivery.
//!
//! **What it detects.** Credentials matched by gitleaks-format rules: the
//! built-in set (cloud keys, source-forge and CI tokens, registry tokens,
//! payment, messaging and AI API keys, database and basic-auth URLs with
//! passwords, JWTs, PEM/OpenSSH/PGP/PuTTY private keys, high-entropy values
//! assigned to names like `password` or `api_key`) or a reviewer-supplied
//! gitleaks config. Secrets inside base64- and percent-encoded strings are
//! found too (see the `decode` module for what triggers decoding). Each
//! finding's rule id is `secret.<gitleaks rule id>`.
//!
//! **Why it matters.** A supplier that ships a live credential (its own cloud
//! key, a token for our test account, a private key) exposes whatever it
//! unlocks to everyone who receives the delivery, and breaches the contract's
//! secure-coding terms (ISO/IEC 27001:2022 A.8.30, A.8.4).
//!
//! **Example.** `aws_access_key_id = AKIA…` in `deploy/config.ini` is reported
//! as `secret.aws-access-key-id` with the evidence
//! `aws_access_key_id = AKIA…[sha256:1f2e3d4c5b6a]`.
//!
//! **How to resolve or accept.** Ask the supplier to revoke the credential
//! (removing it from the files does not help once it was delivered) and to
//! deliver it out of band if it is needed. A finding is never a proof of a live
//! credential: Oversight makes no network call to test it. Waive a test value
//! by fingerprint; the fingerprint binds to the SHA-256 of the secret, so the
//! same value found again elsewhere is recognised.
//!
//! **References.** CWE-798 (use of hard-coded credentials), CWE-312
//! (cleartext storage of sensitive information), CWE-321 (hard-coded
//! cryptographic key).
//!
//! ## Semantics
//!
//! Rules behave as gitleaks v8 documents them, per window instead of per file
//! (windows of large files overlap, see `Window::fresh`): a rule with keywords
//! runs where one of its keywords occurs (ASCII case-insensitively) in the
//! window; the secret is `secretGroup`, else the first non-empty group, else
//! the match; its Shannon entropy must exceed `entropy`; global and rule
//! allowlists by path, regex (on secret, match or line) and stopword then
//! apply. Deliberate differences: `gitleaks:allow` comments are *not* obeyed
//! (the delivery does not configure its own review; the integrity detectors
//! report them); rules without keywords ask for the whole text file (up to
//! [`KEYWORDLESS_LIMIT`]); in binary files only rules tagged `binary` run.
//!
//! ## Redaction and bounds
//!
//! A secret leaves this module only as a [`Secret`]'s redacted form; the
//! evidence snippet is the line with every secret found on it replaced.
//! [`MAX_FINDINGS_PER_WINDOW`] findings are listed per window (8 MiB), then one
//! summary finding.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use oversight_detect::{
    Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, Window, visible_snippet,
};
use oversight_model::{Category, Evidence, FileClass, Rule, Severity};

use crate::config::{CompiledRule, RuleSet};
use crate::decode::{self, Encoding};
use crate::redact::{Secret, shannon_entropy};
use crate::value;

/// The largest text file handed whole to rules that have no keywords.
pub const KEYWORDLESS_LIMIT: u64 = 32 << 20;

/// How many findings one window lists before a summary finding.
pub const MAX_FINDINGS_PER_WINDOW: usize = 100;

/// The summary finding raised when a window holds more secrets than are listed.
pub static MORE_SECRETS: Rule = Rule {
    id: "secret.more-secrets-in-file",
    category: Category::Secret,
    default_severity: Severity::High,
    summary: "More secrets were found in this part of a file than are listed",
    help: "Oversight lists at most 100 secrets per 8 MiB of a file so that a key dump cannot \
           flood the report. Treat the file as a bulk credential store: ask the supplier to \
           revoke everything in it.",
};

/// A value a generic rule matched in a test file or fixture: reported at a
/// lower severity with that reason, never dropped. Rules for real credential
/// formats (a GitHub token, an AWS key) are never lowered: a real-format key
/// in a test file is as live as anywhere else.
pub static TEST_FIXTURE_CREDENTIAL: Rule = Rule {
    id: "secret.test-fixture-credential",
    category: Category::Secret,
    default_severity: Severity::Low,
    summary: "A credential-looking value matched by a generic rule in a test file or fixture",
    help: "The file's path says it is a test or fixture (tests/, testdata/, fixtures/, \
           __tests__/, spec/, *_test.go, test_*.py, *.test.js, …) and only a generic rule \
           (password, secret, token, api key assignments) matched, so the value is most likely \
           a test value. Check that it is not a real credential; provider-specific formats are \
           never lowered.",
};

/// A value a generic rule matched in documentation (Markdown,
/// reStructuredText, `docs/`, OpenAPI and Swagger files) or on a line that
/// marks it as an example: reported at a lower severity with that reason,
/// never dropped. Rules for real credential formats are never lowered.
pub static DOCUMENTATION_EXAMPLE: Rule = Rule {
    id: "secret.documentation-example",
    category: Category::Secret,
    default_severity: Severity::Low,
    summary: "A credential-looking value matched by a generic rule in documentation or an example",
    help: "The file is documentation or an API description (Markdown, reStructuredText, \
           AsciiDoc, docs/, examples/, OpenAPI or Swagger), or the line marks the value as an \
           example, and only a generic rule (password, secret, token, api key assignments) \
           matched, so the value is most likely a documented example. Check that it is not a \
           real credential; provider-specific formats are never lowered.",
};

/// Whether `path` names a test file or a fixture, by its directories or its
/// name.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let inner = lower.rsplit("!/").next().unwrap_or(&lower);
    let mut parts = inner.split('/');
    let name = parts.next_back().unwrap_or("");
    let dirs = parts.any(|d| {
        matches!(
            d,
            "test"
                | "tests"
                | "testdata"
                | "test-data"
                | "test_data"
                | "fixtures"
                | "fixture"
                | "__tests__"
                | "__fixtures__"
                | "spec"
                | "specs"
                | "testing"
                | "mocks"
                | "__mocks__"
        )
    });
    let stem = name.split('.').next().unwrap_or(name);
    dirs || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || name.contains(".test.")
        || name.contains(".spec.")
        || stem.ends_with("test") && stem.len() > 4 && name.ends_with(".java")
}

/// The `secret` detector, built from a gitleaks-format config.
#[derive(Clone)]
pub struct SecretsDetector {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SecretsDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsDetector")
            .field("origin", &self.inner.origin)
            .field("title", &self.inner.set.title)
            .field("rules", &self.inner.set.rules.len())
            .finish()
    }
}

struct Inner {
    origin: String,
    /// Built-in rules run only on the lines around their keywords (their
    /// matches contain the keyword); rule files from users keep gitleaks'
    /// semantics (keyword anywhere in the window).
    line_local: bool,
    set: RuleSet,
    /// The model rule of each config rule, same order.
    model: Vec<&'static Rule>,
    all_rules: &'static [&'static Rule],
    patterns: Vec<Pattern>,
    /// Per pattern: the rules its keyword triggers (empty for decode triggers).
    pattern_rules: Vec<Vec<usize>>,
    /// Distinct keywords (the first patterns), for decoded content.
    keyword_ac: Option<AhoCorasick>,
    keywordless: Vec<usize>,
    path_only: Vec<usize>,
}

/// The `secret.<id>` form of a gitleaks id: lower-case kebab-case.
pub fn model_id(gitleaks_id: &str) -> String {
    let mut s = String::from("secret.");
    let mut dash = true;
    for c in gitleaks_id.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash {
            s.push('-');
            dash = true;
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    s
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl SecretsDetector {
    pub(crate) fn new(set: RuleSet, origin: &str) -> Self {
        let model: Vec<&'static Rule> = set
            .rules
            .iter()
            .map(|r| {
                let summary = if r.description.is_empty() {
                    format!("A credential matched gitleaks rule `{}`", r.gitleaks_id)
                } else {
                    r.description.clone()
                };
                &*Box::leak(Box::new(Rule {
                    id: leak(model_id(&r.gitleaks_id)),
                    category: Category::Secret,
                    default_severity: if r.critical() {
                        Severity::Critical
                    } else {
                        Severity::High
                    },
                    summary: leak(summary),
                    help: leak(format!(
                        "Rule `{}` from {origin}. Ask the supplier to revoke the credential \
                         (deleting it from the delivery is not enough) and to hand it over out \
                         of band if it is needed. Oversight never tests credentials live. Waive \
                         a known test value by fingerprint.",
                        r.gitleaks_id
                    )),
                }))
            })
            .collect();
        let mut all: Vec<&'static Rule> = model.clone();
        all.push(&MORE_SECRETS);
        all.push(&TEST_FIXTURE_CREDENTIAL);
        all.push(&DOCUMENTATION_EXAMPLE);
        let all_rules: &'static [&'static Rule] = Box::leak(all.into_boxed_slice());

        // Distinct keywords first, with the widest scope any rule needs.
        let mut keywords: Vec<(String, Vec<usize>, bool)> = Vec::new();
        let mut keywordless = Vec::new();
        let mut path_only = Vec::new();
        for (i, r) in set.rules.iter().enumerate() {
            if r.regex.is_none() {
                path_only.push(i);
                continue;
            }
            if r.keywords.is_empty() {
                keywordless.push(i);
            }
            for k in &r.keywords {
                if k.is_empty() {
                    continue;
                }
                match keywords.iter_mut().find(|(kw, _, _)| kw == k) {
                    Some((_, rules, binary)) => {
                        if !rules.contains(&i) {
                            rules.push(i);
                        }
                        *binary |= r.binary();
                    }
                    None => keywords.push((k.clone(), vec![i], r.binary())),
                }
            }
        }
        let mut patterns = Vec::new();
        let mut pattern_rules = Vec::new();
        for (k, rules, binary) in &keywords {
            patterns.push(Pattern::new(
                k.as_bytes(),
                if *binary { Scope::Any } else { Scope::Text },
            ));
            pattern_rules.push(rules.clone());
        }
        let keyword_ac = (!keywords.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(keywords.iter().map(|(k, _, _)| k.as_bytes()))
                .expect("keywords form a valid automaton")
        });
        // Decode triggers: the base64 forms of keywords, so that a window
        // holding only an encoded secret is still handed to the detector.
        let mut triggers = BTreeSet::new();
        for (k, _, _) in &keywords {
            for variant in case_variants(k) {
                for t in base64_forms(variant.as_bytes()) {
                    if !keywords
                        .iter()
                        .any(|(kw, _, _)| kw.eq_ignore_ascii_case(&t))
                    {
                        triggers.insert(t.to_ascii_lowercase());
                    }
                }
            }
        }
        for t in triggers {
            patterns.push(Pattern::new(t.as_bytes(), Scope::Text));
            pattern_rules.push(Vec::new());
        }
        SecretsDetector {
            inner: Arc::new(Inner {
                line_local: origin == "builtin",
                origin: origin.to_owned(),
                set,
                model,
                all_rules,
                patterns,
                pattern_rules,
                keyword_ac,
                keywordless,
                path_only,
            }),
        }
    }

    /// How many rules the config holds.
    pub fn rule_count(&self) -> usize {
        self.inner.set.rules.len()
    }

    /// The config's title, when it has one.
    pub fn title(&self) -> Option<&str> {
        self.inner.set.title.as_deref()
    }

    /// Where the config came from (a path, or `builtin`).
    pub fn origin(&self) -> &str {
        &self.inner.origin
    }
}

/// Lower-case, upper-case and capitalised forms of a keyword.
fn case_variants(k: &str) -> Vec<String> {
    let mut v = vec![k.to_lowercase(), k.to_uppercase()];
    let mut cap = k.to_lowercase();
    if let Some(first) = cap.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    v.push(cap);
    v.dedup();
    v
}

/// The characters of the base64 encoding of `k` that do not depend on its
/// neighbours, for each of the three alignments; only forms of at least 4
/// characters.
fn base64_forms(k: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    if k.len() < 4 {
        return out;
    }
    for shift in 0..3usize {
        let mut data = vec![0u8; shift];
        data.extend_from_slice(k);
        let encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&data);
        let first = (shift * 8).div_ceil(6);
        let last = (data.len() * 8) / 6;
        if last > first && last - first >= 4 {
            out.push(encoded[first..last].to_owned());
        }
    }
    out
}

/// A match of a rule, before redaction.
struct Found {
    rule: usize,
    /// Where the finding points, in window indices.
    at: usize,
    /// The secret's bytes in the window (raw findings), to redact the snippet.
    range: Option<Range<usize>>,
    secret: Secret,
    /// For secrets in decoded data: the encoding, the encoded segment in the
    /// window, and the line in the decoded text.
    decoded: Option<(Encoding, Range<usize>, usize)>,
    /// A generic rule's value that is a documented example.
    example: bool,
}

/// A match inside one buffer.
struct BufMatch {
    start: usize,
    secret: Range<usize>,
    /// A generic rule's value that is a documented example (see
    /// [`crate::value`]): reported as [`DOCUMENTATION_EXAMPLE`].
    example: bool,
}

impl Inner {
    fn paths<'a>(file: &'a FileInfo<'_>, full: &'a str) -> [&'a str; 2] {
        [full, file.path.innermost()]
    }

    fn globally_allowed(&self, paths: &[&str]) -> bool {
        self.set.allowlists.iter().any(|a| a.allows_path(paths))
    }

    /// Runs one rule over `buf`, reporting matches starting in `fresh`.
    fn run_rule(
        &self,
        index: usize,
        buf: &[u8],
        fresh: &Range<usize>,
        paths: &[&str],
    ) -> Vec<BufMatch> {
        self.run_rule_in(index, buf, 0..buf.len(), fresh, paths)
    }

    /// Like [`Inner::run_rule`], searching only `search` (line-aligned) of `buf`.
    fn run_rule_in(
        &self,
        index: usize,
        buf: &[u8],
        search: Range<usize>,
        fresh: &Range<usize>,
        paths: &[&str],
    ) -> Vec<BufMatch> {
        let rule: &CompiledRule = &self.set.rules[index];
        let mut out = Vec::new();
        let Some(regex) = &rule.regex else {
            return out;
        };
        if rule.skip_report || rule.allowlists.iter().any(|a| a.allows_path(paths)) {
            return out;
        }
        if let Some(path) = &rule.path
            && !paths.iter().any(|p| path.is_match(p))
        {
            return out;
        }
        let base = search.start;
        for m in regex.find_iter(&buf[search]) {
            let (m_start, m_end) = (base + m.start(), base + m.end());
            if !fresh.contains(&m_start) {
                if m_start >= fresh.end {
                    break;
                }
                continue;
            }
            let (mut ms, mut me) = (m_start, m_end);
            while ms < me && buf[ms] == b'\n' {
                ms += 1;
            }
            while me > ms && buf[me - 1] == b'\n' {
                me -= 1;
            }
            let matched = &buf[ms..me];
            let secret = match regex.captures(matched) {
                Some(caps) if caps.len() >= 2 => {
                    if rule.secret_group > 0 {
                        caps.get(rule.secret_group).map_or(0..0, |g| g.range())
                    } else {
                        (1..caps.len())
                            .filter_map(|g| caps.get(g))
                            .find(|g| !g.is_empty())
                            .map_or(0..matched.len(), |g| g.range())
                    }
                }
                _ => 0..matched.len(),
            };
            if secret.is_empty() {
                continue;
            }
            let secret_bytes = &matched[secret.clone()];
            if rule.entropy != 0.0 && shannon_entropy(secret_bytes) <= rule.entropy {
                continue;
            }
            let line = line_of(buf, ms, me);
            let allowed =
                |a: &crate::config::Allowlist| a.allows_finding(secret_bytes, matched, line, paths);
            if self.set.allowlists.iter().any(allowed) || rule.allowlists.iter().any(allowed) {
                continue;
            }
            let mut example = false;
            if rule.tags.iter().any(|t| t == "generic") {
                let (vs, ve) = (ms + secret.start, ms + secret.end);
                let judgement = value::judge(&value::Context {
                    value: secret_bytes,
                    matched,
                    before: vs.checked_sub(1).map(|i| buf[i]),
                    before_name: ms.checked_sub(1).map(|i| buf[i]),
                    after: buf.get(ve).copied(),
                    line,
                    path: paths.last().copied().unwrap_or(""),
                });
                match judgement {
                    value::Judgement::NotCredential(_) => continue,
                    value::Judgement::Example => example = true,
                    value::Judgement::Credential => {}
                }
            }
            out.push(BufMatch {
                start: ms,
                secret: ms + secret.start..ms + secret.end,
                example,
            });
        }
        out
    }

    /// The rules whose keywords occur in `buf`, plus rules without keywords.
    fn triggered_in(&self, buf: &[u8]) -> Vec<usize> {
        let mut rules = BTreeSet::new();
        if let Some(ac) = &self.keyword_ac {
            for m in ac.find_overlapping_iter(buf) {
                rules.extend(self.pattern_rules[m.pattern().as_usize()].iter().copied());
            }
        }
        rules.extend(self.keywordless.iter().copied());
        rules.into_iter().collect()
    }

    fn secret_of(&self, rule: usize, bytes: &[u8]) -> Secret {
        // Show the secret's documented prefix, when one of the rule's
        // keywords is a prefix of it (`AKIA`, `ghp_`): it is public anyway.
        let prefix = self.set.rules[rule]
            .keywords
            .iter()
            .filter(|k| {
                bytes.len() >= k.len() && bytes[..k.len()].eq_ignore_ascii_case(k.as_bytes())
            })
            .map(String::len)
            .max()
            .unwrap_or(0);
        Secret::new(bytes.to_vec(), prefix)
    }

    /// Scans decoded segments of `buf` (within `range`), recursively.
    #[expect(clippy::too_many_arguments, reason = "recursion state, kept explicit")]
    fn scan_decoded(
        &self,
        buf: &[u8],
        range: Range<usize>,
        depth: u8,
        budget: &mut usize,
        paths: &[&str],
        outer: Option<(Encoding, Range<usize>)>,
        found: &mut Vec<Found>,
    ) {
        if depth > decode::MAX_DEPTH {
            return;
        }
        for seg in decode::segments(buf, range, budget) {
            let outer_segment = outer.clone().unwrap_or((seg.encoding, seg.start..seg.end));
            let whole = 0..seg.decoded.len();
            for rule in self.triggered_in(&seg.decoded) {
                for m in self.run_rule(rule, &seg.decoded, &whole, paths) {
                    let line = seg.decoded[..m.start]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count()
                        + 1;
                    found.push(Found {
                        rule,
                        at: outer_segment.1.start,
                        range: None,
                        secret: self.secret_of(rule, &seg.decoded[m.secret.clone()]),
                        decoded: Some((seg.encoding, outer_segment.1.clone(), line)),
                        example: m.example,
                    });
                }
            }
            self.scan_decoded(
                &seg.decoded,
                whole,
                depth + 1,
                budget,
                paths,
                Some(outer_segment),
                found,
            );
        }
    }

    /// Runs each rule only on the lines around its keyword hits (a few KiB
    /// at most, merged where they overlap), and multi-line rules (private key
    /// blocks) over the window. Same findings as [`Inner::scan_window`] for
    /// rules whose match contains a keyword, at a fraction of the cost when
    /// keywords are common words.
    fn scan_lines(
        &self,
        file: &FileInfo<'_>,
        window: &Window<'_>,
        hits: &[Hit],
        sink: &mut dyn Sink,
    ) {
        const REACH: usize = 2048;
        let full = file.path.to_string();
        let paths = Self::paths(file, &full);
        if self.globally_allowed(&paths) {
            return;
        }
        let buf = window.bytes();
        let (fs, fe) = window.fresh();
        let fresh = window.index(fs)..window.index(fe);
        // (line range, rules) for single-line rules; rules for the window.
        let mut ranges: Vec<(Range<usize>, BTreeSet<usize>)> = Vec::new();
        let mut whole: BTreeSet<usize> = BTreeSet::new();
        let mut encoded_runs: Vec<Range<usize>> = Vec::new();
        for hit in hits {
            let Some(rules) = self.pattern_rules.get(hit.pattern) else {
                continue;
            };
            let at = window.index(hit.start);
            if rules.is_empty() {
                // The base64 form of a keyword: decode the base64 run around
                // it, not the whole window.
                if !encoded_runs.last().is_some_and(|r| r.contains(&at)) {
                    encoded_runs.push(decode::run_around(buf, at));
                }
                continue;
            }
            let lo = at.saturating_sub(REACH);
            let hi = (at + REACH).min(buf.len());
            let start = memchr::memrchr(b'\n', &buf[lo..at]).map_or(lo, |i| lo + i + 1);
            let end = memchr::memchr(b'\n', &buf[at..hi]).map_or(hi, |i| at + i + 1);
            for &rule in rules {
                if file.class == FileClass::Binary && !self.set.rules[rule].binary() {
                    continue;
                }
                if self.set.rules[rule].multiline {
                    whole.insert(rule);
                    continue;
                }
                match ranges.last_mut() {
                    Some((r, set)) if start <= r.end => {
                        r.end = r.end.max(end);
                        set.insert(rule);
                    }
                    _ => ranges.push((start..end, BTreeSet::from([rule]))),
                }
            }
        }
        let mut found = Vec::new();
        let push = |rule: usize, m: BufMatch, found: &mut Vec<Found>| {
            found.push(Found {
                rule,
                at: m.start,
                range: Some(m.secret.clone()),
                secret: self.secret_of(rule, &buf[m.secret]),
                decoded: None,
                example: m.example,
            });
        };
        for (range, rules) in &ranges {
            for &rule in rules {
                for m in self.run_rule_in(rule, buf, range.clone(), &fresh, &paths) {
                    push(rule, m, &mut found);
                }
            }
        }
        for &rule in &whole {
            for m in self.run_rule(rule, buf, &fresh, &paths) {
                push(rule, m, &mut found);
            }
        }
        found.sort_by_key(|f| (f.at, f.rule));
        found.dedup_by(|a, b| a.rule == b.rule && a.at == b.at);
        self.drop_generic_duplicates(&mut found);
        if file.class == FileClass::Text {
            let mut budget = decode::DECODE_BUDGET;
            // Runs that hold the base64 form of a keyword, whole (a run that
            // began in the previous window is decoded here, where its
            // keyword was seen).
            for run in &encoded_runs {
                self.scan_decoded(buf, run.clone(), 1, &mut budget, &paths, None, &mut found);
            }
            // A keyword in plain text: look for encoded values on its lines.
            for (range, _) in &ranges {
                let part = range.start.max(fresh.start)..range.end.min(fresh.end);
                if !part.is_empty()
                    && !encoded_runs
                        .iter()
                        .any(|r| r.start <= part.start && part.end <= r.end)
                {
                    self.scan_decoded(buf, part, 1, &mut budget, &paths, None, &mut found);
                }
            }
        }
        self.emit(file, window, found, sink);
    }

    fn scan_window(
        &self,
        file: &FileInfo<'_>,
        window: &Window<'_>,
        rules: &[usize],
        decode: bool,
        sink: &mut dyn Sink,
    ) {
        let full = file.path.to_string();
        let paths = Self::paths(file, &full);
        if self.globally_allowed(&paths) {
            return;
        }
        let buf = window.bytes();
        let (fs, fe) = window.fresh();
        let fresh = window.index(fs)..window.index(fe);
        let mut found = Vec::new();
        for &rule in rules {
            if file.class == FileClass::Binary && !self.set.rules[rule].binary() {
                continue;
            }
            for m in self.run_rule(rule, buf, &fresh, &paths) {
                found.push(Found {
                    rule,
                    at: m.start,
                    range: Some(m.secret.clone()),
                    secret: self.secret_of(rule, &buf[m.secret]),
                    decoded: None,
                    example: m.example,
                });
            }
        }
        self.drop_generic_duplicates(&mut found);
        if decode && file.class == FileClass::Text {
            let mut budget = decode::DECODE_BUDGET;
            self.scan_decoded(buf, fresh, 1, &mut budget, &paths, None, &mut found);
        }
        self.emit(file, window, found, sink);
    }

    /// Drops findings of rules tagged `generic` whose secret overlaps a
    /// secret found by a specific rule, or one already found by another
    /// generic rule: one credential, one finding, named by the best rule.
    fn drop_generic_duplicates(&self, found: &mut Vec<Found>) {
        let generic = |f: &Found| self.set.rules[f.rule].tags.iter().any(|t| t == "generic");
        if !found.iter().any(generic) {
            return;
        }
        let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
        let specific: Vec<Range<usize>> = found
            .iter()
            .filter(|f| !generic(f))
            .filter_map(|f| f.range.clone())
            .collect();
        let mut kept_generic: Vec<Range<usize>> = Vec::new();
        found.retain(|f| {
            if !generic(f) {
                return true;
            }
            let Some(range) = &f.range else { return true };
            if specific
                .iter()
                .chain(kept_generic.iter())
                .any(|s| overlaps(s, range))
            {
                return false;
            }
            kept_generic.push(range.clone());
            true
        });
    }

    fn emit(
        &self,
        file: &FileInfo<'_>,
        window: &Window<'_>,
        mut found: Vec<Found>,
        sink: &mut dyn Sink,
    ) {
        let in_test = is_test_path(&file.path.to_string());
        found.sort_by_key(|f| (f.at, f.rule));
        found.dedup_by(|a, b| a.rule == b.rule && a.at == b.at && a.secret == b.secret);
        let total = found.len();
        for f in found.iter().take(MAX_FINDINGS_PER_WINDOW) {
            let generic = self.set.rules[f.rule].tags.iter().any(|t| t == "generic");
            let (rule, context) = if in_test && generic {
                (
                    &TEST_FIXTURE_CREDENTIAL,
                    " in a test file or fixture (a generic rule, so reported at low)",
                )
            } else if f.example && generic {
                (
                    &DOCUMENTATION_EXAMPLE,
                    " in documentation or marked as an example (a generic rule, so reported at low)",
                )
            } else {
                (self.model[f.rule], "")
            };
            let redacted = f.secret.redacted();
            let gid = &self.set.rules[f.rule].gitleaks_id;
            let offset = window.offset() + f.at as u64;
            let (line_col, message) = match &f.decoded {
                None => (
                    window.line_col(offset),
                    format!("Secret matching `{gid}`{context}: {redacted}"),
                ),
                Some((encoding, _, line)) => (
                    window.line_col(offset),
                    format!(
                        "Secret matching `{gid}`{context} in {}-decoded data at line {line}: {redacted}",
                        encoding.name()
                    ),
                ),
            };
            let snippet = self.snippet(window, f, &found);
            sink.emit(Emit {
                rule,
                line_col: Some(line_col),
                message,
                evidence: Some(Evidence {
                    snippet,
                    redacted: true,
                }),
                key: f.secret.sha256().to_vec(),
                licence: None,
            });
        }
        if total > MAX_FINDINGS_PER_WINDOW {
            let more = total - MAX_FINDINGS_PER_WINDOW;
            let at = window.offset() + found[MAX_FINDINGS_PER_WINDOW].at as u64;
            sink.emit(Emit::at(
                &MORE_SECRETS,
                window.line_col(at),
                format!("{more} more secrets from here on are not listed"),
                format!("more-secrets@{}", window.offset()).into_bytes(),
            ));
        }
    }

    /// The line of a finding with every secret on it (and every encoded
    /// segment that hides one) replaced by its redacted form.
    fn snippet(&self, window: &Window<'_>, f: &Found, all: &[Found]) -> String {
        let at = window.offset() + f.at as u64;
        let (line_start, line) = window.line_around(at, 160);
        let base = window.index(line_start);
        let mut mask: Vec<Option<usize>> = vec![None; line.len()];
        for (i, other) in all.iter().enumerate() {
            let range = match (&other.range, &other.decoded) {
                (Some(r), _) => r.clone(),
                (None, Some((_, seg, _))) => seg.clone(),
                _ => continue,
            };
            let (s, e) = (range.start.max(base), range.end.min(base + line.len()));
            for slot in mask
                .iter_mut()
                .take(e.saturating_sub(base))
                .skip(s.saturating_sub(base))
            {
                *slot = Some(i);
            }
            // Any other occurrence of the same secret on the line.
            let secret = other.secret.expose();
            if secret.len() >= 4 {
                for pos in memchr::memmem::find_iter(line, secret) {
                    for slot in &mut mask[pos..pos + secret.len()] {
                        *slot = Some(i);
                    }
                }
            }
        }
        let mut out: Vec<u8> = Vec::with_capacity(line.len());
        let mut k = 0;
        while k < line.len() {
            match mask[k] {
                None => {
                    out.push(line[k]);
                    k += 1;
                }
                Some(i) => {
                    let other = &all[i];
                    match &other.decoded {
                        Some((encoding, _, _)) => out.extend_from_slice(
                            format!("[{} data: {}]", encoding.name(), other.secret.redacted())
                                .as_bytes(),
                        ),
                        None => out.extend_from_slice(other.secret.redacted().as_bytes()),
                    }
                    while k < line.len() && mask[k] == Some(i) {
                        k += 1;
                    }
                }
            }
        }
        visible_snippet(&out, 240)
    }
}

/// The line(s) of a match: from the start of the line of `start` to the end
/// of the line of `end`, bounded to 4 KiB on either side.
fn line_of(buf: &[u8], start: usize, end: usize) -> &[u8] {
    const BOUND: usize = 4096;
    let lo = start.saturating_sub(BOUND);
    let hi = (end + BOUND).min(buf.len());
    let s = memchr::memrchr(b'\n', &buf[lo..start]).map_or(lo, |i| lo + i + 1);
    let e = memchr::memchr(b'\n', &buf[end.min(hi)..hi]).map_or(hi, |i| end + i);
    &buf[s..e.max(s)]
}

impl Detector for SecretsDetector {
    fn name(&self) -> &'static str {
        "secret"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        self.inner.all_rules
    }

    fn patterns(&self) -> Vec<Pattern> {
        self.inner.patterns.clone()
    }

    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        let mut rules = BTreeSet::new();
        for hit in hits {
            if let Some(r) = self.inner.pattern_rules.get(hit.pattern) {
                rules.extend(r.iter().copied());
            }
        }
        let rules: Vec<usize> = rules.into_iter().collect();
        if self.inner.line_local {
            self.inner.scan_lines(file, window, hits, sink);
            return;
        }
        self.inner.scan_window(file, window, &rules, true, sink);
    }

    fn check_head(&self, file: &FileInfo<'_>, _head: &[u8], sink: &mut dyn Sink) {
        if self.inner.path_only.is_empty() {
            return;
        }
        let full = file.path.to_string();
        let paths = Inner::paths(file, &full);
        if self.inner.globally_allowed(&paths) {
            return;
        }
        for &i in &self.inner.path_only {
            let rule = &self.inner.set.rules[i];
            if rule.skip_report || rule.allowlists.iter().any(|a| a.allows_path(&paths)) {
                continue;
            }
            if rule
                .path
                .as_ref()
                .is_some_and(|p| paths.iter().any(|s| p.is_match(s)))
            {
                sink.emit(Emit::file(
                    self.inner.model[i],
                    format!("File matching `{}`: {}", rule.gitleaks_id, file.file_name()),
                    file.path.innermost().as_bytes().to_vec(),
                ));
            }
        }
    }

    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        (!self.inner.keywordless.is_empty() && file.class == FileClass::Text)
            .then_some(KEYWORDLESS_LIMIT)
    }

    fn check_whole(&self, file: &FileInfo<'_>, content: &[u8], sink: &mut dyn Sink) {
        let rules = self.inner.keywordless.clone();
        self.inner
            .scan_window(file, &Window::whole(content), &rules, false, sink);
    }
}
