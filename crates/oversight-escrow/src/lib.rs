//! Source-code escrow deposits.
//!
//! A deposit is one file, `<review>.tar.zst`, built from an accepted
//! review: the delivered source (`source/…`), the review's CycloneDX SBOM,
//! a licence notice, the recorded delivery manifest, a short read-me for
//! the escrow agent and, first of all, the deposit's own manifest
//! ([`DepositManifest`], `oversight-escrow/manifest.json`) with every
//! member's size and SHA-256. Beside it lie two detached signatures by the
//! instance key: `<deposit>.sig` ([`SignatureFile`], Oversight's own) and
//! `<deposit>.sshsig` (an OpenSSH signature, namespace
//! [`SSH_NAMESPACE`], checked with `ssh-keygen -Y verify` and the
//! `allowed_signers` line written with it).
//!
//! * [`write`]: the deterministic writer (fixed member order, mtime 0,
//!   uid/gid 0, mode 0644, zstd level [`ZSTD_LEVEL`], no host names), in
//!   bounded memory: content is streamed in by the caller.
//! * [`verify`](mod@verify): levels 1 (inventory and signatures) and 2
//!   (completeness: pinned components, toolchain versions, files the build
//!   files name, no binary without its source) on the deposit file alone.
//! * [`build`]: what the build files of a delivery say (toolchains,
//!   workspace members, Dockerfile sources), used by both.
//!
//! Level 3 (the agent builds the deposit) is never run here: Oversight
//! never builds supplier code. The agent's report is kept as an evidence
//! document of kind `escrow-deposit-report`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod build;
mod error;
mod manifest;
mod notice;
mod sign;
pub mod verify;
pub mod write;

pub use error::EscrowError;
pub use manifest::{
    DELIVERY_MANIFEST_PATH, DepositFile, DepositManifest, MANIFEST_PATH, MANIFEST_SCHEMA,
    NOTICE_PATH, NotIncluded, README_PATH, Role, SBOM_PATH, SOURCE_PREFIX, source_member,
};
pub use notice::{NoticeInput, notice_text};
pub use sign::{
    SIGNATURE_DOMAIN, SIGNATURE_SCHEMA, SSH_NAMESPACE, SignatureFile, SignedStatement,
    allowed_signers_line, parse_public_key, ssh_signature_pem,
};
pub use verify::{Problem, RecordedReview, VerifyOptions, VerifyReport, read_manifest, verify};
pub use write::{DepositWriter, Written, ZSTD_LEVEL, ZSTD_WORKERS};
