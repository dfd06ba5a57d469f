//! The records a store keeps and the changes it applies.

use oversight_ledger::{ChainHead, Event, Hash, SealedEvent};

use crate::StoreError;

/// A supplier as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierRecord {
    /// The supplier's id (a slug).
    pub id: String,
    /// Display name, kept as a column for listing.
    pub name: String,
    /// The whole supplier as canonical JSON; its shape is the register's.
    pub document: String,
    /// Incremented by every change, from 1.
    pub revision: i64,
}

/// An engagement as stored: the columns that lists and status queries need,
/// plus the whole engagement as a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementRecord {
    /// The engagement's id (a slug).
    pub id: String,
    /// The supplier's id; the supplier must exist.
    pub supplier_id: String,
    /// The system being built.
    pub system: String,
    /// The organisation's owner of the engagement.
    pub owner: String,
    /// Lifecycle status (`planned`, `active`, …).
    pub status: String,
    /// Start date, `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// End date, `YYYY-MM-DD`.
    pub end_date: Option<String>,
    /// The whole engagement as canonical JSON; its shape is the register's.
    pub document: String,
    /// Incremented by every change, from 1.
    pub revision: i64,
}

/// An engagement's listing columns without its document: what a list needs
/// to decide scope and whether a parse made earlier still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementHead {
    /// The engagement's id (a slug).
    pub id: String,
    /// The supplier's id.
    pub supplier_id: String,
    /// The system being built.
    pub system: String,
    /// The organisation's owner of the engagement.
    pub owner: String,
    /// Lifecycle status (`planned`, `active`, …).
    pub status: String,
    /// Incremented by every change, from 1.
    pub revision: i64,
}

/// A change to the register, applied with optimistic concurrency: the write
/// only happens if the stored revision is `expected_revision` (`None`: the
/// record must not exist yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Create or replace a supplier.
    PutSupplier {
        /// The new state; its `revision` is stored as given.
        record: SupplierRecord,
        /// The revision being replaced, `None` to create.
        expected_revision: Option<i64>,
    },
    /// Create or replace an engagement.
    PutEngagement {
        /// The new state; its `revision` is stored as given.
        record: EngagementRecord,
        /// The revision being replaced, `None` to create.
        expected_revision: Option<i64>,
    },
    /// Record a reviewed delivery with its findings and decision.
    RecordReview(Box<crate::ReviewRecord>),
    /// Record a waiver.
    AddWaiver(crate::WaiverRecord),
    /// Revoke a waiver.
    RevokeWaiver(crate::WaiverRevocation),
    /// Register a waiver approver and their key.
    AddApprover(crate::ApproverRecord),
    /// Record an evidence document.
    AddEvidence(crate::EvidenceRecord),
    /// Record an imported version of an engagement's threat model.
    AddThreatModel(Box<crate::ThreatModelRecord>),
    /// Record a threat model's hand-over or acknowledgement.
    AddThreatModelEvent(crate::ThreatModelEventRecord),
    /// Record the instance's public key (hex); only once, at `init`.
    SetInstanceKey {
        /// The public key, hex.
        public_key: String,
    },
}

/// One ledger event and the change it records (none for a pure event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The register change, applied in the same transaction as the event.
    pub change: Option<Change>,
    /// The event to seal onto the chain.
    pub event: Event,
}

/// A ledger row as both backends store it: every value as text except the
/// sequence number. Backends convert through this type so that the row
/// format is defined once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// The sequence number.
    pub seq: i64,
    /// Event kind.
    pub kind: String,
    /// Event subject.
    pub subject: String,
    /// Event actor.
    pub actor: String,
    /// RFC 3339 timestamp.
    pub recorded_at: String,
    /// Canonical JSON payload.
    pub payload: String,
    /// Previous hash, hex.
    pub prev_hash: String,
    /// Hash, hex.
    pub hash: String,
    /// Signature, hex.
    pub signature: String,
}

impl EventRow {
    /// The row that stores `sealed`.
    pub fn from_sealed(sealed: &SealedEvent) -> EventRow {
        EventRow {
            seq: i64::try_from(sealed.seq).expect("sequence numbers stay far below i64::MAX"),
            kind: sealed.event.kind.clone(),
            subject: sealed.event.subject.clone(),
            actor: sealed.event.actor.clone(),
            recorded_at: sealed.event.timestamp.clone(),
            payload: sealed.event.payload.clone(),
            prev_hash: sealed.prev_hash.to_hex(),
            hash: sealed.hash.to_hex(),
            signature: sealed.signature_hex(),
        }
    }

    /// The event this row stores. Values that are not valid hex become zero
    /// bytes and a negative sequence number becomes 0, so that verification
    /// reports this very event instead of the whole read failing.
    pub fn into_sealed(self) -> SealedEvent {
        SealedEvent {
            seq: u64::try_from(self.seq).unwrap_or(0),
            prev_hash: Hash::from_hex(&self.prev_hash).unwrap_or(Hash::ZERO),
            hash: Hash::from_hex(&self.hash).unwrap_or(Hash::ZERO),
            signature: SealedEvent::signature_from_hex(&self.signature).unwrap_or([0; 64]),
            event: Event {
                kind: self.kind,
                subject: self.subject,
                actor: self.actor,
                timestamp: self.recorded_at,
                payload: self.payload,
            },
        }
    }
}

/// The chain head as stored (`seq`, hex `hash`), parsed.
pub fn head_from_row(seq: i64, hash: &str) -> Result<ChainHead, StoreError> {
    let malformed = || {
        StoreError::other(
            format!("The ledger head row (seq {seq}, hash `{hash}`) is malformed"),
            "not a sequence number and a 64-digit hex hash",
        )
    };
    Ok(ChainHead {
        seq: u64::try_from(seq).map_err(|_| malformed())?,
        hash: Hash::from_hex(hash).ok_or_else(malformed)?,
    })
}
