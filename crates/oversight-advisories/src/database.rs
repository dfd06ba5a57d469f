//! The advisory database: snapshots on disk, an in-memory index by
//! (ecosystem, normalised name), and matching.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use oversight_model::{Component, Ecosystem};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::evaluate::{Installed, Verdict, evaluate};
use crate::import::{FileDiagnostic, SourceKind, collect};
use crate::model::Advisory;
use crate::outcome::{Hit, Outcome, group};
use crate::version::Scheme;
use crate::{Error, name, store};

/// One imported source, as the index records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The source's absolute path at import time; re-importing the same
    /// path replaces this snapshot.
    pub source: String,
    /// What was imported.
    pub kind: SourceKind,
    /// Advisories stored (withdrawn ones included; they never match).
    pub advisories: usize,
    /// SHA-256 over the source's advisory files: for each file in path
    /// order, `path NUL sha256(content) LF`. The same snapshot gives the
    /// same digest wherever and whenever it is imported.
    pub digest: String,
    /// Import time, seconds since the Unix epoch (UTC).
    pub imported_at: u64,
    /// The newest `modified` date among the snapshot's records, seconds
    /// since the Unix epoch: how recent the data is, whenever it was
    /// imported. `None` when no record carries a date.
    #[serde(default)]
    pub data_as_of: Option<u64>,
}

/// Seconds since the epoch of an advisory's `modified` text (RFC 3339, or
/// a date taken as its midnight UTC).
fn modified_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let ts = text.parse::<jiff::Timestamp>().ok().or_else(|| {
        text.get(..10)?
            .parse::<jiff::civil::Date>()
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })?;
    u64::try_from(ts.as_second()).ok()
}

/// What an import did, file by file.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The snapshot recorded.
    pub snapshot: Snapshot,
    /// Files whose advisory was stored.
    pub imported: usize,
    /// Of those, withdrawn advisories (stored, never matched).
    pub withdrawn: usize,
    /// Of those, informational advisories (unmaintained, unsound, notice).
    pub informational: usize,
    /// Files deliberately not imported, with the reason.
    pub skipped: Vec<FileDiagnostic>,
    /// Files that could not be read or parsed, with the reason.
    pub failed: Vec<FileDiagnostic>,
    /// Notes about the source as a whole (subtrees skipped).
    pub notes: Vec<String>,
}

/// How many advisories of an ecosystem one source must hold to be taken
/// as a complete source for it (the full OSV export, the RustSec or PyPA
/// database): a database holding a handful of records of an ecosystem
/// says nothing about the rest of its packages. The figures are well below
/// the sizes of the real databases (RustSec: 1,200 crates.io advisories;
/// PyPA: 2,600 PyPI; OSV npm: 3,000+) and above any hand-made selection.
pub fn minimum_complete(ecosystem: Ecosystem) -> usize {
    match ecosystem {
        Ecosystem::CratesIo => 300,
        Ecosystem::Npm | Ecosystem::PyPI | Ecosystem::Maven | Ecosystem::Go => 500,
        Ecosystem::Packagist | Ecosystem::RubyGems | Ecosystem::NuGet => 200,
        Ecosystem::Hex | Ecosystem::Pub => 5,
        _ => 20,
    }
}

#[derive(Clone, Copy)]
struct Ref {
    source: u32,
    advisory: u32,
    affected: u32,
}

/// A local advisory index: open it, import sources into it, match
/// components against it.
pub struct Database {
    dir: PathBuf,
    entries: Vec<store::Entry>,
    snapshots: Vec<Snapshot>,
    advisories: Vec<Vec<Advisory>>,
    index: HashMap<(Ecosystem, String), Vec<Ref>>,
    /// Per ecosystem, the most advisories any one source holds of it.
    largest_source: HashMap<Ecosystem, usize>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("dir", &self.dir)
            .field("snapshots", &self.snapshots)
            .field("advisories", &self.advisory_count())
            .finish()
    }
}

impl Database {
    /// Opens the index in `dir`. A directory without an index (or that does
    /// not exist yet) is an empty database; it is created on first import.
    pub fn open(dir: impl AsRef<Path>) -> Result<Database, Error> {
        let dir = dir.as_ref().to_owned();
        let manifest = store::read_manifest(&dir)?;
        let advisories = manifest
            .sources
            .par_iter()
            .map(|e| store::read_data(&dir, &e.file))
            .collect::<Result<Vec<_>, _>>()?;
        let mut db = Database {
            dir,
            snapshots: manifest
                .sources
                .iter()
                .map(|e| e.snapshot.clone())
                .collect(),
            entries: manifest.sources,
            advisories,
            index: HashMap::new(),
            largest_source: HashMap::new(),
        };
        db.build_index();
        Ok(db)
    }

    fn build_index(&mut self) {
        let mut index: HashMap<(Ecosystem, String), Vec<Ref>> = HashMap::new();
        let mut largest: HashMap<Ecosystem, usize> = HashMap::new();
        for (s, advisories) in self.advisories.iter().enumerate() {
            let mut per_ecosystem: HashMap<Ecosystem, usize> = HashMap::new();
            for adv in advisories {
                let mut seen = Vec::new();
                for affected in &adv.affected {
                    if let Some(eco) = Ecosystem::from_osv_name(&affected.ecosystem)
                        && !seen.contains(&eco)
                    {
                        seen.push(eco);
                        *per_ecosystem.entry(eco).or_default() += 1;
                    }
                }
            }
            for (eco, n) in per_ecosystem {
                let best = largest.entry(eco).or_default();
                *best = (*best).max(n);
            }
            for (a, adv) in advisories.iter().enumerate() {
                for (i, affected) in adv.affected.iter().enumerate() {
                    if let Some(eco) = Ecosystem::from_osv_name(&affected.ecosystem) {
                        index
                            .entry((eco, name::normalize(eco, &affected.name)))
                            .or_default()
                            .push(Ref {
                                source: s as u32,
                                advisory: a as u32,
                                affected: i as u32,
                            });
                    }
                }
            }
        }
        self.index = index;
        self.largest_source = largest;
    }

    /// Whether one imported source holds enough advisories of `ecosystem`
    /// to be a complete source for it ([`minimum_complete`]).
    pub fn complete_for(&self, ecosystem: Ecosystem) -> bool {
        self.largest_in_one_source(ecosystem) >= minimum_complete(ecosystem)
    }

    /// The most advisories of `ecosystem` that any one source holds.
    pub fn largest_in_one_source(&self, ecosystem: Ecosystem) -> usize {
        self.largest_source.get(&ecosystem).copied().unwrap_or(0)
    }

    /// Imports a source (a directory tree or an osv.dev `all.zip`) and
    /// records it as a snapshot, replacing an earlier import of the same
    /// path. Broken files are reported in the [`ImportReport`] and do not
    /// stop the import.
    pub fn import(&mut self, path: &Path) -> Result<ImportReport, Error> {
        let source = std::path::absolute(path)
            .map_err(|e| Error::Io {
                path: path.to_owned(),
                source: e,
            })?
            .to_string_lossy()
            .into_owned();
        let collected = collect(path)?;
        if collected.advisories.is_empty() {
            return Err(Error::NothingImported {
                path: path.to_owned(),
                failed: collected.failed.len(),
                skipped: collected.skipped.len(),
            });
        }
        let data_as_of = collected
            .advisories
            .iter()
            .filter_map(|a| a.modified.as_deref().and_then(modified_seconds))
            .max();
        let file = store::write_data(&self.dir, &source, &collected.digest, &collected.advisories)?;
        let snapshot = Snapshot {
            source: source.clone(),
            kind: collected.kind,
            advisories: collected.advisories.len(),
            digest: collected.digest.clone(),
            imported_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            data_as_of,
        };
        let entry = store::Entry {
            snapshot: snapshot.clone(),
            file: file.clone(),
        };
        let mut entries = self.entries.clone();
        let old = entries.iter().position(|e| e.snapshot.source == source);
        let old_file = old.map(|i| entries[i].file.clone());
        match old {
            Some(i) => entries[i] = entry,
            None => entries.push(entry),
        }
        store::write_manifest(
            &self.dir,
            &store::Manifest {
                format: store::FORMAT,
                sources: entries.clone(),
            },
        )?;
        if let Some(old_file) = old_file
            && old_file != file
        {
            store::remove_orphan(&self.dir, &old_file);
        }
        let imported = collected.advisories.len();
        match old {
            Some(i) => self.advisories[i] = collected.advisories,
            None => self.advisories.push(collected.advisories),
        }
        self.snapshots = entries.iter().map(|e| e.snapshot.clone()).collect();
        self.entries = entries;
        self.build_index();
        Ok(ImportReport {
            snapshot,
            imported,
            withdrawn: collected.withdrawn,
            informational: collected.informational,
            skipped: collected.skipped,
            failed: collected.failed,
            notes: collected.notes,
        })
    }

    /// The imported snapshots, in import order.
    pub fn snapshots(&self) -> &[Snapshot] {
        &self.snapshots
    }

    /// Number of stored advisories over all snapshots.
    pub fn advisory_count(&self) -> usize {
        self.advisories.iter().map(Vec::len).sum()
    }

    /// Whether any stored advisory concerns `ecosystem`. A component of an
    /// ecosystem the database does not cover cannot be called safe.
    pub fn covers(&self, ecosystem: Ecosystem) -> bool {
        self.index.keys().any(|(e, _)| *e == ecosystem)
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Advisories that affect `name` at `version` in `ecosystem`, merged
    /// across aliases, plus the advisories that could not be evaluated.
    /// An empty version (a manifest that pins nothing) is undecidable for
    /// every advisory of the package. Withdrawn advisories are ignored.
    pub fn match_component(&self, ecosystem: Ecosystem, name: &str, version: &str) -> Vec<Outcome> {
        let Some(refs) = self
            .index
            .get(&(ecosystem, name::normalize(ecosystem, name)))
        else {
            return Vec::new();
        };
        let scheme = Scheme::for_ecosystem(ecosystem);
        let mut installed = Installed::new(version);
        let mut hits = Vec::new();
        for r in refs {
            let adv = &self.advisories[r.source as usize][r.advisory as usize];
            if adv.withdrawn {
                continue;
            }
            let entry = &adv.affected[r.affected as usize];
            let verdict = if version.trim().is_empty() {
                Verdict::Undecidable("the component's version is not pinned".into())
            } else {
                evaluate(entry, scheme, &mut installed)
            };
            if verdict != Verdict::NotAffected {
                hits.push(Hit {
                    advisory: adv,
                    entry,
                    verdict,
                    snapshot: &self.snapshots[r.source as usize].digest,
                });
            }
        }
        group(ecosystem, name, version, hits)
    }

    /// [`Database::match_component`] for every component, in parallel; the
    /// result is parallel to `components`.
    pub fn match_components(&self, components: &[Component]) -> Vec<Vec<Outcome>> {
        components
            .par_iter()
            .map(|c| self.match_component(c.ecosystem, &c.name, &c.version))
            .collect()
    }
}
