//! Integration tests: written documents against the official schemas, and
//! readers, diff and VEX on real documents.

mod fixtures;
mod schemas;
mod writers;
