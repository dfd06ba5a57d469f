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

/// The data an OpenSSH signature (`ssh-keygen -Y sign`, PROTOCOL.sshsig)
/// signs for `namespace`, given the SHA-512 of the message: the `SSHSIG`
/// preamble, the namespace, an empty reserved field, `sha512` and the hash.
/// Its preamble keeps it apart from every other signature domain here.
pub fn sshsig_signed_data(namespace: &str, sha512: &[u8; 64]) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, bytes: &[u8]) {
        let len = u32::try_from(bytes.len()).expect("short fields");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::with_capacity(6 + 4 * 4 + namespace.len() + 6 + 64);
    out.extend_from_slice(b"SSHSIG");
    string(&mut out, namespace.as_bytes());
    string(&mut out, b"");
    string(&mut out, b"sha512");
    string(&mut out, sha512);
    out
}

/// The instance key's OpenSSH signature (the raw Ed25519 signature of
/// [`sshsig_signed_data`]) of a message whose SHA-512 is `sha512`, so that
/// a large file is signed without being held in memory. `ssh-keygen -Y
/// verify` checks it once wrapped in an armored `SSHSIG` blob.
pub fn sign_sshsig(key: &InstanceKey, namespace: &str, sha512: &[u8; 64]) -> [u8; 64] {
    key.signing()
        .sign(&sshsig_signed_data(namespace, sha512))
        .to_bytes()
}

/// Whether `signature` is `key`'s OpenSSH signature for `namespace` of a
/// message whose SHA-512 is `sha512`.
pub fn verifies_sshsig(
    key: &PublicKey,
    namespace: &str,
    sha512: &[u8; 64],
    signature: &[u8; 64],
) -> bool {
    key.verifies_message(&sshsig_signed_data(namespace, sha512), signature)
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
