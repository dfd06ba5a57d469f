//! Errors of this crate.

/// Why a supplier SBOM or a VEX document could not be read. Every variant
/// names the file; `Invalid` also says where in the document (a JSON pointer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are not JSON.
    #[error("Cannot read {file} as JSON: {reason}")]
    NotJson {
        /// The file, as the caller named it.
        file: String,
        /// The parser's message, with line and column.
        reason: String,
    },
    /// JSON, but neither of the formats this reader knows.
    #[error("{file} is not a supported document: {reason}")]
    Unsupported {
        /// The file.
        file: String,
        /// What was found instead.
        reason: String,
    },
    /// A document of a known format that breaks its schema.
    #[error("Invalid {format} document {file} at {pointer}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// `CycloneDX`, `SPDX` or `OpenVEX`.
        format: &'static str,
        /// JSON pointer of the offending value (`/components/3/purl`); empty
        /// for the whole document.
        pointer: String,
        /// What is wrong.
        reason: String,
    },
}

/// Parses JSON, tolerating a UTF-8 byte-order mark (some Windows tools write
/// one).
pub(crate) fn parse_json(file: &str, bytes: &[u8]) -> Result<serde_json::Value, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| Error::NotJson {
        file: file.to_owned(),
        reason: e.to_string(),
    })
}
