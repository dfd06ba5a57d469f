//! The deposit's manifest: every member with its role, size and SHA-256,
//! and what the deposit is of (engagement, review, decision, the recorded
//! delivery's content digest).

use serde::{Deserialize, Serialize};

/// The schema name of [`DepositManifest`].
pub const MANIFEST_SCHEMA: &str = "oversight.escrow-manifest/1";
/// The manifest's member path; always the deposit's first member.
pub const MANIFEST_PATH: &str = "oversight-escrow/manifest.json";
/// The recorded delivery manifest (its SHA-256 is the delivery's content digest).
pub const DELIVERY_MANIFEST_PATH: &str = "oversight-escrow/delivery-manifest.json";
/// The review's CycloneDX SBOM.
pub const SBOM_PATH: &str = "oversight-escrow/sbom.cdx.json";
/// The licence notice.
pub const NOTICE_PATH: &str = "oversight-escrow/NOTICE.txt";
/// What the deposit is and how to verify it, for the escrow agent.
pub const README_PATH: &str = "oversight-escrow/README.txt";
/// Where the delivered files are, under their delivered paths.
pub const SOURCE_PREFIX: &str = "source/";

/// The member path of delivered file `path`.
pub fn source_member(path: &str) -> String {
    format!("{SOURCE_PREFIX}{path}")
}

/// What a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A delivered file.
    Source,
    /// The recorded delivery manifest.
    DeliveryManifest,
    /// The CycloneDX SBOM.
    Sbom,
    /// The licence notice.
    Notice,
    /// The read-me for the escrow agent.
    Readme,
}

/// One member of the deposit (other than the manifest itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositFile {
    /// Path inside the deposit (`source/src/main.rs`), delivered names
    /// written as `oversight_model::name_from_bytes` does.
    pub path: String,
    /// What it is.
    pub role: Role,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (hex).
    pub sha256: String,
}

/// A delivered entry the deposit does not hold, and why (a link, a special
/// file, a file not read to its end): named, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotIncluded {
    /// The delivered path.
    pub path: String,
    /// Why it is not in the deposit.
    pub reason: String,
}

/// The deposit's manifest. Holds no time and no host name, so that two
/// deposits of the same review are byte for byte the same; when the
/// deposit was made is the ledger's record (`escrow.deposited`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositManifest {
    /// [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// The engagement.
    pub engagement: String,
    /// The review the deposit is of.
    pub review: String,
    /// Its decision (`accepted`, `accepted-with-waivers`).
    pub decision: String,
    /// When it was decided (RFC 3339).
    pub decided_at: String,
    /// The delivery's content digest (SHA-256 of the recorded manifest).
    pub delivery_digest: String,
    /// Whether the review read the git history (whose past blobs are not
    /// delivered files and are not deposited).
    pub scanned_history: bool,
    /// The Oversight version that wrote the deposit.
    pub tool_version: String,
    /// The delivered files that are build instructions or toolchain
    /// statements (`Cargo.toml`, `rust-toolchain.toml`, `Dockerfile`…).
    pub build_instructions: Vec<String>,
    /// Every other member, in the order they are written (sorted by path).
    pub files: Vec<DepositFile>,
    /// Delivered entries not in the deposit, with why.
    #[serde(default)]
    pub not_included: Vec<NotIncluded>,
}

impl DepositManifest {
    /// Canonical JSON (declaration order, no whitespace).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("the manifest serialises")
    }

    /// Reads a manifest back.
    ///
    /// # Errors
    ///
    /// The JSON error, when the text is not a manifest.
    pub fn from_json(bytes: &[u8]) -> Result<DepositManifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
