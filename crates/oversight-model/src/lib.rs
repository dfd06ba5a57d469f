//! The vocabulary every other Oversight crate speaks: what a finding is, where it
//! points, how severe it is and how much of a delivery was actually read.
//!
//! These are plain values. This crate does no IO and knows no serialisation
//! format: the report and store crates own their own wire types and convert by
//! hand, so that changing a JSON field never ripples into detectors.
//!
//! ```
//! use oversight_model::{DeliveryPath, Severity};
//! let p = DeliveryPath::root("vendor.zip").join("lib/x.js");
//! assert_eq!(p.to_string(), "vendor.zip!/lib/x.js");
//! assert!(Severity::High > Severity::Medium);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod component;
mod coverage;
mod finding;
mod git;
mod manifest;
mod path;
mod report;
mod rule;
pub mod unicode;

pub use component::{Component, ComponentHash, Directness, Ecosystem, Scope as DependencyScope};
pub use coverage::{CoverageSummary, FileClass, KindCount};
pub use finding::{Evidence, Finding, Fingerprint, LicenceKind, LicenceMatch, Location, Share};
pub use git::{GitFacts, Person};
pub use manifest::{ManifestEntry, SpecialEntry, SpecialKind};
pub use path::{DeliveryPath, name_bytes, name_from_bytes};
pub use report::{GROUP_AT, ScanReport, group_identical};
pub use rule::{Category, ParseError, Rule, Severity};

/// Version of the findings model written into every report (`schema` field).
///
/// Bump the minor part for additive changes, the major part when a field changes
/// meaning or disappears.
pub const SCHEMA_VERSION: &str = "oversight.findings/1.2";
