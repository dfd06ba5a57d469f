//! The SPDX licence list's own texts scanned as ordinary files (`notes.txt`)
//! through the whole detector: how many distinct texts are reported as
//! themselves, and how many are reported with another licence.
//!
//! Shared by the integration test `spdx_texts_as_ordinary_files` and the
//! example `spdx_texts` (which `bench/licences-spdx.sh` runs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use oversight_detect::reference::run_detector;
use oversight_licenses::LicenseDetector;

/// One distinct text: the identifiers whose files hold it (current ones
/// first), and the text.
pub struct DistinctText {
    /// Current (non-deprecated) identifiers with this text, sorted.
    pub ids: Vec<String>,
    /// Every identifier with this text, deprecated ones included
    /// (`deprecated_GPL-2.0.txt` gives `GPL-2.0`).
    pub same_text: BTreeSet<String>,
    /// The text.
    pub text: String,
}

/// Lower-cased words: texts equal under this are the same text.
fn normalised(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The distinct texts of `dir` (`license-list-data/text`): files of current
/// identifiers (licences and exceptions) grouped by normalised text.
pub fn distinct_texts(dir: &Path) -> Vec<DistinctText> {
    let mut by_text: BTreeMap<String, (Vec<String>, BTreeSet<String>, String)> = BTreeMap::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("SPDX texts")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for path in paths {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_owned();
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let entry = by_text
            .entry(normalised(&text))
            .or_insert_with(|| (Vec::new(), BTreeSet::new(), text));
        match stem.strip_prefix("deprecated_") {
            Some(old) => {
                entry.1.insert(old.to_owned());
            }
            None => {
                entry.1.insert(stem.clone());
                entry.0.push(stem);
            }
        }
    }
    by_text
        .into_values()
        .filter(|(ids, _, _)| !ids.is_empty())
        .map(|(mut ids, same_text, text)| {
            ids.sort();
            DistinctText {
                ids,
                same_text,
                text,
            }
        })
        .collect()
}

/// The identifiers a licence finding's message names: the licence or
/// expression between the first backticks, split into its terms, and the
/// identifiers after `same text as`.
fn named_ids(message: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut parts = message.splitn(3, '`');
    if let (Some(_), Some(named)) = (parts.next(), parts.next()) {
        for term in named.split(|c: char| c.is_whitespace() || "()/".contains(c)) {
            if !term.is_empty() && !["AND", "OR", "WITH", "and", "or"].contains(&term) {
                ids.push(term.to_owned());
            }
        }
    }
    if let Some((_, rest)) = message.split_once("same text as ") {
        let list = rest.split(')').next().unwrap_or_default();
        ids.extend(list.split(", ").map(|s| s.trim().to_owned()));
    }
    ids
}

/// Whether `id` names the text of `t` (`X+` and `X-or-later` of a deprecated
/// GNU identifier included).
fn is_itself(id: &str, t: &DistinctText) -> bool {
    let base = id
        .strip_suffix("-or-later")
        .or_else(|| id.strip_suffix("-only"))
        .or_else(|| id.strip_suffix('+'))
        .unwrap_or(id);
    t.same_text.contains(id)
        || t.same_text.iter().any(|s| {
            let s_base = s
                .strip_suffix("-or-later")
                .or_else(|| s.strip_suffix("-only"))
                .or_else(|| s.strip_suffix('+'))
                .unwrap_or(s);
            s_base == base && (s != s_base || id != base)
        })
}

/// The outcome for one distinct text.
pub struct Outcome {
    /// Its identifiers.
    pub ids: Vec<String>,
    /// Whether a finding names it.
    pub itself: bool,
    /// Licences reported that are not it (unknown licences included).
    pub others: Vec<String>,
}

/// The score over all distinct texts.
pub struct Score {
    /// Distinct texts.
    pub total: usize,
    /// Reported as themselves.
    pub itself: usize,
    /// Reported with another licence (whether or not also as themselves).
    pub other: usize,
    /// Reported as themselves and nothing else.
    pub clean: usize,
    /// Every text that is not clean.
    pub failures: Vec<Outcome>,
}

/// Scans every distinct text as the file `name` through `detector`.
pub fn score(detector: &LicenseDetector, texts: &[DistinctText], name: &str) -> Score {
    let mut score = Score {
        total: 0,
        itself: 0,
        other: 0,
        clean: 0,
        failures: Vec::new(),
    };
    for t in texts {
        let mut outcome = Outcome {
            ids: t.ids.clone(),
            itself: false,
            others: Vec::new(),
        };
        for emit in run_detector(detector, name, t.text.as_bytes()) {
            match emit.rule.id {
                "license.detected" | "license.denied" => {
                    let ids = named_ids(&emit.message);
                    if ids.iter().any(|id| is_itself(id, t)) {
                        outcome.itself = true;
                    } else {
                        outcome.others.push(emit.message);
                    }
                }
                "license.unknown" | "license.unknown-text" => outcome.others.push(emit.message),
                _ => {}
            }
        }
        score.total += 1;
        score.itself += usize::from(outcome.itself);
        score.other += usize::from(!outcome.others.is_empty());
        if outcome.itself && outcome.others.is_empty() {
            score.clean += 1;
        } else {
            score.failures.push(outcome);
        }
    }
    score
}

/// Prints the score and every failure.
pub fn print(score: &Score, name: &str) {
    println!(
        "SPDX licence texts scanned as `{name}`: {} distinct texts; {} reported as themselves ({:.1} %), \
         {} with another licence, {} as themselves and nothing else ({:.1} %)",
        score.total,
        score.itself,
        100.0 * score.itself as f64 / score.total.max(1) as f64,
        score.other,
        score.clean,
        100.0 * score.clean as f64 / score.total.max(1) as f64,
    );
    for f in &score.failures {
        println!(
            "  {}: {}{}",
            f.ids.join(" = "),
            if f.itself {
                "itself, and "
            } else {
                "not itself"
            },
            if f.others.is_empty() {
                String::new()
            } else {
                format!("; others: {}", f.others.join(" | "))
            }
        );
    }
}
