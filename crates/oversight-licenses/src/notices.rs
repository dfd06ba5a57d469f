//! `SPDX-License-Identifier:` tags and short licence notices in file headers.
//!
//! Tags are parsed as SPDX expressions in the `spdx` crate's lax mode, which
//! accepts common mistakes (`GPL-2.0+`, `MIT/Apache-2.0`, deprecated
//! identifiers). Notices are a small table of phrases mapped to SPDX
//! identifiers; GNU and other versioned families read the version and the
//! `or (at your option) any later version` clause from the text after the phrase.

use std::sync::LazyLock;

use regex::Regex;
use spdx::{Expression, ParseMode};

/// The tag that introduces an SPDX expression.
pub const SPDX_TAG: &str = "SPDX-License-Identifier";

/// How a phrase becomes an SPDX identifier.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resolve {
    /// Always this identifier.
    Fixed(&'static str),
    /// A licence family whose version follows (`GPL` → `GPL-2.0-or-later`).
    Versioned(Family),
    /// `This file is part of GNU …`: the licence is in a GNU notice nearby.
    GnuProject,
}

/// Versioned licence families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Gpl,
    Lgpl,
    LibraryGpl,
    Agpl,
    Mpl,
    Epl,
}

/// Phrases of licence notices, matched ASCII case-insensitively at word
/// boundaries.
pub(crate) const PHRASES: &[(&str, Resolve)] = &[
    ("apache license, version 2.0", Resolve::Fixed("Apache-2.0")),
    ("apache license version 2.0", Resolve::Fixed("Apache-2.0")),
    ("apache license 2.0", Resolve::Fixed("Apache-2.0")),
    (
        "gnu general public license",
        Resolve::Versioned(Family::Gpl),
    ),
    (
        "gnu lesser general public license",
        Resolve::Versioned(Family::Lgpl),
    ),
    (
        "gnu library general public license",
        Resolve::Versioned(Family::LibraryGpl),
    ),
    (
        "gnu affero general public license",
        Resolve::Versioned(Family::Agpl),
    ),
    ("mozilla public license", Resolve::Versioned(Family::Mpl)),
    ("eclipse public license", Resolve::Versioned(Family::Epl)),
    ("mit license", Resolve::Fixed("MIT")),
    ("mit licence", Resolve::Fixed("MIT")),
    ("bsd-3-clause", Resolve::Fixed("BSD-3-Clause")),
    ("bsd 3-clause", Resolve::Fixed("BSD-3-Clause")),
    ("3-clause bsd", Resolve::Fixed("BSD-3-Clause")),
    ("new bsd license", Resolve::Fixed("BSD-3-Clause")),
    ("bsd-2-clause", Resolve::Fixed("BSD-2-Clause")),
    ("bsd 2-clause", Resolve::Fixed("BSD-2-Clause")),
    ("2-clause bsd", Resolve::Fixed("BSD-2-Clause")),
    ("simplified bsd license", Resolve::Fixed("BSD-2-Clause")),
    ("boost software license", Resolve::Fixed("BSL-1.0")),
    ("isc license", Resolve::Fixed("ISC")),
    ("the unlicense", Resolve::Fixed("Unlicense")),
    (
        "free and unencumbered software released into the public domain",
        Resolve::Fixed("Unlicense"),
    ),
    ("cc0 1.0 universal", Resolve::Fixed("CC0-1.0")),
    ("this file is part of gnu", Resolve::GnuProject),
];

/// What a notice phrase resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Notice {
    /// An SPDX identifier.
    License(String),
    /// A family named without a version (`the GNU General Public License`).
    Unversioned(&'static str),
    /// A GNU project file: its licence is given by a GNU notice, if any.
    GnuProject,
}

static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:version|v)\.?\s*(\d)(?:\.(\d))?").expect("valid regex"));

/// The end of a sentence: a full stop after a word (not `v.` or `2.0`).
static SENTENCE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z]{2}\.(?:\s|$)").expect("valid regex"));

static OR_LATER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:any\s+later\s+version|or\s+later\b|or\s+\(at\s+your\s+option\)\s+any\s+later)",
    )
    .expect("valid regex")
});

/// Resolves a phrase, given the text that follows it (a few hundred bytes).
pub(crate) fn resolve(resolve: Resolve, after: &str) -> Notice {
    let family = match resolve {
        Resolve::Fixed(id) => return Notice::License(id.to_owned()),
        Resolve::GnuProject => return Notice::GnuProject,
        Resolve::Versioned(family) => family,
    };
    let (prefix, name) = match family {
        Family::Gpl => ("GPL", "GNU GPL"),
        Family::Lgpl | Family::LibraryGpl => ("LGPL", "GNU LGPL"),
        Family::Agpl => ("AGPL", "GNU AGPL"),
        Family::Mpl => ("MPL", "Mozilla Public License"),
        Family::Epl => ("EPL", "Eclipse Public License"),
    };
    // The version belongs to this notice only when it comes before the end of
    // the sentence or the next licence name.
    let sentence_end = SENTENCE_END
        .find(after)
        .map_or(after.len(), |m| m.start() + 3);
    let scope = &after[..sentence_end.min(after.len())];
    let Some(captures) = VERSION.captures(scope) else {
        return Notice::Unversioned(name);
    };
    let major = &captures[1];
    let minor = captures.get(2).map_or("0", |m| m.as_str());
    let version = match (family, major, minor) {
        (Family::LibraryGpl, "2", _) => "2.0".to_owned(),
        (_, major, minor) => format!("{major}.{minor}"),
    };
    let gnu = matches!(
        family,
        Family::Gpl | Family::Lgpl | Family::LibraryGpl | Family::Agpl
    );
    let id = if gnu {
        // The clause often sits in the next sentence.
        let mut clause_end = after.len().min(sentence_end + 200);
        while !after.is_char_boundary(clause_end) {
            clause_end -= 1;
        }
        let clause_scope = &after[..clause_end];
        let later = OR_LATER.is_match(clause_scope);
        format!(
            "{prefix}-{version}-{}",
            if later { "or-later" } else { "only" }
        )
    } else {
        format!("{prefix}-{version}")
    };
    if spdx::license_id(&id).is_some() {
        Notice::License(id)
    } else {
        Notice::Unversioned(name)
    }
}

/// The expression of an `SPDX-License-Identifier` tag, given the text after
/// the tag name up to the end of the line; `None` when this is not a tag
/// (code that mentions the tag, an empty value).
pub fn tag_value(after_tag: &str) -> Option<&str> {
    let rest = after_tag.trim_start().strip_prefix(':')?;
    let end = [
        "*/", "-->", "\"", "'", "`", "*)", "-}", "#}", "%>", "\\n", ";",
    ]
    .iter()
    .filter_map(|closer| rest.find(closer))
    .min()
    .unwrap_or(rest.len());
    let value = rest[..end].trim().trim_end_matches(['.', ',']).trim();
    (!value.is_empty()).then_some(value)
}

/// Parses the value of a tag or manifest field as an SPDX expression,
/// accepting common mistakes.
pub fn parse_expression(value: &str) -> Result<Expression, String> {
    Expression::parse_mode(value, ParseMode::LAX).map_err(|e| e.reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_values_are_cut_at_comment_closers() {
        assert_eq!(tag_value(": MIT */"), Some("MIT"));
        assert_eq!(
            tag_value(":  (MIT OR Apache-2.0) -->"),
            Some("(MIT OR Apache-2.0)")
        );
        assert_eq!(
            tag_value(": GPL-2.0-or-later WITH Linux-syscall-note"),
            Some("GPL-2.0-or-later WITH Linux-syscall-note")
        );
        assert_eq!(tag_value(":\""), None);
        assert_eq!(tag_value(" is parsed"), None);
    }

    #[test]
    fn expressions_are_parsed_leniently() {
        for ok in [
            "MIT OR Apache-2.0",
            "MIT/Apache-2.0",
            "GPL-2.0+",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "(MIT AND BSD-3-Clause) OR LicenseRef-Acme",
            "LGPL-2.1",
        ] {
            assert!(parse_expression(ok).is_ok(), "{ok}");
        }
        for bad in ["Proprietary", "MIT OR", "GPL-2.0 WITH Nonsense-exception"] {
            assert!(parse_expression(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versioned_families_read_version_and_or_later() {
        let gpl = Resolve::Versioned(Family::Gpl);
        let cases: &[(Resolve, &str, Notice)] = &[
            (
                gpl,
                " as published by the Free Software Foundation; either version 2 of the License, or\n (at your option) any later version.",
                Notice::License("GPL-2.0-or-later".into()),
            ),
            (
                gpl,
                " version 3 as published by the Free Software Foundation.",
                Notice::License("GPL-3.0-only".into()),
            ),
            (gpl, " for more details.\n", Notice::Unversioned("GNU GPL")),
            (
                gpl,
                &format!(" version 2 of the License.{}", "\u{26a1}".repeat(100)),
                Notice::License("GPL-2.0-only".into()),
            ),
            (
                Resolve::Versioned(Family::Lgpl),
                " as published by the Free Software Foundation; either\n version 2.1 of the License, or (at your option) any later version.",
                Notice::License("LGPL-2.1-or-later".into()),
            ),
            (
                Resolve::Versioned(Family::Mpl),
                ", v. 2.0. If a copy of the MPL was not distributed",
                Notice::License("MPL-2.0".into()),
            ),
            (
                Resolve::Versioned(Family::Agpl),
                " v3 as published",
                Notice::License("AGPL-3.0-only".into()),
            ),
            (
                Resolve::Versioned(Family::Epl),
                " v2.0 which accompanies",
                Notice::License("EPL-2.0".into()),
            ),
        ];
        for (resolve_with, after, expected) in cases {
            assert_eq!(&resolve(*resolve_with, after), expected, "{after}");
        }
    }
}
