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
    fn dotfiles_have_no_extension() {
        assert_eq!(DeliveryPath::root(".gitignore").extension(), None);
        assert_eq!(DeliveryPath::root("a/Makefile").extension(), None);
        assert_eq!(
            DeliveryPath::root("A.TGZ").extension().as_deref(),
            Some("tgz")
        );
    }
}
