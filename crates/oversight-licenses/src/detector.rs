//! The licence and copyright detector.
//!
//! **What it detects.** Licence and licence-exception texts in any text file
//! (LICENSE, COPYING and NOTICE files are matched whole; elsewhere the regions
//! where licence words gather, and header comments) matched against the SPDX
//! licence list with a confidence score, `SPDX-License-Identifier:` tags, short licence
//! notices ("Licensed under the Apache License, Version 2.0"), and copyright
//! statements with their years and holders. With a licence policy it flags
//! licences the policy does not allow; with expected holders it flags every
//! other copyright holder.
//!
//! **Why it matters.** ISO/IEC 27001 A.8.30 starts with licensing agreements,
//! code ownership and intellectual property. Copyleft code in a product we
//! distribute under our own terms, non-commercial material, or code copyrighted
//! by a third party or another client of the supplier are legal risks that the
//! reviewer must see before accepting a delivery.
//!
//! **Example.**
//! `// SPDX-License-Identifier: AGPL-3.0-only` with `deny-categories =
//! ["network-copyleft"]` gives `license.denied`; `Copyright (c) 2021 Other
//! Client AG` with expected holders `Acme GmbH` gives
//! `license.foreign-copyright`.
//!
//! **How to resolve or accept.** Remove or replace the component, obtain the
//! rights (a licence or an assignment from the holder), or accept the finding
//! by fingerprint with the reason. Unknown licence texts need a human reading.
//!
//! **References.** SPDX License List and SPDX license expressions
//! (<https://spdx.org/licenses/>, SPDX specification annex D); REUSE
//! specification (`SPDX-FileCopyrightText`); ISO/IEC 27001:2022 A.8.30.

use oversight_detect::{
    Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, Window, visible_snippet,
};
use std::borrow::Cow;

use oversight_model::{FileClass, LicenceKind, LicenceMatch, Rule, Share};
use spdx::Expression;

use crate::copyright::{self, CopyrightStatement};
use crate::notices::{self, Notice, PHRASES};
use crate::rules;
use crate::statements;
use crate::text::{self, IDENTIFIED, TextMatcher, TextVerdict};
use crate::{LicenseOptions, LicensePolicy};

/// The largest licence file read whole.
pub const WHOLE_FILE_LIMIT: u64 = 1024 * 1024;

/// How many header comments are matched against licence texts per window, so
/// that a bundle of a thousand files does not cost a thousand matches.
const MAX_HEADER_MATCHES: usize = 2;

/// How many distinct copyright statements are reported per window.
const MAX_STATEMENTS: usize = 500;

/// How many copyright markers are parsed as statements per window: a
/// generated file that repeats one statement on a single 5 MB line would
/// otherwise parse each of its 400,000 markers.
const MAX_PARSED_STATEMENTS: usize = 5_000;

/// Phrases that start a full licence text embedded in a header comment.
///
/// Only licences whose *text* is the notice (MIT, BSD, ISC, zlib) are matched
/// against the SPDX list here; Apache, GPL and MPL headers are short notices
/// that name their licence, which the phrase table resolves without the
/// (much more expensive) text matcher.
const TEXT_TRIGGERS: &[&str] = &[
    "permission is hereby granted",
    "redistribution and use in source and binary forms",
    "permission to use, copy, modify",
    "this software is provided 'as-is'",
];

/// Short names of GNU licences with a version; the name is read from the
/// word that holds them (`LGPLv2.1+`, `AGPL-3.0`).
const GNU_SHORT: &[&str] = &[
    "gplv2",
    "gplv3",
    "gpl-2",
    "gpl-3",
    "gpl 2",
    "gpl 3",
    "gpl v2",
    "gpl v3",
    "gpl2",
    "gpl3",
    "gpl version",
];

/// Copyright markers.
const COPYRIGHT_MARKERS: &[&str] = &["copyright", "(c)", "©", "&copy;", "spdx-filecopyrighttext"];

/// Words of licence texts, each with its family. Outside code files, a region
/// where markers of several families come close together is matched against
/// every SPDX text (licences and exceptions); elsewhere the (costly) matcher
/// does not run, so an ordinary file pays only for the markers' hits.
const TEXT_MARKERS: &[(&str, u8)] = &[
    ("licens", 0),
    ("licenc", 0),
    ("warrant", 1),
    ("liabil", 2),
    ("liable", 2),
    ("merchantab", 3),
    ("redistribut", 4),
    ("permission", 5),
    ("permitted", 5),
    ("public domain", 6),
    ("free software", 7),
    ("hereby", 8),
    ("royalt", 9),
    ("conditions", 10),
    ("distribut", 11),
    ("notice", 12),
    ("copies", 13),
];

/// The family of copyright markers among [`TEXT_MARKERS`]' families.
const COPYRIGHT_FAMILY: u8 = 14;

/// Markers further apart than this (in bytes) start a new region.
const MARKER_GAP: u64 = 3 * 1024;

/// How many marker families a region needs to be matched.
const MIN_FAMILIES: usize = 2;

/// How many marker hits a region needs to be matched.
const MIN_MARKERS: usize = 3;

/// How far (in bytes) a region is extended before its first and after its
/// last marker, to the paragraph's bounds, and within how many bytes of the
/// start or end of a file it is extended to them (a licence's title).
const REGION_CONTEXT: usize = 1024;

/// The largest region matched against the SPDX texts (the longest SPDX
/// text, APL-1.0, is 45 KB).
const MAX_REGION: usize = 64 * 1024;

/// How many marker hits per KiB a region (or a whole file) needs to be
/// matched: licence texts are dense in licence words (the sparsest SPDX
/// texts in English have three per KiB), prose that mentions a licence is not.
const MIN_DENSITY: f64 = 1.5;

/// How many regions are matched per window.
const MAX_TEXT_REGIONS: usize = 4;

/// A file up to this size with [`MIN_MARKERS_SMALL`] marker hits is matched
/// whole: short licences and exceptions hold few licence words.
const SMALL_FILE: usize = 4 * 1024;

/// How many marker hits a small file needs to be matched.
const MIN_MARKERS_SMALL: usize = 2;

/// How many lines before a matched licence text, each of at most
/// [`TITLE_LENGTH`] bytes, are taken as its title and copyright lines.
const TITLE_LINES: usize = 4;

/// See [`TITLE_LINES`].
const TITLE_LENGTH: usize = 100;

/// How many lines before or after a matched licence text, up to the file's
/// ends, still belong to it (a licence's appendix on how to apply it, which
/// the matcher leaves out but which names other licences).
const MAX_TEXT_TAIL: usize = 25;

/// What one pattern of [`LicenseDetector::patterns`] stands for.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Tag,
    Phrase(usize),
    /// A phrase that introduces a licence statement ([`statements::LEADS`]).
    Lead,
    /// A GNU licence's short name with a version (`GPLv2+`, `LGPL-2.1`).
    GnuShort,
    Trigger,
    Copyright,
    Marker(u8),
}

/// The detector of licences and copyright statements.
#[derive(Debug)]
pub struct LicenseDetector {
    matcher: TextMatcher,
    policy: Option<LicensePolicy>,
    expected_holders: Vec<String>,
    kinds: Vec<Kind>,
}

/// One licence found, before policy and deduplication.
struct Found {
    offset: u64,
    line_col: Option<(u32, u32)>,
    /// The region the licence was found in: first and last line, 1-based.
    lines: Option<(u32, u32)>,
    /// Full text, notice, reference, tag or declared.
    kind: LicenceKind,
    /// The share of the rule the region matched (1 for a notice, a tag or
    /// a reference; the matcher's score for a text).
    coverage: f32,
    licence: Licence,
    source: String,
    snippet: Option<String>,
}

enum Licence {
    /// An expression from a tag or a notice.
    Expression(String, Box<Expression>),
    /// A matched text: the store's identifier and its aliases.
    Text(text::TextMatch),
    /// A declaration that cannot be mapped, with the reason.
    Unknown(String, String),
}

impl Licence {
    fn key(&self) -> String {
        match self {
            Licence::Expression(text, _) => text.clone(),
            Licence::Text(m) => m.license.clone(),
            Licence::Unknown(text, _) => format!("unknown:{text}"),
        }
    }
}

impl LicenseDetector {
    pub(crate) fn new(options: LicenseOptions) -> Result<Self, crate::Error> {
        let mut kinds = vec![Kind::Tag];
        kinds.extend((0..PHRASES.len()).map(Kind::Phrase));
        kinds.extend(statements::LEADS.iter().map(|_| Kind::Lead));
        kinds.extend(GNU_SHORT.iter().map(|_| Kind::GnuShort));
        kinds.extend(TEXT_TRIGGERS.iter().map(|_| Kind::Trigger));
        kinds.extend(COPYRIGHT_MARKERS.iter().map(|_| Kind::Copyright));
        kinds.extend(TEXT_MARKERS.iter().map(|&(_, family)| Kind::Marker(family)));
        Ok(LicenseDetector {
            matcher: TextMatcher::load_in_background()?,
            policy: options.policy,
            expected_holders: options
                .expected_holders
                .into_iter()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .collect(),
            kinds,
        })
    }

    /// The text matcher, for accuracy measurements.
    pub fn matcher(&self) -> &TextMatcher {
        &self.matcher
    }

    /// Finds tags and notices in a window.
    fn declarations(&self, window: &Window<'_>, hits: &[Hit], found: &mut Vec<Found>) {
        let mut tag_lines = Vec::new();
        for hit in hits {
            match self.kinds[hit.pattern] {
                Kind::Tag => {
                    let (line_start, line) = window.line_around(hit.start, 400);
                    let from = window.index(hit.end) - window.index(line_start);
                    let after = String::from_utf8_lossy(line.get(from..).unwrap_or_default());
                    let Some(value) = notices::tag_value(&after) else {
                        continue;
                    };
                    tag_lines.push(line_start);
                    let licence = match notices::parse_expression(value) {
                        Ok(expression) => {
                            Licence::Expression(value.to_owned(), Box::new(expression))
                        }
                        Err(reason) => Licence::Unknown(value.to_owned(), reason),
                    };
                    let line_col = window.line_col(hit.start);
                    found.push(Found {
                        offset: hit.start,
                        line_col: Some(line_col),
                        lines: Some((line_col.0, line_col.0)),
                        kind: LicenceKind::Tag,
                        coverage: 1.0,
                        licence,
                        source: "SPDX-License-Identifier".to_owned(),
                        snippet: Some(visible_snippet(line, 160)),
                    });
                }
                Kind::Phrase(index) => {
                    let (phrase, resolve) = PHRASES[index];
                    let (line_start, line) = window.line_around(hit.start, 200);
                    if tag_lines.contains(&line_start) || !word_bounded(window, hit.start, hit.end)
                    {
                        continue;
                    }
                    let after = String::from_utf8_lossy(window.slice(hit.end, hit.end + 600));
                    let after = strip_markers_per_line(&after);
                    let licence = match notices::resolve(resolve, &after) {
                        Notice::License(id) => match notices::parse_expression(&id) {
                            Ok(e) => Licence::Expression(id, Box::new(e)),
                            Err(reason) => Licence::Unknown(id, reason),
                        },
                        Notice::Unversioned(name) => Licence::Unknown(
                            name.to_owned(),
                            format!("the {name} is named without a version"),
                        ),
                        Notice::GnuProject => {
                            // Named by its GNU notice when there is one.
                            let ahead = window.slice(hit.end, hit.end + 2000).to_ascii_lowercase();
                            if memchr::memmem::find(&ahead, b"general public license").is_some() {
                                continue;
                            }
                            Licence::Unknown(
                                "GNU project".to_owned(),
                                "part of a GNU project, without a recognisable licence notice"
                                    .to_owned(),
                            )
                        }
                    };
                    found.push(Found {
                        offset: hit.start,
                        line_col: Some(window.line_col(hit.start)),
                        lines: Some((
                            window.line_col(hit.start).0,
                            window.line_col(sentence_end(window, hit.end)).0,
                        )),
                        kind: LicenceKind::Notice,
                        coverage: 1.0,
                        licence,
                        source: format!("notice \u{201c}{phrase}\u{201d}"),
                        snippet: Some(visible_snippet(line, 160)),
                    });
                }
                Kind::Lead | Kind::GnuShort => {
                    let (line_start, line) = window.line_around(hit.start, 400);
                    if tag_lines.contains(&line_start) {
                        continue;
                    }
                    // The word that holds a short GNU name (`LGPLv2`), not
                    // a URL's path (`/licenses/gpl-2.0.html`).
                    let mut from = hit.start;
                    if matches!(self.kinds[hit.pattern], Kind::GnuShort) {
                        let before = window.slice(hit.start.saturating_sub(2), hit.start);
                        if let Some(&b) = before.last()
                            && (b == b'l' || b == b'a' || b == b'L' || b == b'A')
                        {
                            from -= 1;
                        }
                        let prev = window.slice(from.saturating_sub(1), from);
                        if prev
                            .first()
                            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'/')
                        {
                            continue;
                        }
                    } else if window
                        .slice(hit.start.saturating_sub(1), hit.start)
                        .first()
                        .is_some_and(|b| b.is_ascii_alphanumeric())
                    {
                        continue;
                    }
                    let sentence = String::from_utf8_lossy(
                        window.slice(from, from + statements::SENTENCE as u64),
                    );
                    let sentence = strip_markers_per_line(&sentence);
                    let Some(expression) = statements::named(&sentence) else {
                        // Licence-like text that maps to no identifier is
                        // reported, not dropped.
                        if let Some(name) = statements::unnamed(&sentence) {
                            found.push(Found {
                                offset: hit.start,
                                line_col: Some(window.line_col(hit.start)),
                                lines: Some((
                                    window.line_col(hit.start).0,
                                    window.line_col(sentence_end(window, hit.end)).0,
                                )),
                                kind: LicenceKind::Notice,
                                coverage: 0.0,
                                licence: Licence::Unknown(
                                    name.clone(),
                                    format!("\u{201c}{name}\u{201d} names no SPDX licence"),
                                ),
                                source: "licence statement".to_owned(),
                                snippet: Some(visible_snippet(line, 160)),
                            });
                        }
                        continue;
                    };
                    let licence = match notices::parse_expression(&expression) {
                        Ok(e) => Licence::Expression(expression, Box::new(e)),
                        Err(reason) => Licence::Unknown(expression, reason),
                    };
                    found.push(Found {
                        offset: hit.start,
                        line_col: Some(window.line_col(hit.start)),
                        lines: Some((
                            window.line_col(hit.start).0,
                            window.line_col(sentence_end(window, hit.end)).0,
                        )),
                        kind: LicenceKind::Notice,
                        coverage: 1.0,
                        licence,
                        source: "licence statement".to_owned(),
                        snippet: Some(visible_snippet(line, 160)),
                    });
                }
                Kind::Marker(0) => {
                    // A README's licence section that starts with its licence
                    // (`## License` then `MIT © Jane Doe`).
                    let (line_start, line) = window.line_around(hit.start, 200);
                    // Cheap checks first: this runs for every "licens".
                    let trimmed = line.trim_ascii();
                    if trimmed.len() > 40
                        || !(trimmed.starts_with(b"#")
                            || trimmed.starts_with(b"**")
                            || trimmed.len() <= 12)
                    {
                        continue;
                    }
                    let line_end = line_start + line.len() as u64;
                    let rest = window.slice(line_end, line_end + 400);
                    let rest = String::from_utf8_lossy(rest);
                    let mut next = rest.split('\n').map(str::trim).skip(1);
                    let heading = String::from_utf8_lossy(line);
                    let following = next.clone().next();
                    if !statements::is_licence_heading(&heading, following) {
                        continue;
                    }
                    let Some(first) =
                        next.find(|l| !l.is_empty() && !l.bytes().all(|b| b == b'=' || b == b'-'))
                    else {
                        continue;
                    };
                    let Some(expression) = statements::section_start(first) else {
                        continue;
                    };
                    let Ok(parsed) = notices::parse_expression(&expression) else {
                        continue;
                    };
                    let line_no = window.line_col(hit.start).0;
                    found.push(Found {
                        offset: hit.start,
                        line_col: Some(window.line_col(hit.start)),
                        lines: Some((line_no, line_no + 2)),
                        kind: LicenceKind::Reference,
                        coverage: 1.0,
                        licence: Licence::Expression(expression, Box::new(parsed)),
                        source: "licence section".to_owned(),
                        snippet: Some(visible_snippet(first.as_bytes(), 160)),
                    });
                }
                Kind::Trigger | Kind::Copyright | Kind::Marker(_) => {}
            }
        }
    }

    /// Matches header comments that contain licence-text triggers.
    fn header_texts(
        &self,
        window: &Window<'_>,
        hits: &[Hit],
        regions: &[(u64, u64)],
        found: &mut Vec<Found>,
    ) {
        let mut done: Vec<(usize, usize)> = Vec::new();
        for hit in hits {
            if !matches!(self.kinds[hit.pattern], Kind::Trigger) || within(regions, hit.start) {
                continue;
            }
            let at = window.index(hit.start);
            if done.iter().any(|&(s, e)| s <= at && at < e) || done.len() >= MAX_HEADER_MATCHES {
                continue;
            }
            let (start, end, block) = text::comment_block(window.bytes(), at);
            done.push((start, end.max(at + 1)));
            if let Some(m) = self.matcher.identify_header(&block) {
                let offset = window.offset() + start as u64;
                {
                    found.push(Found {
                        offset,
                        line_col: Some(window.line_col(offset)),
                        lines: Some((
                            window.line_col(offset).0,
                            window
                                .line_col(window.offset() + end.saturating_sub(1).max(start) as u64)
                                .0,
                        )),
                        kind: if m.full_text {
                            LicenceKind::Text
                        } else {
                            LicenceKind::Notice
                        },
                        coverage: m.score,
                        source: text_source(&m),
                        licence: Licence::Text(m),
                        snippet: None,
                    });
                }
            }
        }
    }

    /// Licence texts outside licence files: regions of the window where
    /// licence-text markers gather, matched against every SPDX text. Returns
    /// each identified full text and the file offsets `[start, end)` it
    /// covers; a code file's comments are left to [`Self::header_texts`].
    fn full_texts(
        &self,
        file: &FileInfo<'_>,
        window: &Window<'_>,
        hits: &[Hit],
    ) -> (Vec<Found>, Vec<(u64, u64)>) {
        let mut found = Vec::new();
        let mut regions = Vec::new();
        if is_code_file(file.file_name()) {
            return (found, regions);
        }
        let markers = hits.iter().filter_map(|hit| match self.kinds[hit.pattern] {
            Kind::Marker(family) => Some((hit, family)),
            Kind::Copyright => Some((hit, COPYRIGHT_FAMILY)),
            _ => None,
        });
        // Clusters of markers: (first start, last end, families, hits).
        let mut clusters: Vec<(u64, u64, u32, usize)> = Vec::new();
        for (hit, family) in markers {
            match clusters.last_mut() {
                Some(last) if hit.start <= last.1 + MARKER_GAP => {
                    last.1 = last.1.max(hit.end);
                    last.2 |= 1 << family;
                    last.3 += 1;
                }
                _ => clusters.push((hit.start, hit.end, 1 << family, 1)),
            }
        }
        let bytes = window.bytes();
        let dense = |count: usize, bytes: u64| count as f64 * 1024.0 >= MIN_DENSITY * bytes as f64;
        let qualifies = |&&(first, last, families, count): &&(u64, u64, u32, usize)| {
            (families.count_ones() as usize) >= MIN_FAMILIES
                && count >= MIN_MARKERS
                && dense(count, last - first)
        };
        let markers: usize = clusters.iter().map(|c| c.3).sum();
        // A file that is mostly licence words (a licence text under any
        // name) is matched whole, as a licence file is: the matcher finds
        // the licences in its sub-ranges.
        let span = match (clusters.first(), clusters.last()) {
            (Some(first), Some(last)) => window.index(last.1) - window.index(first.0),
            _ => 0,
        };
        let whole_file = window.offset() == 0
            && window.is_last()
            && bytes.len() <= MAX_REGION
            && span * 2 >= bytes.len()
            && dense(markers, bytes.len() as u64)
            && (clusters.iter().any(|c| qualifies(&c))
                || (bytes.len() <= SMALL_FILE && markers >= MIN_MARKERS_SMALL));
        // Otherwise each region where markers gather: the comment block
        // around them (the same header in every file of a project is one
        // cached match), or the paragraphs around them.
        let mut to_match: Vec<(usize, usize, Cow<'_, str>)> = Vec::new();
        if whole_file {
            to_match.push((0, bytes.len(), String::from_utf8_lossy(bytes)));
        } else {
            for &(first, last, _, _) in clusters.iter().filter(qualifies) {
                let at = window.index(first);
                if to_match.len() >= MAX_TEXT_REGIONS
                    || to_match.iter().any(|(s, e, _)| *s <= at && at < *e)
                {
                    continue;
                }
                let (_, line) = window.line_around(first, 400);
                let line = String::from_utf8_lossy(line);
                if text::is_comment_line(line.trim()) {
                    let (start, end, block) = text::comment_block(bytes, at);
                    to_match.push((start, end.max(start), Cow::Owned(block)));
                } else {
                    let (start, end) = text_region(
                        bytes,
                        at,
                        window.index(last),
                        window.offset() == 0,
                        window.is_last(),
                    );
                    to_match.push((start, end, String::from_utf8_lossy(&bytes[start..end])));
                }
            }
        }
        for (start, end, text) in to_match {
            let region = &bytes[start..end];
            let TextVerdict::Found(matches) = self.matcher.identify(&text) else {
                continue;
            };
            let line_starts: Vec<usize> = std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', region).map(|i| i + 1))
                .collect();
            let at = |line: usize| {
                line_starts
                    .get(line)
                    .map_or(region.len(), |&i| i.min(region.len()))
            };
            let matches: Vec<_> = matches.into_iter().filter(|m| m.full_text).collect();
            let total_lines = line_starts.len();
            for (i, m) in matches.iter().enumerate() {
                // The lines before and after the text up to the region's
                // ends belong to it when they are few and hold no other text.
                let tail = MAX_TEXT_TAIL.min((m.lines.1 - m.lines.0) / 5).max(5);
                let free = |from: usize, to: usize| {
                    matches
                        .iter()
                        .enumerate()
                        .all(|(j, o)| j == i || o.lines.1 <= from || o.lines.0 >= to)
                };
                let mut first_line = if m.lines.0 <= tail && free(0, m.lines.0) {
                    0
                } else {
                    m.lines.0
                };
                // The matcher leaves out a text's title and copyright lines:
                // a few short lines just before it are its own.
                let mut title_lines = 0;
                while first_line > 0
                    && title_lines < TITLE_LINES
                    && free(first_line - 1, first_line)
                    && region[at(first_line - 1)..at(first_line)]
                        .trim_ascii()
                        .len()
                        <= TITLE_LENGTH
                {
                    first_line -= 1;
                    title_lines += 1;
                }
                let last_line = if total_lines.saturating_sub(m.lines.1) <= tail
                    && free(m.lines.1, total_lines)
                {
                    total_lines
                } else {
                    m.lines.1
                };
                let from = window.offset() + (start + at(first_line)) as u64;
                let to = window.offset() + (start + at(last_line)) as u64;
                let m = m.clone();
                regions.push((from, to.max(from + 1)));
                found.push(Found {
                    offset: from,
                    line_col: Some(window.line_col(from)),
                    lines: Some((
                        window.line_col(from).0,
                        window.line_col(to.saturating_sub(1).max(from)).0,
                    )),
                    kind: LicenceKind::Text,
                    coverage: m.score,
                    source: text_source(&m),
                    licence: Licence::Text(m),
                    snippet: None,
                });
            }
        }
        (found, regions)
    }

    /// Copyright statements, one per line.
    fn copyrights(
        &self,
        file: &FileInfo<'_>,
        window: &Window<'_>,
        hits: &[Hit],
        regions: &[(u64, u64)],
        sink: &mut dyn Sink,
    ) {
        let licence_file = is_license_file(file.file_name());
        let mut last_line = None;
        // Identical statements are reported once per window, and at most
        // MAX_STATEMENTS distinct ones, so a generated file cannot flood the report.
        let mut seen: Vec<(String, Vec<(u16, u16)>)> = Vec::new();
        let mut parsed = 0;
        for hit in hits {
            if !matches!(self.kinds[hit.pattern], Kind::Copyright) {
                continue;
            }
            if parsed >= MAX_PARSED_STATEMENTS || seen.len() >= MAX_STATEMENTS {
                break;
            }
            let (line_start, line) = window.line_around(hit.start, 400);
            if last_line == Some(line_start) {
                continue;
            }
            let before = window.slice(hit.start.saturating_sub(1), hit.start);
            if before
                .first()
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
            {
                continue;
            }
            let from = window.index(hit.start) - window.index(line_start);
            let prefix = String::from_utf8_lossy(&line[..from]);
            let opens_line = strip_markers_per_line(&prefix).trim().is_empty();
            let rest = String::from_utf8_lossy(&line[from..]);
            parsed += 1;
            let Some(statement) = copyright::parse_statement(&rest, opens_line) else {
                continue;
            };
            last_line = Some(line_start);
            let identity = (statement.key(), statement.years.clone());
            if seen.contains(&identity) {
                continue;
            }
            seen.push(identity);
            let line_col = window.line_col(hit.start);
            let snippet = visible_snippet(line, 160);
            sink.emit(
                Emit::at(
                    &rules::COPYRIGHT,
                    line_col,
                    copyright_message(&statement),
                    statement.key().into_bytes(),
                )
                .with_snippet(snippet.clone()),
            );
            if self.is_foreign(&statement, licence_file || within(regions, hit.start)) {
                sink.emit(
                    Emit::at(
                        &rules::FOREIGN_COPYRIGHT,
                        line_col,
                        format!(
                            "Copyright held by {}, not by an expected holder ({})",
                            statement,
                            self.expected_holders.join(", ")
                        ),
                        statement.key().into_bytes(),
                    )
                    .with_snippet(snippet),
                );
            }
        }
    }

    fn is_foreign(&self, statement: &CopyrightStatement, licence_file: bool) -> bool {
        if self.expected_holders.is_empty() {
            return false;
        }
        // Licence texts carry their steward's copyright (the GPL's "Copyright
        // (C) 2007 Free Software Foundation"): that is not copied code.
        if licence_file && statement.key().contains("free software foundation") {
            return false;
        }
        !self
            .expected_holders
            .iter()
            .any(|expected| copyright::holder_matches(&statement.holder, expected))
    }

    /// Deduplicates and reports licences against the policy.
    fn report(&self, mut found: Vec<Found>, sink: &mut dyn Sink) {
        found.sort_by_key(|f| f.offset);
        resolve_overlaps(&mut found);
        let has_versioned = |prefix: &str| {
            found.iter().any(|f| match &f.licence {
                Licence::Expression(e, _) => e.contains(prefix),
                Licence::Text(m) => m.license.contains(prefix),
                Licence::Unknown(..) => false,
            })
        };
        let mut seen: Vec<String> = Vec::new();
        for f in &found {
            if let Licence::Unknown(name, _) = &f.licence {
                let family = match name.as_str() {
                    "GNU GPL" => Some("GPL-"),
                    "GNU LGPL" => Some("LGPL-"),
                    "GNU AGPL" => Some("AGPL-"),
                    "Mozilla Public License" => Some("MPL-"),
                    "Eclipse Public License" => Some("EPL-"),
                    _ => None,
                };
                if family.is_some_and(has_versioned) {
                    continue;
                }
            }
            let key = f.licence.key();
            if seen.contains(&key) {
                continue;
            }
            // A licence found as a full text and otherwise (the heading of
            // the README section that holds the text) is the text.
            let f = if f.kind == LicenceKind::Text {
                f
            } else {
                found
                    .iter()
                    .find(|o| o.kind == LicenceKind::Text && o.licence.key() == key)
                    .unwrap_or(f)
            };
            seen.push(key.clone());
            let emit = self.judge(f, key);
            let emit = match &f.snippet {
                Some(s) => emit.with_snippet(s.clone()),
                None => emit,
            };
            sink.emit(emit);
        }
    }

    /// One finding for one licence: detected, denied or unknown.
    fn judge(&self, f: &Found, key: String) -> Emit {
        let make = |rule: &'static Rule, message: String| Emit {
            rule,
            line_col: f.line_col,
            message,
            evidence: None,
            key: key.clone().into_bytes(),
            licence: Some(licence_match(f)),
        };
        let (shown, verdict) = match &f.licence {
            Licence::Unknown(text, reason) => {
                return make(
                    &rules::UNKNOWN,
                    format!(
                        "Licence `{text}` cannot be mapped to SPDX ({}): {reason}",
                        describe(f)
                    ),
                );
            }
            Licence::Expression(text, expression) => (
                text.clone(),
                self.policy.as_ref().map(|p| p.evaluate(expression)),
            ),
            Licence::Text(m) => {
                // Identical texts: denied when any of the identifiers is.
                let verdict = self.policy.as_ref().map(|p| {
                    let mut reasons = Vec::new();
                    for id in std::iter::once(&m.license).chain(&m.aliases) {
                        if let Ok(e) = notices::parse_expression(id)
                            && let Err(r) = p.evaluate(&e)
                        {
                            reasons.extend(r);
                        }
                    }
                    if reasons.is_empty() {
                        Ok(())
                    } else {
                        Err(reasons)
                    }
                });
                (m.license.clone(), verdict)
            }
        };
        match verdict {
            Some(Err(reasons)) => make(
                &rules::DENIED,
                format!(
                    "Licence `{shown}` is not allowed by the licence policy: {} ({})",
                    reasons.join("; "),
                    describe(f)
                ),
            ),
            _ => make(
                &rules::DETECTED,
                format!("Licence `{shown}` ({})", describe(f)),
            ),
        }
    }
}

impl Detector for LicenseDetector {
    fn name(&self) -> &'static str {
        "licenses"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &rules::ALL
    }

    fn patterns(&self) -> Vec<Pattern> {
        let mut patterns = vec![Pattern::new(notices::SPDX_TAG, Scope::Text)];
        patterns.extend(PHRASES.iter().map(|(p, _)| Pattern::new(p, Scope::Text)));
        patterns.extend(
            statements::LEADS
                .iter()
                .map(|p| Pattern::new(p, Scope::Text)),
        );
        patterns.extend(GNU_SHORT.iter().map(|p| Pattern::new(p, Scope::Text)));
        patterns.extend(TEXT_TRIGGERS.iter().map(|p| Pattern::new(p, Scope::Text)));
        patterns.extend(
            COPYRIGHT_MARKERS
                .iter()
                .map(|p| Pattern::new(p, Scope::Text)),
        );
        patterns.extend(
            TEXT_MARKERS
                .iter()
                .map(|(p, _)| Pattern::new(p, Scope::Text)),
        );
        patterns
    }

    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        // Licence files read whole are judged by `check_whole`.
        if is_license_file(file.file_name()) && file.size.is_some_and(|s| s <= WHOLE_FILE_LIMIT) {
            self.copyrights(file, window, hits, &[], sink);
            return;
        }
        let (mut found, regions) = self.full_texts(file, window, hits);
        self.copyrights(file, window, hits, &regions, sink);
        // A licence text gives its licence, not the licences it names: tags,
        // notices and headers inside a matched text are part of it.
        let mut others = Vec::new();
        self.declarations(window, hits, &mut others);
        self.header_texts(window, hits, &regions, &mut others);
        found.extend(others.into_iter().filter(|f| !within(&regions, f.offset)));
        self.report(found, sink);
    }

    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        (file.class == FileClass::Text && is_license_file(file.file_name()))
            .then_some(WHOLE_FILE_LIMIT)
    }

    fn check_whole(&self, file: &FileInfo<'_>, content: &[u8], sink: &mut dyn Sink) {
        let text = String::from_utf8_lossy(content);
        if text.trim().is_empty() {
            return;
        }
        match self.matcher.identify(&text) {
            TextVerdict::Found(matches) => {
                let found = matches
                    .into_iter()
                    .map(|m| Found {
                        offset: 0,
                        line_col: None,
                        lines: Some((m.lines.0 as u32 + 1, m.lines.1.max(m.lines.0 + 1) as u32)),
                        kind: if m.full_text {
                            LicenceKind::Text
                        } else {
                            LicenceKind::Notice
                        },
                        coverage: m.score,
                        source: text_source(&m),
                        licence: Licence::Text(m),
                        snippet: None,
                    })
                    .collect();
                self.report(found, sink);
            }
            TextVerdict::Unknown { closest, score } => {
                // A short licence file may just name its licence.
                let window = Window::whole(content);
                let hits = naive_hits(&self.patterns(), content);
                let mut found = Vec::new();
                self.declarations(&window, &hits, &mut found);
                if !found.is_empty() {
                    self.report(found, sink);
                } else if is_strict_license_name(file.file_name()) {
                    sink.emit(Emit::file(
                        &rules::UNKNOWN_TEXT,
                        format!(
                            "Licence file matches no known licence (closest: {closest}, \
                             confidence {score:.2}, below {:.2})",
                            text::PROBABLE
                        ),
                        format!("unknown-text:{}", file.file_name()).into_bytes(),
                    ));
                }
            }
        }
    }
}

/// The identifiers of an expression's terms.
fn term_ids(expression: &Expression) -> Vec<String> {
    expression
        .requirements()
        .map(|r| crate::policy::canonical_license(&r.req.license))
        .collect()
}

/// GNU licences read from a notice that names no version.
const ANY_VERSION: &[&str] = &["GPL-1.0-or-later", "LGPL-2.0-or-later", "AGPL-3.0-or-later"];

/// Resolves overlapping statements of one file: a licence named alone near
/// a statement that names it with others (`Apache-2.0` inside "Apache-2.0
/// OR MIT") is part of that statement, and a GNU licence named without a
/// version gives way to a version of the same licence found in the file.
fn resolve_overlaps(found: &mut Vec<Found>) {
    const NEAR: u32 = 12;
    let expressions: Vec<(Vec<String>, (u32, u32))> = found
        .iter()
        .filter_map(|f| match &f.licence {
            Licence::Expression(_, e) => Some((term_ids(e), f.lines.unwrap_or((0, 0)))),
            _ => None,
        })
        .collect();
    let mut keep = vec![true; found.len()];
    for (i, f) in found.iter().enumerate() {
        let Licence::Expression(_, e) = &f.licence else {
            continue;
        };
        let ids = term_ids(e);
        let (a, b) = f.lines.unwrap_or((0, 0));
        let within_compound = ids.len() == 1
            && expressions.iter().any(|(others, (c, d))| {
                others.len() > 1 && others.contains(&ids[0]) && *c <= b + NEAR && a <= *d + NEAR
            });
        let any_version = ids.len() == 1
            && ANY_VERSION.contains(&ids[0].as_str())
            && expressions.iter().any(|(others, _)| {
                others
                    .iter()
                    .any(|o| o != &ids[0] && o.split('-').next() == ids[0].split('-').next())
            });
        if within_compound || any_version {
            keep[i] = false;
        }
    }
    let mut index = 0;
    found.retain(|_| {
        index += 1;
        keep[index - 1]
    });
}

/// A licence found, as the finding's data.
fn licence_match(f: &Found) -> LicenceMatch {
    let (expression, rule_coverage, region_coverage) = match &f.licence {
        Licence::Expression(text, _) => (text.clone(), f.coverage, f.coverage),
        Licence::Text(m) => (m.license.clone(), m.rule_coverage, m.region_coverage),
        Licence::Unknown(text, _) => (text.clone(), f.coverage, f.coverage),
    };
    LicenceMatch {
        expression,
        kind: f.kind,
        lines: f.lines,
        rule_coverage: Share::new(rule_coverage),
        region_coverage: Share::new(region_coverage),
    }
}

/// Where and how a licence was found, for its message: the source, the
/// kind, the region's lines and the coverage.
fn describe(f: &Found) -> String {
    let lines = match f.lines {
        Some((a, b)) if a == b => format!(", line {a}"),
        Some((a, b)) => format!(", lines {a}\u{2013}{b}"),
        None => String::new(),
    };
    format!(
        "{}; kind {}{lines}, coverage {:.2}",
        f.source,
        f.kind.as_str(),
        f.coverage
    )
}

/// The end of the sentence that starts before `from`: a full stop followed
/// by a space, a blank line, or 400 bytes on.
fn sentence_end(window: &Window<'_>, from: u64) -> u64 {
    let after = window.slice(from, from + 400);
    let mut end = after.len();
    for (i, pair) in after.windows(2).enumerate() {
        if (pair[0] == b'.' && pair[1].is_ascii_whitespace()) || pair == b"\n\n" {
            end = i + 1;
            break;
        }
    }
    from + end.saturating_sub(1) as u64
}

fn text_source(m: &text::TextMatch) -> String {
    let certainty = match (m.score >= IDENTIFIED, m.is_exception()) {
        (true, false) => "licence text",
        (false, false) => "probably this licence text",
        (true, true) => "licence exception text",
        (false, true) => "probably this licence exception text",
    };
    let aliases = if m.aliases.is_empty() {
        String::new()
    } else {
        format!(", same text as {}", m.aliases.join(", "))
    };
    format!("{certainty}, confidence {:.2}{aliases}", m.score)
}

fn copyright_message(statement: &CopyrightStatement) -> String {
    if statement.years.is_empty() {
        format!("Copyright held by {}", statement.holder)
    } else {
        format!(
            "Copyright held by {}, years {}",
            statement.holder,
            statement.years_text()
        )
    }
}

/// The hits of `patterns` in `content`, as the engine would find them.
fn naive_hits(patterns: &[Pattern], content: &[u8]) -> Vec<Hit> {
    let lowered = content.to_ascii_lowercase();
    let mut hits = Vec::new();
    for (index, pattern) in patterns.iter().enumerate() {
        let needle = pattern.bytes.to_ascii_lowercase();
        for start in memchr::memmem::find_iter(&lowered, &needle) {
            hits.push(Hit {
                pattern: index,
                start: start as u64,
                end: (start + needle.len()) as u64,
            });
        }
    }
    hits.sort_by_key(|h| (h.start, h.pattern));
    hits
}

/// Whether file offset `at` lies in one of `regions`.
fn within(regions: &[(u64, u64)], at: u64) -> bool {
    regions.iter().any(|&(start, end)| start <= at && at < end)
}

/// The region of `bytes` matched for the markers from index `first` to
/// `last`: extended to the paragraphs around them (at most
/// [`REGION_CONTEXT`] bytes each way), to the start and end of the file
/// when they are that close, and bounded to [`MAX_REGION`] bytes.
fn text_region(
    bytes: &[u8],
    first: usize,
    last: usize,
    starts_file: bool,
    ends_file: bool,
) -> (usize, usize) {
    let first = first.min(bytes.len());
    let last = last.clamp(first, bytes.len());
    let start = if starts_file && first <= REGION_CONTEXT {
        0
    } else {
        let lo = first.saturating_sub(REGION_CONTEXT);
        let before = &bytes[lo..first];
        match memchr::memmem::rfind(before, b"\n\n") {
            Some(i) => lo + i + 2,
            None => memchr::memchr(b'\n', before).map_or(first, |i| lo + i + 1),
        }
    };
    let end = if ends_file && bytes.len() - last <= REGION_CONTEXT {
        bytes.len()
    } else {
        let hi = (last + REGION_CONTEXT).min(bytes.len());
        let after = &bytes[last..hi];
        match memchr::memmem::find(after, b"\n\n") {
            Some(i) => last + i,
            None => memchr::memrchr(b'\n', after).map_or(hi, |i| last + i),
        }
    };
    let end = end.min(start + MAX_REGION);
    (start, end.max(start))
}

/// Phrases must not be part of longer words (`submit license` is not MIT).
fn word_bounded(window: &Window<'_>, start: u64, end: u64) -> bool {
    let is_word = |b: &u8| b.is_ascii_alphanumeric();
    !window
        .slice(start.saturating_sub(1), start)
        .first()
        .is_some_and(is_word)
        && !window.slice(end, end + 1).first().is_some_and(is_word)
}

/// Joins lines with their comment markers removed, so that a notice wrapped
/// over comment lines reads as one sentence.
fn strip_markers_per_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(if i == 0 {
            line
        } else {
            text::strip_comment_markers(line)
        });
    }
    out
}

/// Extensions of files that are code or data, never licence texts.
const CODE_EXTENSIONS: &[&str] = &[
    "rs", "py", "js", "mjs", "cjs", "ts", "go", "java", "kt", "c", "h", "cc", "cpp", "hpp", "cs",
    "rb", "php", "swift", "scala", "json", "toml", "yaml", "yml", "xml", "html", "htm", "css",
    "sh", "ps1", "bat", "sql", "lock", "svg", "png", "jpg", "gif", "pdf", "vue", "jsx", "tsx",
];

/// Whether a file name has the extension of code or data (where licence
/// texts sit in comments, matched as headers).
fn is_code_file(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| CODE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Whether a file name is that of a licence, copying, notice or copyright
/// file (`LICENSE`, `LICENSE-MIT`, `COPYING.LESSER`, `NOTICE.txt`, `MIT-LICENSE`).
pub fn is_license_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if let Some((_, ext)) = lower.rsplit_once('.')
        && CODE_EXTENSIONS.contains(&ext)
    {
        return false;
    }
    is_strict_license_name(name)
        || [
            "notice",
            "copyright",
            "third-party-notices",
            "thirdpartynotices",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Names that promise a licence text (not NOTICE or COPYRIGHT files, which
/// often hold only attributions).
fn is_strict_license_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if ["license", "licence", "copying", "unlicense"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    // `MIT-LICENSE.txt`, `apache_license`: only with a plain-text extension
    // (or none), so that data files of licence tools (scancode's thousands of
    // `*.LICENSE` and `*.RULE` texts) are not each matched as a licence file.
    let (stem, ext) = lower.rsplit_once('.').unwrap_or((&lower, ""));
    matches!(ext, "" | "txt" | "md" | "rst" | "text")
        && (stem.ends_with("-license") || stem.ends_with("_license") || stem.ends_with("-licence"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_file_names() {
        for yes in [
            "LICENSE",
            "LICENSE.md",
            "LICENSE-MIT",
            "licence.txt",
            "COPYING.LESSER",
            "NOTICE",
            "UNLICENSE",
            "MIT-LICENSE.txt",
        ] {
            assert!(is_license_file(yes), "{yes}");
        }
        for no in [
            "license.rs",
            "licenses.go",
            "README.md",
            "main.c",
            "package.json",
            "mut-license.license",
            "proprietary-license_661.rule",
        ] {
            assert!(!is_license_file(no), "{no}");
        }
        assert!(!is_strict_license_name("NOTICE"));
    }
}
