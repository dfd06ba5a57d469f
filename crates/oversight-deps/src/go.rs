//! Go: `go.mod` (require blocks, `// indirect`, replace directives) and
//! `go.sum`.
//!
//! A required module replaced by another module is recorded as the
//! replacement (that is what is built); one replaced by a local directory is
//! the project's own code and is left out. `go.sum` lists the modules whose
//! content was downloaded (lines without `/go.mod`); its `h1:` hashes are
//! hashes of a file-tree summary, not of an artefact, and are not recorded.

use oversight_model::Directness;

use crate::collect::{Entry, Out};

const DIRECTIVES: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "require",
    "replace",
    "exclude",
    "retract",
    "godebug",
    "tool",
    "ignore",
];

struct Require {
    line: u32,
    path: String,
    version: String,
    indirect: bool,
}

struct Replace {
    line: u32,
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '`').to_owned()
}

fn is_local_path(p: &str) -> bool {
    p.starts_with("./") || p.starts_with("../") || p.starts_with('/') || p == "." || p == ".."
}

pub(crate) fn parse_mod(text: &str, out: &mut Out) {
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut block: Option<String> = None;
    let mut reported_unknown = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let (code, comment) = match raw.find("//") {
            Some(c) => (&raw[..c], raw[c + 2..].trim()),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let indirect = comment == "indirect" || comment.starts_with("indirect;");
        let body: &str = if let Some(b) = &block {
            if code == ")" {
                block = None;
                continue;
            }
            let _ = b;
            code
        } else {
            let (directive, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
            if !DIRECTIVES.contains(&directive) {
                if !reported_unknown {
                    out.malformed(Some(n), format!("Unknown directive `{directive}`"));
                    reported_unknown = true;
                }
                continue;
            }
            let rest = rest.trim();
            if rest == "(" {
                block = Some(directive.to_owned());
                continue;
            }
            match directive {
                "require" | "replace" => {
                    handle(
                        directive,
                        rest,
                        n,
                        indirect,
                        &mut requires,
                        &mut replaces,
                        out,
                    );
                }
                _ => {}
            }
            continue;
        };
        let directive = block.clone().unwrap_or_default();
        if directive == "require" || directive == "replace" {
            handle(
                &directive,
                body,
                n,
                indirect,
                &mut requires,
                &mut replaces,
                out,
            );
        }
    }
    for r in requires {
        let replacement = replaces
            .iter()
            .rev()
            .find(|p| p.old == r.path && p.old_version.as_deref().is_none_or(|v| v == r.version));
        let (name, version, line) = match replacement {
            Some(p) if is_local_path(&p.new) => continue,
            Some(p) => (
                p.new.clone(),
                p.new_version.clone().unwrap_or_default(),
                r.line,
            ),
            None => (r.path, r.version, r.line),
        };
        if version.is_empty() {
            out.unversioned(Some(line), &name, "replaced without a version");
        }
        let _ = replacement.map(|p| p.line);
        out.add(
            Entry::new(name, version)
                .directness(if r.indirect {
                    Directness::Transitive
                } else {
                    Directness::Direct
                })
                .line(Some(line)),
        );
    }
}

fn handle(
    directive: &str,
    body: &str,
    n: u32,
    indirect: bool,
    requires: &mut Vec<Require>,
    replaces: &mut Vec<Replace>,
    out: &mut Out,
) {
    if directive == "require" {
        let parts: Vec<&str> = body.split_whitespace().collect();
        match parts.as_slice() {
            [path, version] => requires.push(Require {
                line: n,
                path: unquote(path),
                version: unquote(version),
                indirect,
            }),
            _ => out.bad_entry(Some(n), body, "a require line is `module version`"),
        }
        return;
    }
    let Some((old, new)) = body.split_once("=>") else {
        out.bad_entry(Some(n), body, "a replace line has no `=>`");
        return;
    };
    let old: Vec<&str> = old.split_whitespace().collect();
    let new: Vec<&str> = new.split_whitespace().collect();
    match (old.as_slice(), new.as_slice()) {
        ([o, ov @ ..], [nw, nv @ ..]) if ov.len() <= 1 && nv.len() <= 1 => replaces.push(Replace {
            line: n,
            old: unquote(o),
            old_version: ov.first().map(|v| unquote(v)),
            new: unquote(nw),
            new_version: nv.first().map(|v| unquote(v)),
        }),
        _ => out.bad_entry(
            Some(n),
            body,
            "a replace line is `module [version] => target [version]`",
        ),
    }
}

pub(crate) fn parse_sum(text: &str, out: &mut Out) {
    let mut seen_valid = false;
    let mut bad: Vec<(u32, &str)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [module, version, hash] = parts.as_slice() else {
            bad.push((n, line));
            continue;
        };
        if !hash.contains(':') || !version.starts_with('v') {
            bad.push((n, line));
            continue;
        }
        seen_valid = true;
        if version.ends_with("/go.mod") {
            continue;
        }
        out.add(Entry::new(*module, *version).line(Some(n)));
    }
    if seen_valid {
        for (n, line) in bad {
            out.bad_entry(Some(n), line, "a go.sum line is `module version hash`");
        }
    } else if let Some((n, _)) = bad.first() {
        out.malformed(Some(*n), "Not a `module version hash` line");
    }
}
