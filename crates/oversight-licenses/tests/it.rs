//! Integration tests on real inputs: the SPDX licence list, its generator test
//! texts, and hand-written headers, policies and copyright lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use oversight_detect::reference::run_detector;
use oversight_licenses::text::{TextMatcher, TextVerdict};
use oversight_licenses::{
    LicenseCategory, LicenseDetector, LicenseOptions, LicensePolicy, detector,
};

fn spdx_data() -> std::path::PathBuf {
    oversight_test_support::corpus("spdx-license-list/license-list-data")
}
fn generator_tests() -> std::path::PathBuf {
    oversight_test_support::corpus("spdx-license-list/license-list-XML/test/simpleTestForGenerator")
}

/// One detector without policy, shared by the tests (the store is built once).
static PLAIN: LazyLock<LicenseDetector> =
    LazyLock::new(|| detector(LicenseOptions::default()).expect("store loads"));

fn matcher() -> &'static TextMatcher {
    PLAIN.matcher()
}

/// `(rule, message)` of every finding for one file.
fn findings(detector: &LicenseDetector, path: &str, content: &str) -> Vec<(&'static str, String)> {
    run_detector(detector, path, content.as_bytes())
        .into_iter()
        .map(|e| (e.rule.id, e.message))
        .collect()
}

fn rules(detector: &LicenseDetector, path: &str, content: &str) -> Vec<&'static str> {
    findings(detector, path, content)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

fn with_policy(policy: &str, holders: &[&str]) -> LicenseDetector {
    detector(LicenseOptions {
        policy: Some(LicensePolicy::parse(policy).expect("valid policy")),
        expected_holders: holders.iter().map(|h| (*h).to_owned()).collect(),
    })
    .expect("store loads")
}

// ---------------------------------------------------------------------------
// Accuracy on the SPDX licence list.

/// Non-deprecated licence identifiers of the corpus's licence list.
fn corpus_licence_ids() -> HashSet<String> {
    let json = std::fs::read_to_string(spdx_data().join("json/licenses.json"))
        .expect("licenses.json of the SPDX corpus");
    // A tiny extraction instead of a JSON dependency: ids and deprecation flags
    // alternate in the file, deprecation first.
    let mut ids = HashSet::new();
    let mut deprecated = false;
    for line in json.lines() {
        let line = line.trim();
        if line.starts_with("\"isDeprecatedLicenseId\"") {
            deprecated = line.contains("true");
        } else if let Some(rest) = line.strip_prefix("\"licenseId\": \"")
            && !deprecated
        {
            ids.insert(rest.trim_end_matches(['"', ',']).to_owned());
        }
    }
    assert!(ids.len() > 400, "licence list parsed: {}", ids.len());
    ids
}

/// Lower-cased words: texts equal under this are "identical".
fn normalised(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the verdict names `id`, directly, as an alias, or through an
/// identical text.
fn verdict_names(verdict: &TextVerdict, id: &str, same_text: &HashSet<String>) -> bool {
    let TextVerdict::Found(matches) = verdict else {
        return false;
    };
    // Deprecated `X+` of GNU licences is `X-or-later` today.
    let or_later = id.strip_suffix('+').map(|base| format!("{base}-or-later"));
    matches.iter().any(|m| {
        std::iter::once(&m.license)
            .chain(&m.aliases)
            .any(|name| name == id || same_text.contains(name) || or_later.as_deref() == Some(name))
    })
}

fn family(id: &str) -> &'static str {
    LicenseCategory::of(id).map_or("other", LicenseCategory::as_str)
}

struct Scores {
    total: usize,
    correct: usize,
    misses: Vec<String>,
    per_family: BTreeMap<&'static str, (usize, usize, usize)>, // (tp, fp, fn)
}

/// Matches each `(id, text)` and collects accuracy and per-family counts.
fn score(cases: &[(String, String)], groups: &HashMap<String, HashSet<String>>) -> Scores {
    let empty = HashSet::new();
    let mut scores = Scores {
        total: 0,
        correct: 0,
        misses: Vec::new(),
        per_family: BTreeMap::new(),
    };
    for (id, text) in cases {
        let verdict = matcher().identify(text);
        let same_text = groups.get(id).unwrap_or(&empty);
        scores.total += 1;
        let truth = family(id);
        if verdict_names(&verdict, id, same_text) {
            scores.correct += 1;
            scores.per_family.entry(truth).or_default().0 += 1;
        } else {
            let got = match &verdict {
                TextVerdict::Found(m) => format!("{} {:.2}", m[0].license, m[0].score),
                TextVerdict::Unknown { closest, score } => {
                    format!("unknown ({closest} {score:.2})")
                }
            };
            scores.misses.push(format!("{id} -> {got}"));
            scores.per_family.entry(truth).or_default().2 += 1;
            if let TextVerdict::Found(m) = &verdict {
                scores
                    .per_family
                    .entry(family(&m[0].license))
                    .or_default()
                    .1 += 1;
            }
        }
    }
    scores
}

fn print_scores(title: &str, scores: &Scores) {
    println!(
        "{title}: {}/{} = {:.1} %",
        scores.correct,
        scores.total,
        100.0 * scores.correct as f64 / scores.total as f64
    );
    println!("  family            precision  recall   (tp/fp/fn)");
    for (family, (tp, fp, fn_)) in &scores.per_family {
        let precision = *tp as f64 / (tp + fp).max(1) as f64;
        let recall = *tp as f64 / (tp + fn_).max(1) as f64;
        println!("  {family:<17} {precision:>8.3} {recall:>8.3}   ({tp}/{fp}/{fn_})");
    }
    for miss in &scores.misses {
        println!("  miss: {miss}");
    }
}

#[test]
fn every_spdx_licence_text_is_identified_as_itself() {
    let ids = corpus_licence_ids();
    let mut cases = Vec::new();
    let mut by_text: HashMap<String, Vec<String>> = HashMap::new();
    for entry in std::fs::read_dir(spdx_data().join("text")).expect("SPDX texts") {
        let path = entry.expect("entry").path();
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_owned();
        if id.starts_with("deprecated_") || !ids.contains(&id) {
            continue; // Deprecated identifiers and exceptions.
        }
        let text = std::fs::read_to_string(&path).expect("licence text");
        by_text
            .entry(normalised(&text))
            .or_default()
            .push(id.clone());
        cases.push((id, text));
    }
    cases.sort();
    let mut groups: HashMap<String, HashSet<String>> = HashMap::new();
    for members in by_text.values().filter(|m| m.len() > 1) {
        for id in members {
            groups.insert(id.clone(), members.iter().cloned().collect());
        }
    }
    let started = Instant::now();
    let scores = score(&cases, &groups);
    print_scores("SPDX licence texts", &scores);
    println!(
        "  identical-text groups: {}",
        by_text.values().filter(|m| m.len() > 1).count()
    );
    println!("  time {:?}", started.elapsed());
    assert!(scores.total >= 400, "{} texts", scores.total);
    assert!(
        scores.correct * 100 >= scores.total * 95,
        "accuracy below 95 %: {:?}",
        scores.misses
    );
}

/// Identical-text groups over every text of the licence-list data, deprecated
/// identifiers included (`deprecated_GPL-2.0` has the text of `GPL-2.0-only`).
fn identical_text_groups() -> HashMap<String, HashSet<String>> {
    let mut by_text: HashMap<String, Vec<String>> = HashMap::new();
    for entry in std::fs::read_dir(spdx_data().join("text")).expect("SPDX texts") {
        let path = entry.expect("entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let id = stem.strip_prefix("deprecated_").unwrap_or(stem).to_owned();
        let text = std::fs::read_to_string(&path).expect("licence text");
        by_text.entry(normalised(&text)).or_default().push(id);
    }
    let mut groups = HashMap::new();
    for members in by_text.values().filter(|m| m.len() > 1) {
        for id in members {
            groups.insert(id.clone(), members.iter().cloned().collect());
        }
    }
    groups
}

#[test]
fn generator_test_texts_are_identified_as_named() {
    // The corpus has no `good`/`bad` variants: every text under
    // simpleTestForGenerator is a matching text named after its identifier
    // (`depreciate_X` for deprecated identifiers).
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(generator_tests()).expect("generator tests") {
        let path = entry.expect("entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let id = stem.strip_prefix("depreciate_").unwrap_or(stem).to_owned();
        if spdx::license_id(&id).is_none() {
            continue; // Exceptions.
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        cases.push((id, text));
    }
    cases.sort();
    let started = Instant::now();
    let scores = score(&cases, &identical_text_groups());
    print_scores("license-list-XML generator test texts", &scores);
    println!("  time {:?}", started.elapsed());
    assert!(scores.total >= 600, "{} texts", scores.total);
    assert!(
        scores.correct * 100 >= scores.total * 95,
        "accuracy below 95 %"
    );
}

/// askalono's matcher (inside the `spdx` crate) as an oracle: every text of
/// the SPDX licence list, licences and exceptions, deprecated identifiers
/// included, matched by both. Our verdict must be right wherever askalono's
/// is, up to a handful of texts named below, and right at least as often.
#[test]
fn verdicts_agree_with_askalono_on_the_spdx_texts() {
    use spdx::detection::{Store, TextData};
    let store = Store::load_inline().expect("askalono's store");
    let groups = identical_text_groups();
    let empty = HashSet::new();
    let mut paths: Vec<_> = std::fs::read_dir(spdx_data().join("text"))
        .expect("SPDX texts")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let (mut total, mut agree, mut ours_right, mut theirs_right) = (0, 0, 0, 0);
    let mut only_theirs = Vec::new();
    let mut only_ours = Vec::new();
    for path in paths {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let id = stem.strip_prefix("deprecated_").unwrap_or(stem).to_owned();
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let same_text = groups.get(&id).unwrap_or(&empty);
        let ours = matcher().identify(&text);
        let theirs = store.analyze(&TextData::new(&text));
        let theirs_found = theirs.score >= oversight_licenses::text::PROBABLE;
        let names = |name: &str| {
            name == id
                || same_text.contains(name)
                || id
                    .strip_suffix('+')
                    .is_some_and(|b| name == format!("{b}-or-later"))
                || name
                    .strip_suffix('+')
                    .is_some_and(|b| id == format!("{b}-or-later"))
        };
        let ours_ok = verdict_names(&ours, &id, same_text);
        let theirs_ok = theirs_found && names(theirs.name);
        let same = match &ours {
            TextVerdict::Found(m) => {
                theirs_found
                    && m.iter().any(|m| {
                        std::iter::once(&m.license).chain(&m.aliases).any(|n| {
                            n == theirs.name
                                || groups.get(theirs.name).is_some_and(|g| g.contains(n))
                                || theirs
                                    .name
                                    .strip_suffix('+')
                                    .is_some_and(|b| *n == format!("{b}-or-later"))
                        })
                    })
            }
            TextVerdict::Unknown { .. } => !theirs_found,
        };
        total += 1;
        agree += usize::from(same || (ours_ok && theirs_ok));
        ours_right += usize::from(ours_ok);
        theirs_right += usize::from(theirs_ok);
        let got = match &ours {
            TextVerdict::Found(m) => format!("{} {:.2}", m[0].license, m[0].score),
            TextVerdict::Unknown { closest, score } => format!("unknown ({closest} {score:.2})"),
        };
        if theirs_ok && !ours_ok {
            only_theirs.push(format!(
                "{id}: ours {got}, askalono {} {:.2}",
                theirs.name, theirs.score
            ));
        }
        if ours_ok && !theirs_ok {
            only_ours.push(format!(
                "{id}: ours {got}, askalono {} {:.2}",
                theirs.name, theirs.score
            ));
        }
    }
    println!(
        "SPDX texts: {total}; same verdict as askalono {agree} ({:.1} %); right: ours {ours_right}, askalono {theirs_right}",
        100.0 * agree as f64 / total as f64
    );
    for miss in &only_theirs {
        println!("  only askalono right: {miss}");
    }
    for win in &only_ours {
        println!("  only ours right: {win}");
    }
    assert!(total > 450, "{total} texts");
    assert!(
        ours_right >= theirs_right,
        "ours {ours_right} < askalono {theirs_right}"
    );
    assert!(only_theirs.len() <= 5, "{only_theirs:#?}");
}

#[test]
fn lgpl3_alone_and_two_licences_in_one_file_are_found() {
    let gpl = std::fs::read_to_string(spdx_data().join("text/GPL-3.0-only.txt")).expect("text");
    let lgpl = std::fs::read_to_string(spdx_data().join("text/LGPL-3.0-only.txt")).expect("text");
    let mit = std::fs::read_to_string(spdx_data().join("text/MIT.txt")).expect("text");
    let apache = std::fs::read_to_string(spdx_data().join("text/Apache-2.0.txt")).expect("text");
    let names = |text: &str| match matcher().identify(text) {
        TextVerdict::Found(m) => m.into_iter().map(|m| m.license).collect::<Vec<_>>(),
        TextVerdict::Unknown { .. } => Vec::new(),
    };
    assert_eq!(names(&lgpl), ["LGPL-3.0-or-later"]);
    let mut both = names(&format!("{apache}\n\n---\n\n{mit}"));
    both.sort();
    assert_eq!(both, ["Apache-2.0", "MIT"]);
    let mut both = names(&format!("{lgpl}\n\n{gpl}"));
    both.dedup();
    assert!(both.contains(&"LGPL-3.0-or-later".to_owned()), "{both:?}");
}

// ---------------------------------------------------------------------------
// Licence files, tags and notices through the detector.

#[test]
fn licence_files_report_identifier_and_confidence() {
    let mit = std::fs::read_to_string(spdx_data().join("text/MIT.txt")).expect("text");
    let edited = mit.replace("<year> <copyright holders>", "2024 Acme GmbH");
    let found = findings(&PLAIN, "LICENSE", &edited);
    let licences: Vec<&(&str, String)> = found
        .iter()
        .filter(|(r, _)| *r == "license.detected")
        .collect();
    assert_eq!(licences.len(), 1, "{found:?}");
    assert!(
        licences[0]
            .1
            .starts_with("Licence `MIT` (licence text, confidence "),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(r, m)| *r == "license.copyright" && m.contains("Acme GmbH"))
    );

    let custom = "ACME PROPRIETARY LICENCE\n\nYou may look at this code but you may not \
                  run it, copy it, sell it or show it to anybody, ever, in any universe.\n";
    assert_eq!(
        rules(&PLAIN, "LICENSE.txt", custom),
        ["license.unknown-text"]
    );
    assert!(
        rules(&PLAIN, "NOTICE", custom).is_empty(),
        "NOTICE files are attributions"
    );
    assert_eq!(
        findings(
            &PLAIN,
            "LICENSE",
            "SPDX-License-Identifier: MIT OR Apache-2.0\n"
        ),
        [(
            "license.detected",
            "Licence `MIT OR Apache-2.0` (SPDX-License-Identifier; kind tag, line 1, coverage 1.00)"
                .to_owned()
        )]
    );
}

#[test]
fn spdx_tags_and_header_notices() {
    // (file, content, [(expression, kind, first line, last line)]).
    type Expected<'a> = &'a [(&'a str, &'a str, u32, u32)];
    let cases: &[(&str, &str, Expected<'_>)] = &[
        (
            "a.rs",
            "// SPDX-License-Identifier: MIT\nfn main() {}\n",
            &[("MIT", "tag", 1, 1)],
        ),
        (
            "a.c",
            "/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause) AND Zlib */\n",
            &[("(GPL-2.0-only OR BSD-3-Clause) AND Zlib", "tag", 1, 1)],
        ),
        (
            "a.java",
            "// SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0\n",
            &[("GPL-2.0-or-later WITH Classpath-exception-2.0", "tag", 1, 1)],
        ),
        (
            "a.py",
            "# SPDX-License-Identifier: MIT/Apache-2.0\n",
            &[("MIT/Apache-2.0", "tag", 1, 1)],
        ),
        (
            "a.java",
            "/*\n * Licensed under the Apache License, Version 2.0 (the \"License\");\n * you may not use this file except in compliance with the License.\n */\n",
            &[("Apache-2.0", "notice", 2, 3)],
        ),
        (
            "a.c",
            "/* This file is part of GNU Foo.\n *\n * GNU Foo is free software: you can redistribute it and/or modify\n * it under the terms of the GNU General Public License as published by\n * the Free Software Foundation, either version 3 of the License, or\n * (at your option) any later version.\n *\n * You should have received a copy of the GNU General Public License\n * along with GNU Foo.  If not, see <https://www.gnu.org/licenses/>.\n */\n",
            &[("GPL-3.0-or-later", "notice", 4, 6)],
        ),
        (
            "a.c",
            "/* This program is free software; you can redistribute it and/or modify it\n * under the terms of the GNU General Public License version 2 as published\n * by the Free Software Foundation. */\n",
            &[("GPL-2.0-only", "notice", 2, 3)],
        ),
        (
            "a.js",
            "/** @license MIT License - see LICENSE */\n",
            &[("MIT", "notice", 1, 1)],
        ),
        (
            "a.rs",
            "// Licensed under the Apache License, Version 2.0 <LICENSE-APACHE or\n// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license\n// <LICENSE-MIT or https://opensource.org/licenses/MIT>, at your\n// option. This file may not be copied, modified, or distributed\n// except according to those terms.\n",
            &[("Apache-2.0 OR MIT", "notice", 1, 4)],
        ),
        (
            "a.pl",
            "# This library is free software; you can redistribute it and/or modify\n# it under the same terms as Perl itself.\n",
            &[("(Artistic-1.0-Perl OR GPL-1.0-or-later)", "notice", 2, 2)],
        ),
        (
            "a.cpp",
            "// Part of the LLVM Project, under the Apache License v2.0 with LLVM Exceptions.\n",
            &[("Apache-2.0 WITH LLVM-exception", "notice", 1, 1)],
        ),
        (
            "a.c",
            "/* Released under the GNU GPL; see COPYING. */\n",
            &[("GPL-1.0-or-later", "notice", 1, 1)],
        ),
        (
            "README.md",
            "# foo\n\nDoes things.\n\n## License\n\nMIT \u{a9} Jane Doe\n",
            &[("MIT", "reference", 5, 7)],
        ),
        (
            "a.js",
            "/* Distributed under the BSD License.\n * See http://example.org for details. */\n",
            &[("BSD License", "notice", 1, 1)],
        ),
        (
            "a.java",
            "// distributed under the License is distributed on an \"AS IS\" BASIS.\n",
            &[],
        ),
        ("a.go", "// submit license requests to legal\n", &[]),
        ("a.rs", "let tag = \"SPDX-License-Identifier:\";\n", &[]),
        (
            "a.rs",
            "// see https://www.gnu.org/licenses/gpl-2.0.html\n",
            &[],
        ),
    ];
    for (path, content, expected) in cases {
        let got: Vec<String> = findings(&PLAIN, path, content)
            .into_iter()
            .filter(|(r, _)| *r != "license.copyright")
            .map(|(_, m)| m)
            .collect();
        let want: Vec<String> = expected
            .iter()
            .map(|(expression, kind, a, b)| {
                let lines = if a == b {
                    format!("line {a}")
                } else {
                    format!("lines {a}\u{2013}{b}")
                };
                format!("Licence `{expression}` kind {kind}, {lines}")
            })
            .collect();
        // The message names the expression, then the source, the kind,
        // the region and the coverage.
        let shown: Vec<String> = got
            .iter()
            .map(|m| {
                let expression = m.split('`').nth(1).unwrap_or_default();
                let details = m.split("; ").nth(1).unwrap_or_default();
                let region = details
                    .rsplit_once(", coverage")
                    .map_or(details, |(r, _)| r);
                format!("Licence `{expression}` {region}")
            })
            .collect();
        assert_eq!(shown, want, "{content}\n{got:?}");
    }
    assert_eq!(
        findings(
            &PLAIN,
            "a.py",
            "# SPDX-License-Identifier: Proprietary-Acme\n"
        ),
        [(
            "license.unknown",
            "Licence `Proprietary-Acme` cannot be mapped to SPDX (SPDX-License-Identifier; kind \
             tag, line 1, coverage 1.00): unknown term"
                .to_owned()
        )]
    );
}

#[test]
fn embedded_licence_texts_in_header_comments_are_matched() {
    let bsd = std::fs::read_to_string(spdx_data().join("text/BSD-3-Clause.txt")).expect("text");
    let header: String = bsd.lines().map(|l| format!(" * {l}\n")).collect();
    let src = format!("/*\n{header} */\n#include <stdio.h>\nint main(void) {{ return 0; }}\n");
    let found = findings(&PLAIN, "src/main.c", &src);
    assert!(
        found.iter().any(|(r, m)| *r == "license.detected"
            && m.starts_with("Licence `BSD-3-Clause` (licence text")),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------
// Policy.

#[test]
fn policy_findings_name_expression_and_reason() {
    let detector = with_policy(
        "allow-categories = [\"permissive\", \"public-domain\", \"weak-copyleft\"]\ndeny-categories = [\"network-copyleft\"]\n",
        &[],
    );
    let table: &[(&str, &str)] = &[
        (
            "// SPDX-License-Identifier: MIT OR GPL-3.0-only\n",
            "license.detected",
        ),
        (
            "// SPDX-License-Identifier: MIT AND GPL-3.0-only\n",
            "license.denied",
        ),
        (
            "// SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0\n",
            "license.detected",
        ),
        (
            "// SPDX-License-Identifier: GPL-2.0-or-later\n",
            "license.denied",
        ),
        (
            "// SPDX-License-Identifier: AGPL-3.0-only\n",
            "license.denied",
        ),
        ("// SPDX-License-Identifier: CC0-1.0\n", "license.detected"),
        (
            "// SPDX-License-Identifier: Not-A-Licence\n",
            "license.unknown",
        ),
    ];
    for (src, rule) in table {
        assert_eq!(rules(&detector, "x.rs", src), [*rule], "{src}");
    }
    let agpl = std::fs::read_to_string(spdx_data().join("text/AGPL-3.0-only.txt")).expect("text");
    let found = findings(&detector, "COPYING", &agpl);
    let denied: Vec<&String> = found
        .iter()
        .filter(|(r, _)| *r == "license.denied")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(denied.len(), 1, "{found:?}");
    assert!(
        denied[0].contains("network-copyleft, a denied licence category"),
        "{}",
        denied[0]
    );
}

#[test]
fn policy_files_are_loaded_and_checked() {
    let dir = std::env::temp_dir().join(format!("oversight-licenses-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.toml");
    std::fs::write(&good, "allow = [\"MIT\"]\n").expect("write");
    assert!(LicensePolicy::load(&good).is_ok());
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "allow = [\"MIT\"]\n\n[extra]\nx = 1\n").expect("write");
    let message = LicensePolicy::load(&bad)
        .expect_err("unknown key")
        .to_string();
    assert!(
        message.contains("bad.toml") && message.contains("line 3") && message.contains("extra"),
        "{message}"
    );
    let missing = LicensePolicy::load(&dir.join("missing.toml"))
        .expect_err("missing")
        .to_string();
    assert!(missing.contains("missing.toml"), "{missing}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

// ---------------------------------------------------------------------------
// Copyright and ownership.

#[test]
fn copyright_statements_are_extracted_and_normalised() {
    let table: &[(&str, &str)] = &[
        (
            "// Copyright (c) 2019-2024 Acme GmbH. All rights reserved.\n",
            "Copyright held by Acme GmbH, years 2019-2024",
        ),
        (
            "# © 2021, 2022, 2023 Jane Doe <jane@example.com>\n",
            "Copyright held by Jane Doe, years 2021-2023",
        ),
        (
            "/* (C) 1999 Old Corp */\n",
            "Copyright held by Old Corp, years 1999",
        ),
        (
            "# SPDX-FileCopyrightText: 2020 Supplier Ltd <dev@supplier.example>\n",
            "Copyright held by Supplier Ltd, years 2020",
        ),
        (
            "Copyright 2010, 2012-2014 The Authors\n",
            "Copyright held by The Authors, years 2010, 2012-2014",
        ),
    ];
    for (src, message) in table {
        assert_eq!(
            findings(&PLAIN, "x.c", src),
            [("license.copyright", (*message).to_owned())],
            "{src}"
        );
    }
    let prose = "Redistributions must retain the above copyright notice.\nint c = f(c) + 1;\n";
    assert!(findings(&PLAIN, "x.c", prose).is_empty());
}

#[test]
fn foreign_copyright_is_flagged_against_expected_holders() {
    let detector = with_policy("", &["Acme GmbH", "Supplier Ltd"]);
    let src = "// Copyright 2024 ACME GmbH.\n// Copyright 2023 Supplier Ltd and contributors\n// Copyright (c) 2019 Other Client AG\n";
    let found = findings(&detector, "x.rs", src);
    let foreign: Vec<&String> = found
        .iter()
        .filter(|(r, _)| *r == "license.foreign-copyright")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        foreign,
        [
            "Copyright held by Other Client AG (2019), not by an expected holder (Acme GmbH, Supplier Ltd)"
        ]
    );
    // The FSF's copyright on the GPL text itself is not copied code.
    let gpl = std::fs::read_to_string(spdx_data().join("text/GPL-3.0-only.txt")).expect("text");
    let in_gpl = findings(&detector, "COPYING", &gpl);
    assert!(
        !in_gpl
            .iter()
            .any(|(r, _)| *r == "license.foreign-copyright"),
        "{in_gpl:?}"
    );
    assert!(
        rules(
            &detector,
            "src/x.c",
            "/* Copyright (C) 2007 Free Software Foundation, Inc. */\n"
        )
        .contains(&"license.foreign-copyright")
    );
}

// ---------------------------------------------------------------------------
// Robustness.

#[test]
fn random_bytes_and_huge_lines_do_not_panic_and_are_fast() {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut random = Vec::with_capacity(1 << 20);
    while random.len() < 1 << 20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        random.extend_from_slice(&state.to_le_bytes());
    }
    // Sprinkle patterns into the noise so that the callbacks run.
    for (i, word) in [
        "Copyright ",
        "(c) 2020 ",
        "SPDX-License-Identifier: ",
        "MIT License",
        "permission is hereby granted",
    ]
    .iter()
    .enumerate()
    {
        let at = 1000 + i * 100_000;
        random[at..at + word.len()].copy_from_slice(word.as_bytes());
    }
    let started = Instant::now();
    for path in ["noise.bin", "LICENSE", "a.txt"] {
        let _ = run_detector(&*PLAIN, path, &random);
        let mut text = random.clone();
        text.iter_mut()
            .for_each(|b| *b = if *b == 0 { b' ' } else { *b });
        let _ = run_detector(&*PLAIN, path, &text);
    }
    let mut line = "Copyright (c) 2020 Acme "
        .repeat(5 * 1024 * 1024 / 24)
        .into_bytes();
    line.extend_from_slice(
        b"SPDX-License-Identifier: MIT Permission is hereby granted, free of charge",
    );
    let found = run_detector(&*PLAIN, "min.js", &line);
    assert!(!found.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

/// Each licence finding carries its licence as data: expression, kind,
/// region and both coverages.
#[test]
fn licence_findings_carry_region_kind_coverage_and_expression() {
    use oversight_model::LicenceKind;
    let mit = std::fs::read_to_string(spdx_data().join("text/MIT.txt")).expect("text");
    let readme = format!("# Tool\n\nIt does things.\n\n## Licence\n\n{mit}\n");
    let emits = run_detector(&*PLAIN, "NOTES.txt", readme.as_bytes());
    let text = emits
        .iter()
        .find_map(|e| e.licence.as_ref().filter(|l| l.kind == LicenceKind::Text))
        .unwrap_or_else(|| panic!("a text finding: {emits:?}"));
    assert_eq!(text.expression, "MIT");
    let (start, end) = text.lines.expect("a region");
    assert!(start >= 3 && end >= start + 15, "{start}-{end}");
    assert!(text.rule_coverage.value() > 0.95, "{text:?}");
    assert!(text.region_coverage.value() > 0.9, "{text:?}");
    let tag = run_detector(
        &*PLAIN,
        "a.rs",
        b"// x\n// SPDX-License-Identifier: MIT OR Apache-2.0\n",
    );
    let tag = tag
        .iter()
        .find_map(|e| e.licence.as_ref())
        .expect("a tag finding");
    assert_eq!(
        (tag.expression.as_str(), tag.kind, tag.lines),
        ("MIT OR Apache-2.0", LicenceKind::Tag, Some((2, 2)))
    );
    let copyright = run_detector(&*PLAIN, "a.rs", b"// Copyright 2024 Acme\n");
    assert!(copyright.iter().all(|e| e.licence.is_none()));
}
