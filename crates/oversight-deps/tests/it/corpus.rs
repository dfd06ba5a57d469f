//! Every lockfile of both corpora: recognised by name through the detector,
//! and every fixture of a format's test directory through `parse_as`.

use std::path::Path;

use oversight_deps::{Format, Parsed, parse_as};
use oversight_model::DeliveryPath;

use crate::common::{corpora, run};

/// Fixture directories and the format their files are in (the fixtures are
/// named after their case, not after the lockfile).
pub const FIXTURE_DIRS: &[(&str, Format)] = &[
    (
        "osv-scanner/pkg/lockfile/fixtures/bundler",
        Format::GemfileLock,
    ),
    ("osv-scanner/pkg/lockfile/fixtures/cargo", Format::CargoLock),
    (
        "osv-scanner/pkg/lockfile/fixtures/composer",
        Format::ComposerLock,
    ),
    ("osv-scanner/pkg/lockfile/fixtures/conan", Format::ConanLock),
    ("osv-scanner/pkg/lockfile/fixtures/go", Format::GoMod),
    (
        "osv-scanner/pkg/lockfile/fixtures/gradle",
        Format::GradleLockfile,
    ),
    ("osv-scanner/pkg/lockfile/fixtures/maven", Format::PomXml),
    ("osv-scanner/pkg/lockfile/fixtures/mix", Format::MixLock),
    ("osv-scanner/pkg/lockfile/fixtures/npm", Format::NpmLock),
    ("osv-scanner/pkg/lockfile/fixtures/nuget", Format::NugetLock),
    ("osv-scanner/pkg/lockfile/fixtures/pdm", Format::PdmLock),
    (
        "osv-scanner/pkg/lockfile/fixtures/pip",
        Format::Requirements,
    ),
    (
        "osv-scanner/pkg/lockfile/fixtures/pipenv",
        Format::PipfileLock,
    ),
    ("osv-scanner/pkg/lockfile/fixtures/pnpm", Format::PnpmLock),
    (
        "osv-scanner/pkg/lockfile/fixtures/poetry",
        Format::PoetryLock,
    ),
    ("osv-scanner/pkg/lockfile/fixtures/pub", Format::PubspecLock),
    ("osv-scanner/pkg/lockfile/fixtures/yarn", Format::YarnLock),
    (
        "osv-scalibr/extractor/filesystem/language/cpp/conanlock/testdata",
        Format::ConanLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/dart/pubspec/testdata",
        Format::PubspecLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson/testdata",
        Format::NugetLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/elixir/mixlock/testdata",
        Format::MixLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/erlang/mixlock/testdata",
        Format::MixLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/golang/gomod/testdata",
        Format::GoMod,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/java/gradlelockfile/testdata",
        Format::GradleLockfile,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/java/pomxml/testdata",
        Format::PomXml,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/javascript/packagelockjson/testdata",
        Format::NpmLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/javascript/pnpmlock/testdata",
        Format::PnpmLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/javascript/yarnlock/testdata",
        Format::YarnLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/php/composerlock/testdata",
        Format::ComposerLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/python/pdmlock/testdata",
        Format::PdmLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/python/pipfilelock/testdata",
        Format::PipfileLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/python/poetrylock/testdata",
        Format::PoetryLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/python/requirements/testdata",
        Format::Requirements,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/python/uvlock/testdata",
        Format::UvLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/ruby/gemfilelock/testdata",
        Format::GemfileLock,
    ),
    (
        "osv-scalibr/extractor/filesystem/language/rust/cargolock/testdata",
        Format::CargoLock,
    ),
];

/// The format of a fixture file: by its directory, with go.sum files of the
/// Go directories read as go.sum.
pub fn fixture_format(dir_format: Format, file: &Path) -> Format {
    match (dir_format, file.extension().and_then(|e| e.to_str())) {
        (Format::GoMod, Some("sum")) => Format::GoSum,
        _ => dir_format,
    }
}

pub fn fixture_files() -> Vec<(std::path::PathBuf, Format)> {
    let root = corpora().join("lockfile-fixtures");
    let mut files = Vec::new();
    for (dir, format) in FIXTURE_DIRS {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.expect("walk");
            if entry.file_type().is_file() && entry.file_name() != "LICENSE" {
                let f = fixture_format(*format, entry.path());
                files.push((entry.path().to_path_buf(), f));
            }
        }
    }
    files
}

pub fn parse_file(path: &Path, format: Format) -> Parsed {
    let content = std::fs::read(path).expect("read fixture");
    parse_as(
        format,
        &DeliveryPath::root(path.display().to_string()),
        &content,
    )
}

fn rules_of(parsed: &Parsed) -> Vec<&'static str> {
    parsed.problems.iter().map(|p| p.rule().id).collect()
}

const MALFORMED: &str = "coverage.lockfile-malformed";
const SKIPPED: &str = "coverage.lockfile-entry-skipped";

/// Fixtures that list no third-party component, read one by one: empty
/// files and documents, locks of projects without dependencies, files whose
/// only entries are local (`file:`, `path`, `sdk`) or includes.
const LIST_NOTHING: &[&str] = &[
    "no-packages",
    "no-gems",
    "no-gem-section",
    "no-spec-section",
    "only-comments",
    "only-empty",
    "metadata-only",
    "source-path",
    "source-sdk",
    "no-dependencies",
    "missing-packages",
    "loop",
    "other-loop",
    "yarn/files.v2",
    "yarnlock/testdata/files.v2",
    "pnpm/files",
    "pnpmlock/testdata/files",
];

#[derive(Debug, PartialEq)]
enum Expect {
    /// Not the format at all: a malformed finding and nothing else.
    Malformed,
    /// Partly broken: a malformed or skipped-entry finding.
    Broken,
    /// Lists nothing.
    Nothing,
    /// At least one component and no malformed finding.
    Components,
}

fn expectation(rel: &str) -> Expect {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let stem = file.split('.').next().unwrap_or(file);
    let without_ext = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
    if stem.starts_with("not-") || stem == "null" || stem == "invalid-syntax" || rel.ends_with("invalid/invalid")
        // A go.sum fixture whose content is one sentence of prose.
        || rel.ends_with("gomod/testdata/indirect-1.23.sum")
    {
        Expect::Malformed
    } else if stem.contains("invalid") {
        Expect::Broken
    } else if stem.contains("empty")
        || LIST_NOTHING
            .iter()
            .any(|n| stem == *n || without_ext.ends_with(n))
    {
        Expect::Nothing
    } else {
        Expect::Components
    }
}

#[test]
fn every_fixture_of_every_format_parses_as_expected() {
    let root = corpora().join("lockfile-fixtures");
    let files = fixture_files();
    assert!(files.len() > 400, "only {} fixtures found", files.len());
    let mut failures = Vec::new();
    for (path, format) in files {
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        let parsed = parse_file(&path, format);
        let rules = rules_of(&parsed);
        let n = parsed.components.len();
        let ok = match expectation(&rel) {
            Expect::Malformed => n == 0 && rules.contains(&MALFORMED),
            Expect::Broken => rules.contains(&MALFORMED) || rules.contains(&SKIPPED),
            Expect::Nothing => n == 0 && !rules.contains(&MALFORMED),
            Expect::Components => n >= 1 && !rules.contains(&MALFORMED),
        };
        if !ok {
            failures.push(format!(
                "{rel} ({format}): expected {:?}, got {n} components, {rules:?}",
                expectation(&rel)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Recognised by name: recognised lockfiles of both corpora, through the
/// detector's `Detector` interface.
#[test]
fn every_recognised_file_of_both_corpora_goes_through_the_detector() {
    // Projects without dependencies (go.mod with only `module` and `go`).
    const NO_DEPENDENCIES: &[&str] = &[
        "osv-scanner-head/cmd/osv-scanner/scan/source/testdata/go-project/go.mod",
        "osv-scanner-head/cmd/osv-scanner/scan/source/testdata/go-project/nested/go.mod",
    ];
    // The one recognised file with broken content (a doubled comma).
    const BROKEN: &[&str] = &["locks-many-with-invalid/composer.lock"];
    let mut seen = 0;
    let mut failures = Vec::new();
    for base in ["lockfile-fixtures", "real-lockfiles"] {
        for entry in walkdir::WalkDir::new(corpora().join(base)).sort_by_file_name() {
            let entry = entry.expect("walk");
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(corpora().join(base))
                .unwrap()
                .display()
                .to_string();
            let content = std::fs::read(entry.path()).unwrap();
            let Some(out) = run(&rel, &content) else {
                continue;
            };
            seen += 1;
            let rules: Vec<&str> = out.emits.iter().map(|e| e.rule.id).collect();
            let n = out.components.len();
            let ok = if BROKEN.iter().any(|b| rel.ends_with(b)) {
                rules.contains(&MALFORMED) && n == 0
            } else if rel.split('/').any(|s| s.contains("empty"))
                || NO_DEPENDENCIES.iter().any(|p| rel.ends_with(p))
            {
                n == 0 && !rules.contains(&MALFORMED)
            } else {
                n >= 1 && !rules.contains(&MALFORMED)
            };
            if !ok {
                failures.push(format!("{rel}: {n} components, {rules:?}"));
            }
            for c in &out.components {
                assert_eq!(c.source.to_string(), rel);
                assert!(
                    !c.name.is_empty() && c.purl.starts_with("pkg:"),
                    "{rel}: {c:?}"
                );
            }
        }
    }
    assert!(seen >= 68, "only {seen} recognised files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
