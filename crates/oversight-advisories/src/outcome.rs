//! Match outcomes, merged across advisory aliases.

use oversight_model::Ecosystem;

use crate::evaluate::Verdict;
use crate::model::{Advisory, AdvisorySeverity, Affected};

/// An advisory (with its aliases) that affects a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The primary id: the id of a database's own record (RUSTSEC, PYSEC,
    /// GO, …) when one matched, else GHSA, else CVE.
    pub id: String,
    /// Every id of the merged records and their aliases, primary first,
    /// the rest sorted.
    pub ids: Vec<String>,
    /// One-line summary of the primary record.
    pub summary: String,
    /// The component's ecosystem.
    pub ecosystem: Ecosystem,
    /// The component's name as given.
    pub package: String,
    /// The installed version as given.
    pub installed: String,
    /// Versions that fix it: OSV `fixed` events, or RustSec `patched`
    /// requirements as written (`>= 1.2.3`).
    pub fixed: Vec<String>,
    /// Highest severity among the merged records.
    pub severity: AdvisorySeverity,
    /// CVSS base score of that severity, when computed from a vector.
    pub score: Option<f64>,
    /// The CVSS vector the score came from.
    pub vector: Option<String>,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`):
    /// cargo audit reports these as warnings, not vulnerabilities.
    pub informational: Option<String>,
    /// First advisory URL of the primary record.
    pub url: Option<String>,
    /// Affected functions, when the advisory names them.
    pub functions: Vec<String>,
    /// Digest of the snapshot the primary record came from.
    pub snapshot: String,
}

/// An advisory for the component's package that could not be evaluated
/// against its version. Not a "not affected": the integrator reports it as
/// a coverage gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecidable {
    /// The primary advisory id (chosen as for [`Match::id`]).
    pub id: String,
    /// Every id of the merged records and their aliases, primary first.
    pub ids: Vec<String>,
    /// The component's ecosystem.
    pub ecosystem: Ecosystem,
    /// The component's name as given.
    pub package: String,
    /// The installed version as given.
    pub installed: String,
    /// Why it could not be decided.
    pub reason: String,
    /// Digest of the snapshot the primary record came from.
    pub snapshot: String,
}

/// The result of evaluating one advisory (group) against a component.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The version is affected.
    Affected(Match),
    /// The advisory could not be evaluated.
    Undecidable(Undecidable),
}

impl Outcome {
    /// The primary id.
    pub fn id(&self) -> &str {
        match self {
            Outcome::Affected(m) => &m.id,
            Outcome::Undecidable(u) => &u.id,
        }
    }
}

pub(crate) struct Hit<'a> {
    pub advisory: &'a Advisory,
    pub entry: &'a Affected,
    pub verdict: Verdict,
    pub snapshot: &'a str,
}

/// Preference of an id as the primary one: database records first.
fn id_rank(id: &str) -> u8 {
    if id.starts_with("CVE-") {
        2
    } else if id.starts_with("GHSA-") {
        1
    } else {
        0
    }
}

fn ids_of(adv: &Advisory) -> impl Iterator<Item = &str> {
    std::iter::once(adv.id.as_str()).chain(adv.aliases.iter().map(String::as_str))
}

/// Groups hits whose records name each other (same id, or one's id among
/// the other's aliases, transitively) and turns each group into one
/// outcome. Two records that merely share a third alias stay apart: a
/// database that publishes two advisories with the same CVE (RustSec does,
/// one per affected crate or per fix line) means two advisories, and
/// cargo audit reports both.
pub(crate) fn group(
    ecosystem: Ecosystem,
    package: &str,
    installed: &str,
    hits: Vec<Hit<'_>>,
) -> Vec<Outcome> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (hits[i].advisory, hits[j].advisory);
            let shares = ids_of(a).any(|x| x == b.id) || ids_of(b).any(|x| x == a.id);
            if shares {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut root_of_group: Vec<usize> = Vec::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        match root_of_group.iter().position(|&x| x == r) {
            Some(g) => groups[g].push(i),
            None => {
                root_of_group.push(r);
                groups.push(vec![i]);
            }
        }
    }
    let mut out: Vec<Outcome> = groups
        .into_iter()
        .map(|g| merge(ecosystem, package, installed, &hits, &g))
        .collect();
    out.sort_by(|a, b| a.id().cmp(b.id()));
    out
}

fn merge(
    ecosystem: Ecosystem,
    package: &str,
    installed: &str,
    hits: &[Hit<'_>],
    members: &[usize],
) -> Outcome {
    let affected: Vec<&Hit<'_>> = members
        .iter()
        .map(|&i| &hits[i])
        .filter(|h| matches!(h.verdict, Verdict::Affected { .. }))
        .collect();
    let pool: Vec<&Hit<'_>> = if affected.is_empty() {
        members.iter().map(|&i| &hits[i]).collect()
    } else {
        affected
    };
    let primary = pool
        .iter()
        .min_by(|a, b| {
            (id_rank(&a.advisory.id), &a.advisory.id)
                .cmp(&(id_rank(&b.advisory.id), &b.advisory.id))
        })
        .copied()
        .unwrap_or(&hits[members[0]]);
    let mut others: Vec<String> = members
        .iter()
        .flat_map(|&i| ids_of(hits[i].advisory))
        .filter(|id| *id != primary.advisory.id)
        .map(str::to_owned)
        .collect();
    others.sort();
    others.dedup();
    let mut ids = vec![primary.advisory.id.clone()];
    ids.extend(others);
    if !matches!(primary.verdict, Verdict::Affected { .. }) {
        let mut reasons: Vec<String> = pool
            .iter()
            .filter_map(|h| match &h.verdict {
                Verdict::Undecidable(r) => Some(format!("{}: {r}", h.advisory.id)),
                _ => None,
            })
            .collect();
        reasons.dedup();
        return Outcome::Undecidable(Undecidable {
            id: primary.advisory.id.clone(),
            ids,
            ecosystem,
            package: package.to_owned(),
            installed: installed.to_owned(),
            reason: reasons.join("; "),
            snapshot: primary.snapshot.to_owned(),
        });
    }
    let mut fixed: Vec<String> = Vec::new();
    for h in std::iter::once(&primary).chain(pool.iter()) {
        if let Verdict::Affected { fixed: f } = &h.verdict {
            for v in f {
                if !fixed.contains(v) {
                    fixed.push(v.clone());
                }
            }
        }
    }
    let best = pool
        .iter()
        .map(|h| &h.advisory.rating)
        .max_by(|a, b| {
            (a.level, a.score.unwrap_or(-1.0))
                .partial_cmp(&(b.level, b.score.unwrap_or(-1.0)))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(&primary.advisory.rating);
    let adv = primary.advisory;
    Outcome::Affected(Match {
        id: adv.id.clone(),
        ids,
        summary: adv.summary.clone(),
        ecosystem,
        package: package.to_owned(),
        installed: installed.to_owned(),
        fixed,
        severity: best.level,
        score: best.score,
        vector: best.vector.clone(),
        informational: adv.informational.clone(),
        url: adv.url.clone(),
        functions: primary.entry.functions.clone(),
        snapshot: primary.snapshot.to_owned(),
    })
}
