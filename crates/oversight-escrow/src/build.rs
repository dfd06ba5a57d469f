//! What a delivery's build files say, for completeness (level 2): which
//! files are build instructions and toolchain statements, whether the
//! toolchains are named by version, whether the files the build files
//! refer to exist, whether every SBOM component is pinned and resolvable,
//! and whether a compiled file has its source beside it.
//!
//! Everything is read, nothing is run: build files are parsed as data.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::verify::Problem;

/// Files that name a toolchain version.
const TOOLCHAIN_FILES: &[&str] = &[
    "rust-toolchain",
    "rust-toolchain.toml",
    ".nvmrc",
    ".node-version",
    ".python-version",
    "runtime.txt",
    ".tool-versions",
    ".ruby-version",
    ".java-version",
    ".go-version",
    ".sdkmanrc",
    "global.json",
    "gradle-wrapper.properties",
];

/// Files that say how to build.
const BUILD_FILES: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "go.mod",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "Makefile",
    "GNUmakefile",
    "CMakeLists.txt",
    "meson.build",
    "Dockerfile",
    "Containerfile",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "Gemfile",
    "composer.json",
    "BUILD.bazel",
    "WORKSPACE",
    "MODULE.bazel",
    "justfile",
];

/// Lockfiles: each entry pins an exact version from a declared registry.
const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "pubspec.lock",
    "mix.lock",
    "conan.lock",
];

/// Manifests whose versions are requirements (ranges), not pins, unless
/// the manifest is a vendored package's own.
const RANGE_MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "Pipfile",
    "setup.py",
    "setup.cfg",
    "Gemfile",
    "composer.json",
    "pubspec.yaml",
    "mix.exs",
];

/// Directories whose content is vendored third-party code.
const VENDOR_DIRS: &[&str] = &[
    "vendor",
    "node_modules",
    "third_party",
    "third-party",
    "thirdparty",
    "vendored",
    "site-packages",
    "external",
];

/// Bytes of a build file read for level 2; larger ones are named as not checked.
pub const MAX_BUILD_FILE: u64 = 8 << 20;

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for segment in rel.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

fn is_requirements(name: &str) -> bool {
    name.starts_with("requirements") && name.ends_with(".txt")
}

/// Whether delivered file `path` is a build instruction or a toolchain
/// statement (listed in the deposit's manifest).
pub fn is_build_instruction(path: &str) -> bool {
    let name = base(path);
    let lower = name.to_ascii_lowercase();
    TOOLCHAIN_FILES.contains(&name)
        || BUILD_FILES.contains(&name)
        || is_dockerfile(name)
        || is_requirements(name)
        || lower.starts_with("building")
        || lower.starts_with("install")
        || name.ends_with(".csproj")
        || name.ends_with(".sln")
}

/// Whether level 2 reads the content of delivered file `path`.
pub fn wants_content(path: &str) -> bool {
    let name = base(path);
    TOOLCHAIN_FILES.contains(&name)
        || BUILD_FILES.contains(&name)
        || is_dockerfile(name)
        || LOCKFILES.contains(&name)
}

fn in_vendored_dir(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|segment| VENDOR_DIRS.contains(&segment))
}

/// The delivered tree as level 2 sees it.
#[derive(Debug, Default)]
pub struct Tree {
    /// Every delivered file in the deposit.
    pub files: BTreeSet<String>,
    /// The content of the files [`wants_content`] names, up to
    /// [`MAX_BUILD_FILE`].
    pub contents: BTreeMap<String, Vec<u8>>,
    /// Compiled files, with what they are.
    pub binaries: Vec<(String, String)>,
}

impl Tree {
    fn exists_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    fn exists_dir(&self, path: &str) -> bool {
        if path.is_empty() {
            return !self.files.is_empty();
        }
        let prefix = format!("{path}/");
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|f| f.starts_with(&prefix))
    }

    fn exists(&self, path: &str) -> bool {
        self.exists_file(path) || self.exists_dir(path)
    }

    /// Whether a path matching `pattern` (one `*` wildcard per segment,
    /// `**` for any depth) exists, file or directory.
    fn matches(&self, pattern: &str) -> bool {
        if !pattern.contains(['*', '?', '[']) {
            return self.exists(pattern);
        }
        let fixed: String = pattern
            .split('/')
            .take_while(|s| !s.contains(['*', '?', '[']))
            .collect::<Vec<_>>()
            .join("/");
        let segments: Vec<&str> = pattern.split('/').collect();
        self.files.iter().any(|f| {
            (fixed.is_empty() || f.starts_with(&format!("{fixed}/")))
                && glob_prefix(&segments, &f.split('/').collect::<Vec<_>>())
        })
    }

    fn content(&self, path: &str) -> Option<&str> {
        self.contents
            .get(path)
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// Whether `pattern`'s segments match a leading part of `path` (a pattern
/// naming a directory matches the files under it).
fn glob_prefix(pattern: &[&str], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, _) => true,
        (Some(&"**"), _) => (0..=path.len()).any(|skip| glob_prefix(&pattern[1..], &path[skip..])),
        (Some(_), None) => false,
        (Some(p), Some(s)) => segment_matches(p, s) && glob_prefix(&pattern[1..], &path[1..]),
    }
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|i| go(&p[1..], &t[i..])),
            Some('?') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

/// Whether a toolchain statement names a version rather than a moving
/// channel (`stable`, `latest`, `lts/*`, `node`, `system`).
pub fn names_version(text: &str) -> bool {
    let t = text.trim().trim_matches('"');
    let lower = t.to_ascii_lowercase();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && !lower.contains("latest")
        && !lower.starts_with("lts")
        && !t.contains('*')
        && !["stable", "beta", "nightly", "node", "system"].contains(&lower.as_str())
}

fn problem(item: impl Into<String>, reason: impl Into<String>) -> Problem {
    Problem {
        item: item.into(),
        reason: reason.into(),
    }
}

#[derive(Deserialize, Default)]
struct CargoManifest {
    #[serde(default)]
    package: Option<CargoPackage>,
    #[serde(default)]
    workspace: Option<CargoWorkspace>,
    #[serde(default)]
    dependencies: BTreeMap<String, CargoDependency>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, CargoDependency>,
    #[serde(default, rename = "build-dependencies")]
    build_dependencies: BTreeMap<String, CargoDependency>,
}

#[derive(Deserialize, Default)]
struct CargoPackage {
    #[serde(default, rename = "rust-version")]
    rust_version: Option<CargoInheritable>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CargoInheritable {
    Value(String),
    #[allow(dead_code)]
    Workspace(toml::Table),
}

#[derive(Deserialize, Default)]
struct CargoWorkspace {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    package: Option<CargoWorkspacePackage>,
    #[serde(default)]
    dependencies: BTreeMap<String, CargoDependency>,
}

#[derive(Deserialize, Default)]
struct CargoWorkspacePackage {
    #[serde(default, rename = "rust-version")]
    rust_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CargoDependency {
    #[allow(dead_code)]
    Version(String),
    Detailed(CargoDetailed),
}

#[derive(Deserialize)]
struct CargoDetailed {
    #[serde(default)]
    path: Option<String>,
}

#[derive(Deserialize, Default)]
struct RustToolchainFile {
    #[serde(default)]
    toolchain: Option<RustToolchain>,
}

#[derive(Deserialize, Default)]
struct RustToolchain {
    #[serde(default)]
    channel: Option<String>,
}

#[derive(Deserialize, Default)]
struct PackageJson {
    #[serde(default)]
    workspaces: Option<NpmWorkspaces>,
    #[serde(default)]
    engines: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NpmWorkspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

/// Which toolchains the build files call for, and whether one names its version.
#[derive(Default)]
struct Toolchains {
    /// Toolchain → the build file that calls for it.
    needed: BTreeMap<&'static str, String>,
    /// Toolchain → a statement naming its version.
    named: BTreeMap<&'static str, String>,
    /// Statements that name no version.
    moving: Vec<Problem>,
}

impl Toolchains {
    fn need(&mut self, toolchain: &'static str, file: &str) {
        self.needed
            .entry(toolchain)
            .or_insert_with(|| file.to_owned());
    }

    fn state(&mut self, toolchain: &'static str, file: &str, value: &str) {
        if names_version(value) {
            self.named
                .insert(toolchain, format!("{file} ({})", value.trim()));
        } else {
            self.moving.push(problem(
                file,
                format!("names {toolchain} as `{}`, not a version", value.trim()),
            ));
        }
    }
}

fn tool_versions_name(tool: &str) -> Option<&'static str> {
    Some(match tool {
        "rust" => "rust",
        "nodejs" | "node" => "node",
        "python" => "python",
        "golang" | "go" => "go",
        "ruby" => "ruby",
        "java" => "java",
        _ => return None,
    })
}

/// Level 2 checks of the build files: toolchains named by version, files
/// they refer to present, and their parse errors.
pub fn check_build(tree: &Tree) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut tools = Toolchains::default();
    let mut any_build = false;
    for path in &tree.files {
        let name = base(path);
        if is_requirements(name) && !in_vendored_dir(path) {
            any_build = true;
            tools.need("python", path);
        }
        if in_vendored_dir(path) || !wants_content(path) || LOCKFILES.contains(&name) {
            continue;
        }
        let Some(text) = tree.content(path) else {
            if tree.contents.contains_key(path) {
                problems.push(problem(
                    path,
                    "not UTF-8 text; it could not be read as a build file",
                ));
            } else {
                problems.push(problem(
                    path,
                    format!("larger than {MAX_BUILD_FILE} bytes; not checked"),
                ));
            }
            continue;
        };
        let here = dir(path);
        match name {
            "Cargo.toml" => {
                any_build = true;
                tools.need("rust", path);
                match toml::from_str::<CargoManifest>(text) {
                    Err(e) => problems.push(problem(
                        path,
                        format!("not a Cargo manifest: {}", e.message()),
                    )),
                    Ok(m) => cargo_checks(tree, path, here, &m, &mut tools, &mut problems),
                }
            }
            "rust-toolchain.toml" | "rust-toolchain" => {
                let channel = toml::from_str::<RustToolchainFile>(text)
                    .ok()
                    .and_then(|f| f.toolchain?.channel)
                    .unwrap_or_else(|| text.trim().to_owned());
                tools.state("rust", path, &channel);
            }
            "package.json" => {
                any_build = true;
                tools.need("node", path);
                match serde_json::from_str::<PackageJson>(text) {
                    Err(e) => problems.push(problem(path, format!("not a package.json: {e}"))),
                    Ok(p) => {
                        if let Some(node) = p.engines.get("node")
                            && names_version(node)
                            && !node.contains(['>', '<', '^', '~', '|'])
                        {
                            tools.state("node", path, node);
                        }
                        let patterns = match p.workspaces {
                            Some(NpmWorkspaces::List(l)) => l,
                            Some(NpmWorkspaces::Object { packages }) => packages,
                            None => Vec::new(),
                        };
                        for pattern in patterns {
                            let target = join(here, &pattern);
                            if !tree.matches(&target) {
                                problems.push(problem(
                                    path,
                                    format!(
                                        "names workspace `{pattern}`, which is not in the deposit"
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            ".nvmrc" | ".node-version" => tools.state("node", path, text),
            ".python-version" => tools.state("python", path, text.lines().next().unwrap_or("")),
            "runtime.txt" => tools.state("python", path, text),
            ".ruby-version" => tools.state("ruby", path, text),
            ".java-version" => tools.state("java", path, text),
            ".go-version" => tools.state("go", path, text),
            ".tool-versions" => {
                for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
                    let mut words = line.split_whitespace();
                    if let (Some(tool), Some(version)) = (words.next(), words.next())
                        && let Some(t) = tool_versions_name(tool)
                    {
                        tools.state(t, path, version);
                    }
                }
            }
            "go.mod" => {
                any_build = true;
                tools.need("go", path);
                let go = text.lines().map(str::trim).find_map(|l| {
                    l.strip_prefix("toolchain ")
                        .or_else(|| l.strip_prefix("go "))
                });
                match go {
                    Some(version) => tools.state("go", path, version),
                    None => problems.push(problem(path, "has no `go` line naming the Go version")),
                }
                for line in text.lines() {
                    if let Some((_, target)) = line.split_once("=>") {
                        let target = target.split_whitespace().next().unwrap_or("");
                        if (target.starts_with("./") || target.starts_with("../"))
                            && !tree.exists_file(&join(&join(here, target), "go.mod"))
                        {
                            problems.push(problem(
                                path,
                                format!("replaces a module with `{target}`, which has no go.mod in the deposit"),
                            ));
                        }
                    }
                }
            }
            "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" => {
                any_build = true;
                tools.need("python", path);
            }
            "Gemfile" => {
                any_build = true;
                tools.need("ruby", path);
            }
            "pom.xml" | "build.gradle" | "build.gradle.kts" => {
                any_build = true;
                tools.need("java", path);
            }
            "gradle-wrapper.properties" => {
                if let Some(url) = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("distributionUrl="))
                {
                    tools.state("gradle", path, url);
                }
            }
            n if is_dockerfile(n) => {
                any_build = true;
                dockerfile_checks(tree, path, here, text, &mut problems);
            }
            _ => any_build = true,
        }
    }
    if !any_build {
        problems.push(problem(
            "build instructions",
            "no build file found (Cargo.toml, package.json, go.mod, pyproject.toml, pom.xml, Makefile, Dockerfile…)",
        ));
    }
    for (toolchain, file) in &tools.needed {
        if !tools.named.contains_key(toolchain) {
            problems.push(problem(
                file.clone(),
                format!(
                    "needs the {toolchain} toolchain, but no file of the deposit names its version ({})",
                    match *toolchain {
                        "rust" => "rust-toolchain.toml, or rust-version in Cargo.toml",
                        "node" => ".nvmrc, .node-version, .tool-versions or engines.node",
                        "python" => ".python-version, runtime.txt or .tool-versions",
                        "go" => "the go line of go.mod",
                        "ruby" => ".ruby-version or .tool-versions",
                        "java" => ".java-version, .sdkmanrc or .tool-versions",
                        _ => "a toolchain file",
                    }
                ),
            ));
        }
    }
    problems.extend(tools.moving);
    problems
}

fn cargo_checks(
    tree: &Tree,
    path: &str,
    here: &str,
    m: &CargoManifest,
    tools: &mut Toolchains,
    problems: &mut Vec<Problem>,
) {
    if let Some(CargoInheritable::Value(v)) =
        m.package.as_ref().and_then(|p| p.rust_version.as_ref())
    {
        tools.state("rust", path, v);
    }
    if let Some(ws) = &m.workspace {
        if let Some(v) = ws.package.as_ref().and_then(|p| p.rust_version.as_ref()) {
            tools.state("rust", path, v);
        }
        for member in &ws.members {
            let target = join(here, member);
            let found = if member.contains(['*', '?', '[']) {
                tree.matches(&format!("{target}/Cargo.toml"))
            } else {
                tree.exists_file(&format!("{target}/Cargo.toml"))
            };
            if !found {
                problems.push(problem(
                    path,
                    format!(
                        "names workspace member `{member}`, which has no Cargo.toml in the deposit"
                    ),
                ));
            }
        }
    }
    let workspace_deps = m.workspace.iter().flat_map(|w| w.dependencies.iter());
    for (name, dep) in m
        .dependencies
        .iter()
        .chain(&m.dev_dependencies)
        .chain(&m.build_dependencies)
        .chain(workspace_deps)
    {
        if let CargoDependency::Detailed(CargoDetailed { path: Some(p) }) = dep
            && !tree.exists_file(&format!("{}/Cargo.toml", join(here, p)))
        {
            problems.push(problem(
                path,
                format!(
                    "depends on `{name}` at path `{p}`, which has no Cargo.toml in the deposit"
                ),
            ));
        }
    }
}

/// Dockerfile lines, continuation lines joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with('#') && current.is_empty() {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(trimmed);
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn dockerfile_checks(tree: &Tree, path: &str, here: &str, text: &str, problems: &mut Vec<Problem>) {
    let mut stages: Vec<String> = Vec::new();
    for line in logical_lines(text) {
        let mut words = line.split_whitespace();
        let Some(instruction) = words.next() else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        match instruction.to_ascii_uppercase().as_str() {
            "FROM" => {
                let args: Vec<&str> = rest
                    .iter()
                    .copied()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let Some(image) = args.first() else {
                    continue;
                };
                if let Some(i) = args.iter().position(|w| w.eq_ignore_ascii_case("as"))
                    && let Some(alias) = args.get(i + 1)
                {
                    stages.push(alias.to_ascii_lowercase());
                }
                let lower = image.to_ascii_lowercase();
                if lower == "scratch" || stages[..stages.len().saturating_sub(1)].contains(&lower) {
                    continue;
                }
                if image.contains('$') {
                    problems.push(problem(
                        path,
                        format!(
                            "FROM `{image}` depends on a build argument; its version cannot be read"
                        ),
                    ));
                    continue;
                }
                let pinned = image.contains("@sha256:")
                    || image
                        .rsplit('/')
                        .next()
                        .and_then(|last| last.split_once(':'))
                        .is_some_and(|(_, tag)| tag != "latest" && names_version(tag));
                if !pinned {
                    problems.push(problem(
                        path,
                        format!("FROM `{image}` names no version tag or digest"),
                    ));
                }
            }
            "COPY" | "ADD" => {
                if rest.iter().any(|w| w.starts_with("--from")) {
                    continue;
                }
                let args: Vec<String> = if rest.first().is_some_and(|w| w.starts_with('[')) {
                    serde_json::from_str::<Vec<String>>(&rest.join(" ")).unwrap_or_default()
                } else {
                    rest.iter()
                        .filter(|w| !w.starts_with("--"))
                        .map(|w| (*w).to_owned())
                        .collect()
                };
                if args.len() < 2 {
                    continue;
                }
                for source in &args[..args.len() - 1] {
                    if source.contains("://") || source.starts_with("git@") || source.contains('$')
                    {
                        continue;
                    }
                    let relative = source.trim_start_matches('/');
                    if !(tree.matches(&join(here, relative)) || tree.matches(&join("", relative))) {
                        problems.push(problem(
                            path,
                            format!(
                                "{} `{source}`, which is not in the deposit",
                                instruction.to_ascii_uppercase()
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A component as the review's CycloneDX SBOM lists it.
#[derive(Debug, Deserialize)]
pub struct SbomComponent {
    /// Name (without the group).
    pub name: String,
    /// Maven group or npm scope.
    #[serde(default)]
    pub group: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// Package URL.
    #[serde(default)]
    pub purl: Option<String>,
    /// Oversight's properties (`oversight:source`, `oversight:ecosystem`).
    #[serde(default)]
    pub properties: Vec<SbomProperty>,
}

/// One CycloneDX property.
#[derive(Debug, Deserialize)]
pub struct SbomProperty {
    /// Its name.
    pub name: String,
    /// Its value.
    #[serde(default)]
    pub value: Option<String>,
}

/// The part of a CycloneDX document level 2 reads.
#[derive(Debug, Deserialize)]
pub struct Sbom {
    /// Its components.
    #[serde(default)]
    pub components: Vec<SbomComponent>,
}

impl SbomComponent {
    fn property(&self, name: &str) -> impl Iterator<Item = &str> {
        self.properties
            .iter()
            .filter(move |p| p.name == name)
            .filter_map(|p| p.value.as_deref())
    }

    fn identity(&self) -> (String, String) {
        let ecosystem = self
            .property("oversight:ecosystem")
            .next()
            .unwrap_or("")
            .to_owned();
        let name = match &self.group {
            Some(g) => format!("{g}/{}", self.name),
            None => self.name.clone(),
        };
        (ecosystem, name)
    }

    fn label(&self) -> String {
        self.purl.clone().unwrap_or_else(|| {
            format!(
                "{}@{}",
                self.identity().1,
                self.version.as_deref().unwrap_or("")
            )
        })
    }
}

/// Whether a component version is an exact pin.
pub fn is_pinned(version: &str) -> bool {
    let v = version.trim();
    !v.is_empty()
        && !v.contains(['^', '~', '*', '<', '>', '|', ',', ' ', '='])
        && !v.ends_with(".x")
        && !v.eq_ignore_ascii_case("latest")
        && v.chars().any(|c| c.is_ascii_digit())
}

/// Level 2 checks of the SBOM: every component pinned, and vendored or
/// resolvable from a lockfile of the deposit.
pub fn check_components(tree: &Tree, sbom: &Sbom) -> Vec<Problem> {
    let mut problems = Vec::new();
    let top = |source: &str| source.split("!/").next().unwrap_or(source).to_owned();
    // Identities pinned by a lockfile or a vendored copy in the deposit.
    let mut resolved: BTreeSet<(String, String)> = BTreeSet::new();
    let resolves = |c: &SbomComponent| {
        c.version.as_deref().is_some_and(is_pinned)
            && c.property("oversight:source").any(|s| {
                let file = top(s);
                let name = base(&file);
                tree.exists_file(&file)
                    && (LOCKFILES.contains(&name)
                        || in_vendored_dir(&file)
                        || s.contains("!/")
                        || !RANGE_MANIFESTS.contains(&name))
            })
    };
    for c in &sbom.components {
        if resolves(c) {
            resolved.insert(c.identity());
        }
    }
    for c in &sbom.components {
        if resolves(c) || resolved.contains(&c.identity()) {
            continue;
        }
        let sources: Vec<&str> = c.property("oversight:source").collect();
        let declared = if sources.is_empty() {
            "no declaring file recorded".to_owned()
        } else {
            format!("declared in {}", sources.join(", "))
        };
        let missing: Vec<&str> = sources
            .iter()
            .copied()
            .filter(|s| !tree.exists_file(&top(s)))
            .collect();
        let reason = match c.version.as_deref() {
            _ if !missing.is_empty() => {
                format!("{declared}; {} not in the deposit", missing.join(", "))
            }
            Some(v) if is_pinned(v) => format!(
                "version `{v}` is a requirement of a manifest, {declared}, and no lockfile or vendored copy of the deposit pins it"
            ),
            Some(v) if !v.is_empty() => format!("not pinned: version `{v}`, {declared}"),
            _ => format!(
                "not pinned: no version, {declared}, and no lockfile or vendored copy pins it"
            ),
        };
        problems.push(problem(format!("component {}", c.label()), reason));
    }
    problems
}

/// Level 2 check of compiled files: a compiled file is accepted only with
/// its source beside it (`x.pyc` with `x.py`, `X.class` with `X.java`,
/// `.kt` or `.scala` anywhere in the deposit).
pub fn check_binaries(tree: &Tree) -> Vec<Problem> {
    let stems: BTreeSet<String> = tree
        .files
        .iter()
        .filter_map(|f| {
            let name = base(f);
            let (stem, ext) = name.rsplit_once('.')?;
            ["py", "java", "kt", "scala"]
                .contains(&ext)
                .then(|| format!("{ext}:{stem}"))
        })
        .collect();
    tree.binaries
        .iter()
        .filter(|(path, _)| {
            let name = base(path);
            let Some((stem, ext)) = name.rsplit_once('.') else {
                return true;
            };
            let stem = stem.split('.').next().unwrap_or(stem);
            match ext {
                "pyc" | "pyo" => !stems.contains(&format!("py:{stem}")),
                "class" => !["java", "kt", "scala"]
                    .iter()
                    .any(|e| stems.contains(&format!("{e}:{stem}"))),
                _ => true,
            }
        })
        .map(|(path, what)| problem(path.clone(), format!("binary without source: {what}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_globs() {
        assert!(names_version("1.90.0"));
        assert!(names_version("nightly-2025-01-01"));
        assert!(!names_version("stable"));
        assert!(!names_version("lts/*"));
        assert!(is_pinned("1.0.3"));
        assert!(!is_pinned("^1.0"));
        assert!(!is_pinned(">=2"));
        assert!(segment_matches("*.rs", "main.rs"));
        assert!(glob_prefix(
            &["crates", "*", "Cargo.toml"],
            &["crates", "a", "Cargo.toml"]
        ));
        assert_eq!(join("a/b", "../c"), "a/c");
    }
}
