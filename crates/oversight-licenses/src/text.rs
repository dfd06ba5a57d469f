//! Matching licence texts against the SPDX licence list.
//!
//! The matcher is askalono's, as shipped inside the `spdx` crate together with
//! a pre-built store of the SPDX licence texts (so no licence text lives in
//! this repository). A text is compared by word bigrams (Sørensen–Dice
//! coefficient) with every licence; when the best score is below 0.99 the text
//! is searched for licences in sub-ranges of its lines, so that a file holding
//! several licences yields each of them.
//!
//! The algorithm and its results are askalono's, bit for bit, but two of its
//! steps run on cheaper data structures: the comparison with every licence
//! ([`crate::ngrams`]) and the sub-range search ([`crate::views`]). Identical
//! files are answered from a cache without being normalised again.
//!
//! Scores: at least [`IDENTIFIED`] (0.9) the licence is identified; from
//! [`PROBABLE`] (0.8) to 0.9 it is reported as probable; below, the text is
//! unknown.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;

use spdx::detection::{LicenseType, Store, TextData};

use crate::Error;
use crate::ngrams::{Best, Index, Query, Vocabulary};
use crate::views;

/// Score from which a licence counts as identified.
pub const IDENTIFIED: f32 = 0.9;
/// Score from which a licence counts as probable.
pub const PROBABLE: f32 = 0.8;

/// Score above which a text is taken as one licence without searching its
/// sub-ranges for others (askalono's shallow limit).
const SHALLOW_LIMIT: f32 = 0.99;

/// How many licences are searched for in one text at most.
const MAX_PASSES: u16 = 8;

/// How many distinct texts the match cache keeps before it is cleared.
const CACHE_LIMIT: usize = 4096;

/// A licence found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMatch {
    /// The identifier under which the store holds the text.
    pub license: String,
    /// Current (non-deprecated) identifiers with the same text
    /// (`GPL-2.0-only` for `GPL-2.0-or-later`).
    pub aliases: Vec<String>,
    /// Confidence from 0 to 1.
    pub score: f32,
    /// The lines of the matched text that hold the licence: 0-based, `start`
    /// included, `end` excluded, counting lines split at `\n`.
    pub lines: (usize, usize),
    /// Whether the best text is the licence's full text (or an alternate
    /// form of it), not one of its standard headers (notices).
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

/// Matches texts against the SPDX licence store, with caches of results for
/// repeated texts (the same licence header in every file of a project).
///
/// The store is the same for every matcher and immutable, so it is loaded
/// once per process ([`STORES`]): on first use, or ahead of it on a background
/// thread ([`TextMatcher::load_in_background`]), so that a scan without
/// licence texts never pays for it and one with licence texts loads it while
/// the delivery is listed.
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

/// The stores of the process. Never freed: a static is not dropped, which
/// also spares every scan a serial 50 ms at exit to free its some 700,000
/// allocations.
static STORES: OnceLock<Stores> = OnceLock::new();

/// The background load started by [`TextMatcher::load_in_background`]; held
/// locked by whoever loads or waits for the load, so that it happens once.
static PENDING: Mutex<Option<JoinHandle<Result<Stores, Error>>>> = Mutex::new(None);

/// The stores, waiting for the background load or loading them now.
fn shared_stores() -> Result<&'static Stores, Error> {
    if let Some(stores) = STORES.get() {
        return Ok(stores);
    }
    let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(stores) = STORES.get() {
        return Ok(stores);
    }
    let loaded = match pending.take() {
        Some(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(Error::Store("the loading thread panicked".to_owned())))?,
        None => Stores::load()?,
    };
    Ok(STORES.get_or_init(|| loaded))
}

/// The loaded stores.
struct Stores {
    store: Store,
    /// The few licences whose full text is commonly pasted into source file
    /// headers. Header comments are compared with these only: comparing every
    /// header of a large tree with the whole SPDX list costs minutes.
    headers: Store,
    /// The numbered bigrams of both stores, for [`Index::analyze`]; `None`
    /// when they could not be read, and askalono's `analyze` is used.
    fast: Option<Fast>,
}

/// Both stores' [`Index`], over one vocabulary.
struct Fast {
    vocabulary: Vocabulary,
    store: Index,
    headers: Index,
}

/// Licences whose whole text appears as a source-file header.
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
            .field("licenses", &STORES.get().map(|s| s.store.len()))
            .finish_non_exhaustive()
    }
}

impl Stores {
    /// Loads the store embedded in the `spdx` crate (about 0.15 s in a
    /// release build) and numbers its bigrams (0.05 s on two threads).
    fn load() -> Result<Self, Error> {
        let mut store = Store::load_inline().map_err(|e| Error::Store(e.to_string()))?;
        add_lgpl3_alone(&mut store);
        add_apache_terms_alone(&mut store);
        add_exceptions(&mut store);
        let mut headers = Store::new();
        for name in HEADER_LICENSES {
            if let Some(data) = store.get_original(name) {
                headers.add_license((*name).to_owned(), data.clone());
            }
        }
        let fast = Fast::build(&store, &headers);
        Ok(Stores {
            store,
            headers,
            fast,
        })
    }

    /// A text's bigrams numbered for [`Index::analyze`], when possible.
    fn query(&self, data: &TextData) -> Option<Query<'_>> {
        Query::new(&self.fast.as_ref()?.vocabulary, data)
    }

    /// `self.store.analyze(data)`, by the index when there is one. `query`
    /// is `data`'s, when the caller has it already.
    fn analyze<'a>(&'a self, data: &TextData, query: Option<&Query<'_>>) -> Best<'a> {
        self.analyze_in(&self.store, |f| &f.store, data, query)
    }

    /// `self.headers.analyze(data)`, by the index when there is one.
    fn analyze_headers<'a>(&'a self, data: &TextData, query: Option<&Query<'_>>) -> Best<'a> {
        self.analyze_in(&self.headers, |f| &f.headers, data, query)
    }

    fn analyze_in<'a>(
        &'a self,
        store: &'a Store,
        index: impl Fn(&Fast) -> &Index,
        data: &TextData,
        query: Option<&Query<'_>>,
    ) -> Best<'a> {
        let fast = self.fast.as_ref().and_then(|fast| {
            let own;
            let query = match query {
                Some(q) => q,
                None => {
                    own = Query::new(&fast.vocabulary, data)?;
                    &own
                }
            };
            index(fast).analyze(store, query)
        });
        fast.unwrap_or_else(|| {
            let m = store.analyze(data);
            Best {
                score: m.score,
                name: m.name,
                license_type: m.license_type,
                data: m.data,
            }
        })
    }

    /// `text.optimize_bounds(licence)` for a text of the store, by
    /// [`views::optimize_bounds`] when the store is indexed.
    fn optimize_bounds(&self, text: &TextData, licence: &TextData) -> (TextData, f32) {
        let fast = self.fast.as_ref().and_then(|fast| {
            let counts = fast.store.counts(&self.store, licence, &fast.vocabulary)?;
            Some(views::optimize_bounds(
                text,
                licence,
                &counts,
                &fast.vocabulary,
            ))
        });
        fast.unwrap_or_else(|| text.optimize_bounds(licence))
    }
}

impl Fast {
    fn build(store: &Store, headers: &Store) -> Option<Fast> {
        let mut vocabulary = Vocabulary::default();
        let store_index = Index::build_in_two(store, &mut vocabulary)?;
        let headers_index = Index::build(headers, &mut vocabulary)?;
        Some(Fast {
            vocabulary,
            store: store_index,
            headers: headers_index,
        })
    }
}

/// What askalono's `Scanner` in elimination mode (confidence [`PROBABLE`],
/// shallow limit [`SHALLOW_LIMIT`], optimised bounds, [`MAX_PASSES`])
/// finds in a text, by [`Stores::analyze`].
struct Scan<'a> {
    /// The best licence for the whole text.
    first: Best<'a>,
    /// Licences found in sub-ranges.
    containing: Vec<Contained<'a>>,
}

/// A licence found in a sub-range of lines.
struct Contained<'a> {
    name: &'a str,
    score: f32,
    /// The range, as [`TextMatch::lines`].
    lines: (usize, usize),
    /// Whether the best text was a full text, not a header.
    full_text: bool,
}

impl Scan<'_> {
    /// The licence of the whole text, when it scores above [`PROBABLE`].
    fn license(&self) -> Option<&str> {
        (self.first.score > PROBABLE).then_some(self.first.name)
    }
}

/// askalono's `Scanner::scan_elimination`, line for line, with
/// [`Stores::analyze`] in place of `Store::analyze`.
fn scan<'a>(stores: &'a Stores, text: &TextData, query: Option<&Query<'_>>) -> Scan<'a> {
    let first = stores.analyze(text, query);
    let mut containing = Vec::new();
    // askalono: identified above the confidence threshold, and done when
    // also above the shallow limit (the higher of the two).
    if first.score > SHALLOW_LIMIT {
        return Scan { first, containing };
    }
    let mut analysis = first;
    let mut current: Cow<'_, TextData> = Cow::Borrowed(text);
    for _ in 0..MAX_PASSES {
        let (optimized, score) = stores.optimize_bounds(&current, analysis.data);
        if score < PROBABLE {
            break;
        }
        containing.push(Contained {
            name: analysis.name,
            score,
            lines: optimized.lines_view(),
            full_text: analysis.license_type != LicenseType::Header,
        });
        current = Cow::Owned(optimized.white_out());
        analysis = stores.analyze(&current, None);
    }
    Scan { first, containing }
}

impl TextMatcher {
    /// Loads the store embedded in the `spdx` crate (about 0.3 s in a release
    /// build), unless this process has loaded it already.
    pub fn load() -> Result<Self, Error> {
        shared_stores()?;
        Ok(TextMatcher::unloaded())
    }

    /// Starts loading the store on a background thread, unless this process
    /// has loaded it or started to, and returns at once; the first match
    /// waits for the load to finish.
    ///
    /// # Panics
    ///
    /// The first match panics if the store embedded in the binary cannot be
    /// decoded, which [`TextMatcher::load`] reports as an error instead.
    pub fn load_in_background() -> Result<Self, Error> {
        if STORES.get().is_none() {
            let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
            if pending.is_none() && STORES.get().is_none() {
                let handle = std::thread::Builder::new()
                    .name("spdx-store".to_owned())
                    .spawn(Stores::load)
                    .map_err(|e| Error::Store(format!("cannot start the loading thread: {e}")))?;
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

    /// The stores, waiting for (or doing) the load.
    fn stores(&self) -> &'static Stores {
        shared_stores().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every identifier the store can match.
    pub fn licenses(&self) -> impl Iterator<Item = &str> {
        self.stores().store.licenses().map(String::as_str)
    }

    /// Matches a header comment against the licences commonly pasted into
    /// headers, in one pass; only an identified licence is returned.
    ///
    /// Results are cached by normalised content, as for [`Self::identify`]:
    /// every file of a vendored C library repeats the same licence header.
    pub fn identify_header(&self, text: &str) -> Option<TextMatch> {
        let whole = (0, text.split('\n').count());
        let found = self.header_cache.get_or(cache_key(text), || {
            let data = TextData::new(text);
            let result = self.stores().analyze_headers(&data, None);
            (result.score >= IDENTIFIED).then(|| TextMatch {
                license: result.name.to_owned(),
                aliases: self.aliases(result.name, result.name),
                score: result.score,
                lines: (0, data.lines().len()),
                full_text: true,
            })
        });
        found.map(|m| TextMatch { lines: whole, ..m })
    }

    /// Matches a text. Results are cached by content.
    ///
    /// A text that is almost exactly one of the common licences (the usual
    /// LICENSE file) is settled by the small header store in one cheap pass;
    /// anything else goes to the whole SPDX list.
    pub fn identify(&self, text: &str) -> TextVerdict {
        self.exact_cache
            .get_or(exact_key(text), || self.identify_uncopied(text))
    }

    /// [`Self::identify`] for a text not seen before.
    fn identify_uncopied(&self, text: &str) -> TextVerdict {
        let stores = self.stores();
        let data = TextData::new(text);
        let query = stores.query(&data);
        let quick = stores.analyze_headers(&data, query.as_ref());
        let size = |d: &TextData| d.lines().iter().map(String::len).sum::<usize>().max(1) as f32;
        let proportion = size(&data) / size(quick.data);
        // The proportion guard keeps a file holding two licences (Apache-2.0
        // then MIT) from being settled as the longer one alone.
        if quick.score >= 0.98 && (0.85..=1.15).contains(&proportion) {
            return TextVerdict::Found(vec![TextMatch {
                license: quick.name.to_owned(),
                aliases: self.aliases(quick.name, quick.name),
                score: quick.score,
                lines: (0, data.lines().len()),
                full_text: true,
            }]);
        }
        self.identify_full(text, &data, query.as_ref())
    }

    /// [`Self::identify`] against the whole list; `data` and `query` are
    /// `text`'s.
    fn identify_full(&self, text: &str, data: &TextData, query: Option<&Query<'_>>) -> TextVerdict {
        // Texts that share a key may differ in blank and copyright lines, so
        // the cache holds line ranges counted in the other lines.
        let content = content_lines(text);
        let verdict = self.cache.get_or(cache_key(text), || {
            with_lines(self.identify_uncached(data, query), |lines| {
                to_content_range(&content, lines)
            })
        });
        let total = text.split('\n').count();
        with_lines(verdict, |lines| from_content_range(&content, lines, total))
    }

    fn identify_uncached(&self, data: &TextData, query: Option<&Query<'_>>) -> TextVerdict {
        if data.lines().iter().all(|l| l.trim().is_empty()) {
            return TextVerdict::Unknown {
                closest: String::new(),
                score: 0.0,
            };
        }
        let result = scan(self.stores(), data, query);
        let mut found: Vec<TextMatch> = Vec::new();
        let whole = (0, data.lines().len());
        let mut add = |store_name: &str, score: f32, lines: (usize, usize), full_text: bool| {
            let name = current_identifier(store_name);
            let name = name.as_str();
            if let Some(existing) = found.iter_mut().find(|m| m.license == name) {
                existing.score = existing.score.max(score);
            } else {
                found.push(TextMatch {
                    license: name.to_owned(),
                    aliases: self.aliases(store_name, name),
                    score,
                    lines,
                    full_text,
                });
            }
        };
        for c in &result.containing {
            add(c.name, c.score, c.lines, c.full_text);
        }
        if let Some(license) = result.license()
            && (result.containing.is_empty() || result.containing.iter().any(|c| c.name == license))
        {
            add(
                license,
                result.first.score,
                whole,
                result.first.license_type != LicenseType::Header,
            );
        }
        if found.is_empty() {
            let best = result.first;
            // At score 0 every licence ties and the store's order is random:
            // name none, so that the same bytes give the same message.
            TextVerdict::Unknown {
                closest: if best.score > 0.0 {
                    current_identifier(best.name)
                } else {
                    "none".to_owned()
                },
                score: best.score,
            }
        } else {
            TextVerdict::Found(found)
        }
    }

    /// Current identifiers whose text the store holds under `name`.
    fn aliases(&self, store_name: &str, name: &str) -> Vec<String> {
        let mut aliases: Vec<String> = self
            .stores()
            .store
            .aliases(store_name)
            .into_iter()
            .flatten()
            .map(|a| current_identifier(a))
            .filter(|a| a != name && spdx::license_id(a).is_some_and(|id| !id.is_deprecated()))
            .collect();
        aliases.dedup();
        aliases.sort();
        aliases
    }
}

/// The current identifier for a store name: deprecated GNU names such as
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

/// The key under which a text's verdict is cached. The matcher ignores
/// copyright lines, case and punctuation, so the key does too: the same
/// licence with another holder or year is answered from the cache. It keeps
/// the line breaks of the other lines, because the search for the best range
/// of lines sees them: two wrappings of one text may score differently, and
/// a verdict must not depend on which of them was matched first.
fn cache_key(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    for line in text.lines() {
        let lower = line.to_lowercase();
        if lower.contains("copyright") {
            continue;
        }
        let mut words = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .peekable();
        if words.peek().is_some() {
            '\n'.hash(&mut hasher);
        }
        for word in words {
            word.hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Whether a line counts in [`cache_key`]: it has a word and is no
/// copyright line.
fn is_content_line(line: &str) -> bool {
    line.chars().any(char::is_alphanumeric) && !line.to_lowercase().contains("copyright")
}

/// The indices (in lines split at `\n`) of the lines [`cache_key`] keeps.
fn content_lines(text: &str) -> Vec<usize> {
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| is_content_line(line))
        .map(|(i, _)| i)
        .collect()
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

/// The key under which [`TextMatcher::identify`] caches a text's verdict.
/// Unlike [`cache_key`] it keeps every byte: the quick header match compares
/// line lengths, so texts that differ only in their copyright line may get
/// different verdicts there.
fn exact_key(text: &str) -> ExactKey {
    let mut first = DefaultHasher::new();
    text.hash(&mut first);
    let mut second = DefaultHasher::new();
    "second hash of the exact text".hash(&mut second);
    text.hash(&mut second);
    (first.finish(), second.finish(), text.len())
}

/// The SPDX text of LGPL-3.0 is the LGPL followed by the whole GPL-3.0, but
/// `COPYING.LESSER` files hold the LGPL part alone, which then scores about
/// 0.3. The part before the GPL's title becomes an alternate text.
fn add_lgpl3_alone(store: &mut Store) {
    let names: Vec<String> = store
        .licenses()
        .filter(|n| n.starts_with("LGPL-3.0"))
        .cloned()
        .collect();
    for name in names {
        let Some(original) = store.get_original(&name) else {
            continue;
        };
        let lines = original.lines();
        let Some(gpl_start) = lines
            .iter()
            .skip(10)
            .position(|l| l.trim().eq_ignore_ascii_case("GNU GENERAL PUBLIC LICENSE"))
        else {
            continue;
        };
        let lgpl_alone = TextData::new(&lines[..gpl_start + 10].join("\n"));
        let _ = store.add_variant(&name, LicenseType::Alternate, lgpl_alone);
    }
}

/// Many copies of the Apache-2.0 text end at "END OF TERMS AND
/// CONDITIONS", without the appendix on how to apply the licence. Matched
/// against the whole text they score lower than the Pixar licence (the
/// Apache terms with another trademark clause, and no appendix), so the
/// terms alone become an alternate text of Apache-2.0.
fn add_apache_terms_alone(store: &mut Store) {
    let Some(original) = store.get_original("Apache-2.0") else {
        return;
    };
    let lines = original.lines();
    let Some(end) = lines
        .iter()
        .position(|l| l.trim().eq_ignore_ascii_case("END OF TERMS AND CONDITIONS"))
    else {
        return;
    };
    let terms = TextData::new(&lines[..=end].join("\n"));
    let _ = store.add_variant("Apache-2.0", LicenseType::Alternate, terms);
}

/// The store holds licence texts only, so that an exception's text alone
/// (a file holding the Classpath exception) matched the licence whose text
/// quotes it, or nothing. Each exception's SPDX text becomes an entry under
/// its own identifier.
fn add_exceptions(store: &mut Store) {
    for exception in spdx::identifiers::EXCEPTIONS {
        if store.get_original(exception.name).is_some() {
            continue;
        }
        let Some(id) = spdx::exception_id(exception.name) else {
            continue;
        };
        let text = id.text();
        if text.trim().is_empty() {
            continue;
        }
        store.add_license(exception.name.to_owned(), TextData::new(text));
    }
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

    /// Every third text of the SPDX licence list, alone and inside a preamble
    /// and an appendix (so that sub-ranges are searched).
    fn spdx_samples() -> Vec<(String, String)> {
        let dir = oversight_test_support::corpus("spdx-license-list/license-list-data/text");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("SPDX texts")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        let mut samples = Vec::new();
        for path in paths.iter().step_by(3) {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).expect("licence text");
            samples.push((
                name.clone(),
                format!(
                    "Vendor notice\nread this first.\n\n{text}\n\nAppendix\nCopyright 2024 Acme\n\nMore words here\n"
                ),
            ));
            samples.push((name, text));
        }
        samples
    }

    /// Two stores loaded in one process iterate in different `HashMap`
    /// orders, as the stores of a review and of its replay do; every text
    /// must still get the same winner, ties included.
    #[test]
    fn the_winner_does_not_depend_on_the_store_order() {
        use crate::ngrams::{Index, Query, Vocabulary};
        let a = Store::load_inline().expect("store");
        let b = Store::load_inline().expect("store");
        let (mut va, mut vb) = (Vocabulary::default(), Vocabulary::default());
        let ia = Index::build(&a, &mut va).expect("index");
        let ib = Index::build(&b, &mut vb).expect("index");
        let mut ties = 0;
        for (name, text) in spdx_samples() {
            let data = TextData::new(&text);
            let ours_a = ia
                .analyze(&a, &Query::new(&va, &data).expect("query"))
                .expect("best");
            let ours_b = ib
                .analyze(&b, &Query::new(&vb, &data).expect("query"))
                .expect("best");
            assert_eq!(
                (ours_a.name, ours_a.score.to_bits()),
                (ours_b.name, ours_b.score.to_bits()),
                "{name}"
            );
            let tied = a
                .iter()
                .filter(|(_, entry)| {
                    entry.original.match_score(&data).to_bits() == ours_a.score.to_bits()
                })
                .count();
            ties += usize::from(tied > 1);
        }
        assert!(ties > 0, "the SPDX samples hold texts that tie");
    }

    #[test]
    fn indexed_analysis_and_bounds_are_askalonos() {
        let stores = shared_stores().expect("store loads");
        assert!(stores.fast.is_some(), "the store's bigrams are readable");
        for (name, text) in spdx_samples() {
            let data = TextData::new(&text);
            for (ours, theirs) in [
                (stores.analyze(&data, None), stores.store.analyze(&data)),
                (
                    stores.analyze_headers(&data, None),
                    stores.headers.analyze(&data),
                ),
            ] {
                assert_eq!(ours.score.to_bits(), theirs.score.to_bits(), "{name}");
                assert!(
                    crate::ngrams::same_winner(
                        &ours,
                        (theirs.score, theirs.name, theirs.license_type, theirs.data)
                    ),
                    "{name}"
                );
            }
            let best = stores.analyze(&data, None);
            if best.score > SHALLOW_LIMIT {
                continue;
            }
            let (ours, our_score) = stores.optimize_bounds(&data, best.data);
            let (theirs, their_score) = data.optimize_bounds(best.data);
            assert_eq!(ours.lines_view(), theirs.lines_view(), "{name}");
            assert_eq!(our_score.to_bits(), their_score.to_bits(), "{name}");
            let rest = ours.white_out();
            let next = stores.analyze(&rest, None);
            let (ours, our_score) = stores.optimize_bounds(&rest, next.data);
            let (theirs, their_score) = rest.optimize_bounds(next.data);
            assert_eq!(
                ours.lines_view(),
                theirs.lines_view(),
                "{name}, second pass"
            );
            assert_eq!(
                our_score.to_bits(),
                their_score.to_bits(),
                "{name}, second pass"
            );
        }
    }

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
