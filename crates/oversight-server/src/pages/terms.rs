//! `/engagements/{id}/terms`: the agreed terms as TOML (the policy
//! inline), changed in a text area or replaced by an uploaded file, with
//! the same checks as `PUT /api/v1/engagements/{id}` and `oversight
//! engagement apply` (`crate::routes::apply_terms`). A refused change comes
//! back with what was sent and every problem, key and line, beside it.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use oversight_access::Action;
use oversight_web::views::TermsPage;
use tower_sessions::Session;

use super::{Viewer, check_csrf, encode, page, see_other};
use crate::problem::Problem;
use crate::scoped::Scoped;
use crate::state::AppState;

/// The longest terms document taken (the API's body limit is larger; a
/// page's form never needs more).
const MAX_TERMS: usize = 1 << 20;

/// `GET /engagements/{id}/terms`.
pub(crate) async fn edit(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, &format!("Terms of {id}")).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match viewer.scoped.engagement(&id, Action::ManageTerms).await {
        Ok(allowed) => {
            let terms = oversight_register::format::render_engagement(&allowed.engagement);
            page(
                StatusCode::OK,
                "terms",
                &TermsPage {
                    chrome: viewer.chrome.clone(),
                    engagement: id,
                    terms,
                    errors: Vec::new(),
                },
            )
        }
        Err(p) => viewer.problem(&p),
    }
}

/// `POST /engagements/{id}/terms`: a multipart form with `csrf`, `terms`
/// and, optionally, a `file` that replaces them.
pub(crate) async fn apply(
    State(state): State<AppState>,
    scoped: Result<Scoped, Problem>,
    session: Session,
    uri: Uri,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let viewer = match Viewer::of(scoped, &session, &uri, &state, &format!("Terms of {id}")).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let sent = async {
        viewer.scoped.engagement(&id, Action::ManageTerms).await?;
        let form = read_form(request).await?;
        check_csrf(&viewer.scoped, &session, form.csrf.as_deref()).await?;
        Ok::<_, Problem>(form)
    }
    .await;
    let form = match sent {
        Ok(form) => form,
        Err(p) => return viewer.problem(&p),
    };
    let (text, origin) = match form.file {
        Some((name, text)) => (text, format!("the uploaded file `{name}`")),
        None => (form.terms, "the form".to_owned()),
    };
    match crate::routes::apply_terms(&viewer.scoped, &id, &text, &origin).await {
        Ok(_) => see_other(&format!("/engagements/{}?done=terms", encode(&id))),
        // The document's own problems come back beside it.
        Err(p) if matches!(p.status, 400 | 409 | 422) => page(
            StatusCode::from_u16(p.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            "terms",
            &TermsPage {
                chrome: viewer.chrome.clone(),
                engagement: id,
                terms: text,
                errors: p
                    .detail
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
        ),
        Err(p) => viewer.problem(&p),
    }
}

struct TermsForm {
    csrf: Option<String>,
    terms: String,
    /// An uploaded file's name and text, when one was chosen.
    file: Option<(String, String)>,
}

async fn read_form(request: Request) -> Result<TermsForm, Problem> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| Problem::new(e.status(), format!("The terms form cannot be read: {e}")))?;
    let mut form = TermsForm {
        csrf: None,
        terms: String::new(),
        file: None,
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        Problem::bad_request(format!("The terms form broke off: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(broken)?;
        if bytes.len() > MAX_TERMS {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The terms are {} bytes; at most {MAX_TERMS} are taken",
                    bytes.len()
                ),
            ));
        }
        let text = || {
            String::from_utf8(bytes.to_vec())
                .map_err(|_| Problem::bad_request(format!("The form's `{name}` is not UTF-8 text")))
        };
        match name.as_str() {
            "csrf" => form.csrf = Some(text()?),
            // A browser sends a text area's line breaks as CRLF (HTML's
            // form submission): back to the LF the terms were shown with,
            // or the inline policy's digest would no longer match.
            "terms" => form.terms = text()?.replace("\r\n", "\n"),
            // A file input left empty sends an empty part.
            "file" if !bytes.is_empty() => {
                form.file = Some((file_name.unwrap_or_else(|| "terms.toml".into()), text()?));
            }
            "file" => {}
            other => {
                return Err(Problem::bad_request(format!(
                    "The terms form has no field `{other}`"
                )));
            }
        }
    }
    Ok(form)
}
