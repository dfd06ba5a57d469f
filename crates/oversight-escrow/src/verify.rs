//! Verification of a deposit from the file alone (and its two signature
//! files beside it), on any machine.
//!
//! * Level 1, inventory: the manifest is the first member; every member is
//!   in it with its size and SHA-256, none is missing, none is extra; the
//!   recorded delivery manifest hashes to the delivery's content digest and
//!   its files are the deposited sources, file for file (and, with a
//!   register, that digest is the accepted review's); both signatures are
//!   the trusted key's and cover this file.
//! * Level 2, completeness ([`crate::build`]): pinned and resolvable
//!   components, toolchains named by version, referenced files present, no
//!   binary without its source.
//!
//! The deposit is read once, streaming: memory holds one member's head
//! and the build files' text, never a whole source file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use oversight_gate::Manifest;
use oversight_ledger::PublicKey;
use serde::Serialize;
use sha2::{Digest as _, Sha256, Sha512};

use crate::build::{self, Sbom, Tree};
use crate::manifest::{
    DELIVERY_MANIFEST_PATH, DepositManifest, MANIFEST_PATH, MANIFEST_SCHEMA, Role, SBOM_PATH,
    SOURCE_PREFIX,
};
use crate::sign::{SIGNATURE_DOMAIN, SignatureFile, check_ssh_signature};

/// One failed check: the file, member or component, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What it is about (`source/Cargo.toml`, `component pkg:cargo/x@1`).
    pub item: String,
    /// Why it fails.
    pub reason: String,
}

/// What the verifier trusts besides the file.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The instance's public key. Without it the signatures are checked
    /// against the key the `.sig` file names, which proves nothing about
    /// who signed: level 1 then fails, saying so.
    pub public_key: Option<PublicKey>,
    /// From a register: the content digest of the review the deposit says
    /// it is of, and whether that review was accepted.
    pub recorded: Option<RecordedReview>,
}

/// What a register recorded of the deposit's review.
#[derive(Debug, Clone)]
pub struct RecordedReview {
    /// The review's content digest, or `None` when the register has no such review.
    pub content_digest: Option<String>,
    /// Its decision.
    pub outcome: String,
    /// Its engagement.
    pub engagement: String,
}

/// The result of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The deposit.
    pub deposit: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The engagement and review it says it is of.
    pub engagement: Option<String>,
    /// The review.
    pub review: Option<String>,
    /// Delivered files in it.
    pub source_files: usize,
    /// SBOM components checked.
    pub components: usize,
    /// Level 1 failures.
    pub level1: Vec<Problem>,
    /// Level 2 failures.
    pub level2: Vec<Problem>,
    /// Whether level 2 ran (it needs a readable deposit).
    pub level2_checked: bool,
}

impl VerifyReport {
    /// Level 1 passed.
    pub fn level1_ok(&self) -> bool {
        self.level1.is_empty()
    }

    /// Level 2 passed.
    pub fn level2_ok(&self) -> bool {
        self.level2_checked && self.level2.is_empty()
    }
}

fn problem(item: impl Into<String>, reason: impl Into<String>) -> Problem {
    Problem {
        item: item.into(),
        reason: reason.into(),
    }
}

/// Reads the file and hashes every byte the decoder takes.
struct HashingReader<R> {
    inner: R,
    sha256: Sha256,
    sha512: Sha512,
    size: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha256.update(&buf[..n]);
        self.sha512.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// How many leading bytes of each member are looked at for compiled code.
const HEAD: usize = 64 << 10;

/// Verifies the deposit at `path` (levels 1 and 2). Its signature files
/// are `<path>.sig` and `<path>.sshsig`.
///
/// # Errors
///
/// Only when the deposit cannot be opened; everything else is a problem
/// in the report.
pub fn verify(path: &Path, options: &VerifyOptions) -> Result<VerifyReport, crate::EscrowError> {
    let file = std::fs::File::open(path).map_err(|source| crate::EscrowError::File {
        action: "open the deposit",
        path: path.to_owned(),
        source,
    })?;
    let mut reader = HashingReader {
        inner: io::BufReader::with_capacity(1 << 20, file),
        sha256: Sha256::new(),
        sha512: Sha512::new(),
        size: 0,
    };
    let mut level1 = Vec::new();
    let mut tree = Tree::default();
    let read = read_members(&mut reader, &mut tree, &mut level1);
    // Hash what the decoder left (trailing bytes are corruption too).
    let mut rest = Vec::new();
    let trailing = match read.as_ref() {
        Ok(_) => reader.read_to_end(&mut rest).unwrap_or(0),
        Err(_) => {
            let _ = io::copy(&mut reader, &mut io::sink());
            0
        }
    };
    if trailing > 0 {
        level1.push(problem(
            "deposit",
            format!("{trailing} bytes follow the end of the compressed archive"),
        ));
    }
    let sha256 = hex::encode(reader.sha256.clone().finalize());
    let sha512: [u8; 64] = reader.sha512.clone().finalize().into();
    let size = reader.size;
    check_signatures(path, options, &sha256, size, &sha512, &mut level1);

    let mut report = VerifyReport {
        deposit: path.to_owned(),
        sha256,
        size,
        engagement: None,
        review: None,
        source_files: tree.files.len(),
        components: 0,
        level1,
        level2: Vec::new(),
        level2_checked: false,
    };
    let Ok(Some(read)) = read else {
        if let Err(e) = read {
            report.level1.push(e);
        }
        return Ok(report);
    };
    report.engagement = Some(read.manifest.engagement.clone());
    report.review = Some(read.manifest.review.clone());
    inventory(&read, options, &mut report.level1);
    // Level 2.
    let mut level2 = build::check_build(&tree);
    match read.sbom.as_deref().map(serde_json::from_slice::<Sbom>) {
        Some(Ok(sbom)) => {
            report.components = sbom.components.len();
            level2.extend(build::check_components(&tree, &sbom));
        }
        Some(Err(e)) => level2.push(problem(SBOM_PATH, format!("not a CycloneDX document: {e}"))),
        None => level2.push(problem(SBOM_PATH, "missing from the deposit")),
    }
    level2.extend(build::check_binaries(&tree));
    report.level2 = level2;
    report.level2_checked = true;
    Ok(report)
}

/// What reading the members gave.
struct Members {
    manifest: DepositManifest,
    delivery_manifest: Option<Vec<u8>>,
    sbom: Option<Vec<u8>>,
}

fn check_signatures(
    path: &Path,
    options: &VerifyOptions,
    sha256: &str,
    size: u64,
    sha512: &[u8; 64],
    level1: &mut Vec<Problem>,
) {
    let sig_path = sibling(path, "sig");
    let ssh_path = sibling(path, "sshsig");
    let name = |p: &Path| p.display().to_string();
    let sig: Option<SignatureFile> = match std::fs::read(&sig_path) {
        Err(e) => {
            level1.push(problem(name(&sig_path), format!("cannot be read: {e}")));
            None
        }
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(sig) => Some(sig),
            Err(e) => {
                level1.push(problem(
                    name(&sig_path),
                    format!("not a deposit signature: {e}"),
                ));
                None
            }
        },
    };
    let named = sig
        .as_ref()
        .and_then(|s| PublicKey::from_hex(&s.public_key));
    let key = match (options.public_key, named) {
        (Some(trusted), _) => Some(trusted),
        (None, Some(named)) => {
            level1.push(problem(
                "signer",
                format!(
                    "no trusted public key given (--public-key); the signature file names key {}, which proves nothing by itself",
                    named.fingerprint()
                ),
            ));
            Some(named)
        }
        (None, None) => None,
    };
    if let (Some(sig), Some(key)) = (&sig, key) {
        let statement = &sig.statement;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if named.is_some_and(|n| n != key) {
            level1.push(problem(
                name(&sig_path),
                format!(
                    "signed by key {}, not by the trusted key {}",
                    named.map(|n| n.fingerprint()).unwrap_or_default(),
                    key.fingerprint()
                ),
            ));
        }
        let signature: Option<[u8; 64]> = hex::decode(&sig.signature)
            .ok()
            .and_then(|b| b.try_into().ok());
        match signature {
            Some(s)
                if oversight_ledger::document::verifies(
                    &key,
                    SIGNATURE_DOMAIN,
                    &statement.signed_bytes(),
                    &s,
                ) => {}
            _ => level1.push(problem(
                name(&sig_path),
                format!(
                    "the signature is not key {}'s signature of its statement",
                    key.fingerprint()
                ),
            )),
        }
        if statement.sha256 != sha256 || statement.size != size {
            level1.push(problem(
                name(&sig_path),
                format!(
                    "signs a file of {} bytes with SHA-256 {}, but the deposit has {size} bytes with SHA-256 {sha256}",
                    statement.size, statement.sha256
                ),
            ));
        }
        if file_name.as_deref() != Some(statement.deposit.as_str()) {
            level1.push(problem(
                name(&sig_path),
                format!("signs the deposit `{}`, not this file", statement.deposit),
            ));
        }
    }
    match (std::fs::read_to_string(&ssh_path), key) {
        (Err(e), _) => level1.push(problem(name(&ssh_path), format!("cannot be read: {e}"))),
        (Ok(_), None) => level1.push(problem(name(&ssh_path), "no key to check it against")),
        (Ok(pem), Some(key)) => {
            if let Err(why) = check_ssh_signature(&pem, &key, sha512) {
                level1.push(problem(name(&ssh_path), why));
            }
        }
    }
}

/// `<deposit>.<ext>`.
pub fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// Streams the members: the manifest first, then each member hashed
/// against it. Returns `Ok(None)` when the manifest itself is unusable
/// (already a problem), `Err` for a stream that breaks (truncated, corrupt).
fn read_members<R: Read>(
    reader: R,
    tree: &mut Tree,
    level1: &mut Vec<Problem>,
) -> Result<Option<Members>, Problem> {
    let corrupt = |at: &str, e: io::Error| {
        problem(
            "deposit",
            format!("truncated or corrupt (not a complete zstd-compressed tar) at {at}: {e}"),
        )
    };
    let decoder = zstd::stream::read::Decoder::new(reader).map_err(|e| corrupt("its start", e))?;
    let mut archive = tar::Archive::new(decoder);
    let mut entries = archive.entries().map_err(|e| corrupt("its start", e))?;
    let mut manifest: Option<DepositManifest> = None;
    let mut expected: BTreeMap<String, (Role, u64, String)> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut delivery_manifest = None;
    let mut sbom = None;
    let mut last = "its first member".to_owned();
    let mut first = true;
    loop {
        let entry = match entries.next() {
            None => break,
            Some(Err(e)) => return Err(corrupt(&format!("the member after `{last}`"), e)),
            Some(Ok(entry)) => entry,
        };
        let mut entry = entry;
        let path_bytes = entry.path_bytes().into_owned();
        let path = oversight_model::name_from_bytes(&path_bytes).into_owned();
        last.clone_from(&path);
        if entry.header().entry_type() != tar::EntryType::Regular {
            level1.push(problem(
                &path,
                "not a regular file; a deposit holds regular files only",
            ));
            continue;
        }
        if first {
            first = false;
            if path != MANIFEST_PATH {
                level1.push(problem(
                    &path,
                    format!("the first member is not {MANIFEST_PATH}"),
                ));
                return Ok(None);
            }
            let mut bytes = Vec::new();
            entry
                .by_ref()
                .take(64 << 20)
                .read_to_end(&mut bytes)
                .map_err(|e| corrupt(MANIFEST_PATH, e))?;
            match DepositManifest::from_json(&bytes) {
                Ok(m) if m.schema == MANIFEST_SCHEMA => {
                    for f in &m.files {
                        if expected
                            .insert(f.path.clone(), (f.role, f.size, f.sha256.clone()))
                            .is_some()
                        {
                            level1.push(problem(&f.path, "listed twice in the manifest"));
                        }
                    }
                    manifest = Some(m);
                }
                Ok(m) => {
                    level1.push(problem(
                        MANIFEST_PATH,
                        format!("schema `{}`, not {MANIFEST_SCHEMA}", m.schema),
                    ));
                    return Ok(None);
                }
                Err(e) => {
                    level1.push(problem(
                        MANIFEST_PATH,
                        format!("not a deposit manifest: {e}"),
                    ));
                    return Ok(None);
                }
            }
            continue;
        }
        if !seen.insert(path.clone()) {
            level1.push(problem(&path, "appears twice in the deposit"));
        }
        let delivered = path.strip_prefix(SOURCE_PREFIX).map(str::to_owned);
        let keep = match path.as_str() {
            DELIVERY_MANIFEST_PATH | SBOM_PATH => Some(64 << 20),
            _ => delivered
                .as_deref()
                .filter(|d| build::wants_content(d))
                .map(|_| build::MAX_BUILD_FILE),
        };
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut kept = Vec::new();
        let mut size = 0u64;
        let mut buf = vec![0; 256 << 10];
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(corrupt(&format!("member `{path}`"), e)),
            };
            hasher.update(&buf[..n]);
            if head.len() < HEAD {
                let take = n.min(HEAD - head.len());
                head.extend_from_slice(&buf[..take]);
            }
            if let Some(limit) = keep
                && size + (n as u64) <= limit
            {
                kept.extend_from_slice(&buf[..n]);
            }
            size += n as u64;
        }
        let sha256 = hex::encode(hasher.finalize());
        match expected.get(&path) {
            None => level1.push(problem(&path, "in the deposit but not in its manifest")),
            Some((_, want_size, want_sha)) => {
                if *want_size != size || *want_sha != sha256 {
                    level1.push(problem(
                        &path,
                        format!(
                            "content differs from the manifest ({size} bytes, SHA-256 {sha256}; the manifest says {want_size} bytes, {want_sha})"
                        ),
                    ));
                }
            }
        }
        if let Some(delivered) = delivered {
            if let Some(what) = oversight_malicious::executables::describe_compiled(&head) {
                tree.binaries.push((delivered.clone(), what));
            }
            if keep.is_some() && size <= build::MAX_BUILD_FILE {
                tree.contents.insert(delivered.clone(), kept);
            }
            tree.files.insert(delivered);
        } else if path == DELIVERY_MANIFEST_PATH {
            delivery_manifest = Some(kept);
        } else if path == SBOM_PATH {
            sbom = Some(kept);
        }
    }
    let Some(manifest) = manifest else {
        level1.push(problem(MANIFEST_PATH, "missing: the deposit is empty"));
        return Ok(None);
    };
    for path in expected.keys() {
        if !seen.contains(path) {
            level1.push(problem(path, "in the manifest but not in the deposit"));
        }
    }
    Ok(Some(Members {
        manifest,
        delivery_manifest,
        sbom,
    }))
}

/// Level 1's comparison with the recorded delivery.
fn inventory(read: &Members, options: &VerifyOptions, level1: &mut Vec<Problem>) {
    let m = &read.manifest;
    if !matches!(m.decision.as_str(), "accepted" | "accepted-with-waivers") {
        level1.push(problem(
            MANIFEST_PATH,
            format!(
                "says review {} was `{}`, not accepted",
                m.review, m.decision
            ),
        ));
    }
    match &read.delivery_manifest {
        None => level1.push(problem(DELIVERY_MANIFEST_PATH, "missing from the deposit")),
        Some(bytes) => {
            let digest = hex::encode(Sha256::digest(bytes));
            if digest != m.delivery_digest {
                level1.push(problem(
                    DELIVERY_MANIFEST_PATH,
                    format!(
                        "hashes to {digest}, not to the delivery's content digest {}",
                        m.delivery_digest
                    ),
                ));
            }
            match Manifest::from_json(bytes) {
                Err(e) => level1.push(problem(
                    DELIVERY_MANIFEST_PATH,
                    format!("not a delivery manifest: {e}"),
                )),
                Ok(delivery) => {
                    let delivered: BTreeMap<&str, &str> =
                        delivery.kept_files(m.scanned_history).collect();
                    let deposited: BTreeMap<&str, &str> = m
                        .files
                        .iter()
                        .filter(|f| f.role == Role::Source)
                        .filter_map(|f| {
                            Some((f.path.strip_prefix(SOURCE_PREFIX)?, f.sha256.as_str()))
                        })
                        .collect();
                    for (path, sha) in &delivered {
                        match deposited.get(path) {
                            None => level1.push(problem(
                                format!("{SOURCE_PREFIX}{path}"),
                                "delivered and accepted, but not in the deposit",
                            )),
                            Some(d) if d != sha => level1.push(problem(
                                format!("{SOURCE_PREFIX}{path}"),
                                format!("differs from the accepted delivery (SHA-256 {d}, delivered {sha})"),
                            )),
                            Some(_) => {}
                        }
                    }
                    for path in deposited.keys() {
                        if !delivered.contains_key(path) {
                            level1.push(problem(
                                format!("{SOURCE_PREFIX}{path}"),
                                "in the deposit but not in the accepted delivery",
                            ));
                        }
                    }
                }
            }
        }
    }
    if let Some(recorded) = &options.recorded {
        match &recorded.content_digest {
            None => level1.push(problem("register", format!("holds no review {}", m.review))),
            Some(digest) if *digest != m.delivery_digest => level1.push(problem(
                "register",
                format!(
                    "review {} recorded content digest {digest}, the deposit's delivery is {}",
                    m.review, m.delivery_digest
                ),
            )),
            Some(_) => {}
        }
        if recorded.content_digest.is_some()
            && !matches!(
                recorded.outcome.as_str(),
                "accepted" | "accepted-with-waivers"
            )
        {
            level1.push(problem(
                "register",
                format!(
                    "review {} was `{}`, not accepted",
                    m.review, recorded.outcome
                ),
            ));
        }
        if recorded.content_digest.is_some() && recorded.engagement != m.engagement {
            level1.push(problem(
                "register",
                format!(
                    "review {} belongs to engagement `{}`, the deposit says `{}`",
                    m.review, recorded.engagement, m.engagement
                ),
            ));
        }
    }
}

/// The manifest of the deposit at `path`, read from its first member only
/// (to find the review before a full verification).
///
/// # Errors
///
/// The file cannot be opened; `Ok(None)` when its first member is not a
/// readable manifest (a full verification says why).
pub fn read_manifest(path: &Path) -> Result<Option<DepositManifest>, crate::EscrowError> {
    let file = std::fs::File::open(path).map_err(|source| crate::EscrowError::File {
        action: "open the deposit",
        path: path.to_owned(),
        source,
    })?;
    let Ok(decoder) = zstd::stream::read::Decoder::new(io::BufReader::new(file)) else {
        return Ok(None);
    };
    let mut archive = tar::Archive::new(decoder);
    let Ok(mut entries) = archive.entries() else {
        return Ok(None);
    };
    let Some(Ok(entry)) = entries.next() else {
        return Ok(None);
    };
    if entry.path_bytes().as_ref() != MANIFEST_PATH.as_bytes() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    if entry.take(64 << 20).read_to_end(&mut bytes).is_err() {
        return Ok(None);
    }
    Ok(DepositManifest::from_json(&bytes).ok())
}
