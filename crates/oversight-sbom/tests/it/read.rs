//! Supplier SBOM readers on real and realistic documents.

use oversight_model::Ecosystem;
use oversight_sbom::{SbomEntry, SbomFormat, read_sbom};
use serde_json::Value;

use crate::{fixtures, schemas};

pub fn osv_sboms() -> std::path::PathBuf {
    oversight_test_support::corpus(
        "lockfile-fixtures/osv-scanner-head/cmd/osv-scanner/scan/source/testdata/sbom-insecure",
    )
}

pub fn osv_sbom(name: &str) -> Vec<u8> {
    std::fs::read(osv_sboms().join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
}

/// A supplier's CycloneDX 1.5 SBOM of the fixture delivery, written the way
/// cdxgen and cargo-cyclonedx write them (group/name split, unencoded `@` in
/// an npm purl, a Maven `type` qualifier, a Go version without `v`), with
/// deliberate differences: aho-corasick at 1.1.4, memchr and acme/internal-sdk
/// left out, lodash added, left-pad without purl, typing-extensions spelt
/// `Typing_Extensions`.
pub const SUPPLIER_CDX: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "version": 1,
  "metadata": {
    "timestamp": "2025-02-20T08:15:00Z",
    "component": {"type": "application", "bom-ref": "acme-portal", "name": "acme-portal", "version": "2.3.0"}
  },
  "components": [
    {"type": "library", "bom-ref": "pkg:cargo/aho-corasick@1.1.4", "name": "aho-corasick", "version": "1.1.4",
     "purl": "pkg:cargo/aho-corasick@1.1.4", "licenses": [{"expression": "Unlicense OR MIT"}]},
    {"type": "library", "bom-ref": "pkg:cargo/anstream@0.6.21", "name": "anstream", "version": "0.6.21", "purl": "pkg:cargo/anstream@0.6.21"},
    {"type": "library", "bom-ref": "pkg:cargo/anstream@1.0.0", "name": "anstream", "version": "1.0.0", "purl": "pkg:cargo/anstream@1.0.0"},
    {"type": "library", "bom-ref": "pkg:npm/@babel/code-frame@7.29.7", "group": "@babel", "name": "code-frame", "version": "7.29.7",
     "purl": "pkg:npm/@babel/code-frame@7.29.7",
     "components": [
       {"type": "library", "bom-ref": "pkg:npm/js-tokens@4.0.0", "name": "js-tokens", "version": "4.0.0", "purl": "pkg:npm/js-tokens@4.0.0"}
     ]},
    {"type": "library", "bom-ref": "left-pad", "name": "left-pad"},
    {"type": "library", "bom-ref": "pkg:npm/lodash@4.17.21", "name": "lodash", "version": "4.17.21", "purl": "pkg:npm/lodash@4.17.21"},
    {"type": "library", "bom-ref": "pkg:pypi/typing-extensions@4.16.0", "name": "Typing_Extensions", "version": "4.16.0", "purl": "pkg:pypi/Typing_Extensions@4.16.0"},
    {"type": "library", "bom-ref": "pkg:golang/github.com/cespare/xxhash/v2@2.3.0", "name": "github.com/cespare/xxhash/v2", "version": "2.3.0",
     "purl": "pkg:golang/github.com/cespare/xxhash/v2@2.3.0"},
    {"type": "library", "bom-ref": "log4j-web", "group": "org.apache.logging.log4j", "name": "log4j-web", "version": "2.14.1",
     "purl": "pkg:maven/org.apache.logging.log4j/log4j-web@2.14.1?type=jar"},
    {"type": "library", "bom-ref": "ca-bundle", "group": "composer", "name": "ca-bundle", "version": "1.5.12", "purl": "pkg:composer/composer/ca-bundle@1.5.12"},
    {"type": "file", "bom-ref": "file-1", "name": "public/index.php"}
  ]
}"#;

/// An SPDX 2.2 SBOM as older tools write it (`PACKAGE_MANAGER` with an
/// underscore, `documentDescribes`).
pub const SUPPLIER_SPDX_2_2: &str = r#"{
  "spdxVersion": "SPDX-2.2",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "acme-portal",
  "documentNamespace": "https://acme.example/spdx/acme-portal-2.3.0",
  "creationInfo": {"created": "2025-02-20T08:15:00Z", "creators": ["Organization: Acme"]},
  "documentDescribes": ["SPDXRef-Product"],
  "packages": [
    {"SPDXID": "SPDXRef-Product", "name": "acme-portal", "versionInfo": "2.3.0", "downloadLocation": "NOASSERTION"},
    {"SPDXID": "SPDXRef-memchr", "name": "memchr", "versionInfo": "2.8.3", "downloadLocation": "NOASSERTION",
     "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/memchr@2.8.3"}]},
    {"SPDXID": "SPDXRef-zlib", "name": "zlib", "versionInfo": "1.3.1", "downloadLocation": "NOASSERTION"}
  ],
  "relationships": [
    {"spdxElementId": "SPDXRef-Product", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-memchr"}
  ]
}"#;

fn entry(
    name: &str,
    version: Option<&str>,
    purl: Option<&str>,
    ecosystem: Option<Ecosystem>,
    root: bool,
) -> SbomEntry {
    SbomEntry {
        name: name.into(),
        version: version.map(Into::into),
        purl: purl.map(Into::into),
        ecosystem,
        root,
    }
}

#[test]
fn reads_scalibr_cyclonedx() {
    let sbom = read_sbom(
        "alpine-zlib-16.cdx.json",
        &osv_sbom("alpine-zlib-16.cdx.json"),
    )
    .unwrap();
    assert_eq!(sbom.format, SbomFormat::CycloneDx("1.6".into()));
    assert!(sbom.problems.is_empty());
    assert_eq!(
        sbom.entries,
        [
            entry("", None, None, None, true),
            entry(
                "zlib",
                Some("1.2.12-r1"),
                Some("pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=3.22.0&origin=zlib"),
                None,
                false
            ),
        ]
    );
}

#[test]
fn reads_scalibr_spdx() {
    let sbom = read_sbom(
        "only-unimportant.spdx.json",
        &osv_sbom("only-unimportant.spdx.json"),
    )
    .unwrap();
    assert_eq!(sbom.format, SbomFormat::Spdx("SPDX-2.3".into()));
    assert_eq!(
        sbom.entries,
        [entry(
            "libpcre3",
            Some("2:8.39-12ubuntu0.1"),
            Some("pkg:deb/ubuntu/pcre3@2%3A8.39-12ubuntu0.1?arch=amd64&distro=focal&source=pcre3"),
            None,
            false
        )]
    );
}

#[test]
fn xml_sboms_are_refused_by_name() {
    let err = read_sbom("alpine.cdx.xml", &osv_sbom("alpine.cdx.xml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("alpine.cdx.xml is not a supported document"),
        "{err}"
    );
}

#[test]
fn reads_a_supplier_cyclonedx_1_5() {
    let doc: Value = serde_json::from_str(SUPPLIER_CDX).unwrap();
    assert_eq!(
        schemas::errors(schemas::cyclonedx_1_5(), &doc),
        Vec::<String>::new()
    );
    let sbom = read_sbom("supplier.cdx.json", SUPPLIER_CDX.as_bytes()).unwrap();
    assert!(sbom.problems.is_empty());
    let names: Vec<&str> = sbom.entries.iter().map(|e| e.name.as_str()).collect();
    // The file component without purl is not a package; js-tokens is nested.
    assert_eq!(
        names,
        [
            "acme-portal",
            "aho-corasick",
            "anstream",
            "anstream",
            "@babel/code-frame",
            "js-tokens",
            "left-pad",
            "lodash",
            "Typing_Extensions",
            "github.com/cespare/xxhash/v2",
            "org.apache.logging.log4j:log4j-web",
            "composer/ca-bundle",
        ]
    );
    assert!(sbom.entries[0].root);
    assert!(sbom.entries[1..].iter().all(|e| !e.root));
    let ecosystems: Vec<Option<Ecosystem>> = sbom.entries.iter().map(|e| e.ecosystem).collect();
    assert_eq!(ecosystems[4], Some(Ecosystem::Npm));
    assert_eq!(ecosystems[8], Some(Ecosystem::PyPI));
    assert_eq!(ecosystems[9], Some(Ecosystem::Go));
    assert_eq!(ecosystems[10], Some(Ecosystem::Maven));
    assert_eq!(ecosystems[11], Some(Ecosystem::Packagist));
    assert_eq!(ecosystems[6], None, "left-pad has no purl");
}

#[test]
fn reads_a_supplier_spdx_2_2() {
    let sbom = read_sbom("supplier.spdx.json", SUPPLIER_SPDX_2_2.as_bytes()).unwrap();
    assert_eq!(
        sbom.entries,
        [
            entry("acme-portal", Some("2.3.0"), None, None, true),
            entry(
                "memchr",
                Some("2.8.3"),
                Some("pkg:cargo/memchr@2.8.3"),
                Some(Ecosystem::CratesIo),
                false
            ),
            entry("zlib", Some("1.3.1"), None, None, false),
        ]
    );
}

#[test]
fn reads_back_what_the_writers_write() {
    let components = fixtures::components();
    let input = fixtures::input(&components, &[]);
    for (name, text) in [
        ("ours.cdx.json", oversight_sbom::cyclonedx_json(&input)),
        ("ours.spdx.json", oversight_sbom::spdx_json(&input)),
    ] {
        let sbom = read_sbom(name, text.as_bytes()).unwrap();
        assert!(sbom.problems.is_empty(), "{name}");
        let roots: Vec<&SbomEntry> = sbom.entries.iter().filter(|e| e.root).collect();
        assert_eq!(roots.len(), 1, "{name}");
        assert_eq!(roots[0].name, "acme-portal release 2.3");
        assert_eq!(sbom.entries.len(), 13, "{name}");
        let diff = oversight_sbom::diff(&sbom.entries, &components);
        assert!(diff.is_empty(), "{name}: {diff:?}");
    }
}

#[test]
fn malformed_documents_name_file_and_place() {
    let cases: [(&str, &str); 4] = [
        (
            r#"{"bomFormat": "CycloneDX", "components": []}"#,
            "Invalid CycloneDX document bad.json at : `specVersion` is missing",
        ),
        (
            r#"{"spdxVersion": "SPDX-3.0", "packages": []}"#,
            "Invalid SPDX document bad.json at /spdxVersion: SPDX-3.0 is not SPDX-2.2 or SPDX-2.3",
        ),
        (
            r#"{"spdxVersion": "SPDX-2.3", "packages": 5}"#,
            "Invalid SPDX document bad.json at /packages: expected an array",
        ),
        (
            r#"{"name": "x"}"#,
            "bad.json is not a supported document: neither `bomFormat: CycloneDX` nor `spdxVersion` is present",
        ),
    ];
    for (doc, message) in cases {
        assert_eq!(
            read_sbom("bad.json", doc.as_bytes())
                .unwrap_err()
                .to_string(),
            message
        );
    }
    let sbom = read_sbom(
        "partial.spdx.json",
        br#"{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a"},{"SPDXID":"SPDXRef-b","name":"b","externalRefs":"pkg:npm/b"}]}"#,
    )
    .unwrap();
    assert_eq!(sbom.entries, [entry("b", None, None, None, false)]);
    let problems: Vec<String> = sbom.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "Invalid SPDX document partial.spdx.json at /packages/0: the package has no `name`",
            "Invalid SPDX document partial.spdx.json at /packages/1/externalRefs: expected an array",
        ]
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let base = SUPPLIER_CDX.as_bytes();
    for _ in 0..300 {
        let mut bytes = base.to_vec();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % bytes.len();
            bytes[at] = (seed >> 32) as u8;
        }
        let _ = read_sbom("fuzz.json", &bytes);
    }
}
