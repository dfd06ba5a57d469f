//! Matching licence texts against the SPDX licence list.
//!
//! The matcher is askalono's, as shipped inside the `spdx` crate together with
//! a pre-built store of the SPDX licence texts (so no licence text lives in
//! this repository). A text is compared by word bigrams (Sørensen–Dice
//! coefficient) with every licence; when the best score is below 0.99 the text
//! is searched for licences in sub-ranges of its lines, so that a file holding
//! several licences yields each of them.
//!
//! Scores: at least [`IDENTIFIED`] (0.9) the licence is identified; from
//! [`PROBABLE`] (0.8) to 0.9 it is reported as probable; below, the text is
//! unknown.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use spdx::detection::scan::Scanner;
use spdx::detection::{LicenseType, Store, TextData};

use crate::Error;

/// Score from which a licence counts as identified.
pub const IDENTIFIED: f32 = 0.9;
/// Score from which a licence counts as probable.
pub const PROBABLE: f32 = 0.8;

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

/// The SPDX licence store and a cache of results for repeated texts (the same
/// licence header in every file of a project).
pub struct TextMatcher {
    store: Store,
    /// The few licences whose full text is commonly pasted into source file
    /// headers. Header comments are compared with these only: comparing every
    /// header of a large tree with the whole SPDX list costs minutes.
    headers: Store,
    cache: Mutex<HashMap<u64, TextVerdict>>,
    /// Header verdicts, by [`cache_key`].
    header_cache: Mutex<HashMap<u64, Option<TextMatch>>>,
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
            .field("licenses", &self.store.len())
            .finish_non_exhaustive()
    }
}

impl TextMatcher {
    /// Loads the store embedded in the `spdx` crate (about 0.2 s in a release
    /// build).
    pub fn load() -> Result<Self, Error> {
        let mut store = Store::load_inline().map_err(|e| Error::Store(e.to_string()))?;
        add_lgpl3_alone(&mut store);
        let mut headers = Store::new();
        for name in HEADER_LICENSES {
            if let Some(data) = store.get_original(name) {
                headers.add_license((*name).to_owned(), data.clone());
            }
        }
        Ok(TextMatcher {
            store,
            headers,
            cache: Mutex::new(HashMap::new()),
            header_cache: Mutex::new(HashMap::new()),
        })
    }

    /// Every identifier the store can match.
    pub fn licenses(&self) -> impl Iterator<Item = &str> {
        self.store.licenses().map(String::as_str)
    }

    /// Matches a header comment against the licences commonly pasted into
    /// headers, in one pass; only an identified licence is returned.
    ///
    /// Results are cached by normalised content, as for [`Self::identify`]:
    /// every file of a vendored C library repeats the same licence header.
    pub fn identify_header(&self, text: &str) -> Option<TextMatch> {
        let key = cache_key(text);
        if let Some(hit) = self
            .header_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return hit;
        }
        let data = TextData::new(text);
        let result = self.headers.analyze(&data);
        let found = (result.score >= IDENTIFIED).then(|| TextMatch {
            license: result.name.to_owned(),
            aliases: self.aliases(result.name, result.name),
            score: result.score,
        });
        if let Ok(mut cache) = self.header_cache.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, found.clone());
        }
        found
    }

    /// Matches a text. Results are cached by content.
    ///
    /// A text that is almost exactly one of the common licences (the usual
    /// LICENSE file) is settled by the small header store in one cheap pass;
    /// anything else goes to the whole SPDX list.
    pub fn identify(&self, text: &str) -> TextVerdict {
        let data = TextData::new(text);
        let quick = self.headers.analyze(&data);
        let size = |d: &TextData| d.lines().iter().map(String::len).sum::<usize>().max(1) as f32;
        let proportion = size(&data) / size(quick.data);
        // The proportion guard keeps a file holding two licences (Apache-2.0
        // then MIT) from being settled as the longer one alone.
        if quick.score >= 0.98 && (0.85..=1.15).contains(&proportion) {
            return TextVerdict::Found(vec![TextMatch {
                license: quick.name.to_owned(),
                aliases: self.aliases(quick.name, quick.name),
                score: quick.score,
            }]);
        }
        self.identify_full(text)
    }

    fn identify_full(&self, text: &str) -> TextVerdict {
        let key = cache_key(text);
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let verdict = self.identify_uncached(text);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, verdict.clone());
        }
        verdict
    }

    fn identify_uncached(&self, text: &str) -> TextVerdict {
        let data = TextData::new(text);
        if data.lines().iter().all(|l| l.trim().is_empty()) {
            return TextVerdict::Unknown {
                closest: String::new(),
                score: 0.0,
            };
        }
        let scanner = Scanner::new(&self.store)
            .confidence_threshold(PROBABLE)
            .shallow_limit(0.99)
            .optimize(true)
            .max_passes(8);
        let result = scanner.scan(&data);
        let mut found: Vec<TextMatch> = Vec::new();
        let mut add = |store_name: &str, score: f32| {
            let name = current_identifier(store_name);
            let name = name.as_str();
            if let Some(existing) = found.iter_mut().find(|m| m.license == name) {
                existing.score = existing.score.max(score);
            } else {
                found.push(TextMatch {
                    license: name.to_owned(),
                    aliases: self.aliases(store_name, name),
                    score,
                });
            }
        };
        for contained in &result.containing {
            add(contained.license.name, contained.score);
        }
        if let Some(license) = &result.license
            && (result.containing.is_empty()
                || result
                    .containing
                    .iter()
                    .any(|c| c.license.name == license.name))
        {
            add(license.name, result.score);
        }
        if found.is_empty() {
            let best = self.store.analyze(&data);
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
/// copyright lines, case, punctuation and layout, so the key does too: the
/// same licence with another holder or year is answered from the cache.
fn cache_key(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    for line in text.lines() {
        let lower = line.to_lowercase();
        if lower.contains("copyright") {
            continue;
        }
        for word in lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            word.hash(&mut hasher);
        }
    }
    hasher.finish()
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

/// Markers stripped from the start of comment lines, longest first.
const LEADING_MARKERS: &[&str] = &[
    "<!--", "\"\"\"", "'''", "/**", "/*!", "//!", "///", "/*", "//", "#!", "(*", "{-", "--", ";;",
    "dnl ", "REM ", "rem ", "*", "#", ";", "%", "!", "'",
];

/// Markers stripped from the end of comment lines.
const TRAILING_MARKERS: &[&str] = &["*/", "-->", "*)", "-}", "\"\"\"", "'''", "*", "#"];

/// Whether a line (trimmed) is a comment line in some common language.
fn is_comment_line(line: &str) -> bool {
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
