//! The history of a revision: how many commits, by whom, and how many signed.
//!
//! Every commit reachable from the revision is loaded exactly once. The walk
//! visits newest commits first (by committer date, as `git log` does), so that
//! the first 1000 unsigned commit ids are the most recent ones. A shallow
//! repository's boundary commits are walked but their missing parents are not:
//! that is what the delivery holds. Any other missing commit is an error, since
//! the counts would silently be wrong.

use crate::{Error, Repo, error, hex};
use gix::objs::Find as _;
use oversight_model::{GitFacts, Person};
use std::collections::{BinaryHeap, HashMap, HashSet};

/// How many unsigned commit ids [`GitFacts::unsigned_commit_ids`] holds at most.
const MAX_UNSIGNED_IDS: usize = 1000;

/// Headers that carry a commit signature (OpenPGP, SSH or X.509 alike).
const SIGNATURE_HEADERS: [&[u8]; 2] = [b"gpgsig", b"gpgsig-sha256"];

impl Repo {
    /// Walks all ancestors of `rev` (including the commit itself) and counts
    /// commits, authors, committers and signed commits.
    ///
    /// Authors and committers are identities as written in the commits (name
    /// and e-mail, no mailmap), most commits first. A commit counts as signed
    /// when it carries a `gpgsig` or `gpgsig-sha256` header; the signature is
    /// not verified.
    pub fn facts(&self, rev: &str) -> Result<GitFacts, Error> {
        let repo = self.local();
        let tip = self.resolve_in(&repo, rev)?;
        let shallow_boundary: HashSet<gix::ObjectId> = match repo.shallow_commits() {
            Ok(Some(commits)) => commits.iter().copied().collect(),
            Ok(None) => HashSet::new(),
            Err(e) => {
                return Err(Error::Open {
                    path: self.path.clone(),
                    reason: format!("cannot read the list of shallow commits: {e:#}"),
                });
            }
        };

        let mut walk = Walk {
            repo: &repo,
            repo_path: &self.path,
            buffer: Vec::new(),
            authors: HashMap::new(),
            committers: HashMap::new(),
            signed: 0,
            sequence: 0,
            queue: BinaryHeap::new(),
        };
        let mut seen = HashSet::from([tip]);
        walk.enqueue(tip, || "the commit the revision resolves to".to_owned())?;

        let mut count = 0u64;
        let mut unsigned_commit_ids = Vec::new();
        while let Some(commit) = walk.queue.pop() {
            count += 1;
            if !commit.signed && unsigned_commit_ids.len() < MAX_UNSIGNED_IDS {
                unsigned_commit_ids.push(hex(&commit.id));
            }
            if shallow_boundary.contains(&commit.id) {
                continue;
            }
            for parent in commit.parents {
                if seen.insert(parent) {
                    walk.enqueue(parent, || format!("parent of commit {}", commit.id))?;
                }
            }
        }

        Ok(GitFacts {
            rev: rev.to_owned(),
            commit: hex(&tip),
            commit_count: count,
            authors: ranked(walk.authors),
            committers: ranked(walk.committers),
            signed_commits: walk.signed,
            unsigned_commit_ids,
        })
    }
}

/// State of one history walk.
struct Walk<'a> {
    repo: &'a gix::Repository,
    /// The repository path, for error messages.
    repo_path: &'a std::path::Path,
    buffer: Vec<u8>,
    authors: HashMap<(String, String), u64>,
    committers: HashMap<(String, String), u64>,
    signed: u64,
    /// Ties in commit time are broken by discovery order.
    sequence: u64,
    queue: BinaryHeap<Queued>,
}

/// A loaded commit waiting for its turn; the newest commit is popped first.
#[derive(PartialEq, Eq)]
struct Queued {
    time: i64,
    sequence: u64,
    id: gix::ObjectId,
    parents: Vec<gix::ObjectId>,
    signed: bool,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.time
            .cmp(&other.time)
            .then_with(|| other.sequence.cmp(&self.sequence))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Walk<'_> {
    /// Loads commit `id`, counts its identities and signature, and queues it.
    /// `what` says how the walk got there, for error messages.
    fn enqueue(&mut self, id: gix::ObjectId, what: impl Fn() -> String) -> Result<(), Error> {
        let object_error = |reason: String| Error::Object {
            repo: self.repo_path.to_owned(),
            oid: hex(&id),
            what: what(),
            reason,
        };
        let data = match self.repo.objects.try_find(&id, &mut self.buffer) {
            Ok(Some(data)) => data,
            Ok(None) => {
                return Err(Error::MissingObject {
                    repo: self.repo_path.to_owned(),
                    oid: hex(&id),
                    what: what(),
                });
            }
            Err(e) => return Err(object_error(error::reason(&e))),
        };
        if data.kind != gix::objs::Kind::Commit {
            return Err(object_error(format!("it is a {}, not a commit", data.kind)));
        }
        let commit = gix::objs::CommitRef::from_bytes(data.data, data.object_hash)
            .map_err(|e| object_error(error::reason(&e)))?;

        *self.authors.entry(identity(commit.author)).or_default() += 1;
        *self
            .committers
            .entry(identity(commit.committer))
            .or_default() += 1;
        let signed = commit
            .extra_headers
            .iter()
            .any(|(name, _)| SIGNATURE_HEADERS.contains(&name.as_ref()));
        if signed {
            self.signed += 1;
        }
        let time = gix::actor::SignatureRef::from_bytes(commit.committer)
            .map_or(0, |signature| signature.seconds());
        let parents = commit.parents().collect();
        self.sequence += 1;
        self.queue.push(Queued {
            time,
            sequence: self.sequence,
            id,
            parents,
            signed,
        });
        Ok(())
    }
}

/// Name and e-mail of a raw `author` or `committer` header. A header that
/// does not parse is kept whole as the name, so that it is still counted.
fn identity(raw: &gix::bstr::BStr) -> (String, String) {
    match gix::actor::SignatureRef::from_bytes(raw) {
        Ok(signature) => {
            let signature = signature.trim();
            (
                String::from_utf8_lossy(signature.name).into_owned(),
                String::from_utf8_lossy(signature.email).into_owned(),
            )
        }
        Err(_) => (String::from_utf8_lossy(raw).into_owned(), String::new()),
    }
}

/// Most commits first, then by name and e-mail for a stable order.
fn ranked(counts: HashMap<(String, String), u64>) -> Vec<Person> {
    let mut people: Vec<Person> = counts
        .into_iter()
        .map(|((name, email), commits)| Person {
            name,
            email,
            commits,
        })
        .collect();
    people.sort_by(|a, b| {
        b.commits
            .cmp(&a.commits)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.email.cmp(&b.email))
    });
    people
}
