//! Detached signatures of documents by the instance key (an evidence
//! pack's `SHA256SUMS`), domain-separated from event and checkpoint
//! signatures so that one can never stand for another.

use ed25519_dalek::Signer as _;

use crate::{InstanceKey, PublicKey};

fn message(domain: &str, bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(domain.len() + 1 + bytes.len());
    m.extend_from_slice(domain.as_bytes());
    m.push(0);
    m.extend_from_slice(bytes);
    m
}

/// The instance key's signature of `bytes` for the use `domain`
/// (e.g. `oversight.pack-sums/1`).
pub fn sign(key: &InstanceKey, domain: &str, bytes: &[u8]) -> [u8; 64] {
    key.signing().sign(&message(domain, bytes)).to_bytes()
}

/// Whether `signature` is `key`'s signature of `bytes` for `domain`.
pub fn verifies(key: &PublicKey, domain: &str, bytes: &[u8], signature: &[u8; 64]) -> bool {
    key.verifies_message(&message(domain, bytes), signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_binds_key_domain_and_bytes() {
        let key = InstanceKey::from_seed([3; 32]);
        let sig = sign(&key, "oversight.pack-sums/1", b"abc  file\n");
        let public = key.public_key();
        assert!(verifies(
            &public,
            "oversight.pack-sums/1",
            b"abc  file\n",
            &sig
        ));
        assert!(!verifies(
            &public,
            "oversight.pack-sums/1",
            b"abd  file\n",
            &sig
        ));
        assert!(!verifies(
            &public,
            "oversight.other/1",
            b"abc  file\n",
            &sig
        ));
    }
}
