//! Packs: many small blobs in one object, so that a review of a delivery
//! of ten thousand small files creates two files in the store, not ten
//! thousand.
//!
//! A review's blobs are mostly small source files, and on a local store the
//! cost of a blob is its inode, not its bytes: right after a mass deletion
//! ext4 took seconds to create the ~11,000 files of a 200 MB delivery. Git
//! answers the same problem with pack files; so does this module, in the
//! simplest form that stays content-addressed and verifiable:
//!
//! * `packs/<name>.pack` holds blobs end to end, nothing else;
//! * `packs/<name>.idx` lists them: [`INDEX_MAGIC`], the entry count, then
//!   per blob its digest, offset and size (big-endian `u64`s), ordered by
//!   digest;
//! * `<name>` is the SHA-256 of the index. The entries must tile the pack
//!   exactly (from offset 0, no gap, no overlap, ending at its last byte),
//!   so the index, which names every blob by its digest, fixes every byte of
//!   the pack: the pack is content-addressed without hashing it a second
//!   time, and every blob read out of it is hashed against its own name as
//!   a loose blob is.
//!
//! A pack is written before its index, and only an index makes its blobs
//! visible: a review interrupted between the two leaves a pack nobody can
//! refer to, which [`EvidenceStore::verify_all`] reports.
//!
//! [`EvidenceStore::verify_all`]: crate::EvidenceStore::verify_all

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::Digest;

/// Folder (key prefix) of packs and their indexes.
pub(crate) const PACKS: &str = "packs";

/// First bytes of every index, with the format's version.
pub(crate) const INDEX_MAGIC: &[u8; 16] = b"oversight-pack/1";

/// Bytes per index entry: digest, offset, size.
const ENTRY_LEN: usize = 32 + 8 + 8;

/// Buffer of the file a pack is written to.
const WRITE_BUFFER: usize = 1 << 20;

/// One blob of a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) digest: Digest,
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// The two objects of a pack, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackObject {
    Pack(Digest),
    Index(Digest),
}

impl PackObject {
    /// The object named by `key` (`packs/<64 hex>.pack` or `.idx`), if any.
    pub(crate) fn from_key(key: &str) -> Option<Self> {
        let file = key.strip_prefix(PACKS)?.strip_prefix('/')?;
        let (hex, extension) = file.split_once('.')?;
        let name: Digest = hex.parse().ok()?;
        if name.to_hex() != hex {
            return None;
        }
        match extension {
            "pack" => Some(PackObject::Pack(name)),
            "idx" => Some(PackObject::Index(name)),
            _ => None,
        }
    }
}

/// The key of the pack named `name`.
pub(crate) fn pack_key(name: &Digest) -> String {
    format!("{PACKS}/{name}.pack")
}

/// The key of the index of the pack named `name`.
pub(crate) fn index_key(name: &Digest) -> String {
    format!("{PACKS}/{name}.idx")
}

/// The index of `entries` (any order) and the pack's name.
pub(crate) fn encode_index(entries: &[Entry]) -> (Vec<u8>, Digest) {
    let mut sorted = entries.to_vec();
    sorted.sort_by_key(|entry| entry.digest);
    let mut bytes = Vec::with_capacity(INDEX_MAGIC.len() + 8 + sorted.len() * ENTRY_LEN);
    bytes.extend_from_slice(INDEX_MAGIC);
    bytes.extend_from_slice(&(sorted.len() as u64).to_be_bytes());
    for entry in &sorted {
        bytes.extend_from_slice(entry.digest.as_bytes());
        bytes.extend_from_slice(&entry.offset.to_be_bytes());
        bytes.extend_from_slice(&entry.size.to_be_bytes());
    }
    let name = Digest::of(&bytes);
    (bytes, name)
}

/// The entries of the index `bytes` of the pack named `name`, ordered by
/// offset, after checking that the index hashes to `name`, that its
/// entries are distinct and tile a pack from its first byte, and that
/// nothing follows them. Returns the pack's size too.
///
/// # Errors
///
/// Why the index cannot be trusted, in words for a message.
pub(crate) fn decode_index(name: &Digest, bytes: &[u8]) -> Result<(Vec<Entry>, u64), String> {
    let actual = Digest::of(bytes);
    if actual != *name {
        return Err(format!(
            "the index was altered: it hashes to sha256:{actual}"
        ));
    }
    let rest = bytes
        .strip_prefix(INDEX_MAGIC.as_slice())
        .ok_or("the index does not start with `oversight-pack/1`")?;
    let (count, rest) = rest
        .split_first_chunk::<8>()
        .ok_or("the index is truncated before its entry count")?;
    let count = u64::from_be_bytes(*count);
    if (rest.len() % ENTRY_LEN != 0) || rest.len() as u64 / ENTRY_LEN as u64 != count {
        return Err(format!(
            "the index announces {count} entries but holds {} bytes of entries",
            rest.len()
        ));
    }
    let mut entries: Vec<Entry> = rest
        .chunks_exact(ENTRY_LEN)
        .map(|chunk| {
            let (digest, numbers) = chunk.split_at(32);
            let (offset, size) = numbers.split_at(8);
            Entry {
                digest: Digest::from_bytes(digest.try_into().expect("32 bytes")),
                offset: u64::from_be_bytes(offset.try_into().expect("8 bytes")),
                size: u64::from_be_bytes(size.try_into().expect("8 bytes")),
            }
        })
        .collect();
    if entries
        .windows(2)
        .any(|pair| pair[0].digest >= pair[1].digest)
    {
        return Err("the index's entries are not distinct and ordered by digest".to_owned());
    }
    // An empty blob sits at the offset where the next one starts.
    entries.sort_by_key(|entry| (entry.offset, entry.size));
    let mut end = 0u64;
    for entry in &entries {
        if entry.offset != end {
            return Err(format!(
                "sha256:{} starts at offset {} where the previous blob ended at {end}",
                entry.digest, entry.offset
            ));
        }
        end = end
            .checked_add(entry.size)
            .ok_or_else(|| format!("sha256:{} ends beyond 2^64", entry.digest))?;
    }
    Ok((entries, end))
}

/// Where a packed blob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed {
    /// The pack's name.
    pub(crate) pack: Digest,
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// Every blob of every pack loaded, by digest. A blob in several packs
/// (two reviews packed it at the same time) is found in the first loaded.
#[derive(Debug, Default)]
pub(crate) struct PackIndex {
    /// Packs whose index was read, good or not.
    seen: HashSet<Digest>,
    /// Packs by number, so that an entry holds 4 bytes, not 32.
    packs: Vec<Digest>,
    blobs: HashMap<Digest, Slot>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    pack: u32,
    offset: u64,
    size: u64,
}

impl PackIndex {
    /// Where blob `digest` is packed, if it is.
    pub(crate) fn locate(&self, digest: &Digest) -> Option<Packed> {
        let slot = self.blobs.get(digest)?;
        Some(Packed {
            pack: self.packs[slot.pack as usize],
            offset: slot.offset,
            size: slot.size,
        })
    }

    /// Whether the index of pack `name` was already read.
    pub(crate) fn has_seen(&self, name: &Digest) -> bool {
        self.seen.contains(name)
    }

    /// Marks pack `name` as read, e.g. when its index is bad.
    pub(crate) fn mark_seen(&mut self, name: Digest) {
        self.seen.insert(name);
    }

    /// Adds the blobs of pack `name`.
    pub(crate) fn add(&mut self, name: Digest, entries: &[Entry]) {
        if !self.seen.insert(name) && self.packs.contains(&name) {
            return;
        }
        let pack = u32::try_from(self.packs.len()).expect("fewer than 2^32 packs");
        self.packs.push(name);
        for entry in entries {
            self.blobs.entry(entry.digest).or_insert(Slot {
                pack,
                offset: entry.offset,
                size: entry.size,
            });
        }
    }

    /// Blobs known.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.blobs.len()
    }
}

/// A pack being written: blobs are appended as they come, from any thread
/// (behind a lock), to a file that becomes the pack once sealed.
pub(crate) struct PackWriter {
    file: BufWriter<File>,
    path: PathBuf,
    entries: Vec<Entry>,
    len: u64,
}

impl PackWriter {
    /// A new pack at `path` (created, or truncated).
    pub(crate) fn create(path: PathBuf) -> io::Result<Self> {
        let file = File::create(&path).map_err(|e| with_path(e, "create the pack", &path))?;
        Ok(PackWriter {
            file: BufWriter::with_capacity(WRITE_BUFFER, file),
            path,
            entries: Vec::new(),
            len: 0,
        })
    }

    /// Appends blob `digest`; returns its offset. The caller makes sure a
    /// digest is appended once.
    pub(crate) fn append(&mut self, digest: Digest, content: &[u8]) -> io::Result<u64> {
        let offset = self.len;
        self.file
            .write_all(content)
            .map_err(|e| with_path(e, "write the pack", &self.path))?;
        self.len += content.len() as u64;
        self.entries.push(Entry {
            digest,
            offset,
            size: content.len() as u64,
        });
        Ok(offset)
    }

    /// Reads back `size` bytes at `offset` (flushing what is buffered).
    pub(crate) fn read(&mut self, offset: u64, size: u64) -> io::Result<Vec<u8>> {
        self.file
            .flush()
            .map_err(|e| with_path(e, "write the pack", &self.path))?;
        read_at(&self.path, offset, size)
    }

    /// Whether no blob was appended.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Flushes the pack; returns its file, its entries and its size.
    pub(crate) fn finish(self) -> io::Result<(PathBuf, Vec<Entry>, u64)> {
        let path = self.path;
        self.file
            .into_inner()
            .map_err(|e| with_path(e.into_error(), "write the pack", &path))?;
        Ok((path, self.entries, self.len))
    }
}

/// Reads `size` bytes at `offset` of the file at `path`.
pub(crate) fn read_at(path: &Path, offset: u64, size: u64) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;

    let file = File::open(path).map_err(|e| with_path(e, "open", path))?;
    let mut buffer = vec![0; usize::try_from(size).map_err(io::Error::other)?];
    file.read_exact_at(&mut buffer, offset)
        .map_err(|e| with_path(e, "read", path))?;
    Ok(buffer)
}

/// `error`, with a message naming what was done to which file.
pub(crate) fn with_path(error: io::Error, action: &str, path: &Path) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("Cannot {action} {}: {error}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(blobs: &[&[u8]]) -> Vec<Entry> {
        let mut offset = 0;
        blobs
            .iter()
            .map(|blob| {
                let entry = Entry {
                    digest: Digest::of(blob),
                    offset,
                    size: blob.len() as u64,
                };
                offset += blob.len() as u64;
                entry
            })
            .collect()
    }

    #[test]
    fn an_index_round_trips_and_is_named_by_its_hash() {
        let written = entries(&[b"first", b"", b"third blob"]);
        let (bytes, name) = encode_index(&written);
        assert_eq!(name, Digest::of(&bytes));
        assert!(bytes.starts_with(INDEX_MAGIC));
        let (read, size) = decode_index(&name, &bytes).expect("a good index");
        assert_eq!(read, written, "ordered by offset again");
        assert_eq!(size, 15);
        // The same blobs in another order of arrival make another pack.
        let other = entries(&[b"third blob", b"first", b""]);
        assert_ne!(encode_index(&other).1, name);
    }

    #[test]
    fn a_damaged_or_forged_index_is_refused_with_the_reason() {
        let (bytes, name) = encode_index(&entries(&[b"alpha", b"beta"]));
        let mut altered = bytes.clone();
        *altered.last_mut().expect("entries") ^= 1;
        assert!(
            decode_index(&name, &altered)
                .unwrap_err()
                .contains("altered")
        );

        // Well named but not tiling the pack: a gap between the blobs.
        let mut gap = entries(&[b"alpha", b"beta"]);
        gap[1].offset += 3;
        let (bytes, name) = encode_index(&gap);
        let reason = decode_index(&name, &bytes).unwrap_err();
        assert!(reason.contains("starts at offset 8"), "{reason}");

        let mut truncated = bytes[..bytes.len() - 1].to_vec();
        let truncated_name = Digest::of(&truncated);
        let reason = decode_index(&truncated_name, &truncated).unwrap_err();
        assert!(reason.contains("announces 2 entries"), "{reason}");
        truncated.clear();
        assert!(decode_index(&Digest::of(b""), &truncated).is_err());
    }

    #[test]
    fn keys_name_packs_and_indexes_and_nothing_else() {
        let name = Digest::of(b"pack");
        assert_eq!(
            PackObject::from_key(&pack_key(&name)),
            Some(PackObject::Pack(name))
        );
        assert_eq!(
            PackObject::from_key(&index_key(&name)),
            Some(PackObject::Index(name))
        );
        for key in [
            format!("packs/{name}.tmp"),
            format!("packs/{}.idx", name.to_hex().to_uppercase()),
            format!("sha256/{name}.idx"),
            "packs/readme.txt".to_owned(),
        ] {
            assert_eq!(PackObject::from_key(&key), None, "{key}");
        }
    }

    #[test]
    fn the_index_finds_each_blob_in_the_first_pack_that_holds_it() {
        let first = entries(&[b"one", b"two"]);
        let second = entries(&[b"two", b"three"]);
        let mut index = PackIndex::default();
        index.add(Digest::of(b"p1"), &first);
        index.add(Digest::of(b"p2"), &second);
        assert_eq!(index.len(), 3);
        let two = index.locate(&Digest::of(b"two")).expect("packed");
        assert_eq!((two.pack, two.offset, two.size), (Digest::of(b"p1"), 3, 3));
        let three = index.locate(&Digest::of(b"three")).expect("packed");
        assert_eq!((three.pack, three.offset), (Digest::of(b"p2"), 3));
        assert!(index.locate(&Digest::of(b"four")).is_none());
        assert!(index.has_seen(&Digest::of(b"p2")));
    }

    #[test]
    fn a_writer_appends_reads_back_and_finishes_with_its_entries() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut writer = PackWriter::create(dir.path().join("pack"))?;
        assert!(writer.is_empty());
        assert_eq!(writer.append(Digest::of(b"hello "), b"hello ")?, 0);
        assert_eq!(writer.append(Digest::of(b"world"), b"world")?, 6);
        assert_eq!(writer.read(6, 5)?, b"world");
        let (path, written, size) = writer.finish()?;
        assert_eq!(std::fs::read(path)?, b"hello world");
        assert_eq!(written, entries(&[b"hello ", b"world"]));
        assert_eq!(size, 11);
        Ok(())
    }
}
