//! Export an engagement's evidence pack ([`crate::pack`]): the engagement
//! and supplier as written, every review with its findings and decision and
//! the evidence blobs it names (each re-verified against its SHA-256 while
//! copied, and every delivered file it kept read back), the waivers and
//! evidence documents, the whole ledger with the instance's public key and
//! the result of verifying it, a readable `index.html`, a signed checkpoint
//! of the exported head, and a signed `SHA256SUMS` over every file.

use std::fmt::Write as _;

use oversight_evidence::{BlobProblem, Digest, EvidenceStore};
use oversight_register::{EngagementId, Register};

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
    let mut rows = String::new();
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
        let count = |disposition: &str| {
            review
                .findings
                .iter()
                .filter(|f| f.disposition == disposition)
                .count()
        };
        let _ = writeln!(
            rows,
            "<tr><td><a href=\"{dir}/review.json\">{}</a></td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td><code>{}</code></td></tr>",
            html_escape(&delivery.id),
            html_escape(&delivery.recorded_at),
            html_escape(outcome),
            html_escape(outcome),
            html_escape(&review.decision.reviewer),
            delivery.file_count,
            review.findings.len(),
            count("blocking"),
            count("waived"),
            html_escape(&delivery.content_digest[..16.min(delivery.content_digest.len())]),
        );
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

    let html = index_html(
        id,
        &supplier.name,
        &engagement,
        &verification,
        &problems,
        &rows,
        &pack_waivers,
    );
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

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn index_html(
    id: &EngagementId,
    supplier: &str,
    engagement: &oversight_register::Engagement,
    verification: &LedgerCheck,
    problems: &[String],
    rows: &str,
    waivers: &[PackWaiver],
) -> String {
    let mut waiver_rows = String::new();
    for w in waivers {
        let _ = writeln!(
            waiver_rows,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&w.id),
            html_escape(&w.fingerprint),
            html_escape(&w.reason),
            html_escape(&w.requester),
            html_escape(&w.approver),
            html_escape(&w.expires),
            w.revoked.as_ref().map_or(String::new(), |r| format!(
                "revoked {} by {}: {}",
                html_escape(&r.at),
                html_escape(&r.by),
                html_escape(&r.reason)
            )),
        );
    }
    let ledger_line = if verification.verified {
        format!(
            "<p class=\"accepted\" id=\"ledger\">Ledger verified: {} events, chain head #{} <code>{}</code>, signed by key {}.</p>",
            verification.events.unwrap_or(0),
            verification.head_seq.unwrap_or(0),
            html_escape(verification.head_hash.as_deref().unwrap_or("")),
            html_escape(verification.key_fingerprint.as_deref().unwrap_or("")),
        )
    } else {
        format!(
            "<p class=\"rejected\" id=\"ledger\">Ledger verification FAILED: {}</p>",
            html_escape(verification.failure.as_deref().unwrap_or(""))
        )
    };
    let blob_line = if problems.is_empty() {
        "<p>Every evidence blob named by a review, and every delivered file it kept, was read back and matched its SHA-256.</p>"
            .to_owned()
    } else {
        format!(
            "<p class=\"rejected\">Evidence blobs that could not be verified:</p><ul>{}</ul>",
            problems
                .iter()
                .map(|p| format!("<li>{}</li>", html_escape(p)))
                .collect::<String>()
        )
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Evidence pack: {id}</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}.rejected{{color:#a00}}.accepted,.accepted-with-waivers{{color:#060}}</style></head>
<body>
<h1>Evidence pack: engagement <code>{id}</code></h1>
<p>Supplier <b>{supplier}</b> building <b>{system}</b>; owner {owner}; status {status}. Exported {now} by Oversight {version}.</p>
{ledger_line}
{blob_line}
<h2>Reviews</h2>
<table id="reviews"><tr><th>Review</th><th>Recorded</th><th>Decision</th><th>Reviewer</th><th>Files</th><th>Findings</th><th>Blocking / waived</th><th>Content digest</th></tr>
{rows}</table>
<h2>Waivers</h2>
<table id="waivers"><tr><th>Waiver</th><th>Fingerprint</th><th>Reason</th><th>Requested by</th><th>Approved by</th><th>Expires</th><th>Revoked</th></tr>
{waiver_rows}</table>
<p>Files: <a href="engagement.toml">engagement.toml</a>, <a href="supplier.toml">supplier.toml</a>, <a href="ledger.json">ledger.json</a>, <a href="waivers.json">waivers.json</a>, <a href="evidence-documents.json">evidence-documents.json</a>; <code>SHA256SUMS</code> covers every file of this pack.</p>
</body></html>
"#,
        id = html_escape(id.as_str()),
        supplier = html_escape(supplier),
        system = html_escape(&engagement.system),
        owner = html_escape(&engagement.owner),
        status = engagement.status.as_str(),
        now = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%SZ"),
        version = env!("CARGO_PKG_VERSION"),
    )
}
