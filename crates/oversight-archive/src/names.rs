//! Checks on member names and link targets: absolute names, `..` that climbs
//! out of the archive root, links that point outside it, and duplicates.
//!
//! Both `/` and `\` count as separators: Windows extractors honour
//! backslashes, so `..\..\x` escapes there just as `../../x` does elsewhere.
//! The checks are lexical; they describe what an extractor would do with the
//! name, without touching any file system.

use std::collections::HashSet;

use crate::issue::Issue;
use crate::rules;

/// The name as handed to the visitor: as written, without leading `./`.
pub(crate) fn display_name(raw: &str) -> &str {
    let mut name = raw;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name
}

/// Whether `name` is absolute: a leading `/` or `\`, or a drive letter.
pub(crate) fn is_absolute(name: &str) -> bool {
    match name.as_bytes() {
        [b'/' | b'\\', ..] => true,
        [letter, b':', ..] => letter.is_ascii_alphabetic(),
        _ => false,
    }
}

fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split(['/', '\\'])
        .filter(|component| !component.is_empty() && *component != ".")
}

/// Whether walking `path` from `depth` directories below the root climbs
/// above the root at some point.
fn climbs_out(path: &str, mut depth: usize) -> bool {
    for component in components(path) {
        if component == ".." {
            match depth.checked_sub(1) {
                Some(up) => depth = up,
                None => return true,
            }
        } else {
            depth += 1;
        }
    }
    false
}

/// Whether the relative part of `name` (after any absolute prefix) climbs
/// out of the archive root.
pub(crate) fn escapes_root(name: &str) -> bool {
    climbs_out(name, 0)
}

/// How many directories below the root the directory holding `name` is,
/// after lexical resolution (never below the root).
fn parent_depth(name: &str) -> usize {
    let mut stack: Vec<&str> = Vec::new();
    for component in components(name) {
        if component == ".." {
            stack.pop();
        } else {
            stack.push(component);
        }
    }
    stack.len().saturating_sub(1)
}

/// The kind of link, which decides what its target is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// Relative to the directory holding the link.
    Symbolic,
    /// Relative to the archive root (tar hard links).
    Hard,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Symbolic => "symbolic link",
            LinkKind::Hard => "hard link",
        }
    }
}

/// Whether a link named `name` with `target` points outside the archive.
pub(crate) fn link_escapes(kind: LinkKind, name: &str, target: &str) -> bool {
    if is_absolute(target) {
        return true;
    }
    let base = match kind {
        LinkKind::Symbolic => parent_depth(name),
        LinkKind::Hard => 0,
    };
    climbs_out(target, base)
}

/// A name with separators unified, `.` and empty components dropped and `..`
/// resolved, for spotting duplicates that an extractor would write to the
/// same place.
pub(crate) fn normalise(name: &str) -> String {
    let mut stack: Vec<&str> = Vec::new();
    let mut climbs = 0usize;
    for component in components(name) {
        if component == ".." {
            if stack.pop().is_none() {
                climbs += 1;
            }
        } else {
            stack.push(component);
        }
    }
    let mut out = String::new();
    if is_absolute(name) {
        out.push('/');
    }
    for _ in 0..climbs {
        out.push_str("../");
    }
    out.push_str(&stack.join("/"));
    out
}

/// The name checks of one archive: remembers the names seen for duplicates.
#[derive(Debug, Default)]
pub(crate) struct NameChecks {
    seen: HashSet<String>,
}

impl NameChecks {
    /// Issues for the entry `name` (as displayed): absolute, escaping, or
    /// (unless it is a directory) a duplicate.
    pub(crate) fn check(&mut self, name: &str, is_dir: bool) -> Vec<Issue> {
        let mut issues = Vec::new();
        if is_absolute(name) {
            issues.push(Issue::new(
                &rules::ABSOLUTE_PATH,
                Some(name),
                format!("Member name `{name}` is absolute"),
            ));
        }
        if escapes_root(name) {
            issues.push(Issue::new(
                &rules::PATH_TRAVERSAL,
                Some(name),
                format!("Member name `{name}` climbs out of the archive root with `..`"),
            ));
        }
        if !is_dir && !self.seen.insert(normalise(name)) {
            issues.push(Issue::new(
                &rules::DUPLICATE_ENTRY,
                Some(name),
                format!("Member name `{name}` occurs more than once; every copy was scanned"),
            ));
        }
        issues
    }

    /// The issue for a link, if it points outside the archive.
    pub(crate) fn check_link(kind: LinkKind, name: &str, target: &str) -> Option<Issue> {
        link_escapes(kind, name, target).then(|| {
            Issue::new(
                &rules::LINK_OUTSIDE,
                Some(name),
                format!(
                    "Member `{name}` is a {} to `{target}`, outside the archive",
                    kind.as_str()
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_strips_leading_dot_slash_only() {
        assert_eq!(display_name("./a/b"), "a/b");
        assert_eq!(display_name("././a"), "a");
        assert_eq!(display_name("./"), "");
        assert_eq!(display_name("a/./b"), "a/./b");
        assert_eq!(display_name("../a"), "../a");
    }

    #[test]
    fn absolute_names() {
        for name in [
            "/etc/passwd",
            "\\windows\\x",
            "C:\\x",
            "c:x",
            "\\\\server\\share",
        ] {
            assert!(is_absolute(name), "{name}");
        }
        for name in ["etc/passwd", "1:x", "", "..\\x", "a/c:x"] {
            assert!(!is_absolute(name), "{name}");
        }
    }

    #[test]
    fn traversal_is_about_escaping_not_about_dotdot() {
        for name in [
            "../x",
            "../../etc/x",
            "a/../../x",
            "a\\..\\..\\x",
            "./../x",
            "/../x",
        ] {
            assert!(escapes_root(name), "{name}");
        }
        for name in ["a/../b", "a/b/../../c", "..x/y", "a/..b", "x..", "./a"] {
            assert!(!escapes_root(name), "{name}");
        }
    }

    #[test]
    fn links() {
        use LinkKind::{Hard, Symbolic};
        assert!(link_escapes(Symbolic, "a", "/etc/passwd"));
        assert!(link_escapes(Symbolic, "a", "../x"));
        assert!(
            !link_escapes(Symbolic, "dir/a", "../x"),
            "dir/../x stays inside"
        );
        assert!(link_escapes(Symbolic, "dir/a", "../../x"));
        assert!(!link_escapes(Symbolic, "a/b/c", "../../d"));
        assert!(!link_escapes(Symbolic, "a", "b/c"));
        assert!(
            link_escapes(Hard, "dir/a", "../x"),
            "hard links are root-relative"
        );
        assert!(!link_escapes(Hard, "dir/a", "other/x"));
        assert!(link_escapes(Hard, "a", "C:\\x"));
    }

    #[test]
    fn duplicates_are_found_after_normalisation() {
        let mut checks = NameChecks::default();
        assert!(checks.check("a/b.txt", false).is_empty());
        let dup = checks.check("a//./b.txt", false);
        assert_eq!(dup.len(), 1);
        assert_eq!(dup[0].rule.id, "integrity.archive-duplicate-entry");
        assert_eq!(checks.check("a\\b.txt", false).len(), 1);
        assert!(checks.check("A/b.txt", false).is_empty(), "case matters");
        assert!(checks.check("dir/", true).is_empty());
        assert!(
            checks.check("dir/", true).is_empty(),
            "directories may repeat"
        );
        assert_eq!(normalise("x/../../y"), "../y");
        assert_eq!(normalise("/a/./b"), "/a/b");
    }

    #[test]
    fn one_name_can_raise_several_issues() {
        let mut checks = NameChecks::default();
        let issues = checks.check("/../etc/x", false);
        let ids: Vec<_> = issues.iter().map(|i| i.rule.id).collect();
        assert_eq!(
            ids,
            [
                "integrity.archive-absolute-path",
                "integrity.archive-path-traversal"
            ]
        );
    }
}
