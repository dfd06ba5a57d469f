//! Redaction: the only form in which a matched secret leaves this crate.
//!
//! A [`Secret`] holds the matched bytes and never shows them: its `Debug`
//! and `Display` print the redacted form, a few leading characters that are
//! public anyway (a token's documented prefix such as `AKIA` or `ghp_`, at most
//! 4 and never more than a third of the secret), an ellipsis and the first 12
//! hexadecimal digits of the secret's SHA-256.

use std::fmt;

use sha2::{Digest, Sha256};

/// A matched credential. Its value never appears in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    bytes: Vec<u8>,
    shown: usize,
}

impl Secret {
    /// Wraps a secret, showing at most `prefix` leading characters (further
    /// capped at 4 and a third of the secret's length).
    pub fn new(bytes: Vec<u8>, prefix: usize) -> Self {
        let cap = prefix.min(4).min(bytes.len() / 3);
        // Only whole ASCII characters are shown.
        let shown = bytes
            .iter()
            .take(cap)
            .take_while(|b| b.is_ascii_graphic())
            .count();
        Secret { bytes, shown }
    }

    /// The SHA-256 of the secret's bytes: the fingerprint key.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }

    /// The redacted form, e.g. `AKIA…[sha256:1f2e3d4c5b6a]`.
    pub fn redacted(&self) -> String {
        let hash = self.sha256();
        let mut s = String::from_utf8_lossy(&self.bytes[..self.shown]).into_owned();
        s.push_str("…[sha256:");
        s.push_str(&hex::encode(&hash[..6]));
        s.push(']');
        s
    }

    /// The secret's bytes, for matching inside this crate only.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }

    /// The length of the secret in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Shannon entropy in bits per character, as gitleaks computes it: character
/// frequencies divided by the length in bytes.
pub(crate) fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let text = String::from_utf8_lossy(bytes);
    let mut counts = std::collections::HashMap::new();
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let len = bytes.len() as f64;
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_prefix_and_hash_only() {
        let s = Secret::new(b"AKIAZZZZQQQQWWWWEEEE".to_vec(), 4);
        let r = s.redacted();
        assert!(r.starts_with("AKIA…[sha256:"), "{r}");
        assert_eq!(r.chars().count(), 4 + 1 + 8 + 12 + 1);
        assert_eq!(format!("{s:?}"), format!("Secret({r})"));
        assert!(!format!("{s}").contains("ZZZZ"));
        // Never more than a third of a short secret.
        assert!(
            Secret::new(b"abcdef".to_vec(), 4)
                .redacted()
                .starts_with("ab…")
        );
    }

    #[test]
    fn entropy_matches_gitleaks() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
