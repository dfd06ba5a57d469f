//! The engagement register of Oversight: who develops what for the
//! organisation, and what was agreed with them for every factor of ISO/IEC
//! 27001:2022 A.8.30.
//!
//! - Domain types: [`Supplier`], [`Engagement`] and its [`Terms`], validated
//!   ids ([`EngagementId`], [`SupplierId`]). They derive no serde.
//! - [`catalogue`]: the requirement catalogue shipped with Oversight
//!   (`catalogue/requirements.toml`) plus user files.
//! - [`format`]: register as code, the TOML edge format of engagements and
//!   suppliers (the only serde types here).
//! - [`Register`]: the use cases the CLI calls (`init`, `supplier_*`,
//!   `engagement_*`, `ledger_*`). Every change goes through the store in one
//!   transaction with the ledger event that records it.
//! - [`store`]: opening a store by [`DatabaseUrl`](oversight_store::DatabaseUrl).
//!
//! ```
//! use oversight_register::{Catalogue, format};
//! let text = r#"
//! id = "acme-portal"
//! supplier = "acme"
//! system = "Customer portal"
//! owner = "jane@example.org"
//! status = "active"
//! start = 2025-01-15
//! [escrow]
//! agent = "Example Escrow Ltd"
//! deposit_frequency = "quarterly"
//! "#;
//! let engagement = format::parse_engagement(text, "acme.toml", &Catalogue::builtin()).unwrap();
//! assert_eq!(engagement.id.as_str(), "acme-portal");
//! let shown = format::render_engagement(&engagement);
//! assert_eq!(format::parse_engagement(&shown, "shown", &Catalogue::builtin()).unwrap(), engagement);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod approval;
pub mod catalogue;
mod engagement;
pub mod escrow;
pub mod format;
mod id;
mod names;
mod parsed;
mod register;
mod review;
pub mod status;
pub mod store;
mod supplier;
pub mod threats;

pub use catalogue::{Catalogue, CatalogueError, Requirement};
pub use engagement::{
    Acceptance, AgreedPolicy, AgreedRequirement, Assurance, DevelopmentEnvironment, Engagement,
    EngagementStatus, Escrow, EvidenceRequirement, Factor, Frequency, Legislation, Licensing,
    RightToAudit, SecurityRequirements, Terms, Testing, ThreatModel, VerificationMethod,
};
pub use id::{EngagementId, IdError, SupplierId};
pub use names::UnknownName;
pub use register::{
    ApplyOutcome, EngagementSummary, PolicyFiles, Register, RegisterError, default_checkpoint_log,
};
pub use review::{
    EvidenceRequest, WaiverRequest, agreed_policy, evidence_digest, new_id, review_digest,
    revocation_digest, waiver_digest,
};
pub use supplier::{Contact, SubSupplier, Supplier};
