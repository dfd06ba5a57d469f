//! Reading one file (or archive member) once and running every detector on it.
//!
//! The first 64 KiB decide what the file is: an archive (opened and its
//! members read recursively), text or binary. Files that a detector needs whole
//! and that are small enough are read whole; everything else is read in
//! windows of [`WINDOW`] bytes that overlap by `2 * MARGIN`, so memory stays
//! bounded whatever the file size, and every hit has at least `MARGIN` bytes of
//! context on each side (except at the ends of the file).
//!
//! Every read of a file's bytes goes through the file's [`Digest`], which
//! hashes each byte once, in order, as it comes from the disk, the archive or
//! the repository (and hands top-level files to the content tap): the
//! manifest costs no second read.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek};
use std::path::Path;

use oversight_archive::{Budget, Input, Issue, Member, Visitor};
use oversight_detect::{FileInfo, HEAD_LEN, Hit, Window};
use oversight_model::{Category, DeliveryPath, FileClass, Rule};

use super::Inner;
use crate::collect::{Collected, FileSink, engine_finding};
use crate::rules;
use crate::tap::{Digest, TapWriter};

/// Bytes searched per window.
pub(crate) const WINDOW: usize = 8 << 20;
/// Context guaranteed around a hit in windowed files.
pub(crate) const MARGIN: usize = 64 << 10;
/// Bytes inspected for NUL to classify a file as binary.
const CLASSIFY_LEN: usize = 8192;

/// What the reader learned about a top-level file.
pub(crate) struct Outcome {
    pub(crate) is_archive: bool,
}

/// Reads files for one worker.
pub(crate) struct Reader<'s> {
    inner: &'s Inner,
    budget: &'s Budget,
}

impl<'s> Reader<'s> {
    /// A reader debiting archive reads from the scan-wide `budget`.
    pub(crate) fn new(inner: &'s Inner, budget: &'s Budget) -> Self {
        Reader { inner, budget }
    }

    /// Whether the scan records the manifest.
    fn hashing(&self) -> bool {
        self.inner.options.records_manifest()
    }

    /// Opens the content tap for a top-level file, when the scan has one.
    pub(crate) fn open_tap(
        &self,
        path: &DeliveryPath,
        size: Option<u64>,
    ) -> Option<Box<dyn TapWriter>> {
        self.inner.options.content_tap.as_ref()?.open(path, size)
    }

    /// Records a file that was not read at all (over a limit, unopenable):
    /// a manifest entry without hash, and its tap aborted.
    pub(crate) fn record_unread(
        &self,
        path: &DeliveryPath,
        size: Option<u64>,
        tap: Option<Box<dyn TapWriter>>,
        out: &mut Collected,
    ) {
        Digest::new(self.hashing(), tap).record(path, false, size, out);
    }

    /// Scans a plain file on disk, a top-level file of the delivery.
    pub(crate) fn scan_path(&self, abs: &Path, path: DeliveryPath, size: u64, out: &mut Collected) {
        let tap = self.open_tap(&path, Some(size));
        let Some(tap) = self.within_size_limit(&path, size, tap, out) else {
            return;
        };
        match File::open(abs) {
            Ok(file) => {
                self.scan_file(file, path, size, tap, out);
            }
            Err(err) => {
                self.engine(
                    out,
                    &rules::UNREADABLE,
                    &path,
                    format!("Cannot open `{path}`: {err}; not scanned"),
                );
                self.record_unread(&path, Some(size), tap, out);
            }
        }
    }

    /// `Some(tap)` when a top-level file of `size` bytes is within
    /// `max_file_bytes`; otherwise reports it as too large (a `coverage`
    /// finding), records it unread and gives `None`: it is never read.
    pub(crate) fn within_size_limit(
        &self,
        path: &DeliveryPath,
        size: u64,
        tap: Option<Box<dyn TapWriter>>,
        out: &mut Collected,
    ) -> Option<Option<Box<dyn TapWriter>>> {
        if size <= self.inner.options.max_file_bytes {
            return Some(tap);
        }
        self.engine(
            out,
            &rules::FILE_TOO_LARGE,
            path,
            format!(
                "`{path}` is {size} bytes, over the limit of {} bytes; it was not read",
                self.inner.options.max_file_bytes
            ),
        );
        self.record_unread(path, Some(size), tap, out);
        None
    }

    /// Scans an open plain file (which may be an archive), feeding `tap`.
    pub(crate) fn scan_file(
        &self,
        mut file: File,
        path: DeliveryPath,
        size: u64,
        tap: Option<Box<dyn TapWriter>>,
        out: &mut Collected,
    ) -> Outcome {
        let mut digest = Digest::new(self.hashing(), tap);
        let head = match read_head(&mut digest.reader(&mut file)) {
            Ok(head) => head,
            Err(err) => {
                self.engine(
                    out,
                    &rules::UNREADABLE,
                    &path,
                    format!("Cannot read `{path}`: {err}; not scanned"),
                );
                digest.record(&path, false, Some(size), out);
                return Outcome { is_archive: false };
            }
        };
        if let Some(format) = oversight_archive::sniff(&head) {
            out.coverage.binary.add(size);
            let reported = out.coverage.not_fully_scanned;
            let (opened, drained) = if !digest.is_on() {
                let opened = if file.rewind().is_err() {
                    let mut stream = Cursor::new(head).chain(file);
                    self.open_archive(format, Input::Stream(&mut stream), &path, out)
                } else {
                    self.open_archive(format, Input::File(file), &path, out)
                };
                (opened, Ok(()))
            } else if format == oversight_archive::Format::Zip {
                // A zip is walked by seeking, and the archive crate takes the
                // `File` itself: its bytes are hashed by one sequential read
                // just before the walk, which then finds them in the page
                // cache. The one place a byte is read twice.
                let drained = digest.drain(&mut file);
                let opened = match file.rewind() {
                    Ok(()) => self.open_archive(format, Input::File(file), &path, out),
                    Err(err) => {
                        self.read_failed(out, &path, &err);
                        false
                    }
                };
                (opened, drained)
            } else {
                // Read once, as a stream: the walk reads through what it
                // skips, and the rest is drained after it.
                let opened = {
                    let mut stream = Cursor::new(head).chain(digest.reader(&mut file));
                    self.open_archive(format, Input::Stream(&mut stream), &path, out)
                };
                let drained = if opened {
                    digest.drain(&mut file)
                } else {
                    Ok(())
                };
                (opened, drained)
            };
            let complete = opened && self.drained(drained, reported, &path, out);
            digest.record(&path, complete, Some(size), out);
            return Outcome { is_archive: true };
        }
        self.report_unsupported_container(&head, &path, out);
        let complete = self.scan_content(
            head,
            &mut digest.reader(&mut file),
            &path,
            Some(size),
            false,
            out,
        );
        digest.record(&path, complete, Some(size), out);
        Outcome { is_archive: false }
    }

    /// Scans content from a stream (an archive member or a git blob),
    /// feeding `tap` (top-level git blobs only).
    pub(crate) fn scan_stream(
        &self,
        reader: &mut dyn Read,
        path: DeliveryPath,
        size: Option<u64>,
        in_archive: bool,
        tap: Option<Box<dyn TapWriter>>,
        out: &mut Collected,
    ) {
        let mut digest = Digest::new(self.hashing(), tap);
        let head = match read_head(&mut digest.reader(reader)) {
            Ok(head) => head,
            Err(err) => {
                self.read_failed(out, &path, &err);
                digest.record(&path, false, size, out);
                return;
            }
        };
        if let Some(format) = oversight_archive::sniff(&head) {
            if in_archive {
                out.coverage
                    .archive_members
                    .add(size.unwrap_or(head.len() as u64));
            } else {
                out.coverage.binary.add(size.unwrap_or(head.len() as u64));
            }
            let reported = out.coverage.not_fully_scanned;
            let opened = {
                let mut stream = Cursor::new(head).chain(digest.reader(reader));
                self.open_archive(format, Input::Stream(&mut stream), &path, out)
            };
            let complete = opened && {
                let drained = digest.drain(reader);
                self.drained(drained, reported, &path, out)
            };
            digest.record(&path, complete, size, out);
            return;
        }
        self.report_unsupported_container(&head, &path, out);
        let complete = self.scan_content(
            head,
            &mut digest.reader(reader),
            &path,
            size,
            in_archive,
            out,
        );
        digest.record(&path, complete, size, out);
    }

    /// Whether an archive's bytes were read to their end after its walk.
    /// A failure is reported unless the walk already reported a gap in
    /// coverage (the same failure, met by the walk first).
    fn drained(
        &self,
        drained: io::Result<()>,
        reported_before: u64,
        path: &DeliveryPath,
        out: &mut Collected,
    ) -> bool {
        match drained {
            Ok(()) => true,
            Err(err) => {
                if out.coverage.not_fully_scanned == reported_before {
                    self.read_failed(out, path, &err);
                }
                false
            }
        }
    }

    /// A container Oversight cannot open is still read as bytes, but its
    /// members are a gap in coverage.
    fn report_unsupported_container(&self, head: &[u8], path: &DeliveryPath, out: &mut Collected) {
        if let Some(format) = unsupported_container(head) {
            self.engine(out, &rules::UNSUPPORTED_ARCHIVE, path, format!(
                "`{path}` is a {format} container, which Oversight cannot open; its members were not scanned"
            ));
        }
    }

    /// Walks an archive; `false` when it was not opened (too deep).
    fn open_archive(
        &self,
        format: oversight_archive::Format,
        input: Input<'_>,
        path: &DeliveryPath,
        out: &mut Collected,
    ) -> bool {
        if path.depth() as u32 >= self.inner.options.max_depth {
            self.engine(out, &rules::DEPTH_LIMIT, path, format!(
                "`{path}` is an archive nested {} levels deep, over the limit of {}; it was not opened",
                path.depth() + 1,
                self.inner.options.max_depth
            ));
            return false;
        }
        out.coverage.archives += 1;
        let mut visitor = ArchiveVisitor {
            reader: self,
            path,
            out,
        };
        oversight_archive::visit(
            format,
            input,
            &self.inner.options.archive,
            self.budget,
            &mut visitor,
        );
        true
    }

    /// Runs the detectors over a file's content: `head` was already read from
    /// `rest`. Returns whether the content was read to its end.
    fn scan_content(
        &self,
        head: Vec<u8>,
        rest: &mut dyn Read,
        path: &DeliveryPath,
        size: Option<u64>,
        in_archive: bool,
        out: &mut Collected,
    ) -> bool {
        let class = classify(&head);
        let file = FileInfo { path, class, size };
        let detectors = &self.inner.detectors;
        let mut findings = Vec::new();
        let mut components = Vec::new();
        let mut sink = FileSink::new(path, &self.inner.options, &mut findings, &mut components);
        let head_len = head.len().min(HEAD_LEN);
        for d in detectors {
            d.check_head(&file, &head[..head_len], &mut sink);
        }

        // Detectors that need the file whole, and the largest bound among them.
        let whole: Vec<(usize, u64)> = detectors
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.whole_file_limit(&file).map(|limit| (i, limit)))
            .collect();
        let whole_limit = whole.iter().map(|(_, l)| *l).max();

        let mut buf = head;
        let mut eof = false;
        let mut failed = None;
        if let Some(limit) = whole_limit {
            if size.is_none_or(|s| s <= limit) {
                // Read up to one byte more than the bound to learn whether it fits.
                fill(
                    rest,
                    &mut buf,
                    limit.saturating_add(1) as usize,
                    &mut eof,
                    &mut failed,
                );
            }
            let len = buf.len() as u64;
            for (i, limit) in &whole {
                if eof && failed.is_none() && len <= *limit {
                    detectors[*i].check_whole(&file, &buf, &mut sink);
                } else {
                    let d = &detectors[*i];
                    let message = format!(
                        "`{path}` is larger than {limit} bytes, the bound for the `{}` check; that check did not run",
                        d.name()
                    );
                    sink_engine(&mut sink, &rules::TOO_LARGE_FOR_ANALYSIS, message);
                }
            }
        }

        // The pattern pass, window by window, within the file's time budget.
        let started = std::time::Instant::now();
        let mut hits: Vec<Vec<Hit>> = vec![Vec::new(); detectors.len()];
        let mut offset = 0u64;
        let mut line = 1u32;
        let mut chars_before = 0u32;
        let mut reported_until = 0u64;
        let mut read_to_end = false;
        loop {
            if !eof && failed.is_none() {
                fill(rest, &mut buf, WINDOW, &mut eof, &mut failed);
            }
            let is_last = eof || failed.is_some();
            let end = offset + buf.len() as u64;
            let search_to = if is_last { end } else { end - MARGIN as u64 };
            let window = Window::new(&buf, offset, line, chars_before, is_last)
                .with_fresh(reported_until, search_to);
            self.inner
                .patterns
                .search(class, &buf, offset, reported_until, search_to, &mut hits);
            for (i, group) in hits.iter_mut().enumerate() {
                if !group.is_empty() {
                    detectors[i].on_hits(&file, &window, group, &mut sink);
                    group.clear();
                }
            }
            if is_last {
                read_to_end = failed.is_none();
                break;
            }
            if started.elapsed() > self.inner.options.max_file_time {
                let message = format!(
                    "The detectors spent more than {} s on `{path}`; bytes from offset {search_to} on were not analysed",
                    self.inner.options.max_file_time.as_secs_f64()
                );
                sink_engine(&mut sink, &rules::TIME_BUDGET, message);
                break;
            }
            // Slide: keep 2 * MARGIN bytes so the next window has left context.
            let keep_from = buf.len() - 2 * MARGIN;
            let dropped = &buf[..keep_from];
            let newlines = bytecount::count(dropped, b'\n');
            match memchr::memrchr(b'\n', dropped) {
                Some(nl) => chars_before = bytecount::num_chars(&dropped[nl + 1..]) as u32,
                None => {
                    chars_before = chars_before.saturating_add(bytecount::num_chars(dropped) as u32)
                }
            }
            line = line.saturating_add(newlines as u32);
            buf.drain(..keep_from);
            offset += keep_from as u64;
            reported_until = search_to;
        }
        let total = offset + buf.len() as u64;
        drop(sink);
        out.findings.append(&mut findings);
        out.components.append(&mut components);
        if let Some(err) = failed {
            self.read_failed(out, path, &err);
        }
        if in_archive {
            out.coverage.archive_members.add(total);
        } else if class == FileClass::Text {
            out.coverage.text.add(total);
        } else {
            out.coverage.binary.add(total);
        }
        read_to_end
    }

    /// Reports a read that failed: the specific archive limit when that is the
    /// cause, a generic read error otherwise.
    fn read_failed(&self, out: &mut Collected, path: &DeliveryPath, err: &io::Error) {
        match oversight_archive::issue_of(err) {
            Some(issue) => self.engine(out, issue.rule, path, issue.message),
            None => self.engine(
                out,
                &rules::READ_ERROR,
                path,
                format!("Reading `{path}` failed: {err}; the rest was not scanned"),
            ),
        }
    }

    fn engine(
        &self,
        out: &mut Collected,
        rule: &'static Rule,
        path: &DeliveryPath,
        message: String,
    ) {
        if rule.category == Category::Coverage {
            out.coverage.not_fully_scanned += 1;
        }
        out.findings
            .push(engine_finding(&self.inner.options, rule, path, message));
    }
}

fn sink_engine(sink: &mut FileSink<'_>, rule: &'static Rule, message: String) {
    use oversight_detect::Sink;
    sink.emit(oversight_detect::Emit::file(rule, message, Vec::new()));
}

/// Hands archive members back to the reader, one level deeper.
struct ArchiveVisitor<'r, 's, 'o> {
    reader: &'r Reader<'s>,
    path: &'r DeliveryPath,
    out: &'o mut Collected,
}

impl Visitor for ArchiveVisitor<'_, '_, '_> {
    fn member(&mut self, member: Member<'_>) {
        let name = if member.name.is_empty() {
            strip_compression_suffix(self.path.file_name())
        } else {
            member.name
        };
        let path = self.path.join(name);
        self.reader
            .scan_stream(member.reader, path, member.size, true, None, self.out);
    }

    fn issue(&mut self, issue: Issue) {
        let path = match &issue.member {
            Some(m) => self.path.join(m.clone()),
            None => self.path.clone(),
        };
        self.reader
            .engine(self.out, issue.rule, &path, issue.message);
    }
}

/// The name of the single member of a compressed stream: `x.js.gz` → `x.js`.
fn strip_compression_suffix(name: &str) -> String {
    for (suffix, replacement) in [
        (".tgz", ".tar"),
        (".gz", ""),
        (".xz", ""),
        (".zst", ""),
        (".bz2", ""),
    ] {
        if name.len() > suffix.len() && name.to_ascii_lowercase().ends_with(suffix) {
            return format!("{}{}", &name[..name.len() - suffix.len()], replacement);
        }
    }
    format!("{name}.decompressed")
}

/// Archive and container formats recognised by their magic bytes but not
/// opened: their content would otherwise pass unexamined.
fn unsupported_container(head: &[u8]) -> Option<&'static str> {
    const MAGICS: &[(usize, &[u8], &str)] = &[
        (0, b"7z\xBC\xAF\x27\x1C", "7-Zip"),
        (0, b"Rar!\x1A\x07", "RAR"),
        (0, b"MSCF\0\0\0\0", "Microsoft Cabinet"),
        (
            0,
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "OLE compound (MSI or legacy Office)",
        ),
        (0, b"\xED\xAB\xEE\xDB", "RPM package"),
        (0, b"!<arch>\ndebian-binary", "Debian package"),
        (0, b"LZIP", "lzip"),
        (0, b"\x04\x22\x4D\x18", "LZ4 frame"),
        (0, b"\x1F\x9D", "Unix compress (.Z)"),
        (0, b"070701", "cpio"),
        (0, b"070707", "cpio"),
        (0, b"hsqs", "SquashFS image"),
        (0, b"xar!", "XAR archive (macOS .pkg)"),
        (0, b"\x60\xEA", "ARJ"),
        (0x8001, b"CD001", "ISO 9660 image"),
    ];
    MAGICS
        .iter()
        .find(|(at, magic, _)| head.get(*at..*at + magic.len()) == Some(*magic))
        .map(|(_, _, name)| *name)
}

/// Text or binary, as git and ripgrep decide: a NUL byte in the first block.
fn classify(head: &[u8]) -> FileClass {
    if memchr::memchr(0, &head[..head.len().min(CLASSIFY_LEN)]).is_some() {
        FileClass::Binary
    } else {
        FileClass::Text
    }
}

/// Reads the first [`HEAD_LEN`] bytes (fewer at end of file).
fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads until `buf` holds `target` bytes or the reader ends or fails.
fn fill(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    target: usize,
    eof: &mut bool,
    failed: &mut Option<io::Error>,
) {
    if buf.len() >= target {
        return;
    }
    let want = (target - buf.len()) as u64;
    match reader.take(want).read_to_end(buf) {
        Ok(n) if (n as u64) < want => *eof = true,
        Ok(_) => {}
        Err(err) => *failed = Some(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_members_of_compressed_streams_are_named_after_the_stream() {
        assert_eq!(strip_compression_suffix("app.js.gz"), "app.js");
        assert_eq!(strip_compression_suffix("pkg.TGZ"), "pkg.tar");
        assert_eq!(strip_compression_suffix("blob"), "blob.decompressed");
    }

    #[test]
    fn unopenable_containers_are_recognised() {
        assert_eq!(
            unsupported_container(b"7z\xBC\xAF\x27\x1C\0\x04"),
            Some("7-Zip")
        );
        assert_eq!(unsupported_container(b"Rar!\x1A\x07\x01\0"), Some("RAR"));
        assert_eq!(unsupported_container(b"!<arch>\nfoo.o/"), None);
        assert_eq!(unsupported_container(b"plain text"), None);
    }

    #[test]
    fn nul_in_first_block_means_binary() {
        assert_eq!(classify(b"abc\0"), FileClass::Binary);
        assert_eq!(classify("héllo".as_bytes()), FileClass::Text);
    }
}
