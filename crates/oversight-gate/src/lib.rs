//! The acceptance gate: what `oversight review` records besides the scan.
//!
//! The CLI runs the scan (with the manifest and the content tap on), the
//! policy crate decides; this crate turns the outcome into the records the
//! register stores, the blobs the evidence store keeps (manifest, report,
//! facts, policy), compares deliveries ([`DeliveryDiff`]) and checks replays.
//! It does no IO of its own.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod decision;
pub mod diff;
pub mod evidence;
pub mod facts;
pub mod manifest;
pub mod policy;

pub use decision::{Decision, Disposition, Outcome};
pub use diff::DeliveryDiff;
pub use evidence::{EvidenceError, EvidenceStore, Staging};
pub use facts::DeliveryFacts;
pub use manifest::{Manifest, ManifestFile};
pub use policy::{Policy, PolicyError};
