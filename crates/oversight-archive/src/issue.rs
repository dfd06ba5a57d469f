//! Issues: the problems an archive has, and how they travel inside the
//! [`std::io::Error`]s of member readers.
//!
//! A member reader cannot call the visitor (the visitor is the one reading),
//! so a reader that meets a breached limit or corrupt data fails with an
//! `io::Error` whose payload is an [`IssueError`]; [`issue_of`] finds it again,
//! through any layers of decompressors and nested archives that passed the
//! error on.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use oversight_model::Rule;

use crate::Budget;
use crate::rules;

/// A problem found in an archive, for the engine to turn into a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The rule it belongs to, one of [`crate::RULES`].
    pub rule: &'static Rule,
    /// The member it concerns, as named in the archive; `None` when it
    /// concerns the archive as a whole.
    pub member: Option<String>,
    /// A sentence naming what failed and why.
    pub message: String,
}

impl Issue {
    /// An issue about `member` (or the whole archive).
    pub(crate) fn new(
        rule: &'static Rule,
        member: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Issue {
            rule,
            member: member.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.id, self.message)
    }
}

/// The payload of the `io::Error`s that member readers fail with.
#[derive(Debug, thiserror::Error)]
#[error("{issue}")]
pub(crate) struct IssueError {
    pub(crate) issue: Issue,
}

/// An `io::Error` carrying `issue`, for [`issue_of`] to find.
pub(crate) fn into_io(issue: Issue) -> io::Error {
    let kind = if std::ptr::eq(issue.rule, &rules::ARCHIVE_CORRUPT) {
        io::ErrorKind::InvalidData
    } else {
        io::ErrorKind::Other
    };
    io::Error::new(kind, IssueError { issue })
}

/// The [`Issue`] behind an error of a member reader, when the error was caused
/// by a limit (entry size, ratio, total budget) or by corrupt archive data
/// detected by this crate, so that the engine reports that rule once instead
/// of a generic read error.
///
/// Works through any number of layers: an error of an outer member reader
/// that surfaces while reading a member of a nested archive still names the
/// outer limit.
pub fn issue_of(error: &io::Error) -> Option<Issue> {
    let mut current: Option<&(dyn StdError + 'static)> = error
        .get_ref()
        .map(|inner| inner as &(dyn StdError + 'static));
    // Bounded, in case some error type's source chain loops.
    for _ in 0..64 {
        let inner = current?;
        if let Some(found) = inner.downcast_ref::<IssueError>() {
            return Some(found.issue.clone());
        }
        current = match inner.downcast_ref::<io::Error>() {
            Some(io_error) => io_error
                .get_ref()
                .map(|nested| nested as &(dyn StdError + 'static)),
            None => inner.source(),
        };
    }
    None
}

/// The issue for an archive or member that could not be read further because
/// the scan's budget is exhausted; `when` completes the sentence ("while
/// reading member `a.txt`").
pub(crate) fn total_budget_exhausted(budget: &Budget, member: Option<&str>, when: &str) -> Issue {
    Issue::new(
        &rules::LIMIT_TOTAL_BYTES,
        member,
        format!(
            "The scan's budget of {} decompressed bytes was exhausted {when}; the rest was not \
             scanned",
            budget.max()
        ),
    )
}

/// The issue for an error that carries none: corruption found by a
/// decompressor or parser.
pub(crate) fn corrupt(member: Option<&str>, what: &str, error: &io::Error) -> Issue {
    Issue::new(&rules::ARCHIVE_CORRUPT, member, format!("{what}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::LIMIT_RATIO;

    #[test]
    fn issue_survives_wrapping() {
        let issue = Issue::new(&LIMIT_RATIO, Some("a.bin"), "Too much");
        let error = into_io(issue.clone());
        assert_eq!(issue_of(&error), Some(issue.clone()));

        // A layer that wraps the error in another io::Error.
        let wrapped = io::Error::other(error);
        assert_eq!(issue_of(&wrapped), Some(issue.clone()));

        // A layer that keeps it as the source of its own error type.
        #[derive(Debug, thiserror::Error)]
        #[error("outer failure")]
        struct Outer(#[source] io::Error);
        let outer = io::Error::other(Outer(into_io(issue.clone())));
        assert_eq!(issue_of(&outer), Some(issue));

        assert_eq!(issue_of(&io::Error::other("plain")), None);
        assert_eq!(
            issue_of(&io::Error::from(io::ErrorKind::UnexpectedEof)),
            None
        );
    }

    #[test]
    fn corrupt_issues_are_invalid_data() {
        let error = into_io(Issue::new(&rules::ARCHIVE_CORRUPT, None, "Bad"));
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(error.to_string(), "coverage.archive-corrupt: Bad");
    }
}
