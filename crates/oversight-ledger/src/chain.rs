//! Hashing and signing: how an [`Event`] becomes a [`SealedEvent`].

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::event::{ChainHead, Event, Hash, SealedEvent};

/// Domain separation: a hash of this ledger can never be confused with a
/// SHA-256 of anything else, and a future format changes the prefix.
const HASH_DOMAIN: &[u8] = b"oversight.ledger/1\0";

/// The hash of `event` at position `seq` after an event whose hash is `prev`:
/// SHA-256 over a domain prefix, `prev` (32 bytes), `seq` (8 bytes, big
/// endian) and the event's canonical JSON.
pub fn event_hash(prev: &Hash, seq: u64, event: &Event) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(prev.0);
    hasher.update(seq.to_be_bytes());
    hasher.update(event.canonical_json().as_bytes());
    Hash(hasher.finalize().into())
}

/// The instance's Ed25519 signing key. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct InstanceKey {
    signing: SigningKey,
}

impl InstanceKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<InstanceKey, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        Ok(InstanceKey::from_seed(seed))
    }

    /// The key with this 32-byte secret seed.
    pub fn from_seed(seed: [u8; 32]) -> InstanceKey {
        InstanceKey {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    pub(crate) fn signing(&self) -> &SigningKey {
        &self.signing
    }

    pub(crate) fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The public half, which verifies the ledger.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    /// Seals `event` as the event after `head`: next sequence number, hash,
    /// signature. Stores call this inside the transaction that holds the chain
    /// head, so two writers can never seal onto the same head.
    pub fn seal(&self, head: &ChainHead, event: Event) -> SealedEvent {
        let seq = head.seq + 1;
        let hash = event_hash(&head.hash, seq, &event);
        let signature = self.signing.sign(&hash.0).to_bytes();
        SealedEvent {
            seq,
            prev_hash: head.hash,
            hash,
            signature,
            event,
        }
    }
}

impl fmt::Debug for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "InstanceKey(public {}, secret redacted)",
            self.public_key()
        )
    }
}

/// An Ed25519 public key; displayed as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses the hex form written by `Display`.
    pub fn from_hex(text: &str) -> Option<PublicKey> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
        VerifyingKey::from_bytes(&bytes).ok().map(PublicKey)
    }

    /// The key's 32 bytes (for an OpenSSH `ssh-ed25519` public key).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// A short fingerprint for messages: the first 16 hex digits.
    pub fn fingerprint(&self) -> String {
        hex::encode(&self.0.as_bytes()[..8])
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verifies_message(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    }

    /// Whether `signature` is this key's signature of `hash`.
    pub fn verifies(&self, hash: &Hash, signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(&hash.0, &Signature::from_bytes(signature))
            .is_ok()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u32) -> Event {
        Event::new(
            "note",
            "s",
            "a",
            "2025-01-01T00:00:00Z",
            &serde_json::json!({ "n": n }),
        )
    }

    #[test]
    fn seal_links_to_the_head() {
        let key = InstanceKey::from_seed([7; 32]);
        let first = key.seal(&ChainHead::GENESIS, event(1));
        let second = key.seal(&first.head(), event(2));
        assert_eq!((first.seq, second.seq), (1, 2));
        assert_eq!(first.prev_hash, Hash::ZERO);
        assert_eq!(second.prev_hash, first.hash);
        assert!(key.public_key().verifies(&second.hash, &second.signature));
    }

    #[test]
    fn hash_covers_sequence_and_previous_hash() {
        let e = event(1);
        let base = event_hash(&Hash::ZERO, 1, &e);
        assert_ne!(base, event_hash(&Hash::ZERO, 2, &e));
        assert_ne!(base, event_hash(&Hash([1; 32]), 1, &e));
        assert_ne!(base, event_hash(&Hash::ZERO, 1, &event(2)));
    }

    #[test]
    fn debug_redacts_the_secret() {
        let key = InstanceKey::from_seed([9; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&hex::encode([9u8; 32])));
        assert_eq!(
            PublicKey::from_hex(&key.public_key().to_string()),
            Some(key.public_key())
        );
    }
}
