//! Integration tests: written documents against the official schemas, and
//! readers, diff and VEX on real documents.

mod diff;
mod fixtures;
mod read;
mod schemas;
mod vex;
mod writers;
