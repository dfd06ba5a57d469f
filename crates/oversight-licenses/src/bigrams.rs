//! The word bigrams askalono compares, computed here from a `TextData`'s
//! public normalised lines.
//!
//! askalono (inlined in the `spdx` crate) matches texts by the Dice
//! coefficient of their word-bigram multisets. It keeps each text's multiset
//! private; what it does expose is the text's *normalised lines*
//! (`TextData::lines`, the first of its two pre-processing stages, kept in
//! the store's embedded cache as well). The second stage, the "aggressive"
//! pass that removes comment markers common to most lines, punctuation,
//! title lines and copyright statements, lower-cases and collapses white
//! space, is reproduced here from askalono's source (`preproc.rs`, Apache-2.0,
//! © 2018–2019 Amazon.com, Inc. or its affiliates), pass for pass, and the
//! bigrams are then read off as askalono's `NgramSet::analyze` does.
//!
//! Nothing here depends on how the `spdx` crate formats or stores its types.
//! Should a release of that crate change its pre-processing, the multisets
//! computed here would differ from askalono's: the crate's tests compare them
//! exactly for every text of the SPDX store (`ngram_matches` on a text made
//! of the computed words), and at run time every score the fast path returns
//! is checked against askalono's own `match_score` before it is used (see
//! `text.rs`), so that a difference costs speed, never a wrong verdict.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// askalono's `remove_punctuation`.
static PUNCTUATION: LazyLock<Regex> = LazyLock::new(|| constant(r"[^\w\s]+"));

/// askalono's `normalize_vertical_whitespace`.
static VERTICAL: LazyLock<Regex> = LazyLock::new(|| constant(r"[\r\n\v\f]"));
static MANY_NEWLINES: LazyLock<Regex> = LazyLock::new(|| constant(r"\n{3,}"));

/// askalono's `remove_title_line`.
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| constant(r"^.*license( version \S+)?( copyright.*)?\n\n"));

/// askalono's `remove_copyright_statements`, verbatim.
pub(crate) static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    constant(
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
});

/// askalono's `collapse_whitespace`.
static WHITESPACE: LazyLock<Regex> = LazyLock::new(|| constant(r"\s+"));

fn constant(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant regex {pattern}: {e}"))
}

/// The text askalono matches for normalised `lines`: its
/// `apply_aggressive(lines.join("\n"))`.
pub(crate) fn processed(lines: &[String]) -> String {
    processed_choosing(lines, None)
}

/// [`processed`], with the common prefix askalono's hash order picks among
/// tied ones given (see [`tied_prefixes`]).
pub(crate) fn processed_choosing(lines: &[String], choice: Option<&str>) -> String {
    let joined = lines.join("\n");
    let mut out: Cow<'_, str> = Cow::Borrowed(&joined);
    out = remove_common_tokens(out, choice);
    out = replace(&VERTICAL, out, "\n");
    out = replace(&MANY_NEWLINES, out, "\n\n");
    out = replace(&PUNCTUATION, out, "");
    out = Cow::Owned(out.to_lowercase());
    out = replace(&TITLE, out, "");
    out = replace(&COPYRIGHT, out, "\n\n");
    out = replace(&WHITESPACE, out, " ");
    out.trim().to_owned()
}

/// The bigrams of a processed text with their counts, and the number of
/// bigrams counted with multiplicity: askalono's `NgramSet::from_str(text, 2)`
/// (words are what `split(' ')` gives, as there).
pub(crate) fn count(processed: &str) -> (HashMap<&str, u32>, usize) {
    let mut grams: HashMap<&str, u32> = HashMap::new();
    let mut size = 0;
    let mut previous: Option<usize> = None;
    let mut start = 0;
    for word in processed.split(' ') {
        if let Some(previous_start) = previous {
            let gram = &processed[previous_start..start + word.len()];
            *grams.entry(gram).or_insert(0) += 1;
            size += 1;
        }
        previous = Some(start);
        start += word.len() + 1;
    }
    (grams, size)
}

fn replace<'a>(regex: &Regex, text: Cow<'a, str>, with: &str) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => regex.replace_all(s, with),
        Cow::Owned(s) => match regex.replace_all(&s, with) {
            Cow::Borrowed(_) => Cow::Owned(s),
            Cow::Owned(replaced) => Cow::Owned(replaced),
        },
    }
}

/// askalono's `lcs_substr`: the common byte prefix of two lines, cut back to
/// a character boundary (its `trim_byte_adjusted`) and trimmed.
fn lcs_substr<'a>(first: &'a str, second: &'a str) -> &'a str {
    let mut end = first
        .as_bytes()
        .iter()
        .zip(second.as_bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    first[..end].trim()
}

/// askalono's counts of the prefixes shared by consecutive lines (each
/// starts at 1 and adds 1 per pair, as there).
fn prefix_counts(text: &str) -> HashMap<&str, u32> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        let mut previous = first;
        for line in lines {
            let common = lcs_substr(previous, line);
            if common.len() > 3 {
                *counts.entry(common).or_insert(1) += 1;
            }
            previous = line;
        }
    }
    counts
}

/// askalono's threshold: 80 % of the lines, truncated.
fn threshold(text: &str) -> u32 {
    let line_count = text.split('\n').count();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "askalono's own arithmetic, reproduced"
    )]
    let threshold = (0.8f32 * line_count as f32) as u32;
    threshold
}

/// askalono's `remove_common_tokens`: a prefix shared by consecutive lines
/// that covers at least 80 % of the lines is removed from every line.
fn remove_common_tokens<'a>(input: Cow<'a, str>, choice: Option<&str>) -> Cow<'a, str> {
    let counts = prefix_counts(&input);
    // askalono takes `max_by_key` over its `HashMap`: among prefixes with the
    // same count, the one it returns depends on the map's order. That
    // matters only when [`ambiguous`] says so, and then the caller leaves the
    // text to askalono.
    let Some((most_common, _)) = counts
        .iter()
        .map(|(s, c)| (*s, *c))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
    else {
        return input;
    };
    let most_common = choice.unwrap_or(most_common).to_owned();
    let most_common = most_common.as_str();
    let common_count: u32 = counts
        .iter()
        .filter(|(s, _)| s.starts_with(most_common))
        .map(|(_, c)| *c)
        .sum();
    if common_count < threshold(&input) {
        return input;
    }
    let mut out = String::with_capacity(input.len());
    for line in input.split('\n') {
        out.push_str(line.strip_prefix(most_common).unwrap_or(line).trim());
        out.push('\n');
    }
    out.pop();
    Cow::Owned(out)
}

/// Whether askalono's choice in its common-token pass could differ from
/// ours for `lines`: different prefixes share the highest count and at
/// least one of them would be removed (when none would, every choice leaves
/// the text as it is).
pub(crate) fn ambiguous(lines: &[String]) -> bool {
    !tied_prefixes(lines).is_empty()
}

/// The prefixes askalono's common-token pass may pick for `lines` when
/// [`ambiguous`]; empty otherwise.
pub(crate) fn tied_prefixes(lines: &[String]) -> Vec<String> {
    let joined = lines.join("\n");
    let counts = prefix_counts(&joined);
    let Some(best) = counts.values().max().copied() else {
        return Vec::new();
    };
    let tied: Vec<&str> = counts
        .iter()
        .filter(|(_, c)| **c == best)
        .map(|(s, _)| *s)
        .collect();
    let limit = threshold(&joined);
    let passes = |candidate: &str| {
        counts
            .iter()
            .filter(|(s, _)| s.starts_with(candidate))
            .map(|(_, c)| *c)
            .sum::<u32>()
            >= limit
    };
    if tied.len() < 2 || !tied.iter().any(|c| passes(c)) {
        return Vec::new();
    }
    tied.iter().map(|c| (*c).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdx::detection::TextData;

    /// The words of `processed` one per line: a text whose own processing
    /// by askalono gives the same words (see `same_multiset`).
    fn as_lines(processed: &str) -> String {
        processed.split(' ').collect::<Vec<_>>().join("\n")
    }

    /// Whether the bigrams computed here for `text` are askalono's, exactly.
    fn same_multiset(text: &str) -> bool {
        let data = TextData::new(text);
        let ours = processed(data.lines());
        TextData::new(&as_lines(&ours)).ngram_matches(&data)
    }

    #[test]
    fn processing_matches_askalono_on_small_texts() {
        for text in [
            "Permission is granted, \"as is\" — {x} é\nand Permission is granted",
            "MIT License\n\nCopyright (c) 2020 Someone\n\nPermission is hereby granted",
            "# This file is licensed\n# under the terms of\n# the licence\n# below",
            "",
            "one",
            "Ünïcödé  TEXT\twith\u{b}breaks\r\nand more",
        ] {
            assert!(same_multiset(text), "{text:?}");
        }
    }

    #[test]
    fn bigrams_are_counted_as_askalono_counts_them() {
        let (grams, size) = count("a b a b");
        assert_eq!(size, 3);
        assert_eq!(grams.get("a b"), Some(&2));
        assert_eq!(grams.get("b a"), Some(&1));
        let (grams, size) = count("");
        assert_eq!((grams.len(), size), (0, 0));
        let (grams, size) = count("one");
        assert_eq!((grams.len(), size), (0, 0));
    }
}
