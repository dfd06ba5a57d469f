//! Readers for supplier SBOMs: CycloneDX JSON (1.2 to 1.6) and SPDX JSON
//! (2.2, 2.3) reduced to a neutral package list.
//!
//! A document whose structure is broken (not JSON, `components` not a list)
//! is an [`Error`]; a single broken package is skipped and reported in
//! [`SupplierSbom::problems`], so one bad record never hides the rest.

use serde_json::Value;

use oversight_model::Ecosystem;

use crate::error::{Error, parse_json};
use crate::purl;

/// One package a supplier SBOM lists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SbomEntry {
    /// Name as the document writes it (CycloneDX `group` joined to `name`).
    pub name: String,
    /// Version, when given.
    pub version: Option<String>,
    /// Package URL, when given.
    pub purl: Option<String>,
    /// Ecosystem derived from the purl type, when it is one Oversight knows.
    pub ecosystem: Option<Ecosystem>,
    /// Whether this is the document's subject (CycloneDX `metadata.component`,
    /// the SPDX package the document `DESCRIBES`) rather than a dependency.
    pub root: bool,
}

/// The format a supplier SBOM was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SbomFormat {
    /// CycloneDX JSON with this `specVersion`.
    CycloneDx(String),
    /// SPDX JSON with this `spdxVersion` (`SPDX-2.3`).
    Spdx(String),
}

/// A supplier SBOM, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierSbom {
    /// The document's format and version.
    pub format: SbomFormat,
    /// Every package, in document order (nested CycloneDX components after
    /// their parent).
    pub entries: Vec<SbomEntry>,
    /// Packages that could not be read, one error each.
    pub problems: Vec<Error>,
}

/// Reads a CycloneDX or SPDX JSON SBOM; `path_name` is used in errors only.
pub fn read_sbom(path_name: &str, bytes: &[u8]) -> Result<SupplierSbom, Error> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"<") {
        return Err(Error::Unsupported {
            file: path_name.to_owned(),
            reason: "XML documents (CycloneDX XML, SPDX RDF) are not read; ask for JSON".into(),
        });
    }
    let doc = parse_json(path_name, bytes)?;
    let Some(object) = doc.as_object() else {
        return Err(Error::Unsupported {
            file: path_name.to_owned(),
            reason: "the top level is not a JSON object".into(),
        });
    };
    if object.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return cyclonedx(path_name, &doc);
    }
    if let Some(version) = object.get("spdxVersion").and_then(Value::as_str) {
        return spdx(path_name, &doc, version);
    }
    Err(Error::Unsupported {
        file: path_name.to_owned(),
        reason: "neither `bomFormat: CycloneDX` nor `spdxVersion` is present".into(),
    })
}

struct Ctx<'a> {
    file: &'a str,
    format: &'static str,
    problems: Vec<Error>,
}

impl Ctx<'_> {
    fn invalid(&self, pointer: &str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            file: self.file.to_owned(),
            format: self.format,
            pointer: pointer.to_owned(),
            reason: reason.into(),
        }
    }

    /// An optional string field; a value of another type is a problem.
    fn string(&mut self, object: &Value, pointer: &str, field: &str) -> Option<String> {
        match object.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                let problem = self.invalid(&format!("{pointer}/{field}"), "expected a string");
                self.problems.push(problem);
                None
            }
        }
    }

    /// An optional array field of one record; another type is a problem and
    /// reads as empty.
    fn items<'v>(&mut self, value: &'v Value, pointer: &str, field: &str) -> &'v [Value] {
        self.array(value, pointer, field).unwrap_or_else(|problem| {
            self.problems.push(problem);
            &[]
        })
    }

    /// An optional array field; absent is empty, another type is an error.
    fn array<'v>(
        &self,
        value: &'v Value,
        pointer: &str,
        field: &str,
    ) -> Result<&'v [Value], Error> {
        match value.get(field) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.invalid(&format!("{pointer}/{field}"), "expected an array")),
        }
    }
}

fn entry(name: String, version: Option<String>, purl: Option<String>, root: bool) -> SbomEntry {
    let version = version.filter(|v| !v.trim().is_empty());
    let purl = purl.filter(|p| !p.trim().is_empty());
    let ecosystem = purl
        .as_deref()
        .and_then(purl::key)
        .and_then(|k| purl::ecosystem_of_type(&k.purl_type));
    SbomEntry {
        name,
        version,
        purl,
        ecosystem,
        root,
    }
}

fn cyclonedx(file: &str, doc: &Value) -> Result<SupplierSbom, Error> {
    let mut ctx = Ctx {
        file,
        format: "CycloneDX",
        problems: Vec::new(),
    };
    let spec = match doc.get("specVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(ctx.invalid("/specVersion", "expected a string")),
        None => return Err(ctx.invalid("", "`specVersion` is missing")),
    };
    let minor = spec.strip_prefix("1.").and_then(|m| m.parse::<u32>().ok());
    if !minor.is_some_and(|m| (2..=6).contains(&m)) {
        return Err(ctx.invalid(
            "/specVersion",
            format!("specVersion {spec} is not one of 1.2 to 1.6 (JSON CycloneDX)"),
        ));
    }
    let mut entries = Vec::new();
    if let Some(root) = doc.get("metadata").and_then(|m| m.get("component")) {
        component(&mut ctx, root, "/metadata/component", true, &mut entries);
    }
    for (i, c) in ctx.array(doc, "", "components")?.iter().enumerate() {
        component(
            &mut ctx,
            c,
            &format!("/components/{i}"),
            false,
            &mut entries,
        );
    }
    Ok(SupplierSbom {
        format: SbomFormat::CycloneDx(spec),
        entries,
        problems: ctx.problems,
    })
}

/// Reads one CycloneDX component and, recursively, its `components`.
fn component(
    ctx: &mut Ctx<'_>,
    value: &Value,
    pointer: &str,
    root: bool,
    out: &mut Vec<SbomEntry>,
) {
    if !value.is_object() {
        let problem = ctx.invalid(pointer, "expected a component object");
        ctx.problems.push(problem);
        return;
    }
    let name = ctx.string(value, pointer, "name");
    let group = ctx
        .string(value, pointer, "group")
        .filter(|g| !g.is_empty());
    let version = ctx.string(value, pointer, "version");
    let purl = ctx.string(value, pointer, "purl");
    let kind = ctx.string(value, pointer, "type");
    match name {
        None => {
            let problem = ctx.invalid(pointer, "the component has no `name`");
            ctx.problems.push(problem);
        }
        // Files are not packages; tools list them when scanning images.
        Some(_) if kind.as_deref() == Some("file") && purl.is_none() => {}
        Some(name) => {
            let name = match group {
                Some(group) if group.starts_with('@') || !group.contains('.') => {
                    format!("{group}/{name}")
                }
                Some(group) => format!("{group}:{name}"),
                None => name,
            };
            out.push(entry(name, version, purl, root));
        }
    }
    for (i, child) in ctx.items(value, pointer, "components").iter().enumerate() {
        component(ctx, child, &format!("{pointer}/components/{i}"), false, out);
    }
}

fn spdx(file: &str, doc: &Value, version: &str) -> Result<SupplierSbom, Error> {
    let mut ctx = Ctx {
        file,
        format: "SPDX",
        problems: Vec::new(),
    };
    if !matches!(version, "SPDX-2.2" | "SPDX-2.3") {
        return Err(ctx.invalid(
            "/spdxVersion",
            format!("{version} is not SPDX-2.2 or SPDX-2.3"),
        ));
    }
    let document_id = doc
        .get("SPDXID")
        .and_then(Value::as_str)
        .unwrap_or("SPDXRef-DOCUMENT")
        .to_owned();
    let mut described: Vec<String> = ctx
        .array(doc, "", "documentDescribes")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    for (i, r) in ctx.array(doc, "", "relationships")?.iter().enumerate() {
        let pointer = format!("/relationships/{i}");
        let from = ctx.string(r, &pointer, "spdxElementId");
        let kind = ctx.string(r, &pointer, "relationshipType");
        let to = ctx.string(r, &pointer, "relatedSpdxElement");
        match (from, kind.as_deref(), to) {
            (Some(from), Some("DESCRIBES"), Some(to)) if from == document_id => described.push(to),
            (Some(from), Some("DESCRIBED_BY"), Some(to)) if to == document_id => {
                described.push(from)
            }
            _ => {}
        }
    }
    let mut entries = Vec::new();
    for (i, p) in ctx.array(doc, "", "packages")?.iter().enumerate() {
        let pointer = format!("/packages/{i}");
        if !p.is_object() {
            let problem = ctx.invalid(&pointer, "expected a package object");
            ctx.problems.push(problem);
            continue;
        }
        let id = ctx.string(p, &pointer, "SPDXID");
        let name = ctx.string(p, &pointer, "name");
        let version = ctx.string(p, &pointer, "versionInfo");
        let mut purl = None;
        for (j, r) in ctx.items(p, &pointer, "externalRefs").iter().enumerate() {
            let ref_pointer = format!("{pointer}/externalRefs/{j}");
            if ctx.string(r, &ref_pointer, "referenceType").as_deref() == Some("purl") {
                purl = purl.or_else(|| ctx.string(r, &ref_pointer, "referenceLocator"));
            }
        }
        let Some(name) = name else {
            let problem = ctx.invalid(&pointer, "the package has no `name`");
            ctx.problems.push(problem);
            continue;
        };
        let root = id.is_some_and(|id| described.contains(&id));
        entries.push(entry(name, version, purl, root));
    }
    Ok(SupplierSbom {
        format: SbomFormat::Spdx(version.to_owned()),
        entries,
        problems: ctx.problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_an_sbom() {
        let err = read_sbom("a.json", b"{\"bomFormat\": ").unwrap_err();
        assert!(matches!(err, Error::NotJson { .. }), "{err}");
        assert!(err.to_string().starts_with("Cannot read a.json as JSON"));
        let err = read_sbom("b.json", b"[1, 2]").unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }));
        let err = read_sbom("c.xml", b"  <?xml version=\"1.0\"?><bom/>").unwrap_err();
        assert!(err.to_string().contains("XML"), "{err}");
        let err = read_sbom(
            "d.json",
            br#"{"bomFormat":"CycloneDX","specVersion":"2.0"}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid CycloneDX document d.json at /specVersion: specVersion 2.0 is not one of 1.2 to 1.6 (JSON CycloneDX)"
        );
        let err = read_sbom(
            "e.json",
            br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":{"name":"x"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid CycloneDX document e.json at /components: expected an array"
        );
    }

    #[test]
    fn one_bad_component_does_not_hide_the_rest() {
        let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.4","components":[
            {"type":"library","name":"a","version":"1","purl":7},
            "junk",
            {"type":"library","version":"2"},
            {"type":"library","group":"@types","name":"node","version":"20.1.0",
             "components":[{"type":"library","name":"inner","version":"0.1"}]}
        ]}"#;
        let sbom = read_sbom("s.cdx.json", doc).unwrap();
        let names: Vec<&str> = sbom.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "@types/node", "inner"]);
        assert_eq!(sbom.entries[0].purl, None);
        let problems: Vec<String> = sbom.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "Invalid CycloneDX document s.cdx.json at /components/0/purl: expected a string",
                "Invalid CycloneDX document s.cdx.json at /components/1: expected a component object",
                "Invalid CycloneDX document s.cdx.json at /components/2: the component has no `name`",
            ]
        );
    }

    #[test]
    fn byte_order_mark_is_tolerated() {
        let mut doc = b"\xEF\xBB\xBF".to_vec();
        doc.extend_from_slice(br#"{"spdxVersion":"SPDX-2.2","packages":[]}"#);
        let sbom = read_sbom("bom.spdx.json", &doc).unwrap();
        assert_eq!(sbom.format, SbomFormat::Spdx("SPDX-2.2".into()));
        assert!(sbom.entries.is_empty());
    }
}
