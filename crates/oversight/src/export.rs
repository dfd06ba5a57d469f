//! `oversight export --engagement ID`: the evidence pack an auditor reads.
//!
//! A directory holding the engagement and supplier as written, every review
//! with its findings and decision and the evidence blobs it names (manifest,
//! facts, report, SBOM, policy: each re-verified against its SHA-256 while
//! copied), the waivers and evidence documents, the whole ledger with the
//! instance's public key and the result of verifying it, a readable
//! `index.html`, and `SHA256SUMS` over every file of the pack.

use crate::term::out;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use oversight_evidence::{BlobProblem, Digest, EvidenceStore};
use oversight_register::EngagementId;

use crate::args::ExportArgs;
use crate::register::{block_on, data_dir, open};

/// The evidence blobs a review names, and the file names they get in the pack.
pub(crate) const BLOBS: [(&str, &str); 5] = [
    ("manifest", "manifest.json"),
    ("facts", "facts.json"),
    ("report", "report.json"),
    ("sbom", "sbom.cdx.json"),
    ("policy", "policy.toml"),
];

/// Re-reads and hashes every delivered file review `review` kept, as its
/// recorded manifest `bytes` lists them; one message per file that is
/// missing or altered.
async fn verify_kept_files(
    evidence: &EvidenceStore,
    review: &str,
    bytes: &[u8],
    history: bool,
) -> anyhow::Result<Vec<String>> {
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

fn write(
    pack: &Path,
    name: &str,
    bytes: &[u8],
    sums: &mut Vec<(String, String)>,
) -> anyhow::Result<()> {
    let path = pack.join(name);
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent)?;
    }
    fs_err::write(&path, bytes)?;
    sums.push((crate::review::sha256_hex(bytes), name.to_owned()));
    Ok(())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn export(args: ExportArgs) -> anyhow::Result<u8> {
    let id: EngagementId = args.engagement.parse()?;
    let pack: PathBuf = args.output.clone();
    if pack.exists() && fs_err::read_dir(&pack)?.next().is_some() {
        bail!(
            "`{}` exists and is not empty; the pack goes into a new or empty directory",
            pack.display()
        );
    }
    let location = match &args.evidence {
        Some(location) => location.clone(),
        None => data_dir()?.join("evidence").display().to_string(),
    };
    block_on(async {
        let r = open(&args.register).await?;
        let engagement = r.engagement(&id).await?;
        let supplier = r.supplier_show(&engagement.supplier).await?;
        let evidence = EvidenceStore::open(&location)?;
        let mut sums = Vec::new();
        fs_err::create_dir_all(&pack)?;
        write(
            &pack,
            "engagement.toml",
            r.engagement_show(&id).await?.as_bytes(),
            &mut sums,
        )?;
        write(
            &pack,
            "supplier.toml",
            oversight_register::format::render_supplier(&supplier).as_bytes(),
            &mut sums,
        )?;

        let verification = match r.ledger_verify().await {
            Ok(report) => serde_json::json!({
                "verified": true, "events": report.events, "head_seq": report.head.seq,
                "head_hash": report.head.hash.to_hex(), "key_fingerprint": report.key_fingerprint,
            }),
            Err(e) => serde_json::json!({"verified": false, "failure": e.to_string()}),
        };
        let stored_events = r.ledger_events().await?;
        let exported_head = stored_events.last().map_or(
            oversight_ledger::ChainHead::GENESIS,
            oversight_ledger::SealedEvent::head,
        );
        let events: Vec<serde_json::Value> = stored_events
            .iter()
            .map(|e| {
                serde_json::json!({
                    "seq": e.seq, "kind": e.event.kind, "subject": e.event.subject,
                    "actor": e.event.actor, "timestamp": e.event.timestamp,
                    "payload": e.event.payload, "prev_hash": e.prev_hash.to_hex(),
                    "hash": e.hash.to_hex(), "signature": e.signature_hex(),
                })
            })
            .collect();
        let public_key = r.public_key().to_string();
        write(
            &pack,
            "ledger.json",
            serde_json::to_string_pretty(&serde_json::json!({
                "public_key": public_key,
                "verification": verification,
                "events": events,
            }))?
            .as_bytes(),
            &mut sums,
        )?;

        let deliveries = r.deliveries(id.as_str()).await?;
        let mut rows = String::new();
        let mut blob_problems = Vec::new();
        for (delivery, outcome) in &deliveries {
            let review = r.review(&delivery.id).await?;
            let document: serde_json::Value =
                serde_json::from_str(&delivery.document).unwrap_or_default();
            let findings: Vec<serde_json::Value> = review
                .findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "fingerprint": f.fingerprint, "rule": f.rule, "category": f.category,
                        "severity": f.severity, "path": f.path, "line": f.line,
                        "message": f.message, "content_sha256": f.content_sha256,
                        "disposition": f.disposition, "waiver": f.waiver_id,
                    })
                })
                .collect();
            let decision: serde_json::Value =
                serde_json::from_str(&review.decision.document).unwrap_or_default();
            let dir = format!("reviews/{}", delivery.id);
            write(
                &pack,
                &format!("{dir}/review.json"),
                serde_json::to_string_pretty(&serde_json::json!({
                    "review": delivery.id,
                    "recorded_at": delivery.recorded_at,
                    "content_digest": delivery.content_digest,
                    "files": delivery.file_count,
                    "bytes": delivery.total_bytes,
                    "delivery": document,
                    "decision": {
                        "outcome": review.decision.outcome,
                        "reviewer": review.decision.reviewer,
                        "decided_at": review.decision.decided_at,
                        "details": decision,
                    },
                    "findings": findings,
                }))?
                .as_bytes(),
                &mut sums,
            )?;
            for (key, name) in BLOBS {
                let Some(hex) = document["evidence"][key].as_str() else {
                    continue;
                };
                let digest: Digest = hex.parse().with_context(|| {
                    format!("Review {} names a malformed {key} blob", delivery.id)
                })?;
                match evidence.get(&digest).await {
                    Ok(bytes) => {
                        write(&pack, &format!("{dir}/{name}"), &bytes, &mut sums)?;
                        if key == "manifest" {
                            let history = document["scan"]["history"] == true;
                            blob_problems.extend(
                                verify_kept_files(&evidence, &delivery.id, &bytes, history).await?,
                            );
                        }
                    }
                    Err(e) => blob_problems.push(format!("review {}: {key}: {e}", delivery.id)),
                }
            }
            let blocking = review
                .findings
                .iter()
                .filter(|f| f.disposition == "blocking")
                .count();
            let waived = review
                .findings
                .iter()
                .filter(|f| f.disposition == "waived")
                .count();
            let _ = writeln!(
                rows,
                "<tr><td><a href=\"{dir}/review.json\">{}</a></td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                html_escape(&delivery.id),
                html_escape(&delivery.recorded_at),
                html_escape(outcome),
                html_escape(outcome),
                html_escape(&review.decision.reviewer),
                delivery.file_count,
                review.findings.len(),
                format_args!("{blocking} / {waived}"),
                html_escape(&delivery.content_digest[..16.min(delivery.content_digest.len())]),
            );
        }
        let waivers = r.waivers(id.as_str()).await?;
        let waiver_json: Vec<serde_json::Value> = waivers
            .iter()
            .map(|w| {
                serde_json::json!({
                    "id": w.id, "fingerprint": w.fingerprint, "content_sha256": w.content_sha256,
                    "reason": w.reason, "requester": w.requester, "approver": w.approver,
                    "expires": w.expires, "granted_at": w.granted_at,
                })
            })
            .collect();
        write(
            &pack,
            "waivers.json",
            serde_json::to_string_pretty(&waiver_json)?.as_bytes(),
            &mut sums,
        )?;
        let documents: Vec<serde_json::Value> = r
            .evidence_documents(Some(id.as_str()))
            .await?
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id, "kind": d.kind, "name": d.name, "sha256": d.sha256,
                    "size": d.size, "expires": d.expires, "added_by": d.added_by, "added_at": d.added_at,
                })
            })
            .collect();
        write(
            &pack,
            "evidence-documents.json",
            serde_json::to_string_pretty(&documents)?.as_bytes(),
            &mut sums,
        )?;

        let mut waiver_rows = String::new();
        for w in &waivers {
            let _ = writeln!(
                waiver_rows,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escape(&w.id),
                html_escape(&w.fingerprint),
                html_escape(&w.reason),
                html_escape(&w.requester),
                html_escape(&w.approver),
                html_escape(&w.expires),
            );
        }
        let ledger_line = if verification["verified"] == true {
            format!(
                "<p class=\"accepted\" id=\"ledger\">Ledger verified: {} events, chain head #{} <code>{}</code>, signed by key {}.</p>",
                verification["events"],
                verification["head_seq"],
                verification["head_hash"].as_str().unwrap_or(""),
                html_escape(verification["key_fingerprint"].as_str().unwrap_or("")),
            )
        } else {
            format!(
                "<p class=\"rejected\" id=\"ledger\">Ledger verification FAILED: {}</p>",
                html_escape(verification["failure"].as_str().unwrap_or(""))
            )
        };
        let blob_line = if blob_problems.is_empty() {
            "<p>Every evidence blob named by a review, and every delivered file it kept, was read back and matched its SHA-256.</p>"
                .to_owned()
        } else {
            format!(
                "<p class=\"rejected\">Evidence blobs that could not be verified:</p><ul>{}</ul>",
                blob_problems
                    .iter()
                    .map(|p| format!("<li>{}</li>", html_escape(p)))
                    .collect::<String>()
            )
        };
        let html = format!(
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
<table id="waivers"><tr><th>Waiver</th><th>Fingerprint</th><th>Reason</th><th>Requested by</th><th>Approved by</th><th>Expires</th></tr>
{waiver_rows}</table>
<p>Files: <a href="engagement.toml">engagement.toml</a>, <a href="supplier.toml">supplier.toml</a>, <a href="ledger.json">ledger.json</a>, <a href="waivers.json">waivers.json</a>, <a href="evidence-documents.json">evidence-documents.json</a>; <code>SHA256SUMS</code> covers every file of this pack.</p>
</body></html>
"#,
            id = html_escape(id.as_str()),
            supplier = html_escape(&supplier.name),
            system = html_escape(&engagement.system),
            owner = html_escape(&engagement.owner),
            status = engagement.status.as_str(),
            now = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%SZ"),
            version = env!("CARGO_PKG_VERSION"),
        );
        write(&pack, "index.html", html.as_bytes(), &mut sums)?;
        // The head as exported, signed: `pack verify` checks the pack's
        // ledger against it, and an auditor who keeps it can later tell a
        // register that was cut back to before it.
        let checkpoint = r.sign_checkpoint(&exported_head)?;
        write(
            &pack,
            "checkpoint.json",
            format!("{}\n", checkpoint.to_line()).as_bytes(),
            &mut sums,
        )?;
        if let Some(log) = r.checkpoint_log()
            && log.exists()
        {
            write(&pack, "checkpoints.log", &fs_err::read(log)?, &mut sums)?;
        }
        sums.sort_by(|a, b| a.1.cmp(&b.1));
        let listing: String = sums
            .iter()
            .map(|(hex, name)| format!("{hex}  {name}\n"))
            .collect();
        fs_err::write(pack.join("SHA256SUMS"), &listing)?;
        let signature = r.sign_document(crate::pack::SUMS_DOMAIN, listing.as_bytes())?;
        fs_err::write(
            pack.join("SHA256SUMS.sig"),
            format!("{}\n", hex::encode(signature)),
        )?;
        out!(
            "Exported engagement `{}` to {}: {} reviews, {} waivers, {} files (SHA256SUMS); ledger {}",
            id.as_str(),
            pack.display(),
            deliveries.len(),
            waivers.len(),
            sums.len(),
            if verification["verified"] == true {
                "verified"
            } else {
                "FAILED verification"
            }
        );
        if !blob_problems.is_empty() {
            out!(
                "Evidence FAILED verification ({} problems); the pack records them in index.html:",
                blob_problems.len()
            );
            for problem in &blob_problems {
                out!("  {problem}");
            }
        }
        Ok(
            if verification["verified"] == true && blob_problems.is_empty() {
                0
            } else {
                1
            },
        )
    })?
}
