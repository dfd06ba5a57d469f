//! What a delivery held: every file the engine read, with its size and hash.

use std::fmt::Write as _;

use crate::DeliveryPath;

/// A delivered entry that is not a regular file: a symbolic link or a
/// special file. Never opened; recorded so that a replay rebuilds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecialEntry {
    /// Where it sits in the delivery.
    pub path: DeliveryPath,
    /// What it is.
    pub kind: SpecialKind,
}

/// What a delivered entry that is not a regular file is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecialKind {
    /// A symbolic link to this target (a name as
    /// [`crate::name_from_bytes`] writes it).
    Symlink(String),
    /// A FIFO (named pipe).
    Fifo,
    /// A socket.
    Socket,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharDevice,
    /// Anything else.
    Other,
}

impl SpecialKind {
    /// The name recorded in a manifest (`symlink`, `fifo`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            SpecialKind::Symlink(_) => "symlink",
            SpecialKind::Fifo => "fifo",
            SpecialKind::Socket => "socket",
            SpecialKind::BlockDevice => "block-device",
            SpecialKind::CharDevice => "char-device",
            SpecialKind::Other => "other",
        }
    }
}

/// One file of a delivery as the engine read it: a file of a directory, the
/// single file scanned, a git blob, or an archive member at any depth
/// (`outer.zip!/inner.tar.gz!/src/x.js`). An archive has its own entry (the
/// hash of the archive's bytes) besides its members' entries.
///
/// The manifest lets a later review prove what was delivered and fetch the
/// same bytes again from a content-addressed store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManifestEntry {
    /// Where the file sits in the delivery.
    pub path: DeliveryPath,
    /// The file's size in bytes: the bytes read when the file was read to its
    /// end, otherwise the size the file system, archive or repository declared
    /// (or the bytes read before reading stopped, when nothing was declared).
    pub size: u64,
    /// SHA-256 of exactly the file's bytes, or `None` when the content was
    /// not read to its end (too large, time budget, corrupt or truncated
    /// member, read error). Every such case is also a `coverage` finding.
    pub sha256: Option<[u8; 32]>,
}

impl ManifestEntry {
    /// The lower-case hexadecimal SHA-256 (64 characters), when known.
    ///
    /// ```
    /// use oversight_model::{DeliveryPath, ManifestEntry};
    /// let entry = ManifestEntry { path: DeliveryPath::root("a"), size: 0, sha256: Some([0xab; 32]) };
    /// assert_eq!(entry.sha256_hex().unwrap(), "ab".repeat(32));
    /// ```
    pub fn sha256_hex(&self) -> Option<String> {
        self.sha256.map(|digest| {
            let mut hex = String::with_capacity(64);
            for b in digest {
                let _ = write!(hex, "{b:02x}");
            }
            hex
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_and_absent_without_a_hash() {
        let mut digest = [0u8; 32];
        digest[0] = 0x0f;
        digest[31] = 0xA0;
        let entry = ManifestEntry {
            path: DeliveryPath::root("x"),
            size: 1,
            sha256: Some(digest),
        };
        let hex = entry.sha256_hex().unwrap();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("0f00"));
        assert!(hex.ends_with("00a0"));
        let unread = ManifestEntry {
            sha256: None,
            ..entry
        };
        assert_eq!(unread.sha256_hex(), None);
    }

    #[test]
    fn entries_sort_by_path_first() {
        let a = ManifestEntry {
            path: DeliveryPath::root("a.zip").join("z"),
            size: 9,
            sha256: None,
        };
        let b = ManifestEntry {
            path: DeliveryPath::root("b"),
            size: 1,
            sha256: None,
        };
        assert!(a < b);
    }
}
