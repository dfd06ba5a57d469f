//! Detectors of category `license`: which licences a delivery carries, whether
//! the reviewer's policy allows them, and whose copyright the code bears.
//!
//! The crate has one detector, [`LicenseDetector`], built by [`detector`] from
//! [`LicenseOptions`]:
//!
//! * licence and exception texts in LICENSE/COPYING/NOTICE-like files, in
//!   any other text file where licence words gather, and in header comments,
//!   matched by region against word-bigram rules built from the SPDX
//!   licence and exception texts in the `spdx` crate (see [`text`]); tags
//!   and notices inside a matched text are part of it, not other licences;
//! * `SPDX-License-Identifier:` tags and short licence notices ([`notices`]);
//! * copyright statements, their years and holders ([`copyright`]);
//! * a [`LicensePolicy`] of allowed and denied identifiers and categories,
//!   evaluated on whole SPDX expressions ([`policy`]);
//! * an ownership check against expected copyright holders.
//!
//! After the scan, [`components`] judges the declared licences of the
//! delivery's components (normalised to SPDX by [`declared`], which
//! `oversight-deps` calls for every component) and exempts vendored
//! components' files from the ownership check.
//!
//! The rules it raises are in [`rules`].
//!
//! ```
//! use oversight_detect::reference::run_detector;
//! use oversight_licenses::{LicenseOptions, LicensePolicy, detector};
//!
//! let policy = LicensePolicy::parse("deny-categories = [\"network-copyleft\"]").unwrap();
//! let detector = detector(LicenseOptions {
//!     policy: Some(policy),
//!     expected_holders: vec!["Acme GmbH".into()],
//! })
//! .unwrap();
//! let src = b"// SPDX-License-Identifier: AGPL-3.0-only\n// Copyright 2024 Other AG\n";
//! let rules: Vec<&str> = run_detector(&detector, "a.rs", src).iter().map(|e| e.rule.id).collect();
//! assert_eq!(rules, ["license.copyright", "license.foreign-copyright", "license.denied"]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bigrams;
pub mod components;
pub mod copyright;
pub mod declared;
mod detector;
mod normalise;
pub mod notices;
pub mod policy;
pub mod rules;
mod statements;
pub mod text;

use std::path::PathBuf;

pub use detector::{LicenseDetector, WHOLE_FILE_LIMIT, is_license_file};
pub use policy::{Decision, LicenseCategory, LicensePolicy};

use declared::Declared;

/// What the licence detector is configured with (by the reviewer, never by
/// the delivery).
#[derive(Debug, Clone, Default)]
pub struct LicenseOptions {
    /// Allowed and denied licences; `None` reports every licence as
    /// `license.detected`.
    pub policy: Option<LicensePolicy>,
    /// Copyright holders the code may carry (`Acme GmbH`, the supplier);
    /// empty disables the ownership check.
    pub expected_holders: Vec<String>,
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy file could not be read.
    #[error("Cannot read the licence policy {path}")]
    ReadPolicy {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The policy is not valid.
    #[error("Invalid {file}, line {line}, key `{key}`: {message}")]
    Policy {
        /// The file, or `licence policy` when parsed from text.
        file: String,
        /// 1-based line.
        line: usize,
        /// The offending key (empty when the error is not about one key).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The licence rules could not be built from the SPDX texts of the
    /// `spdx` crate.
    #[error("Cannot build the SPDX licence rules: {0}")]
    Store(String),
}

/// The version of the SPDX licence list the detector matches against, for
/// the record a review keeps.
pub fn spdx_list_version() -> &'static str {
    spdx::license_version()
}

/// The SPDX list's text of a licence or exception identifier (`MIT`,
/// `GPL-2.0-or-later`, `LLVM-exception`), from the `spdx` crate; `None` for
/// `LicenseRef-…` and unknown identifiers.
pub fn licence_text(id: &str) -> Option<&'static str> {
    let id = id.trim_end_matches('+');
    spdx::license_id(id)
        .map(|l| l.text())
        .or_else(|| spdx::exception_id(id).map(|e| e.text()))
}

/// The identifiers of an SPDX expression's terms, licences then exceptions,
/// each once, in order (`MIT OR Apache-2.0 WITH LLVM-exception` gives `MIT`,
/// `Apache-2.0`, `LLVM-exception`); empty when it is no expression.
pub fn expression_ids(expression: &str) -> Vec<String> {
    let Declared::Expression(_, parsed) = declared::classify(expression) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = Vec::new();
    for req in parsed.requirements() {
        let licence = match &req.req.license {
            spdx::LicenseItem::Spdx { id, .. } => id.name.to_owned(),
            spdx::LicenseItem::Other(other) => other.to_string(),
        };
        for id in std::iter::once(licence).chain(req.req.addition.as_ref().map(|a| a.to_string())) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Builds the licence detector. The licence rules (built from the SPDX
/// texts in a fraction of a second of CPU in a release build) are built on
/// a background thread that the first licence text waits for; build the
/// detector once per process.
pub fn detector(options: LicenseOptions) -> Result<LicenseDetector, Error> {
    LicenseDetector::new(options)
}
