//! The on-disk index: `manifest.json` (the snapshots) plus one binary file
//! of advisories per source (`source-<source hash>-<digest>.bin`, a magic
//! header then postcard). Every write goes to a temporary file in the same
//! directory and is renamed into place, and the manifest is written after
//! the data file it names, so a crash leaves either the old or the new
//! index, at worst with an orphaned data file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::Snapshot;
use crate::import::hex;
use crate::model::Advisory;

const MANIFEST: &str = "manifest.json";
const MAGIC: &[u8] = b"OVERSIGHT-ADVISORIES\0";
/// Bumped whenever the stored model changes; older files are reported as
/// needing a re-import.
pub(crate) const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: u32,
    pub sources: Vec<Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct Entry {
    pub snapshot: Snapshot,
    pub file: String,
}

pub(crate) fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let path = dir.join(MANIFEST);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Manifest {
                format: FORMAT,
                sources: Vec::new(),
            });
        }
        Err(source) => return Err(Error::Io { path, source }),
    };
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if manifest.format != FORMAT {
        return Err(Error::Corrupt {
            path,
            reason: format!(
                "index format {} is not {FORMAT}; re-import the sources",
                manifest.format
            ),
        });
    }
    Ok(manifest)
}

pub(crate) fn read_data(dir: &Path, file: &str) -> Result<Vec<Advisory>, Error> {
    let path = dir.join(file);
    let bytes = std::fs::read(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let header_len = MAGIC.len() + 4;
    if bytes.len() < header_len || &bytes[..MAGIC.len()] != MAGIC {
        return Err(Error::Corrupt {
            path,
            reason: "not an advisory index file".into(),
        });
    }
    let format = u32::from_le_bytes([
        bytes[MAGIC.len()],
        bytes[MAGIC.len() + 1],
        bytes[MAGIC.len() + 2],
        bytes[MAGIC.len() + 3],
    ]);
    if format != FORMAT {
        return Err(Error::Corrupt {
            path,
            reason: format!("index format {format} is not {FORMAT}; re-import the source"),
        });
    }
    postcard::from_bytes(&bytes[header_len..]).map_err(|e| Error::Corrupt {
        path,
        reason: e.to_string(),
    })
}

fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let target = dir.join(name);
    let io = |source| Error::Io {
        path: target.clone(),
        source,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(&target).map_err(|e| io(e.error))?;
    Ok(())
}

/// Writes a source's advisories; returns the data file name.
pub(crate) fn write_data(
    dir: &Path,
    source_key: &str,
    digest: &str,
    advisories: &[Advisory],
) -> Result<String, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let key = hex(&Sha256::digest(source_key.as_bytes()));
    let name = format!(
        "source-{}-{}.bin",
        &key[..16],
        &digest[..16.min(digest.len())]
    );
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    let payload = postcard::to_allocvec(advisories).map_err(|e| Error::Corrupt {
        path: dir.join(&name),
        reason: e.to_string(),
    })?;
    bytes.extend_from_slice(&payload);
    write_atomic(dir, &name, &bytes)?;
    Ok(name)
}

pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), Error> {
    let bytes = serde_json::to_vec_pretty(manifest).map_err(|e| Error::Corrupt {
        path: dir.join(MANIFEST),
        reason: e.to_string(),
    })?;
    write_atomic(dir, MANIFEST, &bytes)
}

/// Removes a data file no manifest names any more (best effort: an orphan
/// costs only disk space).
pub(crate) fn remove_orphan(dir: &Path, file: &str) {
    let path: PathBuf = dir.join(file);
    let _ = std::fs::remove_file(path);
}
