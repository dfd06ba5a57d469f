//! Matching licence texts against the SPDX licence list.
//!
//! The rules are the SPDX licence and exception texts shipped in the `spdx`
//! crate (no licence text lives in this repository), normalised by
//! [`crate::normalise`] and held as word-bigram multisets by
//! [`crate::bigrams`], built once per process on first use.
//!
//! A text is scored against every rule (Sørensen–Dice similarity of bigram
//! multisets). When the best rule covers the text (similarity above
//! [`SHALLOW_LIMIT`]) that is the verdict. Otherwise the text is searched by
//! region: the rules most of whose bigrams the text holds are candidates,
//! each is given the range of lines most like it, and the best range is a
//! licence; its lines are set aside and the rest is searched again, up to
//! [`MAX_PASSES`] licences. So a file holding several licences yields each
//! of them, and a licence amid other text is found with its lines.
//!
//! Scores: at least [`IDENTIFIED`] (0.9) the licence is identified; from
//! [`PROBABLE`] (0.8) to 0.9 it is reported as probable; below, the text is
//! unknown.
//!
//! askalono (inside the `spdx` crate) is not used here; the crate's tests
//! keep it as an oracle and compare verdicts on the SPDX texts.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;

use crate::Error;
use crate::bigrams::{Gram, Index, Score, Source};
use crate::normalise;

/// Score from which a licence counts as identified.
pub const IDENTIFIED: f32 = 0.9;
/// Score from which a licence counts as probable.
pub const PROBABLE: f32 = 0.8;

/// Similarity above which a text is taken as one licence without searching
/// its regions for others.
const SHALLOW_LIMIT: f32 = 0.99;

/// How many licences are searched for in one text at most.
const MAX_PASSES: u16 = 8;

/// The share of a rule's bigrams a text must hold for the rule to be
/// searched for by region.
const CANDIDATE_SHARE: f32 = 0.6;

/// How many candidate rules are searched for by region in one pass, those
/// sharing the most bigrams with the text first.
const MAX_CANDIDATES: usize = 8;

/// How much more a rule must share with a range that holds the most similar
/// one to be preferred to it (see [`choose`]).
const LARGER_RULE: f32 = 1.25;

/// How many distinct texts the match cache keeps before it is cleared.
const CACHE_LIMIT: usize = 4096;

/// A licence found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMatch {
    /// The identifier reported for the text.
    pub license: String,
    /// Current (non-deprecated) identifiers with the same text
    /// (`GPL-2.0-only` for `GPL-2.0-or-later`).
    pub aliases: Vec<String>,
    /// Confidence from 0 to 1: the similarity of the region and the rule.
    pub score: f32,
    /// The share of the rule's text found in the region, 0 to 1.
    pub rule_coverage: f32,
    /// The share of the region that is the rule's text, 0 to 1.
    pub region_coverage: f32,
    /// The lines of the matched text that hold the licence: 0-based, `start`
    /// included, `end` excluded, counting lines split at `\n`.
    pub lines: (usize, usize),
    /// Whether the rule is a full licence text (every rule is, today; a
    /// standard header would not be).
    pub full_text: bool,
}

impl TextMatch {
    /// Whether the identifier is a licence exception (`Classpath-exception-2.0`),
    /// whose text the store holds beside the licences'.
    pub fn is_exception(&self) -> bool {
        spdx::license_id(&self.license).is_none() && spdx::exception_id(&self.license).is_some()
    }
}

/// The outcome of matching a text.
#[derive(Debug, Clone, PartialEq)]
pub enum TextVerdict {
    /// One or more licences, each with a score of at least [`PROBABLE`].
    Found(Vec<TextMatch>),
    /// Nothing close enough; the closest licence and its score.
    Unknown {
        /// The closest licence.
        closest: String,
        /// Its score.
        score: f32,
    },
}

/// Matches texts against the SPDX licence rules, with caches of results for
/// repeated texts (the same licence header in every file of a project).
///
/// The rules are the same for every matcher and immutable, so they are built
/// once per process ([`RULES`]): on first use, or ahead of it on a
/// background thread ([`TextMatcher::load_in_background`]), so that a scan
/// without licence texts never pays for them.
pub struct TextMatcher {
    /// Verdicts against the whole list, by [`cache_key`].
    cache: Memo<u64, TextVerdict>,
    /// Verdicts of [`TextMatcher::identify`], by [`exact_key`]: most licence
    /// files of a tree are byte-for-byte copies (the Apache-2.0 text of
    /// every other crate), and a copy is answered without normalising it.
    exact_cache: Memo<ExactKey, TextVerdict>,
    /// Header verdicts, by [`cache_key`].
    header_cache: Memo<u64, Option<TextMatch>>,
}

/// A cache shared by the scan's threads, cleared when it holds
/// [`CACHE_LIMIT`] entries so that its memory stays bounded.
struct Memo<K, V>(Mutex<HashMap<K, V>>);

impl<K: std::hash::Hash + Eq, V: Clone> Memo<K, V> {
    fn new() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }

    /// The cached value of `key`, else `compute()`, cached. Two threads may
    /// compute the same key at once; the later value is kept.
    fn get_or(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(hit) = self.0.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let value = compute();
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, value.clone());
        }
        value
    }
}

/// The rules of the process. Never freed.
static RULES: OnceLock<Rules> = OnceLock::new();

/// The background build started by [`TextMatcher::load_in_background`]; held
/// locked by whoever builds or waits for the build, so that it happens once.
static PENDING: Mutex<Option<JoinHandle<Result<Rules, Error>>>> = Mutex::new(None);

/// The rules, waiting for the background build or building them now.
fn shared_rules() -> Result<&'static Rules, Error> {
    if let Some(rules) = RULES.get() {
        return Ok(rules);
    }
    let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(rules) = RULES.get() {
        return Ok(rules);
    }
    let loaded = match pending.take() {
        Some(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(Error::Store("the building thread panicked".to_owned())))?,
        None => Rules::build()?,
    };
    Ok(RULES.get_or_init(|| loaded))
}

/// The built rules.
struct Rules {
    index: Index,
    /// Per rule: whether it is one of [`HEADER_LICENSES`].
    header: Vec<bool>,
}

/// Licences whose whole text appears as a source-file header. Header comments
/// are compared with these only, so that a short header is never taken for
/// a rarer licence that shares its words.
const HEADER_LICENSES: &[&str] = &[
    "MIT",
    "MIT-0",
    "X11",
    "MIT-CMU",
    "ISC",
    "0BSD",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "Zlib",
    "zlib-acknowledgement",
    "Libpng",
    "NCSA",
    "BSL-1.0",
    "Unlicense",
    "HPND",
    "curl",
    "PostgreSQL",
    "Apache-2.0",
    "WTFPL",
    "CC0-1.0",
    "FSFAP",
    "FSFUL",
    "Beerware",
    "JSON",
    "UPL-1.0",
    "PSF-2.0",
];

impl std::fmt::Debug for TextMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextMatcher")
            .field("rules", &RULES.get().map(|r| r.index.rules().len()))
            .finish_non_exhaustive()
    }
}

impl Rules {
    /// Builds the rules from the SPDX texts of the `spdx` crate.
    fn build() -> Result<Self, Error> {
        let mut sources = Vec::new();
        for &(name, text) in spdx::text::LICENSE_TEXTS {
            sources.push(Source {
                name,
                text: text.into(),
                exception: false,
            });
        }
        for &(name, text) in spdx::text::EXCEPTION_TEXTS {
            sources.push(Source {
                name,
                text: text.into(),
                exception: true,
            });
        }
        sources.extend(lgpl3_alone());
        sources.extend(apache_terms_alone());
        let index = Index::build(sources);
        if index.rules().len() < 400 {
            return Err(Error::Store(format!(
                "only {} licence texts in the spdx crate",
                index.rules().len()
            )));
        }
        let header = index
            .rules()
            .iter()
            .map(|r| r.names.iter().any(|n| HEADER_LICENSES.contains(n)))
            .collect();
        Ok(Rules { index, header })
    }

    /// The identifier reported for a rule: of several names for one text,
    /// the GNU "or later" form (the SPDX text of `GPL-2.0-or-later` is the
    /// GPL-2.0's; the `-only` form is its alias, and a notice or the policy
    /// decides between them), else the first current identifier, else the
    /// first.
    fn name(&self, rule: u32) -> String {
        let names = &self.index.rules()[rule as usize].names;
        let current = |n: &&&str| {
            spdx::license_id(n).is_some_and(|l| !l.is_deprecated())
                || spdx::exception_id(n).is_some_and(|e| !e.is_deprecated())
        };
        let chosen = names
            .iter()
            .find(|n| n.ends_with('+') || n.ends_with("-or-later"))
            .or_else(|| names.iter().find(current))
            .or_else(|| names.first())
            .copied()
            .unwrap_or_default();
        current_identifier(chosen)
    }

    /// Current identifiers with the rule's text other than `name`.
    fn aliases(&self, rule: u32, name: &str) -> Vec<String> {
        let mut aliases: Vec<String> = self.index.rules()[rule as usize]
            .names
            .iter()
            .map(|a| current_identifier(a))
            .filter(|a| a != name && spdx::license_id(a).is_some_and(|id| !id.is_deprecated()))
            .collect();
        aliases.sort();
        aliases.dedup();
        aliases
    }

    fn text_match(&self, score: &Score) -> TextMatch {
        let license = self.name(score.rule);
        TextMatch {
            aliases: self.aliases(score.rule, &license),
            license,
            score: score.similarity,
            rule_coverage: score.rule_share,
            region_coverage: score.region_share,
            lines: (score.lines.0 as usize, score.lines.1 as usize),
            full_text: true,
        }
    }
}

/// The licences of a text: the whole text's best rule, and the licences
/// found by region when that rule does not cover the text.
struct Scan {
    /// The best rule for the whole text, if any shares a bigram with it.
    first: Option<Score>,
    /// Licences found in ranges of lines.
    containing: Vec<Score>,
}

/// Searches a text of `total` lines, given as its words, for licences (see
/// the module's documentation).
fn scan(index: &Index, words: &[normalise::Word<'_>], total: usize) -> Scan {
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let mut active: Vec<Gram> = index.prepare_words(words).grams;
    let ranked = index.rank(&active, (0, total));
    let first = ranked.first().copied();
    let mut containing = Vec::new();
    if first.is_none_or(|f| f.similarity > SHALLOW_LIMIT) {
        return Scan { first, containing };
    }
    let mut ranked = ranked;
    for _ in 0..MAX_PASSES {
        let mut candidates: Vec<&Score> = ranked
            .iter()
            .filter(|s| s.rule_share >= CANDIDATE_SHARE)
            .collect();
        let shared = |s: &Score| s.rule_share * index.rules()[s.rule as usize].size as f32;
        candidates.sort_by(|a, b| shared(b).total_cmp(&shared(a)).then(a.rule.cmp(&b.rule)));
        let ranges: Vec<Score> = candidates
            .into_iter()
            .take(MAX_CANDIDATES)
            .filter_map(|c| index.best_range(&active, c.rule))
            .collect();
        let best = choose(&ranges);
        let Some(best) = best.filter(|b| b.similarity >= PROBABLE) else {
            break;
        };
        containing.push(best);
        let (start, end) = best.lines;
        active.retain(|g| g.last() < start || g.first() >= end);
        if active.is_empty() {
            break;
        }
        ranked = index.rank(&active, (0, total));
    }
    Scan { first, containing }
}

/// The best of the candidates' ranges: the most similar, unless a larger
/// rule is also identified over a range that holds it and shares clearly
/// more (a licence text that quotes an exception is that licence, not the
/// exception; a licence with an extra clause is not its shorter relative).
fn choose(ranges: &[Score]) -> Option<Score> {
    let most_similar = ranges.iter().max_by(|a, b| {
        a.similarity
            .total_cmp(&b.similarity)
            .then_with(|| a.shared.cmp(&b.shared))
            .then_with(|| b.rule.cmp(&a.rule))
    })?;
    let larger = ranges
        .iter()
        .filter(|r| {
            r.similarity >= IDENTIFIED
                && r.lines.0 <= most_similar.lines.0
                && r.lines.1 >= most_similar.lines.1
                && r.shared as f32 >= LARGER_RULE * most_similar.shared as f32
        })
        .max_by(|a, b| {
            a.similarity
                .total_cmp(&b.similarity)
                .then_with(|| a.shared.cmp(&b.shared))
                .then_with(|| b.rule.cmp(&a.rule))
        });
    Some(*larger.unwrap_or(most_similar))
}

impl TextMatcher {
    /// Builds the rules (about 0.1 s in a release build), unless this
    /// process has built them already.
    pub fn load() -> Result<Self, Error> {
        shared_rules()?;
        Ok(TextMatcher::unloaded())
    }

    /// Starts building the rules on a background thread, unless this
    /// process has built them or started to, and returns at once; the first
    /// match waits for the build to finish.
    ///
    /// # Panics
    ///
    /// The first match panics if the rules cannot be built, which
    /// [`TextMatcher::load`] reports as an error instead.
    pub fn load_in_background() -> Result<Self, Error> {
        if RULES.get().is_none() {
            let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
            if pending.is_none() && RULES.get().is_none() {
                let handle = std::thread::Builder::new()
                    .name("licence-rules".to_owned())
                    .spawn(Rules::build)
                    .map_err(|e| Error::Store(format!("cannot start the building thread: {e}")))?;
                *pending = Some(handle);
            }
        }
        Ok(TextMatcher::unloaded())
    }

    fn unloaded() -> Self {
        TextMatcher {
            cache: Memo::new(),
            exact_cache: Memo::new(),
            header_cache: Memo::new(),
        }
    }

    /// The rules, waiting for (or doing) the build.
    fn rules(&self) -> &'static Rules {
        shared_rules().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every identifier the rules can match.
    pub fn licenses(&self) -> impl Iterator<Item = &str> {
        self.rules()
            .index
            .rules()
            .iter()
            .flat_map(|r| r.names.iter().copied())
    }

    /// Matches a header comment against the licences commonly pasted into
    /// headers, in one pass; only an identified licence is returned.
    ///
    /// Results are cached by normalised content, as for [`Self::identify`]:
    /// every file of a vendored C library repeats the same licence header.
    pub fn identify_header(&self, text: &str) -> Option<TextMatch> {
        let whole = (0, text.split('\n').count());
        let mut words = Vec::new();
        normalise::words(text, |w| words.push(w));
        let found = self.header_cache.get_or(key_of(&words), || {
            let rules = self.rules();
            let prepared = rules.index.prepare_words(&words);
            let total = u32::try_from(whole.1).unwrap_or(u32::MAX);
            let best = rules
                .index
                .rank(&prepared.grams, (0, total))
                .into_iter()
                .find(|s| rules.header[s.rule as usize])?;
            (best.similarity >= IDENTIFIED).then(|| rules.text_match(&best))
        });
        found.map(|m| TextMatch { lines: whole, ..m })
    }

    /// Matches a text. Results are cached by content.
    pub fn identify(&self, text: &str) -> TextVerdict {
        self.exact_cache
            .get_or(exact_key(text), || self.identify_full(text))
    }

    /// [`Self::identify`] for a text not seen byte for byte before.
    fn identify_full(&self, text: &str) -> TextVerdict {
        // The text is normalised once, for the cache key and the matcher.
        let mut words = Vec::new();
        normalise::words(text, |w| words.push(w));
        let total = text.split('\n').count();
        // Texts that share a key may differ in blank and copyright lines, so
        // the cache holds line ranges counted in the other lines.
        let content = content_lines_of(&words);
        let verdict = self.cache.get_or(key_of(&words), || {
            with_lines(self.identify_uncached(&words, total), |lines| {
                to_content_range(&content, lines)
            })
        });
        with_lines(verdict, |lines| from_content_range(&content, lines, total))
    }

    fn identify_uncached(&self, words: &[normalise::Word<'_>], total: usize) -> TextVerdict {
        let rules = self.rules();
        let result = scan(&rules.index, words, total);
        let mut found: Vec<TextMatch> = Vec::new();
        let mut add = |m: TextMatch| {
            if let Some(existing) = found.iter_mut().find(|e| e.license == m.license) {
                if m.score > existing.score {
                    existing.score = m.score;
                    existing.rule_coverage = m.rule_coverage;
                    existing.region_coverage = m.region_coverage;
                }
            } else {
                found.push(m);
            }
        };
        for c in &result.containing {
            add(rules.text_match(c));
        }
        if let Some(first) = result.first
            && result.containing.is_empty()
            && first.similarity > PROBABLE
        {
            add(rules.text_match(&first));
        }
        if found.is_empty() {
            match result.first {
                Some(best) if best.similarity > 0.0 => TextVerdict::Unknown {
                    closest: rules.name(best.rule),
                    score: best.similarity,
                },
                _ => TextVerdict::Unknown {
                    closest: "none".to_owned(),
                    score: 0.0,
                },
            }
        } else {
            TextVerdict::Found(found)
        }
    }
}

/// The current identifier for a name: deprecated GNU names such as
/// `LGPL-3.0+` become `LGPL-3.0-or-later`.
fn current_identifier(name: &str) -> String {
    match spdx::Expression::parse_mode(name, spdx::ParseMode::LAX) {
        Ok(expression) => match expression.requirements().next() {
            Some(req) if req.req.addition.is_none() => {
                crate::policy::canonical_license(&req.req.license)
            }
            _ => name.to_owned(),
        },
        Err(_) => name.to_owned(),
    }
}

/// The key under which a text's verdict is cached: its normalised words,
/// line by line. The matcher sees nothing else, so the same licence with
/// another holder, year, case or punctuation is answered from the cache. It
/// keeps the line breaks between words, because regions are ranges of
/// lines: two wrappings of one text may score differently, and a verdict
/// must not depend on which of them was matched first.
#[cfg(test)]
fn cache_key(text: &str) -> u64 {
    let mut words = Vec::new();
    normalise::words(text, |w| words.push(w));
    key_of(&words)
}

/// [`cache_key`] of a text's words.
fn key_of(words: &[normalise::Word<'_>]) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut line = u32::MAX;
    for w in words {
        if w.line != line {
            '\n'.hash(&mut hasher);
            line = w.line;
        }
        w.text.hash(&mut hasher);
    }
    hasher.finish()
}

/// The indices (in lines split at `\n`) of the lines that hold words.
fn content_lines_of(words: &[normalise::Word<'_>]) -> Vec<usize> {
    let mut lines: Vec<usize> = Vec::new();
    for w in words {
        let line = w.line as usize;
        if lines.last() != Some(&line) {
            lines.push(line);
        }
    }
    lines
}

/// A range of line indices as a range of content-line ordinals.
fn to_content_range(content: &[usize], (start, end): (usize, usize)) -> (usize, usize) {
    (
        content.partition_point(|&i| i < start),
        content.partition_point(|&i| i < end),
    )
}

/// A range of content-line ordinals as a range of line indices of a text of
/// `total` lines.
fn from_content_range(
    content: &[usize],
    (start, end): (usize, usize),
    total: usize,
) -> (usize, usize) {
    let first = content.get(start).copied().unwrap_or(total);
    let last = match end.checked_sub(1).and_then(|e| content.get(e)) {
        Some(&i) => i + 1,
        None => first,
    };
    (first.min(total), last.clamp(first.min(total), total))
}

/// `verdict` with the line range of each match mapped by `map`.
fn with_lines(verdict: TextVerdict, map: impl Fn((usize, usize)) -> (usize, usize)) -> TextVerdict {
    match verdict {
        TextVerdict::Found(matches) => TextVerdict::Found(
            matches
                .into_iter()
                .map(|m| TextMatch {
                    lines: map(m.lines),
                    ..m
                })
                .collect(),
        ),
        unknown => unknown,
    }
}

/// Two independent 64-bit hashes and the length of a text: equal keys are
/// equal texts, short of a collision of all three.
type ExactKey = (u64, u64, usize);

/// The key under which [`TextMatcher::identify`] caches a text's verdict,
/// every byte of it.
fn exact_key(text: &str) -> ExactKey {
    let mut first = DefaultHasher::new();
    text.hash(&mut first);
    let mut second = DefaultHasher::new();
    "second hash of the exact text".hash(&mut second);
    text.hash(&mut second);
    (first.finish(), second.finish(), text.len())
}

/// The SPDX text of LGPL-3.0 is the LGPL followed by the whole GPL-3.0, but
/// `COPYING.LESSER` files hold the LGPL part alone, which would then match
/// less than half of the rule. The part before the GPL's title is a rule
/// of its own under the LGPL-3.0 names.
fn lgpl3_alone() -> Vec<Source> {
    let mut sources = Vec::new();
    for &(name, text) in spdx::text::LICENSE_TEXTS {
        if !name.starts_with("LGPL-3.0") {
            continue;
        }
        let mut offset = 0;
        let mut cut = None;
        for (index, line) in text.split('\n').enumerate() {
            if index > 10
                && line
                    .trim()
                    .eq_ignore_ascii_case("GNU GENERAL PUBLIC LICENSE")
            {
                cut = Some(offset);
                break;
            }
            offset += line.len() + 1;
        }
        if let Some(cut) = cut {
            sources.push(Source {
                name,
                text: text[..cut].into(),
                exception: false,
            });
        }
    }
    sources
}

/// Many copies of the Apache-2.0 text end at "END OF TERMS AND
/// CONDITIONS", without the appendix on how to apply the licence; the terms
/// alone are a rule of their own, so that such a copy is not taken for a
/// licence that shares the terms without the appendix (Pixar).
fn apache_terms_alone() -> Option<Source> {
    let &(name, text) = spdx::text::LICENSE_TEXTS
        .iter()
        .find(|(name, _)| *name == "Apache-2.0")?;
    let at = text.find("END OF TERMS AND CONDITIONS")?;
    Some(Source {
        name,
        text: text[..at + "END OF TERMS AND CONDITIONS".len()].into(),
        exception: false,
    })
}

/// Markers stripped from the start of comment lines, longest first.
const LEADING_MARKERS: &[&str] = &[
    "<!--", "\"\"\"", "'''", "/**", "/*!", "//!", "///", "/*", "//", "#!", "(*", "{-", "--", ";;",
    "dnl ", "REM ", "rem ", "*", "#", ";", "%", "!", "'",
];

/// Markers stripped from the end of comment lines.
const TRAILING_MARKERS: &[&str] = &["*/", "-->", "*)", "-}", "\"\"\"", "'''", "*", "#"];

/// Whether a line (trimmed) is a comment line in some common language.
pub(crate) fn is_comment_line(line: &str) -> bool {
    LEADING_MARKERS.iter().any(|m| line.starts_with(m))
}

/// Removes comment markers from one line.
pub fn strip_comment_markers(line: &str) -> &str {
    let mut line = line.trim();
    loop {
        let before = line;
        for marker in LEADING_MARKERS {
            if let Some(rest) = line.strip_prefix(marker) {
                line = rest.trim_start();
                break;
            }
        }
        for marker in TRAILING_MARKERS {
            if let Some(rest) = line.strip_suffix(marker) {
                line = rest.trim_end();
                break;
            }
        }
        if line == before {
            return line;
        }
    }
}

/// The comment block (or, outside comments, the paragraph region) around
/// byte `at` of `bytes`, as `(start, end, text without comment markers)`.
/// Bounded to 16 KiB before and 32 KiB after `at`, and 300 lines.
pub fn comment_block(bytes: &[u8], at: usize) -> (usize, usize, String) {
    const BEFORE: usize = 16 * 1024;
    const AFTER: usize = 32 * 1024;
    const MAX_LINES: usize = 300;
    let at = at.min(bytes.len());
    let lo = at.saturating_sub(BEFORE);
    let hi = (at + AFTER).min(bytes.len());
    // Start at a line boundary unless the region starts the file.
    let lo = if lo == 0 {
        0
    } else {
        memchr::memchr(b'\n', &bytes[lo..at]).map_or(at, |i| lo + i + 1)
    };
    let mut lines: Vec<(usize, &[u8])> = Vec::new();
    let mut start = lo;
    while start < hi {
        let end = memchr::memchr(b'\n', &bytes[start..hi]).map_or(hi, |i| start + i);
        lines.push((start, &bytes[start..end]));
        start = end + 1;
    }
    let Some(hit_line) = lines.iter().rposition(|(s, _)| *s <= at) else {
        return (at, at, String::new());
    };
    let trimmed = |i: usize| String::from_utf8_lossy(lines[i].1).trim().to_owned();
    let (first, last) = if is_comment_line(&trimmed(hit_line)) {
        let in_block = |i: usize| {
            let t = trimmed(i);
            t.is_empty() || is_comment_line(&t)
        };
        let mut first = hit_line;
        while first > 0 && hit_line - first < MAX_LINES && in_block(first - 1) {
            first -= 1;
        }
        let mut last = hit_line;
        while last + 1 < lines.len() && last - first < MAX_LINES && in_block(last + 1) {
            last += 1;
        }
        (first, last)
    } else {
        (
            hit_line.saturating_sub(40),
            (hit_line + 100).min(lines.len() - 1),
        )
    };
    let mut text = String::new();
    for (_, line) in &lines[first..=last] {
        text.push_str(strip_comment_markers(&String::from_utf8_lossy(line)));
        text.push('\n');
    }
    let (end_start, end_line) = lines[last];
    (lines[first].0, end_start + end_line.len(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_ignores_holders_and_case_but_not_line_breaks() {
        let mit = "Copyright (c) 2020 Acme GmbH\n\nPermission is hereby granted, free of charge,\nto any person";
        let other_holder = "Copyright 2024 Other Ltd\n\nPERMISSION is hereby granted; free of charge,\nto any person";
        let rewrapped = "Copyright (c) 2020 Acme GmbH\n\nPermission is hereby granted,\nfree of charge, to any person";
        assert_eq!(cache_key(mit), cache_key(other_holder));
        assert_ne!(cache_key(mit), cache_key(rewrapped));
        assert_eq!(cache_key(mit), cache_key(&mit.replace("\n\n", "\n  \n\n")));
    }

    #[test]
    fn comment_markers_are_stripped() {
        assert_eq!(
            strip_comment_markers(" * Permission is granted */"),
            "Permission is granted"
        );
        assert_eq!(strip_comment_markers("// SPDX"), "SPDX");
        assert_eq!(strip_comment_markers("#   text #"), "text");
        assert_eq!(strip_comment_markers("<!-- x -->"), "x");
    }

    #[test]
    fn comment_blocks_stop_at_code() {
        let src = b"#!/bin/sh\n# Line one\n#\n# Line two\nexport X=1\n# other\n";
        let at = 20;
        let (start, end, text) = comment_block(src, at);
        assert_eq!(start, 0);
        assert_eq!(&src[start..end], b"#!/bin/sh\n# Line one\n#\n# Line two");
        assert_eq!(text, "/bin/sh\nLine one\n\nLine two\n");
    }
}
