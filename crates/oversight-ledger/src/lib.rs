//! The tamper-evident ledger of Oversight.
//!
//! Every change to the register is recorded as an [`Event`]: what happened
//! (`kind`), to which record (`subject`), by whom (`actor`), when
//! (`timestamp`) and the details as canonical JSON (`payload`). Sealing an
//! event gives it the next sequence number, a SHA-256 hash over the previous
//! event's hash, its own sequence number and its canonical JSON, and an Ed25519
//! signature of that hash made with the instance's [`InstanceKey`]. [`verify`]
//! recomputes all of it and names the first event that fails, so an edited,
//! deleted or reordered row is detected.
//!
//! This crate does no database IO: the stores persist [`SealedEvent`]s as
//! rows. The only file it touches is the signing key ([`keyfile`]), which is
//! kept outside the database with `0600` permissions.
//!
//! ```
//! use oversight_ledger::{ChainHead, Event, InstanceKey, verify};
//! let key = InstanceKey::generate().expect("the OS has randomness");
//! let event = Event::new("note", "demo", "alice", "2025-01-01T00:00:00Z", &serde_json::json!({"b": 1, "a": [true]}));
//! let sealed = key.seal(&ChainHead::GENESIS, event);
//! assert_eq!(sealed.seq, 1);
//! assert_eq!(sealed.event.payload, r#"{"a":[true],"b":1}"#);
//! let report = verify(&[sealed], &key.public_key()).expect("an untouched chain verifies");
//! assert_eq!(report.events, 1);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod canonical;
mod chain;
pub mod checkpoint;
pub mod document;
mod event;
pub mod keyfile;
mod verify;

pub use chain::{InstanceKey, PublicKey, event_hash};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use event::{ChainHead, Event, Hash, SealedEvent};
pub use keyfile::KeyFileError;
pub use verify::{Failure, FailureReason, VerifyReport, verify};
