//! VEX reading (OpenVEX, CycloneDX), lookup and OpenVEX writing.

use oversight_sbom::{Error, Justification, Vex, VexStatement, VexStatus, openvex_json};
use serde_json::{Value, json};

use crate::schemas;

/// An OpenVEX document as a supplier would publish it, after the spec's
/// log4shell example: product with subcomponents, a versionless purl, a
/// statement without products, statements with UTC offsets.
fn supplier_openvex() -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/acme/vex-portal-2.3.0",
        "author": "Acme Security Team",
        "role": "Document Creator",
        "timestamp": "2025-02-01T00:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2021-44228", "aliases": ["GHSA-jfh8-c2jp-5v3q"]},
                "products": [{
                    "@id": "pkg:maven/com.acme/portal@2.3.0",
                    "subcomponents": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}]
                }],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
                "impact_statement": "JNDI lookups are disabled by log4j2.formatMsgNoLookups"
            },
            {
                "vulnerability": {"name": "CVE-2022-25883"},
                "products": [{"identifiers": {"purl": "pkg:npm/semver"}}],
                "status": "affected",
                "action_statement": "Update semver to 7.5.2"
            },
            {
                "vulnerability": {"name": "CVE-2022-25883"},
                "timestamp": "2025-02-03T00:00:00-06:00",
                "products": [{"@id": "pkg:npm/semver@7.5.2"}],
                "status": "fixed"
            },
            {
                "vulnerability": {"@id": "https://osv.dev/GHSA-c2qf-rxjj-qqgw", "name": "GHSA-c2qf-rxjj-qqgw"},
                "status": "under_investigation"
            },
            {
                "vulnerability": {"name": "CVE-2024-0001"},
                "timestamp": "2025-02-02T23:00:00-06:00",
                "products": [{"@id": "pkg:cargo/memchr"}],
                "status": "fixed"
            },
            {
                "vulnerability": {"name": "CVE-2024-0001"},
                "timestamp": "2025-02-03T01:00:00Z",
                "products": [{"@id": "pkg:cargo/memchr@2.8.3"}],
                "status": "affected",
                "action_statement": "Pin memchr to 2.7"
            }
        ]
    })
}

fn load(name: &str, doc: &Value) -> Result<Vex, Error> {
    Vex::load(name, doc.to_string().as_bytes())
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn openvex_document_is_schema_valid_and_loads() {
    let doc = supplier_openvex();
    assert_eq!(
        schemas::errors(schemas::openvex_0_2_0(), &doc),
        Vec::<String>::new()
    );
    let vex = load("acme.openvex.json", &doc).unwrap();
    assert_eq!(vex.statements().len(), 6);
    let first = &vex.statements()[0];
    assert_eq!(
        first.vulnerabilities,
        ["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"]
    );
    assert_eq!(
        first.products,
        [
            "pkg:maven/com.acme/portal@2.3.0",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        ]
    );
    assert_eq!(first.status, VexStatus::NotAffected);
    assert_eq!(
        first.justification,
        Some(Justification::VulnerableCodeNotInExecutePath)
    );
    assert_eq!(
        first.timestamp.as_deref(),
        Some("2025-02-01T00:00:00Z"),
        "inherited"
    );
    assert_eq!(first.source, "acme.openvex.json");
    assert!(vex.statements()[3].products.is_empty());
}

#[test]
fn openvex_lookup() {
    let vex = load("acme.openvex.json", &supplier_openvex()).unwrap();
    let log4j = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar";
    let hit = vex.status_for(&ids(&["CVE-2021-44228"]), log4j).unwrap();
    assert_eq!(hit.status, VexStatus::NotAffected);
    // By alias, and case-insensitively.
    let hit = vex
        .status_for(&ids(&["ghsa-jfh8-c2jp-5v3q"]), log4j)
        .unwrap();
    assert_eq!(hit.status, VexStatus::NotAffected);
    assert!(
        vex.status_for(
            &ids(&["CVE-2021-44228"]),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"
        )
        .is_none()
    );
    assert!(vex.status_for(&ids(&["CVE-2099-1"]), log4j).is_none());

    // A versionless product purl covers every version; the later statement
    // about 7.5.2 decides for that version.
    let old = vex
        .status_for(&ids(&["CVE-2022-25883"]), "pkg:npm/semver@7.5.1")
        .unwrap();
    assert_eq!(old.status, VexStatus::Affected);
    assert_eq!(
        old.action_statement.as_deref(),
        Some("Update semver to 7.5.2")
    );
    let new = vex
        .status_for(&ids(&["CVE-2022-25883"]), "pkg:npm/semver@7.5.2")
        .unwrap();
    assert_eq!(new.status, VexStatus::Fixed);

    // No products: any product.
    let any = vex
        .status_for(&ids(&["GHSA-c2qf-rxjj-qqgw"]), "pkg:pypi/anything@1")
        .unwrap();
    assert_eq!(any.status, VexStatus::UnderInvestigation);

    // 2025-02-02T23:00-06:00 is 2025-02-03T05:00Z, later than the next
    // statement's 01:00Z although written earlier.
    let memchr = vex
        .status_for(&ids(&["CVE-2024-0001"]), "pkg:cargo/memchr@2.8.3")
        .unwrap();
    assert_eq!(memchr.status, VexStatus::Fixed);
}

#[test]
fn later_documents_win_ties() {
    let mut vex = load("a.json", &supplier_openvex()).unwrap();
    let mut newer = supplier_openvex();
    newer["statements"][0]["status"] = json!("affected");
    newer["statements"][0]["action_statement"] = json!("Upgrade log4j");
    vex.extend(load("b.json", &newer).unwrap());
    let hit = vex
        .status_for(
            &ids(&["CVE-2021-44228"]),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        )
        .unwrap();
    assert_eq!(hit.source, "b.json");
    assert_eq!(hit.status, VexStatus::Affected);
}

/// Each broken document is refused by the official schema and by the loader,
/// and the loader names the place.
#[test]
fn invalid_openvex_is_refused_like_the_schema_does() {
    type Mutation = fn(&mut Value);
    let cases: Vec<(Mutation, &str)> = vec![
        (
            |d| d["statements"][0]["status"] = json!("exploitable"),
            "/statements/0/status",
        ),
        (
            |d| {
                d["statements"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("justification");
                d["statements"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("impact_statement");
            },
            "/statements/0:",
        ),
        (
            |d| {
                d["statements"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("action_statement");
            },
            "/statements/1:",
        ),
        (|d| d["extra"] = json!(1), "/extra"),
        (
            |d| {
                d.as_object_mut().unwrap().remove("author");
            },
            " at : required property `author`",
        ),
        (|d| d["statements"] = json!([]), "/statements"),
        (|d| d["timestamp"] = json!("yesterday"), "/timestamp"),
        (
            |d| d["statements"][1]["products"] = json!([{"hashes": {"sha-256": "ab"}}]),
            "/statements/1/products/0",
        ),
        (
            |d| d["statements"][0]["justification"] = json!("because"),
            "/statements/0/justification",
        ),
        (|d| d["version"] = json!(0), "/version"),
        (
            |d| d["statements"][0]["vulnerability"] = json!({"aliases": ["x"]}),
            "/statements/0/vulnerability",
        ),
        (
            |d| d["statements"][0]["products"][0]["identifiers"] = json!({"swid": "x"}),
            "/statements/0/products/0/identifiers/swid",
        ),
        (
            |d| d["statements"][0]["vulnerability"]["aliases"] = json!(["a", "a"]),
            "/statements/0/vulnerability/aliases/1",
        ),
        (
            |d| d["statements"][2]["timestamp"] = json!("2025-02-30T00:00:00Z"),
            "/statements/2/timestamp",
        ),
    ];
    for (i, (mutate, place)) in cases.into_iter().enumerate() {
        let mut doc = supplier_openvex();
        mutate(&mut doc);
        assert!(
            !schemas::errors(schemas::openvex_0_2_0(), &doc).is_empty(),
            "case {i}: the schema accepts it"
        );
        let err = load("bad.openvex.json", &doc).unwrap_err().to_string();
        assert!(
            err.starts_with("Invalid OpenVEX document bad.openvex.json at "),
            "case {i}: {err}"
        );
        assert!(err.contains(place), "case {i}: {err} lacks {place}");
    }
}

#[test]
fn valid_variations_load() {
    type Mutation = fn(&mut Value);
    let cases: Vec<Mutation> = vec![
        |d| {
            d["statements"][0]["products"][0]["identifiers"] =
                json!({"cpe23": "cpe:2.3:a:acme:portal:2.3.0:*:*:*:*:*:*:*"})
        },
        |d| {
            d["statements"][0]["products"][0]["hashes"] = json!({"sha-256": "402fa523b96591d4450ace90e32d9f779fcfd938903e1c5bf9d3701860b8f856"})
        },
        |d| d["last_updated"] = json!("2025-02-05T10:00:00.123+01:00"),
        |d| d["statements"][1]["status_notes"] = json!("Reachable through the CLI parser"),
    ];
    for (i, mutate) in cases.into_iter().enumerate() {
        let mut doc = supplier_openvex();
        mutate(&mut doc);
        assert_eq!(
            schemas::errors(schemas::openvex_0_2_0(), &doc),
            Vec::<String>::new(),
            "case {i}"
        );
        load("ok.json", &doc).unwrap_or_else(|e| panic!("case {i}: {e}"));
    }
}

fn supplier_cyclonedx_vex() -> Value {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"timestamp": "2025-02-10T09:00:00Z"},
        "components": [
            {"type": "library", "bom-ref": "log4j-core", "group": "org.apache.logging.log4j", "name": "log4j-core",
             "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
            {"type": "library", "bom-ref": "lodash", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}
        ],
        "vulnerabilities": [
            {
                "id": "CVE-2021-44228",
                "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"},
                "references": [{"id": "GHSA-jfh8-c2jp-5v3q", "source": {"name": "GitHub Advisories"}}],
                "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                             "detail": "The JNDI lookup class is removed from the shipped jar"},
                "affects": [{"ref": "log4j-core"}]
            },
            {
                "id": "CVE-2022-25883",
                "recommendation": "Upgrade semver to 7.5.2",
                "analysis": {"state": "exploitable", "response": ["update"], "lastUpdated": "2025-02-11T00:00:00Z"},
                "affects": [{"ref": "pkg:npm/semver", "versions": [{"version": "7.5.1"}, {"version": "7.5.0"}]}]
            },
            {
                "id": "CVE-2021-23337",
                "analysis": {"state": "false_positive"},
                "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lodash"}]
            },
            {
                "id": "CVE-2020-8203",
                "affects": [{"ref": "lodash"}]
            },
            {
                "id": "CVE-2019-10744",
                "analysis": {"state": "resolved"},
                "affects": [{"ref": "pkg:npm/lodash", "versions": [{"range": "vers:npm/<4.17.12"}]}]
            }
        ]
    })
}

#[test]
fn cyclonedx_vex_loads() {
    let doc = supplier_cyclonedx_vex();
    assert_eq!(
        schemas::errors(schemas::cyclonedx_1_6(), &doc),
        Vec::<String>::new()
    );
    let vex = load("acme.vex.cdx.json", &doc).unwrap();
    // No analysis: no claim; range-only on a versionless purl: not read.
    assert_eq!(vex.statements().len(), 3);
    let log4j = &vex.statements()[0];
    assert_eq!(
        log4j,
        &VexStatement {
            vulnerabilities: ids(&["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"]),
            products: ids(&["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]),
            status: VexStatus::NotAffected,
            justification: Some(Justification::VulnerableCodeNotInExecutePath),
            impact_statement: Some("The JNDI lookup class is removed from the shipped jar".into()),
            action_statement: None,
            timestamp: Some("2025-02-10T09:00:00Z".into()),
            source: "acme.vex.cdx.json".into(),
        }
    );
    let semver = &vex.statements()[1];
    assert_eq!(
        semver.products,
        ["pkg:npm/semver@7.5.0", "pkg:npm/semver@7.5.1"]
    );
    assert_eq!(semver.status, VexStatus::Affected);
    assert_eq!(
        semver.action_statement.as_deref(),
        Some("Response: update. Upgrade semver to 7.5.2")
    );
    assert_eq!(semver.timestamp.as_deref(), Some("2025-02-11T00:00:00Z"));

    let hit = vex
        .status_for(&ids(&["CVE-2021-23337"]), "pkg:npm/lodash@4.17.20")
        .unwrap();
    assert_eq!(
        hit.status,
        VexStatus::NotAffected,
        "false_positive through a BOM-Link"
    );
    assert!(
        vex.status_for(&ids(&["CVE-2022-25883"]), "pkg:npm/semver@7.5.2")
            .is_none()
    );
    assert!(
        vex.status_for(&ids(&["CVE-2019-10744"]), "pkg:npm/lodash@4.17.20")
            .is_none()
    );
    assert!(
        vex.status_for(&ids(&["CVE-2020-8203"]), "pkg:npm/lodash@4.17.20")
            .is_none()
    );
}

#[test]
fn invalid_cyclonedx_vex_names_the_place() {
    let cases: [(&str, Value, &str); 3] = [
        (
            "/vulnerabilities/0/analysis/state",
            json!("maybe"),
            "Invalid CycloneDX document v.json at /vulnerabilities/0/analysis/state: `maybe` is not an impact analysis state",
        ),
        (
            "/vulnerabilities/0/analysis/justification",
            json!("trust_me"),
            "Invalid CycloneDX document v.json at /vulnerabilities/0/analysis/justification: `trust_me` is not an impact analysis justification",
        ),
        (
            "/vulnerabilities/0/affects",
            json!([{"versions": []}]),
            "Invalid CycloneDX document v.json at /vulnerabilities/0/affects/0: required property `ref` is missing",
        ),
    ];
    for (pointer, value, message) in cases {
        let mut doc = supplier_cyclonedx_vex();
        *doc.pointer_mut(pointer).unwrap() = value;
        assert!(
            !schemas::errors(schemas::cyclonedx_1_6(), &doc).is_empty(),
            "{pointer}"
        );
        assert_eq!(load("v.json", &doc).unwrap_err().to_string(), message);
    }
    let err = Vex::load("x.json", b"{\"hello\": 1}").unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let err = Vex::load("x.json", b"\x00\xff").unwrap_err();
    assert!(matches!(err, Error::NotJson { .. }), "{err}");
}

#[test]
fn openvex_writer_round_trips() {
    let mut statements = load("acme.openvex.json", &supplier_openvex())
        .unwrap()
        .statements()
        .to_vec();
    statements.extend(
        load("acme.vex.cdx.json", &supplier_cyclonedx_vex())
            .unwrap()
            .statements()
            .to_vec(),
    );
    // What the schema demands but a statement lacks is filled in.
    statements.push(VexStatement {
        vulnerabilities: ids(&["RUSTSEC-2024-0001"]),
        products: ids(&["pkg:cargo/aho-corasick@1.1.5"]),
        status: VexStatus::NotAffected,
        justification: None,
        impact_statement: None,
        action_statement: None,
        timestamp: Some("not a time".into()),
        source: "reviewer".into(),
    });
    let text = openvex_json(
        &statements,
        "Oversight review",
        "2025-03-01T10:00:00Z",
        "https://openvex.dev/docs/acme/review-42",
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schemas::errors(schemas::openvex_0_2_0(), &doc),
        Vec::<String>::new()
    );
    let again = Vex::load("written.json", text.as_bytes()).unwrap();
    assert_eq!(again.statements().len(), statements.len());
    for (a, b) in statements.iter().zip(again.statements()) {
        assert_eq!(a.vulnerabilities, b.vulnerabilities);
        assert_eq!(a.products, b.products);
        assert_eq!(a.status, b.status);
        assert_eq!(a.justification, b.justification);
    }
    let last = again.statements().last().unwrap();
    assert_eq!(
        last.impact_statement.as_deref(),
        Some("No justification was recorded")
    );
    assert_eq!(
        last.timestamp.as_deref(),
        Some("2025-03-01T10:00:00Z"),
        "the bad time is dropped"
    );
    // Written twice, same bytes.
    assert_eq!(
        text,
        openvex_json(
            &statements,
            "Oversight review",
            "2025-03-01T10:00:00Z",
            "https://openvex.dev/docs/acme/review-42"
        )
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for base in [
        supplier_openvex().to_string(),
        supplier_cyclonedx_vex().to_string(),
    ] {
        for _ in 0..300 {
            let mut bytes = base.clone().into_bytes();
            for _ in 0..3 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % bytes.len();
                bytes[at] = (seed >> 40) as u8;
            }
            if let Ok(vex) = Vex::load("fuzz.json", &bytes) {
                let _ = vex.status_for(&ids(&["CVE-2021-44228"]), "pkg:npm/semver@7.5.1");
            }
        }
    }
}
