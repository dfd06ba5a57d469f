//! `oversight review`: the acceptance gate. Runs the scan with the manifest
//! and the content tap on, evaluates the engagement's policy, keeps the
//! delivered files and the review's documents in the evidence store, then
//! records delivery, findings and decision in one register transaction.
//!
//! Order matters for crash safety: blobs go to the content-addressed store
//! first (an interrupted review leaves at most unreferenced blobs), and the
//! register records everything in one transaction at the very end, so a
//! review is either wholly recorded or not at all.

use crate::term::out;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use futures::{StreamExt as _, TryStreamExt as _};
use oversight_evidence::{Digest, EvidenceStore, StagedWriter, Staging};
use oversight_gate::{DeliveryDiff, DeliveryFacts, Manifest, is_history_path};
use oversight_model::{DeliveryPath, ScanReport};
use oversight_policy::{AdvisorySnapshot, Decision, DeliveredFile, Input, Outcome, Policy, Waiver};
use oversight_register::{EngagementId, Register};
use oversight_scan::{ContentTap, TapWriter};
use oversight_store::{DecisionRecord, DeliveryRecord, FindingRecord, ReviewRecord};

use crate::args::{ReviewArgs, ScanArgs, ScanFormat};
use crate::register::{block_on, data_dir, open};

/// Hands the engine's top-level files to the staging area, and remembers
/// what could not be spooled: a review whose evidence is incomplete must not
/// be recorded.
struct StagingTap {
    staging: Arc<Staging>,
    failures: Arc<Mutex<Vec<String>>>,
}

struct StagingWriter {
    writer: Option<StagedWriter>,
    path: String,
    failures: Arc<Mutex<Vec<String>>>,
}

impl StagingWriter {
    fn fail(&mut self, why: &std::io::Error) {
        self.writer = None;
        self.failures
            .lock()
            .expect("no thread panics holding the lock")
            .push(format!("{}: {why}", self.path));
    }
}

impl ContentTap for StagingTap {
    fn open(&self, path: &DeliveryPath, _size: Option<u64>) -> Option<Box<dyn TapWriter>> {
        // The engine hashes every byte it reads; the writer need not again.
        Some(Box::new(StagingWriter {
            writer: Some(self.staging.prehashed_writer()),
            path: path.to_string(),
            failures: Arc::clone(&self.failures),
        }))
    }
}

impl TapWriter for StagingWriter {
    fn write(&mut self, bytes: &[u8]) {
        if let Some(w) = &mut self.writer
            && let Err(e) = w.write_all(bytes)
        {
            self.fail(&e);
        }
    }

    fn finish(mut self: Box<Self>, sha256: [u8; 32]) {
        if let Some(w) = self.writer.take()
            && let Err(e) = w.finish_as(Digest::from(sha256))
        {
            self.fail(&e);
        }
    }

    fn abort(mut self: Box<Self>) {
        if let Some(w) = self.writer.take() {
            w.abort();
        }
    }
}

/// The delivery's files as the policy sees them.
fn delivered_files(manifest: &Manifest) -> Vec<DeliveredFile> {
    manifest
        .files
        .iter()
        .map(|f| DeliveredFile {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
        })
        .collect()
}

/// The organisation's waivers as the policy sees them; a stored waiver
/// whose dates no longer parse (edited outside Oversight) applies to nothing.
fn policy_waivers(records: &[oversight_store::WaiverRecord]) -> Vec<Waiver> {
    records
        .iter()
        .filter_map(|w| {
            Some(Waiver {
                id: w.id.clone(),
                fingerprint: w.fingerprint.clone(),
                content_sha256: w.content_sha256.clone(),
                expires: w.expires.parse().ok()?,
                granted_at: w.granted_at.parse().ok()?,
                approver: w.approver.clone(),
                reason: w.reason.clone(),
            })
        })
        .collect()
}

/// What the decision made of each finding: `blocking`, `waived` (with the
/// waiver) or `noted`, in the findings' order.
fn dispositions(
    decision: &Decision,
    findings: &[oversight_model::Finding],
) -> Vec<(&'static str, Option<String>)> {
    let waived: std::collections::HashMap<&str, &str> = decision
        .waived
        .iter()
        .map(|(f, w)| (f.as_str(), w.as_str()))
        .collect();
    let blocking: std::collections::HashSet<&str> = decision
        .blocking_fingerprints()
        .map(|f| f.as_str())
        .collect();
    findings
        .iter()
        .map(|f| {
            let fp = f.fingerprint.as_str();
            match waived.get(fp) {
                Some(w) => ("waived", Some((*w).to_owned())),
                None if blocking.contains(fp) => ("blocking", None),
                None => ("noted", None),
            }
        })
        .collect()
}

fn advisory_snapshots(scanned: &crate::Scanned) -> Vec<AdvisorySnapshot> {
    scanned
        .advisories
        .iter()
        .flat_map(|db| db.snapshots())
        .map(|s| AdvisorySnapshot {
            source: s.source.clone(),
            imported_at: rfc3339(s.imported_at),
            data_as_of: s.data_as_of.map(rfc3339),
        })
        .collect()
}

fn evidence_location(args: &ReviewArgs) -> anyhow::Result<String> {
    match &args.evidence {
        Some(location) => Ok(location.clone()),
        None => Ok(data_dir()?.join("evidence").display().to_string()),
    }
}

/// The scan the review runs: every detector, the reviewer's configuration.
fn scan_args(args: &ReviewArgs, target: PathBuf, holders: Vec<String>) -> ScanArgs {
    ScanArgs {
        target,
        format: ScanFormat::Json,
        output: None,
        fail_on: None,
        read: args.read.clone(),
        secrets_config: None,
        no_secrets: false,
        no_licenses: false,
        baseline: None,
        verbose: false,
        license_policy: None,
        expected_holders: holders,
        no_deps: false,
        policy: None,
    }
}

/// The bytes of a delivered file under `root` (a directory on disk: the
/// delivery scanned in place, or the files a replay restored), a member of
/// a delivered archive read back out of it.
pub(crate) fn read_from_tree(root: &Path, path: &str) -> Option<Vec<u8>> {
    match path.split_once("!/") {
        None => std::fs::read(root.join(path)).ok(),
        Some((outer, inner)) => {
            oversight_archive::read_member(&std::fs::read(root.join(outer)).ok()?, inner)
        }
    }
}

/// Evaluates `policy` on what the scan found: the one evaluation of a
/// delivery that review, replay and `scan --policy` share.
pub(crate) fn evaluate(
    policy: &Policy,
    scanned: &crate::Scanned,
    manifest: &Manifest,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    waivers: &[Waiver],
    now: jiff::Timestamp,
) -> Decision {
    let files = delivered_files(manifest);
    let advisories = advisory_snapshots(scanned);
    oversight_policy::evaluate(
        policy,
        &Input {
            findings: &scanned.report.findings,
            files: &files,
            waivers,
            components: &scanned.report.components,
            commit: scanned.report.git.as_ref().map(|g| g.commit.as_str()),
            advisories: &advisories,
            read,
            now,
        },
    )
}

/// Where the policy a review used came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PolicySource {
    /// The policy the engagement agreed, as the register holds it.
    Agreed,
    /// `--policy FILE`, given explicitly by the reviewer.
    Explicit,
    /// The built-in default: the engagement agreed no acceptance policy.
    Default,
}

impl PolicySource {
    fn as_str(self) -> &'static str {
        match self {
            PolicySource::Agreed => "agreed",
            PolicySource::Explicit => "explicit",
            PolicySource::Default => "default",
        }
    }
}

/// The policy a review evaluates, where it came from, and the digest of the
/// one the engagement agreed (recorded, so that a review under another
/// policy says so).
struct PolicyUse {
    policy: Policy,
    source: PolicySource,
    agreed_sha256: Option<String>,
}

impl PolicyUse {
    /// Whether the policy used is not the one the engagement agreed.
    fn differs_from_agreed(&self) -> bool {
        self.agreed_sha256.as_deref() != Some(self.policy.sha256().as_str())
    }

    /// The review record's `policy` object.
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.policy.name(),
            "version": self.policy.version(),
            "sha256": self.policy.sha256(),
            "source": self.source.as_str(),
            "agreed_sha256": self.agreed_sha256,
            "differs_from_agreed": self.differs_from_agreed(),
        })
    }
}

/// The policy: `--policy` when given explicitly, else exactly the policy
/// the engagement agreed, by content, from the register (never a file found
/// relative to the working directory), else the default when the
/// engagement agreed none. An engagement whose agreed policy is not in the
/// register is an error, never a silent fallback.
fn load_policy(
    args: &ReviewArgs,
    engagement: &oversight_register::Engagement,
) -> anyhow::Result<PolicyUse> {
    let id = engagement.id.as_str();
    let agreed = match &engagement.terms.acceptance {
        Some(acceptance) => Some(acceptance.agreed.as_ref().with_context(|| {
            format!(
                "Engagement `{id}` names the acceptance policy `{}` but the register holds no agreed \
                 text for it (recorded by an older Oversight); re-apply the engagement file with \
                 `oversight engagement apply`",
                acceptance.policy
            )
        })?),
        None => None,
    };
    let agreed_sha256 = agreed.map(|a| a.sha256.clone());
    if let Some(path) = &args.policy {
        let text = fs_err::read_to_string(path)
            .with_context(|| format!("Cannot read the acceptance policy `{}`", path.display()))?;
        return Ok(PolicyUse {
            policy: Policy::parse(&text, &path.display().to_string())?,
            source: PolicySource::Explicit,
            agreed_sha256,
        });
    }
    Ok(match agreed {
        Some(agreed) => PolicyUse {
            policy: Policy::parse(
                &agreed.text,
                &format!("the agreed policy of engagement `{id}`"),
            )?,
            source: PolicySource::Agreed,
            agreed_sha256,
        },
        None => PolicyUse {
            policy: Policy::default_policy(),
            source: PolicySource::Default,
            agreed_sha256,
        },
    })
}

fn rfc3339(seconds: u64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(i64::try_from(seconds).unwrap_or(i64::MAX))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn json_report(report: &ScanReport) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    oversight_report::write(
        report,
        oversight_report::Format::Json,
        &oversight_report::HumanOptions::default(),
        &mut out,
    )?;
    Ok(out)
}

fn sbom(report: &ScanReport, seed: &str, timestamp: &str) -> String {
    let name = Path::new(&report.target).file_name().map_or_else(
        || report.target.clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    oversight_sbom::cyclonedx_json(&oversight_sbom::SbomInput {
        delivery: oversight_sbom::Delivery {
            name,
            version: None,
        },
        tool: oversight_sbom::Tool {
            name: "oversight".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        timestamp: timestamp.to_owned(),
        seed: seed.to_owned(),
        components: &report.components,
        vulnerabilities: &[],
    })
}

pub(crate) fn review(args: ReviewArgs) -> anyhow::Result<u8> {
    if let Some(id) = args.replay.clone() {
        return replay(&args, &id);
    }
    let engagement_id: EngagementId = args
        .engagement
        .as_deref()
        .context("--engagement is required")?
        .parse()?;
    let Some(target) = args.target.clone() else {
        return block_on(async {
            let r = open(&args.register).await?;
            diff_latest(&r, &args, engagement_id.as_str()).await
        })?;
    };
    let location = evidence_location(&args)?;
    block_on(async {
        let r = open(&args.register).await?;
        let engagement = r.engagement(&engagement_id).await?;
        if let Some(why) = engagement.refuses_deliveries(jiff::Zoned::now().date()) {
            bail!("{why}");
        }
        let policy_use = load_policy(&args, &engagement)?;
        let policy = &policy_use.policy;
        let holders = match policy.expected_holders() {
            Some(holders) => holders.to_vec(),
            None => engagement
                .terms
                .licensing
                .as_ref()
                .map(|l| l.expected_copyright_holders.clone())
                .unwrap_or_default(),
        };
        let evidence = EvidenceStore::open(&location)?;
        // For a local store, blobs go straight to their place in it (small
        // ones to one pack).
        let staging = Arc::new(Staging::for_store(&evidence).await?);
        let failures = Arc::new(Mutex::new(Vec::new()));
        let scan = scan_args(&args, target.clone(), holders.clone());
        let mut options = crate::scan_options(&scan)?;
        options.record_manifest = true;
        options.content_tap = Some(Arc::new(StagingTap {
            staging: Arc::clone(&staging),
            failures: Arc::clone(&failures),
        }));
        let scanned = crate::run_scan(&scan, options, policy.license().cloned())?;
        let failures = failures
            .lock()
            .expect("no thread panics holding the lock")
            .clone();
        if !failures.is_empty() {
            bail!(
                "The delivered files could not all be kept as evidence; nothing was recorded:\n  {}",
                failures.join("\n  ")
            );
        }
        let recorded = record(
            &r,
            &args,
            &engagement_id,
            &policy_use,
            &holders,
            &scanned,
            &staging,
            &evidence,
        )
        .await?;
        if args.diff {
            print_diff_against_accepted(&r, &evidence, engagement_id.as_str(), &recorded.0).await?;
        }
        Ok(match recorded.1 {
            Outcome::Rejected => 1,
            Outcome::Accepted | Outcome::AcceptedWithWaivers => 0,
        })
    })?
}

/// Evaluates, stores the blobs, records the review, prints the decision.
#[allow(clippy::too_many_arguments)]
async fn record(
    r: &Register,
    args: &ReviewArgs,
    engagement: &EngagementId,
    policy_use: &PolicyUse,
    holders: &[String],
    scanned: &crate::Scanned,
    staging: &Arc<Staging>,
    evidence: &EvidenceStore,
) -> anyhow::Result<(String, Outcome)> {
    let policy = &policy_use.policy;
    let report = &scanned.report;
    let manifest = Manifest::of_report(report);
    let content_digest = manifest.digest();
    let now = jiff::Timestamp::now();
    let waivers = policy_waivers(&r.waivers_in_force(engagement.as_str(), now).await?);
    // A delivered file's bytes, from the staging area; a member of a
    // delivered archive is read back out of the archive it came in.
    let read = |path: &str| {
        let top = |p: &str| {
            let digest: Digest = manifest.sha256_of(p)?.parse().ok()?;
            staging.read(&digest).ok().flatten()
        };
        match path.split_once("!/") {
            None => top(path),
            Some((outer, inner)) => oversight_archive::read_member(&top(outer)?, inner),
        }
    };
    let decision = evaluate(policy, scanned, &manifest, &read, &waivers, now);

    // Evidence first: content-addressed, so an interrupted review leaves at
    // most blobs nobody refers to.
    let committed = staging.commit(evidence).await?;
    let stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let manifest_blob = put(evidence, manifest.to_json().as_bytes()).await?;
    let facts_blob = put(evidence, DeliveryFacts::of(report).to_json().as_bytes()).await?;
    let report_blob = put(evidence, &json_report(report)?).await?;
    let sbom_blob = put(evidence, sbom(report, &content_digest, &stamp).as_bytes()).await?;
    let policy_blob = put(evidence, policy.text().as_bytes()).await?;

    let id = oversight_register::new_id("rev", &content_digest);
    let snapshots: Vec<serde_json::Value> = scanned
        .advisories
        .iter()
        .flat_map(|db| db.snapshots())
        .map(|s| {
            serde_json::json!({
                "source": s.source, "digest": s.digest, "advisories": s.advisories,
                "imported_at": rfc3339(s.imported_at).to_string(),
                "data_as_of": s.data_as_of.map(|t| rfc3339(t).to_string()),
            })
        })
        .collect();
    let document = serde_json::json!({
        "target": report.target,
        "target_kind": report.target_kind,
        "tool": {"name": "oversight", "version": report.tool_version},
        "rule_sets": {
            "secrets": {"set": "builtin", "sha256": sha256_hex(oversight_secrets::BUILTIN_RULES.as_bytes())},
            "licences": {"spdx_license_list": oversight_licenses::spdx_list_version()},
            "rules": report.rules.len(),
        },
        "advisories": snapshots,
        "policy": policy_use.to_json(),
        "expected_holders": holders,
        "scan": {"rev": args.read.rev, "history": args.read.history, "git_commit": report.git.as_ref().map(|g| g.commit.clone())},
        "evidence": {
            "store": evidence.describe(), "manifest": manifest_blob, "facts": facts_blob,
            "report": report_blob, "sbom": sbom_blob, "policy": policy_blob,
        },
        "components": report.components.len(),
    });
    let dispositions = dispositions(&decision, &report.findings);
    let findings: Vec<FindingRecord> = report
        .findings
        .iter()
        .zip(&dispositions)
        .enumerate()
        .map(|(i, (f, d))| FindingRecord {
            ordinal: i as i64,
            fingerprint: f.fingerprint.as_str().to_owned(),
            rule: f.rule.id.to_owned(),
            category: f.category().as_str().to_owned(),
            severity: f.severity.to_string(),
            path: f.location.path.to_string(),
            line: f.location.line.map(i64::from),
            message: f.message.clone(),
            content_sha256: manifest
                .sha256_of(&f.location.path.to_string())
                .map(str::to_owned),
            disposition: d.0.to_owned(),
            waiver_id: d.1.clone(),
        })
        .collect();
    let reasons: Vec<serde_json::Value> = decision.reasons.iter().map(reason_json).collect();
    let record = ReviewRecord {
        delivery: DeliveryRecord {
            id: id.clone(),
            engagement_id: engagement.as_str().to_owned(),
            recorded_at: now.to_string(),
            content_digest: content_digest.clone(),
            file_count: manifest.files.len() as i64,
            total_bytes: i64::try_from(manifest.total_bytes()).unwrap_or(i64::MAX),
            document: oversight_ledger::canonical::to_string(&document),
        },
        findings,
        decision: DecisionRecord {
            outcome: decision.outcome.as_str().to_owned(),
            reviewer: r.actor().to_owned(),
            decided_at: now.to_string(),
            document: oversight_ledger::canonical::to_string(&serde_json::json!({
                "reasons": reasons,
                "policy": policy_use.to_json(),
            })),
        },
    };
    let summary = serde_json::json!({
        "policy": policy_use.to_json(),
        "tool_version": report.tool_version,
        "advisories": snapshots,
        "evidence": document["evidence"].clone(),
        "blocking": decision.reasons.iter().filter(|r| r.blocks()).count(),
    });
    r.record_review(record, summary).await?;
    print_decision(
        args,
        policy_use,
        &id,
        engagement,
        &decision,
        &manifest,
        &content_digest,
        evidence,
        committed,
    )?;
    Ok((id, decision.outcome))
}

#[allow(clippy::too_many_arguments)]
fn print_decision(
    args: &ReviewArgs,
    policy_use: &PolicyUse,
    id: &str,
    engagement: &EngagementId,
    decision: &Decision,
    manifest: &Manifest,
    content_digest: &str,
    evidence: &EvidenceStore,
    committed: oversight_evidence::CommitSummary,
) -> anyhow::Result<()> {
    let mut out = crate::term::stdout();
    if args.format == "json" {
        let reasons: Vec<serde_json::Value> = decision.reasons.iter().map(reason_json).collect();
        let value = serde_json::json!({
            "schema": "oversight.review/1",
            "review": id,
            "engagement": engagement.as_str(),
            "decision": decision.outcome.as_str(),
            "reasons": reasons,
            "content_digest": content_digest,
            "policy": policy_use.to_json(),
            "files": manifest.files.len(),
            "evidence": evidence.describe(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    let blocking = decision.reasons.iter().filter(|r| r.blocks()).count();
    writeln!(
        out,
        "Decision: {} (review {id}, engagement `{}`)",
        decision.outcome.as_str().to_uppercase(),
        engagement.as_str()
    )?;
    writeln!(
        out,
        "Delivery: {} files, {} bytes, sha256:{content_digest}",
        manifest.files.len(),
        manifest.total_bytes()
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
        evidence.describe(),
        committed.uploaded,
        committed.already_present
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
    if decision.outcome == Outcome::Rejected {
        writeln!(
            out,
            "\nTo accept a finding, an approver other than you can waive it: oversight waive FINGERPRINT --engagement {} --reason … --expires DATE --approver NAME",
            engagement.as_str()
        )?;
    }
    Ok(())
}

async fn facts_of(
    r: &Register,
    evidence: &EvidenceStore,
    review: &str,
) -> anyhow::Result<DeliveryFacts> {
    let record = r.review(review).await?;
    let document: serde_json::Value = serde_json::from_str(&record.delivery.document)
        .with_context(|| format!("Review {review} has a corrupt delivery document"))?;
    let digest = document["evidence"]["facts"]
        .as_str()
        .with_context(|| format!("Review {review} names no facts blob"))?;
    let bytes = get(evidence, digest).await?;
    DeliveryFacts::from_json(&bytes)
        .with_context(|| format!("The facts blob sha256:{digest} of review {review} is corrupt"))
}

/// Prints what changed between the engagement's last accepted delivery
/// before `review` and `review`.
async fn print_diff_against_accepted(
    r: &Register,
    evidence: &EvidenceStore,
    engagement: &str,
    review: &str,
) -> anyhow::Result<()> {
    let deliveries = r.deliveries(engagement).await?;
    let before = deliveries
        .iter()
        .rev()
        .filter(|(d, _)| d.id != review)
        .find(|(_, outcome)| outcome != "rejected");
    let Some((before, _)) = before else {
        out!("\nNo earlier accepted delivery of `{engagement}` to compare with.");
        return Ok(());
    };
    let diff = DeliveryDiff::between(
        &facts_of(r, evidence, &before.id).await?,
        &facts_of(r, evidence, review).await?,
    );
    out!(
        "\nChanges since the last accepted delivery {} ({}):",
        before.id,
        before.recorded_at
    );
    print!("{}", diff.render(20));
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
        let recorded = r.review(id).await?;
        let document: serde_json::Value = serde_json::from_str(&recorded.delivery.document)
            .with_context(|| format!("Review {id} has a corrupt delivery document"))?;
        let blob = |key: &str| -> anyhow::Result<String> {
            document["evidence"][key]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("Review {id} names no {key} blob"))
        };
        let manifest = Manifest::from_json(&get(&evidence, &blob("manifest")?).await?)
            .with_context(|| format!("The manifest of review {id} is corrupt"))?;
        if manifest.digest() != recorded.delivery.content_digest {
            bail!(
                "The manifest blob of review {id} does not match the recorded content digest {}",
                recorded.delivery.content_digest
            );
        }
        let policy_text = String::from_utf8(get(&evidence, &blob("policy")?).await?)
            .with_context(|| format!("The policy of review {id} is not UTF-8"))?;
        let policy = Policy::parse(&policy_text, &format!("the policy of review {id}"))?;
        let holders: Vec<String> = document["expected_holders"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();

        let scanned_history = document["scan"]["history"] == true;
        // Materialise the delivered top-level files as they were.
        let dir = tempfile::Builder::new()
            .prefix("oversight-replay-")
            .tempdir()?;
        let single = matches!(document["target_kind"].as_str(), Some("file" | "archive"));
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
        let mut scan = scan_args(args, target, holders);
        scan.read.rev = None;
        scan.read.history = false;
        let mut options = crate::scan_options(&scan)?;
        options.record_manifest = true;
        let scanned = crate::run_scan(&scan, options, policy.license().cloned())?;
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
        let read = |path: &str| read_from_tree(&restored_root, path);
        let decision = evaluate(
            &policy,
            &scanned,
            &now_manifest,
            &read,
            &waivers,
            decided_at,
        );
        // `--history` blobs came from the supplier's repository, which the
        // evidence store does not keep: their findings cannot be replayed
        // and are left out of the comparison, which says so.
        let (history, tree): (Vec<_>, Vec<_>) = recorded
            .findings
            .iter()
            .partition(|f| scanned_history && is_history_path(&f.path));
        let history_blocked = history.iter().any(|f| f.disposition == "blocking");
        let before: std::collections::BTreeSet<&str> =
            tree.iter().map(|f| f.fingerprint.as_str()).collect();
        let after: std::collections::BTreeSet<&str> = scanned
            .report
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let mut differences = Vec::new();
        if (single || document["target_kind"] == "directory")
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
            let f = scanned
                .report
                .findings
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
        if decision.outcome.as_str() != recorded.decision.outcome && !history_blocked {
            differences.push(format!(
                "the decision is now {}, recorded {}",
                decision.outcome.as_str(),
                recorded.decision.outcome
            ));
        }
        let recorded_advisories = document["advisories"].clone();
        let current: Vec<String> = scanned
            .advisories
            .iter()
            .flat_map(|db| db.snapshots())
            .map(|s| s.digest.clone())
            .collect();
        let then: Vec<String> = recorded_advisories
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v["digest"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
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
                if history_blocked {
                    " and, as some of them blocked acceptance, the decision was not compared"
                } else {
                    ""
                }
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

/// A reason as recorded and printed in JSON.
fn reason_json(r: &oversight_policy::Reason) -> serde_json::Value {
    serde_json::json!({
        "kind": r.kind.as_str(),
        "blocks": r.blocks(),
        "message": r.message,
        "fingerprints": r.fingerprints.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
    })
}

/// Stores `bytes` in the evidence store; returns its digest (hex).
async fn put(evidence: &EvidenceStore, bytes: &[u8]) -> anyhow::Result<String> {
    Ok(evidence.put_bytes(bytes).await?.digest.to_hex())
}

/// Reads blob `hex` back, verified.
async fn get(evidence: &EvidenceStore, hex: &str) -> anyhow::Result<Vec<u8>> {
    let digest: Digest = hex
        .parse()
        .with_context(|| format!("`{hex}` is not a SHA-256 digest"))?;
    Ok(evidence.get(&digest).await?.to_vec())
}

/// SHA-256 of `bytes`, lower-case hex: the digest records and packs use.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}
