//! Events before and after sealing, and the head of a chain.

use std::fmt;

/// A SHA-256 digest: an event hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The hash that the first event chains to: 32 zero bytes.
    pub const ZERO: Hash = Hash([0; 32]);

    /// Parses 64 lower- or upper-case hex digits.
    pub fn from_hex(text: &str) -> Option<Hash> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Hash(bytes))
    }

    /// The lower-case hex form, as stored and shown.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// The last sealed event of a chain: what the next event chains to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// Sequence number of the last event; 0 for an empty chain.
    pub seq: u64,
    /// Hash of the last event; [`Hash::ZERO`] for an empty chain.
    pub hash: Hash,
}

impl ChainHead {
    /// The head of an empty chain.
    pub const GENESIS: ChainHead = ChainHead {
        seq: 0,
        hash: Hash::ZERO,
    };
}

/// What happened, before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Dotted kind, e.g. `engagement.updated`.
    pub kind: String,
    /// The record the event is about, e.g. an engagement id.
    pub subject: String,
    /// Who caused it (an operator name or `oversight` for the tool itself).
    pub actor: String,
    /// When, as an RFC 3339 timestamp in UTC.
    pub timestamp: String,
    /// The details, as canonical JSON text (see [`crate::canonical`]).
    pub payload: String,
}

impl Event {
    /// An event whose payload is canonicalised from `payload`.
    pub fn new(
        kind: impl Into<String>,
        subject: impl Into<String>,
        actor: impl Into<String>,
        timestamp: impl Into<String>,
        payload: &serde_json::Value,
    ) -> Event {
        Event {
            kind: kind.into(),
            subject: subject.into(),
            actor: actor.into(),
            timestamp: timestamp.into(),
            payload: crate::canonical::to_string(payload),
        }
    }

    /// The canonical JSON of the event's fields, the bytes that are hashed
    /// after the previous hash and the sequence number.
    ///
    /// The payload is embedded as stored, so any change to the stored text,
    /// even one that keeps its meaning, changes the hash.
    pub fn canonical_json(&self) -> String {
        let s = |v: &str| serde_json::to_string(v).expect("strings always serialise");
        format!(
            r#"{{"actor":{},"kind":{},"payload":{},"subject":{},"timestamp":{}}}"#,
            s(&self.actor),
            s(&self.kind),
            self.payload,
            s(&self.subject),
            s(&self.timestamp)
        )
    }
}

/// An event as it is stored: its place in the chain, hash and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedEvent {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// Hash of the event before (or [`Hash::ZERO`] for the first).
    pub prev_hash: Hash,
    /// SHA-256 over the previous hash, the sequence number and the event.
    pub hash: Hash,
    /// Ed25519 signature of `hash` by the instance key.
    pub signature: [u8; 64],
    /// The event itself.
    pub event: Event,
}

impl SealedEvent {
    /// The head of a chain that ends with this event.
    pub fn head(&self) -> ChainHead {
        ChainHead {
            seq: self.seq,
            hash: self.hash,
        }
    }

    /// The signature as lower-case hex, as stored.
    pub fn signature_hex(&self) -> String {
        hex::encode(self.signature)
    }

    /// Parses a stored signature.
    pub fn signature_from_hex(text: &str) -> Option<[u8; 64]> {
        let mut bytes = [0; 64];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(bytes)
    }
}
