//! Verification: recompute the chain and every signature, stop at the first
//! event that fails and say why.

use std::fmt;

use crate::chain::{PublicKey, event_hash};
use crate::event::{ChainHead, Hash, SealedEvent};

/// The result of verifying an intact chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many events were verified.
    pub events: u64,
    /// The head of the verified chain ([`ChainHead::GENESIS`] if empty).
    pub head: ChainHead,
    /// Fingerprint of the public key the signatures were checked with.
    pub key_fingerprint: String,
}

/// The first event that fails verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Ledger event #{seq} ({kind} `{subject}`) fails verification: {reason}")]
pub struct Failure {
    /// The sequence number stored in the failing row.
    pub seq: u64,
    /// Its kind, to help a reader find it.
    pub kind: String,
    /// Its subject.
    pub subject: String,
    /// What is wrong with it.
    pub reason: FailureReason,
}

/// Why an event fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureReason {
    /// The sequence numbers are not 1, 2, 3, … in order: a row was deleted,
    /// inserted or renumbered.
    Sequence {
        /// The number this position should hold.
        expected: u64,
    },
    /// The stored previous hash is not the hash of the event before.
    PreviousHash {
        /// The hash of the event before, as recomputed.
        expected: Hash,
    },
    /// The payload is not canonical JSON, so it was written by something other
    /// than Oversight.
    NonCanonicalPayload,
    /// The recomputed hash differs from the stored one: the event's content,
    /// position or predecessor was changed after it was written.
    Hash {
        /// The recomputed hash.
        computed: Hash,
    },
    /// The signature does not verify with the given public key: either the
    /// row was re-hashed by someone without the key, or the key is not this
    /// instance's key.
    Signature {
        /// Fingerprint of the key used.
        key_fingerprint: String,
    },
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::Sequence { expected } => write!(
                f,
                "expected sequence number {expected} here: an event was deleted, inserted or reordered"
            ),
            FailureReason::PreviousHash { expected } => write!(
                f,
                "its previous-hash does not match the event before (expected {expected}): the chain was cut or reordered"
            ),
            FailureReason::NonCanonicalPayload => f.write_str(
                "its payload is not canonical JSON: the row was edited outside Oversight",
            ),
            FailureReason::Hash { computed } => write!(
                f,
                "its content does not match its hash (recomputed {computed}): the row was changed after it was written"
            ),
            FailureReason::Signature { key_fingerprint } => write!(
                f,
                "its signature does not verify with public key {key_fingerprint}: the row was re-signed by someone else, or this is not the instance's key"
            ),
        }
    }
}

/// Verifies `events`, which must be the whole chain in stored order, against
/// `public_key`. Returns the first failing event.
pub fn verify(events: &[SealedEvent], public_key: &PublicKey) -> Result<VerifyReport, Failure> {
    let mut head = ChainHead::GENESIS;
    for sealed in events {
        let fail = |reason| Failure {
            seq: sealed.seq,
            kind: sealed.event.kind.clone(),
            subject: sealed.event.subject.clone(),
            reason,
        };
        let expected_seq = head.seq + 1;
        if sealed.seq != expected_seq {
            return Err(fail(FailureReason::Sequence {
                expected: expected_seq,
            }));
        }
        if sealed.prev_hash != head.hash {
            return Err(fail(FailureReason::PreviousHash {
                expected: head.hash,
            }));
        }
        if !crate::canonical::is_canonical(&sealed.event.payload) {
            return Err(fail(FailureReason::NonCanonicalPayload));
        }
        let computed = event_hash(&head.hash, sealed.seq, &sealed.event);
        if computed != sealed.hash {
            return Err(fail(FailureReason::Hash { computed }));
        }
        if !public_key.verifies(&sealed.hash, &sealed.signature) {
            return Err(fail(FailureReason::Signature {
                key_fingerprint: public_key.fingerprint(),
            }));
        }
        head = sealed.head();
    }
    Ok(VerifyReport {
        events: head.seq,
        head,
        key_fingerprint: public_key.fingerprint(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, InstanceKey};

    fn chain(key: &InstanceKey, n: u32) -> Vec<SealedEvent> {
        let mut head = ChainHead::GENESIS;
        (1..=n)
            .map(|i| {
                let e = Event::new(
                    "note",
                    format!("s{i}"),
                    "a",
                    "2025-01-01T00:00:00Z",
                    &serde_json::json!({ "i": i }),
                );
                let sealed = key.seal(&head, e);
                head = sealed.head();
                sealed
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let key = InstanceKey::from_seed([1; 32]);
        let report = verify(&chain(&key, 4), &key.public_key()).expect("intact");
        assert_eq!(report.events, 4);
        assert_eq!(
            verify(&[], &key.public_key()).expect("empty").head,
            ChainHead::GENESIS
        );
    }

    #[test]
    fn edited_payload_is_named() {
        let key = InstanceKey::from_seed([1; 32]);
        let mut events = chain(&key, 4);
        events[2].event.payload = r#"{"i":99}"#.into();
        let failure = verify(&events, &key.public_key()).expect_err("tampered");
        assert_eq!(failure.seq, 3);
        assert!(matches!(failure.reason, FailureReason::Hash { .. }));
        assert!(
            failure
                .to_string()
                .starts_with("Ledger event #3 (note `s3`)"),
            "{failure}"
        );
    }

    #[test]
    fn whitespace_in_payload_is_detected() {
        let key = InstanceKey::from_seed([1; 32]);
        let mut events = chain(&key, 2);
        events[1].event.payload = r#"{"i": 2}"#.into();
        let failure = verify(&events, &key.public_key()).expect_err("tampered");
        assert_eq!(
            (failure.seq, failure.reason),
            (2, FailureReason::NonCanonicalPayload)
        );
    }

    #[test]
    fn deleted_and_swapped_events_are_named() {
        let key = InstanceKey::from_seed([1; 32]);
        let mut events = chain(&key, 4);
        events.remove(1);
        let failure = verify(&events, &key.public_key()).expect_err("gap");
        assert_eq!(
            (failure.seq, failure.reason),
            (3, FailureReason::Sequence { expected: 2 })
        );

        let mut events = chain(&key, 4);
        // Swap the contents of rows 2 and 3 but keep the sequence numbers in place.
        let (a, b) = (events[1].clone(), events[2].clone());
        events[1] = SealedEvent { seq: 2, ..b };
        events[2] = SealedEvent { seq: 3, ..a };
        let failure = verify(&events, &key.public_key()).expect_err("swap");
        assert_eq!(failure.seq, 2);
        assert!(matches!(failure.reason, FailureReason::PreviousHash { .. }));
    }

    #[test]
    fn wrong_key_fails_on_the_first_event() {
        let key = InstanceKey::from_seed([1; 32]);
        let other = InstanceKey::from_seed([2; 32]);
        let failure = verify(&chain(&key, 2), &other.public_key()).expect_err("wrong key");
        assert_eq!(failure.seq, 1);
        assert!(
            failure
                .to_string()
                .contains(&other.public_key().fingerprint())
        );
    }
}
