//! How much of a delivery was read: the denominator of every assurance claim.

/// How the engine classified a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileClass {
    /// Text (no NUL byte in the first block).
    Text,
    /// Anything else.
    Binary,
}

/// A count of files and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCount {
    /// Number of files.
    pub files: u64,
    /// Number of bytes read from them (decompressed).
    pub bytes: u64,
}

impl KindCount {
    /// Adds one file of `bytes` bytes.
    pub fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }

    /// Adds another count.
    pub fn merge(&mut self, other: KindCount) {
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// The coverage summary of one scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverageSummary {
    /// Plain files (outside archives) classified as text.
    pub text: KindCount,
    /// Plain files (outside archives) classified as binary.
    pub binary: KindCount,
    /// Files found inside archives, whatever their class.
    pub archive_members: KindCount,
    /// Archives opened (each also counted as a file of its own).
    pub archives: u64,
    /// Files, members or archives not fully scanned; each has a `coverage` finding.
    pub not_fully_scanned: u64,
    /// Directory entries that are not regular files (symlinks, devices, sockets).
    pub special_entries: u64,
}

impl CoverageSummary {
    /// Adds another summary (from a parallel worker).
    pub fn merge(&mut self, other: &CoverageSummary) {
        self.text.merge(other.text);
        self.binary.merge(other.binary);
        self.archive_members.merge(other.archive_members);
        self.archives += other.archives;
        self.not_fully_scanned += other.not_fully_scanned;
        self.special_entries += other.special_entries;
    }

    /// All files seen, plain and inside archives.
    pub fn total_files(&self) -> u64 {
        self.text.files + self.binary.files + self.archive_members.files
    }

    /// All bytes read, plain and inside archives.
    pub fn total_bytes(&self) -> u64 {
        self.text.bytes + self.binary.bytes + self.archive_members.bytes
    }
}
