//! The acceptance policy as code, and its evaluation into a decision.
//!
//! An organisation writes what it accepts from a supplier as a versioned TOML
//! file: per finding category, the lowest severity that blocks; the licence
//! policy and expected copyright holders the scan should apply; the content a
//! delivery must hold (SBOM, licence, passing JUnit reports, named files); how
//! fresh the advisory database must be; what waivers may lift.
//!
//! * [`Policy::parse`] reads and validates a policy, reporting every problem
//!   with its key and line ([`PolicyError`]); [`Policy::default_policy`] is
//!   the built-in default ([`DEFAULT_POLICY`]).
//! * [`evaluate`] turns the policy and what the review gathered ([`Input`]:
//!   findings, delivered files and their hashes, a reader for deliverables,
//!   advisory snapshot times, waivers, the time) into a [`Decision`]:
//!   [`Outcome`] and [`Reason`]s naming rules, files and fingerprints.
//! * [`render_lines`] prints a decision for a terminal.
//!
//! The crate is pure: it parses the text it is given and reads delivered
//! files only through the caller's reader; it knows nothing of storage,
//! scanning or the clock.
//!
//! ```
//! use oversight_policy::{Input, Outcome, Policy, evaluate};
//!
//! let policy = Policy::parse(
//!     "schema = 1\nname = \"p\"\nversion = \"1\"\n[[deliverables]]\nkind = \"license\"\n",
//!     "p.toml",
//! )
//! .unwrap();
//! let decision = evaluate(&policy, &Input {
//!     findings: &[],
//!     files: &[],
//!     read: &|_| None,
//!     components: &[],
//!     commit: None,
//!     advisories: &[],
//!     waivers: &[],
//!     now: "2026-06-01T12:00:00Z".parse().unwrap(),
//! });
//! assert_eq!(decision.outcome, Outcome::Rejected);
//! assert!(decision.reasons[0].message.starts_with("Required deliverable missing: license"));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod decision;
mod deliverables;
pub mod junit;
pub mod policy;
mod sarif;

pub use decision::{
    AdvisorySnapshot, Decision, DeliveredFile, Input, Outcome, Reason, ReasonKind, Waiver,
    evaluate, render_lines,
};
pub use junit::{JunitError, JunitSummary, junit_summary};
pub use policy::{
    DEFAULT_POLICY, Deliverable, DeliverableKind, DeliverableLimits, GitPolicy, POLICY_SCHEMA,
    Policy, PolicyError, Problem, THREAT_UNMITIGATED_RULE, Threshold, WaiverRules,
};
