//! The one error type of the use cases: each variant says which part of the
//! work failed, and wraps the typed error of the crate that failed.

use std::path::PathBuf;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be carried out as asked: the message says why
    /// (an engagement that refuses deliveries, an agreed policy missing).
    #[error("{0}")]
    Refused(String),
    /// A file the request names cannot be read.
    #[error("Cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file cannot be written.
    #[error("Cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The register refused or failed.
    #[error(transparent)]
    Register(#[from] oversight_register::RegisterError),
    /// The evidence store failed.
    #[error(transparent)]
    Evidence(#[from] oversight_evidence::EvidenceError),
    /// An acceptance policy is invalid.
    #[error(transparent)]
    Policy(#[from] oversight_policy::PolicyError),
    /// The reviewer's scan configuration is invalid.
    #[error(transparent)]
    Config(#[from] oversight_scan::config::ConfigError),
    /// The scanner could not be built.
    #[error(transparent)]
    Build(#[from] oversight_scan::BuildError),
    /// The target could not be scanned.
    #[error(transparent)]
    Scan(#[from] oversight_scan::ScanError),
    /// The licence detector could not be set up.
    #[error(transparent)]
    Licences(#[from] oversight_licenses::Error),
    /// The secret rules are invalid.
    #[error(transparent)]
    Secrets(#[from] oversight_secrets::ConfigError),
    /// The advisory index cannot be opened.
    #[error("Cannot open the advisory index in `{dir}`: {source}")]
    Advisories {
        /// Where it was looked for.
        dir: PathBuf,
        /// Why.
        source: oversight_advisories::Error,
    },
    /// A VEX document is invalid.
    #[error(transparent)]
    Vex(#[from] oversight_sbom::Error),
    /// The baseline file is invalid.
    #[error(transparent)]
    Baseline(#[from] oversight_report::baseline::BaselineError),
    /// A report could not be rendered.
    #[error(transparent)]
    Report(#[from] oversight_report::Error),
    /// An escrow deposit could not be written or read.
    #[error(transparent)]
    Escrow(#[from] oversight_escrow::EscrowError),
    /// A recorded document cannot be read back.
    #[error("{what} is corrupt: {reason}")]
    Corrupt {
        /// Which record or blob.
        what: String,
        /// Why.
        reason: String,
    },
}

/// The result of a use case.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// Whether trying again later may succeed: the database, the evidence
    /// store or the local disk failed, not the request. A review job is
    /// retried for these and ends at once for the others.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        use oversight_evidence::EvidenceError as E;
        use oversight_register::RegisterError as R;
        use oversight_store::StoreError as S;
        match self {
            AppError::Register(R::Store(S::Other { .. } | S::Conflict(_))) => true,
            AppError::Evidence(e) => matches!(
                e,
                E::Store { .. } | E::List { .. } | E::File { .. } | E::Pack { .. }
            ),
            AppError::Read { .. } | AppError::Write { .. } => true,
            _ => false,
        }
    }
}
