//! Making supplier-controlled text safe and short enough for a terminal.
//!
//! Paths, messages and snippets all come from the delivery under review, so a
//! hostile supplier chooses them. The detectors already make invisible characters
//! visible, but the human renderer does not rely on that: a control character
//! that reached the terminal could move the cursor, rewrite earlier lines (and the
//! verdict) or retitle the window.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Removes every C0 and C1 control character (and DEL) except the newline, and
/// shows bidirectional and zero-width formatting characters as `<U+XXXX>`.
pub fn sanitize_block(text: &str) -> Cow<'_, str> {
    sanitize(text, true)
}

/// Like [`sanitize_block`], but also shows newlines as `␤`, for text that must
/// stay on one line (paths, rule ids, messages).
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    sanitize(text, false)
}

fn sanitize(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let changes = |c: char| (c.is_control() && !(keep_newlines && c == '\n')) || is_format(c);
    if !text.chars().any(changes) {
        return Cow::Borrowed(text);
    }
    let mut clean = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => clean.push('\n'),
            '\n' => clean.push('␤'),
            c if c.is_control() => {}
            c if is_format(c) => {
                let _ = write!(clean, "<U+{:04X}>", u32::from(c));
            }
            c => clean.push(c),
        }
    }
    Cow::Owned(clean)
}

/// Characters that reorder or hide text on display: exactly the set the
/// malicious-content detectors flag ([`oversight_model::unicode::is_hidden`]).
pub(crate) fn is_format(c: char) -> bool {
    oversight_model::unicode::is_hidden(c)
}

/// Shortens `text` to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    Cow::Owned(short)
}

/// `malicious.bidi-control` → `MaliciousBidiControl`.
pub(crate) fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// A size in bytes for people: `512 B`, `1.5 KiB`, `3.0 MiB`.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Precision loss above 2^53 bytes is irrelevant for one decimal place.
    #[expect(clippy::cast_precision_loss, reason = "one decimal place is shown")]
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `1 finding`, `2 findings`.
pub(crate) fn plural(count: u64, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("{count} {singular}")
    } else {
        format!("{count} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report shows as `<U+XXXX>` every character the invisible and
    /// bidi detectors flag: tags, selectors and fillers too.
    #[test]
    fn every_hidden_character_the_detectors_flag_is_shown() {
        let text = "a\u{E0041}b\u{FE0F}c\u{3164}d\u{202E}e";
        assert_eq!(
            sanitize_line(text),
            "a<U+E0041>b<U+FE0F>c<U+3164>d<U+202E>e"
        );
    }

    #[test]
    fn controls_are_removed_and_bidi_made_visible() {
        assert_eq!(
            sanitize_block("a\x1b[2Jb\r\n\u{9b}c\u{7f}\u{202e}d\t"),
            "a[2Jb\nc<U+202E>d"
        );
        assert_eq!(sanitize_line("a\nb"), "a␤b");
        assert!(matches!(sanitize_line("plain ünïcode"), Cow::Borrowed(_)));
        assert!(matches!(sanitize_block("two\nlines"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("äöü", 3), "äöü");
    }

    #[test]
    fn pascal_case_of_rule_ids() {
        assert_eq!(
            pascal_case("malicious.bidi-control"),
            "MaliciousBidiControl"
        );
        assert_eq!(
            pascal_case("coverage.archive_too-deep"),
            "CoverageArchiveTooDeep"
        );
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
