//! Real samples read, exported and read again.

use oversight_threats::{
    ExportFormat, Severity, SourceFormat, Stride, Threat, ThreatStatus, Verification, export,
    import,
};

use crate::{OTM, TD_V2, THREAGILE, load};

fn round_trip(rel: &str, format: ExportFormat, with_source: bool) -> Vec<Threat> {
    let first = load(rel);
    let source = with_source.then_some(first.source.as_str());
    let text = export(&first.model, source, format, None).unwrap();
    let again = import(text.as_bytes(), "exported")
        .unwrap_or_else(|e| panic!("{rel} exported as {format:?}: {e}\n{text}"));
    assert_eq!(
        again.model.threats.len(),
        first.model.threats.len(),
        "{rel}"
    );
    // Another format may list threats in another order (by element).
    let mut expected = first.model.threats.clone();
    let mut found = again.model.threats.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    found.sort_by(|a, b| a.id.cmp(&b.id));
    for (a, b) in expected.iter().zip(&found) {
        let mut a = a.clone();
        // Threat Dragon has one mitigation text per threat, whose
        // paragraphs are numbered on reading: a model from another format
        // keeps every mitigation and its text, not its id.
        if format == ExportFormat::ThreatDragon && first.model.format != SourceFormat::ThreatDragon
        {
            for (i, m) in a.mitigations.iter_mut().enumerate() {
                m.id = format!("m{}", i + 1);
            }
        }
        assert_eq!(&a, b, "{rel} as {format:?} (source kept: {with_source})");
    }
    found
}

#[test]
fn threat_dragon_demos_read_as_the_tool_wrote_them() {
    let demo = load(TD_V2[0]);
    assert_eq!(demo.model.format, SourceFormat::ThreatDragon);
    assert_eq!(demo.model.title, "Demo Threat Model");
    assert_eq!(demo.model.threats.len(), 14);
    let creds = demo
        .model
        .threats
        .iter()
        .find(|t| t.title == "Accessing DB credentials")
        .unwrap();
    assert_eq!(creds.severity, Severity::High);
    assert_eq!(creds.status, ThreatStatus::Open);
    assert_eq!(creds.stride, Some(Stride::InformationDisclosure));
    assert_eq!(
        demo.model
            .element(creds.element.as_deref().unwrap())
            .unwrap()
            .name,
        "Worker Config"
    );
    // "Encrypt …\n\nExpire and replace …": two measures, two requirements.
    assert_eq!(creds.mitigations.len(), 2);
    assert_ne!(
        creds.mitigations[0].requirement_id(creds),
        creds.mitigations[1].requirement_id(creds)
    );
    let mitigated = demo
        .model
        .threats
        .iter()
        .filter(|t| t.status == ThreatStatus::Mitigated)
        .count();
    assert!(mitigated >= 3, "{mitigated}");
    for rel in TD_V2 {
        let m = load(rel);
        assert!(
            !m.model.elements.is_empty() || rel.ends_with("v2-new-model.json"),
            "{rel}"
        );
    }
    assert_eq!(load(TD_V2[3]).model.threats.len(), 2);
}

#[test]
fn threat_dragon_round_trips() {
    for rel in TD_V2 {
        round_trip(rel, ExportFormat::ThreatDragon, true);
        round_trip(rel, ExportFormat::ThreatDragon, false);
        round_trip(rel, ExportFormat::Otm, false);
    }
}

#[test]
fn otm_examples_read_in_json_and_yaml_alike() {
    let json = load(OTM[0]);
    let yaml = load(OTM[1]);
    assert_eq!(json.model.format, SourceFormat::Otm);
    let ids: Vec<&str> = json.model.threats.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "22724267-be7e-44c0-8b1f-d7d33e9a34ec@web-service",
            "22724267-be7e-44c0-8b1f-d7d33e9a34ec@cc-store-in-db"
        ]
    );
    let t = &json.model.threats[0];
    assert_eq!(t.stride, Some(Stride::Spoofing));
    assert_eq!(t.severity, Severity::High, "impact 100 × likelihood 50");
    assert_eq!(t.mitigations[0].id, "fd6136f4-e2ff-11eb-ba80-0242ac130004");
    assert_eq!(json.model.threats, yaml.model.threats);
}

#[test]
fn otm_round_trips() {
    for rel in OTM {
        round_trip(rel, ExportFormat::Otm, true);
        round_trip(rel, ExportFormat::Otm, false);
        round_trip(rel, ExportFormat::ThreatDragon, false);
    }
}

#[test]
fn threagile_individual_risks_are_the_threats() {
    let example = load(THREAGILE[0]);
    assert_eq!(example.model.format, SourceFormat::Threagile);
    let ids: Vec<&str> = example
        .model
        .threats
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "something-strange@sql-database",
            "something-strange@contract-file-server"
        ]
    );
    let t = &example.model.threats[0];
    assert_eq!(t.title, "Example Individual Risk at Database");
    assert_eq!(t.stride, Some(Stride::Repudiation));
    assert_eq!(t.severity, Severity::Critical);
    assert_eq!(t.element.as_deref(), Some("sql-database"));
    assert_eq!(example.model.threats[1].severity, Severity::Medium);
    assert!(example.model.elements.len() > 10);
    assert!(!example.model.flows.is_empty());
    load(THREAGILE[1]);
}

#[test]
fn threagile_exports_to_both_formats() {
    for rel in THREAGILE {
        round_trip(rel, ExportFormat::Otm, false);
        round_trip(rel, ExportFormat::ThreatDragon, false);
    }
}

#[test]
fn exports_carry_the_verification_state() {
    let demo = load(TD_V2[0]);
    let mut model = demo.model.clone();
    model.threats[0].mitigations[0]
        .text
        .push_str(" [verify: rule secret.]");
    model.threats[0].mitigations[0].verification = vec![Verification::Rule("secret.".into())];
    let facts = oversight_threats::trace::DeliveryFacts {
        rules_run: ["secret.generic-api-key".to_owned()].into(),
        ..Default::default()
    };
    let traces = oversight_threats::trace::trace(&model, &facts);
    for format in [ExportFormat::ThreatDragon, ExportFormat::Otm] {
        let text = export(&model, None, format, Some(&traces)).unwrap();
        assert!(text.contains("\"oversight\""), "{format:?}");
        assert!(
            text.contains("`secret.` ran with no open finding"),
            "{format:?}"
        );
        let again = import(text.as_bytes(), "exported").unwrap();
        assert_eq!(again.model.threats[0], model.threats[0]);
    }
    // Written back over the source, every field of the original is kept.
    let text = export(
        &demo.model,
        Some(&demo.source),
        ExportFormat::ThreatDragon,
        Some(&traces),
    )
    .unwrap();
    let original: serde_json::Value = serde_json::from_str(&demo.source).unwrap();
    let exported: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        original["detail"]["diagrams"][0]["cells"][0]["position"],
        exported["detail"]["diagrams"][0]["cells"][0]["position"]
    );
}

#[test]
fn otm_exports_validate_against_the_published_schema() {
    let schema: serde_json::Value =
        serde_json::from_slice(&crate::read("iriusrisk__OpenThreatModel/otm_schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for rel in TD_V2.iter().chain(OTM).chain(THREAGILE) {
        let m = load(rel);
        let facts = oversight_threats::trace::DeliveryFacts::default();
        let traces = oversight_threats::trace::trace(&m.model, &facts);
        for source in [None, Some(m.source.as_str())] {
            let text = export(&m.model, source, ExportFormat::Otm, Some(&traces)).unwrap();
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(
                errors.is_empty(),
                "{rel} (source kept: {}): {errors:#?}",
                source.is_some()
            );
        }
    }
}
