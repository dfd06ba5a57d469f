//! The git posture of a delivered repository, as review findings: commit
//! signatures verified against the engagement's `[environment]
//! signing_keys`, authors outside its `commit_domains`, and a history
//! rewritten since the last accepted delivery (whose commit the register
//! holds in that review's delivery document). The acceptance policy's
//! `[git]` section decides which of them block.

use std::path::Path;

use oversight_git::{PostureRequirements, PostureTerms, Repo, SigningKey};
use oversight_model::{DeliveryPath, Finding, Fingerprint, Location, Severity};
use oversight_policy::GitPolicy;
use oversight_register::{Engagement, Register};

use crate::error::Result;
use crate::record::DeliveryDocument;

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

/// The posture findings of the repository at `target` at `commit`.
/// A posture that cannot be read is one coverage finding (fail closed).
pub fn findings(
    target: &Path,
    commit: &str,
    engagement: &Engagement,
    previous_commit: Option<String>,
    policy: &GitPolicy,
) -> Vec<Finding> {
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
    let issues = match posture {
        Ok(posture) => posture.issues(&requirements),
        Err(reason) => vec![oversight_git::PostureIssue {
            rule: &oversight_git::GIT_SIGNATURE_UNVERIFIED,
            severity: Severity::High,
            subject: commit.to_owned(),
            message: format!(
                "The git posture of commit {commit} (signatures, authors, history) could not be read: {reason}"
            ),
        }],
    };
    issues
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
        .collect()
}
