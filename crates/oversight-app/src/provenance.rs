//! Provenance delivered next to artefacts, as review findings: each DSSE
//! envelope (`*.intoto.jsonl`, `*.intoto.json`, `*.dsse.json`) is verified
//! with the engagement's `[environment] provenance_keys`, its subjects
//! against the delivered files and its source revision against the
//! delivered commit; each Sigstore bundle (`*.sigstore`, `*.sigstore.json`)
//! is read and reported as not verified (fail closed).

use oversight_gate::Manifest;
use oversight_model::{DeliveryPath, Finding, Fingerprint, Location, Rule, Severity};
use oversight_provenance::{TrustedKey, rules};
use oversight_register::Engagement;

use crate::record::{ProvenanceRecord, SubjectRecord};

/// The engagement's `[environment] provenance_keys`, each named by its
/// position (validated when the terms were applied).
pub fn keys(engagement: &Engagement) -> Vec<TrustedKey> {
    engagement
        .terms
        .environment
        .iter()
        .flat_map(|e| e.provenance_keys.iter().enumerate())
        .filter_map(|(i, pem)| {
            TrustedKey::from_pem(&format!("environment.provenance_keys[{i}]"), pem).ok()
        })
        .collect()
}

fn is_envelope(path: &str) -> bool {
    [".intoto.jsonl", ".intoto.json", ".dsse.json"]
        .iter()
        .any(|s| path.ends_with(s))
}

fn is_bundle(path: &str) -> bool {
    path.ends_with(".sigstore") || path.ends_with(".sigstore.json")
}

/// The findings and the record of each provenance document of `manifest`
/// (one per envelope, in delivery order); `read` gives a delivered file's
/// bytes.
pub fn findings(
    manifest: &Manifest,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    keys: &[TrustedKey],
    delivered_commit: Option<&str>,
) -> (Vec<Finding>, Vec<ProvenanceRecord>) {
    let mut findings = Vec::new();
    let mut records = Vec::new();
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
    let unverified = |file: &str, envelope: usize, kind: &str, why: String| ProvenanceRecord {
        file: file.to_owned(),
        envelope,
        kind: kind.to_owned(),
        verified: false,
        signed_by: None,
        builder: None,
        source_revision: None,
        subjects: Vec::new(),
        not_verified: Some(why),
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
            let (message, why) = match read(file)
                .map(|b| oversight_provenance::read_sigstore_bundle(&b))
            {
                Some(Ok(b)) => (
                    format!(
                        "Sigstore bundle `{file}` ({}, {}, {} transparency-log entries) was not verified: {}",
                        b.media_type, b.content, b.tlog_entries, b.not_verified
                    ),
                    b.not_verified,
                ),
                Some(Err(e)) => (
                    format!("Sigstore bundle `{file}` could not be read: {e}"),
                    e.to_string(),
                ),
                None => (
                    format!("Sigstore bundle `{file}` could not be read back"),
                    "it could not be read back".to_owned(),
                ),
            };
            findings.push(finding(&rules::PROVENANCE_UNVERIFIED, file, file, message));
            records.push(unverified(file, 1, "sigstore-bundle", why));
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
            records.push(unverified(
                file,
                1,
                "dsse",
                "it could not be read back".to_owned(),
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
                    records.push(unverified(file, n + 1, "dsse", e.to_string()));
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
                    records.push(unverified(file, n + 1, "dsse", e.to_string()));
                    continue;
                }
            };
            let actual = sha256_for(file);
            let checks = oversight_provenance::check(&verified, &actual, delivered_commit);
            let mut subjects = Vec::with_capacity(checks.len());
            // `check` answers one result per subject, in the statement's order.
            for (subject, c) in verified.statement.subject.iter().zip(&checks) {
                for problem in &c.problems {
                    findings.push(finding(
                        &rules::PROVENANCE_MISMATCH,
                        file,
                        &format!("{key}:{}", c.name),
                        format!("Artefact `{}` of provenance `{file}`: {problem}", c.name),
                    ));
                }
                subjects.push(SubjectRecord {
                    name: subject.name.clone(),
                    sha256: subject.digest.get("sha256").map(|d| d.to_ascii_lowercase()),
                    delivered_sha256: actual(&subject.name),
                    matches: c.problems.is_empty(),
                });
            }
            records.push(ProvenanceRecord {
                file: file.to_owned(),
                envelope: n + 1,
                kind: "dsse".to_owned(),
                verified: true,
                signed_by: Some(verified.signed_by.clone()),
                builder: verified.statement.builder().map(str::to_owned),
                source_revision: verified.statement.source_revision().map(str::to_owned),
                subjects,
                not_verified: None,
            });
        }
    }
    (findings, records)
}
