//! The application layer of Oversight: the use cases the command line and
//! the server share. Each takes a typed request; who acts is the register's
//! actor ([`oversight_register::Register::acting_as`]), so the ledger
//! records the authenticated identity, whichever adapter called.
//!
//! * [`scan`]: one pass over a delivery with every detector
//!   ([`detectors`]), then advisories, component licences and grouping.
//! * [`review`]: the acceptance gate; scans, evaluates the agreed policy,
//!   keeps the evidence and records the review in one transaction.
//! * [`diff`]: what changed in a delivery since the last accepted one.
//! * [`escrow`]: escrow deposits of accepted reviews, and their verification.
//! * [`evidence`]: evidence documents kept for an engagement.
//! * [`export`]: an engagement's evidence pack, into a directory or a
//!   zip ([`pack`]: its typed documents, and its verification).
//! * [`oscal`]: an engagement's assessment as OSCAL JSON.
//! * [`record`]: the typed documents a review records, read back as types.
//! * [`status`]: the status board as a typed document.
//! * [`threats`]: threat models of engagements, traced into reviews.
//! * [`paths`]: where data lives when nobody says otherwise.
//!
//! No printing happens here: the adapters render the typed results.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod detectors;
pub mod diff;
mod error;
pub mod escrow;
pub mod evidence;
pub mod export;
pub mod ledger;
pub mod oscal;
pub mod pack;
pub mod paths;
pub mod posture;
pub mod provenance;
pub mod record;
pub mod review;
pub mod scan;
pub mod status;
pub mod threats;
pub mod trends;

pub use error::{AppError, Result};
