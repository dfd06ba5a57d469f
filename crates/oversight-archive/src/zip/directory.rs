//! The zip structures: the end-of-central-directory records (plain and
//! zip64), central directory entries and local headers.
//!
//! Written here rather than taken from the `zip` crate because that crate
//! keys members by name: of two members with the same name it keeps one and
//! silently drops the other, which is exactly the ambiguity a reviewer must
//! see. It also parses the whole central directory up front, whatever its
//! size.

use std::io::{self, Read, Seek, SeekFrom};

use super::cp437;

const END_SIGNATURE: [u8; 4] = *b"PK\x05\x06";
const ZIP64_LOCATOR_SIGNATURE: [u8; 4] = *b"PK\x06\x07";
const ZIP64_END_SIGNATURE: [u8; 4] = *b"PK\x06\x06";
const CENTRAL_SIGNATURE: [u8; 4] = *b"PK\x01\x02";
const LOCAL_SIGNATURE: [u8; 4] = *b"PK\x03\x04";

const END_LEN: u64 = 22;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_END_LEN: u64 = 56;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

/// What can be wrong with the zip structures.
#[derive(Debug, thiserror::Error)]
pub(super) enum Error {
    #[error("no end-of-central-directory record in the last 64 KiB of the {len}-byte file")]
    NoEnd { len: u64 },
    #[error("the zip64 end-of-central-directory record is missing or invalid")]
    BadZip64,
    #[error(
        "the central directory ({size} bytes at offset {offset}) lies outside the {len}-byte file"
    )]
    DirectoryOutOfBounds { offset: u64, size: u64, len: u64 },
    #[error("no central directory entry at offset {offset}")]
    NotCentral { offset: u64 },
    #[error("no local header at offset {offset}")]
    NotLocal { offset: u64 },
    #[error("a zip64 extra field is too short")]
    BadZip64Extra,
    #[error("the header ends early: {0}")]
    Io(#[from] io::Error),
}

/// Where the central directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Directory {
    /// Absolute offset of the first entry.
    pub(super) start: u64,
    /// Size in bytes.
    pub(super) size: u64,
    /// Entries the end record declares.
    pub(super) entries: u64,
    /// Bytes before the archive proper (a self-extractor stub, a shebang
    /// line): added to every offset the archive records.
    pub(super) shift: u64,
}

/// One member as the central directory (or, when recovering, a local header)
/// describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) name_raw: Vec<u8>,
    pub(super) name: String,
    pub(super) version_made_by: u16,
    pub(super) flags: u16,
    pub(super) method: u16,
    pub(super) crc32: u32,
    pub(super) compressed_size: u64,
    pub(super) uncompressed_size: u64,
    pub(super) external_attributes: u32,
    /// Absolute offset of the local header (shift applied).
    pub(super) header_offset: u64,
}

/// Unix file types in the high bits of a mode.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFBLK: u32 = 0o060_000;
const S_IFIFO: u32 = 0o010_000;
const S_IFSOCK: u32 = 0o140_000;

/// The file type of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileType {
    Regular,
    Directory,
    Symlink,
    /// A device, fifo or socket, named.
    Special(&'static str),
}

impl Entry {
    /// Bit 0: encrypted (ZipCrypto, or AES with method 99).
    pub(super) fn is_encrypted(&self) -> bool {
        self.flags & 1 != 0
    }

    /// How the member is encrypted, for messages.
    pub(super) fn encryption(&self) -> &'static str {
        if self.method == super::method::AES {
            "AES"
        } else if self.flags & (1 << 6) != 0 {
            "PKWARE strong encryption"
        } else {
            "ZipCrypto"
        }
    }

    /// The Unix mode, when the entry was made on Unix (or macOS) and has one.
    fn unix_mode(&self) -> Option<u32> {
        let host = self.version_made_by >> 8;
        let mode = self.external_attributes >> 16;
        (matches!(host, 3 | 19) && mode != 0).then_some(mode)
    }

    pub(super) fn file_type(&self) -> FileType {
        let by_mode = self.unix_mode().map(|mode| mode & S_IFMT);
        match by_mode {
            Some(S_IFLNK) => FileType::Symlink,
            Some(S_IFDIR) => FileType::Directory,
            Some(S_IFCHR) => FileType::Special("character device"),
            Some(S_IFBLK) => FileType::Special("block device"),
            Some(S_IFIFO) => FileType::Special("fifo"),
            Some(S_IFSOCK) => FileType::Special("socket"),
            _ if self.name.ends_with('/') => FileType::Directory,
            _ => FileType::Regular,
        }
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut le = [0u8; 8];
    le.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(le)
}

/// Finds the central directory of a `len`-byte archive.
pub(super) fn locate<R: Read + Seek>(reader: &mut R, len: u64) -> Result<Directory, Error> {
    let tail_len = len.min(END_LEN + u64::from(u16::MAX));
    let tail_start = len - tail_len;
    reader.seek(SeekFrom::Start(tail_start))?;
    let mut tail = vec![0u8; usize::try_from(tail_len).unwrap_or(0)];
    reader.read_exact(&mut tail)?;

    // The last signature whose comment fits in the file.
    let end_at = (0..tail.len().saturating_sub(END_LEN as usize - 1))
        .rev()
        .find(|&at| {
            tail[at..at + 4] == END_SIGNATURE
                && at + END_LEN as usize + usize::from(u16_at(&tail, at + 20)) <= tail.len()
        })
        .ok_or(Error::NoEnd { len })?;
    let end_pos = tail_start + end_at as u64;
    let end = &tail[end_at..end_at + END_LEN as usize];
    let mut entries = u64::from(u16_at(end, 10));
    let mut size = u64::from(u32_at(end, 12));
    let mut offset = u64::from(u32_at(end, 16));
    // Where the directory ends: the end record, or the zip64 end record.
    let mut directory_end = end_pos;

    if let Some(zip64) = zip64_end(reader, end_pos)? {
        entries = u64_at(&zip64.1, 32);
        size = u64_at(&zip64.1, 40);
        offset = u64_at(&zip64.1, 48);
        directory_end = zip64.0;
    } else if entries == u64::from(u16::MAX) || size == u64::from(u32::MAX) {
        return Err(Error::BadZip64);
    }

    let out_of_bounds = Error::DirectoryOutOfBounds { offset, size, len };
    let actual_start = directory_end.checked_sub(size).ok_or(out_of_bounds)?;
    let (start, shift) = match actual_start.checked_sub(offset) {
        Some(shift) => (actual_start, shift),
        // The records disagree; trust the declared offset if it fits.
        None if offset.checked_add(size).is_some_and(|end| end <= len) => (offset, 0),
        None => return Err(Error::DirectoryOutOfBounds { offset, size, len }),
    };
    Ok(Directory {
        start,
        size,
        entries,
        shift,
    })
}

/// The zip64 end record (its position and bytes) when a locator precedes
/// the end record at `end_pos`.
fn zip64_end<R: Read + Seek>(
    reader: &mut R,
    end_pos: u64,
) -> Result<Option<(u64, [u8; ZIP64_END_LEN as usize])>, Error> {
    let Some(locator_pos) = end_pos.checked_sub(ZIP64_LOCATOR_LEN) else {
        return Ok(None);
    };
    reader.seek(SeekFrom::Start(locator_pos))?;
    let mut locator = [0u8; ZIP64_LOCATOR_LEN as usize];
    reader.read_exact(&mut locator)?;
    if locator[..4] != ZIP64_LOCATOR_SIGNATURE {
        return Ok(None);
    }
    let declared = u64_at(&locator, 8);
    // Usually right before the locator; the declared offset is off by the
    // shift when something was prepended.
    let adjacent = locator_pos.checked_sub(ZIP64_END_LEN);
    for candidate in [Some(declared), adjacent].into_iter().flatten() {
        reader.seek(SeekFrom::Start(candidate))?;
        let mut record = [0u8; ZIP64_END_LEN as usize];
        if reader.read_exact(&mut record).is_ok() && record[..4] == ZIP64_END_SIGNATURE {
            return Ok(Some((candidate, record)));
        }
    }
    Err(Error::BadZip64)
}

/// Reads the central directory entry at the reader's position, `offset`.
/// Returns `NotCentral` when no entry starts there.
pub(super) fn read_central<R: Read>(
    reader: &mut R,
    offset: u64,
    shift: u64,
) -> Result<(Entry, u64), Error> {
    let mut fixed = [0u8; CENTRAL_LEN];
    reader.read_exact(&mut fixed)?;
    if fixed[..4] != CENTRAL_SIGNATURE {
        return Err(Error::NotCentral { offset });
    }
    let name_len = usize::from(u16_at(&fixed, 28));
    let extra_len = usize::from(u16_at(&fixed, 30));
    let comment_len = usize::from(u16_at(&fixed, 32));
    let mut variable = vec![0u8; name_len + extra_len + comment_len];
    reader.read_exact(&mut variable)?;
    let name_raw = variable[..name_len].to_vec();
    let extra = &variable[name_len..name_len + extra_len];

    let flags = u16_at(&fixed, 8);
    let mut entry = Entry {
        name: decode_name(&name_raw, flags, extra),
        name_raw,
        version_made_by: u16_at(&fixed, 4),
        flags,
        method: u16_at(&fixed, 10),
        crc32: u32_at(&fixed, 16),
        compressed_size: u64::from(u32_at(&fixed, 20)),
        uncompressed_size: u64::from(u32_at(&fixed, 24)),
        external_attributes: u32_at(&fixed, 38),
        header_offset: u64::from(u32_at(&fixed, 42)),
    };
    apply_zip64(&mut entry, extra, true)?;
    entry.header_offset = entry.header_offset.saturating_add(shift);
    let record_len = (CENTRAL_LEN + variable.len()) as u64;
    Ok((entry, record_len))
}

/// Reads the local header of `entry`: where its data starts, and the name
/// the local header gives.
pub(super) fn read_local<R: Read + Seek>(
    reader: &mut R,
    entry: &Entry,
) -> Result<(u64, Vec<u8>), Error> {
    reader.seek(SeekFrom::Start(entry.header_offset))?;
    let mut fixed = [0u8; LOCAL_LEN];
    reader.read_exact(&mut fixed)?;
    if fixed[..4] != LOCAL_SIGNATURE {
        return Err(Error::NotLocal {
            offset: entry.header_offset,
        });
    }
    let name_len = u16_at(&fixed, 26);
    let extra_len = u16_at(&fixed, 28);
    let mut name = vec![0u8; usize::from(name_len)];
    reader.read_exact(&mut name)?;
    let data_start = entry
        .header_offset
        .saturating_add(LOCAL_LEN as u64 + u64::from(name_len) + u64::from(extra_len));
    Ok((data_start, name))
}

/// Reads a local header at `offset` as an entry, for recovering members of
/// an archive whose central directory is lost. Returns the entry and where
/// its data starts, or `None` where no local header starts or its sizes are
/// only in a data descriptor after the data.
pub(super) fn read_local_as_entry<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
) -> Result<Option<(Entry, u64)>, Error> {
    reader.seek(SeekFrom::Start(offset))?;
    let mut fixed = [0u8; LOCAL_LEN];
    if reader.read_exact(&mut fixed).is_err() || fixed[..4] != LOCAL_SIGNATURE {
        return Ok(None);
    }
    let flags = u16_at(&fixed, 6);
    let name_len = usize::from(u16_at(&fixed, 26));
    let extra_len = usize::from(u16_at(&fixed, 28));
    let mut variable = vec![0u8; name_len + extra_len];
    reader.read_exact(&mut variable)?;
    let name_raw = variable[..name_len].to_vec();
    let extra = &variable[name_len..];
    let mut entry = Entry {
        name: decode_name(&name_raw, flags, extra),
        name_raw,
        version_made_by: 0,
        flags,
        method: u16_at(&fixed, 8),
        crc32: u32_at(&fixed, 14),
        compressed_size: u64::from(u32_at(&fixed, 18)),
        uncompressed_size: u64::from(u32_at(&fixed, 22)),
        external_attributes: 0,
        header_offset: offset,
    };
    apply_zip64(&mut entry, extra, false)?;
    let data_descriptor = flags & (1 << 3) != 0;
    if data_descriptor {
        return Ok(None);
    }
    let data_start = offset.saturating_add((LOCAL_LEN + variable.len()) as u64);
    Ok(Some((entry, data_start)))
}

/// Applies the zip64 extra field (id 1): 64-bit values for the fields whose
/// 32-bit value is saturated, in a fixed order.
fn apply_zip64(entry: &mut Entry, extra: &[u8], central: bool) -> Result<(), Error> {
    let Some(mut data) = extra_field(extra, 0x0001) else {
        return Ok(());
    };
    let max = u64::from(u32::MAX);
    let mut next = |value: &mut u64| -> Result<(), Error> {
        if *value == max {
            let (field, rest) = data.split_at_checked(8).ok_or(Error::BadZip64Extra)?;
            *value = u64_at(field, 0);
            data = rest;
        }
        Ok(())
    };
    next(&mut entry.uncompressed_size)?;
    next(&mut entry.compressed_size)?;
    if central {
        next(&mut entry.header_offset)?;
    }
    Ok(())
}

/// The data of the extra field `id`, if present.
fn extra_field(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let field_id = u16_at(extra, 0);
        let size = usize::from(u16_at(extra, 2));
        let data = extra.get(4..4 + size)?;
        if field_id == id {
            return Some(data);
        }
        extra = &extra[4 + size..];
    }
    None
}

/// The name as the archive means it: UTF-8 when flagged (bit 11) or valid,
/// the Info-ZIP Unicode path when it matches the raw name, code page 437
/// otherwise.
fn decode_name(raw: &[u8], flags: u16, extra: &[u8]) -> String {
    if let Ok(utf8) = std::str::from_utf8(raw) {
        return utf8.to_owned();
    }
    if flags & (1 << 11) != 0 {
        // Flagged UTF-8 but not: the bytes are kept (`\xNN`).
        return oversight_model::name_from_bytes(raw).into_owned();
    }
    if let Some(unicode) = extra_field(extra, 0x7075)
        && let [1, crc @ ..] = unicode
        && crc.len() >= 4
        && u32_at(crc, 0) == crc32fast::hash(raw)
        && let Ok(name) = std::str::from_utf8(&crc[4..])
    {
        return name.to_owned();
    }
    cp437::decode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn no_end_record() {
        let bytes = b"PK\x03\x04 and then nothing".to_vec();
        let len = bytes.len() as u64;
        let error = locate(&mut Cursor::new(bytes), len).expect_err("no end record");
        assert!(error.to_string().contains("no end-of-central-directory"));
        let mut empty = Cursor::new(Vec::new());
        assert!(locate(&mut empty, 0).is_err());
    }

    #[test]
    fn empty_archive_and_prepended_stub() {
        let mut end = END_SIGNATURE.to_vec();
        end.extend_from_slice(&[0u8; 18]);
        let mut data = Cursor::new(end.clone());
        let directory = locate(&mut data, 22).expect("empty zip");
        assert_eq!(directory.entries, 0);
        assert_eq!(directory.shift, 0);

        let mut stubbed = b"#!/bin/sh\n".to_vec();
        stubbed.extend_from_slice(&end);
        let len = stubbed.len() as u64;
        let directory = locate(&mut Cursor::new(stubbed), len).expect("stubbed");
        assert_eq!(directory.shift, 10);
        assert_eq!(directory.start, 10);
    }

    #[test]
    fn names() {
        assert_eq!(decode_name(b"a/b.txt", 0, &[]), "a/b.txt");
        assert_eq!(decode_name(&[0x81, b'.', b't'], 0, &[]), "ü.t");
        let raw = [0x81u8];
        let mut unicode = vec![0x75, 0x70, 7, 0, 1];
        unicode.extend_from_slice(&crc32fast::hash(&raw).to_le_bytes());
        unicode.extend_from_slice("é".as_bytes());
        assert_eq!(decode_name(&raw, 0, &unicode), "é");
    }

    #[test]
    fn file_types_from_unix_modes() {
        let entry = |mode: u32, name: &str| Entry {
            name_raw: name.as_bytes().to_vec(),
            name: name.to_owned(),
            version_made_by: 3 << 8,
            flags: 0,
            method: 0,
            crc32: 0,
            compressed_size: 0,
            uncompressed_size: 0,
            external_attributes: mode << 16,
            header_offset: 0,
        };
        assert_eq!(entry(0o120_777, "l").file_type(), FileType::Symlink);
        assert_eq!(entry(0o100_644, "f").file_type(), FileType::Regular);
        assert_eq!(
            entry(0o020_644, "c").file_type(),
            FileType::Special("character device")
        );
        assert_eq!(entry(0, "d/").file_type(), FileType::Directory);
        assert_eq!(
            entry(0o140_755, "s").file_type(),
            FileType::Special("socket")
        );
    }
}
