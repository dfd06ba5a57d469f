//! OpenVEX 0.2.0: reading with the checks of the official JSON schema
//! (`openvex_json_schema_0.2.0.json`), done by hand so the library needs no
//! schema file at run time; the tests hold both to the same documents.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Justification, VexStatement, VexStatus};
use crate::error::Error;
use crate::time::parse_rfc3339;

const DOCUMENT_KEYS: &[&str] = &[
    "@context",
    "@id",
    "author",
    "role",
    "timestamp",
    "last_updated",
    "version",
    "tooling",
    "statements",
];
const STATEMENT_KEYS: &[&str] = &[
    "@id",
    "version",
    "vulnerability",
    "timestamp",
    "last_updated",
    "products",
    "status",
    "supplier",
    "status_notes",
    "justification",
    "impact_statement",
    "action_statement",
    "action_statement_timestamp",
];
const VULNERABILITY_KEYS: &[&str] = &["@id", "name", "description", "aliases"];
const COMPONENT_KEYS: &[&str] = &["@id", "identifiers", "hashes", "subcomponents"];
const SUBCOMPONENT_KEYS: &[&str] = &["@id", "identifiers", "hashes"];
const IDENTIFIER_KEYS: &[&str] = &["purl", "cpe22", "cpe23"];
const HASH_KEYS: &[&str] = &[
    "md5",
    "sha1",
    "sha-256",
    "sha-384",
    "sha-512",
    "sha3-224",
    "sha3-256",
    "sha3-384",
    "sha3-512",
    "blake2s-256",
    "blake2b-256",
    "blake2b-512",
];

struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn err(&self, pointer: &str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            file: self.file.to_owned(),
            format: "OpenVEX",
            pointer: pointer.to_owned(),
            reason: reason.into(),
        }
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        pointer: &str,
        keys: &[&str],
    ) -> Result<&'v Map<String, Value>, Error> {
        let object = value
            .as_object()
            .ok_or_else(|| self.err(pointer, "expected an object"))?;
        if let Some(unknown) = object.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(self.err(
                &format!("{pointer}/{}", escape(unknown)),
                format!("property `{unknown}` is not allowed"),
            ));
        }
        Ok(object)
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

    fn required<'v>(
        &self,
        object: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<&'v str, Error> {
        self.string(object, pointer, key)?
            .ok_or_else(|| self.err(pointer, format!("required property `{key}` is missing")))
    }

    fn date_time<'v>(
        &self,
        object: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<Option<&'v str>, Error> {
        let value = self.string(object, pointer, key)?;
        if let Some(text) = value
            && parse_rfc3339(text).is_none()
        {
            return Err(self.err(
                &format!("{pointer}/{key}"),
                format!("`{text}` is not an RFC 3339 date-time"),
            ));
        }
        Ok(value)
    }

    /// `format: iri`: an absolute IRI has a scheme and no whitespace.
    fn iri<'v>(
        &self,
        object: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<Option<&'v str>, Error> {
        let value = self.string(object, pointer, key)?;
        if let Some(text) = value
            && !is_absolute_iri(text)
        {
            return Err(self.err(
                &format!("{pointer}/{key}"),
                format!("`{text}` is not an absolute IRI"),
            ));
        }
        Ok(value)
    }

    fn version(&self, object: &Map<String, Value>, pointer: &str) -> Result<(), Error> {
        match object.get("version") {
            None => Ok(()),
            Some(v) if v.as_u64().is_some_and(|n| n >= 1) => Ok(()),
            Some(_) => Err(self.err(
                &format!("{pointer}/version"),
                "expected an integer of at least 1",
            )),
        }
    }

    fn array<'v>(
        &self,
        object: &'v Map<String, Value>,
        pointer: &str,
        key: &str,
    ) -> Result<Option<&'v [Value]>, Error> {
        match object.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => {
                let mut seen = BTreeSet::new();
                for (i, item) in items.iter().enumerate() {
                    if !seen.insert(item.to_string()) {
                        return Err(
                            self.err(&format!("{pointer}/{key}/{i}"), "items must be unique")
                        );
                    }
                }
                Ok(Some(items))
            }
            Some(_) => Err(self.err(&format!("{pointer}/{key}"), "expected an array")),
        }
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn is_absolute_iri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// Identifiers of a product or subcomponent: `@id` and every identifier.
fn component_ids(
    check: &Check<'_>,
    value: &Value,
    pointer: &str,
    keys: &[&str],
    out: &mut Vec<String>,
) -> Result<(), Error> {
    let object = check.object(value, pointer, keys)?;
    let id = check.iri(object, pointer, "@id")?;
    let identifiers = object.get("identifiers");
    if id.is_none() && identifiers.is_none() {
        return Err(check.err(pointer, "a product needs `@id` or `identifiers`"));
    }
    out.extend(id.map(str::to_owned));
    if let Some(identifiers) = identifiers {
        let ip = format!("{pointer}/identifiers");
        let map = check.object(identifiers, &ip, IDENTIFIER_KEYS)?;
        if map.is_empty() {
            return Err(check.err(&ip, "needs one of `purl`, `cpe22`, `cpe23`"));
        }
        for key in IDENTIFIER_KEYS {
            out.extend(check.string(map, &ip, key)?.map(str::to_owned));
        }
    }
    if let Some(hashes) = object.get("hashes") {
        let hp = format!("{pointer}/hashes");
        let map = check.object(hashes, &hp, HASH_KEYS)?;
        for key in map.keys() {
            check.string(map, &hp, key)?;
        }
    }
    Ok(())
}

pub(super) fn read(file: &str, doc: &Value) -> Result<Vec<VexStatement>, Error> {
    let check = Check { file };
    let root = check.object(doc, "", DOCUMENT_KEYS)?;
    let context = check.required(root, "", "@context")?;
    if !is_absolute_iri(context) || !context.is_ascii() {
        return Err(check.err("/@context", format!("`{context}` is not a URI")));
    }
    check.iri(root, "", "@id")?;
    check.required(root, "", "@id")?;
    check.required(root, "", "author")?;
    check.string(root, "", "role")?;
    check.string(root, "", "tooling")?;
    let doc_time = check.date_time(root, "", "timestamp")?;
    if doc_time.is_none() {
        return Err(check.err("", "required property `timestamp` is missing"));
    }
    check.date_time(root, "", "last_updated")?;
    if root.get("version").is_none() {
        return Err(check.err("", "required property `version` is missing"));
    }
    check.version(root, "")?;
    let statements = check
        .array(root, "", "statements")?
        .ok_or_else(|| check.err("", "required property `statements` is missing"))?;
    if statements.is_empty() {
        return Err(check.err("/statements", "needs at least one statement"));
    }
    let mut out = Vec::with_capacity(statements.len());
    for (i, value) in statements.iter().enumerate() {
        let pointer = format!("/statements/{i}");
        let s = check.object(value, &pointer, STATEMENT_KEYS)?;
        check.iri(s, &pointer, "@id")?;
        check.version(s, &pointer)?;
        let timestamp = check.date_time(s, &pointer, "timestamp")?;
        check.date_time(s, &pointer, "last_updated")?;
        check.date_time(s, &pointer, "action_statement_timestamp")?;
        check.string(s, &pointer, "supplier")?;
        check.string(s, &pointer, "status_notes")?;

        let vp = format!("{pointer}/vulnerability");
        let vulnerability = s
            .get("vulnerability")
            .ok_or_else(|| check.err(&pointer, "required property `vulnerability` is missing"))?;
        let v = check.object(vulnerability, &vp, VULNERABILITY_KEYS)?;
        check.iri(v, &vp, "@id")?;
        check.string(v, &vp, "description")?;
        let mut vulnerabilities = vec![check.required(v, &vp, "name")?.to_owned()];
        for (j, alias) in check
            .array(v, &vp, "aliases")?
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let alias = alias
                .as_str()
                .ok_or_else(|| check.err(&format!("{vp}/aliases/{j}"), "expected a string"))?;
            if !vulnerabilities.iter().any(|known| known == alias) {
                vulnerabilities.push(alias.to_owned());
            }
        }

        let status_text = check.required(s, &pointer, "status")?;
        let status = match status_text {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            other => {
                return Err(check.err(
                    &format!("{pointer}/status"),
                    format!(
                        "`{other}` is not one of not_affected, affected, fixed, under_investigation"
                    ),
                ));
            }
        };
        let justification = match check.string(s, &pointer, "justification")? {
            None => None,
            Some(text) => Some(Justification::from_openvex_name(text).ok_or_else(|| {
                check.err(
                    &format!("{pointer}/justification"),
                    format!("`{text}` is not a VEX status justification"),
                )
            })?),
        };
        let impact_statement = check
            .string(s, &pointer, "impact_statement")?
            .map(str::to_owned);
        let action_statement = check
            .string(s, &pointer, "action_statement")?
            .map(str::to_owned);
        if status == VexStatus::NotAffected && justification.is_none() && impact_statement.is_none()
        {
            return Err(check.err(
                &pointer,
                "a not_affected statement needs `justification` or `impact_statement`",
            ));
        }
        if status == VexStatus::Affected && action_statement.is_none() {
            return Err(check.err(&pointer, "an affected statement needs `action_statement`"));
        }

        let mut products = Vec::new();
        for (j, product) in check
            .array(s, &pointer, "products")?
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let pp = format!("{pointer}/products/{j}");
            component_ids(&check, product, &pp, COMPONENT_KEYS, &mut products)?;
            let object = product.as_object().expect("checked as an object");
            for (k, sub) in check
                .array(object, &pp, "subcomponents")?
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                component_ids(
                    &check,
                    sub,
                    &format!("{pp}/subcomponents/{k}"),
                    SUBCOMPONENT_KEYS,
                    &mut products,
                )?;
            }
        }
        products.sort();
        products.dedup();
        out.push(VexStatement {
            vulnerabilities,
            products,
            status,
            justification,
            impact_statement,
            action_statement,
            timestamp: timestamp.or(doc_time).map(str::to_owned),
            source: file.to_owned(),
        });
    }
    Ok(out)
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    author: &'a str,
    timestamp: &'a str,
    version: u32,
    tooling: &'static str,
    statements: Vec<Statement<'a>>,
}

#[derive(Serialize, PartialEq, Eq)]
struct Statement<'a> {
    vulnerability: Vulnerability<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    products: Vec<Product<'a>>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<&'a str>,
}

#[derive(Serialize, PartialEq, Eq)]
struct Vulnerability<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<&'a str>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Product<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
}

pub(super) fn write(
    statements: &[VexStatement],
    author: &str,
    timestamp: &str,
    id: &str,
) -> String {
    let mut out: Vec<Statement> = Vec::new();
    for s in statements {
        let Some((name, aliases)) = s.vulnerabilities.split_first() else {
            continue;
        };
        let mut aliases: Vec<&str> = aliases
            .iter()
            .map(String::as_str)
            .filter(|a| a != name)
            .collect();
        aliases.sort_unstable();
        aliases.dedup();
        let products = s
            .products
            .iter()
            .filter(|p| is_absolute_iri(p))
            .map(|p| Product { id: p })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut impact_statement = s.impact_statement.as_deref();
        if s.status == VexStatus::NotAffected
            && s.justification.is_none()
            && impact_statement.is_none()
        {
            impact_statement = Some("No justification was recorded");
        }
        let mut action_statement = s.action_statement.as_deref();
        if s.status == VexStatus::Affected && action_statement.is_none() {
            action_statement = Some("No action statement was recorded");
        }
        let statement = Statement {
            vulnerability: Vulnerability { name, aliases },
            timestamp: s
                .timestamp
                .as_deref()
                .filter(|t| parse_rfc3339(t).is_some()),
            products,
            status: s.status.openvex_name(),
            justification: s.justification.map(Justification::openvex_name),
            impact_statement,
            action_statement,
        };
        if !out.contains(&statement) {
            out.push(statement);
        }
    }
    let document = Document {
        context: "https://openvex.dev/ns/v0.2.0",
        id,
        author,
        timestamp,
        version: 1,
        tooling: "oversight",
        statements: out,
    };
    serde_json::to_string_pretty(&document).expect("serialising plain structs cannot fail")
}
