//! The evidence pack an auditor reads: its typed documents, where it is
//! written (a directory for the command line, a zip for the server) and
//! how it is verified with nothing but the pack and the instance's public
//! key. [`crate::export`] writes one.
//!
//! A pack holds `engagement.toml`, `supplier.toml`, `ledger.json`
//! ([`PackLedger`]), `reviews/<id>/review.json` ([`PackReview`]) with the
//! evidence blobs each review names, `waivers.json` ([`PackWaiver`]),
//! `evidence-documents.json` ([`PackDocument`]), `index.html`,
//! `checkpoint.json`, `checkpoints.log` when the instance keeps one, and
//! `SHA256SUMS` over every file with its signature `SHA256SUMS.sig`.

use std::collections::BTreeMap;
use std::io::{Read as _, Seek, Write};
use std::path::{Path, PathBuf};

use oversight_ledger::{Checkpoint, Event, Hash, PublicKey, SealedEvent};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Result};
use crate::record::DeliveryDocument;
use crate::review::sha256_hex;

/// The domain of the signature of a pack's `SHA256SUMS`.
pub const SUMS_DOMAIN: &str = "oversight.pack-sums/1";

/// Files that `SHA256SUMS` does not list, by design.
const UNLISTED: [&str; 2] = ["SHA256SUMS", "SHA256SUMS.sig"];

/// The evidence blobs a review names, by role, and their file names in the
/// pack.
pub const BLOB_FILES: [(&str, &str); 5] = [
    ("manifest", "manifest.json"),
    ("facts", "facts.json"),
    ("report", "report.json"),
    ("sbom", "sbom.cdx.json"),
    ("policy", "policy.toml"),
];

/// The file name of a blob role in a review's directory.
pub fn blob_file(role: &str) -> Option<&'static str> {
    BLOB_FILES
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, file)| *file)
}

/// `ledger.json`: the whole ledger as stored, the key, and the verification
/// made while exporting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackLedger {
    /// The instance's public key (hex).
    pub public_key: String,
    /// The ledger's verification at export time.
    pub verification: LedgerCheck,
    /// Every event, as stored.
    pub events: Vec<PackEvent>,
}

/// The result of verifying the ledger when the pack was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LedgerCheck {
    /// Whether it verified.
    pub verified: bool,
    /// How many events it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// The head's sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_seq: Option<u64>,
    /// The head's hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_hash: Option<String>,
    /// The signing key's fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// One sealed ledger event, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackEvent {
    /// Its sequence number.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// What it is about.
    pub subject: String,
    /// Who acted.
    pub actor: String,
    /// When.
    pub timestamp: String,
    /// Its payload (JSON text, exactly as signed).
    pub payload: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// Its hash.
    pub hash: String,
    /// The instance key's signature.
    pub signature: String,
}

impl PackEvent {
    /// The event as the pack keeps it.
    pub fn of(e: &SealedEvent) -> PackEvent {
        PackEvent {
            seq: e.seq,
            kind: e.event.kind.clone(),
            subject: e.event.subject.clone(),
            actor: e.event.actor.clone(),
            timestamp: e.event.timestamp.clone(),
            payload: e.event.payload.clone(),
            prev_hash: e.prev_hash.to_hex(),
            hash: e.hash.to_hex(),
            signature: e.signature_hex(),
        }
    }

    /// The sealed event again, for verification.
    pub fn sealed(&self) -> std::result::Result<SealedEvent, String> {
        let hash = |what: &str, hex: &str| {
            Hash::from_hex(hex)
                .ok_or_else(|| format!("event #{}: `{what}` is not a hash", self.seq))
        };
        Ok(SealedEvent {
            seq: self.seq,
            prev_hash: hash("prev_hash", &self.prev_hash)?,
            hash: hash("hash", &self.hash)?,
            signature: SealedEvent::signature_from_hex(&self.signature)
                .ok_or_else(|| format!("event #{}: `signature` is not 128 hex digits", self.seq))?,
            event: Event {
                kind: self.kind.clone(),
                subject: self.subject.clone(),
                actor: self.actor.clone(),
                timestamp: self.timestamp.clone(),
                payload: self.payload.clone(),
            },
        })
    }
}

/// `reviews/<id>/review.json`: one review as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackReview {
    /// The review's id.
    pub review: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// The delivered content's digest.
    pub content_digest: String,
    /// How many files it held.
    pub files: i64,
    /// How many bytes.
    pub bytes: i64,
    /// The delivery document as recorded (a [`DeliveryDocument`]), copied
    /// as it is so the pack shows exactly what was recorded.
    pub delivery: serde_json::Value,
    /// The decision.
    pub decision: PackDecision,
    /// Every finding with its disposition.
    pub findings: Vec<PackFinding>,
}

impl PackReview {
    /// The delivery document, typed.
    pub fn delivery_document(&self) -> std::result::Result<DeliveryDocument, String> {
        DeliveryDocument::deserialize(&self.delivery).map_err(|e| e.to_string())
    }
}

/// A review's decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackDecision {
    /// `accepted`, `accepted-with-waivers` or `rejected`.
    pub outcome: String,
    /// Who decided.
    pub reviewer: String,
    /// When.
    pub decided_at: String,
    /// The decision document as recorded (a
    /// [`crate::record::DecisionDocument`]).
    pub details: serde_json::Value,
}

/// A finding of a review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackFinding {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its rule.
    pub rule: String,
    /// Its category.
    pub category: String,
    /// Its severity.
    pub severity: String,
    /// The file.
    pub path: String,
    /// The line.
    pub line: Option<i64>,
    /// What it says.
    pub message: String,
    /// The SHA-256 of the file it is in.
    pub content_sha256: Option<String>,
    /// `blocking`, `waived`, `advisory` or `baseline`.
    pub disposition: String,
    /// The waiver that covers it.
    pub waiver: Option<String>,
}

impl PackFinding {
    /// The finding as the pack keeps it.
    pub fn of(f: &oversight_store::FindingRecord) -> PackFinding {
        PackFinding {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            category: f.category.clone(),
            severity: f.severity.clone(),
            path: f.path.clone(),
            line: f.line,
            message: f.message.clone(),
            content_sha256: f.content_sha256.clone(),
            disposition: f.disposition.clone(),
            waiver: f.waiver_id.clone(),
        }
    }
}

/// A waiver in `waivers.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackWaiver {
    /// Its id.
    pub id: String,
    /// The finding it covers.
    pub fingerprint: String,
    /// The content it is bound to.
    pub content_sha256: Option<String>,
    /// Why.
    pub reason: String,
    /// Who asked.
    pub requester: String,
    /// Who approved.
    pub approver: String,
    /// Until when.
    pub expires: String,
    /// When it was granted.
    pub granted_at: String,
    /// Its revocation, if revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<PackRevocation>,
}

impl PackWaiver {
    /// Waiver `w`, with its revocation if `revocations` holds one.
    pub fn of(
        w: &oversight_store::WaiverRecord,
        revocations: &[oversight_store::WaiverRevocation],
    ) -> PackWaiver {
        PackWaiver {
            id: w.id.clone(),
            fingerprint: w.fingerprint.clone(),
            content_sha256: w.content_sha256.clone(),
            reason: w.reason.clone(),
            requester: w.requester.clone(),
            approver: w.approver.clone(),
            expires: w.expires.clone(),
            granted_at: w.granted_at.clone(),
            revoked: revocations
                .iter()
                .find(|r| r.waiver_id == w.id)
                .map(PackRevocation::of),
        }
    }
}

/// A waiver's revocation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackRevocation {
    /// When.
    pub at: String,
    /// By whom.
    pub by: String,
    /// Why.
    pub reason: String,
}

impl PackRevocation {
    /// Revocation `r`.
    pub fn of(r: &oversight_store::WaiverRevocation) -> PackRevocation {
        PackRevocation {
            at: r.revoked_at.clone(),
            by: r.revoked_by.clone(),
            reason: r.reason.clone(),
        }
    }
}

/// An evidence document in `evidence-documents.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackDocument {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: i64,
    /// Until when it holds.
    pub expires: Option<String>,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: String,
}

/// Where a pack is written (sent between threads by the server).
pub trait PackSink: Send {
    /// Writes file `name` (a `/`-separated relative path).
    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()>;
}

/// A pack written to a new or empty directory.
pub struct DirSink {
    root: PathBuf,
}

impl DirSink {
    /// Opens `root`, which must not exist or be empty.
    pub fn create(root: &Path) -> Result<DirSink> {
        let io = |source| AppError::Read {
            path: root.to_owned(),
            source,
        };
        if root.exists() && fs_err::read_dir(root).map_err(io)?.next().is_some() {
            return Err(AppError::Refused(format!(
                "`{}` exists and is not empty; the pack goes into a new or empty directory",
                root.display()
            )));
        }
        fs_err::create_dir_all(root).map_err(io)?;
        Ok(DirSink {
            root: root.to_owned(),
        })
    }
}

impl PackSink for DirSink {
    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.root.join(name);
        let io = |source| AppError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).map_err(io)?;
        }
        fs_err::write(&path, bytes).map_err(io)
    }
}

/// A pack written as one zip archive.
pub struct ZipSink<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
    name: String,
}

impl<W: Write + Seek + Send> ZipSink<W> {
    /// A pack written into `writer`; `name` names it in errors.
    pub fn new(writer: W, name: &str) -> ZipSink<W> {
        ZipSink {
            zip: zip::ZipWriter::new(writer),
            name: name.to_owned(),
        }
    }

    /// Ends the archive.
    pub fn finish(self) -> Result<W> {
        let name = self.name;
        self.zip.finish().map_err(|e| AppError::Corrupt {
            what: name,
            reason: e.to_string(),
        })
    }
}

impl<W: Write + Seek + Send> PackSink for ZipSink<W> {
    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let failed = |reason: String| AppError::Corrupt {
            what: format!("{}: {name}", self.name),
            reason,
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        self.zip
            .start_file(name, options)
            .map_err(|e| failed(e.to_string()))?;
        self.zip.write_all(bytes).map_err(|e| failed(e.to_string()))
    }
}

/// The files of a pack, by their `/`-separated names.
pub type PackFiles = BTreeMap<String, Vec<u8>>;

/// Reads every file of a pack directory.
pub fn read_dir(dir: &Path) -> Result<PackFiles> {
    if !dir.is_dir() {
        return Err(AppError::Refused(format!(
            "`{}` is not a directory",
            dir.display()
        )));
    }
    let mut files = PackFiles::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| AppError::Read {
            path: e.path().unwrap_or(dir).to_owned(),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .strip_prefix(dir)
            .expect("walked under dir")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = fs_err::read(entry.path()).map_err(|source| AppError::Read {
            path: entry.path().to_owned(),
            source,
        })?;
        files.insert(name, bytes);
    }
    Ok(files)
}

/// Reads every file of a zipped pack (as `GET …/export` serves it).
pub fn read_zip(path: &Path) -> Result<PackFiles> {
    let corrupt = |reason: String| AppError::Corrupt {
        what: path.display().to_string(),
        reason,
    };
    let file = fs_err::File::open(path).map_err(|source| AppError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| corrupt(e.to_string()))?;
    let mut files = PackFiles::new();
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).map_err(|e| corrupt(e.to_string()))?;
        if member.is_dir() {
            continue;
        }
        let name = member.name().to_owned();
        let mut bytes = Vec::new();
        member
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(format!("{name}: {e}")))?;
        if files.insert(name.clone(), bytes).is_some() {
            return Err(corrupt(format!("{name} is in the archive twice")));
        }
    }
    Ok(files)
}

/// What verifying a pack found.
#[derive(Debug, Clone, Serialize)]
pub struct PackVerification {
    /// How many files the pack holds (besides the signed list).
    pub files: usize,
    /// How many ledger events.
    pub events: usize,
    /// The ledger's head.
    pub head: u64,
    /// How many reviews.
    pub reviews: usize,
    /// The key's fingerprint.
    pub key_fingerprint: String,
    /// Every problem found; none means verified.
    pub problems: Vec<String>,
}

impl PackVerification {
    /// Whether the pack verified.
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The part of a `delivery.reviewed` event's payload a pack check needs.
#[derive(Deserialize)]
struct ReviewedPayload {
    delivery: String,
    content_digest: String,
}

/// Verifies a pack with the instance's public key alone:
/// 1. `SHA256SUMS.sig` is the key's signature of `SHA256SUMS`;
/// 2. every file `SHA256SUMS` lists has that digest, and the pack holds no
///    file it does not list;
/// 3. `ledger.json`'s events form an intact chain signed by the key;
/// 4. `checkpoint.json` is signed by the key and names the ledger's head,
///    and every line of `checkpoints.log` matches the chain;
/// 5. every review's evidence files have the digests its record names, and
///    every review is recorded by a `delivery.reviewed` event.
pub fn verify(mut files: PackFiles, key: &PublicKey) -> PackVerification {
    let mut problems = Vec::new();

    // 1. The signed list.
    let sums = files.remove("SHA256SUMS");
    let signature = files.remove("SHA256SUMS.sig");
    let Some(sums) = sums else {
        problems.push("The pack has no SHA256SUMS".to_owned());
        return PackVerification {
            files: files.len(),
            events: 0,
            head: 0,
            reviews: 0,
            key_fingerprint: key.fingerprint(),
            problems,
        };
    };
    match signature {
        Some(text) => {
            let mut signature = [0u8; 64];
            let ok = hex::decode_to_slice(String::from_utf8_lossy(&text).trim(), &mut signature)
                .is_ok()
                && oversight_ledger::document::verifies(key, SUMS_DOMAIN, &sums, &signature);
            if !ok {
                problems.push(
                    "SHA256SUMS.sig is not the instance key's signature of SHA256SUMS (the list was altered, or the pack comes from another instance)"
                        .to_owned(),
                );
            }
        }
        None => problems.push("SHA256SUMS.sig is missing: the list is unsigned".to_owned()),
    }

    // 2. Every listed file, and nothing else.
    let mut listed = BTreeMap::new();
    for (i, line) in String::from_utf8_lossy(&sums).lines().enumerate() {
        match line.split_once("  ") {
            Some((hex, name)) => {
                listed.insert(name.to_owned(), hex.to_owned());
            }
            None => problems.push(format!("SHA256SUMS line {} is malformed", i + 1)),
        }
    }
    for (name, bytes) in &files {
        match listed.get(name) {
            None => problems.push(format!(
                "{name} is not listed in SHA256SUMS (added to the pack)"
            )),
            Some(hex) if *hex != sha256_hex(bytes) => {
                problems.push(format!("{name} does not match SHA256SUMS (altered)"));
            }
            Some(_) => {}
        }
    }
    for name in listed.keys() {
        if !files.contains_key(name) && !UNLISTED.contains(&name.as_str()) {
            problems.push(format!("{name} is listed in SHA256SUMS but missing"));
        }
    }

    // 3. The ledger.
    let mut events: Vec<SealedEvent> = Vec::new();
    match files.get("ledger.json").map(|b| ledger_events(b)) {
        None => problems.push("ledger.json is missing".to_owned()),
        Some(Err(e)) => problems.push(format!("ledger.json: {e}")),
        Some(Ok(parsed)) => {
            if let Err(failure) = oversight_ledger::verify(&parsed, key) {
                problems.push(format!("ledger.json: {failure}"));
            }
            events = parsed;
        }
    }
    let head = events.last().map_or(0, |e| e.seq);

    // 4. Checkpoints.
    match files.get("checkpoint.json") {
        None => problems.push("checkpoint.json is missing".to_owned()),
        Some(bytes) => match Checkpoint::parse_line(String::from_utf8_lossy(bytes).trim()) {
            Err(e) => problems.push(format!("checkpoint.json: {e}")),
            Ok(c) if !c.verifies(key) => {
                problems.push(format!(
                    "checkpoint.json: {c} is not signed by the instance key"
                ));
            }
            Ok(c) => {
                if c.seq != head {
                    problems.push(format!(
                        "checkpoint.json names {c}, but ledger.json ends at #{head}"
                    ));
                }
                if let Err(e) = oversight_ledger::checkpoint::check(&events, &[c]) {
                    problems.push(format!("checkpoint.json: {e}"));
                }
            }
        },
    }
    if let Some(bytes) = files.get("checkpoints.log") {
        let text = String::from_utf8_lossy(bytes);
        match oversight_ledger::checkpoint::parse_log(&text, "checkpoints.log", key) {
            Err(e) => problems.push(e.to_string()),
            Ok(checkpoints) => {
                // Checkpoints written after the export are not the pack's.
                let within: Vec<Checkpoint> =
                    checkpoints.into_iter().filter(|c| c.seq <= head).collect();
                if let Err(e) = oversight_ledger::checkpoint::check(&events, &within) {
                    problems.push(format!("checkpoints.log: {e}"));
                }
            }
        }
    }

    // 5. Reviews against the ledger and their evidence files.
    let recorded: BTreeMap<String, String> = events
        .iter()
        .filter(|e| e.event.kind == "delivery.reviewed")
        .filter_map(|e| serde_json::from_str::<ReviewedPayload>(&e.event.payload).ok())
        .map(|p| (p.delivery, p.content_digest))
        .collect();
    let mut reviews = 0;
    for (name, bytes) in &files {
        let Some(review_dir) = name.strip_suffix("/review.json") else {
            continue;
        };
        reviews += 1;
        let review: PackReview = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{name} is not a review record: {e}"));
                continue;
            }
        };
        let id = &review.review;
        match recorded.get(id) {
            None => problems.push(format!(
                "review {id} is recorded by no delivery.reviewed event of the ledger"
            )),
            Some(digest) if *digest != review.content_digest => {
                problems.push(format!(
                    "review {id}: its content digest differs from the one the ledger recorded ({digest})"
                ));
            }
            Some(_) => {}
        }
        let document = match review.delivery_document() {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!(
                    "review {id}: its delivery document is not one: {e}"
                ));
                continue;
            }
        };
        for (role, hex) in document.evidence.blobs() {
            let file = blob_file(role).expect("every role has a file");
            let path = format!("{review_dir}/{file}");
            match files.get(&path) {
                None => problems.push(format!("review {id}: {path} ({role}) is missing")),
                Some(bytes) if sha256_hex(bytes) != hex => problems.push(format!(
                    "review {id}: {path} ({role}) is not the blob sha256:{hex} its record names"
                )),
                Some(_) => {}
            }
        }
    }

    PackVerification {
        files: files.len(),
        events: events.len(),
        head,
        reviews,
        key_fingerprint: key.fingerprint(),
        problems,
    }
}

/// The events of an exported `ledger.json`, exactly as stored.
fn ledger_events(bytes: &[u8]) -> std::result::Result<Vec<SealedEvent>, String> {
    let ledger: PackLedger =
        serde_json::from_slice(bytes).map_err(|e| format!("not a pack ledger: {e}"))?;
    ledger.events.iter().map(PackEvent::sealed).collect()
}
