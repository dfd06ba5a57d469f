//! Tar archives, read entry by entry with the `tar` crate.
//!
//! Regular members go to the visitor; directories, links, devices and fifos
//! are only checked. A tar read from a file skips unread data by seeking; a
//! tar read from a stream reads it through (the stream's own meter bounds
//! that work).
//!
//! The `tar` crate reads GNU long names and pax headers into memory whole, so
//! a hostile archive could declare a header of many gigabytes. The
//! [`TarSource`] below the parser counts every byte that is not member data
//! and fails once the headers of one entry exceed [`MAX_HEADER_BYTES`].

use std::cell::Cell;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use crate::issue::{self, Issue};
use crate::meter::{Meter, Verify, drain};
use crate::names::{LinkKind, NameChecks, display_name};
use crate::{Context, Input, Member, rules};

/// The most header bytes (header blocks, GNU long names, pax extensions,
/// padding) one entry may have.
pub(crate) const MAX_HEADER_BYTES: u64 = 16 * 1024 * 1024;

/// Visits a tar read from `input`.
pub(crate) fn visit(input: Input<'_>, context: &mut Context<'_>) {
    let counters = Counters::default();
    match input {
        Input::File(file) => {
            let source = TarSource {
                inner: BufReader::new(file),
                counters: &counters,
            };
            let mut archive = ::tar::Archive::new(source);
            match archive.entries_with_seek() {
                Ok(entries) => walk(entries, &counters, Skip::Seek, Charge::Members, context),
                Err(error) => context.report_error(&error, "Tar archive cannot be read"),
            }
        }
        Input::Stream(reader) => visit_stream(reader, Charge::Members, context),
    }
}

/// Whether the members' bytes are charged to the budget here, or were already
/// charged by the decompressor below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charge {
    /// Charge every member byte handed to the visitor.
    Members,
    /// The stream below charges.
    AlreadyCharged,
}

/// How data the visitor did not read is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// By seeking, without reading.
    Seek,
    /// By reading it, counted as member data.
    Read,
}

/// Visits a tar read once from `reader`.
pub(crate) fn visit_stream(reader: impl Read, charge: Charge, context: &mut Context<'_>) {
    let counters = Counters::default();
    let source = TarSource {
        inner: reader,
        counters: &counters,
    };
    let mut archive = ::tar::Archive::new(source);
    match archive.entries() {
        Ok(entries) => walk(entries, &counters, Skip::Read, charge, context),
        Err(error) => context.report_error(&error, "Tar archive cannot be read"),
    }
}

/// Bytes read from the archive, and how many of them were member data.
#[derive(Debug, Default)]
struct Counters {
    /// Every byte the parser read.
    source: Cell<u64>,
    /// Bytes read as member data.
    data: Cell<u64>,
    /// The non-data byte count when the current entry was yielded.
    mark: Cell<u64>,
}

impl Counters {
    fn header_bytes(&self) -> u64 {
        self.source.get().saturating_sub(self.data.get())
    }

    fn header_bytes_since_mark(&self) -> u64 {
        self.header_bytes().saturating_sub(self.mark.get())
    }

    fn set_mark(&self) {
        self.mark.set(self.header_bytes());
    }
}

/// The reader below the tar parser: counts and bounds the header bytes.
struct TarSource<'c, R> {
    inner: R,
    counters: &'c Counters,
}

impl<R: Read> Read for TarSource<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Every earlier data read has been counted by now, so what is not
        // data since the mark is header.
        let headers = self.counters.header_bytes_since_mark();
        if headers > MAX_HEADER_BYTES {
            return Err(issue::into_io(Issue::new(
                &rules::LIMIT_ENTRY_SIZE,
                None,
                format!(
                    "Tar headers of one entry (long names, pax extensions) exceed \
                     {MAX_HEADER_BYTES} bytes; the rest of the archive was not scanned"
                ),
            )));
        }
        let n = self.inner.read(buf)?;
        let source = &self.counters.source;
        source.set(source.get().saturating_add(n as u64));
        Ok(n)
    }
}

impl<R: Seek> Seek for TarSource<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Member data as read by the visitor (or drained), counted as data.
struct DataTally<'c, R> {
    inner: R,
    counters: &'c Counters,
}

impl<R: Read> Read for DataTally<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = &self.counters.data;
        data.set(data.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// Whether to go on with the next entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// The state of one walk over a tar's entries.
struct Walk<'w, 'c> {
    context: &'w mut Context<'c>,
    names: NameChecks,
    charge: Charge,
}

fn walk<R: Read>(
    entries: ::tar::Entries<'_, R>,
    counters: &Counters,
    skip: Skip,
    charge: Charge,
    context: &mut Context<'_>,
) {
    let max_entries = context.limits.max_entries;
    let mut walk = Walk {
        context,
        names: NameChecks::default(),
        charge,
    };
    let mut count: u64 = 0;
    for next in entries {
        let mut entry = match next {
            Ok(entry) => entry,
            Err(error) => {
                let what = format!("Tar archive is corrupt after {count} entries");
                walk.context.report_error(&error, &what);
                return;
            }
        };
        counters.set_mark();
        count += 1;
        if count > max_entries {
            walk.context.report(Issue::new(
                &rules::LIMIT_ENTRIES,
                None,
                format!(
                    "Tar archive has more than {max_entries} entries; the first {max_entries} \
                     were visited and the rest was not scanned"
                ),
            ));
            return;
        }
        let mut data = DataTally {
            inner: &mut entry,
            counters,
        };
        if walk.entry(&mut data) == Flow::Stop {
            return;
        }
        if skip == Skip::Read
            && let Err(error) = drain(&mut data)
        {
            let what = format!("Tar archive is corrupt in entry {count}");
            walk.context.report_error(&error, &what);
            return;
        }
    }
}

impl Walk<'_, '_> {
    fn entry<R: Read>(&mut self, data: &mut DataTally<'_, &mut ::tar::Entry<'_, R>>) -> Flow {
        let entry = &mut *data.inner;
        let kind = entry.header().entry_type();
        // A name that is not UTF-8 keeps its bytes (`\xNN`), so two
        // members never collapse into one name.
        let written = oversight_model::name_from_bytes(&entry.path_bytes()).into_owned();
        let name = display_name(&written).to_owned();
        let size = entry.size();
        let is_dir = kind.is_dir() || (name.ends_with('/') && size == 0);
        for issue in self.names.check(&name, is_dir) {
            self.context.report(issue);
        }
        if is_dir
            || kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            return Flow::Continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let link = if kind.is_symlink() {
                LinkKind::Symbolic
            } else {
                LinkKind::Hard
            };
            let target = entry
                .link_name_bytes()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            if let Some(issue) = NameChecks::check_link(link, &name, &target) {
                self.context.report(issue);
            }
            return Flow::Continue;
        }
        let special = if kind.is_character_special() {
            Some("character device")
        } else if kind.is_block_special() {
            Some("block device")
        } else if kind.is_fifo() {
            Some("fifo")
        } else {
            None
        };
        if let Some(special) = special {
            self.context.report(Issue::new(
                &rules::SPECIAL_FILE,
                Some(&name),
                format!("Member `{name}` is a {special}"),
            ));
            return Flow::Continue;
        }
        self.regular(data, name, size)
    }

    /// A regular file (or any type tar says to treat as one).
    fn regular(&mut self, data: &mut dyn Read, name: String, size: u64) -> Flow {
        let limits = self.context.limits;
        if size > limits.max_entry_bytes {
            self.context.report(Issue::new(
                &rules::LIMIT_ENTRY_SIZE,
                Some(&name),
                format!(
                    "Member `{name}` declares {size} bytes, more than the limit of {} bytes; it \
                     was not scanned",
                    limits.max_entry_bytes
                ),
            ));
            return Flow::Continue;
        }
        let verify = Verify::new(data, &name, size);
        let mut meter = Meter::new(verify, Some(&name), format!("member `{name}`"))
            .max_bytes(limits.max_entry_bytes)
            .corrupt_context(format!("Member `{name}` cannot be read"));
        if self.charge == Charge::Members {
            meter = meter.budget(self.context.budget);
        }
        self.context.visitor.member(Member {
            name,
            size: Some(size),
            reader: &mut meter,
        });
        // A member that failed (truncated, over a limit, corrupt below) ends
        // the archive: the stream under it is spent or failed for good. The
        // visitor was given the failure as a read error and the engine reports
        // it, so it is not reported again here.
        let failed = meter.failure().is_some();
        if self.context.budget.is_exhausted() {
            if !failed {
                let budget = self.context.budget;
                self.context.report(issue::total_budget_exhausted(
                    budget,
                    None,
                    "while reading this tar archive",
                ));
            }
            return Flow::Stop;
        }
        if failed {
            return Flow::Stop;
        }
        Flow::Continue
    }
}
