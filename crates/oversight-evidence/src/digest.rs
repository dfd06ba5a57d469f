//! The name of a blob: the SHA-256 of its content, and where it lives in a
//! store.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

/// The SHA-256 of a blob's content, which is also its name in the store.
///
/// Displayed (and parsed) as 64 lowercase hexadecimal digits; parsing also
/// accepts uppercase digits and a `sha256:` prefix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The digest with these 32 bytes (e.g. the scan's manifest hash).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Digest(bytes)
    }

    /// The SHA-256 of `content`.
    #[must_use]
    pub fn of(content: &[u8]) -> Self {
        Digest(Sha256::digest(content).into())
    }

    /// The 32 bytes of the hash.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lowercase hexadecimal digits.
    #[must_use]
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// Where the blob lives inside a store: `sha256/<2 hex>/<62 hex>`.
    ///
    /// The two-digit fan-out keeps directories of a local store small
    /// (256 of them) however many blobs it holds.
    #[must_use]
    pub fn store_key(&self) -> String {
        let hex = self.to_hex();
        format!("{PREFIX}/{}/{}", &hex[..2], &hex[2..])
    }

    /// The file of this blob in a local directory store rooted at `root`
    /// (`root/sha256/ab/cdef…`, the same place as its store key).
    pub(crate) fn local_path(&self, root: &std::path::Path) -> std::path::PathBuf {
        let hex = self.to_hex();
        root.join(PREFIX).join(&hex[..2]).join(&hex[2..])
    }

    /// The fan-out directory the blob falls in (its first byte).
    pub(crate) fn fan(&self) -> u8 {
        self.0[0]
    }

    /// The digest named by a store key (`sha256/ab/cdef…`), if it is one.
    pub(crate) fn from_store_key(key: &str) -> Option<Self> {
        let rest = key.strip_prefix(PREFIX)?.strip_prefix('/')?;
        let (fan, tail) = rest.split_once('/')?;
        if fan.len() != 2 || tail.len() != 62 {
            return None;
        }
        let digest: Digest = format!("{fan}{tail}").parse().ok()?;
        // Only the canonical (lowercase) spelling is a blob of ours.
        (digest.store_key() == key).then_some(digest)
    }
}

/// The folder of every blob in a store.
pub(crate) const PREFIX: &str = "sha256";

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest(sha256:{self})")
    }
}

impl From<[u8; 32]> for Digest {
    fn from(bytes: [u8; 32]) -> Self {
        Digest(bytes)
    }
}

/// A string that is not a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a SHA-256 digest: {reason}")]
pub struct ParseDigestError {
    /// The input, cut to 80 characters.
    pub input: String,
    /// Why it is not a digest.
    pub reason: &'static str,
}

impl FromStr for Digest {
    type Err = ParseDigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = |reason| ParseDigestError {
            input: s.chars().take(80).collect(),
            reason,
        };
        let hex = s.strip_prefix("sha256:").unwrap_or(s);
        if hex.len() != 64 {
            return Err(error("expected 64 hexadecimal digits"));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(|| error("not a hexadecimal digit"))?;
            let low = hex_value(pair[1]).ok_or_else(|| error("not a hexadecimal digit"))?;
            *byte = high << 4 | low;
        }
        Ok(Digest(bytes))
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// A running SHA-256 with the number of bytes hashed.
#[derive(Default, Clone)]
pub(crate) struct Hasher {
    sha256: Sha256,
    len: u64,
}

impl Hasher {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        self.len += bytes.len() as u64;
    }

    pub(crate) fn finish(self) -> (Digest, u64) {
        (Digest(self.sha256.finalize().into()), self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn display_is_lowercase_hex_and_parse_round_trips() {
        let digest = Digest::of(b"");
        assert_eq!(digest.to_string(), EMPTY);
        assert_eq!(EMPTY.parse::<Digest>(), Ok(digest));
        assert_eq!(EMPTY.to_uppercase().parse::<Digest>(), Ok(digest));
        assert_eq!(format!("sha256:{EMPTY}").parse::<Digest>(), Ok(digest));
        assert_eq!(format!("{digest:?}"), format!("Digest(sha256:{EMPTY})"));
    }

    #[test]
    fn parse_rejects_wrong_length_and_non_hex_naming_the_input() {
        let short = "abc".parse::<Digest>().unwrap_err();
        assert_eq!(short.input, "abc");
        assert!(short.to_string().contains("64 hexadecimal digits"));
        let bad = format!("{}g", &EMPTY[..63]).parse::<Digest>().unwrap_err();
        assert_eq!(bad.reason, "not a hexadecimal digit");
        // A multi-byte character must not panic on slicing.
        assert!(format!("{}é", &EMPTY[..62]).parse::<Digest>().is_err());
    }

    #[test]
    fn store_key_fans_out_on_the_first_two_digits_and_parses_back() {
        let digest = Digest::of(b"");
        let key = digest.store_key();
        assert_eq!(key, format!("sha256/e3/{}", &EMPTY[2..]));
        assert_eq!(Digest::from_store_key(&key), Some(digest));
        assert_eq!(Digest::from_store_key(&key.to_uppercase()), None);
        assert_eq!(Digest::from_store_key("sha256/e3/short"), None);
        assert_eq!(
            Digest::from_store_key(&format!("sha256/e3b/{}", &EMPTY[3..])),
            None
        );
    }

    #[test]
    fn hasher_counts_bytes() {
        let mut hasher = Hasher::default();
        hasher.update(b"ab");
        hasher.update(b"c");
        assert_eq!(hasher.finish(), (Digest::of(b"abc"), 3));
    }
}
