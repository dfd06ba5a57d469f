//! Every blob ever delivered in a repository's history, with the commits that
//! introduced it.
//!
//! A secret committed and deleted later is still delivered: whoever received
//! the repository can read it. This walks every commit reachable from any
//! reference (branches, tags, remote-tracking refs, the stash, notes), compares
//! each commit's tree with its first parent's, and records every blob a commit
//! adds or changes. Unchanged subtrees are skipped by object id, so the cost is
//! proportional to what changed, not to the number of commits times the tree
//! size. Each distinct blob is listed once, so that it is scanned once.

use std::collections::{HashMap, HashSet};

use gix::objs::Find as _;

use crate::{Error, Repo, error, hex};

/// A blob and where it entered the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryBlob {
    /// Object id (hex).
    pub oid: String,
    /// The commits and paths that introduced it, oldest first.
    pub introductions: Vec<Introduction>,
}

/// One commit adding or changing a path to a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introduction {
    /// Commit id (hex).
    pub commit: String,
    /// Path of the blob in that commit.
    pub path: String,
    /// Author as `Name <email>`.
    pub author: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
}

/// Commits above which the walk is refused, to bound a crafted repository.
const MAX_COMMITS: usize = 2_000_000;

impl Repo {
    /// Every blob (regular or executable file) reachable from any reference,
    /// each once, sorted by its first introduction.
    pub fn history_blobs(&self) -> Result<Vec<HistoryBlob>, Error> {
        let repo = self.local();
        let open_error = |reason: String| Error::Open {
            path: self.path.clone(),
            reason,
        };
        let mut tips = Vec::new();
        let references = repo
            .references()
            .map_err(|e| open_error(format!("cannot list references: {}", error::reason(&e))))?;
        let all = references
            .all()
            .map_err(|e| open_error(format!("cannot list references: {}", error::reason(&e))))?;
        for reference in all.flatten() {
            let mut reference = reference;
            if let Ok(id) = reference.peel_to_id()
                && let Ok(object) = id.object()
                && let Ok(commit) = object.peel_to_commit()
            {
                tips.push(commit.id);
            }
        }
        if let Ok(head) = repo.head_id() {
            tips.push(head.detach());
        }

        let mut walker = Walker {
            repo: &repo,
            owner: self,
            buffer: Vec::new(),
        };
        tips.sort_unstable();
        tips.dedup();
        let mut seen: HashSet<gix::ObjectId> = tips.iter().copied().collect();
        let mut pending = tips;
        let mut blobs: HashMap<gix::ObjectId, Vec<Introduction>> = HashMap::new();
        let mut changed = Vec::new();
        while let Some(id) = pending.pop() {
            if seen.len() > MAX_COMMITS {
                return Err(open_error(format!(
                    "more than {MAX_COMMITS} commits; history not read"
                )));
            }
            let commit = walker.commit(id)?;
            let parent_tree = match commit.parents.first() {
                Some(parent) => Some(walker.commit(*parent)?.tree),
                None => None,
            };
            changed.clear();
            walker.diff(commit.tree, parent_tree, "", &mut changed)?;
            for (path, blob) in changed.drain(..) {
                blobs.entry(blob).or_default().push(Introduction {
                    commit: hex(&id),
                    path,
                    author: commit.author.clone(),
                    time: commit.time,
                });
            }
            for parent in commit.parents {
                if seen.insert(parent) {
                    pending.push(parent);
                }
            }
        }
        let mut out: Vec<HistoryBlob> = blobs
            .into_iter()
            .map(|(oid, mut introductions)| {
                introductions.sort_by(|a, b| {
                    (a.time, &a.commit, &a.path).cmp(&(b.time, &b.commit, &b.path))
                });
                HistoryBlob {
                    oid: hex(&oid),
                    introductions,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let key = |h: &HistoryBlob| h.introductions.first().map(|i| (i.time, i.path.clone()));
            key(a).cmp(&key(b)).then_with(|| a.oid.cmp(&b.oid))
        });
        Ok(out)
    }
}

struct CommitInfo {
    tree: gix::ObjectId,
    parents: Vec<gix::ObjectId>,
    author: String,
    time: i64,
}

struct Walker<'a> {
    repo: &'a gix::Repository,
    owner: &'a Repo,
    buffer: Vec<u8>,
}

impl Walker<'_> {
    fn find(&mut self, id: gix::ObjectId, kind: gix::objs::Kind, what: &str) -> Result<(), Error> {
        match self.repo.objects.try_find(&id, &mut self.buffer) {
            Ok(Some(data)) if data.kind == kind => Ok(()),
            Ok(Some(data)) => Err(Error::Object {
                repo: self.owner.path.clone(),
                oid: hex(&id),
                what: what.to_owned(),
                reason: format!("it is a {}, not a {kind}", data.kind),
            }),
            Ok(None) => Err(Error::MissingObject {
                repo: self.owner.path.clone(),
                oid: hex(&id),
                what: what.to_owned(),
            }),
            Err(e) => Err(Error::Object {
                repo: self.owner.path.clone(),
                oid: hex(&id),
                what: what.to_owned(),
                reason: error::reason(&e),
            }),
        }
    }

    fn commit(&mut self, id: gix::ObjectId) -> Result<CommitInfo, Error> {
        self.find(id, gix::objs::Kind::Commit, "commit in history")?;
        let hash = self.repo.object_hash();
        let commit =
            gix::objs::CommitRef::from_bytes(&self.buffer, hash).map_err(|e| Error::Object {
                repo: self.owner.path.clone(),
                oid: hex(&id),
                what: "commit in history".to_owned(),
                reason: error::reason(&e),
            })?;
        let (author, time) = match gix::actor::SignatureRef::from_bytes(commit.author) {
            Ok(sig) => (format!("{} <{}>", sig.name, sig.email), sig.seconds()),
            Err(_) => (String::from_utf8_lossy(commit.author).into_owned(), 0),
        };
        Ok(CommitInfo {
            tree: commit.tree(),
            parents: commit.parents().collect(),
            author,
            time,
        })
    }

    /// Owned entries of a tree: (name, kind, id).
    fn entries(
        &mut self,
        id: gix::ObjectId,
    ) -> Result<Vec<(String, gix::objs::tree::EntryKind, gix::ObjectId)>, Error> {
        self.find(id, gix::objs::Kind::Tree, "tree in history")?;
        let hash = self.repo.object_hash();
        let tree =
            gix::objs::TreeRef::from_bytes(&self.buffer, hash).map_err(|e| Error::Object {
                repo: self.owner.path.clone(),
                oid: hex(&id),
                what: "tree in history".to_owned(),
                reason: error::reason(&e),
            })?;
        Ok(tree
            .entries
            .iter()
            .map(|e| {
                (
                    String::from_utf8_lossy(e.filename).into_owned(),
                    e.mode.kind(),
                    e.oid.to_owned(),
                )
            })
            .collect())
    }

    /// Appends the blobs of `new` that `old` does not hold at the same path.
    fn diff(
        &mut self,
        new: gix::ObjectId,
        old: Option<gix::ObjectId>,
        prefix: &str,
        out: &mut Vec<(String, gix::ObjectId)>,
    ) -> Result<(), Error> {
        use gix::objs::tree::EntryKind as K;
        if Some(new) == old {
            return Ok(());
        }
        let new_entries = self.entries(new)?;
        let old_entries: HashMap<String, (K, gix::ObjectId)> = match old {
            Some(old) => self
                .entries(old)?
                .into_iter()
                .map(|(n, k, i)| (n, (k, i)))
                .collect(),
            None => HashMap::new(),
        };
        for (name, kind, id) in new_entries {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let before = old_entries.get(&name);
            match kind {
                K::Tree => {
                    let old_subtree = before.filter(|(k, _)| *k == K::Tree).map(|(_, i)| *i);
                    self.diff(id, old_subtree, &path, out)?;
                }
                K::Blob | K::BlobExecutable => {
                    if before.map(|(_, i)| *i) != Some(id) {
                        out.push((path, id));
                    }
                }
                K::Link | K::Commit => {}
            }
        }
        Ok(())
    }
}
