//! NuGet version ordering (`NuGet.Versioning`).
//!
//! SemVer 2.0 extended to four numeric parts (`1.2.3.4`; missing parts are
//! 0, so `1.0 == 1.0.0.0`), prerelease labels compared case-insensitively,
//! build metadata ignored.

use std::cmp::Ordering;

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    numbers: [u64; 4],
    pre: Vec<Label>,
}

#[derive(Debug, Clone)]
enum Label {
    Num(u64),
    /// Lowercased.
    Text(String),
}

impl NuGetVersion {
    /// Parses a NuGet version; the error names what is not allowed.
    pub fn parse(text: &str) -> Result<NuGetVersion, String> {
        let bad = || format!("not a NuGet version: `{text}`");
        let text_no_build = text.split_once('+').map_or(text, |(v, _)| v);
        let (core, pre) = match text_no_build.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (text_no_build, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return Err(bad());
        }
        let mut numbers = [0u64; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            *slot = part.parse().map_err(|_| bad())?;
        }
        let mut labels = Vec::new();
        if let Some(pre) = pre {
            for label in pre.split('.') {
                if label.is_empty()
                    || !label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    return Err(bad());
                }
                labels.push(match label.parse::<u64>() {
                    Ok(n) if label.bytes().all(|b| b.is_ascii_digit()) => Label::Num(n),
                    _ => Label::Text(label.to_ascii_lowercase()),
                });
            }
        }
        Ok(NuGetVersion {
            numbers,
            pre: labels,
        })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let ord = match (a, b) {
                            (Label::Num(x), Label::Num(y)) => x.cmp(y),
                            (Label::Num(_), Label::Text(_)) => Ordering::Less,
                            (Label::Text(_), Label::Num(_)) => Ordering::Greater,
                            (Label::Text(x), Label::Text(y)) => x.cmp(y),
                        };
                        if ord != Ordering::Equal {
                            return ord;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            }
        })
    }
}
impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NuGetVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> NuGetVersion {
        NuGetVersion::parse(s).unwrap()
    }

    #[test]
    fn four_parts_and_case_insensitive_prereleases() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-BETA",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.10",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0.0"));
        assert_eq!(v("1.0.0-Beta"), v("1.0.0-beta"));
        assert_eq!(v("1.0.0+build"), v("1.0.0"));
        assert!(NuGetVersion::parse("1.2.3.4.5").is_err());
        assert!(NuGetVersion::parse("abc").is_err());
    }
}
