//! SBOM and VEX documents for a delivery.
//!
//! * Writers: [`cyclonedx_json`] (CycloneDX 1.6) and [`spdx_json`] (SPDX 2.3)
//!   from the component inventory in an [`SbomInput`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cyclonedx;
mod ids;
mod input;
mod license;
mod purl;
mod spdx;
pub mod vex;

pub use cyclonedx::cyclonedx_json;
pub use input::{Analysis, Delivery, SbomInput, SbomVulnerability, Tool};
pub use spdx::spdx_json;
pub use vex::{Justification, VexStatus};
