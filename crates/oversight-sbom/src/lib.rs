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
//!
//! ```
//! use oversight_model::{Component, DeliveryPath, DependencyScope, Directness, Ecosystem};
//! use oversight_sbom::{Delivery, SbomInput, Tool, Vex, VexStatus, cyclonedx_json, read_sbom, diff};
//!
//! let serde = Component {
//!     ecosystem: Ecosystem::CratesIo,
//!     name: "serde".into(),
//!     version: "1.0.219".into(),
//!     purl: "pkg:cargo/serde@1.0.219".into(),
//!     directness: Directness::Direct,
//!     scope: DependencyScope::Runtime,
//!     source: DeliveryPath::root("Cargo.lock"),
//!     line: Some(1201),
//!     hashes: Vec::new(),
//!     license: Some("MIT OR Apache-2.0".into()),
//!     depends_on: Vec::new(),
//! };
//! let components = [serde];
//! let input = SbomInput {
//!     delivery: Delivery { name: "acme-portal".into(), version: None },
//!     tool: Tool { name: "oversight".into(), version: "0.1.0".into() },
//!     timestamp: "2025-03-01T10:00:00Z".into(),
//!     seed: "scan-1".into(),
//!     components: &components,
//!     vulnerabilities: &[],
//! };
//! let bom = cyclonedx_json(&input);
//! let supplied = read_sbom("ours.cdx.json", bom.as_bytes()).unwrap();
//! assert!(diff(&supplied.entries, &components).is_empty());
//!
//! let vex = Vex::load("supplier.openvex.json", br#"{
//!   "@context": "https://openvex.dev/ns/v0.2.0",
//!   "@id": "https://openvex.dev/docs/acme/vex-1",
//!   "author": "Acme", "timestamp": "2025-02-01T00:00:00Z", "version": 1,
//!   "statements": [{"vulnerability": {"name": "CVE-2025-0001"},
//!     "products": [{"@id": "pkg:cargo/serde"}],
//!     "status": "not_affected", "justification": "vulnerable_code_not_present"}]
//! }"#).unwrap();
//! let statement = vex.status_for(&["CVE-2025-0001".into()], "pkg:cargo/serde@1.0.219").unwrap();
//! assert_eq!(statement.status, VexStatus::NotAffected);
//! ```
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
