//! Export an engagement's evidence pack ([`crate::pack`]): the engagement
//! and supplier as written, every review with its findings and decision and
//! the evidence blobs it names (each re-verified against its SHA-256 while
//! copied, and every delivered file it kept read back), the waivers and
//! evidence documents, the whole ledger with the instance's public key and
//! the result of verifying it, a readable `index.html`, a signed checkpoint
//! of the exported head, and a signed `SHA256SUMS` over every file.

use oversight_evidence::{BlobProblem, Digest, EvidenceStore};
use oversight_register::{EngagementId, Register};
use oversight_web::views;

use crate::error::{AppError, Result};
use crate::pack::{
    LedgerCheck, PackDocument, PackEvent, PackFinding, PackLedger, PackReview, PackSink,
    PackWaiver, SUMS_DOMAIN, blob_file,
};
use crate::record::DeliveryDocument;
use crate::review::sha256_hex;

/// What was exported.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The engagement.
    pub engagement: String,
    /// How many reviews.
    pub reviews: usize,
    /// How many waivers.
    pub waivers: usize,
    /// How many files `SHA256SUMS` lists.
    pub files: usize,
    /// The ledger's verification.
    pub ledger: LedgerCheck,
    /// Evidence that could not be verified, one line each; the pack's
    /// `index.html` records them too.
    pub evidence_problems: Vec<String>,
}

impl Exported {
    /// Whether the ledger and every piece of evidence verified.
    pub fn verified(&self) -> bool {
        self.ledger.verified && self.evidence_problems.is_empty()
    }
}

/// A pack being written: every file goes into `SHA256SUMS`.
struct Writer<'a> {
    sink: &'a mut dyn PackSink,
    sums: Vec<(String, String)>,
}

impl Writer<'_> {
    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.sink.put(name, bytes)?;
        self.sums.push((sha256_hex(bytes), name.to_owned()));
        Ok(())
    }

    fn put_json<T: serde::Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(|e| AppError::Corrupt {
            what: name.to_owned(),
            reason: e.to_string(),
        })?;
        self.put(name, text.as_bytes())
    }
}

/// Writes engagement `id`'s evidence pack into `sink`, reading blobs from
/// `evidence`.
pub async fn export(
    register: &Register,
    evidence: &EvidenceStore,
    id: &EngagementId,
    sink: &mut dyn PackSink,
) -> Result<Exported> {
    let engagement = register.engagement(id).await?;
    let supplier = register.supplier_show(&engagement.supplier).await?;
    let mut pack = Writer {
        sink,
        sums: Vec::new(),
    };
    pack.put(
        "engagement.toml",
        register.engagement_show(id).await?.as_bytes(),
    )?;
    pack.put(
        "supplier.toml",
        oversight_register::format::render_supplier(&supplier).as_bytes(),
    )?;

    let verification = match register.ledger_verify().await {
        Ok(report) => LedgerCheck {
            verified: true,
            events: Some(report.events),
            head_seq: Some(report.head.seq),
            head_hash: Some(report.head.hash.to_hex()),
            key_fingerprint: Some(report.key_fingerprint),
            failure: None,
        },
        Err(e) => LedgerCheck {
            verified: false,
            events: None,
            head_seq: None,
            head_hash: None,
            key_fingerprint: None,
            failure: Some(e.to_string()),
        },
    };
    let stored_events = register.ledger_events().await?;
    let exported_head = stored_events.last().map_or(
        oversight_ledger::ChainHead::GENESIS,
        oversight_ledger::SealedEvent::head,
    );
    pack.put_json(
        "ledger.json",
        &PackLedger {
            public_key: register.public_key().to_string(),
            verification: verification.clone(),
            events: stored_events.iter().map(PackEvent::of).collect(),
        },
    )?;

    let deliveries = register.deliveries(id.as_str()).await?;
    let mut reviews = Vec::new();
    let mut problems = Vec::new();
    for (delivery, outcome) in &deliveries {
        let review = register.review(&delivery.id).await?;
        let dir = format!("reviews/{}", delivery.id);
        let recorded: serde_json::Value =
            serde_json::from_str(&delivery.document).unwrap_or_default();
        let details: serde_json::Value =
            serde_json::from_str(&review.decision.document).unwrap_or_default();
        pack.put_json(
            &format!("{dir}/review.json"),
            &PackReview {
                review: delivery.id.clone(),
                recorded_at: delivery.recorded_at.clone(),
                content_digest: delivery.content_digest.clone(),
                files: delivery.file_count,
                bytes: delivery.total_bytes,
                delivery: recorded,
                decision: crate::pack::PackDecision {
                    outcome: review.decision.outcome.clone(),
                    reviewer: review.decision.reviewer.clone(),
                    decided_at: review.decision.decided_at.clone(),
                    details,
                },
                findings: review.findings.iter().map(PackFinding::of).collect(),
            },
        )?;
        match serde_json::from_str::<DeliveryDocument>(&delivery.document) {
            Ok(document) => {
                for (role, hex) in document.evidence.blobs() {
                    let file = blob_file(role).expect("every role has a file");
                    let digest: Digest = match hex.parse() {
                        Ok(d) => d,
                        Err(_) => {
                            problems.push(format!(
                                "review {}: {role}: `{hex}` is not a SHA-256",
                                delivery.id
                            ));
                            continue;
                        }
                    };
                    match evidence.get(&digest).await {
                        Ok(bytes) => {
                            pack.put(&format!("{dir}/{file}"), &bytes)?;
                            if role == "manifest" {
                                problems.extend(
                                    verify_kept_files(
                                        evidence,
                                        &delivery.id,
                                        &bytes,
                                        document.scan.history,
                                    )
                                    .await?,
                                );
                            }
                        }
                        Err(e) => problems.push(format!("review {}: {role}: {e}", delivery.id)),
                    }
                }
            }
            Err(e) => problems.push(format!(
                "review {}: its delivery document cannot be read: {e}",
                delivery.id
            )),
        }
        reviews.push(review_view(&dir, outcome, &review));
    }

    let waivers = register.waivers(id.as_str()).await?;
    let revocations = register.waiver_revocations(id.as_str()).await?;
    let pack_waivers: Vec<PackWaiver> = waivers
        .iter()
        .map(|w| PackWaiver::of(w, &revocations))
        .collect();
    pack.put_json("waivers.json", &pack_waivers)?;
    let documents: Vec<PackDocument> = register
        .evidence_documents(Some(id.as_str()))
        .await?
        .into_iter()
        .map(|d| PackDocument {
            id: d.id,
            kind: d.kind,
            name: d.name,
            sha256: d.sha256,
            size: d.size,
            expires: d.expires,
            added_by: d.added_by,
            added_at: d.added_at,
        })
        .collect();
    pack.put_json("evidence-documents.json", &documents)?;

    let today = jiff::Zoned::now().date();
    let status = register.status(today).await?;
    let factors = crate::status::StatusDocument::of(&status)
        .engagements
        .into_iter()
        .find(|e| e.id == id.as_str())
        .map(|e| {
            e.factors
                .into_iter()
                .map(|f| {
                    (
                        f.factor,
                        views::Cell {
                            state: f.state,
                            note: f.note,
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let trends =
        crate::trends::Trends::of(register, &[id.as_str().to_owned()], today, true).await?;
    let index = views::PackIndex {
        engagement: views::EngagementRow {
            id: id.as_str().to_owned(),
            system: engagement.system.clone(),
            supplier: supplier.name.clone(),
            status: engagement.status.as_str().to_owned(),
        },
        owner: engagement.owner.clone(),
        exported_at: jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M:%SZ")
            .to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        css: oversight_web::assets::STYLESHEET,
        factors,
        ledger_verified: verification.verified,
        ledger: if verification.verified {
            format!(
                "Ledger verified: {} events, chain head #{} {}, signed by key {}.",
                verification.events.unwrap_or(0),
                verification.head_seq.unwrap_or(0),
                verification.head_hash.as_deref().unwrap_or(""),
                verification.key_fingerprint.as_deref().unwrap_or(""),
            )
        } else {
            verification.failure.clone().unwrap_or_default()
        },
        problems: problems.clone(),
        reviews,
        waivers: pack_waivers
            .iter()
            .map(|w| views::PackWaiverView {
                id: w.id.clone(),
                fingerprint: w.fingerprint.clone(),
                reason: w.reason.clone(),
                requester: w.requester.clone(),
                approver: w.approver.clone(),
                expires: w.expires.clone(),
                revoked: w
                    .revoked
                    .as_ref()
                    .map(|r| format!("revoked {} by {}: {}", r.at, r.by, r.reason)),
            })
            .collect(),
        documents: documents
            .iter()
            .map(|d| views::PackDocumentView {
                id: d.id.clone(),
                kind: d.kind.clone(),
                name: d.name.clone(),
                sha256: d.sha256.clone(),
                expires: d.expires.clone(),
                validity: match d.expires.as_deref().map(str::parse::<jiff::civil::Date>) {
                    None => "no expiry".to_owned(),
                    Some(Ok(e)) if e >= today => "valid".to_owned(),
                    Some(Ok(_)) => "expired".to_owned(),
                    Some(Err(_)) => "expiry unreadable".to_owned(),
                },
                added: format!("{} at {}", d.added_by, d.added_at),
            })
            .collect(),
        trends: views::Trends {
            charts: trends.charts("pack", false),
        },
    };
    let html = oversight_web::render("pack index", &index).map_err(|e| AppError::Corrupt {
        what: format!("The evidence pack's index.html of engagement {id}"),
        reason: e.to_string(),
    })?;
    pack.put("index.html", html.as_bytes())?;
    // The head as exported, signed: `pack verify` checks the pack's ledger
    // against it, and an auditor who keeps it can later tell a register
    // that was cut back to before it.
    let checkpoint = register.sign_checkpoint(&exported_head)?;
    pack.put(
        "checkpoint.json",
        format!("{}\n", checkpoint.to_line()).as_bytes(),
    )?;
    if let Some(log) = register.checkpoint_log()
        && log.exists()
    {
        let bytes = fs_err::read(log).map_err(|source| AppError::Read {
            path: log.to_owned(),
            source,
        })?;
        pack.put("checkpoints.log", &bytes)?;
    }
    let Writer { sink, mut sums } = pack;
    sums.sort_by(|a, b| a.1.cmp(&b.1));
    let listing: String = sums
        .iter()
        .map(|(hex, name)| format!("{hex}  {name}\n"))
        .collect();
    sink.put("SHA256SUMS", listing.as_bytes())?;
    let signature = register.sign_document(SUMS_DOMAIN, listing.as_bytes())?;
    sink.put(
        "SHA256SUMS.sig",
        format!("{}\n", hex::encode(signature)).as_bytes(),
    )?;
    Ok(Exported {
        engagement: id.as_str().to_owned(),
        reviews: deliveries.len(),
        waivers: waivers.len(),
        files: sums.len(),
        ledger: verification,
        evidence_problems: problems,
    })
}

/// Re-reads and hashes every delivered file review `review` kept, as its
/// recorded manifest `bytes` lists them; one message per file that is
/// missing or altered.
async fn verify_kept_files(
    evidence: &EvidenceStore,
    review: &str,
    bytes: &[u8],
    history: bool,
) -> Result<Vec<String>> {
    let Ok(manifest) = oversight_gate::Manifest::from_json(bytes) else {
        return Ok(vec![format!(
            "review {review}: its manifest is not a manifest"
        )]);
    };
    let mut paths = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    for (path, hex) in manifest.kept_files(history) {
        match hex.parse::<Digest>() {
            Ok(digest) => {
                paths.entry(digest).or_insert(path);
            }
            Err(_) => problems.push(format!("review {review}: {path}: `{hex}` is not a SHA-256")),
        }
    }
    let digests: Vec<Digest> = paths.keys().copied().collect();
    for problem in evidence.verify(&digests).await? {
        let path = match &problem {
            BlobProblem::Missing { digest } | BlobProblem::Tampered { digest, .. } => {
                paths.get(digest).copied().unwrap_or("?")
            }
            _ => "?",
        };
        problems.push(format!("review {review}: delivered file {path}: {problem}"));
    }
    Ok(problems)
}

/// The pack's view of `review` (in `dir`), its reasons read from the
/// decision document.
fn review_view(
    dir: &str,
    outcome: &str,
    review: &oversight_store::ReviewRecord,
) -> views::PackReviewView {
    let reasons = crate::record::decision_document(&review.delivery.id, &review.decision.document)
        .map(|d| {
            d.reasons
                .into_iter()
                .map(|r| views::ReasonRow {
                    blocks: r.blocks,
                    kind: r.kind,
                    message: r.message,
                })
                .collect()
        })
        .unwrap_or_else(|e| {
            vec![views::ReasonRow {
                blocks: false,
                kind: "unreadable".to_owned(),
                message: e.to_string(),
            }]
        });
    let count = |disposition: &str| {
        review
            .findings
            .iter()
            .filter(|f| f.disposition == disposition)
            .count()
    };
    views::PackReviewView {
        id: review.delivery.id.clone(),
        dir: dir.to_owned(),
        recorded_at: review.delivery.recorded_at.clone(),
        outcome: outcome.to_owned(),
        reviewer: review.decision.reviewer.clone(),
        decided_at: review.decision.decided_at.clone(),
        files: review.delivery.file_count,
        content_digest: review.delivery.content_digest.clone(),
        reasons,
        blocking: count("blocking"),
        waived: count("waived"),
        findings: review
            .findings
            .iter()
            .map(|f| views::PackFindingRow {
                rule: f.rule.clone(),
                category: f.category.clone(),
                severity: f.severity.clone(),
                place: match f.line {
                    Some(line) if !f.path.is_empty() => format!("{}:{line}", f.path),
                    _ => f.path.clone(),
                },
                message: f.message.clone(),
                disposition: f.disposition.clone(),
                waiver: f.waiver_id.clone(),
            })
            .collect(),
    }
}
