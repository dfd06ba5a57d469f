//! Licence texts in files that are not named as licence files: the SPDX
//! list's own texts saved under ordinary names, a licence text that names
//! other licences, and the notices of ordinary source files.

use std::sync::LazyLock;

use oversight_detect::reference::run_detector;
use oversight_licenses::{LicenseDetector, LicenseOptions, detector};

mod support {
    pub mod spdx_files;
}
use support::spdx_files;

static PLAIN: LazyLock<LicenseDetector> =
    LazyLock::new(|| detector(LicenseOptions::default()).expect("store loads"));

fn spdx_text(id: &str) -> String {
    let path = oversight_test_support::corpus(&format!(
        "spdx-license-list/license-list-data/text/{id}.txt"
    ));
    std::fs::read_to_string(path).expect("SPDX text")
}

/// The messages of every licence finding (not copyright) for one file.
fn licences(path: &str, content: &str) -> Vec<String> {
    run_detector(&*PLAIN, path, content.as_bytes())
        .into_iter()
        .filter(|e| e.rule.id.starts_with("license.") && e.rule.id != "license.copyright")
        .map(|e| format!("{}: {}", e.rule.id, e.message))
        .collect()
}

#[test]
fn spdx_texts_as_ordinary_files_are_themselves_and_nothing_else() {
    let dir = oversight_test_support::corpus("spdx-license-list/license-list-data/text");
    let texts = spdx_files::distinct_texts(&dir);
    assert!(texts.len() >= 400, "{} distinct texts", texts.len());
    let score = spdx_files::score(&PLAIN, &texts, "notes.txt");
    spdx_files::print(&score, "notes.txt");
    assert!(
        score.clean * 100 >= score.total * 95,
        "{} of {} distinct texts reported as themselves and nothing else, below 95 %",
        score.clean,
        score.total
    );
    assert!(
        score.other * 100 <= score.total * 3,
        "{} of {} distinct texts reported with another licence",
        score.other,
        score.total
    );
}

#[test]
fn mpl_text_saved_as_mpl_txt_gives_mpl_only() {
    // MPL-2.0's secondary-licence clause names the GNU GPL and LGPL: a
    // licence text gives its licence, not the licences it mentions.
    let mpl = spdx_text("MPL-2.0");
    let found = licences("mpl.txt", &mpl);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("license.detected: Licence `MPL-2.0` (licence text, confidence "),
        "{found:?}"
    );
    // Inside a longer document too.
    let doc = format!(
        "Third-party notices\n\nThe following component is used under its licence.\n\n{mpl}\n\n\
         Component two is licensed under the MIT License.\n"
    );
    let found = licences("THIRD-PARTY.md", &doc);
    assert!(
        found
            .iter()
            .any(|m| m.contains("Licence `MPL-2.0` (licence text")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|m| m.contains("GPL")),
        "no GNU licence from MPL's text: {found:?}"
    );
}

#[test]
fn source_headers_and_short_notices_keep_their_notice() {
    let header = "/*\n * Copyright (C) 2020 Acme GmbH\n *\n * This program is free software; you can redistribute it and/or modify\n * it under the terms of the GNU General Public License as published by\n * the Free Software Foundation; either version 2 of the License, or\n * (at your option) any later version.\n *\n * This program is distributed in the hope that it will be useful,\n * but WITHOUT ANY WARRANTY; without even the implied warranty of\n * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n * GNU General Public License for more details.\n */\n#include <stdio.h>\nint main(void) { return 0; }\n";
    assert_eq!(
        licences("src/main.c", header),
        [
            "license.detected: Licence `GPL-2.0-or-later` (licence statement; kind notice, lines 5\u{2013}7, coverage 1.00)"
        ]
    );
    // The same header in a file that is not code (an assembly source).
    let asm = header.replace(
        "#include <stdio.h>\nint main(void) { return 0; }\n",
        "\tmov r0, r1\n\tret\n",
    );
    let found = licences("start.S", &asm);
    assert!(
        found.iter().any(|m| m.contains("GPL-2.0-or-later")),
        "{found:?}"
    );
    let readme = "# Widget\n\nA widget.\n\n## License\n\nLicensed under the Apache License, Version 2.0 (the \"License\");\nyou may not use this file except in compliance with the License.\n";
    assert_eq!(
        licences("README.md", readme),
        [
            "license.detected: Licence `Apache-2.0` (licence statement; kind notice, lines 7\u{2013}8, coverage 1.00)"
        ]
    );
    let rust = "// SPDX-License-Identifier: MIT OR Apache-2.0\n//! A crate.\npub fn f() {}\n";
    assert_eq!(
        licences("lib.rs", rust),
        [
            "license.detected: Licence `MIT OR Apache-2.0` (SPDX-License-Identifier; kind tag, line 1, coverage 1.00)"
        ]
    );
}

#[test]
fn a_licence_text_at_the_end_of_a_readme_is_found_with_its_exception() {
    let mit = spdx_text("MIT").replace("<year> <copyright holders>", "2024 Acme GmbH");
    let readme = format!("# Tool\n\nDoes things.\n\n## Usage\n\nRun it.\n\n## License\n\n{mit}\n");
    let found = licences("README.md", &readme);
    assert!(
        found
            .iter()
            .any(|m| m.starts_with("license.detected: Licence `MIT` (licence text")),
        "{found:?}"
    );
    let classpath = spdx_text("Classpath-exception-2.0");
    let found = licences("exception.txt", &classpath);
    assert!(
        found.len() == 1
            && found[0].contains("Licence `Classpath-exception-2.0` (licence exception text"),
        "{found:?}"
    );
}
