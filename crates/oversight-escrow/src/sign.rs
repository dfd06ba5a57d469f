//! The deposit's detached signatures: Oversight's own (`.sig`, a typed
//! JSON statement signed by the instance key in its own domain) and an
//! OpenSSH one (`.sshsig`) that `ssh-keygen -Y verify` checks without
//! Oversight.

use oversight_ledger::PublicKey;
use serde::{Deserialize, Serialize};
use ssh_key::public::{Ed25519PublicKey, KeyData};
use ssh_key::{Algorithm, HashAlg, LineEnding, Signature, SshSig};

use crate::error::EscrowError;

/// The OpenSSH signature namespace of deposits (`ssh-keygen -Y verify -n`).
pub const SSH_NAMESPACE: &str = "oversight-escrow";
/// The instance key's signature domain for [`SignedStatement`]s.
pub const SIGNATURE_DOMAIN: &str = "oversight.escrow-deposit/1";
/// The schema name of [`SignedStatement`].
pub const SIGNATURE_SCHEMA: &str = "oversight.escrow-signature/1";

/// What the instance key signs: which file, with which digest and size,
/// of which review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedStatement {
    /// [`SIGNATURE_SCHEMA`].
    pub schema: String,
    /// The deposit's file name.
    pub deposit: String,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The engagement.
    pub engagement: String,
    /// The review.
    pub review: String,
}

impl SignedStatement {
    /// The bytes signed: the statement's JSON in declaration order.
    pub fn signed_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("the statement serialises")
    }
}

/// The `.sig` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureFile {
    /// What is signed.
    pub statement: SignedStatement,
    /// The signer's public key (hex): informative only; a verifier checks
    /// against the key it trusts.
    pub public_key: String,
    /// The Ed25519 signature (hex).
    pub signature: String,
}

impl SignatureFile {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("the signature file serialises");
        out.push(b'\n');
        out
    }
}

fn ssh_key_data(key: &PublicKey) -> KeyData {
    KeyData::Ed25519(Ed25519PublicKey(key.to_bytes()))
}

/// The armored OpenSSH signature (`-----BEGIN SSH SIGNATURE-----`) made of
/// the raw Ed25519 `signature` of the deposit (SHA-512, namespace
/// [`SSH_NAMESPACE`]) by `key`.
///
/// # Errors
///
/// [`EscrowError::Ssh`] if it cannot be encoded.
pub fn ssh_signature_pem(key: &PublicKey, signature: &[u8; 64]) -> Result<String, EscrowError> {
    let signature = Signature::new(Algorithm::Ed25519, signature.to_vec())
        .map_err(|e| EscrowError::Ssh(e.to_string()))?;
    SshSig::new(ssh_key_data(key), SSH_NAMESPACE, HashAlg::Sha512, signature)
        .and_then(|sig| sig.to_pem(LineEnding::LF))
        .map_err(|e| EscrowError::Ssh(e.to_string()))
}

/// The `allowed_signers` line for `ssh-keygen -Y verify -I identity`.
pub fn allowed_signers_line(identity: &str, key: &PublicKey) -> String {
    let public = ssh_key::PublicKey::new(ssh_key_data(key), "");
    format!(
        "{identity} namespaces=\"{SSH_NAMESPACE}\" {}\n",
        public.to_openssh().expect("an Ed25519 key encodes")
    )
}

/// Why an armored OpenSSH signature does not stand for the deposit.
pub(crate) fn check_ssh_signature(
    pem: &str,
    key: &PublicKey,
    sha512: &[u8; 64],
) -> Result<(), String> {
    let sig = SshSig::from_pem(pem).map_err(|e| format!("not an OpenSSH signature ({e})"))?;
    if sig.namespace() != SSH_NAMESPACE {
        return Err(format!(
            "signed for namespace `{}`, not `{SSH_NAMESPACE}`",
            sig.namespace()
        ));
    }
    if sig.hash_alg() != HashAlg::Sha512 {
        return Err("not a SHA-512 signature".to_owned());
    }
    let KeyData::Ed25519(signer) = sig.public_key() else {
        return Err(format!(
            "signed with a {} key, not Ed25519",
            sig.algorithm()
        ));
    };
    if signer.0 != key.to_bytes() {
        return Err(format!(
            "signed by key {}, not by the expected key {}",
            hex::encode(&signer.0[..8]),
            key.fingerprint()
        ));
    }
    let raw: [u8; 64] = sig
        .signature_bytes()
        .try_into()
        .map_err(|_| "the signature is not 64 bytes".to_owned())?;
    if !oversight_ledger::document::verifies_sshsig(key, SSH_NAMESPACE, sha512, &raw) {
        return Err("the signature does not match the deposit's content".to_owned());
    }
    Ok(())
}

/// Reads a trusted public key: 64 hex digits, or an OpenSSH `ssh-ed25519`
/// key (a line of an `allowed_signers` or `.pub` file; other fields on the
/// line are ignored).
pub fn parse_public_key(text: &str) -> Option<PublicKey> {
    let text = text.trim();
    if let Some(key) = PublicKey::from_hex(text) {
        return Some(key);
    }
    text.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "ssh-ed25519")?;
        let key =
            ssh_key::PublicKey::from_openssh(&words[at..words.len().min(at + 2)].join(" ")).ok()?;
        match key.key_data() {
            KeyData::Ed25519(k) => PublicKey::from_hex(&hex::encode(k.0)),
            _ => None,
        }
    })
}
