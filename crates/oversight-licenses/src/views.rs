//! An exact and cheaper equivalent of askalono's `TextData::optimize_bounds`.
//!
//! `optimize_bounds` looks for the line range of a text that best matches one
//! licence by a ternary search over the range's end, then its start: some 40
//! ranges, each re-normalised by askalono's "aggressive" pre-processing (eight
//! regex passes over the range), split into bigrams kept as heap strings and
//! compared by hash lookups: about 25 ms for a GPL text with a preamble, most
//! of the licence-text matching time of a scan.
//!
//! Most of those passes work line by line: removing punctuation, lower-casing,
//! collapsing white space. This module does them once per line and then builds
//! a range's bigrams from the lines' (numbered, see [`crate::ngrams`]). The
//! passes that look across lines are reproduced or, where that is not simple,
//! detected so that the range is scored by askalono itself:
//!
//! * removal of a token common to 80 % of the lines (comment markers): when
//!   it could apply to the range, askalono scores it;
//! * removal of a title line (`… license` followed by an empty line) at the
//!   start of the range: when it could apply, askalono scores it;
//! * `\r`, vertical tab and form feed, which become line breaks: askalono;
//! * removal of copyright statements: the statement regex is run on the
//!   range's lines as askalono would see them, and the lines it removes are
//!   left out (a match that covers part of a line hands the range to
//!   askalono).
//!
//! The search itself is askalono's, so the same ranges are visited in the same
//! order. As a last check the chosen range is scored by askalono; should the
//! scores differ, askalono's `optimize_bounds` runs instead.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use spdx::detection::TextData;

use crate::ngrams::{Counts, Slots, Vocabulary};

/// askalono's `remove_punctuation`.
static PUNCTUATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[^\w\s]+").unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// askalono's `remove_copyright_statements`, verbatim.
static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?mx)
            (
                # either a new paragraph, or the beginning of the text + empty lines
                (\n\n|\A\n*)
                # any number of lines starting with 'copyright' followed by a new paragraph
                (^\x20*copyright.*?$)+
                \n\n
            )
            |
            (
                # or the very first line if it has 'copyright' in it
                \A.*copyright.*$
            )
            |
            (
                # or any lines that really look like a copyright statement
                ^copyright (\s+(c|\d+))+ .*?$
            )
        ",
    )
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// `line_view` of `text` and its best range for `licence`, with the score:
/// what `text.optimize_bounds(licence)` returns. `counts` are `licence`'s.
pub(crate) fn optimize_bounds(
    text: &TextData,
    licence: &TextData,
    counts: &Counts<'_>,
    vocabulary: &Vocabulary,
) -> (TextData, f32) {
    let (first, last) = text.lines_view();
    let mut scorer = Scorer::new(text, licence, counts, vocabulary);
    let (end, _) = search_optimize(&mut |end| scorer.score(first, end), first, last);
    let (start, score) = search_optimize(&mut |start| scorer.score(start, end), first, end);
    let optimized = text.with_view(start, end);
    if optimized.match_score(licence).to_bits() != score.to_bits() {
        return text.optimize_bounds(licence);
    }
    (optimized, score)
}

/// askalono's `search_optimize`: a ternary search for the index with the
/// highest score, scores memoised.
fn search_optimize(score: &mut dyn FnMut(usize) -> f32, left: usize, right: usize) -> (usize, f32) {
    let mut memo: HashMap<usize, f32> = HashMap::new();
    let mut check_score =
        |index: usize| -> f32 { *memo.entry(index).or_insert_with(|| score(index)) };
    search(&mut check_score, left, right)
}

fn search(score: &mut dyn FnMut(usize) -> f32, left: usize, right: usize) -> (usize, f32) {
    if right - left <= 3 {
        return (left..=right)
            .map(|x| (x, score(x)))
            .fold((0usize, 0f32), |acc, x| if x.1 >= acc.1 { x } else { acc });
    }
    let low = (left * 2 + right) / 3;
    let high = (left + right * 2) / 3;
    let score_low = score(low);
    let score_high = score(high);
    if score_low > score_high {
        search(score, left, high - 1)
    } else {
        search(score, low + 1, right)
    }
}

/// One normalised line of the text, pre-processed once.
struct Line<'t> {
    /// The normalised line, as askalono's common-token pass sees it.
    raw: &'t str,
    /// After punctuation removal and lower-casing.
    processed: String,
    /// Numbers of the bigrams inside the line (`None`: no licence has it).
    grams: Vec<Option<u32>>,
    /// First and last word.
    ends: Option<(String, String)>,
    /// Holds `\r`, a vertical tab or a form feed.
    breaks: bool,
    copyright: bool,
    license: bool,
}

/// Scores ranges of one text against one licence.
struct Scorer<'a> {
    text: &'a TextData,
    licence: &'a TextData,
    counts: &'a Counts<'a>,
    vocabulary: &'a Vocabulary,
    /// Index of `lines[0]` in the text.
    base: usize,
    lines: Vec<Line<'a>>,
    /// Bigram numbers across line pairs, by line indices.
    junctions: HashMap<(usize, usize), Option<u32>>,
    /// Per-range bigram counts, cleared after each range.
    range_counts: Slots<'a>,
}

impl<'a> Scorer<'a> {
    fn new(
        text: &'a TextData,
        licence: &'a TextData,
        counts: &'a Counts<'a>,
        vocabulary: &'a Vocabulary,
    ) -> Self {
        let lines = text
            .lines()
            .iter()
            .map(|raw| Line::new(raw, vocabulary))
            .collect();
        Scorer {
            text,
            licence,
            counts,
            vocabulary,
            base: text.lines_view().0,
            lines,
            junctions: HashMap::new(),
            range_counts: vocabulary.slots(),
        }
    }

    /// `text.with_view(start, end).match_score(licence)`.
    fn score(&mut self, start: usize, end: usize) -> f32 {
        self.fast_score(start, end)
            .unwrap_or_else(|| self.text.with_view(start, end).match_score(self.licence))
    }

    /// The score from the lines' bigrams; `None` when the range needs
    /// askalono's own pre-processing.
    fn fast_score(&mut self, start: usize, end: usize) -> Option<f32> {
        let from = start.checked_sub(self.base)?;
        let to = end.checked_sub(self.base)?;
        let word_lines: Vec<usize> = {
            let lines = self.lines.get(from..to)?;
            if lines.iter().any(|l| l.breaks) || common_token_may_go(lines) || title_may_go(lines) {
                return None;
            }
            let removed = if lines.iter().any(|l| l.copyright) {
                copyright_lines(lines)?
            } else {
                vec![false; lines.len()]
            };
            (0..lines.len())
                .filter(|&k| !removed[k] && lines[k].ends.is_some())
                .map(|k| from + k)
                .collect()
        };
        let mut size = 0usize;
        let mut previous: Option<usize> = None;
        for &k in &word_lines {
            if let Some(p) = previous {
                let id = self.junction(p, k);
                self.count(id);
                size += 1;
            }
            for i in 0..self.lines[k].grams.len() {
                let id = self.lines[k].grams[i];
                self.count(id);
                size += 1;
            }
            previous = Some(k);
        }
        let mut matches: u32 = 0;
        for &id in self.range_counts.touched() {
            let ours = self.range_counts.get(id);
            matches = matches.wrapping_add(ours.min(self.counts.counts.get(id)));
        }
        self.range_counts.clear();
        // askalono's `NgramSet::dice`; a range's bigrams are always pairs.
        if self.counts.n != 2 || self.counts.size == 0 || size == 0 {
            return Some(0.0);
        }
        Some((2.0 * matches as f32) / ((self.counts.size + size) as f32))
    }

    fn count(&mut self, id: Option<u32>) {
        if let Some(id) = id {
            self.range_counts.add(id, 1);
        }
    }

    /// The number of the bigram from line `a`'s last word to line `b`'s first.
    fn junction(&mut self, a: usize, b: usize) -> Option<u32> {
        if let Some(&id) = self.junctions.get(&(a, b)) {
            return id;
        }
        let id = match (&self.lines[a].ends, &self.lines[b].ends) {
            (Some((_, last)), Some((first, _))) => gram_id(self.vocabulary, last, first),
            _ => None,
        };
        self.junctions.insert((a, b), id);
        id
    }
}

impl<'t> Line<'t> {
    fn new(raw: &'t str, vocabulary: &Vocabulary) -> Self {
        let processed = PUNCTUATION.replace_all(raw, "").to_lowercase();
        let words: Vec<&str> = processed.split_whitespace().collect();
        let grams = words
            .windows(2)
            .map(|pair| gram_id(vocabulary, pair[0], pair[1]))
            .collect();
        let ends = words
            .first()
            .zip(words.last())
            .map(|(first, last)| ((*first).to_owned(), (*last).to_owned()));
        Line {
            raw,
            breaks: raw.contains(['\r', '\u{b}', '\u{c}']),
            copyright: processed.contains("copyright"),
            license: processed.contains("license"),
            processed,
            grams,
            ends,
        }
    }
}

/// The number of the bigram `a b`, keyed as [`Vocabulary`] keys it.
fn gram_id(vocabulary: &Vocabulary, a: &str, b: &str) -> Option<u32> {
    let debug = format!("{:?}", format!("{a} {b}"));
    vocabulary.id(debug.get(1..debug.len().checked_sub(1)?)?)
}

/// Whether askalono's `remove_common_tokens` could strip a prefix from the
/// lines: its pass 1, for every prefix that could be the most common one
/// (askalono picks among equal counts in hash order).
fn common_token_may_go(lines: &[Line<'_>]) -> bool {
    let mut prefix_counts: HashMap<&str, u32> = HashMap::new();
    for pair in lines.windows(2) {
        let common = lcs_substr(pair[0].raw, pair[1].raw);
        if common.len() > 3 {
            *prefix_counts.entry(common).or_insert(1) += 1;
        }
    }
    let Some(&most) = prefix_counts.values().max() else {
        return false;
    };
    // `"".split('\n')` is one line, as in askalono.
    let line_count = lines.len().max(1);
    let threshold = (0.8f32 * line_count as f32) as u32;
    prefix_counts
        .iter()
        .filter(|&(_, &count)| count == most)
        .any(|(candidate, _)| {
            let common_count: u32 = prefix_counts
                .iter()
                .filter_map(|(s, count)| s.starts_with(candidate).then_some(*count))
                .sum();
            common_count >= threshold
        })
}

/// askalono's `lcs_substr`: the common prefix of two lines, trimmed.
fn lcs_substr<'s>(a: &'s str, b: &str) -> &'s str {
    let prefix_len = a
        .as_bytes()
        .iter()
        .zip(b.as_bytes())
        .take_while(|&(&x, &y)| x == y)
        .count();
    trim_byte_adjusted(a, prefix_len).trim()
}

/// askalono's `trim_byte_adjusted`: the longest prefix of at most `idx` bytes.
fn trim_byte_adjusted(s: &str, idx: usize) -> &str {
    if idx >= s.len() {
        return s;
    }
    if let Some(sub) = s.get(..idx) {
        sub
    } else {
        let trailing_continuation = s.as_bytes()[..idx]
            .iter()
            .rev()
            .take_while(|&byte| byte & 0b1100_0000 == 0b1000_0000)
            .count();
        &s[..idx - trailing_continuation - 1]
    }
}

/// Whether askalono's `remove_title_line` could remove the range's first
/// line: it must hold `license` and be followed by an empty line.
fn title_may_go(lines: &[Line<'_>]) -> bool {
    lines.first().is_some_and(|l| l.license) && lines.get(1).is_some_and(|l| l.processed.is_empty())
}

/// Which lines askalono's `remove_copyright_statements` removes from the
/// range, running its regex on the text as askalono has it at that point
/// (punctuation removed, lower case, runs of three or more line breaks
/// between non-empty normalised lines cut to two). `None` when a match
/// covers part of a line.
fn copyright_lines(lines: &[Line<'_>]) -> Option<Vec<bool>> {
    let cap = |breaks: usize| if breaks >= 3 { 2 } else { breaks };
    let filled: Vec<usize> = (0..lines.len())
        .filter(|&k| !lines[k].raw.is_empty())
        .collect();
    let mut text = String::new();
    let mut spans: Vec<Option<(usize, usize)>> = vec![None; lines.len()];
    let mut previous: Option<usize> = None;
    for &k in &filled {
        let breaks = previous.map_or(k, |p| k - p);
        text.extend(std::iter::repeat_n('\n', cap(breaks)));
        let at = text.len();
        text.push_str(&lines[k].processed);
        spans[k] = Some((at, text.len()));
        previous = Some(k);
    }
    let trailing = match previous {
        Some(p) => lines.len() - 1 - p,
        None => lines.len().saturating_sub(1),
    };
    text.extend(std::iter::repeat_n('\n', cap(trailing)));
    let mut removed = vec![false; lines.len()];
    for found in COPYRIGHT.find_iter(&text) {
        for (k, span) in spans.iter().enumerate() {
            let Some((at, end)) = *span else { continue };
            if at == end || end <= found.start() || at >= found.end() {
                continue;
            }
            if at >= found.start() && end <= found.end() {
                removed[k] = true;
            } else {
                return None;
            }
        }
    }
    Some(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngrams::Index;
    use spdx::detection::Store;

    /// A store of two licences and the vocabulary over it.
    fn fixture() -> (Store, Vocabulary, Index) {
        let mut store = Store::new();
        store.add_license(
            "mit-like".into(),
            TextData::new(
                "Permission is hereby granted, free of charge, to any person obtaining a copy\n\
                 of this software, to deal in the Software without restriction.\n\n\
                 THE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND.",
            ),
        );
        store.add_license(
            "bsd-like".into(),
            TextData::new(
                "Redistribution and use in source and binary forms, with or without\n\
                 modification, are permitted provided that the conditions are met.",
            ),
        );
        let mut vocabulary = Vocabulary::default();
        let index = Index::build(&store, &mut vocabulary).expect("index");
        (store, vocabulary, index)
    }

    const TEXTS: &[&str] = &[
        "MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software, to deal in the Software without restriction.\n\nTHE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND.\n\nOther text follows here\nand here.",
        "Copyright 2020 A\ncontributors 2021 and\n2022 more\nRedistribution and use in source and binary forms, with or without\nmodification, are permitted provided that the conditions are met.\n\n\n\ncopyright -\n2001 x\n",
        " * Permission is hereby granted, free of charge, to any person obtaining a copy\n * of this software, to deal in the Software without restriction.\n *\n * THE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND.\n * end",
        "intro\r\nPermission is hereby granted, free of charge\r\n\r\nend",
        "\n\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n\n\n\n\nof this software, copyright holders, to deal in the Software without restriction.\n--\n\nTHE SOFTWARE IS PROVIDED AS IS — Ωσ ΣΑΣ, WITHOUT WARRANTY OF ANY KIND.\n\n",
        "",
    ];

    #[test]
    fn every_range_scores_as_in_askalono() {
        let (store, vocabulary, index) = fixture();
        for name in ["mit-like", "bsd-like"] {
            let licence = store.get_original(name).expect("licence");
            let counts = index.counts(&store, licence, &vocabulary).expect("counts");
            for text in TEXTS {
                let data = TextData::new(text);
                let mut scorer = Scorer::new(&data, licence, &counts, &vocabulary);
                let n = data.lines().len();
                for start in 0..=n {
                    for end in start..=n {
                        let theirs = data.with_view(start, end).match_score(licence);
                        assert_eq!(
                            scorer.score(start, end).to_bits(),
                            theirs.to_bits(),
                            "{name} {start}..{end} of {text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn bounds_are_askalonos() {
        let (store, vocabulary, index) = fixture();
        for name in ["mit-like", "bsd-like"] {
            let licence = store.get_original(name).expect("licence");
            let counts = index.counts(&store, licence, &vocabulary).expect("counts");
            for text in TEXTS {
                let data = TextData::new(text);
                let (ours, our_score) = optimize_bounds(&data, licence, &counts, &vocabulary);
                let (theirs, their_score) = data.optimize_bounds(licence);
                assert_eq!(ours.lines_view(), theirs.lines_view(), "{text:?}");
                assert_eq!(our_score.to_bits(), their_score.to_bits(), "{text:?}");
            }
        }
    }
}
