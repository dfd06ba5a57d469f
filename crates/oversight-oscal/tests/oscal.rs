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

fn finding(
    fp: &str,
    rule: &str,
    category: &str,
    disposition: &str,
) -> oversight_oscal::FindingInput {
    oversight_oscal::FindingInput {
        fingerprint: fp.to_owned(),
        rule: rule.to_owned(),
        category: category.to_owned(),
        severity: "high".to_owned(),
        path: "src/config.py".to_owned(),
        message: format!("{rule} found"),
        disposition: disposition.to_owned(),
        waiver: (disposition == "waived").then(|| "wvr-1".to_owned()),
    }
}

fn input(catalogue: &Catalogue, reviews: usize) -> oversight_oscal::EngagementInput<'_> {
    oversight_oscal::EngagementInput {
        id: "acme-portal".to_owned(),
        system: "Customer portal".to_owned(),
        supplier: "acme".to_owned(),
        requirements: Vec::new(),
        catalogue,
        reviews: (0..reviews)
            .map(|i| oversight_oscal::ReviewInput {
                id: format!("rev-{i:016x}"),
                recorded_at: format!("2026-11-{:02}T10:00:00Z", i + 1),
                decided_at: format!("2026-11-{:02}T10:00:05Z", i + 1),
                outcome: if i % 2 == 0 {
                    "rejected"
                } else {
                    "accepted-with-waivers"
                }
                .to_owned(),
                reviewer: "alice@example.org".to_owned(),
                content_digest: "ab".repeat(32),
                findings: vec![
                    finding(
                        "f1",
                        "secret.github-pat",
                        "secret",
                        if i % 2 == 0 { "blocking" } else { "waived" },
                    ),
                    finding("f2", "license.detected", "license", "noted"),
                    finding("f3", "coverage.time-budget", "coverage", "noted"),
                ],
            })
            .collect(),
        waivers: vec![oversight_oscal::WaiverInput {
            id: "wvr-1".to_owned(),
            fingerprint: "f1".to_owned(),
            reason: "test fixture".to_owned(),
            expires: "2027-01-31".to_owned(),
            requester: "alice@example.org".to_owned(),
            approver: "bob@example.org".to_owned(),
            revoked_at: None,
        }],
        now: "2026-12-07T00:00:00Z".to_owned(),
    }
}

#[test]
fn ten_reviews_with_waivers_give_valid_results_and_poam_with_stable_uuids() {
    let catalogue = Catalogue::builtin();
    let data = input(&catalogue, 10);
    let results = serde_json::to_value(oversight_oscal::assessment_results(&data)).unwrap();
    let problems = errors(&validator("oscal_assessment-results_schema.json"), &results);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        results["assessment-results"]["results"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    let poam = serde_json::to_value(oversight_oscal::poam(&data)).unwrap();
    let problems = errors(&validator("oscal_poam_schema.json"), &poam);
    assert!(problems.is_empty(), "{problems:#?}");
    // The latest review (odd) has no blocking finding: the waiver is the item.
    let items = poam["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert!(
        items[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Waiver wvr-1")
    );
    // A second export at another time: same UUIDs everywhere.
    let mut later = input(&catalogue, 10);
    later.now = "2027-01-01T00:00:00Z".to_owned();
    let again = serde_json::to_value(oversight_oscal::assessment_results(&later)).unwrap();
    let uuids = |v: &Value| {
        let mut out = Vec::new();
        collect_uuids(v, &mut out);
        out
    };
    assert_eq!(uuids(&results), uuids(&again));
    assert!(uuids(&results).len() > 40);
    // The secret finding's requirements are malicious-content ones, not satisfied in rejected reviews.
    let first = &results["assessment-results"]["results"][0];
    assert!(
        first["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["target"]["status"]["state"] == "not-satisfied")
    );
}

#[test]
fn an_engagement_with_no_reviews_gives_an_explicit_empty_result() {
    let catalogue = Catalogue::builtin();
    let mut data = input(&catalogue, 0);
    data.waivers.clear();
    let results = serde_json::to_value(oversight_oscal::assessment_results(&data)).unwrap();
    let problems = errors(&validator("oscal_assessment-results_schema.json"), &results);
    assert!(problems.is_empty(), "{problems:#?}");
    let only = &results["assessment-results"]["results"][0];
    assert_eq!(only["title"], "No review recorded");
    assert!(only.get("observations").is_none());
    let poam = serde_json::to_value(oversight_oscal::poam(&data)).unwrap();
    let problems = errors(&validator("oscal_poam_schema.json"), &poam);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        poam["plan-of-action-and-milestones"]["poam-items"][0]["title"],
        "No open item"
    );
    let plan = serde_json::to_value(oversight_oscal::assessment_plan(&data)).unwrap();
    assert!(
        plan["assessment-plan"]["reviewed-controls"]["control-selections"][0]["include-controls"]
            .as_array()
            .unwrap()
            .len()
            == catalogue.len()
    );
}

fn collect_uuids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "uuid" || k == "observation-uuid" {
                    out.push(v.as_str().unwrap_or("").to_owned());
                } else {
                    collect_uuids(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_uuids(i, out)),
        _ => {}
    }
}
