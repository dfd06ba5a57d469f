//! The error every store operation returns.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{what} `{id}` does not exist")]
    NotFound {
        /// The kind of record (`supplier`, `engagement`).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The write conflicts with the stored state (already exists, changed
    /// meanwhile, database already initialised).
    #[error("{0}")]
    Conflict(String),
    /// The database was written by a newer Oversight; nothing was changed.
    #[error(
        "Database {database} has schema version {found}, newer than the {supported} this Oversight supports; upgrade Oversight (nothing was changed)"
    )]
    SchemaTooNew {
        /// The database, without credentials.
        database: String,
        /// The newest migration applied to it.
        found: i64,
        /// The newest migration this build knows.
        supported: i64,
    },
    /// The database does not exist or holds no Oversight schema.
    #[error("Database {database} is not an Oversight database; create it with `oversight init`")]
    NotInitialised {
        /// The database, without credentials.
        database: String,
    },
    /// Any other failure of the database or its driver.
    #[error("{context}")]
    Other {
        /// What was being done, naming the database or record.
        context: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// An [`StoreError::Other`] with `context`.
    pub fn other(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        StoreError::Other {
            context: context.into(),
            source: source.into(),
        }
    }
}
