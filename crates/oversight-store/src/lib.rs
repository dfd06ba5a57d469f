//! Storage traits of Oversight's register and ledger.
//!
//! The use cases (`oversight-register`) talk to a [`Store`]; each backend is
//! its own crate (`oversight-store-sqlite`, `oversight-store-postgres`) with
//! its own `migrations/`. The traits are split by aggregate:
//! [`RegisterStore`] reads suppliers and engagements, [`LedgerStore`] reads the
//! ledger, and [`Store::record`] is the only way to write: it applies register
//! [`Change`]s and appends the ledger events that record them in one
//! transaction, sealing each event onto the chain head while holding a lock on
//! it, so concurrent writers never fork the chain.
//!
//! Records are edge types: an engagement's terms travel as a canonical JSON
//! `document` whose shape the register crate owns. The store never interprets
//! it.
//!
//! Which backend a URL means is decided by [`DatabaseUrl::parse`]; opening it
//! is done by `oversight_register::store::open`, the crate that depends on
//! every backend (a backend depends on this crate, so this crate cannot
//! depend on the backends).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod record;
mod review;
mod threats;
mod url;

pub use error::StoreError;
pub use record::{
    Change, EngagementHead, EngagementRecord, Entry, EventRow, SupplierRecord, head_from_row,
};
pub use review::{
    ApproverRecord, DecisionRecord, DeliveryRecord, EvidenceRecord, FindingRecord, LatestReview,
    ReviewRecord, UNCHECKED_VULNERABILITY, UNCHECKED_VULNERABILITY_RULE, WaiverRecord,
    WaiverRevocation, blocking_summary, parse_blocking_summary,
};
pub use threats::{ThreatModelEventRecord, ThreatModelRecord, ThreatModelVersion, ThreatStore};
pub use url::{DatabaseUrl, UrlError};

use oversight_ledger::{ChainHead, InstanceKey, SealedEvent};

/// Reads of the register: suppliers, engagements and the instance's public key.
#[async_trait::async_trait]
pub trait RegisterStore: Send + Sync {
    /// The supplier `id`, or [`StoreError::NotFound`].
    async fn supplier(&self, id: &str) -> Result<SupplierRecord, StoreError>;
    /// Every supplier, ordered by id.
    async fn suppliers(&self) -> Result<Vec<SupplierRecord>, StoreError>;
    /// The engagement `id`, or [`StoreError::NotFound`].
    async fn engagement(&self, id: &str) -> Result<EngagementRecord, StoreError>;
    /// Every engagement, ordered by id.
    async fn engagements(&self) -> Result<Vec<EngagementRecord>, StoreError>;
    /// Every engagement's listing columns, without the documents, ordered by id.
    async fn engagement_heads(&self) -> Result<Vec<EngagementHead>, StoreError>;
    /// The public key recorded by `oversight init` (hex), if any.
    async fn instance_key(&self) -> Result<Option<String>, StoreError>;
}

/// Reads of the ledger.
#[async_trait::async_trait]
pub trait LedgerStore: Send + Sync {
    /// Every event, in the order of their stored sequence numbers.
    ///
    /// A stored hash or signature that is not valid hex is returned as zero
    /// bytes, so that verification names that event rather than the read
    /// failing as a whole.
    async fn events(&self) -> Result<Vec<SealedEvent>, StoreError>;
    /// The chain head as recorded by the last append.
    async fn head(&self) -> Result<ChainHead, StoreError>;
}

/// Reads of the acceptance gate's records.
#[async_trait::async_trait]
pub trait ReviewStore: Send + Sync {
    /// The delivery `id` with its findings and decision, or [`StoreError::NotFound`].
    async fn review(&self, id: &str) -> Result<ReviewRecord, StoreError>;
    /// The delivery `id` and its decision, without its findings, or
    /// [`StoreError::NotFound`].
    async fn decision(&self, id: &str) -> Result<(DeliveryRecord, DecisionRecord), StoreError>;
    /// A page of the findings of delivery `id` (`offset`, `limit`, in
    /// their recorded order) and how many it has in all.
    async fn findings(
        &self,
        id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<FindingRecord>, i64), StoreError>;
    /// Deliveries of `engagement` (every engagement when `None`), oldest first,
    /// each with its decision's outcome.
    async fn deliveries(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<(DeliveryRecord, String)>, StoreError>;
    /// The latest review of every engagement that has one, ordered by engagement.
    async fn latest_reviews(&self) -> Result<Vec<LatestReview>, StoreError>;
    /// Waivers of `engagement` (every engagement when `None`), oldest first.
    async fn waivers(&self, engagement: Option<&str>) -> Result<Vec<WaiverRecord>, StoreError>;
    /// Every registered waiver approver, ordered by name.
    async fn approvers(&self) -> Result<Vec<ApproverRecord>, StoreError>;
    /// Waiver revocations of `engagement` (every engagement when `None`),
    /// oldest first.
    async fn waiver_revocations(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<WaiverRevocation>, StoreError>;
    /// Evidence documents of `engagement` (every engagement when `None`), oldest first.
    async fn evidence(&self, engagement: Option<&str>) -> Result<Vec<EvidenceRecord>, StoreError>;
}

/// A register and its ledger in one database.
#[async_trait::async_trait]
pub trait Store: RegisterStore + LedgerStore + ReviewStore + ThreatStore {
    /// Applies each entry's change and appends its event, sealed with `key`,
    /// in one transaction that holds the chain head for its whole duration.
    ///
    /// Either every change and every event is stored, or none is. A change
    /// whose expected revision does not match gives [`StoreError::Conflict`].
    async fn record(
        &self,
        entries: Vec<Entry>,
        key: &InstanceKey,
    ) -> Result<Vec<SealedEvent>, StoreError>;

    /// Where the store is, for messages, without credentials.
    fn describe(&self) -> String;

    /// The database's own check of its files (`PRAGMA integrity_check` for
    /// SQLite): `Ok(Err(report))` when it finds damage. A server that checks
    /// its pages itself answers `Ok(Ok(()))`.
    async fn integrity_check(&self) -> Result<Result<(), String>, StoreError> {
        Ok(Ok(()))
    }
}
