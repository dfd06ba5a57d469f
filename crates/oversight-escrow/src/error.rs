//! Why a deposit could not be written or read.

use std::path::PathBuf;

/// Why a deposit could not be written or read at all. A deposit that can
/// be read but does not verify is a [`crate::VerifyReport`] with problems,
/// not an error.
#[derive(Debug, thiserror::Error)]
pub enum EscrowError {
    /// A file could not be read or written.
    #[error("Cannot {action} {}: {source}", path.display())]
    File {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A member's content did not have the size its header announced.
    #[error("Deposit member `{path}`: {written} bytes written, {expected} announced")]
    SizeMismatch {
        /// The member.
        path: String,
        /// Bytes announced in its header.
        expected: u64,
        /// Bytes written.
        written: u64,
    },
    /// The writer was used out of order (a member begun while another is open).
    #[error("Deposit writer misused: {0}")]
    Misuse(&'static str),
    /// The SSH signature could not be encoded.
    #[error("Cannot encode the SSH signature: {0}")]
    Ssh(String),
}
