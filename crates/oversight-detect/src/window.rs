//! A window of a file's bytes around pattern hits, with positions.

/// A slice of a file, addressed by file offsets.
///
/// Large files are read in windows that overlap by a margin, so a detector
/// examining the neighbourhood of a hit sees at least that margin on either
/// side of it (less only at the start and end of the file).
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    bytes: &'a [u8],
    offset: u64,
    line_at_start: u32,
    chars_before_in_line: u32,
    is_last: bool,
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
        }
    }

    /// A window holding a whole file.
    pub fn whole(bytes: &'a [u8]) -> Self {
        Window::new(bytes, 0, 1, 0, true)
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
        let end = if end > start && self.bytes[end - 1] == b'\r' { end - 1 } else { end };
        (self.offset + start as u64, &self.bytes[start..end])
    }

    /// The 1-based line and column (in characters) of a file offset.
    pub fn line_col(&self, file_offset: u64) -> (u32, u32) {
        let at = self.index(file_offset);
        let before = &self.bytes[..at];
        let newlines = bytecount::count(before, b'\n') as u32;
        let line = self.line_at_start.saturating_add(newlines);
        let column = match memchr::memrchr(b'\n', before) {
            Some(nl) => bytecount::num_chars(&before[nl + 1..]) as u32,
            None => self
                .chars_before_in_line
                .saturating_add(bytecount::num_chars(before) as u32),
        };
        (line, column.saturating_add(1))
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
    }

    #[test]
    fn positions_continue_across_windows() {
        let w = Window::new(b"abc\ndef", 100, 7, 5, false);
        assert_eq!(w.line_col(101), (7, 7));
        assert_eq!(w.line_col(105), (8, 2));
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
