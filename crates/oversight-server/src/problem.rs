//! Errors as RFC 9457 problem details (`application/problem+json`): a
//! status, a title, and a detail that names the item and the reason.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem to answer with.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, naming the item and the reason.
    pub detail: String,
}

impl Problem {
    /// A problem with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        let title = status.canonical_reason().unwrap_or("Error").to_owned();
        let slug = title.to_lowercase().replace(' ', "-");
        Problem {
            kind: format!("https://oversight.invalid/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
        }
    }

    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401: no valid credentials.
    pub fn unauthenticated() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "Authentication is required: a session cookie or an `Authorization: Bearer` API token",
        )
    }

    /// 403: visible, but not allowed.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, detail)
    }

    /// 404: absent, or not in the caller's scope (never says which).
    pub fn not_found(what: impl std::fmt::Display) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    /// 409.
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, detail)
    }

    /// 500, with a detail that never carries internals.
    pub fn internal(error: &dyn std::fmt::Display) -> Problem {
        tracing::error!(%error, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed; the error is in its log",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).expect("problems serialise");
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<oversight_access::AccessError> for Problem {
    fn from(e: oversight_access::AccessError) -> Problem {
        use oversight_access::AccessError as E;
        match e {
            E::Invalid(m) => Problem::bad_request(m),
            E::BadCredentials => Problem::unauthenticated(),
            E::NotFound(what) => Problem::not_found(what),
            E::Conflict(what) => Problem::conflict(format!("{what} already exists")),
            E::Database { .. } | E::LogWrite(_) => Problem::internal(&e),
        }
    }
}

impl From<oversight_register::RegisterError> for Problem {
    fn from(e: oversight_register::RegisterError) -> Problem {
        use oversight_register::RegisterError as E;
        match &e {
            E::Invalid(_) | E::FourEyes { .. } | E::Format(_) | E::InvalidPolicy { .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            E::UnknownSupplier { .. } | E::UnknownEngagement { .. } => {
                Problem::new(StatusCode::NOT_FOUND, e.to_string())
            }
            E::Store(oversight_store::StoreError::NotFound { .. }) => {
                Problem::new(StatusCode::NOT_FOUND, e.to_string())
            }
            _ => Problem::internal(&e),
        }
    }
}

impl From<oversight_app::AppError> for Problem {
    fn from(e: oversight_app::AppError) -> Problem {
        match e {
            oversight_app::AppError::Register(e) => e.into(),
            oversight_app::AppError::Refused(m) => Problem::new(StatusCode::CONFLICT, m),
            other => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
        }
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, Problem>;
