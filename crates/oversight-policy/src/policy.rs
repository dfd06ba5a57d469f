//! The acceptance policy: what it holds once read and validated.
//!
//! A policy is a versioned TOML file; [`Policy::parse`] reads it (see the
//! [`parse`](self::parse) module) and every accessor here returns validated
//! values. `policy/default.toml` (in this crate) is the built-in default and
//! `examples/policy.toml` (at the repository root) documents every key.

mod parse;

use std::collections::BTreeMap;
use std::fmt;

use globset::GlobSet;
use oversight_licenses::LicensePolicy;
use oversight_model::{Category, Severity};
use sha2::{Digest as _, Sha256};

pub use parse::{PolicyError, Problem};

/// The policy file schema this build reads (`schema = 1`).
pub const POLICY_SCHEMA: i64 = 1;

/// The text of the built-in default policy, used when an engagement names
/// no policy file.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default.toml");

/// From which severity the findings of one category block acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// Findings of this severity or above block.
    AtLeast(Severity),
    /// Findings of this category never block.
    Never,
}

impl Threshold {
    /// Whether a finding of `severity` blocks under this threshold.
    pub fn blocks(self, severity: Severity) -> bool {
        match self {
            Threshold::AtLeast(lowest) => severity >= lowest,
            Threshold::Never => false,
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::AtLeast(severity) => write!(f, "{severity} and above"),
            Threshold::Never => f.write_str("never"),
        }
    }
}

/// A kind of content the delivery must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliverableKind {
    /// A software bill of materials (CycloneDX or SPDX JSON).
    Sbom,
    /// A licence file at the delivery's root.
    License,
    /// A NOTICE file at the root.
    Notice,
    /// Build instructions at the root (the file's presence only).
    BuildInstructions,
    /// JUnit XML test reports: each must parse, hold at least one test case
    /// and no failure or error.
    Junit,
    /// A security policy (how to report vulnerabilities).
    SecurityPolicy,
    /// Any file matching the deliverable's own `paths`.
    Path,
    /// The supplier's static analysis results as SARIF 2.1.0: they must
    /// parse, name the tool and its version, have run on the delivered
    /// revision, and hold no open result at or above `max_level`.
    Sast,
    /// A test coverage report (Cobertura XML or LCOV) reaching
    /// `min_line_coverage` percent of lines.
    Coverage,
}

impl DeliverableKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [DeliverableKind; 9] = [
        DeliverableKind::Sbom,
        DeliverableKind::License,
        DeliverableKind::Notice,
        DeliverableKind::BuildInstructions,
        DeliverableKind::Junit,
        DeliverableKind::SecurityPolicy,
        DeliverableKind::Path,
        DeliverableKind::Sast,
        DeliverableKind::Coverage,
    ];

    /// The name used in policy files and reasons (`build-instructions`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliverableKind::Sbom => "sbom",
            DeliverableKind::License => "license",
            DeliverableKind::Notice => "notice",
            DeliverableKind::BuildInstructions => "build-instructions",
            DeliverableKind::Junit => "junit",
            DeliverableKind::SecurityPolicy => "security-policy",
            DeliverableKind::Path => "path",
            DeliverableKind::Sast => "sast",
            DeliverableKind::Coverage => "coverage",
        }
    }

    /// Where the deliverable is looked for when the policy gives no `paths`
    /// (matched without regard to case). Empty for [`DeliverableKind::Path`],
    /// which needs explicit paths.
    pub fn default_globs(self) -> &'static [&'static str] {
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
            DeliverableKind::Sast => &["**/*.sarif", "**/*.sarif.json"],
            DeliverableKind::Coverage => &[
                "**/coverage.xml",
                "**/cobertura*.xml",
                "**/lcov.info",
                "**/*.lcov",
            ],
        }
    }
}

impl fmt::Display for DeliverableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One deliverable the policy requires.
#[derive(Debug, Clone)]
pub struct Deliverable {
    kind: DeliverableKind,
    globs: Vec<String>,
    description: Option<String>,
    matcher: GlobSet,
    limits: DeliverableLimits,
}

/// How strictly a deliverable's content is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeliverableLimits {
    /// JUnit: test cases that must have run (not skipped); default 1.
    pub min_tests: u64,
    /// JUnit: skipped test cases allowed; default unlimited.
    pub max_skipped: Option<u64>,
    /// SBOM: the delivery's components missing from the SBOM or listed with
    /// other versions, tolerated; default 0.
    pub max_differences: usize,
    /// SAST: the lowest SARIF level of an open result that blocks
    /// (`error`, `warning`, `note`); default `error`.
    pub max_level: SarifLevel,
    /// SAST: whether the results must name the delivered revision
    /// (`versionControlProvenance`); default true.
    pub require_revision: bool,
    /// Coverage: the minimum share of lines covered, in percent; default 0
    /// (the report must still parse).
    pub min_line_coverage: f64,
}

/// SARIF result levels, from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SarifLevel {
    /// `note`.
    Note,
    /// `warning` (SARIF's default level).
    Warning,
    /// `error`.
    Error,
}

impl SarifLevel {
    /// Parses a SARIF level name; `none` is no level.
    pub fn parse(text: &str) -> Option<SarifLevel> {
        match text {
            "note" => Some(SarifLevel::Note),
            "warning" => Some(SarifLevel::Warning),
            "error" => Some(SarifLevel::Error),
            _ => None,
        }
    }

    /// The SARIF name.
    pub fn as_str(self) -> &'static str {
        match self {
            SarifLevel::Note => "note",
            SarifLevel::Warning => "warning",
            SarifLevel::Error => "error",
        }
    }
}

impl Default for DeliverableLimits {
    fn default() -> Self {
        DeliverableLimits {
            min_tests: 1,
            max_skipped: None,
            max_differences: 0,
            max_level: SarifLevel::Error,
            require_revision: true,
            min_line_coverage: 0.0,
        }
    }
}

impl Deliverable {
    /// How strictly its content is checked.
    pub fn limits(&self) -> DeliverableLimits {
        self.limits
    }

    /// What it is.
    pub fn kind(&self) -> DeliverableKind {
        self.kind
    }

    /// The globs it is looked for with, as written or the kind's defaults.
    pub fn globs(&self) -> &[String] {
        &self.globs
    }

    /// The policy's description, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// How reasons name it: the description, else the kind.
    pub fn label(&self) -> &str {
        self.description.as_deref().unwrap_or(self.kind.as_str())
    }

    /// Whether the delivery path `path` is this deliverable. A member of an
    /// archive at the delivery's top level (`release.zip!/LICENSE`) is
    /// matched on its path inside the archive, as if the archive had been
    /// unpacked; members of nested archives never are.
    pub fn matches(&self, path: &str) -> bool {
        if self.matcher.is_match(path) {
            return true;
        }
        match path.split_once("!/") {
            Some((outer, inner)) => {
                !outer.contains('/') && !inner.contains("!/") && self.matcher.is_match(inner)
            }
            None => false,
        }
    }
}

/// What the policy says about waivers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaiverRules {
    /// A waiver granted for longer than this many days (from the day it was
    /// granted to its expiry) does not apply. `None`: no limit.
    pub max_days: Option<u32>,
    /// Categories whose findings no waiver can lift.
    pub not_waivable: Vec<Category>,
}

/// A parsed and validated acceptance policy.
#[derive(Debug, Clone)]
pub struct Policy {
    name: String,
    version: String,
    thresholds: BTreeMap<Category, Threshold>,
    license: Option<LicensePolicy>,
    expected_holders: Option<Vec<String>>,
    deliverables: Vec<Deliverable>,
    max_advisory_age_days: Option<u32>,
    waivers: WaiverRules,
    threats_block_at: Threshold,
    git: GitPolicy,
    text: String,
}

/// `[git]`: what the git posture of a delivery must show. Each requirement
/// that is not met makes its findings `high` (`policy.git-unsigned-commit`,
/// `policy.git-unknown-author`, `policy.git-history-rewritten`); otherwise
/// they are `info`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GitPolicy {
    /// The least share of commits signed by a registered key (0.0–1.0);
    /// `require_signed = true` is 1.0. `None`: not required.
    pub min_signed_ratio: Option<f64>,
    /// Commits by identities outside the declared domains block.
    pub forbid_unknown_authors: bool,
    /// A history rewritten since the previous delivery blocks.
    pub forbid_rewrites: bool,
}

/// The rule of the findings a review raises for threats of the
/// engagement's threat model that the delivery did not show mitigated.
/// Whether one blocks is decided by [`Policy::threat_threshold`], not by
/// its category's threshold.
pub const THREAT_UNMITIGATED_RULE: &str = "policy.threat-unmitigated";

impl Policy {
    /// Parses and validates a policy file's `text`; `origin` (a file name)
    /// names it in the error, which lists every problem with key and line.
    pub fn parse(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        parse::parse(text, origin)
    }

    /// The built-in default policy ([`DEFAULT_POLICY`]).
    pub fn default_policy() -> Policy {
        Policy::parse(DEFAULT_POLICY, "the default policy")
            .expect("the default policy is valid (tested)")
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version the organisation gave it, recorded with every decision.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The threshold of `category` (the policy's `default` when the category
    /// is not listed; `high` when neither is).
    pub fn threshold(&self, category: Category) -> Threshold {
        self.thresholds
            .get(&category)
            .copied()
            .unwrap_or(Threshold::AtLeast(Severity::High))
    }

    /// The licence policy of the `[license]` section, for the scan.
    pub fn license(&self) -> Option<&LicensePolicy> {
        self.license.as_ref()
    }

    /// The expected copyright holders, when the policy names them (the
    /// caller then uses them instead of the engagement's, for the scan).
    pub fn expected_holders(&self) -> Option<&[String]> {
        self.expected_holders.as_deref()
    }

    /// The required deliverables, in file order.
    pub fn deliverables(&self) -> &[Deliverable] {
        &self.deliverables
    }

    /// How many days old the advisory snapshot may be at review time; `None`
    /// when the policy does not check it.
    pub fn max_advisory_age_days(&self) -> Option<u32> {
        self.max_advisory_age_days
    }

    /// The lowest severity of an unmitigated threat that blocks
    /// acceptance (`[threats] block_at`, `high` unless the policy says).
    pub fn threat_threshold(&self) -> Threshold {
        self.threats_block_at
    }

    /// The threshold a finding is judged by: its category's, or for
    /// [`THREAT_UNMITIGATED_RULE`] the policy's threat threshold.
    pub fn threshold_of(&self, finding: &oversight_model::Finding) -> Threshold {
        if finding.rule.id == THREAT_UNMITIGATED_RULE {
            self.threats_block_at
        } else {
            self.threshold(finding.category())
        }
    }

    /// What the policy requires of the git posture (`[git]`).
    pub fn git(&self) -> &GitPolicy {
        &self.git
    }

    /// What the policy says about waivers.
    pub fn waivers(&self) -> &WaiverRules {
        &self.waivers
    }

    /// Whether a waiver may lift findings of `category`.
    pub fn is_waivable(&self, category: Category) -> bool {
        !self.waivers.not_waivable.contains(&category)
    }

    /// The policy text exactly as read (kept with the decision's evidence).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// SHA-256 (lower-case hex) of [`Policy::text`].
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(body: &str) -> Policy {
        let text = format!("schema = 1\nname = \"t\"\nversion = \"1\"\n{body}");
        Policy::parse(&text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_default_policy_is_demanding() {
        let p = Policy::default_policy();
        assert_eq!(p.name(), "oversight-default");
        let at = Threshold::AtLeast;
        let expected = [
            (Category::Malicious, at(Severity::Medium)),
            (Category::Secret, at(Severity::Low)),
            (Category::License, at(Severity::High)),
            (Category::Vulnerability, at(Severity::High)),
            (Category::Coverage, at(Severity::High)),
            (Category::Integrity, at(Severity::High)),
            (Category::Privacy, at(Severity::High)),
            (Category::Policy, at(Severity::High)),
        ];
        for (category, threshold) in expected {
            assert_eq!(p.threshold(category), threshold, "{category}");
        }
        assert_eq!(p.max_advisory_age_days(), Some(30));
        assert_eq!(p.waivers().max_days, Some(90));
        assert!(!p.is_waivable(Category::Malicious));
        assert!(p.is_waivable(Category::Secret));
        assert!(p.deliverables().is_empty());
        assert!(p.license().is_none());
        assert_eq!(p.sha256().len(), 64);
    }

    #[test]
    fn the_example_policy_sets_every_key() {
        let text = include_str!("../../../examples/policy.toml");
        let p = Policy::parse(text, "examples/policy.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.name(), "portal-acceptance");
        assert!(p.license().is_some());
        assert_eq!(
            p.expected_holders(),
            Some(
                &[
                    "Example Organisation Ltd".to_owned(),
                    "Acme Development GmbH".to_owned()
                ][..]
            )
        );
        assert_eq!(p.max_advisory_age_days(), Some(7));
        let kinds: Vec<DeliverableKind> = p.deliverables().iter().map(Deliverable::kind).collect();
        assert_eq!(kinds, DeliverableKind::ALL, "every kind is shown");
        assert_eq!(p.waivers().not_waivable, [Category::Malicious]);
        assert_eq!(p.waivers().max_days, Some(60));
        for category in Category::ALL {
            let line = format!("\n{} = ", category.as_str());
            assert!(text.contains(&line), "the example sets {category}");
        }
    }

    #[test]
    fn thresholds_per_category_with_default_and_never() {
        let p = policy(
            "[thresholds]\ndefault = \"medium\"\nlicense = \"never\"\nsecret = \"info\"\nvulnerability = \"Critical\"\n",
        );
        assert_eq!(p.threshold(Category::License), Threshold::Never);
        assert_eq!(
            p.threshold(Category::Secret),
            Threshold::AtLeast(Severity::Info)
        );
        assert_eq!(
            p.threshold(Category::Vulnerability),
            Threshold::AtLeast(Severity::Critical)
        );
        assert_eq!(
            p.threshold(Category::Integrity),
            Threshold::AtLeast(Severity::Medium)
        );
        assert!(!p.threshold(Category::License).blocks(Severity::Critical));
        assert!(p.threshold(Category::Secret).blocks(Severity::Info));
        assert!(!p.threshold(Category::Vulnerability).blocks(Severity::High));
        assert!(p.threshold(Category::Integrity).blocks(Severity::Medium));
        assert!(!p.threshold(Category::Integrity).blocks(Severity::Low));
        // Without `default`, unlisted categories block from high.
        let p = policy("[thresholds]\nsecret = \"low\"\n");
        assert_eq!(
            p.threshold(Category::Privacy),
            Threshold::AtLeast(Severity::High)
        );
        assert_eq!(
            Threshold::AtLeast(Severity::Low).to_string(),
            "low and above"
        );
    }

    #[test]
    fn the_license_section_is_the_licence_policy() {
        let p = policy(
            "[license]\nallow = [\"MIT\", \"Apache-2.0\"]\ndeny-categories = [\"strong-copyleft\"]\n",
        );
        let licence = p.license().expect("licence policy");
        let allowed = |e: &str| licence.evaluate(&spdx_expression(e)).is_ok();
        assert!(allowed("MIT"));
        assert!(allowed("MIT OR GPL-3.0-only"));
        assert!(!allowed("GPL-3.0-only"));
        assert!(!allowed("BSD-3-Clause"), "not in the allow list");
        // An inline table is the same policy.
        let inline = policy("license = { allow = [\"MIT\"] }\n");
        assert!(
            inline
                .license()
                .expect("licence")
                .evaluate(&spdx_expression("MIT"))
                .is_ok()
        );
    }

    fn spdx_expression(text: &str) -> spdx::Expression {
        spdx::Expression::parse(text).expect("an SPDX expression")
    }

    #[test]
    fn deliverables_use_default_globs_case_insensitively_and_explicit_ones_as_written() {
        let p = policy(
            "[[deliverables]]\nkind = \"license\"\n[[deliverables]]\nkind = \"sbom\"\n[[deliverables]]\nkind = \"path\"\npaths = [\"docs/*.pdf\"]\ndescription = \"signed threat model\"\n",
        );
        let [license, sbom, path] = p.deliverables() else {
            panic!("three deliverables");
        };
        assert!(license.matches("LICENSE"));
        assert!(license.matches("License.txt"));
        assert!(license.matches("COPYING"));
        assert!(
            license.matches("release.zip!/LICENSE"),
            "top-level archive member"
        );
        assert!(!license.matches("vendor/x/LICENSE"), "only at the root");
        assert!(!license.matches("a.zip!/b.zip!/LICENSE"), "nested archive");
        assert!(
            !license.matches("dir/a.zip!/LICENSE"),
            "archive not at the top"
        );
        assert!(sbom.matches("bom.json"));
        assert!(sbom.matches("dist/app.cdx.json"));
        assert!(sbom.matches("out/sbom-app.json"));
        assert!(sbom.matches("x.tar.gz!/meta/app.spdx.json"));
        assert!(!sbom.matches("dist/app.json"));
        assert!(path.matches("docs/threat.pdf"));
        assert!(
            !path.matches("docs/sub/threat.pdf"),
            "`*` does not cross `/`"
        );
        assert!(!path.matches("docs/threat.PDF"), "explicit globs keep case");
        assert_eq!(path.label(), "signed threat model");
        assert_eq!(license.label(), "license");
        assert_eq!(license.globs(), ["LICENSE*", "LICENCE*", "COPYING*"]);
    }
}
