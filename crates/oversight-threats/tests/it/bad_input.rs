//! Broken models, made from the real samples: each refused with the file
//! and the reason.

use oversight_threats::{Problem, import};
use serde_json::Value;

use crate::{OTM, TD_V2, THREAGILE, read};

fn td() -> Value {
    serde_json::from_slice(&read(TD_V2[0])).unwrap()
}

fn otm() -> Value {
    serde_json::from_slice(&read(OTM[0])).unwrap()
}

fn refuse(doc: &[u8], file: &str) -> Vec<Problem> {
    let err = import(doc, file).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains(file), "{text}");
    err.problems
}

fn refuse_json(doc: &Value, file: &str) -> Vec<Problem> {
    refuse(&serde_json::to_vec(doc).unwrap(), file)
}

#[test]
fn syntax_and_unknown_formats() {
    let p = refuse(b"{\"summary\": ", "cut.json");
    assert!(
        matches!(&p[0], Problem::Syntax(m) if m.contains("line 1")),
        "{p:?}"
    );
    let p = refuse(b"a: [b\n", "cut.yaml");
    assert!(
        matches!(&p[0], Problem::Syntax(m) if m.contains("YAML")),
        "{p:?}"
    );
    let p = refuse(
        &read("OWASP__threat-dragon/td.vue/src/assets/schema/threat-dragon-v2.schema.json"),
        "schema.json",
    );
    assert_eq!(p, vec![Problem::UnknownFormat]);
    let p = refuse(
        &read("OWASP__threat-dragon/ThreatDragonModels/demo-threat-model.json"),
        "v1.json",
    );
    assert!(
        matches!(&p[0], Problem::UnsupportedVersion(m) if m.contains("version 1")),
        "{p:?}"
    );
    refuse(&[0xff, 0xfe, 0], "binary.json");
}

#[test]
fn wrong_schema_names_the_field() {
    let mut doc = td();
    doc["detail"]["diagrams"][0]["cells"][0]["data"]["threats"][0]["title"] = Value::from(7);
    let p = refuse_json(&doc, "model.json");
    assert!(
        matches!(&p[0], Problem::Schema { path, .. } if path == "detail.diagrams[0].cells[0].data.threats[0].title"),
        "{p:?}"
    );
    let mut doc = td();
    doc["detail"]["diagrams"][0]["cells"][0]["data"]["threats"][0]["severity"] =
        Value::from("Huge");
    let p = refuse_json(&doc, "model.json");
    assert!(p[0].to_string().contains("severity `Huge`"), "{p:?}");
    let mut doc = otm();
    doc["threats"][0].as_object_mut().unwrap().remove("name");
    let p = refuse_json(&doc, "model.otm.json");
    assert!(p[0].to_string().contains("threats[0]"), "{p:?}");
}

#[test]
fn duplicate_ids() {
    let mut doc = td();
    let first = doc["detail"]["diagrams"][0]["cells"][1]["data"]["threats"][0]["id"].clone();
    doc["detail"]["diagrams"][0]["cells"][1]["data"]["threats"][1]["id"] = first.clone();
    let p = refuse_json(&doc, "dup.json");
    assert!(
        p.contains(&Problem::DuplicateId {
            kind: "threat",
            id: first.as_str().unwrap().to_owned()
        }),
        "{p:?}"
    );
    let mut doc = otm();
    let copy = doc["components"][0].clone();
    doc["components"].as_array_mut().unwrap().push(copy);
    let p = refuse_json(&doc, "dup.otm.json");
    assert!(
        p.contains(&Problem::DuplicateId {
            kind: "element",
            id: "web-client".into()
        }),
        "{p:?}"
    );
}

#[test]
fn unknown_ids() {
    let mut doc = td();
    let cells = doc["detail"]["diagrams"][0]["cells"]
        .as_array_mut()
        .unwrap();
    let flow = cells.iter_mut().find(|c| c["shape"] == "flow").unwrap();
    flow["target"]["cell"] = Value::from("no-such-cell");
    let p = refuse_json(&doc, "ref.json");
    assert!(
        p.iter()
            .any(|p| matches!(p, Problem::UnknownReference { id, .. } if id == "no-such-cell")),
        "{p:?}"
    );
    let mut doc = otm();
    doc["components"][1]["threats"][0]["mitigations"][0]["mitigation"] = Value::from("gone");
    let p = refuse_json(&doc, "ref.otm.json");
    assert!(p[0].to_string().contains("mitigation `gone`"), "{p:?}");
    let mut doc = otm();
    doc["dataflows"][0]["destination"] = Value::from("nowhere");
    refuse_json(&doc, "ref.otm.json");
    let text = String::from_utf8(read(THREAGILE[0])).unwrap();
    let broken = text.replacen(
        "most_relevant_data_asset:\n",
        "most_relevant_data_asset: no-such-data\n",
        1,
    );
    let p = refuse(broken.as_bytes(), "threagile.yaml");
    assert!(p[0].to_string().contains("no-such-data"), "{p:?}");
}

#[test]
fn cycles() {
    let mut doc = td();
    let cells = doc["detail"]["diagrams"][0]["cells"]
        .as_array_mut()
        .unwrap();
    let flow = cells.iter_mut().find(|c| c["shape"] == "flow").unwrap();
    flow["target"] = flow["source"].clone();
    let p = refuse_json(&doc, "loop.json");
    assert!(
        p.iter()
            .any(|p| matches!(p, Problem::Cycle(m) if m.contains("to itself"))),
        "{p:?}"
    );
    let mut doc = otm();
    // Two trust zones inside each other.
    doc["trustZones"][0]["parent"] = serde_json::json!({ "trustZone": doc["trustZones"][1]["id"] });
    doc["trustZones"][1]["parent"] = serde_json::json!({ "trustZone": doc["trustZones"][0]["id"] });
    let p = refuse_json(&doc, "zones.otm.json");
    assert!(
        p.iter()
            .any(|p| matches!(p, Problem::Cycle(m) if m.contains("inside itself"))),
        "{p:?}"
    );
}

#[test]
fn unreadable_verification_tags() {
    let mut doc = otm();
    doc["mitigations"][0]["name"] = Value::from("Do it [verify: magic]");
    let p = refuse_json(&doc, "tag.otm.json");
    assert!(matches!(&p[0], Problem::Verification { .. }), "{p:?}");
}
