//! The web pages: a thin adapter, like [`crate::routes`], from HTTP to the
//! typed calls of [`Scoped`] and the application layer, rendering the view
//! models of `oversight-web`. Every page is a route of the one route table
//! with its guard, so the authorisation matrix covers it; what a page shows
//! is decided here through the same scope check as the API (a field the
//! viewer may not see is never filled).
//!
//! Forms: a change made with the session cookie must come from this
//! server's origin (`crate::auth`), and must carry the session's form token
//! (`csrf`), compared in constant time. An API token needs neither.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use oversight_access::{Action, Resource};
use oversight_web::views::{
    Acknowledgement, CategoryGroup, Cell, Chrome, DashboardPage, DeliveryPage, DeliveryRow,
    DiffKind, DiffView, DueRow, EngagementPage, EngagementRow, EngagementsPage, ErrorPage,
    EvidenceRow, FilterOption, FindingRow, LedgerPage, LedgerRow, LoginPage, Pager, ReasonRow,
    RequestRow, RequirementRow, SetupPage, StatusRow, VerificationView, WaiverFormError,
    WaiverLimits, WaiverNote, WaiverRow, WaiversPage,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::problem::Problem;
use crate::scoped::Scoped;
use crate::state::AppState;

/// A page's `?done=` after an action, for its notice.
#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

mod form;
pub(crate) mod terms;
pub(crate) mod tokens;
pub(crate) mod users;

/// The session key of the form token.
const SESSION_CSRF: &str = "csrf";

/// Findings on one page of a delivery.
const FINDINGS_PER_PAGE: usize = 100;

/// Engagements on one page of the list.
const ENGAGEMENTS_PER_PAGE: usize = 50;

/// An HTML answer with the pages' security headers.
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    for (name, value) in oversight_web::SECURITY_HEADERS {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// Renders `template` as page `name`.
fn page(
    status: StatusCode,
    name: &'static str,
    template: &impl oversight_web::Template,
) -> Response {
    match oversight_web::render(name, template) {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "a page cannot be rendered");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "<!doctype html><title>Error</title><p>{name}: the page cannot be shown; the server log says why.</p>"
                ),
            )
        }
    }
}

/// The error page of `problem`.
fn problem_page(mut chrome: Chrome, problem: &Problem) -> Response {
    chrome.title = problem.title.clone();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    page(
        status,
        "error",
        &ErrorPage {
            chrome,
            status: problem.status,
            detail: problem.detail.clone(),
        },
    )
}

/// Who looks at a page, and the page's chrome.
struct Viewer {
    scoped: Scoped,
    chrome: Chrome,
}

impl Viewer {
    /// The viewer of a page titled `title`, or the answer for one who is
    /// not signed in (the login form, at the same address) or cannot be.
    async fn of(
        scoped: Result<Scoped, Problem>,
        session: &Session,
        uri: &Uri,
        state: &AppState,
        title: &str,
    ) -> Result<Viewer, Response> {
        let scoped = match scoped {
            Ok(scoped) => scoped,
            Err(problem) if problem.status == 401 => {
                let next = uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/".to_owned());
                return Err(login(
                    state,
                    StatusCode::UNAUTHORIZED,
                    next,
                    String::new(),
                    None,
                ));
            }
            Err(problem) => return Err(problem_page(Chrome::default(), &problem)),
        };
        let csrf = csrf_token(&scoped, session).await;
        let chrome = Chrome {
            user: Some(scoped.principal().name.clone()),
            csrf,
            dashboard: scoped
                .principal()
                .may(Action::ReadStatus, &Resource::Organisation),
            waivers: scoped
                .principal()
                .grants
                .iter()
                .any(|g| g.role.permits(Action::ReadWaivers)),
            ledger: scoped
                .principal()
                .may(Action::VerifyLedger, &Resource::Organisation),
            users: scoped
                .principal()
                .may(Action::ManageUsers, &Resource::Organisation),
            title: title.to_owned(),
        };
        Ok(Viewer { scoped, chrome })
    }

    fn problem(&self, problem: &Problem) -> Response {
        problem_page(self.chrome.clone(), problem)
    }
}

/// The session's form token, made on first use. Empty for an API token:
/// it needs none.
async fn csrf_token(scoped: &Scoped, session: &Session) -> String {
    if scoped.principal().token.is_some() {
        return String::new();
    }
    if let Ok(Some(token)) = session.get::<String>(SESSION_CSRF).await {
        return token;
    }
    let token = oversight_access::secret::token();
    if let Err(e) = session.insert(SESSION_CSRF, &token).await {
        tracing::error!(error = %e, "cannot keep a form token in the session");
    }
    token
}

/// Checks the form token `sent` against the session's.
async fn check_csrf(scoped: &Scoped, session: &Session, sent: Option<&str>) -> Result<(), Problem> {
    if scoped.principal().token.is_some() {
        return Ok(());
    }
    let expected: Option<String> = session.get(SESSION_CSRF).await.ok().flatten();
    match (expected, sent) {
        (Some(expected), Some(sent)) if oversight_access::secret::equal(&expected, sent) => Ok(()),
        _ => Err(Problem::forbidden(
            "The form's token does not match this session (the page is stale, or the form came from another site): reload the page and submit it again",
        )),
    }
}

/// A local path to go to after logging in; anything else is the start page.
fn local_path(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/login")
        && !next.starts_with("/logout")
    {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// `GET /static/{file}`: an embedded asset.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    match oversight_web::assets::get(&file) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            asset.bytes,
        )
            .into_response(),
        None => Problem::not_found(format!("Asset `{file}`")).into_response(),
    }
}

fn login(
    state: &AppState,
    status: StatusCode,
    next: String,
    name: String,
    error: Option<String>,
) -> Response {
    page(
        status,
        "login",
        &LoginPage {
            chrome: Chrome {
                title: "Log in".to_owned(),
                ..Chrome::default()
            },
            next,
            name,
            error,
            sso: state.oidc().is_some(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// `GET /login`.
pub(crate) async fn login_page(State(state): State<AppState>, Query(q): Query<Next>) -> Response {
    let next = local_path(q.next.as_deref().unwrap_or("/"));
    login(&state, StatusCode::OK, next, String::new(), None)
}

/// `GET /setup`: where a one-time setup link leads (its code follows `#`,
/// so it never reaches the server until the form is sent).
pub(crate) async fn setup_page() -> Response {
    setup(StatusCode::OK, None, None)
}

fn setup(status: StatusCode, error: Option<String>, done: Option<String>) -> Response {
    page(
        status,
        "setup",
        &SetupPage {
            chrome: Chrome {
                title: "Set your password".to_owned(),
                ..Chrome::default()
            },
            error,
            done,
        },
    )
}

/// The refusal of a form posted by a browser from another site, for the
/// forms sent before a session exists (login, setup: their CSRF defence).
fn cross_site(headers: &HeaderMap, state: &AppState, form: &str) -> Option<Response> {
    let browser_says =
        headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site");
    (browser_says && !crate::auth::same_origin(headers, state)).then(|| {
        problem_page(
            Chrome::default(),
            &Problem::forbidden(format!(
                "A {form} form must be posted from this server's own pages"
            )),
        )
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct SetupForm {
    link: String,
    password: String,
    confirm: String,
}

/// `POST /setup`: the password, twice, and the link's code. A browser's
/// cross-site post is refused, as for the login form.
pub(crate) async fn setup_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<axum::Form<SetupForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    if let Some(refused) = cross_site(&headers, &state, "setup") {
        return refused;
    }
    let axum::Form(form) = match form {
        Ok(form) => form,
        Err(e) => {
            return setup(
                e.status(),
                Some(format!("The setup form cannot be read: {e}")),
                None,
            );
        }
    };
    if form.password != form.confirm {
        return setup(
            StatusCode::BAD_REQUEST,
            Some("The two passwords differ; type the same one twice".to_owned()),
            None,
        );
    }
    match crate::routes::redeem_setup_link(&state, form.link.trim(), &form.password).await {
        Ok(user) => setup(StatusCode::OK, None, Some(user.name)),
        Err(p) => setup(
            StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
            Some(p.detail),
            None,
        ),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login`: the password form. A browser's cross-site post is
/// refused (login CSRF); the login limits are the API's.
pub(crate) async fn login_form(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    peer: crate::routes::Peer,
    form: Result<axum::Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    if let Some(refused) = cross_site(&headers, &state, "login") {
        return refused;
    }
    let axum::Form(form) = match form {
        Ok(form) => form,
        Err(e) => {
            return problem_page(
                Chrome::default(),
                &Problem::bad_request(format!("The login form cannot be read: {e}")),
            );
        }
    };
    let next = local_path(form.next.as_deref().unwrap_or("/"));
    match crate::routes::password_login(
        &state,
        &session,
        &headers,
        peer,
        &form.name,
        &form.password,
    )
    .await
    {
        Ok(_) => {
            if let Err(e) = session
                .insert(SESSION_CSRF, oversight_access::secret::token())
                .await
            {
                return problem_page(Chrome::default(), &Problem::internal(&e));
            }
            see_other(&next)
        }
        Err(problem) => login(
            &state,
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNAUTHORIZED),
            next,
            form.name,
            Some(problem.detail),
        ),
    }
}

/// `POST /logout`.
pub(crate) async fn logout_form(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        return problem_page(Chrome::default(), &Problem::internal(&e));
    }
    see_other("/login")
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

fn page_number(page: Option<&str>) -> usize {
    page.and_then(|p| p.parse::<usize>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1)
}

fn pager(page: usize, total: usize, per_page: usize, link: impl Fn(usize) -> String) -> Pager {
    let pages = total.div_ceil(per_page).max(1);
    Pager {
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    }
}

fn delivery_row(job: &crate::jobs::Job) -> DeliveryRow {
    DeliveryRow {
        id: job.id.clone(),
        engagement: job.engagement.clone(),
        file_name: job.file_name.clone(),
        submitter: job.submitter.clone(),
        status: job.status.as_str().to_owned(),
        outcome: job.outcome.clone(),
        at: job.updated_at.clone(),
    }
}

fn engagement_row(e: &oversight_register::Engagement) -> EngagementRow {
    EngagementRow {
        id: e.id.as_str().to_owned(),
        system: e.system.clone(),
        supplier: e.supplier.as_str().to_owned(),
        status: e.status.as_str().to_owned(),
    }
}

/// `GET /`: the dashboard for those who read the organisation's status,
/// the engagements in scope for everyone else.
pub(crate) async fn home(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Dashboard").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    if !viewer.chrome.dashboard {
        return engagement_list(viewer, 1).await;
    }
    match dashboard(&viewer).await {
        Ok(body) => page(StatusCode::OK, "dashboard", &body),
        Err(p) => viewer.problem(&p),
    }
}

async fn dashboard(viewer: &Viewer) -> Result<DashboardPage, Problem> {
    let register = viewer.scoped.organisation(Action::ReadStatus)?;
    let report = register.status(jiff::Zoned::now().date()).await?;
    let document = oversight_app::status::StatusDocument::of(&report);
    let factors: Vec<String> = document
        .engagements
        .first()
        .map(|e| e.factors.iter().map(|f| f.factor.clone()).collect())
        .unwrap_or_default();
    let mut recent = Vec::new();
    for row in &document.engagements {
        let jobs = viewer
            .scoped
            .state()
            .jobs()
            .of_engagement(&row.id, 0, 10)
            .await
            .map_err(|e| Problem::internal(&e))?;
        recent.extend(
            jobs.iter()
                .filter(|j| j.outcome.is_some())
                .map(delivery_row),
        );
    }
    recent.sort_by(|a, b| b.at.cmp(&a.at));
    recent.truncate(10);
    let ids: Vec<String> = document.engagements.iter().map(|e| e.id.clone()).collect();
    let reads_waivers = viewer
        .scoped
        .principal()
        .may(Action::ReadWaivers, &Resource::Organisation);
    let trends =
        oversight_app::trends::Trends::of(register, &ids, jiff::Zoned::now().date(), reads_waivers)
            .await?;
    Ok(DashboardPage {
        trends: oversight_web::views::Trends {
            charts: trends.charts("org", true),
        },
        chrome: viewer.chrome.clone(),
        today: document.today.clone(),
        rows: document
            .engagements
            .iter()
            .map(|e| StatusRow {
                id: e.id.clone(),
                supplier: e.supplier.clone(),
                status: e.status.clone(),
                last_outcome: e.last_outcome.clone(),
                cells: factors
                    .iter()
                    .map(|name| match e.factors.iter().find(|f| &f.factor == name) {
                        Some(f) => Cell {
                            state: f.state.clone(),
                            note: f.note.clone(),
                        },
                        None => Cell {
                            state: "not agreed".to_owned(),
                            note: String::new(),
                        },
                    })
                    .collect(),
            })
            .collect(),
        factors,
        due: document
            .due
            .iter()
            .map(|d| DueRow {
                engagement: d.engagement.clone(),
                what: d.what.clone(),
                date: d.date.clone(),
                overdue: d.overdue,
            })
            .collect(),
        recent,
    })
}

/// `GET /engagements`: the engagements in the caller's scope (for a
/// supplier, its portal).
pub(crate) async fn engagements(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Engagements").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    engagement_list(viewer, page_number(q.page.as_deref())).await
}

async fn engagement_list(mut viewer: Viewer, page_no: usize) -> Response {
    viewer.chrome.title = "Engagements".to_owned();
    let offset = (page_no - 1) * ENGAGEMENTS_PER_PAGE;
    match viewer
        .scoped
        .engagements(Action::ReadTerms, offset, ENGAGEMENTS_PER_PAGE)
        .await
    {
        Ok((list, total)) => page(
            StatusCode::OK,
            "engagements",
            &EngagementsPage {
                chrome: viewer.chrome.clone(),
                engagements: list.iter().map(|e| engagement_row(e)).collect(),
                total,
                pager: pager(page_no, total, ENGAGEMENTS_PER_PAGE, |p| {
                    format!("/engagements?page={p}")
                }),
            },
        ),
        Err(p) => viewer.problem(&p),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EngagementQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /engagements/{id}`.
pub(crate) async fn engagement(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<EngagementQuery>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, &format!("Engagement {id}")).await
    {
        Ok(v) => v,
        Err(response) => return response,
    };
    match engagement_page(&viewer, &id, q.done.as_deref()).await {
        Ok(body) => page(StatusCode::OK, "engagement", &body),
        Err(p) => viewer.problem(&p),
    }
}

async fn engagement_page(
    viewer: &Viewer,
    id: &str,
    done: Option<&str>,
) -> Result<EngagementPage, Problem> {
    let scoped = &viewer.scoped;
    let allowed = scoped.engagement(id, Action::ReadTerms).await?;
    let register = scoped.register_for(&allowed);
    let e = &allowed.engagement;
    let terms_toml = oversight_register::format::render_engagement(e);
    let terms_sha256 = oversight_app::review::sha256_hex(terms_toml.as_bytes());
    let requirements = e
        .terms
        .security
        .as_ref()
        .map(|s| {
            s.requirements
                .iter()
                .map(|r| {
                    let known = register.catalogue().get(&r.id);
                    RequirementRow {
                        id: r.id.clone(),
                        title: known.map(|k| k.title.clone()).unwrap_or_default(),
                        factor: known
                            .map(|k| k.factor.as_str().to_owned())
                            .unwrap_or_default(),
                        verification: r.verification.as_str().to_owned(),
                        text: known.map(|k| k.text.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut acknowledgements: Vec<Acknowledgement> = register
        .ledger_events()
        .await?
        .into_iter()
        .filter(|s| s.event.kind == "terms.acknowledged" && s.event.subject == id)
        .map(|s| {
            let digest = serde_json::from_str::<serde_json::Value>(&s.event.payload)
                .ok()
                .and_then(|p| p["terms_sha256"].as_str().map(str::to_owned))
                .unwrap_or_default();
            Acknowledgement {
                actor: s.event.actor.clone(),
                at: s.event.timestamp.clone(),
                current: digest == terms_sha256,
                terms_sha256: digest,
            }
        })
        .collect();
    acknowledgements.reverse();
    let recent = scoped
        .state()
        .jobs()
        .of_engagement(id, 0, 20)
        .await
        .map_err(|e| Problem::internal(&e))?
        .iter()
        .map(delivery_row)
        .collect();
    let trends = if scoped.may_on(Action::ReadDeliveries, e) {
        oversight_web::views::Trends {
            charts: oversight_app::trends::Trends::of(
                register,
                std::slice::from_ref(&e.id.as_str().to_owned()),
                jiff::Zoned::now().date(),
                scoped.may_on(Action::ReadWaivers, e),
            )
            .await?
            .charts("engagement", false),
        }
    } else {
        oversight_web::views::Trends::default()
    };
    Ok(EngagementPage {
        chrome: viewer.chrome.clone(),
        engagement: engagement_row(e),
        owner: scoped
            .may_on(Action::ReadInternal, e)
            .then(|| e.owner.clone()),
        start: e.start.map(|d| d.to_string()),
        end: e.end.map(|d| d.to_string()),
        policy_sha256: e
            .terms
            .acceptance
            .as_ref()
            .and_then(|a| a.agreed.as_ref())
            .map(|a| a.sha256.clone()),
        requirements,
        terms_toml,
        terms_sha256,
        acknowledgements,
        may_acknowledge: scoped.may_on(Action::AcknowledgeTerms, e),
        may_submit: scoped.may_on(Action::SubmitDelivery, e),
        refuses: e.refuses_deliveries(jiff::Zoned::now().date()),
        recent,
        trends,
        may_export: scoped.may_on(Action::Export, e)
            && scoped
                .principal()
                .may(Action::Export, &Resource::Organisation),
        may_edit: scoped.may_on(Action::ManageTerms, e),
        may_add_evidence: scoped.may_on(Action::AddEvidence, e),
        evidence: if scoped.may_on(Action::ReadEvidence, e) {
            Some(
                scoped
                    .register_for(&allowed)
                    .evidence_documents(Some(e.id.as_str()))
                    .await?
                    .into_iter()
                    .map(|d| EvidenceRow {
                        kind: d.kind,
                        name: d.name,
                        sha256: d.sha256,
                        size: d.size,
                        expires: d.expires,
                        added_at: d.added_at,
                    })
                    .collect(),
            )
        } else {
            None
        },
        notice: match done {
            Some("acknowledged") => {
                Some("Your acknowledgement of the terms is recorded in the ledger.".to_owned())
            }
            Some("evidence") => Some(
                "The evidence document is kept, with its SHA-256, and recorded in the ledger."
                    .to_owned(),
            ),
            Some("terms") => Some(
                "The terms are changed and the change is recorded in the ledger; the supplier is asked to acknowledge them."
                    .to_owned(),
            ),
            _ => None,
        },
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct AcknowledgeForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    terms_sha256: Option<String>,
}

/// `POST /engagements/{id}/acknowledge`: the scope is checked before the
/// form is read.
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Acknowledge").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        let allowed = viewer.scoped.engagement(&id, Action::AcknowledgeTerms).await?;
        let axum::Form(form) = axum::Form::<AcknowledgeForm>::from_request(request, &())
            .await
            .map_err(|e| {
                Problem::new(e.status(), format!("The acknowledgement form cannot be read: {e}"))
            })?;
        check_csrf(&viewer.scoped, &session, form.csrf.as_deref()).await?;
        let current = oversight_app::review::sha256_hex(
            oversight_register::format::render_engagement(&allowed.engagement).as_bytes(),
        );
        if let Some(seen) = &form.terms_sha256
            && *seen != current
        {
            return Err(Problem::conflict(format!(
                "The terms of engagement `{id}` changed after the page was loaded; read them again before acknowledging"
            )));
        }
        let note = form.note.filter(|n| !n.trim().is_empty());
        crate::routes::acknowledge_terms(&viewer.scoped, &allowed, note).await
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/engagements/{}?done=acknowledged", encode(&id))),
        Err(p) => viewer.problem(&p),
    }
}

/// The archive kind of an uploaded file, by its name.
fn archive_kind(file_name: &str) -> Option<&'static str> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".zip") {
        Some("zip")
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some("tar.gz")
    } else if lower.ends_with(".tar") {
        Some("tar")
    } else {
        None
    }
}

/// `POST /engagements/{id}/deliveries`: a plain multipart form (`csrf`,
/// then the file `delivery`), streamed to the staging area like the API's
/// upload; the scope is checked before the body is read.
pub(crate) async fn submit(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Submit a delivery").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        let allowed = viewer.scoped.engagement(&id, Action::SubmitDelivery).await?;
        let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
            Problem::new(e.status(), format!("The delivery form cannot be read: {e}"))
        })?;
        let unreadable =
            |e: axum::extract::multipart::MultipartError| {
                Problem::new(e.status(), format!("The delivery form cannot be read: {e}"))
            };
        let mut csrf: Option<String> = None;
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            match field.name() {
                Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
                Some("delivery") => {
                    // The token comes before the file: nothing is staged for
                    // a form from another site.
                    check_csrf(&viewer.scoped, &session, csrf.as_deref()).await?;
                    let file_name = field.file_name().unwrap_or_default().to_owned();
                    let Some(kind) = archive_kind(&file_name) else {
                        return Err(Problem::new(
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            format!(
                                "`{file_name}` is not a delivery archive: upload a .zip, .tar or .tar.gz file"
                            ),
                        ));
                    };
                    return crate::routes::accept_delivery(&viewer.scoped, &allowed, kind, None, field)
                        .await;
                }
                _ => {}
            }
        }
        Err(Problem::bad_request(
            "The delivery form holds no file (`delivery`)",
        ))
    }
    .await;
    match result {
        Ok(job) => see_other(&format!("/deliveries/{}", encode(&job.id))),
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /engagements/{id}/evidence`: an evidence document (a report, an
/// attestation) from a multipart form: `csrf`, `kind`, `expires` (a date,
/// optional), then the `document` itself, streamed to the store.
pub(crate) async fn add_evidence(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Add evidence").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        let allowed = viewer.scoped.engagement(&id, Action::AddEvidence).await?;
        let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
            Problem::new(e.status(), format!("The evidence form cannot be read: {e}"))
        })?;
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            Problem::new(e.status(), format!("The evidence form cannot be read: {e}"))
        };
        let (mut csrf, mut kind, mut expires) = (None::<String>, String::new(), None);
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            match field.name() {
                Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
                Some("kind") => kind = field.text().await.map_err(unreadable)?,
                Some("expires") => {
                    let text = field.text().await.map_err(unreadable)?;
                    if !text.trim().is_empty() {
                        expires = Some(text.trim().parse::<jiff::civil::Date>().map_err(|_| {
                            Problem::bad_request(format!("`{text}` is not a date (YYYY-MM-DD)"))
                        })?);
                    }
                }
                Some("document") => {
                    // The token comes before the file: nothing is kept for
                    // a form from another site.
                    check_csrf(&viewer.scoped, &session, csrf.as_deref()).await?;
                    let name = field.file_name().unwrap_or_default().to_owned();
                    crate::routes::store_evidence(
                        &viewer.scoped,
                        &allowed,
                        &kind,
                        &name,
                        expires,
                        field,
                    )
                    .await?;
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(Problem::bad_request(
            "The evidence form holds no file (`document`)",
        ))
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/engagements/{}?done=evidence", encode(&id))),
        Err(p) => viewer.problem(&p),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct FindingsQuery {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    disposition: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// `GET /deliveries/{id}`: the review's status, the decision and its
/// reasons, and the findings by category, filtered and paginated here.
pub(crate) async fn delivery(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<FindingsQuery>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, &format!("Delivery {id}")).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match delivery_page(&viewer, &id, q).await {
        Ok(body) => page(StatusCode::OK, "delivery", &body),
        Err(p) => viewer.problem(&p),
    }
}

/// Entries listed per kind of change on the page.
const DIFF_LIMIT: usize = 50;

/// Review `review` against the engagement's last accepted delivery, for
/// the page; a comparison that cannot be made (a blob missing from the
/// store) is logged and left out rather than failing the page.
async fn since_accepted(
    scoped: &Scoped,
    allowed: &crate::scoped::Allowed,
    engagement: &str,
    review: &str,
) -> Option<DiffView> {
    let store = match scoped.state().jobs().evidence_store().await {
        Ok(store) => store,
        Err(e) => {
            tracing::warn!(review, error = %e, "cannot open the evidence store for the diff");
            return None;
        }
    };
    let register = scoped.register_for(allowed);
    let since = match oversight_app::diff::since_accepted(register, store, engagement, review).await
    {
        Ok(since) => since?,
        Err(e) => {
            tracing::warn!(review, error = %e, "cannot compare with the last accepted delivery");
            return None;
        }
    };
    let d = &since.diff;
    let versions: Vec<String> = d
        .versions
        .iter()
        .map(|(name, (before, after))| {
            format!("{name} {} → {}", before.join(", "), after.join(", "))
        })
        .collect();
    let kinds = [
        ("Files", &d.files, d.files_changed.clone()),
        ("Components", &d.components, versions),
        ("Licences", &d.licences, Vec::new()),
        ("Copyright holders", &d.holders, Vec::new()),
        ("Binaries", &d.binaries, Vec::new()),
        ("Findings", &d.findings, Vec::new()),
    ]
    .into_iter()
    .filter(|(_, change, changed)| {
        !(change.added.is_empty() && change.removed.is_empty() && changed.is_empty())
    })
    .map(|(name, change, changed)| {
        let cut = |list: &[String]| list.iter().take(DIFF_LIMIT).cloned().collect::<Vec<_>>();
        let more = [change.added.len(), change.removed.len(), changed.len()]
            .iter()
            .map(|n| n.saturating_sub(DIFF_LIMIT))
            .sum();
        DiffKind {
            name: name.to_owned(),
            added: cut(&change.added),
            removed: cut(&change.removed),
            changed: cut(&changed),
            more,
        }
    })
    .collect();
    Some(DiffView {
        accepted: since.accepted,
        accepted_at: since.accepted_at,
        kinds,
        sensitive: since
            .sensitive
            .iter()
            .map(|c| format!("{} ({})", c.path, c.what))
            .collect(),
    })
}

fn options(values: impl Iterator<Item = String>, selected: Option<&str>) -> Vec<FilterOption> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(value, count)| FilterOption {
            selected: selected == Some(value.as_str()),
            value,
            count,
        })
        .collect()
}

async fn delivery_page(
    viewer: &Viewer,
    id: &str,
    q: FindingsQuery,
) -> Result<DeliveryPage, Problem> {
    let scoped = &viewer.scoped;
    let (job, allowed) = scoped.delivery(id, Action::ReadDeliveries).await?;
    let pending = !job.status.is_final();
    let mut body = DeliveryPage {
        chrome: viewer.chrome.clone(),
        delivery: delivery_row(&job),
        bytes: job.bytes,
        error: job.error.clone(),
        pending,
        reasons: Vec::new(),
        categories: Vec::new(),
        severities: Vec::new(),
        dispositions: Vec::new(),
        matching: 0,
        total: 0,
        groups: Vec::new(),
        pager: Pager::default(),
        waiver_limits: None,
        notice: match q.done.as_deref() {
            Some("requested") => Some(
                "Your waiver request is recorded; an approver decides it from the waiver queue."
                    .to_owned(),
            ),
            _ => None,
        },
        since_accepted: None,
    };
    let Some(review) = &job.review else {
        return Ok(body);
    };
    let (_, record) = scoped.review(review, Action::ReadDeliveries).await?;
    body.since_accepted = since_accepted(scoped, &allowed, &job.engagement, review).await;
    let document = oversight_app::record::decision_document(review, &record.decision.document)?;
    // The waiver's rationale (and who approved it) is the organisation's:
    // only those who read waivers see it, here and in the reasons.
    let reads_waivers = scoped.may_on(Action::ReadWaivers, &allowed.engagement);
    body.reasons = document
        .reasons
        .into_iter()
        .map(|r| crate::routes::visible_reason(r, reads_waivers))
        .map(|r| ReasonRow {
            blocks: r.blocks,
            kind: r.kind,
            message: r.message,
        })
        .collect();
    let internal = scoped.may_on(Action::ReadInternal, &allowed.engagement);
    let register = scoped.register_for(&allowed);
    let rationales: BTreeMap<String, String> = if reads_waivers {
        register
            .waivers(&job.engagement)
            .await?
            .into_iter()
            .map(|w| (w.id, w.reason))
            .collect()
    } else {
        BTreeMap::new()
    };
    // Waivers granted and requests made since the review, by fingerprint:
    // the organisation's, shown only to those who read waivers.
    let today = jiff::Zoned::now().date();
    let mut granted: BTreeMap<String, WaiverNote> = BTreeMap::new();
    let mut requested: BTreeMap<String, String> = BTreeMap::new();
    if reads_waivers {
        for w in register
            .waivers_in_force(&job.engagement, jiff::Timestamp::now())
            .await?
        {
            if w.expires
                .parse::<jiff::civil::Date>()
                .is_ok_and(|e| e >= today)
            {
                granted.insert(
                    w.fingerprint.clone(),
                    WaiverNote {
                        id: w.id,
                        expires: w.expires,
                        approver: w.approver,
                    },
                );
            }
        }
        for r in scoped
            .state()
            .requests()
            .of_engagement(&job.engagement)
            .await
            .map_err(|e| Problem::internal(&e))?
            .into_iter()
            .filter(|r| r.status == "pending")
        {
            requested.insert(
                r.fingerprint,
                format!("{} by {} until {}", r.id, r.requester, r.expires),
            );
        }
    }
    // Who may ask for a waiver sees the form, within the agreed policy's
    // limits (an unreadable policy offers none: the register would refuse).
    let policy = if scoped.may_on(Action::RequestWaiver, &allowed.engagement) {
        oversight_register::agreed_policy(&allowed.engagement).ok()
    } else {
        None
    };
    if let Some(policy) = &policy {
        let latest = policy.waivers().max_days.and_then(|days| {
            today
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .ok()
        });
        let proposed = today
            .checked_add(jiff::Span::new().days(30))
            .unwrap_or(today);
        let proposed = latest.map_or(proposed, |l| proposed.min(l));
        body.waiver_limits = Some(WaiverLimits {
            today: today.to_string(),
            proposed: proposed.to_string(),
            latest: latest.map(|l| l.to_string()),
            max_days: policy.waivers().max_days,
        });
    }
    let wanted = |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
    let (category, severity, disposition) = (
        wanted(&q.category),
        wanted(&q.severity),
        wanted(&q.disposition),
    );
    let findings = record.findings;
    body.total = findings.len();
    body.categories = options(
        findings.iter().map(|f| f.category.clone()),
        category.as_deref(),
    );
    body.severities = options(
        findings.iter().map(|f| f.severity.clone()),
        severity.as_deref(),
    );
    body.dispositions = options(
        findings.iter().map(|f| f.disposition.clone()),
        disposition.as_deref(),
    );
    let mut matching: Vec<_> = findings
        .into_iter()
        .filter(|f| category.as_ref().is_none_or(|c| &f.category == c))
        .filter(|f| severity.as_ref().is_none_or(|s| &f.severity == s))
        .filter(|f| disposition.as_ref().is_none_or(|d| &f.disposition == d))
        .collect();
    matching.sort_by(|a, b| a.category.cmp(&b.category).then(a.ordinal.cmp(&b.ordinal)));
    body.matching = matching.len();
    let page_no = page_number(q.page.as_deref());
    let filter: String = [
        ("category", &category),
        ("severity", &severity),
        ("disposition", &disposition),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", encode(v))))
    .collect();
    let base = format!("/deliveries/{}?{filter}", encode(id));
    body.pager = pager(page_no, body.matching, FINDINGS_PER_PAGE, |p| {
        format!("{base}page={p}")
    });
    for f in matching
        .into_iter()
        .skip((page_no - 1) * FINDINGS_PER_PAGE)
        .take(FINDINGS_PER_PAGE)
    {
        let waiver = if internal { f.waiver_id.clone() } else { None };
        let waived_since = if f.disposition == "blocking" {
            granted.get(&f.fingerprint).cloned()
        } else {
            None
        };
        let pending_request = requested.get(&f.fingerprint).cloned();
        let waivable = policy.as_ref().is_none_or(|p| {
            !p.waivers()
                .not_waivable
                .iter()
                .any(|c| c.as_str() == f.category)
        });
        let open =
            f.disposition == "blocking" && waived_since.is_none() && pending_request.is_none();
        let row = FindingRow {
            rationale: waiver.as_ref().and_then(|w| rationales.get(w).cloned()),
            waiver,
            fingerprint_full: if policy.is_some() {
                f.fingerprint.clone()
            } else {
                String::new()
            },
            may_request: policy.is_some() && open && waivable,
            not_waivable: (policy.is_some() && open && !waivable).then(|| {
                format!(
                    "The agreed policy marks {} findings not waivable: the delivery must fix it.",
                    f.category
                )
            }),
            waived_since,
            requested: pending_request,
            refused: None,
            rule: f.rule,
            severity: f.severity,
            path: f.path,
            line: f.line,
            message: f.message,
            disposition: f.disposition,
            fingerprint: f.fingerprint.chars().take(12).collect(),
        };
        match body.groups.last_mut() {
            Some(group) if group.category == f.category => group.findings.push(row),
            _ => body.groups.push(CategoryGroup {
                category: f.category,
                findings: vec![row],
            }),
        }
    }
    Ok(body)
}

#[derive(Debug, Deserialize)]
pub(crate) struct WaiverRequestForm {
    #[serde(default)]
    csrf: Option<String>,
    fingerprint: String,
    reason: String,
    expires: String,
}

/// `POST /deliveries/{id}/waiver-requests`: a reviewer asks to waive one of
/// the delivery's findings; the scope is checked before the form is read,
/// and the request against the agreed policy by the register.
pub(crate) async fn request_waiver(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Request a waiver").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let checked = async {
        let (_, allowed) = viewer.scoped.delivery(&id, Action::RequestWaiver).await?;
        let axum::Form(form) = axum::Form::<WaiverRequestForm>::from_request(request, &())
            .await
            .map_err(|e| {
                Problem::new(
                    e.status(),
                    format!("The waiver request form cannot be read: {e}"),
                )
            })?;
        check_csrf(&viewer.scoped, &session, form.csrf.as_deref()).await?;
        Ok::<_, Problem>((allowed, form))
    }
    .await;
    let (allowed, form) = match checked {
        Ok(checked) => checked,
        Err(p) => return viewer.problem(&p),
    };
    let asked = async {
        let expires: jiff::civil::Date = form.expires.trim().parse().map_err(|_| {
            Problem::bad_request(format!(
                "The last day of the waiver, `{}`, is not a date (YYYY-MM-DD)",
                form.expires
            ))
        })?;
        crate::requests::ask(
            &viewer.scoped,
            &allowed,
            form.fingerprint.trim(),
            &form.reason,
            expires,
        )
        .await
    }
    .await;
    match asked {
        Ok(_) => see_other(&format!("/deliveries/{}?done=requested", encode(&id))),
        // A request refused for what it says (the policy's limits, a date,
        // a reason) is shown on the delivery page, at its finding, with
        // what was typed.
        Err(p) if matches!(p.status, 400 | 422) => {
            let q = FindingsQuery {
                category: None,
                severity: None,
                disposition: None,
                page: None,
                done: None,
            };
            match delivery_page(&viewer, &id, q).await {
                Ok(mut body) => {
                    let wanted = form.fingerprint.trim();
                    let row = body
                        .groups
                        .iter_mut()
                        .flat_map(|g| g.findings.iter_mut())
                        .find(|f| f.may_request && f.fingerprint_full == wanted);
                    let Some(row) = row else {
                        // Not on the first page: the error page says why.
                        return viewer.problem(&p);
                    };
                    row.refused = Some(WaiverFormError {
                        message: p.detail.clone(),
                        reason: form.reason,
                        expires: form.expires,
                    });
                    page(
                        StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
                        "delivery",
                        &body,
                    )
                }
                Err(_) => viewer.problem(&p),
            }
        }
        Err(p) => viewer.problem(&p),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// Expiring waivers are listed this many days ahead.
const EXPIRING_WITHIN_DAYS: i64 = 30;

/// `GET /waivers`: the waiver queue of the engagements in scope: pending
/// requests (approve and deny for approvers) and waivers expiring soon.
pub(crate) async fn waivers(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Query(q): Query<DoneQuery>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Waivers").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match waivers_page(&viewer, q.done.as_deref()).await {
        Ok(body) => page(StatusCode::OK, "waivers", &body),
        Err(p) => viewer.problem(&p),
    }
}

async fn waivers_page(viewer: &Viewer, done: Option<&str>) -> Result<WaiversPage, Problem> {
    let scoped = &viewer.scoped;
    if !viewer.chrome.waivers {
        return Err(Problem::forbidden(format!(
            "{} may not read-waivers: the waiver queue is the organisation's",
            scoped.principal().name
        )));
    }
    let (engagements, _) = scoped
        .engagements(Action::ReadWaivers, 0, usize::MAX)
        .await?;
    let by_id: BTreeMap<&str, &oversight_register::Engagement> = engagements
        .iter()
        .map(|e| (e.id.as_str(), e.as_ref()))
        .collect();
    let me = oversight_register::approval::fold_name(&scoped.principal().name);
    let short = |f: &str| f.chars().take(12).collect::<String>();
    let pending = scoped
        .state()
        .requests()
        .pending()
        .await
        .map_err(|e| Problem::internal(&e))?
        .into_iter()
        .filter_map(|r| {
            let engagement = by_id.get(r.engagement.as_str())?;
            Some(RequestRow {
                may_decide: scoped.may_on(Action::ApproveWaiver, engagement),
                own: oversight_register::approval::fold_name(&r.requester) == me,
                id: r.id,
                engagement: r.engagement,
                fingerprint: short(&r.fingerprint),
                reason: r.reason,
                expires: r.expires,
                requester: r.requester,
                at: r.created_at,
            })
        })
        .collect();
    let today = jiff::Zoned::now().date();
    let now = jiff::Timestamp::now();
    let mut expiring = Vec::new();
    // The waivers of every engagement in scope, in two queries.
    for w in scoped.waivers_in_force(now).await? {
        let Ok(expires) = w.expires.parse::<jiff::civil::Date>() else {
            continue;
        };
        let days_left = expires.duration_since(today).as_hours() / 24;
        if days_left <= EXPIRING_WITHIN_DAYS {
            expiring.push(WaiverRow {
                id: w.id,
                engagement: w.engagement_id,
                fingerprint: short(&w.fingerprint),
                reason: w.reason,
                requester: w.requester,
                approver: w.approver,
                expires: w.expires,
                days_left,
            });
        }
    }
    expiring.sort_by(|a, b| a.expires.cmp(&b.expires).then(a.id.cmp(&b.id)));
    Ok(WaiversPage {
        chrome: viewer.chrome.clone(),
        pending,
        expiring,
        horizon: EXPIRING_WITHIN_DAYS,
        notice: match done {
            Some("approved") => {
                Some("The waiver is granted and recorded in the ledger.".to_owned())
            }
            Some("denied") => Some("The waiver request is denied.".to_owned()),
            _ => None,
        },
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: Option<String>,
}

/// Approves (`approve`) or denies request `id` from the queue's form.
async fn decide_request(
    state: AppState,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    id: String,
    request: Request,
    approve: bool,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Waiver request").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let result = async {
        // The right to decide first: nothing is read for one who has none.
        crate::requests::pending(&viewer.scoped, &id).await?;
        let axum::Form(form) = axum::Form::<CsrfForm>::from_request(request, &())
            .await
            .map_err(|e| Problem::new(e.status(), format!("The form cannot be read: {e}")))?;
        check_csrf(&viewer.scoped, &session, form.csrf.as_deref()).await?;
        if approve {
            crate::requests::approve(&viewer.scoped, &id)
                .await
                .map(|_| "approved")
        } else {
            crate::requests::deny(&viewer.scoped, &id)
                .await
                .map(|()| "denied")
        }
    }
    .await;
    match result {
        Ok(done) => see_other(&format!("/waivers?done={done}")),
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /waiver-requests/{id}/approve`: the requester's own approval is
/// refused (four eyes). The right to decide is checked before the form is
/// read.
pub(crate) async fn approve_waiver(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    decide_request(state, scoped, session, uri, id, request, true).await
}

/// `POST /waiver-requests/{id}/deny`.
pub(crate) async fn deny_waiver(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    decide_request(state, scoped, session, uri, id, request, false).await
}

/// `GET /engagements/{id}/export`: the evidence pack, as the API's export
/// (an auditor of the whole organisation only).
pub(crate) async fn export(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Evidence pack").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match crate::routes::export_pack(&viewer.scoped, &id).await {
        Ok(response) => response,
        Err(p) => viewer.problem(&p),
    }
}

/// Events on one page of the ledger.
const EVENTS_PER_PAGE: usize = 100;

#[derive(Debug, Deserialize)]
pub(crate) struct LedgerQuery {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    verify: Option<String>,
}

/// `GET /ledger`: the signed ledger's events, filtered and paginated here;
/// `?verify=now` verifies the ledger and the evidence store and shows the
/// result (a read: it changes nothing).
pub(crate) async fn ledger(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Query(q): Query<LedgerQuery>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, "Ledger").await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match ledger_page(&viewer, q).await {
        Ok(body) => page(StatusCode::OK, "ledger", &body),
        Err(p) => viewer.problem(&p),
    }
}

async fn ledger_page(viewer: &Viewer, q: LedgerQuery) -> Result<LedgerPage, Problem> {
    let scoped = &viewer.scoped;
    let register = scoped.organisation(Action::VerifyLedger)?;
    let wanted = |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
    let filter = oversight_app::ledger::EventFilter {
        subject: wanted(&q.subject),
        kind: wanted(&q.kind),
    };
    let page_no = page_number(q.page.as_deref());
    let events = oversight_app::ledger::events(
        register,
        &filter,
        (page_no - 1) * EVENTS_PER_PAGE,
        EVENTS_PER_PAGE,
    )
    .await?;
    let query: String = [("subject", &filter.subject), ("kind", &filter.kind)]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", encode(v))))
        .collect();
    let choices = |counts: Vec<(String, usize)>, selected: Option<&str>| {
        counts
            .into_iter()
            .map(|(value, count)| FilterOption {
                selected: selected == Some(value.as_str()),
                value,
                count,
            })
            .collect()
    };
    let verification = if q.verify.as_deref() == Some("now") {
        let v = oversight_app::ledger::verify(register, scoped.state().evidence()).await;
        Some(VerificationView {
            intact: v.intact(),
            ledger_intact: v.ledger_intact,
            events: v.events,
            head: v.head,
            key_fingerprint: v.key_fingerprint,
            ledger_failure: v.ledger_failure,
            blobs: v.blobs,
            bytes: v.bytes,
            evidence_problems: v.evidence_problems,
            at: jiff::Timestamp::now().to_string(),
        })
    } else {
        None
    };
    let (exportable, _) = scoped.engagements(Action::Export, 0, usize::MAX).await?;
    Ok(LedgerPage {
        chrome: viewer.chrome.clone(),
        pager: pager(page_no, events.matching, EVENTS_PER_PAGE, |p| {
            format!("/ledger?{query}page={p}")
        }),
        events: events
            .events
            .into_iter()
            .map(|e| LedgerRow {
                seq: e.seq,
                kind: e.kind,
                subject: e.subject,
                actor: e.actor,
                at: e.at,
                hash: e.hash.chars().take(16).collect(),
            })
            .collect(),
        subjects: choices(events.subjects, filter.subject.as_deref()),
        kinds: choices(events.kinds, filter.kind.as_deref()),
        matching: events.matching,
        total: events.total,
        verification,
        exports: exportable
            .iter()
            .map(|e| e.id.as_str().to_owned())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            local_path("/deliveries/dly1?page=2"),
            "/deliveries/dly1?page=2"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "/login",
            "",
        ] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
    }

    #[test]
    fn archives_are_known_by_name() {
        assert_eq!(archive_kind("d.TAR.GZ"), Some("tar.gz"));
        assert_eq!(archive_kind("d.tgz"), Some("tar.gz"));
        assert_eq!(archive_kind("d.zip"), Some("zip"));
        assert_eq!(archive_kind("d.tar"), Some("tar"));
        assert_eq!(archive_kind("d.exe"), None);
        assert_eq!(encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
