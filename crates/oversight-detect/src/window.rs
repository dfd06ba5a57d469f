//! A window of a file's bytes around pattern hits, with positions.

use std::cell::Cell;

/// A slice of a file, addressed by file offsets.
///
/// Large files are read in windows that overlap by a margin, so a detector
/// examining the neighbourhood of a hit sees at least that margin on either
/// side of it (less only at the start and end of the file).
#[derive(Debug, Clone)]
pub struct Window<'a> {
    bytes: &'a [u8],
    offset: u64,
    line_at_start: u32,
    chars_before_in_line: u32,
    is_last: bool,
    /// The file offsets whose findings belong to this window (see
    /// [`Window::fresh`]).
    fresh: (u64, u64),
    /// The last position computed by [`Window::line_col`], so that queries in
    /// increasing order (hits are sorted) cost time linear in the window, not
    /// quadratic.
    last: Cell<Position>,
}

/// A resolved position: index into the window, its line and the characters
/// before it on that line.
#[derive(Debug, Clone, Copy)]
struct Position {
    index: usize,
    line: u32,
    chars_in_line: u32,
}

impl<'a> Window<'a> {
    /// A window of `bytes` starting at file offset `offset`, on 1-based line
    /// `line_at_start`, with `chars_before_in_line` characters of that line
    /// lying before the window.
    pub fn new(
        bytes: &'a [u8],
        offset: u64,
        line_at_start: u32,
        chars_before_in_line: u32,
        is_last: bool,
    ) -> Self {
        Window {
            bytes,
            offset,
            line_at_start,
            chars_before_in_line,
            is_last,
            fresh: (offset, offset + bytes.len() as u64),
            last: Cell::new(Position {
                index: 0,
                line: line_at_start,
                chars_in_line: chars_before_in_line,
            }),
        }
    }

    /// A window holding a whole file.
    pub fn whole(bytes: &'a [u8]) -> Self {
        Window::new(bytes, 0, 1, 0, true)
    }

    /// Sets the range of file offsets this window is responsible for; the
    /// engine calls it so that overlapping windows never report twice.
    pub fn with_fresh(mut self, start: u64, end: u64) -> Self {
        self.fresh = (start, end);
        self
    }

    /// The file offsets `[start, end)` whose findings belong to this window.
    ///
    /// Windows of a large file overlap so that every hit has context. A
    /// detector that searches the whole window itself (rather than looking
    /// only at hits, which always start in this range) must report only
    /// matches that start inside this range, or it would report matches in the
    /// overlap twice.
    pub fn fresh(&self) -> (u64, u64) {
        self.fresh
    }

    /// The bytes of the window.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The file offset of the window's first byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the window reaches the end of the file.
    pub fn is_last(&self) -> bool {
        self.is_last
    }

    /// Converts a file offset into an index into [`Window::bytes`], clamped.
    pub fn index(&self, file_offset: u64) -> usize {
        (file_offset.saturating_sub(self.offset) as usize).min(self.bytes.len())
    }

    /// The bytes between two file offsets, clamped to the window.
    pub fn slice(&self, start: u64, end: u64) -> &'a [u8] {
        let (s, e) = (self.index(start), self.index(end));
        &self.bytes[s..e.max(s)]
    }

    /// The line around a file offset, without its line terminator, bounded to
    /// `max` bytes on each side of the offset so a minified file's single line
    /// stays cheap.
    pub fn line_around(&self, file_offset: u64, max: usize) -> (u64, &'a [u8]) {
        let at = self.index(file_offset);
        let lo = at.saturating_sub(max);
        let hi = (at + max).min(self.bytes.len());
        let start = memchr::memrchr(b'\n', &self.bytes[lo..at]).map_or(lo, |i| lo + i + 1);
        let end = memchr::memchr(b'\n', &self.bytes[at..hi]).map_or(hi, |i| at + i);
        let end = if end > start && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        (self.offset + start as u64, &self.bytes[start..end])
    }

    /// The 1-based line and column (in characters) of a file offset.
    ///
    /// Queries in increasing offset order cost time linear in the distance
    /// between them.
    pub fn line_col(&self, file_offset: u64) -> (u32, u32) {
        let at = self.index(file_offset);
        let mut from = self.last.get();
        if from.index > at {
            from = Position {
                index: 0,
                line: self.line_at_start,
                chars_in_line: self.chars_before_in_line,
            };
        }
        let between = &self.bytes[from.index..at];
        let newlines = bytecount::count(between, b'\n') as u32;
        let line = from.line.saturating_add(newlines);
        let chars_in_line = match memchr::memrchr(b'\n', between) {
            Some(nl) => bytecount::num_chars(&between[nl + 1..]) as u32,
            None => from
                .chars_in_line
                .saturating_add(bytecount::num_chars(between) as u32),
        };
        self.last.set(Position {
            index: at,
            line,
            chars_in_line,
        });
        (line, chars_in_line.saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "ab\nxé\u{202E}z\n";
        let w = Window::whole(text.as_bytes());
        let at = text.find('\u{202E}').unwrap() as u64;
        assert_eq!(w.line_col(at), (2, 3));
        assert_eq!(w.line_col(0), (1, 1));
        assert_eq!(w.line_col(at + 3), (2, 4));
        assert_eq!(w.line_col(at), (2, 3));
    }

    #[test]
    fn positions_continue_across_windows() {
        let w = Window::new(b"abc\ndef", 100, 7, 5, false);
        assert_eq!(w.line_col(101), (7, 7));
        assert_eq!(w.line_col(105), (8, 2));
    }

    #[test]
    fn fresh_range_defaults_to_the_whole_window() {
        let w = Window::new(b"abcdef", 10, 1, 0, false);
        assert_eq!(w.fresh(), (10, 16));
        assert_eq!(w.with_fresh(12, 14).fresh(), (12, 14));
    }

    #[test]
    fn line_around_is_bounded() {
        let w = Window::whole(b"one\r\ntwo three\nfour");
        let (start, line) = w.line_around(9, 100);
        assert_eq!((start, line), (5, &b"two three"[..]));
        let (_, short) = w.line_around(9, 2);
        assert_eq!(short, b"o th");
    }
}
