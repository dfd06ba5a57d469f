//! The OSCAL documents against NIST's OSCAL 1.0.6 JSON schemas (the
//! corpus `oscal-schemas`), and their UUIDs across exports.

use oversight_register::Catalogue;
use serde_json::Value;

fn validator(name: &str) -> jsonschema::Validator {
    let path = oversight_test_support::corpus("oscal-schemas/json/schema").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OSCAL schema compiles")
}

fn errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn the_requirement_catalogue_is_a_valid_oscal_catalog_with_stable_uuids() {
    let catalogue = Catalogue::builtin();
    let document = oversight_oscal::catalog(&catalogue, "2026-12-07T00:00:00Z");
    let value = serde_json::to_value(&document).unwrap();
    let problems = errors(&validator("oscal_catalog_schema.json"), &value);
    assert!(problems.is_empty(), "{problems:#?}");
    let controls: usize = document
        .catalog
        .groups
        .iter()
        .map(|g| g.controls.len())
        .sum();
    assert_eq!(controls, catalogue.len());
    // Every requirement is there, with its SSDF tasks.
    for r in catalogue.iter() {
        let control = document
            .catalog
            .groups
            .iter()
            .flat_map(|g| &g.controls)
            .find(|c| c.props.iter().any(|p| p.name == "label" && p.value == r.id))
            .unwrap_or_else(|| panic!("{} missing", r.id));
        for task in &r.ssdf {
            assert!(
                control
                    .props
                    .iter()
                    .any(|p| p.name == "nist-ssdf-task" && p.value == *task)
            );
        }
    }
    // The same catalogue, exported again later: the same UUID.
    let again = oversight_oscal::catalog(&catalogue, "2027-01-01T00:00:00Z");
    assert_eq!(again.catalog.uuid, document.catalog.uuid);
    assert_eq!(
        oversight_oscal::stable_uuid("control", "OSD-SEC-01"),
        oversight_oscal::stable_uuid("control", "OSD-SEC-01")
    );
    assert_ne!(
        oversight_oscal::stable_uuid("control", "OSD-SEC-01"),
        oversight_oscal::stable_uuid("control", "OSD-SEC-02")
    );
}
