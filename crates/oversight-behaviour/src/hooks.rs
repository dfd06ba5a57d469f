//! Install hooks that run a local file: the cross-file pass.
//!
//! An npm lifecycle script (`"postinstall": "node scripts/x.js"`), a
//! `setup.py` command class imported from a module of the package, or a
//! gemspec's `extensions` name another file that runs at install time. The
//! hook itself looks harmless; the behaviour is in the file it runs (coa and
//! rc, 2021: `"preinstall": "start /B node compile.js & node compile.js"`).
//!
//! The caller reads the manifests first ([`InstallHooks::add_manifest`] on
//! every `package.json`, `setup.py` and `*.gemspec`) and hands the map to
//! the detector ([`crate::Behaviour::with_install_hooks`]); the detector
//! then analyses each target as install-time code and names the hook in its
//! findings. Paths are the scan's own (relative, `/`-separated); the map
//! never touches storage.

use std::collections::HashMap;

/// Where a file is run from at install time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSite {
    /// The manifest that declares the hook (`pkg/package.json`).
    pub manifest: String,
    /// Its line.
    pub line: u32,
    /// The hook (`postinstall`, `cmdclass install`, `extensions`).
    pub hook: String,
}

impl std::fmt::Display for HookSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` in {} line {}", self.hook, self.manifest, self.line)
    }
}

/// The files install hooks run, by path.
#[derive(Debug, Clone, Default)]
pub struct InstallHooks {
    targets: HashMap<String, HookSite>,
}

/// The npm lifecycle scripts that run on `npm install`.
const NPM_HOOKS: [&str; 4] = ["preinstall", "install", "postinstall", "prepare"];

/// Programs whose first non-option argument is the script they run.
const RUNNERS: [&str; 13] = [
    "node",
    "nodejs",
    "bun",
    "deno",
    "sh",
    "bash",
    "zsh",
    "python",
    "python3",
    "ruby",
    "pwsh",
    "powershell",
    "tsx",
];

impl InstallHooks {
    /// An empty map.
    pub fn new() -> InstallHooks {
        InstallHooks::default()
    }

    /// Whether the scan should read this file for [`InstallHooks::add_manifest`].
    pub fn is_manifest(file_name: &str) -> bool {
        let lower = file_name.to_ascii_lowercase();
        lower == "package.json" || lower == "setup.py" || lower.ends_with(".gemspec")
    }

    /// Adds the hooks one manifest declares. Unknown or unparsable
    /// manifests add nothing (the per-file rules still read them).
    pub fn add_manifest(&mut self, path: &str, content: &[u8]) {
        let (dir, file_name) = match path.rsplit_once('/') {
            Some((d, f)) => (d, f),
            None => ("", path),
        };
        let text = String::from_utf8_lossy(content);
        let lower = file_name.to_ascii_lowercase();
        let found = if lower == "package.json" {
            npm_targets(&text)
        } else if lower == "setup.py" {
            setup_py_targets(&text)
        } else if lower.ends_with(".gemspec") {
            gemspec_targets(&text)
        } else {
            Vec::new()
        };
        for (target, line, hook) in found {
            let Some(resolved) = join(dir, &target) else {
                continue;
            };
            if resolved == path {
                continue;
            }
            self.targets.entry(resolved).or_insert(HookSite {
                manifest: path.to_owned(),
                line,
                hook,
            });
        }
    }

    /// The hook that runs `path`, if any.
    pub fn target(&self, path: &str) -> Option<&HookSite> {
        self.targets.get(path)
    }

    /// How many files hooks run.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether no hook runs a local file.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

/// `dir/rel` with `.` and `..` resolved; `None` for absolute paths, URLs
/// and paths that leave the package.
fn join(dir: &str, rel: &str) -> Option<String> {
    let rel = rel.trim_matches(|c| c == '"' || c == '\'');
    if rel.is_empty() || rel.starts_with('/') || rel.contains("://") || rel.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn line_of(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset.min(text.len())].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// `(target, line, hook)` of each npm install hook that runs a local file.
fn npm_targets(text: &str) -> Vec<(String, u32, String)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for hook in NPM_HOOKS {
        let Some(script) = scripts.get(hook).and_then(|s| s.as_str()) else {
            continue;
        };
        let line = text
            .find(&format!("\"{hook}\""))
            .map_or(1, |o| line_of(text, o));
        for command in script.split(['&', '|', ';']) {
            if let Some(target) = command_target(command) {
                out.push((target, line, hook.to_owned()));
            }
        }
    }
    out
}

/// The local file one shell command runs: `node x.js`, `sh ./x.sh`,
/// `./x.sh`, `start /B node x.js`.
fn command_target(command: &str) -> Option<String> {
    let mut words = command.split_whitespace().peekable();
    // Windows `start /B` and `env VAR=x` prefixes.
    while let Some(w) = words.peek() {
        let lower = w.to_ascii_lowercase();
        if lower == "start"
            || lower == "env"
            || lower.starts_with('/') && lower.len() <= 3
            || w.contains('=')
        {
            words.next();
        } else {
            break;
        }
    }
    let program = words.next()?;
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let name = name.strip_suffix(".exe").unwrap_or(name);
    if RUNNERS.contains(&name) {
        // `node -e CODE`, `sh -c CODE`: inline code, read by the per-file rules.
        let mut arg = None;
        for w in words {
            if matches!(
                w,
                "-e" | "-p" | "-c" | "--eval" | "--print" | "-Command" | "-EncodedCommand"
            ) {
                return None;
            }
            if !w.starts_with('-') {
                arg = Some(w);
                break;
            }
        }
        let arg = arg?;
        return looks_like_file(arg).then(|| arg.to_owned());
    }
    (program.starts_with("./") && looks_like_file(program)).then(|| program.to_owned())
}

fn looks_like_file(word: &str) -> bool {
    let word = word.trim_matches(|c| c == '"' || c == '\'');
    let ext = word.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("js" | "cjs" | "mjs" | "ts" | "sh" | "py" | "rb" | "ps1")
    ) || word.starts_with("./")
}

/// Modules of the package whose classes `setup.py` registers as commands:
/// `from build_ext import Install` / `from pkg.cmd import Install` with
/// `Install` in `cmdclass`.
fn setup_py_targets(text: &str) -> Vec<(String, u32, String)> {
    let Some(cmdclass) = text.find("cmdclass") else {
        return Vec::new();
    };
    let line = line_of(text, cmdclass);
    // The dictionary's text: from `cmdclass` to the closing brace.
    let tail = &text[cmdclass..];
    let dict = tail.find('}').map_or(tail, |end| &tail[..=end]);
    let mut out = Vec::new();
    for import in text.lines() {
        let import = import.trim();
        let Some(rest) = import.strip_prefix("from ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once(" import ") else {
            continue;
        };
        let module = module.trim().trim_start_matches('.');
        if module.is_empty()
            || module.starts_with("setuptools")
            || module.starts_with("distutils")
            || module.starts_with("wheel")
        {
            continue;
        }
        let used = names
            .trim_matches(|c| c == '(' || c == ')')
            .split(',')
            .map(|n| n.split(" as ").last().unwrap_or(n).trim())
            .any(|n| !n.is_empty() && contains_word(dict, n));
        if used {
            let base = module.replace('.', "/");
            out.push((format!("{base}.py"), line, "cmdclass".to_owned()));
            out.push((format!("{base}/__init__.py"), line, "cmdclass".to_owned()));
        }
    }
    out
}

fn contains_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The files a gemspec's `extensions` names (`extconf.rb`, `Rakefile`…).
fn gemspec_targets(text: &str) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(i) = line.find(".extensions") else {
            continue;
        };
        let value = &line[i..];
        let n = line_of(text, start);
        for piece in value.split(|c: char| {
            c == '"' || c == '\'' || c == '[' || c == ']' || c == ',' || c.is_whitespace()
        }) {
            if piece.ends_with(".rb") || piece.ends_with("Rakefile") {
                out.push((piece.to_owned(), n, "extensions".to_owned()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_within_the_package() {
        assert_eq!(
            join("pkg", "./scripts/x.js").as_deref(),
            Some("pkg/scripts/x.js")
        );
        assert_eq!(join("", "x.js").as_deref(), Some("x.js"));
        assert_eq!(join("a/b", "../c.sh").as_deref(), Some("a/c.sh"));
        assert_eq!(join("", "../x.js"), None);
        assert_eq!(join("pkg", "/etc/x.sh"), None);
    }

    #[test]
    fn commands_name_their_script() {
        assert_eq!(
            command_target("node scripts/x.js").as_deref(),
            Some("scripts/x.js")
        );
        assert_eq!(
            command_target(" sh ./install.sh").as_deref(),
            Some("./install.sh")
        );
        assert_eq!(
            command_target("start /B node compile.js ").as_deref(),
            Some("compile.js")
        );
        assert_eq!(command_target("./setup.sh").as_deref(), Some("./setup.sh"));
        assert_eq!(command_target("node-gyp rebuild"), None);
        assert_eq!(command_target("tsc"), None);
        assert_eq!(command_target("node -e \"require('./x.js')\""), None);
    }
}
