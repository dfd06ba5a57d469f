//! Zip archives (and jar, war, ear, whl, nupkg, apk, vsix).
//!
//! The central directory is the list of members; each is checked before its
//! data is touched (name, encryption, method, file type, declared size and
//! ratio), then decompressed through a [`Verify`] (size and CRC-32) and a
//! [`Meter`] (limits). A zip read from a stream is first spooled, since the
//! directory is at the end. When the central directory is lost (a truncated
//! download), members are recovered from their local headers instead.

mod cp437;
mod directory;
mod method;

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use tempfile::SpooledTempFile;

use crate::issue::{self, Issue};
use crate::limits::RATIO_GRACE_BYTES;
use crate::meter::{Meter, Ratio, Verify};
use crate::names::{LinkKind, NameChecks, display_name};
use crate::{Context, Input, Member, rules};
use directory::{Entry, FileType};
use method::Method;

/// How much of a zip read from a stream is spooled in memory before the rest
/// goes to an anonymous temporary file.
pub(crate) const SPOOL_IN_MEMORY: usize = 64 * 1024 * 1024;

/// The longest symbolic link target read from a member.
const MAX_LINK_TARGET: u64 = 4096;

/// Visits a zip read from `input`.
pub(crate) fn visit(input: Input<'_>, context: &mut Context<'_>) {
    match input {
        Input::File(file) => walk(BufReader::new(file), context),
        Input::Stream(reader) => {
            if let Some(spooled) = spool(reader, context) {
                walk(BufReader::new(spooled), context);
            }
        }
    }
}

/// Copies a zip read from a stream where it can be seeked, within the
/// per-member limit.
fn spool(reader: &mut dyn Read, context: &mut Context<'_>) -> Option<SpooledTempFile> {
    let max = context.limits.max_entry_bytes;
    let mut spooled = SpooledTempFile::new(SPOOL_IN_MEMORY);
    let copied = io::copy(&mut reader.take(max.saturating_add(1)), &mut spooled)
        .and_then(|copied| spooled.seek(SeekFrom::Start(0)).map(|_| copied));
    match copied {
        Ok(copied) if copied > max => {
            context.report(Issue::new(
                &rules::LIMIT_ENTRY_SIZE,
                None,
                format!(
                    "Zip archive read from an enclosing archive is larger than {max} bytes, the \
                     most that is spooled to open it; it was not opened"
                ),
            ));
            None
        }
        Ok(_) => Some(spooled),
        Err(error) => {
            context.report_error(&error, "Zip archive cannot be spooled");
            None
        }
    }
}

/// Whether to go on with the next member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

fn walk<R: Read + Seek>(mut reader: BufReader<R>, context: &mut Context<'_>) {
    let len = match reader.seek(SeekFrom::End(0)) {
        Ok(len) => len,
        Err(error) => {
            context.report_error(&error, "Zip archive cannot be read");
            return;
        }
    };
    let entries = match directory::locate(&mut reader, len) {
        Ok(found) => read_directory(&mut reader, found, context),
        Err(error) => {
            context.report(Issue::new(
                &rules::ARCHIVE_CORRUPT,
                None,
                format!(
                    "Zip archive has no readable central directory ({error}); members were \
                     recovered from their local headers, and any after the damage or with sizes \
                     only after their data were not scanned"
                ),
            ));
            recover(&mut reader, len, context);
            return;
        }
    };
    let mut names = NameChecks::default();
    for entry in &entries {
        if member(&mut reader, entry, None, &mut names, context) == Flow::Stop {
            return;
        }
    }
}

/// Reads the central directory entries, up to the entry limit, reporting
/// what is wrong with it.
fn read_directory<R: Read + Seek>(
    reader: &mut BufReader<R>,
    found: directory::Directory,
    context: &mut Context<'_>,
) -> Vec<Entry> {
    let max = context.limits.max_entries;
    if found.entries > max {
        context.report(limit_entries(max, &format!("declares {}", found.entries)));
    }
    let mut entries = Vec::new();
    if let Err(error) = reader.seek(SeekFrom::Start(found.start)) {
        context.report_error(&error, "Zip central directory cannot be read");
        return entries;
    }
    let end = found.start.saturating_add(found.size);
    let mut offset = found.start;
    let mut index: u64 = 0;
    loop {
        let beyond_declared = index >= found.entries;
        if beyond_declared && offset >= end {
            break;
        }
        if index >= max {
            if beyond_declared && found.entries <= max {
                context.report(limit_entries(max, "holds more than"));
            }
            break;
        }
        match directory::read_central(reader, offset, found.shift) {
            Ok((entry, record_len)) => {
                if index == found.entries {
                    context.report(Issue::new(
                        &rules::ARCHIVE_CORRUPT,
                        None,
                        format!(
                            "Zip central directory holds more entries than the {} its end record \
                             declares; tools disagree on which to list, and all were scanned",
                            found.entries
                        ),
                    ));
                }
                entries.push(entry);
                offset = offset.saturating_add(record_len);
                index += 1;
            }
            Err(directory::Error::NotCentral { .. }) if beyond_declared => break,
            Err(error) => {
                context.report(Issue::new(
                    &rules::ARCHIVE_CORRUPT,
                    None,
                    format!(
                        "Zip central directory entry {index} (at offset {offset}) is invalid: \
                         {error}; {index} members were listed before it and the rest were not \
                         scanned"
                    ),
                ));
                break;
            }
        }
    }
    entries
}

fn limit_entries(max: u64, how: &str) -> Issue {
    Issue::new(
        &rules::LIMIT_ENTRIES,
        None,
        format!(
            "Zip archive {how} entries, more than the limit of {max}; the first {max} were \
             visited and the rest was not scanned"
        ),
    )
}

/// Visits the members whose local headers follow each other from the start
/// of the file, for an archive without a readable central directory.
fn recover<R: Read + Seek>(reader: &mut BufReader<R>, len: u64, context: &mut Context<'_>) {
    let max = context.limits.max_entries;
    let mut names = NameChecks::default();
    let mut offset = 0u64;
    let mut count = 0u64;
    while offset < len {
        let (entry, data_start) = match directory::read_local_as_entry(reader, offset) {
            Ok(Some(found)) => found,
            Ok(None) | Err(_) => return,
        };
        count += 1;
        if count > max {
            context.report(limit_entries(max, "has more than"));
            return;
        }
        let next = data_start.saturating_add(entry.compressed_size);
        if member(reader, &entry, Some(data_start), &mut names, context) == Flow::Stop {
            return;
        }
        offset = next;
    }
}

/// Checks one member and, when it is a regular file that can be read, hands
/// it to the visitor. `data_start` is known when recovering from local
/// headers.
fn member<R: Read + Seek>(
    reader: &mut BufReader<R>,
    entry: &Entry,
    data_start: Option<u64>,
    names: &mut NameChecks,
    context: &mut Context<'_>,
) -> Flow {
    let name = display_name(&entry.name).to_owned();
    let file_type = entry.file_type();
    for issue in names.check(&name, file_type == FileType::Directory) {
        context.report(issue);
    }
    if entry.is_encrypted() {
        context.report(Issue::new(
            &rules::ARCHIVE_ENCRYPTED,
            Some(&name),
            format!(
                "Member `{name}` is encrypted ({}) and was not scanned",
                entry.encryption()
            ),
        ));
        return Flow::Continue;
    }
    match file_type {
        FileType::Directory => return Flow::Continue,
        FileType::Special(kind) => {
            context.report(Issue::new(
                &rules::SPECIAL_FILE,
                Some(&name),
                format!("Member `{name}` is a {kind}"),
            ));
            return Flow::Continue;
        }
        FileType::Regular | FileType::Symlink => {}
    }
    let Some(method) = Method::from_code(entry.method) else {
        context.report(Issue::new(
            &rules::ARCHIVE_UNSUPPORTED,
            Some(&name),
            format!(
                "Member `{name}` uses compression method {} ({}), which is not supported; it was \
                 not scanned",
                entry.method,
                method::name(entry.method)
            ),
        ));
        return Flow::Continue;
    };
    let limits = context.limits;
    if file_type == FileType::Regular
        && let Some(issue) = declared_breach(entry, &name, limits)
    {
        context.report(issue);
        return Flow::Continue;
    }
    let data_start = match data_start {
        Some(start) => start,
        None => match directory::read_local(reader, entry) {
            Ok((start, local_name)) => {
                if local_name != entry.name_raw {
                    context.report(Issue::new(
                        &rules::ARCHIVE_CORRUPT,
                        Some(&name),
                        format!(
                            "Member `{name}` has another name in its local header (`{}`); tools \
                             disagree on which to use",
                            String::from_utf8_lossy(&local_name)
                        ),
                    ));
                }
                start
            }
            Err(error) => {
                context.report(Issue::new(
                    &rules::ARCHIVE_CORRUPT,
                    Some(&name),
                    format!("Member `{name}` cannot be located: {error}; it was not scanned"),
                ));
                return Flow::Continue;
            }
        },
    };
    if let Err(error) = reader.seek(SeekFrom::Start(data_start)) {
        let what = format!("Member `{name}` cannot be read");
        context.report_error(&error, &what);
        return Flow::Continue;
    }
    let raw = (&mut *reader).take(entry.compressed_size);
    let decoder = match method::decoder(method, entry.flags, entry.uncompressed_size, raw) {
        Ok(decoder) => decoder,
        Err(error) => {
            let issue = issue::corrupt(
                Some(&name),
                &format!("Member `{name}` cannot be decompressed"),
                &error,
            );
            context.report(issue);
            return Flow::Continue;
        }
    };
    let verify = Verify::new(decoder, &name, entry.uncompressed_size).crc32(entry.crc32);
    if file_type == FileType::Symlink {
        symlink(verify, &name, context);
        return Flow::Continue;
    }
    let mut meter = Meter::new(verify, Some(&name), format!("member `{name}`"))
        .max_bytes(limits.max_entry_bytes)
        .ratio(Ratio::Fixed(entry.compressed_size), limits.max_ratio)
        .budget(context.budget)
        .corrupt_context(format!("Member `{name}` is corrupt"));
    context.visitor.member(Member {
        name,
        size: Some(entry.uncompressed_size),
        reader: &mut meter,
    });
    if context.budget.is_exhausted() {
        let delivered = meter
            .failure()
            .is_some_and(|issue| std::ptr::eq(issue.rule, &rules::LIMIT_TOTAL_BYTES));
        if !delivered {
            let budget = context.budget;
            context.report(issue::total_budget_exhausted(
                budget,
                None,
                "while reading this zip archive",
            ));
        }
        return Flow::Stop;
    }
    Flow::Continue
}

/// The issue for a member whose declared sizes already breach a limit: no
/// byte of it is read.
fn declared_breach(entry: &Entry, name: &str, limits: &crate::Limits) -> Option<Issue> {
    let size = entry.uncompressed_size;
    let compressed = entry.compressed_size;
    if size > limits.max_entry_bytes {
        return Some(Issue::new(
            &rules::LIMIT_ENTRY_SIZE,
            Some(name),
            format!(
                "Member `{name}` declares {size} bytes, more than the limit of {} bytes; it was \
                 not scanned",
                limits.max_entry_bytes
            ),
        ));
    }
    if size > RATIO_GRACE_BYTES && size > limits.max_ratio.saturating_mul(compressed.max(1)) {
        return Some(Issue::new(
            &rules::LIMIT_RATIO,
            Some(name),
            format!(
                "Member `{name}` declares {size} bytes from {compressed} compressed bytes, an \
                 expansion of more than {} times; it was not scanned",
                limits.max_ratio
            ),
        ));
    }
    None
}

/// Checks where a member that is a Unix symbolic link points.
fn symlink(target: impl Read, name: &str, context: &mut Context<'_>) {
    let mut bytes = Vec::new();
    if let Err(error) = target.take(MAX_LINK_TARGET).read_to_end(&mut bytes) {
        let what = format!("Symbolic link `{name}` cannot be read");
        context.report_error(&error, &what);
        return;
    }
    let target = String::from_utf8_lossy(&bytes);
    if let Some(issue) = NameChecks::check_link(LinkKind::Symbolic, name, &target) {
        context.report(issue);
    }
}
