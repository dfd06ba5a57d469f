//! SBOM and VEX documents for a delivery.
//!
//! * Writers: [`cyclonedx_json`] (CycloneDX 1.6) and [`spdx_json`] (SPDX 2.3)
//!   from the component inventory in an [`SbomInput`].
//! * Readers: [`read_sbom`] for supplier CycloneDX and SPDX JSON SBOMs.
//! * [`diff`]: what a supplier's SBOM leaves out, adds, or lists at other
//!   versions than the delivery contains.
//! * VEX: [`Vex::load`] reads OpenVEX 0.2.0 and CycloneDX VEX,
//!   [`Vex::status_for`] answers "what does the VEX say about this
//!   vulnerability in this package", [`openvex_json`] writes OpenVEX.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cyclonedx;
mod diff;
mod error;
mod ids;
mod input;
mod license;
mod purl;
mod read;
mod spdx;
mod time;
pub mod vex;

pub use cyclonedx::cyclonedx_json;
pub use diff::{DiffPackage, SbomDiff, VersionMismatch, diff};
pub use error::Error;
pub use input::{Analysis, Delivery, SbomInput, SbomVulnerability, Tool};
pub use read::{SbomEntry, SbomFormat, SupplierSbom, read_sbom};
pub use spdx::spdx_json;
pub use vex::{Justification, Vex, VexStatement, VexStatus, openvex_json};
