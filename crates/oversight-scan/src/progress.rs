//! Progress reporting, decoupled from any terminal library.

/// Receives progress events from worker threads.
pub trait Progress: Sync {
    /// The number of files to scan is known (archive members not included).
    fn start(&self, files: u64) {
        let _ = files;
    }
    /// One top-level file (with everything inside it) was scanned.
    fn file_done(&self, bytes: u64) {
        let _ = bytes;
    }
    /// The scan is over.
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
