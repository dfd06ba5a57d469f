//! `pubspec.lock` (Dart and Flutter).
//!
//! Each package says whether it is `direct main`, `direct dev`,
//! `direct overridden` or `transitive`. Packages from `path` sources are the
//! project's own; `sdk` packages ship with the Flutter or Dart SDK and are
//! not pub packages; both are left out.

use std::collections::{BTreeMap, HashMap};

use oversight_model::{DependencyScope, Directness};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::collect::{Entry, Out, hex_hash};
use crate::yarn::{yaml_malformed, yaml_options};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    packages: Option<HashMap<Spanned<String>, Option<Package>>>,
    #[serde(default)]
    sdks: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Description {
    Details {
        #[serde(default)]
        sha256: Option<String>,
        #[serde(default)]
        url: Option<String>,
        #[serde(default, rename = "resolved-ref")]
        resolved_ref: Option<String>,
    },
    /// A plain name (`sdk` packages): nothing to record.
    Other(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    dependency: Option<String>,
    #[serde(default)]
    description: Option<Description>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let lock: Lock = match serde_saphyr::from_str_with_options(text, yaml_options(text.len())) {
        Ok(l) => l,
        Err(e) => return yaml_malformed(out, &e),
    };
    let _ = lock.sdks;
    let mut packages: Vec<(u32, &str, &Package)> = Vec::new();
    for (k, p) in lock.packages.iter().flatten() {
        let line = k.referenced.line() as u32;
        match p {
            Some(p) => packages.push((line, k.value.as_str(), p)),
            None => out.bad_entry(Some(line), k.value.clone(), "the entry is empty"),
        }
    }
    packages.sort_by_key(|(line, _, _)| *line);
    for (line, name, p) in packages {
        if matches!(p.source.as_deref(), Some("path" | "sdk")) {
            continue;
        }
        let (directness, scope) = match p.dependency.as_deref() {
            Some("direct main") => (Directness::Direct, DependencyScope::Runtime),
            Some("direct dev") => (Directness::Direct, DependencyScope::Development),
            Some("direct overridden") => (Directness::Direct, DependencyScope::Unknown),
            Some("transitive") => (Directness::Transitive, DependencyScope::Unknown),
            _ => (Directness::Unknown, DependencyScope::Unknown),
        };
        let version = p.version.clone().unwrap_or_default();
        if version.is_empty() {
            out.unversioned(Some(line), name, "the entry has no version");
        }
        let mut entry = Entry::new(name, version)
            .directness(directness)
            .scope(scope)
            .line(Some(line));
        if let Some(Description::Details {
            sha256,
            url,
            resolved_ref,
        }) = &p.description
        {
            entry
                .hashes
                .extend(sha256.as_deref().and_then(|h| hex_hash("sha256", h)));
            if p.source.as_deref() == Some("git")
                && let Some(url) = url
            {
                let vcs = match resolved_ref {
                    Some(r) => format!("git+{url}@{r}"),
                    None => format!("git+{url}"),
                };
                entry.qualifiers.push(("vcs_url", vcs));
            }
        }
        out.add(entry);
    }
}
