//! What a killed review leaves in a local store's directory, and removing
//! it.
//!
//! A review killed with `kill -9` (or by a power cut) cannot clean up after
//! itself: its staging directory stays in the store's root, and a pack it
//! linked into `packs/` just before it died stays there without its index.
//! Neither is evidence (no record can refer to them), but both take space,
//! and a pack without an index is reported by
//! [`EvidenceStore::verify_all`](crate::EvidenceStore::verify_all).
//!
//! A live staging directory holds an advisory lock on its `lock` file; the
//! operating system releases it when the process ends, however it ends. So
//! a staging directory whose lock can be taken belongs to nobody: it is
//! removed, with the pack it named in `pending-pack` if that pack never got
//! its index. Storing a pack holds the store's pack lock shared and a sweep
//! holds it exclusively, so a sweep never removes a pack that a live review
//! is about to index under the same name (packs are named after their
//! content: two reviews can write the same one).

use std::fs::{File, TryLockError};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::Digest;
use crate::pack;

/// The name of every staging directory created in a store's root.
pub(crate) const STAGING_PREFIX: &str = ".oversight-staging-";
/// The file a live staging directory holds locked.
const OWNER_LOCK: &str = "lock";
/// The pack a staging directory is storing, written before it is linked.
const PENDING_PACK: &str = "pending-pack";
/// In a store's root: shared while a pack is stored, exclusive to sweep.
const PACKS_LOCK: &str = ".oversight-packs.lock";
/// A staging directory without a lock file is being created right now (or
/// is older than locks); only one this old is removed.
const UNLOCKED_GRACE: Duration = Duration::from_secs(3600);

/// Held for the whole life of a staging directory; dropped with it.
#[derive(Debug)]
pub(crate) struct OwnerLock(#[allow(dead_code)] File);

impl OwnerLock {
    /// Creates and locks the `lock` file of the new staging directory.
    pub(crate) fn take(staging: &Path) -> io::Result<OwnerLock> {
        let file = File::create(staging.join(OWNER_LOCK))?;
        file.try_lock().map_err(|e| match e {
            TryLockError::Error(e) => e,
            TryLockError::WouldBlock => io::Error::other("its new lock file is locked already"),
        })?;
        Ok(OwnerLock(file))
    }
}

/// Notes in `staging` that the pack `name` is about to be stored, so that a
/// sweep after a crash can remove it if it never got its index.
pub(crate) fn note_pending_pack(staging: &Path, name: &Digest) -> io::Result<()> {
    std::fs::write(staging.join(PENDING_PACK), name.to_hex())
}

/// The store's pack lock, held shared while one pack and its index are
/// stored.
#[derive(Debug)]
pub(crate) struct PacksLock(#[allow(dead_code)] File);

impl PacksLock {
    /// Waits for a sweep in progress, if any (it is short).
    pub(crate) fn shared(root: &Path) -> io::Result<PacksLock> {
        let file = open_lock(root)?;
        file.lock_shared()?;
        Ok(PacksLock(file))
    }

    /// Waits until no pack is being stored, and keeps any from being
    /// stored while held (garbage collection removes packs under it).
    pub(crate) fn exclusive(root: &Path) -> io::Result<PacksLock> {
        let file = open_lock(root)?;
        file.lock()?;
        Ok(PacksLock(file))
    }
}

/// What [`sweep`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// Staging directories of reviews that ended without cleaning up.
    pub staging_directories: usize,
    /// Packs those reviews stored without their index.
    pub packs: usize,
}

/// Removes the leftovers of dead reviews from the local store rooted at
/// `root`. Does nothing while another sweep runs.
pub(crate) fn sweep(root: &Path) -> io::Result<Leftovers> {
    let lock = open_lock(root)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(Leftovers::default()),
        Err(TryLockError::Error(e)) => return Err(e),
    }
    remove_dead_staging(root, Some(root))
}

/// Removes the staging directories dead reviews left in `dir` (the system's
/// temporary directory, where staging for a remote store lives).
pub(crate) fn sweep_temporary(dir: &Path) -> io::Result<Leftovers> {
    remove_dead_staging(dir, None)
}

/// Removes every abandoned staging directory in `dir` and, for a local
/// store rooted at `store`, the pack each was storing if it has no index.
/// One that cannot be checked or removed (another user's, say) is left.
fn remove_dead_staging(dir: &Path, store: Option<&Path>) -> io::Result<Leftovers> {
    let mut removed = Leftovers::default();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let is_staging = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(STAGING_PREFIX));
        let path = entry.path();
        if !is_staging
            || !entry.file_type().is_ok_and(|t| t.is_dir())
            || !abandoned(&path).unwrap_or(false)
        {
            continue;
        }
        let pending = std::fs::read_to_string(path.join(PENDING_PACK))
            .ok()
            .and_then(|name| name.trim().parse::<Digest>().ok());
        if let (Some(root), Some(name)) = (store, pending)
            && !root.join(pack::index_key(&name)).exists()
            && remove(&root.join(pack::pack_key(&name)), false).unwrap_or(false)
        {
            removed.packs += 1;
        }
        if remove(&path, true).unwrap_or(false) {
            removed.staging_directories += 1;
        }
    }
    Ok(removed)
}

/// Whether nobody holds the staging directory `dir` any more.
fn abandoned(dir: &Path) -> io::Result<bool> {
    match File::options().write(true).open(dir.join(OWNER_LOCK)) {
        Ok(file) => match file.try_lock() {
            Ok(()) => Ok(true),
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(e)) => Err(e),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let modified = std::fs::metadata(dir)?.modified()?;
            Ok(SystemTime::now()
                .duration_since(modified)
                .is_ok_and(|age| age > UNLOCKED_GRACE))
        }
        Err(e) => Err(e),
    }
}

fn open_lock(root: &Path) -> io::Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join(PACKS_LOCK))
}

/// Removes a file or directory; `false` if it was gone already.
fn remove(path: &Path, directory: bool) -> io::Result<bool> {
    let result = if directory {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staging_dir(root: &Path, name: &str) -> std::path::PathBuf {
        let dir = root.join(format!("{STAGING_PREFIX}{name}"));
        std::fs::create_dir(&dir).unwrap();
        dir
    }

    #[test]
    fn a_live_staging_directory_is_kept_and_a_dead_one_removed() {
        let root = tempfile::tempdir().unwrap();
        let live = staging_dir(root.path(), "live");
        let _owner = OwnerLock::take(&live).unwrap();
        let dead = staging_dir(root.path(), "dead");
        drop(OwnerLock::take(&dead).unwrap());
        std::fs::write(dead.join("blob"), b"x").unwrap();

        let removed = sweep(root.path()).unwrap();
        assert_eq!(removed.staging_directories, 1);
        assert!(live.exists());
        assert!(!dead.exists());
    }

    #[test]
    fn a_dead_reviews_pending_pack_is_removed_only_without_its_index() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(pack::PACKS)).unwrap();
        let orphan = Digest::of(b"orphan");
        let indexed = Digest::of(b"indexed");
        for (name, dir) in [(orphan, "a"), (indexed, "b")] {
            let staging = staging_dir(root.path(), dir);
            drop(OwnerLock::take(&staging).unwrap());
            note_pending_pack(&staging, &name).unwrap();
            std::fs::write(root.path().join(pack::pack_key(&name)), b"blobs").unwrap();
        }
        std::fs::write(root.path().join(pack::index_key(&indexed)), b"index").unwrap();

        let removed = sweep(root.path()).unwrap();
        assert_eq!(removed.packs, 1);
        assert!(!root.path().join(pack::pack_key(&orphan)).exists());
        assert!(root.path().join(pack::pack_key(&indexed)).exists());
    }

    #[test]
    fn a_young_staging_directory_without_a_lock_is_being_created_and_kept() {
        let root = tempfile::tempdir().unwrap();
        let young = staging_dir(root.path(), "young");
        assert_eq!(sweep(root.path()).unwrap(), Leftovers::default());
        assert!(young.exists());
    }

    #[test]
    fn a_temporary_directory_loses_only_dead_staging_directories() {
        let temp = tempfile::tempdir().unwrap();
        let dead = staging_dir(temp.path(), "dead");
        drop(OwnerLock::take(&dead).unwrap());
        let live = staging_dir(temp.path(), "live");
        let _owner = OwnerLock::take(&live).unwrap();
        let other = temp.path().join("someone-elses");
        std::fs::create_dir(&other).unwrap();

        assert_eq!(sweep_temporary(temp.path()).unwrap().staging_directories, 1);
        assert!(!dead.exists() && live.exists() && other.exists());
        assert!(!temp.path().join(PACKS_LOCK).exists());
    }

    #[test]
    fn no_sweep_runs_while_a_pack_is_being_stored() {
        let root = tempfile::tempdir().unwrap();
        let dead = staging_dir(root.path(), "dead");
        drop(OwnerLock::take(&dead).unwrap());
        let storing = PacksLock::shared(root.path()).unwrap();
        assert_eq!(sweep(root.path()).unwrap(), Leftovers::default());
        drop(storing);
        assert_eq!(sweep(root.path()).unwrap().staging_directories, 1);
    }
}
