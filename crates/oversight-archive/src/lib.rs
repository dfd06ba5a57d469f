//! Reading the archives of a delivery in-process, streamed, under limits.
//!
//! A supplier delivery is often a pile of archives: zips (and the jar, war,
//! ear, whl, nupkg, apk and vsix files that are zips), tars, and tars or single
//! files compressed with gzip, xz, zstd or bzip2. This crate opens them without
//! ever extracting anything to disk next to the delivery, and hands each member
//! to a [`Visitor`] as a reader. The caller (the scan engine) decides what to
//! do with a member; when the member is itself an archive (its first bytes
//! [`sniff`] as one), the engine calls [`visit`] again with [`Input::Stream`].
//! This crate never recurses by itself.
//!
//! An archive is hostile input. Every problem it has (corruption, encryption,
//! an unsupported method, a name that escapes the extraction root, a link that
//! points outside it, a device node, a duplicate name, a breached limit)
//! becomes an [`Issue`] naming one of the [`RULES`], given to the visitor:
//! [`visit`] never panics and never returns an error, and goes on with the
//! other members where the format allows.
//!
//! Decompression bombs are bounded by [`Limits`] (bytes per member, members per
//! archive, expansion ratio) and by a [`Budget`] of decompressed bytes shared
//! by the whole scan. A member reader that breaches a limit fails with an
//! [`std::io::Error`] from which [`issue_of`] recovers the [`Issue`], so that
//! the engine reports that rule once instead of a generic read error.
//!
//! ```
//! use std::io::{Read, Write};
//! use oversight_archive::{sniff, visit, Budget, Format, Input, Issue, Limits, Member, Visitor};
//!
//! // A gzip-compressed text file.
//! let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
//! gz.write_all(b"hello").unwrap();
//! let bytes = gz.finish().unwrap();
//! assert_eq!(sniff(&bytes), Some(Format::Gzip));
//!
//! #[derive(Default)]
//! struct Collect(Vec<(String, Vec<u8>)>, Vec<Issue>);
//! impl Visitor for Collect {
//!     fn member(&mut self, member: Member<'_>) {
//!         let mut content = Vec::new();
//!         match member.reader.read_to_end(&mut content) {
//!             Ok(_) => self.0.push((member.name, content)),
//!             Err(error) => self.1.extend(oversight_archive::issue_of(&error)),
//!         }
//!     }
//!     fn issue(&mut self, issue: Issue) {
//!         self.1.push(issue);
//!     }
//! }
//!
//! let mut collect = Collect::default();
//! let limits = Limits::default();
//! let budget = Budget::new(limits.max_total_bytes);
//! visit(Format::Gzip, Input::Stream(&mut &bytes[..]), &limits, &budget, &mut collect);
//! // A compressed single file is one member named "": the engine names it
//! // after the outer file without its compression suffix.
//! assert_eq!(collect.0, vec![(String::new(), b"hello".to_vec())]);
//! assert!(collect.1.is_empty());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod extract;
mod issue;
mod limits;
mod meter;
mod names;
mod rules;
mod sniff;
mod stream;
mod tar;
mod zip;

use std::fmt;
use std::io::Read;

pub use extract::{MAX_MEMBER_BYTES, read_member};
pub use issue::{Issue, issue_of};
pub use limits::{Budget, Limits, RATIO_GRACE_BYTES};
pub use rules::{
    ABSOLUTE_PATH, ARCHIVE_CORRUPT, ARCHIVE_ENCRYPTED, ARCHIVE_UNSUPPORTED, DUPLICATE_ENTRY,
    LIMIT_ENTRIES, LIMIT_ENTRY_SIZE, LIMIT_RATIO, LIMIT_TOTAL_BYTES, LINK_OUTSIDE, PATH_TRAVERSAL,
    RULES, SPECIAL_FILE,
};
pub use sniff::sniff;

/// An archive or compression format this crate opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Zip, and the formats built on it (jar, war, ear, whl, nupkg, apk, vsix).
    Zip,
    /// POSIX, GNU or old-style (v7) tar.
    Tar,
    /// A gzip stream (one or more members), possibly holding a tar.
    Gzip,
    /// An xz stream (one or more), possibly holding a tar.
    Xz,
    /// A Zstandard stream (one or more frames), possibly holding a tar.
    Zstd,
    /// A bzip2 stream (one or more), possibly holding a tar.
    Bzip2,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 6] = [
        Format::Zip,
        Format::Tar,
        Format::Gzip,
        Format::Xz,
        Format::Zstd,
        Format::Bzip2,
    ];

    /// The lower-case name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::Tar => "tar",
            Format::Gzip => "gzip",
            Format::Xz => "xz",
            Format::Zstd => "zstd",
            Format::Bzip2 => "bzip2",
        }
    }

    /// Whether this is a compression format (one stream) rather than an
    /// archive of named members.
    pub fn is_compression(self) -> bool {
        matches!(
            self,
            Format::Gzip | Format::Xz | Format::Zstd | Format::Bzip2
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an archive's bytes come from.
pub enum Input<'a> {
    /// A file of the delivery, opened for reading. Zip and tar use its
    /// ability to seek.
    File(std::fs::File),
    /// A member of an enclosing archive, read once from start to end. A zip
    /// read this way is first spooled to memory (64 MiB) and then to an
    /// anonymous temporary file, bounded by [`Limits::max_entry_bytes`].
    Stream(&'a mut dyn Read),
}

impl fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::File(file) => f.debug_tuple("File").field(file).finish(),
            Input::Stream(_) => f.debug_tuple("Stream").finish_non_exhaustive(),
        }
    }
}

/// One member of an archive, handed to [`Visitor::member`].
pub struct Member<'a> {
    /// The path inside the archive, `/`-separated, as written (after stripping
    /// any leading `./`). Names that escape the archive root or are absolute
    /// are given as written too; they were also reported as [`Issue`]s.
    ///
    /// The single member of a compressed stream that is not a tar is named
    /// `""`: [`visit`] does not know the outer file's name, and the engine
    /// names it after that file without its compression suffix.
    pub name: String,
    /// The decompressed size the archive declares, when it declares one.
    pub size: Option<u64>,
    /// The decompressed content. It fails with an [`std::io::Error`] on
    /// corruption or when a limit is breached; [`issue_of`] turns such an
    /// error into the [`Issue`] to report. Once failed it keeps failing.
    pub reader: &'a mut dyn Read,
}

impl fmt::Debug for Member<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Member")
            .field("name", &self.name)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// What [`visit`] reports to.
pub trait Visitor {
    /// Called once per regular member, in archive order. The member's reader
    /// is only valid during the call; what the visitor does not read is
    /// skipped.
    fn member(&mut self, member: Member<'_>);

    /// Called for every problem found while reading the archive itself.
    ///
    /// Problems met by a member reader while the visitor reads it are not
    /// given here: the visitor receives them as read errors, and
    /// [`issue_of`] tells which rule they belong to.
    fn issue(&mut self, issue: Issue);
}

/// Visits every member of an archive of `format` read from `input`.
///
/// Never panics and never returns an error: every problem is an [`Issue`]
/// given to the visitor, and the scan of other members goes on where the
/// format allows. Does not recurse into nested archives.
///
/// A member reader that fails ends a tar or compressed stream (what follows
/// cannot be reached) but not a zip, whose other members are read
/// independently. When the reader of an [`Input::Stream`] fails with an
/// error that carries an issue (a limit of an enclosing archive), that issue
/// is given to the visitor, and the enclosing archive's walk does not report
/// it again.
pub fn visit(
    format: Format,
    input: Input<'_>,
    limits: &Limits,
    budget: &Budget,
    visitor: &mut dyn Visitor,
) {
    let mut context = Context {
        limits,
        budget,
        visitor,
    };
    if budget.is_exhausted() {
        context.report(issue::total_budget_exhausted(
            budget,
            None,
            &format!("before this {format} archive was opened"),
        ));
        return;
    }
    match format {
        Format::Zip => zip::visit(input, &mut context),
        Format::Tar => tar::visit(input, &mut context),
        Format::Gzip | Format::Xz | Format::Zstd | Format::Bzip2 => {
            stream::visit(format, input, &mut context);
        }
    }
}

/// What every format's walker needs: the limits, the shared budget and where
/// to report.
struct Context<'a> {
    limits: &'a Limits,
    budget: &'a Budget,
    visitor: &'a mut dyn Visitor,
}

impl Context<'_> {
    fn report(&mut self, issue: Issue) {
        self.visitor.issue(issue);
    }

    /// Reports an error met while reading the archive itself (not while the
    /// visitor read a member): the issue it carries, or corruption described
    /// by `what`.
    fn report_error(&mut self, error: &std::io::Error, what: &str) {
        let issue = issue_of(error).unwrap_or_else(|| issue::corrupt(None, what, error));
        self.report(issue);
    }
}
