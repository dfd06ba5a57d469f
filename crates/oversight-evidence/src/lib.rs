//! The evidence store of Oversight: every blob a review keeps (the
//! delivered files, each distinct content once; manifests, reports, SBOMs;
//! uploaded documents such as pentest reports and certificates), named by
//! the SHA-256 of its content, so that a past review can be replayed and an
//! auditor can check that nothing changed since.
//!
//! * [`EvidenceStore`]: the store itself, async, through the `object_store`
//!   crate: a local directory (the default, beside the register's SQLite
//!   database), S3-compatible storage (`s3://bucket/prefix`) or memory.
//!   Blobs live at `sha256/<2 hex>/<62 hex>`, or, small ones a review
//!   stored, in a pack (`packs/<name>.pack` with its index
//!   `packs/<name>.idx`): thousands of small files cost one object, not
//!   thousands. Every read is hashed again:
//!   altered content is [`EvidenceError::Tampered`], never returned.
//!   [`EvidenceStore::verify`] and [`EvidenceStore::verify_all`] list missing
//!   and altered blobs for audits.
//! * [`Staging`]: where [`StagedWriter`]s (sync, `io::Write`, one per file,
//!   from any thread) spool a delivery's files while the scan reads them, in
//!   bounded memory, small ones appended to one pack; [`Staging::commit`]
//!   then stores the pack and every blob the store does not hold yet.
//!   Staging [for a local store](Staging::for_store) renames finished large
//!   blobs straight into it (one create and one rename per new blob; a known
//!   one costs a lookup in the packs' index or one `stat`), and a
//!   [prehashed writer](Staging::prehashed_writer) takes the digest from a
//!   caller that hashes the bytes anyway.
//! * [`EvidenceStore::collect_garbage`]: removes the blobs no record refers
//!   to, once older than a grace period ([`GcOptions`], [`GcReport`]).
//! * [`Digest`]: a blob's name.
//!
//! The crate knows nothing of scanning, findings or the register: it keeps
//! bytes and proves they are unchanged.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::Write;
//! use oversight_evidence::{EvidenceStore, Staging};
//!
//! let store = EvidenceStore::open("memory://")?;
//! let staging = Staging::new()?;
//! let mut writer = staging.writer();
//! writer.write_all(b"fn main() {}\n")?;
//! let (digest, _size) = writer.finish()?;
//!
//! let summary = staging.commit(&store).await?;
//! assert_eq!(summary.uploaded, 1);
//! assert_eq!(&store.get(&digest).await?[..], b"fn main() {}\n");
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod digest;
mod error;
mod gc;
mod leftovers;
mod pack;
mod staging;
mod store;

pub use digest::{Digest, ParseDigestError};
pub use error::{EvidenceError, Result};
pub use gc::{GcOptions, GcReport};
pub use leftovers::Leftovers;
pub use staging::{CommitSummary, StagedWriter, Staging};
pub use store::{BlobProblem, EvidenceStore, Fetched, Stored, UploadOptions, VerifyReport};
