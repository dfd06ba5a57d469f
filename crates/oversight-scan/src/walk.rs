//! Listing every entry of a delivery directory, without following links.
//!
//! Nothing is filtered: hidden files, files a `.gitignore` would hide and
//! vendored folders are all delivered content. The one exception is the `.git`
//! directory at the root of a work tree, which the engine reads through git.

use std::path::{Component, Path, PathBuf};

use oversight_model::Rule;

use crate::rules;

/// A regular file to scan.
#[derive(Debug)]
pub(crate) struct FileEntry {
    /// Path relative to the delivery root, `/`-separated.
    pub(crate) rel: String,
    /// Path on disk.
    pub(crate) abs: PathBuf,
    /// Size from the directory entry's metadata.
    pub(crate) size: u64,
}

/// Something about an entry the engine must report.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) rule: &'static Rule,
    pub(crate) rel: String,
    pub(crate) message: String,
}

/// The result of walking a directory.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub(crate) files: Vec<FileEntry>,
    pub(crate) problems: Vec<Problem>,
    /// Symlinks and special files seen.
    pub(crate) special_entries: u64,
    /// Each of them, with what it is.
    pub(crate) specials: Vec<(String, oversight_model::SpecialKind)>,
}

/// Lists `root`. When `skip_root_git` is set, the `.git` entry at the root is
/// left out (the caller reads that repository through git).
pub(crate) fn walk(root: &Path, skip_root_git: bool) -> Listing {
    let mut listing = Listing::default();
    let canonical_root = fs_err::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let entries = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(skip_root_git && e.depth() == 1 && e.file_name() == ".git"));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err.path().map(|p| relative(root, p)).unwrap_or_default();
                let reason = err
                    .io_error()
                    .map_or_else(|| err.to_string(), ToString::to_string);
                listing.problems.push(Problem {
                    rule: &rules::UNREADABLE,
                    message: format!("Cannot read `{rel}`: {reason}; its content was not scanned"),
                    rel,
                });
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = relative(root, entry.path());
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if entry.file_name() == ".git" && entry.path().join("HEAD").is_file() {
                listing.problems.push(Problem {
                    rule: &rules::NESTED_REPOSITORY,
                    message: format!(
                        "`{rel}` is a nested git repository; its files were scanned as bytes but its compressed objects and history were not"
                    ),
                    rel,
                });
            }
            continue;
        }
        if file_type.is_symlink() {
            listing.special_entries += 1;
            if let Ok(target) = std::fs::read_link(entry.path()) {
                listing.specials.push((
                    rel.clone(),
                    oversight_model::SpecialKind::Symlink(name_of(target.as_os_str()).into_owned()),
                ));
            }
            if let Some(problem) = check_symlink(&canonical_root, entry.path(), &rel) {
                listing.problems.push(problem);
            }
            continue;
        }
        if file_type.is_file() {
            match entry.metadata() {
                Ok(meta) => listing.files.push(FileEntry {
                    rel,
                    abs: entry.into_path(),
                    size: meta.len(),
                }),
                Err(err) => listing.problems.push(Problem {
                    rule: &rules::UNREADABLE,
                    message: format!("Cannot read metadata of `{rel}`: {err}; not scanned"),
                    rel,
                }),
            }
            continue;
        }
        listing.special_entries += 1;
        listing.specials.push((rel.clone(), special(&file_type)));
        listing.problems.push(Problem {
            rule: &rules::SPECIAL_FILE,
            message: format!(
                "`{rel}` is a {}; it was not opened",
                special_kind(&file_type)
            ),
            rel,
        });
    }
    listing
}

#[cfg(unix)]
fn special_kind(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "FIFO (named pipe)"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "special file"
}

#[cfg(unix)]
fn special(file_type: &std::fs::FileType) -> oversight_model::SpecialKind {
    use oversight_model::SpecialKind;
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        SpecialKind::Fifo
    } else if file_type.is_socket() {
        SpecialKind::Socket
    } else if file_type.is_block_device() {
        SpecialKind::BlockDevice
    } else if file_type.is_char_device() {
        SpecialKind::CharDevice
    } else {
        SpecialKind::Other
    }
}

#[cfg(not(unix))]
fn special(_: &std::fs::FileType) -> oversight_model::SpecialKind {
    oversight_model::SpecialKind::Other
}

/// Reports a link that escapes the delivery or cannot be resolved.
fn check_symlink(canonical_root: &Path, link: &Path, rel: &str) -> Option<Problem> {
    let target = match fs_err::read_link(link) {
        Ok(t) => t,
        Err(err) => {
            return Some(Problem {
                rule: &rules::UNREADABLE,
                rel: rel.to_owned(),
                message: format!("Cannot read symbolic link `{rel}`: {err}"),
            });
        }
    };
    let shown = target.display().to_string();
    let parent = link.parent().unwrap_or(link);
    let lexical = normalize(
        &fs_err::canonicalize(parent)
            .unwrap_or_else(|_| parent.to_path_buf())
            .join(&target),
    );
    let outside = |p: &Path| !p.starts_with(canonical_root);
    match std::fs::canonicalize(link) {
        Ok(resolved) if outside(&resolved) || outside(&lexical) => Some(Problem {
            rule: &rules::SYMLINK_OUTSIDE,
            rel: rel.to_owned(),
            message: format!("Symbolic link `{rel}` points outside the delivery, to `{shown}`"),
        }),
        Ok(_) => None,
        Err(err) if is_loop(&err) => Some(Problem {
            rule: &rules::SYMLINK_UNRESOLVABLE,
            rel: rel.to_owned(),
            message: format!("Symbolic link `{rel}` -> `{shown}` cannot be resolved: {err}"),
        }),
        Err(_) if outside(&lexical) => Some(Problem {
            rule: &rules::SYMLINK_OUTSIDE,
            rel: rel.to_owned(),
            message: format!(
                "Dangling symbolic link `{rel}` points outside the delivery, to `{shown}`"
            ),
        }),
        Err(_) => None,
    }
}

fn is_loop(err: &std::io::Error) -> bool {
    // ELOOP on Linux and the BSDs.
    matches!(err.raw_os_error(), Some(40) | Some(62))
}

/// Removes `.` and `..` components without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The `/`-separated path of `path` relative to `root`; each name as
/// [`oversight_model::name_from_bytes`] writes it, so names that differ only
/// in invalid UTF-8 bytes stay different.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut s = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&name_of(c.as_os_str()));
    }
    s
}

#[cfg(unix)]
fn name_of(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    use std::os::unix::ffi::OsStrExt as _;
    oversight_model::name_from_bytes(name.as_bytes())
}

#[cfg(not(unix))]
fn name_of(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    name.to_string_lossy()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn hidden_ignored_and_vendored_files_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs_err::create_dir_all(root.join("vendor/x")).unwrap();
        fs_err::write(root.join(".gitignore"), "*.log\nvendor/\n").unwrap();
        fs_err::write(root.join("debug.log"), "x").unwrap();
        fs_err::write(root.join(".hidden"), "x").unwrap();
        fs_err::write(root.join("vendor/x/lib.js"), "x").unwrap();
        let listing = walk(root, false);
        let names: Vec<_> = listing.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            names,
            [".gitignore", ".hidden", "debug.log", "vendor/x/lib.js"]
        );
        assert!(listing.problems.is_empty());
    }

    #[test]
    fn links_outside_and_loops_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs_err::create_dir(root.join("d")).unwrap();
        fs_err::write(root.join("d/in.txt"), "x").unwrap();
        symlink("/etc/passwd", root.join("passwd")).unwrap();
        symlink("../../outside", root.join("d/up")).unwrap();
        symlink("in.txt", root.join("d/ok")).unwrap();
        symlink("loop_b", root.join("loop_a")).unwrap();
        symlink("loop_a", root.join("loop_b")).unwrap();
        let listing = walk(root, false);
        let mut got: Vec<_> = listing
            .problems
            .iter()
            .map(|p| (p.rule.id, p.rel.as_str()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("coverage.symlink-unresolvable", "loop_a"),
                ("coverage.symlink-unresolvable", "loop_b"),
                ("integrity.symlink-outside", "d/up"),
                ("integrity.symlink-outside", "passwd"),
            ]
        );
        assert_eq!(listing.special_entries, 5);
    }

    #[test]
    fn root_git_is_skipped_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dir.path().join(".git/objects")).unwrap();
        fs_err::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        assert!(walk(dir.path(), true).files.is_empty());
        let all = walk(dir.path(), false);
        assert_eq!(all.files.len(), 1);
        assert_eq!(all.problems[0].rule.id, "coverage.nested-git-repository");
    }
}
