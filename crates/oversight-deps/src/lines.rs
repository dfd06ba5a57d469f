//! Cheap line numbers for formats whose parsers do not give positions.

use std::collections::HashMap;

/// 1-based line of byte `offset` in `bytes`.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> u32 {
    let end = offset.min(bytes.len());
    (memchr::memchr_iter(b'\n', &bytes[..end]).count() + 1) as u32
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Lines (1-based) on which a line equal to `header` after trimming starts,
/// in order: `[[package]]` headers of TOML lockfiles, whose i-th occurrence
/// is the i-th package.
pub(crate) fn header_lines(text: &str, header: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

/// Where JSON keys and `"field": "value"` pairs sit in pretty-printed JSON:
/// the first string of each line, with what follows it. Lockfile writers
/// put one key per line; minified files simply get no line numbers.
pub(crate) struct JsonLines<'a> {
    objects: HashMap<&'a str, u32>,
    fields: HashMap<(&'a str, &'a str), u32>,
}

impl<'a> JsonLines<'a> {
    /// Records only keys starting with `prefix` (empty for all): a
    /// package-lock has tens of thousands of other keys.
    pub fn new(text: &'a str, prefix: &str) -> Self {
        let mut objects = HashMap::new();
        let mut fields = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let n = i as u32 + 1;
            let t = line.trim_start();
            let Some(rest) = t.strip_prefix('"') else {
                continue;
            };
            if !rest.starts_with(prefix) {
                continue;
            }
            let Some(end) = rest.find('"') else { continue };
            let key = &rest[..end];
            let after = rest[end + 1..].trim_start();
            let Some(value) = after.strip_prefix(':') else {
                continue;
            };
            let value = value.trim_start();
            if value.starts_with('{') {
                objects.entry(key).or_insert(n);
            } else if let Some(v) = value.strip_prefix('"')
                && let Some(vend) = v.find('"')
            {
                fields.entry((key, &v[..vend])).or_insert(n);
            }
        }
        JsonLines { objects, fields }
    }

    /// The line of `"key": {`.
    pub fn object(&self, key: &str) -> Option<u32> {
        self.objects.get(key).copied()
    }

    /// The line of `"field": "value"`.
    pub fn field(&self, field: &str, value: &str) -> Option<u32> {
        self.fields.get(&(field, value)).copied()
    }
}

/// The 1-based line and column of a TOML parse error, from its byte span.
pub(crate) fn toml_error_line(text: &str, e: &toml::de::Error) -> Option<u32> {
    e.span().map(|s| line_at(text.as_bytes(), s.start))
}

/// The first line of an error message (parsers add source excerpts below).
pub(crate) fn first_line(message: &str) -> String {
    clip(message.lines().next().unwrap_or("").trim(), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_finds_keys_and_fields() {
        let text = "{\n  \"packages\": {\n    \"node_modules/a\": {\n      \"name\": \"x\"\n    }\n  }\n}\n";
        let j = JsonLines::new(text, "");
        assert_eq!(j.object("node_modules/a"), Some(3));
        assert_eq!(j.field("name", "x"), Some(4));
        assert_eq!(j.object("missing"), None);
    }

    #[test]
    fn clip_is_char_safe() {
        assert_eq!(clip("ääää", 2), "ää…");
        assert_eq!(clip("ab", 2), "ab");
    }
}
