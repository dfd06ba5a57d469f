//! Roles, scopes, actions and grants: what the access decision reasons
//! about.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::AccessError;

/// A role, granted on a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Users, roles, settings.
    Admin,
    /// Suppliers, engagements, terms, policies.
    Manager,
    /// Reviews, waiver requests, evidence.
    Reviewer,
    /// Approves waivers and accepts risk.
    Approver,
    /// Reads everything in scope; exports and verifies.
    Auditor,
    /// A member of one supplier organisation.
    Supplier,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Manager,
        Role::Reviewer,
        Role::Approver,
        Role::Auditor,
        Role::Supplier,
    ];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::Supplier => "supplier",
        }
    }

    /// What the role may do, wherever it is granted. Anything not listed is
    /// denied.
    pub fn permits(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => matches!(action, ManageUsers | ReadAccessLog | ReadMetrics),
            Role::Manager => matches!(
                action,
                ReadTerms
                    | ManageTerms
                    | ManageSuppliers
                    | ReadDeliveries
                    | ReadInternal
                    | ReadWaivers
                    | ReadEvidence
                    | ReadStatus
                    | PrioritiseReviews
            ),
            Role::Reviewer => matches!(
                action,
                ReadTerms
                    | SubmitDelivery
                    | ReadDeliveries
                    | ReadInternal
                    | RequestWaiver
                    | ReadWaivers
                    | AddEvidence
                    | ReadEvidence
                    | ReadStatus
                    | PrioritiseReviews
            ),
            Role::Approver => matches!(
                action,
                ReadTerms
                    | ReadDeliveries
                    | ReadInternal
                    | ReadWaivers
                    | ApproveWaiver
                    | ReadStatus
            ),
            Role::Auditor => matches!(
                action,
                ReadTerms
                    | ReadDeliveries
                    | ReadInternal
                    | ReadWaivers
                    | ReadEvidence
                    | ReadStatus
                    | Export
                    | VerifyLedger
                    | ReadAccessLog
            ),
            Role::Supplier => matches!(
                action,
                ReadTerms | AcknowledgeTerms | SubmitDelivery | ReadDeliveries | AddEvidence
            ),
        }
    }

    /// Whether the role may be granted on `scope`: a supplier's member is
    /// never granted the whole organisation.
    pub fn grantable_on(self, scope: &Scope) -> bool {
        match self {
            Role::Supplier => !matches!(scope, Scope::Organisation),
            Role::Admin => matches!(scope, Scope::Organisation),
            _ => true,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccessError;
    fn from_str(s: &str) -> Result<Role, AccessError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                AccessError::Invalid(format!(
                    "`{s}` is not a role (admin, manager, reviewer, approver, auditor, supplier)"
                ))
            })
    }
}

/// Where a grant or a token applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Scope {
    /// Everything.
    Organisation,
    /// One supplier and its engagements.
    Supplier(String),
    /// One engagement.
    Engagement(String),
}

impl Scope {
    /// `organisation`, `supplier` or `engagement`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Organisation => "organisation",
            Scope::Supplier(_) => "supplier",
            Scope::Engagement(_) => "engagement",
        }
    }

    /// The supplier's or engagement's id; empty for the organisation.
    pub fn id(&self) -> &str {
        match self {
            Scope::Organisation => "",
            Scope::Supplier(id) | Scope::Engagement(id) => id,
        }
    }

    /// The scope of stored `kind` and `id`.
    pub fn from_parts(kind: &str, id: &str) -> Result<Scope, AccessError> {
        match kind {
            "organisation" => Ok(Scope::Organisation),
            "supplier" if !id.is_empty() => Ok(Scope::Supplier(id.to_owned())),
            "engagement" if !id.is_empty() => Ok(Scope::Engagement(id.to_owned())),
            _ => Err(AccessError::Invalid(format!(
                "`{kind}` `{id}` is not a scope (organisation, supplier ID, engagement ID)"
            ))),
        }
    }

    /// Whether this scope covers `resource`.
    pub fn covers(&self, resource: &Resource) -> bool {
        match (self, resource) {
            (Scope::Organisation, _) => true,
            (Scope::Supplier(s), Resource::Supplier(r)) => s == r,
            (Scope::Supplier(s), Resource::Engagement { supplier, .. }) => s == supplier,
            (Scope::Engagement(e), Resource::Engagement { engagement, .. }) => e == engagement,
            _ => false,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Organisation => f.write_str("organisation"),
            Scope::Supplier(id) => write!(f, "supplier {id}"),
            Scope::Engagement(id) => write!(f, "engagement {id}"),
        }
    }
}

/// What an action is done to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// The organisation's own data: users, the ledger, the status board.
    Organisation,
    /// A supplier record.
    Supplier(String),
    /// An engagement and everything recorded under it.
    Engagement {
        /// The engagement.
        engagement: String,
        /// Its supplier.
        supplier: String,
    },
}

/// Everything a principal can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Read an engagement's agreed terms, requirements and policy.
    ReadTerms,
    /// Acknowledge the terms (a supplier).
    AcknowledgeTerms,
    /// Submit a delivery.
    SubmitDelivery,
    /// Read deliveries, decisions and findings.
    ReadDeliveries,
    /// Read internal notes: reviewers, waiver rationale, the organisation's
    /// other data.
    ReadInternal,
    /// Ask for a waiver.
    RequestWaiver,
    /// Approve or deny a waiver.
    ApproveWaiver,
    /// Read waivers with their rationale.
    ReadWaivers,
    /// Add an evidence document.
    AddEvidence,
    /// Read evidence documents.
    ReadEvidence,
    /// Apply terms, policies.
    ManageTerms,
    /// Add suppliers.
    ManageSuppliers,
    /// Users and grants.
    ManageUsers,
    /// The status board.
    ReadStatus,
    /// Export an evidence pack.
    Export,
    /// Verify the ledger.
    VerifyLedger,
    /// Read the access log.
    ReadAccessLog,
    /// Read the server's metrics (`/metrics`).
    ReadMetrics,
    /// Move a delivery waiting for review up or down the queue.
    PrioritiseReviews,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 19] = [
        Action::ReadTerms,
        Action::AcknowledgeTerms,
        Action::SubmitDelivery,
        Action::ReadDeliveries,
        Action::ReadInternal,
        Action::RequestWaiver,
        Action::ApproveWaiver,
        Action::ReadWaivers,
        Action::AddEvidence,
        Action::ReadEvidence,
        Action::ManageTerms,
        Action::ManageSuppliers,
        Action::ManageUsers,
        Action::ReadStatus,
        Action::Export,
        Action::VerifyLedger,
        Action::ReadAccessLog,
        Action::ReadMetrics,
        Action::PrioritiseReviews,
    ];

    /// The action's name (kebab-case).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReadTerms => "read-terms",
            Action::AcknowledgeTerms => "acknowledge-terms",
            Action::SubmitDelivery => "submit-delivery",
            Action::ReadDeliveries => "read-deliveries",
            Action::ReadInternal => "read-internal",
            Action::RequestWaiver => "request-waiver",
            Action::ApproveWaiver => "approve-waiver",
            Action::ReadWaivers => "read-waivers",
            Action::AddEvidence => "add-evidence",
            Action::ReadEvidence => "read-evidence",
            Action::ManageTerms => "manage-terms",
            Action::ManageSuppliers => "manage-suppliers",
            Action::ManageUsers => "manage-users",
            Action::ReadStatus => "read-status",
            Action::Export => "export",
            Action::VerifyLedger => "verify-ledger",
            Action::ReadAccessLog => "read-access-log",
            Action::ReadMetrics => "read-metrics",
            Action::PrioritiseReviews => "prioritise-reviews",
        }
    }
}

impl FromStr for Action {
    type Err = AccessError;
    fn from_str(s: &str) -> Result<Action, AccessError> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| AccessError::Invalid(format!("`{s}` is not an action")))
    }
}

/// A role on a scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where.
    pub scope: Scope,
}

/// What limits a request made with an API token: the token's own scope and
/// actions, within its owner's grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLimit {
    /// The token's id (logged with each use).
    pub id: String,
    /// Where it applies.
    pub scope: Scope,
    /// What it may do.
    pub actions: Vec<Action>,
}

/// Who asks: an account, with its grants, and the token it used, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account's id.
    pub user_id: String,
    /// The account's name: the ledger's actor.
    pub name: String,
    /// Its grants.
    pub grants: Vec<Grant>,
    /// The token it used.
    pub token: Option<TokenLimit>,
}

/// The outcome of the access decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// The principal may see the resource but not do this: 403.
    Forbidden,
    /// The principal may not even know the resource exists: 404.
    Hidden,
}

impl Principal {
    /// Whether a grant of the principal allows `action` on `resource`,
    /// within its token's limits. The one rule: deny unless a grant allows.
    pub fn may(&self, action: Action, resource: &Resource) -> bool {
        if let Some(token) = &self.token
            && (!token.scope.covers(resource) || !token.actions.contains(&action))
        {
            return false;
        }
        self.grants
            .iter()
            .any(|g| g.role.permits(action) && g.scope.covers(resource))
    }

    /// The decision on `action` on `resource`: allowed, forbidden (the
    /// resource is visible), or hidden (nothing in scope shows it).
    pub fn decide(&self, action: Action, resource: &Resource) -> Decision {
        if self.may(action, resource) {
            return Decision::Allow;
        }
        let visible = Action::ALL.iter().any(|a| self.may(*a, resource));
        if visible {
            Decision::Forbidden
        } else {
            Decision::Hidden
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engagement(id: &str, supplier: &str) -> Resource {
        Resource::Engagement {
            engagement: id.to_owned(),
            supplier: supplier.to_owned(),
        }
    }

    fn principal(grants: &[(Role, Scope)], token: Option<TokenLimit>) -> Principal {
        Principal {
            user_id: "usr1".into(),
            name: "someone".into(),
            grants: grants
                .iter()
                .map(|(role, scope)| Grant {
                    role: *role,
                    scope: scope.clone(),
                })
                .collect(),
            token,
        }
    }

    #[test]
    fn a_supplier_sees_its_own_engagements_only_and_never_the_organisation() {
        let p = principal(&[(Role::Supplier, Scope::Supplier("acme".into()))], None);
        let own = engagement("portal", "acme");
        let other = engagement("app", "globex");
        assert_eq!(p.decide(Action::ReadTerms, &own), Decision::Allow);
        assert_eq!(p.decide(Action::SubmitDelivery, &own), Decision::Allow);
        assert_eq!(p.decide(Action::ReadInternal, &own), Decision::Forbidden);
        assert_eq!(p.decide(Action::ApproveWaiver, &own), Decision::Forbidden);
        assert_eq!(p.decide(Action::ReadTerms, &other), Decision::Hidden);
        assert_eq!(
            p.decide(Action::ReadStatus, &Resource::Organisation),
            Decision::Hidden
        );
        assert_eq!(
            p.decide(Action::ReadTerms, &Resource::Supplier("globex".into())),
            Decision::Hidden
        );
    }

    #[test]
    fn nothing_is_allowed_without_a_grant_and_a_token_only_narrows() {
        let nobody = principal(&[], None);
        for action in Action::ALL {
            assert_eq!(
                nobody.decide(action, &Resource::Organisation),
                Decision::Hidden
            );
        }
        let token = TokenLimit {
            id: "tok1".into(),
            scope: Scope::Engagement("portal".into()),
            actions: vec![Action::ReadDeliveries],
        };
        let p = principal(&[(Role::Reviewer, Scope::Organisation)], Some(token));
        assert!(p.may(Action::ReadDeliveries, &engagement("portal", "acme")));
        assert!(!p.may(Action::SubmitDelivery, &engagement("portal", "acme")));
        assert!(!p.may(Action::ReadDeliveries, &engagement("app", "globex")));
        assert!(!p.may(Action::ReadStatus, &Resource::Organisation));
        // A token cannot give what the grants do not.
        let token = TokenLimit {
            id: "tok2".into(),
            scope: Scope::Organisation,
            actions: vec![Action::ApproveWaiver],
        };
        let p = principal(&[(Role::Reviewer, Scope::Organisation)], Some(token));
        assert!(!p.may(Action::ApproveWaiver, &engagement("portal", "acme")));
    }

    #[test]
    fn roles_are_granted_only_where_they_make_sense() {
        assert!(!Role::Supplier.grantable_on(&Scope::Organisation));
        assert!(Role::Supplier.grantable_on(&Scope::Supplier("acme".into())));
        assert!(!Role::Admin.grantable_on(&Scope::Engagement("portal".into())));
        assert_eq!("auditor".parse::<Role>().unwrap(), Role::Auditor);
        assert!("root".parse::<Role>().is_err());
        for action in Action::ALL {
            assert_eq!(action.as_str().parse::<Action>().unwrap(), action);
        }
    }
}
