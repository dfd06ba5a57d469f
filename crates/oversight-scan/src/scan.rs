//! The scanner: building it, and scanning one target.

mod git;
mod read;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use oversight_archive::Budget;
use oversight_detect::Detector;
use oversight_model::{DeliveryPath, Rule, ScanReport};
use rayon::prelude::*;

use crate::collect::{Collected, engine_finding};
use crate::patterns::PatternIndex;
use crate::{Progress, ScanOptions, rules, walk};

use read::Reader;

/// Why a scanner could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The detectors' patterns could not be compiled.
    #[error("Cannot compile the detectors' patterns")]
    Patterns(#[source] aho_corasick::BuildError),
    /// A severity override names a rule no detector raises.
    #[error("Severity override for unknown rule `{0}`; run `oversight rules` to list rule ids")]
    UnknownRule(String),
    /// Two detectors declare the same rule id.
    #[error("Rule id `{0}` is declared twice")]
    DuplicateRule(&'static str),
    /// A thread count of 0, or far above the machine's cores.
    #[error(
        "{threads} worker threads were asked for; this machine has {cores} cores, and from 1 to {max} threads are accepted"
    )]
    ThreadCount {
        /// Requested threads.
        threads: usize,
        /// The machine's cores.
        cores: usize,
        /// The most accepted.
        max: usize,
    },
    /// The worker thread pool could not be created.
    #[error("Cannot start {threads} worker threads")]
    Threads {
        /// Requested threads.
        threads: usize,
        /// The cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// The machine's cores (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The most worker threads a scan accepts: scanning is CPU-bound, and far
/// more threads than cores only costs memory and context switches (100,000
/// of them once kept a five-file scan busy for minutes).
pub fn max_threads() -> usize {
    (cores() * 8).max(64)
}

/// Why a target could not be scanned at all. Problems with parts of a target
/// are findings, never errors.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The target does not exist.
    #[error("Target `{0}` does not exist")]
    NotFound(PathBuf),
    /// The target exists but cannot be read.
    #[error("Target `{path}` cannot be read")]
    Unreadable {
        /// The target.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The target is neither a file nor a directory.
    #[error("Target `{0}` is not a regular file, a directory or a git repository")]
    Unsupported(PathBuf),
    /// The target is a git repository that could not be read.
    #[error("Cannot read git repository `{path}`")]
    Git {
        /// The repository.
        path: PathBuf,
        /// The cause.
        #[source]
        source: oversight_git::Error,
    },
    /// `--rev` was given but the target is not a git repository.
    #[error("A revision was given but `{0}` is not a git repository")]
    RevWithoutRepository(PathBuf),
    /// `--history` was given but the target is not a git repository.
    #[error("A history scan was asked for but `{0}` is not a git repository")]
    HistoryWithoutRepository(PathBuf),
}

/// Builds a [`Scanner`].
#[derive(Default)]
pub struct ScannerBuilder {
    detectors: Vec<Box<dyn Detector>>,
    options: ScanOptions,
}

impl ScannerBuilder {
    /// A builder with no detector and default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds detectors.
    pub fn detectors(mut self, detectors: impl IntoIterator<Item = Box<dyn Detector>>) -> Self {
        self.detectors.extend(detectors);
        self
    }

    /// Sets the options.
    pub fn options(mut self, options: ScanOptions) -> Self {
        self.options = options;
        self
    }

    /// Compiles the detectors' patterns and checks the options against the
    /// rules the detectors declare.
    pub fn build(self) -> Result<Scanner, BuildError> {
        let patterns = PatternIndex::build(&self.detectors).map_err(BuildError::Patterns)?;
        let mut rules: Vec<&'static Rule> = Vec::new();
        rules.extend(rules::RULES.iter().copied());
        rules.extend(oversight_archive::RULES.iter().copied());
        rules.extend(oversight_git::RULES.iter().copied());
        for d in &self.detectors {
            rules.extend(d.rules().iter().copied());
        }
        let mut seen = std::collections::HashSet::new();
        for r in &rules {
            if !seen.insert(r.id) {
                return Err(BuildError::DuplicateRule(r.id));
            }
        }
        if let Some(unknown) = self
            .options
            .severity
            .keys()
            .find(|k| !seen.contains(k.as_str()))
        {
            return Err(BuildError::UnknownRule(unknown.clone()));
        }
        let pool = match self.options.threads {
            Some(threads) if threads == 0 || threads > max_threads() => {
                return Err(BuildError::ThreadCount {
                    threads,
                    cores: cores(),
                    max: max_threads(),
                });
            }
            Some(threads) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|source| BuildError::Threads { threads, source })?,
            ),
            None => None,
        };
        Ok(Scanner {
            inner: Arc::new(Inner {
                detectors: self.detectors,
                patterns,
                options: self.options,
                rules,
                pool,
            }),
        })
    }
}

/// An immutable, cheaply cloned scanner.
#[derive(Clone)]
pub struct Scanner {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) detectors: Vec<Box<dyn Detector>>,
    pub(crate) patterns: PatternIndex,
    pub(crate) options: ScanOptions,
    rules: Vec<&'static Rule>,
    pool: Option<rayon::ThreadPool>,
}

impl Scanner {
    /// Every rule this scanner can raise, engine rules first.
    pub fn rules(&self) -> &[&'static Rule] {
        &self.inner.rules
    }

    /// The options the scanner was built with.
    pub fn options(&self) -> &ScanOptions {
        &self.inner.options
    }

    /// Scans a target: a directory, a file, an archive or a git repository.
    pub fn scan(&self, target: &Path, progress: &dyn Progress) -> Result<ScanReport, ScanError> {
        match &self.inner.pool {
            Some(pool) => pool.install(|| self.scan_in_pool(target, progress)),
            None => self.scan_in_pool(target, progress),
        }
    }

    fn scan_in_pool(
        &self,
        target: &Path,
        progress: &dyn Progress,
    ) -> Result<ScanReport, ScanError> {
        let started = Instant::now();
        let meta = match fs_err::metadata(target) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ScanError::NotFound(target.to_path_buf()));
            }
            Err(source) => {
                return Err(ScanError::Unreadable {
                    path: target.to_path_buf(),
                    source,
                });
            }
        };
        let inner = &*self.inner;
        let budget = Budget::new(inner.options.archive.max_total_bytes);
        let budget = &budget;
        let (target_kind, collected, git) = if meta.is_dir() {
            match oversight_git::Repo::open(target).map_err(|source| ScanError::Git {
                path: target.to_path_buf(),
                source,
            })? {
                Some(repo) => {
                    let (collected, facts) =
                        git::scan_repository(inner, budget, target, &repo, progress)?;
                    ("git", collected, Some(facts))
                }
                None if inner.options.rev.is_some() => {
                    return Err(ScanError::RevWithoutRepository(target.to_path_buf()));
                }
                None if inner.options.history => {
                    return Err(ScanError::HistoryWithoutRepository(target.to_path_buf()));
                }
                None => {
                    let listing = walk::walk(target, false);
                    (
                        "directory",
                        scan_listing(inner, budget, listing, progress),
                        None,
                    )
                }
            }
        } else if meta.is_file() {
            if inner.options.rev.is_some() {
                return Err(ScanError::RevWithoutRepository(target.to_path_buf()));
            }
            if inner.options.history {
                return Err(ScanError::HistoryWithoutRepository(target.to_path_buf()));
            }
            let file = fs_err::File::open(target).map_err(|source| ScanError::Unreadable {
                path: target.to_path_buf(),
                source,
            })?;
            let name = target.file_name().map_or_else(
                || target.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            progress.start(1);
            let mut out = Collected::default();
            let reader = Reader::new(inner, budget);
            let path = DeliveryPath::root(name);
            let tap = reader.open_tap(&path, Some(meta.len()));
            // The single file named as the target is held to the same size
            // limit as the files of a directory.
            let kind = match reader.within_size_limit(&path, meta.len(), tap, &mut out) {
                Some(tap) => {
                    reader
                        .scan_file(file.into_parts().0, path, meta.len(), tap, &mut out)
                        .is_archive
                }
                None => false,
            };
            progress.file_done(meta.len());
            (if kind { "archive" } else { "file" }, out, None)
        } else {
            return Err(ScanError::Unsupported(target.to_path_buf()));
        };
        progress.finish();
        let mut findings = collected.findings;
        findings.sort_by(|a, b| {
            (&a.location, a.rule.id, &a.fingerprint).cmp(&(&b.location, b.rule.id, &b.fingerprint))
        });
        let mut components = collected.components;
        components.sort();
        components.dedup();
        let mut manifest = collected.manifest;
        manifest.sort();
        let mut special_entries = collected.special_entries;
        special_entries.sort();
        Ok(ScanReport {
            target: target.display().to_string(),
            target_kind,
            findings,
            coverage: collected.coverage,
            components,
            manifest,
            special_entries,
            git,
            rules: inner.rules.clone(),
            fail_on: inner.options.fail_on,
            baseline_suppressed: 0,
            elapsed: started.elapsed(),
            tool_version: env!("CARGO_PKG_VERSION"),
        })
    }
}

/// Scans the files of a directory listing in parallel and reports its problems.
pub(crate) fn scan_listing(
    inner: &Inner,
    budget: &Budget,
    listing: walk::Listing,
    progress: &dyn Progress,
) -> Collected {
    progress.start(listing.files.len() as u64);
    let mut collected = listing
        .files
        .par_iter()
        .fold(Collected::default, |mut out, entry| {
            Reader::new(inner, budget).scan_path(
                &entry.abs,
                DeliveryPath::root(entry.rel.clone()),
                entry.size,
                &mut out,
            );
            progress.file_done(entry.size);
            out
        })
        .reduce(Collected::default, |mut a, b| {
            a.merge(b);
            a
        });
    collected.coverage.special_entries += listing.special_entries;
    if inner.options.record_manifest {
        collected.special_entries = listing
            .specials
            .into_iter()
            .map(|(rel, kind)| oversight_model::SpecialEntry {
                path: DeliveryPath::root(rel),
                kind,
            })
            .collect();
    }
    for p in listing.problems {
        if p.rule.category == oversight_model::Category::Coverage {
            collected.coverage.not_fully_scanned += 1;
        }
        collected.findings.push(engine_finding(
            &inner.options,
            p.rule,
            &DeliveryPath::root(p.rel),
            p.message,
        ));
    }
    collected
}
