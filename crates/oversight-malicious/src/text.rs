//! Small helpers shared by the text detectors: characters around a
//! byte offset, bounded snippets and a cap on findings per window.
//!
//! Everything here works on arbitrary bytes: invalid UTF-8 decodes to
//! `U+FFFD` one byte at a time and never panics.

use oversight_detect::{Emit, Sink, visible_snippet};
use oversight_model::Rule;

/// How many characters of offending text a message or snippet quotes.
pub(crate) const QUOTE_CHARS: usize = 160;

/// Decodes the character starting at `at`, with its length in bytes. Invalid
/// or truncated sequences decode as `U+FFFD` of length 1.
pub(crate) fn char_at(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let first = *bytes.get(at)?;
    let len = match first {
        0x00..=0x7F => return Some((first as char, 1)),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return Some((char::REPLACEMENT_CHARACTER, 1)),
    };
    let slice = bytes.get(at..at + len);
    match slice.and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => s.chars().next().map(|c| (c, len)),
        None => Some((char::REPLACEMENT_CHARACTER, 1)),
    }
}

/// Decodes the character ending just before `at`, with its start offset.
pub(crate) fn char_before(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    if at == 0 || at > bytes.len() {
        return None;
    }
    // A UTF-8 character is at most 4 bytes: step back over continuation bytes.
    let mut start = at - 1;
    while start > 0 && at - start < 4 && (bytes[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    match char_at(bytes, start) {
        Some((c, len)) if start + len == at => Some((c, start)),
        _ => Some((char::REPLACEMENT_CHARACTER, at - 1)),
    }
}

/// Whether `b` can be part of an ASCII identifier in the languages we look at.
pub(crate) fn is_ascii_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Whether the ASCII word `bytes[start..end]` stands alone: no identifier byte
/// touches it on either side.
pub(crate) fn is_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let before_ok = start == 0 || !is_ascii_ident(bytes[start - 1]);
    let after_ok = end >= bytes.len() || !is_ascii_ident(bytes[end]);
    before_ok && after_ok
}

/// The line around a hit as text fit for a message: invisible characters made
/// visible, bounded in length.
pub(crate) fn quote(bytes: &[u8]) -> String {
    visible_snippet(bytes, QUOTE_CHARS)
}

/// ASCII case-insensitive search of `needle` (given in lower case) in `hay`.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut from = 0;
    while from + needle.len() <= hay.len() {
        let rest = &hay[from..=hay.len() - needle.len()];
        let found = if first.is_ascii_alphabetic() {
            memchr::memchr2(first, first.to_ascii_uppercase(), rest)
        } else {
            memchr::memchr(first, rest)
        }?;
        let at = from + found;
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Caps the findings one detector raises in one window, so that a generated
/// file full of the same character yields a readable report: past the cap, one
/// summary finding counts what was left out.
pub(crate) struct Capped<'s> {
    sink: &'s mut dyn Sink,
    emitted: usize,
    suppressed: usize,
    first_suppressed: Option<Emit>,
}

/// Findings per detector and window before [`Capped`] starts summarising.
pub(crate) const MAX_FINDINGS_PER_WINDOW: usize = 200;

impl<'s> Capped<'s> {
    /// Wraps `sink`.
    pub(crate) fn new(sink: &'s mut dyn Sink) -> Self {
        Capped {
            sink,
            emitted: 0,
            suppressed: 0,
            first_suppressed: None,
        }
    }

    /// Emits `emit` unless the cap is reached.
    pub(crate) fn emit(&mut self, emit: Emit) {
        if self.emitted < MAX_FINDINGS_PER_WINDOW {
            self.emitted += 1;
            self.sink.emit(emit);
        } else {
            self.suppressed += 1;
            if self.first_suppressed.is_none() {
                self.first_suppressed = Some(emit);
            }
        }
    }

    /// Emits the summary of what the cap held back, as a finding of `rule`.
    pub(crate) fn finish(self, rule: &'static Rule) {
        if let Some(mut first) = self.first_suppressed {
            first.rule = rule;
            first.message = format!(
                "{} further occurrences not reported one by one (first: {})",
                self.suppressed, first.message
            );
            self.sink.emit(first);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_decode_around_invalid_bytes() {
        let bytes = b"a\xffb\xe2\x80\xaec";
        assert_eq!(char_at(bytes, 1), Some((char::REPLACEMENT_CHARACTER, 1)));
        assert_eq!(char_at(bytes, 3), Some(('\u{202E}', 3)));
        assert_eq!(char_before(bytes, 6), Some(('\u{202E}', 3)));
        assert_eq!(
            char_before(bytes, 2),
            Some((char::REPLACEMENT_CHARACTER, 1))
        );
        assert_eq!(
            char_before(b"\x80\x80\x80\x80\x80", 5).map(|c| c.0),
            Some('\u{FFFD}')
        );
        assert_eq!(
            char_at(b"\xe2\x80", 0),
            Some((char::REPLACEMENT_CHARACTER, 1))
        );
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ci(b"xx IEX(", b"iex"), Some(3));
        assert_eq!(find_ci(b"abc", b"abcd"), None);
        assert_eq!(find_ci(b"|Sh", b"|sh"), Some(0));
    }
}
