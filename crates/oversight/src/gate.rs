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

/// `oversight evidence verify`: the whole store, then what the register
/// refers to. Every problem is printed; exit 1 if there is any.
async fn verify_evidence(
    location: &str,
    register: &crate::args::RegisterArgs,
) -> anyhow::Result<u8> {
    use futures::{StreamExt as _, TryStreamExt as _};
    use oversight_evidence::{Digest, EvidenceStore};

    let r = open(register).await?;
    // A local store that does not exist is an error: opening it would
    // create it empty, and "verified" would be said about nothing.
    let local = location
        .strip_prefix("file://")
        .or((!location.contains("://")).then_some(location));
    if local.is_some_and(|path| !std::path::Path::new(path).is_dir()) {
        anyhow::bail!(
            "Evidence store `{location}` does not exist; nothing was verified (give the store the reviews used with --evidence)"
        );
    }
    let store = EvidenceStore::open(location)?;
    let report = store.verify_all().await?;
    let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();

    // Who refers to each blob (the first referrer is enough to name).
    let mut referenced: std::collections::BTreeMap<Digest, String> = Default::default();
    let mut refer = |hex: &str, by: String, problems: &mut Vec<String>| match hex.parse() {
        Ok(digest) => {
            referenced.entry(digest).or_insert(by);
        }
        Err(_) => problems.push(format!("{by} names `{hex}`, which is not a SHA-256 digest")),
    };
    let deliveries = r.all_deliveries().await?;
    let mut elsewhere = std::collections::BTreeMap::new();
    let mut checked = 0usize;
    for (delivery, _) in &deliveries {
        let document: oversight_app::record::DeliveryDocument =
            serde_json::from_str(&delivery.document).with_context(|| {
                format!("Review {} has a corrupt delivery document", delivery.id)
            })?;
        let evidence = &document.evidence;
        // A review names the store its evidence went to; another store is
        // verified with its own --evidence.
        if evidence.store != store.describe() {
            *elsewhere.entry(evidence.store.clone()).or_insert(0usize) += 1;
            continue;
        }
        checked += 1;
        for (role, hex) in evidence.blobs() {
            refer(
                hex,
                format!("review {} ({role})", delivery.id),
                &mut problems,
            );
        }
        let Ok(manifest) = evidence.manifest.parse::<Digest>() else {
            continue;
        };
        // A missing or altered manifest is reported by the checks above.
        let Ok(bytes) = store.get(&manifest).await else {
            continue;
        };
        let Ok(manifest) = oversight_gate::Manifest::from_json(&bytes) else {
            problems.push(format!(
                "review {}: its manifest sha256:{manifest} is not a manifest",
                delivery.id
            ));
            continue;
        };
        let history = document.scan.history;
        for (path, hex) in manifest.kept_files(history) {
            refer(
                hex,
                format!("review {}: {path}", delivery.id),
                &mut problems,
            );
        }
    }
    let documents = r.evidence_documents(None).await?;
    for d in &documents {
        refer(
            &d.sha256,
            format!("document {} `{}`", d.id, d.name),
            &mut problems,
        );
    }
    let absent: Vec<String> = futures::stream::iter(&referenced)
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
        checked,
        documents.len()
    );
    let unreferenced: Vec<&Digest> = report
        .held
        .iter()
        .filter(|d| !referenced.contains_key(d))
        .collect();
    if !unreferenced.is_empty() {
        out!(
            "{} blob(s) are referred to by no review or document of this register (left by reviews interrupted before they were recorded, or kept for another register); they prove nothing and are kept.",
            unreferenced.len()
        );
    }
    for (other, reviews) in &elsewhere {
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
    if checked == 0 && documents.is_empty() && !deliveries.is_empty() {
        problems.push(format!(
            "none of the {} reviews of this register keeps its evidence in {}: nothing was verified",
            deliveries.len(),
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
