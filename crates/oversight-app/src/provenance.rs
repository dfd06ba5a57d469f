//! Provenance delivered next to artefacts, as review findings: each DSSE
//! envelope (`*.intoto.jsonl`, `*.intoto.json`, `*.dsse.json`) is verified
//! with the engagement's `[environment] provenance_keys`, its subjects
//! against the delivered files and its source revision against the
//! delivered commit; each Sigstore bundle (`*.sigstore`, `*.sigstore.json`)
//! is read and reported as not verified (fail closed).

use oversight_gate::Manifest;
use oversight_model::{DeliveryPath, Finding, Fingerprint, Location, Rule, Severity};
use oversight_provenance::{TrustedKey, rules};

/// What the review learned about one provenance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenanceLine {
    /// The provenance file.
    pub file: String,
    /// The artefact, when the file verified.
    pub artefact: Option<String>,
    /// Who signed it, the builder and the source revision, when verified.
    pub signed_by: Option<String>,
    /// Builder id.
    pub builder: Option<String>,
    /// Source revision.
    pub source_revision: Option<String>,
}

fn is_envelope(path: &str) -> bool {
    [".intoto.jsonl", ".intoto.json", ".dsse.json"]
        .iter()
        .any(|s| path.ends_with(s))
}

fn is_bundle(path: &str) -> bool {
    path.ends_with(".sigstore") || path.ends_with(".sigstore.json")
}

/// The findings (and a line per artefact) for the provenance files of
/// `manifest`; `read` gives a delivered file's bytes.
pub fn findings(
    manifest: &Manifest,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    keys: &[TrustedKey],
    delivered_commit: Option<&str>,
) -> (Vec<Finding>, Vec<ProvenanceLine>) {
    let mut findings = Vec::new();
    let mut lines = Vec::new();
    let finding = |rule: &'static Rule, file: &str, key: &str, message: String| {
        let place = DeliveryPath::root(file.to_owned());
        Finding {
            rule,
            severity: Severity::High,
            location: Location::file(place.clone()),
            fingerprint: Fingerprint::compute(rule.id, &place, key.as_bytes(), 0),
            message,
            evidence: None,
            licence: None,
        }
    };
    // A subject is looked up beside its provenance file, then as a path of
    // the delivery, then by its file name when one delivered file has it.
    let sha256_for = |file: &str| {
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        move |name: &str| -> Option<String> {
            let beside = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            if let Some(d) = manifest.sha256_of(&beside).or(manifest.sha256_of(name)) {
                return Some(d.to_owned());
            }
            let base = name.rsplit('/').next().unwrap_or(name);
            let mut same = manifest
                .files
                .iter()
                .filter(|f| f.path.rsplit('/').next() == Some(base));
            match (same.next(), same.next()) {
                (Some(f), None) => f.sha256.clone(),
                _ => None,
            }
        }
    };
    for file in manifest.files.iter().map(|f| f.path.as_str()) {
        if is_bundle(file) {
            let message = match read(file).map(|b| oversight_provenance::read_sigstore_bundle(&b)) {
                Some(Ok(b)) => format!(
                    "Sigstore bundle `{file}` ({}, {}, {} transparency-log entries) was not verified: {}",
                    b.media_type, b.content, b.tlog_entries, b.not_verified
                ),
                Some(Err(e)) => format!("Sigstore bundle `{file}` could not be read: {e}"),
                None => format!("Sigstore bundle `{file}` could not be read back"),
            };
            findings.push(finding(&rules::PROVENANCE_UNVERIFIED, file, file, message));
            continue;
        }
        if !is_envelope(file) {
            continue;
        }
        let Some(bytes) = read(file) else {
            findings.push(finding(
                &rules::PROVENANCE_UNVERIFIED,
                file,
                file,
                format!("Provenance `{file}` could not be read back"),
            ));
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let envelopes: Vec<&str> = if file.ends_with(".jsonl") {
            text.lines().filter(|l| !l.trim().is_empty()).collect()
        } else {
            vec![text.as_ref()]
        };
        for (n, envelope) in envelopes.into_iter().enumerate() {
            let key = format!("{file}#{n}");
            let verified = match oversight_provenance::verify_envelope(envelope.as_bytes(), keys) {
                Ok(v) => v,
                Err(e @ oversight_provenance::ProvenanceError::NotSigned { keys: 1.. }) => {
                    findings.push(finding(
                        &rules::PROVENANCE_SIGNATURE,
                        file,
                        &key,
                        format!("Provenance `{file}` (envelope {}): {e}", n + 1),
                    ));
                    continue;
                }
                Err(e) => {
                    findings.push(finding(
                        &rules::PROVENANCE_UNVERIFIED,
                        file,
                        &key,
                        format!(
                            "Provenance `{file}` (envelope {}) was not verified: {e}",
                            n + 1
                        ),
                    ));
                    continue;
                }
            };
            for c in oversight_provenance::check(&verified, &sha256_for(file), delivered_commit) {
                for problem in &c.problems {
                    findings.push(finding(
                        &rules::PROVENANCE_MISMATCH,
                        file,
                        &format!("{key}:{}", c.name),
                        format!("Artefact `{}` of provenance `{file}`: {problem}", c.name),
                    ));
                }
                lines.push(ProvenanceLine {
                    file: file.to_owned(),
                    artefact: Some(c.name),
                    signed_by: Some(c.signed_by),
                    builder: c.builder,
                    source_revision: c.source_revision,
                });
            }
        }
    }
    (findings, lines)
}
