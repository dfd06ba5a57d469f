//! The acceptance policy as code: what blocks a delivery, what must be in
//! it, how fresh the advisory database must be, what may be waived.
//!
//! A policy is a versioned TOML file (`policy/default.toml` is the one used
//! when an engagement names none; `examples/policy.toml` documents every
//! key). Every decision records the policy's name, version and digest, so an
//! auditor can tell which rules a delivery was held to.

use std::collections::BTreeMap;
use std::ops::Range;

use globset::{Glob, GlobMatcher};
use oversight_licenses::LicensePolicy;
use oversight_model::{Category, Severity};
use serde::Deserialize;
use toml::Spanned;

/// The policy file schema this build reads.
pub const POLICY_SCHEMA: i64 = 1;

/// The default policy, used when an engagement names none.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default.toml");

/// A policy that could not be read: every problem, with key and line.
#[derive(Debug, thiserror::Error)]
#[error("Invalid acceptance policy {origin}:\n{}", problems.iter().map(|p| format!("  line {}: `{}`: {}", p.line, p.key, p.message)).collect::<Vec<_>>().join("\n"))]
pub struct PolicyError {
    /// The file the policy came from.
    pub origin: String,
    /// What is wrong.
    pub problems: Vec<PolicyProblem>,
}

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// 1-based line.
    pub line: usize,
    /// The key at fault.
    pub key: String,
    /// Why.
    pub message: String,
}

/// A kind of deliverable the delivery must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliverableKind {
    /// A software bill of materials (CycloneDX or SPDX JSON).
    Sbom,
    /// A LICENSE or COPYING file at the root.
    License,
    /// A NOTICE file.
    Notice,
    /// Build instructions.
    BuildInstructions,
    /// A JUnit XML test report with at least one test and no failure or error.
    Junit,
    /// A security policy (SECURITY.md).
    SecurityPolicy,
    /// Any file matching the given globs.
    Path,
}

impl DeliverableKind {
    fn parse(text: &str) -> Option<DeliverableKind> {
        Some(match text {
            "sbom" => DeliverableKind::Sbom,
            "license" => DeliverableKind::License,
            "notice" => DeliverableKind::Notice,
            "build-instructions" => DeliverableKind::BuildInstructions,
            "junit" => DeliverableKind::Junit,
            "security-policy" => DeliverableKind::SecurityPolicy,
            "path" => DeliverableKind::Path,
            _ => return None,
        })
    }

    /// The name used in policy files and reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliverableKind::Sbom => "sbom",
            DeliverableKind::License => "license",
            DeliverableKind::Notice => "notice",
            DeliverableKind::BuildInstructions => "build-instructions",
            DeliverableKind::Junit => "junit",
            DeliverableKind::SecurityPolicy => "security-policy",
            DeliverableKind::Path => "path",
        }
    }

    /// Where such a deliverable is looked for when the policy gives no paths.
    fn default_globs(self) -> &'static [&'static str] {
        match self {
            DeliverableKind::Sbom => &[
                "**/*.cdx.json",
                "**/bom.json",
                "**/*.spdx.json",
                "**/sbom*.json",
            ],
            DeliverableKind::License => &["LICENSE*", "LICENCE*", "COPYING*"],
            DeliverableKind::Notice => &["NOTICE*"],
            DeliverableKind::BuildInstructions => &["BUILD*", "INSTALL*", "README*"],
            DeliverableKind::Junit => &["**/TEST-*.xml", "**/junit*.xml", "**/*test*report*.xml"],
            DeliverableKind::SecurityPolicy => {
                &["SECURITY*", ".github/SECURITY*", "docs/SECURITY*"]
            }
            DeliverableKind::Path => &[],
        }
    }
}

/// A deliverable the policy requires.
#[derive(Debug, Clone)]
pub struct Deliverable {
    /// What it is.
    pub kind: DeliverableKind,
    /// The globs as written (or the kind's defaults).
    pub globs: Vec<String>,
    matchers: Vec<GlobMatcher>,
    /// What the contract calls it.
    pub description: Option<String>,
}

impl Deliverable {
    /// Whether `path` (relative to the delivery's root) is one.
    pub fn matches(&self, path: &str) -> bool {
        self.matchers.iter().any(|m| m.is_match(path))
    }
}

/// A parsed, valid policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Its name.
    pub name: String,
    /// Its version, bumped by the organisation on every change.
    pub version: String,
    /// Per category, the lowest severity that blocks (`None`: never blocks).
    pub thresholds: BTreeMap<Category, Option<Severity>>,
    /// The licence policy, when the policy sets one.
    pub license: Option<LicensePolicy>,
    /// Expected copyright holders, when the policy names them.
    pub expected_holders: Vec<String>,
    /// Required deliverables.
    pub deliverables: Vec<Deliverable>,
    /// The advisory database must have been imported at most this many days ago.
    pub max_advisory_age_days: Option<u32>,
    /// Categories whose findings no waiver can lift.
    pub not_waivable: Vec<Category>,
    /// The policy text, as read (for the evidence store and replays).
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    schema: Spanned<i64>,
    name: String,
    version: String,
    #[serde(default)]
    thresholds: BTreeMap<Spanned<String>, Spanned<String>>,
    license: Option<Spanned<toml::Table>>,
    #[serde(default)]
    expected_holders: Vec<String>,
    #[serde(default)]
    deliverables: Vec<RawDeliverable>,
    max_advisory_age_days: Option<u32>,
    #[serde(default)]
    waivers: RawWaivers,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeliverable {
    kind: Spanned<String>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    description: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaivers {
    #[serde(default)]
    not_waivable: Vec<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Policy {
    /// The default policy.
    pub fn default_policy() -> Policy {
        Policy::parse(DEFAULT_POLICY, "the default policy").expect("the default policy is valid")
    }

    /// Parses and validates policy `text`; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        let mut problems = Vec::new();
        let mut problem = |span: Range<usize>, key: &str, message: String| {
            problems.push(PolicyProblem {
                line: line_of(text, span.start),
                key: key.to_owned(),
                message,
            });
        };
        let raw: RawPolicy = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let line_text = text[..span.start.min(text.len())]
                    .rsplit('\n')
                    .next()
                    .unwrap_or("");
                let key = line_text
                    .split_once('=')
                    .map_or(line_text, |(k, _)| k)
                    .trim()
                    .trim_matches(|c| c == '[' || c == ']' || c == '"')
                    .to_owned();
                problem(span, &key, e.message().trim().to_owned());
                return Err(PolicyError {
                    origin: origin.to_owned(),
                    problems,
                });
            }
        };
        if *raw.schema.get_ref() != POLICY_SCHEMA {
            problem(
                raw.schema.span(),
                "schema",
                format!(
                    "schema {} is not supported by this Oversight (it reads schema {POLICY_SCHEMA}); upgrade Oversight or rewrite the policy",
                    raw.schema.get_ref()
                ),
            );
        }
        let mut thresholds: BTreeMap<Category, Option<Severity>> = BTreeMap::new();
        let mut default = Some(Severity::High);
        for (key, value) in &raw.thresholds {
            let level = match value.get_ref().as_str() {
                "never" => Some(None),
                other => other.parse::<Severity>().ok().map(Some),
            };
            let Some(level) = level else {
                problem(
                    value.span(),
                    &format!("thresholds.{}", key.get_ref()),
                    format!(
                        "`{}` is not a severity (info, low, medium, high, critical) or `never`",
                        value.get_ref()
                    ),
                );
                continue;
            };
            if key.get_ref() == "default" {
                default = level;
            } else {
                match key.get_ref().parse::<Category>() {
                    Ok(category) => {
                        thresholds.insert(category, level);
                    }
                    Err(_) => problem(
                        key.span(),
                        &format!("thresholds.{}", key.get_ref()),
                        format!(
                            "not a finding category ({}) or `default`",
                            Category::ALL.map(|c| c.as_str()).join(", ")
                        ),
                    ),
                }
            }
        }
        for category in Category::ALL {
            thresholds.entry(category).or_insert(default);
        }
        let license = match &raw.license {
            None => None,
            Some(table) => {
                let sub = toml::to_string(table.get_ref()).expect("a table serialises");
                match LicensePolicy::parse(&sub) {
                    Ok(policy) => Some(policy),
                    Err(e) => {
                        problem(table.span(), "license", e.to_string());
                        None
                    }
                }
            }
        };
        let mut deliverables = Vec::new();
        for d in &raw.deliverables {
            let Some(kind) = DeliverableKind::parse(d.kind.get_ref()) else {
                problem(
                    d.kind.span(),
                    "deliverables.kind",
                    format!(
                        "`{}` is not a deliverable kind (sbom, license, notice, build-instructions, junit, security-policy, path)",
                        d.kind.get_ref()
                    ),
                );
                continue;
            };
            if kind == DeliverableKind::Path && d.paths.is_empty() {
                problem(
                    d.kind.span(),
                    "deliverables.paths",
                    "a deliverable of kind `path` needs `paths`".to_owned(),
                );
                continue;
            }
            let globs: Vec<String> = if d.paths.is_empty() {
                kind.default_globs()
                    .iter()
                    .map(|g| (*g).to_owned())
                    .collect()
            } else {
                d.paths.iter().map(|p| p.get_ref().clone()).collect()
            };
            let mut matchers = Vec::new();
            for (i, glob) in globs.iter().enumerate() {
                match Glob::new(glob) {
                    Ok(g) => matchers.push(g.compile_matcher()),
                    Err(e) => problem(
                        d.paths.get(i).map_or(d.kind.span(), Spanned::span),
                        "deliverables.paths",
                        format!("`{glob}` is not a valid glob: {e}"),
                    ),
                }
            }
            deliverables.push(Deliverable {
                kind,
                globs,
                matchers,
                description: d.description.clone(),
            });
        }
        let mut not_waivable = Vec::new();
        for c in &raw.waivers.not_waivable {
            match c.get_ref().parse::<Category>() {
                Ok(category) => not_waivable.push(category),
                Err(_) => problem(
                    c.span(),
                    "waivers.not_waivable",
                    format!("`{}` is not a finding category", c.get_ref()),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError {
                origin: origin.to_owned(),
                problems,
            });
        }
        Ok(Policy {
            name: raw.name,
            version: raw.version,
            thresholds,
            license,
            expected_holders: raw.expected_holders,
            deliverables,
            max_advisory_age_days: raw.max_advisory_age_days,
            not_waivable,
            text: text.to_owned(),
        })
    }

    /// The lowest severity of `category` that blocks, `None` if it never does.
    pub fn threshold(&self, category: Category) -> Option<Severity> {
        self.thresholds.get(&category).copied().flatten()
    }

    /// SHA-256 (hex) of the policy text.
    pub fn digest(&self) -> String {
        use sha2::Digest as _;
        crate::manifest::hex(&sha2::Sha256::digest(self.text.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_and_example_policies_are_valid() {
        let p = Policy::default_policy();
        assert_eq!(p.threshold(Category::Secret), Some(Severity::Low));
        assert_eq!(p.threshold(Category::Vulnerability), Some(Severity::High));
        let example = include_str!("../../../examples/policy.toml");
        let p = Policy::parse(example, "examples/policy.toml").expect("example policy");
        assert!(p.license.is_some());
        assert!(!p.deliverables.is_empty());
        assert!(p.not_waivable.contains(&Category::Malicious));
    }

    #[test]
    fn every_problem_is_named_with_key_and_line() {
        let text = "schema = 1\nname = \"x\"\nversion = \"1\"\n[thresholds]\nsecret = \"loud\"\nweather = \"high\"\n[[deliverables]]\nkind = \"cake\"\n[[deliverables]]\nkind = \"path\"\npaths = [\"a/[\"]\n";
        let err = Policy::parse(text, "p.toml").expect_err("invalid");
        let found: Vec<(usize, &str)> = err
            .problems
            .iter()
            .map(|p| (p.line, p.key.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (5, "thresholds.secret"),
                (6, "thresholds.weather"),
                (8, "deliverables.kind"),
                (11, "deliverables.paths")
            ],
            "{err}"
        );
        let err = Policy::parse(
            "schema = 1\nname = \"x\"\nversion = \"1\"\ncolour = 1\n",
            "p.toml",
        )
        .expect_err("unknown key");
        assert_eq!(err.problems[0].line, 4, "{err}");
        assert!(err.to_string().contains("colour"), "{err}");
        let err = Policy::parse("schema = 2\nname = \"x\"\nversion = \"1\"\n", "p.toml")
            .expect_err("newer schema");
        assert!(
            err.to_string().contains("schema 2 is not supported"),
            "{err}"
        );
        let err = Policy::parse(
            "schema = 1\nname = \"x\"\nversion = \"1\"\n[license]\ndeny = [\"NOT-A-LICENCE\"]\n",
            "p.toml",
        )
        .expect_err("bad licence id");
        assert_eq!(err.problems[0].key, "license", "{err}");
        assert!(err.to_string().contains("NOT-A-LICENCE"), "{err}");
    }

    #[test]
    fn never_and_default_thresholds() {
        let p = Policy::parse(
            "schema = 1\nname = \"x\"\nversion = \"1\"\n[thresholds]\ndefault = \"medium\"\nlicense = \"never\"\n",
            "p.toml",
        )
        .unwrap();
        assert_eq!(p.threshold(Category::License), None);
        assert_eq!(p.threshold(Category::Integrity), Some(Severity::Medium));
    }
}
