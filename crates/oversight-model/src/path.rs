//! Paths inside a delivery, including paths inside (nested) archives.

use std::fmt;

/// Where a file sits inside a delivery.
///
/// Each segment is a path inside one container: the first is relative to the
/// delivery root, the next is inside the archive named by the first, and so on.
/// Displayed as `outer.zip!/inner.tar.gz!/src/x.js`, the notation used by
/// Java tooling and by the findings model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeliveryPath {
    segments: Vec<String>,
}

impl DeliveryPath {
    /// A path relative to the delivery root. Backslashes are kept as written:
    /// the caller normalises separators of its own platform.
    pub fn root(path: impl Into<String>) -> Self {
        DeliveryPath {
            segments: vec![path.into()],
        }
    }

    /// A path inside the archive that `self` names.
    pub fn join(&self, inner: impl Into<String>) -> Self {
        let mut segments = self.segments.clone();
        segments.push(inner.into());
        DeliveryPath { segments }
    }

    /// The path segments, outermost first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// How many archives deep this path is (0 for a plain file).
    pub fn depth(&self) -> usize {
        self.segments.len() - 1
    }

    /// The innermost segment: the path inside the innermost container.
    pub fn innermost(&self) -> &str {
        self.segments.last().map(String::as_str).unwrap_or("")
    }

    /// The file name of the innermost segment (`x.js` for `a.zip!/src/x.js`).
    pub fn file_name(&self) -> &str {
        let inner = self.innermost();
        inner.rsplit(['/', '\\']).next().unwrap_or(inner)
    }

    /// The lower-cased extension of the file name, without the dot.
    pub fn extension(&self) -> Option<String> {
        let name = self.file_name();
        let (stem, ext) = name.rsplit_once('.')?;
        (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
    }
}

/// A file name's bytes as one name of a delivery path, injectively: a name
/// that is valid UTF-8 without a backslash is kept as it is (nearly every
/// name); any other name has each `\\` written `\\\\` and each byte of an
/// invalid UTF-8 sequence written `\\xNN`. Two names that differ in bytes
/// always give two different strings (and a kept name never holds a
/// backslash, an escaped one always does), so two files never collapse into
/// one; [`name_bytes`] gives the bytes back.
pub fn name_from_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\\') => std::borrow::Cow::Borrowed(text),
        _ => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c == '\\' {
                        out.push_str("\\\\");
                    } else {
                        out.push(c);
                    }
                }
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

/// The bytes of a name [`name_from_bytes`] wrote.
pub fn name_bytes(name: &str) -> Vec<u8> {
    if !name.contains('\\') {
        return name.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('\\') {
            out.push(b'\\');
            rest = tail;
        } else if let Some(hex) = after.strip_prefix('x').and_then(|h| h.get(..2))
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            rest = &after[3..];
        } else {
            // Not written by `name_from_bytes`: kept as it is.
            out.push(b'\\');
            rest = after;
        }
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

impl fmt::Display for DeliveryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str("!/")?;
            }
            f.write_str(s)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_use_bang_slash() {
        let p = DeliveryPath::root("outer.zip")
            .join("inner.tar.gz")
            .join("src/x.js");
        assert_eq!(p.to_string(), "outer.zip!/inner.tar.gz!/src/x.js");
        assert_eq!(p.depth(), 2);
        assert_eq!(p.file_name(), "x.js");
        assert_eq!(p.extension().as_deref(), Some("js"));
    }

    #[test]
    fn names_that_differ_in_bytes_never_collapse() {
        let names: [&[u8]; 6] = [
            b"a\xff.txt",
            b"a\xfe.txt",
            b"a\\xff.txt",
            b"a\\\\xff.txt",
            "a\u{fffd}.txt".as_bytes(),
            b"plain.txt",
        ];
        let shown: Vec<String> = names
            .iter()
            .map(|n| name_from_bytes(n).into_owned())
            .collect();
        for (i, a) in shown.iter().enumerate() {
            for b in &shown[i + 1..] {
                assert_ne!(a, b, "{shown:?}");
            }
        }
        for (name, shown) in names.iter().zip(&shown) {
            assert_eq!(name_bytes(shown), *name, "{shown}");
        }
        assert_eq!(shown[0], "a\\xff.txt");
        assert_eq!(shown[5], "plain.txt");
    }

    #[test]
    fn dotfiles_have_no_extension() {
        assert_eq!(DeliveryPath::root(".gitignore").extension(), None);
        assert_eq!(DeliveryPath::root("a/Makefile").extension(), None);
        assert_eq!(
            DeliveryPath::root("A.TGZ").extension().as_deref(),
            Some("tgz")
        );
    }
}
