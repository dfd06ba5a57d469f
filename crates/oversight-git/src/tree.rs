//! The tree of a revision, flattened into a sorted list of entries.
//!
//! The list holds what a checkout would create: files, executables, symlinks
//! and submodule entries (gitlinks), each with its object id. Directories are
//! implied by the paths. Blob sizes come from object headers, which for
//! packed objects costs a lookup but no decompression of the content.
//!
//! Trees are read with an explicit stack rather than recursion, so a crafted,
//! deeply nested tree cannot overflow the stack, and the listing stops at
//! [`MAX_ENTRIES`] so that a crafted tree that references the same subtree
//! over and over cannot exhaust memory.

use crate::{Error, Repo, error, hex};
use gix::objs::{Find as _, FindHeader as _};

/// The most entries [`Repo::tree_entries`] lists before giving up. Large real
/// repositories hold a few hundred thousand files.
pub(crate) const MAX_ENTRIES: usize = 5_000_000;

/// One entry of a tree, with its full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Path from the repository root, `/`-separated. Bytes that are not UTF-8
    /// are replaced by U+FFFD.
    pub path: String,
    /// The object id (hex): a blob, or for a submodule the commit it pins.
    pub oid: String,
    /// What the entry is.
    pub kind: EntryKind,
    /// The blob's size according to its object header; `None` for submodules
    /// and for blobs missing from the object database.
    pub size: Option<u64>,
}

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file (mode `100644`).
    File,
    /// An executable file (mode `100755`).
    Executable,
    /// A symbolic link; the blob holds the target path.
    Symlink,
    /// A submodule (gitlink, mode `160000`): a commit of another repository,
    /// whose content is not part of this one.
    Submodule,
}

impl Repo {
    /// Every entry of the tree of `rev`, recursively, sorted by path.
    ///
    /// A subtree missing from the object database is an error, since the
    /// listing would silently lack a directory; a missing blob is not (its
    /// `size` is `None`, and [`crate::tree_issues`] reports it).
    pub fn tree_entries(&self, rev: &str) -> Result<Vec<TreeEntry>, Error> {
        let repo = self.local();
        let commit = self.resolve_in(&repo, rev)?;
        let mut buffer = Vec::new();
        let root = {
            let data = self.load(&repo, commit, gix::objs::Kind::Commit, &mut buffer, || {
                format!("commit of `{rev}`")
            })?;
            gix::objs::CommitRef::from_bytes(data.data, data.object_hash)
                .map_err(|e| self.object_error(commit, format!("commit of `{rev}`"), &e))?
                .tree()
        };

        let mut entries = Vec::new();
        let mut pending = vec![(String::new(), root)];
        while let Some((prefix, tree_id)) = pending.pop() {
            let what = || {
                if prefix.is_empty() {
                    format!("root tree of `{rev}`")
                } else {
                    format!("tree of {prefix}/")
                }
            };
            let data = self.load(&repo, tree_id, gix::objs::Kind::Tree, &mut buffer, what)?;
            let tree = gix::objs::TreeRef::from_bytes(data.data, data.object_hash)
                .map_err(|e| self.object_error(tree_id, what(), &e))?;
            for entry in tree.entries {
                let name = oversight_model::name_from_bytes(entry.filename);
                let path = if prefix.is_empty() {
                    name.into_owned()
                } else {
                    format!("{prefix}/{name}")
                };
                let kind = match entry.mode.kind() {
                    gix::objs::tree::EntryKind::Tree => {
                        pending.push((path, entry.oid.to_owned()));
                        continue;
                    }
                    gix::objs::tree::EntryKind::Blob => EntryKind::File,
                    gix::objs::tree::EntryKind::BlobExecutable => EntryKind::Executable,
                    gix::objs::tree::EntryKind::Link => EntryKind::Symlink,
                    gix::objs::tree::EntryKind::Commit => EntryKind::Submodule,
                };
                let size = match kind {
                    EntryKind::Submodule => None,
                    _ => blob_size(&repo, entry.oid),
                };
                entries.push(TreeEntry {
                    path,
                    oid: hex(entry.oid),
                    kind,
                    size,
                });
                if entries.len() > MAX_ENTRIES {
                    return Err(Error::TooManyEntries {
                        repo: self.path.clone(),
                        rev: rev.to_owned(),
                        limit: MAX_ENTRIES,
                    });
                }
            }
        }
        entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    /// Loads object `id`, which must be of `kind`. `what` names it for errors.
    fn load<'b>(
        &self,
        repo: &gix::Repository,
        id: gix::ObjectId,
        kind: gix::objs::Kind,
        buffer: &'b mut Vec<u8>,
        what: impl Fn() -> String,
    ) -> Result<gix::objs::Data<'b>, Error> {
        match repo.objects.try_find(&id, buffer) {
            Ok(Some(data)) if data.kind == kind => Ok(data),
            Ok(Some(data)) => Err(Error::Object {
                repo: self.path.clone(),
                oid: hex(&id),
                what: what(),
                reason: format!("it is a {}, not a {kind}", data.kind),
            }),
            Ok(None) => Err(Error::MissingObject {
                repo: self.path.clone(),
                oid: hex(&id),
                what: what(),
            }),
            Err(e) => Err(self.object_error(id, what(), &e)),
        }
    }

    fn object_error(
        &self,
        id: gix::ObjectId,
        what: String,
        reason: &impl std::fmt::Display,
    ) -> Error {
        Error::Object {
            repo: self.path.clone(),
            oid: hex(&id),
            what,
            reason: error::reason(reason),
        }
    }
}

/// The size of blob `id` from its header, `None` when it is missing or
/// unreadable (which [`crate::tree_issues`] then reports).
fn blob_size(repo: &gix::Repository, id: &gix::oid) -> Option<u64> {
    if id.is_empty_blob() {
        return Some(0);
    }
    match repo.objects.try_header(id) {
        Ok(Some(header)) => Some(header.size),
        Ok(None) | Err(_) => None,
    }
}
