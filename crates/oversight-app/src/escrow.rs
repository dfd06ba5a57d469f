//! Escrow use cases: deposit an accepted review (`oversight escrow
//! deposit`) and verify a deposit (`oversight escrow verify`).
//!
//! A deposit is built from what the review recorded, never from the
//! supplier's files again: the delivered files come out of the
//! content-addressed evidence store by the recorded manifest (the files
//! `Manifest::kept_files` names, as a replay restores them), each streamed
//! into the archive and checked against its digest on the way; the SBOM,
//! the delivery facts (for the licence notice) and the manifest are the
//! review's evidence blobs. The deposit is written to a temporary file
//! beside its destination and renamed only when complete, then signed and
//! recorded with one `escrow.deposited` ledger event.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oversight_escrow::{
    DELIVERY_MANIFEST_PATH, DepositFile, DepositManifest, DepositWriter, MANIFEST_PATH,
    MANIFEST_SCHEMA, NOTICE_PATH, NotIncluded, README_PATH, Role, SBOM_PATH, SIGNATURE_DOMAIN,
    SIGNATURE_SCHEMA, SSH_NAMESPACE, SignatureFile, SignedStatement, VerifyOptions, VerifyReport,
};
use oversight_evidence::{Digest, EvidenceStore, Fetched};
use oversight_gate::{DeliveryFacts, Manifest};
use oversight_register::escrow::DepositEvent;
use oversight_register::{EngagementId, Register};
use oversight_store::ReviewRecord;

use crate::error::{AppError, Result};
use crate::record::{DeliveryDocument, delivery_document};
use crate::review::get;

/// The identity `allowed_signers` files name the instance key with.
pub const SIGNER_IDENTITY: &str = "oversight-instance";

/// A deposit to make.
#[derive(Debug, Clone)]
pub struct DepositRequest {
    /// The engagement.
    pub engagement: EngagementId,
    /// The accepted review to deposit.
    pub review: String,
    /// The directory the deposit is written to.
    pub output: PathBuf,
    /// The evidence store's location.
    pub evidence: String,
}

/// A deposit made.
#[derive(Debug, Clone)]
pub struct Deposited {
    /// `<output>/<review>.tar.zst`.
    pub path: PathBuf,
    /// The instance key's signature file (`.sig`).
    pub signature: PathBuf,
    /// The OpenSSH signature (`.sshsig`).
    pub ssh_signature: PathBuf,
    /// The `allowed_signers` file for `ssh-keygen -Y verify`.
    pub allowed_signers: PathBuf,
    /// The deposit's SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// Delivered files in it.
    pub files: usize,
    /// Delivered entries not in it (links, special files), named in its manifest.
    pub not_included: Vec<NotIncluded>,
    /// The build instructions found.
    pub build_instructions: Vec<String>,
    /// The ledger event's sequence number.
    pub event_seq: u64,
}

/// A review as recorded, with its delivery document and manifest, the
/// manifest checked against the recorded content digest. What a replay
/// and a deposit both start from.
pub struct RecordedDelivery {
    /// The review.
    pub record: ReviewRecord,
    /// Its delivery document.
    pub document: DeliveryDocument,
    /// The recorded manifest.
    pub manifest: Manifest,
    /// The manifest's bytes as stored.
    pub manifest_bytes: Vec<u8>,
}

/// Reads review `id` and its manifest from the evidence store, checked
/// against the recorded content digest.
///
/// # Errors
///
/// Unknown review, missing or altered blobs, a manifest that does not
/// match the record.
pub async fn recorded_delivery(
    register: &Register,
    evidence: &EvidenceStore,
    id: &str,
) -> Result<RecordedDelivery> {
    let record = register.review(id).await?;
    let document = delivery_document(id, &record.delivery.document)?;
    let manifest_bytes = get(evidence, &document.evidence.manifest).await?;
    let manifest = Manifest::from_json(&manifest_bytes).map_err(|e| AppError::Corrupt {
        what: format!("The manifest of review {id}"),
        reason: e.to_string(),
    })?;
    if manifest.digest() != record.delivery.content_digest {
        return Err(AppError::Corrupt {
            what: format!("The manifest blob of review {id}"),
            reason: format!(
                "it does not match the recorded content digest {}",
                record.delivery.content_digest
            ),
        });
    }
    Ok(RecordedDelivery {
        record,
        document,
        manifest,
        manifest_bytes,
    })
}

fn accepted(outcome: &str) -> bool {
    matches!(outcome, "accepted" | "accepted-with-waivers")
}

/// The read-me for the escrow agent: deterministic, no time, no host.
fn readme(manifest: &DepositManifest, deposit: &str) -> String {
    let mut out = format!(
        "ESCROW DEPOSIT of review {review} (engagement {engagement})\n\n\
         The delivered files are under source/, exactly as delivered and accepted on {decided}\n\
         (decision: {decision}); the delivery's content digest is {digest}.\n\
         oversight-escrow/manifest.json lists every member with its SHA-256;\n\
         delivery-manifest.json is the manifest the review recorded; sbom.cdx.json is the\n\
         review's CycloneDX SBOM; NOTICE.txt the licences and copyright holders found.\n\n\
         Verify without Oversight (OpenSSH 8.1 or later):\n\
         \x20 ssh-keygen -Y verify -f {review}.allowed_signers -I {SIGNER_IDENTITY} -n {SSH_NAMESPACE} \\\n\
         \x20   -s {deposit}.sshsig < {deposit}\n\
         (check the key in the allowed_signers file against the one the organisation gave you).\n\
         With Oversight: oversight escrow verify {deposit} --public-key KEY\n\n\
         Build instructions and toolchain statements found in the delivery:\n",
        review = manifest.review,
        engagement = manifest.engagement,
        decided = manifest.decided_at,
        decision = manifest.decision,
        digest = manifest.delivery_digest,
    );
    if manifest.build_instructions.is_empty() {
        out.push_str("  (none)\n");
    }
    for path in &manifest.build_instructions {
        out.push_str("  source/");
        out.push_str(path);
        out.push('\n');
    }
    if !manifest.not_included.is_empty() {
        out.push_str("\nDelivered entries not in this deposit:\n");
        for n in &manifest.not_included {
            out.push_str(&format!("  {}: {}\n", n.path, n.reason));
        }
    }
    out
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> AppError + '_ {
    move |source| AppError::Write {
        path: path.to_owned(),
        source,
    }
}

/// Blobs read ahead of the archive writer, and the size up to which a blob
/// is read whole (larger ones are streamed): at most 64 MiB in memory.
const FETCH_AHEAD: usize = 16;
const WHOLE_UP_TO: u64 = 4 << 20;

/// Writes `files` in order: generated members from `content`, delivered
/// files from the evidence store, fetched [`FETCH_AHEAD`] at once (each
/// checked against its digest) while the archive is compressed on the
/// blocking pool.
async fn write_members(
    evidence: &EvidenceStore,
    writer: DepositWriter,
    files: &[DepositFile],
    content: &BTreeMap<&str, &[u8]>,
    path: &Path,
    id: &str,
) -> Result<DepositWriter> {
    use futures::StreamExt as _;
    let mut blobs = Vec::new();
    for f in files
        .iter()
        .filter(|f| !content.contains_key(f.path.as_str()))
    {
        let digest: Digest = f.sha256.parse().map_err(|_| AppError::Corrupt {
            what: format!("The manifest of review {id}"),
            reason: format!("`{}` is not a SHA-256 digest", f.sha256),
        })?;
        blobs.push((digest, f.size));
    }
    let (sender, mut received) = tokio::sync::mpsc::channel(FETCH_AHEAD);
    let producer = async move {
        let mut fetched = evidence.fetch_in_order(blobs, WHOLE_UP_TO, FETCH_AHEAD);
        while let Some(item) = fetched.next().await {
            if sender.send(item).await.is_err() {
                break;
            }
        }
    };
    let consumer = async move {
        let mut writer = writer;
        for f in files {
            let name = oversight_model::name_bytes(&f.path);
            let member = f.path.clone();
            let size = f.size;
            if let Some(bytes) = content.get(f.path.as_str()) {
                writer.add(&f.path, bytes)?;
                continue;
            }
            let fetched = received.recv().await.ok_or_else(|| AppError::Corrupt {
                what: format!("The evidence of review {id}"),
                reason: "a blob was not fetched".to_owned(),
            })??;
            writer = match fetched {
                Fetched::Whole(bytes) => tokio::task::spawn_blocking(move || {
                    let mut writer = writer;
                    writer.begin(&member, &name, size)?;
                    std::io::Write::write_all(&mut writer, &bytes).map_err(|source| {
                        oversight_escrow::EscrowError::File {
                            action: "write the deposit member",
                            path: member.clone().into(),
                            source,
                        }
                    })?;
                    writer.end()?;
                    Ok::<_, oversight_escrow::EscrowError>(writer)
                })
                .await
                .map_err(|e| AppError::Refused(format!("Writing the deposit failed: {e}")))??,
                Fetched::Stream(digest) => {
                    writer.begin(&member, &name, size)?;
                    let (_, mut back) = evidence.get_to_writer(&digest, writer, path).await?;
                    back.end()?;
                    back
                }
            };
        }
        Ok::<_, AppError>(writer)
    };
    let ((), written) = futures::join!(producer, consumer);
    written
}

/// Builds, signs and records the deposit of an accepted review.
///
/// # Errors
///
/// A review that is not the engagement's or not accepted, evidence that is
/// missing or altered (nothing is left at the destination), a destination
/// that cannot be written, a register without the signing key.
pub async fn deposit(register: &Register, request: &DepositRequest) -> Result<Deposited> {
    let id = request.review.as_str();
    register.engagement(&request.engagement).await?;
    let evidence = EvidenceStore::open(&request.evidence)?;
    let recorded = recorded_delivery(register, &evidence, id).await?;
    let engagement = request.engagement.as_str();
    if recorded.record.delivery.engagement_id != engagement {
        return Err(AppError::Refused(format!(
            "Review {id} belongs to engagement `{}`, not `{engagement}`",
            recorded.record.delivery.engagement_id
        )));
    }
    let outcome = recorded.record.decision.outcome.clone();
    if !accepted(&outcome) {
        return Err(AppError::Refused(format!(
            "Review {id} was `{outcome}`; only an accepted delivery is deposited"
        )));
    }
    let refs = &recorded.document.evidence;
    let sbom = get(&evidence, &refs.sbom).await?;
    let facts = DeliveryFacts::from_json(&get(&evidence, &refs.facts).await?).map_err(|e| {
        AppError::Corrupt {
            what: format!("The delivery facts of review {id}"),
            reason: e.to_string(),
        }
    })?;
    let notice = oversight_escrow::notice_text(&oversight_escrow::NoticeInput {
        review: id,
        facts: &facts,
    });
    let history = recorded.document.scan.history;
    let manifest = &recorded.manifest;
    let sizes: BTreeMap<&str, u64> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.size))
        .collect();
    let kept: Vec<(&str, &str)> = manifest.kept_files(history).collect();
    let mut not_included: Vec<NotIncluded> = manifest
        .special
        .iter()
        .map(|s| NotIncluded {
            path: s.path.clone(),
            reason: match &s.target {
                Some(target) => format!(
                    "a {} to `{target}`; only regular files are deposited",
                    s.kind
                ),
                None => format!("a {}; only regular files are deposited", s.kind),
            },
        })
        .collect();
    not_included.extend(
        manifest
            .files
            .iter()
            .filter(|f| f.sha256.is_none() && !f.path.contains("!/"))
            .map(|f| NotIncluded {
                path: f.path.clone(),
                reason: "not read to its end by the review, so not kept as evidence".to_owned(),
            }),
    );
    let mut files: Vec<DepositFile> = kept
        .iter()
        .map(|(path, sha)| DepositFile {
            path: oversight_escrow::source_member(path),
            role: Role::Source,
            size: sizes.get(path).copied().unwrap_or(0),
            sha256: (*sha).to_owned(),
        })
        .collect();
    let build_instructions: Vec<String> = kept
        .iter()
        .map(|(path, _)| (*path).to_owned())
        .filter(|p| oversight_escrow::build::is_build_instruction(p))
        .collect();
    let deposit_name = format!("{id}.tar.zst");
    let mut deposit_manifest = DepositManifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        engagement: engagement.to_owned(),
        review: id.to_owned(),
        decision: outcome,
        decided_at: recorded.record.decision.decided_at.clone(),
        delivery_digest: recorded.record.delivery.content_digest.clone(),
        scanned_history: history,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        build_instructions,
        files: Vec::new(),
        not_included,
    };
    let readme_text = readme(&deposit_manifest, &deposit_name);
    let generated: Vec<(&str, Role, Vec<u8>)> = vec![
        (
            DELIVERY_MANIFEST_PATH,
            Role::DeliveryManifest,
            recorded.manifest_bytes.clone(),
        ),
        (SBOM_PATH, Role::Sbom, sbom),
        (NOTICE_PATH, Role::Notice, notice.into_bytes()),
        (README_PATH, Role::Readme, readme_text.into_bytes()),
    ];
    for (path, role, bytes) in &generated {
        files.push(DepositFile {
            path: (*path).to_owned(),
            role: *role,
            size: bytes.len() as u64,
            sha256: crate::review::sha256_hex(bytes),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    deposit_manifest.files = files;
    let content: BTreeMap<&str, &[u8]> = generated
        .iter()
        .map(|(p, _, b)| (*p, b.as_slice()))
        .collect();

    fs_err::create_dir_all(&request.output).map_err(write_error(&request.output))?;
    let path = request.output.join(&deposit_name);
    let temporary =
        tempfile::NamedTempFile::new_in(&request.output).map_err(write_error(&request.output))?;
    let file = temporary.reopen().map_err(write_error(temporary.path()))?;
    let mut writer = DepositWriter::new(file).map_err(write_error(&path))?;
    writer.add(MANIFEST_PATH, &deposit_manifest.to_json())?;
    let writer = write_members(
        &evidence,
        writer,
        &deposit_manifest.files,
        &content,
        &path,
        id,
    )
    .await?;
    let written = writer.finish()?;
    drop(written.file);
    temporary.persist(&path).map_err(|e| AppError::Write {
        path: path.clone(),
        source: e.error,
    })?;

    let statement = SignedStatement {
        schema: SIGNATURE_SCHEMA.to_owned(),
        deposit: deposit_name.clone(),
        sha256: written.sha256.clone(),
        size: written.size,
        engagement: engagement.to_owned(),
        review: id.to_owned(),
    };
    let signature = register.sign_document(SIGNATURE_DOMAIN, &statement.signed_bytes())?;
    let public_key = register.public_key();
    let signature_file = SignatureFile {
        statement,
        public_key: public_key.to_string(),
        signature: hex::encode(signature),
    };
    let sig_path = oversight_escrow::verify::sibling(&path, "sig");
    fs_err::write(&sig_path, signature_file.to_json()).map_err(write_error(&sig_path))?;
    let ssh = register.sign_sshsig(SSH_NAMESPACE, &written.sha512)?;
    let ssh_path = oversight_escrow::verify::sibling(&path, "sshsig");
    fs_err::write(
        &ssh_path,
        oversight_escrow::ssh_signature_pem(&public_key, &ssh)?,
    )
    .map_err(write_error(&ssh_path))?;
    let allowed = request.output.join(format!("{id}.allowed_signers"));
    fs_err::write(
        &allowed,
        oversight_escrow::allowed_signers_line(SIGNER_IDENTITY, &public_key),
    )
    .map_err(write_error(&allowed))?;

    let sealed = register
        .record_deposit(
            engagement,
            &DepositEvent {
                review: id.to_owned(),
                delivery_digest: deposit_manifest.delivery_digest.clone(),
                deposit: deposit_name,
                sha256: written.sha256.clone(),
                size: written.size,
                files: kept.len(),
            },
        )
        .await?;
    Ok(Deposited {
        path,
        signature: sig_path,
        ssh_signature: ssh_path,
        allowed_signers: allowed,
        sha256: written.sha256,
        size: written.size,
        files: kept.len(),
        not_included: deposit_manifest.not_included,
        build_instructions: deposit_manifest.build_instructions,
        event_seq: sealed.seq,
    })
}

/// Verifies a deposit (levels 1 and 2). With a register, level 1 also
/// checks that the deposit's review is recorded, accepted, of the same
/// engagement and of the same delivery; the register's public key is then
/// the trusted key unless `public_key` is given.
///
/// # Errors
///
/// The deposit cannot be opened, or the register cannot be read.
pub async fn verify(
    register: Option<&Register>,
    deposit: &Path,
    public_key: Option<oversight_ledger::PublicKey>,
) -> Result<VerifyReport> {
    let mut options = VerifyOptions {
        public_key: public_key.or_else(|| register.map(Register::public_key)),
        recorded: None,
    };
    if let Some(register) = register
        && let Some(manifest) = oversight_escrow::read_manifest(deposit)?
    {
        options.recorded = Some(match register.review(&manifest.review).await {
            Ok(record) => oversight_escrow::RecordedReview {
                content_digest: Some(record.delivery.content_digest),
                outcome: record.decision.outcome,
                engagement: record.delivery.engagement_id,
            },
            Err(oversight_register::RegisterError::Store(
                oversight_store::StoreError::NotFound { .. },
            )) => oversight_escrow::RecordedReview {
                content_digest: None,
                outcome: String::new(),
                engagement: String::new(),
            },
            Err(e) => return Err(e.into()),
        });
    }
    let path = deposit.to_owned();
    Ok(oversight_escrow::verify(&path, &options)?)
}
