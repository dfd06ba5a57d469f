//! The words of a licence text as the matcher compares them.
//!
//! Two copies of one licence differ in ways that do not change what they
//! grant: line wrapping, case, punctuation and quotes, comment markers, list
//! numbering ("1.", "(a)", "iv)"), British or American spelling, `http` or
//! `https`, and the copyright line with its holder and years. This module
//! reduces a text to what is left, a sequence of lower-case words, each
//! kept with the line it came from so that a match can name its region:
//!
//! * a word is a run of letters and digits; everything else separates words
//!   (so `/*`, `#`, `--`, bullets and quotes vanish);
//! * a list marker at the start of a line is dropped;
//! * a copyright statement line ("Copyright (c) 2024 Acme", "© Jane Doe",
//!   "Copyright <year> <owner>" in a template) gives no words, nor does a
//!   line that only says "All rights reserved";
//! * a few words are spelt one way ([`spelling`]).
//!
//! The SPDX texts the rules are built from go through the same function as
//! the files they are compared with, so the two always agree on a word.

/// One word of a text: its normalised spelling and its line (0-based, lines
/// split at `\n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word<'t> {
    /// Lower-case, with [`spelling`] applied; borrowed when the text already
    /// had that form.
    pub text: std::borrow::Cow<'t, str>,
    /// The line the word is on.
    pub line: u32,
}

/// Calls `each` with every word of `text`, in order.
pub(crate) fn words<'t>(text: &'t str, mut each: impl FnMut(Word<'t>)) {
    for (number, line) in text.split('\n').enumerate() {
        let number = u32::try_from(number).unwrap_or(u32::MAX);
        line_words(line, |text| each(Word { text, line: number }));
    }
}

/// The words of one line, or none when it is a copyright statement.
pub(crate) fn line_words<'t>(line: &'t str, each: impl FnMut(std::borrow::Cow<'t, str>)) {
    let body = without_list_marker(line);
    if is_copyright_line(body) {
        return;
    }
    let words: Vec<std::borrow::Cow<'t, str>> = split_words(body)
        .map(|raw| {
            let word = lower(raw);
            match spelling(&word) {
                Some(common) => std::borrow::Cow::Borrowed(common),
                None => word,
            }
        })
        .collect();
    // A line of "All rights reserved" alone belongs to the copyright
    // statement above it.
    if words.len() == 3 && words[0] == "all" && words[1] == "rights" && words[2] == "reserved" {
        return;
    }
    words.into_iter().for_each(each);
}

/// The runs of letters and digits of a line.
fn split_words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A word in lower case, borrowed when it is lower case already.
fn lower(word: &str) -> std::borrow::Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        std::borrow::Cow::Borrowed(word)
    } else if word.is_ascii() {
        std::borrow::Cow::Owned(word.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Owned(word.to_lowercase())
    }
}

/// One spelling for words that licence texts spell two ways.
pub(crate) fn spelling(word: &str) -> Option<&'static str> {
    Some(match word {
        "licence" => "license",
        "licences" => "licenses",
        "licenced" => "licensed",
        "licencing" => "licensing",
        "licencee" => "licensee",
        "licencor" => "licensor",
        "acknowledgement" => "acknowledgment",
        "acknowledgements" => "acknowledgments",
        "authorisation" => "authorization",
        "authorised" => "authorized",
        "organisation" => "organization",
        "organisations" => "organizations",
        "behaviour" => "behavior",
        "favour" => "favor",
        "whilst" => "while",
        "https" => "http",
        _ => return None,
    })
}

/// The line after leading space, comment punctuation and one list marker:
/// `1.`, `1.2.`, `(a)`, `b)`, `iv.`, `(iii)`, followed by a space or the
/// end of the line.
fn without_list_marker(line: &str) -> &str {
    let start = line.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '©');
    let inner = start.strip_prefix('(').unwrap_or(start);
    let marker_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or(inner.len());
    let (marker, rest) = inner.split_at(marker_len);
    let (marker, rest) = match rest.strip_prefix(')') {
        Some(after) => (marker, after),
        None => match marker.strip_suffix('.') {
            Some(m) => (m, rest),
            None => return start,
        },
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) || !is_marker(marker) {
        return start;
    }
    rest
}

/// `1`, `1.2`, `a`, `iv`: what numbers an item of a list.
fn is_marker(marker: &str) -> bool {
    let numbered = !marker.is_empty()
        && marker.len() <= 8
        && marker.split('.').all(|part| {
            !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit())
        });
    let lettered = marker.len() == 1 && marker.bytes().all(|b| b.is_ascii_alphabetic());
    let roman =
        (1..=4).contains(&marker.len()) && marker.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'));
    numbered || lettered || roman
}

/// Whether a line states a copyright: it opens with "copyright", "(c)", "©"
/// or "portions copyright" and names a year, a "(c)"/"©" or a template
/// placeholder. Licence prose that wraps so that a line starts with
/// "copyright holders …" keeps its words.
fn is_copyright_line(line: &str) -> bool {
    // Most lines open with none of the markers: decided without lowering.
    let start = line.trim_start_matches(|c: char| c.is_whitespace() || c == '*' || c == '#');
    let opens_like = match start.as_bytes().first() {
        Some(b'c' | b'C' | b'(' | b'p' | b'P') => true,
        Some(_) => start.starts_with('©'),
        None => false,
    };
    if !opens_like {
        return false;
    }
    let lowered: String = line
        .chars()
        .take(160)
        .flat_map(char::to_lowercase)
        .collect();
    let trimmed = lowered.trim_start_matches(|c: char| c.is_whitespace() || c == '*' || c == '#');
    let opens = trimmed.starts_with("copyright")
        || trimmed.starts_with("(c)")
        || trimmed.starts_with('©')
        || trimmed.starts_with("portions copyright");
    if !opens {
        return false;
    }
    let year = trimmed
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit));
    year || trimmed.contains("(c)") || trimmed.contains('©') || trimmed.contains('<')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        words(text, |w| out.push((w.text.into_owned(), w.line)));
        out
    }

    fn plain(text: &str) -> Vec<String> {
        all(text).into_iter().map(|(w, _)| w).collect()
    }

    #[test]
    fn case_punctuation_and_comment_markers_fold() {
        assert_eq!(
            plain(" * Permission is hereby granted, \u{201c}free\u{201d} — of charge */"),
            [
                "permission",
                "is",
                "hereby",
                "granted",
                "free",
                "of",
                "charge"
            ]
        );
        assert_eq!(
            plain("# THE SOFTWARE IS PROVIDED \"AS IS\""),
            plain("the software is provided as is")
        );
        assert_eq!(plain("Licence, licenced"), ["license", "licensed"]);
        assert_eq!(plain("https://example.org"), ["http", "example", "org"]);
    }

    #[test]
    fn list_markers_are_dropped() {
        for line in [
            "1. Definitions",
            "(a) Definitions",
            "b) Definitions",
            "iv. Definitions",
            "2.1. Definitions",
            "  (iii) Definitions",
            " * 3. Definitions",
        ] {
            assert_eq!(plain(line), ["definitions"], "{line}");
        }
        assert_eq!(plain("a copy of this"), ["a", "copy", "of", "this"]);
        assert_eq!(plain("2 copies"), ["2", "copies"]);
        assert_eq!(plain("v2.0 or later"), ["v2", "0", "or", "later"]);
    }

    #[test]
    fn copyright_statements_give_no_words() {
        let text = "MIT License\n\nCopyright (c) 2024 Acme GmbH\n© Jane\nCopyright <year> <owner>\nAll rights reserved.\n\nPermission is granted";
        assert_eq!(
            all(text),
            [
                ("mit".to_owned(), 0),
                ("license".to_owned(), 0),
                ("permission".to_owned(), 7),
                ("is".to_owned(), 7),
                ("granted".to_owned(), 7)
            ]
        );
        // Licence prose that happens to start a line with "copyright".
        assert_eq!(
            plain("copyright holders and contributors as is"),
            ["copyright", "holders", "and", "contributors", "as", "is"]
        );
        assert_eq!(plain("All"), ["all"]);
        assert_eq!(plain("all rights granted"), ["all", "rights", "granted"]);
    }

    #[test]
    fn lines_are_counted_at_line_feeds() {
        let words = all("a\r\nb\n\nc");
        assert_eq!(words.iter().map(|w| w.1).collect::<Vec<_>>(), [0, 1, 3]);
    }
}
