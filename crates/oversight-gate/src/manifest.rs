//! The delivery manifest as recorded: every file with its size and hash, in
//! canonical JSON. Its SHA-256 is the delivery's content digest: two
//! deliveries with the same digest held exactly the same files.

use oversight_model::{ManifestEntry, ScanReport, SpecialKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The schema name written into every manifest.
pub const MANIFEST_SCHEMA: &str = "oversight.manifest/1";

/// One file of a recorded manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path inside the delivery (`a.zip!/src/x.js` for archive members).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (hex), absent when the file was not read to its end.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sha256: Option<String>,
}

/// A delivered entry that is not a regular file: a symbolic link (with its
/// target) or a special file. Recorded so that a replay rebuilds it; a
/// manifest without any leaves the field out, so its digest is as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSpecial {
    /// Path inside the delivery.
    pub path: String,
    /// `symlink`, `fifo`, `socket`, `block-device`, `char-device`, `other`.
    pub kind: String,
    /// A link's target, as written.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target: Option<String>,
}

/// A recorded manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// Files sorted by path.
    pub files: Vec<ManifestFile>,
    /// Links and special files sorted by path.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub special: Vec<ManifestSpecial>,
}

impl Manifest {
    /// The manifest of a scan: its files, links and special files.
    pub fn of_report(report: &ScanReport) -> Manifest {
        let mut manifest = Manifest::of(&report.manifest);
        manifest.special = report
            .special_entries
            .iter()
            .map(|e| ManifestSpecial {
                path: e.path.to_string(),
                kind: e.kind.as_str().to_owned(),
                target: match &e.kind {
                    SpecialKind::Symlink(target) => Some(target.clone()),
                    _ => None,
                },
            })
            .collect();
        manifest.special.sort_by(|a, b| a.path.cmp(&b.path));
        manifest
    }

    /// The manifest of a scan's entries.
    pub fn of(entries: &[ManifestEntry]) -> Manifest {
        let mut files: Vec<ManifestFile> = entries
            .iter()
            .map(|e| ManifestFile {
                path: e.path.to_string(),
                size: e.size,
                sha256: e.sha256_hex(),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            schema: MANIFEST_SCHEMA.to_owned(),
            files,
            special: Vec::new(),
        }
    }

    /// Canonical JSON: fields in declaration order, files sorted, no whitespace.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("manifest serialises")
    }

    /// Reads a manifest back.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// SHA-256 (hex) of [`Manifest::to_json`]: the delivery's content digest.
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.to_json().as_bytes()))
    }

    /// Sum of the files' sizes.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The hash of the file at `path`, when recorded.
    pub fn sha256_of(&self, path: &str) -> Option<&str> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.files[i].sha256.as_deref())
    }

    /// The files a review keeps in the evidence store, as (path, SHA-256):
    /// the delivered top-level files. An archive is kept whole, not its
    /// members; the past commits a `--history` scan read came from the
    /// supplier's repository, not the delivery, and are not kept.
    pub fn kept_files(&self, scanned_history: bool) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().filter_map(move |f| {
            let past = scanned_history && is_history_path(&f.path);
            if f.path.contains("!/") || past {
                return None;
            }
            Some((f.path.as_str(), f.sha256.as_deref()?))
        })
    }
}

/// Whether `path` names a blob of a past commit, as a `--history` scan
/// places them: `<commit>:<path>` (git's notation, the commit id shortened
/// to 12 digits). Only meaningful for a scan that read the history: a
/// delivered file may be named like that too.
pub fn is_history_path(path: &str) -> bool {
    path.split_once(':').is_some_and(|(commit, _)| {
        (12..=40).contains(&commit.len()) && commit.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_model::DeliveryPath;

    #[test]
    fn digest_depends_on_content_not_on_order() {
        let a = ManifestEntry {
            path: DeliveryPath::root("b.txt"),
            size: 1,
            sha256: Some([1; 32]),
        };
        let b = ManifestEntry {
            path: DeliveryPath::root("a.txt"),
            size: 2,
            sha256: None,
        };
        let one = Manifest::of(&[a.clone(), b.clone()]);
        let two = Manifest::of(&[b, a.clone()]);
        assert_eq!(one.digest(), two.digest());
        assert_eq!(one.files[0].path, "a.txt");
        assert_eq!(one.sha256_of("b.txt"), Some("01".repeat(32).as_str()));
        assert_eq!(one.sha256_of("a.txt"), None);
        let mut changed = a;
        changed.sha256 = Some([2; 32]);
        assert_ne!(Manifest::of(&[changed]).digest(), one.digest());
        assert_eq!(Manifest::from_json(one.to_json().as_bytes()).unwrap(), one);
    }

    #[test]
    fn kept_files_are_the_hashed_top_level_ones() {
        let entry = |path: &str, sha256: Option<[u8; 32]>| ManifestEntry {
            path: DeliveryPath::root(path),
            size: 1,
            sha256,
        };
        let manifest = Manifest::of(&[
            entry("src/main.rs", Some([1; 32])),
            entry("unread.bin", None),
            entry("0123456789ab:old.py", Some([2; 32])),
        ]);
        let mut member = entry("x", Some([3; 32]));
        member.path = DeliveryPath::root("lib.zip").join("a.js");
        let manifest = Manifest {
            files: [manifest.files.clone(), Manifest::of(&[member]).files].concat(),
            ..manifest
        };
        let kept: Vec<&str> = manifest.kept_files(true).map(|(path, _)| path).collect();
        assert_eq!(kept, ["src/main.rs"]);
        // Without a history scan, a file named like a history path was
        // delivered as such.
        let kept: Vec<&str> = manifest.kept_files(false).map(|(path, _)| path).collect();
        assert_eq!(kept, ["0123456789ab:old.py", "src/main.rs"]);
        assert!(!is_history_path("0123456:short.py"));
        assert!(!is_history_path("0123456789xy:not-hex.py"));
    }
}
