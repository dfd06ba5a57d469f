//! Offline vulnerability advisory database and exact per-ecosystem version
//! matching (work in progress).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
