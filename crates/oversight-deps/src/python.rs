//! Python: pip requirements files, `poetry.lock`, `Pipfile.lock`, `uv.lock`
//! and `pdm.lock`.
//!
//! Names are kept as written; package URLs use the PEP 503 normalised name
//! and dependency edges are resolved by it. Local packages (editable,
//! directory, path, virtual sources) are the project and are left out.

use std::collections::{BTreeMap, HashMap, VecDeque};

use oversight_model::{ComponentHash, DependencyScope, Directness};
use serde::Deserialize;
use serde_json::Value;

use crate::Problem;
use crate::collect::{Entry, Out, dep_key, hex_hash};
use crate::lines::{self, JsonLines};
use crate::purl::pep503;

/// Whether a lower-cased file name is a pip requirements or constraints file.
pub(crate) fn is_requirements_name(lower: &str) -> bool {
    lower.ends_with(".txt")
        && (lower.starts_with("requirements")
            || lower.starts_with("constraints")
            || lower.ends_with("-requirements.txt")
            || lower.ends_with("_requirements.txt")
            || lower.ends_with(".requirements.txt"))
}

/// `sha256:<hex>` as poetry, uv, pdm and pip write hashes.
fn prefixed_hash(s: &str) -> Option<ComponentHash> {
    let (alg, hex) = s.split_once(':')?;
    hex_hash(alg, hex)
}

/// The PEP 508 name at the start of `s` and the rest.
fn split_name(s: &str) -> (&str, &str) {
    let end = s
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let name = s[..end].trim_end_matches(['.', '_', '-']);
    (name, &s[name.len()..])
}

// ---------------------------------------------------------------- requirements

/// Whether a requirements file is for development only, from its name.
fn requirements_scope(file_name: &str) -> DependencyScope {
    let lower = file_name.to_ascii_lowercase();
    if ["dev", "test", "lint", "doc"]
        .iter()
        .any(|w| lower.contains(w))
    {
        DependencyScope::Development
    } else {
        DependencyScope::Unknown
    }
}

/// Strips a pip comment: `#` at the start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

struct Requirement {
    line: u32,
    name: String,
    version: Option<String>,
    spec: String,
    hashes: Vec<ComponentHash>,
    /// From pip-compile's `# via` annotations: `Some(true)` when a
    /// requirements input names it, `Some(false)` when only packages do.
    via_input: Option<bool>,
}

pub(crate) fn parse_requirements(text: &str, out: &mut Out) {
    let scope = requirements_scope(out.source.file_name());
    let mut reqs: Vec<Requirement> = Vec::new();
    let mut in_via = false;
    let mut logical = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let trimmed = raw.trim();
        // pip-compile annotations below a requirement.
        if logical.is_empty() && trimmed.starts_with('#') {
            let c = trimmed.trim_start_matches('#').trim();
            if let Some(rest) = c.strip_prefix("via") {
                in_via = rest.is_empty() || rest.starts_with(char::is_whitespace);
                if in_via {
                    note_via(reqs.last_mut(), rest.trim());
                }
            } else if in_via && raw.starts_with(char::is_whitespace) && !c.is_empty() {
                note_via(reqs.last_mut(), c);
            } else {
                in_via = false;
            }
            continue;
        }
        in_via = false;
        if logical.is_empty() {
            start = n;
        }
        let content = strip_comment(raw);
        if let Some(cont) = content.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(content);
        let line = std::mem::take(&mut logical);
        requirement_line(line.trim(), start, out, &mut reqs);
    }
    if !logical.trim().is_empty() {
        requirement_line(logical.trim(), start, out, &mut reqs);
    }
    for r in reqs {
        let (version, directness) = match r.version {
            Some(v) => (
                v,
                match r.via_input {
                    Some(true) => Directness::Direct,
                    Some(false) => Directness::Transitive,
                    None => Directness::Unknown,
                },
            ),
            None => {
                let detail = if r.spec.is_empty() {
                    "no version specifier".to_owned()
                } else {
                    format!("`{}`", r.spec)
                };
                out.unversioned(Some(r.line), &r.name, detail);
                (String::new(), Directness::Direct)
            }
        };
        let mut entry = Entry::new(r.name, version)
            .directness(directness)
            .scope(scope)
            .line(Some(r.line));
        entry.hashes = r.hashes;
        out.add(entry);
    }
}

fn note_via(req: Option<&mut Requirement>, item: &str) {
    let Some(req) = req else { return };
    if item.is_empty() {
        return;
    }
    let from_input = item.starts_with("-r ") || item.starts_with("-c ");
    req.via_input = Some(req.via_input.unwrap_or(false) || from_input);
}

fn requirement_line(line: &str, n: u32, out: &mut Out, reqs: &mut Vec<Requirement>) {
    if line.is_empty() {
        return;
    }
    if line.starts_with('-') {
        option_line(line, n, out, reqs);
        return;
    }
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let req_end = tokens
        .iter()
        .position(|t| t.starts_with("--") || (t.starts_with('-') && t.len() == 2))
        .unwrap_or(tokens.len());
    let mut hashes = Vec::new();
    let mut i = req_end;
    while i < tokens.len() {
        let t = tokens[i];
        if let Some(h) = t.strip_prefix("--hash=") {
            hashes.extend(prefixed_hash(h));
        } else if t == "--hash" {
            hashes.extend(tokens.get(i + 1).and_then(|h| prefixed_hash(h)));
            i += 1;
        }
        i += 1;
    }
    let text = tokens[..req_end].join(" ");
    if let Some(r) = parse_pep508(&text, n, out) {
        reqs.push(Requirement { hashes, ..r });
    }
}

/// A PEP 508 requirement; `None` (with a problem) when it is not one.
fn parse_pep508(text: &str, n: u32, out: &mut Out) -> Option<Requirement> {
    if is_path_or_url(text) {
        if let Some(egg) = text.split("#egg=").nth(1) {
            let name = split_name(egg).0;
            if !name.is_empty() {
                return Some(requirement(n, name, None, text));
            }
        }
        if !is_local(text) {
            out.bad_entry(Some(n), text, "a URL without a package name (`#egg=`)");
        }
        return None;
    }
    let (name, rest) = split_name(text);
    if name.is_empty() {
        out.bad_entry(Some(n), text, "no package name");
        return None;
    }
    let mut rest = rest.trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        rest = r.split_once(']').map(|(_, r)| r).unwrap_or("").trim_start();
    }
    let spec_part = rest.split(';').next().unwrap_or("").trim();
    if let Some(url) = spec_part.strip_prefix('@') {
        return Some(requirement(n, name, None, &format!("@ {}", url.trim())));
    }
    let spec = spec_part
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    if spec.is_empty() {
        return Some(requirement(n, name, None, ""));
    }
    let clauses: Vec<&str> = spec.split(',').map(str::trim).collect();
    let mut exact = None;
    for c in &clauses {
        let op_len = c
            .find(|ch: char| !matches!(ch, '=' | '<' | '>' | '!' | '~'))
            .unwrap_or(c.len());
        let (op, v) = c.split_at(op_len);
        let v = v.trim();
        if !matches!(op, "==" | "===" | ">=" | "<=" | "<" | ">" | "!=" | "~=") {
            out.bad_entry(Some(n), text, format!("`{c}` is not a version specifier"));
            return None;
        }
        if v.is_empty() {
            out.bad_entry(Some(n), text, format!("no version after `{op}`"));
            return None;
        }
        if (op == "==" || op == "===") && clauses.len() == 1 && !v.contains(['*', '$']) {
            exact = Some(v.to_owned());
        }
    }
    Some(requirement(n, name, exact, spec))
}

fn requirement(line: u32, name: &str, version: Option<String>, spec: &str) -> Requirement {
    Requirement {
        line,
        name: name.to_owned(),
        version,
        spec: spec.to_owned(),
        hashes: Vec::new(),
        via_input: None,
    }
}

fn is_local(s: &str) -> bool {
    s.starts_with('.') || s.starts_with('/') || s.starts_with("file:") || s.starts_with('~')
}

/// A requirement that is a path or URL rather than `name …`: a local path,
/// or a scheme (`https://`, `git+ssh://`) before anything else.
fn is_path_or_url(s: &str) -> bool {
    is_local(s)
        || s.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

fn option_line(line: &str, n: u32, out: &mut Out, reqs: &mut Vec<Requirement>) {
    let (option, value) = match line.split_once(|c: char| c == '=' || c.is_whitespace()) {
        Some((o, v)) => (o, v.trim()),
        None => (line, ""),
    };
    match option {
        "-r" | "--requirement" | "-c" | "--constraint" => out.problem(Problem::Include {
            file: out.file.clone(),
            line: Some(n),
            option: option.to_owned(),
            target: value.to_owned(),
        }),
        "-e" | "--editable" => {
            if !is_local(value)
                && let Some(r) = parse_pep508(value, n, out)
            {
                reqs.push(r);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- poetry

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
    #[serde(default)]
    metadata: PoetryMetadata,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PoetryMetadata {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
    files: BTreeMap<String, Vec<PyFile>>,
}

#[derive(Deserialize)]
struct PyFile {
    hash: Option<String>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    files: Vec<PyFile>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    source: Option<PySource>,
}

#[derive(Deserialize)]
struct PySource {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    resolved_reference: Option<String>,
}

/// Resolves dependency names to `name@version` through PEP 503 names.
struct ByName(HashMap<String, Vec<(String, String)>>);

impl ByName {
    fn new<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut m: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for (n, v) in items {
            m.entry(pep503(n))
                .or_default()
                .push((n.to_owned(), v.to_owned()));
        }
        ByName(m)
    }

    fn key(&self, name: &str) -> String {
        match self.0.get(&pep503(name)).map(Vec::as_slice) {
            Some([(n, v)]) => dep_key(n, v),
            _ => name.to_owned(),
        }
    }
}

fn toml_malformed(out: &mut Out, text: &str, e: &toml::de::Error) {
    out.malformed(
        lines::toml_error_line(text, e),
        lines::first_line(e.message()),
    );
}

pub(crate) fn parse_poetry(text: &str, out: &mut Out) {
    let lock: PoetryLock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => return toml_malformed(out, text, &e),
    };
    if let Some(v) = &lock.metadata.lock_version
        && !matches!(v.as_str(), "1.0" | "1.1" | "1.2" | "2.0" | "2.1")
    {
        out.unknown_version(v.clone());
    }
    let headers = lines::header_lines(text, "[[package]]");
    let by_name = ByName::new(
        lock.package
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str())),
    );
    for (i, p) in lock.package.iter().enumerate() {
        let kind = p.source.as_ref().and_then(|s| s.kind.as_deref());
        if matches!(kind, Some("directory" | "file")) {
            continue;
        }
        let main = match (&p.category, &p.groups) {
            (_, Some(groups)) if !groups.is_empty() => Some(groups.iter().any(|g| g == "main")),
            (Some(c), _) => Some(c == "main"),
            _ => None,
        };
        let scope = match main {
            Some(false) => DependencyScope::Development,
            Some(true) | None if p.optional => DependencyScope::Optional,
            Some(true) => DependencyScope::Runtime,
            None => DependencyScope::Unknown,
        };
        let files = if p.files.is_empty() {
            lock.metadata
                .files
                .get(&p.name)
                .map(Vec::as_slice)
                .unwrap_or(&[])
        } else {
            &p.files
        };
        let mut entry = Entry::new(&p.name, &p.version)
            .scope(scope)
            .line(headers.get(i).copied())
            .depends_on(p.dependencies.keys().map(|d| by_name.key(d)).collect());
        entry.hashes = files
            .iter()
            .filter_map(|f| f.hash.as_deref().and_then(prefixed_hash))
            .collect();
        if kind == Some("git")
            && let Some(url) = p.source.as_ref().and_then(|s| s.url.as_deref())
        {
            let rev = p
                .source
                .as_ref()
                .and_then(|s| s.resolved_reference.as_deref());
            let vcs = match rev {
                Some(r) => format!("git+{url}@{r}"),
                None => format!("git+{url}"),
            };
            entry.qualifiers.push(("vcs_url", vcs));
        }
        out.add(entry);
    }
}

// ---------------------------------------------------------------- Pipfile.lock

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(rename = "_meta", default)]
    meta: Option<Value>,
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PipfileEntry {
    version: Option<String>,
    hashes: Vec<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    path: Option<String>,
    file: Option<String>,
    editable: bool,
}

pub(crate) fn parse_pipfile(text: &str, out: &mut Out) {
    let lock: PipfileLock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    let spec = lock
        .meta
        .as_ref()
        .and_then(|m| m.get("pipfile-spec"))
        .and_then(Value::as_u64);
    if let Some(s) = spec
        && s != 6
    {
        out.unknown_version(s.to_string());
    }
    let json_lines = JsonLines::new(text, "");
    let sections = [
        (&lock.default, DependencyScope::Runtime),
        (&lock.develop, DependencyScope::Development),
    ];
    for (section, scope) in sections {
        for (name, e) in section {
            if e.path.is_some()
                || (e.file.as_deref().is_some_and(is_local))
                || (e.editable && e.git.is_none())
            {
                continue;
            }
            let line = json_lines.object(name);
            let version = match e.version.as_deref().and_then(|v| v.strip_prefix("==")) {
                Some(v) if !v.contains('*') => v.trim().to_owned(),
                _ => {
                    let detail = match (&e.version, &e.git, &e.file) {
                        (Some(v), _, _) => format!("`{v}`"),
                        (None, Some(g), _) => format!(
                            "git `{g}`{}",
                            e.reference
                                .as_deref()
                                .map(|r| format!(" at `{r}`"))
                                .unwrap_or_default()
                        ),
                        (None, None, Some(f)) => format!("file `{f}`"),
                        _ => "no version".to_owned(),
                    };
                    out.unversioned(line, name, detail);
                    String::new()
                }
            };
            let mut entry = Entry::new(name, version).scope(scope).line(line);
            entry.hashes = e.hashes.iter().filter_map(|h| prefixed_hash(h)).collect();
            out.add(entry);
        }
    }
}

// ---------------------------------------------------------------- uv.lock

#[derive(Deserialize)]
struct UvLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<UvDep>>,
    #[serde(default)]
    sdist: Option<UvArtifact>,
    #[serde(default)]
    wheels: Vec<UvArtifact>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Deserialize)]
struct UvArtifact {
    hash: Option<String>,
}

fn uv_is_local(p: &UvPackage) -> bool {
    ["editable", "virtual", "directory", "path"]
        .iter()
        .any(|k| p.source.contains_key(*k))
}

pub(crate) fn parse_uv(text: &str, out: &mut Out) {
    let lock: UvLock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => return toml_malformed(out, text, &e),
    };
    match &lock.version {
        Some(toml::Value::Integer(1)) | None => {}
        Some(v) => out.unknown_version(v.to_string()),
    }
    let headers = lines::header_lines(text, "[[package]]");
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in lock.package.iter().enumerate() {
        by_name.entry(pep503(&p.name)).or_default().push(i);
    }
    let find = |d: &UvDep| -> Option<usize> {
        let candidates = by_name.get(&pep503(&d.name))?;
        match &d.version {
            Some(v) => candidates
                .iter()
                .copied()
                .find(|&i| lock.package[i].version.as_deref() == Some(v.as_str())),
            None => candidates.first().copied(),
        }
    };
    // Reachability from the workspace members, strongest scope first.
    let n = lock.package.len();
    let mut scope: Vec<Option<DependencyScope>> = vec![None; n];
    let mut direct = vec![false; n];
    let members: Vec<&UvPackage> = lock.package.iter().filter(|p| uv_is_local(p)).collect();
    let starts: [(DependencyScope, Vec<&UvDep>); 3] = [
        (
            DependencyScope::Runtime,
            members.iter().flat_map(|m| &m.dependencies).collect(),
        ),
        (
            DependencyScope::Optional,
            members
                .iter()
                .flat_map(|m| m.optional_dependencies.values().flatten())
                .collect(),
        ),
        (
            DependencyScope::Development,
            members
                .iter()
                .flat_map(|m| m.dev_dependencies.values().flatten())
                .collect(),
        ),
    ];
    for (s, deps) in starts {
        let mut queue: VecDeque<(usize, &[String])> = VecDeque::new();
        for d in deps {
            if let Some(i) = find(d) {
                direct[i] = true;
                queue.push_back((i, &d.extra));
            }
        }
        while let Some((i, extras)) = queue.pop_front() {
            let p = &lock.package[i];
            let fresh = scope[i].is_none();
            if fresh {
                scope[i] = Some(s);
            }
            if !fresh && extras.is_empty() {
                continue;
            }
            let mut next: Vec<&UvDep> = if fresh {
                p.dependencies.iter().collect()
            } else {
                Vec::new()
            };
            for e in extras {
                next.extend(p.optional_dependencies.get(e).into_iter().flatten());
            }
            for d in next {
                if let Some(j) = find(d)
                    && (scope[j].is_none() || !d.extra.is_empty())
                    && j != i
                {
                    queue.push_back((j, &d.extra));
                }
            }
        }
    }
    for (i, p) in lock.package.iter().enumerate() {
        if uv_is_local(p) {
            continue;
        }
        let line = headers.get(i).copied();
        let version = p.version.clone().unwrap_or_default();
        if version.is_empty() {
            out.unversioned(line, &p.name, "the entry has no version");
        }
        let depends_on = p
            .dependencies
            .iter()
            .chain(p.optional_dependencies.values().flatten())
            .map(|d| match find(d) {
                Some(j) => dep_key(
                    &lock.package[j].name,
                    lock.package[j].version.as_deref().unwrap_or(""),
                ),
                None => d.name.clone(),
            })
            .collect();
        let mut entry = Entry::new(&p.name, version)
            .directness(if members.is_empty() {
                Directness::Unknown
            } else if direct[i] {
                Directness::Direct
            } else {
                Directness::Transitive
            })
            .scope(scope[i].unwrap_or(DependencyScope::Unknown))
            .line(line)
            .depends_on(depends_on);
        entry.hashes = p
            .sdist
            .iter()
            .chain(&p.wheels)
            .filter_map(|a| a.hash.as_deref().and_then(prefixed_hash))
            .collect();
        if let Some(toml::Value::String(git)) = p.source.get("git") {
            entry.qualifiers.push(("vcs_url", format!("git+{git}")));
        }
        out.add(entry);
    }
}

// ---------------------------------------------------------------- pdm.lock

#[derive(Deserialize)]
struct PdmLock {
    #[serde(default)]
    metadata: Option<PdmMetadata>,
    #[serde(default)]
    package: Vec<PdmPackage>,
}

#[derive(Deserialize)]
struct PdmMetadata {
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct PdmPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<PyFile>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    editable: Option<bool>,
    #[serde(default)]
    git: Option<String>,
    #[serde(default)]
    revision: Option<String>,
}

pub(crate) fn parse_pdm(text: &str, out: &mut Out) {
    let lock: PdmLock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => return toml_malformed(out, text, &e),
    };
    if let Some(v) = lock
        .metadata
        .as_ref()
        .and_then(|m| m.lock_version.as_deref())
        && !(v.starts_with("4.") || v.starts_with("3."))
    {
        out.unknown_version(v);
    }
    let headers = lines::header_lines(text, "[[package]]");
    let by_name = ByName::new(
        lock.package
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_deref().unwrap_or(""))),
    );
    for (i, p) in lock.package.iter().enumerate() {
        if p.path.is_some() || (p.editable == Some(true) && p.git.is_none()) {
            continue;
        }
        let line = headers.get(i).copied();
        let version = p.version.clone().unwrap_or_default();
        if version.is_empty() {
            let detail = match (&p.git, &p.revision) {
                (Some(g), Some(r)) => format!("git `{g}` at `{r}`"),
                (Some(g), None) => format!("git `{g}`"),
                _ => "the entry has no version".to_owned(),
            };
            out.unversioned(line, &p.name, detail);
        }
        let scope = match &p.groups {
            Some(g) if g.iter().any(|g| g == "default") => DependencyScope::Runtime,
            Some(g) if !g.is_empty() => DependencyScope::Development,
            _ => DependencyScope::Unknown,
        };
        let depends_on = p
            .dependencies
            .iter()
            .map(|d| split_name(d.trim()).0)
            .filter(|n| !n.is_empty())
            .map(|n| by_name.key(n))
            .collect();
        let mut entry = Entry::new(&p.name, version)
            .scope(scope)
            .line(line)
            .depends_on(depends_on);
        entry.hashes = p
            .files
            .iter()
            .filter_map(|f| f.hash.as_deref().and_then(prefixed_hash))
            .collect();
        out.add(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_names() {
        for n in [
            "requirements.txt",
            "requirements-dev.txt",
            "dev-requirements.txt",
            "constraints.txt",
        ] {
            assert!(is_requirements_name(n), "{n}");
        }
        for n in ["requirements.in", "notes.txt", "myrequirements.md"] {
            assert!(!is_requirements_name(n), "{n}");
        }
    }

    #[test]
    fn names_split_at_pep508_boundary() {
        assert_eq!(split_name("foo-bar[x]>=1"), ("foo-bar", "[x]>=1"));
        assert_eq!(split_name("foo17--hash==1.0"), ("foo17--hash", "==1.0"));
        assert_eq!(split_name("==1.0"), ("", "==1.0"));
    }

    #[test]
    fn comments_need_whitespace_before() {
        assert_eq!(strip_comment("a==1 # c"), "a==1 ");
        assert_eq!(
            strip_comment("a==1 --hash=sha256:x;#"),
            "a==1 --hash=sha256:x;#"
        );
    }
}
