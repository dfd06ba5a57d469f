//! Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant
//! whitespace, strings escaped as `serde_json` escapes them.
//!
//! The ledger hashes the canonical form, so two writers that build the same
//! value always produce the same bytes, whatever order they inserted keys in
//! and whether or not `serde_json`'s `preserve_order` feature is enabled
//! somewhere in the build.

use serde_json::Value;

/// The canonical JSON text of `value`.
///
/// ```
/// let v = serde_json::json!({"b": {"y": 1, "x": null}, "a": "é\n"});
/// assert_eq!(oversight_ledger::canonical::to_string(&v), r#"{"a":"é\n","b":{"x":null,"y":1}}"#);
/// ```
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Whether `text` is valid JSON already in canonical form.
pub fn is_canonical(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| to_string(&v) == text)
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push_str(&serde_json::to_string(value).expect("scalars always serialise"));
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).expect("strings always serialise"));
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_keys_are_sorted_and_whitespace_dropped() {
        let v: Value =
            serde_json::from_str(r#"{ "z": [ {"b":2, "a":1} ], "a": 1.5, "m": "\u0001" }"#)
                .expect("valid JSON");
        assert_eq!(
            to_string(&v),
            r#"{"a":1.5,"m":"\u0001","z":[{"a":1,"b":2}]}"#
        );
    }

    #[test]
    fn canonical_text_is_recognised() {
        assert!(is_canonical(r#"{"a":1,"b":[]}"#));
        assert!(!is_canonical(r#"{"b":1,"a":2}"#));
        assert!(!is_canonical(r#"{"a": 1}"#));
        assert!(!is_canonical("not json"));
        assert_eq!(to_string(&json!({})), "{}");
    }
}
