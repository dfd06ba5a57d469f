//! The deterministic deposit writer.
//!
//! A tar stream (GNU headers: regular files only, mode 0644, uid and gid 0,
//! no user or group name, mtime 0; names longer than 100 bytes in a GNU
//! long-name entry) compressed with zstd at [`ZSTD_LEVEL`],
//! with the frame checksum, by [`ZSTD_WORKERS`] zstd threads. The caller writes members in the manifest's
//! order; content is streamed through [`std::io::Write`], so memory does
//! not grow with the delivery. The compressed bytes are hashed (SHA-256 for
//! the record, SHA-512 for the OpenSSH signature) as they are written.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use sha2::{Digest as _, Sha256, Sha512};

use crate::error::EscrowError;

/// The zstd level of every deposit. Fixed: the same content always gives
/// the same bytes.
pub const ZSTD_LEVEL: i32 = 3;

/// zstd worker threads, fixed (the output of multi-threaded zstd is the same
/// for a given content and setting).
pub const ZSTD_WORKERS: u32 = 2;

const BLOCK: usize = 512;

/// Counts and hashes what goes to the file.
struct Hashing<W> {
    inner: W,
    sha256: Sha256,
    sha512: Sha512,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha256.update(&buf[..n]);
        self.sha512.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The member being written.
struct Open {
    path: String,
    expected: u64,
    written: u64,
}

/// Writes a deposit. Call [`begin`](Self::begin), write the content,
/// [`end`](Self::end); then [`finish`](Self::finish).
pub struct DepositWriter {
    out: zstd::stream::write::Encoder<'static, Hashing<BufWriter<File>>>,
    open: Option<Open>,
}

/// A finished deposit.
#[derive(Debug)]
pub struct Written {
    /// The file, flushed.
    pub file: File,
    /// Its size.
    pub size: u64,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its SHA-512 (what the OpenSSH signature signs).
    pub sha512: [u8; 64],
}

impl DepositWriter {
    /// A writer into `file` (empty, opened for writing).
    ///
    /// # Errors
    ///
    /// The encoder could not be set up.
    pub fn new(file: File) -> io::Result<DepositWriter> {
        let hashing = Hashing {
            inner: BufWriter::with_capacity(1 << 20, file),
            sha256: Sha256::new(),
            sha512: Sha512::new(),
            size: 0,
        };
        let mut out = zstd::stream::write::Encoder::new(hashing, ZSTD_LEVEL)?;
        out.include_checksum(true)?;
        // zstd's own worker threads: jobs are cut at fixed input offsets,
        // so the output depends on the content, level and worker setting,
        // never on how the content was handed over.
        out.multithread(ZSTD_WORKERS)?;
        Ok(DepositWriter { out, open: None })
    }

    /// Starts member `name` (raw bytes of its path) of `size` bytes.
    ///
    /// # Errors
    ///
    /// A member is still open, or writing failed.
    pub fn begin(&mut self, path: &str, name: &[u8], size: u64) -> Result<(), EscrowError> {
        if self.open.is_some() {
            return Err(EscrowError::Misuse(
                "a member was begun before the last one ended",
            ));
        }
        let io = |source| EscrowError::File {
            action: "write the deposit member",
            path: path.into(),
            source,
        };
        if name.len() > 100 {
            let mut long = name.to_vec();
            long.push(0);
            let mut header = header(b"././@LongLink", long.len() as u64);
            header.set_entry_type(tar::EntryType::GNULongName);
            header.set_cksum();
            self.out.write_all(header.as_bytes()).map_err(io)?;
            self.out.write_all(&long).map_err(io)?;
            pad(&mut self.out, long.len() as u64).map_err(io)?;
        }
        let mut header = header(&name[..name.len().min(100)], size);
        header.set_cksum();
        self.out.write_all(header.as_bytes()).map_err(io)?;
        self.open = Some(Open {
            path: path.to_owned(),
            expected: size,
            written: 0,
        });
        Ok(())
    }

    /// Ends the open member: checks its size and pads it.
    ///
    /// # Errors
    ///
    /// No member is open, its size differs from the announced one, or
    /// writing failed.
    pub fn end(&mut self) -> Result<(), EscrowError> {
        let open = self
            .open
            .take()
            .ok_or(EscrowError::Misuse("end without begin"))?;
        if open.written != open.expected {
            return Err(EscrowError::SizeMismatch {
                path: open.path,
                expected: open.expected,
                written: open.written,
            });
        }
        pad(&mut self.out, open.written).map_err(|source| EscrowError::File {
            action: "write the deposit member",
            path: open.path.into(),
            source,
        })
    }

    /// Writes a whole member from memory.
    ///
    /// # Errors
    ///
    /// As [`begin`](Self::begin) and [`end`](Self::end).
    pub fn add(&mut self, path: &str, content: &[u8]) -> Result<(), EscrowError> {
        self.begin(path, path.as_bytes(), content.len() as u64)?;
        self.write_all(content)
            .map_err(|source| EscrowError::File {
                action: "write the deposit member",
                path: path.into(),
                source,
            })?;
        self.end()
    }

    /// Ends the archive (two zero blocks), the zstd frame and the file.
    ///
    /// # Errors
    ///
    /// A member is still open, or writing failed.
    pub fn finish(mut self) -> Result<Written, EscrowError> {
        if self.open.is_some() {
            return Err(EscrowError::Misuse("finish with a member open"));
        }
        let io = |source| EscrowError::File {
            action: "finish",
            path: "the deposit".into(),
            source,
        };
        self.out.write_all(&[0; 2 * BLOCK]).map_err(io)?;
        let mut hashing = self.out.finish().map_err(io)?;
        hashing.flush().map_err(io)?;
        let file = hashing.inner.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        Ok(Written {
            file,
            size: hashing.size,
            sha256: hex::encode(hashing.sha256.finalize()),
            sha512: hashing.sha512.finalize().into(),
        })
    }
}

impl Write for DepositWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(open) = &mut self.open else {
            return Err(io::Error::other("deposit content written outside a member"));
        };
        if open.written + buf.len() as u64 > open.expected {
            return Err(io::Error::other(format!(
                "deposit member `{}` is longer than its announced {} bytes",
                open.path, open.expected
            )));
        }
        let n = self.out.write(buf)?;
        open.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        // The encoder is flushed once, at the end: flushing it here would
        // end a zstd block early and make the output depend on how the
        // content arrived.
        Ok(())
    }
}

/// A fixed header: regular file, 0644, owner 0:0, no names, mtime 0.
fn header(name: &[u8], size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_size(size);
    header.set_entry_type(tar::EntryType::Regular);
    header
}

fn pad(out: &mut impl Write, written: u64) -> io::Result<()> {
    let rest = (BLOCK - (written % BLOCK as u64) as usize) % BLOCK;
    out.write_all(&[0; BLOCK][..rest])
}
