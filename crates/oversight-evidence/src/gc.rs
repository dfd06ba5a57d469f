//! Garbage collection: removing the blobs no record refers to.
//!
//! The store only grows: a review interrupted before it was recorded, a
//! register that was rebuilt, or records deleted by retention leave blobs
//! that prove nothing. [`EvidenceStore::collect_garbage`] removes those the
//! caller does not name, once they are older than a grace period, so that
//! the blobs of a review still in flight (stored, not yet recorded) are
//! never removed.
//!
//! * A loose blob (`sha256/…`) is removed when it is not referenced and
//!   was last written more than the grace period ago.
//! * A pack is removed whole, index first (which hides its blobs) then the
//!   pack, when none of its blobs is referenced and both objects are older
//!   than the grace period. A pack holding one referenced blob is kept with
//!   all its blobs, and the report counts the unreferenced ones it keeps.
//!   A pack without an index (a review killed between the two) is removed
//!   once old; an index that does not hash to its name is left for
//!   [`EvidenceStore::verify_all`] to report.
//! * Objects that are neither blobs nor packs are never touched.
//!
//! Ages are the store's own times (file modification time, S3
//! `LastModified`) against this machine's clock: the grace period must be
//! much longer than any clock skew and any review (hours, not seconds).

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, SystemTime};

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;
use object_store::path::Path as ObjectPath;

use crate::digest::PREFIX;
use crate::leftovers::PacksLock;
use crate::pack::{self, PackObject};
use crate::{Digest, EvidenceError, EvidenceStore, Result};

/// How [`EvidenceStore::collect_garbage`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcOptions {
    /// Nothing written less than this long ago is removed.
    pub grace: Duration,
    /// Only report what would be removed.
    pub dry_run: bool,
}

impl Default for GcOptions {
    /// A grace period of 24 hours; removes.
    fn default() -> Self {
        GcOptions {
            grace: Duration::from_secs(24 * 3600),
            dry_run: false,
        }
    }
}

/// What [`EvidenceStore::collect_garbage`] removed (or, in a dry run,
/// would remove) and kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Whether this was a dry run (nothing removed).
    pub dry_run: bool,
    /// Loose blobs removed, by digest, with their sizes.
    pub removed_blobs: BTreeMap<Digest, u64>,
    /// Packs removed (with their index), by name, with the number of blobs
    /// each held and its size in bytes. A pack without an index has 0
    /// blobs.
    pub removed_packs: BTreeMap<Digest, (u64, u64)>,
    /// Bytes removed, blobs and packs (indexes not counted).
    pub removed_bytes: u64,
    /// Referenced blobs found (loose or packed; a blob in two places
    /// counts twice).
    pub kept_referenced: u64,
    /// Unreferenced loose blobs and packs kept because they are younger
    /// than the grace period.
    pub kept_young: u64,
    /// Unreferenced blobs kept because their pack holds a referenced one.
    pub kept_in_packs: u64,
    /// Objects left alone because they cannot be judged: an index that
    /// does not hash to its name, an object that is neither a blob nor a
    /// pack (see [`EvidenceStore::verify_all`]).
    pub left_alone: Vec<String>,
}

impl GcReport {
    /// Every digest removed: loose blobs, and the names of removed packs.
    #[must_use]
    pub fn removed_count(&self) -> usize {
        self.removed_blobs.len() + self.removed_packs.len()
    }
}

/// A pack's objects as listed: its size and age, its index's age.
#[derive(Default)]
struct Listed {
    pack: Option<(u64, SystemTime)>,
    index: Option<SystemTime>,
}

impl EvidenceStore {
    /// Removes the blobs not in `referenced` that are older than
    /// `options.grace` (see the `gc` module for packs and what is never
    /// touched); with `options.dry_run`, removes nothing and reports what
    /// would go.
    ///
    /// `referenced` must be every blob any record refers to: a blob left
    /// out is removed once old enough.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::List`] if the store cannot be listed,
    /// [`EvidenceError::Pack`] if an index cannot be read or a pack not
    /// removed, [`EvidenceError::Store`] if a blob cannot be removed.
    /// What was removed before the error stays removed.
    pub async fn collect_garbage(
        &self,
        referenced: &HashSet<Digest>,
        options: GcOptions,
    ) -> Result<GcReport> {
        let now = SystemTime::now();
        let old = |modified: SystemTime| {
            now.duration_since(modified)
                .is_ok_and(|age| age >= options.grace)
        };
        let mut report = GcReport {
            dry_run: options.dry_run,
            ..GcReport::default()
        };

        // Loose blobs.
        let listed: Vec<object_store::ObjectMeta> = self
            .objects()
            .list(Some(&ObjectPath::from(PREFIX)))
            .try_collect()
            .await
            .map_err(|source| self.list_error(source))?;
        let mut doomed = Vec::new();
        for meta in listed {
            let key = meta.location.to_string();
            let Some(digest) = Digest::from_store_key(&key) else {
                report.left_alone.push(key);
                continue;
            };
            if referenced.contains(&digest) {
                report.kept_referenced += 1;
            } else if !old(meta.last_modified.into()) {
                report.kept_young += 1;
            } else {
                doomed.push((digest, meta.size));
            }
        }
        if !options.dry_run {
            futures::stream::iter(&doomed)
                .map(|(digest, _)| async move {
                    match self
                        .objects()
                        .delete(&ObjectPath::from(digest.store_key()))
                        .await
                    {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                        Err(source) => Err(self.store_error("remove", *digest, source)),
                    }
                })
                .buffer_unordered(self.upload_options().concurrency)
                .try_collect::<()>()
                .await?;
        }
        for (digest, size) in doomed {
            report.removed_blobs.insert(digest, size);
            report.removed_bytes += size;
        }

        // Packs. On a local store, the packs' lock is held exclusively so
        // that no review is between storing a pack and its index.
        let _lock = match self.local_root() {
            Some(root) if !options.dry_run => {
                let path = root.to_owned();
                let root = root.to_owned();
                Some(
                    tokio::task::spawn_blocking(move || PacksLock::exclusive(&root))
                        .await
                        .map_err(|e| self.list_error(e.into()))?
                        .map_err(|source| EvidenceError::File {
                            action: "lock the packs of",
                            path,
                            source,
                        })?,
                )
            }
            _ => None,
        };
        let mut packs: BTreeMap<Digest, Listed> = BTreeMap::new();
        for meta in self.list_packs().await? {
            let key = meta.location.to_string();
            let modified: SystemTime = meta.last_modified.into();
            match PackObject::from_key(&key) {
                Some(PackObject::Pack(name)) => {
                    packs.entry(name).or_default().pack = Some((meta.size, modified));
                }
                Some(PackObject::Index(name)) => {
                    packs.entry(name).or_default().index = Some(modified)
                }
                None => report.left_alone.push(key),
            }
        }
        let mut removed_any_pack = false;
        for (name, listed) in packs {
            let entries = match listed.index {
                Some(_) => {
                    let key = ObjectPath::from(pack::index_key(&name));
                    let bytes = match self.read_object(&key).await {
                        Ok(bytes) => bytes,
                        // Removed since it was listed (another collection).
                        Err(EvidenceError::Pack { source, .. })
                            if matches!(*source, object_store::Error::NotFound { .. }) =>
                        {
                            continue;
                        }
                        Err(error) => return Err(error),
                    };
                    match pack::decode_index(&name, &bytes) {
                        Ok((entries, _)) => entries,
                        Err(_) => {
                            report.left_alone.push(pack::index_key(&name));
                            continue;
                        }
                    }
                }
                None => Vec::new(),
            };
            let in_use = entries
                .iter()
                .filter(|entry| referenced.contains(&entry.digest))
                .count() as u64;
            if in_use > 0 {
                report.kept_referenced += in_use;
                report.kept_in_packs += entries.len() as u64 - in_use;
                continue;
            }
            let young = [listed.pack.map(|(_, modified)| modified), listed.index]
                .into_iter()
                .flatten()
                .any(|modified| !old(modified));
            if young {
                report.kept_young += 1;
                continue;
            }
            if !options.dry_run {
                // The index first: once it is gone, no reader finds the
                // pack's blobs, and a pack left without one is removed by
                // the next collection.
                for (key, present) in [
                    (pack::index_key(&name), listed.index.is_some()),
                    (pack::pack_key(&name), listed.pack.is_some()),
                ] {
                    if !present {
                        continue;
                    }
                    let location = ObjectPath::from(key.as_str());
                    match self.objects().delete(&location).await {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(source) => {
                            return Err(EvidenceError::Pack {
                                action: "remove",
                                key,
                                store: self.describe().to_owned(),
                                source: Box::new(source),
                            });
                        }
                    }
                }
                removed_any_pack = true;
            }
            let size = listed.pack.map_or(0, |(size, _)| size);
            report
                .removed_packs
                .insert(name, (entries.len() as u64, size));
            report.removed_bytes += size;
        }
        if removed_any_pack {
            self.forget_packs();
        }
        report.left_alone.sort();
        Ok(report)
    }
}
