//! `/users`: the accounts, for an administrator: each with its roles, a
//! form that grants one, and a form that invites an account (its one-time
//! setup link shown once). The same use cases as the API's
//! (`Scoped::invite`, `Scoped::grant`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use oversight_access::{Action, Grant, Role};
use oversight_web::views::{UserRow, UsersPage};
use tower_sessions::Session;

use super::form::{Fields, parse_scope};
use super::{Done, Viewer, check_csrf, encode, page, see_other};
use crate::problem::Problem;
use crate::scoped::Scoped;
use crate::state::AppState;

/// `GET /users`.
pub(crate) async fn list(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Query(q): Query<Done>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Accounts").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let notice = match q.done.as_deref() {
        Some("granted") => Some("The role is granted.".to_owned()),
        _ => None,
    };
    match body(&viewer, None, notice).await {
        Ok(body) => page(StatusCode::OK, "users", &body),
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /users`: invites an account; the page shows its setup link once.
pub(crate) async fn invite(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    headers: HeaderMap,
    form: Bytes,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Accounts").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        viewer.scoped.organisation(Action::ManageUsers)?;
        let fields = Fields::parse(&form, &["csrf", "name"], &[])?;
        check_csrf(&viewer.scoped, &session, fields.get("csrf")).await?;
        let name = fields.get("name").unwrap_or_default().trim();
        let (user, code) = viewer.scoped.invite(name).await?;
        let link = format!("{}/setup#{code}", origin(&state, &headers));
        body(&viewer, Some((user.name, link)), None).await
    }
    .await;
    match result {
        Ok(body) => page(StatusCode::CREATED, "users", &body),
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /users/{id}/grants`: a role (`role`) on a scope (`scope`:
/// `organisation`, `supplier:ID` or `engagement:ID`).
pub(crate) async fn grant(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    form: Bytes,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Accounts").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        viewer.scoped.organisation(Action::ManageUsers)?;
        let fields = Fields::parse(&form, &["csrf", "role", "scope"], &[])?;
        check_csrf(&viewer.scoped, &session, fields.get("csrf")).await?;
        let role: Role = fields
            .get("role")
            .unwrap_or_default()
            .parse()
            .map_err(|e: oversight_access::AccessError| Problem::bad_request(e.to_string()))?;
        let scope = parse_scope(fields.get("scope").unwrap_or_default())?;
        viewer.scoped.grant(&id, &Grant { role, scope }).await
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/users?done={}", encode("granted"))),
        Err(p) => viewer.problem(&p),
    }
}

async fn body(
    viewer: &Viewer,
    invited: Option<(String, String)>,
    notice: Option<String>,
) -> Result<UsersPage, Problem> {
    viewer.scoped.organisation(Action::ManageUsers)?;
    let access = viewer.scoped.state().access();
    let mut users = Vec::new();
    for user in access.users().await? {
        let grants = access
            .grants(&user.id)
            .await?
            .iter()
            .map(|g| format!("{} on the {}", g.role, g.scope))
            .collect();
        users.push(UserRow {
            id: user.id,
            name: user.name,
            has_password: user.has_password,
            grants,
            created_at: user.created_at,
        });
    }
    Ok(UsersPage {
        chrome: viewer.chrome.clone(),
        users,
        roles: Role::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
        invited,
        notice,
    })
}

/// Where this server is reached: the configured public origin, else the
/// request's host (https when the server serves TLS itself).
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(public) = &state.config().public_origin {
        return public.trim_end_matches('/').to_owned();
    }
    let scheme = if state.config().tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}
