//! The threat-model tables' records: each imported version of an
//! engagement's threat model, and its hand-overs and acknowledgements.
//! Rows are only ever inserted.

/// One imported version of an engagement's threat model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatModelRecord {
    /// The engagement; it must exist.
    pub engagement_id: String,
    /// 1 for the first import, then one more per changed import.
    pub version: i64,
    /// `threat-dragon`, `otm` or `threagile`.
    pub format: String,
    /// The file name it was imported from.
    pub source_name: String,
    /// SHA-256 (hex) of the file's bytes.
    pub source_sha256: String,
    /// The file's text, so an export writes the same document back.
    pub source: String,
    /// The normalised model as canonical JSON; its shape is the threats crate's.
    pub document: String,
    /// Number of threats, for listings.
    pub threat_count: i64,
    /// Who imported it.
    pub imported_by: String,
    /// RFC 3339 time of the import.
    pub imported_at: String,
}

/// A version's listing columns, without its texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatModelVersion {
    /// The engagement.
    pub engagement_id: String,
    /// The version.
    pub version: i64,
    /// The format.
    pub format: String,
    /// The file name.
    pub source_name: String,
    /// SHA-256 (hex) of the file.
    pub source_sha256: String,
    /// Number of threats.
    pub threat_count: i64,
    /// Who imported it.
    pub imported_by: String,
    /// When.
    pub imported_at: String,
}

/// A hand-over of a model version to the supplier, or the supplier's
/// acknowledgement of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatModelEventRecord {
    /// The record's id (`tmh-…` or `tma-…`).
    pub id: String,
    /// The engagement.
    pub engagement_id: String,
    /// The model version concerned; it must exist.
    pub version: i64,
    /// `handover` or `acknowledgement`.
    pub kind: String,
    /// Who handed over, or who acknowledged (the supplier's identity).
    pub actor: String,
    /// RFC 3339 time.
    pub recorded_at: String,
    /// An attested acknowledgement's file name, when one was given.
    pub attestation_name: Option<String>,
    /// Its SHA-256 (hex) in the evidence store.
    pub attestation_sha256: Option<String>,
}

/// Reads of the threat-model tables.
#[async_trait::async_trait]
pub trait ThreatStore: Send + Sync {
    /// Every version of `engagement`'s model (every engagement when `None`),
    /// by engagement then version.
    async fn threat_model_versions(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<ThreatModelVersion>, crate::StoreError>;
    /// The version `version` of `engagement`'s model, or the latest when
    /// `None`; `None` when there is none.
    async fn threat_model(
        &self,
        engagement: &str,
        version: Option<i64>,
    ) -> Result<Option<ThreatModelRecord>, crate::StoreError>;
    /// Hand-overs and acknowledgements of `engagement` (every engagement
    /// when `None`), oldest first.
    async fn threat_model_events(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<ThreatModelEventRecord>, crate::StoreError>;
}
