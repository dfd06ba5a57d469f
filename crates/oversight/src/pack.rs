//! `oversight pack verify DIR --public-key HEX`: an auditor's check of an
//! exported evidence pack with nothing but the pack and the instance's
//! public key. Every problem is named; exit 1 if there is any.
//!
//! What it checks, in order:
//! 1. `SHA256SUMS.sig` is the instance key's signature of `SHA256SUMS`;
//! 2. every file `SHA256SUMS` lists has that digest, and the pack holds no
//!    file it does not list;
//! 3. `ledger.json`'s events form an intact chain signed by the key;
//! 4. `checkpoint.json` is signed by the key and names the ledger's head,
//!    and every line of `checkpoints.log` matches the chain;
//! 5. every review's evidence files have the digests its record names, and
//!    every review is recorded by a `delivery.reviewed` event of the ledger.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use oversight_ledger::{Checkpoint, Event, Hash, PublicKey, SealedEvent};

use crate::term::out;

/// The domain of the signature of a pack's `SHA256SUMS`.
pub(crate) const SUMS_DOMAIN: &str = "oversight.pack-sums/1";

/// Files that `SHA256SUMS` does not list, by design.
const UNLISTED: [&str; 2] = ["SHA256SUMS", "SHA256SUMS.sig"];

pub(crate) fn verify(dir: &Path, public_key: &str) -> anyhow::Result<u8> {
    let key = PublicKey::from_hex(public_key).with_context(|| {
        format!("--public-key `{public_key}` is not an Ed25519 public key (64 hex digits)")
    })?;
    anyhow::ensure!(dir.is_dir(), "`{}` is not a directory", dir.display());
    let mut problems = Vec::new();

    // 1. The signed list.
    let sums = fs_err::read(dir.join("SHA256SUMS")).context("The pack has no SHA256SUMS")?;
    match fs_err::read_to_string(dir.join("SHA256SUMS.sig")) {
        Ok(text) => {
            let mut signature = [0u8; 64];
            let ok = hex::decode_to_slice(text.trim(), &mut signature).is_ok()
                && oversight_ledger::document::verifies(&key, SUMS_DOMAIN, &sums, &signature);
            if !ok {
                problems.push(
                    "SHA256SUMS.sig is not the instance key's signature of SHA256SUMS (the list was altered, or the pack comes from another instance)"
                        .to_owned(),
                );
            }
        }
        Err(_) => problems.push("SHA256SUMS.sig is missing: the list is unsigned".to_owned()),
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
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .strip_prefix(dir)
            .expect("walked under dir")
            .to_string_lossy()
            .replace('\\', "/");
        if UNLISTED.contains(&name.as_str()) {
            continue;
        }
        let bytes = fs_err::read(entry.path())?;
        match listed.get(&name) {
            None => problems.push(format!(
                "{name} is not listed in SHA256SUMS (added to the pack)"
            )),
            Some(hex) if *hex != crate::review::sha256_hex(&bytes) => {
                problems.push(format!("{name} does not match SHA256SUMS (altered)"));
            }
            Some(_) => {}
        }
        files.insert(name, bytes);
    }
    for name in listed.keys() {
        if !files.contains_key(name) {
            problems.push(format!("{name} is listed in SHA256SUMS but missing"));
        }
    }

    // 3. The ledger.
    let mut events: Vec<SealedEvent> = Vec::new();
    match files.get("ledger.json").map(|b| ledger_events(b)) {
        None => problems.push("ledger.json is missing".to_owned()),
        Some(Err(e)) => problems.push(format!("ledger.json: {e}")),
        Some(Ok(parsed)) => {
            match oversight_ledger::verify(&parsed, &key) {
                Ok(_) => {}
                Err(failure) => problems.push(format!("ledger.json: {failure}")),
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
            Ok(c) if !c.verifies(&key) => {
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
        match oversight_ledger::checkpoint::parse_log(&text, "checkpoints.log", &key) {
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
        .filter_map(|e| {
            let payload: serde_json::Value = serde_json::from_str(&e.event.payload).ok()?;
            Some((
                payload["delivery"].as_str()?.to_owned(),
                payload["content_digest"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let mut reviews = 0;
    for (name, bytes) in &files {
        let Some(review_dir) = name.strip_suffix("/review.json") else {
            continue;
        };
        reviews += 1;
        let review: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{name} is not JSON: {e}"));
                continue;
            }
        };
        let id = review["review"].as_str().unwrap_or("?");
        match recorded.get(id) {
            None => problems.push(format!(
                "review {id} is recorded by no delivery.reviewed event of the ledger"
            )),
            Some(digest) if Some(digest.as_str()) != review["content_digest"].as_str() => {
                problems.push(format!(
                    "review {id}: its content digest differs from the one the ledger recorded ({digest})"
                ));
            }
            Some(_) => {}
        }
        for (role, file) in crate::export::BLOBS {
            let Some(hex) = review["delivery"]["evidence"][role].as_str() else {
                continue;
            };
            let path = format!("{review_dir}/{file}");
            match files.get(&path) {
                None => problems.push(format!("review {id}: {path} ({role}) is missing")),
                Some(bytes) if crate::review::sha256_hex(bytes) != hex => problems.push(format!(
                    "review {id}: {path} ({role}) is not the blob sha256:{hex} its record names"
                )),
                Some(_) => {}
            }
        }
    }

    out!(
        "Pack {}: {} files, ledger of {} events (head #{head}), {} reviews, public key {}",
        dir.display(),
        files.len(),
        events.len(),
        reviews,
        key.fingerprint()
    );
    if problems.is_empty() {
        out!("Pack verified: signed list, every file, ledger, checkpoint and review evidence.");
        Ok(0)
    } else {
        out!("Pack verification FAILED ({} problems):", problems.len());
        for p in &problems {
            out!("  {p}");
        }
        Ok(1)
    }
}

/// The events of an exported `ledger.json`, exactly as stored.
fn ledger_events(bytes: &[u8]) -> Result<Vec<SealedEvent>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let list = value["events"].as_array().ok_or("no `events` list")?;
    list.iter()
        .enumerate()
        .map(|(i, e)| {
            let text = |k: &str| {
                e[k].as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("event {} has no `{k}`", i + 1))
            };
            let hash = |k: &str| -> Result<Hash, String> {
                Hash::from_hex(&text(k)?)
                    .ok_or_else(|| format!("event {}: `{k}` is not a hash", i + 1))
            };
            Ok(SealedEvent {
                seq: e["seq"]
                    .as_u64()
                    .ok_or_else(|| format!("event {} has no `seq`", i + 1))?,
                prev_hash: hash("prev_hash")?,
                hash: hash("hash")?,
                signature: SealedEvent::signature_from_hex(&text("signature")?)
                    .ok_or_else(|| format!("event {}: `signature` is not 128 hex digits", i + 1))?,
                event: Event {
                    kind: text("kind")?,
                    subject: text("subject")?,
                    actor: text("actor")?,
                    timestamp: text("timestamp")?,
                    payload: text("payload")?,
                },
            })
        })
        .collect()
}
