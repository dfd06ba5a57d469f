//! The review use case: scans a delivery with the content tap on, evaluates
//! the engagement's policy, keeps the delivered files and the review's
//! documents in the evidence store, then records delivery, findings and
//! decision in one register transaction, as the register's actor.
//!
//! Order matters for crash safety: blobs go to the content-addressed store
//! first (an interrupted review leaves at most unreferenced blobs), and the
//! register records everything in one transaction at the very end, so a
//! review is either wholly recorded or not at all.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oversight_evidence::{CommitSummary, Digest, EvidenceStore, StagedWriter, Staging};
use oversight_gate::{DeliveryFacts, Manifest};
use oversight_model::{DeliveryPath, ScanReport};
use oversight_policy::{AdvisorySnapshot, Decision, DeliveredFile, Input, Outcome, Policy, Waiver};
use oversight_register::{Engagement, EngagementId, Register};
use oversight_scan::{ContentTap, TapWriter};
use oversight_store::{DecisionRecord, DeliveryRecord, FindingRecord, ReviewRecord};

use crate::error::{AppError, Result};
use crate::record::{
    AdvisoryRef, DecisionDocument, DeliveryDocument, EvidenceRefs, LicenceData, PolicyRef,
    PostureSection, ReasonRecord, ReviewSummary, RuleSets, ScanRef, SecretRuleSet, ToolRef,
    canonical,
};
use crate::scan::{ReadOptions, ScanRequest, Scanned};

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
pub fn policy_waivers(records: &[oversight_store::WaiverRecord]) -> Vec<Waiver> {
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

fn rfc3339(seconds: u64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(i64::try_from(seconds).unwrap_or(i64::MAX))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn advisory_snapshots(scanned: &Scanned) -> Vec<AdvisorySnapshot> {
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

/// The advisory snapshots a scan matched against, as recorded.
pub fn advisory_refs(scanned: &Scanned) -> Vec<AdvisoryRef> {
    scanned
        .advisories
        .iter()
        .flat_map(|db| db.snapshots())
        .map(|s| AdvisoryRef {
            source: s.source.clone(),
            digest: s.digest.clone(),
            advisories: s.advisories,
            imported_at: rfc3339(s.imported_at).to_string(),
            data_as_of: s.data_as_of.map(|t| rfc3339(t).to_string()),
        })
        .collect()
}

/// Evaluates `policy` on what the scan found: the one evaluation of a
/// delivery that review, replay and `scan --policy` share.
pub fn evaluate(
    policy: &Policy,
    scanned: &Scanned,
    manifest: &Manifest,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    waivers: &[Waiver],
    now: jiff::Timestamp,
) -> Decision {
    evaluate_findings(
        policy,
        scanned,
        &scanned.report.findings,
        manifest,
        read,
        waivers,
        now,
    )
}

/// [`evaluate`] over `findings` instead of the scan's own (the scan's plus
/// the review's threat findings).
pub fn evaluate_findings(
    policy: &Policy,
    scanned: &Scanned,
    findings: &[oversight_model::Finding],
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
            findings,
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
pub enum PolicySource {
    /// The policy the engagement agreed, as the register holds it.
    Agreed,
    /// Given explicitly by the reviewer.
    Explicit,
    /// The built-in default: the engagement agreed no acceptance policy.
    Default,
}

impl PolicySource {
    /// `agreed`, `explicit` or `default`.
    pub fn as_str(self) -> &'static str {
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
pub struct PolicyUse {
    /// The policy.
    pub policy: Policy,
    /// Where it came from.
    pub source: PolicySource,
    /// The digest of the agreed policy, if the engagement agreed one.
    pub agreed_sha256: Option<String>,
}

impl PolicyUse {
    /// Whether the policy used is not the one the engagement agreed.
    pub fn differs_from_agreed(&self) -> bool {
        self.agreed_sha256.as_deref() != Some(self.policy.sha256().as_str())
    }

    /// The record of it.
    pub fn to_ref(&self) -> PolicyRef {
        PolicyRef {
            name: self.policy.name().to_owned(),
            version: self.policy.version().to_owned(),
            sha256: self.policy.sha256(),
            source: self.source.as_str().to_owned(),
            agreed_sha256: self.agreed_sha256.clone(),
            differs_from_agreed: self.differs_from_agreed(),
        }
    }
}

/// A policy given explicitly instead of the agreed one.
#[derive(Debug, Clone)]
pub struct ExplicitPolicy {
    /// Its text.
    pub text: String,
    /// Where it came from, for messages (a file name).
    pub origin: String,
}

/// The policy: `explicit` when given, else exactly the policy the
/// engagement agreed, by content, from the register (never a file found
/// relative to the working directory), else the default when the
/// engagement agreed none. An engagement whose agreed policy is not in the
/// register is an error, never a silent fallback.
pub fn load_policy(
    explicit: Option<&ExplicitPolicy>,
    engagement: &Engagement,
) -> Result<PolicyUse> {
    let id = engagement.id.as_str();
    let agreed = match &engagement.terms.acceptance {
        Some(acceptance) => Some(acceptance.agreed.as_ref().ok_or_else(|| {
            AppError::Refused(format!(
                "Engagement `{id}` names the acceptance policy `{}` but the register holds no agreed \
                 text for it (recorded by an older Oversight); re-apply the engagement file with \
                 `oversight engagement apply`",
                acceptance.policy
            ))
        })?),
        None => None,
    };
    let agreed_sha256 = agreed.map(|a| a.sha256.clone());
    if let Some(explicit) = explicit {
        return Ok(PolicyUse {
            policy: Policy::parse(&explicit.text, &explicit.origin)?,
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

/// The copyright holders a review expects: the policy's, else the
/// engagement's licensing terms'.
pub fn expected_holders(policy: &Policy, engagement: &Engagement) -> Vec<String> {
    match policy.expected_holders() {
        Some(holders) => holders.to_vec(),
        None => engagement
            .terms
            .licensing
            .as_ref()
            .map(|l| l.expected_copyright_holders.clone())
            .unwrap_or_default(),
    }
}

/// The scan a review runs: every detector, the reviewer's reading options.
pub fn review_scan(target: PathBuf, read: &ReadOptions, holders: Vec<String>) -> ScanRequest {
    ScanRequest {
        read: read.clone(),
        expected_holders: holders,
        ..ScanRequest::new(target)
    }
}

/// A delivery to review.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    /// The engagement it is delivered under.
    pub engagement: EngagementId,
    /// The delivery: a directory, a file, an archive or a git repository.
    pub target: PathBuf,
    /// A policy instead of the agreed one (recorded as such).
    pub policy: Option<ExplicitPolicy>,
    /// How it is read.
    pub read: ReadOptions,
    /// The evidence store's location.
    pub evidence: String,
    /// The review's id, when the caller fixes it: a job reviewing a
    /// delivery again after a crash then records it at most once (a second
    /// record of the same id is refused as a whole). A fresh id otherwise.
    pub id: Option<String>,
}

/// A recorded review.
pub struct Reviewed {
    /// The review's id.
    pub id: String,
    /// The engagement.
    pub engagement: EngagementId,
    /// The decision.
    pub decision: Decision,
    /// The policy it used.
    pub policy: PolicyUse,
    /// The delivered files.
    pub files: usize,
    /// Their bytes.
    pub total_bytes: u64,
    /// The manifest's digest.
    pub content_digest: String,
    /// The evidence store.
    pub evidence: String,
    /// What the store received.
    pub committed: CommitSummary,
    /// The engagement's threat model traced into this delivery, if it has one.
    pub threats: Option<crate::threats::Traceability>,
    /// The git posture and delivered provenance, as recorded.
    pub posture: PostureSection,
}

impl Reviewed {
    /// Accepted, with or without waivers.
    pub fn accepted(&self) -> bool {
        matches!(
            self.decision.outcome,
            Outcome::Accepted | Outcome::AcceptedWithWaivers
        )
    }
}

/// Reviews a delivery and records it, as `register`'s actor.
pub async fn review(
    register: &Register,
    request: &ReviewRequest,
    progress: &dyn oversight_scan::Progress,
) -> Result<Reviewed> {
    let engagement = register.engagement(&request.engagement).await?;
    if let Some(why) = engagement.refuses_deliveries(jiff::Zoned::now().date()) {
        return Err(AppError::Refused(why));
    }
    let policy_use = load_policy(request.policy.as_ref(), &engagement)?;
    let holders = expected_holders(&policy_use.policy, &engagement);
    let evidence = EvidenceStore::open(&request.evidence)?;
    // For a local store, blobs go straight to their place in it (small ones
    // to one pack).
    let staging = Arc::new(Staging::for_store(&evidence).await?);
    let failures = Arc::new(Mutex::new(Vec::new()));
    let scan = review_scan(request.target.clone(), &request.read, holders.clone());
    let mut options = crate::scan::scan_options(&scan)?;
    options.record_manifest = true;
    options.content_tap = Some(Arc::new(StagingTap {
        staging: Arc::clone(&staging),
        failures: Arc::clone(&failures),
    }));
    let mut scanned = crate::scan::run_scan(
        &scan,
        options,
        policy_use.policy.license().cloned(),
        progress,
    )?;
    // A git delivery: its posture (signatures, authors, rewrites) as findings.
    let mut posture = PostureSection::default();
    if let Some(commit) = scanned
        .report
        .git
        .as_ref()
        .map(|g| g.commit.clone())
        .filter(|c| !c.is_empty())
    {
        let previous =
            crate::posture::previous_delivered_commit(register, engagement.id.as_str()).await?;
        let (found, recorded) = crate::posture::findings(
            &request.target,
            &commit,
            &engagement,
            previous,
            policy_use.policy.git(),
        );
        declare_rules(&mut scanned.report, oversight_git::POSTURE_RULES, &found);
        scanned.report.findings.extend(found);
        posture.git = Some(recorded);
    }
    let failures = failures
        .lock()
        .expect("no thread panics holding the lock")
        .clone();
    if !failures.is_empty() {
        return Err(AppError::Refused(format!(
            "The delivered files could not all be kept as evidence; nothing was recorded:\n  {}",
            failures.join("\n  ")
        )));
    }
    // Provenance delivered next to artefacts (DSSE envelopes, Sigstore
    // bundles), checked against the delivered files and commit.
    {
        let manifest = Manifest::of_report(&scanned.report);
        let read = |path: &str| read_delivered(&manifest, &staging, path);
        let keys = crate::provenance::keys(&engagement);
        let commit = scanned.report.git.as_ref().map(|g| g.commit.clone());
        let (found, records) =
            crate::provenance::findings(&manifest, &read, &keys, commit.as_deref());
        declare_rules(
            &mut scanned.report,
            oversight_provenance::rules::RULES,
            &found,
        );
        scanned.report.findings.extend(found);
        posture.provenance = records;
    }
    record(
        register, request, policy_use, &holders, &scanned, &staging, &evidence, posture,
    )
    .await
}

/// A delivered file's bytes, from the staging area; a member of a
/// delivered archive is read back out of the archive it came in.
fn read_delivered(manifest: &Manifest, staging: &Staging, path: &str) -> Option<Vec<u8>> {
    let top = |p: &str| {
        let digest: Digest = manifest.sha256_of(p)?.parse().ok()?;
        staging.read(&digest).ok().flatten()
    };
    match path.split_once("!/") {
        None => top(path),
        Some((outer, inner)) => oversight_archive::read_member(&top(outer)?, inner),
    }
}

/// Declares in `report` the rules of `rules` that `found` raises.
fn declare_rules(
    report: &mut ScanReport,
    rules: &[&'static oversight_model::Rule],
    found: &[oversight_model::Finding],
) {
    for rule in rules {
        if found.iter().any(|f| f.rule.id == rule.id)
            && !report.rules.iter().any(|r| r.id == rule.id)
        {
            report.rules.push(rule);
        }
    }
}

/// The rules a review raises beyond the scan's: the git posture, the
/// delivered provenance and the threat model. `oversight rules` lists them
/// with the scanner's.
pub static REVIEW_RULES: [&[&oversight_model::Rule]; 3] = [
    oversight_git::POSTURE_RULES,
    oversight_provenance::rules::RULES,
    &[&crate::threats::THREAT_UNMITIGATED],
];

/// Every rule of [`REVIEW_RULES`], in order.
pub fn review_rules() -> impl Iterator<Item = &'static oversight_model::Rule> {
    REVIEW_RULES.iter().flat_map(|set| set.iter().copied())
}

fn json_report(report: &ScanReport) -> Result<Vec<u8>> {
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

/// Stores `bytes` in the evidence store; returns its digest (hex).
pub async fn put(evidence: &EvidenceStore, bytes: &[u8]) -> Result<String> {
    Ok(evidence.put_bytes(bytes).await?.digest.to_hex())
}

/// Reads blob `hex` back, verified.
pub async fn get(evidence: &EvidenceStore, hex: &str) -> Result<Vec<u8>> {
    let digest: Digest = hex.parse().map_err(|_| AppError::Corrupt {
        what: format!("The blob name `{hex}`"),
        reason: "not a SHA-256 digest".to_owned(),
    })?;
    Ok(evidence.get(&digest).await?.to_vec())
}

/// SHA-256 of `bytes`, lower-case hex: the digest records and packs use.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Evaluates, stores the blobs, records the review.
// Each argument is one thing the record holds; grouping them would only
// rename them.
#[allow(clippy::too_many_arguments)]
async fn record(
    r: &Register,
    request: &ReviewRequest,
    policy_use: PolicyUse,
    holders: &[String],
    scanned: &Scanned,
    staging: &Arc<Staging>,
    evidence: &EvidenceStore,
    posture: PostureSection,
) -> Result<Reviewed> {
    let engagement = &request.engagement;
    let policy = &policy_use.policy;
    let report = &scanned.report;
    let manifest = Manifest::of_report(report);
    let content_digest = manifest.digest();
    let now = jiff::Timestamp::now();
    let waivers = policy_waivers(&r.waivers_in_force(engagement.as_str(), now).await?);
    let read = |path: &str| read_delivered(&manifest, staging, path);
    let first = evaluate(policy, scanned, &manifest, &read, &waivers, now);
    // The threat model, when the engagement has one: what the first
    // decision says (waived findings, deliverables passed) decides which
    // mitigations were verified; unmitigated threats become findings and
    // the decision is taken again with them.
    let evidence_documents = r
        .store()
        .evidence(Some(engagement.as_str()))
        .await
        .map_err(oversight_register::RegisterError::from)?;
    let crate::threats::Traced {
        decision,
        findings: findings_all,
        traceability: threats,
    } = crate::threats::ThreatReview {
        register: r,
        engagement: engagement.as_str(),
        version: None,
        evidence_documents: &evidence_documents,
        today: now.to_zoned(jiff::tz::TimeZone::UTC).date(),
        policy,
        report,
    }
    .decide(first, &|findings| {
        evaluate_findings(policy, scanned, findings, &manifest, &read, &waivers, now)
    })
    .await?;

    // Evidence first: content-addressed, so an interrupted review leaves at
    // most blobs nobody refers to.
    let committed = staging.commit(evidence).await?;
    let stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let refs = EvidenceRefs {
        store: evidence.describe().to_owned(),
        manifest: put(evidence, manifest.to_json().as_bytes()).await?,
        facts: put(evidence, DeliveryFacts::of(report).to_json().as_bytes()).await?,
        report: put(evidence, &json_report(report)?).await?,
        sbom: put(evidence, sbom(report, &content_digest, &stamp).as_bytes()).await?,
        policy: put(evidence, policy.text().as_bytes()).await?,
    };

    let id = request
        .id
        .clone()
        .unwrap_or_else(|| oversight_register::new_id("rev", &content_digest));
    let advisories = advisory_refs(scanned);
    let policy_ref = policy_use.to_ref();
    let document = DeliveryDocument {
        target: report.target.clone(),
        target_kind: report.target_kind.to_owned(),
        tool: ToolRef {
            name: "oversight".to_owned(),
            version: report.tool_version.to_owned(),
        },
        rule_sets: RuleSets {
            secrets: SecretRuleSet {
                set: "builtin".to_owned(),
                sha256: sha256_hex(oversight_secrets::BUILTIN_RULES.as_bytes()),
            },
            licences: LicenceData {
                spdx_license_list: oversight_licenses::spdx_list_version().to_owned(),
            },
            rules: report.rules.len(),
        },
        advisories: advisories.clone(),
        policy: policy_ref.clone(),
        expected_holders: holders.to_vec(),
        scan: ScanRef {
            rev: request.read.rev.clone(),
            history: request.read.history,
            git_commit: report.git.as_ref().map(|g| g.commit.clone()),
        },
        evidence: refs.clone(),
        components: report.components.len(),
        threats: threats.clone(),
        posture: posture.clone(),
    };
    let dispositions = dispositions(&decision, &findings_all);
    let findings: Vec<FindingRecord> = findings_all
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
    let record = ReviewRecord {
        delivery: DeliveryRecord {
            id: id.clone(),
            engagement_id: engagement.as_str().to_owned(),
            recorded_at: now.to_string(),
            content_digest: content_digest.clone(),
            file_count: manifest.files.len() as i64,
            total_bytes: i64::try_from(manifest.total_bytes()).unwrap_or(i64::MAX),
            document: canonical(&document),
        },
        findings,
        decision: DecisionRecord {
            outcome: decision.outcome.as_str().to_owned(),
            reviewer: r.actor().to_owned(),
            decided_at: now.to_string(),
            document: canonical(&DecisionDocument {
                reasons: decision.reasons.iter().map(ReasonRecord::of).collect(),
                policy: policy_ref.clone(),
            }),
        },
    };
    let summary = ReviewSummary {
        policy: policy_ref,
        tool_version: report.tool_version.to_owned(),
        advisories,
        evidence: refs,
        blocking: decision.reasons.iter().filter(|r| r.blocks()).count(),
        posture: posture.clone(),
    };
    r.record_review(
        record,
        serde_json::to_value(&summary).expect("documents serialise to JSON"),
    )
    .await?;
    Ok(Reviewed {
        id,
        engagement: engagement.clone(),
        decision,
        policy: policy_use,
        files: manifest.files.len(),
        total_bytes: manifest.total_bytes(),
        content_digest,
        evidence: evidence.describe().to_owned(),
        committed,
        threats,
        posture,
    })
}
