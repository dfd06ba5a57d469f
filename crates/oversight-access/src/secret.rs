//! Random identifiers and secrets, and their digests: secrets are stored
//! as SHA-256 only and compared in constant time.

use sha2::Digest as _;

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// A new id: `prefix` and 12 random hex digits.
pub fn id(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random::<6>()))
}

/// A new secret: 32 random bytes as hex.
pub fn token() -> String {
    hex::encode(random::<32>())
}

/// SHA-256 of `text`, hex.
pub fn sha256(text: &str) -> String {
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// Constant-time comparison of two digests.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
