//! Licences end to end (issue 5): declared licences of vendored components,
//! the licence policy on components, the ownership check's exemption of
//! vendored components' files, the human summary and `oversight notice`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{corpora, findings, oversight};

fn spdx_text(id: &str) -> Vec<u8> {
    fs_err::read(
        corpora()
            .join("spdx-license-list/license-list-data/text")
            .join(format!("{id}.txt")),
    )
    .unwrap()
}

fn fixture(rel: &str) -> Vec<u8> {
    fs_err::read(corpora().join("lockfile-fixtures").join(rel)).unwrap()
}

/// A delivery with the supplier's own code (one file copied from another
/// client), a vendored GPL crate, an npm package with an ambiguous licence,
/// a vendored Python distribution and a vendored gem; licence texts and
/// package metadata are real files from the corpora.
fn delivery(dir: &Path) -> PathBuf {
    let root = dir.join("delivery");
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "src/main.rs",
            b"// SPDX-License-Identifier: MIT\n// Copyright 2024 Acme GmbH\nfn main() {}\n".to_vec(),
        ),
        (
            "src/copied.rs",
            b"// Copyright (c) 2019 Other Client AG\n// SPDX-License-Identifier: MIT\npub fn x() {}\n"
                .to_vec(),
        ),
        ("LICENSE", spdx_text("MIT")),
        (
            "vendor/gpl-thing/Cargo.toml",
            b"[package]\nname = \"gpl-thing\"\nversion = \"0.3.0\"\nlicense = \"GPL-3.0-only\"\n".to_vec(),
        ),
        (
            "vendor/gpl-thing/src/lib.rs",
            b"// Copyright (C) 2020 Gpl Thing Authors\npub fn y() {}\n".to_vec(),
        ),
        ("vendor/gpl-thing/COPYING", spdx_text("GPL-3.0-only")),
        (
            "web/node_modules/left-pad/package.json",
            br#"{"name": "left-pad", "version": "1.3.0", "license": "BSD"}"#.to_vec(),
        ),
        (
            "web/node_modules/left-pad/index.js",
            b"/* Copyright (c) 2014 Azer Koculu */\nmodule.exports = leftPad;\n".to_vec(),
        ),
        (
            "lib/site-packages/pip-22.2.2.dist-info/METADATA",
            fixture("osv-scalibr/extractor/filesystem/language/python/wheelegg/testdata/distinfo_meta"),
        ),
        (
            "lib/site-packages/pip/__init__.py",
            b"# Copyright (c) 2008-2022 The pip developers\n__version__ = \"22.2.2\"\n".to_vec(),
        ),
        (
            "vendor/bundle/ruby/3.3.0/specifications/rss-0.2.9.gemspec",
            fixture("osv-scalibr/extractor/filesystem/language/ruby/gemspec/testdata/rss-0.2.9.gemspec"),
        ),
        (
            "vendor/bundle/ruby/3.3.0/gems/rss-0.2.9/lib/rss.rb",
            b"# Copyright (c) 2003-2007 Kouhei Sutou\nmodule RSS; end\n".to_vec(),
        ),
    ];
    for (path, bytes) in files {
        let to = root.join(path);
        fs_err::create_dir_all(to.parent().unwrap()).unwrap();
        fs_err::write(to, bytes).unwrap();
    }
    root
}

fn scan(target: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = oversight()
        .arg("scan")
        .arg(target)
        .args(["--no-secrets", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (
        out.status.code().unwrap(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn with_rule<'a>(report: &'a Value, rule: &str) -> Vec<(&'a str, &'a str)> {
    findings(report)
        .filter(|f| f["rule"] == rule)
        .map(|f| (f["path"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect()
}

#[test]
fn component_licences_policy_and_ownership_of_vendored_code() {
    let dir = tempfile::tempdir().unwrap();
    let target = delivery(dir.path());
    let policy = dir.path().join("licences.toml");
    fs_err::write(&policy, "deny-categories = [\"strong-copyleft\"]\n").unwrap();
    let (code, report, stderr) = scan(
        &target,
        &[
            "--license-policy",
            policy.to_str().unwrap(),
            "--expected-holders",
            "Acme GmbH",
        ],
    );
    assert_eq!(code, 1, "{stderr}");

    // Declared licences, normalised, in the JSON inventory.
    let licence_of = |name: &str| {
        report["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {}", report["components"]))["license"]
            .clone()
    };
    assert_eq!(licence_of("gpl-thing"), "GPL-3.0-only");
    assert_eq!(licence_of("left-pad"), "BSD");
    assert_eq!(licence_of("pip"), "MIT");
    assert_eq!(licence_of("rss"), "BSD-2-Clause");

    // The policy on components: at the declaring file, naming name@version.
    let denied = with_rule(&report, "license.denied");
    assert!(
        denied
            .iter()
            .any(|(p, m)| *p == "vendor/gpl-thing/Cargo.toml"
                && m.contains("`gpl-thing@0.3.0`")
                && m.contains("GPL-3.0-only")),
        "{denied:?}"
    );
    let unknown = with_rule(&report, "license.unknown");
    assert!(
        unknown
            .iter()
            .any(|(p, m)| *p == "web/node_modules/left-pad/package.json"
                && m.contains("`left-pad@1.3.0`")
                && m.contains("`BSD`")),
        "{unknown:?}"
    );
    let line = findings(&report)
        .find(|f| f["rule"] == "license.denied" && f["path"] == "vendor/gpl-thing/Cargo.toml")
        .unwrap()["line"]
        .clone();
    assert_eq!(line, 1);

    // Holders inside declared vendored components are not foreign; the file
    // copied from another client is.
    let foreign = with_rule(&report, "license.foreign-copyright");
    let paths: Vec<&str> = foreign.iter().map(|(p, _)| *p).collect();
    assert_eq!(paths, ["src/copied.rs"], "{foreign:?}");
    // Their copyright statements are still reported.
    let holders = with_rule(&report, "license.copyright");
    for path in [
        "vendor/gpl-thing/src/lib.rs",
        "web/node_modules/left-pad/index.js",
        "lib/site-packages/pip/__init__.py",
        "vendor/bundle/ruby/3.3.0/gems/rss-0.2.9/lib/rss.rb",
    ] {
        assert!(
            holders.iter().any(|(p, _)| *p == path),
            "{path}: {holders:?}"
        );
    }

    // Without a policy, only the unmappable declaration is a finding.
    let (_, plain, _) = scan(&target, &[]);
    assert!(with_rule(&plain, "license.denied").is_empty());
    let unknown: Vec<&str> = with_rule(&plain, "license.unknown")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(unknown, ["web/node_modules/left-pad/package.json"]);
}

#[test]
fn human_report_summarises_licences_and_holders() {
    let dir = tempfile::tempdir().unwrap();
    let target = delivery(dir.path());
    let out = oversight()
        .arg("scan")
        .arg(&target)
        .args(["--no-secrets", "--no-deps"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let summary = text
        .split("Licences and copyright\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary in {text}"))
        .split("\n\n")
        .next()
        .unwrap();
    // LICENSE, src/main.rs, src/copied.rs and pip's METADATA carry MIT.
    let mit = summary
        .lines()
        .find(|l| l.starts_with("  MIT "))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(mit.ends_with(" 4 files"), "{summary}");
    // The GPL-3.0 text is the same for -only and -or-later; the store names it -or-later.
    assert!(summary.contains("  GPL-3.0-or-later "), "{summary}");
    assert!(summary.contains("7 copyright holders: "), "{summary}");
    assert!(summary.contains("Acme GmbH (1)"), "{summary}");
}

#[test]
fn notice_lists_components_files_holders_and_licence_texts() {
    let dir = tempfile::tempdir().unwrap();
    let target = delivery(dir.path());
    let output = dir.path().join("NOTICE.txt");
    let out = oversight()
        .arg("notice")
        .arg(&target)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = fs_err::read_to_string(&output).unwrap();
    let section = |licence: &str| {
        let heading = format!("\n{licence}\n====");
        let start = text
            .find(&heading)
            .unwrap_or_else(|| panic!("no section {licence} in\n{text}"));
        let rest = &text[start + heading.len()..];
        rest[..rest.find("\n=====").unwrap_or(rest.len())].to_owned()
    };
    let mit = section("MIT");
    assert!(
        mit.contains(
            "  pip 22.2.2 (PyPI), declared in lib/site-packages/pip-22.2.2.dist-info/METADATA"
        ),
        "{mit}"
    );
    assert!(
        mit.contains("  src/main.rs\n      Copyright 2024 Acme GmbH\n"),
        "{mit}"
    );
    assert!(mit.contains("  LICENSE\n"), "{mit}");
    let gpl = section("GPL-3.0-only");
    assert!(
        gpl.contains("gpl-thing 0.3.0 (crates.io), declared in vendor/gpl-thing/Cargo.toml:1"),
        "{gpl}"
    );
    let gpl_text = section("GPL-3.0-or-later");
    assert!(
        gpl_text.contains(
            "  vendor/gpl-thing/COPYING\n      Copyright 2007 Free Software Foundation, Inc\n"
        ),
        "{gpl_text}"
    );
    let bsd = section("BSD");
    assert!(bsd.contains("left-pad 1.3.0 (npm)"), "{bsd}");
    let unlicensed = section("Copyright statements in files without a licence finding");
    assert!(
        unlicensed
            .contains("  vendor/gpl-thing/src/lib.rs\n      Copyright 2020 Gpl Thing Authors\n"),
        "{unlicensed}"
    );
    // The texts of the licences used, from the SPDX list.
    let texts = &text[text.find("\nLicence texts\n").expect("texts section")..];
    assert!(
        texts.contains("--- MIT ---\nhttps://spdx.org/licenses/MIT.html"),
        "{texts}"
    );
    assert!(texts.contains("Permission is hereby granted, free of charge"));
    assert!(texts.contains("--- GPL-3.0-only ---"));
    assert!(texts.contains("GNU GENERAL PUBLIC LICENSE"));
    assert!(texts.contains("--- BSD-2-Clause ---"));
    // Standard output when no file is named.
    let out = oversight().arg("notice").arg(&target).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
}
