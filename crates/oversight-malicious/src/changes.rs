//! What changed between two deliveries that decides what runs: install
//! hooks, build scripts, CI workflows, network endpoints and exec sites.
//!
//! # What it detects
//!
//! Given what changed since the engagement's last accepted delivery (files
//! added or changed, findings that are new), [`sensitive_changes`] names
//! each change to code that runs at install or build time, to a CI
//! workflow, or that brings a new network endpoint or exec site (a new
//! finding of the `malicious` category: a network call at import, a
//! download, an executed string…). Each is a
//! `malicious.sensitive-change` (high), even when the finding that
//! revealed it is low on its own.
//!
//! # Why it matters
//!
//! A backdoor added in an update is the attack that matters most
//! (event-stream 3.3.6, ua-parser-js 0.7.29, the xz-utils build scripts):
//! the first delivery was reviewed and accepted, the next one differs by a
//! few lines in a hook or a build script that nobody reads again.
//!
//! # Example
//!
//! ```
//! use oversight_malicious::changes::{sensitive_changes, Site};
//!
//! let found = sensitive_changes(
//!     &[],
//!     &["package.json".to_owned(), "src/lib.js".to_owned()],
//!     &[("malicious.import-time-network", "src/lib.js")],
//! );
//! assert_eq!(found[0].site, Site::InstallHook);
//! assert_eq!(found[1].site, Site::NetworkOrExec);
//! ```
//!
//! # How to resolve or accept
//!
//! Read the diff of the named file against the accepted delivery; accept
//! with a waiver naming the change when it is the one the supplier
//! announced.
//!
//! # References
//!
//! MITRE ATT&CK T1195.002 (Compromise Software Supply Chain); SLSA's
//! "two-person review of changes"; the event-stream, ua-parser-js and
//! xz-utils incidents.
//!
//! Wiring: `oversight review --diff` prints these after the decision. Making
//! them findings of the review itself (so the policy weighs them) needs the
//! application layer to compare with the last accepted delivery before the
//! decision; see the README's malicious-code section.

use oversight_model::{Category, Rule, Severity};

/// A change to what runs at install or build time, to CI, or a new
/// network endpoint or exec site, since the last accepted delivery.
pub static SENSITIVE_CHANGE: Rule = Rule {
    id: "malicious.sensitive-change",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "An install hook, build script, CI workflow, network endpoint or exec site is new or changed since the last accepted delivery",
    help: "Read the change against the accepted delivery: backdoors arrive in updates \
           (event-stream, ua-parser-js, xz-utils). Accept it with a waiver that names the \
           change the supplier announced.",
};

/// What kind of place changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Site {
    /// Code that runs when the package is installed (npm hooks, setup.py,
    /// gemspec extensions, NuGet init scripts).
    InstallHook,
    /// Code that runs when the delivery is built.
    BuildScript,
    /// A CI workflow or pipeline definition.
    CiWorkflow,
    /// A new finding of the `malicious` category: a network endpoint, an
    /// exec site, a download or decoded code that was not there before.
    NetworkOrExec,
}

impl Site {
    /// How a reviewer names it.
    pub fn describe(self) -> &'static str {
        match self {
            Site::InstallHook => "install hook",
            Site::BuildScript => "build script",
            Site::CiWorkflow => "CI workflow",
            Site::NetworkOrExec => "network endpoint or exec site",
        }
    }
}

/// One sensitive change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveChange {
    /// What kind of place.
    pub site: Site,
    /// The delivery path.
    pub path: String,
    /// What changed, for the message.
    pub what: String,
}

/// The kind of place a delivery path is, if it runs at install or build
/// time or defines CI.
pub fn site_of(path: &str) -> Option<Site> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if matches!(
        name,
        "package.json"
            | "setup.py"
            | "setup.cfg"
            | "extconf.rb"
            | "mkrf_conf.rb"
            | "preinstall.js"
            | "postinstall.js"
            | "install.js"
            | "init.ps1"
            | "install.ps1"
            | "chocolateyinstall.ps1"
    ) || name.ends_with(".gemspec")
        || name.ends_with(".nuspec")
    {
        return Some(Site::InstallHook);
    }
    if lower.contains(".github/workflows/")
        || lower.contains(".github/actions/")
        || matches!(
            name,
            ".gitlab-ci.yml"
                | "action.yml"
                | "action.yaml"
                | "jenkinsfile"
                | "azure-pipelines.yml"
                | ".travis.yml"
                | "bitbucket-pipelines.yml"
        )
        || lower.contains(".circleci/")
    {
        return Some(Site::CiWorkflow);
    }
    if matches!(
        name,
        "build.rs"
            | "makefile"
            | "gnumakefile"
            | "cmakelists.txt"
            | "rakefile"
            | "pyproject.toml"
            | "build.gradle"
            | "build.gradle.kts"
            | "configure"
            | "configure.ac"
            | "meson.build"
            | "dockerfile"
    ) || name.ends_with(".cmake")
        || name.ends_with(".mk")
        || name.ends_with(".m4")
    {
        return Some(Site::BuildScript);
    }
    None
}

/// The sensitive changes among `added` and `changed` files and the
/// findings new since the last accepted delivery (`(rule id, path)`).
/// Findings of any `malicious.` rule count; others do not. Sorted by path,
/// one entry per path and kind.
pub fn sensitive_changes(
    added: &[String],
    changed: &[String],
    new_findings: &[(&str, &str)],
) -> Vec<SensitiveChange> {
    let mut out: Vec<SensitiveChange> = Vec::new();
    for (paths, how) in [(added, "added"), (changed, "changed")] {
        for path in paths {
            if let Some(site) = site_of(path) {
                out.push(SensitiveChange {
                    site,
                    path: path.clone(),
                    what: format!("{} {how}", site.describe()),
                });
            }
        }
    }
    for (rule, path) in new_findings {
        if !rule.starts_with("malicious.") || *rule == SENSITIVE_CHANGE.id {
            continue;
        }
        if let Some(existing) = out
            .iter_mut()
            .find(|c| c.path == *path && c.site == Site::NetworkOrExec)
        {
            if !existing.what.contains(rule) {
                existing.what.push_str(&format!(", `{rule}`"));
            }
            continue;
        }
        out.push(SensitiveChange {
            site: Site::NetworkOrExec,
            path: (*path).to_owned(),
            what: format!("new behaviour: `{rule}`"),
        });
    }
    out.sort_by(|a, b| (&a.path, a.site).cmp(&(&b.path, b.site)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_builds_ci_and_new_behaviour_are_named() {
        let found = sensitive_changes(
            &[
                ".github/workflows/release.yml".to_owned(),
                "docs/a.md".to_owned(),
            ],
            &[
                "build.rs".to_owned(),
                "src/lib.rs".to_owned(),
                "package.json".to_owned(),
            ],
            &[
                ("malicious.import-time-network", "index.js"),
                ("malicious.raw-ip-endpoint", "index.js"),
                ("secrets.aws-access-key", "config.js"),
            ],
        );
        let sites: Vec<(Site, &str)> = found.iter().map(|c| (c.site, c.path.as_str())).collect();
        assert_eq!(
            sites,
            [
                (Site::CiWorkflow, ".github/workflows/release.yml"),
                (Site::BuildScript, "build.rs"),
                (Site::NetworkOrExec, "index.js"),
                (Site::InstallHook, "package.json"),
            ]
        );
        assert!(found[2].what.contains("raw-ip-endpoint"), "{:?}", found[2]);
    }

    #[test]
    fn ordinary_changes_are_not_sensitive() {
        assert!(
            sensitive_changes(&["src/a.py".to_owned()], &["README.md".to_owned()], &[]).is_empty()
        );
    }
}
