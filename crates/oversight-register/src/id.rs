//! Validated identifiers: engagement and supplier ids are slugs.

use std::fmt;
use std::str::FromStr;

/// An identifier that is not a valid slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Invalid {what} id `{input}`: use 1 to 64 lower-case letters, digits and single hyphens, starting with a letter or digit"
)]
pub struct IdError {
    /// Which kind of id (`engagement`, `supplier`).
    pub what: &'static str,
    /// The rejected input.
    pub input: String,
}

fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                if is_slug(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err(IdError { what: $what, input: s.to_owned() })
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// The id of an engagement, e.g. `acme-portal-2025`.
    EngagementId,
    "engagement"
);
slug_id!(
    /// The id of a supplier, e.g. `acme-dev`.
    SupplierId,
    "supplier"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_validated() {
        assert!("acme-portal-2025".parse::<EngagementId>().is_ok());
        for bad in [
            "",
            "Acme",
            "a_b",
            "-a",
            "a-",
            "a--b",
            "a b",
            &"x".repeat(65),
        ] {
            let err = bad.parse::<SupplierId>().expect_err(bad);
            assert!(err.to_string().starts_with("Invalid supplier id"), "{err}");
        }
    }
}
