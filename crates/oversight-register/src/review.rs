//! The acceptance gate's use cases on the register: recording a reviewed
//! delivery, granting waivers (four eyes) and keeping evidence documents.
//!
//! Every record is written with one ledger event whose payload carries the
//! SHA-256 of the record's canonical JSON (`record_digest`), so that
//! [`Register::ledger_verify`] can tell when a row was edited in the
//! database after it was recorded.

use jiff::civil::Date;
use oversight_ledger::{Event, SealedEvent};
use oversight_store::{
    Change, Entry, EvidenceRecord, ReviewRecord, StoreError, WaiverRecord, WaiverRevocation,
};
use sha2::{Digest, Sha256};

use crate::register::{Register, RegisterError, now};

/// What the reviewer asks to waive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRequest {
    /// The engagement the waiver is held under.
    pub engagement: String,
    /// The finding fingerprint.
    pub fingerprint: String,
    /// Why the finding is acceptable.
    pub reason: String,
    /// Last day the waiver applies.
    pub expires: Date,
    /// Who approves it; must not be the requester, and must be a
    /// registered approver.
    pub approver: String,
    /// The approver's SSH signature (armored, `ssh-keygen -Y sign -n
    /// oversight-waiver`) of [`Register::approval_text`]; `None` asks only
    /// for the checks (and the text to sign).
    pub approval: Option<String>,
}

/// An evidence document to keep for an engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRequest {
    /// The engagement.
    pub engagement: String,
    /// Kind, as the assurance terms name it (`pentest-report`).
    pub kind: String,
    /// Original file name.
    pub name: String,
    /// SHA-256 (hex) of the content, already in the evidence store.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Last day it is valid.
    pub expires: Option<Date>,
}

/// SHA-256 (hex) of a review's canonical JSON: what its ledger event binds.
pub fn review_digest(review: &ReviewRecord) -> String {
    let d = &review.delivery;
    let c = &review.decision;
    let findings: Vec<_> = review
        .findings
        .iter()
        .map(|f| {
            serde_json::json!([
                f.ordinal,
                f.fingerprint,
                f.rule,
                f.category,
                f.severity,
                f.path,
                f.line,
                f.message,
                f.content_sha256,
                f.disposition,
                f.waiver_id
            ])
        })
        .collect();
    digest(&serde_json::json!({
        "delivery": [d.id, d.engagement_id, d.recorded_at, d.content_digest, d.file_count,
                     d.total_bytes, d.document],
        "decision": [c.outcome, c.reviewer, c.decided_at, c.document],
        "findings": findings,
    }))
}

/// SHA-256 (hex) of a waiver's canonical JSON.
pub fn waiver_digest(w: &WaiverRecord) -> String {
    digest(&serde_json::json!([
        w.id,
        w.engagement_id,
        w.fingerprint,
        w.content_sha256,
        w.reason,
        w.requester,
        w.approver,
        w.expires,
        w.granted_at
    ]))
}

/// Kinds of evidence document Oversight knows, besides those an engagement
/// requires in its `[[assurance.evidence]]`.
pub const KNOWN_EVIDENCE_KINDS: &[&str] = &[
    "audit-report",
    "dpa",
    "escrow-deposit-report",
    "iso27001-certificate",
    "pentest-report",
    "sast-report",
    "security-attestation",
    "soc2-report",
    "test-report",
    "threat-model-acknowledgement",
];

/// SHA-256 (hex) of a waiver revocation record's canonical JSON.
pub fn revocation_digest(r: &WaiverRevocation) -> String {
    digest(&serde_json::json!([
        r.waiver_id,
        r.engagement_id,
        r.reason,
        r.revoked_by,
        r.revoked_at
    ]))
}

/// SHA-256 (hex) of an evidence document record's canonical JSON.
pub fn evidence_digest(e: &EvidenceRecord) -> String {
    digest(&serde_json::json!([
        e.id,
        e.engagement_id,
        e.kind,
        e.name,
        e.sha256,
        e.size,
        e.expires,
        e.added_by,
        e.added_at
    ]))
}

pub(crate) fn digest(value: &serde_json::Value) -> String {
    let text = oversight_ledger::canonical::to_string(value);
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// A fresh id: `prefix-` and 16 hex digits from the time, the content and
/// randomness, so concurrent reviews never collide.
pub fn new_id(prefix: &str, salt: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(now().as_bytes());
    hasher.update(salt.as_bytes());
    hasher.update(std::process::id().to_le_bytes());
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).expect("the operating system provides randomness");
    hasher.update(random);
    format!("{prefix}-{}", &hex(&hasher.finalize())[..16])
}

impl Register {
    /// Records a reviewed delivery, its findings and its decision with one
    /// `delivery.reviewed` event, all in one transaction: a crash at any
    /// point leaves either all of it or none of it. `summary` goes into the
    /// event as it is (tool version, policy, advisory snapshot, reasons).
    pub async fn record_review(
        &self,
        review: ReviewRecord,
        summary: serde_json::Value,
    ) -> Result<SealedEvent, RegisterError> {
        self.require_engagement(&review.delivery.engagement_id)
            .await?;
        let payload = serde_json::json!({
            "delivery": review.delivery.id,
            "content_digest": review.delivery.content_digest,
            "outcome": review.decision.outcome,
            "reviewer": review.decision.reviewer,
            "findings": review.findings.len(),
            "record_digest": review_digest(&review),
            "summary": summary,
        });
        let event = Event::new(
            "delivery.reviewed",
            review.delivery.engagement_id.as_str(),
            self.actor(),
            now(),
            &payload,
        );
        self.record_one(Change::RecordReview(Box::new(review)), event)
            .await
    }

    /// Grants a waiver of `request.fingerprint`, bound to the content hash
    /// of the file the finding was last recorded in. The approver must not
    /// be the requester (this register's actor), the expiry must not be in
    /// the past, and the fingerprint must occur in a recorded review of the
    /// engagement.
    pub async fn waive(&self, request: &WaiverRequest) -> Result<WaiverRecord, RegisterError> {
        let (text, content_sha256, approver) = self.approval_text(request).await?;
        let Some(signature) = &request.approval else {
            return Err(RegisterError::Invalid(format!(
                "The approver `{}` must sign the waiver: give them the text of `oversight waive … --print-approval` to sign with `ssh-keygen -Y sign -n {} -f THEIR_KEY FILE`, then pass --approval FILE.sig",
                approver.name,
                crate::approval::APPROVAL_NAMESPACE
            )));
        };
        Self::verify_approval(&approver, &text, signature)?;
        let record = WaiverRecord {
            id: new_id("wvr", &request.fingerprint),
            engagement_id: request.engagement.clone(),
            fingerprint: request.fingerprint.clone(),
            content_sha256,
            reason: request.reason.clone(),
            requester: self.actor().to_owned(),
            approver: approver.name.clone(),
            expires: request.expires.to_string(),
            granted_at: now(),
        };
        let payload = serde_json::json!({
            "waiver": record.id,
            "fingerprint": record.fingerprint,
            "content_sha256": record.content_sha256,
            "reason": record.reason,
            "requester": record.requester,
            "approver": record.approver,
            "expires": record.expires,
            "record_digest": waiver_digest(&record),
            "approval": {
                "key": approver.fingerprint,
                "namespace": crate::approval::APPROVAL_NAMESPACE,
                "signed_text": text.0,
                "signature": signature.trim(),
            },
        });
        let event = Event::new(
            "waiver.granted",
            request.engagement.as_str(),
            self.actor(),
            now(),
            &payload,
        );
        self.record_one(Change::AddWaiver(record.clone()), event)
            .await?;
        Ok(record)
    }

    /// Grants a waiver that `requester` asked for and this register's actor,
    /// an authenticated account of the server holding the approver role,
    /// approves: four eyes between two accounts. The same checks as
    /// [`Register::waive`] apply (reason, expiry, the finding recorded in
    /// the engagement, the agreed policy's waiver rules); the ledger event
    /// records how it was approved.
    pub async fn waive_as_approver(
        &self,
        request: &WaiverRequest,
        requester: &str,
        request_id: &str,
    ) -> Result<WaiverRecord, RegisterError> {
        let content_sha256 = self.check_waiver(request, requester, self.actor()).await?;
        let record = WaiverRecord {
            id: new_id("wvr", &request.fingerprint),
            engagement_id: request.engagement.clone(),
            fingerprint: request.fingerprint.clone(),
            content_sha256,
            reason: request.reason.clone(),
            requester: requester.to_owned(),
            approver: self.actor().to_owned(),
            expires: request.expires.to_string(),
            granted_at: now(),
        };
        let payload = serde_json::json!({
            "waiver": record.id,
            "fingerprint": record.fingerprint,
            "content_sha256": record.content_sha256,
            "reason": record.reason,
            "requester": record.requester,
            "approver": record.approver,
            "expires": record.expires,
            "record_digest": waiver_digest(&record),
            "approval": {"method": "server-account", "request": request_id},
        });
        let event = Event::new(
            "waiver.granted",
            request.engagement.as_str(),
            self.actor(),
            now(),
            &payload,
        );
        self.record_one(Change::AddWaiver(record.clone()), event)
            .await?;
        Ok(record)
    }

    /// The checks every waiver passes, however it is approved: four eyes
    /// (`requester` and `approver` differ after confusable folding), a
    /// reason, an expiry not in the past, the finding recorded in the
    /// engagement, the agreed policy's waiver rules. Returns the content
    /// hash the waiver is bound to.
    async fn check_waiver(
        &self,
        request: &WaiverRequest,
        requester: &str,
        approver: &str,
    ) -> Result<Option<String>, RegisterError> {
        use crate::approval::fold_name;
        if requester.trim().is_empty()
            || approver.trim().is_empty()
            || fold_name(requester) == fold_name(approver)
        {
            return Err(RegisterError::FourEyes {
                requester: requester.to_owned(),
                approver: approver.to_owned(),
            });
        }
        self.check_waiver_request(request).await
    }

    /// The checks a waiver request passes before anyone approves it: a
    /// reason, an expiry not in the past, the finding recorded in the
    /// engagement, the agreed policy's waiver rules (categories not
    /// waivable, `max_days`). A server checks a request with this when it
    /// is asked, and again, with four eyes, when it is approved. Returns
    /// the content hash the waiver would be bound to.
    pub async fn check_waiver_request(
        &self,
        request: &WaiverRequest,
    ) -> Result<Option<String>, RegisterError> {
        if request.reason.trim().is_empty() {
            return Err(RegisterError::Invalid(
                "A waiver needs a reason (--reason)".into(),
            ));
        }
        let today = jiff::Zoned::now().date();
        if request.expires < today {
            return Err(RegisterError::Invalid(format!(
                "The waiver's expiry {} is in the past (today is {today})",
                request.expires
            )));
        }
        self.require_engagement(&request.engagement).await?;
        let (content_sha256, category) = self
            .latest_finding_content(&request.engagement, &request.fingerprint)
            .await?;
        self.check_waiver_against_policy(request, &category, today)
            .await?;
        Ok(content_sha256)
    }

    /// Checks a waiver request against four eyes, the register and the
    /// agreed policy, and returns the exact text the approver must sign,
    /// the content hash the waiver will be bound to, and the approver.
    pub async fn approval_text(
        &self,
        request: &WaiverRequest,
    ) -> Result<
        (
            crate::approval::ApprovalText,
            Option<String>,
            oversight_store::ApproverRecord,
        ),
        RegisterError,
    > {
        let content_sha256 = self
            .check_waiver(request, self.actor(), &request.approver)
            .await?;
        let approver = self.approver(&request.approver).await?;
        let text = crate::approval::ApprovalText(format!(
            "oversight waiver approval v1\nengagement: {}\nfingerprint: {}\ncontent-sha256: {}\nexpires: {}\nrequester: {}\napprover: {}\nreason: {}\n",
            request.engagement,
            request.fingerprint,
            content_sha256.as_deref().unwrap_or("-"),
            request.expires,
            self.actor(),
            approver.name,
            request.reason.replace('\n', " ")
        ));
        Ok((text, content_sha256, approver))
    }

    /// Records an evidence document already stored in the evidence store.
    pub async fn add_evidence(
        &self,
        request: &EvidenceRequest,
    ) -> Result<EvidenceRecord, RegisterError> {
        self.require_engagement(&request.engagement).await?;
        self.check_evidence_request(request).await?;
        let record = EvidenceRecord {
            id: new_id("evd", &request.sha256),
            engagement_id: request.engagement.clone(),
            kind: request.kind.clone(),
            name: request.name.clone(),
            sha256: request.sha256.clone(),
            size: i64::try_from(request.size).unwrap_or(i64::MAX),
            expires: request.expires.map(|d| d.to_string()),
            added_by: self.actor().to_owned(),
            added_at: now(),
        };
        let payload = serde_json::json!({
            "evidence": record.id,
            "kind": record.kind,
            "name": record.name,
            "sha256": record.sha256,
            "expires": record.expires,
            "record_digest": evidence_digest(&record),
        });
        let event = Event::new(
            "evidence.added",
            request.engagement.as_str(),
            self.actor(),
            now(),
            &payload,
        );
        self.record_one(Change::AddEvidence(record.clone()), event)
            .await?;
        Ok(record)
    }

    /// Refuses an evidence document of no kind or of a kind that neither
    /// the engagement requires nor Oversight knows, and one that has
    /// already expired.
    async fn check_evidence_request(&self, request: &EvidenceRequest) -> Result<(), RegisterError> {
        let kind = request.kind.trim();
        let id: crate::EngagementId = request
            .engagement
            .parse()
            .map_err(|e: crate::IdError| RegisterError::Invalid(e.to_string()))?;
        let engagement = self.engagement(&id).await?;
        let required: Vec<&str> = engagement
            .terms
            .assurance
            .as_ref()
            .map(|a| a.evidence.iter().map(|e| e.kind.as_str()).collect())
            .unwrap_or_default();
        if kind.is_empty() {
            return Err(RegisterError::Invalid(
                "An evidence document needs a kind (--kind)".into(),
            ));
        }
        if !required.contains(&kind) && !KNOWN_EVIDENCE_KINDS.contains(&kind) {
            let mut known: Vec<&str> = required.clone();
            known.extend(KNOWN_EVIDENCE_KINDS);
            known.sort_unstable();
            known.dedup();
            return Err(RegisterError::Invalid(format!(
                "Evidence kind `{kind}` is neither required by engagement `{id}` nor known to Oversight; use one of: {}",
                known.join(", ")
            )));
        }
        if let Some(expires) = request.expires {
            let today = jiff::Zoned::now().date();
            if expires < today {
                return Err(RegisterError::Invalid(format!(
                    "The document `{}` expired on {expires} (today is {today}); an expired document is no evidence",
                    request.name
                )));
            }
        }
        Ok(())
    }

    /// Every delivery of every engagement, oldest first, each with its
    /// decision's outcome (for checks of the whole register).
    pub async fn all_deliveries(
        &self,
    ) -> Result<Vec<(oversight_store::DeliveryRecord, String)>, RegisterError> {
        Ok(self.store().deliveries(None).await?)
    }

    /// The evidence documents of `engagement` (every engagement when
    /// `None`), oldest first.
    pub async fn evidence_documents(
        &self,
        engagement: Option<&str>,
    ) -> Result<Vec<EvidenceRecord>, RegisterError> {
        if let Some(engagement) = engagement {
            self.require_engagement(engagement).await?;
        }
        Ok(self.store().evidence(engagement).await?)
    }

    /// Every ledger event, in order.
    pub async fn ledger_events(&self) -> Result<Vec<oversight_ledger::SealedEvent>, RegisterError> {
        Ok(self.store().events().await?)
    }

    /// Where the register is, for messages, without credentials.
    pub fn describe(&self) -> String {
        self.store().describe()
    }

    /// The deliveries of `engagement`, oldest first, each with its
    /// decision's outcome.
    pub async fn deliveries(
        &self,
        engagement: &str,
    ) -> Result<Vec<(oversight_store::DeliveryRecord, String)>, RegisterError> {
        self.require_engagement(engagement).await?;
        Ok(self.store().deliveries(Some(engagement)).await?)
    }

    /// The review `id` (a delivery with its findings and decision).
    pub async fn review(&self, id: &str) -> Result<ReviewRecord, RegisterError> {
        Ok(self.store().review(id).await?)
    }

    /// The delivery of review `id` and its decision, without the findings.
    /// A recorded review never changes: it is read once.
    pub async fn review_decision(
        &self,
        id: &str,
    ) -> Result<
        std::sync::Arc<(
            oversight_store::DeliveryRecord,
            oversight_store::DecisionRecord,
        )>,
        RegisterError,
    > {
        if let Some(decided) = self.decisions().get(id) {
            return Ok(decided);
        }
        let decided = std::sync::Arc::new(self.store().decision(id).await?);
        self.decisions().keep(id, std::sync::Arc::clone(&decided));
        Ok(decided)
    }

    /// A page of review `id`'s findings (`offset`, `limit`) and their count.
    pub async fn review_findings(
        &self,
        id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<std::sync::Arc<(Vec<oversight_store::FindingRecord>, i64)>, RegisterError> {
        if let Some(page) = self.finding_pages().get(id, offset, limit) {
            return Ok(page);
        }
        let page = std::sync::Arc::new(self.store().findings(id, offset, limit).await?);
        // A review being recorded has no findings yet: an empty page is
        // not kept, so it is read again once the review is there.
        if page.1 > 0 {
            self.finding_pages()
                .keep(id, offset, limit, std::sync::Arc::clone(&page));
        }
        Ok(page)
    }

    /// Waivers held for `engagement`.
    pub async fn waivers(&self, engagement: &str) -> Result<Vec<WaiverRecord>, RegisterError> {
        self.require_engagement(engagement).await?;
        Ok(self.store().waivers(Some(engagement)).await?)
    }

    /// The revocations of `engagement`'s waivers, oldest first.
    pub async fn waiver_revocations(
        &self,
        engagement: &str,
    ) -> Result<Vec<WaiverRevocation>, RegisterError> {
        self.require_engagement(engagement).await?;
        Ok(self.store().waiver_revocations(Some(engagement)).await?)
    }

    /// The waivers of `engagement` in force at `at`: granted by then and not
    /// revoked by then (whether expired is the policy's to judge). A review
    /// uses those in force now; a replay those in force at its decision.
    pub async fn waivers_in_force(
        &self,
        engagement: &str,
        at: jiff::Timestamp,
    ) -> Result<Vec<WaiverRecord>, RegisterError> {
        self.require_engagement(engagement).await?;
        self.in_force(Some(engagement), at).await
    }

    /// The waivers of every engagement in force at `at`, as
    /// [`Register::waivers_in_force`] says for one, read in two queries
    /// (a waiver queue over a thousand engagements).
    pub async fn all_waivers_in_force(
        &self,
        at: jiff::Timestamp,
    ) -> Result<Vec<WaiverRecord>, RegisterError> {
        self.in_force(None, at).await
    }

    async fn in_force(
        &self,
        engagement: Option<&str>,
        at: jiff::Timestamp,
    ) -> Result<Vec<WaiverRecord>, RegisterError> {
        let revoked: std::collections::HashMap<String, Option<jiff::Timestamp>> = self
            .store()
            .waiver_revocations(engagement)
            .await?
            .into_iter()
            .map(|r| (r.waiver_id, r.revoked_at.parse().ok()))
            .collect();
        Ok(self
            .store()
            .waivers(engagement)
            .await?
            .into_iter()
            .filter(|w| {
                w.granted_at
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|g| g <= at)
            })
            .filter(|w| match revoked.get(&w.id) {
                None => true,
                // A revocation whose time no longer parses revokes.
                Some(None) => false,
                Some(Some(when)) => *when > at,
            })
            .collect())
    }

    /// Revokes waiver `waiver_id` of `engagement` before it expires: one
    /// `waiver.revoked` event; the next review no longer applies it.
    pub async fn revoke_waiver(
        &self,
        engagement: &str,
        waiver_id: &str,
        reason: &str,
    ) -> Result<WaiverRevocation, RegisterError> {
        if reason.trim().is_empty() {
            return Err(RegisterError::Invalid(
                "A revocation needs a reason (--reason)".into(),
            ));
        }
        if !self
            .waivers(engagement)
            .await?
            .iter()
            .any(|w| w.id == waiver_id)
        {
            return Err(RegisterError::Invalid(format!(
                "Engagement `{engagement}` has no waiver `{waiver_id}`; see `oversight waiver list --engagement {engagement}`"
            )));
        }
        if self
            .waiver_revocations(engagement)
            .await?
            .iter()
            .any(|r| r.waiver_id == waiver_id)
        {
            return Err(RegisterError::Invalid(format!(
                "Waiver `{waiver_id}` was already revoked"
            )));
        }
        let record = WaiverRevocation {
            waiver_id: waiver_id.to_owned(),
            engagement_id: engagement.to_owned(),
            reason: reason.to_owned(),
            revoked_by: self.actor().to_owned(),
            revoked_at: now(),
        };
        let payload = serde_json::json!({
            "waiver": record.waiver_id,
            "reason": record.reason,
            "record_digest": revocation_digest(&record),
        });
        let event = Event::new("waiver.revoked", engagement, self.actor(), now(), &payload);
        self.record_one(Change::RevokeWaiver(record.clone()), event)
            .await?;
        Ok(record)
    }

    /// The newest delivery of `engagement` whose decision was not `rejected`.
    pub async fn last_accepted(
        &self,
        engagement: &str,
    ) -> Result<Option<ReviewRecord>, RegisterError> {
        self.require_engagement(engagement).await?;
        let deliveries = self.store().deliveries(Some(engagement)).await?;
        match deliveries
            .iter()
            .rev()
            .find(|(_, outcome)| outcome != "rejected")
        {
            Some((d, _)) => Ok(Some(self.store().review(&d.id).await?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn require_engagement(&self, id: &str) -> Result<(), RegisterError> {
        match self.store().engagement(id).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound { .. }) => Err(RegisterError::UnknownEngagement {
                engagement: id.to_owned(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The content hash of the file `fingerprint` was found in, in the
    /// newest review of `engagement` that holds it.
    /// Refuses, at grant time and naming the rule, a waiver the engagement's
    /// agreed policy would not honour: a category it marks `not_waivable`,
    /// or a term longer than its `max_days`.
    async fn check_waiver_against_policy(
        &self,
        request: &WaiverRequest,
        category: &str,
        today: jiff::civil::Date,
    ) -> Result<(), RegisterError> {
        let id: crate::EngagementId = request
            .engagement
            .parse()
            .map_err(|e: crate::IdError| RegisterError::Invalid(e.to_string()))?;
        let engagement = self.engagement(&id).await?;
        let policy = agreed_policy(&engagement)?;
        if let Ok(category) = category.parse::<oversight_model::Category>()
            && !policy.is_waivable(category)
        {
            return Err(RegisterError::Invalid(format!(
                "Finding `{}` is a {category} finding, and the policy `{}` of engagement `{id}` marks {category} findings not waivable (waivers.not_waivable); fix the delivery instead",
                request.fingerprint,
                policy.name()
            )));
        }
        if let Some(max_days) = policy.waivers().max_days {
            let days = request.expires.duration_since(today).as_hours() / 24;
            if days > i64::from(max_days) {
                return Err(RegisterError::Invalid(format!(
                    "A waiver until {} runs {days} days, and the policy `{}` of engagement `{id}` allows at most {max_days} (waivers.max_days)",
                    request.expires,
                    policy.name()
                )));
            }
        }
        Ok(())
    }

    /// The content digest and category of the newest recorded finding with
    /// `fingerprint`.
    async fn latest_finding_content(
        &self,
        engagement: &str,
        fingerprint: &str,
    ) -> Result<(Option<String>, String), RegisterError> {
        let deliveries = self.store().deliveries(Some(engagement)).await?;
        for (delivery, _) in deliveries.iter().rev() {
            let review = self.store().review(&delivery.id).await?;
            if let Some(f) = review
                .findings
                .iter()
                .find(|f| f.fingerprint == fingerprint)
            {
                return Ok((f.content_sha256.clone(), f.category.clone()));
            }
        }
        Err(RegisterError::Invalid(format!(
            "No recorded review of engagement `{engagement}` has a finding with fingerprint `{fingerprint}`; review the delivery first (`oversight review`)"
        )))
    }

    async fn record_one(&self, change: Change, event: Event) -> Result<SealedEvent, RegisterError> {
        let mut sealed = self
            .append(vec![Entry {
                change: Some(change),
                event,
            }])
            .await?;
        Ok(sealed.pop().expect("one entry gives one event"))
    }

    /// Checks every stored register row against the newest ledger event that
    /// recorded it: a row edited, deleted or inserted directly in the
    /// database is named. Called by [`Register::ledger_verify`] after the
    /// chain itself verified.
    pub(crate) async fn verify_rows(&self, events: &[SealedEvent]) -> Result<(), RegisterError> {
        use std::collections::BTreeMap;
        // (what, id) -> (seq, kind, recorded digest)
        let mut recorded: BTreeMap<(&'static str, String), (u64, String, String)> = BTreeMap::new();
        for sealed in events {
            let e = &sealed.event;
            let Ok(payload) = serde_json::from_str::<serde_json::Value>(&e.payload) else {
                continue;
            };
            if let Some((what, id)) = crate::threats::recorded_row(&e.kind, &payload) {
                if let Some(d) = payload["record_digest"].as_str() {
                    recorded.insert((what, id), (sealed.seq, e.kind.clone(), d.to_owned()));
                }
                continue;
            }
            let entry = match e.kind.as_str() {
                "delivery.reviewed" => (
                    "delivery",
                    payload["delivery"].as_str(),
                    payload["record_digest"].as_str().map(str::to_owned),
                ),
                "waiver.granted" => (
                    "waiver",
                    payload["waiver"].as_str(),
                    payload["record_digest"].as_str().map(str::to_owned),
                ),
                "approver.registered" => (
                    "approver",
                    Some(e.subject.as_str()),
                    payload["record_digest"].as_str().map(str::to_owned),
                ),
                "waiver.revoked" => (
                    "waiver revocation",
                    payload["waiver"].as_str(),
                    payload["record_digest"].as_str().map(str::to_owned),
                ),
                "evidence.added" => (
                    "evidence document",
                    payload["evidence"].as_str(),
                    payload["record_digest"].as_str().map(str::to_owned),
                ),
                "engagement.created" | "engagement.updated" => (
                    "engagement",
                    Some(e.subject.as_str()),
                    Some(digest(&payload["engagement"])),
                ),
                "supplier.created" => (
                    "supplier",
                    Some(e.subject.as_str()),
                    Some(digest(&payload["supplier"])),
                ),
                _ => continue,
            };
            if let (what, Some(id), Some(d)) = entry {
                recorded.insert((what, id.to_owned()), (sealed.seq, e.kind.clone(), d));
            }
        }
        let mut stored: BTreeMap<(&'static str, String), String> = BTreeMap::new();
        for (d, _) in self.store().deliveries(None).await? {
            let review = self.store().review(&d.id).await?;
            stored.insert(("delivery", d.id), review_digest(&review));
        }
        for w in self.store().waivers(None).await? {
            stored.insert(("waiver", w.id.clone()), waiver_digest(&w));
        }
        for e in self.store().evidence(None).await? {
            stored.insert(("evidence document", e.id.clone()), evidence_digest(&e));
        }
        for a in self.store().approvers().await? {
            stored.insert(
                ("approver", a.name.clone()),
                crate::approval::approver_digest(&a),
            );
        }
        for r in self.store().waiver_revocations(None).await? {
            stored.insert(
                ("waiver revocation", r.waiver_id.clone()),
                revocation_digest(&r),
            );
        }
        crate::threats::stored_rows(self, &mut stored).await?;
        for e in self.store().engagements().await? {
            let document = crate::format::toml_to_json(&e.document);
            // The listing columns must say what the signed document says.
            let columns = [
                ("supplier", Some(e.supplier_id.as_str())),
                ("system", Some(e.system.as_str())),
                ("owner", Some(e.owner.as_str())),
                ("status", Some(e.status.as_str())),
                ("start", e.start_date.as_deref()),
                ("end", e.end_date.as_deref()),
            ];
            for (key, column) in columns {
                if document.get(key).and_then(|v| v.as_str()) != column {
                    return Err(RegisterError::Invalid(format!(
                        "The engagement `{}` row's `{key}` column ({}) differs from its document: the database was edited outside Oversight",
                        e.id,
                        column.unwrap_or("empty")
                    )));
                }
            }
            stored.insert(("engagement", e.id), digest(&document));
        }
        for s in self.store().suppliers().await? {
            stored.insert(
                ("supplier", s.id),
                digest(&crate::format::toml_to_json(&s.document)),
            );
        }
        for ((what, id), (seq, kind, digest)) in &recorded {
            let actual = stored.remove(&(*what, id.clone()));
            if actual.as_deref() != Some(digest.as_str()) {
                return Err(RegisterError::RowTampered {
                    seq: *seq,
                    kind: kind.clone(),
                    what,
                    id: id.clone(),
                    recorded: digest.clone(),
                    actual: actual.unwrap_or_else(|| "nothing (the row was deleted)".to_owned()),
                });
            }
        }
        if let Some(((what, id), _)) = stored.into_iter().next() {
            return Err(RegisterError::Invalid(format!(
                "The {what} `{id}` is stored but no ledger event records it: it was inserted outside Oversight"
            )));
        }
        Ok(())
    }
}

/// The acceptance policy `engagement` agreed (its waiver rules among
/// others), or the default policy when it agreed none.
pub fn agreed_policy(
    engagement: &crate::Engagement,
) -> Result<oversight_policy::Policy, RegisterError> {
    match engagement
        .terms
        .acceptance
        .as_ref()
        .and_then(|a| a.agreed.as_ref())
    {
        Some(agreed) => oversight_policy::Policy::parse(
            &agreed.text,
            &format!("the agreed policy of engagement `{}`", engagement.id),
        )
        .map_err(|e| RegisterError::InvalidPolicy {
            engagement: engagement.id.to_string(),
            reason: e.to_string(),
        }),
        None => Ok(oversight_policy::Policy::default_policy()),
    }
}
