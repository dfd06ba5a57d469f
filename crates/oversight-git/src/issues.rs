//! Problems of a tree that the engine reports as findings.
//!
//! These are facts about the delivery, not failures of the scan: a submodule
//! whose content was not delivered, a blob missing from a shallow or partial
//! clone, a symlink that leads out of the repository. [`tree_issues`]
//! therefore never fails; what it cannot read becomes an issue too.
//!
//! Symlink targets are resolved the way a checkout would follow them: each
//! component in turn, through other symlinks of the same tree (a link to
//! `lib/..` where `lib` is itself a link to `..` escapes, although its text
//! does not say so). Backslashes count as separators and `C:` prefixes as
//! absolute, since the delivery may be checked out on Windows.

use crate::{EntryKind, Error, Repo, TreeEntry, rules};
use oversight_model::Rule;
use std::collections::{HashMap, VecDeque};

/// Symlink targets longer than this are not read (Linux's `PATH_MAX`).
const MAX_LINK_TARGET: u64 = 4096;

/// How many symlinks resolution follows before giving up, as Linux does
/// (`ELOOP`). A loop does not lead anywhere, so it is not reported.
const MAX_LINK_HOPS: usize = 40;

/// A problem of the tree, for the engine to report as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// One of [`crate::RULES`].
    pub rule: &'static Rule,
    /// The tree entry it is about, when there is one.
    pub path: Option<String>,
    /// A sentence naming what was found.
    pub message: String,
}

/// Finds the problems of `entries` (as listed by [`Repo::tree_entries`]):
/// submodules, symlinks whose target is absolute or escapes the repository
/// root, and entries whose blob is missing or unreadable. Issues come sorted
/// by path.
pub fn tree_issues(repo: &Repo, entries: &[TreeEntry]) -> Vec<Issue> {
    let mut reader = repo.blob_reader();
    let mut issues = Vec::new();
    let mut links: HashMap<&str, String> = HashMap::new();
    for entry in entries {
        let issue = |rule, message| Issue {
            rule,
            path: Some(entry.path.clone()),
            message,
        };
        match entry.kind {
            EntryKind::Submodule => issues.push(issue(
                &rules::GIT_SUBMODULE,
                format!(
                    "Submodule `{}` pins commit {} of another repository; its content is not part of the delivery",
                    entry.path, entry.oid
                ),
            )),
            EntryKind::File | EntryKind::Executable => {
                if entry.size.is_none() && !reader.exists(&entry.oid) {
                    issues.push(issue(&rules::GIT_OBJECT_MISSING, missing_message(entry)));
                }
            }
            EntryKind::Symlink => match reader.read(&entry.oid, MAX_LINK_TARGET) {
                Ok(target) => {
                    links.insert(&entry.path, String::from_utf8_lossy(&target).into_owned());
                }
                Err(Error::MissingObject { .. }) => {
                    issues.push(issue(&rules::GIT_OBJECT_MISSING, missing_message(entry)));
                }
                Err(Error::TooLarge { size, .. }) => issues.push(issue(
                    &rules::GIT_BLOB_TOO_LARGE,
                    format!(
                        "Symlink `{}` has a target of {size} bytes, longer than any valid path ({MAX_LINK_TARGET}); it was not read",
                        entry.path
                    ),
                )),
                Err(error) => issues.push(issue(
                    &rules::GIT_OBJECT_MISSING,
                    format!("The target of symlink `{}` cannot be read: {error}", entry.path),
                )),
            },
        }
    }

    for entry in entries.iter().filter(|e| e.kind == EntryKind::Symlink) {
        let Some(target) = links.get(entry.path.as_str()) else {
            continue;
        };
        let message = match follow(&entry.path, &links) {
            Resolution::Inside | Resolution::Loop => continue,
            Resolution::Absolute { via: None } => {
                format!(
                    "Symlink `{}` points to the absolute path `{target}`",
                    entry.path
                )
            }
            Resolution::Escapes { via: None } => format!(
                "Symlink `{}` points to `{target}`, outside the repository",
                entry.path
            ),
            Resolution::Absolute { via: Some(via) } => format!(
                "Symlink `{}` points to `{target}`, which leads to an absolute path through symlink `{via}`",
                entry.path
            ),
            Resolution::Escapes { via: Some(via) } => format!(
                "Symlink `{}` points to `{target}`, which leads outside the repository through symlink `{via}`",
                entry.path
            ),
        };
        issues.push(Issue {
            rule: &rules::GIT_SYMLINK_OUTSIDE,
            path: Some(entry.path.clone()),
            message,
        });
    }

    issues.sort_by(|a, b| a.path.cmp(&b.path));
    issues
}

fn missing_message(entry: &TreeEntry) -> String {
    format!(
        "Blob {} of `{}` is missing from the repository (a shallow, partial or corrupt clone); its content was not reviewed",
        entry.oid, entry.path
    )
}

/// Where following a symlink ends. `via` names the other symlink through
/// which it got there, if any.
#[derive(Debug, PartialEq, Eq)]
enum Resolution {
    Inside,
    Absolute { via: Option<String> },
    Escapes { via: Option<String> },
    Loop,
}

/// Follows the symlink at `link` (a key of `links`, which maps every readable
/// symlink of the tree to its target) component by component.
fn follow(link: &str, links: &HashMap<&str, String>) -> Resolution {
    let mut directory: Vec<String> = link.split('/').map(str::to_owned).collect();
    directory.pop();
    let mut pending: VecDeque<String> = VecDeque::new();
    let mut via: Option<String> = None;
    let mut hops = 0;
    let Some(first) = links.get(link) else {
        return Resolution::Inside;
    };
    if is_absolute(first) {
        return Resolution::Absolute { via };
    }
    pending.extend(components(first));
    while let Some(component) = pending.pop_front() {
        match component.as_str() {
            "" | "." => {}
            ".." => {
                if directory.pop().is_none() {
                    return Resolution::Escapes { via };
                }
            }
            _ => {
                directory.push(component);
                let here = directory.join("/");
                if let Some(target) = links.get(here.as_str()) {
                    hops += 1;
                    if hops > MAX_LINK_HOPS {
                        return Resolution::Loop;
                    }
                    directory.pop();
                    via = Some(here);
                    if is_absolute(target) {
                        return Resolution::Absolute { via };
                    }
                    for (index, next) in components(target).enumerate() {
                        pending.insert(index, next);
                    }
                }
            }
        }
    }
    Resolution::Inside
}

fn components(target: &str) -> impl Iterator<Item = String> + '_ {
    target.split(['/', '\\']).map(str::to_owned)
}

/// Whether a symlink target is absolute on Unix or on Windows.
fn is_absolute(target: &str) -> bool {
    let bytes = target.as_bytes();
    matches!(bytes.first(), Some(b'/' | b'\\'))
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(link: &str, all: &[(&'static str, &'static str)]) -> Resolution {
        let links = all
            .iter()
            .map(|(path, target)| (*path, (*target).to_owned()))
            .collect();
        follow(link, &links)
    }

    #[test]
    fn plain_targets() {
        assert_eq!(resolve("a", &[("a", "b")]), Resolution::Inside);
        assert_eq!(resolve("d/a", &[("d/a", "../b")]), Resolution::Inside);
        assert_eq!(
            resolve("d/a", &[("d/a", "./../../b")]),
            Resolution::Escapes { via: None }
        );
        assert_eq!(
            resolve("a", &[("a", "/etc/passwd")]),
            Resolution::Absolute { via: None }
        );
        assert_eq!(
            resolve("a", &[("a", "C:\\Windows")]),
            Resolution::Absolute { via: None }
        );
        assert_eq!(
            resolve("d/a", &[("d/a", "..\\..\\x")]),
            Resolution::Escapes { via: None }
        );
        assert_eq!(resolve("a", &[("a", "")]), Resolution::Inside);
    }

    #[test]
    fn through_other_links() {
        let links = [("x/up", ".."), ("y", "x/up/..")];
        assert_eq!(resolve("x/up", &links), Resolution::Inside);
        assert_eq!(
            resolve("y", &links),
            Resolution::Escapes {
                via: Some("x/up".to_owned())
            }
        );
        let links = [("etc", "/etc"), ("p", "etc/passwd")];
        assert_eq!(
            resolve("p", &links),
            Resolution::Absolute {
                via: Some("etc".to_owned())
            }
        );
    }

    #[test]
    fn loops_end() {
        assert_eq!(resolve("a", &[("a", "b"), ("b", "a")]), Resolution::Loop);
        assert_eq!(resolve("a", &[("a", "a")]), Resolution::Loop);
    }
}
