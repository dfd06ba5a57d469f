//! Scanning a git repository through its object database.
//!
//! A bare repository, or any repository scanned with `--rev`, is the tree of
//! that revision. A work tree scanned without `--rev` is what is on disk (less
//! the `.git` directory) plus every file committed at HEAD that is missing on
//! disk or differs in size, read from the object database: what was delivered
//! includes both.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::path::Path;

use oversight_archive::Budget;
use oversight_git::{EntryKind, HistoryBlob, Repo, RepoKind, TreeEntry};
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
    if inner.options.history {
        let at_head: HashSet<&str> = entries.iter().map(|e| e.oid.as_str()).collect();
        let history = repo.history_blobs().map_err(git_err)?;
        let past: Vec<&HistoryBlob> = history
            .iter()
            .filter(|b| !at_head.contains(b.oid.as_str()))
            .collect();
        collected.merge(scan_history(inner, budget, repo, &past));
    }
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
                let len = scan_blob(
                    inner,
                    budget,
                    blob_reader,
                    Blob {
                        oid: &entry.oid,
                        size: entry.size,
                        top_level: true,
                    },
                    path,
                    &entry.path,
                    &mut out,
                );
                progress.file_done(len);
                out
            },
        )
        .reduce(Collected::default, |mut a, b| {
            a.merge(b);
            a
        })
}

/// The blob to scan.
struct Blob<'a> {
    oid: &'a str,
    /// The size the tree declares, when known.
    size: Option<u64>,
    /// A file of the scanned tree (its bytes go to the content tap), rather
    /// than a history blob.
    top_level: bool,
}

/// Reads one blob and scans it as the file `path`; a blob that cannot be read
/// is a coverage finding. Returns the bytes scanned.
fn scan_blob(
    inner: &Inner,
    budget: &Budget,
    blob_reader: &mut oversight_git::BlobReader,
    blob: Blob<'_>,
    path: DeliveryPath,
    shown: &str,
    out: &mut Collected,
) -> u64 {
    let reader = Reader::new(inner, budget);
    let tap = if blob.top_level {
        reader.open_tap(&path, blob.size)
    } else {
        None
    };
    match blob_reader.read(blob.oid, inner.options.max_git_blob_bytes) {
        Ok(bytes) => {
            let len = bytes.len() as u64;
            reader.scan_stream(&mut Cursor::new(bytes), path, Some(len), false, tap, out);
            len
        }
        Err(err) => {
            let size = match &err {
                oversight_git::Error::TooLarge { size, .. } => Some(*size),
                _ => blob.size,
            };
            reader.record_unread(&path, size, tap, out);
            out.coverage.not_fully_scanned += 1;
            out.findings.push(engine_finding(
                &inner.options,
                rule_of(&err),
                &path,
                format!("Cannot read `{shown}` from git: {err}; not scanned"),
            ));
            0
        }
    }
}

/// The coverage rule that describes why a blob could not be read.
fn rule_of(err: &oversight_git::Error) -> &'static oversight_model::Rule {
    match err {
        oversight_git::Error::TooLarge { .. } => &oversight_git::GIT_BLOB_TOO_LARGE,
        oversight_git::Error::MissingObject { .. } => &oversight_git::GIT_OBJECT_MISSING,
        _ => &crate::rules::READ_ERROR,
    }
}

/// Scans blobs that are in the history but not in the scanned tree, each once.
///
/// Findings are placed at `<commit>:<path>` of the blob's first introduction
/// (git's own notation for a path in a revision) and their message says who
/// introduced it, when, and in which other commits it appears.
fn scan_history(inner: &Inner, budget: &Budget, repo: &Repo, blobs: &[&HistoryBlob]) -> Collected {
    blobs
        .par_iter()
        .map_init(
            || repo.blob_reader(),
            |blob_reader, blob| {
                let mut out = Collected::default();
                let Some(first) = blob.introductions.first() else {
                    return out;
                };
                let short = &first.commit[..first.commit.len().min(12)];
                let path = DeliveryPath::root(format!("{short}:{}", first.path));
                scan_blob(
                    inner,
                    budget,
                    blob_reader,
                    Blob {
                        oid: &blob.oid,
                        size: None,
                        top_level: false,
                    },
                    path,
                    &first.path,
                    &mut out,
                );
                let provenance = provenance(blob);
                for finding in &mut out.findings {
                    finding.message.push_str(&provenance);
                }
                out
            },
        )
        .reduce(Collected::default, |mut a, b| {
            a.merge(b);
            a
        })
}

/// " (in history only: introduced in commit … by … on …; also …)"
fn provenance(blob: &HistoryBlob) -> String {
    let describe = |i: &oversight_git::Introduction| {
        format!(
            "{} as `{}` by {} on {}",
            &i.commit[..i.commit.len().min(12)],
            i.path,
            i.author,
            date(i.time)
        )
    };
    let mut text = String::from(" (history only, not in the scanned tree: introduced in commit ");
    let mut intros = blob.introductions.iter();
    if let Some(first) = intros.next() {
        text.push_str(&describe(first));
    }
    let rest: Vec<String> = intros.by_ref().take(5).map(describe).collect();
    if !rest.is_empty() {
        text.push_str("; also in ");
        text.push_str(&rest.join(", "));
    }
    let more = blob.introductions.len().saturating_sub(6);
    if more > 0 {
        text.push_str(&format!(" and {more} more commits"));
    }
    text.push(')');
    text
}

/// A UTC calendar date from Unix seconds (civil-from-days, Howard Hinnant).
fn date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::date;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(951_782_400), "2000-02-29");
    }
}
