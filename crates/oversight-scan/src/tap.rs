//! The manifest and the content tap: hashing, and handing out, the bytes the
//! engine reads, during its single read pass.
//!
//! An acceptance review must be replayable: it records the delivery's
//! manifest (every file with its size and SHA-256) and keeps the delivered
//! bytes in a content-addressed evidence store. Reading the delivery a second
//! time for that would double the IO of a review and, worse, could see
//! different bytes than the scan did. So the engine hashes every byte as it
//! reads it for the detectors ([`ScanOptions::record_manifest`]) and, when
//! asked, gives the bytes of each top-level file to a [`ContentTap`]
//! ([`ScanOptions::content_tap`]) as they go by.
//!
//! [`ScanOptions::record_manifest`]: crate::ScanOptions::record_manifest
//! [`ScanOptions::content_tap`]: crate::ScanOptions::content_tap

use std::io::{self, Read};

use oversight_model::{DeliveryPath, ManifestEntry};
use sha2::{Digest as _, Sha256};

use crate::collect::Collected;

/// Receives the bytes of the delivery's top-level files while the engine
/// reads them, e.g. to spool them into a content-addressed evidence store.
///
/// **Which files.** Only top-level entries: each file of a directory target,
/// the single file (or archive) given as target, each file of the git tree
/// scanned (and, for a work tree scanned without a revision, each file
/// committed at HEAD that differs from the disk: it is opened a second time
/// under the same path, with the committed bytes). Never archive members (the
/// archive's own bytes are tapped whole) and never `--history` blobs.
///
/// **Contract.** [`open`](ContentTap::open) is called from the engine's
/// worker threads, for many files at once. For each writer it returns, the
/// engine calls [`TapWriter::write`] with the file's bytes in order, each byte
/// exactly once, in pieces of bounded size (the engine never holds a file whole
/// for the tap), then exactly one of [`TapWriter::finish`] (the file was read
/// to its end; the SHA-256 of every byte written is given) or
/// [`TapWriter::abort`] (it was not: over a size limit, over the time budget,
/// a read error; the bytes written so far are not the file). A file over a
/// limit is opened and aborted without any write, so the tap sees every
/// top-level file the delivery listed.
///
/// **Errors.** The engine's view is infallible: a tap that cannot store
/// something (disk full, IO error) records the failure itself and keeps
/// accepting calls; its owner checks for recorded failures after
/// [`Scanner::scan`](crate::Scanner::scan) returns. A tap that does not want
/// a file returns `None` from `open`; the file is scanned and hashed all the
/// same.
pub trait ContentTap: Send + Sync {
    /// Starts receiving the file `path`; `size` is the size the file system
    /// (or repository) declared, when known. The file may turn out shorter or
    /// longer if it changes while it is read: trust the bytes and the hash.
    fn open(&self, path: &DeliveryPath, size: Option<u64>) -> Option<Box<dyn TapWriter>>;
}

/// The bytes of one file, as [`ContentTap::open`] started receiving them.
pub trait TapWriter: Send {
    /// The next bytes of the file, in order.
    fn write(&mut self, bytes: &[u8]);

    /// The file was read to its end; `sha256` is the hash of every byte given
    /// to [`write`](TapWriter::write).
    fn finish(self: Box<Self>, sha256: [u8; 32]);

    /// The file was not read to its end; what was written is not the file
    /// and must not be kept as if it were.
    fn abort(self: Box<Self>);
}

/// The running hash (and tap) of one file being read.
///
/// Every read of the file's bytes goes through [`Digest::reader`], so each
/// byte is hashed exactly once, in order, whatever the engine does with it
/// afterwards (the 64 KiB head, the overlapping windows, a whole-file read, an
/// archive walk).
pub(crate) struct Digest {
    hasher: Option<Sha256>,
    tap: Option<Box<dyn TapWriter>>,
    len: u64,
}

impl Digest {
    /// A digest that hashes when `hashing` is set and feeds `tap` (which
    /// forces hashing on).
    pub(crate) fn new(hashing: bool, tap: Option<Box<dyn TapWriter>>) -> Self {
        Digest {
            hasher: (hashing || tap.is_some()).then(Sha256::new),
            tap,
            len: 0,
        }
    }

    /// Whether this digest records anything.
    pub(crate) fn is_on(&self) -> bool {
        self.hasher.is_some()
    }

    fn update(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(bytes);
        }
        if let Some(tap) = &mut self.tap {
            tap.write(bytes);
        }
    }

    /// `inner`, with every byte read through it hashed.
    pub(crate) fn reader<'a>(&'a mut self, inner: &'a mut dyn Read) -> Tee<'a> {
        Tee {
            inner,
            digest: self,
        }
    }

    /// Reads what remains of `inner` to its end, hashing it. Used after an
    /// archive walk, which may stop before the end of its input (tar end
    /// blocks, trailing bytes, a corrupt member).
    pub(crate) fn drain(&mut self, inner: &mut dyn Read) -> io::Result<()> {
        if !self.is_on() {
            return Ok(());
        }
        let mut buf = vec![0u8; DRAIN_BUFFER];
        let mut tee = self.reader(inner);
        loop {
            match tee.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Records the file's manifest entry and finishes or aborts its tap.
    /// `complete` says whether the file was read to its end; `declared` is
    /// the size the container declared, used when it was not.
    pub(crate) fn record(
        self,
        path: &DeliveryPath,
        complete: bool,
        declared: Option<u64>,
        out: &mut Collected,
    ) {
        let Some(hasher) = self.hasher else {
            return;
        };
        let (size, sha256) = if complete {
            let sha256: [u8; 32] = hasher.finalize().into();
            if let Some(tap) = self.tap {
                tap.finish(sha256);
            }
            (self.len, Some(sha256))
        } else {
            if let Some(tap) = self.tap {
                tap.abort();
            }
            (declared.unwrap_or(self.len).max(self.len), None)
        };
        out.manifest.push(ManifestEntry {
            path: path.clone(),
            size,
            sha256,
        });
    }
}

/// Buffer used to read what an archive walk left unread.
const DRAIN_BUFFER: usize = 256 << 10;

/// A reader that hashes (and taps) every byte it returns.
pub(crate) struct Tee<'a> {
    inner: &'a mut dyn Read,
    digest: &'a mut Digest,
}

impl Read for Tee<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Default)]
    struct Log {
        bytes: Vec<u8>,
        end: Option<Option<[u8; 32]>>,
    }
    struct Writer(Arc<Mutex<Log>>);
    impl TapWriter for Writer {
        fn write(&mut self, bytes: &[u8]) {
            self.0.lock().unwrap().bytes.extend_from_slice(bytes);
        }
        fn finish(self: Box<Self>, sha256: [u8; 32]) {
            self.0.lock().unwrap().end = Some(Some(sha256));
        }
        fn abort(self: Box<Self>) {
            self.0.lock().unwrap().end = Some(None);
        }
    }

    #[test]
    fn every_byte_read_through_the_tee_is_hashed_and_tapped_once_in_order() {
        let content: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let log = Arc::new(Mutex::new(Log::default()));
        let mut digest = Digest::new(false, Some(Box::new(Writer(Arc::clone(&log)))));
        let mut source = &content[..];
        let mut head = Vec::new();
        digest
            .reader(&mut source)
            .take(100)
            .read_to_end(&mut head)
            .unwrap();
        digest.drain(&mut source).unwrap();
        let mut out = Collected::default();
        digest.record(&DeliveryPath::root("f"), true, None, &mut out);
        let want: [u8; 32] = Sha256::digest(&content).into();
        assert_eq!(out.manifest[0].sha256, Some(want));
        assert_eq!(out.manifest[0].size, content.len() as u64);
        let log = log.lock().unwrap();
        assert_eq!(log.bytes, content);
        assert_eq!(log.end, Some(Some(want)));
    }

    #[test]
    fn an_incomplete_file_is_aborted_and_has_no_hash() {
        let log = Arc::new(Mutex::new(Log::default()));
        let mut digest = Digest::new(false, Some(Box::new(Writer(Arc::clone(&log)))));
        let mut source = &b"abcdef"[..];
        let mut part = [0u8; 3];
        digest.reader(&mut source).read_exact(&mut part).unwrap();
        let mut out = Collected::default();
        digest.record(&DeliveryPath::root("f"), false, Some(10), &mut out);
        assert_eq!(out.manifest[0].sha256, None);
        assert_eq!(out.manifest[0].size, 10);
        assert_eq!(log.lock().unwrap().end, Some(None));
    }

    #[test]
    fn a_digest_that_is_off_records_nothing() {
        let mut digest = Digest::new(false, None);
        digest.drain(&mut &b"abc"[..]).unwrap();
        let mut out = Collected::default();
        digest.record(&DeliveryPath::root("f"), true, None, &mut out);
        assert!(out.manifest.is_empty());
    }
}
