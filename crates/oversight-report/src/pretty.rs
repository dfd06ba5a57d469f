//! Pretty-printed JSON that is safe to `cat`.
//!
//! `serde_json` escapes only the C0 controls, `"` and `\`. Strings in a report
//! come from the delivery, so they may also hold DEL, C1 controls (`U+009B` is a
//! terminal escape on its own), bidirectional overrides and zero-width
//! characters; written raw, they would act on the terminal of whoever looks at
//! the file. This formatter writes those as `\uXXXX` escapes instead: the JSON
//! value is the same, only its spelling changes.

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// Writes `value` as indented JSON, escaping every character that
/// [`needs_escape`] names.
pub(crate) fn to_writer_pretty(
    out: &mut dyn io::Write,
    value: &impl Serialize,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, SafeFormatter::default());
    value.serialize(&mut serializer)
}

/// Characters escaped on top of what `serde_json` escapes: DEL, the C1 controls,
/// the characters that reorder or hide text, and the line and paragraph
/// separators.
fn needs_escape(c: char) -> bool {
    matches!(c, '\u{7F}'..='\u{9F}' | '\u{2028}' | '\u{2029}') || crate::text::is_format(c)
}

/// [`PrettyFormatter`] with [`needs_escape`] applied to string contents.
#[derive(Default)]
struct SafeFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Formatter for SafeFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let mut rest = fragment;
        while let Some((index, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            writer.write_all(&rest.as_bytes()[..index])?;
            // Every escaped character is in the Basic Multilingual Plane, so one
            // `\uXXXX` escape (no surrogate pair) spells it.
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[index + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_escaped_and_the_value_survives() {
        let original = "a\u{202E}b\u{9B}c\u{7F}d\u{200B}e\u{2028}ü\x1b\"";
        let mut out = Vec::new();
        to_writer_pretty(&mut out, &original).expect("writing to a Vec works");
        let written = String::from_utf8(out).expect("JSON is UTF-8");
        assert_eq!(written, r#""a\u202eb\u009bc\u007fd\u200be\u2028ü\u001b\"""#);
        let parsed: String = serde_json::from_str(&written).expect("the output parses");
        assert_eq!(parsed, original);
    }
}
