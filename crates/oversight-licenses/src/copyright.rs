//! Copyright statements: extraction of years and holders, and matching of
//! holders against the expected ones.
//!
//! A statement starts at `Copyright`, `(c)`, `©`, `&copy;` or
//! `SPDX-FileCopyrightText:` and runs to the end of its line. It is split into
//! years (`2019-2024`, `2015, 2017`) and a holder, which is normalised: comment
//! markers, `All rights reserved`, e-mail addresses and URLs in `<…>` and
//! trailing punctuation are removed. To keep prose (`the above copyright
//! notice`) and code (`copyright = …`) out, a statement needs a year, a
//! `(c)`/`©` mark, or to open its line with `Copyright` followed by a name.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// One copyright statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyrightStatement {
    /// The holder, normalised for display (`Acme GmbH`).
    pub holder: String,
    /// Year ranges, sorted and merged (`(2019, 2024)`); a single year is a
    /// range of one.
    pub years: Vec<(u16, u16)>,
}

impl CopyrightStatement {
    /// The years as written in messages: `2015, 2017-2019`.
    pub fn years_text(&self) -> String {
        let parts: Vec<String> = self
            .years
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        parts.join(", ")
    }

    /// The holder in comparable form (see [`holder_key`]).
    pub fn key(&self) -> String {
        holder_key(&self.holder)
    }
}

impl fmt::Display for CopyrightStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.years.is_empty() {
            write!(f, "{}", self.holder)
        } else {
            write!(f, "{} ({})", self.holder, self.years_text())
        }
    }
}

/// Leading markers, tried repeatedly (`Copyright (C)`, `Copyright ©`).
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:spdx-filecopyrighttext\s*:|copyright\b:?|copr\.|\(c\)|©|&copy;)")
        .expect("valid regex")
});

/// Years at the start of the rest of a statement.
static LEADING_YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^[\s,]*(?:(?:19|20)\d\d(?:\s*(?:-|–|—|to)\s*(?:(?:19|20)\d\d|\d\d|present|now))?[\s,;]*)+",
    )
    .expect("valid regex")
});

/// Years at the end of a holder (`Acme GmbH, 2019-2020`).
static TRAILING_YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[\s,(]+(?:(?:19|20)\d\d(?:\s*(?:-|–|—)\s*(?:(?:19|20)\d\d|present))?[\s,]*)+\)?[\s.]*$",
    )
    .expect("valid regex")
});

/// One year or range inside a years part.
static YEAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d\d)(?:\s*(?:-|–|—|to)\s*((?:19|20)\d\d|\d\d))?").expect("valid regex")
});

/// `<…>` holding an e-mail address or a URL, and bare e-mail addresses.
static CONTACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<[^<>]*(?:@|://|www\.)[^<>]*>|\([^()]*@[^()]*\)|\S+@\S+\.\S+|\bhttps?://\S+")
        .expect("valid regex")
});

static RESERVED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\ball\s+rights\s+reserved\b\.?").expect("valid regex"));

/// Words after `Copyright` that show prose, not a statement.
const PROSE_WORDS: &[&str] = &[
    "notice",
    "notices",
    "holder",
    "holders",
    "owner",
    "owners",
    "law",
    "laws",
    "statement",
    "statements",
    "and",
    "or",
    "to",
    "of",
    "on",
    "in",
    "is",
    "are",
    "for",
    "license",
    "licence",
    "protection",
    "information",
    "infringement",
    "claim",
    "claims",
    "act",
    "interest",
    "date",
    "year",
    "years",
    "page",
    "text",
    "line",
    "lines",
    "header",
    "headers",
    "file",
    "files",
    "this",
    "that",
    "may",
    "must",
    "shall",
    "will",
    "as",
    "with",
    "not",
    "no",
    "under",
    "other",
    "string",
    "field",
    "symbol",
    "sign",
    "policy",
    "status",
    "message",
    "terms",
    "permission",
    "treaty",
    "treaties",
    "ownership",
    "assignment",
    "agreement",
    "rights",
    "&",
    "+",
];

/// `text` with each Markdown link `[words](target)` replaced by its words:
/// READMEs write "Copyright © 2016, [Jon Schlinkert](https://github.com/…)".
fn without_markdown_links(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("](") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let words = &after[..close];
            let target = &after[close + 2..];
            let end = target.find(')')?;
            (!words.contains(['[', ']']) && !target[..end].contains(char::is_whitespace))
                .then_some((words, close + 2 + end + 1))
        });
        match link {
            Some((words, used)) => {
                out.push_str(&rest[..open]);
                out.push_str(words);
                rest = &after[used..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Parses the statement that starts at `text` (the rest of a line from the
/// marker on). `line_start` tells whether the marker opens its line (after
/// comment characters).
pub fn parse_statement(text: &str, line_start: bool) -> Option<CopyrightStatement> {
    let text = text.get(..text.len().min(400)).unwrap_or(text);
    let unlinked = without_markdown_links(text);
    let text = unlinked.as_ref();
    let mut rest = text;
    let mut marks = Vec::new();
    let capitalised = text.trim_start().starts_with('C');
    while let Some(m) = MARKER.find(rest) {
        marks.push(m.as_str().trim().to_ascii_lowercase());
        rest = &rest[m.end()..];
    }
    if marks.is_empty() {
        return None;
    }
    let spdx = marks[0].starts_with("spdx");
    let symbol = marks
        .iter()
        .any(|m| m == "(c)" || m == "©" || m == "&copy;");
    let word = marks
        .iter()
        .any(|m| m.starts_with("copyright") || m == "copr.");
    // `copyright = …`, `copyright()` and `copyright.` are code or prose.
    if let Some(c) = rest.chars().next()
        && !c.is_whitespace()
        && !spdx
        && !symbol
    {
        return None;
    }
    let mut years = Vec::new();
    if let Some(m) = LEADING_YEARS.find(rest) {
        collect_years(m.as_str(), &mut years);
        rest = &rest[m.end()..];
    }
    let mut holder = clean_holder(rest);
    if let Some(m) = TRAILING_YEARS.find(&holder) {
        collect_years(m.as_str(), &mut years);
        holder.truncate(m.start());
        holder = clean_holder(&holder);
    }
    let holder = holder.trim_start_matches("by ").trim().to_owned();
    if !plausible_holder(&holder) {
        return None;
    }
    let first_word = holder
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // A bare `(c)` is too common in code and lists to count without a year.
    let only_paren_c = marks.iter().all(|m| m == "(c)");
    if only_paren_c && years.is_empty() {
        return None;
    }
    let strong = spdx || !years.is_empty() || symbol;
    // Without year or mark: `Copyright Name` opening its line, the name
    // capitalised (`copyright if you do not accept…` is prose).
    let weak = word
        && line_start
        && capitalised
        && holder.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && !PROSE_WORDS.contains(&first_word.as_str());
    if !(strong || weak) {
        return None;
    }
    if !spdx && years.is_empty() && PROSE_WORDS.contains(&first_word.as_str()) {
        return None;
    }
    Some(CopyrightStatement {
        holder,
        years: merge_years(years),
    })
}

fn collect_years(text: &str, years: &mut Vec<(u16, u16)>) {
    for c in YEAR_RANGE.captures_iter(text) {
        let start: u16 = c[1].parse().expect("four digits");
        let end = match c.get(2) {
            Some(e) if e.as_str().len() == 2 => {
                let short: u16 = e.as_str().parse().expect("two digits");
                start - start % 100 + short
            }
            Some(e) => e.as_str().parse().expect("four digits"),
            None => start,
        };
        if (1970..=2100).contains(&start) {
            years.push((start, end.clamp(start, 2100)));
        }
    }
}

/// Sorts year ranges and merges overlapping and adjacent ones.
fn merge_years(mut years: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    years.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::new();
    for (a, b) in years {
        match merged.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Removes contacts, `All rights reserved`, comment closers and punctuation.
fn clean_holder(text: &str) -> String {
    let text = CONTACT.replace_all(text, " ");
    let text = RESERVED.replace_all(&text, " ");
    let mut words: Vec<&str> = text.split_whitespace().collect();
    // Comment closers and decorations at the end of a header line.
    while let Some(last) = words.last() {
        if last.chars().all(|c| "*/#-=!>;|\\\"'`".contains(c)) {
            words.pop();
        } else {
            break;
        }
    }
    let joined = words.join(" ");
    joined
        .trim_matches(|c: char| ".,;:*/#\"'`)(|-–—".contains(c) || c.is_whitespace())
        .trim_end_matches(['"', '\'', '`'])
        .to_owned()
}

/// A holder has letters, is not a template placeholder and is not code.
fn plausible_holder(holder: &str) -> bool {
    let letters = holder.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && holder.len() <= 200
        && !holder.contains(['<', '>', '[', ']', '{', '}', '$', '%', '\\', '='])
        && !holder.to_ascii_lowercase().contains("yyyy")
}

/// The comparable form of a holder: lower case, punctuation removed, and
/// suffixes such as `and contributors` or `Inc` kept (a different legal
/// entity is a different holder), but `and contributors`-like suffixes
/// stripped by [`holder_matches`].
pub fn holder_key(holder: &str) -> String {
    let lowered = holder.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// Suffixes that do not change who the holder is.
const HOLDER_SUFFIXES: &[&str] = &[
    "and contributors",
    "and its contributors",
    "and other contributors",
    "and the contributors",
    "contributors",
    "and others",
    "and affiliates",
    "and its affiliates",
    "and or its affiliates",
    "and its subsidiaries",
    "and authors",
    "authors",
    "et al",
];

fn strip_suffixes(mut key: &str) -> &str {
    loop {
        let before = key;
        for suffix in HOLDER_SUFFIXES {
            if let Some(rest) = key.strip_suffix(suffix)
                && (rest.is_empty() || rest.ends_with(' '))
            {
                key = rest.trim_end();
            }
        }
        if key == before {
            return key;
        }
    }
}

/// Whether `holder` is `expected`, ignoring case, punctuation and suffixes
/// such as `and contributors` or `and its affiliates`: `ACME GmbH.` and
/// `Acme GmbH and contributors` match `Acme GmbH`; `Acme` and `Acme GmbH and
/// Evil Corp` do not.
pub fn holder_matches(holder: &str, expected: &str) -> bool {
    let holder = holder_key(holder);
    let expected = holder_key(expected);
    !expected.is_empty() && strip_suffixes(&holder) == strip_suffixes(&expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<(String, String)> {
        parse_statement(text, true).map(|s| (s.holder.clone(), s.years_text()))
    }

    #[test]
    fn statements_are_split_into_holder_and_years() {
        let table: &[(&str, &str, &str)] = &[
            (
                "Copyright (c) 2019-2024 Acme GmbH",
                "Acme GmbH",
                "2019-2024",
            ),
            (
                "Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>",
                "Free Software Foundation, Inc",
                "2007",
            ),
            ("© 2021 Jane Doe <jane@example.com>", "Jane Doe", "2021"),
            (
                "Copyright © 2016, [Jon Schlinkert](https://github.com/jonschlinkert).",
                "Jon Schlinkert",
                "2016",
            ),
            (
                "Copyright (c) 2012 [Vitaly Puzrin](https://github.com/puzrin).",
                "Vitaly Puzrin",
                "2012",
            ),
            (
                "(c) 2015, 2016, 2017, 2019 Foo Ltd. All rights reserved.",
                "Foo Ltd",
                "2015-2017, 2019",
            ),
            (
                "SPDX-FileCopyrightText: 2023 Supplier Ltd <legal@supplier.example>",
                "Supplier Ltd",
                "2023",
            ),
            (
                "SPDX-FileCopyrightText: The Foo Project",
                "The Foo Project",
                "",
            ),
            (
                "Copyright 2010 - 2012, 2011 The Rust Project Developers.",
                "The Rust Project Developers",
                "2010-2012",
            ),
            (
                "Copyright Acme Corporation 2018-2020. All Rights Reserved.",
                "Acme Corporation",
                "2018-2020",
            ),
            ("Copyright (c) 1998-99 Old Co */", "Old Co", "1998-1999"),
            (
                "Copyright © 2020–2022 Ünïcode AG",
                "Ünïcode AG",
                "2020-2022",
            ),
            ("Copyright &copy; 2001 HTML People", "HTML People", "2001"),
            (
                "Copyright The Rust Project Developers",
                "The Rust Project Developers",
                "",
            ),
            ("Copyright: 2004 by Someone Else", "Someone Else", "2004"),
        ];
        for (text, holder, years) in table {
            assert_eq!(
                parse(text),
                Some(((*holder).to_owned(), (*years).to_owned())),
                "{text}"
            );
        }
    }

    #[test]
    fn prose_code_and_templates_are_not_statements() {
        for text in [
            "copyright notice and this permission notice shall be included",
            "copyright holders and contributors \"as is\"",
            "Copyright (c) <year> <copyright holders>",
            "Copyright [yyyy] [name of copyright owner]",
            "copyright = '2019, Acme'",
            "copyright.",
            "(c) any other",
            "copyright",
            "Copyright (C) ${year} ${owner}",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        assert_eq!(parse_statement("Copyright Acme GmbH", false), None);
    }

    #[test]
    fn holders_match_ignoring_case_punctuation_and_contributor_suffixes() {
        assert!(holder_matches("ACME GmbH.", "Acme GmbH"));
        assert!(holder_matches("Acme GmbH and contributors", "Acme GmbH"));
        assert!(holder_matches(
            "Acme, GmbH and/or its affiliates",
            "acme gmbh"
        ));
        assert!(!holder_matches("Acme", "Acme GmbH"));
        assert!(!holder_matches("Acme GmbH and Evil Corp", "Acme GmbH"));
        assert!(!holder_matches("Acme GmbH", ""));
    }
}
