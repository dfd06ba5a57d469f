//! Declared licences: an SPDX expression goes into the documents as an
//! expression, anything else as a named licence.

use ::spdx::{Expression, ParseMode};

/// What a declared licence string is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Declared {
    /// A valid SPDX licence expression, in the spelling to write.
    Expression(String),
    /// Free text that is not an SPDX expression (`Custom`, `BSD style`).
    Name(String),
}

/// Classifies a declared licence with the `spdx` crate's parser: strict
/// syntax, but deprecated identifiers (`GPL-2.0`) still count, because they
/// are valid in SPDX 2.3 documents. The crates.io `/` separator
/// (`MIT/Apache-2.0`) is rewritten to `OR`. `None` for blank input.
pub(crate) fn classify(license: &str) -> Option<Declared> {
    let license = license.trim();
    if license.is_empty() {
        return None;
    }
    let mode = ParseMode {
        allow_deprecated: true,
        ..ParseMode::STRICT
    };
    if Expression::parse_mode(license, mode).is_ok() {
        return Some(Declared::Expression(license.to_owned()));
    }
    if license.contains('/') {
        let rewritten = license
            .split('/')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" OR ");
        if Expression::parse_mode(&rewritten, mode).is_ok() {
            return Some(Declared::Expression(rewritten));
        }
    }
    Some(Declared::Name(license.to_owned()))
}

/// The `LicenseRef-` and `DocumentRef-` terms of a valid expression, which an
/// SPDX document must define in `hasExtractedLicensingInfos`.
pub(crate) fn license_refs(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|term| term.starts_with("LicenseRef-"))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_names() {
        assert_eq!(
            classify("MIT OR Apache-2.0"),
            Some(Declared::Expression("MIT OR Apache-2.0".into()))
        );
        assert_eq!(
            classify("MIT/Apache-2.0"),
            Some(Declared::Expression("MIT OR Apache-2.0".into()))
        );
        assert_eq!(
            classify("GPL-2.0"),
            Some(Declared::Expression("GPL-2.0".into()))
        );
        assert_eq!(
            classify("Apache-2.0 WITH LLVM-exception"),
            Some(Declared::Expression(
                "Apache-2.0 WITH LLVM-exception".into()
            ))
        );
        assert_eq!(
            classify("BSD style"),
            Some(Declared::Name("BSD style".into()))
        );
        assert_eq!(classify("  "), None);
        assert_eq!(
            license_refs("MIT AND (LicenseRef-acme OR Apache-2.0)"),
            ["LicenseRef-acme"]
        );
    }
}
