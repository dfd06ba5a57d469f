//! Finding base64- and percent-encoded segments and decoding them, bounded.
//!
//! **What triggers decoding.** Every text window the detector is called for
//! (a rule keyword occurred in it, or the base64 form of a keyword, which the
//! detector declares as extra patterns) is searched for:
//!
//! * base64 segments: maximal runs of `[A-Za-z0-9+/_-]` of at least
//!   [`MIN_BASE64`] characters (plus `=` padding), at most [`MAX_SEGMENT`],
//!   whose decoded bytes are text (at least 90 % printable ASCII);
//! * percent-encoded segments: maximal runs of URL characters holding at
//!   least one `%XX` escape.
//!
//! Decoded text is scanned with the same rules and searched again for
//! segments, down to [`MAX_DEPTH`] levels. All decoding of one window shares a
//! budget of [`DECODE_BUDGET`] decoded bytes, so the work stays linear in the
//! window.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// The shortest base64 run that is decoded.
pub(crate) const MIN_BASE64: usize = 16;
/// The longest encoded segment that is decoded.
pub(crate) const MAX_SEGMENT: usize = 256 * 1024;
/// How many decoded bytes one window may produce in total.
pub(crate) const DECODE_BUDGET: usize = 4 << 20;
/// How many times decoded text is decoded again.
pub(crate) const MAX_DEPTH: u8 = 2;

/// How a segment was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Standard or URL-safe base64.
    Base64,
    /// `%XX` escapes.
    Percent,
}

impl Encoding {
    /// The name used in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Percent => "percent",
        }
    }
}

/// A decoded segment of a buffer.
#[derive(Debug)]
pub(crate) struct Segment {
    /// Start of the encoded segment in the buffer.
    pub(crate) start: usize,
    /// End of the encoded segment in the buffer.
    pub(crate) end: usize,
    pub(crate) encoding: Encoding,
    pub(crate) decoded: Vec<u8>,
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_allow_trailing_bits(true)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-')
}

fn is_url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'%' | b'.'
                | b'_'
                | b'~'
                | b'+'
                | b'-'
                | b'/'
                | b':'
                | b'='
                | b'&'
                | b'?'
                | b'@'
                | b'!'
                | b'*'
                | b','
                | b';'
                | b'$'
        )
}

/// Whether decoded bytes look like text worth scanning.
fn is_text(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let printable = bytes
        .iter()
        .filter(|b| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    printable * 10 >= bytes.len() * 9
}

/// The encoded segments starting in `range` of `buf`, decoded, within `budget`.
pub(crate) fn segments(
    buf: &[u8],
    range: std::ops::Range<usize>,
    budget: &mut usize,
) -> Vec<Segment> {
    let mut out = Vec::new();
    let end_limit = range.end.min(buf.len());
    let mut i = range.start.min(end_limit);
    // Base64 runs.
    while i < end_limit && *budget > 0 {
        if !is_base64(buf[i]) || (i > 0 && is_base64(buf[i - 1]) && i != range.start) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < buf.len() && is_base64(buf[j]) {
            j += 1;
        }
        let body_end = j;
        while j < buf.len() && buf[j] == b'=' && j - body_end < 2 {
            j += 1;
        }
        let len = body_end - start;
        if (MIN_BASE64..=MAX_SEGMENT).contains(&len)
            && let Some(decoded) = decode_base64(&buf[start..body_end])
            && is_text(&decoded)
            && decoded.len() <= *budget
        {
            *budget -= decoded.len();
            out.push(Segment {
                start,
                end: j,
                encoding: Encoding::Base64,
                decoded,
            });
        }
        i = j.max(i + 1);
    }
    // Percent-encoded runs.
    let mut i = range.start.min(end_limit);
    let mut covered = 0usize;
    // `i` may pass `end_limit` when a run reaches beyond the range.
    while let Some(at) = buf
        .get(i..end_limit)
        .and_then(|rest| memchr::memchr(b'%', rest))
        .map(|p| p + i)
    {
        i = at + 1;
        if *budget == 0 || at < covered {
            continue;
        }
        let hex = |k: usize| buf.get(k).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(at + 1) && hex(at + 2)) {
            continue;
        }
        let mut start = at;
        while start > covered
            && start > 0
            && is_url_char(buf[start - 1])
            && at - start < MAX_SEGMENT
        {
            start -= 1;
        }
        let mut end = at;
        while end < buf.len() && is_url_char(buf[end]) && end - start < MAX_SEGMENT {
            end += 1;
        }
        covered = end;
        i = end.max(i);
        let decoded = decode_percent(&buf[start..end]);
        if decoded.len() <= *budget && decoded != buf[start..end] {
            *budget -= decoded.len();
            out.push(Segment {
                start,
                end,
                encoding: Encoding::Percent,
                decoded,
            });
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// The maximal run of base64 characters (and trailing padding) around
/// `at`, at most [`MAX_SEGMENT`] bytes to each side.
pub(crate) fn run_around(buf: &[u8], at: usize) -> std::ops::Range<usize> {
    let at = at.min(buf.len());
    let mut start = at;
    while start > 0 && is_base64(buf[start - 1]) && at - start < MAX_SEGMENT {
        start -= 1;
    }
    let mut end = at;
    while end < buf.len() && is_base64(buf[end]) && end - at < MAX_SEGMENT {
        end += 1;
    }
    let body_end = end;
    while end < buf.len() && buf[end] == b'=' && end - body_end < 2 {
        end += 1;
    }
    start..end
}

fn decode_base64(body: &[u8]) -> Option<Vec<u8>> {
    let body = if body.len() % 4 == 1 {
        &body[..body.len() - 1]
    } else {
        body
    };
    let url_safe = body.iter().any(|b| matches!(b, b'-' | b'_'));
    let standard = body.iter().any(|b| matches!(b, b'+' | b'/'));
    if url_safe && standard {
        return None;
    }
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    engine.decode(body).ok()
}

fn decode_percent(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && i + 2 < s.len()
            && let (Some(h), Some(l)) = (hex_value(s[i + 1]), hex_value(s[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_base64_and_percent_segments() {
        let text = b"x = \"aGVsbG8gd29ybGQsIHRoaXMgaXMgdGV4dA==\" y=a%2Fb%3Dc";
        let mut budget = DECODE_BUDGET;
        let segs = segments(text, 0..text.len(), &mut budget);
        assert_eq!(segs.len(), 2, "{segs:?}");
        assert_eq!(segs[0].decoded, b"hello world, this is text");
        assert_eq!(segs[1].encoding, Encoding::Percent);
        assert_eq!(segs[1].decoded, b"y=a/b=c");
    }

    #[test]
    fn the_run_around_a_position_is_its_base64_word_with_padding() {
        let text = b"let x = \"dG9rZW46IHNlY3JldA==\";";
        let at = text.iter().position(|&b| b == b'r').unwrap();
        let run = run_around(text, at);
        assert_eq!(&text[run], b"dG9rZW46IHNlY3JldA==");
    }

    /// A percent-encoded run that starts in the range and ends beyond it
    /// (a long URL on a line cut by the range) once made the next search
    /// start after the range's end: a panic that aborted the whole scan of
    /// a real `node_modules`.
    #[test]
    fn a_percent_run_beyond_the_range_ends_the_search() {
        let buf = b"a%41%42%43bcd%44%45 tail %46";
        let mut budget = DECODE_BUDGET;
        let found = segments(buf, 0..3, &mut budget);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded, b"aABCbcdDE");
    }

    #[test]
    fn binary_base64_is_not_decoded() {
        let text = b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
        let mut budget = DECODE_BUDGET;
        assert!(segments(text, 0..text.len(), &mut budget).is_empty());
    }
}
