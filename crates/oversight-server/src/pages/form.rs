//! Reading the URL-encoded forms of the account pages, and the one way a
//! scope is written in them (`organisation`, `supplier:ID`,
//! `engagement:ID`).

use oversight_access::Scope;

use crate::problem::Problem;

/// A form's fields: only those expected, each once unless it may repeat
/// (a group of checkboxes).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// Reads `body`, refusing a field not in `expected` and a second value
    /// of one not in `repeatable`.
    pub(crate) fn parse(
        body: &[u8],
        expected: &[&str],
        repeatable: &[&str],
    ) -> Result<Fields, Problem> {
        let mut fields: Vec<(String, String)> = Vec::new();
        for (key, value) in form_urlencoded::parse(body) {
            if !expected.contains(&key.as_ref()) {
                return Err(Problem::bad_request(format!(
                    "The form has no field `{key}`"
                )));
            }
            if !repeatable.contains(&key.as_ref()) && fields.iter().any(|(k, _)| *k == key) {
                return Err(Problem::bad_request(format!(
                    "The form sends `{key}` twice"
                )));
            }
            fields.push((key.into_owned(), value.into_owned()));
        }
        Ok(Fields(fields))
    }

    /// The value of `key`, if sent.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub(crate) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `scope` as the forms write it.
pub(crate) fn scope_value(scope: &Scope) -> String {
    match scope {
        Scope::Organisation => "organisation".to_owned(),
        Scope::Supplier(id) => format!("supplier:{id}"),
        Scope::Engagement(id) => format!("engagement:{id}"),
    }
}

/// A scope as the forms write it.
pub(crate) fn parse_scope(text: &str) -> Result<Scope, Problem> {
    let text = text.trim();
    match text.split_once(':').unwrap_or((text, "")) {
        ("organisation", "") => Ok(Scope::Organisation),
        ("supplier", id) if !id.trim().is_empty() => Ok(Scope::Supplier(id.trim().to_owned())),
        ("engagement", id) if !id.trim().is_empty() => Ok(Scope::Engagement(id.trim().to_owned())),
        _ => Err(Problem::bad_request(format!(
            "`{text}` is not a scope: write organisation, supplier:ID or engagement:ID"
        ))),
    }
}
