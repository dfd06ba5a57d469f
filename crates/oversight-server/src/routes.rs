//! The HTTP API, `/api/v1`. Every route is declared once in [`routes`],
//! with the action it needs; the router is built from that table, and the
//! authorisation test walks the same table, so a route cannot ship without
//! an entry in the matrix. Handlers only translate HTTP to the typed calls
//! of [`Scoped`] and the application layer, and back.

use std::path::PathBuf;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use futures::StreamExt as _;
use oversight_access::{Action, Grant, Scope};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt as _;
use tower_sessions::Session;

use crate::auth::SESSION_USER;
use crate::problem::{ApiResult, Problem};
use crate::scoped::Scoped;
use crate::state::AppState;

/// What a route needs from its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Nothing: health, login, setup, the API description.
    Public,
    /// Any authenticated account (its own profile and tokens).
    Authenticated,
    /// This action, on the route's engagement or on the organisation.
    Action(Action),
}

/// One route of the API.
pub struct Route {
    /// Its method.
    pub method: Method,
    /// Its path, with `{id}` parameters.
    pub path: &'static str,
    /// What it needs.
    pub guard: Guard,
    /// What it does, for the API description.
    pub summary: &'static str,
    handler: fn() -> MethodRouter<AppState>,
}

macro_rules! route {
    ($method:ident, $path:literal, $guard:expr, $summary:literal, $handler:path) => {
        Route {
            method: Method::$method,
            path: $path,
            guard: $guard,
            summary: $summary,
            handler: || match Method::$method {
                Method::GET => get($handler),
                Method::POST => post($handler),
                Method::PUT => put($handler),
                Method::DELETE => delete($handler),
                _ => unreachable!("only GET, POST, PUT and DELETE routes"),
            },
        }
    };
}

/// Every route.
pub fn routes() -> Vec<Route> {
    use Action::*;
    use Guard::{Action as A, Authenticated, Public};
    vec![
        route!(GET, "/healthz", Public, "Liveness", healthz),
        route!(
            GET,
            "/readyz",
            Public,
            "Readiness: the database answers",
            readyz
        ),
        route!(
            GET,
            "/metrics",
            A(ReadMetrics),
            "Prometheus metrics (text format 0.0.4): queue depth, job wait, review duration and bytes, job results, HTTP latency by route",
            metrics
        ),
        route!(
            GET,
            "/api/v1/openapi.json",
            Public,
            "This API's OpenAPI 3.1 description",
            openapi
        ),
        route!(
            POST,
            "/api/v1/login",
            Public,
            "Log in with a password; sets the session cookie",
            login
        ),
        route!(POST, "/api/v1/logout", Public, "End the session", logout),
        route!(
            GET,
            "/api/v1/oidc/login",
            Public,
            "Single sign-on: redirects to the OpenID provider (404 when not configured)",
            oidc_login
        ),
        route!(
            GET,
            "/api/v1/oidc/callback",
            Public,
            "Single sign-on: the provider's redirect back; sets the session cookie",
            oidc_callback
        ),
        route!(
            POST,
            "/api/v1/setup",
            Public,
            "Set an account's password with its one-time setup link",
            setup
        ),
        route!(
            GET,
            "/api/v1/me",
            Authenticated,
            "The caller's account and grants",
            me
        ),
        route!(
            GET,
            "/api/v1/tokens",
            Authenticated,
            "The caller's API tokens",
            tokens
        ),
        route!(
            POST,
            "/api/v1/tokens",
            Authenticated,
            "Create an API token (shown once)",
            create_token
        ),
        route!(
            DELETE,
            "/api/v1/tokens/{id}",
            Authenticated,
            "Revoke an API token",
            revoke_token
        ),
        route!(GET, "/api/v1/users", A(ManageUsers), "Accounts", users),
        route!(
            POST,
            "/api/v1/users",
            A(ManageUsers),
            "Invite an account: returns its one-time setup link",
            invite
        ),
        route!(
            POST,
            "/api/v1/users/{id}/grants",
            A(ManageUsers),
            "Grant a role on a scope",
            grant
        ),
        route!(
            GET,
            "/api/v1/access-log",
            A(ReadAccessLog),
            "The access log",
            access_log
        ),
        route!(
            GET,
            "/api/v1/suppliers",
            A(ManageSuppliers),
            "Suppliers",
            suppliers
        ),
        route!(
            POST,
            "/api/v1/suppliers",
            A(ManageSuppliers),
            "Add a supplier (supplier TOML)",
            add_supplier
        ),
        route!(
            GET,
            "/api/v1/engagements",
            Authenticated,
            "The engagements in the caller's scope",
            engagements
        ),
        route!(
            PUT,
            "/api/v1/engagements/{id}",
            A(ManageTerms),
            "Apply an engagement's terms (TOML, policy inline)",
            apply_engagement
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}",
            A(ReadTerms),
            "An engagement's agreed terms",
            engagement
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}/policy",
            A(ReadTerms),
            "The agreed acceptance policy (TOML)",
            policy
        ),
        route!(
            POST,
            "/api/v1/engagements/{id}/acknowledgements",
            A(AcknowledgeTerms),
            "The supplier acknowledges the terms",
            acknowledge
        ),
        route!(
            POST,
            "/api/v1/engagements/{id}/deliveries",
            A(SubmitDelivery),
            "Submit a delivery (zip, tar or tar.gz body)",
            submit
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}/deliveries",
            A(ReadDeliveries),
            "The engagement's deliveries",
            deliveries
        ),
        route!(
            GET,
            "/api/v1/deliveries/{id}",
            A(ReadDeliveries),
            "A delivery: its review's status and decision",
            delivery
        ),
        route!(
            GET,
            "/api/v1/deliveries/{id}/findings",
            A(ReadDeliveries),
            "A delivery's findings",
            findings
        ),
        route!(
            GET,
            "/api/v1/deliveries/{id}/events",
            A(ReadDeliveries),
            "A delivery's review as server-sent events: `status` at each change, then `done` with the delivery",
            delivery_events
        ),
        route!(
            GET,
            "/api/v1/deliveries/{id}/sbom",
            A(ReadDeliveries),
            "A reviewed delivery's CycloneDX SBOM, as the review kept it (checked against its digest)",
            delivery_sbom
        ),
        route!(
            GET,
            "/api/v1/deliveries/{id}/diff",
            A(ReadDeliveries),
            "What changed since the engagement's last accepted delivery",
            delivery_diff
        ),
        route!(
            POST,
            "/api/v1/deliveries/{id}/cancel",
            A(SubmitDelivery),
            "Cancel a delivery whose review has not started",
            cancel_delivery
        ),
        route!(
            PUT,
            "/api/v1/deliveries/{id}/priority",
            A(PrioritiseReviews),
            "Move a delivery whose review has not started up or down the queue",
            prioritise_delivery
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}/waiver-requests",
            A(ReadWaivers),
            "Waiver requests",
            waiver_requests
        ),
        route!(
            POST,
            "/api/v1/engagements/{id}/waiver-requests",
            A(RequestWaiver),
            "Ask for a waiver",
            request_waiver
        ),
        route!(
            POST,
            "/api/v1/waiver-requests/{id}/approve",
            A(ApproveWaiver),
            "Approve a waiver request (another account than the requester)",
            approve_waiver
        ),
        route!(
            POST,
            "/api/v1/waiver-requests/{id}/deny",
            A(ApproveWaiver),
            "Deny a waiver request",
            deny_waiver
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}/waivers",
            A(ReadWaivers),
            "The engagement's waivers, with their revocations",
            waivers
        ),
        route!(
            POST,
            "/api/v1/engagements/{id}/waivers/{waiver}/revoke",
            A(ApproveWaiver),
            "Revoke a waiver before it expires (body: {\"reason\": …})",
            revoke_waiver
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}/export",
            A(Export),
            "The engagement's evidence pack as a zip (the whole signed ledger: organisation-wide auditors only)",
            export
        ),
        route!(
            GET,
            "/api/v1/engagements/{id}/evidence",
            A(ReadEvidence),
            "The engagement's evidence documents",
            evidence_documents
        ),
        route!(
            POST,
            "/api/v1/engagements/{id}/evidence",
            A(AddEvidence),
            "Keep an evidence document (body: the file; ?kind=&name=&expires=)",
            add_evidence
        ),
        route!(
            GET,
            "/api/v1/status",
            A(ReadStatus),
            "The A.8.30 status of every engagement",
            status
        ),
        route!(
            GET,
            "/api/v1/ledger/verify",
            A(VerifyLedger),
            "Verify the signed ledger",
            verify_ledger
        ),
        // The web pages (`crate::pages`), under the same guards.
        route!(
            GET,
            "/static/{file}",
            Public,
            "A page asset (stylesheet, script), embedded in the binary",
            crate::pages::asset
        ),
        route!(
            GET,
            "/login",
            Public,
            "Page: log in",
            crate::pages::login_page
        ),
        route!(
            POST,
            "/login",
            Public,
            "Page: the login form (sets the session cookie, then redirects)",
            crate::pages::login_form
        ),
        route!(
            POST,
            "/logout",
            Public,
            "Page: end the session",
            crate::pages::logout_form
        ),
        route!(
            GET,
            "/",
            Authenticated,
            "Page: the organisation's dashboard (status matrix, due, recent decisions), or the engagements in scope",
            crate::pages::home
        ),
        route!(
            GET,
            "/engagements",
            Authenticated,
            "Page: the engagements in the caller's scope (the supplier portal)",
            crate::pages::engagements
        ),
        route!(
            GET,
            "/engagements/{id}",
            A(ReadTerms),
            "Page: an engagement's agreed terms, requirements and deliveries",
            crate::pages::engagement
        ),
        route!(
            POST,
            "/engagements/{id}/acknowledge",
            A(AcknowledgeTerms),
            "Page: the supplier acknowledges the terms (form)",
            crate::pages::acknowledge
        ),
        route!(
            POST,
            "/engagements/{id}/deliveries",
            A(SubmitDelivery),
            "Page: submit a delivery (multipart form)",
            crate::pages::submit
        ),
        route!(
            GET,
            "/deliveries/{id}",
            A(ReadDeliveries),
            "Page: a delivery's decision, reasons and findings (filtered, paginated)",
            crate::pages::delivery
        ),
        route!(
            POST,
            "/deliveries/{id}/waiver-requests",
            A(RequestWaiver),
            "Page: ask to waive one of a delivery's findings (form: fingerprint, reason, expires)",
            crate::pages::request_waiver
        ),
        route!(
            GET,
            "/engagements/{id}/export",
            A(Export),
            "Page: download the engagement's evidence pack (zip), as the API's export",
            crate::pages::export
        ),
        route!(
            GET,
            "/ledger",
            A(VerifyLedger),
            "Page: the signed ledger's events (filtered, paginated) and \"verify now\" (?verify=now)",
            crate::pages::ledger
        ),
        route!(
            GET,
            "/waivers",
            A(ReadWaivers),
            "Page: the waiver queue (pending requests, waivers expiring soon)",
            crate::pages::waivers
        ),
        route!(
            GET,
            "/setup",
            Public,
            "Page: a one-time setup link's form (the account sets its password)",
            crate::pages::setup_page
        ),
        route!(
            POST,
            "/setup",
            Public,
            "Page: set the password with a one-time setup link",
            crate::pages::setup_form
        ),
        route!(
            POST,
            "/engagements/{id}/evidence",
            A(AddEvidence),
            "Page: upload an evidence document (a multipart form)",
            crate::pages::add_evidence
        ),
        route!(
            GET,
            "/engagements/{id}/terms",
            A(ManageTerms),
            "Page: the agreed terms as TOML, to change or replace by upload",
            crate::pages::terms::edit
        ),
        route!(
            POST,
            "/engagements/{id}/terms",
            A(ManageTerms),
            "Page: apply changed terms (the same checks as the API's)",
            crate::pages::terms::apply
        ),
        route!(
            GET,
            "/users",
            A(ManageUsers),
            "Page: every account, its roles, and the forms that invite and grant",
            crate::pages::users::list
        ),
        route!(
            POST,
            "/users",
            A(ManageUsers),
            "Page: invite an account (its one-time setup link is shown once)",
            crate::pages::users::invite
        ),
        route!(
            POST,
            "/users/{id}/grants",
            A(ManageUsers),
            "Page: grant an account a role on a scope",
            crate::pages::users::grant
        ),
        route!(
            GET,
            "/tokens",
            Authenticated,
            "Page: your API tokens, and the form that makes one",
            crate::pages::tokens::list
        ),
        route!(
            POST,
            "/tokens",
            Authenticated,
            "Page: make an API token (its secret is shown once)",
            crate::pages::tokens::create
        ),
        route!(
            POST,
            "/tokens/{id}/revoke",
            Authenticated,
            "Page: revoke one of your API tokens",
            crate::pages::tokens::revoke
        ),
        route!(
            POST,
            "/waiver-requests/{id}/approve",
            A(ApproveWaiver),
            "Page: approve a waiver request (another account than the requester)",
            crate::pages::approve_waiver
        ),
        route!(
            POST,
            "/waiver-requests/{id}/deny",
            A(ApproveWaiver),
            "Page: deny a waiver request",
            crate::pages::deny_waiver
        ),
    ]
}

/// The router of every route.
pub fn router() -> axum::Router<AppState> {
    let mut router = axum::Router::new();
    let mut paths: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for route in routes() {
        let handler = (route.handler)();
        match paths.iter_mut().find(|(p, _)| *p == route.path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => paths.push((route.path, handler)),
        }
    }
    for (path, handler) in paths {
        router = router.route(path, handler);
    }
    router
}

/// `?page=&per_page=`: bounded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
}

/// The most items one page holds.
pub const MAX_PER_PAGE: u32 = 200;

impl Page {
    fn bounds(&self) -> ApiResult<(i64, i64)> {
        let per_page = self.per_page.unwrap_or(50);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(Problem::bad_request(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 || page > 1_000_000 {
            return Err(Problem::bad_request("page must be between 1 and 1000000"));
        }
        Ok((
            i64::from(page - 1) * i64::from(per_page),
            i64::from(per_page),
        ))
    }

    fn slice<T>(&self, items: Vec<T>) -> ApiResult<Paged<T>> {
        let (offset, limit) = self.bounds()?;
        let total = items.len();
        let items = items
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect();
        Ok(Paged {
            items,
            total: Some(total),
        })
    }
}

/// A page of items.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<usize>,
}

fn db(e: impl std::fmt::Display) -> Problem {
    Problem::internal(&e)
}

async fn metrics(scoped: Scoped, State(state): State<AppState>) -> ApiResult<Response> {
    scoped.organisation(Action::ReadMetrics)?;
    let depth = state.jobs().depth().await.map_err(db)?;
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state.metrics().render(&depth),
    )
        .into_response())
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.access().ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database does not answer",
        )
        .into_response()
    }
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document(&routes()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    name: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Json(body): Json<Login>,
) -> ApiResult<Json<serde_json::Value>> {
    let principal =
        password_login(&state, &session, &headers, peer, &body.name, &body.password).await?;
    Ok(Json(
        serde_json::json!({"name": principal.name, "grants": principal.grants}),
    ))
}

/// The peer address as the connection saw it.
pub(crate) type Peer = Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>;

/// Logs `name` in with `password` into `session`, within the login limits
/// (the API's and the login page's one way in with a password).
pub(crate) async fn password_login(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    peer: Peer,
    name: &str,
    password: &str,
) -> ApiResult<oversight_access::Principal> {
    // The client is the peer, or what the reverse proxy says it is when
    // the configuration trusts one: a header anyone can send is no key.
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned());
    let client = match (state.config().trust_forwarded_for, forwarded, peer) {
        (true, Some(forwarded), _) => forwarded,
        (_, _, Some(axum::Extension(axum::extract::ConnectInfo(addr)))) => addr.ip().to_string(),
        _ => "unknown".to_owned(),
    };
    let keys = crate::limiter::LoginKeys::new(name, &client);
    let log = |kind: &str, status: u16, detail: String| oversight_access::AccessEvent {
        at: jiff::Timestamp::now().to_string(),
        actor: name.to_owned(),
        kind: kind.to_owned(),
        method: "POST".to_owned(),
        path: "/api/v1/login".to_owned(),
        status: i64::from(status),
        token_id: None,
        detail,
    };
    let refused = || {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed logins for this account or address; wait a minute",
        )
    };
    match state.limiter().check(&keys).await {
        crate::limiter::Limit::Open => {}
        crate::limiter::Limit::FirstRefusal => {
            let _ = state
                .access()
                .log(&log(
                    "login-limited",
                    429,
                    format!(
                        "from {client}; further refusals this minute are not logged one by one"
                    ),
                ))
                .await;
            return Err(refused());
        }
        crate::limiter::Limit::Refused => return Err(refused()),
    }
    let _slot = match state.limiter().hashing_slot(&keys).await {
        crate::limiter::Slot::Granted(slot) => slot,
        crate::limiter::Slot::ClientBusy => {
            return Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Other logins from this address are being checked; try again in a moment",
            ));
        }
        crate::limiter::Slot::Busy => {
            return Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many logins at once; try again in a moment",
            ));
        }
    };
    match state.access().authenticate(name, password).await {
        Ok(principal) => {
            state.limiter().succeeded(&keys).await;
            session
                .cycle_id()
                .await
                .map_err(|e| Problem::internal(&e))?;
            session
                .insert(SESSION_USER, &principal.user_id)
                .await
                .map_err(|e| Problem::internal(&e))?;
            let _ = state.access().log(&log("login", 200, String::new())).await;
            Ok(principal)
        }
        Err(oversight_access::AccessError::BadCredentials) => {
            state.limiter().failed(&keys).await;
            let _ = state
                .access()
                .log(&log("login-failed", 401, String::new()))
                .await;
            Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "The name or the password is wrong",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(session: Session) -> ApiResult<StatusCode> {
    session.flush().await.map_err(|e| Problem::internal(&e))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    link: String,
    password: String,
}

async fn setup(
    State(state): State<AppState>,
    Json(body): Json<Setup>,
) -> ApiResult<Json<serde_json::Value>> {
    let user = redeem_setup_link(&state, &body.link, &body.password).await?;
    Ok(Json(serde_json::json!({"name": user.name})))
}

/// Sets the password of the account one-time setup link `link` was made
/// for (the API's and the page's use case); 401 for a link unknown, used
/// or expired.
pub(crate) async fn redeem_setup_link(
    state: &AppState,
    link: &str,
    password: &str,
) -> ApiResult<oversight_access::User> {
    state
        .access()
        .redeem_setup_link(link, password)
        .await
        .map_err(|e| match e {
            oversight_access::AccessError::BadCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "The setup link is unknown, used or expired",
            ),
            other => other.into(),
        })
}

async fn me(scoped: Scoped) -> Json<serde_json::Value> {
    let p = scoped.principal();
    Json(serde_json::json!({
        "id": p.user_id, "name": p.name, "grants": p.grants,
        "token": p.token.as_ref().map(|t| &t.id),
    }))
}

async fn tokens(scoped: Scoped) -> ApiResult<Json<Vec<oversight_access::TokenInfo>>> {
    Ok(Json(
        scoped
            .state()
            .access()
            .tokens(&scoped.principal().user_id)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
    scope: Scope,
    actions: Vec<Action>,
    expires: jiff::Timestamp,
}

async fn create_token(
    scoped: Scoped,
    Json(body): Json<NewToken>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (info, secret) = scoped
        .create_token(&body.name, body.scope, body.actions, body.expires)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"token": info, "secret": secret})),
    ))
}

async fn revoke_token(scoped: Scoped, Path(id): Path<String>) -> ApiResult<StatusCode> {
    scoped
        .state()
        .access()
        .revoke_token(&scoped.principal().user_id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn users(
    scoped: Scoped,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<oversight_access::User>>> {
    scoped.organisation(Action::ManageUsers)?;
    Ok(Json(page.slice(scoped.state().access().users().await?)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    name: String,
}

async fn invite(
    scoped: Scoped,
    Json(body): Json<Invite>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (user, link) = scoped.invite(&body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"user": user, "setup_link": link})),
    ))
}

async fn grant(
    scoped: Scoped,
    Path(id): Path<String>,
    Json(body): Json<Grant>,
) -> ApiResult<StatusCode> {
    scoped.grant(&id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn access_log(
    scoped: Scoped,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<oversight_access::AccessEvent>>> {
    scoped.organisation(Action::ReadAccessLog)?;
    let (offset, limit) = page.bounds()?;
    let items = scoped.state().access().access_log(offset, limit).await?;
    Ok(Json(Paged { items, total: None }))
}

#[derive(Debug, Serialize)]
struct SupplierView {
    id: String,
    name: String,
}

async fn suppliers(
    scoped: Scoped,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<SupplierView>>> {
    let register = scoped.organisation(Action::ManageSuppliers)?;
    let all = register
        .supplier_list()
        .await?
        .into_iter()
        .map(|s| SupplierView {
            id: s.id.as_str().to_owned(),
            name: s.name,
        })
        .collect();
    Ok(Json(page.slice(all)?))
}

async fn add_supplier(scoped: Scoped, body: String) -> ApiResult<StatusCode> {
    let register = scoped.organisation(Action::ManageSuppliers)?;
    let supplier = oversight_register::format::parse_supplier(&body, "the request body")
        .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    register.supplier_add(&supplier).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Serialize)]
struct EngagementView {
    id: String,
    supplier: String,
    system: String,
    status: String,
    start: Option<String>,
    end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    policy_sha256: Option<String>,
}

fn view(scoped: &Scoped, e: &oversight_register::Engagement) -> EngagementView {
    let internal = scoped.may_on(Action::ReadInternal, e);
    EngagementView {
        id: e.id.as_str().to_owned(),
        supplier: e.supplier.as_str().to_owned(),
        system: e.system.clone(),
        status: e.status.as_str().to_owned(),
        start: e.start.map(|d| d.to_string()),
        end: e.end.map(|d| d.to_string()),
        owner: internal.then(|| e.owner.clone()),
        policy_sha256: e
            .terms
            .acceptance
            .as_ref()
            .and_then(|a| a.agreed.as_ref())
            .map(|a| a.sha256.clone()),
    }
}

async fn engagements(
    scoped: Scoped,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<EngagementView>>> {
    let (offset, limit) = page.bounds()?;
    let (engagements, total) = scoped
        .engagements(
            Action::ReadTerms,
            usize::try_from(offset).unwrap_or(usize::MAX),
            usize::try_from(limit).unwrap_or(0),
        )
        .await?;
    let items = engagements.iter().map(|e| view(&scoped, e)).collect();
    Ok(Json(Paged {
        items,
        total: Some(total),
    }))
}

async fn engagement(scoped: Scoped, Path(id): Path<String>) -> ApiResult<Json<serde_json::Value>> {
    let allowed = scoped.engagement(&id, Action::ReadTerms).await?;
    let terms = oversight_register::format::render_engagement(&allowed.engagement);
    Ok(Json(serde_json::json!({
        "engagement": view(&scoped, &allowed.engagement),
        "terms_toml": terms,
    })))
}

async fn apply_engagement(
    scoped: Scoped,
    Path(id): Path<String>,
    body: String,
) -> ApiResult<Json<serde_json::Value>> {
    let outcome = apply_terms(&scoped, &id, &body, "the request body").await?;
    Ok(Json(serde_json::json!({"outcome": outcome})))
}

/// Applies the terms `text` (TOML, the policy inline; `origin` names it in
/// errors) to engagement `id`, the API's and the page's use case: creating
/// an engagement needs the right on the organisation, changing one the
/// right on it. A document that does not parse is 422 with every problem
/// (key and line); one that names another engagement, 400. The outcome
/// (`Created`, `Updated`, `Unchanged`).
pub(crate) async fn apply_terms(
    scoped: &Scoped,
    id: &str,
    text: &str,
    origin: &str,
) -> ApiResult<String> {
    let register = match scoped.engagement(id, Action::ManageTerms).await {
        Ok(allowed) => scoped.register_for(&allowed).clone(),
        Err(p) if p.status == 404 => scoped.organisation(Action::ManageTerms)?.clone(),
        Err(p) => return Err(p),
    };
    let parsed = oversight_register::format::parse_engagement(text, origin, register.catalogue())
        .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    if parsed.id.as_str() != id {
        return Err(Problem::bad_request(format!(
            "The terms in {origin} describe engagement `{}`, not `{id}`",
            parsed.id.as_str()
        )));
    }
    let outcome = register
        .engagement_apply_str(text, origin, &oversight_register::PolicyFiles::Inline)
        .await?;
    Ok(format!("{outcome:?}"))
}

async fn policy(scoped: Scoped, Path(id): Path<String>) -> ApiResult<Response> {
    let allowed = scoped.engagement(&id, Action::ReadTerms).await?;
    let text = match allowed
        .engagement
        .terms
        .acceptance
        .as_ref()
        .and_then(|a| a.agreed.as_ref())
    {
        Some(agreed) => agreed.text.clone(),
        None => oversight_policy::Policy::default_policy().text().to_owned(),
    };
    Ok((
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
        text,
    )
        .into_response())
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Acknowledge {
    #[serde(default)]
    note: Option<String>,
}

async fn acknowledge(
    scoped: Scoped,
    Path(id): Path<String>,
    Json(body): Json<Acknowledge>,
) -> ApiResult<StatusCode> {
    let allowed = scoped.engagement(&id, Action::AcknowledgeTerms).await?;
    acknowledge_terms(&scoped, &allowed, body.note).await?;
    Ok(StatusCode::CREATED)
}

/// Records in the ledger that the principal acknowledged the engagement's
/// current terms (by digest), with an optional note.
pub(crate) async fn acknowledge_terms(
    scoped: &Scoped,
    allowed: &crate::scoped::Allowed,
    note: Option<String>,
) -> ApiResult<()> {
    let terms = oversight_register::format::render_engagement(&allowed.engagement);
    let digest = oversight_app::review::sha256_hex(terms.as_bytes());
    scoped
        .register_for(allowed)
        .ledger_append(
            "terms.acknowledged",
            allowed.engagement.id.as_str(),
            &serde_json::json!({"terms_sha256": digest, "note": note}),
        )
        .await?;
    Ok(())
}

/// The archive kinds a delivery may be uploaded as, by content type.
fn upload_extension(headers: &HeaderMap) -> ApiResult<&'static str> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match content_type.split(';').next().unwrap_or("").trim() {
        "application/zip" => Ok("zip"),
        "application/x-tar" => Ok("tar"),
        "application/gzip" | "application/x-gzip" | "application/x-gtar" => Ok("tar.gz"),
        other => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "A delivery is uploaded as application/zip, application/x-tar or application/gzip, not `{other}`"
            ),
        )),
    }
}

async fn submit(
    scoped: Scoped,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<crate::jobs::Job>)> {
    let allowed = scoped.engagement(&id, Action::SubmitDelivery).await?;
    let extension = upload_extension(&headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let key = idempotency_key(&headers)?;
    let job = accept_delivery_keyed(
        &scoped,
        &allowed,
        extension,
        declared,
        key.as_deref(),
        body.into_data_stream(),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// The client's `Idempotency-Key`: 1 to 200 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(Problem::bad_request(
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        )),
    }
}

/// Stages a delivery of engagement `allowed` (archive kind `extension`,
/// `declared` bytes if the client said) from `body` within the size limit
/// and the supplier's quota, and queues its review (the API's upload and
/// the page's multipart form).
pub(crate) async fn accept_delivery<S, E>(
    scoped: &Scoped,
    allowed: &crate::scoped::Allowed,
    extension: &str,
    declared: Option<u64>,
    body: S,
) -> ApiResult<crate::jobs::Job>
where
    S: futures::Stream<Item = Result<axum::body::Bytes, E>>,
    E: std::fmt::Display,
{
    accept_delivery_keyed(scoped, allowed, extension, declared, None, body).await
}

/// [`accept_delivery`] under the client's idempotency key: a key the
/// supplier used before answers with that delivery when the body is the
/// same file, and with 422 when it is another.
async fn accept_delivery_keyed<S, E>(
    scoped: &Scoped,
    allowed: &crate::scoped::Allowed,
    extension: &str,
    declared: Option<u64>,
    key: Option<&str>,
    body: S,
) -> ApiResult<crate::jobs::Job>
where
    S: futures::Stream<Item = Result<axum::body::Bytes, E>>,
    E: std::fmt::Display,
{
    let id = allowed.engagement.id.as_str().to_owned();
    if let Some(why) = allowed
        .engagement
        .refuses_deliveries(jiff::Zoned::now().date())
    {
        return Err(Problem::conflict(why));
    }
    if let Some(key) = key
        && let Some(job) = scoped
            .state()
            .jobs()
            .by_key(allowed.engagement.supplier.as_str(), key)
            .await
            .map_err(db)?
    {
        if job.engagement != id {
            return Err(Problem::conflict(format!(
                "Idempotency-Key `{key}` was used for delivery {} of engagement `{}`",
                job.id, job.engagement
            )));
        }
        let limit = scoped.state().config().max_upload_bytes;
        let (_, sha256) = stream_to(None, body, limit).await?;
        return same_upload(key, job, &sha256);
    }
    let state = scoped.state();
    let limit = state.config().max_upload_bytes;
    if let Some(length) = declared
        && length > limit
    {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The delivery is {length} bytes; the limit is {limit}"),
        ));
    }
    let supplier = allowed.engagement.supplier.as_str().to_owned();
    let since = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24)).to_string();
    let used = state
        .jobs()
        .uploaded_since(&supplier, &since)
        .await
        .map_err(db)?;
    let quota = state.config().supplier_quota_bytes;
    let remaining = quota.saturating_sub(u64::try_from(used).unwrap_or(0));
    let delivery = oversight_access::secret::id("dly");
    // One directory per delivery, and always the same file name in it: the
    // findings' paths (`delivery.tar.gz!/src/main.rs`), and so their
    // fingerprints and the waivers bound to them, do not change from one
    // upload to the next.
    let dir: PathBuf = state.staging().join(&delivery);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let file_name = format!("delivery.{extension}");
    let path = dir.join(&file_name);
    let written = stream_to(Some(&path), body, limit.min(remaining)).await;
    let (bytes, sha256) = match written {
        Ok(written) => written,
        Err(problem) => {
            let _ = tokio::fs::remove_dir_all(&dir).await;
            if problem.status == 413 && remaining < limit {
                return Err(Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "Supplier `{supplier}` has {remaining} bytes of its 24-hour upload quota of {quota} left"
                    ),
                ));
            }
            return Err(problem);
        }
    };
    if bytes == 0 {
        let _ = tokio::fs::remove_dir_all(&dir).await;
        return Err(Problem::bad_request("The delivery is empty"));
    }
    let job = state
        .jobs()
        .submit(
            &delivery,
            &id,
            &supplier,
            &scoped.principal().name,
            &file_name,
            i64::try_from(bytes).unwrap_or(i64::MAX),
            &path,
            key,
        )
        .await
        .map_err(db)?;
    if job.id != delivery {
        // The same key, sent at the same time by another request, won.
        let _ = tokio::fs::remove_dir_all(&dir).await;
        if let Some(key) = key {
            return same_upload(key, job, &sha256);
        }
    }
    Ok(job)
}

/// The delivery recorded under idempotency key `key` (`job`), when the
/// upload sent again with the key is the same file (SHA-256 `sha256`);
/// otherwise 422: a key names one submission, and a different file under
/// it is a client's mistake, never an answer with another file's decision.
fn same_upload(key: &str, job: crate::jobs::Job, sha256: &str) -> ApiResult<crate::jobs::Job> {
    if job.blob.as_deref() == Some(sha256) {
        return Ok(job);
    }
    Err(Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!(
            "Idempotency-Key `{key}` was used for delivery {} with a different file \
             (SHA-256 {}, this upload {sha256}); send a new key for a new delivery",
            job.id,
            job.blob.as_deref().unwrap_or("unknown"),
        ),
    ))
}

/// Streams `body` to `path` (or only hashes it, without a path), refusing
/// more than `limit` bytes. The bytes written and their SHA-256 (hex).
async fn stream_to<S, E>(
    path: Option<&std::path::Path>,
    body: S,
    limit: u64,
) -> ApiResult<(u64, String)>
where
    S: futures::Stream<Item = Result<axum::body::Bytes, E>>,
    E: std::fmt::Display,
{
    use sha2::Digest as _;
    let mut file = match path {
        Some(path) => Some(
            tokio::fs::File::create(path)
                .await
                .map_err(|e| Problem::internal(&e))?,
        ),
        None => None,
    };
    let mut hasher = sha2::Sha256::new();
    let mut stream = std::pin::pin!(body);
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| Problem::bad_request(format!("The upload broke off: {e}")))?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The delivery exceeds the limit of {limit} bytes"),
            ));
        }
        hasher.update(&chunk);
        if let Some(file) = file.as_mut() {
            file.write_all(&chunk)
                .await
                .map_err(|e| Problem::internal(&e))?;
        }
    }
    if let Some(file) = file {
        file.sync_all().await.map_err(|e| Problem::internal(&e))?;
    }
    Ok((written, hex::encode(hasher.finalize())))
}

#[derive(Debug, Serialize)]
struct DeliveryView {
    #[serde(flatten)]
    job: crate::jobs::Job,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasons: Option<Vec<oversight_app::record::ReasonRecord>>,
}

async fn deliveries(
    scoped: Scoped,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<crate::jobs::Job>>> {
    scoped.engagement(&id, Action::ReadDeliveries).await?;
    let (offset, limit) = page.bounds()?;
    let items = scoped
        .state()
        .jobs()
        .of_engagement(&id, offset, limit)
        .await
        .map_err(db)?;
    Ok(Json(Paged { items, total: None }))
}

async fn cancel_delivery(
    scoped: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<crate::jobs::Job>> {
    let not_found = || Problem::not_found(format!("Delivery {id}"));
    scoped.delivery(&id, Action::SubmitDelivery).await?;
    let jobs = scoped.state().jobs();
    match jobs.cancel(&id).await.map_err(db)? {
        crate::jobs::WhileQueued::Changed => {
            let job = jobs.job(&id).await.map_err(db)?.ok_or_else(not_found)?;
            Ok(Json(job))
        }
        crate::jobs::WhileQueued::Not(status) => Err(Problem::conflict(format!(
            "Delivery {id} is {}; only a delivery whose review has not started can be cancelled",
            status.as_str()
        ))),
        crate::jobs::WhileQueued::NotFound => Err(not_found()),
    }
}

/// How often a delivery's events stream looks at its job.
const EVENTS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// How long one events stream lasts; the client connects again (an
/// `EventSource` does so by itself).
const EVENTS_FOR: std::time::Duration = std::time::Duration::from_secs(600);

/// A delivery's review as server-sent events: `status` with the job's
/// state each time it changes (the first at once), then `done` with the
/// delivery as `GET /api/v1/deliveries/{id}` shows it, when it ended.
async fn delivery_events(
    scoped: Scoped,
    Path(id): Path<String>,
) -> ApiResult<
    axum::response::sse::Sse<
        impl futures::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    scoped.delivery(&id, Action::ReadDeliveries).await?;
    let jobs = scoped.state().jobs().clone();
    let until = tokio::time::Instant::now() + EVENTS_FOR;
    // (the last status sent, whether `done` was sent)
    let stream = futures::stream::unfold((None::<String>, false), move |(last, ended)| {
        let (jobs, id) = (jobs.clone(), id.clone());
        async move {
            if ended || tokio::time::Instant::now() >= until {
                return None;
            }
            loop {
                let job = match jobs.job(&id).await {
                    Ok(Some(job)) => job,
                    _ => return None,
                };
                let status = job.status.as_str().to_owned();
                if last.as_deref() != Some(status.as_str()) {
                    let event = Event::default().event("status").data(&status);
                    return Some((Ok(event), (Some(status), false)));
                }
                if job.status.is_final() {
                    let data = serde_json::to_string(&job).unwrap_or_default();
                    let event = Event::default().event("done").data(data);
                    return Some((Ok(event), (last, true)));
                }
                if tokio::time::Instant::now() >= until {
                    return None;
                }
                tokio::time::sleep(EVENTS_EVERY).await;
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// A reviewed delivery's CycloneDX SBOM, the blob its review kept.
async fn delivery_sbom(scoped: Scoped, Path(id): Path<String>) -> ApiResult<Response> {
    let (job, allowed) = scoped.delivery(&id, Action::ReadDeliveries).await?;
    let Some(review) = &job.review else {
        return Err(Problem::conflict(format!(
            "Delivery {id} is {}; it has no SBOM yet",
            job.status.as_str()
        )));
    };
    let store = scoped
        .state()
        .jobs()
        .evidence_store()
        .await
        .map_err(|e| Problem::internal(&e))?;
    let bytes =
        oversight_app::record::evidence_blob(scoped.register_for(&allowed), store, review, "sbom")
            .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.cyclonedx+json".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.cdx.json\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// What changed in a reviewed delivery since the engagement's last
/// accepted one (`null` when there is none before it).
async fn delivery_diff(
    scoped: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<Option<oversight_app::diff::SinceAccepted>>> {
    let (job, allowed) = scoped.delivery(&id, Action::ReadDeliveries).await?;
    let jobs = scoped.state().jobs();
    let Some(review) = &job.review else {
        return Err(Problem::conflict(format!(
            "Delivery {id} is {}; it has no review to compare yet",
            job.status.as_str()
        )));
    };
    let store = jobs
        .evidence_store()
        .await
        .map_err(|e| Problem::internal(&e))?;
    let since = oversight_app::diff::since_accepted(
        scoped.register_for(&allowed),
        store,
        &job.engagement,
        review,
    )
    .await?;
    Ok(Json(since))
}

/// A delivery's place in the review queue: higher runs first, 0 by default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Priority {
    priority: i64,
}

/// The priorities the organisation may give a delivery.
const PRIORITIES: std::ops::RangeInclusive<i64> = -1000..=1000;

async fn prioritise_delivery(
    scoped: Scoped,
    Path(id): Path<String>,
    Json(body): Json<Priority>,
) -> ApiResult<Json<crate::jobs::Job>> {
    let not_found = || Problem::not_found(format!("Delivery {id}"));
    if !PRIORITIES.contains(&body.priority) {
        return Err(Problem::bad_request(format!(
            "A priority is from {} to {}, not {}",
            PRIORITIES.start(),
            PRIORITIES.end(),
            body.priority
        )));
    }
    let (job, allowed) = scoped.delivery(&id, Action::PrioritiseReviews).await?;
    let jobs = scoped.state().jobs();
    match jobs.set_priority(&id, body.priority).await.map_err(db)? {
        crate::jobs::WhileQueued::Changed => {
            scoped
                .register_for(&allowed)
                .ledger_append(
                    "delivery.prioritised",
                    &job.engagement,
                    &serde_json::json!({"delivery": id, "from": job.priority, "to": body.priority}),
                )
                .await?;
            let job = jobs.job(&id).await.map_err(db)?.ok_or_else(not_found)?;
            Ok(Json(job))
        }
        crate::jobs::WhileQueued::Not(status) => Err(Problem::conflict(format!(
            "Delivery {id} is {}; only a delivery whose review has not started can be reprioritised",
            status.as_str()
        ))),
        crate::jobs::WhileQueued::NotFound => Err(not_found()),
    }
}

async fn delivery(scoped: Scoped, Path(id): Path<String>) -> ApiResult<Json<DeliveryView>> {
    let (job, allowed) = scoped.delivery(&id, Action::ReadDeliveries).await?;
    let reads_waivers = scoped.may_on(Action::ReadWaivers, &allowed.engagement);
    let reasons = match &job.review {
        Some(review) => {
            let decided = scoped.decided_in(&allowed, review).await?;
            let document = oversight_app::record::decision_document(review, &decided.1.document)?;
            Some(
                document
                    .reasons
                    .into_iter()
                    .map(|r| visible_reason(r, reads_waivers))
                    .collect(),
            )
        }
        None => None,
    };
    Ok(Json(DeliveryView { job, reasons }))
}

/// A decision's reason as a viewer may read it: a waived finding's reason
/// names the waiver, its approver and its rationale, which are the
/// organisation's; without the right to read waivers it says only that
/// the organisation waived the finding.
pub(crate) fn visible_reason(
    mut reason: oversight_app::record::ReasonRecord,
    reads_waivers: bool,
) -> oversight_app::record::ReasonRecord {
    if reason.kind == "waived-finding" && !reads_waivers {
        let what = reason
            .message
            .split(": waived by")
            .next()
            .unwrap_or_default();
        reason.message = format!("{what}: waived by the organisation");
    }
    reason
}

#[derive(Debug, Serialize)]
struct FindingView {
    fingerprint: String,
    rule: String,
    category: String,
    severity: String,
    path: String,
    line: Option<i64>,
    message: String,
    disposition: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<String>,
}

async fn findings(
    scoped: Scoped,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<FindingView>>> {
    let (job, allowed) = scoped.delivery(&id, Action::ReadDeliveries).await?;
    let Some(review) = &job.review else {
        return Err(Problem::conflict(format!(
            "Delivery {id} is {}; it has no findings yet",
            job.status.as_str()
        )));
    };
    let (offset, limit) = page.bounds()?;
    let (findings, total) = scoped.findings_in(&allowed, review, offset, limit).await?;
    let internal = scoped.may_on(Action::ReadInternal, &allowed.engagement);
    let items = findings
        .into_iter()
        .map(|f| FindingView {
            fingerprint: f.fingerprint,
            rule: f.rule,
            category: f.category,
            severity: f.severity,
            path: f.path,
            line: f.line,
            message: f.message,
            disposition: f.disposition,
            waiver: if internal { f.waiver_id } else { None },
        })
        .collect();
    Ok(Json(Paged {
        items,
        total: Some(usize::try_from(total).unwrap_or(0)),
    }))
}

async fn waiver_requests(
    scoped: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<crate::requests::WaiverRequest>>> {
    scoped.engagement(&id, Action::ReadWaivers).await?;
    Ok(Json(
        scoped
            .state()
            .requests()
            .of_engagement(&id)
            .await
            .map_err(db)?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWaiverRequest {
    fingerprint: String,
    reason: String,
    expires: jiff::civil::Date,
}

async fn request_waiver(
    scoped: Scoped,
    Path(id): Path<String>,
    Json(body): Json<NewWaiverRequest>,
) -> ApiResult<(StatusCode, Json<crate::requests::WaiverRequest>)> {
    let allowed = scoped.engagement(&id, Action::RequestWaiver).await?;
    let request = crate::requests::ask(
        &scoped,
        &allowed,
        &body.fingerprint,
        &body.reason,
        body.expires,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(request)))
}

async fn approve_waiver(
    scoped: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let waiver = crate::requests::approve(&scoped, &id).await?;
    Ok(Json(
        serde_json::json!({"waiver": waiver.id, "approver": waiver.approver, "requester": waiver.requester}),
    ))
}

async fn deny_waiver(scoped: Scoped, Path(id): Path<String>) -> ApiResult<StatusCode> {
    crate::requests::deny(&scoped, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn status(scoped: Scoped) -> ApiResult<Json<serde_json::Value>> {
    let register = scoped.organisation(Action::ReadStatus)?;
    let report = register.status(jiff::Zoned::now().date()).await?;
    Ok(Json(
        serde_json::to_value(oversight_app::status::StatusDocument::of(&report))
            .map_err(|e| Problem::internal(&e))?,
    ))
}

async fn verify_ledger(scoped: Scoped) -> ApiResult<Json<serde_json::Value>> {
    let register = scoped.organisation(Action::VerifyLedger)?;
    let report = register.ledger_verify().await?;
    Ok(Json(serde_json::json!({
        "intact": true,
        "events": report.events,
        "key_fingerprint": report.key_fingerprint,
        "public_key": register.public_key().to_string(),
    })))
}

#[derive(Debug, Serialize)]
struct EvidenceView {
    id: String,
    kind: String,
    name: String,
    sha256: String,
    size: i64,
    expires: Option<String>,
    added_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    added_by: Option<String>,
}

async fn evidence_documents(
    scoped: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<EvidenceView>>> {
    let allowed = scoped.engagement(&id, Action::ReadEvidence).await?;
    let internal = scoped.may_on(Action::ReadInternal, &allowed.engagement);
    let records = scoped
        .register_for(&allowed)
        .evidence_documents(Some(&id))
        .await?;
    Ok(Json(
        records
            .into_iter()
            .map(|e| EvidenceView {
                id: e.id,
                kind: e.kind,
                name: e.name,
                sha256: e.sha256,
                size: e.size,
                expires: e.expires,
                added_at: e.added_at,
                added_by: internal.then_some(e.added_by),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEvidence {
    kind: String,
    name: String,
    #[serde(default)]
    expires: Option<jiff::civil::Date>,
}

async fn add_evidence(
    scoped: Scoped,
    Path(id): Path<String>,
    Query(query): Query<NewEvidence>,
    body: Body,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let allowed = scoped.engagement(&id, Action::AddEvidence).await?;
    let record = store_evidence(
        &scoped,
        &allowed,
        &query.kind,
        &query.name,
        query.expires,
        body.into_data_stream(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": record.id, "sha256": record.sha256, "size": record.size})),
    ))
}

/// Keeps evidence document `name` (only its last path segment is kept) of
/// kind `kind` for engagement `allowed`, streamed from `body` within the
/// upload limit: the API's and the page's use case.
pub(crate) async fn store_evidence<S, E>(
    scoped: &Scoped,
    allowed: &crate::scoped::Allowed,
    kind: &str,
    name: &str,
    expires: Option<jiff::civil::Date>,
    body: S,
) -> ApiResult<oversight_store::EvidenceRecord>
where
    S: futures::Stream<Item = Result<axum::body::Bytes, E>>,
    E: std::fmt::Display,
{
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if name.is_empty() || name == "." || name == ".." {
        return Err(Problem::bad_request(
            "An evidence document needs a file name (`name`)",
        ));
    }
    if kind.trim().is_empty() {
        return Err(Problem::bad_request(
            "An evidence document needs a kind (`kind`, e.g. pentest-report)",
        ));
    }
    let state = scoped.state();
    let dir = state.staging().join(oversight_access::secret::id("evd"));
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let path = dir.join("document");
    let result = async {
        let (bytes, _) = stream_to(Some(&path), body, state.config().max_upload_bytes).await?;
        if bytes == 0 {
            return Err(Problem::bad_request("The evidence document is empty"));
        }
        let record = oversight_app::evidence::add_document(
            scoped.register_for(allowed),
            state.evidence(),
            &oversight_app::evidence::DocumentRequest {
                engagement: allowed.engagement.id.as_str(),
                kind: kind.trim(),
                name: &name,
                file: &path,
                expires,
            },
        )
        .await?;
        Ok(record)
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    result
}

async fn waivers(
    scoped: Scoped,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<oversight_app::pack::PackWaiver>>> {
    let allowed = scoped.engagement(&id, Action::ReadWaivers).await?;
    let register = scoped.register_for(&allowed);
    let revocations = register.waiver_revocations(&id).await?;
    let views = register
        .waivers(&id)
        .await?
        .iter()
        .map(|w| oversight_app::pack::PackWaiver::of(w, &revocations))
        .collect();
    Ok(Json(page.slice(views)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Revocation {
    reason: String,
}

async fn revoke_waiver(
    scoped: Scoped,
    Path((id, waiver)): Path<(String, String)>,
    Json(body): Json<Revocation>,
) -> ApiResult<Json<oversight_app::pack::PackRevocation>> {
    let allowed = scoped.engagement(&id, Action::ApproveWaiver).await?;
    let register = scoped.register_for(&allowed);
    if !register.waivers(&id).await?.iter().any(|w| w.id == waiver) {
        return Err(Problem::not_found(format!("Waiver `{waiver}`")));
    }
    let revoked = register.revoke_waiver(&id, &waiver, &body.reason).await?;
    Ok(Json(oversight_app::pack::PackRevocation::of(&revoked)))
}

async fn export(scoped: Scoped, Path(id): Path<String>) -> ApiResult<Response> {
    export_pack(&scoped, &id).await
}

/// The evidence pack of engagement `id` as a zip download, for the API and
/// the pages alike.
pub(crate) async fn export_pack(scoped: &Scoped, id: &str) -> ApiResult<Response> {
    let allowed = scoped.engagement(id, Action::Export).await?;
    // The pack holds the whole signed ledger, every engagement's events:
    // only an auditor of the whole organisation may take it.
    scoped.organisation(Action::Export)?;
    let state = scoped.state();
    let dir = state.staging().join(oversight_access::secret::id("exp"));
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let path = dir.join("pack.zip");
    let result = async {
        let file = std::fs::File::create(&path).map_err(|e| Problem::internal(&e))?;
        let mut sink = oversight_app::pack::ZipSink::new(std::io::BufWriter::new(file), "pack.zip");
        let engagement = allowed.engagement.id.clone();
        let evidence = oversight_evidence::EvidenceStore::open(state.evidence())
            .map_err(|e| Problem::internal(&e))?;
        let exported = oversight_app::export::export(
            scoped.register_for(&allowed),
            &evidence,
            &engagement,
            &mut sink,
        )
        .await?;
        sink.finish()?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| Problem::internal(&e))?;
        Ok::<_, Problem>((exported, file))
    }
    .await;
    // The open file stays readable after its directory entry is gone.
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let (exported, file) = result?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"oversight-{id}.zip\""),
            ),
            (
                header::HeaderName::from_static("x-oversight-verified"),
                exported.verified().to_string(),
            ),
        ],
        body,
    )
        .into_response())
}

const OIDC_PENDING: &str = "oidc.pending";

fn oidc(state: &AppState) -> ApiResult<&crate::oidc::Oidc> {
    state
        .oidc()
        .ok_or_else(|| Problem::not_found("Single sign-on (not configured)"))
}

async fn oidc_login(State(state): State<AppState>, session: Session) -> ApiResult<Response> {
    let provider = oidc(&state)?;
    let (url, pending) = provider.begin().await.map_err(|e| {
        tracing::error!(error = %e, "single sign-on cannot start");
        Problem::new(StatusCode::BAD_GATEWAY, e.to_string())
    })?;
    session
        .insert(OIDC_PENDING, &pending)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response())
}

#[derive(Debug, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    #[allow(dead_code)]
    iss: Option<String>,
    #[allow(dead_code)]
    session_state: Option<String>,
}

async fn oidc_callback(
    State(state): State<AppState>,
    session: Session,
    Query(callback): Query<Callback>,
) -> ApiResult<Response> {
    let provider = oidc(&state)?;
    let log =
        |kind: &str, status: u16, actor: &str, detail: String| oversight_access::AccessEvent {
            at: jiff::Timestamp::now().to_string(),
            actor: actor.to_owned(),
            kind: kind.to_owned(),
            method: "GET".to_owned(),
            path: "/api/v1/oidc/callback".to_owned(),
            status: i64::from(status),
            token_id: None,
            detail,
        };
    // One use: whatever happens next, this login attempt is spent.
    let pending: Option<crate::oidc::Pending> = session
        .remove(OIDC_PENDING)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let refuse = |detail: String| {
        let state = state.clone();
        async move {
            let _ = state
                .access()
                .log(&log(
                    "login-failed",
                    401,
                    "anonymous",
                    format!("sso: {detail}"),
                ))
                .await;
            Problem::new(
                StatusCode::UNAUTHORIZED,
                format!("Single sign-on failed: {detail}"),
            )
        }
    };
    if let Some(error) = callback.error {
        let detail = match callback.error_description {
            Some(d) => format!("the provider says {error}: {d}"),
            None => format!("the provider says {error}"),
        };
        return Err(refuse(detail).await);
    }
    let (Some(pending), Some(code), Some(returned)) = (pending, callback.code, callback.state)
    else {
        return Err(refuse("no login of this session is waiting for this answer".into()).await);
    };
    let identity = match provider.finish(pending, &code, &returned).await {
        Ok(identity) => identity,
        Err(e) => return Err(refuse(e.to_string()).await),
    };
    let user = match state
        .access()
        .sso_user(&identity.issuer, &identity.subject, &identity.name)
        .await
    {
        Ok(user) => user,
        Err(oversight_access::AccessError::NotFound(_)) => {
            let _ = state
                .access()
                .log(&log(
                    "login-failed",
                    403,
                    &identity.name,
                    "sso: no such account".into(),
                ))
                .await;
            return Err(Problem::forbidden(format!(
                "`{}` has no Oversight account; an admin must invite it first",
                identity.name
            )));
        }
        Err(oversight_access::AccessError::BadCredentials) => {
            return Err(refuse(format!(
                "the account `{}` is bound to another identity of this provider",
                identity.name
            ))
            .await);
        }
        Err(e) => return Err(e.into()),
    };
    session
        .cycle_id()
        .await
        .map_err(|e| Problem::internal(&e))?;
    session
        .insert(SESSION_USER, &user.id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let _ = state
        .access()
        .log(&log("login", 200, &user.name, "sso".into()))
        .await;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/api/v1/me".to_owned())],
    )
        .into_response())
}
