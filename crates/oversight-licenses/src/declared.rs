//! Licences as package manifests declare them, turned into SPDX expressions.
//!
//! Manifests write licences in many ways: valid SPDX expressions (`MIT OR
//! Apache-2.0`), the crates.io `/` separator (`MIT/Apache-2.0`), names
//! (`Apache License, Version 2.0`, `The MIT License`), Python trove
//! classifiers (`License :: OSI Approved :: MIT License`) and licence URLs
//! (Maven's `<url>`). [`normalise`] maps each term to an SPDX identifier when
//! the name is unambiguous and otherwise keeps the declaration as written, so
//! that the policy reports it as unknown. This is the one place of the
//! mapping: `oversight-deps` calls it for every component, and
//! [`classify`] decides what a stored value is.
//!
//! The `spdx` crate's `imprecise` parse mode is not used: it maps by prefix
//! (`Apache License 1.1` would become `Apache-2.0`, `BSD License` would become
//! `BSD-2-Clause`, `gnu gpl v2` would become `GPL-3.0-only`), which is exactly
//! the guessing a licence review must not do.
//!
//! ```
//! use oversight_licenses::declared::{Declared, classify, normalise};
//!
//! assert_eq!(normalise("Apache License, Version 2.0"), "Apache-2.0");
//! assert_eq!(normalise("MIT/Apache-2.0"), "MIT OR Apache-2.0");
//! assert_eq!(normalise("BSD License"), "BSD License");
//! assert!(matches!(classify("BSD License"), Declared::Unknown { .. }));
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use spdx::{Expression, ParseMode};

/// What a declared licence value is, once normalised.
#[derive(Debug, Clone)]
pub enum Declared {
    /// A valid SPDX expression (deprecated identifiers allowed).
    Expression(String, Box<Expression>),
    /// A Cargo `license-file`: the licence is only in the named file.
    LicenseFile(String),
    /// Text that cannot be mapped to SPDX identifiers, with the reason.
    Unknown {
        /// The declaration as written.
        text: String,
        /// Why it cannot be mapped.
        reason: String,
    },
}

/// The prefix under which a component records a Cargo `license-file`.
pub const LICENSE_FILE_PREFIX: &str = "license-file: ";

/// Parse mode for stored values: SPDX syntax, deprecated identifiers allowed
/// (they are valid in SPDX 2.3 documents), no guessing of names.
const MODE: ParseMode = ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

/// The SPDX expression for a declared licence when it can be mapped without
/// guessing, otherwise the declaration as written (trimmed). Idempotent.
pub fn normalise(raw: &str) -> String {
    let text = raw.trim();
    if text.is_empty() || text.starts_with(LICENSE_FILE_PREFIX) {
        return text.to_owned();
    }
    if Expression::parse_mode(text, MODE).is_ok() {
        return text.to_owned();
    }
    // A valid expression in the wrong case (`mit or apache-2.0`) or with
    // `/` for OR: rebuilt term by term.
    if let Some(expression) = terms(text) {
        return expression;
    }
    if let Some(id) = by_name(text) {
        return id.to_owned();
    }
    text.to_owned()
}

/// Classifies a stored (normalised) value.
pub fn classify(value: &str) -> Declared {
    let value = value.trim();
    if let Some(file) = value.strip_prefix(LICENSE_FILE_PREFIX) {
        return Declared::LicenseFile(file.to_owned());
    }
    let normalised = normalise(value);
    match Expression::parse_mode(&normalised, MODE) {
        Ok(e) => Declared::Expression(normalised, Box::new(e)),
        Err(e) => Declared::Unknown {
            text: value.to_owned(),
            reason: if ambiguous(value) {
                "the name fits several licences".to_owned()
            } else if value.to_ascii_uppercase().starts_with("SEE LICENSE IN") {
                "the licence is only in a file of the package".to_owned()
            } else {
                format!("not an SPDX expression ({})", e.reason)
            },
        },
    }
}

/// An expression whose terms are each an identifier or a known name, joined
/// by `OR`/`AND` (any case) or `/`.
fn terms(text: &str) -> Option<String> {
    let spaced = text.replace('/', " OR ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut operators = 0;
    let flush = |current: &mut Vec<&str>, out: &mut Vec<String>| -> Option<()> {
        let term = current.join(" ");
        current.clear();
        out.push(term_id(&term)?);
        Some(())
    };
    for word in words {
        let upper = word.to_ascii_uppercase();
        if (upper == "OR" || upper == "AND") && !current.is_empty() {
            flush(&mut current, &mut out)?;
            out.push(upper);
            operators += 1;
        } else {
            current.push(word);
        }
    }
    if current.is_empty() {
        return None;
    }
    flush(&mut current, &mut out)?;
    // A single term is left to `by_name`, which knows more spellings.
    if operators == 0 && out.len() == 1 && !text.contains('/') {
        let id = out.pop()?;
        return (id != text).then_some(id);
    }
    let expression = out.join(" ");
    Expression::parse_mode(&expression, MODE)
        .is_ok()
        .then_some(expression)
}

/// One term: an SPDX identifier in any case, or a known name.
fn term_id(term: &str) -> Option<String> {
    let term = term.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    if term.is_empty() {
        return None;
    }
    if Expression::parse_mode(term, MODE).is_ok() {
        return Some(term.to_owned());
    }
    if let Some(id) = spdx::license_id(term).or_else(|| {
        // Case-insensitive identifier lookup.
        spdx::identifiers::LICENSES
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(term))
            .and_then(|l| spdx::license_id(l.name))
    }) {
        return Some(id.name.to_owned());
    }
    by_name(term).map(str::to_owned)
}

/// Names that fit several licences; never mapped.
fn ambiguous(text: &str) -> bool {
    matches!(
        key(text).as_str(),
        "bsd"
            | "bsd style"
            | "bsd like"
            | "gpl"
            | "gnu gpl"
            | "gnu general public"
            | "lgpl"
            | "gnu lesser general public"
            | "gnu library general public"
            | "agpl"
            | "mpl"
            | "mozilla public"
            | "epl"
            | "eclipse public"
            | "cc by"
            | "creative commons"
            | "dual"
            | "public domain"
            | "osi approved"
            | "other proprietary"
    )
}

/// The SPDX identifier of a licence name, trove classifier or URL.
pub fn by_name(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if let Some(id) = by_url(text) {
        return Some(id);
    }
    // Trove classifiers: the last segment names the licence.
    let name = if text.starts_with("License ::") {
        text.rsplit("::").next().unwrap_or(text).trim()
    } else {
        text
    };
    if let Some(id) = known(name) {
        return Some(id);
    }
    // `GNU General Public License v2 (GPLv2)`, `The MIT License (MIT)`: the
    // name without its parenthesised abbreviation, or the abbreviation.
    let (before, inside) = name.split_once('(')?;
    let inside = inside.trim_end().strip_suffix(')')?;
    let outer = known(before);
    let inner = known(inside);
    match (outer, inner) {
        (Some(a), Some(b)) if a != b => None,
        (a, b) => a.or(b),
    }
}

/// A name from the table, or the full name of an SPDX licence
/// (`Mozilla Public License 2.0`, `GNU General Public License v2.0 only`).
fn known(name: &str) -> Option<&'static str> {
    static FULL_NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
        let mut map = HashMap::new();
        // Current identifiers first, so that a deprecated one with the same
        // full name never replaces them.
        for deprecated in [false, true] {
            for license in spdx::identifiers::LICENSES {
                let id = spdx::license_id(license.name);
                if id.is_some_and(|id| id.is_deprecated() == deprecated) {
                    map.entry(key(license.full_name)).or_insert(license.name);
                }
            }
        }
        map
    });
    let key = key(name);
    NAMES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .or_else(|| FULL_NAMES.get(&key).copied())
}

/// Licence URLs as Maven and NuGet (`licenseUrl`) record them.
fn by_url(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.trim_end_matches('/');
    let rest = rest
        .strip_suffix(".txt")
        .or_else(|| rest.strip_suffix(".html"))
        .or_else(|| rest.strip_suffix(".php"))
        .unwrap_or(rest);
    let id = match rest {
        "apache.org/licenses/license-2.0" | "opensource.org/licenses/apache-2.0" => "Apache-2.0",
        "opensource.org/licenses/mit" | "opensource.org/licenses/mit-license" => "MIT",
        "opensource.org/licenses/bsd-3-clause" => "BSD-3-Clause",
        "opensource.org/licenses/bsd-2-clause" => "BSD-2-Clause",
        "opensource.org/licenses/isc" | "opensource.org/licenses/isc-license" => "ISC",
        "mozilla.org/mpl/2.0" | "opensource.org/licenses/mpl-2.0" => "MPL-2.0",
        "eclipse.org/legal/epl-v10" | "opensource.org/licenses/epl-1.0" => "EPL-1.0",
        "eclipse.org/legal/epl-2.0" | "opensource.org/licenses/epl-2.0" => "EPL-2.0",
        "gnu.org/licenses/gpl-2.0" | "gnu.org/licenses/old-licenses/gpl-2.0" => "GPL-2.0-only",
        "gnu.org/licenses/gpl-3.0" => "GPL-3.0-only",
        "gnu.org/licenses/lgpl-2.1" | "gnu.org/licenses/old-licenses/lgpl-2.1" => "LGPL-2.1-only",
        "gnu.org/licenses/lgpl-3.0" => "LGPL-3.0-only",
        "gnu.org/licenses/agpl-3.0" => "AGPL-3.0-only",
        "unlicense.org" => "Unlicense",
        "creativecommons.org/publicdomain/zero/1.0" => "CC0-1.0",
        "boost.org/license_1_0" => "BSL-1.0",
        _ => {
            let id = rest
                .strip_prefix("spdx.org/licenses/")
                .or_else(|| rest.strip_prefix("opensource.org/licenses/"))?;
            return spdx::identifiers::LICENSES
                .iter()
                .find(|l| l.name.eq_ignore_ascii_case(id))
                .map(|l| l.name);
        }
    };
    Some(id)
}

/// A licence name reduced to lowercase words without filler (`the`,
/// `license`, `version`, `v`), versions written `N.M`, `or later` as `+`.
fn key(name: &str) -> String {
    let lower = name.to_lowercase().replace("or any later", "or later");
    let mut words: Vec<String> = Vec::new();
    for word in lower.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '+')) {
        let word = word.trim_matches('.');
        if word.is_empty()
            || matches!(
                word,
                "the" | "license" | "licence" | "licensed" | "version" | "v" | "only" | "-"
            )
        {
            continue;
        }
        let word = match word.strip_prefix('v') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => word,
        };
        let word = if word.bytes().all(|b| b.is_ascii_digit()) {
            format!("{word}.0")
        } else {
            word.to_owned()
        };
        words.push(word);
    }
    let mut joined = words.join(" ");
    if let Some(base) = joined.strip_suffix(" or later") {
        joined = format!("{base}+");
    }
    joined
}

/// Known names, as [`key`] reduces them, and their SPDX identifiers.
const NAMES: &[(&str, &str)] = &[
    ("mit", "MIT"),
    ("mit expat", "MIT"),
    ("expat", "MIT"),
    ("mit no attribution", "MIT-0"),
    ("mit no attribution mit 0", "MIT-0"),
    ("x11", "X11"),
    ("apache 2.0", "Apache-2.0"),
    ("apache2", "Apache-2.0"),
    ("apache2.0", "Apache-2.0"),
    ("apache 2", "Apache-2.0"),
    ("apache software 2.0", "Apache-2.0"),
    ("apache software", "Apache-2.0"),
    ("asl 2.0", "Apache-2.0"),
    ("al 2.0", "Apache-2.0"),
    ("apache 1.1", "Apache-1.1"),
    ("apache software 1.1", "Apache-1.1"),
    ("apache 1.0", "Apache-1.0"),
    ("bsd 3 clause", "BSD-3-Clause"),
    ("bsd 3.0 clause", "BSD-3-Clause"),
    ("3 clause bsd", "BSD-3-Clause"),
    ("3.0 clause bsd", "BSD-3-Clause"),
    ("new bsd", "BSD-3-Clause"),
    ("bsd new", "BSD-3-Clause"),
    ("modified bsd", "BSD-3-Clause"),
    ("revised bsd", "BSD-3-Clause"),
    ("bsd 2 clause", "BSD-2-Clause"),
    ("bsd 2.0 clause", "BSD-2-Clause"),
    ("2 clause bsd", "BSD-2-Clause"),
    ("2.0 clause bsd", "BSD-2-Clause"),
    ("simplified bsd", "BSD-2-Clause"),
    ("freebsd", "BSD-2-Clause"),
    ("0bsd", "0BSD"),
    ("zero clause bsd", "0BSD"),
    ("isc", "ISC"),
    ("iscl", "ISC"),
    ("mpl 2.0", "MPL-2.0"),
    ("mozilla public 2.0", "MPL-2.0"),
    ("mpl 1.1", "MPL-1.1"),
    ("mozilla public 1.1", "MPL-1.1"),
    ("epl 1.0", "EPL-1.0"),
    ("eclipse public 1.0", "EPL-1.0"),
    ("epl 2.0", "EPL-2.0"),
    ("eclipse public 2.0", "EPL-2.0"),
    ("edl 1.0", "BSD-3-Clause"),
    ("eclipse distribution 1.0", "BSD-3-Clause"),
    ("gpl 2.0", "GPL-2.0-only"),
    ("gplv2", "GPL-2.0-only"),
    ("gnu gpl 2.0", "GPL-2.0-only"),
    ("gnu gplv2", "GPL-2.0-only"),
    ("gnu general public 2.0", "GPL-2.0-only"),
    ("gpl 2.0+", "GPL-2.0-or-later"),
    ("gplv2+", "GPL-2.0-or-later"),
    ("gnu gpl 2.0+", "GPL-2.0-or-later"),
    ("gnu general public 2.0+", "GPL-2.0-or-later"),
    ("gpl 3.0", "GPL-3.0-only"),
    ("gplv3", "GPL-3.0-only"),
    ("gnu gpl 3.0", "GPL-3.0-only"),
    ("gnu gplv3", "GPL-3.0-only"),
    ("gnu general public 3.0", "GPL-3.0-only"),
    ("gpl 3.0+", "GPL-3.0-or-later"),
    ("gplv3+", "GPL-3.0-or-later"),
    ("gnu gpl 3.0+", "GPL-3.0-or-later"),
    ("gnu general public 3.0+", "GPL-3.0-or-later"),
    ("lgpl 2.1", "LGPL-2.1-only"),
    ("lgplv2.1", "LGPL-2.1-only"),
    ("gnu lgpl 2.1", "LGPL-2.1-only"),
    ("gnu lesser general public 2.1", "LGPL-2.1-only"),
    ("lgpl 2.1+", "LGPL-2.1-or-later"),
    ("lgplv2.1+", "LGPL-2.1-or-later"),
    ("gnu lesser general public 2.1+", "LGPL-2.1-or-later"),
    ("lgpl 2.0", "LGPL-2.0-only"),
    ("lgplv2", "LGPL-2.0-only"),
    ("gnu lesser general public 2.0", "LGPL-2.0-only"),
    ("gnu library general public 2.0", "LGPL-2.0-only"),
    ("lgpl 2.0+", "LGPL-2.0-or-later"),
    ("lgplv2+", "LGPL-2.0-or-later"),
    ("gnu lesser general public 2.0+", "LGPL-2.0-or-later"),
    ("gnu library general public 2.0+", "LGPL-2.0-or-later"),
    ("lgpl 3.0", "LGPL-3.0-only"),
    ("lgplv3", "LGPL-3.0-only"),
    ("gnu lgpl 3.0", "LGPL-3.0-only"),
    ("gnu lesser general public 3.0", "LGPL-3.0-only"),
    ("lgpl 3.0+", "LGPL-3.0-or-later"),
    ("lgplv3+", "LGPL-3.0-or-later"),
    ("gnu lesser general public 3.0+", "LGPL-3.0-or-later"),
    ("agpl 3.0", "AGPL-3.0-only"),
    ("agplv3", "AGPL-3.0-only"),
    ("gnu agpl 3.0", "AGPL-3.0-only"),
    ("gnu affero general public 3.0", "AGPL-3.0-only"),
    ("agpl 3.0+", "AGPL-3.0-or-later"),
    ("agplv3+", "AGPL-3.0-or-later"),
    ("gnu affero general public 3.0+", "AGPL-3.0-or-later"),
    ("unlicense", "Unlicense"),
    ("cc0", "CC0-1.0"),
    ("cc0 1.0", "CC0-1.0"),
    ("cc0 1.0 universal", "CC0-1.0"),
    ("creative commons zero 1.0 universal", "CC0-1.0"),
    ("wtfpl", "WTFPL"),
    ("zlib", "Zlib"),
    ("zlib libpng", "Zlib"),
    ("bsl 1.0", "BSL-1.0"),
    ("boost", "BSL-1.0"),
    ("boost software", "BSL-1.0"),
    ("boost software 1.0", "BSL-1.0"),
    ("psf", "PSF-2.0"),
    ("psf 2.0", "PSF-2.0"),
    ("psfl", "PSF-2.0"),
    ("python software foundation", "PSF-2.0"),
    ("upl", "UPL-1.0"),
    ("upl 1.0", "UPL-1.0"),
    ("universal permissive", "UPL-1.0"),
    ("universal permissive 1.0", "UPL-1.0"),
    ("zope public", "ZPL-2.1"),
    ("zpl 2.1", "ZPL-2.1"),
    ("artistic 2.0", "Artistic-2.0"),
    ("cddl 1.0", "CDDL-1.0"),
    ("common development and distribution 1.0", "CDDL-1.0"),
    ("cddl 1.1", "CDDL-1.1"),
    ("ms pl", "MS-PL"),
    ("microsoft public", "MS-PL"),
    ("isc license iscl", "ISC"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_mapped_when_unambiguous() {
        let table: &[(&str, &str)] = &[
            ("MIT", "MIT"),
            ("MIT License", "MIT"),
            ("The MIT License (MIT)", "MIT"),
            ("mit", "MIT"),
            ("Apache 2.0", "Apache-2.0"),
            ("Apache License, Version 2.0", "Apache-2.0"),
            ("The Apache Software License, Version 2.0", "Apache-2.0"),
            ("Apache-2", "Apache-2.0"),
            ("Apache License 1.1", "Apache-1.1"),
            ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("mit or apache-2.0", "MIT OR Apache-2.0"),
            (
                "Apache-2.0 WITH LLVM-exception",
                "Apache-2.0 WITH LLVM-exception",
            ),
            ("GPL-2.0", "GPL-2.0"),
            ("GPLv3+", "GPL-3.0-or-later"),
            ("GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
            (
                "GNU General Public License v3 or later (GPLv3+)",
                "GPL-3.0-or-later",
            ),
            (
                "GNU Lesser General Public License v2 or later (LGPLv2+)",
                "LGPL-2.0-or-later",
            ),
            ("License :: OSI Approved :: MIT License", "MIT"),
            (
                "License :: OSI Approved :: Apache Software License",
                "Apache-2.0",
            ),
            ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
            ("Eclipse Public License - v 1.0", "EPL-1.0"),
            ("Eclipse Public License - v 2.0", "EPL-2.0"),
            ("New BSD License", "BSD-3-Clause"),
            ("BSD 3-Clause", "BSD-3-Clause"),
            ("3-Clause BSD License", "BSD-3-Clause"),
            (
                "https://www.apache.org/licenses/LICENSE-2.0.txt",
                "Apache-2.0",
            ),
            ("http://opensource.org/licenses/MIT", "MIT"),
            (
                "https://spdx.org/licenses/BSD-2-Clause.html",
                "BSD-2-Clause",
            ),
            ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
            ("Python Software Foundation License", "PSF-2.0"),
            // Ambiguous or not a licence: kept as written.
            ("BSD License", "BSD License"),
            ("BSD", "BSD"),
            ("GPL", "GPL"),
            ("GNU GPL", "GNU GPL"),
            ("LGPL", "LGPL"),
            ("Public Domain", "Public Domain"),
            ("Proprietary", "Proprietary"),
            ("SEE LICENSE IN LICENSE.txt", "SEE LICENSE IN LICENSE.txt"),
            (
                "License :: OSI Approved :: BSD License",
                "License :: OSI Approved :: BSD License",
            ),
            ("MIT, Apache 2.0", "MIT, Apache 2.0"),
        ];
        for (written, expected) in table {
            assert_eq!(normalise(written), *expected, "{written}");
            assert_eq!(normalise(expected), *expected, "idempotent on {expected}");
        }
    }

    #[test]
    fn stored_values_are_classified() {
        assert!(matches!(
            classify("MIT OR Apache-2.0"),
            Declared::Expression(..)
        ));
        assert!(matches!(classify("GPL-2.0+"), Declared::Expression(..)));
        assert!(matches!(
            classify("LicenseRef-Acme"),
            Declared::Expression(..)
        ));
        match classify("BSD License") {
            Declared::Unknown { reason, .. } => assert!(reason.contains("several"), "{reason}"),
            other => panic!("{other:?}"),
        }
        match classify("license-file: LICENSE-COMMERCIAL") {
            Declared::LicenseFile(f) => assert_eq!(f, "LICENSE-COMMERCIAL"),
            other => panic!("{other:?}"),
        }
    }
}
