//! Scanning a git repository through its object database.
//!
//! A bare repository, or any repository scanned with `--rev`, is the tree of
//! that revision. A work tree scanned without `--rev` is what is on disk (less
//! the `.git` directory) plus every file committed at HEAD that is missing on
//! disk or differs in size, read from the object database: what was delivered
//! includes both.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use oversight_archive::Budget;
use oversight_git::{EntryKind, Repo, RepoKind, TreeEntry};
use oversight_model::{Category, DeliveryPath, GitFacts};
use rayon::prelude::*;

use super::{Inner, ScanError, read::Reader, scan_listing};
use crate::collect::{Collected, engine_finding};
use crate::{Progress, rules, walk};

pub(super) fn scan_repository(
    inner: &Inner,
    budget: &Budget,
    target: &Path,
    repo: &Repo,
    progress: &dyn Progress,
) -> Result<(Collected, GitFacts), ScanError> {
    let git_err = |source| ScanError::Git {
        path: target.to_path_buf(),
        source,
    };
    let rev = inner.options.rev.as_deref().unwrap_or("HEAD");
    // A repository without any commit has nothing at HEAD; its work tree is
    // still a delivery.
    let unborn = inner.options.rev.is_none() && repo.resolve(rev).is_err();
    let (facts, entries) = if unborn {
        (
            GitFacts {
                rev: rev.to_owned(),
                ..GitFacts::default()
            },
            Vec::new(),
        )
    } else {
        (
            repo.facts(rev).map_err(git_err)?,
            repo.tree_entries(rev).map_err(git_err)?,
        )
    };

    let mut collected = match (repo.kind(), &inner.options.rev) {
        (RepoKind::WorkTree { workdir }, None) => {
            let listing = walk::walk(workdir, true);
            let on_disk: HashMap<&str, u64> = listing
                .files
                .iter()
                .map(|f| (f.rel.as_str(), f.size))
                .collect();
            let differing: Vec<&TreeEntry> = entries
                .iter()
                .filter(|e| {
                    is_content(e)
                        && on_disk.get(e.path.as_str()).copied() != e.size.or(Some(u64::MAX))
                })
                .collect();
            let mut notes = Vec::new();
            for e in &differing {
                let state = if on_disk.contains_key(e.path.as_str()) {
                    "differs from"
                } else {
                    "is missing from"
                };
                notes.push(engine_finding(
                    &inner.options,
                    &rules::WORKTREE_DIFFERS,
                    &DeliveryPath::root(e.path.clone()),
                    format!(
                        "`{}` committed at HEAD {state} the work tree; both were scanned",
                        e.path
                    ),
                ));
            }
            let mut collected = scan_listing(inner, budget, listing, progress);
            collected.merge(scan_blobs(inner, budget, repo, &differing));
            collected.findings.extend(notes);
            collected
        }
        _ => {
            let blobs: Vec<&TreeEntry> = entries.iter().filter(|e| is_content(e)).collect();
            progress.start(blobs.len() as u64);
            scan_blobs_with_progress(inner, budget, repo, &blobs, progress)
        }
    };
    for issue in oversight_git::tree_issues(repo, &entries) {
        if issue.rule.category == Category::Coverage {
            collected.coverage.not_fully_scanned += 1;
        }
        let path = DeliveryPath::root(issue.path.unwrap_or_default());
        collected.findings.push(engine_finding(
            &inner.options,
            issue.rule,
            &path,
            issue.message,
        ));
    }
    Ok((collected, facts))
}

fn is_content(e: &TreeEntry) -> bool {
    matches!(e.kind, EntryKind::File | EntryKind::Executable)
}

fn scan_blobs(inner: &Inner, budget: &Budget, repo: &Repo, blobs: &[&TreeEntry]) -> Collected {
    scan_blobs_with_progress(inner, budget, repo, blobs, &crate::NoProgress)
}

fn scan_blobs_with_progress(
    inner: &Inner,
    budget: &Budget,
    repo: &Repo,
    blobs: &[&TreeEntry],
    progress: &dyn Progress,
) -> Collected {
    blobs
        .par_iter()
        .map_init(
            || repo.blob_reader(),
            |blob_reader, entry| {
                let mut out = Collected::default();
                let path = DeliveryPath::root(entry.path.clone());
                match blob_reader.read(&entry.oid, inner.options.max_git_blob_bytes) {
                    Ok(bytes) => {
                        let len = bytes.len() as u64;
                        Reader::new(inner, budget).scan_stream(
                            &mut Cursor::new(bytes),
                            path,
                            Some(len),
                            false,
                            &mut out,
                        );
                        progress.file_done(len);
                    }
                    Err(err) => {
                        out.coverage.not_fully_scanned += 1;
                        out.findings.push(engine_finding(
                            &inner.options,
                            rule_of(&err),
                            &path,
                            format!("Cannot read `{}` from git: {err}; not scanned", entry.path),
                        ));
                        progress.file_done(0);
                    }
                }
                out
            },
        )
        .reduce(Collected::default, |mut a, b| {
            a.merge(b);
            a
        })
}

/// The coverage rule that describes why a blob could not be read.
fn rule_of(err: &oversight_git::Error) -> &'static oversight_model::Rule {
    match err {
        oversight_git::Error::TooLarge { .. } => &oversight_git::GIT_BLOB_TOO_LARGE,
        oversight_git::Error::MissingObject { .. } => &oversight_git::GIT_OBJECT_MISSING,
        _ => &crate::rules::READ_ERROR,
    }
}
