//! Integration tests of the `secret` detector on real inputs.

#[path = "it/builtin.rs"]
mod builtin;
#[path = "it/gitleaks.rs"]
mod gitleaks;
#[path = "it/recall.rs"]
mod recall;
#[path = "it/relist.rs"]
mod relist;
#[path = "it/samples.rs"]
mod samples;
#[path = "it/util.rs"]
mod util;
