//! Looking back from the CLI: `review list|show` and `waiver list|revoke`.
//! Reads the register through its API; every supplier-controlled string
//! reaches the terminal through the one escaping function (`term`).

use anyhow::Context as _;
use serde::Deserialize;

use crate::args::{RegisterArgs, ReviewCommand, WaiverCommand};
use crate::register::{block_on, open};
use crate::term::out;

/// A reason as the decision document records it.
#[derive(Debug, Deserialize)]
struct RecordedReason {
    kind: String,
    blocks: bool,
    message: String,
    #[serde(default)]
    fingerprints: Vec<String>,
}

/// The policy as a review records it.
#[derive(Debug, Deserialize)]
struct RecordedPolicy {
    name: String,
    version: String,
    sha256: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    differs_from_agreed: Option<bool>,
}

/// The decision document of a review.
#[derive(Debug, Deserialize)]
struct RecordedDecision {
    #[serde(default)]
    reasons: Vec<RecordedReason>,
    policy: RecordedPolicy,
}

pub(crate) fn review(command: ReviewCommand, register: &RegisterArgs) -> anyhow::Result<u8> {
    block_on(async {
        let r = open(register).await?;
        match command {
            ReviewCommand::List { engagement } => {
                let deliveries = r.deliveries(&engagement).await?;
                out!(
                    "{:<22} {:<21} {:<22} {:>8} {:>6}  REVIEWER",
                    "REVIEW",
                    "RECORDED",
                    "DECISION",
                    "BLOCKING",
                    "FILES"
                );
                for (delivery, outcome) in &deliveries {
                    let review = r.review(&delivery.id).await?;
                    let blocking = review
                        .findings
                        .iter()
                        .filter(|f| f.disposition == "blocking")
                        .count();
                    out!(
                        "{:<22} {:<21} {:<22} {:>8} {:>6}  {}",
                        delivery.id,
                        delivery
                            .recorded_at
                            .get(..19)
                            .unwrap_or(&delivery.recorded_at),
                        outcome,
                        blocking,
                        delivery.file_count,
                        review.decision.reviewer
                    );
                }
                if deliveries.is_empty() {
                    out!("No review of engagement `{engagement}` yet.");
                }
                Ok(0)
            }
            ReviewCommand::Show { id, format } => {
                let review = r.review(&id).await?;
                let decision: RecordedDecision = serde_json::from_str(&review.decision.document)
                    .with_context(|| format!("Review {id} has an unreadable decision record"))?;
                let document =
                    oversight_app::record::delivery_document(&id, &review.delivery.document)?;
                let waivers = r.waivers(&review.delivery.engagement_id).await?;
                let applied: Vec<_> = waivers
                    .iter()
                    .filter(|w| {
                        review
                            .findings
                            .iter()
                            .any(|f| f.waiver_id.as_deref() == Some(&w.id))
                    })
                    .collect();
                if format == "json" {
                    let value = serde_json::json!({
                        "review": id,
                        "engagement": review.delivery.engagement_id,
                        "recorded_at": review.delivery.recorded_at,
                        "decision": review.decision.outcome,
                        "reviewer": review.decision.reviewer,
                        "policy": {
                            "name": decision.policy.name, "version": decision.policy.version,
                            "sha256": decision.policy.sha256, "source": decision.policy.source,
                            "differs_from_agreed": decision.policy.differs_from_agreed,
                        },
                        "reasons": decision.reasons.iter().map(|r| serde_json::json!({
                            "kind": r.kind, "blocks": r.blocks, "message": r.message,
                            "fingerprints": r.fingerprints,
                        })).collect::<Vec<_>>(),
                        "findings": review.findings.iter().map(|f| serde_json::json!({
                            "fingerprint": f.fingerprint, "rule": f.rule, "severity": f.severity,
                            "path": f.path, "line": f.line, "message": f.message,
                            "disposition": f.disposition, "waiver": f.waiver_id,
                        })).collect::<Vec<_>>(),
                        "waivers_applied": applied.iter().map(|w| serde_json::json!({
                            "id": w.id, "fingerprint": w.fingerprint, "expires": w.expires,
                            "requester": w.requester, "approver": w.approver, "reason": w.reason,
                        })).collect::<Vec<_>>(),
                        "posture": document.posture,
                    });
                    out!("{}", serde_json::to_string_pretty(&value)?);
                    return Ok(0);
                }
                out!(
                    "Review {id} of engagement `{}`: {} ({} by {})",
                    review.delivery.engagement_id,
                    review.decision.outcome.to_uppercase(),
                    review.decision.decided_at,
                    review.decision.reviewer
                );
                out!(
                    "Delivery: {} files, {} bytes, sha256:{}",
                    review.delivery.file_count,
                    review.delivery.total_bytes,
                    review.delivery.content_digest
                );
                let p = &decision.policy;
                out!(
                    "Policy: {} {} (sha256:{}{}{})",
                    p.name,
                    p.version,
                    p.sha256,
                    p.source
                        .as_deref()
                        .map_or_else(String::new, |s| format!(", {s}")),
                    if p.differs_from_agreed == Some(true) {
                        ", NOT the agreed policy"
                    } else {
                        ""
                    }
                );
                out!("\nReasons:");
                for reason in &decision.reasons {
                    let mark = if reason.blocks {
                        "BLOCKS"
                    } else if reason.kind == "waived-finding" {
                        "waived"
                    } else {
                        "note"
                    };
                    out!("  {mark:<6} {}", reason.message);
                }
                out!("\nFindings ({}):", review.findings.len());
                for f in &review.findings {
                    out!(
                        "  {:<8} {:<9} {:<34} {}{} [{}]{}",
                        f.disposition,
                        f.severity,
                        f.rule,
                        f.path,
                        f.line.map_or_else(String::new, |l| format!(":{l}")),
                        f.fingerprint,
                        f.waiver_id
                            .as_deref()
                            .map_or_else(String::new, |w| format!(" waived by {w}"))
                    );
                }
                let mut stdout = crate::term::stdout();
                print_posture(&mut stdout, &document.posture)?;
                drop(stdout);
                if !applied.is_empty() {
                    out!("\nWaivers applied:");
                    for w in applied {
                        out!(
                            "  {} for {} until {} (requested by {}, approved by {}): {}",
                            w.id,
                            w.fingerprint,
                            w.expires,
                            w.requester,
                            w.approver,
                            w.reason
                        );
                    }
                }
                Ok(0)
            }
        }
    })?
}

/// The posture section of a review (git posture, delivered provenance),
/// human-readable; nothing when the review recorded none.
pub(crate) fn print_posture(
    out: &mut impl std::io::Write,
    posture: &oversight_app::record::PostureSection,
) -> std::io::Result<()> {
    use oversight_app::record::RewriteCheck;
    if let Some(g) = &posture.git {
        if let Some(why) = &g.unreadable {
            writeln!(
                out,
                "\nGit posture of commit {}: could not be read: {why}",
                g.commit
            )?;
        } else {
            let share = if g.commits == 0 {
                100.0
            } else {
                g.verified as f64 * 100.0 / g.commits as f64
            };
            writeln!(
                out,
                "\nGit posture of commit {}: {} commits examined, {} signed, {} verified by a registered key ({share:.1} %; {} key(s) registered)",
                g.commit, g.commits, g.signed, g.verified, g.keys_registered
            )?;
            if g.unregistered_key + g.invalid + g.unsupported > 0 {
                writeln!(
                    out,
                    "  signatures not counted: {} by an unregistered key, {} that do not verify, {} OpenPGP/X.509 (not verified)",
                    g.unregistered_key, g.invalid, g.unsupported
                )?;
            }
            if g.domains.is_empty() {
                writeln!(
                    out,
                    "  unknown authors: not checked (the terms declare no commit_domains)"
                )?;
            } else if g.unknown_author_commits == 0 {
                writeln!(
                    out,
                    "  unknown authors: none (declared domains: {})",
                    g.domains.join(", ")
                )?;
            } else {
                writeln!(
                    out,
                    "  unknown authors: {} commit(s) outside {}: {}",
                    g.unknown_author_commits,
                    g.domains.join(", "),
                    g.unknown_identities.join(", ")
                )?;
            }
        }
        let since = g
            .previous_commit
            .as_deref()
            .map_or_else(String::new, |c| format!(" since accepted commit {c}"));
        match g.rewritten {
            RewriteCheck::NotChecked => writeln!(
                out,
                "  history rewritten: not checked (no earlier accepted delivery was a git repository)"
            )?,
            RewriteCheck::No => writeln!(out, "  history rewritten: no{since}")?,
            RewriteCheck::Yes => writeln!(out, "  history rewritten: YES{since}")?,
        }
    }
    if !posture.provenance.is_empty() {
        writeln!(
            out,
            "\nProvenance: {} document(s), {} verified",
            posture.provenance.len(),
            posture.provenance_verified()
        )?;
        for p in &posture.provenance {
            if !p.verified {
                writeln!(
                    out,
                    "  {} #{} ({}): NOT verified: {}",
                    p.file,
                    p.envelope,
                    p.kind,
                    p.not_verified.as_deref().unwrap_or("no reason recorded")
                )?;
                continue;
            }
            writeln!(
                out,
                "  {} #{} ({}): verified, signed by {}, builder {}, source revision {}",
                p.file,
                p.envelope,
                p.kind,
                p.signed_by.as_deref().unwrap_or("?"),
                p.builder.as_deref().unwrap_or("not stated"),
                p.source_revision.as_deref().unwrap_or("not stated")
            )?;
            for subject in &p.subjects {
                writeln!(
                    out,
                    "    {:<9} {} sha256:{}{}",
                    if subject.matches {
                        "as stated"
                    } else {
                        "MISMATCH"
                    },
                    subject.name,
                    subject.sha256.as_deref().unwrap_or("(none stated)"),
                    match &subject.delivered_sha256 {
                        Some(d) if Some(d) != subject.sha256.as_ref() =>
                            format!(", delivered sha256:{d}"),
                        Some(_) => String::new(),
                        None => ", not delivered".to_owned(),
                    }
                )?;
            }
        }
    }
    Ok(())
}

pub(crate) fn waiver(command: WaiverCommand) -> anyhow::Result<u8> {
    match command {
        WaiverCommand::List {
            engagement,
            register,
        } => block_on(async {
            let r = open(&register).await?;
            let revoked = r.waiver_revocations(&engagement).await?;
            let waivers = r.waivers(&engagement).await?;
            out!(
                "{:<22} {:<34} {:<11} {:<14} {:<20} {:<20} STATE",
                "WAIVER",
                "FINGERPRINT",
                "EXPIRES",
                "BOUND TO",
                "REQUESTED BY",
                "APPROVED BY"
            );
            let today = jiff::Zoned::now().date().to_string();
            for w in &waivers {
                let state = match revoked.iter().find(|v| v.waiver_id == w.id) {
                    Some(v) => {
                        format!("revoked {} by {}: {}", v.revoked_at, v.revoked_by, v.reason)
                    }
                    None if w.expires < today => "expired".to_owned(),
                    None => "in force".to_owned(),
                };
                out!(
                    "{:<22} {:<34} {:<11} {:<14} {:<20} {:<20} {state}",
                    w.id,
                    w.fingerprint,
                    w.expires,
                    w.content_sha256
                        .as_deref()
                        .map_or("-".to_owned(), |h| format!(
                            "sha256:{}",
                            &h[..7.min(h.len())]
                        )),
                    w.requester,
                    w.approver
                );
            }
            if waivers.is_empty() {
                out!("No waiver for engagement `{engagement}`.");
            }
            Ok(0)
        })?,
        WaiverCommand::Revoke {
            id,
            engagement,
            reason,
            register,
        } => block_on(async {
            let r = open(&register).await?;
            let revocation = r.revoke_waiver(&engagement, &id, &reason).await?;
            out!(
                "Revoked waiver {} of engagement `{}` ({} by {}); the next review no longer applies it",
                revocation.waiver_id,
                revocation.engagement_id,
                revocation.revoked_at,
                revocation.revoked_by
            );
            Ok(0)
        })?,
    }
}
