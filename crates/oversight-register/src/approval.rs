//! Four eyes that are two people: waiver approvers are registered with an
//! SSH public key, and a waiver is granted only with the approver's SSH
//! signature (`ssh-keygen -Y sign -n oversight-waiver`) over the exact
//! approval text, so a second person must actually act. Names are compared
//! after Unicode confusable folding (UTS #39 skeletons): `аlice` with a
//! Cyrillic `а` is neither `alice` nor a new person.

use oversight_ledger::Event;
use oversight_store::{ApproverRecord, Change};
use unicode_security::confusable_detection::skeleton;

use crate::register::{Register, RegisterError, now};
use crate::review::digest;

/// The SSH signature namespace of waiver approvals.
pub const APPROVAL_NAMESPACE: &str = "oversight-waiver";

/// The folded form names are compared in: confusable skeleton, lower case,
/// trimmed.
pub fn fold_name(name: &str) -> String {
    skeleton(name.trim()).collect::<String>().to_lowercase()
}

/// SHA-256 (hex) of an approver record's canonical JSON.
pub fn approver_digest(a: &ApproverRecord) -> String {
    digest(&serde_json::json!([
        a.name,
        a.public_key,
        a.fingerprint,
        a.added_by,
        a.added_at
    ]))
}

/// What an approver signs: every term of the waiver, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalText(pub String);

impl Register {
    /// Registers `name` as a waiver approver whose approvals are signed with
    /// the SSH public key `openssh` (one `approver.registered` event).
    pub async fn register_approver(
        &self,
        name: &str,
        openssh: &str,
    ) -> Result<ApproverRecord, RegisterError> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(RegisterError::Invalid(
                "An approver needs a printable name".into(),
            ));
        }
        let key = ssh_key::PublicKey::from_openssh(openssh.trim()).map_err(|e| {
            RegisterError::Invalid(format!(
                "The key of approver `{name}` is not an OpenSSH public key: {e}"
            ))
        })?;
        for existing in self.store().approvers().await? {
            if fold_name(&existing.name) == fold_name(name) {
                return Err(RegisterError::Invalid(format!(
                    "`{name}` is already registered, or looks like the registered approver `{}`",
                    existing.name
                )));
            }
        }
        let record = ApproverRecord {
            name: name.to_owned(),
            public_key: key
                .to_openssh()
                .map_err(|e| RegisterError::Invalid(e.to_string()))?,
            fingerprint: key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
            added_by: self.actor().to_owned(),
            added_at: now(),
        };
        let payload = serde_json::json!({
            "approver": record.name,
            "fingerprint": record.fingerprint,
            "record_digest": approver_digest(&record),
        });
        let event = Event::new("approver.registered", name, self.actor(), now(), &payload);
        self.append(vec![oversight_store::Entry {
            change: Some(Change::AddApprover(record.clone())),
            event,
        }])
        .await?;
        Ok(record)
    }

    /// Every registered approver.
    pub async fn approvers(&self) -> Result<Vec<ApproverRecord>, RegisterError> {
        Ok(self.store().approvers().await?)
    }

    /// The registered approver named exactly `name`; a name that only looks
    /// like a registered one is refused by name.
    pub(crate) async fn approver(&self, name: &str) -> Result<ApproverRecord, RegisterError> {
        let approvers = self.store().approvers().await?;
        if let Some(a) = approvers.iter().find(|a| a.name == name.trim()) {
            return Ok(a.clone());
        }
        if let Some(a) = approvers
            .iter()
            .find(|a| fold_name(&a.name) == fold_name(name))
        {
            return Err(RegisterError::Invalid(format!(
                "Approver `{}` is not the registered approver `{}`: the names differ in look-alike characters",
                name.escape_default(),
                a.name
            )));
        }
        Err(RegisterError::Invalid(format!(
            "`{name}` is not a registered approver; register their SSH public key first with `oversight approver add {name} --ssh-key FILE.pub`"
        )))
    }

    /// Checks `signature` (an armored SSH signature) is `approver`'s
    /// signature of `text` in the approval namespace.
    pub(crate) fn verify_approval(
        approver: &ApproverRecord,
        text: &ApprovalText,
        signature: &str,
    ) -> Result<(), RegisterError> {
        let key = ssh_key::PublicKey::from_openssh(&approver.public_key).map_err(|e| {
            RegisterError::Invalid(format!(
                "The stored key of approver `{}` is unreadable: {e}",
                approver.name
            ))
        })?;
        let sig = ssh_key::SshSig::from_pem(signature.trim()).map_err(|e| {
            RegisterError::Invalid(format!(
                "The approval is not an SSH signature (ssh-keygen -Y sign): {e}"
            ))
        })?;
        key.verify(APPROVAL_NAMESPACE, text.0.as_bytes(), &sig)
            .map_err(|_| {
                RegisterError::Invalid(format!(
                    "The approval is not `{}`'s signature (key {}) of this waiver's terms: the terms differ from what was signed, or another key signed",
                    approver.name, approver.fingerprint
                ))
            })
    }
}
