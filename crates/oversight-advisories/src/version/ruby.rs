//! RubyGems `Gem::Version` ordering.
//!
//! A version is `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`;
//! `-` means `.pre.`. Segments are runs of digits (numbers) or letters
//! (strings); any letter makes the version a prerelease. Trailing zeros of
//! the release part and of the prerelease part are dropped, then segments
//! compare pairwise (missing = 0): numbers numerically, strings bytewise,
//! a string below a number (`1.0.a < 1.0`).

use std::cmp::Ordering;

/// A parsed gem version.
#[derive(Debug, Clone)]
pub struct GemVersion {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros.
    Num(String),
    Str(String),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Num(d) if d.is_empty())
    }
}

fn valid(text: &str) -> bool {
    let (release, pre) = match text.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (text, None),
    };
    let mut parts = release.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

impl GemVersion {
    /// Parses a gem version; the error names what is not allowed.
    pub fn parse(text: &str) -> Result<GemVersion, String> {
        if !valid(text) {
            return Err(format!("not a RubyGems version: `{text}`"));
        }
        let text = text.replace('-', ".pre.");
        let mut segments = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                segments.push(Segment::Num(
                    text[start..i].trim_start_matches('0').to_owned(),
                ));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segments.push(Segment::Str(text[start..i].to_owned()));
            } else {
                i += 1;
            }
        }
        // canonical_segments: drop trailing zeros of the numeric part and of
        // the part from the first string on.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Str(_)))
            .unwrap_or(segments.len());
        let mut pre = segments.split_off(split);
        while segments.last().is_some_and(Segment::is_zero) {
            segments.pop();
        }
        while pre.last().is_some_and(Segment::is_zero) {
            pre.pop();
        }
        segments.extend(pre);
        Ok(GemVersion { segments })
    }

    /// Whether a letter makes this a prerelease.
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Str(_)))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Num(String::new());
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let l = self.segments.get(i).unwrap_or(&zero);
            let r = other.segments.get(i).unwrap_or(&zero);
            let ord = match (l, r) {
                (Segment::Num(a), Segment::Num(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
                (Segment::Str(a), Segment::Str(b)) => a.cmp(b),
                (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
                (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GemVersion {
        GemVersion::parse(s).unwrap()
    }

    #[test]
    fn orderings_from_gem_version_docs() {
        // Gem::Version documentation: 1.0.a.2 < 1.0.b1 < 1.0 ; 1.0.a < 1.0.a.1 < 1.0.b.
        let chain = [
            "1.0.a", "1.0.a.2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1", "1.10",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert!(v("1.0.0-rc1") < v("1.0.0"));
        assert_eq!(v("1.0-rc1"), v("1.0.pre.rc1"));
        assert_eq!(v("1.0.0"), v("1"));
        assert_eq!(v("1.0.a10"), v("1.0.a.10"));
        assert!(v("1.0.b1").is_prerelease());
        assert!(!v("1.0").is_prerelease());
    }

    #[test]
    fn rejects_what_rubygems_rejects() {
        for bad in ["", "junk", "1..2", "1.0 beta", "a.1"] {
            assert!(GemVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
