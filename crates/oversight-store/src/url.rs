//! Database URLs: which backend, and where, decided once.

use std::fmt;
use std::path::PathBuf;

/// A parsed database location. `Debug` and `Display` never show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file: `sqlite://PATH`, `sqlite:PATH` or a plain path.
    Sqlite(PathBuf),
    /// A PostgreSQL server: `postgres://…` or `postgresql://…`, kept whole.
    Postgres(String),
}

/// A value that names no supported database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The value is empty.
    #[error("{source_name} is empty; give a SQLite path, sqlite://PATH or postgres://USER@HOST/DB")]
    Empty {
        /// The flag or environment variable the value came from.
        source_name: String,
    },
    /// The scheme is not one Oversight supports.
    #[error(
        "{source_name} has the unsupported scheme `{scheme}`; expected a SQLite path, sqlite://PATH or postgres://USER@HOST/DB"
    )]
    UnsupportedScheme {
        /// The flag or environment variable the value came from.
        source_name: String,
        /// The scheme found.
        scheme: String,
    },
}

impl DatabaseUrl {
    /// Parses `value`, naming `source_name` (e.g. `--database` or
    /// `OVERSIGHT_DATABASE`) in errors.
    ///
    /// ```
    /// use oversight_store::DatabaseUrl;
    /// assert!(matches!(DatabaseUrl::parse("sqlite://data/o.db", "--database"), Ok(DatabaseUrl::Sqlite(_))));
    /// assert!(matches!(DatabaseUrl::parse("o.db", "--database"), Ok(DatabaseUrl::Sqlite(_))));
    /// let err = DatabaseUrl::parse("mysql://x/y", "OVERSIGHT_DATABASE").unwrap_err();
    /// assert!(err.to_string().starts_with("OVERSIGHT_DATABASE has the unsupported scheme `mysql`"));
    /// ```
    pub fn parse(value: &str, source_name: &str) -> Result<DatabaseUrl, UrlError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(UrlError::Empty {
                source_name: source_name.to_owned(),
            });
        }
        if let Some(path) = value.strip_prefix("sqlite://") {
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some(path) = value.strip_prefix("sqlite:") {
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(value.to_owned()));
        }
        match value.split_once("://") {
            Some((scheme, _)) => Err(UrlError::UnsupportedScheme {
                source_name: source_name.to_owned(),
                scheme: scheme.to_owned(),
            }),
            None => Ok(DatabaseUrl::Sqlite(PathBuf::from(value))),
        }
    }

    /// The URL as it may be shown: the password of a PostgreSQL URL replaced
    /// by `***`.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => redact(url),
        }
    }
}

/// `url` with the password part of its user info replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let url =
            DatabaseUrl::parse("postgres://app:s3cret@db:5432/o", "--database").expect("valid");
        assert_eq!(url.to_string(), "postgres://app:***@db:5432/o");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(redact("postgres://app@db/o"), "postgres://app@db/o");
    }

    #[test]
    fn schemes_are_dispatched() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/o.db", "x"),
            Ok(DatabaseUrl::Sqlite("/var/o.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://h/d", "x"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("  ", "--database"),
            Err(UrlError::Empty { .. })
        ));
        assert!(matches!(
            DatabaseUrl::parse("http://h", "--database"),
            Err(UrlError::UnsupportedScheme { .. })
        ));
    }
}
