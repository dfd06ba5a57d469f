//! RustSec advisory-db native format: `crates/<name>/RUSTSEC-*.md`, TOML
//! front matter in a ```` ```toml ```` fenced block, then Markdown whose
//! first `# ` heading is the title.

use serde::Deserialize;

use crate::model::{Advisory, AdvisorySeverity, Affected, Rating, Requirements};
use crate::osv::{Reason, rate_vectors};

#[derive(Deserialize)]
struct Front {
    advisory: Meta,
    #[serde(default)]
    versions: Option<Versions>,
    #[serde(default)]
    affected: Option<AffectedSection>,
}

#[derive(Deserialize)]
struct Meta {
    id: String,
    package: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<toml::Value>,
}

#[derive(Deserialize)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

#[derive(Deserialize)]
struct AffectedSection {
    #[serde(default)]
    functions: Option<toml::Table>,
}

/// Parses one RustSec Markdown advisory.
pub(crate) fn parse(text: &str) -> Result<Advisory, Reason> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text
        .trim_start()
        .strip_prefix("```toml")
        .ok_or("No ```toml front matter at the start of the file")?;
    let end = body
        .find("\n```")
        .ok_or("The ```toml front matter is not closed")?;
    let (toml_text, rest) = body.split_at(end);
    let front: Front = toml::from_str(toml_text)
        .map_err(|e| format!("Invalid RustSec front matter: {}", e.message()))?;
    let meta = front.advisory;
    let versions = front.versions.ok_or("No [versions] section")?;
    for req in versions.patched.iter().chain(&versions.unaffected) {
        semver::VersionReq::parse(req)
            .map_err(|e| format!("Invalid version requirement `{req}`: {e}"))?;
    }
    let title = meta.title.clone().or_else(|| {
        rest.trim_start_matches('`')
            .lines()
            .find_map(|l| l.strip_prefix("# ").map(|t| t.trim().to_owned()))
    });
    let rating = meta
        .cvss
        .as_deref()
        .and_then(|v| rate_vectors([v]))
        .unwrap_or(Rating {
            level: if meta.informational.is_some() {
                AdvisorySeverity::Informational
            } else {
                AdvisorySeverity::Unknown
            },
            score: None,
            vector: None,
        });
    let functions = front
        .affected
        .and_then(|a| a.functions)
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default();
    Ok(Advisory {
        url: Some(format!("https://rustsec.org/advisories/{}.html", meta.id)),
        modified: meta.date.map(|d| match d {
            toml::Value::String(s) => s,
            other => other.to_string(),
        }),
        id: meta.id,
        aliases: meta.aliases,
        summary: title.unwrap_or_default(),
        withdrawn: meta.withdrawn.is_some(),
        informational: meta.informational.map(|s| s.trim().to_owned()),
        rating,
        affected: vec![Affected {
            ecosystem: "crates.io".into(),
            name: meta.package,
            ranges: Vec::new(),
            versions: Vec::new(),
            requirements: Some(Requirements {
                patched: versions.patched,
                unaffected: versions.unaffected,
            }),
            functions,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_fields() {
        let md = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"demo\"\ndate = 2099-01-01\nwithdrawn = 2099-02-02\ninformational = \"unsound\"\naliases = [\"CVE-2099-1\"]\n\n[affected.functions]\n\"demo::f\" = [\"< 1.0\"]\n\n[versions]\npatched = [\">= 1.0\"]\nunaffected = [\"< 0.1\"]\n```\n\n# A title\n\nBody.\n";
        let adv = parse(md).unwrap();
        assert_eq!(adv.id, "RUSTSEC-2099-0001");
        assert_eq!(adv.summary, "A title");
        assert!(adv.withdrawn);
        assert_eq!(adv.informational.as_deref(), Some("unsound"));
        assert_eq!(adv.rating.level, AdvisorySeverity::Informational);
        assert_eq!(adv.affected[0].functions, ["demo::f"]);
        let req = adv.affected[0].requirements.as_ref().unwrap();
        assert_eq!(req.patched, [">= 1.0"]);
        assert_eq!(req.unaffected, ["< 0.1"]);
    }

    #[test]
    fn broken_files_are_errors() {
        assert!(parse("# no front matter").is_err());
        assert!(parse("```toml\n[advisory]\nid = \"X\"\n").is_err());
        assert!(parse("```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\n[versions]\npatched = [\"not a req\"]\n```\n").is_err());
    }
}
