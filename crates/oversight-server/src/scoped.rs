//! The one scope check. Handlers never hold the register: they hold a
//! [`Scoped`] view for the authenticated principal, and every read and
//! write of tenant data is a method here that decides first, through
//! [`oversight_access::Principal::decide`], and fails closed. A resource
//! outside the principal's scope is a 404 whatever its id; one it can see
//! but not act on is a 403.

use std::sync::Arc;

use oversight_access::{Action, Decision, Principal, Resource, Scope};
use oversight_register::{Engagement, EngagementId, Register};

use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// The register as one principal may use it.
pub struct Scoped {
    principal: Principal,
    register: Register,
    state: AppState,
}

/// An engagement the principal was allowed `action` on.
pub struct Allowed {
    /// The engagement (shared: parsed once per revision by the register).
    pub engagement: Arc<Engagement>,
}

impl Scoped {
    /// The view of `principal`: the register acts as the principal's
    /// account, so the ledger records who acted.
    pub fn new(state: &AppState, principal: Principal) -> Scoped {
        Scoped {
            register: state.register().acting_as(&principal.name),
            principal,
            state: state.clone(),
        }
    }

    /// Who asks.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn decide(&self, action: Action, resource: &Resource, what: &str) -> ApiResult<()> {
        match self.principal.decide(action, resource) {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(Problem::forbidden(format!(
                "{} may not {} on {what}",
                self.principal.name,
                action.as_str()
            ))),
            Decision::Hidden => Err(Problem::not_found(what)),
        }
    }

    /// Checks `action` on the organisation's own data and returns the
    /// register acting as the principal.
    pub fn organisation(&self, action: Action) -> ApiResult<&Register> {
        self.decide(action, &Resource::Organisation, "the organisation")?;
        Ok(&self.register)
    }

    /// Whether the principal may do `action` on `engagement` (for lists and
    /// for what a view shows: internal notes, waiver rationale).
    pub fn may_on(&self, action: Action, engagement: &Engagement) -> bool {
        self.principal.may(action, &resource(engagement))
    }

    /// Checks `action` on engagement `id`, which must exist and be in scope.
    pub async fn engagement(&self, id: &str, action: Action) -> ApiResult<Allowed> {
        let what = format!("Engagement `{id}`");
        let parsed: EngagementId = id.parse().map_err(|_| Problem::not_found(&what))?;
        let engagement = match self.register.engagement_shared(&parsed).await {
            Ok(e) => e,
            Err(oversight_register::RegisterError::UnknownEngagement { .. }) => {
                return Err(Problem::not_found(&what));
            }
            Err(e) => return Err(e.into()),
        };
        self.decide(action, &resource(&engagement), &what)?;
        Ok(Allowed { engagement })
    }

    /// The waivers in force at `at` of every engagement the principal may
    /// read waivers of, read in two queries whatever their number.
    pub async fn waivers_in_force(
        &self,
        at: jiff::Timestamp,
    ) -> ApiResult<Vec<oversight_store::WaiverRecord>> {
        let list = self.register.engagement_list_shared().await?;
        let readable: std::collections::HashSet<&str> = list
            .iter()
            .filter(|s| {
                self.principal.may(
                    Action::ReadWaivers,
                    &Resource::Engagement {
                        engagement: s.id.clone(),
                        supplier: s.supplier.clone(),
                    },
                )
            })
            .map(|s| s.id.as_str())
            .collect();
        Ok(self
            .register
            .all_waivers_in_force(at)
            .await?
            .into_iter()
            .filter(|w| readable.contains(w.engagement_id.as_str()))
            .collect())
    }

    /// Delivery `id` (its job) and the engagement it belongs to, when the
    /// principal may `action` there; a delivery of an engagement out of
    /// scope is as unknown as one that does not exist (404).
    pub async fn delivery(
        &self,
        id: &str,
        action: Action,
    ) -> ApiResult<(crate::jobs::Job, Allowed)> {
        let not_found = || Problem::not_found(format!("Delivery {id}"));
        let job = self
            .state
            .jobs()
            .job(id)
            .await
            .map_err(|e| Problem::internal(&e))?
            .ok_or_else(not_found)?;
        let allowed = self
            .engagement(&job.engagement, action)
            .await
            .map_err(|p| if p.status == 404 { not_found() } else { p })?;
        Ok((job, allowed))
    }

    /// Makes an API token of the principal's (never when it acts with a
    /// token itself: tokens cannot mint tokens) on `scope` for `actions`
    /// until `expires`, within its own grants (an engagement's token is
    /// checked action by action there); its listing and its secret, to be
    /// shown once.
    pub async fn create_token(
        &self,
        name: &str,
        scope: Scope,
        actions: Vec<Action>,
        expires: jiff::Timestamp,
    ) -> ApiResult<(oversight_access::TokenInfo, String)> {
        if self.principal.token.is_some() {
            return Err(Problem::forbidden(
                "An API token cannot create tokens; log in",
            ));
        }
        if let Scope::Engagement(id) = &scope {
            for action in &actions {
                self.engagement(id, *action).await?;
            }
        }
        Ok(self
            .state
            .access()
            .create_token(&self.principal, name, scope, actions, expires)
            .await?)
    }

    /// Invites account `name` (for those who manage users): the account,
    /// with no role yet, and its one-time setup link's code (72 hours).
    pub async fn invite(&self, name: &str) -> ApiResult<(oversight_access::User, String)> {
        self.organisation(Action::ManageUsers)?;
        let access = self.state.access();
        let user = access.create_user(name).await?;
        let link = access
            .create_setup_link(&user.id, jiff::SignedDuration::from_hours(72))
            .await?;
        Ok((user, link))
    }

    /// Grants account `user_id` a role on a scope (for those who manage
    /// users), recorded as the principal's act.
    pub async fn grant(&self, user_id: &str, grant: &oversight_access::Grant) -> ApiResult<()> {
        self.organisation(Action::ManageUsers)?;
        self.state
            .access()
            .grant(user_id, grant, &self.principal.name)
            .await?;
        Ok(())
    }

    /// The register acting as the principal, for a use case on an
    /// engagement already allowed.
    pub fn register_for(&self, _allowed: &Allowed) -> &Register {
        &self.register
    }

    /// Checks `action` on the engagement review `review` was recorded
    /// under; the review must exist and be in scope.
    pub async fn review(
        &self,
        review: &str,
        action: Action,
    ) -> ApiResult<(Allowed, oversight_store::ReviewRecord)> {
        let (allowed, _) = self.decided(review, action).await?;
        let record = self.register.review(review).await?;
        Ok((allowed, record))
    }

    /// Checks `action` as [`Scoped::review`] does, and reads the delivery
    /// and its decision without the findings.
    pub async fn decided(&self, review: &str, action: Action) -> ApiResult<(Allowed, Decided)> {
        let what = format!("Delivery {review}");
        let Ok(decided) = self.register.review_decision(review).await else {
            return Err(Problem::not_found(&what));
        };
        let allowed = self
            .engagement(&decided.0.engagement_id, action)
            .await
            .map_err(|p| {
                if p.status == 404 {
                    Problem::not_found(&what)
                } else {
                    p
                }
            })?;
        Ok((allowed, decided))
    }

    /// The delivery and decision of review `review`, which must have been
    /// recorded under the engagement `allowed` was decided on (404
    /// otherwise): the engagement is not checked a second time.
    pub async fn decided_in(&self, allowed: &Allowed, review: &str) -> ApiResult<Decided> {
        let what = format!("Delivery {review}");
        match self.register.review_decision(review).await {
            Ok(decided) if decided.0.engagement_id == allowed.engagement.id.as_str() => Ok(decided),
            _ => Err(Problem::not_found(&what)),
        }
    }

    /// A page of the findings of review `review` (recorded under the
    /// engagement `allowed` was decided on, as [`Scoped::decided_in`]
    /// checks), and their count.
    pub async fn findings_in(
        &self,
        allowed: &Allowed,
        review: &str,
        offset: i64,
        limit: i64,
    ) -> ApiResult<(Vec<oversight_store::FindingRecord>, i64)> {
        self.decided_in(allowed, review).await?;
        let page = self.register.review_findings(review, offset, limit).await?;
        Ok((page.0.clone(), page.1))
    }

    /// The engagements the principal may `action` on, a page of them
    /// (`offset`, `limit`), and how many there are in all. The decision is
    /// made on the list's rows (one query, without the terms); only the
    /// page's engagements are read, and those parsed at the row's revision
    /// before are not read again.
    pub async fn engagements(
        &self,
        action: Action,
        offset: usize,
        limit: usize,
    ) -> ApiResult<(Vec<Arc<Engagement>>, usize)> {
        let list = self.register.engagement_list_shared().await?;
        let visible: Vec<_> = list
            .iter()
            .filter(|s| {
                self.principal.may(
                    action,
                    &Resource::Engagement {
                        engagement: s.id.clone(),
                        supplier: s.supplier.clone(),
                    },
                )
            })
            .collect();
        let total = visible.len();
        let mut page = Vec::new();
        for summary in visible.into_iter().skip(offset).take(limit) {
            page.push(self.register.engagement_of(summary).await?);
        }
        Ok((page, total))
    }
}

/// A review's delivery and decision, as recorded (read once and kept).
pub type Decided = Arc<(
    oversight_store::DeliveryRecord,
    oversight_store::DecisionRecord,
)>;

/// The resource an engagement is.
pub fn resource(engagement: &Engagement) -> Resource {
    Resource::Engagement {
        engagement: engagement.id.as_str().to_owned(),
        supplier: engagement.supplier.as_str().to_owned(),
    }
}
