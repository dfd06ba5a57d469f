//! What every OSCAL document shares: metadata, properties, parts, UUIDs.

use serde::{Deserialize, Serialize};

/// The OSCAL version the documents follow (the newest JSON schemas NIST
/// committed).
pub const OSCAL_VERSION: &str = "1.0.6";

/// The namespace of Oversight's OSCAL properties.
pub const NAMESPACE: &str = "https://oversight.dev/ns/oscal";

/// A version-5 UUID of `kind` and `id` (`control`, `OSD-SEC-01`): the same
/// object gets the same UUID in every export.
pub fn stable_uuid(kind: &str, id: &str) -> String {
    let namespace = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, NAMESPACE.as_bytes());
    uuid::Uuid::new_v5(&namespace, format!("{kind}:{id}").as_bytes()).to_string()
}

/// Document metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Metadata {
    /// Title.
    pub title: String,
    /// When the content last changed (RFC 3339 with a time zone).
    pub last_modified: String,
    /// The document's version.
    pub version: String,
    /// [`OSCAL_VERSION`].
    pub oscal_version: String,
}

/// A name–value property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// Its name (a token).
    pub name: String,
    /// Its value.
    pub value: String,
    /// Its namespace (Oversight's, for names OSCAL does not define).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
}

impl Property {
    /// A property in Oversight's namespace.
    pub fn oversight(name: &str, value: impl Into<String>) -> Property {
        Property {
            name: name.to_owned(),
            value: value.into(),
            ns: Some(NAMESPACE.to_owned()),
        }
    }
}

/// A part of a control (its statement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Its id (a token).
    pub id: String,
    /// Its name (`statement`).
    pub name: String,
    /// Its text.
    pub prose: String,
}
