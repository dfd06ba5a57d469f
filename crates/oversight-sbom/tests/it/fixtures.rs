//! Hand-made inventory records mirroring real lockfile entries under
//! /work/shared/corpora/real-lockfiles and lockfile-fixtures (file and line
//! given for each).

use oversight_model::{
    Component, ComponentHash, DeliveryPath, DependencyScope as Scope, Directness, Ecosystem,
};
use oversight_sbom::{Delivery, SbomInput, SbomVulnerability, Tool};

#[allow(clippy::too_many_arguments)]
pub fn component(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    purl: &str,
    source: &str,
    line: u32,
    directness: Directness,
    scope: Scope,
) -> Component {
    Component {
        ecosystem,
        name: name.into(),
        version: version.into(),
        purl: purl.into(),
        directness,
        scope,
        source: DeliveryPath::root(source),
        line: Some(line),
        hashes: Vec::new(),
        license: None,
        depends_on: Vec::new(),
    }
}

fn hash(algorithm: &'static str, hex: &str) -> ComponentHash {
    ComponentHash {
        algorithm,
        hex: hex.into(),
    }
}

pub const AHO_SHA256: &str = "c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba";
pub const CODE_FRAME_SHA512: &str = "84da552e51a55795a50b3589116edb2f9e368a647d266380683775f18effd9acd4521b0246bebd0b049a7f32af1f87b1e8475d3bcb665f876bd04ade8da99697";

/// A delivery with a Rust workspace (ruff's Cargo.lock), a JavaScript part
/// (babel's yarn.lock), a Go module (prometheus's go.sum), a Python part
/// (ruff's uv.lock), a Maven pom (osv-scanner's maven-transitive fixture) and
/// a PHP part (composer's composer.lock).
pub fn components() -> Vec<Component> {
    use Directness::*;
    use Ecosystem::*;
    let mut out = Vec::new();

    // ruff Cargo.lock lines 11-18: aho-corasick 1.1.5 depends on memchr.
    let mut aho = component(
        CratesIo,
        "aho-corasick",
        "1.1.5",
        "pkg:cargo/aho-corasick@1.1.5",
        "Cargo.lock",
        12,
        Transitive,
        Scope::Runtime,
    );
    aho.hashes.push(hash("SHA-256", AHO_SHA256));
    aho.license = Some("Unlicense OR MIT".into());
    aho.depends_on.push("memchr".into());
    // The same crate recorded again by a nested lockfile of the delivery.
    let mut aho_nested = aho.clone();
    aho_nested.source = DeliveryPath::root("playground/Cargo.lock");
    aho_nested.line = Some(40);
    out.push(aho);
    out.push(aho_nested);
    // Cargo.lock line 2131.
    let mut memchr = component(
        CratesIo,
        "memchr",
        "2.8.3",
        "pkg:cargo/memchr@2.8.3",
        "Cargo.lock",
        2131,
        Transitive,
        Scope::Runtime,
    );
    memchr.hashes.push(hash(
        "SHA-256",
        "cf8baf1c55e62ffcace7a9f06f4bd9cd3f0c4beb022d3b367256b91b87513d98",
    ));
    memchr.license = Some("Unlicense OR MIT".into());
    out.push(memchr);
    // Cargo.lock lines 61 and 76: two versions of anstream.
    let mut anstream_old = component(
        CratesIo,
        "anstream",
        "0.6.21",
        "pkg:cargo/anstream@0.6.21",
        "Cargo.lock",
        61,
        Transitive,
        Scope::Runtime,
    );
    anstream_old.license = Some("MIT OR Apache-2.0".into());
    let mut anstream_new = anstream_old.clone();
    anstream_new.version = "1.0.0".into();
    anstream_new.purl = "pkg:cargo/anstream@1.0.0".into();
    anstream_new.line = Some(76);
    anstream_new.directness = Direct;
    // A crates.io-style licence with the old `/` separator.
    anstream_new.license = Some("MIT/Apache-2.0".into());
    out.push(anstream_old);
    out.push(anstream_new);

    // babel yarn.lock line 316: @babel/code-frame 7.29.7 with its sha512.
    let mut code_frame = component(
        Npm,
        "@babel/code-frame",
        "7.29.7",
        "pkg:npm/%40babel/code-frame@7.29.7",
        "js/yarn.lock",
        316,
        Direct,
        Scope::Development,
    );
    code_frame.hashes.push(hash("SHA-512", CODE_FRAME_SHA512));
    code_frame.license = Some("MIT".into());
    code_frame.depends_on.push("js-tokens@4.0.0".into());
    out.push(code_frame);
    // yarn.lock line 12670.
    let mut js_tokens = component(
        Npm,
        "js-tokens",
        "4.0.0",
        "pkg:npm/js-tokens@4.0.0",
        "js/yarn.lock",
        12670,
        Transitive,
        Scope::Development,
    );
    js_tokens.license = Some("MIT".into());
    out.push(js_tokens);
    // A package.json dependency without a pinned version and without purl.
    let mut unpinned = component(
        Npm,
        "left-pad",
        "",
        "",
        "js/package.json",
        9,
        Direct,
        Scope::Optional,
    );
    unpinned.line = None;
    out.push(unpinned);

    // prometheus go.sum line 103: an h1: hash is not hex, so not a hash here.
    out.push(component(
        Go,
        "github.com/cespare/xxhash/v2",
        "v2.3.0",
        "pkg:golang/github.com/cespare/xxhash/v2@v2.3.0",
        "go.sum",
        103,
        Unknown,
        Scope::Unknown,
    ));

    // ruff uv.lock line 1723: typing-extensions 4.16.0, sdist sha256.
    let mut typing = component(
        PyPI,
        "typing-extensions",
        "4.16.0",
        "pkg:pypi/typing-extensions@4.16.0",
        "uv.lock",
        1723,
        Transitive,
        Scope::Runtime,
    );
    typing.hashes.push(hash(
        "SHA-256",
        "dc983d19a509c94dba722ee6abd33940f7c05a89e243c47e907eb4db6f1a43e5",
    ));
    typing.license = Some("PSF-2.0".into());
    out.push(typing);

    // osv-scanner maven-transitive pom.xml lines 16-20.
    let mut log4j = component(
        Maven,
        "org.apache.logging.log4j:log4j-web",
        "2.14.1",
        "pkg:maven/org.apache.logging.log4j/log4j-web@2.14.1",
        "java/pom.xml",
        17,
        Direct,
        Scope::Runtime,
    );
    log4j.license = Some("Apache-2.0".into());
    out.push(log4j);

    // composer composer.lock line 10: composer/ca-bundle 1.5.12, MIT; the
    // second record has a licence text that is no SPDX expression.
    let mut ca_bundle = component(
        Packagist,
        "composer/ca-bundle",
        "1.5.12",
        "pkg:composer/composer/ca-bundle@1.5.12",
        "php/composer.lock",
        10,
        Direct,
        Scope::Runtime,
    );
    ca_bundle.license = Some("MIT".into());
    out.push(ca_bundle);
    let mut custom = component(
        Packagist,
        "acme/internal-sdk",
        "3.1.0",
        "pkg:composer/acme/internal-sdk@3.1.0",
        "php/composer.lock",
        120,
        Direct,
        Scope::Runtime,
    );
    custom.license = Some("proprietary (see LICENSE.txt)".into());
    out.push(custom);
    out
}

pub fn vulnerabilities() -> Vec<SbomVulnerability> {
    vec![SbomVulnerability {
        id: "GHSA-7rjr-3q55-vv33".into(),
        aliases: vec!["CVE-2021-45046".into()],
        source_name: Some("GitHub Advisory Database".into()),
        source_url: Some("https://github.com/advisories/GHSA-7rjr-3q55-vv33".into()),
        description: Some("Incomplete fix for Apache Log4j vulnerability".into()),
        affects: vec!["pkg:maven/org.apache.logging.log4j/log4j-web@2.14.1?type=jar".into()],
        analysis: Some(oversight_sbom::Analysis {
            status: oversight_sbom::VexStatus::NotAffected,
            justification: Some(oversight_sbom::Justification::VulnerableCodeNotInExecutePath),
            detail: Some("JNDI lookups are disabled by configuration".into()),
        }),
    }]
}

pub fn input<'a>(
    components: &'a [Component],
    vulnerabilities: &'a [SbomVulnerability],
) -> SbomInput<'a> {
    SbomInput {
        delivery: Delivery {
            name: "acme-portal release 2.3".into(),
            version: Some("2.3.0".into()),
        },
        tool: Tool {
            name: "oversight".into(),
            version: "0.1.0".into(),
        },
        timestamp: "2025-03-01T10:00:00Z".into(),
        seed: "scan-42".into(),
        components,
        vulnerabilities,
    }
}
