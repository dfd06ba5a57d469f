//! Recognition of encoded blobs in a bounded slice: long base64 or hex,
//! runs of escape sequences, character-code lists and `chr()` chains.

use std::fmt;

/// Base64 or hex characters from which a run is a blob.
pub(crate) const MIN_ENCODED: usize = 200;

/// Escape sequences (`\x41`, `\u0041`, `\101`) in a row from which they are a blob.
const MIN_ESCAPES: usize = 50;

/// Numbers in a comma-separated list from which it is a character-code blob.
const MIN_CHAR_CODES: usize = 20;

/// `chr(n)` calls joined by `+` from which they are a blob.
const MIN_CHR_CHAIN: usize = 10;

/// A base64 run shorter than this does not join neighbouring runs (lines of a
/// payload wrapped over several string literals).
const MIN_CHUNK: usize = 40;

/// What kind of encoding a blob uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlobKind {
    Base64,
    Hex,
    Escapes,
    CharCodes,
    ChrChain,
}

impl BlobKind {
    /// Whether the language itself decodes this blob, so that an executor
    /// given it needs no decoder call.
    pub(crate) fn decodes_itself(self) -> bool {
        matches!(self, BlobKind::Escapes | BlobKind::ChrChain)
    }
}

/// An encoded blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blob {
    pub(crate) kind: BlobKind,
    /// Characters, escapes, numbers or calls, by kind.
    pub(crate) units: usize,
    /// Offset of the blob in the examined slice.
    pub(crate) start: usize,
}

impl fmt::Display for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            BlobKind::Base64 => write!(f, "a {}-character base64 string", self.units),
            BlobKind::Hex => write!(f, "a {}-digit hex string", self.units),
            BlobKind::Escapes => write!(f, "{} escape sequences", self.units),
            BlobKind::CharCodes => write!(f, "a list of {} character codes", self.units),
            BlobKind::ChrChain => write!(f, "a chain of {} chr() calls", self.units),
        }
    }
}

/// The largest blob in `bytes`, if any. Linear in the length of `bytes`.
pub(crate) fn find_blob(bytes: &[u8]) -> Option<Blob> {
    let mut best: Option<Blob> = None;
    let mut keep = |candidate: Blob| {
        if best.is_none_or(|b| candidate.units > b.units) {
            best = Some(candidate);
        }
    };
    let mut encoded = EncodedRun::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            let (units, end) = escapes_at(bytes, i);
            if units >= MIN_ESCAPES {
                keep(Blob {
                    kind: BlobKind::Escapes,
                    units,
                    start: i,
                });
            }
            if units > 0 {
                encoded.close(&mut keep);
                i = end;
                continue;
            }
        }
        if b.is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && !encoded.in_run()
        {
            let (numbers, end) = numbers_at(bytes, i);
            if numbers >= MIN_CHAR_CODES {
                keep(Blob {
                    kind: BlobKind::CharCodes,
                    units: numbers,
                    start: i,
                });
                i = end;
                continue;
            }
        }
        if (b == b'c' || b == b'C')
            && bytes[i..].len() > 4
            && bytes[i..i + 4].eq_ignore_ascii_case(b"chr(")
        {
            let (calls, end) = chr_chain_at(bytes, i);
            if calls >= MIN_CHR_CHAIN {
                keep(Blob {
                    kind: BlobKind::ChrChain,
                    units: calls,
                    start: i,
                });
                encoded.close(&mut keep);
                i = end;
                continue;
            }
        }
        encoded.push(b, i, &mut keep);
        i += 1;
    }
    encoded.close(&mut keep);
    best
}

/// The state of the base64 or hex run being read. Runs of at least
/// [`MIN_CHUNK`] characters separated by a few quotes, spaces, `+` or line
/// breaks count as one (a payload wrapped over several literals).
#[derive(Default)]
struct EncodedRun {
    /// Start of the merged run.
    start: usize,
    /// Characters in the merged run so far, gaps excluded.
    merged: usize,
    /// Characters in the current contiguous run.
    current: usize,
    /// Bytes of separators since the current run ended.
    gap: usize,
    upper: bool,
    lower: bool,
    digit: bool,
    all_hex: bool,
}

impl EncodedRun {
    fn in_run(&self) -> bool {
        self.current > 0
    }

    fn push(&mut self, b: u8, at: usize, keep: &mut impl FnMut(Blob)) {
        let is_encoded = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_');
        if is_encoded {
            if self.current == 0 && self.gap > 0 && self.merged >= MIN_CHUNK {
                // A new chunk after a short gap continues the merged run.
            } else if self.current == 0 {
                self.reset(at);
            }
            self.gap = 0;
            self.current += 1;
            self.merged += 1;
            self.upper |= b.is_ascii_uppercase();
            self.lower |= b.is_ascii_lowercase();
            self.digit |= b.is_ascii_digit();
            self.all_hex &= b.is_ascii_hexdigit();
            return;
        }
        let separator = matches!(
            b,
            b'"' | b'\'' | b' ' | b'\t' | b'\r' | b'\n' | b'+' | b'\\'
        );
        if self.current > 0 {
            if self.current < MIN_CHUNK || !separator {
                self.close(keep);
                return;
            }
            self.current = 0;
        }
        if self.merged > 0 {
            self.gap += 1;
            if !separator || self.gap > 8 {
                self.close(keep);
            }
        }
    }

    fn reset(&mut self, at: usize) {
        *self = EncodedRun {
            start: at,
            all_hex: true,
            ..EncodedRun::default()
        };
    }

    fn close(&mut self, keep: &mut impl FnMut(Blob)) {
        if self.merged >= MIN_ENCODED {
            if self.all_hex {
                keep(Blob {
                    kind: BlobKind::Hex,
                    units: self.merged,
                    start: self.start,
                });
            } else if self.upper && self.lower && self.digit {
                keep(Blob {
                    kind: BlobKind::Base64,
                    units: self.merged,
                    start: self.start,
                });
            }
        }
        *self = EncodedRun::default();
    }
}

/// Counts the escape sequences in a row at `at` (`\xNN`, `\uNNNN`, `\NNN`).
fn escapes_at(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let mut units = 0;
    loop {
        let rest = &bytes[at.min(bytes.len())..];
        let len = match rest {
            [b'\\', b'x' | b'X', a, b, ..] if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => 4,
            // Only escapes of ASCII characters: escaped CJK or Cyrillic text is
            // text, escaped ASCII is hiding something.
            [b'\\', b'u', b'0', b'0', a, b, ..]
                if matches!(a, b'0'..=b'7') && b.is_ascii_hexdigit() =>
            {
                6
            }
            [b'\\', b'0'..=b'3', b'0'..=b'7', b'0'..=b'7', ..] => 4,
            _ => return (units, at),
        };
        units += 1;
        at += len;
    }
}

/// Counts the numbers of a comma-separated list at `at` (`104, 0x65, 108`).
fn numbers_at(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let mut numbers = 0;
    loop {
        let start = at;
        if bytes[at..].starts_with(b"0x") || bytes[at..].starts_with(b"0X") {
            at += 2;
            while at < bytes.len() && bytes[at].is_ascii_hexdigit() && at - start < 10 {
                at += 1;
            }
        } else {
            while at < bytes.len() && bytes[at].is_ascii_digit() && at - start < 8 {
                at += 1;
            }
        }
        if at == start || (at < bytes.len() && bytes[at].is_ascii_alphanumeric()) {
            return (numbers, start);
        }
        numbers += 1;
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] != b',' {
            return (numbers, at);
        }
        at += 1;
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
        if at >= bytes.len() || !bytes[at].is_ascii_digit() {
            return (numbers, at);
        }
    }
}

/// Counts the `chr(n)` calls joined by `+` at `at`.
fn chr_chain_at(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let mut calls = 0;
    loop {
        let rest = &bytes[at.min(bytes.len())..];
        if rest.len() < 6 || !rest[..4].eq_ignore_ascii_case(b"chr(") {
            return (calls, at);
        }
        let digits = rest[4..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || rest.get(4 + digits) != Some(&b')') {
            return (calls, at);
        }
        calls += 1;
        at += 5 + digits;
        let mut next = at;
        while next < bytes.len() && matches!(bytes[next], b' ' | b'+') {
            next += 1;
        }
        if next == at || !bytes[at..next].contains(&b'+') {
            return (calls, at);
        }
        at = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<(BlobKind, usize)> {
        find_blob(text.as_bytes()).map(|b| (b.kind, b.units))
    }

    #[test]
    fn recognises_each_kind() {
        let b64 = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2VjaG8gaGknKQ==".repeat(6);
        assert_eq!(
            kind(&format!("x = '{b64}'")),
            Some((BlobKind::Base64, b64.len()))
        );
        let hex = "6a".repeat(120);
        assert_eq!(
            kind(&format!("bytes.fromhex(\"{hex}\")")),
            Some((BlobKind::Hex, 240))
        );
        let escapes = "\\x41".repeat(60);
        assert_eq!(
            kind(&format!("\"{escapes}\"")),
            Some((BlobKind::Escapes, 60))
        );
        let codes = (0..30)
            .map(|i| (100 + i).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(
            kind(&format!("String.fromCharCode({codes})")),
            Some((BlobKind::CharCodes, 30))
        );
        let chain = (0..12)
            .map(|i| format!("chr({})", 100 + i))
            .collect::<Vec<_>>()
            .join("+");
        assert_eq!(kind(&chain), Some((BlobKind::ChrChain, 12)));
    }

    #[test]
    fn wrapped_payloads_join_and_prose_does_not() {
        let line =
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3";
        let wrapped = format!("p = ('{line}'\n     '{line}'\n     '{line}')");
        assert_eq!(kind(&wrapped).map(|k| k.0), Some(BlobKind::Base64));
        assert_eq!(kind(&"- ".repeat(300)), None);
        assert_eq!(kind(&"=".repeat(300)), None);
        assert_eq!(kind(&"word ".repeat(300)), None);
        assert_eq!(kind("[1, 2, 3]"), None);
    }
}
