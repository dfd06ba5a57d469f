//! `Gemfile.lock` / `gems.locked`, parsed by hand (Bundler's own indented
//! format).
//!
//! Gems come from `GEM` sections (a registry) and `GIT` sections; `PATH`
//! sections are the project's own gems and are left out. Indentation is the
//! dependency level: a spec at four spaces, its dependencies at six. Gems
//! named in `DEPENDENCIES` are direct. A platform suffix
//! (`nokogiri (1.16.0-x86_64-linux)`) is not part of the version; it becomes
//! the `platform` purl qualifier. `CHECKSUMS` (Bundler 2.5+) gives SHA-256s.

use std::collections::{HashMap, HashSet};

use oversight_model::Directness;

use crate::collect::{Entry, Out, dep_key, hex_hash};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Gem,
    Git,
    Path,
    Dependencies,
    Checksums,
    Other,
}

struct Spec {
    line: u32,
    name: String,
    version: String,
    platform: Option<String>,
    git: Option<String>,
    deps: Vec<String>,
}

/// `name (version)` → (name, Some(version)); `name` → (name, None).
fn name_and_paren(s: &str) -> (&str, Option<&str>) {
    match s.split_once(" (") {
        Some((n, rest)) => (n.trim(), Some(rest.trim_end_matches(')').trim())),
        None => (s.trim().trim_end_matches('!'), None),
    }
}

/// `1.16.0-x86_64-linux` → (`1.16.0`, `x86_64-linux`).
fn split_platform(v: &str) -> (&str, Option<&str>) {
    match v.split_once('-') {
        Some((v, p)) => (v, Some(p)),
        None => (v, None),
    }
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let mut section = Section::Other;
    let mut seen_section = false;
    let mut remote: Option<String> = None;
    let mut revision: Option<String> = None;
    let mut in_specs = false;
    let mut specs: Vec<Spec> = Vec::new();
    let mut direct: Option<HashSet<String>> = None;
    let mut checksums: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        let content = line.trim_start();
        let indent = line.len() - content.len();
        if indent == 0 {
            seen_section = true;
            in_specs = false;
            remote = None;
            revision = None;
            section = match content {
                "GEM" | "PLUGIN SOURCE" => Section::Gem,
                "GIT" => Section::Git,
                "PATH" => Section::Path,
                "DEPENDENCIES" => {
                    direct.get_or_insert_with(HashSet::new);
                    Section::Dependencies
                }
                "CHECKSUMS" => Section::Checksums,
                _ => Section::Other,
            };
            continue;
        }
        match section {
            Section::Gem | Section::Git | Section::Path => {
                if indent == 2 {
                    in_specs = content == "specs:";
                    if let Some(r) = content.strip_prefix("remote:") {
                        remote = Some(r.trim().to_owned());
                    } else if let Some(r) = content.strip_prefix("revision:") {
                        revision = Some(r.trim().to_owned());
                    }
                    continue;
                }
                if !in_specs || section == Section::Path {
                    continue;
                }
                if indent == 4 {
                    let (name, version) = name_and_paren(content);
                    let Some(version) = version.filter(|v| !v.is_empty() && !name.is_empty())
                    else {
                        out.bad_entry(Some(n), content, "a spec line is `name (version)`");
                        continue;
                    };
                    let (version, platform) = split_platform(version);
                    let git = (section == Section::Git).then(|| match (&remote, &revision) {
                        (Some(r), Some(rev)) => format!("git+{r}@{rev}"),
                        (Some(r), None) => format!("git+{r}"),
                        _ => String::new(),
                    });
                    specs.push(Spec {
                        line: n,
                        name: name.to_owned(),
                        version: version.to_owned(),
                        platform: platform.map(str::to_owned),
                        git,
                        deps: Vec::new(),
                    });
                } else if indent >= 6
                    && let Some(spec) = specs.last_mut()
                    && spec.line < n
                {
                    let (dep, _) = name_and_paren(content);
                    if !dep.is_empty() && !spec.deps.iter().any(|d| d == dep) {
                        spec.deps.push(dep.to_owned());
                    }
                }
            }
            Section::Dependencies if indent == 2 => {
                let (name, _) = name_and_paren(content);
                if let Some(d) = direct.as_mut() {
                    d.insert(name.to_owned());
                }
            }
            Section::Checksums if indent == 2 => {
                // `name (version[-platform]) sha256=hex[,sha512=…]`
                if let Some((head, sums)) = content.rsplit_once(") ")
                    && let Some((name, v)) = head.split_once(" (")
                {
                    let (version, _) = split_platform(v);
                    for sum in sums.split(',') {
                        if let Some(hex) = sum.trim().strip_prefix("sha256=") {
                            checksums
                                .entry((name.to_owned(), version.to_owned()))
                                .or_default()
                                .push(hex.to_owned());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if !seen_section {
        out.malformed(
            Some(1),
            "No Bundler section (`GEM`, `GIT`, `PATH`, `DEPENDENCIES`)",
        );
        return;
    }
    let versions: HashMap<&str, &str> = specs
        .iter()
        .map(|s| (s.name.as_str(), s.version.as_str()))
        .collect();
    for s in &specs {
        let directness = match &direct {
            Some(d) if d.contains(&s.name) => Directness::Direct,
            Some(_) => Directness::Transitive,
            None => Directness::Unknown,
        };
        let depends_on = s
            .deps
            .iter()
            .map(|d| match versions.get(d.as_str()) {
                Some(v) => dep_key(d, v),
                None => d.clone(),
            })
            .collect();
        let mut entry = Entry::new(&s.name, &s.version)
            .directness(directness)
            .line(Some(s.line))
            .depends_on(depends_on);
        entry.hashes = checksums
            .get(&(s.name.clone(), s.version.clone()))
            .map(|l| l.iter().filter_map(|h| hex_hash("sha256", h)).collect())
            .unwrap_or_default();
        if let Some(p) = &s.platform {
            entry.qualifiers.push(("platform", p.clone()));
        }
        if let Some(g) = &s.git {
            entry.qualifiers.push(("vcs_url", g.clone()));
        }
        out.add(entry);
    }
}
