//! CycloneDX VEX: the `vulnerabilities[]` of a CycloneDX BOM (1.4 to 1.6)
//! whose `analysis` says how they affect the components in `affects[]`.
//!
//! Status mapping: `not_affected` and `false_positive` are not affected,
//! `resolved` and `resolved_with_pedigree` fixed, `exploitable` affected,
//! `in_triage` under investigation. Justifications map to the nearest CISA
//! label (`code_not_present` → vulnerable code not present,
//! `code_not_reachable` → not in execute path, `requires_configuration` /
//! `requires_environment` → cannot be controlled by adversary,
//! `requires_dependency` → component not present, `protected_*` → inline
//! mitigations). A vulnerability without `analysis.state` makes no VEX claim
//! and is skipped.
//!
//! `affects[].ref` names a component of the same BOM by bom-ref (its purl is
//! used), a purl, or a BOM-Link (`urn:cdx:…#ref`, whose fragment is read the
//! same way). When the referenced purl has no version, explicit
//! `versions[].version` entries become one product each; a reference with
//! only version ranges (`vers:`) and no versioned purl is skipped rather than
//! read as "every version", so a range never silences more than it says.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{Justification, VexStatement, VexStatus};
use crate::error::Error;
use crate::purl;
use crate::time::parse_rfc3339;

struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn err(&self, pointer: &str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            file: self.file.to_owned(),
            format: "CycloneDX",
            pointer: pointer.to_owned(),
            reason: reason.into(),
        }
    }

    fn object<'v>(&self, value: &'v Value, pointer: &str) -> Result<&'v Map<String, Value>, Error> {
        value
            .as_object()
            .ok_or_else(|| self.err(pointer, "expected an object"))
    }

    fn string<'v>(
        &self,
        object: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<Option<&'v str>, Error> {
        match object.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.err(&format!("{pointer}/{key}"), "expected a string")),
        }
    }

    fn array<'v>(
        &self,
        object: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<&'v [Value], Error> {
        match object.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.err(&format!("{pointer}/{key}"), "expected an array")),
        }
    }
}

/// bom-ref → purl of every component, nested ones included.
fn collect_refs(
    check: &Check<'_>,
    components: &[Value],
    pointer: &str,
    out: &mut HashMap<String, String>,
) -> Result<(), Error> {
    for (i, c) in components.iter().enumerate() {
        let cp = format!("{pointer}/{i}");
        let object = check.object(c, &cp)?;
        if let (Some(bom_ref), Some(p)) = (
            check.string(object, &cp, "bom-ref")?,
            check.string(object, &cp, "purl")?,
        ) {
            out.insert(bom_ref.to_owned(), p.to_owned());
        }
        collect_refs(
            check,
            check.array(object, &cp, "components")?,
            &format!("{cp}/components"),
            out,
        )?;
    }
    Ok(())
}

fn state(text: &str) -> Option<VexStatus> {
    Some(match text {
        "not_affected" | "false_positive" => VexStatus::NotAffected,
        "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
        "exploitable" => VexStatus::Affected,
        "in_triage" => VexStatus::UnderInvestigation,
        _ => return None,
    })
}

fn justification(text: &str) -> Option<Justification> {
    Some(match text {
        "code_not_present" => Justification::VulnerableCodeNotPresent,
        "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
        "requires_configuration" | "requires_environment" => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        "requires_dependency" => Justification::ComponentNotPresent,
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
        _ => return None,
    })
}

const RESPONSES: &[&str] = &[
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];

/// The purl a reference stands for: a bom-ref of this BOM, a purl, or a
/// BOM-Link whose fragment is one of those.
fn resolve(reference: &str, refs: &HashMap<String, String>) -> String {
    if let Some(p) = refs.get(reference) {
        return p.clone();
    }
    if reference.starts_with("urn:cdx:")
        && let Some((_, fragment)) = reference.split_once('#')
    {
        let fragment = percent_decode(fragment);
        return refs.get(&fragment).cloned().unwrap_or(fragment);
    }
    reference.to_owned()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Adds `@version` to a versionless purl, before qualifiers and subpath.
fn with_version(p: &str, version: &str) -> String {
    let cut = p.find(['?', '#']).unwrap_or(p.len());
    format!("{}@{}{}", &p[..cut], version, &p[cut..])
}

pub(super) fn read(file: &str, doc: &Value) -> Result<Vec<VexStatement>, Error> {
    let check = Check { file };
    let root = check.object(doc, "")?;
    let spec = check
        .string(root, "", "specVersion")?
        .ok_or_else(|| check.err("", "required property `specVersion` is missing"))?;
    if !matches!(spec, "1.4" | "1.5" | "1.6") {
        return Err(check.err(
            "/specVersion",
            format!("specVersion {spec} has no vulnerabilities; 1.4 to 1.6 do"),
        ));
    }
    let doc_time = match root.get("metadata") {
        Some(m) => {
            let m = check.object(m, "/metadata")?;
            check.string(m, "/metadata", "timestamp")?
        }
        None => None,
    };
    let mut refs = HashMap::new();
    collect_refs(
        &check,
        check.array(root, "", "components")?,
        "/components",
        &mut refs,
    )?;
    if let Some(component) = root.get("metadata").and_then(|m| m.get("component")) {
        collect_refs(
            &check,
            std::slice::from_ref(component),
            "/metadata/component",
            &mut refs,
        )?;
    }

    let mut out = Vec::new();
    for (i, v) in check.array(root, "", "vulnerabilities")?.iter().enumerate() {
        let vp = format!("/vulnerabilities/{i}");
        let v = check.object(v, &vp)?;
        let id = check.string(v, &vp, "id")?;
        let mut vulnerabilities: Vec<String> = id.map(str::to_owned).into_iter().collect();
        for (j, r) in check.array(v, &vp, "references")?.iter().enumerate() {
            let rp = format!("{vp}/references/{j}");
            let r = check.object(r, &rp)?;
            let alias = check
                .string(r, &rp, "id")?
                .ok_or_else(|| check.err(&rp, "required property `id` is missing"))?;
            if !vulnerabilities.iter().any(|known| known == alias) {
                vulnerabilities.push(alias.to_owned());
            }
        }
        let Some(analysis) = v.get("analysis") else {
            continue;
        };
        let ap = format!("{vp}/analysis");
        let analysis = check.object(analysis, &ap)?;
        let status = match check.string(analysis, &ap, "state")? {
            None => continue,
            Some(text) => state(text).ok_or_else(|| {
                check.err(
                    &format!("{ap}/state"),
                    format!("`{text}` is not an impact analysis state"),
                )
            })?,
        };
        let false_positive =
            analysis.get("state").and_then(Value::as_str) == Some("false_positive");
        let justification = match check.string(analysis, &ap, "justification")? {
            None => None,
            Some(text) => Some(justification(text).ok_or_else(|| {
                check.err(
                    &format!("{ap}/justification"),
                    format!("`{text}` is not an impact analysis justification"),
                )
            })?),
        };
        let mut responses = Vec::new();
        for (j, r) in check.array(analysis, &ap, "response")?.iter().enumerate() {
            let text = r.as_str().filter(|t| RESPONSES.contains(t)).ok_or_else(|| {
                check.err(&format!("{ap}/response/{j}"), "expected one of can_not_fix, will_not_fix, update, rollback, workaround_available")
            })?;
            responses.push(text);
        }
        let detail = check.string(analysis, &ap, "detail")?;
        let recommendation = check.string(v, &vp, "recommendation")?;
        let workaround = check.string(v, &vp, "workaround")?;
        let mut actions: Vec<String> = Vec::new();
        if !responses.is_empty() {
            actions.push(format!("Response: {}", responses.join(", ")));
        }
        actions.extend(recommendation.map(str::to_owned));
        actions.extend(workaround.map(|w| format!("Workaround: {w}")));
        let timestamp = [
            check.string(analysis, &ap, "lastUpdated")?,
            check.string(v, &vp, "updated")?,
            check.string(v, &vp, "published")?,
            doc_time,
        ]
        .into_iter()
        .flatten()
        .find(|t| parse_rfc3339(t).is_some())
        .map(str::to_owned);

        let mut products = Vec::new();
        for (j, a) in check.array(v, &vp, "affects")?.iter().enumerate() {
            let afp = format!("{vp}/affects/{j}");
            let a = check.object(a, &afp)?;
            let reference = check
                .string(a, &afp, "ref")?
                .ok_or_else(|| check.err(&afp, "required property `ref` is missing"))?;
            let target = resolve(reference, &refs);
            let versionless = purl::key(&target).is_some_and(|k| k.version.is_none());
            let mut versions = Vec::new();
            let mut ranges = 0;
            for (k, ver) in check.array(a, &afp, "versions")?.iter().enumerate() {
                let verp = format!("{afp}/versions/{k}");
                let ver = check.object(ver, &verp)?;
                match (
                    check.string(ver, &verp, "version")?,
                    check.string(ver, &verp, "range")?,
                ) {
                    (Some(version), _) => versions.push(version),
                    (None, Some(_)) => ranges += 1,
                    (None, None) => return Err(check.err(&verp, "needs `version` or `range`")),
                }
            }
            if versionless && !versions.is_empty() {
                products.extend(
                    versions
                        .iter()
                        .map(|version| with_version(&target, version)),
                );
            } else if versionless && ranges > 0 {
                // Only ranges for a versionless purl: not read, see above.
            } else {
                products.push(target);
            }
        }
        if vulnerabilities.is_empty() || products.is_empty() {
            // Nothing to say which vulnerability or which component.
            continue;
        }
        products.sort();
        products.dedup();
        out.push(VexStatement {
            vulnerabilities,
            products,
            status,
            justification,
            impact_statement: detail.map(str::to_owned).or_else(|| {
                false_positive.then(|| "Marked false_positive in CycloneDX".to_owned())
            }),
            action_statement: (!actions.is_empty()).then(|| actions.join(". ")),
            timestamp,
            source: file.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve() {
        let mut refs = HashMap::new();
        refs.insert("c1".to_owned(), "pkg:npm/lodash@4.17.21".to_owned());
        assert_eq!(resolve("c1", &refs), "pkg:npm/lodash@4.17.21");
        assert_eq!(resolve("pkg:cargo/x@1", &refs), "pkg:cargo/x@1");
        assert_eq!(
            resolve(
                "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg%3Anpm%2Fa%401.0",
                &refs
            ),
            "pkg:npm/a@1.0"
        );
        assert_eq!(
            resolve("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#c1", &refs),
            "pkg:npm/lodash@4.17.21"
        );
        assert_eq!(
            with_version("pkg:maven/g/a?type=jar", "1.2"),
            "pkg:maven/g/a@1.2?type=jar"
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
