//! Errors of the access layer.

/// Why an access operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The database failed.
    #[error("The access database ({what}) failed: {source}")]
    Database {
        /// What was being done.
        what: String,
        /// Why.
        source: sqlx::Error,
    },
    /// Bad input: the message says which value and why.
    #[error("{0}")]
    Invalid(String),
    /// Credentials that do not authenticate anyone (never says which part
    /// was wrong).
    #[error("The credentials are not valid")]
    BadCredentials,
    /// A record that does not exist (or is not in the caller's scope).
    #[error("{0} not found")]
    NotFound(String),
    /// The access log's writer could not commit an event.
    #[error("The access log could not be written: {0}")]
    LogWrite(String),
    /// A name already taken.
    #[error("{0} already exists")]
    Conflict(String),
}

pub(crate) fn db(what: &str) -> impl FnOnce(sqlx::Error) -> AccessError + '_ {
    move |source| AccessError::Database {
        what: what.to_owned(),
        source,
    }
}
