//! The languages the engine parses, recognised by file name or shebang.

/// A language with a grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// Python (`.py`, `.pyw`, `python` shebangs).
    Python,
    /// JavaScript (`.js`, `.mjs`, `.cjs`, `node` shebangs).
    JavaScript,
    /// TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`).
    TypeScript,
    /// Ruby (`.rb`, `.gemspec`, `Rakefile`, `Gemfile`).
    Ruby,
    /// Go (`.go`).
    Go,
    /// POSIX shell and bash (`.sh`, `.bash`, shell shebangs).
    Shell,
    /// PowerShell (`.ps1`, `.psm1`, `.psd1`).
    PowerShell,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 7] = [
        Lang::Python,
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Ruby,
        Lang::Go,
        Lang::Shell,
        Lang::PowerShell,
    ];

    /// The name rule files use.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Ruby => "ruby",
            Lang::Go => "go",
            Lang::Shell => "shell",
            Lang::PowerShell => "powershell",
        }
    }

    /// The language of a rule file's name.
    pub fn from_name(name: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.name() == name)
    }

    pub(crate) fn names() -> String {
        Lang::ALL.map(Lang::name).join(", ")
    }

    /// The language of a file, from its name, else from a shebang in `head`.
    pub fn detect(file_name: &str, head: &[u8]) -> Option<Lang> {
        let lower = file_name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        let by_ext = match ext {
            Some("py" | "pyw" | "pyi") => Some(Lang::Python),
            Some("js" | "mjs" | "cjs" | "jsx") => Some(Lang::JavaScript),
            Some("ts" | "mts" | "cts" | "tsx") if !lower.ends_with(".d.ts") => {
                Some(Lang::TypeScript)
            }
            Some("rb" | "gemspec" | "rake") => Some(Lang::Ruby),
            Some("go") => Some(Lang::Go),
            Some("sh" | "bash" | "zsh" | "ksh") => Some(Lang::Shell),
            Some("ps1" | "psm1" | "psd1") => Some(Lang::PowerShell),
            _ => None,
        };
        if by_ext.is_some() {
            return by_ext;
        }
        if matches!(lower.as_str(), "rakefile" | "gemfile" | "podfile") {
            return Some(Lang::Ruby);
        }
        if ext.is_some() && !matches!(ext, Some("command" | "run" | "install")) {
            return None;
        }
        let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
        let first = String::from_utf8_lossy(&first[..first.len().min(200)]).to_ascii_lowercase();
        if !first.starts_with("#!") {
            return None;
        }
        if first.contains("python") {
            Some(Lang::Python)
        } else if first.contains("node") || first.contains("deno") {
            Some(Lang::JavaScript)
        } else if first.contains("ruby") {
            Some(Lang::Ruby)
        } else if first.contains("pwsh") || first.contains("powershell") {
            Some(Lang::PowerShell)
        } else if first.contains("sh") {
            Some(Lang::Shell)
        } else {
            None
        }
    }

    /// The tree-sitter grammar, or `None` for a language handled by line rules.
    pub(crate) fn grammar(self, file_name: &str) -> Option<tree_sitter::Language> {
        Some(match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript if file_name.ends_with(".tsx") => {
                tree_sitter_typescript::LANGUAGE_TSX.into()
            }
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Shell => tree_sitter_bash::LANGUAGE.into(),
            Lang::PowerShell => tree_sitter_powershell::LANGUAGE.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_name_and_shebang() {
        assert_eq!(Lang::detect("setup.py", b""), Some(Lang::Python));
        assert_eq!(Lang::detect("index.min.js", b""), Some(Lang::JavaScript));
        assert_eq!(Lang::detect("types.d.ts", b""), None);
        assert_eq!(Lang::detect("x.gemspec", b""), Some(Lang::Ruby));
        assert_eq!(
            Lang::detect("install", b"#!/usr/bin/env bash\n"),
            Some(Lang::Shell)
        );
        assert_eq!(
            Lang::detect("tool", b"#!/usr/bin/env python3\n"),
            Some(Lang::Python)
        );
        assert_eq!(Lang::detect("README", b"hello"), None);
        assert_eq!(Lang::detect("data.json", b"#!/bin/sh"), None);
    }
}
