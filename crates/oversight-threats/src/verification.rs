//! How a mitigation says it is verified: `[verify: KIND VALUE]` tags in its
//! text (or OTM's `oversight-verify` attribute, with the same `KIND VALUE`).
//!
//! * `[verify: rule secret.]`: an Oversight rule id (`secret.aws-access-token`)
//!   or a rule family, a prefix ending in a dot (`secret.`, `malicious.`); a
//!   bare category (`secret`) means its family.
//! * `[verify: deliverable SECURITY.md]`: a required deliverable of the
//!   acceptance policy, by the glob the policy names it with.
//! * `[verify: attestation security-attestation]`: a current evidence
//!   document of that kind, kept for the engagement.
//!
//! Tags sit in the modelling tool's own mitigation text, so a model needs no
//! extension its tool does not know, and exporting writes them back unchanged.

use serde::{Deserialize, Serialize};

/// One way of showing a mitigation holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Verification {
    /// An Oversight rule id, or a family prefix ending in `.`.
    Rule(String),
    /// A required deliverable, by the policy's glob.
    Deliverable(String),
    /// An evidence document kind the supplier provides.
    Attestation(String),
}

impl Verification {
    /// The tag's text (`rule secret.`).
    pub fn tag(&self) -> String {
        match self {
            Verification::Rule(v) => format!("rule {v}"),
            Verification::Deliverable(v) => format!("deliverable {v}"),
            Verification::Attestation(v) => format!("attestation {v}"),
        }
    }

    /// Reads `KIND VALUE` (what sits inside `[verify: …]`).
    ///
    /// # Errors
    /// An unknown kind or a missing or blank value, in words.
    pub fn parse(text: &str) -> Result<Verification, String> {
        let text = text.trim();
        let (kind, value) = text
            .split_once(char::is_whitespace)
            .map_or((text, ""), |(k, v)| (k, v.trim()));
        if value.is_empty() || value.contains(char::is_whitespace) {
            return Err(format!(
                "verification `{text}` needs one value after its kind (`rule secret.`)"
            ));
        }
        match kind.to_ascii_lowercase().as_str() {
            "rule" => {
                let value = if value.contains('.') {
                    value.to_owned()
                } else {
                    format!("{value}.")
                };
                Ok(Verification::Rule(value))
            }
            "deliverable" => Ok(Verification::Deliverable(value.to_owned())),
            "attestation" => Ok(Verification::Attestation(value.to_owned())),
            other => Err(format!(
                "unknown verification kind `{other}` (expected rule, deliverable or attestation)"
            )),
        }
    }

    /// Whether the rule id `rule` is one this verification names (only
    /// for [`Verification::Rule`]).
    pub fn covers_rule(&self, rule: &str) -> bool {
        match self {
            Verification::Rule(r) if r.ends_with('.') => rule.starts_with(r.as_str()),
            Verification::Rule(r) => rule == r,
            _ => false,
        }
    }
}

const OPEN: &str = "[verify:";

/// Every `[verify: …]` tag in `text`, in order.
///
/// # Errors
/// The first tag that is not closed or not understood, in words.
pub fn tags(text: &str) -> Result<Vec<Verification>, String> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find(OPEN) {
        let inner_start = at + start + OPEN.len();
        let Some(len) = text[inner_start..].find(']') else {
            return Err("a `[verify:` tag is not closed with `]`".to_owned());
        };
        found.push(Verification::parse(&text[inner_start..inner_start + len])?);
        at = inner_start + len + 1;
    }
    Ok(found)
}

/// Splits a tool's mitigation text into mitigations: one per paragraph
/// (paragraphs are separated by blank lines, as Threat Dragon's own demo
/// models write two measures). Returns `(id, text)` with ids `m1`, `m2`….
pub fn paragraphs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let flush = |current: &mut Vec<&str>, out: &mut Vec<(String, String)>| {
        if !current.is_empty() {
            out.push((format!("m{}", out.len() + 1), current.join("\n")));
            current.clear();
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut current, &mut out);
        } else {
            current.push(line.trim_end());
        }
    }
    flush(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_in_order() {
        let text = "No secrets in the code [verify: rule secret] and a test report [Verify: deliverable reports/*.xml].";
        assert_eq!(
            tags(text).unwrap(),
            vec![
                Verification::Rule("secret.".into()),
                Verification::Deliverable("reports/*.xml".into())
            ]
        );
        assert!(tags("none here").unwrap().is_empty());
        assert!(
            tags("[verify: magic x]")
                .unwrap_err()
                .contains("unknown verification kind")
        );
        assert!(
            tags("[verify: rule]")
                .unwrap_err()
                .contains("needs one value")
        );
        assert!(tags("[verify: rule x").unwrap_err().contains("not closed"));
    }

    #[test]
    fn rule_families_cover_their_rules() {
        let family = Verification::Rule("secret.".into());
        assert!(family.covers_rule("secret.aws-access-token"));
        assert!(!family.covers_rule("secrets-other.x"));
        let one = Verification::Rule("malicious.eval".into());
        assert!(one.covers_rule("malicious.eval"));
        assert!(!one.covers_rule("malicious.evaluate"));
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let p = paragraphs("Encrypt it.\n\nExpire it\nregularly.\n\n");
        assert_eq!(
            p,
            vec![
                ("m1".to_owned(), "Encrypt it.".to_owned()),
                ("m2".to_owned(), "Expire it\nregularly.".to_owned())
            ]
        );
        assert!(paragraphs("  \n").is_empty());
    }
}
