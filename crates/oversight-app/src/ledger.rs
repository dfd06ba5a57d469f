//! Reading and verifying the signed ledger, for a page or a command: a
//! filtered page of its events, and a verification of the chain, its
//! signatures and checkpoints and the evidence store's blobs, whose result
//! is a value to show (a failure is a result, not an error).

use oversight_register::Register;

use crate::error::Result;

/// What to show of the ledger.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only events about this subject (an engagement, a supplier).
    pub subject: Option<String>,
    /// Only events of this kind (`waiver.granted`).
    pub kind: Option<String>,
}

/// One event as a reader sees it (the payload is not shown).
#[derive(Debug, Clone)]
pub struct EventRow {
    /// Its position in the chain.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// What it is about.
    pub subject: String,
    /// Who caused it.
    pub actor: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Its hash, hex.
    pub hash: String,
}

/// A page of the ledger's events, newest first, and what to filter on.
#[derive(Debug, Clone, Default)]
pub struct EventPage {
    /// The page's events.
    pub events: Vec<EventRow>,
    /// Events matching the filter, over all pages.
    pub matching: usize,
    /// All events.
    pub total: usize,
    /// Each subject with its number of events.
    pub subjects: Vec<(String, usize)>,
    /// Each kind with its number of events.
    pub kinds: Vec<(String, usize)>,
}

/// The events of `register`'s ledger matching `filter`, newest first,
/// `limit` of them from `offset`.
pub async fn events(
    register: &Register,
    filter: &EventFilter,
    offset: usize,
    limit: usize,
) -> Result<EventPage> {
    let sealed = register.ledger_events().await?;
    let mut subjects = std::collections::BTreeMap::<String, usize>::new();
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for s in &sealed {
        *subjects.entry(s.event.subject.clone()).or_default() += 1;
        *kinds.entry(s.event.kind.clone()).or_default() += 1;
    }
    let total = sealed.len();
    let matching: Vec<_> = sealed
        .into_iter()
        .rev()
        .filter(|s| {
            filter
                .subject
                .as_ref()
                .is_none_or(|v| &s.event.subject == v)
        })
        .filter(|s| filter.kind.as_ref().is_none_or(|v| &s.event.kind == v))
        .collect();
    Ok(EventPage {
        matching: matching.len(),
        total,
        events: matching
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|s| EventRow {
                seq: s.seq,
                hash: s.hash.to_string(),
                kind: s.event.kind,
                subject: s.event.subject,
                actor: s.event.actor,
                at: s.event.timestamp,
            })
            .collect(),
        subjects: subjects.into_iter().collect(),
        kinds: kinds.into_iter().collect(),
    })
}

/// What a verification found.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Whether the ledger verified: chain, signatures, chain head,
    /// checkpoints and the rows the events record.
    pub ledger_intact: bool,
    /// Events verified.
    pub events: u64,
    /// The chain head, `#seq hash`.
    pub head: String,
    /// The fingerprint of the key the signatures were checked with.
    pub key_fingerprint: String,
    /// Why the ledger failed, naming the first event that fails.
    pub ledger_failure: Option<String>,
    /// Evidence blobs read and hashed.
    pub blobs: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Every problem of the evidence store (an altered or missing blob).
    pub evidence_problems: Vec<String>,
}

impl Verification {
    /// Whether everything verified.
    pub fn intact(&self) -> bool {
        self.ledger_intact && self.evidence_problems.is_empty()
    }
}

/// Verifies `register`'s ledger (as `oversight ledger verify` does) and
/// every blob of the evidence store at `evidence` (as the first part of
/// `oversight evidence verify`). A store that cannot be opened or read is
/// a problem of the result, not a pass.
pub async fn verify(register: &Register, evidence: &str) -> Verification {
    let (ledger_intact, events, head, key_fingerprint, ledger_failure) =
        match register.ledger_verify().await {
            Ok(report) => (
                true,
                report.events,
                format!("#{} {}", report.head.seq, report.head.hash),
                report.key_fingerprint,
                None,
            ),
            Err(e) => (false, 0, String::new(), String::new(), Some(e.to_string())),
        };
    let (blobs, bytes, evidence_problems) = match oversight_evidence::EvidenceStore::open(evidence)
    {
        Ok(store) => match store.verify_all().await {
            Ok(report) => (
                report.blobs,
                report.bytes,
                report.problems.iter().map(ToString::to_string).collect(),
            ),
            Err(e) => (
                0,
                0,
                vec![format!("The evidence store cannot be read: {e}")],
            ),
        },
        Err(e) => (
            0,
            0,
            vec![format!("The evidence store cannot be opened: {e}")],
        ),
    };
    Verification {
        ledger_intact,
        events,
        head,
        key_fingerprint,
        ledger_failure,
        blobs,
        bytes,
        evidence_problems,
    }
}
