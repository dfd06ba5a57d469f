//! Supplier SBOM against derived inventory.

use oversight_model::Ecosystem;
use oversight_sbom::{DiffPackage, VersionMismatch, diff, read_sbom};

use crate::fixtures;
use crate::read::{SUPPLIER_CDX, SUPPLIER_SPDX_2_2, osv_sbom};

#[test]
fn supplier_cyclonedx_differences() {
    let components = fixtures::components();
    let sbom = read_sbom("supplier.cdx.json", SUPPLIER_CDX.as_bytes()).unwrap();
    let d = diff(&sbom.entries, &components);
    let missing: Vec<&str> = d.missing.iter().map(|p| p.identity.as_str()).collect();
    assert_eq!(missing, ["cargo//memchr", "composer/acme/internal-sdk"]);
    assert_eq!(d.missing[0].versions, ["2.8.3"]);
    assert_eq!(d.missing[0].ecosystem, Some(Ecosystem::CratesIo));
    assert_eq!(
        d.extra,
        [DiffPackage {
            identity: "npm//lodash".into(),
            name: "lodash".into(),
            ecosystem: Some(Ecosystem::Npm),
            versions: vec!["4.17.21".into()],
            purl: Some("pkg:npm/lodash@4.17.21".into()),
        }]
    );
    assert_eq!(
        d.version_mismatches,
        [VersionMismatch {
            identity: "cargo//aho-corasick".into(),
            name: "aho-corasick".into(),
            ecosystem: Some(Ecosystem::CratesIo),
            supplied: vec!["1.1.4".into()],
            derived: vec!["1.1.5".into()],
        }]
    );
}

#[test]
fn a_missing_version_of_two_is_a_mismatch() {
    let components = fixtures::components();
    let sbom = read_sbom("supplier.cdx.json", SUPPLIER_CDX.as_bytes()).unwrap();
    let entries: Vec<_> = sbom
        .entries
        .into_iter()
        .filter(|e| e.purl.as_deref() != Some("pkg:cargo/anstream@0.6.21"))
        .collect();
    let d = diff(&entries, &components);
    let anstream = d
        .version_mismatches
        .iter()
        .find(|m| m.name == "anstream")
        .expect("anstream mismatch");
    assert_eq!(anstream.supplied, ["1.0.0"]);
    assert_eq!(anstream.derived, ["0.6.21", "1.0.0"]);
}

#[test]
fn spdx_supplier_and_os_packages() {
    let components = fixtures::components();
    let sbom = read_sbom("supplier.spdx.json", SUPPLIER_SPDX_2_2.as_bytes()).unwrap();
    let d = diff(&sbom.entries, &components);
    // The described product is not a package; zlib has no purl and no
    // derived package of that name.
    let extra: Vec<&str> = d.extra.iter().map(|p| p.identity.as_str()).collect();
    assert_eq!(extra, ["name:zlib"]);
    // 12 packages, 11 identities (anstream twice); all but memchr.
    assert_eq!(d.missing.len(), 10);
    assert!(d.version_mismatches.is_empty());

    let alpine = read_sbom(
        "alpine-zlib-16.cdx.json",
        &osv_sbom("alpine-zlib-16.cdx.json"),
    )
    .unwrap();
    let d = diff(&alpine.entries, &components);
    let extra: Vec<&str> = d.extra.iter().map(|p| p.identity.as_str()).collect();
    assert_eq!(extra, ["apk/alpine/zlib"]);
    assert_eq!(d.extra[0].versions, ["1.2.12-r1"]);
    assert_eq!(d.missing.len(), 11);
}

#[test]
fn empty_sides() {
    let components = fixtures::components();
    let d = diff(&[], &components);
    // One entry per identity: the two anstream versions are one package.
    assert_eq!(d.missing.len(), 11);
    let anstream = d.missing.iter().find(|p| p.name == "anstream").unwrap();
    assert_eq!(anstream.versions, ["0.6.21", "1.0.0"]);
    assert!(d.extra.is_empty());
    assert!(diff(&[], &[]).is_empty());
}
