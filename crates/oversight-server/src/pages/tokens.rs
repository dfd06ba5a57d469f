//! `/tokens`: the signed-in account's API tokens: listed (never their
//! secrets), made through a form within the account's own grants (the
//! secret shown once), and revoked. A supplier makes its CI's token here
//! without a terminal.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use oversight_access::{Action, Role, Scope};
use oversight_web::views::{FilterOption, TokenRow, TokensPage};
use tower_sessions::Session;

use super::form::{Fields, parse_scope, scope_value};
use super::{Done, Viewer, check_csrf, encode, page, see_other};
use crate::problem::Problem;
use crate::scoped::Scoped;
use crate::state::AppState;

/// The longest a token may live, as the access store allows.
const MAX_DAYS: i64 = 365;
/// The life proposed.
const PROPOSED_DAYS: i64 = 90;

/// `GET /tokens`.
pub(crate) async fn list(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Query(q): Query<Done>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "API tokens").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let notice = match q.done.as_deref() {
        Some("revoked") => Some("The token is revoked: it is refused from now on.".to_owned()),
        _ => None,
    };
    match body(&viewer, None, notice).await {
        Ok(body) => page(StatusCode::OK, "tokens", &body),
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /tokens`: the form's fields, each action once per checkbox.
pub(crate) async fn create(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    form: Bytes,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "API tokens").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        if viewer.scoped.principal().token.is_some() {
            return Err(Problem::forbidden(
                "An API token cannot create tokens; log in",
            ));
        }
        let form = NewTokenForm::parse(&form)?;
        check_csrf(&viewer.scoped, &session, form.csrf.as_deref()).await?;
        let (info, secret) = viewer
            .scoped
            .create_token(&form.name, form.scope, form.actions, form.expires)
            .await?;
        body(&viewer, Some((info.name, secret)), None).await
    }
    .await;
    match result {
        Ok(body) => page(StatusCode::CREATED, "tokens", &body),
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /tokens/{id}/revoke`: one of the account's own tokens.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    form: Bytes,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "API tokens").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        let csrf = form_urlencoded::parse(&form)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        check_csrf(&viewer.scoped, &session, csrf.as_deref()).await?;
        let scoped = &viewer.scoped;
        scoped
            .state()
            .access()
            .revoke_token(&scoped.principal().user_id, &id)
            .await?;
        Ok::<_, Problem>(())
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/tokens?done={}", encode("revoked"))),
        Err(p) => viewer.problem(&p),
    }
}

/// The page: the account's tokens, and the form offered within its grants.
async fn body(
    viewer: &Viewer,
    created: Option<(String, String)>,
    notice: Option<String>,
) -> Result<TokensPage, Problem> {
    let scoped = &viewer.scoped;
    let principal = scoped.principal();
    let mut tokens = scoped.state().access().tokens(&principal.user_id).await?;
    tokens.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    let scopes = principal
        .grants
        .iter()
        .map(|g| scope_value(&g.scope))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|value| FilterOption {
            value,
            count: 0,
            selected: false,
        })
        .collect();
    let roles: Vec<Role> = principal.grants.iter().map(|g| g.role).collect();
    let actions = Action::ALL
        .into_iter()
        .filter(|a| roles.iter().any(|r| r.permits(*a)))
        .map(|a| FilterOption {
            value: a.as_str().to_owned(),
            count: 0,
            // What a supplier's CI needs, proposed.
            selected: matches!(a, Action::SubmitDelivery | Action::ReadDeliveries),
        })
        .collect();
    let today = jiff::Zoned::now().date();
    let day = |days: i64| {
        today
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(today)
            .to_string()
    };
    Ok(TokensPage {
        chrome: viewer.chrome.clone(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                scope: t.scope.to_string(),
                actions: t
                    .actions
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                created_at: t.created_at,
                expires_at: t.expires_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
        scopes,
        actions,
        expires: day(PROPOSED_DAYS),
        expires_max: day(MAX_DAYS - 1),
        created,
        by_token: principal.token.is_some(),
        notice,
    })
}

/// The token form, read field by field (checkboxes repeat `action`).
struct NewTokenForm {
    csrf: Option<String>,
    name: String,
    scope: Scope,
    actions: Vec<Action>,
    expires: jiff::Timestamp,
}

impl NewTokenForm {
    fn parse(body: &[u8]) -> Result<NewTokenForm, Problem> {
        let fields = Fields::parse(
            body,
            &["csrf", "name", "scope", "action", "expires"],
            &["action"],
        )?;
        let csrf = fields.get("csrf").map(str::to_owned);
        let name = fields.get("name").unwrap_or_default().trim().to_owned();
        let actions = fields
            .all("action")
            .map(|a| {
                a.parse::<Action>()
                    .map_err(|_| Problem::bad_request(format!("`{a}` is not an action")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if name.is_empty() || name.len() > 100 {
            return Err(Problem::bad_request(
                "A token needs a name of 1 to 100 characters",
            ));
        }
        if actions.is_empty() {
            return Err(Problem::bad_request("Choose at least one action"));
        }
        let scope = parse_scope(fields.get("scope").unwrap_or_default())?;
        let expires = fields
            .get("expires")
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .ok_or_else(|| Problem::bad_request("The expiry is a date (YYYY-MM-DD)"))?;
        // The end of that day, UTC.
        let expires = expires
            .to_datetime(jiff::civil::time(23, 59, 59, 0))
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| Problem::bad_request(format!("The expiry cannot be used: {e}")))?
            .timestamp();
        Ok(NewTokenForm {
            csrf,
            name,
            scope,
            actions,
            expires,
        })
    }
}
