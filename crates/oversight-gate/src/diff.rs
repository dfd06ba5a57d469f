//! What changed between two deliveries of an engagement: the question a
//! reviewer asks first when a supplier resubmits ("what did you change?").

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::facts::DeliveryFacts;

/// Added and removed members of one kind of fact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Present now, not before.
    pub added: Vec<String>,
    /// Present before, not now.
    pub removed: Vec<String>,
}

impl Change {
    fn of<'a>(
        before: impl IntoIterator<Item = &'a String>,
        after: impl IntoIterator<Item = &'a String>,
    ) -> Change {
        let before: BTreeSet<&String> = before.into_iter().collect();
        let after: BTreeSet<&String> = after.into_iter().collect();
        Change {
            added: after.difference(&before).map(|s| (*s).clone()).collect(),
            removed: before.difference(&after).map(|s| (*s).clone()).collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The difference between an earlier delivery and a later one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryDiff {
    /// Files by path.
    pub files: Change,
    /// Files at the same path whose content changed.
    pub files_changed: Vec<String>,
    /// Components (`ecosystem:name`) that appeared or went.
    pub components: Change,
    /// Components whose versions changed: `ecosystem:name` → (before, after).
    pub versions: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Licence expressions.
    pub licences: Change,
    /// Copyright holders.
    pub holders: Change,
    /// Compiled artefacts by path.
    pub binaries: Change,
    /// Findings by fingerprint, shown as `rule path`.
    pub findings: Change,
}

impl DeliveryDiff {
    /// Compares `before` with `after`.
    pub fn between(before: &DeliveryFacts, after: &DeliveryFacts) -> DeliveryDiff {
        let files = Change::of(before.files.keys(), after.files.keys());
        let files_changed = after
            .files
            .iter()
            .filter(|(path, hash)| before.files.get(*path).is_some_and(|old| old != *hash))
            .map(|(path, _)| path.clone())
            .collect();
        let components = Change::of(before.components.keys(), after.components.keys());
        let versions = after
            .components
            .iter()
            .filter_map(|(key, now)| {
                let old = before.components.get(key)?;
                (old != now).then(|| (key.clone(), (old.clone(), now.clone())))
            })
            .collect();
        let named = |facts: &DeliveryFacts, fingerprints: &BTreeSet<&String>| -> Vec<String> {
            fingerprints
                .iter()
                .map(|fp| format!("{} [{}]", facts.findings[*fp], &fp[..fp.len().min(12)]))
                .collect()
        };
        let old_findings: BTreeSet<&String> = before.findings.keys().collect();
        let new_findings: BTreeSet<&String> = after.findings.keys().collect();
        let findings = Change {
            added: named(
                after,
                &new_findings.difference(&old_findings).copied().collect(),
            ),
            removed: named(
                before,
                &old_findings.difference(&new_findings).copied().collect(),
            ),
        };
        DeliveryDiff {
            files,
            files_changed,
            components,
            versions,
            licences: Change::of(&before.licences, &after.licences),
            holders: Change::of(&before.holders, &after.holders),
            binaries: Change::of(&before.binaries, &after.binaries),
            findings,
        }
    }

    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.files_changed.is_empty()
            && self.components.is_empty()
            && self.versions.is_empty()
            && self.licences.is_empty()
            && self.holders.is_empty()
            && self.binaries.is_empty()
            && self.findings.is_empty()
    }

    /// The diff for a terminal: one section per kind of change, at most
    /// `limit` lines per section.
    pub fn render(&self, limit: usize) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let mut section = |title: &str, sign: char, items: &[String]| {
            if items.is_empty() {
                return;
            }
            let _ = writeln!(out, "{title} ({}):", items.len());
            for item in items.iter().take(limit) {
                let _ = writeln!(out, "  {sign} {item}");
            }
            if items.len() > limit {
                let _ = writeln!(out, "  … {} more", items.len() - limit);
            }
        };
        section("Files added", '+', &self.files.added);
        section("Files removed", '-', &self.files.removed);
        section("Files changed", '~', &self.files_changed);
        section("Components added", '+', &self.components.added);
        section("Components removed", '-', &self.components.removed);
        let versions: Vec<String> = self
            .versions
            .iter()
            .map(|(k, (a, b))| format!("{k} {} -> {}", a.join(","), b.join(",")))
            .collect();
        section("Component versions changed", '~', &versions);
        section("Licences added", '+', &self.licences.added);
        section("Licences removed", '-', &self.licences.removed);
        section("Copyright holders added", '+', &self.holders.added);
        section("Copyright holders removed", '-', &self.holders.removed);
        section("Binaries added", '+', &self.binaries.added);
        section("Binaries removed", '-', &self.binaries.removed);
        section("New findings", '+', &self.findings.added);
        section("Resolved findings", '-', &self.findings.removed);
        if out.is_empty() {
            out.push_str(
                "No change: the same files, components, licences, holders and findings.\n",
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> DeliveryFacts {
        DeliveryFacts {
            schema: crate::facts::FACTS_SCHEMA.into(),
            files: [("a.rs", "11"), ("b.rs", "22")]
                .into_iter()
                .map(|(p, h)| (p.to_owned(), h.to_owned()))
                .collect(),
            components: [("crates.io:serde".to_owned(), vec!["1.0.0".to_owned()])].into(),
            licences: vec!["MIT".into()],
            holders: vec!["Acme GmbH".into()],
            binaries: vec![],
            findings: [("f".repeat(32), "secret.aws a.rs".to_owned())].into(),
        }
    }

    #[test]
    fn every_kind_of_change_is_reported() {
        let before = facts();
        let mut after = facts();
        after.files.remove("b.rs");
        after.files.insert("a.rs".into(), "99".into());
        after.files.insert("tool.exe".into(), "33".into());
        after
            .components
            .insert("crates.io:serde".into(), vec!["1.0.1".into()]);
        after
            .components
            .insert("npm:left-pad".into(), vec!["1.3.0".into()]);
        after.licences.push("GPL-3.0-only".into());
        after.holders = vec!["Other Client plc".into()];
        after.binaries.push("tool.exe".into());
        after.findings.clear();
        after.findings.insert(
            "e".repeat(32),
            "malicious.compiled-artifact tool.exe".into(),
        );
        let diff = DeliveryDiff::between(&before, &after);
        assert_eq!(diff.files.added, ["tool.exe"]);
        assert_eq!(diff.files.removed, ["b.rs"]);
        assert_eq!(diff.files_changed, ["a.rs"]);
        assert_eq!(diff.components.added, ["npm:left-pad"]);
        assert_eq!(
            diff.versions["crates.io:serde"],
            (vec!["1.0.0".into()], vec!["1.0.1".into()])
        );
        assert_eq!(diff.licences.added, ["GPL-3.0-only"]);
        assert_eq!(diff.holders.added, ["Other Client plc"]);
        assert_eq!(diff.holders.removed, ["Acme GmbH"]);
        assert_eq!(diff.binaries.added, ["tool.exe"]);
        assert_eq!(
            diff.findings.added,
            [format!(
                "malicious.compiled-artifact tool.exe [{}]",
                "e".repeat(12)
            )]
        );
        assert_eq!(
            diff.findings.removed,
            [format!("secret.aws a.rs [{}]", "f".repeat(12))]
        );
        let text = diff.render(10);
        assert!(text.contains("Files added (1):\n  + tool.exe"), "{text}");
        assert!(DeliveryDiff::between(&before, &before).is_empty());
    }
}
