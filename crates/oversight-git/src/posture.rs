//! The git posture of a delivery: who signed its commits (verified against
//! the supplier's registered keys), whose e-mail domains wrote them, and
//! whether the history was rewritten since the previous delivery.
//!
//! A commit's SSH signature (`gpgsig` header holding `-----BEGIN SSH
//! SIGNATURE-----`) is an SshSig over the commit object without that header,
//! in namespace `git`; it is verified here with the `ssh-key` crate, never by
//! running `git` or `ssh-keygen`. It counts as *verified* only when it
//! verifies and was made by one of the registered keys. OpenPGP and X.509
//! signatures are not verified: each such commit is reported as a coverage
//! gap (fail closed), never counted as signed.
//!
//! Identities are compared by e-mail domain: a commit whose author or
//! committer e-mail is not in one of the declared domains (or a subdomain of
//! one) is reported, since it points to undeclared subcontracting.

use std::collections::{HashSet, VecDeque};

use gix::objs::Find as _;
use oversight_model::{Category, Rule, Severity};

use crate::{Error, Repo, error, hex};

/// What the posture is checked against: the terms and the previous delivery.
#[derive(Debug, Clone, Default)]
pub struct PostureTerms {
    /// The supplier's registered commit-signing keys.
    pub signing_keys: Vec<ssh_key::PublicKey>,
    /// Declared e-mail domains (supplier and sub-suppliers), lower case;
    /// empty: authors are not checked.
    pub domains: Vec<String>,
    /// The commit of the previous accepted delivery, when there is one.
    pub previous_commit: Option<String>,
}

/// What the policy requires of the posture; a violated requirement makes
/// the finding `high` (blocking at the default threshold), otherwise the
/// finding is `info`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PostureRequirements {
    /// The least share of commits with a verified signature (0.0–1.0);
    /// `None`: signing is not required.
    pub min_signed_ratio: Option<f64>,
    /// Commits by identities outside the declared domains block.
    pub forbid_unknown_authors: bool,
    /// A rewritten history blocks.
    pub forbid_rewrites: bool,
}

/// The state of one commit's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    /// No `gpgsig` header.
    Unsigned,
    /// An SSH signature that verifies, by the registered key named here
    /// (its SHA-256 fingerprint and comment).
    Verified {
        /// `SHA256:…` and the key's comment.
        key: String,
    },
    /// An SSH signature that verifies, by a key that is not registered.
    UnregisteredKey {
        /// `SHA256:…` of the signing key.
        fingerprint: String,
    },
    /// A signature that does not verify or does not parse.
    Invalid {
        /// Why.
        reason: String,
    },
    /// An OpenPGP or X.509 signature, which this version does not verify.
    Unsupported {
        /// `OpenPGP` or `X.509`.
        format: &'static str,
    },
}

/// One commit of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitPosture {
    /// Commit id (hex).
    pub id: String,
    /// Author e-mail.
    pub author_email: String,
    /// Committer e-mail.
    pub committer_email: String,
    /// Its signature.
    pub signature: SignatureState,
}

/// The posture of the history of one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posture {
    /// The commit the revision resolved to.
    pub commit: String,
    /// Every commit reachable from it, newest first (breadth first).
    pub commits: Vec<CommitPosture>,
    /// Whether the previous delivered commit is an ancestor: `None` when
    /// there is no previous delivery, `Some(false)` when the history was
    /// rewritten (or the previous commit is not in the delivery at all).
    pub previous_is_ancestor: Option<bool>,
    /// The previous delivered commit, as given.
    pub previous_commit: Option<String>,
    /// Declared domains checked against (empty: not checked).
    pub domains: Vec<String>,
    /// How many signing keys were registered.
    pub keys_registered: usize,
}

impl Posture {
    /// Commits whose signature verified with a registered key.
    pub fn verified(&self) -> usize {
        self.commits
            .iter()
            .filter(|c| matches!(c.signature, SignatureState::Verified { .. }))
            .count()
    }

    /// Share of commits with a verified signature (1.0 for no commits).
    pub fn signed_ratio(&self) -> f64 {
        if self.commits.is_empty() {
            1.0
        } else {
            self.verified() as f64 / self.commits.len() as f64
        }
    }

    /// Commits with an author or committer outside the declared domains:
    /// (commit, e-mail, role).
    pub fn unknown_identities(&self) -> Vec<(&str, &str, &'static str)> {
        if self.domains.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for c in &self.commits {
            if !in_domains(&c.author_email, &self.domains) {
                out.push((c.id.as_str(), c.author_email.as_str(), "author"));
            }
            if c.committer_email != c.author_email && !in_domains(&c.committer_email, &self.domains)
            {
                out.push((c.id.as_str(), c.committer_email.as_str(), "committer"));
            }
        }
        out
    }

    /// The findings of this posture under `requirements`, one per commit
    /// (at most [`MAX_COMMIT_ISSUES`] per rule, then one summary).
    pub fn issues(&self, requirements: &PostureRequirements) -> Vec<PostureIssue> {
        let mut issues = Vec::new();
        let ratio = self.signed_ratio();
        let signing_violated = requirements.min_signed_ratio.is_some_and(|min| ratio < min);
        let unsigned_severity = if signing_violated {
            Severity::High
        } else {
            Severity::Info
        };
        // Signatures are a check only when someone asked for it: the
        // policy requires signing or the terms register keys. A signature
        // that does not verify is reported in any case.
        let signing_checked = requirements.min_signed_ratio.is_some() || self.keys_registered > 0;
        let mut unsigned = 0usize;
        for c in &self.commits {
            let (rule, message, severity) = match &c.signature {
                SignatureState::Verified { .. } => continue,
                SignatureState::Unsigned
                | SignatureState::UnregisteredKey { .. }
                | SignatureState::Unsupported { .. }
                    if !signing_checked =>
                {
                    continue;
                }
                SignatureState::Unsigned => (
                    &GIT_UNSIGNED_COMMIT,
                    format!("Commit {} is not signed", c.id),
                    unsigned_severity,
                ),
                SignatureState::UnregisteredKey { fingerprint } => (
                    &GIT_UNSIGNED_COMMIT,
                    format!(
                        "Commit {} is signed by key {fingerprint}, which is not registered for the supplier",
                        c.id
                    ),
                    unsigned_severity,
                ),
                SignatureState::Invalid { reason } => (
                    &GIT_SIGNATURE_INVALID,
                    format!(
                        "Commit {} carries a signature that does not verify: {reason}",
                        c.id
                    ),
                    Severity::High,
                ),
                SignatureState::Unsupported { format } => (
                    &GIT_SIGNATURE_UNVERIFIED,
                    format!(
                        "Commit {} carries an {format} signature, which Oversight does not verify yet",
                        c.id
                    ),
                    Severity::High,
                ),
            };
            if rule.id == GIT_UNSIGNED_COMMIT.id {
                unsigned += 1;
                if unsigned > MAX_COMMIT_ISSUES {
                    continue;
                }
            }
            issues.push(PostureIssue {
                rule,
                severity,
                subject: c.id.clone(),
                message,
            });
        }
        if unsigned > MAX_COMMIT_ISSUES {
            issues.push(PostureIssue {
                rule: &GIT_UNSIGNED_COMMIT,
                severity: unsigned_severity,
                subject: format!("{}+more", self.commit),
                message: format!(
                    "{} more commits lack a signature by a registered key",
                    unsigned - MAX_COMMIT_ISSUES
                ),
            });
        }
        if let Some(min) = requirements.min_signed_ratio
            && signing_violated
        {
            issues.push(PostureIssue {
                rule: &GIT_UNSIGNED_COMMIT,
                severity: Severity::High,
                subject: format!("ratio:{}", self.commit),
                message: format!(
                    "{} of {} commits ({:.1} %) carry a signature by a registered key; the policy requires at least {:.1} %",
                    self.verified(),
                    self.commits.len(),
                    ratio * 100.0,
                    min * 100.0
                ),
            });
        }
        let unknown_severity = if requirements.forbid_unknown_authors {
            Severity::High
        } else {
            Severity::Info
        };
        for (n, (commit, email, role)) in self.unknown_identities().into_iter().enumerate() {
            if n >= MAX_COMMIT_ISSUES {
                break;
            }
            issues.push(PostureIssue {
                rule: &GIT_UNKNOWN_AUTHOR,
                severity: unknown_severity,
                subject: format!("{commit}:{role}"),
                message: format!(
                    "Commit {commit} has {role} <{email}>, outside the declared domains ({})",
                    self.domains.join(", ")
                ),
            });
        }
        if let (Some(false), Some(previous)) = (self.previous_is_ancestor, &self.previous_commit) {
            issues.push(PostureIssue {
                rule: &GIT_HISTORY_REWRITTEN,
                severity: if requirements.forbid_rewrites {
                    Severity::High
                } else {
                    Severity::Info
                },
                subject: format!("{previous}..{}", self.commit),
                message: format!(
                    "The previously delivered commit {previous} is not an ancestor of {}: the history was rewritten since the last delivery",
                    self.commit
                ),
            });
        }
        issues
    }
}

/// A finding of the posture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostureIssue {
    /// One of [`POSTURE_RULES`].
    pub rule: &'static Rule,
    /// `high` when the policy's requirement is violated, else `info`
    /// (an invalid or unverified signature is always `high`).
    pub severity: Severity,
    /// What it is about (a commit id, a commit and role): stable across
    /// deliveries, for the finding's fingerprint.
    pub subject: String,
    /// A sentence naming what was found.
    pub message: String,
}

/// Per-commit findings of one rule beyond which one summary is raised.
pub const MAX_COMMIT_ISSUES: usize = 200;

/// Whether `email`'s domain is one of `domains` or a subdomain of one.
fn in_domains(email: &str, domains: &[String]) -> bool {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim().trim_end_matches('>').to_ascii_lowercase();
    domains.iter().any(|d| {
        let d = d.trim().to_ascii_lowercase();
        domain == d || domain.ends_with(&format!(".{d}"))
    })
}

/// Commits above which the walk is refused, to bound a crafted repository.
const MAX_COMMITS: usize = 2_000_000;

impl Repo {
    /// The posture of the history of `rev` against `terms`.
    ///
    /// # Errors
    /// The revision does not resolve, or a commit of its history is missing
    /// or unreadable (a shallow boundary's missing parents excepted).
    pub fn posture(&self, rev: &str, terms: &PostureTerms) -> Result<Posture, Error> {
        let repo = self.local();
        let tip = self.resolve_in(&repo, rev)?;
        let shallow: HashSet<gix::ObjectId> = match repo.shallow_commits() {
            Ok(Some(commits)) => commits.iter().copied().collect(),
            _ => HashSet::new(),
        };
        let registered: Vec<(String, &ssh_key::PublicKey)> = terms
            .signing_keys
            .iter()
            .map(|k| (k.fingerprint(ssh_key::HashAlg::Sha256).to_string(), k))
            .collect();
        let previous = terms
            .previous_commit
            .as_deref()
            .map(|p| p.trim().to_ascii_lowercase());
        let mut previous_found = false;
        let mut buffer = Vec::new();
        let mut seen = HashSet::from([tip]);
        let mut queue = VecDeque::from([tip]);
        let mut commits = Vec::new();
        while let Some(id) = queue.pop_front() {
            if seen.len() > MAX_COMMITS {
                return Err(Error::Open {
                    path: self.path.clone(),
                    reason: format!("more than {MAX_COMMITS} commits; history not read"),
                });
            }
            let object_error = |reason: String| Error::Object {
                repo: self.path.clone(),
                oid: hex(&id),
                what: "commit in history".to_owned(),
                reason,
            };
            let data = match repo.objects.try_find(&id, &mut buffer) {
                Ok(Some(data)) if data.kind == gix::objs::Kind::Commit => data,
                Ok(Some(data)) => {
                    return Err(object_error(format!("it is a {}, not a commit", data.kind)));
                }
                Ok(None) => {
                    return Err(Error::MissingObject {
                        repo: self.path.clone(),
                        oid: hex(&id),
                        what: "commit in history".to_owned(),
                    });
                }
                Err(e) => return Err(object_error(error::reason(&e))),
            };
            let hash = data.object_hash;
            let bytes = data.data;
            let commit = gix::objs::CommitRef::from_bytes(bytes, hash)
                .map_err(|e| object_error(error::reason(&e)))?;
            let email = |raw: &gix::bstr::BStr| match gix::actor::SignatureRef::from_bytes(raw) {
                Ok(s) => String::from_utf8_lossy(s.trim().email).into_owned(),
                Err(_) => String::new(),
            };
            let author_email = email(commit.author);
            let committer_email = email(commit.committer);
            let parents: Vec<gix::ObjectId> = commit.parents().collect();
            let signature = match gix::objs::CommitRefIter::signature(bytes, hash) {
                Ok(None) => SignatureState::Unsigned,
                Ok(Some((signature, signed))) => {
                    verify(signature.as_ref(), &signed.to_bstring(), &registered)
                }
                Err(e) => SignatureState::Invalid {
                    reason: format!("the commit does not parse: {}", error::reason(&e)),
                },
            };
            let hex_id = hex(&id);
            if previous.as_deref() == Some(hex_id.as_str()) {
                previous_found = true;
            }
            commits.push(CommitPosture {
                id: hex_id,
                author_email,
                committer_email,
                signature,
            });
            if shallow.contains(&id) {
                continue;
            }
            for parent in parents {
                if seen.insert(parent) {
                    queue.push_back(parent);
                }
            }
        }
        Ok(Posture {
            commit: hex(&tip),
            commits,
            previous_is_ancestor: previous.as_ref().map(|_| previous_found),
            previous_commit: terms.previous_commit.clone(),
            domains: terms
                .domains
                .iter()
                .map(|d| d.trim().to_ascii_lowercase())
                .collect(),
            keys_registered: terms.signing_keys.len(),
        })
    }
}

/// Verifies one `gpgsig` value over `payload` against the registered keys.
fn verify(
    signature: &[u8],
    payload: &[u8],
    registered: &[(String, &ssh_key::PublicKey)],
) -> SignatureState {
    let text = String::from_utf8_lossy(signature);
    let text = text.trim();
    if text.starts_with("-----BEGIN PGP SIGNATURE-----") {
        return SignatureState::Unsupported { format: "OpenPGP" };
    }
    if text.starts_with("-----BEGIN SIGNED MESSAGE-----") {
        return SignatureState::Unsupported { format: "X.509" };
    }
    if !text.starts_with("-----BEGIN SSH SIGNATURE-----") {
        return SignatureState::Invalid {
            reason: "the signature is in no known format (neither SSH, OpenPGP nor X.509)"
                .to_owned(),
        };
    }
    let sig = match ssh_key::SshSig::from_pem(text) {
        Ok(sig) => sig,
        Err(e) => {
            return SignatureState::Invalid {
                reason: format!("the SSH signature does not parse: {e}"),
            };
        }
    };
    if sig.namespace() != "git" {
        return SignatureState::Invalid {
            reason: format!(
                "the SSH signature is for namespace `{}`, not `git`",
                sig.namespace()
            ),
        };
    }
    let signer = ssh_key::PublicKey::from(sig.public_key().clone());
    let fingerprint = signer.fingerprint(ssh_key::HashAlg::Sha256).to_string();
    if let Err(e) = signer.verify("git", payload, &sig) {
        return SignatureState::Invalid {
            reason: format!("the SSH signature by {fingerprint} does not match the commit: {e}"),
        };
    }
    match registered.iter().find(|(f, _)| *f == fingerprint) {
        Some((f, key)) => SignatureState::Verified {
            key: if key.comment().is_empty() {
                f.clone()
            } else {
                format!("{f} ({})", key.comment())
            },
        },
        None => SignatureState::UnregisteredKey { fingerprint },
    }
}

/// A commit without a signature by a registered key.
pub static GIT_UNSIGNED_COMMIT: Rule = Rule {
    id: "policy.git-unsigned-commit",
    category: Category::Policy,
    default_severity: Severity::High,
    summary: "A delivered commit is not signed by a key registered for the supplier",
    help: "The commit carries no signature, or one made by a key that is not in the \
           engagement's `[environment] signing_keys`. Who wrote it cannot be shown. \
           The finding is `high` (blocking) when the acceptance policy's `[git] min_signed_ratio` \
           or `require_signed` is not met, `info` otherwise. Ask the supplier to sign commits \
           (`git config gpg.format ssh`, `user.signingkey`, `commit.gpgsign true`) with a \
           registered key, or register the key it used after checking whose it is.",
};

/// A commit signature that does not verify.
pub static GIT_SIGNATURE_INVALID: Rule = Rule {
    id: "integrity.git-signature-invalid",
    category: Category::Integrity,
    default_severity: Severity::High,
    summary: "A delivered commit carries a signature that does not verify",
    help: "The commit's `gpgsig` signature does not match the commit's content (it was altered \
           after signing), is for another namespace, or does not parse. A signature that \
           does not verify is worse than none: the commit claims an authorship it cannot show. \
           Ask the supplier how the commit was produced and for a correctly signed history.",
};

/// A commit signature in a format that is not verified.
pub static GIT_SIGNATURE_UNVERIFIED: Rule = Rule {
    id: "coverage.git-signature-unverified",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "A delivered commit carries an OpenPGP or X.509 signature that was not verified",
    help: "Only SSH commit signatures are verified so far; an OpenPGP or X.509 signature was \
           neither verified nor counted as signed. Verify the commit by other means and waive the \
           finding with a reference to that check, or ask the supplier to sign with a registered \
           SSH key.",
};

/// A commit by an identity outside the declared domains.
pub static GIT_UNKNOWN_AUTHOR: Rule = Rule {
    id: "policy.git-unknown-author",
    category: Category::Policy,
    default_severity: Severity::High,
    summary: "A delivered commit was written by someone outside the supplier and its declared sub-suppliers",
    help: "The author's or committer's e-mail domain is not one of the engagement's \
           `[environment] commit_domains`. This is how undeclared subcontracting shows \
           (ISO 27001 A.8.30). The finding is `high` when the policy's `[git] forbid_unknown_authors` \
           is set, `info` otherwise. Ask the supplier who the person is; declare the sub-supplier \
           and its domain, or waive the finding with the explanation.",
};

/// The previous delivered commit is not an ancestor of this one.
pub static GIT_HISTORY_REWRITTEN: Rule = Rule {
    id: "policy.git-history-rewritten",
    category: Category::Policy,
    default_severity: Severity::High,
    summary: "The history was rewritten since the previous delivery",
    help: "The commit accepted in the previous delivery is not an ancestor of the delivered \
           commit: the history was force-pushed, rebased or replaced. What was reviewed before \
           may have been changed without a trace. The finding is `high` when the policy's \
           `[git] forbid_rewrites` is set, `info` otherwise. Ask the supplier why, and review the \
           delivery as a whole rather than as a change.",
};

/// Every rule of the posture.
pub static POSTURE_RULES: &[&Rule] = &[
    &GIT_UNSIGNED_COMMIT,
    &GIT_SIGNATURE_INVALID,
    &GIT_SIGNATURE_UNVERIFIED,
    &GIT_UNKNOWN_AUTHOR,
    &GIT_HISTORY_REWRITTEN,
];
