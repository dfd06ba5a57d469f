//! Behaviour tests of the register: the file format, the catalogue, and one
//! story suite that runs on SQLite (a temporary file) and on PostgreSQL (a
//! fresh database per test on the local server, dropped afterwards).
//!
//! The PostgreSQL server is `$OVERSIGHT_TEST_POSTGRES` (the private cluster
//! `scripts/test` starts), or `postgres://postgres@127.0.0.1:5432/test`.

mod backend;
mod format;
mod gate;
mod story;
mod threats;
