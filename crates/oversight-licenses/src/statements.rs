//! Licences named in a sentence: "Licensed under the Apache License, Version
//! 2.0 or the MIT license, at your option", "@license MIT", "Released under
//! the GPLv2+", "Dual licensed under the MIT and GPL licenses", a README's
//! `## License` section that says `MIT © Jane Doe`.
//!
//! A sentence is read after a *lead* (a phrase that introduces a licence
//! statement, [`LEADS`]); every licence name, abbreviation or SPDX
//! identifier in it is found ([`NAMES`], then any SPDX identifier), and the
//! names are joined into one SPDX expression by the words between them:
//! `or`, `either`, `at your option` or `dual` give `OR`, a licence exception
//! gives `WITH`, anything else `AND`.
//!
//! GNU licences named without a version follow the licences' own rule (GPL
//! section 9, LGPL section 13/14): when a program does not specify a version,
//! any version ever published may be chosen, so an unversioned GNU GPL is
//! `GPL-1.0-or-later`, the LGPL `LGPL-2.0-or-later` (its first version as
//! the Library GPL) and the AGPL `AGPL-3.0-or-later`. "or later" is read only
//! where the text grants it (`+`, `or later`, `or (at your option) any later
//! version`).
//!
//! The table is this project's own; nothing of it comes from another tool.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use crate::notices::{self, Family, Notice, Resolve};

/// Phrases that introduce a licence statement, matched ASCII
/// case-insensitively; the sentence after each is read by [`named`].
pub(crate) const LEADS: &[&str] = &[
    "licensed under",
    "licenced under",
    "licensed as",
    "license under",
    "released under",
    "distributed under",
    "available under",
    "provided under",
    "published under",
    "dual licensed",
    "dual-licensed",
    "dually licensed",
    "under the terms of",
    "under the same terms as",
    "subject to the terms of",
    "@license",
    "license:",
    "licence:",
    "license-expression:",
    "licensed mit",
    "mit licensed",
    "mit-licensed",
    "licensed [",
    "license (",
    "dual license",
    "isc licensed",
    "same terms as perl",
    "license :: ",
    "under the apache",
    "under the mit",
    "under the gnu",
    "under the gpl",
    "under the bsd",
    "under the isc",
    "under the mozilla",
    "under an mit",
    "under a mit",
    "license = ",
];

/// How far after a lead the sentence is read, in bytes.
pub(crate) const SENTENCE: usize = 320;

/// What a name stands for.
#[derive(Debug, Clone, Copy)]
enum Meaning {
    /// This identifier.
    Id(&'static str),
    /// An expression (`same terms as Perl itself`).
    Expression(&'static str),
    /// A GNU licence named by its long or short name; the version and "or
    /// later" are read from the captures `v` (major), `m` (minor) and
    /// `later`.
    Gnu(&'static str),
    /// A family with a version in capture `v` (and `m`): `MPL`, `EPL`.
    Versioned(&'static str),
    /// An exception, joined with `WITH`.
    Exception(&'static str),
}

/// Names of licences as they are written in sentences: this project's table.
static NAMES: LazyLock<Vec<(Regex, Meaning)>> = LazyLock::new(|| {
    const VERSION: &str =
        r"(?:(?:,?\s*|-)(?:version|ver\.?|v\.?)?\s*(?P<v>\d)(?:\.(?P<m>\d))?(?:\.0)?\b)?";
    const LATER: &str = r"(?P<later>\+|-or-later|(?:,?\s*or\s*(?:\(at\s+your\s+option\)\s*)?(?:any\s+)?later(?:\s+version)?))?";
    let gnu = |long: &str, short: &str| {
        format!(
            r"(?i)(?:\b(?:the\s+)?(?:gnu\s+)?{long}(?:\s*\((?:gnu\s+)?{short}\))?|\b(?:gnu\s+)?{short}(?:\s*-?\s*licen[cs]e)?){VERSION}{LATER}"
        )
    };
    let table: Vec<(String, Meaning)> = vec![
        (
            gnu(
                r"affero\s+general\s+public\s+licen[cs]e",
                r"agpl",
            ),
            Meaning::Gnu("AGPL"),
        ),
        (
            gnu(
                r"(?:lesser|library)\s+general\s+public\s+licen[cs]e",
                r"lgpl",
            ),
            Meaning::Gnu("LGPL"),
        ),
        (
            gnu(r"general\s+public\s+licen[cs]e", r"gpl"),
            Meaning::Gnu("GPL"),
        ),
        (
            r"(?i)\bapache(?:\s+software)?(?:\s+licen[cs]e)?,?\s*\(?\s*(?:version\s*|v\.?\s*|-)?2(?:\.0)?\b".into(),
            Meaning::Id("Apache-2.0"),
        ),
        (
            r"(?i)\bapache(?:\s+software)?(?:\s+licen[cs]e)?,?\s*(?:version\s*|v\.?\s*|-)?1\.1\b".into(),
            Meaning::Id("Apache-1.1"),
        ),
        (
            format!(r"(?i)\b(?:mozilla\s+public\s+licen[cs]e|mpl)\s*-?{VERSION}"),
            Meaning::Versioned("MPL"),
        ),
        (
            format!(r"(?i)\b(?:eclipse\s+public\s+licen[cs]e|epl)\s*-?{VERSION}"),
            Meaning::Versioned("EPL"),
        ),
        (
            r"(?i)\b(?:bsd[-\s]?3[-\s]?clause|3[-\s]clause\s+bsd|new\s+bsd|revised\s+bsd|modified\s+bsd)\b".into(),
            Meaning::Id("BSD-3-Clause"),
        ),
        (
            r"(?i)\b(?:bsd[-\s]?2[-\s]?clause|2[-\s]clause\s+bsd|simplified\s+bsd|freebsd\s+licen[cs]e)\b".into(),
            Meaning::Id("BSD-2-Clause"),
        ),
        (
            r"(?i)\b(?:0bsd|zero[-\s]clause\s+bsd)\b".into(),
            Meaning::Id("0BSD"),
        ),
        (r"(?i)\bmit[-\s]0\b".into(), Meaning::Id("MIT-0")),
        (r"(?i)\b(?:the\s+)?mit\b(?:\s+licen[cs]e)?".into(), Meaning::Id("MIT")),
        (r"(?i)\bexpat\b(?:\s+licen[cs]e)?".into(), Meaning::Id("MIT")),
        (r"(?i)\bisc\b(?:\s+licen[cs]e)?".into(), Meaning::Id("ISC")),
        (
            r"(?i)\b(?:boost\s+software\s+licen[cs]e(?:,?\s*version\s*1\.0)?|bsl-1\.0)".into(),
            Meaning::Id("BSL-1.0"),
        ),
        (r"(?i)\b(?:the\s+)?unlicen[cs]e\b".into(), Meaning::Id("Unlicense")),
        (r"(?i)\bcc0(?:[-\s]1\.0)?\b".into(), Meaning::Id("CC0-1.0")),
        (r"(?i)\bzlib(?:\s+licen[cs]e)?\b".into(), Meaning::Id("Zlib")),
        (r"(?i)\bwtfpl\b".into(), Meaning::Id("WTFPL")),
        (
            r"(?i)\bblue\s*oak\s+model\s+licen[cs]e".into(),
            Meaning::Id("BlueOak-1.0.0"),
        ),
        (
            r"(?i)\bpython\s+software\s+foundation\s+licen[cs]e".into(),
            Meaning::Id("PSF-2.0"),
        ),
        (
            r"(?i)\bartistic\s+licen[cs]e,?\s*(?:version\s*)?2\.0".into(),
            Meaning::Id("Artistic-2.0"),
        ),
        (
            r"(?i)\bsame\s+terms\s+as\s+perl(?:\s*5)?(?:\s+itself)?".into(),
            Meaning::Expression("Artistic-1.0-Perl OR GPL-1.0-or-later"),
        ),
        (
            r"(?i)\bllvm[-\s]exceptions?\b".into(),
            Meaning::Exception("LLVM-exception"),
        ),
        (
            r"(?i)\bclasspath[-\s]exception(?:[-\s]2\.0)?\b".into(),
            Meaning::Exception("Classpath-exception-2.0"),
        ),
        (
            r"(?i)\bgcc\s+runtime\s+library\s+exception".into(),
            Meaning::Exception("GCC-exception-3.1"),
        ),
    ];
    table
        .into_iter()
        .map(|(re, meaning)| (Regex::new(&re).expect("valid name regex"), meaning))
        .collect()
});

/// [`NAMES`] as one set, so that a sentence is read once to learn which
/// names it holds.
static NAME_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(NAMES.iter().map(|(re, _)| re.as_str())).expect("valid name regexes")
});

/// A token that may be an SPDX identifier (`Apache-2.0`, `LGPL-2.1-or-later`).
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9+]").expect("valid regex"));

/// Where a statement ends: a blank line, or a full stop after a word
/// followed by a space and a capital (not `v.` or `2.0`).
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\n[ \t]*(?:[*#/;-]+[ \t]*)?\n|[a-z)\]]{2}\.\s+[A-Z]|[a-z)\]]{2}\.\s*$")
        .expect("valid regex")
});

/// The licence expression a statement names, if any: `sentence` is the text
/// after a lead with comment markers removed.
pub(crate) fn named(sentence: &str) -> Option<String> {
    named_at(sentence).map(|(expression, _)| expression)
}

/// [`named`], and where in `sentence` its first licence is named.
fn named_at(sentence: &str) -> Option<(String, usize)> {
    // Cut after the full stop (ASCII, so at a character boundary), or at
    // the blank line.
    let end = SENTENCE_END.find(sentence).map_or(sentence.len(), |m| {
        m.start() + m.as_str().find('.').map_or(0, |i| i + 1)
    });
    let sentence = &sentence[..end];
    let mut found: Vec<(usize, usize, Term)> = Vec::new();
    for index in NAME_SET.matches(sentence).iter() {
        let (re, meaning) = &NAMES[index];
        for captures in re.captures_iter(sentence) {
            let whole = captures.get(0).expect("group 0");
            if found
                .iter()
                .any(|&(s, e, _)| s < whole.end() && whole.start() < e)
            {
                continue;
            }
            if let Some(term) = resolve(*meaning, &captures, &sentence[whole.end()..]) {
                found.push((whole.start(), whole.end(), term));
            }
        }
    }
    for token in TOKEN.find_iter(sentence) {
        if found
            .iter()
            .any(|&(s, e, _)| s < token.end() && token.start() < e)
        {
            continue;
        }
        let text = token.as_str();
        // Identifiers only where they cannot be ordinary words or names
        // (`W3C`).
        if !text.contains(['-', '.', '+']) {
            continue;
        }
        if let Some(id) = spdx_id(text) {
            found.push((token.start(), token.end(), id));
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_by_key(|&(s, _, _)| s);
    let first = found[0].0;
    let dual = {
        let lower = sentence.to_ascii_lowercase();
        lower.contains("either")
            || lower.contains("at your option")
            || lower.contains("at your choice")
            || lower.contains("dual")
    };
    let mut out = String::new();
    let mut previous_end = 0;
    let mut ids: Vec<String> = Vec::new();
    for (start, end, term) in found {
        let between = sentence[previous_end..start].to_ascii_lowercase();
        match term {
            Term::Exception(id) => {
                if out.is_empty() || out.contains(" WITH ") {
                    continue;
                }
                out.push_str(" WITH ");
                out.push_str(id);
            }
            Term::Licence(expression) => {
                if ids.contains(&expression) {
                    previous_end = end;
                    continue;
                }
                if !out.is_empty() {
                    let or = dual
                        || between.trim() == "/"
                        || between
                            .split(|c: char| !c.is_ascii_alphabetic())
                            .any(|w| w == "or");
                    out.push_str(if or { " OR " } else { " AND " });
                }
                let compound = expression.contains(' ');
                if compound {
                    out.push('(');
                }
                out.push_str(&expression);
                if compound {
                    out.push(')');
                }
                ids.push(expression);
            }
        }
        previous_end = end;
    }
    (!out.is_empty()).then_some((out, first))
}

/// A statement that grants a licence by a name that maps to no SPDX
/// identifier ("Licensed under the BSD License", "Released under the Acme
/// Public License"): the name, for a `license.unknown` finding. "the
/// License" alone (Apache's "distributed under the License is distributed
/// on an AS IS basis") names nothing.
pub(crate) fn unnamed(sentence: &str) -> Option<String> {
    static UNNAMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?i:licen[cs]ed|released|distributed|available|dual[- ]licensed)\s+(?i:under)\s+(?i:the\s+)?(?i:terms\s+of\s+(?:the\s+)?)?((?:[A-Z][\w.-]*\s+){1,5}(?i:licen[cs]e))\b",
        )
        .expect("valid regex")
    });
    let captures = UNNAMED.captures(sentence.trim_start())?;
    let name = captures.get(1)?.as_str();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.eq_ignore_ascii_case("the license")).then_some(name)
}

/// One name found in a sentence.
#[derive(Debug, Clone)]
enum Term {
    Licence(String),
    Exception(&'static str),
}

fn resolve(meaning: Meaning, captures: &regex::Captures<'_>, after: &str) -> Option<Term> {
    let version = || {
        captures
            .name("v")
            .map(|v| (v.as_str(), captures.name("m").map_or("0", |m| m.as_str())))
    };
    match meaning {
        Meaning::Id(id) => Some(Term::Licence(id.to_owned())),
        Meaning::Expression(e) => Some(Term::Licence(e.to_owned())),
        Meaning::Exception(id) => Some(Term::Exception(id)),
        Meaning::Versioned(prefix) => {
            let (major, minor) = version()?;
            let id = format!("{prefix}-{major}.{minor}");
            spdx::license_id(&id).map(|_| Term::Licence(id))
        }
        Meaning::Gnu(prefix) => {
            let later = captures.name("later").is_some();
            let id = match version() {
                Some((major, minor)) => {
                    let version = match (prefix, major) {
                        ("LGPL", "2") if minor == "0" => "2.0".to_owned(),
                        _ => format!("{major}.{minor}"),
                    };
                    format!(
                        "{prefix}-{version}-{}",
                        if later { "or-later" } else { "only" }
                    )
                }
                None => {
                    let family = match prefix {
                        "GPL" => Family::Gpl,
                        "LGPL" => Family::Lgpl,
                        _ => Family::Agpl,
                    };
                    // A long notice gives its version later in the sentence
                    // ("… as published by the Free Software Foundation;
                    // either version 2 …").
                    match notices::resolve(Resolve::Versioned(family), after) {
                        Notice::License(id) if !later => id,
                        // No version: any version may be chosen.
                        _ => match prefix {
                            "GPL" => "GPL-1.0-or-later".to_owned(),
                            "LGPL" => "LGPL-2.0-or-later".to_owned(),
                            _ => "AGPL-3.0-or-later".to_owned(),
                        },
                    }
                }
            };
            spdx::license_id(&id).map(|_| Term::Licence(id))
        }
    }
}

/// An SPDX licence or exception identifier in any case, made current
/// (`GPL-2.0+` is `GPL-2.0-or-later`).
fn spdx_id(token: &str) -> Option<Term> {
    let token = token.trim_end_matches('.');
    // Most tokens are no identifier (`self.license`, `foo-bar`): a lookup
    // before the (costlier) expression parser.
    let base = token.trim_end_matches('+');
    let known = spdx::license_id(base).is_some()
        || spdx::identifiers::LICENSES
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(base))
        || spdx::identifiers::EXCEPTIONS
            .iter()
            .any(|e| e.name.eq_ignore_ascii_case(base));
    if !known {
        return None;
    }
    if let Some(e) = spdx::identifiers::EXCEPTIONS
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(token))
    {
        return Some(Term::Exception(e.name));
    }
    let expression = spdx::Expression::parse_mode(token, spdx::ParseMode::LAX).ok()?;
    let req = expression.requirements().next()?;
    match &req.req.license {
        spdx::LicenseItem::Spdx { .. } => Some(Term::Licence(crate::policy::canonical_license(
            &req.req.license,
        ))),
        spdx::LicenseItem::Other(_) => None,
    }
}

/// The licence a README's licence section names in its first line
/// (`MIT © Jane Doe`, `[Apache-2.0](LICENSE)`, `MIT or Apache-2.0`), when
/// that line starts with it.
pub(crate) fn section_start(line: &str) -> Option<String> {
    let line = line
        .trim()
        .trim_start_matches(['*', '_', '[', '(', '`', '-', ' ']);
    let (named, first) = named_at(line)?;
    (first == 0).then_some(named)
}

/// Whether `line` is a README heading of a licence section (`## License`,
/// `License` underlined, `**License**`).
pub(crate) fn is_licence_heading(line: &str, next: Option<&str>) -> bool {
    let t = line.trim();
    let (marked, title) = match t.strip_prefix('#') {
        Some(rest) => (true, rest.trim_start_matches('#').trim()),
        None => match t.strip_prefix("**").and_then(|r| r.strip_suffix("**")) {
            Some(inner) => (true, inner.trim()),
            None => (
                next.is_some_and(|n| {
                    let n = n.trim();
                    n.len() >= 3 && (n.bytes().all(|b| b == b'=') || n.bytes().all(|b| b == b'-'))
                }),
                t,
            ),
        },
    };
    let title = title.trim_end_matches(':').to_ascii_lowercase();
    marked
        && matches!(
            title.as_str(),
            "license"
                | "licence"
                | "licenses"
                | "licences"
                | "licensing"
                | "license and copyright"
                | "copyright and license"
                | "licence and copyright"
                | "copyright and licence"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_their_licences() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                " the Apache License, Version 2.0 or the MIT license, at your option.",
                Some("Apache-2.0 OR MIT"),
            ),
            (" MIT", Some("MIT")),
            (
                " Apache-2.0 WITH LLVM-exception",
                Some("Apache-2.0 WITH LLVM-exception"),
            ),
            (
                " the Apache License v2.0 with LLVM Exceptions.",
                Some("Apache-2.0 WITH LLVM-exception"),
            ),
            (
                " the MIT and GPL licenses.",
                Some("MIT AND GPL-1.0-or-later"),
            ),
            (" the GPLv2+", Some("GPL-2.0-or-later")),
            (" GPL v3 or later", Some("GPL-3.0-or-later")),
            (" the GNU GPL version 2.", Some("GPL-2.0-only")),
            (
                " the GNU LGPL, version 2.1 or later.",
                Some("LGPL-2.1-or-later"),
            ),
            (
                " the GNU Lesser General Public License.",
                Some("LGPL-2.0-or-later"),
            ),
            (" the Mozilla Public License, v. 2.0.", Some("MPL-2.0")),
            (" itself.", None),
            (" (at your option) any later version.", None),
            (" BSD-3-Clause", Some("BSD-3-Clause")),
            (
                " the Apache License (Version 2.0), or the MIT license,\n(the \"Licenses\") at your option.",
                Some("Apache-2.0 OR MIT"),
            ),
            ("MIT Licensed", Some("MIT")),
            (
                "MIT-licensed, by design.\n\n\u{26a1} Performance",
                Some("MIT"),
            ),
            (
                "MIT-licensed, by de.\u{26a1}\u{26a1} Performance",
                Some("MIT"),
            ),
            ("MIT/Apache-2.0 dual license", Some("MIT OR Apache-2.0")),
            (" Logo derived from W3C HTML5 Logos", None),
            (" GPL-2+", Some("GPL-2.0-or-later")),
            (" LGPL-2.1", Some("LGPL-2.1-only")),
            (" Expat", Some("MIT")),
            (" GPL 2015 edition", Some("GPL-1.0-or-later")),
            (" OSI Approved :: Apache Software License", None),
            (
                " OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
                Some("GPL-2.0-or-later"),
            ),
            (" the terms of the BSD license.", None),
            (
                " either of Apache License, Version 2.0 or MIT license",
                Some("Apache-2.0 OR MIT"),
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(named(sentence).as_deref(), *expected, "{sentence}");
        }
        assert_eq!(
            named(" same terms as Perl itself.").as_deref(),
            Some("(Artistic-1.0-Perl OR GPL-1.0-or-later)")
        );
    }

    #[test]
    fn unnamed_licences_are_named_as_written() {
        assert_eq!(
            unnamed("Distributed under the BSD License\nSee http://x").as_deref(),
            Some("BSD License")
        );
        assert_eq!(
            unnamed("distributed under the License is distributed on an"),
            None
        );
        assert_eq!(
            unnamed("Licensed under the MIT License"),
            Some("MIT License".into())
        );
    }

    #[test]
    fn readme_sections() {
        assert!(is_licence_heading("## License", None));
        assert!(is_licence_heading("License", Some("-------")));
        assert!(!is_licence_heading("License", Some("text")));
        assert!(!is_licence_heading("## Licensed code", None));
        assert_eq!(section_start("MIT © Jane Doe").as_deref(), Some("MIT"));
        assert_eq!(section_start("[MIT](LICENSE)").as_deref(), Some("MIT"));
        assert_eq!(section_start("See LICENSE.").as_deref(), None);
        assert_eq!(section_start("This code is MIT").as_deref(), None);
    }
}
