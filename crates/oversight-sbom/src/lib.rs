//! SBOM and VEX documents for a delivery.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
