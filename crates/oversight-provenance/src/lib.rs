//! Verifies, offline, the provenance a supplier delivers next to its
//! artefacts (ISO 27001 A.8.30, SLSA).
//!
//! * A DSSE envelope (`*.intoto.jsonl`, `*.dsse.json`) is verified over its
//!   pre-authentication encoding (PAE) with the keys the terms give
//!   (ed25519 or ECDSA P-256, PEM SubjectPublicKeyInfo): [`verify_envelope`].
//! * Its payload, an in-toto statement (v0.1 or v1) with an SLSA provenance
//!   predicate (v0.2 or v1), is read into typed documents: the subjects and
//!   their SHA-256 digests, the builder, the source revision.
//! * [`check`] compares the subjects with the delivered files and the source
//!   revision with the delivered git commit, and reports per artefact.
//! * A Sigstore bundle is read ([`read_sigstore_bundle`]) but **not
//!   verified** (no trust root yet): the caller reports it as a coverage gap.
//!
//! Nothing here touches the network or runs a tool.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Deserialize;

/// Why a provenance document could not be verified.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProvenanceError {
    /// Not the JSON of the expected document.
    #[error("{what} is not valid JSON of the expected shape: {reason}")]
    Json {
        /// Which document.
        what: &'static str,
        /// serde's message (line and column).
        reason: String,
    },
    /// A base64 field does not decode.
    #[error("the envelope's {field} is not base64: {reason}")]
    Base64 {
        /// Which field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// No signature verifies with any of the given keys.
    #[error("no signature of the envelope verifies with the {keys} key(s) given in the terms")]
    NotSigned {
        /// How many keys were tried.
        keys: usize,
    },
    /// The envelope does not carry an in-toto statement.
    #[error("payload type `{0}` is not an in-toto statement (application/vnd.in-toto+json)")]
    PayloadType(String),
    /// A key of the terms does not parse.
    #[error(
        "key `{name}` is not an ed25519 or ECDSA P-256 public key in PEM (SubjectPublicKeyInfo)"
    )]
    Key {
        /// The key's name in the terms.
        name: String,
    },
}

/// A verification key given in the terms.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// Its name in the terms (reported as the signer).
    pub name: String,
    key: KeyKind,
}

#[derive(Debug, Clone)]
enum KeyKind {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl TrustedKey {
    /// Parses a PEM `PUBLIC KEY` (ed25519 or P-256).
    ///
    /// # Errors
    /// Neither kind parses; the error names the key.
    pub fn from_pem(name: &str, pem: &str) -> Result<TrustedKey, ProvenanceError> {
        use ed25519_dalek::pkcs8::DecodePublicKey as _;
        let key = if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem.trim()) {
            KeyKind::Ed25519(k)
        } else if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem.trim()) {
            KeyKind::P256(k)
        } else {
            return Err(ProvenanceError::Key {
                name: name.to_owned(),
            });
        };
        Ok(TrustedKey {
            name: name.to_owned(),
            key,
        })
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        match &self.key {
            KeyKind::Ed25519(k) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| k.verify_strict(message, &s).is_ok()),
            KeyKind::P256(k) => p256::ecdsa::Signature::from_der(signature)
                .or_else(|_| p256::ecdsa::Signature::from_slice(signature))
                .is_ok_and(|s| k.verify(message, &s).is_ok()),
        }
    }
}

/// A DSSE envelope.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The payload's media type.
    pub payload_type: String,
    /// The payload, base64.
    pub payload: String,
    /// Its signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct EnvelopeSignature {
    /// The key id the signer gave, if any.
    #[serde(default)]
    pub keyid: String,
    /// The signature, base64.
    pub sig: String,
}

/// The DSSE pre-authentication encoding of `payload` of type `payload_type`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The in-toto statement's media type.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// An in-toto statement (v0.1 or v1) with an SLSA provenance predicate.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// `https://in-toto.io/Statement/v0.1` or `…/v1`.
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The artefacts it is about.
    pub subject: Vec<Subject>,
    /// `https://slsa.dev/provenance/v0.2` or `…/v1`.
    pub predicate_type: String,
    /// The predicate, read as SLSA provenance of either version.
    #[serde(default)]
    pub predicate: Predicate,
}

/// A subject of a statement.
#[derive(Debug, Clone, Deserialize)]
pub struct Subject {
    /// The artefact's name (its path in the delivery).
    pub name: String,
    /// Digests by algorithm.
    pub digest: BTreeMap<String, String>,
}

/// The fields of SLSA provenance v0.2 and v1 that are checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Predicate {
    /// v0.2: the builder.
    #[serde(default)]
    pub builder: Option<Builder>,
    /// v0.2: the invocation (its config source is the source revision).
    #[serde(default)]
    pub invocation: Option<Invocation>,
    /// v0.2: materials.
    #[serde(default)]
    pub materials: Vec<ResourceDescriptor>,
    /// v1: the build definition.
    #[serde(default)]
    pub build_definition: Option<BuildDefinition>,
    /// v1: how it ran.
    #[serde(default)]
    pub run_details: Option<RunDetails>,
}

/// A builder identity.
#[derive(Debug, Clone, Deserialize)]
pub struct Builder {
    /// Its URI.
    pub id: String,
}

/// SLSA v0.2 invocation.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// Where the build configuration came from.
    #[serde(default)]
    pub config_source: Option<ResourceDescriptor>,
}

/// A resource (source repository, material, dependency).
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceDescriptor {
    /// Its URI (`git+https://…@refs/heads/main`).
    #[serde(default)]
    pub uri: String,
    /// Digests by algorithm (`sha1`, `gitCommit`, `sha256`).
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

/// SLSA v1 build definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    /// The build type URI.
    #[serde(default)]
    pub build_type: String,
    /// Resolved dependencies; the source is the one with a git commit.
    #[serde(default)]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// SLSA v1 run details.
#[derive(Debug, Clone, Deserialize)]
pub struct RunDetails {
    /// The builder.
    pub builder: Builder,
}

impl Statement {
    /// The builder's id (v0.2 `builder.id`, v1 `runDetails.builder.id`).
    pub fn builder(&self) -> Option<&str> {
        self.predicate
            .builder
            .as_ref()
            .or(self.predicate.run_details.as_ref().map(|r| &r.builder))
            .map(|b| b.id.as_str())
    }

    /// The source revision: the git commit of the config source (v0.2),
    /// else of the first material or resolved dependency that names one.
    pub fn source_revision(&self) -> Option<&str> {
        fn commit(r: &ResourceDescriptor) -> Option<&str> {
            ["gitCommit", "sha1"]
                .iter()
                .find_map(|k| r.digest.get(*k).map(String::as_str))
        }
        let p = &self.predicate;
        p.invocation
            .as_ref()
            .and_then(|i| i.config_source.as_ref())
            .and_then(commit)
            .or_else(|| p.materials.iter().find_map(commit))
            .or_else(|| {
                p.build_definition
                    .as_ref()
                    .and_then(|b| b.resolved_dependencies.iter().find_map(commit))
            })
    }
}

/// A verified envelope: who signed it and what it states.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The name (in the terms) of the key whose signature verified.
    pub signed_by: String,
    /// The statement.
    pub statement: Statement,
}

/// Verifies a DSSE envelope's signatures with `keys`, then reads its
/// in-toto statement.
///
/// # Errors
/// Invalid JSON, bad base64, no signature by any key, not an in-toto
/// payload, or a statement of the wrong shape.
pub fn verify_envelope(bytes: &[u8], keys: &[TrustedKey]) -> Result<Verified, ProvenanceError> {
    let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| ProvenanceError::Json {
        what: "the DSSE envelope",
        reason: e.to_string(),
    })?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64
        .decode(envelope.payload.trim())
        .map_err(|e| ProvenanceError::Base64 {
            field: "payload",
            reason: e.to_string(),
        })?;
    let message = pae(&envelope.payload_type, &payload);
    let mut signed_by = None;
    for signature in &envelope.signatures {
        let sig = b64
            .decode(signature.sig.trim())
            .map_err(|e| ProvenanceError::Base64 {
                field: "signature",
                reason: e.to_string(),
            })?;
        if let Some(key) = keys.iter().find(|k| k.verifies(&message, &sig)) {
            signed_by = Some(key.name.clone());
            break;
        }
    }
    let signed_by = signed_by.ok_or(ProvenanceError::NotSigned { keys: keys.len() })?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(ProvenanceError::PayloadType(envelope.payload_type));
    }
    let statement: Statement =
        serde_json::from_slice(&payload).map_err(|e| ProvenanceError::Json {
            what: "the in-toto statement",
            reason: e.to_string(),
        })?;
    Ok(Verified {
        signed_by,
        statement,
    })
}

/// What the check found for one artefact named by a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtefactCheck {
    /// The subject's name.
    pub name: String,
    /// Who signed the provenance.
    pub signed_by: String,
    /// The builder, as stated.
    pub builder: Option<String>,
    /// The source revision, as stated.
    pub source_revision: Option<String>,
    /// Problems; empty when the artefact is as stated.
    pub problems: Vec<String>,
}

/// Checks each subject of `verified` against the delivered files
/// (`sha256_of`: a delivered path's SHA-256, hex, or `None` when it was not
/// delivered) and the source revision against `delivered_commit`.
pub fn check(
    verified: &Verified,
    sha256_of: &dyn Fn(&str) -> Option<String>,
    delivered_commit: Option<&str>,
) -> Vec<ArtefactCheck> {
    let statement = &verified.statement;
    let revision = statement.source_revision().map(str::to_owned);
    let mut revision_problem = None;
    match (&revision, delivered_commit) {
        (Some(stated), Some(delivered)) if !stated.eq_ignore_ascii_case(delivered) => {
            revision_problem = Some(format!(
                "built from source revision {stated}, but the delivered commit is {delivered}"
            ));
        }
        (None, Some(delivered)) => {
            revision_problem = Some(format!(
                "the provenance names no source revision to compare with the delivered commit {delivered}"
            ));
        }
        _ => {}
    }
    statement
        .subject
        .iter()
        .map(|subject| {
            let mut problems = Vec::new();
            match (subject.digest.get("sha256"), sha256_of(&subject.name)) {
                (None, _) => problems.push("the subject has no sha256 digest".to_owned()),
                (Some(_), None) => problems.push("the artefact was not delivered".to_owned()),
                (Some(stated), Some(actual)) if !stated.eq_ignore_ascii_case(&actual) => problems
                    .push(format!(
                        "the delivered file's SHA-256 is {actual}, the provenance states {stated}"
                    )),
                _ => {}
            }
            problems.extend(revision_problem.clone());
            ArtefactCheck {
                name: subject.name.clone(),
                signed_by: verified.signed_by.clone(),
                builder: statement.builder().map(str::to_owned),
                source_revision: revision.clone(),
                problems,
            }
        })
        .collect()
}

/// What a Sigstore bundle holds, read without verifying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigstoreBundle {
    /// Its media type (`application/vnd.dev.sigstore.bundle.v0.3+json`, …).
    pub media_type: String,
    /// Whether it signs a message digest or a DSSE envelope.
    pub content: &'static str,
    /// Transparency-log entries it carries.
    pub tlog_entries: usize,
    /// Why it was not verified (always set: no trust root is shipped yet).
    pub not_verified: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBundle {
    media_type: String,
    #[serde(default)]
    verification_material: Option<RawMaterial>,
    #[serde(default)]
    message_signature: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    dsse_envelope: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMaterial {
    #[serde(default)]
    tlog_entries: Vec<serde::de::IgnoredAny>,
}

/// Reads a Sigstore bundle. It is never reported as verified.
///
/// # Errors
/// Not JSON of a bundle, or a bundle with neither a message signature nor
/// a DSSE envelope.
pub fn read_sigstore_bundle(bytes: &[u8]) -> Result<SigstoreBundle, ProvenanceError> {
    let raw: RawBundle = serde_json::from_slice(bytes).map_err(|e| ProvenanceError::Json {
        what: "the Sigstore bundle",
        reason: e.to_string(),
    })?;
    let content = match (&raw.message_signature, &raw.dsse_envelope) {
        (Some(_), _) => "message signature",
        (None, Some(_)) => "DSSE envelope",
        (None, None) => {
            return Err(ProvenanceError::Json {
                what: "the Sigstore bundle",
                reason: "it has neither messageSignature nor dsseEnvelope".to_owned(),
            });
        }
    };
    Ok(SigstoreBundle {
        media_type: raw.media_type,
        content,
        tlog_entries: raw
            .verification_material
            .map_or(0, |m| m.tlog_entries.len()),
        not_verified: "Sigstore verification (certificate chain to the Fulcio root, \
                       transparency-log inclusion, signed timestamp) needs a trust root, \
                       which this version does not ship"
            .to_owned(),
    })
}

/// The rules a review raises for delivered provenance.
pub mod rules {
    use oversight_model::{Category, Rule, Severity};

    /// A delivered artefact does not match its provenance.
    pub static PROVENANCE_MISMATCH: Rule = Rule {
        id: "integrity.provenance-mismatch",
        category: Category::Integrity,
        default_severity: Severity::High,
        summary: "A delivered artefact does not match its signed provenance",
        help: "The provenance (an in-toto statement in a DSSE envelope) verified, but a subject's \
               SHA-256 differs from the delivered file, the file was not delivered, or the \
               provenance was built from another source revision than the delivered commit. \
               The artefact is not the one the builder attested. Ask the supplier for the \
               artefact and provenance of one build, built from the delivered commit.",
    };

    /// A provenance envelope whose signature does not verify with the terms' keys.
    pub static PROVENANCE_SIGNATURE: Rule = Rule {
        id: "integrity.provenance-signature-invalid",
        category: Category::Integrity,
        default_severity: Severity::High,
        summary: "Delivered provenance is not signed by a key the terms give",
        help: "No signature of the DSSE envelope verifies with the engagement's \
               `[environment] provenance_keys` over the envelope's PAE: it was signed by another \
               key or altered after signing. Its statements are not evidence. Ask the supplier \
               which key signed it; register that key after checking whose it is.",
    };

    /// Provenance that could not be verified at all.
    pub static PROVENANCE_UNVERIFIED: Rule = Rule {
        id: "coverage.provenance-unverified",
        category: Category::Coverage,
        default_severity: Severity::High,
        summary: "Delivered provenance could not be verified",
        help: "A provenance file was delivered but could not be verified: a Sigstore bundle \
               (no Sigstore trust root is shipped yet), an envelope that is not valid JSON or not \
               an in-toto statement, or an engagement without `[environment] provenance_keys`. \
               Verify it by other means and waive the finding with a reference, or give the key.",
    };

    /// Every rule of this crate.
    pub static RULES: &[&Rule] = &[
        &PROVENANCE_MISMATCH,
        &PROVENANCE_SIGNATURE,
        &PROVENANCE_UNVERIFIED,
    ];
}
