//! Gradle dependency locks (`gradle.lockfile`, `buildscript-gradle.lockfile`,
//! and the per-configuration `*.lockfile` of older Gradle): one
//! `group:artifact:version=configuration,…` per line.
//!
//! A component locked only in test configurations is a development
//! dependency; the lock does not say which are direct.

use oversight_model::DependencyScope;

use crate::collect::{Entry, Out};

pub(crate) fn parse(text: &str, out: &mut Out) {
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coords, configs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coords.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            out.bad_entry(
                Some(n),
                line,
                "a lock line is `group:artifact:version=configurations`",
            );
            continue;
        };
        if [group, artifact, version]
            .iter()
            .any(|p| p.trim().is_empty())
        {
            out.bad_entry(
                Some(n),
                line,
                "a lock line is `group:artifact:version=configurations`",
            );
            continue;
        }
        let configs: Vec<&str> = configs
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let scope = if configs.is_empty() {
            DependencyScope::Unknown
        } else if configs
            .iter()
            .all(|c| c.to_ascii_lowercase().contains("test"))
        {
            DependencyScope::Development
        } else {
            DependencyScope::Runtime
        };
        out.add(
            Entry::new(
                format!("{}:{}", group.trim(), artifact.trim()),
                version.trim(),
            )
            .scope(scope)
            .line(Some(n)),
        );
    }
}
