//! The official JSON schemas from /work/shared/schemas, compiled once.

use std::sync::OnceLock;

use jsonschema::{Draft, Resource, Validator};
use serde_json::Value;

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(oversight_test_support::schemas().join(name))
        .unwrap_or_else(|e| panic!("read schema {name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("schema {name} is JSON: {e}"))
}

fn resource(name: &str) -> Resource {
    Resource::from_contents(load(name)).expect("a schema resource")
}

pub fn cyclonedx_1_6() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| cyclonedx("bom-1.6.schema.json"))
}

pub fn cyclonedx_1_5() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| cyclonedx("bom-1.5.schema.json"))
}

fn cyclonedx(name: &str) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            resource("spdx.schema.json"),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            resource("jsf-0.82.schema.json"),
        )
        .build(&load(name))
        .expect("the CycloneDX schema compiles")
}

pub fn spdx_2_3() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .build(&load("spdx-2.3.schema.json"))
            .expect("the SPDX 2.3 schema compiles")
    })
}

pub fn openvex_0_2_0() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&load("openvex-0.2.0.schema.json"))
            .expect("the OpenVEX 0.2.0 schema compiles")
    })
}

/// Every violation, as `message at pointer`.
pub fn errors(validator: &Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}
