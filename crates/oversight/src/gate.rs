//! `oversight waive`, `evidence` and `status`: the gate's register commands,
//! a thin layer over `oversight-register` and `oversight-evidence`.

use crate::term::out;
use anyhow::Context;
use jiff::civil::Date;
use oversight_register::WaiverRequest;
use oversight_register::status::{FactorState, StatusReport};

use crate::args::{ApproverCommand, EvidenceCommand, StatusArgs, WaiveArgs};
use crate::register::{block_on, data_dir, open};

fn parse_date(text: &str, flag: &str) -> anyhow::Result<Date> {
    text.parse::<Date>()
        .with_context(|| format!("{flag} `{text}` is not a date (YYYY-MM-DD)"))
}

pub(crate) fn waive(args: WaiveArgs) -> anyhow::Result<u8> {
    let expires = parse_date(&args.expires, "--expires")?;
    let approval = match &args.approval {
        Some(path) => Some(fs_err::read_to_string(path)?),
        None => None,
    };
    block_on(async {
        let r = open(&args.register).await?;
        let request = WaiverRequest {
            engagement: args.engagement.clone(),
            fingerprint: args.fingerprint.clone(),
            reason: args.reason.clone(),
            expires,
            approver: args.approver.clone(),
            approval,
        };
        if args.print_approval {
            let (text, _, approver) = r.approval_text(&request).await?;
            print!("{}", crate::term::escape(&text.0));
            crate::term::err!(
                "Save the text above to a file, have {} sign it with `ssh-keygen -Y sign -n {} -f THEIR_KEY FILE` (key {}), then run the same `oversight waive` with --approval FILE.sig",
                approver.name,
                oversight_register::approval::APPROVAL_NAMESPACE,
                approver.fingerprint
            );
            return Ok(0);
        }
        let waiver = r.waive(&request).await?;
        out!(
            "Waiver {} granted for {} on engagement `{}` until {} (requested by {}, approved by {}); {}",
            waiver.id,
            waiver.fingerprint,
            waiver.engagement_id,
            waiver.expires,
            waiver.requester,
            waiver.approver,
            match &waiver.content_sha256 {
                Some(hash) => format!("bound to content sha256:{}", &hash[..12.min(hash.len())]),
                None => "not bound to a file".to_owned(),
            }
        );
        Ok(0)
    })?
}

pub(crate) fn approver(command: ApproverCommand) -> anyhow::Result<u8> {
    block_on(async {
        match command {
            ApproverCommand::Add {
                name,
                ssh_key,
                register,
            } => {
                let key = fs_err::read_to_string(&ssh_key)?;
                let r = open(&register).await?;
                let record = r.register_approver(&name, &key).await?;
                out!(
                    "Registered approver `{}` with key {} (their waiver approvals are SSH signatures in namespace {})",
                    record.name,
                    record.fingerprint,
                    oversight_register::approval::APPROVAL_NAMESPACE
                );
            }
            ApproverCommand::List { register } => {
                let r = open(&register).await?;
                for a in r.approvers().await? {
                    out!(
                        "{:<24} {}  added {} by {}",
                        a.name,
                        a.fingerprint,
                        a.added_at,
                        a.added_by
                    );
                }
            }
        }
        Ok(0)
    })?
}

pub(crate) fn evidence(command: EvidenceCommand) -> anyhow::Result<u8> {
    match command {
        EvidenceCommand::Add {
            file,
            engagement,
            kind,
            expires,
            evidence,
            register,
        } => {
            let expires = expires
                .as_deref()
                .map(|d| parse_date(d, "--expires"))
                .transpose()?;
            let location = match evidence {
                Some(location) => location,
                None => data_dir()?.join("evidence").display().to_string(),
            };
            block_on(async {
                let r = open(&register).await?;
                let name = file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let record = oversight_app::evidence::add_document(
                    &r,
                    &location,
                    &oversight_app::evidence::DocumentRequest {
                        engagement: &engagement,
                        kind: &kind,
                        name: &name,
                        file: &file,
                        expires,
                    },
                )
                .await?;
                out!(
                    "Kept {} ({} bytes, sha256:{}) as {} `{}` for engagement `{engagement}`{}",
                    file.display(),
                    record.size,
                    record.sha256,
                    record.id,
                    record.kind,
                    record
                        .expires
                        .as_deref()
                        .map_or_else(String::new, |d| format!(", valid until {d}"))
                );
                Ok(0)
            })?
        }
        EvidenceCommand::Verify { evidence, register } => {
            let location = match evidence {
                Some(location) => location,
                None => data_dir()?.join("evidence").display().to_string(),
            };
            block_on(verify_evidence(&location, &register))?
        }
        EvidenceCommand::Gc {
            grace,
            dry_run,
            evidence,
            register,
        } => {
            let grace = parse_grace(&grace)?;
            let location = match evidence {
                Some(location) => location,
                None => data_dir()?.join("evidence").display().to_string(),
            };
            block_on(collect_garbage(&location, &register, grace, dry_run))?
        }
        EvidenceCommand::List {
            engagement,
            register,
        } => block_on(async {
            let r = open(&register).await?;
            r.waivers(&engagement).await?;
            out!(
                "{:<22} {:<24} {:<11} {:<14} NAME",
                "ID",
                "KIND",
                "EXPIRES",
                "SHA256"
            );
            for d in r.evidence_documents(Some(&engagement)).await? {
                out!(
                    "{:<22} {:<24} {:<11} {:<14} {}",
                    d.id,
                    d.kind,
                    d.expires.as_deref().unwrap_or("-"),
                    &d.sha256[..12.min(d.sha256.len())],
                    d.name
                );
            }
            Ok(0)
        })?,
    }
}

/// `--grace`: a duration such as `24h`, `7d` or `90m`.
fn parse_grace(text: &str) -> anyhow::Result<std::time::Duration> {
    let signed: jiff::SignedDuration = text
        .parse()
        .or_else(|_| {
            // `7d`: days of 24 hours.
            text.strip_suffix('d')
                .and_then(|days| days.trim().parse::<i64>().ok())
                .map(|days| jiff::SignedDuration::from_hours(days * 24))
                .ok_or(())
        })
        .map_err(|()| anyhow::anyhow!("--grace `{text}` is not a duration (e.g. 24h, 7d, 90m)"))?;
    std::time::Duration::try_from(signed)
        .map_err(|_| anyhow::anyhow!("--grace `{text}` is negative"))
}

/// A local store that does not exist is an error: opening it would create
/// it empty, and "verified" (or "collected") would be said about nothing.
fn open_existing(location: &str) -> anyhow::Result<oversight_evidence::EvidenceStore> {
    let local = location
        .strip_prefix("file://")
        .or((!location.contains("://")).then_some(location));
    if local.is_some_and(|path| !std::path::Path::new(path).is_dir()) {
        anyhow::bail!(
            "Evidence store `{location}` does not exist; nothing was done (give the store the reviews used with --evidence)"
        );
    }
    Ok(oversight_evidence::EvidenceStore::open(location)?)
}

/// Every blob of an evidence store the register refers to.
#[derive(Default)]
struct References {
    /// Who refers to each blob (the first referrer is enough to name).
    by: std::collections::BTreeMap<oversight_evidence::Digest, String>,
    /// Records that name something that is not a digest, manifests that
    /// are not manifests.
    problems: Vec<String>,
    /// Reviews of this store whose manifest cannot be read: the files it
    /// names are unknown.
    unreadable: Vec<String>,
    /// Reviews in the register.
    deliveries: usize,
    /// Reviews whose evidence went to this store.
    checked: usize,
    /// Reviews whose evidence went to another store, per store.
    elsewhere: std::collections::BTreeMap<String, usize>,
    /// Documents in the register.
    documents: usize,
}

/// What the register refers to in `store`: each review's blobs and the
/// files its manifest keeps, and every document. With `every_store`, the
/// reviews recorded for another store count too (their blobs, and their
/// manifests' files when the manifest is in this store): garbage
/// collection must not take a store described differently (another
/// endpoint) for a foreign one.
async fn gather_references(
    r: &oversight_register::Register,
    store: &oversight_evidence::EvidenceStore,
    every_store: bool,
) -> anyhow::Result<References> {
    use oversight_evidence::Digest;

    let mut refs = References::default();
    let refer = |hex: &str, by: String, refs: &mut References| match hex.parse::<Digest>() {
        Ok(digest) => {
            refs.by.entry(digest).or_insert(by);
        }
        Err(_) => refs
            .problems
            .push(format!("{by} names `{hex}`, which is not a SHA-256 digest")),
    };
    let deliveries = r.all_deliveries().await?;
    refs.deliveries = deliveries.len();
    for (delivery, _) in &deliveries {
        let document: oversight_app::record::DeliveryDocument =
            serde_json::from_str(&delivery.document).with_context(|| {
                format!("Review {} has a corrupt delivery document", delivery.id)
            })?;
        let evidence = &document.evidence;
        // A review names the store its evidence went to; another store is
        // verified with its own --evidence.
        let here = evidence.store == store.describe();
        if !here {
            *refs
                .elsewhere
                .entry(evidence.store.clone())
                .or_insert(0usize) += 1;
            if !every_store {
                continue;
            }
        } else {
            refs.checked += 1;
        }
        for (role, hex) in evidence.blobs() {
            refer(hex, format!("review {} ({role})", delivery.id), &mut refs);
        }
        let Ok(manifest) = evidence.manifest.parse::<Digest>() else {
            continue;
        };
        // A missing or altered manifest is reported by the store's checks.
        let bytes = match store.get(&manifest).await {
            Ok(bytes) => bytes,
            Err(error) => {
                if here {
                    refs.unreadable.push(format!(
                        "review {}: its manifest sha256:{manifest} cannot be read ({error})",
                        delivery.id
                    ));
                }
                continue;
            }
        };
        let Ok(manifest) = oversight_gate::Manifest::from_json(&bytes) else {
            refs.problems.push(format!(
                "review {}: its manifest sha256:{manifest} is not a manifest",
                delivery.id
            ));
            continue;
        };
        let history = document.scan.history;
        for (path, hex) in manifest.kept_files(history) {
            refer(hex, format!("review {}: {path}", delivery.id), &mut refs);
        }
    }
    let documents = r.evidence_documents(None).await?;
    refs.documents = documents.len();
    for d in &documents {
        refer(
            &d.sha256,
            format!("document {} `{}`", d.id, d.name),
            &mut refs,
        );
    }
    Ok(refs)
}

/// `oversight evidence verify`: the whole store, then what the register
/// refers to. Every problem is printed; exit 1 if there is any.
async fn verify_evidence(
    location: &str,
    register: &crate::args::RegisterArgs,
) -> anyhow::Result<u8> {
    use futures::{StreamExt as _, TryStreamExt as _};
    use oversight_evidence::Digest;

    let r = open(register).await?;
    let store = open_existing(location)?;
    let report = store.verify_all().await?;
    let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    let refs = gather_references(&r, &store, false).await?;
    problems.extend(refs.problems.iter().cloned());
    let referenced = &refs.by;
    let absent: Vec<String> = futures::stream::iter(referenced)
        .map(|(digest, by)| {
            let store = &store;
            async move {
                Ok::<_, anyhow::Error>(
                    (!store.contains(digest).await?)
                        .then(|| format!("sha256:{digest}, referred to by {by}, is missing")),
                )
            }
        })
        .buffered(32)
        .try_filter_map(|missing| async move { Ok(missing) })
        .try_collect()
        .await?;
    problems.extend(absent);

    out!(
        "Evidence store {}: {} blobs ({} bytes) read and hashed; {} blobs referred to by {} reviews and {} documents.",
        store.describe(),
        report.blobs,
        report.bytes,
        referenced.len(),
        refs.checked,
        refs.documents
    );
    let unreferenced: Vec<&Digest> = report
        .held
        .iter()
        .filter(|d| !referenced.contains_key(d))
        .collect();
    if !unreferenced.is_empty() {
        out!(
            "{} blob(s) are referred to by no review or document of this register (left by reviews interrupted before they were recorded, or kept for another register); they prove nothing and are kept (`oversight evidence gc` removes them).",
            unreferenced.len()
        );
    }
    for (other, reviews) in &refs.elsewhere {
        out!(
            "Not checked here: {reviews} review(s) whose evidence went to {other} (verify it with --evidence)."
        );
    }
    if report.blobs == 0 && !referenced.is_empty() {
        problems.insert(
            0,
            format!(
                "the store is empty while this register refers to {} blobs in it",
                referenced.len()
            ),
        );
    }
    if refs.checked == 0 && refs.documents == 0 && refs.deliveries > 0 {
        problems.push(format!(
            "none of the {} reviews of this register keeps its evidence in {}: nothing was verified",
            refs.deliveries,
            store.describe()
        ));
    }
    if problems.is_empty() {
        out!("Evidence verified: nothing missing, nothing altered.");
        Ok(0)
    } else {
        out!(
            "Evidence verification FAILED ({} problems):",
            problems.len()
        );
        for p in &problems {
            out!("  {p}");
        }
        Ok(1)
    }
}

/// `oversight evidence gc`: removes what no record of the register refers
/// to (every review, whatever store it names, and every document), once
/// older than `grace`; records what went in the ledger. Refuses, removing
/// nothing, when a reference cannot be read: a blob it would name could be
/// removed.
async fn collect_garbage(
    location: &str,
    register: &crate::args::RegisterArgs,
    grace: std::time::Duration,
    dry_run: bool,
) -> anyhow::Result<u8> {
    use oversight_evidence::GcOptions;

    let r = open(register).await?;
    let store = open_existing(location)?;
    let refs = gather_references(&r, &store, true).await?;
    let doubts: Vec<&String> = refs.problems.iter().chain(&refs.unreadable).collect();
    if !doubts.is_empty() {
        out!(
            "Evidence store {}: nothing removed, because what the register refers to cannot all be read ({} problems):",
            store.describe(),
            doubts.len()
        );
        for d in doubts {
            out!("  {d}");
        }
        out!("Run `oversight evidence verify` and repair the store first.");
        return Ok(1);
    }
    let referenced: std::collections::HashSet<_> = refs.by.keys().copied().collect();
    let report = store
        .collect_garbage(&referenced, GcOptions { grace, dry_run })
        .await?;
    let grace_text = format!("{:#}", jiff::SignedDuration::try_from(grace)?);
    let removed_packed: u64 = report.removed_packs.values().map(|(blobs, _)| blobs).sum();
    out!(
        "Evidence store {}: {} {} loose blob(s) and {} pack(s) holding {} blob(s), {} bytes; kept {} referenced blob(s) (of {} the register refers to), {} unreferenced younger than {grace_text}, {} unreferenced in packs that hold referenced ones.",
        store.describe(),
        if dry_run { "would remove" } else { "removed" },
        report.removed_blobs.len(),
        report.removed_packs.len(),
        removed_packed,
        report.removed_bytes,
        report.kept_referenced,
        referenced.len(),
        report.kept_young,
        report.kept_in_packs,
    );
    for key in &report.left_alone {
        out!(
            "Left alone (not a blob or a pack, or an index that cannot be trusted; see `oversight evidence verify`): {key}"
        );
    }
    if dry_run {
        for (digest, size) in &report.removed_blobs {
            out!("  would remove sha256:{digest} ({size} bytes)");
        }
        for (name, (blobs, size)) in &report.removed_packs {
            out!("  would remove pack {name} ({blobs} blobs, {size} bytes)");
        }
        return Ok(0);
    }
    if report.removed_count() > 0 {
        let payload = serde_json::json!({
            "store": store.describe(),
            "grace_seconds": grace.as_secs(),
            "referenced": referenced.len(),
            "removed_blobs": report.removed_blobs.iter()
                .map(|(digest, size)| serde_json::json!({"sha256": digest.to_hex(), "size": size}))
                .collect::<Vec<_>>(),
            "removed_packs": report.removed_packs.iter()
                .map(|(name, (blobs, size))| serde_json::json!({"name": name.to_hex(), "blobs": blobs, "size": size}))
                .collect::<Vec<_>>(),
            "removed_bytes": report.removed_bytes,
        });
        let event = r
            .ledger_append("evidence.collected", store.describe(), &payload)
            .await?;
        out!(
            "Recorded as ledger event {} (evidence.collected).",
            event.seq
        );
    }
    Ok(0)
}

pub(crate) fn status(args: StatusArgs) -> anyhow::Result<u8> {
    let today = match &args.date {
        Some(text) => parse_date(text, "--date")?,
        None => jiff::Zoned::now().date(),
    };
    block_on(async {
        let r = open(&args.register).await?;
        let report = r.status(today).await?;
        if args.format == "json" {
            out!("{}", serde_json::to_string_pretty(&to_json(&report))?);
        } else {
            print!("{}", render(&report));
        }
        Ok(0)
    })?
}

/// Column headers: short names of the A.8.30 factors, in `Factor::ALL` order.
const FACTOR_HEADERS: [&str; 11] = [
    "LIC", "SECREQ", "THREAT", "ACCEPT", "ASSUR", "MALWARE", "VULN", "ESCROW", "AUDIT", "DEVENV",
    "LAW",
];

fn cell(state: FactorState) -> &'static str {
    match state {
        FactorState::NotAgreed => "-",
        FactorState::Ok => "ok",
        FactorState::Attention => "ATTN",
        FactorState::Failing => "FAIL",
    }
}

fn render(report: &StatusReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = write!(out, "{:<24} {:<10} {:<9}", "ENGAGEMENT", "STATUS", "LAST");
    for h in FACTOR_HEADERS {
        let _ = write!(out, " {h:>7}");
    }
    out.push('\n');
    for row in &report.rows {
        let _ = write!(
            out,
            "{:<24} {:<10} {:<9}",
            row.engagement,
            row.status.as_str(),
            match row.last_outcome.as_deref() {
                Some("accepted-with-waivers") => "waivers",
                Some(o) => o,
                None => "-",
            }
        );
        for f in &row.factors {
            let _ = write!(out, " {:>7}", cell(f.state));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\nFactors: LIC licensing & IP, SECREQ security requirements, THREAT threat model, ACCEPT acceptance testing, ASSUR assurance evidence, MALWARE malicious-content testing, VULN vulnerability testing, ESCROW, AUDIT right to audit, DEVENV development environment, LAW legislation. `-` not agreed."
    );
    let notes: Vec<_> = report
        .rows
        .iter()
        .flat_map(|r| {
            r.factors
                .iter()
                .filter(|f| !f.note.is_empty() && f.state > FactorState::Ok)
                .map(move |f| (r, f))
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nAttention and failing:");
        for (row, f) in notes {
            let _ = writeln!(
                out,
                "  {:<24} {:<24} {:<9} {}",
                row.engagement,
                f.factor.as_str(),
                f.state.as_str(),
                f.note
            );
        }
    }
    if report.due.is_empty() {
        let _ = writeln!(out, "\nNothing due or overdue as of {}.", report.today);
    } else {
        let _ = writeln!(out, "\nDue and overdue as of {}:", report.today);
        for d in &report.due {
            let _ = writeln!(
                out,
                "  {:<8} {:<10} {:<24} {}",
                if d.overdue { "OVERDUE" } else { "due" },
                d.date.map_or_else(|| "-".to_owned(), |d| d.to_string()),
                d.engagement,
                d.what
            );
        }
    }
    out
}

fn to_json(report: &StatusReport) -> serde_json::Value {
    serde_json::to_value(oversight_app::status::StatusDocument::of(report))
        .expect("documents serialise to JSON")
}
