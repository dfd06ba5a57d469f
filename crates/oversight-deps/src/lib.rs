//! Component inventory of a delivery (work in progress).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
