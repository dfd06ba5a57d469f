//! Readers that enforce the limits and check the data as it streams by.
//!
//! Every byte a visitor reads passes through a [`Meter`], which charges the
//! shared budget and enforces the per-member size and the expansion ratio,
//! failing with an `io::Error` that carries the [`Issue`]. A [`Verify`] below
//! it checks that a member has exactly the size (and CRC) its archive
//! declares, which catches truncation and headers that lie about sizes.
//! Failures are sticky: once a reader has failed, every later read fails the
//! same way, so a hostile archive cannot be read past its first breach.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::issue::{self, Issue, issue_of};
use crate::limits::RATIO_GRACE_BYTES;
use crate::{Budget, rules};

/// Counts the bytes read through it into a shared cell, for the layers above
/// a decompressor to know how much compressed input was consumed.
pub(crate) struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Counting<R> {
    pub(crate) fn new(inner: R, count: Rc<Cell<u64>>) -> Self {
        Counting { inner, count }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// What the expansion ratio of a [`Meter`] is measured against.
pub(crate) enum Ratio {
    /// Not measured.
    Unchecked,
    /// A compressed size known in advance (a zip member's).
    Fixed(u64),
    /// Compressed bytes consumed so far, counted by a [`Counting`] reader.
    Counted(Rc<Cell<u64>>),
}

/// Enforces the limits on the bytes read through it.
pub(crate) struct Meter<R> {
    inner: R,
    /// For [`Issue::member`].
    member: Option<String>,
    /// How messages name what is read (`member \`a.txt\``, `gzip stream`).
    subject: String,
    produced: u64,
    max_bytes: Option<u64>,
    ratio: Ratio,
    max_ratio: u64,
    budget: Option<Budget>,
    /// When set, errors of the inner reader that carry no issue are turned
    /// into `archive-corrupt` issues prefixed with this text.
    corrupt_context: Option<String>,
    failure: Option<Issue>,
}

impl<R: Read> Meter<R> {
    /// A meter that enforces nothing yet; see the builder methods.
    pub(crate) fn new(inner: R, member: Option<&str>, subject: impl Into<String>) -> Self {
        Meter {
            inner,
            member: member.map(str::to_owned),
            subject: subject.into(),
            produced: 0,
            max_bytes: None,
            ratio: Ratio::Unchecked,
            max_ratio: u64::MAX,
            budget: None,
            corrupt_context: None,
            failure: None,
        }
    }

    /// Fails once more than `max` bytes were produced.
    pub(crate) fn max_bytes(mut self, max: u64) -> Self {
        self.max_bytes = Some(max);
        self
    }

    /// Fails once the output exceeds `max_ratio` times `ratio`'s measure (and
    /// [`RATIO_GRACE_BYTES`]).
    pub(crate) fn ratio(mut self, ratio: Ratio, max_ratio: u64) -> Self {
        self.ratio = ratio;
        self.max_ratio = max_ratio;
        self
    }

    /// Charges every byte produced to `budget`.
    pub(crate) fn budget(mut self, budget: &Budget) -> Self {
        self.budget = Some(budget.clone());
        self
    }

    /// Reports errors of the inner reader that carry no issue as corruption.
    pub(crate) fn corrupt_context(mut self, context: impl Into<String>) -> Self {
        self.corrupt_context = Some(context.into());
        self
    }

    /// The issue this reader failed with, if it did.
    pub(crate) fn failure(&self) -> Option<&Issue> {
        self.failure.as_ref()
    }

    fn fail(&mut self, issue: Issue) -> io::Error {
        self.failure = Some(issue.clone());
        issue::into_io(issue)
    }

    fn breach(&self, just_read: u64) -> Option<Issue> {
        if let Some(budget) = &self.budget
            && !budget.charge(just_read)
        {
            return Some(issue::total_budget_exhausted(
                budget,
                self.member.as_deref(),
                &format!("while reading the {}", self.subject),
            ));
        }
        if let Some(max) = self.max_bytes
            && self.produced > max
        {
            return Some(Issue::new(
                &rules::LIMIT_ENTRY_SIZE,
                self.member.as_deref(),
                format!(
                    "The {} is larger than the limit of {max} bytes and was not scanned beyond it",
                    self.subject
                ),
            ));
        }
        let compressed = match &self.ratio {
            Ratio::Unchecked => return None,
            Ratio::Fixed(size) => *size,
            Ratio::Counted(count) => count.get(),
        };
        if self.produced > RATIO_GRACE_BYTES
            && self.produced > self.max_ratio.saturating_mul(compressed.max(1))
        {
            return Some(Issue::new(
                &rules::LIMIT_RATIO,
                self.member.as_deref(),
                format!(
                    "The {} expands more than {} times ({} bytes from {compressed} compressed \
                     bytes) and was not scanned beyond that",
                    self.subject, self.max_ratio, self.produced
                ),
            ));
        }
        None
    }
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(issue) = &self.failure {
            return Err(issue::into_io(issue.clone()));
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return Err(error),
            Err(error) => {
                let issue = match (issue_of(&error), &self.corrupt_context) {
                    (Some(issue), _) => issue,
                    (None, Some(context)) => {
                        issue::corrupt(self.member.as_deref(), context, &error)
                    }
                    (None, None) => return Err(error),
                };
                return Err(self.fail(issue));
            }
        };
        self.produced = self.produced.saturating_add(n as u64);
        match self.breach(n as u64) {
            Some(issue) => Err(self.fail(issue)),
            None => Ok(n),
        }
    }
}

/// Checks that a member has the size, and the CRC-32 when known, that its
/// archive declares.
pub(crate) struct Verify<R> {
    inner: R,
    member: String,
    expected: u64,
    seen: u64,
    crc: Option<(crc32fast::Hasher, u32)>,
    failure: Option<Issue>,
    finished: bool,
}

impl<R: Read> Verify<R> {
    /// Expects exactly `expected` bytes from `inner`.
    pub(crate) fn new(inner: R, member: &str, expected: u64) -> Self {
        Verify {
            inner,
            member: member.to_owned(),
            expected,
            seen: 0,
            crc: None,
            failure: None,
            finished: false,
        }
    }

    /// Also expects the content's CRC-32 to be `crc`.
    pub(crate) fn crc32(mut self, crc: u32) -> Self {
        self.crc = Some((crc32fast::Hasher::new(), crc));
        self
    }

    fn fail(&mut self, message: String) -> io::Error {
        let issue = Issue::new(&rules::ARCHIVE_CORRUPT, Some(&self.member), message);
        self.failure = Some(issue.clone());
        issue::into_io(issue)
    }
}

impl<R: Read> Read for Verify<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(issue) = &self.failure {
            return Err(issue::into_io(issue.clone()));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if self.finished {
                return Ok(0);
            }
            self.finished = true;
            if self.seen < self.expected {
                let message = format!(
                    "Member `{}` is truncated: it ends after {} of the {} bytes its header declares",
                    self.member, self.seen, self.expected
                );
                return Err(self.fail(message));
            }
            if let Some((hasher, expected)) = self.crc.take() {
                let actual = hasher.finalize();
                if actual != expected {
                    let message = format!(
                        "Member `{}` fails its CRC-32 check (computed {actual:08x}, declared \
                         {expected:08x})",
                        self.member
                    );
                    return Err(self.fail(message));
                }
            }
            return Ok(0);
        }
        self.seen = self.seen.saturating_add(n as u64);
        if self.seen > self.expected {
            let message = format!(
                "Member `{}` decompresses to more than the {} bytes its header declares",
                self.member, self.expected
            );
            return Err(self.fail(message));
        }
        if let Some((hasher, _)) = &mut self.crc {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Reads `reader` to its end, discarding the bytes.
pub(crate) fn drain(reader: &mut dyn Read) -> io::Result<()> {
    io::copy(reader, &mut io::sink()).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reader: &mut dyn Read) -> (Vec<u8>, Option<Issue>) {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(error) => return (out, issue_of(&error)),
            }
        }
    }

    #[test]
    fn entry_size_limit_fails_and_stays_failed() {
        let data = vec![7u8; 10_000];
        let mut meter = Meter::new(&data[..], Some("a"), "member `a`").max_bytes(5000);
        let (out, issue) = read_all(&mut meter);
        let issue = issue.expect("limit breached");
        assert_eq!(issue.rule.id, "coverage.limit-entry-size");
        assert_eq!(issue.member.as_deref(), Some("a"));
        assert!(out.len() <= 5000);
        assert!(meter.read(&mut [0u8; 10]).is_err(), "failure is sticky");
        assert_eq!(meter.failure(), Some(&issue));
    }

    #[test]
    fn ratio_is_enforced_only_after_the_grace() {
        let data = vec![0u8; 3 * 1024 * 1024];
        // Within the grace: a thousandfold is fine for a small file.
        let mut small = Meter::new(&data[..1024 * 1024], None, "x").ratio(Ratio::Fixed(1000), 100);
        assert!(read_all(&mut small).1.is_none());
        let mut big = Meter::new(&data[..], None, "x").ratio(Ratio::Fixed(1000), 100);
        let (out, issue) = read_all(&mut big);
        assert_eq!(issue.expect("ratio").rule.id, "coverage.limit-ratio");
        assert!(out.len() as u64 <= RATIO_GRACE_BYTES + 4096);
        // Counted: the ratio follows the consumed input.
        let consumed = Rc::new(Cell::new(20_000));
        let mut counted =
            Meter::new(&data[..], None, "x").ratio(Ratio::Counted(consumed.clone()), 100);
        let (out, issue) = read_all(&mut counted);
        assert!(issue.is_some());
        assert_eq!(out.len(), 2_000_000 / 4096 * 4096);
    }

    #[test]
    fn budget_is_charged_and_breached() {
        let budget = Budget::new(10_000);
        let data = vec![1u8; 6000];
        let mut first = Meter::new(&data[..], Some("one"), "member `one`").budget(&budget);
        assert!(read_all(&mut first).1.is_none());
        let mut second = Meter::new(&data[..], Some("two"), "member `two`").budget(&budget);
        let issue = read_all(&mut second).1.expect("budget breached");
        assert_eq!(issue.rule.id, "coverage.limit-total-bytes");
        assert!(issue.message.contains("10000"), "{}", issue.message);
        assert!(budget.is_exhausted());
    }

    #[test]
    fn inner_errors_become_corruption_or_pass_through() {
        struct Failing(io::Error);
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(self.0.kind(), self.0.to_string()))
            }
        }
        let mut plain = Meter::new(Failing(io::Error::other("boom")), None, "x")
            .corrupt_context("Gzip stream is corrupt");
        let issue = read_all(&mut plain).1.expect("wrapped");
        assert_eq!(issue.rule.id, "coverage.archive-corrupt");
        assert_eq!(issue.message, "Gzip stream is corrupt: boom");

        let mut bare = Meter::new(Failing(io::Error::other("boom")), None, "x");
        assert!(bare.read(&mut [0u8; 4]).is_err());
        assert!(
            read_all(&mut bare).1.is_none(),
            "no context: error passed on as is"
        );
    }

    #[test]
    fn verify_catches_truncation_overflow_and_crc() {
        let data = b"hello world".to_vec();
        let crc = crc32fast::hash(&data);
        let mut ok = Verify::new(&data[..], "m", 11).crc32(crc);
        assert_eq!(read_all(&mut ok), (data.clone(), None));

        let mut short = Verify::new(&data[..], "m", 20);
        assert!(
            read_all(&mut short)
                .1
                .expect("truncated")
                .message
                .contains("truncated")
        );

        let mut long = Verify::new(&data[..], "m", 5);
        assert!(
            read_all(&mut long)
                .1
                .expect("long")
                .message
                .contains("more than the 5")
        );

        let mut bad = Verify::new(&data[..], "m", 11).crc32(crc ^ 1);
        assert!(
            read_all(&mut bad)
                .1
                .expect("crc")
                .message
                .contains("CRC-32")
        );
    }
}
