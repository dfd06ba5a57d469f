//! The acceptance gate's records of a delivery, beside the register's rows:
//! the manifest as recorded (whose SHA-256 is the delivery's content
//! digest), the delivery's facts (files, components, licences, holders,
//! binaries, findings) and the difference between two deliveries.
//!
//! `oversight review` (the CLI) runs the scan, asks `oversight-policy` for
//! the decision, keeps these documents in `oversight-evidence` and records
//! the review through `oversight-register`. This crate does no IO.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod diff;
pub mod facts;
pub mod manifest;

pub use diff::DeliveryDiff;
pub use facts::DeliveryFacts;
pub use manifest::{Manifest, ManifestFile, ManifestSpecial, is_history_path};
