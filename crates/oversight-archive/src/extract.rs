//! Reading one member back out of an archive held in memory, by its
//! delivery path inside it (`LICENSE`, or `inner.tar.gz!/LICENSE` for a
//! nested one): how a review checks the content of a deliverable that came
//! inside an archive. The same walkers and limits as the scan.

use std::io::Read as _;

use crate::{Budget, Input, Issue, Limits, Member, Visitor, sniff, visit};

/// The largest member read back (deliverables are documents and reports).
pub const MAX_MEMBER_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of the member at `path` (`!/`-separated for nested archives)
/// of the archive `bytes`, or `None` when it is not there, cannot be read
/// within the limits, or is larger than [`MAX_MEMBER_BYTES`].
pub fn read_member(bytes: &[u8], path: &str) -> Option<Vec<u8>> {
    let format = sniff(bytes)?;
    if format.is_compression()
        && let Some(inner) = find(format, bytes, "")
    {
        // A single compressed file, without a name of its own (a compressed
        // tar is walked as the tar, its members named as the tar's).
        return match path.split_once("!/") {
            Some((_, rest)) => read_member(&inner, rest),
            None => Some(inner),
        };
    }
    let (name, rest) = match path.split_once("!/") {
        Some((name, rest)) => (name, Some(rest)),
        None => (path, None),
    };
    let member = find(format, bytes, name)?;
    match rest {
        Some(rest) => read_member(&member, rest),
        None => Some(member),
    }
}

/// The content of the first member named `name` of the archive `bytes`.
fn find(format: crate::Format, bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut finder = Finder { name, found: None };
    let limits = Limits::default();
    let budget = Budget::new(limits.max_total_bytes);
    let mut reader = bytes;
    visit(
        format,
        Input::Stream(&mut reader),
        &limits,
        &budget,
        &mut finder,
    );
    finder.found
}

struct Finder<'a> {
    name: &'a str,
    found: Option<Vec<u8>>,
}

impl Visitor for Finder<'_> {
    fn member(&mut self, member: Member<'_>) {
        if self.found.is_some() || member.name != self.name {
            return;
        }
        let mut content = Vec::new();
        let mut limited = member.reader.take(MAX_MEMBER_BYTES + 1);
        if limited.read_to_end(&mut content).is_ok() && content.len() as u64 <= MAX_MEMBER_BYTES {
            self.found = Some(content);
        }
    }

    fn issue(&mut self, _issue: Issue) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_bytes_hold_no_member() {
        assert_eq!(read_member(b"plain text", "LICENSE"), None);
    }
}
