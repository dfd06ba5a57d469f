//! Invisible characters inside identifiers and strings of code.
//!
//! # What it detects
//!
//! In any text file that is not prose:
//!
//! * zero-width characters (U+200B–U+200D, U+2060–U+2064, and U+FEFF anywhere
//!   but at the start of a line) that touch an ASCII identifier or word, as in
//!   `is<U+200B>Admin`;
//! * Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), which render as blank
//!   space but are letters to JavaScript, Python and others, so they can be an
//!   identifier of their own;
//! * Unicode tag characters (U+E0000–U+E007F) outside an emoji flag sequence:
//!   they spell hidden ASCII text, which the message decodes;
//! * four or more variation selectors in a row (U+FE00–U+FE0F,
//!   U+E0100–U+E01EF): an encoding of hidden bytes, never a rendering hint.
//!
//! Zero-width characters between non-ASCII letters (Persian or Indic text) or
//! between emoji (joined emoji sequences) are how those scripts are written and
//! are not reported. One finding per line lists what the line holds.
//!
//! # Why it matters
//!
//! Two identifiers that differ only by an invisible character look identical
//! in review: `isAdmin` and `is<U+200B>Admin` can be different functions
//! (CVE-2021-42694). Tag characters and runs of variation selectors carry data
//! that no viewer displays: they have hidden payloads in npm packages and VS
//! Code extensions (GlassWorm) and instructions aimed at code assistants.
//!
//! # Example
//!
//! ```text
//! function is<U+200B>Admin() { return true; }
//! ```
//!
//! # How to resolve or accept
//!
//! Remove the character, or write it as an escape (`\u200B`) where a string
//! really needs it. Accept only for text in a natural language that needs
//! joiners, after viewing the line with invisible characters shown.
//!
//! # References
//!
//! CVE-2021-42694; CWE-1007 (Insufficient Visual Distinction of Homoglyphs
//! Presented to User); Unicode Technical Standard #39.

use oversight_detect::{Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, TextKind, Window};
use oversight_model::unicode::{FILLERS, ZERO_WIDTH, is_invisible, is_selector, is_tag};
use oversight_model::{Category, Rule, Severity};

use crate::text::{Capped, char_at, char_before, is_ascii_ident, quote};

/// An invisible character in code.
pub static INVISIBLE_CHARACTER: Rule = Rule {
    id: "malicious.invisible-character",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Invisible character in an identifier or string of code",
    help: "Invisible characters make different identifiers or strings look identical \
           (CVE-2021-42694) or hide data from the reader. Remove them or write them as escapes; \
           accept only natural-language text that needs joiners.",
};

static RULES: [&Rule; 1] = [&INVISIBLE_CHARACTER];

/// How far from a hit the line is examined, on each side.
const LINE_REACH: usize = 4096;

/// Variation selectors in a row from which they are hidden data.
const SELECTOR_RUN: usize = 4;

/// The detector of [`INVISIBLE_CHARACTER`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Invisible;

/// Zero-width characters: reported where they touch an ASCII word.
impl Detector for Invisible {
    fn name(&self) -> &'static str {
        "invisible"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn patterns(&self) -> Vec<Pattern> {
        let mut patterns: Vec<Pattern> = ZERO_WIDTH
            .iter()
            .chain(FILLERS.iter())
            .map(|(c, _)| Pattern::char(*c, Scope::Text))
            .collect();
        // Tag characters: U+E0000–U+E003F and U+E0040–U+E007F share these prefixes.
        patterns.push(Pattern::new(b"\xF3\xA0\x80", Scope::Text));
        patterns.push(Pattern::new(b"\xF3\xA0\x81", Scope::Text));
        // Variation selectors: U+FE00–U+FE3F, then U+E0100–U+E01EF.
        patterns.push(Pattern::new(b"\xEF\xB8", Scope::Text));
        for third in [0x84u8, 0x85, 0x86, 0x87] {
            patterns.push(Pattern::new([0xF3, 0xA0, third], Scope::Text));
        }
        patterns
    }

    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        if file.text_kind() == TextKind::Prose {
            return;
        }
        let mut sink = Capped::new(sink);
        let mut covered_until = 0u64;
        for hit in hits {
            if hit.start < covered_until {
                continue;
            }
            let (line_start, line) = window.line_around(hit.start, LINE_REACH);
            let from = (window.index(covered_until.max(line_start)) - window.index(line_start))
                .min(line.len());
            covered_until = (line_start + line.len() as u64).max(hit.end);
            let Some(report) = examine_line(line, from) else {
                continue;
            };
            let first = line_start + report.first_offset as u64;
            let emit = Emit::at(
                &INVISIBLE_CHARACTER,
                window.line_col(first),
                report.message,
                line.to_vec(),
            )
            .with_snippet(quote(line));
            sink.emit(emit);
        }
        sink.finish(&INVISIBLE_CHARACTER);
    }
}

/// The findings of one line, merged into one message.
struct LineReport {
    first_offset: usize,
    message: String,
}

/// Examines `line[from..]`.
fn examine_line(line: &[u8], from: usize) -> Option<LineReport> {
    let mut first_offset = None;
    let mut parts: Vec<String> = Vec::new();
    let mut at = from;
    while at < line.len() {
        let b = line[at];
        if !matches!(b, 0xE1 | 0xE2 | 0xE3 | 0xEF | 0xF3) {
            at += 1;
            continue;
        }
        let Some((c, len)) = char_at(line, at) else {
            break;
        };
        if len == 1 || !is_invisible(c) {
            at += len;
            continue;
        }
        if is_tag(c) || is_selector(c) {
            let (end, part) = examine_run(line, at);
            if let Some(part) = part {
                first_offset.get_or_insert(at);
                parts.push(part);
            }
            at = end;
            continue;
        }
        if let Some(part) = examine_single(line, at, c, len) {
            first_offset.get_or_insert(at);
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        at += len;
    }
    let first_offset = first_offset?;
    if parts.len() > 8 {
        let more = parts.len() - 8;
        parts.truncate(8);
        parts.push(format!("and {more} more"));
    }
    Some(LineReport {
        first_offset,
        message: format!("Invisible characters in code: {}", parts.join("; ")),
    })
}

/// A zero-width character or a Hangul filler at `at`, if it is suspicious
/// there.
fn examine_single(line: &[u8], at: usize, c: char, len: usize) -> Option<String> {
    if let Some((_, name)) = FILLERS.iter().find(|(k, _)| *k == c) {
        return Some(format!(
            "{name} (U+{:04X}), a letter that renders as blank space, in `{}`",
            c as u32,
            quote(word_around(line, at, len))
        ));
    }
    let (_, name) = ZERO_WIDTH.iter().find(|(k, _)| *k == c)?;
    let before = neighbour_before(line, at);
    let after = neighbour_after(line, at + len);
    if c == '\u{FEFF}' && before.is_none() {
        // A byte-order mark at the start of the file or of a concatenated part.
        return None;
    }
    let touches_word = |n: Option<char>| n.is_some_and(|n| n.is_ascii() && is_ascii_ident(n as u8));
    if !touches_word(before) && !touches_word(after) {
        return None;
    }
    Some(format!(
        "{name} (U+{:04X}) in `{}`",
        c as u32,
        quote(word_around(line, at, len))
    ))
}

/// A run of tag characters or variation selectors starting at `at`: where it
/// ends and, when suspicious, what to say about it.
fn examine_run(line: &[u8], at: usize) -> (usize, Option<String>) {
    let mut end = at;
    let mut tags = 0usize;
    let mut selectors = 0usize;
    let mut hidden = String::new();
    while let Some((c, len)) = char_at(line, end) {
        if is_tag(c) {
            tags += 1;
            let ascii = (c as u32 - 0xE0000) as u8;
            if (0x20..0x7F).contains(&ascii) && hidden.len() < 120 {
                hidden.push(ascii as char);
            }
        } else if is_selector(c) {
            selectors += 1;
        } else {
            break;
        }
        end += len;
    }
    if tags > 0 {
        // Subdivision flags are U+1F3F4 followed by tags and U+E007F.
        let flag = char_before(line, at).is_some_and(|(c, _)| c == '\u{1F3F4}');
        if flag && !hidden.is_empty() && hidden.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return (end, None);
        }
        let text = if hidden.is_empty() {
            String::new()
        } else {
            format!(" spelling the hidden text `{}`", quote(hidden.as_bytes()))
        };
        return (
            end,
            Some(format!("{tags} TAG characters (U+E0000–U+E007F){text}")),
        );
    }
    if selectors >= SELECTOR_RUN {
        return (
            end,
            Some(format!(
                "{selectors} variation selectors in a row (U+FE00–U+FE0F, U+E0100–U+E01EF), \
                 an encoding of hidden data"
            )),
        );
    }
    (end, None)
}

/// The nearest visible character before `at`, skipping invisible ones.
fn neighbour_before(line: &[u8], mut at: usize) -> Option<char> {
    for _ in 0..16 {
        let (c, start) = char_before(line, at)?;
        if !is_invisible(c) {
            return Some(c);
        }
        at = start;
    }
    None
}

/// The nearest visible character from `at` on, skipping invisible ones.
fn neighbour_after(line: &[u8], mut at: usize) -> Option<char> {
    for _ in 0..16 {
        let (c, len) = char_at(line, at)?;
        if !is_invisible(c) {
            return Some(c);
        }
        at += len;
    }
    None
}

/// The identifier-like word containing `line[at..at + len]`, bounded.
fn word_around(line: &[u8], at: usize, len: usize) -> &[u8] {
    let part_of_word = |b: u8| is_ascii_ident(b) || b >= 0x80;
    let mut start = at;
    while start > 0 && at - start < 64 && part_of_word(line[start - 1]) {
        start -= 1;
    }
    let mut end = (at + len).min(line.len());
    while end < line.len() && end - at < 64 && part_of_word(line[end]) {
        end += 1;
    }
    &line[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_detect::reference::run_detector;

    fn messages(path: &str, text: &str) -> Vec<String> {
        run_detector(&Invisible, path, text.as_bytes())
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn zero_width_inside_identifiers_is_reported() {
        let found = messages("a.js", "function is\u{200B}Admin() {}\n");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("ZERO WIDTH SPACE (U+200B) in `is<U+200B>Admin`"),
            "{found:?}"
        );
    }

    #[test]
    fn joiners_of_scripts_and_emoji_are_not_reported() {
        assert!(messages("a.js", "s = \"می\u{200C}خواهم\";\n").is_empty());
        assert!(messages("a.js", "e = \"👨\u{200D}👩\u{200D}👧\";\n").is_empty());
        assert!(messages("a.js", "\u{FEFF}import x from 'y';\n\u{FEFF}/* part */\n").is_empty());
        assert!(messages("a.js", "s.replace(/^\u{FEFF}/, '')\n").is_empty());
        assert!(messages("a.js", "sep = \"\u{200B}\";\n").is_empty());
    }

    #[test]
    fn fillers_tags_and_selector_runs_are_reported() {
        let found = messages("a.js", "const { timeout,\u{3164}} = req.query;\n");
        assert!(found[0].contains("HANGUL FILLER (U+3164)"), "{found:?}");
        let hidden: String = "rm -rf"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).expect("tag"))
            .collect();
        let found = messages("a.py", &format!("x = 1 # {hidden}\n"));
        assert!(found[0].contains("hidden text `rm -rf`"), "{found:?}");
        let england = "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
        assert!(messages("a.js", &format!("flag = \"{england}\";\n")).is_empty());
        let selectors: String = (0..10)
            .map(|i| char::from_u32(0xE0100 + i).expect("selector"))
            .collect();
        let found = messages("a.js", &format!("const s = \"|{selectors}\";\n"));
        assert!(found[0].contains("10 variation selectors"), "{found:?}");
        assert!(messages("a.js", "heart = \"❤\u{FE0F}\";\n").is_empty());
    }

    #[test]
    fn prose_is_not_examined() {
        assert!(messages("README.md", "is\u{200B}Admin\n").is_empty());
    }
}
