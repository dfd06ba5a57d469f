//! Renders a [`ScanReport`] in the three formats a reviewer or a pipeline reads:
//!
//! - [`Format::Human`]: a table of findings, most severe first, then the coverage
//!   summary, the repository facts and a one-line verdict (see [`HumanOptions`]).
//! - [`Format::Json`]: the findings model `oversight.findings/1.x`, documented field
//!   by field in `FINDINGS.md` beside this crate's manifest ([`to_json`]).
//! - [`Format::Sarif`]: a SARIF 2.1.0 log that code-scanning platforms accept
//!   ([`to_sarif`]).
//!
//! [`write()`] renders any of them to a writer.
//!
//! **Invariant:** only the edge crates serialise.
//! `oversight-model` has no `Serialize`; this crate owns its own wire types (the
//! private `json` and `sarif` modules) and converts the model into them by hand.
//! A renamed model field therefore never changes an output format by accident,
//! and a format change is always a visible edit here (and in `FINDINGS.md`).
//!
//! **Invariant:** the outputs are deterministic.
//! Given the same report, every format produces the same bytes; only
//! `elapsed_ms` (and the human format's elapsed time) depend on the run.
//!
//! ```
//! use std::time::Duration;
//! use oversight_model::{CoverageSummary, ScanReport, Severity};
//! use oversight_report::{Format, HumanOptions};
//!
//! let report = ScanReport {
//!     target: "delivery/".into(),
//!     target_kind: "directory",
//!     findings: Vec::new(),
//!     coverage: CoverageSummary::default(),
//!     components: Vec::new(),
//!     manifest: Vec::new(),
//!     special_entries: Vec::new(),
//!     git: None,
//!     rules: Vec::new(),
//!     fail_on: Severity::High,
//!     baseline_suppressed: 0,
//!     elapsed: Duration::from_millis(12),
//!     tool_version: "0.0.0",
//! };
//! let mut out = Vec::new();
//! let format: Format = "human".parse()?;
//! oversight_report::write(&report, format, &HumanOptions::default(), &mut out)?;
//! let text = String::from_utf8(out)?;
//! assert!(text.ends_with("PASS: no finding at or above high\n"));
//!
//! let json = oversight_report::to_json(&report);
//! assert_eq!(json["schema"], oversight_model::SCHEMA_VERSION);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod baseline;
mod human;
mod json;
pub mod licences;
mod pretty;
mod sarif;
mod text;

use std::fmt;
use std::io;
use std::str::FromStr;

use oversight_model::ScanReport;

pub use human::HumanOptions;
pub use json::to_json;
pub use sarif::{INFORMATION_URI, SARIF_SCHEMA_URI, to_sarif};
pub use text::{sanitize_block, sanitize_line};

/// An output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// A table for a person at a terminal (the default).
    #[default]
    Human,
    /// The findings model as JSON (`FINDINGS.md`).
    Json,
    /// SARIF 2.1.0, for code-scanning platforms.
    Sarif,
}

impl Format {
    /// Every format, in the order they are documented.
    pub const ALL: [Format; 3] = [Format::Human, Format::Json, Format::Sarif];

    /// The names accepted by [`Format::from_str`], in the order of [`Format::ALL`].
    pub const NAMES: [&'static str; 3] = ["human", "json", "sarif"];

    /// The lower-case name used on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnknownFormat {
                input: s.to_owned(),
            })
    }
}

/// What can go wrong while rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A format name that is not one of [`Format::NAMES`].
    #[error("Unknown report format `{input}`, expected one of: human, json, sarif")]
    UnknownFormat {
        /// The rejected name.
        input: String,
    },
    /// The writer refused the output.
    #[error("Failed to write the {format} report")]
    Write {
        /// The format being written.
        format: Format,
        /// The writer's error.
        #[source]
        source: io::Error,
    },
    /// The report could not be serialised (a bug: the wire types are plain data).
    #[error("Failed to serialise the {format} report")]
    Serialize {
        /// The format being written.
        format: Format,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
}

/// Renders `report` in `format` to `out`.
///
/// `human` is only read for [`Format::Human`]. The JSON and SARIF documents are
/// pretty-printed with the documented key order and end with a newline; DEL, C1
/// controls and characters that reorder or hide text are written as `\uXXXX`
/// escapes, so the files are safe to print on a terminal.
///
/// # Errors
///
/// [`Error::Write`] when `out` fails; [`Error::Serialize`] is not expected.
pub fn write(
    report: &ScanReport,
    format: Format,
    human: &HumanOptions,
    out: &mut dyn io::Write,
) -> Result<(), Error> {
    let write_error = |source| Error::Write { format, source };
    match format {
        Format::Human => {
            let text = human::render(report, human);
            out.write_all(text.as_bytes()).map_err(write_error)?;
        }
        Format::Json => write_json(format, &json::JsonReport::from_report(report), out)?,
        Format::Sarif => write_json(format, &sarif::SarifLog::from_report(report), out)?,
    }
    out.flush().map_err(write_error)
}

/// Pretty-prints a wire type followed by a newline, telling IO failures from
/// serialisation failures.
fn write_json(
    format: Format,
    value: &impl serde::Serialize,
    out: &mut dyn io::Write,
) -> Result<(), Error> {
    pretty::to_writer_pretty(&mut *out, value).map_err(|source| {
        if source.is_io() {
            Error::Write {
                format,
                source: source.into(),
            }
        } else {
            Error::Serialize { format, source }
        }
    })?;
    out.write_all(b"\n")
        .map_err(|source| Error::Write { format, source })
}
