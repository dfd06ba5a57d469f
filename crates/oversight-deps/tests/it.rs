//! Integration tests on the shared corpora: every recognised lockfile
//! parses, and each format yields the components read from its files.

#[path = "it/common.rs"]
mod common;
#[path = "it/corpus.rs"]
mod corpus;
#[path = "it/formats.rs"]
mod formats;
#[path = "it/hostile.rs"]
mod hostile;
