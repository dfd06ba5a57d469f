//! Required deliverables checked by content, not by name: a 0-byte
//! `LICENSE`, a garbage SBOM or a JUnit report whose every test was skipped
//! does not satisfy the policy. Each check says what it found, so that a
//! reviewer sees why a deliverable passed as well as why one failed.

use oversight_model::Component;

use crate::junit::junit_summary;
use crate::policy::{Deliverable, DeliverableKind, Policy};

/// What inspecting one delivered file for a deliverable found.
pub(crate) type Inspection = Result<String, String>;

/// Inspects `bytes` (the file at `path`) as `deliverable` requires.
/// `Ok` says what was found; `Err` why it does not satisfy the policy.
pub(crate) fn inspect(
    policy: &Policy,
    deliverable: &Deliverable,
    path: &str,
    bytes: &[u8],
    components: &[Component],
    commit: Option<&str>,
) -> Inspection {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(if bytes.is_empty() {
            "is empty (0 bytes)".to_owned()
        } else {
            "holds only white space".to_owned()
        });
    }
    match deliverable.kind() {
        DeliverableKind::Sbom => sbom(deliverable, path, bytes, components),
        DeliverableKind::License => license(policy, bytes),
        DeliverableKind::Junit => junit(deliverable, bytes),
        DeliverableKind::Sast => crate::sarif::inspect(deliverable.limits(), bytes, commit),
        DeliverableKind::Coverage => coverage(deliverable, bytes),
        DeliverableKind::Notice => notice(path, bytes, components),
        DeliverableKind::BuildInstructions
        | DeliverableKind::SecurityPolicy
        | DeliverableKind::Path => document(path, bytes),
    }
}

fn sbom(
    deliverable: &Deliverable,
    path: &str,
    bytes: &[u8],
    components: &[Component],
) -> Inspection {
    let sbom = oversight_sbom::read_sbom(path, bytes)
        .map_err(|e| format!("is not a CycloneDX or SPDX JSON SBOM: {e}"))?;
    let packages: Vec<_> = sbom.entries.iter().filter(|e| !e.root).cloned().collect();
    if packages.is_empty() && !components.is_empty() {
        return Err(format!(
            "lists no package, while the delivery's lockfiles and manifests hold {} components",
            components.len()
        ));
    }
    let diff = oversight_sbom::diff(&packages, components);
    let differences = diff.missing.len() + diff.version_mismatches.len();
    let tolerance = deliverable.limits().max_differences;
    let summary = format!(
        "{} with {} packages; {} of the delivery's components missing from it, {} with other versions, {} listed but not found in the delivery",
        match &sbom.format {
            oversight_sbom::SbomFormat::CycloneDx(v) => format!("CycloneDX {v}"),
            oversight_sbom::SbomFormat::Spdx(v) => v.clone(),
        },
        packages.len(),
        diff.missing.len(),
        diff.version_mismatches.len(),
        diff.extra.len()
    );
    if differences > tolerance {
        let named: Vec<&str> = diff
            .missing
            .iter()
            .map(|p| p.identity.as_str())
            .chain(diff.version_mismatches.iter().map(|m| m.identity.as_str()))
            .take(5)
            .collect();
        return Err(format!(
            "contradicts the delivery: {summary} (e.g. {}); the policy tolerates {tolerance} (max_differences)",
            named.join(", ")
        ));
    }
    Ok(summary)
}

fn license(policy: &Policy, bytes: &[u8]) -> Inspection {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    let matcher = oversight_licenses::text::TextMatcher::load()
        .map_err(|e| format!("could not be matched against the SPDX licence texts: {e}"))?;
    let ids: Vec<String> = match matcher.identify(text) {
        oversight_licenses::text::TextVerdict::Found(found) => {
            found.into_iter().map(|m| m.license).collect()
        }
        oversight_licenses::text::TextVerdict::Unknown { closest, score } => {
            return Err(format!(
                "holds no recognised licence text (closest: {closest}, {:.0} % alike)",
                score * 100.0
            ));
        }
    };
    let Some(license_policy) = policy.license() else {
        return Ok(format!("holds {}", ids.join(" AND ")));
    };
    let mut denied = Vec::new();
    for id in &ids {
        match spdx::Expression::parse_mode(id, spdx::ParseMode::LAX) {
            Ok(expression) => {
                if let Err(reasons) = license_policy.evaluate(&expression) {
                    denied.push(format!("{id} ({})", reasons.join("; ")));
                }
            }
            Err(e) => denied.push(format!("{id} (not an SPDX expression: {e})")),
        }
    }
    if denied.is_empty() {
        Ok(format!(
            "holds {}, allowed by the policy",
            ids.join(" AND ")
        ))
    } else {
        Err(format!(
            "holds a licence the policy does not allow: {}",
            denied.join(", ")
        ))
    }
}

fn junit(deliverable: &Deliverable, bytes: &[u8]) -> Inspection {
    let s = junit_summary(bytes).map_err(|e| format!("is not a JUnit XML report: {e}"))?;
    let limits = deliverable.limits();
    let ran = s.tests.saturating_sub(s.skipped);
    if s.tests == 0 {
        return Err("holds no test case".to_owned());
    }
    if s.failures > 0 || s.errors > 0 {
        return Err(format!(
            "{} tests, {} failed, {} errored",
            s.tests, s.failures, s.errors
        ));
    }
    if ran < limits.min_tests {
        return Err(format!(
            "{} tests, of which {} skipped: {ran} ran, and the policy requires at least {} (min_tests)",
            s.tests, s.skipped, limits.min_tests
        ));
    }
    if let Some(max) = limits.max_skipped
        && s.skipped > max
    {
        return Err(format!(
            "{} tests, of which {} skipped; the policy allows at most {max} (max_skipped)",
            s.tests, s.skipped
        ));
    }
    Ok(format!(
        "{} tests ran and passed, {} skipped",
        ran, s.skipped
    ))
}

/// A NOTICE file: a text document that names every licence the delivered
/// components declare (by SPDX id or full name).
fn notice(path: &str, bytes: &[u8], components: &[Component]) -> Inspection {
    let found = document(path, bytes)?;
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    let mut declared: std::collections::BTreeMap<String, usize> = Default::default();
    for component in components {
        if let Some(expression) = &component.license {
            for id in oversight_licenses::expression_ids(expression) {
                *declared.entry(id).or_default() += 1;
            }
        }
    }
    let missing: Vec<String> = declared
        .iter()
        .filter(|(id, _)| {
            let name = spdx::license_id(id).map(|l| l.full_name.to_lowercase());
            !text.contains(&id.to_lowercase()) && name.is_none_or(|n| !text.contains(&n))
        })
        .map(|(id, n)| format!("{id} ({n} component(s))"))
        .collect();
    if missing.is_empty() {
        Ok(format!(
            "{found}, naming every licence the delivered components declare ({})",
            declared.len()
        ))
    } else {
        Err(format!(
            "does not cover the licences of the delivered components: {}",
            missing.join(", ")
        ))
    }
}

/// A Cobertura XML or LCOV coverage report, against `min_line_coverage`.
fn coverage(deliverable: &Deliverable, bytes: &[u8]) -> Inspection {
    let text =
        std::str::from_utf8(bytes).map_err(|_| "is not a text report (not UTF-8)".to_owned())?;
    let (format, covered, total) = if text.trim_start().starts_with('<') {
        let doc = roxmltree::Document::parse(text)
            .map_err(|e| format!("is not a Cobertura XML report: {e}"))?;
        let root = doc.root_element();
        if root.tag_name().name() != "coverage" {
            return Err(format!(
                "is XML with root <{}>, not a Cobertura <coverage> report",
                root.tag_name().name()
            ));
        }
        let number = |name: &str| root.attribute(name).and_then(|v| v.parse::<f64>().ok());
        match (
            number("lines-covered"),
            number("lines-valid"),
            number("line-rate"),
        ) {
            (Some(c), Some(v), _) => ("Cobertura", c, v),
            (_, _, Some(rate)) => ("Cobertura", rate * 100.0, 100.0),
            _ => return Err("is a Cobertura report without line-rate or lines-valid".to_owned()),
        }
    } else {
        let (mut found, mut hit, mut records) = (0.0, 0.0, 0);
        for line in text.lines() {
            if let Some(n) = line.strip_prefix("LF:") {
                found += n
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("has a bad LF line `{line}`"))?;
                records += 1;
            } else if let Some(n) = line.strip_prefix("LH:") {
                hit += n
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("has a bad LH line `{line}`"))?;
            }
        }
        if records == 0 {
            return Err("is neither a Cobertura XML nor an LCOV report (no LF: totals)".to_owned());
        }
        ("LCOV", hit, found)
    };
    if total <= 0.0 {
        return Err(format!("is a {format} report that counts no line"));
    }
    let percent = covered / total * 100.0;
    let minimum = deliverable.limits().min_line_coverage;
    if percent + 1e-9 < minimum {
        return Err(format!(
            "is a {format} report with {percent:.1} % of lines covered; the policy requires {minimum} % (min_line_coverage)"
        ));
    }
    Ok(format!("{format} report, {percent:.1} % of lines covered"))
}

/// A document: a PDF by its magic bytes, anything else readable text.
fn document(path: &str, bytes: &[u8]) -> Inspection {
    if path.to_ascii_lowercase().ends_with(".pdf") {
        return if bytes.starts_with(b"%PDF-") {
            Ok(format!("a PDF document of {} bytes", bytes.len()))
        } else {
            Err("is named .pdf but is not a PDF document".to_owned())
        };
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| "is not a text document (not UTF-8)".to_owned())?;
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err("is not a text document (holds control characters)".to_owned());
    }
    let words = text.split_whitespace().count();
    if words < 3 {
        return Err(format!("holds {words} word(s); a document says something"));
    }
    Ok(format!("a text document of {words} words"))
}
