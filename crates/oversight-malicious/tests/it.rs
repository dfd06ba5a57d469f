//! Integration tests of the `malicious` detectors over real inputs: the
//! Trojan Source corpus, binaries and Python files of this machine, and
//! fixtures modelled on known malicious npm and PyPI packages, with benign
//! counterparts that must stay quiet.
//!
//! Every test goes through one helper per boundary: [`scan`] runs all the
//! crate's detectors over one file with the reference runner, [`check`]
//! compares the rule ids it raised with an expectation.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oversight_detect::Emit;
use oversight_detect::reference::run_detector;

fn trojan_source() -> String {
    oversight_test_support::corpus("trojan-source")
        .to_string_lossy()
        .into_owned()
}
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// Runs every detector of the crate over `content` as the file `path`.
fn scan(path: &str, content: &[u8]) -> Vec<Emit> {
    oversight_malicious::detectors()
        .iter()
        .flat_map(|d| run_detector(d.as_ref(), path, content))
        .collect()
}

/// The distinct rule ids of `found`, sorted.
fn ids(found: &[Emit]) -> Vec<&'static str> {
    let mut ids: Vec<_> = found.iter().map(|e| e.rule.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Scans `path` (named `name` in the delivery) and checks that exactly the
/// rules `expected` are raised.
fn check(path: &Path, name: &str, expected: &[&str]) -> Vec<Emit> {
    let content = fs_read(path);
    let found = scan(name, &content);
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(ids(&found), expected, "{name}: {:#?}", messages(&found));
    found
}

/// [`check`] for a fixture, named by its path under `tests/fixtures`.
fn check_fixture(name: &str, expected: &[&str]) -> Vec<Emit> {
    check(&Path::new(FIXTURES).join(name), name, expected)
}

fn messages(found: &[Emit]) -> Vec<String> {
    found
        .iter()
        .map(|e| format!("{} {:?} {}", e.rule.id, e.line_col, e.message))
        .collect()
}

fn fs_read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Files under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("listing {}: {e}", d.display()))
        {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(path: &Path, base: &str) -> String {
    path.strip_prefix(base)
        .expect("under base")
        .to_string_lossy()
        .replace('\\', "/")
}

fn has_bidi(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'))
}

mod trojan_source {
    use super::*;

    #[test]
    fn every_file_with_a_bidi_control_is_reported() {
        let mut with_bidi = 0;
        for path in files_under(Path::new(&trojan_source())) {
            let name = relative(&path, &trojan_source());
            let content = fs_read(&path);
            if !has_bidi(&String::from_utf8_lossy(&content)) {
                continue;
            }
            with_bidi += 1;
            let found = scan(&name, &content);
            assert!(
                found.iter().any(|e| e.rule.id == "malicious.bidi-control"),
                "{name}: {:#?}",
                messages(&found)
            );
        }
        assert_eq!(with_bidi, 29, "the corpus has 29 files with bidi controls");
    }

    #[test]
    fn positions_and_names_are_exact() {
        let cases = [
            (
                "C/commenting-out.c",
                vec![(6, 7), (8, 24)],
                "RIGHT-TO-LEFT OVERRIDE (U+202E)",
            ),
            (
                "Python/early-return.py",
                vec![(5, 47)],
                "RIGHT-TO-LEFT ISOLATE (U+2067)",
            ),
            (
                "Rust/stretched-string.rs",
                vec![(3, 29)],
                "POP DIRECTIONAL ISOLATE (U+2069)",
            ),
        ];
        for (name, positions, control) in cases {
            let found = check(
                &Path::new(&trojan_source()).join(name),
                name,
                &["malicious.bidi-control"],
            );
            let got: Vec<_> = found.iter().filter_map(|e| e.line_col).collect();
            assert_eq!(got, positions, "{name}: {:#?}", messages(&found));
            assert!(found[0].message.contains(control), "{}", found[0].message);
            assert!(
                found[0]
                    .message
                    .contains("not closed before the end of the line"),
                "{}",
                found[0].message
            );
            assert!(
                found[0]
                    .evidence
                    .as_ref()
                    .expect("snippet")
                    .snippet
                    .contains("<U+"),
                "{name}"
            );
        }
    }

    #[test]
    fn homoglyph_and_invisible_functions_are_reported() {
        let mut homoglyph = 0;
        let mut invisible = 0;
        for path in files_under(Path::new(&trojan_source())) {
            let name = relative(&path, &trojan_source());
            let file = name
                .rsplit('/')
                .next()
                .expect("a file name")
                .to_ascii_lowercase();
            let expected = if file.starts_with("homoglyph-function.")
                || file.starts_with("homoglyphfunction.")
            {
                homoglyph += 1;
                "malicious.mixed-script-identifier"
            } else if file.starts_with("invisible-function.") {
                invisible += 1;
                "malicious.invisible-character"
            } else {
                continue;
            };
            if name.contains("visualization/") {
                continue;
            }
            let found = check(&path, &name, &[expected]);
            assert_eq!(
                found.len(),
                2,
                "{name}: a definition and a call: {:#?}",
                messages(&found)
            );
        }
        assert!(
            homoglyph >= 11 && invisible >= 10,
            "{homoglyph} homoglyph, {invisible} invisible files"
        );
    }

    #[test]
    fn prose_with_the_same_characters_is_quiet() {
        for path in files_under(Path::new(&trojan_source())) {
            let name = relative(&path, &trojan_source());
            let content = fs_read(&path);
            if name.ends_with("README.md") {
                assert!(scan(&name, &content).is_empty(), "{name}");
            }
            if has_bidi(&String::from_utf8_lossy(&content))
                || name.contains("homoglyph")
                || name.contains("invisible")
            {
                // The same attack, renamed to prose, is not a finding.
                let as_readme = format!("{name}.md");
                assert!(scan(&as_readme, &content).is_empty(), "{as_readme}");
            }
        }
    }
}

mod executables {
    use super::*;

    fn describe(name: &str, content: &[u8]) -> (&'static str, String) {
        let found = scan(name, content);
        assert_eq!(found.len(), 1, "{name}: {:#?}", messages(&found));
        (found[0].rule.id, found[0].message.clone())
    }

    fn elf_header(class: u8, data: u8, file_type: u16, machine: u16) -> Vec<u8> {
        let mut h = vec![0x7F, b'E', b'L', b'F', class, data, 1, 0];
        h.resize(16, 0);
        let (t, m) = if data == 2 {
            (file_type.to_be_bytes(), machine.to_be_bytes())
        } else {
            (file_type.to_le_bytes(), machine.to_le_bytes())
        };
        h.extend_from_slice(&t);
        h.extend_from_slice(&m);
        h.resize(64, 0);
        h
    }

    #[test]
    fn hand_made_headers() {
        let pe = {
            let mut h = vec![0u8; 0x200];
            h[..2].copy_from_slice(b"MZ");
            h[0x3C..0x40].copy_from_slice(&0x80u32.to_le_bytes());
            h[0x80..0x84].copy_from_slice(b"PE\0\0");
            h[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
            h[0x84 + 18..0x84 + 20].copy_from_slice(&0x2022u16.to_le_bytes());
            h[0x98..0x9A].copy_from_slice(&0x20Bu16.to_le_bytes());
            // CLR runtime header directory (index 14) of a PE32+ optional header.
            let clr = 0x98 + 112 + 14 * 8;
            h[clr..clr + 4].copy_from_slice(&0x2008u32.to_le_bytes());
            h
        };
        let macho = {
            let mut h = vec![0xCF, 0xFA, 0xED, 0xFE];
            h.extend_from_slice(&0x0100_000Cu32.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes());
            h.extend_from_slice(&2u32.to_le_bytes());
            h.resize(32, 0);
            h
        };
        let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
            (
                "bin/tool",
                elf_header(2, 1, 2, 62),
                "malicious.compiled-artifact",
                "ELF 64-bit x86-64 executable",
            ),
            (
                "lib/libx.so",
                elf_header(1, 1, 3, 40),
                "malicious.compiled-artifact",
                "ELF 32-bit arm shared object",
            ),
            (
                "fw.bin",
                elf_header(1, 2, 2, 8),
                "malicious.compiled-artifact",
                "ELF 32-bit MIPS executable, big-endian",
            ),
            (
                "x.o",
                elf_header(2, 1, 1, 183),
                "malicious.compiled-artifact",
                "ELF 64-bit aarch64 relocatable object",
            ),
            (
                "a.txt",
                pe,
                "malicious.compiled-artifact",
                "PE 64-bit x86-64 DLL (.NET assembly)",
            ),
            (
                "m",
                macho,
                "malicious.compiled-artifact",
                "Mach-O 64-bit arm64 executable",
            ),
            (
                "x.wasm.txt",
                b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0".to_vec(),
                "malicious.compiled-artifact",
                "WebAssembly module, version 1",
            ),
            (
                "A.class",
                vec![0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52, 0, 10],
                "malicious.compiled-bytecode",
                "Java class file, version 52.0 (Java 8)",
            ),
            (
                "classes.dex",
                b"dex\n035\0\0\0\0\0".to_vec(),
                "malicious.compiled-bytecode",
                "Android DEX bytecode, version 035",
            ),
            (
                "pkg/mod.pyc",
                [&0x0DCBu16.to_le_bytes()[..], b"\r\n", &[0; 12]].concat(),
                "malicious.compiled-artifact",
                "Python 3.12 bytecode",
            ),
            (
                "pkg/__pycache__/mod.cpython-312.pyc",
                [&0x0DCBu16.to_le_bytes()[..], b"\r\n", &[0; 12]].concat(),
                "malicious.compiled-bytecode",
                "Python 3.12 bytecode",
            ),
        ];
        for (name, content, rule, description) in cases {
            let (id, message) = describe(name, &content);
            assert_eq!(id, rule, "{name}: {message}");
            assert!(message.contains(description), "{name}: {message}");
        }
    }

    #[test]
    fn class_files_inside_a_jar_are_left_to_the_jar() {
        let class = [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 61, 0, 10];
        let path = oversight_model::DeliveryPath::root("lib/app.jar").join("com/example/App.class");
        let file = oversight_detect::FileInfo {
            path: &path,
            class: oversight_model::FileClass::Binary,
            size: Some(class.len() as u64),
        };
        let mut found: Vec<Emit> = Vec::new();
        for detector in oversight_malicious::detectors() {
            detector.check_head(&file, &class, &mut found);
        }
        assert!(found.is_empty(), "{:#?}", messages(&found));
    }

    /// A file of this machine, or `None` (with the reason printed) when the
    /// machine has none.
    fn system_file(what: &str, candidates: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
        let found = candidates.into_iter().find(|p| p.is_file());
        if found.is_none() {
            println!("skipping {what}: none on this machine");
        }
        found
    }

    fn first_in(dir: &str, suffix: &str) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|entries| {
                let mut paths: Vec<_> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.to_string_lossy().ends_with(suffix))
                    .collect();
                paths.sort();
                paths
            })
            .unwrap_or_default()
    }

    #[test]
    fn real_binaries_of_this_machine() {
        let mut checked = 0;
        let cases: Vec<(&str, Vec<PathBuf>, &str, &str, &str)> = vec![
            (
                "an ELF executable",
                vec!["/bin/ls".into(), "/usr/bin/ls".into()],
                "bin/ls",
                "malicious.compiled-artifact",
                "ELF 64-bit x86-64",
            ),
            (
                "a Python bytecode cache",
                first_in("/usr/lib/python3.11/__pycache__", ".pyc")
                    .into_iter()
                    .chain(first_in("/usr/lib/python3.13/__pycache__", ".pyc"))
                    .collect(),
                "lib/__pycache__/x.pyc",
                "malicious.compiled-bytecode",
                "bytecode (magic",
            ),
            (
                "a Java class",
                vec!["/usr/share/gettext/javaversion.class".into()],
                "javaversion.class",
                "malicious.compiled-bytecode",
                "Java class file",
            ),
            (
                "a static library",
                first_in("/usr/lib/gcc/x86_64-linux-gnu/12", ".a")
                    .into_iter()
                    .chain(first_in("/usr/lib/x86_64-linux-gnu", ".a"))
                    .collect(),
                "lib/libx.a",
                "malicious.compiled-artifact",
                "static library (ar archive)",
            ),
            (
                "a Java archive",
                first_in("/usr/share/java", ".jar"),
                "lib/x.jar",
                "malicious.compiled-bytecode",
                "Java archive",
            ),
        ];
        for (what, candidates, name, rule, description) in cases {
            let Some(path) = system_file(what, candidates) else {
                continue;
            };
            let content = fs_read(&path);
            let head = &content[..content.len().min(oversight_detect::HEAD_LEN)];
            let found = scan(name, head);
            let compiled: Vec<_> = found
                .iter()
                .filter(|e| e.rule.id.starts_with("malicious.compiled"))
                .collect();
            assert_eq!(
                compiled.len(),
                1,
                "{}: {:#?}",
                path.display(),
                messages(&found)
            );
            assert_eq!(compiled[0].rule.id, rule, "{}", path.display());
            assert!(
                compiled[0].message.contains(description),
                "{}: {}",
                path.display(),
                compiled[0].message
            );
            println!("{}: {}", path.display(), compiled[0].message);
            checked += 1;
        }
        assert!(checked >= 1, "no system binary at all");
    }
}

mod fixtures {
    use super::*;

    const INSTALL: &str = "malicious.install-script";
    const SETUP_PY: &str = "malicious.setup-py-execution";
    const BUILD: &str = "malicious.build-script";
    const DOWNLOAD: &str = "malicious.download-and-execute";
    const PAYLOAD: &str = "malicious.obfuscated-payload";
    const DECODE: &str = "malicious.decode-and-execute";
    // Behaviour rules (crate `oversight-behaviour`) that fire on the same fixtures.
    const DECODE_EXEC: &str = "malicious.decode-then-exec";
    const DECODED_CODE: &str = "malicious.decoded-code";
    const DOWNLOAD_EXEC: &str = "malicious.download-and-exec";
    const DOWNLOAD_EXE: &str = "malicious.download-executable";
    const PIPE: &str = "malicious.shell-download-pipe-line";
    const PS_ENC: &str = "malicious.powershell-encoded-command";

    #[test]
    fn malicious_samples() {
        let cases: &[(&str, &[&str])] = &[
            ("malicious/npm/ua-parser-js/package.json", &[INSTALL]),
            (
                "malicious/npm/ua-parser-js/preinstall.sh",
                &[
                    DOWNLOAD,
                    DOWNLOAD_EXE,
                    DOWNLOAD_EXEC,
                    "malicious.raw-ip-endpoint",
                ],
            ),
            ("malicious/npm/ua-parser-js/preinstall.bat", &[DOWNLOAD]),
            (
                "malicious/npm/event-stream/flatmap-stream.min.js",
                &[
                    DECODE,
                    "malicious.module-compiled-from-string",
                    "malicious.module-name-decoded",
                ],
            ),
            ("malicious/npm/event-stream/test/data.js", &[]),
            (
                "malicious/npm/stealer/index.js",
                &[PAYLOAD, DECODE, DECODE_EXEC, DECODED_CODE],
            ),
            ("malicious/npm/stealer/obfuscated.js", &[PAYLOAD]),
            (
                "malicious/pypi/colourama/setup.py",
                &[
                    SETUP_PY,
                    PAYLOAD,
                    DECODE_EXEC,
                    DECODED_CODE,
                    "malicious.install-command-override",
                ],
            ),
            (
                "malicious/pypi/w4sp/__init__.py",
                &[PAYLOAD, DECODE_EXEC, DECODED_CODE],
            ),
            ("malicious/pypi/fernet/__init__.py", &[PAYLOAD]),
            ("malicious/pypi/pyfuscate/main.py", &[PAYLOAD]),
            (
                "malicious/pypi/loader/__init__.py",
                &[DOWNLOAD, DOWNLOAD_EXEC, "malicious.import-time-network"],
            ),
            ("malicious/build/install.sh", &[DOWNLOAD, PIPE]),
            ("malicious/build/Makefile", &[DOWNLOAD, PIPE]),
            ("malicious/build/Dockerfile", &[DOWNLOAD, PIPE]),
            ("malicious/build/release.yml", &[DOWNLOAD]),
            (
                "malicious/build/CMakeLists.txt",
                &[DOWNLOAD, "malicious.cmake-download"],
            ),
            (
                "malicious/powershell/dropper.ps1",
                // The PowerShell grammar follows the decoded text into `iex`.
                &[DOWNLOAD, DECODE, PS_ENC, PIPE, "malicious.decode-then-exec"],
            ),
            (
                "malicious/powershell/launch.cmd",
                &[DECODE, PS_ENC, "malicious.detached-execution"],
            ),
            ("malicious/cargo/build.rs", &[BUILD, DOWNLOAD, PIPE]),
        ];
        for (name, expected) in cases {
            check_fixture(name, expected);
        }
    }

    #[test]
    fn messages_quote_what_was_found() {
        let found = check_fixture("malicious/npm/ua-parser-js/package.json", &[INSTALL]);
        assert_eq!(found[0].line_col, Some((8, 5)));
        assert!(
            found[0]
                .message
                .contains("`preinstall`: `start /B node preinstall.js & node preinstall.js`"),
            "{}",
            found[0].message
        );

        let found = check_fixture(
            "malicious/npm/ua-parser-js/preinstall.sh",
            &[
                DOWNLOAD,
                DOWNLOAD_EXE,
                DOWNLOAD_EXEC,
                "malicious.raw-ip-endpoint",
            ],
        );
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("saves it and makes it executable")
                    && e.line_col == Some((9, 1))),
            "{:#?}",
            messages(&found)
        );

        let found = check_fixture(
            "malicious/pypi/colourama/setup.py",
            &[
                SETUP_PY,
                PAYLOAD,
                DECODE_EXEC,
                DECODED_CODE,
                "malicious.install-command-override",
            ],
        );
        let payload = found
            .iter()
            .find(|e| e.rule.id == PAYLOAD)
            .expect("payload");
        assert_eq!(payload.line_col, Some((11, 9)));
        assert!(
            payload
                .message
                .contains("decodes to `# Oversight test fixture"),
            "{}",
            payload.message
        );
        assert!(found.iter().any(|e| {
            e.message
                .contains("replaces the `install` command with `PostInstallCommand`")
        }));

        let found = check_fixture(
            "malicious/powershell/launch.cmd",
            &[DECODE, PS_ENC, "malicious.detached-execution"],
        );
        assert!(
            found[0].message.contains("decodes to `Write-Host 'inert'`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn benign_counterparts_are_quiet() {
        for name in [
            "benign/npm/package.json",
            "benign/pypi/setup.py",
            "benign/build/Makefile",
            "benign/build/README.md",
            "benign/build/fetch-api.sh",
            "benign/js/widgets.min.js",
            "benign/js/i18n.js",
        ] {
            check_fixture(name, &[]);
        }
    }

    #[test]
    fn python_standard_library_is_quiet() {
        let dir = [
            "/usr/lib/python3.11",
            "/usr/lib/python3.13",
            "/usr/lib/python3.12",
        ]
        .into_iter()
        .find(|d| Path::new(d).join("base64.py").is_file());
        let Some(dir) = dir else {
            println!("skipping: no Python standard library on this machine");
            return;
        };
        let base64 = Path::new(dir).join("base64.py");
        check(&base64, "vendor/python/base64.py", &[]);
        let mut scanned = 0;
        let mut noisy = Vec::new();
        for path in files_under(Path::new(dir))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
        {
            if path.components().count() > 6 || path.to_string_lossy().contains("/test") {
                continue;
            }
            let name = relative(&path, dir);
            let found = scan(&name, &fs_read(&path));
            let obfuscation: Vec<_> = found
                .iter()
                .filter(|e| {
                    matches!(
                        e.rule.id,
                        "malicious.obfuscated-payload"
                            | "malicious.decode-and-execute"
                            | "malicious.mixed-script-identifier"
                    )
                })
                .collect();
            if !obfuscation.is_empty() {
                noisy.push(format!(
                    "{name}: {:?}",
                    obfuscation.iter().map(|e| &e.message).collect::<Vec<_>>()
                ));
            }
            scanned += 1;
        }
        assert!(scanned > 100, "only {scanned} files");
        assert!(noisy.is_empty(), "{noisy:#?}");
    }

    #[test]
    fn jquery_of_this_machine_is_quiet() {
        let path = Path::new("/usr/share/javascript/jquery/jquery.min.js");
        if !path.is_file() {
            println!("skipping: no {}", path.display());
            return;
        }
        check(path, "vendor/jquery.min.js", &[]);
    }

    #[test]
    fn minified_javascript_of_this_machine_is_quiet() {
        let Some(home) = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")))
        else {
            println!("skipping: no rustup home");
            return;
        };
        let docs: Vec<PathBuf> = std::fs::read_dir(home.join("toolchains"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path().join("share/doc/rust/html/static.files"))
            .filter(|p| p.is_dir())
            .collect();
        let Some(dir) = docs.first() else {
            println!("skipping: no rustdoc static files under {}", home.display());
            return;
        };
        let mut scanned = 0;
        for path in files_under(dir)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "js"))
        {
            let name = format!(
                "static/{}",
                path.file_name().expect("a name").to_string_lossy()
            );
            check(&path, &name, &[]);
            scanned += 1;
        }
        assert!(scanned > 0, "no JavaScript in {}", dir.display());
    }
}

mod rules {

    #[test]
    fn every_rule_id() {
        let rules = oversight_malicious::rules();
        let got: Vec<(&str, &str)> = rules
            .iter()
            .map(|r| (r.id, r.default_severity.as_str()))
            .collect();
        let behaviour: Vec<&str> = oversight_behaviour::Behaviour::builtin()
            .expect("the behaviour rules")
            .rule_set()
            .rules()
            .iter()
            .map(|r| r.rule.id)
            .chain([
                "coverage.behaviour-analysis-incomplete",
                "malicious.install-hook-behaviour",
            ])
            .collect();
        assert_eq!(
            got[11..].iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            behaviour
        );
        assert_eq!(
            got[..11],
            [
                ("malicious.bidi-control", "high"),
                ("malicious.invisible-character", "high"),
                ("malicious.mixed-script-identifier", "high"),
                ("malicious.compiled-artifact", "high"),
                ("malicious.compiled-bytecode", "medium"),
                ("malicious.install-script", "low"),
                ("malicious.setup-py-execution", "low"),
                ("malicious.build-script", "medium"),
                ("malicious.download-and-execute", "high"),
                ("malicious.obfuscated-payload", "high"),
                ("malicious.decode-and-execute", "high"),
            ]
        );
        let mut unique: Vec<_> = rules.iter().map(|r| r.id).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), rules.len(), "rule ids are unique");
        for rule in &rules {
            if rule.id.starts_with("coverage.") {
                assert_eq!(rule.category, oversight_model::Category::Coverage);
                continue;
            }
            let name = rule
                .id
                .strip_prefix("malicious.")
                .expect("malicious. prefix");
            assert!(
                !name.is_empty()
                    && name.split('-').all(|w| !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "{} is not kebab-case",
                rule.id
            );
            assert_eq!(rule.category, oversight_model::Category::Malicious);
            assert!(
                !rule.summary.is_empty() && !rule.help.is_empty(),
                "{}",
                rule.id
            );
        }
        let names: Vec<_> = oversight_malicious::detectors()
            .iter()
            .map(|d| d.name())
            .collect();
        assert_eq!(
            names,
            [
                "bidi",
                "invisible",
                "homoglyph",
                "executables",
                "install_hooks",
                "obfuscation",
                "behaviour"
            ]
        );
    }
}

mod robustness {
    use super::*;

    /// A deterministic pseudo-random byte source (xorshift64*).
    fn random_bytes(len: usize, mut state: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect()
    }

    /// Pattern fragments and truncated UTF-8 that steer detectors into their
    /// slow and fiddly paths.
    const FRAGMENTS: [&[u8]; 16] = [
        b"eval(",
        b"exec(atob(",
        b"\xe2\x80\xae",
        b"\xe2\x80",
        b"\xf3\xa0\x80",
        b"\xd0\xb0",
        b"curl x | sh",
        b"base64 -d | sh",
        b"_0x1a2b",
        b"(![]+[])",
        b"\\x41\\x42",
        b"Function(",
        b"powershell -enc ",
        b"\xef\xb8\x8f",
        b"chr(1)+",
        b"\"",
    ];

    fn assert_quick(name: &str, content: &[u8], limit: Duration) {
        let started = Instant::now();
        let _ = scan(name, content);
        let elapsed = started.elapsed();
        assert!(
            elapsed < limit,
            "{name}: {} bytes took {elapsed:?}",
            content.len()
        );
    }

    #[test]
    fn random_and_invalid_bytes_do_not_panic() {
        for seed in 1..=8u64 {
            let mut content = random_bytes(64 * 1024, seed);
            // Sprinkle fragments so that every detector has hits to chew on.
            for (i, chunk) in content.clone().chunks(997).enumerate() {
                let fragment = FRAGMENTS[(i + seed as usize) % FRAGMENTS.len()];
                let at = i * 997 + chunk.len() / 2;
                content.splice(at..at, fragment.iter().copied());
            }
            for name in [
                "x.js",
                "setup.py",
                "package.json",
                "build.rs",
                "README.md",
                "Makefile",
            ] {
                assert_quick(name, &content, Duration::from_secs(30));
            }
        }
        for head in [
            &b"\x7fELF\x02\x01"[..],
            b"MZ\x90\0",
            b"\xca\xfe\xba\xbe\0\0\0\x02",
            b"!<arch>\n",
            b"\0asm",
        ] {
            let mut content = head.to_vec();
            content.extend(random_bytes(4096, 99));
            assert_quick("blob.bin", &content, Duration::from_secs(5));
        }
    }

    #[test]
    fn a_five_megabyte_single_line_is_quick() {
        let mut line = Vec::with_capacity(5 * 1024 * 1024 + 64);
        let mut i = 0usize;
        while line.len() < 5 * 1024 * 1024 {
            line.extend_from_slice(b"var a");
            line.extend_from_slice(i.to_string().as_bytes());
            line.extend_from_slice(b"=function(e){return e};");
            if i.is_multiple_of(97) {
                line.extend_from_slice(FRAGMENTS[i % FRAGMENTS.len()]);
            }
            i += 1;
        }
        assert_quick("bundle.min.js", &line, Duration::from_secs(60));
        let random = random_bytes(5 * 1024 * 1024, 7)
            .into_iter()
            .map(|b| if b == b'\n' { b' ' } else { b })
            .collect::<Vec<_>>();
        assert_quick("blob.js", &random, Duration::from_secs(60));
    }
}
