//! `oversight review`: the acceptance gate, a thin adapter over
//! [`oversight_app::review`]: it builds the request from the arguments,
//! prints the typed result, and maps it to an exit code. Also `--diff`
//! and `--replay`, which re-run a recorded review from its evidence.

use crate::term::out;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use futures::{StreamExt as _, TryStreamExt as _};
use oversight_app::review::{
    ExplicitPolicy, PolicySource, Reviewed, evaluate, get, policy_waivers, review_scan,
};
use oversight_evidence::EvidenceStore;
use oversight_gate::{Manifest, is_history_path};
use oversight_policy::{Outcome, Policy, Waiver};
use oversight_register::{EngagementId, Register};

use crate::args::ReviewArgs;
use crate::register::{block_on, open};

fn evidence_location(args: &ReviewArgs) -> anyhow::Result<String> {
    Ok(oversight_app::paths::evidence_location(
        args.evidence.as_deref(),
    )?)
}

/// `--policy FILE`, read.
fn explicit_policy(args: &ReviewArgs) -> anyhow::Result<Option<ExplicitPolicy>> {
    let Some(path) = &args.policy else {
        return Ok(None);
    };
    let text = fs_err::read_to_string(path)
        .with_context(|| format!("Cannot read the acceptance policy `{}`", path.display()))?;
    Ok(Some(ExplicitPolicy {
        text,
        origin: path.display().to_string(),
    }))
}

pub(crate) fn review(args: ReviewArgs) -> anyhow::Result<u8> {
    if let Some(id) = args.replay.clone() {
        return replay(&args, &id);
    }
    crate::load_rule_dir(args.read.rules.as_deref())?;
    let engagement: EngagementId = args
        .engagement
        .as_deref()
        .context("--engagement is required")?
        .parse()?;
    let Some(target) = args.target.clone() else {
        return block_on(async {
            let r = open(&args.register).await?;
            diff_latest(&r, &args, engagement.as_str()).await
        })?;
    };
    let request = oversight_app::review::ReviewRequest {
        engagement,
        target,
        policy: explicit_policy(&args)?,
        read: args.read.options(),
        evidence: evidence_location(&args)?,
        id: None,
    };
    block_on(async {
        let r = open(&args.register).await?;
        let show_progress =
            !args.read.no_progress && std::io::IsTerminal::is_terminal(&std::io::stderr());
        let progress = crate::progress::Bar::new(show_progress);
        let reviewed = oversight_app::review::review(&r, &request, &progress).await?;
        print_decision(&args, &reviewed)?;
        if args.diff {
            let evidence = EvidenceStore::open(&request.evidence)?;
            print_diff_against_accepted(&r, &evidence, reviewed.engagement.as_str(), &reviewed.id)
                .await?;
        }
        Ok(if reviewed.accepted() { 0 } else { 1 })
    })?
}

fn print_decision(args: &ReviewArgs, reviewed: &Reviewed) -> anyhow::Result<()> {
    let mut out = crate::term::stdout();
    let decision = &reviewed.decision;
    let engagement = reviewed.engagement.as_str();
    let id = &reviewed.id;
    let policy_use = &reviewed.policy;
    if args.format == "json" {
        let value = serde_json::json!({
            "schema": "oversight.review/1",
            "review": id,
            "engagement": engagement,
            "decision": decision.outcome.as_str(),
            "reasons": decision.reasons.iter().map(oversight_app::record::ReasonRecord::of).collect::<Vec<_>>(),
            "content_digest": reviewed.content_digest,
            "policy": policy_use.to_ref(),
            "files": reviewed.files,
            "evidence": reviewed.evidence,
            "threats": reviewed.threats,
            "posture": reviewed.posture,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    let blocking = decision.reasons.iter().filter(|r| r.blocks()).count();
    writeln!(
        out,
        "Decision: {} (review {id}, engagement `{engagement}`)",
        decision.outcome.as_str().to_uppercase(),
    )?;
    writeln!(
        out,
        "Delivery: {} files, {} bytes, sha256:{}",
        reviewed.files, reviewed.total_bytes, reviewed.content_digest
    )?;
    let p = &policy_use.policy;
    let provenance = match (policy_use.source, &policy_use.agreed_sha256) {
        (PolicySource::Agreed, _) => "the policy the engagement agreed".to_owned(),
        (PolicySource::Default, _) => {
            "built-in default: the engagement agreed no policy".to_owned()
        }
        (PolicySource::Explicit, Some(agreed)) if policy_use.differs_from_agreed() => {
            format!("given with --policy; NOT the policy the engagement agreed (sha256:{agreed})")
        }
        (PolicySource::Explicit, Some(_)) => {
            "given with --policy; the same as the policy the engagement agreed".to_owned()
        }
        (PolicySource::Explicit, None) => {
            "given with --policy; the engagement agreed no policy".to_owned()
        }
    };
    writeln!(
        out,
        "Policy: {} {} (sha256:{}, {provenance})",
        p.name(),
        p.version(),
        p.sha256()
    )?;
    writeln!(
        out,
        "Evidence: {} ({} new blobs, {} already held)",
        reviewed.evidence, reviewed.committed.uploaded, reviewed.committed.already_present
    )?;
    if decision.reasons.is_empty() {
        writeln!(out, "No finding reaches the policy's thresholds.")?;
    } else {
        writeln!(out, "\nReasons ({blocking} blocking):")?;
        for reason in &decision.reasons {
            let mark = match reason.kind {
                k if k.blocks() => "BLOCKS",
                oversight_policy::ReasonKind::WaivedFinding => "waived",
                _ => "note",
            };
            let fingerprints: Vec<&str> = reason.fingerprints.iter().map(|f| f.as_str()).collect();
            if fingerprints.is_empty() {
                writeln!(out, "  {mark:<6} {}", reason.message)?;
            } else {
                writeln!(
                    out,
                    "  {mark:<6} {} [{}]",
                    reason.message,
                    fingerprints.join(", ")
                )?;
            }
        }
    }
    if let Some(t) = &reviewed.threats {
        let (mitigated, unmitigated, not_traced) = t.counts();
        writeln!(
            out,
            "\nThreat model v{} (unmitigated threats block at {}): {mitigated} mitigated, {unmitigated} unmitigated, {not_traced} not traced",
            t.model_version, t.block_at
        )?;
        for row in &t.threats {
            writeln!(
                out,
                "  {:<11} {:<8} {} {}: {}",
                row.state.as_str(),
                row.severity.as_str(),
                row.threat,
                row.title.replace('\n', " "),
                row.reason
            )?;
        }
    }
    crate::history::print_posture(&mut out, &reviewed.posture)?;
    if decision.outcome == Outcome::Rejected {
        writeln!(
            out,
            "\nTo accept a finding, an approver other than you can waive it: oversight waive FINGERPRINT --engagement {engagement} --reason … --expires DATE --approver NAME",
        )?;
    }
    Ok(())
}

/// Prints what changed between the engagement's last accepted delivery
/// before `review` and `review`.
async fn print_diff_against_accepted(
    r: &Register,
    evidence: &EvidenceStore,
    engagement: &str,
    review: &str,
) -> anyhow::Result<()> {
    let Some(since) = oversight_app::diff::since_accepted(r, evidence, engagement, review).await?
    else {
        out!("\nNo earlier accepted delivery of `{engagement}` to compare with.");
        return Ok(());
    };
    out!(
        "\nChanges since the last accepted delivery {} ({}):",
        since.accepted,
        since.accepted_at
    );
    print!("{}", since.diff.render(20));
    // What decides what runs (hooks, build scripts, CI, new network or exec
    // behaviour), named apart: backdoors arrive in updates.
    if !since.sensitive.is_empty() {
        out!(
            "\nSensitive changes ({}): each is a `{}` (high) for the reviewer; the decision above does not weigh them yet.",
            since.sensitive.len(),
            oversight_malicious::changes::SENSITIVE_CHANGE.id
        );
        for c in &since.sensitive {
            out!("  ! {} ({})", c.path, c.what);
        }
    }
    Ok(())
}

async fn diff_latest(r: &Register, args: &ReviewArgs, engagement: &str) -> anyhow::Result<u8> {
    let evidence = EvidenceStore::open(&evidence_location(args)?)?;
    let deliveries = r.deliveries(engagement).await?;
    let Some((latest, _)) = deliveries.last() else {
        bail!("Engagement `{engagement}` has no recorded review yet");
    };
    print_diff_against_accepted(r, &evidence, engagement, &latest.id).await?;
    Ok(0)
}

/// The relative file-system path of a delivery path's names, each as the
/// bytes it was delivered with ([`oversight_model::name_bytes`]).
fn restored_path(path: &str) -> PathBuf {
    path.split('/').map(segment_os).collect()
}

#[cfg(unix)]
fn segment_os(name: &str) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt as _;
    std::ffi::OsString::from_vec(oversight_model::name_bytes(name))
}

#[cfg(not(unix))]
fn segment_os(name: &str) -> std::ffi::OsString {
    name.into()
}

/// Rebuilds the delivered links and special files a manifest records, so a
/// replay sees what the review saw (a link out of the tree stays one).
/// Returns those that cannot be rebuilt without privileges (devices).
#[cfg(unix)]
fn rebuild_special(
    root: &Path,
    special: &[oversight_gate::ManifestSpecial],
) -> anyhow::Result<Vec<String>> {
    use std::os::unix::ffi::OsStringExt as _;
    let mut not_rebuilt = Vec::new();
    for entry in special {
        let path = root.join(restored_path(&entry.path));
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        match (entry.kind.as_str(), &entry.target) {
            ("symlink", Some(target)) => {
                let target = std::ffi::OsString::from_vec(oversight_model::name_bytes(target));
                std::os::unix::fs::symlink(&target, &path).with_context(|| {
                    format!("Cannot rebuild the delivered link `{}`", entry.path)
                })?;
            }
            ("fifo", _) => {
                let status = std::process::Command::new("mkfifo")
                    .arg(&path)
                    .status()
                    .with_context(|| {
                        format!("Cannot rebuild the delivered FIFO `{}`", entry.path)
                    })?;
                anyhow::ensure!(status.success(), "mkfifo failed for `{}`", entry.path);
            }
            ("socket", _) => {
                // Binding creates the socket file; it stays when the
                // listener is dropped.
                drop(
                    std::os::unix::net::UnixListener::bind(&path).with_context(|| {
                        format!("Cannot rebuild the delivered socket `{}`", entry.path)
                    })?,
                );
            }
            _ => not_rebuilt.push(format!("{} ({})", entry.path, entry.kind)),
        }
    }
    Ok(not_rebuilt)
}

#[cfg(not(unix))]
fn rebuild_special(
    _root: &Path,
    special: &[oversight_gate::ManifestSpecial],
) -> anyhow::Result<Vec<String>> {
    Ok(special
        .iter()
        .map(|e| format!("{} ({})", e.path, e.kind))
        .collect())
}

/// Files a replay restores at once.
const RESTORE_CONCURRENCY: usize = 16;

/// Re-runs review `id` from what was recorded: the delivered files from the
/// evidence store, the recorded policy and expected holders; then compares.
fn replay(args: &ReviewArgs, id: &str) -> anyhow::Result<u8> {
    let location = evidence_location(args)?;
    block_on(async {
        let r = open(&args.register).await?;
        let evidence = EvidenceStore::open(&location)?;
        // The review, its document and its manifest checked against the
        // recorded digest: what an escrow deposit starts from too.
        let oversight_app::escrow::RecordedDelivery {
            record: recorded,
            document,
            manifest,
            ..
        } = oversight_app::escrow::recorded_delivery(&r, &evidence, id).await?;
        let policy_text = String::from_utf8(get(&evidence, &document.evidence.policy).await?)
            .with_context(|| format!("The policy of review {id} is not UTF-8"))?;
        let policy = Policy::parse(&policy_text, &format!("the policy of review {id}"))?;
        let holders = document.expected_holders.clone();
        let scanned_history = document.scan.history;
        // Materialise the delivered top-level files as they were.
        let dir = tempfile::Builder::new()
            .prefix("oversight-replay-")
            .tempdir()?;
        let single = matches!(document.target_kind.as_str(), "file" | "archive");
        // Several at once: from S3-compatible storage each blob is a request
        // (11,000 in a row would take minutes); locally, reading, hashing
        // and writing run on the blocking pool (on 2 cores, 200 MB restore
        // in about the same time either way).
        let restored = futures::stream::iter(manifest.kept_files(scanned_history))
            .map(|(file, digest)| {
                let path = dir.path().join(restored_path(file));
                let evidence = &evidence;
                async move {
                    let bytes = get(evidence, digest).await?;
                    tokio::task::spawn_blocking(move || {
                        if let Some(parent) = path.parent() {
                            fs_err::create_dir_all(parent)?;
                        }
                        fs_err::write(&path, bytes)
                    })
                    .await??;
                    Ok::<_, anyhow::Error>(())
                }
            })
            .buffer_unordered(RESTORE_CONCURRENCY)
            .try_fold(0usize, |restored, ()| async move { Ok(restored + 1) })
            .await?;
        let not_rebuilt = rebuild_special(dir.path(), &manifest.special)?;
        let target = if single {
            let name = manifest
                .files
                .iter()
                .find(|f| !f.path.contains("!/"))
                .map(|f| f.path.clone())
                .context("The recorded manifest holds no file")?;
            dir.path().join(name)
        } else {
            dir.path().to_owned()
        };
        // The restored files are a plain tree: no revision, no history.
        let mut read = args.read.options();
        read.rev = None;
        read.history = false;
        let scan = review_scan(target, &read, holders);
        let mut options = oversight_app::scan::scan_options(&scan)?;
        options.record_manifest = true;
        let mut scanned = crate::run_scan(&scan, &args.read, options, policy.license().cloned())?;
        let now_manifest = Manifest::of_report(&scanned.report);
        // The waivers in force when the review was recorded, not later ones.
        // An unreadable time is an error: replaying at "now" would let a
        // waiver granted later change the result.
        let decided_at: jiff::Timestamp =
            recorded.decision.decided_at.parse().with_context(|| {
                format!(
                    "Review {id} records its decision time as `{}`, which is not a time; it cannot be replayed",
                    recorded.decision.decided_at
                )
            })?;
        let waivers: Vec<Waiver> = policy_waivers(
            &r.waivers_in_force(&recorded.delivery.engagement_id, decided_at)
                .await?,
        );
        let restored_root = dir.path().to_owned();
        let read = |path: &str| oversight_app::scan::read_from_tree(&restored_root, path);
        // The delivered provenance, checked again on the restored files
        // with the engagement's keys, against the recorded commit.
        let engagement: EngagementId = recorded.delivery.engagement_id.parse()?;
        let keys = oversight_app::provenance::keys(&r.engagement(&engagement).await?);
        let (found, provenance) = oversight_app::provenance::findings(
            &now_manifest,
            &read,
            &keys,
            document.scan.git_commit.as_deref(),
        );
        scanned.report.findings.extend(found);
        let first = evaluate(
            &policy,
            &scanned,
            &now_manifest,
            &read,
            &waivers,
            decided_at,
        );
        // The threat model version the review traced, with the evidence
        // documents kept by then; a review that traced none traces none.
        let (decision, replayed_findings) = match &document.threats {
            None => (first, scanned.report.findings.clone()),
            Some(traced) => {
                let documents: Vec<_> = r
                    .store()
                    .evidence(Some(&recorded.delivery.engagement_id))
                    .await?
                    .into_iter()
                    .filter(|e| {
                        e.added_at
                            .parse::<jiff::Timestamp>()
                            .is_ok_and(|t| t <= decided_at)
                    })
                    .collect();
                let t = oversight_app::threats::ThreatReview {
                    register: &r,
                    engagement: &recorded.delivery.engagement_id,
                    version: Some(traced.model_version),
                    evidence_documents: &documents,
                    today: decided_at.to_zoned(jiff::tz::TimeZone::UTC).date(),
                    policy: &policy,
                    report: &scanned.report,
                }
                .decide(first, &|findings| {
                    oversight_app::review::evaluate_findings(
                        &policy,
                        &scanned,
                        findings,
                        &now_manifest,
                        &read,
                        &waivers,
                        decided_at,
                    )
                })
                .await?;
                (t.decision, t.findings)
            }
        };
        // `--history` blobs came from the supplier's repository, which the
        // evidence store does not keep: their findings cannot be replayed
        // and are left out of the comparison, which says so.
        let (history, tree): (Vec<_>, Vec<_>) = recorded
            .findings
            .iter()
            .partition(|f| scanned_history && is_history_path(&f.path));
        // The git posture comes from the supplier's repository too (its
        // commits and signatures): recorded, not replayed.
        let (posture, tree): (Vec<_>, Vec<_>) = tree
            .into_iter()
            .partition(|f| oversight_app::posture::is_posture_rule(&f.rule));
        let past_blocked = history.iter().any(|f| f.disposition == "blocking");
        let posture_blocked = posture.iter().any(|f| f.disposition == "blocking");
        let history_blocked = past_blocked || posture_blocked;
        let before: std::collections::BTreeSet<&str> =
            tree.iter().map(|f| f.fingerprint.as_str()).collect();
        let after: std::collections::BTreeSet<&str> = replayed_findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let mut differences = Vec::new();
        if (single || document.target_kind == "directory")
            && now_manifest.digest() != recorded.delivery.content_digest
        {
            differences.push(format!(
                "the restored delivery's manifest hashes to {}, not {}",
                now_manifest.digest(),
                recorded.delivery.content_digest
            ));
        }
        for fp in before.difference(&after) {
            let f = recorded.findings.iter().find(|f| f.fingerprint == *fp);
            differences.push(format!(
                "finding {fp} ({}) is no longer reported",
                f.map_or("?".to_owned(), |f| format!("{} {}", f.rule, f.path))
            ));
        }
        for fp in after.difference(&before) {
            let f = replayed_findings
                .iter()
                .find(|f| f.fingerprint.as_str() == *fp);
            differences.push(format!(
                "finding {fp} ({}) is new",
                f.map_or("?".to_owned(), |f| format!(
                    "{} {}",
                    f.rule.id, f.location.path
                ))
            ));
        }
        // A review recorded before the section existed has none to compare.
        let provenance_unrecorded =
            document.posture.provenance.is_empty() && !provenance.is_empty();
        if provenance != document.posture.provenance && !provenance_unrecorded {
            differences.push(format!(
                "the delivered provenance now reads {}, recorded {}",
                provenance_summary(&provenance),
                provenance_summary(&document.posture.provenance)
            ));
        }
        if decision.outcome.as_str() != recorded.decision.outcome && !history_blocked {
            differences.push(format!(
                "the decision is now {}, recorded {}",
                decision.outcome.as_str(),
                recorded.decision.outcome
            ));
        }
        let current: Vec<String> = scanned
            .advisories
            .iter()
            .flat_map(|db| db.snapshots())
            .map(|s| s.digest.clone())
            .collect();
        let then: Vec<String> = document
            .advisories
            .iter()
            .map(|a| a.digest.clone())
            .collect();
        out!(
            "Replayed review {id}: {restored} delivered files restored from {}, {} findings then, {} now.",
            evidence.describe(),
            before.len(),
            after.len()
        );
        if scanned_history {
            out!(
                "Note: the review also scanned the git history; a replay restores the delivered tree only, so the {} finding(s) in past commits were not replayed{}.",
                history.len(),
                if past_blocked {
                    " and, as some of them blocked acceptance, the decision was not compared"
                } else {
                    ""
                }
            );
        }
        if document.posture.git.is_some() || !posture.is_empty() {
            out!(
                "Note: the git posture of commit {} ({}) comes from the repository's history, which the evidence store does not keep: it is recorded, not replayed{}.",
                document.scan.git_commit.as_deref().unwrap_or("?"),
                if posture.is_empty() {
                    "no finding".to_owned()
                } else {
                    format!("{} finding(s)", posture.len())
                },
                if posture_blocked {
                    " and, as some of its findings blocked acceptance, the decision was not compared"
                } else {
                    ""
                }
            );
        }
        if provenance_unrecorded {
            out!(
                "Note: the review recorded no provenance section (recorded by an older Oversight); the {} provenance document(s) read now were compared by their findings only.",
                provenance.len()
            );
        }
        if !not_rebuilt.is_empty() {
            out!(
                "Note: {} delivered special file(s) cannot be rebuilt without privileges and were left out of the replay: {}.",
                not_rebuilt.len(),
                not_rebuilt.join(", ")
            );
        }
        if then != current {
            out!(
                "Note: the advisory database differs from the one recorded ({} snapshot(s) then, {} now); vulnerability findings may differ for that reason.",
                then.len(),
                current.len()
            );
        }
        if differences.is_empty() && history_blocked {
            out!(
                "Result: IDENTICAL for the delivered tree (same files, same findings); decision {} recorded, not compared.",
                recorded.decision.outcome
            );
            Ok(0)
        } else if differences.is_empty() {
            out!(
                "Result: IDENTICAL (same delivery, same findings, same decision: {}).",
                recorded.decision.outcome
            );
            Ok(0)
        } else {
            out!("Result: DIFFERENT");
            for d in &differences {
                out!("  {d}");
            }
            Ok(1)
        }
    })?
}

/// `N document(s), M verified, K subject(s) as stated`, for a difference.
fn provenance_summary(records: &[oversight_app::record::ProvenanceRecord]) -> String {
    let subjects = records.iter().flat_map(|p| &p.subjects);
    format!(
        "{} document(s), {} verified, {} of {} subject(s) as stated",
        records.len(),
        records.iter().filter(|p| p.verified).count(),
        subjects.clone().filter(|s| s.matches).count(),
        subjects.count()
    )
}
