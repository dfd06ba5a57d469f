//! Whether one version is affected by one affected-package entry.
//!
//! OSV ranges follow the OSV schema's evaluation: events are sorted by
//! version (`introduced: "0"` first); walking them in order, an
//! `introduced` at or below the version sets "affected", a `fixed` at or
//! below it clears it, a `last_affected` strictly below it clears it; a
//! range with `limit` events only covers versions below a limit. `SEMVER`
//! ranges use semver ordering whatever the ecosystem (a leading `v` is
//! accepted, for Go); `ECOSYSTEM` ranges use the ecosystem's ordering.
//! `GIT` ranges name commits, which a version number cannot be placed
//! among: they are ignored, and an entry whose only information is `GIT`
//! ranges (no `versions` list) is undecidable. An explicit `versions` list
//! matches by string or, when both parse, by version equality (`2.2` and
//! `2.2.0` are the same PyPI release).
//!
//! RustSec native requirements follow cargo-audit (rustsec's
//! `Versions::is_vulnerable`): each `patched`/`unaffected` requirement is an
//! interval under semver precedence (`^1.2` = `[1.2.0, 2.0.0-0)`), and a
//! version in none of them is affected. This is not `VersionReq::matches`,
//! whose prerelease rule would call `1.0.0-beta` affected by `>= 0.9`.

use std::cmp::Ordering;

use semver::{Comparator, Op, Prerelease};

use crate::model::{Affected, Event, RangeKind, Requirements};
use crate::version::{Scheme, Version, parse_semver};

/// The verdict for one entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// Affected; the versions that fix it (as the advisory writes them).
    Affected {
        fixed: Vec<String>,
    },
    NotAffected,
    /// Cannot be decided; why.
    Undecidable(String),
}

/// Lazily parsed forms of the installed version, one per scheme.
pub(crate) struct Installed<'a> {
    pub text: &'a str,
    cache: Vec<(Scheme, Result<Version, String>)>,
}

impl<'a> Installed<'a> {
    pub fn new(text: &'a str) -> Self {
        Installed {
            text,
            cache: Vec::new(),
        }
    }

    fn get(&mut self, scheme: Scheme) -> Result<&Version, String> {
        let i = match self.cache.iter().position(|(s, _)| *s == scheme) {
            Some(i) => i,
            None => {
                self.cache.push((scheme, scheme.parse(self.text)));
                self.cache.len() - 1
            }
        };
        self.cache[i]
            .1
            .as_ref()
            .map_err(|e| format!("installed version `{}`: {e}", self.text))
    }
}

pub(crate) fn evaluate(entry: &Affected, scheme: Scheme, installed: &mut Installed<'_>) -> Verdict {
    if let Some(req) = &entry.requirements {
        return evaluate_requirements(req, installed);
    }
    let fixed = || -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &entry.ranges {
            for e in &r.events {
                if let Event::Fixed(v) = e
                    && !out.contains(v)
                {
                    out.push(v.clone());
                }
            }
        }
        out
    };
    // Explicit versions.
    if !entry.versions.is_empty() {
        let text = installed.text.trim();
        let hit = entry.versions.iter().any(|v| v == text)
            || match installed.get(scheme) {
                Ok(iv) => {
                    let iv = iv.clone();
                    entry.versions.iter().any(|v| {
                        scheme.parse(v).ok().and_then(|p| p.compare(&iv)) == Some(Ordering::Equal)
                    })
                }
                Err(_) => false,
            };
        if hit {
            return Verdict::Affected { fixed: fixed() };
        }
    }
    let mut evaluable = false;
    let mut problem: Option<String> = None;
    for range in &entry.ranges {
        let range_scheme = match &range.kind {
            RangeKind::Semver => {
                if scheme == Scheme::Go {
                    Scheme::Go
                } else {
                    Scheme::Semver
                }
            }
            RangeKind::Ecosystem => scheme,
            RangeKind::Git => continue,
            RangeKind::Other(kind) => {
                problem.get_or_insert_with(|| format!("unknown range type `{kind}`"));
                continue;
            }
        };
        evaluable = true;
        match range_affects(&range.events, range_scheme, installed) {
            Ok(true) => return Verdict::Affected { fixed: fixed() },
            Ok(false) => {}
            Err(e) => {
                problem.get_or_insert(e);
            }
        }
    }
    if let Some(p) = problem {
        return Verdict::Undecidable(p);
    }
    if evaluable || !entry.versions.is_empty() {
        Verdict::NotAffected
    } else if entry.ranges.is_empty() {
        Verdict::Undecidable("the advisory gives neither ranges nor versions".into())
    } else {
        Verdict::Undecidable(
            "the advisory gives only GIT commit ranges, which a version number cannot be placed in"
                .into(),
        )
    }
}

/// OSV event evaluation for one range.
pub(crate) fn range_affects(
    events: &[Event],
    scheme: Scheme,
    installed: &mut Installed<'_>,
) -> Result<bool, String> {
    let v = installed.get(scheme)?.clone();
    // (order within the same version, version; None = "0")
    let mut parsed: Vec<(&Event, Option<Version>)> = Vec::with_capacity(events.len());
    let mut limits: Vec<Version> = Vec::new();
    for e in events {
        let (text, is_intro) = match e {
            Event::Introduced(t) => (t, true),
            Event::Fixed(t) | Event::LastAffected(t) | Event::Limit(t) => (t, false),
        };
        if is_intro && t_is_zero(text) {
            parsed.push((e, None));
            continue;
        }
        if matches!(e, Event::Limit(t) if t.trim() == "*") {
            continue;
        }
        let pv = scheme
            .parse(text)
            .map_err(|err| format!("range event `{text}`: {err}"))?;
        if let Event::Limit(_) = e {
            limits.push(pv);
        } else {
            parsed.push((e, Some(pv)));
        }
    }
    parsed.sort_by(|(ea, a), (eb, b)| {
        let by_version = match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => a.compare(b).unwrap_or(Ordering::Equal),
        };
        by_version.then_with(|| rank(ea).cmp(&rank(eb)))
    });
    let mut affected = false;
    for (e, ev) in &parsed {
        let cmp = match ev {
            None => Ordering::Greater,
            Some(ev) => v.compare(ev).unwrap_or(Ordering::Less),
        };
        match e {
            Event::Introduced(_) if cmp != Ordering::Less => affected = true,
            Event::Fixed(_) if cmp != Ordering::Less => affected = false,
            Event::LastAffected(_) if cmp == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    if affected && !limits.is_empty() {
        affected = limits.iter().any(|l| v.compare(l) == Some(Ordering::Less));
    }
    Ok(affected)
}

fn t_is_zero(text: &str) -> bool {
    text.trim() == "0"
}

fn rank(e: &Event) -> u8 {
    match e {
        Event::Introduced(_) => 0,
        Event::LastAffected(_) => 1,
        Event::Fixed(_) => 2,
        Event::Limit(_) => 3,
    }
}

#[derive(Debug, Clone)]
enum Bound {
    Unbounded,
    Exclusive(semver::Version),
    Inclusive(semver::Version),
}

fn comparator_version(c: &Comparator) -> semver::Version {
    semver::Version {
        major: c.major,
        minor: c.minor.unwrap_or(0),
        patch: c.patch.unwrap_or(0),
        pre: c.pre.clone(),
        build: semver::BuildMetadata::EMPTY,
    }
}

fn with_pre_zero(mut v: semver::Version) -> semver::Version {
    v.pre = Prerelease::new("0").unwrap_or(Prerelease::EMPTY);
    v
}

/// The interval of a RustSec requirement, as rustsec's `UnaffectedRange`.
fn requirement_interval(text: &str) -> Result<(Bound, Bound), String> {
    let req = semver::VersionReq::parse(text).map_err(|e| format!("requirement `{text}`: {e}"))?;
    let unsupported = |why: &str| format!("requirement `{text}`: {why}");
    if req.comparators.len() > 2 {
        return Err(unsupported("more than two comparators"));
    }
    let mut start = Bound::Unbounded;
    let mut end = Bound::Unbounded;
    let alone = req.comparators.len() == 1;
    for c in &req.comparators {
        match c.op {
            Op::Greater | Op::GreaterEq => {
                if !matches!(start, Bound::Unbounded) {
                    return Err(unsupported("two lower bounds"));
                }
                let v = comparator_version(c);
                start = if c.op == Op::Greater {
                    Bound::Exclusive(v)
                } else {
                    Bound::Inclusive(v)
                };
            }
            Op::Less | Op::LessEq => {
                if !matches!(end, Bound::Unbounded) {
                    return Err(unsupported("two upper bounds"));
                }
                let v = comparator_version(c);
                end = if c.op == Op::Less {
                    Bound::Exclusive(v)
                } else {
                    Bound::Inclusive(v)
                };
            }
            Op::Exact if alone => {
                start = Bound::Inclusive(comparator_version(c));
                end = Bound::Inclusive(comparator_version(c));
            }
            Op::Caret if alone => {
                let v = comparator_version(c);
                let upper = if v.major == 0 {
                    match (c.minor, c.patch) {
                        (Some(0), Some(patch)) => semver::Version::new(0, 0, patch + 1),
                        (Some(minor), _) => semver::Version::new(0, minor + 1, 0),
                        (None, _) => semver::Version::new(1, 0, 0),
                    }
                } else {
                    semver::Version::new(v.major + 1, 0, 0)
                };
                start = Bound::Inclusive(v);
                end = Bound::Exclusive(with_pre_zero(upper));
            }
            Op::Tilde if alone => {
                let v = comparator_version(c);
                let upper = match c.minor {
                    None => semver::Version::new(c.major + 1, 0, 0),
                    Some(minor) => semver::Version::new(c.major, minor + 1, 0),
                };
                start = Bound::Inclusive(v);
                end = Bound::Exclusive(with_pre_zero(upper));
            }
            _ => {
                return Err(unsupported(
                    "operator not supported by RustSec (or not alone in its requirement)",
                ));
            }
        }
    }
    Ok((start, end))
}

fn in_interval(v: &semver::Version, (start, end): &(Bound, Bound)) -> bool {
    let above = match start {
        Bound::Unbounded => true,
        Bound::Exclusive(s) => v > s,
        Bound::Inclusive(s) => v >= s,
    };
    let below = match end {
        Bound::Unbounded => true,
        Bound::Exclusive(e) => v < e,
        Bound::Inclusive(e) => v <= e,
    };
    above && below
}

fn evaluate_requirements(req: &Requirements, installed: &mut Installed<'_>) -> Verdict {
    let v = match parse_semver(installed.text.trim()) {
        Ok(v) => v,
        Err(e) => {
            return Verdict::Undecidable(format!("installed version `{}`: {e}", installed.text));
        }
    };
    let mut unaffected = false;
    for text in req.unaffected.iter().chain(&req.patched) {
        match requirement_interval(text) {
            Ok(interval) => unaffected |= in_interval(&v, &interval),
            Err(e) => return Verdict::Undecidable(e),
        }
    }
    if unaffected {
        Verdict::NotAffected
    } else {
        Verdict::Affected {
            fixed: req.patched.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Range;

    fn ev(spec: &[(&str, &str)]) -> Vec<Event> {
        spec.iter()
            .map(|(k, v)| match *k {
                "i" => Event::Introduced(v.to_string()),
                "f" => Event::Fixed(v.to_string()),
                "l" => Event::LastAffected(v.to_string()),
                _ => Event::Limit(v.to_string()),
            })
            .collect()
    }

    fn affects(events: &[(&str, &str)], scheme: Scheme, v: &str) -> bool {
        range_affects(&ev(events), scheme, &mut Installed::new(v)).unwrap()
    }

    #[test]
    fn introduced_fixed_pairs() {
        let e = [
            ("i", "1.0.0"),
            ("f", "1.2.0"),
            ("i", "2.0.0"),
            ("f", "2.0.5"),
        ];
        for (v, want) in [
            ("0.9.0", false),
            ("1.0.0", true),
            ("1.1.9", true),
            ("1.2.0", false),
            ("1.5.0", false),
            ("2.0.0", true),
            ("2.0.4", true),
            ("2.0.5", false),
            ("3.0.0", false),
        ] {
            assert_eq!(affects(&e, Scheme::Semver, v), want, "{v}");
        }
    }

    #[test]
    fn unsorted_events_are_sorted_first() {
        let e = [
            ("f", "2.0.5"),
            ("i", "2.0.0"),
            ("f", "1.2.0"),
            ("i", "1.0.0"),
        ];
        assert!(affects(&e, Scheme::Semver, "1.1.0"));
        assert!(!affects(&e, Scheme::Semver, "1.3.0"));
        assert!(affects(&e, Scheme::Semver, "2.0.1"));
    }

    #[test]
    fn introduced_zero_and_last_affected() {
        let e = [("i", "0"), ("l", "1.4")];
        assert!(affects(&e, Scheme::Pep440, "0.1"));
        assert!(affects(&e, Scheme::Pep440, "1.4"));
        assert!(affects(&e, Scheme::Pep440, "1.4.0"));
        assert!(!affects(&e, Scheme::Pep440, "1.4.post1"));
        assert!(!affects(&e, Scheme::Pep440, "1.5"));
        // "0" alone: every version.
        assert!(affects(&[("i", "0")], Scheme::Pep440, "99.0"));
    }

    #[test]
    fn limit_caps_the_range() {
        let e = [("i", "1.0"), ("li", "2.0")];
        assert!(affects(&e, Scheme::Pep440, "1.5"));
        assert!(!affects(&e, Scheme::Pep440, "2.0"));
        assert!(!affects(&e, Scheme::Pep440, "0.5"));
    }

    #[test]
    fn pep440_prereleases_inside_ranges() {
        let e = [("i", "2.2"), ("f", "2.2.18")];
        assert!(affects(&e, Scheme::Pep440, "2.2.18rc1"));
        assert!(!affects(&e, Scheme::Pep440, "2.2rc1"));
        assert!(!affects(&e, Scheme::Pep440, "2.2.18"));
    }

    #[test]
    fn unparseable_event_or_version_is_an_error() {
        assert!(
            range_affects(
                &ev(&[("i", "0"), ("f", "one")]),
                Scheme::Pep440,
                &mut Installed::new("1.0")
            )
            .is_err()
        );
        assert!(
            range_affects(
                &ev(&[("i", "0"), ("f", "2.0")]),
                Scheme::Pep440,
                &mut Installed::new("latest!")
            )
            .is_err()
        );
    }

    fn entry(ranges: Vec<Range>, versions: &[&str]) -> Affected {
        Affected {
            ecosystem: "PyPI".into(),
            name: "x".into(),
            ranges,
            versions: versions.iter().map(|s| s.to_string()).collect(),
            requirements: None,
            functions: Vec::new(),
        }
    }

    fn verdict(e: &Affected, scheme: Scheme, v: &str) -> Verdict {
        evaluate(e, scheme, &mut Installed::new(v))
    }

    #[test]
    fn versions_list_multiple_ranges_and_git() {
        let git = Range {
            kind: RangeKind::Git,
            events: ev(&[("i", "abc"), ("f", "def")]),
        };
        let eco = Range {
            kind: RangeKind::Ecosystem,
            events: ev(&[("i", "3.0"), ("f", "3.1")]),
        };
        let e = entry(vec![git.clone(), eco], &["2.2", "2.3"]);
        assert_eq!(
            verdict(&e, Scheme::Pep440, "2.2.0"),
            Verdict::Affected {
                fixed: vec!["def".into(), "3.1".into()]
            }
        );
        assert!(matches!(
            verdict(&e, Scheme::Pep440, "3.0.5"),
            Verdict::Affected { .. }
        ));
        assert_eq!(verdict(&e, Scheme::Pep440, "2.4"), Verdict::NotAffected);
        // Only GIT ranges and a versions list: the list decides.
        let e = entry(vec![git.clone()], &["0.5"]);
        assert_eq!(verdict(&e, Scheme::Pep440, "0.6"), Verdict::NotAffected);
        assert!(matches!(
            verdict(&e, Scheme::Pep440, "0.5"),
            Verdict::Affected { .. }
        ));
        // Only GIT ranges: undecidable.
        let e = entry(vec![git], &[]);
        assert!(matches!(
            verdict(&e, Scheme::Pep440, "0.5"),
            Verdict::Undecidable(_)
        ));
        // Nothing at all: undecidable.
        assert!(matches!(
            verdict(&entry(vec![], &[]), Scheme::Pep440, "1"),
            Verdict::Undecidable(_)
        ));
        // An installed version that does not parse, not in the list: undecidable.
        let eco = Range {
            kind: RangeKind::Ecosystem,
            events: ev(&[("i", "0"), ("f", "3.1")]),
        };
        let e = entry(vec![eco], &["weird-1"]);
        assert!(matches!(
            verdict(&e, Scheme::Pep440, "not/a/version"),
            Verdict::Undecidable(_)
        ));
        assert!(matches!(
            verdict(&e, Scheme::Pep440, "weird-1"),
            Verdict::Affected { .. }
        ));
    }

    #[test]
    fn semver_ranges_accept_go_versions() {
        let r = Range {
            kind: RangeKind::Semver,
            events: ev(&[("i", "0"), ("f", "1.2.3")]),
        };
        let e = Affected {
            ecosystem: "Go".into(),
            ..entry(vec![r], &[])
        };
        assert!(matches!(
            verdict(&e, Scheme::Go, "v1.2.2"),
            Verdict::Affected { .. }
        ));
        assert!(matches!(
            verdict(&e, Scheme::Go, "v0.0.0-20210101000000-abcdef123456"),
            Verdict::Affected { .. }
        ));
        assert_eq!(verdict(&e, Scheme::Go, "v1.2.3"), Verdict::NotAffected);
        assert_eq!(
            verdict(&e, Scheme::Go, "v1.2.3+incompatible"),
            Verdict::NotAffected
        );
    }

    fn rs(patched: &[&str], unaffected: &[&str], v: &str) -> Verdict {
        let req = Requirements {
            patched: patched.iter().map(|s| s.to_string()).collect(),
            unaffected: unaffected.iter().map(|s| s.to_string()).collect(),
        };
        evaluate_requirements(&req, &mut Installed::new(v))
    }

    #[test]
    fn rustsec_requirements_follow_cargo_audit() {
        let patched = [">= 1.2.3, < 1.3.0", ">= 1.3.4"];
        let unaffected = ["<= 0.1.2"];
        for (v, affected) in [
            ("0.1.2", false),
            ("0.1.3", true),
            ("1.2.2", true),
            ("1.2.3", false),
            ("1.3.0", true),
            ("1.3.3", true),
            ("1.3.4", false),
            ("2.0.0", false),
            // Prereleases compare by precedence, not by VersionReq::matches.
            ("1.3.4-beta.1", true),
            ("2.0.0-alpha", false),
        ] {
            assert_eq!(
                matches!(rs(&patched, &unaffected, v), Verdict::Affected { .. }),
                affected,
                "{v}"
            );
        }
        // Caret and tilde: end at the next incompatible version's "-0".
        assert_eq!(rs(&["^0.9.1"], &[], "0.9.5"), Verdict::NotAffected);
        assert!(matches!(
            rs(&["^0.9.1"], &[], "0.10.0"),
            Verdict::Affected { .. }
        ));
        assert!(matches!(
            rs(&["^0.9.1"], &[], "0.10.0-alpha"),
            Verdict::Affected { .. }
        ));
        assert!(matches!(
            rs(&["~1.2"], &[], "1.3.0"),
            Verdict::Affected { .. }
        ));
        assert_eq!(rs(&["~1.2"], &[], "1.2.9"), Verdict::NotAffected);
        assert_eq!(rs(&["=1.0.0"], &[], "1.0.0"), Verdict::NotAffected);
        // No patched version at all: every version.
        assert!(matches!(rs(&[], &[], "9.9.9"), Verdict::Affected { .. }));
        assert!(matches!(
            rs(&[">= 1.0"], &[], "not-semver"),
            Verdict::Undecidable(_)
        ));
        assert!(matches!(
            rs(&[">= 1, >= 2"], &[], "1.0.0"),
            Verdict::Undecidable(_)
        ));
    }
}
