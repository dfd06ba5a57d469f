//! Identifiers inside the written documents: the serial number, CycloneDX
//! bom-refs and SPDX element ids. All are derived from content, never random,
//! so the same delivery gives the same document.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

/// A UUID (RFC 9562 version 8, "custom") from a SHA-256 of `seed`: CycloneDX
/// wants a `urn:uuid:` serial number and SPDX a unique namespace, and tests
/// want both reproducible.
pub(crate) fn uuid_from_seed(seed: &str) -> String {
    let digest = Sha256::new_with_prefix(b"oversight-sbom\0")
        .chain_update(seed.as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Keeps identifiers unique within one document: the first claimant of a
/// value gets it as is, later ones get a suffix made from their own content,
/// so an id does not depend on which other packages are present.
#[derive(Default)]
pub(crate) struct Unique {
    taken: BTreeSet<String>,
}

impl Unique {
    /// Reserves `base`, or `base` + `sep` + a digest of `disambiguator` when
    /// `base` is taken (and a counter on the unlikely digest collision).
    pub(crate) fn claim(&mut self, base: String, sep: &str, disambiguator: &str) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let digest = Sha256::digest(disambiguator.as_bytes());
        let short: String = digest[..4].iter().map(|x| format!("{x:02x}")).collect();
        let mut candidate = format!("{base}{sep}{short}");
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{base}{sep}{short}{sep}{n}");
            n += 1;
        }
        candidate
    }
}

/// An SPDX element id: `SPDXRef-` followed by `text` with every character
/// outside letters, digits, `.` and `-` replaced by `-` (SPDX 2.3 §3.2).
pub(crate) fn spdx_id(text: &str) -> String {
    let mut id = String::from("SPDXRef-");
    id.extend(text.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            c
        } else {
            '-'
        }
    }));
    id
}

/// An SPDX `LicenseRef-` id for a licence string that is not an SPDX
/// expression, same character rules as [`spdx_id`].
pub(crate) fn license_ref(text: &str) -> String {
    let body: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let body = if body.is_empty() {
        "unnamed".into()
    } else {
        body
    };
    format!("LicenseRef-{body}")
}

/// Whether `id` is a valid SPDX element id.
#[cfg(test)]
pub(crate) fn is_valid_spdx_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_stable_and_well_formed() {
        let a = uuid_from_seed("delivery-1");
        assert_eq!(a, uuid_from_seed("delivery-1"));
        assert_ne!(a, uuid_from_seed("delivery-2"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn spdx_ids_keep_only_allowed_characters() {
        let id = spdx_id("npm-@babel/core-7.24.0+build_1");
        assert_eq!(id, "SPDXRef-npm--babel-core-7.24.0-build-1");
        assert!(is_valid_spdx_id(&id));
        assert!(!is_valid_spdx_id("SPDXRef-a/b"));
        assert_eq!(
            license_ref("Custom licence v2"),
            "LicenseRef-Custom-licence-v2"
        );
    }

    #[test]
    fn collisions_get_content_suffixes() {
        let mut unique = Unique::default();
        let first = unique.claim("SPDXRef-a-b".into(), "-", "pkg:npm/a-b");
        let second = unique.claim("SPDXRef-a-b".into(), "-", "pkg:npm/a.b");
        assert_eq!(first, "SPDXRef-a-b");
        assert_ne!(second, first);
        assert!(second.starts_with("SPDXRef-a-b-"));
        assert!(is_valid_spdx_id(&second));
    }
}
