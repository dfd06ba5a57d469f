//! CycloneDX and SPDX output against the official schemas and the inventory.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::fixtures::{self, AHO_SHA256, CODE_FRAME_SHA512};
use crate::schemas;

fn cyclonedx() -> Value {
    let components = fixtures::components();
    let vulnerabilities = fixtures::vulnerabilities();
    let text = oversight_sbom::cyclonedx_json(&fixtures::input(&components, &vulnerabilities));
    serde_json::from_str(&text).expect("CycloneDX output is JSON")
}

fn spdx() -> Value {
    let components = fixtures::components();
    let text = oversight_sbom::spdx_json(&fixtures::input(&components, &[]));
    serde_json::from_str(&text).expect("SPDX output is JSON")
}

fn by_purl<'a>(bom: &'a Value, purl: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == purl)
        .unwrap_or_else(|| panic!("no component {purl}"))
}

#[test]
fn cyclonedx_validates_against_the_1_6_schema() {
    let bom = cyclonedx();
    assert_eq!(
        schemas::errors(schemas::cyclonedx_1_6(), &bom),
        Vec::<String>::new()
    );
    // Also without vulnerabilities and with no components at all.
    let empty = oversight_sbom::cyclonedx_json(&fixtures::input(&[], &[]));
    let empty: Value = serde_json::from_str(&empty).unwrap();
    assert_eq!(
        schemas::errors(schemas::cyclonedx_1_6(), &empty),
        Vec::<String>::new()
    );
    assert_eq!(empty["components"], Value::Array(Vec::new()));
}

#[test]
fn cyclonedx_schema_check_is_live() {
    let mut bom = cyclonedx();
    bom["components"][0]["scope"] = Value::from("sometimes");
    assert!(!schemas::errors(schemas::cyclonedx_1_6(), &bom).is_empty());
    let mut bom = cyclonedx();
    bom["components"][0]["hashes"][0]["content"] = Value::from("xyz");
    assert!(!schemas::errors(schemas::cyclonedx_1_6(), &bom).is_empty());
}

#[test]
fn cyclonedx_has_one_component_per_package() {
    let bom = cyclonedx();
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2025-03-01T10:00:00Z");
    assert_eq!(
        bom["metadata"]["component"]["name"],
        "acme-portal release 2.3"
    );
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["name"],
        "oversight"
    );
    let purls: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    // 13 records, aho-corasick twice: 12 packages, sorted by ecosystem, name, version.
    assert_eq!(
        purls,
        [
            "pkg:cargo/aho-corasick@1.1.5",
            "pkg:cargo/anstream@0.6.21",
            "pkg:cargo/anstream@1.0.0",
            "pkg:cargo/memchr@2.8.3",
            "pkg:npm/%40babel/code-frame@7.29.7",
            "pkg:npm/js-tokens@4.0.0",
            "pkg:npm/left-pad",
            "pkg:pypi/typing-extensions@4.16.0",
            "pkg:golang/github.com/cespare/xxhash/v2@v2.3.0",
            "pkg:maven/org.apache.logging.log4j/log4j-web@2.14.1",
            "pkg:composer/acme/internal-sdk@3.1.0",
            "pkg:composer/composer/ca-bundle@1.5.12",
        ]
    );
    for c in bom["components"].as_array().unwrap() {
        assert_eq!(c["bom-ref"], c["purl"]);
    }
}

#[test]
fn cyclonedx_component_details() {
    let bom = cyclonedx();
    let aho = by_purl(&bom, "pkg:cargo/aho-corasick@1.1.5");
    assert_eq!(aho["scope"], "required");
    assert_eq!(aho["hashes"][0]["alg"], "SHA-256");
    assert_eq!(aho["hashes"][0]["content"], AHO_SHA256);
    assert_eq!(aho["licenses"][0]["expression"], "Unlicense OR MIT");
    let occurrences = &aho["evidence"]["occurrences"];
    assert_eq!(occurrences[0]["location"], "Cargo.lock");
    assert_eq!(occurrences[0]["line"], 12);
    assert_eq!(occurrences[1]["location"], "playground/Cargo.lock");
    assert_eq!(occurrences[1]["line"], 40);
    let props = aho["properties"].as_array().unwrap();
    assert!(
        props.contains(&serde_json::json!({"name": "oversight:directness", "value": "transitive"}))
    );
    assert!(props.contains(
        &serde_json::json!({"name": "oversight:source", "value": "playground/Cargo.lock"})
    ));

    let anstream = by_purl(&bom, "pkg:cargo/anstream@1.0.0");
    assert_eq!(anstream["licenses"][0]["expression"], "MIT OR Apache-2.0");

    let code_frame = by_purl(&bom, "pkg:npm/%40babel/code-frame@7.29.7");
    assert_eq!(code_frame["group"], "@babel");
    assert_eq!(code_frame["name"], "code-frame");
    assert_eq!(code_frame["scope"], "excluded");
    assert_eq!(code_frame["hashes"][0]["alg"], "SHA-512");
    assert_eq!(code_frame["hashes"][0]["content"], CODE_FRAME_SHA512);

    let left_pad = by_purl(&bom, "pkg:npm/left-pad");
    assert_eq!(left_pad["scope"], "optional");
    assert!(left_pad.get("version").is_none());
    assert!(left_pad["evidence"]["occurrences"][0].get("line").is_none());

    let xxhash = by_purl(&bom, "pkg:golang/github.com/cespare/xxhash/v2@v2.3.0");
    assert!(
        xxhash.get("scope").is_none(),
        "unknown scope is not claimed"
    );
    assert!(
        xxhash.get("hashes").is_none(),
        "go.sum h1: hashes are not hex digests"
    );
    assert_eq!(xxhash["name"], "github.com/cespare/xxhash/v2");

    let log4j = by_purl(&bom, "pkg:maven/org.apache.logging.log4j/log4j-web@2.14.1");
    assert_eq!(log4j["group"], "org.apache.logging.log4j");
    assert_eq!(log4j["name"], "log4j-web");

    let sdk = by_purl(&bom, "pkg:composer/acme/internal-sdk@3.1.0");
    assert_eq!(
        sdk["licenses"][0]["license"]["name"],
        "proprietary (see LICENSE.txt)"
    );
}

#[test]
fn cyclonedx_dependency_graph() {
    let bom = cyclonedx();
    let refs: BTreeSet<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .chain(["delivery"])
        .collect();
    let deps = bom["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 13, "the root and every component");
    for d in deps {
        assert!(refs.contains(d["ref"].as_str().unwrap()));
        for target in d["dependsOn"].as_array().unwrap() {
            assert!(refs.contains(target.as_str().unwrap()), "{target} dangles");
        }
    }
    let of = |r: &str| -> Vec<&str> {
        deps.iter().find(|d| d["ref"] == r).unwrap()["dependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    };
    assert_eq!(
        of("pkg:cargo/aho-corasick@1.1.5"),
        ["pkg:cargo/memchr@2.8.3"]
    );
    assert_eq!(
        of("pkg:npm/%40babel/code-frame@7.29.7"),
        ["pkg:npm/js-tokens@4.0.0"]
    );
    let root = of("delivery");
    // Direct packages and those nothing else depends on; not memchr nor js-tokens.
    assert_eq!(root.len(), 10);
    assert!(!root.contains(&"pkg:cargo/memchr@2.8.3"));
    assert!(!root.contains(&"pkg:npm/js-tokens@4.0.0"));
    assert!(root.contains(&"pkg:cargo/anstream@1.0.0"));
}

#[test]
fn cyclonedx_vulnerabilities_reference_components() {
    let bom = cyclonedx();
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 1);
    let v = &vulns[0];
    assert_eq!(v["id"], "GHSA-7rjr-3q55-vv33");
    assert_eq!(v["references"][0]["id"], "CVE-2021-45046");
    // The advisory's purl has a `?type=jar` qualifier; it still matches.
    assert_eq!(
        v["affects"][0]["ref"],
        "pkg:maven/org.apache.logging.log4j/log4j-web@2.14.1"
    );
    assert_eq!(v["analysis"]["state"], "not_affected");
    assert_eq!(v["analysis"]["justification"], "code_not_reachable");
}

#[test]
fn output_is_deterministic() {
    let components = fixtures::components();
    let mut shuffled = components.clone();
    shuffled.reverse();
    shuffled.rotate_left(5);
    let a = oversight_sbom::cyclonedx_json(&fixtures::input(&components, &[]));
    let b = oversight_sbom::cyclonedx_json(&fixtures::input(&shuffled, &[]));
    assert_eq!(a, b);
    let a = oversight_sbom::spdx_json(&fixtures::input(&components, &[]));
    let b = oversight_sbom::spdx_json(&fixtures::input(&shuffled, &[]));
    assert_eq!(a, b);
    let mut other = fixtures::input(&components, &[]);
    other.seed = "scan-43".into();
    let c: Value = serde_json::from_str(&oversight_sbom::cyclonedx_json(&other)).unwrap();
    let d: Value = serde_json::from_str(&oversight_sbom::cyclonedx_json(&fixtures::input(
        &components,
        &[],
    )))
    .unwrap();
    assert_ne!(c["serialNumber"], d["serialNumber"]);
}

#[test]
fn spdx_validates_against_the_2_3_schema() {
    let doc = spdx();
    assert_eq!(
        schemas::errors(schemas::spdx_2_3(), &doc),
        Vec::<String>::new()
    );
    let mut broken = doc.clone();
    broken["packages"][1]["checksums"] =
        serde_json::json!([{"algorithm": "SHA-256", "checksumValue": AHO_SHA256}]);
    assert!(!schemas::errors(schemas::spdx_2_3(), &broken).is_empty());
}

fn is_spdx_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

#[test]
fn spdx_ids_and_relationships_are_consistent() {
    let doc = spdx();
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 13, "the delivery and 12 packages");
    let mut ids = BTreeSet::new();
    for p in packages {
        let id = p["SPDXID"].as_str().unwrap();
        assert!(is_spdx_id(id), "{id}");
        assert!(ids.insert(id), "{id} twice");
    }
    ids.insert("SPDXRef-DOCUMENT");
    let relationships = doc["relationships"].as_array().unwrap();
    for r in relationships {
        assert!(ids.contains(r["spdxElementId"].as_str().unwrap()));
        assert!(ids.contains(r["relatedSpdxElement"].as_str().unwrap()));
    }
    assert!(relationships.contains(&serde_json::json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Delivery"
    })));
    assert!(relationships.contains(&serde_json::json!({
        "spdxElementId": "SPDXRef-Package-cargo-aho-corasick-1.1.5",
        "relationshipType": "DEPENDS_ON",
        "relatedSpdxElement": "SPDXRef-Package-cargo-memchr-2.8.3"
    })));
    // The direct development dependency says so.
    assert!(relationships.contains(&serde_json::json!({
        "spdxElementId": "SPDXRef-Package-npm--babel-code-frame-7.29.7",
        "relationshipType": "DEV_DEPENDENCY_OF",
        "relatedSpdxElement": "SPDXRef-Delivery"
    })));
    assert!(relationships.contains(&serde_json::json!({
        "spdxElementId": "SPDXRef-Delivery",
        "relationshipType": "DEPENDS_ON",
        "relatedSpdxElement": "SPDXRef-Package-maven-org.apache.logging.log4j-log4j-web-2.14.1"
    })));
}

#[test]
fn spdx_package_details() {
    let doc = spdx();
    let find = |purl: &str| -> Value {
        doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["externalRefs"][0]["referenceLocator"] == purl)
            .cloned()
            .unwrap_or_else(|| panic!("no package {purl}"))
    };
    let code_frame = find("pkg:npm/%40babel/code-frame@7.29.7");
    assert_eq!(code_frame["name"], "@babel/code-frame");
    assert_eq!(code_frame["versionInfo"], "7.29.7");
    assert_eq!(
        code_frame["externalRefs"][0]["referenceCategory"],
        "PACKAGE-MANAGER"
    );
    assert_eq!(code_frame["externalRefs"][0]["referenceType"], "purl");
    assert_eq!(code_frame["checksums"][0]["algorithm"], "SHA512");
    assert_eq!(
        code_frame["checksums"][0]["checksumValue"],
        CODE_FRAME_SHA512
    );
    assert_eq!(code_frame["licenseDeclared"], "MIT");
    assert_eq!(code_frame["sourceInfo"], "Recorded in js/yarn.lock:316");

    let left_pad = find("pkg:npm/left-pad");
    assert!(left_pad.get("versionInfo").is_none());

    let xxhash = find("pkg:golang/github.com/cespare/xxhash/v2@v2.3.0");
    assert_eq!(xxhash["licenseDeclared"], "NOASSERTION");

    let anstream = find("pkg:cargo/anstream@1.0.0");
    assert_eq!(anstream["licenseDeclared"], "MIT OR Apache-2.0");

    let sdk = find("pkg:composer/acme/internal-sdk@3.1.0");
    let reference = sdk["licenseDeclared"].as_str().unwrap();
    assert_eq!(reference, "LicenseRef-proprietary--see-LICENSE.txt-");
    let extracted = doc["hasExtractedLicensingInfos"].as_array().unwrap();
    assert_eq!(extracted.len(), 1);
    assert_eq!(extracted[0]["licenseId"], reference);
    assert_eq!(
        extracted[0]["extractedText"],
        "proprietary (see LICENSE.txt)"
    );

    assert_eq!(doc["creationInfo"]["created"], "2025-03-01T10:00:00Z");
    assert_eq!(doc["creationInfo"]["creators"][0], "Tool: oversight-0.1.0");
    let namespace = doc["documentNamespace"].as_str().unwrap();
    assert!(
        namespace.starts_with("https://spdx.org/spdxdocs/acme-portal-release-2.3-"),
        "{namespace}"
    );
}
