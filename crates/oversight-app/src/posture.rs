//! The git posture of a delivered repository, as review findings: commit
//! signatures verified against the engagement's `[environment]
//! signing_keys`, authors outside its `commit_domains`, and a history
//! rewritten since the last accepted delivery (whose commit the register
//! holds in that review's delivery document). The acceptance policy's
//! `[git]` section decides which of them block.

use std::collections::BTreeSet;
use std::path::Path;

use oversight_git::{Posture, PostureRequirements, PostureTerms, Repo, SignatureState, SigningKey};
use oversight_model::{DeliveryPath, Finding, Fingerprint, Location, Severity};
use oversight_policy::GitPolicy;
use oversight_register::{Engagement, Register};

use crate::error::Result;
use crate::record::{DeliveryDocument, GitPostureRecord, RewriteCheck};

/// The commit of the last accepted delivery of `engagement` that was a git
/// repository, if any.
///
/// # Errors
/// The register fails.
pub async fn previous_delivered_commit(
    register: &Register,
    engagement: &str,
) -> Result<Option<String>> {
    let deliveries = register
        .store()
        .deliveries(Some(engagement))
        .await
        .map_err(oversight_register::RegisterError::from)?;
    Ok(deliveries
        .iter()
        .rev()
        .filter(|(_, outcome)| outcome.starts_with("accepted"))
        .find_map(|(delivery, _)| {
            serde_json::from_str::<DeliveryDocument>(&delivery.document)
                .ok()?
                .scan
                .git_commit
        }))
}

/// The record of a posture that was read.
pub fn record(posture: &Posture) -> GitPostureRecord {
    let count =
        |f: fn(&SignatureState) -> bool| posture.commits.iter().filter(|c| f(&c.signature)).count();
    let unknown = posture.unknown_identities();
    let unknown_commits: BTreeSet<&str> = unknown.iter().map(|(c, _, _)| *c).collect();
    let identities: BTreeSet<&str> = unknown.iter().map(|(_, e, _)| *e).collect();
    GitPostureRecord {
        commit: posture.commit.clone(),
        unreadable: None,
        commits: posture.commits.len(),
        signed: count(|s| !matches!(s, SignatureState::Unsigned)),
        verified: posture.verified(),
        unregistered_key: count(|s| matches!(s, SignatureState::UnregisteredKey { .. })),
        invalid: count(|s| matches!(s, SignatureState::Invalid { .. })),
        unsupported: count(|s| matches!(s, SignatureState::Unsupported { .. })),
        keys_registered: posture.keys_registered,
        domains: posture.domains.clone(),
        unknown_author_commits: unknown_commits.len(),
        unknown_identities: identities.into_iter().map(str::to_owned).collect(),
        rewritten: match posture.previous_is_ancestor {
            None => RewriteCheck::NotChecked,
            Some(true) => RewriteCheck::No,
            Some(false) => RewriteCheck::Yes,
        },
        previous_commit: posture.previous_commit.clone(),
    }
}

/// The posture findings of the repository at `target` at `commit`, and
/// its record. A posture that cannot be read is one coverage finding
/// (fail closed), recorded as unreadable.
pub fn findings(
    target: &Path,
    commit: &str,
    engagement: &Engagement,
    previous_commit: Option<String>,
    policy: &GitPolicy,
) -> (Vec<Finding>, GitPostureRecord) {
    let environment = engagement.terms.environment.as_ref();
    let terms = PostureTerms {
        // Validated when the terms were applied.
        signing_keys: environment
            .map(|e| {
                e.signing_keys
                    .iter()
                    .filter_map(|k| SigningKey::from_openssh(k).ok())
                    .collect()
            })
            .unwrap_or_default(),
        domains: environment
            .map(|e| e.commit_domains.clone())
            .unwrap_or_default(),
        previous_commit,
    };
    let requirements = PostureRequirements {
        min_signed_ratio: policy.min_signed_ratio,
        forbid_unknown_authors: policy.forbid_unknown_authors,
        forbid_rewrites: policy.forbid_rewrites,
    };
    let place = DeliveryPath::root(".git");
    let posture = Repo::open(target)
        .map_err(|e| e.to_string())
        .and_then(|repo| repo.ok_or_else(|| "not a git repository".to_owned()))
        .and_then(|repo| repo.posture(commit, &terms).map_err(|e| e.to_string()));
    let (issues, recorded) = match posture {
        Ok(posture) => (posture.issues(&requirements), record(&posture)),
        Err(reason) => (
            vec![oversight_git::PostureIssue {
                rule: &oversight_git::GIT_SIGNATURE_UNVERIFIED,
                severity: Severity::High,
                subject: commit.to_owned(),
                message: format!(
                    "The git posture of commit {commit} (signatures, authors, history) could not be read: {reason}"
                ),
            }],
            GitPostureRecord {
                commit: commit.to_owned(),
                unreadable: Some(reason),
                commits: 0,
                signed: 0,
                verified: 0,
                unregistered_key: 0,
                invalid: 0,
                unsupported: 0,
                keys_registered: terms.signing_keys.len(),
                domains: terms.domains.clone(),
                unknown_author_commits: 0,
                unknown_identities: Vec::new(),
                rewritten: RewriteCheck::NotChecked,
                previous_commit: terms.previous_commit.clone(),
            },
        ),
    };
    let findings = issues
        .into_iter()
        .map(|issue| Finding {
            rule: issue.rule,
            severity: issue.severity,
            location: Location::file(place.clone()),
            fingerprint: Fingerprint::compute(issue.rule.id, &place, issue.subject.as_bytes(), 0),
            message: issue.message,
            evidence: None,
            licence: None,
        })
        .collect();
    (findings, recorded)
}

/// Whether `rule` is one of the posture's rules: its findings come from the
/// repository's history, which the evidence store does not keep, so a
/// replay cannot raise them again.
pub fn is_posture_rule(rule: &str) -> bool {
    oversight_git::POSTURE_RULES.iter().any(|r| r.id == rule)
}
