//! Composer (Packagist) version ordering.
//!
//! Versions are first normalised as Composer's `VersionParser::normalize`
//! does for exact versions: an optional `v`, one to four numeric parts
//! padded to four (`1.2` → `1.2.0.0`), then an optional stability suffix
//! (`stable`, `RC`, `beta`/`b`, `alpha`/`a`, `patch`/`pl`/`p`, `dev`) with an
//! optional number. The normalised strings are then ordered as PHP's
//! `version_compare` orders them: `dev < alpha = a < beta = b < RC = rc <
//! (number) < patch = pl = p`. Branch names (`dev-master`) are not versions.

use std::cmp::Ordering;

/// A normalised Composer version.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    /// The four numeric parts.
    numbers: [u64; 4],
    /// Stability rank and number: `None` is a stable release.
    suffix: Option<(i8, u64)>,
}

/// PHP `version_compare` special forms (after Composer's aliases).
fn stability_rank(word: &str) -> Option<i8> {
    Some(match word {
        "dev" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "rc" => 3,
        "patch" | "pl" | "p" => 5,
        _ => return None,
    })
}
/// Rank of a plain number in `version_compare`.
const NUMBER_RANK: i8 = 4;

impl ComposerVersion {
    /// Parses and normalises a version; the error names what is not allowed.
    pub fn parse(text: &str) -> Result<ComposerVersion, String> {
        let bad = || format!("not a Composer version: `{text}`");
        let lower = text.trim().to_ascii_lowercase();
        let s = lower.strip_prefix('v').unwrap_or(&lower);
        let core_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (core, rest) = s.split_at(core_end);
        let core = core.strip_suffix('.').unwrap_or(core);
        let parts: Vec<&str> = core.split('.').collect();
        if core.is_empty() || parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        let mut numbers = [0u64; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = part.parse().map_err(|_| bad())?;
        }
        let rest = rest.trim_start_matches(['-', '_', '.', '+']);
        let suffix = if rest.is_empty() {
            None
        } else {
            let word_end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let (word, num) = rest.split_at(word_end);
            let num = num.trim_start_matches(['-', '_', '.']);
            let num: u64 = if num.is_empty() {
                0
            } else {
                num.parse().map_err(|_| bad())?
            };
            if word == "stable" {
                None
            } else {
                Some((stability_rank(word).ok_or_else(bad)?, num))
            }
        };
        Ok(ComposerVersion { numbers, suffix })
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| match (self.suffix, other.suffix) {
                (None, None) => Ordering::Equal,
                // A release has nothing where the other has a suffix: PHP
                // compares the suffix with a number (`#`) rank.
                (None, Some((rank, _))) => NUMBER_RANK.cmp(&rank),
                (Some((rank, _)), None) => rank.cmp(&NUMBER_RANK),
                (Some((ra, na)), Some((rb, nb))) => ra.cmp(&rb).then(na.cmp(&nb)),
            })
    }
}
impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for ComposerVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ComposerVersion {
        ComposerVersion::parse(s).unwrap()
    }

    #[test]
    fn stabilities_and_normalisation() {
        let chain = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.1",
            "1.0.10",
            "2.0",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("v1.2"), v("1.2.0.0"));
        assert_eq!(v("1.0.0-stable"), v("1.0.0"));
        assert_eq!(v("1.0.0RC1"), v("1.0.0-rc.1"));
        assert_eq!(v("1.0.0-b2"), v("1.0.0-beta2"));
        assert!(ComposerVersion::parse("dev-master").is_err());
        assert!(ComposerVersion::parse("1.0.0-foo").is_err());
    }
}
