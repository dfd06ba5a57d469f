//! Broken and hostile input: truncated and corrupted real lockfiles, deep
//! nesting, binary noise. Nothing may panic or hang; broken files give
//! findings.

use oversight_deps::{Format, parse_as};
use oversight_detect::Emit;
use oversight_model::DeliveryPath;

use crate::common::real;

const ALL_FORMATS: [Format; 22] = [
    Format::CargoLock,
    Format::NpmLock,
    Format::YarnLock,
    Format::PnpmLock,
    Format::Requirements,
    Format::PoetryLock,
    Format::PipfileLock,
    Format::UvLock,
    Format::PdmLock,
    Format::GoMod,
    Format::GoSum,
    Format::ComposerLock,
    Format::GemfileLock,
    Format::PomXml,
    Format::GradleLockfile,
    Format::NugetLock,
    Format::PubspecLock,
    Format::MixLock,
    Format::ConanLock,
    Format::NodeModulesPackage,
    Format::PythonMetadata,
    Format::VendoredCargoToml,
];

/// A small deterministic generator, so that a failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_and_corrupted_real_lockfiles_never_panic() {
    let files = [
        ("astral-sh__ruff/Cargo.lock", Format::CargoLock),
        ("astral-sh__ruff/uv.lock", Format::UvLock),
        (
            "astral-sh__ruff/playground/package-lock.json",
            Format::NpmLock,
        ),
        ("vitejs__vite/pnpm-lock.yaml", Format::PnpmLock),
        ("babel__babel/yarn.lock", Format::YarnLock),
        ("rails__rails/yarn.lock", Format::YarnLock),
        ("rails__rails/Gemfile.lock", Format::GemfileLock),
        ("python-poetry__poetry/poetry.lock", Format::PoetryLock),
        ("composer__composer/composer.lock", Format::ComposerLock),
        ("prometheus__prometheus/go.mod", Format::GoMod),
        ("prometheus__prometheus/go.sum", Format::GoSum),
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for (rel, format) in files {
        let content = std::fs::read(real(rel)).unwrap();
        let path = DeliveryPath::root(rel);
        for _ in 0..4 {
            let cut = (rng.next() % content.len() as u64) as usize;
            let parsed = parse_as(format, &path, &content[..cut]);
            // A cut file is either still valid (line formats) or reported.
            // (rails' Gemfile.lock opens with 108 lines of its own PATH gems.)
            let only_local = format == Format::GemfileLock && cut < 3000;
            assert!(
                !parsed.components.is_empty()
                    || !parsed.problems.is_empty()
                    || cut < 200
                    || only_local,
                "{rel} cut at {cut}: nothing and no finding"
            );
            let mut corrupted = content.clone();
            for _ in 0..20 {
                let at = (rng.next() % corrupted.len() as u64) as usize;
                corrupted[at] = (rng.next() & 0xff) as u8;
            }
            let _ = parse_as(format, &path, &corrupted);
        }
    }
}

#[test]
fn deep_nesting_and_noise_never_panic() {
    let mut inputs: Vec<Vec<u8>> = vec![
        "[".repeat(100_000).into_bytes(),
        "{\"a\":".repeat(100_000).into_bytes(),
        "a = [".repeat(50_000).into_bytes(),
        "- ".repeat(50_000).into_bytes(),
        "<a>".repeat(50_000).into_bytes(),
        "%{\"a\": {".repeat(50_000).into_bytes(),
        b"\xff\xfe\x00garbage\x00\n\t  \x1b[31m".to_vec(),
        "x".repeat(1 << 20).into_bytes(),
        b"<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">]><project>&f;</project>".to_vec(),
        b"a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c]\n".to_vec(),
    ];
    let mut rng = XorShift(42);
    inputs.push((0..65_536).map(|_| (rng.next() & 0xff) as u8).collect());
    for format in ALL_FORMATS {
        for input in &inputs {
            let start = std::time::Instant::now();
            let _ = parse_as(format, &DeliveryPath::root("x"), input);
            assert!(
                start.elapsed().as_secs() < 10,
                "{format} took {:?} on a {} byte input",
                start.elapsed(),
                input.len()
            );
        }
    }
}

/// A lockfile padded to more components than any real one lists is
/// inventoried up to the cap, and the rest is a coverage finding.
#[test]
fn a_lockfile_with_too_many_components_is_capped_with_a_coverage_finding() {
    let mut text = String::new();
    for i in 0..100_005 {
        text.push_str(&format!("package-{i}==1.0.{}\n", i % 100));
    }
    let out = crate::common::run("requirements.txt", text.as_bytes()).expect("recognised");
    assert_eq!(out.components.len(), 100_000);
    let coverage: Vec<&Emit> = out
        .emits
        .iter()
        .filter(|e| e.rule.id == "coverage.lockfile-too-many-components")
        .collect();
    assert_eq!(coverage.len(), 1);
    assert!(
        coverage[0].message.contains("lists 100005 components"),
        "{}",
        coverage[0].message
    );
}
