//! The evidence-document use case: a supplier's pentest report, an
//! auditor's certificate, kept in the evidence store by content and
//! recorded for an engagement, as the register's actor.

use std::path::Path;

use oversight_register::{EngagementId, EvidenceRequest, Register};
use oversight_store::EvidenceRecord;

use crate::error::{AppError, Result};

/// A document to keep.
#[derive(Debug, Clone)]
pub struct DocumentRequest<'a> {
    /// The engagement.
    pub engagement: &'a str,
    /// Its kind, as the assurance terms name it (`pentest-report`).
    pub kind: &'a str,
    /// Its original file name.
    pub name: &'a str,
    /// Where its bytes are now.
    pub file: &'a Path,
    /// The last day it is valid.
    pub expires: Option<jiff::civil::Date>,
}

/// Checks the engagement, stores the file in the evidence store at
/// `location` and records it. Nothing is stored for an unknown engagement.
pub async fn add_document(
    register: &Register,
    location: &str,
    request: &DocumentRequest<'_>,
) -> Result<EvidenceRecord> {
    let id: EngagementId = request
        .engagement
        .parse()
        .map_err(|e: oversight_register::IdError| AppError::Refused(e.to_string()))?;
    register.engagement(&id).await?;
    let store = oversight_evidence::EvidenceStore::open(location)?;
    let stored = store.put_file(request.file).await?;
    Ok(register
        .add_evidence(&EvidenceRequest {
            engagement: request.engagement.to_owned(),
            kind: request.kind.to_owned(),
            name: request.name.to_owned(),
            sha256: stored.digest.to_hex(),
            size: stored.size,
            expires: request.expires,
        })
        .await?)
}
