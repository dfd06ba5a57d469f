//! The reviewer's licence policy: which licences a delivery may carry.
//!
//! A policy is a small TOML file (never read from the delivery):
//!
//! ```toml
//! # Identifiers, or `ID WITH EXCEPTION` for one exact combination.
//! allow = ["MIT", "Apache-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0"]
//! deny = ["SSPL-1.0"]
//! allow-categories = ["permissive", "public-domain"]
//! deny-categories = ["network-copyleft", "non-commercial"]
//! ```
//!
//! A licence term is decided in this order: an `allow` entry naming the exact
//! `ID WITH EXCEPTION` allows it; a `deny` entry naming its identifier (with or
//! without exception) denies it; a denied category denies it; when both allow
//! lists are empty everything else is allowed, otherwise the term must be in
//! `allow` or in an allowed category. A term `ID+` (or `-or-later`) is allowed
//! when `ID` is, since the licensee may choose that version. A term with a
//! linking exception (Classpath, GCC runtime, LLVM…) counts as weak copyleft
//! when its licence is strong copyleft.
//!
//! Whole SPDX expressions are evaluated with the `spdx` crate: `MIT OR
//! GPL-3.0-only` passes when MIT is allowed, `AND` needs both sides.

pub mod categories;

use std::path::Path;

use serde::Deserialize;
use spdx::{Expression, LicenseItem, LicenseReq};

pub use categories::LicenseCategory;

use crate::Error;

/// A validated licence policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicensePolicy {
    allow: Vec<Term>,
    deny: Vec<Term>,
    allow_categories: Vec<LicenseCategory>,
    deny_categories: Vec<LicenseCategory>,
}

/// One `ID` or `ID WITH EXCEPTION` entry of a policy list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    license: String,
    exception: Option<String>,
}

/// The policy file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    #[serde(default)]
    allow: Vec<toml::Spanned<String>>,
    #[serde(default)]
    deny: Vec<toml::Spanned<String>>,
    #[serde(default)]
    allow_categories: Vec<toml::Spanned<String>>,
    #[serde(default)]
    deny_categories: Vec<toml::Spanned<String>>,
}

/// Whether one licence term is acceptable, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The policy accepts the term.
    Allowed,
    /// The policy rejects the term, for the given reason.
    Denied(String),
}

impl LicensePolicy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadPolicy {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            Error::Policy {
                line, key, message, ..
            } => Error::Policy {
                file: path.display().to_string(),
                line,
                key,
                message,
            },
            other => other,
        })
    }

    /// Parses and validates the text of a policy file. Unknown keys, unknown
    /// identifiers and unknown categories are errors naming the key and line.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            // The key is what precedes `=` on the line of the error.
            let line_start = text[..span.start.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line_text = text[line_start..].lines().next().unwrap_or("");
            let key = line_text
                .split_once('=')
                .map_or("", |(k, _)| k)
                .trim()
                .trim_matches(|c: char| c == '"' || c == '\'')
                .to_owned();
            Error::Policy {
                file: "licence policy".to_owned(),
                line: line_of(text, span.start),
                key,
                message: e.message().trim().to_owned(),
            }
        })?;
        let error = |key: &str, entry: &toml::Spanned<String>, message: String| Error::Policy {
            file: "licence policy".to_owned(),
            line: line_of(text, entry.span().start),
            key: key.to_owned(),
            message,
        };
        let terms = |key: &str, entries: &[toml::Spanned<String>]| {
            entries
                .iter()
                .map(|entry| Term::parse(entry.get_ref()).map_err(|m| error(key, entry, m)))
                .collect::<Result<Vec<_>, _>>()
        };
        let categories = |key: &str, entries: &[toml::Spanned<String>]| {
            entries
                .iter()
                .map(|entry| entry.get_ref().parse().map_err(|m| error(key, entry, m)))
                .collect::<Result<Vec<LicenseCategory>, _>>()
        };
        Ok(LicensePolicy {
            allow: terms("allow", &raw.allow)?,
            deny: terms("deny", &raw.deny)?,
            allow_categories: categories("allow-categories", &raw.allow_categories)?,
            deny_categories: categories("deny-categories", &raw.deny_categories)?,
        })
    }

    /// Decides one licence term of an expression.
    pub fn decide(&self, req: &LicenseReq) -> Decision {
        let license = canonical_license(&req.license);
        let or_later = matches!(req.license, LicenseItem::Spdx { or_later: true, .. });
        let exception = req.addition.as_ref().map(|a| a.to_string());
        let shown = req.to_string();
        // `X+` and `X-or-later` may be used under `X` itself, so allowing
        // `X` allows them.
        let names_license = |t: &Term| {
            t.license == license
                || (or_later && format!("{}+", t.license) == license)
                || license
                    .strip_suffix("-or-later")
                    .is_some_and(|base| t.license == format!("{base}-only"))
        };
        if self
            .allow
            .iter()
            .any(|t| t.exception.is_some() && t.exception == exception && names_license(t))
        {
            return Decision::Allowed;
        }
        if self
            .deny
            .iter()
            .any(|t| t.license == license && (t.exception.is_none() || t.exception == exception))
        {
            return Decision::Denied(format!("{shown} is in the deny list"));
        }
        let category = category_of(&license, exception.as_deref());
        if let Some(category) = category
            && self.deny_categories.contains(&category)
        {
            return Decision::Denied(format!("{shown} is {category}, a denied licence category"));
        }
        if self.allow.is_empty() && self.allow_categories.is_empty() {
            return Decision::Allowed;
        }
        let allowed_by_id = self
            .allow
            .iter()
            .any(|t| t.exception.is_none() && names_license(t));
        let allowed_by_category = category.is_some_and(|c| self.allow_categories.contains(&c));
        if allowed_by_id || allowed_by_category {
            Decision::Allowed
        } else {
            Decision::Denied(match category {
                Some(c) => format!("{shown} ({c}) is not in the allow list"),
                None => format!("{shown} has no known category and is not in the allow list"),
            })
        }
    }

    /// Evaluates a whole expression: `Ok(())` when it can be satisfied with
    /// allowed terms, otherwise the reasons of the terms that failed.
    pub fn evaluate(&self, expression: &Expression) -> Result<(), Vec<String>> {
        let allowed = expression.evaluate(|req| self.decide(req) == Decision::Allowed);
        if allowed {
            return Ok(());
        }
        let mut reasons = Vec::new();
        for req in expression.requirements() {
            if let Decision::Denied(reason) = self.decide(&req.req)
                && !reasons.contains(&reason)
            {
                reasons.push(reason);
            }
        }
        Err(reasons)
    }
}

impl Term {
    /// Parses `ID` or `ID WITH EXCEPTION`, accepting SPDX identifiers
    /// (deprecated ones too) and `LicenseRef-…`.
    fn parse(text: &str) -> Result<Term, String> {
        let expression = Expression::parse_mode(text, spdx::ParseMode::LAX)
            .map_err(|e| format!("`{text}` is not an SPDX licence identifier: {}", e.reason))?;
        let mut reqs = expression.requirements();
        let (Some(req), None) = (reqs.next(), reqs.next()) else {
            return Err(format!(
                "`{text}` is an expression; list single identifiers (`ID` or `ID WITH EXCEPTION`)"
            ));
        };
        let license = canonical_license(&req.req.license);
        Ok(Term {
            license,
            exception: req.req.addition.as_ref().map(|a| a.to_string()),
        })
    }
}

/// The identifier of a licence item as policies spell it: deprecated GNU
/// identifiers are mapped to `-only`/`-or-later`, other `+` terms keep `+`.
pub(crate) fn canonical_license(item: &LicenseItem) -> String {
    match item {
        LicenseItem::Spdx { id, or_later } => {
            let name = id.name;
            let gnu_base = ["AGPL-", "LGPL-", "GPL-", "GFDL-"]
                .iter()
                .any(|p| name.starts_with(p));
            if gnu_base && id.is_deprecated() && !name.contains("-with-") {
                let base = name.trim_end_matches('+');
                let later = *or_later || name.ends_with('+');
                let base = base.trim_end_matches("-only").trim_end_matches("-or-later");
                format!("{base}{}", if later { "-or-later" } else { "-only" })
            } else if *or_later && name.ends_with("-only") {
                format!("{}-or-later", name.trim_end_matches("-only"))
            } else if *or_later && !name.ends_with("-or-later") {
                format!("{name}+")
            } else {
                name.to_owned()
            }
        }
        LicenseItem::Other(reference) => reference.to_string(),
    }
}

/// Exceptions that allow linking without the copyleft reaching the linking work.
const LINKING_EXCEPTIONS: &[&str] = &[
    "Classpath-exception-2.0",
    "GCC-exception-2.0",
    "GCC-exception-3.1",
    "LLVM-exception",
    "Autoconf-exception-2.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Font-exception-2.0",
    "Libtool-exception",
    "OpenJDK-assembly-exception-1.0",
    "Universal-FOSS-exception-1.0",
    "eCos-exception-2.0",
    "freertos-exception-2.0",
    "u-boot-exception-2.0",
    "WxWindows-exception-3.1",
];

/// The category of a canonical licence identifier, adjusted for an exception.
pub(crate) fn category_of(license: &str, exception: Option<&str>) -> Option<LicenseCategory> {
    let category = LicenseCategory::of(license.trim_end_matches('+'))?;
    let weakens = exception.is_some_and(|e| {
        LINKING_EXCEPTIONS.contains(&e) || e.to_ascii_lowercase().contains("linking-exception")
    });
    Some(if weakens && category == LicenseCategory::StrongCopyleft {
        LicenseCategory::WeakCopyleft
    } else {
        category
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(policy: &str, expression: &str) -> Result<(), Vec<String>> {
        let policy = LicensePolicy::parse(policy).expect("valid policy");
        let expression =
            Expression::parse_mode(expression, spdx::ParseMode::LAX).expect("valid expression");
        policy.evaluate(&expression)
    }

    #[test]
    fn expressions_are_evaluated_as_a_whole() {
        let by_id = r#"allow = ["MIT", "Apache-2.0"]"#;
        let deny_gpl = r#"deny = ["GPL-3.0-only"]"#;
        let table: &[(&str, &str, bool)] = &[
            (by_id, "MIT OR GPL-3.0-only", true),
            (by_id, "MIT AND GPL-3.0-only", false),
            (by_id, "MIT AND Apache-2.0", true),
            (by_id, "(MIT OR Apache-2.0) AND BSD-3-Clause", false),
            (by_id, "Apache-2.0+", true),
            (deny_gpl, "MIT AND GPL-3.0-only", false),
            (deny_gpl, "MIT OR GPL-3.0-only", true),
            (deny_gpl, "GPL-3.0", false),
            (deny_gpl, "GPL-3.0-or-later", true),
            (
                r#"deny-categories = ["network-copyleft"]"#,
                "AGPL-3.0-only",
                false,
            ),
            (
                r#"deny-categories = ["network-copyleft"]"#,
                "AGPL-3.0-or-later OR MIT",
                true,
            ),
            (
                r#"deny-categories = ["network-copyleft"]"#,
                "GPL-3.0-only",
                true,
            ),
            (
                r#"deny-categories = ["strong-copyleft"]"#,
                "GPL-2.0-or-later",
                false,
            ),
            (
                r#"deny-categories = ["strong-copyleft"]"#,
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
                true,
            ),
            (
                r#"allow = ["GPL-2.0-or-later WITH Classpath-exception-2.0"]"#,
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
                true,
            ),
            (
                r#"allow = ["GPL-2.0-or-later WITH Classpath-exception-2.0"]"#,
                "GPL-2.0-or-later",
                false,
            ),
            (
                "allow = [\"GPL-2.0-or-later WITH Classpath-exception-2.0\"]\ndeny = [\"GPL-2.0-or-later\"]",
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
                true,
            ),
            (
                r#"allow = ["GPL-2.0-or-later"]"#,
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
                true,
            ),
            (r#"allow-categories = ["permissive"]"#, "ISC", true),
            (
                r#"allow-categories = ["permissive"]"#,
                "LGPL-2.1-only",
                false,
            ),
            (r#"allow-categories = ["weak-copyleft"]"#, "LGPL-2.1+", true),
            (
                r#"allow-categories = ["permissive"]"#,
                "LicenseRef-Acme",
                false,
            ),
            (r#"allow = ["LicenseRef-Acme"]"#, "LicenseRef-Acme", true),
            (
                r#"deny-categories = ["non-commercial"]"#,
                "CC-BY-NC-4.0",
                false,
            ),
            ("", "AGPL-3.0-only", true),
        ];
        for (policy, expression, expected) in table {
            assert_eq!(
                verdict(policy, expression).is_ok(),
                *expected,
                "policy {policy:?} on {expression}"
            );
        }
    }

    #[test]
    fn denials_explain_themselves() {
        let reasons = verdict(
            r#"deny-categories = ["network-copyleft"]"#,
            "MIT AND AGPL-3.0-only",
        )
        .expect_err("denied");
        assert_eq!(
            reasons,
            ["AGPL-3.0-only is network-copyleft, a denied licence category"]
        );
        let reasons = verdict(r#"allow = ["MIT"]"#, "Zlib").expect_err("denied");
        assert_eq!(reasons, ["Zlib (permissive) is not in the allow list"]);
    }

    #[test]
    fn deprecated_gnu_identifiers_are_canonicalised() {
        for (written, canonical) in [
            ("GPL-2.0", "GPL-2.0-only"),
            ("GPL-2.0+", "GPL-2.0-or-later"),
            ("LGPL-2.1+", "LGPL-2.1-or-later"),
            ("GPL-3.0-or-later", "GPL-3.0-or-later"),
            ("Apache-2.0+", "Apache-2.0+"),
        ] {
            let e = Expression::parse_mode(written, spdx::ParseMode::LAX).expect("parses");
            let req = e.requirements().next().expect("one term");
            assert_eq!(canonical_license(&req.req.license), canonical, "{written}");
        }
    }

    #[test]
    fn bad_policies_are_rejected_with_key_and_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("allow = [\"MIT\"]\nalow = [\"ISC\"]\n", 2, "alow"),
            ("allow = [\"MIT\",\n  \"NotALicence-9\"]\n", 2, "allow"),
            (
                "\n\ndeny-categories = [\"copyleft\"]\n",
                3,
                "deny-categories",
            ),
            ("allow = [\"MIT OR ISC\"]\n", 1, "allow"),
            ("allow = \"MIT\"\n", 1, "allow"),
        ];
        for (text, line, key) in cases {
            match LicensePolicy::parse(text) {
                Err(Error::Policy {
                    line: l, key: k, ..
                }) => {
                    assert_eq!((l, k.as_str()), (*line, *key), "{text:?}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
        let message = LicensePolicy::parse("alow = []")
            .expect_err("rejected")
            .to_string();
        assert!(
            message.contains("line 1") && message.contains("alow"),
            "{message}"
        );
    }
}
