//! Signed checkpoints of the chain head, kept outside the database.
//!
//! The chain proves that no event was altered or removed from its middle,
//! but not that the latest events were not cut off together with the
//! `ledger_head` row: someone with write access to the database can roll
//! the head back. Every append therefore also writes a checkpoint
//! (sequence, head hash, time, signature) to a log outside the database
//! (by default next to the signing key). A chain that is shorter than, or
//! diverges from, any checkpoint seen fails verification.
//!
//! Log format: one JSON object per line,
//! `{"seq":N,"hash":"<64 hex>","time":"<RFC 3339>","signature":"<128 hex>"}`;
//! the signature is the instance key's Ed25519 signature over
//! `oversight.checkpoint/1\0`, `seq` (8 bytes, big endian), the hash
//! (32 bytes) and the time's UTF-8 bytes.

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use ed25519_dalek::Signer as _;

use crate::{ChainHead, Hash, InstanceKey, PublicKey, SealedEvent};

const DOMAIN: &[u8] = b"oversight.checkpoint/1\0";

/// A signed statement that the chain had `seq` events ending in `hash` at
/// `time`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Sequence number of the head.
    pub seq: u64,
    /// Hash of the head event.
    pub hash: Hash,
    /// When the checkpoint was written (RFC 3339).
    pub time: String,
    /// The instance key's signature.
    pub signature: [u8; 64],
}

fn message(seq: u64, hash: &Hash, time: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 40 + time.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&hash.0);
    m.extend_from_slice(time.as_bytes());
    m
}

impl Checkpoint {
    /// Signs `head` at `time` with `key`.
    pub fn sign(key: &InstanceKey, head: &ChainHead, time: &str) -> Checkpoint {
        let signature = key
            .signing()
            .sign(&message(head.seq, &head.hash, time))
            .to_bytes();
        Checkpoint {
            seq: head.seq,
            hash: head.hash,
            time: time.to_owned(),
            signature,
        }
    }

    /// Whether the signature is `key`'s.
    pub fn verifies(&self, key: &PublicKey) -> bool {
        key.verifies_message(&message(self.seq, &self.hash, &self.time), &self.signature)
    }

    /// The checkpoint as one line of the log (without the newline).
    pub fn to_line(&self) -> String {
        format!(
            "{{\"seq\":{},\"hash\":\"{}\",\"time\":\"{}\",\"signature\":\"{}\"}}",
            self.seq,
            self.hash,
            self.time,
            hex::encode(self.signature)
        )
    }

    /// Parses one line of the log.
    pub fn parse_line(line: &str) -> Result<Checkpoint, String> {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let seq = value["seq"].as_u64().ok_or("no `seq`")?;
        let hash = value["hash"]
            .as_str()
            .and_then(Hash::from_hex)
            .ok_or("no valid `hash`")?;
        let time = value["time"].as_str().ok_or("no `time`")?.to_owned();
        let mut signature = [0u8; 64];
        hex::decode_to_slice(
            value["signature"].as_str().ok_or("no `signature`")?,
            &mut signature,
        )
        .map_err(|e| format!("`signature` is not 128 hex digits: {e}"))?;
        Ok(Checkpoint {
            seq,
            hash,
            time,
            signature,
        })
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "checkpoint #{} {} of {}", self.seq, self.hash, self.time)
    }
}

/// A problem with a checkpoint log or a chain against it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The log cannot be read.
    #[error("Cannot read the checkpoint log {path}: {reason}")]
    Read {
        /// The log.
        path: String,
        /// Why.
        reason: String,
    },
    /// A line of the log does not parse.
    #[error("Checkpoint log {path}, line {line}: {reason}")]
    Malformed {
        /// The log.
        path: String,
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// A checkpoint's signature is not the instance key's.
    #[error(
        "Checkpoint log {path}, line {line}: the signature of {checkpoint} is not the instance key's (forged or from another instance)"
    )]
    Forged {
        /// The log.
        path: String,
        /// 1-based line.
        line: usize,
        /// The checkpoint.
        checkpoint: String,
    },
    /// The chain ends before a checkpoint: events were cut off its tail.
    #[error(
        "The ledger was truncated: {checkpoint} was signed, but the chain ends at #{head}; {missing} event(s) after it are missing"
    )]
    Truncated {
        /// The checkpoint.
        checkpoint: String,
        /// The chain's last sequence number.
        head: u64,
        /// How many events are missing.
        missing: u64,
    },
    /// The chain's event at a checkpoint's sequence has another hash.
    #[error("The ledger diverges from {checkpoint}: event #{seq} now has hash {actual}")]
    Diverged {
        /// The checkpoint.
        checkpoint: String,
        /// The sequence number.
        seq: u64,
        /// The hash the chain has there.
        actual: String,
    },
}

/// Appends `checkpoint` to the log at `path` (created with its directory),
/// flushed to disk before returning.
pub fn append(path: &Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{}\n", checkpoint.to_line()).as_bytes())?;
    file.sync_data()
}

/// Reads the log at `path`; a missing log is empty. Every line must parse
/// and carry `key`'s signature.
pub fn read_log(path: &Path, key: &PublicKey) -> Result<Vec<Checkpoint>, CheckpointError> {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(CheckpointError::Read {
                path: name,
                reason: e.to_string(),
            });
        }
    };
    parse_log(&text, &name, key)
}

/// Parses the text of a checkpoint log (`name` names it in errors); every
/// line must parse and carry `key`'s signature.
pub fn parse_log(
    text: &str,
    name: &str,
    key: &PublicKey,
) -> Result<Vec<Checkpoint>, CheckpointError> {
    let name = name.to_owned();
    let mut checkpoints = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let checkpoint =
            Checkpoint::parse_line(line).map_err(|reason| CheckpointError::Malformed {
                path: name.clone(),
                line: i + 1,
                reason,
            })?;
        if !checkpoint.verifies(key) {
            return Err(CheckpointError::Forged {
                path: name,
                line: i + 1,
                checkpoint: checkpoint.to_string(),
            });
        }
        checkpoints.push(checkpoint);
    }
    Ok(checkpoints)
}

/// Checks the chain `events` (verified on its own) against every
/// checkpoint: none may lie beyond its end, and each must match the event
/// at its sequence number.
pub fn check(events: &[SealedEvent], checkpoints: &[Checkpoint]) -> Result<(), CheckpointError> {
    let head = events.last().map_or(0, |e| e.seq);
    for checkpoint in checkpoints {
        if checkpoint.seq == 0 {
            continue;
        }
        if checkpoint.seq > head {
            return Err(CheckpointError::Truncated {
                checkpoint: checkpoint.to_string(),
                head,
                missing: checkpoint.seq - head,
            });
        }
        let at = events.iter().find(|e| e.seq == checkpoint.seq);
        match at {
            Some(event) if event.hash == checkpoint.hash => {}
            other => {
                return Err(CheckpointError::Diverged {
                    checkpoint: checkpoint.to_string(),
                    seq: checkpoint.seq,
                    actual: other.map_or_else(|| "no event".to_owned(), |e| e.hash.to_hex()),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_round_trips_and_a_forged_one_fails() {
        let key = InstanceKey::from_seed([7; 32]);
        let head = ChainHead {
            seq: 42,
            hash: Hash([9; 32]),
        };
        let cp = Checkpoint::sign(&key, &head, "2026-12-07T13:00:00Z");
        let parsed = Checkpoint::parse_line(&cp.to_line()).unwrap();
        assert_eq!(parsed, cp);
        assert!(parsed.verifies(&key.public_key()));
        let mut forged = parsed.clone();
        forged.seq = 41;
        assert!(!forged.verifies(&key.public_key()));
        let other = InstanceKey::from_seed([8; 32]);
        assert!(!cp.verifies(&other.public_key()));
    }
}
