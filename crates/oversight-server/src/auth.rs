//! Who is calling: an API token (`Authorization: Bearer`), else a session
//! cookie, else nobody. A cookie-authenticated change must come from the
//! server's own origin (CSRF). The access log gets the caller's name
//! through [`CallerSlot`].

use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use oversight_access::Principal;
use tower_sessions::Session;

use crate::problem::Problem;
use crate::scoped::Scoped;
use crate::state::AppState;

/// The session key holding the account id.
pub const SESSION_USER: &str = "user_id";

/// Who called: the account's name and the token used, if any.
pub type CallerName = (String, Option<String>);

/// Filled by the authentication extractor, read by the access-log layer.
#[derive(Clone, Default)]
pub struct CallerSlot(pub Arc<Mutex<Option<CallerName>>>);

impl CallerSlot {
    fn set(&self, principal: &Principal) {
        *self.0.lock().expect("no panic holds the lock") = Some((
            principal.name.clone(),
            principal.token.as_ref().map(|t| t.id.clone()),
        ));
    }
}

/// Whether a request comes from the server's own origin (`Origin`, else
/// `Sec-Fetch-Site`).
pub(crate) fn same_origin(headers: &axum::http::HeaderMap, state: &AppState) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let Some(origin) = origin else {
        // Browsers send Origin on every cross-site change; a request
        // without one and without the fetch-metadata header is refused too.
        return headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin");
    };
    if let Some(public) = &state.config().public_origin {
        return origin == public.trim_end_matches('/');
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    host.is_some_and(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
}

/// The authenticated principal's view of the register. Extracting it is
/// the only way a handler reaches tenant data.
impl FromRequestParts<AppState> for Scoped {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Scoped, Problem> {
        let principal = authenticate(parts, state).await?;
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.set(&principal);
        }
        Ok(Scoped::new(state, principal))
    }
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Principal, Problem> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(Problem::unauthenticated)?;
        return state
            .access()
            .authenticate_token(token.trim())
            .await
            .map_err(|e| match e {
                oversight_access::AccessError::BadCredentials => Problem::unauthenticated(),
                other => other.into(),
            });
    }
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(|_| Problem::unauthenticated())?;
    let user: Option<String> = session
        .get(SESSION_USER)
        .await
        .map_err(|_| Problem::unauthenticated())?;
    let user = user.ok_or_else(Problem::unauthenticated)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !same_origin(&parts.headers, state) {
        return Err(Problem::forbidden(
            "A change made with a session cookie must come from this server's own origin",
        ));
    }
    match state.access().principal(&user, None).await {
        Ok(p) => Ok(p),
        Err(oversight_access::AccessError::NotFound(_)) => Err(Problem::unauthenticated()),
        Err(e) => Err(e.into()),
    }
}
